// procfs text formats (fs/proc/array.c, fs/proc/base.c, fs/proc/loadavg.c, fs/proc/stat.c,
// fs/proc/uptime.c, kernel/sysctl.c) as Linux 6.18 prints them.
//
//   std::string s;
//   ktl::proc_read("/proc/2/status", &s);            // 0, or -ENOENT
//   ktl::proc_write("/proc/sys/kernel/pid_max", "65536\n");   // 0, or -EINVAL
//
// Readable paths:
//   /proc/PID/{status,stat,comm,stack,cmdline,wchan}   (PID may be "self": the calling task)
//   /proc/PID/task/TID/{same files}
//   /proc/loadavg  /proc/uptime  /proc/stat
//   /proc/sys/kernel/{pid_max,threads-max}  and whatever proc_register_sysctl()/proc_register_file()
//   added, including
//   module parameters (/sys/module/workqueue/parameters/{watchdog_thresh,cpu_intensive_thresh_us,
//   power_efficient} while a kernel runs).
// Writable: /proc/sys/kernel/{pid_max,threads-max} (proc_dointvec_minmax rules) and registered
// entries with a write handler.
//
// Names (/proc/PID/status "Name:", stat field 2, /proc/PID/comm, ps) follow proc_task_name():
//   PF_WQ_WORKER task  -> ktl_proc_worker_comm hook (wq_worker_comm: "kworker/0:1-events"),
//   PF_KTHREAD task    -> ktl_proc_full_name hook (the full creation name, up to 63 chars),
//   otherwise, or when the hook is unset or returns nullptr/<0 -> task->comm.
// The hooks are plain atomics so the kthread and workqueue code can install them at init:
//   ktl::ktl_proc_full_name = [](const task_struct* p) -> const char* { ... };
// The returned string must stay valid while the reader holds a task reference (i.e. it lives as
// long as the task_struct, like struct kthread's full_name).
//
// Models and simplifications:
//   * uid/gid 0, umask 0022, FDSize 64, no process groups/sessions (pgrp = session = 0 as for
//     tasks the kernel forks without setsid), no tty.
//   * User tasks get the Vm*/RssAnon/.../CoreDumping/THP_enabled/untag_mask block from a nominal
//     address-space model (4 KiB text + the task's fiber stack); kthreads never show it.
//   * /proc/loadavg: Linux's calc_load fixed-point decay (FSHIFT 11, EXP_1/5/15 = 1884/2014/2037,
//     one sample per LOAD_FREQ = 5 s since boot), brought up to date on every read: each sample
//     point passed since the last read is applied with the active count sampled at this read
//     (tasks on a runqueue + tasks blocked in TASK_UNINTERRUPTIBLE without NOLOAD/FROZEN). Field 4
//     is <tasks on a runqueue>/<nr_threads()>, field 5 the pid of the newest live task (ktl keeps
//     no "last allocated pid" accessor; after that task is reaped the value can go back).
//   * /proc/stat: per-CPU user/nice/system from the live tasks' utime/stime charged to the CPU
//     each task is on now; idle = uptime - busy (time of exited tasks is not kept); iowait, irq,
//     softirq, steal, guest are 0; "intr 0"; ctxt = sum of the vCPUs' context switches; btime =
//     host wall clock minus uptime; processes = total_forks(); procs_blocked counts the
//     TASK_UNINTERRUPTIBLE sleepers (ktl has no separate iowait state).
//   * /proc/PID/stat field 25 (rsslim) is RLIM_INFINITY for every task, as on Linux (spec §15.3
//     lists 23-28 as 0 for kthreads; real kernels print 18446744073709551615 there).
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "ktl/sched/task.h"

namespace ktl {

// --- name hooks (set by kthread.cc / workqueue.cc) ------------------------------------------
using proc_full_name_fn = const char* (*)(const task_struct* p);
// Writes the decorated worker name into buf (NUL terminated); returns its length or < 0 when
// there is none (the caller then falls back to the full-name hook / comm).
using proc_worker_comm_fn = int (*)(char* buf, std::size_t size, const task_struct* p);
inline std::atomic<proc_full_name_fn> ktl_proc_full_name{nullptr};
inline std::atomic<proc_worker_comm_fn> ktl_proc_worker_comm{nullptr};

// The name /proc and ps show (proc_task_name(), unescaped, at most 63 characters).
std::string proc_task_name(const task_struct* p);

// --- per-task files (the caller holds a reference on p) ---------------------------------------
std::string proc_pid_status(task_struct* p);
std::string proc_pid_stat(task_struct* p);
std::string proc_pid_comm(task_struct* p);     // name + "\n"
std::string proc_pid_cmdline(task_struct* p);  // NUL separated argv; empty for kernel threads
std::string proc_pid_wchan(task_struct* p);    // blocking function, or "0" when runnable
// "[<0>] func+0xOFF/0xSIZE\n" lines, innermost first. Like Linux (stack_trace_save_tsk skips
// __sched functions), no schedule()/__schedule() frames are shown: the top frame is where the task
// blocked (task->blocked_at.func, "+0x0/0x0" since ktl has no symbol sizes), then the fixed frames
// every task of that kind has at the bottom: kthreads "kthread" (only when created through the
// kthread API) + "ret_from_fork" + "ret_from_fork_asm"; user tasks "do_syscall_64" +
// "entry_SYSCALL_64_after_hwframe". A runnable or exited task has an empty stack.
std::string proc_pid_stack(task_struct* p);

// --- global files -----------------------------------------------------------------------------
std::string proc_loadavg();
std::string proc_uptime();
std::string proc_stat();

// --- generic access -------------------------------------------------------------------------
int proc_read(const std::string& path, std::string* out);
int proc_write(const std::string& path, const std::string& value);

// proc_dointvec_minmax parsing of one integer (base 0 like the kernel: "0x10", "010", "-5";
// trailing whitespace allowed): 0 and *out set, 1 if the input held no value (nothing to do),
// or -EINVAL (malformed, out of int range, or outside [min, max]).
int proc_dointvec_minmax(const std::string& in, int min, int max, int* out);

// Extra /proc/sys entries (e.g. "kernel/hung_task_timeout_secs"), path relative to /proc/sys, or
// module parameters under their absolute path ("/sys/module/workqueue/parameters/watchdog_thresh").
// write may be empty (read-only). Returns -EEXIST if the path is taken.
int proc_register_sysctl(const std::string& path, std::function<std::string()> read,
                         std::function<int(const std::string&)> write = {});
void proc_unregister_sysctl(const std::string& path);

// A file whose read can fail, under an absolute path: "/proc/..." (module-created /proc entries;
// the files above win over a registration with the same path) or "/sys/..." (sysfs attributes,
// debugfs files under /sys/kernel/debug). read fills *out and returns 0 or -errno (a directory
// returns -EISDIR); write returns 0 or -errno (empty: -EACCES). Both run in the accessing task
// without any lock of this table held. Returns -EEXIST if the path is taken, -EINVAL if it is not
// absolute. proc_unregister_sysctl() removes it.
int proc_register_file(const std::string& path, std::function<int(std::string*)> read,
                       std::function<int(const std::string&)> write = {});

}  // namespace ktl
