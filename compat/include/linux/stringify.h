/* SPDX-License-Identifier: MIT */
/* linux/stringify.h - __stringify(x): the macro-expanded text of x as a string literal. */
#ifndef _LINUX_STRINGIFY_H
#define _LINUX_STRINGIFY_H

#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)

#endif /* _LINUX_STRINGIFY_H */
