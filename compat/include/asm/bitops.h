/* SPDX-License-Identifier: MIT */
/* asm/bitops.h - the architecture's bit operations: see <linux/bitops.h>. */
#ifndef _ASM_BITOPS_H
#define _ASM_BITOPS_H

#include <linux/bitops.h>

#endif /* _ASM_BITOPS_H */
