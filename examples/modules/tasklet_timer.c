// SPDX-License-Identifier: GPL-2.0
/*
 * tasklet_timer.c - a periodic timer that schedules a tasklet.
 *
 * The timer (timer_setup) re-arms itself with mod_timer() every period_ms milliseconds and
 * schedules the tasklet (tasklet_setup); both callbacks run in softirq context, the timer in
 * TIMER_SOFTIRQ and the tasklet in TASKLET_SOFTIRQ, and report what the context queries say:
 * in_interrupt() and in_serving_softirq() are true, in_task() and in_hardirq() are false.
 * The first "verbose" runs of each are logged, then only counted. No thread belongs to this
 * module: the callbacks borrow whatever task they interrupt, or ksoftirqd.
 *
 * Unloading stops the timer first (it would schedule the tasklet again), then kills the
 * tasklet, waiting for a scheduled or running one: the other order could leave a tasklet
 * scheduled by a last timer run after tasklet_kill().
 *
 *   ktl> insmod tasklet_timer.ko period_ms=40 verbose=2
 *   ktl> dmesg
 *   [    5.040000] tasklet_timer: timer 1 at +10 jiffies: in_interrupt()=1 in_serving_softirq()=1 in_hardirq()=0 in_task()=0
 *   [    5.040010] tasklet_timer: tasklet 1: in_interrupt()=1 in_serving_softirq()=1 in_hardirq()=0 in_task()=0
 *   [    5.080000] tasklet_timer: timer 2 at +20 jiffies: in_interrupt()=1 in_serving_softirq()=1 in_hardirq()=0 in_task()=0
 *   [    5.080010] tasklet_timer: tasklet 2: in_interrupt()=1 in_serving_softirq()=1 in_hardirq()=0 in_task()=0
 *   ktl> rmmod tasklet_timer
 *   [    6.000000] tasklet_timer: timer fired 24 times, tasklet ran 24 times
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/timer.h>

static unsigned int period_ms = 100;
module_param(period_ms, uint, 0444);
MODULE_PARM_DESC(period_ms, "Timer period in milliseconds");

static unsigned int verbose = 3;
module_param(verbose, uint, 0644);
MODULE_PARM_DESC(verbose, "Log the first N runs of the timer and of the tasklet");

static struct timer_list tt_timer;
static struct tasklet_struct tt_tasklet;
static unsigned long start;
static unsigned int timer_runs;		/* written by the timer callback only */
static unsigned int tasklet_runs;	/* written by the tasklet only (never concurrent with itself) */
static bool stopping;

#define CONTEXT_FMT "in_interrupt()=%d in_serving_softirq()=%d in_hardirq()=%d in_task()=%d"
#define CONTEXT_ARGS !!in_interrupt(), !!in_serving_softirq(), !!in_hardirq(), !!in_task()

static void tt_tasklet_fn(struct tasklet_struct *t)
{
	tasklet_runs++;
	if (tasklet_runs <= READ_ONCE(verbose))
		pr_info("tasklet %u: " CONTEXT_FMT "\n", tasklet_runs, CONTEXT_ARGS);
}

static void tt_timer_fn(struct timer_list *t)
{
	timer_runs++;
	if (timer_runs <= READ_ONCE(verbose))
		pr_info("timer %u at +%lu jiffies: " CONTEXT_FMT "\n", timer_runs,
			jiffies - start, CONTEXT_ARGS);

	tasklet_schedule(&tt_tasklet);
	if (!READ_ONCE(stopping))
		mod_timer(t, jiffies + msecs_to_jiffies(period_ms));
}

static int __init tasklet_timer_init(void)
{
	if (!period_ms)
		return -EINVAL;

	tasklet_setup(&tt_tasklet, tt_tasklet_fn);
	timer_setup(&tt_timer, tt_timer_fn, 0);

	pr_info("timer every %u ms (%lu jiffies), init runs in task context: " CONTEXT_FMT "\n",
		period_ms, msecs_to_jiffies(period_ms), CONTEXT_ARGS);
	start = jiffies;
	mod_timer(&tt_timer, start + msecs_to_jiffies(period_ms));
	return 0;
}

static void __exit tasklet_timer_exit(void)
{
	/*
	 * The callback re-arms the timer: tell it to stop, then timer_delete_sync() removes a
	 * pending timer and waits for a running callback (which no longer re-arms).
	 */
	WRITE_ONCE(stopping, true);
	timer_delete_sync(&tt_timer);
	/* The timer cannot schedule the tasklet any more: wait for a last scheduled run. */
	tasklet_kill(&tt_tasklet);
	pr_info("timer fired %u times, tasklet ran %u times\n", timer_runs, tasklet_runs);
}

module_init(tasklet_timer_init);
module_exit(tasklet_timer_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("ktl developers");
MODULE_DESCRIPTION("A periodic timer scheduling a tasklet, reporting their contexts");
MODULE_VERSION("1.0");
