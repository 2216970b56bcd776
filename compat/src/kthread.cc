// <linux/kthread.h> and <linux/smpboot.h>: kernel threads, kthread workers, per-CPU threads.
#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <cstdlib>

#include "ktl/base/bug.h"
#include "ktl/base/err.h"
#include "ktl/kthread/kthread.h"
#include "ktl/kthread/kthread_worker.h"
#include "ktl/kthread/smpboot.h"
#include "ktl/mm/mm.h"
#include "ktl/sched/completion.h"
#include "ktl/sched/task.h"
#include "ktl/time/timer.h"

// ---- layouts the C headers rely on -----------------------------------------------------------

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
// struct kthread_worker: flags, lock, work_list, delayed_work_list, task, current_work.
static_assert(sizeof(ktl::kthread_worker) == 56 && alignof(ktl::kthread_worker) == 8);
static_assert(offsetof(ktl::kthread_worker, flags) == 0 &&
              sizeof(ktl::kthread_worker::flags) == 4 &&
              offsetof(ktl::kthread_worker, lock) == 4 && sizeof(ktl::kthread_worker::lock) == 1 &&
              offsetof(ktl::kthread_worker, work_list) == 8 &&
              offsetof(ktl::kthread_worker, delayed_work_list) == 24 &&
              offsetof(ktl::kthread_worker, task) == 40 &&
              offsetof(ktl::kthread_worker, current_work) == 48);
// struct kthread_work: node, func, worker, canceling.
static_assert(sizeof(ktl::kthread_work) == 40 && alignof(ktl::kthread_work) == 8);
static_assert(offsetof(ktl::kthread_work, node) == 0 && offsetof(ktl::kthread_work, func) == 16 &&
              offsetof(ktl::kthread_work, worker) == 24 &&
              offsetof(ktl::kthread_work, canceling) == 32 &&
              sizeof(ktl::kthread_work::canceling) == 4);
// struct kthread_delayed_work: work, timer (a 48-byte struct timer_list).
static_assert(sizeof(ktl::kthread_delayed_work) == 88 && alignof(ktl::kthread_delayed_work) == 8);
static_assert(offsetof(ktl::kthread_delayed_work, work) == 0 &&
              offsetof(ktl::kthread_delayed_work, timer) == 40 && sizeof(ktl::timer_list) == 48);
// struct smp_hotplug_thread: Linux's field order.
static_assert(sizeof(ktl::smp_hotplug_thread) == 96 && alignof(ktl::smp_hotplug_thread) == 8);
static_assert(offsetof(ktl::smp_hotplug_thread, store) == 0 &&
              offsetof(ktl::smp_hotplug_thread, list) == 8 &&
              offsetof(ktl::smp_hotplug_thread, thread_should_run) == 24 &&
              offsetof(ktl::smp_hotplug_thread, thread_fn) == 32 &&
              offsetof(ktl::smp_hotplug_thread, create) == 40 &&
              offsetof(ktl::smp_hotplug_thread, setup) == 48 &&
              offsetof(ktl::smp_hotplug_thread, cleanup) == 56 &&
              offsetof(ktl::smp_hotplug_thread, park) == 64 &&
              offsetof(ktl::smp_hotplug_thread, unpark) == 72 &&
              offsetof(ktl::smp_hotplug_thread, selfparking) == 80 &&
              sizeof(ktl::smp_hotplug_thread::selfparking) == 1 &&
              offsetof(ktl::smp_hotplug_thread, thread_comm) == 88);
#pragma GCC diagnostic pop
static_assert(ktl::KTW_FREEZABLE == 1 && ktl::NUMA_NO_NODE == -1 && ktl::TIMER_IRQSAFE == 0x00200000);

namespace {

// A name formatted the way Linux's kvasprintf() does it for a kthread: nullptr if out of memory.
char* format_name(const char* fmt, va_list args) {
  char* name = nullptr;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  if (vasprintf(&name, fmt ? fmt : "", args) < 0) return nullptr;
#pragma GCC diagnostic pop
  return name;
}

}  // namespace

extern "C" {

// ---- kthreads -----------------------------------------------------------------------------------

ktl::task_struct* ktl_kthread_create_on_node(int (*threadfn)(void*), void* data, int node,
                                             const char* namefmt, ...) {
  va_list ap;
  va_start(ap, namefmt);
  ktl::task_struct* p = ktl::vkthread_create_on_node(threadfn, data, node, namefmt, ap);
  va_end(ap);
  return p;
}
ktl::task_struct* ktl_kthread_create_on_cpu(int (*threadfn)(void*), void* data, unsigned int cpu,
                                            const char* namefmt) {
  return ktl::kthread_create_on_cpu(threadfn, data, cpu, namefmt);
}
void ktl_kthread_bind(ktl::task_struct* k, unsigned int cpu) { ktl::kthread_bind(k, cpu); }
void ktl_kthread_bind_mask(ktl::task_struct* k, const ktl::cpumask* mask) {
  ktl::kthread_bind_mask(k, mask);
}
int ktl_kthread_stop(ktl::task_struct* k) { return ktl::kthread_stop(k); }
int ktl_kthread_stop_put(ktl::task_struct* k) { return ktl::kthread_stop_put(k); }
bool ktl_kthread_should_stop(void) { return ktl::kthread_should_stop(); }
bool ktl_kthread_should_park(void) { return ktl::kthread_should_park(); }
bool ktl_kthread_should_stop_or_park(void) { return ktl::kthread_should_stop_or_park(); }
// ktl never freezes tasks: the thread cannot have been frozen.
bool ktl_kthread_freezable_should_stop(bool* was_frozen) {
  might_sleep();
  if (was_frozen) *was_frozen = false;
  return ktl::kthread_should_stop();
}
void* ktl_kthread_func(ktl::task_struct* k) { return ktl::kthread_func(k); }
void* ktl_kthread_data(ktl::task_struct* k) { return ktl::kthread_data(k); }
void* ktl_kthread_probe_data(ktl::task_struct* k) { return ktl::kthread_probe_data(k); }
int ktl_kthread_park(ktl::task_struct* k) { return ktl::kthread_park(k); }
void ktl_kthread_unpark(ktl::task_struct* k) { ktl::kthread_unpark(k); }
void ktl_kthread_parkme(void) { ktl::kthread_parkme(); }
bool ktl_kthread_is_per_cpu(ktl::task_struct* k) { return ktl::kthread_is_per_cpu(k); }
void ktl_kthread_set_per_cpu(ktl::task_struct* k, int cpu) { ktl::kthread_set_per_cpu(k, cpu); }
void ktl_get_kthread_comm(char* buf, size_t buf_size, ktl::task_struct* tsk) {
  ktl::get_kthread_comm(buf, buf_size, tsk);
}
[[noreturn]] void ktl_kthread_exit(long result) { ktl::kthread_exit(result); }
[[noreturn]] void ktl_kthread_complete_and_exit(ktl::completion* comp, long code) {
  ktl::kthread_complete_and_exit(comp, code);
}
void ktl_kthread_use_mm(ktl::mm_struct* mm) { ktl::kthread_use_mm(mm); }
void ktl_kthread_unuse_mm(ktl::mm_struct* mm) { ktl::kthread_unuse_mm(mm); }

// ---- kthread_worker ----------------------------------------------------------------------------

// ktl_kthread_delayed_work_timer_fn is ktl::kthread_delayed_work_timer_fn itself (its asm label),
// so DEFINE_KTHREAD_DELAYED_WORK in C stores the address ktl's constructor stores.
void ktl_kthread_init_worker(ktl::kthread_worker* worker) { ktl::kthread_init_worker(worker); }
void ktl_kthread_init_work(ktl::kthread_work* work, ktl::kthread_work_func_t fn) {
  ktl::kthread_init_work(work, fn);
}
void ktl_kthread_init_delayed_work(ktl::kthread_delayed_work* dwork, ktl::kthread_work_func_t fn) {
  ktl::kthread_init_delayed_work(dwork, fn);
}
int ktl_kthread_worker_fn(void* worker_ptr) { return ktl::kthread_worker_fn(worker_ptr); }

ktl::kthread_worker* ktl_kthread_create_worker_on_node(unsigned int flags, int node,
                                                       const char* namefmt, ...) {
  va_list ap;
  va_start(ap, namefmt);
  char* name = format_name(namefmt, ap);
  va_end(ap);
  if (!name) return ktl::ERR_PTR<ktl::kthread_worker>(-ENOMEM);
  ktl::kthread_worker* w = ktl::kthread_create_worker_on_node(flags, node, "%s", name);
  free(name);
  return w;
}
ktl::kthread_worker* ktl_kthread_create_worker(unsigned int flags, const char* namefmt, ...) {
  va_list ap;
  va_start(ap, namefmt);
  char* name = format_name(namefmt, ap);
  va_end(ap);
  if (!name) return ktl::ERR_PTR<ktl::kthread_worker>(-ENOMEM);
  ktl::kthread_worker* w = ktl::kthread_create_worker(flags, "%s", name);
  free(name);
  return w;
}
ktl::kthread_worker* ktl_kthread_run_worker(unsigned int flags, const char* namefmt, ...) {
  va_list ap;
  va_start(ap, namefmt);
  char* name = format_name(namefmt, ap);
  va_end(ap);
  if (!name) return ktl::ERR_PTR<ktl::kthread_worker>(-ENOMEM);
  ktl::kthread_worker* w = ktl::kthread_run_worker(flags, "%s", name);
  free(name);
  return w;
}
ktl::kthread_worker* ktl_kthread_create_worker_on_cpu(int cpu, unsigned int flags,
                                                      const char* namefmt) {
  return ktl::kthread_create_worker_on_cpu(cpu, flags, namefmt);
}
ktl::kthread_worker* ktl_kthread_run_worker_on_cpu(int cpu, unsigned int flags,
                                                   const char* namefmt) {
  return ktl::kthread_run_worker_on_cpu(cpu, flags, namefmt);
}

bool ktl_kthread_queue_work(ktl::kthread_worker* worker, ktl::kthread_work* work) {
  return ktl::kthread_queue_work(worker, work);
}
bool ktl_kthread_queue_delayed_work(ktl::kthread_worker* worker, ktl::kthread_delayed_work* dwork,
                                    unsigned long delay) {
  return ktl::kthread_queue_delayed_work(worker, dwork, delay);
}
bool ktl_kthread_mod_delayed_work(ktl::kthread_worker* worker, ktl::kthread_delayed_work* dwork,
                                  unsigned long delay) {
  return ktl::kthread_mod_delayed_work(worker, dwork, delay);
}
void ktl_kthread_flush_work(ktl::kthread_work* work) { ktl::kthread_flush_work(work); }
void ktl_kthread_flush_worker(ktl::kthread_worker* worker) { ktl::kthread_flush_worker(worker); }
bool ktl_kthread_cancel_work_sync(ktl::kthread_work* work) {
  return ktl::kthread_cancel_work_sync(work);
}
bool ktl_kthread_cancel_delayed_work_sync(ktl::kthread_delayed_work* dwork) {
  return ktl::kthread_cancel_delayed_work_sync(dwork);
}
void ktl_kthread_destroy_worker(ktl::kthread_worker* worker) {
  ktl::kthread_destroy_worker(worker);
}

// ---- smpboot ----------------------------------------------------------------------------------

int ktl_smpboot_register_percpu_thread(ktl::smp_hotplug_thread* plug_thread) {
  return ktl::smpboot_register_percpu_thread(plug_thread);
}
void ktl_smpboot_unregister_percpu_thread(ktl::smp_hotplug_thread* plug_thread) {
  ktl::smpboot_unregister_percpu_thread(plug_thread);
}

}  // extern "C"
