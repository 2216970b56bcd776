// Private time structures: the per-vCPU timer base.
#pragma once

#include <atomic>

#include "ktl/locking/spinlock.h"
#include "ktl/time/timer.h"
#include "time/timer_wheel.h"

namespace ktl::internal {

struct rq;

struct timer_base {
  arch_spinlock lock;
  timer_wheel wheel;
  timer_list* running_timer = nullptr;       // lock
  hrtimer* running_hrtimer = nullptr;        // lock
  // Timers collect_expired() handed out that run_timer_softirq has not run yet (lock): kept here,
  // not on the softirq's stack, so visit_timers() sees every timer that can still run.
  wheel_list expiring;
  // Lower bound of the earliest pending jiffies expiry; readers race with writers harmlessly
  // (a stale value only costs one look at the wheel, or a kick).
  std::atomic<unsigned long> next_expiry{0};
  // Sorted list of pending hrtimers (through hrtimer::node[0..1]); earliest at hr_head.
  hrtimer* hr_head = nullptr;                // lock
  std::atomic<s64> hr_next{KTIME_MAX};
  int cpu = 0;
  explicit timer_base(unsigned long now) : wheel(now), next_expiry(now + LONG_MAX / 2) {}
};

void timer_base_init(rq* rq);
void timer_base_fini(rq* rq);
// The tick's timer work (hardirq context): runs due hrtimers and raises TIMER_SOFTIRQ when the
// wheel has expired timers. `now` = jiffies.
void run_local_timers(rq* rq, unsigned long now);
// The TIMER_SOFTIRQ action: expires this vCPU's timer wheel.
void run_timer_softirq();
// CPU hotplug: every timer and hrtimer pending on `dead` moves to `target`'s base.
void timers_dead_cpu(int dead, int target);
// Cheap test: could run_local_timers() have anything to do?
bool timers_due(rq* rq) noexcept;
// Machine-clock ns at which the vCPU must wake for its next timer (UINT64_MAX: none).
u64 next_timer_deadline_ns(rq* rq);
// Bring jiffies up to date with the machine clock (tick_do_update_jiffies64).
unsigned long jiffies_update_from_clock() noexcept;
void time_init(unsigned hz);
u64 pending_timers_total();

}  // namespace ktl::internal
