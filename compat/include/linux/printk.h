/* SPDX-License-Identifier: MIT */
/*
 * linux/printk.h - printk and the pr_* family, into ktl's kernel log (dmesg).
 *
 * Each call is one record unless it starts with KERN_CONT (pr_cont); a record without a
 * trailing newline still ends there. pr_fmt(fmt), when the file defines it before its first
 * include, prefixes every pr_* format (usually KBUILD_MODNAME ": ").
 *
 * pr_debug() and pr_devel() print only when DEBUG is defined; otherwise their arguments are
 * type-checked but never evaluated, as with dynamic debug off.
 */
#ifndef _LINUX_PRINTK_H
#define _LINUX_PRINTK_H

#include <linux/stdarg.h>
#include <linux/kern_levels.h>
#include <linux/types.h>

__KTL_BEGIN_DECLS

/**
 * printk - log a message
 * @fmt: format, optionally led by a KERN_<LEVEL> prefix; the kernel's %p extensions
 *       (%pe, %pS, %ps) are understood.
 *
 * Context: any: task, timer or tasklet callback, with locks held.
 * Return: the number of characters logged.
 */
int printk(const char *fmt, ...) __ktl_abi(printk) __printf(1, 2);
int vprintk(const char *fmt, va_list args) __ktl_abi(vprintk) __printf(1, 0);
void dump_stack(void) __ktl_abi(dump_stack);

__KTL_END_DECLS

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

/* Checks the format against the arguments without evaluating them. */
#define no_printk(fmt, ...)                             \
	({                                              \
		if (0)                                  \
			printk(fmt, ##__VA_ARGS__);     \
		0;                                      \
	})

#define printk_once(fmt, ...)                                   \
	({                                                      \
		static bool __print_once;                       \
		bool __ret_print_once = !__print_once;          \
		if (!__print_once) {                            \
			__print_once = true;                    \
			printk(fmt, ##__VA_ARGS__);             \
		}                                               \
		unlikely(__ret_print_once);                     \
	})
#define printk_ratelimited(fmt, ...) printk(fmt, ##__VA_ARGS__)

#define pr_emerg(fmt, ...) printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...) printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...) printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warning pr_warn
#define pr_notice(fmt, ...) printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...) printk(KERN_CONT fmt, ##__VA_ARGS__)
#define pr_default(fmt, ...) printk(KERN_DEFAULT pr_fmt(fmt), ##__VA_ARGS__)
#ifdef DEBUG
#define pr_debug(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_devel(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#else
#define pr_debug(fmt, ...) no_printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_devel(fmt, ...) no_printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#endif

#define pr_emerg_once(fmt, ...) printk_once(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert_once(fmt, ...) printk_once(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit_once(fmt, ...) printk_once(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err_once(fmt, ...) printk_once(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn_once(fmt, ...) printk_once(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice_once(fmt, ...) printk_once(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info_once(fmt, ...) printk_once(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err_ratelimited(fmt, ...) pr_err(fmt, ##__VA_ARGS__)
#define pr_warn_ratelimited(fmt, ...) pr_warn(fmt, ##__VA_ARGS__)
#define pr_info_ratelimited(fmt, ...) pr_info(fmt, ##__VA_ARGS__)

#endif /* _LINUX_PRINTK_H */
