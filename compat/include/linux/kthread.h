/* SPDX-License-Identifier: MIT */
/*
 * linux/kthread.h - kernel threads and kthread workers (Linux 6.18 semantics).
 *
 * kthread_create() asks kthreadd (pid 2) for a new thread and returns it asleep in
 * TASK_UNINTERRUPTIBLE (ps "D") before threadfn ran; wake_up_process() starts it
 * (kthread_run() does both). Its comm is the formatted name cut to 15 characters; /proc
 * and ps show the full name. The thread function loops until kthread_should_stop() and
 * returns a value kthread_stop() hands back:
 *
 *	static int my_thread(void *data)
 *	{
 *		while (!kthread_should_stop()) {
 *			...
 *			schedule_timeout_interruptible(HZ);
 *		}
 *		return 0;
 *	}
 *	t = kthread_run(my_thread, NULL, "my_thread/%d", id);
 *	...
 *	ret = kthread_stop(t);
 *
 * kthread_stop() wakes the thread, makes signal_pending() true in it (so interruptible
 * sleeps end), waits until it exits and returns threadfn's result — or -EINTR, without
 * threadfn ever running, for a thread that was never woken. Threads are reaped
 * automatically: one that may return (or kthread_exit()) before kthread_stop() must be
 * pinned with get_task_struct() first and stopped with kthread_stop_put().
 *
 * Parking: kthread_park() makes the thread stop in kthread_parkme() (ps "P") once it sees
 * kthread_should_park(); kthread_unpark() lets it go on.
 *
 * A kthread_worker is one thread running queued kthread_work items in order. Since 6.14
 * kthread_create_worker*() return a worker whose thread has not been woken (queueing an
 * item wakes it); kthread_run_worker*() also wake it.
 *
 * Errors: ERR_PTR(-ENOMEM), ERR_PTR(-EAGAIN) (pid_max / threads-max reached, or no kernel
 * running), ERR_PTR(-EINTR) (the creating task got SIGKILL while waiting for kthreadd).
 */
#ifndef _LINUX_KTHREAD_H
#define _LINUX_KTHREAD_H

#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/list.h>
#include <linux/numa.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>

struct completion;
struct mm_struct;

__KTL_BEGIN_DECLS

/**
 * kthread_create_on_node - create a kernel thread, not yet started
 * @threadfn: the thread function, given @data
 * @data: its argument (read by the new thread later: keep it alive until the thread used it)
 * @node: NUMA node (ktl has one; any value is accepted)
 * @namefmt: printf-style name, then its arguments
 *
 * Context: task or host thread; sleeps (waits for kthreadd).
 * Return: the new task, asleep (D) until wake_up_process(); or an ERR_PTR().
 */
struct task_struct *kthread_create_on_node(int (*threadfn)(void *data), void *data, int node,
					   const char namefmt[], ...)
	__ktl_abi(kthread_create_on_node) __printf(4, 5);

/* As kthread_create(), bound to @cpu, named @namefmt formatted with @cpu alone ("x/%u"). */
struct task_struct *kthread_create_on_cpu(int (*threadfn)(void *data), void *data,
					  unsigned int cpu, const char *namefmt)
	__ktl_abi(kthread_create_on_cpu);

/* Binds a thread that has not started yet to @cpu / @mask (and sets PF_NO_SETAFFINITY). */
void kthread_bind(struct task_struct *k, unsigned int cpu) __ktl_abi(kthread_bind);
void kthread_bind_mask(struct task_struct *k, const struct cpumask *mask)
	__ktl_abi(kthread_bind_mask);

/**
 * kthread_stop - stop a thread and collect its result
 *
 * Sets kthread_should_stop() for @k, unparks it, makes signal_pending() true in it, wakes
 * it and waits (uninterruptibly, forever if threadfn never returns) until it exited.
 * Context: task or host thread, not @k itself; @k must still exist (see get_task_struct()).
 * Return: threadfn's return value (or kthread_exit()'s argument); -EINTR if @k never ran.
 */
int kthread_stop(struct task_struct *k) __ktl_abi(kthread_stop);
/* kthread_stop(), then put_task_struct(): for a thread pinned with get_task_struct(). */
int kthread_stop_put(struct task_struct *k) __ktl_abi(kthread_stop_put);

/* True once kthread_stop() was called on the current kthread. */
bool kthread_should_stop(void) __ktl_abi(kthread_should_stop);
/* True while kthread_park() asks the current kthread to park (call kthread_parkme()). */
bool kthread_should_park(void) __ktl_abi(kthread_should_park);
bool kthread_should_stop_or_park(void) __ktl_abi(kthread_should_stop_or_park);
/*
 * kthread_freezable_should_stop - kthread_should_stop() with a freezer check
 * ktl never freezes tasks: *@was_frozen (if given) is set to false.
 */
bool kthread_freezable_should_stop(bool *was_frozen) __ktl_abi(kthread_freezable_should_stop);

/* threadfn of @k if @k is a kthread, else NULL. */
void *kthread_func(struct task_struct *k) __ktl_abi(kthread_func);
/* The @data @k was created with (@k must be a kthread: WARNs otherwise). */
void *kthread_data(struct task_struct *k) __ktl_abi(kthread_data);
/* kthread_data() for any task: NULL if @k is not a kthread. */
void *kthread_probe_data(struct task_struct *k) __ktl_abi(kthread_probe_data);

/**
 * kthread_park - park a kthread
 *
 * For another thread: asks it to park, wakes it and waits until it sleeps in
 * kthread_parkme() (TASK_PARKED, ps "P"). A thread never woken parks without running
 * threadfn. For current: only sets kthread_should_park().
 * Return: 0; -ENOSYS if @k is exiting; -EBUSY if a park was already requested.
 */
int kthread_park(struct task_struct *k) __ktl_abi(kthread_park);
/* Lets a parked thread continue (threadfn starts now if it was parked before its start). */
void kthread_unpark(struct task_struct *k) __ktl_abi(kthread_unpark);
/* Parks the current thread while kthread_should_park(). */
void kthread_parkme(void) __ktl_abi(kthread_parkme);

bool kthread_is_per_cpu(struct task_struct *k) __ktl_abi(kthread_is_per_cpu);
void kthread_set_per_cpu(struct task_struct *k, int cpu) __ktl_abi(kthread_set_per_cpu);
/* The full (untruncated) name of a kthread, else its comm; always NUL terminated. */
void get_kthread_comm(char *buf, size_t buf_size, struct task_struct *tsk)
	__ktl_abi(get_kthread_comm);

/* Ends the current kthread: @result is what kthread_stop() returns. */
void kthread_exit(long result) __ktl_abi(kthread_exit) __noreturn;
/*
 * kthread_complete_and_exit - complete(@comp) (if not NULL), then kthread_exit(@code)
 * For a module thread that must signal its end while its code is still mapped.
 */
void kthread_complete_and_exit(struct completion *comp, long code)
	__ktl_abi(kthread_complete_and_exit) __noreturn;

/* Makes the current kthread use @mm as its address space (copy_to_user & co.) until unuse. */
void kthread_use_mm(struct mm_struct *mm) __ktl_abi(kthread_use_mm);
void kthread_unuse_mm(struct mm_struct *mm) __ktl_abi(kthread_unuse_mm);

__KTL_END_DECLS

#define kthread_create(threadfn, data, namefmt, ...)                            \
	kthread_create_on_node(threadfn, data, NUMA_NO_NODE, namefmt, ##__VA_ARGS__)

/* kthread_create() and, on success, wake_up_process(): the thread or an ERR_PTR(). */
#define kthread_run(threadfn, data, namefmt, ...)                               \
	({                                                                      \
		struct task_struct *__k =                                       \
			kthread_create(threadfn, data, namefmt, ##__VA_ARGS__); \
		if (!IS_ERR(__k))                                               \
			wake_up_process(__k);                                   \
		__k;                                                            \
	})

static inline struct task_struct *kthread_run_on_cpu(int (*threadfn)(void *data), void *data,
						     unsigned int cpu, const char *namefmt)
{
	struct task_struct *p = kthread_create_on_cpu(threadfn, data, cpu, namefmt);

	if (!IS_ERR(p))
		wake_up_process(p);
	return p;
}

/* The pre-5.17 name of kthread_complete_and_exit(), kept for old code. */
#define complete_and_exit(comp, code) kthread_complete_and_exit(comp, code)

#define kthread_affine_preferred(...) __ktl_unsupported(kthread_affine_preferred)
#define kthread_associate_blkcg(...) __ktl_unsupported(kthread_associate_blkcg)
#define kthread_blkcg(...) __ktl_unsupported(kthread_blkcg)

/* ---- kthread_worker ----------------------------------------------------------------- */

struct kthread_work;
typedef void (*kthread_work_func_t)(struct kthread_work *work);

/* kthread_worker.flags */
enum {
	KTW_FREEZABLE = 1 << 0, /* the thread is freezable (ktl never freezes it) */
};

/* ktl::kthread_worker byte for byte (compat/src/kthread.cc asserts it). */
struct kthread_worker {
	unsigned int flags;
	raw_spinlock_t lock; /* protects the rest */
	struct list_head work_list;
	struct list_head delayed_work_list;
	struct task_struct *task; /* the worker thread; NULL once it stopped */
	struct kthread_work *current_work;
};

struct kthread_work {
	struct list_head node;
	kthread_work_func_t func;
	struct kthread_worker *worker;
	int canceling;
};

struct kthread_delayed_work {
	struct kthread_work work;
	struct timer_list timer;
};

__KTL_LAYOUT(sizeof(struct kthread_worker) == 56 && __alignof__(struct kthread_worker) == 8);
__KTL_LAYOUT(offsetof(struct kthread_worker, lock) == 4);
__KTL_LAYOUT(offsetof(struct kthread_worker, work_list) == 8);
__KTL_LAYOUT(offsetof(struct kthread_worker, delayed_work_list) == 24);
__KTL_LAYOUT(offsetof(struct kthread_worker, task) == 40);
__KTL_LAYOUT(offsetof(struct kthread_worker, current_work) == 48);
__KTL_LAYOUT(sizeof(struct kthread_work) == 40 && __alignof__(struct kthread_work) == 8);
__KTL_LAYOUT(offsetof(struct kthread_work, func) == 16);
__KTL_LAYOUT(offsetof(struct kthread_work, worker) == 24);
__KTL_LAYOUT(offsetof(struct kthread_work, canceling) == 32);
__KTL_LAYOUT(sizeof(struct kthread_delayed_work) == 88);
__KTL_LAYOUT(offsetof(struct kthread_delayed_work, timer) == 40);

#define KTHREAD_WORKER_INIT(worker)                                             \
	{                                                                       \
		.flags = 0, .lock = __RAW_SPIN_LOCK_INITIALIZER((worker).lock), \
		.work_list = { &(worker).work_list, &(worker).work_list },      \
		.delayed_work_list = { &(worker).delayed_work_list,             \
				       &(worker).delayed_work_list },           \
		.task = NULL, .current_work = NULL,                             \
	}
#define KTHREAD_WORK_INIT(work, fn)                                             \
	{                                                                       \
		.node = { &(work).node, &(work).node }, .func = (fn),           \
		.worker = NULL, .canceling = 0,                                 \
	}
#define KTHREAD_DELAYED_WORK_INIT(dwork, fn)                                    \
	{                                                                       \
		.work = KTHREAD_WORK_INIT((dwork).work, (fn)),                  \
		.timer = __TIMER_INITIALIZER(kthread_delayed_work_timer_fn, TIMER_IRQSAFE), \
	}
#define DEFINE_KTHREAD_WORKER(worker) struct kthread_worker worker = KTHREAD_WORKER_INIT(worker)
#define DEFINE_KTHREAD_WORK(work, fn) struct kthread_work work = KTHREAD_WORK_INIT(work, fn)
#define DEFINE_KTHREAD_DELAYED_WORK(dwork, fn)                                  \
	struct kthread_delayed_work dwork = KTHREAD_DELAYED_WORK_INIT(dwork, fn)
#define DEFINE_KTHREAD_WORKER_ONSTACK(worker) DEFINE_KTHREAD_WORKER(worker)

__KTL_BEGIN_DECLS
/*
 * The timer function of delayed kthread work (moves the item to its worker's list); ktl's own
 * function, so DEFINE_KTHREAD_DELAYED_WORK stores the address ktl's constructor stores.
 */
void kthread_delayed_work_timer_fn(struct timer_list *t) __ktl_abi(kthread_delayed_work_timer_fn);

void kthread_init_worker(struct kthread_worker *worker) __ktl_abi(kthread_init_worker);
/* (Re)initialise an item that is neither pending nor running. */
void kthread_init_work(struct kthread_work *work, kthread_work_func_t fn)
	__ktl_abi(kthread_init_work);
void kthread_init_delayed_work(struct kthread_delayed_work *dwork, kthread_work_func_t fn)
	__ktl_abi(kthread_init_delayed_work);

/*
 * kthread_worker_fn - the worker thread's function
 * @worker_ptr: a struct kthread_worker set up with kthread_init_worker()
 * Usable with kthread_run() directly: kthread_run(kthread_worker_fn, &w, "name").
 * Return: 0 once kthread_stop() stopped it.
 */
int kthread_worker_fn(void *worker_ptr) __ktl_abi(kthread_worker_fn);

/* A worker whose thread is created, not woken (6.14+); or an ERR_PTR(). */
struct kthread_worker *kthread_create_worker_on_node(unsigned int flags, int node,
						     const char namefmt[], ...)
	__ktl_abi(kthread_create_worker_on_node) __printf(3, 4);
struct kthread_worker *kthread_create_worker(unsigned int flags, const char namefmt[], ...)
	__ktl_abi(kthread_create_worker) __printf(2, 3);
/* Bound to @cpu; the name is @namefmt formatted with @cpu alone ("name/%d"). */
struct kthread_worker *kthread_create_worker_on_cpu(int cpu, unsigned int flags,
						    const char namefmt[])
	__ktl_abi(kthread_create_worker_on_cpu);
/* The same, with the thread woken. */
struct kthread_worker *kthread_run_worker(unsigned int flags, const char namefmt[], ...)
	__ktl_abi(kthread_run_worker) __printf(2, 3);
struct kthread_worker *kthread_run_worker_on_cpu(int cpu, unsigned int flags,
						 const char namefmt[])
	__ktl_abi(kthread_run_worker_on_cpu);

/*
 * kthread_queue_work - queue an item at the tail of the worker's list
 * Context: any. Return: true if queued; false if it was pending already or being canceled.
 */
bool kthread_queue_work(struct kthread_worker *worker, struct kthread_work *work)
	__ktl_abi(kthread_queue_work);
/* Queue after @delay jiffies (0: now). Return: false if already pending, else true. */
bool kthread_queue_delayed_work(struct kthread_worker *worker,
				struct kthread_delayed_work *dwork, unsigned long delay)
	__ktl_abi(kthread_queue_delayed_work);
/* Re-time (or queue) it. Return: false if it was idle and is now queued, else true. */
bool kthread_mod_delayed_work(struct kthread_worker *worker, struct kthread_delayed_work *dwork,
			      unsigned long delay) __ktl_abi(kthread_mod_delayed_work);
/* Waits until the item, if queued or running, has run (never for a pending delayed item). */
void kthread_flush_work(struct kthread_work *work) __ktl_abi(kthread_flush_work);
/* Waits until everything queued before the call has run. */
void kthread_flush_worker(struct kthread_worker *worker) __ktl_abi(kthread_flush_worker);
/* Dequeue and wait for a running func. Return: true if the item was pending. */
bool kthread_cancel_work_sync(struct kthread_work *work) __ktl_abi(kthread_cancel_work_sync);
bool kthread_cancel_delayed_work_sync(struct kthread_delayed_work *dwork)
	__ktl_abi(kthread_cancel_delayed_work_sync);
/* Flushes, stops the thread and frees a worker made by kthread_create_worker*(). */
void kthread_destroy_worker(struct kthread_worker *worker) __ktl_abi(kthread_destroy_worker);
__KTL_END_DECLS

#endif /* _LINUX_KTHREAD_H */
