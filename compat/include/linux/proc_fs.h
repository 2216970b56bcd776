/* SPDX-License-Identifier: MIT */
/*
 * linux/proc_fs.h - files and directories under /proc.
 *
 * An entry made here appears at /proc/<parent path>/<name>, readable from ktl's console
 * with cat and writable with echo > (ktl::proc_read/proc_write from C++). Each access is
 * open (->proc_open), ->proc_read (or ->proc_read_iter) in PAGE_SIZE chunks until it
 * returns 0, then ->proc_release, in the reader's task; a write is open, ->proc_write
 * until everything is taken, release. The files ktl itself provides (/proc/PID/...,
 * /proc/stat, /proc/sys/..., /proc/devices, ...) win: creating an entry under one of their
 * names fails as a duplicate.
 *
 * As in Linux 6.x:
 * - a duplicate name prints "proc_dir_entry '<parent>/<name>' already registered" with a
 *   WARN and returns NULL, keeping the first entry;
 * - names may contain '/' to reach into existing directories ("driver/foo");
 * - remove_proc_entry() waits for reads and writes in progress on the entry to finish, so
 *   after it returns no ->proc_* method of the entry runs; the entry then reads -ENOENT.
 *   It removes one entry (a non-empty directory is reported and its children leaked, as
 *   Linux does); remove_proc_subtree() and proc_remove() take a whole directory;
 * - pde_data(inode) returns the data given to proc_create_data() (PDE_DATA, its name before
 *   5.17, is kept as an alias).
 * /proc/driver, /proc/fs, /proc/tty and /proc/bus exist from boot, as on Linux.
 */
#ifndef _LINUX_PROC_FS_H
#define _LINUX_PROC_FS_H

#include <asm/ktl-fs.h>
#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/types.h>

struct proc_dir_entry;
struct seq_file;
struct seq_operations;

typedef int (*proc_write_t)(struct file *, char *, size_t);

__KTL_BEGIN_DECLS

/**
 * proc_create_data - create a /proc file
 * @name: its name, relative to @parent (NULL: /proc itself); may contain '/'
 * @mode: permission bits (0 means 0444); S_IFREG is implied
 * @parent: a directory from proc_mkdir(), or NULL
 * @proc_ops: its operations; must stay valid until the entry is removed
 * @data: returned by pde_data() on the file's inode
 *
 * Context: task. Return: the entry, or NULL (duplicate name, missing parent directory,
 * out of memory).
 */
struct proc_dir_entry *proc_create_data(const char *name, umode_t mode,
					struct proc_dir_entry *parent,
					const struct proc_ops *proc_ops, void *data)
	__ktl_abi(proc_create_data);
struct proc_dir_entry *proc_create(const char *name, umode_t mode, struct proc_dir_entry *parent,
				   const struct proc_ops *proc_ops) __ktl_abi(proc_create);
/* A file shown by one seq_file ->show() (single_open with @data as m->private). */
struct proc_dir_entry *proc_create_single_data(const char *name, umode_t mode,
					       struct proc_dir_entry *parent,
					       int (*show)(struct seq_file *, void *), void *data)
	__ktl_abi(proc_create_single_data);
/* A file walked by @ops; m->private is a zeroed block of @state_size bytes if non-zero. */
struct proc_dir_entry *proc_create_seq_private(const char *name, umode_t mode,
					       struct proc_dir_entry *parent,
					       const struct seq_operations *ops,
					       unsigned int state_size, void *data)
	__ktl_abi(proc_create_seq_private);

/* A directory (mode 0 means 0555). Return: the entry or NULL, as proc_create_data. */
struct proc_dir_entry *proc_mkdir_data(const char *name, umode_t mode,
				       struct proc_dir_entry *parent, void *data)
	__ktl_abi(proc_mkdir_data);
struct proc_dir_entry *proc_mkdir_mode(const char *name, umode_t mode,
				       struct proc_dir_entry *parent) __ktl_abi(proc_mkdir_mode);
struct proc_dir_entry *proc_mkdir(const char *name, struct proc_dir_entry *parent)
	__ktl_abi(proc_mkdir);

/* The size stat(2) would report (ktl's readers ignore it). */
void proc_set_size(struct proc_dir_entry *de, loff_t size) __ktl_abi(proc_set_size);
/* The owner stat(2) would report (every ktl task is root anyway). */
void proc_set_user(struct proc_dir_entry *de, kuid_t uid, kgid_t gid) __ktl_abi(proc_set_user);

/**
 * remove_proc_entry - remove one entry
 * @name: relative to @parent, as given at creation
 * @parent: its directory, or NULL
 *
 * Context: task; waits for reads and writes in progress on the entry. A missing name is
 * reported with a WARN ("name 'NAME'").
 */
void remove_proc_entry(const char *name, struct proc_dir_entry *parent)
	__ktl_abi(remove_proc_entry);
/* Removes an entry and everything below it. Return: 0 or -ENOENT. */
int remove_proc_subtree(const char *name, struct proc_dir_entry *parent)
	__ktl_abi(remove_proc_subtree);
/* remove_proc_subtree() of @de itself (NULL: nothing). */
void proc_remove(struct proc_dir_entry *de) __ktl_abi(proc_remove);
/* The data of the directory containing the file of @inode. */
void *proc_get_parent_data(const struct inode *inode) __ktl_abi(proc_get_parent_data);

__KTL_END_DECLS

#define proc_create_single(name, mode, parent, show) \
	proc_create_single_data(name, mode, parent, show, NULL)
#define proc_create_seq_data(name, mode, parent, ops, data) \
	proc_create_seq_private(name, mode, parent, ops, 0, data)
#define proc_create_seq(name, mode, parent, ops) \
	proc_create_seq_private(name, mode, parent, ops, 0, NULL)

/* The data given to proc_create_data()/proc_mkdir_data() for the file of @inode. */
static inline void *pde_data(const struct inode *inode)
{
	return inode->i_private;
}

/* The name before Linux 5.17; code choosing it by LINUX_VERSION_CODE takes pde_data. */
#define PDE_DATA(inode) pde_data(inode)

/* Entries ktl cannot provide: network namespaces, symlinks, /proc/PID/net. */
#define proc_symlink(...) __ktl_unsupported(proc_symlink)
#define proc_create_net(...) __ktl_unsupported(proc_create_net)
#define proc_create_net_data(...) __ktl_unsupported(proc_create_net_data)
#define proc_create_net_single(...) __ktl_unsupported(proc_create_net_single)
#define proc_create_mount_point(...) __ktl_unsupported(proc_create_mount_point)

#endif /* _LINUX_PROC_FS_H */
