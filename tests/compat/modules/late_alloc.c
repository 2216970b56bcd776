// SPDX-License-Identifier: GPL-2.0
/*
 * late_alloc.c - allocates whenever its "grab" parameter is written, long after init, and never
 * frees: rmmod must still charge that memory to this module however many other modules came
 * and went in between.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

static void *kept[16];
static int nr_kept;
static int grab_bytes;

static int grab_set(const char *val, const struct kernel_param *kp)
{
	int bytes, ret;

	ret = kstrtoint(val, 0, &bytes);
	if (ret)
		return ret;
	if (bytes <= 0 || nr_kept >= ARRAY_SIZE(kept))
		return -EINVAL;
	kept[nr_kept] = kmalloc(bytes, GFP_KERNEL);
	if (!kept[nr_kept])
		return -ENOMEM;
	nr_kept++;
	*(int *)kp->arg = bytes;
	return 0;
}

static const struct kernel_param_ops grab_ops = {
	.set = grab_set,
	.get = param_get_int,
};
module_param_cb(grab, &grab_ops, &grab_bytes, 0644);
MODULE_PARM_DESC(grab, "Write a size to allocate that many bytes (kept until unload, then leaked)");

static int __init late_init(void)
{
	return 0;
}

static void __exit late_exit(void)
{
}

module_init(late_init);
module_exit(late_exit);
MODULE_LICENSE("GPL");
