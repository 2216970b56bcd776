// Locks from C (tests/compat/c/locking.c): spinlock_t (every form) and rwlock_t keep mutual
// exclusion under contention across vCPUs, rwlock readers share the lock while writers are
// exclusive and a waiting writer holds off new readers; the irq/bh/preempt state each form
// leaves and restores; struct mutex under contention with sleeping holders; ww_mutex:
// -EALREADY, wait-die and wound-wait back-off, opposite-order and random-order lockers
// finishing without deadlock. The C structs' static initialisers give ktl's constructor bytes.
#include <cstdint>
#include <cstring>
#include <vector>

#include "ktl/locking/mutex.h"
#include "ktl/locking/spinlock.h"
#include "support/kernel_test.h"

namespace {

extern "C" {
void* ctest_locking_static_spin(void);
void* ctest_locking_static_raw(void);
void* ctest_locking_static_rw(void);
void* ctest_locking_static_mutex(void);
void ctest_locking_spin_reset(void);
int ctest_locking_spin_worker(int iters, int mode);
long ctest_locking_spin_result(void);
int ctest_locking_irqsave(void);
void ctest_locking_rw_reset(void);
int ctest_locking_rw_reader(int iters, int mode);
int ctest_locking_rw_writer(int iters, int mode);
long ctest_locking_rw_result(void);
int ctest_locking_rw_max_readers(void);
int ctest_locking_rw_pair_reader(void);
void ctest_locking_rw_pair_reset(void);
void ctest_locking_rw_pref_reset(void);
int ctest_locking_rw_pref_reader(void);
int ctest_locking_rw_pref_writer(void);
void ctest_locking_mutex_reset(void);
int ctest_locking_mutex_worker(int iters);
long ctest_locking_mutex_result(void);
int ctest_locking_mutex_basics(void);
void ctest_locking_ww_reset(void);
int ctest_locking_ww_worker(int cls, int take, int iters, std::uint32_t seed, int order, int id);
long ctest_locking_ww_result(int cls);
int ctest_locking_ww_backoffs(void);
int ctest_locking_ww_basics(void);
int ctest_locking_wd_dies(void);
void ctest_locking_cross_reset(int cls);
int ctest_locking_cross_old(int cls);
int ctest_locking_cross_young(int cls);
void ctest_locking_hold_reset(int cls);
int ctest_locking_hold_old(int cls);
void ctest_locking_hold_release(void);
int ctest_locking_hold_young(int cls);
}

using namespace ktl;
using ktl::testing::join_for;
using ktl::testing::KernelTest;
using ktl::testing::kJoinMs;
using ktl::testing::spawn;
using ktl::testing::task_handle;
using ktl::testing::wait_state;

class CompatLockingTest : public KernelTest {
 protected:
  // Spawns n tasks running fn(i), spread over the vCPUs; returns their results.
  std::vector<int> run_all(int n, const std::function<int(int)>& fn) {
    std::vector<task_handle> ts;
    for (int i = 0; i < n; ++i) ts.push_back(spawn([fn, i] { return fn(i); }, "locker", i % cpus()));
    std::vector<int> rs;
    for (auto& t : ts) {
      int r = -9999;
      EXPECT_TRUE(join_for(t, 4 * kJoinMs, &r)) << "a locker did not finish (deadlock?)";
      rs.push_back(r);
    }
    return rs;
  }
  int iters(int base) const { return simulated() ? base / 10 : base; }
};

// DEFINE_SPINLOCK/DEFINE_RAW_SPINLOCK/DEFINE_RWLOCK/DEFINE_MUTEX give the bytes of ktl's
// default-constructed objects, and C++ can take the C objects with ktl's own API.
TEST_P(CompatLockingTest, StaticInitialisersAreKtlObjects) {
  auto* s = static_cast<spinlock_t*>(ctest_locking_static_spin());
  auto* raw = static_cast<spinlock_t*>(ctest_locking_static_raw());
  auto* rw = static_cast<std::uint32_t*>(ctest_locking_static_rw());
  auto* m = static_cast<mutex*>(ctest_locking_static_mutex());
  EXPECT_FALSE(spin_is_locked(s));
  EXPECT_FALSE(spin_is_locked(raw));
  EXPECT_EQ(*rw, 0u);
  EXPECT_EQ(m->owner.load(), 0u);
  EXPECT_EQ(m->wait_list.next, &m->wait_list);
  EXPECT_EQ(m->wait_list.prev, &m->wait_list);
  EXPECT_EQ(m->name, nullptr);
  auto t = spawn([s, m] {
    spin_lock(s);
    spin_unlock(s);
    mutex_lock(m);
    mutex_unlock(m);
    return ctest_locking_mutex_basics();
  });
  int r = -1;
  EXPECT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(CompatLockingTest, SpinlockFormsExcludeEachOther) {
  const int n = 4, it = iters(2000);
  for (int mode = 0; mode <= 5; ++mode) {
    ctest_locking_spin_reset();
    auto rs = run_all(n, [it, mode](int) { return ctest_locking_spin_worker(it, mode); });
    for (int r : rs) EXPECT_EQ(r, 0) << "mode " << mode;
    EXPECT_EQ(ctest_locking_spin_result(), static_cast<long>(n) * it) << "mode " << mode;
  }
}

TEST_P(CompatLockingTest, IrqsaveFlagsRoundTrip) {
  auto t = spawn([] { return ctest_locking_irqsave(); });
  int r = -1;
  EXPECT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

// Readers and writers of every form on several vCPUs: writers exclusive, the count exact.
TEST_P(CompatLockingTest, RwlockWritersExclusive) {
  const int it = iters(1500);
  for (int mode = 0; mode <= 2; ++mode) {
    ctest_locking_rw_reset();
    auto rs = run_all(4, [it, mode](int i) {
      return i % 2 ? ctest_locking_rw_writer(it, mode) : ctest_locking_rw_reader(it, mode);
    });
    for (int r : rs) EXPECT_EQ(r, 0) << "mode " << mode;
    EXPECT_EQ(ctest_locking_rw_result(), 2L * it) << "mode " << mode;
  }
}

// Two readers hold the lock at the same time (each waits inside for the other).
TEST_P(CompatLockingTest, RwlockReadersShare) {
  KTL_NEEDS_CPUS(2);
  ctest_locking_rw_pair_reset();
  auto rs = run_all(2, [](int) { return ctest_locking_rw_pair_reader(); });
  EXPECT_EQ(rs[0], 0);
  EXPECT_EQ(rs[1], 0);
}

// A writer spinning for a read-held lock makes read_trylock() in task context fail.
TEST_P(CompatLockingTest, RwlockWaitingWriterHoldsOffNewReaders) {
  KTL_NEEDS_CPUS(2);
  ctest_locking_rw_pref_reset();
  auto rs = run_all(2, [](int i) {
    return i == 0 ? ctest_locking_rw_pref_reader() : ctest_locking_rw_pref_writer();
  });
  EXPECT_EQ(rs[0], 0);
  EXPECT_EQ(rs[1], 0);
}

// Holders sleep (cond_resched) inside: tasks of one vCPU contend too.
TEST_P(CompatLockingTest, MutexUnderContention) {
  const int n = 6, it = iters(500);
  ctest_locking_mutex_reset();
  auto rs = run_all(n, [it](int) { return ctest_locking_mutex_worker(it); });
  for (int r : rs) EXPECT_EQ(r, 0);
  EXPECT_EQ(ctest_locking_mutex_result(), static_cast<long>(n) * it);
}

TEST_P(CompatLockingTest, WwMutexBasicsAndAlready) {
  ctest_locking_ww_reset();
  auto t = spawn([] { return ctest_locking_ww_basics(); });
  int r = -1;
  EXPECT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_EQ(log().find("WARNING:"), std::string::npos) << log();
}

TEST_P(CompatLockingTest, WaitDieYoungerDiesAtOnce) {
  auto t = spawn([] { return ctest_locking_wd_dies(); });
  int r = -1;
  EXPECT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

// Two contexts taking two locks in opposite orders, many times, with the back-off loop:
// both finish, for either class.
TEST_P(CompatLockingTest, OppositeOrderLockersFinish) {
  const int it = iters(1000);
  for (int cls = 0; cls <= 1; ++cls) {
    ctest_locking_ww_reset();
    auto rs = run_all(2, [cls, it](int i) {
      return ctest_locking_ww_worker(cls, 2, it, 1, i == 0 ? 1 : 2, i + 1);
    });
    for (int r : rs) EXPECT_EQ(r, 0) << "class " << cls;
    EXPECT_EQ(ctest_locking_ww_result(cls), 2L * 2 * it) << "class " << cls;
  }
  EXPECT_EQ(log().find("WARNING:"), std::string::npos) << log();
}

// N tasks each taking 4 of 8 locks in a random order: no deadlock, no two holders.
TEST_P(CompatLockingTest, RandomOrderLockersFinish) {
  const int n = 5, it = iters(400), take = 4;
  for (int cls = 0; cls <= 1; ++cls) {
    ctest_locking_ww_reset();
    auto rs = run_all(n, [cls, it](int i) {
      return ctest_locking_ww_worker(cls, take, it, 1000u + static_cast<std::uint32_t>(i), 0,
                                     i + 1);
    });
    for (int r : rs) EXPECT_EQ(r, 0) << "class " << cls;
    EXPECT_EQ(ctest_locking_ww_result(cls), static_cast<long>(n) * it * take) << "class " << cls;
  }
}

// OLD holds A and waits for B; YOUNG holds B and asks for A: YOUNG backs off (-EDEADLK) and
// OLD gets B, in a wound-wait class (OLD wounds YOUNG, which the C side waits to see) and in a
// wait-die class (YOUNG dies asking).
TEST_P(CompatLockingTest, CrossedLockersYoungerBacksOff) {
  for (int cls = 0; cls <= 1; ++cls) {
    ctest_locking_cross_reset(cls);
    auto rs = run_all(2, [cls](int i) {
      return i == 0 ? ctest_locking_cross_old(cls) : ctest_locking_cross_young(cls);
    });
    EXPECT_EQ(rs[0], 0) << "class " << cls;
    EXPECT_EQ(rs[1], 0) << "class " << cls;
  }
}

// A younger context asking for a lock an older one holds (while that one waits for nothing):
// in a wound-wait class it sleeps until the lock is free and gets it; in a wait-die class it
// dies (-EDEADLK) at once.
TEST_P(CompatLockingTest, WoundWaitYoungerWaitsWaitDieDies) {
  // Wound-wait.
  ctest_locking_hold_reset(0);
  auto old_t = spawn([] { return ctest_locking_hold_old(0); }, "ww_old");
  auto young_t = spawn([] { return ctest_locking_hold_young(0); }, "ww_young");
  EXPECT_TRUE(wait_state(young_t, 'D'));
  auto rel = spawn([] {
    ctest_locking_hold_release();
    return 0;
  }, "release");
  int r = -1;
  EXPECT_TRUE(join_for(rel, kJoinMs, &r));
  EXPECT_TRUE(join_for(young_t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_TRUE(join_for(old_t, kJoinMs, &r));
  EXPECT_EQ(r, 0);

  // Wait-die.
  ctest_locking_hold_reset(1);
  old_t = spawn([] { return ctest_locking_hold_old(1); }, "wd_old");
  young_t = spawn([] { return ctest_locking_hold_young(1); }, "wd_young");
  EXPECT_TRUE(join_for(young_t, kJoinMs, &r));
  EXPECT_EQ(r, -EDEADLK);
  rel = spawn([] {
    ctest_locking_hold_release();
    return 0;
  }, "release");
  EXPECT_TRUE(join_for(rel, kJoinMs, &r));
  EXPECT_TRUE(join_for(old_t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

KTL_INSTANTIATE_MACHINES(CompatLockingTest);

}  // namespace
