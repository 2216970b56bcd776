/* SPDX-License-Identifier: MIT */
/*
 * linux/smpboot.h - per-CPU hotplug threads.
 *
 * A subsystem describes one thread per vCPU; smpboot creates it ("thread_comm % cpu", bound
 * to its vCPU) on every online vCPU and runs this loop in it: sleep in TASK_INTERRUPTIBLE
 * (ps "S") until thread_should_run(cpu), then thread_fn(cpu). While its vCPU is offline the
 * thread is parked (ps "P"); threads park in the reverse order of registration and are
 * never destroyed by hotplug. Callbacks run in the thread, on its vCPU, except create(),
 * which runs in the registering context once the new thread sits parked.
 * thread_should_run() is called with preemption disabled and must not sleep.
 *
 * struct smp_hotplug_thread is ktl's byte for byte (compat/src/kthread.cc asserts it).
 * .store points at a per-CPU variable holding a struct task_struct *, where smpboot stores
 * each vCPU's thread. It must have ktl's per-CPU layout (ktl::percpu_var): NR_CPUS slots of
 * 64 bytes, vCPU n's value at byte offset 64 * n.
 */
#ifndef _LINUX_SMPBOOT_H
#define _LINUX_SMPBOOT_H

#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/stddef.h>
#include <linux/types.h>

struct task_struct;

struct smp_hotplug_thread {
	struct task_struct *__percpu *store;
	struct list_head list;
	int (*thread_should_run)(unsigned int cpu);
	void (*thread_fn)(unsigned int cpu);
	void (*create)(unsigned int cpu);
	void (*setup)(unsigned int cpu);
	void (*cleanup)(unsigned int cpu, bool online);
	void (*park)(unsigned int cpu);
	void (*unpark)(unsigned int cpu);
	bool selfparking;
	const char *thread_comm;
};

__KTL_LAYOUT(sizeof(struct smp_hotplug_thread) == 96);
__KTL_LAYOUT(offsetof(struct smp_hotplug_thread, list) == 8);
__KTL_LAYOUT(offsetof(struct smp_hotplug_thread, thread_should_run) == 24);
__KTL_LAYOUT(offsetof(struct smp_hotplug_thread, cleanup) == 56);
__KTL_LAYOUT(offsetof(struct smp_hotplug_thread, unpark) == 72);
__KTL_LAYOUT(offsetof(struct smp_hotplug_thread, selfparking) == 80);
__KTL_LAYOUT(offsetof(struct smp_hotplug_thread, thread_comm) == 88);

__KTL_BEGIN_DECLS
/*
 * smpboot_register_percpu_thread - create and start the threads on every online vCPU
 * Context: task; sleeps.
 * Return: 0, or -ENOMEM/-EAGAIN/-EINTR from thread creation (every thread made is stopped).
 */
int smpboot_register_percpu_thread(struct smp_hotplug_thread *plug_thread)
	__ktl_abi(smpboot_register_percpu_thread);
/* Stops the threads of every possible vCPU, parked ones included. */
void smpboot_unregister_percpu_thread(struct smp_hotplug_thread *plug_thread)
	__ktl_abi(smpboot_unregister_percpu_thread);
__KTL_END_DECLS

#endif /* _LINUX_SMPBOOT_H */
