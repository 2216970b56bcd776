/* SPDX-License-Identifier: MIT */
/*
 * linux/wait.h - wait queues and the wait_event family.
 *
 * wait_queue_head_t and struct wait_queue_entry are ktl::wait_queue_head and
 * ktl::wait_queue_entry byte for byte (compat/src/wait.cc asserts the layouts), so C code
 * and ktl's C++ code can share a queue. DECLARE_WAIT_QUEUE_HEAD() produces the bytes ktl's
 * constructor produces (an unlocked lock and a list head pointing at itself).
 *
 * The wait_event*() macros are GNU statement expressions that behave as Linux's: the
 * condition is tested first without queueing; otherwise the caller queues itself, sets its
 * state, tests the condition again, checks for signals where the state allows them, sleeps,
 * and loops — so a spurious wake-up just costs another test and another sleep. The
 * condition may be evaluated any number of times. A waker must make the condition true
 * before it calls wake_up*(). While it sleeps, the task shows as blocked in the function
 * that called the macro (ps WCHAN), with the state letter of the sleep: D (uninterruptible,
 * killable), S (interruptible, freezable) or I (idle).
 *
 * Return values, as Linux's:
 *   wait_event, wait_event_idle, _cmd, _lock_irq           void
 *   wait_event_interruptible, _killable, _freezable        0, or -ERESTARTSYS on a signal
 *   wait_event_timeout, wait_event_idle_timeout            0 if the condition is still false
 *                                                          at the timeout, else the jiffies
 *                                                          left, at least 1
 *   wait_event_interruptible_timeout, _killable_timeout    also -ERESTARTSYS
 *   wait_event_hrtimeout, _interruptible_hrtimeout         0, -ETIME (or -ERESTARTSYS)
 * In a kernel thread, which ignores signals unless it allowed them, the interruptible forms
 * return -ERESTARTSYS once kthread_stop() was called on it.
 *
 * Context: the wait_event*() macros sleep: task context, no spinlock held (might_sleep()
 * reports it), except the _lock_irq/_locked forms, entered with the named lock held.
 * wake_up*() may be called from any context.
 */
#ifndef _LINUX_WAIT_H
#define _LINUX_WAIT_H

#include <linux/sched.h>

#include <asm/current.h>
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/stddef.h>
#include <linux/types.h>

struct wait_queue_entry;
typedef int (*wait_queue_func_t)(struct wait_queue_entry *wq_entry, unsigned int mode,
				 int flags, void *key);

/* wait_queue_entry.flags */
#define WQ_FLAG_EXCLUSIVE 0x01
#define WQ_FLAG_WOKEN 0x02
#define WQ_FLAG_CUSTOM 0x04
#define WQ_FLAG_DONE 0x08
#define WQ_FLAG_PRIORITY 0x10

struct wait_queue_entry {
	unsigned int flags;
#ifdef __cplusplus
	void *private_; /* "private" is a C++ keyword */
#else
	void *private; /* the task, for default_wake_function */
#endif
	wait_queue_func_t func;
	struct list_head entry;
};
typedef struct wait_queue_entry wait_queue_entry_t;

struct wait_queue_head {
	spinlock_t lock;
	struct list_head head;
};
typedef struct wait_queue_head wait_queue_head_t;

__KTL_LAYOUT(sizeof(struct wait_queue_entry) == 40 && __alignof__(struct wait_queue_entry) == 8);
__KTL_LAYOUT(offsetof(struct wait_queue_entry, func) == 16);
__KTL_LAYOUT(offsetof(struct wait_queue_entry, entry) == 24);
__KTL_LAYOUT(sizeof(struct wait_queue_head) == 24 && __alignof__(struct wait_queue_head) == 8);
__KTL_LAYOUT(offsetof(struct wait_queue_head, head) == 8);

#define __WAIT_QUEUE_HEAD_INITIALIZER(name)                                     \
	{                                                                       \
		.lock = __SPIN_LOCK_INITIALIZER((name).lock),                        \
		.head = { &(name).head, &(name).head },                         \
	}
#define DECLARE_WAIT_QUEUE_HEAD(name) struct wait_queue_head name = __WAIT_QUEUE_HEAD_INITIALIZER(name)
#define DECLARE_WAIT_QUEUE_HEAD_ONSTACK(name) DECLARE_WAIT_QUEUE_HEAD(name)

__KTL_BEGIN_DECLS
void init_waitqueue_head(struct wait_queue_head *wq_head) __ktl_abi(init_waitqueue_head);
/* An entry whose wake-up wakes @p (default_wake_function); it stays queued when woken. */
void init_waitqueue_entry(struct wait_queue_entry *wq_entry, struct task_struct *p)
	__ktl_abi(init_waitqueue_entry);
void init_waitqueue_func_entry(struct wait_queue_entry *wq_entry, wait_queue_func_t func)
	__ktl_abi(init_waitqueue_func_entry);
/* An entry for current with autoremove_wake_function and @flags (WQ_FLAG_EXCLUSIVE or 0). */
void init_wait_entry(struct wait_queue_entry *wq_entry, int flags) __ktl_abi(init_wait_entry);

/* Wakes the entry's task (entry->private) if its state matches @mode; 1 if it woke it. */
int default_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode, int flags,
			  void *key) __ktl_abi(default_wake_function);
/* default_wake_function(), and on success the entry leaves the queue. */
int autoremove_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode, int flags,
			     void *key) __ktl_abi(autoremove_wake_function);
/* Marks the entry WQ_FLAG_WOKEN, then default_wake_function() (pairs with wait_woken()). */
int woken_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode, int flags,
			void *key) __ktl_abi(woken_wake_function);

/* Queue / dequeue with the queue lock taken; add_wait_queue() queues non-exclusive at the head. */
void add_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
	__ktl_abi(add_wait_queue);
void add_wait_queue_exclusive(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
	__ktl_abi(add_wait_queue_exclusive);
void add_wait_queue_priority(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
	__ktl_abi(add_wait_queue_priority);
void remove_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
	__ktl_abi(remove_wait_queue);
/* The same with wq_head->lock already held by the caller. */
void __add_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
	__ktl_abi(__add_wait_queue);
void __add_wait_queue_entry_tail(struct wait_queue_head *wq_head,
				 struct wait_queue_entry *wq_entry)
	__ktl_abi(__add_wait_queue_entry_tail);
void __remove_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
	__ktl_abi(__remove_wait_queue);

/*
 * prepare_to_wait - queue the entry (if not queued yet) and set the task state
 *
 * Then test the condition, schedule() if it is false, and loop; finish_wait() at the end
 * sets TASK_RUNNING and dequeues the entry if a wake-up did not already.
 */
void prepare_to_wait(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry,
		     int state) __ktl_abi(prepare_to_wait);
/* Exclusive, at the tail. Return: true if the queue was empty before. */
bool prepare_to_wait_exclusive(struct wait_queue_head *wq_head,
			       struct wait_queue_entry *wq_entry, int state)
	__ktl_abi(prepare_to_wait_exclusive);
/* prepare_to_wait() that returns -ERESTARTSYS (entry dequeued) when a signal @state allows is pending. */
long prepare_to_wait_event(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry,
			   int state) __ktl_abi(prepare_to_wait_event);
void finish_wait(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
	__ktl_abi(finish_wait);
/*
 * wait_woken - sleep in @mode until woken_wake_function() marked the entry (or @timeout)
 * Return: the jiffies left of @timeout.
 */
long wait_woken(struct wait_queue_entry *wq_entry, unsigned int mode, long timeout)
	__ktl_abi(wait_woken);

/*
 * __wake_up - wake the waiters of a queue
 * Wakes every non-exclusive waiter whose state matches @mode and up to @nr_exclusive
 * exclusive ones (0: all). Context: any.
 * Return: the number of waiters woken.
 */
int __wake_up(struct wait_queue_head *wq_head, unsigned int mode, int nr_exclusive, void *key)
	__ktl_abi(__wake_up);
/* The same, with wq_head->lock held by the caller. */
void __wake_up_locked(struct wait_queue_head *wq_head, unsigned int mode, int nr)
	__ktl_abi(__wake_up_locked);
void __wake_up_locked_key(struct wait_queue_head *wq_head, unsigned int mode, void *key)
	__ktl_abi(__wake_up_locked_key);
/* One exclusive waiter, with the hint that the waker is about to sleep. */
void __wake_up_sync(struct wait_queue_head *wq_head, unsigned int mode) __ktl_abi(__wake_up_sync);
void __wake_up_sync_key(struct wait_queue_head *wq_head, unsigned int mode, void *key)
	__ktl_abi(__wake_up_sync_key);

/*
 * waitqueue_active - somebody waits on the queue (lockless)
 * The caller must order its condition update before this test (smp_mb()), or use
 * wq_has_sleeper(), which includes the barrier.
 */
int waitqueue_active(struct wait_queue_head *wq_head) __ktl_abi(waitqueue_active);
bool wq_has_sleeper(struct wait_queue_head *wq_head) __ktl_abi(wq_has_sleeper);
bool wq_has_single_sleeper(struct wait_queue_head *wq_head) __ktl_abi(wq_has_single_sleeper);

/* Where a wait_event*() sleeps: the calling function (NULL when the wait ends). */
void __ktl_wait_site(const char *site) __ktl_abi(wait_site);
/* Sleeps for the _locked forms; called and returns with wq_head->lock held. 0 or -ERESTARTSYS. */
int __ktl_wait_locked_sleep(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry,
			    unsigned int state, int irq) __ktl_abi(wait_locked_sleep);

/* A high-resolution deadline that wakes the task which armed it (the hrtimeout forms). */
struct __ktl_hr_deadline {
	unsigned long __ktl_opaque[16];
};
void __ktl_hr_deadline_start(struct __ktl_hr_deadline *d, s64 timeout_ns)
	__ktl_abi(hr_deadline_start);
bool __ktl_hr_deadline_expired(struct __ktl_hr_deadline *d) __ktl_abi(hr_deadline_expired);
void __ktl_hr_deadline_cancel(struct __ktl_hr_deadline *d) __ktl_abi(hr_deadline_cancel);
__KTL_END_DECLS

#ifdef __cplusplus
#define __KTL_WQ_PRIVATE private_
#else
#define __KTL_WQ_PRIVATE private
#endif

#define DEFINE_WAIT_FUNC(name, function)                                        \
	struct wait_queue_entry name = {                                        \
		.flags = 0,                                                     \
		.__KTL_WQ_PRIVATE = current,                                    \
		.func = (function),                                             \
		.entry = { &(name).entry, &(name).entry },                      \
	}
#define DEFINE_WAIT(name) DEFINE_WAIT_FUNC(name, autoremove_wake_function)

#define init_wait(wait)                                                         \
	do {                                                                    \
		(wait)->__KTL_WQ_PRIVATE = current;                             \
		(wait)->func = autoremove_wake_function;                        \
		INIT_LIST_HEAD(&(wait)->entry);                                 \
		(wait)->flags = 0;                                              \
	} while (0)
#define init_wait_func(wait, function)                                          \
	do {                                                                    \
		init_wait(wait);                                                \
		(wait)->func = (function);                                      \
	} while (0)

#define poll_to_key(m) ((void *)(uintptr_t)(m))

#define wake_up(x) __wake_up(x, TASK_NORMAL, 1, NULL)
#define wake_up_nr(x, nr) __wake_up(x, TASK_NORMAL, nr, NULL)
#define wake_up_all(x) __wake_up(x, TASK_NORMAL, 0, NULL)
#define wake_up_locked(x) __wake_up_locked((x), TASK_NORMAL, 1)
#define wake_up_all_locked(x) __wake_up_locked((x), TASK_NORMAL, 0)
#define wake_up_interruptible(x) __wake_up(x, TASK_INTERRUPTIBLE, 1, NULL)
#define wake_up_interruptible_nr(x, nr) __wake_up(x, TASK_INTERRUPTIBLE, nr, NULL)
#define wake_up_interruptible_all(x) __wake_up(x, TASK_INTERRUPTIBLE, 0, NULL)
#define wake_up_interruptible_sync(x) __wake_up_sync((x), TASK_INTERRUPTIBLE)
#define wake_up_sync(x) __wake_up_sync((x), TASK_NORMAL)
#define wake_up_poll(x, m) __wake_up(x, TASK_NORMAL, 1, poll_to_key(m))
#define wake_up_locked_poll(x, m) __wake_up_locked_key((x), TASK_NORMAL, poll_to_key(m))
#define wake_up_interruptible_poll(x, m) __wake_up(x, TASK_INTERRUPTIBLE, 1, poll_to_key(m))
#define wake_up_interruptible_sync_poll(x, m)                                   \
	__wake_up_sync_key((x), TASK_INTERRUPTIBLE, poll_to_key(m))

/* ---- the wait_event engine ---------------------------------------------------------- */

#define __ktl_wait_interruptible(state) (((state) & (TASK_INTERRUPTIBLE | TASK_WAKEKILL)) != 0)

/*
 * The loop behind every wait_event*(): queue (exclusively or not) and set @state, test
 * @condition, bail out with -ERESTARTSYS if a signal @state allows is pending, run @cmd
 * (the sleep), repeat. Evaluates to @ret as @cmd left it, or -ERESTARTSYS. @condition and
 * @cmd may use __ktl_wret, the running value.
 */
#define __ktl_wait_event(wq_head, condition, state, exclusive, ret, cmd)        \
	({                                                                      \
		__label__ __ktl_wout;                                           \
		struct wait_queue_entry __ktl_wentry;                           \
		long __ktl_wret = (ret);                                        \
		__ktl_wait_site(__func__);                                      \
		init_wait_entry(&__ktl_wentry, (exclusive) ? WQ_FLAG_EXCLUSIVE : 0); \
		for (;;) {                                                      \
			long __ktl_wintr =                                      \
				prepare_to_wait_event(&(wq_head), &__ktl_wentry, (state)); \
			if (condition)                                          \
				break;                                          \
			if (__ktl_wait_interruptible(state) && __ktl_wintr) {   \
				__ktl_wret = __ktl_wintr;                       \
				goto __ktl_wout;                                \
			}                                                       \
			cmd;                                                    \
		}                                                               \
		finish_wait(&(wq_head), &__ktl_wentry);                         \
	__ktl_wout:                                                             \
		__ktl_wait_site(NULL);                                          \
		__ktl_wret;                                                     \
	})

/*
 * The condition of the timeout forms: true when @condition holds or the time (in @ret) ran
 * out; a condition found true with no time left turns the result into 1.
 */
#define __ktl_wait_cond_timeout(condition, ret)                                 \
	({                                                                      \
		bool __ktl_wcond = (condition);                                 \
		if (__ktl_wcond && !(ret))                                      \
			(ret) = 1;                                              \
		__ktl_wcond || !(ret);                                          \
	})

/* A whole wait that returns void or 0/-ERESTARTSYS. */
#define __ktl_wait_event_plain(wq_head, condition, state, exclusive)            \
	({                                                                      \
		long __ktl_wres = 0;                                            \
		might_sleep();                                                  \
		if (!(condition))                                               \
			__ktl_wres = __ktl_wait_event(wq_head, condition, state, exclusive, 0, \
						      schedule());              \
		(int)__ktl_wres;                                                \
	})

/* A whole wait with a timeout in jiffies: 0, 1, the jiffies left, or -ERESTARTSYS. */
#define __ktl_wait_event_timeout(wq_head, condition, state, exclusive, timeout) \
	({                                                                      \
		long __ktl_wto = (timeout);                                     \
		might_sleep();                                                  \
		if (!__ktl_wait_cond_timeout(condition, __ktl_wto))             \
			__ktl_wto = __ktl_wait_event(                           \
				wq_head, __ktl_wait_cond_timeout(condition, __ktl_wret), state, \
				exclusive, __ktl_wto,                           \
				__ktl_wret = schedule_timeout(__ktl_wret));     \
		__ktl_wto;                                                      \
	})

/* void; sleeps in TASK_UNINTERRUPTIBLE (D). */
#define wait_event(wq_head, condition)                                          \
	do {                                                                    \
		(void)__ktl_wait_event_plain(wq_head, condition, TASK_UNINTERRUPTIBLE, 0); \
	} while (0)
#define wait_event_exclusive(wq_head, condition)                                \
	do {                                                                    \
		(void)__ktl_wait_event_plain(wq_head, condition, TASK_UNINTERRUPTIBLE, 1); \
	} while (0)
#define io_wait_event(wq_head, condition) wait_event(wq_head, condition)
/* void; TASK_IDLE (I): no load contribution, no hung-task report. */
#define wait_event_idle(wq_head, condition)                                     \
	do {                                                                    \
		(void)__ktl_wait_event_plain(wq_head, condition, TASK_IDLE, 0); \
	} while (0)
#define wait_event_idle_exclusive(wq_head, condition)                           \
	do {                                                                    \
		(void)__ktl_wait_event_plain(wq_head, condition, TASK_IDLE, 1); \
	} while (0)

/* long: 0 (timed out, condition false), 1 (true at the deadline) or the jiffies left. */
#define wait_event_timeout(wq_head, condition, timeout)                         \
	__ktl_wait_event_timeout(wq_head, condition, TASK_UNINTERRUPTIBLE, 0, timeout)
#define wait_event_idle_timeout(wq_head, condition, timeout)                    \
	__ktl_wait_event_timeout(wq_head, condition, TASK_IDLE, 0, timeout)
#define wait_event_idle_exclusive_timeout(wq_head, condition, timeout)          \
	__ktl_wait_event_timeout(wq_head, condition, TASK_IDLE, 1, timeout)

/* int: 0, or -ERESTARTSYS if a signal (for a kthread: kthread_stop()) interrupted it. S. */
#define wait_event_interruptible(wq_head, condition)                            \
	__ktl_wait_event_plain(wq_head, condition, TASK_INTERRUPTIBLE, 0)
#define wait_event_interruptible_exclusive(wq_head, condition)                  \
	__ktl_wait_event_plain(wq_head, condition, TASK_INTERRUPTIBLE, 1)
/* ktl never freezes tasks: the freezable forms are the interruptible ones (state S). */
#define wait_event_freezable(wq_head, condition)                                \
	__ktl_wait_event_plain(wq_head, condition, TASK_INTERRUPTIBLE | TASK_FREEZABLE, 0)
#define wait_event_freezable_exclusive(wq_head, condition)                      \
	__ktl_wait_event_plain(wq_head, condition, TASK_INTERRUPTIBLE | TASK_FREEZABLE, 1)
/* int: 0, or -ERESTARTSYS on SIGKILL only. D. */
#define wait_event_killable(wq_head, condition)                                 \
	__ktl_wait_event_plain(wq_head, condition, TASK_KILLABLE, 0)
#define wait_event_killable_exclusive(wq_head, condition)                       \
	__ktl_wait_event_plain(wq_head, condition, TASK_KILLABLE, 1)
/* int: 0, or -ERESTARTSYS if @state allows signals and one came. */
#define wait_event_state(wq_head, condition, state)                             \
	__ktl_wait_event_plain(wq_head, condition, state, 0)
#define wait_event_state_exclusive(wq_head, condition, state)                   \
	__ktl_wait_event_plain(wq_head, condition, state, 1)

/* long: -ERESTARTSYS, 0, 1 or the jiffies left. */
#define wait_event_interruptible_timeout(wq_head, condition, timeout)           \
	__ktl_wait_event_timeout(wq_head, condition, TASK_INTERRUPTIBLE, 0, timeout)
#define wait_event_killable_timeout(wq_head, condition, timeout)                \
	__ktl_wait_event_timeout(wq_head, condition, TASK_KILLABLE, 0, timeout)
#define wait_event_freezable_timeout(wq_head, condition, timeout)               \
	__ktl_wait_event_timeout(wq_head, condition, TASK_INTERRUPTIBLE | TASK_FREEZABLE, 0, \
				 timeout)

/* void; @cmd1 runs before each sleep, @cmd2 after it (to drop and retake a lock). */
#define wait_event_cmd(wq_head, condition, cmd1, cmd2)                          \
	do {                                                                    \
		if (condition)                                                  \
			break;                                                  \
		(void)__ktl_wait_event(wq_head, condition, TASK_UNINTERRUPTIBLE, 0, 0, \
				       cmd1; schedule(); cmd2);                 \
	} while (0)
#define wait_event_exclusive_cmd(wq_head, condition, cmd1, cmd2)                \
	do {                                                                    \
		if (condition)                                                  \
			break;                                                  \
		(void)__ktl_wait_event(wq_head, condition, TASK_UNINTERRUPTIBLE, 1, 0, \
				       cmd1; schedule(); cmd2);                 \
	} while (0)

/*
 * The _lock_irq forms: entered with @lock (a spinlock_t, taken with spin_lock_irq()) held;
 * it is dropped around each sleep and held whenever @condition is tested, and on return.
 */
#define wait_event_lock_irq_cmd(wq_head, condition, lock, cmd)                  \
	do {                                                                    \
		if (condition)                                                  \
			break;                                                  \
		(void)__ktl_wait_event(wq_head, condition, TASK_UNINTERRUPTIBLE, 0, 0, \
				       spin_unlock_irq(&lock); cmd; schedule();   \
				       spin_lock_irq(&lock));                   \
	} while (0)
#define wait_event_lock_irq(wq_head, condition, lock)                           \
	do {                                                                    \
		if (condition)                                                  \
			break;                                                  \
		(void)__ktl_wait_event(wq_head, condition, TASK_UNINTERRUPTIBLE, 0, 0, \
				       spin_unlock_irq(&lock); schedule();        \
				       spin_lock_irq(&lock));                   \
	} while (0)
/* int: 0 or -ERESTARTSYS. */
#define wait_event_interruptible_lock_irq_cmd(wq_head, condition, lock, cmd)    \
	({                                                                      \
		int __ktl_wlr = 0;                                              \
		if (!(condition))                                               \
			__ktl_wlr = (int)__ktl_wait_event(                      \
				wq_head, condition, TASK_INTERRUPTIBLE, 0, 0,   \
				spin_unlock_irq(&lock); cmd; schedule();        \
				spin_lock_irq(&lock));                          \
		__ktl_wlr;                                                      \
	})
#define wait_event_interruptible_lock_irq(wq_head, condition, lock)             \
	({                                                                      \
		int __ktl_wlr = 0;                                              \
		if (!(condition))                                               \
			__ktl_wlr = (int)__ktl_wait_event(                      \
				wq_head, condition, TASK_INTERRUPTIBLE, 0, 0,   \
				spin_unlock_irq(&lock); schedule();             \
				spin_lock_irq(&lock));                          \
		__ktl_wlr;                                                      \
	})
/* long: 0, 1 or the jiffies left (and -ERESTARTSYS for the interruptible one). */
#define __ktl_wait_event_lock_irq_timeout(wq_head, condition, lock, timeout, state) \
	({                                                                      \
		long __ktl_wto = (timeout);                                     \
		if (!__ktl_wait_cond_timeout(condition, __ktl_wto))             \
			__ktl_wto = __ktl_wait_event(                           \
				wq_head, __ktl_wait_cond_timeout(condition, __ktl_wret), state, \
				0, __ktl_wto, spin_unlock_irq(&lock);           \
				__ktl_wret = schedule_timeout(__ktl_wret);      \
				spin_lock_irq(&lock));                          \
		__ktl_wto;                                                      \
	})
#define wait_event_lock_irq_timeout(wq_head, condition, lock, timeout)          \
	__ktl_wait_event_lock_irq_timeout(wq_head, condition, lock, timeout, TASK_UNINTERRUPTIBLE)
#define wait_event_interruptible_lock_irq_timeout(wq_head, condition, lock, timeout) \
	__ktl_wait_event_lock_irq_timeout(wq_head, condition, lock, timeout, TASK_INTERRUPTIBLE)

/*
 * The _locked forms: the caller holds @wq.lock (spin_lock(), or spin_lock_irq() for the
 * _irq forms); it is dropped around each sleep. int: 0 or -ERESTARTSYS.
 */
#define __ktl_wait_event_locked(wq, condition, exclusive, irq)                  \
	({                                                                      \
		int __ktl_wlk = 0;                                              \
		if (!(condition)) {                                             \
			DEFINE_WAIT_FUNC(__ktl_wlk_entry, default_wake_function); \
			if (exclusive)                                          \
				__ktl_wlk_entry.flags |= WQ_FLAG_EXCLUSIVE;     \
			__ktl_wait_site(__func__);                              \
			do {                                                    \
				__ktl_wlk = __ktl_wait_locked_sleep(            \
					&(wq), &__ktl_wlk_entry, TASK_INTERRUPTIBLE, irq); \
			} while (!__ktl_wlk && !(condition));                   \
			__remove_wait_queue(&(wq), &__ktl_wlk_entry);           \
			__set_current_state(TASK_RUNNING);                      \
			__ktl_wait_site(NULL);                                  \
		}                                                               \
		__ktl_wlk;                                                      \
	})
#define wait_event_interruptible_locked(wq, condition)                          \
	__ktl_wait_event_locked(wq, condition, 0, 0)
#define wait_event_interruptible_locked_irq(wq, condition)                      \
	__ktl_wait_event_locked(wq, condition, 0, 1)
#define wait_event_interruptible_exclusive_locked(wq, condition)                \
	__ktl_wait_event_locked(wq, condition, 1, 0)
#define wait_event_interruptible_exclusive_locked_irq(wq, condition)            \
	__ktl_wait_event_locked(wq, condition, 1, 1)

/* @timeout is a ktime_t (ns). int: 0, -ETIME, or -ERESTARTSYS (interruptible form). */
#define __ktl_wait_event_hrtimeout(wq_head, condition, timeout, state)          \
	({                                                                      \
		long __ktl_whr = 0;                                             \
		might_sleep();                                                  \
		if (!(condition)) {                                             \
			struct __ktl_hr_deadline __ktl_wdl;                     \
			__ktl_hr_deadline_start(&__ktl_wdl, (s64)(timeout));    \
			__ktl_whr = __ktl_wait_event(                           \
				wq_head,                                        \
				(condition) || __ktl_hr_deadline_expired(&__ktl_wdl), \
				state, 0, 0, schedule());                       \
			__ktl_hr_deadline_cancel(&__ktl_wdl);                   \
			if (!__ktl_whr && !(condition))                         \
				__ktl_whr = -ETIME;                             \
		}                                                               \
		(int)__ktl_whr;                                                 \
	})
#define wait_event_hrtimeout(wq_head, condition, timeout)                       \
	__ktl_wait_event_hrtimeout(wq_head, condition, timeout, TASK_UNINTERRUPTIBLE)
#define wait_event_interruptible_hrtimeout(wq_head, condition, timeout)         \
	__ktl_wait_event_hrtimeout(wq_head, condition, timeout, TASK_INTERRUPTIBLE)

#endif /* _LINUX_WAIT_H */
