// CPU hotplug: the cpu_hotplug_lock and the cpu_down/cpu_up state machine.
#include "ktl/kernel/cpu.h"

#include <atomic>
#include <cstdio>
#include <string>

#include "kernel/softirq_internal.h"
#include "kthread/kthread_internal.h"
#include "ktl/fs/proc.h"
#include "ktl/kernel/printk.h"
#include "ktl/kernel/stop_machine.h"
#include "ktl/kthread/kthread.h"
#include "ktl/kthread/smpboot.h"
#include "ktl/sched/completion.h"
#include "ktl/sched/percpu.h"
#include "ktl/time/delay.h"
#include "sched/sched_internal.h"
#include "time/time_internal.h"
#include "workqueue/workqueue_internal.h"

#include "ktl/base/bug.h"
#include "ktl/locking/spinlock.h"
#include "ktl/sched/sched.h"
#include "ktl/sched/wait.h"

namespace ktl {
namespace {

// A reader-writer sleeping lock with writer preference: a waiting writer holds off new readers
// so a stream of stop_machine() callers cannot starve cpu_down().
struct hotplug_lock {
  spinlock_t lock;
  int readers = 0;
  int writers_waiting = 0;
  task_struct* writer = nullptr;
  wait_queue_head wq;
};
hotplug_lock g_hp;
bool g_hp_inited = false;

void hp_init() {
  if (KTL_UNLIKELY(!g_hp_inited)) {
    init_waitqueue_head(&g_hp.wq);
    g_hp_inited = true;
  }
}

bool try_read() {
  spin_lock(&g_hp.lock);
  bool ok = !g_hp.writer && !g_hp.writers_waiting;
  if (ok) g_hp.readers++;
  spin_unlock(&g_hp.lock);
  return ok;
}

bool try_write() {
  spin_lock(&g_hp.lock);
  bool ok = !g_hp.writer && g_hp.readers == 0;
  if (ok) {
    g_hp.writer = get_current();
    g_hp.writers_waiting--;
  }
  spin_unlock(&g_hp.lock);
  return ok;
}

}  // namespace

void cpus_read_lock() {
  hp_init();
  might_sleep();
  if (try_read()) return;
  wait_event(g_hp.wq, try_read());
}

bool cpus_read_trylock() {
  hp_init();
  return try_read();
}

void cpus_read_unlock() {
  spin_lock(&g_hp.lock);
  WARN_ON(g_hp.readers <= 0);
  bool wake = --g_hp.readers == 0 && g_hp.writers_waiting;
  spin_unlock(&g_hp.lock);
  if (wake) wake_up_all(&g_hp.wq);
}

void cpus_write_lock() {
  hp_init();
  might_sleep();
  spin_lock(&g_hp.lock);
  g_hp.writers_waiting++;
  spin_unlock(&g_hp.lock);
  wait_event(g_hp.wq, try_write());
}

void cpus_write_unlock() {
  spin_lock(&g_hp.lock);
  WARN_ON(g_hp.writer != get_current());
  g_hp.writer = nullptr;
  spin_unlock(&g_hp.lock);
  wake_up_all(&g_hp.wq);
}

void lockdep_assert_cpus_held() {
  WARN_ON_ONCE(g_hp.readers == 0 && g_hp.writer == nullptr);
}

}  // namespace ktl

// ==== the hotplug state machine ================================================================

namespace ktl {
namespace {

// What the controlling task asks cpuhp/N to do on its vCPU.
struct cpuhp_cpu_state {
  std::atomic<bool> should_run{false};
  int (*fn)(unsigned int cpu) = nullptr;
  int result = 0;
  completion done;
};
DEFINE_PER_CPU(cpuhp_cpu_state, cpuhp_state);
DEFINE_PER_CPU(task_struct*, cpuhp_threads);
std::atomic<unsigned long> g_hotplug_count{0};

int cpuhp_should_run(unsigned int cpu) {
  return per_cpu_ptr(&cpuhp_state, static_cast<int>(cpu))->should_run.load(
      std::memory_order_acquire);
}

void cpuhp_thread_fun(unsigned int cpu) {
  cpuhp_cpu_state* st = per_cpu_ptr(&cpuhp_state, static_cast<int>(cpu));
  if (!st->should_run.exchange(false, std::memory_order_acq_rel)) return;
  st->result = st->fn(cpu);
  complete(&st->done);
}

smp_hotplug_thread cpuhp_threads_desc = [] {
  smp_hotplug_thread t;
  t.store = &cpuhp_threads;
  t.thread_should_run = cpuhp_should_run;
  t.thread_fn = cpuhp_thread_fun;
  t.thread_comm = "cpuhp/%u";
  t.selfparking = true;
  return t;
}();

// Runs fn(cpu) on that vCPU's cpuhp thread and waits for it.
int cpuhp_invoke_ap(unsigned int cpu, int (*fn)(unsigned int)) {
  cpuhp_cpu_state* st = per_cpu_ptr(&cpuhp_state, static_cast<int>(cpu));
  task_struct* t = *per_cpu_ptr(&cpuhp_threads, static_cast<int>(cpu));
  if (!t) return fn(cpu);
  st->fn = fn;
  reinit_completion(&st->done);
  st->should_run.store(true, std::memory_order_release);
  wake_up_process(t);
  wait_for_completion(&st->done);
  return st->result;
}

// The per-CPU steps of going down and coming up (CPUHP_AP_* states), on the vCPU itself.
int ap_teardown(unsigned int cpu) {
  internal::workqueue_offline_cpu(cpu);
  internal::smpboot_park_threads(cpu);
  return 0;
}
int ap_bringup(unsigned int cpu) {
  internal::smpboot_unpark_threads(cpu);
  internal::workqueue_online_cpu(cpu);
  return 0;
}

// Waits until a thread that was asked to park sits parked, off its vCPU.
void wait_parked(task_struct* t) {
  for (unsigned long i = 0; !internal::kthread_wait_task_inactive(t, TASK_PARKED); ++i)
    internal::kthread_poll_backoff(i);
}

// CPUHP_TEARDOWN_CPU: on the dying vCPU, inside stop_machine with every other vCPU held.
int take_cpu_down(void* arg) {
  const int cpu = static_cast<int>(reinterpret_cast<long>(arg));
  internal::set_cpu_online(cpu, false);
  // The stopper stops taking work and parks once this callback returns.
  stop_machine_park(cpu);
  internal::sched_cpu_dying(cpu);
  return 0;
}

int first_online_other_than(int cpu) {
  int c;
  for_each_online_cpu(c) if (c != cpu) return c;
  return -1;
}

int do_cpu_down(unsigned int cpu) {
  const int c = static_cast<int>(cpu);
  if (!cpu_online(c)) return 0;
  if (cpu == 0 || num_online_cpus() == 1) return -EBUSY;
  int ret = cpuhp_invoke_ap(cpu, ap_teardown);
  if (ret) return ret;
  task_struct* hp = *per_cpu_ptr(&cpuhp_threads, c);
  if (hp) kthread_park(hp);
  cpumask only = cpumask::of(c);
  ret = stop_machine_cpuslocked(take_cpu_down, reinterpret_cast<void*>(static_cast<long>(cpu)),
                                &only);
  if (ret) {
    if (hp) kthread_unpark(hp);
    cpuhp_invoke_ap(cpu, ap_bringup);
    return ret;
  }
  if (task_struct* stopper = cpu_stopper_task(cpu)) wait_parked(stopper);
  // CPUHP_*_DEAD, on a surviving vCPU: tasklets, softirqs and timers of the dead one move.
  int target = internal::this_rq() && cpu_online(internal::this_rq()->cpu)
                   ? internal::this_rq()->cpu
                   : first_online_other_than(c);
  internal::takeover_tasklets(cpu, static_cast<unsigned>(target));
  internal::timers_dead_cpu(c, target);
  printk(KERN_INFO "smpboot: CPU %u is now offline\n", cpu);
  g_hotplug_count.fetch_add(1, std::memory_order_relaxed);
  return 0;
}

int do_cpu_up(unsigned int cpu) {
  const int c = static_cast<int>(cpu);
  if (cpu_online(c)) return 0;
  int ret = internal::smpboot_create_threads(cpu);
  if (ret) return ret;
  printk(KERN_INFO "smpboot: Booting Node 0 Processor %u APIC 0x%x\n", cpu, cpu);
  internal::sched_cpu_starting(c);
  internal::set_cpu_online(c, true);
  stop_machine_unpark(c);
  if (task_struct* hp = *per_cpu_ptr(&cpuhp_threads, c)) kthread_unpark(hp);
  ret = cpuhp_invoke_ap(cpu, ap_bringup);
  g_hotplug_count.fetch_add(1, std::memory_order_relaxed);
  return ret;
}

bool cpu_exists(unsigned int cpu) {
  return cpu < static_cast<unsigned>(nr_cpu_ids()) && internal::cpu_rq(static_cast<int>(cpu));
}

std::string cpu_list(bool online) {
  cpumask m;
  m.clear_all();
  for (int c = 0; c < nr_cpu_ids(); ++c)
    if (cpu_online(c) == online) m.set(c);
  return cpumask_to_list(m, nr_cpu_ids()) + "\n";
}

}  // namespace

int cpu_down(unsigned int cpu) {
  if (!cpu_exists(cpu)) return -EINVAL;
  cpus_write_lock();
  int ret = do_cpu_down(cpu);
  cpus_write_unlock();
  return ret;
}

int cpu_up(unsigned int cpu) {
  if (!cpu_exists(cpu)) {
    pr_err("can't online cpu %u because it is not configured as may-hotadd at boot time\n", cpu);
    return -EINVAL;
  }
  cpus_write_lock();
  int ret = do_cpu_up(cpu);
  cpus_write_unlock();
  return ret;
}

task_struct* cpuhp_task(unsigned int cpu) {
  if (cpu >= static_cast<unsigned>(NR_CPUS)) return nullptr;
  return *per_cpu_ptr(&cpuhp_threads, static_cast<int>(cpu));
}

unsigned long cpu_hotplug_count() { return g_hotplug_count.load(std::memory_order_relaxed); }

namespace internal {

int cpuhp_threads_init() {
  for (int cpu = 0; cpu < NR_CPUS; ++cpu) {
    cpuhp_cpu_state* st = per_cpu_ptr(&cpuhp_state, cpu);
    st->should_run.store(false, std::memory_order_relaxed);
    init_completion(&st->done);
    *per_cpu_ptr(&cpuhp_threads, cpu) = nullptr;
  }
  int ret = smpboot_register_percpu_thread(&cpuhp_threads_desc);
  if (ret) {
    pr_err("cpuhp: cannot start the hotplug threads: %d\n", ret);
    return ret;
  }
  int cpu;
  for_each_online_cpu(cpu) kthread_unpark(*per_cpu_ptr(&cpuhp_threads, cpu));
  return 0;
}

void cpu_hotplug_init() {
  g_hotplug_count.store(0, std::memory_order_relaxed);
  g_hp.readers = 0;
  g_hp.writers_waiting = 0;
  g_hp.writer = nullptr;
  for (int cpu = 0; cpu < NR_CPUS; ++cpu) {
    char path[64];
    std::snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/online", cpu);
    proc_unregister_sysctl(path);  // a previous boot may have had more vCPUs
    // As on x86, the boot CPU has no online file: it cannot be taken down.
    if (cpu == 0 || cpu >= nr_cpu_ids()) continue;
    const unsigned u = static_cast<unsigned>(cpu);
    proc_register_sysctl(
        path, [cpu] { return std::string(cpu_online(cpu) ? "1\n" : "0\n"); },
        [u](const std::string& in) -> int {
          std::size_t i = 0;
          while (i < in.size() && (in[i] == ' ' || in[i] == '\t')) ++i;
          std::string v = in.substr(i);
          while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
          if (v == "0" || v == "n" || v == "N") return cpu_down(u);
          if (v == "1" || v == "y" || v == "Y") return cpu_up(u);
          return -EINVAL;
        });
  }
  proc_unregister_sysctl("/sys/devices/system/cpu/online");
  proc_register_sysctl("/sys/devices/system/cpu/online", [] { return cpu_list(true); });
  proc_unregister_sysctl("/sys/devices/system/cpu/offline");
  proc_register_sysctl("/sys/devices/system/cpu/offline", [] { return cpu_list(false); });
}

}  // namespace internal
}  // namespace ktl
