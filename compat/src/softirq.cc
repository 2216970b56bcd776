// <linux/interrupt.h>, <linux/bottom_half.h>, <linux/irqflags.h>: tasklets, softirqs, the
// interrupt-disable state of a task, on ktl's softirq layer (src/kernel/softirq.cc).
//
// struct tasklet_struct in C is ktl::tasklet_struct byte for byte (asserted below against the
// numbers the header documents), so DECLARE_TASKLET* give the bytes ktl's initialisers give.
#include <cstddef>

#include "ktl/kernel/interrupt.h"
#include "ktl/sched/preempt.h"
#include "ktl/sched/task.h"

namespace {

using ktl::tasklet_struct;

// struct tasklet_struct (40 bytes): next, state, count, use_callback, {func|callback}, data.
static_assert(sizeof(tasklet_struct) == 40 && alignof(tasklet_struct) == 8);
static_assert(offsetof(tasklet_struct, next) == 0);
static_assert(offsetof(tasklet_struct, state) == 8 && sizeof(tasklet_struct::state) == 8);
static_assert(offsetof(tasklet_struct, count) == 16 && sizeof(tasklet_struct::count) == 4);
static_assert(offsetof(tasklet_struct, use_callback) == 20 &&
              sizeof(tasklet_struct::use_callback) == 1);
static_assert(offsetof(tasklet_struct, func) == 24 && offsetof(tasklet_struct, callback) == 24);
static_assert(offsetof(tasklet_struct, data) == 32);
static_assert(ktl::TASKLET_STATE_SCHED == 0 && ktl::TASKLET_STATE_RUN == 1);

// The softirq numbers of the C enum.
static_assert(ktl::HI_SOFTIRQ == 0 && ktl::TIMER_SOFTIRQ == 1 && ktl::NET_TX_SOFTIRQ == 2 &&
              ktl::NET_RX_SOFTIRQ == 3 && ktl::BLOCK_SOFTIRQ == 4 && ktl::IRQ_POLL_SOFTIRQ == 5 &&
              ktl::TASKLET_SOFTIRQ == 6 && ktl::SCHED_SOFTIRQ == 7 && ktl::HRTIMER_SOFTIRQ == 8 &&
              ktl::RCU_SOFTIRQ == 9 && ktl::NR_SOFTIRQS == 10);
// The preempt-count layout <linux/preempt.h> and <linux/hardirq.h> compute with.
static_assert(ktl::SOFTIRQ_OFFSET == 0x100 && ktl::HARDIRQ_OFFSET == 0x10000 &&
              ktl::NMI_OFFSET == 0x100000 && ktl::SOFTIRQ_DISABLE_OFFSET == 0x200);

}  // namespace

extern "C" {

// ---- tasklets ----------------------------------------------------------------------------------

void ktl_tasklet_setup(tasklet_struct* t, void (*callback)(tasklet_struct*)) {
  ktl::tasklet_setup(t, callback);
}
void ktl_tasklet_init(tasklet_struct* t, void (*func)(unsigned long), unsigned long data) {
  ktl::tasklet_init(t, func, data);
}
void ktl_tasklet_schedule(tasklet_struct* t) { ktl::tasklet_schedule(t); }
void ktl_tasklet_hi_schedule(tasklet_struct* t) { ktl::tasklet_hi_schedule(t); }
void ktl_tasklet_disable_nosync(tasklet_struct* t) { ktl::tasklet_disable_nosync(t); }
void ktl_tasklet_disable(tasklet_struct* t) { ktl::tasklet_disable(t); }
void ktl_tasklet_disable_in_atomic(tasklet_struct* t) { ktl::tasklet_disable_in_atomic(t); }
void ktl_tasklet_enable(tasklet_struct* t) { ktl::tasklet_enable(t); }
void ktl_tasklet_kill(tasklet_struct* t) { ktl::tasklet_kill(t); }
bool ktl_tasklet_trylock(tasklet_struct* t) { return ktl::tasklet_trylock(t); }
void ktl_tasklet_unlock(tasklet_struct* t) { ktl::tasklet_unlock(t); }
void ktl_tasklet_unlock_wait(tasklet_struct* t) { ktl::tasklet_unlock_wait(t); }
void ktl_tasklet_unlock_spin_wait(tasklet_struct* t) { ktl::tasklet_unlock_spin_wait(t); }

// ---- softirqs ----------------------------------------------------------------------------------

void ktl_raise_softirq(unsigned int nr) { ktl::raise_softirq(nr); }
void ktl_raise_softirq_irqoff(unsigned int nr) { ktl::raise_softirq_irqoff(nr); }
void ktl___raise_softirq_irqoff(unsigned int nr) { ktl::__raise_softirq_irqoff(nr); }
unsigned int ktl_local_softirq_pending(void) { return ktl::local_softirq_pending(); }

// ---- bottom halves -----------------------------------------------------------------------------

void ktl_local_bh_disable(void) { ktl::preempt_count_add(ktl::SOFTIRQ_DISABLE_OFFSET); }
void ktl_local_bh_enable(void) { ktl::__local_bh_enable_ip(0, ktl::SOFTIRQ_DISABLE_OFFSET); }
void ktl___local_bh_enable_ip(unsigned long ip, unsigned int cnt) {
  ktl::__local_bh_enable_ip(ip, cnt);
}
void ktl__local_bh_enable(void) { ktl::_local_bh_enable(); }

// ---- interrupt-disable state -------------------------------------------------------------------
// ktl keeps it per task as a nesting count (task_struct::irqs_disabled), as its C++ API does.

void ktl_local_irq_disable(void) { ++ktl::get_current()->irqs_disabled; }
void ktl_local_irq_enable(void) {
  ktl::task_struct* p = ktl::get_current();
  if (p->irqs_disabled > 0) --p->irqs_disabled;
}
unsigned long ktl_local_irq_save(void) {
  ktl::task_struct* p = ktl::get_current();
  const unsigned long was = p->irqs_disabled != 0;
  ++p->irqs_disabled;
  return was;
}
void ktl_local_irq_restore(unsigned long flags) {
  ktl::task_struct* p = ktl::get_current();
  if (p->irqs_disabled > 0) --p->irqs_disabled;
  // Restoring "disabled" with the count at zero (a restore without its save) keeps it disabled.
  if (flags && p->irqs_disabled == 0) p->irqs_disabled = 1;
}
unsigned long ktl_local_save_flags(void) { return ktl::get_current()->irqs_disabled != 0; }

}  // extern "C"
