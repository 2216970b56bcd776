/* SPDX-License-Identifier: MIT */
/*
 * uapi/linux/time.h - the POSIX clock ids.
 *
 * As in Linux 6.x, kernel code (__KERNEL__) gets no struct timespec/timeval from here: it uses
 * struct timespec64 (<linux/time64.h>) and ktime_t.
 */
#ifndef _UAPI_LINUX_TIME_H
#define _UAPI_LINUX_TIME_H

/* The kernel's clockid_t (also in Linux's <linux/types.h>; an identical typedef may repeat). */
typedef int clockid_t;

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define CLOCK_SGI_CYCLE 10
#define CLOCK_TAI 11

#define MAX_CLOCKS 16
#define CLOCKS_MASK (CLOCK_REALTIME | CLOCK_MONOTONIC)
#define CLOCKS_MONO CLOCK_MONOTONIC

#define TIMER_ABSTIME 0x01

#endif /* _UAPI_LINUX_TIME_H */
