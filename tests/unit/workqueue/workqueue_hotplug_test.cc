// Workqueues and CPU hotplug, from the spec (§8.6 "CPU hotplug (bound pools)"): the
// CPUHP_AP_WORKQUEUE_ONLINE callbacks workqueue_offline_cpu() (unbind_workers) and
// workqueue_online_cpu() (rebind_workers), called directly from a kthread bound to the vCPU, as the
// cpuhp/N thread calls them. The vCPU itself stays online: what is checked is what the callbacks
// change. After offline(N) the per-CPU pools of N are served by the same kworker/N:M threads, now
// allowed on every CPU but N and outside concurrency management; items queued for N keep running
// (elsewhere). After online(N) the workers are bound to N again and counted again.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "ktl/workqueue/workqueue.h"
#include "support/kernel_test.h"
#include "workqueue/workqueue_internal.h"

namespace ktl {
namespace {

using testing::join_for;
using testing::kJoinMs;
using testing::spawn;
using testing::task_handle;
using testing::wait_until;

class WorkqueueHotplugTest : public testing::KernelTest {};

constexpr int kCpu = 1;  // the vCPU whose pools are unbound and rebound

// ---- helpers ---------------------------------------------------------------------------------------

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

int run_in_task(std::function<int()> fn, int cpu = -1, const char* name = "wqhptest") {
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

// A WARN*() splat in the log.
bool warned(const std::string& log) { return log.find("WARNING: CPU:") != std::string::npos; }

void flush_wq_in_task(workqueue_struct* wq) {
  run_in_task([wq] {
    flush_workqueue(wq);
    return 0;
  });
}

// Busy for up to `us` microseconds of machine time without sleeping (cond_resched lets the vCPU see
// ticks and wake-ups; udelay costs virtual time in the simulation); returns early when stop() holds.
void busy_for_us(u64 us, const std::function<bool()>& stop = {}) {
  const u64 t0 = local_clock();
  while (local_clock() - t0 < us * 1000) {
    if (stop && stop()) return;
    udelay(10);
    cond_resched();
  }
}

// One CPUHP_AP_WORKQUEUE_ONLINE callback, run as the cpuhp thread runs it: by a kthread created
// with kthread_create_on_cpu() on `on_cpu`.
struct HotplugCall {
  bool offline = true;
  unsigned cpu = 0;
  std::atomic<int> ret{-999};
  std::atomic<int> ran_on{-1};
  completion done;
};

int hotplug_fn(void* arg) {
  auto* c = static_cast<HotplugCall*>(arg);
  c->ran_on = smp_processor_id();
  c->ret = c->offline ? internal::workqueue_offline_cpu(c->cpu)
                      : internal::workqueue_online_cpu(c->cpu);
  complete(&c->done);
  return 0;
}

int call_hotplug(bool offline, int cpu, int on_cpu) {
  HotplugCall c;
  c.offline = offline;
  c.cpu = static_cast<unsigned>(cpu);
  task_struct* p = kthread_create_on_cpu(hotplug_fn, &c, static_cast<unsigned>(on_cpu),
                                         offline ? "wqhp_down/%u" : "wqhp_up/%u");
  EXPECT_FALSE(IS_ERR(p));
  if (IS_ERR(p)) return -1000;
  get_task_struct(p);
  wake_up_process(p);
  bool ok = wait_for_completion_timeout(&c.done, msecs_to_jiffies(kJoinMs)) != 0;
  EXPECT_TRUE(ok) << (offline ? "workqueue_offline_cpu" : "workqueue_online_cpu") << " hung\n"
                  << dmesg();
  if (!ok) return -1001;  // leaks the thread: the test fails anyway
  EXPECT_EQ(c.ran_on.load(), on_cpu);
  kthread_stop_put(p);
  return c.ret.load();
}
int wq_offline(int cpu) { return call_hotplug(true, cpu, cpu); }
int wq_online(int cpu) { return call_hotplug(false, cpu, cpu); }

// The affinity an unbound kworker/N:M has: every vCPU but N.
cpumask all_but(int cpu, int nr) {
  cpumask m = cpumask::first_n(nr);
  m.clear(cpu);
  return m;
}

struct WorkerInfo {
  pid_t pid;
  std::string name;
  cpumask mask;
  bool per_cpu;
};

// p->flags belongs to p (a worker sets PF_WQ_WORKER itself when it starts): read from outside
// it is a racy snapshot, as /proc's is.
KTL_DATA_RACY bool is_wq_worker(const task_struct* p) { return p->flags & PF_WQ_WORKER; }

// The kworkers of vCPU cpu's two pools ("kworker/1:0", "kworker/1:1H-events_highpri", ...).
std::vector<WorkerInfo> cpu_workers(int cpu) {
  const std::regex re("kworker/" + std::to_string(cpu) + ":[0-9]+H?([+-].*)?");
  std::vector<WorkerInfo> out;
  std::vector<task_struct*> ts = snapshot_tasks();
  for (task_struct* p : ts) {
    if (!is_wq_worker(p)) continue;
    std::string n = proc_task_name(p);
    if (!std::regex_match(n, re)) continue;
    cpumask m;
    for (int i = 0; i < NR_CPUS / 64; ++i)
      m.bits[i] = __atomic_load_n(&p->cpus_mask.bits[i], __ATOMIC_RELAXED);
    out.push_back({p->pid, n, m, kthread_is_per_cpu(p)});
  }
  put_task_snapshot(ts);
  return out;
}

// Every kworker of the vCPU's pools has exactly this affinity (and is per-CPU or not).
::testing::AssertionResult workers_have(int cpu, const cpumask& mask, bool per_cpu) {
  std::vector<WorkerInfo> ws = cpu_workers(cpu);
  if (ws.size() < 2) return ::testing::AssertionFailure() << "only " << ws.size() << " kworkers";
  for (const WorkerInfo& w : ws) {
    if (!(w.mask == mask))
      return ::testing::AssertionFailure()
             << w.name << " (pid " << w.pid << ") allowed on "
             << cpumask_to_list(w.mask, nr_cpu_ids()) << ", expected "
             << cpumask_to_list(mask, nr_cpu_ids());
    if (w.per_cpu != per_cpu)
      return ::testing::AssertionFailure() << w.name << " per-CPU " << w.per_cpu;
  }
  return ::testing::AssertionSuccess();
}

// All kworkers of the vCPU asleep in their idle loop (I, off the runqueue): a wake-up from now on
// places them according to their current affinity.
bool workers_idle(int cpu) {
  bool all = true;
  std::vector<task_struct*> ts = snapshot_tasks();
  for (task_struct* p : ts) {
    if (!is_wq_worker(p)) continue;
    std::string n = proc_task_name(p);
    if (n.rfind("kworker/" + std::to_string(cpu) + ":", 0) != 0) continue;
    if (task_state_to_char(p) != 'I' ||
        (p->state_word.load(std::memory_order_acquire) & task_struct::kOnRqBit))
      all = false;
  }
  put_task_snapshot(ts);
  return all;
}

std::string proc_status_field(pid_t pid, const std::string& field) {
  std::string s;
  if (proc_read("/proc/" + std::to_string(pid) + "/status", &s) != 0) return "?";
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":\t", 0) == 0) return line.substr(field.size() + 2);
  return "?";
}

// The busy item A queues B for kCpu (its own pool) and spins (without sleeping, CPU-intensive
// detection off) until B started or `us` passed. Returns whether B started while A ran.
struct BusyPair {
  std::atomic<bool> b_started{false};
  std::atomic<bool> a_queued_b{false};
  std::atomic<int> saw{-1};
  Job a, b;
  std::function<void(Job*)> a_body, b_body;
  BusyPair(workqueue_struct* wq, u64 us) {
    b_body = [this](Job*) { b_started = true; };
    a_body = [this, wq, us](Job*) {
      queue_work_on(kCpu, wq, &b.work);
      a_queued_b = true;
      busy_for_us(us, [this] { return b_started.load(); });
      saw = b_started.load();
    };
    init_job(&a, &a_body);
    init_job(&b, &b_body);
  }
};

// ---- offline ------------------------------------------------------------------------------------

// §8.6: the kworkers keep their kworker/N:M names, lose their binding to N (every CPU but N, no
// longer per-CPU kthreads; /proc shows the new Cpus_allowed_list) and items queued for N run on
// another vCPU, from queue_work_on(N) and from a task running on N alike.
TEST_P(WorkqueueHotplugTest, OfflineUnbindsWorkersAndItemsForTheCpuRunElsewhere) {
  KTL_NEEDS_CPUS(2);
  ASSERT_TRUE(workers_have(kCpu, cpumask::of(kCpu), true));
  std::vector<WorkerInfo> before = cpu_workers(kCpu);

  ASSERT_EQ(wq_offline(kCpu), 0);
  const cpumask unbound = all_but(kCpu, cpus());
  EXPECT_TRUE(workers_have(kCpu, unbound, false));
  for (const WorkerInfo& w : before) {
    std::string name = proc_status_field(w.pid, "Name");
    EXPECT_EQ(name.rfind("kworker/" + std::to_string(kCpu) + ":", 0), 0u) << name;
    EXPECT_EQ(proc_status_field(w.pid, "Cpus_allowed_list"), cpumask_to_list(unbound, cpus()));
  }
  ASSERT_TRUE(wait_until([] { return workers_idle(kCpu); })) << "kworkers of the vCPU stay busy";

  for (workqueue_struct* wq : {system_wq, system_highpri_wq}) {
    Job j;
    init_job(&j);
    ASSERT_TRUE(queue_work_on(kCpu, wq, &j.work));
    ASSERT_TRUE(wait_until([&] { return j.finished.load() == 1; })) << workqueue_name(wq);
    EXPECT_NE(j.cpu.load(), kCpu) << workqueue_name(wq) << ": ran on the unbound CPU";
    std::string who = proc_task_name(j.worker.load());
    EXPECT_EQ(who.rfind("kworker/" + std::to_string(kCpu) + ":", 0), 0u)
        << "served by a worker of the vCPU's pool, got " << who;
    flush_in_task(&j.work);  // j is idle before it goes away
  }

  // queue_work() from a task on the vCPU goes to that vCPU's pool, which runs it elsewhere.
  Job local;
  init_job(&local);
  EXPECT_EQ(run_in_task([&] { return queue_work(system_wq, &local.work) ? smp_processor_id() : -1; },
                        kCpu),
            kCpu);
  ASSERT_TRUE(wait_until([&] { return local.finished.load() == 1; }));
  EXPECT_NE(local.cpu.load(), kCpu);
  EXPECT_EQ(proc_task_name(local.worker.load()).rfind("kworker/" + std::to_string(kCpu) + ":", 0),
            0u);
  flush_in_task(&local.work);
  EXPECT_FALSE(warned(log())) << log();
  // The kernel powers off with the pools still unbound.
}

// §8.6: without concurrency management a non-sleeping item no longer holds back the next item of
// its pool (CPU-intensive detection off, so only UNBOUND can let B start while A spins).
TEST_P(WorkqueueHotplugTest, OfflinePoolIsNotConcurrencyManaged) {
  KTL_NEEDS_CPUS(2);
  wq_set_cpu_intensive_thresh_us(0);
  workqueue_struct* wq = alloc_workqueue("wqt_hp_cm", 0, 0);
  ASSERT_NE(wq, nullptr);
  ASSERT_EQ(wq_offline(kCpu), 0);
  ASSERT_TRUE(wait_until([] { return workers_idle(kCpu); }));
  BusyPair p(wq, 2000000);
  ASSERT_TRUE(queue_work_on(kCpu, wq, &p.a.work));
  flush_wq_in_task(wq);
  EXPECT_EQ(p.saw.load(), 1) << "B waited for the spinning A on an unbound pool";
  EXPECT_NE(p.a.cpu.load(), kCpu);
  EXPECT_NE(p.b.cpu.load(), kCpu);
  EXPECT_NE(p.a.worker.load(), p.b.worker.load());
  destroy_workqueue(wq);
}

// §8.6 "pool kicked": an item held back by concurrency management behind a spinning item on the
// vCPU starts as soon as the pool is unbound, on another vCPU, while the first still spins.
TEST_P(WorkqueueHotplugTest, OfflineKicksItemsHeldBackByConcurrencyManagement) {
  KTL_NEEDS_CPUS(2);
  wq_set_cpu_intensive_thresh_us(0);
  workqueue_struct* wq = alloc_workqueue("wqt_hp_kick", 0, 0);
  ASSERT_NE(wq, nullptr);
  BusyPair p(wq, 5000000);
  ASSERT_TRUE(queue_work_on(kCpu, wq, &p.a.work));
  ASSERT_TRUE(wait_until([&] { return p.a_queued_b.load(); }));
  EXPECT_EQ(p.b.started.load(), 0) << "concurrency management held B back (A does not sleep)";
  ASSERT_EQ(wq_offline(kCpu), 0);  // runs on the vCPU when A calls cond_resched
  flush_wq_in_task(wq);
  EXPECT_EQ(p.saw.load(), 1) << "B still waited for A after the pool was unbound";
  EXPECT_EQ(p.a.cpu.load(), kCpu);
  EXPECT_NE(p.b.cpu.load(), kCpu);
  destroy_workqueue(wq);
}

// Workers the pool creates while unbound are not bound to its CPU either; online binds them too.
TEST_P(WorkqueueHotplugTest, WorkersCreatedWhileOfflineAvoidTheCpu) {
  KTL_NEEDS_CPUS(2);
  ASSERT_EQ(wq_offline(kCpu), 0);
  const int n = 4;
  Gate gate;
  std::function<void(Job*)> block = [&](Job*) { gate.wait(); };
  std::vector<Job> jobs(n);
  workqueue_struct* wq = alloc_workqueue("wqt_hp_create", 0, 0);
  ASSERT_NE(wq, nullptr);
  for (Job& j : jobs) {
    init_job(&j, &block);
    ASSERT_TRUE(queue_work_on(kCpu, wq, &j.work));
  }
  ASSERT_TRUE(wait_until([&] {
    for (Job& j : jobs)
      if (!j.started.load()) return false;
    return true;
  })) << "the unbound pool did not run its items side by side";
  std::vector<task_struct*> seen;
  for (Job& j : jobs) {
    EXPECT_NE(j.cpu.load(), kCpu);
    seen.push_back(j.worker.load());
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()) - seen.begin(), n) << "one worker per item";
  EXPECT_GE(cpu_workers(kCpu).size(), static_cast<std::size_t>(n + 1)) << "workers were created";
  EXPECT_TRUE(workers_have(kCpu, all_but(kCpu, cpus()), false));
  gate.release();
  flush_wq_in_task(wq);

  ASSERT_EQ(wq_online(kCpu), 0);
  EXPECT_TRUE(workers_have(kCpu, cpumask::of(kCpu), true));
  Job after;
  init_job(&after);
  ASSERT_TRUE(queue_work_on(kCpu, wq, &after.work));
  flush_wq_in_task(wq);
  EXPECT_EQ(after.cpu.load(), kCpu);
  destroy_workqueue(wq);
}

// ---- online -------------------------------------------------------------------------------------

// §8.6 "Online": workers bound to the vCPU again (per-CPU kthreads, Cpus_allowed_list N), items
// queued for it run there, and concurrency management is back: a spinning item holds back the next
// one until it finishes (the REBOUND workers count again once they start a new cycle).
TEST_P(WorkqueueHotplugTest, OnlineRebindsWorkersAndRestoresConcurrencyManagement) {
  KTL_NEEDS_CPUS(2);
  wq_set_cpu_intensive_thresh_us(0);
  workqueue_struct* wq = alloc_workqueue("wqt_hp_online", 0, 0);
  ASSERT_NE(wq, nullptr);
  ASSERT_EQ(wq_offline(kCpu), 0);
  {
    // Some traffic while unbound (workers leave and re-enter their idle loop unbound).
    Gate gate;
    std::function<void(Job*)> block = [&](Job*) { gate.wait(); };
    Job a, b;
    init_job(&a, &block);
    init_job(&b, &block);
    ASSERT_TRUE(queue_work_on(kCpu, wq, &a.work));
    ASSERT_TRUE(queue_work_on(kCpu, system_highpri_wq, &b.work));
    ASSERT_TRUE(wait_until([&] { return a.started.load() && b.started.load(); }));
    gate.release();
    flush_in_task(&a.work);
    flush_in_task(&b.work);
  }
  ASSERT_EQ(wq_online(kCpu), 0);
  EXPECT_TRUE(workers_have(kCpu, cpumask::of(kCpu), true));
  for (const WorkerInfo& w : cpu_workers(kCpu))
    EXPECT_EQ(proc_status_field(w.pid, "Cpus_allowed_list"), std::to_string(kCpu)) << w.name;
  ASSERT_TRUE(wait_until([] { return workers_idle(kCpu); }));

  for (workqueue_struct* q : {system_wq, system_highpri_wq}) {
    Job j;
    init_job(&j);
    ASSERT_TRUE(queue_work_on(kCpu, q, &j.work));
    ASSERT_TRUE(wait_until([&] { return j.finished.load() == 1; }));
    EXPECT_EQ(j.cpu.load(), kCpu) << workqueue_name(q);
    flush_in_task(&j.work);
  }

  for (int round = 0; round < 3; ++round) {
    BusyPair p(wq, 2000);  // 2 ms: B must not start while A spins
    ASSERT_TRUE(queue_work_on(kCpu, wq, &p.a.work));
    flush_wq_in_task(wq);
    EXPECT_EQ(p.saw.load(), 0) << "round " << round << ": B started while A spun on a bound pool";
    EXPECT_EQ(p.a.cpu.load(), kCpu);
    EXPECT_EQ(p.b.cpu.load(), kCpu);
    EXPECT_EQ(p.b.finished.load(), 1);
  }
  // A sleeping item still lets the next one start (nr_running counts down and up again).
  Gate gate;
  std::function<void(Job*)> block = [&](Job*) { gate.wait(); };
  Job s, t;
  init_job(&s, &block);
  init_job(&t);
  ASSERT_TRUE(queue_work_on(kCpu, wq, &s.work));
  ASSERT_TRUE(queue_work_on(kCpu, wq, &t.work));
  ASSERT_TRUE(wait_until([&] { return t.finished.load() == 1; })) << "blocked behind a sleeper";
  EXPECT_EQ(t.cpu.load(), kCpu);
  gate.release();
  flush_wq_in_task(wq);
  destroy_workqueue(wq);
  EXPECT_FALSE(warned(log())) << log();
}

// Repeated offline/online cycles with traffic, both callbacks called twice in a row (the second
// call finds the pools in that state already and changes nothing).
TEST_P(WorkqueueHotplugTest, RepeatedCyclesAndIdempotentCalls) {
  KTL_NEEDS_CPUS(2);
  wq_set_cpu_intensive_thresh_us(0);
  workqueue_struct* wq = alloc_workqueue("wqt_hp_cycles", 0, 0);
  ASSERT_NE(wq, nullptr);
  ASSERT_EQ(wq_online(kCpu), 0) << "online of a bound pool does nothing";
  EXPECT_TRUE(workers_have(kCpu, cpumask::of(kCpu), true));
  for (int cycle = 0; cycle < 3; ++cycle) {
    ASSERT_EQ(wq_offline(kCpu), 0);
    ASSERT_EQ(wq_offline(kCpu), 0);
    EXPECT_TRUE(workers_have(kCpu, all_but(kCpu, cpus()), false)) << "cycle " << cycle;
    ASSERT_TRUE(wait_until([] { return workers_idle(kCpu); }));
    Job j;
    init_job(&j);
    ASSERT_TRUE(queue_work_on(kCpu, wq, &j.work));
    flush_wq_in_task(wq);
    EXPECT_NE(j.cpu.load(), kCpu) << "cycle " << cycle;

    ASSERT_EQ(wq_online(kCpu), 0);
    ASSERT_EQ(wq_online(kCpu), 0);
    EXPECT_TRUE(workers_have(kCpu, cpumask::of(kCpu), true)) << "cycle " << cycle;
    ASSERT_TRUE(wait_until([] { return workers_idle(kCpu); }));
    BusyPair p(wq, 2000);
    ASSERT_TRUE(queue_work_on(kCpu, wq, &p.a.work));
    flush_wq_in_task(wq);
    EXPECT_EQ(p.saw.load(), 0) << "cycle " << cycle << ": concurrency management not restored";
    EXPECT_EQ(p.a.cpu.load(), kCpu);
    EXPECT_EQ(p.b.cpu.load(), kCpu);
  }
  destroy_workqueue(wq);
  EXPECT_FALSE(warned(log())) << log();
}

// Linux's workqueue_offline_cpu WARNs and fails when not called on the CPU itself.
TEST_P(WorkqueueHotplugTest, OfflineFromAnotherCpuWarnsAndFails) {
  KTL_NEEDS_CPUS(2);
  EXPECT_EQ(call_hotplug(true, kCpu, 0), -1);
  EXPECT_TRUE(warned(log()));
  EXPECT_TRUE(workers_have(kCpu, cpumask::of(kCpu), true)) << "nothing was unbound";
}

KTL_INSTANTIATE_MACHINES(WorkqueueHotplugTest);

}  // namespace
}  // namespace ktl
