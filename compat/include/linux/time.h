/* SPDX-License-Identifier: MIT */
/*
 * linux/time.h - the clock ids, struct timespec64 and the time unit constants.
 *
 * The wall clock: on the real machine CLOCK_REALTIME is the host's; on the simulation machine
 * the machine "booted" at 2026-01-01 00:00:00 UTC and realtime is that plus the virtual
 * monotonic time, so every run reads the same dates. It never jumps (no settimeofday).
 */
#ifndef _LINUX_TIME_H
#define _LINUX_TIME_H

#include <linux/math64.h>
#include <linux/time64.h>
#include <uapi/linux/time.h>

struct tm {
	int tm_sec;   /* 0 .. 59 (60 on a leap second) */
	int tm_min;   /* 0 .. 59 */
	int tm_hour;  /* 0 .. 23 */
	int tm_mday;  /* 1 .. 31 */
	int tm_mon;   /* 0 .. 11 */
	long tm_year; /* years since 1900 */
	int tm_wday;  /* 0 .. 6, Sunday = 0 */
	int tm_yday;  /* 0 .. 365 */
};

__KTL_BEGIN_DECLS
/* Breaks @totalsecs (+ @offset seconds) since the epoch into calendar fields, in UTC. */
void time64_to_tm(time64_t totalsecs, int offset, struct tm *result) __ktl_abi(time64_to_tm);
/* Seconds since the epoch of a Gregorian UTC date (mon 1..12, as Linux's mktime64). */
time64_t mktime64(const unsigned int year, const unsigned int mon, const unsigned int day,
		  const unsigned int hour, const unsigned int min, const unsigned int sec)
	__ktl_abi(mktime64);
__KTL_END_DECLS

#define time_after32(a, b) ((s32)((u32)(b) - (u32)(a)) < 0)
#define time_before32(b, a) time_after32(a, b)

#endif /* _LINUX_TIME_H */
