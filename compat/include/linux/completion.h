/* SPDX-License-Identifier: MIT */
/*
 * linux/completion.h - completions: "this happened", counted.
 *
 * struct completion is ktl::completion byte for byte (compat/src/wait.cc asserts it):
 * .done counts complete() calls no waiter consumed yet, UINT_MAX after complete_all()
 * (every current and future waiter passes until reinit_completion()). Waiters queue
 * exclusively at the tail, so complete() releases them in FIFO order, one each. Everything
 * the completer wrote before complete() is visible to the waiter it releases.
 * DECLARE_COMPLETION() gives the bytes ktl's constructor gives.
 *
 * Return values of the waits:
 *   wait_for_completion, _io                    void (TASK_UNINTERRUPTIBLE, D)
 *   wait_for_completion_timeout, _io_timeout    0 on timeout, else the jiffies left, >= 1
 *   wait_for_completion_interruptible           0, or -ERESTARTSYS on a signal (S)
 *   wait_for_completion_killable                0, or -ERESTARTSYS on SIGKILL (D)
 *   _interruptible_timeout, _killable_timeout   -ERESTARTSYS, 0, or the jiffies left
 * An interrupted wait consumes nothing.
 *
 * Context: complete()/complete_all() from any context (tasks, timer and tasklet callbacks);
 * the waits sleep (task context). An on-stack completion must not go out of scope while a
 * complete() may still touch it: completion_done() waits until a concurrent complete() let
 * go of it.
 */
#ifndef _LINUX_COMPLETION_H
#define _LINUX_COMPLETION_H

#include <linux/sched.h>

#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>


struct completion {
	unsigned int done;
	/* ktl's waiter queue (Linux's swait_queue_head): its lock and the waiting tasks. */
	spinlock_t __ktl_lock;
	struct list_head __ktl_waiters;
};
__KTL_LAYOUT(sizeof(struct completion) == 24 && __alignof__(struct completion) == 8);
__KTL_LAYOUT(offsetof(struct completion, done) == 0);
__KTL_LAYOUT(offsetof(struct completion, __ktl_lock) == 4);
__KTL_LAYOUT(offsetof(struct completion, __ktl_waiters) == 8);

#define COMPLETION_INITIALIZER(work)                                            \
	{                                                                       \
		.done = 0, .__ktl_lock = __SPIN_LOCK_INITIALIZER((work).__ktl_lock), \
		.__ktl_waiters = { &(work).__ktl_waiters, &(work).__ktl_waiters }, \
	}
#define COMPLETION_INITIALIZER_ONSTACK(work) COMPLETION_INITIALIZER(work)
#define COMPLETION_INITIALIZER_ONSTACK_MAP(work, map) COMPLETION_INITIALIZER(work)
#define DECLARE_COMPLETION(work) struct completion work = COMPLETION_INITIALIZER(work)
#define DECLARE_COMPLETION_ONSTACK(work) DECLARE_COMPLETION(work)
#define DECLARE_COMPLETION_ONSTACK_MAP(work, map) DECLARE_COMPLETION(work)

__KTL_BEGIN_DECLS
/* done = 0, no waiters. Context: the completion is not in use. */
void init_completion(struct completion *x) __ktl_abi(init_completion);
/* done = 0 again (before reusing a completion, e.g. after complete_all()). */
void reinit_completion(struct completion *x) __ktl_abi(reinit_completion);

/* One more done (unless complete_all() made it permanent); wakes the oldest waiter. */
void complete(struct completion *x) __ktl_abi(complete);
void complete_on_current_cpu(struct completion *x) __ktl_abi(complete_on_current_cpu);
/* Done for every current and future waiter, until reinit_completion(). */
void complete_all(struct completion *x) __ktl_abi(complete_all);

void wait_for_completion(struct completion *x) __ktl_abi(wait_for_completion);
void wait_for_completion_io(struct completion *x) __ktl_abi(wait_for_completion_io);
unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout)
	__ktl_abi(wait_for_completion_timeout);
unsigned long wait_for_completion_io_timeout(struct completion *x, unsigned long timeout)
	__ktl_abi(wait_for_completion_io_timeout);
int wait_for_completion_interruptible(struct completion *x)
	__ktl_abi(wait_for_completion_interruptible);
long wait_for_completion_interruptible_timeout(struct completion *x, unsigned long timeout)
	__ktl_abi(wait_for_completion_interruptible_timeout);
int wait_for_completion_killable(struct completion *x) __ktl_abi(wait_for_completion_killable);
long wait_for_completion_killable_timeout(struct completion *x, unsigned long timeout)
	__ktl_abi(wait_for_completion_killable_timeout);
/* In @state (TASK_UNINTERRUPTIBLE, TASK_KILLABLE, ...): 0 or -ERESTARTSYS. */
int wait_for_completion_state(struct completion *x, unsigned int state)
	__ktl_abi(wait_for_completion_state);

/* Consumes one done without sleeping. Return: true if it did, false if a wait would block. */
bool try_wait_for_completion(struct completion *x) __ktl_abi(try_wait_for_completion);
/*
 * completion_done - a wait would not block (done > 0)
 * Also waits for a concurrent complete() to release the completion, so the caller may free it.
 */
bool completion_done(struct completion *x) __ktl_abi(completion_done);
__KTL_END_DECLS

#endif /* _LINUX_COMPLETION_H */
