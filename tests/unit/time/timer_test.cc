// timer_list (include/ktl/time/timer.h): expiry never early, softirq context, mod_timer/del return
// values, timer_delete_sync vs a running callback, self re-arming, shutdown, add_timer_on, a
// sleeping callback (reported, survivable), and 10k random timers.
#include <atomic>
#include <memory>
#include <random>
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

// Lets `n` jiffies pass (observed from the host): a negative window, not synchronization.
void let_jiffies_pass(unsigned long n) {
  unsigned long j0 = jiffies;
  ASSERT_TRUE(wait_until([&] { return time_after_eq(jiffies, j0 + n); }, 5000));
}

struct Box {
  timer_list timer;
  completion done;
  std::atomic<int> fired{0};
  std::atomic<unsigned long> fired_at{0};
  std::atomic<int> cpu{-100};
  std::atomic<bool> softirq{false}, task{true}, interrupt{false}, atomic_ctx{false};
  ~Box() { timer_shutdown_sync(&timer); }
};

void box_fn(timer_list* t) {
  Box* b = from_timer(b, t, timer);
  b->fired_at = jiffies;
  b->cpu = smp_processor_id();
  b->softirq = in_softirq();
  b->task = in_task();
  b->interrupt = in_interrupt();
  b->atomic_ctx = in_atomic();
  b->fired++;
  complete(&b->done);
}

class TimerTest : public KernelTest {};

// Arms `b` for now+delta from the calling context and checks the firing jiffy. Returns lateness.
long arm_and_check(Box* b, unsigned long delta, int* early) {
  reinit_completion(&b->done);
  unsigned long exp = jiffies + delta;
  mod_timer(&b->timer, exp);
  if (!wait_for_completion_timeout(&b->done, 10 * HZ)) return -1000000;
  long late = static_cast<long>(b->fired_at.load() - exp);
  if (late < 0) ++*early;
  return late;
}

TEST_P(TimerTest, FiresOnceAtOrAfterExpiresFromHost) {
  auto b = std::make_unique<Box>();
  timer_setup(&b->timer, box_fn, 0);
  int early = 0;
  long min_late = LONG_MAX, max_late = LONG_MIN;
  const int rounds = 12;
  for (int i = 0; i < rounds; ++i) {
    long late = arm_and_check(b.get(), 1 + i % 6, &early);
    ASSERT_NE(late, -1000000) << "timer never fired (round " << i << ")";
    min_late = std::min(min_late, late);
    max_late = std::max(max_late, late);
  }
  EXPECT_EQ(early, 0) << "a timer ran before jiffies reached its expires";
  EXPECT_GE(min_late, 0);
  EXPECT_LE(min_late, 1) << "even the best case was late by more than a jiffy";
  EXPECT_LE(max_late, static_cast<long>(HZ / 5)) << "very late timer (loaded machine?)";
  let_jiffies_pass(3);
  EXPECT_EQ(b->fired.load(), rounds) << "each arming must fire exactly once";
  EXPECT_FALSE(timer_pending(&b->timer));
}

TEST_P(TimerTest, FiresOnceAtOrAfterExpiresFromTasks) {
  std::vector<task_handle> ts;
  auto early = std::make_shared<std::atomic<int>>(0);
  auto bad = std::make_shared<std::atomic<int>>(0);
  for (int c = 0; c < cpus(); ++c) {
    ts.push_back(spawn(
        [early, bad] {
          auto b = std::make_unique<Box>();
          timer_setup(&b->timer, box_fn, 0);
          int e = 0;
          for (int i = 0; i < 8; ++i) {
            long late = arm_and_check(b.get(), 1 + i % 4, &e);
            if (late == -1000000 || late > static_cast<long>(HZ / 5)) ++*bad;
          }
          *early += e;
          if (b->fired.load() != 8) ++*bad;
          return 0;
        },
        "tm_task", c));
  }
  for (auto& t : ts) ASSERT_TRUE(join_for(t, 20000));
  EXPECT_EQ(early->load(), 0);
  EXPECT_EQ(bad->load(), 0);
}

TEST_P(TimerTest, CallbackRunsInSoftirqContext) {
  auto b = std::make_unique<Box>();
  timer_setup(&b->timer, box_fn, 0);
  b->timer.expires = jiffies + 1;
  add_timer(&b->timer);
  ASSERT_TRUE(wait_for_completion_timeout(&b->done, 10 * HZ));
  EXPECT_TRUE(b->softirq.load()) << "in_softirq() must be true in a timer callback";
  EXPECT_FALSE(b->task.load()) << "in_task() must be false in a timer callback";
  EXPECT_TRUE(b->interrupt.load());
  EXPECT_TRUE(b->atomic_ctx.load());
  EXPECT_GE(b->cpu.load(), 0);
  EXPECT_LT(b->cpu.load(), cpus());
  // And back in task context afterwards.
  auto t = spawn([] { return (in_task() && !in_softirq() && !in_atomic()) ? 0 : 1; }, "tm_ctx");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

void check_return_values(int* failures) {
  auto b = std::make_unique<Box>();
  timer_setup(&b->timer, box_fn, 0);
  auto check = [&](bool ok) {
    if (!ok) ++*failures;
  };
  const unsigned long far = jiffies + 100 * HZ;
  check(!timer_pending(&b->timer));
  check(mod_timer(&b->timer, far) == 0);          // inactive
  check(timer_pending(&b->timer));
  check(mod_timer(&b->timer, far + 10) == 1);     // pending
  check(b->timer.expires == far + 10);
  check(timer_delete(&b->timer) == 1);
  check(!timer_pending(&b->timer));
  check(timer_delete(&b->timer) == 0);
  check(mod_timer_pending(&b->timer, far) == 0);  // not pending: stays inactive
  check(!timer_pending(&b->timer));
  b->timer.expires = far;
  add_timer(&b->timer);
  check(timer_pending(&b->timer));
  check(mod_timer_pending(&b->timer, far + 5) == 1);
  check(b->timer.expires == far + 5);
  check(timer_delete_sync(&b->timer) == 1);
  check(timer_delete_sync(&b->timer) == 0);
  check(try_to_del_timer_sync(&b->timer) == 0);
  // timer_reduce: starts an inactive timer; only ever moves a pending one earlier.
  check(timer_reduce(&b->timer, far) == 0);
  check(timer_pending(&b->timer));
  check(timer_reduce(&b->timer, far + 50) == 1);
  check(b->timer.expires == far);
  check(timer_reduce(&b->timer, far - 50) == 1);
  check(b->timer.expires == far - 50);
  check(timer_delete(&b->timer) == 1);
  // After it has fired it is inactive again: mod_timer returns 0.
  reinit_completion(&b->done);
  check(mod_timer(&b->timer, jiffies + 1) == 0);
  check(wait_for_completion_timeout(&b->done, 10 * HZ) != 0);
  check(!timer_pending(&b->timer));
  check(mod_timer(&b->timer, far) == 0);
  check(timer_delete(&b->timer) == 1);
  check(b->fired.load() == 1);
}

TEST_P(TimerTest, ModTimerAndDeleteReturnValuesFromHost) {
  int failures = 0;
  check_return_values(&failures);
  EXPECT_EQ(failures, 0);
}

TEST_P(TimerTest, ModTimerAndDeleteReturnValuesFromTask) {
  auto t = spawn(
      [] {
        int failures = 0;
        check_return_values(&failures);
        return failures;
      },
      "tm_retval", cpus() - 1);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

// ---- timer_delete_sync vs a running callback ------------------------------------------------

struct SpinBox {
  timer_list timer;
  std::atomic<bool> running{false};
  std::atomic<bool> release{false};
  std::atomic<bool> finished{false};
  ~SpinBox() {
    release = true;
    timer_shutdown_sync(&timer);
  }
};

void spin_fn(timer_list* t) {
  SpinBox* b = from_timer(b, t, timer);
  b->running = true;
  while (!b->release.load()) cpu_relax();
  b->finished = true;
}

struct DeleterResult {
  std::atomic<bool> calling{false};
  std::atomic<bool> returned{false};
  std::atomic<bool> finished_at_return{false};
  std::atomic<int> ret{-100};
};

TEST_P(TimerTest, TimerDeleteSyncWaitsForRunningCallbackHostDeleter) {
  KTL_REAL_MACHINE_ONLY("a second host thread races the kernel");
  const int rounds = stress_iterations(3);
  for (int round = 0; round < rounds; ++round) {
    auto b = std::make_unique<SpinBox>();
    timer_setup(&b->timer, spin_fn, 0);
    b->timer.expires = jiffies + 1;
    add_timer_on(&b->timer, round % cpus());
    ASSERT_TRUE(wait_until([&] { return b->running.load(); })) << "round " << round;
    EXPECT_FALSE(timer_pending(&b->timer));
    EXPECT_EQ(try_to_del_timer_sync(&b->timer), -1) << "callback running: must report -1";
    EXPECT_EQ(timer_delete(&b->timer), 0) << "timer_delete does not wait and it is not pending";
    DeleterResult d;
    std::thread deleter([&] {
      d.calling = true;
      d.ret = timer_delete_sync(&b->timer);
      d.finished_at_return = b->finished.load();
      d.returned = true;
    });
    ASSERT_TRUE(wait_until([&] { return d.calling.load(); }));
    ktl::testing::let_run_us(15000);  // negative window only
    EXPECT_FALSE(d.returned.load()) << "timer_delete_sync returned while the callback ran";
    b->release = true;
    deleter.join();
    EXPECT_TRUE(d.finished_at_return.load());
    EXPECT_EQ(d.ret.load(), 0);
  }
}

TEST_P(TimerTest, TimerDeleteSyncWaitsForRunningCallbackTaskDeleter) {
  KTL_NEEDS_CPUS(2);
  const int rounds = stress_iterations(3);
  for (int round = 0; round < rounds; ++round) {
    auto b = std::make_shared<SpinBox>();
    auto d = std::make_shared<DeleterResult>();
    timer_setup(&b->timer, spin_fn, 0);
    b->timer.expires = jiffies + 1;
    add_timer_on(&b->timer, 0);
    ASSERT_TRUE(wait_until([&] { return b->running.load(); }));
    auto t = spawn(
        [b, d] {
          d->calling = true;
          d->ret = timer_delete_sync(&b->timer);
          d->finished_at_return = b->finished.load();
          d->returned = true;
          return 0;
        },
        "tm_delsync", 1);
    ASSERT_TRUE(wait_until([&] { return d->calling.load(); }));
    ktl::testing::let_run_us(15000);  // negative window only
    EXPECT_FALSE(d->returned.load()) << "timer_delete_sync returned while the callback ran";
    b->release = true;
    ASSERT_TRUE(join_for(t, kJoinMs));
    EXPECT_TRUE(d->finished_at_return.load());
    EXPECT_EQ(d->ret.load(), 0);
  }
}

// ---- periodic self re-arming -----------------------------------------------------------------

struct Periodic {
  timer_list timer;
  completion done;
  std::atomic<int> n{0};
  std::atomic<int> early{0};
  std::atomic<int> limit{20};
  std::atomic<bool> unlimited{false};
  ~Periodic() { timer_shutdown_sync(&timer); }
};

void periodic_fn(timer_list* t) {
  Periodic* p = from_timer(p, t, timer);
  if (time_before(jiffies, t->expires)) p->early++;
  int n = ++p->n;
  if (p->unlimited.load() || n < p->limit.load())
    mod_timer(t, jiffies + 1);
  else
    complete(&p->done);
}

TEST_P(TimerTest, SelfRearmingTimerRunsNTimes) {
  auto p = std::make_unique<Periodic>();
  timer_setup(&p->timer, periodic_fn, 0);
  const int n = 20;
  p->limit = n;
  mod_timer(&p->timer, jiffies + 1);
  ASSERT_TRUE(wait_for_completion_timeout(&p->done, 20 * HZ));
  let_jiffies_pass(3);
  EXPECT_EQ(p->n.load(), n);
  EXPECT_EQ(p->early.load(), 0);
  EXPECT_FALSE(timer_pending(&p->timer));
}

TEST_P(TimerTest, TimerShutdownMakesRearmingANoOp) {
  auto b = std::make_unique<Box>();
  timer_setup(&b->timer, box_fn, 0);
  EXPECT_EQ(mod_timer(&b->timer, jiffies + 100 * HZ), 0);
  EXPECT_EQ(timer_shutdown(&b->timer), 1) << "it was pending";
  EXPECT_FALSE(timer_pending(&b->timer));
  EXPECT_EQ(mod_timer(&b->timer, jiffies + 1), 0);
  EXPECT_FALSE(timer_pending(&b->timer)) << "mod_timer after timer_shutdown must be a no-op";
  b->timer.expires = jiffies + 1;
  add_timer(&b->timer);
  EXPECT_FALSE(timer_pending(&b->timer));
  add_timer_on(&b->timer, cpus() - 1);
  EXPECT_FALSE(timer_pending(&b->timer));
  EXPECT_EQ(timer_shutdown(&b->timer), 0) << "not pending any more";
  let_jiffies_pass(4);
  EXPECT_EQ(b->fired.load(), 0);
  // timer_setup() makes it usable again.
  timer_setup(&b->timer, box_fn, 0);
  EXPECT_EQ(mod_timer(&b->timer, jiffies + 1), 0);
  ASSERT_TRUE(wait_for_completion_timeout(&b->done, 10 * HZ));
  EXPECT_EQ(b->fired.load(), 1);
}

TEST_P(TimerTest, TimerShutdownSyncStopsSelfRearmingTimer) {
  auto p = std::make_unique<Periodic>();
  timer_setup(&p->timer, periodic_fn, 0);
  p->unlimited = true;
  mod_timer(&p->timer, jiffies + 1);
  ASSERT_TRUE(wait_until([&] { return p->n.load() >= 5; }));
  timer_shutdown_sync(&p->timer);
  int n = p->n.load();
  EXPECT_FALSE(timer_pending(&p->timer));
  let_jiffies_pass(4);
  EXPECT_EQ(p->n.load(), n) << "the callback's mod_timer must be a no-op after shutdown";
  EXPECT_FALSE(timer_pending(&p->timer));
}

// ---- placement -----------------------------------------------------------------------------

TEST_P(TimerTest, AddTimerOnRunsOnThatCpu) {
  for (int round = 0; round < 3; ++round) {
    std::vector<std::unique_ptr<Box>> boxes;
    for (int c = 0; c < cpus(); ++c) {
      boxes.push_back(std::make_unique<Box>());
      timer_setup(&boxes.back()->timer, box_fn, 0);
      boxes.back()->timer.expires = jiffies + 1 + round;
      add_timer_on(&boxes.back()->timer, c);
      EXPECT_TRUE(timer_pending(&boxes.back()->timer));
    }
    for (int c = 0; c < cpus(); ++c) {
      ASSERT_TRUE(wait_for_completion_timeout(&boxes[c]->done, 10 * HZ)) << "cpu " << c;
      EXPECT_EQ(boxes[c]->cpu.load(), c) << "add_timer_on(cpu) must run the callback on cpu";
    }
  }
  // From a task on another vCPU as well.
  auto t = spawn(
      [n = cpus()] {
        int bad = 0;
        for (int c = 0; c < n; ++c) {
          auto b = std::make_unique<Box>();
          timer_setup(&b->timer, box_fn, 0);
          b->timer.expires = jiffies + 1;
          add_timer_on(&b->timer, c);
          if (!wait_for_completion_timeout(&b->done, 10 * HZ) || b->cpu.load() != c) ++bad;
        }
        return bad;
      },
      "tm_addon", cpus() - 1);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(TimerTest, PinnedTimerRunsOnArmingCpu) {
  std::vector<task_handle> ts;
  for (int c = 0; c < cpus(); ++c) {
    ts.push_back(spawn(
        [c] {
          auto b = std::make_unique<Box>();
          timer_setup(&b->timer, box_fn, TIMER_PINNED);
          mod_timer(&b->timer, jiffies + 2);
          if (!wait_for_completion_timeout(&b->done, 10 * HZ)) return -1;
          return b->cpu.load() == c ? 0 : 1;
        },
        "tm_pinned", c));
  }
  for (auto& t : ts) {
    int r = -2;
    ASSERT_TRUE(join_for(t, kJoinMs, &r));
    EXPECT_EQ(r, 0);
  }
}

// ---- a sleeping callback: reported, and the kernel goes on ----------------------------------

struct SleepyBox {
  timer_list timer;
  completion done;
  ~SleepyBox() { timer_shutdown_sync(&timer); }
};

void sleepy_fn(timer_list* t) {
  SleepyBox* b = from_timer(b, t, timer);
  msleep(1);
  complete(&b->done);
}

TEST_P(TimerTest, MsleepInCallbackIsReportedAndKernelKeepsWorking) {
  log_clear();
  auto b = std::make_unique<SleepyBox>();
  timer_setup(&b->timer, sleepy_fn, 0);
  mod_timer(&b->timer, jiffies + 1);
  ASSERT_TRUE(wait_for_completion_timeout(&b->done, 10 * HZ)) << dmesg();
  EXPECT_NE(dmesg().find("BUG: sleeping function called from invalid context"), std::string::npos)
      << dmesg();
  // The system keeps working: tasks sleep and wake, timers fire.
  struct S {
    wait_queue_head wq;
    std::atomic<bool> go{false};
  };
  auto s = std::make_shared<S>();
  std::vector<task_handle> ts;
  for (int c = 0; c < cpus(); ++c) {
    ts.push_back(spawn(
        [s] {
          msleep(5);
          wait_event(s->wq, s->go.load());
          long r = schedule_timeout_uninterruptible(2);
          return r == 0 ? 0 : 1;
        },
        "tm_after", c));
  }
  for (auto& t : ts) ASSERT_TRUE(wait_until([&] { return task_state_to_char(t.task) == 'D'; }));
  s->go = true;
  wake_up_all(&s->wq);
  for (auto& t : ts) {
    int r = -1;
    ASSERT_TRUE(join_for(t, kJoinMs, &r));
    EXPECT_EQ(r, 0);
  }
  auto b2 = std::make_unique<Box>();
  timer_setup(&b2->timer, box_fn, 0);
  mod_timer(&b2->timer, jiffies + 1);
  ASSERT_TRUE(wait_for_completion_timeout(&b2->done, 10 * HZ));
  EXPECT_TRUE(b2->softirq.load());
}

// ---- many timers -----------------------------------------------------------------------------

struct ManyBox {
  timer_list timer;
  unsigned long want = 0;  // written before arming
  std::atomic<int> count{0};
  std::atomic<int> early{0};
  std::atomic<int> expected{1};
};
struct ManyShared {
  std::vector<ManyBox> boxes;
  std::atomic<int> total{0};
  explicit ManyShared(int n) : boxes(n) {}
  ~ManyShared() {
    for (auto& b : boxes) timer_shutdown_sync(&b.timer);
  }
};

void many_fn(timer_list* t) {
  ManyBox* b = from_timer(b, t, timer);
  if (time_before(jiffies, b->want)) b->early++;
  b->count++;
}

TEST_P(TimerTest, TenThousandRandomTimersFireExactlyOnceNeverEarly) {
  int n = 10000;
  auto s = std::make_shared<ManyShared>(n);
  const int parts = cpus() + 1;  // one slice per vCPU task plus one from the host
  auto arm_slice = [s, n, parts](int part, unsigned seed) {
    std::mt19937 rng(seed);
    int deleted = 0;
    for (int i = part; i < n; i += parts) {
      ManyBox& b = s->boxes[i];
      timer_setup(&b.timer, many_fn, 0);
      b.want = jiffies + 1 + rng() % 40;
      mod_timer(&b.timer, b.want);
      if (rng() % 10 == 0) {
        // Delete a few again; one that was still pending must never run.
        if (timer_delete(&b.timer) == 1) {
          b.expected = 0;
          ++deleted;
        }
      }
      if (i % 64 == 0) cond_resched();
    }
    return deleted;
  };
  std::vector<task_handle> ts;
  for (int c = 0; c < cpus(); ++c)
    ts.push_back(spawn([arm_slice, c] { return arm_slice(c, 1234 + c); }, "tm_many", c));
  arm_slice(cpus(), 99);
  for (auto& t : ts) ASSERT_TRUE(join_for(t, 20000));
  auto all_fired = [&] {
    for (auto& b : s->boxes)
      if (b.count.load() < b.expected.load()) return false;
    return true;
  };
  ASSERT_TRUE(wait_until(all_fired, 15000)) << "some timers never fired";
  let_jiffies_pass(3);
  int wrong = 0, early = 0, pending = 0;
  for (auto& b : s->boxes) {
    if (b.count.load() != b.expected.load()) ++wrong;
    early += b.early.load();
    if (timer_pending(&b.timer)) ++pending;
  }
  EXPECT_EQ(wrong, 0) << "timers that did not fire exactly once (or fired after a successful delete)";
  EXPECT_EQ(early, 0) << "timers that fired before their expiry";
  EXPECT_EQ(pending, 0);
}

KTL_INSTANTIATE_MACHINES(TimerTest);

}  // namespace
