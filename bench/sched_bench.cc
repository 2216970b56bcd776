// ktl side of the scheduler benchmarks: same group names as the peers (peers_bench.cc).
//
// Each benchmark boots a kernel once, runs the measured loop inside kernel tasks, and reports
// real time per operation (manual timing: the host thread only waits for the tasks).
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>
#include <random>
#include <vector>

#include "ktl/ktl.h"

// bench/c/compat_bench.c: the same ping-pong written in kernel-style C against <linux/...>.
extern "C" long ktlb_c_xcpu_wake(long rounds);

namespace {

using namespace ktl;
using clk = std::chrono::steady_clock;

struct bench_kernel {
  explicit bench_kernel(int cpus) {
    boot_params bp;
    bp.cpus = cpus;
    bp.console_fd = -1;
    ok = start_kernel(bp) == 0;
    base = nr_threads();  // init and kthreadd
  }
  ~bench_kernel() {
    if (ok) kernel_poweroff();
  }
  bool ok;
  int base = 0;
};

struct task_fn {
  std::function<void()> fn;
  completion done;
};
int run_fn(void* arg) {
  auto* t = static_cast<task_fn*>(arg);
  t->fn();
  complete(&t->done);
  return 0;
}
task_struct* start_task(task_fn* t, const char* name, int cpu) {
  kernel_clone_args a;
  a.name = name;
  a.kthread = true;
  a.fn = run_fn;
  a.fn_arg = t;
  task_struct* p = copy_process(a);
  if (IS_ERR(p)) return nullptr;
  if (cpu >= 0) {
    cpumask m = cpumask::of(cpu);
    do_set_cpus_allowed(p, &m);
  }
  wake_up_new_task(p);
  return p;
}

void set_ns_per_op(benchmark::State& state, double total_ns, double ops) {
  state.counters["ns_per_op"] = benchmark::Counter(total_ns / ops);
  state.SetItemsProcessed(static_cast<int64_t>(ops));
}

// Two tasks on one vCPU hand the CPU back and forth with the raw kernel protocol:
// set_current_state + wake_up_process(peer) + schedule(). One op = one context switch.
void BM_switch_ktl(benchmark::State& state) {
  bench_kernel k(1);
  const long kSwitches = 2'000'000;
  double total_ns = 0, ops = 0;
  for (auto _ : state) {
    std::atomic<task_struct*> tasks[2] = {nullptr, nullptr};
    std::atomic<int> turn{0};
    task_fn f[2];
    for (int me = 0; me < 2; ++me) {
      f[me].fn = [&, me] {
        tasks[me] = get_current();
        while (!tasks[1 - me].load()) schedule_timeout_uninterruptible(1);
        for (long i = 0; i < kSwitches / 2; ++i) {
          for (;;) {
            __set_current_state(TASK_UNINTERRUPTIBLE);
            if (turn.load(std::memory_order_relaxed) == me) break;
            schedule();
          }
          __set_current_state(TASK_RUNNING);
          turn.store(1 - me, std::memory_order_relaxed);
          wake_up_process(tasks[1 - me].load(std::memory_order_relaxed));
        }
      };
    }
    start_task(&f[0], "ping", 0);
    start_task(&f[1], "pong", 0);
    // Let both reach the loop, then time the switches only.
    while (!tasks[0].load() || !tasks[1].load()) std::this_thread::yield();
    auto t0 = clk::now();
    wait_for_completion(&f[0].done);
    wait_for_completion(&f[1].done);
    double ns = std::chrono::duration<double, std::nano>(clk::now() - t0).count();
    state.SetIterationTime(ns / 1e9);
    total_ns += ns;
    ops += kSwitches;
  }
  set_ns_per_op(state, total_ns, ops);
}
BENCHMARK(BM_switch_ktl)->Name("switch/ktl_wake_schedule")->UseManualTime()->Iterations(5);

// Completion ping-pong between tasks on two vCPUs. One op = one round trip A->B->A.
void BM_xcpu_wake_ktl(benchmark::State& state) {
  bench_kernel k(2);
  const long kRounds = 200'000;
  double total_ns = 0, ops = 0;
  for (auto _ : state) {
    completion a_go, b_go;
    task_fn fa, fb;
    std::atomic<bool> b_ready{false};
    fb.fn = [&] {
      b_ready = true;
      for (long i = 0; i < kRounds; ++i) {
        wait_for_completion(&b_go);
        complete(&a_go);
      }
    };
    fa.fn = [&] {
      for (long i = 0; i < kRounds; ++i) {
        complete(&b_go);
        wait_for_completion(&a_go);
      }
    };
    start_task(&fb, "pong", 1);
    while (!b_ready.load()) std::this_thread::yield();
    auto t0 = clk::now();
    start_task(&fa, "ping", 0);
    wait_for_completion(&fa.done);
    double ns = std::chrono::duration<double, std::nano>(clk::now() - t0).count();
    wait_for_completion(&fb.done);
    state.SetIterationTime(ns / 1e9);
    total_ns += ns;
    ops += kRounds;
  }
  set_ns_per_op(state, total_ns, ops);
}
BENCHMARK(BM_xcpu_wake_ktl)->Name("xcpu_wake/ktl_completion")->UseManualTime()->Iterations(5);

// The same round trips from C through the compat layer (<linux/completion.h>, kthread_create +
// kthread_bind): the C function times its own loop. Registered after the C++ baseline.
void BM_xcpu_wake_ktl_c(benchmark::State& state) {
  bench_kernel k(2);
  const long kRounds = 200'000;
  double total_ns = 0, ops = 0;
  for (auto _ : state) {
    long ns = -1;
    task_fn f;
    f.fn = [&] { ns = ktlb_c_xcpu_wake(kRounds); };
    start_task(&f, "ping", 0);
    wait_for_completion(&f.done);
    if (ns < 0) {
      state.SkipWithError("kthread_create failed");
      return;
    }
    state.SetIterationTime(static_cast<double>(ns) / 1e9);
    total_ns += static_cast<double>(ns);
    ops += kRounds;
  }
  set_ns_per_op(state, total_ns, ops);
}
BENCHMARK(BM_xcpu_wake_ktl_c)->Name("xcpu_wake/ktl_c_completion")->UseManualTime()->Iterations(5);

long rss_kib() {
  long pages = 0, rss = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
    std::fclose(f);
  }
  return rss * 4;
}

// 100k tasks sleeping in schedule_timeout with random deadlines (1 ms .. 2 s): memory per sleeping
// task, and how late each wake-up is (jiffies at wake-up minus the deadline).
void BM_sleepers_ktl(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  bench_kernel k(2);
  set_pid_max(PID_MAX_LIMIT);  // 100k tasks need more than the default 32768 pids, as on Linux
  double rss_per_task = 0, late_avg = 0, late_max = 0, create_ns = 0;
  for (auto _ : state) {
    struct sleeper {
      long timeout;
      unsigned long deadline;
      long late;
    };
    std::vector<sleeper> s(static_cast<size_t>(n));
    std::mt19937_64 rng(42);
    for (auto& x : s) x.timeout = 1 + static_cast<long>(rng() % (2 * hz()));
    std::atomic<int> asleep{0}, woke{0};
    completion all_woke;
    long rss0 = rss_kib();
    auto t0 = clk::now();
    for (int i = 0; i < n; ++i) {
      kernel_clone_args a;
      a.name = "sleeper";
      a.kthread = true;
      a.fn = [](void* arg) -> int {
        auto* ctx = static_cast<std::pair<sleeper*, void*>*>(arg);
        (void)ctx;
        return 0;
      };
      // Pass the sleeper record through a small trampoline with globals for counters.
      static std::atomic<int>* g_asleep;
      static std::atomic<int>* g_woke;
      static completion* g_done;
      static int g_n;
      g_asleep = &asleep;
      g_woke = &woke;
      g_done = &all_woke;
      g_n = n;
      a.fn = [](void* arg) -> int {
        auto* me = static_cast<sleeper*>(arg);
        me->deadline = jiffies + static_cast<unsigned long>(me->timeout);
        g_asleep->fetch_add(1, std::memory_order_relaxed);
        schedule_timeout_uninterruptible(me->timeout);
        me->late = static_cast<long>(jiffies - me->deadline);
        if (g_woke->fetch_add(1) + 1 == g_n) complete(g_done);
        return 0;
      };
      a.fn_arg = &s[static_cast<size_t>(i)];
      if (kernel_clone(a) < 0) {
        state.SkipWithError("kernel_clone failed");
        return;
      }
    }
    create_ns = std::chrono::duration<double, std::nano>(clk::now() - t0).count() / n;
    while (asleep.load() < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    long rss1 = rss_kib();
    rss_per_task = (rss1 - rss0) * 1024.0 / n;
    wait_for_completion(&all_woke);
    double sum = 0;
    long mx = 0;
    for (auto& x : s) {
      sum += static_cast<double>(x.late);
      mx = std::max(mx, x.late);
    }
    late_avg = sum / n;
    late_max = static_cast<double>(mx);
    while (nr_threads() > k.base) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  state.counters["rss_per_task_bytes"] = rss_per_task;
  state.counters["late_avg_jiffies"] = late_avg;
  state.counters["late_max_jiffies"] = late_max;
  state.counters["create_ns_per_task"] = create_ns;
}
BENCHMARK(BM_sleepers_ktl)->Name("sleepers/ktl_schedule_timeout")->Arg(100000)->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// kernel_thread() + wait for the task to exit, from a task. One op = one create+run+exit.
void BM_spawn_ktl(benchmark::State& state) {
  bench_kernel k(2);
  const int kSpawns = 100'000;
  double total_ns = 0, ops = 0;
  for (auto _ : state) {
    task_fn f;
    f.fn = [&] {
      completion done;
      for (int i = 0; i < kSpawns; ++i) {
        reinit_completion(&done);
        kernel_thread([](void* c) { complete(static_cast<completion*>(c)); return 0; }, &done,
                      "child", 0);
        wait_for_completion(&done);
      }
    };
    auto t0 = clk::now();
    start_task(&f, "spawner", 0);
    wait_for_completion(&f.done);
    double ns = std::chrono::duration<double, std::nano>(clk::now() - t0).count();
    state.SetIterationTime(ns / 1e9);
    total_ns += ns;
    ops += kSpawns;
    while (nr_threads() > k.base) std::this_thread::yield();
  }
  set_ns_per_op(state, total_ns, ops);
}
BENCHMARK(BM_spawn_ktl)->Name("spawn/ktl_kernel_thread")->UseManualTime()->Iterations(3);

}  // namespace
