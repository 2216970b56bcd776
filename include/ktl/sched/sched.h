// The scheduler API (kernel/sched/core.c vocabulary).
//
// Model: every vCPU runs its own scheduler over its own runqueue; no lock is shared between vCPUs
// on the switch or wake-up path. A task on another vCPU is woken by pushing it on that vCPU's
// lock-free wake list and ringing its doorbell (the "IPI"). Scheduling is cooperative
// (CONFIG_PREEMPT_NONE): a task runs until it blocks, calls schedule(), yield() or cond_resched().
// Classes in priority order: stop > rt (SCHED_FIFO/SCHED_RR) > fair (nice-weighted virtual
// runtime) > idle.
//
// CPU time is charged by tick sampling (each tick charges one jiffy to the task the vCPU was
// running), as Linux does for utime/stime without VIRT_CPU_ACCOUNTING; the fair class advances
// vruntime by the same samples. This keeps clock reads off the context-switch path.
#pragma once

#include <climits>

#include "ktl/sched/preempt.h"
#include "ktl/sched/task.h"

namespace ktl {

inline constexpr long MAX_SCHEDULE_TIMEOUT = LONG_MAX;

// Wake flags.
inline constexpr int WF_SYNC = 0x10;         // the waker is about to sleep: wake here if idle
inline constexpr int WF_CURRENT_CPU = 0x40;  // wake on the waker's CPU (complete_on_current_cpu)

struct sched_param {
  int sched_priority = 0;
};

void schedule();
// The scheduler entry for a task that wants to give up the CPU but stay runnable.
void yield();
// Calls schedule() if this vCPU has a reason to switch (a tick, a wake-up, need_resched); cheap
// otherwise. The only way a long-running loop lets other tasks of its vCPU run.
int __cond_resched();
bool need_resched() noexcept;
void set_tsk_need_resched(task_struct* p) noexcept;

// set_current_state: store + full barrier, so the following condition test is not reordered
// before the store (pairs with the barrier in try_to_wake_up). __set_current_state: plain store.
void set_current_state(unsigned state) noexcept;
void __set_current_state(unsigned state) noexcept;
// For states that a regular wake-up must not undo (TASK_PARKED, TASK_DEAD, ...).
void set_special_state(unsigned state) noexcept;
unsigned get_current_state() noexcept;

// Returns 1 if the task was woken (its state matched `state`), 0 if it was not sleeping in a
// matching state (already running, or in a state the mask does not cover).
int try_to_wake_up(task_struct* p, unsigned state, int wake_flags);
int wake_up_process(task_struct* p);  // = wake_up_state(p, TASK_NORMAL)
int wake_up_state(task_struct* p, unsigned state);
// First wake-up of a freshly created task (TASK_NEW): puts it on a runqueue.
void wake_up_new_task(task_struct* p);

void set_user_nice(task_struct* p, long nice);
int can_nice(const task_struct* p, long nice);
int task_prio(const task_struct* p) noexcept;  // /proc field 18: nice+20, or -1-rt_priority
int sched_setscheduler(task_struct* p, int policy, const sched_param* param);
int sched_setscheduler_nocheck(task_struct* p, int policy, const sched_param* param);
void sched_set_fifo(task_struct* p);       // SCHED_FIFO at MAX_RT_PRIO/2
void sched_set_fifo_low(task_struct* p);   // SCHED_FIFO at 1
void sched_set_normal(task_struct* p, int nice);
int set_cpus_allowed_ptr(task_struct* p, const cpumask* new_mask);
// Like set_cpus_allowed_ptr but ignores PF_NO_SETAFFINITY (kthread_bind and friends).
int do_set_cpus_allowed(task_struct* p, const cpumask* new_mask);
long sched_setaffinity(pid_t pid, const cpumask* in_mask);
long sched_getaffinity(pid_t pid, cpumask* mask);

// The vCPU the caller runs on. Valid until the caller next blocks or yields (a fiber may resume
// on another vCPU). On a host thread that is not a vCPU it returns -1... raw_ returns 0 there.
int smp_processor_id() noexcept;
int raw_smp_processor_id() noexcept;
int num_online_cpus() noexcept;
int num_possible_cpus() noexcept;
int nr_cpu_ids() noexcept;
cpumask cpu_online_mask() noexcept;  // a snapshot: CPU hotplug changes it
const cpumask& cpu_possible_mask() noexcept;
bool cpu_online(int cpu) noexcept;

// Per-vCPU scheduler statistics (for /proc/schedstat-like views and tests).
struct sched_cpu_stats {
  u64 nr_switches;     // context switches on this vCPU
  u64 nr_wakeups_local;
  u64 nr_wakeups_remote;   // tasks received through the wake list
  u64 nr_migrations_out;   // tasks pushed to another vCPU by load balancing
  u64 nr_idle_sleeps;      // times the vCPU slept on the host
  unsigned nr_running;     // runnable tasks including the running one (idle excluded)
};
sched_cpu_stats cpu_sched_stats(int cpu);
unsigned long nr_running();             // all vCPUs
unsigned long nr_uninterruptible_tasks();
// sysrq-t: log every task's state and each vCPU's scheduler state.
void show_state();

}  // namespace ktl

// Kernel-style call sites: cond_resched() is a macro in Linux too.
#define cond_resched() ::ktl::__cond_resched()
