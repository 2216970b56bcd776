// jiffies, HZ and ktime (include/linux/jiffies.h, ktime.h).
//
// Time is owned by the machine: real monotonic time on the real machine, virtual time in the
// simulation. Nothing in the kernel reads the host clock directly. jiffies is a global counter the
// tick advances (HZ times a second; HZ is a boot option, default 250). As on Linux it starts at
// INITIAL_JIFFIES = (unsigned long)(unsigned int)(-300*HZ), so code that compares jiffies with `<`
// instead of time_after() breaks early, the way it would on a real kernel.
#pragma once

#include <atomic>
#include <climits>

#include "ktl/base/compiler.h"

namespace ktl {

using ktime_t = s64;  // nanoseconds

inline constexpr s64 NSEC_PER_USEC = 1000;
inline constexpr s64 NSEC_PER_MSEC = 1000000;
inline constexpr s64 NSEC_PER_SEC = 1000000000;
inline constexpr s64 USEC_PER_MSEC = 1000;
inline constexpr s64 USEC_PER_SEC = 1000000;
inline constexpr s64 MSEC_PER_SEC = 1000;
inline constexpr s64 KTIME_MAX = LLONG_MAX;

namespace internal {
// Exported to C under the symbol "ktl_jiffies": the compat <linux/jiffies.h> reads it with a relaxed
// atomic load (std::atomic<u64> is a plain, lock-free 8-byte word).
extern std::atomic<u64> jiffies_counter __asm__("ktl_jiffies");
static_assert(std::atomic<u64>::is_always_lock_free && sizeof(std::atomic<u64>) == sizeof(u64));
extern unsigned hz_value;
}  // namespace internal

KTL_ALWAYS_INLINE unsigned hz() noexcept { return internal::hz_value; }
KTL_ALWAYS_INLINE unsigned long get_jiffies() noexcept {
  return internal::jiffies_counter.load(std::memory_order_relaxed);
}
KTL_ALWAYS_INLINE u64 get_jiffies_64() noexcept { return get_jiffies(); }
KTL_ALWAYS_INLINE unsigned long initial_jiffies() noexcept {
  return static_cast<unsigned long>(static_cast<unsigned int>(-300 * static_cast<int>(hz())));
}
// Nanoseconds per tick.
KTL_ALWAYS_INLINE u64 tick_nsec() noexcept { return NSEC_PER_SEC / hz(); }

inline constexpr unsigned long MAX_JIFFY_OFFSET = (LONG_MAX >> 1) - 1;

#define HZ (::ktl::hz())
#define jiffies (::ktl::get_jiffies())
#define jiffies_64 (::ktl::get_jiffies_64())
#define INITIAL_JIFFIES (::ktl::initial_jiffies())

#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((long)((a) - (b)) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)
#define time_in_range(a, b, c) (time_after_eq(a, b) && time_before_eq(a, c))
#define time_is_before_jiffies(a) time_after(jiffies, a)
#define time_is_after_jiffies(a) time_before(jiffies, a)
#define time_is_before_eq_jiffies(a) time_after_eq(jiffies, a)
#define time_is_after_eq_jiffies(a) time_before_eq(jiffies, a)

// Conversions round up to whole jiffies (a sleep is never shorter than asked), and clamp
// negative/huge values to MAX_JIFFY_OFFSET, as Linux does.
unsigned long msecs_to_jiffies(unsigned int m) noexcept;
unsigned long usecs_to_jiffies(unsigned int u) noexcept;
unsigned long nsecs_to_jiffies(u64 n) noexcept;
unsigned long secs_to_jiffies(unsigned int s) noexcept;
unsigned int jiffies_to_msecs(unsigned long j) noexcept;
unsigned int jiffies_to_usecs(unsigned long j) noexcept;
u64 jiffies_to_nsecs(unsigned long j) noexcept;
clock_t jiffies_to_clock_t(unsigned long x) noexcept;  // USER_HZ = 100 units
u64 nsec_to_clock_t(u64 x) noexcept;

// The machine clock: ns since boot (CLOCK_MONOTONIC of the kernel).
ktime_t ktime_get() noexcept;
KTL_ALWAYS_INLINE u64 ktime_get_ns() noexcept { return static_cast<u64>(ktime_get()); }
KTL_ALWAYS_INLINE ktime_t ktime_get_boottime() noexcept { return ktime_get(); }
KTL_ALWAYS_INLINE u64 ktime_get_boottime_ns() noexcept { return ktime_get_ns(); }
u64 local_clock() noexcept;
KTL_ALWAYS_INLINE constexpr s64 ktime_to_ns(ktime_t t) { return t; }
KTL_ALWAYS_INLINE constexpr s64 ktime_to_us(ktime_t t) { return t / NSEC_PER_USEC; }
KTL_ALWAYS_INLINE constexpr s64 ktime_to_ms(ktime_t t) { return t / NSEC_PER_MSEC; }
KTL_ALWAYS_INLINE constexpr ktime_t ns_to_ktime(u64 ns) { return static_cast<ktime_t>(ns); }
KTL_ALWAYS_INLINE constexpr ktime_t ms_to_ktime(u64 ms) {
  return static_cast<ktime_t>(ms) * NSEC_PER_MSEC;
}
KTL_ALWAYS_INLINE constexpr ktime_t us_to_ktime(u64 us) {
  return static_cast<ktime_t>(us) * NSEC_PER_USEC;
}
KTL_ALWAYS_INLINE constexpr ktime_t ktime_add_ns(ktime_t t, u64 ns) {
  return t + static_cast<s64>(ns);
}
KTL_ALWAYS_INLINE constexpr ktime_t ktime_add(ktime_t a, ktime_t b) { return a + b; }
KTL_ALWAYS_INLINE constexpr ktime_t ktime_sub(ktime_t a, ktime_t b) { return a - b; }
KTL_ALWAYS_INLINE constexpr s64 ktime_us_delta(ktime_t later, ktime_t earlier) {
  return (later - earlier) / NSEC_PER_USEC;
}
KTL_ALWAYS_INLINE constexpr s64 ktime_ms_delta(ktime_t later, ktime_t earlier) {
  return (later - earlier) / NSEC_PER_MSEC;
}
KTL_ALWAYS_INLINE constexpr ktime_t ktime_set(s64 secs, unsigned long nsecs) {
  return secs * NSEC_PER_SEC + static_cast<s64>(nsecs);
}

}  // namespace ktl
