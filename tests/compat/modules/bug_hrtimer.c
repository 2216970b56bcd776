// SPDX-License-Identifier: GPL-2.0
/* bug_hrtimer.c - an hrtimer still queued at unload. */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/module.h>

static struct hrtimer hr;

static enum hrtimer_restart fire(struct hrtimer *t)
{
	return HRTIMER_NORESTART;
}

static int __init bug_init(void)
{
	hrtimer_init(&hr, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	hr.function = fire;
	hrtimer_start(&hr, ktime_set(3600, 0), HRTIMER_MODE_REL);
	return 0;
}

static void __exit bug_exit(void)
{
}

module_init(bug_init);
module_exit(bug_exit);
MODULE_LICENSE("GPL");
