/* SPDX-License-Identifier: MIT */
/*
 * linux/seq_file.h - sequential files: the usual way to implement a readable /proc or
 * debugfs file.
 *
 * ->start/->next/->stop walk the records, ->show formats one with seq_printf() and
 * friends into m->buf. seq_read() follows Linux 6.x's seq_read_iter(): a record that does
 * not fit (seq_has_overflowed) is retried with a buffer twice as large, a reader that stops
 * in the middle of a record gets the rest on its next read, and a read at an offset the
 * file did not leave off at replays the records from the start (traverse).
 * single_open() wraps a single ->show() callback; DEFINE_SHOW_ATTRIBUTE,
 * DEFINE_SEQ_ATTRIBUTE and DEFINE_PROC_SHOW_ATTRIBUTE build the file_operations/proc_ops.
 *
 * Context: everything here runs in the reader's task (the console's cat), may sleep and
 * allocate; ->show is called with no lock of ktl's held.
 */
#ifndef _LINUX_SEQ_FILE_H
#define _LINUX_SEQ_FILE_H

#include <asm/ktl-fs.h>
#include <linux/bug.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/stdarg.h>
#include <linux/string.h>
#include <linux/types.h>

#define SEQ_SKIP 1

/* Whether the current record overflowed m->buf (seq_read then retries it, larger). */
static inline bool seq_has_overflowed(struct seq_file *m)
{
	return m->count == m->size;
}

/* Room left in the buffer: *bufp points to it, the return value is its size (0 if none). */
static inline size_t seq_get_buf(struct seq_file *m, char **bufp)
{
	BUG_ON(m->count > m->size);
	if (m->count < m->size)
		*bufp = m->buf + m->count;
	else
		*bufp = NULL;
	return m->size - m->count;
}

/* Accounts @num bytes written after seq_get_buf(); -1 marks an overflow. */
static inline void seq_commit(struct seq_file *m, int num)
{
	if (num < 0) {
		m->count = m->size;
	} else {
		BUG_ON(m->count + num > m->size);
		m->count += num;
	}
}

/* seq_pad() will pad the record to @size columns from here. */
static inline void seq_setwidth(struct seq_file *m, size_t size)
{
	m->pad_until = m->count + size;
}

/* The file's user namespace (there is one). */
#define seq_user_ns(m) (&init_user_ns)

__KTL_BEGIN_DECLS

/* Attaches a fresh seq_file walking @op to @file (file->private_data). Return: 0 or -ENOMEM. */
int seq_open(struct file *file, const struct seq_operations *op) __ktl_abi(seq_open);
/**
 * seq_read - ->read for seq_file based files
 *
 * Context: task. Return: bytes copied to @buf, 0 at the end, or -errno (-EFAULT when the
 * copy to the user buffer failed, -ENOMEM, or the error ->show/->start returned).
 */
ssize_t seq_read(struct file *file, char __user *buf, size_t size, loff_t *ppos)
	__ktl_abi(seq_read);
ssize_t seq_read_iter(struct kiocb *iocb, struct iov_iter *iter) __ktl_abi(seq_read_iter);
/* SEEK_SET and SEEK_CUR (re-walking the records to the offset); -EINVAL otherwise. */
loff_t seq_lseek(struct file *file, loff_t offset, int whence) __ktl_abi(seq_lseek);
/* Frees what seq_open() allocated. Return: 0. */
int seq_release(struct inode *inode, struct file *file) __ktl_abi(seq_release);
int seq_write(struct seq_file *seq, const void *data, size_t len) __ktl_abi(seq_write);

void seq_printf(struct seq_file *m, const char *fmt, ...) __ktl_abi(seq_printf) __printf(2, 3);
void seq_vprintf(struct seq_file *m, const char *fmt, va_list args) __ktl_abi(seq_vprintf)
	__printf(2, 0);
void seq_puts(struct seq_file *m, const char *s) __ktl_abi(seq_puts);
void seq_putc(struct seq_file *m, char c) __ktl_abi(seq_putc);
void seq_put_decimal_ull(struct seq_file *m, const char *delimiter, unsigned long long num)
	__ktl_abi(seq_put_decimal_ull);
void seq_put_decimal_ull_width(struct seq_file *m, const char *delimiter,
			       unsigned long long num, unsigned int width)
	__ktl_abi(seq_put_decimal_ull_width);
void seq_put_decimal_ll(struct seq_file *m, const char *delimiter, long long num)
	__ktl_abi(seq_put_decimal_ll);
void seq_put_hex_ll(struct seq_file *m, const char *delimiter, unsigned long long v,
		    unsigned int width) __ktl_abi(seq_put_hex_ll);
/* Pads with spaces up to the width set by seq_setwidth(), then writes @c (if non-zero). */
void seq_pad(struct seq_file *m, char c) __ktl_abi(seq_pad);
/* @s with the characters in @esc written as \ooo octal escapes. */
void seq_escape(struct seq_file *m, const char *s, const char *esc) __ktl_abi(seq_escape);
void seq_hex_dump(struct seq_file *m, const char *prefix_str, int prefix_type, int rowsize,
		  int groupsize, const void *buf, size_t len, bool ascii)
	__ktl_abi(seq_hex_dump);

/**
 * single_open - a seq_file whose only record is printed by @show
 * @file: the file being opened
 * @show: prints the whole file; called with v == SEQ_START_TOKEN... (any non-NULL value)
 * @data: becomes m->private
 *
 * Return: 0 or -ENOMEM. Pair with single_release().
 */
int single_open(struct file *file, int (*show)(struct seq_file *, void *), void *data)
	__ktl_abi(single_open);
/* single_open() with a first buffer of @size bytes instead of a page. */
int single_open_size(struct file *file, int (*show)(struct seq_file *, void *), void *data,
		     size_t size) __ktl_abi(single_open_size);
int single_release(struct inode *inode, struct file *file) __ktl_abi(single_release);
/* seq_open() plus a zeroed m->private of @psize bytes (freed by seq_release_private). */
void *__seq_open_private(struct file *file, const struct seq_operations *ops, int psize)
	__ktl_abi(__seq_open_private);
int seq_open_private(struct file *file, const struct seq_operations *ops, int psize)
	__ktl_abi(seq_open_private);
int seq_release_private(struct inode *inode, struct file *file) __ktl_abi(seq_release_private);

/* Iterators over a list_head list for ->start/->next. */
struct list_head *seq_list_start(struct list_head *head, loff_t pos) __ktl_abi(seq_list_start);
struct list_head *seq_list_start_head(struct list_head *head, loff_t pos)
	__ktl_abi(seq_list_start_head);
struct list_head *seq_list_next(void *v, struct list_head *head, loff_t *ppos)
	__ktl_abi(seq_list_next);
struct list_head *seq_list_start_rcu(struct list_head *head, loff_t pos)
	__ktl_abi(seq_list_start);
struct list_head *seq_list_next_rcu(void *v, struct list_head *head, loff_t *ppos)
	__ktl_abi(seq_list_next);

__KTL_END_DECLS

#define SEQ_START_TOKEN ((void *)1)

#define seq_show_option(m, name, value) seq_printf(m, ",%s=%s", name, value)

/*
 * DEFINE_SHOW_ATTRIBUTE(name): from int name_show(struct seq_file *, void *), the
 * file_operations name_fops (single_open with inode->i_private as m->private).
 */
#define DEFINE_SHOW_ATTRIBUTE(__name)                                            \
	static int __name##_open(struct inode *inode, struct file *file)         \
	{                                                                        \
		return single_open(file, __name##_show, inode->i_private);       \
	}                                                                        \
	static const struct file_operations __name##_fops = {                    \
		.owner = THIS_MODULE,                                            \
		.llseek = seq_lseek,                                             \
		.read = seq_read,                                                \
		.open = __name##_open,                                           \
		.release = single_release,                                       \
	}

/* DEFINE_SHOW_ATTRIBUTE plus a write handler, ssize_t name_write(file, buf, count, ppos). */
#define DEFINE_SHOW_STORE_ATTRIBUTE(__name)                                      \
	static int __name##_open(struct inode *inode, struct file *file)         \
	{                                                                        \
		return single_open(file, __name##_show, inode->i_private);       \
	}                                                                        \
	static const struct file_operations __name##_fops = {                    \
		.owner = THIS_MODULE,                                            \
		.llseek = seq_lseek,                                             \
		.read = seq_read,                                                \
		.write = __name##_write,                                         \
		.open = __name##_open,                                           \
		.release = single_release,                                       \
	}

/*
 * DEFINE_SEQ_ATTRIBUTE(name): from struct seq_operations name_sops, the file_operations
 * name_fops (seq_open, m->private = inode->i_private).
 */
#define DEFINE_SEQ_ATTRIBUTE(__name)                                             \
	static int __name##_open(struct inode *inode, struct file *file)         \
	{                                                                        \
		int ret = seq_open(file, &__name##_sops);                        \
		if (!ret && inode->i_private) {                                  \
			struct seq_file *seq_f = (struct seq_file *)file->private_data; \
			__ktl_seq_set_private(seq_f, inode->i_private);          \
		}                                                                \
		return ret;                                                      \
	}                                                                        \
	static const struct file_operations __name##_fops = {                    \
		.owner = THIS_MODULE,                                            \
		.llseek = seq_lseek,                                             \
		.read = seq_read,                                                \
		.open = __name##_open,                                           \
		.release = seq_release,                                          \
	}

/*
 * DEFINE_PROC_SHOW_ATTRIBUTE(name): from name_show, the proc_ops name_proc_ops
 * (single_open with pde_data(inode) as m->private). Needs <linux/proc_fs.h>.
 */
#define DEFINE_PROC_SHOW_ATTRIBUTE(__name)                                       \
	static int __name##_open(struct inode *inode, struct file *file)         \
	{                                                                        \
		return single_open(file, __name##_show, pde_data(inode));        \
	}                                                                        \
	static const struct proc_ops __name##_proc_ops = {                       \
		.proc_open = __name##_open,                                      \
		.proc_read_iter = seq_read_iter,                                 \
		.proc_lseek = seq_lseek,                                         \
		.proc_release = single_release,                                  \
	}

/* m->private by name in C and C++ ("private" is a C++ keyword). */
#ifdef __cplusplus
#define __ktl_seq_set_private(m, p) ((m)->private_ = (p))
#else
#define __ktl_seq_set_private(m, p) ((m)->private = (p))
#endif

#endif /* _LINUX_SEQ_FILE_H */
