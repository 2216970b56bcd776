/* SPDX-License-Identifier: MIT */
/*
 * linux/uaccess.h - copying between kernel and user memory.
 *
 * "User memory" in ktl is any address of the calling task when it has an mm: a user task
 * (the console's shell reading /proc with cat, a test's user task) or a kthread between
 * kthread_use_mm() and kthread_unuse_mm(). A kernel thread (current->mm == NULL) has none,
 * and each copy fails the way it does on Linux: copy_to_user()/copy_from_user() return
 * the number of bytes not copied, get_user()/put_user() return -EFAULT, clear_user() the
 * bytes not cleared, strncpy_from_user() -EFAULT. Addresses in the first page always
 * fault. These functions may sleep on Linux (might_fault): in atomic context they print
 * the kernel's "sleeping function called from invalid context" report, and in a timer or
 * tasklet callback the copy fails.
 */
#ifndef _LINUX_UACCESS_H
#define _LINUX_UACCESS_H

#include <asm/uaccess.h>
#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

/**
 * copy_to_user - copy a block to user space
 * @to: destination in user memory
 * @from: source in kernel memory
 * @n: bytes
 *
 * Context: task; may sleep.
 * Return: the number of bytes that could NOT be copied (0 on success, @n from a kthread).
 */
static __always_inline unsigned long __must_check copy_to_user(void __user *to, const void *from,
							       unsigned long n)
{
	return __ktl_copy_to_user(to, from, n);
}

/**
 * copy_from_user - copy a block from user space
 *
 * Context: task; may sleep.
 * Return: the number of bytes that could NOT be copied; as on Linux, those bytes of @to are
 * zeroed.
 */
static __always_inline unsigned long __must_check copy_from_user(void *to, const void __user *from,
								 unsigned long n)
{
	return __ktl_copy_from_user(to, from, n);
}

#define __copy_to_user(to, from, n) copy_to_user(to, from, n)
#define __copy_from_user(to, from, n) copy_from_user(to, from, n)
#define raw_copy_to_user(to, from, n) copy_to_user(to, from, n)
#define raw_copy_from_user(to, from, n) copy_from_user(to, from, n)
#define __copy_to_user_inatomic(to, from, n) copy_to_user(to, from, n)
#define __copy_from_user_inatomic(to, from, n) copy_from_user(to, from, n)
#define __clear_user(to, n) clear_user(to, n)

/* A user access window is always open in ktl. */
#define user_access_begin(ptr, len) access_ok(ptr, len)
#define user_access_end() do { } while (0)
#define user_read_access_begin(ptr, len) access_ok(ptr, len)
#define user_read_access_end() do { } while (0)
#define user_write_access_begin(ptr, len) access_ok(ptr, len)
#define user_write_access_end() do { } while (0)
#define pagefault_disable() do { } while (0)
#define pagefault_enable() do { } while (0)
#define might_fault() might_sleep()

/*
 * copy_struct_from_user - a struct from user space of a possibly different size: missing
 * bytes are zeroed; extra user bytes must be zero (-E2BIG otherwise). Return: 0 or -errno.
 */
static inline int copy_struct_from_user(void *dst, size_t ksize, const void __user *src,
					size_t usize)
{
	size_t size = min(ksize, usize);

	if (usize > ksize) {
		size_t i;
		unsigned char c;

		for (i = ksize; i < usize; i++) {
			if (get_user(c, (const unsigned char __user *)src + i))
				return -EFAULT;
			if (c)
				return -E2BIG;
		}
	}
	if (ksize > usize)
		memset((char *)dst + size, 0, ksize - size);
	if (copy_from_user(dst, src, size))
		return -EFAULT;
	return 0;
}

/* A kmalloc'ed copy of @len user bytes (free with kfree), or ERR_PTR(-EFAULT / -ENOMEM). */
static inline void *memdup_user(const void __user *src, size_t len)
{
	void *p = kmalloc(len, GFP_KERNEL);

	if (!p)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(p, src, len)) {
		kfree(p);
		return ERR_PTR(-EFAULT);
	}
	return p;
}

/* memdup_user() plus a terminating NUL. */
static inline void *memdup_user_nul(const void __user *src, size_t len)
{
	char *p = (char *)kmalloc(len + 1, GFP_KERNEL);

	if (!p)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(p, src, len)) {
		kfree(p);
		return ERR_PTR(-EFAULT);
	}
	p[len] = '\0';
	return p;
}

#define vmemdup_user(src, len) memdup_user(src, len)

/* A kmalloc'ed copy of a user string of at most @n bytes, or ERR_PTR(-EFAULT/-EINVAL/-ENOMEM). */
static inline char *strndup_user(const char __user *s, long n)
{
	long length = strnlen_user(s, n);
	char *p;

	if (!length)
		return (char *)ERR_PTR(-EFAULT);
	if (length > n)
		return (char *)ERR_PTR(-EINVAL);
	p = (char *)memdup_user(s, length);
	if (IS_ERR(p))
		return p;
	p[length - 1] = '\0';
	return p;
}

#endif /* _LINUX_UACCESS_H */
