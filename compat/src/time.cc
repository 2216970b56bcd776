// <linux/jiffies.h>, <linux/ktime.h>, <linux/timekeeping.h>, <linux/time.h>, <linux/timer.h>,
// <linux/hrtimer.h>, <linux/delay.h>: the time side of the C compatibility layer.
//
// The C mirrors of timer_list and hrtimer are ktl's C++ objects byte for byte (asserted below
// with the numbers the headers document), so C code embeds them by value and the functions here
// just hand the pointers on.
//
// hrtimer clocks: ktl keeps one hrtimer clock, CLOCK_MONOTONIC. The C struct hrtimer stores the
// clock id a timer was set up with in a byte of the C++ type's tail padding (offset 53), which only
// this file reads or writes; for CLOCK_REALTIME and CLOCK_TAI timers the absolute expiries C code
// gives and reads are converted here with the realtime offset (constant in the simulation; on the
// real machine the host's CLOCK_REALTIME minus the machine clock).
#include <chrono>
#include <climits>
#include <cstddef>

#include "ktl/base/bug.h"
#include "ktl/kernel/sim.h"
#include "ktl/sched/sched.h"
#include "ktl/time/delay.h"
#include "ktl/time/jiffies.h"
#include "ktl/time/timer.h"

namespace {

using ktl::hrtimer;
using ktl::ktime_t;
using ktl::s64;
using ktl::timer_list;
using ktl::u32;
using ktl::u64;

// ---- layouts the C headers declare ----------------------------------------------------------

// struct timer_list (48 bytes): entry{next, prev, expires}, expires, function, flags, shutdown.
static_assert(sizeof(timer_list) == 48 && alignof(timer_list) == 8);
static_assert(offsetof(timer_list, entry) == 0);
static_assert(offsetof(timer_list, expires) == 24);
static_assert(offsetof(timer_list, function) == 32);
static_assert(offsetof(timer_list, flags) == 40 && sizeof(timer_list::flags) == 4);
static_assert(offsetof(timer_list, shutdown) == 44 && sizeof(timer_list::shutdown) == 1);

// struct hrtimer (56 bytes): node[4], expires, function, cpu, running, and the clock byte at 53.
static_assert(sizeof(hrtimer) == 56 && alignof(hrtimer) == 8);
static_assert(offsetof(hrtimer, node) == 0 && sizeof(hrtimer::node) == 32);
static_assert(offsetof(hrtimer, expires) == 32 && sizeof(hrtimer::expires) == 8);
static_assert(offsetof(hrtimer, function) == 40);
static_assert(offsetof(hrtimer, cpu) == 48 && sizeof(hrtimer::cpu) == 4);
static_assert(offsetof(hrtimer, running) == 52 && sizeof(hrtimer::running) == 1);
constexpr std::size_t kHrClockByte = 53;  // first byte of the tail padding
static_assert(offsetof(hrtimer, running) + sizeof(hrtimer::running) == kHrClockByte &&
              kHrClockByte < sizeof(hrtimer));
// enum hrtimer_restart / hrtimer_mode: the C values.
static_assert(ktl::HRTIMER_NORESTART == 0 && ktl::HRTIMER_RESTART == 1);
static_assert(ktl::HRTIMER_MODE_ABS == 0x00 && ktl::HRTIMER_MODE_REL == 0x01 &&
              ktl::HRTIMER_MODE_PINNED == 0x02 && ktl::HRTIMER_MODE_SOFT == 0x04 &&
              ktl::HRTIMER_MODE_HARD == 0x08);
static_assert(sizeof(ktl::hrtimer_restart) == sizeof(int));

// TIMER_* flags.
static_assert(ktl::TIMER_CPUMASK == 0x0003FFFF && ktl::TIMER_MIGRATING == 0x00040000 &&
              ktl::TIMER_DEFERRABLE == 0x00080000 && ktl::TIMER_PINNED == 0x00100000 &&
              ktl::TIMER_IRQSAFE == 0x00200000);

// struct timespec64 {time64_t tv_sec; long tv_nsec;} and struct tm, as the C headers declare.
struct c_timespec64 {
  long tv_sec;
  long tv_nsec;
};
static_assert(sizeof(c_timespec64) == 16);
struct c_tm {
  int tm_sec, tm_min, tm_hour, tm_mday, tm_mon;
  long tm_year;
  int tm_wday, tm_yday;
};

// The C header's HZ: C code is compiled for a kernel ticking at this rate.
constexpr unsigned kCompatHz = 250;

// ---- clocks ----------------------------------------------------------------------------------

constexpr int kClockRealtime = 0;
constexpr int kClockMonotonic = 1;
constexpr int kClockTai = 11;
constexpr s64 kNsPerSec = ktl::NSEC_PER_SEC;
// The simulation machine "booted" at 2026-01-01 00:00:00 UTC (as /proc/stat btime and ps say).
constexpr s64 kSimBootEpochSec = 1767225600;

// CLOCK_REALTIME - CLOCK_MONOTONIC.
s64 real_offset_ns() noexcept {
  if (ktl::sim::active()) return kSimBootEpochSec * kNsPerSec;
  const s64 host = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return host - ktl::ktime_get();
}

unsigned char& clock_byte(hrtimer* t) noexcept {
  return reinterpret_cast<unsigned char*>(t)[kHrClockByte];
}
int clock_of(const hrtimer* t) noexcept {
  return reinterpret_cast<const unsigned char*>(t)[kHrClockByte];
}
bool is_real_clock(int clock) noexcept { return clock == kClockRealtime || clock == kClockTai; }
// The offset of the timer's clock from CLOCK_MONOTONIC.
s64 clock_offset(const hrtimer* t) noexcept {
  return is_real_clock(clock_of(t)) ? real_offset_ns() : 0;
}

c_timespec64 split_ns(s64 ns) noexcept {
  c_timespec64 ts;
  ts.tv_sec = ns / kNsPerSec;
  ts.tv_nsec = ns % kNsPerSec;
  if (ts.tv_nsec < 0) {
    ts.tv_sec--;
    ts.tv_nsec += kNsPerSec;
  }
  return ts;
}

// ---- calendar (UTC, proleptic Gregorian) ----------------------------------------------------

// Days since 1970-01-01 of year/month(1..12)/day.
s64 days_from_civil(s64 y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const s64 era = (y >= 0 ? y : y - 399) / 400;
  const s64 yoe = y - era * 400;                                 // 0..399
  const s64 mp = (m + 9) % 12;                                   // March = 0
  const s64 doy = (153 * mp + 2) / 5 + static_cast<s64>(d) - 1;  // 0..365
  const s64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;         // 0..146096
  return era * 146097 + doe - 719468;
}

// ---- round_jiffies ---------------------------------------------------------------------------

// Rounds the absolute jiffies value j to a whole second (down if less than a quarter second
// past one and !force_up, else up), shifted by 3 jiffies per vCPU so that vCPUs do not all fire
// on the same tick; the unrounded value if rounding would land in the past.
unsigned long round_common(unsigned long j, int cpu, bool force_up) noexcept {
  const unsigned long hz = ktl::hz();
  const unsigned long skew = static_cast<unsigned long>(cpu) * 3;
  const unsigned long shifted = j + skew;
  const unsigned long rem = shifted % hz;
  unsigned long r = (rem < hz / 4 && !force_up) ? shifted - rem : shifted - rem + hz;
  r -= skew;
  return time_after(r, ktl::get_jiffies()) ? r : j;
}

int this_cpu() noexcept { return ktl::raw_smp_processor_id(); }

}  // namespace

extern "C" {

// ---- jiffies ---------------------------------------------------------------------------------

unsigned long ktl_msecs_to_jiffies(unsigned int m) { return ktl::msecs_to_jiffies(m); }
unsigned long ktl_usecs_to_jiffies(unsigned int u) { return ktl::usecs_to_jiffies(u); }
unsigned long ktl_nsecs_to_jiffies(u64 n) { return ktl::nsecs_to_jiffies(n); }
u64 ktl_nsecs_to_jiffies64(u64 n) { return ktl::nsecs_to_jiffies(n); }
unsigned int ktl_jiffies_to_msecs(unsigned long j) { return ktl::jiffies_to_msecs(j); }
unsigned int ktl_jiffies_to_usecs(unsigned long j) { return ktl::jiffies_to_usecs(j); }
u64 ktl_jiffies_to_nsecs(unsigned long j) { return ktl::jiffies_to_nsecs(j); }
u64 ktl_jiffies64_to_nsecs(u64 j) { return ktl::jiffies_to_nsecs(j); }
u64 ktl_jiffies64_to_msecs(u64 j) { return j * 1000 / ktl::hz(); }
unsigned long ktl_timespec64_to_jiffies(const c_timespec64* value) {
  if (value->tv_sec < 0) return 0;
  const u64 ns = static_cast<u64>(value->tv_sec) * kNsPerSec + static_cast<u64>(value->tv_nsec);
  const u64 tick = ktl::tick_nsec();
  const u64 j = (ns + tick - 1) / tick;
  return j >= ktl::MAX_JIFFY_OFFSET ? ktl::MAX_JIFFY_OFFSET : static_cast<unsigned long>(j);
}
void ktl_jiffies_to_timespec64(unsigned long j, c_timespec64* value) {
  *value = split_ns(static_cast<s64>(ktl::jiffies_to_nsecs(j)));
}
long ktl_jiffies_to_clock_t(unsigned long x) { return ktl::jiffies_to_clock_t(x); }
unsigned long ktl_clock_t_to_jiffies(unsigned long x) {
  return static_cast<unsigned long>(static_cast<u64>(x) * ktl::hz() / 100);
}
u64 ktl_jiffies_64_to_clock_t(u64 x) { return x * 100 / ktl::hz(); }
u64 ktl_nsec_to_clock_t(u64 x) { return ktl::nsec_to_clock_t(x); }

// ---- clocks ------------------------------------------------------------------------------------

ktime_t ktl_ktime_get(void) { return ktl::ktime_get(); }
ktime_t ktl_ktime_get_real(void) { return ktl::ktime_get() + real_offset_ns(); }
ktime_t ktl_ktime_get_real_offset(void) { return real_offset_ns(); }
void ktl_ktime_get_ts64(c_timespec64* ts) { *ts = split_ns(ktl::ktime_get()); }
void ktl_ktime_get_real_ts64(c_timespec64* ts) { *ts = split_ns(ktl_ktime_get_real()); }
long ktl_ktime_get_seconds(void) { return ktl::ktime_get() / kNsPerSec; }
long ktl_ktime_get_real_seconds(void) { return ktl_ktime_get_real() / kNsPerSec; }
u64 ktl_local_clock(void) { return ktl::local_clock(); }

c_timespec64 ktl_ns_to_timespec64(s64 nsec) { return split_ns(nsec); }

void ktl_set_normalized_timespec64(c_timespec64* ts, long sec, s64 nsec) {
  // Whole seconds first (nsec may be many seconds long), then the sign of the remainder.
  sec += nsec / kNsPerSec;
  nsec %= kNsPerSec;
  if (nsec < 0) {
    nsec += kNsPerSec;
    sec--;
  }
  ts->tv_sec = sec;
  ts->tv_nsec = nsec;
}

void ktl_time64_to_tm(long totalsecs, int offset, c_tm* result) {
  s64 secs = totalsecs + offset;
  s64 days = secs / 86400;
  s64 rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days--;
  }
  result->tm_hour = static_cast<int>(rem / 3600);
  result->tm_min = static_cast<int>(rem % 3600 / 60);
  result->tm_sec = static_cast<int>(rem % 60);
  // 1970-01-01 was a Thursday.
  result->tm_wday = static_cast<int>(((days + 4) % 7 + 7) % 7);
  // Civil date from the day count (inverse of days_from_civil).
  const s64 z = days + 719468;
  const s64 era = (z >= 0 ? z : z - 146096) / 146097;
  const s64 doe = z - era * 146097;
  const s64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const s64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const s64 mp = (5 * doy + 2) / 153;
  const s64 d = doy - (153 * mp + 2) / 5 + 1;
  const s64 m = mp < 10 ? mp + 3 : mp - 9;
  const s64 y = yoe + era * 400 + (m <= 2);
  result->tm_mday = static_cast<int>(d);
  result->tm_mon = static_cast<int>(m - 1);
  result->tm_year = static_cast<long>(y - 1900);
  result->tm_yday = static_cast<int>(days - days_from_civil(y, 1, 1));
}

long ktl_mktime64(unsigned int year, unsigned int mon, unsigned int day, unsigned int hour,
                  unsigned int min, unsigned int sec) {
  // Linux accepts hour 24 as midnight at the end of the day; days_from_civil handles any day.
  const s64 days = days_from_civil(static_cast<s64>(year), mon, day);
  return static_cast<long>(((days * 24 + hour) * 60 + min) * 60 + sec);
}

// ---- timer_list --------------------------------------------------------------------------------

void ktl_timer_setup(timer_list* timer, void (*callback)(timer_list*), unsigned int flags) {
  WARN_ON_ONCE(flags & ~ktl::TIMER_INIT_FLAGS);
  ktl::timer_setup(timer, callback, flags);
}
int ktl_timer_pending(const timer_list* timer) { return ktl::timer_pending(timer) ? 1 : 0; }
void ktl_add_timer(timer_list* timer) { ktl::add_timer(timer); }
void ktl_add_timer_on(timer_list* timer, int cpu) { ktl::add_timer_on(timer, cpu); }
void ktl_add_timer_local(timer_list* timer) {
  __atomic_fetch_or(&timer->flags, ktl::TIMER_PINNED, __ATOMIC_RELAXED);
  ktl::add_timer(timer);
}
void ktl_add_timer_global(timer_list* timer) {
  __atomic_fetch_and(&timer->flags, ~ktl::TIMER_PINNED, __ATOMIC_RELAXED);
  ktl::add_timer_global(timer);
}
int ktl_mod_timer(timer_list* timer, unsigned long expires) {
  return ktl::mod_timer(timer, expires);
}
int ktl_mod_timer_pending(timer_list* timer, unsigned long expires) {
  return ktl::mod_timer_pending(timer, expires);
}
int ktl_timer_reduce(timer_list* timer, unsigned long expires) {
  return ktl::timer_reduce(timer, expires);
}
int ktl_timer_delete(timer_list* timer) { return ktl::timer_delete(timer); }
int ktl_timer_delete_sync(timer_list* timer) { return ktl::timer_delete_sync(timer); }
int ktl_timer_delete_sync_try(timer_list* timer) { return ktl::try_to_del_timer_sync(timer); }
int ktl_timer_shutdown(timer_list* timer) { return ktl::timer_shutdown(timer); }
int ktl_timer_shutdown_sync(timer_list* timer) { return ktl::timer_shutdown_sync(timer); }

unsigned long ktl___round_jiffies(unsigned long j, int cpu) { return round_common(j, cpu, false); }
unsigned long ktl___round_jiffies_relative(unsigned long j, int cpu) {
  const unsigned long now = ktl::get_jiffies();
  return round_common(j + now, cpu, false) - now;
}
unsigned long ktl_round_jiffies(unsigned long j) { return round_common(j, this_cpu(), false); }
unsigned long ktl_round_jiffies_relative(unsigned long j) {
  return ktl___round_jiffies_relative(j, this_cpu());
}
unsigned long ktl_round_jiffies_up(unsigned long j) { return round_common(j, this_cpu(), true); }
unsigned long ktl_round_jiffies_up_relative(unsigned long j) {
  const unsigned long now = ktl::get_jiffies();
  return round_common(j + now, this_cpu(), true) - now;
}

// ---- hrtimer -----------------------------------------------------------------------------------

void ktl_hrtimer_setup(hrtimer* timer, ktl::hrtimer_restart (*function)(hrtimer*), int clock_id,
                       unsigned mode) {
  ktl::hrtimer_setup(timer, function, clock_id, mode);
  clock_byte(timer) = static_cast<unsigned char>(clock_id);
}
void ktl_hrtimer_init(hrtimer* timer, int clock_id, unsigned mode) {
  ktl_hrtimer_setup(timer, nullptr, clock_id, mode);
}

void ktl_hrtimer_start_range_ns(hrtimer* timer, ktime_t tim, u64 range_ns, unsigned mode) {
  if (!(mode & ktl::HRTIMER_MODE_REL)) tim -= clock_offset(timer);
  ktl::hrtimer_start_range_ns(timer, tim, range_ns, mode);
}
void ktl_hrtimer_start(hrtimer* timer, ktime_t tim, unsigned mode) {
  ktl_hrtimer_start_range_ns(timer, tim, 0, mode);
}
void ktl_hrtimer_start_expires(hrtimer* timer, unsigned mode) {
  // The stored expiry is already on the monotonic clock.
  ktl::hrtimer_start(timer, timer->expires, mode & ~ktl::HRTIMER_MODE_REL);
}
void ktl_hrtimer_restart(hrtimer* timer) {
  ktl_hrtimer_start_expires(timer, ktl::HRTIMER_MODE_ABS);
}

int ktl_hrtimer_cancel(hrtimer* timer) { return ktl::hrtimer_cancel(timer); }
int ktl_hrtimer_try_to_cancel(hrtimer* timer) { return ktl::hrtimer_try_to_cancel(timer); }

u64 ktl_hrtimer_forward(hrtimer* timer, ktime_t now, ktime_t interval) {
  now -= clock_offset(timer);  // to the monotonic clock the expiry is kept on
  const ktime_t delta = now - timer->expires;
  if (delta < 0) return 0;
  if (WARN_ON(__atomic_load_n(&timer->cpu, __ATOMIC_RELAXED) >= 0)) return 0;
  if (interval < 1) interval = 1;
  u64 orun = 1;
  if (delta >= interval) {
    orun = static_cast<u64>(delta / interval);
    timer->expires += static_cast<ktime_t>(orun) * interval;
    if (timer->expires > now) return orun;
    orun++;
  }
  timer->expires += interval;
  return orun;
}
u64 ktl_hrtimer_forward_now(hrtimer* timer, ktime_t interval) {
  return ktl_hrtimer_forward(timer, ktl::ktime_get() + clock_offset(timer), interval);
}

bool ktl_hrtimer_active(const hrtimer* timer) { return ktl::hrtimer_active(timer); }
bool ktl_hrtimer_is_queued(hrtimer* timer) {
  return __atomic_load_n(&timer->cpu, __ATOMIC_RELAXED) >= 0;
}
bool ktl_hrtimer_callback_running(hrtimer* timer) {
  return timer->running.load(std::memory_order_relaxed);
}
ktime_t ktl_hrtimer_get_expires(const hrtimer* timer) {
  return ktl::hrtimer_get_expires(timer) + clock_offset(timer);
}
void ktl_hrtimer_set_expires(hrtimer* timer, ktime_t time) {
  timer->expires = time - clock_offset(timer);
}
ktime_t ktl_hrtimer_get_remaining(const hrtimer* timer) {
  return ktl::hrtimer_get_expires(timer) - ktl::ktime_get();
}
ktime_t ktl_hrtimer_cb_get_time(const hrtimer* timer) {
  return ktl::ktime_get() + clock_offset(timer);
}

int ktl_schedule_hrtimeout_range(ktime_t* expires, u64 delta, unsigned mode) {
  return ktl::schedule_hrtimeout_range(expires, delta, mode);
}
int ktl_schedule_hrtimeout_range_clock(ktime_t* expires, u64 delta, unsigned mode, int clock_id) {
  if (expires && !(mode & ktl::HRTIMER_MODE_REL) && is_real_clock(clock_id)) {
    ktime_t mono = *expires - real_offset_ns();
    return ktl::schedule_hrtimeout_range(&mono, delta, mode);
  }
  return ktl::schedule_hrtimeout_range(expires, delta, mode);
}
int ktl_schedule_hrtimeout(ktime_t* expires, unsigned mode) {
  return ktl::schedule_hrtimeout_range(expires, 0, mode);
}

// ---- delays and sleeps
// ---------------------------------------------------------------------------

void ktl_ndelay(unsigned long nsecs) { ktl::ndelay(nsecs); }
void ktl_udelay(unsigned long usecs) { ktl::udelay(usecs); }
void ktl_mdelay(unsigned long msecs) { ktl::mdelay(msecs); }
void ktl_msleep(unsigned int msecs) { ktl::msleep(msecs); }
unsigned long ktl_msleep_interruptible(unsigned int msecs) {
  return ktl::msleep_interruptible(msecs);
}
void ktl_usleep_range_state(unsigned long min, unsigned long max, unsigned int state) {
  ktl::usleep_range_state(min, max, state);
}
void ktl_fsleep(unsigned long usecs) { ktl::fsleep(usecs); }

// The HZ C code was compiled with (<linux/jiffies.h>), for the loader's check against the
// running kernel's rate.
unsigned ktl_compat_hz(void) { return kCompatHz; }

}  // extern "C"

static_assert(kClockMonotonic == ktl::CLOCK_MONOTONIC_KTL);
