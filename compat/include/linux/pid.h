/* SPDX-License-Identifier: MIT */
/*
 * linux/pid.h - process ids.
 *
 * ktl names tasks by their pid_t only: it has one pid namespace and no struct pid objects
 * (no pid references that outlive the task). Use task_pid_nr()/task_tgid_nr()
 * (<linux/sched.h>) and find_get_task_by_vpid() for a referenced task.
 */
#ifndef _LINUX_PID_H
#define _LINUX_PID_H

#include <linux/compiler.h>
#include <linux/types.h>

struct pid;

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
};

#define find_vpid(...) __ktl_unsupported(find_vpid)
#define find_get_pid(...) __ktl_unsupported(find_get_pid)
#define find_pid_ns(...) __ktl_unsupported(find_pid_ns)
#define get_pid(...) __ktl_unsupported(get_pid)
#define put_pid(...) __ktl_unsupported(put_pid)
#define pid_nr(...) __ktl_unsupported(pid_nr)
#define pid_vnr(...) __ktl_unsupported(pid_vnr)
#define pid_task(...) __ktl_unsupported(pid_task)
#define get_pid_task(...) __ktl_unsupported(get_pid_task)
#define get_task_pid(...) __ktl_unsupported(get_task_pid)
#define task_pid(...) __ktl_unsupported(task_pid)

#endif /* _LINUX_PID_H */
