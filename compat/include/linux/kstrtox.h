/* SPDX-License-Identifier: MIT */
/*
 * linux/kstrtox.h - strict string to integer conversion.
 *
 * kstrto*(s, base, &res) accept an optional sign ('+', or '-' for the signed forms), then
 * digits in @base (0: "0x" means 16, "0" means 8, else 10; 16 also accepts a "0x" prefix),
 * then at most one newline, and nothing else: no leading spaces, no other trailing
 * characters.
 * Return: 0 and *res set; -EINVAL for a malformed string (*res untouched); -ERANGE when
 * the value does not fit the result type.
 */
#ifndef _LINUX_KSTRTOX_H
#define _LINUX_KSTRTOX_H

#include <linux/compiler.h>
#include <linux/types.h>

__KTL_BEGIN_DECLS
int __must_check kstrtoull(const char *s, unsigned int base, unsigned long long *res)
	__ktl_abi(kstrtoull);
int __must_check kstrtoll(const char *s, unsigned int base, long long *res)
	__ktl_abi(kstrtoll);
int __must_check kstrtoul(const char *s, unsigned int base, unsigned long *res)
	__ktl_abi(kstrtoul);
int __must_check kstrtol(const char *s, unsigned int base, long *res) __ktl_abi(kstrtol);
int __must_check kstrtouint(const char *s, unsigned int base, unsigned int *res)
	__ktl_abi(kstrtouint);
int __must_check kstrtoint(const char *s, unsigned int base, int *res) __ktl_abi(kstrtoint);
int __must_check kstrtou16(const char *s, unsigned int base, u16 *res) __ktl_abi(kstrtou16);
int __must_check kstrtos16(const char *s, unsigned int base, s16 *res) __ktl_abi(kstrtos16);
int __must_check kstrtou8(const char *s, unsigned int base, u8 *res) __ktl_abi(kstrtou8);
int __must_check kstrtos8(const char *s, unsigned int base, s8 *res) __ktl_abi(kstrtos8);
/*
 * kstrtobool - "y"/"Y"/"1"/"on" -> true, "n"/"N"/"0"/"off" -> false (the first character
 * decides, or the first two for "on"/"off"); Return: 0 or -EINVAL.
 */
int __must_check kstrtobool(const char *s, bool *res) __ktl_abi(kstrtobool);

/* The lenient old forms: stop at the first non-digit, which *@endp points at. */
unsigned long long simple_strtoull(const char *cp, char **endp, unsigned int base)
	__ktl_abi(simple_strtoull);
long long simple_strtoll(const char *cp, char **endp, unsigned int base)
	__ktl_abi(simple_strtoll);
unsigned long simple_strtoul(const char *cp, char **endp, unsigned int base)
	__ktl_abi(simple_strtoul);
long simple_strtol(const char *cp, char **endp, unsigned int base) __ktl_abi(simple_strtol);
__KTL_END_DECLS

static inline int __must_check kstrtou64(const char *s, unsigned int base, u64 *res)
{
	return kstrtoull(s, base, (unsigned long long *)res);
}
static inline int __must_check kstrtos64(const char *s, unsigned int base, s64 *res)
{
	return kstrtoll(s, base, (long long *)res);
}
static inline int __must_check kstrtou32(const char *s, unsigned int base, u32 *res)
{
	return kstrtouint(s, base, res);
}
static inline int __must_check kstrtos32(const char *s, unsigned int base, s32 *res)
{
	return kstrtoint(s, base, res);
}

#endif /* _LINUX_KSTRTOX_H */
