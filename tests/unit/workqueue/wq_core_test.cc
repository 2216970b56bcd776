// Workqueue core paths: queue/run/flush from host and tasks, non-reentrancy under cross-vCPU
// re-queueing, concurrency management, cancel of a self-requeueing item, flush colours, delayed
// items, the rescuer and the lockup watchdog. (workqueue_test.cc covers the API rule by rule.)
#include <atomic>

#include "support/kernel_test.h"

namespace ktl {
namespace {

using testing::join;
using testing::join_for;
using testing::kJoinMs;
using testing::spawn;
using testing::wait_until;

class WqCoreTest : public testing::KernelTest {};

struct counting_work {
  work_struct work;
  std::atomic<int> runs{0};
  std::atomic<int> inside{0};
  std::atomic<int> overlap{0};
  std::atomic<int> requeue{0};
  workqueue_struct* wq = nullptr;
  int last_cpu = -1;
};

void counting_fn(work_struct* w) {
  auto* c = container_of(w, counting_work, work);
  if (c->inside.fetch_add(1) != 0) c->overlap.fetch_add(1);
  c->last_cpu = smp_processor_id();
  cond_resched();
  c->inside.fetch_sub(1);
  c->runs.fetch_add(1);
  if (c->requeue.load() > 0) {
    c->requeue.fetch_sub(1);
    queue_work(c->wq, w);
  }
}

TEST_P(WqCoreTest, QueueRunsOnceAndFlushWaits) {
  counting_work c;
  INIT_WORK(&c.work, counting_fn);
  EXPECT_TRUE(queue_work(system_wq, &c.work));
  EXPECT_TRUE(flush_work(&c.work) || c.runs.load() == 1);
  EXPECT_EQ(c.runs.load(), 1);
  EXPECT_FALSE(work_pending(&c.work));
  EXPECT_FALSE(flush_work(&c.work));  // idle: nothing to wait for
  // From a task, pinned: runs on that vCPU.
  auto t = spawn([&] {
    for (int cpu = 0; cpu < cpus(); ++cpu) {
      if (!queue_work_on(cpu, system_wq, &c.work)) return 1;
      flush_work(&c.work);
      if (c.last_cpu != cpu) return 2;
    }
    return 0;
  }, "wqtest");
  EXPECT_EQ(join(t), 0);
  EXPECT_EQ(c.runs.load(), 1 + cpus());
}

TEST_P(WqCoreTest, SelfRequeueRunsAgainAndNeverOverlaps) {
  KTL_NEEDS_CPUS(2);
  counting_work c;
  INIT_WORK(&c.work, counting_fn);
  c.wq = system_wq;
  const int n = testing::stress_iterations(2000);
  std::atomic<bool> stop{false};
  std::atomic<int> queued{0};
  // Two tasks on different vCPUs hammer the same item while it re-queues itself.
  auto hammer = [&](int cpu) {
    return spawn([&, cpu] {
      while (!stop.load()) {
        if (queue_work_on(cpu, system_wq, &c.work)) queued.fetch_add(1);
        cond_resched();
      }
      return 0;
    }, "hammer", cpu);
  };
  c.requeue.store(n / 10);
  auto a = hammer(0);
  auto b = hammer(1);
  ASSERT_TRUE(wait_until([&] { return c.runs.load() >= n; }, 60000));
  stop.store(true);
  join(a);
  join(b);
  c.requeue.store(0);
  flush_work(&c.work);
  EXPECT_EQ(c.overlap.load(), 0);
}

TEST_P(WqCoreTest, FlushWorkqueueWaitsForEarlierItemsOnly) {
  workqueue_struct* wq = alloc_workqueue("wqcore", 0, 0);
  ASSERT_NE(wq, nullptr);
  constexpr int N = 16;
  counting_work c[N];
  for (auto& x : c) INIT_WORK(&x.work, counting_fn);
  auto t = spawn([&] {
    for (auto& x : c) queue_work(wq, &x.work);
    flush_workqueue(wq);
    for (auto& x : c)
      if (x.runs.load() != 1) return 1;
    return 0;
  }, "flusher");
  EXPECT_EQ(join(t), 0);
  // A self-requeueing item does not livelock the flush.
  counting_work r;
  INIT_WORK(&r.work, counting_fn);
  r.wq = wq;
  r.requeue.store(1 << 30);
  queue_work(wq, &r.work);
  flush_workqueue(wq);
  EXPECT_GE(r.runs.load(), 1);
  EXPECT_TRUE(cancel_work_sync(&r.work) || r.runs.load() >= 1);
  r.requeue.store(0);
  EXPECT_FALSE(work_pending(&r.work));
  int before = r.runs.load();
  advance(std::chrono::milliseconds(20));
  EXPECT_EQ(r.runs.load(), before);  // cancelled for good
  destroy_workqueue(wq);
}

struct sleeper_work {
  work_struct work;
  completion* gate;
  std::atomic<int>* started;
};
void sleeper_fn(work_struct* w) {
  auto* s = container_of(w, sleeper_work, work);
  s->started->fetch_add(1);
  wait_for_completion(s->gate);
}

TEST_P(WqCoreTest, SleepingItemLetsNextStartOnSameCpu) {
  workqueue_struct* wq = alloc_workqueue("cm", 0, 0);
  ASSERT_NE(wq, nullptr);
  completion gate;
  init_completion(&gate);
  std::atomic<int> started{0};
  constexpr int N = 6;
  sleeper_work s[N];
  for (auto& x : s) {
    INIT_WORK(&x.work, sleeper_fn);
    x.gate = &gate;
    x.started = &started;
  }
  for (auto& x : s) queue_work_on(0, wq, &x.work);
  // Each item blocks; concurrency management starts a worker for the next (creating workers).
  EXPECT_TRUE(wait_until([&] { return started.load() == N; }, 10000));
  complete_all(&gate);
  flush_workqueue(wq);
  destroy_workqueue(wq);
}

struct delayed_probe {
  delayed_work dw;
  std::atomic<unsigned long> ran_at{0};
};
void delayed_fn(work_struct* w) {
  auto* d = container_of(to_delayed_work(w), delayed_probe, dw);
  d->ran_at.store(jiffies);
}

TEST_P(WqCoreTest, DelayedWorkFiresAfterDelay) {
  delayed_probe d;
  INIT_DELAYED_WORK(&d.dw, delayed_fn);
  unsigned long t0 = jiffies;
  // 25 jiffies (100 ms): long enough that the second call still finds the item pending on a
  // loaded host.
  EXPECT_TRUE(queue_delayed_work(system_wq, &d.dw, 25));
  EXPECT_FALSE(queue_delayed_work(system_wq, &d.dw, 25));
  EXPECT_TRUE(delayed_work_pending(&d.dw));
  EXPECT_TRUE(wait_until([&] { return d.ran_at.load() != 0; }, 5000));
  EXPECT_GE(static_cast<long>(d.ran_at.load() - t0), 25);
  // mod_delayed_work: idle -> false, pending -> true.
  EXPECT_FALSE(mod_delayed_work(system_wq, &d.dw, 1000));
  EXPECT_TRUE(mod_delayed_work(system_wq, &d.dw, 1000));
  EXPECT_TRUE(cancel_delayed_work_sync(&d.dw));
  EXPECT_FALSE(cancel_delayed_work_sync(&d.dw));
}

void rescued_fn(work_struct* w);
struct rescue_probe {
  work_struct work;
  std::atomic<int> by_rescuer{0};
  std::atomic<int> runs{0};
};
void rescued_fn(work_struct* w) {
  auto* r = container_of(w, rescue_probe, work);
  if (current_is_workqueue_rescuer()) r->by_rescuer.fetch_add(1);
  r->runs.fetch_add(1);
}

TEST_P(WqCoreTest, RescuerRunsItemsWhenWorkersCannotBeCreated) {
  workqueue_struct* wq = alloc_workqueue("reclaim", WQ_MEM_RECLAIM, 0);
  ASSERT_NE(wq, nullptr);
  workqueue_struct* blockers = alloc_workqueue("blockers", 0, 0);
  completion gate;
  init_completion(&gate);
  std::atomic<int> started{0};
  // Occupy every idle worker of vCPU 0's pool with sleeping items, with creation failing.
  wq_inject_create_worker_failures(-1);
  constexpr int N = 4;
  sleeper_work s[N];
  for (auto& x : s) {
    INIT_WORK(&x.work, sleeper_fn);
    x.gate = &gate;
    x.started = &started;
    queue_work_on(0, blockers, &x.work);
  }
  rescue_probe r;
  INIT_WORK(&r.work, rescued_fn);
  queue_work_on(0, wq, &r.work);
  EXPECT_TRUE(wait_until([&] { return r.runs.load() == 1; }, 10000));
  EXPECT_EQ(r.by_rescuer.load(), 1);
  wq_inject_create_worker_failures(0);
  complete_all(&gate);
  flush_workqueue(blockers);
  destroy_workqueue(blockers);
  destroy_workqueue(wq);
}

// Idle management: after a burst of sleeping items the pool has many idle workers; those idle for
// IDLE_WORKER_TIMEOUT (300 s) are destroyed until the "too many" rule no longer holds, keeping at
// least 2 idle. Virtual time only: 5 minutes of wall time is no unit test.
int pool_workers(const char* prefix, int* idle) {
  int n = 0;
  *idle = 0;
  auto ts = snapshot_tasks();
  for (task_struct* t : ts) {
    std::string name = proc_task_name(t);
    if (name.rfind(prefix, 0) != 0 || t->exit_state.load()) continue;
    n++;
    if (task_state_to_char(t) == 'I') (*idle)++;
  }
  put_task_snapshot(ts);
  return n;
}

TEST_P(WqCoreTest, IdleWorkersBeyondTwoAreCulledAfter300Seconds) {
  if (!simulated()) GTEST_SKIP() << "needs 300 s: virtual time only";
  workqueue_struct* wq = alloc_workqueue("burst", 0, 0);
  ASSERT_NE(wq, nullptr);
  completion gate;
  init_completion(&gate);
  std::atomic<int> started{0};
  constexpr int N = 8;
  sleeper_work s[N];
  for (auto& x : s) {
    INIT_WORK(&x.work, sleeper_fn);
    x.gate = &gate;
    x.started = &started;
    queue_work_on(0, wq, &x.work);
  }
  ASSERT_TRUE(wait_until([&] { return started.load() == N; }, 10000));
  complete_all(&gate);
  flush_workqueue(wq);
  int idle = 0;
  ASSERT_TRUE(wait_until([&] { return pool_workers("kworker/0:", &idle) >= N && idle >= N; }))
      << pool_workers("kworker/0:", &idle) << " workers, " << idle << " idle";
  int before = pool_workers("kworker/0:", &idle);
  // kworker/0:NH belongs to the highpri pool: count the normal pool only.
  before -= pool_workers("kworker/0:0H", &idle);
  advance(std::chrono::seconds(200));
  int mid = pool_workers("kworker/0:", &idle) - pool_workers("kworker/0:0H", &idle);
  EXPECT_EQ(mid, before) << "culled before 300 s";
  advance(std::chrono::seconds(200));
  EXPECT_TRUE(wait_until([&] {
    return pool_workers("kworker/0:", &idle) - pool_workers("kworker/0:0H", &idle) == 2;
  }, 5000)) << "normal pool of vCPU 0 keeps 2 idle workers";
  destroy_workqueue(wq);
}

// An item that burns more than cpu_intensive_thresh_us without a scheduling point and then
// sleeps: the ticks it earned are accounted inside schedule(), after the sleeping hook already
// took the worker out of nr_running. Counting it out a second time (CPU_INTENSIVE) left
// nr_running at -1 and the pool never woke a worker again; later items must still run.
struct hog_then_sleep {
  work_struct work;
  std::atomic<int> runs{0};
};
void hog_then_sleep_fn(work_struct* w) {
  auto* h = container_of(w, hog_then_sleep, work);
  mdelay(25);  // > 10 ms of CPU, no cond_resched
  msleep(5);
  h->runs.fetch_add(1);
}

TEST_P(WqCoreTest, CpuHogThatSleepsDoesNotBreakConcurrencyManagement) {
  workqueue_struct* wq = alloc_workqueue("hogsleep", 0, 0);
  ASSERT_NE(wq, nullptr);
  hog_then_sleep h;
  INIT_WORK(&h.work, hog_then_sleep_fn);
  counting_work after;
  INIT_WORK(&after.work, counting_fn);
  for (int round = 0; round < 3; ++round) {
    queue_work_on(0, wq, &h.work);
    flush_work(&h.work);
    queue_work_on(0, wq, &after.work);
    ASSERT_TRUE(wait_until([&] { return after.runs.load() == round + 1; }, 5000))
        << "round " << round << ": the pool no longer starts items";
  }
  EXPECT_EQ(h.runs.load(), 3);
  destroy_workqueue(wq);
}

// workqueue.* module parameters under /sys/module/workqueue/parameters, as on Linux.
TEST_P(WqCoreTest, ModuleParametersReadAndWrite) {
  const std::string dir = "/sys/module/workqueue/parameters/";
  std::string v;
  ASSERT_EQ(proc_read(dir + "watchdog_thresh", &v), 0);
  EXPECT_EQ(v, "30\n");
  ASSERT_EQ(proc_read(dir + "cpu_intensive_thresh_us", &v), 0);
  EXPECT_EQ(v, "10000\n");
  ASSERT_EQ(proc_read(dir + "power_efficient", &v), 0);
  EXPECT_EQ(v, "N\n");
  EXPECT_EQ(proc_write(dir + "watchdog_thresh", "7\n"), 0);
  EXPECT_EQ(wq_watchdog_thresh(), 7u);
  EXPECT_EQ(proc_write(dir + "watchdog_thresh", "seven"), -EINVAL);
  EXPECT_EQ(proc_write(dir + "power_efficient", "maybe"), -EINVAL);
  EXPECT_EQ(proc_read(dir + "no_such_param", &v), -ENOENT);
  EXPECT_EQ(proc_write(dir + "watchdog_thresh", "30"), 0);
  EXPECT_EQ(wq_watchdog_thresh(), 30u);
}

KTL_INSTANTIATE_MACHINES(WqCoreTest);

}  // namespace
}  // namespace ktl
