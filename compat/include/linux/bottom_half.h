/* SPDX-License-Identifier: MIT */
/*
 * linux/bottom_half.h - holding off softirqs (timer callbacks, tasklets) on this vCPU.
 *
 * local_bh_disable() adds SOFTIRQ_DISABLE_OFFSET to the preempt count: softirqs raised
 * meanwhile on this vCPU wait, and local_bh_enable() runs them (outside interrupt context),
 * as Linux does. The pair nests. A task must not sleep with bottom halves disabled.
 */
#ifndef _LINUX_BH_H
#define _LINUX_BH_H

#include <asm/ktl-abi.h>
#include <linux/preempt.h>

__KTL_BEGIN_DECLS
void local_bh_disable(void) __ktl_abi(local_bh_disable);
/* Runs the softirqs that became pending while disabled. */
void local_bh_enable(void) __ktl_abi(local_bh_enable);
void __local_bh_enable_ip(unsigned long ip, unsigned int cnt) __ktl_abi(__local_bh_enable_ip);
/* Re-enables without running pending softirqs. */
void _local_bh_enable(void) __ktl_abi(_local_bh_enable);
__KTL_END_DECLS

#define local_bh_enable_ip(ip) __local_bh_enable_ip(ip, SOFTIRQ_DISABLE_OFFSET)

#endif /* _LINUX_BH_H */
