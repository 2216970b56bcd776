/* SPDX-License-Identifier: MIT */
/*
 * linux/workqueue_types.h - struct work_struct and work_func_t.
 *
 * Linux 6.x split the types out of <linux/workqueue.h>; here this is the whole header.
 */
#ifndef _LINUX_WORKQUEUE_TYPES_H
#define _LINUX_WORKQUEUE_TYPES_H

#include <linux/workqueue.h>

#endif /* _LINUX_WORKQUEUE_TYPES_H */
