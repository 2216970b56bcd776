// A kthread's full creation name reaches /proc and ps, while comm keeps 15 characters.
#include <gtest/gtest.h>

#include "ktl/fs/proc.h"
#include "ktl/fs/ps.h"
#include "support/kernel_test.h"

namespace ktl {
namespace {

int sleep_until_stopped(void* started) {
  // Signal that threadfn runs: a kthread_stop() that arrived before the first run would
  // (correctly, as on Linux) make the thread exit with -EINTR without calling threadfn.
  complete(static_cast<completion*>(started));
  while (!kthread_should_stop()) schedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);
  return 7;
}

TEST(KthreadProcTest, FullNameInProcAndPsCommTruncated) {
  testing::scoped_kernel k(2);
  completion started;
  task_struct* p = kthread_run(sleep_until_stopped, &started, "pool_workqueue_release");
  ASSERT_FALSE(IS_ERR(p));
  wait_for_completion(&started);
  EXPECT_STREQ(p->comm, "pool_workqueue_");
  std::string status;
  ASSERT_EQ(proc_read("/proc/" + std::to_string(p->pid) + "/status", &status), 0);
  EXPECT_NE(status.find("Name:\tpool_workqueue_release\n"), std::string::npos) << status;
  EXPECT_NE(status.find("PPid:\t2\n"), std::string::npos) << status;
  EXPECT_NE(status.find("Kthread:\t1\n"), std::string::npos) << status;
  std::string listing = ps("-eo pid,ppid,stat,psr,ni,cls,rtprio,command");
  EXPECT_NE(listing.find("[pool_workqueue_release]"), std::string::npos) << listing;
  EXPECT_NE(listing.find("[kthreadd]"), std::string::npos) << listing;
  EXPECT_EQ(kthread_stop(p), 7);
}

}  // namespace
}  // namespace ktl
