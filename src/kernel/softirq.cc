// Softirqs, ksoftirqd and tasklets (kernel/softirq.c, non-PREEMPT_RT paths).
#include <bit>
#include <cstdio>
#include <string>

#include "kernel/callbacks_internal.h"
#include "kernel/softirq_internal.h"
#include "kernel/trace_internal.h"
#include "kthread/kthread_internal.h"
#include "ktl/base/bug.h"
#include "ktl/kernel/interrupt.h"
#include "ktl/kernel/printk.h"
#include "ktl/kthread/kthread.h"
#include "ktl/kthread/smpboot.h"
#include "ktl/locking/spinlock.h"
#include "ktl/sched/percpu.h"
#include "ktl/sched/preempt.h"
#include "ktl/sched/sched.h"
#include "ktl/time/delay.h"
#include "ktl/time/jiffies.h"
#include "ktl/time/timer.h"
#include "sched/sched_internal.h"
#include "time/time_internal.h"

namespace ktl {

const char* const softirq_to_name[NR_SOFTIRQS] = {"HI",      "TIMER",    "NET_TX", "NET_RX",
                                                  "BLOCK",   "IRQ_POLL", "TASKLET", "SCHED",
                                                  "HRTIMER", "RCU"};

namespace {

using internal::rq;

constexpr int MAX_SOFTIRQ_RESTART = 10;
static_assert(sizeof(rq::softirq_count) / sizeof(rq::softirq_count[0]) == NR_SOFTIRQS);
constexpr unsigned MAX_SOFTIRQ_TIME_MS = 2;

softirq_action softirq_vec[NR_SOFTIRQS];
DEFINE_PER_CPU(task_struct*, ksoftirqd);

struct tasklet_head {
  spinlock_t lock;
  tasklet_struct* head = nullptr;
  tasklet_struct** tail = &head;
  // lock: tasklet_action holds tasklets taken off `head` that it has not run or put back yet.
  bool busy = false;
  // lock: visit_tasklets wants a quiet list: tasklet_action leaves `head` alone until cleared.
  bool hold = false;
};
DEFINE_PER_CPU(tasklet_head, tasklet_vec);
DEFINE_PER_CPU(tasklet_head, tasklet_hi_vec);

// The vCPU softirqs are raised on: the caller's, or vCPU 0 for a host thread (the embedding
// program), whose ksoftirqd then runs them.
rq* raise_rq() noexcept {
  rq* r = internal::this_rq();
  return r ? r : internal::cpu_rq(0);
}

void wakeup_softirqd(rq* r) {
  task_struct* tsk = *per_cpu_ptr(&ksoftirqd, r->cpu);
  if (tsk) wake_up_process(tsk);
}

void count_softirq(rq* r, unsigned nr) {
  auto& c = r->softirq_count[nr];
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

// handle_softirqs(): runs on top of whatever the vCPU was running (rq->curr), in softirq
// context. irq_depth keeps schedule() out and nested interrupt handling off meanwhile.
void handle_softirqs(rq* r, bool ksirqd) {
  const unsigned long end = get_jiffies() + msecs_to_jiffies(MAX_SOFTIRQ_TIME_MS);
  int budget = MAX_SOFTIRQ_RESTART;
  task_struct* curr = r->curr;
  // Only touch the flags word when there is something to clear: others read it racily.
  const unsigned memalloc = curr->flags & PF_MEMALLOC;
  if (KTL_UNLIKELY(memalloc)) curr->flags &= ~PF_MEMALLOC;
  r->irq_depth++;
  curr->preempt_count += SOFTIRQ_OFFSET;
  // Handlers run with interrupts enabled (ksoftirqd calls in with them off).
  const auto irqs_saved = curr->irqs_disabled;
  curr->irqs_disabled = 0;
  for (;;) {
    unsigned pending = r->softirq_pending.exchange(0, std::memory_order_acquire);
    while (pending) {
      const unsigned nr = static_cast<unsigned>(std::countr_zero(pending));
      pending &= pending - 1;
      count_softirq(r, nr);
      void (*action)() = __atomic_load_n(&softirq_vec[nr].action, __ATOMIC_ACQUIRE);
      if (!action) continue;
      const int prev = curr->preempt_count;
      if (KTL_UNLIKELY(internal::tracing()))
        internal::trace_timer_expire(reinterpret_cast<const void*>(action), get_jiffies(), false);
      action();
      if (KTL_UNLIKELY(curr->preempt_count != prev)) {
        pr_err("softirq: huh, entered softirq %u %s %p with preempt_count %08x, exited with %08x?\n",
               nr, softirq_to_name[nr], reinterpret_cast<void*>(action), prev,
               curr->preempt_count);
        curr->preempt_count = prev;
      }
    }
    if (!r->softirq_pending.load(std::memory_order_relaxed)) break;
    if (time_before(get_jiffies(), end) && !need_resched() && --budget) continue;
    wakeup_softirqd(r);
    break;
  }
  (void)ksirqd;
  curr->irqs_disabled = irqs_saved;
  curr->preempt_count -= SOFTIRQ_OFFSET;
  r->irq_depth--;
  if (KTL_UNLIKELY(memalloc)) curr->flags |= memalloc;
}

// ---- ksoftirqd ------------------------------------------------------------------------------

int ksoftirqd_should_run(unsigned int cpu) {
  return internal::cpu_rq(static_cast<int>(cpu))->softirq_pending.load(
             std::memory_order_relaxed) != 0;
}

void run_ksoftirqd(unsigned int cpu) {
  rq* r = internal::this_rq();
  local_irq_disable();
  if (r && r->cpu == static_cast<int>(cpu) && internal::softirqs_pending(r)) {
    handle_softirqs(r, true);
    local_irq_enable();
    cond_resched();
    return;
  }
  local_irq_enable();
}

smp_hotplug_thread softirq_threads = [] {
  smp_hotplug_thread t;
  t.store = &ksoftirqd;
  t.thread_should_run = ksoftirqd_should_run;
  t.thread_fn = run_ksoftirqd;
  t.thread_comm = "ksoftirqd/%u";
  return t;
}();

// ---- tasklets -------------------------------------------------------------------------------

bool test_and_clear_state(tasklet_struct* t, int bit) {
  return __atomic_fetch_and(&t->state, ~(1ul << bit), __ATOMIC_SEQ_CST) & (1ul << bit);
}
bool test_state(const tasklet_struct* t, int bit) {
  return __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) & (1ul << bit);
}

void tasklet_append(tasklet_head* h, tasklet_struct* t) {
  t->next = nullptr;
  *h->tail = t;
  h->tail = &t->next;
}

void __tasklet_schedule_common(tasklet_struct* t, percpu_var<tasklet_head>* vec, unsigned nr) {
  rq* r = raise_rq();
  tasklet_head* h = per_cpu_ptr(vec, r->cpu);
  unsigned long flags;
  spin_lock_irqsave(&h->lock, flags);
  tasklet_append(h, t);
  spin_unlock_irqrestore(&h->lock, flags);
  raise_softirq_irqoff(nr);
}

// Clears SCHED before the callback runs, so the callback may schedule the tasklet again.
bool tasklet_clear_sched(tasklet_struct* t) {
  if (test_and_clear_state(t, TASKLET_STATE_SCHED)) return true;
  WARN_ONCE(1, "tasklet SCHED state not set: %s %pS\n", t->use_callback ? "callback" : "func",
            t->use_callback ? reinterpret_cast<void*>(t->callback)
                            : reinterpret_cast<void*>(t->func));
  return false;
}

void tasklet_action_common(percpu_var<tasklet_head>* vec, unsigned softirq_nr) {
  rq* r = internal::this_rq();
  tasklet_head* h = per_cpu_ptr(vec, r->cpu);
  spin_lock(&h->lock);
  if (KTL_UNLIKELY(h->hold)) {
    r->softirq_pending.fetch_or(1u << softirq_nr, std::memory_order_relaxed);
    spin_unlock(&h->lock);
    return;
  }
  tasklet_struct* list = h->head;
  h->head = nullptr;
  h->tail = &h->head;
  h->busy = list != nullptr;
  spin_unlock(&h->lock);
  if (!list) return;
  while (list) {
    tasklet_struct* t = list;
    list = list->next;
    if (tasklet_trylock(t)) {
      if (!__atomic_load_n(&t->count, __ATOMIC_ACQUIRE)) {
        if (tasklet_clear_sched(t)) {
          if (t->use_callback)
            t->callback(t);
          else
            t->func(t->data);
        }
        tasklet_unlock(t);
        continue;
      }
      tasklet_unlock(t);
    }
    // Disabled, or running on another vCPU: keep it queued here and come back.
    spin_lock(&h->lock);
    tasklet_append(h, t);
    r->softirq_pending.fetch_or(1u << softirq_nr, std::memory_order_relaxed);
    spin_unlock(&h->lock);
  }
  spin_lock(&h->lock);
  h->busy = false;
  spin_unlock(&h->lock);
}

void tasklet_action() { tasklet_action_common(&tasklet_vec, TASKLET_SOFTIRQ); }
void tasklet_hi_action() { tasklet_action_common(&tasklet_hi_vec, HI_SOFTIRQ); }

// Sleep-polls for a tasklet running on another vCPU (wait_var_event in Linux).
void tasklet_wait_backoff(unsigned long iter) {
  // Tasks yield then sleep; host threads let the simulation machine run meanwhile.
  internal::kthread_poll_backoff(iter);
}

}  // namespace

// ---- softirq API ----------------------------------------------------------------------------

void open_softirq(int nr, void (*action)()) {
  if (WARN_ON(nr < 0 || nr >= NR_SOFTIRQS)) return;
  __atomic_store_n(&softirq_vec[nr].action, action, __ATOMIC_RELEASE);
}

void __raise_softirq_irqoff(unsigned int nr) {
  if (WARN_ON_ONCE(nr >= NR_SOFTIRQS)) return;
  raise_rq()->softirq_pending.fetch_or(1u << nr, std::memory_order_release);
}

void raise_softirq_irqoff(unsigned int nr) {
  __raise_softirq_irqoff(nr);
  rq* r = internal::this_rq();
  // In an interrupt (or with bottom halves off) the softirq runs at irq_exit or local_bh_enable;
  // from plain task context nothing would run it before the next interrupt: wake ksoftirqd.
  if (!r || !in_interrupt()) wakeup_softirqd(raise_rq());
}

void raise_softirq(unsigned int nr) {
  unsigned long flags;
  local_irq_save(flags);
  raise_softirq_irqoff(nr);
  local_irq_restore(flags);
}

unsigned int local_softirq_pending() {
  rq* r = internal::this_rq();
  return r ? r->softirq_pending.load(std::memory_order_relaxed) : 0;
}

void do_softirq() {
  if (in_interrupt()) return;
  rq* r = internal::this_rq();
  if (!r || r->irq_depth || !internal::softirqs_pending(r)) return;
  handle_softirqs(r, false);
}

void __local_bh_enable_ip(unsigned long /*ip*/, unsigned int cnt) {
  WARN_ON_ONCE(in_hardirq());
  preempt_count_sub(static_cast<int>(cnt) - 1);
  if (KTL_UNLIKELY(!in_interrupt() && local_softirq_pending())) do_softirq();
  preempt_count_sub(1);
}

void _local_bh_enable() {
  WARN_ON_ONCE(in_hardirq());
  preempt_count_sub(SOFTIRQ_DISABLE_OFFSET);
}

unsigned long kstat_softirqs_cpu(unsigned int nr, int cpu) {
  if (nr >= NR_SOFTIRQS || cpu < 0 || cpu >= internal::g_kernel.nr_cpus) return 0;
  rq* r = internal::cpu_rq(cpu);
  return r ? r->softirq_count[nr].load(std::memory_order_relaxed) : 0;
}

task_struct* ksoftirqd_task(int cpu) {
  if (cpu < 0 || cpu >= NR_CPUS) return nullptr;
  return *per_cpu_ptr(&ksoftirqd, cpu);
}

// ---- tasklet API ----------------------------------------------------------------------------

void tasklet_setup(tasklet_struct* t, void (*callback)(tasklet_struct*)) {
  t->next = nullptr;
  t->state = 0;
  t->count = 0;
  t->use_callback = true;
  t->callback = callback;
  t->data = 0;
}

void tasklet_init(tasklet_struct* t, void (*func)(unsigned long), unsigned long data) {
  t->next = nullptr;
  t->state = 0;
  t->count = 0;
  t->use_callback = false;
  t->func = func;
  t->data = data;
}

void __tasklet_schedule(tasklet_struct* t) {
  __tasklet_schedule_common(t, &tasklet_vec, TASKLET_SOFTIRQ);
}
void __tasklet_hi_schedule(tasklet_struct* t) {
  __tasklet_schedule_common(t, &tasklet_hi_vec, HI_SOFTIRQ);
}

bool tasklet_trylock(tasklet_struct* t) {
  return !(__atomic_fetch_or(&t->state, 1ul << TASKLET_STATE_RUN, __ATOMIC_ACQUIRE) &
           (1ul << TASKLET_STATE_RUN));
}

void tasklet_unlock(tasklet_struct* t) {
  __atomic_fetch_and(&t->state, ~(1ul << TASKLET_STATE_RUN), __ATOMIC_RELEASE);
}

void tasklet_unlock_wait(tasklet_struct* t) {
  might_sleep();
  for (unsigned long i = 0; test_state(t, TASKLET_STATE_RUN); ++i) tasklet_wait_backoff(i);
}

void tasklet_unlock_spin_wait(tasklet_struct* t) {
  while (test_state(t, TASKLET_STATE_RUN)) cpu_relax();
}

void tasklet_kill(tasklet_struct* t) {
  if (in_interrupt()) pr_notice("Attempt to kill tasklet from interrupt\n");
  for (unsigned long i = 0; tasklet_test_and_set_sched(t); ++i) tasklet_wait_backoff(i);
  tasklet_unlock_wait(t);
  test_and_clear_state(t, TASKLET_STATE_SCHED);
}

// ---- /proc ----------------------------------------------------------------------------------

std::string proc_softirqs() {
  std::string out = "                    ";
  char buf[64];
  const int n = internal::g_kernel.nr_cpus;
  for (int cpu = 0; cpu < n; ++cpu) {
    std::snprintf(buf, sizeof buf, "CPU%-8d", cpu);
    out += buf;
  }
  out += '\n';
  for (unsigned i = 0; i < NR_SOFTIRQS; ++i) {
    std::snprintf(buf, sizeof buf, "%12s:", softirq_to_name[i]);
    out += buf;
    for (int cpu = 0; cpu < n; ++cpu) {
      std::snprintf(buf, sizeof buf, " %10lu", kstat_softirqs_cpu(i, cpu));
      out += buf;
    }
    out += '\n';
  }
  return out;
}

std::string proc_interrupts() {
  const int n = internal::g_kernel.nr_cpus;
  std::string out(11, ' ');  // prec (3) + 8, as show_interrupts() pads it
  char buf[64];
  for (int cpu = 0; cpu < n; ++cpu) {
    if (!cpu_online(cpu)) continue;
    std::snprintf(buf, sizeof buf, "CPU%-8d", cpu);
    out += buf;
  }
  out += '\n';
  auto row = [&](const char* name, auto get, const char* desc) {
    std::snprintf(buf, sizeof buf, "%3s: ", name);
    out += buf;
    for (int cpu = 0; cpu < n; ++cpu) {
      if (!cpu_online(cpu)) continue;
      std::snprintf(buf, sizeof buf, "%10lu ", static_cast<unsigned long>(get(internal::cpu_rq(cpu))));
      out += buf;
    }
    out += "  ";
    out += desc;
    out += '\n';
  };
  row("LOC", [](rq* r) { return r->irq_stats.timer.load(std::memory_order_relaxed); },
      "Local timer interrupts");
  row("RES", [](rq* r) { return r->irq_stats.resched.load(std::memory_order_relaxed); },
      "Rescheduling interrupts");
  row("CAL", [](rq* r) { return r->irq_stats.call.load(std::memory_order_relaxed); },
      "Function call interrupts");
  return out;
}

// ---- kernel side ----------------------------------------------------------------------------

namespace internal {

void visit_tasklets(const std::function<void(tasklet_struct* t, bool running)>& fn) {
  for (int cpu = 0; cpu < g_kernel.nr_cpus; ++cpu) {
    for (auto* vec : {&tasklet_vec, &tasklet_hi_vec}) {
      tasklet_head* h = per_cpu_ptr(vec, cpu);
      unsigned long flags;
      spin_lock_irqsave(&h->lock, flags);
      // A consistent view needs no batch in flight: hold off new batches and wait for the one
      // tasklet_action may be running to end (a tasklet callback is short: it cannot sleep).
      h->hold = true;
      for (unsigned long iter = 0; h->busy; ++iter) {
        spin_unlock_irqrestore(&h->lock, flags);
        kthread_poll_backoff(iter);
        spin_lock_irqsave(&h->lock, flags);
      }
      h->hold = false;
      for (tasklet_struct* t = h->head; t != nullptr; t = t->next) fn(t, false);
      spin_unlock_irqrestore(&h->lock, flags);
    }
  }
}

void softirq_init(int nr_cpus) {
  for (int cpu = 0; cpu < nr_cpus; ++cpu) {
    for (auto* vec : {&tasklet_vec, &tasklet_hi_vec}) {
      tasklet_head* h = per_cpu_ptr(vec, cpu);
      h->head = nullptr;
      h->tail = &h->head;
    }
    *per_cpu_ptr(&ksoftirqd, cpu) = nullptr;
  }
  open_softirq(TIMER_SOFTIRQ, run_timer_softirq);
  open_softirq(TASKLET_SOFTIRQ, tasklet_action);
  open_softirq(HI_SOFTIRQ, tasklet_hi_action);
}

int spawn_ksoftirqd() {
  int ret = smpboot_register_percpu_thread(&softirq_threads);
  if (ret) pr_err("ksoftirqd: cannot start the per-CPU threads: %d\n", ret);
  return ret;
}

bool softirq_settled() {
  for (int cpu = 0; cpu < g_kernel.nr_cpus; ++cpu) {
    if (!cpu_online(cpu)) continue;
    task_struct* t = *per_cpu_ptr(&ksoftirqd, cpu);
    if (!t || softirqs_pending(cpu_rq(cpu))) return false;
    if (task_is_running(t)) return false;
  }
  return true;
}

void softirq_fini() {
  for (int cpu = 0; cpu < NR_CPUS; ++cpu) *per_cpu_ptr(&ksoftirqd, cpu) = nullptr;
  for (auto& v : softirq_vec) __atomic_store_n(&v.action, nullptr, __ATOMIC_RELEASE);
}

void irq_exit_softirqs(rq* r) {
  if (!in_interrupt() && softirqs_pending(r)) handle_softirqs(r, false);
}

void takeover_tasklets(unsigned int dead_cpu, unsigned int target_cpu) {
  rq* r = cpu_rq(static_cast<int>(target_cpu));
  for (auto [vec, nr] : {std::pair{&tasklet_vec, unsigned{TASKLET_SOFTIRQ}},
                         std::pair{&tasklet_hi_vec, unsigned{HI_SOFTIRQ}}}) {
    tasklet_head* dead = per_cpu_ptr(vec, static_cast<int>(dead_cpu));
    tasklet_head* here = per_cpu_ptr(vec, r->cpu);
    if (dead == here) continue;
    spin_lock(&dead->lock);
    tasklet_struct* list = dead->head;
    tasklet_struct** tail = dead->tail;
    dead->head = nullptr;
    dead->tail = &dead->head;
    spin_unlock(&dead->lock);
    if (!list) continue;
    spin_lock(&here->lock);
    *here->tail = list;
    here->tail = tail;
    spin_unlock(&here->lock);
    r->softirq_pending.fetch_or(1u << nr, std::memory_order_relaxed);
  }
  // Whatever else was pending on the dead vCPU runs here.
  unsigned left = cpu_rq(static_cast<int>(dead_cpu))->softirq_pending.exchange(0);
  if (left) r->softirq_pending.fetch_or(left, std::memory_order_relaxed);
  // Nothing runs them on the target until its next interrupt: its ksoftirqd does.
  if (r->softirq_pending.load(std::memory_order_relaxed)) wakeup_softirqd(r);
}

}  // namespace internal
}  // namespace ktl
