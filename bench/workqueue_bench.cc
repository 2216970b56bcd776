// Workqueue benchmarks (ktl/workqueue/workqueue.h): queue_work throughput of empty items on a
// per-CPU and on an unbound workqueue, and queue_work -> execution latency, with the peers in
// the same run. See bench/README.md ("wq_throughput", "wq_unbound_throughput", "wq_latency").
//
// Groups (report.py compares every entry of a group with its first ktl* entry):
//
//   wq_throughput   one op = one empty work item queued and executed (M items/s).
//     ktl_percpu         2-vCPU kernel, alloc_workqueue("bench", 0, 0). One producer kernel task
//                        pinned to each vCPU; each owns kBatch (1024) work_structs, queue_work()s
//                        all of them (they go to its own vCPU's pool), then sleeps on a completion
//                        that the last item of the batch completes; kRounds batches per iteration
//                        and producer. The items run on the producer's vCPU while it sleeps (the
//                        pool is concurrency managed: one kworker runs them back to back).
//     ktl_percpu_on      the same with queue_work_on(own vCPU, ...).
//     ktl_system_wq      the same on system_wq (schedule_work()).
//     asio_io_context_per_thread  the per-CPU analogue: two boost::asio::io_context, each run by
//                        one thread; a producer handler in each posts kBatch empty handlers to
//                        its own context, then re-posts itself behind them (FIFO: it runs again
//                        once they all ran). kRounds rounds per producer. Each handler does
//                        one relaxed fetch_add on its lane's counter (the same locked RMW as
//                        the ktl items; plain ++ would make it ~10 ns/item cheaper here).
//     tbb_task_group_2producers  tbb::task_arena(2); two producer tasks, each runs kBatch empty
//                        tasks into a tbb::task_group and wait()s (executing / stealing), kRounds
//                        times.
//     (peers_bench.cc adds asio_thread_pool and tbb_task_group to this group: one external
//      producer, 262144 items per iteration, the same op.)
//
//   wq_unbound_throughput  the same op on an unbound queue.
//     ktl_unbound        alloc_workqueue("bench_unbound", WQ_UNBOUND, 0), the ktl_percpu
//                        producers (pinned per vCPU, queue_work); the items run on the shared
//                        unbound pool, whose kworkers are not bound to a vCPU.
//     asio_thread_pool_2producers  boost::asio::thread_pool(2) (one shared queue) fed by two
//                        producer std::threads, each posting kBatch handlers and blocking
//                        (std::atomic::wait) until its batch ran; kRounds batches.
//     tbb_task_group_2producers  as above (TBB's deques are shared by stealing anyway).
//   In every throughput benchmark an item increments an atomic counter of its producer (own
//   cache line), the last one of a batch signals the producer; totals are checked.
//
//   wq_latency      (registered cross-CPU first: that is the baseline report.py compares the
//                   peers with, both being a hand-over to a sleeping worker on another CPU)
//                   one op = enqueue one item on an idle worker, the worker starts it; the
//                   producer then blocks until the item signalled back. Counters p50_ns /
//                   p99_ns / mean_ns: enqueue -> first instruction of the item (producer stamps
//                   before queueing, the item stamps on entry; ktime_get_ns / steady_clock, both
//                   CLOCK_MONOTONIC); ns_per_op: the whole cycle.
//     ktl_same_cpu       producer task on vCPU 0, queue_work_on(0, wq, ...) on a per-CPU queue;
//                        the producer then wait_for_completion()s, which is when the vCPU
//                        switches to the kworker.
//     ktl_cross_cpu      the same with queue_work_on(1, ...): kworker on the other vCPU (idle
//                        vCPU wake-up, then a completion back across vCPUs). The idle vCPUs
//                        poll for 50 us before they sleep (boot default with vCPUs <= host
//                        CPUs): on a loaded host the polling vCPU threads compete for the
//                        CPUs as hogs, and the figure depends heavily on the load.
//     ktl_cross_cpu_nopoll  the same, booted with idle_poll_ns = 0 (idle vCPUs sleep in a futex
//                        at once, so every hand-over is a host thread wake-up, as for the
//                        peers).
//     ktl_c_same_cpu     ktl_same_cpu with the producer loop written in kernel-style C against
//                        the compat headers (bench/c/compat_bench.c): the C layer's cost.
//     asio_post          boost::asio::io_context run by one std::thread: post() a stamped
//                        handler, the benchmark thread blocks (std::atomic::wait) until it ran.
//     (peers_bench.cc adds std_condvar_queue: std::thread + condition_variable hand-off.)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>
#include <thread>
#include <vector>

#include "bench_kernel.h"
#include "ktl/ktl.h"

// bench/c/compat_bench.c: the latency loop written in kernel-style C against <linux/...>.
extern "C" int ktlb_c_wq_latency(ktl::workqueue_struct* wq, int cpu, int ops, long long* lat_ns);

namespace {

using namespace ktl;
using namespace ktl_bench;
using clk = std::chrono::steady_clock;

constexpr int kBatch = 1024;   // work_structs per producer (queue_work is false while pending)
constexpr int kRounds = 256;   // batches per producer and iteration
constexpr int kProducers = 2;  // one per vCPU / pool thread
constexpr std::int64_t kItemsPerIter = std::int64_t{kProducers} * kRounds * kBatch;  // 524288

// ---------------------------------------------------------------- helpers




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
}

// ======================================================== throughput (ktl)

struct wq_producer;
struct bench_item {
  work_struct work;
  wq_producer* owner = nullptr;
};

struct alignas(64) wq_producer {
  std::atomic<int> ran{0};  // items of the current batch that ran (own cache line)
  alignas(64) completion batch_done;
  long total_ran = 0;
  long refused = 0;  // queue_work returned false (must stay 0)
  bench_item items[kBatch];
};

void bench_item_fn(work_struct* w) {
  wq_producer* p = container_of(w, bench_item, work)->owner;
  if (p->ran.fetch_add(1, std::memory_order_acq_rel) + 1 == kBatch) complete(&p->batch_done);
}

enum class wq_kind { percpu, percpu_on, system, unbound };

void BM_wq_throughput_ktl(benchmark::State& state, wq_kind kind) {
  bench_kernel k(2);
  if (!k.ok) {
    state.SkipWithError("start_kernel failed");
    return;
  }
  workqueue_struct* wq = nullptr;
  if (kind == wq_kind::system)
    wq = system_wq;
  else if (kind == wq_kind::unbound)
    wq = alloc_workqueue("bench_unbound", WQ_UNBOUND, 0);
  else
    wq = alloc_workqueue("bench", 0, 0);
  if (!wq) {
    state.SkipWithError("alloc_workqueue failed");
    return;
  }
  auto prod = std::make_unique<wq_producer[]>(kProducers);
  for (int c = 0; c < kProducers; ++c) {
    init_completion(&prod[c].batch_done);
    for (auto& it : prod[c].items) {
      INIT_WORK(&it.work, bench_item_fn);
      it.owner = &prod[c];
    }
  }
  auto producer = [wq, kind](wq_producer* p, int cpu) {
    for (int r = 0; r < kRounds; ++r) {
      p->ran.store(0, std::memory_order_relaxed);
      reinit_completion(&p->batch_done);
      for (auto& it : p->items) {
        bool ok = kind == wq_kind::percpu_on ? queue_work_on(cpu, wq, &it.work)
                                             : queue_work(wq, &it.work);
        if (KTL_UNLIKELY(!ok)) ++p->refused;
      }
      wait_for_completion(&p->batch_done);
      p->total_ran += kBatch;
    }
  };
  for (auto _ : state) {
    task_fn f[kProducers];
    for (int c = 0; c < kProducers; ++c) {
      f[c].fn = [&, c] { producer(&prod[c], c); };
      if (!start_task(&f[c], "wqprod", c)) {
        state.SkipWithError("copy_process failed");
        return;
      }
    }
    for (auto& t : f) wait_for_completion(&t.done);
  }
  long ran = 0, refused = 0;
  for (int c = 0; c < kProducers; ++c) {
    ran += prod[c].total_ran;
    refused += prod[c].refused;
  }
  if (kind != wq_kind::system) destroy_workqueue(wq);
  if (refused || ran != state.iterations() * kItemsPerIter) {
    state.SkipWithError("items lost or refused");
    return;
  }
  set_ns_per_op(state, static_cast<double>(state.iterations() * kItemsPerIter));
}

// ======================================================== throughput (peers)

// Per-CPU analogue: one io_context per thread, a self-reposting producer handler in each.
void BM_wq_throughput_asio_io_context_per_thread(benchmark::State& state) {
  using boost::asio::io_context;
  struct alignas(64) lane {
    io_context ctx{1};  // concurrency hint 1: one thread runs it
    long round = 0;
    std::atomic<long> ran{0};  // one locked RMW per item, as in the ktl and TBB items
    std::function<void()> produce;
  };
  auto lanes = std::make_unique<lane[]>(kProducers);
  std::atomic<int> lanes_done{0};
  std::vector<std::thread> threads;
  std::vector<boost::asio::executor_work_guard<io_context::executor_type>> guards;
  for (int c = 0; c < kProducers; ++c) {
    lane* l = &lanes[c];
    guards.emplace_back(l->ctx.get_executor());
    l->produce = [l, &lanes_done] {
      if (l->round == kRounds) {
        if (lanes_done.fetch_add(1) + 1 == kProducers) lanes_done.notify_one();
        return;
      }
      ++l->round;
      for (int i = 0; i < kBatch; ++i) boost::asio::post(l->ctx, [l] { l->ran.fetch_add(1, std::memory_order_relaxed); });
      boost::asio::post(l->ctx, [l] { l->produce(); });  // behind the batch
    };
    threads.emplace_back([l] { l->ctx.run(); });
  }
  for (auto _ : state) {
    lanes_done.store(0);
    for (int c = 0; c < kProducers; ++c) {
      lanes[c].round = 0;
      boost::asio::post(lanes[c].ctx, [l = &lanes[c]] { l->produce(); });
    }
    for (int d; (d = lanes_done.load()) != kProducers;) lanes_done.wait(d);
  }
  for (auto& g : guards) g.reset();
  for (auto& t : threads) t.join();
  long ran = 0;
  for (int c = 0; c < kProducers; ++c) ran += lanes[c].ran.load();
  if (ran != state.iterations() * kItemsPerIter) {
    state.SkipWithError("handlers lost");
    return;
  }
  set_ns_per_op(state, static_cast<double>(state.iterations() * kItemsPerIter));
}

struct alignas(64) peer_producer {
  std::atomic<int> ran{0};
  long total_ran = 0;
};

// tbb::task_arena(2): two producer tasks, each kRounds x (run kBatch tasks, wait()).
void BM_wq_throughput_tbb_2producers(benchmark::State& state) {
  tbb::task_arena arena(kProducers);
  arena.initialize();
  auto prod = std::make_unique<peer_producer[]>(kProducers);
  for (auto _ : state) {
    arena.execute([&] {
      tbb::task_group outer;
      for (int c = 0; c < kProducers; ++c) {
        outer.run([p = &prod[c]] {
          for (int r = 0; r < kRounds; ++r) {
            p->ran.store(0, std::memory_order_relaxed);
            tbb::task_group g;
            for (int i = 0; i < kBatch; ++i)
              g.run([p] { p->ran.fetch_add(1, std::memory_order_relaxed); });
            g.wait();
            p->total_ran += p->ran.load(std::memory_order_relaxed);
          }
        });
      }
      outer.wait();
    });
  }
  long ran = 0;
  for (int c = 0; c < kProducers; ++c) ran += prod[c].total_ran;
  if (ran != state.iterations() * kItemsPerIter) {
    state.SkipWithError("tasks lost");
    return;
  }
  set_ns_per_op(state, static_cast<double>(state.iterations() * kItemsPerIter));
}

// Shared-queue analogue of the unbound queue: asio::thread_pool(2) fed by two producer threads
// that each post kBatch handlers and block until the batch ran.
void BM_wq_throughput_asio_pool_2producers(benchmark::State& state) {
  boost::asio::thread_pool pool(kProducers);
  auto prod = std::make_unique<peer_producer[]>(kProducers);
  for (auto _ : state) {
    std::thread th[kProducers];
    for (int c = 0; c < kProducers; ++c) {
      th[c] = std::thread([&pool, p = &prod[c]] {
        for (int r = 0; r < kRounds; ++r) {
          p->ran.store(0, std::memory_order_relaxed);
          for (int i = 0; i < kBatch; ++i) {
            boost::asio::post(pool, [p] {
              if (p->ran.fetch_add(1, std::memory_order_acq_rel) + 1 == kBatch)
                p->ran.notify_one();
            });
          }
          for (int d; (d = p->ran.load(std::memory_order_acquire)) != kBatch;) p->ran.wait(d);
          p->total_ran += kBatch;
        }
      });
    }
    for (auto& t : th) t.join();
  }
  pool.join();
  long ran = 0;
  for (int c = 0; c < kProducers; ++c) ran += prod[c].total_ran;
  if (ran != state.iterations() * kItemsPerIter) {
    state.SkipWithError("handlers lost");
    return;
  }
  set_ns_per_op(state, static_cast<double>(state.iterations() * kItemsPerIter));
}

// ======================================================== latency

struct lat_item {
  work_struct work;
  u64 started_ns = 0;
  completion ran;
};
void lat_item_fn(work_struct* w) {
  lat_item* it = container_of(w, lat_item, work);
  it->started_ns = ktime_get_ns();
  complete(&it->ran);
}

void BM_wq_latency_ktl(benchmark::State& state, int target_cpu, int ops, long idle_poll_ns) {
  bench_kernel k(2, idle_poll_ns);
  if (!k.ok) {
    state.SkipWithError("start_kernel failed");
    return;
  }
  workqueue_struct* wq = alloc_workqueue("bench_lat", 0, 0);
  if (!wq) {
    state.SkipWithError("alloc_workqueue failed");
    return;
  }
  std::vector<std::int64_t> lat;
  lat.reserve(static_cast<std::size_t>(ops) * 8);
  bool refused = false;
  for (auto _ : state) {
    task_fn f;
    f.fn = [&] {
      lat_item it;
      init_completion(&it.ran);
      INIT_WORK(&it.work, lat_item_fn);
      // Warm-up: the first items may have the pool create its spare kworker.
      for (int i = -100; i < ops; ++i) {
        reinit_completion(&it.ran);
        u64 t0 = ktime_get_ns();
        if (!queue_work_on(target_cpu, wq, &it.work)) refused = true;
        wait_for_completion(&it.ran);
        // The item is done with PENDING but its kworker may still be finishing the run: on
        // the same pool a re-queue is serialised behind it, which is what Linux does too.
        if (i >= 0) lat.push_back(static_cast<std::int64_t>(it.started_ns - t0));
      }
      flush_work(&it.work);
    };
    if (!start_task(&f, "wqlat", 0)) {
      state.SkipWithError("copy_process failed");
      return;
    }
    wait_for_completion(&f.done);
  }
  destroy_workqueue(wq);
  if (refused || lat.size() != static_cast<std::size_t>(state.iterations()) * ops) {
    state.SkipWithError("latency items lost or refused");
    return;
  }
  set_percentiles(state, lat);
  set_ns_per_op(state, static_cast<double>(state.iterations()) * ops);
}

// ktl_same_cpu with the producer loop in C (compat layer: queue_work_on, wait_for_completion,
// INIT_WORK and container_of from <linux/workqueue.h>).
void BM_wq_latency_ktl_c(benchmark::State& state, int target_cpu, int ops) {
  bench_kernel k(2);
  if (!k.ok) {
    state.SkipWithError("start_kernel failed");
    return;
  }
  workqueue_struct* wq = alloc_workqueue("bench_lat_c", 0, 0);
  if (!wq) {
    state.SkipWithError("alloc_workqueue failed");
    return;
  }
  std::vector<std::int64_t> lat;
  std::vector<long long> one(static_cast<std::size_t>(ops));
  bool refused = false;
  for (auto _ : state) {
    task_fn f;
    f.fn = [&] {
      if (ktlb_c_wq_latency(wq, target_cpu, ops, one.data()) != 0) refused = true;
    };
    if (!start_task(&f, "wqlat_c", 0)) {
      state.SkipWithError("copy_process failed");
      return;
    }
    wait_for_completion(&f.done);
    lat.insert(lat.end(), one.begin(), one.end());
  }
  destroy_workqueue(wq);
  if (refused) {
    state.SkipWithError("latency items refused");
    return;
  }
  set_percentiles(state, lat);
  set_ns_per_op(state, static_cast<double>(state.iterations()) * ops);
}

void BM_wq_latency_asio_post(benchmark::State& state) {
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
      lat.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(clk::now() - t0).count());
      acked.fetch_add(1, std::memory_order_release);
      acked.notify_one();
    });
    ++sent;
    for (unsigned a; (a = acked.load(std::memory_order_acquire)) != sent;) acked.wait(a);
  }
  guard.reset();
  worker.join();
  if (lat.size() != sent || sent == 0) {
    state.SkipWithError("latency handlers lost");
    return;
  }
  set_percentiles(state, lat);
  set_ns_per_op(state, static_cast<double>(sent));
}

}  // namespace

// ---------------------------------------------------------------- registration

BENCHMARK_CAPTURE(BM_wq_throughput_ktl, percpu, wq_kind::percpu)
    ->Name("wq_throughput/ktl_percpu")->UseRealTime()->MinTime(1.0);
BENCHMARK_CAPTURE(BM_wq_throughput_ktl, percpu_on, wq_kind::percpu_on)
    ->Name("wq_throughput/ktl_percpu_on")->UseRealTime()->MinTime(1.0);
BENCHMARK_CAPTURE(BM_wq_throughput_ktl, system, wq_kind::system)
    ->Name("wq_throughput/ktl_system_wq")->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_wq_throughput_asio_io_context_per_thread)
    ->Name("wq_throughput/asio_io_context_per_thread")->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_wq_throughput_tbb_2producers)
    ->Name("wq_throughput/tbb_task_group_2producers")->UseRealTime()->MinTime(1.0);

BENCHMARK_CAPTURE(BM_wq_throughput_ktl, unbound, wq_kind::unbound)
    ->Name("wq_unbound_throughput/ktl_unbound")->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_wq_throughput_asio_pool_2producers)
    ->Name("wq_unbound_throughput/asio_thread_pool_2producers")->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_wq_throughput_tbb_2producers)
    ->Name("wq_unbound_throughput/tbb_task_group_2producers")->UseRealTime()->MinTime(1.0);

BENCHMARK_CAPTURE(BM_wq_latency_ktl, cross_cpu, 1, 20'000, -1)
    ->Name("wq_latency/ktl_cross_cpu")->UseRealTime()->Iterations(3);
BENCHMARK_CAPTURE(BM_wq_latency_ktl, cross_cpu_nopoll, 1, 20'000, 0)
    ->Name("wq_latency/ktl_cross_cpu_nopoll")->UseRealTime()->Iterations(3);
BENCHMARK_CAPTURE(BM_wq_latency_ktl, same_cpu, 0, 50'000, -1)
    ->Name("wq_latency/ktl_same_cpu")->UseRealTime()->Iterations(3);
BENCHMARK_CAPTURE(BM_wq_latency_ktl_c, same_cpu, 0, 50'000)
    ->Name("wq_latency/ktl_c_same_cpu")->UseRealTime()->Iterations(3);
BENCHMARK(BM_wq_latency_asio_post)->Name("wq_latency/asio_post")->UseRealTime();
