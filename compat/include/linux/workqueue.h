/* SPDX-License-Identifier: MIT */
/*
 * linux/workqueue.h - deferred work run by kernel threads (kworkers).
 *
 * ktl's workqueues follow Linux 6.x rule for rule (see include/ktl/workqueue/workqueue.h):
 * - Work items run in process context on a kworker (current is the worker, PF_WQ_WORKER
 *   set); they may sleep. A work item never runs on two workers at once.
 * - PENDING is ownership: queue_work() returns false (and does nothing) while the item is
 *   still queued or its delay timer pending. The worker clears PENDING just before calling the
 *   function, so an item may re-queue itself.
 * - Per-vCPU ("bound") queues run one item at a time per vCPU while items keep the CPU,
 *   starting another when one sleeps; WQ_UNBOUND queues run items in parallel up to
 *   max_active. alloc_ordered_workqueue() runs one item at a time, in queueing order.
 * - Delayed work arms a timer (TIMER_IRQSAFE) that queues the item when it fires; the item
 *   then runs at the earliest @delay jiffies after the call.
 * - destroy_workqueue() drains the queue first. Delayed work whose timer is still pending is
 *   not known to the queue: cancel it first (rmmod reports one left behind).
 * Not supported: WQ_BH queues and RCU work (ktl has no RCU).
 *
 * Contexts: queue_*, mod_delayed_work*, cancel_work, cancel_delayed_work, work_pending,
 * work_busy: any (tasks, timer and tasklet callbacks). flush_*, cancel_*_sync,
 * drain/destroy/alloc_workqueue: a task (they sleep).
 */
#ifndef _LINUX_WORKQUEUE_H
#define _LINUX_WORKQUEUE_H

#include <asm/ktl-abi.h>
#include <linux/bitops.h>
#include <linux/container_of.h>
#include <linux/list.h>
#include <linux/stddef.h>
#include <linux/timer.h>
#include <linux/types.h>

struct workqueue_struct;
struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

/* ktl::work_struct (32 bytes; compat/src/workqueue.cc asserts the layout). */
struct work_struct {
	atomic_long_t data; /* PENDING and other WORK_STRUCT_* bits | pool or pwq */
	struct list_head entry;
	work_func_t func;
};

/* ktl::delayed_work (96 bytes). */
struct delayed_work {
	struct work_struct work;
	struct timer_list timer;
	struct workqueue_struct *wq; /* the target while the timer is pending */
	int cpu;
};

enum work_bits {
	WORK_STRUCT_PENDING_BIT = 0,
	WORK_STRUCT_INACTIVE_BIT = 1,
	WORK_STRUCT_PWQ_BIT = 2,
	WORK_STRUCT_LINKED_BIT = 3,
	WORK_STRUCT_FLAG_BITS = 8,
};

#define WORK_STRUCT_PENDING (1UL << WORK_STRUCT_PENDING_BIT)
#define WORK_STRUCT_INACTIVE (1UL << WORK_STRUCT_INACTIVE_BIT)
#define WORK_STRUCT_PWQ (1UL << WORK_STRUCT_PWQ_BIT)
#define WORK_STRUCT_LINKED (1UL << WORK_STRUCT_LINKED_BIT)
/* Off queue, no pool: the value of a new work item's data word. */
#define WORK_STRUCT_NO_POOL (0x7fffffffUL << 25)
#define WORK_DATA_INIT() ((long)WORK_STRUCT_NO_POOL)
#define WORK_DATA_STATIC_INIT() ((long)WORK_STRUCT_NO_POOL)

/* queue_work_on() for "any vCPU" (the local one, as Linux prefers). */
#define WORK_CPU_UNBOUND 256

/* work_busy() bits */
#define WORK_BUSY_PENDING (1U << 0)
#define WORK_BUSY_RUNNING (1U << 1)

/* alloc_workqueue() flags */
enum wq_flags {
	WQ_BH = 1 << 0,              /* not supported: alloc_workqueue() fails with a WARN */
	WQ_UNBOUND = 1 << 1,         /* not bound to a vCPU, not concurrency managed */
	WQ_FREEZABLE = 1 << 2,       /* accepted (ktl does not freeze) */
	WQ_MEM_RECLAIM = 1 << 3,     /* has a rescuer thread */
	WQ_HIGHPRI = 1 << 4,         /* runs on the nice -20 pools */
	WQ_CPU_INTENSIVE = 1 << 5,   /* not counted by concurrency management */
	WQ_SYSFS = 1 << 6,           /* accepted */
	WQ_POWER_EFFICIENT = 1 << 7, /* unbound when workqueue.power_efficient=1 */
	WQ_PERCPU = 1 << 8,          /* bound to vCPUs (the default without WQ_UNBOUND) */

	__WQ_DESTROYING = 1 << 15,
	__WQ_DRAINING = 1 << 16,
	__WQ_ORDERED = 1 << 17,
	__WQ_LEGACY = 1 << 18,

	WQ_MAX_ACTIVE = 2048,
	WQ_UNBOUND_MAX_ACTIVE = WQ_MAX_ACTIVE,
	WQ_DFL_ACTIVE = WQ_MAX_ACTIVE / 2,
	WQ_DFL_MIN_ACTIVE = 8,
};

#define WQ_NAME_LEN 32

__KTL_BEGIN_DECLS

/* The system workqueues, valid while the kernel runs (ktl::system_wq ...). */
extern struct workqueue_struct *system_wq __ktl_abi(system_wq);
extern struct workqueue_struct *system_percpu_wq __ktl_abi(system_percpu_wq);
extern struct workqueue_struct *system_highpri_wq __ktl_abi(system_highpri_wq);
extern struct workqueue_struct *system_long_wq __ktl_abi(system_long_wq);
extern struct workqueue_struct *system_unbound_wq __ktl_abi(system_unbound_wq);
extern struct workqueue_struct *system_dfl_wq __ktl_abi(system_dfl_wq);
extern struct workqueue_struct *system_freezable_wq __ktl_abi(system_freezable_wq);
extern struct workqueue_struct *system_power_efficient_wq __ktl_abi(system_power_efficient_wq);
extern struct workqueue_struct *system_freezable_power_efficient_wq
	__ktl_abi(system_freezable_power_efficient_wq);

/* The timer function of every delayed_work (DECLARE_DELAYED_WORK names it). */
void delayed_work_timer_fn(struct timer_list *t) __ktl_abi(delayed_work_timer_fn);

void __ktl_init_work(struct work_struct *work, work_func_t func) __ktl_abi(init_work);
void __ktl_init_delayed_work(struct delayed_work *dwork, work_func_t func, unsigned int tflags)
	__ktl_abi(init_delayed_work);

/* The item is queued or its delay timer is pending. Context: any, lockless. */
bool work_pending(const struct work_struct *work) __ktl_abi(work_pending);

/**
 * alloc_workqueue - create a workqueue
 * @fmt: printf format of its name (at most WQ_NAME_LEN - 1 characters are kept)
 * @flags: WQ_* flags
 * @max_active: items of this queue running at once per vCPU (unbound: in all); 0 for the
 *              default (WQ_DFL_ACTIVE)
 *
 * Context: a task.
 * Return: the workqueue, or NULL (bad flags such as WQ_BH, or out of memory).
 */
struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags, int max_active, ...)
	__ktl_abi(alloc_workqueue) __printf(1, 4);
/* Drains @wq (queued items run; items they queue too), then frees it. Context: a task. */
void destroy_workqueue(struct workqueue_struct *wq) __ktl_abi(destroy_workqueue);
void workqueue_set_max_active(struct workqueue_struct *wq, int max_active)
	__ktl_abi(workqueue_set_max_active);
void workqueue_set_min_active(struct workqueue_struct *wq, int min_active)
	__ktl_abi(workqueue_set_min_active);
bool workqueue_congested(int cpu, struct workqueue_struct *wq) __ktl_abi(workqueue_congested);

/**
 * queue_work_on - queue a work item on a vCPU's pool of @wq
 * @cpu: the vCPU, or WORK_CPU_UNBOUND for the local one (any, for an unbound queue)
 *
 * Context: any.
 * Return: true if queued, false if @work was already pending (then nothing changes).
 */
bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work)
	__ktl_abi(queue_work_on);
bool queue_work_node(int node, struct workqueue_struct *wq, struct work_struct *work)
	__ktl_abi(queue_work_node);
/**
 * queue_delayed_work_on - queue a work item after @delay jiffies
 *
 * A @delay of 0 queues at once.
 * Context: any.
 * Return: true if queued, false if @dwork was already pending (its delay is not changed:
 * that is mod_delayed_work_on()).
 */
bool queue_delayed_work_on(int cpu, struct workqueue_struct *wq, struct delayed_work *dwork,
			   unsigned long delay) __ktl_abi(queue_delayed_work_on);
/**
 * mod_delayed_work_on - queue a delayed work item, or change the delay of a pending one
 *
 * Context: any.
 * Return: false if @dwork was idle (now queued), true if it was pending (now re-timed).
 */
bool mod_delayed_work_on(int cpu, struct workqueue_struct *wq, struct delayed_work *dwork,
			 unsigned long delay) __ktl_abi(mod_delayed_work_on);
bool schedule_work_on(int cpu, struct work_struct *work) __ktl_abi(schedule_work_on);
bool schedule_work(struct work_struct *work) __ktl_abi(schedule_work);
bool schedule_delayed_work_on(int cpu, struct delayed_work *dwork, unsigned long delay)
	__ktl_abi(schedule_delayed_work_on);
bool schedule_delayed_work(struct delayed_work *dwork, unsigned long delay)
	__ktl_abi(schedule_delayed_work);
bool enable_and_queue_work(struct workqueue_struct *wq, struct work_struct *work)
	__ktl_abi(enable_and_queue_work);

/**
 * flush_work - wait for the last queueing of @work to finish executing
 *
 * Context: a task.
 * Return: true if it waited, false if @work was idle.
 */
bool flush_work(struct work_struct *work) __ktl_abi(flush_work);
/* Queues a pending delayed item at once, then flush_work(). */
bool flush_delayed_work(struct delayed_work *dwork) __ktl_abi(flush_delayed_work);
/**
 * flush_workqueue - wait until every item queued on @wq before the call has finished
 *
 * Flushing a system workqueue prints the kernel's deprecation warning (once per boot).
 * Context: a task.
 */
void flush_workqueue(struct workqueue_struct *wq) __ktl_abi(flush_workqueue);
void __flush_workqueue(struct workqueue_struct *wq) __ktl_abi(__flush_workqueue);
/*
 * Flushing a system-wide workqueue is deprecated in Linux 6.x: flush_scheduled_work() warns at
 * compile time (as the kernel's header does) and, each call, in the log:
 *   WARNING: Flushing system-wide workqueues will be prohibited in near future.
 * then flushes system_wq. Flush or cancel the items you queued instead.
 */
void __ktl_warn_flushing_systemwide_wq(void) __ktl_abi(warn_flushing_systemwide_wq)
	__attribute__((__warning__("Please avoid flushing system-wide workqueues.")));
/* Flushes @wq repeatedly until it is empty, refusing new items from outside meanwhile. */
void drain_workqueue(struct workqueue_struct *wq) __ktl_abi(drain_workqueue);

/* Removes @work from its queue (or deletes its timer) without waiting for a running call.
 * Return: true if it was pending. Context: any. */
bool cancel_work(struct work_struct *work) __ktl_abi(cancel_work);
bool cancel_delayed_work(struct delayed_work *dwork) __ktl_abi(cancel_delayed_work);
/**
 * cancel_work_sync - cancel a work item and wait for its execution to finish
 *
 * Works even if the item re-queues itself. Context: a task.
 * Return: true if @work was pending.
 */
bool cancel_work_sync(struct work_struct *work) __ktl_abi(cancel_work_sync);
/**
 * cancel_delayed_work_sync - cancel a delayed work item (timer or queue) and wait for it
 *
 * Context: a task.
 * Return: true if @dwork was pending (its timer armed or the item queued), false if it was
 * idle or only running.
 */
bool cancel_delayed_work_sync(struct delayed_work *dwork) __ktl_abi(cancel_delayed_work_sync);
bool disable_work(struct work_struct *work) __ktl_abi(disable_work);
bool disable_work_sync(struct work_struct *work) __ktl_abi(disable_work_sync);
bool enable_work(struct work_struct *work) __ktl_abi(enable_work);
bool disable_delayed_work(struct delayed_work *dwork) __ktl_abi(disable_delayed_work);
bool disable_delayed_work_sync(struct delayed_work *dwork) __ktl_abi(disable_delayed_work_sync);
bool enable_delayed_work(struct delayed_work *dwork) __ktl_abi(enable_delayed_work);

/* The work item the calling kworker is executing, NULL outside one. */
struct work_struct *current_work(void) __ktl_abi(current_work);
bool current_is_workqueue_rescuer(void) __ktl_abi(current_is_workqueue_rescuer);
/* WORK_BUSY_PENDING | WORK_BUSY_RUNNING, a racy snapshot for diagnostics. */
unsigned int work_busy(struct work_struct *work) __ktl_abi(work_busy);
/* Describes the calling kworker's current job (shown by sysrq-t dumps). */
void set_worker_desc(const char *fmt, ...) __ktl_abi(set_worker_desc) __printf(1, 2);

/* Runs @func on every online vCPU from system_wq and waits. Return: 0. Context: a task. */
int schedule_on_each_cpu(work_func_t func) __ktl_abi(schedule_on_each_cpu);
/* Runs @fn(@arg) on a kworker of vCPU @cpu and waits for its result. Context: a task. */
long work_on_cpu(int cpu, long (*fn)(void *), void *arg) __ktl_abi(work_on_cpu);
long work_on_cpu_safe(int cpu, long (*fn)(void *), void *arg) __ktl_abi(work_on_cpu_safe);

__KTL_END_DECLS

/* Same bytes as ktl's C++ initialisers (the list head points at itself). */
#define __WORK_INITIALIZER(n, f)                                                \
	{                                                                       \
		.data = { WORK_DATA_STATIC_INIT() },                            \
		.entry = { &(n).entry, &(n).entry },                            \
		.func = (f),                                                    \
	}

#define __DELAYED_WORK_INITIALIZER(n, f, tflags)                                \
	{                                                                       \
		.work = __WORK_INITIALIZER((n).work, (f)),                     \
		.timer = __TIMER_INITIALIZER(delayed_work_timer_fn,             \
					     (tflags) | TIMER_IRQSAFE),         \
		.wq = NULL, .cpu = 0,                                           \
	}

#define DECLARE_WORK(n, f) struct work_struct n = __WORK_INITIALIZER(n, f)
#define DECLARE_DELAYED_WORK(n, f) struct delayed_work n = __DELAYED_WORK_INITIALIZER(n, f, 0)
#define DECLARE_DEFERRABLE_WORK(n, f)                                           \
	struct delayed_work n = __DELAYED_WORK_INITIALIZER(n, f, TIMER_DEFERRABLE)

#define INIT_WORK(_work, _func) __ktl_init_work((_work), (_func))
#define INIT_WORK_ONSTACK(_work, _func) __ktl_init_work((_work), (_func))
#define INIT_WORK_ONSTACK_KEY(_work, _func, _key) __ktl_init_work((_work), (_func))
#define INIT_DELAYED_WORK(_work, _func) __ktl_init_delayed_work((_work), (_func), 0)
#define INIT_DELAYED_WORK_ONSTACK(_work, _func) __ktl_init_delayed_work((_work), (_func), 0)
#define INIT_DEFERRABLE_WORK(_work, _func)                                      \
	__ktl_init_delayed_work((_work), (_func), TIMER_DEFERRABLE)
#define INIT_DEFERRABLE_WORK_ONSTACK(_work, _func)                              \
	__ktl_init_delayed_work((_work), (_func), TIMER_DEFERRABLE)
#define PREPARE_WORK(_work, _func) ((_work)->func = (_func))

static inline void destroy_work_on_stack(struct work_struct *work)
{
	(void)work;
}

static inline void destroy_delayed_work_on_stack(struct delayed_work *work)
{
	(void)work;
}

static inline struct delayed_work *to_delayed_work(struct work_struct *work)
{
	return container_of(work, struct delayed_work, work);
}

#define delayed_work_pending(w) work_pending(&(w)->work)

#define flush_scheduled_work()                                                  \
	({                                                                      \
		__ktl_warn_flushing_systemwide_wq();                            \
		__flush_workqueue(system_wq);                                   \
	})

#define alloc_ordered_workqueue(fmt, flags, args...)                            \
	alloc_workqueue(fmt, WQ_UNBOUND | __WQ_ORDERED | (flags), 1, ##args)
#define create_workqueue(name) alloc_workqueue("%s", __WQ_LEGACY | WQ_MEM_RECLAIM, 1, (name))
#define create_freezable_workqueue(name)                                        \
	alloc_workqueue("%s", __WQ_LEGACY | WQ_FREEZABLE | WQ_UNBOUND | WQ_MEM_RECLAIM, 1, (name))
#define create_singlethread_workqueue(name)                                     \
	alloc_ordered_workqueue("%s", __WQ_LEGACY | WQ_MEM_RECLAIM, (name))

static inline bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	return queue_work_on(WORK_CPU_UNBOUND, wq, work);
}

static inline bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
				      unsigned long delay)
{
	return queue_delayed_work_on(WORK_CPU_UNBOUND, wq, dwork, delay);
}

static inline bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
				    unsigned long delay)
{
	return mod_delayed_work_on(WORK_CPU_UNBOUND, wq, dwork, delay);
}

/* Work run once in process context: now if the caller is a task, else from system_wq. */
struct execute_work {
	struct work_struct work;
};

__KTL_BEGIN_DECLS
/* Return: 0 if @fn ran at once, 1 if it was queued. */
int execute_in_process_context(work_func_t fn, struct execute_work *ew)
	__ktl_abi(execute_in_process_context);
__KTL_END_DECLS

/* WQ_BH queues (work in softirq context) and RCU work need what ktl does not model. */
#define system_bh_wq __ktl_unsupported(system_bh_wq)
#define system_bh_highpri_wq __ktl_unsupported(system_bh_highpri_wq)
#define INIT_RCU_WORK(...) __ktl_unsupported(INIT_RCU_WORK)
#define INIT_RCU_WORK_ONSTACK(...) __ktl_unsupported(INIT_RCU_WORK_ONSTACK)
#define queue_rcu_work(...) __ktl_unsupported(queue_rcu_work)
#define flush_rcu_work(...) __ktl_unsupported(flush_rcu_work)

#endif /* _LINUX_WORKQUEUE_H */
