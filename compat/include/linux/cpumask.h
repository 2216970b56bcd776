/* SPDX-License-Identifier: MIT */
/*
 * linux/cpumask.h - sets of vCPUs.
 *
 * struct cpumask is ktl::cpumask bit for bit: NR_CPUS (256) bits in four unsigned longs,
 * vCPU n at bit n % 64 of word n / 64 (compat/src/sched.cc asserts the layout). Only the
 * first nr_cpu_ids bits (the vCPUs the machine was booted with) are ever set in ktl's own
 * masks; the iterators and cpumask_first()/cpumask_next() return nr_cpu_ids (or more) when
 * no further vCPU is set, so `cpu < nr_cpu_ids` ends a loop as on Linux.
 *
 * cpu_online_mask and cpu_possible_mask point at ktl's live masks: CPU hotplug changes the
 * online one while you read it (hold cpus_read_lock() from <linux/cpu.h> for a stable view).
 * The word reads are relaxed atomics, as the kernel's READ_ONCE-based bitmap tests.
 * cpumask_var_t is the !CONFIG_CPUMASK_OFFSTACK kind: an array of one mask, whose
 * alloc_cpumask_var() always succeeds.
 */
#ifndef _LINUX_CPUMASK_H
#define _LINUX_CPUMASK_H

#include <linux/compiler.h>
#include <linux/types.h>

#define NR_CPUS 256
#define CONFIG_NR_CPUS NR_CPUS

typedef struct cpumask {
	unsigned long bits[NR_CPUS / 64];
} cpumask_t;

typedef struct cpumask cpumask_var_t[1];

__KTL_LAYOUT(sizeof(struct cpumask) == 32 && __alignof__(struct cpumask) == 8);

#define cpumask_bits(maskp) ((maskp)->bits)
#define nr_cpumask_bits ((unsigned int)NR_CPUS)
#define small_cpumask_bits nr_cpumask_bits
#define large_cpumask_bits nr_cpumask_bits
#define cpumask_size() sizeof(struct cpumask)
/* For "%*pbl" (a CPU list, "0-3") and "%*pb" (hex). */
#define cpumask_pr_args(maskp) nr_cpu_ids, cpumask_bits(maskp)

__KTL_BEGIN_DECLS
/* The number of vCPUs the machine has (possible ones), i.e. one more than the highest id. */
unsigned int __ktl_nr_cpu_ids(void) __ktl_abi(nr_cpu_ids);
const struct cpumask *__ktl_cpu_online_mask(void) __ktl_abi(cpu_online_mask);
const struct cpumask *__ktl_cpu_possible_mask(void) __ktl_abi(cpu_possible_mask);
const struct cpumask *__ktl_cpu_all_mask(void) __ktl_abi(cpu_all_mask);
/* A constant mask holding @cpu alone (cpumask_of). */
const struct cpumask *get_cpu_mask(unsigned int cpu) __ktl_abi(get_cpu_mask);
unsigned int num_online_cpus(void) __ktl_abi(num_online_cpus);
__KTL_END_DECLS

#define nr_cpu_ids (__ktl_nr_cpu_ids())
#define cpu_online_mask (__ktl_cpu_online_mask())
#define cpu_possible_mask (__ktl_cpu_possible_mask())
#define cpu_present_mask cpu_possible_mask
#define cpu_active_mask cpu_online_mask
#define cpu_all_mask (__ktl_cpu_all_mask())
#define cpumask_of(cpu) (get_cpu_mask(cpu))

static __always_inline unsigned long __ktl_cpumask_word(const struct cpumask *m, unsigned int i)
{
	return __atomic_load_n(&m->bits[i], __ATOMIC_RELAXED);
}

/* The first set bit at or after @start, or NR_CPUS. */
static inline unsigned int __ktl_cpumask_find(const struct cpumask *m, unsigned int start)
{
	unsigned int i = start;

	while (i < NR_CPUS) {
		unsigned long w = __ktl_cpumask_word(m, i / 64) >> (i % 64);

		if (w)
			return i + (unsigned int)__builtin_ctzl(w);
		i = (i | 63) + 1;
	}
	return NR_CPUS;
}

static inline unsigned int __ktl_cpumask_clamp(unsigned int cpu)
{
	unsigned int ids = nr_cpu_ids;

	return cpu < ids ? cpu : ids;
}

static inline bool cpumask_test_cpu(int cpu, const struct cpumask *cpumask)
{
	if ((unsigned int)cpu >= NR_CPUS)
		return false;
	return (__ktl_cpumask_word(cpumask, (unsigned int)cpu / 64) >> ((unsigned int)cpu % 64)) & 1;
}

/* The set/clear operations are atomic on their word, as set_bit()/clear_bit(). */
static inline void cpumask_set_cpu(unsigned int cpu, struct cpumask *dstp)
{
	__atomic_fetch_or(&dstp->bits[cpu / 64], 1UL << (cpu % 64), __ATOMIC_RELAXED);
}

static inline void cpumask_clear_cpu(int cpu, struct cpumask *dstp)
{
	__atomic_fetch_and(&dstp->bits[(unsigned int)cpu / 64], ~(1UL << ((unsigned int)cpu % 64)),
			   __ATOMIC_RELAXED);
}

static inline bool cpumask_test_and_set_cpu(int cpu, struct cpumask *cpumask)
{
	unsigned long bit = 1UL << ((unsigned int)cpu % 64);

	return __atomic_fetch_or(&cpumask->bits[(unsigned int)cpu / 64], bit, __ATOMIC_SEQ_CST) & bit;
}

static inline bool cpumask_test_and_clear_cpu(int cpu, struct cpumask *cpumask)
{
	unsigned long bit = 1UL << ((unsigned int)cpu % 64);

	return __atomic_fetch_and(&cpumask->bits[(unsigned int)cpu / 64], ~bit, __ATOMIC_SEQ_CST) & bit;
}

/* The non-atomic forms (the mask is private to the caller). */
static inline void __cpumask_set_cpu(unsigned int cpu, struct cpumask *dstp)
{
	dstp->bits[cpu / 64] |= 1UL << (cpu % 64);
}

static inline void __cpumask_clear_cpu(int cpu, struct cpumask *dstp)
{
	dstp->bits[(unsigned int)cpu / 64] &= ~(1UL << ((unsigned int)cpu % 64));
}

static inline void cpumask_clear(struct cpumask *dstp)
{
	unsigned int i;

	for (i = 0; i < NR_CPUS / 64; i++)
		dstp->bits[i] = 0;
}

/* Every vCPU below nr_cpu_ids. */
static inline void cpumask_setall(struct cpumask *dstp)
{
	unsigned int cpu, ids = nr_cpu_ids;

	cpumask_clear(dstp);
	for (cpu = 0; cpu < ids; cpu++)
		__cpumask_set_cpu(cpu, dstp);
}

static inline void cpumask_copy(struct cpumask *dstp, const struct cpumask *srcp)
{
	unsigned int i;

	for (i = 0; i < NR_CPUS / 64; i++)
		dstp->bits[i] = __ktl_cpumask_word(srcp, i);
}

/* *dstp = *src1p & *src2p; true if the result is not empty. */
static inline bool cpumask_and(struct cpumask *dstp, const struct cpumask *src1p,
			       const struct cpumask *src2p)
{
	unsigned long any = 0;
	unsigned int i;

	for (i = 0; i < NR_CPUS / 64; i++)
		any |= dstp->bits[i] = __ktl_cpumask_word(src1p, i) & __ktl_cpumask_word(src2p, i);
	return any != 0;
}

static inline void cpumask_or(struct cpumask *dstp, const struct cpumask *src1p,
			      const struct cpumask *src2p)
{
	unsigned int i;

	for (i = 0; i < NR_CPUS / 64; i++)
		dstp->bits[i] = __ktl_cpumask_word(src1p, i) | __ktl_cpumask_word(src2p, i);
}

static inline void cpumask_xor(struct cpumask *dstp, const struct cpumask *src1p,
			       const struct cpumask *src2p)
{
	unsigned int i;

	for (i = 0; i < NR_CPUS / 64; i++)
		dstp->bits[i] = __ktl_cpumask_word(src1p, i) ^ __ktl_cpumask_word(src2p, i);
}

/* *dstp = *src1p & ~*src2p; true if the result is not empty. */
static inline bool cpumask_andnot(struct cpumask *dstp, const struct cpumask *src1p,
				  const struct cpumask *src2p)
{
	unsigned long any = 0;
	unsigned int i;

	for (i = 0; i < NR_CPUS / 64; i++)
		any |= dstp->bits[i] = __ktl_cpumask_word(src1p, i) & ~__ktl_cpumask_word(src2p, i);
	return any != 0;
}

static inline bool cpumask_equal(const struct cpumask *src1p, const struct cpumask *src2p)
{
	unsigned int i;

	for (i = 0; i < NR_CPUS / 64; i++)
		if (__ktl_cpumask_word(src1p, i) != __ktl_cpumask_word(src2p, i))
			return false;
	return true;
}

static inline bool cpumask_intersects(const struct cpumask *src1p, const struct cpumask *src2p)
{
	unsigned int i;

	for (i = 0; i < NR_CPUS / 64; i++)
		if (__ktl_cpumask_word(src1p, i) & __ktl_cpumask_word(src2p, i))
			return true;
	return false;
}

/* True if every vCPU of *src1p is in *src2p. */
static inline bool cpumask_subset(const struct cpumask *src1p, const struct cpumask *src2p)
{
	unsigned int i;

	for (i = 0; i < NR_CPUS / 64; i++)
		if (__ktl_cpumask_word(src1p, i) & ~__ktl_cpumask_word(src2p, i))
			return false;
	return true;
}

static inline bool cpumask_empty(const struct cpumask *srcp)
{
	unsigned int i;

	for (i = 0; i < NR_CPUS / 64; i++)
		if (__ktl_cpumask_word(srcp, i))
			return false;
	return true;
}

static inline unsigned int cpumask_weight(const struct cpumask *srcp)
{
	unsigned int i, w = 0;

	for (i = 0; i < NR_CPUS / 64; i++)
		w += (unsigned int)__builtin_popcountl(__ktl_cpumask_word(srcp, i));
	return w;
}

static inline unsigned int cpumask_weight_and(const struct cpumask *src1p,
					      const struct cpumask *src2p)
{
	unsigned int i, w = 0;

	for (i = 0; i < NR_CPUS / 64; i++)
		w += (unsigned int)__builtin_popcountl(__ktl_cpumask_word(src1p, i) &
						       __ktl_cpumask_word(src2p, i));
	return w;
}

/* True if every vCPU below nr_cpu_ids is set. */
static inline bool cpumask_full(const struct cpumask *srcp)
{
	return cpumask_weight(srcp) >= nr_cpu_ids;
}

/* The first vCPU in the mask, or nr_cpu_ids if it is empty. */
static inline unsigned int cpumask_first(const struct cpumask *srcp)
{
	return __ktl_cpumask_clamp(__ktl_cpumask_find(srcp, 0));
}

/* The next vCPU after @n (-1: the first), or nr_cpu_ids if there is none. */
static inline unsigned int cpumask_next(int n, const struct cpumask *srcp)
{
	return __ktl_cpumask_clamp(__ktl_cpumask_find(srcp, (unsigned int)(n + 1)));
}

/* The first vCPU not in the mask, or nr_cpu_ids. */
static inline unsigned int cpumask_first_zero(const struct cpumask *srcp)
{
	unsigned int cpu, ids = nr_cpu_ids;

	for (cpu = 0; cpu < ids; cpu++)
		if (!cpumask_test_cpu((int)cpu, srcp))
			break;
	return cpu;
}

static inline unsigned int cpumask_first_and(const struct cpumask *src1p,
					     const struct cpumask *src2p)
{
	unsigned int cpu = __ktl_cpumask_find(src1p, 0);

	while (cpu < NR_CPUS && !cpumask_test_cpu((int)cpu, src2p))
		cpu = __ktl_cpumask_find(src1p, cpu + 1);
	return __ktl_cpumask_clamp(cpu);
}

/* The highest vCPU in the mask, or nr_cpu_ids if it is empty. */
static inline unsigned int cpumask_last(const struct cpumask *srcp)
{
	int i;

	for (i = NR_CPUS / 64 - 1; i >= 0; i--) {
		unsigned long w = __ktl_cpumask_word(srcp, (unsigned int)i);

		if (w)
			return __ktl_cpumask_clamp((unsigned int)i * 64 + 63 -
						   (unsigned int)__builtin_clzl(w));
	}
	return nr_cpu_ids;
}

/* Any vCPU of the mask other than @cpu, or nr_cpu_ids. */
static inline unsigned int cpumask_any_but(const struct cpumask *mask, unsigned int cpu)
{
	unsigned int i = cpumask_first(mask);

	if (i != cpu)
		return i;
	return cpumask_next((int)cpu, mask);
}

#define cpumask_any(srcp) cpumask_first(srcp)
#define cpumask_any_and(src1p, src2p) cpumask_first_and((src1p), (src2p))

#define for_each_cpu(cpu, mask)                                                 \
	for ((cpu) = cpumask_next(-1, (mask)); (unsigned int)(cpu) < nr_cpu_ids; \
	     (cpu) = cpumask_next((int)(cpu), (mask)))
#define for_each_cpu_and(cpu, mask1, mask2)                                     \
	for_each_cpu(cpu, mask1)                                                \
		if (!cpumask_test_cpu((int)(cpu), (mask2))) {                   \
		} else
#define for_each_cpu_andnot(cpu, mask1, mask2)                                  \
	for_each_cpu(cpu, mask1)                                                \
		if (cpumask_test_cpu((int)(cpu), (mask2))) {                    \
		} else
#define for_each_possible_cpu(cpu) for_each_cpu((cpu), cpu_possible_mask)
#define for_each_online_cpu(cpu) for_each_cpu((cpu), cpu_online_mask)
#define for_each_present_cpu(cpu) for_each_cpu((cpu), cpu_present_mask)

#define num_possible_cpus() nr_cpu_ids
#define num_present_cpus() nr_cpu_ids
#define num_active_cpus() num_online_cpus()
#define cpu_online(cpu) cpumask_test_cpu((cpu), cpu_online_mask)
#define cpu_possible(cpu) cpumask_test_cpu((cpu), cpu_possible_mask)
#define cpu_present(cpu) cpu_possible(cpu)
#define cpu_active(cpu) cpu_online(cpu)
#define cpu_is_offline(cpu) unlikely(!cpu_online(cpu))

static inline bool alloc_cpumask_var(cpumask_var_t *mask, gfp_t flags)
{
	(void)mask;
	(void)flags;
	return true;
}

static inline bool zalloc_cpumask_var(cpumask_var_t *mask, gfp_t flags)
{
	(void)flags;
	cpumask_clear(*mask);
	return true;
}

static inline bool alloc_cpumask_var_node(cpumask_var_t *mask, gfp_t flags, int node)
{
	(void)node;
	return alloc_cpumask_var(mask, flags);
}

static inline bool zalloc_cpumask_var_node(cpumask_var_t *mask, gfp_t flags, int node)
{
	(void)node;
	return zalloc_cpumask_var(mask, flags);
}

static inline void free_cpumask_var(cpumask_var_t mask)
{
	(void)mask;
}

static inline bool cpumask_available(cpumask_var_t mask)
{
	(void)mask;
	return true;
}

#endif /* _LINUX_CPUMASK_H */
