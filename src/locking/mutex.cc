// struct mutex: fast path is one CAS on the owner word; contended lockers queue FIFO on
// wait_list and sleep. The low bit of the owner word says "there are waiters", so an unlock with
// nobody waiting is also a single CAS.
#include "ktl/locking/mutex.h"

#include "ktl/base/bug.h"
#include "ktl/sched/signal.h"
#include "ktl/sched/sched.h"

namespace ktl {

namespace {

constexpr uintptr_t MUTEX_FLAG_WAITERS = 0x01;
constexpr uintptr_t MUTEX_FLAGS = 0x07;

struct mutex_waiter {
  list_head list;
  task_struct* task;
};

KTL_ALWAYS_INLINE bool try_acquire(mutex* lock, uintptr_t me) {
  uintptr_t o = lock->owner.load(std::memory_order_relaxed);
  while (!(o & ~MUTEX_FLAGS)) {
    if (lock->owner.compare_exchange_weak(o, me | (o & MUTEX_FLAGS), std::memory_order_acquire,
                                          std::memory_order_relaxed))
      return true;
  }
  return false;
}

int mutex_lock_slow(mutex* lock, unsigned state) KTL_NO_THREAD_SAFETY_ANALYSIS {
  task_struct* self = get_current();
  uintptr_t me = reinterpret_cast<uintptr_t>(self);
  mutex_waiter w;
  w.task = self;
  spin_lock(&lock->wait_lock);
  if (try_acquire(lock, me)) {
    spin_unlock(&lock->wait_lock);
    return 0;
  }
  list_add_tail(&w.list, &lock->wait_list);
  lock->owner.fetch_or(MUTEX_FLAG_WAITERS, std::memory_order_relaxed);
  int ret = 0;
  for (;;) {
    if (try_acquire(lock, me)) break;
    if (signal_pending_state(state, self)) {
      ret = -EINTR;
      break;
    }
    set_current_state(state);
    spin_unlock(&lock->wait_lock);
    self->blocked_at.func = "mutex_lock";
    schedule();
    spin_lock(&lock->wait_lock);
  }
  __set_current_state(TASK_RUNNING);
  self->blocked_at.func.store(nullptr, std::memory_order_relaxed);
  list_del(&w.list);
  if (list_empty(&lock->wait_list))
    lock->owner.fetch_and(~MUTEX_FLAG_WAITERS, std::memory_order_relaxed);
  spin_unlock(&lock->wait_lock);
  return ret;
}

}  // namespace

void mutex_init(mutex* lock) noexcept {
  lock->owner.store(0, std::memory_order_relaxed);
  spin_lock_init(&lock->wait_lock);
  INIT_LIST_HEAD(&lock->wait_list);
}

void mutex_lock(mutex* lock) KTL_NO_THREAD_SAFETY_ANALYSIS {
  might_sleep();
  uintptr_t expected = 0;
  uintptr_t me = reinterpret_cast<uintptr_t>(get_current());
  if (KTL_LIKELY(lock->owner.compare_exchange_strong(expected, me, std::memory_order_acquire)))
    return;
  mutex_lock_slow(lock, TASK_UNINTERRUPTIBLE);
}
void mutex_lock_nested(mutex* lock, unsigned) KTL_NO_THREAD_SAFETY_ANALYSIS { mutex_lock(lock); }

int mutex_lock_interruptible(mutex* lock) KTL_NO_THREAD_SAFETY_ANALYSIS {
  might_sleep();
  uintptr_t expected = 0;
  uintptr_t me = reinterpret_cast<uintptr_t>(get_current());
  if (lock->owner.compare_exchange_strong(expected, me, std::memory_order_acquire)) return 0;
  return mutex_lock_slow(lock, TASK_INTERRUPTIBLE);
}
int mutex_lock_killable(mutex* lock) KTL_NO_THREAD_SAFETY_ANALYSIS {
  might_sleep();
  uintptr_t expected = 0;
  uintptr_t me = reinterpret_cast<uintptr_t>(get_current());
  if (lock->owner.compare_exchange_strong(expected, me, std::memory_order_acquire)) return 0;
  return mutex_lock_slow(lock, TASK_KILLABLE);
}
int mutex_trylock(mutex* lock) KTL_NO_THREAD_SAFETY_ANALYSIS {
  return try_acquire(lock, reinterpret_cast<uintptr_t>(get_current())) ? 1 : 0;
}

void mutex_unlock(mutex* lock) KTL_NO_THREAD_SAFETY_ANALYSIS {
  uintptr_t me = reinterpret_cast<uintptr_t>(get_current());
  uintptr_t o = lock->owner.load(std::memory_order_relaxed);
  if (WARN_ONCE((o & ~MUTEX_FLAGS) != me, "mutex_unlock of a mutex not owned by %s/%d\n",
                get_current()->comm, get_current()->pid))
    return;
  uintptr_t expected = me;
  if (KTL_LIKELY(lock->owner.compare_exchange_strong(expected, 0, std::memory_order_release)))
    return;
  // Waiters: release, keep the flag, wake the first one. It retries the acquisition; a new
  // locker may steal the mutex first (no hand-off), as Linux allows outside starvation cases.
  spin_lock(&lock->wait_lock);
  lock->owner.fetch_and(MUTEX_FLAGS, std::memory_order_release);
  if (!list_empty(&lock->wait_list)) {
    auto* w = list_first_entry(&lock->wait_list, mutex_waiter, list);
    wake_up_process(w->task);
  }
  spin_unlock(&lock->wait_lock);
}

bool mutex_is_locked(mutex* lock) noexcept {
  return (lock->owner.load(std::memory_order_relaxed) & ~MUTEX_FLAGS) != 0;
}
task_struct* __mutex_owner(mutex* lock) noexcept {
  return reinterpret_cast<task_struct*>(lock->owner.load(std::memory_order_relaxed) & ~MUTEX_FLAGS);
}

}  // namespace ktl
