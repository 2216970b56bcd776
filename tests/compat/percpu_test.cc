// <linux/percpu.h> from C: static per-CPU variables have ktl's per-CPU layout (C++ reads a C
// variable as a ktl::percpu_var and sees the values C wrote), this_cpu_*() in threads bound to
// each vCPU touch only that vCPU's copy, alloc_percpu() areas are zeroed, laid out per type and
// freed, and invalid sizes fail with Linux's warning. The smpboot .store written by ktl into a C
// DEFINE_PER_CPU variable is covered by CompatKthreadTest.SmpbootThreadsRunOnTheirCpu.
#include <gtest/gtest.h>

#include <string>

#include "ktl/ktl.h"
#include "ktl/sched/percpu.h"
#include "support/kernel_test.h"

extern "C" {
int ctest_percpu_static(void);
int ctest_percpu_this_cpu(void);
int ctest_percpu_alloc(void);
int ctest_percpu_alloc_invalid(void);
void* ctest_percpu_counter(void);
}

namespace {

using namespace ktl;
using ktl::testing::KernelTest;
using ktl::testing::run_c;

constexpr int kSlowJoinMs = 20000;  // C bodies that start and stop many kthreads

class CompatPercpuTest : public KernelTest {};

TEST_P(CompatPercpuTest, StaticVariableHasKtlLayout) {
  // The C variable, seen as ktl's per-CPU variable (cleared: the simulation reruns the body).
  auto* var = static_cast<percpu_var<long>*>(ctest_percpu_counter());
  for (int cpu = 0; cpu < NR_CPUS; ++cpu) *per_cpu_ptr(var, cpu) = 0;
  ASSERT_EQ(run_c(ctest_percpu_static, "cpcpu_static", -1, kSlowJoinMs), 0) << log();
  // Every vCPU's value where ktl expects it.
  // The C code wrote the possible vCPUs' copies; the others stay 0.
  for (int cpu = 0; cpu < NR_CPUS; ++cpu)
    EXPECT_EQ(*per_cpu_ptr(var, cpu), cpu < nr_cpu_ids() ? 1000 + 7 * cpu : 0) << "vCPU " << cpu;
  // And the other way round: C++ writes, C reads (it accepts 0 or 1000 + 7 * cpu, no other).
  *per_cpu_ptr(var, 0) = 3;
  EXPECT_NE(run_c(ctest_percpu_static, "cpcpu_static2", -1, kSlowJoinMs), 0) << log();
  EXPECT_NE(log().find("pcpu_counter_ok(per_cpu(ctest_pcpu_counter, cpu), cpu)"),
            std::string::npos)
      << log();
}

TEST_P(CompatPercpuTest, ThisCpuOpsInBoundThreads) {
  EXPECT_EQ(run_c(ctest_percpu_this_cpu, "cpcpu_ops", -1, kSlowJoinMs), 0) << log();
  EXPECT_EQ(log().find("WARNING"), std::string::npos) << log();
  EXPECT_EQ(log().find("BUG"), std::string::npos) << log();
}

TEST_P(CompatPercpuTest, AllocPercpu) {
  EXPECT_EQ(run_c(ctest_percpu_alloc, "cpcpu_alloc", -1, kSlowJoinMs), 0) << log();
  EXPECT_EQ(log().find("WARNING"), std::string::npos) << log();
}

TEST_P(CompatPercpuTest, InvalidAllocationsFailWithAWarning) {
  EXPECT_EQ(run_c(ctest_percpu_alloc_invalid, "cpcpu_bad", -1, kSlowJoinMs), 0) << log();
  std::string l = log();
  EXPECT_NE(l.find("illegal size (0) or align (4) for percpu allocation"), std::string::npos) << l;
  EXPECT_NE(l.find("illegal size (16) or align (3) for percpu allocation"), std::string::npos) << l;
  EXPECT_NE(l.find("illegal size (65536) or align (8) for percpu allocation"), std::string::npos)
      << l;
}

KTL_INSTANTIATE_MACHINES(CompatPercpuTest);

}  // namespace
