// Trace points of the scheduler and the timers (ktl/kernel/trace.h has the contract).
#pragma once

#include <atomic>

#include "ktl/base/compiler.h"

namespace ktl {
struct task_struct;
}

namespace ktl::internal {

extern std::atomic<bool> g_trace_on;

void trace_sched_switch(int cpu, const task_struct* prev, const task_struct* next,
                        bool prev_blocked) noexcept;
void trace_sched_wakeup(const task_struct* p, int target_cpu, bool new_task) noexcept;
void trace_timer_expire(const void* fn, unsigned long now_jiffies, bool hrtimer) noexcept;

KTL_ALWAYS_INLINE bool tracing() noexcept { return g_trace_on.load(std::memory_order_relaxed); }

// Boot: start tracing if asked (the simulation); poweroff, once every vCPU stopped: free it.
void trace_boot(bool on);
void trace_fini();

}  // namespace ktl::internal
