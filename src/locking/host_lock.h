// host_lock: a small lock for host-side bookkeeping (pools, tables) that may be taken from vCPU
// threads and plain host threads alike. It spins briefly, then yields the host CPU; it is never
// held across a context switch. Not for kernel code: kernel code uses spinlock_t or mutex.
#pragma once

#include <atomic>
#include <sched.h>

#include "ktl/base/compiler.h"
#include "ktl/base/thread_annotations.h"

namespace ktl::internal {

// Host locks held by this host thread (arch/sim.h: the simulation hands over no vCPU meanwhile).
extern thread_local int t_sim_nopreempt __attribute__((tls_model("initial-exec")));

class KTL_CAPABILITY("host_lock") host_lock {
 public:
  void lock() KTL_ACQUIRE() {
    for (int spins = 0; locked_.exchange(true, std::memory_order_acquire); ++spins) {
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins > 128) {
          sched_yield();
          spins = 0;
        } else {
          arch_cpu_relax();
        }
      }
    }
    t_sim_nopreempt++;
  }
  bool try_lock() KTL_TRY_ACQUIRE(true) {
    if (locked_.exchange(true, std::memory_order_acquire)) return false;
    t_sim_nopreempt++;
    return true;
  }
  void unlock() KTL_RELEASE() {
    t_sim_nopreempt--;
    locked_.store(false, std::memory_order_release);
  }

 private:
  std::atomic<bool> locked_{false};
};

// std::lock_guard carries no thread-safety annotations in libstdc++; this one does.
class KTL_SCOPED_CAPABILITY host_lock_guard {
 public:
  explicit host_lock_guard(host_lock& l) KTL_ACQUIRE(l) : l_(l) { l_.lock(); }
  ~host_lock_guard() KTL_RELEASE() { l_.unlock(); }
  host_lock_guard(const host_lock_guard&) = delete;
  host_lock_guard& operator=(const host_lock_guard&) = delete;

 private:
  host_lock& l_;
};

}  // namespace ktl::internal
