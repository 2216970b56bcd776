/* SPDX-License-Identifier: MIT */
/*
 * linux/string.h - memory and string helpers.
 *
 * The functions C's library also has (memcpy, strlen, strcmp, ...) are declared here with
 * their standard prototypes and behave as C specifies (the compiler may inline them as
 * builtins); no libc header is included. The kernel's own (strscpy, strlcpy, kstrdup,
 * kmemdup, strim, memchr_inv, sysfs_streq, match_string, ...) come from ktl's shim.
 */
#ifndef _LINUX_STRING_H
#define _LINUX_STRING_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/gfp_types.h>
#include <linux/stddef.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/array_size.h>

__KTL_BEGIN_DECLS
void *memset(void *s, int c, size_t n);
void *memcpy(void *__restrict dest, const void *__restrict src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
int memcmp(const void *s1, const void *s2, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *s1, const char *s2);
int strncmp(const char *s1, const char *s2, size_t n);
int strcasecmp(const char *s1, const char *s2);
int strncasecmp(const char *s1, const char *s2, size_t n);
char *strcpy(char *__restrict dest, const char *__restrict src);
char *strncpy(char *__restrict dest, const char *__restrict src, size_t n);
char *strcat(char *__restrict dest, const char *__restrict src);
char *strncat(char *__restrict dest, const char *__restrict src, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strpbrk(const char *s, const char *accept);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
char *strsep(char **stringp, const char *delim);

/*
 * strscpy - copy a string into a sized buffer, always NUL-terminated (if @size > 0)
 * @dest: the buffer; with two arguments, an array whose size is taken
 * Return: the length copied (without the NUL), or -E2BIG when @src did not fit (@dest
 * then holds the truncated string).
 */
ssize_t sized_strscpy(char *dest, const char *src, size_t size) __ktl_abi(strscpy);
/* strscpy() that also zeroes @dest past the copied string. */
ssize_t sized_strscpy_pad(char *dest, const char *src, size_t size) __ktl_abi(strscpy_pad);
/* Return: strlen(@src) (>= @size means truncated); @dest NUL-terminated if @size > 0. */
size_t strlcpy(char *dest, const char *src, size_t size) __ktl_abi(strlcpy);
/* Return: the length the result would have had (>= @count means truncated). */
size_t strlcat(char *dest, const char *src, size_t count) __ktl_abi(strlcat);
char *strnchr(const char *s, size_t count, int c) __ktl_abi(strnchr);
char *strchrnul(const char *s, int c) __ktl_abi(strchrnul);
char *strnstr(const char *haystack, const char *needle, size_t len) __ktl_abi(strnstr);
/* Skips leading whitespace; strim() also cuts trailing whitespace in place. */
char *skip_spaces(const char *str) __ktl_abi(skip_spaces);
char *strim(char *s) __ktl_abi(strim);
/* The first byte of [@start, @start + @bytes) that is not @c, or NULL. */
void *memchr_inv(const void *start, int c, size_t bytes) __ktl_abi(memchr_inv);
/* Equal, ignoring one trailing newline on either side (sysfs/proc input). */
bool sysfs_streq(const char *s1, const char *s2) __ktl_abi(sysfs_streq);
/* The index of @string in @array (@n entries or up to a NULL), or -EINVAL. */
int match_string(const char *const *array, size_t n, const char *string)
	__ktl_abi(match_string);
int __sysfs_match_string(const char *const *array, size_t n, const char *s)
	__ktl_abi(__sysfs_match_string);
/* Replaces every @old character by @new_char; Return: @s. */
char *strreplace(char *s, char old, char new_char) __ktl_abi(strreplace);
void memzero_explicit(void *s, size_t count) __ktl_abi(memzero_explicit);

char *__ktl_kstrdup_owned(const char *s, gfp_t gfp, const struct module *owner)
	__ktl_abi(kstrdup_owned) __attribute__((__malloc__));
char *__ktl_kstrndup_owned(const char *s, size_t max, gfp_t gfp, const struct module *owner)
	__ktl_abi(kstrndup_owned) __attribute__((__malloc__));
void *__ktl_kmemdup_owned(const void *src, size_t len, gfp_t gfp, const struct module *owner)
	__ktl_abi(kmemdup_owned) __attribute__((__malloc__));
char *__ktl_kmemdup_nul_owned(const char *s, size_t len, gfp_t gfp,
			      const struct module *owner)
	__ktl_abi(kmemdup_nul_owned) __attribute__((__malloc__));
void kfree_const(const void *x) __ktl_abi(kfree_const);
__KTL_END_DECLS

/*
 * kmalloc'ed copies (free with kfree), charged to the calling module like kmalloc.
 * Return: the copy; NULL for a NULL source or when out of memory.
 */
static inline char *kstrdup(const char *s, gfp_t gfp)
{
	return __ktl_kstrdup_owned(s, gfp, __KTL_ALLOC_OWNER);
}
static inline char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	return __ktl_kstrndup_owned(s, max, gfp, __KTL_ALLOC_OWNER);
}
/* Always a copy here (the kernel shares strings in .rodata); free with kfree_const(). */
static inline const char *kstrdup_const(const char *s, gfp_t gfp)
{
	return __ktl_kstrdup_owned(s, gfp, __KTL_ALLOC_OWNER);
}
static inline void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	return __ktl_kmemdup_owned(src, len, gfp, __KTL_ALLOC_OWNER);
}
static inline char *kmemdup_nul(const char *s, size_t len, gfp_t gfp)
{
	return __ktl_kmemdup_nul_owned(s, len, gfp, __KTL_ALLOC_OWNER);
}

#define __ktl_strscpy_pick(_1, _2, _3, name, ...) name
#define __ktl_strscpy2(dest, src) sized_strscpy(dest, src, sizeof(dest))
#define __ktl_strscpy3(dest, src, size) sized_strscpy(dest, src, size)
#define __ktl_strscpy_pad2(dest, src) sized_strscpy_pad(dest, src, sizeof(dest))
#define __ktl_strscpy_pad3(dest, src, size) sized_strscpy_pad(dest, src, size)
/* strscpy(dest, src, size), or strscpy(dest, src) for an array @dest. */
#define strscpy(...) \
	__ktl_strscpy_pick(__VA_ARGS__, __ktl_strscpy3, __ktl_strscpy2, )(__VA_ARGS__)
#define strscpy_pad(...) \
	__ktl_strscpy_pick(__VA_ARGS__, __ktl_strscpy_pad3, __ktl_strscpy_pad2, )(__VA_ARGS__)
#define strstrip(s) strim(s)
/* The index of @s (ignoring a trailing newline) in the array @a, or -EINVAL. */
#define sysfs_match_string(a, s) __sysfs_match_string(a, ARRAY_SIZE(a), s)

/* The length of @prefix if @str starts with it, else 0. */
static __always_inline size_t str_has_prefix(const char *str, const char *prefix)
{
	size_t len = __builtin_strlen(prefix);

	return __builtin_strncmp(str, prefix, len) == 0 ? len : 0;
}

static inline bool strstarts(const char *str, const char *prefix)
{
	return __builtin_strncmp(str, prefix, __builtin_strlen(prefix)) == 0;
}

static inline const char *str_yes_no(bool v)
{
	return v ? "yes" : "no";
}
static inline const char *str_on_off(bool v)
{
	return v ? "on" : "off";
}
static inline const char *str_true_false(bool v)
{
	return v ? "true" : "false";
}
static inline const char *str_enabled_disabled(bool v)
{
	return v ? "enabled" : "disabled";
}
static inline const char *str_enable_disable(bool v)
{
	return v ? "enable" : "disable";
}

#define memset_startat(obj, v, member)                                          \
	({                                                                      \
		u8 *__ptr = (u8 *)(obj);                                        \
		__builtin_memset(__ptr + offsetof(__typeof__(*(obj)), member), v, \
				 sizeof(*(obj)) - offsetof(__typeof__(*(obj)), member)); \
	})
#define memset_after(obj, v, member)                                            \
	({                                                                      \
		u8 *__ptr = (u8 *)(obj);                                        \
		__builtin_memset(__ptr + offsetofend(__typeof__(*(obj)), member), v, \
				 sizeof(*(obj)) - offsetofend(__typeof__(*(obj)), member)); \
	})

#endif /* _LINUX_STRING_H */
