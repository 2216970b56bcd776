// Softirqs and tasklets (include/linux/interrupt.h, kernel/softirq.c).
//
// Interrupt model. A vCPU takes its "interrupts" — the tick, cross-vCPU wake-ups (the IPI of
// ttwu_queue) and expired hrtimers — at its next entry point: a scheduling point of the running
// task (schedule, cond_resched, a blocking call) or the idle loop. A running fiber is never
// interrupted in the middle of its code. The interrupt runs in hardirq context on top of the
// interrupted task (in_hardirq() true, preempt_count + HARDIRQ_OFFSET); at irq_exit, pending
// softirqs run in softirq context (in_serving_softirq() true) unless the interrupted task had
// bottom halves disabled. The timer wheel expires from TIMER_SOFTIRQ.
//
// Softirqs are per-vCPU: raise_softirq() marks the vector pending on the calling vCPU. Raised
// from task context (not in an interrupt, bottom halves enabled) it wakes ksoftirqd/N, as on
// Linux. Processing takes the vectors lowest first, restarts at most 10 times within 2 ms, and
// leaves the rest to ksoftirqd/N.
#pragma once

#include <string>

#include "ktl/base/compiler.h"
#include "ktl/base/list.h"

namespace ktl {

enum {
  HI_SOFTIRQ = 0,
  TIMER_SOFTIRQ,
  NET_TX_SOFTIRQ,
  NET_RX_SOFTIRQ,
  BLOCK_SOFTIRQ,
  IRQ_POLL_SOFTIRQ,
  TASKLET_SOFTIRQ,
  SCHED_SOFTIRQ,
  HRTIMER_SOFTIRQ,
  RCU_SOFTIRQ,
  NR_SOFTIRQS
};

extern const char* const softirq_to_name[NR_SOFTIRQS];

struct softirq_action {
  void (*action)();
};

void open_softirq(int nr, void (*action)());
void raise_softirq(unsigned int nr);
void raise_softirq_irqoff(unsigned int nr);
void __raise_softirq_irqoff(unsigned int nr);
// Runs this vCPU's pending softirqs now, unless already in interrupt context.
void do_softirq();
unsigned int local_softirq_pending();
// Times vector `nr` ran on `cpu` (the /proc/softirqs counter).
unsigned long kstat_softirqs_cpu(unsigned int nr, int cpu);
// /proc/softirqs and /proc/interrupts.
std::string proc_softirqs();
std::string proc_interrupts();
// The vCPU's ksoftirqd, or nullptr before it exists.
struct task_struct* ksoftirqd_task(int cpu);

// local_bh_enable() with the softirq run of Linux: re-enabling bottom halves outside interrupt
// context runs what became pending meanwhile.
void __local_bh_enable_ip(unsigned long ip, unsigned int cnt);
void _local_bh_enable();  // no softirq run

// ---- tasklets ----------------------------------------------------------------------------

enum { TASKLET_STATE_SCHED = 0, TASKLET_STATE_RUN = 1 };

struct tasklet_struct {
  tasklet_struct* next = nullptr;
  unsigned long state = 0;  // TASKLET_STATE_* bits, atomically
  int count = 0;            // > 0: disabled (atomic)
  bool use_callback = false;
  union {
    void (*func)(unsigned long data);
    void (*callback)(tasklet_struct* t);
  };
  unsigned long data = 0;
};

#define DECLARE_TASKLET(name, _callback)                                                     \
  ::ktl::tasklet_struct name = ::ktl::tasklet_struct_init_cb(_callback, 0)
#define DECLARE_TASKLET_DISABLED(name, _callback)                                            \
  ::ktl::tasklet_struct name = ::ktl::tasklet_struct_init_cb(_callback, 1)
#define DECLARE_TASKLET_OLD(name, _func)                                                     \
  ::ktl::tasklet_struct name = ::ktl::tasklet_struct_init_func(_func, 0, 0)
#define DECLARE_TASKLET_DISABLED_OLD(name, _func)                                            \
  ::ktl::tasklet_struct name = ::ktl::tasklet_struct_init_func(_func, 0, 1)
#define from_tasklet(var, callback_tasklet, tasklet_fieldname) \
  container_of(callback_tasklet, __typeof__(*var), tasklet_fieldname)

inline tasklet_struct tasklet_struct_init_cb(void (*cb)(tasklet_struct*), int count) {
  tasklet_struct t;
  t.count = count;
  t.use_callback = true;
  t.callback = cb;
  return t;
}
inline tasklet_struct tasklet_struct_init_func(void (*f)(unsigned long), unsigned long data,
                                               int count) {
  tasklet_struct t;
  t.count = count;
  t.func = f;
  t.data = data;
  return t;
}

void tasklet_setup(tasklet_struct* t, void (*callback)(tasklet_struct*));
void tasklet_init(tasklet_struct* t, void (*func)(unsigned long), unsigned long data);
void __tasklet_schedule(tasklet_struct* t);
void __tasklet_hi_schedule(tasklet_struct* t);

inline bool tasklet_test_and_set_sched(tasklet_struct* t) {
  return __atomic_fetch_or(&t->state, 1ul << TASKLET_STATE_SCHED, __ATOMIC_SEQ_CST) &
         (1ul << TASKLET_STATE_SCHED);
}
inline void tasklet_schedule(tasklet_struct* t) {
  if (!tasklet_test_and_set_sched(t)) __tasklet_schedule(t);
}
inline void tasklet_hi_schedule(tasklet_struct* t) {
  if (!tasklet_test_and_set_sched(t)) __tasklet_hi_schedule(t);
}
inline void tasklet_disable_nosync(tasklet_struct* t) {
  __atomic_fetch_add(&t->count, 1, __ATOMIC_SEQ_CST);
}
void tasklet_unlock_wait(tasklet_struct* t);
void tasklet_unlock_spin_wait(tasklet_struct* t);
inline void tasklet_disable_in_atomic(tasklet_struct* t) {
  tasklet_disable_nosync(t);
  tasklet_unlock_spin_wait(t);
}
inline void tasklet_disable(tasklet_struct* t) {
  tasklet_disable_nosync(t);
  tasklet_unlock_wait(t);
}
inline void tasklet_enable(tasklet_struct* t) {
  __atomic_fetch_sub(&t->count, 1, __ATOMIC_SEQ_CST);
}
bool tasklet_trylock(tasklet_struct* t);
void tasklet_unlock(tasklet_struct* t);
void tasklet_kill(tasklet_struct* t);

}  // namespace ktl
