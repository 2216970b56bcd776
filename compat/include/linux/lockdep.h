/* SPDX-License-Identifier: MIT */
/*
 * linux/lockdep.h - lock validator annotations.
 *
 * ktl has no lock validator: the class keys exist so code that declares them compiles,
 * the annotations check nothing (as on a kernel built without CONFIG_LOCKDEP), and the
 * lock arguments are still type-checked by being evaluated in an unevaluated context.
 */
#ifndef _LINUX_LOCKDEP_H
#define _LINUX_LOCKDEP_H

#include <linux/compiler.h>

struct lock_class_key {
	int __ktl_unused;
};

struct lockdep_map {
	int __ktl_unused;
};

#define SINGLE_DEPTH_NESTING 1
#define MAX_LOCKDEP_SUBCLASSES 8

#define lockdep_set_class(lock, key) do { (void)(key); } while (0)
#define lockdep_set_class_and_name(lock, key, name) do { (void)(key); (void)(name); } while (0)
#define lockdep_set_class_and_subclass(lock, key, sub) do { (void)(key); } while (0)
#define lockdep_set_subclass(lock, sub) do { } while (0)
#define lockdep_set_novalidate_class(lock) do { } while (0)
#define lockdep_register_key(key) do { } while (0)
#define lockdep_unregister_key(key) do { } while (0)

#define lockdep_assert_held(l) do { (void)sizeof(l); } while (0)
#define lockdep_assert_not_held(l) do { (void)sizeof(l); } while (0)
#define lockdep_assert_held_write(l) do { (void)sizeof(l); } while (0)
#define lockdep_assert_held_read(l) do { (void)sizeof(l); } while (0)
#define lockdep_assert_held_once(l) do { (void)sizeof(l); } while (0)
#define lockdep_assert_none_held_once() do { } while (0)
#define lockdep_assert(c) do { (void)sizeof(c); } while (0)
#define lockdep_assert_once(c) do { (void)sizeof(c); } while (0)
#define lockdep_assert_irqs_enabled() do { } while (0)
#define lockdep_assert_irqs_disabled() do { } while (0)
#define lockdep_assert_in_softirq() do { } while (0)
#define lockdep_assert_preemption_enabled() do { } while (0)
#define lockdep_assert_preemption_disabled() do { } while (0)
#define lockdep_is_held(l) 1
#define lockdep_off() do { } while (0)
#define lockdep_on() do { } while (0)
#define debug_check_no_locks_freed(from, len) do { } while (0)
#define debug_check_no_locks_held() do { } while (0)
#define lock_acquire(l, s, t, r, c, n, i) do { } while (0)
#define lock_release(l, i) do { } while (0)
#define lockdep_init_map(lock, name, key, sub) do { (void)(key); } while (0)
#define STATIC_LOCKDEP_MAP_INIT(_name, _key) { 0 }

#endif /* _LINUX_LOCKDEP_H */
