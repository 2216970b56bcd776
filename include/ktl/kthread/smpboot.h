// Per-CPU hotplug threads (include/linux/smpboot.h, kernel/smpboot.c).
//
// A subsystem describes one thread per CPU with a struct smp_hotplug_thread and registers it:
// smpboot creates "<thread_comm % cpu>" on every online CPU, bound to it, and runs the smpboot
// loop in it — sleep in TASK_INTERRUPTIBLE ("S") until thread_should_run(cpu), then
// thread_fn(cpu). When a CPU goes down the threads park (STAT "P"), in the reverse order of
// registration, and stay parked until the CPU comes back; they are never destroyed by hotplug.
//
// Callbacks run in the thread itself, bound to its CPU, except `create`, which runs in the
// registering (or hotplugging) context once the new thread sits parked and off its CPU.
// thread_should_run() is called with preemption disabled and must not sleep.
#pragma once

#include "ktl/base/list.h"
#include "ktl/sched/percpu.h"
#include "ktl/sched/task.h"

namespace ktl {

struct smp_hotplug_thread {
  percpu_var<task_struct*>* store = nullptr;  // this CPU's thread, written by smpboot
  list_head list;                              // on the registration list
  int (*thread_should_run)(unsigned int cpu) = nullptr;
  void (*thread_fn)(unsigned int cpu) = nullptr;
  void (*create)(unsigned int cpu) = nullptr;
  void (*setup)(unsigned int cpu) = nullptr;
  void (*cleanup)(unsigned int cpu, bool online) = nullptr;
  void (*park)(unsigned int cpu) = nullptr;
  void (*unpark)(unsigned int cpu) = nullptr;
  bool selfparking = false;  // park/unpark are driven by the owner (stopper, cpuhp), not smpboot
  const char* thread_comm = nullptr;  // e.g. "ksoftirqd/%u"
};

// Creates and starts the thread on every online CPU. 0, or -ENOMEM/-EAGAIN/-EINTR from thread
// creation (every thread already made is stopped again).
int smpboot_register_percpu_thread(smp_hotplug_thread* plug_thread);
// Stops the threads of every possible CPU, parked ones included.
void smpboot_unregister_percpu_thread(smp_hotplug_thread* plug_thread);

namespace internal {
// Hotplug steps (src/kernel/cpu.cc), each for every registered descriptor.
int smpboot_create_threads(unsigned int cpu);   // CPUHP_CREATE_THREADS (parked)
int smpboot_unpark_threads(unsigned int cpu);   // CPUHP_AP_SMPBOOT_THREADS, going up
int smpboot_park_threads(unsigned int cpu);     // CPUHP_AP_SMPBOOT_THREADS, going down
bool smpboot_settled();                         // every thread of an online CPU sleeps
void smpboot_fini();                            // poweroff, once every task has exited
}  // namespace internal

}  // namespace ktl
