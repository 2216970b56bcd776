// The fair class: nice-weighted virtual runtime, smallest vruntime runs first (CFS; the EEVDF
// lag idea is used to place waking and migrating tasks).
//
// vruntime advances by (charged ns) * NICE_0_LOAD / weight, so over time each runnable task gets
// CPU in proportion to its weight (the kernel's sched_prio_to_weight table: each nice step is
// ~1.25x). Runtime is charged by tick sampling (see sched.h), so a task is considered for a switch
// at most once per tick.
#include <algorithm>

#include "ktl/time/jiffies.h"
#include "sched/sched_internal.h"

namespace ktl::internal {

namespace {

// sched_prio_to_weight[] from kernel/sched/core.c: nice -20 .. 19.
constexpr unsigned long kPrioToWeight[40] = {
    88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
    9548,  7620,  6100,  4904,  3906,  3121,  2501,  1991,  1586,  1277,
    1024,  820,   655,   526,   423,   335,   272,   215,   172,   137,
    110,   87,    70,    56,    45,    36,    29,    23,    18,    15,
};
constexpr unsigned long NICE_0_LOAD = 1024;

KTL_ALWAYS_INLINE s64 lag_limit() { return static_cast<s64>(2 * std::max<u64>(3'000'000, tick_nsec())); }

void update_min_vruntime(rq* rq) {
  cfs_rq& cfs = rq->cfs;
  u64 v = cfs.min_vruntime;
  bool have = false;
  task_struct* curr = rq->curr;
  if (curr->sched_cls == &fair_sched_class && curr != rq->idle) {
    v = curr->se.vruntime;
    have = true;
  }
  if (!cfs.timeline.empty()) {
    u64 left = cfs.timeline.begin()->se.vruntime;
    if (!have || static_cast<s64>(left - v) < 0) v = left;
    have = true;
  }
  if (cfs.next) {
    u64 nv = cfs.next->se.vruntime;
    if (!have || static_cast<s64>(nv - v) < 0) v = nv;
    have = true;
  }
  if (have && static_cast<s64>(v - cfs.min_vruntime) > 0) cfs.min_vruntime = v;
}

void enqueue_fair(rq* rq, task_struct* p, bool wakeup) {
  cfs_rq& cfs = rq->cfs;
  if (wakeup) {
    // Place it relative to this runqueue's time, keeping (bounded) lag: a task that slept keeps
    // a little credit, a task that ran ahead keeps its debt.
    s64 lag = std::clamp<s64>(p->se.vlag, -lag_limit(), lag_limit());
    p->se.vruntime = cfs.min_vruntime - static_cast<u64>(lag);
  }
  cfs.load += p->se.weight;
  p->se.on_rq = true;
  // A wake-up by the task running here (not from interrupt work) becomes the next buddy.
  if (wakeup && !cfs.next && rq->curr != rq->idle && !rq->irq_depth) {
    cfs.next = p;
    return;
  }
  cfs.timeline.insert(*p);
}

void dequeue_fair(rq* rq, task_struct* p) {
  cfs_rq& cfs = rq->cfs;
  if (cfs.next == p)
    cfs.next = nullptr;
  else
    cfs.timeline.erase(cfs.timeline.iterator_to(*p));
  cfs.load -= p->se.weight;
  p->se.on_rq = false;
  p->se.vlag = static_cast<s64>(cfs.min_vruntime - p->se.vruntime);
}

constexpr u64 kWakeupGran = 1'000'000;

task_struct* pick_next_fair(rq* rq) {
  cfs_rq& cfs = rq->cfs;
  task_struct* p = cfs.next;
  if (p) {
    cfs.next = nullptr;
    // The buddy goes first unless the leftmost task is clearly more entitled.
    if (!cfs.timeline.empty() &&
        static_cast<s64>(p->se.vruntime - cfs.timeline.begin()->se.vruntime) >
            static_cast<s64>(kWakeupGran)) {
      cfs.timeline.insert(*p);
      p = nullptr;
    }
  }
  if (!p) {
    auto it = cfs.timeline.begin();
    p = &*it;
    cfs.timeline.erase(it);
  }
  cfs.load -= p->se.weight;
  p->se.on_rq = false;
  p->se.slice_start = p->se.sum_exec_runtime;
  if (static_cast<s64>(p->se.vruntime - cfs.min_vruntime) > 0 && cfs.timeline.empty())
    cfs.min_vruntime = p->se.vruntime;
  return p;
}

void put_prev_fair(rq* rq, task_struct* p, bool yield) {
  cfs_rq& cfs = rq->cfs;
  if (yield && !cfs.timeline.empty()) {
    // Step behind the most eligible waiter so it runs before us.
    u64 left = cfs.timeline.begin()->se.vruntime;
    if (static_cast<s64>(p->se.vruntime - left) <= 0) p->se.vruntime = left + 1;
  }
  cfs.timeline.insert(*p);
  cfs.load += p->se.weight;
  p->se.on_rq = true;
}

void task_tick_fair(rq* rq, task_struct* p, unsigned long, u64 delta) {
  p->se.sum_exec_runtime += delta;
  p->se.vruntime += delta * NICE_0_LOAD / p->se.weight;
  update_min_vruntime(rq);
  cfs_rq& cfs = rq->cfs;
  // Flush the buddy into the timeline at each tick, so it cannot be preferred forever.
  if (cfs.next) {
    cfs.timeline.insert(*cfs.next);
    cfs.next = nullptr;
  }
  if (cfs.timeline.empty()) return;
  // Switch once the running task has had at least a tick and is no longer the most eligible.
  if (p->se.sum_exec_runtime - p->se.slice_start >= tick_nsec() &&
      static_cast<s64>(p->se.vruntime - cfs.timeline.begin()->se.vruntime) > 0)
    resched_curr(rq);
}

bool wakeup_preempt_fair(rq*, task_struct* curr, task_struct* p) {
  // Preempt (at the next cond_resched) only if the woken task is clearly behind: by more than
  // a millisecond of weighted runtime, so ping-ponging tasks do not thrash.
  return static_cast<s64>(curr->se.vruntime - p->se.vruntime) >
         static_cast<s64>(kWakeupGran * NICE_0_LOAD / p->se.weight);
}

bool has_queued_fair(const rq* rq) { return rq->cfs.next || !rq->cfs.timeline.empty(); }

void task_blocked_fair(rq* rq, task_struct* p) {
  p->se.vlag = static_cast<s64>(rq->cfs.min_vruntime - p->se.vruntime);
}

}  // namespace

unsigned long nice_to_weight(int nice) noexcept {
  return kPrioToWeight[std::clamp(nice, MIN_NICE, MAX_NICE) + 20];
}

const sched_class fair_sched_class = {
    enqueue_fair,  dequeue_fair,        pick_next_fair,  put_prev_fair,
    task_tick_fair, wakeup_preempt_fair, has_queued_fair, task_blocked_fair, 1,
};

}  // namespace ktl::internal
