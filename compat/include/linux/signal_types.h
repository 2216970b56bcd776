/* SPDX-License-Identifier: MIT */
/*
 * linux/signal_types.h - signal numbers and sigset_t, as struct task_struct embeds them.
 *
 * ktl keeps a task's pending and blocked signals as one 64-bit word each (bit sig - 1),
 * which is exactly the kernel's sigset_t on a 64-bit machine (_NSIG 64, one word), so
 * current->pending.signal and current->blocked read ktl's own words. Kernel threads see
 * signals only after allow_signal(); no handler ever runs in the kernel: a kthread polls
 * signal_pending(current) and clears them with flush_signals(current).
 */
#ifndef _LINUX_SIGNAL_TYPES_H
#define _LINUX_SIGNAL_TYPES_H

#include <linux/types.h>

#define _NSIG 64
#define _NSIG_BPW 64
#define _NSIG_WORDS (_NSIG / _NSIG_BPW)

typedef struct {
	unsigned long sig[_NSIG_WORDS];
} sigset_t;

/*
 * The pending set of a task (current->pending.signal). Linux's struct also carries the
 * queue of siginfo records, which ktl does not keep: only .signal exists.
 */
struct sigpending {
	sigset_t signal;
};

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGIOT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPOLL SIGIO
#define SIGPWR 30
#define SIGSYS 31
#define SIGUNUSED 31
#define SIGRTMIN 32
#define SIGRTMAX _NSIG

#endif /* _LINUX_SIGNAL_TYPES_H */
