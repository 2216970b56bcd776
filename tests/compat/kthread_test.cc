// <linux/kthread.h> from C (tests/compat/c/kthread.c): a kthread_run() thread carries its
// formatted name (comm and the full name ps shows), sleeps in its kthread_should_stop() loop
// (S, wchan = the thread function), parks (P), and kthread_stop() returns its result; a thread
// never woken stops with -EINTR; kthread_complete_and_exit() never returns; kthread workers,
// including statically defined ones, whose initialisers give ktl's constructor bytes.
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "ktl/fs/proc.h"
#include "ktl/fs/ps.h"
#include "ktl/kthread/kthread.h"
#include "ktl/kthread/kthread_worker.h"
#include "support/kernel_test.h"

namespace {

extern "C" {
ktl::task_struct* ctest_kthread_last(void);
int ctest_kthread_ran(void);
int ctest_kthread_run_start(void);
int ctest_kthread_park_last(void);
int ctest_kthread_unpark_last(void);
int ctest_kthread_stop_last(void);
int ctest_kthread_create_unwoken(void);
int ctest_kthread_complete_and_exit(void);
int ctest_kthread_on_cpu(void);
int ctest_kthread_stop_interrupts_wait(void);
int ctest_kthread_worker(void);
int ctest_kthread_smpboot(void);
int ctest_kthread_freezer(void);
void* ctest_kthread_pristine_worker(void);
void* ctest_kthread_pristine_work(void);
void* ctest_kthread_pristine_dwork(void);
void* ctest_kthread_work_fn1(void);
}

using namespace ktl;
using ktl::testing::KernelTest;
using ktl::testing::run_c;
using ktl::testing::wait_until;

constexpr int kSlowJoinMs = 20000;  // C bodies that start and stop many kthreads

// State letter `c`, and for a sleeping letter: off its runqueue (really asleep).
bool wait_letter(task_struct* p, char c) {
  return wait_until([p, c] {
    if (task_state_to_char(p) != c) return false;
    return c == 'R' || !(p->state_word.load(std::memory_order_acquire) & task_struct::kOnRqBit);
  });
}

std::string ps_line(task_struct* p) {
  return ps("-o pid,ppid,stat,comm,args -p " + std::to_string(p->pid));
}

class CompatKthreadTest : public KernelTest {};

TEST_P(CompatKthreadTest, RunNamedThreadParkAndStop) {
  ASSERT_EQ(run_c(ctest_kthread_run_start, "crun", -1, kSlowJoinMs), 0) << log();
  task_struct* t = ctest_kthread_last();
  ASSERT_NE(t, nullptr);
  get_task_struct(t);

  // The kthread_should_stop() loop sleeps in schedule_timeout_interruptible(): S, blocked in
  // the thread function.
  ASSERT_TRUE(wait_letter(t, 'S')) << task_state_to_char(t);
  EXPECT_STREQ(t->comm, "ckt/7-abcdefghi");
  char full[64];
  get_kthread_comm(full, sizeof(full), t);
  EXPECT_STREQ(full, "ckt/7-abcdefghijklmnop");
  std::string line = ps_line(t);
  EXPECT_NE(line.find("[ckt/7-abcdefghijklmnop]"), std::string::npos) << line;
  EXPECT_NE(line.find(" 2 S "), std::string::npos) << "PPid 2, STAT S:\n" << line;
  EXPECT_EQ(proc_pid_wchan(t), "ctest_kthread_loop");

  ASSERT_EQ(run_c(ctest_kthread_park_last, "cpark", -1, kSlowJoinMs), 0);
  ASSERT_TRUE(wait_letter(t, 'P'));
  line = ps_line(t);
  EXPECT_NE(line.find(" 2 P "), std::string::npos) << line;
  ASSERT_EQ(run_c(ctest_kthread_unpark_last, "cunpark", -1, kSlowJoinMs), 0);
  ASSERT_TRUE(wait_letter(t, 'S'));

  EXPECT_EQ(run_c(ctest_kthread_stop_last, "cstop", -1, kSlowJoinMs), 1234);
  EXPECT_EQ(ctest_kthread_ran(), 1);
  put_task_struct(t);
}

TEST_P(CompatKthreadTest, NeverWokenThreadStopsWithEINTR) {
  ASSERT_EQ(run_c(ctest_kthread_create_unwoken, "cunwoken", -1, kSlowJoinMs), 0) << log();
  task_struct* t = ctest_kthread_last();
  ASSERT_NE(t, nullptr);
  get_task_struct(t);
  ASSERT_TRUE(wait_letter(t, 'D'));
  std::string line = ps_line(t);
  EXPECT_NE(line.find("[cneverwoken]"), std::string::npos) << line;
  EXPECT_EQ(run_c(ctest_kthread_stop_last, "cstop", -1, kSlowJoinMs), -EINTR);
  EXPECT_EQ(ctest_kthread_ran(), 0) << "threadfn must never run";
  put_task_struct(t);
}

TEST_P(CompatKthreadTest, CompleteAndExitNeverReturns) {
  EXPECT_EQ(run_c(ctest_kthread_complete_and_exit, "cexits", -1, kSlowJoinMs), 0) << log();
}

TEST_P(CompatKthreadTest, BoundThreadsRunOnTheirCpu) {
  KTL_NEEDS_CPUS(2);
  EXPECT_EQ(run_c(ctest_kthread_on_cpu, "cbind", -1, kSlowJoinMs), 0) << log();
}

TEST_P(CompatKthreadTest, StopEndsAnInterruptibleWaitWithERESTARTSYS) {
  EXPECT_EQ(run_c(ctest_kthread_stop_interrupts_wait, "cstopwait", -1, kSlowJoinMs), 0) << log();
}

TEST_P(CompatKthreadTest, Workers) {
  EXPECT_EQ(run_c(ctest_kthread_worker, "cworkers", -1, kSlowJoinMs), 0) << log();
  EXPECT_EQ(log().find("WARNING"), std::string::npos) << log();
}

TEST_P(CompatKthreadTest, SmpbootThreadsRunOnTheirCpu) {
  EXPECT_EQ(run_c(ctest_kthread_smpboot, "csmpboot", -1, kSlowJoinMs), 0) << log();
  EXPECT_EQ(log().find("WARNING"), std::string::npos) << log();
}

TEST_P(CompatKthreadTest, FreezerCallsNeverFreeze) {
  EXPECT_EQ(run_c(ctest_kthread_freezer, "cfreezer", -1, kSlowJoinMs), 0) << log();
}

KTL_INSTANTIATE_MACHINES(CompatKthreadTest);

// DEFINE_KTHREAD_WORKER / DEFINE_KTHREAD_WORK / DEFINE_KTHREAD_DELAYED_WORK give the bytes ktl's constructors give to an
// object at the same address (self-pointing list heads, unlocked lock, NULLs).
std::string hex_bytes(const void* p, size_t n) {
  std::string s;
  char b[4];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof(b), "%02x", static_cast<const unsigned char*>(p)[i]);
    s += b;
    if (i % 8 == 7) s += ' ';
  }
  return s;
}

template <typename T, typename Make>
void expect_same_bytes_in_place(void* obj, Make make) {
  alignas(T) unsigned char saved[sizeof(T)];
  std::memcpy(saved, obj, sizeof(T));
  std::memset(obj, 0, sizeof(T));
  T* made = make(obj);
  EXPECT_EQ(std::memcmp(saved, made, sizeof(T)), 0)
      << "static: " << hex_bytes(saved, sizeof(T)) << "\nktl:    " << hex_bytes(made, sizeof(T));
  made->~T();
  std::memcpy(obj, saved, sizeof(T));
}

TEST(CompatKthreadStatic, WorkerAndWorkInitialisersMatchConstructors) {
  expect_same_bytes_in_place<kthread_worker>(ctest_kthread_pristine_worker(),
                                             [](void* p) { return new (p) kthread_worker(); });
  auto fn = reinterpret_cast<kthread_work_func_t>(ctest_kthread_work_fn1());
  expect_same_bytes_in_place<kthread_work>(ctest_kthread_pristine_work(),
                                           [fn](void* p) { return new (p) kthread_work(fn); });
  // The timer names ktl::kthread_delayed_work_timer_fn itself (no switch on first use).
  expect_same_bytes_in_place<kthread_delayed_work>(
      ctest_kthread_pristine_dwork(), [fn](void* p) { return new (p) kthread_delayed_work(fn); });
  EXPECT_EQ(static_cast<kthread_delayed_work*>(ctest_kthread_pristine_dwork())->timer.function,
            &kthread_delayed_work_timer_fn);
}

}  // namespace
