// cpu_stop and stop_machine (include/linux/stop_machine.h, kernel/stop_machine.c).
//
// Each vCPU has a stopper, the smpboot thread migration/N, in the stop scheduling class: it
// outranks every other task, SCHED_FIFO 99 included (ps shows it as FF 99). A stopper runs the
// works queued to it one by one with preemption disabled: a cpu_stop callback must not sleep.
//
// ktl is cooperative: the stopper takes the vCPU at the running task's next scheduling point
// (schedule, cond_resched, a blocking call), not in the middle of its code.
//
// stop_machine(fn, data, cpus) makes every online vCPU's stopper step through the same state
// machine, PREPARE -> DISABLE_IRQ -> RUN -> EXIT, each state entered only once all of them
// acknowledged the previous one; fn runs in RUN on the vCPUs in `cpus` (or on the first online
// vCPU if cpus is null) while every other vCPU spins with interrupts off. Returns 0 or the
// (last) non-zero return of fn.
#pragma once

#include "ktl/base/cpumask.h"
#include "ktl/base/list.h"

namespace ktl {

using cpu_stop_fn_t = int (*)(void* arg);

struct cpu_stop_done;

struct cpu_stop_work {
  list_head list;
  cpu_stop_fn_t fn = nullptr;
  void* arg = nullptr;
  cpu_stop_done* done = nullptr;
  unsigned long caller = 0;
};

// Runs fn(arg) on `cpu` in its stopper and waits. -ENOENT if the vCPU's stopper is disabled
// (offline), else fn's return.
int stop_one_cpu(unsigned int cpu, cpu_stop_fn_t fn, void* arg);
// Queues fn(arg) to `cpu`'s stopper and returns: true if it will run; false (the stopper is
// disabled) if not. The caller keeps *work_buf alive until fn has started.
bool stop_one_cpu_nowait(unsigned int cpu, cpu_stop_fn_t fn, void* arg, cpu_stop_work* work_buf);
// Both vCPUs enter the multi-stop state machine; fn runs on cpu1. -ENOENT if either stopper is
// disabled.
int stop_two_cpus(unsigned int cpu1, unsigned int cpu2, cpu_stop_fn_t fn, void* arg);
int stop_machine(cpu_stop_fn_t fn, void* data, const cpumask* cpus);
// Same, for callers that already hold cpus_read_lock().
int stop_machine_cpuslocked(cpu_stop_fn_t fn, void* data, const cpumask* cpus);
// The vCPU's stopper thread (migration/N), or nullptr before it exists.
struct task_struct* cpu_stopper_task(unsigned int cpu);

// Hotplug: the stopper of a vCPU going down stops taking work; coming up it takes work again.
void stop_machine_park(int cpu);
void stop_machine_unpark(int cpu);

namespace internal {
int cpu_stop_init();     // boot: registers migration/N
bool cpu_stop_settled(); // every stopper sleeps with no work queued
}  // namespace internal

}  // namespace ktl
