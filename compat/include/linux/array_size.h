/* SPDX-License-Identifier: MIT */
/* linux/array_size.h - ARRAY_SIZE, which refuses a pointer. */
#ifndef _LINUX_ARRAY_SIZE_H
#define _LINUX_ARRAY_SIZE_H

#include <linux/compiler.h>

#ifdef __cplusplus
#define __must_be_array(a) 0
#else
#define __must_be_array(a) BUILD_BUG_ON_ZERO(__same_type((a), &(a)[0]))
#endif

/* The number of elements of array @arr (a build error for a pointer, in C). */
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]) + __must_be_array(arr))

#endif /* _LINUX_ARRAY_SIZE_H */
