// struct mutex and spinlock_t (include/ktl/locking/mutex.h, spinlock.h): mutual exclusion across
// vCPUs, sleeping (not spinning) contention, trylock, interruptible/killable locking, non-owner
// unlock, host-thread use, atomic context while a spinlock is held, sleeping under a spinlock.
#include <atomic>
#include <csignal>
#include <memory>
#include <string>
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
  mutex m;
  spinlock_t lock;
  int counter = 0;  // plain int: protected by m or lock
  std::atomic<int> in_cs{0};
  std::atomic<int> overlaps{0};
  completion held, release;
  std::atomic<long> ret{-12345};
  std::atomic<bool> got{false};
  std::atomic<int> progress{0};
};

class MutexTest : public KernelTest {};

TEST_P(MutexTest, MutualExclusionAcrossCpus) {
  auto s = std::make_shared<Shared>();
  const int ntasks = std::max(4, 2 * cpus());
  const int iters = stress_iterations(2000);
  std::vector<task_handle> ts;
  for (int i = 0; i < ntasks; ++i) {
    ts.push_back(spawn(
        [s, iters] {
          for (int k = 0; k < iters; ++k) {
            mutex_lock(&s->m);
            if (s->in_cs.fetch_add(1) != 0) s->overlaps++;
            int v = s->counter;
            if (k % 16 == 0) yield();  // give others a chance to contend (and sleep)
            s->counter = v + 1;
            s->in_cs.fetch_sub(1);
            mutex_unlock(&s->m);
            if (k % 64 == 0) cond_resched();
          }
          return 0;
        },
        "mtx_inc", i % 2 ? i % cpus() : -1));
  }
  for (auto& t : ts) ASSERT_TRUE(join_for(t, 60000)) << "counter=" << s->counter;
  EXPECT_EQ(s->overlaps.load(), 0);
  EXPECT_EQ(s->counter, ntasks * iters);
  EXPECT_FALSE(mutex_is_locked(&s->m));
}

// A contended waiter sleeps ('D') and its vCPU keeps running other tasks.
TEST_P(MutexTest, ContendedWaiterSleepsAndVcpuRunsOthers) {
  auto s = std::make_shared<Shared>();
  auto holder = spawn(
      [s] {
        mutex_lock(&s->m);
        complete(&s->held);
        wait_for_completion(&s->release);
        mutex_unlock(&s->m);
        return 0;
      },
      "mtx_holder", 0);
  ASSERT_TRUE(wait_for_completion_timeout(&s->held, 10 * HZ));
  auto waiter = spawn(
      [s] {
        mutex_lock(&s->m);
        s->got = true;
        mutex_unlock(&s->m);
        return 0;
      },
      "mtx_waiter", 0);
  ASSERT_TRUE(wait_state(waiter, 'D')) << "a contended mutex_lock must sleep uninterruptibly, saw "
                                       << task_state_to_char(waiter.task);
  EXPECT_EQ(__mutex_owner(&s->m), holder.task);
  // A third task on the same vCPU makes progress while the waiter waits.
  auto third = spawn(
      [s] {
        for (int i = 0; i < 1000; ++i) {
          s->progress++;
          yield();
        }
        return 0;
      },
      "mtx_third", 0);
  ASSERT_TRUE(join_for(third, kJoinMs)) << "vCPU 0 did not run other tasks: the waiter spins?";
  EXPECT_EQ(s->progress.load(), 1000);
  EXPECT_EQ(task_state_to_char(waiter.task), 'D');
  EXPECT_FALSE(s->got.load());
  EXPECT_TRUE(mutex_is_locked(&s->m));
  complete(&s->release);
  ASSERT_TRUE(join_for(holder, kJoinMs));
  ASSERT_TRUE(join_for(waiter, kJoinMs));
  EXPECT_TRUE(s->got.load());
  EXPECT_FALSE(mutex_is_locked(&s->m));
}

TEST_P(MutexTest, Trylock) {
  auto s = std::make_shared<Shared>();
  auto a = spawn(
      [s] {
        if (mutex_trylock(&s->m) != 1) return 1;
        if (!mutex_is_locked(&s->m)) return 2;
        if (__mutex_owner(&s->m) != get_current()) return 3;
        if (mutex_trylock(&s->m) != 0) return 4;  // no recursion
        complete(&s->held);
        wait_for_completion(&s->release);
        mutex_unlock(&s->m);
        return 0;
      },
      "mtx_try_a");
  ASSERT_TRUE(wait_for_completion_timeout(&s->held, 10 * HZ));
  EXPECT_EQ(mutex_trylock(&s->m), 0) << "host thread: trylock of a held mutex";
  auto b = spawn([s] { return mutex_trylock(&s->m); }, "mtx_try_b");
  int r = -1;
  ASSERT_TRUE(join_for(b, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  complete(&s->release);
  ASSERT_TRUE(join_for(a, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_FALSE(mutex_is_locked(&s->m));
  EXPECT_EQ(mutex_trylock(&s->m), 1);
  EXPECT_EQ(__mutex_owner(&s->m), get_current());
  mutex_unlock(&s->m);
  EXPECT_FALSE(mutex_is_locked(&s->m));
}

// mutex_lock_interruptible: -EINTR on an allowed signal; the wait list stays consistent for the
// waiter queued behind it.
TEST_P(MutexTest, LockInterruptibleReturnsEINTROnSignal) {
  auto s = std::make_shared<Shared>();
  auto holder = spawn(
      [s] {
        mutex_lock(&s->m);
        complete(&s->held);
        wait_for_completion(&s->release);
        mutex_unlock(&s->m);
        return 0;
      },
      "mtx_holder");
  ASSERT_TRUE(wait_for_completion_timeout(&s->held, 10 * HZ));
  auto intr = spawn(
      [s] {
        allow_signal(SIGUSR1);
        int r = mutex_lock_interruptible(&s->m);
        if (r == 0) mutex_unlock(&s->m);
        flush_signals(get_current());
        return r;
      },
      "mtx_intr");
  ASSERT_TRUE(wait_state(intr, 'S'));
  auto behind = spawn(
      [s] {
        mutex_lock(&s->m);
        s->got = true;
        mutex_unlock(&s->m);
        return 0;
      },
      "mtx_behind");
  ASSERT_TRUE(wait_state(behind, 'D'));
  EXPECT_EQ(send_sig(SIGUSR1, intr.task, 0), 0);
  int r = -1;
  ASSERT_TRUE(join_for(intr, kJoinMs, &r));
  EXPECT_EQ(r, -EINTR);
  EXPECT_EQ(__mutex_owner(&s->m), holder.task) << "the interrupted locker must not own it";
  EXPECT_FALSE(s->got.load());
  complete(&s->release);
  ASSERT_TRUE(join_for(holder, kJoinMs));
  ASSERT_TRUE(join_for(behind, kJoinMs)) << "the waiter behind the interrupted one was lost";
  EXPECT_TRUE(s->got.load());
  EXPECT_FALSE(mutex_is_locked(&s->m));
}

TEST_P(MutexTest, LockInterruptibleNotifySignalAndFastPath) {
  auto s = std::make_shared<Shared>();
  auto holder = spawn(
      [s] {
        mutex_lock(&s->m);
        complete(&s->held);
        wait_for_completion(&s->release);
        mutex_unlock(&s->m);
        return 0;
      },
      "mtx_holder");
  ASSERT_TRUE(wait_for_completion_timeout(&s->held, 10 * HZ));
  auto intr = spawn(
      [s] {
        int r = mutex_lock_interruptible(&s->m);
        if (r == 0) mutex_unlock(&s->m);
        clear_notify_signal();
        return r;
      },
      "mtx_notify");
  ASSERT_TRUE(wait_state(intr, 'S'));
  set_notify_signal(intr.task);
  int r = -1;
  ASSERT_TRUE(join_for(intr, kJoinMs, &r));
  EXPECT_EQ(r, -EINTR);
  complete(&s->release);
  ASSERT_TRUE(join_for(holder, kJoinMs));
  // Uncontended: a pending signal does not matter, the lock is taken.
  auto fast = spawn(
      [s] {
        allow_signal(SIGUSR1);
        send_sig(SIGUSR1, get_current(), 0);
        int r = mutex_lock_interruptible(&s->m);
        if (r == 0) mutex_unlock(&s->m);
        flush_signals(get_current());
        return r;
      },
      "mtx_fast");
  ASSERT_TRUE(join_for(fast, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(MutexTest, LockKillableOnlyFatalSignal) {
  auto s = std::make_shared<Shared>();
  auto holder = spawn(
      [s] {
        mutex_lock(&s->m);
        complete(&s->held);
        wait_for_completion(&s->release);
        mutex_unlock(&s->m);
        return 0;
      },
      "mtx_holder");
  ASSERT_TRUE(wait_for_completion_timeout(&s->held, 10 * HZ));
  auto k = spawn(
      [s] {
        allow_signal(SIGUSR1);
        allow_signal(SIGKILL);
        int r = mutex_lock_killable(&s->m);
        if (r == 0) mutex_unlock(&s->m);
        flush_signals(get_current());
        return r;
      },
      "mtx_kill");
  ASSERT_TRUE(wait_state(k, 'D'));
  send_sig(SIGUSR1, k.task, 0);
  ktl::testing::let_run_us(20000);  // negative window only
  EXPECT_EQ(task_state_to_char(k.task), 'D') << "SIGUSR1 must not interrupt mutex_lock_killable";
  send_sig(SIGKILL, k.task, 0);
  int r = -1;
  ASSERT_TRUE(join_for(k, kJoinMs, &r));
  EXPECT_EQ(r, -EINTR);
  complete(&s->release);
  ASSERT_TRUE(join_for(holder, kJoinMs));
  EXPECT_FALSE(mutex_is_locked(&s->m));
}

TEST_P(MutexTest, UnlockByNonOwnerWarnsAndKeepsLock) {
  log_clear();
  auto s = std::make_shared<Shared>();
  auto holder = spawn(
      [s] {
        mutex_lock(&s->m);
        complete(&s->held);
        wait_for_completion(&s->release);
        mutex_unlock(&s->m);
        return 0;
      },
      "mtx_owner");
  ASSERT_TRUE(wait_for_completion_timeout(&s->held, 10 * HZ));
  auto thief = spawn(
      [s] {
        mutex_unlock(&s->m);
        return 0;
      },
      "mtx_thief");
  ASSERT_TRUE(join_for(thief, kJoinMs));
  EXPECT_NE(dmesg().find("WARNING:"), std::string::npos)
      << "mutex_unlock by a non-owner must WARN; dmesg:\n" << dmesg();
  EXPECT_TRUE(mutex_is_locked(&s->m)) << "a non-owner unlock must not release the mutex";
  EXPECT_EQ(__mutex_owner(&s->m), holder.task);
  complete(&s->release);
  ASSERT_TRUE(join_for(holder, kJoinMs));
  EXPECT_FALSE(mutex_is_locked(&s->m));
}

// The test body (a host thread) locks, contends and is contended.
TEST_P(MutexTest, HostThreadUse) {
  auto s = std::make_shared<Shared>();
  task_struct* host = get_current();
  get_task_struct(host);
  // Host holds, task waits.
  mutex_lock(&s->m);
  EXPECT_EQ(__mutex_owner(&s->m), host);
  auto t = spawn(
      [s] {
        mutex_lock(&s->m);
        s->counter++;
        mutex_unlock(&s->m);
        return 0;
      },
      "mtx_hosted");
  ASSERT_TRUE(wait_state(t, 'D'));
  s->counter += 10;
  mutex_unlock(&s->m);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->counter, 11);
  // Task holds, host waits (it really sleeps, seen as 'D').
  auto u = spawn(
      [s, host] {
        mutex_lock(&s->m);
        complete(&s->held);
        for (int i = 0; i < 5000 && task_state_to_char(host) != 'D'; ++i)
          schedule_timeout_uninterruptible(1);
        s->got = task_state_to_char(host) == 'D';
        s->counter = 100;
        mutex_unlock(&s->m);
        return 0;
      },
      "mtx_hostw");
  ASSERT_TRUE(wait_for_completion_timeout(&s->held, 10 * HZ));
  mutex_lock(&s->m);
  EXPECT_EQ(s->counter, 100);
  EXPECT_EQ(__mutex_owner(&s->m), host);
  mutex_unlock(&s->m);
  ASSERT_TRUE(join_for(u, kJoinMs));
  EXPECT_TRUE(s->got.load()) << "the host thread should sleep ('D') while the mutex is taken";
  put_task_struct(host);
}

// ---- spinlock ------------------------------------------------------------------------------

TEST_P(MutexTest, SpinlockMutualExclusionAcrossCpus) {
  auto s = std::make_shared<Shared>();
  const int ntasks = std::max(4, 2 * cpus());
  const int iters = stress_iterations(5000);
  std::vector<task_handle> ts;
  for (int i = 0; i < ntasks; ++i) {
    ts.push_back(spawn(
        [s, iters, i] {
          for (int k = 0; k < iters; ++k) {
            unsigned long flags = 0;
            switch ((i + k) % 3) {
              case 0:
                spin_lock(&s->lock);
                break;
              case 1:
                spin_lock_irqsave(&s->lock, flags);
                break;
              default:
                while (!spin_trylock(&s->lock)) cpu_relax();
                break;
            }
            if (s->in_cs.fetch_add(1) != 0) s->overlaps++;
            int v = s->counter;
            for (int d = 0; d < 20; ++d) cpu_relax();
            s->counter = v + 1;
            s->in_cs.fetch_sub(1);
            if ((i + k) % 3 == 1)
              spin_unlock_irqrestore(&s->lock, flags);
            else
              spin_unlock(&s->lock);
            if (k % 64 == 0) cond_resched();
          }
          return 0;
        },
        "spin_inc", i % cpus()));
  }
  for (auto& t : ts) ASSERT_TRUE(join_for(t, 60000));
  EXPECT_EQ(s->overlaps.load(), 0);
  EXPECT_EQ(s->counter, ntasks * iters);
  EXPECT_FALSE(spin_is_locked(&s->lock));
}

TEST_P(MutexTest, SpinlockHeldMeansAtomicContext) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        int bad = 0;
        if (in_atomic() || preempt_count() != 0) bad |= 1;
        spin_lock(&s->lock);
        if (!in_atomic() || preempt_count() < 1 || !spin_is_locked(&s->lock)) bad |= 2;
        spin_lock(&s->m.wait_lock);  // nesting adds up
        if (preempt_count() < 2) bad |= 4;
        spin_unlock(&s->m.wait_lock);
        spin_unlock(&s->lock);
        if (in_atomic() || spin_is_locked(&s->lock)) bad |= 8;
        spin_lock_irq(&s->lock);
        if (!irqs_disabled() || !in_atomic()) bad |= 16;
        spin_unlock_irq(&s->lock);
        if (irqs_disabled() || in_atomic()) bad |= 32;
        spin_lock_bh(&s->lock);
        if (!in_softirq() || !in_atomic()) bad |= 64;
        spin_unlock_bh(&s->lock);
        if (in_softirq() || in_atomic()) bad |= 128;
        return bad;
      },
      "spin_atomic");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(MutexTest, MsleepUnderSpinlockReportsBugAndKernelKeepsWorking) {
  log_clear();
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        spin_lock(&s->lock);
        msleep(1);
        spin_unlock(&s->lock);
        return in_atomic() ? 1 : 0;
      },
      "spinsleeper");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  std::string log = dmesg();
  EXPECT_NE(log.find("BUG: sleeping function called from invalid context"), std::string::npos)
      << log;
  EXPECT_NE(log.find("spinsleeper"), std::string::npos) << "the report must name the task\n" << log;
  // The runtime keeps working: mutexes, sleeps and wake-ups on every vCPU.
  std::vector<task_handle> ts;
  for (int c = 0; c < cpus(); ++c) {
    ts.push_back(spawn(
        [s] {
          msleep(2);
          for (int i = 0; i < 100; ++i) {
            mutex_lock(&s->m);
            s->counter++;
            mutex_unlock(&s->m);
            if (i % 8 == 0) yield();
          }
          return in_atomic() ? 1 : 0;
        },
        "spin_after", c));
  }
  for (auto& h : ts) {
    ASSERT_TRUE(join_for(h, kJoinMs, &r));
    EXPECT_EQ(r, 0);
  }
  EXPECT_EQ(s->counter, 100 * cpus());
}

KTL_INSTANTIATE_MACHINES(MutexTest);

}  // namespace
