/* SPDX-License-Identifier: MIT */
/*
 * linux/delay.h - busy-waiting delays and sleeps.
 *
 * Busy-waits (udelay, ndelay, mdelay) spin without scheduling, in any context; the
 * simulation charges them as virtual time. Sleeps (a task only) have Linux's semantics:
 * - msleep() and ssleep() sleep uninterruptibly for at least the time asked, rounded up to
 *   jiffies plus one: wake_up_process() does not end them (so a kthread_stop() waits for the
 *   current sleep to finish) and signals are ignored.
 * - msleep_interruptible() returns early only for a signal (for a kthread, kthread_stop()
 *   sends one), with the milliseconds left; 0 after the full sleep.
 * - usleep_range() sleeps uninterruptibly on an hrtimer for at least @min microseconds,
 *   ignoring wake-ups; usleep_range_idle() the same in TASK_IDLE.
 * - fsleep() picks udelay, usleep_range or msleep by length, as the kernel does.
 */
#ifndef _LINUX_DELAY_H
#define _LINUX_DELAY_H

#include <asm/ktl-abi.h>
#include <linux/jiffies.h>
#include <linux/math.h>
#include <linux/sched.h>
#include <linux/types.h>

#define MAX_UDELAY_MS 5

__KTL_BEGIN_DECLS

void ndelay(unsigned long nsecs) __ktl_abi(ndelay);
void udelay(unsigned long usecs) __ktl_abi(udelay);
void mdelay(unsigned long msecs) __ktl_abi(mdelay);

/**
 * msleep - sleep for at least @msecs milliseconds, uninterruptibly
 *
 * Wake-ups and signals do not shorten it.
 * Context: a task (it may not be called in atomic context).
 */
void msleep(unsigned int msecs) __ktl_abi(msleep);
/**
 * msleep_interruptible - sleep for @msecs milliseconds unless a signal arrives
 *
 * A plain wake_up_process() does not end it: it goes back to sleep.
 * Context: a task.
 * Return: 0 after the full sleep, else the milliseconds left when a signal ended it.
 */
unsigned long msleep_interruptible(unsigned int msecs) __ktl_abi(msleep_interruptible);
/**
 * usleep_range_state - sleep at least @min microseconds in @state
 * @state: TASK_UNINTERRUPTIBLE or TASK_IDLE (the sleep ends only when the time is up)
 *
 * Context: a task.
 */
void usleep_range_state(unsigned long min, unsigned long max, unsigned int state)
	__ktl_abi(usleep_range_state);
/* Sleeps about @usecs microseconds with the best mechanism for the length. Context: a task. */
void fsleep(unsigned long usecs) __ktl_abi(fsleep);

__KTL_END_DECLS

static inline void usleep_range(unsigned long min, unsigned long max)
{
	usleep_range_state(min, max, TASK_UNINTERRUPTIBLE);
}

static inline void usleep_range_idle(unsigned long min, unsigned long max)
{
	usleep_range_state(min, max, TASK_IDLE);
}

static inline void ssleep(unsigned int seconds)
{
	msleep(seconds * 1000);
}

#endif /* _LINUX_DELAY_H */
