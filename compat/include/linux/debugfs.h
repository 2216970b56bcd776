/* SPDX-License-Identifier: MIT */
/*
 * linux/debugfs.h - debugging files under /sys/kernel/debug.
 *
 * debugfs is always mounted in ktl: debugfs_create_dir("foo", NULL) makes
 * /sys/kernel/debug/foo, and its files are read with cat and written with echo > from
 * the console (ktl::proc_read/proc_write). A file made with debugfs_create_file() is
 * accessed through its file_operations as /proc entries are (open, ->read in PAGE_SIZE
 * chunks until 0, release, in the reader's task); inode->i_private is @data.
 * The value files (debugfs_create_u32, _x32, _bool, _atomic_t, ...) print and parse as
 * Linux's do ("%llu\n", "0x%08llx\n", "Y\n"/"N\n").
 *
 * As in Linux 6.x the creation functions return an ERR_PTR on failure (-EEXIST for a
 * duplicate name, with the kernel's "debugfs: File 'x' in directory 'y' already present!"
 * message) and accept an ERR_PTR parent, which they pass through; callers need not check.
 * debugfs_remove() removes a whole directory and waits for accesses in progress to end.
 */
#ifndef _LINUX_DEBUGFS_H
#define _LINUX_DEBUGFS_H

#include <asm/ktl-fs.h>
#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/types.h>

struct debugfs_blob_wrapper {
	void *data;
	unsigned long size;
};

struct debugfs_u32_array {
	u32 *array;
	u32 n_elements;
};

__KTL_BEGIN_DECLS

/**
 * debugfs_create_file - a file under /sys/kernel/debug
 * @name: its name (no '/')
 * @mode: permission bits; S_IFREG is implied
 * @parent: a directory from debugfs_create_dir(), or NULL for the debugfs root
 * @data: inode->i_private for @fops
 * @fops: its operations (must stay valid until removal)
 *
 * Context: task. Return: its dentry, or an ERR_PTR (-EEXIST, -ENOMEM, or @parent's error).
 */
struct dentry *debugfs_create_file(const char *name, umode_t mode, struct dentry *parent,
				   void *data, const struct file_operations *fops)
	__ktl_abi(debugfs_create_file);
struct dentry *debugfs_create_file_unsafe(const char *name, umode_t mode, struct dentry *parent,
					  void *data, const struct file_operations *fops)
	__ktl_abi(debugfs_create_file);
void debugfs_create_file_size(const char *name, umode_t mode, struct dentry *parent, void *data,
			      const struct file_operations *fops, loff_t file_size)
	__ktl_abi(debugfs_create_file_size);
struct dentry *debugfs_create_dir(const char *name, struct dentry *parent)
	__ktl_abi(debugfs_create_dir);
/* The entry @name in @parent (NULL: the root), with a reference (dput() it), or NULL. */
struct dentry *debugfs_lookup(const char *name, struct dentry *parent) __ktl_abi(debugfs_lookup);
/* Removes @dentry and everything below it; NULL or an ERR_PTR is ignored. */
void debugfs_remove(struct dentry *dentry) __ktl_abi(debugfs_remove);
void debugfs_lookup_and_remove(const char *name, struct dentry *parent)
	__ktl_abi(debugfs_lookup_and_remove);
/* Drops a reference taken by debugfs_lookup(). */
void dput(struct dentry *dentry) __ktl_abi(dput);
bool debugfs_initialized(void) __ktl_abi(debugfs_initialized);

void debugfs_create_u8(const char *name, umode_t mode, struct dentry *parent, u8 *value)
	__ktl_abi(debugfs_create_u8);
void debugfs_create_u16(const char *name, umode_t mode, struct dentry *parent, u16 *value)
	__ktl_abi(debugfs_create_u16);
void debugfs_create_u32(const char *name, umode_t mode, struct dentry *parent, u32 *value)
	__ktl_abi(debugfs_create_u32);
void debugfs_create_u64(const char *name, umode_t mode, struct dentry *parent, u64 *value)
	__ktl_abi(debugfs_create_u64);
void debugfs_create_ulong(const char *name, umode_t mode, struct dentry *parent,
			  unsigned long *value) __ktl_abi(debugfs_create_ulong);
void debugfs_create_x8(const char *name, umode_t mode, struct dentry *parent, u8 *value)
	__ktl_abi(debugfs_create_x8);
void debugfs_create_x16(const char *name, umode_t mode, struct dentry *parent, u16 *value)
	__ktl_abi(debugfs_create_x16);
void debugfs_create_x32(const char *name, umode_t mode, struct dentry *parent, u32 *value)
	__ktl_abi(debugfs_create_x32);
void debugfs_create_x64(const char *name, umode_t mode, struct dentry *parent, u64 *value)
	__ktl_abi(debugfs_create_x64);
void debugfs_create_size_t(const char *name, umode_t mode, struct dentry *parent, size_t *value)
	__ktl_abi(debugfs_create_size_t);
void debugfs_create_atomic_t(const char *name, umode_t mode, struct dentry *parent,
			     atomic_t *value) __ktl_abi(debugfs_create_atomic_t);
void debugfs_create_bool(const char *name, umode_t mode, struct dentry *parent, bool *value)
	__ktl_abi(debugfs_create_bool);
/* A string file: reads *@value, writes replace it with a kmalloc'ed copy. */
void debugfs_create_str(const char *name, umode_t mode, struct dentry *parent, char **value)
	__ktl_abi(debugfs_create_str);
/* A read-only file showing the bytes of @blob. */
struct dentry *debugfs_create_blob(const char *name, umode_t mode, struct dentry *parent,
				   struct debugfs_blob_wrapper *blob) __ktl_abi(debugfs_create_blob);
/* A read-only file listing the array's elements separated by spaces. */
void debugfs_create_u32_array(const char *name, umode_t mode, struct dentry *parent,
			      struct debugfs_u32_array *array) __ktl_abi(debugfs_create_u32_array);

/* ->read/->write of DEFINE_DEBUGFS_ATTRIBUTE files (simple_attr_* under the hood). */
ssize_t debugfs_attr_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
	__ktl_abi(simple_attr_read);
ssize_t debugfs_attr_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
	__ktl_abi(simple_attr_write);
ssize_t debugfs_attr_write_signed(struct file *file, const char __user *buf, size_t len,
				  loff_t *ppos) __ktl_abi(simple_attr_write_signed);
ssize_t debugfs_read_file_bool(struct file *file, char __user *user_buf, size_t count,
			       loff_t *ppos) __ktl_abi(debugfs_read_file_bool);
ssize_t debugfs_write_file_bool(struct file *file, const char __user *user_buf, size_t count,
				loff_t *ppos) __ktl_abi(debugfs_write_file_bool);

__KTL_END_DECLS

#define debugfs_remove_recursive debugfs_remove

/* Accesses are already protected against removal (see debugfs_remove): no-ops here. */
static inline int debugfs_file_get(struct dentry *dentry)
{
	(void)dentry;
	return 0;
}

static inline void debugfs_file_put(struct dentry *dentry)
{
	(void)dentry;
}

static inline const struct file_operations *debugfs_real_fops(const struct file *filp)
{
	return filp->f_op;
}

/* A file reading and writing one u64 through @__get/@__set, printed with @__fmt. */
#define DEFINE_DEBUGFS_ATTRIBUTE_XSIGNED(__fops, __get, __set, __fmt, __is_signed)        \
	static int __fops##_open(struct inode *inode, struct file *file)                  \
	{                                                                                 \
		__simple_attr_check_format(__fmt, 0ull);                                  \
		return simple_attr_open(inode, file, __get, __set, __fmt);                \
	}                                                                                 \
	static const struct file_operations __fops = {                                    \
		.owner = THIS_MODULE,                                                     \
		.llseek = no_llseek,                                                      \
		.read = debugfs_attr_read,                                                \
		.write = (__is_signed) ? debugfs_attr_write_signed : debugfs_attr_write,  \
		.open = __fops##_open,                                                    \
		.release = simple_attr_release,                                           \
	}
#define DEFINE_DEBUGFS_ATTRIBUTE(__fops, __get, __set, __fmt) \
	DEFINE_DEBUGFS_ATTRIBUTE_XSIGNED(__fops, __get, __set, __fmt, false)
#define DEFINE_DEBUGFS_ATTRIBUTE_SIGNED(__fops, __get, __set, __fmt) \
	DEFINE_DEBUGFS_ATTRIBUTE_XSIGNED(__fops, __get, __set, __fmt, true)

/* Register dumps, symlinks and automounts need hardware or a real dcache. */
#define debugfs_create_regset32(...) __ktl_unsupported(debugfs_create_regset32)
#define debugfs_create_symlink(...) __ktl_unsupported(debugfs_create_symlink)
#define debugfs_create_automount(...) __ktl_unsupported(debugfs_create_automount)
#define debugfs_create_devm_seqfile(...) __ktl_unsupported(debugfs_create_devm_seqfile)
#define debugfs_rename(...) __ktl_unsupported(debugfs_rename)

#endif /* _LINUX_DEBUGFS_H */
