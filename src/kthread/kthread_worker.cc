// kthread_worker: a kthread that runs queued kthread_work items (kernel/kthread.c, §2.6).
//
// Every list operation, work->canceling and worker->current_work are under worker->lock.
// work->worker is written under that lock and read without it by flush/cancel (as in Linux: it
// is the worker the item was last queued on, and an item never changes worker), so it is
// accessed with relaxed atomics.
#include "ktl/kthread/kthread_worker.h"

#include <cstdarg>
#include <new>

#include "ktl/base/bug.h"
#include "ktl/kthread/kthread.h"
#include "ktl/sched/completion.h"
#include "ktl/sched/sched.h"
#include "ktl/time/jiffies.h"

namespace ktl {

namespace {

kthread_worker* work_worker(const kthread_work* work) noexcept {
  return __atomic_load_n(&work->worker, __ATOMIC_RELAXED);
}
void set_work_worker(kthread_work* work, kthread_worker* worker) noexcept {
  __atomic_store_n(&work->worker, worker, __ATOMIC_RELAXED);
}

// A pending item (on either list) or one a cancel holds cannot be queued.
bool queuing_blocked(kthread_worker* worker, kthread_work* work) KTL_REQUIRES(worker->lock) {
  (void)worker;
  return !list_empty(&work->node) || work->canceling;
}

void insert_work_sanity_check(kthread_worker* worker, kthread_work* work)
    KTL_REQUIRES(worker->lock) {
  WARN_ON_ONCE(!list_empty(&work->node));
  // One item, one worker: re-init it before handing it to another.
  kthread_worker* owner = work_worker(work);
  WARN_ON_ONCE(owner && owner != worker);
}

// Links `work` before `pos` (the tail of work_list when pos is the list head) and wakes the
// thread if it is not in the middle of an item.
void insert_work(kthread_worker* worker, kthread_work* work, list_head* pos)
    KTL_REQUIRES(worker->lock) {
  insert_work_sanity_check(worker, work);
  list_add_tail(&work->node, pos);
  set_work_worker(work, worker);
  if (!worker->current_work && KTL_LIKELY(worker->task != nullptr))
    wake_up_process(worker->task);
}

// A marker item: completes `done` when the worker reaches it.
struct flush_marker {
  kthread_work work;
  completion done;
};

void flush_marker_fn(kthread_work* work) {
  auto* m = container_of(work, flush_marker, work);
  complete(&m->done);
}

// Stops the timer of the delayed item that embeds `work`, waiting for a running callback. The
// lock is dropped meanwhile (the callback takes it); canceling > 0 keeps anyone from queueing the
// item in that window.
void cancel_delayed_work_timer(kthread_worker* worker, kthread_work* work, unsigned long* flags)
    KTL_NO_THREAD_SAFETY_ANALYSIS {
  auto* dwork = container_of(work, kthread_delayed_work, work);
  work->canceling++;
  spin_unlock_irqrestore(&worker->lock, *flags);
  timer_delete_sync(&dwork->timer);
  spin_lock_irqsave(&worker->lock, *flags);
  work->canceling--;
}

// Takes a pending item off whichever list holds it; true if it was pending.
bool cancel_pending(kthread_work* work) {
  if (list_empty(&work->node)) return false;
  list_del_init(&work->node);
  return true;
}

void queue_delayed_locked(kthread_worker* worker, kthread_delayed_work* dwork,
                          unsigned long delay) KTL_REQUIRES(worker->lock) {
  timer_list* timer = &dwork->timer;
  kthread_work* work = &dwork->work;
  WARN_ON_ONCE(timer->function != kthread_delayed_work_timer_fn);
  if (!delay) {
    insert_work(worker, work, &worker->work_list);
    return;
  }
  insert_work_sanity_check(worker, work);
  list_add(&work->node, &worker->delayed_work_list);
  set_work_worker(work, worker);
  timer->expires = jiffies + delay;
  add_timer(timer);
}

bool cancel_work_sync_common(kthread_work* work, bool is_dwork) KTL_NO_THREAD_SAFETY_ANALYSIS {
  kthread_worker* worker = work_worker(work);
  if (!worker) return false;  // never queued

  unsigned long flags;
  spin_lock_irqsave(&worker->lock, flags);
  WARN_ON_ONCE(work_worker(work) != worker);
  if (is_dwork) cancel_delayed_work_timer(worker, work, &flags);
  bool ret = cancel_pending(work);
  if (worker->current_work == work) {
    // Running now: wait for it with the lock dropped; meanwhile nobody (not even the item
    // itself) can queue it again.
    work->canceling++;
    spin_unlock_irqrestore(&worker->lock, flags);
    kthread_flush_work(work);
    spin_lock_irqsave(&worker->lock, flags);
    work->canceling--;
  }
  spin_unlock_irqrestore(&worker->lock, flags);
  return ret;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
kthread_worker* vcreate_worker_on_node(unsigned int flags, int node, const char* namefmt,
                                       va_list args) {
  auto* worker = new (std::nothrow) kthread_worker();
  if (!worker) return ERR_PTR<kthread_worker>(-ENOMEM);
  kthread_init_worker(worker);
  task_struct* task = vkthread_create_on_node(kthread_worker_fn, worker, node, namefmt, args);
  if (IS_ERR(task)) {
    delete worker;
    return ERR_CAST<kthread_worker>(task);
  }
  worker->flags = flags;
  worker->task = task;
  return worker;
}
#pragma GCC diagnostic pop

void wake_worker(kthread_worker* worker) {
  if (!IS_ERR(worker)) wake_up_process(worker->task);
}

}  // namespace

// ---- initialisation ---------------------------------------------------------------------------

void kthread_init_worker(kthread_worker* worker) noexcept {
  worker->flags = 0;
  spin_lock_init(&worker->lock);
  INIT_LIST_HEAD(&worker->work_list);
  INIT_LIST_HEAD(&worker->delayed_work_list);
  worker->task = nullptr;
  worker->current_work = nullptr;
}

void kthread_init_work(kthread_work* work, kthread_work_func_t fn) noexcept {
  INIT_LIST_HEAD(&work->node);
  work->func = fn;
  set_work_worker(work, nullptr);
  work->canceling = 0;
}

void kthread_init_delayed_work(kthread_delayed_work* dwork, kthread_work_func_t fn) noexcept {
  kthread_init_work(&dwork->work, fn);
  timer_setup(&dwork->timer, kthread_delayed_work_timer_fn, TIMER_IRQSAFE);
}

// ---- the worker thread ------------------------------------------------------------------------

int kthread_worker_fn(void* worker_ptr) {
  auto* worker = static_cast<kthread_worker*>(worker_ptr);
  task_struct* self = get_current();

  WARN_ON(worker->task && worker->task != self);
  // Normally already set by the creator; written only when it is not, so that queuers reading
  // it under the lock meanwhile do not race with a same-value store.
  if (worker->task != self) {
    spin_lock_irq(&worker->lock);
    worker->task = self;
    spin_unlock_irq(&worker->lock);
  }
  if (worker->flags & KTW_FREEZABLE) self->flags &= ~PF_NOFREEZE;  // set_freezable()

  for (;;) {
    // The barrier in set_current_state pairs with kthread_stop's wake-up: a stop request that
    // arrives after the test below finds us in TASK_INTERRUPTIBLE and wakes us.
    set_current_state(TASK_INTERRUPTIBLE);
    if (kthread_should_stop()) {
      __set_current_state(TASK_RUNNING);
      spin_lock_irq(&worker->lock);
      worker->task = nullptr;
      spin_unlock_irq(&worker->lock);
      return 0;
    }

    kthread_work* work = nullptr;
    spin_lock_irq(&worker->lock);
    if (!list_empty(&worker->work_list)) {
      work = list_first_entry(&worker->work_list, kthread_work, node);
      list_del_init(&work->node);
    }
    worker->current_work = work;
    spin_unlock_irq(&worker->lock);

    if (work) {
      __set_current_state(TASK_RUNNING);
      work->func(work);  // may free `work`: not touched afterwards
    } else {
      // No freezer in ktl: freezing(current) is always false, so the idle worker just sleeps.
      self->blocked_at.func = "kthread_worker_fn";
      schedule();
      self->blocked_at.func.store(nullptr, std::memory_order_relaxed);
    }
    cond_resched();
  }
}

// ---- creation ---------------------------------------------------------------------------------

kthread_worker* kthread_create_worker_on_node(unsigned int flags, int node, const char namefmt[],
                                              ...) {
  va_list args;
  va_start(args, namefmt);
  kthread_worker* worker = vcreate_worker_on_node(flags, node, namefmt, args);
  va_end(args);
  return worker;
}

kthread_worker* kthread_create_worker(unsigned int flags, const char namefmt[], ...) {
  va_list args;
  va_start(args, namefmt);
  kthread_worker* worker = vcreate_worker_on_node(flags, NUMA_NO_NODE, namefmt, args);
  va_end(args);
  return worker;
}

kthread_worker* kthread_run_worker(unsigned int flags, const char namefmt[], ...) {
  va_list args;
  va_start(args, namefmt);
  kthread_worker* worker = vcreate_worker_on_node(flags, NUMA_NO_NODE, namefmt, args);
  va_end(args);
  wake_worker(worker);
  return worker;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
kthread_worker* kthread_create_worker_on_cpu(int cpu, unsigned int flags, const char namefmt[]) {
  // cpu_to_node(): ktl has one memory node.
  kthread_worker* worker = kthread_create_worker_on_node(flags, 0, namefmt, cpu);
  if (!IS_ERR(worker)) kthread_bind(worker->task, static_cast<unsigned int>(cpu));
  return worker;
}
#pragma GCC diagnostic pop

kthread_worker* kthread_run_worker_on_cpu(int cpu, unsigned int flags, const char namefmt[]) {
  kthread_worker* worker = kthread_create_worker_on_cpu(cpu, flags, namefmt);
  wake_worker(worker);
  return worker;
}

// ---- queueing ---------------------------------------------------------------------------------

bool kthread_queue_work(kthread_worker* worker, kthread_work* work) {
  bool ret = false;
  unsigned long flags;
  spin_lock_irqsave(&worker->lock, flags);
  if (!queuing_blocked(worker, work)) {
    insert_work(worker, work, &worker->work_list);
    ret = true;
  }
  spin_unlock_irqrestore(&worker->lock, flags);
  return ret;
}

void kthread_delayed_work_timer_fn(timer_list* t) {
  auto* dwork = container_of(t, kthread_delayed_work, timer);
  kthread_work* work = &dwork->work;
  kthread_worker* worker = work_worker(work);
  if (WARN_ON_ONCE(!worker)) return;

  unsigned long flags;
  spin_lock_irqsave(&worker->lock, flags);
  WARN_ON_ONCE(work_worker(work) != worker);
  // Off delayed_work_list; onto work_list unless a cancel is in progress.
  WARN_ON_ONCE(list_empty(&work->node));
  list_del_init(&work->node);
  if (!work->canceling) insert_work(worker, work, &worker->work_list);
  spin_unlock_irqrestore(&worker->lock, flags);
}

bool kthread_queue_delayed_work(kthread_worker* worker, kthread_delayed_work* dwork,
                                unsigned long delay) {
  kthread_work* work = &dwork->work;
  bool ret = false;
  unsigned long flags;
  spin_lock_irqsave(&worker->lock, flags);
  if (!queuing_blocked(worker, work)) {
    queue_delayed_locked(worker, dwork, delay);
    ret = true;
  }
  spin_unlock_irqrestore(&worker->lock, flags);
  return ret;
}

bool kthread_mod_delayed_work(kthread_worker* worker, kthread_delayed_work* dwork,
                              unsigned long delay) KTL_NO_THREAD_SAFETY_ANALYSIS {
  kthread_work* work = &dwork->work;
  bool ret = false;
  unsigned long flags;
  spin_lock_irqsave(&worker->lock, flags);
  if (work_worker(work)) {
    WARN_ON_ONCE(work_worker(work) != worker);
    // The timer goes first (it needs the lock dropped); the item leaves its list only when this
    // caller is the one that will queue it again, so the return value counts queued instances.
    cancel_delayed_work_timer(worker, work, &flags);
    if (work->canceling) {
      // Another cancel owns the item: leave it to that one.
      spin_unlock_irqrestore(&worker->lock, flags);
      return true;
    }
    ret = cancel_pending(work);
  }
  queue_delayed_locked(worker, dwork, delay);
  spin_unlock_irqrestore(&worker->lock, flags);
  return ret;
}

// ---- flushing ---------------------------------------------------------------------------------

void kthread_flush_work(kthread_work* work) {
  kthread_worker* worker = work_worker(work);
  if (!worker) return;  // never queued

  flush_marker m{KTHREAD_WORK_INIT(m.work, flush_marker_fn), {}};
  bool wait = true;
  spin_lock_irq(&worker->lock);
  WARN_ON_ONCE(work_worker(work) != worker);
  if (!list_empty(&work->node)) {
    // Right behind the item, on whichever list holds it. On delayed_work_list (timer pending)
    // the marker stays there when the timer moves the item, and the worker never looks at that
    // list: this flush does not return (the documented caveat, as in Linux).
    insert_work(worker, &m.work, work->node.next);
  } else if (worker->current_work == work) {
    insert_work(worker, &m.work, worker->work_list.next);
  } else {
    wait = false;
  }
  spin_unlock_irq(&worker->lock);
  if (wait) wait_for_completion(&m.done);
}

void kthread_flush_worker(kthread_worker* worker) {
  flush_marker m{KTHREAD_WORK_INIT(m.work, flush_marker_fn), {}};
  kthread_queue_work(worker, &m.work);
  wait_for_completion(&m.done);
}

// ---- cancelling -------------------------------------------------------------------------------

bool kthread_cancel_work_sync(kthread_work* work) { return cancel_work_sync_common(work, false); }

bool kthread_cancel_delayed_work_sync(kthread_delayed_work* dwork) {
  return cancel_work_sync_common(&dwork->work, true);
}

// ---- destruction ------------------------------------------------------------------------------

void kthread_destroy_worker(kthread_worker* worker) {
  task_struct* task = worker->task;
  if (WARN_ON(!task)) return;
  kthread_flush_worker(worker);
  kthread_stop(task);
  WARN_ON(!list_empty(&worker->delayed_work_list));
  WARN_ON(!list_empty(&worker->work_list));
  delete worker;
}

}  // namespace ktl
