/* SPDX-License-Identifier: MIT */
/* uapi/linux/sched/types.h - struct sched_param (sched_setscheduler()). */
#ifndef _UAPI_LINUX_SCHED_TYPES_H
#define _UAPI_LINUX_SCHED_TYPES_H

struct sched_param {
	int sched_priority;
};

#endif /* _UAPI_LINUX_SCHED_TYPES_H */
