/* SPDX-License-Identifier: MIT */
/*
 * linux/freezer.h - the freezer, as kernel threads use it.
 *
 * ktl never freezes tasks (there is no suspend): freezing() is always false, so
 * try_to_freeze() returns false at once and a freezable sleep (TASK_FREEZABLE,
 * wait_event_freezable()) is an ordinary interruptible one. set_freezable() still clears
 * PF_NOFREEZE, so a thread reads as freezable in /proc, as on Linux.
 */
#ifndef _LINUX_FREEZER_H
#define _LINUX_FREEZER_H

#include <linux/compiler.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/wait.h>

__KTL_BEGIN_DECLS
/* Whether @p should enter the refrigerator now: never in ktl. */
bool freezing(struct task_struct *p) __ktl_abi(freezing);
/* Whether @p sits in the refrigerator (TASK_FROZEN): never in ktl. */
bool frozen(struct task_struct *p) __ktl_abi(frozen);
/* Freeze here if a freeze is under way. Context: task. Return: true if it was frozen. */
bool try_to_freeze(void) __ktl_abi(try_to_freeze);
/* Makes the current kernel thread freezable (clears PF_NOFREEZE), then try_to_freeze(). */
bool set_freezable(void) __ktl_abi(set_freezable);
__KTL_END_DECLS

#define freezing_slow_path(p) freezing(p)
#define try_to_freeze_unsafe() try_to_freeze()

/* The pre-6.1 helpers: the freezer's counting around a sleep, nothing else. */
#define freezer_do_not_count() do { } while (0)
#define freezer_count() do { } while (0)
#define freezable_schedule() schedule()
#define freezable_schedule_unsafe() schedule()
#define freezable_schedule_timeout(timeout) schedule_timeout(timeout)
#define freezable_schedule_timeout_interruptible(timeout) schedule_timeout_interruptible(timeout)
#define freezable_schedule_timeout_killable(timeout) schedule_timeout_killable(timeout)
#define freezable_schedule_timeout_killable_unsafe(timeout) schedule_timeout_killable(timeout)

#define freeze_processes(...) __ktl_unsupported(freeze_processes)
#define thaw_processes(...) __ktl_unsupported(thaw_processes)
#define freeze_kernel_threads(...) __ktl_unsupported(freeze_kernel_threads)
#define thaw_kernel_threads(...) __ktl_unsupported(thaw_kernel_threads)

#endif /* _LINUX_FREEZER_H */
