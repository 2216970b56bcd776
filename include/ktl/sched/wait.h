// Wait queues and the wait_event family (include/linux/wait.h).
//
// Contexts: wake_up*() from any context (task, timer callback, host thread). The wait_event*()
// forms and prepare_to_wait/schedule sleep: task context only (might_sleep()).
// Guarantee: a waker that makes the condition true *before* calling wake_up*() can never be
// missed: the waiter is queued and its state set before it re-tests the condition, and the wake-up
// protocol (sched/task.h) turns a wake that races with the sleep into "do not sleep".
// Return values follow Linux exactly: see each macro. Timeouts are in jiffies.
//
// The engine's functions carry an _impl suffix: a function named like one of the macros would be
// re-expanded by the preprocessor.
//
// The macros take the queue as an lvalue (not a pointer) and the condition as an expression that
// may be evaluated any number of times, exactly like the kernel's.
#pragma once

#include "ktl/base/err.h"
#include "ktl/base/list.h"
#include "ktl/locking/spinlock.h"
#include "ktl/sched/sched.h"

namespace ktl {

struct wait_queue_entry;
using wait_queue_func_t = int (*)(wait_queue_entry* wq_entry, unsigned mode, int flags, void* key);

inline constexpr unsigned WQ_FLAG_EXCLUSIVE = 0x01;
inline constexpr unsigned WQ_FLAG_WOKEN = 0x02;
inline constexpr unsigned WQ_FLAG_CUSTOM = 0x04;
inline constexpr unsigned WQ_FLAG_DONE = 0x08;
inline constexpr unsigned WQ_FLAG_PRIORITY = 0x10;

struct wait_queue_entry {
  unsigned flags = 0;
  void* private_ = nullptr;  // the task for default_wake_function ("private" in Linux)
  wait_queue_func_t func = nullptr;
  list_head entry = {&entry, &entry};
};
using wait_queue_entry_t = wait_queue_entry;

struct wait_queue_head {
  spinlock_t lock;
  list_head head;
  wait_queue_head() noexcept { INIT_LIST_HEAD(&head); }
  wait_queue_head(const wait_queue_head&) = delete;
  wait_queue_head& operator=(const wait_queue_head&) = delete;
};
using wait_queue_head_t = wait_queue_head;

#define DECLARE_WAIT_QUEUE_HEAD(name) ::ktl::wait_queue_head name
#define DECLARE_WAIT_QUEUE_HEAD_ONSTACK(name) ::ktl::wait_queue_head name

void init_waitqueue_head(wait_queue_head* wq_head) noexcept;
int default_wake_function(wait_queue_entry* wq_entry, unsigned mode, int flags, void* key);
int autoremove_wake_function(wait_queue_entry* wq_entry, unsigned mode, int flags, void* key);
int woken_wake_function(wait_queue_entry* wq_entry, unsigned mode, int flags, void* key);

void init_waitqueue_entry(wait_queue_entry* e, task_struct* p) noexcept;
void init_waitqueue_func_entry(wait_queue_entry* e, wait_queue_func_t func) noexcept;
void init_wait_entry(wait_queue_entry* e, unsigned flags) noexcept;
#define DEFINE_WAIT_FUNC(name, function)          \
  ::ktl::wait_queue_entry name;                   \
  name.private_ = ::ktl::get_current();           \
  name.func = (function)
#define DEFINE_WAIT(name) DEFINE_WAIT_FUNC(name, ::ktl::autoremove_wake_function)
#define init_wait(wait)                                  \
  do {                                                   \
    (wait)->private_ = ::ktl::get_current();             \
    (wait)->func = ::ktl::autoremove_wake_function;      \
    ::ktl::INIT_LIST_HEAD(&(wait)->entry);               \
    (wait)->flags = 0;                                   \
  } while (0)

void add_wait_queue(wait_queue_head* wq_head, wait_queue_entry* e);
void add_wait_queue_exclusive(wait_queue_head* wq_head, wait_queue_entry* e);
void add_wait_queue_priority(wait_queue_head* wq_head, wait_queue_entry* e);
void remove_wait_queue(wait_queue_head* wq_head, wait_queue_entry* e);
void __add_wait_queue(wait_queue_head* wq_head, wait_queue_entry* e) noexcept;
void __add_wait_queue_entry_tail(wait_queue_head* wq_head, wait_queue_entry* e) noexcept;
void __remove_wait_queue(wait_queue_head* wq_head, wait_queue_entry* e) noexcept;

void prepare_to_wait(wait_queue_head* wq_head, wait_queue_entry* e, unsigned state);
// Returns true if the queue was empty before this entry was added (Linux 6.x).
bool prepare_to_wait_exclusive(wait_queue_head* wq_head, wait_queue_entry* e, unsigned state);
// Returns -ERESTARTSYS (and dequeues the entry) if a signal the state allows is pending.
long prepare_to_wait_event(wait_queue_head* wq_head, wait_queue_entry* e, unsigned state);
void finish_wait(wait_queue_head* wq_head, wait_queue_entry* e);
long wait_woken(wait_queue_entry* e, unsigned mode, long timeout);

// Wakes every non-exclusive waiter and up to nr_exclusive exclusive ones (0 = all) whose state
// matches `mode`. Returns the number of exclusive waiters still allowed (Linux's internal
// convention is void; ktl returns how many entries' wake functions reported a wake-up).
int __wake_up(wait_queue_head* wq_head, unsigned mode, int nr_exclusive, void* key);
void __wake_up_locked(wait_queue_head* wq_head, unsigned mode, int nr);
void __wake_up_locked_key(wait_queue_head* wq_head, unsigned mode, void* key);
void __wake_up_sync(wait_queue_head* wq_head, unsigned mode);

// True if anybody waits. The caller must order its condition update before this test
// (smp_mb(), or use wq_has_sleeper, which includes the barrier).
bool waitqueue_active(const wait_queue_head* wq_head) noexcept;
bool wq_has_sleeper(wait_queue_head* wq_head) noexcept;
bool wq_has_single_sleeper(const wait_queue_head* wq_head) noexcept;

#define wake_up(x) ::ktl::__wake_up((x), ::ktl::TASK_NORMAL, 1, nullptr)
#define wake_up_nr(x, nr) ::ktl::__wake_up((x), ::ktl::TASK_NORMAL, (nr), nullptr)
#define wake_up_all(x) ::ktl::__wake_up((x), ::ktl::TASK_NORMAL, 0, nullptr)
#define wake_up_locked(x) ::ktl::__wake_up_locked((x), ::ktl::TASK_NORMAL, 1)
#define wake_up_all_locked(x) ::ktl::__wake_up_locked((x), ::ktl::TASK_NORMAL, 0)
#define wake_up_interruptible(x) ::ktl::__wake_up((x), ::ktl::TASK_INTERRUPTIBLE, 1, nullptr)
#define wake_up_interruptible_nr(x, nr) \
  ::ktl::__wake_up((x), ::ktl::TASK_INTERRUPTIBLE, (nr), nullptr)
#define wake_up_interruptible_all(x) ::ktl::__wake_up((x), ::ktl::TASK_INTERRUPTIBLE, 0, nullptr)
#define wake_up_interruptible_sync(x) ::ktl::__wake_up_sync((x), ::ktl::TASK_INTERRUPTIBLE)
#define wake_up_poll(x, m) \
  ::ktl::__wake_up((x), ::ktl::TASK_NORMAL, 1, reinterpret_cast<void*>(static_cast<uintptr_t>(m)))

// ---- the wait_event engine -----------------------------------------------------------------
namespace wait_detail {

KTL_ALWAYS_INLINE constexpr bool is_interruptible(unsigned state) {
  return state & (TASK_INTERRUPTIBLE | TASK_WAKEKILL);
}
void note_block_site(const char* func) noexcept;

// One body for the whole family, like the kernel's ___wait_event(). `cmd(ret)` sleeps and returns
// the new ret (the remaining timeout for the timeout forms). For timeout forms the loop also ends
// when ret reaches 0; a condition that is true at that moment turns the result into 1.
template <bool kTimeout, typename Cond, typename Cmd>
long wait_event_loop(wait_queue_head* wq, Cond&& cond, unsigned state, bool exclusive, long ret,
                     Cmd&& cmd) {
  wait_queue_entry e;
  init_wait_entry(&e, exclusive ? WQ_FLAG_EXCLUSIVE : 0);
  for (;;) {
    long intr = prepare_to_wait_event(wq, &e, state);
    if constexpr (kTimeout) {
      bool c = cond();
      if (c && !ret) ret = 1;
      if (c || !ret) break;
    } else {
      if (cond()) break;
    }
    if (is_interruptible(state) && intr) return intr;  // already dequeued
    ret = cmd(ret);
  }
  finish_wait(wq, &e);
  return ret;
}

long schedule_timeout_for_wait(long timeout);

template <typename Cond>
KTL_ALWAYS_INLINE long fast_timeout(Cond& cond, long ret, bool* done) {
  bool c = cond();
  if (c && !ret) ret = 1;
  *done = c || !ret;
  return ret;
}

template <typename Cond>
void wait_event_impl(wait_queue_head* wq, Cond&& cond, unsigned state, bool exclusive,
                const char* site) {
  might_sleep();
  if (cond()) return;
  note_block_site(site);
  wait_event_loop<false>(wq, cond, state, exclusive, 0, [](long r) {
    schedule();
    return r;
  });
  note_block_site(nullptr);
}
template <typename Cond>
int wait_event_intr_impl(wait_queue_head* wq, Cond&& cond, unsigned state, bool exclusive,
                    const char* site) {
  might_sleep();
  if (cond()) return 0;
  note_block_site(site);
  int ret = static_cast<int>(wait_event_loop<false>(wq, cond, state, exclusive, 0, [](long r) {
    schedule();
    return r;
  }));
  note_block_site(nullptr);
  return ret;
}
template <typename Cond>
long wait_event_timeout_impl(wait_queue_head* wq, Cond&& cond, unsigned state, bool exclusive,
                        long timeout, const char* site) {
  might_sleep();
  bool done;
  long ret = fast_timeout(cond, timeout, &done);
  if (done) return ret;
  note_block_site(site);
  ret = wait_event_loop<true>(wq, cond, state, exclusive, ret,
                              [](long r) { return schedule_timeout_for_wait(r); });
  note_block_site(nullptr);
  return ret;
}

}  // namespace wait_detail

// void; TASK_UNINTERRUPTIBLE.
#define wait_event(wq, condition)                                                       \
  ::ktl::wait_detail::wait_event_impl(&(wq), [&]() -> bool { return (condition); },           \
                                 ::ktl::TASK_UNINTERRUPTIBLE, false, __func__)
#define wait_event_exclusive(wq, condition)                                             \
  ::ktl::wait_detail::wait_event_impl(&(wq), [&]() -> bool { return (condition); },           \
                                 ::ktl::TASK_UNINTERRUPTIBLE, true, __func__)
#define io_wait_event(wq, condition) wait_event(wq, condition)
// void; TASK_IDLE (no load contribution, no hung-task report).
#define wait_event_idle(wq, condition)                                                  \
  ::ktl::wait_detail::wait_event_impl(&(wq), [&]() -> bool { return (condition); },           \
                                 ::ktl::TASK_IDLE, false, __func__)
#define wait_event_idle_exclusive(wq, condition)                                        \
  ::ktl::wait_detail::wait_event_impl(&(wq), [&]() -> bool { return (condition); },           \
                                 ::ktl::TASK_IDLE, true, __func__)
// long: 0 timed out with the condition false, 1 condition true at the deadline, else the
// remaining jiffies.
#define wait_event_timeout(wq, condition, timeout)                                        \
  ::ktl::wait_detail::wait_event_timeout_impl(&(wq), [&]() -> bool { return (condition); },     \
                                         ::ktl::TASK_UNINTERRUPTIBLE, false, (timeout),    \
                                         __func__)
#define wait_event_idle_timeout(wq, condition, timeout)                                   \
  ::ktl::wait_detail::wait_event_timeout_impl(&(wq), [&]() -> bool { return (condition); },     \
                                         ::ktl::TASK_IDLE, false, (timeout), __func__)
#define wait_event_idle_exclusive_timeout(wq, condition, timeout)                         \
  ::ktl::wait_detail::wait_event_timeout_impl(&(wq), [&]() -> bool { return (condition); },     \
                                         ::ktl::TASK_IDLE, true, (timeout), __func__)
// int: 0, or -ERESTARTSYS if interrupted by a signal (for a kthread: kthread_stop()).
#define wait_event_interruptible(wq, condition)                                           \
  ::ktl::wait_detail::wait_event_intr_impl(&(wq), [&]() -> bool { return (condition); },        \
                                      ::ktl::TASK_INTERRUPTIBLE, false, __func__)
#define wait_event_interruptible_exclusive(wq, condition)                                 \
  ::ktl::wait_detail::wait_event_intr_impl(&(wq), [&]() -> bool { return (condition); },        \
                                      ::ktl::TASK_INTERRUPTIBLE, true, __func__)
#define wait_event_freezable(wq, condition)                                               \
  ::ktl::wait_detail::wait_event_intr_impl(&(wq), [&]() -> bool { return (condition); },        \
                                      ::ktl::TASK_INTERRUPTIBLE | ::ktl::TASK_FREEZABLE,   \
                                      false, __func__)
#define wait_event_freezable_exclusive(wq, condition)                                     \
  ::ktl::wait_detail::wait_event_intr_impl(&(wq), [&]() -> bool { return (condition); },        \
                                      ::ktl::TASK_INTERRUPTIBLE | ::ktl::TASK_FREEZABLE,   \
                                      true, __func__)
// int: 0 or -ERESTARTSYS (only fatal signals wake).
#define wait_event_killable(wq, condition)                                                \
  ::ktl::wait_detail::wait_event_intr_impl(&(wq), [&]() -> bool { return (condition); },        \
                                      ::ktl::TASK_KILLABLE, false, __func__)
#define wait_event_killable_exclusive(wq, condition)                                      \
  ::ktl::wait_detail::wait_event_intr_impl(&(wq), [&]() -> bool { return (condition); },        \
                                      ::ktl::TASK_KILLABLE, true, __func__)
#define wait_event_state(wq, condition, state)                                            \
  ::ktl::wait_detail::wait_event_intr_impl(&(wq), [&]() -> bool { return (condition); },        \
                                      (state), false, __func__)
#define wait_event_state_exclusive(wq, condition, state)                                  \
  ::ktl::wait_detail::wait_event_intr_impl(&(wq), [&]() -> bool { return (condition); },        \
                                      (state), true, __func__)
// long: -ERESTARTSYS, 0, 1 or remaining jiffies.
#define wait_event_interruptible_timeout(wq, condition, timeout)                          \
  ::ktl::wait_detail::wait_event_timeout_impl(&(wq), [&]() -> bool { return (condition); },     \
                                         ::ktl::TASK_INTERRUPTIBLE, false, (timeout),      \
                                         __func__)
#define wait_event_killable_timeout(wq, condition, timeout)                               \
  ::ktl::wait_detail::wait_event_timeout_impl(&(wq), [&]() -> bool { return (condition); },     \
                                         ::ktl::TASK_KILLABLE, false, (timeout), __func__)
#define wait_event_freezable_timeout(wq, condition, timeout)                              \
  ::ktl::wait_detail::wait_event_timeout_impl(                                                 \
      &(wq), [&]() -> bool { return (condition); },                                       \
      ::ktl::TASK_INTERRUPTIBLE | ::ktl::TASK_FREEZABLE, false, (timeout), __func__)

// wait_event_cmd: cmd1 runs before each sleep, cmd2 after (used to drop and retake a lock).
#define wait_event_cmd(wq, condition, cmd1, cmd2)                                         \
  do {                                                                                    \
    /* No might_sleep(): the _cmd forms are entered with a lock held by design. */        \
    if (condition) break;                                                                 \
    ::ktl::wait_detail::wait_event_loop<false>(                                           \
        &(wq), [&]() -> bool { return (condition); }, ::ktl::TASK_UNINTERRUPTIBLE, false,  \
        0, [&](long r) {                                                                  \
          cmd1;                                                                           \
          ::ktl::schedule();                                                              \
          cmd2;                                                                           \
          return r;                                                                       \
        });                                                                               \
  } while (0)
#define wait_event_exclusive_cmd(wq, condition, cmd1, cmd2)                               \
  do {                                                                                    \
    /* No might_sleep(): the _cmd forms are entered with a lock held by design. */        \
    if (condition) break;                                                                 \
    ::ktl::wait_detail::wait_event_loop<false>(                                           \
        &(wq), [&]() -> bool { return (condition); }, ::ktl::TASK_UNINTERRUPTIBLE, true,   \
        0, [&](long r) {                                                                  \
          cmd1;                                                                           \
          ::ktl::schedule();                                                              \
          cmd2;                                                                           \
          return r;                                                                       \
        });                                                                               \
  } while (0)

// _lock_irq forms: called with `lock` (a spinlock_t lvalue) held; it is dropped around each
// sleep and held again when the condition is tested and on return.
#define wait_event_lock_irq(wq, condition, lock) \
  wait_event_cmd(wq, condition, ::ktl::spin_unlock_irq(&(lock)), ::ktl::spin_lock_irq(&(lock)))
#define wait_event_interruptible_lock_irq(wq, condition, lock)                              \
  ([&]() -> int {                                                                           \
    if (condition) return 0;                                                                \
    return static_cast<int>(::ktl::wait_detail::wait_event_loop<false>(                     \
        &(wq), [&]() -> bool { return (condition); }, ::ktl::TASK_INTERRUPTIBLE, false, 0,   \
        [&](long r) {                                                                       \
          ::ktl::spin_unlock_irq(&(lock));                                                  \
          ::ktl::schedule();                                                                \
          ::ktl::spin_lock_irq(&(lock));                                                    \
          return r;                                                                         \
        }));                                                                                \
  }())
#define wait_event_lock_irq_timeout(wq, condition, lock, timeout)                           \
  ([&]() -> long {                                                                          \
    long __ret = (timeout);                                                                 \
    bool __c = (condition);                                                                 \
    if (__c && !__ret) __ret = 1;                                                           \
    if (__c || !__ret) return __ret;                                                        \
    return ::ktl::wait_detail::wait_event_loop<true>(                                       \
        &(wq), [&]() -> bool { return (condition); }, ::ktl::TASK_UNINTERRUPTIBLE, false,    \
        __ret, [&](long r) {                                                                \
          ::ktl::spin_unlock_irq(&(lock));                                                  \
          r = ::ktl::schedule_timeout(r);                                                   \
          ::ktl::spin_lock_irq(&(lock));                                                    \
          return r;                                                                         \
        });                                                                                 \
  }())
#define wait_event_interruptible_lock_irq_timeout(wq, condition, lock, timeout)             \
  ([&]() -> long {                                                                          \
    long __ret = (timeout);                                                                 \
    bool __c = (condition);                                                                 \
    if (__c && !__ret) __ret = 1;                                                           \
    if (__c || !__ret) return __ret;                                                        \
    return ::ktl::wait_detail::wait_event_loop<true>(                                       \
        &(wq), [&]() -> bool { return (condition); }, ::ktl::TASK_INTERRUPTIBLE, false,      \
        __ret, [&](long r) {                                                                \
          ::ktl::spin_unlock_irq(&(lock));                                                  \
          r = ::ktl::schedule_timeout(r);                                                   \
          ::ktl::spin_lock_irq(&(lock));                                                    \
          return r;                                                                         \
        });                                                                                 \
  }())

// _locked forms: the caller holds wq.lock (taken with spin_lock_irq); returns 0 or -ERESTARTSYS.
// Called with wq->lock held (taken with spin_lock_irq); drops it around the sleep.
int wait_event_locked_sleep(wait_queue_head* wq, wait_queue_entry* e, unsigned state)
    KTL_REQUIRES(wq->lock);
#define __wait_event_interruptible_locked_impl(wq, condition, exclusive)                    \
  ([&]() -> int {                                                                           \
    if (condition) return 0;                                                                \
    ::ktl::wait_queue_entry __wait;                                                         \
    ::ktl::init_waitqueue_entry(&__wait, ::ktl::get_current());                             \
    if (exclusive) __wait.flags |= ::ktl::WQ_FLAG_EXCLUSIVE;                                \
    int __ret = 0;                                                                          \
    do {                                                                                    \
      __ret = ::ktl::wait_event_locked_sleep(&(wq), &__wait, ::ktl::TASK_INTERRUPTIBLE);    \
      if (__ret) break;                                                                     \
    } while (!(condition));                                                                 \
    ::ktl::__remove_wait_queue(&(wq), &__wait);                                             \
    ::ktl::__set_current_state(::ktl::TASK_RUNNING);                                        \
    return __ret;                                                                           \
  }())
#define wait_event_interruptible_locked(wq, condition) \
  __wait_event_interruptible_locked_impl(wq, condition, false)
#define wait_event_interruptible_locked_irq(wq, condition) \
  __wait_event_interruptible_locked_impl(wq, condition, false)
#define wait_event_interruptible_exclusive_locked(wq, condition) \
  __wait_event_interruptible_locked_impl(wq, condition, true)
#define wait_event_interruptible_exclusive_locked_irq(wq, condition) \
  __wait_event_interruptible_locked_impl(wq, condition, true)

// hrtimeout forms: `timeout` is a ktime_t (ns). 0, -ETIME, or -ERESTARTSYS.
namespace wait_detail {
// A one-shot high-resolution deadline that wakes the task which armed it (hrtimer_sleeper).
struct hr_deadline {
  alignas(8) unsigned char storage[128];
  hr_deadline(s64 timeout_ns) noexcept;
  ~hr_deadline();
  bool expired() const noexcept;
};
template <typename Cond>
int wait_event_hrtimeout_impl(wait_queue_head* wq, Cond&& cond, unsigned state, s64 timeout_ns) {
  might_sleep();
  if (cond()) return 0;
  hr_deadline deadline(timeout_ns);
  long r = wait_event_loop<false>(wq, [&]() -> bool { return cond() || deadline.expired(); },
                                  state, false, 0, [](long v) {
                                    schedule();
                                    return v;
                                  });
  if (r) return static_cast<int>(r);
  if (cond()) return 0;
  return -ETIME;
}
}  // namespace wait_detail
#define wait_event_hrtimeout(wq, condition, timeout)                                        \
  ::ktl::wait_detail::wait_event_hrtimeout_impl(&(wq), [&]() -> bool { return (condition); },     \
                                           ::ktl::TASK_UNINTERRUPTIBLE, (timeout))
#define wait_event_interruptible_hrtimeout(wq, condition, timeout)                          \
  ::ktl::wait_detail::wait_event_hrtimeout_impl(&(wq), [&]() -> bool { return (condition); },     \
                                           ::ktl::TASK_INTERRUPTIBLE, (timeout))

long schedule_timeout(long timeout);

}  // namespace ktl
