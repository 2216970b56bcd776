/* SPDX-License-Identifier: MIT */
/*
 * linux/bug.h - WARN and BUG, reported through ktl's kernel log.
 *
 * WARN_ON(cond) prints the kernel's report, naming the current task:
 *   ------------[ cut here ]------------
 *   WARNING: CPU: 1 PID: 42 at examples/modules/foo.c:17 foo_thread
 *   CPU: 1 UID: 0 PID: 42 Comm: foo Tainted: G        W ...
 *   ---[ end trace 0000000000000000 ]---
 * taints the kernel with W and evaluates to cond, so the caller can bail out:
 *   if (WARN_ON(!p)) return -EINVAL;
 * The _ONCE forms report once per boot.
 *
 * BUG()/BUG_ON() print "kernel BUG at FILE:LINE!" and an Oops. As on Linux without
 * panic_on_oops, a BUG in a kernel task ends that task (its locks stay held, as they
 * would on Linux) and the kernel goes on; in interrupt context (a timer or tasklet
 * callback) it is fatal, "Fatal exception in interrupt".
 */
#ifndef _LINUX_BUG_H
#define _LINUX_BUG_H

#include <linux/compiler.h>
#include <linux/build_bug.h>
#include <linux/types.h>

__KTL_BEGIN_DECLS
/* The report behind WARN()/WARN_ON(); @fmt may be NULL (no message line). */
void __warn_printk_at(const char *file, int line, const char *func, const char *fmt, ...)
	__ktl_abi(warn_slowpath) __cold __printf(4, 5);
/* True the first time in this boot for the site whose state is *@once. */
bool __warn_once_this_boot(unsigned int *once) __ktl_abi(warn_once_this_boot);
/* The Oops behind BUG(): never returns to the caller. */
void __bug_at(const char *file, int line, const char *func) __ktl_abi(bug_slowpath)
	__cold __noreturn;
__KTL_END_DECLS

#define __WARN() __warn_printk_at(__FILE__, __LINE__, __func__, NULL)
#define __WARN_printf(taint, fmt, ...) \
	__warn_printk_at(__FILE__, __LINE__, __func__, fmt, ##__VA_ARGS__)

#define WARN_ON(condition)                                                      \
	({                                                                      \
		int __ret_warn_on = !!(condition);                              \
		if (unlikely(__ret_warn_on))                                    \
			__WARN();                                               \
		unlikely(__ret_warn_on);                                        \
	})

#define WARN(condition, format...)                                              \
	({                                                                      \
		int __ret_warn_on = !!(condition);                              \
		if (unlikely(__ret_warn_on))                                    \
			__WARN_printf(0, format);                               \
		unlikely(__ret_warn_on);                                        \
	})

#define WARN_TAINT(condition, taint, format...) WARN(condition, format)

#define WARN_ON_ONCE(condition)                                                 \
	({                                                                      \
		static unsigned int __warned;                                   \
		int __ret_warn_once = !!(condition);                            \
		if (unlikely(__ret_warn_once) && __warn_once_this_boot(&__warned)) \
			__WARN();                                               \
		unlikely(__ret_warn_once);                                      \
	})

#define WARN_ONCE(condition, format...)                                         \
	({                                                                      \
		static unsigned int __warned;                                   \
		int __ret_warn_once = !!(condition);                            \
		if (unlikely(__ret_warn_once) && __warn_once_this_boot(&__warned)) \
			__WARN_printf(0, format);                               \
		unlikely(__ret_warn_once);                                      \
	})

#define WARN_TAINT_ONCE(condition, taint, format...) WARN_ONCE(condition, format)
#define WARN_ON_SMP(condition) WARN_ON(condition)

#define BUG() __bug_at(__FILE__, __LINE__, __func__)

#define BUG_ON(condition)                                                       \
	do {                                                                    \
		if (unlikely(condition))                                        \
			BUG();                                                  \
	} while (0)

#endif /* _LINUX_BUG_H */
