/* SPDX-License-Identifier: MIT */
/*
 * linux/fs.h - struct file, struct inode, file_operations, the llseek and buffer helpers,
 * and character device numbers.
 *
 * ktl has no VFS and no file descriptors. Module files are reached by path from the
 * console or a test (ktl::proc_read/proc_write): /proc entries (<linux/proc_fs.h>),
 * debugfs (<linux/debugfs.h>, under /sys/kernel/debug) and sysfs attributes
 * (<linux/sysfs.h>). Each access is one open/read..read/release (cat) or
 * open/write/release (echo >) sequence on a fresh struct file, run in the reader's task: the
 * console's shell is a user task with an mm, so copy_to_user() into its buffer works.
 * A read is issued in chunks of PAGE_SIZE until ->read returns 0 (end of file) or an error,
 * so a file larger than a page takes several ->read calls with an advancing *ppos.
 *
 * Character devices (register_chrdev, alloc_chrdev_region, misc_register) are recorded and
 * listed in /proc/devices and /proc/misc with their numbers, as on Linux, but there is no
 * device node to open in ktl: their file_operations are never called.
 */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <asm/ktl-fs.h>
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/init.h>
#include <linux/ioctl.h>
#include <linux/kdev_t.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/uio.h>
#include <linux/wait.h>

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4
#define SEEK_MAX SEEK_HOLE

#define MAX_NON_LFS ((1UL << 31) - 1)
#define MAX_LFS_FILESIZE ((loff_t)0x7fffffffffffffffLL)

#define MAY_EXEC 0x00000001
#define MAY_WRITE 0x00000002
#define MAY_READ 0x00000004
#define MAY_APPEND 0x00000008

/* struct file.f_mode */
#define FMODE_READ ((fmode_t)(1 << 0))
#define FMODE_WRITE ((fmode_t)(1 << 1))
#define FMODE_LSEEK ((fmode_t)(1 << 2))
#define FMODE_PREAD ((fmode_t)(1 << 3))
#define FMODE_PWRITE ((fmode_t)(1 << 4))
#define FMODE_EXEC ((fmode_t)(1 << 5))
#define FMODE_WRITE_RESTRICTED ((fmode_t)(1 << 6))
#define FMODE_CAN_ATOMIC_WRITE ((fmode_t)(1 << 7))
#define FMODE_NOWAIT ((fmode_t)(1 << 8))
#define FMODE_NDELAY ((fmode_t)(1 << 9))
#define FMODE_EXCL ((fmode_t)(1 << 10))
#define FMODE_ATOMIC_POS ((fmode_t)(1 << 11))
#define FMODE_STREAM ((fmode_t)(1 << 12))
#define FMODE_UNSIGNED_OFFSET ((fmode_t)(1 << 13))
#define FMODE_CAN_READ ((fmode_t)(1 << 17))
#define FMODE_CAN_WRITE ((fmode_t)(1 << 18))
#define FMODE_OPENED ((fmode_t)(1 << 19))
#define FMODE_CREATED ((fmode_t)(1 << 20))
#define FMODE_NOACCOUNT ((fmode_t)(1 << 29))

/* file_operations.fop_flags */
#define FOP_BUFFER_RASYNC ((fop_flags_t)(1 << 0))
#define FOP_BUFFER_WASYNC ((fop_flags_t)(1 << 1))
#define FOP_MMAP_SYNC ((fop_flags_t)(1 << 2))
#define FOP_DIO_PARALLEL_WRITE ((fop_flags_t)(1 << 3))
#define FOP_HUGE_PAGES ((fop_flags_t)(1 << 4))
#define FOP_UNSIGNED_OFFSET ((fop_flags_t)(1 << 5))
#define FOP_ASYNC_LOCK ((fop_flags_t)(1 << 6))
#define FOP_DONTCACHE ((fop_flags_t)(1 << 7))

/* Character device majors (fs/char_dev.c). */
#define CHRDEV_MAJOR_MAX 512
#define CHRDEV_MAJOR_DYN_END 234
#define CHRDEV_MAJOR_DYN_EXT_START 511
#define CHRDEV_MAJOR_DYN_EXT_END 384

struct fasync_struct;
struct kstat;
struct iattr;

static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
}

static inline struct dentry *file_dentry(const struct file *file)
{
	return file->f_path.dentry;
}

static inline struct inode *d_inode(const struct dentry *dentry)
{
	return dentry->d_inode;
}

static inline unsigned int iminor(const struct inode *inode)
{
	return MINOR(inode->i_rdev);
}

static inline unsigned int imajor(const struct inode *inode)
{
	return MAJOR(inode->i_rdev);
}

static inline loff_t i_size_read(const struct inode *inode)
{
	return READ_ONCE(inode->i_size);
}

static inline void i_size_write(struct inode *inode, loff_t i_size)
{
	WRITE_ONCE(inode->i_size, i_size);
}

#define fops_get(fops) (fops)
#define fops_put(fops) ((void)(fops))

__KTL_BEGIN_DECLS

/*
 * The llseek implementations (fs/read_write.c). noop_llseek leaves f_pos alone and returns
 * it; default_llseek and generic_file_llseek move f_pos (SEEK_END is relative to i_size);
 * fixed_size_llseek/no_seek_end_llseek bound it.
 */
loff_t noop_llseek(struct file *file, loff_t offset, int whence) __ktl_abi(noop_llseek);
loff_t default_llseek(struct file *file, loff_t offset, int whence) __ktl_abi(default_llseek);
loff_t generic_file_llseek(struct file *file, loff_t offset, int whence)
	__ktl_abi(generic_file_llseek);
loff_t generic_file_llseek_size(struct file *file, loff_t offset, int whence, loff_t maxsize,
				loff_t eof) __ktl_abi(generic_file_llseek_size);
loff_t fixed_size_llseek(struct file *file, loff_t offset, int whence, loff_t size)
	__ktl_abi(fixed_size_llseek);
loff_t no_seek_end_llseek(struct file *file, loff_t offset, int whence)
	__ktl_abi(no_seek_end_llseek);
loff_t no_seek_end_llseek_size(struct file *file, loff_t offset, int whence, loff_t size)
	__ktl_abi(no_seek_end_llseek_size);
loff_t vfs_setpos(struct file *file, loff_t offset, loff_t maxsize) __ktl_abi(vfs_setpos);

/**
 * simple_read_from_buffer - copy data from a kernel buffer to user space at *@ppos
 * @to: the user buffer
 * @count: bytes wanted
 * @ppos: the file position; advanced by what was copied
 * @from: the kernel buffer
 * @available: its size
 *
 * Context: task (copies to user memory).
 * Return: bytes copied, 0 at or past the end of @from, -EFAULT if nothing could be copied
 * (e.g. the caller is a kernel thread: no user memory).
 */
ssize_t simple_read_from_buffer(void __user *to, size_t count, loff_t *ppos, const void *from,
				size_t available) __ktl_abi(simple_read_from_buffer);
/* The reverse: user data into @to at *@ppos. Returns bytes copied, -EFAULT or -EINVAL. */
ssize_t simple_write_to_buffer(void *to, size_t available, loff_t *ppos,
			       const void __user *from, size_t count)
	__ktl_abi(simple_write_to_buffer);
/* simple_read_from_buffer into a kernel buffer (no user copy). */
ssize_t memory_read_from_buffer(void *to, size_t count, loff_t *ppos, const void *from,
				size_t available) __ktl_abi(memory_read_from_buffer);

/* Marks the file unseekable (clears FMODE_LSEEK/PREAD/PWRITE); returns 0. */
int nonseekable_open(struct inode *inode, struct file *filp) __ktl_abi(nonseekable_open);
/* Like nonseekable_open, and ->read/->write then get a NULL ppos (FMODE_STREAM). */
int stream_open(struct inode *inode, struct file *filp) __ktl_abi(stream_open);
/* file->private_data = inode->i_private when the latter is set; returns 0. */
int simple_open(struct inode *inode, struct file *file) __ktl_abi(simple_open);
/* The ->read of a directory: -EISDIR. */
ssize_t generic_read_dir(struct file *filp, char __user *buf, size_t siz, loff_t *ppos)
	__ktl_abi(generic_read_dir);

/**
 * __register_chrdev - record a character device major with a range of minors
 * @major: the major, or 0 for a dynamic one (254 downwards to 234, then 511 to 384, as
 *         Linux allocates them)
 * @baseminor, @count: the minors
 * @name: shown in /proc/devices
 * @fops: recorded; ktl has no device node through which it could be opened
 *
 * Return: the dynamic major if @major was 0, else 0; -EBUSY if the range is taken,
 * -EINVAL for a major above 511.
 */
int __register_chrdev(unsigned int major, unsigned int baseminor, unsigned int count,
		      const char *name, const struct file_operations *fops)
	__ktl_abi(__register_chrdev);
void __unregister_chrdev(unsigned int major, unsigned int baseminor, unsigned int count,
			 const char *name) __ktl_abi(__unregister_chrdev);
/* A dynamic major: *@dev = MKDEV(major, @baseminor). Returns 0 or -EBUSY. */
int alloc_chrdev_region(dev_t *dev, unsigned int baseminor, unsigned int count,
			const char *name) __ktl_abi(alloc_chrdev_region);
/* The numbers from @from on, possibly spanning majors. Returns 0 or -EBUSY. */
int register_chrdev_region(dev_t from, unsigned int count, const char *name)
	__ktl_abi(register_chrdev_region);
void unregister_chrdev_region(dev_t from, unsigned int count)
	__ktl_abi(unregister_chrdev_region);

/*
 * simple_attr_open - a file showing one u64 from @get (printf'ed with @fmt) and taking one
 * (kstrtoull, any base) into @set; @get or @set may be NULL (then reads or writes fail
 * with -EACCES). Used by DEFINE_SIMPLE_ATTRIBUTE and DEFINE_DEBUGFS_ATTRIBUTE.
 */
int simple_attr_open(struct inode *inode, struct file *file, int (*get)(void *, u64 *),
		     int (*set)(void *, u64), const char *fmt) __ktl_abi(simple_attr_open);
int simple_attr_release(struct inode *inode, struct file *file) __ktl_abi(simple_attr_release);
ssize_t simple_attr_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
	__ktl_abi(simple_attr_read);
ssize_t simple_attr_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
	__ktl_abi(simple_attr_write);
ssize_t simple_attr_write_signed(struct file *file, const char __user *buf, size_t len,
				 loff_t *ppos) __ktl_abi(simple_attr_write_signed);

__KTL_END_DECLS

static inline __printf(1, 2) void __simple_attr_check_format(const char *fmt, ...)
{
	(void)fmt;
}

#define DEFINE_SIMPLE_ATTRIBUTE_XSIGNED(__fops, __get, __set, __fmt, __is_signed)         \
	static int __fops##_open(struct inode *inode, struct file *file)                  \
	{                                                                                 \
		__simple_attr_check_format(__fmt, 0ull);                                  \
		return simple_attr_open(inode, file, __get, __set, __fmt);                \
	}                                                                                 \
	static const struct file_operations __fops = {                                    \
		.owner = THIS_MODULE,                                                     \
		.llseek = generic_file_llseek,                                            \
		.read = simple_attr_read,                                                 \
		.write = (__is_signed) ? simple_attr_write_signed : simple_attr_write,    \
		.open = __fops##_open,                                                    \
		.release = simple_attr_release,                                           \
	}
#define DEFINE_SIMPLE_ATTRIBUTE(__fops, __get, __set, __fmt) \
	DEFINE_SIMPLE_ATTRIBUTE_XSIGNED(__fops, __get, __set, __fmt, false)
#define DEFINE_SIMPLE_ATTRIBUTE_SIGNED(__fops, __get, __set, __fmt) \
	DEFINE_SIMPLE_ATTRIBUTE_XSIGNED(__fops, __get, __set, __fmt, true)

/* Minors 0..255 of @major (0: dynamic); see __register_chrdev. */
static inline int register_chrdev(unsigned int major, const char *name,
				  const struct file_operations *fops)
{
	return __register_chrdev(major, 0, 256, name, fops);
}

static inline void unregister_chrdev(unsigned int major, const char *name)
{
	__unregister_chrdev(major, 0, 256, name);
}

/* Removed in Linux 6.12 (a NULL ->llseek means the same); kept for older code. */
#define no_llseek NULL

/* ktl has no filesystem to open files on, no fasync signals and no page cache. */
#define filp_open(...) __ktl_unsupported(filp_open)
#define filp_close(...) __ktl_unsupported(filp_close)
#define kernel_read(...) __ktl_unsupported(kernel_read)
#define kernel_write(...) __ktl_unsupported(kernel_write)
#define vfs_read(...) __ktl_unsupported(vfs_read)
#define vfs_write(...) __ktl_unsupported(vfs_write)
#define fasync_helper(...) __ktl_unsupported(fasync_helper)
#define kill_fasync(...) __ktl_unsupported(kill_fasync)
#define register_blkdev(...) __ktl_unsupported(register_blkdev)
#define unregister_blkdev(...) __ktl_unsupported(unregister_blkdev)
#define register_filesystem(...) __ktl_unsupported(register_filesystem)
#define unregister_filesystem(...) __ktl_unsupported(unregister_filesystem)

#endif /* _LINUX_FS_H */
