// Sleeping and delaying (kernel/time/sleep_timeout.c, include/linux/delay.h).
//
// Wake-up semantics, exactly as Linux:
// - schedule_timeout(t) sleeps in whatever state the caller set. It returns 0 when the timeout
//   elapsed, or the remaining jiffies when it was woken earlier (in TASK_INTERRUPTIBLE a
//   wake_up_process() or a signal ends it early; in TASK_UNINTERRUPTIBLE only wake-ups do).
//   MAX_SCHEDULE_TIMEOUT sleeps without a timer. A negative timeout is a bug: it is reported
//   ("schedule_timeout: wrong timeout value") and 0 returned at once.
// - msleep()/ssleep() absorb every wake-up: they sleep at least the time asked, uninterruptibly.
// - msleep_interruptible() returns early only for a signal (for a kthread: kthread_stop) and
//   returns the milliseconds left.
// - usleep_range() sleeps uninterruptibly on a high-resolution timer, at least `min` µs.
// - udelay/ndelay/mdelay busy-wait without scheduling.
#pragma once

#include "ktl/sched/sched.h"
#include "ktl/time/jiffies.h"

namespace ktl {

long schedule_timeout(long timeout);
long schedule_timeout_interruptible(long timeout);
long schedule_timeout_killable(long timeout);
long schedule_timeout_uninterruptible(long timeout);
long schedule_timeout_idle(long timeout);
// Sleep in the current state until `expires` (absolute when mode is HRTIMER_MODE_ABS, relative
// otherwise; nullptr = forever). 0 when the time ran out, -EINTR when woken earlier.
int schedule_hrtimeout(ktime_t* expires, unsigned mode);
int schedule_hrtimeout_range(ktime_t* expires, u64 delta, unsigned mode);

void msleep(unsigned int msecs);
unsigned long msleep_interruptible(unsigned int msecs);
KTL_ALWAYS_INLINE void ssleep(unsigned int seconds) { msleep(seconds * 1000); }
void usleep_range_state(unsigned long min, unsigned long max, unsigned state);
KTL_ALWAYS_INLINE void usleep_range(unsigned long min, unsigned long max) {
  usleep_range_state(min, max, TASK_UNINTERRUPTIBLE);
}
KTL_ALWAYS_INLINE void usleep_idle_range(unsigned long min, unsigned long max) {
  usleep_range_state(min, max, TASK_IDLE);
}
void fsleep(unsigned long usecs);

void ndelay(unsigned long nsecs);
void udelay(unsigned long usecs);
void mdelay(unsigned long msecs);

}  // namespace ktl
