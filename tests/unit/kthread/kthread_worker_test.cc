// kthread_worker (spec §2.6, §17.9): creation (6.14+: create does not wake, run does), naming and
// binding, the worker loop (FIFO, idle in S), queue / delayed queue / mod return values, flush
// and cancel semantics (running items, self re-queueing items, delayed items), destroy, misuse
// WARNs, from host threads, kernel tasks and timer callbacks.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "kthread/kthread_internal.h"
#include "support/kernel_test.h"

namespace {

using namespace ktl;
using ktl::testing::join;
using ktl::testing::join_for;
using ktl::testing::KernelTest;
using ktl::testing::let_run_us;
using ktl::testing::spawn;
using ktl::testing::task_handle;
using ktl::testing::wait_state;
using ktl::testing::wait_until;

constexpr int kJoinMs = 20000;

class KthreadWorkerTest : public KernelTest {};

// ---- helpers --------------------------------------------------------------------------------

// A work item that records its runs. With `gate` set, each run completes `started` and then
// waits for the gate before finishing (to hold the worker busy).
struct Item {
  kthread_work work;
  int id = 0;
  std::vector<int>* order = nullptr;  // written by the worker thread only
  completion* gate = nullptr;
  std::atomic<int> runs{0};
  std::atomic<unsigned long> ran_at{0};
  std::atomic<int> cpu{-1};
  completion started;
  completion finished;
  Item() { kthread_init_work(&work, fn); }
  explicit Item(int i, std::vector<int>* o = nullptr) : Item() {
    id = i;
    order = o;
  }
  static void fn(kthread_work* w) {
    auto* it = container_of(w, Item, work);
    EXPECT_EQ(task_state(get_current()), TASK_RUNNING) << "func runs in TASK_RUNNING";
    it->ran_at = jiffies;
    it->cpu = smp_processor_id();
    if (it->order) it->order->push_back(it->id);
    complete(&it->started);
    if (it->gate) wait_for_completion(it->gate);
    it->runs++;
    complete(&it->finished);
  }
};

struct DItem {
  kthread_delayed_work dwork;
  completion* gate = nullptr;
  std::atomic<int> runs{0};
  std::atomic<unsigned long> ran_at{0};
  completion started;
  completion finished;
  DItem() { kthread_init_delayed_work(&dwork, fn); }
  static void fn(kthread_work* w) {
    auto* it = container_of(w, DItem, dwork.work);
    it->ran_at = jiffies;
    complete(&it->started);
    if (it->gate) wait_for_completion(it->gate);
    it->runs++;
    complete(&it->finished);
  }
};

bool has_warning_in(const char* where) {
  std::string d = dmesg();
  return d.find("WARNING:") != std::string::npos && d.find(where) != std::string::npos;
}

bool on_list(kthread_worker* w, list_head* node) {
  spin_lock_irq(&w->lock);
  bool linked = !list_empty(node);
  spin_unlock_irq(&w->lock);
  return linked;
}

// Runs `body` from the test's host thread, then inside a kernel task.
template <typename F>
void from_host_and_task(F body) {
  {
    SCOPED_TRACE("host thread");
    body();
  }
  {
    SCOPED_TRACE("kernel task");
    task_handle t = spawn([&] {
      body();
      return 0;
    }, "kw_caller");
    int r = -1;
    EXPECT_TRUE(join_for(t, kJoinMs, &r));
    EXPECT_EQ(r, 0);
  }
}

kthread_worker* run_worker(const char* name = "kw_test") {
  kthread_worker* w = kthread_run_worker(0, "%s", name);
  EXPECT_FALSE(IS_ERR_OR_NULL(w)) << PTR_ERR(w);
  return IS_ERR_OR_NULL(w) ? nullptr : w;
}

// ---- initialisers ---------------------------------------------------------------------------

void noop_fn(kthread_work*) {}

DEFINE_KTHREAD_WORK(g_static_work, noop_fn);
DEFINE_KTHREAD_DELAYED_WORK(g_static_dwork, noop_fn);

TEST_P(KthreadWorkerTest, InitialisersSetUpIdleItems) {
  EXPECT_TRUE(list_empty(&g_static_work.node));
  EXPECT_EQ(g_static_work.func, &noop_fn);
  EXPECT_EQ(g_static_work.worker, nullptr);
  EXPECT_EQ(g_static_work.canceling, 0);
  EXPECT_TRUE(list_empty(&g_static_dwork.work.node));
  EXPECT_EQ(g_static_dwork.work.func, &noop_fn);
  EXPECT_EQ(g_static_dwork.timer.function, &kthread_delayed_work_timer_fn);
  EXPECT_TRUE(g_static_dwork.timer.flags & TIMER_IRQSAFE);
  EXPECT_FALSE(timer_pending(&g_static_dwork.timer));

  kthread_work w = KTHREAD_WORK_INIT(w, noop_fn);
  EXPECT_TRUE(list_empty(&w.node));
  EXPECT_EQ(w.func, &noop_fn);
  kthread_delayed_work dw = KTHREAD_DELAYED_WORK_INIT(dw, noop_fn);
  EXPECT_EQ(dw.timer.function, &kthread_delayed_work_timer_fn);
  EXPECT_TRUE(dw.timer.flags & TIMER_IRQSAFE);

  DEFINE_KTHREAD_WORKER(worker);
  EXPECT_TRUE(list_empty(&worker.work_list));
  EXPECT_TRUE(list_empty(&worker.delayed_work_list));
  EXPECT_EQ(worker.task, nullptr);
  EXPECT_EQ(worker.current_work, nullptr);
  EXPECT_EQ(worker.flags, 0u);
  kthread_worker w2 = KTHREAD_WORKER_INIT(w2);
  EXPECT_TRUE(list_empty(&w2.work_list));

  kthread_delayed_work dw2;
  kthread_init_delayed_work(&dw2, noop_fn);
  EXPECT_EQ(dw2.work.func, &noop_fn);
  EXPECT_EQ(dw2.timer.function, &kthread_delayed_work_timer_fn);
  EXPECT_TRUE(dw2.timer.flags & TIMER_IRQSAFE);
  EXPECT_FALSE(timer_pending(&dw2.timer));
  EXPECT_EQ(KTW_FREEZABLE, 1u);
}

// ---- creation, naming, state ----------------------------------------------------------------

TEST_P(KthreadWorkerTest, CreateWorkerDoesNotWake) {
  kthread_worker* w = kthread_create_worker(0, "kw_created_worker/%d", 7);
  ASSERT_FALSE(IS_ERR_OR_NULL(w));
  task_struct* p = w->task;
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(task_state_to_char(p), 'D') << "6.14+: kthread_create_worker does not wake the thread";
  EXPECT_EQ(proc_task_name(p), "kw_created_worker/7");
  EXPECT_STREQ(p->comm, "kw_created_work") << "comm truncated to 15 characters";
  EXPECT_EQ(p->real_parent, kthreadd_task);
  EXPECT_EQ(kthread_data(p), w);
  std::string out = ps("-o pid,stat,comm -p " + std::to_string(p->pid));
  EXPECT_NE(out.find("kw_created_worker/7"), std::string::npos) << out;
  EXPECT_NE(out.find(" D"), std::string::npos) << out;
  // Still not running a while later.
  let_run_us(20000);
  EXPECT_EQ(task_state_to_char(p), 'D');

  wake_up_process(p);
  task_handle h{p, nullptr};
  EXPECT_TRUE(wait_state(h, 'S')) << "woken, the idle worker sleeps interruptibly";
  EXPECT_EQ(proc_pid_wchan(p), "kthread_worker_fn");
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, IdleRunWorkerShowsSInPs) {
  kthread_worker* w = kthread_run_worker(0, "kw_run_%s_%d", "worker_name", 3);
  ASSERT_FALSE(IS_ERR_OR_NULL(w));
  task_struct* p = w->task;
  get_task_struct(p);
  task_handle h{p, nullptr};
  ASSERT_TRUE(wait_state(h, 'S'));
  EXPECT_EQ(proc_pid_wchan(p), "kthread_worker_fn");
  EXPECT_EQ(proc_task_name(p), "kw_run_worker_name_3");
  std::string out = ps("-o pid,stat,wchan,comm -p " + std::to_string(p->pid));
  EXPECT_NE(out.find("kw_run_worker_name_3"), std::string::npos) << out;
  EXPECT_NE(out.find(" S "), std::string::npos) << out;
  std::string status;
  ASSERT_EQ(proc_read("/proc/" + std::to_string(p->pid) + "/status", &status), 0);
  EXPECT_NE(status.find("State:\tS (sleeping)"), std::string::npos) << status;
  EXPECT_TRUE(p->flags & PF_NOFREEZE) << "not KTW_FREEZABLE";

  // Still idle in S after running an item.
  Item it;
  EXPECT_TRUE(kthread_queue_work(w, &it.work));
  wait_for_completion(&it.finished);
  EXPECT_TRUE(wait_state(h, 'S'));
  kthread_destroy_worker(w);
  EXPECT_TRUE(wait_until([p] { return p->exit_state.load() != 0; })) << "thread exited";
  put_task_struct(p);
}

TEST_P(KthreadWorkerTest, FreezableWorkerClearsNoFreeze) {
  kthread_worker* w = kthread_run_worker(KTW_FREEZABLE, "kw_freezable");
  ASSERT_FALSE(IS_ERR_OR_NULL(w));
  EXPECT_EQ(w->flags, KTW_FREEZABLE);
  Item it;
  kthread_queue_work(w, &it.work);
  wait_for_completion(&it.finished);
  EXPECT_FALSE(w->task->flags & PF_NOFREEZE) << "set_freezable()";
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, CreateWorkerOnCpuFormatsNameBindsAndDoesNotWake) {
  for (int cpu = 0; cpu < cpus(); ++cpu) {
    kthread_worker* w = kthread_create_worker_on_cpu(cpu, 0, "kw_cpu/%d");
    ASSERT_FALSE(IS_ERR_OR_NULL(w));
    task_struct* p = w->task;
    EXPECT_EQ(proc_task_name(p), "kw_cpu/" + std::to_string(cpu));
    EXPECT_EQ(task_state_to_char(p), 'D') << "not woken";
    EXPECT_EQ(p->cpus_mask, cpumask::of(cpu));
    EXPECT_TRUE(p->flags & PF_NO_SETAFFINITY);
    // Queueing to the idle (never woken) worker wakes it; the item runs on the bound cpu.
    Item it;
    EXPECT_TRUE(kthread_queue_work(w, &it.work));
    wait_for_completion(&it.finished);
    EXPECT_EQ(it.cpu.load(), cpu);
    kthread_destroy_worker(w);
  }
}

TEST_P(KthreadWorkerTest, RunWorkerOnCpuWakesAndRunsThere) {
  int cpu = cpus() - 1;
  kthread_worker* w = kthread_run_worker_on_cpu(cpu, 0, "kw_runcpu/%d");
  ASSERT_FALSE(IS_ERR_OR_NULL(w));
  task_handle h{w->task, nullptr};
  EXPECT_TRUE(wait_state(h, 'S'));
  EXPECT_EQ(proc_task_name(w->task), "kw_runcpu/" + std::to_string(cpu));
  EXPECT_EQ(w->task->cpus_mask, cpumask::of(cpu));
  Item it;
  kthread_queue_work(w, &it.work);
  wait_for_completion(&it.finished);
  EXPECT_EQ(it.cpu.load(), cpu);
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, CreationErrorsPropagate) {
  internal::kthreadd_fail_next_fork(-EAGAIN);
  kthread_worker* w = kthread_create_worker(0, "kw_fail");
  ASSERT_TRUE(IS_ERR(w));
  EXPECT_EQ(PTR_ERR(w), -EAGAIN);
  internal::kthreadd_fail_next_fork(-ENOMEM);
  w = kthread_run_worker(0, "kw_fail");
  ASSERT_TRUE(IS_ERR(w));
  EXPECT_EQ(PTR_ERR(w), -ENOMEM);
  internal::kthreadd_fail_next_fork(-ENOMEM);
  w = kthread_run_worker_on_cpu(0, 0, "kw_fail/%d");
  ASSERT_TRUE(IS_ERR(w));
  EXPECT_EQ(PTR_ERR(w), -ENOMEM);
  // The next one works.
  w = kthread_run_worker(0, "kw_ok");
  ASSERT_FALSE(IS_ERR_OR_NULL(w));
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, WorkerFnUnderKthreadRun) {
  DEFINE_KTHREAD_WORKER(worker);
  task_struct* p = kthread_run(kthread_worker_fn, &worker, "kw_plain_%d", 1);
  ASSERT_FALSE(IS_ERR(p));
  get_task_struct(p);
  Item a(1), b(2);
  // Before the thread recorded itself the worker has no task: queueing still links the item and
  // the thread finds it when it starts.
  EXPECT_TRUE(kthread_queue_work(&worker, &a.work));
  EXPECT_TRUE(kthread_queue_work(&worker, &b.work));
  wait_for_completion(&b.finished);
  EXPECT_EQ(a.runs.load(), 1);
  EXPECT_EQ(worker.task, p);
  EXPECT_EQ(kthread_stop_put(p), 0) << "kthread_worker_fn returns 0 once stopped";
  EXPECT_EQ(worker.task, nullptr) << "cleared on the way out";
  // Queued after the thread stopped: never runs.
  Item late;
  EXPECT_TRUE(kthread_queue_work(&worker, &late.work));
  let_run_us(10000);
  EXPECT_EQ(late.runs.load(), 0);
}

// ---- queueing -------------------------------------------------------------------------------

TEST_P(KthreadWorkerTest, RunsItemsFifo) {
  kthread_worker* w = run_worker("kw_fifo");
  ASSERT_NE(w, nullptr);
  from_host_and_task([w] {
    completion gate;
    Item blocker(0);
    blocker.gate = &gate;
    std::vector<int> order;
    std::vector<std::unique_ptr<Item>> items;
    for (int i = 1; i <= 8; ++i) items.push_back(std::make_unique<Item>(i, &order));
    EXPECT_TRUE(kthread_queue_work(w, &blocker.work));
    wait_for_completion(&blocker.started);  // the worker is busy now
    for (auto& it : items) EXPECT_TRUE(kthread_queue_work(w, &it->work));
    complete_all(&gate);
    kthread_flush_worker(w);
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8}));
    for (auto& it : items) EXPECT_EQ(it->runs.load(), 1);
  });
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, QueueReturnsFalseWhilePending) {
  kthread_worker* w = run_worker("kw_pending");
  ASSERT_NE(w, nullptr);
  from_host_and_task([w] {
    completion gate;
    Item blocker;
    blocker.gate = &gate;
    Item x;
    EXPECT_TRUE(kthread_queue_work(w, &blocker.work));
    wait_for_completion(&blocker.started);
    EXPECT_TRUE(kthread_queue_work(w, &x.work));
    EXPECT_FALSE(kthread_queue_work(w, &x.work)) << "already pending";
    EXPECT_FALSE(kthread_queue_work(w, &x.work));
    EXPECT_EQ(x.work.worker, w);
    complete_all(&gate);
    kthread_flush_work(&x.work);
    EXPECT_EQ(x.runs.load(), 1) << "queued three times while pending: runs once";
    EXPECT_TRUE(kthread_queue_work(w, &x.work)) << "idle again: can be queued";
    kthread_flush_work(&x.work);
    EXPECT_EQ(x.runs.load(), 2);
  });
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, RunningItemCanBeQueuedAgain) {
  kthread_worker* w = run_worker("kw_rerun");
  ASSERT_NE(w, nullptr);
  completion gate;
  Item x;
  x.gate = &gate;
  EXPECT_TRUE(kthread_queue_work(w, &x.work));
  wait_for_completion(&x.started);
  EXPECT_TRUE(kthread_queue_work(w, &x.work)) << "running is not pending";
  EXPECT_FALSE(kthread_queue_work(w, &x.work));
  complete_all(&gate);
  kthread_flush_worker(w);
  EXPECT_EQ(x.runs.load(), 2);
  kthread_destroy_worker(w);
}

struct SelfRequeue {
  kthread_work work;
  kthread_worker* worker = nullptr;
  int limit = 0;
  std::atomic<int> runs{0};
  std::atomic<int> requeue_ok{0};
  std::atomic<int> requeue_refused{0};
  std::atomic<bool> stop{false};
  completion reached;
  SelfRequeue() { kthread_init_work(&work, fn); }
  static void fn(kthread_work* w) {
    auto* s = container_of(w, SelfRequeue, work);
    int n = ++s->runs;
    if (s->limit && n == s->limit) complete(&s->reached);
    if (s->stop.load() || (s->limit && n >= s->limit)) return;
    if (kthread_queue_work(s->worker, &s->work))
      s->requeue_ok++;
    else
      s->requeue_refused++;
    cond_resched();
  }
};

TEST_P(KthreadWorkerTest, RequeueFromInsideFuncRunsAgain) {
  kthread_worker* w = run_worker("kw_self");
  ASSERT_NE(w, nullptr);
  SelfRequeue s;
  s.worker = w;
  s.limit = 5;
  EXPECT_TRUE(kthread_queue_work(w, &s.work));
  wait_for_completion(&s.reached);
  kthread_flush_worker(w);
  EXPECT_EQ(s.runs.load(), 5);
  EXPECT_EQ(s.requeue_ok.load(), 4) << "a running item re-queues itself successfully";
  EXPECT_EQ(s.requeue_refused.load(), 0);
  kthread_destroy_worker(w);
}

void queue_from_timer(timer_list* t);
struct TimerQueuer {
  timer_list timer;
  kthread_worker* worker = nullptr;
  Item item;
  std::atomic<int> queued{-1};
};
void queue_from_timer(timer_list* t) {
  auto* q = container_of(t, TimerQueuer, timer);
  EXPECT_TRUE(in_softirq());
  q->queued = kthread_queue_work(q->worker, &q->item.work) ? 1 : 0;
}

TEST_P(KthreadWorkerTest, QueueFromTimerCallback) {
  kthread_worker* w = run_worker("kw_timerq");
  ASSERT_NE(w, nullptr);
  TimerQueuer q;
  q.worker = w;
  timer_setup(&q.timer, queue_from_timer, 0);
  mod_timer(&q.timer, jiffies + 2);
  wait_for_completion(&q.item.finished);
  EXPECT_EQ(q.queued.load(), 1);
  EXPECT_EQ(q.item.runs.load(), 1);
  timer_delete_sync(&q.timer);
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, WorkUsedWithTwoWorkersWarns) {
  kthread_worker* w1 = run_worker("kw_one");
  kthread_worker* w2 = run_worker("kw_two");
  ASSERT_NE(w1, nullptr);
  ASSERT_NE(w2, nullptr);
  Item x;
  EXPECT_TRUE(kthread_queue_work(w1, &x.work));
  kthread_flush_work(&x.work);
  EXPECT_FALSE(has_warning_in("kthread_worker")) << dmesg();
  kthread_queue_work(w2, &x.work);
  EXPECT_TRUE(has_warning_in("kthread_worker")) << dmesg();
  kthread_flush_worker(w2);
  // Re-initialised, it may move.
  kthread_init_work(&x.work, Item::fn);
  int before = x.runs.load();
  EXPECT_TRUE(kthread_queue_work(w1, &x.work));
  kthread_flush_work(&x.work);
  EXPECT_EQ(x.runs.load(), before + 1);
  kthread_destroy_worker(w1);
  kthread_destroy_worker(w2);
}

// ---- flushing -------------------------------------------------------------------------------

TEST_P(KthreadWorkerTest, FlushWorkWaitsForRunningItem) {
  kthread_worker* w = run_worker("kw_flushw");
  ASSERT_NE(w, nullptr);
  completion gate;
  Item x;
  x.gate = &gate;
  EXPECT_TRUE(kthread_queue_work(w, &x.work));
  wait_for_completion(&x.started);
  std::atomic<bool> flushed{false};
  task_handle f = spawn([&] {
    kthread_flush_work(&x.work);
    flushed = true;
    return x.runs.load();
  }, "kw_flusher");
  EXPECT_TRUE(wait_state(f, 'D')) << "the flusher waits";
  let_run_us(5000);
  EXPECT_FALSE(flushed.load()) << "flush_work returned while the item was still running";
  complete_all(&gate);
  int r = -1;
  ASSERT_TRUE(join_for(f, kJoinMs, &r));
  EXPECT_EQ(r, 1) << "flush_work returned before the item finished";
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, FlushWorkOfIdleOrNeverQueuedItemReturns) {
  kthread_worker* w = run_worker("kw_flushidle");
  ASSERT_NE(w, nullptr);
  from_host_and_task([w] {
    Item never;
    kthread_flush_work(&never.work);  // worker == NULL: nothing to wait for
    EXPECT_EQ(never.runs.load(), 0);
    Item x;
    kthread_queue_work(w, &x.work);
    kthread_flush_work(&x.work);
    EXPECT_EQ(x.runs.load(), 1);
    kthread_flush_work(&x.work);  // idle: returns at once
    EXPECT_EQ(x.runs.load(), 1);
  });
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, FlushWorkOfPendingItemWaitsForIt) {
  kthread_worker* w = run_worker("kw_flushpend");
  ASSERT_NE(w, nullptr);
  from_host_and_task([w] {
    Item a, b, c;
    kthread_queue_work(w, &a.work);
    kthread_queue_work(w, &b.work);
    kthread_queue_work(w, &c.work);
    kthread_flush_work(&b.work);
    EXPECT_EQ(a.runs.load(), 1);
    EXPECT_EQ(b.runs.load(), 1);
    kthread_flush_work(&c.work);
    EXPECT_EQ(c.runs.load(), 1);
  });
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, FlushWorkerWaitsForEverythingQueuedBefore) {
  kthread_worker* w = run_worker("kw_flushall");
  ASSERT_NE(w, nullptr);
  completion gate;
  Item blocker;
  blocker.gate = &gate;
  Item a, b, c;
  kthread_queue_work(w, &blocker.work);
  wait_for_completion(&blocker.started);
  kthread_queue_work(w, &a.work);
  kthread_queue_work(w, &b.work);
  kthread_queue_work(w, &c.work);
  std::atomic<bool> flushed{false};
  task_handle f = spawn([&] {
    kthread_flush_worker(w);
    flushed = true;
    return blocker.runs.load() + a.runs.load() + b.runs.load() + c.runs.load();
  }, "kw_flusher");
  EXPECT_TRUE(wait_state(f, 'D'));
  let_run_us(5000);
  EXPECT_FALSE(flushed.load());
  complete_all(&gate);
  int r = -1;
  ASSERT_TRUE(join_for(f, kJoinMs, &r));
  EXPECT_EQ(r, 4) << "flush_worker returned before everything queued before it ran";
  // And on an idle worker it returns.
  kthread_flush_worker(w);
  kthread_destroy_worker(w);
}

// ---- delayed work ---------------------------------------------------------------------------

TEST_P(KthreadWorkerTest, DelayedWorkFiresAfterItsDelay) {
  kthread_worker* w = run_worker("kw_delayed");
  ASSERT_NE(w, nullptr);
  from_host_and_task([w] {
    DItem d;
    const unsigned long delay = 5;
    unsigned long j0 = jiffies;
    EXPECT_TRUE(kthread_queue_delayed_work(w, &d.dwork, delay));
    EXPECT_FALSE(kthread_queue_delayed_work(w, &d.dwork, delay)) << "timer pending";
    EXPECT_FALSE(kthread_queue_work(w, &d.dwork.work)) << "on delayed_work_list";
    EXPECT_FALSE(kthread_queue_delayed_work(w, &d.dwork, 0));
    wait_for_completion(&d.finished);
    EXPECT_TRUE(time_after_eq(d.ran_at.load(), j0 + delay))
        << "ran at " << d.ran_at.load() - j0 << " jiffies, delay " << delay;
    EXPECT_EQ(d.runs.load(), 1);
    EXPECT_FALSE(timer_pending(&d.dwork.timer));
    // Zero delay: straight to work_list, no timer.
    unsigned long j1 = jiffies;
    EXPECT_TRUE(kthread_queue_delayed_work(w, &d.dwork, 0));
    kthread_flush_work(&d.dwork.work);
    EXPECT_EQ(d.runs.load(), 2);
    EXPECT_TRUE(time_before(d.ran_at.load(), j1 + 100)) << "no delay expected";
  });
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, DelayedWorkWaitsOnDelayedList) {
  kthread_worker* w = run_worker("kw_dlist");
  ASSERT_NE(w, nullptr);
  DItem d;
  EXPECT_TRUE(kthread_queue_delayed_work(w, &d.dwork, 100 * HZ));
  EXPECT_TRUE(timer_pending(&d.dwork.timer));
  spin_lock_irq(&w->lock);
  EXPECT_FALSE(list_empty(&w->delayed_work_list));
  EXPECT_EQ(w->delayed_work_list.next, &d.dwork.work.node);
  EXPECT_TRUE(list_empty(&w->work_list));
  spin_unlock_irq(&w->lock);
  let_run_us(20000);
  EXPECT_EQ(d.runs.load(), 0);
  EXPECT_TRUE(kthread_cancel_delayed_work_sync(&d.dwork));
  spin_lock_irq(&w->lock);
  EXPECT_TRUE(list_empty(&w->delayed_work_list));
  spin_unlock_irq(&w->lock);
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, ModDelayedWorkReturnValues) {
  kthread_worker* w = run_worker("kw_mod");
  ASSERT_NE(w, nullptr);
  from_host_and_task([w] {
    DItem d;
    // Never queued: just queued; false.
    EXPECT_FALSE(kthread_mod_delayed_work(w, &d.dwork, 100 * HZ));
    EXPECT_TRUE(timer_pending(&d.dwork.timer));
    EXPECT_EQ(d.dwork.work.worker, w);
    // Pending: re-timed; true. It now fires after the short delay, not the long one.
    unsigned long j0 = jiffies;
    EXPECT_TRUE(kthread_mod_delayed_work(w, &d.dwork, 3));
    wait_for_completion(&d.finished);
    EXPECT_TRUE(time_after_eq(d.ran_at.load(), j0 + 3));
    EXPECT_TRUE(time_before(d.ran_at.load(), j0 + 100 * HZ)) << "not re-timed";
    EXPECT_EQ(d.runs.load(), 1);
    // Idle again (it ran): queued; false.
    EXPECT_FALSE(kthread_mod_delayed_work(w, &d.dwork, 100 * HZ));
    // Pending with delay 0: moved to work_list at once; true.
    EXPECT_TRUE(kthread_mod_delayed_work(w, &d.dwork, 0));
    EXPECT_FALSE(timer_pending(&d.dwork.timer));
    kthread_flush_work(&d.dwork.work);
    EXPECT_EQ(d.runs.load(), 2) << "mod counted as one queued instance";
    EXPECT_FALSE(kthread_cancel_delayed_work_sync(&d.dwork));
  });
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, ModDelayedWorkOfItemOnWorkList) {
  kthread_worker* w = run_worker("kw_modlist");
  ASSERT_NE(w, nullptr);
  completion gate;
  Item blocker;
  blocker.gate = &gate;
  DItem d;
  kthread_queue_work(w, &blocker.work);
  wait_for_completion(&blocker.started);
  EXPECT_TRUE(kthread_queue_delayed_work(w, &d.dwork, 0));  // on work_list behind the blocker
  EXPECT_TRUE(kthread_mod_delayed_work(w, &d.dwork, 100 * HZ)) << "was pending";
  EXPECT_TRUE(timer_pending(&d.dwork.timer)) << "now waits for the new delay";
  complete_all(&gate);
  kthread_flush_worker(w);
  EXPECT_EQ(d.runs.load(), 0) << "taken off work_list by mod";
  EXPECT_TRUE(kthread_cancel_delayed_work_sync(&d.dwork));
  kthread_destroy_worker(w);
}

// ---- cancelling -----------------------------------------------------------------------------

TEST_P(KthreadWorkerTest, CancelWorkSyncReturnValuesAndNoLaterRun) {
  kthread_worker* w = run_worker("kw_cancel");
  ASSERT_NE(w, nullptr);
  from_host_and_task([w] {
    Item never;
    EXPECT_FALSE(kthread_cancel_work_sync(&never.work)) << "never queued";
    completion gate;
    Item blocker;
    blocker.gate = &gate;
    Item x;
    kthread_queue_work(w, &blocker.work);
    wait_for_completion(&blocker.started);
    EXPECT_TRUE(kthread_queue_work(w, &x.work));
    EXPECT_TRUE(kthread_cancel_work_sync(&x.work)) << "was pending";
    EXPECT_FALSE(kthread_cancel_work_sync(&x.work)) << "no longer pending";
    complete_all(&gate);
    kthread_flush_worker(w);
    EXPECT_EQ(x.runs.load(), 0) << "a cancelled item must not run";
    EXPECT_TRUE(kthread_queue_work(w, &x.work)) << "queueable again after the cancel";
    kthread_flush_work(&x.work);
    EXPECT_EQ(x.runs.load(), 1);
    EXPECT_FALSE(kthread_cancel_work_sync(&x.work)) << "idle";
  });
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, CancelWorkSyncWaitsForRunningItem) {
  kthread_worker* w = run_worker("kw_cancelrun");
  ASSERT_NE(w, nullptr);
  completion gate;
  Item x;
  x.gate = &gate;
  kthread_queue_work(w, &x.work);
  wait_for_completion(&x.started);
  std::atomic<bool> done{false};
  task_handle c = spawn([&] {
    bool ret = kthread_cancel_work_sync(&x.work);
    done = true;
    return (ret ? 1 : 0) | (x.runs.load() == 1 ? 2 : 0);
  }, "kw_canceler");
  EXPECT_TRUE(wait_state(c, 'D')) << "the canceler waits for the running item";
  EXPECT_FALSE(kthread_queue_work(w, &x.work)) << "queueing is blocked while a cancel waits";
  let_run_us(5000);
  EXPECT_FALSE(done.load());
  complete_all(&gate);
  int r = -1;
  ASSERT_TRUE(join_for(c, kJoinMs, &r));
  EXPECT_EQ(r & 1, 0) << "running is not pending: cancel returns false";
  EXPECT_EQ(r & 2, 2) << "cancel_work_sync returned before the item finished";
  kthread_flush_worker(w);
  EXPECT_EQ(x.runs.load(), 1);
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, CancelWorkSyncStopsSelfRequeueingItem) {
  kthread_worker* w = run_worker("kw_cancelself");
  ASSERT_NE(w, nullptr);
  from_host_and_task([w] {
    SelfRequeue s;
    s.worker = w;
    EXPECT_TRUE(kthread_queue_work(w, &s.work));
    while (s.runs.load() < 3) msleep(1);
    bool was_pending = kthread_cancel_work_sync(&s.work);
    int after = s.runs.load();
    // Either it had re-queued itself (pending: true), or it was running and its re-queue was
    // refused because the cancel blocked it.
    EXPECT_TRUE(was_pending || s.requeue_refused.load() >= 1);
    kthread_flush_worker(w);
    msleep(10);
    EXPECT_EQ(s.runs.load(), after) << "ran after kthread_cancel_work_sync returned";
    EXPECT_FALSE(on_list(w, &s.work.node));
    s.stop = true;
    EXPECT_TRUE(kthread_queue_work(w, &s.work)) << "cancel over: queueable again";
    kthread_flush_work(&s.work);
    EXPECT_EQ(s.runs.load(), after + 1);
  });
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, CancelDelayedWorkSyncReturnValues) {
  kthread_worker* w = run_worker("kw_dcancel");
  ASSERT_NE(w, nullptr);
  from_host_and_task([w] {
    DItem never;
    EXPECT_FALSE(kthread_cancel_delayed_work_sync(&never.dwork));
    // Timer pending.
    DItem d;
    // 50 jiffies (200 ms): still pending when the cancel runs, even on a loaded host.
    EXPECT_TRUE(kthread_queue_delayed_work(w, &d.dwork, 50));
    EXPECT_TRUE(kthread_cancel_delayed_work_sync(&d.dwork)) << "timer was pending";
    EXPECT_FALSE(timer_pending(&d.dwork.timer));
    msleep(250);  // well past the delay
    kthread_flush_worker(w);
    EXPECT_EQ(d.runs.load(), 0) << "cancelled delayed item ran";
    EXPECT_FALSE(kthread_cancel_delayed_work_sync(&d.dwork));
    // After it ran: idle, false.
    EXPECT_TRUE(kthread_queue_delayed_work(w, &d.dwork, 1));
    wait_for_completion(&d.finished);
    kthread_flush_work(&d.dwork.work);
    EXPECT_EQ(d.runs.load(), 1);
    EXPECT_FALSE(kthread_cancel_delayed_work_sync(&d.dwork));
  });
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, CancelDelayedWorkSyncAfterTimerMovedItToWorkList) {
  kthread_worker* w = run_worker("kw_dcancel2");
  ASSERT_NE(w, nullptr);
  completion gate;
  Item blocker;
  blocker.gate = &gate;
  DItem d;
  kthread_queue_work(w, &blocker.work);
  wait_for_completion(&blocker.started);
  EXPECT_TRUE(kthread_queue_delayed_work(w, &d.dwork, 1));
  // The timer fires and moves the item to work_list; the busy worker cannot run it yet.
  ASSERT_TRUE(wait_until([&] {
    spin_lock_irq(&w->lock);
    bool moved = w->work_list.next == &d.dwork.work.node;
    spin_unlock_irq(&w->lock);
    return moved;
  }));
  EXPECT_FALSE(timer_pending(&d.dwork.timer));
  EXPECT_TRUE(kthread_cancel_delayed_work_sync(&d.dwork)) << "pending on work_list";
  complete_all(&gate);
  kthread_flush_worker(w);
  EXPECT_EQ(d.runs.load(), 0);
  kthread_destroy_worker(w);
}

TEST_P(KthreadWorkerTest, ModAndQueueDuringCancelOfRunningDelayedItem) {
  kthread_worker* w = run_worker("kw_modcancel");
  ASSERT_NE(w, nullptr);
  completion gate;
  DItem d;
  d.gate = &gate;
  EXPECT_TRUE(kthread_queue_delayed_work(w, &d.dwork, 0));
  wait_for_completion(&d.started);
  task_handle c = spawn([&] { return kthread_cancel_delayed_work_sync(&d.dwork) ? 1 : 0; },
                        "kw_canceler");
  EXPECT_TRUE(wait_state(c, 'D'));
  // Another canceler owns the item: mod leaves it alone and reports true; queueing fails.
  EXPECT_TRUE(kthread_mod_delayed_work(w, &d.dwork, 0));
  EXPECT_FALSE(kthread_queue_delayed_work(w, &d.dwork, 0));
  EXPECT_FALSE(kthread_queue_work(w, &d.dwork.work));
  EXPECT_FALSE(timer_pending(&d.dwork.timer));
  complete_all(&gate);
  int r = -1;
  ASSERT_TRUE(join_for(c, kJoinMs, &r));
  EXPECT_EQ(r, 0) << "was running, not pending";
  kthread_flush_worker(w);
  EXPECT_EQ(d.runs.load(), 1) << "nothing was queued during the cancel";
  kthread_destroy_worker(w);
}

// ---- destroy --------------------------------------------------------------------------------

TEST_P(KthreadWorkerTest, DestroyWorkerFlushesAndStopsThread) {
  from_host_and_task([] {
    kthread_worker* w = kthread_run_worker(0, "kw_destroy");
    if (IS_ERR_OR_NULL(w)) {
      ADD_FAILURE() << "create failed";
      return;
    }
    task_struct* p = w->task;
    get_task_struct(p);
    Item a, b, c;
    kthread_queue_work(w, &a.work);
    kthread_queue_work(w, &b.work);
    kthread_queue_work(w, &c.work);
    kthread_destroy_worker(w);
    EXPECT_EQ(a.runs.load() + b.runs.load() + c.runs.load(), 3) << "destroy flushes first";
    // kthread_stop() returns once the thread completed its exit (vfork_done); exit_state is
    // set a little later in exit_notify, PF_EXITING before: the thread is on its way out.
    EXPECT_TRUE(p->flags & PF_EXITING) << "the worker thread exited";
    put_task_struct(p);
  });
  EXPECT_FALSE(has_warning_in("kthread_destroy_worker")) << dmesg();
}

TEST_P(KthreadWorkerTest, DestroyNeverWokenWorker) {
  kthread_worker* w = kthread_create_worker(0, "kw_destroy_new");
  ASSERT_FALSE(IS_ERR_OR_NULL(w));
  task_struct* p = w->task;
  get_task_struct(p);
  kthread_destroy_worker(w);
  EXPECT_NE(p->exit_state.load(), 0u);
  put_task_struct(p);
  EXPECT_FALSE(has_warning_in("kthread_destroy_worker")) << dmesg();
}

TEST_P(KthreadWorkerTest, DestroyWarnsOnPendingDelayedWorkAndMissingTask) {
  kthread_worker* w = run_worker("kw_destroy_warn");
  ASSERT_NE(w, nullptr);
  DItem d;
  EXPECT_TRUE(kthread_queue_delayed_work(w, &d.dwork, 1000 * HZ));
  EXPECT_FALSE(has_warning_in("kthread_destroy_worker"));
  kthread_destroy_worker(w);
  EXPECT_TRUE(has_warning_in("kthread_destroy_worker")) << "delayed item left behind: WARN";
  // The item still references the freed worker: take its timer down without touching it.
  EXPECT_EQ(timer_delete_sync(&d.dwork.timer), 1);

  DEFINE_KTHREAD_WORKER(no_task);
  log_clear();
  kthread_destroy_worker(&no_task);  // WARN and return, nothing freed
  EXPECT_TRUE(has_warning_in("kthread_destroy_worker")) << "no task: WARN";
}

// ---- kernel-task user: a worker owned by a kthread ------------------------------------------

TEST_P(KthreadWorkerTest, WorkerDrivenFromKernelTask) {
  task_handle t = spawn([] {
    kthread_worker* w = kthread_run_worker(0, "kw_owned/%d", 0);
    if (IS_ERR_OR_NULL(w)) return -1;
    std::vector<int> order;
    Item a(1, &order), b(2, &order);
    DItem d;
    int bad = 0;
    if (!kthread_queue_work(w, &a.work)) bad |= 1;
    if (!kthread_queue_delayed_work(w, &d.dwork, 2)) bad |= 2;
    if (!kthread_queue_work(w, &b.work)) bad |= 4;
    kthread_flush_work(&b.work);
    if (order != std::vector<int>{1, 2}) bad |= 8;
    wait_for_completion(&d.finished);
    kthread_destroy_worker(w);
    return bad;
  }, "kw_owner");
  int r = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

}  // namespace

KTL_INSTANTIATE_MACHINES(KthreadWorkerTest);
