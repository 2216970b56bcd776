/* SPDX-License-Identifier: MIT */
/*
 * linux/moduleparam.h - module parameters.
 *
 * Each module_param*() records a struct kernel_param in the module's "__ktl_param" section.
 * insmod applies "name=value" arguments through the parameter's ops before module_init runs;
 * a parameter with a non-zero perm appears as /sys/module/MODNAME/parameters/NAME, readable
 * with cat and, if perm has a write bit, writable with echo.
 *
 * As in the kernel, the variable's type is checked against the parameter type at compile
 * time: module_param(count, int, 0444) on a `long count` does not build.
 */
#ifndef _LINUX_MODULEPARAM_H
#define _LINUX_MODULEPARAM_H

#include <asm/ktl-module.h>
#include <linux/init.h>
#include <linux/stat.h>
#include <linux/types.h>

#define MODULE_PARAM_PREFIX /* empty: the parameters of a loadable module have no prefix */
#define KERNEL_PARAM_OPS_FL_NOARG (1 << 0)
#define KERNEL_PARAM_FL_UNSAFE (1 << 0)
#define KERNEL_PARAM_FL_HWPARAM (1 << 1)

#ifdef MODULE
#define __MODULE_INFO(tag, name, info)                                              \
	static const char __UNIQUE_ID(name)[] __used __section(".modinfo") __aligned(1) = \
		#tag "=" info
#else
#define __MODULE_INFO(tag, name, info) struct __ktl_modinfo_unused
#endif
#define __MODULE_PARM_TYPE(name, _type) __MODULE_INFO(parmtype, name##type, #name ":" _type)
#define MODULE_PARM_DESC(_parm, desc) __MODULE_INFO(parm, _parm, #_parm ":" desc)

/* Permissions: octal, not world-writable (the kernel's VERIFY_OCTAL_PERMISSIONS). */
#ifdef __cplusplus
#define VERIFY_OCTAL_PERMISSIONS(perm) (perm)
#else
#define VERIFY_OCTAL_PERMISSIONS(perm)                                            \
	(BUILD_BUG_ON_ZERO((perm) < 0) + BUILD_BUG_ON_ZERO((perm) > 0777) +       \
	 BUILD_BUG_ON_ZERO((perm) & 2) + (perm))
#endif

#define __module_param_call(prefix, name, ops, arg, perm, level, flags)              \
	static const char __param_str_##name[] = prefix #name;                         \
	static const struct kernel_param __param_##name __used                         \
		__section("__ktl_param") __aligned(sizeof(void *)) = {                 \
			__param_str_##name, THIS_MODULE, ops,                           \
			VERIFY_OCTAL_PERMISSIONS(perm), level, flags, {(void *)(arg)} }

#define module_param_cb(name, ops, arg, perm) \
	__module_param_call(MODULE_PARAM_PREFIX, name, ops, arg, perm, -1, 0)
#define module_param_cb_unsafe(name, ops, arg, perm) \
	__module_param_call(MODULE_PARAM_PREFIX, name, ops, arg, perm, -1, KERNEL_PARAM_FL_UNSAFE)

#define module_param_named(name, value, type, perm)         \
	param_check_##type(name, &(value));                 \
	module_param_cb(name, &param_ops_##type, &value, perm); \
	__MODULE_PARM_TYPE(name, #type)
#define module_param_named_unsafe(name, value, type, perm) module_param_named(name, value, type, perm)
#define module_param(name, type, perm) module_param_named(name, name, type, perm)
#define module_param_unsafe(name, type, perm) module_param_named(name, name, type, perm)
#define core_param(name, var, type, perm) module_param_named(name, var, type, perm)

#define module_param_string(name, string, len, perm)                                   \
	static const struct kparam_string __param_string_##name = {len, string};       \
	__module_param_call(MODULE_PARAM_PREFIX, name, &param_ops_string,              \
			    &__param_string_##name, perm, -1, 0);                      \
	__MODULE_PARM_TYPE(name, "string")

#define module_param_array_named(name, array, type, nump, perm)                           \
	param_check_##type(name, &(array)[0]);                                            \
	static const struct kparam_array __param_arr_##name = {                           \
		sizeof(array) / sizeof((array)[0]), sizeof((array)[0]), nump,             \
		&param_ops_##type, array};                                                \
	__module_param_call(MODULE_PARAM_PREFIX, name, &param_array_ops,                  \
			    &__param_arr_##name, perm, -1, 0);                            \
	__MODULE_PARM_TYPE(name, "array of " #type)
#define module_param_array(name, type, nump, perm) \
	module_param_array_named(name, name, type, nump, perm)

/* The compile-time type check: the variable's address must convert to `type *`. */
#define __param_check(name, p, type) \
	static inline type __always_unused *__check_##name(void) { return (p); }
#define param_check_byte(name, p) __param_check(name, p, unsigned char)
#define param_check_short(name, p) __param_check(name, p, short)
#define param_check_ushort(name, p) __param_check(name, p, unsigned short)
#define param_check_int(name, p) __param_check(name, p, int)
#define param_check_uint(name, p) __param_check(name, p, unsigned int)
#define param_check_long(name, p) __param_check(name, p, long)
#define param_check_ulong(name, p) __param_check(name, p, unsigned long)
#define param_check_ullong(name, p) __param_check(name, p, unsigned long long)
#define param_check_hexint(name, p) param_check_uint(name, p)
#define param_check_charp(name, p) __param_check(name, p, char *)
#define param_check_bool(name, p) __param_check(name, p, bool)
#define param_check_bool_enable_only param_check_bool
#define param_check_invbool(name, p) __param_check(name, p, bool)

__KTL_BEGIN_DECLS

#define __KTL_PARAM_TYPE(type)                                                               \
	extern const struct kernel_param_ops param_ops_##type __ktl_abi(param_ops_##type);       \
	int param_set_##type(const char *val, const struct kernel_param *kp)                     \
		__ktl_abi(param_set_##type);                                                     \
	int param_get_##type(char *buffer, const struct kernel_param *kp)                        \
		__ktl_abi(param_get_##type)
__KTL_PARAM_TYPE(byte);
__KTL_PARAM_TYPE(short);
__KTL_PARAM_TYPE(ushort);
__KTL_PARAM_TYPE(int);
__KTL_PARAM_TYPE(uint);
__KTL_PARAM_TYPE(long);
__KTL_PARAM_TYPE(ulong);
__KTL_PARAM_TYPE(ullong);
__KTL_PARAM_TYPE(hexint);
__KTL_PARAM_TYPE(charp);
__KTL_PARAM_TYPE(bool);
__KTL_PARAM_TYPE(invbool);
__KTL_PARAM_TYPE(string);
#undef __KTL_PARAM_TYPE
extern const struct kernel_param_ops param_array_ops __ktl_abi(param_array_ops);
void param_free_charp(void *arg) __ktl_abi(param_free_charp);

__KTL_END_DECLS

#endif /* _LINUX_MODULEPARAM_H */
