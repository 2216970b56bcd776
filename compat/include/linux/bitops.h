/* SPDX-License-Identifier: MIT */
/*
 * linux/bitops.h - bit operations on unsigned long arrays, bit searches, hweight.
 *
 * set_bit/clear_bit/change_bit are atomic with no ordering; the test_and_* forms are
 * atomic and fully ordered and return the bit's old value (0 or 1); the __ forms are
 * plain read-modify-writes for data the caller owns. Bit @nr lives in word nr / 64 at
 * position nr % 64 (little-endian order, as on x86 and arm64).
 */
#ifndef _LINUX_BITOPS_H
#define _LINUX_BITOPS_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/typecheck.h>

__KTL_BEGIN_DECLS
/* The first set (zero) bit at or after @offset in the @size-bit map, or @size if none. */
unsigned long _find_next_bit(const unsigned long *addr, unsigned long size,
			     unsigned long offset) __ktl_abi(find_next_bit);
unsigned long _find_next_zero_bit(const unsigned long *addr, unsigned long size,
				  unsigned long offset) __ktl_abi(find_next_zero_bit);
/* The last set bit below @size, or @size if none. */
unsigned long _find_last_bit(const unsigned long *addr, unsigned long size)
	__ktl_abi(find_last_bit);
unsigned long _find_next_and_bit(const unsigned long *addr1, const unsigned long *addr2,
				 unsigned long size, unsigned long offset)
	__ktl_abi(find_next_and_bit);
__KTL_END_DECLS

static __always_inline unsigned long *__ktl_bitop_word(volatile unsigned long *addr,
						       unsigned long nr)
{
	return (unsigned long *)addr + BIT_WORD(nr);
}

static __always_inline void set_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_or(__ktl_bitop_word(addr, nr), BIT_MASK(nr), __ATOMIC_RELAXED);
}
static __always_inline void clear_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and(__ktl_bitop_word(addr, nr), ~BIT_MASK(nr), __ATOMIC_RELAXED);
}
static __always_inline void change_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_xor(__ktl_bitop_word(addr, nr), BIT_MASK(nr), __ATOMIC_RELAXED);
}
/* clear_bit() with release ordering: for a bit used as a lock. */
static __always_inline void clear_bit_unlock(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and(__ktl_bitop_word(addr, nr), ~BIT_MASK(nr), __ATOMIC_RELEASE);
}
static __always_inline void __clear_bit_unlock(long nr, volatile unsigned long *addr)
{
	clear_bit_unlock(nr, addr);
}
static __always_inline bool test_and_set_bit(long nr, volatile unsigned long *addr)
{
	return (__atomic_fetch_or(__ktl_bitop_word(addr, nr), BIT_MASK(nr), __ATOMIC_SEQ_CST) &
		BIT_MASK(nr)) != 0;
}
/* test_and_set_bit() with acquire ordering: for a bit used as a lock. */
static __always_inline bool test_and_set_bit_lock(long nr, volatile unsigned long *addr)
{
	return (__atomic_fetch_or(__ktl_bitop_word(addr, nr), BIT_MASK(nr), __ATOMIC_ACQUIRE) &
		BIT_MASK(nr)) != 0;
}
static __always_inline bool test_and_clear_bit(long nr, volatile unsigned long *addr)
{
	return (__atomic_fetch_and(__ktl_bitop_word(addr, nr), ~BIT_MASK(nr), __ATOMIC_SEQ_CST) &
		BIT_MASK(nr)) != 0;
}
static __always_inline bool test_and_change_bit(long nr, volatile unsigned long *addr)
{
	return (__atomic_fetch_xor(__ktl_bitop_word(addr, nr), BIT_MASK(nr), __ATOMIC_SEQ_CST) &
		BIT_MASK(nr)) != 0;
}
static __always_inline bool test_bit(long nr, const volatile unsigned long *addr)
{
	return (__atomic_load_n((const unsigned long *)addr + BIT_WORD(nr), __ATOMIC_RELAXED) >>
		(nr & (BITS_PER_LONG - 1))) & 1UL;
}
static __always_inline bool test_bit_acquire(long nr, const volatile unsigned long *addr)
{
	return (__atomic_load_n((const unsigned long *)addr + BIT_WORD(nr), __ATOMIC_ACQUIRE) >>
		(nr & (BITS_PER_LONG - 1))) & 1UL;
}

static __always_inline void __set_bit(long nr, volatile unsigned long *addr)
{
	*__ktl_bitop_word(addr, nr) |= BIT_MASK(nr);
}
static __always_inline void __clear_bit(long nr, volatile unsigned long *addr)
{
	*__ktl_bitop_word(addr, nr) &= ~BIT_MASK(nr);
}
static __always_inline void __change_bit(long nr, volatile unsigned long *addr)
{
	*__ktl_bitop_word(addr, nr) ^= BIT_MASK(nr);
}
static __always_inline bool __test_and_set_bit(long nr, volatile unsigned long *addr)
{
	unsigned long *p = __ktl_bitop_word(addr, nr);
	unsigned long old = *p;

	*p = old | BIT_MASK(nr);
	return (old & BIT_MASK(nr)) != 0;
}
static __always_inline bool __test_and_clear_bit(long nr, volatile unsigned long *addr)
{
	unsigned long *p = __ktl_bitop_word(addr, nr);
	unsigned long old = *p;

	*p = old & ~BIT_MASK(nr);
	return (old & BIT_MASK(nr)) != 0;
}
static __always_inline bool __test_and_change_bit(long nr, volatile unsigned long *addr)
{
	unsigned long *p = __ktl_bitop_word(addr, nr);
	unsigned long old = *p;

	*p = old ^ BIT_MASK(nr);
	return (old & BIT_MASK(nr)) != 0;
}
#define assign_bit(nr, addr, value) ((value) ? set_bit((nr), (addr)) : clear_bit((nr), (addr)))
#define __assign_bit(nr, addr, value) \
	((value) ? __set_bit((nr), (addr)) : __clear_bit((nr), (addr)))

/* Bit positions: ffs/fls are 1-based and 0 for 0; __ffs/__fls are 0-based, undefined for 0. */
static __always_inline int ffs(int x)
{
	return __builtin_ffs(x);
}
static __always_inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}
static __always_inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}
static __always_inline unsigned long __ffs(unsigned long word)
{
	return (unsigned long)__builtin_ctzl(word);
}
static __always_inline unsigned long __fls(unsigned long word)
{
	return (unsigned long)(BITS_PER_LONG - 1 - __builtin_clzl(word));
}
static __always_inline unsigned long __ffs64(u64 word)
{
	return (unsigned long)__builtin_ctzll(word);
}
/* The first zero bit, 0-based; undefined when every bit is set. */
#define ffz(x) __ffs(~(unsigned long)(x))
static __always_inline int fls_long(unsigned long l)
{
	return fls64(l);
}
static __always_inline unsigned int __ktl_hweight8(unsigned int w)
{
	return (unsigned int)__builtin_popcount(w & 0xffu);
}
#define hweight8(w) __ktl_hweight8(w)
#define hweight16(w) ((unsigned int)__builtin_popcount((unsigned int)(w) & 0xffffu))
#define hweight32(w) ((unsigned int)__builtin_popcount((unsigned int)(w)))
#define hweight64(w) ((unsigned int)__builtin_popcountll((unsigned long long)(w)))
#define hweight_long(w) hweight64(w)
#define get_count_order(count) ((count) <= 1 ? 0 : fls((unsigned int)(count) - 1))
#define get_count_order_long(l) ((l) <= 1 ? 0 : fls_long((unsigned long)(l) - 1))

static __always_inline u32 rol32(u32 word, unsigned int shift)
{
	return (word << (shift & 31)) | (word >> ((-shift) & 31));
}
static __always_inline u32 ror32(u32 word, unsigned int shift)
{
	return (word >> (shift & 31)) | (word << ((-shift) & 31));
}
static __always_inline u64 rol64(u64 word, unsigned int shift)
{
	return (word << (shift & 63)) | (word >> ((-shift) & 63));
}
static __always_inline u64 ror64(u64 word, unsigned int shift)
{
	return (word >> (shift & 63)) | (word << ((-shift) & 63));
}
static __always_inline u16 rol16(u16 word, unsigned int shift)
{
	return (u16)((word << (shift & 15)) | (word >> ((-shift) & 15)));
}
static __always_inline u8 rol8(u8 word, unsigned int shift)
{
	return (u8)((word << (shift & 7)) | (word >> ((-shift) & 7)));
}
static __always_inline s32 sign_extend32(u32 value, int index)
{
	u8 shift = (u8)(31 - index);

	return (s32)(value << shift) >> shift;
}
static __always_inline s64 sign_extend64(u64 value, int index)
{
	u8 shift = (u8)(63 - index);

	return (s64)(value << shift) >> shift;
}

/* Searches over a bitmap of @size bits. */
static inline unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
					  unsigned long offset)
{
	return _find_next_bit(addr, size, offset);
}
static inline unsigned long find_next_zero_bit(const unsigned long *addr, unsigned long size,
					       unsigned long offset)
{
	return _find_next_zero_bit(addr, size, offset);
}
static inline unsigned long find_first_bit(const unsigned long *addr, unsigned long size)
{
	return _find_next_bit(addr, size, 0);
}
static inline unsigned long find_first_zero_bit(const unsigned long *addr, unsigned long size)
{
	return _find_next_zero_bit(addr, size, 0);
}
static inline unsigned long find_last_bit(const unsigned long *addr, unsigned long size)
{
	return _find_last_bit(addr, size);
}
static inline unsigned long find_next_and_bit(const unsigned long *addr1,
					      const unsigned long *addr2, unsigned long size,
					      unsigned long offset)
{
	return _find_next_and_bit(addr1, addr2, size, offset);
}

#define for_each_set_bit(bit, addr, size)                                      \
	for ((bit) = find_first_bit((addr), (size)); (bit) < (size);          \
	     (bit) = find_next_bit((addr), (size), (bit) + 1))
#define for_each_set_bit_from(bit, addr, size)                                 \
	for ((bit) = find_next_bit((addr), (size), (bit)); (bit) < (size);    \
	     (bit) = find_next_bit((addr), (size), (bit) + 1))
#define for_each_clear_bit(bit, addr, size)                                    \
	for ((bit) = find_first_zero_bit((addr), (size)); (bit) < (size);     \
	     (bit) = find_next_zero_bit((addr), (size), (bit) + 1))
#define for_each_clear_bit_from(bit, addr, size)                               \
	for ((bit) = find_next_zero_bit((addr), (size), (bit)); (bit) < (size); \
	     (bit) = find_next_zero_bit((addr), (size), (bit) + 1))

#endif /* _LINUX_BITOPS_H */
