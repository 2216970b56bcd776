/* SPDX-License-Identifier: MIT */
/*
 * linux/time64.h - struct timespec64, time64_t and the unit constants (NSEC_PER_SEC, ...).
 */
#ifndef _LINUX_TIME64_H
#define _LINUX_TIME64_H

#include <asm/ktl-abi.h>
#include <linux/math64.h>
#include <linux/types.h>

typedef __s64 timeu64_t;

struct timespec64 {
	time64_t tv_sec; /* seconds */
	long tv_nsec;    /* nanoseconds, 0 .. NSEC_PER_SEC - 1 once normalised */
};

struct itimerspec64 {
	struct timespec64 it_interval;
	struct timespec64 it_value;
};

#define MSEC_PER_SEC 1000L
#define USEC_PER_MSEC 1000L
#define NSEC_PER_USEC 1000L
#define NSEC_PER_MSEC 1000000L
#define USEC_PER_SEC 1000000L
#define NSEC_PER_SEC 1000000000L
#define PSEC_PER_SEC 1000000000000LL
#define FSEC_PER_SEC 1000000000000000LL

#define TIME64_MAX ((s64)~((u64)1 << 63))
#define TIME64_MIN (-TIME64_MAX - 1)
#define KTIME_MAX ((s64)~((u64)1 << 63))
#define KTIME_MIN (-KTIME_MAX - 1)
#define KTIME_SEC_MAX (KTIME_MAX / NSEC_PER_SEC)
#define KTIME_SEC_MIN (KTIME_MIN / NSEC_PER_SEC)

__KTL_BEGIN_DECLS

/**
 * ns_to_timespec64 - split nanoseconds into seconds and nanoseconds
 * @nsec: nanoseconds, possibly negative
 *
 * Return: the timespec64 with 0 <= tv_nsec < NSEC_PER_SEC (a negative @nsec borrows from
 * tv_sec, as Linux does).
 */
struct timespec64 ns_to_timespec64(s64 nsec) __ktl_abi(ns_to_timespec64);

/* Sets @ts to @sec seconds plus @nsec nanoseconds, normalising @nsec into 0 .. NSEC_PER_SEC-1. */
void set_normalized_timespec64(struct timespec64 *ts, time64_t sec, s64 nsec)
	__ktl_abi(set_normalized_timespec64);

__KTL_END_DECLS

static inline int timespec64_equal(const struct timespec64 *a, const struct timespec64 *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* < 0 when @lhs is earlier than @rhs, 0 when equal, > 0 when later. */
static inline int timespec64_compare(const struct timespec64 *lhs, const struct timespec64 *rhs)
{
	if (lhs->tv_sec < rhs->tv_sec)
		return -1;
	if (lhs->tv_sec > rhs->tv_sec)
		return 1;
	return (int)(lhs->tv_nsec - rhs->tv_nsec);
}

static inline struct timespec64 timespec64_add(struct timespec64 lhs, struct timespec64 rhs)
{
	struct timespec64 ts;

	set_normalized_timespec64(&ts, lhs.tv_sec + rhs.tv_sec, (s64)lhs.tv_nsec + rhs.tv_nsec);
	return ts;
}

static inline struct timespec64 timespec64_sub(struct timespec64 lhs, struct timespec64 rhs)
{
	struct timespec64 ts;

	set_normalized_timespec64(&ts, lhs.tv_sec - rhs.tv_sec, (s64)lhs.tv_nsec - rhs.tv_nsec);
	return ts;
}

static inline bool timespec64_valid(const struct timespec64 *ts)
{
	return ts->tv_sec >= 0 && (unsigned long)ts->tv_nsec < NSEC_PER_SEC;
}

static inline bool timespec64_valid_strict(const struct timespec64 *ts)
{
	return timespec64_valid(ts) && ts->tv_sec < KTIME_SEC_MAX;
}

/* Nanoseconds of @ts, saturated at KTIME_MAX / KTIME_MIN. */
static inline s64 timespec64_to_ns(const struct timespec64 *ts)
{
	if (ts->tv_sec >= KTIME_SEC_MAX)
		return KTIME_MAX;
	if (ts->tv_sec <= KTIME_SEC_MIN)
		return KTIME_MIN;
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static inline void timespec64_add_ns(struct timespec64 *a, u64 ns)
{
	set_normalized_timespec64(a, a->tv_sec, (s64)a->tv_nsec + (s64)ns);
}

#endif /* _LINUX_TIME64_H */
