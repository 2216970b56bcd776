/* SPDX-License-Identifier: MIT */
/*
 * linux/overflow.h - arithmetic that detects overflow, and allocation sizes that saturate.
 *
 * check_{add,sub,mul}_overflow(a, b, &d) store the (wrapped) result in d and return true
 * on overflow. size_add/size_mul/array_size/struct_size saturate at SIZE_MAX, which no
 * allocation satisfies, so kmalloc(struct_size(p, items, n), ...) fails cleanly instead of
 * returning a short buffer.
 */
#ifndef _LINUX_OVERFLOW_H
#define _LINUX_OVERFLOW_H

#include <linux/compiler.h>
#include <linux/limits.h>
#include <linux/types.h>

#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d) __builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)
#define is_signed_type(type) (((type)(-1)) < (type)1)
#define type_max(T) \
	((T)(is_signed_type(T) ? (T)((1ULL << (8 * sizeof(T) - 1)) - 1) : (T)~(T)0))
#define type_min(T) ((T)(is_signed_type(T) ? (T)(-type_max(T) - 1) : (T)0))
#define overflows_type(n, T) \
	({ __typeof__(T) __ot_v; __builtin_add_overflow((n), 0, &__ot_v); })

static inline size_t __must_check size_mul(size_t factor1, size_t factor2)
{
	size_t bytes;

	if (check_mul_overflow(factor1, factor2, &bytes))
		return SIZE_MAX;
	return bytes;
}
static inline size_t __must_check size_add(size_t addend1, size_t addend2)
{
	size_t bytes;

	if (check_add_overflow(addend1, addend2, &bytes))
		return SIZE_MAX;
	return bytes;
}
static inline size_t __must_check size_sub(size_t minuend, size_t subtrahend)
{
	size_t bytes;

	if (minuend == SIZE_MAX || subtrahend == SIZE_MAX ||
	    check_sub_overflow(minuend, subtrahend, &bytes))
		return SIZE_MAX;
	return bytes;
}

#define array_size(a, b) size_mul(a, b)
#define array3_size(a, b, c) size_mul(size_mul(a, b), c)
/* The size of @count elements of the flexible array @member of *@p. */
#define flex_array_size(p, member, count) size_mul(count, sizeof(*(p)->member))
/* The size of *@p with @count elements in its trailing flexible array @member. */
#define struct_size(p, member, count) \
	size_add(sizeof(*(p)), flex_array_size(p, member, count))
#define struct_size_t(type, member, count) struct_size((type *)0, member, count)

#endif /* _LINUX_OVERFLOW_H */
