/* SPDX-License-Identifier: MIT */
/*
 * linux/sprintf.h - the kernel's printf family into buffers.
 *
 * Formats are C's plus the kernel's pointer extensions: %pe (an error pointer as
 * "-EINVAL"), %ps/%pS (a symbol).
 * snprintf()/vsnprintf() return the length the whole output would have had (so a return
 * >= size means it was truncated); scnprintf()/vscnprintf() return what was actually
 * written, without the NUL (0 for size 0). The output is always NUL-terminated when
 * size > 0.
 */
#ifndef _LINUX_SPRINTF_H
#define _LINUX_SPRINTF_H

#include <linux/compiler.h>
#include <linux/stdarg.h>
#include <linux/types.h>
#include <linux/gfp_types.h>

__KTL_BEGIN_DECLS
int sprintf(char *buf, const char *fmt, ...) __ktl_abi(sprintf) __printf(2, 3);
int vsprintf(char *buf, const char *fmt, va_list args) __ktl_abi(vsprintf) __printf(2, 0);
int snprintf(char *buf, size_t size, const char *fmt, ...) __ktl_abi(snprintf) __printf(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args) __ktl_abi(vsnprintf)
	__printf(3, 0);
int scnprintf(char *buf, size_t size, const char *fmt, ...) __ktl_abi(scnprintf)
	__printf(3, 4);
int vscnprintf(char *buf, size_t size, const char *fmt, va_list args) __ktl_abi(vscnprintf)
	__printf(3, 0);
char *__ktl_kasprintf_owned(const struct module *owner, gfp_t gfp, const char *fmt, ...)
	__ktl_abi(kasprintf_owned) __printf(3, 4) __attribute__((__malloc__));
char *__ktl_kvasprintf_owned(gfp_t gfp, const char *fmt, va_list args,
			     const struct module *owner)
	__ktl_abi(kvasprintf_owned) __printf(2, 0) __attribute__((__malloc__));
/* C's sscanf (the kernel's supports the same conversions code uses). */
int sscanf(const char *buf, const char *fmt, ...) __ktl_abi(sscanf) __attribute__((__format__(__scanf__, 2, 3)));
int vsscanf(const char *buf, const char *fmt, va_list args) __ktl_abi(vsscanf)
	__attribute__((__format__(__scanf__, 2, 0)));
int num_to_str(char *buf, int size, unsigned long long num, unsigned int width)
	__ktl_abi(num_to_str);
__KTL_END_DECLS

/*
 * kasprintf - a kmalloc'ed formatted string (free with kfree), charged to the calling
 * module like kmalloc. Return: the string, or NULL when out of memory.
 */
#define kasprintf(gfp, fmt, ...) \
	__ktl_kasprintf_owned(__KTL_ALLOC_OWNER, gfp, fmt, ##__VA_ARGS__)
static inline __printf(2, 0) char *kvasprintf(gfp_t gfp, const char *fmt, va_list args)
{
	return __ktl_kvasprintf_owned(gfp, fmt, args, __KTL_ALLOC_OWNER);
}
static inline __printf(2, 0) const char *kvasprintf_const(gfp_t gfp, const char *fmt,
							   va_list args)
{
	return __ktl_kvasprintf_owned(gfp, fmt, args, __KTL_ALLOC_OWNER);
}

#endif /* _LINUX_SPRINTF_H */
