// Per-CPU variables: each vCPU counts into its own copy; a task that migrates (sleeps, then
// resumes elsewhere) reaches the copy of the vCPU it runs on *now*, never a stale one.
#include <gtest/gtest.h>

#include "support/kernel_test.h"

namespace ktl {
namespace {

DEFINE_PER_CPU(unsigned long, g_events);
DEFINE_PER_CPU(int, g_owner);

class PercpuTest : public testing::KernelTest {};

TEST_P(PercpuTest, EachVcpuHasItsOwnCopyAndMigrationIsSeen) {
  int cpu;
  for_each_possible_cpu(cpu) {
    per_cpu(g_events, cpu) = 0;
    per_cpu(g_owner, cpu) = cpu;
  }
  const int per_task = 2000;
  std::vector<testing::task_handle> hs;
  for (int t = 0; t < 2 * cpus(); ++t) {
    hs.push_back(testing::spawn([&] {
      for (int i = 0; i < per_task; ++i) {
        // Hop between vCPUs: the per-CPU slot must follow smp_processor_id() every time.
        if (i % 100 == 0) {
          cpumask m = cpumask::of((i / 100) % cpus());
          set_cpus_allowed_ptr(get_current(), &m);
          EXPECT_EQ(this_cpu_read(g_owner), smp_processor_id());
        }
        int c = get_cpu();
        EXPECT_EQ(c, smp_processor_id());
        get_cpu_var(g_events)++;
        put_cpu_var(g_events);
        put_cpu();
        if (i % 7 == 0) cond_resched();
      }
      return 0;
    }, "percpu"));
  }
  for (auto& h : hs) testing::join(h);
  unsigned long total = 0;
  for_each_possible_cpu(cpu) total += per_cpu(g_events, cpu);
  EXPECT_EQ(total, static_cast<unsigned long>(per_task) * 2 * cpus());
  if (cpus() > 1) {
    int used = 0;
    for_each_possible_cpu(cpu) used += per_cpu(g_events, cpu) > 0;
    EXPECT_EQ(used, cpus()) << "every vCPU's copy was used";
  }
}

TEST_P(PercpuTest, SleepingInsideGetCpuVarIsReported) {
  log_clear();
  auto h = testing::spawn([&] {
    get_cpu_var(g_events)++;
    msleep(1);  // a bug: sleeping with the per-CPU section open
    put_cpu_var(g_events);
    return 0;
  }, "percpu_sleeper");
  testing::join(h);
  std::string log = dmesg();
  EXPECT_NE(log.find("BUG: sleeping function called from invalid context"), std::string::npos) << log;
  EXPECT_NE(log.find("name: percpu_sleeper"), std::string::npos) << log;
}

KTL_INSTANTIATE_MACHINES(PercpuTest);

}  // namespace
}  // namespace ktl
