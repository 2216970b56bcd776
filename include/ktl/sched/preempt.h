// preempt_count and execution-context queries.
//
// ktl is a cooperative (CONFIG_PREEMPT_NONE-like) kernel: nothing is preempted in the middle of
// code. The count still matters: it tells might_sleep() that the caller holds a spinlock or runs in
// a timer callback (softirq), where sleeping is a bug. The count lives in the task (it travels with
// a fiber that migrates); timer callbacks and other "interrupt" work add their offsets to the count
// of whatever task the vCPU was running, exactly like an interrupt on Linux.
#pragma once

#include "ktl/sched/task.h"

namespace ktl {

inline constexpr int PREEMPT_BITS = 8;
inline constexpr int SOFTIRQ_BITS = 8;
inline constexpr int HARDIRQ_BITS = 4;
inline constexpr int NMI_BITS = 4;
inline constexpr int PREEMPT_SHIFT = 0;
inline constexpr int SOFTIRQ_SHIFT = PREEMPT_SHIFT + PREEMPT_BITS;
inline constexpr int HARDIRQ_SHIFT = SOFTIRQ_SHIFT + SOFTIRQ_BITS;
inline constexpr int NMI_SHIFT = HARDIRQ_SHIFT + HARDIRQ_BITS;
inline constexpr int PREEMPT_OFFSET = 1 << PREEMPT_SHIFT;
inline constexpr int SOFTIRQ_OFFSET = 1 << SOFTIRQ_SHIFT;
inline constexpr int HARDIRQ_OFFSET = 1 << HARDIRQ_SHIFT;
inline constexpr int NMI_OFFSET = 1 << NMI_SHIFT;
inline constexpr int SOFTIRQ_DISABLE_OFFSET = 2 * SOFTIRQ_OFFSET;
inline constexpr int PREEMPT_MASK = ((1 << PREEMPT_BITS) - 1) << PREEMPT_SHIFT;
inline constexpr int SOFTIRQ_MASK = ((1 << SOFTIRQ_BITS) - 1) << SOFTIRQ_SHIFT;
inline constexpr int HARDIRQ_MASK = ((1 << HARDIRQ_BITS) - 1) << HARDIRQ_SHIFT;
inline constexpr int NMI_MASK = ((1 << NMI_BITS) - 1) << NMI_SHIFT;

KTL_ALWAYS_INLINE int preempt_count() noexcept { return get_current()->preempt_count; }
KTL_ALWAYS_INLINE void preempt_count_add(int v) noexcept { get_current()->preempt_count += v; }
KTL_ALWAYS_INLINE void preempt_count_sub(int v) noexcept { get_current()->preempt_count -= v; }
KTL_ALWAYS_INLINE void preempt_disable() noexcept {
  preempt_count_add(1);
  barrier();
}
KTL_ALWAYS_INLINE void preempt_enable() noexcept {
  barrier();
  preempt_count_sub(1);
}
KTL_ALWAYS_INLINE void preempt_enable_no_resched() noexcept { preempt_enable(); }

KTL_ALWAYS_INLINE bool in_nmi() noexcept { return preempt_count() & NMI_MASK; }
KTL_ALWAYS_INLINE bool in_hardirq() noexcept { return preempt_count() & HARDIRQ_MASK; }
KTL_ALWAYS_INLINE bool in_irq() noexcept { return in_hardirq(); }
KTL_ALWAYS_INLINE bool in_softirq() noexcept { return preempt_count() & SOFTIRQ_MASK; }
KTL_ALWAYS_INLINE bool in_serving_softirq() noexcept {
  return preempt_count() & SOFTIRQ_OFFSET;
}
KTL_ALWAYS_INLINE bool in_interrupt() noexcept {
  return preempt_count() & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_MASK);
}
KTL_ALWAYS_INLINE bool in_task() noexcept {
  return !(preempt_count() & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET));
}
KTL_ALWAYS_INLINE bool in_atomic() noexcept { return preempt_count() != 0; }
KTL_ALWAYS_INLINE bool irqs_disabled() noexcept { return get_current()->irqs_disabled != 0; }

#define local_irq_disable() (++::ktl::get_current()->irqs_disabled)
#define local_irq_enable() (--::ktl::get_current()->irqs_disabled)
#define local_irq_save(flags) ((flags) = 0, local_irq_disable())
#define local_irq_restore(flags) ((void)(flags), local_irq_enable())
// Re-enabling bottom halves runs the softirqs that became pending meanwhile (kernel/softirq.c).
void __local_bh_enable_ip(unsigned long ip, unsigned int cnt);
#define local_bh_disable() ::ktl::preempt_count_add(::ktl::SOFTIRQ_DISABLE_OFFSET)
#define local_bh_enable() ::ktl::__local_bh_enable_ip(0, ::ktl::SOFTIRQ_DISABLE_OFFSET)

// might_sleep(): a blocking function's first line. Prints Linux's
// "BUG: sleeping function called from invalid context at FILE:LINE" report (at most once a
// second, as Linux rate-limits it) when called in atomic context, then lets the caller go on.
void __might_sleep(const char* file, int line) noexcept;
#define might_sleep() ::ktl::__might_sleep(__FILE__, __LINE__)
#define might_sleep_if(cond)          \
  do {                                \
    if (cond) might_sleep();          \
  } while (0)

}  // namespace ktl
