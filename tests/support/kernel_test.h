// Test support: boot a kernel per test, run code inside kernel tasks, join them.
//
//   class WaitTest : public ktl::testing::KernelTest {};
//   TEST_P(WaitTest, Foo) {
//     auto t = spawn([&] { ...kernel code...; return 0; }, "foo", /*cpu=*/0);
//     EXPECT_EQ(join(t), 0);
//   }
//   KTL_INSTANTIATE_MACHINES(WaitTest);
//
// KTL_INSTANTIATE_MACHINES runs every test body on the real machine with 1, 2 and 4 vCPUs and on
// the simulation machine (ktl/kernel/sim.h) once per seed: seeds 1..50 by default (KTL_SIM_SEEDS=N
// for more), vCPU counts 2, 4, 1 in turn. A failing seed stops the loop and prints the command
// that replays it (KTL_SIM_SEED=S runs that seed alone). Waits from the host (join, wait_until)
// are in machine time: wall time on the real machine, virtual time in the simulation, where they
// run the machine until the condition holds.
//
// The console is silenced; dmesg() still records everything for assertions.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "ktl/ktl.h"

namespace ktl::testing {

// Boots a kernel with `cpus` vCPUs (console off) and powers it off at scope exit.
class scoped_kernel {
 public:
  explicit scoped_kernel(int cpus, unsigned hz = 250);
  explicit scoped_kernel(const boot_params& bp);
  ~scoped_kernel();
  int poweroff();

 private:
  bool up_ = false;
};

// A task running a C++ callable. The handle holds a task reference until join().
struct task_handle {
  task_struct* task = nullptr;
  struct state;
  state* st = nullptr;
};

// Creates (and wakes, unless start == false) a kernel thread running fn. cpu >= 0 pins it.
task_handle spawn(std::function<int()> fn, const char* name = "ktest", int cpu = -1,
                  bool start = true);
// A user task (own mm, or sharing `mm`).
task_handle spawn_user(std::function<int()> fn, const char* name, int cpu = -1,
                       mm_struct* mm = nullptr);
void start(task_handle& h);
// Waits (from the host thread or a task) until the task's function returned; its result.
int join(task_handle& h);
// join() with a wall-clock bound: false if the task did not finish in time (the test then
// fails instead of hanging the suite).
bool join_for(task_handle& h, int ms, int* result = nullptr);

// Lets the kernel run for `us` microseconds while the host waits for nothing in particular (a
// negative window: "this must not happen meanwhile", or pacing a host loop). Wall time on the
// real machine; on the simulation machine the machine runs that much virtual time.
void let_run_us(long us);

// Bounded wait for a condition polled from the host thread (machine time: virtual time in the
// simulation, where the machine runs between polls and jumps tick by tick when idle).
bool wait_until(const std::function<bool()>& cond, int ms = 5000);

// Bound for join_for() in tests: long enough for a loaded 2-core CI machine, short enough that
// a hang fails the test instead of the suite.
inline constexpr int kJoinMs = 10000;

// Runs fn (a C test entry, or any function) in a kernel task named `name` (pinned to vCPU `cpu`,
// or anywhere) and returns its result; a task that did not finish within `ms` fails the test and
// yields -9999.
int run_c(int (*fn)(), const char* name = "ctest", int cpu = -1, int ms = kJoinMs);

// Wait until the task shows state letter `c` (ps STAT), e.g. 'D' once it sleeps uninterruptibly.
// For a sleeping letter (S, D, I) the task must also be off its runqueue: a task that declared
// the state but has not reached schedule() yet shows the letter while /proc still reports it as
// running (wchan "0", no stack), and a test reading those raced with it.
inline bool wait_state(const task_handle& h, char c, int ms = 5000) {
  const bool sleeping = c == 'S' || c == 'D' || c == 'I';
  return wait_until([&] {
    if (task_state_to_char(h.task) != c) return false;
    return !sleeping ||
           !(h.task->state_word.load(std::memory_order_acquire) & task_struct::kOnRqBit);
  }, ms);
}

// Which machine a parameterised test runs on. An int converts to the real machine with that many
// vCPUs (so ::testing::Values(1, 2) still works).
struct machine_param {
  bool sim = false;
  int cpus = 1;
  unsigned hz = 250;
  machine_param(int c) : cpus(c) {}  // NOLINT(google-explicit-constructor)
  static machine_param simulated() {
    machine_param p(0);
    p.sim = true;
    return p;
  }
};
std::string machine_param_name(const ::testing::TestParamInfo<machine_param>& info);
inline void PrintTo(const machine_param& p, std::ostream* os) {
  *os << (p.sim ? "sim" : "real, " + std::to_string(p.cpus) + " vCPUs");
}
inline auto all_machines() {
  return ::testing::Values(machine_param(1), machine_param(2), machine_param(4),
                           machine_param::simulated());
}
#define KTL_INSTANTIATE_MACHINES(Suite)                                  \
  INSTANTIATE_TEST_SUITE_P(M, Suite, ::ktl::testing::all_machines(),   \
                           ::ktl::testing::machine_param_name)

// The seeds a simulated test runs (KTL_SIM_SEED, KTL_SIM_SEEDS).
std::vector<u64> sim_seeds();
// vCPUs of the simulated run with this seed.
int sim_cpus_for_seed(u64 seed);
// Boot parameters of a test kernel (console off).
boot_params test_boot_params(int cpus, bool sim, u64 seed, unsigned hz = 250);

class KernelTest : public ::testing::TestWithParam<machine_param> {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Re-run by TearDown() for each further seed on the simulation machine.
  void TestBody() override = 0;
  int cpus() const { return cpus_; }
  bool simulated() const { return GetParam().sim; }
  u64 seed() const { return seed_; }
  // Lets machine time pass: virtual time run on the simulation, wall time on the real machine.
  void advance(std::chrono::nanoseconds d) { let_run_us(static_cast<long>(d.count() / 1000)); }
  // The log and the task table, for assertions.
  std::string log() const { return dmesg(); }
  std::vector<task_struct*> tasks() const { return snapshot_tasks(); }  // put_task_snapshot()
  std::unique_ptr<scoped_kernel> kernel_;

 private:
  void boot(u64 seed);
  int cpus_ = 1;
  u64 seed_ = 0;
};

// For a test that needs at least n vCPUs. On the real machine it skips the instance; in the
// simulation it ends the body for this seed only (the seeds with enough vCPUs still run it).
#define KTL_NEEDS_CPUS(n)                                                   \
  do {                                                                      \
    if (cpus() < (n)) {                                                     \
      if (::ktl::sim::active()) return;                                     \
      GTEST_SKIP() << "needs " << (n) << " vCPUs";                          \
    }                                                                       \
  } while (0)

// For a test that cannot run on the simulation machine (it needs host threads racing the
// kernel, or wall-clock behaviour): skips the simulated instance, saying why.
#define KTL_REAL_MACHINE_ONLY(why)                             \
  do {                                                         \
    if (::ktl::sim::active()) GTEST_SKIP() << "real machine only: " << (why); \
  } while (0)

// Kthreads a fresh kernel has: 2 kworkers per vCPU + 2 unbound, then ksoftirqd/N, migration/N
// and cpuhp/N (the first free pid is 3 + this).
inline int boot_kthreads(int cpus) { return 5 * cpus + 2; }

// Number of iterations for stress tests: KTL_STRESS_SCALE multiplies the default.
int stress_iterations(int base);

}  // namespace ktl::testing
