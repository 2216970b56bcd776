/* SPDX-License-Identifier: MIT */
/*
 * linux/init.h - __init/__exit markers and module_init/module_exit.
 *
 * ktl keeps init code mapped after init (it is not discarded), so __init and __initdata
 * only document intent. module_init(fn) gives the loader its entry point, checked to have
 * the type int (*)(void); module_exit(fn) likewise with void (*)(void). A module may also
 * define init_module()/cleanup_module() itself, the pre-2.6 way.
 */
#ifndef _LINUX_INIT_H
#define _LINUX_INIT_H

#include <linux/compiler.h>
#include <linux/types.h>

#define __init __cold
#define __exit __cold
#define __initdata
#define __initconst
#define __exitdata
#define __init_or_module
#define __ref
#define __refdata
#define __meminit
#define __devinit
#define __devexit

typedef int (*initcall_t)(void);
typedef void (*exitcall_t)(void);

/* The loader's entry points in a module (see compat/module/mod.c). */
#define init_module __ktl_init_module
#define cleanup_module __ktl_cleanup_module
__KTL_BEGIN_DECLS
int init_module(void) __attribute__((__visibility__("hidden")));
void cleanup_module(void) __attribute__((__visibility__("hidden")));
__KTL_END_DECLS

#define module_init(initfn)                                                     \
	static inline initcall_t __maybe_unused __inittest(void) { return initfn; } \
	int init_module(void) { return initfn(); }
#define module_exit(exitfn)                                                     \
	static inline exitcall_t __maybe_unused __exittest(void) { return exitfn; } \
	void cleanup_module(void) { exitfn(); }

/* Built-in initcall levels collapse to module_init: a module has exactly one entry point. */
#define early_initcall(fn) module_init(fn)
#define core_initcall(fn) module_init(fn)
#define postcore_initcall(fn) module_init(fn)
#define arch_initcall(fn) module_init(fn)
#define subsys_initcall(fn) module_init(fn)
#define fs_initcall(fn) module_init(fn)
#define device_initcall(fn) module_init(fn)
#define late_initcall(fn) module_init(fn)
#define __initcall(fn) module_init(fn)

#endif /* _LINUX_INIT_H */
