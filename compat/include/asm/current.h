/* SPDX-License-Identifier: MIT */
/*
 * asm/current.h - `current`, the task the caller runs as.
 *
 * In a kernel task (a kthread, a workqueue worker) that task; in a timer, hrtimer or
 * tasklet callback the task the callback interrupted (or ksoftirqd/N), as on Linux; on a
 * host thread of the embedding program a per-thread stand-in task that is never shown by
 * ps. A task may resume on another vCPU after it sleeps, but `current` stays itself.
 */
#ifndef _ASM_CURRENT_H
#define _ASM_CURRENT_H

#include <asm/ktl-abi.h>

struct task_struct;

__KTL_BEGIN_DECLS
struct task_struct *get_current(void) __ktl_abi(get_current) __attribute__((__const__));
__KTL_END_DECLS

#define current get_current()

#endif /* _ASM_CURRENT_H */
