/* SPDX-License-Identifier: MIT */
/*
 * linux/err.h - pointers that carry an errno.
 *
 * The top MAX_ERRNO bytes of the address space are never a valid object, so a function
 * returning a pointer can return ERR_PTR(-ENOMEM) instead; the caller tests IS_ERR() and
 * recovers the code with PTR_ERR(). ktl's C++ API follows the same convention, so the
 * values cross the shim unchanged.
 */
#ifndef _LINUX_ERR_H
#define _LINUX_ERR_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/errno.h>

#define MAX_ERRNO 4095

#define IS_ERR_VALUE(x) unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)

static inline void *__must_check ERR_PTR(long error)
{
	return (void *)error;
}

static inline long __must_check PTR_ERR(__force const void *ptr)
{
	return (long)ptr;
}

static inline bool __must_check IS_ERR(__force const void *ptr)
{
	return IS_ERR_VALUE((unsigned long)ptr);
}

static inline bool __must_check IS_ERR_OR_NULL(__force const void *ptr)
{
	return unlikely(!ptr) || IS_ERR_VALUE((unsigned long)ptr);
}

/* An error pointer of one type as another (the value is unchanged). */
static inline void *__must_check ERR_CAST(__force const void *ptr)
{
	return (void *)ptr;
}

/* 0 for a valid pointer (or NULL), the errno for an error pointer. */
static inline int __must_check PTR_ERR_OR_ZERO(__force const void *ptr)
{
	if (IS_ERR(ptr))
		return (int)PTR_ERR(ptr);
	return 0;
}

#define PTR_RET(p) PTR_ERR_OR_ZERO(p)

#endif /* _LINUX_ERR_H */
