// SPDX-License-Identifier: MIT
/*
 * Kernel-style C against <linux/wait.h> and <linux/completion.h>: the wait_event family (its
 * re-checking loop, states, return values), manual prepare_to_wait() loops, the _lock_irq,
 * _locked, wait_woken and hrtimeout forms, completions. Driven by tests/compat/wait_test.cc.
 * Entry points return 0 on success, else the failing line (or a documented value).
 */
#include <linux/completion.h>
#include <linux/irqflags.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			pr_err("ctest wait: %s:%d: %s\n", __func__, __LINE__, #cond); \
			return __LINE__;                                        \
		}                                                               \
	} while (0)

/* Never used: the byte comparison with ktl's constructors. */
static DECLARE_WAIT_QUEUE_HEAD(pristine_wq);
static DECLARE_COMPLETION(pristine_done);

void *ctest_wait_pristine_wq(void)
{
	return &pristine_wq;
}

void *ctest_wait_pristine_completion(void)
{
	return &pristine_done;
}

/* The queue and condition the waiters below share with the C++ side. */
static DECLARE_WAIT_QUEUE_HEAD(wq);
static DEFINE_SPINLOCK(cond_lock);
static int cond;
static int evals;
static int unlocked_evals;

static bool cond_reached(void)
{
	__atomic_fetch_add(&evals, 1, __ATOMIC_RELAXED);
	return READ_ONCE(cond) >= 2;
}

int ctest_wait_reset(void)
{
	WRITE_ONCE(cond, 0);
	WRITE_ONCE(evals, 0);
	WRITE_ONCE(unlocked_evals, 0);
	CHECK(!waitqueue_active(&wq));
	return 0;
}

void ctest_wait_set_cond(int v)
{
	WRITE_ONCE(cond, v);
}

int ctest_wait_evals(void)
{
	return __atomic_load_n(&evals, __ATOMIC_RELAXED);
}

int ctest_wait_active(void)
{
	return waitqueue_active(&wq);
}

void ctest_wait_wake(void)
{
	wake_up(&wq);
}

void ctest_wait_wake_interruptible(void)
{
	wake_up_interruptible(&wq);
}

/* ---- waiters: each sleeps on wq until cond >= 2 ---------------------------------------- */

int ctest_wait_event_waiter(void)
{
	wait_event(wq, cond_reached());
	return READ_ONCE(cond) >= 2 ? 0 : __LINE__;
}

int ctest_wait_interruptible_waiter(void)
{
	allow_signal(SIGUSR1);
	return wait_event_interruptible(wq, cond_reached());
}

int ctest_wait_idle_waiter(void)
{
	wait_event_idle(wq, cond_reached());
	return 0;
}

int ctest_wait_killable_waiter(void)
{
	return wait_event_killable(wq, cond_reached());
}

int ctest_wait_freezable_waiter(void)
{
	return wait_event_freezable(wq, cond_reached());
}

/* wait_event_interruptible_timeout() for 100 s: the jiffies left once the condition holds. */
long ctest_wait_ito_waiter(void)
{
	return wait_event_interruptible_timeout(wq, cond_reached(), 100 * HZ);
}

/* The manual loop with DEFINE_WAIT and prepare_to_wait()/finish_wait(). */
int ctest_wait_manual_waiter(void)
{
	DEFINE_WAIT(wait);

	for (;;) {
		prepare_to_wait(&wq, &wait, TASK_INTERRUPTIBLE);
		if (cond_reached())
			break;
		schedule();
	}
	finish_wait(&wq, &wait);
	return list_empty(&wait.entry) ? 0 : __LINE__;
}

/* wait_woken() with woken_wake_function, the pattern of network and tty code. */
int ctest_wait_woken_waiter(void)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	long left = MAX_SCHEDULE_TIMEOUT;

	add_wait_queue(&wq, &wait);
	while (!cond_reached())
		left = wait_woken(&wait, TASK_INTERRUPTIBLE, left);
	remove_wait_queue(&wq, &wait);
	return left == MAX_SCHEDULE_TIMEOUT ? 0 : __LINE__;
}

/* The condition is always tested with cond_lock held. */
static bool cond_reached_locked(void)
{
	if (!spin_is_locked(&cond_lock))
		__atomic_fetch_add(&unlocked_evals, 1, __ATOMIC_RELAXED);
	return cond_reached();
}

int ctest_wait_lock_irq_waiter(void)
{
	spin_lock_irq(&cond_lock);
	wait_event_lock_irq(wq, cond_reached_locked(), cond_lock);
	if (!spin_is_locked(&cond_lock))
		return __LINE__;
	spin_unlock_irq(&cond_lock);
	return READ_ONCE(unlocked_evals) ? __LINE__ : 0;
}

int ctest_wait_lock_irq_wake(void)
{
	spin_lock_irq(&cond_lock);
	WRITE_ONCE(cond, 2);
	spin_unlock_irq(&cond_lock);
	wake_up(&wq);
	return 0;
}

/* wait_event_interruptible_locked(): the caller holds wq.lock (plain spin_lock). */
int ctest_wait_locked_waiter(void)
{
	int ret;

	spin_lock(&wq.lock);
	ret = wait_event_interruptible_locked(wq, cond_reached());
	if (!spin_is_locked(&wq.lock))
		return __LINE__;
	spin_unlock(&wq.lock);
	if (preempt_count() != 0 || irqs_disabled())
		return __LINE__;
	return ret;
}

int ctest_wait_locked_wake(void)
{
	spin_lock(&wq.lock);
	WRITE_ONCE(cond, 2);
	wake_up_locked(&wq);
	spin_unlock(&wq.lock);
	return 0;
}

/* ---- timeouts and fast paths (no other party) ------------------------------------------- */

int ctest_wait_timeouts(void)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(q);
	unsigned long start;
	int never = 0;

	/* Condition true at once: the whole timeout comes back, without sleeping. */
	CHECK(wait_event_timeout(q, 1, 7) == 7);
	CHECK(wait_event_interruptible_timeout(q, 1, 9) == 9);
	CHECK(wait_event_idle_timeout(q, 1, 5) == 5);
	CHECK(wait_event_killable_timeout(q, 1, 4) == 4);
	/* Timeout 0: 1 if the condition holds, else 0. */
	CHECK(wait_event_timeout(q, 1, 0) == 1);
	CHECK(wait_event_timeout(q, READ_ONCE(never), 0) == 0);
	CHECK(wait_event_interruptible(q, 1) == 0);
	CHECK(wait_event_killable(q, 1) == 0);
	wait_event(q, 1);
	wait_event_idle(q, 1);

	/* Timed out with the condition false: 0, after the time passed. */
	start = jiffies;
	CHECK(wait_event_interruptible_timeout(q, READ_ONCE(never), 3) == 0);
	CHECK(time_after_eq(jiffies, start + 3));
	start = jiffies;
	CHECK(wait_event_timeout(q, READ_ONCE(never), 2) == 0);
	CHECK(time_after_eq(jiffies, start + 2));
	CHECK(wait_event_idle_timeout(q, READ_ONCE(never), 1) == 0);
	CHECK(!waitqueue_active(&q));

	/* hrtimeouts: -ETIME once the time is up, 0 if the condition holds. */
	CHECK(wait_event_hrtimeout(q, READ_ONCE(never), ms_to_ktime(2)) == -ETIME);
	CHECK(wait_event_interruptible_hrtimeout(q, READ_ONCE(never), ms_to_ktime(1)) == -ETIME);
	CHECK(wait_event_hrtimeout(q, 1, ms_to_ktime(2)) == 0);
	CHECK(!waitqueue_active(&q));
	return 0;
}

/* A pending signal ends the interruptible forms with -ERESTARTSYS, not the others. */
int ctest_wait_signals(void)
{
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(q);
	DECLARE_COMPLETION_ONSTACK(c);
	int never = 0;

	allow_signal(SIGUSR1);
	CHECK(send_sig(SIGUSR1, current, 0) == 0);
	CHECK(signal_pending(current));
	CHECK(wait_event_interruptible(q, READ_ONCE(never)) == -ERESTARTSYS);
	CHECK(wait_event_interruptible_timeout(q, READ_ONCE(never), 100 * HZ) == -ERESTARTSYS);
	CHECK(wait_event_freezable(q, READ_ONCE(never)) == -ERESTARTSYS);
	CHECK(wait_event_interruptible_hrtimeout(q, READ_ONCE(never), ms_to_ktime(1000)) ==
	      -ERESTARTSYS);
	/* The condition wins over the signal. */
	CHECK(wait_event_interruptible(q, 1) == 0);
	/* Killable waits only end for SIGKILL; uninterruptible ones run to their timeout. */
	CHECK(wait_event_killable_timeout(q, READ_ONCE(never), 1) == 0);
	CHECK(wait_event_timeout(q, READ_ONCE(never), 1) == 0);
	CHECK(wait_for_completion_interruptible(&c) == -ERESTARTSYS);
	CHECK(wait_for_completion_interruptible_timeout(&c, 100 * HZ) == -ERESTARTSYS);
	CHECK(wait_for_completion_killable_timeout(&c, 1) == 0);
	CHECK(c.done == 0);
	complete(&c);
	/* Done wins over the signal too, and is consumed. */
	CHECK(wait_for_completion_interruptible(&c) == 0 && c.done == 0);
	CHECK(!waitqueue_active(&q));
	flush_signals(current);
	CHECK(!signal_pending(current));
	CHECK(wait_event_interruptible_timeout(q, READ_ONCE(never), 1) == 0);
	disallow_signal(SIGUSR1);
	return 0;
}

/* ---- completions -------------------------------------------------------------------------- */

static DECLARE_COMPLETION(cx);

int ctest_wait_completion_counts(void)
{
	struct completion c;
	int i;

	init_completion(&c);
	CHECK(c.done == 0 && !completion_done(&c) && !try_wait_for_completion(&c));
	complete(&c);
	complete(&c);
	complete(&c);
	CHECK(c.done == 3 && completion_done(&c));
	for (i = 0; i < 3; i++)
		CHECK(try_wait_for_completion(&c));
	CHECK(!try_wait_for_completion(&c) && c.done == 0);
	complete(&c);
	wait_for_completion(&c);
	CHECK(c.done == 0);
	complete(&c);
	CHECK(wait_for_completion_timeout(&c, 10) == 10);
	complete(&c);
	CHECK(wait_for_completion_killable(&c) == 0);
	complete(&c);
	CHECK(wait_for_completion_interruptible_timeout(&c, 3) == 3);

	complete_all(&c);
	CHECK(c.done == UINT_MAX);
	for (i = 0; i < 5; i++)
		wait_for_completion(&c);
	CHECK(try_wait_for_completion(&c) && completion_done(&c));
	complete(&c); /* stays "done for everyone" */
	CHECK(c.done == UINT_MAX);
	reinit_completion(&c);
	CHECK(c.done == 0 && !completion_done(&c));

	/* Nobody completes it: 0 after the timeout. */
	CHECK(wait_for_completion_timeout(&c, 2) == 0);
	CHECK(wait_for_completion_io_timeout(&c, 1) == 0);
	complete(&c);
	CHECK(wait_for_completion_state(&c, TASK_UNINTERRUPTIBLE) == 0 && c.done == 0);
	return 0;
}

/* wait_for_completion_timeout() on cx for 100 s: the jiffies left once completed. */
long ctest_wait_completion_waiter(void)
{
	return (long)wait_for_completion_timeout(&cx, 100 * HZ);
}

void ctest_wait_complete(void)
{
	complete(&cx);
}

int ctest_wait_completion_idle(void)
{
	return READ_ONCE(cx.done) == 0 ? 0 : 1;
}
