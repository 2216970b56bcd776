// kthreadd and the kthread API (spec §2, §12, §17): creation handshake, naming, parentage, the
// park/stop state machine (every arrow of §2.5), binding, errors, misuse, churn.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "kthread/kthread_internal.h"
#include "support/kernel_test.h"

namespace {

using namespace ktl;
using ktl::testing::join;
using ktl::testing::join_for;
using ktl::testing::KernelTest;
using ktl::testing::spawn;
using ktl::testing::task_handle;
using ktl::testing::stress_iterations;
using ktl::testing::wait_until;

constexpr int kJoinMs = 20000;

class KthreadTest : public KernelTest {};

struct Ctl {
  std::atomic<int> ran{0};
  std::atomic<int> loops{0};
  std::atomic<bool> saw_stop{false};
  std::atomic<bool> saw_sigpending{false};
  std::atomic<int> cpu{-1};
  completion started;
  int ret = 0;
};

// Runs until kthread_should_stop(), handling park requests; returns c->ret.
int loop_fn(void* arg) {
  auto* c = static_cast<Ctl*>(arg);
  c->ran++;
  complete(&c->started);
  while (!kthread_should_stop()) {
    if (kthread_should_park()) kthread_parkme();
    c->loops++;
    c->cpu = smp_processor_id();
    schedule_timeout_interruptible(1);
  }
  c->saw_stop = true;
  c->saw_sigpending = signal_pending(get_current());
  return c->ret;
}

// Records that it ran and whether a stop was already requested; returns c->ret.
int once_fn(void* arg) {
  auto* c = static_cast<Ctl*>(arg);
  c->ran++;
  c->saw_stop = kthread_should_stop();
  c->cpu = smp_processor_id();
  complete(&c->started);
  return c->ret;
}

bool has_warning(const char* func) {
  std::string d = dmesg();
  return d.find("WARNING:") != std::string::npos && d.find(func) != std::string::npos;
}

bool wait_parked(task_struct* p, int ms = 5000) {
  return wait_until([p] { return task_state(p) == TASK_PARKED && p->on_cpu.load() == 0; }, ms);
}

// ---- boot: init (pid 1) and kthreadd (pid 2) -------------------------------------------------

TEST_P(KthreadTest, BootCreatesInitThenKthreadd) {
  ASSERT_NE(kthreadd_task, nullptr);
  EXPECT_EQ(task_pid_nr(kthreadd_task), 2);
  EXPECT_STREQ(kthreadd_task->comm, "kthreadd");
  EXPECT_TRUE(kthreadd_task->flags & PF_KTHREAD);
  EXPECT_TRUE(kthreadd_task->flags & PF_NOFREEZE);
  ASSERT_NE(kthreadd_task->real_parent, nullptr);
  EXPECT_EQ(kthreadd_task->real_parent->pid, 0) << "kthreadd's parent is swapper";
  EXPECT_EQ(kthreadd_task->sig_ignored.load(), ~sigset_bits{0}) << "kthreadd ignores all signals";
  EXPECT_TRUE(wait_until([] { return task_state_to_char(kthreadd_task) == 'S'; }));

  task_struct* init = find_get_task_by_vpid(1);
  ASSERT_NE(init, nullptr);
  EXPECT_FALSE(init->flags & PF_KTHREAD) << "init is not a kernel thread";
  EXPECT_STREQ(init->comm, "init");
  EXPECT_EQ(init->real_parent->pid, 0);
  EXPECT_TRUE(wait_until([init] { return task_state_to_char(init) == 'S'; }));
  put_task_struct(init);
  EXPECT_EQ(nr_threads(), 2 + ktl::testing::boot_kthreads(cpus()));  // + the first kworkers
}

// ---- creation -------------------------------------------------------------------------------

TEST_P(KthreadTest, CreatedThreadSleepsInDUntilWoken) {
  Ctl c;
  c.ret = 42;
  task_struct* p = kthread_create(once_fn, &c, "kt_create_%d_%s", 7, "with_a_long_name");
  ASSERT_FALSE(IS_ERR(p)) << PTR_ERR(p);
  EXPECT_EQ(task_state_to_char(p), 'D') << "created-but-not-woken kthread is TASK_UNINTERRUPTIBLE";
  EXPECT_EQ(c.ran.load(), 0);
  EXPECT_STREQ(p->comm, "kt_create_7_wit") << "comm truncated to 15 characters";
  char name[KTHREAD_NAME_LEN];
  get_kthread_comm(name, sizeof(name), p);
  EXPECT_STREQ(name, "kt_create_7_with_a_long_name") << "full name kept";
  EXPECT_EQ(p->real_parent, kthreadd_task) << "PPid 2";
  EXPECT_TRUE(p->flags & PF_KTHREAD);
  EXPECT_TRUE(p->flags & PF_NOFREEZE) << "inherited from kthreadd";
  EXPECT_EQ(p->sig_ignored.load(), ~sigset_bits{0});
  EXPECT_EQ(kthread_data(p), &c);
  EXPECT_EQ(kthread_probe_data(p), &c);
  EXPECT_EQ(kthread_func(p), reinterpret_cast<void*>(&once_fn));
  EXPECT_FALSE(kthread_is_per_cpu(p));
  EXPECT_EQ(p->policy, SCHED_NORMAL);
  // Still 'D' a while later: nothing but a wake-up, park or stop starts it.
  schedule_timeout_uninterruptible(2);
  EXPECT_EQ(task_state_to_char(p), 'D');
  EXPECT_EQ(c.ran.load(), 0);

  wake_up_process(p);
  wait_for_completion(&c.started);
  EXPECT_EQ(c.ran.load(), 1);
  EXPECT_FALSE(c.saw_stop.load());
}

TEST_P(KthreadTest, RunThenStopReturnsThreadfnValueAndRaisesNotifySignal) {
  Ctl c;
  c.ret = 1234;
  task_struct* p = kthread_run(loop_fn, &c, "kt_run");
  ASSERT_FALSE(IS_ERR(p));
  wait_for_completion(&c.started);
  EXPECT_TRUE(wait_until([&] { return c.loops.load() > 2; }));
  EXPECT_EQ(kthread_stop(p), 1234);
  EXPECT_TRUE(c.saw_stop.load());
  EXPECT_TRUE(c.saw_sigpending.load()) << "kthread_stop sets TIF_NOTIFY_SIGNAL";
  EXPECT_EQ(c.ran.load(), 1);
}

// An interruptible sleep of any length is cut short by kthread_stop (TIF_NOTIFY_SIGNAL).
TEST_P(KthreadTest, StopInterruptsInterruptibleSleep) {
  struct S {
    completion sleeping;
    std::atomic<long> left{0};
  } s;
  task_struct* p = kthread_run(
      [](void* a) {
        auto* s = static_cast<S*>(a);
        complete(&s->sleeping);
        long left = MAX_SCHEDULE_TIMEOUT;
        while (!kthread_should_stop()) left = schedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);
        s->left = left;
        return 3;
      },
      &s, "kt_sleeper");
  ASSERT_FALSE(IS_ERR(p));
  wait_for_completion(&s.sleeping);
  EXPECT_EQ(kthread_stop(p), 3);
}

TEST_P(KthreadTest, RequesterMayBeATask) {
  std::vector<task_handle> hs;
  std::atomic<int> ok{0};
  for (int cpu = 0; cpu < cpus(); ++cpu) {
    hs.push_back(spawn([&ok, cpu] {
      for (int i = 0; i < 50; ++i) {
        Ctl c;
        c.ret = i;
        task_struct* p = kthread_create(once_fn, &c, "kt_req/%d:%d", cpu, i);
        if (IS_ERR(p)) return static_cast<int>(PTR_ERR(p));
        get_task_struct(p);  // it may exit before the stop (§17.2)
        wake_up_process(p);
        wait_for_completion(&c.started);
        if (kthread_stop_put(p) != i) return -1;
        ok++;
      }
      return 0;
    }, "requester", cpu));
  }
  for (auto& h : hs) {
    int r = -99;
    EXPECT_TRUE(join_for(h, kJoinMs, &r));
    EXPECT_EQ(r, 0);
  }
  EXPECT_EQ(ok.load(), 50 * cpus());
}

// kthreadd takes requests FIFO: queue several while it is held, then release it.
TEST_P(KthreadTest, KthreaddServesRequestsFifo) {
  internal::kthreadd_hold(true);
  constexpr int kN = 6;
  Ctl c[kN];
  task_struct* res[kN] = {};
  std::vector<task_handle> hs;
  for (int i = 0; i < kN; ++i) {
    hs.push_back(spawn([&, i] {
      res[i] = kthread_create(once_fn, &c[i], "kt_fifo%d", i);
      return 0;
    }, "fifo_req"));
    // Each request is on the list before the next requester starts.
    ASSERT_TRUE(wait_until([&] { return internal::kthread_create_list_len() == i + 1; }));
  }
  internal::kthreadd_hold(false);
  for (auto& h : hs) EXPECT_TRUE(join_for(h, kJoinMs));
  for (int i = 0; i < kN; ++i) {
    ASSERT_FALSE(IS_ERR_OR_NULL(res[i]));
    if (i) {
      EXPECT_GT(res[i]->pid, res[i - 1]->pid) << "forked in request order";
    }
  }
  for (int i = 0; i < kN; ++i) EXPECT_EQ(kthread_stop(res[i]), -EINTR);
  for (int i = 0; i < kN; ++i) EXPECT_EQ(c[i].ran.load(), 0);
}

// ---- stop / park state machine (§2.5) -------------------------------------------------------

TEST_P(KthreadTest, StopBeforeFirstWakeReturnsEintrAndThreadfnNeverRuns) {
  for (int i = 0; i < stress_iterations(100); ++i) {
    Ctl c;
    task_struct* p = kthread_create(once_fn, &c, "kt_nostart");
    ASSERT_FALSE(IS_ERR(p));
    EXPECT_EQ(kthread_stop(p), -EINTR);
    EXPECT_EQ(c.ran.load(), 0);
  }
}

TEST_P(KthreadTest, ParkBeforeStartThenUnparkRunsThreadfn) {
  Ctl c;
  c.ret = 9;
  task_struct* p = kthread_create(once_fn, &c, "kt_parkfirst");
  ASSERT_FALSE(IS_ERR(p));
  get_task_struct(p);
  EXPECT_EQ(kthread_park(p), 0);
  EXPECT_EQ(task_state(p), TASK_PARKED);
  EXPECT_EQ(task_state_to_char(p), 'P');
  EXPECT_EQ(p->on_cpu.load(), 0);
  EXPECT_TRUE(__kthread_should_park(p));
  EXPECT_EQ(c.ran.load(), 0) << "parked before start: threadfn not called";
  // A plain wake-up does not end TASK_PARKED.
  EXPECT_EQ(wake_up_process(p), 0);
  EXPECT_EQ(task_state(p), TASK_PARKED);
  kthread_unpark(p);
  wait_for_completion(&c.started);
  EXPECT_EQ(c.ran.load(), 1);
  EXPECT_FALSE(c.saw_stop.load());
  EXPECT_EQ(kthread_stop_put(p), 9) << "stop after exit (reference held) returns the result";
}

TEST_P(KthreadTest, ParkBeforeStartThenStopRunsThreadfnWithShouldStop) {
  Ctl c;
  c.ret = 17;
  task_struct* p = kthread_create(once_fn, &c, "kt_parkstop");
  ASSERT_FALSE(IS_ERR(p));
  EXPECT_EQ(kthread_park(p), 0);
  EXPECT_EQ(kthread_stop(p), 17);
  EXPECT_EQ(c.ran.load(), 1) << "§17.7: threadfn is still invoked";
  EXPECT_TRUE(c.saw_stop.load());
}

TEST_P(KthreadTest, ParkAndUnparkRunningThreadRepeatedly) {
  Ctl c;
  c.ret = 5;
  task_struct* p = kthread_run(loop_fn, &c, "kt_parkloop");
  ASSERT_FALSE(IS_ERR(p));
  wait_for_completion(&c.started);
  for (int i = 0; i < stress_iterations(200); ++i) {
    ASSERT_EQ(kthread_park(p), 0);
    ASSERT_EQ(task_state(p), TASK_PARKED);
    ASSERT_EQ(p->on_cpu.load(), 0);
    int frozen = c.loops.load();
    if (i % 50 == 0) {
      schedule_timeout_uninterruptible(1);
      EXPECT_EQ(c.loops.load(), frozen) << "a parked thread does not run";
    }
    kthread_unpark(p);
    EXPECT_FALSE(__kthread_should_park(p));
  }
  EXPECT_TRUE(wait_until([&] { return c.loops.load() > 0; }));
  EXPECT_EQ(kthread_stop(p), 5);
}

// Park and unpark from a kernel task on another vCPU, racing with the thread's own loop.
TEST_P(KthreadTest, ParkUnparkFromTask) {
  Ctl c;
  task_struct* p = kthread_run(loop_fn, &c, "kt_parktask");
  ASSERT_FALSE(IS_ERR(p));
  auto t = spawn([p] {
    for (int i = 0; i < 300; ++i) {
      if (kthread_park(p) != 0) return 1;
      if (task_state(p) != TASK_PARKED || p->on_cpu.load()) return 2;
      kthread_unpark(p);
    }
    return 0;
  }, "parker", cpus() - 1);
  int r = -1;
  EXPECT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_EQ(kthread_stop(p), 0);
}

TEST_P(KthreadTest, StopParkedRunningThreadUnparksAndStops) {
  Ctl c;
  c.ret = 77;
  task_struct* p = kthread_run(loop_fn, &c, "kt_stopparked");
  ASSERT_FALSE(IS_ERR(p));
  wait_for_completion(&c.started);
  ASSERT_EQ(kthread_park(p), 0);
  EXPECT_EQ(kthread_stop(p), 77);
  EXPECT_TRUE(c.saw_stop.load());
}

TEST_P(KthreadTest, SelfParkRequestOnlySetsTheFlag) {
  struct S {
    std::atomic<int> r{-1};
    std::atomic<bool> flag_after{false};
    completion parked_self;
  } s;
  task_struct* p = kthread_run(
      [](void* a) {
        auto* s = static_cast<S*>(a);
        s->r = kthread_park(get_current());
        s->flag_after = kthread_should_park();
        complete(&s->parked_self);
        kthread_parkme();
        while (!kthread_should_stop()) schedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);
        return 0;
      },
      &s, "kt_selfpark");
  ASSERT_FALSE(IS_ERR(p));
  wait_for_completion(&s.parked_self);
  EXPECT_EQ(s.r.load(), 0);
  EXPECT_TRUE(s.flag_after.load());
  EXPECT_TRUE(wait_parked(p));
  kthread_unpark(p);
  EXPECT_EQ(kthread_stop(p), 0);
}

TEST_P(KthreadTest, KthreadExitValueReachesKthreadStop) {
  completion started;
  task_struct* p = kthread_run(
      [](void* a) -> int {
        complete(static_cast<completion*>(a));
        while (!kthread_should_stop()) schedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);
        kthread_exit(-ENOENT);
      },
      &started, "kt_exitval");
  ASSERT_FALSE(IS_ERR(p));
  wait_for_completion(&started);
  EXPECT_EQ(kthread_stop(p), -ENOENT);
}

TEST_P(KthreadTest, CompleteAndExitBeforeStop) {
  completion done;
  task_struct* p = kthread_create(
      [](void* a) -> int { kthread_complete_and_exit(static_cast<completion*>(a), 31); }, &done,
      "kt_cae");
  ASSERT_FALSE(IS_ERR(p));
  get_task_struct(p);
  wake_up_process(p);
  wait_for_completion(&done);
  EXPECT_TRUE(wait_until([p] { return p->exit_state.load() != 0; }));
  EXPECT_EQ(kthread_stop_put(p), 31) << "already exited: result returned at once";
}

TEST_P(KthreadTest, ExitedKthreadsAreAutoReaped) {
  int base = nr_threads();
  for (int i = 0; i < 20; ++i) {
    task_struct* p = kthread_run([](void*) { return 0; }, nullptr, "kt_auto%d", i);
    ASSERT_FALSE(IS_ERR(p));
  }
  EXPECT_TRUE(wait_until([base] { return nr_threads() == base; })) << "no zombies";
}

// ---- binding --------------------------------------------------------------------------------

TEST_P(KthreadTest, CreateOnCpuBindsAndFormatsName) {
  for (int cpu = 0; cpu < cpus(); ++cpu) {
    Ctl c;
    task_struct* p = kthread_create_on_cpu(once_fn, &c, static_cast<unsigned>(cpu), "kt_cpu/%u");
    ASSERT_FALSE(IS_ERR(p));
    EXPECT_EQ(std::string(p->comm), "kt_cpu/" + std::to_string(cpu));
    EXPECT_TRUE(p->flags & PF_NO_SETAFFINITY);
    EXPECT_EQ(p->cpus_mask, cpumask::of(cpu));
    EXPECT_FALSE(kthread_is_per_cpu(p)) << "create_on_cpu does not set IS_PER_CPU";
    cpumask all = cpu_possible_mask();
    EXPECT_EQ(set_cpus_allowed_ptr(p, &all), -EINVAL) << "PF_NO_SETAFFINITY";
    get_task_struct(p);
    wake_up_process(p);
    wait_for_completion(&c.started);
    EXPECT_EQ(c.cpu.load(), cpu);
    EXPECT_EQ(kthread_stop_put(p), 0);
  }
}

TEST_P(KthreadTest, RunOnCpuRunsThere) {
  int cpu = cpus() - 1;
  Ctl c;
  task_struct* p = kthread_run_on_cpu(loop_fn, &c, static_cast<unsigned>(cpu), "kt_runcpu/%u");
  ASSERT_FALSE(IS_ERR(p));
  wait_for_completion(&c.started);
  EXPECT_TRUE(wait_until([&] { return c.loops.load() > 3; }));
  EXPECT_EQ(c.cpu.load(), cpu);
  EXPECT_EQ(kthread_stop(p), 0);
}

TEST_P(KthreadTest, BindMaskBeforeStart) {
  cpumask m;
  m.set(0);
  if (cpus() > 2) m.set(2);
  Ctl c;
  task_struct* p = kthread_create(loop_fn, &c, "kt_bindmask");
  ASSERT_FALSE(IS_ERR(p));
  kthread_bind_mask(p, &m);
  EXPECT_EQ(p->cpus_mask, m);
  EXPECT_TRUE(p->flags & PF_NO_SETAFFINITY);
  wake_up_process(p);
  wait_for_completion(&c.started);
  EXPECT_TRUE(wait_until([&] { return c.loops.load() > 3; }));
  EXPECT_TRUE(m.test(c.cpu.load()));
  EXPECT_EQ(p->cpus_mask, m) << "a bound thread keeps its mask after starting";
  EXPECT_EQ(kthread_stop(p), 0);
}

TEST_P(KthreadTest, BindAfterStartWarnsAndDoesNotBind) {
  Ctl c;
  task_struct* p = kthread_run(loop_fn, &c, "kt_latebind");
  ASSERT_FALSE(IS_ERR(p));
  wait_for_completion(&c.started);
  cpumask before = p->cpus_mask;
  kthread_bind(p, 0);
  EXPECT_TRUE(has_warning("kthread_bind"));
  EXPECT_EQ(p->cpus_mask, before);
  EXPECT_FALSE(p->flags & PF_NO_SETAFFINITY);
  EXPECT_EQ(kthread_stop(p), 0);
}

TEST_P(KthreadTest, PerCpuFlagAndRebindOnUnpark) {
  int cpu = cpus() - 1;
  Ctl c;
  task_struct* p = kthread_create_on_cpu(loop_fn, &c, static_cast<unsigned>(cpu), "kt_percpu/%u");
  ASSERT_FALSE(IS_ERR(p));
  kthread_set_per_cpu(p, cpu);
  EXPECT_TRUE(kthread_is_per_cpu(p));
  EXPECT_EQ(kthread_park(p), 0);
  // Binding lost (as when the CPU went offline); unpark binds again.
  cpumask all = cpu_possible_mask();
  do_set_cpus_allowed(p, &all);
  kthread_unpark(p);
  EXPECT_EQ(p->cpus_mask, cpumask::of(cpu));
  wait_for_completion(&c.started);
  EXPECT_TRUE(wait_until([&] { return c.loops.load() > 2; }));
  EXPECT_EQ(c.cpu.load(), cpu);
  kthread_set_per_cpu(p, -1);
  EXPECT_FALSE(kthread_is_per_cpu(p));
  EXPECT_EQ(kthread_stop(p), 0);
}

// ---- misuse (§17) ---------------------------------------------------------------------------

TEST_P(KthreadTest, ParkOfExitingThreadReturnsEnosysWithWarn) {
  task_struct* p = kthread_create([](void*) { return 0; }, nullptr, "kt_exiting");
  ASSERT_FALSE(IS_ERR(p));
  get_task_struct(p);
  wake_up_process(p);
  EXPECT_TRUE(wait_until([p] { return p->exit_state.load() != 0; }));
  EXPECT_EQ(kthread_park(p), -ENOSYS);
  EXPECT_TRUE(has_warning("kthread_park"));
  EXPECT_EQ(kthread_stop_put(p), 0);
}

TEST_P(KthreadTest, SecondParkRequestReturnsEbusy) {
  Ctl c;
  task_struct* p = kthread_run(loop_fn, &c, "kt_park2");
  ASSERT_FALSE(IS_ERR(p));
  ASSERT_EQ(kthread_park(p), 0);
  EXPECT_EQ(kthread_park(p), -EBUSY);
  EXPECT_TRUE(has_warning("kthread_park"));
  kthread_unpark(p);
  kthread_unpark(p);  // no-op when not parked
  EXPECT_EQ(kthread_stop(p), 0);
}

TEST_P(KthreadTest, ApiOnTasksThatAreNotKthreadsWarnsAndFails) {
  // A plain kernel_thread()-style task (no struct kthread) and a user task.
  completion release;
  auto kt = spawn([&] {
    bool s = kthread_should_stop();  // WARN, false
    bool sp = kthread_should_stop_or_park();
    wait_for_completion(&release);
    return (s ? 1 : 0) | (sp ? 2 : 0);
  }, "plain");
  auto ut = ktl::testing::spawn_user([&] {
    wait_for_completion(&release);
    return 0;
  }, "user");
  EXPECT_EQ(kthread_stop(kt.task), -EINVAL);
  EXPECT_EQ(kthread_stop(ut.task), -EINVAL);
  EXPECT_EQ(kthread_park(ut.task), -EINVAL);
  kthread_unpark(ut.task);
  EXPECT_EQ(kthread_probe_data(ut.task), nullptr);
  EXPECT_EQ(kthread_func(ut.task), nullptr);
  EXPECT_FALSE(kthread_is_per_cpu(ut.task));
  EXPECT_EQ(kthread_data(ut.task), nullptr);
  char name[KTHREAD_NAME_LEN];
  get_kthread_comm(name, sizeof(name), ut.task);
  EXPECT_STREQ(name, "user");
  complete_all(&release);
  int r = -1;
  EXPECT_TRUE(join_for(kt, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_TRUE(join_for(ut, kJoinMs));
  // From the host thread (not a kthread at all).
  EXPECT_FALSE(kthread_should_stop());
  EXPECT_FALSE(kthread_should_park());
  EXPECT_FALSE(kthread_should_stop_or_park());
  EXPECT_TRUE(has_warning("to_kthread"));
}

// ---- errors ---------------------------------------------------------------------------------

TEST_P(KthreadTest, ForkFailuresPropagateAndLeakNothing) {
  int base = nr_threads();
  for (int err : {-ENOMEM, -EAGAIN}) {
    Ctl c;
    internal::kthreadd_fail_next_fork(err);
    task_struct* p = kthread_create(once_fn, &c, "kt_fail");
    ASSERT_TRUE(IS_ERR(p));
    EXPECT_EQ(PTR_ERR(p), err);
    EXPECT_EQ(c.ran.load(), 0);
  }
  EXPECT_EQ(nr_threads(), base);
  // kthreadd keeps working.
  Ctl c;
  task_struct* p = kthread_create(once_fn, &c, "kt_after_fail");
  ASSERT_FALSE(IS_ERR(p));
  EXPECT_EQ(kthread_stop(p), -EINTR);
}

TEST_P(KthreadTest, ThreadsMaxReachedReturnsEagain) {
  int old = max_threads();
  int base = nr_threads();
  const int limit = base + 20;  // threads-max counts the boot kthreads too
  ASSERT_EQ(set_max_threads(limit), 0);
  std::vector<task_struct*> ts;
  int eagain = 0;
  for (int i = 0; i < 25; ++i) {
    task_struct* p = kthread_create(once_fn, nullptr, "kt_max%d", i);
    if (IS_ERR(p)) {
      EXPECT_EQ(PTR_ERR(p), -EAGAIN);
      ++eagain;
    } else {
      ts.push_back(p);
    }
  }
  EXPECT_EQ(static_cast<int>(ts.size()), limit - base);
  EXPECT_EQ(eagain, 25 - (limit - base));
  for (task_struct* p : ts) EXPECT_EQ(kthread_stop(p), -EINTR);
  ASSERT_EQ(set_max_threads(old), 0);
  EXPECT_TRUE(wait_until([base] { return nr_threads() == base; }));
}

TEST_P(KthreadTest, PidMaxReachedReturnsEagain) {
  int base = nr_threads();
  ASSERT_EQ(set_pid_max(RESERVED_PIDS + 20), 0);
  std::vector<task_struct*> ts;
  int eagain = 0;
  for (int i = 0; i < RESERVED_PIDS + 40; ++i) {
    task_struct* p = kthread_create(once_fn, nullptr, "kt_pid");
    if (IS_ERR(p)) {
      EXPECT_EQ(PTR_ERR(p), -EAGAIN);
      ++eagain;
      break;
    }
    ts.push_back(p);
  }
  EXPECT_EQ(eagain, 1);
  for (task_struct* p : ts) EXPECT_EQ(kthread_stop(p), -EINTR);
  ASSERT_EQ(set_pid_max(PID_MAX_DEFAULT), 0);
  EXPECT_TRUE(wait_until([base] { return nr_threads() == base; }));
}

// A requester killed while kthreadd has not served it gets -EINTR; the thread is still forked
// later, owns the request and exits with -EINTR without running threadfn.
TEST_P(KthreadTest, KilledRequesterGetsEintrAndThreadfnNeverRuns) {
  int base = nr_threads();
  for (int iter = 0; iter < 5; ++iter) {
    internal::kthreadd_hold(true);
    Ctl c;
    std::atomic<long> res{0};
    auto t = spawn([&] {
      allow_signal(SIGKILL);
      task_struct* p = kthread_create(once_fn, &c, "kt_orphan");
      res = IS_ERR(p) ? PTR_ERR(p) : 1;
      return 0;
    }, "victim");
    ASSERT_TRUE(wait_until([] { return internal::kthread_create_list_len() == 1; }));
    ASSERT_TRUE(wait_until([&] { return task_state(t.task) == TASK_KILLABLE; }));
    unsigned long taken = internal::kthreadd_requests_taken();
    EXPECT_EQ(send_sig(SIGKILL, t.task, 0), 0);
    EXPECT_TRUE(join_for(t, kJoinMs));
    EXPECT_EQ(res.load(), -EINTR);
    internal::kthreadd_hold(false);
    EXPECT_TRUE(wait_until([&] { return internal::kthreadd_requests_taken() == taken + 1; }));
    EXPECT_TRUE(wait_until([base] { return nr_threads() == base; })) << "the orphan exited";
    EXPECT_EQ(c.ran.load(), 0);
  }
}

// Killed after the new thread took ownership of `done`: the requester waits uninterruptibly and
// gets the thread anyway (§2.3 requester step 4, second branch).
TEST_P(KthreadTest, KilledRequesterAfterHandoffStillGetsTheThread) {
  internal::kthread_handoff_hook hook;
  internal::kthread_set_handoff_hook(&hook);
  Ctl c;
  c.ret = 4;
  std::atomic<task_struct*> res{nullptr};
  auto t = spawn([&] {
    allow_signal(SIGKILL);
    task_struct* p = kthread_create(once_fn, &c, "kt_late_kill");
    if (!IS_ERR(p)) get_task_struct(p);
    res = p;
    return 0;
  }, "late_victim");
  wait_for_completion(&hook.arrived);
  EXPECT_EQ(send_sig(SIGKILL, t.task, 0), 0);
  // The requester leaves its killable wait and blocks uninterruptibly.
  EXPECT_TRUE(wait_until([&] { return task_state(t.task) == TASK_UNINTERRUPTIBLE; }));
  EXPECT_EQ(res.load(), nullptr);
  complete(&hook.release);
  EXPECT_TRUE(join_for(t, kJoinMs));
  task_struct* p = res.load();
  ASSERT_FALSE(IS_ERR_OR_NULL(p)) << PTR_ERR(p);
  EXPECT_EQ(task_state_to_char(p), 'D');
  wake_up_process(p);
  wait_for_completion(&c.started);
  EXPECT_EQ(kthread_stop_put(p), 4);
}

// Kill requesters at arbitrary moments: every outcome is either -EINTR (threadfn never runs) or
// a usable thread; nothing leaks.
TEST_P(KthreadTest, KilledRequesterRaceStress) {
  int base = nr_threads();
  std::atomic<int> ran{0}, eintr{0}, created{0};
  for (int iter = 0; iter < stress_iterations(200); ++iter) {
    auto t = spawn([&] {
      allow_signal(SIGKILL);
      Ctl* c = new Ctl;
      task_struct* p = kthread_create(once_fn, c, "kt_race");
      if (IS_ERR(p)) {
        if (PTR_ERR(p) != -EINTR) return 1;
        eintr++;
        delete c;  // the orphan thread never runs threadfn: nothing else reads c
        return 0;
      }
      created++;
      kthread_stop(p);
      ran += c->ran.load();
      delete c;
      return 0;
    }, "race_victim", iter % cpus());
    for (int spin = 0; spin < iter % 7; ++spin) std::this_thread::yield();
    send_sig(SIGKILL, t.task, 0);
    int r = -1;
    EXPECT_TRUE(join_for(t, kJoinMs, &r));
    EXPECT_EQ(r, 0);
  }
  EXPECT_EQ(ran.load(), 0) << "created but never woken: stop gives -EINTR";
  EXPECT_EQ(eintr.load() + created.load(), stress_iterations(200));
  EXPECT_TRUE(wait_until([base] { return nr_threads() == base; }));
}

// ---- churn ----------------------------------------------------------------------------------

TEST_P(KthreadTest, ChurnCreateStopReusesPids) {
  int base = nr_threads();
  // A small pid space (the smallest Linux allows is RESERVED_PIDS + 1 = 301) and enough
  // creations to wrap it whatever the sanitizer and simulation scaling (TSan x 50 seeds).
  ASSERT_EQ(set_pid_max(320), 0);
  const int per = std::max(stress_iterations(30000), 400) / cpus();
  std::vector<task_handle> hs;
  std::vector<std::vector<pid_t>> pids(static_cast<size_t>(cpus()));
  for (int cpu = 0; cpu < cpus(); ++cpu) {
    hs.push_back(spawn([&, cpu] {
      auto& v = pids[static_cast<size_t>(cpu)];
      for (int i = 0; i < per; ++i) {
        Ctl c;
        c.ret = i & 0xff;
        task_struct* p = kthread_create(once_fn, &c, "churn%d", cpu);
        if (IS_ERR(p)) return static_cast<int>(PTR_ERR(p));
        v.push_back(p->pid);
        get_task_struct(p);
        if (i & 1) {
          // Woken: wait until threadfn runs (a stop racing with the first run gives -EINTR).
          wake_up_process(p);
          wait_for_completion(&c.started);
        }
        int r = kthread_stop_put(p);
        if ((i & 1) ? r != (i & 0xff) : r != -EINTR) return -1000 - i;
      }
      return 0;
    }, "churner", cpu));
  }
  for (auto& h : hs) {
    int r = -1;
    EXPECT_TRUE(join_for(h, 120000, &r));
    EXPECT_EQ(r, 0);
  }
  size_t total = 0;
  std::set<pid_t> uniq;
  for (auto& v : pids) {
    total += v.size();
    uniq.insert(v.begin(), v.end());
  }
  EXPECT_EQ(total, static_cast<size_t>(per * cpus()));
  EXPECT_LT(uniq.size(), total) << "pid_max is cyclic: pids get reused";
  EXPECT_TRUE(wait_until([base] { return nr_threads() == base; }));
  ASSERT_EQ(set_pid_max(PID_MAX_DEFAULT), 0);
}

// Create from the host thread, stop from tasks concurrently.
TEST_P(KthreadTest, ConcurrentStopsFromManyTasks) {
  constexpr int kN = 64;
  std::vector<task_struct*> ts;
  std::vector<std::unique_ptr<Ctl>> cs;
  for (int i = 0; i < kN; ++i) {
    cs.push_back(std::make_unique<Ctl>());
    cs.back()->ret = i;
    task_struct* p = kthread_run(loop_fn, cs.back().get(), "kt_many%d", i);
    ASSERT_FALSE(IS_ERR(p));
    ts.push_back(p);
  }
  for (auto& c : cs) wait_for_completion(&c->started);
  std::vector<task_handle> hs;
  for (int i = 0; i < kN; ++i)
    hs.push_back(spawn([p = ts[static_cast<size_t>(i)]] { return kthread_stop(p); }, "stopper"));
  for (int i = 0; i < kN; ++i) {
    int r = -1;
    EXPECT_TRUE(join_for(hs[static_cast<size_t>(i)], kJoinMs, &r));
    EXPECT_EQ(r, i);
  }
}

// ---- C++ layer ------------------------------------------------------------------------------

TEST_P(KthreadTest, HandleStopsOnDestruction) {
  Ctl c;
  c.ret = 11;
  int base = nr_threads();
  {
    kthread_handle h(kthread_create(loop_fn, &c, "kt_handle"));
    ASSERT_TRUE(h);
    h.wake();
    wait_for_completion(&c.started);
  }
  EXPECT_TRUE(c.saw_stop.load());
  EXPECT_TRUE(wait_until([base] { return nr_threads() == base; }));
  kthread_handle h2(kthread_create(once_fn, &c, "kt_handle2"));
  EXPECT_EQ(h2.stop(), -EINTR);
  EXPECT_EQ(h2.stop(), 0);
  internal::kthreadd_fail_next_fork(-ENOMEM);
  kthread_handle bad(kthread_create(once_fn, &c, "kt_bad"));
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.error(), -ENOMEM);
}

KTL_INSTANTIATE_MACHINES(KthreadTest);

// Poweroff with kthreads parked or never woken is a leak the log names; a clean system powers
// off with 0 (covered by every KernelTest teardown).
TEST(KthreadBootTest, PoweroffStopsInitAndKthreadd) {
  ktl::testing::scoped_kernel k(2);
  EXPECT_EQ(nr_threads(), 2 + ktl::testing::boot_kthreads(2));
  EXPECT_EQ(k.poweroff(), 0);
  EXPECT_EQ(kthreadd_task, nullptr);
  // Requests with no kernel running fail instead of hanging.
  task_struct* p = kthread_create(once_fn, nullptr, "late");
  EXPECT_TRUE(IS_ERR(p));
  // Boot again: pids 1 and 2 again.
  ktl::testing::scoped_kernel k2(1);
  ASSERT_NE(kthreadd_task, nullptr);
  EXPECT_EQ(kthreadd_task->pid, 2);
}

}  // namespace
