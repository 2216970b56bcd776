// Completions (include/linux/completion.h, kernel/sched/completion.c).
//
// Model: `done` counts complete() calls nobody has consumed yet; UINT_MAX means complete_all():
// every current and future waiter passes until reinit_completion().
// Contexts: complete()/complete_all() from any context; wait_for_completion*() sleep (task context
// or a host thread). Waiters queue exclusively at the tail, so complete() releases them FIFO.
// Memory ordering: everything written before complete() is visible to the waiter it releases once
// its wait returns.
// Lifetime: an on-stack completion must not go out of scope while a complete() may still touch it;
// completion_done() waits for a concurrent complete() to let go of the internal lock.
// Returns: _timeout forms return 0 on timeout, else the remaining jiffies, at least 1;
// _interruptible/_killable return -ERESTARTSYS when a signal (that the state allows) interrupts
// the wait, and then no completion is consumed.
#pragma once

#include <climits>

#include "ktl/base/err.h"
#include "ktl/base/list.h"
#include "ktl/locking/spinlock.h"
#include "ktl/sched/sched.h"

namespace ktl {

struct completion {
  unsigned int done = 0;
  spinlock_t lock;   // protects done and waiters (the swait queue lock in Linux)
  list_head waiters = {&waiters, &waiters};
  completion() noexcept = default;
  completion(const completion&) = delete;
  completion& operator=(const completion&) = delete;
};

#define DECLARE_COMPLETION(work) ::ktl::completion work
#define DECLARE_COMPLETION_ONSTACK(work) ::ktl::completion work
#define DECLARE_COMPLETION_ONSTACK_MAP(work, map) ::ktl::completion work
#define COMPLETION_INITIALIZER(work) ::ktl::completion()

void init_completion(completion* x) noexcept;
void reinit_completion(completion* x) noexcept;
void complete(completion* x);
void complete_on_current_cpu(completion* x);
void complete_all(completion* x);

void wait_for_completion(completion* x);
void wait_for_completion_io(completion* x);
unsigned long wait_for_completion_timeout(completion* x, unsigned long timeout);
unsigned long wait_for_completion_io_timeout(completion* x, unsigned long timeout);
int wait_for_completion_interruptible(completion* x);
long wait_for_completion_interruptible_timeout(completion* x, unsigned long timeout);
int wait_for_completion_killable(completion* x);
long wait_for_completion_killable_timeout(completion* x, unsigned long timeout);
int wait_for_completion_state(completion* x, unsigned int state);
bool try_wait_for_completion(completion* x);
bool completion_done(completion* x);

}  // namespace ktl
