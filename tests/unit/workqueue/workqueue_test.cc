// Workqueues, from the spec (§8.1-8.5, §15.5): the work item model (PENDING ownership,
// re-queueing, non-reentrancy), queueing, flushing, draining, cancelling, disabling, delayed
// work, ordered queues, max_active, names, the system workqueues and the helpers on top.
// Concurrency management, pools, worker names, rescuers and the watchdog: workqueue_cm_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "ktl/workqueue/workqueue.h"
#include "support/kernel_test.h"

namespace ktl {
namespace {

using testing::join_for;
using testing::kJoinMs;
using testing::spawn;
using testing::stress_iterations;
using testing::task_handle;
using testing::wait_state;
using testing::wait_until;

class WorkqueueTest : public testing::KernelTest {};

// ---- helpers ------------------------------------------------------------------------------------

// A work item that counts its runs and calls an optional body. Standard layout (container_of).
struct Job {
  work_struct work;
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  std::atomic<int> cpu{-1};
  std::atomic<int> order{-1};
  std::function<void(Job*)>* body = nullptr;
};

void job_fn(work_struct* w) {
  Job* j = container_of(w, Job, work);
  j->cpu.store(smp_processor_id());
  j->started.fetch_add(1);
  if (j->body) (*j->body)(j);
  j->finished.fetch_add(1);
}

void init_job(Job* j, std::function<void(Job*)>* body = nullptr) {
  INIT_WORK(&j->work, job_fn);
  j->body = body;
}

struct DJob {
  delayed_work dw;
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  std::atomic<unsigned long> ran_at{0};  // jiffies when the function ran
  std::function<void(DJob*)>* body = nullptr;
};

void djob_fn(work_struct* w) {
  DJob* d = container_of(to_delayed_work(w), DJob, dw);
  d->ran_at.store(jiffies);
  d->started.fetch_add(1);
  if (d->body) (*d->body)(d);
  d->finished.fetch_add(1);
}

void init_djob(DJob* d, std::function<void(DJob*)>* body = nullptr) {
  INIT_DELAYED_WORK(&d->dw, djob_fn);
  d->body = body;
}

// Items wait here (TASK_UNINTERRUPTIBLE) until the test opens it.
struct Gate {
  wait_queue_head wq;
  std::atomic<bool> open{false};
  void wait() { wait_event(wq, open.load()); }
  void release() {
    open.store(true);
    wake_up_all(&wq);
  }
};

// Runs fn in a kernel task and returns its result; a hang fails the test instead of the suite.
int run_in_task(std::function<int()> fn, int cpu = -1, const char* name = "wqtest") {
  task_handle t = spawn(std::move(fn), name, cpu);
  int r = -99999;
  EXPECT_TRUE(join_for(t, kJoinMs, &r)) << "task " << name << " hung\n" << dmesg();
  return r;
}

bool flush_in_task(work_struct* w) { return run_in_task([w] { return flush_work(w) ? 1 : 0; }) == 1; }
void flush_wq_in_task(workqueue_struct* wq) {
  run_in_task([wq] {
    flush_workqueue(wq);
    return 0;
  });
}

// How printk's %ps names a code address (the symbol, or 0x... when the host cannot name it).
std::string ps_symbol(const void* fn) {
  printk(KERN_INFO "wqtest-symbol <%ps>\n", fn);
  auto recs = log_records();
  for (auto it = recs.rbegin(); it != recs.rend(); ++it) {
    auto p = it->text.find("wqtest-symbol <");
    if (p == std::string::npos) continue;
    auto s = p + std::string("wqtest-symbol <").size();
    return it->text.substr(s, it->text.find('>', s) - s);
  }
  return "?";
}

bool log_has(const std::string& s) { return dmesg().find(s) != std::string::npos; }
int log_count(const std::string& s) {
  std::string d = dmesg();
  int n = 0;
  for (auto p = d.find(s); p != std::string::npos; p = d.find(s, p + 1)) ++n;
  return n;
}

// ---- PENDING ownership --------------------------------------------------------------------------

// §8.5 queue_work_on: true when queued; false while already pending, and the item keeps its place.
TEST_P(WorkqueueTest, QueueWorkReturnsFalseWhilePendingAndKeepsPosition) {
  workqueue_struct* wq = alloc_ordered_workqueue("wqt_ordered", 0);
  ASSERT_NE(wq, nullptr);
  Gate gate;
  std::atomic<int> seq{0};
  std::function<void(Job*)> block = [&](Job*) { gate.wait(); };
  std::function<void(Job*)> rec = [&](Job* j) { j->order.store(seq.fetch_add(1)); };
  Job g, a, x, b;
  init_job(&g, &block);
  init_job(&a, &rec);
  init_job(&x, &rec);
  init_job(&b, &rec);
  EXPECT_FALSE(work_pending(&x.work)) << "a fresh item is idle";
  EXPECT_EQ(work_busy(&x.work), 0u);

  ASSERT_TRUE(queue_work(wq, &g.work));
  ASSERT_TRUE(wait_until([&] { return g.started.load() == 1; }));
  EXPECT_TRUE(queue_work(wq, &a.work));
  EXPECT_TRUE(queue_work(wq, &x.work));
  EXPECT_TRUE(queue_work(wq, &b.work));
  EXPECT_TRUE(work_pending(&x.work));
  EXPECT_FALSE(queue_work(wq, &x.work)) << "already pending";
  EXPECT_FALSE(queue_work_on(cpus() - 1, wq, &x.work)) << "already pending";
  EXPECT_EQ(run_in_task([&] { return queue_work(wq, &x.work) ? 1 : 0; }, cpus() - 1), 0)
      << "already pending, queued from a task";
  EXPECT_TRUE(work_pending(&x.work));
  EXPECT_EQ(x.started.load(), 0);

  gate.release();
  flush_wq_in_task(wq);
  EXPECT_EQ(a.order.load(), 0);
  EXPECT_EQ(x.order.load(), 1) << "a failed queue_work leaves the item where it was";
  EXPECT_EQ(b.order.load(), 2);
  EXPECT_EQ(x.started.load(), 1) << "queued once, runs once";
  EXPECT_FALSE(work_pending(&x.work));
  EXPECT_FALSE(work_pending(&a.work));

  // delayed_work_pending: the timer counts as pending.
  DJob d;
  init_djob(&d);
  EXPECT_FALSE(delayed_work_pending(&d.dw));
  EXPECT_TRUE(queue_delayed_work(wq, &d.dw, msecs_to_jiffies(1000000)));
  EXPECT_TRUE(delayed_work_pending(&d.dw));
  EXPECT_TRUE(work_pending(&d.dw.work));
  EXPECT_FALSE(queue_delayed_work(wq, &d.dw, 1)) << "already pending";
  EXPECT_FALSE(queue_delayed_work(wq, &d.dw, 0)) << "already pending";
  EXPECT_TRUE(cancel_delayed_work(&d.dw));
  EXPECT_FALSE(delayed_work_pending(&d.dw));
  EXPECT_EQ(d.started.load(), 0);
  destroy_workqueue(wq);
}

// §8.4: PENDING is cleared just before func runs; a running item may re-queue itself and runs again.
TEST_P(WorkqueueTest, RunningItemIsNotPendingAndRequeuesItself) {
  workqueue_struct* wq = alloc_workqueue("wqt_requeue", 0, 0);
  ASSERT_NE(wq, nullptr);
  std::atomic<int> pending_at_start{-1}, requeue_ret{-1}, pending_after{-1}, busy_inside{-1};
  std::function<void(Job*)> self = [&](Job* j) {
    if (j->started.load() == 1) {
      pending_at_start = work_pending(&j->work);
      busy_inside = static_cast<int>(work_busy(&j->work));
      requeue_ret = queue_work(wq, &j->work);
      pending_after = work_pending(&j->work);
    }
  };
  Job s;
  init_job(&s, &self);
  ASSERT_TRUE(queue_work(wq, &s.work));
  ASSERT_TRUE(wait_until([&] { return s.finished.load() == 2; })) << "ran " << s.started.load();
  flush_in_task(&s.work);
  EXPECT_EQ(pending_at_start.load(), 0) << "a running item is not pending";
  EXPECT_EQ(busy_inside.load(), static_cast<int>(WORK_BUSY_RUNNING));
  EXPECT_EQ(requeue_ret.load(), 1) << "re-queueing from its own function succeeds";
  EXPECT_EQ(pending_after.load(), 1);
  EXPECT_EQ(s.started.load(), 2);

  // Re-queued from outside while it runs.
  Gate gate;
  std::function<void(Job*)> block_first = [&](Job* j) {
    if (j->started.load() == 1) gate.wait();
  };
  Job y;
  init_job(&y, &block_first);
  ASSERT_TRUE(queue_work(wq, &y.work));
  ASSERT_TRUE(wait_until([&] { return y.started.load() == 1; }));
  EXPECT_FALSE(work_pending(&y.work));
  EXPECT_EQ(work_busy(&y.work), WORK_BUSY_RUNNING);
  EXPECT_TRUE(queue_work(wq, &y.work)) << "a running item can be queued again";
  EXPECT_TRUE(work_pending(&y.work));
  EXPECT_EQ(work_busy(&y.work), WORK_BUSY_RUNNING | WORK_BUSY_PENDING);
  EXPECT_FALSE(queue_work(wq, &y.work));
  gate.release();
  ASSERT_TRUE(wait_until([&] { return y.finished.load() == 2; }));
  flush_in_task(&y.work);
  EXPECT_EQ(y.started.load(), 2) << "queued twice (once while running): runs twice";
  EXPECT_EQ(work_busy(&y.work), 0u);
  destroy_workqueue(wq);
}

// §8.4 non-reentrancy: re-queued from other vCPUs while it runs, an item never runs on two workers
// at once; and every successful queue_work is exactly one execution.
void non_reentrancy_stress(workqueue_struct* wq, int cpus, bool sim) {
  std::atomic<int> inside{0}, overlap{0}, runs{0}, requeued_while_running{0}, trues{0};
  const int spin = sim ? 10 : 100;
  std::function<void(Job*)> body = [&](Job* self) {
    if (inside.fetch_add(1) != 0) overlap.fetch_add(1);
    int r = runs.fetch_add(1);
    // Run until a requeuer on another vCPU queued us again (bounded), then a little longer, so
    // that the pending instance has every chance to be picked while this one still runs.
    for (int k = 0; k < 50 * spin && !work_pending(&self->work); ++k) cpu_relax();
    if (work_pending(&self->work)) requeued_while_running.fetch_add(1);
    if (r % 8 == 0)
      usleep_range(5, 20);  // sleeping: another worker of the pool may look at the item meanwhile
    else
      for (int k = 0; k < spin; ++k) cpu_relax();
    inside.fetch_sub(1);
  };
  Job x;
  init_job(&x, &body);
  const int target = stress_iterations(500);  // executions, not attempts: attempts on a pending
                                               // item are cheap and prove nothing
  const unsigned long deadline = jiffies + msecs_to_jiffies(10000);
  std::atomic<bool> go{false};
  std::vector<task_handle> qs;
  for (int c = 0; c < cpus; ++c) {
    qs.push_back(spawn([&, c] {
      while (!go.load()) cond_resched();
      for (int i = 0; runs.load() < target && time_before(jiffies, deadline); ++i) {
        if (queue_work_on(c, wq, &x.work)) {
          trues.fetch_add(1);
          usleep_range(2, 10);  // a cooperative vCPU: let the worker of this vCPU run
        } else if (i % 64 == 0) {
          usleep_range(2, 10);  // an unbound worker may be waiting for this vCPU
        } else if (i % 4 == 0) {
          cond_resched();
        } else {
          for (int k = 0; k < spin / 2; ++k) cpu_relax();
        }
      }
      return 0;
    }, "requeuer", c));
  }
  go = true;
  for (auto& t : qs) ASSERT_TRUE(join_for(t, 120000)) << "requeuer hung";
  flush_in_task(&x.work);
  EXPECT_EQ(overlap.load(), 0) << "the item ran on two workers at once";
  EXPECT_EQ(runs.load(), trues.load()) << "each successful queue_work is one execution";
  EXPECT_GE(runs.load(), std::min(target, 50)) << "too few executions in 10 s";
  EXPECT_GT(requeued_while_running.load(), 0) << "the stress never re-queued a running item; runs "
                                              << runs.load() << " trues " << trues.load();
  EXPECT_FALSE(work_pending(&x.work));
}

TEST_P(WorkqueueTest, NonReentrantPerCpuQueue) {
  KTL_NEEDS_CPUS(2);
  workqueue_struct* wq = alloc_workqueue("wqt_reent", 0, 0);
  ASSERT_NE(wq, nullptr);
  non_reentrancy_stress(wq, cpus(), simulated());
  destroy_workqueue(wq);
}

TEST_P(WorkqueueTest, NonReentrantUnboundQueue) {
  KTL_NEEDS_CPUS(2);
  workqueue_struct* wq = alloc_workqueue("wqt_reent_u", WQ_UNBOUND, 0);
  ASSERT_NE(wq, nullptr);
  non_reentrancy_stress(wq, cpus(), simulated());
  destroy_workqueue(wq);
}

// Every queue_work that returned true is one execution, with several queuers and items at once.
TEST_P(WorkqueueTest, SuccessfulQueueingsEqualExecutions) {
  workqueue_struct* wq = alloc_workqueue("wqt_count", 0, 0);
  ASSERT_NE(wq, nullptr);
  constexpr int kItems = 4;
  Job items[kItems];
  for (auto& j : items) init_job(&j);
  std::atomic<int> trues[kItems] = {};
  const int n = stress_iterations(5000);
  std::vector<task_handle> qs;
  for (int c = 0; c < cpus(); ++c) {
    qs.push_back(spawn([&, c] {
      for (int i = 0; i < n; ++i) {
        int k = (i + c) % kItems;
        if (queue_work(wq, &items[k].work)) trues[k].fetch_add(1);
        if (i % 3 == 0) cond_resched();
      }
      return 0;
    }, "queuer", c));
  }
  for (auto& t : qs) ASSERT_TRUE(join_for(t, 120000));
  flush_wq_in_task(wq);
  for (int k = 0; k < kItems; ++k) {
    EXPECT_EQ(items[k].finished.load(), trues[k].load()) << "item " << k;
    EXPECT_GT(trues[k].load(), 0);
    EXPECT_FALSE(work_pending(&items[k].work));
  }
  destroy_workqueue(wq);
}

// ---- where and in what context items run ---------------------------------------------------------

// §8.5: queue_work_on(cpu) runs the item on that vCPU; WORK_CPU_UNBOUND on a per-CPU queue = local.
TEST_P(WorkqueueTest, QueueWorkOnRunsOnThatCpu) {
  workqueue_struct* own = alloc_workqueue("wqt_on", 0, 0);
  ASSERT_NE(own, nullptr);
  std::atomic<int> task_cpu_seen{-1};
  std::function<void(Job*)> body = [&](Job*) { task_cpu_seen = task_cpu(get_current()); };
  workqueue_struct* wqs[] = {system_wq, system_highpri_wq, system_long_wq, own};
  for (workqueue_struct* wq : wqs) {
    for (int c = 0; c < cpus(); ++c) {
      Job j;
      init_job(&j, &body);
      task_cpu_seen = -1;
      ASSERT_TRUE(queue_work_on(c, wq, &j.work));
      flush_in_task(&j.work);
      EXPECT_EQ(j.started.load(), 1);
      EXPECT_EQ(j.cpu.load(), c) << workqueue_name(wq) << " smp_processor_id";
      EXPECT_EQ(task_cpu_seen.load(), c) << workqueue_name(wq) << " task_cpu(current)";
    }
  }
  // queue_work from a task pinned to vCPU c: the local vCPU.
  for (int c = 0; c < cpus(); ++c) {
    Job j;
    init_job(&j, &body);
    int r = run_in_task([&] {
      if (!queue_work(own, &j.work)) return -1;
      return flush_work(&j.work) ? 1 : 0;
    }, c);
    EXPECT_EQ(r, 1);
    EXPECT_EQ(j.cpu.load(), c) << "per-CPU queue_work runs on the queueing vCPU";
  }
  destroy_workqueue(own);
}

// §8.5 current_work(), current_is_workqueue_rescuer(); the worker is a PF_WQ_WORKER kthread.
TEST_P(WorkqueueTest, CurrentWorkInsideTheFunction) {
  std::atomic<work_struct*> seen{nullptr};
  std::atomic<int> rescuer{-1}, flags_ok{-1}, in_task_ctx{-1};
  std::function<void(Job*)> body = [&](Job*) {
    seen = current_work();
    rescuer = current_is_workqueue_rescuer();
    unsigned f = get_current()->flags;
    flags_ok = (f & PF_WQ_WORKER) && (f & PF_KTHREAD);
    in_task_ctx = in_task();
  };
  Job j;
  init_job(&j, &body);
  ASSERT_TRUE(schedule_work(&j.work));
  flush_in_task(&j.work);
  EXPECT_EQ(seen.load(), &j.work);
  EXPECT_EQ(rescuer.load(), 0);
  EXPECT_EQ(flags_ok.load(), 1) << "workers are PF_WQ_WORKER kthreads";
  EXPECT_EQ(in_task_ctx.load(), 1) << "work runs in process context";
  EXPECT_EQ(run_in_task([] { return current_work() == nullptr ? 1 : 0; }), 1)
      << "a plain kthread has no current work";
  EXPECT_EQ(current_work(), nullptr) << "neither has the host thread";
}

// ---- flushing -------------------------------------------------------------------------------------

// §8.5 flush_work: true if it waited, false if idle; waits for the last queueing instance.
TEST_P(WorkqueueTest, FlushWorkReturnValuesAndWaitsForLastQueueing) {
  workqueue_struct* wq = alloc_workqueue("wqt_flush", 0, 0);
  ASSERT_NE(wq, nullptr);
  Job idle;
  init_job(&idle);
  EXPECT_FALSE(flush_in_task(&idle.work)) << "never queued: nothing to wait for";

  // Pending behind a blocked item of an ordered queue: flush_work waits and returns true.
  workqueue_struct* ord = alloc_ordered_workqueue("wqt_flush_ord", 0);
  ASSERT_NE(ord, nullptr);
  Gate g0;
  std::function<void(Job*)> block = [&](Job*) { g0.wait(); };
  Job g, j;
  init_job(&g, &block);
  init_job(&j);
  ASSERT_TRUE(queue_work(ord, &g.work));
  ASSERT_TRUE(wait_until([&] { return g.started.load() == 1; }));
  ASSERT_TRUE(queue_work(ord, &j.work));
  task_handle f0 = spawn([&] {
    bool waited = flush_work(&j.work);
    return (waited ? 1 : 0) + 10 * j.finished.load();
  }, "flusher0");
  ASSERT_TRUE(wait_state(f0, 'D')) << "flush_work sleeps while the item is pending";
  g0.release();
  int r0 = -1;
  ASSERT_TRUE(join_for(f0, kJoinMs, &r0));
  EXPECT_EQ(r0, 11) << "true (waited), and the item had finished";
  EXPECT_FALSE(flush_in_task(&j.work)) << "idle again";
  EXPECT_FALSE(flush_work(&j.work)) << "idle, from the host thread";
  destroy_workqueue(ord);

  // Running instance blocked + a new queueing: flush waits for the second run to finish.
  Gate gate;
  std::function<void(Job*)> body = [&](Job* self) {
    if (self->started.load() == 1) gate.wait();
  };
  Job r;
  init_job(&r, &body);
  ASSERT_TRUE(queue_work(wq, &r.work));
  ASSERT_TRUE(wait_until([&] { return r.started.load() == 1; }));
  ASSERT_TRUE(queue_work(wq, &r.work));
  std::atomic<int> finished_seen{-1};
  task_handle flusher = spawn([&] {
    bool waited = flush_work(&r.work);
    finished_seen = r.finished.load();
    return waited ? 1 : 0;
  }, "flusher");
  ASSERT_TRUE(wait_state(flusher, 'D')) << "flush_work must sleep while the item runs";
  EXPECT_EQ(r.finished.load(), 0);
  gate.release();
  int res = -1;
  ASSERT_TRUE(join_for(flusher, kJoinMs, &res));
  EXPECT_EQ(res, 1);
  EXPECT_EQ(finished_seen.load(), 2) << "flush_work waits for the last queueing instance";

  // A work whose func is NULL: WARN and false.
  work_struct nofn;
  INIT_WORK(&nofn, nullptr);
  EXPECT_FALSE(flush_in_task(&nofn));
  EXPECT_TRUE(log_has("WARNING:"));
  destroy_workqueue(wq);
}

// §8.5 flush_delayed_work: a pending timer is deleted and the item queued now, then flushed.
TEST_P(WorkqueueTest, FlushDelayedWorkRunsPendingTimerNow) {
  DJob d;
  init_djob(&d);
  EXPECT_FALSE(run_in_task([&] { return flush_delayed_work(&d.dw) ? 1 : 0; })) << "idle";
  const unsigned long far = msecs_to_jiffies(600000);
  unsigned long j0 = jiffies;
  ASSERT_TRUE(queue_delayed_work(system_wq, &d.dw, far));
  EXPECT_EQ(run_in_task([&] { return flush_delayed_work(&d.dw) ? 1 : 0; }), 1);
  EXPECT_EQ(d.finished.load(), 1) << "flush_delayed_work ran the item";
  EXPECT_TRUE(time_before(d.ran_at.load(), j0 + far)) << "it did not wait for the timer";
  EXPECT_FALSE(delayed_work_pending(&d.dw));
  EXPECT_FALSE(timer_pending(&d.dw.timer));
  // And the timer does not fire later on.
  advance(std::chrono::milliseconds(50));
  EXPECT_EQ(d.started.load(), 1);
}

// §8.5 flush_workqueue: waits for every item queued before the call; a self-requeueing item
// does not livelock it (flush colors).
TEST_P(WorkqueueTest, FlushWorkqueueWaitsForEarlierItemsAndIsNotLivelocked) {
  for (unsigned flags : {0u, WQ_UNBOUND}) {
    workqueue_struct* wq = alloc_workqueue("wqt_flushwq_%u", flags, 0, flags);
    ASSERT_NE(wq, nullptr);
    std::atomic<bool> stop{false};
    std::function<void(Job*)> again = [&](Job* self) {
      if (!stop.load()) queue_work(wq, &self->work);
    };
    Job loop;
    init_job(&loop, &again);
    std::function<void(Job*)> slow = [&](Job* self) {
      if (self->order.load() % 3 == 0) usleep_range(100, 200);
    };
    constexpr int kN = 12;
    Job items[kN];
    for (int i = 0; i < kN; ++i) {
      init_job(&items[i], &slow);
      items[i].order = i;
    }
    ASSERT_TRUE(queue_work(wq, &loop.work));
    for (int i = 0; i < kN; ++i) ASSERT_TRUE(queue_work_on(i % cpus(), wq, &items[i].work));
    std::atomic<int> done_seen{-1};
    task_handle flusher = spawn([&] {
      flush_workqueue(wq);
      int d = 0;
      for (auto& it : items) d += it.finished.load();
      done_seen = d;
      return 0;
    }, "flusher");
    EXPECT_TRUE(join_for(flusher, kJoinMs)) << "flush_workqueue livelocked by a self-requeueing item";
    EXPECT_EQ(done_seen.load(), kN) << "flush_workqueue returned before earlier items finished";
    EXPECT_GT(loop.started.load(), 0);
    stop = true;
    ASSERT_TRUE(wait_until([&] { return !work_pending(&loop.work); }));
    flush_in_task(&loop.work);
    destroy_workqueue(wq);
  }
}

// flush_scheduled_work() flushes system_wq, with the deprecation warning (§15.5).
TEST_P(WorkqueueTest, FlushScheduledWorkWarnsAndFlushes) {
  Job j;
  init_job(&j);
  ASSERT_TRUE(schedule_work(&j.work));
  run_in_task([] {
    flush_scheduled_work();
    return 0;
  });
  EXPECT_EQ(j.finished.load(), 1);
  EXPECT_TRUE(log_has("WARNING: Flushing system-wide workqueues will be prohibited in near future."))
      << dmesg();
}

// ---- draining and destroying ----------------------------------------------------------------------

// §8.5 drain_workqueue: only chained queueing (from the queue's own items) is allowed, and drain
// returns once every chain ended.
TEST_P(WorkqueueTest, DrainWorkqueueWaitsForChainedSelfQueueing) {
  workqueue_struct* wq = alloc_workqueue("wqt_drain", 0, 0);
  ASSERT_NE(wq, nullptr);
  Gate gate;
  constexpr int kChain = 20;
  std::atomic<int> chained_false{0};
  Job follower;
  init_job(&follower);
  std::function<void(Job*)> chain = [&](Job* self) {
    int n = self->started.load();
    if (n == 1) gate.wait();
    if (n < kChain) {
      if (!queue_work(wq, &self->work)) chained_false.fetch_add(1);
    } else if (!queue_work(wq, &follower.work)) {
      chained_false.fetch_add(1);
    }
  };
  Job c;
  init_job(&c, &chain);
  ASSERT_TRUE(queue_work(wq, &c.work));
  ASSERT_TRUE(wait_until([&] { return c.started.load() == 1; }));
  task_handle drainer = spawn([&] {
    drain_workqueue(wq);
    return c.finished.load() * 1000 + follower.finished.load();
  }, "drainer");
  ASSERT_TRUE(wait_until([&] { return (workqueue_flags(wq) & __WQ_DRAINING) != 0; }))
      << "drain_workqueue sets __WQ_DRAINING";
  gate.release();
  int r = -1;
  ASSERT_TRUE(join_for(drainer, kJoinMs, &r));
  EXPECT_EQ(r, kChain * 1000 + 1) << "drain returned before the chain ended";
  EXPECT_EQ(chained_false.load(), 0);
  EXPECT_FALSE(log_has("cannot queue")) << "chained queueing is allowed while draining\n" << dmesg();
  EXPECT_EQ(workqueue_flags(wq) & __WQ_DRAINING, 0u) << "draining ends with drain_workqueue";
  // Usable again.
  Job after;
  init_job(&after);
  EXPECT_TRUE(queue_work(wq, &after.work));
  flush_in_task(&after.work);
  EXPECT_EQ(after.finished.load(), 1);
  destroy_workqueue(wq);
}

// §8.5/§15.5: queueing from outside on a draining queue: "workqueue: cannot queue %ps on wq %s",
// returns true, the item is dropped and stays PENDING.
TEST_P(WorkqueueTest, QueueingOnDrainingQueueIsRefusedButReturnsTrue) {
  workqueue_struct* wq = alloc_workqueue("wqt_draining", 0, 0);
  ASSERT_NE(wq, nullptr);
  Gate gate;
  std::function<void(Job*)> block = [&](Job*) { gate.wait(); };
  Job b, x;
  init_job(&b, &block);
  init_job(&x);
  ASSERT_TRUE(queue_work(wq, &b.work));
  ASSERT_TRUE(wait_until([&] { return b.started.load() == 1; }));
  task_handle drainer = spawn([&] {
    drain_workqueue(wq);
    return 0;
  }, "drainer");
  ASSERT_TRUE(wait_until([&] { return (workqueue_flags(wq) & __WQ_DRAINING) != 0; }));
  const std::string expect = "workqueue: cannot queue " + ps_symbol(reinterpret_cast<const void*>(&job_fn)) +
                             " on wq wqt_draining";
  EXPECT_TRUE(queue_work(wq, &x.work)) << "the refused call still returns true";
  EXPECT_TRUE(work_pending(&x.work)) << "PENDING stays set";
  EXPECT_TRUE(log_has(expect)) << "expected '" << expect << "' in\n" << dmesg();
  EXPECT_TRUE(log_has("WARNING:"));
  EXPECT_FALSE(queue_work(wq, &x.work)) << "still pending";
  EXPECT_EQ(log_count("workqueue: cannot queue"), 1);
  gate.release();
  ASSERT_TRUE(join_for(drainer, kJoinMs));
  advance(std::chrono::milliseconds(20));
  EXPECT_EQ(x.started.load(), 0) << "the refused item was dropped";
  EXPECT_TRUE(work_pending(&x.work)) << "and is stuck pending";
  destroy_workqueue(wq);
}

TEST_P(WorkqueueTest, QueueingOnDestroyingQueueIsRefusedButReturnsTrue) {
  workqueue_struct* wq = alloc_workqueue("wqt_destroying", 0, 0);
  ASSERT_NE(wq, nullptr);
  Gate gate;
  std::function<void(Job*)> block = [&](Job*) { gate.wait(); };
  Job b, x;
  init_job(&b, &block);
  init_job(&x);
  ASSERT_TRUE(queue_work(wq, &b.work));
  ASSERT_TRUE(wait_until([&] { return b.started.load() == 1; }));
  task_handle destroyer = spawn([&] {
    destroy_workqueue(wq);
    return 0;
  }, "destroyer");
  ASSERT_TRUE(wait_until([&] { return (workqueue_flags(wq) & __WQ_DESTROYING) != 0; }))
      << "destroy_workqueue sets __WQ_DESTROYING";
  ASSERT_TRUE(wait_state(destroyer, 'D')) << "destroy_workqueue drains: it waits for the item";
  const std::string expect = "workqueue: cannot queue " + ps_symbol(reinterpret_cast<const void*>(&job_fn)) +
                             " on wq wqt_destroying";
  EXPECT_TRUE(queue_work(wq, &x.work));
  EXPECT_TRUE(work_pending(&x.work));
  EXPECT_TRUE(log_has(expect)) << "expected '" << expect << "' in\n" << dmesg();
  gate.release();
  ASSERT_TRUE(join_for(destroyer, kJoinMs));
  EXPECT_EQ(b.finished.load(), 1) << "destroy_workqueue waited for the running item";
  EXPECT_EQ(x.started.load(), 0);
  EXPECT_TRUE(work_pending(&x.work));
}

// §8.5 destroy_workqueue drains: every queued item (including chained ones) ran when it returns.
TEST_P(WorkqueueTest, DestroyWorkqueueRunsEverythingQueued) {
  for (unsigned flags : {0u, WQ_UNBOUND, WQ_MEM_RECLAIM, WQ_HIGHPRI}) {
    workqueue_struct* wq = alloc_workqueue("wqt_destroy", flags, 0);
    ASSERT_NE(wq, nullptr);
    constexpr int kN = 16;
    std::function<void(Job*)> slow = [&](Job* self) {
      if (self->order.load() % 4 == 0) msleep(1);
      if (self->order.load() == 0 && self->started.load() < 5) queue_work(wq, &self->work);
    };
    Job items[kN];
    for (int i = 0; i < kN; ++i) {
      init_job(&items[i], &slow);
      items[i].order = i;
      ASSERT_TRUE(queue_work_on(i % cpus(), wq, &items[i].work));
    }
    run_in_task([wq] {
      destroy_workqueue(wq);
      return 0;
    });
    for (int i = 0; i < kN; ++i) EXPECT_EQ(items[i].finished.load(), i == 0 ? 5 : 1) << i;
  }
  EXPECT_FALSE(log_has("busy pwq")) << dmesg();
  EXPECT_FALSE(log_has("cannot queue")) << dmesg();
}

// ---- cancelling and disabling ---------------------------------------------------------------------

// §8.5 cancel_work / cancel_work_sync: true iff it was pending; the cancelled item does not run;
// cancel_work_sync waits for a running instance.
TEST_P(WorkqueueTest, CancelWorkReturnValues) {
  workqueue_struct* wq = alloc_ordered_workqueue("wqt_cancel", 0);
  ASSERT_NE(wq, nullptr);
  Gate gate;
  std::function<void(Job*)> block = [&](Job* self) {
    if (self->started.load() == 1) gate.wait();
  };
  Job g, p1, p2;
  init_job(&g, &block);
  init_job(&p1);
  init_job(&p2);
  EXPECT_FALSE(cancel_work(&p1.work)) << "idle";
  EXPECT_FALSE(run_in_task([&] { return cancel_work_sync(&p1.work) ? 1 : 0; })) << "idle";
  ASSERT_TRUE(queue_work(wq, &g.work));
  ASSERT_TRUE(wait_until([&] { return g.started.load() == 1; }));
  ASSERT_TRUE(queue_work(wq, &p1.work));
  ASSERT_TRUE(queue_work(wq, &p2.work));
  EXPECT_TRUE(cancel_work(&p1.work)) << "pending";
  EXPECT_FALSE(work_pending(&p1.work));
  EXPECT_FALSE(cancel_work(&p1.work)) << "no longer pending";
  EXPECT_EQ(run_in_task([&] { return cancel_work_sync(&p2.work) ? 1 : 0; }), 1) << "pending";
  EXPECT_FALSE(work_pending(&p2.work));
  EXPECT_EQ(cancel_work(&g.work), false) << "running, not pending";

  // cancel_work_sync on the running item waits for it and returns false (it was not pending).
  std::atomic<int> finished_seen{-1};
  task_handle canceller = spawn([&] {
    bool r = cancel_work_sync(&g.work);
    finished_seen = g.finished.load();
    return r ? 1 : 0;
  }, "canceller");
  ASSERT_TRUE(wait_state(canceller, 'D')) << "cancel_work_sync waits for the running instance";
  gate.release();
  int r = -1;
  ASSERT_TRUE(join_for(canceller, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_EQ(finished_seen.load(), 1) << "returned while the item still ran";
  EXPECT_EQ(work_busy(&g.work), 0u);
  flush_wq_in_task(wq);
  advance(std::chrono::milliseconds(10));
  EXPECT_EQ(p1.started.load(), 0) << "cancelled items never run";
  EXPECT_EQ(p2.started.load(), 0);

  // Queued again after a cancel: runs normally (cancel_work_sync re-enables).
  EXPECT_TRUE(queue_work(wq, &p2.work));
  flush_in_task(&p2.work);
  EXPECT_EQ(p2.finished.load(), 1);
  destroy_workqueue(wq);
}

// §8.5 cancel_delayed_work / cancel_delayed_work_sync.
TEST_P(WorkqueueTest, CancelDelayedWorkReturnValues) {
  DJob d;
  init_djob(&d);
  EXPECT_FALSE(cancel_delayed_work(&d.dw)) << "idle";
  EXPECT_FALSE(run_in_task([&] { return cancel_delayed_work_sync(&d.dw) ? 1 : 0; })) << "idle";
  // The delay must outlast spawning the cancelling task on a loaded host (sanitizer CI on two
  // cores took longer than 12 ms); the advance then goes past the original expiry.
  const unsigned long delay = msecs_to_jiffies(200);
  ASSERT_TRUE(queue_delayed_work(system_wq, &d.dw, delay));
  EXPECT_TRUE(cancel_delayed_work(&d.dw)) << "timer pending";
  EXPECT_FALSE(delayed_work_pending(&d.dw));
  EXPECT_FALSE(timer_pending(&d.dw.timer));
  advance(std::chrono::milliseconds(250));
  EXPECT_EQ(d.started.load(), 0) << "a cancelled timer does not queue the item";

  ASSERT_TRUE(queue_delayed_work(system_wq, &d.dw, delay));
  EXPECT_EQ(run_in_task([&] { return cancel_delayed_work_sync(&d.dw) ? 1 : 0; }), 1);
  EXPECT_FALSE(delayed_work_pending(&d.dw));
  advance(std::chrono::milliseconds(250));
  EXPECT_EQ(d.started.load(), 0);

  // Running: cancel_delayed_work_sync waits and returns false.
  Gate gate;
  std::function<void(DJob*)> block = [&](DJob*) { gate.wait(); };
  DJob r;
  init_djob(&r, &block);
  ASSERT_TRUE(queue_delayed_work(system_wq, &r.dw, 1));
  ASSERT_TRUE(wait_until([&] { return r.started.load() == 1; }));
  EXPECT_FALSE(cancel_delayed_work(&r.dw)) << "running, not pending";
  std::atomic<int> finished_seen{-1};
  task_handle canceller = spawn([&] {
    bool ret = cancel_delayed_work_sync(&r.dw);
    finished_seen = r.finished.load();
    return ret ? 1 : 0;
  }, "canceller");
  ASSERT_TRUE(wait_state(canceller, 'D'));
  gate.release();
  int ret = -1;
  ASSERT_TRUE(join_for(canceller, kJoinMs, &ret));
  EXPECT_EQ(ret, 0);
  EXPECT_EQ(finished_seen.load(), 1);
  EXPECT_EQ(work_busy(&r.dw.work), 0u);
}

// §8.5: cancel_work_sync works on a self-requeueing item: it terminates and the item stays idle.
TEST_P(WorkqueueTest, CancelWorkSyncStopsSelfRequeueingItem) {
  workqueue_struct* wqs[] = {alloc_workqueue("wqt_csync", 0, 0),
                             alloc_workqueue("wqt_csync_u", WQ_UNBOUND, 0)};
  const int rounds = stress_iterations(50);
  for (workqueue_struct* wq : wqs) {
    ASSERT_NE(wq, nullptr);
    std::atomic<int> false_returns{0};
    std::function<void(Job*)> again = [&](Job* self) {
      if (self->started.load() % 5 == 0) usleep_range(10, 30);
      if (!queue_work(wq, &self->work)) false_returns.fetch_add(1);
    };
    for (int round = 0; round < rounds; ++round) {
      Job j;
      init_job(&j, &again);
      false_returns = 0;
      ASSERT_TRUE(queue_work_on(round % cpus(), wq, &j.work));
      ASSERT_TRUE(wait_until([&] { return j.started.load() >= 3; }));
      int r = run_in_task([&] { return cancel_work_sync(&j.work) ? 1 : 0; }, (round + 1) % cpus());
      ASSERT_NE(r, -99999);
      EXPECT_FALSE(work_pending(&j.work)) << "round " << round;
      EXPECT_EQ(work_busy(&j.work), 0u) << "round " << round;
      int n = j.started.load();
      EXPECT_EQ(j.finished.load(), n) << "cancel_work_sync returned while the item ran";
      advance(std::chrono::microseconds(500));
      EXPECT_EQ(j.started.load(), n) << "the item ran after cancel_work_sync returned";
      EXPECT_LE(false_returns.load(), 1)
          << "only the instance running during the cancel may see its re-queue refused";
      // The item can be used again afterwards.
      std::function<void(Job*)>* keep = j.body;
      j.body = nullptr;
      EXPECT_TRUE(queue_work(wq, &j.work)) << "enabled again after cancel_work_sync";
      flush_in_task(&j.work);
      j.body = keep;
    }
    destroy_workqueue(wq);
  }
}

// §8.5: cancel_work_sync is a temporary disable: queue_work returns false while it waits.
TEST_P(WorkqueueTest, QueueWorkFailsWhileCancelWorkSyncWaits) {
  workqueue_struct* wq = alloc_workqueue("wqt_cdisable", 0, 0);
  ASSERT_NE(wq, nullptr);
  Gate gate;
  std::atomic<int> requeue_inside{-1};
  std::function<void(Job*)> body = [&](Job* self) {
    if (self->started.load() == 1) {
      gate.wait();
      requeue_inside = queue_work(wq, &self->work);  // during cancel_work_sync: refused
    }
  };
  Job j;
  init_job(&j, &body);
  ASSERT_TRUE(queue_work(wq, &j.work));
  ASSERT_TRUE(wait_until([&] { return j.started.load() == 1; }));
  task_handle canceller = spawn([&] { return cancel_work_sync(&j.work) ? 1 : 0; }, "canceller");
  ASSERT_TRUE(wait_state(canceller, 'D'));
  EXPECT_FALSE(queue_work(wq, &j.work)) << "disabled while cancel_work_sync runs";
  EXPECT_FALSE(work_pending(&j.work));
  EXPECT_EQ(run_in_task([&] { return queue_work(wq, &j.work) ? 1 : 0; }), 0);
  gate.release();
  int r = -1;
  ASSERT_TRUE(join_for(canceller, kJoinMs, &r));
  EXPECT_EQ(r, 0) << "it was running, not pending";
  EXPECT_EQ(requeue_inside.load(), 0) << "self re-queue during cancel_work_sync is refused";
  EXPECT_EQ(j.started.load(), 1);
  EXPECT_TRUE(queue_work(wq, &j.work)) << "enabled again when cancel_work_sync returns";
  flush_in_task(&j.work);
  EXPECT_EQ(j.started.load(), 2);
  destroy_workqueue(wq);
}

// §8.5 disable_work / enable_work [6.10+]: a count; queue* returns false while disabled.
TEST_P(WorkqueueTest, DisableAndEnableWorkCount) {
  workqueue_struct* wq = alloc_ordered_workqueue("wqt_disable", 0);
  ASSERT_NE(wq, nullptr);
  Job j;
  init_job(&j);
  EXPECT_FALSE(disable_work(&j.work)) << "was not pending";
  EXPECT_FALSE(queue_work(wq, &j.work)) << "disabled";
  EXPECT_FALSE(work_pending(&j.work));
  EXPECT_FALSE(disable_work(&j.work)) << "count 2";
  EXPECT_FALSE(enable_work(&j.work)) << "count 1: still disabled";
  EXPECT_FALSE(queue_work(wq, &j.work));
  EXPECT_TRUE(enable_work(&j.work)) << "count reached 0";
  EXPECT_TRUE(queue_work(wq, &j.work));
  flush_in_task(&j.work);
  EXPECT_EQ(j.finished.load(), 1);

  // disable_work on a pending item cancels it and returns true.
  Gate gate;
  std::function<void(Job*)> block = [&](Job*) { gate.wait(); };
  Job g;
  init_job(&g, &block);
  ASSERT_TRUE(queue_work(wq, &g.work));
  ASSERT_TRUE(wait_until([&] { return g.started.load() == 1; }));
  ASSERT_TRUE(queue_work(wq, &j.work));
  EXPECT_TRUE(disable_work(&j.work)) << "was pending";
  EXPECT_FALSE(work_pending(&j.work));
  gate.release();
  flush_wq_in_task(wq);
  EXPECT_EQ(j.started.load(), 1) << "the disabled item did not run again";

  // enable_and_queue_work: queues when the count reaches 0.
  EXPECT_TRUE(enable_and_queue_work(wq, &j.work));
  flush_in_task(&j.work);
  EXPECT_EQ(j.started.load(), 2);

  // disable_work_sync waits for a running instance.
  Gate gate2;
  std::function<void(Job*)> block2 = [&](Job*) { gate2.wait(); };
  Job k;
  init_job(&k, &block2);
  ASSERT_TRUE(queue_work(wq, &k.work));
  ASSERT_TRUE(wait_until([&] { return k.started.load() == 1; }));
  std::atomic<int> seen{-1};
  task_handle t = spawn([&] {
    bool r = disable_work_sync(&k.work);
    seen = k.finished.load();
    return r ? 1 : 0;
  }, "disabler");
  ASSERT_TRUE(wait_state(t, 'D'));
  gate2.release();
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_EQ(seen.load(), 1);
  EXPECT_FALSE(queue_work(wq, &k.work)) << "stays disabled after disable_work_sync";
  EXPECT_TRUE(enable_work(&k.work));

  // Delayed versions.
  DJob d;
  init_djob(&d);
  // 200 ms: the timer must still be pending when disable runs, even on a loaded host.
  ASSERT_TRUE(queue_delayed_work(wq, &d.dw, msecs_to_jiffies(200)));
  EXPECT_TRUE(disable_delayed_work(&d.dw)) << "timer was pending";
  EXPECT_FALSE(delayed_work_pending(&d.dw));
  EXPECT_FALSE(queue_delayed_work(wq, &d.dw, 1)) << "disabled";
  EXPECT_FALSE(mod_delayed_work(wq, &d.dw, 1)) << "disabled: not queued";
  EXPECT_FALSE(delayed_work_pending(&d.dw));
  advance(std::chrono::milliseconds(250));
  EXPECT_EQ(d.started.load(), 0);
  EXPECT_TRUE(enable_delayed_work(&d.dw));
  EXPECT_TRUE(queue_delayed_work(wq, &d.dw, msecs_to_jiffies(1000000)));
  // (true or false: on an unbound queue a worker on another vCPU may finish the item before
  // flush_work looks at it.)
  EXPECT_NE(run_in_task([&] { return flush_delayed_work(&d.dw) ? 1 : 0; }), -99999);
  EXPECT_EQ(d.finished.load(), 1) << "flush_delayed_work ran the timer's item now";

  // enable_work below zero: WARN.
  EXPECT_FALSE(log_has("WARNING:")) << dmesg();
  enable_work(&j.work);
  EXPECT_TRUE(log_has("WARNING:")) << "enable_work underflow warns";
  destroy_workqueue(wq);
}

// ---- delayed work -----------------------------------------------------------------------------------

// §8.5 queue_delayed_work: never earlier than `delay` jiffies; delay 0 queues at once (no timer).
TEST_P(WorkqueueTest, QueueDelayedWorkFiresNoEarlierThanDelay) {
  workqueue_struct* wq = alloc_workqueue("wqt_delayed", 0, 0);
  ASSERT_NE(wq, nullptr);
  for (unsigned long delay : {1ul, 2ul, 5ul, 13ul}) {
    for (int c = 0; c < cpus(); ++c) {
      DJob d;
      init_djob(&d);
      unsigned long j0 = jiffies;
      ASSERT_TRUE(queue_delayed_work_on(c, wq, &d.dw, delay));
      if (delay >= 5) {
        EXPECT_TRUE(timer_pending(&d.dw.timer));
      }
      ASSERT_TRUE(wait_until([&] { return d.finished.load() == 1; })) << "delay " << delay;
      EXPECT_TRUE(time_after_eq(d.ran_at.load(), j0 + delay))
          << "ran at " << d.ran_at.load() - j0 << " jiffies, delay " << delay;
      EXPECT_FALSE(delayed_work_pending(&d.dw));
      flush_in_task(&d.dw.work);
    }
  }
  // From a task, and delay 0: immediate, no timer.
  DJob z;
  init_djob(&z);
  int r = run_in_task([&] {
    if (!queue_delayed_work(wq, &z.dw, 0)) return -1;
    if (timer_pending(&z.dw.timer)) return -2;
    return flush_work(&z.dw.work) ? 1 : 0;
  });
  EXPECT_EQ(r, 1);
  EXPECT_EQ(z.finished.load(), 1);
  destroy_workqueue(wq);
}

// §8.5 mod_delayed_work: false when idle (newly queued), true when pending (re-timed).
TEST_P(WorkqueueTest, ModDelayedWorkReturnValuesAndRetiming) {
  workqueue_struct* wq = alloc_workqueue("wqt_mod", 0, 0);
  ASSERT_NE(wq, nullptr);
  DJob d;
  init_djob(&d);
  const unsigned long far = msecs_to_jiffies(1000000);
  EXPECT_FALSE(mod_delayed_work(wq, &d.dw, far)) << "idle: newly queued";
  EXPECT_TRUE(delayed_work_pending(&d.dw));
  EXPECT_TRUE(mod_delayed_work(wq, &d.dw, far)) << "pending: re-timed";
  unsigned long j0 = jiffies;
  EXPECT_TRUE(mod_delayed_work(wq, &d.dw, 2)) << "pending: re-timed to 2 jiffies";
  ASSERT_TRUE(wait_until([&] { return d.finished.load() == 1; }, 3000)) << "not re-timed";
  EXPECT_TRUE(time_after_eq(d.ran_at.load(), j0 + 2));
  flush_in_task(&d.dw.work);

  // Delay 0: immediate.
  EXPECT_FALSE(mod_delayed_work(wq, &d.dw, 0));
  EXPECT_FALSE(timer_pending(&d.dw.timer)) << "delay 0: no timer";
  flush_in_task(&d.dw.work);
  EXPECT_EQ(d.finished.load(), 2);

  // Pending on the worklist (not the timer): true, and it runs once.
  Gate gate;
  std::function<void(DJob*)> block = [&](DJob*) { gate.wait(); };
  workqueue_struct* ord = alloc_ordered_workqueue("wqt_mod_ord", 0);
  ASSERT_NE(ord, nullptr);
  DJob g;
  init_djob(&g, &block);
  ASSERT_TRUE(queue_delayed_work(ord, &g.dw, 0));
  ASSERT_TRUE(wait_until([&] { return g.started.load() == 1; }));
  DJob q;
  init_djob(&q);
  ASSERT_TRUE(queue_delayed_work(ord, &q.dw, 0));
  EXPECT_TRUE(mod_delayed_work(ord, &q.dw, 0)) << "queued: was pending";
  EXPECT_TRUE(mod_delayed_work(ord, &q.dw, far)) << "queued: pending, now on a timer";
  EXPECT_TRUE(timer_pending(&q.dw.timer));
  gate.release();
  flush_wq_in_task(ord);
  EXPECT_EQ(q.started.load(), 0) << "moved to the timer";
  EXPECT_TRUE(cancel_delayed_work(&q.dw));
  destroy_workqueue(ord);
  destroy_workqueue(wq);
}

// ---- ordered queues and max_active --------------------------------------------------------------------

// §8.2: an ordered queue runs one item at a time in queueing order; set_max_active WARNs, ignored.
TEST_P(WorkqueueTest, OrderedWorkqueueRunsOneAtATimeInOrder) {
  workqueue_struct* wq = alloc_ordered_workqueue("wqt_strict_%d", 0, 7);
  ASSERT_NE(wq, nullptr);
  EXPECT_STREQ(workqueue_name(wq), "wqt_strict_7");
  EXPECT_TRUE(workqueue_flags(wq) & __WQ_ORDERED);
  EXPECT_TRUE(workqueue_flags(wq) & WQ_UNBOUND);
  EXPECT_EQ(workqueue_max_active(wq), 1);
  EXPECT_FALSE(log_has("WARNING:"));
  workqueue_set_max_active(wq, 8);
  EXPECT_TRUE(log_has("WARNING:")) << "set_max_active on an ordered queue WARNs";
  EXPECT_EQ(workqueue_max_active(wq), 1) << "and is ignored";

  const int rounds = stress_iterations(20);
  constexpr int kN = 24;
  for (int round = 0; round < rounds; ++round) {
    std::atomic<int> inside{0}, overlap{0}, seq{0};
    std::function<void(Job*)> body = [&](Job* self) {
      if (inside.fetch_add(1) != 0) overlap.fetch_add(1);
      self->order.store(seq.fetch_add(1));
      switch (seq.load() % 3) {
        case 0: usleep_range(5, 10); break;   // sleeping must not let the next one start
        case 1: cond_resched(); break;
        default: break;
      }
      inside.fetch_sub(1);
    };
    Job items[kN];
    for (auto& it : items) init_job(&it, &body);
    // Queued from several vCPUs, but strictly one after the other.
    for (int i = 0; i < kN; ++i) {
      int c = i % cpus();
      ASSERT_EQ(run_in_task([&, i] { return queue_work(wq, &items[i].work) ? 1 : 0; }, c), 1);
    }
    flush_wq_in_task(wq);
    EXPECT_EQ(overlap.load(), 0) << "two items of an ordered queue ran at once";
    for (int i = 0; i < kN; ++i) EXPECT_EQ(items[i].order.load(), i) << "round " << round;
  }
  destroy_workqueue(wq);
}

// §8.2/§15.5: max_active out of [1, WQ_MAX_ACTIVE] is clamped with a warning; 0 means default.
TEST_P(WorkqueueTest, MaxActiveIsClampedWithWarning) {
  workqueue_struct* big = alloc_workqueue("wqt_big", 0, 5000);
  ASSERT_NE(big, nullptr);
  EXPECT_TRUE(log_has("workqueue: max_active 5000 requested for wqt_big is out of range, clamping "
                      "between 1 and 2048"))
      << dmesg();
  EXPECT_EQ(workqueue_max_active(big), WQ_MAX_ACTIVE);
  workqueue_struct* neg = alloc_workqueue("wqt_neg", WQ_UNBOUND, -3);
  ASSERT_NE(neg, nullptr);
  EXPECT_TRUE(log_has("workqueue: max_active -3 requested for wqt_neg is out of range, clamping "
                      "between 1 and 2048"))
      << dmesg();
  EXPECT_EQ(workqueue_max_active(neg), 1);
  log_clear();
  workqueue_struct* dfl = alloc_workqueue("wqt_dfl", 0, 0);
  ASSERT_NE(dfl, nullptr);
  EXPECT_EQ(workqueue_max_active(dfl), WQ_DFL_ACTIVE) << "0 = default";
  EXPECT_FALSE(log_has("out of range"));
  workqueue_set_max_active(dfl, 16);
  EXPECT_EQ(workqueue_max_active(dfl), 16);
  workqueue_set_max_active(dfl, 100000);
  EXPECT_TRUE(log_has("workqueue: max_active 100000 requested for wqt_dfl is out of range, "
                      "clamping between 1 and 2048"))
      << dmesg();
  EXPECT_EQ(workqueue_max_active(dfl), WQ_MAX_ACTIVE);
  destroy_workqueue(big);
  destroy_workqueue(neg);
  destroy_workqueue(dfl);
}

// §8.6: max_active 1 on a per-CPU queue: one item per vCPU at a time, in order, even when it
// sleeps; the held-back items are "congested"; other vCPUs' pwqs are independent.
TEST_P(WorkqueueTest, MaxActiveOneSerialisesPerCpuQueue) {
  workqueue_struct* wq = alloc_workqueue("wqt_ma1", 0, 1);
  ASSERT_NE(wq, nullptr);
  EXPECT_EQ(workqueue_max_active(wq), 1);
  Gate gate;
  std::atomic<int> inside0{0}, overlap{0}, seq{0};
  std::function<void(Job*)> block = [&](Job*) {
    inside0.fetch_add(1);
    gate.wait();
    inside0.fetch_sub(1);
  };
  std::function<void(Job*)> sleeper = [&](Job* self) {
    if (inside0.fetch_add(1) != 0) overlap.fetch_add(1);
    self->order.store(seq.fetch_add(1));
    msleep(1);  // sleeps: without max_active the next item would start now
    inside0.fetch_sub(1);
  };
  Job g;
  init_job(&g, &block);
  ASSERT_TRUE(queue_work_on(0, wq, &g.work));
  ASSERT_TRUE(wait_until([&] { return g.started.load() == 1; }));
  constexpr int kN = 6;
  Job items[kN];
  for (int i = 0; i < kN; ++i) {
    init_job(&items[i], &sleeper);
    ASSERT_TRUE(queue_work_on(0, wq, &items[i].work));
  }
  EXPECT_TRUE(workqueue_congested(0, wq)) << "items held back by max_active";
  EXPECT_EQ(work_busy(&items[0].work), WORK_BUSY_PENDING);
  if (cpus() >= 2) {
    // vCPU 1 has its own pwq: its item runs while vCPU 0's is blocked.
    EXPECT_FALSE(workqueue_congested(1, wq));
    Job other;
    init_job(&other);
    ASSERT_TRUE(queue_work_on(1, wq, &other.work));
    EXPECT_TRUE(wait_until([&] { return other.finished.load() == 1; }))
        << "max_active is per pwq (per vCPU) on a per-CPU queue";
    flush_in_task(&other.work);
  }
  advance(std::chrono::milliseconds(5));
  for (auto& it : items) EXPECT_EQ(it.started.load(), 0) << "started beyond max_active";
  gate.release();
  flush_wq_in_task(wq);
  EXPECT_EQ(overlap.load(), 0) << "max_active 1 ran two items of vCPU 0 at once";
  for (int i = 0; i < kN; ++i) EXPECT_EQ(items[i].order.load(), i) << "activated in order";
  EXPECT_FALSE(workqueue_congested(0, wq));
  destroy_workqueue(wq);
}

// §8.2/§15.5: names longer than WQ_NAME_LEN - 1 are truncated with a warning.
TEST_P(WorkqueueTest, LongNameIsTruncatedWithWarning) {
  const std::string longname = "wqt_a_rather_long_workqueue_name_of_48_characters";
  workqueue_struct* wq = alloc_workqueue("%s", 0, 0, longname.c_str());
  ASSERT_NE(wq, nullptr);
  const std::string cut = longname.substr(0, WQ_NAME_LEN - 1);
  EXPECT_STREQ(workqueue_name(wq), cut.c_str());
  EXPECT_TRUE(log_has("workqueue: name exceeds WQ_NAME_LEN. Truncating to: " + cut)) << dmesg();
  workqueue_struct* ok = alloc_workqueue("wqt_%s_%d", 0, 0, "fmt", 3);
  ASSERT_NE(ok, nullptr);
  EXPECT_STREQ(workqueue_name(ok), "wqt_fmt_3");
  // Still a working queue.
  Job j;
  init_job(&j);
  EXPECT_TRUE(queue_work(wq, &j.work));
  flush_in_task(&j.work);
  EXPECT_EQ(j.finished.load(), 1);
  destroy_workqueue(wq);
  destroy_workqueue(ok);
}

// §8.3 the system workqueues; §8.1 WQ_BH refused for now (header); legacy creators (§8.2).
TEST_P(WorkqueueTest, SystemWorkqueuesAndCreators) {
  struct {
    workqueue_struct* wq;
    const char* name;
    unsigned must;
  } sys[] = {
      {system_wq, "events", 0},
      {system_percpu_wq, "events", 0},
      {system_highpri_wq, "events_highpri", WQ_HIGHPRI},
      {system_long_wq, "events_long", 0},
      {system_unbound_wq, "events_unbound", WQ_UNBOUND},
      {system_dfl_wq, "events_unbound", WQ_UNBOUND},
      {system_freezable_wq, "events_freezable", WQ_FREEZABLE},
      {system_power_efficient_wq, "events_power_efficient", 0},
      {system_freezable_power_efficient_wq, "events_freezable_pwr_efficient", WQ_FREEZABLE},
  };
  for (auto& s : sys) {
    ASSERT_NE(s.wq, nullptr) << s.name;
    EXPECT_STREQ(workqueue_name(s.wq), s.name);
    EXPECT_EQ(workqueue_flags(s.wq) & s.must, s.must) << s.name;
    EXPECT_EQ(workqueue_flags(s.wq) & WQ_MEM_RECLAIM, 0u) << s.name << ": no rescuers";
  }
  EXPECT_NE(system_wq, system_percpu_wq) << "separate queues with the same name";
  EXPECT_EQ(workqueue_flags(system_wq) & WQ_UNBOUND, 0u);
  EXPECT_EQ(workqueue_max_active(system_wq), WQ_DFL_ACTIVE);
  EXPECT_EQ(workqueue_max_active(system_unbound_wq), WQ_MAX_ACTIVE);

  workqueue_struct* legacy = create_workqueue("wqt_legacy");
  ASSERT_NE(legacy, nullptr);
  EXPECT_EQ(workqueue_flags(legacy) & (WQ_UNBOUND | WQ_MEM_RECLAIM), WQ_MEM_RECLAIM);
  EXPECT_EQ(workqueue_max_active(legacy), 1);
  workqueue_struct* single = create_singlethread_workqueue("wqt_single");
  ASSERT_NE(single, nullptr);
  EXPECT_TRUE(workqueue_flags(single) & __WQ_ORDERED);
  EXPECT_TRUE(workqueue_flags(single) & WQ_MEM_RECLAIM);
  EXPECT_EQ(workqueue_max_active(single), 1);
  destroy_workqueue(legacy);
  destroy_workqueue(single);

  EXPECT_FALSE(log_has("WARNING:"));
  EXPECT_EQ(alloc_workqueue("wqt_bh", WQ_BH, 0), nullptr) << "WQ_BH is refused for now";
  EXPECT_TRUE(log_has("WARNING:")) << "with a WARN";
}

// ---- introspection and helpers ------------------------------------------------------------------------

// §8.5 work_busy: PENDING (1) and RUNNING (2).
TEST_P(WorkqueueTest, WorkBusyBits) {
  workqueue_struct* wq = alloc_ordered_workqueue("wqt_busy", 0);
  ASSERT_NE(wq, nullptr);
  Gate gate;
  std::function<void(Job*)> block = [&](Job* self) {
    if (self->started.load() == 1) gate.wait();
  };
  Job g, p;
  init_job(&g, &block);
  init_job(&p);
  EXPECT_EQ(work_busy(&g.work), 0u);
  ASSERT_TRUE(queue_work(wq, &g.work));
  ASSERT_TRUE(wait_until([&] { return g.started.load() == 1; }));
  EXPECT_EQ(work_busy(&g.work), WORK_BUSY_RUNNING);
  ASSERT_TRUE(queue_work(wq, &p.work));
  EXPECT_EQ(work_busy(&p.work), WORK_BUSY_PENDING);
  ASSERT_TRUE(queue_work(wq, &g.work));
  EXPECT_EQ(work_busy(&g.work), WORK_BUSY_PENDING | WORK_BUSY_RUNNING);
  gate.release();
  flush_wq_in_task(wq);
  EXPECT_EQ(work_busy(&g.work), 0u);
  EXPECT_EQ(work_busy(&p.work), 0u);
  EXPECT_EQ(g.started.load(), 2);
  DJob d;
  init_djob(&d);
  ASSERT_TRUE(queue_delayed_work(wq, &d.dw, msecs_to_jiffies(100000)));
  EXPECT_EQ(work_busy(&d.dw.work), WORK_BUSY_PENDING) << "timer pending counts as pending";
  EXPECT_TRUE(cancel_delayed_work(&d.dw));
  EXPECT_EQ(work_busy(&d.dw.work), 0u);
  destroy_workqueue(wq);
}

// §8.5 schedule_on_each_cpu: func once on every online vCPU, then it returns 0.
std::atomic<int> g_each_cpu_runs[NR_CPUS];
std::atomic<int> g_each_cpu_wrong{0};
void each_cpu_fn(work_struct* w) {
  int c = smp_processor_id();
  g_each_cpu_runs[c].fetch_add(1);
  if (current_work() != w) g_each_cpu_wrong.fetch_add(1);
}

TEST_P(WorkqueueTest, ScheduleOnEachCpuRunsOnEveryOnlineCpu) {
  for (auto& r : g_each_cpu_runs) r = 0;
  g_each_cpu_wrong = 0;
  EXPECT_EQ(run_in_task([] { return schedule_on_each_cpu(each_cpu_fn); }), 0);
  for (int c = 0; c < cpus(); ++c) EXPECT_EQ(g_each_cpu_runs[c].load(), 1) << "cpu " << c;
  for (int c = cpus(); c < NR_CPUS; ++c) EXPECT_EQ(g_each_cpu_runs[c].load(), 0) << "cpu " << c;
  EXPECT_EQ(g_each_cpu_wrong.load(), 0);
  EXPECT_EQ(schedule_on_each_cpu(each_cpu_fn), 0) << "from the host thread";
  for (int c = 0; c < cpus(); ++c) EXPECT_EQ(g_each_cpu_runs[c].load(), 2) << "cpu " << c;
}

// §8.5 work_on_cpu: runs fn on that vCPU (in a worker) and returns its value.
long on_cpu_fn(void* arg) {
  auto* calls = static_cast<std::atomic<int>*>(arg);
  calls->fetch_add(1);
  if (!(get_current()->flags & PF_WQ_WORKER)) return -1000;
  return 100 + smp_processor_id();
}
long on_cpu_err(void*) { return -EINVAL; }

TEST_P(WorkqueueTest, WorkOnCpuReturnsValueAndRunsThere) {
  std::atomic<int> calls{0};
  for (int c = 0; c < cpus(); ++c) {
    EXPECT_EQ(run_in_task([&, c] { return static_cast<int>(work_on_cpu(c, on_cpu_fn, &calls)); },
                          cpus() - 1 - c),
              100 + c);
    EXPECT_EQ(work_on_cpu_safe(c, on_cpu_fn, &calls), 100 + c) << "from the host thread";
  }
  EXPECT_EQ(calls.load(), 2 * cpus());
  EXPECT_EQ(run_in_task([] { return static_cast<int>(work_on_cpu(0, on_cpu_err, nullptr)); }),
            -EINVAL);
}

// §8.5 execute_in_process_context: from process context fn is called now (0).
std::atomic<int> g_exec_calls{0};
std::atomic<work_struct*> g_exec_current{nullptr};
void exec_fn(work_struct*) {
  g_exec_calls.fetch_add(1);
  g_exec_current = current_work();
}

TEST_P(WorkqueueTest, ExecuteInProcessContextCallsNow) {
  g_exec_calls = 0;
  execute_work ew;
  int r = run_in_task([&] {
    int ret = execute_in_process_context(exec_fn, &ew);
    return ret * 10 + g_exec_calls.load();
  });
  EXPECT_EQ(r, 1) << "returned 0 and fn already ran";
  EXPECT_EQ(g_exec_current.load(), nullptr) << "called directly, not as a work item";
}

KTL_INSTANTIATE_MACHINES(WorkqueueTest);

}  // namespace
}  // namespace ktl
