/* SPDX-License-Identifier: MIT */
/*
 * linux/rcupdate.h - RCU read side and pointer publication.
 *
 * rcu_read_lock()/rcu_read_unlock() mark a read-side section as preempt_disable()/
 * preempt_enable() do on a non-preemptible Linux kernel (sleeping inside one is reported),
 * and rcu_dereference()/rcu_assign_pointer() publish and read pointers with the ordering RCU
 * needs. ktl has no grace-period machinery, so the update side (synchronize_rcu(),
 * call_rcu(), kfree_rcu(), rcu_barrier()) is not provided: free an object only once no
 * reader can hold it by other means (a lock, a reference count, kthread_stop()).
 */
#ifndef _LINUX_RCUPDATE_H
#define _LINUX_RCUPDATE_H

#include <linux/compiler.h>
#include <linux/preempt.h>
#include <linux/types.h>

#define rcu_read_lock() preempt_disable()
#define rcu_read_unlock() preempt_enable()
#define rcu_read_lock_bh() rcu_read_lock()
#define rcu_read_unlock_bh() rcu_read_unlock()
#define rcu_read_lock_sched() preempt_disable()
#define rcu_read_unlock_sched() preempt_enable()
#define rcu_read_lock_sched_notrace() preempt_disable_notrace()
#define rcu_read_unlock_sched_notrace() preempt_enable_notrace()

#define rcu_dereference(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define rcu_dereference_check(p, c) rcu_dereference(p)
#define rcu_dereference_protected(p, c) (p)
#define rcu_dereference_raw(p) rcu_dereference(p)
#define rcu_dereference_bh(p) rcu_dereference(p)
#define rcu_dereference_sched(p) rcu_dereference(p)
#define rcu_access_pointer(p) __atomic_load_n(&(p), __ATOMIC_RELAXED)
#define rcu_assign_pointer(p, v)                                                \
	do {                                                                    \
		__typeof__(p) __ktl_rcu_v = (v);                                \
		__atomic_store_n(&(p), __ktl_rcu_v, __ATOMIC_RELEASE);          \
	} while (0)
#define RCU_INIT_POINTER(p, v)                                                  \
	do {                                                                    \
		__typeof__(p) __ktl_rcu_v = (v);                                \
		__atomic_store_n(&(p), __ktl_rcu_v, __ATOMIC_RELAXED);          \
	} while (0)
#define RCU_INITIALIZER(v) (v)
#define rcu_replace_pointer(rcu_ptr, ptr, c)                                    \
	({                                                                      \
		__typeof__(ptr) __ktl_rcu_tmp = rcu_dereference_protected((rcu_ptr), (c)); \
		rcu_assign_pointer((rcu_ptr), (ptr));                           \
		__ktl_rcu_tmp;                                                  \
	})
#define rcu_pointer_handoff(p) (p)

#define synchronize_rcu(...) __ktl_unsupported(synchronize_rcu)
#define synchronize_rcu_expedited(...) __ktl_unsupported(synchronize_rcu_expedited)
#define call_rcu(...) __ktl_unsupported(call_rcu)
#define kfree_rcu(...) __ktl_unsupported(kfree_rcu)
#define kvfree_rcu(...) __ktl_unsupported(kvfree_rcu)
#define rcu_barrier(...) __ktl_unsupported(rcu_barrier)
#define synchronize_srcu(...) __ktl_unsupported(synchronize_srcu)

#endif /* _LINUX_RCUPDATE_H */
