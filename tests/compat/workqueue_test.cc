// The compat <linux/workqueue.h> from kernel-style C (tests/compat/c/workqueue.c): DECLARE_WORK
// and DECLARE_DELAYED_WORK give the bytes of ktl's C++ initialisers; work runs in process context
// on a kworker and may re-queue itself; PENDING refuses a second queueing; flush_workqueue and
// destroy_workqueue wait for what was queued; ordered queues keep order; delayed work runs after
// its delay; cancel_delayed_work_sync and mod_delayed_work return values; cancel_work_sync stops a
// self-requeuing item; schedule_on_each_cpu; flush_scheduled_work warns as Linux 6.x does.
#include <cstring>
#include <new>
#include <string>

#include "support/kernel_test.h"

extern "C" {
int ctest_wq_basics(void);
int ctest_wq_alloc_named(void);
int ctest_wq_free_made(void);
int ctest_wq_alloc_flush_destroy(void);
int ctest_wq_ordered(void);
int ctest_wq_delayed(void);
int ctest_wq_static_items_run(void);
int ctest_wq_cancel_self_requeuing(void);
int ctest_wq_schedule_on_each_cpu(void);
int ctest_wq_flush_scheduled_work(void);

// The C side's DECLARE_WORK/DECLARE_DELAYED_WORK/DECLARE_DEFERRABLE_WORK objects, as ktl's types.
void ctest_wq_static_fn(ktl::work_struct* w);
extern ktl::work_struct ctest_wq_static_work;
extern ktl::delayed_work ctest_wq_static_dwork;
extern ktl::delayed_work ctest_wq_static_deferrable;
extern ktl::workqueue_struct* ctest_wq_made;
extern unsigned long ctest_wq_delay_seen;
}

namespace ktl {
namespace {

using testing::KernelTest;
using testing::run_c;


// Builds ktl's C++ object over the C static object (same address, so self-pointing list heads
// compare equal) with `make`, compares every byte, and puts the C bytes back.
template <typename T, typename Make>
bool same_bytes_as_cxx(T* obj, Make make) {
  alignas(T) unsigned char saved[sizeof(T)];
  std::memcpy(saved, static_cast<void*>(obj), sizeof(T));
  std::memset(static_cast<void*>(obj), 0, sizeof(T));  // padding as in a static object
  make(obj);
  const bool same = std::memcmp(saved, static_cast<void*>(obj), sizeof(T)) == 0;
  std::memcpy(static_cast<void*>(obj), saved, sizeof(T));
  return same;
}

class CompatWorkqueueTest : public KernelTest {};

TEST_P(CompatWorkqueueTest, StaticInitialisersGiveKtlsBytes) {
  EXPECT_TRUE(same_bytes_as_cxx(&ctest_wq_static_work, [](work_struct* p) {
    new (p) work_struct __WORK_INITIALIZER(ctest_wq_static_work, ctest_wq_static_fn);
  }));
  EXPECT_TRUE(same_bytes_as_cxx(&ctest_wq_static_dwork, [](delayed_work* p) {
    new (p) delayed_work __DELAYED_WORK_INITIALIZER(ctest_wq_static_dwork, ctest_wq_static_fn, 0);
  }));
  EXPECT_TRUE(same_bytes_as_cxx(&ctest_wq_static_deferrable, [](delayed_work* p) {
    new (p) delayed_work __DELAYED_WORK_INITIALIZER(ctest_wq_static_deferrable, ctest_wq_static_fn,
                                                    TIMER_DEFERRABLE);
  }));
  // And the C object is what ktl expects of an idle item.
  EXPECT_FALSE(work_pending(&ctest_wq_static_work));
  EXPECT_EQ(ctest_wq_static_work.entry.next, &ctest_wq_static_work.entry);
  EXPECT_EQ(ctest_wq_static_dwork.timer.function, delayed_work_timer_fn);
  EXPECT_EQ(ctest_wq_static_dwork.timer.flags, TIMER_IRQSAFE);
  EXPECT_EQ(ctest_wq_static_deferrable.timer.flags, TIMER_IRQSAFE | TIMER_DEFERRABLE);
}

TEST_P(CompatWorkqueueTest, WorkRunsOnAKworkerAndMayRequeueItself) {
  EXPECT_EQ(run_c(ctest_wq_basics), 0);
}

TEST_P(CompatWorkqueueTest, AllocWorkqueueFormatsItsName) {
  ASSERT_EQ(run_c(ctest_wq_alloc_named), 0);
  ASSERT_NE(ctest_wq_made, nullptr);
  EXPECT_STREQ(workqueue_name(ctest_wq_made), "ctest_wq_7");
  EXPECT_TRUE(workqueue_flags(ctest_wq_made) & WQ_UNBOUND);
  EXPECT_TRUE(workqueue_flags(ctest_wq_made) & WQ_HIGHPRI);
  EXPECT_EQ(workqueue_max_active(ctest_wq_made), 3);
  EXPECT_EQ(run_c(ctest_wq_free_made), 0);
}

TEST_P(CompatWorkqueueTest, FlushAndDestroyWaitForQueuedWork) {
  EXPECT_EQ(run_c(ctest_wq_alloc_flush_destroy), 0);
}

TEST_P(CompatWorkqueueTest, OrderedQueueRunsOneAtATimeInOrder) {
  EXPECT_EQ(run_c(ctest_wq_ordered), 0);
}

TEST_P(CompatWorkqueueTest, DelayedWorkRunsAfterItsDelayAndCancels) {
  ctest_wq_delay_seen = 0;
  EXPECT_EQ(run_c(ctest_wq_delayed), 0);
  EXPECT_GE(ctest_wq_delay_seen, 50u);
  if (simulated()) {
    EXPECT_LE(ctest_wq_delay_seen, 51u) << "virtual time: runs at its jiffy";
  }
}

TEST_P(CompatWorkqueueTest, StaticallyDeclaredItemsRun) {
  EXPECT_EQ(run_c(ctest_wq_static_items_run), 0);
}

TEST_P(CompatWorkqueueTest, CancelWorkSyncStopsASelfRequeuingItem) {
  EXPECT_EQ(run_c(ctest_wq_cancel_self_requeuing), 0);
}

TEST_P(CompatWorkqueueTest, ScheduleOnEachCpu) {
  EXPECT_EQ(run_c(ctest_wq_schedule_on_each_cpu), 0);
}

TEST_P(CompatWorkqueueTest, FlushScheduledWorkFlushesWithTheDeprecationWarning) {
  EXPECT_EQ(run_c(ctest_wq_flush_scheduled_work), 0);
  EXPECT_NE(
      log().find("WARNING: Flushing system-wide workqueues will be prohibited in near future."),
      std::string::npos);
}

KTL_INSTANTIATE_MACHINES(CompatWorkqueueTest);

}  // namespace
}  // namespace ktl
