/* SPDX-License-Identifier: MIT */
/*
 * linux/cred.h - task credentials.
 *
 * Every ktl task, kernel thread or user task, runs as root with all capabilities:
 * current_uid() and friends are GLOBAL_ROOT_UID/GID and capable() is always true.
 */
#ifndef _LINUX_CRED_H
#define _LINUX_CRED_H

#include <linux/types.h>
#include <linux/uidgid.h>

struct cred {
	kuid_t uid;
	kgid_t gid;
	kuid_t suid;
	kgid_t sgid;
	kuid_t euid;
	kgid_t egid;
	kuid_t fsuid;
	kgid_t fsgid;
};

/* The credentials every task has (root). */
static inline const struct cred *current_cred(void)
{
	static const struct cred __ktl_root_cred = { { 0 } };
	return &__ktl_root_cred;
}

#define get_current_cred() current_cred()
#define put_cred(cred) ((void)(cred))
#define get_cred(cred) (cred)
#define current_real_cred() current_cred()
#define current_uid() GLOBAL_ROOT_UID
#define current_gid() GLOBAL_ROOT_GID
#define current_euid() GLOBAL_ROOT_UID
#define current_egid() GLOBAL_ROOT_GID
#define current_suid() GLOBAL_ROOT_UID
#define current_sgid() GLOBAL_ROOT_GID
#define current_fsuid() GLOBAL_ROOT_UID
#define current_fsgid() GLOBAL_ROOT_GID
#define current_user_ns() (&init_user_ns)
#define current_uid_gid(_uid, _gid)                     \
	do {                                            \
		*(_uid) = GLOBAL_ROOT_UID;              \
		*(_gid) = GLOBAL_ROOT_GID;              \
	} while (0)

/* Capabilities: everyone has all of them. */
#define capable(cap) ((void)(cap), true)
#define ns_capable(ns, cap) ((void)(ns), (void)(cap), true)
#define CAP_SYS_ADMIN 21
#define CAP_NET_ADMIN 12
#define CAP_SYS_RAWIO 17
#define CAP_SYS_NICE 23

#endif /* _LINUX_CRED_H */
