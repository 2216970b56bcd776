// The realtime class (SCHED_FIFO, SCHED_RR) and the two trivial classes, stop and idle.
//
// RT: 100 FIFO lists, one per priority, and a bitmap of non-empty lists; the lowest set bit (the
// highest priority) runs. A FIFO task runs until it blocks or yields; an RR task also rotates to
// the tail of its list every RR_TIMESLICE (100 ms). A running RT task that gets preempted stays at
// the head of its list, as on Linux.
#include <bit>

#include "ktl/time/jiffies.h"
#include "sched/sched_internal.h"

namespace ktl::internal {

namespace {

KTL_ALWAYS_INLINE unsigned rr_timeslice() { return hz() / 10 ? hz() / 10 : 1; }

void enqueue_rt(rq* rq, task_struct* p, bool) {
  int prio = p->prio;
  rq->rt.queue[prio].push_back(*p);
  rq->rt.bitmap[prio >> 6] |= u64{1} << (prio & 63);
  rq->rt.nr++;
  p->rt.on_rq = true;
}

void remove_rt(rq* rq, task_struct* p) {
  int prio = p->prio;
  rt_list& q = rq->rt.queue[prio];
  q.erase(q.iterator_to(*p));
  if (q.empty()) rq->rt.bitmap[prio >> 6] &= ~(u64{1} << (prio & 63));
  rq->rt.nr--;
  p->rt.on_rq = false;
}

task_struct* pick_next_rt(rq* rq) {
  int prio = rq->rt.bitmap[0] ? std::countr_zero(rq->rt.bitmap[0])
                              : 64 + std::countr_zero(rq->rt.bitmap[1]);
  task_struct* p = &rq->rt.queue[prio].front();
  remove_rt(rq, p);
  return p;
}

void put_prev_rt(rq* rq, task_struct* p, bool yield) {
  int prio = p->prio;
  bool tail = yield || (p->policy == SCHED_RR && p->rt.time_slice == 0);
  if (p->policy == SCHED_RR && p->rt.time_slice == 0) p->rt.time_slice = rr_timeslice();
  if (tail)
    rq->rt.queue[prio].push_back(*p);
  else
    rq->rt.queue[prio].push_front(*p);
  rq->rt.bitmap[prio >> 6] |= u64{1} << (prio & 63);
  rq->rt.nr++;
  p->rt.on_rq = true;
}

void task_tick_rt(rq* rq, task_struct* p, unsigned long ticks, u64) {
  if (p->policy != SCHED_RR) return;
  if (p->rt.time_slice > ticks) {
    p->rt.time_slice -= static_cast<unsigned>(ticks);
    return;
  }
  p->rt.time_slice = 0;  // put_prev_rt moves it to the tail and refills the slice
  if (!rq->rt.queue[p->prio].empty()) resched_curr(rq);
  else p->rt.time_slice = rr_timeslice();
}

bool wakeup_preempt_rt(rq*, task_struct* curr, task_struct* p) { return p->prio < curr->prio; }
bool has_queued_rt(const rq* rq) { return rq->rt.nr != 0; }

// ---- stop: the per-CPU stopper, above everything (cpu_stop / migration/N) ----
void enqueue_stop(rq* rq, task_struct*, bool) { rq->stop_queued = true; }
void dequeue_stop(rq* rq, task_struct*) { rq->stop_queued = false; }
task_struct* pick_next_stop(rq* rq) {
  rq->stop_queued = false;
  return rq->stop.load(std::memory_order_relaxed);
}
void put_prev_stop(rq* rq, task_struct*, bool) { rq->stop_queued = true; }
void task_tick_none(rq*, task_struct*, unsigned long, u64) {}
bool wakeup_preempt_never(rq*, task_struct*, task_struct*) { return false; }
bool has_queued_stop(const rq* rq) { return rq->stop_queued; }

// ---- idle: swapper/N, runs when nothing else can ----
void enqueue_idle(rq*, task_struct*, bool) {}
void dequeue_idle(rq*, task_struct*) {}
task_struct* pick_next_idle(rq* rq) { return rq->idle; }
void put_prev_idle(rq*, task_struct*, bool) {}
bool has_queued_idle(const rq*) { return false; }

}  // namespace

const sched_class rt_sched_class = {
    enqueue_rt, remove_rt, pick_next_rt, put_prev_rt, task_tick_rt, wakeup_preempt_rt,
    has_queued_rt, nullptr, 2,
};
const sched_class stop_sched_class = {
    enqueue_stop, dequeue_stop, pick_next_stop, put_prev_stop, task_tick_none,
    wakeup_preempt_never, has_queued_stop, nullptr, 3,
};
const sched_class idle_sched_class = {
    enqueue_idle, dequeue_idle, pick_next_idle, put_prev_idle, task_tick_none,
    wakeup_preempt_never, has_queued_idle, nullptr, 0,
};

}  // namespace ktl::internal
