// Visitors over the kernel's pending callbacks, for the module loader's unload check: after
// module_exit, anything that can still call into the module's code must be found before the code
// is unmapped. Each visitor takes the owning lock, calls fn for every object of its kind and
// returns; fn runs under that lock (it must not sleep or call back into the subsystem).
// Context: a task or a host thread, with a kernel running.
#pragma once

#include <functional>

#include "ktl/kernel/interrupt.h"
#include "ktl/time/timer.h"
#include "ktl/workqueue/workqueue.h"

namespace ktl::internal {

// Pending timer_lists (fn's running == false) and the callback running right now on each vCPU
// (running == true).
void visit_timers(const std::function<void(timer_list* t, bool running)>& fn);
// Queued hrtimers, and each vCPU's running one.
void visit_hrtimers(const std::function<void(hrtimer* t, bool running)>& fn);
// Tasklets scheduled on a vCPU's lists (after waiting for a batch in flight to finish; running
// is always false).
void visit_tasklets(const std::function<void(tasklet_struct* t, bool running)>& fn);
// Work items queued on a pool or held back by max_active (running == false), and the items
// workers are executing (running == true, func = the function being run). Delayed work whose
// timer is still pending is found through visit_timers (the timer's function is
// delayed_work_timer_fn).
void visit_work(const std::function<void(work_struct* w, work_func_t func, bool running)>& fn);
bool is_delayed_work_timer(const timer_list* t) noexcept;

}  // namespace ktl::internal
