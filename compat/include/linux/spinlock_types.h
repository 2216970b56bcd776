/* SPDX-License-Identifier: MIT */
/*
 * linux/spinlock_types.h - spinlock_t, raw_spinlock_t, rwlock_t and their static
 * initialisers.
 *
 * spinlock_t is ktl's spinlock_t: one byte, the lock word (0 = unlocked), which is also
 * what the C++ constructor produces. raw_spinlock_t is the same lock without the wrapper
 * (ktl makes no difference between the two). rwlock_t: see <linux/rwlock_types.h>.
 */
#ifndef _LINUX_SPINLOCK_TYPES_H
#define _LINUX_SPINLOCK_TYPES_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/lockdep.h>

typedef struct raw_spinlock {
	bool locked; /* ktl's arch_spinlock: std::atomic<bool> */
} raw_spinlock_t;

typedef struct spinlock {
	struct raw_spinlock rlock;
} spinlock_t;

#define __RAW_SPIN_LOCK_INITIALIZER(lockname) { .locked = 0 }
#define __RAW_SPIN_LOCK_UNLOCKED(lockname) ((raw_spinlock_t)__RAW_SPIN_LOCK_INITIALIZER(lockname))
#define DEFINE_RAW_SPINLOCK(x) raw_spinlock_t x = __RAW_SPIN_LOCK_INITIALIZER(x)

#define __SPIN_LOCK_INITIALIZER(lockname) { .rlock = __RAW_SPIN_LOCK_INITIALIZER(lockname) }
#define __SPIN_LOCK_UNLOCKED(lockname) ((spinlock_t)__SPIN_LOCK_INITIALIZER(lockname))
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_INITIALIZER(x)

#include <linux/rwlock_types.h>

#endif /* _LINUX_SPINLOCK_TYPES_H */
