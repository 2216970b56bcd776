// kthread_worker: one kernel thread that runs queued work items in order (kernel/kthread.c,
// include/linux/kthread.h; Linux 6.14+ semantics).
//
//   static void fn(ktl::kthread_work* w) { ... }
//   ktl::kthread_worker* w = ktl::kthread_run_worker(0, "my_worker");   // ERR_PTR on failure
//   static DEFINE_KTHREAD_WORK(item, fn);
//   ktl::kthread_queue_work(w, &item);          // true: queued; false: already pending
//   ktl::kthread_flush_work(&item);             // waits until that item has run
//   ktl::kthread_destroy_worker(w);             // flushes, stops the thread, frees the worker
//
// The model:
//   * The worker thread (kthread_worker_fn) takes items FIFO from work_list and runs func(work)
//     in TASK_RUNNING, one at a time, with no lock held; a func may free its own item or queue it
//     again (it then runs again). With nothing to do it sleeps in TASK_INTERRUPTIBLE: ps shows
//     the idle worker as "S", wchan kthread_worker_fn.
//   * An item is "pending" while it sits on work_list or on delayed_work_list (timer armed);
//     queueing a pending item, or one a cancel is blocking (work->canceling > 0), does nothing
//     and returns false. Queueing wakes the worker thread only if it runs no item
//     (current_work == NULL): a busy worker finds the item itself.
//   * Delayed items wait on delayed_work_list for their timer (TIMER_IRQSAFE); when it fires the
//     item moves to the tail of work_list, unless it is being cancelled.
//   * kthread_mod_delayed_work() returns false when the item was idle and is now queued, true
//     otherwise (it was pending and is re-timed, or another cancel owns it and nothing changes).
//   * cancel_*_sync() return whether the item was pending; afterwards it is neither pending nor
//     running, and while they wait for a running func, re-queueing it (even from itself) fails.
//
// Rules (§2.6, §17.9):
//   * Since 6.14 kthread_create_worker*() return a worker whose thread has not been woken (ps
//     "D"): wake it with wake_up_process(worker->task) or use kthread_run_worker*(). Queueing an
//     item to it wakes it, as on Linux.
//   * An item belongs to the worker it was first queued on; queueing it elsewhere WARNs (re-init
//     it with kthread_init_work first).
//   * Never flush a delayed item whose timer is still pending: the flush does not complete (its
//     marker is linked behind the item on delayed_work_list; the timer moves only the item to
//     work_list, and the worker never processes delayed_work_list). Cancel or mod it first.
//   * kthread_cancel_work_sync() is for plain items; use kthread_cancel_delayed_work_sync() for
//     the inner work of a delayed item. The worker must outlive both calls.
//   * kthread_destroy_worker() WARNs (and does nothing) for a worker without a thread, and WARNs
//     if items are still queued after its thread stopped: cancel delayed items first. Items
//     queued after the thread stopped never run.
//   * KTW_FREEZABLE makes the thread freezable (PF_NOFREEZE cleared); ktl has no freezer yet,
//     so nothing ever freezes it.
//
// Contexts: kthread_queue_work, kthread_queue_delayed_work, kthread_mod_delayed_work: any (tasks,
// timer callbacks, host threads). Creation, flush, cancel_*_sync and destroy sleep: a task or a
// host thread. Never flush or cancel_sync an item from its own func (self-deadlock).
//
// Errors: creation returns ERR_PTR(-ENOMEM) when the worker cannot be allocated, and the
// kthread_create error otherwise (ERR_PTR(-ENOMEM / -EAGAIN / -EINTR)).
#pragma once

#include <cstdarg>

#include "ktl/base/compiler.h"
#include "ktl/base/err.h"
#include "ktl/base/list.h"
#include "ktl/locking/spinlock.h"
#include "ktl/sched/task.h"
#include "ktl/time/timer.h"

namespace ktl {

struct kthread_work;
using kthread_work_func_t = void (*)(kthread_work* work);

// kthread_worker::flags
enum : unsigned int {
  KTW_FREEZABLE = 1u << 0,
};

struct kthread_worker {
  unsigned int flags = 0;
  raw_spinlock_t lock;                             // protects everything below
  list_head work_list = {&work_list, &work_list};  // items ready to run, FIFO
  list_head delayed_work_list = {&delayed_work_list, &delayed_work_list};  // timers pending
  task_struct* task = nullptr;                     // the worker thread, nullptr once it stopped
  kthread_work* current_work = nullptr;            // the item running now (only compared)

  kthread_worker() noexcept = default;
  kthread_worker(const kthread_worker&) = delete;
  kthread_worker& operator=(const kthread_worker&) = delete;
};

struct kthread_work {
  list_head node = {&node, &node};  // on work_list / delayed_work_list, else empty
  kthread_work_func_t func = nullptr;
  kthread_worker* worker = nullptr;  // the worker it was last queued on
  int canceling = 0;                 // cancels in progress; queueing fails while > 0

  kthread_work() noexcept = default;
  // Implicit, so `kthread_work w = KTHREAD_WORK_INIT(w, fn);` works as in C.
  kthread_work(kthread_work_func_t fn) noexcept : func(fn) {}  // NOLINT(google-explicit-constructor)
  kthread_work(const kthread_work&) = delete;
  kthread_work& operator=(const kthread_work&) = delete;
};

// The timer function of every kthread_delayed_work; exported to C as
// "ktl_kthread_delayed_work_timer_fn", which the compat DEFINE_KTHREAD_DELAYED_WORK names in its
// static initialiser (the same address C++ uses).
void kthread_delayed_work_timer_fn(timer_list* t) __asm__("ktl_kthread_delayed_work_timer_fn");

struct kthread_delayed_work {
  kthread_work work;
  timer_list timer;

  kthread_delayed_work() noexcept : kthread_delayed_work(nullptr) {}
  kthread_delayed_work(kthread_work_func_t fn) noexcept  // NOLINT(google-explicit-constructor)
      : work(fn) {
    timer.function = kthread_delayed_work_timer_fn;
    timer.flags = TIMER_IRQSAFE;
  }
  kthread_delayed_work(const kthread_delayed_work&) = delete;
  kthread_delayed_work& operator=(const kthread_delayed_work&) = delete;
};

// Static initialisers, used as in C: `kthread_work w = KTHREAD_WORK_INIT(w, fn);`,
// `static DEFINE_KTHREAD_DELAYED_WORK(dw, fn);`. The objects are not copyable (they link to
// themselves), so the *_INIT forms expand to constructor arguments.
#define KTHREAD_WORK_INIT(work, fn) {(fn)}
#define DEFINE_KTHREAD_WORK(work, fn) ::ktl::kthread_work work{(fn)}
#define KTHREAD_DELAYED_WORK_INIT(dwork, fn) {(fn)}
#define DEFINE_KTHREAD_DELAYED_WORK(dwork, fn) ::ktl::kthread_delayed_work dwork{(fn)}
#define KTHREAD_WORKER_INIT(worker) {}
#define DEFINE_KTHREAD_WORKER(worker) ::ktl::kthread_worker worker{}

// Run-time initialisers: an item that was used with one worker may be re-initialised (when it is
// neither pending nor running) before it is used with another.
void kthread_init_worker(kthread_worker* worker) noexcept;
void kthread_init_work(kthread_work* work, kthread_work_func_t fn) noexcept;
void kthread_init_delayed_work(kthread_delayed_work* dwork, kthread_work_func_t fn) noexcept;

// The worker thread's function; `worker_ptr` is a kthread_worker (created with
// kthread_init_worker) — usable with kthread_run() directly. Returns 0 once stopped.
int kthread_worker_fn(void* worker_ptr);

// Creation (not woken, 6.14+): worker or ERR_PTR.
kthread_worker* kthread_create_worker_on_node(unsigned int flags, int node, const char namefmt[],
                                              ...) KTL_PRINTF(3, 4);
kthread_worker* kthread_create_worker(unsigned int flags, const char namefmt[], ...)
    KTL_PRINTF(2, 3);
// namefmt is formatted with `cpu` as its only argument ("name/%d"); the thread is bound to cpu.
kthread_worker* kthread_create_worker_on_cpu(int cpu, unsigned int flags, const char namefmt[]);
// Creation + wake_up_process.
kthread_worker* kthread_run_worker(unsigned int flags, const char namefmt[], ...)
    KTL_PRINTF(2, 3);
kthread_worker* kthread_run_worker_on_cpu(int cpu, unsigned int flags, const char namefmt[]);

bool kthread_queue_work(kthread_worker* worker, kthread_work* work);
bool kthread_queue_delayed_work(kthread_worker* worker, kthread_delayed_work* dwork,
                                unsigned long delay);
bool kthread_mod_delayed_work(kthread_worker* worker, kthread_delayed_work* dwork,
                              unsigned long delay);
void kthread_flush_work(kthread_work* work);
void kthread_flush_worker(kthread_worker* worker);
bool kthread_cancel_work_sync(kthread_work* work);
bool kthread_cancel_delayed_work_sync(kthread_delayed_work* dwork);
void kthread_destroy_worker(kthread_worker* worker);

}  // namespace ktl
