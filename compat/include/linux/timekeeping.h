/* SPDX-License-Identifier: MIT */
/*
 * linux/timekeeping.h - reading the clocks.
 *
 * CLOCK_MONOTONIC is ktl's machine clock: nanoseconds since boot (virtual time in the
 * simulation). ktl never suspends, so CLOCK_BOOTTIME equals CLOCK_MONOTONIC, and
 * CLOCK_MONOTONIC_RAW too (nothing slews it). CLOCK_REALTIME is described in <linux/time.h>;
 * CLOCK_TAI is CLOCK_REALTIME (ktl keeps no leap-second offset). The _coarse readers return
 * the same values as the precise ones. All of them may be called from any context.
 */
#ifndef _LINUX_TIMEKEEPING_H
#define _LINUX_TIMEKEEPING_H

#include <linux/ktime.h>
#include <linux/time64.h>

__KTL_BEGIN_DECLS

/* CLOCK_MONOTONIC, nanoseconds since boot. */
ktime_t ktime_get(void) __ktl_abi(ktime_get);
/* CLOCK_REALTIME, nanoseconds since 1970-01-01 00:00:00 UTC. */
ktime_t ktime_get_real(void) __ktl_abi(ktime_get_real);
/* CLOCK_REALTIME minus CLOCK_MONOTONIC: what ktime_mono_to_real() adds. */
ktime_t ktime_get_real_offset(void) __ktl_abi(ktime_get_real_offset);

void ktime_get_ts64(struct timespec64 *ts) __ktl_abi(ktime_get_ts64);
void ktime_get_real_ts64(struct timespec64 *ts) __ktl_abi(ktime_get_real_ts64);
/* Seconds of CLOCK_MONOTONIC and CLOCK_REALTIME. */
time64_t ktime_get_seconds(void) __ktl_abi(ktime_get_seconds);
time64_t ktime_get_real_seconds(void) __ktl_abi(ktime_get_real_seconds);

/* The scheduler clock (sched_clock/local_clock): CLOCK_MONOTONIC in ns. */
u64 local_clock(void) __ktl_abi(local_clock);

__KTL_END_DECLS

#define sched_clock() local_clock()
#define running_clock() local_clock()

static inline u64 ktime_get_ns(void)
{
	return (u64)ktime_get();
}

static inline u64 ktime_get_real_ns(void)
{
	return (u64)ktime_get_real();
}

static inline ktime_t ktime_get_boottime(void)
{
	return ktime_get();
}

static inline u64 ktime_get_boottime_ns(void)
{
	return ktime_get_ns();
}

static inline ktime_t ktime_get_clocktai(void)
{
	return ktime_get_real();
}

static inline u64 ktime_get_clocktai_ns(void)
{
	return ktime_get_real_ns();
}

static inline ktime_t ktime_get_raw(void)
{
	return ktime_get();
}

static inline u64 ktime_get_raw_ns(void)
{
	return ktime_get_ns();
}

static inline ktime_t ktime_get_coarse(void)
{
	return ktime_get();
}

static inline u64 ktime_get_coarse_ns(void)
{
	return ktime_get_ns();
}

static inline ktime_t ktime_get_coarse_real(void)
{
	return ktime_get_real();
}

static inline u64 ktime_get_coarse_real_ns(void)
{
	return ktime_get_real_ns();
}

static inline ktime_t ktime_get_coarse_boottime(void)
{
	return ktime_get();
}

static inline u64 ktime_get_mono_fast_ns(void)
{
	return ktime_get_ns();
}

static inline u64 ktime_get_raw_fast_ns(void)
{
	return ktime_get_ns();
}

static inline u64 ktime_get_boot_fast_ns(void)
{
	return ktime_get_ns();
}

static inline u64 ktime_get_real_fast_ns(void)
{
	return ktime_get_real_ns();
}

static inline ktime_t ktime_mono_to_real(ktime_t mono)
{
	return mono + ktime_get_real_offset();
}

static inline void ktime_get_boottime_ts64(struct timespec64 *ts)
{
	ktime_get_ts64(ts);
}

static inline void ktime_get_raw_ts64(struct timespec64 *ts)
{
	ktime_get_ts64(ts);
}

static inline void ktime_get_coarse_ts64(struct timespec64 *ts)
{
	ktime_get_ts64(ts);
}

static inline void ktime_get_coarse_real_ts64(struct timespec64 *ts)
{
	ktime_get_real_ts64(ts);
}

static inline void ktime_get_coarse_boottime_ts64(struct timespec64 *ts)
{
	ktime_get_ts64(ts);
}

static inline void ktime_get_clocktai_ts64(struct timespec64 *ts)
{
	ktime_get_real_ts64(ts);
}

static inline time64_t ktime_get_boottime_seconds(void)
{
	return ktime_get_seconds();
}

static inline time64_t ktime_get_clocktai_seconds(void)
{
	return ktime_get_real_seconds();
}

/* The time of boot on CLOCK_REALTIME (the kernel's getboottime64). */
static inline void getboottime64(struct timespec64 *ts)
{
	*ts = ns_to_timespec64(ktime_get_real_offset());
}

#endif /* _LINUX_TIMEKEEPING_H */
