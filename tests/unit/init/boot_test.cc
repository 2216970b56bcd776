// Boot and poweroff (spec §12): rest_init's order, the boot log, init as the first user task,
// initcalls, and an orderly poweroff that stops kthreads and names the ones that will not stop.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <string>

#include "ktl/fs/ps.h"
#include "ktl/ktl.h"
#include "support/kernel_test.h"

namespace ktl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

boot_params quiet_params(int cpus) {
  boot_params bp;
  bp.cpus = cpus;
  bp.console_fd = -1;
  return bp;
}

// Position of `what` in the log, or npos (reported by the caller).
std::size_t at(const std::string& log, const std::string& what) { return log.find(what); }

std::atomic<int> g_boot_thread_runs{0};
int boot_thread_fn(void*) {
  g_boot_thread_runs.fetch_add(1);
  while (!kthread_should_stop()) schedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);
  return 7;
}
int boot_initcall(void* arg) {
  auto* seen = static_cast<std::atomic<int>*>(arg);
  seen->store(system_state.load());
  task_struct* t = kthread_run(boot_thread_fn, nullptr, "kboot/%d", 0);
  return IS_ERR(t) ? static_cast<int>(PTR_ERR(t)) : 0;
}

class BootTest : public ::testing::TestWithParam<int> {};

TEST_P(BootTest, BootLogTellsTheStoryInOrder) {
  std::atomic<int> state_in_initcall{-1};
  boot_params bp = quiet_params(GetParam());
  bp.initcall = boot_initcall;
  bp.initcall_arg = &state_in_initcall;
  ASSERT_EQ(start_kernel(bp), 0);
  EXPECT_EQ(system_state.load(), SYSTEM_RUNNING);
  EXPECT_EQ(state_in_initcall.load(), SYSTEM_SCHEDULING);
  std::string log = dmesg();
  std::vector<std::string> story = {
      "Linux version 6.18.0-ktl",
      "smp: Bringing up secondary CPUs ...",
      "smp: Brought up 1 node, " + std::to_string(GetParam()) +
          (GetParam() == 1 ? " CPU\n" : " CPUs\n"),
      "sched: idle tasks swapper/0.." + std::to_string(GetParam() - 1) + " (pid 0)",
      "rest_init: created init (pid 1), waits for kthreadd_done",
      "rest_init: created kthreadd (pid 2)",
      "kthreadd: created kthread kworker/0:0 (pid 3)",
      "kthreadd: created kthread kboot/0 (pid " +
          std::to_string(3 + ktl::testing::boot_kthreads(GetParam())) + ")",
      "Run /sbin/init as init process",
  };
  if (GetParam() > 1) {
    std::string cpus = ".... node  #0, CPUs:";
    for (int c = 1; c < GetParam(); ++c) cpus += " #" + std::to_string(c);
    story.insert(story.begin() + 2, cpus + "\n");
  }
  std::size_t last = 0;
  for (const auto& line : story) {
    std::size_t pos = at(log, line);
    ASSERT_NE(pos, std::string::npos) << "missing: " << line << "\n" << log;
    EXPECT_GE(pos, last) << "out of order: " << line << "\n" << log;
    last = pos;
  }
  // Once the system runs, kthread creation is not logged any more.
  task_struct* t = kthread_run(boot_thread_fn, nullptr, "klater");
  ASSERT_FALSE(IS_ERR(t));
  EXPECT_THAT(dmesg(), Not(HasSubstr("created kthread klater")));
  // Poweroff stops both (kthread_stop semantics) and says how many.
  EXPECT_EQ(kernel_poweroff(), 0);
  EXPECT_THAT(dmesg(), HasSubstr("reboot: stopped " +
                                 std::to_string(2 + ktl::testing::boot_kthreads(GetParam())) +
                                 " kthreads\n"));
  EXPECT_THAT(dmesg(), HasSubstr("reboot: Power down\n"));
  EXPECT_EQ(system_state.load(), SYSTEM_POWER_OFF);
  EXPECT_EQ(nr_threads(), 0);
}

struct init_seen {
  pid_t pid = 0, ppid = -1;
  bool kthread = true, has_mm = false;
  char comm[16] = {};
};
int init_prog(void* arg) {
  auto* s = static_cast<init_seen*>(arg);
  task_struct* me = get_current();
  s->pid = me->pid;
  s->ppid = me->real_parent ? me->real_parent->pid : 0;
  s->kthread = me->flags & PF_KTHREAD;
  s->has_mm = me->mm != nullptr;
  std::memcpy(s->comm, me->comm, sizeof s->comm);
  return 42;
}

TEST_P(BootTest, InitProgramRunsAsPid1UserTaskWithAnMm) {
  init_seen seen;
  boot_params bp = quiet_params(GetParam());
  bp.init_program = init_prog;
  bp.init_arg = &seen;
  ASSERT_EQ(start_kernel(bp), 0);
  EXPECT_EQ(kernel_wait_init(), 42);
  EXPECT_EQ(seen.pid, 1);
  EXPECT_EQ(seen.ppid, 0);
  EXPECT_FALSE(seen.kthread);
  EXPECT_TRUE(seen.has_mm);
  EXPECT_STREQ(seen.comm, "init");
  // init outlives its program (it is still pid 1 in ps) until poweroff.
  EXPECT_THAT(ps("-eo pid,ppid,stat,command"), ::testing::ContainsRegex("\n +1 +0 S +init\n"));
  EXPECT_EQ(kernel_poweroff(), 0);
}

TEST_P(BootTest, WaitInitWithoutAProgramIsENOENT) {
  ASSERT_EQ(start_kernel(quiet_params(GetParam())), 0);
  EXPECT_EQ(kernel_wait_init(), -ENOENT);
  EXPECT_EQ(kernel_poweroff(), 0);
  EXPECT_EQ(kernel_wait_init(), -ENOENT);
}

struct stop_seen {
  std::atomic<int> stopped{0};
  std::atomic<int> ran{0};
};
int sleeper_fn(void* arg) {
  auto* s = static_cast<stop_seen*>(arg);
  s->ran.fetch_add(1);
  while (!kthread_should_stop()) msleep_interruptible(10000);
  s->stopped.fetch_add(1);
  return 0;
}
int waiter_fn(void* arg) {
  auto* s = static_cast<stop_seen*>(arg);
  s->ran.fetch_add(1);
  DECLARE_WAIT_QUEUE_HEAD(never);
  wait_event_interruptible(never, kthread_should_stop());
  s->stopped.fetch_add(1);
  return 0;
}
int parker_fn(void* arg) {
  auto* s = static_cast<stop_seen*>(arg);
  s->ran.fetch_add(1);
  while (!kthread_should_stop()) {
    if (kthread_should_park()) kthread_parkme();
    else schedule_timeout_idle(HZ);
  }
  s->stopped.fetch_add(1);
  return 0;
}

TEST_P(BootTest, PoweroffStopsKthreadsInEveryState) {
  stop_seen seen;
  ASSERT_EQ(start_kernel(quiet_params(GetParam())), 0);
  task_struct* a = kthread_run(sleeper_fn, &seen, "ksleeper");
  task_struct* b = kthread_run(waiter_fn, &seen, "kwaiter");
  task_struct* c = kthread_run(parker_fn, &seen, "kparker");
  task_struct* d = kthread_create(sleeper_fn, &seen, "knever_woken");
  ASSERT_FALSE(IS_ERR(a) || IS_ERR(b) || IS_ERR(c) || IS_ERR(d));
  ASSERT_TRUE(testing::wait_until([&] { return seen.ran.load() == 3; }));
  ASSERT_EQ(kthread_park(c), 0);
  EXPECT_EQ(task_state_to_char(c), 'P');
  EXPECT_EQ(task_state_to_char(d), 'D');
  EXPECT_EQ(kernel_poweroff(), 0);
  EXPECT_EQ(seen.stopped.load(), 3);  // the unwoken one exits without running threadfn
  EXPECT_EQ(seen.ran.load(), 3);
  EXPECT_THAT(dmesg(), HasSubstr("reboot: stopped " +
                                 std::to_string(4 + ktl::testing::boot_kthreads(GetParam())) +
                                 " kthreads\n"));
  EXPECT_THAT(kernel_poweroff_stuck(), ::testing::StrEq(""));
}

std::atomic<bool> g_user_killed{false};
int user_fn(void*) {
  while (!fatal_signal_pending(get_current())) msleep_interruptible(10000);
  g_user_killed = true;
  return 0;
}

TEST_P(BootTest, PoweroffKillsUserTasks) {
  g_user_killed = false;
  ASSERT_EQ(start_kernel(quiet_params(GetParam())), 0);
  ASSERT_GT(user_thread(user_fn, nullptr, "daemon"), 0);
  EXPECT_EQ(kernel_poweroff(), 0);
  EXPECT_TRUE(g_user_killed.load());
  EXPECT_EQ(nr_threads(), 0);
}

int stubborn_fn(void*) {
  for (;;) ssleep(1);  // ignores kthread_stop
  return 0;
}

// The stuck kthread keeps its vCPU state alive, so this runs in a child process.
TEST(BootDeathTest, PoweroffNamesAKthreadThatWillNotStop) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        boot_params bp;
        bp.cpus = 2;
        bp.console_fd = 2;
        bp.loglevel = 4;  // errors only on the console
        bp.poweroff_timeout_ms = 200;
        if (start_kernel(bp)) _exit(10);
        task_struct* t = kthread_run(stubborn_fn, nullptr, "kstubborn");
        if (IS_ERR(t)) _exit(11);
        while (task_state_to_char(t) != 'D') msleep(1);
        int r = kernel_poweroff();
        std::string stuck = kernel_poweroff_stuck();
        std::fprintf(stderr, "poweroff=%d stuck=[%s]\n", r, stuck.c_str());
        _exit(r == -ETIMEDOUT && stuck.find("kstubborn:15 (state D)") != std::string::npos ? 3
                                                                                        : 1);
      },
      ::testing::ExitedWithCode(3),
      "reboot: kthread kstubborn:15 did not stop within 200 ms \\(state D, wchan msleep\\)"
      "(.|\n)*stuck=\\[kstubborn:15 \\(state D\\)\\]");
}

TEST(BootCycleTest, RebootCyclesLeaveNothingBehind) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(start_kernel(quiet_params(2)), 0);
    EXPECT_EQ(nr_threads(), 2 + ktl::testing::boot_kthreads(2));  // init, kthreadd, kworkers
    EXPECT_EQ(kernel_poweroff(), 0);
    EXPECT_EQ(nr_threads(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Cpus, BootTest, ::testing::Values(1, 2, 4));

}  // namespace
}  // namespace ktl
