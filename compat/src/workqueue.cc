// <linux/workqueue.h>: work items, delayed work and workqueues, on ktl's workqueues.
//
// struct work_struct and struct delayed_work in C are ktl's C++ objects byte for byte (asserted
// below against the numbers the header documents), so DECLARE_WORK/DECLARE_DELAYED_WORK in C
// give the bytes ktl's own initialisers give, and the functions here hand the pointers on.
// system_wq & co. and delayed_work_timer_fn are ktl's own symbols, exported under ktl_<name> by
// asm labels in include/ktl/workqueue/workqueue.h.
#include <cstdarg>
#include <cstddef>
#include <cstdio>

#include "ktl/kernel/printk.h"
#include "ktl/workqueue/workqueue.h"

namespace {

using ktl::delayed_work;
using ktl::work_func_t;
using ktl::work_struct;
using ktl::workqueue_struct;

// struct work_struct (32 bytes): data, entry, func.
static_assert(sizeof(work_struct) == 32 && alignof(work_struct) == 8);
static_assert(offsetof(work_struct, data) == 0 && sizeof(work_struct::data) == 8);
static_assert(offsetof(work_struct, entry) == 8 && sizeof(work_struct::entry) == 16);
static_assert(offsetof(work_struct, func) == 24);
// struct delayed_work (96 bytes): work, timer (48), wq, cpu.
static_assert(sizeof(delayed_work) == 96 && alignof(delayed_work) == 8);
static_assert(offsetof(delayed_work, work) == 0);
static_assert(offsetof(delayed_work, timer) == 32 && sizeof(delayed_work::timer) == 48);
static_assert(offsetof(delayed_work, wq) == 80);
static_assert(offsetof(delayed_work, cpu) == 88 && sizeof(delayed_work::cpu) == 4);
// struct execute_work: a work_struct.
static_assert(sizeof(ktl::execute_work) == 32 && offsetof(ktl::execute_work, work) == 0);

// The constants the header spells out.
static_assert(ktl::WORK_DATA_INIT == (0x7fffffffUL << 25));
static_assert(ktl::WORK_STRUCT_PENDING_BIT == 0 && ktl::WORK_STRUCT_INACTIVE_BIT == 1 &&
              ktl::WORK_STRUCT_PWQ_BIT == 2 && ktl::WORK_STRUCT_LINKED_BIT == 3 &&
              ktl::WORK_STRUCT_FLAG_BITS == 8);
static_assert(ktl::WORK_CPU_UNBOUND == 256);
static_assert(ktl::WORK_BUSY_PENDING == 1 && ktl::WORK_BUSY_RUNNING == 2);
static_assert(ktl::WQ_BH == 1 << 0 && ktl::WQ_UNBOUND == 1 << 1 && ktl::WQ_FREEZABLE == 1 << 2 &&
              ktl::WQ_MEM_RECLAIM == 1 << 3 && ktl::WQ_HIGHPRI == 1 << 4 &&
              ktl::WQ_CPU_INTENSIVE == 1 << 5 && ktl::WQ_SYSFS == 1 << 6 &&
              ktl::WQ_POWER_EFFICIENT == 1 << 7 && ktl::WQ_PERCPU == 1 << 8 &&
              ktl::__WQ_DESTROYING == 1 << 15 && ktl::__WQ_DRAINING == 1 << 16 &&
              ktl::__WQ_ORDERED == 1 << 17 && ktl::__WQ_LEGACY == 1 << 18);
static_assert(ktl::WQ_MAX_ACTIVE == 2048 && ktl::WQ_DFL_ACTIVE == 1024 &&
              ktl::WQ_DFL_MIN_ACTIVE == 8 && ktl::WQ_NAME_LEN == 32);

}  // namespace

extern "C" {

void ktl_init_work(work_struct* work, work_func_t func) { ktl::__init_work(work, func); }
void ktl_init_delayed_work(delayed_work* dwork, work_func_t func, unsigned int tflags) {
  ktl::__init_delayed_work(dwork, func, tflags);
}
bool ktl_work_pending(const work_struct* work) { return ktl::work_pending(work); }

workqueue_struct* ktl_alloc_workqueue(const char* fmt, unsigned int flags, int max_active, ...) {
  va_list ap;
  va_start(ap, max_active);
  workqueue_struct* wq = ktl::valloc_workqueue(fmt, flags, max_active, ap);
  va_end(ap);
  return wq;
}
void ktl_destroy_workqueue(workqueue_struct* wq) { ktl::destroy_workqueue(wq); }
void ktl_workqueue_set_max_active(workqueue_struct* wq, int max_active) {
  ktl::workqueue_set_max_active(wq, max_active);
}
void ktl_workqueue_set_min_active(workqueue_struct* wq, int min_active) {
  ktl::workqueue_set_min_active(wq, min_active);
}
bool ktl_workqueue_congested(int cpu, workqueue_struct* wq) {
  return ktl::workqueue_congested(cpu, wq);
}

bool ktl_queue_work_on(int cpu, workqueue_struct* wq, work_struct* work) {
  return ktl::queue_work_on(cpu, wq, work);
}
bool ktl_queue_work_node(int node, workqueue_struct* wq, work_struct* work) {
  return ktl::queue_work_node(node, wq, work);
}
bool ktl_queue_delayed_work_on(int cpu, workqueue_struct* wq, delayed_work* dwork,
                               unsigned long delay) {
  return ktl::queue_delayed_work_on(cpu, wq, dwork, delay);
}
bool ktl_mod_delayed_work_on(int cpu, workqueue_struct* wq, delayed_work* dwork,
                             unsigned long delay) {
  return ktl::mod_delayed_work_on(cpu, wq, dwork, delay);
}
bool ktl_schedule_work_on(int cpu, work_struct* work) { return ktl::schedule_work_on(cpu, work); }
bool ktl_schedule_work(work_struct* work) { return ktl::schedule_work(work); }
bool ktl_schedule_delayed_work_on(int cpu, delayed_work* dwork, unsigned long delay) {
  return ktl::schedule_delayed_work_on(cpu, dwork, delay);
}
bool ktl_schedule_delayed_work(delayed_work* dwork, unsigned long delay) {
  return ktl::schedule_delayed_work(dwork, delay);
}
bool ktl_enable_and_queue_work(workqueue_struct* wq, work_struct* work) {
  return ktl::enable_and_queue_work(wq, work);
}

bool ktl_flush_work(work_struct* work) { return ktl::flush_work(work); }
bool ktl_flush_delayed_work(delayed_work* dwork) { return ktl::flush_delayed_work(dwork); }
void ktl_flush_workqueue(workqueue_struct* wq) { ktl::flush_workqueue(wq); }
void ktl___flush_workqueue(workqueue_struct* wq) { ktl::__flush_workqueue(wq); }
// flush_scheduled_work()'s run-time half (the header then calls __flush_workqueue(system_wq)).
void ktl_warn_flushing_systemwide_wq(void) {
  pr_warn("WARNING: Flushing system-wide workqueues will be prohibited in near future.\n");
}
void ktl_drain_workqueue(workqueue_struct* wq) { ktl::drain_workqueue(wq); }

bool ktl_cancel_work(work_struct* work) { return ktl::cancel_work(work); }
bool ktl_cancel_delayed_work(delayed_work* dwork) { return ktl::cancel_delayed_work(dwork); }
bool ktl_cancel_work_sync(work_struct* work) { return ktl::cancel_work_sync(work); }
bool ktl_cancel_delayed_work_sync(delayed_work* dwork) {
  return ktl::cancel_delayed_work_sync(dwork);
}
bool ktl_disable_work(work_struct* work) { return ktl::disable_work(work); }
bool ktl_disable_work_sync(work_struct* work) { return ktl::disable_work_sync(work); }
bool ktl_enable_work(work_struct* work) { return ktl::enable_work(work); }
bool ktl_disable_delayed_work(delayed_work* dwork) { return ktl::disable_delayed_work(dwork); }
bool ktl_disable_delayed_work_sync(delayed_work* dwork) {
  return ktl::disable_delayed_work_sync(dwork);
}
bool ktl_enable_delayed_work(delayed_work* dwork) { return ktl::enable_delayed_work(dwork); }

work_struct* ktl_current_work(void) { return ktl::current_work(); }
bool ktl_current_is_workqueue_rescuer(void) { return ktl::current_is_workqueue_rescuer(); }
unsigned int ktl_work_busy(work_struct* work) { return ktl::work_busy(work); }

void ktl_set_worker_desc(const char* fmt, ...) {
  char desc[ktl::WORKER_DESC_LEN];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(desc, sizeof(desc), fmt, ap);
  va_end(ap);
  ktl::set_worker_desc("%s", desc);
}

int ktl_schedule_on_each_cpu(work_func_t func) { return ktl::schedule_on_each_cpu(func); }
long ktl_work_on_cpu(int cpu, long (*fn)(void*), void* arg) {
  return ktl::work_on_cpu(cpu, fn, arg);
}
long ktl_work_on_cpu_safe(int cpu, long (*fn)(void*), void* arg) {
  return ktl::work_on_cpu_safe(cpu, fn, arg);
}
int ktl_execute_in_process_context(work_func_t fn, ktl::execute_work* ew) {
  return ktl::execute_in_process_context(fn, ew);
}

}  // extern "C"
