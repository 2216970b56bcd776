/* SPDX-License-Identifier: MIT */
/*
 * asm/div64.h - do_div(n, base): divides the u64 lvalue @n in place by the u32 @base and
 * evaluates to the remainder.
 */
#ifndef _ASM_DIV64_H
#define _ASM_DIV64_H

#include <linux/types.h>

#define do_div(n, base)                                                        \
	({                                                                     \
		u32 __dd_base = (base);                                        \
		u32 __dd_rem = (u32)((u64)(n) % __dd_base);                    \
		(n) = (u64)(n) / __dd_base;                                    \
		__dd_rem;                                                      \
	})

#endif /* _ASM_DIV64_H */
