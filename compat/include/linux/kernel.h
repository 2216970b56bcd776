/* SPDX-License-Identifier: MIT */
/*
 * linux/kernel.h - the kernel's grab bag: ARRAY_SIZE, container_of, min/max, rounding,
 * integer limits, the printf family, kstrto*, might_sleep, panic.
 *
 * Like the kernel's header it brings in printk, the limits, minmax, math, log2, bitops,
 * kstrtox, sprintf, container_of and build_bug, which code relies on without including
 * them itself.
 */
#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H

#include <linux/stdarg.h>
#include <linux/align.h>
#include <linux/array_size.h>
#include <linux/limits.h>
#include <linux/linkage.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/container_of.h>
#include <linux/bitops.h>
#include <linux/kstrtox.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/typecheck.h>
#include <linux/panic.h>
#include <linux/printk.h>
#include <linux/build_bug.h>
#include <linux/sprintf.h>
#include <linux/stringify.h>

#define STACK_MAGIC 0xdeadbeef

/* A byte repeated over an unsigned long: REPEAT_BYTE(0x01) == 0x0101010101010101. */
#define REPEAT_BYTE(x) ((~0ul / 0xff) * (x))
#define REPEAT_BYTE_U32(x) ((~0u / 0xff) * (x))

#define upper_32_bits(n) ((u32)(((n) >> 16) >> 16))
#define lower_32_bits(n) ((u32)((n) & 0xffffffff))
#define upper_16_bits(n) ((u16)((n) >> 16))
#define lower_16_bits(n) ((u16)((n) & 0xffff))

#define u64_to_user_ptr(x) ((void __user *)(uintptr_t)(x))

/* Directions of a transfer (rw arguments). */
#define READ 0
#define WRITE 1

#define FIELD_SIZEOF(t, f) (sizeof(((t *)0)->f))

__KTL_BEGIN_DECLS
/*
 * __might_sleep - report a sleeping call in atomic context
 *
 * Prints the kernel's "BUG: sleeping function called from invalid context at FILE:LINE"
 * report (at most once a second) when the caller holds a spinlock, runs with interrupts
 * disabled or in a timer/tasklet callback; the caller then goes on.
 */
void __might_sleep(const char *file, int line) __ktl_abi(__might_sleep);
__KTL_END_DECLS

#define might_sleep() __might_sleep(__FILE__, __LINE__)
#define might_sleep_if(cond)                    \
	do {                                    \
		if (cond)                       \
			might_sleep();          \
	} while (0)
#define might_resched() do { } while (0)
#define cant_sleep() do { } while (0)
#define cant_migrate() do { } while (0)
#define non_block_start() do { } while (0)
#define non_block_end() do { } while (0)

#define hex_asc "0123456789abcdef"
#define hex_asc_lo(x) hex_asc[((x) & 0x0f)]
#define hex_asc_hi(x) hex_asc[((x) & 0xf0) >> 4]
#define hex_asc_upper "0123456789ABCDEF"
#define hex_asc_upper_lo(x) hex_asc_upper[((x) & 0x0f)]
#define hex_asc_upper_hi(x) hex_asc_upper[((x) & 0xf0) >> 4]

/* The value of hex digit @ch, or -1. */
static inline int hex_to_bin(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

#endif /* _LINUX_KERNEL_H */
