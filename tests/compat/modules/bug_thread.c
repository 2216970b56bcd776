// SPDX-License-Identifier: GPL-2.0
/*
 * bug_thread.c - module_exit waits for the thread's last complete(), but the thread still has
 * module code to run after it (kthread_complete_and_exit exists for exactly this).
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>

static DECLARE_COMPLETION(done);
static DECLARE_COMPLETION(go);

static int worker(void *data)
{
	wait_for_completion(&go);
	complete(&done);
	msleep(500); /* still in module code when rmmod unmaps it */
	return 0;
}

static int __init bug_init(void)
{
	struct task_struct *t = kthread_run(worker, NULL, "bug_thread");

	return IS_ERR(t) ? PTR_ERR(t) : 0;
}

static void __exit bug_exit(void)
{
	complete(&go);
	wait_for_completion(&done);
}

module_init(bug_init);
module_exit(bug_exit);
MODULE_LICENSE("GPL");
