// <linux/sched.h> & co. from C (tests/compat/c/sched.c): the task view current->... reads ktl's
// own fields, sleeps started from C behave as Linux's (and show the C function as wchan),
// signals, priorities, cpumasks, preemption count and stop_machine.
#include <cstring>
#include <string>

#include "ktl/fs/proc.h"
#include "ktl/kernel/cpu.h"
#include "ktl/sched/signal.h"
#include "ktl/time/jiffies.h"
#include "support/kernel_test.h"

namespace {

// The C side's struct ctest_task_view, field for field.
struct ctest_task_view {
  const void* self;
  int pid;
  int tgid;
  char comm[16];
  const void* mm;
  unsigned int flags;
  unsigned int cpu;
  const void* cpus_ptr;
  const void* cpus_mask_addr;
  unsigned long cpus_mask_word0;
  int nr_cpus_allowed;
  unsigned long pending;
  unsigned long blocked;
  int prio;
  int static_prio;
  unsigned int policy;
  unsigned int rt_priority;
  int nice;
  const void* real_parent;
  unsigned long nvcsw;
};

extern "C" {
int ctest_sched_read_task(ktl::task_struct* p, ctest_task_view* v);
int ctest_sched_read_current(ctest_task_view* v);
int ctest_sched_bare_schedule_interruptible(void);
int ctest_sched_bare_schedule_uninterruptible(void);
long ctest_sched_timeout_sleeper(void);
int ctest_sched_timeouts_expire(void);
int ctest_sched_signals(void);
int ctest_sched_priorities(void);
int ctest_sched_cpus(void);
int ctest_sched_hotplug(void);
int ctest_sched_preempt(void);
int ctest_sched_stop_machine(void);
}

using namespace ktl;
using ktl::testing::join_for;
using ktl::testing::KernelTest;
using ktl::testing::kJoinMs;
using ktl::testing::spawn;
using ktl::testing::spawn_user;
using ktl::testing::wait_state;

class CompatSchedTest : public KernelTest {};

// Every field of the C view equals ktl's; returns 0 or the number of the first mismatch.
int compare_view(const task_struct* p, const ctest_task_view& v) {
  if (v.self != p) return 1;
  if (v.pid != p->pid || v.tgid != p->tgid) return 2;
  if (std::strncmp(v.comm, p->comm, sizeof(v.comm)) != 0) return 3;
  if (v.mm != p->mm) return 4;
  if (v.flags != p->flags) return 5;
  if (v.cpu != static_cast<unsigned>(p->cpu)) return 6;
  if (v.cpus_ptr != &p->cpus_mask || v.cpus_mask_addr != &p->cpus_mask) return 7;
  if (v.cpus_mask_word0 != p->cpus_mask.bits[0]) return 8;
  if (v.nr_cpus_allowed != p->nr_cpus_allowed) return 9;
  if (v.pending != p->sig_pending.load() || v.blocked != p->sig_blocked) return 10;
  if (v.prio != p->prio || v.static_prio != p->static_prio) return 11;
  if (v.policy != static_cast<unsigned>(p->policy) || v.rt_priority != p->rt_priority) return 12;
  if (v.nice != task_nice(p)) return 13;
  if (v.real_parent != p->real_parent) return 14;
  if (v.nvcsw != p->nvcsw) return 15;
  return 0;
}

TEST_P(CompatSchedTest, CurrentViewReadsKtlFieldsInAKthread) {
  auto t = spawn(
      [] {
        task_struct* me = get_current();
        ctest_task_view v{};
        if (int r = ctest_sched_read_current(&v)) return 100 + r;
        if (int r = compare_view(me, v)) return r;
        // Kernel threads have no mm and carry PF_KTHREAD.
        if (v.mm != nullptr || !(v.flags & PF_KTHREAD)) return 20;
        // A pending (allowed) signal and a blocked set show in pending.signal / blocked.
        allow_signal(SIGUSR2);
        send_sig(SIGUSR2, me, 0);
        me->sig_blocked = sigmask(SIGHUP);
        set_user_nice(me, 3);
        if (int r = ctest_sched_read_current(&v)) return 100 + r;
        if (int r = compare_view(me, v)) return 40 + r;
        if (v.pending != sigmask(SIGUSR2) || v.blocked != sigmask(SIGHUP) || v.nice != 3)
          return 60;
        flush_signals(me);
        me->sig_blocked = 0;
        return 0;
      },
      "cview");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(CompatSchedTest, CurrentViewOfAUserTaskHasItsMm) {
  auto t = spawn_user(
      [] {
        task_struct* me = get_current();
        ctest_task_view v{};
        if (int r = ctest_sched_read_current(&v)) return 100 + r;
        if (int r = compare_view(me, v)) return r;
        if (v.mm == nullptr || (v.flags & PF_KTHREAD)) return 20;
        return 0;
      },
      "cuser");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(CompatSchedTest, ViewOfAnotherTaskReadsItsFields) {
  auto sleeper = spawn(
      [] {
        set_current_state(TASK_INTERRUPTIBLE);
        schedule();
        return 0;
      },
      "cother");
  ASSERT_TRUE(wait_state(sleeper, 'S'));
  auto t = spawn(
      [&sleeper] {
        ctest_task_view v{};
        if (int r = ctest_sched_read_task(sleeper.task, &v)) return 100 + r;
        if (int r = compare_view(sleeper.task, v)) return r;
        return std::strcmp(v.comm, "cother") == 0 ? 0 : 50;
      },
      "creader");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  wake_up_process(sleeper.task);
  ASSERT_TRUE(join_for(sleeper, kJoinMs));
}

// A bare set_current_state(TASK_INTERRUPTIBLE) + schedule() from C: S, blocked in the calling C
// function, and any wake-up ends it.
TEST_P(CompatSchedTest, BareScheduleReturnsOnAnyWakeUp) {
  auto t = spawn([] { return ctest_sched_bare_schedule_interruptible(); }, "cbare_s");
  ASSERT_TRUE(wait_state(t, 'S')) << task_state_to_char(t.task);
  EXPECT_EQ(proc_pid_wchan(t.task), "ctest_sched_bare_schedule_interruptible");
  EXPECT_EQ(wake_up_process(t.task), 1);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);

  auto u = spawn([] { return ctest_sched_bare_schedule_uninterruptible(); }, "cbare_d");
  ASSERT_TRUE(wait_state(u, 'D')) << task_state_to_char(u.task);
  EXPECT_EQ(proc_pid_wchan(u.task), "ctest_sched_bare_schedule_uninterruptible");
  // A signal does not end an uninterruptible sleep (nor does an interruptible-only wake-up).
  EXPECT_EQ(wake_up_state(u.task, TASK_INTERRUPTIBLE), 0);
  EXPECT_EQ(wake_up_process(u.task), 1);
  ASSERT_TRUE(join_for(u, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

// schedule_timeout() in TASK_INTERRUPTIBLE returns early on wake_up_process() with the jiffies
// left.
TEST_P(CompatSchedTest, ScheduleTimeoutReturnsRemainingJiffiesWhenWoken) {
  constexpr long kTimeout = 100 * 250;  // 100 * HZ
  unsigned long j0 = jiffies;
  auto t = spawn([] { return static_cast<int>(ctest_sched_timeout_sleeper()); }, "cto");
  ASSERT_TRUE(wait_state(t, 'S'));
  EXPECT_EQ(proc_pid_wchan(t.task), "ctest_sched_timeout_sleeper");
  EXPECT_EQ(wake_up_process(t.task), 1);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  unsigned long j1 = jiffies;
  EXPECT_LE(r, kTimeout);
  EXPECT_GE(r, kTimeout - static_cast<long>(j1 - j0)) << "woken after " << (j1 - j0)
                                                      << " jiffies";
  EXPECT_GT(r, 0);
}

TEST_P(CompatSchedTest, TimeoutsRunToTheirEnd) {
  auto t = spawn([] { return ctest_sched_timeouts_expire(); }, "ctimeouts");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0) << log();
  EXPECT_NE(log().find("schedule_timeout: wrong timeout value ffffffffffffffff"), std::string::npos)
      << log();
}

TEST_P(CompatSchedTest, AllowedSignalIsPendingUntilFlushed) {
  auto t = spawn([] { return ctest_sched_signals(); }, "csignals");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0) << log();
}

TEST_P(CompatSchedTest, PrioritiesAndPolicies) {
  auto t = spawn([] { return ctest_sched_priorities(); }, "cprio");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0) << log();
}

TEST_P(CompatSchedTest, CpumasksAndProcessorIds) {
  for (int cpu = 0; cpu < cpus(); ++cpu) {
    auto t = spawn([] { return ctest_sched_cpus(); }, "ccpus", cpu);
    int r = -1;
    ASSERT_TRUE(join_for(t, kJoinMs, &r));
    EXPECT_EQ(r, 0) << "on vCPU " << cpu << "\n" << log();
  }
}

TEST_P(CompatSchedTest, HotplugChangesTheOnlineMask) {
  KTL_NEEDS_CPUS(2);
  auto t = spawn([] { return ctest_sched_hotplug(); }, "chotplug", 0);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0) << log();
  EXPECT_TRUE(cpu_online(1));
}

TEST_P(CompatSchedTest, PreemptCount) {
  auto t = spawn([] { return ctest_sched_preempt(); }, "cpreempt");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0) << log();
}

TEST_P(CompatSchedTest, StopMachineAndStopOneCpu) {
  auto t = spawn([] { return ctest_sched_stop_machine(); }, "cstop");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0) << log();
}

KTL_INSTANTIATE_MACHINES(CompatSchedTest);

}  // namespace
