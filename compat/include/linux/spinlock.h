/* SPDX-License-Identifier: MIT */
/*
 * linux/spinlock.h - spinlock_t, raw_spinlock_t and rwlock_t operations.
 *
 * These are ktl's spinlocks: taking one enters atomic context (preempt_count + 1), so a
 * sleeping call made while holding it is reported by might_sleep() ("BUG: sleeping
 * function called from invalid context"). The _irq/_irqsave forms also mark interrupts
 * disabled (irqs_disabled() is true until the matching unlock); the _bh forms hold off
 * softirqs (tasklets, timer callbacks) on this vCPU, which run when bottom halves are
 * enabled again. spin_lock_irqsave(lock, flags) stores into @flags, an unsigned long,
 * the state spin_unlock_irqrestore() restores.
 *
 * Context: any (task, timer or tasklet callback); the critical section must not sleep.
 */
#ifndef _LINUX_SPINLOCK_H
#define _LINUX_SPINLOCK_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/typecheck.h>
#include <linux/lockdep.h>
#include <linux/bug.h>
#include <linux/atomic.h>
#include <linux/spinlock_types.h>
#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <linux/bottom_half.h>
#include <asm/barrier.h>
#include <asm/processor.h>

__KTL_BEGIN_DECLS
void spin_lock(spinlock_t *lock) __ktl_abi(spin_lock);
void spin_unlock(spinlock_t *lock) __ktl_abi(spin_unlock);
/* Return: 1 if the lock was taken, 0 (and nothing changed) if it is held. */
int spin_trylock(spinlock_t *lock) __ktl_abi(spin_trylock);
void spin_lock_irq(spinlock_t *lock) __ktl_abi(spin_lock_irq);
void spin_unlock_irq(spinlock_t *lock) __ktl_abi(spin_unlock_irq);
void spin_lock_bh(spinlock_t *lock) __ktl_abi(spin_lock_bh);
void spin_unlock_bh(spinlock_t *lock) __ktl_abi(spin_unlock_bh);
unsigned long _spin_lock_irqsave(spinlock_t *lock) __ktl_abi(spin_lock_irqsave);
void _spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
	__ktl_abi(spin_unlock_irqrestore);
int _spin_trylock_irqsave(spinlock_t *lock, unsigned long *flags)
	__ktl_abi(spin_trylock_irqsave);
int spin_trylock_irq(spinlock_t *lock) __ktl_abi(spin_trylock_irq);
int spin_trylock_bh(spinlock_t *lock) __ktl_abi(spin_trylock_bh);
__KTL_END_DECLS

/* Not taken by anyone at this instant (a racy snapshot, for assertions). */
static inline int spin_is_locked(spinlock_t *lock)
{
	return __atomic_load_n(&lock->rlock.locked, __ATOMIC_RELAXED);
}
static inline int spin_is_contended(spinlock_t *lock)
{
	(void)lock;
	return 0;
}
static inline int spin_can_lock(spinlock_t *lock)
{
	return !spin_is_locked(lock);
}
static inline void spin_lock_init(spinlock_t *lock)
{
	__atomic_store_n(&lock->rlock.locked, 0, __ATOMIC_RELAXED);
}

#define spin_lock_irqsave(lock, flags)                                  \
	do {                                                            \
		typecheck(unsigned long, flags);                        \
		flags = _spin_lock_irqsave(lock);                       \
	} while (0)
#define spin_unlock_irqrestore(lock, flags)                             \
	do {                                                            \
		typecheck(unsigned long, flags);                        \
		_spin_unlock_irqrestore(lock, flags);                   \
	} while (0)
#define spin_trylock_irqsave(lock, flags) _spin_trylock_irqsave(lock, &(flags))
#define spin_lock_nested(lock, subclass) spin_lock(lock)
#define spin_lock_nest_lock(lock, nest_lock) spin_lock(lock)
#define spin_lock_bh_nested(lock, subclass) spin_lock_bh(lock)
#define spin_lock_irqsave_nested(lock, flags, subclass) spin_lock_irqsave(lock, flags)
#define assert_spin_locked(lock) BUG_ON(!spin_is_locked(lock))

/*
 * raw_spinlock_t: the same lock (a spinlock_t holds exactly one raw_spinlock_t), with the
 * same operations under the raw_ names.
 */
#define __ktl_raw_to_spin(lock) ((spinlock_t *)(raw_spinlock_t *)(lock))
#define raw_spin_lock_init(lock) spin_lock_init(__ktl_raw_to_spin(lock))
#define raw_spin_lock(lock) spin_lock(__ktl_raw_to_spin(lock))
#define raw_spin_unlock(lock) spin_unlock(__ktl_raw_to_spin(lock))
#define raw_spin_trylock(lock) spin_trylock(__ktl_raw_to_spin(lock))
#define raw_spin_lock_irq(lock) spin_lock_irq(__ktl_raw_to_spin(lock))
#define raw_spin_unlock_irq(lock) spin_unlock_irq(__ktl_raw_to_spin(lock))
#define raw_spin_lock_bh(lock) spin_lock_bh(__ktl_raw_to_spin(lock))
#define raw_spin_unlock_bh(lock) spin_unlock_bh(__ktl_raw_to_spin(lock))
#define raw_spin_lock_irqsave(lock, flags) spin_lock_irqsave(__ktl_raw_to_spin(lock), flags)
#define raw_spin_unlock_irqrestore(lock, flags) \
	spin_unlock_irqrestore(__ktl_raw_to_spin(lock), flags)
#define raw_spin_trylock_irqsave(lock, flags) spin_trylock_irqsave(__ktl_raw_to_spin(lock), flags)
#define raw_spin_is_locked(lock) spin_is_locked(__ktl_raw_to_spin(lock))
#define raw_spin_is_contended(lock) spin_is_contended(__ktl_raw_to_spin(lock))
#define raw_spin_lock_nested(lock, subclass) raw_spin_lock(lock)
#define raw_spin_lock_irqsave_nested(lock, flags, subclass) raw_spin_lock_irqsave(lock, flags)

/* spin_lock() on @lock after atomic_dec_and_test(@atomic) reached 0; Return: 1 then, else 0. */
static inline int _atomic_dec_and_lock(atomic_t *atomic, spinlock_t *lock)
{
	if (atomic_add_unless(atomic, -1, 1))
		return 0;
	spin_lock(lock);
	if (atomic_dec_and_test(atomic))
		return 1;
	spin_unlock(lock);
	return 0;
}
#define atomic_dec_and_lock(atomic, lock) _atomic_dec_and_lock(atomic, lock)

static inline int _atomic_dec_and_lock_irqsave(atomic_t *atomic, spinlock_t *lock,
					       unsigned long *flags)
{
	if (atomic_add_unless(atomic, -1, 1))
		return 0;
	*flags = _spin_lock_irqsave(lock);
	if (atomic_dec_and_test(atomic))
		return 1;
	_spin_unlock_irqrestore(lock, *flags);
	return 0;
}
#define atomic_dec_and_lock_irqsave(atomic, lock, flags) \
	_atomic_dec_and_lock_irqsave(atomic, lock, &(flags))

#include <linux/rwlock.h>

#endif /* _LINUX_SPINLOCK_H */
