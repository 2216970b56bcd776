// SPDX-License-Identifier: GPL-2.0
/* bug_dwork.c - delayed work still pending at unload (no cancel_delayed_work_sync). */
#include <linux/module.h>
#include <linux/workqueue.h>

static void later(struct work_struct *w)
{
	pr_info("bug_dwork: ran\n");
}
static DECLARE_DELAYED_WORK(dw, later);

static int __init bug_init(void)
{
	schedule_delayed_work(&dw, 3600 * HZ);
	return 0;
}

static void __exit bug_exit(void)
{
}

module_init(bug_init);
module_exit(bug_exit);
MODULE_LICENSE("GPL");
