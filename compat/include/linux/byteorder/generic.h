/* SPDX-License-Identifier: MIT */
/* linux/byteorder/generic.h - see <asm/byteorder.h>. */
#ifndef _LINUX_BYTEORDER_GENERIC_H
#define _LINUX_BYTEORDER_GENERIC_H

#include <asm/byteorder.h>

#endif /* _LINUX_BYTEORDER_GENERIC_H */
