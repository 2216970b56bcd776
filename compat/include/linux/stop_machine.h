/* SPDX-License-Identifier: MIT */
/*
 * linux/stop_machine.h - running a function in a vCPU's stopper (migration/N).
 *
 * Each vCPU's stopper thread outranks every other task (SCHED_FIFO 99 included). In ktl's
 * cooperative kernel it takes the vCPU at the running task's next scheduling point, not in
 * the middle of its code. Stopper callbacks run with preemption disabled: they must not
 * sleep.
 *
 * stop_machine(fn, data, cpus) makes every online vCPU step through PREPARE -> DISABLE_IRQ
 * -> RUN -> EXIT together; fn runs in RUN on the vCPUs in @cpus (only on the first online
 * vCPU if @cpus is NULL) while the others spin with interrupts off.
 */
#ifndef _LINUX_STOP_MACHINE_H
#define _LINUX_STOP_MACHINE_H

#include <linux/compiler.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/list.h>
#include <linux/smp.h>
#include <linux/stddef.h>
#include <linux/types.h>

typedef int (*cpu_stop_fn_t)(void *arg);

struct cpu_stop_done;

/* ktl::cpu_stop_work byte for byte (compat/src/sched.cc asserts it). */
struct cpu_stop_work {
	struct list_head list;
	cpu_stop_fn_t fn;
	void *arg;
	struct cpu_stop_done *done;
	unsigned long caller;
};

__KTL_LAYOUT(sizeof(struct cpu_stop_work) == 48);
__KTL_LAYOUT(offsetof(struct cpu_stop_work, fn) == 16);
__KTL_LAYOUT(offsetof(struct cpu_stop_work, caller) == 40);

__KTL_BEGIN_DECLS
/*
 * stop_one_cpu - run @fn(@arg) on @cpu in its stopper, and wait
 * Context: task; sleeps. Return: -ENOENT if @cpu is offline, else @fn's return value.
 */
int stop_one_cpu(unsigned int cpu, cpu_stop_fn_t fn, void *arg) __ktl_abi(stop_one_cpu);
/*
 * stop_one_cpu_nowait - queue @fn(@arg) to @cpu's stopper and return
 * The caller keeps *@work_buf alive until @fn has started.
 * Return: true if @fn will run; false if @cpu's stopper is disabled (offline).
 */
bool stop_one_cpu_nowait(unsigned int cpu, cpu_stop_fn_t fn, void *arg,
			 struct cpu_stop_work *work_buf) __ktl_abi(stop_one_cpu_nowait);
/* Both vCPUs stop together; @fn runs on @cpu1. -ENOENT if either is offline. */
int stop_two_cpus(unsigned int cpu1, unsigned int cpu2, cpu_stop_fn_t fn, void *arg)
	__ktl_abi(stop_two_cpus);
/* Context: task, not holding cpus_read_lock(); sleeps. Return: 0 or @fn's non-zero return. */
int stop_machine(cpu_stop_fn_t fn, void *data, const struct cpumask *cpus)
	__ktl_abi(stop_machine);
/* stop_machine() for a caller that holds cpus_read_lock(). */
int stop_machine_cpuslocked(cpu_stop_fn_t fn, void *data, const struct cpumask *cpus)
	__ktl_abi(stop_machine_cpuslocked);
__KTL_END_DECLS

#define stop_machine_from_inactive_cpu(...) __ktl_unsupported(stop_machine_from_inactive_cpu)

#endif /* _LINUX_STOP_MACHINE_H */
