// The wait_event family (spec §6, §17 item 12): sleep states, return values, exclusive wake-ups,
// manual prepare_to_wait loops, _lock_irq and hrtimeout forms, and the "a waker that sets the
// condition before wake_up() is never missed" guarantee.
//
// Shared state lives in a heap object owned by shared_ptr and captured by value, so a task left
// hanging by a failing assertion never touches a dead stack frame.
#include <atomic>
#include <csignal>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/kernel_test.h"

namespace {

// Regression guard: these macros once expanded to a helper whose name was another macro of the
// family (or to `::ktl::might_sleep()`), so they did not compile. Used in a never-run lambda.
TEST(WaitMacroExpansion, AffectedMacrosCompile) {
  auto never_called = [](ktl::wait_queue_head& wq) {
    wait_event_exclusive(wq, true);
    wait_event_idle(wq, true);
    wait_event_idle_exclusive(wq, true);
    long r = wait_event_idle_timeout(wq, true, 1);
    r += wait_event_idle_exclusive_timeout(wq, true, 1);
    r += wait_event_interruptible_timeout(wq, true, 1);
    r += wait_event_killable_timeout(wq, true, 1);
    r += wait_event_freezable_timeout(wq, true, 1);
    r += wait_event_interruptible_hrtimeout(wq, true, 1);
    int x = 0;
    wait_event_cmd(wq, true, x++, x--);
    wait_event_exclusive_cmd(wq, true, x++, x--);
    wait_event_lock_irq(wq, true, wq.lock);
    return r + x;
  };
  (void)never_called;
  SUCCEED();
}

using namespace ktl;
using ktl::testing::join_for;
using ktl::testing::KernelTest;
using ktl::testing::spawn;
using ktl::testing::stress_iterations;
using ktl::testing::task_handle;
using ktl::testing::wait_until;

using ktl::testing::kJoinMs;
using ktl::testing::wait_state;

struct Shared {
  wait_queue_head wq;
  std::atomic<bool> cond{false};
  std::atomic<int> evals{0};
  std::atomic<long> ret{-12345};
  std::atomic<unsigned long> elapsed{0};
  std::atomic<bool> flag{false};
};

class WaitEventTest : public KernelTest {};

// ---- sleep states seen from outside -----------------------------------------------------

TEST_P(WaitEventTest, WaitEventSleepsUninterruptibleD) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        wait_event(s->wq, s->cond.load());
        return 0;
      },
      "we_d");
  ASSERT_TRUE(wait_state(t, 'D')) << "wait_event must sleep in TASK_UNINTERRUPTIBLE ('D'), saw "
                                  << task_state_to_char(t.task);
  EXPECT_EQ(task_state(t.task), TASK_UNINTERRUPTIBLE);
  s->cond = true;
  wake_up(&s->wq);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(WaitEventTest, WaitEventInterruptibleSleepsS) {
  auto s = std::make_shared<Shared>();
  auto t = spawn([s] { return wait_event_interruptible(s->wq, s->cond.load()); }, "we_s");
  ASSERT_TRUE(wait_state(t, 'S')) << "saw " << task_state_to_char(t.task);
  EXPECT_EQ(task_state(t.task), TASK_INTERRUPTIBLE);
  s->cond = true;
  wake_up(&s->wq);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(WaitEventTest, WaitEventIdleSleepsI) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        wait_event_idle(s->wq, s->cond.load());
        return 0;
      },
      "we_i");
  ASSERT_TRUE(wait_state(t, 'I')) << "wait_event_idle must report TASK_IDLE as 'I', saw "
                                  << task_state_to_char(t.task);
  EXPECT_EQ(task_state(t.task), TASK_IDLE);
  s->cond = true;
  wake_up(&s->wq);
  ASSERT_TRUE(join_for(t, kJoinMs));
}

TEST_P(WaitEventTest, WaitEventKillableSleepsD) {
  auto s = std::make_shared<Shared>();
  auto t = spawn([s] { return wait_event_killable(s->wq, s->cond.load()); }, "we_k");
  ASSERT_TRUE(wait_state(t, 'D')) << "TASK_KILLABLE reports as 'D', saw "
                                  << task_state_to_char(t.task);
  EXPECT_EQ(task_state(t.task), TASK_KILLABLE);
  s->cond = true;
  wake_up(&s->wq);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

// ---- fast path and wait_event_timeout return values ---------------------------------------

TEST_P(WaitEventTest, TrueConditionReturnsWithoutSleeping) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        task_struct* me = get_current();
        u64 sw = me->nvcsw;
        wait_event(s->wq, true);
        if (wait_event_interruptible(s->wq, true) != 0) return 1;
        if (wait_event_killable(s->wq, true) != 0) return 2;
        wait_event_idle(s->wq, true);
        // Condition true with a positive timeout: the whole timeout is returned.
        if (wait_event_timeout(s->wq, true, 7) != 7) return 3;
        if (wait_event_interruptible_timeout(s->wq, true, 9) != 9) return 4;
        if (me->nvcsw != sw) return 5;  // never blocked
        if (waitqueue_active(&s->wq)) return 6;
        return 0;
      },
      "we_fast");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(WaitEventTest, TimeoutZeroReturnsConditionWithoutSleeping) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        task_struct* me = get_current();
        u64 sw = me->nvcsw;
        long a = wait_event_timeout(s->wq, false, 0);
        long b = wait_event_timeout(s->wq, true, 0);
        long c = wait_event_interruptible_timeout(s->wq, false, 0);
        long d = wait_event_interruptible_timeout(s->wq, true, 0);
        long e = wait_event_idle_timeout(s->wq, false, 0);
        long f = wait_event_idle_timeout(s->wq, true, 0);
        if (me->nvcsw != sw) return 100;
        return static_cast<int>(a * 1 + b * 2 + c * 4 + d * 8 + e * 16 + f * 32);
      },
      "we_t0");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  // a=0 b=1 c=0 d=1 e=0 f=1
  EXPECT_EQ(r, 2 + 8 + 32) << "t == 0 must return 0 (cond false) or 1 (cond true) at once; 100 = it slept";
}

TEST_P(WaitEventTest, TimeoutReturnsZeroWhenConditionStaysFalse) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        unsigned long j0 = jiffies;
        s->ret = wait_event_timeout(s->wq, s->cond.load(), 5);
        s->elapsed = jiffies - j0;
        return 0;
      },
      "we_to");
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), 0);
  EXPECT_GE(s->elapsed.load(), 5u) << "returned before the timeout elapsed";
}

TEST_P(WaitEventTest, TimeoutReturnsRemainingWhenWoken) {
  auto s = std::make_shared<Shared>();
  const long timeout = 10 * HZ;
  auto t = spawn(
      [s, timeout] {
        s->ret = wait_event_timeout(s->wq, s->cond.load(), timeout);
        return 0;
      },
      "we_rem");
  ASSERT_TRUE(wait_state(t, 'D'));
  s->cond = true;
  wake_up(&s->wq);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_GE(s->ret.load(), 1);
  EXPECT_LE(s->ret.load(), timeout);
  EXPECT_GT(s->ret.load(), timeout / 2) << "woken at once, most of the timeout should remain";
}

// ___wait_cond_timeout: condition true when the timeout has run out → 1, not 0.
TEST_P(WaitEventTest, TimeoutReturnsOneWhenConditionTrueAtDeadline) {
  auto s = std::make_shared<Shared>();
  const long timeout = HZ / 4;
  auto t = spawn(
      [s, timeout] {
        unsigned long j0 = jiffies;
        s->ret = wait_event_timeout(s->wq, s->cond.load(), timeout);
        s->elapsed = jiffies - j0;
        return 0;
      },
      "we_one");
  ASSERT_TRUE(wait_state(t, 'D'));
  s->cond = true;  // no wake_up: only the timeout ends the sleep
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), 1);
  EXPECT_GE(s->elapsed.load(), static_cast<unsigned long>(timeout));
}

TEST_P(WaitEventTest, IdleTimeoutReturnValues) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        long r0 = wait_event_idle_timeout(s->wq, s->cond.load(), 3);
        if (r0 != 0) return 1;
        s->flag = true;
        s->ret = wait_event_idle_timeout(s->wq, s->cond.load(), 10 * HZ);
        return 0;
      },
      "we_idlet");
  ASSERT_TRUE(wait_until([&] { return s->flag.load(); }));
  ASSERT_TRUE(wait_state(t, 'I'));
  s->cond = true;
  wake_up(&s->wq);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0) << "wait_event_idle_timeout must return 0 on timeout";
  EXPECT_GE(s->ret.load(), 1);
  EXPECT_LE(s->ret.load(), static_cast<long>(10 * HZ));
}

// ---- signals ----------------------------------------------------------------------------

TEST_P(WaitEventTest, InterruptibleReturnsERESTARTSYSOnAllowedSignal) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGUSR1);
        s->ret = wait_event_interruptible(s->wq, s->cond.load());
        s->flag = signal_pending(get_current());
        flush_signals(get_current());
        return 0;
      },
      "we_sig");
  ASSERT_TRUE(wait_state(t, 'S'));
  EXPECT_EQ(send_sig(SIGUSR1, t.task, 0), 0);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), -ERESTARTSYS);
  EXPECT_TRUE(s->flag.load()) << "the signal stays pending after the wait returns";
  EXPECT_FALSE(waitqueue_active(&s->wq)) << "an interrupted waiter must leave the queue";
}

TEST_P(WaitEventTest, InterruptibleIgnoresSignalKthreadDidNotAllow) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        s->ret = wait_event_interruptible(s->wq, s->cond.load());
        s->flag = signal_pending(get_current());
        return 0;
      },
      "we_nosig");
  ASSERT_TRUE(wait_state(t, 'S'));
  EXPECT_EQ(send_sig(SIGUSR1, t.task, 0), 0);
  EXPECT_FALSE(signal_pending(t.task)) << "a signal a kthread ignores is discarded at send time";
  ktl::testing::let_run_us(20000);  // negative window only
  EXPECT_EQ(task_state_to_char(t.task), 'S') << "an ignored signal must not end the wait";
  s->cond = true;
  wake_up(&s->wq);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), 0);
  EXPECT_FALSE(s->flag.load());
}

// kthread_stop's mechanism: TIF_NOTIFY_SIGNAL makes interruptible waits return -ERESTARTSYS.
TEST_P(WaitEventTest, NotifySignalInterruptsInterruptibleWait) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        s->ret = wait_event_interruptible(s->wq, s->cond.load());
        s->flag = signal_pending(get_current());
        clear_notify_signal();
        return 0;
      },
      "we_notify");
  ASSERT_TRUE(wait_state(t, 'S'));
  set_notify_signal(t.task);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), -ERESTARTSYS);
  EXPECT_TRUE(s->flag.load());
}

TEST_P(WaitEventTest, KillableOnlyInterruptedByAllowedSigkill) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGUSR1);
        allow_signal(SIGKILL);
        s->ret = wait_event_killable(s->wq, s->cond.load());
        s->flag = fatal_signal_pending(get_current());
        flush_signals(get_current());
        clear_notify_signal();
        return 0;
      },
      "we_kill");
  ASSERT_TRUE(wait_state(t, 'D'));
  EXPECT_EQ(send_sig(SIGUSR1, t.task, 0), 0);
  EXPECT_TRUE(signal_pending(t.task)) << "SIGUSR1 was allowed: it must be pending";
  set_notify_signal(t.task);
  ktl::testing::let_run_us(20000);  // negative window only
  EXPECT_EQ(task_state_to_char(t.task), 'D')
      << "a non-fatal signal (or TIF_NOTIFY_SIGNAL) must not end a killable wait";
  EXPECT_EQ(s->ret.load(), -12345);
  EXPECT_EQ(send_sig(SIGKILL, t.task, 0), 0);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), -ERESTARTSYS);
  EXPECT_TRUE(s->flag.load());
}

TEST_P(WaitEventTest, KillableTimeoutReturnValues) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGKILL);
        if (wait_event_killable_timeout(s->wq, s->cond.load(), 2) != 0) return 1;
        s->flag = true;
        s->ret = wait_event_killable_timeout(s->wq, s->cond.load(), 10 * HZ);
        flush_signals(get_current());
        return 0;
      },
      "we_killt");
  ASSERT_TRUE(wait_until([&] { return s->flag.load(); }));
  ASSERT_TRUE(wait_state(t, 'D'));
  send_sig(SIGKILL, t.task, 0);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0) << "wait_event_killable_timeout must return 0 on timeout";
  EXPECT_EQ(s->ret.load(), -ERESTARTSYS);
}

// wait_event_interruptible_timeout: -ERESTARTSYS, 0, 1, or the remaining jiffies.
TEST_P(WaitEventTest, InterruptibleTimeoutSignal) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGUSR1);
        s->ret = wait_event_interruptible_timeout(s->wq, s->cond.load(), 10 * HZ);
        flush_signals(get_current());
        return 0;
      },
      "we_it_sig");
  ASSERT_TRUE(wait_state(t, 'S'));
  send_sig(SIGUSR1, t.task, 0);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), -ERESTARTSYS);
}

TEST_P(WaitEventTest, InterruptibleTimeoutZeroOnTimeout) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        unsigned long j0 = jiffies;
        s->ret = wait_event_interruptible_timeout(s->wq, s->cond.load(), 4);
        s->elapsed = jiffies - j0;
        return 0;
      },
      "we_it_to");
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), 0);
  EXPECT_GE(s->elapsed.load(), 4u);
}

TEST_P(WaitEventTest, InterruptibleTimeoutOneWhenTrueAtDeadline) {
  auto s = std::make_shared<Shared>();
  const long timeout = HZ / 4;
  auto t = spawn(
      [s, timeout] {
        s->ret = wait_event_interruptible_timeout(s->wq, s->cond.load(), timeout);
        return 0;
      },
      "we_it_one");
  ASSERT_TRUE(wait_state(t, 'S'));
  s->cond = true;  // no wake-up
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), 1);
}

TEST_P(WaitEventTest, InterruptibleTimeoutRemainingWhenWoken) {
  auto s = std::make_shared<Shared>();
  const long timeout = 10 * HZ;
  auto t = spawn(
      [s, timeout] {
        s->ret = wait_event_interruptible_timeout(s->wq, s->cond.load(), timeout);
        return 0;
      },
      "we_it_rem");
  ASSERT_TRUE(wait_state(t, 'S'));
  s->cond = true;
  wake_up_interruptible(&s->wq);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_GE(s->ret.load(), 1);
  EXPECT_LE(s->ret.load(), timeout);
  EXPECT_GT(s->ret.load(), timeout / 2);
}

// ---- wake-up side -----------------------------------------------------------------------

struct Waiters {
  wait_queue_head wq;
  std::atomic<bool> go{false};
  std::atomic<bool> done[8] = {};
  std::atomic<int> order[8] = {};
  std::atomic<int> finished{0};
};

// wake_up(): every non-exclusive waiter plus exactly one exclusive (the first queued).
TEST_P(WaitEventTest, WakeUpWakesAllNonExclusivePlusOneExclusive) {
  auto s = std::make_shared<Waiters>();
  std::vector<task_handle> ts;
  // 0..2 non-exclusive, 3..5 exclusive; each queued before the next starts.
  for (int i = 0; i < 6; ++i) {
    bool excl = i >= 3;
    ts.push_back(spawn(
        [s, i, excl] {
          int r = excl ? wait_event_interruptible_exclusive(s->wq, s->go.load())
                       : wait_event_interruptible(s->wq, s->go.load());
          s->order[i] = ++s->finished;
          s->done[i] = true;
          return r;
        },
        excl ? "we_excl" : "we_shared"));
    ASSERT_TRUE(wait_state(ts.back(), 'S')) << "waiter " << i;
  }
  EXPECT_TRUE(waitqueue_active(&s->wq));
  s->go = true;
  wake_up(&s->wq);
  ASSERT_TRUE(wait_until([&] { return s->finished.load() >= 4; }));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(s->done[i].load()) << "non-exclusive waiter " << i;
  EXPECT_TRUE(s->done[3].load()) << "the first queued exclusive waiter must be the one woken";
  ktl::testing::let_run_us(20000);  // negative window only
  EXPECT_EQ(s->finished.load(), 4) << "wake_up must wake at most one exclusive waiter";
  EXPECT_EQ(task_state_to_char(ts[4].task), 'S');
  EXPECT_EQ(task_state_to_char(ts[5].task), 'S');
  // Next wake_up: the next exclusive one, FIFO.
  wake_up(&s->wq);
  ASSERT_TRUE(wait_until([&] { return s->finished.load() >= 5; }));
  EXPECT_TRUE(s->done[4].load());
  EXPECT_FALSE(s->done[5].load());
  wake_up_all(&s->wq);
  for (auto& t : ts) {
    int r = -1;
    ASSERT_TRUE(join_for(t, kJoinMs, &r));
    EXPECT_EQ(r, 0);
  }
  EXPECT_FALSE(waitqueue_active(&s->wq));
}

TEST_P(WaitEventTest, WakeUpNrWakesExactlyN) {
  auto s = std::make_shared<Waiters>();
  std::vector<task_handle> ts;
  for (int i = 0; i < 5; ++i) {
    ts.push_back(spawn(
        [s, i] {
          wait_event_idle_exclusive(s->wq, s->go.load());
          s->order[i] = ++s->finished;
          s->done[i] = true;
          return 0;
        },
        "we_nr"));
    ASSERT_TRUE(wait_state(ts.back(), 'I')) << "waiter " << i;
  }
  s->go = true;
  wake_up_nr(&s->wq, 2);
  ASSERT_TRUE(wait_until([&] { return s->finished.load() >= 2; }));
  ktl::testing::let_run_us(20000);  // negative window only
  EXPECT_EQ(s->finished.load(), 2);
  EXPECT_TRUE(s->done[0].load());
  EXPECT_TRUE(s->done[1].load());
  for (int i = 2; i < 5; ++i) EXPECT_EQ(task_state_to_char(ts[i].task), 'I') << i;
  wake_up_all(&s->wq);
  for (auto& t : ts) ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->finished.load(), 5);
}

TEST_P(WaitEventTest, WakeUpAllWakesEveryExclusiveWaiter) {
  auto s = std::make_shared<Waiters>();
  std::vector<task_handle> ts;
  for (int i = 0; i < 6; ++i) {
    ts.push_back(spawn(
        [s] {
          int r = wait_event_killable_exclusive(s->wq, s->go.load());
          ++s->finished;
          return r;
        },
        "we_all"));
  }
  for (auto& t : ts) ASSERT_TRUE(wait_state(t, 'D'));
  s->go = true;
  wake_up_all(&s->wq);
  for (auto& t : ts) {
    int r = -1;
    ASSERT_TRUE(join_for(t, kJoinMs, &r));
    EXPECT_EQ(r, 0);
  }
  EXPECT_EQ(s->finished.load(), 6);
}

TEST_P(WaitEventTest, WakeUpInterruptibleSkipsUninterruptibleSleeper) {
  auto s = std::make_shared<Waiters>();
  auto d = spawn(
      [s] {
        wait_event(s->wq, s->go.load());
        s->done[0] = true;
        return 0;
      },
      "we_unint");
  auto sl = spawn(
      [s] {
        int r = wait_event_interruptible(s->wq, s->go.load());
        s->done[1] = true;
        return r;
      },
      "we_int");
  ASSERT_TRUE(wait_state(d, 'D'));
  ASSERT_TRUE(wait_state(sl, 'S'));
  s->go = true;
  wake_up_interruptible(&s->wq);
  int r = -1;
  ASSERT_TRUE(join_for(sl, kJoinMs, &r)) << "the TASK_INTERRUPTIBLE sleeper must be woken";
  EXPECT_EQ(r, 0);
  // Nothing else wakes the 'D' sleeper: wake_up_interruptible must have left it alone.
  EXPECT_EQ(task_state_to_char(d.task), 'D');
  EXPECT_FALSE(s->done[0].load());
  wake_up_interruptible_all(&s->wq);
  EXPECT_EQ(task_state_to_char(d.task), 'D');
  EXPECT_FALSE(s->done[0].load());
  wake_up(&s->wq);
  ASSERT_TRUE(join_for(d, kJoinMs));
  EXPECT_TRUE(s->done[0].load());
}

TEST_P(WaitEventTest, WaitqueueActiveAndHasSleeper) {
  auto s = std::make_shared<Waiters>();
  EXPECT_FALSE(waitqueue_active(&s->wq));
  EXPECT_FALSE(wq_has_sleeper(&s->wq));
  auto a = spawn(
      [s] {
        wait_event(s->wq, s->go.load());
        return 0;
      },
      "we_act1");
  ASSERT_TRUE(wait_state(a, 'D'));
  EXPECT_TRUE(waitqueue_active(&s->wq));
  EXPECT_TRUE(wq_has_sleeper(&s->wq));
  EXPECT_TRUE(wq_has_single_sleeper(&s->wq));
  auto b = spawn(
      [s] {
        wait_event(s->wq, s->go.load());
        return 0;
      },
      "we_act2");
  ASSERT_TRUE(wait_state(b, 'D'));
  EXPECT_FALSE(wq_has_single_sleeper(&s->wq));
  s->go = true;
  wake_up_all(&s->wq);
  ASSERT_TRUE(join_for(a, kJoinMs));
  ASSERT_TRUE(join_for(b, kJoinMs));
  EXPECT_FALSE(waitqueue_active(&s->wq));
  EXPECT_FALSE(wq_has_sleeper(&s->wq));
}

// ---- manual loop ------------------------------------------------------------------------

TEST_P(WaitEventTest, PrepareToWaitFinishWaitLoop) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        DEFINE_WAIT(wait);
        int loops = 0;
        for (;;) {
          prepare_to_wait(&s->wq, &wait, TASK_INTERRUPTIBLE);
          if (s->cond.load()) break;
          ++loops;
          s->evals = loops;
          schedule();
        }
        finish_wait(&s->wq, &wait);
        if (get_current_state() != TASK_RUNNING) return -1;
        if (!list_empty(&wait.entry)) return -2;
        return loops;
      },
      "we_manual");
  ASSERT_TRUE(wait_state(t, 'S'));
  EXPECT_TRUE(waitqueue_active(&s->wq));
  // A wake-up with the condition still false: the loop goes round and sleeps again.
  wake_up(&s->wq);
  ASSERT_TRUE(wait_until([&] { return s->evals.load() >= 2 && task_state_to_char(t.task) == 'S'; }));
  s->cond = true;
  wake_up(&s->wq);
  int r = -100;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 2);
  EXPECT_FALSE(waitqueue_active(&s->wq));
}

TEST_P(WaitEventTest, PrepareToWaitExclusiveReportsEmptyQueue) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        DEFINE_WAIT(a);
        DEFINE_WAIT(b);
        bool first = prepare_to_wait_exclusive(&s->wq, &a, TASK_UNINTERRUPTIBLE);
        __set_current_state(TASK_RUNNING);
        bool second = prepare_to_wait_exclusive(&s->wq, &b, TASK_UNINTERRUPTIBLE);
        __set_current_state(TASK_RUNNING);
        bool excl = (a.flags & WQ_FLAG_EXCLUSIVE) && (b.flags & WQ_FLAG_EXCLUSIVE);
        finish_wait(&s->wq, &a);
        finish_wait(&s->wq, &b);
        bool empty = !waitqueue_active(&s->wq);
        return (first ? 1 : 0) | (second ? 2 : 0) | (excl ? 4 : 0) | (empty ? 8 : 0);
      },
      "we_pexcl");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 1 | 4 | 8);
}

// ---- the condition is re-evaluated; spurious wake-ups put the waiter back to sleep ---------

TEST_P(WaitEventTest, SpuriousWakeReevaluatesAndSleepsAgain) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        wait_event(s->wq, (s->evals.fetch_add(1), s->cond.load()));
        return 0;
      },
      "we_reeval");
  ASSERT_TRUE(wait_state(t, 'D'));
  int before = s->evals.load();
  EXPECT_GE(before, 2) << "fast-path test plus the test after queueing";
  wake_up(&s->wq);  // condition still false
  ASSERT_TRUE(wait_until([&] { return s->evals.load() > before && task_state_to_char(t.task) == 'D'; }))
      << "the woken waiter must re-test the condition and sleep again";
  ktl::testing::let_run_us(10000);
  EXPECT_EQ(task_state_to_char(t.task), 'D');
  s->cond = true;
  wake_up(&s->wq);
  ASSERT_TRUE(join_for(t, kJoinMs));
}

// ---- _lock_irq ----------------------------------------------------------------------------

struct LockShared {
  wait_queue_head wq;
  spinlock_t lock;
  int cond = 0;           // protected by lock
  int items = 0;          // protected by lock
  std::atomic<bool> held_on_return{false};
  std::atomic<bool> other_took_lock{false};
  std::atomic<int> consumed{0};
};

TEST_P(WaitEventTest, WaitEventLockIrqDropsAndRetakesLock) {
  log_clear();
  auto s = std::make_shared<LockShared>();
  auto waiter = spawn(
      [s] {
        spin_lock_irq(&s->lock);
        wait_event_lock_irq(s->wq, s->cond != 0, s->lock);
        s->held_on_return = spin_is_locked(&s->lock) && in_atomic();
        int v = s->cond;
        spin_unlock_irq(&s->lock);
        return v;
      },
      "we_lockirq", 0);
  ASSERT_TRUE(wait_state(waiter, 'D'));
  EXPECT_FALSE(spin_is_locked(&s->lock)) << "the lock must be dropped while the waiter sleeps";
  auto other = spawn(
      [s] {
        spin_lock_irq(&s->lock);  // would spin forever if the sleeper kept it
        s->other_took_lock = true;
        s->cond = 42;
        spin_unlock_irq(&s->lock);
        wake_up(&s->wq);
        return 0;
      },
      "we_locker", cpus() > 1 ? 1 : 0);
  ASSERT_TRUE(join_for(other, kJoinMs));
  int r = -1;
  ASSERT_TRUE(join_for(waiter, kJoinMs, &r));
  EXPECT_EQ(r, 42);
  EXPECT_TRUE(s->other_took_lock.load());
  EXPECT_TRUE(s->held_on_return.load()) << "the lock must be held again when the macro returns";
  // Called with the spinlock held by design: Linux's wait_event_lock_irq/wait_event_cmd have no
  // might_sleep(), so correct use must not produce a "sleeping function called" report.
  EXPECT_EQ(dmesg().find("BUG:"), std::string::npos) << dmesg();
}

// Producer/consumer through wait_event_lock_irq: nothing lost, nothing consumed twice.
TEST_P(WaitEventTest, LockIrqProducerConsumerStress) {
  log_clear();
  auto s = std::make_shared<LockShared>();
  const int n = stress_iterations(3000);
  auto consumer = spawn(
      [s, n] {
        int got = 0;
        spin_lock_irq(&s->lock);
        while (got < n) {
          wait_event_lock_irq(s->wq, s->items > 0, s->lock);
          got += s->items;
          s->items = 0;
        }
        spin_unlock_irq(&s->lock);
        s->consumed = got;
        return 0;
      },
      "we_cons", 0);
  auto producer = spawn(
      [s, n] {
        for (int i = 0; i < n; ++i) {
          spin_lock_irq(&s->lock);
          s->items++;
          spin_unlock_irq(&s->lock);
          wake_up(&s->wq);
          if (i % 16 == 0) cond_resched();
        }
        return 0;
      },
      "we_prod", cpus() - 1);
  ASSERT_TRUE(join_for(producer, kJoinMs));
  ASSERT_TRUE(join_for(consumer, kJoinMs)) << "a wake-up was lost";
  EXPECT_EQ(s->consumed.load(), n);
  EXPECT_EQ(dmesg().find("BUG:"), std::string::npos) << dmesg();
}

// ---- hrtimeout ------------------------------------------------------------------------------

TEST_P(WaitEventTest, HrtimeoutReturnsETIMEOnTimeout) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        ktime_t t0 = ktime_get();
        s->ret = wait_event_hrtimeout(s->wq, s->cond.load(), ms_to_ktime(5));
        s->elapsed = static_cast<unsigned long>(ktime_get() - t0);
        return 0;
      },
      "we_hr_to");
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), -ETIME);
  EXPECT_GE(s->elapsed.load(), static_cast<unsigned long>(ms_to_ktime(5)))
      << "returned before the hrtimer deadline";
}

TEST_P(WaitEventTest, HrtimeoutReturnsZeroOnSuccess) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        s->ret = wait_event_hrtimeout(s->wq, s->cond.load(), ms_to_ktime(10000));
        return 0;
      },
      "we_hr_ok");
  ASSERT_TRUE(wait_state(t, 'D'));
  s->cond = true;
  wake_up(&s->wq);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), 0);
  // Already-true condition: 0 without sleeping.
  auto u = spawn([s] { return wait_event_hrtimeout(s->wq, true, ms_to_ktime(1)); }, "we_hr_fast");
  int r = -1;
  ASSERT_TRUE(join_for(u, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(WaitEventTest, InterruptibleHrtimeoutSignal) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGUSR1);
        s->ret = wait_event_interruptible_hrtimeout(s->wq, s->cond.load(), ms_to_ktime(10000));
        flush_signals(get_current());
        return 0;
      },
      "we_hr_sig");
  ASSERT_TRUE(wait_state(t, 'S'));
  send_sig(SIGUSR1, t.task, 0);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), -ERESTARTSYS);
}

// ---- never-missed wake-ups (stress) ---------------------------------------------------------

struct PingPong {
  wait_queue_head wq_a, wq_b;
  std::atomic<int> a{0}, b{0};
  std::atomic<int> bad{0};
};

void run_ping_pong(int cpus, bool pinned, int n) {
  auto s = std::make_shared<PingPong>();
  auto ta = spawn(
      [s, n] {
        for (int i = 1; i <= n; ++i) {
          s->a.store(i);
          wake_up(&s->wq_b);
          wait_event(s->wq_a, s->b.load() >= i);
        }
        return 0;
      },
      "we_ping", pinned ? 0 : -1);
  auto tb = spawn(
      [s, n] {
        for (int i = 1; i <= n; ++i) {
          long r = wait_event_interruptible_timeout(s->wq_b, s->a.load() >= i, 60 * HZ);
          if (r <= 0) s->bad++;
          s->b.store(i);
          wake_up(&s->wq_a);
        }
        return 0;
      },
      "we_pong", pinned ? cpus - 1 : -1);
  EXPECT_TRUE(join_for(ta, 20000)) << "lost wake-up: a=" << s->a << " b=" << s->b;
  EXPECT_TRUE(join_for(tb, 20000)) << "lost wake-up: a=" << s->a << " b=" << s->b;
  EXPECT_EQ(s->bad.load(), 0);
  EXPECT_EQ(s->b.load(), n);
}

TEST_P(WaitEventTest, PingPongNeverMissesWakeupPinned) {
  run_ping_pong(cpus(), true, stress_iterations(3000));
}

TEST_P(WaitEventTest, PingPongNeverMissesWakeupUnpinned) {
  run_ping_pong(cpus(), false, stress_iterations(3000));
}

// The host thread as the waker: it sets the condition, then wakes, while the task may be anywhere
// between its condition test and schedule().
TEST_P(WaitEventTest, HostWakerNeverMissed) {
  auto s = std::make_shared<PingPong>();
  const int n = stress_iterations(300);
  auto t = spawn(
      [s, n] {
        for (int i = 1; i <= n; ++i) {
          wait_event(s->wq_a, s->a.load() >= i);
          s->b.store(i);
        }
        return 0;
      },
      "we_hostwake");
  for (int i = 1; i <= n; ++i) {
    s->a.store(i);
    wake_up(&s->wq_a);
    ASSERT_TRUE(wait_until([&] { return s->b.load() >= i; }, 5000)) << "iteration " << i;
  }
  ASSERT_TRUE(join_for(t, kJoinMs));
}

KTL_INSTANTIATE_MACHINES(WaitEventTest);

}  // namespace
