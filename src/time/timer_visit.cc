// visit_timers / visit_hrtimers (src/kernel/callbacks_internal.h).
#include "kernel/callbacks_internal.h"
#include "sched/sched_internal.h"
#include "time/time_internal.h"
#include "time/timer_wheel.h"

namespace ktl::internal {

void visit_timers(const std::function<void(timer_list* t, bool running)>& fn) {
  for (int cpu = 0; cpu < g_kernel.nr_cpus; ++cpu) {
    timer_base* base = cpu_rq(cpu)->timers;
    if (!base) continue;
    arch_spin_guard g(base->lock);
    // A timer's wheel node is its `entry` member, at offset 0.
    base->wheel.for_each([&](wheel_node* n) { fn(reinterpret_cast<timer_list*>(n), false); });
    for (wheel_node* n = base->expiring.front(); n != nullptr; n = base->expiring.next_of(n))
      fn(reinterpret_cast<timer_list*>(n), false);
    if (base->running_timer) fn(base->running_timer, true);
  }
}

void visit_hrtimers(const std::function<void(hrtimer* t, bool running)>& fn) {
  for (int cpu = 0; cpu < g_kernel.nr_cpus; ++cpu) {
    timer_base* base = cpu_rq(cpu)->timers;
    if (!base) continue;
    arch_spin_guard g(base->lock);
    for (hrtimer* t = base->hr_head; t != nullptr; t = static_cast<hrtimer*>(t->node[0]))
      fn(t, false);
    if (base->running_hrtimer) fn(base->running_hrtimer, true);
  }
}

}  // namespace ktl::internal
