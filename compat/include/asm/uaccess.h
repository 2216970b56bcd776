/* SPDX-License-Identifier: MIT */
/*
 * asm/uaccess.h - the user-copy primitives (see <linux/uaccess.h>, which old code reached
 * through this header).
 *
 * "User memory" in ktl is any address of the calling task when it has an mm (a user task
 * such as the console's shell, or a kthread inside kthread_use_mm()). A kernel thread
 * (current->mm == NULL) has none: every copy fails as it would on Linux, copy_to_user()
 * and copy_from_user() returning the number of bytes not copied and get_user()/put_user()
 * -EFAULT. Addresses in the first page (NULL and small offsets from it) always fault.
 * Each primitive may sleep on Linux (might_fault): calling one in atomic context prints
 * "BUG: sleeping function called from invalid context"; in a timer or tasklet callback the
 * copy fails.
 */
#ifndef _ASM_UACCESS_H
#define _ASM_UACCESS_H

#include <asm/ktl-abi.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/types.h>

/* The top of user space (x86-64, 4-level paging). */
#define TASK_SIZE_MAX ((1UL << 47) - 4096)

__KTL_BEGIN_DECLS
/* Bytes NOT copied: 0 on success. */
unsigned long __ktl_copy_to_user(void __user *to, const void *from, unsigned long n)
	__ktl_abi(copy_to_user);
unsigned long __ktl_copy_from_user(void *to, const void __user *from, unsigned long n)
	__ktl_abi(copy_from_user);
/* 0 or -EFAULT: one object of 1, 2, 4 or 8 bytes. */
int __ktl_get_user_n(void *dst, const void __user *src, unsigned long size)
	__ktl_abi(get_user_n);
int __ktl_put_user_n(void __user *dst, const void *src, unsigned long size)
	__ktl_abi(put_user_n);
/* Bytes NOT cleared. */
unsigned long clear_user(void __user *to, unsigned long n) __ktl_abi(clear_user);
/* The string's length (without the NUL), @count if it did not fit, or -EFAULT. */
long strncpy_from_user(char *dst, const char __user *src, long count)
	__ktl_abi(strncpy_from_user);
/* The string's size including the NUL, 0 on a fault, > @n if longer than @n. */
long strnlen_user(const char __user *str, long n) __ktl_abi(strnlen_user);
__KTL_END_DECLS

/*
 * access_ok - whether [@addr, @addr + @size) lies below TASK_SIZE_MAX
 *
 * As on Linux this checks the range only, not whether anything is mapped there (a kernel
 * thread passes it and still faults on the copy).
 */
#define access_ok(addr, size)                                                           \
	({                                                                              \
		unsigned long __ao_addr = (unsigned long)(addr);                         \
		unsigned long __ao_size = (unsigned long)(size);                         \
		likely(__ao_size <= TASK_SIZE_MAX && __ao_addr <= TASK_SIZE_MAX - __ao_size); \
	})

#define __ktl_uaccess_size_check(ptr)                                                   \
	BUILD_BUG_ON_ZERO(sizeof(*(ptr)) != 1 && sizeof(*(ptr)) != 2 &&                 \
			  sizeof(*(ptr)) != 4 && sizeof(*(ptr)) != 8)

/**
 * get_user - read one simple variable from user space
 * @x: the variable receiving it (set to 0 on a fault)
 * @ptr: the user address; its type decides the size (1, 2, 4 or 8 bytes)
 *
 * Context: task. Return: 0 or -EFAULT.
 */
#define get_user(x, ptr)                                                                \
	({                                                                              \
		unsigned long long __gu_val = 0;                                        \
		int __gu_err = __ktl_get_user_n(&__gu_val, (ptr),                       \
						sizeof(*(ptr)) + __ktl_uaccess_size_check(ptr)); \
		(x) = (__typeof__(*(ptr)))__gu_val;                                     \
		__gu_err;                                                               \
	})

/**
 * put_user - write one simple variable to user space
 * @x: the value, converted to the type *@ptr has
 * @ptr: the user address (1, 2, 4 or 8 bytes)
 *
 * Context: task. Return: 0 or -EFAULT.
 */
#define put_user(x, ptr)                                                                \
	({                                                                              \
		__typeof__(*(ptr)) __pu_val = (x);                                      \
		__ktl_put_user_n((ptr), &__pu_val,                                      \
				 sizeof(*(ptr)) + __ktl_uaccess_size_check(ptr));       \
	})

#define __get_user(x, ptr) get_user(x, ptr)
#define __put_user(x, ptr) put_user(x, ptr)
#define unsafe_get_user(x, ptr, label)                          \
	do {                                                    \
		if (unlikely(get_user(x, ptr)))                 \
			goto label;                             \
	} while (0)
#define unsafe_put_user(x, ptr, label)                          \
	do {                                                    \
		if (unlikely(put_user(x, ptr)))                 \
			goto label;                             \
	} while (0)

#endif /* _ASM_UACCESS_H */
