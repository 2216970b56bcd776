/* SPDX-License-Identifier: MIT */
/*
 * linux/uio.h - struct iov_iter, the user buffer of ->read_iter/->write_iter.
 *
 * ktl hands a read_iter/write_iter one contiguous user buffer (ITER_UBUF), which
 * copy_to_iter()/copy_from_iter() fill or drain; as with copy_to_user(), the copy fails
 * (returns less) when the task has no user memory (a kernel thread).
 */
#ifndef _LINUX_UIO_H
#define _LINUX_UIO_H

#include <asm/ktl-fs.h>
#include <linux/compiler.h>
#include <linux/types.h>

#define ITER_DEST 0   /* data flows into the iterator (a read) */
#define ITER_SOURCE 1 /* data flows out of it (a write) */
#define ITER_UBUF 0

struct kvec {
	void *iov_base;
	size_t iov_len;
};

struct iovec {
	void __user *iov_base;
	size_t iov_len;
};

static inline size_t iov_iter_count(const struct iov_iter *i)
{
	return i->count;
}

static inline bool iter_is_ubuf(const struct iov_iter *i)
{
	return i->iter_type == ITER_UBUF;
}

static inline bool user_backed_iter(const struct iov_iter *i)
{
	(void)i;
	return true;
}

static inline void iov_iter_ubuf(struct iov_iter *i, unsigned int direction, void __user *buf,
				 size_t count)
{
	i->iter_type = ITER_UBUF;
	i->nofault = 0;
	i->data_source = (unsigned char)direction;
	i->iov_offset = 0;
	i->ubuf = buf;
	i->count = count;
}

__KTL_BEGIN_DECLS
/* Copies up to @bytes into the iterator's user buffer and advances it; returns bytes copied. */
size_t copy_to_iter(const void *addr, size_t bytes, struct iov_iter *i) __ktl_abi(copy_to_iter);
/* Copies up to @bytes out of the iterator's user buffer and advances it. */
size_t copy_from_iter(void *addr, size_t bytes, struct iov_iter *i) __ktl_abi(copy_from_iter);
void iov_iter_advance(struct iov_iter *i, size_t bytes) __ktl_abi(iov_iter_advance);
__KTL_END_DECLS

static inline bool copy_to_iter_full(const void *addr, size_t bytes, struct iov_iter *i)
{
	return copy_to_iter(addr, bytes, i) == bytes;
}

static inline bool copy_from_iter_full(void *addr, size_t bytes, struct iov_iter *i)
{
	return copy_from_iter(addr, bytes, i) == bytes;
}

#endif /* _LINUX_UIO_H */
