// SPDX-License-Identifier: GPL-2.0
/*
 * periodic.c - a kernel thread that wakes up every period_ms milliseconds.
 *
 * The thread sleeps in TASK_INTERRUPTIBLE with schedule_timeout_interruptible(), so ps shows
 * it as "S" between ticks and kthread_stop()'s wake-up ends the current sleep at once: rmmod
 * does not wait out the period. Every report_every-th tick is logged with the jiffies elapsed
 * since the thread started; kthread_stop() hands back the thread function's return value,
 * the number of ticks.
 *
 *   ktl> insmod periodic.ko period_ms=20 report_every=5
 *   ktl> dmesg
 *   [    2.104000] periodic: thread periodic (pid 23) started: period 20 ms = 5 jiffies (HZ=250)
 *   [    2.204000] periodic: tick 5 at +25 jiffies
 *   [    2.304000] periodic: tick 10 at +50 jiffies
 *   ktl> ps -eo pid,stat,command
 *      23 S    [periodic]
 *   ktl> echo 1 > /sys/module/periodic/parameters/report_every
 *   ktl> rmmod periodic
 *   ktl> dmesg
 *   [    2.912000] periodic: thread stopping after 40 ticks
 *   [    2.912010] periodic: kthread_stop() returned 40
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>

static unsigned int period_ms = 100;
module_param(period_ms, uint, 0444);
MODULE_PARM_DESC(period_ms, "Wake-up period in milliseconds (at least one jiffy)");

static unsigned int report_every = 10;
module_param(report_every, uint, 0644);
MODULE_PARM_DESC(report_every, "Log every Nth tick, 0 for none (writable at run time)");

static struct task_struct *periodic_task;

static int periodic_thread(void *data)
{
	unsigned long timeout = msecs_to_jiffies(period_ms);
	unsigned long start = jiffies;
	unsigned int ticks = 0;

	pr_info("thread %s (pid %d) started: period %u ms = %lu jiffies (HZ=%d)\n",
		current->comm, current->pid, period_ms, timeout, HZ);

	while (!kthread_should_stop()) {
		unsigned int every;

		/*
		 * Sets TASK_INTERRUPTIBLE itself: if kthread_stop() comes in between the test
		 * above and this sleep, its wake-up makes schedule() return at once.
		 */
		schedule_timeout_interruptible(timeout);
		if (kthread_should_stop())
			break;

		ticks++;
		every = READ_ONCE(report_every);
		if (every && ticks % every == 0)
			pr_info("tick %u at +%lu jiffies\n", ticks, jiffies - start);
	}

	pr_info("thread stopping after %u ticks\n", ticks);
	return ticks;
}

static int __init periodic_init(void)
{
	if (!msecs_to_jiffies(period_ms)) {
		pr_err("period_ms=%u is shorter than a jiffy\n", period_ms);
		return -EINVAL;
	}

	periodic_task = kthread_run(periodic_thread, NULL, "periodic");
	if (IS_ERR(periodic_task))
		return PTR_ERR(periodic_task);
	return 0;
}

static void __exit periodic_exit(void)
{
	int ret = kthread_stop(periodic_task);

	pr_info("kthread_stop() returned %d\n", ret);
}

module_init(periodic_init);
module_exit(periodic_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("ktl developers");
MODULE_DESCRIPTION("A kthread waking up periodically");
MODULE_VERSION("1.0");
