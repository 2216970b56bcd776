/* SPDX-License-Identifier: MIT */
/*
 * linux/interrupt.h - tasklets, softirqs and the context queries.
 *
 * ktl has no devices and no interrupt lines: request_irq() and the other IRQ-line calls are
 * not supported (they fail the build). What a module can use is the deferred-work side:
 * - Tasklets run in softirq context (TASKLET_SOFTIRQ, or HI_SOFTIRQ for tasklet_hi_schedule)
 *   on the vCPU that scheduled them (vCPU 0 from a host thread): in_interrupt() and
 *   in_serving_softirq() are true, they must not sleep. A tasklet never runs on two vCPUs at
 *   once; scheduling it while it runs makes it run once more afterwards; scheduling it while it
 *   is already scheduled does nothing. A disabled tasklet (count > 0) stays scheduled until
 *   tasklet_enable().
 * - tasklet_kill() waits until the tasklet is neither scheduled nor running (a task only).
 * - raise_softirq() marks a vector pending on this vCPU; modules cannot install handlers
 *   (open_softirq() is not exported by Linux either).
 */
#ifndef _LINUX_INTERRUPT_H
#define _LINUX_INTERRUPT_H

#include <asm/ktl-abi.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/bottom_half.h>
#include <linux/container_of.h>
#include <linux/hardirq.h>
#include <linux/hrtimer.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/preempt.h>
#include <linux/types.h>
#include <linux/workqueue.h>

/* ---- interrupt lines: not modelled ---------------------------------------------------- */

enum irqreturn {
	IRQ_NONE = (0 << 0),
	IRQ_HANDLED = (1 << 0),
	IRQ_WAKE_THREAD = (1 << 1),
};
typedef enum irqreturn irqreturn_t;
#define IRQ_RETVAL(x) ((x) ? IRQ_HANDLED : IRQ_NONE)

typedef irqreturn_t (*irq_handler_t)(int, void *);

#define IRQF_TRIGGER_NONE 0x00000000
#define IRQF_TRIGGER_RISING 0x00000001
#define IRQF_TRIGGER_FALLING 0x00000002
#define IRQF_TRIGGER_HIGH 0x00000004
#define IRQF_TRIGGER_LOW 0x00000008
#define IRQF_SHARED 0x00000080
#define IRQF_PROBE_SHARED 0x00000100
#define IRQF_TIMER 0x00000200
#define IRQF_PERCPU 0x00000400
#define IRQF_NOBALANCING 0x00000800
#define IRQF_IRQPOLL 0x00001000
#define IRQF_ONESHOT 0x00002000
#define IRQF_NO_SUSPEND 0x00004000
#define IRQF_FORCE_RESUME 0x00008000
#define IRQF_NO_THREAD 0x00010000
#define IRQF_EARLY_RESUME 0x00020000
#define IRQF_COND_SUSPEND 0x00040000
#define IRQF_NO_AUTOEN 0x00080000
#define IRQF_NO_DEBUG 0x00100000

#define request_irq(...) __ktl_unsupported(request_irq)
#define request_threaded_irq(...) __ktl_unsupported(request_threaded_irq)
#define request_any_context_irq(...) __ktl_unsupported(request_any_context_irq)
#define request_percpu_irq(...) __ktl_unsupported(request_percpu_irq)
#define request_nmi(...) __ktl_unsupported(request_nmi)
#define devm_request_irq(...) __ktl_unsupported(devm_request_irq)
#define devm_request_threaded_irq(...) __ktl_unsupported(devm_request_threaded_irq)
#define free_irq(...) __ktl_unsupported(free_irq)
#define free_percpu_irq(...) __ktl_unsupported(free_percpu_irq)
#define devm_free_irq(...) __ktl_unsupported(devm_free_irq)
#define enable_irq(...) __ktl_unsupported(enable_irq)
#define disable_irq(...) __ktl_unsupported(disable_irq)
#define disable_irq_nosync(...) __ktl_unsupported(disable_irq_nosync)
#define synchronize_irq(...) __ktl_unsupported(synchronize_irq)
#define irq_set_affinity(...) __ktl_unsupported(irq_set_affinity)
#define irq_set_irq_wake(...) __ktl_unsupported(irq_set_irq_wake)
#define enable_irq_wake(...) __ktl_unsupported(enable_irq_wake)
#define disable_irq_wake(...) __ktl_unsupported(disable_irq_wake)

/* ---- softirqs -------------------------------------------------------------------------- */

enum {
	HI_SOFTIRQ = 0,
	TIMER_SOFTIRQ,
	NET_TX_SOFTIRQ,
	NET_RX_SOFTIRQ,
	BLOCK_SOFTIRQ,
	IRQ_POLL_SOFTIRQ,
	TASKLET_SOFTIRQ,
	SCHED_SOFTIRQ,
	HRTIMER_SOFTIRQ,
	RCU_SOFTIRQ,
	NR_SOFTIRQS
};

__KTL_BEGIN_DECLS
/* Marks softirq @nr pending on this vCPU; from task context it wakes ksoftirqd. Context: any. */
void raise_softirq(unsigned int nr) __ktl_abi(raise_softirq);
void raise_softirq_irqoff(unsigned int nr) __ktl_abi(raise_softirq_irqoff);
void __raise_softirq_irqoff(unsigned int nr) __ktl_abi(__raise_softirq_irqoff);
/* The vectors pending on this vCPU (bit nr for softirq nr). */
unsigned int local_softirq_pending(void) __ktl_abi(local_softirq_pending);
__KTL_END_DECLS

#define open_softirq(...) __ktl_unsupported(open_softirq)

/* ---- tasklets -------------------------------------------------------------------------- */

/* ktl::tasklet_struct (40 bytes, the layout of Linux's; compat/src/softirq.cc asserts it). */
struct tasklet_struct {
	struct tasklet_struct *next;
	unsigned long state; /* TASKLET_STATE_SCHED, TASKLET_STATE_RUN bits */
	atomic_t count;      /* > 0: disabled */
	bool use_callback;
	union {
		void (*func)(unsigned long data);
		void (*callback)(struct tasklet_struct *t);
	};
	unsigned long data;
};

enum {
	TASKLET_STATE_SCHED, /* scheduled for execution */
	TASKLET_STATE_RUN    /* running (on one vCPU) */
};

/* The same bytes as ktl's tasklet_struct_init_cb()/_func() (every field named, for C++ too). */
#define __TASKLET_INIT_CB(_callback, _count)                                    \
	{                                                                       \
		.next = NULL, .state = 0, .count = { (_count) },                \
		.use_callback = true, .callback = (_callback), .data = 0,       \
	}
#define __TASKLET_INIT_FUNC(_func, _count)                                      \
	{                                                                       \
		.next = NULL, .state = 0, .count = { (_count) },                \
		.use_callback = false, .func = (_func), .data = 0,              \
	}

#define DECLARE_TASKLET(name, _callback)                                        \
	struct tasklet_struct name = __TASKLET_INIT_CB(_callback, 0)
#define DECLARE_TASKLET_DISABLED(name, _callback)                               \
	struct tasklet_struct name = __TASKLET_INIT_CB(_callback, 1)
#define DECLARE_TASKLET_OLD(name, _func)                                        \
	struct tasklet_struct name = __TASKLET_INIT_FUNC(_func, 0)
#define DECLARE_TASKLET_DISABLED_OLD(name, _func)                               \
	struct tasklet_struct name = __TASKLET_INIT_FUNC(_func, 1)

#define from_tasklet(var, callback_tasklet, tasklet_fieldname)                  \
	container_of(callback_tasklet, __typeof__(*var), tasklet_fieldname)

__KTL_BEGIN_DECLS

/* Prepares @t to call @callback(@t) (enabled, not scheduled). */
void tasklet_setup(struct tasklet_struct *t, void (*callback)(struct tasklet_struct *))
	__ktl_abi(tasklet_setup);
/* The old form: @t calls @func(@data). */
void tasklet_init(struct tasklet_struct *t, void (*func)(unsigned long), unsigned long data)
	__ktl_abi(tasklet_init);

/**
 * tasklet_schedule - run the tasklet once, soon, in softirq context on this vCPU
 *
 * Nothing happens if it is already scheduled (and not yet running).
 * Context: any.
 */
void tasklet_schedule(struct tasklet_struct *t) __ktl_abi(tasklet_schedule);
/* tasklet_schedule() on the HI_SOFTIRQ list, which runs before the timers and the others. */
void tasklet_hi_schedule(struct tasklet_struct *t) __ktl_abi(tasklet_hi_schedule);

/* Raises the disable count: a scheduled tasklet waits (stays scheduled) until enabled. */
void tasklet_disable_nosync(struct tasklet_struct *t) __ktl_abi(tasklet_disable_nosync);
/* tasklet_disable_nosync(), then waits for a running callback to finish. Context: a task. */
void tasklet_disable(struct tasklet_struct *t) __ktl_abi(tasklet_disable);
/* tasklet_disable() that spins instead of sleeping. Context: any. */
void tasklet_disable_in_atomic(struct tasklet_struct *t) __ktl_abi(tasklet_disable_in_atomic);
void tasklet_enable(struct tasklet_struct *t) __ktl_abi(tasklet_enable);

/**
 * tasklet_kill - wait until the tasklet is neither scheduled nor running
 *
 * A scheduled tasklet still runs first. It must not re-schedule itself forever meanwhile.
 * Context: a task (not in interrupt context).
 */
void tasklet_kill(struct tasklet_struct *t) __ktl_abi(tasklet_kill);

/* Takes TASKLET_STATE_RUN: true if it was free (the tasklet is not running elsewhere). */
bool tasklet_trylock(struct tasklet_struct *t) __ktl_abi(tasklet_trylock);
void tasklet_unlock(struct tasklet_struct *t) __ktl_abi(tasklet_unlock);
/* Waits until the tasklet is not running. Context: a task. */
void tasklet_unlock_wait(struct tasklet_struct *t) __ktl_abi(tasklet_unlock_wait);
void tasklet_unlock_spin_wait(struct tasklet_struct *t) __ktl_abi(tasklet_unlock_spin_wait);

__KTL_END_DECLS

/* Tasklet-like hrtimer users (tasklet_hrtimer) are gone from Linux; so are they here. */
#define tasklet_hrtimer_init(...) __ktl_unsupported(tasklet_hrtimer_init)

#endif /* _LINUX_INTERRUPT_H */
