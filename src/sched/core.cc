// The scheduler core: wake-up, schedule(), context switch, the idle loop.
//
// The one invariant everything rests on: a runqueue is touched only by its own vCPU. Other vCPUs
// and host threads hand a woken task over through the target's lock-free wake list (an MPSC
// stack, reversed on drain so hand-over is FIFO) and ring its doorbell if it sleeps. So the switch
// and local wake-up paths take no lock at all; the only shared writes are the state-word CAS
// (task.h explains the protocol) and on_cpu, which a vCPU about to run a task waits on so it never
// resumes a fiber whose previous vCPU has not finished switching away from it.
#include <sched.h>

#include <cstring>

#include "arch/fiber.h"
#include "arch/sim.h"
#include "kernel/trace_internal.h"
#include "kernel/kernel_internal.h"
#include "kernel/softirq_internal.h"
#include "ktl/base/bug.h"
#include "ktl/kernel/fork.h"
#include "ktl/kernel/stop_machine.h"
#include "ktl/kthread/kthread.h"
#include "ktl/kernel/printk.h"
#include "ktl/mm/mm.h"
#include "ktl/sched/preempt.h"
#include "ktl/sched/signal.h"
#include "ktl/time/jiffies.h"
#include "sched/sched_internal.h"
#include "time/time_internal.h"
#include "workqueue/workqueue_internal.h"

namespace ktl {
namespace internal {

kernel_state g_kernel;

namespace {

// initial-exec: a fixed offset from the thread pointer, not a __tls_get_addr() call (the library
// is built position-independent).
__attribute__((tls_model("initial-exec"))) thread_local rq* t_rq = nullptr;
__attribute__((tls_model("initial-exec"))) thread_local task_struct* t_host_task = nullptr;

enum sched_mode { SM_NONE, SM_PREEMPT, SM_YIELD, SM_IDLE };

}  // namespace

KTL_NOINLINE rq* this_rq() noexcept {
  barrier();
  return t_rq;
}

// Direct TLS read, for out-of-line functions that never switch: nothing in them can move the
// fiber to another host thread between the read and its use. Anything that may switch uses
// this_rq(), which is never inlined, so the thread pointer is re-read after a switch.
KTL_ALWAYS_INLINE rq* tls_rq_noswitch() noexcept { return t_rq; }
void set_this_rq(rq* r) noexcept { t_rq = r; }

task_struct* fault_current_task() noexcept { return t_rq ? t_rq->curr : t_host_task; }

// ---- host threads as tasks ----------------------------------------------------------------

namespace {

struct host_task_holder {
  task_struct* p = nullptr;
  ~host_task_holder() {
    if (p) put_task_struct(p);
  }
};
thread_local host_task_holder t_host_holder;

KTL_NOINLINE task_struct* make_host_task() noexcept {
  task_struct* p = alloc_task_struct();
  if (!p) panic("out of memory for a host thread's task_struct");
  p->ktl_flags |= task_struct::kTaskHost;
  p->state_word.store(TASK_RUNNING | task_struct::kOnRqBit, std::memory_order_relaxed);
  p->flags = PF_KTHREAD;  // treated as kernel context: signals ignored, no mm
  p->sig_ignored.store(~sigset_bits{0}, std::memory_order_relaxed);
  p->pid = -1;
  std::strncpy(p->comm, "host", TASK_COMM_LEN - 1);
  p->cpu = -1;
  t_host_holder.p = p;
  t_host_task = p;
  return p;
}

// schedule() for a host thread: block the host thread itself until a waker sets kOnRqBit again.
void host_schedule(task_struct* p, sched_mode mode) {
  unsigned w = p->state_word.load(std::memory_order_relaxed);
  if (mode != SM_NONE || (w & task_struct::kStateMask) == TASK_RUNNING) {
    if (mode == SM_YIELD) sched_yield();
    return;
  }
  if (signal_pending_state(w & task_struct::kStateMask, p)) {
    p->state_word.store(TASK_RUNNING | task_struct::kOnRqBit, std::memory_order_relaxed);
    return;
  }
  if (!p->state_word.compare_exchange_strong(w, w & ~task_struct::kOnRqBit,
                                             std::memory_order_acq_rel))
    return;  // woken between the test and the CAS
  p->nvcsw++;
  machine* m = g_kernel.mach;
  for (;;) {
    unsigned cur = p->state_word.load(std::memory_order_acquire);
    if (cur & task_struct::kOnRqBit) break;
    if (m)
      m->host_block(&p->state_word, cur);
    else
      futex_wait_u32(&p->state_word, cur);
  }
}

}  // namespace

// ---- class helpers ---------------------------------------------------------------------------


KTL_ALWAYS_INLINE unsigned rq_nr_running(const rq* rq) {
  return rq_nr_queued(rq) + (rq->curr != rq->idle ? 1 : 0);
}

void resched_curr(rq* rq) noexcept {
  rq->pending.fetch_or(PENDING_RESCHED, std::memory_order_relaxed);
}

static KTL_ALWAYS_INLINE void update_idle_hint(rq* rq, bool idle) {
  if (rq->cpu >= 64) return;
  u64 bit = u64{1} << rq->cpu;
  if (idle)
    g_kernel.idle_mask.fetch_or(bit, std::memory_order_relaxed);
  else if (g_kernel.idle_mask.load(std::memory_order_relaxed) & bit)
    g_kernel.idle_mask.fetch_and(~bit, std::memory_order_relaxed);
}

// Enqueue a runnable task on this vCPU's runqueue (it must not be queued anywhere).
void activate_task_local(rq* rq, task_struct* p) {
  // The vCPU p last ran on may still be finishing __schedule() for it (it committed p to sleep
  // and still updates its accounting until the switch away completes). Do not touch p's
  // scheduling state before that: wait for on_cpu == 0, which pairs with the release store in
  // finish_task_switch(). p == curr is the one exception: a timer callback run from this vCPU's
  // own schedule() waking the task that is switching out right here.
  if (KTL_UNLIKELY(p != rq->curr))
    while (KTL_UNLIKELY(p->on_cpu.load(std::memory_order_acquire))) cpu_relax();
  p->cpu = rq->cpu;
  if (KTL_LIKELY(p->sched_cls != &stop_sched_class)) p->sched_cls = class_for_policy(p->policy);
  p->sched_cls->enqueue(rq, p, true);
  task_struct* curr = rq->curr;
  if (curr == rq->idle || p->sched_cls->rank > curr->sched_cls->rank ||
      (p->sched_cls == curr->sched_cls && p->sched_cls->wakeup_preempt(rq, curr, p)))
    resched_curr(rq);
}

void kick_cpu(rq* rq) noexcept {
  // Pairs with the seq_cst store of IDLE_SLEEPING and the re-check of the wake list in the idle
  // loop: either the idle vCPU sees our hand-over, or we see it sleeping and wake it.
  if (rq->idle_state.load(std::memory_order_seq_cst) == IDLE_SLEEPING &&
      rq->idle_state.exchange(IDLE_RUNNING, std::memory_order_seq_cst) == IDLE_SLEEPING)
    g_kernel.mach->wake(&rq->idle_state);
}

// Hand a runnable task to another vCPU (or to this one from a host thread).
static void enqueue_remote(task_struct* p, int cpu) {
  rq* target = cpu_rq(cpu);
  p->cpu = cpu;
  task_struct* head = target->wake_list.load(std::memory_order_relaxed);
  do {
    p->wake_entry = head;
  } while (!target->wake_list.compare_exchange_weak(head, p, std::memory_order_seq_cst,
                                                    std::memory_order_relaxed));
  if (!head) {
    target->pending.fetch_or(PENDING_WAKE, std::memory_order_relaxed);
    kick_cpu(target);
  }
}

void enqueue_on_cpu(task_struct* p, int cpu) {
  rq* rq = this_rq();
  if (rq && rq->cpu == cpu) {
    activate_task_local(rq, p);
    rq->nr_wakeups_local++;
  } else {
    enqueue_remote(p, cpu);
  }
}

static int percpu_kthread_cpu(task_struct* p);
static int select_fallback_rq(task_struct* p);

int select_task_rq(task_struct* p, int this_cpu, int wake_flags) noexcept {
  const cpumask allowed = load_cpus_mask(p);
  if (load_nr_cpus_allowed(p) == 1) {
    int only = allowed.first();
    if (KTL_LIKELY(online_test(only))) return only;
    if (percpu_kthread_cpu(p) == only) return only;
  }
  if ((wake_flags & (WF_SYNC | WF_CURRENT_CPU)) && this_cpu >= 0 && allowed.test(this_cpu) &&
      online_test(this_cpu)) {
    if (wake_flags & WF_CURRENT_CPU) return this_cpu;
    // WF_SYNC: the waker blocks next; with nothing else queued here the woken task runs right
    // after it, on warm caches, instead of paying a cross-vCPU hand-off.
    if (rq_nr_queued(cpu_rq(this_cpu)) == 0) return this_cpu;
  }
  int prev = p->cpu;
  u64 idle = g_kernel.idle_mask.load(std::memory_order_relaxed);
  bool prev_ok = prev >= 0 && allowed.test(prev) && online_test(prev);
  if (prev_ok && prev < 64 && (idle >> prev) & 1) return prev;
  // The waker's own vCPU if it has nothing else queued: the woken task runs as soon as the
  // waker blocks, with warm caches (wake-affine).
  const bool this_ok = this_cpu >= 0 && allowed.test(this_cpu) && online_test(this_cpu);
  if (this_ok && rq_nr_queued(cpu_rq(this_cpu)) == 0 && (!prev_ok || prev == this_cpu))
    return this_cpu;
  u64 cand = idle & allowed.bits[0] & online_word(0);
  if (cand) return std::countr_zero(cand);
  if (prev_ok) return prev;
  if (this_ok) return this_cpu;
  cpumask m = allowed & online_snapshot();
  int cpu = m.first();
  return cpu < NR_CPUS ? cpu : select_fallback_rq(p);
}

// ---- wake-up ---------------------------------------------------------------------------------

static void ttwu_activate(task_struct* p, int wake_flags) {
  if (KTL_UNLIKELY(p->ktl_flags & task_struct::kTaskHost)) {
    if (machine* m = g_kernel.mach)
      m->host_unblock(&p->state_word);
    else
      futex_wake_u32(&p->state_word, 1);
    return;
  }
  rq* rq = tls_rq_noswitch();  // a wake-up never switches
  int cpu = select_task_rq(p, rq ? rq->cpu : -1, wake_flags);
  if (KTL_UNLIKELY(tracing())) trace_sched_wakeup(p, cpu, false);
  if (rq && cpu == rq->cpu) {
    activate_task_local(rq, p);
    rq->nr_wakeups_local++;
  } else {
    enqueue_remote(p, cpu);
  }
}

}  // namespace internal

using namespace internal;

task_struct* get_current() noexcept {
  rq* rq = tls_rq_noswitch();
  if (KTL_LIKELY(rq != nullptr)) return rq->curr;
  task_struct* p = t_host_task;
  return KTL_LIKELY(p != nullptr) ? p : make_host_task();
}

int try_to_wake_up(task_struct* p, unsigned state, int wake_flags) {
  // Full barrier (Linux: smp_mb__after_spinlock() in try_to_wake_up): orders the caller's
  // "condition = true" store before the load of p's state. Pairs with the barrier after the
  // state store in set_current_state(). Without it the two sides form a store-buffer race: the
  // sleeper reads the old condition and blocks while the waker reads the old TASK_RUNNING and
  // skips the wake-up (seen as a lost wake-up on x86 under load).
  sim_point(SIM_WAKE);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  unsigned w = p->state_word.load(std::memory_order_relaxed);
  for (;;) {
    if (!(w & state & task_struct::kStateMask)) return 0;
    if (p->state_word.compare_exchange_weak(w, TASK_RUNNING | task_struct::kOnRqBit,
                                            std::memory_order_seq_cst,
                                            std::memory_order_seq_cst))
      break;
  }
  // kOnRqBit still set: the task has not blocked yet (it is running, or about to call
  // schedule()); it will see TASK_RUNNING and stay runnable. Otherwise it is ours to enqueue.
  if (!(w & task_struct::kOnRqBit))
    ttwu_activate(p, wake_flags);
  else if (KTL_UNLIKELY(tracing()))
    trace_sched_wakeup(p, p->cpu, false);
  return 1;
}

int wake_up_process(task_struct* p) { return try_to_wake_up(p, TASK_NORMAL, 0); }
int wake_up_state(task_struct* p, unsigned state) { return try_to_wake_up(p, state, 0); }

void wake_up_new_task(task_struct* p) { wake_up_new_task_wf(p, 0); }

void internal::wake_up_new_task_wf(task_struct* p, int wake_flags) {
  p->state_word.store(TASK_RUNNING | task_struct::kOnRqBit, std::memory_order_release);
  rq* rq = this_rq();
  int cpu = select_task_rq(p, rq ? rq->cpu : -1, wake_flags);
  if (KTL_UNLIKELY(tracing())) trace_sched_wakeup(p, cpu, true);
  // A new fair task starts at the target's min_vruntime (placed on enqueue).
  p->se.vlag = 0;
  enqueue_on_cpu(p, cpu);
}

void set_current_state(unsigned state) noexcept {
  sim_point(SIM_SYNC);
  rq* rq = tls_rq_noswitch();
  task_struct* p = KTL_LIKELY(rq != nullptr) ? rq->curr : get_current();
  // smp_store_mb(): the store, then a full barrier so the caller's following condition test
  // cannot be satisfied from before the store. Pairs with the fence in try_to_wake_up().
  p->state_word.store(state | task_struct::kOnRqBit, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);
}
void __set_current_state(unsigned state) noexcept {
  rq* rq = tls_rq_noswitch();
  task_struct* p = KTL_LIKELY(rq != nullptr) ? rq->curr : get_current();
  p->state_word.store(state | task_struct::kOnRqBit, std::memory_order_relaxed);
}
void set_special_state(unsigned state) noexcept { set_current_state(state); }
unsigned get_current_state() noexcept { return task_state(get_current()); }

namespace internal {

// ---- context switch --------------------------------------------------------------------------

static void finish_task_switch(task_struct* prev, fcontext_t prev_ctx);

static KTL_ALWAYS_INLINE void switch_mm_lazy(rq* rq, task_struct* prev, task_struct* next) {
  if (!next->mm) {  // to a kernel thread: keep the loaded address space (lazy TLB)
    rq->tlb.lazy_tlb++;
    next->active_mm = prev->active_mm;
    if (prev->mm) {  // user -> kernel: take a lazy reference
      mmgrab(prev->active_mm);
      rq->tlb.mm_grab_lazy++;
    } else {         // kernel -> kernel: hand the lazy reference over
      prev->active_mm = nullptr;
    }
  } else {           // to a user task
    if (rq->loaded_mm == next->mm) {
      rq->tlb.flush_avoided++;
    } else {
      rq->tlb.switch_mm++;
      rq->loaded_mm = next->mm;
    }
    next->active_mm = next->mm;
    if (!prev->mm) {  // kernel -> user: drop the borrowed reference after the switch
      rq->prev_mm = prev->active_mm;
      prev->active_mm = nullptr;
    }
  }
}

static void report_stack_corruption(task_struct* p) {
  printk(KERN_EMERG "Kernel panic - not syncing: corrupted stack end detected inside scheduler\n");
  printk(KERN_EMERG "CPU: %d UID: 0 PID: %d Comm: %.16s %s 6.18.0-ktl #1\n", p->cpu, p->pid,
         p->comm, print_tainted());
  panic("kernel stack overflow in task %s/%d (stack end canary overwritten)", p->comm, p->pid);
}

static void context_switch(rq* rq, task_struct* prev, task_struct* next) {
  // Wait for next's previous vCPU to finish switching away from it: until then its stack is in
  // use and that vCPU still writes its active_mm. The window is a handful of instructions.
  // Pairs with the release store of on_cpu in finish_task_switch().
  while (KTL_UNLIKELY(next->on_cpu.load(std::memory_order_acquire))) cpu_relax();
  next->on_cpu.store(1, std::memory_order_relaxed);
  sim_charge_switch();
  if (KTL_UNLIKELY(tracing()))
    trace_sched_switch(rq->cpu, prev, next,
                       !(prev->state_word.load(std::memory_order_relaxed) & task_struct::kOnRqBit));
  switch_mm_lazy(rq, prev, next);
  if (prev->thread.stack && KTL_UNLIKELY(!stack_canary_ok(prev->thread.stack)))
    report_stack_corruption(prev);
  rq->curr = next;
  bool dying = task_state(prev) == TASK_DEAD;
  san_start_switch(prev, next, dying);
  transfer_t t = boost::context::detail::jump_fcontext(next->thread.ctx, prev);
  // Back in prev, possibly on another vCPU.
  san_finish_switch(prev);
  finish_task_switch(static_cast<task_struct*>(t.data), t.fctx);
}

// Runs on the new task's stack right after the switch: publish prev's saved context, then let
// other vCPUs run prev (on_cpu = 0), or bury it if it died.
static void finish_task_switch(task_struct* prev, fcontext_t prev_ctx) {
  rq* rq = this_rq();
  prev->thread.ctx = prev_ctx;
  if (mm_struct* mm = rq->prev_mm) {
    rq->prev_mm = nullptr;
    rq->tlb.mm_drop_lazy++;
    mmdrop(mm);
  }
  if (KTL_UNLIKELY(task_state(prev) == TASK_DEAD)) {
    if (prev->active_mm) {
      mmdrop(prev->active_mm);
      prev->active_mm = nullptr;
    }
    san_task_freed(prev);
    if (prev->thread.stack) {
      stack_free(&rq->stacks, prev->thread.stack);
      prev->thread.stack = nullptr;
    }
    prev->on_cpu.store(0, std::memory_order_release);
    put_task_struct(prev);  // the reference the task held on itself while it could run
    return;
  }
  prev->on_cpu.store(0, std::memory_order_release);
}

void task_entry(transfer_t t) {
  san_finish_switch(nullptr);
  finish_task_switch(static_cast<task_struct*>(t.data), t.fctx);
  task_struct* p = get_current();
  int ret = p->threadfn(p->threadfn_arg);
  do_exit(ret);
}

// ---- scheduling ------------------------------------------------------------------------------

// The CPU a per-CPU kthread belongs to (ksoftirqd/N, migration/N, a bound worker), or -1. Such a
// thread may run on its vCPU while that is offline: that is how it parks and how it exits.
static int percpu_kthread_cpu(task_struct* p) {
  if (!(p->flags & PF_KTHREAD) || load_nr_cpus_allowed(p) != 1 || !kthread_is_per_cpu(p))
    return -1;
  return load_cpus_mask(p).first();
}

// No online vCPU is in p's affinity (its CPUs went down): a per-CPU kthread stays with its vCPU;
// anything else loses its affinity, as select_fallback_rq() does.
static KTL_NOINLINE int select_fallback_rq(task_struct* p) {
  int cpu = percpu_kthread_cpu(p);
  if (cpu >= 0) return cpu;
  int dead = p->cpu;
  store_cpus_mask(p, g_kernel.possible);
  if (p->mm) printk(KERN_INFO "process %d (%s) no longer affine to cpu%d\n", p->pid, p->comm, dead);
  cpu = online_snapshot().first();
  return cpu < NR_CPUS ? cpu : 0;
}

// A task that reached an offline vCPU (a wake-up that chose it before it went down) moves on.
static KTL_NOINLINE bool redirect_from_offline(rq* rq, task_struct* p) {
  if (percpu_kthread_cpu(p) == rq->cpu) return false;
  rq->nr_migrations_out++;
  enqueue_remote(p, select_task_rq(p, -1));
  return true;
}

static void drain_wake_list(rq* rq) {
  task_struct* list = rq->wake_list.exchange(nullptr, std::memory_order_acquire);
  // The list is LIFO; reverse it so tasks woken first run first.
  task_struct* fifo = nullptr;
  while (list) {
    task_struct* next = list->wake_entry;
    list->wake_entry = fifo;
    fifo = list;
    list = next;
  }
  while (fifo) {
    task_struct* p = fifo;
    fifo = p->wake_entry;
    p->wake_entry = nullptr;
    if (KTL_UNLIKELY(rq->offline.load(std::memory_order_relaxed)) && redirect_from_offline(rq, p))
      continue;
    activate_task_local(rq, p);
    rq->nr_wakeups_remote++;
  }
}

static void scheduler_tick(rq* rq, unsigned long now) {
  unsigned long ticks = now - rq->last_tick;
  rq->last_tick = now;
  task_struct* curr = rq->curr;
  u64 ns = ticks * tick_nsec();
  if (u64 cpu_ns = g_kernel.mach->vcpu_cpu_time_ns()) {
    u64 ran = cpu_ns - rq->last_cpu_ns;
    rq->last_cpu_ns = cpu_ns;
    if (ran < ns) ns = ran;  // the rest was steal time: the host ran something else
  }
  rq->nr_running_hint.store(rq_nr_running(rq), std::memory_order_relaxed);
  if (curr == rq->idle) return;
  if (curr->mm)
    curr->utime += ns;
  else
    curr->stime += ns;
  curr->sched_cls->task_tick(rq, curr, ticks, ns);
  if (KTL_UNLIKELY(curr->flags & PF_WQ_WORKER)) wq_worker_tick(curr);
}

static void push_to_idle(rq* rq);

// A counter only this vCPU writes and others read.
static KTL_ALWAYS_INLINE void bump(std::atomic<unsigned long>& c) {
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void handle_pending(rq* rq) {
  if (rq->irq_depth) return;
  unsigned pend = rq->pending.load(std::memory_order_relaxed);
  // Fast path: no tick since the last look, nothing handed over, no timer due.
  if (KTL_LIKELY(!(pend & (PENDING_TICK | PENDING_WAKE | PENDING_HRTIMER)) &&
                 get_jiffies() == rq->last_tick &&
                 !rq->wake_list.load(std::memory_order_relaxed) && !timers_due(rq)))
    return;
  if (pend & (PENDING_TICK | PENDING_WAKE | PENDING_HRTIMER))
    rq->pending.fetch_and(~(PENDING_TICK | PENDING_WAKE | PENDING_HRTIMER),
                          std::memory_order_relaxed);
  // irq_enter: the interrupt runs in hardirq context on top of whatever the vCPU ran.
  rq->irq_depth++;
  task_struct* curr = rq->curr;
  curr->preempt_count += HARDIRQ_OFFSET;
  unsigned long now = get_jiffies();
  const bool ticked = now != rq->last_tick;
  if (ticked) {
    bump(rq->irq_stats.timer);
    scheduler_tick(rq, now);
  }
  if (rq->wake_list.load(std::memory_order_relaxed)) {
    bump(rq->irq_stats.resched);
    drain_wake_list(rq);
  }
  run_local_timers(rq, now);  // hrtimers here; the wheel raises TIMER_SOFTIRQ
  curr->preempt_count -= HARDIRQ_OFFSET;
  rq->irq_depth--;
  // irq_exit: pending softirqs run now unless the interrupted context has them held off.
  irq_exit_softirqs(rq);
  // Balance: more than one waiting task, or (at a tick, Linux's periodic balance) one task
  // waiting behind a busy one while another vCPU idles. The simulation found two CPU-bound tasks
  // stuck on one vCPU for good when both were placed there before the other vCPU went idle.
  unsigned queued = rq_nr_queued(rq);
  if ((queued > 1 || (ticked && queued == 1 && rq->curr != rq->idle)) &&
      g_kernel.idle_mask.load(std::memory_order_relaxed))
    push_to_idle(rq);
}

static task_struct* pick_next_task(rq* rq) {
  if (KTL_UNLIKELY(rq->stop_queued)) {
    rq->stop_queued = false;
    return rq->stop.load(std::memory_order_relaxed);
  }
  if (rq->rt.nr) return rt_sched_class.pick_next(rq);
  if (rq->cfs.next || !rq->cfs.timeline.empty()) return fair_sched_class.pick_next(rq);
  return rq->idle;
}

static void schedule_bug(task_struct* prev) {
  // Rate-limited per vCPU: once a second.
  rq* rq = this_rq();
  unsigned long now = get_jiffies();
  if (rq->last_sched_bug && time_before(now, rq->last_sched_bug + hz())) return;
  rq->last_sched_bug = now ? now : 1;
  printk(KERN_ERR "BUG: scheduling while atomic: %s/%d/0x%08x\n", prev->comm, prev->pid,
         prev->preempt_count);
  printk(KERN_ERR "CPU: %d UID: 0 PID: %d Comm: %.16s %s 6.18.0-ktl #1\n", prev->cpu, prev->pid,
         prev->comm, print_tainted());
  add_taint(TAINT_WARN);
}

// Returns true if it switched away (and back).
static bool __schedule(rq* rq, task_struct* prev, sched_mode mode) {
  if (KTL_UNLIKELY(rq->irq_depth)) {
    // schedule() from a timer callback or other interrupt work: the vCPU is in the middle of
    // running it and cannot switch. Linux would crash here; report and return to the caller.
    schedule_bug(prev);
    return false;
  }
  if (KTL_UNLIKELY(prev->preempt_count && mode != SM_PREEMPT)) schedule_bug(prev);

  handle_pending(rq);

  bool blocked = false;
  if (mode == SM_NONE) {
    // Acquire: a waker that set TASK_RUNNING before we got here (so we do not block) published
    // its stores with that CAS; without the pairing the task would run on without seeing them
    // (Linux gets this from the rq lock both sides take).
    unsigned w = prev->state_word.load(std::memory_order_acquire);
    unsigned state = w & task_struct::kStateMask;
    if (state != TASK_RUNNING) {
      if ((state & (TASK_INTERRUPTIBLE | TASK_WAKEKILL)) && signal_pending_state(state, prev)) {
        prev->state_word.store(TASK_RUNNING | task_struct::kOnRqBit, std::memory_order_relaxed);
      } else if (prev->state_word.compare_exchange_strong(w, w & ~task_struct::kOnRqBit,
                                                          std::memory_order_seq_cst)) {
        blocked = true;  // from now on a waker owns putting it back on a runqueue
      }
    }
  }
  bool migrating = false;
  if (!blocked && prev != rq->idle) {
    if (KTL_LIKELY(cpus_mask_test(prev, rq->cpu) || prev->sched_cls == &stop_sched_class)) {
      // A policy change made while the task ran takes effect here (the task is in no queue).
      if (KTL_LIKELY(prev->sched_cls != &stop_sched_class))
        prev->sched_cls = class_for_policy(prev->policy);
      prev->sched_cls->put_prev(rq, prev, mode == SM_YIELD);
    } else {
      // Its affinity no longer includes this vCPU (set_cpus_allowed_ptr): it leaves now.
      migrating = true;
    }
  }

  task_struct* next = pick_next_task(rq);
  if (rq->pending.load(std::memory_order_relaxed) & PENDING_RESCHED)
    rq->pending.fetch_and(~PENDING_RESCHED, std::memory_order_relaxed);
  if (next == prev) return false;
  if (KTL_UNLIKELY(migrating)) {
    prev->nivcsw++;
    rq->nr_migrations_out++;
    if (prev->sched_cls->task_blocked) prev->sched_cls->task_blocked(rq, prev);
    // The target vCPU will not resume it before this one has switched away: context_switch()
    // there waits for on_cpu == 0.
    enqueue_remote(prev, select_task_rq(prev, -1));
  } else if (blocked) {
    prev->nvcsw++;
    if (prev->sched_cls->task_blocked) prev->sched_cls->task_blocked(rq, prev);
  } else if (prev != rq->idle)
    prev->nivcsw++;
  rq->nr_switches++;
  context_switch(rq, prev, next);
  return true;
}

// Push a queued task to an idle vCPU it may run on (load balancing without remote runqueue
// access: the busy vCPU gives work away; idle vCPUs advertise themselves in idle_mask).
static void push_to_idle(rq* rq) {
  u64 idle = g_kernel.idle_mask.load(std::memory_order_relaxed) & ~(u64{1} << (rq->cpu & 63));
  if (!idle) return;
  task_struct* victim = nullptr;
  int target = -1;
  int scanned = 0;
  auto consider = [&](task_struct* p) {
    u64 ok = idle & __atomic_load_n(&p->cpus_mask.bits[0], __ATOMIC_RELAXED) &
             online_word(0);
    if (!ok) return false;
    victim = p;
    target = std::countr_zero(ok);
    return true;
  };
  for (auto it = rq->cfs.timeline.rbegin(); it != rq->cfs.timeline.rend() && scanned < 4;
       ++it, ++scanned)
    if (consider(&*it)) break;
  if (!victim && rq->cfs.next) consider(rq->cfs.next);  // the buddy is the only one waiting
  if (!victim) return;
  fair_sched_class.dequeue(rq, victim);
  rq->nr_migrations_out++;
  // Only this vCPU may clear its own idle bit, but claim the target so two pushers do not
  // pile onto the same idle vCPU.
  g_kernel.idle_mask.fetch_and(~(u64{1} << target), std::memory_order_relaxed);
  enqueue_remote(victim, target);
}

}  // namespace internal

// A workqueue worker going to sleep lets its pool start another worker (concurrency
// management); back on a CPU it counts as running again (sched_submit_work / sched_update_worker).
static KTL_NOINLINE void schedule_wq_worker(task_struct* prev) {
  if (!task_is_running(prev)) wq_worker_sleeping(prev);
  __schedule(this_rq(), prev, SM_NONE);
  wq_worker_running(prev);
}

void schedule() {
  sim_point(SIM_SYNC);
  rq* rq = this_rq();
  task_struct* prev = rq ? rq->curr : get_current();
  if (KTL_UNLIKELY(!rq)) {
    host_schedule(prev, SM_NONE);
    return;
  }
  if (KTL_UNLIKELY(prev->flags & PF_WQ_WORKER)) {
    schedule_wq_worker(prev);
    return;
  }
  __schedule(rq, prev, SM_NONE);
}

void yield() {
  rq* rq = this_rq();
  if (!rq) {
    sched_yield();
    return;
  }
  task_struct* prev = rq->curr;
  __set_current_state(TASK_RUNNING);
  __schedule(rq, prev, SM_YIELD);
}

int __cond_resched() {
  sim_point(SIM_RESCHED);
  rq* rq = this_rq();
  if (KTL_UNLIKELY(!rq)) return 0;
  if (KTL_LIKELY(!rq->pending.load(std::memory_order_relaxed) &&
                 !rq->wake_list.load(std::memory_order_relaxed)))
    return 0;
  task_struct* curr = rq->curr;
  if (rq->irq_depth || curr->preempt_count) return 0;
  return __schedule(rq, curr, SM_PREEMPT) ? 1 : 0;
}

bool need_resched() noexcept {
  rq* rq = this_rq();
  return rq && (rq->pending.load(std::memory_order_relaxed) & PENDING_RESCHED);
}

void set_tsk_need_resched(task_struct* p) noexcept {
  rq* rq = cpu_rq(p->cpu);
  if (rq) resched_curr(rq);
}

namespace internal {

// The idle task's loop: the body of each vCPU's host thread (or simulated context).
void vcpu_main(int cpu) {
  rq* rq = cpu_rq(cpu);
  set_this_rq(rq);
  install_fault_handler_for_thread();
  task_struct* idle = rq->idle;
  g_kernel.mach->adopt_vcpu_stack(idle);
  idle->on_cpu.store(1, std::memory_order_relaxed);
  rq->curr = idle;
  rq->last_tick = get_jiffies();
  rq->last_cpu_ns = g_kernel.mach->vcpu_cpu_time_ns();
  machine* m = g_kernel.mach;
  for (;;) {
    handle_pending(rq);
    if (rq_nr_queued(rq)) {
      update_idle_hint(rq, false);
      __schedule(rq, idle, SM_IDLE);
      continue;
    }
    if (rq->pending.load(std::memory_order_relaxed) & PENDING_STOP) break;
    rq->nr_running_hint.store(0, std::memory_order_relaxed);
    update_idle_hint(rq, true);
    // Poll briefly (haltpoll): a wake-up that arrives within the window costs no host sleep.
    bool work = false;
    if (rq->idle_poll_ns) {
      rq->idle_state.store(IDLE_POLLING, std::memory_order_relaxed);
      u64 until = m->clock_ns() + rq->idle_poll_ns;
      for (int i = 0;; ++i) {
        if (rq->wake_list.load(std::memory_order_relaxed) ||
            (rq->pending.load(std::memory_order_relaxed) & (PENDING_STOP | PENDING_HRTIMER))) {
          work = true;
          break;
        }
        arch_cpu_relax();
        if ((i & 63) == 63 && m->clock_ns() >= until) break;
      }
    }
    if (!work) {
      rq->idle_state.store(IDLE_SLEEPING, std::memory_order_seq_cst);
      if (!rq->wake_list.load(std::memory_order_seq_cst) &&
          !(rq->pending.load(std::memory_order_seq_cst) & (PENDING_STOP | PENDING_HRTIMER))) {
        u64 deadline = next_timer_deadline_ns(rq);
        rq->nr_idle_sleeps++;
        m->wait_on(&rq->idle_state, IDLE_SLEEPING, deadline);
      }
    }
    rq->idle_state.store(IDLE_RUNNING, std::memory_order_relaxed);
    jiffies_update_from_clock();
  }
  update_idle_hint(rq, false);
  stack_cache_drain(&rq->stacks);
  release_fault_handler_for_thread();
  set_this_rq(nullptr);
}

// The host timer chip calls this every tick: jiffies already advanced.
void tick_broadcast(unsigned long /*now*/) noexcept {
  for (int cpu = 0; cpu < g_kernel.nr_cpus; ++cpu) {
    rq* rq = cpu_rq(cpu);
    if (rq->idle_state.load(std::memory_order_relaxed) != IDLE_SLEEPING &&
        !(rq->pending.load(std::memory_order_relaxed) & PENDING_TICK))
      rq->pending.fetch_or(PENDING_TICK, std::memory_order_relaxed);
  }
}

void sched_init(int nr_cpus) {
  g_kernel.nr_cpus = nr_cpus;
  g_kernel.online.clear_all();
  g_kernel.possible.clear_all();
  g_kernel.idle_mask.store(0);
  for (int cpu = 0; cpu < nr_cpus; ++cpu) {
    rq* rq = new internal::rq();
    rq->cpu = cpu;
    rq->idle_poll_ns = g_kernel.idle_poll_ns;
    rq->loaded_mm = &init_mm;
    g_kernel.rqs[cpu] = rq;
    g_kernel.online.set(cpu);
    g_kernel.possible.set(cpu);
    task_struct* idle = alloc_task_struct();
    if (!idle) panic("cannot allocate the idle task");
    idle->pid = 0;
    idle->tgid = 0;
    idle->flags = PF_IDLE | PF_KTHREAD | PF_NOFREEZE;
    idle->cpu = cpu;
    idle->cpus_mask = cpumask::of(cpu);
    idle->nr_cpus_allowed = 1;
    idle->sched_cls = &idle_sched_class;
    idle->prio = MAX_PRIO;
    idle->static_prio = MAX_PRIO - 20;  // nice 0 as Linux shows it for swapper
    idle->state_word.store(TASK_RUNNING | task_struct::kOnRqBit, std::memory_order_relaxed);
    idle->sig_ignored.store(~sigset_bits{0}, std::memory_order_relaxed);
    idle->active_mm = &init_mm;
    mmgrab(&init_mm);
    char name[TASK_COMM_LEN];
    std::snprintf(name, sizeof name, "swapper/%d", cpu);
    set_task_comm(idle, name);
    rq->idle = idle;
    rq->curr = idle;
    timer_base_init(rq);
  }
}

void sched_fini() {
  for (int cpu = 0; cpu < g_kernel.nr_cpus; ++cpu) {
    rq* rq = g_kernel.rqs[cpu];
    if (!rq) continue;
    timer_base_fini(rq);
    if (rq->idle) {
      if (rq->idle->active_mm) mmdrop(rq->idle->active_mm);
      rq->idle->active_mm = nullptr;
      put_task_struct(rq->idle);
    }
    delete rq;
    g_kernel.rqs[cpu] = nullptr;
  }
  g_kernel.nr_cpus = 0;
  g_kernel.online.clear_all();
}

task_struct* idle_task(int cpu) { return cpu_rq(cpu)->idle; }

}  // namespace internal

namespace {

// What sysrq-t prints about a task or a vCPU, copied racily (see KTL_DATA_RACY).
struct task_view {
  char comm[TASK_COMM_LEN];
  pid_t pid;
  int cpu;
  const void* wake_entry;
  unsigned long long nvcsw;
};
KTL_DATA_RACY void view_task(const task_struct* p, task_view* v) {
  if (!p) {
    v->comm[0] = '?';
    v->comm[1] = 0;
    v->pid = -1;
    return;
  }
  const volatile char* s = p->comm;
  for (std::size_t i = 0; i + 1 < TASK_COMM_LEN; ++i) v->comm[i] = s[i];
  v->comm[TASK_COMM_LEN - 1] = 0;
  v->pid = p->pid;
  v->cpu = p->cpu;
  v->wake_entry = p->wake_entry;
  v->nvcsw = p->nvcsw;
}
KTL_DATA_RACY task_struct* view_curr(const rq* r) { return r->curr; }

}  // namespace

// sysrq-t: every task with its state and where it is, plus each vCPU's scheduler state. Reads
// other vCPUs' fields racily, like the real one; for diagnosis, not for decisions.
void show_state() {
  printk(KERN_INFO "sysrq: Show State\n");
  task_view v;
  for (int cpu = 0; cpu < g_kernel.nr_cpus; ++cpu) {
    rq* r = cpu_rq(cpu);
    view_task(view_curr(r), &v);
    printk(KERN_INFO "cpu#%d: curr=%s/%d rt_queued=%u wake_list=%p pending=%#x idle_state=%d\n",
           cpu, v.comm, v.pid, __atomic_load_n(&r->rt.nr, __ATOMIC_RELAXED),
           static_cast<void*>(r->wake_list.load(std::memory_order_relaxed)),
           r->pending.load(std::memory_order_relaxed),
           r->idle_state.load(std::memory_order_relaxed));
  }
  auto tasks = snapshot_tasks();
  for (task_struct* p : tasks) {
    view_task(p, &v);
    printk(KERN_INFO "task:%-15.15s state:%c word:%#x on_cpu:%d cpu:%d wake_entry:%p nvcsw:%llu "
                     "wchan:%s\n",
           v.comm, task_state_to_char(p), p->state_word.load(std::memory_order_relaxed),
           p->on_cpu.load(std::memory_order_relaxed), v.cpu, v.wake_entry, v.nvcsw,
           p->blocked_at.func.load() ? p->blocked_at.func.load() : "-");
  }
  put_task_snapshot(tasks);
}

namespace internal {

}  // namespace internal

// ---- priorities and affinity ------------------------------------------------------------------

int task_prio(const task_struct* p) noexcept {
  if (p->policy == SCHED_FIFO || p->policy == SCHED_RR) return -1 - static_cast<int>(p->rt_priority);
  return p->static_prio - MAX_RT_PRIO;
}

// Changing scheduling parameters of a queued task would touch another vCPU's runqueue; instead
// the new parameters are stored and applied when the task is next enqueued (it is re-sorted at its
// next wake-up or put_prev). For the running task (current) they apply at its next schedule().
void set_user_nice(task_struct* p, long nice) {
  if (nice < MIN_NICE) nice = MIN_NICE;
  if (nice > MAX_NICE) nice = MAX_NICE;
  p->static_prio = NICE_TO_PRIO(static_cast<int>(nice));
  if (p->policy != SCHED_FIFO && p->policy != SCHED_RR) {
    p->prio = p->normal_prio = p->static_prio;
    p->se.weight = nice_to_weight(static_cast<int>(nice));
  }
}

int can_nice(const task_struct*, long nice) { return nice >= MIN_NICE && nice <= MAX_NICE; }

static int do_sched_setscheduler(task_struct* p, int policy, const sched_param* param, bool check) {
  if (!param) return -EINVAL;
  int prio = param->sched_priority;
  if (policy == SCHED_FIFO || policy == SCHED_RR) {
    if (prio < 1 || prio > MAX_RT_PRIO - 1) return -EINVAL;
  } else if (policy == SCHED_NORMAL || policy == SCHED_BATCH || policy == SCHED_IDLE) {
    if (prio != 0) return -EINVAL;
  } else {
    return -EINVAL;
  }
  (void)check;
  p->policy = policy;
  if (policy == SCHED_FIFO || policy == SCHED_RR) {
    p->rt_priority = static_cast<unsigned>(prio);
    p->prio = p->normal_prio = MAX_RT_PRIO - 1 - prio;
    p->rt.time_slice = hz() / 10;
  } else {
    p->rt_priority = 0;
    p->prio = p->normal_prio = p->static_prio;
    p->se.weight = policy == SCHED_IDLE ? 3 : nice_to_weight(task_nice(p));
  }
  // The class follows the policy at the task's next enqueue (it sits in no queue while it runs
  // or sleeps; a queued task is re-classed after it next runs). Ask for a prompt reschedule.
  if (p == get_current()) {
    if (rq* rq = this_rq()) resched_curr(rq);
  } else if (!(p->state_word.load(std::memory_order_relaxed) & task_struct::kOnRqBit) ||
             task_state(p) == TASK_NEW) {
    if (p->sched_cls != &stop_sched_class) p->sched_cls = class_for_policy(policy);
  }
  return 0;
}

namespace internal {
// Makes `stop` the stopper of `cpu` (cpu_stop's create callback, the thread parked and off its
// vCPU). It shows as SCHED_FIFO 99, as on Linux, but runs in the stop class above everything.
void sched_set_stop_task(int cpu, task_struct* stop) {
  rq* rq = cpu_rq(cpu);
  task_struct* old = rq->stop.load(std::memory_order_relaxed);
  if (stop) {
    sched_param sp{MAX_RT_PRIO - 1};
    do_sched_setscheduler(stop, SCHED_FIFO, &sp, false);
    stop->sched_cls = &stop_sched_class;
  }
  rq->stop.store(stop, std::memory_order_release);
  if (old && old != stop) old->sched_cls = &rt_sched_class;
}
}  // namespace internal

namespace internal {

void sched_cpu_dying(int cpu) {
  rq* rq = this_rq();
  WARN_ON(!rq || rq->cpu != cpu);
  if (!rq) return;
  rq->offline.store(true, std::memory_order_seq_cst);
  if (rq->wake_list.load(std::memory_order_relaxed)) drain_wake_list(rq);
  // Everything still queued here goes; per-CPU kthreads of this vCPU come back at the end.
  task_struct* keep = nullptr;
  auto move = [&](task_struct* p) {
    p->sched_cls->dequeue(rq, p);
    if (percpu_kthread_cpu(p) == cpu) {
      p->wake_entry = keep;
      keep = p;
      return;
    }
    rq->nr_migrations_out++;
    enqueue_remote(p, select_task_rq(p, -1));
  };
  while (rq->rt.nr) {
    for (auto& q : rq->rt.queue)
      if (!q.empty()) {
        move(&q.front());
        break;
      }
  }
  while (rq->cfs.next) move(rq->cfs.next);
  while (!rq->cfs.timeline.empty()) move(&*rq->cfs.timeline.begin());
  while (keep) {
    task_struct* p = keep;
    keep = p->wake_entry;
    p->wake_entry = nullptr;
    activate_task_local(rq, p);
  }
  rq->nr_running_hint.store(rq_nr_running(rq), std::memory_order_relaxed);
}

void sched_cpu_starting(int cpu) {
  cpu_rq(cpu)->offline.store(false, std::memory_order_seq_cst);
}

}  // namespace internal

int sched_setscheduler(task_struct* p, int policy, const sched_param* param) {
  return do_sched_setscheduler(p, policy, param, true);
}
int sched_setscheduler_nocheck(task_struct* p, int policy, const sched_param* param) {
  return do_sched_setscheduler(p, policy, param, false);
}
void sched_set_fifo(task_struct* p) {
  sched_param sp{MAX_RT_PRIO / 2};
  WARN_ON_ONCE(sched_setscheduler_nocheck(p, SCHED_FIFO, &sp) != 0);
}
void sched_set_fifo_low(task_struct* p) {
  sched_param sp{1};
  WARN_ON_ONCE(sched_setscheduler_nocheck(p, SCHED_FIFO, &sp) != 0);
}
void sched_set_normal(task_struct* p, int nice) {
  sched_param sp{0};
  WARN_ON_ONCE(sched_setscheduler_nocheck(p, SCHED_NORMAL, &sp) != 0);
  set_user_nice(p, nice);
}

int do_set_cpus_allowed(task_struct* p, const cpumask* new_mask) {
  cpumask m = *new_mask & g_kernel.possible;
  if (m.empty()) return -EINVAL;
  store_cpus_mask(p, m);
  if (p == get_current()) {
    rq* rq = this_rq();
    if (rq && !m.test(rq->cpu)) {
      // Move ourselves: yield; __schedule() sees the affinity no longer covers this vCPU and
      // hands the task to an allowed one.
      yield();
    }
  }
  // A queued task on a now-forbidden vCPU moves when that vCPU next picks or puts it; a
  // sleeping task is placed by its next wake-up.
  return 0;
}

// The stopper of the vCPU a task sits on after its affinity changed: by now the task either left
// at its scheduling point (the stopper preempted it: __schedule() saw the forbidden vCPU) or it
// waits in this runqueue, from which it moves now.
// Where a task last ran, read without owning it: a stale answer only sends the stopper to a vCPU
// the task already left (it then does nothing).
KTL_DATA_RACY static int racy_cpu_of(const task_struct* p) { return p->cpu; }

static int migration_cpu_stop(void* data) {
  auto* p = static_cast<task_struct*>(data);
  rq* rq = this_rq();
  if (p == rq->curr || cpus_mask_test(p, rq->cpu)) return 0;
  // The stopper may have taken this work without passing an interrupt (it was still running
  // from its previous work): the task may sit in the wake list, handed over by the vCPU it left.
  if (rq->wake_list.load(std::memory_order_acquire)) {
    rq->irq_depth++;
    drain_wake_list(rq);
    rq->irq_depth--;
  }
  // Only this vCPU touches its queues: look for p there (its other fields may be changing under
  // a wake-up elsewhere if it is not here).
  bool queued = rq->cfs.next == p;
  for (auto it = rq->cfs.timeline.begin(); !queued && it != rq->cfs.timeline.end(); ++it)
    queued = &*it == p;
  for (int prio = 0; !queued && prio < MAX_RT_PRIO; ++prio)
    if ((rq->rt.bitmap[prio >> 6] >> (prio & 63)) & 1)
      for (auto& q : rq->rt.queue[prio])
        if (&q == p) {
          queued = true;
          break;
        }
  if (!queued) return 0;
  p->sched_cls->dequeue(rq, p);
  rq->nr_migrations_out++;
  enqueue_remote(p, select_task_rq(p, -1));
  return 0;
}

int set_cpus_allowed_ptr(task_struct* p, const cpumask* new_mask) {
  if (p->flags & PF_NO_SETAFFINITY) return -EINVAL;
  cpumask m = *new_mask & online_snapshot();
  if (m.empty()) return -EINVAL;
  int ret = do_set_cpus_allowed(p, &m);
  if (ret || p == get_current()) return ret;
  // A task running or queued on a vCPU it may no longer use is moved off it by that vCPU's
  // stopper, as on Linux (affine_move_task); the caller returns once that happened.
  const int cpu = racy_cpu_of(p);
  if (!m.test(cpu) && (p->state_word.load(std::memory_order_acquire) & task_struct::kOnRqBit) &&
      !in_atomic())
    stop_one_cpu(static_cast<unsigned>(cpu), migration_cpu_stop, p);
  return 0;
}

int smp_processor_id() noexcept {
  rq* rq = this_rq();
  return rq ? rq->cpu : 0;
}
int raw_smp_processor_id() noexcept { return smp_processor_id(); }
int num_online_cpus() noexcept { return online_snapshot().weight(); }
int num_possible_cpus() noexcept { return g_kernel.possible.weight(); }
int nr_cpu_ids() noexcept { return g_kernel.nr_cpus; }
cpumask cpu_online_mask() noexcept { return online_snapshot(); }
namespace internal {
void set_cpu_online(int cpu, bool online) noexcept {
  u64 bit = u64{1} << (cpu & 63);
  if (online)
    __atomic_fetch_or(&g_kernel.online.bits[cpu >> 6], bit, __ATOMIC_SEQ_CST);
  else
    __atomic_fetch_and(&g_kernel.online.bits[cpu >> 6], ~bit, __ATOMIC_SEQ_CST);
}
}  // namespace internal
const cpumask& cpu_possible_mask() noexcept { return g_kernel.possible; }
bool cpu_online(int cpu) noexcept { return online_test(cpu); }

sched_cpu_stats cpu_sched_stats(int cpu) {
  rq* rq = cpu_rq(cpu);
  sched_cpu_stats s{};
  if (!rq) return s;
  s.nr_switches = rq->nr_switches;
  s.nr_wakeups_local = rq->nr_wakeups_local;
  s.nr_wakeups_remote = rq->nr_wakeups_remote;
  s.nr_migrations_out = rq->nr_migrations_out;
  s.nr_idle_sleeps = rq->nr_idle_sleeps;
  s.nr_running = rq->nr_running_hint.load(std::memory_order_relaxed);
  return s;
}

unsigned long nr_running() {
  unsigned long n = 0;
  for (int cpu = 0; cpu < g_kernel.nr_cpus; ++cpu)
    n += cpu_rq(cpu)->nr_running_hint.load(std::memory_order_relaxed);
  return n;
}

}  // namespace ktl
