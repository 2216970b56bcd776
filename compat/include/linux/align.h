/* SPDX-License-Identifier: MIT */
/* linux/align.h - ALIGN, ALIGN_DOWN, PTR_ALIGN, IS_ALIGNED. */
#ifndef _LINUX_ALIGN_H
#define _LINUX_ALIGN_H

#include <linux/compiler.h>

#define __ALIGN_KERNEL_MASK(x, mask) (((x) + (mask)) & ~(mask))
#define __ALIGN_KERNEL(x, a) __ALIGN_KERNEL_MASK(x, (__typeof__(x))(a) - 1)
#define __ALIGN_MASK(x, mask) __ALIGN_KERNEL_MASK((x), (mask))

/* @x rounded up / down to a multiple of @a, a power of two. */
#define ALIGN(x, a) __ALIGN_KERNEL((x), (a))
#define ALIGN_DOWN(x, a) __ALIGN_KERNEL((x) - ((a) - 1), (a))
#define PTR_ALIGN(p, a) ((__typeof__(p))ALIGN((unsigned long)(p), (a)))
#define PTR_ALIGN_DOWN(p, a) ((__typeof__(p))ALIGN_DOWN((unsigned long)(p), (a)))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)

#endif /* _LINUX_ALIGN_H */
