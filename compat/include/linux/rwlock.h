/* SPDX-License-Identifier: MIT */
/*
 * linux/rwlock.h - rwlock_t operations (include <linux/spinlock.h>).
 *
 * Any number of readers, or one writer. Like spinlocks, holding either side enters atomic
 * context, and the _irq/_irqsave/_bh forms disable interrupts / bottom halves as the
 * spin_lock forms do. A waiting writer holds off new readers in task context (no writer
 * starvation); readers in interrupt context (timer, tasklet) still get in while no writer
 * holds the lock, so a reader interrupted by a reader of the same lock cannot deadlock.
 * Readers may not upgrade to writers.
 *
 * Context: any; the critical section must not sleep.
 */
#ifndef _LINUX_RWLOCK_H
#define _LINUX_RWLOCK_H

#include <linux/compiler.h>
#include <linux/typecheck.h>
#include <linux/rwlock_types.h>

__KTL_BEGIN_DECLS
void read_lock(rwlock_t *lock) __ktl_abi(read_lock);
void read_unlock(rwlock_t *lock) __ktl_abi(read_unlock);
void write_lock(rwlock_t *lock) __ktl_abi(write_lock);
void write_unlock(rwlock_t *lock) __ktl_abi(write_unlock);
/* Return: 1 if taken, 0 if not (nothing changed). */
int read_trylock(rwlock_t *lock) __ktl_abi(read_trylock);
int write_trylock(rwlock_t *lock) __ktl_abi(write_trylock);
void read_lock_irq(rwlock_t *lock) __ktl_abi(read_lock_irq);
void read_unlock_irq(rwlock_t *lock) __ktl_abi(read_unlock_irq);
void write_lock_irq(rwlock_t *lock) __ktl_abi(write_lock_irq);
void write_unlock_irq(rwlock_t *lock) __ktl_abi(write_unlock_irq);
void read_lock_bh(rwlock_t *lock) __ktl_abi(read_lock_bh);
void read_unlock_bh(rwlock_t *lock) __ktl_abi(read_unlock_bh);
void write_lock_bh(rwlock_t *lock) __ktl_abi(write_lock_bh);
void write_unlock_bh(rwlock_t *lock) __ktl_abi(write_unlock_bh);
unsigned long _read_lock_irqsave(rwlock_t *lock) __ktl_abi(read_lock_irqsave);
void _read_unlock_irqrestore(rwlock_t *lock, unsigned long flags)
	__ktl_abi(read_unlock_irqrestore);
unsigned long _write_lock_irqsave(rwlock_t *lock) __ktl_abi(write_lock_irqsave);
void _write_unlock_irqrestore(rwlock_t *lock, unsigned long flags)
	__ktl_abi(write_unlock_irqrestore);
__KTL_END_DECLS

static inline void rwlock_init(rwlock_t *lock)
{
	__atomic_store_n(&lock->cnts, 0, __ATOMIC_RELAXED);
}
/* Whether another CPU waits for the lock: a hint, never reported here. */
static inline int rwlock_is_contended(rwlock_t *lock)
{
	(void)lock;
	return 0;
}
#define write_can_lock(lock) (__atomic_load_n(&(lock)->cnts, __ATOMIC_RELAXED) == 0)
#define read_can_lock(lock) (!(__atomic_load_n(&(lock)->cnts, __ATOMIC_RELAXED) & 0x1ffu))

#define read_lock_irqsave(lock, flags)                                  \
	do {                                                            \
		typecheck(unsigned long, flags);                        \
		flags = _read_lock_irqsave(lock);                       \
	} while (0)
#define read_unlock_irqrestore(lock, flags)                             \
	do {                                                            \
		typecheck(unsigned long, flags);                        \
		_read_unlock_irqrestore(lock, flags);                   \
	} while (0)
#define write_lock_irqsave(lock, flags)                                 \
	do {                                                            \
		typecheck(unsigned long, flags);                        \
		flags = _write_lock_irqsave(lock);                      \
	} while (0)
#define write_unlock_irqrestore(lock, flags)                            \
	do {                                                            \
		typecheck(unsigned long, flags);                        \
		_write_unlock_irqrestore(lock, flags);                  \
	} while (0)
#define write_lock_nested(lock, subclass) write_lock(lock)

#endif /* _LINUX_RWLOCK_H */
