/* SPDX-License-Identifier: MIT */
/*
 * linux/device.h - the part of the driver model character-device code uses: device
 * classes, device_create()/device_destroy(), driver data and the dev_printk family.
 *
 * ktl has no buses, drivers or device nodes. class_create("foo") makes /sys/class/foo,
 * device_create() a directory /sys/class/foo/NAME whose "dev" file reads "MAJOR:MINOR",
 * as on Linux; nothing appears in /dev (there is none). Devices are allocated by ktl
 * (struct device is not for embedding here: device_register()/device_add() and bus or
 * platform drivers are unsupported). dev_info(dev, ...) logs "<class> <name>: ..." like
 * Linux's, "(NULL device *): ..." for a NULL device.
 */
#ifndef _LINUX_DEVICE_H
#define _LINUX_DEVICE_H

#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/kdev_t.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/stdarg.h>
#include <linux/sysfs.h>
#include <linux/types.h>

struct device;
struct device_driver;
struct device_type;
struct bus_type;
struct kobj_uevent_env;
struct dev_pm_ops;
struct kobj_ns_type_operations;

/* "class" is a C++ keyword: C++ code sees the tag as class_. */
#ifdef __cplusplus
#define __ktl_class class_
#else
#define __ktl_class class
#endif

struct __ktl_class {
	const char *name;
	const struct attribute_group **class_groups;
	const struct attribute_group **dev_groups;
	int (*dev_uevent)(const struct device *dev, struct kobj_uevent_env *env);
	char *(*devnode)(const struct device *dev, umode_t *mode);
	void (*class_release)(const struct __ktl_class *cls);
	void (*dev_release)(struct device *dev);
	int (*shutdown_pre)(struct device *dev);
	const struct kobj_ns_type_operations *ns_type;
#ifdef __cplusplus
	const void *(*namespace_)(const struct device *dev);
#else
	const void *(*namespace)(const struct device *dev);
#endif
	void (*get_ownership)(const struct device *dev, kuid_t *uid, kgid_t *gid);
	const struct dev_pm_ops *pm;
};

/* A device made by device_create() or misc_register(). */
struct device {
	struct kobject kobj;
	struct device *parent;
	const char *init_name;
	const struct device_type *type;
	const struct bus_type *bus;
	struct device_driver *driver;
	void *platform_data;
	void *driver_data;
	dev_t devt;
	u32 id;
#ifdef __cplusplus
	const struct __ktl_class *class_;
#else
	const struct __ktl_class *class;
#endif
	const struct attribute_group **groups;
	void (*release)(struct device *dev);
};

struct device_attribute {
	struct attribute attr;
	ssize_t (*show)(struct device *dev, struct device_attribute *attr, char *buf);
	ssize_t (*store)(struct device *dev, struct device_attribute *attr, const char *buf,
			 size_t count);
};

/* compat/src/device.cc asserts the same numbers. */
__KTL_LAYOUT(sizeof(struct __ktl_class) == 96 && offsetof(struct __ktl_class, devnode) == 32);
__KTL_LAYOUT(sizeof(struct device) == 152 && offsetof(struct device, driver_data) == 112 &&
	     offsetof(struct device, devt) == 120);
__KTL_LAYOUT(sizeof(struct device_attribute) == 32);

#define DEVICE_ATTR(_name, _mode, _show, _store) \
	struct device_attribute dev_attr_##_name = __ATTR(_name, _mode, _show, _store)
#define DEVICE_ATTR_RW(_name) struct device_attribute dev_attr_##_name = __ATTR_RW(_name)
#define DEVICE_ATTR_RO(_name) struct device_attribute dev_attr_##_name = __ATTR_RO(_name)
#define DEVICE_ATTR_WO(_name) struct device_attribute dev_attr_##_name = __ATTR_WO(_name)

static inline const char *dev_name(const struct device *dev)
{
	if (dev->init_name)
		return dev->init_name;
	return kobject_name(&dev->kobj);
}

static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}

static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

__KTL_BEGIN_DECLS

/* A class: /sys/class/@name. Return: it, or ERR_PTR(-EEXIST/-ENOMEM). */
struct __ktl_class *__ktl_class_create(const char *name) __ktl_abi(class_create);
void class_destroy(const struct __ktl_class *cls) __ktl_abi(class_destroy);
/* A class defined by the caller (6.4+ style). Return: 0 or -EEXIST. */
int class_register(const struct __ktl_class *cls) __ktl_abi(class_register);
void class_unregister(const struct __ktl_class *cls) __ktl_abi(class_unregister);

/**
 * device_create - a device of @cls named by @fmt, with number @devt
 *
 * Context: task. Return: the device (its "dev" file reads "MAJOR:MINOR"), or an ERR_PTR
 * (-EEXIST for a duplicate name in the class, -ENOMEM).
 */
struct device *device_create(const struct __ktl_class *cls, struct device *parent, dev_t devt,
			     void *drvdata, const char *fmt, ...) __ktl_abi(device_create)
	__printf(5, 6);
/* Removes the device of @cls with number @devt. */
void device_destroy(const struct __ktl_class *cls, dev_t devt) __ktl_abi(device_destroy);
/* Removes @dev (made by device_create()). */
void device_unregister(struct device *dev) __ktl_abi(device_unregister);
struct device *get_device(struct device *dev) __ktl_abi(get_device);
void put_device(struct device *dev) __ktl_abi(put_device);
int device_create_file(struct device *device, const struct device_attribute *entry)
	__ktl_abi(device_create_file);
void device_remove_file(struct device *dev, const struct device_attribute *attr)
	__ktl_abi(device_remove_file);

/* "<class> <name>: " + the message, at @level (a KERN_* string). */
void _dev_printk(const char *level, const struct device *dev, const char *fmt, ...)
	__ktl_abi(_dev_printk) __printf(3, 4);

__KTL_END_DECLS

#define __ktl_class_create_pick(_1, _2, name, ...) name
#define __ktl_class_create_old(owner, name) ((void)(owner), __ktl_class_create(name))
/* class_create(name) (6.4+), and class_create(THIS_MODULE, name) of older kernels. */
#define class_create(...) \
	__ktl_class_create_pick(__VA_ARGS__, __ktl_class_create_old, __ktl_class_create)(__VA_ARGS__)

#ifndef dev_fmt
#define dev_fmt(fmt) fmt
#endif

#define dev_printk(level, dev, fmt, ...) _dev_printk(level, dev, dev_fmt(fmt), ##__VA_ARGS__)
#define dev_emerg(dev, fmt, ...) _dev_printk(KERN_EMERG, dev, dev_fmt(fmt), ##__VA_ARGS__)
#define dev_alert(dev, fmt, ...) _dev_printk(KERN_ALERT, dev, dev_fmt(fmt), ##__VA_ARGS__)
#define dev_crit(dev, fmt, ...) _dev_printk(KERN_CRIT, dev, dev_fmt(fmt), ##__VA_ARGS__)
#define dev_err(dev, fmt, ...) _dev_printk(KERN_ERR, dev, dev_fmt(fmt), ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...) _dev_printk(KERN_WARNING, dev, dev_fmt(fmt), ##__VA_ARGS__)
#define dev_notice(dev, fmt, ...) _dev_printk(KERN_NOTICE, dev, dev_fmt(fmt), ##__VA_ARGS__)
#define dev_info(dev, fmt, ...) _dev_printk(KERN_INFO, dev, dev_fmt(fmt), ##__VA_ARGS__)
#ifdef DEBUG
#define dev_dbg(dev, fmt, ...) _dev_printk(KERN_DEBUG, dev, dev_fmt(fmt), ##__VA_ARGS__)
#else
#define dev_dbg(dev, fmt, ...)                                                  \
	({                                                                      \
		if (0)                                                          \
			_dev_printk(KERN_DEBUG, dev, dev_fmt(fmt), ##__VA_ARGS__); \
	})
#endif
#define dev_err_once(dev, fmt, ...) dev_err(dev, fmt, ##__VA_ARGS__)
#define dev_warn_once(dev, fmt, ...) dev_warn(dev, fmt, ##__VA_ARGS__)
#define dev_info_once(dev, fmt, ...) dev_info(dev, fmt, ##__VA_ARGS__)
#define dev_err_ratelimited(dev, fmt, ...) dev_err(dev, fmt, ##__VA_ARGS__)
#define dev_warn_ratelimited(dev, fmt, ...) dev_warn(dev, fmt, ##__VA_ARGS__)
#define dev_info_ratelimited(dev, fmt, ...) dev_info(dev, fmt, ##__VA_ARGS__)
/* Logs the error unless it is -EPROBE_DEFER; returns @err. */
#define dev_err_probe(dev, err, fmt, ...)                                       \
	({                                                                      \
		int __dep_err = (err);                                          \
		if (__dep_err != -EPROBE_DEFER)                                 \
			dev_err(dev, "error %pe: " fmt, ERR_PTR(__dep_err), ##__VA_ARGS__); \
		__dep_err;                                                      \
	})

/* module_init/module_exit that only register and unregister @__driver. */
#define module_driver(__driver, __register, __unregister, ...)                 \
	static int __init __driver##_init(void)                                 \
	{                                                                       \
		return __register(&(__driver), ##__VA_ARGS__);                  \
	}                                                                       \
	module_init(__driver##_init);                                           \
	static void __exit __driver##_exit(void)                                \
	{                                                                       \
		__unregister(&(__driver), ##__VA_ARGS__);                       \
	}                                                                       \
	module_exit(__driver##_exit);

/* Buses, drivers, managed resources: ktl has no hardware to bind them to. */
#define device_register(...) __ktl_unsupported(device_register)
#define device_add(...) __ktl_unsupported(device_add)
#define device_initialize(...) __ktl_unsupported(device_initialize)
#define device_del(...) __ktl_unsupported(device_del)
#define driver_register(...) __ktl_unsupported(driver_register)
#define bus_register(...) __ktl_unsupported(bus_register)
#define devm_kzalloc(...) __ktl_unsupported(devm_kzalloc)
#define devm_kmalloc(...) __ktl_unsupported(devm_kmalloc)
#define device_create_with_groups(...) __ktl_unsupported(device_create_with_groups)

#endif /* _LINUX_DEVICE_H */
