// Bottom-half, stop_machine and CPU hotplug benchmarks (ktl/kernel/interrupt.h,
// ktl/kernel/stop_machine.h, ktl/kernel/cpu.h), with the peers in the same run. See
// bench/README.md ("softirq_latency", "tasklet_throughput", "stop_machine", "hotplug_cycle").
//
// Groups (report.py compares every entry of a group with its first ktl* entry):
//
//   softirq_latency  one op = ask for a function to run in "another context" and wait until it
//                    did. Counters p50_ns / p99_ns / mean_ns: request -> first instruction of the
//                    function (ktime_get_ns / steady_clock, both CLOCK_MONOTONIC); ns_per_op: the
//                    whole cycle (request, run, back to the requester).
//     ktl_ksoftirqd      2-vCPU kernel; a kernel task pinned to vCPU 0 raise_softirq(NET_RX) (a
//                        vector ktl leaves unused, opened by the benchmark) from task context,
//                        which wakes ksoftirqd/0; the task then wait_for_completion()s, vCPU 0
//                        switches to ksoftirqd/0, whose handler complete()s. Two switches per op.
//     ktl_bh_enable      local_bh_disable(); raise_softirq(NET_RX); local_bh_enable(): the handler
//                        runs inline in local_bh_enable (no switch; checked every op).
//     std_condvar_thread a dedicated std::thread sleeping on a std::condition_variable; the
//                        benchmark thread sets a request, notifies and blocks on a second
//                        condvar until the helper ran the function (two host-thread wake-ups).
//     asio_post          boost::asio::io_context run by one std::thread: post() the function,
//                        block (std::atomic::wait) until it ran.
//     boost_fiber_same_thread  a helper fiber on the benchmark thread sleeping on a
//                        boost::fibers::condition_variable; the main fiber notifies and waits on
//                        a second one: two fiber switches on one thread, the closest analogue of
//                        ksoftirqd on the raising vCPU.
//
//   tasklet_throughput  one op = one empty callback scheduled and run (M items/s). Every ktl
//                    iteration: one kernel task pinned to vCPU 0 of a 2-vCPU kernel runs
//                    kRounds (256) rounds of kBatch (1024) callbacks = 262 144. Each callback
//                    does one relaxed atomic add on a counter; the last one of a round wakes
//                    the producer.
//     ktl_batch_ksoftirqd  tasklet_schedule() of 1024 distinct tasklets from task context (each
//                        raise wakes ksoftirqd/0), then wait_for_completion: ksoftirqd/0 runs
//                        the whole list in one TASKLET_SOFTIRQ pass.
//     ktl_batch_bh       the same 1024 tasklet_schedule()s inside local_bh_disable() /
//                        local_bh_enable(): the list runs inline at local_bh_enable.
//     ktl_resched_one    one tasklet whose callback tasklet_schedule()s itself until it ran 1024
//                        times: one TASKLET_SOFTIRQ pass per callback (the softirq restart loop,
//                        then ksoftirqd/0 after 10 restarts).
//     asio_post_one_thread  io_context run by one std::thread; the benchmark thread posts 1024
//                        handlers and blocks (std::atomic::wait) until the batch ran.
//     asio_same_thread   the same-CPU analogue: a producer handler on the io_context thread
//                        posts 1024 handlers and re-posts itself behind them, 256 times.
//     tbb_task_group     tbb::task_group in the default arena (2 threads): run() 1024 tasks,
//                        wait(), 256 times.
//
//   stop_machine     one op = stop_machine(fn, nullptr, nullptr) with a trivial fn (an atomic
//                    add), called from a kernel task pinned to vCPU 0: every online vCPU's
//                    stopper (migration/N) steps through PREPARE -> DISABLE_IRQ -> RUN -> EXIT,
//                    spinning between states; the caller sleeps until all are done.
//                    Counters p50_ns / p99_ns / mean_ns / max_ns: one call (ns_per_op is the
//                    mean, which a loaded host's scheduling tail dominates).
//     ktl_2cpu, ktl_8cpu  2 and 8 vCPUs (8 on this 2-core host is oversubscribed: the spinning
//                        stoppers need the host to schedule each of the 8 vCPU threads per state).
//     ktl_2cpu_nopoll    2 vCPUs booted with idle_poll_ns = 0: the idle vCPU 1 sleeps in a futex
//                        between calls, so every call wakes its host thread (as for the peers).
//     std_barrier_2threads, std_barrier_8threads  the closest analogue: a std::barrier across N
//                        std::threads (the benchmark thread + N-1 helpers); one op = every thread
//                        arrives twice ("stop", "done"); percentiles per round trip.
//
//   hotplug_cycle    one op = cpu_down(1) + cpu_up(1) on a 2-vCPU kernel, from a kernel task
//                    pinned to vCPU 0 (manual timing: only the two calls are timed). No peer:
//                    nothing in the standard library or the peer libraries takes a CPU away.
//     ktl_0tasks         nothing extra on vCPU 1 (only its per-CPU threads).
//     ktl_1000sleepers   1000 kthreads, started bound to vCPU 1, then allowed on all vCPUs and
//                        asleep on a wait queue (TASK_IDLE): their last CPU is the one going down.
//     ktl_1000sleepers_8spinners  plus 8 runnable kthreads spinning with cond_resched() on
//                        vCPU 1 (affinity all): cpu_down moves them to vCPU 0; before every
//                        cycle (untimed) they move themselves back to vCPU 1.
//                    Counters: p50_ns / p99_ns / mean_ns / max_ns of a down+up pair (ns_per_op is
//                    the mean), down_p50_ns / up_p50_ns / down_mean_ns / up_mean_ns the halves.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/fiber/all.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <oneapi/tbb/task_group.h>
#include <thread>
#include <vector>

#include "bench_kernel.h"
#include "ktl/ktl.h"

namespace {

using namespace ktl;
using namespace ktl_bench;
using clk = std::chrono::steady_clock;

// ---------------------------------------------------------------- helpers


// Runs fn in a kernel task pinned to `cpu` and waits for it (host side).
bool run_in_task(const char* name, int cpu, std::function<void()> fn) {
  task_fn f;
  f.fn = std::move(fn);
  if (!start_task(&f, name, cpu)) return false;
  wait_for_completion(&f.done);
  return true;
}


void set_percentiles(benchmark::State& state, std::vector<std::int64_t>& lat) {
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    std::size_t i = std::min(lat.size() - 1, static_cast<std::size_t>(p * double(lat.size())));
    return static_cast<double>(lat[i]);
  };
  double sum = 0;
  for (auto v : lat) sum += static_cast<double>(v);
  state.counters["p50_ns"] = pct(0.50);
  state.counters["p99_ns"] = pct(0.99);
  state.counters["mean_ns"] = sum / static_cast<double>(lat.size());
  state.counters["max_ns"] = static_cast<double>(lat.back());
}

std::int64_t since_ns(clk::time_point t0) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clk::now() - t0).count();
}

// ======================================================== softirq latency (ktl)

// Softirq handlers take no argument: one global record.
struct softirq_record {
  u64 stamp = 0;        // ktime_get_ns() at handler entry
  unsigned long runs = 0;
  completion done;
};
softirq_record* g_sirq = nullptr;

void bench_net_rx_action() {
  g_sirq->stamp = ktime_get_ns();
  g_sirq->runs++;
  complete(&g_sirq->done);
}

void BM_softirq_latency_ktl(benchmark::State& state, bool bh, int ops) {
  bench_kernel k(2);
  if (!k.ok) {
    state.SkipWithError("start_kernel failed");
    return;
  }
  softirq_record rec;
  init_completion(&rec.done);
  g_sirq = &rec;
  open_softirq(NET_RX_SOFTIRQ, bench_net_rx_action);
  std::vector<std::int64_t> lat;
  lat.reserve(static_cast<std::size_t>(ops) * 4);
  long not_inline = 0, wrong_runs = 0;
  for (auto _ : state) {
    bool ok = run_in_task("sirqlat", 0, [&] {
      for (int i = -1000; i < ops; ++i) {  // warm-up first
        reinit_completion(&rec.done);
        const unsigned long runs0 = rec.runs;
        u64 t0;
        if (bh) {
          local_bh_disable();
          t0 = ktime_get_ns();
          raise_softirq(NET_RX_SOFTIRQ);
          local_bh_enable();
          if (KTL_UNLIKELY(rec.runs != runs0 + 1)) {
            ++not_inline;
            wait_for_completion(&rec.done);
          }
        } else {
          t0 = ktime_get_ns();
          raise_softirq(NET_RX_SOFTIRQ);
          wait_for_completion(&rec.done);
        }
        if (KTL_UNLIKELY(rec.runs != runs0 + 1)) ++wrong_runs;
        if (i >= 0) lat.push_back(static_cast<std::int64_t>(rec.stamp - t0));
      }
    });
    if (!ok) {
      state.SkipWithError("copy_process failed");
      break;
    }
  }
  open_softirq(NET_RX_SOFTIRQ, nullptr);
  g_sirq = nullptr;
  if (not_inline || wrong_runs) {
    state.SkipWithError(not_inline ? "softirq did not run inline at local_bh_enable"
                                   : "handler ran a wrong number of times");
    return;
  }
  if (lat.size() != static_cast<std::size_t>(state.iterations()) * ops) {
    state.SkipWithError("latency samples lost");
    return;
  }
  set_percentiles(state, lat);
  set_ns_per_op(state, static_cast<double>(state.iterations()) * ops);
}

// ======================================================== softirq latency (peers)

void BM_softirq_latency_std_condvar_thread(benchmark::State& state) {
  std::mutex m;
  std::condition_variable cv_req, cv_ack;
  bool req = false, stop = false;
  std::uint64_t acks = 0, sent = 0;
  clk::time_point t0;
  std::int64_t ran_at = 0;
  std::vector<std::int64_t> lat;
  lat.reserve(1 << 20);
  std::thread helper([&] {
    std::unique_lock<std::mutex> lk(m);
    for (;;) {
      cv_req.wait(lk, [&] { return req || stop; });
      if (stop) break;
      req = false;
      ran_at = since_ns(t0);  // "the function"
      ++acks;
      lk.unlock();
      cv_ack.notify_one();
      lk.lock();
    }
  });
  for (auto _ : state) {
    std::unique_lock<std::mutex> lk(m);
    t0 = clk::now();
    req = true;
    ++sent;
    lk.unlock();
    cv_req.notify_one();
    lk.lock();
    cv_ack.wait(lk, [&] { return acks == sent; });
    lat.push_back(ran_at);
  }
  {
    std::lock_guard<std::mutex> lk(m);
    stop = true;
  }
  cv_req.notify_one();
  helper.join();
  if (acks != sent || sent == 0) {
    state.SkipWithError("condvar hand-off out of step");
    return;
  }
  set_percentiles(state, lat);
  set_ns_per_op(state, static_cast<double>(sent));
}

void BM_softirq_latency_asio_post(benchmark::State& state) {
  boost::asio::io_context ctx{1};
  auto guard = boost::asio::make_work_guard(ctx);
  std::thread worker([&ctx] { ctx.run(); });
  std::vector<std::int64_t> lat;
  lat.reserve(1 << 20);
  std::atomic<unsigned> acked{0};  // 32 bits: std::atomic::wait is a plain futex wait
  unsigned sent = 0;
  for (auto _ : state) {
    const clk::time_point t0 = clk::now();
    boost::asio::post(ctx, [t0, &lat, &acked] {
      lat.push_back(since_ns(t0));
      acked.fetch_add(1, std::memory_order_release);
      acked.notify_one();
    });
    ++sent;
    for (unsigned a; (a = acked.load(std::memory_order_acquire)) != sent;) acked.wait(a);
  }
  guard.reset();
  worker.join();
  if (lat.size() != sent || sent == 0) {
    state.SkipWithError("handlers lost");
    return;
  }
  set_percentiles(state, lat);
  set_ns_per_op(state, static_cast<double>(sent));
}

void BM_softirq_latency_boost_fiber(benchmark::State& state) {
  boost::fibers::mutex m;
  boost::fibers::condition_variable cv_req, cv_ack;
  bool req = false, stop = false;
  std::uint64_t acks = 0, sent = 0;
  clk::time_point t0;
  std::int64_t ran_at = 0;
  std::vector<std::int64_t> lat;
  lat.reserve(1 << 22);
  boost::fibers::fiber helper([&] {
    std::unique_lock<boost::fibers::mutex> lk(m);
    for (;;) {
      cv_req.wait(lk, [&] { return req || stop; });
      if (stop) break;
      req = false;
      ran_at = since_ns(t0);
      ++acks;
      lk.unlock();
      cv_ack.notify_one();
      lk.lock();
    }
  });
  for (auto _ : state) {
    std::unique_lock<boost::fibers::mutex> lk(m);
    t0 = clk::now();
    req = true;
    ++sent;
    lk.unlock();
    cv_req.notify_one();
    lk.lock();
    cv_ack.wait(lk, [&] { return acks == sent; });
    lat.push_back(ran_at);
  }
  {
    std::unique_lock<boost::fibers::mutex> lk(m);
    stop = true;
  }
  cv_req.notify_one();
  helper.join();
  if (acks != sent || sent == 0) {
    state.SkipWithError("fiber hand-off out of step");
    return;
  }
  set_percentiles(state, lat);
  set_ns_per_op(state, static_cast<double>(sent));
}

// ======================================================== tasklet throughput

constexpr int kBatch = 1024;
constexpr int kRounds = 256;
constexpr std::int64_t kTaskletItemsPerIter = std::int64_t{kRounds} * kBatch;  // 262144

struct tasklet_bench {
  std::atomic<long> ran{0};  // callbacks of the current round
  long total = 0;
  completion round_done;
  tasklet_struct tl[kBatch];
};
tasklet_bench* g_tl = nullptr;

void bench_tasklet_cb(tasklet_struct*) {
  if (g_tl->ran.fetch_add(1, std::memory_order_relaxed) + 1 == kBatch)
    complete(&g_tl->round_done);
}
void bench_tasklet_resched_cb(tasklet_struct* t) {
  if (g_tl->ran.fetch_add(1, std::memory_order_relaxed) + 1 == kBatch)
    complete(&g_tl->round_done);
  else
    tasklet_schedule(t);
}

enum class tl_mode { batch_ksoftirqd, batch_bh, resched_one };

void BM_tasklet_throughput_ktl(benchmark::State& state, tl_mode mode) {
  bench_kernel k(2);
  if (!k.ok) {
    state.SkipWithError("start_kernel failed");
    return;
  }
  auto b = std::make_unique<tasklet_bench>();
  init_completion(&b->round_done);
  for (auto& t : b->tl)
    tasklet_setup(&t, mode == tl_mode::resched_one ? bench_tasklet_resched_cb : bench_tasklet_cb);
  g_tl = b.get();
  long bad_rounds = 0;
  for (auto _ : state) {
    bool ok = run_in_task("tlprod", 0, [&] {
      for (int r = 0; r < kRounds; ++r) {
        b->ran.store(0, std::memory_order_relaxed);
        reinit_completion(&b->round_done);
        switch (mode) {
          case tl_mode::batch_ksoftirqd:
            for (auto& t : b->tl) tasklet_schedule(&t);
            wait_for_completion(&b->round_done);
            break;
          case tl_mode::batch_bh:
            local_bh_disable();
            for (auto& t : b->tl) tasklet_schedule(&t);
            local_bh_enable();
            if (b->ran.load(std::memory_order_relaxed) != kBatch) {
              ++bad_rounds;  // did not all run inline
              wait_for_completion(&b->round_done);
            }
            break;
          case tl_mode::resched_one:
            tasklet_schedule(&b->tl[0]);
            wait_for_completion(&b->round_done);
            break;
        }
        b->total += b->ran.load(std::memory_order_relaxed);
      }
    });
    if (!ok) {
      state.SkipWithError("copy_process failed");
      break;
    }
  }
  for (auto& t : b->tl) tasklet_kill(&t);
  g_tl = nullptr;
  if (bad_rounds) {
    state.SkipWithError("tasklets did not run inline at local_bh_enable");
    return;
  }
  if (b->total != state.iterations() * kTaskletItemsPerIter) {
    state.SkipWithError("callbacks lost");
    return;
  }
  set_ns_per_op(state, static_cast<double>(state.iterations() * kTaskletItemsPerIter));
}

void BM_tasklet_throughput_asio_post(benchmark::State& state) {
  boost::asio::io_context ctx{1};
  auto guard = boost::asio::make_work_guard(ctx);
  std::thread worker([&ctx] { ctx.run(); });
  std::atomic<int> ran{0};
  long total = 0;
  for (auto _ : state) {
    for (int r = 0; r < kRounds; ++r) {
      ran.store(0, std::memory_order_relaxed);
      for (int i = 0; i < kBatch; ++i) {
        boost::asio::post(ctx, [&ran] {
          if (ran.fetch_add(1, std::memory_order_acq_rel) + 1 == kBatch) ran.notify_one();
        });
      }
      for (int d; (d = ran.load(std::memory_order_acquire)) != kBatch;) ran.wait(d);
      total += kBatch;
    }
  }
  guard.reset();
  worker.join();
  if (total != state.iterations() * kTaskletItemsPerIter) {
    state.SkipWithError("handlers lost");
    return;
  }
  set_ns_per_op(state, static_cast<double>(state.iterations() * kTaskletItemsPerIter));
}

void BM_tasklet_throughput_asio_same_thread(benchmark::State& state) {
  boost::asio::io_context ctx{1};
  auto guard = boost::asio::make_work_guard(ctx);
  std::thread worker([&ctx] { ctx.run(); });
  std::atomic<long> ran{0};
  std::atomic<int> finished{0};
  int round = 0;
  std::function<void()> produce = [&] {
    if (round == kRounds) {
      finished.store(1, std::memory_order_release);
      finished.notify_one();
      return;
    }
    ++round;
    for (int i = 0; i < kBatch; ++i)
      boost::asio::post(ctx, [&ran] { ran.fetch_add(1, std::memory_order_relaxed); });
    boost::asio::post(ctx, [&produce] { produce(); });  // behind the batch
  };
  for (auto _ : state) {
    round = 0;
    finished.store(0);
    boost::asio::post(ctx, [&produce] { produce(); });
    for (int d; (d = finished.load(std::memory_order_acquire)) == 0;) finished.wait(d);
  }
  guard.reset();
  worker.join();
  if (ran.load() != state.iterations() * kTaskletItemsPerIter) {
    state.SkipWithError("handlers lost");
    return;
  }
  set_ns_per_op(state, static_cast<double>(state.iterations() * kTaskletItemsPerIter));
}

void BM_tasklet_throughput_tbb(benchmark::State& state) {
  std::atomic<long> ran{0};
  for (auto _ : state) {
    for (int r = 0; r < kRounds; ++r) {
      tbb::task_group g;
      for (int i = 0; i < kBatch; ++i) g.run([&ran] { ran.fetch_add(1, std::memory_order_relaxed); });
      g.wait();
    }
  }
  if (ran.load() != state.iterations() * kTaskletItemsPerIter) {
    state.SkipWithError("tasks lost");
    return;
  }
  set_ns_per_op(state, static_cast<double>(state.iterations() * kTaskletItemsPerIter));
}

// ======================================================== stop_machine

std::atomic<long> g_stop_fn_runs{0};
int bench_stop_fn(void*) {
  g_stop_fn_runs.fetch_add(1, std::memory_order_relaxed);
  return 0;
}

void BM_stop_machine_ktl(benchmark::State& state, int cpus, int ops, long idle_poll_ns) {
  bench_kernel k(cpus, idle_poll_ns);
  if (!k.ok) {
    state.SkipWithError("start_kernel failed");
    return;
  }
  g_stop_fn_runs = 0;
  long errors = 0, calls = 0;
  std::vector<std::int64_t> lat;
  lat.reserve(1 << 16);
  for (auto _ : state) {
    bool ok = run_in_task("stopper_caller", 0, [&] {
      for (int i = 0; i < ops; ++i) {
        const u64 t0 = ktime_get_ns();
        if (stop_machine(bench_stop_fn, nullptr, nullptr) != 0) ++errors;
        if (lat.size() < lat.capacity()) lat.push_back(static_cast<std::int64_t>(ktime_get_ns() - t0));
      }
      calls += ops;
    });
    if (!ok) {
      state.SkipWithError("copy_process failed");
      break;
    }
  }
  if (errors || g_stop_fn_runs.load() != calls) {
    state.SkipWithError("stop_machine failed or fn ran a wrong number of times");
    return;
  }
  set_percentiles(state, lat);
  set_ns_per_op(state, static_cast<double>(calls));
}

void BM_stop_machine_std_barrier(benchmark::State& state, int n) {
  std::barrier<> bar(n);
  std::atomic<bool> stop{false};
  std::atomic<long> rounds{0};
  std::vector<std::thread> helpers;
  for (int i = 1; i < n; ++i)
    helpers.emplace_back([&] {
      for (;;) {
        bar.arrive_and_wait();
        if (stop.load(std::memory_order_relaxed)) break;
        rounds.fetch_add(1, std::memory_order_relaxed);  // "fn"
        bar.arrive_and_wait();
      }
    });
  long ops = 0;
  std::vector<std::int64_t> lat;
  lat.reserve(1 << 20);
  for (auto _ : state) {
    const clk::time_point t0 = clk::now();
    bar.arrive_and_wait();
    bar.arrive_and_wait();
    if (lat.size() < lat.capacity()) lat.push_back(since_ns(t0));
    ++ops;
  }
  stop = true;
  bar.arrive_and_wait();
  for (auto& t : helpers) t.join();
  if (rounds.load() != ops * (n - 1)) {
    state.SkipWithError("barrier out of step");
    return;
  }
  set_percentiles(state, lat);
  set_ns_per_op(state, static_cast<double>(ops));
}

// ======================================================== hotplug

struct hp_tasks {
  wait_queue_head wq;
  std::atomic<bool> stop{false};
  std::atomic<int> started{0};      // tasks that reached their loop / sleep
  std::atomic<int> started_on_1{0}; // of those, how many started on vCPU 1
  std::atomic<int> exited{0};
  std::atomic<int> gen{0};          // re-home request generation (spinners)
  std::atomic<int> homed{0};        // spinners that answered the current generation
  std::atomic<unsigned long> spins{0};
};

struct hp_task_arg {
  hp_tasks* s;
  bool spinner;
};

int hp_task_fn(void* arg) {
  auto* a = static_cast<hp_task_arg*>(arg);
  hp_tasks* s = a->s;
  cpumask all = cpu_possible_mask();
  cpumask one = cpumask::of(1);
  if (smp_processor_id() == 1) s->started_on_1.fetch_add(1);
  do_set_cpus_allowed(get_current(), &all);  // free to move; last CPU = 1
  s->started.fetch_add(1);
  if (!a->spinner) {
    wait_event_idle(s->wq, s->stop.load());
  } else {
    int my_gen = 0;
    while (!s->stop.load(std::memory_order_relaxed)) {
      const int g = s->gen.load(std::memory_order_acquire);
      if (g != my_gen) {
        my_gen = g;
        if (smp_processor_id() != 1 && cpu_online(1)) {
          do_set_cpus_allowed(get_current(), &one);  // yields, moves to vCPU 1
          do_set_cpus_allowed(get_current(), &all);
        }
        s->homed.fetch_add(1, std::memory_order_release);
      }
      s->spins.fetch_add(1, std::memory_order_relaxed);
      cond_resched();
    }
  }
  s->exited.fetch_add(1);
  return 0;
}

void BM_hotplug_cycle_ktl(benchmark::State& state, int sleepers, int spinners, int cycles) {
  bench_kernel k(2);
  if (!k.ok) {
    state.SkipWithError("start_kernel failed");
    return;
  }
  auto s = std::make_unique<hp_tasks>();
  const int total = sleepers + spinners;
  std::vector<hp_task_arg> args(static_cast<std::size_t>(total));
  for (int i = 0; i < total; ++i) {
    args[static_cast<std::size_t>(i)] = {s.get(), i >= sleepers};
    kernel_clone_args a;
    a.name = i >= sleepers ? "hp_spin" : "hp_sleep";
    a.kthread = true;
    a.fn = hp_task_fn;
    a.fn_arg = &args[static_cast<std::size_t>(i)];
    task_struct* p = copy_process(a);
    if (IS_ERR(p)) {
      state.SkipWithError("copy_process failed");
      return;
    }
    cpumask m = cpumask::of(1);
    do_set_cpus_allowed(p, &m);
    wake_up_new_task(p);
  }
  while (s->started.load() != total) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // Let the sleepers actually go to sleep.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  double down_ns = 0, up_ns = 0;
  long done_cycles = 0, errors = 0;
  std::vector<std::int64_t> down_lat, up_lat, cycle_lat;
  for (auto _ : state) {
    double iter_ns = 0;
    bool ok = run_in_task("hp_ctl", 0, [&] {
      for (int c = 0; c < cycles; ++c) {
        if (spinners) {
          // Untimed: bring the spinners back onto vCPU 1.
          s->homed.store(0);
          s->gen.fetch_add(1, std::memory_order_release);
          for (unsigned long i = 0; s->homed.load(std::memory_order_acquire) != spinners; ++i) {
            if (i < 64)
              yield();
            else
              schedule_timeout_uninterruptible(1);
          }
        }
        const u64 t0 = ktime_get_ns();
        if (cpu_down(1) != 0) ++errors;
        const u64 t1 = ktime_get_ns();
        if (cpu_up(1) != 0) ++errors;
        const u64 t2 = ktime_get_ns();
        down_ns += static_cast<double>(t1 - t0);
        up_ns += static_cast<double>(t2 - t1);
        down_lat.push_back(static_cast<std::int64_t>(t1 - t0));
        up_lat.push_back(static_cast<std::int64_t>(t2 - t1));
        cycle_lat.push_back(static_cast<std::int64_t>(t2 - t0));
        iter_ns += static_cast<double>(t2 - t0);
        ++done_cycles;
      }
    });
    if (!ok) {
      state.SkipWithError("copy_process failed");
      break;
    }
    state.SetIterationTime(iter_ns / 1e9);
  }
  const unsigned long spins_before = s->spins.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const bool spinners_alive = !spinners || s->spins.load() > spins_before;
  const int on1 = s->started_on_1.load();
  s->stop = true;
  wake_up_all(&s->wq);
  auto deadline = clk::now() + std::chrono::seconds(10);
  while (s->exited.load() != total && clk::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (s->exited.load() != total) {
    state.SkipWithError("tasks did not exit after the hotplug cycles (lost wake-up?)");
    return;
  }
  if (errors || !spinners_alive || on1 != total || cpu_hotplug_count() != 2ul * done_cycles) {
    state.SkipWithError(errors ? "cpu_down/cpu_up failed"
                        : !spinners_alive ? "spinners stopped making progress"
                        : on1 != total    ? "tasks did not start on vCPU 1"
                                          : "cpu_hotplug_count mismatch");
    return;
  }
  const double n = static_cast<double>(done_cycles);
  set_percentiles(state, cycle_lat);  // p50/p99/mean/max of a whole down+up pair
  auto median = [](std::vector<std::int64_t>& v) {
    std::sort(v.begin(), v.end());
    return static_cast<double>(v[v.size() / 2]);
  };
  state.counters["ns_per_op"] = benchmark::Counter((down_ns + up_ns) / n);
  state.counters["down_mean_ns"] = benchmark::Counter(down_ns / n);
  state.counters["up_mean_ns"] = benchmark::Counter(up_ns / n);
  state.counters["down_p50_ns"] = median(down_lat);
  state.counters["up_p50_ns"] = median(up_lat);
  state.SetItemsProcessed(done_cycles);
}

}  // namespace

// ---------------------------------------------------------------- registration

BENCHMARK_CAPTURE(BM_softirq_latency_ktl, ksoftirqd, false, 100'000)
    ->Name("softirq_latency/ktl_ksoftirqd")->UseRealTime()->Iterations(3);
BENCHMARK_CAPTURE(BM_softirq_latency_ktl, bh_enable, true, 200'000)
    ->Name("softirq_latency/ktl_bh_enable")->UseRealTime()->Iterations(3);
BENCHMARK(BM_softirq_latency_std_condvar_thread)
    ->Name("softirq_latency/std_condvar_thread")->UseRealTime();
BENCHMARK(BM_softirq_latency_asio_post)->Name("softirq_latency/asio_post")->UseRealTime();
BENCHMARK(BM_softirq_latency_boost_fiber)
    ->Name("softirq_latency/boost_fiber_same_thread")->UseRealTime();

BENCHMARK_CAPTURE(BM_tasklet_throughput_ktl, batch_ksoftirqd, tl_mode::batch_ksoftirqd)
    ->Name("tasklet_throughput/ktl_batch_ksoftirqd")->UseRealTime()->MinTime(0.5);
BENCHMARK_CAPTURE(BM_tasklet_throughput_ktl, batch_bh, tl_mode::batch_bh)
    ->Name("tasklet_throughput/ktl_batch_bh")->UseRealTime()->MinTime(0.5);
BENCHMARK_CAPTURE(BM_tasklet_throughput_ktl, resched_one, tl_mode::resched_one)
    ->Name("tasklet_throughput/ktl_resched_one")->UseRealTime()->MinTime(0.5);
BENCHMARK(BM_tasklet_throughput_asio_post)
    ->Name("tasklet_throughput/asio_post_one_thread")->UseRealTime()->MinTime(0.5);
BENCHMARK(BM_tasklet_throughput_asio_same_thread)
    ->Name("tasklet_throughput/asio_same_thread")->UseRealTime()->MinTime(0.5);
BENCHMARK(BM_tasklet_throughput_tbb)
    ->Name("tasklet_throughput/tbb_task_group")->UseRealTime()->MinTime(0.5);

// Fixed counts: on a loaded host a call can average milliseconds (the tail), and MinTime would
// then stretch the run to tens of seconds.
BENCHMARK_CAPTURE(BM_stop_machine_ktl, 2cpu, 2, 500, -1)
    ->Name("stop_machine/ktl_2cpu")->UseRealTime()->Iterations(4);
BENCHMARK_CAPTURE(BM_stop_machine_ktl, 2cpu_nopoll, 2, 500, 0)
    ->Name("stop_machine/ktl_2cpu_nopoll")->UseRealTime()->Iterations(4);
BENCHMARK_CAPTURE(BM_stop_machine_ktl, 8cpu, 8, 20, -1)
    ->Name("stop_machine/ktl_8cpu")->UseRealTime()->Iterations(1);
BENCHMARK_CAPTURE(BM_stop_machine_std_barrier, 2threads, 2)
    ->Name("stop_machine/std_barrier_2threads")->UseRealTime()->MinTime(0.5);
BENCHMARK_CAPTURE(BM_stop_machine_std_barrier, 8threads, 8)
    ->Name("stop_machine/std_barrier_8threads")->UseRealTime()->MinTime(0.5);

BENCHMARK_CAPTURE(BM_hotplug_cycle_ktl, 0tasks, 0, 0, 200)
    ->Name("hotplug_cycle/ktl_0tasks")->UseManualTime()->Iterations(3);
BENCHMARK_CAPTURE(BM_hotplug_cycle_ktl, 1000sleepers, 1000, 0, 200)
    ->Name("hotplug_cycle/ktl_1000sleepers")->UseManualTime()->Iterations(3);
BENCHMARK_CAPTURE(BM_hotplug_cycle_ktl, 1000sleepers_8spinners, 1000, 8, 50)
    ->Name("hotplug_cycle/ktl_1000sleepers_8spinners")->UseManualTime()->Iterations(3);
