/* SPDX-License-Identifier: MIT */
/*
 * asm/ktl-abi.h - how the <linux/...> headers reach ktl.
 *
 * Every function a header declares is implemented by ktl's C shim (compat/src/) under the
 * symbol "ktl_<name>": the headers bind the kernel's name to that symbol with an asm label,
 * so module code calls complete(), takes &kfree and defines its own globals named read or
 * delay, while the core exports nothing under the kernel's names and modules cannot
 * interpose on one another (they are loaded RTLD_LOCAL, built with hidden visibility).
 *
 * Objects modules embed by value (spinlock_t, struct completion, struct timer_list, ...)
 * are declared here in C with the size, alignment and field offsets of ktl's C++ types;
 * the shim static_asserts each layout, so a drift fails ktl's build, never a module.
 */
#ifndef _ASM_KTL_ABI_H
#define _ASM_KTL_ABI_H

#ifdef __cplusplus
#define __KTL_BEGIN_DECLS extern "C" {
#define __KTL_END_DECLS }
#else
#define __KTL_BEGIN_DECLS
#define __KTL_END_DECLS
#endif

/* Binds a declaration to ktl's symbol: `void complete(struct completion *x) __ktl_abi(complete);` */
#define __ktl_abi(name) __asm__("ktl_" #name)

/* A layout fact of a C mirror; compat/src/ asserts the same number on ktl's C++ side. */
#ifdef __cplusplus
#define __KTL_LAYOUT(cond) static_assert(cond, "ktl layout: " #cond)
#else
#define __KTL_LAYOUT(cond) _Static_assert(cond, "ktl layout: " #cond)
#endif

/* The version the headers claim (see LINUX_VERSION_CODE in <linux/version.h>). */
#define __KTL_LINUX_VERSION 6
#define __KTL_LINUX_PATCHLEVEL 18
#define __KTL_LINUX_SUBLEVEL 0

/*
 * A name ktl does not provide: using it stops the build with a message naming it.
 * `#define register_blkdev(...) __ktl_unsupported(register_blkdev)`
 */
#define __ktl_unsupported(name)                                                         \
	({                                                                                \
		extern int __ktl_unsupported_##name(void) __attribute__((error(         \
			#name " is not supported by ktl's compat layer (see compat/README.md)"))); \
		__ktl_unsupported_##name();                                               \
	})

#endif /* _ASM_KTL_ABI_H */
