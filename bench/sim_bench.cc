// The simulation machine (ktl/kernel/sim.h): how fast it runs virtual time, and how its context
// switch rate compares with the real machine's.
//
// Groups (every name contains "sim": --benchmark_filter=sim runs exactly this file):
//
//   sim_hour        one op = one context switch of the simulated kernel.
//     ktl_4cpu_22kthreads  4 vCPUs, HZ=250, seed 1, 11 periodic kthreads (periods 10 ms .. 30 s,
//                    drift-free: the k-th run is due at start + k*period, so the 10 ms one runs
//                    360000 times an hour although 10 ms is 2.5 jiffies at HZ=250) and 11
//                    event-driven ones (wait_event_interruptible; periodic thread i posts to
//                    event thread i every period). Not timed: boot, kthread_run of the 22, their
//                    stop and the poweroff. Timed: sim::run_for(1 hour of virtual time).
//                    Counters: wall_s (wall time of the hour), speedup (virtual / wall),
//                    switches_per_wall_s, switches, steps (also per wall s, per switch),
//                    decisions, time_jumps, ticks (jiffies elapsed), event_wakeups (sum over
//                    the event threads), events (posts they consumed), runs_10ms (runs of the
//                    10 ms thread; the benchmark fails unless it is within 1% of 360000),
//                    periodic_runs (sum), ns_per_op (wall ns per simulated switch).
//     ktl_4cpu_22kthreads_notrace  the same with sim_config::trace = false (the scheduling
//                    trace is recorded by default on the simulation machine).
//
//   sim_switch_rate  one op = one context switch (sum of the vCPUs' nr_switches) during a
//                    completion ping-pong between two kthreads: A completes B's completion and
//                    waits on its own, B the reverse; kRounds round trips (kRoundsReal2 on the
//                    real machine with 2 vCPUs, where each half trip is a host-thread wake-up).
//                    With 1 vCPU both share it (2 switches per round trip: A->B->A); with 2
//                    vCPUs A is bound to vCPU 0 and B to vCPU 1 (up to 4 switches per round
//                    trip: each side goes task->idle->task, fewer when a side finds its
//                    completion already done). Not timed: boot, kthread_create, stop, poweroff.
//     ktl_sim_1cpu, ktl_sim_2cpu    on the simulation machine (the host thread drives it).
//     ktl_real_1cpu, ktl_real_2cpu  the same on the real machine: the comparison point.
//     ktl_sim_1cpu_wake, ktl_real_1cpu_wake  1 vCPU, the raw protocol instead of completions:
//                    __set_current_state + schedule() until it is my turn, then flip the turn
//                    and wake_up_process(peer) (as switch/ktl_wake_schedule in sched_bench.cc).
//                    Counters: switches_per_wall_s, round_trips_per_wall_s, switches,
//                    speedup and steps_per_switch (sim only: virtual / wall time, machine
//                    steps per switch), ns_per_op (wall ns per switch).
#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

#include "ktl/ktl.h"

namespace {

using namespace ktl;
using clk = std::chrono::steady_clock;

double secs_since(clk::time_point t0) {
  return std::chrono::duration<double>(clk::now() - t0).count();
}

u64 total_switches() {
  u64 n = 0;
  for (int cpu = 0; cpu < nr_cpu_ids(); ++cpu) n += cpu_sched_stats(cpu).nr_switches;
  return n;
}

// The simulation cannot go on (deadlock, livelock): say so before the process aborts.
void sim_failure(const char* summary) { std::fprintf(stderr, "sim_bench: %s\n", summary); }

// ======================================================== sim_hour

constexpr int kPeriodic = 11;
constexpr std::array<u64, kPeriodic> kPeriodMs = {10,   20,   50,   100,   250,  500,
                                                  1000, 2000, 5000, 10000, 30000};
constexpr u64 kHourNs = 3600ull * NSEC_PER_SEC;

struct event_thread {
  wait_queue_head wq;
  std::atomic<u64> posted{0};
  u64 consumed = 0;
  u64 wakeups = 0;  // times it woke and found work
  u64 events = 0;   // events consumed
  task_struct* task = nullptr;
};

struct periodic_thread {
  u64 period_ms = 0;
  u64 runs = 0;
  u64 checksum = 0;
  event_thread* target = nullptr;
  task_struct* task = nullptr;
};

// "A little work": a few hundred ns of arithmetic.
u64 little_work(u64 seed) {
  u64 h = 0xcbf29ce484222325ull;
  for (u64 i = 0; i < 64; ++i) h = (h ^ ((seed + i * 31) & 0xff)) * 0x100000001b3ull;
  return h;
}

int periodic_fn(void* arg) {
  auto* p = static_cast<periodic_thread*>(arg);
  const unsigned long start = jiffies;
  const u64 hz_ = HZ;
  u64 k = 0;
  while (!kthread_should_stop()) {
    p->checksum = little_work(p->checksum + p->runs);
    p->runs++;
    p->target->posted.fetch_add(1, std::memory_order_relaxed);
    wake_up(&p->target->wq);
    // Due again at start + k*period (rounded up to a jiffy), so the mean period is exact.
    ++k;
    const unsigned long next =
        start + static_cast<unsigned long>((k * p->period_ms * hz_ + 999) / 1000);
    const long left = static_cast<long>(next - jiffies);
    if (left > 0) schedule_timeout_interruptible(left);
  }
  return 0;
}

int event_fn(void* arg) {
  auto* e = static_cast<event_thread*>(arg);
  for (;;) {
    wait_event_interruptible(
        e->wq, e->posted.load(std::memory_order_relaxed) != e->consumed || kthread_should_stop());
    if (kthread_should_stop()) break;
    const u64 now = e->posted.load(std::memory_order_relaxed);
    e->events += now - e->consumed;
    e->consumed = now;
    e->wakeups++;
  }
  return 0;
}

template <bool trace>
void BM_sim_hour(benchmark::State& state) {
  sim::set_failure_hook(sim_failure);
  double wall = 0, virt = 0;
  u64 switches = 0, steps = 0, decisions = 0, jumps = 0, ticks = 0;
  u64 ev_wakeups = 0, ev_events = 0, periodic_runs = 0, runs_10ms = 0;
  for (auto _ : state) {
    // Before the kernel: an early return powers it off (destructor) before these go away.
    std::array<event_thread, kPeriodic> ev;
    std::array<periodic_thread, kPeriodic> per;
    boot_params bp;
    bp.cpus = 4;
    bp.hz = 250;
    bp.sim.enabled = true;
    bp.sim.seed = 1;
    bp.sim.trace = trace;
    bp.console_fd = -1;
    kernel k(bp);
    if (k.status() != 0) {
      state.SkipWithError("boot failed");
      return;
    }
    for (int i = 0; i < kPeriodic; ++i) {
      ev[i].task = kthread_run(event_fn, &ev[i], "kevent/%d", i);
      per[i].period_ms = kPeriodMs[i];
      per[i].target = &ev[i];
      per[i].task = kthread_run(periodic_fn, &per[i], "kperiodic/%llu",
                                static_cast<unsigned long long>(kPeriodMs[i]));
      if (IS_ERR(ev[i].task) || IS_ERR(per[i].task)) {
        state.SkipWithError("kthread_run failed");
        return;
      }
    }
    // Let every thread reach its first sleep; then measure from a clean state.
    sim::run_for(NSEC_PER_MSEC);
    const sim::stats s0 = sim::get_stats();
    const u64 sw0 = total_switches();
    const unsigned long j0 = jiffies;
    u64 runs0[kPeriodic], wk0[kPeriodic], evn0[kPeriodic];
    for (int i = 0; i < kPeriodic; ++i) {
      runs0[i] = per[i].runs;
      wk0[i] = ev[i].wakeups;
      evn0[i] = ev[i].events;
    }

    auto t0 = clk::now();
    const int r = sim::run_for(kHourNs);
    const double w = secs_since(t0);
    state.SetIterationTime(w);

    const sim::stats s1 = sim::get_stats();
    const u64 sw = total_switches() - sw0;
    ticks += jiffies - j0;
    wall += w;
    virt += static_cast<double>(s1.now_ns - s0.now_ns) / 1e9;
    switches += sw;
    steps += s1.steps - s0.steps;
    decisions += s1.decisions - s0.decisions;
    jumps += s1.time_jumps - s0.time_jumps;
    const u64 r10 = per[0].runs - runs0[0];
    runs_10ms += r10;
    for (int i = 0; i < kPeriodic; ++i) {
      periodic_runs += per[i].runs - runs0[i];
      ev_wakeups += ev[i].wakeups - wk0[i];
      ev_events += ev[i].events - evn0[i];
    }
    if (s1.context_switches - s0.context_switches != sw) {
      // The machine's own count and the runqueues' must agree.
      std::fprintf(stderr, "sim_bench: sim switches %llu, rq switches %llu\n",
                   static_cast<unsigned long long>(s1.context_switches - s0.context_switches),
                   static_cast<unsigned long long>(sw));
    }

    for (int i = 0; i < kPeriodic; ++i) {
      kthread_stop(per[i].task);
      kthread_stop(ev[i].task);
    }
    const int off = k.poweroff();

    if (r != 0) {
      state.SkipWithError(("sim::run_for(1 h) returned " + std::to_string(r)).c_str());
      return;
    }
    if (r10 < 356400 || r10 > 363600) {
      state.SkipWithError(
          ("the 10 ms thread ran " + std::to_string(r10) + " times in the hour, not 360000 +-1%")
              .c_str());
      return;
    }
    if (off != 0) {
      state.SkipWithError("poweroff was not clean");
      return;
    }
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["wall_s"] = wall / n;
  state.counters["speedup"] = virt / wall;
  state.counters["switches_per_wall_s"] = static_cast<double>(switches) / wall;
  state.counters["switches"] = static_cast<double>(switches) / n;
  state.counters["steps"] = static_cast<double>(steps) / n;
  state.counters["steps_per_wall_s"] = static_cast<double>(steps) / wall;
  state.counters["steps_per_switch"] = static_cast<double>(steps) / static_cast<double>(switches);
  state.counters["decisions"] = static_cast<double>(decisions) / n;
  state.counters["time_jumps"] = static_cast<double>(jumps) / n;
  state.counters["ticks"] = static_cast<double>(ticks) / n;
  state.counters["event_wakeups"] = static_cast<double>(ev_wakeups) / n;
  state.counters["events"] = static_cast<double>(ev_events) / n;
  state.counters["periodic_runs"] = static_cast<double>(periodic_runs) / n;
  state.counters["runs_10ms"] = static_cast<double>(runs_10ms) / n;
  state.counters["ns_per_op"] = benchmark::Counter(wall * 1e9 / static_cast<double>(switches));
  state.SetItemsProcessed(static_cast<int64_t>(switches));
}
BENCHMARK_TEMPLATE(BM_sim_hour, true)
    ->Name("sim_hour/ktl_4cpu_22kthreads")
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK_TEMPLATE(BM_sim_hour, false)
    ->Name("sim_hour/ktl_4cpu_22kthreads_notrace")
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// ======================================================== sim_switch_rate

// Round trips per iteration. The real machine's 2-vCPU ping-pong is a host-thread wake-up per
// half trip (tens of µs each when the 2 host cores are busy): fewer there.
constexpr u64 kRounds = 200'000;
constexpr u64 kRoundsReal2 = 20'000;

enum class proto { completion, wake };

struct pingpong {
  u64 n = 0;              // round trips to do
  completion go;          // the host starts both at once
  completion to_a, to_b;  // proto::completion
  task_struct* task[2] = {nullptr, nullptr};
  std::atomic<int> turn{0};  // proto::wake
  completion done;           // completed once by each side
};

void sleep_until_stop() {
  for (;;) {
    set_current_state(TASK_INTERRUPTIBLE);
    if (kthread_should_stop()) break;
    schedule();
  }
  __set_current_state(TASK_RUNNING);
}

int ping_fn(void* arg) {
  auto* pp = static_cast<pingpong*>(arg);
  wait_for_completion(&pp->go);
  for (u64 i = 0; i < pp->n; ++i) {
    complete(&pp->to_b);
    wait_for_completion(&pp->to_a);
  }
  complete(&pp->done);
  sleep_until_stop();
  return 0;
}

int pong_fn(void* arg) {
  auto* pp = static_cast<pingpong*>(arg);
  wait_for_completion(&pp->go);
  for (u64 i = 0; i < pp->n; ++i) {
    wait_for_completion(&pp->to_b);
    complete(&pp->to_a);
  }
  complete(&pp->done);
  sleep_until_stop();
  return 0;
}

// The raw protocol (as switch/ktl_wake_schedule in sched_bench.cc): wait for my turn with
// __set_current_state + schedule(), give the turn away with wake_up_process(peer).
template <int me>
int wake_fn(void* arg) {
  auto* pp = static_cast<pingpong*>(arg);
  wait_for_completion(&pp->go);
  task_struct* peer = pp->task[1 - me];
  for (u64 i = 0; i < pp->n; ++i) {
    for (;;) {
      __set_current_state(TASK_UNINTERRUPTIBLE);
      if (pp->turn.load(std::memory_order_relaxed) == me) break;
      schedule();
    }
    __set_current_state(TASK_RUNNING);
    pp->turn.store(1 - me, std::memory_order_relaxed);
    wake_up_process(peer);
  }
  complete(&pp->done);
  sleep_until_stop();
  return 0;
}

template <bool simulated, int cpus, proto pr>
void BM_sim_switch_rate(benchmark::State& state) {
  sim::set_failure_hook(sim_failure);
  double wall = 0, virt = 0;
  u64 switches = 0, rounds = 0, steps = 0;
  for (auto _ : state) {
    pingpong pp;  // before the kernel, as in BM_sim_hour
    boot_params bp;
    bp.cpus = cpus;
    bp.hz = 250;
    bp.sim.enabled = simulated;
    bp.sim.seed = 1;
    bp.console_fd = -1;
    kernel k(bp);
    if (k.status() != 0) {
      state.SkipWithError("boot failed");
      return;
    }
    pp.n = !simulated && cpus > 1 ? kRoundsReal2 : kRounds;
    task_struct* a = pr == proto::wake ? kthread_create(wake_fn<0>, &pp, "kping")
                                       : kthread_create(ping_fn, &pp, "kping");
    task_struct* b = pr == proto::wake ? kthread_create(wake_fn<1>, &pp, "kpong")
                                       : kthread_create(pong_fn, &pp, "kpong");
    if (IS_ERR(a) || IS_ERR(b)) {
      state.SkipWithError("kthread_create failed");
      return;
    }
    pp.task[0] = a;
    pp.task[1] = b;
    kthread_bind(a, 0);
    kthread_bind(b, cpus > 1 ? 1 : 0);
    wake_up_process(a);
    wake_up_process(b);
    // Let both get to sleep on `go`.
    if (simulated)
      sim::run_for(NSEC_PER_MSEC);
    else
      msleep(5);

    const u64 sw0 = total_switches();
    const u64 v0 = simulated ? sim::now_ns() : 0;
    const u64 st0 = sim::get_stats().steps;
    auto t0 = clk::now();
    complete_all(&pp.go);
    wait_for_completion(&pp.done);  // on the simulation: the host thread runs the machine
    wait_for_completion(&pp.done);
    const double w = secs_since(t0);
    state.SetIterationTime(w);
    switches += total_switches() - sw0;
    if (simulated) virt += static_cast<double>(sim::now_ns() - v0) / 1e9;
    steps += sim::get_stats().steps - st0;
    wall += w;
    rounds += pp.n;

    kthread_stop(a);
    kthread_stop(b);
    if (k.poweroff() != 0) {
      state.SkipWithError("poweroff was not clean");
      return;
    }
  }
  state.counters["switches_per_wall_s"] = static_cast<double>(switches) / wall;
  state.counters["round_trips_per_wall_s"] = static_cast<double>(rounds) / wall;
  state.counters["switches"] =
      static_cast<double>(switches) / static_cast<double>(state.iterations());
  if (simulated) {
    state.counters["speedup"] = virt / wall;
    state.counters["steps_per_switch"] = static_cast<double>(steps) / static_cast<double>(switches);
  }
  state.counters["ns_per_op"] = benchmark::Counter(wall * 1e9 / static_cast<double>(switches));
  state.SetItemsProcessed(static_cast<int64_t>(switches));
}

#define KTL_SIM_SWITCH_RATE(name, simulated, cpus, pr)        \
  BENCHMARK_TEMPLATE(BM_sim_switch_rate, simulated, cpus, pr) \
      ->Name("sim_switch_rate/" name)                         \
      ->UseManualTime()                                       \
      ->Unit(benchmark::kMillisecond)                         \
      ->Iterations(3)

KTL_SIM_SWITCH_RATE("ktl_sim_1cpu", true, 1, proto::completion);
KTL_SIM_SWITCH_RATE("ktl_sim_2cpu", true, 2, proto::completion);
KTL_SIM_SWITCH_RATE("ktl_sim_1cpu_wake", true, 1, proto::wake);
KTL_SIM_SWITCH_RATE("ktl_real_1cpu", false, 1, proto::completion);
KTL_SIM_SWITCH_RATE("ktl_real_2cpu", false, 2, proto::completion);
KTL_SIM_SWITCH_RATE("ktl_real_1cpu_wake", false, 1, proto::wake);

}  // namespace
