/* SPDX-License-Identifier: MIT */
/*
 * linux/minmax.h - min, max, clamp and swap, each argument evaluated once.
 *
 * The kernel refuses min()/max() of a signed and an unsigned operand at build time; these
 * compare in the usual arithmetic conversions instead (write min_t() to choose the type,
 * as kernel code has to anyway).
 */
#ifndef _LINUX_MINMAX_H
#define _LINUX_MINMAX_H

#include <linux/compiler.h>

#define __cmp_op_min <
#define __cmp_op_max >
#define __ktl_cmp(op, x, y) ((x) __cmp_op_##op (y) ? (x) : (y))

#define __ktl_careful_cmp(op, x, y, ux, uy)                                    \
	({                                                                     \
		__typeof__(x) ux = (x);                                        \
		__typeof__(y) uy = (y);                                        \
		__ktl_cmp(op, ux, uy);                                         \
	})

#define min(x, y) __ktl_careful_cmp(min, x, y, __UNIQUE_ID(x_), __UNIQUE_ID(y_))
#define max(x, y) __ktl_careful_cmp(max, x, y, __UNIQUE_ID(x_), __UNIQUE_ID(y_))
#define umin(x, y) min((x) + 0u + 0ul + 0ull, (y) + 0u + 0ul + 0ull)
#define umax(x, y) max((x) + 0u + 0ul + 0ull, (y) + 0u + 0ul + 0ull)
#define min3(x, y, z) min((__typeof__((x) + (y) + (z)))(x), min((y), (z)))
#define max3(x, y, z) max((__typeof__((x) + (y) + (z)))(x), max((y), (z)))

/* The smaller of two values, ignoring a zero. */
#define min_not_zero(x, y)                                                     \
	({                                                                     \
		__typeof__(x) __mnz_x = (x);                                   \
		__typeof__(y) __mnz_y = (y);                                   \
		__mnz_x == 0 ? __mnz_y : ((__mnz_y == 0) ? __mnz_x : min(__mnz_x, __mnz_y)); \
	})

#define min_t(type, x, y) __ktl_careful_cmp(min, (type)(x), (type)(y), __UNIQUE_ID(x_), __UNIQUE_ID(y_))
#define max_t(type, x, y) __ktl_careful_cmp(max, (type)(x), (type)(y), __UNIQUE_ID(x_), __UNIQUE_ID(y_))
#define min_array(arr, len)                                                    \
	({                                                                     \
		__typeof__(&(arr)[0]) __ma_a = (arr);                          \
		__typeof__((arr)[0] + 0) __ma_m = __ma_a[0];                   \
		for (unsigned int __ma_i = 1; __ma_i < (len); __ma_i++)        \
			__ma_m = min(__ma_m, __ma_a[__ma_i]);                  \
		__ma_m;                                                        \
	})
#define max_array(arr, len)                                                    \
	({                                                                     \
		__typeof__(&(arr)[0]) __ma_a = (arr);                          \
		__typeof__((arr)[0] + 0) __ma_m = __ma_a[0];                   \
		for (unsigned int __ma_i = 1; __ma_i < (len); __ma_i++)        \
			__ma_m = max(__ma_m, __ma_a[__ma_i]);                  \
		__ma_m;                                                        \
	})

/* @val limited to [@lo, @hi]. */
#define clamp(val, lo, hi)                                                     \
	({                                                                     \
		__typeof__(val) __cl_v = (val);                                \
		__typeof__(lo) __cl_lo = (lo);                                 \
		__typeof__(hi) __cl_hi = (hi);                                 \
		__cl_v < __cl_lo ? __cl_lo : (__cl_v > __cl_hi ? __cl_hi : __cl_v); \
	})
#define clamp_t(type, val, lo, hi) clamp((type)(val), (type)(lo), (type)(hi))
#define clamp_val(val, lo, hi) clamp_t(__typeof__(val), val, lo, hi)

/* True when [start, start + len) contains @val. */
#define in_range(val, start, len) ((__typeof__((val) + (start) + (len)))(val) - (start) < (len))

/* Exchanges two lvalues of the same type. */
#define swap(a, b)                                                             \
	do {                                                                   \
		__typeof__(a) __swap_tmp = (a);                                \
		(a) = (b);                                                     \
		(b) = __swap_tmp;                                              \
	} while (0)

#endif /* _LINUX_MINMAX_H */
