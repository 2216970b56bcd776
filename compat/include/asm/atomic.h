/* SPDX-License-Identifier: MIT */
/* asm/atomic.h - the architecture's atomics: see <linux/atomic.h>. */
#ifndef _ASM_ATOMIC_H
#define _ASM_ATOMIC_H

#include <linux/atomic.h>

#endif /* _ASM_ATOMIC_H */
