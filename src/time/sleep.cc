// schedule_timeout() and the sleeping helpers built on it (kernel/time/sleep_timeout.c).
#include "arch/sim.h"
#include "ktl/base/bug.h"
#include "ktl/kernel/printk.h"
#include "ktl/sched/signal.h"
#include "ktl/sched/wait.h"
#include "ktl/time/delay.h"
#include "ktl/time/timer.h"
#include "sched/sched_internal.h"

namespace ktl {

namespace {

struct process_timer {
  timer_list timer;
  task_struct* task;
};

void process_timeout(timer_list* t) {
  process_timer* pt = from_timer(pt, t, timer);
  wake_up_process(pt->task);
}

}  // namespace

long schedule_timeout(long timeout) {
  if (timeout == MAX_SCHEDULE_TIMEOUT) {
    schedule();
    return timeout;
  }
  if (timeout < 0) {
    printk(KERN_ERR "schedule_timeout: wrong timeout value %lx\n", static_cast<unsigned long>(timeout));
    __set_current_state(TASK_RUNNING);
    return 0;
  }
  task_struct* self = get_current();
  // The outer primitive (msleep, wait_event_timeout, ...) names the site if there is one.
  const bool own_site = !self->blocked_at.func.load(std::memory_order_relaxed);
  if (own_site) self->blocked_at.func = "schedule_timeout";
  unsigned long expire = static_cast<unsigned long>(timeout) + jiffies;
  process_timer t;
  t.task = self;
  timer_setup(&t.timer, process_timeout, 0);
  // Arm on this vCPU (or vCPU 0 for a host thread): __mod_timer semantics.
  mod_timer(&t.timer, expire);
  schedule();
  timer_delete_sync(&t.timer);
  if (own_site) self->blocked_at.func.store(nullptr, std::memory_order_relaxed);
  long left = static_cast<long>(expire - jiffies);
  return left < 0 ? 0 : left;
}

long schedule_timeout_interruptible(long timeout) {
  __set_current_state(TASK_INTERRUPTIBLE);
  return schedule_timeout(timeout);
}
long schedule_timeout_killable(long timeout) {
  __set_current_state(TASK_KILLABLE);
  return schedule_timeout(timeout);
}
long schedule_timeout_uninterruptible(long timeout) {
  __set_current_state(TASK_UNINTERRUPTIBLE);
  return schedule_timeout(timeout);
}
long schedule_timeout_idle(long timeout) {
  __set_current_state(TASK_IDLE);
  return schedule_timeout(timeout);
}

namespace {
struct hr_sleeper {
  hrtimer timer;
  task_struct* task;
  std::atomic<bool> fired{false};
};
hrtimer_restart hr_sleeper_fn(hrtimer* t) {
  hr_sleeper* s = container_of(t, hr_sleeper, timer);
  task_struct* p = s->task;
  s->fired.store(true, std::memory_order_release);
  wake_up_process(p);
  return HRTIMER_NORESTART;
}
}  // namespace

int schedule_hrtimeout_range(ktime_t* expires, u64 delta, unsigned mode) {
  if (!expires) {
    schedule();
    return -EINTR;
  }
  ktime_t abs = (mode & HRTIMER_MODE_REL) ? ktime_get() + *expires : *expires;
  if (abs <= ktime_get()) {
    __set_current_state(TASK_RUNNING);
    return 0;
  }
  hr_sleeper s;
  s.task = get_current();
  hrtimer_setup(&s.timer, hr_sleeper_fn, CLOCK_MONOTONIC_KTL, HRTIMER_MODE_ABS);
  hrtimer_start_range_ns(&s.timer, abs, delta, HRTIMER_MODE_ABS);
  schedule();
  hrtimer_cancel(&s.timer);
  __set_current_state(TASK_RUNNING);
  return s.fired.load(std::memory_order_acquire) ? 0 : -EINTR;
}
int schedule_hrtimeout(ktime_t* expires, unsigned mode) {
  return schedule_hrtimeout_range(expires, 0, mode);
}

void msleep(unsigned int msecs) {
  might_sleep();
  task_struct* self = get_current();
  self->blocked_at.func = "msleep";
  long timeout = static_cast<long>(msecs_to_jiffies(msecs)) + 1;
  while (timeout) timeout = schedule_timeout_uninterruptible(timeout);
  self->blocked_at.func.store(nullptr, std::memory_order_relaxed);
}

unsigned long msleep_interruptible(unsigned int msecs) {
  might_sleep();
  task_struct* self = get_current();
  self->blocked_at.func = "msleep_interruptible";
  long timeout = static_cast<long>(msecs_to_jiffies(msecs)) + 1;
  while (timeout && !signal_pending(self)) timeout = schedule_timeout_interruptible(timeout);
  self->blocked_at.func.store(nullptr, std::memory_order_relaxed);
  return jiffies_to_msecs(static_cast<unsigned long>(timeout));
}

void usleep_range_state(unsigned long min, unsigned long max, unsigned state) {
  might_sleep();
  get_current()->blocked_at.func = "usleep_range_state";
  ktime_t exp = ktime_get() + static_cast<ktime_t>(min) * NSEC_PER_USEC;
  u64 delta = (max - min) * NSEC_PER_USEC;
  for (;;) {
    set_current_state(state);
    // Absorbs wake-ups: only the timer ends the sleep.
    if (!schedule_hrtimeout_range(&exp, delta, HRTIMER_MODE_ABS)) break;
  }
  get_current()->blocked_at.func.store(nullptr, std::memory_order_relaxed);
}

void fsleep(unsigned long usecs) {
  if (usecs <= 10)
    udelay(usecs);
  else if (usecs <= 20000)
    usleep_range(usecs, 2 * usecs);
  else
    msleep(static_cast<unsigned int>((usecs + 999) / 1000));
}

void ndelay(unsigned long nsecs) {
  if (KTL_UNLIKELY(internal::g_sim != nullptr)) {
    // Busy waiting in virtual time: charge it in slices so other vCPUs keep pace.
    while (nsecs) {
      unsigned long slice = nsecs < 10000 ? nsecs : 10000;
      internal::sim_point(internal::SIM_DELAY, slice);
      nsecs -= slice;
    }
    return;
  }
  u64 end = ktime_get_ns() + nsecs;
  while (ktime_get_ns() < end) arch_cpu_relax();
}
void udelay(unsigned long usecs) { ndelay(usecs * 1000); }
void mdelay(unsigned long msecs) { ndelay(msecs * 1000000); }

namespace wait_detail {

long schedule_timeout_for_wait(long timeout) { return schedule_timeout(timeout); }

void note_block_site(const char* func) noexcept { get_current()->blocked_at.func = func; }

hr_deadline::hr_deadline(s64 timeout_ns) noexcept {
  static_assert(sizeof(hr_sleeper) <= sizeof(storage));
  auto* s = new (storage) hr_sleeper();
  s->task = get_current();
  hrtimer_setup(&s->timer, hr_sleeper_fn, CLOCK_MONOTONIC_KTL, HRTIMER_MODE_REL);
  hrtimer_start(&s->timer, timeout_ns, HRTIMER_MODE_REL);
}
hr_deadline::~hr_deadline() {
  auto* s = reinterpret_cast<hr_sleeper*>(storage);
  hrtimer_cancel(&s->timer);
  s->~hr_sleeper();
}
bool hr_deadline::expired() const noexcept {
  return reinterpret_cast<const hr_sleeper*>(storage)->fired.load(std::memory_order_acquire);
}

}  // namespace wait_detail

}  // namespace ktl
