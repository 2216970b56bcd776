// The kthread API, boot and poweroff: kthread_run + kthread_stop cycles, start_kernel /
// kernel_poweroff latency, and a million sleeping kthreads — with the peers in the same run.
//
// Groups (report.py compares every entry of a group with its first ktl* entry):
//
//   kthread_cycle   one op = create a thread, let it go, stop it and wait until it is gone.
//     ktl            kthread_run(threadfn) + kthread_stop() from a kernel task (2 vCPUs).
//                    threadfn is the canonical "sleep until kthread_should_stop()" loop. The
//                    stop may come before threadfn first ran (then kthread_stop returns -EINTR,
//                    as on Linux); counter threadfn_ran_pct says how often it did run.
//                    Each iteration boots its own kernel (not timed): whether the requester and
//                    kthreadd end up on one vCPU or on two is settled early in a boot and then
//                    sticks, and the cost differs several-fold. Counter same_vcpu_pct: cycles
//                    after which kthreadd was on the requester's vCPU.
//     ktl_started    the same, but the requester first waits (completion) until threadfn runs:
//                    create + first run + stop, threadfn_ran_pct is 100.
//     ktl_nopoll     ktl with boot_params.idle_poll_ns = 0 (idle vCPUs sleep at once).
//     ktl_1cpu, ktl_1cpu_started  on a 1-vCPU kernel (requester, kthreadd and the new thread
//                    share it: no cross-vCPU wake-ups).
//     ktl_host       ktl from the host thread (the embedding program) instead of a kernel task.
//     std_thread     std::thread t(fn); t.join(); (fn returns at once).
//     boost_fiber    boost::fibers::fiber f(fn); f.join(); default 128 KiB fixedsize_stack.
//     boost_fiber_pooled  the same with a pooled_fixedsize_stack created outside the loop.
//   (Asio and TBB have no thread/task handle that is created and stopped: no peer.)
//
//   boot            one op = one start_kernel() (2 vCPUs, console_fd = -1) until it returns
//                    (a settled system: init has exec'ed and sleeps, kthreadd waits), resp. one
//                    kernel_poweroff() of that idle system. Counters p50_ns / p99_ns / mean_ns.
//     ktl_start_kernel, ktl_poweroff  (the second is listed as a "variant" of the first: the
//                    ratio between them is meaningless, read the ns/op column).
//
//   sleepers_1m     KTL_BENCH_SLEEPERS (default 1'000'000) concurrent sleeping threads.
//     ktl_kthread_run  created with kthread_run from a kernel task; each sleeps in the
//                    set_current_state(TASK_INTERRUPTIBLE) + schedule() loop until
//                    kthread_should_stop(); then a kernel task kthread_stop()s all of them.
//     ktl_kthread_run_1cpu  the same on a 1-vCPU kernel (no cross-vCPU wake-ups).
//     boost_fiber_condvar  as many Boost.Fiber fibers on one thread, each waiting on a
//                    boost::fibers::condition_variable; fixedsize_stack of 32 KiB, ktl's default
//                    stack size (Boost's default is 128 KiB).
//                    std::thread cannot do a million (host threads-max, 8 MiB stacks): see the
//                    `sleepers` group for 1000 of them.
//   Counters: tasks, rss_per_task_bytes (growth of /proc/self/statm RSS while all sleep, / tasks;
//   the main figure), create_s / create_ns_per_task (first create to all asleep; also ns_per_op),
//   stop_s / stop_ns_per_task (stop all and wait until they are gone), stack_kib. ktl: pid_max
//   and threads-max are raised through ktl's own /proc/sys/kernel (proc_write) and restored.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <boost/fiber/all.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "ktl/ktl.h"

namespace {

using namespace ktl;
using clk = std::chrono::steady_clock;

double ns_since(clk::time_point t0) {
  return std::chrono::duration<double, std::nano>(clk::now() - t0).count();
}

// ---------------------------------------------------------------- helpers

struct kbench_kernel {
  explicit kbench_kernel(int cpus, long idle_poll_ns = -1, std::size_t stack_size = 0) {
    boot_params bp;
    bp.cpus = cpus;
    bp.console_fd = -1;
    bp.idle_poll_ns = idle_poll_ns;
    bp.stack_size = stack_size;
    ok = start_kernel(bp) == 0;
    base = nr_threads();  // init and kthreadd
  }
  ~kbench_kernel() {
    if (ok) {
      wait_idle();
      kernel_poweroff();
    }
  }
  // Until only init and kthreadd are left (exited tasks are reaped asynchronously).
  void wait_idle() const {
    while (nr_threads() > base) std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  bool ok;
  int base = 0;
};

// Run fn in a new kernel task (kernel_thread, not the kthread API) and wait for it.
struct task_fn {
  std::function<void()> fn;
  completion done;
};
int run_task_fn(void* arg) {
  auto* t = static_cast<task_fn*>(arg);
  t->fn();
  complete(&t->done);
  return 0;
}
bool run_in_task(std::function<void()> fn, const char* name) {
  task_fn t;
  t.fn = std::move(fn);
  if (kernel_thread(run_task_fn, &t, name, 0) < 0) return false;
  wait_for_completion(&t.done);
  return true;
}

// The canonical kthread main loop: sleep until kthread_should_stop().
int sleep_until_stop(void*) {
  for (;;) {
    set_current_state(TASK_INTERRUPTIBLE);
    if (kthread_should_stop()) break;
    schedule();
  }
  __set_current_state(TASK_RUNNING);
  return 0;
}

// Same, but first completes the completion passed as data.
int started_then_sleep(void* data) {
  complete(static_cast<completion*>(data));
  return sleep_until_stop(nullptr);
}

void set_manual_ns_per_op(benchmark::State& state, double total_ns, double ops) {
  state.counters["ns_per_op"] = benchmark::Counter(total_ns / ops);
  state.SetItemsProcessed(static_cast<int64_t>(ops));
}

void set_rate_ns_per_op(benchmark::State& state, double ops) {
  state.counters["ns_per_op"] =
      benchmark::Counter(ops, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetItemsProcessed(static_cast<int64_t>(ops));
}

long rss_bytes() {
  long pages = 0, rss = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
    std::fclose(f);
  }
  return rss * 4096;
}

// ======================================================== kthread_cycle

constexpr int kCycles = 20'000;

enum class cycle_mode { plain, started };

struct cycle_result {
  double ns = 0;
  int ran = 0;        // threadfn ran (kthread_stop returned 0, not -EINTR)
  int same_cpu = 0;   // kthreadd was on the requester's vCPU (requests from a task only)
  const char* err = nullptr;
};

// n create+stop cycles in the calling context (a kernel task or the host thread).
bool kthread_cycles(cycle_mode mode, int n, cycle_result* res) {
  completion started;
  const bool in_task = !(get_current()->ktl_flags & task_struct::kTaskHost);
  auto t0 = clk::now();
  for (int i = 0; i < n; ++i) {
    task_struct* p;
    if (mode == cycle_mode::started) {
      reinit_completion(&started);
      p = kthread_run(started_then_sleep, &started, "kcycle");
    } else {
      p = kthread_run(sleep_until_stop, nullptr, "kcycle");
    }
    if (IS_ERR(p)) {
      res->err = "kthread_run failed";
      return false;
    }
    if (mode == cycle_mode::started) wait_for_completion(&started);
    int ret = kthread_stop(p);
    if (ret == 0) {
      ++res->ran;
    } else if (ret != -EINTR) {
      res->err = "kthread_stop: unexpected result";
      return false;
    }
    // kthreadd sleeps now; where it last ran decides whether requests cross vCPUs.
    if (in_task && task_cpu(kthreadd_task) == smp_processor_id()) ++res->same_cpu;
  }
  res->ns = ns_since(t0);
  return true;
}

// A fresh kernel per iteration (boot and poweroff are not timed): where the requester and
// kthreadd settle (one vCPU or two) is decided early in a boot and then sticks, so iterations
// on separate boots sample both outcomes.
void BM_kthread_cycle_ktl(benchmark::State& state, int cpus, bool from_host, cycle_mode mode,
                          long idle_poll_ns) {
  double total_ns = 0, ops = 0, ran = 0, same = 0;
  for (auto _ : state) {
    kbench_kernel k(cpus, idle_poll_ns);
    if (!k.ok) {
      state.SkipWithError("start_kernel failed");
      return;
    }
    cycle_result r;
    bool ok;
    if (from_host) {
      ok = kthread_cycles(mode, kCycles, &r);
    } else {
      ok = false;
      run_in_task([&] { ok = kthread_cycles(mode, kCycles, &r); }, "kcycler");
    }
    if (!ok) {
      state.SkipWithError(r.err ? r.err : "kernel_thread failed");
      return;
    }
    state.SetIterationTime(r.ns / 1e9);
    total_ns += r.ns;
    ops += kCycles;
    ran += r.ran;
    same += r.same_cpu;
  }
  set_manual_ns_per_op(state, total_ns, ops);
  state.counters["threadfn_ran_pct"] = 100.0 * ran / ops;
  if (!from_host) state.counters["same_vcpu_pct"] = 100.0 * same / ops;
}
BENCHMARK_CAPTURE(BM_kthread_cycle_ktl, task, 2, false, cycle_mode::plain, -1)
    ->Name("kthread_cycle/ktl")->UseManualTime()->Iterations(5);
BENCHMARK_CAPTURE(BM_kthread_cycle_ktl, started, 2, false, cycle_mode::started, -1)
    ->Name("kthread_cycle/ktl_started")->UseManualTime()->Iterations(5);
BENCHMARK_CAPTURE(BM_kthread_cycle_ktl, nopoll, 2, false, cycle_mode::plain, 0)
    ->Name("kthread_cycle/ktl_nopoll")->UseManualTime()->Iterations(5);
BENCHMARK_CAPTURE(BM_kthread_cycle_ktl, one_cpu, 1, false, cycle_mode::plain, -1)
    ->Name("kthread_cycle/ktl_1cpu")->UseManualTime()->Iterations(5);
BENCHMARK_CAPTURE(BM_kthread_cycle_ktl, one_cpu_started, 1, false, cycle_mode::started, -1)
    ->Name("kthread_cycle/ktl_1cpu_started")->UseManualTime()->Iterations(5);
BENCHMARK_CAPTURE(BM_kthread_cycle_ktl, host, 2, true, cycle_mode::plain, -1)
    ->Name("kthread_cycle/ktl_host")->UseManualTime()->Iterations(5);

void BM_kthread_cycle_std_thread(benchmark::State& state) {
  std::atomic<long> ran{0};
  for (auto _ : state) {
    std::thread t([&ran] { ran.fetch_add(1, std::memory_order_relaxed); });
    t.join();
  }
  if (ran.load() != static_cast<long>(state.iterations())) state.SkipWithError("thread did not run");
  set_rate_ns_per_op(state, static_cast<double>(state.iterations()));
}
BENCHMARK(BM_kthread_cycle_std_thread)->Name("kthread_cycle/std_thread")->UseRealTime();

void BM_kthread_cycle_boost_fiber(benchmark::State& state) {
  long ran = 0;
  for (auto _ : state) {
    boost::fibers::fiber f([&ran] { ++ran; });
    f.join();
  }
  if (ran != static_cast<long>(state.iterations())) state.SkipWithError("fiber did not run");
  set_rate_ns_per_op(state, static_cast<double>(state.iterations()));
}
BENCHMARK(BM_kthread_cycle_boost_fiber)->Name("kthread_cycle/boost_fiber")->UseRealTime();

void BM_kthread_cycle_boost_fiber_pooled(benchmark::State& state) {
  boost::fibers::pooled_fixedsize_stack salloc;
  long ran = 0;
  for (auto _ : state) {
    boost::fibers::fiber f(std::allocator_arg, salloc, [&ran] { ++ran; });
    f.join();
  }
  if (ran != static_cast<long>(state.iterations())) state.SkipWithError("fiber did not run");
  set_rate_ns_per_op(state, static_cast<double>(state.iterations()));
}
BENCHMARK(BM_kthread_cycle_boost_fiber_pooled)
    ->Name("kthread_cycle/boost_fiber_pooled")->UseRealTime();

// ================================================================= boot

enum class boot_phase { start, poweroff };

void BM_boot(benchmark::State& state, boot_phase phase) {
  std::vector<double> samples;
  for (auto _ : state) {
    boot_params bp;
    bp.cpus = 2;
    bp.console_fd = -1;
    auto t0 = clk::now();
    if (start_kernel(bp) != 0) {
      state.SkipWithError("start_kernel failed");
      return;
    }
    double boot_ns = ns_since(t0);
    auto t1 = clk::now();
    int r = kernel_poweroff();
    double off_ns = ns_since(t1);
    if (r != 0) {
      state.SkipWithError("kernel_poweroff failed");
      return;
    }
    double ns = phase == boot_phase::start ? boot_ns : off_ns;
    state.SetIterationTime(ns / 1e9);
    samples.push_back(ns);
  }
  if (samples.empty()) return;
  double sum = 0;
  for (double s : samples) sum += s;
  std::sort(samples.begin(), samples.end());
  auto pct = [&](double q) {
    return samples[std::min(samples.size() - 1, static_cast<std::size_t>(q * samples.size()))];
  };
  set_manual_ns_per_op(state, sum, static_cast<double>(samples.size()));
  state.counters["p50_ns"] = pct(0.50);
  state.counters["p99_ns"] = pct(0.99);
  state.counters["mean_ns"] = sum / static_cast<double>(samples.size());
}
BENCHMARK_CAPTURE(BM_boot, start, boot_phase::start)
    ->Name("boot/ktl_start_kernel")->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_boot, poweroff, boot_phase::poweroff)
    ->Name("boot/ktl_poweroff")->UseManualTime()->Unit(benchmark::kMicrosecond);

// ========================================================== sleepers_1m

int sleepers_count() {
  if (const char* s = std::getenv("KTL_BENCH_SLEEPERS")) {
    long v = std::strtol(s, nullptr, 0);
    if (v > 0 && v <= 4'000'000) return static_cast<int>(v);
  }
  return 1'000'000;
}

std::atomic<int> g_asleep{0};

int sleeper(void*) {
  set_current_state(TASK_INTERRUPTIBLE);
  g_asleep.fetch_add(1, std::memory_order_relaxed);
  for (;;) {
    if (kthread_should_stop()) break;
    schedule();
    set_current_state(TASK_INTERRUPTIBLE);
  }
  __set_current_state(TASK_RUNNING);
  return 0;
}

std::string read_sysctl(const char* path) {
  std::string s;
  proc_read(path, &s);
  return s;
}

void report_sleepers(benchmark::State& state, int n, long rss, double create_ns, double stop_ns) {
  state.counters["tasks"] = n;
  state.counters["rss_per_task_bytes"] = static_cast<double>(rss) / n;
  state.counters["create_s"] = create_ns / 1e9;
  state.counters["create_ns_per_task"] = create_ns / n;
  state.counters["stop_s"] = stop_ns / 1e9;
  state.counters["stop_ns_per_task"] = stop_ns / n;
  state.counters["ns_per_op"] = create_ns / n;
  state.SetItemsProcessed(n);
}

// ktl keeps task stacks in a pool that is never unmapped while the stack size stays the same
// (src/arch/fiber.cc: a boot with a different stack size drops the old stacks). Reused stacks
// are already resident, so a fresh pool is needed to see the real growth per kthread, and after
// a million kthreads the pool holds gigabytes of resident stacks: an empty boot with an odd
// stack size, before and after, drops them.
void drop_stack_pool() {
  boot_params bp;
  bp.cpus = 1;
  bp.console_fd = -1;
  bp.stack_size = 44 * 1024;  // used by nobody else
  if (start_kernel(bp) == 0) kernel_poweroff();
  malloc_trim(0);
}

void BM_sleepers_1m_ktl(benchmark::State& state, int cpus) {
  const int n = sleepers_count();
  // pid_max and threads-max are ktl's own sysctls (not the host's); both persist across boots.
  std::string old_pid_max = read_sysctl("/proc/sys/kernel/pid_max");
  std::string old_threads_max = read_sysctl("/proc/sys/kernel/threads-max");
  int need = n + 4096;
  if (proc_write("/proc/sys/kernel/pid_max",
                 std::to_string(std::clamp(need, PID_MAX_DEFAULT, PID_MAX_LIMIT))) != 0 ||
      proc_write("/proc/sys/kernel/threads-max",
                 std::to_string(std::max(need, max_threads()))) != 0) {
    state.SkipWithError("proc_write pid_max / threads-max failed");
    return;
  }
  long rss = 0;
  double create_ns = 0, stop_ns = 0;
  std::size_t stack_kib = 0;
  const char* err = nullptr;
  for (auto _ : state) {
    drop_stack_pool();
    kbench_kernel k(cpus);
    if (!k.ok) {
      err = "start_kernel failed";
      break;
    }
    stack_kib = kernel_boot_params().stack_size / 1024;
    std::vector<task_struct*> tasks(static_cast<std::size_t>(n), nullptr);
    g_asleep.store(0);
    malloc_trim(0);  // freed heap from earlier benchmarks must not hide the growth
    long rss0 = rss_bytes();
    auto t0 = clk::now();
    run_in_task(
        [&] {
          for (int i = 0; i < n; ++i) {
            task_struct* p = kthread_run(sleeper, nullptr, "sleeper/%d", i);
            if (IS_ERR(p)) {
              err = "kthread_run failed";
              std::fprintf(stderr, "sleepers_1m: kthread_run #%d: %ld\n", i, PTR_ERR(p));
              break;
            }
            tasks[static_cast<std::size_t>(i)] = p;
          }
        },
        "spawner");
    while (!err && g_asleep.load(std::memory_order_relaxed) < n)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    create_ns = ns_since(t0);
    rss = rss_bytes() - rss0;
    auto t1 = clk::now();
    run_in_task(
        [&] {
          for (task_struct* p : tasks)
            if (p && kthread_stop(p) != 0 && !err) err = "kthread_stop != 0";
        },
        "stopper");
    k.wait_idle();
    stop_ns = ns_since(t1);
  }
  drop_stack_pool();
  proc_write("/proc/sys/kernel/threads-max", old_threads_max);
  proc_write("/proc/sys/kernel/pid_max", old_pid_max);
  if (err) {
    state.SkipWithError(err);
    return;
  }
  report_sleepers(state, n, rss, create_ns, stop_ns);
  state.counters["stack_kib"] = static_cast<double>(stack_kib);
}
BENCHMARK_CAPTURE(BM_sleepers_1m_ktl, two_cpus, 2)->Name("sleepers_1m/ktl_kthread_run")
    ->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_sleepers_1m_ktl, one_cpu, 1)->Name("sleepers_1m/ktl_kthread_run_1cpu")
    ->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_sleepers_1m_boost_fiber(benchmark::State& state) {
  const int n = sleepers_count();
  constexpr std::size_t kStack = 32 * 1024;
  long rss = 0;
  double create_ns = 0, stop_ns = 0;
  for (auto _ : state) {
    boost::fibers::mutex m;
    boost::fibers::condition_variable cv;
    bool stop = false;
    int asleep = 0, woke = 0;
    std::vector<boost::fibers::fiber> fibers;
    fibers.reserve(static_cast<std::size_t>(n));
    malloc_trim(0);
    long rss0 = rss_bytes();
    auto t0 = clk::now();
    for (int i = 0; i < n; ++i) {
      fibers.emplace_back(std::allocator_arg, boost::fibers::fixedsize_stack(kStack), [&] {
        std::unique_lock<boost::fibers::mutex> lk(m);
        ++asleep;
        cv.wait(lk, [&] { return stop; });
        ++woke;
      });
    }
    // launch::post: the fibers run (and park) once the main fiber yields.
    while (asleep < n) boost::this_fiber::yield();
    create_ns = ns_since(t0);
    rss = rss_bytes() - rss0;
    auto t1 = clk::now();
    {
      std::unique_lock<boost::fibers::mutex> lk(m);
      stop = true;
    }
    cv.notify_all();
    for (auto& f : fibers) f.join();
    fibers.clear();
    stop_ns = ns_since(t1);
    if (woke != n) state.SkipWithError("not every fiber woke");
  }
  malloc_trim(0);
  report_sleepers(state, n, rss, create_ns, stop_ns);
  state.counters["stack_kib"] = static_cast<double>(kStack / 1024);
}
BENCHMARK(BM_sleepers_1m_boost_fiber)->Name("sleepers_1m/boost_fiber_condvar")->Iterations(1)
    ->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
