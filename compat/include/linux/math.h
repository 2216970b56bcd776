/* SPDX-License-Identifier: MIT */
/* linux/math.h - rounding divisions and multiples, abs, mult_frac. */
#ifndef _LINUX_MATH_H
#define _LINUX_MATH_H

#include <linux/types.h>

/* Rounding up / down to a multiple of @y, a power of two. */
#define __round_mask(x, y) ((__typeof__(x))((y) - 1))
#define round_up(x, y) ((((x) - 1) | __round_mask(x, y)) + 1)
#define round_down(x, y) ((x) & ~__round_mask(x, y))

#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define DIV_ROUND_DOWN_ULL(ll, d)                                              \
	({                                                                     \
		unsigned long long __drd_ll = (ll);                            \
		__drd_ll / (d);                                                \
	})
#define DIV_ROUND_UP_ULL(ll, d) DIV_ROUND_DOWN_ULL((unsigned long long)(ll) + (d) - 1, (d))
#define DIV_ROUND_UP_SECTOR_T(ll, d) DIV_ROUND_UP_ULL(ll, d)

/* Rounding up / down to any multiple of @y. */
#define roundup(x, y)                                                          \
	({                                                                     \
		__typeof__(y) __ru_y = (y);                                    \
		(((x) + (__ru_y - 1)) / __ru_y) * __ru_y;                      \
	})
#define rounddown(x, y)                                                        \
	({                                                                     \
		__typeof__(x) __rd_x = (x);                                    \
		__rd_x - (__rd_x % (y));                                       \
	})

/* @x / @divisor rounded to the nearest integer (halves away from zero). */
#define DIV_ROUND_CLOSEST(x, divisor)                                          \
	({                                                                     \
		__typeof__(x) __dc_x = (x);                                    \
		__typeof__(divisor) __dc_d = (divisor);                        \
		(((__typeof__(x))-1) > 0 || ((__typeof__(divisor))-1) > 0 ||   \
		 (((__dc_x) > 0) == ((__dc_d) > 0))) ?                         \
			(((__dc_x) + ((__dc_d) / 2)) / (__dc_d)) :             \
			(((__dc_x) - ((__dc_d) / 2)) / (__dc_d));              \
	})
#define DIV_ROUND_CLOSEST_ULL(x, divisor)                                      \
	({                                                                     \
		__typeof__(divisor) __dcu_d = (divisor);                       \
		unsigned long long __dcu_x = (x) + (__dcu_d) / 2;              \
		__dcu_x / __dcu_d;                                             \
	})

/* x * numer / denom without overflowing in the intermediate product where avoidable. */
#define mult_frac(x, numer, denom)                                             \
	({                                                                     \
		__typeof__(x) __mf_q = (x) / (denom);                          \
		__typeof__(x) __mf_r = (x) % (denom);                          \
		(__mf_q * (numer)) + ((__mf_r * (numer)) / (denom));           \
	})

/* The absolute value of a signed integer, in its own type. */
#define abs(x)                                                                 \
	({                                                                     \
		__typeof__((x) + 0) __abs_x = (x);                             \
		__abs_x < 0 ? -__abs_x : __abs_x;                              \
	})
#define abs_diff(a, b)                                                         \
	({                                                                     \
		__typeof__(a) __ad_a = (a);                                    \
		__typeof__(b) __ad_b = (b);                                    \
		__ad_a > __ad_b ? __ad_a - __ad_b : __ad_b - __ad_a;           \
	})

static inline u32 int_sqrt(unsigned long x)
{
	unsigned long b, m, y = 0;

	if (x <= 1)
		return (u32)x;
	m = 1UL << ((63 - __builtin_clzl(x)) & ~1UL);
	while (m != 0) {
		b = y + m;
		y >>= 1;
		if (x >= b) {
			x -= b;
			y += m;
		}
		m >>= 2;
	}
	return (u32)y;
}

static inline u32 reciprocal_scale(u32 val, u32 ep_ro)
{
	return (u32)(((u64)val * ep_ro) >> 32);
}

#endif /* _LINUX_MATH_H */
