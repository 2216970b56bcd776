// SPDX-License-Identifier: GPL-2.0
/* bug_waitq.c - a thread left sleeping on the module's wait queue: exit never stops it. */
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/wait.h>

static DECLARE_WAIT_QUEUE_HEAD(wq);
static int event;

static int sleeper(void *data)
{
	wait_event_interruptible(wq, READ_ONCE(event) || kthread_should_stop());
	return 0;
}

static int __init bug_init(void)
{
	struct task_struct *t = kthread_run(sleeper, NULL, "bug_waitq");

	return IS_ERR(t) ? PTR_ERR(t) : 0;
}

static void __exit bug_exit(void)
{
}

module_init(bug_init);
module_exit(bug_exit);
MODULE_LICENSE("GPL");
