// SPDX-License-Identifier: GPL-2.0
/* bug_timer.c - forgets its timer: still armed when the module goes. */
#include <linux/module.h>
#include <linux/timer.h>

static void fire(struct timer_list *t)
{
	pr_info("bug_timer: fired\n");
}
static DEFINE_TIMER(forgotten, fire);

static int __init bug_init(void)
{
	mod_timer(&forgotten, jiffies + 3600 * HZ);
	return 0;
}

static void __exit bug_exit(void)
{
	/* missing: timer_delete_sync(&forgotten); */
}

module_init(bug_init);
module_exit(bug_exit);
MODULE_LICENSE("GPL");
