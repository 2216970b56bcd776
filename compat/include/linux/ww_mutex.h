/* SPDX-License-Identifier: MIT */
/*
 * linux/ww_mutex.h - wound/wait mutexes: taking a set of locks in any order without
 * deadlock.
 *
 * Each acquisition context (struct ww_acquire_ctx, one per attempt to take a set of locks)
 * gets a ticket from its class at ww_acquire_init(): a lower ticket is older. When two
 * contexts contend, the younger one backs off:
 *   - wait-die classes (DEFINE_WD_CLASS): a context that holds locks and finds a lock held
 *     by an older context gets -EDEADLK at once ("dies"); an older one waits;
 *   - wound-wait classes (DEFINE_WW_CLASS): an older context that finds a lock held by a
 *     younger one marks the younger "wounded" and waits; the wounded context gets -EDEADLK
 *     at its next contended lock (or at once, if it is waiting), once it holds locks.
 * On -EDEADLK the caller unlocks everything it holds in this context, then takes the
 * contended lock with ww_mutex_lock_slow() (which waits and cannot fail), and retries the
 * rest. Locking a lock the context already holds returns -EALREADY.
 *
 *   ww_acquire_init(&ctx, &my_class);
 * retry:
 *   ret = ww_mutex_lock(&a->lock, &ctx);          // 0, -EDEADLK or -EALREADY
 *   ...
 *   ww_acquire_done(&ctx);  ...  ww_mutex_unlock(&a->lock); ...  ww_acquire_fini(&ctx);
 *
 * With a NULL context, ww_mutex_lock() is a plain mutex_lock() (never -EDEADLK).
 * Context: task (these sleep).
 */
#ifndef _LINUX_WW_MUTEX_H
#define _LINUX_WW_MUTEX_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>

struct task_struct;

struct ww_class {
	atomic_long_t stamp;           /* the last ticket handed out */
	struct lock_class_key acquire_key;
	struct lock_class_key mutex_key;
	const char *acquire_name;
	const char *mutex_name;
	unsigned int is_wait_die;
};

struct ww_acquire_ctx {
	struct task_struct *task;
	unsigned long stamp;           /* the ticket: lower is older */
	unsigned int acquired;         /* locks held in this context */
	unsigned short wounded;        /* wound-wait: an older context wants a lock we hold */
	unsigned short is_wait_die;
	struct ww_class *ww_class;
	struct ww_mutex *contending_lock; /* the lock that returned -EDEADLK */
	void *__ktl_waiting_on;        /* the lock this context sleeps on, if any */
	unsigned int __ktl_done;       /* ww_acquire_done() was called */
};

struct ww_mutex {
	struct mutex base;
	struct ww_acquire_ctx *ctx;    /* the holder's context (NULL: none, or a plain lock) */
	struct ww_class *ww_class;
};

#define __WW_CLASS_INITIALIZER(ww_class, _is_wait_die)                          \
	{                                                                       \
		.stamp = ATOMIC_LONG_INIT(0),                                   \
		.acquire_key = { 0 },                                           \
		.mutex_key = { 0 },                                             \
		.acquire_name = #ww_class "_acquire",                           \
		.mutex_name = #ww_class "_mutex",                               \
		.is_wait_die = _is_wait_die,                                    \
	}
#define DEFINE_WD_CLASS(classname) \
	struct ww_class classname = __WW_CLASS_INITIALIZER(classname, 1)
#define DEFINE_WW_CLASS(classname) \
	struct ww_class classname = __WW_CLASS_INITIALIZER(classname, 0)

#define __WW_MUTEX_INITIALIZER(lockname, class)                                 \
	{                                                                       \
		.base = __MUTEX_INITIALIZER(lockname.base),                     \
		.ctx = NULL,                                                    \
		.ww_class = &(class),                                           \
	}
#define DEFINE_WW_MUTEX(mutexname, ww_class) \
	struct ww_mutex mutexname = __WW_MUTEX_INITIALIZER(mutexname, ww_class)

__KTL_BEGIN_DECLS
void ww_mutex_init(struct ww_mutex *lock, struct ww_class *ww_class) __ktl_abi(ww_mutex_init);
/* Starts an acquisition context: takes the next ticket of @ww_class. */
void ww_acquire_init(struct ww_acquire_ctx *ctx, struct ww_class *ww_class)
	__ktl_abi(ww_acquire_init);
/* No more locks will be taken in @ctx (only unlocks follow). */
void ww_acquire_done(struct ww_acquire_ctx *ctx) __ktl_abi(ww_acquire_done);
/* Ends @ctx; every lock must have been unlocked (WARNs otherwise). */
void ww_acquire_fini(struct ww_acquire_ctx *ctx) __ktl_abi(ww_acquire_fini);
/**
 * ww_mutex_lock - take @lock in context @ctx
 * Return: 0 (taken); -EALREADY if @ctx already holds it; -EDEADLK when @ctx must back off
 * (unlock all, then ww_mutex_lock_slow() on @lock).
 */
int __must_check ww_mutex_lock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx)
	__ktl_abi(ww_mutex_lock);
/* ww_mutex_lock() that also returns -EINTR on a signal (lock not taken). */
int __must_check ww_mutex_lock_interruptible(struct ww_mutex *lock, struct ww_acquire_ctx *ctx)
	__ktl_abi(ww_mutex_lock_interruptible);
/*
 * ww_mutex_lock_slow - take the contended lock after backing off (@ctx holds nothing):
 * waits until it is free, never fails.
 */
void ww_mutex_lock_slow(struct ww_mutex *lock, struct ww_acquire_ctx *ctx)
	__ktl_abi(ww_mutex_lock_slow);
int __must_check ww_mutex_lock_slow_interruptible(struct ww_mutex *lock,
						  struct ww_acquire_ctx *ctx)
	__ktl_abi(ww_mutex_lock_slow_interruptible);
/* Return: 1 if taken (then held in @ctx, which may be NULL), 0 if not. Never waits. */
int ww_mutex_trylock(struct ww_mutex *lock, struct ww_acquire_ctx *ctx)
	__ktl_abi(ww_mutex_trylock);
void ww_mutex_unlock(struct ww_mutex *lock) __ktl_abi(ww_mutex_unlock);
void ww_mutex_destroy(struct ww_mutex *lock) __ktl_abi(ww_mutex_destroy);
__KTL_END_DECLS

static inline bool ww_mutex_is_locked(struct ww_mutex *lock)
{
	return mutex_is_locked(&lock->base);
}

#endif /* _LINUX_WW_MUTEX_H */
