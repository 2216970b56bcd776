/* SPDX-License-Identifier: MIT */
/* linux/linkage.h - calling-convention markers (empty: everything is a plain C call). */
#ifndef _LINUX_LINKAGE_H
#define _LINUX_LINKAGE_H

#include <linux/compiler.h>

#define asmlinkage
#define __visible_linkage
#ifndef SYSCALL_ALIAS
#define SYSCALL_ALIAS(alias, name)
#endif

#endif /* _LINUX_LINKAGE_H */
