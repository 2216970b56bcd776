/* SPDX-License-Identifier: MIT */
/*
 * linux/prandom.h - the kernel's seeded pseudo-random generator (not for secrets).
 *
 * struct rnd_state is a four-word Tausworthe generator (L'Ecuyer's taus113, as
 * lib/random32.c): the same seed gives the same sequence, on every run and every machine,
 * and the same numbers as Linux's prandom_u32_state() for a state seeded the same way.
 * The state is the caller's: serialise concurrent users yourself.
 */
#ifndef _LINUX_PRANDOM_H
#define _LINUX_PRANDOM_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/random.h>

struct rnd_state {
	__u32 s1, s2, s3, s4;
};

__KTL_BEGIN_DECLS
/* The next 32 pseudo-random bits of @state. */
u32 prandom_u32_state(struct rnd_state *state) __ktl_abi(prandom_u32_state);
/* Fills @bytes bytes at @buf from @state. */
void prandom_bytes_state(struct rnd_state *state, void *buf, size_t nbytes)
	__ktl_abi(prandom_bytes_state);
__KTL_END_DECLS

/* Each word has a lower bound below which the generator degenerates. */
static inline u32 __seed(u32 x, u32 m)
{
	return (x < m) ? x + m : x;
}

/* Seeds @state from @seed: equal seeds give equal sequences. */
static inline void prandom_seed_state(struct rnd_state *state, u64 seed)
{
	u32 i = (u32)(((seed >> 32) ^ (seed << 10) ^ seed) & 0xffffffffUL);

	state->s1 = __seed(i, 2U);
	state->s2 = __seed(i, 8U);
	state->s3 = __seed(i, 16U);
	state->s4 = __seed(i, 128U);
}

/* A 32-bit mixing step, as the kernel's next_pseudo_random32(). */
static inline u32 next_pseudo_random32(u32 seed)
{
	return seed * 1664525 + 1013904223;
}

#endif /* _LINUX_PRANDOM_H */
