/* SPDX-License-Identifier: MIT */
/*
 * linux/rwlock_types.h - rwlock_t: a reader/writer spinning lock.
 *
 * One 32-bit word (ktl has no rwlock of its own; compat/src/locking.cc implements it):
 * bits 0-7 are the writer (0xff while a writer holds the lock), bit 8 says a writer waits
 * for the readers to drain (new readers in task context wait behind it, readers in
 * interrupt context still enter, as with the kernel's queued rwlock), bits 9-31 count the
 * readers. 0 is unlocked.
 */
#ifndef _LINUX_RWLOCK_TYPES_H
#define _LINUX_RWLOCK_TYPES_H

#include <linux/compiler.h>
#include <linux/types.h>

typedef struct {
	unsigned int cnts;
} rwlock_t;

#define __RW_LOCK_INITIALIZER(lockname) { .cnts = 0 }
#define __RW_LOCK_UNLOCKED(lockname) ((rwlock_t)__RW_LOCK_INITIALIZER(lockname))
#define DEFINE_RWLOCK(x) rwlock_t x = __RW_LOCK_INITIALIZER(x)

#endif /* _LINUX_RWLOCK_TYPES_H */
