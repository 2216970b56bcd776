/* SPDX-License-Identifier: MIT */
/*
 * linux/kobject.h - kobjects: reference-counted objects that are directories in /sys.
 *
 * kobject_create_and_add("foo", kernel_kobj) makes /sys/kernel/foo; attributes added with
 * sysfs_create_file()/sysfs_create_group() are files in it (<linux/sysfs.h>). A NULL
 * parent means /sys itself (or the kset's directory when kobj->kset is set). The last
 * kobject_put() removes the directory and everything in it, then calls the type's
 * ->release (kobject_create_and_add objects free themselves); a type without ->release
 * gets the kernel's "does not have a release() function, it is broken and must be fixed"
 * warning. A duplicate name fails kobject_add() with -EEXIST and the kernel's messages.
 * Embedding a struct kobject and kobject_init_and_add() with an own kobj_type (whose
 * sysfs_ops->show/store receive the struct attribute) works as in Linux, as do ksets
 * made with kset_create_and_add(). uevents are not sent (kobject_uevent returns 0).
 */
#ifndef _LINUX_KOBJECT_H
#define _LINUX_KOBJECT_H

#include <linux/compiler.h>
#include <linux/container_of.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/stdarg.h>
#include <linux/sysfs.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct kset;
struct kobj_type;
struct kernfs_node;
struct kobj_ns_type_operations;
struct kset_uevent_ops;

struct kobject {
	const char *name;
	struct list_head entry;
	struct kobject *parent;
	struct kset *kset;
	const struct kobj_type *ktype;
	struct kernfs_node *sd; /* ktl: the sysfs directory record */
	struct kref kref;
	unsigned int state_initialized : 1;
	unsigned int state_in_sysfs : 1;
	unsigned int state_add_uevent_sent : 1;
	unsigned int state_remove_uevent_sent : 1;
	unsigned int uevent_suppress : 1;
};

struct kobj_type {
	void (*release)(struct kobject *kobj);
	const struct sysfs_ops *sysfs_ops;
	const struct attribute_group **default_groups;
	const struct kobj_ns_type_operations *(*child_ns_type)(const struct kobject *kobj);
#ifdef __cplusplus
	const void *(*namespace_)(const struct kobject *kobj); /* a C++ keyword */
#else
	const void *(*namespace)(const struct kobject *kobj);
#endif
	void (*get_ownership)(const struct kobject *kobj, kuid_t *uid, kgid_t *gid);
};

/* The attribute type of kobject_create_and_add() objects (kobj_sysfs_ops dispatches to it). */
struct kobj_attribute {
	struct attribute attr;
	ssize_t (*show)(struct kobject *kobj, struct kobj_attribute *attr, char *buf);
	ssize_t (*store)(struct kobject *kobj, struct kobj_attribute *attr, const char *buf,
			 size_t count);
};

struct kset {
	struct list_head list;
	spinlock_t list_lock;
	struct kobject kobj;
	const struct kset_uevent_ops *uevent_ops;
};

/* compat/src/sysfs.cc asserts the same numbers. */
__KTL_LAYOUT(sizeof(struct kobject) == 64 && offsetof(struct kobject, parent) == 24 &&
	     offsetof(struct kobject, ktype) == 40 && offsetof(struct kobject, sd) == 48 &&
	     offsetof(struct kobject, kref) == 56);
__KTL_LAYOUT(sizeof(struct kobj_type) == 48 && offsetof(struct kobj_type, default_groups) == 16);
__KTL_LAYOUT(sizeof(struct kobj_attribute) == 32 && offsetof(struct kobj_attribute, store) == 24);
__KTL_LAYOUT(sizeof(struct kset) == 96 && offsetof(struct kset, kobj) == 24);

enum kobject_action {
	KOBJ_ADD,
	KOBJ_REMOVE,
	KOBJ_CHANGE,
	KOBJ_MOVE,
	KOBJ_ONLINE,
	KOBJ_OFFLINE,
	KOBJ_BIND,
	KOBJ_UNBIND,
};

__KTL_BEGIN_DECLS

/* /sys/kernel, /sys/kernel/mm, /sys/fs, /sys/firmware, /sys/hypervisor, /sys/power. */
extern struct kobject *kernel_kobj __ktl_abi(kernel_kobj);
extern struct kobject *mm_kobj __ktl_abi(mm_kobj);
extern struct kobject *fs_kobj __ktl_abi(fs_kobj);
extern struct kobject *firmware_kobj __ktl_abi(firmware_kobj);
extern struct kobject *hypervisor_kobj __ktl_abi(hypervisor_kobj);
extern struct kobject *power_kobj __ktl_abi(power_kobj);
/* show/store of a kobj_attribute, for kobj_types of kobj_attribute files. */
extern const struct sysfs_ops kobj_sysfs_ops __ktl_abi(kobj_sysfs_ops);

/* Initialises @kobj with @ktype and one reference (a second init is reported). */
void kobject_init(struct kobject *kobj, const struct kobj_type *ktype) __ktl_abi(kobject_init);
/**
 * kobject_add - name @kobj and make its sysfs directory under @parent
 *
 * Context: task. Return: 0, -EEXIST (with the kernel's duplicate messages), -EINVAL. On
 * failure the caller still owns its reference and must kobject_put() it.
 */
int kobject_add(struct kobject *kobj, struct kobject *parent, const char *fmt, ...)
	__ktl_abi(kobject_add) __printf(3, 4);
int kobject_init_and_add(struct kobject *kobj, const struct kobj_type *ktype,
			 struct kobject *parent, const char *fmt, ...)
	__ktl_abi(kobject_init_and_add) __printf(4, 5);
/* Removes the directory (the object stays until its last kobject_put()). */
void kobject_del(struct kobject *kobj) __ktl_abi(kobject_del);
/**
 * kobject_create_and_add - a new kobject with a directory /sys/.../@name
 * @name: the directory's name
 * @parent: kernel_kobj and friends, another kobject, or NULL for /sys
 *
 * Context: task. Return: the kobject (drop it with kobject_put()), or NULL.
 */
struct kobject *kobject_create_and_add(const char *name, struct kobject *parent)
	__ktl_abi(kobject_create_and_add);
struct kobject *kobject_get(struct kobject *kobj) __ktl_abi(kobject_get);
struct kobject *__must_check kobject_get_unless_zero(struct kobject *kobj)
	__ktl_abi(kobject_get_unless_zero);
/* Drops a reference; the last one removes the directory and calls ktype->release. */
void kobject_put(struct kobject *kobj) __ktl_abi(kobject_put);
int kobject_set_name(struct kobject *kobj, const char *name, ...) __ktl_abi(kobject_set_name)
	__printf(2, 3);
int kobject_rename(struct kobject *kobj, const char *new_name) __ktl_abi(kobject_rename);
/* "/kernel/foo" (the path below /sys), kmalloc'ed: kfree it. */
char *kobject_get_path(const struct kobject *kobj, gfp_t flag) __ktl_abi(kobject_get_path);
int kobject_uevent(struct kobject *kobj, enum kobject_action action) __ktl_abi(kobject_uevent);
int kobject_uevent_env(struct kobject *kobj, enum kobject_action action, char *envp[])
	__ktl_abi(kobject_uevent_env);

struct kset *kset_create_and_add(const char *name, const struct kset_uevent_ops *u,
				 struct kobject *parent_kobj) __ktl_abi(kset_create_and_add);
int kset_register(struct kset *kset) __ktl_abi(kset_register);
void kset_unregister(struct kset *kset) __ktl_abi(kset_unregister);

__KTL_END_DECLS

static inline const char *kobject_name(const struct kobject *kobj)
{
	return kobj->name;
}

static inline struct kset *to_kset(struct kobject *kobj)
{
	return kobj ? container_of(kobj, struct kset, kobj) : NULL;
}

static inline struct kset *kset_get(struct kset *k)
{
	return k ? to_kset(kobject_get(&k->kobj)) : NULL;
}

static inline void kset_put(struct kset *k)
{
	kobject_put(&k->kobj);
}

static inline const struct kobj_type *get_ktype(const struct kobject *kobj)
{
	return kobj->ktype;
}

#define kobject_move(...) __ktl_unsupported(kobject_move)

#endif /* _LINUX_KOBJECT_H */
