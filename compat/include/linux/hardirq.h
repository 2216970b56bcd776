/* SPDX-License-Identifier: MIT */
/*
 * linux/hardirq.h - which context the caller runs in.
 *
 * The answers come from the preempt count of the current task (<linux/preempt.h>), exactly
 * as on Linux, and have Linux's types and values: in_interrupt(), in_softirq(),
 * in_serving_softirq(), in_hardirq() and in_nmi() are the masked counts (unsigned long;
 * in_interrupt() is SOFTIRQ_OFFSET, 0x100, in a timer or tasklet callback and HARDIRQ_OFFSET,
 * 0x10000, in an hrtimer callback), in_task() is an int, 1 or 0.
 *
 *   where the code runs              in_task  in_serving_softirq  in_softirq  in_hardirq
 *   task, kthread, work item            1             0                0           0
 *   task with bottom halves off         1             0              0x200        0
 *   timer_list / tasklet callback       0           0x100            0x100         0
 *   hrtimer callback                    0             0                0        0x10000
 *
 * In a callback, current is the task the vCPU was running (or the vCPU's idle task, or
 * ksoftirqd/N when softirqs were deferred to it).
 */
#ifndef _LINUX_HARDIRQ_H
#define _LINUX_HARDIRQ_H

#include <linux/preempt.h>

#define nmi_count() (preempt_count() & NMI_MASK)
#define hardirq_count() (preempt_count() & HARDIRQ_MASK)
#define softirq_count() (preempt_count() & SOFTIRQ_MASK)
#define irq_count() (preempt_count() & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_MASK))

#define in_nmi() (nmi_count())
#define in_hardirq() (hardirq_count())
#define in_irq() (hardirq_count())
#define in_softirq() (softirq_count())
#define in_serving_softirq() (softirq_count() & SOFTIRQ_OFFSET)
#define in_interrupt() (irq_count())
#define in_task() (!(preempt_count() & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET)))

/* Entering and leaving interrupt context belongs to ktl's core, not to modules. */
#define irq_enter(...) __ktl_unsupported(irq_enter)
#define irq_exit(...) __ktl_unsupported(irq_exit)
#define nmi_enter(...) __ktl_unsupported(nmi_enter)
#define nmi_exit(...) __ktl_unsupported(nmi_exit)

#endif /* _LINUX_HARDIRQ_H */
