/* SPDX-License-Identifier: MIT */
/*
 * linux/sched/task.h - task references.
 *
 * A task_struct stays allocated while someone holds a reference. Kernel threads are reaped
 * automatically when they exit; code that may call kthread_stop() (or read the task) after
 * the thread could have exited by itself takes a reference first:
 *	t = kthread_run(fn, data, "name");
 *	get_task_struct(t);
 *	...
 *	kthread_stop_put(t);	(or kthread_stop(t); put_task_struct(t);)
 */
#ifndef _LINUX_SCHED_TASK_H
#define _LINUX_SCHED_TASK_H

#include <linux/sched.h>

__KTL_BEGIN_DECLS
void __ktl_get_task_struct(struct task_struct *t) __ktl_abi(get_task_struct);
/* Drops a reference; the last one frees the task (it must have exited). Context: any. */
void put_task_struct(struct task_struct *t) __ktl_abi(put_task_struct);
__KTL_END_DECLS

/* Takes a reference on @t and returns it. Context: any; @t must be alive. */
static inline struct task_struct *get_task_struct(struct task_struct *t)
{
	__ktl_get_task_struct(t);
	return t;
}

static inline void put_task_struct_many(struct task_struct *t, int nr)
{
	while (nr-- > 0)
		put_task_struct(t);
}

#endif /* _LINUX_SCHED_TASK_H */
