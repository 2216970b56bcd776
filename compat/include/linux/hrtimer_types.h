/* SPDX-License-Identifier: MIT */
/*
 * linux/hrtimer_types.h - struct hrtimer.
 *
 * Linux 6.x split the types out of <linux/hrtimer.h>; here this is the whole header.
 */
#ifndef _LINUX_HRTIMER_TYPES_H
#define _LINUX_HRTIMER_TYPES_H

#include <linux/hrtimer.h>

#endif /* _LINUX_HRTIMER_TYPES_H */
