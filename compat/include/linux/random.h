/* SPDX-License-Identifier: MIT */
/*
 * linux/random.h - random numbers.
 *
 * On the real machine they come from the host's entropy; on the simulation machine they are
 * drawn from the run's seed, so a replayed seed sees the same numbers in the same order
 * (part of what makes a simulated run reproducible). Not for cryptographic use in either
 * case: ktl is a learning and prototyping kernel.
 * Context: any.
 */
#ifndef _LINUX_RANDOM_H
#define _LINUX_RANDOM_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/kernel.h>

__KTL_BEGIN_DECLS
void get_random_bytes(void *buf, size_t len) __ktl_abi(get_random_bytes);
u8 get_random_u8(void) __ktl_abi(get_random_u8);
u16 get_random_u16(void) __ktl_abi(get_random_u16);
u32 get_random_u32(void) __ktl_abi(get_random_u32);
u64 get_random_u64(void) __ktl_abi(get_random_u64);
/* Uniform in [0, @ceil) (0 for @ceil 0). */
u32 get_random_u32_below(u32 ceil) __ktl_abi(get_random_u32_below);
__KTL_END_DECLS

static inline unsigned long get_random_long(void)
{
	return (unsigned long)get_random_u64();
}
/* Uniform in (@floor, U32_MAX]. */
static inline u32 get_random_u32_above(u32 floor)
{
	return floor + 1 + get_random_u32_below(U32_MAX - floor);
}
/* Uniform in [@floor, @ceil]. */
static inline u32 get_random_u32_inclusive(u32 floor, u32 ceil)
{
	if (ceil - floor == U32_MAX)
		return get_random_u32();
	return floor + get_random_u32_below(ceil - floor + 1);
}
/* The names older kernels had. */
static inline unsigned int get_random_int(void)
{
	return get_random_u32();
}
static inline u32 prandom_u32(void)
{
	return get_random_u32();
}
static inline u32 prandom_u32_max(u32 ep_ro)
{
	return get_random_u32_below(ep_ro);
}
static inline void prandom_bytes(void *buf, size_t nbytes)
{
	get_random_bytes(buf, nbytes);
}
static inline int get_random_bytes_wait(void *buf, size_t nbytes)
{
	get_random_bytes(buf, nbytes);
	return 0;
}
static inline int wait_for_random_bytes(void)
{
	return 0;
}
static inline bool rng_is_initialized(void)
{
	return true;
}
static inline void add_device_randomness(const void *buf, size_t len)
{
	(void)buf;
	(void)len;
}
#define get_random_once(buf, nbytes) do { } while (0)

#endif /* _LINUX_RANDOM_H */
