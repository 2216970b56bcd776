/* SPDX-License-Identifier: MIT */
/*
 * asm/barrier.h - memory barriers (C11 fences; the kernel's memory model maps onto them
 * on x86 and arm64).
 *
 * smp_mb() orders everything; smp_rmb() loads before later loads; smp_wmb() stores before
 * later stores. smp_load_acquire()/smp_store_release() pair as their names say.
 * smp_mb__before_atomic()/smp_mb__after_atomic() give full ordering to the void atomic
 * operations (atomic_inc, set_bit, ...), which are relaxed.
 */
#ifndef _ASM_BARRIER_H
#define _ASM_BARRIER_H

#include <linux/compiler.h>
#include <asm/processor.h>

#define mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define dma_rmb() rmb()
#define dma_wmb() wmb()

#define smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define __smp_mb() smp_mb()
#define __smp_rmb() smp_rmb()
#define __smp_wmb() smp_wmb()

#define smp_mb__before_atomic() smp_mb()
#define smp_mb__after_atomic() smp_mb()
#define smp_mb__after_spinlock() smp_mb()
#define smp_mb__after_unlock_lock() smp_mb()
#define smp_acquire__after_ctrl_dep() smp_rmb()

#define smp_store_mb(var, value)                                       \
	do {                                                           \
		WRITE_ONCE(var, value);                                \
		smp_mb();                                              \
	} while (0)

#define smp_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)                                        \
	do {                                                           \
		__typeof__(*(p)) __ssr_v = (v);                        \
		__atomic_store_n((p), __ssr_v, __ATOMIC_RELEASE);      \
	} while (0)

/* Spins (with cpu_relax) until @cond_expr, which reads VAL, holds; evaluates to VAL. */
#define smp_cond_load_relaxed(ptr, cond_expr)                          \
	({                                                             \
		__typeof__(ptr) __PTR = (ptr);                         \
		__typeof__(*(ptr)) VAL;                                \
		for (;;) {                                             \
			VAL = READ_ONCE(*__PTR);                       \
			if (cond_expr)                                 \
				break;                                 \
			cpu_relax();                                   \
		}                                                      \
		VAL;                                                   \
	})
#define smp_cond_load_acquire(ptr, cond_expr)                          \
	({                                                             \
		__typeof__(*(ptr)) __scla_val = smp_cond_load_relaxed(ptr, cond_expr); \
		smp_acquire__after_ctrl_dep();                         \
		__scla_val;                                            \
	})

#endif /* _ASM_BARRIER_H */
