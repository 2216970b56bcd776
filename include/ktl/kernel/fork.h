// Creating and ending tasks (kernel/fork.c, kernel/exit.c, kernel/pid.c).
//
// kernel_thread() is the low-level creation path: a new task running fn(arg), a child of the
// caller (of swapper when called from a host thread), woken at once. kthreadd and the kthread API
// build on copy_process() below. Pids are allocated cyclically below pid_max (default 32768);
// after wrapping, allocation restarts at 300 (RESERVED_PIDS), as on Linux. Creation fails with
// -EAGAIN when pids or threads-max run out and with -ENOMEM when a stack or task cannot be had;
// nothing leaks on failure.
#pragma once

#include <vector>

#include "ktl/sched/task.h"

namespace ktl {

struct mm_struct;

#ifndef CSIGNAL
inline constexpr unsigned long CSIGNAL = 0x000000ff;
#endif
#ifndef CLONE_VM
inline constexpr unsigned long CLONE_VM = 0x00000100;
#endif
#ifndef CLONE_FS
inline constexpr unsigned long CLONE_FS = 0x00000200;
#endif
#ifndef CLONE_FILES
inline constexpr unsigned long CLONE_FILES = 0x00000400;
#endif
#ifndef CLONE_SIGHAND
inline constexpr unsigned long CLONE_SIGHAND = 0x00000800;
#endif
#ifndef CLONE_PARENT
inline constexpr unsigned long CLONE_PARENT = 0x00008000;
#endif
#ifndef CLONE_THREAD
inline constexpr unsigned long CLONE_THREAD = 0x00010000;
#endif
#ifndef CLONE_UNTRACED
inline constexpr unsigned long CLONE_UNTRACED = 0x00800000;
#endif

inline constexpr int PID_MAX_DEFAULT = 32768;
inline constexpr int PID_MAX_LIMIT = 4 * 1024 * 1024;
inline constexpr int RESERVED_PIDS = 300;

struct kernel_clone_args {
  unsigned long flags = 0;
  int (*fn)(void*) = nullptr;
  void* fn_arg = nullptr;
  const char* name = nullptr;   // comm (truncated to 15 characters)
  bool kthread = false;         // PF_KTHREAD, no mm
  mm_struct* mm = nullptr;      // user task: share this mm (CLONE_VM) or nullptr for a new one
  bool user = false;            // a user task: gets an mm
  int exit_signal = 17;         // SIGCHLD
  task_struct* parent = nullptr;  // default: current (swapper/0 from a host thread)
};

// A new task, not yet runnable (TASK_NEW), or ERR_PTR(-EAGAIN / -ENOMEM).
task_struct* copy_process(const kernel_clone_args& args);
// copy_process + wake_up_new_task; the new pid or a negative errno.
pid_t kernel_clone(const kernel_clone_args& args);

pid_t kernel_thread(int (*fn)(void*), void* arg, const char* name, unsigned long flags);
// A user task (not PF_KTHREAD) with its own address space, or sharing `mm` (a thread of it).
pid_t user_thread(int (*fn)(void*), void* arg, const char* name, mm_struct* mm = nullptr);
// user_mode_thread(): the kernel_init path — a task that is not a kernel thread and has no mm
// until it "execs" (exec_mm_model gives it one).
pid_t user_mode_thread(int (*fn)(void*), void* arg, unsigned long flags);
int exec_mm_model(const char* comm);

[[noreturn]] void do_exit(long code);
// Reap a zombie child: its pid, or -ECHILD. *status gets the exit code.
pid_t kernel_wait(pid_t pid, int* status);

// A referenced task (put_task_struct when done), or nullptr.
task_struct* find_get_task_by_vpid(pid_t pid);
// Every live task (not host threads), each with a reference the caller must drop.
std::vector<task_struct*> snapshot_tasks();
void put_task_snapshot(std::vector<task_struct*>& tasks);

int pid_max() noexcept;
int set_pid_max(int v) noexcept;       // -EINVAL outside [RESERVED_PIDS+1, PID_MAX_LIMIT]
int max_threads() noexcept;            // threads-max
int set_max_threads(int v) noexcept;   // -EINVAL outside [20, FUTEX_TID_MASK]
int nr_threads() noexcept;
u64 total_forks() noexcept;

}  // namespace ktl
