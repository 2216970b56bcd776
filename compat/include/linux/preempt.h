/* SPDX-License-Identifier: MIT */
/*
 * linux/preempt.h - the preemption count.
 *
 * ktl is a cooperative kernel (CONFIG_PREEMPT_NONE): a task runs until it blocks, yields or
 * calls cond_resched(); nothing preempts it in the middle of its code. The count still
 * works as on Linux and is what ktl's checks read: preempt_disable() (and a held spinlock)
 * makes the caller atomic, and might_sleep() reports a sleep there; timer, hrtimer and
 * tasklet callbacks run with SOFTIRQ_OFFSET (or HARDIRQ_OFFSET) added to the count of the
 * task they interrupted, so preempt_count() tells callbacks apart from task context. The
 * count belongs to the task (ktl::task_struct::preempt_count), so it travels with a task
 * that resumes on another vCPU. preempt_enable() never reschedules by itself.
 */
#ifndef _LINUX_PREEMPT_H
#define _LINUX_PREEMPT_H

#include <linux/compiler.h>
#include <linux/types.h>

#define PREEMPT_BITS 8
#define SOFTIRQ_BITS 8
#define HARDIRQ_BITS 4
#define NMI_BITS 4

#define PREEMPT_SHIFT 0
#define SOFTIRQ_SHIFT (PREEMPT_SHIFT + PREEMPT_BITS)
#define HARDIRQ_SHIFT (SOFTIRQ_SHIFT + SOFTIRQ_BITS)
#define NMI_SHIFT (HARDIRQ_SHIFT + HARDIRQ_BITS)

#define __IRQ_MASK(x) ((1UL << (x)) - 1)

#define PREEMPT_MASK (__IRQ_MASK(PREEMPT_BITS) << PREEMPT_SHIFT)
#define SOFTIRQ_MASK (__IRQ_MASK(SOFTIRQ_BITS) << SOFTIRQ_SHIFT)
#define HARDIRQ_MASK (__IRQ_MASK(HARDIRQ_BITS) << HARDIRQ_SHIFT)
#define NMI_MASK (__IRQ_MASK(NMI_BITS) << NMI_SHIFT)

#define PREEMPT_OFFSET (1UL << PREEMPT_SHIFT)
#define SOFTIRQ_OFFSET (1UL << SOFTIRQ_SHIFT)
#define HARDIRQ_OFFSET (1UL << HARDIRQ_SHIFT)
#define NMI_OFFSET (1UL << NMI_SHIFT)
#define SOFTIRQ_DISABLE_OFFSET (2 * SOFTIRQ_OFFSET)

#define PREEMPT_DISABLED PREEMPT_OFFSET
#define PREEMPT_DISABLE_OFFSET PREEMPT_OFFSET

__KTL_BEGIN_DECLS
/* The current task's count. Context: any. */
int preempt_count(void) __ktl_abi(preempt_count);
void __ktl_preempt_count_add(int val) __ktl_abi(preempt_count_add);
void __ktl_preempt_count_sub(int val) __ktl_abi(preempt_count_sub);
/* True in task context with a zero count and interrupts enabled. */
bool __ktl_preemptible(void) __ktl_abi(preemptible);
__KTL_END_DECLS

#define preempt_count_add(val) __ktl_preempt_count_add(val)
#define preempt_count_sub(val) __ktl_preempt_count_sub(val)
#define preempt_count_inc() preempt_count_add(1)
#define preempt_count_dec() preempt_count_sub(1)

#define preempt_disable()                       \
	do {                                    \
		preempt_count_inc();            \
		barrier();                      \
	} while (0)

#define preempt_enable_no_resched()             \
	do {                                    \
		barrier();                      \
		preempt_count_dec();            \
	} while (0)

#define sched_preempt_enable_no_resched() preempt_enable_no_resched()
#define preempt_enable() preempt_enable_no_resched()
#define preempt_check_resched() do { } while (0)

#define preempt_disable_notrace() preempt_disable()
#define preempt_enable_notrace() preempt_enable()
#define preempt_enable_no_resched_notrace() preempt_enable_no_resched()

#define preemptible() __ktl_preemptible()
/* Any non-zero count: a held spinlock, preempt_disable(), or interrupt context. */
#define in_atomic() (preempt_count() != 0)

/*
 * A ktl task may resume on another vCPU after it sleeps, and ktl has no per-task "stay here"
 * count: use preempt_disable() (no sleeping inside) or bind the thread to a vCPU.
 */
#define migrate_disable(...) __ktl_unsupported(migrate_disable)
#define migrate_enable(...) __ktl_unsupported(migrate_enable)

/*
 * As on Linux, <linux/preempt.h> (and so <linux/sched.h>) also gives in_interrupt(), in_task()
 * and the other context queries; <linux/hardirq.h> includes this header first, and the include
 * guards break the cycle either way round.
 */
#include <linux/hardirq.h>

#endif /* _LINUX_PREEMPT_H */
