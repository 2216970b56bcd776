// SPDX-License-Identifier: GPL-2.0
/* bug_leak.c - leaks on purpose: three allocations never freed, one freed. */
#include <linux/module.h>
#include <linux/slab.h>

static void *keep[3];

static int __init bug_init(void)
{
	void *tmp = kmalloc(64, GFP_KERNEL);
	int i;

	kfree(tmp);
	for (i = 0; i < 3; i++)
		keep[i] = kzalloc(100, GFP_KERNEL);
	return 0;
}

static void __exit bug_exit(void)
{
}

module_init(bug_init);
module_exit(bug_exit);
MODULE_LICENSE("GPL");
