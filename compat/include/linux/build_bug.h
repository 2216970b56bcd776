/* SPDX-License-Identifier: MIT */
/*
 * linux/build_bug.h - compile-time assertions.
 *
 * BUILD_BUG_ON() and friends live in <linux/compiler.h> (which every header includes);
 * this file adds the remaining names of the kernel's header.
 */
#ifndef _LINUX_BUILD_BUG_H
#define _LINUX_BUILD_BUG_H

#include <linux/compiler.h>

#ifndef BUILD_BUG_ON_NOT_POWER_OF_2
#define BUILD_BUG_ON_NOT_POWER_OF_2(n) BUILD_BUG_ON((n) == 0 || (((n) & ((n) - 1)) != 0))
#endif
#ifndef BUILD_BUG_ON_INVALID
#define BUILD_BUG_ON_INVALID(e) ((void)(sizeof((__force long)(e))))
#endif
/*
 * BUILD_BUG(): fails the build if the compiler cannot prove the call unreachable (the
 * kernel's use: the default branch of a switch on sizeof). Needs optimisation, as the
 * kernel does; without it the check is dropped.
 */
#ifndef BUILD_BUG
#ifdef __OPTIMIZE__
#define BUILD_BUG()                                                                     \
	do {                                                                            \
		extern void __ktl_build_bug(void)                                       \
			__attribute__((__error__("BUILD_BUG failed")));                 \
		__ktl_build_bug();                                                      \
	} while (0)
#else
#define BUILD_BUG() do { } while (0)
#endif
#endif
#ifndef BUILD_BUG_ON_MSG
#define BUILD_BUG_ON_MSG(cond, msg) BUILD_BUG_ON(cond)
#endif

#endif /* _LINUX_BUILD_BUG_H */
