// Signals as kernel threads see them (kernel/signal.c).
//
// A kernel thread ignores every signal unless it calls allow_signal(sig); a signal it ignores is
// discarded at send time, so send_sig(SIGKILL, kthread, 0) does nothing to a kthread that did not
// allow SIGKILL. An allowed signal stays pending until flush_signals(): the kthread polls with
// signal_pending(current) — no handler ever runs. kthread_stop() additionally raises
// TIF_NOTIFY_SIGNAL, which makes signal_pending() true without any signal queued.
#pragma once

#include <csignal>

#include "ktl/sched/task.h"

// glibc defines a sigmask() macro (an int, wrong past signal 32); the kernel's is this one.
#undef sigmask

namespace ktl {

KTL_ALWAYS_INLINE constexpr sigset_bits sigmask(int sig) { return sigset_bits{1} << (sig - 1); }

bool signal_pending(const task_struct* p) noexcept;
bool fatal_signal_pending(const task_struct* p) noexcept;
bool __fatal_signal_pending(const task_struct* p) noexcept;
// Whether a sleep in `state` must end because of a pending signal (interruptible: any signal;
// killable: SIGKILL).
bool signal_pending_state(unsigned state, const task_struct* p) noexcept;

// Queue `sig` for `p` (priv is ignored: all senders are the kernel). Returns 0, or -EINVAL for a
// bad signal number. Ignored signals are dropped. Wakes an interruptible sleeper (and a killable
// one for SIGKILL).
int send_sig(int sig, task_struct* p, int priv);
int kill_pid(pid_t pid, int sig, int priv);

void allow_signal(int sig);
void disallow_signal(int sig);
void ignore_signals(task_struct* p) noexcept;
void flush_signals(task_struct* p) noexcept;
// Dequeue the lowest pending unblocked signal of current, or 0 (kernel_dequeue_signal).
int kernel_dequeue_signal();

void set_notify_signal(task_struct* p) noexcept;
void clear_notify_signal() noexcept;

}  // namespace ktl
