// Completions (spec §7, §17 item 11): counting, FIFO wake order, complete_all/reinit, every
// return-value rule of the wait forms, interruption without consumption, host-thread use.
#include <atomic>
#include <csignal>
#include <memory>
#include <thread>
#include <vector>

#include "support/kernel_test.h"

namespace {

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
  completion c;
  completion go;
  std::atomic<long> ret{-12345};
  std::atomic<long> ret2{-12345};
  std::atomic<bool> flag{false};
  std::atomic<int> step{0};
  std::atomic<unsigned long> elapsed{0};
};

class CompletionTest : public KernelTest {};

TEST_P(CompletionTest, NCompletesBeforeNWaitsSatisfyThem) {
  auto s = std::make_shared<Shared>();
  int n = 5;
  for (int i = 0; i < n; ++i) complete(&s->c);
  EXPECT_TRUE(completion_done(&s->c));
  auto t = spawn(
      [s, n] {
        u64 sw = get_current()->nvcsw;
        for (int i = 0; i < n; ++i) wait_for_completion(&s->c);
        if (get_current()->nvcsw != sw) return 1;  // none of them may block
        if (completion_done(&s->c)) return 2;
        if (try_wait_for_completion(&s->c)) return 3;
        return 0;
      },
      "cmp_n");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_EQ(s->c.done, 0u);
}

TEST_P(CompletionTest, CompleteWakesWaitersFifo) {
  auto s = std::make_shared<Shared>();
  std::atomic<int>* order = new std::atomic<int>[3]{-1, -1, -1};
  std::shared_ptr<std::atomic<int>[]> ord(order);
  auto seq = std::make_shared<std::atomic<int>>(0);
  auto finished = std::make_shared<std::atomic<int>>(0);
  std::vector<task_handle> ts;
  for (int i = 0; i < 3; ++i) {
    ts.push_back(spawn(
        [s, ord, seq, finished, i] {
          wait_for_completion(&s->c);
          ord[i] = seq->fetch_add(1);
          finished->fetch_add(1);  // after ord[i] is stored: the test reads ord once it sees this
          return 0;
        },
        "cmp_fifo"));
    // Queue them one after another so the queue order is known.
    ASSERT_TRUE(wait_state(ts.back(), 'D')) << "waiter " << i;
  }
  for (int k = 0; k < 3; ++k) {
    complete(&s->c);
    ASSERT_TRUE(wait_until([&] { return finished->load() >= k + 1; })) << "complete #" << k;
    EXPECT_EQ(ord[k].load(), k) << "complete() #" << k << " must release waiter " << k
                                << " (FIFO)";
    for (int j = k + 1; j < 3; ++j)
      EXPECT_EQ(task_state_to_char(ts[j].task), 'D') << "waiter " << j << " released early";
  }
  for (auto& t : ts) ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->c.done, 0u);
}

TEST_P(CompletionTest, CompleteAllReleasesCurrentAndFutureWaitersUntilReinit) {
  auto s = std::make_shared<Shared>();
  std::vector<task_handle> ts;
  for (int i = 0; i < 4; ++i) {
    ts.push_back(spawn(
        [s] {
          wait_for_completion(&s->c);
          return 0;
        },
        "cmp_all"));
  }
  for (auto& t : ts) ASSERT_TRUE(wait_state(t, 'D'));
  complete_all(&s->c);
  for (auto& t : ts) ASSERT_TRUE(join_for(t, kJoinMs));
  // Future waiters pass too, any number of times.
  auto late = spawn(
      [s] {
        u64 sw = get_current()->nvcsw;
        for (int i = 0; i < 10; ++i) wait_for_completion(&s->c);
        if (wait_for_completion_timeout(&s->c, 5) != 5) return 1;
        if (wait_for_completion_interruptible(&s->c) != 0) return 2;
        if (wait_for_completion_killable(&s->c) != 0) return 3;
        if (!try_wait_for_completion(&s->c) || !try_wait_for_completion(&s->c)) return 4;
        if (!completion_done(&s->c)) return 5;
        if (get_current()->nvcsw != sw) return 6;
        return 0;
      },
      "cmp_late");
  int r = -1;
  ASSERT_TRUE(join_for(late, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_TRUE(try_wait_for_completion(&s->c));
  EXPECT_TRUE(completion_done(&s->c));
  // complete() after complete_all() leaves it "done for everyone".
  complete(&s->c);
  EXPECT_TRUE(try_wait_for_completion(&s->c));
  EXPECT_TRUE(try_wait_for_completion(&s->c));

  reinit_completion(&s->c);
  EXPECT_FALSE(completion_done(&s->c));
  EXPECT_FALSE(try_wait_for_completion(&s->c));
  auto after = spawn([s] { return static_cast<int>(wait_for_completion_timeout(&s->c, 2)); },
                     "cmp_reinit");
  ASSERT_TRUE(join_for(after, kJoinMs, &r));
  EXPECT_EQ(r, 0) << "after reinit_completion a wait must block again (and time out)";
}

TEST_P(CompletionTest, TimeoutReturnsZeroOnTimeout) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        unsigned long j0 = jiffies;
        s->ret = static_cast<long>(wait_for_completion_timeout(&s->c, 4));
        s->elapsed = jiffies - j0;
        return 0;
      },
      "cmp_to");
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), 0);
  EXPECT_GE(s->elapsed.load(), 4u);
  EXPECT_FALSE(completion_done(&s->c));
}

TEST_P(CompletionTest, TimeoutReturnsRemainingWhenCompleted) {
  auto s = std::make_shared<Shared>();
  const unsigned long timeout = 10 * HZ;
  auto t = spawn(
      [s, timeout] {
        s->ret = static_cast<long>(wait_for_completion_timeout(&s->c, timeout));
        return 0;
      },
      "cmp_rem");
  ASSERT_TRUE(wait_state(t, 'D'));
  complete(&s->c);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_GE(s->ret.load(), 1);
  EXPECT_LE(s->ret.load(), static_cast<long>(timeout));
  EXPECT_GT(s->ret.load(), static_cast<long>(timeout / 2));
  EXPECT_EQ(s->c.done, 0u) << "the completion must have been consumed";
}

TEST_P(CompletionTest, TimeoutWithCompletionAlreadyDone) {
  auto s = std::make_shared<Shared>();
  complete(&s->c);
  complete(&s->c);
  auto t = spawn(
      [s] {
        long a = static_cast<long>(wait_for_completion_timeout(&s->c, 7));
        long b = static_cast<long>(wait_for_completion_timeout(&s->c, 0));  // `timeout ?: 1`
        long c = static_cast<long>(wait_for_completion_timeout(&s->c, 0));  // nothing left
        return static_cast<int>(a * 100 + b * 10 + c);
      },
      "cmp_done");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 7 * 100 + 1 * 10 + 0);
}

TEST_P(CompletionTest, InterruptibleReturnsERESTARTSYSAndDoesNotConsume) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGUSR1);
        s->ret = wait_for_completion_interruptible(&s->c);
        flush_signals(get_current());
        s->step = 1;
        wait_for_completion(&s->go);
        // The complete() sent after the interruption must still be there.
        s->flag = try_wait_for_completion(&s->c);
        return 0;
      },
      "cmp_int");
  ASSERT_TRUE(wait_state(t, 'S'));
  EXPECT_EQ(send_sig(SIGUSR1, t.task, 0), 0);
  ASSERT_TRUE(wait_until([&] { return s->step.load() == 1; }));
  EXPECT_EQ(s->ret.load(), -ERESTARTSYS);
  complete(&s->c);
  EXPECT_TRUE(completion_done(&s->c)) << "no departed waiter may swallow the complete()";
  complete(&s->go);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_TRUE(s->flag.load());
  EXPECT_FALSE(completion_done(&s->c));
}

TEST_P(CompletionTest, InterruptibleNotifySignal) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        s->ret = wait_for_completion_interruptible(&s->c);
        clear_notify_signal();
        return 0;
      },
      "cmp_notify");
  ASSERT_TRUE(wait_state(t, 'S'));
  set_notify_signal(t.task);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), -ERESTARTSYS);
  EXPECT_FALSE(completion_done(&s->c));
}

// A completion that is already available wins over a pending signal: no sleep, no signal check.
TEST_P(CompletionTest, InterruptibleWithDoneAndPendingSignalConsumes) {
  auto s = std::make_shared<Shared>();
  complete(&s->c);
  auto t = spawn(
      [s] {
        allow_signal(SIGUSR1);
        send_sig(SIGUSR1, get_current(), 0);
        if (!signal_pending(get_current())) return 1;
        int r = wait_for_completion_interruptible(&s->c);
        if (r != 0) return 2;
        if (completion_done(&s->c)) return 3;
        // Nothing left now: the pending signal ends the wait at once.
        if (wait_for_completion_interruptible(&s->c) != -ERESTARTSYS) return 4;
        if (wait_for_completion_interruptible_timeout(&s->c, 10 * HZ) != -ERESTARTSYS) return 5;
        flush_signals(get_current());
        return 0;
      },
      "cmp_sigdone");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(CompletionTest, InterruptibleTimeoutReturnValues) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGUSR1);
        if (wait_for_completion_interruptible_timeout(&s->c, 2) != 0) return 1;
        s->step = 1;
        s->ret = wait_for_completion_interruptible_timeout(&s->c, 10 * HZ);  // completed
        s->step = 2;
        s->ret2 = wait_for_completion_interruptible_timeout(&s->c, 10 * HZ);  // signalled
        flush_signals(get_current());
        return 0;
      },
      "cmp_it");
  ASSERT_TRUE(wait_until([&] { return s->step.load() == 1; }));
  ASSERT_TRUE(wait_state(t, 'S'));
  complete(&s->c);
  ASSERT_TRUE(wait_until([&] { return s->step.load() == 2; }));
  ASSERT_TRUE(wait_state(t, 'S'));
  send_sig(SIGUSR1, t.task, 0);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0) << "timeout must return 0";
  EXPECT_GE(s->ret.load(), 1);
  EXPECT_LE(s->ret.load(), static_cast<long>(10 * HZ));
  EXPECT_EQ(s->ret2.load(), -ERESTARTSYS);
}

TEST_P(CompletionTest, KillableOnlySigkillInterruptsAndDoesNotConsume) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGUSR1);
        allow_signal(SIGKILL);
        s->ret = wait_for_completion_killable(&s->c);
        flush_signals(get_current());
        s->step = 1;
        wait_for_completion(&s->go);
        s->flag = try_wait_for_completion(&s->c);
        return 0;
      },
      "cmp_kill");
  ASSERT_TRUE(wait_state(t, 'D'));
  send_sig(SIGUSR1, t.task, 0);
  ktl::testing::let_run_us(20000);  // negative window only
  EXPECT_EQ(task_state_to_char(t.task), 'D') << "SIGUSR1 must not end a killable wait";
  EXPECT_EQ(s->step.load(), 0);
  send_sig(SIGKILL, t.task, 0);
  ASSERT_TRUE(wait_until([&] { return s->step.load() == 1; }));
  EXPECT_EQ(s->ret.load(), -ERESTARTSYS);
  complete(&s->c);
  complete(&s->go);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_TRUE(s->flag.load()) << "an interrupted killable wait must not consume the completion";
}

TEST_P(CompletionTest, KillableTimeoutReturnValues) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGKILL);
        if (wait_for_completion_killable_timeout(&s->c, 2) != 0) return 1;
        s->step = 1;
        s->ret = wait_for_completion_killable_timeout(&s->c, 10 * HZ);
        flush_signals(get_current());
        return 0;
      },
      "cmp_kt");
  ASSERT_TRUE(wait_until([&] { return s->step.load() == 1; }));
  ASSERT_TRUE(wait_state(t, 'D'));
  send_sig(SIGKILL, t.task, 0);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_EQ(s->ret.load(), -ERESTARTSYS);
}

TEST_P(CompletionTest, TryWaitAndCompletionDone) {
  auto s = std::make_shared<Shared>();
  EXPECT_FALSE(completion_done(&s->c));
  EXPECT_FALSE(try_wait_for_completion(&s->c));
  complete(&s->c);
  complete(&s->c);
  EXPECT_TRUE(completion_done(&s->c));
  EXPECT_TRUE(completion_done(&s->c)) << "completion_done must not consume";
  EXPECT_TRUE(try_wait_for_completion(&s->c));
  EXPECT_TRUE(completion_done(&s->c));
  EXPECT_TRUE(try_wait_for_completion(&s->c));
  EXPECT_FALSE(completion_done(&s->c));
  EXPECT_FALSE(try_wait_for_completion(&s->c));
  // From a task as well.
  complete(&s->c);
  auto t = spawn(
      [s] {
        int r = 0;
        if (!completion_done(&s->c)) r |= 1;
        if (!try_wait_for_completion(&s->c)) r |= 2;
        if (try_wait_for_completion(&s->c)) r |= 4;
        return r;
      },
      "cmp_try");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

// The test body (a host thread) waits; a task completes once the host is asleep.
TEST_P(CompletionTest, HostThreadWaitsTaskCompletes) {
  auto s = std::make_shared<Shared>();
  task_struct* host = get_current();
  get_task_struct(host);
  auto t = spawn(
      [s, host] {
        // Poll (bounded) until the host thread is really asleep in the wait.
        for (int i = 0; i < 5000 && task_state_to_char(host) != 'D'; ++i)
          schedule_timeout_uninterruptible(1);
        s->flag = task_state_to_char(host) == 'D';
        complete(&s->c);
        return 0;
      },
      "cmp_hostw");
  unsigned long left = wait_for_completion_timeout(&s->c, 20 * HZ);
  EXPECT_GT(left, 0u);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_TRUE(s->flag.load()) << "the host thread's wait should show as 'D'";
  EXPECT_EQ(task_state(host), TASK_RUNNING);
  put_task_struct(host);
  // And a host-thread timeout.
  unsigned long j0 = jiffies;
  EXPECT_EQ(wait_for_completion_timeout(&s->c, 3), 0u);
  EXPECT_GE(jiffies - j0, 3u);
}

TEST_P(CompletionTest, TaskWaitsHostCompletes) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        wait_for_completion(&s->c);
        s->flag = true;
        complete(&s->go);
        return 0;
      },
      "cmp_taskw");
  ASSERT_TRUE(wait_state(t, 'D'));
  EXPECT_FALSE(s->flag.load());
  complete(&s->c);
  wait_for_completion(&s->go);  // host waits for the task's answer
  EXPECT_TRUE(s->flag.load());
  ASSERT_TRUE(join_for(t, kJoinMs));
}

// Many producers and consumers across vCPUs: every complete() releases exactly one wait.
TEST_P(CompletionTest, StressCountsAcrossCpus) {
  auto s = std::make_shared<Shared>();
  auto consumed = std::make_shared<std::atomic<int>>(0);
  const int per = stress_iterations(1500);
  const int n = 4;
  std::vector<task_handle> ts;
  for (int i = 0; i < n; ++i) {
    ts.push_back(spawn(
        [s, consumed, per] {
          for (int k = 0; k < per; ++k) {
            wait_for_completion(&s->c);
            ++*consumed;
          }
          return 0;
        },
        "cmp_cons", i % cpus()));
    ts.push_back(spawn(
        [s, per] {
          for (int k = 0; k < per; ++k) {
            complete(&s->c);
            if (k % 32 == 0) cond_resched();
          }
          return 0;
        },
        "cmp_prod", (i + 1) % cpus()));
  }
  for (auto& t : ts) ASSERT_TRUE(join_for(t, 30000)) << "consumed " << consumed->load();
  EXPECT_EQ(consumed->load(), n * per);
  EXPECT_EQ(s->c.done, 0u);
  EXPECT_FALSE(try_wait_for_completion(&s->c));
}

// Two tasks hand a token back and forth through two completions (each wait must see exactly the
// matching complete()).
TEST_P(CompletionTest, PingPongStress) {
  struct PP {
    completion a, b;
    std::atomic<int> n{0};
  };
  auto s = std::make_shared<PP>();
  const int iters = stress_iterations(3000);
  auto ta = spawn(
      [s, iters] {
        for (int i = 0; i < iters; ++i) {
          complete(&s->b);
          wait_for_completion(&s->a);
          ++s->n;
        }
        return 0;
      },
      "cmp_ping", 0);
  auto tb = spawn(
      [s, iters] {
        for (int i = 0; i < iters; ++i) {
          if (!wait_for_completion_timeout(&s->b, 60 * HZ)) return 1;
          complete(&s->a);
        }
        return 0;
      },
      "cmp_pong", cpus() - 1);
  int r = -1;
  ASSERT_TRUE(join_for(ta, 30000)) << "n=" << s->n;
  ASSERT_TRUE(join_for(tb, 30000, &r));
  EXPECT_EQ(r, 0);
  EXPECT_EQ(s->n.load(), iters);
  EXPECT_FALSE(completion_done(&s->a));
  EXPECT_FALSE(completion_done(&s->b));
}

KTL_INSTANTIATE_MACHINES(CompletionTest);

}  // namespace
