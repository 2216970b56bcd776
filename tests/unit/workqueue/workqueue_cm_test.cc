// Workqueue pools and workers, from the spec (§8.6, §8.7, §8.9, §15.1, §15.5): concurrency
// management of bound pools, unbound and CPU-intensive items, worker names and nice levels in
// /proc and ps, rescuers (and rescue when worker creation fails), and the workqueue watchdog.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <regex>
#include <sstream>
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
using testing::wait_until;

class WorkqueueCmTest : public testing::KernelTest {};

// ---- helpers (as in workqueue_test.cc) -------------------------------------------------------------

struct Job {
  work_struct work;
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  std::atomic<int> cpu{-1};
  std::atomic<task_struct*> worker{nullptr};
  std::function<void(Job*)>* body = nullptr;
};

void job_fn(work_struct* w) {
  Job* j = container_of(w, Job, work);
  j->cpu.store(smp_processor_id());
  j->worker.store(get_current());
  j->started.fetch_add(1);
  if (j->body) (*j->body)(j);
  j->finished.fetch_add(1);
}

void init_job(Job* j, std::function<void(Job*)>* body = nullptr) {
  INIT_WORK(&j->work, job_fn);
  j->body = body;
}

struct Gate {
  wait_queue_head wq;
  std::atomic<bool> open{false};
  void wait() { wait_event(wq, open.load()); }
  void release() {
    open.store(true);
    wake_up_all(&wq);
  }
};

int run_in_task(std::function<int()> fn, int cpu = -1, const char* name = "wqtest") {
  task_handle t = spawn(std::move(fn), name, cpu);
  int r = -99999;
  EXPECT_TRUE(join_for(t, kJoinMs, &r)) << "task " << name << " hung\n" << dmesg();
  return r;
}

void flush_in_task(work_struct* w) {
  run_in_task([w] {
    flush_work(w);
    return 0;
  });
}
void flush_wq_in_task(workqueue_struct* wq) {
  run_in_task([wq] {
    flush_workqueue(wq);
    return 0;
  });
}

bool log_has(const std::string& s) { return dmesg().find(s) != std::string::npos; }

// Busy for `us` microseconds of machine time without sleeping (cond_resched lets the vCPU see
// ticks and timers; udelay costs virtual time in the simulation). Returns early when stop() holds.
void busy_for_us(u64 us, const std::function<bool()>& stop = {}) {
  const u64 t0 = local_clock();
  while (local_clock() - t0 < us * 1000) {
    if (stop && stop()) return;
    udelay(10);
    cond_resched();
  }
}

// Idle in the sense of ps: state letter I and off the runqueue.
bool is_idle_worker(const task_struct* p) {
  return task_state_to_char(p) == 'I' &&
         !(p->state_word.load(std::memory_order_acquire) & task_struct::kOnRqBit);
}

struct TaskInfo {
  task_struct* task;
  std::string name;
};
// Live tasks whose /proc name matches re (references dropped: only for names, pids, letters).
std::vector<TaskInfo> tasks_named(const std::regex& re) {
  std::vector<TaskInfo> out;
  std::vector<task_struct*> ts = snapshot_tasks();
  for (task_struct* p : ts) {
    std::string n = proc_task_name(p);
    if (std::regex_match(n, re)) out.push_back({p, n});
  }
  put_task_snapshot(ts);
  return out;
}

// "STAT COMMAND" of one pid as ps prints it, e.g. "I< [kworker/0:0H-events_highpri]".
std::string ps_stat_args(pid_t pid) {
  std::string out = ps("-o stat,args -p " + std::to_string(pid));
  std::istringstream in(out);
  std::string header, line;
  std::getline(in, header);
  std::getline(in, line);
  std::istringstream l(line);
  std::string stat, args;
  l >> stat >> args;
  return stat + " " + args;
}

// ---- concurrency management (§8.6) ---------------------------------------------------------------------

// A sleeping item on a bound pool lets the next item of that vCPU start on another worker.
TEST_P(WorkqueueCmTest, SleepingItemLetsNextItemStart) {
  workqueue_struct* wq = alloc_workqueue("wqt_cm_sleep", 0, 0);
  ASSERT_NE(wq, nullptr);
  const int rounds = stress_iterations(10);
  for (int round = 0; round < rounds; ++round) {
    const int c = round % cpus();
    std::atomic<bool> a_done{false}, b_saw_a_done{true};
    wait_queue_head wqh;
    std::atomic<bool> b_started{false};
    std::atomic<long> a_wait{-1};
    std::function<void(Job*)> a_body = [&](Job*) {
      if (round % 2 == 0) {
        msleep(20);  // sleeps: the pool wakes another worker for the next item
      } else {
        a_wait = wait_event_timeout(wqh, b_started.load(), msecs_to_jiffies(2000));
      }
      a_done = true;
    };
    std::function<void(Job*)> b_body = [&](Job*) {
      b_saw_a_done = a_done.load();
      b_started = true;
      wake_up(&wqh);
    };
    Job a, b;
    init_job(&a, &a_body);
    init_job(&b, &b_body);
    ASSERT_TRUE(queue_work_on(c, wq, &a.work));
    ASSERT_TRUE(queue_work_on(c, wq, &b.work));
    flush_wq_in_task(wq);
    EXPECT_FALSE(b_saw_a_done.load()) << "round " << round << ": B waited for the sleeping A";
    if (round % 2 == 1) {
      EXPECT_GT(a_wait.load(), 0) << "A's wait for B timed out";
    }
    EXPECT_EQ(a.cpu.load(), c);
    EXPECT_EQ(b.cpu.load(), c);
    EXPECT_NE(a.worker.load(), b.worker.load()) << "B ran on another worker of the pool";
  }
  destroy_workqueue(wq);
}

// A CPU-bound item (< 10 ms, never sleeping; cond_resched does not count as sleeping) keeps the
// next item of its vCPU from starting until it finishes.
TEST_P(WorkqueueCmTest, BusyItemDelaysNextItemUntilItFinishes) {
  workqueue_struct* wq = alloc_workqueue("wqt_cm_busy", 0, 0);
  ASSERT_NE(wq, nullptr);
  const int rounds = stress_iterations(10);
  for (int round = 0; round < rounds; ++round) {
    const int c = round % cpus();
    std::atomic<bool> a_done{false}, b_started{false}, b_saw_a_done{false};
    std::atomic<int> b_started_during_a{-1};
    Job b;
    std::function<void(Job*)> b_body = [&](Job*) {
      b_saw_a_done = a_done.load();
      b_started = true;
    };
    init_job(&b, &b_body);
    std::function<void(Job*)> a_body = [&](Job*) {
      queue_work_on(smp_processor_id(), wq, &b.work);  // behind A, same pool
      busy_for_us(2000);                                 // 2 ms: well under the 10 ms threshold
      b_started_during_a = b_started.load();
      a_done = true;
    };
    Job a;
    init_job(&a, &a_body);
    ASSERT_TRUE(queue_work_on(c, wq, &a.work));
    flush_wq_in_task(wq);
    EXPECT_EQ(b_started_during_a.load(), 0)
        << "round " << round << ": a non-sleeping item let the next one start";
    EXPECT_TRUE(b_saw_a_done.load());
    EXPECT_EQ(b.finished.load(), 1);
    EXPECT_EQ(b.cpu.load(), c);
  }
  destroy_workqueue(wq);
}

// WQ_CPU_INTENSIVE items do not take part in concurrency management: the next one starts while a
// busy one runs (on one vCPU, when it calls cond_resched).
TEST_P(WorkqueueCmTest, CpuIntensiveQueueDoesNotBlockNextItem) {
  workqueue_struct* wq = alloc_workqueue("wqt_cm_intensive", WQ_CPU_INTENSIVE, 0);
  ASSERT_NE(wq, nullptr);
  std::atomic<bool> b_started{false};
  std::atomic<int> saw{-1};
  Job b;
  std::function<void(Job*)> b_body = [&](Job*) { b_started = true; };
  init_job(&b, &b_body);
  std::function<void(Job*)> a_body = [&](Job*) {
    queue_work_on(smp_processor_id(), wq, &b.work);
    busy_for_us(2000000, [&] { return b_started.load(); });
    saw = b_started.load();
  };
  Job a;
  init_job(&a, &a_body);
  ASSERT_TRUE(queue_work_on(0, wq, &a.work));
  flush_wq_in_task(wq);
  EXPECT_EQ(saw.load(), 1) << "a WQ_CPU_INTENSIVE item held back the next one";
  destroy_workqueue(wq);
}

// An item that stays on the CPU for more than workqueue.cpu_intensive_thresh_us (10 ms) is marked
// CPU intensive and the next item of its vCPU starts.
TEST_P(WorkqueueCmTest, LongCpuBoundItemIsMarkedIntensive) {
  workqueue_struct* wq = alloc_workqueue("wqt_cm_hog", 0, 0);
  ASSERT_NE(wq, nullptr);
  std::atomic<bool> b_started{false};
  std::atomic<int> saw{-1};
  std::atomic<u64> ran_us{0};
  Job b;
  std::function<void(Job*)> b_body = [&](Job*) { b_started = true; };
  init_job(&b, &b_body);
  std::function<void(Job*)> a_body = [&](Job*) {
    queue_work_on(smp_processor_id(), wq, &b.work);
    u64 t0 = local_clock();
    busy_for_us(3000000, [&] { return b_started.load(); });
    ran_us = (local_clock() - t0) / 1000;
    saw = b_started.load();
  };
  Job a;
  init_job(&a, &a_body);
  ASSERT_TRUE(queue_work_on(0, wq, &a.work));
  flush_wq_in_task(wq);
  EXPECT_EQ(saw.load(), 1) << "a CPU hog was never marked CPU intensive";
  EXPECT_GE(ran_us.load(), 9000u) << "marked CPU intensive before ~10 ms of CPU";
  destroy_workqueue(wq);
}

// Unbound pools are not concurrency managed: items run concurrently even when none sleeps.
TEST_P(WorkqueueCmTest, UnboundQueueRunsItemsConcurrently) {
  workqueue_struct* wq = alloc_workqueue("wqt_unb", WQ_UNBOUND, 0);
  ASSERT_NE(wq, nullptr);
  // A busy (non-sleeping) item does not hold back the next one. (The CPU-intensive threshold is
  // raised so that only the absence of concurrency management can let B start.)
  {
    struct Restore {
      ~Restore() { wq_set_cpu_intensive_thresh_us(10000); }
    } restore;
    wq_set_cpu_intensive_thresh_us(3600ull * 1000000);
    std::atomic<bool> b_started{false};
    std::atomic<int> saw{-1};
    Job b;
    std::function<void(Job*)> b_body = [&](Job*) { b_started = true; };
    init_job(&b, &b_body);
    std::function<void(Job*)> a_body = [&](Job*) {
      queue_work(wq, &b.work);
      busy_for_us(2000000, [&] { return b_started.load(); });
      saw = b_started.load();
    };
    Job a;
    init_job(&a, &a_body);
    ASSERT_TRUE(queue_work(wq, &a.work));
    flush_wq_in_task(wq);
    EXPECT_EQ(saw.load(), 1) << "an unbound item waited for a busy one";
  }
  // Eight items that each wait until all eight have started: more than the vCPUs at once.
  {
    constexpr int kN = 8;
    std::atomic<int> started{0};
    std::atomic<int> saw_all{0};
    wait_queue_head wqh;
    std::function<void(Job*)> body = [&](Job*) {
      started.fetch_add(1);
      wake_up_all(&wqh);
      if (wait_event_timeout(wqh, started.load() == kN, msecs_to_jiffies(3000)) > 0)
        saw_all.fetch_add(1);
    };
    Job items[kN];
    for (auto& it : items) {
      init_job(&it, &body);
      ASSERT_TRUE(queue_work(wq, &it.work));
    }
    flush_wq_in_task(wq);
    EXPECT_EQ(saw_all.load(), kN) << "unbound items did not all run at once";
  }
  destroy_workqueue(wq);
}

// ---- workers, names and ps (§8.7, §15.1) ---------------------------------------------------------------

// After boot every vCPU has kworker/N:0 (nice 0) and kworker/N:0H (nice -20), idle in I / I<.
TEST_P(WorkqueueCmTest, BootCreatesWorkersForEveryCpu) {
  for (int c = 0; c < cpus(); ++c) {
    const std::string base = "kworker/" + std::to_string(c) + ":0";
    for (bool hi : {false, true}) {
      const std::regex re(base + (hi ? "H" : "") + "([+-].*)?");
      std::vector<TaskInfo> found;
      ASSERT_TRUE(wait_until([&] {
        found = tasks_named(re);
        return found.size() == 1 && is_idle_worker(found[0].task);
      })) << base << (hi ? "H" : "") << " missing or not idle\n" << ps("-eo pid,stat,ni,psr,args");
      task_struct* p = found[0].task;
      EXPECT_TRUE(p->flags & PF_WQ_WORKER);
      EXPECT_TRUE(p->flags & PF_KTHREAD);
      EXPECT_EQ(task_nice(p), hi ? -20 : 0) << found[0].name;
      EXPECT_EQ(task_cpu(p), c) << found[0].name;
      std::string sa = ps_stat_args(p->pid);
      EXPECT_EQ(sa.substr(0, sa.find(' ')), hi ? "I<" : "I") << sa;
      EXPECT_EQ(sa.substr(sa.find(' ') + 1), "[" + found[0].name + "]") << sa;
      std::string comm;
      ASSERT_EQ(proc_read("/proc/" + std::to_string(p->pid) + "/comm", &comm), 0);
      EXPECT_EQ(comm, found[0].name + "\n");
      std::string status;
      ASSERT_EQ(proc_read("/proc/" + std::to_string(p->pid) + "/status", &status), 0);
      EXPECT_NE(status.find("Name:\t" + found[0].name + "\n"), std::string::npos) << status;
      EXPECT_NE(status.find("State:\tI (idle)"), std::string::npos) << status;
      EXPECT_EQ(std::string(p->comm).rfind("kworker/", 0), 0u) << "comm is the base id: " << p->comm;
    }
  }
  EXPECT_TRUE(tasks_named(std::regex("kworker/" + std::to_string(cpus()) + ":.*")).empty())
      << "no workers for vCPUs that do not exist";
}

// While a worker runs an item of system_wq its name is kworker/N:M+events; afterwards -events,
// and it goes back to I.
TEST_P(WorkqueueCmTest, WorkerNameShowsPlusWhileRunningMinusAfter) {
  for (int c = 0; c < cpus(); ++c) {
    Gate gate;
    std::string inside;
    std::function<void(Job*)> body = [&](Job*) {
      inside = proc_task_name(get_current());
      gate.wait();
    };
    Job j;
    init_job(&j, &body);
    ASSERT_TRUE(schedule_work_on(c, &j.work));
    ASSERT_TRUE(wait_until([&] { return j.started.load() == 1; }));
    task_struct* w = j.worker.load();
    get_task_struct(w);
    const std::string id = "kworker/" + std::to_string(c) + ":";
    const std::regex running(id + "[0-9]+\\+events");
    ASSERT_TRUE(wait_until([&] { return task_state_to_char(w) == 'D'; }));
    std::string name = proc_task_name(w);
    EXPECT_TRUE(std::regex_match(name, running)) << name;
    std::string sa = ps_stat_args(w->pid);
    EXPECT_EQ(sa, "D [" + name + "]") << "ps shows the worker blocked in the item";
    std::string comm;
    ASSERT_EQ(proc_read("/proc/" + std::to_string(w->pid) + "/comm", &comm), 0);
    EXPECT_EQ(comm, name + "\n");
    gate.release();
    flush_in_task(&j.work);
    EXPECT_TRUE(std::regex_match(inside, running)) << "inside the item: " << inside;
    ASSERT_TRUE(wait_until([&] { return is_idle_worker(w); })) << "worker did not go idle (I)";
    std::string after = proc_task_name(w);
    const std::string base = name.substr(0, name.find('+'));
    EXPECT_EQ(after, base + "-events") << "the last wq served stays, with '-'";
    EXPECT_EQ(ps_stat_args(w->pid), "I [" + after + "]");
    put_task_struct(w);
  }
}

// Highpri workers: nice -20, kworker/N:MH; unbound workers kworker/uP:M; names carry the wq.
TEST_P(WorkqueueCmTest, HighpriAndUnboundWorkerNamesAndNice) {
  workqueue_struct* hp = alloc_workqueue("wqt_hp", WQ_HIGHPRI, 0);
  workqueue_struct* ub = alloc_workqueue("wqt_ub", WQ_UNBOUND, 0);
  ASSERT_NE(hp, nullptr);
  ASSERT_NE(ub, nullptr);
  std::string name;
  std::atomic<int> nice{99};
  std::function<void(Job*)> body = [&](Job*) {
    name = proc_task_name(get_current());
    nice = task_nice(get_current());
  };
  for (int c = 0; c < cpus(); ++c) {
    struct {
      workqueue_struct* wq;
      const char* desc;
      bool hi;
    } cases[] = {{system_highpri_wq, "events_highpri", true},
                 {hp, "wqt_hp", true},
                 {system_wq, "events", false},
                 {system_long_wq, "events_long", false}};
    for (auto& k : cases) {
      Job j;
      init_job(&j, &body);
      ASSERT_TRUE(queue_work_on(c, k.wq, &j.work));
      flush_in_task(&j.work);
      ASSERT_EQ(j.finished.load(), 1);
      const std::regex re("kworker/" + std::to_string(c) + ":[0-9]+" + (k.hi ? "H" : "") + "\\+" +
                          k.desc);
      EXPECT_TRUE(std::regex_match(name, re)) << name;
      EXPECT_EQ(nice.load(), k.hi ? -20 : 0) << name;
      EXPECT_EQ(j.cpu.load(), c);
    }
  }
  Job u;
  init_job(&u, &body);
  ASSERT_TRUE(queue_work(ub, &u.work));
  flush_in_task(&u.work);
  EXPECT_TRUE(std::regex_match(name, std::regex("kworker/u[0-9]+:[0-9]+\\+wqt_ub"))) << name;
  EXPECT_EQ(nice.load(), 0);
  destroy_workqueue(hp);
  destroy_workqueue(ub);
}

// set_worker_desc() replaces the description shown after '+' / '-'.
TEST_P(WorkqueueCmTest, SetWorkerDescChangesTheName) {
  workqueue_struct* wq = alloc_workqueue("wqt_desc", 0, 0);
  ASSERT_NE(wq, nullptr);
  Gate gate;
  std::string inside;
  std::function<void(Job*)> body = [&](Job*) {
    set_worker_desc("wqt-dev-%d", 7);
    inside = proc_task_name(get_current());
    gate.wait();
  };
  Job j;
  init_job(&j, &body);
  const int c = cpus() - 1;
  ASSERT_TRUE(queue_work_on(c, wq, &j.work));
  ASSERT_TRUE(wait_until([&] { return j.started.load() == 1; }));
  task_struct* w = j.worker.load();
  get_task_struct(w);
  ASSERT_TRUE(wait_until([&] { return task_state_to_char(w) == 'D'; }));
  const std::regex running("kworker/" + std::to_string(c) + ":[0-9]+\\+wqt-dev-7");
  EXPECT_TRUE(std::regex_match(proc_task_name(w), running)) << proc_task_name(w);
  std::string sa = ps_stat_args(w->pid);
  EXPECT_TRUE(std::regex_match(sa, std::regex("D \\[kworker/[0-9]+:[0-9]+\\+wqt-dev-7\\]"))) << sa;
  gate.release();
  // No flush_work here: its barrier is itself an item of wqt_desc and would set desc back to the
  // queue's name on the same worker.
  ASSERT_TRUE(wait_until([&] { return j.finished.load() == 1 && is_idle_worker(w); }));
  EXPECT_TRUE(std::regex_match(inside, running)) << inside;
  EXPECT_TRUE(std::regex_match(proc_task_name(w),
                               std::regex("kworker/" + std::to_string(c) + ":[0-9]+-wqt-dev-7")))
      << proc_task_name(w);
  put_task_struct(w);
  destroy_workqueue(wq);
}

// ---- rescuers (§8.6) ----------------------------------------------------------------------------------

// A WQ_MEM_RECLAIM queue has a rescuer kworker/R-<name>: nice -20, idle (I<), gone after destroy.
TEST_P(WorkqueueCmTest, MemReclaimQueueHasRescuer) {
  EXPECT_TRUE(tasks_named(std::regex("kworker/R-events.*")).empty())
      << "system workqueues have no rescuer";
  workqueue_struct* wq = alloc_workqueue("wqt_reclaim", WQ_MEM_RECLAIM, 0);
  ASSERT_NE(wq, nullptr);
  workqueue_struct* plain = alloc_workqueue("wqt_noreclaim", 0, 0);
  ASSERT_NE(plain, nullptr);
  const std::regex re("kworker/R-wqt_reclaim");
  std::vector<TaskInfo> found;
  ASSERT_TRUE(wait_until([&] {
    found = tasks_named(re);
    return found.size() == 1 && is_idle_worker(found[0].task);
  })) << ps("-eo pid,stat,ni,args");
  task_struct* r = found[0].task;
  EXPECT_EQ(task_nice(r), -20);
  EXPECT_TRUE(r->flags & PF_WQ_WORKER);
  EXPECT_EQ(ps_stat_args(r->pid), "I< [kworker/R-wqt_reclaim]");
  EXPECT_TRUE(tasks_named(std::regex("kworker/R-wqt_noreclaim.*")).empty());
  // It does not take ordinary work: items run on pool workers. (When a pool must first create a
  // spare worker and that takes longer than MAYDAY_INITIAL_TIMEOUT — a slow host, TSan — the
  // rescuer is summoned, correctly; so first let vCPU 0's pool have two idle workers, then the
  // item starts without a manager round.)
  Job warm;
  init_job(&warm);
  ASSERT_TRUE(queue_work_on(0, plain, &warm.work));
  flush_in_task(&warm.work);
  ASSERT_TRUE(wait_until([&] {
    int idle = 0;
    for (const TaskInfo& t : tasks_named(std::regex("kworker/0:[0-9]+(-.*)?")))
      idle += is_idle_worker(t.task);
    return idle >= 2;
  })) << ps("-eo pid,stat,ni,args");
  std::atomic<int> rescuer{-1};
  std::function<void(Job*)> body = [&](Job*) { rescuer = current_is_workqueue_rescuer(); };
  Job j;
  init_job(&j, &body);
  ASSERT_TRUE(queue_work_on(0, wq, &j.work));
  flush_in_task(&j.work);
  EXPECT_EQ(rescuer.load(), 0);
  destroy_workqueue(wq);
  destroy_workqueue(plain);
  EXPECT_TRUE(wait_until([&] { return tasks_named(re).empty(); })) << "rescuer stopped by destroy";
}

// When no worker can be created, the rescuer of a WQ_MEM_RECLAIM queue runs its items on the
// distressed pool (mayday after 10 ms).
TEST_P(WorkqueueCmTest, RescuerRunsItemsWhenWorkerCreationFails) {
  struct Reset {
    ~Reset() { wq_inject_create_worker_failures(0); }
  } reset;
  workqueue_struct* wq = alloc_workqueue("wqt_rescue", WQ_MEM_RECLAIM, 0);
  ASSERT_NE(wq, nullptr);
  Gate gate;
  std::atomic<int> rescued{0}, rescued_wrong_cpu{0}, rescued_bad_name{0}, blocked{0};
  std::function<void(Job*)> body = [&](Job*) {
    if (current_is_workqueue_rescuer()) {
      rescued.fetch_add(1);
      if (smp_processor_id() != 0) rescued_wrong_cpu.fetch_add(1);
      // While it rescues, ps shows the queue after a '+' (wq_worker_comm).
      if (proc_task_name(get_current()) != "kworker/R-wqt_rescue+wqt_rescue")
        rescued_bad_name.fetch_add(1);
      return;
    }
    blocked.fetch_add(1);
    gate.wait();  // sleeps: the pool needs another worker for the next item
  };
  // Let the boot-time workers settle first, then make every creation fail.
  advance(std::chrono::milliseconds(10));
  wq_inject_create_worker_failures(-1);
  constexpr int kN = 24;
  Job items[kN];
  for (auto& it : items) {
    init_job(&it, &body);
    ASSERT_TRUE(queue_work_on(0, wq, &it.work));
  }
  EXPECT_TRUE(wait_until([&] { return rescued.load() > 0; }, 10000))
      << "the rescuer never ran an item; blocked=" << blocked.load() << "\n"
      << ps("-eo pid,stat,psr,wchan,args");
  EXPECT_EQ(rescued_wrong_cpu.load(), 0) << "the rescuer runs items on the pool's vCPU";
  EXPECT_EQ(rescued_bad_name.load(), 0);
  // (A pool whose only idle worker must first create a spare cannot start any item itself, so
  // blocked may be 0: the rescuer then runs them all.)
  wq_inject_create_worker_failures(0);
  gate.release();
  flush_wq_in_task(wq);
  int total = 0;
  for (auto& it : items) total += it.finished.load();
  EXPECT_EQ(total, kN);
  EXPECT_EQ(rescued.load() + blocked.load(), kN);
  // Back to idle the rescuer is detached from the pool, so ps shows no "-wqt_rescue" suffix
  // (pool workers keep theirs).
  std::vector<TaskInfo> found;
  EXPECT_TRUE(wait_until([&] {
    found = tasks_named(std::regex("kworker/R-wqt_rescue.*"));
    return found.size() == 1 && is_idle_worker(found[0].task) &&
           ps_stat_args(found[0].task->pid) == "I< [kworker/R-wqt_rescue]";
  })) << ps("-eo pid,stat,ni,args");
  destroy_workqueue(wq);
}

// ---- watchdog (§8.9, §15.5) ----------------------------------------------------------------------------

// An item that keeps its bound pool busy without sleeping, with another item pending behind it,
// for longer than workqueue.watchdog_thresh: "BUG: workqueue lockup - pool cpus=0 ... stuck for Ns!".
// (The CPU-intensive threshold is raised so the hog is not exempted from concurrency management;
// it calls cond_resched so the cooperative vCPU still handles ticks and timers.)
TEST_P(WorkqueueCmTest, WatchdogReportsStalledPool) {
  struct Restore {
    ~Restore() {
      wq_watchdog_set_thresh(30);
      wq_set_cpu_intensive_thresh_us(10000);
    }
  } restore;
  EXPECT_EQ(wq_watchdog_thresh(), 30ul) << "default workqueue.watchdog_thresh";
  wq_set_cpu_intensive_thresh_us(3600ull * 1000000);
  wq_watchdog_set_thresh(1);
  EXPECT_EQ(wq_watchdog_thresh(), 1ul);
  workqueue_struct* wq = alloc_workqueue("wqt_wd", 0, 0);
  ASSERT_NE(wq, nullptr);
  std::atomic<bool> stop{false};
  std::function<void(Job*)> hog = [&](Job*) {
    busy_for_us(30ull * 1000000, [&] { return stop.load(); });
  };
  Job a, b;
  init_job(&a, &hog);
  init_job(&b);
  ASSERT_TRUE(queue_work_on(0, wq, &a.work));
  ASSERT_TRUE(wait_until([&] { return a.started.load() == 1; }));
  ASSERT_TRUE(queue_work_on(0, wq, &b.work));
  bool found = false;
  for (int i = 0; i < 100 && !found; ++i) {  // up to 10 s of machine time
    advance(std::chrono::milliseconds(100));
    found = log_has("BUG: workqueue lockup - pool cpus=0");
  }
  EXPECT_EQ(b.started.load(), 0) << "the pool was not stalled";
  stop = true;
  flush_wq_in_task(wq);
  EXPECT_EQ(b.finished.load(), 1);
  ASSERT_TRUE(found) << dmesg();
  std::string d = dmesg();
  EXPECT_TRUE(std::regex_search(
      d, std::regex("BUG: workqueue lockup - pool cpus=0( node=[0-9]+)? flags=0x[0-9a-f]+ "
                    "nice=0 stuck for [0-9]+s!")))
      << d;
  EXPECT_NE(d.find("Showing busy workqueues and worker pools:"), std::string::npos) << d;
  EXPECT_NE(d.find("workqueue wqt_wd: flags="), std::string::npos) << d;
  destroy_workqueue(wq);
}

KTL_INSTANTIATE_MACHINES(WorkqueueCmTest);

}  // namespace
}  // namespace ktl
