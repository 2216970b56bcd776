/* SPDX-License-Identifier: MIT */
/*
 * linux/mutex.h - struct mutex, ktl's sleeping lock.
 *
 * A task that waits for a mutex sleeps (its vCPU runs other tasks meanwhile). Rules, as on
 * Linux: only the owner unlocks (unlocking a mutex one does not hold WARNs); no recursive
 * locking; never from a timer or tasklet callback nor with a spinlock held (might_sleep()
 * reports it). mutex_lock_interruptible() and mutex_lock_killable() return 0 with the
 * lock held, or -EINTR (lock not held) when a signal (a fatal one for _killable) arrived.
 *
 * The layout is ktl's struct mutex: the owner word (task pointer | flag bits), the wait
 * lock, the waiter list and a name pointer (NULL). DEFINE_MUTEX() produces the bytes of a
 * C++ default-constructed mutex.
 */
#ifndef _LINUX_MUTEX_H
#define _LINUX_MUTEX_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/atomic.h>
#include <linux/spinlock_types.h>
#include <linux/bug.h>

struct mutex {
	atomic_long_t owner;         /* task_struct * | flag bits; 0 when unlocked */
	spinlock_t wait_lock;
	struct list_head wait_list;  /* waiting tasks, FIFO */
	const char *name;
};

#define __MUTEX_INITIALIZER(lockname)                                           \
	{                                                                       \
		.owner = ATOMIC_LONG_INIT(0),                                   \
		.wait_lock = __SPIN_LOCK_INITIALIZER(lockname.wait_lock),       \
		.wait_list = LIST_HEAD_INIT(lockname.wait_list),                \
		.name = NULL,                                                   \
	}
#define DEFINE_MUTEX(mutexname) struct mutex mutexname = __MUTEX_INITIALIZER(mutexname)

__KTL_BEGIN_DECLS
void mutex_init(struct mutex *lock) __ktl_abi(mutex_init);
/* Context: task. Sleeps uninterruptibly until the lock is taken. */
void mutex_lock(struct mutex *lock) __ktl_abi(mutex_lock);
void mutex_lock_nested(struct mutex *lock, unsigned int subclass) __ktl_abi(mutex_lock_nested);
/* Context: task. Return: 0 (locked) or -EINTR on a signal (not locked). */
int __must_check mutex_lock_interruptible(struct mutex *lock)
	__ktl_abi(mutex_lock_interruptible);
/* Context: task. Return: 0 (locked) or -EINTR on a fatal signal (not locked). */
int __must_check mutex_lock_killable(struct mutex *lock) __ktl_abi(mutex_lock_killable);
/* Context: task (never waits). Return: 1 if taken, 0 if it is held. */
int mutex_trylock(struct mutex *lock) __ktl_abi(mutex_trylock);
void mutex_unlock(struct mutex *lock) __ktl_abi(mutex_unlock);
/* Held by some task right now (a racy snapshot). */
bool mutex_is_locked(struct mutex *lock) __ktl_abi(mutex_is_locked);
/* The end of a mutex's life: WARNs if it is still held. */
void mutex_destroy(struct mutex *lock) __ktl_abi(mutex_destroy);
/* mutex_lock() @lock when atomic_dec_and_test(@cnt) reached 0; Return: 1 then, else 0. */
int atomic_dec_and_mutex_lock(atomic_t *cnt, struct mutex *lock)
	__ktl_abi(atomic_dec_and_mutex_lock);
__KTL_END_DECLS

#define __mutex_init(lock, name, key) mutex_init(lock)
#define mutex_lock_interruptible_nested(lock, subclass) mutex_lock_interruptible(lock)
#define mutex_lock_killable_nested(lock, subclass) mutex_lock_killable(lock)
#define mutex_lock_nest_lock(lock, nest_lock) mutex_lock(lock)
#define mutex_lock_io(lock) mutex_lock(lock)
#define mutex_lock_io_nested(lock, subclass) mutex_lock(lock)
#define mutex_trylock_nested(lock, subclass) mutex_trylock(lock)

#endif /* _LINUX_MUTEX_H */
