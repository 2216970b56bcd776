// Hooks of the simulation machine inside the kernel (the machine itself is sim_machine.cc).
//
// sim_point() marks a scheduling point: on the simulation machine the running vCPU is charged the
// point's virtual cost and may hand the host thread to another vCPU. On the real machine it is one
// load of a null pointer.
#pragma once

#include "ktl/base/compiler.h"

namespace ktl::internal {

enum sim_point_kind : u8 {
  SIM_SYNC,      // set_current_state, spin_lock, schedule() entry
  SIM_WAKE,      // try_to_wake_up
  SIM_RELAX,     // cpu_relax: a spin loop waits for another vCPU
  SIM_RESCHED,   // cond_resched
  SIM_DELAY,     // udelay/mdelay: `extra_ns` of busy waiting
};

void sim_point_slow(sim_point_kind kind, u64 extra_ns) noexcept;
void sim_charge_switch_slow() noexcept;

KTL_ALWAYS_INLINE void sim_point(sim_point_kind kind, u64 extra_ns = 0) noexcept {
  if (KTL_UNLIKELY(g_sim != nullptr)) sim_point_slow(kind, extra_ns);
}
// Charge a context switch's cost to the running vCPU (no hand-over: it is mid-switch).
KTL_ALWAYS_INLINE void sim_charge_switch() noexcept {
  if (KTL_UNLIKELY(g_sim != nullptr)) sim_charge_switch_slow();
}

// A host_lock held by the code running on this host thread: no hand-over until it is released
// (another vCPU of the same host thread could spin on it forever).
extern thread_local int t_sim_nopreempt __attribute__((tls_model("initial-exec")));

}  // namespace ktl::internal
