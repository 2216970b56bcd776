// Task creation, pids and the task list (kernel/fork.c, kernel/pid.c).
#include "ktl/kernel/fork.h"

#include <unistd.h>

#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "arch/fiber.h"
#include "kernel/kernel_internal.h"
#include "kthread/kthread_internal.h"
#include "ktl/base/bug.h"
#include "ktl/base/err.h"
#include "ktl/mm/mm.h"
#include "ktl/sched/sched.h"
#include "ktl/sched/signal.h"
#include "ktl/time/jiffies.h"
#include "locking/host_lock.h"
#include "sched/sched_internal.h"

namespace ktl {

task_struct::task_struct() {
  INIT_LIST_HEAD(&children);
  INIT_LIST_HEAD(&sibling);
  INIT_LIST_HEAD(&tasks);
}

namespace internal {

// The task list, pid map and thread count: tasklist_lock.
struct task_table {
  host_lock lock;
  list_head all KTL_GUARDED_BY(lock) = {&all, &all};
  std::vector<task_struct*> by_pid KTL_GUARDED_BY(lock);  // index = pid
  int last_pid KTL_GUARDED_BY(lock) = 0;
  // Written under the lock, read without it (sysctl, statistics): atomics.
  std::atomic<int> pid_max{PID_MAX_DEFAULT};
  std::atomic<int> max_threads{0};
  std::atomic<int> nr_threads{0};
  std::atomic<u64> total_forks{0};
  // Object cache of task_structs (no allocation in steady state).
  task_struct* free_list KTL_GUARDED_BY(lock) = nullptr;
  int free_count KTL_GUARDED_BY(lock) = 0;
};
task_table g_tasks;
host_lock& tasklist_lock() { return g_tasks.lock; }

namespace {

int default_max_threads() {
  // kernel/fork.c: at most 1/8 of RAM in kernel stacks (THREAD_SIZE 16 KiB), clamped to
  // [20, FUTEX_TID_MASK].
  long pages = sysconf(_SC_PHYS_PAGES);
  long psize = sysconf(_SC_PAGESIZE);
  u64 threads = static_cast<u64>(pages) * static_cast<u64>(psize) / (16384ULL * 8ULL);
  if (threads < 20) threads = 20;
  if (threads > 0x3fffffff) threads = 0x3fffffff;
  return static_cast<int>(threads);
}

// Cyclic pid allocation below pid_max; after a wrap, restart above RESERVED_PIDS.
int alloc_pid_locked() KTL_REQUIRES(g_tasks.lock) {
  int max = g_tasks.pid_max;
  if (static_cast<int>(g_tasks.by_pid.size()) < max) g_tasks.by_pid.resize(max, nullptr);
  int start = g_tasks.last_pid + 1;
  for (int pass = 0; pass < 2; ++pass) {
    for (int pid = start; pid < max; ++pid) {
      if (!g_tasks.by_pid[pid]) {
        g_tasks.last_pid = pid;
        return pid;
      }
    }
    start = g_tasks.last_pid >= RESERVED_PIDS ? RESERVED_PIDS : 1;
  }
  return -EAGAIN;
}

}  // namespace

task_struct* alloc_task_struct() noexcept {
  void* mem = nullptr;
  {
    host_lock_guard g(g_tasks.lock);
    if (g_tasks.free_list) {
      task_struct* p = g_tasks.free_list;
      g_tasks.free_list = p->wake_entry;
      g_tasks.free_count--;
      mem = p;
    }
  }
  if (!mem) mem = ::operator new(sizeof(task_struct), std::align_val_t{kCacheLine}, std::nothrow);
  if (!mem) return nullptr;
  return new (mem) task_struct();
}

void free_task_struct(task_struct* p) noexcept {
  p->~task_struct();
  host_lock_guard g(g_tasks.lock);
  if (g_tasks.free_count < 4096) {
    p->wake_entry = g_tasks.free_list;
    g_tasks.free_list = p;
    g_tasks.free_count++;
    return;
  }
  ::operator delete(p, std::align_val_t{kCacheLine});
}

task_struct* init_task() noexcept { return idle_task(0); }

void fork_init(int) {
  host_lock_guard g(g_tasks.lock);
  INIT_LIST_HEAD(&g_tasks.all);
  g_tasks.by_pid.assign(g_tasks.pid_max, nullptr);
  g_tasks.last_pid = 0;
  g_tasks.nr_threads = 0;
  g_tasks.total_forks = 0;
  if (!g_tasks.max_threads) g_tasks.max_threads = default_max_threads();
}

void fork_fini() {
  host_lock_guard g(g_tasks.lock);
  while (g_tasks.free_list) {
    task_struct* p = g_tasks.free_list;
    g_tasks.free_list = p->wake_entry;
    ::operator delete(p, std::align_val_t{kCacheLine});
  }
  g_tasks.free_count = 0;
}

// Take the task off the task list and the pid map; drop the list's reference.
void release_task(task_struct* p) {
  {
    host_lock_guard g(g_tasks.lock);
    list_del_init(&p->tasks);
    list_del_init(&p->sibling);
    if (p->pid > 0 && p->pid < static_cast<int>(g_tasks.by_pid.size()) &&
        g_tasks.by_pid[p->pid] == p)
      g_tasks.by_pid[p->pid] = nullptr;
    g_tasks.nr_threads--;
  }
  put_task_struct(p);
}

}  // namespace internal

using namespace internal;

void get_task_struct(task_struct* p) noexcept { p->usage.fetch_add(1, std::memory_order_relaxed); }

void put_task_struct(task_struct* p) noexcept {
  if (p->usage.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (p->thread.stack) {  // never ran (or died before its first switch)
    stack_free(nullptr, p->thread.stack);
    p->thread.stack = nullptr;
  }
  san_task_freed(p);
  if (p->worker_private) free_kthread_struct(p);  // kernel/kthread.c: free_kthread_struct
  if (p->mm) mmput(p->mm);
  free_task_struct(p);
}

task_struct* copy_process(const kernel_clone_args& args) {
  task_struct* parent = args.parent;
  if (!parent) {
    task_struct* cur = get_current();
    parent = (cur->ktl_flags & task_struct::kTaskHost) ? init_task() : cur;
  }
  {
    host_lock_guard g(g_tasks.lock);
    if (g_tasks.nr_threads >= g_tasks.max_threads) return ERR_PTR<task_struct>(-EAGAIN);
  }
  task_struct* p = alloc_task_struct();
  if (!p) return ERR_PTR<task_struct>(-ENOMEM);
  rq* rq = this_rq();
  fiber_stack* stack = stack_alloc(rq ? &rq->stacks : nullptr);
  if (!stack) {
    free_task_struct(p);
    return ERR_PTR<task_struct>(-ENOMEM);
  }
  p->thread.stack = stack;
  p->thread.stack_lo = stack->lo;
  p->thread.stack_size = stack->size;
  p->thread.ctx = fiber_make(stack, task_entry);
  san_task_created(p);

  p->threadfn = args.fn;
  p->threadfn_arg = args.fn_arg;
  p->exit_signal = args.exit_signal;
  p->flags = PF_FORKNOEXEC | (parent->flags & PF_NOFREEZE);
  if (args.kthread) p->flags |= PF_KTHREAD;
  set_task_comm(p, args.name ? args.name : parent->comm);
  p->start_time = ktime_get_ns();
  p->cpus_mask = g_kernel.possible;
  p->nr_cpus_allowed = p->cpus_mask.weight();
  // Scheduling parameters are inherited, as on fork (kthread() resets its own later).
  if (!(parent->flags & PF_IDLE) && !(parent->ktl_flags & task_struct::kTaskHost)) {
    p->policy = parent->policy;
    p->static_prio = parent->static_prio;
    p->prio = parent->prio;
    p->normal_prio = parent->normal_prio;
    p->rt_priority = parent->rt_priority;
    p->se.weight = parent->se.weight;
    p->cpus_mask = parent->cpus_mask & g_kernel.possible;
    if (p->cpus_mask.empty()) p->cpus_mask = g_kernel.possible;
    p->nr_cpus_allowed = p->cpus_mask.weight();
  }
  p->sched_cls = class_for_policy(p->policy);
  p->cpu = rq ? rq->cpu : 0;
  if (args.kthread) {
    p->sig_ignored.store(~sigset_bits{0}, std::memory_order_relaxed);
  } else {
    p->sig_ignored.store(parent->flags & PF_KTHREAD ? 0 : parent->sig_ignored.load(), std::memory_order_relaxed);
  }
  if (args.user) {
    if (args.mm) {
      mmget(args.mm);
      p->mm = args.mm;
    } else {
      p->mm = mm_alloc();
      if (!p->mm) {
        put_task_struct(p);
        return ERR_PTR<task_struct>(-ENOMEM);
      }
    }
    p->active_mm = p->mm;
  }
  // Two references: one the task holds on itself while it can run (dropped after its final
  // switch), one for the task list (dropped when it is reaped).
  p->usage.store(2, std::memory_order_relaxed);
  p->state_word.store(TASK_NEW, std::memory_order_relaxed);

  int pid;
  {
    host_lock_guard g(g_tasks.lock);
    pid = alloc_pid_locked();
    if (pid >= 0 && g_tasks.nr_threads < g_tasks.max_threads) {
      p->pid = pid;
      p->tgid = (args.flags & CLONE_THREAD) ? parent->tgid : pid;
      g_tasks.by_pid[pid] = p;
      p->real_parent = parent;
      list_add_tail(&p->sibling, &parent->children);
      list_add_tail(&p->tasks, &g_tasks.all);
      g_tasks.nr_threads++;
      g_tasks.total_forks++;
      return p;
    }
  }
  p->usage.store(1, std::memory_order_relaxed);
  put_task_struct(p);
  return ERR_PTR<task_struct>(pid < 0 ? pid : -EAGAIN);
}

pid_t kernel_clone(const kernel_clone_args& args) {
  task_struct* p = copy_process(args);
  if (IS_ERR(p)) return static_cast<pid_t>(PTR_ERR(p));
  pid_t pid = p->pid;
  wake_up_new_task(p);
  return pid;
}

pid_t kernel_thread(int (*fn)(void*), void* arg, const char* name, unsigned long flags) {
  kernel_clone_args a;
  a.flags = flags;
  a.fn = fn;
  a.fn_arg = arg;
  a.name = name;
  a.kthread = true;
  a.exit_signal = static_cast<int>(flags & CSIGNAL);
  return kernel_clone(a);
}

pid_t user_thread(int (*fn)(void*), void* arg, const char* name, mm_struct* mm) {
  kernel_clone_args a;
  a.fn = fn;
  a.fn_arg = arg;
  a.name = name;
  a.user = true;
  a.mm = mm;
  a.flags = mm ? CLONE_VM : 0;
  return kernel_clone(a);
}

pid_t user_mode_thread(int (*fn)(void*), void* arg, unsigned long flags) {
  kernel_clone_args a;
  a.flags = flags;
  a.fn = fn;
  a.fn_arg = arg;
  a.exit_signal = static_cast<int>(flags & CSIGNAL);
  return kernel_clone(a);
}

int exec_mm_model(const char* comm) {
  task_struct* p = get_current();
  mm_struct* mm = mm_alloc();
  if (!mm) return -ENOMEM;
  mm_struct* old = p->mm;
  mm_struct* old_active = p->active_mm;
  p->mm = mm;
  p->active_mm = mm;
  p->flags &= ~PF_FORKNOEXEC;
  if (rq* rq = this_rq()) {
    rq->loaded_mm = mm;
    rq->tlb.switch_mm++;
  }
  if (old)
    mmput(old);
  else if (old_active)
    mmdrop(old_active);  // the lazy reference it ran on
  if (comm) set_task_comm(p, comm);
  return 0;
}

task_struct* find_get_task_by_vpid(pid_t pid) {
  host_lock_guard g(g_tasks.lock);
  if (pid <= 0 || pid >= static_cast<int>(g_tasks.by_pid.size())) return nullptr;
  task_struct* p = g_tasks.by_pid[pid];
  if (p) get_task_struct(p);
  return p;
}

std::vector<task_struct*> snapshot_tasks() {
  std::vector<task_struct*> v;
  host_lock_guard g(g_tasks.lock);
  v.reserve(static_cast<std::size_t>(g_tasks.nr_threads));
  task_struct* p;
  list_for_each_entry(p, &g_tasks.all, tasks) {
    get_task_struct(p);
    v.push_back(p);
  }
  return v;
}
void put_task_snapshot(std::vector<task_struct*>& tasks) {
  for (task_struct* p : tasks) put_task_struct(p);
  tasks.clear();
}

int pid_max() noexcept { return g_tasks.pid_max; }
int set_pid_max(int v) noexcept {
  if (v < RESERVED_PIDS + 1 || v > PID_MAX_LIMIT) return -EINVAL;
  host_lock_guard g(g_tasks.lock);
  g_tasks.pid_max = v;
  if (static_cast<int>(g_tasks.by_pid.size()) < v) g_tasks.by_pid.resize(v, nullptr);
  return 0;
}
int max_threads() noexcept {
  if (!g_tasks.max_threads) g_tasks.max_threads = default_max_threads();
  return g_tasks.max_threads;
}
int set_max_threads(int v) noexcept {
  if (v < 20 || v > 0x3fffffff) return -EINVAL;
  g_tasks.max_threads = v;
  return 0;
}
int nr_threads() noexcept { return g_tasks.nr_threads; }
u64 total_forks() noexcept { return g_tasks.total_forks; }

}  // namespace ktl
