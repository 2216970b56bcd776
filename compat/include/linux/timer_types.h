/* SPDX-License-Identifier: MIT */
/*
 * linux/timer_types.h - struct timer_list.
 *
 * Linux 6.x split the types out of <linux/timer.h>; here this is the whole header.
 */
#ifndef _LINUX_TIMER_TYPES_H
#define _LINUX_TIMER_TYPES_H

#include <linux/timer.h>

#endif /* _LINUX_TIMER_TYPES_H */
