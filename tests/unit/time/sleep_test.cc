// schedule_timeout() and the sleeping helpers (include/ktl/time/delay.h), jiffies, conversions.
#include <atomic>
#include <climits>
#include <csignal>
#include <memory>
#include <string>
#include <thread>

#include "support/kernel_test.h"

namespace {

using namespace ktl;
using ktl::testing::join_for;
using ktl::testing::KernelTest;
using ktl::testing::scoped_kernel;
using ktl::testing::spawn;
using ktl::testing::task_handle;
using ktl::testing::wait_until;

using ktl::testing::kJoinMs;
using ktl::testing::wait_state;

struct Shared {
  std::atomic<long> ret{-12345};
  std::atomic<unsigned long> elapsed{0};
  std::atomic<s64> elapsed_ns{0};
  std::atomic<bool> done{false};
  std::atomic<unsigned> state_after{0xffff};
};

class SleepTest : public KernelTest {};

TEST_P(SleepTest, ScheduleTimeoutReturnsZeroAfterTimeout) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        unsigned long j0 = jiffies;
        set_current_state(TASK_UNINTERRUPTIBLE);
        s->ret = schedule_timeout(5);
        s->elapsed = jiffies - j0;
        s->state_after = get_current_state();
        return 0;
      },
      "st_zero");
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), 0);
  EXPECT_GE(s->elapsed.load(), 5u);
  EXPECT_EQ(s->state_after.load(), TASK_RUNNING);
}

TEST_P(SleepTest, ScheduleTimeoutInterruptibleEndsEarlyOnWakeUpProcess) {
  auto s = std::make_shared<Shared>();
  const long timeout = 10 * HZ;
  auto t = spawn(
      [s, timeout] {
        set_current_state(TASK_INTERRUPTIBLE);
        s->ret = schedule_timeout(timeout);
        return 0;
      },
      "st_int");
  ASSERT_TRUE(wait_state(t, 'S'));
  EXPECT_EQ(wake_up_process(t.task), 1);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_GT(s->ret.load(), 0);
  EXPECT_LE(s->ret.load(), timeout);
  EXPECT_GT(s->ret.load(), timeout / 2);
}

// Linux: wake_up_process() = TASK_NORMAL, so it also ends an uninterruptible schedule_timeout().
TEST_P(SleepTest, ScheduleTimeoutUninterruptibleEndsEarlyOnWakeUpProcess) {
  auto s = std::make_shared<Shared>();
  const long timeout = 10 * HZ;
  auto t = spawn(
      [s, timeout] {
        s->ret = schedule_timeout_uninterruptible(timeout);
        return 0;
      },
      "st_unint");
  ASSERT_TRUE(wait_state(t, 'D'));
  EXPECT_EQ(wake_up_process(t.task), 1);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_GT(s->ret.load(), 0);
  EXPECT_GT(s->ret.load(), timeout / 2);
}

TEST_P(SleepTest, ScheduleTimeoutIdleAndKillableStates) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        long a = schedule_timeout_idle(10 * HZ);
        s->done = true;
        long b = schedule_timeout_killable(10 * HZ);
        s->ret = (a > 0 && b > 0) ? 0 : 1;
        return 0;
      },
      "st_states");
  ASSERT_TRUE(wait_state(t, 'I'));
  wake_up_process(t.task);
  ASSERT_TRUE(wait_until([&] { return s->done.load(); }));
  ASSERT_TRUE(wait_state(t, 'D'));
  EXPECT_EQ(task_state(t.task), TASK_KILLABLE);
  wake_up_process(t.task);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), 0);
}

TEST_P(SleepTest, NegativeTimeoutReturnsZeroAndLogs) {
  log_clear();
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        u64 sw = get_current()->nvcsw;
        set_current_state(TASK_INTERRUPTIBLE);
        s->ret = schedule_timeout(-1);
        s->state_after = get_current_state();
        s->done = get_current()->nvcsw == sw;
        return 0;
      },
      "st_neg");
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), 0);
  EXPECT_EQ(s->state_after.load(), TASK_RUNNING);
  EXPECT_TRUE(s->done.load()) << "a negative timeout must not sleep";
  EXPECT_NE(dmesg().find("schedule_timeout: wrong timeout value"), std::string::npos) << dmesg();
}

TEST_P(SleepTest, MaxScheduleTimeoutSleepsUntilWoken) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        set_current_state(TASK_INTERRUPTIBLE);
        s->ret = schedule_timeout(MAX_SCHEDULE_TIMEOUT);
        return 0;
      },
      "st_max");
  ASSERT_TRUE(wait_state(t, 'S'));
  wake_up_process(t.task);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), MAX_SCHEDULE_TIMEOUT);
}

TEST_P(SleepTest, MsleepAbsorbsWakeUps) {
  auto s = std::make_shared<Shared>();
  unsigned ms = 60;
  auto t = spawn(
      [s, ms] {
        unsigned long j0 = jiffies;
        ktime_t t0 = ktime_get();
        msleep(ms);
        s->elapsed = jiffies - j0;
        s->elapsed_ns = ktime_get() - t0;
        s->done = true;
        return 0;
      },
      "st_msleep");
  ASSERT_TRUE(wait_state(t, 'D'));
  int wakes = 0;
  while (!s->done.load() && wakes < 100000) {
    wake_up_process(t.task);
    ++wakes;
    ktl::testing::let_run_us(200);
  }
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_GE(s->elapsed.load(), msecs_to_jiffies(ms)) << "msleep returned early after " << wakes
                                                     << " wake_up_process() calls";
  EXPECT_GE(s->elapsed_ns.load(), static_cast<s64>(ms) * NSEC_PER_MSEC - static_cast<s64>(tick_nsec()));
}

TEST_P(SleepTest, MsleepInterruptibleReturnsEarlyOnAllowedSignal) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        allow_signal(SIGUSR1);
        s->ret = static_cast<long>(msleep_interruptible(10000));
        flush_signals(get_current());
        return 0;
      },
      "st_msi_sig");
  ASSERT_TRUE(wait_state(t, 'S'));
  send_sig(SIGUSR1, t.task, 0);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_GT(s->ret.load(), 5000) << "msleep_interruptible must return the ms left";
  EXPECT_LE(s->ret.load(), 10000 + static_cast<long>(jiffies_to_msecs(1)));
}

TEST_P(SleepTest, MsleepInterruptibleReturnsEarlyOnNotifySignal) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        s->ret = static_cast<long>(msleep_interruptible(10000));
        clear_notify_signal();
        return 0;
      },
      "st_msi_ntf");
  ASSERT_TRUE(wait_state(t, 'S'));
  set_notify_signal(t.task);
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_GT(s->ret.load(), 5000);
}

TEST_P(SleepTest, MsleepInterruptibleIgnoresWakeUpsAndUnallowedSignals) {
  auto s = std::make_shared<Shared>();
  unsigned ms = 60;
  auto t = spawn(
      [s, ms] {
        unsigned long j0 = jiffies;
        s->ret = static_cast<long>(msleep_interruptible(ms));
        s->elapsed = jiffies - j0;
        s->done = true;
        return 0;
      },
      "st_msi_wake");
  ASSERT_TRUE(wait_state(t, 'S'));
  int wakes = 0;
  while (!s->done.load() && wakes < 100000) {
    wake_up_process(t.task);
    if (wakes % 8 == 0) send_sig(SIGUSR1, t.task, 0);  // not allowed: discarded
    ++wakes;
    ktl::testing::let_run_us(200);
  }
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(s->ret.load(), 0);
  EXPECT_GE(s->elapsed.load(), msecs_to_jiffies(ms));
}

TEST_P(SleepTest, Ssleep) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        unsigned long j0 = jiffies;
        ssleep(1);
        s->elapsed = jiffies - j0;
        return 0;
      },
      "st_ssleep");
  ASSERT_TRUE(wait_state(t, 'D'));
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_GE(s->elapsed.load(), static_cast<unsigned long>(HZ));
  EXPECT_LT(s->elapsed.load(), static_cast<unsigned long>(3 * HZ));
}

TEST_P(SleepTest, UsleepRangeSleepsAtLeastMin) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        s64 worst = LLONG_MAX;
        for (int i = 0; i < 5; ++i) {
          ktime_t t0 = ktime_get();
          usleep_range(2000, 3000);
          s64 d = ktime_get() - t0;
          if (d < worst) worst = d;
        }
        s->elapsed_ns = worst;
        return 0;
      },
      "st_usleep");
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_GE(s->elapsed_ns.load(), 2000 * NSEC_PER_USEC);
}

TEST_P(SleepTest, UsleepRangeAbsorbsWakeUps) {
  auto s = std::make_shared<Shared>();
  auto t = spawn(
      [s] {
        ktime_t t0 = ktime_get();
        usleep_range(30000, 31000);
        s->elapsed_ns = ktime_get() - t0;
        s->done = true;
        return 0;
      },
      "st_usl_wake");
  ASSERT_TRUE(wait_state(t, 'D'));
  while (!s->done.load()) {
    wake_up_process(t.task);
    ktl::testing::let_run_us(200);
  }
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_GE(s->elapsed_ns.load(), 30000 * NSEC_PER_USEC);
}

TEST_P(SleepTest, JiffiesStartNearInitialJiffies) {
  unsigned long now = jiffies;
  EXPECT_EQ(INITIAL_JIFFIES, static_cast<unsigned long>(static_cast<unsigned int>(-300 * 250)));
  EXPECT_EQ(INITIAL_JIFFIES, 4294892296ul);
  EXPECT_TRUE(time_after_eq(now, INITIAL_JIFFIES));
  EXPECT_LT(now - INITIAL_JIFFIES, static_cast<unsigned long>(5 * HZ))
      << "jiffies must start at INITIAL_JIFFIES at boot";
  // And it advances with the clock.
  unsigned long j0 = jiffies;
  ASSERT_TRUE(wait_until([&] { return time_after(jiffies, j0 + 2); }, 2000));
}

TEST_P(SleepTest, MsecsToJiffiesRoundsUp) {
  ASSERT_EQ(HZ, 250u);
  EXPECT_EQ(msecs_to_jiffies(0), 0ul);
  EXPECT_EQ(msecs_to_jiffies(1), 1ul);
  EXPECT_EQ(msecs_to_jiffies(4), 1ul);
  EXPECT_EQ(msecs_to_jiffies(5), 2ul);
  EXPECT_EQ(msecs_to_jiffies(8), 2ul);
  EXPECT_EQ(msecs_to_jiffies(9), 3ul);
  EXPECT_EQ(msecs_to_jiffies(1000), 250ul);
  EXPECT_EQ(msecs_to_jiffies(1001), 251ul);
  EXPECT_EQ(msecs_to_jiffies(static_cast<unsigned>(-1)), MAX_JIFFY_OFFSET);
  EXPECT_EQ(usecs_to_jiffies(1), 1ul);
  EXPECT_EQ(usecs_to_jiffies(4000), 1ul);
  EXPECT_EQ(usecs_to_jiffies(4001), 2ul);
  EXPECT_EQ(jiffies_to_msecs(1), 4u);
  EXPECT_EQ(jiffies_to_msecs(250), 1000u);
  EXPECT_EQ(jiffies_to_usecs(1), 4000u);
  EXPECT_EQ(secs_to_jiffies(3), 750ul);
}

TEST(SleepHz, MsecsToJiffiesAtOtherHz) {
  {
    scoped_kernel k(1, 1000);
    EXPECT_EQ(HZ, 1000u);
    EXPECT_EQ(msecs_to_jiffies(1), 1ul);
    EXPECT_EQ(msecs_to_jiffies(1000), 1000ul);
    EXPECT_EQ(INITIAL_JIFFIES, static_cast<unsigned long>(static_cast<unsigned int>(-300 * 1000)));
  }
  {
    scoped_kernel k(1, 100);
    EXPECT_EQ(HZ, 100u);
    EXPECT_EQ(msecs_to_jiffies(1), 1ul);
    EXPECT_EQ(msecs_to_jiffies(10), 1ul);
    EXPECT_EQ(msecs_to_jiffies(11), 2ul);
    EXPECT_EQ(msecs_to_jiffies(1000), 100ul);
    EXPECT_EQ(jiffies_to_msecs(1), 10u);
  }
}

TEST(SleepJiffies, TimeAfterBeforeAcrossWrap) {
  const unsigned long before_wrap = ULONG_MAX - 5;
  const unsigned long after_wrap = 5;
  EXPECT_TRUE(time_after(after_wrap, before_wrap));
  EXPECT_TRUE(time_before(before_wrap, after_wrap));
  EXPECT_FALSE(time_after(before_wrap, after_wrap));
  EXPECT_FALSE(time_before(after_wrap, before_wrap));
  EXPECT_TRUE(time_after_eq(after_wrap, before_wrap));
  EXPECT_TRUE(time_after_eq(after_wrap, after_wrap));
  EXPECT_TRUE(time_before_eq(before_wrap, before_wrap));
  EXPECT_FALSE(time_after(after_wrap, after_wrap));
  EXPECT_TRUE(time_in_range(ULONG_MAX, before_wrap, after_wrap));
  EXPECT_TRUE(time_in_range(0ul, before_wrap, after_wrap));
  EXPECT_FALSE(time_in_range(6ul, before_wrap, after_wrap));
  // The 32-bit wrap INITIAL_JIFFIES is placed before (5 minutes after boot at any HZ).
  const unsigned long init = static_cast<unsigned long>(static_cast<unsigned int>(-300 * 250));
  EXPECT_TRUE(time_after(init + 300 * 250 + 1, init));
  EXPECT_TRUE(time_before(init, init + 1));
}

KTL_INSTANTIATE_MACHINES(SleepTest);

}  // namespace
