// Per-CPU hotplug threads (smpboot), from the spec (§3): registration creates one thread per
// online CPU, named by thread_comm, bound and per-CPU; create() runs in the registering context
// with the thread parked; setup() once in the thread before the first thread_fn(); the
// thread_should_run()/thread_fn() loop and the S state between; unregister calls cleanup(cpu,
// online) and stops every thread; a creation failure returns the error and leaves nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "kthread/kthread_internal.h"
#include "ktl/kernel/interrupt.h"
#include "ktl/kthread/smpboot.h"
#include "support/kernel_test.h"

namespace ktl {
namespace {

using testing::join_for;
using testing::kJoinMs;
using testing::let_run_us;
using testing::spawn;
using testing::task_handle;
using testing::wait_until;

constexpr int kMaxCpus = 8;  // the test machines have at most 4 vCPUs

// What the callbacks saw, per CPU. The callbacks are plain function pointers: one global record,
// made fresh by every body (the simulation re-runs the body per seed).
struct SB {
  std::atomic<int> seq{0};
  std::atomic<int> bad_should_run_not_atomic{0};
  std::atomic<int> bad_fn_context{0};      // thread_fn not RUNNING / not in its thread / CPU
  std::atomic<int> bad_fn_before_setup{0};
  std::atomic<int> bad_create{0};          // create() with the thread not parked or already set up
  std::atomic<int> fail_fork_after_create_of{-1};
  struct PerCpu {
    std::atomic<int> setup{0}, fn{0}, create{0}, cleanup{0}, should_run{0};
    std::atomic<int> work{0};
    std::atomic<int> setup_cpu{-1}, cleanup_cpu{-1}, cleanup_online{-1};
    std::atomic<int> setup_seq{-1}, first_fn_seq{-1};
    std::atomic<task_struct*> setup_task{nullptr}, cleanup_task{nullptr}, create_caller{nullptr};
  } cpu[kMaxCpus];
};
SB* g_sb = nullptr;

DEFINE_PER_CPU(task_struct*, sb_store);

task_struct* slot(int cpu) { return *per_cpu_ptr(&sb_store, cpu); }

int sb_should_run(unsigned int cpu) {
  auto& c = g_sb->cpu[cpu];
  c.should_run.fetch_add(1);
  if (!in_atomic()) g_sb->bad_should_run_not_atomic.fetch_add(1);  // preemption disabled
  return c.work.load() > 0;
}

void sb_thread_fn(unsigned int cpu) {
  auto& c = g_sb->cpu[cpu];
  if (task_state(get_current()) != TASK_RUNNING || in_atomic() ||
      smp_processor_id() != static_cast<int>(cpu) || get_current() != slot(static_cast<int>(cpu)))
    g_sb->bad_fn_context.fetch_add(1);
  if (c.setup.load() != 1) g_sb->bad_fn_before_setup.fetch_add(1);
  if (c.fn.load() == 0) c.first_fn_seq = g_sb->seq.fetch_add(1);
  c.work.fetch_sub(1);
  c.fn.fetch_add(1);
}

void sb_setup(unsigned int cpu) {
  auto& c = g_sb->cpu[cpu];
  c.setup_cpu = smp_processor_id();
  c.setup_task = get_current();
  c.setup_seq = g_sb->seq.fetch_add(1);
  c.setup.fetch_add(1);
}

void sb_cleanup(unsigned int cpu, bool online) {
  auto& c = g_sb->cpu[cpu];
  c.cleanup_cpu = smp_processor_id();
  c.cleanup_task = get_current();
  c.cleanup_online = online ? 1 : 0;
  c.cleanup.fetch_add(1);
}

void sb_create(unsigned int cpu) {
  auto& c = g_sb->cpu[cpu];
  c.create_caller = get_current();
  task_struct* t = slot(static_cast<int>(cpu));
  // Called once the new thread sits parked and off its CPU, before it ever ran a callback.
  if (!t || task_state(t) != TASK_PARKED || t->on_cpu.load() != 0 || c.setup.load() != 0 ||
      c.fn.load() != 0)
    g_sb->bad_create.fetch_add(1);
  c.create.fetch_add(1);
  if (g_sb->fail_fork_after_create_of.load() == static_cast<int>(cpu))
    internal::kthreadd_fail_next_fork(-ENOMEM);
}

std::unique_ptr<smp_hotplug_thread> make_ht(bool with_create = true) {
  auto ht = std::make_unique<smp_hotplug_thread>();
  ht->store = &sb_store;
  ht->thread_should_run = sb_should_run;
  ht->thread_fn = sb_thread_fn;
  ht->setup = sb_setup;
  ht->cleanup = sb_cleanup;
  if (with_create) ht->create = sb_create;
  ht->thread_comm = "sbtest/%u";
  return ht;
}

// Runs fn in a kthread (pinned to cpu if >= 0) and returns its result; *who = the task.
int run_task(std::function<int()> fn, int cpu = -1, task_struct** who = nullptr) {
  task_handle t = spawn(std::move(fn), "sb_ctl", cpu);
  if (who) *who = t.task;
  int r = -1000;
  if (!join_for(t, kJoinMs, &r)) ADD_FAILURE() << "control task did not finish";
  return r;
}

int do_register(smp_hotplug_thread* ht, task_struct** who = nullptr) {
  return run_task([ht] { return smpboot_register_percpu_thread(ht); }, -1, who);
}
void do_unregister(smp_hotplug_thread* ht) {
  EXPECT_EQ(run_task([ht] {
              smpboot_unregister_percpu_thread(ht);
              return 0;
            }),
            0);
}

// Live tasks whose comm starts with `prefix`.
int count_live(const std::string& prefix) {
  std::vector<task_struct*> ts = snapshot_tasks();
  int n = 0;
  for (task_struct* p : ts)
    if (std::string(p->comm).rfind(prefix, 0) == 0 && p->exit_state.load() == 0) ++n;
  put_task_snapshot(ts);
  return n;
}

// Sleeping in S, off its runqueue.
bool wait_sleeping(task_struct* t, int ms = 5000) {
  return wait_until([t] {
    return task_state_to_char(t) == 'S' &&
           !(t->state_word.load(std::memory_order_acquire) & task_struct::kOnRqBit);
  }, ms);
}

// /proc/PID/stat field `n` (1-based; 2 is comm).
std::string stat_field(pid_t pid, int n) {
  std::string s;
  if (proc_read("/proc/" + std::to_string(pid) + "/stat", &s) != 0) return "";
  std::size_t close = s.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream in(s.substr(close + 1));
  std::string f;
  for (int i = 3; i <= n; ++i)
    if (!(in >> f)) return "";
  return f;
}

class SmpbootTest : public testing::KernelTest {
 protected:
  // A fresh record for this body (the simulation re-runs the body per seed).
  SB& reset() {
    sb_ = std::make_unique<SB>();
    g_sb = sb_.get();
    for (int c = 0; c < NR_CPUS; ++c) *per_cpu_ptr(&sb_store, c) = nullptr;
    return *sb_;
  }
  void TearDown() override {
    KernelTest::TearDown();
    g_sb = nullptr;
  }
  std::unique_ptr<SB> sb_;
};

TEST_P(SmpbootTest, RegisterCreatesOneBoundPerCpuThreadPerOnlineCpu) {
  SB& sb = reset();
  ASSERT_LE(cpus(), kMaxCpus);
  auto ht = make_ht();
  task_struct* registrar = nullptr;
  ASSERT_EQ(do_register(ht.get(), &registrar), 0);
  EXPECT_EQ(count_live("sbtest/"), cpus()) << "one thread per online CPU";
  for (int cpu = 0; cpu < cpus(); ++cpu) {
    SCOPED_TRACE("CPU " + std::to_string(cpu));
    task_struct* t = slot(cpu);
    ASSERT_NE(t, nullptr) << "the store holds the CPU's thread";
    EXPECT_EQ(std::string(t->comm), "sbtest/" + std::to_string(cpu));
    EXPECT_TRUE(t->flags & PF_KTHREAD);
    EXPECT_TRUE(kthread_is_per_cpu(t));
    EXPECT_EQ(t->real_parent, kthreadd_task) << "created by kthreadd";
    EXPECT_EQ(t->nr_cpus_allowed, 1);
    EXPECT_TRUE(t->cpus_mask.test(cpu)) << "bound to its CPU";
    EXPECT_EQ(t->policy, SCHED_NORMAL);
    EXPECT_EQ(task_nice(t), 0);
    ASSERT_TRUE(wait_until([&] { return sb.cpu[cpu].setup.load() == 1; }));
    ASSERT_TRUE(wait_sleeping(t)) << "STAT S when there is nothing to do, is "
                                  << task_state_to_char(t);
    EXPECT_EQ(task_cpu(t), cpu);
    EXPECT_EQ(stat_field(t->pid, 39), std::to_string(cpu)) << "PSR (stat field 39)";
    EXPECT_EQ(stat_field(t->pid, 3), "S");
    // create(): once per thread, from the registering context, with the thread parked.
    EXPECT_EQ(sb.cpu[cpu].create.load(), 1);
    EXPECT_EQ(sb.cpu[cpu].create_caller.load(), registrar);
    // setup(): in the thread itself, on its CPU.
    EXPECT_EQ(sb.cpu[cpu].setup_task.load(), t);
    EXPECT_EQ(sb.cpu[cpu].setup_cpu.load(), cpu);
    EXPECT_EQ(sb.cpu[cpu].fn.load(), 0) << "nothing to do: thread_fn never called";
    EXPECT_EQ(sb.cpu[cpu].cleanup.load(), 0);
  }
  EXPECT_EQ(sb.bad_create.load(), 0) << "create() ran with the thread not parked/off-CPU";
  EXPECT_EQ(sb.bad_should_run_not_atomic.load(), 0)
      << "thread_should_run() is called with preemption disabled";
  do_unregister(ht.get());
  EXPECT_TRUE(wait_until([] { return count_live("sbtest/") == 0; }));
}

TEST_P(SmpbootTest, SetupRunsOnceInTheThreadBeforeTheFirstThreadFn) {
  SB& sb = reset();
  auto ht = make_ht();
  // Work is waiting before the threads exist: the first thing each does is still setup().
  for (int cpu = 0; cpu < cpus(); ++cpu) sb.cpu[cpu].work = 3;
  ASSERT_EQ(do_register(ht.get()), 0);
  for (int cpu = 0; cpu < cpus(); ++cpu) {
    SCOPED_TRACE("CPU " + std::to_string(cpu));
    auto& c = sb.cpu[cpu];
    ASSERT_TRUE(wait_until([&] { return c.fn.load() == 3; }));
    ASSERT_TRUE(wait_sleeping(slot(cpu)));
    EXPECT_EQ(c.setup.load(), 1);
    EXPECT_LT(c.setup_seq.load(), c.first_fn_seq.load()) << "setup() before the first thread_fn()";
    EXPECT_EQ(c.setup_task.load(), slot(cpu));
    EXPECT_EQ(c.setup_cpu.load(), cpu);
    // More work later: thread_fn again, setup never again.
    c.work = 2;
    wake_up_process(slot(cpu));
    ASSERT_TRUE(wait_until([&] { return c.fn.load() == 5; }));
    ASSERT_TRUE(wait_sleeping(slot(cpu)));
    EXPECT_EQ(c.setup.load(), 1);
  }
  EXPECT_EQ(sb.bad_fn_before_setup.load(), 0);
  EXPECT_EQ(sb.bad_fn_context.load(), 0);
  do_unregister(ht.get());
  for (int cpu = 0; cpu < cpus(); ++cpu) EXPECT_EQ(sb.cpu[cpu].setup.load(), 1);
}

TEST_P(SmpbootTest, ThreadFnRunsWhileShouldRunThenSleepsInS) {
  SB& sb = reset();
  auto ht = make_ht(/*with_create=*/false);
  ASSERT_EQ(do_register(ht.get()), 0);
  for (int cpu = 0; cpu < cpus(); ++cpu) {
    ASSERT_TRUE(wait_until([&] { return sb.cpu[cpu].setup.load() == 1; }));
    ASSERT_TRUE(wait_sleeping(slot(cpu)));
  }
  let_run_us(10000);  // a negative window: no work, no thread_fn
  for (int cpu = 0; cpu < cpus(); ++cpu) {
    SCOPED_TRACE("CPU " + std::to_string(cpu));
    auto& c = sb.cpu[cpu];
    task_struct* t = slot(cpu);
    EXPECT_EQ(c.fn.load(), 0);
    EXPECT_EQ(task_state_to_char(t), 'S');
    // A wake-up with nothing to do: should_run says no, it sleeps again without thread_fn.
    int asked = c.should_run.load();
    wake_up_process(t);
    ASSERT_TRUE(wait_until([&] { return c.should_run.load() > asked; }));
    ASSERT_TRUE(wait_sleeping(t));
    EXPECT_EQ(c.fn.load(), 0);
    // Work: thread_fn runs while thread_should_run() says so — exactly once per unit here.
    c.work = 4;
    wake_up_process(t);
    ASSERT_TRUE(wait_until([&] { return c.fn.load() == 4; }));
    ASSERT_TRUE(wait_sleeping(t)) << "back to S once should_run is false";
    EXPECT_EQ(c.work.load(), 0);
    EXPECT_EQ(c.fn.load(), 4);
    EXPECT_EQ(task_cpu(t), cpu);
  }
  EXPECT_EQ(sb.bad_fn_context.load(), 0)
      << "thread_fn runs in its thread, on its CPU, TASK_RUNNING, preemptible";
  EXPECT_EQ(sb.bad_should_run_not_atomic.load(), 0);
  do_unregister(ht.get());
}

TEST_P(SmpbootTest, UnregisterCallsCleanupOnlineAndStopsAllThreads) {
  SB& sb = reset();
  auto ht = make_ht();
  ASSERT_EQ(do_register(ht.get()), 0);
  std::vector<task_struct*> threads;
  for (int cpu = 0; cpu < cpus(); ++cpu) {
    ASSERT_TRUE(wait_until([&] { return sb.cpu[cpu].setup.load() == 1; }));
    task_struct* t = slot(cpu);
    get_task_struct(t);
    threads.push_back(t);
  }
  do_unregister(ht.get());
  for (int cpu = 0; cpu < cpus(); ++cpu) {
    SCOPED_TRACE("CPU " + std::to_string(cpu));
    auto& c = sb.cpu[cpu];
    task_struct* t = threads[static_cast<std::size_t>(cpu)];
    EXPECT_EQ(c.cleanup.load(), 1);
    EXPECT_EQ(c.cleanup_online.load(), 1) << "cleanup(cpu, online = true)";
    EXPECT_EQ(c.cleanup_task.load(), t) << "cleanup runs in the thread";
    EXPECT_EQ(c.cleanup_cpu.load(), cpu);
    EXPECT_EQ(slot(cpu), nullptr) << "the store is cleared";
    EXPECT_TRUE(wait_until([t] { return t->exit_state.load() != 0; })) << "thread stopped";
    put_task_struct(t);
  }
  EXPECT_TRUE(wait_until([] { return count_live("sbtest/") == 0; }));
  // Registering again after unregister works (fresh threads).
  SB& sb2 = reset();
  auto ht2 = make_ht();
  ASSERT_EQ(do_register(ht2.get()), 0);
  EXPECT_EQ(count_live("sbtest/"), cpus());
  for (int cpu = 0; cpu < cpus(); ++cpu)
    EXPECT_TRUE(wait_until([&] { return sb2.cpu[cpu].setup.load() == 1; }));
  do_unregister(ht2.get());
  EXPECT_TRUE(wait_until([] { return count_live("sbtest/") == 0; }));
}

// Unregistered right after registering, a thread may be stopped before it ever set up: then
// cleanup() is not called either (only if setup ran).
TEST_P(SmpbootTest, CleanupOnlyAfterSetup) {
  for (int round = 0; round < 5; ++round) {
    SB& sb = reset();
    auto ht = make_ht(/*with_create=*/false);
    int r = run_task([&ht] {
      int ret = smpboot_register_percpu_thread(ht.get());
      if (ret) return ret;
      smpboot_unregister_percpu_thread(ht.get());
      return 0;
    });
    ASSERT_EQ(r, 0);
    for (int cpu = 0; cpu < cpus(); ++cpu) {
      EXPECT_LE(sb.cpu[cpu].setup.load(), 1);
      EXPECT_EQ(sb.cpu[cpu].cleanup.load(), sb.cpu[cpu].setup.load()) << "CPU " << cpu;
      EXPECT_EQ(slot(cpu), nullptr);
    }
    EXPECT_TRUE(wait_until([] { return count_live("sbtest/") == 0; }));
  }
}

TEST_P(SmpbootTest, CreationFailureReturnsEnomemAndLeavesNoThreads) {
  const int base = nr_threads();
  {
    // The first thread cannot be forked.
    SB& sb = reset();
    auto ht = make_ht();
    internal::kthreadd_fail_next_fork(-ENOMEM);
    EXPECT_EQ(do_register(ht.get()), -ENOMEM);
    for (int cpu = 0; cpu < cpus(); ++cpu) {
      EXPECT_EQ(slot(cpu), nullptr);
      EXPECT_EQ(sb.cpu[cpu].create.load(), 0);
      EXPECT_EQ(sb.cpu[cpu].setup.load(), 0);
      EXPECT_EQ(sb.cpu[cpu].cleanup.load(), 0);
    }
    EXPECT_EQ(count_live("sbtest/"), 0);
  }
  if (cpus() >= 2) {
    // The second CPU's thread fails after the first one was made: that one is stopped again.
    SB& sb = reset();
    auto ht = make_ht();
    sb.fail_fork_after_create_of = 0;
    EXPECT_EQ(do_register(ht.get()), -ENOMEM);
    EXPECT_EQ(sb.cpu[0].create.load(), 1) << "CPU 0's thread was created";
    EXPECT_EQ(sb.cpu[1].create.load(), 0);
    for (int cpu = 0; cpu < cpus(); ++cpu) {
      EXPECT_EQ(slot(cpu), nullptr) << "CPU " << cpu;
      EXPECT_EQ(sb.cpu[cpu].cleanup.load(), sb.cpu[cpu].setup.load()) << "CPU " << cpu;
    }
    EXPECT_TRUE(wait_until([] { return count_live("sbtest/") == 0; }));
  }
  EXPECT_TRUE(wait_until([base] { return nr_threads() == base; })) << "nothing leaked";
  // A later registration still works.
  SB& sb = reset();
  auto ht = make_ht();
  ASSERT_EQ(do_register(ht.get()), 0);
  EXPECT_EQ(count_live("sbtest/"), cpus());
  for (int cpu = 0; cpu < cpus(); ++cpu)
    EXPECT_TRUE(wait_until([&] { return sb.cpu[cpu].setup.load() == 1; }));
  do_unregister(ht.get());
  EXPECT_TRUE(wait_until([base] { return nr_threads() == base; }));
}

// ksoftirqd/N is such a thread, made at boot (spec §3 "Known users", §5.3).
TEST_P(SmpbootTest, KsoftirqdIsAPerCpuSmpbootThread) {
  for (int cpu = 0; cpu < cpus(); ++cpu) {
    SCOPED_TRACE("CPU " + std::to_string(cpu));
    task_struct* k = ksoftirqd_task(cpu);
    ASSERT_NE(k, nullptr);
    EXPECT_EQ(std::string(k->comm), "ksoftirqd/" + std::to_string(cpu));
    EXPECT_TRUE(k->flags & PF_KTHREAD);
    EXPECT_TRUE(kthread_is_per_cpu(k));
    EXPECT_EQ(k->real_parent, kthreadd_task);
    EXPECT_EQ(k->nr_cpus_allowed, 1);
    EXPECT_EQ(task_cpu(k), cpu);
    EXPECT_EQ(k->policy, SCHED_NORMAL);
    EXPECT_EQ(task_nice(k), 0) << "normal priority (nice 0)";
    EXPECT_TRUE(wait_sleeping(k)) << "STAT S when idle";
    EXPECT_EQ(stat_field(k->pid, 39), std::to_string(cpu));
  }
  EXPECT_EQ(count_live("ksoftirqd/"), cpus());
}

KTL_INSTANTIATE_MACHINES(SmpbootTest);

}  // namespace
}  // namespace ktl
