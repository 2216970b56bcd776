// The compat time headers from kernel-style C (tests/compat/c/time.c): jiffies and HZ, ktime
// and the clocks, timer_list (timer_setup keeps .expires, mod_timer/del_timer return values,
// del_timer_sync waits for a running callback, softirq context), hrtimer (hardirq context,
// periodic with hrtimer_forward_now overruns, CLOCK_REALTIME), sleeps (msleep absorbs
// wake-ups, msleep_interruptible ends only on a signal with the ms left, schedule_timeout
// returns the jiffies left) and busy delays; DEFINE_TIMER bytes equal ktl's timer_list.
#include <csignal>
#include <cstring>
#include <new>

#include "support/kernel_test.h"

extern "C" {
int ctest_time_jiffies(void);
int ctest_time_ktime(void);
int ctest_time_timer_setup_keeps_expires(void);
int ctest_time_mod_timer_returns(void);
int ctest_time_timer_context(void);
int ctest_time_timer_rearms_itself(void);
int ctest_time_define_timer_runs(void);
int ctest_time_del_timer_sync_waits(void);
int ctest_time_hrtimer_oneshot_context(void);
int ctest_time_hrtimer_periodic_forward(void);
int ctest_time_hrtimer_realtime_abs(void);
int ctest_time_schedule_hrtimeout(void);
int ctest_time_msleep_absorbs_wakeups(void);
int ctest_time_msleep_interruptible(void);
int ctest_time_schedule_timeout_remaining(void);
int ctest_time_usleep_range_absorbs_wakeups(void);
int ctest_time_delays(void);

// The C side's DEFINE_TIMER(ctest_time_defined_timer, ctest_time_defined_fn), seen as ktl's type.
extern ktl::timer_list ctest_time_defined_timer;
void ctest_time_defined_fn(ktl::timer_list* t);

extern long ctest_time_lateness;
extern unsigned long ctest_time_intervals[4];
extern unsigned long ctest_time_context[4];
extern int ctest_time_spin_in_cb, ctest_time_spin_release, ctest_time_spin_done;
extern int ctest_time_del_entered;
extern ktl::u64 ctest_time_hr_overruns[4];
extern long ctest_time_hr_late_ns;
extern unsigned long ctest_time_sleep_jiffies;
extern long ctest_time_sleep_ret;
extern int ctest_time_phase;
}

namespace ktl {
namespace {

using testing::join_for;
using testing::KernelTest;
using testing::run_c;
using testing::kJoinMs;
using testing::let_run_us;
using testing::spawn;
using testing::task_handle;
using testing::wait_state;
using testing::wait_until;


template <typename T>
void store(T* p, T v) {
  __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}
template <typename T>
T load(const T* p) {
  return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

class CompatTimeTest : public KernelTest {};

TEST_P(CompatTimeTest, JiffiesHzAndConversions) {
  EXPECT_EQ(run_c(ctest_time_jiffies), 0);
  EXPECT_EQ(hz(), 250u) << "the C headers' HZ is the kernel's";
}

TEST_P(CompatTimeTest, KtimeArithmeticAndClocks) { EXPECT_EQ(run_c(ctest_time_ktime), 0); }

TEST_P(CompatTimeTest, DefineTimerBytesEqualKtlsTimerList) {
  // The same object built by ktl's C++ (value-initialised, as ktl's DEFINE_TIMER does, with the
  // function) at the same address: every byte must match the C static initialiser's.
  alignas(timer_list) unsigned char saved[sizeof(timer_list)];
  std::memcpy(saved, &ctest_time_defined_timer, sizeof(saved));
  std::memset(static_cast<void*>(&ctest_time_defined_timer), 0, sizeof(timer_list));
  auto* cxx = new (&ctest_time_defined_timer) timer_list{{}, 0, ctest_time_defined_fn, 0, false};
  EXPECT_EQ(std::memcmp(saved, cxx, sizeof(saved)), 0);
  std::memcpy(static_cast<void*>(&ctest_time_defined_timer), saved, sizeof(saved));
  EXPECT_EQ(ctest_time_defined_timer.function, ctest_time_defined_fn);
  EXPECT_FALSE(timer_pending(&ctest_time_defined_timer));
  EXPECT_EQ(run_c(ctest_time_define_timer_runs), 0);
}

TEST_P(CompatTimeTest, TimerSetupKeepsExpiresSetBeforehand) {
  store(&ctest_time_lateness, -1L);
  EXPECT_EQ(run_c(ctest_time_timer_setup_keeps_expires), 0);
  if (simulated()) {
    EXPECT_EQ(load(&ctest_time_lateness), 0) << "virtual time: exact expiry";
  }
}

TEST_P(CompatTimeTest, ModTimerAndDelTimerReturnValues) {
  EXPECT_EQ(run_c(ctest_time_mod_timer_returns), 0);
}

TEST_P(CompatTimeTest, TimerCallbackRunsInSoftirqContext) {
  EXPECT_EQ(run_c(ctest_time_timer_context), 0);
  // Linux's values: in_interrupt() and in_serving_softirq() are the masked count, SOFTIRQ_OFFSET.
  EXPECT_EQ(load(&ctest_time_context[0]), 0x100u);
  EXPECT_EQ(load(&ctest_time_context[1]), 0x100u);
  EXPECT_EQ(load(&ctest_time_context[2]) & 0xff00u, 0x100u);
}

TEST_P(CompatTimeTest, TimerRearmsItselfFromItsCallback) {
  EXPECT_EQ(run_c(ctest_time_timer_rearms_itself), 0);
  if (simulated()) {
    for (int i = 0; i < 4; ++i) EXPECT_EQ(load(&ctest_time_intervals[i]), 3u) << i;
  }
}

TEST_P(CompatTimeTest, DelTimerSyncWaitsForARunningCallback) {
  KTL_NEEDS_CPUS(2);
  store(&ctest_time_spin_release, 0);
  store(&ctest_time_del_entered, 0);
  auto t = spawn([] { return ctest_time_del_timer_sync_waits(); }, "ctest_delsync", 0);
  bool entered = wait_until([] { return load(&ctest_time_del_entered) != 0; }, 10000);
  if (entered) {
    // The callback spins on the other vCPU: del_timer_sync() must not return meanwhile.
    let_run_us(20000);
    EXPECT_EQ(load(&ctest_time_spin_done), 0);
    EXPECT_EQ(load(&ctest_time_spin_in_cb), 1);
  }
  store(&ctest_time_spin_release, 1);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  ASSERT_TRUE(entered);
  EXPECT_EQ(r, 0);
}

TEST_P(CompatTimeTest, HrtimerRunsInHardirqContext) {
  EXPECT_EQ(run_c(ctest_time_hrtimer_oneshot_context), 0);
  EXPECT_GE(load(&ctest_time_hr_late_ns), 0);
}

TEST_P(CompatTimeTest, HrtimerPeriodicWithForwardNowOverruns) {
  EXPECT_EQ(run_c(ctest_time_hrtimer_periodic_forward), 0);
  EXPECT_GE(load(&ctest_time_hr_overruns[0]), 4u);
  if (simulated()) {
    // The first callback ran 3 ms (busy) past an on-time expiry: exactly 4 periods; the next
    // ones are on time, one period each.
    EXPECT_EQ(load(&ctest_time_hr_overruns[0]), 4u);
    for (int i = 1; i < 4; ++i) EXPECT_EQ(load(&ctest_time_hr_overruns[i]), 1u) << i;
  }
}

TEST_P(CompatTimeTest, HrtimerOnClockRealtimeTakesRealtimeExpiries) {
  EXPECT_EQ(run_c(ctest_time_hrtimer_realtime_abs), 0);
}

TEST_P(CompatTimeTest, ScheduleHrtimeoutSleepsUntilTheDeadline) {
  EXPECT_EQ(run_c(ctest_time_schedule_hrtimeout), 0);
}

TEST_P(CompatTimeTest, MsleepAbsorbsWakeUps) {
  store(&ctest_time_sleep_jiffies, 0ul);
  auto t = spawn([] { return ctest_time_msleep_absorbs_wakeups(); }, "ctest_msleep");
  ASSERT_TRUE(wait_state(t, 'D'));
  // Keep waking it: each wake-up is absorbed and the sleep goes on.
  for (int i = 0; i < 5; ++i) {
    wake_up_process(t.task);
    let_run_us(10000);
  }
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_GE(load(&ctest_time_sleep_jiffies), msecs_to_jiffies(200));
  if (simulated()) {
    // msecs_to_jiffies(200) + 1, as Linux's msleep() sleeps.
    EXPECT_EQ(load(&ctest_time_sleep_jiffies), msecs_to_jiffies(200) + 1);
  }
}

TEST_P(CompatTimeTest, MsleepInterruptibleEndsOnlyOnASignal) {
  store(&ctest_time_sleep_ret, -1L);
  store(&ctest_time_phase, 0);
  auto t = spawn(
      [] {
        allow_signal(SIGUSR1);
        int r = ctest_time_msleep_interruptible();
        flush_signals(get_current());
        return r;
      },
      "ctest_msleep_i");
  // The first, short sleep is not interrupted; then the long one. A wake-up does not end it.
  ASSERT_TRUE(wait_until([] { return load(&ctest_time_phase) == 1; }));
  ASSERT_TRUE(wait_state(t, 'S'));
  wake_up_process(t.task);
  let_run_us(20000);
  ASSERT_TRUE(wait_state(t, 'S')) << "msleep_interruptible() must go back to sleep after a wake-up";
  EXPECT_EQ(load(&ctest_time_sleep_ret), -1L);
  send_sig(SIGUSR1, t.task, 0);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  const long left = load(&ctest_time_sleep_ret);
  const long slept_ms = static_cast<long>(jiffies_to_msecs(load(&ctest_time_sleep_jiffies)));
  EXPECT_GT(left, 0);
  EXPECT_LT(left, 1000);
  // The ms left and the ms slept add up to the request (plus msleep's extra jiffy).
  EXPECT_GE(left + slept_ms, 1000 - 8);
  EXPECT_LE(left + slept_ms, 1000 + 8);
}

TEST_P(CompatTimeTest, ScheduleTimeoutReturnsTheJiffiesLeft) {
  store(&ctest_time_sleep_ret, -1L);
  store(&ctest_time_sleep_jiffies, 0ul);
  store(&ctest_time_phase, 0);
  auto t = spawn([] { return ctest_time_schedule_timeout_remaining(); }, "ctest_sched_to");
  // Past the first, uninterruptible 3-jiffy sleep, into the interruptible one.
  ASSERT_TRUE(wait_until([] { return load(&ctest_time_phase) == 1; }));
  ASSERT_TRUE(wait_state(t, 'S'));
  let_run_us(40000);
  wake_up_process(t.task);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  const long left = load(&ctest_time_sleep_ret);
  const long slept = static_cast<long>(load(&ctest_time_sleep_jiffies));
  EXPECT_GT(left, 0);
  EXPECT_GE(slept, 10) << "woken after 40 ms";
  EXPECT_GE(left + slept, 99);
  EXPECT_LE(left + slept, 101);
}

TEST_P(CompatTimeTest, UsleepRangeAbsorbsWakeUps) {
  auto t = spawn([] { return ctest_time_usleep_range_absorbs_wakeups(); }, "ctest_usleep");
  ASSERT_TRUE(wait_state(t, 'D'));
  wake_up_process(t.task);
  let_run_us(2000);
  wake_up_process(t.task);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(CompatTimeTest, BusyDelaysDoNotScheduleSleepsDo) { EXPECT_EQ(run_c(ctest_time_delays), 0); }

KTL_INSTANTIATE_MACHINES(CompatTimeTest);

}  // namespace
}  // namespace ktl
