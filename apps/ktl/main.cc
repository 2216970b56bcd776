// The `ktl` command: boot a kernel inside this process and show it working.
//
// This first version runs the demo (the main job); the interactive console, /proc, ps and the
// kthread API arrive with kthreadd.
#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdio>
#include <string>

#include "ktl/ktl.h"

namespace {

using namespace ktl;

// A periodic kernel thread: sleeps one period with schedule_timeout_interruptible(), wakes, does a
// small measurable job, until told to stop.
struct periodic_ctx {
  std::atomic<bool> stop{false};
  long period_jiffies = 0;
  unsigned long runs = 0;
  unsigned long max_late = 0;
  completion exited;
};
int periodic_fn(void* arg) {
  auto* c = static_cast<periodic_ctx*>(arg);
  unsigned long next = jiffies + static_cast<unsigned long>(c->period_jiffies);
  while (!c->stop.load()) {
    long left = static_cast<long>(next - jiffies);
    if (left > 0) schedule_timeout_interruptible(left);
    if (c->stop.load()) break;
    unsigned long late = jiffies - next;
    if (late > c->max_late && static_cast<long>(late) >= 0) c->max_late = late;
    c->runs++;
    next += static_cast<unsigned long>(c->period_jiffies);
  }
  complete(&c->exited);
  return static_cast<int>(c->runs);
}

// An event-driven kernel thread: sleeps in wait_event_interruptible until a producer posts work.
struct event_ctx {
  wait_queue_head wq;
  std::atomic<int> posted{0};
  int consumed = 0;
  std::atomic<bool> stop{false};
  completion exited;
};
int event_fn(void* arg) {
  auto* c = static_cast<event_ctx*>(arg);
  for (;;) {
    wait_event_interruptible(c->wq, c->posted.load() > c->consumed || c->stop.load());
    while (c->consumed < c->posted.load()) ++c->consumed;
    if (c->stop.load()) break;
  }
  complete(&c->exited);
  return c->consumed;
}

void show_task(const char* what, task_struct* p) {
  std::printf("  %-22s pid %-4d %-16s STAT %c  cpu %d  nvcsw %-6llu nivcsw %llu\n", what, p->pid,
              p->comm, task_state_to_char(p), task_cpu(p),
              static_cast<unsigned long long>(p->nvcsw),
              static_cast<unsigned long long>(p->nivcsw));
}

int run_demo(const boot_params& bp) {
  kernel k(bp);
  if (k.status()) {
    std::fprintf(stderr, "ktl: boot failed: %d\n", k.status());
    return 1;
  }
  console_flush();
  console_flush();
  std::printf("\n== tasks ==\n");
  periodic_ctx per;
  per.period_jiffies = static_cast<long>(msecs_to_jiffies(20));
  event_ctx ev;
  pid_t per_pid = kernel_thread(periodic_fn, &per, "periodic_demo", 0);
  pid_t ev_pid = kernel_thread(event_fn, &ev, "event_demo", 0);
  task_struct* pp = find_get_task_by_vpid(per_pid);
  task_struct* ep = find_get_task_by_vpid(ev_pid);
  if (!pp || !ep) return 1;
  // Let both settle into their sleeps, then show them.
  msleep(50);
  show_task("periodic (timer sleep)", pp);
  show_task("event (wait_event)", ep);
  console_flush();
  std::printf("\n== producer posts 1000 events ==\n");
  for (int i = 0; i < 1000; ++i) {
    ev.posted.fetch_add(1);
    wake_up_interruptible(&ev.wq);
  }
  msleep(200);
  show_task("periodic (timer sleep)", pp);
  show_task("event (wait_event)", ep);

  console_flush();
  std::printf("\n== lazy TLB: a user task and a kernel thread share vCPU 0 ==\n");
  struct user_ctx {
    completion go, back;
  } uc;
  tlb_stats before = cpu_tlb_stats(0);
  cpumask cpu0 = cpumask::of(0);
  kernel_clone_args ka;
  ka.kthread = true;
  ka.name = "kthread_lazy";
  ka.fn = [](void* a) {
    auto* u = static_cast<user_ctx*>(a);
    for (int i = 0; i < 1000; ++i) {
      wait_for_completion(&u->go);
      complete(&u->back);
    }
    return 0;
  };
  ka.fn_arg = &uc;
  const int threads_before = nr_threads();
  task_struct* kt = copy_process(ka);
  kernel_clone_args ua;
  ua.user = true;
  ua.name = "user_task";
  ua.fn = [](void* a) {
    auto* u = static_cast<user_ctx*>(a);
    for (int i = 0; i < 1000; ++i) {
      complete(&u->go);
      wait_for_completion(&u->back);
    }
    return 0;
  };
  ua.fn_arg = &uc;
  task_struct* ut = copy_process(ua);
  if (IS_ERR(kt) || IS_ERR(ut)) return 1;
  do_set_cpus_allowed(kt, &cpu0);
  do_set_cpus_allowed(ut, &cpu0);
  wake_up_new_task(kt);
  wake_up_new_task(ut);
  while (nr_threads() > threads_before) msleep(10);
  tlb_stats after = cpu_tlb_stats(0);
  std::printf("  2000 switches user<->kthread on vCPU 0:\n");
  std::printf("    switch_mm (address space loaded)   %llu\n",
              static_cast<unsigned long long>(after.switch_mm - before.switch_mm));
  std::printf("    lazy TLB entries (kthread borrows)  %llu\n",
              static_cast<unsigned long long>(after.lazy_tlb - before.lazy_tlb));
  std::printf("    TLB flushes avoided (same mm)       %llu\n",
              static_cast<unsigned long long>(after.flush_avoided - before.flush_avoided));

  console_flush();
  std::printf("\n== stopping ==\n");
  per.stop = true;
  wake_up_process(pp);
  ev.stop = true;
  wake_up_interruptible(&ev.wq);
  wait_for_completion(&per.exited);
  wait_for_completion(&ev.exited);
  std::printf("  periodic_demo ran %lu periods (20 ms), max lateness %lu jiffies\n", per.runs,
              per.max_late);
  std::printf("  event_demo consumed %d of %d events\n", ev.consumed, ev.posted.load());
  put_task_struct(pp);
  put_task_struct(ep);
  console_flush();
  int r = k.poweroff();
  std::printf("\npoweroff: %s\n", r == 0 ? "clean" : "tasks were still alive");
  return r == 0 ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ktl: the Linux kernel-thread subsystem, booted inside this process"};
  app.require_subcommand(1);
  auto* boot = app.add_subcommand("boot", "boot a kernel and run the demo");
  int cpus = 0;
  unsigned hz = 250;
  int loglevel = -1;
  bool demo = false;
  boot->add_option("--cpus", cpus, "number of vCPUs (default: host CPUs)")->check(CLI::Range(1, 256));
  boot->add_option("--hz", hz, "timer frequency HZ")->check(CLI::Range(24u, 10000u));
  boot->add_option("--loglevel", loglevel, "console loglevel (0-7)")->check(CLI::Range(0, 7));
  boot->add_flag("--demo", demo, "run the demonstration (the default for now)");
  CLI11_PARSE(app, argc, argv);
  // The kernel console and the demo's own lines share stdout, in order.
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  boot_params bp;
  bp.console_fd = 1;
  bp.cpus = cpus;
  bp.hz = hz;
  bp.loglevel = loglevel;
  return run_demo(bp);
}
