// Softirq entry points for the scheduler (irq exit), boot and hotplug.
#pragma once

#include "sched/sched_internal.h"

namespace ktl::internal {

void softirq_init(int nr_cpus);   // boot, before the vCPUs start
int spawn_ksoftirqd();            // boot, once kthreadd runs (smpboot registration)
bool softirq_settled();           // every ksoftirqd sleeps with nothing pending
void softirq_fini();              // poweroff, after the vCPUs stopped

// irq_exit(): the interrupted context of `rq` may run its pending softirqs now. Called by
// handle_pending() after the hardirq part, with rq->irq_depth already dropped.
void irq_exit_softirqs(rq* rq);
KTL_ALWAYS_INLINE bool softirqs_pending(const rq* rq) noexcept {
  return rq->softirq_pending.load(std::memory_order_relaxed) != 0;
}

// Hotplug: move the dead vCPU's tasklets and pending softirqs to `target_cpu`.
void takeover_tasklets(unsigned int dead_cpu, unsigned int target_cpu);

}  // namespace ktl::internal
