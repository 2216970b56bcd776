/* SPDX-License-Identifier: MIT */
/*
 * linux/smp.h - which vCPU the caller runs on.
 *
 * smp_processor_id() is only stable while the caller cannot switch away: in ktl's
 * cooperative kernel until it next sleeps, yields or calls cond_resched() (a task may resume
 * on another vCPU after that), exactly the window preempt_disable()/get_cpu() protects on
 * Linux; get_cpu()...put_cpu() also makes a sleep inside it a reported bug. In a timer or
 * tasklet callback it is the vCPU running the callback. On a host thread of the embedding
 * program (not a vCPU) both return 0.
 *
 * ktl has no cross-vCPU function calls (IPIs that run a function): smp_call_function*() and
 * on_each_cpu*() are not provided; stop_one_cpu() (<linux/stop_machine.h>) or a per-CPU
 * kthread/work item (queue_work_on()) run code on a given vCPU.
 */
#ifndef _LINUX_SMP_H
#define _LINUX_SMP_H

#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/preempt.h>
#include <linux/types.h>

__KTL_BEGIN_DECLS
int __ktl_smp_processor_id(void) __ktl_abi(smp_processor_id);
int __ktl_raw_smp_processor_id(void) __ktl_abi(raw_smp_processor_id);
__KTL_END_DECLS

#define smp_processor_id() __ktl_smp_processor_id()
#define raw_smp_processor_id() __ktl_raw_smp_processor_id()
#define __smp_processor_id() raw_smp_processor_id()

#define get_cpu()                                                               \
	({                                                                      \
		preempt_disable();                                              \
		smp_processor_id();                                             \
	})
#define put_cpu() preempt_enable()

#define smp_call_function(...) __ktl_unsupported(smp_call_function)
#define smp_call_function_single(...) __ktl_unsupported(smp_call_function_single)
#define smp_call_function_many(...) __ktl_unsupported(smp_call_function_many)
#define smp_call_function_any(...) __ktl_unsupported(smp_call_function_any)
#define smp_call_function_single_async(...) __ktl_unsupported(smp_call_function_single_async)
#define on_each_cpu(...) __ktl_unsupported(on_each_cpu)
#define on_each_cpu_mask(...) __ktl_unsupported(on_each_cpu_mask)
#define on_each_cpu_cond(...) __ktl_unsupported(on_each_cpu_cond)
#define on_each_cpu_cond_mask(...) __ktl_unsupported(on_each_cpu_cond_mask)

#endif /* _LINUX_SMP_H */
