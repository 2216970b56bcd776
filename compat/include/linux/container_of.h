/* SPDX-License-Identifier: MIT */
/* linux/container_of.h - the structure that embeds a member, from a pointer to the member. */
#ifndef _LINUX_CONTAINER_OF_H
#define _LINUX_CONTAINER_OF_H

#include <linux/stddef.h>

#define typeof_member(T, m) __typeof__(((T *)0)->m)

/**
 * container_of - the structure @type containing the @member that @ptr points to
 *
 * The pointer's type is checked against the member's (a mismatch fails the build in C;
 * in C++ the check is left to the compiler's conversion rules).
 */
#ifdef __cplusplus
#define container_of(ptr, type, member)                                          \
	({                                                                       \
		void *__mptr = (void *)(ptr);                                    \
		((type *)((char *)__mptr - offsetof(type, member)));             \
	})
#else
#define container_of(ptr, type, member)                                          \
	({                                                                       \
		void *__mptr = (void *)(ptr);                                    \
		_Static_assert(__same_type(*(ptr), ((type *)0)->member) ||       \
				       __same_type(*(ptr), void),                \
			       "pointer type mismatch in container_of()");       \
		((type *)((char *)__mptr - offsetof(type, member)));             \
	})
#endif

/* container_of() that keeps the pointer's const qualifier. */
#define container_of_const(ptr, type, member) container_of(ptr, type, member)

#endif /* _LINUX_CONTAINER_OF_H */
