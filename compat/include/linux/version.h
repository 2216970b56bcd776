/* SPDX-License-Identifier: MIT */
/* linux/version.h - ktl's headers describe Linux 6.18: version checks take the 6.x branches. */
#ifndef _LINUX_VERSION_H
#define _LINUX_VERSION_H

#include <asm/ktl-abi.h>

#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#define LINUX_VERSION_CODE \
	KERNEL_VERSION(__KTL_LINUX_VERSION, __KTL_LINUX_PATCHLEVEL, __KTL_LINUX_SUBLEVEL)
#define LINUX_VERSION_MAJOR __KTL_LINUX_VERSION
#define LINUX_VERSION_PATCHLEVEL __KTL_LINUX_PATCHLEVEL
#define LINUX_VERSION_SUBLEVEL __KTL_LINUX_SUBLEVEL
#define UTS_RELEASE "6.18.0-ktl"

#endif /* _LINUX_VERSION_H */
