// <linux/wait.h> and <linux/completion.h> from C (tests/compat/c/wait.c): wait_event re-checks
// its condition and sleeps again after a spurious wake-up; each form sleeps in its state (S, D,
// I) blocked in the calling C function; interruptible forms return -ERESTARTSYS on a signal and
// the timeout forms the jiffies left (>= 1) or 0; manual prepare_to_wait loops, the _lock_irq,
// _locked and wait_woken forms; completions' counts and remaining jiffies; the static
// initialisers give ktl's constructor bytes.
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "ktl/fs/proc.h"
#include "ktl/sched/completion.h"
#include "ktl/sched/signal.h"
#include "ktl/sched/wait.h"
#include "ktl/time/jiffies.h"
#include "support/kernel_test.h"

namespace {

extern "C" {
void* ctest_wait_pristine_wq(void);
void* ctest_wait_pristine_completion(void);
int ctest_wait_reset(void);
void ctest_wait_set_cond(int v);
int ctest_wait_evals(void);
int ctest_wait_active(void);
void ctest_wait_wake(void);
void ctest_wait_wake_interruptible(void);
int ctest_wait_event_waiter(void);
int ctest_wait_interruptible_waiter(void);
int ctest_wait_idle_waiter(void);
int ctest_wait_killable_waiter(void);
int ctest_wait_freezable_waiter(void);
long ctest_wait_ito_waiter(void);
int ctest_wait_manual_waiter(void);
int ctest_wait_woken_waiter(void);
int ctest_wait_lock_irq_waiter(void);
int ctest_wait_lock_irq_wake(void);
int ctest_wait_locked_waiter(void);
int ctest_wait_locked_wake(void);
int ctest_wait_timeouts(void);
int ctest_wait_signals(void);
int ctest_wait_completion_counts(void);
long ctest_wait_completion_waiter(void);
void ctest_wait_complete(void);
int ctest_wait_completion_idle(void);
}

using namespace ktl;
using ktl::testing::join_for;
using ktl::testing::KernelTest;
using ktl::testing::run_c;
using ktl::testing::kJoinMs;
using ktl::testing::spawn;
using ktl::testing::task_handle;
using ktl::testing::wait_state;
using ktl::testing::wait_until;

constexpr long kHz = 250;


// The C side's queue and condition persist across the runs of a body (machines, seeds): each
// test starts with ctest_wait_reset().
class CompatWaitTest : public KernelTest {
 protected:
  // A waiter (spawned running fn) sleeps in state `letter`, blocked in function `site`.
  void expect_asleep(const task_handle& t, char letter, const char* site) {
    ASSERT_TRUE(wait_state(t, letter)) << "expected " << letter << ", saw "
                                       << task_state_to_char(t.task);
    EXPECT_EQ(proc_pid_wchan(t.task), site);
    EXPECT_TRUE(ctest_wait_active());
  }
  // Makes the condition true, wakes the queue, returns the waiter's result.
  int release(task_handle& t) {
    ctest_wait_set_cond(2);
    ctest_wait_wake();
    int r = -9999;
    EXPECT_TRUE(join_for(t, kJoinMs, &r));
    EXPECT_FALSE(ctest_wait_active()) << "the waiter left its entry queued";
    return r;
  }
};

// The condition is re-checked after every wake-up: a spurious one (wake_up_process), and a
// wake_up() with the condition still false, both put the waiter back to sleep.
TEST_P(CompatWaitTest, WaitEventSleepsAgainOnASpuriousWakeUp) {
  ASSERT_EQ(ctest_wait_reset(), 0);
  auto t = spawn([] { return ctest_wait_event_waiter(); }, "cwe");
  expect_asleep(t, 'D', "ctest_wait_event_waiter");
  int e0 = ctest_wait_evals();

  EXPECT_EQ(wake_up_process(t.task), 1);
  ASSERT_TRUE(wait_until([&] { return ctest_wait_evals() > e0; }));
  expect_asleep(t, 'D', "ctest_wait_event_waiter");
  int e1 = ctest_wait_evals();

  ctest_wait_set_cond(1);
  ctest_wait_wake();
  ASSERT_TRUE(wait_until([&] { return ctest_wait_evals() > e1; }));
  expect_asleep(t, 'D', "ctest_wait_event_waiter");

  EXPECT_EQ(release(t), 0);
}

TEST_P(CompatWaitTest, EachFormSleepsInItsState) {
  ASSERT_EQ(ctest_wait_reset(), 0);
  auto s = spawn([] { return ctest_wait_interruptible_waiter(); }, "cwe_s");
  expect_asleep(s, 'S', "ctest_wait_interruptible_waiter");
  EXPECT_EQ(task_state(s.task), TASK_INTERRUPTIBLE);
  EXPECT_EQ(release(s), 0);

  ASSERT_EQ(ctest_wait_reset(), 0);
  auto i = spawn([] { return ctest_wait_idle_waiter(); }, "cwe_i");
  expect_asleep(i, 'I', "ctest_wait_idle_waiter");
  EXPECT_EQ(task_state(i.task), TASK_IDLE);
  EXPECT_EQ(release(i), 0);

  ASSERT_EQ(ctest_wait_reset(), 0);
  auto k = spawn([] { return ctest_wait_killable_waiter(); }, "cwe_k");
  expect_asleep(k, 'D', "ctest_wait_killable_waiter");
  EXPECT_EQ(task_state(k.task), TASK_KILLABLE);
  EXPECT_EQ(release(k), 0);

  ASSERT_EQ(ctest_wait_reset(), 0);
  auto f = spawn([] { return ctest_wait_freezable_waiter(); }, "cwe_f");
  expect_asleep(f, 'S', "ctest_wait_freezable_waiter");
  EXPECT_EQ(task_state(f.task), TASK_INTERRUPTIBLE | TASK_FREEZABLE);
  EXPECT_EQ(release(f), 0);
}

TEST_P(CompatWaitTest, InterruptibleWaitReturnsERESTARTSYSOnASignal) {
  ASSERT_EQ(ctest_wait_reset(), 0);
  auto t = spawn([] { return ctest_wait_interruptible_waiter(); }, "cwe_sig");
  expect_asleep(t, 'S', "ctest_wait_interruptible_waiter");
  EXPECT_EQ(send_sig(SIGUSR1, t.task, 0), 0);
  int r = 0;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, -ERESTARTSYS);
  EXPECT_FALSE(ctest_wait_active());
}

// wait_event_interruptible_timeout: the jiffies left (>= 1) when the condition came true.
TEST_P(CompatWaitTest, InterruptibleTimeoutReturnsTheJiffiesLeft) {
  ASSERT_EQ(ctest_wait_reset(), 0);
  unsigned long j0 = jiffies;
  auto t = spawn([] { return static_cast<int>(ctest_wait_ito_waiter()); }, "cwe_ito");
  expect_asleep(t, 'S', "ctest_wait_ito_waiter");
  int r = release(t);
  unsigned long j1 = jiffies;
  EXPECT_GE(r, 1);
  EXPECT_LE(r, 100 * kHz);
  EXPECT_GE(r, 100 * kHz - static_cast<long>(j1 - j0));
}

TEST_P(CompatWaitTest, TimeoutsAndFastPaths) {
  ASSERT_EQ(ctest_wait_reset(), 0);
  EXPECT_EQ(run_c(ctest_wait_timeouts, "cwe_to"), 0) << log();
}

TEST_P(CompatWaitTest, SignalsEndOnlyInterruptibleWaits) {
  ASSERT_EQ(ctest_wait_reset(), 0);
  EXPECT_EQ(run_c(ctest_wait_signals, "cwe_sigs"), 0) << log();
}

TEST_P(CompatWaitTest, ManualPrepareToWaitLoop) {
  ASSERT_EQ(ctest_wait_reset(), 0);
  auto t = spawn([] { return ctest_wait_manual_waiter(); }, "cwe_man");
  expect_asleep(t, 'S', "ctest_wait_manual_waiter");
  // wake_up_interruptible() reaches a TASK_INTERRUPTIBLE sleeper; the condition is still false.
  int e0 = ctest_wait_evals();
  ctest_wait_wake_interruptible();
  ASSERT_TRUE(wait_until([&] { return ctest_wait_evals() > e0; }));
  expect_asleep(t, 'S', "ctest_wait_manual_waiter");
  EXPECT_EQ(release(t), 0);
}

TEST_P(CompatWaitTest, WaitWoken) {
  ASSERT_EQ(ctest_wait_reset(), 0);
  auto t = spawn([] { return ctest_wait_woken_waiter(); }, "cwe_woken");
  ASSERT_TRUE(wait_state(t, 'S'));
  EXPECT_EQ(release(t), 0);
}

TEST_P(CompatWaitTest, LockIrqFormTestsTheConditionUnderTheLock) {
  ASSERT_EQ(ctest_wait_reset(), 0);
  auto t = spawn([] { return ctest_wait_lock_irq_waiter(); }, "cwe_lirq");
  expect_asleep(t, 'D', "ctest_wait_lock_irq_waiter");
  EXPECT_EQ(run_c(ctest_wait_lock_irq_wake, "cwe_lirq_w"), 0);
  int r = -9999;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_FALSE(ctest_wait_active());
}

TEST_P(CompatWaitTest, LockedFormHoldsTheQueueLock) {
  ASSERT_EQ(ctest_wait_reset(), 0);
  auto t = spawn([] { return ctest_wait_locked_waiter(); }, "cwe_lkd");
  expect_asleep(t, 'S', "ctest_wait_locked_waiter");
  EXPECT_EQ(run_c(ctest_wait_locked_wake, "cwe_lkd_w"), 0);
  int r = -9999;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_FALSE(ctest_wait_active());
  EXPECT_EQ(log().find("BUG:"), std::string::npos) << log();
}

TEST_P(CompatWaitTest, CompletionCounts) {
  ASSERT_EQ(ctest_wait_reset(), 0);
  EXPECT_EQ(run_c(ctest_wait_completion_counts, "ccomp"), 0) << log();
}

// wait_for_completion_timeout: the jiffies left (>= 1) when completed in time.
TEST_P(CompatWaitTest, CompletionTimeoutReturnsTheJiffiesLeft) {
  ASSERT_EQ(ctest_wait_reset(), 0);
  unsigned long j0 = jiffies;
  auto t = spawn([] { return static_cast<int>(ctest_wait_completion_waiter()); }, "ccomp_to");
  ASSERT_TRUE(wait_state(t, 'D'));
  EXPECT_EQ(proc_pid_wchan(t.task), "wait_for_completion_timeout");
  ctest_wait_complete();
  int r = -9999;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  unsigned long j1 = jiffies;
  EXPECT_GE(r, 1);
  EXPECT_LE(r, 100 * kHz);
  EXPECT_GE(r, 100 * kHz - static_cast<long>(j1 - j0));
  EXPECT_EQ(ctest_wait_completion_idle(), 0);
}

KTL_INSTANTIATE_MACHINES(CompatWaitTest);

// DECLARE_WAIT_QUEUE_HEAD / DECLARE_COMPLETION give the bytes ktl's constructors give to an
// object at the same address.
std::string hex_bytes(const void* p, size_t n) {
  std::string s;
  char b[4];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof(b), "%02x", static_cast<const unsigned char*>(p)[i]);
    s += b;
    if (i % 8 == 7) s += ' ';
  }
  return s;
}

template <typename T>
void expect_same_bytes_in_place(void* obj) {
  alignas(T) unsigned char saved[sizeof(T)];
  std::memcpy(saved, obj, sizeof(T));
  std::memset(obj, 0, sizeof(T));
  T* made = new (obj) T();
  EXPECT_EQ(std::memcmp(saved, made, sizeof(T)), 0)
      << "static: " << hex_bytes(saved, sizeof(T)) << "\nktl:    " << hex_bytes(made, sizeof(T));
  made->~T();
  std::memcpy(obj, saved, sizeof(T));
}

TEST(CompatWaitStatic, InitialisersMatchConstructors) {
  expect_same_bytes_in_place<wait_queue_head>(ctest_wait_pristine_wq());
  expect_same_bytes_in_place<completion>(ctest_wait_pristine_completion());
}

}  // namespace
