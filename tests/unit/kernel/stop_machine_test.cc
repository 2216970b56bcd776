// cpu_stop and stop_machine (spec §4): migration/N in the stop class, stop_one_cpu(_nowait),
// stop_two_cpus and stop_machine's all-vCPUs-held guarantee.
#include <atomic>
#include <string>

#include <gmock/gmock.h>

#include "support/kernel_test.h"

namespace {

using namespace ktl;
using ktl::testing::join;
using ktl::testing::join_for;
using ktl::testing::kJoinMs;
using ktl::testing::KernelTest;
using ktl::testing::spawn;
using ktl::testing::stress_iterations;
using ktl::testing::wait_until;

class StopMachineTest : public KernelTest {};

// The vCPU a task is on, read the racy way (as /proc does) while the scheduler may move it.
KTL_DATA_RACY int racy_task_cpu(const task_struct* p) { return p->cpu; }

struct probe {
  std::atomic<int> cpu{-1};
  std::atomic<task_struct*> who{nullptr};
  std::atomic<bool> atomic_ctx{false};
  std::atomic<bool> irqs_off{false};
  std::atomic<int> calls{0};
  std::atomic<int> held_others{0};  // other online vCPUs whose stopper was on its CPU
  int ret = 0;
  completion done;
};

int probe_fn(void* arg) {
  auto* p = static_cast<probe*>(arg);
  p->cpu = smp_processor_id();
  p->who = get_current();
  p->atomic_ctx = in_atomic();
  p->irqs_off = irqs_disabled();
  p->calls++;
  int held = 0;
  int cpu;
  for_each_online_cpu(cpu) {
    if (cpu == smp_processor_id()) continue;
    task_struct* s = cpu_stopper_task(static_cast<unsigned>(cpu));
    if (s && s->on_cpu.load(std::memory_order_acquire) == 1 && task_is_running(s)) held++;
  }
  p->held_others = held;
  complete(&p->done);
  return p->ret;
}

TEST_P(StopMachineTest, StopOneCpuRunsInTheTargetsStopperAtomically) {
  for (int cpu = 0; cpu < cpus(); ++cpu) {
    probe p;
    init_completion(&p.done);
    p.ret = 40 + cpu;
    EXPECT_EQ(stop_one_cpu(static_cast<unsigned>(cpu), probe_fn, &p), 40 + cpu);
    EXPECT_EQ(p.cpu.load(), cpu);
    EXPECT_EQ(p.who.load(), cpu_stopper_task(static_cast<unsigned>(cpu)));
    EXPECT_TRUE(p.atomic_ctx.load()) << "cpu_stop callbacks run with preemption disabled";
    EXPECT_EQ(p.calls.load(), 1);
  }
  probe p;
  init_completion(&p.done);
  EXPECT_EQ(stop_one_cpu(static_cast<unsigned>(cpus()), probe_fn, &p), -ENOENT);
  EXPECT_EQ(p.calls.load(), 0);
}

TEST_P(StopMachineTest, StopOneCpuFromATask) {
  auto t = spawn([&] {
    probe p;
    init_completion(&p.done);
    p.ret = -EIO;
    int r = stop_one_cpu(static_cast<unsigned>(cpus() - 1), probe_fn, &p);
    return (r == -EIO && p.cpu.load() == cpus() - 1) ? 0 : 1;
  }, "smtask", 0);
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(StopMachineTest, StopOneCpuNowaitQueuesAndReturns) {
  probe p;
  init_completion(&p.done);
  cpu_stop_work work;
  EXPECT_TRUE(stop_one_cpu_nowait(static_cast<unsigned>(cpus() - 1), probe_fn, &p, &work));
  ASSERT_TRUE(wait_until([&] { return completion_done(&p.done); }));
  EXPECT_EQ(p.cpu.load(), cpus() - 1);
  EXPECT_EQ(p.calls.load(), 1);
  EXPECT_FALSE(stop_one_cpu_nowait(static_cast<unsigned>(NR_CPUS), probe_fn, &p, &work));
}

TEST_P(StopMachineTest, StopTwoCpusRunsOnTheFirstWithTheSecondHeld) {
  KTL_NEEDS_CPUS(2);
  for (int i = 0; i < 20; ++i) {
    probe p;
    init_completion(&p.done);
    p.ret = 7;
    const unsigned a = static_cast<unsigned>(i % cpus());
    const unsigned b = static_cast<unsigned>((i + 1) % cpus());
    EXPECT_EQ(stop_two_cpus(a, b, probe_fn, &p), 7);
    EXPECT_EQ(p.cpu.load(), static_cast<int>(a));
    EXPECT_EQ(p.calls.load(), 1);
    EXPECT_GE(p.held_others.load(), 1) << "the second vCPU's stopper spins while fn runs";
  }
}

// A busy task per vCPU: counts while it runs, with scheduling points.
struct spinner_state {
  std::atomic<bool> stop{false};
  std::atomic<unsigned long> count[NR_CPUS] = {};
};

struct machine_probe {
  spinner_state* sp;
  int nr;
  unsigned long before[8];
  bool moved = false;
  std::atomic<int> calls{0};
  std::atomic<int> held_others{-1};
  std::atomic<bool> irqs_off{false};
  int ret = 0;
};

int machine_fn(void* arg) {
  auto* m = static_cast<machine_probe*>(arg);
  if (m->calls++ > 0) return m->ret;  // with a mask it runs on each vCPU: one of them checks
  m->irqs_off = irqs_disabled();
  for (int i = 0; i < m->nr; ++i) m->before[i] = m->sp->count[i].load();
  // Spin a while: nothing else may run anywhere meanwhile.
  for (int k = 0; k < 2000; ++k) cpu_relax();
  for (int i = 0; i < m->nr; ++i)
    if (m->sp->count[i].load() != m->before[i]) m->moved = true;
  int held = 0;
  int cpu;
  for_each_online_cpu(cpu) {
    if (cpu == smp_processor_id()) continue;
    task_struct* s = cpu_stopper_task(static_cast<unsigned>(cpu));
    if (s && s->on_cpu.load(std::memory_order_acquire) == 1) held++;
  }
  m->held_others = held;
  return m->ret;
}

TEST_P(StopMachineTest, StopMachineHoldsEveryOtherVcpu) {
  spinner_state sp;
  std::vector<ktl::testing::task_handle> spinners;
  for (int c = 0; c < cpus(); ++c)
    spinners.push_back(spawn([&sp, c] {
      while (!sp.stop.load()) {
        sp.count[c].fetch_add(1);
        cond_resched();
      }
      return 0;
    }, "spinner", c));
  ASSERT_TRUE(wait_until([&] {
    for (int c = 0; c < cpus(); ++c)
      if (sp.count[c].load() == 0) return false;
    return true;
  }));
  const int rounds = simulated() ? 3 : stress_iterations(50);
  for (int i = 0; i < rounds; ++i) {
    machine_probe m;
    m.sp = &sp;
    m.nr = cpus();
    m.ret = i == 0 ? -EAGAIN : 0;
    EXPECT_EQ(stop_machine(machine_fn, &m, nullptr), m.ret);
    EXPECT_EQ(m.calls.load(), 1) << "cpus == NULL: fn runs on one vCPU only";
    EXPECT_TRUE(m.irqs_off.load()) << "fn runs with interrupts disabled";
    EXPECT_FALSE(m.moved) << "a task ran while stop_machine held the machine";
    EXPECT_EQ(m.held_others.load(), cpus() - 1);
  }
  // With a mask: fn runs on each vCPU in it.
  machine_probe m;
  m.sp = &sp;
  m.nr = cpus();
  cpumask all = cpu_online_mask();
  EXPECT_EQ(stop_machine(machine_fn, &m, &all), 0);
  EXPECT_EQ(m.calls.load(), cpus());
  sp.stop = true;
  for (auto& t : spinners) {
    int r = -1;
    EXPECT_TRUE(join_for(t, kJoinMs, &r));
    EXPECT_EQ(r, 0);
  }
}

TEST_P(StopMachineTest, StopperPreemptsSchedFifo99) {
  std::atomic<bool> stop{false};
  std::atomic<bool> running{false};
  const int c = cpus() - 1;
  auto rt = spawn([&] {
    ktl::sched_param sp{MAX_RT_PRIO - 1};
    ktl::sched_setscheduler(get_current(), SCHED_FIFO, &sp);
    running = true;
    while (!stop.load()) cond_resched();
    return 0;
  }, "rt99", c);
  ASSERT_TRUE(wait_until([&] { return running.load(); }));
  probe p;
  init_completion(&p.done);
  EXPECT_EQ(stop_one_cpu(static_cast<unsigned>(c), probe_fn, &p), 0);
  EXPECT_EQ(p.cpu.load(), c);
  stop = true;
  int r = -1;
  EXPECT_TRUE(join_for(rt, kJoinMs, &r));
}

TEST_P(StopMachineTest, MigrationThreadsShowAsFifo99InPs) {
  std::string out = ps("-eo pid,ppid,stat,psr,ni,cls,rtprio,command");
  for (int c = 0; c < cpus(); ++c) {
    task_struct* s = cpu_stopper_task(static_cast<unsigned>(c));
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(std::string(s->comm), "migration/" + std::to_string(c));
    EXPECT_EQ(s->policy, SCHED_FIFO);
    EXPECT_EQ(s->rt_priority, 99u);
    EXPECT_EQ(task_cpu(s), c);
    EXPECT_NE(out.find("[migration/" + std::to_string(c) + "]"), std::string::npos) << out;
  }
  EXPECT_NE(out.find("  -  FF     99 [migration/0]"), std::string::npos) << out;
}

int leaky_fn(void*) {
  preempt_disable();
  return 0;
}

TEST_P(StopMachineTest, LeakedPreemptCountIsReportedAndRepaired) {
  EXPECT_EQ(stop_one_cpu(0, leaky_fn, nullptr), 0);
  // The report comes after the caller was released (the leak shows once fn has returned).
  EXPECT_TRUE(wait_until([&] { return log().find("leaked preempt count") != std::string::npos; }));
  EXPECT_THAT(log(), ::testing::ContainsRegex("cpu_stop: .*leaked preempt count"));
  // The stopper still works (it can sleep and be woken again).
  probe p;
  init_completion(&p.done);
  p.ret = 5;
  EXPECT_EQ(stop_one_cpu(0, probe_fn, &p), 5);
}

// set_cpus_allowed_ptr() of a task running elsewhere returns once the stopper of its vCPU has
// moved it off (affine_move_task).
TEST_P(StopMachineTest, SetCpusAllowedMovesARunningTaskThroughTheStopper) {
  KTL_NEEDS_CPUS(2);
  const int from = cpus() - 1;
  std::atomic<bool> stop{false};
  std::atomic<unsigned long> spins{0};
  std::atomic<int> seen_on_from_after{0};
  std::atomic<bool> moved{false};
  auto busy = spawn([&] {
    while (!stop.load()) {
      if (moved.load() && smp_processor_id() == from) seen_on_from_after++;
      spins++;
      cond_resched();
    }
    return 0;
  }, "busy", from);
  ASSERT_TRUE(wait_until([&] { return spins.load() > 10; }));
  const int rounds = simulated() ? 3 : 20;
  for (int i = 0; i < rounds; ++i) {
    int to = i % (cpus() - 1);
    cpumask m = cpumask::of(to);
    EXPECT_EQ(set_cpus_allowed_ptr(busy.task, &m), 0);
    EXPECT_EQ(racy_task_cpu(busy.task), to) << "moved by the time set_cpus_allowed_ptr returned";
    moved = true;
    unsigned long s0 = spins.load();
    ASSERT_TRUE(wait_until([&] { return spins.load() > s0 + 3; }));
    EXPECT_EQ(seen_on_from_after.load(), 0);
    moved = false;
    cpumask back = cpumask::of(from);
    EXPECT_EQ(set_cpus_allowed_ptr(busy.task, &back), 0);
    EXPECT_EQ(racy_task_cpu(busy.task), from);
  }
  stop = true;
  int r = -1;
  EXPECT_TRUE(join_for(busy, kJoinMs, &r));
}

KTL_INSTANTIATE_MACHINES(StopMachineTest);

}  // namespace
