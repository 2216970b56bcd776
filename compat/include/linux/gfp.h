/* SPDX-License-Identifier: MIT */
/*
 * linux/gfp.h - allocation flags and whole-page allocations.
 *
 * __get_free_pages(gfp, order) returns the address of 2^order pages, aligned to the page
 * size (PAGE_SIZE, 4096); free them with free_pages(addr, order) or free_page(addr).
 * Return: the address, or 0 when out of memory.
 */
#ifndef _LINUX_GFP_H
#define _LINUX_GFP_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/gfp_types.h>
#include <asm/page.h>

/* True when @gfp lets the allocator sleep (GFP_KERNEL does; GFP_ATOMIC does not). */
static inline bool gfpflags_allow_blocking(const gfp_t gfp_flags)
{
	return !!(gfp_flags & __GFP_DIRECT_RECLAIM);
}

__KTL_BEGIN_DECLS
unsigned long __ktl_get_free_pages_owned(gfp_t gfp_mask, unsigned int order,
					 const struct module *owner)
	__ktl_abi(get_free_pages_owned);
void free_pages(unsigned long addr, unsigned int order) __ktl_abi(free_pages);
__KTL_END_DECLS

static inline unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order)
{
	return __ktl_get_free_pages_owned(gfp_mask, order, __KTL_ALLOC_OWNER);
}
static inline unsigned long __get_free_page(gfp_t gfp_mask)
{
	return __get_free_pages(gfp_mask, 0);
}
static inline unsigned long get_zeroed_page(gfp_t gfp_mask)
{
	return __get_free_pages(gfp_mask | __GFP_ZERO, 0);
}
#define __get_dma_pages(gfp_mask, order) __get_free_pages((gfp_mask) | GFP_DMA, (order))
#define free_page(addr) free_pages((addr), 0)

#endif /* _LINUX_GFP_H */
