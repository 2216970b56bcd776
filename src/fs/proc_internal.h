// Shared by the procfs formatters (proc.cc) and ps (ps.cc): one consistent copy of what /proc
// shows about a task, taken with racy reads the way fs/proc/array.c reads a live task.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ktl/base/compiler.h"
#include "ktl/sched/task.h"

// Fields marked S/V in task_struct (and the per-vCPU counters) are written by the vCPU running
// the task without any lock an observer could take; Linux reads them racily (READ_ONCE /
// data_race) and so does /proc here. Functions doing such reads carry KTL_PROC_RACY, which keeps
// them out of ThreadSanitizer's view on purpose: a value may be stale by one update, which does
// not matter for a text report. They copy scalars only (no memcpy the runtime would intercept).
#define KTL_PROC_RACY KTL_DATA_RACY

namespace ktl::internal {

struct proc_task_info {
  task_struct* task = nullptr;
  pid_t pid = 0, tgid = 0, ppid = 0;
  std::string name;             // proc_task_name()
  char state = 'R';
  const char* state_name = "R (running)";
  unsigned state_bits = 0;      // task_state()
  bool on_rq = false;           // counted as runnable
  unsigned exit_state = 0;
  unsigned flags = 0;
  int policy = 0, static_prio = 0, nice = 0, prio = 0;  // prio: task_prio() (stat field 18)
  unsigned rt_priority = 0;
  int cpu = 0;
  cpumask cpus_mask;
  u64 nvcsw = 0, nivcsw = 0, utime = 0, stime = 0, start_time = 0;  // ns
  bool has_mm = false;
  bool kthread_api = false;     // created through the kthread API (struct kthread attached)
  std::size_t stack_size = 0;
  std::uintptr_t stack_top = 0;
  sigset_bits pending = 0, blocked = 0, ignored = 0, caught = 0;
  const char* wchan = nullptr;  // blocked_at.func
  int exit_code = 0, exit_signal = 0;
  int nr_threads = 1;           // tasks of the thread group
};

// The caller holds a reference on p. `all` (optional) is a snapshot used for the thread count.
proc_task_info collect_task_info(task_struct* p, const std::vector<task_struct*>* all = nullptr);

// Nominal address-space model of a user task (kB), see proc.cc.
struct proc_vm_model {
  u64 text_kb, stack_kb, data_kb, size_kb, rss_kb, anon_kb, file_kb, pte_kb;
};
proc_vm_model vm_model(const proc_task_info& t);

// Whether a task counts for the load average / procs_blocked: blocked uninterruptibly, not
// TASK_NOLOAD, not frozen.
bool counts_uninterruptible(const proc_task_info& t);

// Command line of a task as ps shows it from /proc/PID/cmdline ("" for kernel threads).
std::string task_cmdline_text(const proc_task_info& t);

// Context switches of all vCPUs so far (sum of rq->nr_switches).
u64 total_context_switches();

// Wall-clock seconds since the epoch at boot.
double boot_wall_time();

}  // namespace ktl::internal
