// Test support: boot a kernel per test, run code inside kernel tasks, join them.
//
//   class WaitTest : public ktl::testing::KernelTest {};       // parameterised by vCPU count
//   TEST_P(WaitTest, Foo) {
//     auto t = spawn([&] { ...kernel code...; return 0; }, "foo", /*cpu=*/0);
//     EXPECT_EQ(join(t), 0);
//   }
//   INSTANTIATE_TEST_SUITE_P(Cpus, WaitTest, ::testing::Values(1, 2, 4));
//
// The console is silenced; dmesg() still records everything for assertions.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "ktl/ktl.h"

namespace ktl::testing {

// Boots a kernel with `cpus` vCPUs (console off) and powers it off at scope exit.
class scoped_kernel {
 public:
  explicit scoped_kernel(int cpus, unsigned hz = 250);
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

// Wall-clock bounded wait for a condition polled from the host thread.
bool wait_until(const std::function<bool()>& cond, int ms = 5000);

// Bound for join_for() in tests: long enough for a loaded 2-core CI machine, short enough that
// a hang fails the test instead of the suite.
inline constexpr int kJoinMs = 10000;

// Wait until the task shows state letter `c` (ps STAT), e.g. 'D' once it sleeps uninterruptibly.
inline bool wait_state(const task_handle& h, char c, int ms = 5000) {
  return wait_until([&] { return task_state_to_char(h.task) == c; }, ms);
}

class KernelTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override;
  void TearDown() override;
  int cpus() const { return GetParam(); }
  std::unique_ptr<scoped_kernel> kernel_;
};

// Number of iterations for stress tests: KTL_STRESS_SCALE multiplies the default.
int stress_iterations(int base);

}  // namespace ktl::testing
