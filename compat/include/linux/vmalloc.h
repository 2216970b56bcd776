/* SPDX-License-Identifier: MIT */
/*
 * linux/vmalloc.h - vmalloc and vfree.
 *
 * ktl has one address space and one heap: vmalloc() is kmalloc() for large blocks, with the
 * same per-module accounting; vfree() frees it (and NULL is a no-op). Unlike Linux's,
 * vfree() may be called from any context.
 * Context: task (vmalloc may sleep).
 */
#ifndef _LINUX_VMALLOC_H
#define _LINUX_VMALLOC_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/overflow.h>

__KTL_BEGIN_DECLS
void *__ktl_vmalloc_owned(unsigned long size, gfp_t flags, const struct module *owner)
	__ktl_abi(vmalloc_owned) __attribute__((__malloc__));
void vfree(const void *addr) __ktl_abi(vfree);
__KTL_END_DECLS

static __always_inline void *vmalloc(unsigned long size)
{
	return __ktl_vmalloc_owned(size, GFP_KERNEL, __KTL_ALLOC_OWNER);
}
static __always_inline void *vzalloc(unsigned long size)
{
	return __ktl_vmalloc_owned(size, GFP_KERNEL | __GFP_ZERO, __KTL_ALLOC_OWNER);
}
static __always_inline void *__vmalloc(unsigned long size, gfp_t gfp_mask)
{
	return __ktl_vmalloc_owned(size, gfp_mask, __KTL_ALLOC_OWNER);
}
static __always_inline void *vmalloc_array(size_t n, size_t size)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	return vmalloc(bytes);
}
static __always_inline void *vcalloc(size_t n, size_t size)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	return vzalloc(bytes);
}
#define vmalloc_user(size) vzalloc(size)
#define vmalloc_node(size, node) vmalloc(size)
#define vzalloc_node(size, node) vzalloc(size)
#define vmalloc_32(size) vmalloc(size)
/* Never true: no address is special (kvfree() frees either kind). */
static inline bool is_vmalloc_addr(const void *x)
{
	(void)x;
	return false;
}

#endif /* _LINUX_VMALLOC_H */
