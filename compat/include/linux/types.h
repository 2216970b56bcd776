/* SPDX-License-Identifier: MIT */
/*
 * linux/types.h - the kernel's fixed-width and semantic types (LP64), without libc.
 *
 * Nothing here includes a libc header: modules define their own globals named read, poll,
 * sleep or delay, which a leaked libc declaration would turn into compile errors.
 */
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H

#include <linux/stddef.h>

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __s8 s8;
typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
typedef __u16 __le16;
typedef __u16 __be16;
typedef __u32 __le32;
typedef __u32 __be32;
typedef __u64 __le64;
typedef __u64 __be64;

#ifndef __cplusplus
typedef _Bool bool;
#endif

typedef __SIZE_TYPE__ size_t;
typedef long ssize_t;
typedef long ptrdiff_t;
typedef unsigned long uintptr_t;
typedef long intptr_t;
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned short umode_t;
typedef unsigned int mode_t;
typedef long long loff_t;
typedef long off_t;
typedef unsigned int dev_t;
typedef long time64_t;
typedef long clock_t;
typedef unsigned int gfp_t;
typedef unsigned int fmode_t;
typedef unsigned long irq_hw_number_t;
typedef u64 phys_addr_t;
typedef u64 dma_addr_t;
typedef unsigned long sector_t;
typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef unsigned long u_long;
typedef unsigned char unchar;
typedef unsigned short ushort;
typedef unsigned int uint;
typedef unsigned long ulong;
typedef u32 __poll_t;
typedef struct { uid_t val; } kuid_t;
typedef struct { gid_t val; } kgid_t;

#define DECLARE_BITMAP(name, bits) unsigned long name[((bits) + 63) / 64]

typedef struct {
	int counter;
} atomic_t;
typedef struct {
	s64 counter;
} atomic64_t;
typedef atomic64_t atomic_long_t;

struct list_head {
	struct list_head *next, *prev;
};
struct hlist_head {
	struct hlist_node *first;
};
struct hlist_node {
	struct hlist_node *next, **pprev;
};

struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
};
#define rcu_head callback_head

#endif /* _LINUX_TYPES_H */
