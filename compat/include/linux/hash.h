/* SPDX-License-Identifier: MIT */
/*
 * linux/hash.h - multiplicative hashing into @bits bits (the kernel's golden-ratio hashes,
 * so tables hash as on Linux).
 */
#ifndef _LINUX_HASH_H
#define _LINUX_HASH_H

#include <linux/compiler.h>
#include <linux/types.h>

#define GOLDEN_RATIO_32 0x61C88647
#define GOLDEN_RATIO_64 0x61C8864680B583EBull
#define GOLDEN_RATIO_PRIME GOLDEN_RATIO_64

static inline u32 __hash_32(u32 val)
{
	return val * GOLDEN_RATIO_32;
}
/* @val hashed into @bits bits (1..32). */
static inline u32 hash_32(u32 val, unsigned int bits)
{
	return __hash_32(val) >> (32 - bits);
}
/* @val hashed into @bits bits (1..64 on this 64-bit kernel, results < 2^32 for bits <= 32). */
static __always_inline u32 hash_64(u64 val, unsigned int bits)
{
	return (u32)((val * GOLDEN_RATIO_64) >> (64 - bits));
}
#define hash_long(val, bits) hash_64((u64)(val), bits)
static inline u32 hash_ptr(const void *ptr, unsigned int bits)
{
	return hash_long((unsigned long)ptr, bits);
}
static inline u32 hash32_ptr(const void *ptr)
{
	unsigned long val = (unsigned long)ptr;

	return (u32)(val ^ (val >> 32));
}

#endif /* _LINUX_HASH_H */
