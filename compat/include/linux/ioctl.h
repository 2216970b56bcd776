/* SPDX-License-Identifier: MIT */
/*
 * linux/ioctl.h - ioctl command numbers (_IO, _IOR, _IOW, _IOWR) for ->unlocked_ioctl.
 * ktl has no ioctl(2): a module's ->unlocked_ioctl / ->proc_ioctl is never called.
 */
#ifndef _LINUX_IOCTL_H
#define _LINUX_IOCTL_H

#include <uapi/asm-generic/ioctl.h>

#endif /* _LINUX_IOCTL_H */
