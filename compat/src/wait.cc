// <linux/wait.h> and <linux/completion.h>: wait queues, the wait_event family's helpers,
// completions.
//
// The wait_event*() macros of the C header run their loop in the caller (as Linux's do) over
// prepare_to_wait_event()/finish_wait() here, so a wait entered from C is the same wait as one
// entered from ktl's C++ API: same queue protocol, same states, same wchan.
#include <cstddef>
#include <new>

#include "ktl/base/bug.h"
#include "ktl/sched/completion.h"
#include "ktl/sched/sched.h"
#include "ktl/sched/signal.h"
#include "ktl/sched/task.h"
#include "ktl/sched/wait.h"

// ---- layouts the C headers rely on -----------------------------------------------------------

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
// spinlock_t: one byte (ktl's arch_spinlock, std::atomic<bool>), 0 when unlocked.
static_assert(sizeof(ktl::spinlock_t) == 1 && alignof(ktl::spinlock_t) == 1);
// struct list_head: next, prev.
static_assert(sizeof(ktl::list_head) == 16 && offsetof(ktl::list_head, next) == 0 &&
              offsetof(ktl::list_head, prev) == 8);
// struct wait_queue_entry: flags, private, func, entry.
static_assert(sizeof(ktl::wait_queue_entry) == 40 && alignof(ktl::wait_queue_entry) == 8);
static_assert(offsetof(ktl::wait_queue_entry, flags) == 0 &&
              sizeof(ktl::wait_queue_entry::flags) == 4 &&
              offsetof(ktl::wait_queue_entry, private_) == 8 &&
              offsetof(ktl::wait_queue_entry, func) == 16 &&
              offsetof(ktl::wait_queue_entry, entry) == 24);
// struct wait_queue_head: lock, head.
static_assert(sizeof(ktl::wait_queue_head) == 24 && alignof(ktl::wait_queue_head) == 8);
static_assert(offsetof(ktl::wait_queue_head, lock) == 0 &&
              offsetof(ktl::wait_queue_head, head) == 8);
// struct completion: done, wait.lock, wait.task_list.
static_assert(sizeof(ktl::completion) == 24 && alignof(ktl::completion) == 8);
static_assert(offsetof(ktl::completion, done) == 0 && sizeof(ktl::completion::done) == 4 &&
              offsetof(ktl::completion, lock) == 4 && offsetof(ktl::completion, waiters) == 8);
#pragma GCC diagnostic pop
static_assert(ktl::WQ_FLAG_EXCLUSIVE == 0x01 && ktl::WQ_FLAG_WOKEN == 0x02 &&
              ktl::WQ_FLAG_PRIORITY == 0x10);
// struct __ktl_hr_deadline: 16 unsigned longs.
static_assert(sizeof(ktl::wait_detail::hr_deadline) <= 16 * sizeof(unsigned long) &&
              alignof(ktl::wait_detail::hr_deadline) <= alignof(unsigned long));

extern "C" {

// ---- wait queues --------------------------------------------------------------------------------

void ktl_init_waitqueue_head(ktl::wait_queue_head* wq_head) { ktl::init_waitqueue_head(wq_head); }
void ktl_init_waitqueue_entry(ktl::wait_queue_entry* e, ktl::task_struct* p) {
  ktl::init_waitqueue_entry(e, p);
}
void ktl_init_waitqueue_func_entry(ktl::wait_queue_entry* e, ktl::wait_queue_func_t func) {
  ktl::init_waitqueue_func_entry(e, func);
}
void ktl_init_wait_entry(ktl::wait_queue_entry* e, int flags) {
  ktl::init_wait_entry(e, static_cast<unsigned>(flags));
}

int ktl_default_wake_function(ktl::wait_queue_entry* e, unsigned int mode, int flags, void* key) {
  return ktl::default_wake_function(e, mode, flags, key);
}
int ktl_autoremove_wake_function(ktl::wait_queue_entry* e, unsigned int mode, int flags,
                                 void* key) {
  return ktl::autoremove_wake_function(e, mode, flags, key);
}
int ktl_woken_wake_function(ktl::wait_queue_entry* e, unsigned int mode, int flags, void* key) {
  return ktl::woken_wake_function(e, mode, flags, key);
}

void ktl_add_wait_queue(ktl::wait_queue_head* wq_head, ktl::wait_queue_entry* e) {
  ktl::add_wait_queue(wq_head, e);
}
void ktl_add_wait_queue_exclusive(ktl::wait_queue_head* wq_head, ktl::wait_queue_entry* e) {
  ktl::add_wait_queue_exclusive(wq_head, e);
}
void ktl_add_wait_queue_priority(ktl::wait_queue_head* wq_head, ktl::wait_queue_entry* e) {
  ktl::add_wait_queue_priority(wq_head, e);
}
void ktl_remove_wait_queue(ktl::wait_queue_head* wq_head, ktl::wait_queue_entry* e) {
  ktl::remove_wait_queue(wq_head, e);
}
void ktl___add_wait_queue(ktl::wait_queue_head* wq_head, ktl::wait_queue_entry* e) {
  ktl::__add_wait_queue(wq_head, e);
}
void ktl___add_wait_queue_entry_tail(ktl::wait_queue_head* wq_head, ktl::wait_queue_entry* e) {
  ktl::__add_wait_queue_entry_tail(wq_head, e);
}
void ktl___remove_wait_queue(ktl::wait_queue_head* wq_head, ktl::wait_queue_entry* e) {
  ktl::__remove_wait_queue(wq_head, e);
}

void ktl_prepare_to_wait(ktl::wait_queue_head* wq_head, ktl::wait_queue_entry* e, int state) {
  ktl::prepare_to_wait(wq_head, e, static_cast<unsigned>(state));
}
bool ktl_prepare_to_wait_exclusive(ktl::wait_queue_head* wq_head, ktl::wait_queue_entry* e,
                                   int state) {
  return ktl::prepare_to_wait_exclusive(wq_head, e, static_cast<unsigned>(state));
}
long ktl_prepare_to_wait_event(ktl::wait_queue_head* wq_head, ktl::wait_queue_entry* e,
                               int state) {
  return ktl::prepare_to_wait_event(wq_head, e, static_cast<unsigned>(state));
}
void ktl_finish_wait(ktl::wait_queue_head* wq_head, ktl::wait_queue_entry* e) {
  ktl::finish_wait(wq_head, e);
}
long ktl_wait_woken(ktl::wait_queue_entry* e, unsigned int mode, long timeout) {
  return ktl::wait_woken(e, mode, timeout);
}

int ktl___wake_up(ktl::wait_queue_head* wq_head, unsigned int mode, int nr_exclusive, void* key) {
  return ktl::__wake_up(wq_head, mode, nr_exclusive, key);
}
void ktl___wake_up_locked(ktl::wait_queue_head* wq_head, unsigned int mode, int nr) {
  ktl::__wake_up_locked(wq_head, mode, nr);
}
void ktl___wake_up_locked_key(ktl::wait_queue_head* wq_head, unsigned int mode, void* key) {
  ktl::__wake_up_locked_key(wq_head, mode, key);
}
void ktl___wake_up_sync(ktl::wait_queue_head* wq_head, unsigned int mode) {
  ktl::__wake_up_sync(wq_head, mode);
}
// ktl's sync wake-up takes no key; the wake functions of ktl's entries ignore keys anyway, and
// a module's own wake function gets the key through __wake_up().
void ktl___wake_up_sync_key(ktl::wait_queue_head* wq_head, unsigned int mode, void* key) {
  if (key)
    ktl::__wake_up(wq_head, mode, 1, key);
  else
    ktl::__wake_up_sync(wq_head, mode);
}

int ktl_waitqueue_active(ktl::wait_queue_head* wq_head) {
  return ktl::waitqueue_active(wq_head) ? 1 : 0;
}
bool ktl_wq_has_sleeper(ktl::wait_queue_head* wq_head) { return ktl::wq_has_sleeper(wq_head); }
bool ktl_wq_has_single_sleeper(ktl::wait_queue_head* wq_head) {
  return ktl::wq_has_single_sleeper(wq_head);
}

// ---- the wait_event family's helpers -------------------------------------------------------------

void ktl_wait_site(const char* site) { ktl::wait_detail::note_block_site(site); }

// One sleep of wait_event_interruptible*_locked(): with wq_head->lock held (taken with
// spin_lock_irq() when `irq`, else spin_lock()), queue the entry, set the state, check for a
// signal, drop the lock the way it was taken, sleep, take it again.
int ktl_wait_locked_sleep(ktl::wait_queue_head* wq, ktl::wait_queue_entry* e, unsigned int state,
                          int irq) KTL_NO_THREAD_SAFETY_ANALYSIS {
  if (irq) return ktl::wait_event_locked_sleep(wq, e, state);
  if (ktl::list_empty(&e->entry)) {
    if (e->flags & ktl::WQ_FLAG_EXCLUSIVE)
      ktl::__add_wait_queue_entry_tail(wq, e);
    else
      ktl::__add_wait_queue(wq, e);
  }
  ktl::set_current_state(state);
  if (ktl::signal_pending_state(state, ktl::get_current())) return -ktl::ERESTARTSYS;
  ktl::spin_unlock(&wq->lock);
  ktl::schedule();
  ktl::spin_lock(&wq->lock);
  return 0;
}

void ktl_hr_deadline_start(void* d, ktl::s64 timeout_ns) {
  new (d) ktl::wait_detail::hr_deadline(timeout_ns);
}
bool ktl_hr_deadline_expired(void* d) {
  return static_cast<ktl::wait_detail::hr_deadline*>(d)->expired();
}
void ktl_hr_deadline_cancel(void* d) {
  static_cast<ktl::wait_detail::hr_deadline*>(d)->~hr_deadline();
}

// ---- completions ------------------------------------------------------------------------------

void ktl_init_completion(ktl::completion* x) { ktl::init_completion(x); }
void ktl_reinit_completion(ktl::completion* x) { ktl::reinit_completion(x); }
void ktl_complete(ktl::completion* x) { ktl::complete(x); }
void ktl_complete_on_current_cpu(ktl::completion* x) { ktl::complete_on_current_cpu(x); }
void ktl_complete_all(ktl::completion* x) { ktl::complete_all(x); }
void ktl_wait_for_completion(ktl::completion* x) { ktl::wait_for_completion(x); }
void ktl_wait_for_completion_io(ktl::completion* x) { ktl::wait_for_completion_io(x); }
unsigned long ktl_wait_for_completion_timeout(ktl::completion* x, unsigned long timeout) {
  return ktl::wait_for_completion_timeout(x, timeout);
}
unsigned long ktl_wait_for_completion_io_timeout(ktl::completion* x, unsigned long timeout) {
  return ktl::wait_for_completion_io_timeout(x, timeout);
}
int ktl_wait_for_completion_interruptible(ktl::completion* x) {
  return ktl::wait_for_completion_interruptible(x);
}
long ktl_wait_for_completion_interruptible_timeout(ktl::completion* x, unsigned long timeout) {
  return ktl::wait_for_completion_interruptible_timeout(x, timeout);
}
int ktl_wait_for_completion_killable(ktl::completion* x) {
  return ktl::wait_for_completion_killable(x);
}
long ktl_wait_for_completion_killable_timeout(ktl::completion* x, unsigned long timeout) {
  return ktl::wait_for_completion_killable_timeout(x, timeout);
}
int ktl_wait_for_completion_state(ktl::completion* x, unsigned int state) {
  return ktl::wait_for_completion_state(x, state);
}
bool ktl_try_wait_for_completion(ktl::completion* x) { return ktl::try_wait_for_completion(x); }
bool ktl_completion_done(ktl::completion* x) { return ktl::completion_done(x); }

}  // extern "C"
