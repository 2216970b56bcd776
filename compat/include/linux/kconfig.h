/* SPDX-License-Identifier: MIT */
/*
 * linux/kconfig.h - IS_ENABLED(), IS_BUILTIN(), IS_MODULE(), IS_REACHABLE().
 *
 * IS_ENABLED(CONFIG_FOO) is 1 when CONFIG_FOO is defined to 1 (built in) or CONFIG_FOO_MODULE
 * to 1, else 0; usable in #if and in C expressions. The options ktl's kernel has are
 * defined below; every other CONFIG_ option is off.
 */
#ifndef _LINUX_KCONFIG_H
#define _LINUX_KCONFIG_H

#ifndef CONFIG_64BIT
#define CONFIG_64BIT 1
#endif
#ifndef CONFIG_SMP
#define CONFIG_SMP 1
#endif
#ifndef CONFIG_MODULES
#define CONFIG_MODULES 1
#endif
#ifndef CONFIG_MODULE_UNLOAD
#define CONFIG_MODULE_UNLOAD 1
#endif
#ifndef CONFIG_PRINTK
#define CONFIG_PRINTK 1
#endif
#ifndef CONFIG_PROC_FS
#define CONFIG_PROC_FS 1
#endif
#ifndef CONFIG_GENERIC_BUG
#define CONFIG_GENERIC_BUG 1
#endif

#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val

#define __and(x, y) ___and(x, y)
#define ___and(x, y) ____and(__ARG_PLACEHOLDER_##x, y)
#define ____and(arg1_or_junk, y) __take_second_arg(arg1_or_junk y, 0)

#define __or(x, y) ___or(x, y)
#define ___or(x, y) ____or(__ARG_PLACEHOLDER_##x, y)
#define ____or(arg1_or_junk, y) __take_second_arg(arg1_or_junk 1, y)

/* 1 when @x is a macro defined to 1, else 0. */
#define __is_defined(x) ___is_defined(x)
#define ___is_defined(val) ____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk) __take_second_arg(arg1_or_junk 1, 0)

#define IS_BUILTIN(option) __is_defined(option)
#define IS_MODULE(option) __is_defined(option##_MODULE)
#define IS_REACHABLE(option) __or(IS_BUILTIN(option), __and(IS_MODULE(option), __is_defined(MODULE)))
#define IS_ENABLED(option) __or(IS_BUILTIN(option), IS_MODULE(option))

#endif /* _LINUX_KCONFIG_H */
