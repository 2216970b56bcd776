/* SPDX-License-Identifier: MIT */
/* asm/unaligned.h - see <linux/unaligned.h> (the header's location before Linux 6.12). */
#ifndef _ASM_UNALIGNED_H
#define _ASM_UNALIGNED_H

#include <linux/unaligned.h>

#endif /* _ASM_UNALIGNED_H */
