// Signals as kernel threads see them (include/ktl/sched/signal.h, spec §6 last paragraph):
// ignored unless allowed, allow/disallow, flush, kernel_dequeue_signal, killable waits.
#include <atomic>
#include <csignal>
#include <memory>
#include <thread>

#include "support/kernel_test.h"

namespace {

using namespace ktl;
using ktl::testing::join_for;
using ktl::testing::KernelTest;
using ktl::testing::spawn;
using ktl::testing::task_handle;
using ktl::testing::wait_until;

using ktl::testing::kJoinMs;
using ktl::testing::wait_state;

struct Shared {
  wait_queue_head wq;
  std::atomic<bool> cond{false};
  std::atomic<long> ret{-12345};
  std::atomic<int> bits{0};
};

class SignalTest : public KernelTest {};

TEST_P(SignalTest, KthreadIgnoresSigkillByDefault) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        s->ret = wait_event_killable(s->wq, s->cond.load());
        int b = 0;
        if (signal_pending(get_current())) b |= 1;
        if (fatal_signal_pending(get_current())) b |= 2;
        s->bits = b;
        return 0;
      },
      "sig_ign");
  ASSERT_TRUE(wait_state(t, 'D'));
  EXPECT_EQ(send_sig(SIGKILL, t.task, 0), 0);
  EXPECT_FALSE(signal_pending(t.task)) << "an ignored SIGKILL is discarded at send time";
  EXPECT_FALSE(fatal_signal_pending(t.task));
  ktl::testing::let_run_us(20000);  // negative window only
  EXPECT_EQ(task_state_to_char(t.task), 'D') << "the killable wait must go on";
  EXPECT_EQ(s->ret.load(), -12345);
  s->cond = true;
  wake_up(&s->wq);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), 0);
  EXPECT_EQ(s->bits.load(), 0);
}

TEST_P(SignalTest, KthreadIgnoresSigusr1ByDefaultInInterruptibleWait) {
  auto s = std::make_shared<Shared>();
  auto t = spawn([s] { return wait_event_interruptible(s->wq, s->cond.load()); }, "sig_ign2");
  ASSERT_TRUE(wait_state(t, 'S'));
  send_sig(SIGUSR1, t.task, 0);
  send_sig(SIGTERM, t.task, 0);
  send_sig(SIGKILL, t.task, 0);
  EXPECT_FALSE(signal_pending(t.task));
  ktl::testing::let_run_us(20000);  // negative window only
  EXPECT_EQ(task_state_to_char(t.task), 'S');
  s->cond = true;
  wake_up(&s->wq);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(SignalTest, AllowedSigkillIsFatalAndInterruptsKillableWait) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGKILL);
        s->ret = wait_event_killable(s->wq, s->cond.load());
        int b = 0;
        if (signal_pending(get_current())) b |= 1;
        if (fatal_signal_pending(get_current())) b |= 2;
        // A second killable wait returns at once while SIGKILL is pending.
        if (wait_event_killable(s->wq, s->cond.load()) == -ERESTARTSYS) b |= 4;
        flush_signals(get_current());
        if (!signal_pending(get_current()) && !fatal_signal_pending(get_current())) b |= 8;
        s->bits = b;
        return 0;
      },
      "sig_kill");
  ASSERT_TRUE(wait_state(t, 'D'));
  EXPECT_EQ(send_sig(SIGKILL, t.task, 0), 0);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), -ERESTARTSYS);
  EXPECT_EQ(s->bits.load(), 1 | 2 | 4 | 8);
}

TEST_P(SignalTest, FatalSignalPendingSeenFromOutside) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGKILL);
        allow_signal(SIGUSR1);
        wait_event(s->wq, s->cond.load());  // uninterruptible: signals do not end it
        int b = 0;
        if (signal_pending(get_current())) b |= 1;
        if (fatal_signal_pending(get_current())) b |= 2;
        flush_signals(get_current());
        s->bits = b;
        return 0;
      },
      "sig_fatal");
  ASSERT_TRUE(wait_state(t, 'D'));
  send_sig(SIGUSR1, t.task, 0);
  EXPECT_TRUE(signal_pending(t.task));
  EXPECT_FALSE(fatal_signal_pending(t.task)) << "SIGUSR1 is not fatal";
  send_sig(SIGKILL, t.task, 0);
  EXPECT_TRUE(fatal_signal_pending(t.task));
  ktl::testing::let_run_us(10000);  // negative window only
  EXPECT_EQ(task_state_to_char(t.task), 'D') << "TASK_UNINTERRUPTIBLE ignores even SIGKILL";
  s->cond = true;
  wake_up(&s->wq);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->bits.load(), 1 | 2);
}

TEST_P(SignalTest, FlushSignalsClears) {
  auto t = spawn(
      [] {
        task_struct* me = get_current();
        allow_signal(SIGUSR1);
        allow_signal(SIGUSR2);
        if (signal_pending(me)) return 1;
        send_sig(SIGUSR1, me, 0);
        send_sig(SIGUSR2, me, 0);
        if (!signal_pending(me)) return 2;
        flush_signals(me);
        if (signal_pending(me)) return 3;
        if (kernel_dequeue_signal() != 0) return 4;
        // An interruptible sleep is possible again after the flush.
        set_current_state(TASK_INTERRUPTIBLE);
        if (schedule_timeout(2) != 0) return 5;
        return 0;
      },
      "sig_flush");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(SignalTest, DisallowSignal) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        task_struct* me = get_current();
        allow_signal(SIGUSR1);
        send_sig(SIGUSR1, me, 0);
        if (!signal_pending(me)) return 1;
        disallow_signal(SIGUSR1);  // SIG_IGN: also drops the pending one
        if (signal_pending(me)) return 2;
        send_sig(SIGUSR1, me, 0);
        if (signal_pending(me)) return 3;
        s->ret = 0;
        return wait_event_interruptible(s->wq, s->cond.load());
      },
      "sig_disallow");
  ASSERT_TRUE(wait_state(t, 'S'));
  send_sig(SIGUSR1, t.task, 0);
  EXPECT_FALSE(signal_pending(t.task));
  ktl::testing::let_run_us(10000);  // negative window only
  EXPECT_EQ(task_state_to_char(t.task), 'S');
  s->cond = true;
  wake_up(&s->wq);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(SignalTest, KernelDequeueSignalReturnsSignalNumbers) {
  auto t = spawn(
      [] {
        task_struct* me = get_current();
        allow_signal(SIGUSR1);
        allow_signal(SIGUSR2);
        allow_signal(SIGKILL);
        if (kernel_dequeue_signal() != 0) return 1;
        send_sig(SIGUSR2, me, 0);
        send_sig(SIGUSR1, me, 0);
        int a = kernel_dequeue_signal();
        int b = kernel_dequeue_signal();
        if (a != SIGUSR1 || b != SIGUSR2) return 2;
        if (kernel_dequeue_signal() != 0) return 3;
        if (signal_pending(me)) return 4;
        send_sig(SIGKILL, me, 0);
        if (!fatal_signal_pending(me)) return 5;
        if (kernel_dequeue_signal() != SIGKILL) return 6;
        if (signal_pending(me) || fatal_signal_pending(me)) return 7;
        return 0;
      },
      "sig_dequeue");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

// The usual kthread pattern: an allowed signal interrupts a sleep, the thread dequeues it and
// goes back to waiting.
TEST_P(SignalTest, DequeueAfterInterruptedWaitThenWaitAgain) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGUSR1);
        int got = 0;
        for (;;) {
          int r = wait_event_interruptible(s->wq, s->cond.load());
          if (r == 0) break;
          if (r != -ERESTARTSYS) return -1;
          if (kernel_dequeue_signal() == SIGUSR1) ++got;
          s->bits = got;
        }
        return got;
      },
      "sig_loop");
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(wait_state(t, 'S'));
    send_sig(SIGUSR1, t.task, 0);
    ASSERT_TRUE(wait_until([&] { return s->bits.load() == i; })) << "signal " << i;
  }
  ASSERT_TRUE(wait_state(t, 'S'));
  s->cond = true;
  wake_up(&s->wq);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 3);
}

TEST_P(SignalTest, SendSigRejectsBadSignalNumbers) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGUSR1);
        return wait_event_interruptible(s->wq, s->cond.load());
      },
      "sig_bad");
  ASSERT_TRUE(wait_state(t, 'S'));
  EXPECT_EQ(send_sig(65, t.task, 0), -EINVAL);
  EXPECT_EQ(send_sig(-1, t.task, 0), -EINVAL);
  EXPECT_FALSE(signal_pending(t.task));
  EXPECT_EQ(task_state_to_char(t.task), 'S');
  s->cond = true;
  wake_up(&s->wq);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(SignalTest, KillPidDeliversAllowedSignal) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGUSR1);
        int r = wait_event_interruptible(s->wq, s->cond.load());
        flush_signals(get_current());
        return r;
      },
      "sig_killpid");
  ASSERT_TRUE(wait_state(t, 'S'));
  EXPECT_EQ(kill_pid(task_pid_nr(t.task), SIGUSR1, 0), 0);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, -ERESTARTSYS);
}

KTL_INSTANTIATE_MACHINES(SignalTest);

}  // namespace
