// The compat <linux/interrupt.h> from kernel-style C (tests/compat/c/softirq.c): DECLARE_TASKLET*
// give the bytes of ktl's tasklet initialisers; tasklets run once per scheduling in softirq
// context (in_interrupt() == SOFTIRQ_OFFSET, in_serving_softirq(), !in_task()); bottom halves
// off defer them to local_bh_enable(); disabled tasklets wait for tasklet_enable(); tasklet_kill
// waits; local_irq_save/restore nest; task-context answers of the context queries.
#include <cstring>
#include <new>

#include "support/kernel_test.h"

extern "C" {
int ctest_sirq_tasklet_context(void);
int ctest_sirq_bh_disable_defers(void);
int ctest_sirq_disable_enable(void);
int ctest_sirq_declared_tasklets_run(void);
int ctest_sirq_irqflags(void);
int ctest_sirq_kill_waits(void);

void ctest_sirq_cb(ktl::tasklet_struct* t);
void ctest_sirq_func(unsigned long data);
extern ktl::tasklet_struct ctest_sirq_static;
extern ktl::tasklet_struct ctest_sirq_static_disabled;
extern ktl::tasklet_struct ctest_sirq_static_old;
extern unsigned long ctest_sirq_context[3];
}

namespace ktl {
namespace {

using testing::KernelTest;
using testing::run_c;


// ktl's initialiser for `obj`, built in zeroed storage (the padding of a static object), compared
// byte for byte with the C static initialiser's object.
bool same_bytes(const tasklet_struct* c_obj, const tasklet_struct& made) {
  alignas(tasklet_struct) unsigned char buf[sizeof(tasklet_struct)] = {};
  auto* p = new (buf) tasklet_struct;
  p->count = made.count;
  p->use_callback = made.use_callback;
  if (made.use_callback)
    p->callback = made.callback;
  else
    p->func = made.func;
  p->data = made.data;
  return std::memcmp(buf, static_cast<const void*>(c_obj), sizeof(buf)) == 0;
}

class CompatSoftirqTest : public KernelTest {};

TEST_P(CompatSoftirqTest, DeclareTaskletBytesEqualKtlsInitialisers) {
  EXPECT_TRUE(same_bytes(&ctest_sirq_static, tasklet_struct_init_cb(ctest_sirq_cb, 0)));
  EXPECT_TRUE(same_bytes(&ctest_sirq_static_disabled, tasklet_struct_init_cb(ctest_sirq_cb, 1)));
  EXPECT_TRUE(same_bytes(&ctest_sirq_static_old, tasklet_struct_init_func(ctest_sirq_func, 0, 0)));
  EXPECT_EQ(ctest_sirq_static.callback, ctest_sirq_cb);
  EXPECT_TRUE(ctest_sirq_static.use_callback);
  EXPECT_EQ(ctest_sirq_static_disabled.count, 1);
  EXPECT_EQ(ctest_sirq_static_old.func, ctest_sirq_func);
  EXPECT_FALSE(ctest_sirq_static_old.use_callback);
}

TEST_P(CompatSoftirqTest, TaskletRunsInSoftirqContext) {
  EXPECT_EQ(run_c(ctest_sirq_tasklet_context), 0);
  EXPECT_EQ(ctest_sirq_context[0], 0x100u) << "in_interrupt() is the masked count, as on Linux";
  EXPECT_EQ(ctest_sirq_context[1], 0x100u);
}

TEST_P(CompatSoftirqTest, BottomHalvesOffDeferTaskletsToLocalBhEnable) {
  EXPECT_EQ(run_c(ctest_sirq_bh_disable_defers), 0);
}

TEST_P(CompatSoftirqTest, DisabledTaskletWaitsForEnable) {
  EXPECT_EQ(run_c(ctest_sirq_disable_enable), 0);
}

TEST_P(CompatSoftirqTest, DeclaredTaskletsRun) {
  EXPECT_EQ(run_c(ctest_sirq_declared_tasklets_run), 0);
}

TEST_P(CompatSoftirqTest, IrqFlagsNestAndTaskContextQueries) {
  EXPECT_EQ(run_c(ctest_sirq_irqflags), 0);
}

TEST_P(CompatSoftirqTest, TaskletKillWaitsForAScheduledTasklet) {
  EXPECT_EQ(run_c(ctest_sirq_kill_waits), 0);
}

KTL_INSTANTIATE_MACHINES(CompatSoftirqTest);

}  // namespace
}  // namespace ktl
