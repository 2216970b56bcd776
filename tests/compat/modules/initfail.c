// SPDX-License-Identifier: GPL-2.0
/* initfail.c - module_init fails after allocating and arming nothing: the load reports -ENODEV. */
#include <linux/module.h>

static int __init initfail_init(void)
{
	pr_err("initfail: no such device\n");
	return -ENODEV;
}

static void __exit initfail_exit(void)
{
	pr_err("initfail: exit must not run after a failed init\n");
}

module_init(initfail_init);
module_exit(initfail_exit);
MODULE_LICENSE("Proprietary");
