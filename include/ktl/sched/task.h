// task_struct: one schedulable entity — kernel thread, user task, idle task.
//
// Field rules (the kernel's "exclusion legend"):
//   I: set before the task is first woken, immutable afterwards.
//   S: written only by the task itself while it runs (current), read racily by observers (/proc).
//   V: owned by the vCPU whose runqueue the task is on (task_cpu); only that vCPU's scheduler
//      touches it. A task moves between vCPUs only through the wake list hand-over.
//   A: atomic; the comment names the protocol.
//   T: tasklist_lock.
#pragma once

#include <atomic>
#include <boost/intrusive/set_hook.hpp>
#include <boost/intrusive/list_hook.hpp>
#include <cstddef>

#include "ktl/base/compiler.h"
#include "ktl/base/cpumask.h"
#include "ktl/base/list.h"

namespace ktl {

// task->__state bits (include/linux/sched.h values).
inline constexpr unsigned TASK_RUNNING = 0x0000;
inline constexpr unsigned TASK_INTERRUPTIBLE = 0x0001;
inline constexpr unsigned TASK_UNINTERRUPTIBLE = 0x0002;
inline constexpr unsigned __TASK_STOPPED = 0x0004;
inline constexpr unsigned __TASK_TRACED = 0x0008;
inline constexpr unsigned EXIT_DEAD = 0x0010;
inline constexpr unsigned EXIT_ZOMBIE = 0x0020;
inline constexpr unsigned EXIT_TRACE = EXIT_ZOMBIE | EXIT_DEAD;
inline constexpr unsigned TASK_PARKED = 0x0040;
inline constexpr unsigned TASK_DEAD = 0x0080;
inline constexpr unsigned TASK_WAKEKILL = 0x0100;
inline constexpr unsigned TASK_WAKING = 0x0200;
inline constexpr unsigned TASK_NOLOAD = 0x0400;
inline constexpr unsigned TASK_NEW = 0x0800;
inline constexpr unsigned TASK_RTLOCK_WAIT = 0x1000;
inline constexpr unsigned TASK_FREEZABLE = 0x2000;
inline constexpr unsigned TASK_FROZEN = 0x8000;
inline constexpr unsigned TASK_STATE_MAX = 0x10000;

inline constexpr unsigned TASK_KILLABLE = TASK_WAKEKILL | TASK_UNINTERRUPTIBLE;
inline constexpr unsigned TASK_STOPPED = TASK_WAKEKILL | __TASK_STOPPED;
inline constexpr unsigned TASK_TRACED = __TASK_TRACED;
inline constexpr unsigned TASK_IDLE = TASK_UNINTERRUPTIBLE | TASK_NOLOAD;
inline constexpr unsigned TASK_NORMAL = TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE;
inline constexpr unsigned TASK_REPORT = TASK_RUNNING | TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE |
                                        __TASK_STOPPED | __TASK_TRACED | EXIT_DEAD | EXIT_ZOMBIE |
                                        TASK_PARKED;

// task->flags (PF_*).
inline constexpr unsigned PF_VCPU = 0x00000001;
inline constexpr unsigned PF_IDLE = 0x00000002;
inline constexpr unsigned PF_EXITING = 0x00000004;
inline constexpr unsigned PF_POSTCOREDUMP = 0x00000008;
inline constexpr unsigned PF_IO_WORKER = 0x00000010;
inline constexpr unsigned PF_WQ_WORKER = 0x00000020;
inline constexpr unsigned PF_FORKNOEXEC = 0x00000040;
inline constexpr unsigned PF_MCE_PROCESS = 0x00000080;
inline constexpr unsigned PF_SUPERPRIV = 0x00000100;
inline constexpr unsigned PF_DUMPCORE = 0x00000200;
inline constexpr unsigned PF_SIGNALED = 0x00000400;
inline constexpr unsigned PF_MEMALLOC = 0x00000800;
inline constexpr unsigned PF_NPROC_EXCEEDED = 0x00001000;
inline constexpr unsigned PF_USED_MATH = 0x00002000;
inline constexpr unsigned PF_USER_WORKER = 0x00004000;
inline constexpr unsigned PF_NOFREEZE = 0x00008000;
inline constexpr unsigned PF_KCOMPACTD = 0x00010000;
inline constexpr unsigned PF_KSWAPD = 0x00020000;
inline constexpr unsigned PF_MEMALLOC_NOFS = 0x00040000;
inline constexpr unsigned PF_MEMALLOC_NOIO = 0x00080000;
inline constexpr unsigned PF_LOCAL_THROTTLE = 0x00100000;
inline constexpr unsigned PF_KTHREAD = 0x00200000;
inline constexpr unsigned PF_RANDOMIZE = 0x00400000;
inline constexpr unsigned PF_NO_SETAFFINITY = 0x04000000;
inline constexpr unsigned PF_MCE_EARLY = 0x08000000;
inline constexpr unsigned PF_MEMALLOC_PIN = 0x10000000;
inline constexpr unsigned PF_SUSPEND_TASK = 0x80000000;

// Scheduling policies (glibc may already define them as macros with the same values).
#ifndef SCHED_NORMAL
inline constexpr int SCHED_NORMAL = 0;
#endif
#ifndef SCHED_FIFO
inline constexpr int SCHED_FIFO = 1;
#endif
#ifndef SCHED_RR
inline constexpr int SCHED_RR = 2;
#endif
#ifndef SCHED_BATCH
inline constexpr int SCHED_BATCH = 3;
#endif
#ifndef SCHED_IDLE
inline constexpr int SCHED_IDLE = 5;
#endif
#ifndef SCHED_DEADLINE
inline constexpr int SCHED_DEADLINE = 6;
#endif

inline constexpr int MAX_RT_PRIO = 100;
inline constexpr int MAX_PRIO = MAX_RT_PRIO + 40;
inline constexpr int DEFAULT_PRIO = MAX_RT_PRIO + 20;
inline constexpr int MAX_NICE = 19;
inline constexpr int MIN_NICE = -20;
constexpr int NICE_TO_PRIO(int nice) { return nice + DEFAULT_PRIO; }
constexpr int PRIO_TO_NICE(int prio) { return prio - DEFAULT_PRIO; }

inline constexpr int TASK_COMM_LEN = 16;
// Longest name /proc shows for a kthread (the 64-byte buffer of get_kthread_comm).
inline constexpr int KTHREAD_NAME_LEN = 64;

// Thread-info flags (task->thread_flags).
inline constexpr unsigned TIF_SIGPENDING = 1u << 0;
inline constexpr unsigned TIF_NOTIFY_SIGNAL = 1u << 1;
inline constexpr unsigned TIF_MEMDIE = 1u << 2;

struct mm_struct;
struct kthread;
struct completion;
struct task_struct;
namespace internal {
struct sched_class;
struct fiber_stack;
struct rq;
}  // namespace internal

using sigset_bits = u64;  // bit (sig - 1) for signals 1..64

struct sched_entity {
  u64 vruntime = 0;             // V: weighted runtime in ns
  u64 sum_exec_runtime = 0;     // V: ns charged so far (tick sampled)
  u64 slice_start = 0;          // V: sum_exec_runtime when the task was last picked
  unsigned long weight = 1024;  // V: from the nice value (sched_prio_to_weight)
  s64 vlag = 0;                 // V: min_vruntime - vruntime when it blocked (kept across CPUs)
  bool on_rq = false;           // V: queued in the timeline (not the running task)
};

struct sched_rt_entity {
  unsigned time_slice = 0;      // V: SCHED_RR ticks left
  bool on_rq = false;           // V
};

// Where and why a task blocked: rendered as wchan and /proc/PID/stack.
struct block_site {
  // The blocking primitive, e.g. "schedule_timeout"; written by the task, read by /proc and ps.
  std::atomic<const char*> func{nullptr};
  const char* file = nullptr;
  int line = 0;
};

// The saved machine context of a task that is not running (a Boost.Context fcontext).
struct thread_struct {
  void* ctx = nullptr;                             // V: saved fcontext; valid while !on_cpu
  internal::fiber_stack* stack = nullptr;          // I: nullptr for tasks on a host stack
  void* tsan_fiber = nullptr;                      // I: ThreadSanitizer fiber handle
  void* asan_fake_stack = nullptr;                 // V: AddressSanitizer fake-stack handle
  const void* stack_lo = nullptr;                  // I: lowest usable stack address
  std::size_t stack_size = 0;                      // I: usable stack bytes
};

struct task_struct {
  // --- scheduling hot fields first -------------------------------------------------------
  // A: __state in the low 16 bits, plus kOnRqBit: set while the task counts as runnable
  // (running or queued). schedule() clears kOnRqBit with a CAS when the task blocks; a waker
  // CASes a matching sleeping state to TASK_RUNNING|kOnRqBit and, if kOnRqBit was clear,
  // becomes responsible for enqueueing the task. This single word is the whole lost-wakeup
  // protocol: exactly one of "the sleeper sees RUNNING and does not block" and "the waker
  // enqueues it" happens.
  std::atomic<unsigned> state_word{TASK_NEW};
  static constexpr unsigned kOnRqBit = 0x80000000u;
  static constexpr unsigned kStateMask = 0xffffu;

  unsigned flags = 0;                   // S: PF_*
  int preempt_count = 0;                // S: preempt/softirq/hardirq nesting (in_atomic)
  int irqs_disabled = 0;                // S: local_irq_save nesting
  std::atomic<unsigned> thread_flags{0};  // A: TIF_*

  std::atomic<int> on_cpu{0};           // A: 1 from being switched in until the switch away
                                        //    has finished (release in finish_task_switch)
  int cpu = 0;                          // V: vCPU it runs on / last ran on / is queued on
  const internal::sched_class* sched_cls = nullptr;  // V
  task_struct* wake_entry = nullptr;    // A: link in a vCPU's lock-free wake list

  int prio = DEFAULT_PRIO;              // V: effective priority (0..99 RT, 100..139 normal)
  int static_prio = DEFAULT_PRIO;       // V: from nice
  int normal_prio = DEFAULT_PRIO;
  unsigned rt_priority = 0;             // V: 1..99 for FIFO/RR
  int policy = SCHED_NORMAL;            // V
  sched_entity se;
  sched_rt_entity rt;
  // Runqueue linkage (V): the fair timeline and the RT priority lists.
  boost::intrusive::set_member_hook<boost::intrusive::link_mode<boost::intrusive::normal_link>>
      run_node;
  boost::intrusive::list_member_hook<boost::intrusive::link_mode<boost::intrusive::normal_link>>
      rt_node;
  cpumask cpus_mask;                    // V (writes go through set_cpus_allowed_ptr)
  // I: Linux's `const cpumask_t *cpus_ptr`, read by C code (compat <linux/sched.h>); ktl never
  // borrows another mask (no migrate_disable), so it always points at cpus_mask.
  const cpumask* const cpus_ptr = &cpus_mask;
  int nr_cpus_allowed = 1;

  thread_struct thread;

  // --- identity and tree -----------------------------------------------------------------
  std::atomic<int> usage{1};            // A: get_task_struct/put_task_struct
  pid_t pid = 0;                        // I
  pid_t tgid = 0;                       // I
  char comm[TASK_COMM_LEN] = {};        // S: set_task_comm; truncated to 15 characters
  task_struct* real_parent = nullptr;   // T
  list_head children;                   // T: my children
  list_head sibling;                    // T: link in parent's children
  list_head tasks;                      // T: link in the global task list
  int exit_signal = 17;                 // I: SIGCHLD
  std::atomic<unsigned> exit_state{0};  // A: EXIT_ZOMBIE / EXIT_DEAD
  int exit_code = 0;

  mm_struct* mm = nullptr;              // S: user address space; nullptr for kernel threads
  mm_struct* active_mm = nullptr;       // V: the address space actually loaded while running

  // --- signals (kernel threads ignore all of them by default) ------------------------------
  std::atomic<sigset_bits> sig_pending{0};  // A
  sigset_bits sig_blocked = 0;              // S
  std::atomic<sigset_bits> sig_ignored{0};  // A: SigIgn
  std::atomic<sigset_bits> sig_caught{0};   // A: SigCgt (allow_signal)

  // --- accounting ------------------------------------------------------------------------
  u64 nvcsw = 0;                        // V: voluntary switches (blocked)
  u64 nivcsw = 0;                       // V: involuntary switches (preempted, yield)
  u64 utime = 0, stime = 0;             // V: ns, tick sampled
  u64 start_time = 0;                   // I: machine clock ns at creation
  block_site blocked_at;                // S: last blocking point (wchan, /proc/PID/stack)

  // --- creation --------------------------------------------------------------------------
  int (*threadfn)(void*) = nullptr;     // I: what the fiber runs first
  void* threadfn_arg = nullptr;         // I
  kthread* worker_private = nullptr;    // I: struct kthread for PF_KTHREAD tasks
  completion* vfork_done = nullptr;     // completed when the task's memory is released (exit)
  unsigned ktl_flags = 0;               // I: internal, see kTaskHost etc.
  static constexpr unsigned kTaskHost = 1;   // a host thread's stand-in: never on a runqueue
  // A: the wait queue head of the task's current prepare_to_wait*() .. finish_wait() (nullptr
  // outside one); the module loader's unload check looks for sleepers on a module's queues.
  std::atomic<const void*> wait_head{nullptr};

  task_struct();
  task_struct(const task_struct&) = delete;
  task_struct& operator=(const task_struct&) = delete;
};

// The low 16 bits of the state word: what Linux calls READ_ONCE(p->__state).
KTL_ALWAYS_INLINE unsigned task_state(const task_struct* p) noexcept {
  return p->state_word.load(std::memory_order_relaxed) & task_struct::kStateMask;
}
KTL_ALWAYS_INLINE bool task_is_running(const task_struct* p) noexcept {
  return task_state(p) == TASK_RUNNING;
}
KTL_ALWAYS_INLINE int task_cpu(const task_struct* p) noexcept { return p->cpu; }
KTL_ALWAYS_INLINE int task_nice(const task_struct* p) noexcept {
  return PRIO_TO_NICE(p->static_prio);
}
KTL_ALWAYS_INLINE pid_t task_pid_nr(const task_struct* p) noexcept { return p->pid; }
KTL_ALWAYS_INLINE bool is_idle_task(const task_struct* p) noexcept { return p->flags & PF_IDLE; }

// The state letter ps and /proc print ("RSDTtXZPI"), and the /proc/PID/status text.
char task_state_to_char(const task_struct* p) noexcept;
const char* task_state_name(const task_struct* p) noexcept;  // e.g. "S (sleeping)"
unsigned task_state_index(const task_struct* p) noexcept;

void get_task_struct(task_struct* p) noexcept;
void put_task_struct(task_struct* p) noexcept;

void set_task_comm(task_struct* p, const char* name) noexcept;
// comm copied into buf (always NUL terminated); returns buf.
char* get_task_comm(char* buf, std::size_t len, const task_struct* p) noexcept;

// The task the caller runs as: the running task of this vCPU, or, on a host thread that is not a
// vCPU (the embedding program), a per-thread stand-in task (kTaskHost) that can sleep and be woken
// with the same API but is never scheduled on a vCPU and never shown by ps.
// Never cache the result across a schedule() on a host thread boundary: fibers migrate.
task_struct* get_current() noexcept;

}  // namespace ktl
