/* SPDX-License-Identifier: MIT */
/*
 * linux/cpu.h - CPU hotplug.
 *
 * cpus_read_lock() keeps the set of online vCPUs stable (the cpu_hotplug_lock): CPU hotplug
 * takes it for writing. Readers may sleep while holding it; it is not recursive.
 * remove_cpu()/add_cpu() take a vCPU offline and back (the console does the same with
 * `echo 0 > /sys/devices/system/cpu/cpuN/online`): per-CPU kthreads (smpboot threads) park
 * (ps "P") while their vCPU is offline.
 */
#ifndef _LINUX_CPU_H
#define _LINUX_CPU_H

#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/smp.h>
#include <linux/types.h>

__KTL_BEGIN_DECLS
void cpus_read_lock(void) __ktl_abi(cpus_read_lock);
void cpus_read_unlock(void) __ktl_abi(cpus_read_unlock);
/* Return: 1 if taken, 0 if hotplug holds it for writing. */
int cpus_read_trylock(void) __ktl_abi(cpus_read_trylock);
void lockdep_assert_cpus_held(void) __ktl_abi(lockdep_assert_cpus_held);

/*
 * remove_cpu - take vCPU @cpu offline
 * Context: task; sleeps. Return: 0 (also if it was offline), -EBUSY for vCPU 0 and for the
 * last online vCPU, -EINVAL for a vCPU that does not exist.
 */
int remove_cpu(unsigned int cpu) __ktl_abi(remove_cpu);
/* Brings vCPU @cpu back online. Return: 0 (also if it was online), -EINVAL. */
int add_cpu(unsigned int cpu) __ktl_abi(add_cpu);
__KTL_END_DECLS

/* The pre-5.15 names, and the pre-5.7 one-argument cpu_up()/cpu_down(). */
#define get_online_cpus() cpus_read_lock()
#define put_online_cpus() cpus_read_unlock()
#define cpu_up(cpu) add_cpu(cpu)
#define cpu_down(cpu) remove_cpu(cpu)

/* Hotplug state callbacks are not part of ktl (it has a fixed list of hotplug steps). */
#define cpuhp_setup_state(...) __ktl_unsupported(cpuhp_setup_state)
#define cpuhp_setup_state_nocalls(...) __ktl_unsupported(cpuhp_setup_state_nocalls)
#define cpuhp_setup_state_multi(...) __ktl_unsupported(cpuhp_setup_state_multi)
#define cpuhp_remove_state(...) __ktl_unsupported(cpuhp_remove_state)
#define cpuhp_remove_state_nocalls(...) __ktl_unsupported(cpuhp_remove_state_nocalls)
#define register_cpu_notifier(...) __ktl_unsupported(register_cpu_notifier)

#endif /* _LINUX_CPU_H */
