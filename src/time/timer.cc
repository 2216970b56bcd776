// timer_list and hrtimer on per-vCPU bases.
//
// Every operation on a timer locks the base the timer belongs to (recorded in timer->flags) and
// re-checks that it still belongs there (lock_timer_base), so concurrent mod_timer()/timer_delete()
// from several vCPUs and host threads are safe. An inactive timer re-armed from a vCPU moves to
// that vCPU's base unless TIMER_PINNED; a pending one stays where it is.
#include <climits>

#include "kernel/trace_internal.h"
#include "ktl/base/bug.h"
#include "ktl/kernel/printk.h"
#include "ktl/sched/sched.h"
#include "ktl/kernel/interrupt.h"
#include "ktl/time/timer.h"
#include "sched/sched_internal.h"
#include "time/time_internal.h"

// lock_timer_base()/lock_hrtimer_base() return the timer's base already locked (a looked-up,
// re-validated lock, as in kernel/time/timer.c); the analysis cannot follow a lock chosen at run
// time, so the functions that use them opt out, each with this reason.
#define KTL_TIMER_BASE_LOCKED KTL_NO_THREAD_SAFETY_ANALYSIS

namespace ktl {
namespace internal {

static_assert(sizeof(decltype(timer_list::entry)) == sizeof(wheel_node));
static_assert(offsetof(wheel_node, next) == 0 && offsetof(wheel_node, expires) == 16);

namespace {

KTL_ALWAYS_INLINE wheel_node* node_of(timer_list* t) {
  return reinterpret_cast<wheel_node*>(&t->entry);
}
KTL_ALWAYS_INLINE timer_list* timer_of(wheel_node* n) {
  return reinterpret_cast<timer_list*>(reinterpret_cast<char*>(n) - offsetof(timer_list, entry));
}
KTL_ALWAYS_INLINE u32 load_flags(const timer_list* t) {
  return __atomic_load_n(&t->flags, __ATOMIC_ACQUIRE);
}
KTL_ALWAYS_INLINE void store_flags(timer_list* t, u32 f) {
  __atomic_store_n(&t->flags, f, __ATOMIC_RELEASE);
}

int local_cpu_or_zero() {
  rq* rq = this_rq();
  return rq ? rq->cpu : 0;
}

timer_base* base_of_cpu(int cpu) { return cpu_rq(cpu)->timers; }

timer_base* lock_timer_base(timer_list* t) KTL_NO_THREAD_SAFETY_ANALYSIS /* returns locked */ {
  for (;;) {
    u32 tf = load_flags(t);
    if (!(tf & TIMER_MIGRATING)) {
      int cpu = static_cast<int>(tf & TIMER_CPUMASK);
      if (cpu >= g_kernel.nr_cpus) cpu = 0;
      timer_base* base = base_of_cpu(cpu);
      base->lock.lock();
      if (load_flags(t) == tf) return base;
      base->lock.unlock();
    }
    cpu_relax();
  }
}

void note_expiry(timer_base* base, unsigned long expires) {
  unsigned long cur = base->next_expiry.load(std::memory_order_relaxed);
  if (time_before(expires, cur)) {
    base->next_expiry.store(expires, std::memory_order_relaxed);
    rq* rq = cpu_rq(base->cpu);
    if (rq != this_rq()) kick_cpu(rq);
  }
}

void enqueue_timer_locked(timer_base* base, timer_list* t, unsigned long expires) {
  wheel_node* n = node_of(t);
  n->expires = expires;
  t->expires = expires;
  base->wheel.add(n);
  note_expiry(base, expires);
}

bool detach_if_pending(timer_list* t) {
  wheel_node* n = node_of(t);
  if (!n->linked()) return false;
  n->unlink();
  return true;
}

// The heart of add_timer/mod_timer. Returns whether the timer was pending.
int __mod_timer(timer_list* t, unsigned long expires, bool pending_only) KTL_TIMER_BASE_LOCKED {
  if (KTL_UNLIKELY(!t->function)) {
    WARN_ONCE(true, "timer %p has no function (timer_setup() missing?)\n", static_cast<void*>(t));
    return 0;
  }
  timer_base* base = lock_timer_base(t);
  if (t->shutdown) {
    base->lock.unlock();
    return 0;
  }
  bool was_pending = detach_if_pending(t);
  if (pending_only && !was_pending) {
    base->lock.unlock();
    return 0;
  }
  u32 tf = load_flags(t);
  int target = local_cpu_or_zero();
  if (!(tf & TIMER_PINNED) && this_rq() && base->cpu != target && base->running_timer != t) {
    // Move it to this vCPU's base. Others spin on TIMER_MIGRATING meanwhile.
    store_flags(t, (tf & ~TIMER_CPUMASK) | TIMER_MIGRATING);
    base->lock.unlock();
    timer_base* nb = base_of_cpu(target);
    nb->lock.lock();
    enqueue_timer_locked(nb, t, expires);
    store_flags(t, (tf & ~(TIMER_CPUMASK | TIMER_MIGRATING)) | static_cast<u32>(target));
    nb->lock.unlock();
    return was_pending;
  }
  enqueue_timer_locked(base, t, expires);
  base->lock.unlock();
  return was_pending;
}

}  // namespace

void timer_base_init(rq* rq) {
  rq->timers = new timer_base(get_jiffies());
  rq->timers->cpu = rq->cpu;
}

void timer_base_fini(rq* rq) {
  delete rq->timers;
  rq->timers = nullptr;
}

static void run_hrtimers(timer_base* base, rq* rq);

bool timers_due(rq* rq) noexcept {
  timer_base* base = rq->timers;
  return base->hr_next.load(std::memory_order_relaxed) != KTIME_MAX ||
         !time_before(get_jiffies(), base->next_expiry.load(std::memory_order_relaxed));
}

void run_local_timers(rq* rq, unsigned long now) {
  timer_base* base = rq->timers;
  if (KTL_UNLIKELY(base->hr_next.load(std::memory_order_relaxed) != KTIME_MAX))
    run_hrtimers(base, rq);
  if (time_before(now, base->next_expiry.load(std::memory_order_relaxed))) return;
  rq->softirq_pending.fetch_or(1u << TIMER_SOFTIRQ, std::memory_order_relaxed);
}

// TIMER_SOFTIRQ: expire the wheel of this vCPU (already in softirq context).
void run_timer_softirq() {
  rq* rq = this_rq();
  timer_base* base = rq->timers;
  unsigned long now = get_jiffies();
  if (time_before(now, base->next_expiry.load(std::memory_order_relaxed))) return;
  task_struct* curr = rq->curr;
  wheel_list& expired = base->expiring;
  base->lock.lock();
  base->wheel.collect_expired(now, expired);
  while (wheel_node* n = expired.pop_front()) {
    timer_list* t = timer_of(n);
    void (*fn)(timer_list*) = t->function;
    base->running_timer = t;
    base->lock.unlock();
    int pc = curr->preempt_count;
    if (KTL_UNLIKELY(tracing())) trace_timer_expire(reinterpret_cast<const void*>(fn), now, false);
    fn(t);
    if (KTL_UNLIKELY(curr->preempt_count != pc)) {
      printk(KERN_ERR "timer: %p preempt leak: %08x -> %08x\n", reinterpret_cast<void*>(fn),
             pc, curr->preempt_count);
      curr->preempt_count = pc;
    }
    base->lock.lock();
    base->running_timer = nullptr;
  }
  base->next_expiry.store(base->wheel.next_expiry(LONG_MAX / 4), std::memory_order_relaxed);
  base->lock.unlock();
}

u64 next_timer_deadline_ns(rq* rq) {
  timer_base* base = rq->timers;
  u64 deadline = UINT64_MAX;
  unsigned long next = base->next_expiry.load(std::memory_order_relaxed);
  unsigned long now = get_jiffies();
  if (static_cast<long>(next - now) < LONG_MAX / 8) {
    long delta = static_cast<long>(next - initial_jiffies());
    deadline = delta <= 0 ? 0 : static_cast<u64>(delta) * tick_nsec();
  }
  s64 hr = base->hr_next.load(std::memory_order_relaxed);
  if (hr != KTIME_MAX && static_cast<u64>(hr) < deadline) deadline = hr < 0 ? 0 : static_cast<u64>(hr);
  return deadline;
}

// ---- hrtimers -------------------------------------------------------------------------------

static hrtimer*& hr_next_of(hrtimer* t) { return *reinterpret_cast<hrtimer**>(&t->node[0]); }
static hrtimer*& hr_prev_of(hrtimer* t) { return *reinterpret_cast<hrtimer**>(&t->node[1]); }

static void hr_unlink_locked(timer_base* base, hrtimer* t) {
  hrtimer* n = hr_next_of(t);
  hrtimer* p = hr_prev_of(t);
  if (p)
    hr_next_of(p) = n;
  else
    base->hr_head = n;
  if (n) hr_prev_of(n) = p;
  hr_next_of(t) = hr_prev_of(t) = nullptr;
  t->cpu = -1;
  base->hr_next.store(base->hr_head ? base->hr_head->expires : KTIME_MAX,
                      std::memory_order_relaxed);
}

static void hr_insert_locked(timer_base* base, hrtimer* t) {
  hrtimer* prev = nullptr;
  hrtimer* cur = base->hr_head;
  while (cur && cur->expires <= t->expires) {
    prev = cur;
    cur = hr_next_of(cur);
  }
  hr_prev_of(t) = prev;
  hr_next_of(t) = cur;
  if (prev)
    hr_next_of(prev) = t;
  else
    base->hr_head = t;
  if (cur) hr_prev_of(cur) = t;
  t->cpu = base->cpu;
  base->hr_next.store(base->hr_head->expires, std::memory_order_relaxed);
}

static void run_hrtimers(timer_base* base, rq* /*rq*/) {
  s64 now = static_cast<s64>(g_kernel.mach->clock_ns());
  if (base->hr_next.load(std::memory_order_relaxed) > now) return;
  base->lock.lock();
  while (base->hr_head && base->hr_head->expires <= now) {
    hrtimer* t = base->hr_head;
    hr_unlink_locked(base, t);
    base->running_hrtimer = t;
    t->running.store(true, std::memory_order_relaxed);
    base->lock.unlock();
    if (KTL_UNLIKELY(tracing()))
      trace_timer_expire(reinterpret_cast<const void*>(t->function), get_jiffies(), true);
    hrtimer_restart r = t->function(t);  // hardirq context, as HRTIMER_MODE_HARD on Linux
    base->lock.lock();
    base->running_hrtimer = nullptr;
    if (r == HRTIMER_RESTART && t->cpu < 0) hr_insert_locked(base, t);
    t->running.store(false, std::memory_order_release);
  }
  base->lock.unlock();
}

void timers_dead_cpu(int dead, int target) {
  timer_base* old = base_of_cpu(dead);
  timer_base* nb = base_of_cpu(target);
  timer_base* first = dead < target ? old : nb;
  timer_base* second = dead < target ? nb : old;
  first->lock.lock();
  second->lock.lock();
  wheel_list all;
  old->wheel.take_all(all);
  while (wheel_node* n = all.pop_front()) {
    timer_list* t = timer_of(n);
    u32 tf = load_flags(t);
    store_flags(t, (tf & ~TIMER_CPUMASK) | static_cast<u32>(target));
    enqueue_timer_locked(nb, t, n->expires);
  }
  old->next_expiry.store(old->wheel.clock() + LONG_MAX / 2, std::memory_order_relaxed);
  bool moved_hr = false;
  while (hrtimer* t = old->hr_head) {
    hr_unlink_locked(old, t);
    hr_insert_locked(nb, t);
    moved_hr = true;
  }
  second->lock.unlock();
  first->lock.unlock();
  if (moved_hr) {
    rq* r = cpu_rq(target);
    r->pending.fetch_or(PENDING_HRTIMER, std::memory_order_relaxed);
    kick_cpu(r);
  }
}

}  // namespace internal

using namespace internal;

void timer_setup(timer_list* timer, void (*func)(timer_list*), u32 flags) noexcept {
  timer->entry.next = timer->entry.prev = nullptr;
  timer->function = func;
  timer->shutdown = false;
  int cpu = this_rq() ? this_rq()->cpu : 0;
  timer->flags = (flags & TIMER_INIT_FLAGS) | static_cast<u32>(cpu);
}

bool timer_pending(const timer_list* timer) noexcept {
  return __atomic_load_n(&timer->entry.next, __ATOMIC_RELAXED) != nullptr;
}

void add_timer(timer_list* timer) {
  if (WARN_ON(timer_pending(timer))) return;
  __mod_timer(timer, timer->expires, false);
}

void add_timer_global(timer_list* timer) { add_timer(timer); }

void add_timer_on(timer_list* timer, int cpu) KTL_TIMER_BASE_LOCKED {
  if (WARN_ON(timer_pending(timer)) || WARN_ON(!cpu_online(cpu))) return;
  timer_base* base = lock_timer_base(timer);
  u32 tf = load_flags(timer);
  if (base->cpu != cpu) {
    store_flags(timer, (tf & ~TIMER_CPUMASK) | TIMER_MIGRATING);
    base->lock.unlock();
    base = cpu_rq(cpu)->timers;
    base->lock.lock();
    store_flags(timer, (tf & ~(TIMER_CPUMASK | TIMER_MIGRATING)) | static_cast<u32>(cpu));
  }
  if (!timer->shutdown) enqueue_timer_locked(base, timer, timer->expires);
  base->lock.unlock();
}

int mod_timer(timer_list* timer, unsigned long expires) {
  return __mod_timer(timer, expires, false);
}
int mod_timer_pending(timer_list* timer, unsigned long expires) {
  return __mod_timer(timer, expires, true);
}
int timer_reduce(timer_list* timer, unsigned long expires) {
  if (timer_pending(timer) && time_before_eq(timer->expires, expires)) return 1;
  return __mod_timer(timer, expires, false);
}

int timer_delete(timer_list* timer) KTL_TIMER_BASE_LOCKED {
  if (!timer_pending(timer)) return 0;
  timer_base* base = lock_timer_base(timer);
  int ret = detach_if_pending(timer);
  base->lock.unlock();
  return ret;
}

int try_to_del_timer_sync(timer_list* timer) KTL_TIMER_BASE_LOCKED {
  timer_base* base = lock_timer_base(timer);
  int ret = -1;
  if (base->running_timer != timer) ret = detach_if_pending(timer);
  base->lock.unlock();
  return ret;
}

int timer_delete_sync(timer_list* timer) {
  rq* rq = this_rq();
  for (;;) {
    int ret = try_to_del_timer_sync(timer);
    if (ret >= 0) return ret;
    // Running right now. Waiting for ourselves would never end.
    if (rq && rq->irq_depth && rq->timers->running_timer == timer) {
      WARN(true, "timer_delete_sync() called from the timer's own callback\n");
      return 0;
    }
    cpu_relax();
  }
}

int timer_shutdown(timer_list* timer) KTL_TIMER_BASE_LOCKED {
  timer_base* base = lock_timer_base(timer);
  timer->shutdown = true;
  int ret = detach_if_pending(timer);
  base->lock.unlock();
  return ret;
}

int timer_shutdown_sync(timer_list* timer) KTL_TIMER_BASE_LOCKED {
  {
    timer_base* base = lock_timer_base(timer);
    timer->shutdown = true;
    base->lock.unlock();
  }
  return timer_delete_sync(timer);
}

void hrtimer_setup(hrtimer* timer, hrtimer_restart (*function)(hrtimer*), int, unsigned) noexcept {
  timer->function = function;
  timer->cpu = -1;
  timer->node[0] = timer->node[1] = nullptr;
}
void hrtimer_init(hrtimer* timer, int clock_id, unsigned mode) noexcept {
  hrtimer_setup(timer, nullptr, clock_id, mode);
}

static timer_base* lock_hrtimer_base(hrtimer* t) KTL_NO_THREAD_SAFETY_ANALYSIS {
  for (;;) {
    int cpu = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
    timer_base* base = cpu_rq(cpu >= 0 ? cpu : 0)->timers;
    base->lock.lock();
    if (__atomic_load_n(&t->cpu, __ATOMIC_RELAXED) == cpu) return base;
    base->lock.unlock();
  }
}

void hrtimer_start_range_ns(hrtimer* timer, ktime_t tim, u64, unsigned mode) KTL_TIMER_BASE_LOCKED {
  if (mode & HRTIMER_MODE_REL) tim += ktime_get();
  timer_base* base = lock_hrtimer_base(timer);
  if (timer->cpu >= 0) hr_unlink_locked(base, timer);
  base->lock.unlock();
  int cpu = this_rq() ? this_rq()->cpu : 0;
  base = cpu_rq(cpu)->timers;
  base->lock.lock();
  timer->expires = tim;
  if (timer->cpu < 0) hr_insert_locked(base, timer);
  bool first = base->hr_head == timer;
  base->lock.unlock();
  if (first && cpu_rq(cpu) != this_rq()) kick_cpu(cpu_rq(cpu));
}
void hrtimer_start(hrtimer* timer, ktime_t tim, unsigned mode) {
  hrtimer_start_range_ns(timer, tim, 0, mode);
}

int hrtimer_try_to_cancel(hrtimer* timer) KTL_TIMER_BASE_LOCKED {
  timer_base* base = lock_hrtimer_base(timer);
  int ret = 0;
  if (timer->cpu >= 0) {
    hr_unlink_locked(base, timer);
    ret = 1;
  } else if (timer->running.load(std::memory_order_relaxed)) {
    ret = -1;
  }
  base->lock.unlock();
  return ret;
}

int hrtimer_cancel(hrtimer* timer) {
  for (;;) {
    int ret = hrtimer_try_to_cancel(timer);
    if (ret >= 0) {
      while (timer->running.load(std::memory_order_acquire)) cpu_relax();
      return ret;
    }
    cpu_relax();
  }
}

bool hrtimer_active(const hrtimer* timer) noexcept {
  return __atomic_load_n(&timer->cpu, __ATOMIC_RELAXED) >= 0 ||
         timer->running.load(std::memory_order_relaxed);
}
ktime_t hrtimer_get_expires(const hrtimer* timer) noexcept { return timer->expires; }
u64 hrtimer_forward_now(hrtimer* timer, ktime_t interval) {
  ktime_t now = ktime_get();
  if (timer->expires > now || interval <= 0) return 0;
  u64 n = static_cast<u64>((now - timer->expires) / interval) + 1;
  timer->expires += static_cast<ktime_t>(n) * interval;
  return n;
}

}  // namespace ktl
