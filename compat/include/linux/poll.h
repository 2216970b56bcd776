/* SPDX-License-Identifier: MIT */
/*
 * linux/poll.h - poll_table and poll_wait() for ->poll / ->proc_poll implementations.
 *
 * ktl has no poll(2)/select(2): nothing calls a module's ->poll on its own. The types and
 * poll_wait() are here so such code builds unchanged; poll_wait() registers the caller's
 * wait queue exactly as Linux's does when a poll_table is passed.
 */
#ifndef _LINUX_POLL_H
#define _LINUX_POLL_H

#include <asm/ktl-fs.h>
#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <uapi/linux/eventpoll.h>
#include <uapi/linux/poll.h>

#define DEFAULT_POLLMASK (EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM)

/*
 * poll_wait - register @wait_address with the poll table @p (if any)
 *
 * Context: task; ->poll calls it for each queue whose wake-up may change the mask it returns.
 */
static inline void poll_wait(struct file *filp, wait_queue_head_t *wait_address, poll_table *p)
{
	if (p && p->_qproc && wait_address)
		p->_qproc(filp, wait_address, p);
}

static inline bool poll_does_not_wait(const poll_table *p)
{
	return p == NULL || p->_qproc == NULL;
}

static inline __poll_t poll_requested_events(const poll_table *p)
{
	return p ? p->_key : ~(__poll_t)0;
}

static inline void init_poll_funcptr(poll_table *pt, poll_queue_proc qproc)
{
	pt->_qproc = qproc;
	pt->_key = ~(__poll_t)0;
}

static inline __poll_t vfs_poll(struct file *file, struct poll_table_struct *pt)
{
	if (unlikely(!file->f_op->poll))
		return DEFAULT_POLLMASK;
	return file->f_op->poll(file, pt);
}

#define mangle_poll(val) ((u16)(val))
#define demangle_poll(val) ((__poll_t)(val))

#endif /* _LINUX_POLL_H */
