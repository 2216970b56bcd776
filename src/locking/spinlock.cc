#include <sched.h>

#include "ktl/locking/spinlock.h"

namespace ktl {

// Contended path: spin read-only (no cache-line ping-pong), and if the holder's host thread
// seems descheduled by the host OS (long wait), give the host CPU away.
void arch_spinlock::lock_slow() {
  unsigned spins = 0;
  do {
    while (locked_.load(std::memory_order_relaxed)) {
      if (KTL_UNLIKELY(internal::g_sim != nullptr)) {
        cpu_relax();  // the holder is another vCPU of this host thread: let it run
      } else if (++spins < 1024) {
        arch_cpu_relax();
      } else {
        sched_yield();
        spins = 0;
      }
    }
  } while (locked_.exchange(true, std::memory_order_acquire));
}

}  // namespace ktl
