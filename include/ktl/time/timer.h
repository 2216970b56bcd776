// timer_list (jiffies resolution) and hrtimer (ns resolution).
//
// Rules for timers:
// - Each vCPU has a timer base; add_timer()/mod_timer() queue on the caller's vCPU (vCPU 0 from a
//   host thread), add_timer_on() on a chosen one. A pending timer that is modified stays on its
//   base.
// - Callbacks run on the vCPU of the base, in softirq context (in_softirq() is true, sleeping is a
//   bug that might_sleep() reports), one at a time per base, with no lock held. A callback may
//   re-arm its own timer with mod_timer().
// - Expiry is exact to the jiffy: a timer with expires = E runs at the first tick where
//   jiffies >= E (ktl's wheel cascades; Linux 6.x's does not, and may run a long timer up to 12.5%
//   late — a documented difference that only makes ktl earlier, never earlier than E).
// - timer_delete() returns whether the timer was pending; it does not wait for a running
//   callback. timer_delete_sync() also waits until the callback is not running anywhere; calling it
//   from the timer's own callback is a deadlock and WARNs instead.
// - timer_shutdown*() additionally makes later re-arming a silent no-op.
#pragma once

#include "ktl/base/compiler.h"
#include "ktl/time/jiffies.h"

namespace ktl {

inline constexpr u32 TIMER_CPUMASK = 0x0003FFFF;
inline constexpr u32 TIMER_MIGRATING = 0x00040000;
inline constexpr u32 TIMER_DEFERRABLE = 0x00080000;
inline constexpr u32 TIMER_PINNED = 0x00100000;
inline constexpr u32 TIMER_IRQSAFE = 0x00200000;
inline constexpr u32 TIMER_INIT_FLAGS = TIMER_DEFERRABLE | TIMER_PINNED | TIMER_IRQSAFE;

struct timer_list {
  // Linkage in a timer wheel bucket or an expiry list (layout-compatible with the wheel's node;
  // next == nullptr <=> not pending).
  struct {
    void* next = nullptr;
    void* prev = nullptr;
    unsigned long expires = 0;
  } entry;
  unsigned long expires = 0;                  // what the caller asked for (Linux field)
  void (*function)(timer_list*) = nullptr;
  u32 flags = 0;                              // TIMER_* | the cpu of its base
  bool shutdown = false;                      // set by timer_shutdown*()
};

void timer_setup(timer_list* timer, void (*func)(timer_list*), u32 flags) noexcept;
#define timer_setup_on_stack(timer, func, flags) ::ktl::timer_setup((timer), (func), (flags))
#define destroy_timer_on_stack(timer) ((void)(timer))
#define from_timer(var, callback_timer, timer_fieldname) \
  container_of(callback_timer, __typeof__(*var), timer_fieldname)
#define timer_container_of(var, callback_timer, timer_fieldname) \
  from_timer(var, callback_timer, timer_fieldname)
#define DEFINE_TIMER(name, fn) ::ktl::timer_list name{{}, 0, (fn), 0, false}

bool timer_pending(const timer_list* timer) noexcept;
void add_timer(timer_list* timer);
void add_timer_on(timer_list* timer, int cpu);
void add_timer_global(timer_list* timer);
// 0 if the timer was inactive, 1 if it was pending (and is now re-armed).
int mod_timer(timer_list* timer, unsigned long expires);
// Re-arms only a pending timer; 0 if it was not pending (and stays inactive).
int mod_timer_pending(timer_list* timer, unsigned long expires);
// Moves the expiry earlier only; starts an inactive timer.
int timer_reduce(timer_list* timer, unsigned long expires);
int timer_delete(timer_list* timer);
int timer_delete_sync(timer_list* timer);
// -1 if the callback is running right now (nothing done), else like timer_delete.
int try_to_del_timer_sync(timer_list* timer);
int timer_shutdown(timer_list* timer);
int timer_shutdown_sync(timer_list* timer);
KTL_ALWAYS_INLINE int del_timer(timer_list* t) { return timer_delete(t); }
KTL_ALWAYS_INLINE int del_timer_sync(timer_list* t) { return timer_delete_sync(t); }
KTL_ALWAYS_INLINE int del_singleshot_timer_sync(timer_list* t) { return timer_delete_sync(t); }

// ---- hrtimer ------------------------------------------------------------------------------
enum hrtimer_restart { HRTIMER_NORESTART, HRTIMER_RESTART };
enum hrtimer_mode : unsigned {
  HRTIMER_MODE_ABS = 0x00,
  HRTIMER_MODE_REL = 0x01,
  HRTIMER_MODE_PINNED = 0x02,
  HRTIMER_MODE_SOFT = 0x04,
  HRTIMER_MODE_HARD = 0x08,
  HRTIMER_MODE_ABS_PINNED = HRTIMER_MODE_ABS | HRTIMER_MODE_PINNED,
  HRTIMER_MODE_REL_PINNED = HRTIMER_MODE_REL | HRTIMER_MODE_PINNED,
};
enum clockid_kind { CLOCK_MONOTONIC_KTL = 1 };

struct hrtimer {
  void* node[4] = {};                      // linkage in the base's ordered tree (opaque)
  ktime_t expires = 0;                      // absolute, ns
  hrtimer_restart (*function)(hrtimer*) = nullptr;
  int cpu = -1;                             // base it is queued on, -1 if inactive
  std::atomic<bool> running{false};
};
void hrtimer_setup(hrtimer* timer, hrtimer_restart (*function)(hrtimer*), int clock_id,
                   unsigned mode) noexcept;
void hrtimer_init(hrtimer* timer, int clock_id, unsigned mode) noexcept;
void hrtimer_start(hrtimer* timer, ktime_t tim, unsigned mode);
void hrtimer_start_range_ns(hrtimer* timer, ktime_t tim, u64 delta_ns, unsigned mode);
// 0 if inactive, 1 if it was active (cancelled); waits for a running callback.
int hrtimer_cancel(hrtimer* timer);
// -1 if the callback is running, else like hrtimer_cancel without waiting.
int hrtimer_try_to_cancel(hrtimer* timer);
bool hrtimer_active(const hrtimer* timer) noexcept;
u64 hrtimer_forward_now(hrtimer* timer, ktime_t interval);
ktime_t hrtimer_get_expires(const hrtimer* timer) noexcept;

}  // namespace ktl
