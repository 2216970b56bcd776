// Micro-benchmarks for the cascading timer wheel (src/time/timer_wheel.h).
//
// Every benchmark works on 100k timers so that the wheel's lists are far bigger than the L1 cache,
// as they would be on a busy base. Costs are reported per timer (items_per_second), so the numbers
// can be compared directly: add, remove, a remove+add pair (what mod_timer does), and collection
// both tick by tick and in one large jump. Expiries are drawn log-uniformly so that every level is
// used; collecting them therefore includes the cost of cascading.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <random>
#include <vector>

#include "time/timer_wheel.h"

namespace {

using ktl::internal::timer_wheel;
using ktl::internal::wheel_list;
using ktl::internal::wheel_node;

constexpr std::size_t kTimers = 100000;
constexpr unsigned long kStart = (1UL << 32) - 300UL * 250;  // Linux's INITIAL_JIFFIES at HZ=250.

// Log-uniform distances in [1, 2^max_bits): as many timers a few jiffies out as a few days out.
std::vector<unsigned long> make_deltas(unsigned max_bits, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<unsigned long> d(kTimers);
  for (auto& x : d) {
    const unsigned k = static_cast<unsigned>(rng() % max_bits);
    x = (1UL << k) + (rng() & ((1UL << k) - 1));
  }
  return d;
}

// The wheel is ~21 KiB, so keep it on the heap.
std::unique_ptr<timer_wheel> make_wheel() { return std::make_unique<timer_wheel>(kStart); }

void BM_Add(benchmark::State& state) {
  const auto deltas = make_deltas(30, 1);
  std::vector<wheel_node> nodes(kTimers);
  auto w = make_wheel();
  for (auto _ : state) {
    for (std::size_t i = 0; i < kTimers; ++i) {
      nodes[i].expires = w->clock() + deltas[i];
      w->add(&nodes[i]);
    }
    state.PauseTiming();
    for (auto& n : nodes) timer_wheel::remove(&n);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kTimers));
}
BENCHMARK(BM_Add);

void BM_Remove(benchmark::State& state) {
  const auto deltas = make_deltas(30, 2);
  std::vector<wheel_node> nodes(kTimers);
  // Remove in a shuffled order so that the removals are not simply walking memory in order.
  std::vector<std::size_t> order(kTimers);
  for (std::size_t i = 0; i < kTimers; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(3));
  auto w = make_wheel();
  for (auto _ : state) {
    state.PauseTiming();
    for (std::size_t i = 0; i < kTimers; ++i) {
      nodes[i].expires = w->clock() + deltas[i];
      w->add(&nodes[i]);
    }
    state.ResumeTiming();
    for (std::size_t i : order) timer_wheel::remove(&nodes[i]);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kTimers));
}
BENCHMARK(BM_Remove);

// mod_timer on a pending timer: remove it and re-add it with a new expiry, with 100k others
// pending.
void BM_Rearm(benchmark::State& state) {
  const auto deltas = make_deltas(30, 4);
  std::vector<wheel_node> nodes(kTimers);
  auto w = make_wheel();
  for (std::size_t i = 0; i < kTimers; ++i) {
    nodes[i].expires = w->clock() + deltas[i];
    w->add(&nodes[i]);
  }
  std::mt19937_64 rng(5);
  std::size_t k = 0;
  for (auto _ : state) {
    wheel_node& n = nodes[rng() % kTimers];
    timer_wheel::remove(&n);
    n.expires = w->clock() + deltas[k++ % kTimers];
    w->add(&n);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Rearm);

// Expiries within the first 100k jiffies (levels 0-2), collected one jiffy at a time like a
// periodic tick would: roughly one timer per tick, so this measures the per-tick overhead as well.
void BM_CollectPerTick(benchmark::State& state) {
  std::mt19937_64 rng(6);
  std::vector<unsigned long> deltas(kTimers);
  for (auto& d : deltas) d = 1 + rng() % kTimers;
  std::vector<wheel_node> nodes(kTimers);
  for (auto _ : state) {
    state.PauseTiming();
    auto w = make_wheel();
    for (std::size_t i = 0; i < kTimers; ++i) {
      nodes[i].expires = kStart + deltas[i];
      w->add(&nodes[i]);
    }
    wheel_list out;
    state.ResumeTiming();
    for (unsigned long t = 1; t <= kTimers; ++t) {
      w->collect_expired(kStart + t, out);
      while (wheel_node* n = out.pop_front()) benchmark::DoNotOptimize(n);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kTimers));
}
BENCHMARK(BM_CollectPerTick);

// Log-uniform expiries up to 2^30 jiffies (every level up to 4), collected in one jump: the cost
// per timer of cascading it down and handing it out, with no per-tick overhead.
void BM_CollectOneJump(benchmark::State& state) {
  const auto deltas = make_deltas(30, 7);
  std::vector<wheel_node> nodes(kTimers);
  for (auto _ : state) {
    state.PauseTiming();
    auto w = make_wheel();
    for (std::size_t i = 0; i < kTimers; ++i) {
      nodes[i].expires = kStart + deltas[i];
      w->add(&nodes[i]);
    }
    wheel_list out;
    state.ResumeTiming();
    w->collect_expired(kStart + (1UL << 30), out);
    while (wheel_node* n = out.pop_front()) benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kTimers));
}
BENCHMARK(BM_CollectOneJump);

// The query an idle vCPU makes before sleeping, with 100k timers pending.
void BM_NextExpiry(benchmark::State& state) {
  const auto deltas = make_deltas(30, 8);
  std::vector<wheel_node> nodes(kTimers);
  auto w = make_wheel();
  for (std::size_t i = 0; i < kTimers; ++i) {
    nodes[i].expires = w->clock() + deltas[i] + 300;  // Nothing in level 0: all levels get scanned.
    w->add(&nodes[i]);
  }
  for (auto _ : state) benchmark::DoNotOptimize(w->next_expiry(LONG_MAX));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_NextExpiry);

}  // namespace
