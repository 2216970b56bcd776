// kthread churn (spec §2, §17): at least 100,000 kthreads created through kthreadd and stopped,
// asked for by creator kthreads on every vCPU at once, with every creation flavour (kthread_run,
// kthread_create never woken, kthread_create_on_cpu, kthread_create + kthread_bind). Nothing may
// leak: nr_threads() returns to its baseline, the host's RSS stays flat after a warm-up round, and
// pids below a lowered pid_max wrap around many times without ever being given to two live tasks.
// Plus exhaustion: with pid_max or threads-max used up, creation fails with ERR_PTR(-EAGAIN) and
// works again, with exactly the same capacity, once the threads are stopped.
//
// Sanitizer builds run fewer creations (33,333 under ASan, 4,000 under TSan) below a smaller
// pid_max, so pids still wrap many times, and skip the RSS bound: ASan's quarantine and TSan's
// shadow memory grow by design, and leaked objects are LeakSanitizer's job there.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "ktl/fs/proc.h"
#include "ktl/kernel/fork.h"
#include "support/kernel_test.h"

namespace {

using namespace ktl;
using ktl::testing::scoped_kernel;
using ktl::testing::stress_iterations;
using ktl::testing::wait_until;

// Creations in all, before stress_iterations() (which divides by 3 under ASan and by 10 under
// TSan). TSan costs about 3 ms per task (fiber creation and switches), whatever the vCPU count:
// it gets 4,000 (about 13 s on 2 cores). Sanitizer builds lower pid_max further so pids still
// wrap many times.
#if defined(KTL_TSAN) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
constexpr int kChurnTotal = 40000;
constexpr int kChurnPidMax = 512;
constexpr int kChurnMin = 4000;
#elif defined(KTL_ASAN) || defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
constexpr int kChurnTotal = 100000;
constexpr int kChurnPidMax = 1024;
constexpr int kChurnMin = 10000;
#else
constexpr bool kSanitized = false;
constexpr int kChurnTotal = 100000;
constexpr int kChurnPidMax = 4096;
constexpr int kChurnMin = 100000;
#endif

constexpr int kCpus = 4;         // vCPUs; one creator kthread pinned to each
constexpr int kRounds = 5;       // round 0 is the warm-up; RSS is compared after the others
constexpr long kRssSlack = 2L << 20;  // bytes the host RSS may grow after the warm-up

// Host resident set size (bytes), from /proc/self/statm of the host process.
long host_rss() {
  long size = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return -1;
  int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * sysconf(_SC_PAGESIZE) : -1;
}

// Reads a /proc/sys value, writes `value`, and restores the old one at scope exit.
class scoped_sysctl {
 public:
  scoped_sysctl(std::string path, const std::string& value) : path_(std::move(path)) {
    EXPECT_EQ(proc_read(path_, &old_), 0) << path_;
    EXPECT_EQ(proc_write(path_, value), 0) << path_ << " = " << value;
  }
  ~scoped_sysctl() { EXPECT_EQ(proc_write(path_, old_), 0) << path_ << " = " << old_; }
  scoped_sysctl(const scoped_sysctl&) = delete;
  scoped_sysctl& operator=(const scoped_sysctl&) = delete;

 private:
  std::string path_;
  std::string old_;
};

// ---- the threads the creators make ------------------------------------------------------------

struct Child {
  completion started;
  std::atomic<int> ran{0};
  std::atomic<int> cpu{-1};
  int ret = 0;
};

// Sleeps until kthread_stop(); returns c->ret.
int child_until_stop(void* arg) {
  auto* c = static_cast<Child*>(arg);
  c->ran.store(1);
  c->cpu.store(smp_processor_id());
  complete(&c->started);
  while (!kthread_should_stop()) schedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);
  return c->ret;
}

// Returns at once (the thread exits and is auto-reaped before anyone stops it).
int child_once(void* arg) {
  auto* c = static_cast<Child*>(arg);
  c->ran.store(1);
  c->cpu.store(smp_processor_id());
  complete(&c->started);
  return c->ret;
}

// ---- one creator kthread ----------------------------------------------------------------------

// Shared by every creator: which live task holds each pid. init, kthreadd and the creators are
// entered for as long as they live; a churned child from when its creation returns until just
// before it may exit (its pid is freed only when it is reaped, after that).
struct PidBook {
  int pid_max = 0;
  std::unique_ptr<std::atomic<task_struct*>[]> owner;
  std::unique_ptr<std::atomic<unsigned char>[]> seen;
  explicit PidBook(int max)
      : pid_max(max),
        owner(new std::atomic<task_struct*>[static_cast<std::size_t>(max)]),
        seen(new std::atomic<unsigned char>[static_cast<std::size_t>(max)]) {
    for (int i = 0; i < max; ++i) {
      owner[i].store(nullptr);
      seen[i].store(0);
    }
  }
  // Enters a long-lived task; false if its pid is booked already.
  bool hold(task_struct* p) {
    task_struct* expected = nullptr;
    return owner[p->pid].compare_exchange_strong(expected, p);
  }
  bool release(task_struct* p) {
    task_struct* expected = p;
    return owner[p->pid].compare_exchange_strong(expected, nullptr);
  }
  int distinct_seen() const {
    int n = 0;
    for (int i = 0; i < pid_max; ++i) n += seen[i].load() != 0;
    return n;
  }
};

// Per-creator results. Counters only: nothing is allocated while the churn runs, so the RSS
// comparison measures ktl and not the test.
struct Creator {
  int cpu = 0;
  int iterations = 0;
  PidBook* book = nullptr;
  completion done;
  // Results.
  long created = 0;
  long first_error = 0;  // errno of the first failed creation
  long wraps = 0;        // times this creator's pid sequence went down (the allocator wrapped)
  int last_pid = 0;
  int max_pid = 0;
  int min_pid_after_wrap = 1 << 30;
  long pid_out_of_range = 0;  // pid <= 0, >= pid_max, or < RESERVED_PIDS after a wrap
  long pid_shared = 0;        // a pid handed out while another live child held it
  long pid_map_wrong = 0;     // find_get_task_by_vpid(pid) is not the new task
  long bad_result = 0;        // kthread_stop result inconsistent with whether threadfn ran
  long wrong_cpu = 0;         // a bound child ran elsewhere
};

// Enters the new child in the pid book and checks its pid.
void book_in(Creator* cr, task_struct* p) {
  PidBook& b = *cr->book;
  int pid = p->pid;
  if (pid <= 0 || pid >= b.pid_max) {
    cr->pid_out_of_range++;  // still stopped by the caller; the count fails the test
    return;
  }
  if (pid < cr->last_pid) {
    cr->wraps++;
  }
  if (cr->wraps && pid < RESERVED_PIDS) cr->pid_out_of_range++;
  if (cr->wraps && pid < cr->min_pid_after_wrap) cr->min_pid_after_wrap = pid;
  if (pid > cr->max_pid) cr->max_pid = pid;
  cr->last_pid = pid;
  b.seen[pid].store(1, std::memory_order_relaxed);
  if (!b.hold(p)) cr->pid_shared++;
  task_struct* found = find_get_task_by_vpid(pid);
  if (found != p) cr->pid_map_wrong++;
  if (found) put_task_struct(found);
}

// The child may exit from now on: its pid leaves the book (it is freed only when the task is
// reaped, later, so no other creation can be handed it before this).
void book_out(Creator* cr, task_struct* p) {
  if (p->pid <= 0 || p->pid >= cr->book->pid_max) return;
  if (!cr->book->release(p)) cr->pid_shared++;
}

int creator_fn(void* arg) {
  auto* cr = static_cast<Creator*>(arg);
  const unsigned ncpus = static_cast<unsigned>(kCpus);
  for (int i = 0; i < cr->iterations; ++i) {
    Child c;
    c.ret = 1000 + (i & 0xff);
    const unsigned target = (static_cast<unsigned>(cr->cpu) + 1 + static_cast<unsigned>(i / 4)) % ncpus;
    task_struct* p = nullptr;
    switch (i % 4) {
      case 0: {
        // kthread_run and an immediate stop: threadfn ran (its value) or not (-EINTR).
        p = kthread_run(child_until_stop, &c, "churn/%d:%d", cr->cpu, i);
        if (IS_ERR(p)) break;
        ++cr->created;
        book_in(cr, p);
        book_out(cr, p);
        int r = kthread_stop(p);
        if (c.ran.load() ? r != c.ret : r != -EINTR) cr->bad_result++;
        break;
      }
      case 1: {
        // Created, never woken (STAT D): kthread_stop returns -EINTR, threadfn never runs.
        p = kthread_create(child_once, &c, "churn_d/%d", cr->cpu);
        if (IS_ERR(p)) break;
        ++cr->created;
        book_in(cr, p);
        book_out(cr, p);
        if (kthread_stop(p) != -EINTR || c.ran.load()) cr->bad_result++;
        break;
      }
      case 2: {
        // Bound with kthread_create_on_cpu, runs there until stopped.
        p = kthread_create_on_cpu(child_until_stop, &c, target, "churn_cpu/%u");
        if (IS_ERR(p)) break;
        ++cr->created;
        book_in(cr, p);
        wake_up_process(p);
        wait_for_completion(&c.started);
        if (c.cpu.load() != static_cast<int>(target)) cr->wrong_cpu++;
        book_out(cr, p);
        if (kthread_stop(p) != c.ret) cr->bad_result++;
        break;
      }
      case 3: {
        // kthread_create + kthread_bind; threadfn returns before the stop (reference held, §17.2).
        p = kthread_create(child_once, &c, "churn_bind/%d", cr->cpu);
        if (IS_ERR(p)) break;
        ++cr->created;
        book_in(cr, p);
        kthread_bind(p, target);
        get_task_struct(p);
        book_out(cr, p);  // it may exit and be reaped as soon as it is woken
        wake_up_process(p);
        wait_for_completion(&c.started);
        if (c.cpu.load() != static_cast<int>(target)) cr->wrong_cpu++;
        if (kthread_stop_put(p) != c.ret) cr->bad_result++;
        break;
      }
    }
    if (IS_ERR(p)) {
      cr->first_error = PTR_ERR(p);
      break;
    }
  }
  complete(&cr->done);
  // Wait for the host's kthread_stop (so the host may read the results without racing our exit).
  while (!kthread_should_stop()) schedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);
  return 0;
}

// One round: a creator kthread on every vCPU, each making `per` children. Returns the creators'
// results (appended to *all).
void run_round(PidBook* book, int per, std::vector<std::unique_ptr<Creator>>* all) {
  std::vector<Creator*> round;
  for (int cpu = 0; cpu < kCpus; ++cpu) {
    all->push_back(std::make_unique<Creator>());
    Creator* cr = all->back().get();
    cr->cpu = cpu;
    cr->iterations = per;
    cr->book = book;
    round.push_back(cr);
  }
  std::vector<task_struct*> ts;
  for (Creator* cr : round) {
    task_struct* p =
        kthread_create_on_cpu(creator_fn, cr, static_cast<unsigned>(cr->cpu), "churn_creator/%u");
    ASSERT_FALSE(IS_ERR(p)) << PTR_ERR(p);
    ASSERT_LT(p->pid, book->pid_max);
    EXPECT_TRUE(book->hold(p)) << "creator got pid " << p->pid << ", which a live task holds";
    ts.push_back(p);
  }
  for (task_struct* p : ts) wake_up_process(p);
  for (std::size_t i = 0; i < ts.size(); ++i) {
    // A bound instead of a hang: 100k creations take a few seconds on 2 busy host cores. On a
    // hang, sysrq-t (show_state) goes into the failure message.
    if (!wait_for_completion_timeout(&round[i]->done, msecs_to_jiffies(60000))) {
      show_state();
      std::string log = dmesg();
      if (log.size() > 20000) log = log.substr(log.size() - 20000);
      FAIL() << "creator " << i << " hung after " << round[i]->created << " creations\n" << log;
    }
    EXPECT_TRUE(book->release(ts[i]));
    EXPECT_EQ(kthread_stop(ts[i]), 0);
  }
}

TEST(KthreadChurnTest, HundredThousandKthreadsAcrossVcpusLeakNothing) {
  scoped_kernel k(kCpus);
  const int base = nr_threads();
  scoped_sysctl pm("/proc/sys/kernel/pid_max", std::to_string(kChurnPidMax));
  ASSERT_EQ(pid_max(), kChurnPidMax);
  PidBook book(kChurnPidMax);
  task_struct* init = find_get_task_by_vpid(1);
  ASSERT_NE(init, nullptr);
  put_task_struct(init);  // init lives until poweroff: the pointer is only compared
  ASSERT_TRUE(book.hold(init));
  ASSERT_TRUE(book.hold(kthreadd_task));

  const int total = stress_iterations(kChurnTotal);
  const int per = total / (kCpus * kRounds);  // per creator per round
  std::vector<std::unique_ptr<Creator>> creators;
  creators.reserve(kCpus * kRounds);
  const u64 forks0 = total_forks();

  long rss_warm = 0;
  for (int round = 0; round < kRounds; ++round) {
    run_round(&book, per, &creators);
    if (HasFatalFailure()) return;
    ASSERT_TRUE(wait_until([base] { return nr_threads() == base; }, 10000))
        << "round " << round << ": nr_threads " << nr_threads() << " (baseline " << base << ")";
    if (round == 0) rss_warm = host_rss();
  }
  const long rss_end = host_rss();

  long created = 0, wraps = 0;
  int max_pid = 0, min_after_wrap = 1 << 30;
  // Wraps of the allocator: every creator of a round sees each wrap of that round (it creates
  // all through the round), so the round's count is its creators' maximum.
  for (int round = 0; round < kRounds; ++round) {
    long w = 0;
    for (int i = 0; i < kCpus; ++i)
      w = std::max(w, creators[static_cast<std::size_t>(round * kCpus + i)]->wraps);
    wraps += w;
  }
  for (auto& cr : creators) {
    SCOPED_TRACE("creator on cpu " + std::to_string(cr->cpu));
    EXPECT_EQ(cr->first_error, 0);
    EXPECT_EQ(cr->created, per);
    EXPECT_EQ(cr->pid_out_of_range, 0);
    EXPECT_EQ(cr->pid_shared, 0) << "a pid was given to two live tasks at once";
    EXPECT_EQ(cr->pid_map_wrong, 0) << "the pid map does not point at the new task";
    EXPECT_EQ(cr->bad_result, 0);
    EXPECT_EQ(cr->wrong_cpu, 0) << "a bound kthread ran on another vCPU";
    created += cr->created;
    max_pid = std::max(max_pid, cr->max_pid);
    if (cr->wraps) min_after_wrap = std::min(min_after_wrap, cr->min_pid_after_wrap);
  }
  EXPECT_EQ(created, static_cast<long>(per) * kCpus * kRounds);
  EXPECT_GE(created, kChurnMin) << "the churn must stay meaningful";
  // Every kthread_create forked exactly once (plus the creators themselves): no hidden retries.
  EXPECT_EQ(total_forks() - forks0, static_cast<u64>(created + kCpus * kRounds));

  // Pids: cyclic below pid_max, restarting at RESERVED_PIDS after a wrap, reused many times.
  EXPECT_LT(max_pid, kChurnPidMax);
  EXPECT_GE(max_pid, kChurnPidMax - 64) << "the allocator went up to pid_max before wrapping";
  EXPECT_GE(min_after_wrap, RESERVED_PIDS);
  EXPECT_LT(min_after_wrap, RESERVED_PIDS + 64) << "after a wrap, pids restart at RESERVED_PIDS";
  const long cycle = kChurnPidMax - RESERVED_PIDS;
  EXPECT_GE(wraps, created / cycle / 2) << "pids must wrap about created/(pid_max-300) times";
  EXPECT_LE(book.distinct_seen(), kChurnPidMax - 1);
  EXPECT_GT(created, 5L * book.distinct_seen()) << "pids are reused";
  EXPECT_TRUE(book.release(init));
  EXPECT_TRUE(book.release(kthreadd_task));
  for (int pid = 0; pid < kChurnPidMax; ++pid)
    EXPECT_EQ(book.owner[pid].load(), nullptr) << "pid " << pid << " still booked";

  // Memory: flat after the warm-up round (task_struct cache, stack pool, malloc arenas warm).
  ASSERT_GT(rss_warm, 0);
  ASSERT_GT(rss_end, 0);
  const long growth = rss_end - rss_warm;
  RecordProperty("rss_after_warmup_kib", std::to_string(rss_warm / 1024));
  RecordProperty("rss_end_kib", std::to_string(rss_end / 1024));
  std::printf("[ churn    ] %ld kthreads, %ld pid wraps (pid_max %d), RSS %ld KiB -> %ld KiB\n",
              created, wraps, kChurnPidMax, rss_warm / 1024, rss_end / 1024);
  if (!kSanitized) {
    EXPECT_LT(growth, kRssSlack) << "host RSS grew by " << growth / 1024 << " KiB";
  }

  std::string log = dmesg();
  EXPECT_EQ(log.find("WARNING:"), std::string::npos) << log;
  EXPECT_EQ(log.find("BUG:"), std::string::npos) << log;
}

// ---- exhaustion -------------------------------------------------------------------------------

// Creates never-woken kthreads until creation fails; returns them. *err = the failure.
std::vector<task_struct*> create_until_failure(Child* c, long* err, int limit = 100000) {
  std::vector<task_struct*> ts;
  *err = 0;
  for (int i = 0; i < limit; ++i) {
    task_struct* p = kthread_create(child_once, c, "kt_fill%d", i);
    if (IS_ERR(p)) {
      *err = PTR_ERR(p);
      break;
    }
    ts.push_back(p);
  }
  return ts;
}

// With every pid taken, kthread_create / kthread_create_on_cpu / kthread_run fail with -EAGAIN
// (threadfn never runs, nothing is counted); after the stops the same number of pids is free
// again. The first fill uses pids 3..pid_max-1; every later one only RESERVED_PIDS..pid_max-1,
// since after the first wrap Linux's allocator never goes below RESERVED_PIDS again.
TEST(KthreadExhaustionTest, PidMaxExhaustedGivesEagainAndRecovers) {
  scoped_kernel k(2);
  const int base = nr_threads();
  ASSERT_EQ(base, 2 + ktl::testing::boot_kthreads(2)) << "a fresh kernel: init, kthreadd, kworkers (pids 3..)";
  constexpr int kMax = 400;
  scoped_sysctl pm("/proc/sys/kernel/pid_max", std::to_string(kMax));
  Child c;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    long err = 0;
    std::vector<task_struct*> ts = create_until_failure(&c, &err);
    EXPECT_EQ(err, -EAGAIN);
    const int expect = round == 0 ? kMax - 1 - base : kMax - RESERVED_PIDS;
    EXPECT_EQ(static_cast<int>(ts.size()), expect) << "pids leaked or double-booked";
    EXPECT_EQ(nr_threads(), base + static_cast<int>(ts.size()));
    std::vector<unsigned char> used(kMax, 0);
    for (task_struct* p : ts) {
      ASSERT_GT(p->pid, 2);
      ASSERT_LT(p->pid, kMax);
      EXPECT_FALSE(used[static_cast<std::size_t>(p->pid)]) << "pid " << p->pid << " given twice";
      used[static_cast<std::size_t>(p->pid)] = 1;
      if (round > 0) {
        EXPECT_GE(p->pid, RESERVED_PIDS);
      }
    }
    // Every creation path fails the same way while exhausted, and leaves nothing behind.
    const u64 forks = total_forks();
    task_struct* p = kthread_create_on_cpu(child_once, &c, 1, "kt_full/%u");
    EXPECT_EQ(PTR_ERR(p), -EAGAIN);
    p = kthread_run(child_once, &c, "kt_full_run");
    EXPECT_EQ(PTR_ERR(p), -EAGAIN);
    EXPECT_EQ(total_forks(), forks);
    EXPECT_EQ(nr_threads(), base + static_cast<int>(ts.size()));

    for (task_struct* t : ts) EXPECT_EQ(kthread_stop(t), -EINTR);
    EXPECT_EQ(c.ran.load(), 0) << "no threadfn ran: all were stopped before their first wake-up";
    ASSERT_TRUE(wait_until([base] { return nr_threads() == base; })) << nr_threads();
  }
  // Creation works again.
  Child ok;
  ok.ret = 5;
  task_struct* p = kthread_run(child_until_stop, &ok, "kt_after_full");
  ASSERT_FALSE(IS_ERR(p)) << PTR_ERR(p);
  EXPECT_GE(p->pid, RESERVED_PIDS);
  EXPECT_LT(p->pid, kMax);
  wait_for_completion(&ok.started);
  EXPECT_EQ(kthread_stop(p), 5);
}

// Several creator kthreads race to use up the last pids: each creation either gets a pid no one
// else has or -EAGAIN, and together they get exactly the pids there are.
TEST(KthreadExhaustionTest, ConcurrentCreatorsShareTheLastPidsExactly) {
  scoped_kernel k(2);
  const int base = nr_threads();
  constexpr int kMax = 512;
  constexpr int kCreators = 4;
  scoped_sysctl pm("/proc/sys/kernel/pid_max", std::to_string(kMax));
  struct Racer {
    Child c;
    std::vector<task_struct*> got;
    long err = 0;
    completion done;
  };
  std::vector<std::unique_ptr<Racer>> rs;
  std::vector<task_struct*> creators;
  for (int i = 0; i < kCreators; ++i) {
    rs.push_back(std::make_unique<Racer>());
    rs.back()->got.reserve(kMax);
    task_struct* p = kthread_create_on_cpu(
        [](void* a) {
          auto* r = static_cast<Racer*>(a);
          for (;;) {
            task_struct* t = kthread_create(child_once, &r->c, "kt_race");
            if (IS_ERR(t)) {
              r->err = PTR_ERR(t);
              break;
            }
            r->got.push_back(t);
          }
          complete(&r->done);
          while (!kthread_should_stop()) schedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);
          return 0;
        },
        rs.back().get(), static_cast<unsigned>(i % 2), "kt_racer/%u");
    ASSERT_FALSE(IS_ERR(p));
    creators.push_back(p);
  }
  for (task_struct* p : creators) wake_up_process(p);
  std::vector<unsigned char> used(kMax, 0);
  std::size_t got = 0;
  for (auto& r : rs) {
    ASSERT_TRUE(wait_for_completion_timeout(&r->done, msecs_to_jiffies(20000)));
    EXPECT_EQ(r->err, -EAGAIN);
    for (task_struct* t : r->got) {
      EXPECT_FALSE(used[static_cast<std::size_t>(t->pid)]) << "pid " << t->pid << " given twice";
      used[static_cast<std::size_t>(t->pid)] = 1;
    }
    got += r->got.size();
  }
  // Pids 1..kMax-1 minus init, kthreadd and the creators.
  EXPECT_EQ(got, static_cast<std::size_t>(kMax - 1 - base - kCreators));
  EXPECT_EQ(nr_threads(), kMax - 1);
  for (auto& r : rs)
    for (task_struct* t : r->got) EXPECT_EQ(kthread_stop(t), -EINTR);
  for (task_struct* p : creators) EXPECT_EQ(kthread_stop(p), 0);
  EXPECT_TRUE(wait_until([base] { return nr_threads() == base; })) << nr_threads();
}

// threads-max: the same contract with the thread count as the limit (copy_process checks it
// before allocating anything).
TEST(KthreadExhaustionTest, ThreadsMaxExhaustedGivesEagainAndRecovers) {
  scoped_kernel k(2);
  const int base = nr_threads();
  constexpr int kMaxThreads = 40;
  scoped_sysctl tm("/proc/sys/kernel/threads-max", std::to_string(kMaxThreads));
  ASSERT_EQ(max_threads(), kMaxThreads);
  Child c;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    long err = 0;
    std::vector<task_struct*> ts = create_until_failure(&c, &err);
    EXPECT_EQ(err, -EAGAIN);
    EXPECT_EQ(static_cast<int>(ts.size()), kMaxThreads - base) << "a thread count leaked";
    EXPECT_EQ(nr_threads(), kMaxThreads);
    const u64 forks = total_forks();
    EXPECT_EQ(PTR_ERR(kthread_create_on_cpu(child_once, &c, 0, "kt_tmax/%u")), -EAGAIN);
    EXPECT_EQ(PTR_ERR(kthread_run(child_once, &c, "kt_tmax_run")), -EAGAIN);
    EXPECT_EQ(total_forks(), forks);
    for (task_struct* t : ts) EXPECT_EQ(kthread_stop(t), -EINTR);
    EXPECT_EQ(c.ran.load(), 0);
    ASSERT_TRUE(wait_until([base] { return nr_threads() == base; })) << nr_threads();
  }
  Child ok;
  ok.ret = 6;
  task_struct* p = kthread_run(child_until_stop, &ok, "kt_after_tmax");
  ASSERT_FALSE(IS_ERR(p)) << PTR_ERR(p);
  wait_for_completion(&ok.started);
  EXPECT_EQ(kthread_stop(p), 6);
}

}  // namespace
