// smpboot: per-CPU threads that follow their CPU through hotplug.
#include "ktl/kthread/smpboot.h"

#include <cstdlib>

#include "kthread/kthread_internal.h"
#include "ktl/base/bug.h"
#include "ktl/base/err.h"
#include "ktl/kernel/cpu.h"
#include "ktl/kernel/printk.h"
#include "ktl/kthread/kthread.h"
#include "ktl/locking/mutex.h"
#include "ktl/sched/preempt.h"
#include "ktl/sched/sched.h"

namespace ktl {
namespace {

enum : int { HP_THREAD_NONE = 0, HP_THREAD_ACTIVE, HP_THREAD_PARKED };

struct smpboot_thread_data {
  unsigned int cpu;
  int status;
  smp_hotplug_thread* ht;
};

LIST_HEAD(hotplug_threads);
DEFINE_MUTEX(smpboot_threads_lock);

int smpboot_thread_fn(void* data) {
  auto* td = static_cast<smpboot_thread_data*>(data);
  smp_hotplug_thread* ht = td->ht;
  for (;;) {
    set_current_state(TASK_INTERRUPTIBLE);
    preempt_disable();
    if (kthread_should_stop()) {
      __set_current_state(TASK_RUNNING);
      preempt_enable();
      if (ht->cleanup && td->status != HP_THREAD_NONE) ht->cleanup(td->cpu, cpu_online(td->cpu));
      std::free(td);
      return 0;
    }
    if (kthread_should_park()) {
      __set_current_state(TASK_RUNNING);
      preempt_enable();
      if (ht->park && td->status == HP_THREAD_ACTIVE) {
        BUG_ON(static_cast<unsigned>(smp_processor_id()) != td->cpu);
        ht->park(td->cpu);
        td->status = HP_THREAD_PARKED;
      }
      kthread_parkme();
      continue;
    }
    BUG_ON(static_cast<unsigned>(smp_processor_id()) != td->cpu);
    if (td->status == HP_THREAD_NONE) {
      __set_current_state(TASK_RUNNING);
      preempt_enable();
      if (ht->setup) ht->setup(td->cpu);
      td->status = HP_THREAD_ACTIVE;
      continue;
    }
    if (td->status == HP_THREAD_PARKED) {
      __set_current_state(TASK_RUNNING);
      preempt_enable();
      if (ht->unpark) ht->unpark(td->cpu);
      td->status = HP_THREAD_ACTIVE;
      continue;
    }
    if (!ht->thread_should_run(td->cpu)) {
      preempt_enable_no_resched();
      get_current()->blocked_at.func = "smpboot_thread_fn";
      schedule();
    } else {
      __set_current_state(TASK_RUNNING);
      preempt_enable();
      ht->thread_fn(td->cpu);
    }
  }
}

int create_thread(smp_hotplug_thread* ht, unsigned int cpu) {
  task_struct*& slot = *per_cpu_ptr(ht->store, static_cast<int>(cpu));
  if (slot) return 0;
  auto* td = static_cast<smpboot_thread_data*>(std::calloc(1, sizeof(smpboot_thread_data)));
  if (!td) return -ENOMEM;
  td->cpu = cpu;
  td->ht = ht;
  task_struct* tsk = kthread_create_on_cpu(smpboot_thread_fn, td, cpu, ht->thread_comm);
  if (IS_ERR(tsk)) {
    std::free(td);
    return static_cast<int>(PTR_ERR(tsk));
  }
  kthread_set_per_cpu(tsk, static_cast<int>(cpu));
  // It runs its prologue and parks without calling any callback.
  kthread_park(tsk);
  get_task_struct(tsk);
  slot = tsk;
  if (ht->create) {
    // create() may rely on the thread sitting parked and off its CPU (the stopper becomes the
    // CPU's stop task there).
    if (!internal::kthread_wait_task_inactive(tsk, TASK_PARKED))
      WARN_ON(1);
    else
      ht->create(cpu);
  }
  return 0;
}

void unpark_thread(smp_hotplug_thread* ht, unsigned int cpu) {
  task_struct* tsk = *per_cpu_ptr(ht->store, static_cast<int>(cpu));
  if (!ht->selfparking && tsk) kthread_unpark(tsk);
}

void park_thread(smp_hotplug_thread* ht, unsigned int cpu) {
  task_struct* tsk = *per_cpu_ptr(ht->store, static_cast<int>(cpu));
  if (tsk && !ht->selfparking) kthread_park(tsk);
}

void destroy_threads(smp_hotplug_thread* ht) {
  int cpu;
  for_each_possible_cpu(cpu) {
    task_struct*& slot = *per_cpu_ptr(ht->store, cpu);
    if (!slot) continue;
    kthread_stop_put(slot);
    slot = nullptr;
  }
}

}  // namespace

namespace internal {

int smpboot_create_threads(unsigned int cpu) {
  int ret = 0;
  mutex_lock(&smpboot_threads_lock);
  for (list_head* pos = hotplug_threads.next; pos != &hotplug_threads; pos = pos->next) {
    auto* ht = container_of(pos, smp_hotplug_thread, list);
    ret = create_thread(ht, cpu);
    if (ret) break;
  }
  mutex_unlock(&smpboot_threads_lock);
  return ret;
}

int smpboot_unpark_threads(unsigned int cpu) {
  mutex_lock(&smpboot_threads_lock);
  for (list_head* pos = hotplug_threads.next; pos != &hotplug_threads; pos = pos->next)
    unpark_thread(container_of(pos, smp_hotplug_thread, list), cpu);
  mutex_unlock(&smpboot_threads_lock);
  return 0;
}

int smpboot_park_threads(unsigned int cpu) {
  mutex_lock(&smpboot_threads_lock);
  for (list_head* pos = hotplug_threads.prev; pos != &hotplug_threads; pos = pos->prev)
    park_thread(container_of(pos, smp_hotplug_thread, list), cpu);
  mutex_unlock(&smpboot_threads_lock);
  return 0;
}

bool smpboot_settled() {
  bool settled = true;
  mutex_lock(&smpboot_threads_lock);
  for (list_head* pos = hotplug_threads.next; pos != &hotplug_threads && settled; pos = pos->next) {
    auto* ht = container_of(pos, smp_hotplug_thread, list);
    int cpu;
    for_each_online_cpu(cpu) {
      task_struct* t = *per_cpu_ptr(ht->store, cpu);
      if (!t || task_is_running(t)) {
        settled = false;
        break;
      }
    }
  }
  mutex_unlock(&smpboot_threads_lock);
  return settled;
}

// Poweroff stopped every kthread: drop the slots' references and forget the registrations, so
// the next boot starts from nothing.
void smpboot_fini() {
  while (hotplug_threads.next != &hotplug_threads) {
    auto* ht = container_of(hotplug_threads.next, smp_hotplug_thread, list);
    list_del(&ht->list);
    int cpu;
    for_each_possible_cpu(cpu) {
      task_struct*& slot = *per_cpu_ptr(ht->store, cpu);
      if (slot) put_task_struct(slot);
      slot = nullptr;
    }
  }
}

}  // namespace internal

int smpboot_register_percpu_thread(smp_hotplug_thread* plug_thread) {
  int ret = 0;
  cpus_read_lock();
  mutex_lock(&smpboot_threads_lock);
  int cpu;
  for_each_online_cpu(cpu) {
    ret = create_thread(plug_thread, static_cast<unsigned>(cpu));
    if (ret) {
      destroy_threads(plug_thread);
      goto out;
    }
    unpark_thread(plug_thread, static_cast<unsigned>(cpu));
  }
  list_add_tail(&plug_thread->list, &hotplug_threads);  // park walks it backwards
out:
  mutex_unlock(&smpboot_threads_lock);
  cpus_read_unlock();
  return ret;
}

void smpboot_unregister_percpu_thread(smp_hotplug_thread* plug_thread) {
  cpus_read_lock();
  mutex_lock(&smpboot_threads_lock);
  list_del(&plug_thread->list);
  destroy_threads(plug_thread);
  mutex_unlock(&smpboot_threads_lock);
  cpus_read_unlock();
}

}  // namespace ktl
