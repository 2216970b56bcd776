// Peer benchmarks for ktl: the same operations measured with well-known
// threading / fiber libraries, so that bench/report.py can print how ktl
// compares.  See bench/README.md for what each benchmark measures.
//
// Naming: "<group>/<impl>"; <impl> starting with "ktl" is ours (lives in other
// files), everything here is a peer.  Google Benchmark appends its own
// suffixes ("/real_time", "/iterations:N", ...).
//
// Every benchmark reports a counter "ns_per_op" built as
//   benchmark::Counter(ops, kIsRate | kInvert)
// i.e. real seconds per single operation (the JSON value is in SECONDS, the
// console shows it with an SI prefix, e.g. "45.1n").  All benchmarks use
// UseRealTime(), so rates and the inverted rate are based on wall time.
//
// No main(): the bench binary links benchmark::benchmark_main.

#include <benchmark/benchmark.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/context/fiber.hpp>
#include <boost/fiber/all.hpp>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

// ---------------------------------------------------------------- helpers

inline void spin_pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// Spin until pred() is true.  After a long unsuccessful spin, give the CPU
// away once: on a loaded 2-core box the peer thread may be descheduled and a
// pure spin would then burn a whole time slice per round trip.  When both
// threads are running this never triggers, so the floor is still measured.
template <class Pred>
inline void spin_until(Pred pred) noexcept {
  unsigned n = 0;
  while (!pred()) {
    spin_pause();
    if (++n == (1u << 10)) {
      std::this_thread::yield();
      n = 0;
    }
  }
}

void set_ns_per_op(benchmark::State& state, double ops_per_iteration) {
  const double ops = static_cast<double>(state.iterations()) * ops_per_iteration;
  state.counters["ns_per_op"] =
      benchmark::Counter(ops, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Resident set size of this process in bytes (/proc/self/statm, field 2).
long rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  long size = 0, resident = 0;
  const int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  if (n != 2) return -1;
  return resident * sysconf(_SC_PAGESIZE);
}

// ================================================================ switch
// One "op" = one context switch.

// Two Boost.Fiber fibers on one thread (default round_robin scheduler) that
// ping-pong with this_fiber::yield().  The first fiber is the thread's main
// fiber running the timing loop; the second is created once, before the loop.
// While the main fiber runs the loop, the ready queue holds only the partner,
// so each yield() is exactly one switch: per iteration main->partner and
// partner->main = 2 switches.
void BM_switch_boost_fiber_yield(benchmark::State& state) {
  bool stop = false;
  std::uint64_t partner_turns = 0;
  boost::fibers::fiber partner([&] {
    while (!stop) {
      ++partner_turns;
      boost::this_fiber::yield();
    }
  });
  // Let the partner start (launch::post), so the loop sees a warm partner.
  boost::this_fiber::yield();
  const std::uint64_t start_turns = partner_turns;

  for (auto _ : state) {
    boost::this_fiber::yield();
  }

  const std::uint64_t turns = partner_turns - start_turns;
  stop = true;
  partner.join();
  benchmark::DoNotOptimize(partner_turns);
  if (turns != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("partner fiber did not run once per yield");
    return;
  }
  state.SetItemsProcessed(state.iterations() * 2);
  set_ns_per_op(state, 2.0);
}

// Raw boost::context::fiber resume ping-pong (the floor of a user-space
// switch): one resume() from main into the partner and one back = 2 switches.
void BM_switch_boost_context(benchmark::State& state) {
  namespace ctx = boost::context;
  bool stop = false;
  std::uint64_t partner_turns = 0;
  ctx::fiber partner{[&](ctx::fiber&& main_fiber) {
    while (!stop) {
      ++partner_turns;
      main_fiber = std::move(main_fiber).resume();
    }
    return std::move(main_fiber);
  }};

  for (auto _ : state) {
    partner = std::move(partner).resume();
  }

  stop = true;
  partner = std::move(partner).resume();  // partner returns, fiber is finished
  benchmark::DoNotOptimize(partner_turns);
  if (partner || partner_turns != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("context partner out of step");
    return;
  }
  state.SetItemsProcessed(state.iterations() * 2);
  set_ns_per_op(state, 2.0);
}

// ================================================================ xcpu_wake
// One "op" = one round trip A -> B -> A between two OS threads (two CPUs on
// this box).  The partner thread is created before the timing loop.

void BM_xcpu_wake_std_condvar(benchmark::State& state) {
  std::mutex m;
  std::condition_variable cv_a, cv_b;
  int turn = 0;  // 1: B must answer, 0: A's turn
  bool stop = false;
  std::uint64_t answers = 0;

  std::thread b([&] {
    std::unique_lock<std::mutex> lk(m);
    for (;;) {
      cv_b.wait(lk, [&] { return turn == 1 || stop; });
      if (stop) break;
      turn = 0;
      ++answers;
      lk.unlock();
      cv_a.notify_one();
      lk.lock();
    }
  });

  for (auto _ : state) {
    std::unique_lock<std::mutex> lk(m);
    turn = 1;
    lk.unlock();
    cv_b.notify_one();
    lk.lock();
    cv_a.wait(lk, [&] { return turn == 0; });
  }

  {
    std::lock_guard<std::mutex> lk(m);
    stop = true;
  }
  cv_b.notify_one();
  b.join();
  if (answers != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("condvar ping-pong out of step");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  set_ns_per_op(state, 1.0);
}

// Same ping-pong through one spinning atomic word: the cache-line floor.
void BM_xcpu_wake_std_atomic_spin(benchmark::State& state) {
  struct alignas(64) Token {
    std::atomic<int> v{0};  // 0: A's turn, 1: B must answer, 2: stop
  };
  auto tok = std::make_unique<Token>();
  std::uint64_t answers = 0;

  std::thread b([&] {
    for (;;) {
      int v = 0;
      spin_until([&] { return (v = tok->v.load(std::memory_order_acquire)) != 0; });
      if (v == 2) break;
      ++answers;
      tok->v.store(0, std::memory_order_release);
    }
  });

  for (auto _ : state) {
    tok->v.store(1, std::memory_order_release);
    spin_until([&] { return tok->v.load(std::memory_order_acquire) == 0; });
  }

  tok->v.store(2, std::memory_order_release);
  b.join();
  if (answers != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("spin ping-pong out of step");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  set_ns_per_op(state, 1.0);
}

// Same ping-pong with Boost.Fiber's mutex + condition_variable between the
// main fibers of two OS threads: exercises Boost.Fiber's cross-thread wake
// path (remote ready queue + the idle scheduler sleeping in suspend_until).
void BM_xcpu_wake_boost_fiber_condvar(benchmark::State& state) {
  boost::fibers::mutex m;
  boost::fibers::condition_variable cv_a, cv_b;
  int turn = 0;
  bool stop = false;
  std::uint64_t answers = 0;

  std::thread b([&] {
    std::unique_lock<boost::fibers::mutex> lk(m);
    for (;;) {
      cv_b.wait(lk, [&] { return turn == 1 || stop; });
      if (stop) break;
      turn = 0;
      ++answers;
      lk.unlock();
      cv_a.notify_one();
      lk.lock();
    }
  });

  for (auto _ : state) {
    std::unique_lock<boost::fibers::mutex> lk(m);
    turn = 1;
    lk.unlock();
    cv_b.notify_one();
    lk.lock();
    cv_a.wait(lk, [&] { return turn == 0; });
  }

  {
    std::unique_lock<boost::fibers::mutex> lk(m);
    stop = true;
  }
  cv_b.notify_one();
  b.join();
  if (answers != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("fiber condvar ping-pong out of step");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  set_ns_per_op(state, 1.0);
}

// ================================================================ spawn
// One "op" = create + run + join of an empty task.

void BM_spawn_std_thread(benchmark::State& state) {
  std::uint64_t ran = 0;
  for (auto _ : state) {
    std::thread t([&ran] { ++ran; });
    t.join();
  }
  benchmark::DoNotOptimize(ran);
  if (ran != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("thread did not run");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  set_ns_per_op(state, 1.0);
}

// boost::fibers::fiber with the default stack allocator (fixedsize_stack,
// malloc'ed per fiber) on the calling thread.
void BM_spawn_boost_fiber(benchmark::State& state) {
  std::uint64_t ran = 0;
  for (auto _ : state) {
    boost::fibers::fiber f([&ran] { ++ran; });
    f.join();
  }
  benchmark::DoNotOptimize(ran);
  if (ran != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("fiber did not run");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  set_ns_per_op(state, 1.0);
}

// Same with a pooled stack allocator (stacks recycled): the best case for
// Boost.Fiber spawn, comparable to a runtime that caches task stacks.
void BM_spawn_boost_fiber_pooled(benchmark::State& state) {
  boost::fibers::pooled_fixedsize_stack salloc;
  std::uint64_t ran = 0;
  for (auto _ : state) {
    boost::fibers::fiber f(std::allocator_arg, salloc, [&ran] { ++ran; });
    f.join();
  }
  benchmark::DoNotOptimize(ran);
  if (ran != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("fiber did not run");
    return;
  }
  state.SetItemsProcessed(state.iterations());
  set_ns_per_op(state, 1.0);
}

// ================================================================ wq_throughput
// One iteration = kWqItems empty work items submitted by the benchmark thread
// and executed by a 2-thread pool; the iteration ends when all have run.
// items_per_second is the main figure; ns_per_op = wall ns per item.
//
// Each item increments a counter private to the executing thread (its own
// cache line).  That keeps the work real (counted and checked) without adding
// a shared cache line that would bounce between the CPUs once per item: on
// this VM such a transfer costs ~300 ns, which would swamp the pool itself.

constexpr std::int64_t kWqItems = 1 << 18;  // 262144 items per iteration

class PerThreadCounters {
 public:
  static constexpr int kSlots = 64;
  void bump() noexcept { slots_[slot_index()].v.fetch_add(1, std::memory_order_relaxed); }
  std::int64_t total() const noexcept {
    std::int64_t sum = 0;
    for (const auto& s : slots_) sum += s.v.load(std::memory_order_acquire);
    return sum;
  }
  void reset() noexcept {
    for (auto& s : slots_) s.v.store(0, std::memory_order_relaxed);
  }

 private:
  static int slot_index() noexcept {
    static std::atomic<int> next{0};
    thread_local const int idx = next.fetch_add(1, std::memory_order_relaxed) % kSlots;
    return idx;
  }
  struct alignas(64) Slot {
    std::atomic<std::int64_t> v{0};
  };
  Slot slots_[kSlots];
};

// Persistent asio::thread_pool(2) (built before, joined after the timed
// loop); asio::post() of N handlers from the benchmark thread, which then
// waits until the per-thread counters add up to N, polling every ~20 us while
// sleeping (so it does not steal CPU from the two workers; the polling tail is
// < 0.5% of an iteration).
void BM_wq_throughput_asio_thread_pool(benchmark::State& state) {
  boost::asio::thread_pool pool(2);
  auto counters = std::make_unique<PerThreadCounters>();
  PerThreadCounters* c = counters.get();

  for (auto _ : state) {
    c->reset();
    for (std::int64_t i = 0; i < kWqItems; ++i) {
      boost::asio::post(pool, [c] { c->bump(); });
    }
    while (c->total() != kWqItems) {
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  }

  pool.join();
  if (c->total() != kWqItems) {
    state.SkipWithError("not all handlers ran");
    return;
  }
  state.SetItemsProcessed(state.iterations() * kWqItems);
  set_ns_per_op(state, static_cast<double>(kWqItems));
}

// tbb::task_group inside a tbb::task_arena of concurrency 2 (the benchmark
// thread joins the arena as its master, plus one TBB worker): run() N tasks,
// then wait() (the master executes tasks too).
void BM_wq_throughput_tbb_task_group(benchmark::State& state) {
  tbb::task_arena arena(2);
  arena.initialize();
  auto counters = std::make_unique<PerThreadCounters>();
  PerThreadCounters* c = counters.get();

  for (auto _ : state) {
    c->reset();
    arena.execute([c] {
      tbb::task_group tg;
      for (std::int64_t i = 0; i < kWqItems; ++i) {
        tg.run([c] { c->bump(); });
      }
      tg.wait();
    });
    if (c->total() != kWqItems) {
      state.SkipWithError("not all tasks ran");
      return;
    }
  }

  state.SetItemsProcessed(state.iterations() * kWqItems);
  set_ns_per_op(state, static_cast<double>(kWqItems));
}

// ================================================================ wq_latency
// One op = enqueue one item on an idle std::thread worker (mutex + condvar
// queue), the worker runs it and acknowledges; the producer then waits for
// the ack, blocking on a second condvar.  Both threads block, so every item
// wakes a sleeping worker (the case a work queue is built for).  A spinning
// or sched_yield-ing producer was tried and rejected: the kernel's wake-affine
// logic then often places the worker on the producer's CPU, which makes the
// figures depend on scheduler whims (p99 in the hundreds of us).
// Counters p50_ns / p99_ns / mean_ns are the enqueue -> start-of-execution
// latency (steady_clock, measured by the worker); ns_per_op is the full
// enqueue/run/ack cycle (two wakes).
void BM_wq_latency_std_condvar_queue(benchmark::State& state) {
  using clock = std::chrono::steady_clock;
  std::mutex m;
  std::condition_variable cv, cv_ack;
  std::deque<clock::time_point> q;
  bool stop = false;
  std::atomic<std::uint64_t> acked{0};
  std::vector<std::int64_t> lat_ns;
  lat_ns.reserve(1 << 20);

  std::thread worker([&] {
    std::unique_lock<std::mutex> lk(m);
    for (;;) {
      cv.wait(lk, [&] { return !q.empty() || stop; });
      if (q.empty()) break;  // stop requested and queue drained
      const clock::time_point enq = q.front();
      q.pop_front();
      lk.unlock();
      const clock::time_point now = clock::now();
      lat_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(now - enq).count());
      lk.lock();
      acked.fetch_add(1, std::memory_order_relaxed);
      cv_ack.notify_one();
    }
  });

  std::uint64_t sent = 0;
  for (auto _ : state) {
    {
      std::lock_guard<std::mutex> lk(m);
      q.push_back(clock::now());
    }
    cv.notify_one();
    ++sent;
    {
      std::unique_lock<std::mutex> lk(m);
      cv_ack.wait(lk, [&] { return acked.load(std::memory_order_relaxed) == sent; });
    }
  }

  {
    std::lock_guard<std::mutex> lk(m);
    stop = true;
  }
  cv.notify_one();
  worker.join();

  if (lat_ns.size() != sent || sent == 0) {
    state.SkipWithError("latency queue out of step");
    return;
  }
  std::sort(lat_ns.begin(), lat_ns.end());
  auto pct = [&](double p) {
    const std::size_t idx = std::min(lat_ns.size() - 1, static_cast<std::size_t>(p * static_cast<double>(lat_ns.size())));
    return static_cast<double>(lat_ns[idx]);
  };
  double sum = 0;
  for (const auto v : lat_ns) sum += static_cast<double>(v);
  state.counters["p50_ns"] = pct(0.50);
  state.counters["p99_ns"] = pct(0.99);
  state.counters["mean_ns"] = sum / static_cast<double>(lat_ns.size());
  state.SetItemsProcessed(state.iterations());
  set_ns_per_op(state, 1.0);
}

// ================================================================ sleepers
// One iteration = create kSleepers tasks that each block on a condition
// variable, and wait until all of them are parked.  Counter
// rss_per_task_bytes = RSS growth / task while all are parked; the timed part
// (ns_per_op) is per task created+parked.  Wake-up and join are not timed.

constexpr int kSleepers = 1000;

void BM_sleepers_std_thread(benchmark::State& state) {
  double rss_delta_total = 0;
  for (auto _ : state) {
    const long rss0 = rss_bytes();
    std::mutex m;
    std::condition_variable cv_go, cv_parked;
    int parked = 0;
    bool go = false;
    std::vector<std::thread> ts;
    ts.reserve(kSleepers);
    for (int i = 0; i < kSleepers; ++i) {
      ts.emplace_back([&] {
        std::unique_lock<std::mutex> lk(m);
        if (++parked == kSleepers) cv_parked.notify_one();
        cv_go.wait(lk, [&] { return go; });
      });
    }
    {
      std::unique_lock<std::mutex> lk(m);
      cv_parked.wait(lk, [&] { return parked == kSleepers; });
    }
    const long rss1 = rss_bytes();
    state.PauseTiming();
    rss_delta_total += static_cast<double>(rss1 - rss0);
    {
      std::lock_guard<std::mutex> lk(m);
      go = true;
    }
    cv_go.notify_all();
    for (auto& t : ts) t.join();
    state.ResumeTiming();
  }
  state.counters["rss_per_task_bytes"] =
      rss_delta_total / (static_cast<double>(state.iterations()) * kSleepers);
  state.SetItemsProcessed(state.iterations() * kSleepers);
  set_ns_per_op(state, kSleepers);
}

void BM_sleepers_boost_fiber(benchmark::State& state) {
  double rss_delta_total = 0;
  for (auto _ : state) {
    const long rss0 = rss_bytes();
    boost::fibers::mutex m;
    boost::fibers::condition_variable cv_go;
    int parked = 0;
    bool go = false;
    std::vector<boost::fibers::fiber> fs;
    fs.reserve(kSleepers);
    for (int i = 0; i < kSleepers; ++i) {
      fs.emplace_back([&] {
        std::unique_lock<boost::fibers::mutex> lk(m);
        ++parked;
        cv_go.wait(lk, [&] { return go; });
      });
    }
    while (parked < kSleepers) boost::this_fiber::yield();
    const long rss1 = rss_bytes();
    state.PauseTiming();
    rss_delta_total += static_cast<double>(rss1 - rss0);
    {
      std::unique_lock<boost::fibers::mutex> lk(m);
      go = true;
    }
    cv_go.notify_all();
    for (auto& f : fs) f.join();
    state.ResumeTiming();
  }
  state.counters["rss_per_task_bytes"] =
      rss_delta_total / (static_cast<double>(state.iterations()) * kSleepers);
  state.SetItemsProcessed(state.iterations() * kSleepers);
  set_ns_per_op(state, kSleepers);
}

}  // namespace

// ---------------------------------------------------------------- registration
// Registration order = run order within this file.  TBB is last among the
// thread-pool peers: its worker thread stays alive (sleeping) afterwards.

BENCHMARK(BM_switch_boost_context)->Name("switch/boost_context")->UseRealTime();
BENCHMARK(BM_switch_boost_fiber_yield)->Name("switch/boost_fiber_yield")->UseRealTime();

BENCHMARK(BM_xcpu_wake_std_atomic_spin)->Name("xcpu_wake/std_atomic_spin")->UseRealTime();
BENCHMARK(BM_xcpu_wake_std_condvar)->Name("xcpu_wake/std_condvar")->UseRealTime();
BENCHMARK(BM_xcpu_wake_boost_fiber_condvar)->Name("xcpu_wake/boost_fiber_condvar")->UseRealTime();

BENCHMARK(BM_spawn_std_thread)->Name("spawn/std_thread")->UseRealTime();
BENCHMARK(BM_spawn_boost_fiber)->Name("spawn/boost_fiber")->UseRealTime();
BENCHMARK(BM_spawn_boost_fiber_pooled)->Name("spawn/boost_fiber_pooled")->UseRealTime();

BENCHMARK(BM_wq_latency_std_condvar_queue)->Name("wq_latency/std_condvar_queue")->UseRealTime();

BENCHMARK(BM_wq_throughput_asio_thread_pool)
    ->Name("wq_throughput/asio_thread_pool")
    ->UseRealTime()
    ->MinTime(1.0);
BENCHMARK(BM_wq_throughput_tbb_task_group)
    ->Name("wq_throughput/tbb_task_group")
    ->UseRealTime()
    ->MinTime(1.0);

BENCHMARK(BM_sleepers_std_thread)->Name("sleepers/std_thread")->UseRealTime()->Iterations(3);
BENCHMARK(BM_sleepers_boost_fiber)->Name("sleepers/boost_fiber")->UseRealTime()->Iterations(3);
