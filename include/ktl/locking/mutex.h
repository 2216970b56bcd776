// struct mutex: a sleeping lock for task context (kernel/locking/mutex.c semantics).
//
// Blocking parks the task, never the vCPU: other tasks of that vCPU run while a task waits.
// Rules (as Linux's): only the owner unlocks; no recursive locking; not from timer callbacks or
// while holding a spinlock (might_sleep() reports it). Unlocking a mutex one does not own WARNs.
// mutex_lock_interruptible/_killable return 0 or -EINTR. Host threads may use it too.
#pragma once

#include <atomic>

#include "ktl/base/err.h"
#include "ktl/base/list.h"
#include "ktl/base/thread_annotations.h"
#include "ktl/locking/spinlock.h"

namespace ktl {

struct KTL_CAPABILITY("mutex") mutex {
  std::atomic<uintptr_t> owner{0};  // task_struct* | MUTEX_FLAG_WAITERS
  spinlock_t wait_lock;
  list_head wait_list = {&wait_list, &wait_list};
  const char* name = nullptr;
  mutex() noexcept = default;
  mutex(const mutex&) = delete;
  mutex& operator=(const mutex&) = delete;
};

#define DEFINE_MUTEX(m) ::ktl::mutex m
void mutex_init(mutex* lock) noexcept;
void mutex_lock(mutex* lock) KTL_ACQUIRE(*lock);
void mutex_lock_nested(mutex* lock, unsigned subclass) KTL_ACQUIRE(*lock);
int mutex_lock_interruptible(mutex* lock) KTL_TRY_ACQUIRE(0, *lock);
int mutex_lock_killable(mutex* lock) KTL_TRY_ACQUIRE(0, *lock);
int mutex_trylock(mutex* lock) KTL_TRY_ACQUIRE(1, *lock);
void mutex_unlock(mutex* lock) KTL_RELEASE(*lock);
bool mutex_is_locked(mutex* lock) noexcept;
task_struct* __mutex_owner(mutex* lock) noexcept;

class KTL_SCOPED_CAPABILITY mutex_guard {
 public:
  explicit mutex_guard(mutex& m) KTL_ACQUIRE(m) : m_(m) { mutex_lock(&m_); }
  ~mutex_guard() KTL_RELEASE() { mutex_unlock(&m_); }
  mutex_guard(const mutex_guard&) = delete;
  mutex_guard& operator=(const mutex_guard&) = delete;

 private:
  mutex& m_;
};

}  // namespace ktl
