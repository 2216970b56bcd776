/* SPDX-License-Identifier: MIT */
/*
 * linux/miscdevice.h - character devices on the misc major (10).
 *
 * misc_register() records the device and lists it in /proc/misc ("%3i %s" minor and name,
 * newest first, as Linux prints it), with a device /sys/class/misc/NAME whose "dev" file
 * reads "10:MINOR". ktl has no device nodes: nothing can open the device, so its fops are
 * never called. MISC_DYNAMIC_MINOR picks a free minor as Linux 6.x does (127 downwards,
 * then from 256 up).
 */
#ifndef _LINUX_MISCDEVICE_H
#define _LINUX_MISCDEVICE_H

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/major.h>
#include <linux/types.h>

#define PSMOUSE_MINOR 1
#define MS_BUSMOUSE_MINOR 2
#define ATIXL_BUSMOUSE_MINOR 3
#define ATARIMOUSE_MINOR 5
#define SUN_MOUSE_MINOR 6
#define APOLLO_MOUSE_MINOR 7
#define PC110PAD_MINOR 9
#define WATCHDOG_MINOR 130
#define TEMP_MINOR 131
#define APM_MINOR_DEV 134
#define RTC_MINOR 135
#define VHCI_MINOR 137
#define MEMORY_MINOR 192
#define MICROCODE_MINOR 184
#define KVM_MINOR 232
#define BTRFS_MINOR 234
#define AUTOFS_MINOR 235
#define MAPPER_CTRL_MINOR 236
#define LOOP_CTRL_MINOR 237
#define VHOST_NET_MINOR 238
#define UHID_MINOR 239
#define USERIO_MINOR 240
#define VHOST_VSOCK_MINOR 241
#define RFKILL_MINOR 242
#define MISC_DYNAMIC_MINOR 255

struct miscdevice {
	int minor;
	const char *name;
	const struct file_operations *fops;
	struct list_head list;
	struct device *parent;
	struct device *this_device;
	const struct attribute_group **groups;
	const char *nodename;
	umode_t mode;
};

/* compat/src/device.cc asserts the same numbers. */
__KTL_LAYOUT(sizeof(struct miscdevice) == 80 && offsetof(struct miscdevice, this_device) == 48);

__KTL_BEGIN_DECLS
/**
 * misc_register - record a misc device
 * @misc: its minor (or MISC_DYNAMIC_MINOR, replaced by the allocated one), name and fops
 *
 * Sets misc->this_device. Context: task.
 * Return: 0; -EBUSY if the minor is taken or no dynamic minor is left; -EEXIST if the name
 * is (with sysfs' duplicate-filename WARN); -EINVAL without a name.
 */
int misc_register(struct miscdevice *misc) __ktl_abi(misc_register);
void misc_deregister(struct miscdevice *misc) __ktl_abi(misc_deregister);
__KTL_END_DECLS

#define module_misc_device(__misc_device) \
	module_driver(__misc_device, misc_register, misc_deregister)

#define MODULE_ALIAS_MISCDEV(minor) \
	MODULE_ALIAS("char-major-" __stringify(MISC_MAJOR) "-" __stringify(minor))

#endif /* _LINUX_MISCDEVICE_H */
