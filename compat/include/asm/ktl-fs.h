/* SPDX-License-Identifier: MIT */
/*
 * asm/ktl-fs.h - the file-ish records modules and ktl's shim share: struct file, inode,
 * dentry, the operation tables (file_operations, proc_ops, seq_operations), seq_file and
 * poll_table. Included by the C headers (<linux/fs.h>, <linux/proc_fs.h>, ...) and, as C++,
 * by the shim (compat/src/fs*.cc), so both sides see one definition; the shim also
 * static_asserts the offsets modules rely on.
 *
 * ktl has no VFS: there are no file descriptors and no device nodes. A struct file exists
 * for the duration of one access from the console (cat: open, read until EOF, release; echo
 * >: open, write, release) or of a test's access through the same path, and is handed to the
 * module's operations exactly as the kernel would.
 *
 * Only builtin types appear here (no <linux/types.h>): loff_t is long long, umode_t unsigned
 * short, fmode_t and dev_t unsigned int, ssize_t long, size_t __SIZE_TYPE__.
 */
#ifndef _ASM_KTL_FS_H
#define _ASM_KTL_FS_H

#include "ktl-abi.h"

#ifdef __cplusplus
extern "C" {
#endif

struct module;
struct file;
struct inode;
struct dentry;
struct kiocb;
struct iov_iter;
struct poll_table_struct;
struct vm_area_struct;
struct dir_context;
struct file_lock;
struct file_lease;
struct pipe_inode_info;
struct io_comp_batch;
struct io_uring_cmd;
struct seq_file;
struct cred;
struct vfsmount;
struct super_block;
struct address_space;
struct wait_queue_head;

/* A name: the kernel's qstr (hash and length packed in one word on little-endian). */
struct qstr {
	union {
		struct {
			unsigned int hash;
			unsigned int len;
		};
		unsigned long long hash_len;
	};
	const unsigned char *name;
};

/*
 * The inode of a /proc, debugfs or sysfs entry. It lives as long as the entry: i_private is
 * the entry's data (pde_data(), debugfs' data argument), i_rdev is 0 (no device nodes).
 */
struct inode {
	unsigned short i_mode;             /* S_IFREG | permission bits, S_IFDIR for directories */
	unsigned short __ktl_pad0;
	unsigned int i_flags;
	unsigned long i_ino;
	unsigned int i_rdev;
	unsigned int __ktl_pad1;
	long long i_size;                  /* proc_set_size() */
	void *i_private;
	const struct file_operations *i_fop;
	struct super_block *i_sb;
	void *__ktl_node;                  /* the shim's entry */
};

struct dentry {
	struct qstr d_name;                /* the last path component */
	struct inode *d_inode;
	struct dentry *d_parent;           /* itself for a top-level entry */
	void *d_fsdata;
	unsigned char d_iname[40];         /* storage of d_name.name when short */
	void *__ktl_node;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file {
	struct path f_path;
	struct inode *f_inode;
	const struct file_operations *f_op;
	unsigned int f_flags;              /* O_RDONLY/O_WRONLY | O_LARGEFILE (| O_TRUNC ...) */
	unsigned int f_mode;               /* FMODE_READ / FMODE_WRITE | FMODE_LSEEK ... */
	long long f_pos;
	void *private_data;                /* seq_open() puts its struct seq_file here */
	const struct cred *f_cred;
	struct address_space *f_mapping;   /* NULL: there is no page cache */
	unsigned long long f_version;
	void *__ktl_open;                  /* the shim's open-file record */
};

typedef void *fl_owner_t;

/* FOP_* (file_operations.fop_flags): accepted, no effect. */
typedef unsigned int fop_flags_t;

struct file_operations {
	struct module *owner;
	fop_flags_t fop_flags;
	long long (*llseek)(struct file *, long long, int);
	long (*read)(struct file *, char *, __SIZE_TYPE__, long long *);
	long (*write)(struct file *, const char *, __SIZE_TYPE__, long long *);
	long (*read_iter)(struct kiocb *, struct iov_iter *);
	long (*write_iter)(struct kiocb *, struct iov_iter *);
	int (*iopoll)(struct kiocb *kiocb, struct io_comp_batch *, unsigned int flags);
	int (*iterate_shared)(struct file *, struct dir_context *);
	unsigned int (*poll)(struct file *, struct poll_table_struct *);
	long (*unlocked_ioctl)(struct file *, unsigned int, unsigned long);
	long (*compat_ioctl)(struct file *, unsigned int, unsigned long);
	int (*mmap)(struct file *, struct vm_area_struct *);
	int (*open)(struct inode *, struct file *);
	int (*flush)(struct file *, fl_owner_t id);
	int (*release)(struct inode *, struct file *);
	int (*fsync)(struct file *, long long, long long, int datasync);
	int (*fasync)(int, struct file *, int);
	int (*lock)(struct file *, int, struct file_lock *);
	unsigned long (*get_unmapped_area)(struct file *, unsigned long, unsigned long,
					   unsigned long, unsigned long);
	int (*check_flags)(int);
	int (*flock)(struct file *, int, struct file_lock *);
	long (*splice_write)(struct pipe_inode_info *, struct file *, long long *, __SIZE_TYPE__,
			     unsigned int);
	long (*splice_read)(struct file *, long long *, struct pipe_inode_info *, __SIZE_TYPE__,
			    unsigned int);
	void (*splice_eof)(struct file *file);
	int (*setlease)(struct file *, int, struct file_lease **, void **);
	long (*fallocate)(struct file *file, int mode, long long offset, long long len);
	void (*show_fdinfo)(struct seq_file *m, struct file *f);
	long (*copy_file_range)(struct file *, long long, struct file *, long long, __SIZE_TYPE__,
				unsigned int);
	long long (*remap_file_range)(struct file *file_in, long long pos_in, struct file *file_out,
				      long long pos_out, long long len, unsigned int remap_flags);
	int (*fadvise)(struct file *, long long, long long, int);
	int (*uring_cmd)(struct io_uring_cmd *ioucmd, unsigned int issue_flags);
};

/* proc_ops.proc_flags */
#define PROC_ENTRY_PERMANENT 1U

struct proc_ops {
	unsigned int proc_flags;
	int (*proc_open)(struct inode *, struct file *);
	long (*proc_read)(struct file *, char *, __SIZE_TYPE__, long long *);
	long (*proc_read_iter)(struct kiocb *, struct iov_iter *);
	long (*proc_write)(struct file *, const char *, __SIZE_TYPE__, long long *);
	long long (*proc_lseek)(struct file *, long long, int);
	int (*proc_release)(struct inode *, struct file *);
	unsigned int (*proc_poll)(struct file *, struct poll_table_struct *);
	long (*proc_ioctl)(struct file *, unsigned int, unsigned long);
	long (*proc_compat_ioctl)(struct file *, unsigned int, unsigned long);
	int (*proc_mmap)(struct file *, struct vm_area_struct *);
	unsigned long (*proc_get_unmapped_area)(struct file *, unsigned long, unsigned long,
						unsigned long, unsigned long);
};

struct seq_operations {
	void *(*start)(struct seq_file *m, long long *pos);
	void (*stop)(struct seq_file *m, void *v);
	void *(*next)(struct seq_file *m, void *v, long long *pos);
	int (*show)(struct seq_file *m, void *v);
};

/*
 * The seq_file a reader gets: buf holds size bytes, count of them filled by the current
 * ->show(); count == size means the record overflowed (seq_read retries it with a buffer
 * twice as large).
 */
struct seq_file {
	char *buf;
	__SIZE_TYPE__ size;
	__SIZE_TYPE__ from;
	__SIZE_TYPE__ count;
	__SIZE_TYPE__ pad_until;
	long long index;
	long long read_pos;
	const struct seq_operations *op;
	int poll_event;
	const struct file *file;
#ifdef __cplusplus
	void *private_;                    /* "private" is a C++ keyword */
#else
	void *private;
#endif
};

/* A read or write in progress (read_iter/write_iter): its file and position. */
struct kiocb {
	struct file *ki_filp;
	long long ki_pos;
	void (*ki_complete)(struct kiocb *iocb, long ret);
#ifdef __cplusplus
	void *private_;
#else
	void *private;
#endif
	int ki_flags;
};

/*
 * The user buffer of a read_iter/write_iter: ktl passes one contiguous user buffer
 * (ITER_UBUF). Use copy_to_iter()/copy_from_iter() and iov_iter_count().
 */
struct iov_iter {
	unsigned char iter_type;
	unsigned char nofault;
	unsigned char data_source;         /* ITER_SOURCE (write) or ITER_DEST (read) */
	__SIZE_TYPE__ iov_offset;
	void *ubuf;
	__SIZE_TYPE__ count;
};

typedef void (*poll_queue_proc)(struct file *, struct wait_queue_head *,
				struct poll_table_struct *);

typedef struct poll_table_struct {
	poll_queue_proc _qproc;
	unsigned int _key;
} poll_table;

#ifdef __cplusplus
}
#endif

#endif /* _ASM_KTL_FS_H */
