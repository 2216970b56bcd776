/* SPDX-License-Identifier: MIT */
/* linux/compiler.h - attributes, branch hints, READ_ONCE/WRITE_ONCE, barriers. */
#ifndef _LINUX_COMPILER_H
#define _LINUX_COMPILER_H

#include <asm/ktl-abi.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif
#define noinline __attribute__((__noinline__))
#define __noreturn __attribute__((__noreturn__))
#define __maybe_unused __attribute__((__unused__))
#define __always_unused __attribute__((__unused__))
#define __used __attribute__((__used__))
#define __packed __attribute__((__packed__))
#define __aligned(x) __attribute__((__aligned__(x)))
#define __section(s) __attribute__((__section__(s)))
#define __weak __attribute__((__weak__))
#define __cold __attribute__((__cold__))
#define __printf(a, b) __attribute__((__format__(printf, a, b)))
#define __must_check __attribute__((__warn_unused_result__))
#define __pure __attribute__((__pure__))
#define __visible __attribute__((__externally_visible__))
#define notrace
#define __sched
#define __rcu
#define __iomem
#define __force
#define __user
#define __kernel
#define __percpu
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define __cond_acquires(x)
#define __read_mostly
#define __ro_after_init
#define __cacheline_aligned __attribute__((__aligned__(64)))
#define ____cacheline_aligned __attribute__((__aligned__(64)))
#define ____cacheline_aligned_in_smp __attribute__((__aligned__(64)))
#ifndef fallthrough
#define fallthrough __attribute__((__fallthrough__))
#endif

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define barrier() __asm__ __volatile__("" : : : "memory")
#define OPTIMIZER_HIDE_VAR(var) __asm__("" : "=r"(var) : "0"(var))

#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

/* A code address of the caller, as the kernel's _THIS_IP_/_RET_IP_. */
#define _THIS_IP_ ({ __label__ __here; __here: (unsigned long)&&__here; })
#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

/*
 * READ_ONCE/WRITE_ONCE: one untorn access the compiler may not merge, split or elide. They
 * are relaxed atomics here, which is what they are on every architecture ktl runs on, and
 * keeps intended races visible to ThreadSanitizer as atomics.
 */
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)                                             \
	do {                                                           \
		__typeof__(x) __wo_val = (val);                        \
		__atomic_store_n(&(x), __wo_val, __ATOMIC_RELAXED);    \
	} while (0)

#define __same_type(a, b) __builtin_types_compatible_p(__typeof__(a), __typeof__(b))
#ifdef __cplusplus
#define BUILD_BUG_ON(cond) static_assert(!(cond), "BUILD_BUG_ON failed: " #cond)
#define BUILD_BUG_ON_MSG(cond, msg) static_assert(!(cond), msg)
#define BUILD_BUG_ON_ZERO(e) 0
#else
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON failed: " #cond)
#define BUILD_BUG_ON_MSG(cond, msg) _Static_assert(!(cond), msg)
#define BUILD_BUG_ON_ZERO(e) ((int)(sizeof(struct { int : (-!!(e)); })))
#endif
#define static_assert_expr(e) BUILD_BUG_ON_ZERO(!(e))

#endif /* _LINUX_COMPILER_H */
