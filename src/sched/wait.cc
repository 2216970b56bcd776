// Wait queues (kernel/sched/wait.c).
#include "ktl/sched/wait.h"

#include "ktl/sched/signal.h"

namespace ktl {

void init_waitqueue_head(wait_queue_head* wq_head) noexcept {
  spin_lock_init(&wq_head->lock);
  INIT_LIST_HEAD(&wq_head->head);
}

void init_waitqueue_entry(wait_queue_entry* e, task_struct* p) noexcept {
  e->flags = 0;
  e->private_ = p;
  e->func = default_wake_function;
  INIT_LIST_HEAD(&e->entry);
}
void init_waitqueue_func_entry(wait_queue_entry* e, wait_queue_func_t func) noexcept {
  e->flags = 0;
  e->private_ = nullptr;
  e->func = func;
  INIT_LIST_HEAD(&e->entry);
}
void init_wait_entry(wait_queue_entry* e, unsigned flags) noexcept {
  e->flags = flags;
  e->private_ = get_current();
  e->func = autoremove_wake_function;
  INIT_LIST_HEAD(&e->entry);
}

void __add_wait_queue(wait_queue_head* wq_head, wait_queue_entry* e) noexcept {
  list_head* head = &wq_head->head;
  // Priority entries stay at the front; a normal entry goes after them.
  if (!(e->flags & WQ_FLAG_PRIORITY)) {
    list_head* pos = head->next;
    while (pos != head) {
      wait_queue_entry* w = list_entry(pos, wait_queue_entry, entry);
      if (!(w->flags & WQ_FLAG_PRIORITY)) break;
      head = pos;
      pos = pos->next;
    }
  }
  list_add(&e->entry, head);
}
void __add_wait_queue_entry_tail(wait_queue_head* wq_head, wait_queue_entry* e) noexcept {
  list_add_tail(&e->entry, &wq_head->head);
}
void __remove_wait_queue(wait_queue_head*, wait_queue_entry* e) noexcept {
  list_del_init(&e->entry);
}

void add_wait_queue(wait_queue_head* wq_head, wait_queue_entry* e) {
  e->flags &= ~WQ_FLAG_EXCLUSIVE;
  get_current()->wait_head.store(wq_head, std::memory_order_relaxed);
  spin_guard g(wq_head->lock);
  __add_wait_queue(wq_head, e);
}
void add_wait_queue_exclusive(wait_queue_head* wq_head, wait_queue_entry* e) {
  e->flags |= WQ_FLAG_EXCLUSIVE;
  get_current()->wait_head.store(wq_head, std::memory_order_relaxed);
  spin_guard g(wq_head->lock);
  __add_wait_queue_entry_tail(wq_head, e);
}
void add_wait_queue_priority(wait_queue_head* wq_head, wait_queue_entry* e) {
  e->flags |= WQ_FLAG_EXCLUSIVE | WQ_FLAG_PRIORITY;
  spin_guard g(wq_head->lock);
  list_add(&e->entry, &wq_head->head);
}
void remove_wait_queue(wait_queue_head* wq_head, wait_queue_entry* e) {
  spin_guard g(wq_head->lock);
  __remove_wait_queue(wq_head, e);
}

int default_wake_function(wait_queue_entry* e, unsigned mode, int flags, void*) {
  return try_to_wake_up(static_cast<task_struct*>(e->private_), mode, flags);
}
int autoremove_wake_function(wait_queue_entry* e, unsigned mode, int flags, void* key) {
  int ret = default_wake_function(e, mode, flags, key);
  if (ret) list_del_init_careful(&e->entry);  // finish_wait() tests it without the lock
  return ret;
}
int woken_wake_function(wait_queue_entry* e, unsigned mode, int flags, void* key) {
  // Pairs with the barrier in wait_woken(): the WOKEN flag is visible before the wake-up.
  __atomic_or_fetch(&e->flags, WQ_FLAG_WOKEN, __ATOMIC_SEQ_CST);
  return default_wake_function(e, mode, flags, key);
}

static int __wake_up_common(wait_queue_head* wq_head, unsigned mode, int nr_exclusive,
                            int wake_flags, void* key) {
  int woken = 0;
  list_head* pos;
  list_head* n;
  list_for_each_safe(pos, n, &wq_head->head) {
    wait_queue_entry* curr = list_entry(pos, wait_queue_entry, entry);
    unsigned flags = curr->flags;
    int ret = curr->func(curr, mode, wake_flags, key);
    if (ret < 0) break;
    if (ret) ++woken;
    if (ret && (flags & WQ_FLAG_EXCLUSIVE) && !--nr_exclusive) break;
  }
  return woken;
}

int __wake_up(wait_queue_head* wq_head, unsigned mode, int nr_exclusive, void* key) {
  spin_guard g(wq_head->lock);
  return __wake_up_common(wq_head, mode, nr_exclusive, 0, key);
}
void __wake_up_locked(wait_queue_head* wq_head, unsigned mode, int nr) {
  __wake_up_common(wq_head, mode, nr, 0, nullptr);
}
void __wake_up_locked_key(wait_queue_head* wq_head, unsigned mode, void* key) {
  __wake_up_common(wq_head, mode, 1, 0, key);
}
void __wake_up_sync(wait_queue_head* wq_head, unsigned mode) {
  spin_guard g(wq_head->lock);
  __wake_up_common(wq_head, mode, 1, WF_SYNC, nullptr);
}

bool waitqueue_active(const wait_queue_head* wq_head) noexcept { return !list_empty(&wq_head->head); }
bool wq_has_sleeper(wait_queue_head* wq_head) noexcept {
  // Orders the caller's condition update before the check; pairs with set_current_state()'s
  // barrier in the waiter.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  return waitqueue_active(wq_head);
}
bool wq_has_single_sleeper(const wait_queue_head* wq_head) noexcept {
  // list_is_singular() reads both links; take the lock so the answer is a consistent snapshot.
  auto* wq = const_cast<wait_queue_head*>(wq_head);
  spin_guard g(wq->lock);
  return list_is_singular(&wq->head);
}

void prepare_to_wait(wait_queue_head* wq_head, wait_queue_entry* e, unsigned state) {
  e->flags &= ~WQ_FLAG_EXCLUSIVE;
  spin_guard g(wq_head->lock);
  if (list_empty(&e->entry)) __add_wait_queue(wq_head, e);
  set_current_state(state);
}

bool prepare_to_wait_exclusive(wait_queue_head* wq_head, wait_queue_entry* e, unsigned state) {
  bool was_empty = false;
  e->flags |= WQ_FLAG_EXCLUSIVE;
  spin_guard g(wq_head->lock);
  if (list_empty(&e->entry)) {
    was_empty = list_empty(&wq_head->head);
    __add_wait_queue_entry_tail(wq_head, e);
  }
  set_current_state(state);
  return was_empty;
}

long prepare_to_wait_event(wait_queue_head* wq_head, wait_queue_entry* e, unsigned state) {
  long ret = 0;
  get_current()->wait_head.store(wq_head, std::memory_order_relaxed);
  spin_guard g(wq_head->lock);
  if (signal_pending_state(state, get_current())) {
    // An exclusive waiter that was already chosen by a wake-up must not swallow it: taking the
    // entry off the queue here means the next wake-up picks somebody else.
    list_del_init(&e->entry);
    get_current()->wait_head.store(nullptr, std::memory_order_relaxed);
    ret = -ERESTARTSYS;
  } else {
    if (list_empty(&e->entry)) {
      if (e->flags & WQ_FLAG_EXCLUSIVE)
        __add_wait_queue_entry_tail(wq_head, e);
      else
        __add_wait_queue(wq_head, e);
    }
    set_current_state(state);
  }
  return ret;
}

void finish_wait(wait_queue_head* wq_head, wait_queue_entry* e) {
  __set_current_state(TASK_RUNNING);
  get_current()->wait_head.store(nullptr, std::memory_order_relaxed);
  // Unlocked check first: an autoremoved entry needs no lock (list_empty_careful in Linux).
  if (!list_empty_careful(&e->entry)) {
    spin_guard g(wq_head->lock);
    list_del_init(&e->entry);
  }
}

long wait_woken(wait_queue_entry* e, unsigned mode, long timeout) {
  set_current_state(mode);
  if (!(__atomic_load_n(&e->flags, __ATOMIC_SEQ_CST) & WQ_FLAG_WOKEN) &&
      !signal_pending_state(mode, get_current()))
    timeout = schedule_timeout(timeout);
  __set_current_state(TASK_RUNNING);
  __atomic_and_fetch(&e->flags, ~WQ_FLAG_WOKEN, __ATOMIC_SEQ_CST);
  return timeout;
}

int wait_event_locked_sleep(wait_queue_head* wq, wait_queue_entry* e, unsigned state)
    KTL_REQUIRES(wq->lock) {
  if (list_empty(&e->entry)) {
    if (e->flags & WQ_FLAG_EXCLUSIVE)
      __add_wait_queue_entry_tail(wq, e);
    else
      __add_wait_queue(wq, e);
  }
  set_current_state(state);
  if (signal_pending_state(state, get_current())) return -ERESTARTSYS;
  spin_unlock_irq(&wq->lock);
  schedule();
  spin_lock_irq(&wq->lock);
  return 0;
}

}  // namespace ktl
