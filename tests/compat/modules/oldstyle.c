// SPDX-License-Identifier: GPL-2.0
/* oldstyle.c - the pre-2.6 entry points: init_module() and cleanup_module(), no macros. */
#include <linux/kernel.h>
#include <linux/module.h>

int init_module(void)
{
	printk(KERN_INFO "oldstyle: init_module\n");
	return 0;
}

void cleanup_module(void)
{
	printk(KERN_INFO "oldstyle: cleanup_module\n");
}

MODULE_LICENSE("GPL");
