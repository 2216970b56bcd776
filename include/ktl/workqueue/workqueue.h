// Workqueues (include/linux/workqueue.h, kernel/workqueue.c): deferred work run by pools of
// kernel threads ("kworkers").
//
//   static void fn(struct work_struct* w) { ... }
//   static DECLARE_WORK(my_work, fn);
//   schedule_work(&my_work);                       // on system_wq ("events"), local vCPU
//   workqueue_struct* wq = alloc_workqueue("mywq", WQ_UNBOUND, 0);
//   queue_work(wq, &my_work);  flush_work(&my_work);  destroy_workqueue(wq);
//
// The model is Linux 6.x's, rule for rule:
//   * Each vCPU has two bound worker pools (nice 0 and nice -20, "H"); unbound pools are shared by
//     attributes (nice). A workqueue has one pool_workqueue (pwq) per pool it uses, which counts
//     nr_active against max_active and holds the excess on an inactive list, activated in order.
//   * Bound pools are concurrency managed: per vCPU one item runs at a time; when it sleeps the
//     scheduler tells the pool and an idle worker takes the next item. An item that ran > 10 ms of
//     CPU (workqueue.cpu_intensive_thresh_us) without sleeping is marked CPU intensive and stops
//     counting. Unbound pools are not concurrency managed.
//   * Idle workers sleep in TASK_IDLE (ps "I"); at least 2 are kept, surplus ones are culled after
//     300 s idle. A pool with work but no idle worker makes one of its workers the manager, which
//     creates a worker; if that fails for longer than 10 ms the rescuers of WQ_MEM_RECLAIM queues
//     with work there are summoned ("mayday"), every 100 ms.
//   * PENDING is ownership: queue_work() test-and-sets it and returns false if it was set; the
//     worker clears it just before calling func, so an item may re-queue itself. An item never runs
//     on two workers at once: re-queued while running, it goes to the pool that runs it.
//   * Names: kworker/N:M, kworker/N:MH, kworker/uP:M (P = pool id), kworker/R-<wq>; /proc and ps
//     show "+<wq>" while a worker runs an item and "-<wq>" afterwards.
//
// Not modelled: WQ_BH (needs softirqs; alloc_workqueue refuses it with a WARN for now), RCU work,
// NUMA (one node, one pod: the "cache" affinity scope covers every vCPU), the freezer
// (WQ_FREEZABLE is accepted and recorded; nothing freezes yet), sysfs (WQ_SYSFS is accepted).
//
// Contexts: queue_*, mod_delayed_work*, cancel_work, cancel_delayed_work, work_pending, work_busy:
// any (tasks, timer callbacks, host threads). flush_*, cancel_*_sync, drain/destroy, alloc: a task
// or a host thread (they sleep).
#pragma once

#include <atomic>
#include <cstdarg>

#include "ktl/base/compiler.h"
#include "ktl/base/cpumask.h"
#include "ktl/base/list.h"
#include "ktl/time/timer.h"

namespace ktl {

struct work_struct;
struct workqueue_struct;
struct task_struct;
using work_func_t = void (*)(work_struct* work);

// ---- work item data word (work->data) -------------------------------------------------------
inline constexpr unsigned WORK_STRUCT_PENDING_BIT = 0;   // queued or timer pending
inline constexpr unsigned WORK_STRUCT_INACTIVE_BIT = 1;  // held back by max_active
inline constexpr unsigned WORK_STRUCT_PWQ_BIT = 2;       // data holds a pool_workqueue*
inline constexpr unsigned WORK_STRUCT_LINKED_BIT = 3;    // next item is a flush barrier
inline constexpr unsigned WORK_STRUCT_COLOR_SHIFT = 4;
inline constexpr unsigned WORK_STRUCT_COLOR_BITS = 4;
inline constexpr unsigned WORK_STRUCT_FLAG_BITS = WORK_STRUCT_COLOR_SHIFT + WORK_STRUCT_COLOR_BITS;
inline constexpr unsigned long WORK_STRUCT_PENDING = 1ul << WORK_STRUCT_PENDING_BIT;
inline constexpr unsigned long WORK_STRUCT_INACTIVE = 1ul << WORK_STRUCT_INACTIVE_BIT;
inline constexpr unsigned long WORK_STRUCT_PWQ = 1ul << WORK_STRUCT_PWQ_BIT;
inline constexpr unsigned long WORK_STRUCT_LINKED = 1ul << WORK_STRUCT_LINKED_BIT;
inline constexpr int WORK_NR_COLORS = 1 << WORK_STRUCT_COLOR_BITS;  // 16
inline constexpr int WORK_NO_COLOR = WORK_NR_COLORS;
// Off queue: bit 8 OFFQ_BH, bits 9..24 the disable count, the rest the last pool's id.
inline constexpr unsigned WORK_OFFQ_BH_BIT = WORK_STRUCT_FLAG_BITS;
inline constexpr unsigned WORK_OFFQ_DISABLE_SHIFT = WORK_OFFQ_BH_BIT + 1;
inline constexpr unsigned WORK_OFFQ_DISABLE_BITS = 16;
inline constexpr unsigned long WORK_OFFQ_DISABLE_MAX = (1ul << WORK_OFFQ_DISABLE_BITS) - 1;
inline constexpr unsigned WORK_OFFQ_POOL_SHIFT = WORK_OFFQ_DISABLE_SHIFT + WORK_OFFQ_DISABLE_BITS;
inline constexpr unsigned long WORK_OFFQ_POOL_NONE = (1ul << 31) - 1;
inline constexpr unsigned long WORK_STRUCT_NO_POOL = WORK_OFFQ_POOL_NONE << WORK_OFFQ_POOL_SHIFT;
inline constexpr unsigned long WORK_DATA_INIT = WORK_STRUCT_NO_POOL;

inline constexpr int WORK_CPU_UNBOUND = NR_CPUS;

// work_busy() bits.
inline constexpr unsigned WORK_BUSY_PENDING = 1u << 0;
inline constexpr unsigned WORK_BUSY_RUNNING = 1u << 1;

struct work_struct {
  std::atomic<unsigned long> data{WORK_DATA_INIT};
  list_head entry{&entry, &entry};
  work_func_t func = nullptr;
};

struct delayed_work {
  work_struct work;
  timer_list timer;
  workqueue_struct* wq = nullptr;  // target recorded while the timer is pending
  int cpu = 0;
};

// ---- alloc_workqueue() flags ------------------------------------------------------------------
inline constexpr unsigned WQ_BH = 1u << 0;
inline constexpr unsigned WQ_UNBOUND = 1u << 1;
inline constexpr unsigned WQ_FREEZABLE = 1u << 2;
inline constexpr unsigned WQ_MEM_RECLAIM = 1u << 3;
inline constexpr unsigned WQ_HIGHPRI = 1u << 4;
inline constexpr unsigned WQ_CPU_INTENSIVE = 1u << 5;
inline constexpr unsigned WQ_SYSFS = 1u << 6;
inline constexpr unsigned WQ_POWER_EFFICIENT = 1u << 7;
inline constexpr unsigned WQ_PERCPU = 1u << 8;
inline constexpr unsigned __WQ_DESTROYING = 1u << 15;
inline constexpr unsigned __WQ_DRAINING = 1u << 16;
inline constexpr unsigned __WQ_ORDERED = 1u << 17;
inline constexpr unsigned __WQ_LEGACY = 1u << 18;

inline constexpr int WQ_MAX_ACTIVE = 2048;
inline constexpr int WQ_UNBOUND_MAX_ACTIVE = WQ_MAX_ACTIVE;
inline constexpr int WQ_DFL_ACTIVE = WQ_MAX_ACTIVE / 2;
inline constexpr int WQ_DFL_MIN_ACTIVE = 8;
inline constexpr int WQ_NAME_LEN = 32;
inline constexpr int WORKER_DESC_LEN = 32;

// ---- initialisers -------------------------------------------------------------------------------
void __init_work(work_struct* work, work_func_t func) noexcept;
void __init_delayed_work(delayed_work* dwork, work_func_t func, u32 timer_flags) noexcept;
// The timer function of every delayed_work; exported to C as "ktl_delayed_work_timer_fn", which
// the compat DECLARE_DELAYED_WORK names in its static initialiser (the same address C++ uses).
void delayed_work_timer_fn(timer_list* t) __asm__("ktl_delayed_work_timer_fn");

#define __WORK_INITIALIZER(n, f) {{::ktl::WORK_DATA_INIT}, {&(n).entry, &(n).entry}, (f)}
#define __DELAYED_WORK_INITIALIZER(n, f, tflags)                                      \
  {__WORK_INITIALIZER((n).work, (f)),                                                 \
   {{nullptr, nullptr, 0}, 0, ::ktl::delayed_work_timer_fn, (tflags) | ::ktl::TIMER_IRQSAFE, \
    false},                                                                           \
   nullptr, 0}
#define DECLARE_WORK(n, f) ::ktl::work_struct n = __WORK_INITIALIZER(n, f)
#define DECLARE_DELAYED_WORK(n, f) ::ktl::delayed_work n = __DELAYED_WORK_INITIALIZER(n, f, 0)
#define DECLARE_DEFERRABLE_WORK(n, f) \
  ::ktl::delayed_work n = __DELAYED_WORK_INITIALIZER(n, f, ::ktl::TIMER_DEFERRABLE)
#define INIT_WORK(_work, _func) ::ktl::__init_work((_work), (_func))
#define INIT_WORK_ONSTACK(_work, _func) ::ktl::__init_work((_work), (_func))
#define destroy_work_on_stack(_work) ((void)(_work))
#define destroy_delayed_work_on_stack(_work) ((void)(_work))
#define INIT_DELAYED_WORK(_work, _func) ::ktl::__init_delayed_work((_work), (_func), 0)
#define INIT_DELAYED_WORK_ONSTACK(_work, _func) ::ktl::__init_delayed_work((_work), (_func), 0)
#define INIT_DEFERRABLE_WORK(_work, _func) \
  ::ktl::__init_delayed_work((_work), (_func), ::ktl::TIMER_DEFERRABLE)

inline delayed_work* to_delayed_work(work_struct* work) {
  return container_of(work, delayed_work, work);
}
inline bool work_pending(const work_struct* work) {
  return work->data.load(std::memory_order_relaxed) & WORK_STRUCT_PENDING;
}
inline bool delayed_work_pending(const delayed_work* dwork) { return work_pending(&dwork->work); }

// ---- workqueues -----------------------------------------------------------------------------------
// NULL on failure (bad flags, out of memory). The name is printf-formatted; longer than
// WQ_NAME_LEN - 1 characters it is truncated with a warning.
workqueue_struct* alloc_workqueue(const char* fmt, unsigned flags, int max_active, ...)
    KTL_PRINTF(1, 4);
workqueue_struct* valloc_workqueue(const char* fmt, unsigned flags, int max_active, va_list args);
#define alloc_ordered_workqueue(fmt, flags, ...)                                            \
  ::ktl::alloc_workqueue(fmt, ::ktl::WQ_UNBOUND | ::ktl::__WQ_ORDERED | (flags), 1, \
                         ##__VA_ARGS__)
#define create_workqueue(name) \
  ::ktl::alloc_workqueue("%s", ::ktl::__WQ_LEGACY | ::ktl::WQ_MEM_RECLAIM, 1, (name))
#define create_freezable_workqueue(name)                                                     \
  ::ktl::alloc_workqueue("%s",                                                               \
                         ::ktl::__WQ_LEGACY | ::ktl::WQ_FREEZABLE | ::ktl::WQ_UNBOUND |      \
                             ::ktl::WQ_MEM_RECLAIM,                                          \
                         1, (name))
#define create_singlethread_workqueue(name) \
  alloc_ordered_workqueue("%s", ::ktl::__WQ_LEGACY | ::ktl::WQ_MEM_RECLAIM, (name))

void destroy_workqueue(workqueue_struct* wq);
void workqueue_set_max_active(workqueue_struct* wq, int max_active);
void workqueue_set_min_active(workqueue_struct* wq, int min_active);
bool workqueue_congested(int cpu, workqueue_struct* wq);
// The queue's name and flags (for tests and diagnostics).
const char* workqueue_name(const workqueue_struct* wq) noexcept;
unsigned workqueue_flags(const workqueue_struct* wq) noexcept;
int workqueue_max_active(const workqueue_struct* wq) noexcept;

// System workqueues (valid while a kernel runs). Exported to C as ktl_<name>, which the compat
// <linux/workqueue.h> declares under the kernel's names.
extern workqueue_struct* system_wq __asm__("ktl_system_wq");
extern workqueue_struct* system_percpu_wq __asm__("ktl_system_percpu_wq");
extern workqueue_struct* system_highpri_wq __asm__("ktl_system_highpri_wq");
extern workqueue_struct* system_long_wq __asm__("ktl_system_long_wq");
extern workqueue_struct* system_unbound_wq __asm__("ktl_system_unbound_wq");
extern workqueue_struct* system_dfl_wq __asm__("ktl_system_dfl_wq");
extern workqueue_struct* system_freezable_wq __asm__("ktl_system_freezable_wq");
extern workqueue_struct* system_power_efficient_wq __asm__("ktl_system_power_efficient_wq");
extern workqueue_struct* system_freezable_power_efficient_wq
    __asm__("ktl_system_freezable_power_efficient_wq");

// ---- queueing -----------------------------------------------------------------------------------
bool queue_work_on(int cpu, workqueue_struct* wq, work_struct* work);
bool queue_work_node(int node, workqueue_struct* wq, work_struct* work);
bool queue_delayed_work_on(int cpu, workqueue_struct* wq, delayed_work* dwork,
                           unsigned long delay);
bool mod_delayed_work_on(int cpu, workqueue_struct* wq, delayed_work* dwork, unsigned long delay);
inline bool queue_work(workqueue_struct* wq, work_struct* work) {
  return queue_work_on(WORK_CPU_UNBOUND, wq, work);
}
inline bool queue_delayed_work(workqueue_struct* wq, delayed_work* dwork, unsigned long delay) {
  return queue_delayed_work_on(WORK_CPU_UNBOUND, wq, dwork, delay);
}
inline bool mod_delayed_work(workqueue_struct* wq, delayed_work* dwork, unsigned long delay) {
  return mod_delayed_work_on(WORK_CPU_UNBOUND, wq, dwork, delay);
}
bool schedule_work_on(int cpu, work_struct* work);
bool schedule_work(work_struct* work);
bool schedule_delayed_work_on(int cpu, delayed_work* dwork, unsigned long delay);
bool schedule_delayed_work(delayed_work* dwork, unsigned long delay);
bool enable_and_queue_work(workqueue_struct* wq, work_struct* work);

// ---- flushing and cancelling ---------------------------------------------------------------------
bool flush_work(work_struct* work);
bool flush_delayed_work(delayed_work* dwork);
void __flush_workqueue(workqueue_struct* wq);
// Flushing one of the system workqueues prints Linux's deprecation warning (once per boot).
void flush_workqueue(workqueue_struct* wq);
void flush_scheduled_work();  // flushes system_wq, with the kernel's deprecation warning
void drain_workqueue(workqueue_struct* wq);
bool cancel_work(work_struct* work);
bool cancel_work_sync(work_struct* work);
bool cancel_delayed_work(delayed_work* dwork);
bool cancel_delayed_work_sync(delayed_work* dwork);
bool disable_work(work_struct* work);
bool disable_work_sync(work_struct* work);
bool enable_work(work_struct* work);
bool disable_delayed_work(delayed_work* dwork);
bool disable_delayed_work_sync(delayed_work* dwork);
bool enable_delayed_work(delayed_work* dwork);

// ---- introspection --------------------------------------------------------------------------------
work_struct* current_work();
bool current_is_workqueue_rescuer();
unsigned work_busy(work_struct* work);
void set_worker_desc(const char* fmt, ...) KTL_PRINTF(1, 2);
// Dumps busy workqueues and pools to the log (sysrq-t's workqueue part, show_all_workqueues()).
void show_all_workqueues();

// ---- helpers on top ---------------------------------------------------------------------------------
int schedule_on_each_cpu(work_func_t func);
struct execute_work {
  work_struct work;
};
int execute_in_process_context(work_func_t fn, execute_work* ew);
long work_on_cpu(int cpu, long (*fn)(void* arg), void* arg);
long work_on_cpu_safe(int cpu, long (*fn)(void* arg), void* arg);

// ---- tunables: module parameters workqueue.*, also /sys/module/workqueue/parameters/* ----------
// watchdog_thresh in seconds (0 disables; default 30), cpu_intensive_thresh_us (default 10000),
// power_efficient (default N). Every boot starts from the defaults.
void wq_watchdog_set_thresh(unsigned long seconds);
unsigned long wq_watchdog_thresh();
void wq_watchdog_touch(int cpu);
void wq_set_cpu_intensive_thresh_us(unsigned long us);
void wq_set_power_efficient(bool on);

// Fault injection for tests: while non-zero, each worker creation fails with -ENOMEM (the count
// is decremented per failure; -1 fails forever until reset to 0).
void wq_inject_create_worker_failures(int count);

}  // namespace ktl
