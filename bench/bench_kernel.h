// Shared by the benchmarks that boot a kernel: boot/poweroff, running code in a kernel task, and
// the per-op counter.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>

#include "ktl/ktl.h"

namespace ktl_bench {

using namespace ktl;

struct bench_kernel {
  explicit bench_kernel(int cpus, long idle_poll_ns = -1) {
    boot_params bp;
    bp.cpus = cpus;
    bp.console_fd = -1;
    bp.idle_poll_ns = idle_poll_ns;
    ok = start_kernel(bp) == 0;
  }
  ~bench_kernel() {
    if (ok) kernel_poweroff();
  }
  bool ok;
};

struct task_fn {
  std::function<void()> fn;
  completion done;
};
inline int run_fn(void* arg) {
  auto* t = static_cast<task_fn*>(arg);
  t->fn();
  complete(&t->done);
  return 0;
}
// A kernel task running t->fn, pinned to `cpu` (-1: anywhere).
inline bool start_task(task_fn* t, const char* name, int cpu) {
  kernel_clone_args a;
  a.name = name;
  a.kthread = true;
  a.fn = run_fn;
  a.fn_arg = t;
  task_struct* p = copy_process(a);
  if (IS_ERR(p)) return false;
  if (cpu >= 0) {
    cpumask m = cpumask::of(cpu);
    do_set_cpus_allowed(p, &m);
  }
  wake_up_new_task(p);
  return true;
}

inline void set_ns_per_op(benchmark::State& state, double ops) {
  state.counters["ns_per_op"] =
      benchmark::Counter(ops, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetItemsProcessed(static_cast<std::int64_t>(ops));
}

}  // namespace ktl_bench
