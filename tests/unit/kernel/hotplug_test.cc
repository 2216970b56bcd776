// CPU hotplug: cpu_down/cpu_up, per-CPU threads parked (P) while their CPU is offline, tasks,
// timers, tasklets and wake-ups moved off a dying vCPU, and many offline/online cycles under load.
#include <atomic>
#include <string>
#include <vector>

#include <gmock/gmock.h>

#include "support/kernel_test.h"

namespace {

using namespace ktl;
using ktl::testing::join;
using ktl::testing::join_for;
using ktl::testing::kJoinMs;
using ktl::testing::KernelTest;
using ktl::testing::spawn;
using ktl::testing::spawn_user;
using ktl::testing::stress_iterations;
using ktl::testing::task_handle;
using ktl::testing::wait_until;

class HotplugTest : public KernelTest {};

std::string sysfs(const std::string& path) {
  std::string s;
  int r = proc_read(path, &s);
  return r == 0 ? s : "error " + std::to_string(r);
}

TEST_P(HotplugTest, BadRequestsAreRefused) {
  EXPECT_EQ(cpu_down(0), -EBUSY) << "the boot CPU cannot go offline";
  EXPECT_EQ(cpu_down(static_cast<unsigned>(cpus())), -EINVAL);
  EXPECT_EQ(cpu_up(static_cast<unsigned>(cpus())), -EINVAL);
  EXPECT_EQ(cpu_up(0), 0) << "already online: nothing to do";
  EXPECT_EQ(num_online_cpus(), cpus());
  std::string s;
  EXPECT_EQ(proc_read("/sys/devices/system/cpu/cpu0/online", &s), -ENOENT)
      << "as on x86, cpu0 has no online file";
}

TEST_P(HotplugTest, OfflineParksPerCpuThreadsAndOnlineBringsThemBack) {
  KTL_NEEDS_CPUS(2);
  const unsigned c = static_cast<unsigned>(cpus() - 1);
  task_struct* ksoft = ksoftirqd_task(static_cast<int>(c));
  task_struct* stopper = cpu_stopper_task(c);
  task_struct* hp = cpuhp_task(c);
  ASSERT_NE(ksoft, nullptr);
  ASSERT_NE(stopper, nullptr);
  ASSERT_NE(hp, nullptr);
  EXPECT_EQ(sysfs("/sys/devices/system/cpu/cpu" + std::to_string(c) + "/online"), "1\n");
  EXPECT_EQ(cpu_down(c), 0);
  EXPECT_FALSE(cpu_online(static_cast<int>(c)));
  EXPECT_EQ(num_online_cpus(), cpus() - 1);
  EXPECT_EQ(task_state_to_char(ksoft), 'P');
  EXPECT_EQ(task_state_to_char(stopper), 'P');
  EXPECT_EQ(task_state_to_char(hp), 'P');
  std::string out = ps("-eo stat,psr,comm");
  EXPECT_THAT(out, ::testing::ContainsRegex("\nP +" + std::to_string(c) + " ksoftirqd/" +
                                             std::to_string(c) + "\n"));
  EXPECT_EQ(sysfs("/sys/devices/system/cpu/cpu" + std::to_string(c) + "/online"), "0\n");
  EXPECT_EQ(sysfs("/sys/devices/system/cpu/offline"), std::to_string(c) + "\n");
  EXPECT_NE(log().find("smpboot: CPU " + std::to_string(c) + " is now offline"), std::string::npos);
  EXPECT_EQ(cpu_down(c), 0) << "already offline: nothing to do";
  // Its stopper takes no work while it is down.
  EXPECT_EQ(stop_one_cpu(c, [](void*) { return 1; }, nullptr), -ENOENT);

  EXPECT_EQ(cpu_up(c), 0);
  EXPECT_TRUE(cpu_online(static_cast<int>(c)));
  EXPECT_EQ(sysfs("/sys/devices/system/cpu/offline"), "\n");
  EXPECT_TRUE(wait_until([&] {
    return task_state_to_char(ksoft) == 'S' && task_state_to_char(stopper) == 'S' &&
           task_state_to_char(hp) == 'S';
  }));
  EXPECT_EQ(task_cpu(ksoft), static_cast<int>(c)) << "unpark re-binds it to its CPU";
  // The stopper works again, on its own CPU.
  std::atomic<int> where{-1};
  EXPECT_EQ(stop_one_cpu(c, [](void* a) {
    static_cast<std::atomic<int>*>(a)->store(smp_processor_id());
    return 3;
  }, &where), 3);
  EXPECT_EQ(where.load(), static_cast<int>(c));
}

TEST_P(HotplugTest, SysfsWriteTakesACpuDownAndUp) {
  KTL_NEEDS_CPUS(2);
  const std::string f = "/sys/devices/system/cpu/cpu1/online";
  EXPECT_EQ(proc_write(f, "0\n"), 0);
  EXPECT_FALSE(cpu_online(1));
  EXPECT_EQ(proc_write(f, "bogus"), -EINVAL);
  EXPECT_EQ(proc_write(f, "1"), 0);
  EXPECT_TRUE(cpu_online(1));
  EXPECT_EQ(sysfs("/sys/devices/system/cpu/online"), cpus() == 2 ? "0-1\n" : "0-" + std::to_string(cpus() - 1) + "\n");
}

TEST_P(HotplugTest, RunningAndSleepingTasksMoveOff) {
  KTL_NEEDS_CPUS(2);
  const int c = cpus() - 1;
  std::atomic<bool> stop{false};
  std::atomic<int> last_cpu{-1};
  std::atomic<unsigned long> spins{0};
  // A busy task that likes vCPU c (placed there, free to move).
  auto busy = spawn([&] {
    while (!stop.load()) {
      last_cpu = smp_processor_id();
      spins++;
      cond_resched();
    }
    return 0;
  }, "busy");
  // A sleeper that last ran on c.
  completion go;
  init_completion(&go);
  std::atomic<int> woke_on{-1};
  auto sleeper = spawn([&] {
    cpumask m = cpumask::of(c);
    set_cpus_allowed_ptr(get_current(), &m);
    cpumask all = cpu_possible_mask();
    set_cpus_allowed_ptr(get_current(), &all);  // allowed anywhere, last ran on c
    wait_for_completion(&go);
    woke_on = smp_processor_id();
    return 0;
  }, "sleeper");
  ASSERT_TRUE(wait_until([&] { return spins.load() > 10; }));
  EXPECT_EQ(cpu_down(static_cast<unsigned>(c)), 0);
  unsigned long s0 = spins.load();
  ASSERT_TRUE(wait_until([&] { return spins.load() > s0 + 10; })) << "the busy task was lost";
  EXPECT_NE(last_cpu.load(), c);
  complete(&go);
  int r = -1;
  ASSERT_TRUE(join_for(sleeper, kJoinMs, &r));
  EXPECT_NE(woke_on.load(), c);
  stop = true;
  ASSERT_TRUE(join_for(busy, kJoinMs, &r));
  EXPECT_EQ(cpu_up(static_cast<unsigned>(c)), 0);
}

TEST_P(HotplugTest, UserTaskAffineOnlyToTheDeadCpuLosesItsAffinity) {
  KTL_NEEDS_CPUS(2);
  const int c = cpus() - 1;
  completion go, pinned;
  init_completion(&go);
  init_completion(&pinned);
  std::atomic<int> ran_on{-1};
  auto u = spawn_user([&] {
    cpumask m = cpumask::of(c);
    set_cpus_allowed_ptr(get_current(), &m);
    complete(&pinned);
    wait_for_completion(&go);
    ran_on = smp_processor_id();
    return 0;
  }, "pinned_user");
  wait_for_completion(&pinned);
  EXPECT_EQ(cpu_down(static_cast<unsigned>(c)), 0);
  complete(&go);
  int r = -1;
  ASSERT_TRUE(join_for(u, kJoinMs, &r));
  EXPECT_NE(ran_on.load(), c);
  EXPECT_NE(log().find("no longer affine to cpu" + std::to_string(c)), std::string::npos) << log();
  EXPECT_EQ(cpu_up(static_cast<unsigned>(c)), 0);
}

struct timer_box {
  timer_list t;
  hrtimer hr;
  std::atomic<int> fired_on{-1};
  std::atomic<int> hr_fired_on{-1};
};

TEST_P(HotplugTest, TimersOfTheDeadCpuMoveAndStillFire) {
  KTL_NEEDS_CPUS(2);
  const int c = cpus() - 1;
  timer_box b;
  timer_setup(&b.t, [](timer_list* t) {
    timer_box* bx = container_of(t, timer_box, t);
    bx->fired_on = smp_processor_id();
  }, 0);
  hrtimer_setup(&b.hr, [](hrtimer* h) {
    timer_box* bx = container_of(h, timer_box, hr);
    bx->hr_fired_on = smp_processor_id();
    return HRTIMER_NORESTART;
  }, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
  // Arm both from a task on vCPU c so they sit on c's timer base.
  auto arm = spawn([&] {
    b.t.expires = jiffies + msecs_to_jiffies(100);
    add_timer_on(&b.t, c);
    hrtimer_start(&b.hr, ms_to_ktime(100), HRTIMER_MODE_REL);
    return smp_processor_id() == c ? 0 : 1;
  }, "arm", c);
  int r = -1;
  ASSERT_TRUE(join_for(arm, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_EQ(cpu_down(static_cast<unsigned>(c)), 0);
  EXPECT_TRUE(wait_until([&] { return b.fired_on.load() >= 0 && b.hr_fired_on.load() >= 0; }))
      << "a timer of the dead vCPU was lost";
  EXPECT_NE(b.fired_on.load(), c);
  EXPECT_NE(b.hr_fired_on.load(), c);
  timer_shutdown_sync(&b.t);
  hrtimer_cancel(&b.hr);
  EXPECT_EQ(cpu_up(static_cast<unsigned>(c)), 0);
}

struct tl_box {
  tasklet_struct t;
  std::atomic<int> ran_on{-1};
};

TEST_P(HotplugTest, TaskletsOfTheDeadCpuRunElsewhere) {
  KTL_NEEDS_CPUS(2);
  const int c = cpus() - 1;
  static tl_box box;
  box.ran_on = -1;
  tasklet_setup(&box.t, [](tasklet_struct* t) {
    tl_box* b = from_tasklet(b, t, t);
    b->ran_on = smp_processor_id();
  });
  tasklet_disable(&box.t);
  auto sched = spawn([&] {
    tasklet_schedule(&box.t);  // queued on c, cannot run while disabled
    return smp_processor_id() == c ? 0 : 1;
  }, "tlsched", c);
  int r = -1;
  ASSERT_TRUE(join_for(sched, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_EQ(cpu_down(static_cast<unsigned>(c)), 0);
  tasklet_enable(&box.t);
  // Kick the vCPU that took the list over: any softirq run there now runs it.
  auto kick = spawn([] {
    raise_softirq(TASKLET_SOFTIRQ);
    return 0;
  }, "kick", 0);
  ASSERT_TRUE(join_for(kick, kJoinMs, &r));
  EXPECT_TRUE(wait_until([&] { return box.ran_on.load() >= 0; })) << "the tasklet was lost";
  EXPECT_NE(box.ran_on.load(), c);
  tasklet_kill(&box.t);
  EXPECT_EQ(cpu_up(static_cast<unsigned>(c)), 0);
}

// ≥ 1000 offline/online cycles (real machine; fewer per simulated seed) while tasks ping-pong
// through completions, sleep on timers and queue work: nothing is lost.
TEST_P(HotplugTest, ManyCyclesUnderLoadLoseNothing) {
  KTL_NEEDS_CPUS(2);
  const int cycles = simulated() ? 20 : stress_iterations(1000);
  std::atomic<bool> stop{false};
  constexpr int kPairs = 4;
  struct pair_state {
    completion ping, pong;
    std::atomic<unsigned long> rounds{0};
  };
  std::vector<std::unique_ptr<pair_state>> pairs;
  std::vector<task_handle> tasks;
  for (int i = 0; i < kPairs; ++i) {
    pairs.push_back(std::make_unique<pair_state>());
    pair_state* ps = pairs.back().get();
    init_completion(&ps->ping);
    init_completion(&ps->pong);
    tasks.push_back(spawn([ps, &stop] {
      while (!stop.load()) {
        complete(&ps->ping);
        wait_for_completion(&ps->pong);
        ps->rounds++;
      }
      complete(&ps->ping);
      return 0;
    }, "pinger"));
    tasks.push_back(spawn([ps, &stop] {
      while (!stop.load()) {
        wait_for_completion(&ps->ping);
        complete(&ps->pong);
      }
      complete(&ps->pong);
      return 0;
    }, "ponger"));
  }
  std::atomic<unsigned long> naps{0};
  for (int i = 0; i < 2; ++i)
    tasks.push_back(spawn([&] {
      while (!stop.load()) {
        schedule_timeout_uninterruptible(1);
        naps++;
      }
      return 0;
    }, "napper"));
  // Work items queued on every vCPU in turn, the dying one included, each flushed.
  struct counted_work {
    work_struct work;
    std::atomic<unsigned long> runs{0};
  };
  static counted_work cw;
  cw.runs = 0;
  INIT_WORK(&cw.work, [](work_struct* w) { container_of(w, counted_work, work)->runs++; });
  std::atomic<unsigned long> queued{0};
  const int ncpu = cpus();
  tasks.push_back(spawn([&, ncpu] {
    for (int k = 0; !stop.load(); ++k) {
      if (queue_work_on(k % ncpu, system_wq, &cw.work)) queued++;
      flush_work(&cw.work);
    }
    return 0;
  }, "queuer"));
  for (int i = 0; i < cycles; ++i) {
    const unsigned c = 1 + static_cast<unsigned>(i % (cpus() - 1));
    ASSERT_EQ(cpu_down(c), 0) << "cycle " << i;
    ASSERT_EQ(cpu_up(c), 0) << "cycle " << i;
  }
  EXPECT_EQ(cpu_hotplug_count(), 2ul * static_cast<unsigned long>(cycles));
  // Everything still makes progress after the cycles.
  unsigned long n0 = naps.load();
  unsigned long r0 = pairs[0]->rounds.load();
  EXPECT_TRUE(wait_until([&] { return naps.load() > n0 + 2 && pairs[0]->rounds.load() > r0 + 2; }))
      << "a wake-up or timer was lost";
  stop = true;
  for (auto& t : tasks) {
    int r = -1;
    EXPECT_TRUE(join_for(t, kJoinMs, &r)) << "a task was lost";
  }
  flush_work(&cw.work);
  EXPECT_EQ(cw.runs.load(), queued.load()) << "a work item was lost";
  EXPECT_GT(queued.load(), 0ul);
  EXPECT_EQ(num_online_cpus(), cpus());
}

// Two smpboot users registered A then B: going down parks B then A (reverse registration
// order), coming up unparks A then B; park/unpark run in the threads, on their CPU.
struct order_log {
  spinlock_t lock;
  std::string s;
  std::atomic<int> wrong_cpu{0};
  void add(const char* what, unsigned cpu) {
    if (static_cast<unsigned>(smp_processor_id()) != cpu) wrong_cpu++;
    spin_lock(&lock);
    s += what;
    s += std::to_string(cpu);
    s += ' ';
    spin_unlock(&lock);
  }
};
order_log g_order;
DEFINE_PER_CPU(task_struct*, g_thr_a);
DEFINE_PER_CPU(task_struct*, g_thr_b);

TEST_P(HotplugTest, ParkInReverseRegistrationOrderUnparkInOrder) {
  KTL_NEEDS_CPUS(2);
  g_order.s.clear();
  g_order.wrong_cpu = 0;
  for (int c = 0; c < NR_CPUS; ++c) {
    per_cpu(g_thr_a, c) = nullptr;
    per_cpu(g_thr_b, c) = nullptr;
  }
  smp_hotplug_thread a, b;
  a.store = &g_thr_a;
  a.thread_should_run = [](unsigned) { return 0; };
  a.thread_fn = [](unsigned) {};
  a.park = [](unsigned cpu) { g_order.add("parkA", cpu); };
  a.unpark = [](unsigned cpu) { g_order.add("unparkA", cpu); };
  a.thread_comm = "ktest_a/%u";
  b = a;
  b.store = &g_thr_b;
  b.park = [](unsigned cpu) { g_order.add("parkB", cpu); };
  b.unpark = [](unsigned cpu) { g_order.add("unparkB", cpu); };
  b.thread_comm = "ktest_b/%u";
  ASSERT_EQ(smpboot_register_percpu_thread(&a), 0);
  ASSERT_EQ(smpboot_register_percpu_thread(&b), 0);
  const unsigned c = static_cast<unsigned>(cpus() - 1);
  ASSERT_EQ(cpu_down(c), 0);
  const std::string n = std::to_string(c);
  EXPECT_EQ(g_order.s, "parkB" + n + " parkA" + n + " ");
  EXPECT_EQ(task_state_to_char(per_cpu(g_thr_a, static_cast<int>(c))), 'P');
  EXPECT_EQ(task_state_to_char(per_cpu(g_thr_b, static_cast<int>(c))), 'P');
  g_order.s.clear();
  ASSERT_EQ(cpu_up(c), 0);
  // Unpark wakes A then B; the callbacks run when each thread next gets the vCPU.
  auto has = [&](const std::string& what) {
    spin_lock(&g_order.lock);
    bool found = g_order.s.find(what) != std::string::npos;
    spin_unlock(&g_order.lock);
    return found;
  };
  EXPECT_TRUE(wait_until([&] { return has("unparkA" + n + " ") && has("unparkB" + n + " "); }));
  EXPECT_EQ(g_order.wrong_cpu.load(), 0);
  smpboot_unregister_percpu_thread(&b);
  smpboot_unregister_percpu_thread(&a);
}

KTL_INSTANTIATE_MACHINES(HotplugTest);

}  // namespace
