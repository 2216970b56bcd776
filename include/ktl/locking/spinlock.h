// spinlock_t: a lock that never sleeps.
//
// Contexts: any. Holding one puts the holder in atomic context (preempt_count + 1): calling a
// sleeping function while holding it is reported by might_sleep(). The _irq/_irqsave/_bh forms
// exist for source compatibility and also account the "interrupts off" / "softirqs off" state.
// A vCPU spinning on a lock whose holder's host thread was descheduled by the host OS backs off
// to sched_yield() after a bounded spin.
#pragma once

#include <atomic>

#include "ktl/base/thread_annotations.h"
#include "ktl/sched/preempt.h"

namespace ktl {

// The bare lock word, with no preempt accounting (arch_spinlock_t / raw lock used by the
// scheduler itself and by host-side code).
class KTL_CAPABILITY("spinlock") arch_spinlock {
 public:
  KTL_ALWAYS_INLINE void lock() KTL_ACQUIRE() {
    if (KTL_LIKELY(!locked_.exchange(true, std::memory_order_acquire))) return;
    lock_slow();
  }
  KTL_ALWAYS_INLINE bool try_lock() KTL_TRY_ACQUIRE(true) {
    return !locked_.load(std::memory_order_relaxed) &&
           !locked_.exchange(true, std::memory_order_acquire);
  }
  KTL_ALWAYS_INLINE void unlock() KTL_RELEASE() { locked_.store(false, std::memory_order_release); }
  bool is_locked() const noexcept { return locked_.load(std::memory_order_relaxed); }

 private:
  void lock_slow() KTL_ACQUIRE();
  std::atomic<bool> locked_{false};
};

// Scoped guard for arch_spinlock (internal code).
class KTL_SCOPED_CAPABILITY arch_spin_guard {
 public:
  explicit arch_spin_guard(arch_spinlock& l) KTL_ACQUIRE(l) : l_(l) { l_.lock(); }
  ~arch_spin_guard() KTL_RELEASE() { l_.unlock(); }
  arch_spin_guard(const arch_spin_guard&) = delete;
  arch_spin_guard& operator=(const arch_spin_guard&) = delete;

 private:
  arch_spinlock& l_;
};

struct KTL_CAPABILITY("spinlock") spinlock_t {
  arch_spinlock raw;
};
using raw_spinlock_t = spinlock_t;

#define DEFINE_SPINLOCK(x) ::ktl::spinlock_t x
#define __SPIN_LOCK_UNLOCKED(x) ::ktl::spinlock_t{}

KTL_ALWAYS_INLINE void spin_lock_init(spinlock_t* l) noexcept { new (l) spinlock_t(); }

// The wrappers below are where spinlock_t (the capability callers see) maps onto its raw word;
// KTL_NO_THREAD_SAFETY_ANALYSIS on their bodies only: the analysis treats the two as different
// capabilities, and callers are still checked against the ACQUIRE/RELEASE annotations.
KTL_ALWAYS_INLINE void spin_lock(spinlock_t* l) KTL_ACQUIRE(*l) KTL_NO_THREAD_SAFETY_ANALYSIS {
  if (KTL_UNLIKELY(internal::g_sim != nullptr)) internal::sim_lock_point();
  preempt_disable();
  l->raw.lock();
}
KTL_ALWAYS_INLINE void spin_unlock(spinlock_t* l) KTL_RELEASE(*l) KTL_NO_THREAD_SAFETY_ANALYSIS {
  l->raw.unlock();
  preempt_enable();
}
KTL_ALWAYS_INLINE bool spin_trylock(spinlock_t* l) KTL_TRY_ACQUIRE(true, *l) KTL_NO_THREAD_SAFETY_ANALYSIS {
  preempt_disable();
  if (l->raw.try_lock()) return true;
  preempt_enable();
  return false;
}
KTL_ALWAYS_INLINE bool spin_is_locked(spinlock_t* l) noexcept { return l->raw.is_locked(); }
KTL_ALWAYS_INLINE void spin_lock_irq(spinlock_t* l) KTL_ACQUIRE(*l) KTL_NO_THREAD_SAFETY_ANALYSIS {
  local_irq_disable();
  spin_lock(l);
}
KTL_ALWAYS_INLINE void spin_unlock_irq(spinlock_t* l) KTL_RELEASE(*l) KTL_NO_THREAD_SAFETY_ANALYSIS {
  spin_unlock(l);
  local_irq_enable();
}
KTL_ALWAYS_INLINE void spin_lock_bh(spinlock_t* l) KTL_ACQUIRE(*l) KTL_NO_THREAD_SAFETY_ANALYSIS {
  local_bh_disable();
  spin_lock(l);
}
KTL_ALWAYS_INLINE void spin_unlock_bh(spinlock_t* l) KTL_RELEASE(*l) KTL_NO_THREAD_SAFETY_ANALYSIS {
  spin_unlock(l);
  local_bh_enable();
}
#define spin_lock_irqsave(l, flags) \
  do {                              \
    local_irq_save(flags);          \
    ::ktl::spin_lock(l);            \
  } while (0)
#define spin_unlock_irqrestore(l, flags) \
  do {                                   \
    ::ktl::spin_unlock(l);               \
    local_irq_restore(flags);            \
  } while (0)
#define raw_spin_lock spin_lock
#define raw_spin_unlock spin_unlock
#define raw_spin_lock_irq spin_lock_irq
#define raw_spin_unlock_irq spin_unlock_irq
#define raw_spin_lock_irqsave spin_lock_irqsave
#define raw_spin_unlock_irqrestore spin_unlock_irqrestore
#define raw_spin_lock_init spin_lock_init

// RAII form for C++ callers.
class KTL_SCOPED_CAPABILITY spin_guard {
 public:
  explicit spin_guard(spinlock_t& l) KTL_ACQUIRE(l) : l_(l) { spin_lock(&l_); }
  ~spin_guard() KTL_RELEASE() { spin_unlock(&l_); }
  spin_guard(const spin_guard&) = delete;
  spin_guard& operator=(const spin_guard&) = delete;

 private:
  spinlock_t& l_;
};

}  // namespace ktl
