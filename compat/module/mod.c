/* SPDX-License-Identifier: MIT */
/*
 * mod.c - compiled into every module by the module helper, with that module's
 * KBUILD_MODNAME (the counterpart of the NAME.mod.c modpost writes in Kbuild).
 *
 * It defines the one symbol the loader looks up, __this_module: the name, the module_init
 * and module_exit entry points (or init_module/cleanup_module), and the bounds of the
 * module_param records. Entry points a module does not define are weak and read as NULL.
 */
#include <linux/module.h>

extern int __ktl_init_module(void) __attribute__((weak, visibility("hidden")));
extern void __ktl_cleanup_module(void) __attribute__((weak, visibility("hidden")));
extern const struct kernel_param __start___ktl_param[] __attribute__((weak, visibility("hidden")));
extern const struct kernel_param __stop___ktl_param[] __attribute__((weak, visibility("hidden")));

__attribute__((visibility("default"))) struct module __this_module = {
	KBUILD_MODNAME,
	__ktl_init_module,
	__ktl_cleanup_module,
	__start___ktl_param,
	__stop___ktl_param,
	0,
};

MODULE_INFO(name, KBUILD_MODNAME);
MODULE_INFO(vermagic, "6.18.0-ktl SMP preempt mod_unload ");
