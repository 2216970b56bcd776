/* SPDX-License-Identifier: MIT */
/*
 * asm/ktl-module.h - the records a module hands the loader, shared by the C headers and
 * ktl's loader (compat/src/module.cc), which includes this file as C++.
 *
 * Each module carries one `struct module __this_module` (defined by compat/module/mod.c,
 * compiled into every module with its KBUILD_MODNAME, as modpost's NAME.mod.c is in Linux)
 * and an array of `struct kernel_param` in the section "__ktl_param", one per module_param.
 * MODULE_* strings go to the section ".modinfo" as "tag=value\0", as in a .ko.
 */
#ifndef _ASM_KTL_MODULE_H
#define _ASM_KTL_MODULE_H

#include "ktl-abi.h"

#define MODULE_NAME_LEN 56

#ifdef __cplusplus
extern "C" {
#endif

struct kernel_param;

struct kernel_param_ops {
	unsigned int flags; /* KERNEL_PARAM_OPS_FL_NOARG: "name" alone is accepted */
	int (*set)(const char *val, const struct kernel_param *kp);
	int (*get)(char *buffer, const struct kernel_param *kp); /* PAGE_SIZE buffer */
	void (*free)(void *arg);
};

struct kparam_string {
	unsigned int maxlen;
	char *string;
};

struct kparam_array {
	unsigned int max;
	unsigned int elemsize;
	unsigned int *num;
	const struct kernel_param_ops *ops;
	void *elem;
};

struct kernel_param {
	const char *name;
	struct module *mod;
	const struct kernel_param_ops *ops;
	unsigned short perm;
	signed char level;
	unsigned char flags;
	union {
		void *arg;
		const struct kparam_string *str;
		const struct kparam_array *arr;
	};
};

struct module {
	char name[MODULE_NAME_LEN];
	int (*init)(void);
	void (*exit)(void);
	const struct kernel_param *kp;      /* __start___ktl_param */
	const struct kernel_param *kp_end;  /* __stop___ktl_param */
	void *ktl_private;                  /* the loader's record while loaded */
};

#ifdef __cplusplus
}
#endif

#endif /* _ASM_KTL_MODULE_H */
