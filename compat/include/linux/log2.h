/* SPDX-License-Identifier: MIT */
/* linux/log2.h - integer base-2 logarithms and powers of two. */
#ifndef _LINUX_LOG2_H
#define _LINUX_LOG2_H

#include <linux/bitops.h>

/* floor(log2(n)); -1 for 0. A constant expression for a constant @n. */
#define ilog2(n) ((n) ? (int)(63 - __builtin_clzll((unsigned long long)(n))) : -1)
#define const_ilog2(n) ilog2(n)

static inline __attribute__((__const__)) bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* The smallest power of two >= @n (@n > 0). */
#define roundup_pow_of_two(n) \
	((n) == 1 ? 1UL : (1UL << (ilog2((unsigned long)(n) - 1) + 1)))
/* The largest power of two <= @n (@n > 0). */
#define rounddown_pow_of_two(n) (1UL << ilog2(n))
/* ceil(log2(n)). */
#define order_base_2(n) ((n) > 1 ? ilog2((unsigned long)(n) - 1) + 1 : 0)
#define bits_per(n) ((n) < 2 ? 1 : ilog2(n) + 1)

#endif /* _LINUX_LOG2_H */
