/* SPDX-License-Identifier: MIT */
/*
 * linux/irqflags.h - disabling "interrupts" on this vCPU.
 *
 * A ktl vCPU takes its interrupts (the tick, expired timers, cross-vCPU wake-ups) only at
 * scheduling points, so a task never needs interrupts off for correctness; the state still
 * exists, per task, for what reads it: irqs_disabled(), might_sleep()'s report, lock
 * debugging. It is a nesting count: local_irq_save() disables and saves the previous state,
 * local_irq_restore() undoes one save; each local_irq_disable() needs its local_irq_enable().
 * Timer, hrtimer and tasklet callbacks run with interrupts enabled, as on Linux.
 */
#ifndef _LINUX_IRQFLAGS_H
#define _LINUX_IRQFLAGS_H

#include <asm/ktl-abi.h>
#include <linux/typecheck.h>
#include <linux/types.h>

__KTL_BEGIN_DECLS
void __ktl_local_irq_disable(void) __ktl_abi(local_irq_disable);
void __ktl_local_irq_enable(void) __ktl_abi(local_irq_enable);
/* Disables, returning the previous state (non-zero: it was already disabled). */
unsigned long __ktl_local_irq_save(void) __ktl_abi(local_irq_save);
void __ktl_local_irq_restore(unsigned long flags) __ktl_abi(local_irq_restore);
/* The current state (non-zero: disabled), as local_save_flags() stores it. */
unsigned long __ktl_local_save_flags(void) __ktl_abi(local_save_flags);
__KTL_END_DECLS

#define local_irq_disable() __ktl_local_irq_disable()
#define local_irq_enable() __ktl_local_irq_enable()
#define local_irq_save(flags)                                           \
	do {                                                            \
		typecheck(unsigned long, flags);                        \
		flags = __ktl_local_irq_save();                         \
	} while (0)
#define local_irq_restore(flags)                                        \
	do {                                                            \
		typecheck(unsigned long, flags);                        \
		__ktl_local_irq_restore(flags);                         \
	} while (0)
#define local_save_flags(flags)                                         \
	do {                                                            \
		typecheck(unsigned long, flags);                        \
		flags = __ktl_local_save_flags();                       \
	} while (0)
#define irqs_disabled_flags(flags) ((flags) != 0)
#define irqs_disabled() irqs_disabled_flags(__ktl_local_save_flags())
#define safe_halt() do { } while (0)

#define raw_local_irq_disable() local_irq_disable()
#define raw_local_irq_enable() local_irq_enable()
#define raw_local_irq_save(flags) local_irq_save(flags)
#define raw_local_irq_restore(flags) local_irq_restore(flags)
#define raw_local_save_flags(flags) local_save_flags(flags)
#define raw_irqs_disabled_flags(flags) irqs_disabled_flags(flags)
#define raw_irqs_disabled() irqs_disabled()
#define local_irq_enable_in_hardirq() do { } while (0)

#endif /* _LINUX_IRQFLAGS_H */
