// The compat layer's core library from C (tests/compat/c/lib.c): list_head (shared with ktl's
// C++ lists), ERR_PTR, WARN_ON's report naming the task, BUG ending only its task, atomics and
// bitops return conventions, kmalloc & friends (ZERO_SIZE_PTR, zeroing, krealloc, overflow,
// caches, pages, the might_sleep report of GFP_KERNEL under a spinlock), the printf family
// (truncation returns, %pe), kstrto* errors, string helpers, refcount_t saturation, prandom
// determinism (Linux's sequence) and get_random_* determinism on the simulation machine.
#include <cstdint>
#include <string>

#include "ktl/base/list.h"
#include "ktl/kernel/printk.h"
#include "ktl/kthread/kthread.h"
#include "ktl/sched/sched.h"
#include "support/kernel_test.h"

namespace {

extern "C" {
int ctest_lib_list(void);
int ctest_lib_list_fill(ktl::list_head* head, int n);
long ctest_lib_list_drain(ktl::list_head* head);
int ctest_lib_err(void);
int ctest_lib_warn_on(int cond);
int ctest_lib_warn_fmt(int value);
int ctest_lib_warn_once(void);
int ctest_lib_bug(void);
int ctest_lib_atomics(void);
int ctest_lib_bitops(void);
int ctest_lib_helpers(void);
int ctest_lib_slab(void);
int ctest_lib_kmalloc_atomic(int gfp_kernel);
int ctest_lib_printf(void);
int ctest_lib_kstrto(void);
int ctest_lib_string(void);
int ctest_lib_refcount(void);
void ctest_lib_prandom(std::uint64_t seed, std::uint32_t* out, int n);
void ctest_lib_prandom_bytes(std::uint64_t seed, std::uint8_t* out, std::size_t n);
int ctest_lib_random(std::uint64_t* out, int n);
}

using namespace ktl;
using ktl::testing::join_for;
using ktl::testing::KernelTest;
using ktl::testing::kJoinMs;
using ktl::testing::spawn;
using ktl::testing::wait_until;

class CompatLibTest : public KernelTest {};

// Runs fn in a kernel task named `name` and returns its result (-9999 if it did not finish).
template <typename Fn>
int run_in_task(Fn fn, const char* name = "ctest", pid_t* pid = nullptr) {
  auto t = spawn([fn] { return fn(); }, name);
  if (pid) *pid = t.task->pid;
  int r = -9999;
  if (!join_for(t, kJoinMs, &r)) return -9999;
  return r;
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

TEST_P(CompatLibTest, ListApiOnRealCases) { EXPECT_EQ(run_in_task(ctest_lib_list), 0); }

// Entries C links onto a ktl::list_head are walked by ktl's C++ list code, and C drains a list
// C++ extended: the two list_head types are one.
TEST_P(CompatLibTest, ListSharedWithKtlLists) {
  struct shared_item {
    long value;
    list_head node;
  };
  int r = run_in_task([] {
    LIST_HEAD(head);
    if (int e = ctest_lib_list_fill(&head, 3)) return e;
    long sum = 0;
    shared_item* it;
    list_for_each_entry(it, &head, node) sum = sum * 10 + it->value;
    if (sum != 123) return 1000;
    if (list_count_nodes(&head) != 3) return 1001;
    shared_item extra{4, {}};
    list_add_tail(&extra.node, &head);
    // ctest_lib_list_drain kfree()s every entry: move ours out first, after C walked it.
    long all = 0;
    list_for_each_entry(it, &head, node) all = all * 10 + it->value;
    if (all != 1234) return 1002;
    list_del(&extra.node);
    return ctest_lib_list_drain(&head) == 123 && list_empty(&head) ? 0 : 1003;
  });
  EXPECT_EQ(r, 0);
}

TEST_P(CompatLibTest, ErrPtrRoundTrips) { EXPECT_EQ(run_in_task(ctest_lib_err), 0); }

// WARN_ON(cond) is cond, and prints the kernel's report naming the task that hit it.
TEST_P(CompatLibTest, WarnOnReturnsConditionAndReportsTheTask) {
  pid_t pid = 0;
  EXPECT_EQ(run_in_task([] { return ctest_lib_warn_on(0); }, "quiet"), 0);
  EXPECT_EQ(count(log(), "WARNING: CPU:"), 0u);
  EXPECT_EQ(run_in_task([] { return ctest_lib_warn_on(7); }, "warner", &pid), 1);
  std::string d = log();
  EXPECT_EQ(count(d, "------------[ cut here ]------------"), 1u) << d;
  std::string at = "PID: " + std::to_string(pid) + " at tests/compat/c/lib.c:";
  EXPECT_NE(d.find(at), std::string::npos) << d;
  EXPECT_NE(d.find("ctest_lib_warn_on\n"), std::string::npos) << d;
  EXPECT_NE(d.find("PID: " + std::to_string(pid) + " Comm: warner"), std::string::npos) << d;
  EXPECT_NE(d.find("Tainted: G        W"), std::string::npos) << d;
  EXPECT_NE(d.find("---[ end trace"), std::string::npos) << d;
}

TEST_P(CompatLibTest, WarnPrintsItsMessage) {
  EXPECT_EQ(run_in_task([] { return ctest_lib_warn_fmt(-1); }), 0);
  EXPECT_EQ(count(log(), "WARNING:"), 0u);
  EXPECT_EQ(run_in_task([] { return ctest_lib_warn_fmt(42); }), 1);
  std::string d = log();
  EXPECT_NE(d.find("ctest value 42 is positive"), std::string::npos) << d;
  EXPECT_NE(d.find("ctest_lib_warn_fmt"), std::string::npos) << d;
}

// WARN_ON_ONCE returns the condition every time but reports once (per boot).
TEST_P(CompatLibTest, WarnOnOnceReportsOnce) {
  EXPECT_EQ(run_in_task(ctest_lib_warn_once), 3);
  EXPECT_EQ(run_in_task(ctest_lib_warn_once), 3);
  EXPECT_EQ(count(log(), "WARNING: CPU:"), 1u) << log();
}

int bug_thread(void*) { return ctest_lib_bug(); }

// BUG() prints "kernel BUG at FILE:LINE!" and an Oops, ends the task that hit it, and the
// kernel goes on (Linux without panic_on_oops).
TEST_P(CompatLibTest, BugEndsOnlyTheTask) {
  task_struct* p = nullptr;
  int r = run_in_task([&p] {
    p = kthread_create_on_node(bug_thread, nullptr, -1, "buggy");
    if (IS_ERR(p)) return 1;
    get_task_struct(p);
    wake_up_process(p);
    return 0;
  });
  ASSERT_EQ(r, 0);
  ASSERT_TRUE(wait_until([p] { return p->exit_state.load() != 0; }, 10000));
  put_task_struct(p);
  std::string d = log();
  EXPECT_NE(d.find("ctest lib: before BUG"), std::string::npos) << d;
  EXPECT_EQ(d.find("ctest lib: after BUG"), std::string::npos) << d;
  EXPECT_NE(d.find("kernel BUG at tests/compat/c/lib.c:"), std::string::npos) << d;
  EXPECT_NE(d.find("Oops: invalid opcode: 0000 [#1] SMP"), std::string::npos) << d;
  EXPECT_NE(d.find("Comm: buggy"), std::string::npos) << d;
  // Still a working kernel.
  EXPECT_EQ(run_in_task(ctest_lib_err), 0);
}

TEST_P(CompatLibTest, AtomicsValuesAndReturnConventions) {
  EXPECT_EQ(run_in_task(ctest_lib_atomics), 0);
}

TEST_P(CompatLibTest, BitopsAndBitSearches) { EXPECT_EQ(run_in_task(ctest_lib_bitops), 0); }

TEST_P(CompatLibTest, KernelHelpers) { EXPECT_EQ(run_in_task(ctest_lib_helpers), 0); }

TEST_P(CompatLibTest, Allocators) {
  EXPECT_EQ(run_in_task(ctest_lib_slab), 0);
  EXPECT_EQ(count(log(), "WARNING:"), 0u) << log();
  EXPECT_EQ(count(log(), "BUG:"), 0u) << log();
}

// kmalloc(GFP_KERNEL) under a spinlock: Linux's might_sleep report, naming the task; the
// allocation still succeeds. GFP_ATOMIC there is fine.
TEST_P(CompatLibTest, SleepingAllocationInAtomicContextIsReported) {
  EXPECT_EQ(run_in_task([] { return ctest_lib_kmalloc_atomic(0); }, "atomicok"), 0);
  EXPECT_EQ(count(log(), "BUG: sleeping function called from invalid context"), 0u) << log();
  EXPECT_EQ(run_in_task([] { return ctest_lib_kmalloc_atomic(1); }, "sleepy"), 0);
  std::string d = log();
  EXPECT_EQ(count(d, "BUG: sleeping function called from invalid context"), 1u) << d;
  EXPECT_NE(d.find("in_atomic(): 1, irqs_disabled(): 0"), std::string::npos) << d;
  EXPECT_NE(d.find("name: sleepy"), std::string::npos) << d;
}

TEST_P(CompatLibTest, PrintfFamily) { EXPECT_EQ(run_in_task(ctest_lib_printf), 0); }

TEST_P(CompatLibTest, KstrtoErrors) { EXPECT_EQ(run_in_task(ctest_lib_kstrto), 0); }

TEST_P(CompatLibTest, StringHelpers) { EXPECT_EQ(run_in_task(ctest_lib_string), 0); }

// An increment from 0 saturates the counter and WARNs with the kernel's message.
TEST_P(CompatLibTest, RefcountSaturatesAndWarns) {
  EXPECT_EQ(run_in_task(ctest_lib_refcount), 0);
  std::string d = log();
  EXPECT_EQ(count(d, "refcount_t: addition on 0; use-after-free."), 1u) << d;
  EXPECT_NE(d.find("refcount_warn_saturate"), std::string::npos) << d;
}

// Linux's taus113 sequence for seed 42 (values computed independently from lib/random32.c's
// recurrences), and the same bytes through prandom_bytes_state.
TEST_P(CompatLibTest, PrandomIsLinuxsSequence) {
  std::uint32_t a[4] = {}, b[4] = {};
  std::uint8_t bytes[6] = {};
  int r = run_in_task([&] {
    ctest_lib_prandom(42, a, 4);
    ctest_lib_prandom(42, b, 4);
    ctest_lib_prandom_bytes(42, bytes, sizeof bytes);
    return 0;
  });
  ASSERT_EQ(r, 0);
  EXPECT_EQ(a[0], 0xb5feb103u);
  EXPECT_EQ(a[1], 0x2f5d53d0u);
  EXPECT_EQ(a[2], 0x2b0a8459u);
  EXPECT_EQ(a[3], 0x1d26b77au);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(a[i], b[i]);
  EXPECT_EQ(bytes[0], 0x03);  // little-endian words
  EXPECT_EQ(bytes[3], 0xb5);
  EXPECT_EQ(bytes[4], 0xd0);  // the tail: low bytes of the next output
  EXPECT_EQ(bytes[5], 0x53);
}

TEST_P(CompatLibTest, RandomNumbers) {
  std::uint64_t v[4] = {};
  EXPECT_EQ(run_in_task([&v] { return ctest_lib_random(v, 4); }), 0);
  EXPECT_FALSE(v[0] == v[1] && v[1] == v[2] && v[2] == v[3]);
}

KTL_INSTANTIATE_MACHINES(CompatLibTest);

// On the simulation machine get_random_* come from the seed: a replayed seed draws the same
// numbers, another seed others.
TEST(CompatLibRandom, DeterministicPerSimulationSeed) {
  auto draw = [](u64 seed) {
    std::uint64_t v[4] = {};
    ktl::testing::scoped_kernel k(ktl::testing::test_boot_params(2, true, seed));
    auto t = spawn([&v] { return ctest_lib_random(v, 4); }, "rnd");
    int r = -1;
    EXPECT_TRUE(join_for(t, kJoinMs, &r));
    EXPECT_EQ(r, 0);
    return std::to_string(v[0]) + "," + std::to_string(v[1]) + "," + std::to_string(v[2]) + "," +
           std::to_string(v[3]);
  };
  std::string a = draw(7);
  std::string b = draw(7);
  std::string c = draw(8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

}  // namespace
