// SPDX-License-Identifier: GPL-2.0
/*
 * hello.c - the smallest module: a parameter, a message at load and one at unload.
 *
 *   ktl> insmod hello.ko whom=ktl times=2
 *   ktl> dmesg | tail -2
 *   [    3.201000] hello: Hello, ktl! (1/2)
 *   [    3.201002] hello: Hello, ktl! (2/2)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

static char *whom = "world";
module_param(whom, charp, 0644);
MODULE_PARM_DESC(whom, "Who to greet");

static int times = 1;
module_param(times, int, 0444);
MODULE_PARM_DESC(times, "How many greetings");

static int __init hello_init(void)
{
	int i;

	if (times < 0)
		return -EINVAL;
	for (i = 0; i < times; i++)
		pr_info("Hello, %s! (%d/%d)\n", whom, i + 1, times);
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("Goodbye, %s.\n", whom);
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("ktl developers");
MODULE_DESCRIPTION("Greets someone at load and unload");
MODULE_VERSION("1.0");
