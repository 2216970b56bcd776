// Signals as kernel threads see them (kernel/signal.c).
#include "ktl/sched/signal.h"

#include "ktl/kernel/fork.h"
#include "ktl/sched/sched.h"

namespace ktl {

namespace {
constexpr sigset_bits kSigkill = sigset_bits{1} << (SIGKILL - 1);
}

bool signal_pending(const task_struct* p) noexcept {
  if (KTL_UNLIKELY(p->thread_flags.load(std::memory_order_relaxed) & TIF_NOTIFY_SIGNAL)) return true;
  return (p->sig_pending.load(std::memory_order_relaxed) & ~p->sig_blocked) != 0;
}
bool __fatal_signal_pending(const task_struct* p) noexcept {
  return p->sig_pending.load(std::memory_order_relaxed) & kSigkill;
}
bool fatal_signal_pending(const task_struct* p) noexcept {
  return signal_pending(p) && __fatal_signal_pending(p);
}
bool signal_pending_state(unsigned state, const task_struct* p) noexcept {
  if (!(state & (TASK_INTERRUPTIBLE | TASK_WAKEKILL))) return false;
  if (!signal_pending(p)) return false;
  return (state & TASK_INTERRUPTIBLE) || __fatal_signal_pending(p);
}

int send_sig(int sig, task_struct* p, int) {
  if (sig < 1 || sig > 64) return -EINVAL;
  if (sig == 0 || !p) return 0;
  sigset_bits bit = sigmask(sig);
  // A signal the task ignores is discarded at send time (sig_ignored() in Linux). For a kernel
  // thread that is every signal it did not allow_signal().
  if (p->sig_ignored.load(std::memory_order_relaxed) & bit) return 0;
  p->sig_pending.fetch_or(bit, std::memory_order_seq_cst);
  p->thread_flags.fetch_or(TIF_SIGPENDING, std::memory_order_relaxed);
  // signal_wake_up(): interruptible sleepers wake; killable ones too for SIGKILL.
  wake_up_state(p, TASK_INTERRUPTIBLE | (sig == SIGKILL ? TASK_WAKEKILL : 0));
  return 0;
}

int kill_pid(pid_t pid, int sig, int priv) {
  task_struct* p = find_get_task_by_vpid(pid);
  if (!p) return -ESRCH;
  int ret = send_sig(sig, p, priv);
  put_task_struct(p);
  return ret;
}

void allow_signal(int sig) {
  if (sig < 1 || sig > 64) return;
  task_struct* p = get_current();
  p->sig_ignored.fetch_and(~sigmask(sig), std::memory_order_relaxed);
  p->sig_caught.fetch_or(sigmask(sig), std::memory_order_relaxed);
}

void disallow_signal(int sig) {
  if (sig < 1 || sig > 64) return;
  task_struct* p = get_current();
  p->sig_ignored.fetch_or(sigmask(sig), std::memory_order_relaxed);
  p->sig_caught.fetch_and(~sigmask(sig), std::memory_order_relaxed);
  p->sig_pending.fetch_and(~sigmask(sig), std::memory_order_relaxed);
}

void ignore_signals(task_struct* p) noexcept {
  p->sig_ignored.store(~sigset_bits{0}, std::memory_order_relaxed);
  p->sig_caught.store(0, std::memory_order_relaxed);
  p->sig_pending.store(0, std::memory_order_relaxed);
}

void flush_signals(task_struct* p) noexcept {
  p->sig_pending.store(0, std::memory_order_relaxed);
  p->thread_flags.fetch_and(~TIF_SIGPENDING, std::memory_order_relaxed);
}

int kernel_dequeue_signal() {
  task_struct* p = get_current();
  sigset_bits pend = p->sig_pending.load(std::memory_order_relaxed) & ~p->sig_blocked;
  if (!pend) return 0;
  int sig = __builtin_ctzll(pend) + 1;
  p->sig_pending.fetch_and(~sigmask(sig), std::memory_order_relaxed);
  return sig;
}

void set_notify_signal(task_struct* p) noexcept {
  p->thread_flags.fetch_or(TIF_NOTIFY_SIGNAL, std::memory_order_seq_cst);
  wake_up_state(p, TASK_INTERRUPTIBLE);
}
void clear_notify_signal() noexcept {
  get_current()->thread_flags.fetch_and(~TIF_NOTIFY_SIGNAL, std::memory_order_relaxed);
}

}  // namespace ktl
