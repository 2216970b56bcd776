#include <algorithm>

#include "ktl/time/jiffies.h"
#include "sched/sched_internal.h"
#include "time/time_internal.h"

namespace ktl {
namespace internal {

std::atomic<u64> jiffies_counter{0};
unsigned hz_value = 250;

void time_init(unsigned hz) {
  hz_value = hz;
  jiffies_counter.store(initial_jiffies(), std::memory_order_relaxed);
}

unsigned long jiffies_update_from_clock() noexcept {
  machine* m = g_kernel.mach;
  if (!m) return get_jiffies();
  unsigned long j = initial_jiffies() + m->clock_ns() / tick_nsec();
  unsigned long cur = jiffies_counter.load(std::memory_order_relaxed);
  while (time_after(j, cur) &&
         !jiffies_counter.compare_exchange_weak(cur, j, std::memory_order_relaxed)) {
  }
  return time_after(j, cur) ? j : cur;
}

}  // namespace internal

using internal::hz_value;

unsigned long msecs_to_jiffies(unsigned int m) noexcept {
  if (static_cast<int>(m) < 0) return MAX_JIFFY_OFFSET;
  return static_cast<unsigned long>((static_cast<u64>(m) * hz_value + 999) / 1000);
}
unsigned long usecs_to_jiffies(unsigned int u) noexcept {
  if (static_cast<int>(u) < 0) return MAX_JIFFY_OFFSET;
  return static_cast<unsigned long>((static_cast<u64>(u) * hz_value + 999999) / 1000000);
}
unsigned long nsecs_to_jiffies(u64 n) noexcept {
  return static_cast<unsigned long>(n / (NSEC_PER_SEC / hz_value));
}
unsigned long secs_to_jiffies(unsigned int s) noexcept {
  return static_cast<unsigned long>(s) * hz_value;
}
unsigned int jiffies_to_msecs(unsigned long j) noexcept {
  return static_cast<unsigned int>(static_cast<u64>(j) * 1000 / hz_value);
}
unsigned int jiffies_to_usecs(unsigned long j) noexcept {
  return static_cast<unsigned int>(static_cast<u64>(j) * 1000000 / hz_value);
}
u64 jiffies_to_nsecs(unsigned long j) noexcept { return static_cast<u64>(j) * tick_nsec(); }
clock_t jiffies_to_clock_t(unsigned long x) noexcept {
  return static_cast<clock_t>(static_cast<u64>(x) * 100 / hz_value);
}
u64 nsec_to_clock_t(u64 x) noexcept { return x / (NSEC_PER_SEC / 100); }

ktime_t ktime_get() noexcept {
  internal::machine* m = internal::g_kernel.mach;
  return m ? static_cast<ktime_t>(m->clock_ns()) : 0;
}
u64 local_clock() noexcept { return ktime_get_ns(); }

}  // namespace ktl
