// SPDX-License-Identifier: GPL-2.0
/*
 * bug_requeue.c - a periodic timer queues work; module_exit cancels the work but not the
 * timer, which queues it again.
 */
#include <linux/module.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

static void work_fn(struct work_struct *w)
{
}
static DECLARE_WORK(work, work_fn);

static void tick(struct timer_list *t)
{
	schedule_work(&work);
	mod_timer(t, jiffies + 1);
}
static DEFINE_TIMER(ticker, tick);

static int __init bug_init(void)
{
	mod_timer(&ticker, jiffies + 1);
	return 0;
}

static void __exit bug_exit(void)
{
	cancel_work_sync(&work); /* the timer is still live and re-queues it */
}

module_init(bug_init);
module_exit(bug_exit);
MODULE_LICENSE("GPL");
