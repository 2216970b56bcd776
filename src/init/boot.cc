// Boot and poweroff (init/main.c, kernel/reboot.c).
#include "ktl/kernel/boot.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include <string>

#include "arch/fiber.h"
#include "kernel/kernel_internal.h"
#include "kernel/trace_internal.h"
#include "kernel/softirq_internal.h"
#include "kthread/kthread_internal.h"
#include "ktl/kernel/cpu.h"
#include "ktl/kernel/stop_machine.h"
#include "ktl/kthread/smpboot.h"
#include "workqueue/workqueue_internal.h"
#include "ktl/base/bug.h"
#include "ktl/kernel/fork.h"
#include "ktl/fs/proc.h"
#include "ktl/kernel/printk.h"
#include "ktl/kthread/kthread.h"
#include "ktl/sched/completion.h"
#include "ktl/sched/signal.h"
#include "ktl/sched/wait.h"
#include "ktl/sched/sched.h"
#include "ktl/time/jiffies.h"
#include "sched/sched_internal.h"
#include "time/time_internal.h"

namespace ktl {

namespace {
boot_params g_params;
std::mutex g_boot_mu;

std::size_t default_stack_size() {
#if defined(KTL_ASAN) || defined(__SANITIZE_ADDRESS__) || defined(KTL_TSAN) || defined(__SANITIZE_THREAD__)
  return 256 * 1024;
#else
  return 32 * 1024;
#endif
}

// rest_init state: init (pid 1) waits for kthreadd_done, then idles until poweroff.
completion kthreadd_done;
completion init_ready;  // init finished its "exec": the boot is complete
wait_queue_head g_init_wait;
std::atomic<bool> g_init_should_exit{false};
// The init program's result, for kernel_wait_init() on the host.
completion init_program_done;
int g_init_status = -ENOENT;
// "name:pid (state X)" of the tasks the last poweroff could not stop.
std::string g_stuck;
// A poweroff left tasks (and so vCPUs) behind: no other kernel can boot in this process.
bool g_abandoned = false;
// Tasks rest_init created that poweroff asks to leave (init, kthreadd).
int g_system_tasks = 0;

// kernel_init (pid 1): not a kernel thread. It must not ask for kthreads before kthreadd exists.
int kernel_init(void*) {
  wait_for_completion(&kthreadd_done);
  if (g_params.initcall) {
    int r = g_params.initcall(g_params.initcall_arg);
    if (r)
      printk(KERN_WARNING "initcall %s returned %d\n",
             g_params.initcall_name ? g_params.initcall_name : "?", r);
  }
  // "exec" the init program: an address space and the name user space sees.
  exec_mm_model("init");
  task_struct* self = get_current();
  system_state.store(SYSTEM_RUNNING);
  printk(KERN_INFO "Run %s as init process\n", g_params.init_name ? g_params.init_name : "init");
  complete(&init_ready);
  if (g_params.init_program) {
    g_init_status = g_params.init_program(g_params.init_arg);
    complete_all(&init_program_done);
  }
  for (;;) {
    wait_event_interruptible(g_init_wait, g_init_should_exit.load(std::memory_order_acquire));
    if (g_init_should_exit.load(std::memory_order_acquire)) break;
    flush_signals(self);  // init has no handlers: signals are dropped
  }
  return 0;
}

// rest_init(): init first so it gets pid 1, then kthreadd (pid 2).
void rest_init() {
  init_completion(&kthreadd_done);
  init_completion(&init_ready);
  init_completion(&init_program_done);
  g_init_status = -ENOENT;
  g_init_should_exit.store(false);
  g_system_tasks = 0;
  internal::kthread_boot_init();
  pid_t pid = user_mode_thread(kernel_init, nullptr, CLONE_FS);
  if (pid > 0) {
    g_system_tasks++;
    printk(KERN_INFO "rest_init: created init (pid %d), waits for kthreadd_done\n", pid);
  } else {
    printk(KERN_ERR "rest_init: cannot create init: %d\n", pid);
  }
  kernel_clone_args a;
  a.flags = CLONE_FS | CLONE_FILES;
  a.fn = kthreadd;
  a.name = "kthreadd";
  a.kthread = true;
  a.exit_signal = 0;
  task_struct* kt = copy_process(a);
  if (IS_ERR(kt)) {
    printk(KERN_ERR "rest_init: cannot create kthreadd: %ld\n", PTR_ERR(kt));
  } else {
    kt->flags |= PF_NOFREEZE;  // before it runs: inherited by every kthread
    internal::kthreadd_set_task(kt);
    g_system_tasks++;
    printk(KERN_INFO "rest_init: created kthreadd (pid %d)\n", kt->pid);
    wake_up_new_task(kt);
    internal::kthreadd_wait_ready();
    internal::workqueue_init(internal::g_kernel.nr_cpus);
    internal::spawn_ksoftirqd();
    internal::cpu_stop_init();
    internal::cpuhp_threads_init();
  }
  system_state.store(SYSTEM_SCHEDULING);
  complete(&kthreadd_done);
  // start_kernel() returns a settled system: init has its address space and sleeps.
  if (pid > 0) wait_for_completion(&init_ready);
}

// Polls a condition until a deadline in machine time (virtual time on the simulation machine,
// where each poll lets the machine run).
template <typename Cond>
bool wait_until_deadline(Cond cond, u64 deadline_ns) {
  internal::machine* m = internal::g_kernel.mach;
  while (!cond()) {
    if (m->clock_ns() >= deadline_ns) return false;
    m->host_idle(200000);
  }
  return true;
}
u64 machine_now() { return internal::g_kernel.mach->clock_ns(); }
constexpr u64 kMs = 1000000;

}  // namespace

using namespace internal;

int start_kernel(const boot_params& params) {
  std::lock_guard<std::mutex> g(g_boot_mu);
  if (g_kernel.running.load() || g_abandoned) return -EBUSY;
  boot_params p = params;
  if (p.hz < 24 || p.hz > 10000) return -EINVAL;
  machine* m = p.sim.enabled ? make_sim_machine(p.hz, p.sim) : make_real_machine(p.hz);
  int host = m->host_cpus();
  if (p.cpus <= 0) p.cpus = host;
  if (p.cpus > NR_CPUS) {
    delete m;
    return -EINVAL;
  }
  if (!p.stack_size) p.stack_size = default_stack_size();
  if (p.stack_size < 8192) {
    delete m;
    return -EINVAL;
  }
  g_params = p;
  g_kernel.mach = m;
  sim_install(p.sim.enabled ? m : nullptr);
  g_kernel.stopping.store(false);
  g_kernel.idle_poll_ns =
      p.idle_poll_ns >= 0 ? static_cast<u64>(p.idle_poll_ns) : (p.cpus <= host ? 50000 : 0);
  if (p.sim.enabled) g_kernel.idle_poll_ns = 0;  // an idle vCPU hands its turn over at once

  time_init(p.hz);
  reset_report_ratelimits();
  int loglevel = p.loglevel >= 0 ? p.loglevel : (p.quiet ? 4 : 7);
  printk_init(p.console_fd, loglevel);
  stack_pool_init(p.stack_size);
  sched_init(p.cpus);
  internal::softirq_init(p.cpus);
  internal::cpu_hotplug_init();
  trace_boot(p.sim.enabled && p.sim.trace);
  fork_init(p.cpus);

  printk(KERN_NOTICE "Linux version 6.18.0-ktl (ktl) #1 SMP\n");
  if (p.sim.enabled)
    printk(KERN_INFO "ktl: simulation machine, seed %llu (%s), %d vCPUs, HZ=%u, %zu KiB stacks\n",
           static_cast<unsigned long long>(p.sim.seed),
           p.sim.strategy == sim_strategy::pct ? "pct" : "random", p.cpus, p.hz,
           p.stack_size / 1024);
  else
    printk(KERN_INFO "ktl: real machine, %d vCPUs on %d host CPUs, HZ=%u, %zu KiB stacks\n",
           p.cpus, host, p.hz, p.stack_size / 1024);
  printk(KERN_INFO "smp: Bringing up secondary CPUs ...\n");
  system_state.store(SYSTEM_BOOTING);
  g_stuck.clear();
  g_kernel.running.store(true);
  m->start_cpus(p.cpus);
  if (p.cpus > 1) {
    std::string line = ".... node  #0, CPUs:";
    char num[16];
    for (int cpu = 1; cpu < p.cpus; ++cpu) {
      std::snprintf(num, sizeof num, " #%d", cpu);
      line += num;
    }
    printk(KERN_INFO "%s\n", line.c_str());
  }
  printk(KERN_INFO "smp: Brought up 1 node, %d CPU%s\n", p.cpus, p.cpus == 1 ? "" : "s");
  printk(KERN_INFO "sched: idle tasks swapper/0..%d (pid 0) run the idle loop, one per vCPU\n",
         p.cpus - 1);
  rest_init();
  // A settled system: the first kworkers sleep in their idle loops ("I" in ps), as after a real
  // boot, before the caller looks.
  wait_until_deadline(
      [] {
        return internal::workqueue_settled() && internal::softirq_settled() &&
               internal::smpboot_settled();
      },
      machine_now() + 2000 * kMs);
  m->boot_complete();
  return 0;
}

bool kernel_running() noexcept { return g_kernel.running.load(std::memory_order_relaxed); }
const boot_params& kernel_boot_params() noexcept { return g_params; }

int kernel_wait_init() {
  if (!g_kernel.running.load() || !g_params.init_program) return -ENOENT;
  wait_for_completion(&init_program_done);
  return g_init_status;
}

const char* kernel_poweroff_stuck() noexcept { return g_stuck.c_str(); }

namespace {

// PF_KTHREAD never changes, but the word it is in does (PF_EXITING): read it the racy way.
KTL_DATA_RACY bool is_kthread_racy(const task_struct* t) { return t->flags & PF_KTHREAD; }
// comm may be renamed by its task while we report it.
KTL_DATA_RACY void copy_comm_racy(const task_struct* t, char* buf) {
  const volatile char* s = t->comm;
  for (std::size_t i = 0; i + 1 < TASK_COMM_LEN; ++i) buf[i] = s[i];
  buf[TASK_COMM_LEN - 1] = 0;
}

// Everything but init and kthreadd: user tasks get SIGKILL, kthreads a kthread_stop() without
// the wait. Returns how many kthreads were asked to stop.
int stop_everything() {
  int stopped = 0;
  auto tasks = snapshot_tasks();
  for (task_struct* t : tasks) {
    if (t->pid == 1 || t == get_current()) continue;
    if (is_kthread_racy(t)) {
      if (kthread_stop_nowait(t)) stopped++;
    } else {
      send_sig(SIGKILL, t, 1);
    }
  }
  put_task_snapshot(tasks);
  return stopped;
}

// The tasks that did not go: named in the log (with where they sleep) and in g_stuck.
int report_stuck(unsigned timeout_ms, bool system_too) {
  int n = 0;
  auto tasks = snapshot_tasks();
  for (task_struct* t : tasks) {
    if (!system_too && (t->pid == 1 || is_kthreadd(t))) continue;
    char comm[TASK_COMM_LEN];
    copy_comm_racy(t, comm);
    std::string wchan = proc_pid_wchan(t);
    char st = task_state_to_char(t);
    printk(KERN_ERR "reboot: %s %s:%d did not stop within %u ms (state %c, wchan %s)\n",
           is_kthread_racy(t) ? "kthread" : "task", comm, t->pid, timeout_ms, st,
           wchan.c_str());
    std::string stack = proc_pid_stack(t);
    if (!stack.empty()) {
      if (stack.back() == '\n') stack.pop_back();
      printk(KERN_ERR "%s\n", stack.c_str());
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%s:%d (state %c)", g_stuck.empty() ? "" : ", ", comm,
                  t->pid, st);
    g_stuck += buf;
    n++;
  }
  put_task_snapshot(tasks);
  return n;
}

}  // namespace

int kernel_poweroff() {
  std::lock_guard<std::mutex> g(g_boot_mu);
  if (!g_kernel.running.load()) return 0;
  int ret = 0;
  g_stuck.clear();
  system_state.store(SYSTEM_POWER_OFF);
  const unsigned timeout_ms = g_params.poweroff_timeout_ms;
  const u64 deadline = machine_now() + timeout_ms * kMs;
  // Everything but init and kthreadd ends first (kthreads are children of kthreadd and may
  // still be asking it for more); then init and kthreadd are asked to leave. A kthread that
  // creates another while we stop them is caught by the next round.
  internal::workqueue_shutdown();
  wait_until_deadline([] { return internal::workqueue_quiesced(); }, deadline);
  int asked = 0;
  while (nr_threads() > g_system_tasks && machine_now() < deadline) {
    asked += stop_everything();
    wait_until_deadline([] { return nr_threads() <= g_system_tasks; },
                        std::min(deadline, machine_now() + 50 * kMs));
  }
  if (asked) printk(KERN_INFO "reboot: stopped %d kthread%s\n", asked, asked == 1 ? "" : "s");
  if (nr_threads() > g_system_tasks) report_stuck(timeout_ms, false);
  kthreadd_request_exit();
  g_init_should_exit.store(true, std::memory_order_release);
  wake_up_all(&g_init_wait);
  wait_until_deadline([] { return nr_threads() == 0; }, machine_now() + 500 * kMs);
  kthreadd_release();
  if (nr_threads() > 0) {
    ret = -ETIMEDOUT;
    if (g_stuck.empty()) report_stuck(timeout_ms, true);  // init or kthreadd itself did not go
  }
  printk(KERN_NOTICE "reboot: Power down\n");
  g_kernel.stopping.store(true);
  for (int cpu = 0; cpu < g_kernel.nr_cpus; ++cpu) {
    rq* rq = cpu_rq(cpu);
    rq->pending.fetch_or(PENDING_STOP);
    kick_cpu(rq);
  }
  if (ret == 0) {
    g_kernel.mach->join_cpus();
    internal::smpboot_fini();
    internal::softirq_fini();
    sched_fini();
    internal::workqueue_fini();
    fork_fini();
    stack_pool_destroy();
  } else {
    // Tasks are still alive: a vCPU may be stuck in one of them. Leave the vCPU threads, the
    // machine and their memory to the process exit rather than free what they still use; this
    // process cannot boot another kernel.
    printk(KERN_ERR "reboot: %d task(s) did not exit; vCPUs abandoned\n", nr_threads());
    g_kernel.mach->abandon_cpus();
    g_abandoned = true;
  }
  printk_fini();
  sim_install(nullptr);
  if (ret == 0) {
    delete g_kernel.mach;
    g_kernel.mach = nullptr;
  }
  g_kernel.running.store(false);
  return ret;
}

kernel::kernel(const boot_params& p) {
  status_ = start_kernel(p);
  up_ = status_ == 0;
}
kernel::~kernel() {
  if (up_) poweroff();
}
int kernel::poweroff() {
  if (!up_) return status_;
  up_ = false;
  status_ = kernel_poweroff();
  return status_;
}

}  // namespace ktl
