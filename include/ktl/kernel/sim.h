// The deterministic simulation machine: the same kernel, run by one host thread in virtual time.
//
//   ktl::boot_params bp;
//   bp.cpus = 4;
//   bp.sim.enabled = true;
//   bp.sim.seed = 42;
//   ktl::kernel k(bp);
//   ... kthread_run(...) ...
//   ktl::sim::run_for(120ull * NSEC_PER_SEC);   // two virtual minutes, milliseconds of wall time
//
// Every vCPU is a context on the host thread that drives the machine (the one that booted the
// kernel and, later, whichever host thread waits on the kernel: a wait_for_completion() from a
// test body runs the simulation until the completion is done). At each scheduling point of the
// kernel (schedule, wake-up, set_current_state, spin_lock, cond_resched, cpu_relax) the running
// vCPU hands control back and a seeded choice decides which vCPU steps next. Virtual time:
//   - each vCPU has its own clock, advanced by a cost model (sim_costs) as its code passes those
//     points; the vCPUs that may step are the runnable ones within `quantum_ns` of the slowest,
//     so their clocks stay close;
//   - when every vCPU is idle the clock jumps to the earliest timer;
//   - the tick fires when the slowest runnable vCPU crosses a tick boundary.
// Same seed + same build + same host-side calls => the same run, bit for bit: the same dmesg and
// the same trace (ktl/kernel/trace.h).
// A task that loops without passing any scheduling point (no cpu_relax, no cond_resched) cannot
// be interrupted: the host thread runs it until it gives control back.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "ktl/base/compiler.h"

namespace ktl {

enum class sim_strategy : u8 {
  random,  // a uniformly random runnable vCPU at every point
  pct,     // Probabilistic Concurrency Testing: strict vCPU priorities, `pct_depth - 1` change
           // points drawn from the first `pct_steps` decisions after boot (Burckhardt et al.,
           // ASPLOS 2010)
};

// Virtual nanoseconds charged to the vCPU that passes each kind of point.
struct sim_costs {
  u64 context_switch_ns = 1000;
  u64 wakeup_ns = 250;
  u64 relax_ns = 100;        // one cpu_relax() of a spin loop
  u64 resched_ns = 100;      // cond_resched()
  u64 sync_ns = 50;          // set_current_state, spin_lock, schedule entry, ...
};

struct sim_config {
  bool enabled = false;
  u64 seed = 1;
  sim_strategy strategy = sim_strategy::random;
  int pct_depth = 3;
  // PCT's k: change points are drawn from the first pct_steps decisions after boot (counted from
  // start_kernel()'s return: the boot every run shares is not explored), so it should be near the
  // number of decisions the test's own part takes (sim::get_stats().decisions before and after).
  u64 pct_steps = 200;
  // Runnable vCPUs whose clocks are within this much of the slowest one may step next.
  u64 quantum_ns = 100000;
  // A host wait (one run_until, one blocking call from a host thread) that takes more steps than
  // this is a livelock: -ELOOP, or the failure report for a blocking call (0: no bound).
  u64 max_steps = 0;
  sim_costs costs;
  // Record the scheduling trace (sched_switch, sched_wakeup, timers) from boot on.
  bool trace = true;
};

namespace sim {

// What the simulation says when it cannot go on: a deadlock (every vCPU idle, no timer pending,
// while a host thread waits on the kernel) or a livelock (the step budget ran out). The report
// (the sysrq-t listing of every task with its state and wait channel) is in the log already.
// The hook is called with the one-line summary; if it returns, the process aborts, because the
// host thread that waited can never be woken. Tests install a hook that records the failure.
using failure_hook = void (*)(const char* summary);
void set_failure_hook(failure_hook hook) noexcept;

bool active() noexcept;
u64 seed() noexcept;
// The machine's virtual time (ns since boot), as the host sees it.
u64 now_ns() noexcept;

// Host side, between steps. Run until virtual time advanced by `ns`: 0, or -ELOOP if the step
// budget ran out first. A machine with nothing to do jumps straight there.
int run_for(u64 ns);
// Run until pred() holds (checked between steps): 0; -ETIMEDOUT once `max_ns` of virtual time
// passed (an idle machine moves on tick by tick meanwhile, so a pred() on jiffies works);
// -EDEADLK without a bound, if every vCPU is idle with no timer pending (nothing can ever change);
// -ELOOP if the step budget ran out.
int run_until(const std::function<bool()>& pred, u64 max_ns = ~u64{0});

struct stats {
  u64 steps = 0;          // times a vCPU was given control
  u64 decisions = 0;      // steps where more than one vCPU could have gone
  u64 context_switches = 0;
  u64 time_jumps = 0;     // every vCPU idle: the clock jumped to the next timer
  u64 now_ns = 0;
};
stats get_stats() noexcept;

// Kernel-side: a scheduling point for test code that wants one (e.g. between a load and a store
// whose ordering it is testing). A no-op on the real machine.
void yield_point() noexcept;

}  // namespace sim
}  // namespace ktl
