/* SPDX-License-Identifier: MIT */
/* linux/typecheck.h - compile-time type checks that warn on a mismatch. */
#ifndef _LINUX_TYPECHECK_H
#define _LINUX_TYPECHECK_H

#include <linux/compiler.h>

/* True; warns (comparison of distinct pointer types) when @x is not of type @type. */
#define typecheck(type, x)                              \
	({                                              \
		type __dummy;                           \
		__typeof__(x) __dummy2;                 \
		(void)(&__dummy == &__dummy2);          \
		1;                                      \
	})

#define typecheck_fn(type, function)                    \
	({                                              \
		__typeof__(type) __tmp = function;      \
		(void)__tmp;                            \
	})

#define typecheck_pointer(x)                            \
	({                                              \
		__typeof__(x) __dummy;                  \
		(void)sizeof(*__dummy);                 \
		1;                                      \
	})

#endif /* _LINUX_TYPECHECK_H */
