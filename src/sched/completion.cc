// Completions (kernel/sched/completion.c).
#include "ktl/sched/completion.h"

#include "ktl/sched/signal.h"
#include "ktl/time/delay.h"
#include "sched/sched_internal.h"

namespace ktl {

namespace {

struct completion_waiter {
  list_head node;
  task_struct* task;
  bool woken;
};

// Wake the first waiter and take it off the queue, so a second complete() wakes the next one.
void wake_first_locked(completion* x, int wake_flags = 0) KTL_REQUIRES(x->lock) {
  if (list_empty(&x->waiters)) return;
  auto* w = list_first_entry(&x->waiters, completion_waiter, node);
  list_del_init(&w->node);
  w->woken = true;
  try_to_wake_up(w->task, TASK_NORMAL, wake_flags);
}

long do_wait_for_common(completion* x, long timeout, unsigned state) KTL_REQUIRES(x->lock) {
  if (!x->done) {
    task_struct* self = get_current();
    completion_waiter w;
    w.task = self;
    w.woken = false;
    INIT_LIST_HEAD(&w.node);
    do {
      // Re-queue after a wake-up whose completion another task consumed first (tail: FIFO).
      if (list_empty(&w.node)) list_add_tail(&w.node, &x->waiters);
      if (signal_pending_state(state, self)) {
        timeout = -ERESTARTSYS;
        break;
      }
      __set_current_state(state);
      spin_unlock_irq(&x->lock);
      timeout = schedule_timeout(timeout);
      spin_lock_irq(&x->lock);
    } while (!x->done && timeout);
    if (!list_empty(&w.node)) list_del_init(&w.node);
    __set_current_state(TASK_RUNNING);
    if (!x->done) return timeout;
  }
  if (x->done != UINT_MAX) __atomic_store_n(&x->done, x->done - 1, __ATOMIC_RELAXED);
  return timeout ? timeout : 1;
}

long wait_for_common(completion* x, long timeout, unsigned state, const char* site) {
  might_sleep();
  task_struct* self = get_current();
  self->blocked_at.func = site;
  spin_lock_irq(&x->lock);
  timeout = do_wait_for_common(x, timeout, state);
  spin_unlock_irq(&x->lock);
  self->blocked_at.func.store(nullptr, std::memory_order_relaxed);
  return timeout;
}

}  // namespace

void init_completion(completion* x) noexcept {
  x->done = 0;
  spin_lock_init(&x->lock);
  INIT_LIST_HEAD(&x->waiters);
}
void reinit_completion(completion* x) noexcept { __atomic_store_n(&x->done, 0, __ATOMIC_RELAXED); }

void complete(completion* x) {
  spin_lock_irq(&x->lock);
  if (x->done != UINT_MAX) __atomic_store_n(&x->done, x->done + 1, __ATOMIC_RELEASE);
  wake_first_locked(x);
  spin_unlock_irq(&x->lock);
}
void complete_on_current_cpu(completion* x) {
  spin_lock_irq(&x->lock);
  if (x->done != UINT_MAX) __atomic_store_n(&x->done, x->done + 1, __ATOMIC_RELEASE);
  wake_first_locked(x, WF_CURRENT_CPU);
  spin_unlock_irq(&x->lock);
}

void internal::complete_all_wf(completion* x, int wake_flags) {
  spin_lock_irq(&x->lock);
  __atomic_store_n(&x->done, UINT_MAX, __ATOMIC_RELEASE);
  while (!list_empty(&x->waiters)) wake_first_locked(x, wake_flags);
  spin_unlock_irq(&x->lock);
}
void complete_all(completion* x) { internal::complete_all_wf(x, 0); }

void wait_for_completion(completion* x) {
  wait_for_common(x, MAX_SCHEDULE_TIMEOUT, TASK_UNINTERRUPTIBLE, "wait_for_completion");
}
void wait_for_completion_io(completion* x) { wait_for_completion(x); }
unsigned long wait_for_completion_timeout(completion* x, unsigned long timeout) {
  return static_cast<unsigned long>(wait_for_common(x, static_cast<long>(timeout),
                                                    TASK_UNINTERRUPTIBLE,
                                                    "wait_for_completion_timeout"));
}
unsigned long wait_for_completion_io_timeout(completion* x, unsigned long timeout) {
  return wait_for_completion_timeout(x, timeout);
}
int wait_for_completion_interruptible(completion* x) {
  long t = wait_for_common(x, MAX_SCHEDULE_TIMEOUT, TASK_INTERRUPTIBLE,
                           "wait_for_completion_interruptible");
  return t == -ERESTARTSYS ? static_cast<int>(t) : 0;
}
long wait_for_completion_interruptible_timeout(completion* x, unsigned long timeout) {
  return wait_for_common(x, static_cast<long>(timeout), TASK_INTERRUPTIBLE,
                         "wait_for_completion_interruptible_timeout");
}
int wait_for_completion_killable(completion* x) {
  long t = wait_for_common(x, MAX_SCHEDULE_TIMEOUT, TASK_KILLABLE, "wait_for_completion_killable");
  return t == -ERESTARTSYS ? static_cast<int>(t) : 0;
}
long wait_for_completion_killable_timeout(completion* x, unsigned long timeout) {
  return wait_for_common(x, static_cast<long>(timeout), TASK_KILLABLE,
                         "wait_for_completion_killable_timeout");
}
int wait_for_completion_state(completion* x, unsigned int state) {
  long t = wait_for_common(x, MAX_SCHEDULE_TIMEOUT, state, "wait_for_completion_state");
  return t == -ERESTARTSYS ? static_cast<int>(t) : 0;
}

bool try_wait_for_completion(completion* x) {
  // Lockless peek first, as Linux does: nothing to take means no lock round trip.
  if (!__atomic_load_n(&x->done, __ATOMIC_ACQUIRE)) return false;
  bool ret = true;
  spin_lock_irq(&x->lock);
  if (!x->done)
    ret = false;
  else if (x->done != UINT_MAX)
    __atomic_store_n(&x->done, x->done - 1, __ATOMIC_RELAXED);
  spin_unlock_irq(&x->lock);
  return ret;
}

bool completion_done(completion* x) {
  if (!__atomic_load_n(&x->done, __ATOMIC_ACQUIRE)) return false;
  // Wait for a concurrent complete() to drop the lock, so the caller may free *x afterwards.
  spin_lock_irq(&x->lock);
  spin_unlock_irq(&x->lock);
  return true;
}

}  // namespace ktl
