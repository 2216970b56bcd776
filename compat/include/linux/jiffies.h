/* SPDX-License-Identifier: MIT */
/*
 * linux/jiffies.h - the tick counter, HZ and the conversions.
 *
 * HZ is 250, a compile-time constant as CONFIG_HZ is in a kernel build (code uses it in static
 * initialisers and #if), and ktl's default tick rate (boot_params::hz, --hz): C code assumes a
 * kernel ticking at that rate. Delays printed in jiffies read as on a CONFIG_HZ_250 kernel;
 * one jiffy is 4 ms. The conversion functions below use the running kernel's rate.
 *
 * jiffies starts at INITIAL_JIFFIES, five minutes before it wraps in 32 bits, so code that
 * compares jiffies with < instead of time_after() breaks early, as on Linux. jiffies and
 * jiffies_64 are the same 64-bit counter (an LP64 kernel); each read is one relaxed atomic load.
 */
#ifndef _LINUX_JIFFIES_H
#define _LINUX_JIFFIES_H

#include <asm/ktl-abi.h>
#include <linux/compiler.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/time64.h>
#include <linux/typecheck.h>
#include <linux/types.h>

#define CONFIG_HZ 250
#define HZ CONFIG_HZ
#define USER_HZ 100
#define CLOCKS_PER_SEC USER_HZ
#define TICK_NSEC ((NSEC_PER_SEC + HZ / 2) / HZ)
#define TICK_USEC ((USEC_PER_SEC + HZ / 2) / HZ)

__KTL_BEGIN_DECLS
/* ktl's tick counter (ktl::internal::jiffies_counter): read it through jiffies/jiffies_64. */
extern unsigned long __ktl_jiffies __asm__("ktl_jiffies");
__KTL_END_DECLS

#define jiffies ((unsigned long)__atomic_load_n(&__ktl_jiffies, __ATOMIC_RELAXED))
#define jiffies_64 ((u64)__atomic_load_n(&__ktl_jiffies, __ATOMIC_RELAXED))

static inline u64 get_jiffies_64(void)
{
	return jiffies_64;
}

#define INITIAL_JIFFIES ((unsigned long)(unsigned int)(-300 * HZ))

/* The largest timeout the conversions return: anything larger means "forever" to them. */
#define MAX_JIFFY_OFFSET ((LONG_MAX >> 1) - 1)
#define MAX_SEC_IN_JIFFIES (long)((u64)((u64)MAX_JIFFY_OFFSET * TICK_NSEC) / NSEC_PER_SEC)

/*
 * time_after(a, b) is true when a is after b, correct across the counter's wrap as long as the
 * two are less than LONG_MAX/2 jiffies apart. Both must be unsigned long (checked, as Linux
 * does, with a warning).
 */
#define time_after(a, b)                                                        \
	(typecheck(unsigned long, a) && typecheck(unsigned long, b) &&          \
	 ((long)((b) - (a)) < 0))
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b)                                                     \
	(typecheck(unsigned long, a) && typecheck(unsigned long, b) &&          \
	 ((long)((a) - (b)) >= 0))
#define time_before_eq(a, b) time_after_eq(b, a)
/* a in [b, c] and in [b, c) */
#define time_in_range(a, b, c) (time_after_eq(a, b) && time_before_eq(a, c))
#define time_in_range_open(a, b, c) (time_after_eq(a, b) && time_before(a, c))

#define time_after64(a, b)                                                      \
	(typecheck(__u64, a) && typecheck(__u64, b) && ((__s64)((b) - (a)) < 0))
#define time_before64(a, b) time_after64(b, a)
#define time_after_eq64(a, b)                                                   \
	(typecheck(__u64, a) && typecheck(__u64, b) && ((__s64)((a) - (b)) >= 0))
#define time_before_eq64(a, b) time_after_eq64(b, a)
#define time_in_range64(a, b, c) (time_after_eq64(a, b) && time_before_eq64(a, c))

#define time_is_before_jiffies(a) time_after(jiffies, a)
#define time_is_before_jiffies64(a) time_after64(get_jiffies_64(), a)
#define time_is_after_jiffies(a) time_before(jiffies, a)
#define time_is_after_jiffies64(a) time_before64(get_jiffies_64(), a)
#define time_is_before_eq_jiffies(a) time_after_eq(jiffies, a)
#define time_is_before_eq_jiffies64(a) time_after_eq64(get_jiffies_64(), a)
#define time_is_after_eq_jiffies(a) time_before_eq(jiffies, a)
#define time_is_after_eq_jiffies64(a) time_before_eq64(get_jiffies_64(), a)

/* Linux 6.13's constant-foldable form: usable in static initialisers. */
#define secs_to_jiffies(_secs) (unsigned long)((_secs) * HZ)

__KTL_BEGIN_DECLS

/*
 * The conversions round a duration up to whole jiffies (a timeout is never shorter than asked)
 * and return MAX_JIFFY_OFFSET for a value that is negative as an int or too large.
 */
unsigned long msecs_to_jiffies(const unsigned int m) __ktl_abi(msecs_to_jiffies);
unsigned long usecs_to_jiffies(const unsigned int u) __ktl_abi(usecs_to_jiffies);
unsigned long nsecs_to_jiffies(u64 n) __ktl_abi(nsecs_to_jiffies);
u64 nsecs_to_jiffies64(u64 n) __ktl_abi(nsecs_to_jiffies64);
unsigned int jiffies_to_msecs(const unsigned long j) __ktl_abi(jiffies_to_msecs);
unsigned int jiffies_to_usecs(const unsigned long j) __ktl_abi(jiffies_to_usecs);
u64 jiffies_to_nsecs(const unsigned long j) __ktl_abi(jiffies_to_nsecs);
u64 jiffies64_to_nsecs(u64 j) __ktl_abi(jiffies64_to_nsecs);
u64 jiffies64_to_msecs(u64 j) __ktl_abi(jiffies64_to_msecs);
unsigned long timespec64_to_jiffies(const struct timespec64 *value)
	__ktl_abi(timespec64_to_jiffies);
void jiffies_to_timespec64(const unsigned long jiffies_, struct timespec64 *value)
	__ktl_abi(jiffies_to_timespec64);
/* In USER_HZ (100 per second) units, what /proc shows. */
clock_t jiffies_to_clock_t(unsigned long x) __ktl_abi(jiffies_to_clock_t);
unsigned long clock_t_to_jiffies(unsigned long x) __ktl_abi(clock_t_to_jiffies);
u64 jiffies_64_to_clock_t(u64 x) __ktl_abi(jiffies_64_to_clock_t);
u64 nsec_to_clock_t(u64 x) __ktl_abi(nsec_to_clock_t);

__KTL_END_DECLS

static inline unsigned int jiffies_delta_to_msecs(long delta)
{
	return jiffies_to_msecs(delta > 0 ? (unsigned long)delta : 0);
}

#endif /* _LINUX_JIFFIES_H */
