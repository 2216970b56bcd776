/* SPDX-License-Identifier: MIT */
/*
 * linux/timer.h - timer_list: a callback run once at a given jiffy.
 *
 * ktl's timers behave as Linux 6.x's:
 * - Each vCPU has a timer base. add_timer()/mod_timer() queue on the caller's vCPU (vCPU 0
 *   from a host thread) unless TIMER_PINNED keeps the timer where it was; add_timer_on()
 *   picks the vCPU. A pending timer that is modified stays on its base.
 * - The callback runs in softirq context on that vCPU (TIMER_SOFTIRQ): in_interrupt() and
 *   in_serving_softirq() are true, in_task() false, preempt_count() holds SOFTIRQ_OFFSET,
 *   and current is the task the vCPU was running (or its idle task). It must not sleep. It
 *   may re-arm its own timer with mod_timer().
 * - Expiry is exact to the jiffy: a timer with expires = E runs at the first tick where
 *   jiffies >= E (Linux may run long timers up to 12.5% late; ktl never does).
 *   TIMER_DEFERRABLE and TIMER_IRQSAFE are accepted and kept in .flags; they change nothing.
 * - timer_delete() does not wait for a running callback; timer_delete_sync() does (never
 *   call it from the timer's own callback or while holding a lock the callback takes).
 *   timer_shutdown*() also make later re-arming a silent no-op.
 * The old names del_timer(), del_timer_sync() and from_timer() (removed in Linux 6.15/6.16)
 * stay available as aliases. setup_timer() and init_timer() (removed in 4.15, callbacks taking
 * an unsigned long) are not: use timer_setup() and from_timer().
 */
#ifndef _LINUX_TIMER_H
#define _LINUX_TIMER_H

#include <asm/ktl-abi.h>
#include <linux/container_of.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* ktl::timer_list, field for field (compat/src/time.cc asserts the layout: 48 bytes). */
struct timer_list {
	struct {
		void *__ktl_next; /* != NULL <=> pending */
		void *__ktl_prev;
		unsigned long __ktl_expires;
	} entry;
	unsigned long expires;
	void (*function)(struct timer_list *);
	u32 flags; /* TIMER_* | the vCPU of the timer's base */
	bool __ktl_shutdown;
};

#define TIMER_CPUMASK 0x0003FFFF
#define TIMER_MIGRATING 0x00040000
#define TIMER_BASEMASK (TIMER_CPUMASK | TIMER_DEFERRABLE)
#define TIMER_DEFERRABLE 0x00080000
#define TIMER_PINNED 0x00100000
#define TIMER_IRQSAFE 0x00200000
#define TIMER_INIT_FLAGS (TIMER_DEFERRABLE | TIMER_PINNED | TIMER_IRQSAFE)
#define TIMER_ARRAYSHIFT 22
#define TIMER_ARRAYMASK 0xFFC00000

#define NEXT_TIMER_MAX_DELTA ((1UL << 30) - 1)

/* The same bytes ktl's C++ constructor gives a timer_list with this function and flags. */
#define __TIMER_INITIALIZER(_function, _flags)                                  \
	{                                                                       \
		.entry = { NULL, NULL, 0 }, .expires = 0,                      \
		.function = (_function), .flags = (_flags),                     \
		.__ktl_shutdown = false,                                        \
	}

#define DEFINE_TIMER(_name, _function)                                          \
	struct timer_list _name = __TIMER_INITIALIZER(_function, 0)

__KTL_BEGIN_DECLS

/**
 * timer_setup - prepare a timer for first use
 * @timer: the timer
 * @callback: the function to run, given @timer (recover the container with from_timer())
 * @flags: TIMER_DEFERRABLE, TIMER_PINNED, TIMER_IRQSAFE or 0
 *
 * Sets .function and .flags (@flags plus the calling vCPU, as Linux does) and marks the timer
 * not pending. It does not touch .expires: a value the caller stored there beforehand is what
 * a later add_timer() uses.
 *
 * Context: any. The timer must not be pending.
 */
void timer_setup(struct timer_list *timer, void (*callback)(struct timer_list *),
		 unsigned int flags) __ktl_abi(timer_setup);

/* Whether the timer is queued (its callback has not started yet). Context: any, lockless. */
int timer_pending(const struct timer_list *timer) __ktl_abi(timer_pending);

/* Queues an inactive timer to run at its .expires (WARNs if it is already pending). */
void add_timer(struct timer_list *timer) __ktl_abi(add_timer);
/* add_timer() on vCPU @cpu, which must be online. */
void add_timer_on(struct timer_list *timer, int cpu) __ktl_abi(add_timer_on);
/* add_timer() on this vCPU, pinned there. */
void add_timer_local(struct timer_list *timer) __ktl_abi(add_timer_local);
/* add_timer() on any vCPU (ktl: this one, not pinned). */
void add_timer_global(struct timer_list *timer) __ktl_abi(add_timer_global);

/**
 * mod_timer - (re)arm a timer to run at @expires
 *
 * Context: any, including the timer's own callback.
 * Return: 0 if the timer was inactive, 1 if it was pending (it now runs at @expires instead).
 */
int mod_timer(struct timer_list *timer, unsigned long expires) __ktl_abi(mod_timer);
/* mod_timer() for a pending timer only: 0 (and nothing done) if it was inactive. */
int mod_timer_pending(struct timer_list *timer, unsigned long expires) __ktl_abi(mod_timer_pending);
/* Moves a pending timer's expiry earlier only; arms an inactive one. Return: as mod_timer. */
int timer_reduce(struct timer_list *timer, unsigned long expires) __ktl_abi(timer_reduce);

/**
 * timer_delete - deactivate a timer without waiting for its callback
 *
 * Context: any. The callback may still be running on another vCPU when this returns.
 * Return: 1 if the timer was pending, 0 otherwise.
 */
int timer_delete(struct timer_list *timer) __ktl_abi(timer_delete);
/**
 * timer_delete_sync - deactivate a timer and wait until its callback is not running
 *
 * Context: a task or a timer/tasklet callback of another timer; never the timer's own callback
 * (that WARNs and returns), never under a lock the callback takes (a deadlock).
 * Return: 1 if the timer was pending, 0 otherwise.
 */
int timer_delete_sync(struct timer_list *timer) __ktl_abi(timer_delete_sync);
/* -1 if the callback is running right now (nothing done), else as timer_delete(). */
int timer_delete_sync_try(struct timer_list *timer) __ktl_abi(timer_delete_sync_try);
/* timer_delete() / timer_delete_sync(), and later re-arming is silently ignored. */
int timer_shutdown(struct timer_list *timer) __ktl_abi(timer_shutdown);
int timer_shutdown_sync(struct timer_list *timer) __ktl_abi(timer_shutdown_sync);

/*
 * round_jiffies() and friends round an absolute (or, _relative, a relative) timeout to a whole
 * second, skewed by 3 jiffies per vCPU, so that periodic timers of many sources expire
 * together; never into the past. The _up forms always round up.
 */
unsigned long round_jiffies(unsigned long j) __ktl_abi(round_jiffies);
unsigned long round_jiffies_relative(unsigned long j) __ktl_abi(round_jiffies_relative);
unsigned long round_jiffies_up(unsigned long j) __ktl_abi(round_jiffies_up);
unsigned long round_jiffies_up_relative(unsigned long j) __ktl_abi(round_jiffies_up_relative);
unsigned long __round_jiffies(unsigned long j, int cpu) __ktl_abi(__round_jiffies);
unsigned long __round_jiffies_relative(unsigned long j, int cpu)
	__ktl_abi(__round_jiffies_relative);

__KTL_END_DECLS

#define timer_setup_on_stack(timer, callback, flags) timer_setup(timer, callback, flags)
#define destroy_timer_on_stack(timer) ((void)(timer))

#define timer_container_of(var, callback_timer, timer_fieldname)                \
	container_of(callback_timer, __typeof__(*var), timer_fieldname)
#define from_timer(var, callback_timer, timer_fieldname)                        \
	timer_container_of(var, callback_timer, timer_fieldname)

#define try_to_del_timer_sync(timer) timer_delete_sync_try(timer)
#define del_timer(timer) timer_delete(timer)
#define del_timer_sync(timer) timer_delete_sync(timer)
#define del_singleshot_timer_sync(timer) timer_delete_sync(timer)

/* The pre-4.15 API: callbacks took an unsigned long, timer_list had .data. */
#define setup_timer(...) __ktl_unsupported(setup_timer)
#define setup_timer_on_stack(...) __ktl_unsupported(setup_timer_on_stack)
#define init_timer(...) __ktl_unsupported(init_timer)
#define init_timer_on_stack(...) __ktl_unsupported(init_timer_on_stack)

#endif /* _LINUX_TIMER_H */
