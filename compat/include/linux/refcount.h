/* SPDX-License-Identifier: MIT */
/*
 * linux/refcount.h - reference counters that refuse to wrap.
 *
 * As Linux's: an increment from 0 (use after free), an overflow, or a decrement below 0
 * saturates the counter at REFCOUNT_SATURATED (the object is leaked, never freed twice) and
 * WARNs once per boot with the kernel's "refcount_t: ..." message, reported from
 * refcount_warn_saturate. A saturated counter stays saturated.
 * *_and_test return true when the count reached 0: the decrement is a release, and the
 * operation that returns true an acquire, so the last owner sees every earlier owner's
 * writes before freeing. refcount_inc_not_zero() and friends are relaxed except on success
 * (a control dependency orders later stores).
 */
#ifndef _LINUX_REFCOUNT_H
#define _LINUX_REFCOUNT_H

#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/limits.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/types.h>

typedef struct refcount_struct {
	atomic_t refs;
} refcount_t;

#define REFCOUNT_INIT(n) { .refs = ATOMIC_INIT(n), }
#define REFCOUNT_MAX INT_MAX
#define REFCOUNT_SATURATED (INT_MIN / 2)

enum refcount_saturation_type {
	REFCOUNT_ADD_NOT_ZERO_OVF,
	REFCOUNT_ADD_OVF,
	REFCOUNT_ADD_UAF,
	REFCOUNT_SUB_UAF,
	REFCOUNT_DEC_LEAK,
};

__KTL_BEGIN_DECLS
/* Saturates @r and WARNs (once per boot per kind) with the kernel's message for @t. */
void refcount_warn_saturate(refcount_t *r, enum refcount_saturation_type t)
	__ktl_abi(refcount_warn_saturate);
__KTL_END_DECLS

/* Wrapping int arithmetic (the kernel builds with -fno-strict-overflow; modules may not). */
#define __ktl_refs_add(a, b) ((int)((unsigned int)(a) + (unsigned int)(b)))
#define __ktl_refs_sub(a, b) ((int)((unsigned int)(a) - (unsigned int)(b)))

static inline void refcount_set(refcount_t *r, int n)
{
	atomic_set(&r->refs, n);
}
static inline void refcount_set_release(refcount_t *r, int n)
{
	atomic_set_release(&r->refs, n);
}

static inline unsigned int refcount_read(const refcount_t *r)
{
	return (unsigned int)atomic_read(&r->refs);
}

/* Adds @i unless the count is 0; Return: false if it was 0 (nothing added). */
static inline bool __must_check __refcount_add_not_zero(int i, refcount_t *r, int *oldp)
{
	int old = atomic_read(&r->refs);

	do {
		if (!old)
			break;
	} while (!atomic_try_cmpxchg_relaxed(&r->refs, &old, __ktl_refs_add(old, i)));
	if (oldp)
		*oldp = old;
	if (unlikely(old < 0 || __ktl_refs_add(old, i) < 0))
		refcount_warn_saturate(r, REFCOUNT_ADD_NOT_ZERO_OVF);
	return old != 0;
}
static inline bool __must_check refcount_add_not_zero(int i, refcount_t *r)
{
	return __refcount_add_not_zero(i, r, NULL);
}
static inline bool __must_check refcount_inc_not_zero(refcount_t *r)
{
	return __refcount_add_not_zero(1, r, NULL);
}

static inline void __refcount_add(int i, refcount_t *r, int *oldp)
{
	int old = atomic_fetch_add_relaxed(i, &r->refs);

	if (oldp)
		*oldp = old;
	if (unlikely(!old))
		refcount_warn_saturate(r, REFCOUNT_ADD_UAF);
	else if (unlikely(old < 0 || __ktl_refs_add(old, i) < 0))
		refcount_warn_saturate(r, REFCOUNT_ADD_OVF);
}
static inline void refcount_add(int i, refcount_t *r)
{
	__refcount_add(i, r, NULL);
}
static inline void refcount_inc(refcount_t *r)
{
	__refcount_add(1, r, NULL);
}

static inline bool __must_check __refcount_sub_and_test(int i, refcount_t *r, int *oldp)
{
	int old = atomic_fetch_sub_release(i, &r->refs);

	if (oldp)
		*oldp = old;
	if (old == i) {
		smp_acquire__after_ctrl_dep();
		return true;
	}
	if (unlikely(old < 0 || __ktl_refs_sub(old, i) < 0))
		refcount_warn_saturate(r, REFCOUNT_SUB_UAF);
	return false;
}
/* Subtracts @i; Return: true if the count reached 0 (the caller frees the object). */
static inline bool __must_check refcount_sub_and_test(int i, refcount_t *r)
{
	return __refcount_sub_and_test(i, r, NULL);
}
static inline bool __must_check refcount_dec_and_test(refcount_t *r)
{
	return __refcount_sub_and_test(1, r, NULL);
}

/* A decrement that must not reach 0 (WARNs "decrement hit 0; leaking memory" if it does). */
static inline void refcount_dec(refcount_t *r)
{
	if (unlikely(atomic_fetch_sub_release(1, &r->refs) <= 1))
		refcount_warn_saturate(r, REFCOUNT_DEC_LEAK);
}

/* Sets the count to 0 if it is 1; Return: true if it did. */
static inline bool __must_check refcount_dec_if_one(refcount_t *r)
{
	int val = 1;

	return atomic_try_cmpxchg_release(&r->refs, &val, 0);
}

/* Decrements unless that would reach 0; Return: false (nothing done) if the count is 1. */
static inline bool __must_check refcount_dec_not_one(refcount_t *r)
{
	int old = atomic_read(&r->refs);

	do {
		if (unlikely(old == REFCOUNT_SATURATED))
			return true;
		if (old == 1)
			return false;
		if (unlikely(old <= 0)) {
			refcount_warn_saturate(r, REFCOUNT_SUB_UAF);
			return true;
		}
	} while (!atomic_try_cmpxchg_release(&r->refs, &old, old - 1));
	return true;
}

/* refcount_dec_and_test(), taking @lock when (and only when) it returns true. */
static inline bool __must_check refcount_dec_and_lock(refcount_t *r, spinlock_t *lock)
{
	if (refcount_dec_not_one(r))
		return false;
	spin_lock(lock);
	if (!refcount_dec_and_test(r)) {
		spin_unlock(lock);
		return false;
	}
	return true;
}

static inline bool __must_check refcount_dec_and_lock_irqsave(refcount_t *r, spinlock_t *lock,
							     unsigned long *flags)
{
	if (refcount_dec_not_one(r))
		return false;
	spin_lock_irqsave(lock, *flags);
	if (!refcount_dec_and_test(r)) {
		spin_unlock_irqrestore(lock, *flags);
		return false;
	}
	return true;
}

/* refcount_dec_and_test(), taking @lock (a mutex) when (and only when) it returns true. */
static inline bool __must_check refcount_dec_and_mutex_lock(refcount_t *r, struct mutex *lock)
{
	if (refcount_dec_not_one(r))
		return false;
	mutex_lock(lock);
	if (!refcount_dec_and_test(r)) {
		mutex_unlock(lock);
		return false;
	}
	return true;
}

#endif /* _LINUX_REFCOUNT_H */
