/* SPDX-License-Identifier: MIT */
/*
 * linux/bitmap.h - operations on bitmaps of @nbits bits (arrays of unsigned long, declared
 * with DECLARE_BITMAP or bitmap_alloc). Bits past @nbits in the last word are ignored by
 * the queries and left as they are by the operations that write whole words only where
 * the kernel's do (bitmap_zero/fill/copy write whole words).
 */
#ifndef _LINUX_BITMAP_H
#define _LINUX_BITMAP_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/bitops.h>
#include <linux/string.h>
#include <linux/slab.h>

#define BITMAP_FIRST_WORD_MASK(start) (~0UL << ((start) & (BITS_PER_LONG - 1)))
#define BITMAP_LAST_WORD_MASK(nbits) (~0UL >> (-(nbits) & (BITS_PER_LONG - 1)))
#define bitmap_size(nbits) (BITS_TO_LONGS(nbits) * sizeof(unsigned long))

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	__builtin_memset(dst, 0, bitmap_size(nbits));
}
static inline void bitmap_fill(unsigned long *dst, unsigned int nbits)
{
	__builtin_memset(dst, 0xff, bitmap_size(nbits));
}
static inline void bitmap_copy(unsigned long *dst, const unsigned long *src, unsigned int nbits)
{
	__builtin_memcpy(dst, src, bitmap_size(nbits));
}

#define __ktl_bitmap_for_words(i, nbits) for (i = 0; i < BITS_TO_LONGS(nbits); i++)
#define __ktl_bitmap_word_mask(i, nbits) \
	((i) + 1 == BITS_TO_LONGS(nbits) ? BITMAP_LAST_WORD_MASK(nbits) : ~0UL)

/* dst = a & b; Return: true if the result has a bit set. */
static inline bool bitmap_and(unsigned long *dst, const unsigned long *a, const unsigned long *b,
			      unsigned int nbits)
{
	unsigned long i, any = 0;

	__ktl_bitmap_for_words(i, nbits) {
		dst[i] = a[i] & b[i];
		any |= dst[i] & __ktl_bitmap_word_mask(i, nbits);
	}
	return any != 0;
}
static inline void bitmap_or(unsigned long *dst, const unsigned long *a, const unsigned long *b,
			     unsigned int nbits)
{
	unsigned long i;

	__ktl_bitmap_for_words(i, nbits)
		dst[i] = a[i] | b[i];
}
static inline void bitmap_xor(unsigned long *dst, const unsigned long *a, const unsigned long *b,
			      unsigned int nbits)
{
	unsigned long i;

	__ktl_bitmap_for_words(i, nbits)
		dst[i] = a[i] ^ b[i];
}
/* dst = a & ~b; Return: true if the result has a bit set. */
static inline bool bitmap_andnot(unsigned long *dst, const unsigned long *a,
				 const unsigned long *b, unsigned int nbits)
{
	unsigned long i, any = 0;

	__ktl_bitmap_for_words(i, nbits) {
		dst[i] = a[i] & ~b[i];
		any |= dst[i] & __ktl_bitmap_word_mask(i, nbits);
	}
	return any != 0;
}
static inline void bitmap_complement(unsigned long *dst, const unsigned long *src,
				     unsigned int nbits)
{
	unsigned long i;

	__ktl_bitmap_for_words(i, nbits)
		dst[i] = ~src[i];
}
static inline bool bitmap_equal(const unsigned long *a, const unsigned long *b,
				unsigned int nbits)
{
	unsigned long i;

	__ktl_bitmap_for_words(i, nbits)
		if ((a[i] ^ b[i]) & __ktl_bitmap_word_mask(i, nbits))
			return false;
	return true;
}
static inline bool bitmap_intersects(const unsigned long *a, const unsigned long *b,
				     unsigned int nbits)
{
	unsigned long i;

	__ktl_bitmap_for_words(i, nbits)
		if (a[i] & b[i] & __ktl_bitmap_word_mask(i, nbits))
			return true;
	return false;
}
/* Every bit of @a is set in @b. */
static inline bool bitmap_subset(const unsigned long *a, const unsigned long *b,
				 unsigned int nbits)
{
	unsigned long i;

	__ktl_bitmap_for_words(i, nbits)
		if (a[i] & ~b[i] & __ktl_bitmap_word_mask(i, nbits))
			return false;
	return true;
}
static inline bool bitmap_empty(const unsigned long *src, unsigned int nbits)
{
	return find_first_bit(src, nbits) == nbits;
}
static inline bool bitmap_full(const unsigned long *src, unsigned int nbits)
{
	return find_first_zero_bit(src, nbits) == nbits;
}
static inline unsigned int bitmap_weight(const unsigned long *src, unsigned int nbits)
{
	unsigned long i;
	unsigned int w = 0;

	__ktl_bitmap_for_words(i, nbits)
		w += hweight_long(src[i] & __ktl_bitmap_word_mask(i, nbits));
	return w;
}
/* Sets bits [@start, @start + @nbits). */
static inline void bitmap_set(unsigned long *map, unsigned int start, unsigned int nbits)
{
	while (nbits--)
		__set_bit(start++, map);
}
/* Clears bits [@start, @start + @nbits). */
static inline void bitmap_clear(unsigned long *map, unsigned int start, unsigned int nbits)
{
	while (nbits--)
		__clear_bit(start++, map);
}
/*
 * The first run of @nr clear bits at or after @start (below @size) whose start satisfies
 * @align_mask; @size or more if none.
 */
static inline unsigned long bitmap_find_next_zero_area(unsigned long *map, unsigned long size,
						       unsigned long start, unsigned int nr,
						       unsigned long align_mask)
{
	unsigned long index, end, i;

again:
	index = find_next_zero_bit(map, size, start);
	index = (index + align_mask) & ~align_mask;
	end = index + nr;
	if (end > size)
		return end;
	i = find_next_bit(map, end, index);
	if (i < end) {
		start = i + 1;
		goto again;
	}
	return index;
}

static inline unsigned long *bitmap_alloc(unsigned int nbits, gfp_t flags)
{
	return (unsigned long *)kmalloc_array(BITS_TO_LONGS(nbits), sizeof(unsigned long), flags);
}
static inline unsigned long *bitmap_zalloc(unsigned int nbits, gfp_t flags)
{
	return bitmap_alloc(nbits, flags | __GFP_ZERO);
}
static inline void bitmap_free(const unsigned long *bitmap)
{
	kfree(bitmap);
}

#endif /* _LINUX_BITMAP_H */
