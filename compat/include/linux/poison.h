/* SPDX-License-Identifier: MIT */
/* linux/poison.h - the values freed objects are poisoned with. */
#ifndef _LINUX_POISON_H
#define _LINUX_POISON_H

/* What list_del() leaves in an entry (the same as ktl's list_del()). */
#define LIST_POISON1 ((void *)0x100)
#define LIST_POISON2 ((void *)0x122)

#define POISON_INUSE 0x5a
#define POISON_FREE 0x6b
#define POISON_END 0xa5

#endif /* _LINUX_POISON_H */
