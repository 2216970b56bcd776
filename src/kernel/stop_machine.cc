// cpu_stop: per-vCPU stopper threads (migration/N) and stop_machine.
#include "ktl/kernel/stop_machine.h"

#include <sched.h>

#include <atomic>

#include "ktl/base/bug.h"
#include "ktl/kernel/cpu.h"
#include "ktl/kernel/printk.h"
#include "ktl/kthread/kthread.h"
#include "ktl/kthread/smpboot.h"
#include "ktl/locking/mutex.h"
#include "ktl/locking/spinlock.h"
#include "ktl/sched/completion.h"
#include "ktl/sched/percpu.h"
#include "ktl/sched/preempt.h"
#include "ktl/sched/sched.h"
#include "sched/sched_internal.h"

namespace ktl {

struct cpu_stop_done {
  std::atomic<int> nr_todo{0};  // works still to finish
  std::atomic<int> ret{0};      // a non-zero return of any of them
  completion done;
};

namespace {

struct cpu_stopper {
  task_struct* thread = nullptr;
  spinlock_t lock;
  bool enabled = false;  // lock
  list_head works;       // lock
  cpu_stop_work stop_work;  // for stop_machine / stop_two_cpus' first half (stop_cpus_mutex)
  cpu_stop_work stop_work2;
};

DEFINE_PER_CPU(cpu_stopper, cpu_stoppers);
DEFINE_PER_CPU(task_struct*, cpu_stopper_threads);  // the smpboot store
bool g_stop_machine_initialized = false;
bool g_leak_warned = false;
DEFINE_MUTEX(stop_cpus_mutex);

cpu_stopper* stopper_of(unsigned cpu) { return per_cpu_ptr(&cpu_stoppers, static_cast<int>(cpu)); }

void cpu_stop_init_done(cpu_stop_done* done, int nr_todo) {
  done->nr_todo.store(nr_todo, std::memory_order_relaxed);
  done->ret.store(0, std::memory_order_relaxed);
  init_completion(&done->done);
}

void cpu_stop_signal_done(cpu_stop_done* done) {
  if (done->nr_todo.fetch_sub(1, std::memory_order_acq_rel) == 1) complete(&done->done);
}

// Appends under the stopper's lock; the caller wakes the thread after dropping it.
bool queue_locked(cpu_stopper* s, cpu_stop_work* work) {
  if (!s->enabled) {
    if (work->done) cpu_stop_signal_done(work->done);
    return false;
  }
  list_add_tail(&work->list, &s->works);
  return true;
}

bool cpu_stop_queue_work(unsigned cpu, cpu_stop_work* work) {
  cpu_stopper* s = stopper_of(cpu);
  unsigned long flags;
  spin_lock_irqsave(&s->lock, flags);
  bool enabled = queue_locked(s, work);
  task_struct* t = s->thread;
  spin_unlock_irqrestore(&s->lock, flags);
  if (enabled && t) wake_up_process(t);
  internal::cpu_rq(static_cast<int>(cpu))->irq_stats.call.fetch_add(1, std::memory_order_relaxed);
  return enabled;
}

// ---- the multi-stop state machine -----------------------------------------------------------

enum multi_stop_state : int {
  MULTI_STOP_NONE,
  MULTI_STOP_PREPARE,
  MULTI_STOP_DISABLE_IRQ,
  MULTI_STOP_RUN,
  MULTI_STOP_EXIT,
};

struct multi_stop_data {
  cpu_stop_fn_t fn;
  void* data;
  int num_threads;
  const cpumask* active_cpus;
  std::atomic<int> state{MULTI_STOP_NONE};
  std::atomic<int> thread_ack{0};
};

void set_state(multi_stop_data* msdata, int newstate) {
  // Reset the ack count before the state change is visible.
  msdata->thread_ack.store(msdata->num_threads, std::memory_order_relaxed);
  msdata->state.store(newstate, std::memory_order_release);
}

void ack_state(multi_stop_data* msdata) {
  if (msdata->thread_ack.fetch_sub(1, std::memory_order_acq_rel) == 1)
    set_state(msdata, msdata->state.load(std::memory_order_relaxed) + 1);
}

int multi_cpu_stop(void* data) {
  auto* msdata = static_cast<multi_stop_data*>(data);
  const int cpu = smp_processor_id();
  const bool is_active = msdata->active_cpus ? msdata->active_cpus->test(cpu)
                                             : cpu == cpu_online_mask().first();
  int err = 0;
  int curstate = MULTI_STOP_NONE;
  int irqs_off = 0;
  const bool real = !internal::g_kernel.mach->simulated();
  unsigned spins = 0;
  do {
    cpu_relax();
    // Every vCPU spins here until all of them acknowledged; with more vCPUs than host CPUs the
    // host must run the others meanwhile: give the host CPU away after a short spin.
    if (real && ++spins % 256 == 0) ::sched_yield();
    int newstate = msdata->state.load(std::memory_order_acquire);
    if (newstate != curstate) {
      spins = 0;
      curstate = newstate;
      switch (curstate) {
        case MULTI_STOP_DISABLE_IRQ:
          local_irq_disable();
          irqs_off = 1;
          break;
        case MULTI_STOP_RUN:
          if (is_active) err = msdata->fn(msdata->data);
          break;
        default:
          break;
      }
      ack_state(msdata);
    }
  } while (curstate != MULTI_STOP_EXIT);
  if (irqs_off) local_irq_enable();
  return err;
}

// ---- the stopper thread ---------------------------------------------------------------------

int cpu_stop_should_run(unsigned int cpu) {
  cpu_stopper* s = stopper_of(cpu);
  unsigned long flags;
  spin_lock_irqsave(&s->lock, flags);
  bool run = !list_empty(&s->works);
  spin_unlock_irqrestore(&s->lock, flags);
  return run;
}

void cpu_stopper_thread(unsigned int cpu) {
  cpu_stopper* s = stopper_of(cpu);
  for (;;) {
    cpu_stop_work* work = nullptr;
    spin_lock_irq(&s->lock);
    if (!list_empty(&s->works)) {
      work = container_of(s->works.next, cpu_stop_work, list);
      list_del_init(&work->list);
    }
    spin_unlock_irq(&s->lock);
    if (!work) return;
    cpu_stop_done* done = work->done;
    cpu_stop_fn_t fn = work->fn;
    void* arg = work->arg;
    preempt_count_add(1);
    int ret = fn(arg);
    if (done) {
      if (ret) done->ret.store(ret, std::memory_order_relaxed);
      cpu_stop_signal_done(done);
    }
    preempt_count_sub(1);
    if (KTL_UNLIKELY(preempt_count())) {
      if (!g_leak_warned) {  // WARN_ONCE, once per boot
        g_leak_warned = true;
        WARN(1, "cpu_stop: %ps(%p) leaked preempt count\n", reinterpret_cast<void*>(fn), arg);
      }
      // Linux leaves the count leaked and the CPU limps on; ktl repairs it so the stopper can
      // still sleep.
      get_current()->preempt_count = 0;
    }
  }
}

void cpu_stop_create(unsigned int cpu) {
  internal::sched_set_stop_task(static_cast<int>(cpu), *per_cpu_ptr(&cpu_stopper_threads,
                                                                    static_cast<int>(cpu)));
}

void cpu_stop_park(unsigned int cpu) {
  cpu_stopper* s = stopper_of(cpu);
  spin_lock_irq(&s->lock);
  WARN_ON(!list_empty(&s->works));
  spin_unlock_irq(&s->lock);
}

smp_hotplug_thread cpu_stop_threads = [] {
  smp_hotplug_thread t;
  t.store = &cpu_stopper_threads;
  t.thread_should_run = cpu_stop_should_run;
  t.thread_fn = cpu_stopper_thread;
  t.thread_comm = "migration/%u";
  t.create = cpu_stop_create;
  t.park = cpu_stop_park;
  t.selfparking = true;
  return t;
}();

// Queues `fn` on every vCPU of `mask` at once: all stoppers are locked (in vCPU order) while the
// works go in, so two multi-stop users never interleave on different vCPUs in different orders.
bool queue_stop_cpus_work(const cpumask& mask, cpu_stop_fn_t fn, void* arg, cpu_stop_done* done,
                          bool second) {
  int cpu;
  bool queued = false;
  for_each_cpu(cpu, mask) spin_lock(&stopper_of(static_cast<unsigned>(cpu))->lock);
  for_each_cpu(cpu, mask) {
    cpu_stopper* s = stopper_of(static_cast<unsigned>(cpu));
    cpu_stop_work* work = second ? &s->stop_work2 : &s->stop_work;
    work->fn = fn;
    work->arg = arg;
    work->done = done;
    work->caller = 0;
    if (queue_locked(s, work)) queued = true;
  }
  for_each_cpu(cpu, mask) spin_unlock(&stopper_of(static_cast<unsigned>(cpu))->lock);
  for_each_cpu(cpu, mask) {
    cpu_stopper* s = stopper_of(static_cast<unsigned>(cpu));
    if (s->thread) wake_up_process(s->thread);
    internal::cpu_rq(cpu)->irq_stats.call.fetch_add(1, std::memory_order_relaxed);
  }
  return queued;
}

}  // namespace

// ---- API ------------------------------------------------------------------------------------

int stop_one_cpu(unsigned int cpu, cpu_stop_fn_t fn, void* arg) {
  if (cpu >= static_cast<unsigned>(nr_cpu_ids())) return -ENOENT;
  cpu_stop_done done;
  cpu_stop_init_done(&done, 1);
  cpu_stop_work work;
  work.fn = fn;
  work.arg = arg;
  work.done = &done;
  if (!cpu_stop_queue_work(cpu, &work)) return -ENOENT;
  wait_for_completion(&done.done);
  return done.ret.load(std::memory_order_relaxed);
}

bool stop_one_cpu_nowait(unsigned int cpu, cpu_stop_fn_t fn, void* arg, cpu_stop_work* work_buf) {
  if (cpu >= static_cast<unsigned>(nr_cpu_ids())) return false;
  work_buf->fn = fn;
  work_buf->arg = arg;
  work_buf->done = nullptr;
  work_buf->caller = 0;
  return cpu_stop_queue_work(cpu, work_buf);
}

int stop_two_cpus(unsigned int cpu1, unsigned int cpu2, cpu_stop_fn_t fn, void* arg) {
  if (cpu1 >= static_cast<unsigned>(nr_cpu_ids()) || cpu2 >= static_cast<unsigned>(nr_cpu_ids()))
    return -ENOENT;
  if (cpu1 == cpu2) return stop_one_cpu(cpu1, fn, arg);
  cpumask active;
  active.clear_all();
  active.set(static_cast<int>(cpu1));
  multi_stop_data msdata;
  msdata.fn = fn;
  msdata.data = arg;
  msdata.num_threads = 2;
  msdata.active_cpus = &active;
  cpu_stop_done done;
  cpu_stop_init_done(&done, 2);
  cpu_stop_work work1, work2;
  work1.fn = work2.fn = multi_cpu_stop;
  work1.arg = work2.arg = &msdata;
  work1.done = work2.done = &done;
  set_state(&msdata, MULTI_STOP_PREPARE);
  // Both stoppers locked, lower vCPU first, so the pair goes in atomically.
  cpu_stopper* s1 = stopper_of(cpu1 < cpu2 ? cpu1 : cpu2);
  cpu_stopper* s2 = stopper_of(cpu1 < cpu2 ? cpu2 : cpu1);
  spin_lock_irq(&s1->lock);
  spin_lock(&s2->lock);
  bool ok = s1->enabled && s2->enabled;
  if (ok) {
    list_add_tail(&work1.list, &stopper_of(cpu1)->works);
    list_add_tail(&work2.list, &stopper_of(cpu2)->works);
  }
  task_struct* t1 = s1->thread;
  task_struct* t2 = s2->thread;
  spin_unlock(&s2->lock);
  spin_unlock_irq(&s1->lock);
  if (!ok) return -ENOENT;
  wake_up_process(t1);
  wake_up_process(t2);
  wait_for_completion(&done.done);
  return done.ret.load(std::memory_order_relaxed);
}

int stop_machine_cpuslocked(cpu_stop_fn_t fn, void* data, const cpumask* cpus) {
  multi_stop_data msdata;
  msdata.fn = fn;
  msdata.data = data;
  msdata.num_threads = num_online_cpus();
  msdata.active_cpus = cpus;
  if (!g_stop_machine_initialized) {
    // Before the stoppers exist there is only the boot context: run fn with interrupts off.
    unsigned long flags;
    local_irq_save(flags);
    int ret = fn(data);
    local_irq_restore(flags);
    return ret;
  }
  mutex_lock(&stop_cpus_mutex);
  set_state(&msdata, MULTI_STOP_PREPARE);
  cpu_stop_done done;
  const cpumask online = cpu_online_mask();
  cpu_stop_init_done(&done, online.weight());
  int ret;
  if (!queue_stop_cpus_work(online, multi_cpu_stop, &msdata, &done, false)) {
    ret = -ENOENT;
  } else {
    wait_for_completion(&done.done);
    ret = done.ret.load(std::memory_order_relaxed);
  }
  mutex_unlock(&stop_cpus_mutex);
  return ret;
}

int stop_machine(cpu_stop_fn_t fn, void* data, const cpumask* cpus) {
  cpus_read_lock();
  int ret = stop_machine_cpuslocked(fn, data, cpus);
  cpus_read_unlock();
  return ret;
}

task_struct* cpu_stopper_task(unsigned int cpu) {
  if (cpu >= static_cast<unsigned>(NR_CPUS)) return nullptr;
  return *per_cpu_ptr(&cpu_stopper_threads, static_cast<int>(cpu));
}

void stop_machine_park(int cpu) {
  cpu_stopper* s = stopper_of(static_cast<unsigned>(cpu));
  spin_lock_irq(&s->lock);
  s->enabled = false;
  spin_unlock_irq(&s->lock);
  if (s->thread) kthread_park(s->thread);
}

void stop_machine_unpark(int cpu) {
  cpu_stopper* s = stopper_of(static_cast<unsigned>(cpu));
  spin_lock_irq(&s->lock);
  s->enabled = true;
  spin_unlock_irq(&s->lock);
  if (s->thread) kthread_unpark(s->thread);
}

namespace internal {

int cpu_stop_init() {
  for (int cpu = 0; cpu < NR_CPUS; ++cpu) {
    cpu_stopper* s = per_cpu_ptr(&cpu_stoppers, cpu);
    s->thread = nullptr;
    s->enabled = false;
    INIT_LIST_HEAD(&s->works);
    *per_cpu_ptr(&cpu_stopper_threads, cpu) = nullptr;
  }
  g_stop_machine_initialized = false;
  g_leak_warned = false;
  int ret = smpboot_register_percpu_thread(&cpu_stop_threads);
  if (ret) {
    pr_err("cpu_stop: cannot start the stopper threads: %d\n", ret);
    return ret;
  }
  int cpu;
  for_each_online_cpu(cpu) {
    cpu_stopper* s = per_cpu_ptr(&cpu_stoppers, cpu);
    spin_lock_irq(&s->lock);
    s->thread = *per_cpu_ptr(&cpu_stopper_threads, cpu);
    spin_unlock_irq(&s->lock);
    stop_machine_unpark(cpu);  // selfparking: smpboot left it parked
  }
  g_stop_machine_initialized = true;
  return 0;
}

bool cpu_stop_settled() {
  for (int cpu = 0; cpu < g_kernel.nr_cpus; ++cpu) {
    if (!cpu_online(cpu)) continue;
    task_struct* t = *per_cpu_ptr(&cpu_stopper_threads, cpu);
    if (!t || task_is_running(t)) return false;
  }
  return true;
}

}  // namespace internal
}  // namespace ktl
