// Taking the copy of a task that /proc and ps format (fs/proc/array.c reads a live task without
// locking it; so does this).
#include <bit>
#include <chrono>
#include <cstring>
#include <mutex>

#include "ktl/kernel/sim.h"
#include "fs/proc_internal.h"
#include "ktl/fs/proc.h"
#include "ktl/kernel/fork.h"
#include "ktl/sched/sched.h"
#include "ktl/time/jiffies.h"
#include "locking/host_lock.h"

namespace ktl {
namespace internal {

host_lock& tasklist_lock();

namespace {

KTL_PROC_RACY void copy_racy_fields(const task_struct* p, proc_task_info* t) {
  t->flags = p->flags;
  t->policy = p->policy;
  t->static_prio = p->static_prio;
  t->rt_priority = p->rt_priority;
  t->cpu = p->cpu;
  const volatile u64* mask = p->cpus_mask.bits;
  for (int i = 0; i < NR_CPUS / 64; ++i) t->cpus_mask.bits[i] = mask[i];
  t->nvcsw = p->nvcsw;
  t->nivcsw = p->nivcsw;
  t->utime = p->utime;
  t->stime = p->stime;
  t->start_time = p->start_time;
  t->has_mm = p->mm != nullptr;
  t->kthread_api = p->worker_private != nullptr;
  t->stack_size = p->thread.stack_size;
  t->stack_top = reinterpret_cast<std::uintptr_t>(p->thread.stack_lo) + p->thread.stack_size;
  t->blocked = p->sig_blocked;
  t->wchan = p->blocked_at.func;
  t->exit_code = p->exit_code;
  t->exit_signal = p->exit_signal;
}

}  // namespace

KTL_PROC_RACY unsigned load_flags(const task_struct* p) { return p->flags; }

// Byte by byte through volatile: no memcpy call the sanitizer runtime would intercept.
KTL_PROC_RACY void copy_comm(const task_struct* p, char* buf, std::size_t len) {
  const volatile char* src = p->comm;
  std::size_t i = 0;
  for (; i + 1 < len && i < TASK_COMM_LEN - 1; ++i) {
    char c = src[i];
    if (!c) break;
    buf[i] = c;
  }
  buf[i] = 0;
}

proc_task_info collect_task_info(task_struct* p, const std::vector<task_struct*>* all) {
  proc_task_info t;
  t.task = p;
  t.pid = p->pid;
  t.tgid = p->tgid;
  {
    // real_parent changes (reparenting) and the parent may go away: tasklist_lock.
    host_lock_guard g(tasklist_lock());
    t.ppid = p->real_parent ? p->real_parent->tgid : 0;
  }
  copy_racy_fields(p, &t);
  t.name = proc_task_name(p);
  unsigned w = p->state_word.load(std::memory_order_relaxed);
  t.state_bits = w & task_struct::kStateMask;
  t.on_rq = (w & task_struct::kOnRqBit) != 0;
  t.exit_state = p->exit_state.load(std::memory_order_relaxed);
  t.state = task_state_to_char(p);
  t.state_name = task_state_name(p);
  t.nice = PRIO_TO_NICE(t.static_prio);
  t.prio = (t.policy == SCHED_FIFO || t.policy == SCHED_RR)
               ? -1 - static_cast<int>(t.rt_priority)
               : t.static_prio - MAX_RT_PRIO;
  t.pending = p->sig_pending.load(std::memory_order_relaxed);
  t.ignored = p->sig_ignored.load(std::memory_order_relaxed);
  t.caught = p->sig_caught.load(std::memory_order_relaxed);
  if (t.flags & PF_KTHREAD) {
    t.nr_threads = 1;
  } else {
    std::vector<task_struct*> own;
    const std::vector<task_struct*>* list = all;
    if (!list) {
      own = snapshot_tasks();
      list = &own;
    }
    int n = 0;
    for (task_struct* q : *list)
      if (q->tgid == t.tgid) ++n;
    t.nr_threads = n > 0 ? n : 1;
    if (!all) put_task_snapshot(own);
  }
  return t;
}

proc_vm_model vm_model(const proc_task_info& t) {
  // A user task's "address space": a 4 KiB text page, its fiber stack and one page of page
  // tables. Everything is resident (fibers never swap).
  proc_vm_model m{};
  m.text_kb = 4;
  m.stack_kb = (t.stack_size + 1023) / 1024;
  m.data_kb = 0;
  m.size_kb = m.text_kb + m.stack_kb + m.data_kb;
  m.anon_kb = m.stack_kb;
  m.file_kb = m.text_kb;
  m.rss_kb = m.anon_kb + m.file_kb;
  m.pte_kb = 4;
  return m;
}

bool counts_uninterruptible(const proc_task_info& t) {
  if (t.on_rq || t.exit_state) return false;
  return (t.state_bits & TASK_UNINTERRUPTIBLE) && !(t.state_bits & (TASK_NOLOAD | TASK_FROZEN));
}

std::string task_cmdline_text(const proc_task_info& t) {
  // ktl has no argv: a user task with an address space ran "comm" (argv[0] = its name).
  if ((t.flags & PF_KTHREAD) || !t.has_mm || t.exit_state) return {};
  return t.name;
}

double boot_wall_time() {
  using namespace std::chrono;
  // The simulation has no host time in it: its machine "booted" at a fixed moment
  // (2026-01-01 00:00:00 UTC), so ps STIME/START read the same in every run.
  if (sim::active()) return 1767225600.0;
  double now = duration<double>(system_clock::now().time_since_epoch()).count();
  return now - static_cast<double>(ktime_get_ns()) / 1e9;
}

}  // namespace internal

std::string proc_task_name(const task_struct* p) {
  char buf[KTHREAD_NAME_LEN];
  unsigned flags = internal::load_flags(p);
  if (flags & PF_WQ_WORKER) {
    if (proc_worker_comm_fn fn = ktl_proc_worker_comm.load(std::memory_order_acquire)) {
      buf[0] = 0;
      int n = fn(buf, sizeof buf, p);
      if (n >= 0) {
        buf[sizeof buf - 1] = 0;
        return std::string(buf, strnlen(buf, sizeof buf - 1));
      }
    }
  }
  if (flags & PF_KTHREAD) {
    if (proc_full_name_fn fn = ktl_proc_full_name.load(std::memory_order_acquire)) {
      if (const char* full = fn(p)) return std::string(full, strnlen(full, KTHREAD_NAME_LEN - 1));
    }
  }
  internal::copy_comm(p, buf, sizeof buf);
  return buf;
}

}  // namespace ktl
