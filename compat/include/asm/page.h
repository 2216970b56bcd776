/* SPDX-License-Identifier: MIT */
/* asm/page.h - the page size (4 KiB) and get_order(). */
#ifndef _ASM_PAGE_H
#define _ASM_PAGE_H

#include <linux/compiler.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* The order (log2 of the number of pages) of an allocation of @size bytes. */
static inline __attribute__((__const__)) int get_order(unsigned long size)
{
	if (size <= PAGE_SIZE)
		return 0;
	size--;
	size >>= PAGE_SHIFT;
	return 64 - __builtin_clzl(size);
}

#endif /* _ASM_PAGE_H */
