// SPDX-License-Identifier: GPL-2.0
/* bug_tasklet.c - a disabled tasklet scheduled and never killed. */
#include <linux/interrupt.h>
#include <linux/module.h>

static void run(struct tasklet_struct *t)
{
	pr_info("bug_tasklet: ran\n");
}
static DECLARE_TASKLET_DISABLED(tl, run);

static int __init bug_init(void)
{
	tasklet_schedule(&tl);
	return 0;
}

static void __exit bug_exit(void)
{
	/* missing: tasklet_enable(&tl); tasklet_kill(&tl); */
}

module_init(bug_init);
module_exit(bug_exit);
MODULE_LICENSE("GPL");
