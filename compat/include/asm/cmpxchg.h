/* SPDX-License-Identifier: MIT */
/*
 * asm/cmpxchg.h - xchg() and cmpxchg() on plain variables (1, 2, 4 or 8 bytes).
 *
 * cmpxchg(ptr, old, new) stores @new if *@ptr == @old and evaluates to the value it found
 * (== @old on success). try_cmpxchg(ptr, &old, new) returns true on success and otherwise
 * updates old to the value found. The plain forms are fully ordered.
 */
#ifndef _ASM_CMPXCHG_H
#define _ASM_CMPXCHG_H

#include <linux/compiler.h>

#define __ktl_xchg(ptr, x, order) __atomic_exchange_n((ptr), (x), order)
#define __ktl_cmpxchg(ptr, o, n, order, forder)                                        \
	({                                                                             \
		__typeof__(*(ptr)) __cx_old = (o);                                     \
		__atomic_compare_exchange_n((ptr), &__cx_old, (n), 0, order, forder);  \
		__cx_old;                                                              \
	})
#define __ktl_try_cmpxchg(ptr, oldp, n, order, forder) \
	__atomic_compare_exchange_n((ptr), (oldp), (n), 0, order, forder)

#define xchg(ptr, x) __ktl_xchg(ptr, x, __ATOMIC_SEQ_CST)
#define xchg_relaxed(ptr, x) __ktl_xchg(ptr, x, __ATOMIC_RELAXED)
#define xchg_acquire(ptr, x) __ktl_xchg(ptr, x, __ATOMIC_ACQUIRE)
#define xchg_release(ptr, x) __ktl_xchg(ptr, x, __ATOMIC_RELEASE)

#define cmpxchg(ptr, o, n) __ktl_cmpxchg(ptr, o, n, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define cmpxchg_relaxed(ptr, o, n) __ktl_cmpxchg(ptr, o, n, __ATOMIC_RELAXED, __ATOMIC_RELAXED)
#define cmpxchg_acquire(ptr, o, n) __ktl_cmpxchg(ptr, o, n, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)
#define cmpxchg_release(ptr, o, n) __ktl_cmpxchg(ptr, o, n, __ATOMIC_RELEASE, __ATOMIC_RELAXED)
#define cmpxchg64(ptr, o, n) cmpxchg(ptr, o, n)
#define cmpxchg64_relaxed(ptr, o, n) cmpxchg_relaxed(ptr, o, n)
#define cmpxchg_local(ptr, o, n) cmpxchg(ptr, o, n)
#define cmpxchg64_local(ptr, o, n) cmpxchg(ptr, o, n)

#define try_cmpxchg(ptr, oldp, n) \
	__ktl_try_cmpxchg(ptr, oldp, n, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define try_cmpxchg_relaxed(ptr, oldp, n) \
	__ktl_try_cmpxchg(ptr, oldp, n, __ATOMIC_RELAXED, __ATOMIC_RELAXED)
#define try_cmpxchg_acquire(ptr, oldp, n) \
	__ktl_try_cmpxchg(ptr, oldp, n, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)
#define try_cmpxchg_release(ptr, oldp, n) \
	__ktl_try_cmpxchg(ptr, oldp, n, __ATOMIC_RELEASE, __ATOMIC_RELAXED)
#define try_cmpxchg64(ptr, oldp, n) try_cmpxchg(ptr, oldp, n)

#endif /* _ASM_CMPXCHG_H */
