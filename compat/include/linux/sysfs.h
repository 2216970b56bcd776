/* SPDX-License-Identifier: MIT */
/*
 * linux/sysfs.h - attribute files of kobjects under /sys.
 *
 * An attribute of a kobject at /sys/kernel/foo is the file /sys/kernel/foo/<name>: cat
 * calls the kobject type's sysfs_ops->show with a zeroed PAGE_SIZE buffer (for
 * kobject_create_and_add() objects: the kobj_attribute's ->show), echo > calls ->store
 * with the written text, NUL-terminated, at most PAGE_SIZE - 1 bytes. As in Linux, a file
 * whose mode has no read bit, or no ->show, reads -EACCES ("Permission denied"), and one
 * without a write bit or ->store refuses writes with -EACCES; both run in the task doing
 * the access. Removing an attribute (or its kobject) waits for a show/store in progress.
 * A duplicate name prints "sysfs: cannot create duplicate filename '<path>'" and a stack
 * dump, and fails with -EEXIST.
 */
#ifndef _LINUX_SYSFS_H
#define _LINUX_SYSFS_H

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/stat.h>
#include <linux/stdarg.h>
#include <linux/stringify.h>
#include <linux/types.h>

struct kobject;
struct module;
struct bin_attribute;
struct file;
struct vm_area_struct;

struct attribute {
	const char *name;
	umode_t mode;
};

/* A group of attributes, optionally in a subdirectory @name of the kobject's. */
struct attribute_group {
	const char *name;
	umode_t (*is_visible)(struct kobject *, struct attribute *, int);
	umode_t (*is_bin_visible)(struct kobject *, const struct bin_attribute *, int);
	size_t (*bin_size)(struct kobject *, const struct bin_attribute *, int);
	struct attribute **attrs;
	const struct bin_attribute *const *bin_attrs;
};

struct sysfs_ops {
	ssize_t (*show)(struct kobject *, struct attribute *, char *);
	ssize_t (*store)(struct kobject *, struct attribute *, const char *, size_t);
};

/* compat/src/sysfs_internal.h mirrors these (sysfs.cc asserts the same numbers). */
__KTL_LAYOUT(sizeof(struct attribute) == 16 && offsetof(struct attribute, mode) == 8);
__KTL_LAYOUT(sizeof(struct attribute_group) == 48 && offsetof(struct attribute_group, attrs) == 32);
__KTL_LAYOUT(sizeof(struct sysfs_ops) == 16);

#define SYSFS_PREALLOC 010000
#define SYSFS_GROUP_INVISIBLE 020000

#define __ATTR(_name, _mode, _show, _store)                                            \
	{                                                                              \
		.attr = { .name = __stringify(_name),                                  \
			  .mode = VERIFY_OCTAL_PERMISSIONS(_mode) },                    \
		.show = _show,                                                         \
		.store = _store,                                                       \
	}
#define __ATTR_PREALLOC(_name, _mode, _show, _store) \
	__ATTR(_name, (SYSFS_PREALLOC | VERIFY_OCTAL_PERMISSIONS(_mode)), _show, _store)
#define __ATTR_RO(_name)                                                               \
	{                                                                              \
		.attr = { .name = __stringify(_name), .mode = 0444 },                   \
		.show = _name##_show,                                                  \
	}
#define __ATTR_RO_MODE(_name, _mode)                                                   \
	{                                                                              \
		.attr = { .name = __stringify(_name),                                  \
			  .mode = VERIFY_OCTAL_PERMISSIONS(_mode) },                    \
		.show = _name##_show,                                                  \
	}
#define __ATTR_RW_MODE(_name, _mode) \
	__ATTR(_name, _mode, _name##_show, _name##_store)
#define __ATTR_WO(_name)                                                               \
	{                                                                              \
		.attr = { .name = __stringify(_name), .mode = 0200 },                   \
		.store = _name##_store,                                                \
	}
#define __ATTR_RW(_name) __ATTR(_name, 0644, _name##_show, _name##_store)
#define __ATTR_NULL { .attr = { .name = NULL } }

#define __ATTRIBUTE_GROUPS(_name)                                                      \
	static const struct attribute_group *_name##_groups[] = {                      \
		&_name##_group,                                                        \
		NULL,                                                                  \
	}
#define ATTRIBUTE_GROUPS(_name)                                                        \
	static const struct attribute_group _name##_group = {                          \
		.attrs = _name##_attrs,                                                \
	};                                                                             \
	__ATTRIBUTE_GROUPS(_name)

#define sysfs_attr_init(attr) do { } while (0)

__KTL_BEGIN_DECLS

/**
 * sysfs_create_file - add an attribute file to a kobject's directory
 *
 * Context: task. Return: 0, -EEXIST (duplicate name), -ENOENT (the kobject is not in
 * sysfs) or -EINVAL.
 */
int sysfs_create_file(struct kobject *kobj, const struct attribute *attr)
	__ktl_abi(sysfs_create_file);
/* Removes it, waiting for a show/store in progress. A missing name is ignored. */
void sysfs_remove_file(struct kobject *kobj, const struct attribute *attr)
	__ktl_abi(sysfs_remove_file);
/* Every attribute of the NULL-terminated @attr; on failure the ones made are removed. */
int sysfs_create_files(struct kobject *kobj, const struct attribute *const *attr)
	__ktl_abi(sysfs_create_files);
void sysfs_remove_files(struct kobject *kobj, const struct attribute *const *attr)
	__ktl_abi(sysfs_remove_files);
/**
 * sysfs_create_group - add a group of attributes (in a subdirectory if @grp->name)
 *
 * ->is_visible, if set, gives each attribute's mode (0: left out).
 * Context: task. Return: 0 or -errno; on failure nothing of the group is left.
 */
int sysfs_create_group(struct kobject *kobj, const struct attribute_group *grp)
	__ktl_abi(sysfs_create_group);
int sysfs_create_groups(struct kobject *kobj, const struct attribute_group **groups)
	__ktl_abi(sysfs_create_groups);
/* Re-evaluates ->is_visible: adds or removes files accordingly. */
int sysfs_update_group(struct kobject *kobj, const struct attribute_group *grp)
	__ktl_abi(sysfs_update_group);
void sysfs_remove_group(struct kobject *kobj, const struct attribute_group *grp)
	__ktl_abi(sysfs_remove_group);
void sysfs_remove_groups(struct kobject *kobj, const struct attribute_group **groups)
	__ktl_abi(sysfs_remove_groups);
/* Wakes pollers of the attribute (ktl has none: a no-op). */
void sysfs_notify(struct kobject *kobj, const char *dir, const char *attr)
	__ktl_abi(sysfs_notify);

/**
 * sysfs_emit - format a show() result into its PAGE_SIZE buffer
 * @buf: the buffer ->show received (must be page aligned, as sysfs hands it)
 *
 * Return: the number of characters written (at most PAGE_SIZE - 1).
 */
int sysfs_emit(char *buf, const char *fmt, ...) __ktl_abi(sysfs_emit) __printf(2, 3);
/* sysfs_emit() at offset @at of the page. */
int sysfs_emit_at(char *buf, int at, const char *fmt, ...) __ktl_abi(sysfs_emit_at)
	__printf(3, 4);

__KTL_END_DECLS

static inline int sysfs_create_file_ns(struct kobject *kobj, const struct attribute *attr,
				       const void *ns)
{
	(void)ns;
	return sysfs_create_file(kobj, attr);
}

/* Links, binary attributes and sysfs permission changes need a real sysfs. */
#define sysfs_create_link(...) __ktl_unsupported(sysfs_create_link)
#define sysfs_create_link_nowarn(...) __ktl_unsupported(sysfs_create_link_nowarn)
#define sysfs_remove_link(...) __ktl_unsupported(sysfs_remove_link)
#define sysfs_create_bin_file(...) __ktl_unsupported(sysfs_create_bin_file)
#define sysfs_remove_bin_file(...) __ktl_unsupported(sysfs_remove_bin_file)
#define sysfs_chmod_file(...) __ktl_unsupported(sysfs_chmod_file)
#define sysfs_merge_group(...) __ktl_unsupported(sysfs_merge_group)
#define sysfs_unmerge_group(...) __ktl_unsupported(sysfs_unmerge_group)

#endif /* _LINUX_SYSFS_H */
