/* SPDX-License-Identifier: MIT */
/*
 * linux/hrtimer.h - high-resolution timers: a callback at a nanosecond deadline.
 *
 * An hrtimer is queued on the calling vCPU's base, ordered by expiry, and runs as soon as the
 * machine clock reaches its expiry: on the real machine at the vCPU's next interrupt point
 * (within microseconds of an idle vCPU's deadline), in the simulation exactly at it.
 * The callback runs in hardirq context (in_hardirq() true, preempt_count() holds
 * HARDIRQ_OFFSET), as HRTIMER_MODE_HARD does on Linux; ktl runs HRTIMER_MODE_SOFT timers the
 * same way (a soft timer on Linux would see in_serving_softirq() instead). It must not sleep.
 * Returning HRTIMER_RESTART re-queues the timer at its (forwarded) expiry.
 *
 * Clocks: CLOCK_MONOTONIC, CLOCK_BOOTTIME and CLOCK_MONOTONIC_RAW are one clock (ktl never
 * suspends); CLOCK_REALTIME and CLOCK_TAI are it plus the realtime offset, which never jumps.
 * Absolute expiries are read and given in the timer's own clock.
 */
#ifndef _LINUX_HRTIMER_H
#define _LINUX_HRTIMER_H

#include <asm/ktl-abi.h>
#include <linux/container_of.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/time.h>
#include <linux/timer.h>
#include <linux/types.h>

enum hrtimer_restart {
	HRTIMER_NORESTART, /* the timer is done */
	HRTIMER_RESTART,   /* re-queue it at its expiry (see hrtimer_forward()) */
};

enum hrtimer_mode {
	HRTIMER_MODE_ABS = 0x00,
	HRTIMER_MODE_REL = 0x01,
	HRTIMER_MODE_PINNED = 0x02,
	HRTIMER_MODE_SOFT = 0x04,
	HRTIMER_MODE_HARD = 0x08,

	HRTIMER_MODE_ABS_PINNED = HRTIMER_MODE_ABS | HRTIMER_MODE_PINNED,
	HRTIMER_MODE_REL_PINNED = HRTIMER_MODE_REL | HRTIMER_MODE_PINNED,

	HRTIMER_MODE_ABS_SOFT = HRTIMER_MODE_ABS | HRTIMER_MODE_SOFT,
	HRTIMER_MODE_REL_SOFT = HRTIMER_MODE_REL | HRTIMER_MODE_SOFT,
	HRTIMER_MODE_ABS_PINNED_SOFT = HRTIMER_MODE_ABS_PINNED | HRTIMER_MODE_SOFT,
	HRTIMER_MODE_REL_PINNED_SOFT = HRTIMER_MODE_REL_PINNED | HRTIMER_MODE_SOFT,

	HRTIMER_MODE_ABS_HARD = HRTIMER_MODE_ABS | HRTIMER_MODE_HARD,
	HRTIMER_MODE_REL_HARD = HRTIMER_MODE_REL | HRTIMER_MODE_HARD,
	HRTIMER_MODE_ABS_PINNED_HARD = HRTIMER_MODE_ABS_PINNED | HRTIMER_MODE_HARD,
	HRTIMER_MODE_REL_PINNED_HARD = HRTIMER_MODE_REL_PINNED | HRTIMER_MODE_HARD,
};

/*
 * ktl::hrtimer, field for field (compat/src/time.cc asserts the layout: 56 bytes). __ktl_clock
 * sits in the C++ type's tail padding, where only the compat shim stores the clock id.
 */
struct hrtimer {
	void *__ktl_node[4];
	ktime_t __ktl_expires; /* on CLOCK_MONOTONIC */
	enum hrtimer_restart (*function)(struct hrtimer *);
	int __ktl_cpu;          /* the base it is queued on, -1 if not queued */
	bool __ktl_running;     /* the callback is running */
	unsigned char __ktl_clock;
};

/* The resolution clock_getres() reports for the hrtimer clocks, in ns. */
#define hrtimer_resolution 1
#define HIGH_RES_NSEC 1
#define KTIME_HIGH_RES (HIGH_RES_NSEC)
#define KTIME_LOW_RES (TICK_NSEC)

__KTL_BEGIN_DECLS

/**
 * hrtimer_setup - prepare an hrtimer for first use
 * @timer: the timer
 * @function: its callback
 * @clock_id: CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME or CLOCK_TAI
 * @mode: the mode later hrtimer_start() calls use (informational)
 *
 * Context: any. The timer must not be queued.
 */
void hrtimer_setup(struct hrtimer *timer, enum hrtimer_restart (*function)(struct hrtimer *),
		   clockid_t clock_id, enum hrtimer_mode mode) __ktl_abi(hrtimer_setup);
/* The pre-6.13 form: the caller sets .function afterwards (removed from Linux in 6.15). */
void hrtimer_init(struct hrtimer *timer, clockid_t clock_id, enum hrtimer_mode mode)
	__ktl_abi(hrtimer_init);

/**
 * hrtimer_start_range_ns - (re)start an hrtimer
 * @tim: expiry, absolute in the timer's clock (HRTIMER_MODE_ABS) or relative to now
 * @range_ns: slack the caller allows (ktl expires at @tim exactly)
 * @mode: HRTIMER_MODE_ABS or _REL, optionally _PINNED/_SOFT/_HARD
 *
 * A queued timer is moved to the new expiry, on this vCPU's base.
 * Context: any, including the timer's own callback (then prefer returning HRTIMER_RESTART).
 */
void hrtimer_start_range_ns(struct hrtimer *timer, ktime_t tim, u64 range_ns,
			    const enum hrtimer_mode mode) __ktl_abi(hrtimer_start_range_ns);
void hrtimer_start(struct hrtimer *timer, ktime_t tim, const enum hrtimer_mode mode)
	__ktl_abi(hrtimer_start);
/* Starts the timer at the expiry set with hrtimer_set_expires()/hrtimer_forward(). */
void hrtimer_start_expires(struct hrtimer *timer, enum hrtimer_mode mode)
	__ktl_abi(hrtimer_start_expires);
/* hrtimer_start_expires(timer, HRTIMER_MODE_ABS). */
void hrtimer_restart(struct hrtimer *timer) __ktl_abi(hrtimer_restart);

/**
 * hrtimer_cancel - dequeue a timer and wait for a running callback to finish
 *
 * Context: a task; not the timer's own callback.
 * Return: 1 if the timer was queued, 0 otherwise.
 */
int hrtimer_cancel(struct hrtimer *timer) __ktl_abi(hrtimer_cancel);
/* Return: 1 if the timer was queued (now dequeued), 0 if it was not, -1 if its callback is
 * running right now (nothing done). Context: any. */
int hrtimer_try_to_cancel(struct hrtimer *timer) __ktl_abi(hrtimer_try_to_cancel);

/**
 * hrtimer_forward - move the expiry forward past @now in steps of @interval
 * @now: a time in the timer's clock (usually hrtimer_cb_get_time())
 *
 * For a periodic timer from its callback, before returning HRTIMER_RESTART. The timer must not
 * be queued.
 * Return: the number of intervals added (the overruns + 1), 0 if the expiry was after @now.
 */
u64 hrtimer_forward(struct hrtimer *timer, ktime_t now, ktime_t interval)
	__ktl_abi(hrtimer_forward);
/* hrtimer_forward() with the clock's current time. */
u64 hrtimer_forward_now(struct hrtimer *timer, ktime_t interval) __ktl_abi(hrtimer_forward_now);

/* Queued or running its callback. */
bool hrtimer_active(const struct hrtimer *timer) __ktl_abi(hrtimer_active);
/* Queued (not yet running). */
bool hrtimer_is_queued(struct hrtimer *timer) __ktl_abi(hrtimer_is_queued);
/* Its callback is running right now. */
bool hrtimer_callback_running(struct hrtimer *timer) __ktl_abi(hrtimer_callback_running);

/* The expiry, in the timer's clock. */
ktime_t hrtimer_get_expires(const struct hrtimer *timer) __ktl_abi(hrtimer_get_expires);
/* Sets the expiry (in the timer's clock) of a timer that is not queued. */
void hrtimer_set_expires(struct hrtimer *timer, ktime_t time) __ktl_abi(hrtimer_set_expires);
/* The time left until the expiry (negative once past). */
ktime_t hrtimer_get_remaining(const struct hrtimer *timer) __ktl_abi(hrtimer_get_remaining);
/* The current time of the timer's clock. */
ktime_t hrtimer_cb_get_time(const struct hrtimer *timer) __ktl_abi(hrtimer_cb_get_time);

/**
 * schedule_hrtimeout_range - sleep until a deadline, in the state the caller set
 * @expires: the deadline (absolute on CLOCK_MONOTONIC, or relative), NULL to sleep until woken
 * @delta: slack allowed
 * @mode: HRTIMER_MODE_ABS or HRTIMER_MODE_REL
 *
 * Call after set_current_state(). A wake_up_process() (or a signal in TASK_INTERRUPTIBLE)
 * ends the sleep early.
 * Context: a task.
 * Return: 0 when the deadline passed, -EINTR when woken earlier.
 */
int schedule_hrtimeout_range(ktime_t *expires, u64 delta, const enum hrtimer_mode mode)
	__ktl_abi(schedule_hrtimeout_range);
int schedule_hrtimeout_range_clock(ktime_t *expires, u64 delta, const enum hrtimer_mode mode,
				   clockid_t clock_id) __ktl_abi(schedule_hrtimeout_range_clock);
int schedule_hrtimeout(ktime_t *expires, const enum hrtimer_mode mode)
	__ktl_abi(schedule_hrtimeout);

__KTL_END_DECLS

#define hrtimer_setup_on_stack(timer, function, clock_id, mode)                \
	hrtimer_setup(timer, function, clock_id, mode)
#define hrtimer_init_on_stack(timer, clock_id, mode) hrtimer_init(timer, clock_id, mode)
#define destroy_hrtimer_on_stack(timer) ((void)(timer))

static inline ktime_t hrtimer_get_softexpires(const struct hrtimer *timer)
{
	return hrtimer_get_expires(timer);
}

static inline s64 hrtimer_get_expires_ns(const struct hrtimer *timer)
{
	return ktime_to_ns(hrtimer_get_expires(timer));
}

static inline void hrtimer_set_expires_range_ns(struct hrtimer *timer, ktime_t time, u64 delta)
{
	(void)delta;
	hrtimer_set_expires(timer, time);
}

static inline void hrtimer_add_expires_ns(struct hrtimer *timer, u64 ns)
{
	hrtimer_set_expires(timer, ktime_add_ns(hrtimer_get_expires(timer), (s64)ns));
}

static inline void hrtimer_add_expires(struct hrtimer *timer, ktime_t time)
{
	hrtimer_set_expires(timer, ktime_add(hrtimer_get_expires(timer), time));
}

static inline ktime_t hrtimer_expires_remaining(const struct hrtimer *timer)
{
	return hrtimer_get_remaining(timer);
}

#endif /* _LINUX_HRTIMER_H */
