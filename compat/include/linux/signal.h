/* SPDX-License-Identifier: MIT */
/*
 * linux/signal.h - signal sets, and signals as kernel threads see them.
 *
 * sigset_t holds signals 1.._NSIG (64) as bit sig - 1 of one unsigned long.
 */
#ifndef _LINUX_SIGNAL_H
#define _LINUX_SIGNAL_H

#include <linux/compiler.h>
#include <linux/signal_types.h>
#include <linux/types.h>

#define sigmask(sig) (1UL << ((sig) - 1))

static inline void sigaddset(sigset_t *set, int _sig)
{
	set->sig[0] |= sigmask(_sig);
}

static inline void sigdelset(sigset_t *set, int _sig)
{
	set->sig[0] &= ~sigmask(_sig);
}

static inline int sigismember(sigset_t *set, int _sig)
{
	return (int)((set->sig[0] >> (_sig - 1)) & 1);
}

static inline int sigisemptyset(sigset_t *set)
{
	return set->sig[0] == 0;
}

static inline int sigequalsets(const sigset_t *set1, const sigset_t *set2)
{
	return set1->sig[0] == set2->sig[0];
}

static inline void sigemptyset(sigset_t *set)
{
	set->sig[0] = 0;
}

static inline void sigfillset(sigset_t *set)
{
	set->sig[0] = ~0UL;
}

static inline void sigaddsetmask(sigset_t *set, unsigned long mask)
{
	set->sig[0] |= mask;
}

static inline void sigdelsetmask(sigset_t *set, unsigned long mask)
{
	set->sig[0] &= ~mask;
}

static inline int sigtestsetmask(sigset_t *set, unsigned long mask)
{
	return (set->sig[0] & mask) != 0;
}

static inline void siginitset(sigset_t *set, unsigned long mask)
{
	set->sig[0] = mask;
}

static inline void siginitsetinv(sigset_t *set, unsigned long mask)
{
	set->sig[0] = ~mask;
}

static inline void sigorsets(sigset_t *r, const sigset_t *a, const sigset_t *b)
{
	r->sig[0] = a->sig[0] | b->sig[0];
}

static inline void sigandsets(sigset_t *r, const sigset_t *a, const sigset_t *b)
{
	r->sig[0] = a->sig[0] & b->sig[0];
}

static inline void sigandnsets(sigset_t *r, const sigset_t *a, const sigset_t *b)
{
	r->sig[0] = a->sig[0] & ~b->sig[0];
}

static inline int valid_signal(unsigned long sig)
{
	return sig <= _NSIG ? 1 : 0;
}

__KTL_BEGIN_DECLS
/**
 * allow_signal - let the current kernel thread receive @sig
 *
 * Kernel threads start ignoring every signal; after allow_signal(SIGINT) a send_sig(SIGINT)
 * makes signal_pending(current) true (and ends interruptible sleeps) until flush_signals().
 * Context: a kernel thread, for itself.
 */
void allow_signal(int sig) __ktl_abi(allow_signal);
/* Ignores @sig again (a pending @sig is dropped). */
void disallow_signal(int sig) __ktl_abi(disallow_signal);
__KTL_END_DECLS

#define allow_kernel_signal(sig) allow_signal(sig)

#endif /* _LINUX_SIGNAL_H */
