/* SPDX-License-Identifier: MIT */
/*
 * linux/sched/signal.h - testing and sending signals.
 *
 * Kernel threads ignore every signal unless they call allow_signal(sig) (<linux/signal.h>);
 * an ignored signal is discarded when sent. An allowed one stays pending until
 * flush_signals(current); no handler runs: the thread polls signal_pending(current).
 * kthread_stop() also makes signal_pending() true in the stopped thread (Linux's
 * TIF_NOTIFY_SIGNAL) without queueing a signal, so its interruptible sleeps end with
 * -ERESTARTSYS / -EINTR.
 */
#ifndef _LINUX_SCHED_SIGNAL_H
#define _LINUX_SCHED_SIGNAL_H

#include <linux/sched.h>
#include <linux/signal.h>

__KTL_BEGIN_DECLS
/* A signal (or a kthread_stop() notification) is pending for @p. Context: any. */
int signal_pending(struct task_struct *p) __ktl_abi(signal_pending);
/* SIGKILL is pending for @p. */
int fatal_signal_pending(struct task_struct *p) __ktl_abi(fatal_signal_pending);
int __fatal_signal_pending(struct task_struct *p) __ktl_abi(__fatal_signal_pending);
/* Whether a sleep in @state must end for @p: any signal if interruptible, SIGKILL if killable. */
int signal_pending_state(unsigned int state, struct task_struct *p)
	__ktl_abi(signal_pending_state);

/**
 * send_sig - send a signal to a task
 * @sig: 1.._NSIG
 * @p: the task
 * @priv: ignored (every sender is the kernel)
 *
 * A kernel thread that did not allow_signal(@sig) drops it. Otherwise the signal becomes
 * pending and wakes @p from an interruptible sleep (SIGKILL also from a killable one).
 * Context: any.
 * Return: 0, or -EINVAL for a bad signal number.
 */
int send_sig(int sig, struct task_struct *p, int priv) __ktl_abi(send_sig);
/* Makes @t ignore (drop) every signal, as kernel threads start out. */
void ignore_signals(struct task_struct *t) __ktl_abi(ignore_signals);
/* Clears every pending signal of @t (and a kthread_stop() notification stays). */
void flush_signals(struct task_struct *t) __ktl_abi(flush_signals);
/* Takes the lowest pending, unblocked signal of current off its pending set; 0 if none. */
int kernel_dequeue_signal(void) __ktl_abi(kernel_dequeue_signal);
__KTL_END_DECLS

/* struct pid and pid namespaces do not exist in ktl (see <linux/pid.h>). */
#define kill_pid(...) __ktl_unsupported(kill_pid)
#define send_sig_info(...) __ktl_unsupported(send_sig_info)
#define force_sig(...) __ktl_unsupported(force_sig)
#define for_each_process(...) __ktl_unsupported(for_each_process)
#define for_each_process_thread(...) __ktl_unsupported(for_each_process_thread)

#endif /* _LINUX_SCHED_SIGNAL_H */
