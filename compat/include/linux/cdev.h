/* SPDX-License-Identifier: MIT */
/*
 * linux/cdev.h - a character device embedded in a driver's structure.
 *
 * cdev_add() records the numbers it covers (they must have been registered with
 * register_chrdev_region()/alloc_chrdev_region() to show in /proc/devices). ktl has no
 * device nodes: nothing can open the numbers, so the cdev's fops are never called.
 */
#ifndef _LINUX_CDEV_H
#define _LINUX_CDEV_H

#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/types.h>

struct cdev {
	struct kobject kobj;
	struct module *owner;
	const struct file_operations *ops;
	struct list_head list;
	dev_t dev;
	unsigned int count;
};

/* compat/src/device.cc asserts the same numbers. */
__KTL_LAYOUT(sizeof(struct cdev) == 104 && offsetof(struct cdev, ops) == 72 &&
	     offsetof(struct cdev, dev) == 96);

__KTL_BEGIN_DECLS
/* Zeroes @cdev and sets its ops. */
void cdev_init(struct cdev *cdev, const struct file_operations *fops) __ktl_abi(cdev_init);
/* A kmalloc'ed cdev, freed by cdev_del(). Return: it or NULL. */
struct cdev *cdev_alloc(void) __ktl_abi(cdev_alloc);
/* Makes @count numbers from @dev live. Return: 0, or -EBUSY if one is already. */
int cdev_add(struct cdev *p, dev_t dev, unsigned int count) __ktl_abi(cdev_add);
void cdev_del(struct cdev *p) __ktl_abi(cdev_del);
__KTL_END_DECLS

#define cdev_set_parent(p, kobj) ((void)(p), (void)(kobj))
#define cdev_device_add(...) __ktl_unsupported(cdev_device_add)
#define cdev_device_del(...) __ktl_unsupported(cdev_device_del)

#endif /* _LINUX_CDEV_H */
