/* SPDX-License-Identifier: MIT */
/*
 * linux/percpu.h - per-CPU variables (<linux/percpu-defs.h>) and dynamic per-CPU areas.
 *
 *   struct stats { u64 packets, bytes; };
 *   struct stats __percpu *st = alloc_percpu(struct stats);
 *   this_cpu_ptr(st)->packets++;
 *   for_each_possible_cpu(cpu)
 *           total += per_cpu_ptr(st, cpu)->packets;
 *   free_percpu(st);
 *
 * An area has the layout of a static per-CPU variable (see <linux/percpu-defs.h>): a copy per
 * possible vCPU, each starting on its own cache line, vCPU n's at n * S bytes from vCPU 0's,
 * S being @size rounded up to a multiple of 64 (or of @align if larger). per_cpu_ptr() steps
 * by the size of its pointer's type, so use an area through a pointer to the type it was
 * allocated for (alloc_percpu(type) does that by construction). Every copy starts zeroed.
 * Areas are charged to the allocating module like kmalloc() blocks: one still allocated at
 * rmmod is reported as a leak.
 */
#ifndef _LINUX_PERCPU_H
#define _LINUX_PERCPU_H

#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/gfp_types.h>
#include <linux/percpu-defs.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/types.h>

#define PCPU_MIN_UNIT_SIZE (32 << 10)

struct module;

__KTL_BEGIN_DECLS
/*
 * __ktl_alloc_percpu_owned - allocate a zeroed per-CPU area
 * Context: task when @gfp allows sleeping (GFP_KERNEL), else any.
 * Return: vCPU 0's copy, or NULL (with a warning) for @size 0, an @align that is not a power
 * of two or is larger than a page, or when out of memory.
 */
void __percpu *__ktl_alloc_percpu_owned(size_t size, size_t align, gfp_t gfp,
					const struct module *owner)
	__ktl_abi(alloc_percpu_owned) __attribute__((__malloc__));
/* Frees an area from alloc_percpu() (NULL is ignored). Context: any. */
void free_percpu(void __percpu *pdata) __ktl_abi(free_percpu);
__KTL_END_DECLS

#define __alloc_percpu_gfp(size, align, gfp)                                    \
	__ktl_alloc_percpu_owned((size), (align), (gfp), __KTL_ALLOC_OWNER)
#define __alloc_percpu(size, align) __alloc_percpu_gfp((size), (align), GFP_KERNEL)
#define alloc_percpu_gfp(type, gfp)                                             \
	((__typeof__(type) __percpu *)__alloc_percpu_gfp(sizeof(type), __alignof__(type), (gfp)))
#define alloc_percpu(type) alloc_percpu_gfp(type, GFP_KERNEL)
#define alloc_percpu_noprof(type) alloc_percpu(type)

#define per_cpu_ptr_to_phys(...) __ktl_unsupported(per_cpu_ptr_to_phys)

#endif /* _LINUX_PERCPU_H */
