// SPDX-License-Identifier: GPL-2.0
/* noexit.c - has module_init but no module_exit: it cannot be unloaded (-EBUSY). */
#include <linux/module.h>

static int __init noexit_init(void)
{
	pr_info("noexit: here to stay\n");
	return 0;
}
module_init(noexit_init);
MODULE_LICENSE("GPL");
