// Kernel threads: kthreadd and the kthread API (kernel/kthread.c).
#include "ktl/kthread/kthread.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>

#include "kthread/kthread_internal.h"
#include "sched/sched_internal.h"
#include "ktl/fs/proc.h"
#include "ktl/base/bug.h"
#include "ktl/base/list.h"
#include "ktl/kernel/boot.h"
#include "ktl/kernel/fork.h"
#include "ktl/kernel/printk.h"
#include "ktl/locking/spinlock.h"
#include "ktl/sched/completion.h"
#include "ktl/sched/signal.h"
#include "ktl/time/delay.h"

namespace ktl {

task_struct* kthreadd_task = nullptr;
completion g_kthreadd_ready;  // kthreadd finished its prologue

namespace {

// One kthread_create*() call (struct kthread_create_info).
struct kthread_create_info {
  char* full_name = nullptr;  // malloc'd; ownership passes to the new thread's struct kthread
  int (*threadfn)(void*) = nullptr;
  void* data = nullptr;
  int node = NUMA_NO_NODE;
  task_struct* result = nullptr;          // written by the creator side before complete(done)
  std::atomic<completion*> done{nullptr};  // swapped to nullptr by whoever settles ownership
  list_head list = {&list, &list};
};

spinlock_t kthread_create_lock;
list_head kthread_create_list = {&kthread_create_list, &kthread_create_list};
// Both written under kthread_create_lock.
bool g_kthreadd_exiting = false;
int g_create_list_len = 0;

std::atomic<bool> g_kthreadd_hold{false};
std::atomic<unsigned long> g_requests_taken{0};
std::atomic<int> g_fail_next_fork{0};
std::atomic<internal::kthread_handoff_hook*> g_handoff_hook{nullptr};

// WARN_ON_ONCE, but once per boot (so every boot of a test run can see the report).
std::atomic<unsigned long> g_boot_gen{0};

#define KTHREAD_WARN_ON_ONCE(cond)                                                         \
  ({                                                                                       \
    static std::atomic<unsigned long> __warned_gen{0};                                     \
    bool __c = !!(cond);                                                                   \
    if (KTL_UNLIKELY(__c)) {                                                               \
      unsigned long __gen = g_boot_gen.load(std::memory_order_relaxed);                    \
      if (__warned_gen.exchange(__gen, std::memory_order_relaxed) != __gen)                \
        ::ktl::warn_slowpath(__FILE__, __LINE__, __func__, nullptr);                       \
    }                                                                                      \
    KTL_UNLIKELY(__c);                                                                     \
  })

KTL_ALWAYS_INLINE bool test_kbit(const kthread* k, unsigned bit) noexcept {
  return k->flags.load(std::memory_order_acquire) & (1ul << bit);
}
KTL_ALWAYS_INLINE void set_kbit(kthread* k, unsigned bit) noexcept {
  k->flags.fetch_or(1ul << bit, std::memory_order_seq_cst);
}
KTL_ALWAYS_INLINE void clear_kbit(kthread* k, unsigned bit) noexcept {
  k->flags.fetch_and(~(1ul << bit), std::memory_order_seq_cst);
}

// The struct kthread of a kthread, nullptr for any other task (no warning).
// worker_private is set before a kthread first runs and only for PF_KTHREAD tasks, so it answers
// "is this a kthread" without reading task->flags, which the task itself rewrites (PF_EXITING).
KTL_ALWAYS_INLINE kthread* __to_kthread(task_struct* p) noexcept {
  return p ? p->worker_private : nullptr;
}

bool current_is_host() noexcept {
  return get_current()->ktl_flags & task_struct::kTaskHost;
}

// One step of a polling wait: let the target run (it may share our vCPU), then back off to
// sleeping once it takes long.
void poll_backoff(unsigned long iter) {
  if (current_is_host()) {
    if (internal::g_kernel.mach && internal::g_kernel.mach->simulated()) {
      internal::g_kernel.mach->host_idle(iter < 64 ? 1000 : 50000);  // let the machine run meanwhile
      return;
    }
    if (iter < 64)
      std::this_thread::yield();
    else
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    return;
  }
  if (iter < 256)
    yield();
  else
    schedule_timeout_uninterruptible(1);
}

// wait_task_inactive(): wait until p is off its vCPU and not runnable, sleeping in `state`.
// False if p is seen in any other state.
bool wait_task_inactive(task_struct* p, unsigned state) {
  for (unsigned long i = 0;; ++i) {
    unsigned w = p->state_word.load(std::memory_order_acquire);
    if ((w & task_struct::kStateMask) != state) return false;
    if (!(w & task_struct::kOnRqBit) && p->on_cpu.load(std::memory_order_acquire) == 0) {
      // Re-check: the state may have changed between the two loads.
      unsigned w2 = p->state_word.load(std::memory_order_acquire);
      if (w2 == w) return true;
      continue;
    }
    poll_backoff(i);
  }
}

void __kthread_bind_mask(task_struct* p, const cpumask* mask, unsigned state) {
  if (!wait_task_inactive(p, state)) {
    WARN_ON(1);
    return;
  }
  do_set_cpus_allowed(p, mask);
  p->flags |= PF_NO_SETAFFINITY;
}

void __kthread_bind(task_struct* p, unsigned int cpu, unsigned state) {
  cpumask m = cpumask::of(static_cast<int>(cpu));
  __kthread_bind_mask(p, &m, state);
}

void __kthread_parkme(kthread* self) {
  for (;;) {
    // TASK_PARKED is a special state: wake_up_process() does not end it, only
    // wake_up_state(p, TASK_PARKED) from kthread_unpark().
    set_special_state(TASK_PARKED);
    if (!test_kbit(self, KTHREAD_SHOULD_PARK)) break;
    complete(&self->parked);
    get_current()->blocked_at.func = "kthread_parkme";
    schedule();
  }
  __set_current_state(TASK_RUNNING);
  get_current()->blocked_at.func.store(nullptr, std::memory_order_relaxed);
}

// The first code of every kthread (kthread() in Linux).
int kthread_trampoline(void* _create) {
  auto* create = static_cast<kthread_create_info*>(_create);
  // Copy what we need: the request may be freed by the requester as soon as done completes.
  int (*threadfn)(void*) = create->threadfn;
  void* data = create->data;
  task_struct* cur = get_current();
  kthread* self = cur->worker_private;

  // The requester was killed and gave up: we own the request.
  completion* done = create->done.exchange(nullptr, std::memory_order_acq_rel);
  if (!done) {
    std::free(create->full_name);
    delete create;
    kthread_exit(-EINTR);
  }
  if (auto* hook = g_handoff_hook.exchange(nullptr, std::memory_order_acq_rel)) {
    complete(&hook->arrived);
    wait_for_completion(&hook->release);
  }
  self->full_name = create->full_name;
  create->full_name = nullptr;
  self->threadfn = threadfn;
  self->data = data;

  // Undo an RT (or batch/idle) policy an admin may have put on kthreadd; nice is kept.
  if (cur->policy != SCHED_NORMAL) {
    sched_param sp{0};
    sched_setscheduler_nocheck(cur, SCHED_NORMAL, &sp);
  }

  // Tell the requester we exist, then sleep until the first wake-up, stop or park.
  set_current_state(TASK_UNINTERRUPTIBLE);
  create->result = cur;
  complete_on_current_cpu(done);  // the requester resumes here once we sleep below
  cur->blocked_at.func = "kthread";
  // A stop that came before we set our state (poweroff can ask a kthread still starting up)
  // found nothing to wake: do not sleep through it.
  if (!test_kbit(self, KTHREAD_SHOULD_STOP)) schedule();
  __set_current_state(TASK_RUNNING);
  cur->blocked_at.func.store(nullptr, std::memory_order_relaxed);

  self->started.store(1, std::memory_order_release);
  if (!(cur->flags & PF_NO_SETAFFINITY)) {
    // Not bound by the creator: run on every housekeeping CPU (all possible CPUs here).
    do_set_cpus_allowed(cur, &cpu_possible_mask());
  }

  long ret = -EINTR;
  if (!test_kbit(self, KTHREAD_SHOULD_STOP)) {
    __kthread_parkme(self);
    ret = threadfn(data);
  }
  kthread_exit(ret);
}

// Fork one requested kthread (kthreadd context).
void create_kthread(kthread_create_info* create) {
  task_struct* p;
  kthread* k = nullptr;
  int inject = g_fail_next_fork.exchange(0, std::memory_order_relaxed);
  if (inject) {
    p = ERR_PTR<task_struct>(inject);
  } else if (!(k = new (std::nothrow) kthread())) {
    p = ERR_PTR<task_struct>(-ENOMEM);
  } else {
    kernel_clone_args a;
    a.flags = CLONE_FS | CLONE_FILES | SIGCHLD;
    a.fn = kthread_trampoline;
    a.fn_arg = create;
    a.name = create->full_name;
    a.kthread = true;
    a.exit_signal = SIGCHLD;
    p = copy_process(a);
  }
  if (IS_ERR(p)) {
    delete k;
    completion* done = create->done.exchange(nullptr, std::memory_order_acq_rel);
    std::free(create->full_name);
    create->full_name = nullptr;
    if (!done) {  // the requester was killed and gave up
      delete create;
      return;
    }
    create->result = p;
    complete(done);
    return;
  }
  // set_kthread_struct(): before the task first runs.
  k->task = p;
  k->node = create->node;
  p->worker_private = k;
  p->vfork_done = &k->exited;
  // The boot log tells which kthreads start-up created; later ones are not logged.
  if (KTL_UNLIKELY(system_state.load(std::memory_order_relaxed) < SYSTEM_RUNNING))
    printk(KERN_INFO "kthreadd: created kthread %s (pid %d)\n", create->full_name, p->pid);
  // Its first run only reports back and sleeps: place it here (kthreadd sleeps next).
  internal::wake_up_new_task_wf(p, WF_SYNC);
}

// kthreadd is exiting: fail a queued request with -EAGAIN.
void fail_request(kthread_create_info* create) {
  completion* done = create->done.exchange(nullptr, std::memory_order_acq_rel);
  std::free(create->full_name);
  create->full_name = nullptr;
  if (!done) {
    delete create;
    return;
  }
  create->result = ERR_PTR<task_struct>(-EAGAIN);
  complete(done);
}

}  // namespace

// ---- kthreadd ---------------------------------------------------------------------------------

int kthreadd(void*) {
  task_struct* tsk = get_current();
  set_task_comm(tsk, "kthreadd");
  ignore_signals(tsk);
  do_set_cpus_allowed(tsk, &cpu_possible_mask());
  if (!(tsk->flags & PF_NOFREEZE)) tsk->flags |= PF_NOFREEZE;  // rest_init set it already
  // rest_init (and so start_kernel) waits for this: an affinity the embedding program gives
  // kthreadd after boot must not be overwritten by the line above.
  complete(&g_kthreadd_ready);

  for (;;) {
    set_current_state(TASK_INTERRUPTIBLE);
    bool idle;
    spin_lock(&kthread_create_lock);
    idle = !g_kthreadd_exiting &&
           (list_empty(&kthread_create_list) || g_kthreadd_hold.load(std::memory_order_acquire));
    spin_unlock(&kthread_create_lock);
    if (idle) schedule();
    __set_current_state(TASK_RUNNING);

    spin_lock(&kthread_create_lock);
    if (g_kthreadd_exiting) {
      while (!list_empty(&kthread_create_list)) {
        auto* create = list_first_entry(&kthread_create_list, kthread_create_info, list);
        list_del_init(&create->list);
        g_create_list_len--;
        fail_request(create);
      }
      spin_unlock(&kthread_create_lock);
      do_exit(0);
    }
    while (!list_empty(&kthread_create_list) && !g_kthreadd_hold.load(std::memory_order_acquire)) {
      // FIFO: requests are appended at the tail and taken from the head.
      auto* create = list_first_entry(&kthread_create_list, kthread_create_info, list);
      list_del_init(&create->list);
      g_create_list_len--;
      spin_unlock(&kthread_create_lock);
      g_requests_taken.fetch_add(1, std::memory_order_relaxed);
      create_kthread(create);
      spin_lock(&kthread_create_lock);
    }
    spin_unlock(&kthread_create_lock);
  }
}

// ---- creation (requester side) ----------------------------------------------------------------

task_struct* vkthread_create_on_node(int (*threadfn)(void*), void* data, int node,
                                     const char* namefmt, va_list args) {
  completion done;
  auto* create = new (std::nothrow) kthread_create_info();
  if (!create) return ERR_PTR<task_struct>(-ENOMEM);
  create->threadfn = threadfn;
  create->data = data;
  create->node = node;
  if (vasprintf(&create->full_name, namefmt ? namefmt : "", args) < 0) {
    create->full_name = nullptr;
    delete create;
    return ERR_PTR<task_struct>(-ENOMEM);
  }
  create->done.store(&done, std::memory_order_relaxed);

  spin_lock(&kthread_create_lock);
  if (!kthreadd_task || g_kthreadd_exiting) {
    spin_unlock(&kthread_create_lock);
    std::free(create->full_name);
    delete create;
    return ERR_PTR<task_struct>(-EAGAIN);
  }
  list_add_tail(&create->list, &kthread_create_list);
  g_create_list_len++;
  // Woken under the lock: kthreadd cannot be on its way out while we hold it. WF_SYNC: we wait
  // for it next, so it may as well run here.
  try_to_wake_up(kthreadd_task, TASK_NORMAL, WF_SYNC);
  spin_unlock(&kthread_create_lock);

  // Killable: the requester may be chosen as an OOM victim while kthreadd works for it.
  if (KTL_UNLIKELY(wait_for_completion_killable(&done))) {
    // If we take `done` back, nobody will touch our on-stack completion any more: kthreadd or
    // the new thread frees the request (the thread exits with -EINTR without running threadfn).
    if (create->done.exchange(nullptr, std::memory_order_acq_rel)) return ERR_PTR<task_struct>(-EINTR);
    // The other side owns `done` already and is about to complete it.
    wait_for_completion(&done);
  }
  task_struct* task = create->result;
  delete create;
  return task;
}

task_struct* kthread_create_on_node(int (*threadfn)(void*), void* data, int node,
                                    const char* namefmt, ...) {
  va_list args;
  va_start(args, namefmt);
  task_struct* p = vkthread_create_on_node(threadfn, data, node, namefmt, args);
  va_end(args);
  return p;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
task_struct* kthread_create_on_cpu(int (*threadfn)(void*), void* data, unsigned int cpu,
                                   const char* namefmt) {
  // cpu_to_node(): one memory node.
  task_struct* p = kthread_create_on_node(threadfn, data, 0, namefmt, cpu);
  if (IS_ERR(p)) return p;
  kthread_bind(p, cpu);
  // CPU hotplug needs to bind once again when unparking the thread.
  to_kthread(p)->cpu = cpu;
  return p;
}
#pragma GCC diagnostic pop

// ---- struct kthread accessors -----------------------------------------------------------------

kthread* to_kthread(task_struct* k) {
  if (KTL_LIKELY(k && k->worker_private)) return k->worker_private;
  // Not a kthread — or a PF_KTHREAD task made with kernel_thread()/copy_process() directly,
  // which has no struct kthread here. Linux would dereference NULL; warn and fail instead.
  WARN_ON(true);
  return nullptr;
}

bool kthread_should_stop() {
  kthread* k = to_kthread(get_current());
  return k && test_kbit(k, KTHREAD_SHOULD_STOP);
}

bool __kthread_should_park(task_struct* k) {
  kthread* kt = to_kthread(k);
  return kt && test_kbit(kt, KTHREAD_SHOULD_PARK);
}

bool kthread_should_park() { return __kthread_should_park(get_current()); }

bool kthread_should_stop_or_park() {
  kthread* k = __to_kthread(get_current());
  if (!k) return false;
  return k->flags.load(std::memory_order_acquire) &
         ((1ul << KTHREAD_SHOULD_STOP) | (1ul << KTHREAD_SHOULD_PARK));
}

void* kthread_data(task_struct* k) {
  kthread* kt = to_kthread(k);
  return kt ? kt->data : nullptr;
}

void* kthread_probe_data(task_struct* k) {
  kthread* kt = __to_kthread(k);
  return kt ? kt->data : nullptr;
}

void* kthread_func(task_struct* k) {
  kthread* kt = __to_kthread(k);
  return kt ? reinterpret_cast<void*>(kt->threadfn) : nullptr;
}

bool kthread_is_per_cpu(task_struct* k) {
  kthread* kt = __to_kthread(k);
  return kt && test_kbit(kt, KTHREAD_IS_PER_CPU);
}

void kthread_set_per_cpu(task_struct* k, int cpu) {
  kthread* kt = to_kthread(k);
  if (!kt) return;
  KTHREAD_WARN_ON_ONCE(!(k->flags & PF_NO_SETAFFINITY));
  if (cpu < 0) {
    clear_kbit(kt, KTHREAD_IS_PER_CPU);
    return;
  }
  kt->cpu = static_cast<unsigned>(cpu);
  set_kbit(kt, KTHREAD_IS_PER_CPU);
}

void get_kthread_comm(char* buf, std::size_t buf_size, task_struct* tsk) {
  if (!buf || !buf_size) return;
  kthread* kt = __to_kthread(tsk);
  if (!kt || !kt->full_name) {
    get_task_comm(buf, buf_size, tsk);
    return;
  }
  std::snprintf(buf, buf_size, "%s", kt->full_name);
}

// ---- bind / park / stop -----------------------------------------------------------------------

void kthread_bind_mask(task_struct* p, const cpumask* mask) {
  kthread* kt = to_kthread(p);
  if (!kt) return;
  // Only before the first wake-up; afterwards: warn and leave the affinity alone.
  if (KTHREAD_WARN_ON_ONCE(kt->started.load(std::memory_order_acquire))) return;
  __kthread_bind_mask(p, mask, TASK_UNINTERRUPTIBLE);
}

void kthread_bind(task_struct* p, unsigned int cpu) {
  kthread* kt = to_kthread(p);
  if (!kt) return;
  if (KTHREAD_WARN_ON_ONCE(kt->started.load(std::memory_order_acquire))) return;
  __kthread_bind(p, cpu, TASK_UNINTERRUPTIBLE);
}

void kthread_parkme() {
  kthread* k = to_kthread(get_current());
  if (!k) return;
  __kthread_parkme(k);
}

int kthread_park(task_struct* k) {
  kthread* kt = to_kthread(k);
  if (!kt) return -EINVAL;
  // PF_EXITING in Linux; every kthread exit goes through kthread_exit(), which sets this bit
  // before do_exit() (reading task->flags here would race with the task's own writes).
  if (WARN_ON(test_kbit(kt, KTHREAD_EXITING))) return -ENOSYS;
  if (KTHREAD_WARN_ON_ONCE(test_kbit(kt, KTHREAD_SHOULD_PARK))) return -EBUSY;
  set_kbit(kt, KTHREAD_SHOULD_PARK);
  if (k != get_current()) {
    wake_up_process(k);
    // __kthread_parkme() completes `parked` right before its schedule(): it will be TASK_PARKED.
    wait_for_completion(&kt->parked);
    // Now wait for that schedule() to take it off its vCPU.
    if (!wait_task_inactive(k, TASK_PARKED)) {
      // It exited instead of parking (kthread_exit completes `parked` for us).
      if (test_kbit(kt, KTHREAD_EXITING)) return -ENOSYS;
      KTHREAD_WARN_ON_ONCE(true);
    }
  }
  return 0;
}

void kthread_unpark(task_struct* k) {
  kthread* kt = to_kthread(k);
  if (!kt) return;
  if (!test_kbit(kt, KTHREAD_SHOULD_PARK)) return;
  // A per-CPU thread may have lost its binding while its CPU was down: bind again while parked.
  if (test_kbit(kt, KTHREAD_IS_PER_CPU)) __kthread_bind(k, kt->cpu, TASK_PARKED);
  clear_kbit(kt, KTHREAD_SHOULD_PARK);
  // TASK_PARKED is special: only this wake-up ends it.
  wake_up_state(k, TASK_PARKED);
}

int kthread_stop(task_struct* k) {
  kthread* kt = to_kthread(k);
  if (!kt) return -EINVAL;
  get_task_struct(k);
  set_kbit(kt, KTHREAD_SHOULD_STOP);
  kthread_unpark(k);
  set_notify_signal(k);
  try_to_wake_up(k, TASK_NORMAL, WF_SYNC);  // we wait for it next
  wait_for_completion(&kt->exited);
  long ret = kt->result;
  put_task_struct(k);
  return static_cast<int>(ret);
}

int kthread_stop_put(task_struct* k) {
  int ret = kthread_stop(k);
  put_task_struct(k);
  return ret;
}

[[noreturn]] void kthread_exit(long result) {
  task_struct* cur = get_current();
  if (kthread* kt = to_kthread(cur)) {
    kt->result = result;
    set_kbit(kt, KTHREAD_EXITING);
    // A kthread_park() racing with our exit must not wait forever for a park that never comes.
    complete_all(&kt->parked);
  }
  do_exit(0);
}

[[noreturn]] void kthread_complete_and_exit(completion* comp, long code) {
  // Marked exiting before the completion: whoever waits on it (a module's exit) may unmap the
  // thread function's code the moment complete() returns, and from here on only core code runs.
  if (kthread* kt = to_kthread(get_current())) set_kbit(kt, KTHREAD_EXITING);
  if (comp) complete(comp);
  kthread_exit(code);
}

// ---- internal: lifetime, boot, poweroff, test hooks -------------------------------------------

namespace internal {

void kthread_poll_backoff(unsigned long iter) { poll_backoff(iter); }

bool kthread_wait_task_inactive(task_struct* p, unsigned state) {
  return wait_task_inactive(p, state);
}

void free_kthread_struct(task_struct* p) noexcept {
  kthread* k = p->worker_private;
  if (!k) return;
  p->worker_private = nullptr;
  if (p->vfork_done == &k->exited) p->vfork_done = nullptr;
  if (k->data_free) k->data_free(k->data);
  std::free(k->full_name);
  delete k;
}

// /proc and ps show a kthread's untruncated creation name (get_kthread_comm in Linux).
static const char* kthread_proc_full_name(const task_struct* p) {
  const kthread* k = p->worker_private;
  return k ? k->full_name : nullptr;
}

void kthreadd_wait_ready() noexcept { wait_for_completion(&g_kthreadd_ready); }

void kthread_boot_init() noexcept {
  init_completion(&g_kthreadd_ready);
  g_boot_gen.fetch_add(1, std::memory_order_relaxed);
  ktl_proc_full_name.store(&kthread_proc_full_name, std::memory_order_release);
  spin_lock(&kthread_create_lock);
  INIT_LIST_HEAD(&kthread_create_list);
  g_create_list_len = 0;
  g_kthreadd_exiting = false;
  spin_unlock(&kthread_create_lock);
  g_kthreadd_hold.store(false);
  g_fail_next_fork.store(0);
  g_handoff_hook.store(nullptr);
}

void kthreadd_set_task(task_struct* p) noexcept {
  get_task_struct(p);
  spin_lock(&kthread_create_lock);
  kthreadd_task = p;
  spin_unlock(&kthread_create_lock);
}

void kthreadd_request_exit() noexcept {
  spin_lock(&kthread_create_lock);
  g_kthreadd_exiting = true;
  g_kthreadd_hold.store(false);
  task_struct* p = kthreadd_task;
  if (p) wake_up_process(p);
  spin_unlock(&kthread_create_lock);
}

bool is_kthreadd(const task_struct* p) noexcept { return p && p == kthreadd_task; }

// kthreadd sets worker_private after the task is in the task list: poweroff may read it early
// (then it sees nullptr and catches the thread in its next round).
KTL_DATA_RACY static kthread* racy_kthread(const task_struct* k) { return k->worker_private; }

bool kthread_stop_nowait(task_struct* k) noexcept {
  // The caller checked PF_KTHREAD (a racy read of a word PF_EXITING shares).
  if (k == kthreadd_task) return false;
  kthread* kt = racy_kthread(k);
  if (!kt) return false;
  // Asked already (a previous round, or someone's kthread_stop): one wake-up is what
  // kthread_stop gives, more would only shake a thread that ignores it out of its sleep.
  if (kt->flags.fetch_or(1ul << KTHREAD_SHOULD_STOP) & (1ul << KTHREAD_SHOULD_STOP)) return false;
  kthread_unpark(k);
  set_notify_signal(k);
  wake_up_process(k);
  return true;
}

void kthreadd_release() noexcept {
  spin_lock(&kthread_create_lock);
  task_struct* p = kthreadd_task;
  kthreadd_task = nullptr;
  spin_unlock(&kthread_create_lock);
  if (p) put_task_struct(p);
}

void kthreadd_hold(bool hold) noexcept {
  g_kthreadd_hold.store(hold, std::memory_order_release);
  if (!hold) {
    spin_lock(&kthread_create_lock);
    if (kthreadd_task) wake_up_process(kthreadd_task);
    spin_unlock(&kthread_create_lock);
  }
}

int kthread_create_list_len() noexcept {
  spin_lock(&kthread_create_lock);
  int n = g_create_list_len;
  spin_unlock(&kthread_create_lock);
  return n;
}

unsigned long kthreadd_requests_taken() noexcept {
  return g_requests_taken.load(std::memory_order_relaxed);
}

void kthreadd_fail_next_fork(int err) noexcept { g_fail_next_fork.store(err); }

void kthread_set_handoff_hook(kthread_handoff_hook* h) noexcept { g_handoff_hook.store(h); }

}  // namespace internal
}  // namespace ktl
