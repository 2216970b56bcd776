// Workqueues: worker pools, pool_workqueues, concurrency management, flushing, rescuers and the
// stall watchdog (kernel/workqueue.c). The public contract is in ktl/workqueue/workqueue.h.
//
// Locks, outermost first:
//   wq->flush_mutex   one flush_workqueue() at a time per queue (Linux overlaps flushers with a
//                     queue of colours; serialising them keeps the "items queued before the call"
//                     guarantee and still cannot livelock: each flush waits for one colour only)
//   wq->mutex         DRAINING/DESTROYING, nr_drainers, max_active changes
//   g_wq_list_lock    the list of workqueues (walked by the watchdog from timer context; the dump
//                     takes pool locks under it)
//   pool->lock        everything about a pool and its pwqs: lists, counts, busy hash, colours
//   g_mayday_lock     wq->maydays and wq->rescuer
//
// work->data is the single word that says where an item is, as in Linux: while PENDING and
// queued it holds the pwq pointer (PWQ bit); otherwise the id of the pool that last ran it and
// the disable count. Whoever set PENDING owns the item until it is on a list.

#include "ktl/workqueue/workqueue.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "ktl/base/bug.h"
#include "ktl/base/err.h"
#include "ktl/fs/proc.h"
#include "ktl/kernel/cpu.h"
#include "ktl/kernel/printk.h"
#include "ktl/kthread/kthread.h"
#include "ktl/locking/mutex.h"
#include "ktl/locking/spinlock.h"
#include "ktl/sched/completion.h"
#include "ktl/sched/preempt.h"
#include "ktl/sched/sched.h"
#include "ktl/time/delay.h"
#include "ktl/time/jiffies.h"
#include "kthread/kthread_internal.h"
#include "kernel/callbacks_internal.h"
#include "workqueue/workqueue_internal.h"

namespace ktl {

workqueue_struct* system_wq = nullptr;
workqueue_struct* system_percpu_wq = nullptr;
workqueue_struct* system_highpri_wq = nullptr;
workqueue_struct* system_long_wq = nullptr;
workqueue_struct* system_unbound_wq = nullptr;
workqueue_struct* system_dfl_wq = nullptr;
workqueue_struct* system_freezable_wq = nullptr;
workqueue_struct* system_power_efficient_wq = nullptr;
workqueue_struct* system_freezable_power_efficient_wq = nullptr;

namespace {

// ---- constants ---------------------------------------------------------------------------------
constexpr int kBusyHashSize = 64;
constexpr int kMaxIdleWorkersRatio = 4;
constexpr unsigned long kIdleWorkerTimeoutSec = 300;
constexpr int kRescuerBatch = 16;
constexpr int kHighpriNice = MIN_NICE;
constexpr int kDrainWarnFirst = 10;
constexpr unsigned long WORK_STRUCT_COLOR_MASK = ((1ul << WORK_STRUCT_COLOR_BITS) - 1)
                                                 << WORK_STRUCT_COLOR_SHIFT;
constexpr unsigned long WORK_STRUCT_PWQ_MASK = ~((1ul << WORK_STRUCT_FLAG_BITS) - 1);
constexpr unsigned long WORK_OFFQ_DISABLE_MASK = WORK_OFFQ_DISABLE_MAX << WORK_OFFQ_DISABLE_SHIFT;
constexpr unsigned long WORK_OFFQ_FLAG_MASK = (1ul << WORK_OFFQ_POOL_SHIFT) - 1 -
                                              ((1ul << WORK_STRUCT_FLAG_BITS) - 1);

// pool->flags
constexpr unsigned POOL_MANAGER_ACTIVE = 1u << 0;
constexpr unsigned POOL_DISASSOCIATED = 1u << 2;

// worker->flags
constexpr unsigned WORKER_DIE = 1u << 1;
constexpr unsigned WORKER_IDLE = 1u << 2;
constexpr unsigned WORKER_PREP = 1u << 3;
constexpr unsigned WORKER_CPU_INTENSIVE = 1u << 6;
constexpr unsigned WORKER_UNBOUND = 1u << 7;
constexpr unsigned WORKER_REBOUND = 1u << 8;
constexpr unsigned WORKER_NOT_RUNNING =
    WORKER_PREP | WORKER_CPU_INTENSIVE | WORKER_UNBOUND | WORKER_REBOUND;

// cancel flags
constexpr unsigned WORK_CANCEL_DELAYED = 1u << 0;
constexpr unsigned WORK_CANCEL_DISABLE = 1u << 1;

struct worker_pool;
struct pool_workqueue;

struct worker {
  list_head entry;                       // pool: idle_list while idle
  list_head hentry;                      // pool: busy hash bucket while running an item
  work_struct* current_work = nullptr;   // pool
  work_func_t current_func = nullptr;    // pool
  pool_workqueue* current_pwq = nullptr; // pool
  u64 current_at = 0;                    // the task's runtime when the item started / woke
  int current_color = 0;
  int sleeping = 0;                      // S: counted out of nr_running by wq_worker_sleeping
  work_func_t last_func = nullptr;
  list_head scheduled;                   // pool: items assigned to this worker
  task_struct* task = nullptr;
  worker_pool* pool = nullptr;           // nullptr for a detached rescuer
  list_head node;                        // pool->workers
  unsigned long last_active = 0;         // jiffies when it last went idle
  unsigned flags = 0;                    // pool
  int id = -1;
  char desc[WORKER_DESC_LEN] = {};       // pool
  char name[KTHREAD_NAME_LEN] = {};      // I (then "kworker/dying")
  workqueue_struct* rescue_wq = nullptr; // I: set for rescuers

  worker() {
    INIT_LIST_HEAD(&entry);
    INIT_LIST_HEAD(&hentry);
    INIT_LIST_HEAD(&scheduled);
    INIT_LIST_HEAD(&node);
  }
};

struct worker_pool {
  spinlock_t lock;
  int cpu = -1;                          // -1: unbound
  int id = 0;
  int nice = 0;
  unsigned flags = 0;                    // lock
  cpumask cpus;
  unsigned long watchdog_ts = 0;         // lock (read racily by the watchdog)
  std::atomic<int> nr_running{0};        // counting workers that are runnable
  list_head worklist;                    // lock
  int nr_workers = 0;                    // lock
  int nr_idle = 0;                       // lock
  list_head idle_list;                   // lock: most recently idle first
  list_head workers;                     // lock: every attached worker
  list_head busy_hash[kBusyHashSize];    // lock
  worker* manager = nullptr;             // lock
  timer_list idle_timer;
  timer_list mayday_timer;
  work_struct idle_cull_work;
  std::vector<u64> ids;                  // lock: worker id allocator (bitmap)

  worker_pool() {
    INIT_LIST_HEAD(&worklist);
    INIT_LIST_HEAD(&idle_list);
    INIT_LIST_HEAD(&workers);
    for (auto& h : busy_hash) INIT_LIST_HEAD(&h);
  }
};

struct alignas(1u << WORK_STRUCT_FLAG_BITS) pool_workqueue {
  worker_pool* pool = nullptr;           // I
  workqueue_struct* wq = nullptr;        // I
  int work_color = 0;                    // pool->lock
  int flush_color = -1;                  // pool->lock
  int refcnt = 1;                        // pool->lock
  int nr_in_flight[WORK_NR_COLORS] = {}; // pool->lock
  int nr_active = 0;                     // pool->lock
  int max_active = 0;                    // pool->lock
  list_head inactive_works;              // pool->lock
  list_head pwqs_node;                   // wq->pwqs (fixed after creation)
  list_head mayday_node;                 // g_mayday_lock

  pool_workqueue() {
    INIT_LIST_HEAD(&inactive_works);
    INIT_LIST_HEAD(&pwqs_node);
    INIT_LIST_HEAD(&mayday_node);
  }
};

}  // namespace

struct workqueue_struct {
  list_head pwqs;                        // I after alloc
  list_head list;                        // g_wq_list_lock
  mutex mtx;
  mutex flush_mutex;
  std::atomic<int> nr_pwqs_to_flush{0};
  completion* flush_done = nullptr;      // flush_mutex (read under pool->lock)
  list_head maydays;                     // g_mayday_lock
  worker* rescuer = nullptr;             // g_mayday_lock
  int nr_drainers = 0;                   // mtx
  int saved_max_active = 0;              // mtx
  int min_active = 0;                    // mtx
  std::atomic<unsigned> flags{0};
  char name[WQ_NAME_LEN] = {};
  std::vector<pool_workqueue*> cpu_pwq;  // I: per vCPU (all the same pwq when unbound)

  workqueue_struct() {
    INIT_LIST_HEAD(&pwqs);
    INIT_LIST_HEAD(&list);
    INIT_LIST_HEAD(&maydays);
    mutex_init(&mtx);
    mutex_init(&flush_mutex);
  }
};

namespace {

// ---- global state (one kernel at a time) -------------------------------------------------------
std::vector<worker_pool*> g_pools;   // by pool id; BH slots stay nullptr
std::vector<task_struct*> g_boot_workers;  // referenced until they first sleep
int g_nr_cpus = 0;
bool g_wq_online = false;            // workers can be created
std::atomic<bool> g_shutting_down{false};
spinlock_t g_mayday_lock;
spinlock_t g_wq_list_lock;
list_head g_workqueues = LIST_HEAD_INIT(g_workqueues);
list_head g_destroyed = LIST_HEAD_INIT(g_destroyed);  // tombstones, see destroy_workqueue()
int g_nr_destroyed = 0;
constexpr int kMaxTombstones = 256;
std::atomic<unsigned> g_host_rr{0};
std::atomic<int> g_inject_create_failures{0};
std::atomic<unsigned long> g_cpu_intensive_thresh_us{10000};
std::atomic<bool> g_power_efficient{false};
// Watchdog.
std::atomic<unsigned long> g_watchdog_thresh{30};
timer_list g_watchdog_timer;
std::atomic<bool> g_watchdog_armed{false};
std::atomic<unsigned long> g_watchdog_touched{0};
std::vector<std::atomic<unsigned long>>* g_watchdog_cpu_touched = nullptr;

int unbound_pool_id(bool highpri) { return 4 * g_nr_cpus + (highpri ? 1 : 0); }
int cpu_pool_id(int cpu, bool highpri) { return 4 * cpu + 2 + (highpri ? 1 : 0); }

KTL_ALWAYS_INLINE unsigned wq_flags(const workqueue_struct* wq) {
  return wq->flags.load(std::memory_order_relaxed);
}

// ---- work->data -------------------------------------------------------------------------------
KTL_ALWAYS_INLINE unsigned long work_data(const work_struct* w) {
  return w->data.load(std::memory_order_acquire);
}
KTL_ALWAYS_INLINE pool_workqueue* data_pwq(unsigned long d) {
  return (d & WORK_STRUCT_PWQ) ? reinterpret_cast<pool_workqueue*>(d & WORK_STRUCT_PWQ_MASK)
                               : nullptr;
}
KTL_ALWAYS_INLINE int data_color(unsigned long d) {
  return static_cast<int>((d & WORK_STRUCT_COLOR_MASK) >> WORK_STRUCT_COLOR_SHIFT);
}
KTL_ALWAYS_INLINE unsigned long color_flags(int color) {
  return static_cast<unsigned long>(color) << WORK_STRUCT_COLOR_SHIFT;
}
KTL_ALWAYS_INLINE pool_workqueue* get_work_pwq(const work_struct* w) {
  return data_pwq(work_data(w));
}
worker_pool* get_work_pool(const work_struct* w) {
  unsigned long d = work_data(w);
  if (pool_workqueue* pwq = data_pwq(d)) return pwq->pool;
  unsigned long id = d >> WORK_OFFQ_POOL_SHIFT;
  if (id == WORK_OFFQ_POOL_NONE || id >= g_pools.size()) return nullptr;
  return g_pools[id];
}
// Queued: data = pwq | PWQ | PENDING | flags.
KTL_ALWAYS_INLINE void set_work_pwq(work_struct* w, pool_workqueue* pwq, unsigned long flags) {
  w->data.store(reinterpret_cast<unsigned long>(pwq) | WORK_STRUCT_PWQ | WORK_STRUCT_PENDING |
                    flags,
                std::memory_order_release);
}
KTL_ALWAYS_INLINE unsigned long offq_data(unsigned long pool_id, unsigned long offq_flags) {
  return (pool_id << WORK_OFFQ_POOL_SHIFT) | (offq_flags & WORK_OFFQ_FLAG_MASK);
}
KTL_ALWAYS_INLINE void set_work_pool_and_keep_pending(work_struct* w, unsigned long pool_id,
                                                      unsigned long offq_flags) {
  w->data.store(offq_data(pool_id, offq_flags) | WORK_STRUCT_PENDING, std::memory_order_release);
}
KTL_ALWAYS_INLINE void set_work_pool_and_clear_pending(work_struct* w, unsigned long pool_id,
                                                       unsigned long offq_flags) {
  // Release: everything the queuer wrote before queue_work() (and this worker's bookkeeping)
  // is visible to whoever re-queues the item after seeing PENDING clear.
  w->data.store(offq_data(pool_id, offq_flags), std::memory_order_release);
  // Full barrier (Linux: smp_mb() here): the clear of PENDING must be ordered before the
  // function's loads, or a queuer whose test_and_set fails could assume the function will see
  // its update while the function runs on stale data.
  std::atomic_thread_fence(std::memory_order_seq_cst);
}
// Off-queue decoding (valid only without the PWQ bit).
struct offq_data_t {
  unsigned long pool_id = WORK_OFFQ_POOL_NONE;
  unsigned long disable = 0;
  unsigned long flags = 0;  // OFFQ_BH
};
offq_data_t offq_unpack(unsigned long d) {
  offq_data_t o;
  if (d & WORK_STRUCT_PWQ) {
    o.pool_id = data_pwq(d)->pool->id;
    return o;
  }
  o.pool_id = d >> WORK_OFFQ_POOL_SHIFT;
  o.disable = (d & WORK_OFFQ_DISABLE_MASK) >> WORK_OFFQ_DISABLE_SHIFT;
  o.flags = d & (1ul << WORK_OFFQ_BH_BIT);
  return o;
}
unsigned long offq_pack_flags(const offq_data_t& o) {
  return (o.disable << WORK_OFFQ_DISABLE_SHIFT) | o.flags;
}
// Called with PENDING just won: if the item is disabled, give PENDING back. true if disabled.
bool clear_pending_if_disabled(work_struct* w) {
  unsigned long d = work_data(w);
  if (KTL_LIKELY(!(d & WORK_OFFQ_DISABLE_MASK))) return false;
  offq_data_t o = offq_unpack(d);
  set_work_pool_and_clear_pending(w, o.pool_id, offq_pack_flags(o));
  return true;
}
KTL_ALWAYS_INLINE bool test_and_set_pending(work_struct* w) {
  return w->data.fetch_or(WORK_STRUCT_PENDING, std::memory_order_acq_rel) & WORK_STRUCT_PENDING;
}

// ---- small helpers -----------------------------------------------------------------------------
worker* current_wq_worker() {
  task_struct* cur = get_current();
  if (!(cur->flags & PF_WQ_WORKER) || !in_task()) return nullptr;
  return static_cast<worker*>(cur->worker_private->data);
}

int local_cpu() {
  task_struct* cur = get_current();
  if (KTL_UNLIKELY(cur->ktl_flags & task_struct::kTaskHost)) {
    // A host thread has no vCPU; spread its per-CPU work round-robin over the online vCPUs.
    const cpumask on = cpu_online_mask();
    int n = on.weight();
    int k = static_cast<int>(g_host_rr.fetch_add(1, std::memory_order_relaxed) % n);
    int cpu = on.first();
    while (k-- > 0) cpu = on.next(cpu + 1);
    return cpu;
  }
  return smp_processor_id();
}

KTL_ALWAYS_INLINE list_head* busy_bucket(worker_pool* pool, const work_struct* w) {
  auto h = reinterpret_cast<std::uintptr_t>(w);
  h ^= h >> 17;
  h *= 0x9E3779B97F4A7C15ull;
  return &pool->busy_hash[h >> 58];
}

// The worker running `work` in `pool` (same address and same function), if any.
worker* find_worker_executing_work(worker_pool* pool, work_struct* work) {
  list_head* b = busy_bucket(pool, work);
  for (list_head* p = b->next; p != b; p = p->next) {
    worker* w = container_of(p, worker, hentry);
    if (w->current_work == work && w->current_func == work->func) return w;
  }
  return nullptr;
}

// ---- pool state predicates (pool->lock) ----------------------------------------------------------
bool need_more_worker(worker_pool* pool) {
  return !list_empty(&pool->worklist) && !pool->nr_running.load(std::memory_order_relaxed);
}
bool may_start_working(worker_pool* pool) { return pool->nr_idle; }
bool keep_working(worker_pool* pool) {
  return !list_empty(&pool->worklist) && pool->nr_running.load(std::memory_order_relaxed) <= 1;
}
bool need_to_create_worker(worker_pool* pool) {
  return need_more_worker(pool) && !may_start_working(pool);
}
bool too_many_workers(worker_pool* pool) {
  bool managing = pool->flags & POOL_MANAGER_ACTIVE;
  int nr_idle = pool->nr_idle + managing;
  int nr_busy = pool->nr_workers - nr_idle;
  return nr_idle > 2 && (nr_idle - 2) * kMaxIdleWorkersRatio >= nr_busy;
}

void worker_set_flags(worker* w, unsigned flags) {
  worker_pool* pool = w->pool;
  if ((flags & WORKER_NOT_RUNNING) && !(w->flags & WORKER_NOT_RUNNING))
    pool->nr_running.fetch_sub(1, std::memory_order_relaxed);
  w->flags |= flags;
}
void worker_clr_flags(worker* w, unsigned flags) {
  worker_pool* pool = w->pool;
  unsigned old = w->flags;
  w->flags &= ~flags;
  if ((flags & WORKER_NOT_RUNNING) && (old & WORKER_NOT_RUNNING) &&
      !(w->flags & WORKER_NOT_RUNNING))
    pool->nr_running.fetch_add(1, std::memory_order_relaxed);
}

worker* first_idle_worker(worker_pool* pool) {
  if (list_empty(&pool->idle_list)) return nullptr;
  return list_first_entry(&pool->idle_list, worker, entry);
}

// Wakes an idle worker if the pool needs one. true if it woke one.
bool kick_pool(worker_pool* pool) {
  worker* w = first_idle_worker(pool);
  if (!need_more_worker(pool) || !w) return false;
  // An idle worker declares TASK_IDLE under this lock before it sleeps, so RUNNING seen here means
  // it was woken already and has not taken the lock yet: it will find the work without another
  // wake-up (a producer queueing a burst otherwise pays try_to_wake_up's full fence per item).
  if (task_state(w->task) != TASK_RUNNING) wake_up_process(w->task);
  return true;
}

// ---- CPU hotplug: where a pool's workers may run -------------------------------------------------
// The vCPUs the workers of a disassociated per-CPU pool use: every possible one except the pool's
// own CPU, which is going down or is down (the scheduler only places them on online ones). Linux
// uses wq_unbound_cpumask; leaving the dying CPU out keeps them off it from the moment the pool
// is unbound, before stop_machine clears it from the online mask.
cpumask unbound_cpus_except(int cpu) {
  cpumask m = cpu_possible_mask();
  m.clear(cpu);
  if (m.empty()) m = cpu_possible_mask();
  return m;
}

// pool_allowed_cpus(): the affinity of the pool's workers now (pool->lock held).
cpumask pool_allowed_cpus(const worker_pool* pool) {
  if (pool->cpu >= 0 && (pool->flags & POOL_DISASSOCIATED)) return unbound_cpus_except(pool->cpu);
  return pool->cpus;
}

// worker->flags is read without pool->lock by the scheduler hooks of the worker itself, which may
// still be running on another vCPU when CPU hotplug rewrites it (WRITE_ONCE in Linux).
KTL_ALWAYS_INLINE unsigned worker_flags_once(const worker* w) {
  return __atomic_load_n(&w->flags, __ATOMIC_RELAXED);
}
KTL_ALWAYS_INLINE void worker_set_flags_once(worker* w, unsigned flags) {
  __atomic_store_n(&w->flags, flags, __ATOMIC_RELAXED);
}

void worker_enter_idle(worker* w) {
  worker_pool* pool = w->pool;
  if (WARN_ON_ONCE((w->flags & WORKER_IDLE) || !list_empty(&w->entry))) return;
  w->flags |= WORKER_IDLE;
  pool->nr_idle++;
  w->last_active = get_jiffies();
  list_add(&w->entry, &pool->idle_list);
  if (too_many_workers(pool) && !timer_pending(&pool->idle_timer) &&
      !g_shutting_down.load(std::memory_order_relaxed))
    mod_timer(&pool->idle_timer, get_jiffies() + kIdleWorkerTimeoutSec * hz());
}
void worker_leave_idle(worker* w) {
  worker_pool* pool = w->pool;
  if (WARN_ON_ONCE(!(w->flags & WORKER_IDLE))) return;
  worker_clr_flags(w, WORKER_IDLE);
  pool->nr_idle--;
  list_del_init(&w->entry);
}

// Moves `work` and the barriers linked behind it to `head`; *nextp = what followed them.
void move_linked_works(work_struct* work, list_head* head, list_head** nextp) {
  list_head* p = &work->entry;
  for (;;) {
    list_head* n = p->next;
    work_struct* w = container_of(p, work_struct, entry);
    list_move_tail(p, head);
    if (!(work_data(w) & WORK_STRUCT_LINKED)) {
      if (nextp) *nextp = n;
      return;
    }
    p = n;
  }
}

bool assign_work(work_struct* work, worker* w, list_head** nextp) {
  worker_pool* pool = w->pool;
  if (worker* collision = find_worker_executing_work(pool, work)) {
    // Non-reentrancy: the item runs on another worker of this pool; it goes after that run.
    move_linked_works(work, &collision->scheduled, nextp);
    return false;
  }
  move_linked_works(work, &w->scheduled, nextp);
  return true;
}

void insert_work(pool_workqueue* pwq, work_struct* work, list_head* head, unsigned long flags) {
  set_work_pwq(work, pwq, flags);
  list_add_tail(&work->entry, head);
  pwq->refcnt++;
}

// An inactive item becomes active: to the pool's worklist with its linked barriers.
void pwq_activate_work(pool_workqueue* pwq, work_struct* work) {
  worker_pool* pool = pwq->pool;
  unsigned long d = work_data(work);
  if (!(d & WORK_STRUCT_INACTIVE)) return;
  if (list_empty(&pool->worklist)) pool->watchdog_ts = get_jiffies();
  move_linked_works(work, &pool->worklist, nullptr);
  work->data.fetch_and(~WORK_STRUCT_INACTIVE, std::memory_order_relaxed);
  pwq->nr_active++;
}

void pwq_activate_first_inactive(pool_workqueue* pwq) {
  if (list_empty(&pwq->inactive_works) || pwq->nr_active >= pwq->max_active) return;
  work_struct* w = list_first_entry(&pwq->inactive_works, work_struct, entry);
  pwq_activate_work(pwq, w);
}

void pwq_dec_nr_in_flight(pool_workqueue* pwq, unsigned long data) {
  int color = data_color(data);
  if (!(data & WORK_STRUCT_INACTIVE)) {
    pwq->nr_active--;
    if (!list_empty(&pwq->inactive_works) && pwq->nr_active < pwq->max_active) {
      pwq_activate_first_inactive(pwq);
      kick_pool(pwq->pool);
    }
  }
  pwq->nr_in_flight[color]--;
  pwq->refcnt--;
  if (KTL_LIKELY(pwq->flush_color != color)) return;
  if (pwq->nr_in_flight[color]) return;
  pwq->flush_color = -1;
  workqueue_struct* wq = pwq->wq;
  if (wq->nr_pwqs_to_flush.fetch_sub(1, std::memory_order_acq_rel) == 1) complete(wq->flush_done);
}

// ---- watchdog ---------------------------------------------------------------------------------
void wq_watchdog_arm() {
  unsigned long thresh = g_watchdog_thresh.load(std::memory_order_relaxed);
  if (!thresh || g_shutting_down.load(std::memory_order_relaxed)) return;
  if (g_watchdog_armed.exchange(true, std::memory_order_acq_rel)) return;
  mod_timer(&g_watchdog_timer, get_jiffies() + thresh * hz());
}
KTL_ALWAYS_INLINE void wq_watchdog_kick() {
  if (KTL_UNLIKELY(!g_watchdog_armed.load(std::memory_order_relaxed))) wq_watchdog_arm();
}

// ---- queueing -----------------------------------------------------------------------------------
bool is_chained_work(workqueue_struct* wq) {
  worker* w = current_wq_worker();
  return w && w->current_pwq && w->current_pwq->wq == wq;
}

// The pool `cpu` uses for wq has been unbound from its CPU (always true for unbound pools).
bool cpu_pool_disassociated(workqueue_struct* wq, int cpu) {
  worker_pool* pool = wq->cpu_pwq[static_cast<std::size_t>(cpu)]->pool;
  spin_lock(&pool->lock);
  bool ret = pool->flags & POOL_DISASSOCIATED;
  spin_unlock(&pool->lock);
  return ret;
}

void __queue_work(int req_cpu, workqueue_struct* wq, work_struct* work) {
  unsigned flags = wq_flags(wq);
  if (KTL_UNLIKELY(flags & (__WQ_DESTROYING | __WQ_DRAINING)) &&
      WARN_ONCE(!is_chained_work(wq), "workqueue: cannot queue %ps on wq %s\n",
                reinterpret_cast<void*>(work->func), wq->name))
    return;
  int cpu = req_cpu;
  if (cpu == WORK_CPU_UNBOUND || cpu < 0 || cpu >= g_nr_cpus) {
    if (cpu != WORK_CPU_UNBOUND) WARN_ONCE(true, "workqueue: cpu %d is not online\n", cpu);
    cpu = local_cpu();
  } else if (KTL_UNLIKELY(!cpu_online(cpu)) && !cpu_pool_disassociated(wq, cpu)) {
    // Offline, and its pool was never unbound (CPU hotplug did not run workqueue_offline_cpu):
    // its workers would wait for that vCPU. An unbound pool of an offline CPU keeps serving it,
    // as in Linux: the item runs elsewhere.
    WARN_ONCE(true, "workqueue: cpu %d is not online\n", cpu);
    cpu = local_cpu();
  }
  pool_workqueue* pwq = wq->cpu_pwq[cpu];
  worker_pool* pool = pwq->pool;
  worker_pool* last_pool = get_work_pool(work);
  if (last_pool && last_pool != pool && !(flags & __WQ_ORDERED)) {
    // Still running on the pool that last had it? Then it must go there (non-reentrancy).
    spin_lock(&last_pool->lock);
    worker* w = find_worker_executing_work(last_pool, work);
    if (w && w->current_pwq->wq == wq) {
      pwq = w->current_pwq;
      pool = last_pool;
    } else {
      spin_unlock(&last_pool->lock);
      spin_lock(&pool->lock);
    }
  } else {
    spin_lock(&pool->lock);
  }
  if (WARN_ON(!list_empty(&work->entry))) {
    spin_unlock(&pool->lock);
    return;
  }
  pwq->nr_in_flight[pwq->work_color]++;
  unsigned long wflags = color_flags(pwq->work_color);
  if (KTL_LIKELY(list_empty(&pwq->inactive_works) && pwq->nr_active < pwq->max_active)) {
    if (list_empty(&pool->worklist)) pool->watchdog_ts = get_jiffies();
    pwq->nr_active++;
    insert_work(pwq, work, &pool->worklist, wflags);
    kick_pool(pool);
  } else {
    insert_work(pwq, work, &pwq->inactive_works, wflags | WORK_STRUCT_INACTIVE);
  }
  spin_unlock(&pool->lock);
  wq_watchdog_kick();
}

void __queue_delayed_work(int cpu, workqueue_struct* wq, delayed_work* dwork, unsigned long delay) {
  timer_list* timer = &dwork->timer;
  work_struct* work = &dwork->work;
  WARN_ON_ONCE(timer->function != delayed_work_timer_fn);
  WARN_ON_ONCE(timer_pending(timer));
  WARN_ON_ONCE(!list_empty(&work->entry));
  if (!delay) {
    __queue_work(cpu, wq, work);
    return;
  }
  dwork->wq = wq;
  dwork->cpu = cpu;
  timer->expires = get_jiffies() + delay;
  if (cpu == WORK_CPU_UNBOUND || cpu < 0 || cpu >= g_nr_cpus || !cpu_online(cpu))
    add_timer_global(timer);
  else
    add_timer_on(timer, cpu);
}

// ---- grabbing PENDING -------------------------------------------------------------------------------
// 1: the item was pending (queued or timer) and is now ours, off every list, PENDING kept;
// 0: it was idle and we set PENDING; -EAGAIN: someone is between setting PENDING and queueing.
int try_to_grab_pending(work_struct* work, unsigned cflags) {
  if (cflags & WORK_CANCEL_DELAYED) {
    delayed_work* dwork = to_delayed_work(work);
    if (KTL_LIKELY(timer_delete(&dwork->timer))) return 1;
  }
  if (!test_and_set_pending(work)) return 0;
  worker_pool* pool = get_work_pool(work);
  if (pool) {
    spin_lock(&pool->lock);
    unsigned long d = work_data(work);
    pool_workqueue* pwq = data_pwq(d);
    if (pwq && pwq->pool == pool) {
      if (d & WORK_STRUCT_INACTIVE) pwq_activate_work(pwq, work);
      list_del_init(&work->entry);
      pwq_dec_nr_in_flight(pwq, work_data(work));
      set_work_pool_and_keep_pending(work, static_cast<unsigned long>(pool->id), 0);
      spin_unlock(&pool->lock);
      return 1;
    }
    spin_unlock(&pool->lock);
  }
  cpu_relax();
  return -EAGAIN;
}

int work_grab_pending(work_struct* work, unsigned cflags) {
  for (;;) {
    int r = try_to_grab_pending(work, cflags);
    if (r >= 0) return r;
    cpu_relax();
  }
}

// ---- flushing ---------------------------------------------------------------------------------------
struct wq_barrier {
  work_struct work;
  completion done;
  task_struct* task = nullptr;
};

void wq_barrier_func(work_struct* work) {
  wq_barrier* b = container_of(work, wq_barrier, work);
  complete(&b->done);
}

// Puts a barrier right behind `target` (queued) or at the head of `w`'s scheduled list (running).
void insert_wq_barrier(pool_workqueue* pwq, wq_barrier* barr, work_struct* target, worker* w) {
  INIT_WORK_ONSTACK(&barr->work, wq_barrier_func);
  init_completion(&barr->done);
  barr->task = get_current();
  list_head* head;
  int color;
  unsigned long linked = 0;
  if (w) {
    head = w->scheduled.next;
    color = w->current_color;
  } else {
    unsigned long d = work_data(target);
    head = target->entry.next;
    linked = d & WORK_STRUCT_LINKED;
    color = data_color(d);
    target->data.fetch_or(WORK_STRUCT_LINKED, std::memory_order_relaxed);
  }
  pwq->nr_in_flight[color]++;
  // A barrier never counts against max_active: it is INACTIVE-flagged wherever it sits.
  insert_work(pwq, &barr->work, head, color_flags(color) | WORK_STRUCT_INACTIVE | linked);
}

bool wq_online_check(const char* fn) {
  if (WARN(!g_wq_online, "workqueue: %s() called with no kernel running\n", fn)) return false;
  return true;
}

bool start_flush_work(work_struct* work, wq_barrier* barr) {
  worker_pool* pool = get_work_pool(work);
  if (!pool) return false;
  spin_lock(&pool->lock);
  pool_workqueue* pwq = get_work_pwq(work);
  worker* w = nullptr;
  if (pwq) {
    if (KTL_UNLIKELY(pwq->pool != pool)) {
      spin_unlock(&pool->lock);
      return false;
    }
  } else {
    w = find_worker_executing_work(pool, work);
    if (!w) {
      spin_unlock(&pool->lock);
      return false;
    }
    pwq = w->current_pwq;
  }
  insert_wq_barrier(pwq, barr, work, w);
  spin_unlock(&pool->lock);
  return true;
}

bool __flush_work(work_struct* work) {
  if (!wq_online_check("flush_work")) return false;
  if (WARN_ON(!work->func)) return false;
  wq_barrier barr;
  if (start_flush_work(work, &barr)) {
    wait_for_completion(&barr.done);
    return true;
  }
  return false;
}

bool __cancel_work(work_struct* work, unsigned cflags) {
  int ret = work_grab_pending(work, cflags);
  offq_data_t o = offq_unpack(work_data(work));
  if (cflags & WORK_CANCEL_DISABLE) {
    if (WARN_ONCE(o.disable >= WORK_OFFQ_DISABLE_MAX, "workqueue: work disable count overflowed\n"))
      ;
    else
      o.disable++;
  }
  set_work_pool_and_clear_pending(work, o.pool_id, offq_pack_flags(o));
  return ret;
}

bool __cancel_work_sync(work_struct* work, unsigned cflags) {
  bool ret = __cancel_work(work, cflags | WORK_CANCEL_DISABLE);
  might_sleep();
  if (g_wq_online) __flush_work(work);
  if (!(cflags & WORK_CANCEL_DISABLE)) enable_work(work);
  return ret;
}

// ---- workers ---------------------------------------------------------------------------------------
int worker_id_alloc(worker_pool* pool) {
  for (std::size_t i = 0;; ++i) {
    if (i == pool->ids.size()) pool->ids.push_back(0);
    u64 free_bits = ~pool->ids[i];
    if (free_bits) {
      int b = __builtin_ctzll(free_bits);
      pool->ids[i] |= u64{1} << b;
      return static_cast<int>(i * 64 + b);
    }
  }
}
void worker_id_free(worker_pool* pool, int id) {
  if (id < 0) return;
  pool->ids[id / 64] &= ~(u64{1} << (id % 64));
}

void format_worker_id(char* buf, std::size_t size, const worker* w, const worker_pool* pool) {
  if (w->rescue_wq)
    std::snprintf(buf, size, "kworker/R-%s", w->rescue_wq->name);
  else if (pool && pool->cpu >= 0)
    std::snprintf(buf, size, "kworker/%d:%d%s", pool->cpu, w->id, pool->nice < 0 ? "H" : "");
  else if (pool)
    std::snprintf(buf, size, "kworker/u%d:%d", pool->id, w->id);
  else
    std::snprintf(buf, size, "kworker/dying");
}

// The task_struct of a worker is gone (data_free of its struct kthread). A worker normally left its
// pool in worker_die(); one that never ran (stopped by poweroff before its first wake-up) is still
// linked there and leaves now, so nobody finds it on an idle list afterwards.
void free_worker(void* p) {
  worker* w = static_cast<worker*>(p);
  if (worker_pool* pool = __atomic_load_n(&w->pool, __ATOMIC_ACQUIRE)) {
    spin_lock(&pool->lock);
    if (w->flags & WORKER_IDLE) {
      pool->nr_idle--;
      list_del_init(&w->entry);
    }
    if (!(w->flags & WORKER_DIE)) pool->nr_workers--;
    list_del_init(&w->node);
    worker_id_free(pool, w->id);
    spin_unlock(&pool->lock);
  }
  delete w;
}

int worker_thread(void* arg);
int rescuer_thread(void* arg);

// Decides, under pool->lock, how the new worker runs: pool->flags cannot change meanwhile, so a
// worker created while its CPU goes down or comes up ends up as unbind_workers() or
// rebind_workers() would have left it (create_worker bound it to pool->cpus before: the task has
// not run yet, and its affinity is rewritten here if the pool is disassociated by now).
void worker_attach_to_pool(worker* w, worker_pool* pool) {
  spin_lock(&pool->lock);
  if (pool->flags & POOL_DISASSOCIATED) {
    w->flags |= WORKER_UNBOUND;
    if (pool->cpu >= 0) {
      // A per-CPU pool whose CPU is going or gone: never wait for that vCPU.
      kthread_set_per_cpu(w->task, -1);
      cpumask allowed = pool_allowed_cpus(pool);
      do_set_cpus_allowed(w->task, &allowed);
    }
  } else if (pool->cpu >= 0) {
    kthread_set_per_cpu(w->task, pool->cpu);
  }
  list_add_tail(&w->node, &pool->workers);
  __atomic_store_n(&w->pool, pool, __ATOMIC_RELEASE);
  spin_unlock(&pool->lock);
}

// Creates one worker for the pool and wakes it; nullptr on failure. Sleeps (kthreadd).
// Counts create_worker() calls in flight: poweroff waits for them (workqueue_quiesced) before it
// stops kthreads, so a new worker's task is never stopped and freed under its creator.
std::atomic<int> g_creating{0};
worker* create_worker_locked_out(worker_pool* pool);

worker* create_worker(worker_pool* pool) {
  g_creating.fetch_add(1, std::memory_order_seq_cst);
  worker* w = nullptr;
  if (!g_shutting_down.load(std::memory_order_seq_cst)) w = create_worker_locked_out(pool);
  g_creating.fetch_sub(1, std::memory_order_release);
  return w;
}

worker* create_worker_locked_out(worker_pool* pool) {
  int inject = g_inject_create_failures.load(std::memory_order_relaxed);
  while (inject != 0) {
    if (inject < 0 || g_inject_create_failures.compare_exchange_weak(inject, inject - 1)) {
      printk_once(KERN_ERR "workqueue: Failed to create a worker thread: %pe",
                  ERR_PTR(-ENOMEM));
      return nullptr;
    }
  }
  worker* w = new (std::nothrow) worker;
  if (!w) {
    pr_err("workqueue: Failed to allocate a worker\n");
    return nullptr;
  }
  spin_lock(&pool->lock);
  w->id = worker_id_alloc(pool);
  spin_unlock(&pool->lock);
  w->flags = WORKER_PREP;
  format_worker_id(w->name, sizeof w->name, w, pool);
  task_struct* t = kthread_create_on_node(worker_thread, w, NUMA_NO_NODE, "%s", w->name);
  if (IS_ERR(t)) {
    if (PTR_ERR(t) == -EINTR)
      pr_err("workqueue: Interrupted when creating a worker thread \"%s\"\n", w->name);
    else
      printk_once(KERN_ERR "workqueue: Failed to create a worker thread: %pe", t);
    spin_lock(&pool->lock);
    worker_id_free(pool, w->id);
    spin_unlock(&pool->lock);
    delete w;
    return nullptr;
  }
  w->task = t;
  t->worker_private->data_free = free_worker;
  // The nice value is set by the worker itself when it first runs: the new task may still be on
  // its way into its first sleep on a vCPU, and the scheduler owns its weight until then.
  // Bound to the pool's CPU (PF_NO_SETAFFINITY); worker_attach_to_pool() widens the affinity if
  // the pool is disassociated (its CPU going down) and marks the thread per-CPU otherwise.
  if (pool->cpu >= 0) kthread_bind(t, static_cast<unsigned>(pool->cpu));
  worker_attach_to_pool(w, pool);
  spin_lock(&pool->lock);
  pool->nr_workers++;
  worker_enter_idle(w);
  wake_up_process(t);
  spin_unlock(&pool->lock);
  return w;
}

// Manager: called and returns with pool->lock held; drops it while creating.
void maybe_create_worker(worker_pool* pool) KTL_NO_THREAD_SAFETY_ANALYSIS {
  for (;;) {
    spin_unlock(&pool->lock);
    mod_timer(&pool->mayday_timer,
              get_jiffies() + std::max<unsigned long>(2, msecs_to_jiffies(10)));
    for (;;) {
      if (create_worker(pool)) break;
      spin_lock(&pool->lock);
      bool need = need_to_create_worker(pool);
      spin_unlock(&pool->lock);
      if (!need || kthread_should_stop() || g_shutting_down.load(std::memory_order_relaxed))
        break;
      schedule_timeout_interruptible(static_cast<long>(hz()));  // CREATE_COOLDOWN
    }
    timer_delete_sync(&pool->mayday_timer);
    spin_lock(&pool->lock);
    if (!need_to_create_worker(pool) || kthread_should_stop() ||
        g_shutting_down.load(std::memory_order_relaxed))
      return;
  }
}

bool manage_workers(worker* w) KTL_NO_THREAD_SAFETY_ANALYSIS {
  worker_pool* pool = w->pool;
  if (pool->flags & POOL_MANAGER_ACTIVE) return false;
  pool->flags |= POOL_MANAGER_ACTIVE;
  pool->manager = w;
  maybe_create_worker(pool);
  pool->manager = nullptr;
  pool->flags &= ~POOL_MANAGER_ACTIVE;
  return true;
}

void wq_cpu_intensive_report(work_func_t fn) {
  // CONFIG_WQ_CPU_INTENSIVE_REPORT: once per function in ktl (Linux backs off exponentially).
  static spinlock_t lock;
  static std::vector<std::pair<work_func_t, u64>> seen;
  spin_lock(&lock);
  u64 cnt = 0;
  for (auto& [f, c] : seen)
    if (f == fn) cnt = ++c;
  if (!cnt) {
    seen.emplace_back(fn, 1);
    cnt = 1;
  }
  spin_unlock(&lock);
  if (cnt == 4 || (cnt > 4 && (cnt & (cnt - 1)) == 0))
    pr_warn("workqueue: %ps hogged CPU for >%luus %llu times, consider switching to WQ_UNBOUND\n",
            reinterpret_cast<void*>(fn), g_cpu_intensive_thresh_us.load(),
            static_cast<unsigned long long>(cnt));
}

void process_one_work(worker* w, work_struct* work) KTL_NO_THREAD_SAFETY_ANALYSIS {
  unsigned long d = work_data(work);
  pool_workqueue* pwq = data_pwq(d);
  worker_pool* pool = w->pool;
  list_add(&w->hentry, busy_bucket(pool, work));
  w->current_work = work;
  w->current_func = work->func;
  w->current_pwq = pwq;
  if (w->task) w->current_at = w->task->se.sum_exec_runtime;
  w->current_color = data_color(d);
  static_assert(sizeof w->desc == sizeof pwq->wq->name);
  std::memcpy(w->desc, pwq->wq->name, sizeof w->desc);
  list_del_init(&work->entry);
  if (KTL_UNLIKELY(wq_flags(pwq->wq) & WQ_CPU_INTENSIVE)) worker_set_flags(w, WORKER_CPU_INTENSIVE);
  kick_pool(pool);
  set_work_pool_and_clear_pending(work, static_cast<unsigned long>(pool->id), 0);
  spin_unlock(&pool->lock);

  task_struct* cur = get_current();
  int pc = cur->preempt_count;
  w->current_func(work);
  // The item may be freed now; only its address is used from here on.
  if (KTL_UNLIKELY(cur->preempt_count != pc)) {
    pr_err("BUG: workqueue leaked atomic, lock or RCU: %s[%d]\n", cur->comm, cur->pid);
    pr_err("     preempt=0x%08x lock=%d->%d RCU=%d->%d workfn=%ps\n", cur->preempt_count, 0, 0,
           0, 0, reinterpret_cast<void*>(w->current_func));
    cur->preempt_count = pc;
  }
  cond_resched();

  spin_lock(&pool->lock);
  if (w->flags & WORKER_CPU_INTENSIVE) worker_clr_flags(w, WORKER_CPU_INTENSIVE);
  w->last_func = w->current_func;
  list_del_init(&w->hentry);
  w->current_work = nullptr;
  w->current_func = nullptr;
  w->current_pwq = nullptr;
  w->current_color = 0;
  pwq_dec_nr_in_flight(pwq, d);
}

void process_scheduled_works(worker* w) {
  bool first = true;
  while (!list_empty(&w->scheduled)) {
    work_struct* work = list_first_entry(&w->scheduled, work_struct, entry);
    if (first) {
      w->pool->watchdog_ts = get_jiffies();
      first = false;
    }
    process_one_work(w, work);
  }
}

void set_pf_worker(bool on) {
  task_struct* cur = get_current();
  if (on)
    cur->flags |= PF_WQ_WORKER;
  else
    cur->flags &= ~PF_WQ_WORKER;
}

// The worker dies (culled, or poweroff): off every pool list. pool->lock held; dropped.
void worker_die(worker* w) KTL_NO_THREAD_SAFETY_ANALYSIS {
  worker_pool* pool = w->pool;
  if (w->flags & WORKER_IDLE) {
    pool->nr_idle--;
    list_del_init(&w->entry);
    w->flags &= ~WORKER_IDLE;
  }
  if (!(w->flags & WORKER_DIE)) pool->nr_workers--;
  w->flags |= WORKER_DIE;
  list_del_init(&w->node);
  worker_id_free(pool, w->id);
  std::snprintf(w->name, sizeof w->name, "kworker/dying");
  // /proc readers take the pool lock when they see a pool, else read name after this store.
  __atomic_store_n(&w->pool, nullptr, __ATOMIC_RELEASE);
  spin_unlock(&pool->lock);
  set_pf_worker(false);
  set_task_comm(get_current(), "kworker/dying");
}

int worker_thread(void* arg) KTL_NO_THREAD_SAFETY_ANALYSIS {
  worker* w = static_cast<worker*>(arg);
  worker_pool* pool = w->pool;
  set_user_nice(get_current(), pool->nice);
  set_pf_worker(true);
  for (;;) {
    spin_lock(&pool->lock);
    if (KTL_UNLIKELY((w->flags & WORKER_DIE) || kthread_should_stop())) {
      worker_die(w);
      return 0;
    }
    worker_leave_idle(w);
    for (;;) {
      if (!need_more_worker(pool)) break;
      // During poweroff no worker is created: the worker runs the items itself instead of
      // becoming the manager again and again.
      if (KTL_UNLIKELY(!may_start_working(pool)) &&
          !g_shutting_down.load(std::memory_order_relaxed) && manage_workers(w)) {
        if (kthread_should_stop()) break;
        continue;
      }
      worker_clr_flags(w, WORKER_PREP | WORKER_REBOUND);
      do {
        work_struct* work = list_first_entry(&pool->worklist, work_struct, entry);
        if (assign_work(work, w, nullptr)) process_scheduled_works(w);
      } while (keep_working(pool));
      worker_set_flags(w, WORKER_PREP);
      break;
    }
    worker_enter_idle(w);
    set_current_state(TASK_IDLE);
    spin_unlock(&pool->lock);
    if (!kthread_should_stop()) {
      task_struct* cur = get_current();
      cur->blocked_at.func.store("worker_thread", std::memory_order_relaxed);  // wchan
      schedule();
      cur->blocked_at.func.store(nullptr, std::memory_order_relaxed);
    }
    __set_current_state(TASK_RUNNING);
  }
}

// ---- idle culling and mayday ---------------------------------------------------------------------
void idle_worker_timeout(timer_list* t) {
  worker_pool* pool = from_timer(pool, t, idle_timer);
  bool do_cull = false;
  spin_lock(&pool->lock);
  if (!(pool->flags & POOL_MANAGER_ACTIVE) && too_many_workers(pool)) {
    worker* w = list_last_entry(&pool->idle_list, worker, entry);
    unsigned long expires = w->last_active + kIdleWorkerTimeoutSec * hz();
    do_cull = !time_before(get_jiffies(), expires);
    if (!do_cull) mod_timer(&pool->idle_timer, expires);
  }
  spin_unlock(&pool->lock);
  if (do_cull && !g_shutting_down.load()) queue_work(system_unbound_wq, &pool->idle_cull_work);
}

void idle_cull_fn(work_struct* work) {
  worker_pool* pool = container_of(work, worker_pool, idle_cull_work);
  spin_lock(&pool->lock);
  while (too_many_workers(pool)) {
    worker* w = list_last_entry(&pool->idle_list, worker, entry);
    unsigned long expires = w->last_active + kIdleWorkerTimeoutSec * hz();
    if (time_before(get_jiffies(), expires)) {
      mod_timer(&pool->idle_timer, expires);
      break;
    }
    // The worker is idle: take it off the pool here; it exits when it wakes.
    pool->nr_idle--;
    pool->nr_workers--;
    list_del_init(&w->entry);
    w->flags &= ~WORKER_IDLE;
    w->flags |= WORKER_DIE;
    wake_up_process(w->task);
  }
  spin_unlock(&pool->lock);
}

void send_mayday(work_struct* work) {
  pool_workqueue* pwq = get_work_pwq(work);
  workqueue_struct* wq = pwq->wq;
  spin_lock(&g_mayday_lock);
  if (wq->rescuer && list_empty(&pwq->mayday_node)) {
    pwq->refcnt++;
    list_add_tail(&pwq->mayday_node, &wq->maydays);
    wake_up_process(wq->rescuer->task);
  }
  spin_unlock(&g_mayday_lock);
}

void pool_mayday_timeout(timer_list* t) {
  worker_pool* pool = from_timer(pool, t, mayday_timer);
  spin_lock(&pool->lock);
  if (need_to_create_worker(pool)) {
    list_head* p;
    list_for_each(p, &pool->worklist) send_mayday(container_of(p, work_struct, entry));
  }
  spin_unlock(&pool->lock);
  if (!g_shutting_down.load()) mod_timer(&pool->mayday_timer, get_jiffies() + hz() / 10);
}

int rescuer_thread(void* arg) KTL_NO_THREAD_SAFETY_ANALYSIS {
  worker* rescuer = static_cast<worker*>(arg);
  workqueue_struct* wq = rescuer->rescue_wq;
  set_user_nice(get_current(), MIN_NICE);
  set_pf_worker(true);
  for (;;) {
    set_current_state(TASK_IDLE);
    bool should_stop = kthread_should_stop();
    spin_lock(&g_mayday_lock);
    while (!list_empty(&wq->maydays)) {
      pool_workqueue* pwq = list_first_entry(&wq->maydays, pool_workqueue, mayday_node);
      worker_pool* pool = pwq->pool;
      list_del_init(&pwq->mayday_node);
      spin_unlock(&g_mayday_lock);
      __set_current_state(TASK_RUNNING);
      // Attach: run on the pool's vCPUs (all but its CPU if that is going or gone); never counted
      // in nr_running (WORKER_PREP stays).
      spin_lock(&pool->lock);
      cpumask allowed = pool_allowed_cpus(pool);
      spin_unlock(&pool->lock);
      do_set_cpus_allowed(get_current(), &allowed);
      spin_lock(&pool->lock);
      __atomic_store_n(&rescuer->pool, pool, __ATOMIC_RELEASE);
      rescuer->flags = WORKER_PREP;
      int taken = 0;
      list_head* p = pool->worklist.next;
      while (p != &pool->worklist && taken < kRescuerBatch) {
        work_struct* work = container_of(p, work_struct, entry);
        list_head* n = p->next;
        if (get_work_pwq(work) == pwq && assign_work(work, rescuer, &n)) taken++;
        p = n;
      }
      if (!list_empty(&rescuer->scheduled)) {
        process_scheduled_works(rescuer);
        // More of ours still waiting and the pool still short of workers: ask again.
        bool more = false;
        list_head* q;
        list_for_each(q, &pool->worklist) if (get_work_pwq(container_of(q, work_struct, entry)) ==
                                                  pwq) more = true;
        if ((more || pwq->nr_active) && need_to_create_worker(pool)) {
          spin_lock(&g_mayday_lock);
          if (wq->rescuer && list_empty(&pwq->mayday_node)) {
            pwq->refcnt++;
            list_add_tail(&pwq->mayday_node, &wq->maydays);
          }
          spin_unlock(&g_mayday_lock);
        }
      }
      pwq->refcnt--;
      kick_pool(pool);
      __atomic_store_n(&rescuer->pool, nullptr, __ATOMIC_RELEASE);
      spin_unlock(&pool->lock);
      do_set_cpus_allowed(get_current(), &cpu_possible_mask());  // detached: unbound again
      spin_lock(&g_mayday_lock);
    }
    spin_unlock(&g_mayday_lock);
    if (should_stop) {
      __set_current_state(TASK_RUNNING);
      set_pf_worker(false);
      return 0;
    }
    get_current()->blocked_at.func.store("rescuer_thread", std::memory_order_relaxed);
    schedule();
    get_current()->blocked_at.func.store(nullptr, std::memory_order_relaxed);
  }
}

// ---- workqueues ---------------------------------------------------------------------------------------
int wq_clamp_max_active(int max_active, const char* name) {
  if (max_active < 1 || max_active > WQ_MAX_ACTIVE)
    pr_warn("workqueue: max_active %d requested for %s is out of range, clamping between %d and %d\n",
            max_active, name, 1, WQ_MAX_ACTIVE);
  return std::clamp(max_active, 1, WQ_MAX_ACTIVE);
}

// A pool for unbound work of that nice value; creates its first worker the first time.
worker_pool* get_unbound_pool(bool highpri) {
  worker_pool* pool = g_pools[unbound_pool_id(highpri)];
  return pool;
}

bool init_rescuer_locked_out(workqueue_struct* wq);

// Counted in g_creating like create_worker(): poweroff must not stop and free the new task
// before it is referenced.
bool init_rescuer(workqueue_struct* wq) {
  if (!(wq_flags(wq) & WQ_MEM_RECLAIM)) return true;
  g_creating.fetch_add(1, std::memory_order_seq_cst);
  bool ok = false;
  if (!g_shutting_down.load(std::memory_order_seq_cst)) ok = init_rescuer_locked_out(wq);
  g_creating.fetch_sub(1, std::memory_order_release);
  return ok;
}

bool init_rescuer_locked_out(workqueue_struct* wq) {
  worker* r = new (std::nothrow) worker;
  if (!r) return false;
  r->rescue_wq = wq;
  r->flags = WORKER_PREP;
  format_worker_id(r->name, sizeof r->name, r, nullptr);
  task_struct* t = kthread_create_on_node(rescuer_thread, r, NUMA_NO_NODE, "%s", r->name);
  if (IS_ERR(t)) {
    pr_err("workqueue: Failed to create a rescuer kthread for wq \"%s\": %pe", wq->name, t);
    delete r;
    return false;
  }
  r->task = t;
  t->worker_private->data_free = free_worker;
  get_task_struct(t);
  spin_lock(&g_mayday_lock);
  wq->rescuer = r;
  spin_unlock(&g_mayday_lock);
  wake_up_process(t);
  return true;
}

void free_wq(workqueue_struct* wq) {
  list_head* p = wq->pwqs.next;
  while (p != &wq->pwqs) {
    pool_workqueue* pwq = container_of(p, pool_workqueue, pwqs_node);
    p = p->next;
    delete pwq;
  }
  delete wq;
}

bool pwq_busy(pool_workqueue* pwq) {
  for (int c = 0; c < WORK_NR_COLORS; ++c)
    if (pwq->nr_in_flight[c]) return true;
  return pwq->nr_active || !list_empty(&pwq->inactive_works);
}

void pr_cont_pool_info(std::string& s, worker_pool* pool) {
  char buf[96];
  std::snprintf(buf, sizeof buf, " cpus=%s", cpumask_to_list(pool->cpus, g_nr_cpus).c_str());
  s += buf;
  if (pool->cpu >= 0) s += " node=0";
  std::snprintf(buf, sizeof buf, " flags=0x%x nice=%d", pool->flags, pool->nice);
  s += buf;
}

// One line of items: "func, 2*func, BAR(pid)".
void append_work_list(std::string& s, const std::vector<work_struct*>& works) {
  std::size_t i = 0;
  bool comma = false;
  while (i < works.size()) {
    work_struct* w = works[i];
    char buf[160];
    if (w->func == wq_barrier_func) {
      wq_barrier* b = container_of(w, wq_barrier, work);
      std::snprintf(buf, sizeof buf, "%s BAR(%d)", comma ? "," : "", b->task ? b->task->pid : 0);
      ++i;
    } else {
      std::size_t j = i + 1;
      while (j < works.size() && works[j]->func == w->func) ++j;
      char fn[128];
      std::snprintf(fn, sizeof fn, "%ps", reinterpret_cast<void*>(w->func));
      if (j - i > 1)
        std::snprintf(buf, sizeof buf, "%s %zu*%s", comma ? "," : "", j - i, fn);
      else
        std::snprintf(buf, sizeof buf, "%s %s", comma ? "," : "", fn);
      i = j;
    }
    s += buf;
    comma = true;
  }
}

void show_pwq(pool_workqueue* pwq) {
  worker_pool* pool = pwq->pool;
  std::string s;
  char buf[160];
  std::snprintf(buf, sizeof buf, "  pwq %d:", pool->id);
  s = buf;
  pr_cont_pool_info(s, pool);
  std::snprintf(buf, sizeof buf, " active=%d refcnt=%d%s", pwq->nr_active, pwq->refcnt,
                list_empty(&pwq->mayday_node) ? "" : " MAYDAY");
  s += buf;
  pr_info("%s\n", s.c_str());
  std::string inflight;
  bool comma = false;
  for (auto& b : pool->busy_hash) {
    list_head* p;
    list_for_each(p, &b) {
      worker* w = container_of(p, worker, hentry);
      if (w->current_pwq != pwq) continue;
      std::snprintf(buf, sizeof buf, "%s %d%s:%ps", comma ? "," : "", w->task ? w->task->pid : 0,
                    w->rescue_wq ? "(RESCUER)" : "", reinterpret_cast<void*>(w->current_func));
      inflight += buf;
      comma = true;
      std::vector<work_struct*> sched;
      list_head* q;
      list_for_each(q, &w->scheduled) sched.push_back(container_of(q, work_struct, entry));
      if (!sched.empty()) {
        inflight += " ";
        append_work_list(inflight, sched);
      }
    }
  }
  if (!inflight.empty()) pr_info("    in-flight:%s\n", inflight.c_str());
  std::vector<work_struct*> pending;
  list_head* p;
  list_for_each(p, &pool->worklist) {
    work_struct* w = container_of(p, work_struct, entry);
    if (get_work_pwq(w) == pwq) pending.push_back(w);
  }
  if (!pending.empty()) {
    std::string l;
    append_work_list(l, pending);
    pr_info("    pending:%s\n", l.c_str());
  }
  std::vector<work_struct*> inactive;
  list_for_each(p, &pwq->inactive_works) inactive.push_back(container_of(p, work_struct, entry));
  if (!inactive.empty()) {
    std::string l;
    append_work_list(l, inactive);
    pr_info("    inactive:%s\n", l.c_str());
  }
}

void show_one_workqueue(workqueue_struct* wq) {
  bool idle = true;
  list_head* p;
  list_for_each(p, &wq->pwqs) {
    pool_workqueue* pwq = container_of(p, pool_workqueue, pwqs_node);
    spin_lock(&pwq->pool->lock);
    bool busy = pwq->nr_active || !list_empty(&pwq->inactive_works);
    spin_unlock(&pwq->pool->lock);
    if (busy) {
      idle = false;
      break;
    }
  }
  if (idle) return;
  pr_info("workqueue %s: flags=0x%x\n", wq->name, wq_flags(wq));
  list_for_each(p, &wq->pwqs) {
    pool_workqueue* pwq = container_of(p, pool_workqueue, pwqs_node);
    spin_lock(&pwq->pool->lock);
    if (pwq->nr_active || !list_empty(&pwq->inactive_works)) show_pwq(pwq);
    spin_unlock(&pwq->pool->lock);
  }
}

void show_one_worker_pool(worker_pool* pool) {
  spin_lock(&pool->lock);
  if (pool->nr_workers == pool->nr_idle) {
    spin_unlock(&pool->lock);
    return;
  }
  unsigned long hung = 0;
  if (!list_empty(&pool->worklist))
    hung = jiffies_to_msecs(get_jiffies() - pool->watchdog_ts) / 1000;
  std::string s;
  char buf[96];
  std::snprintf(buf, sizeof buf, "pool %d:", pool->id);
  s = buf;
  pr_cont_pool_info(s, pool);
  std::snprintf(buf, sizeof buf, " hung=%lus workers=%d", hung, pool->nr_workers);
  s += buf;
  if (pool->manager) {
    std::snprintf(buf, sizeof buf, " manager: %d", pool->manager->task->pid);
    s += buf;
  }
  bool first = true;
  list_head* p;
  list_for_each(p, &pool->idle_list) {
    worker* w = container_of(p, worker, entry);
    std::snprintf(buf, sizeof buf, " %s%d", first ? "idle: " : "", w->task->pid);
    s += buf;
    first = false;
  }
  spin_unlock(&pool->lock);
  pr_info("%s\n", s.c_str());
}

void wq_watchdog_timer_fn(timer_list*) {
  unsigned long thresh = g_watchdog_thresh.load() * hz();
  g_watchdog_armed.store(false);
  if (!thresh || g_shutting_down.load()) return;
  bool lockup = false;
  bool busy = false;
  unsigned long now = get_jiffies();
  unsigned long touched = g_watchdog_touched.load(std::memory_order_relaxed);
  for (worker_pool* pool : g_pools) {
    if (!pool) continue;
    spin_lock(&pool->lock);
    bool empty = list_empty(&pool->worklist);
    unsigned long ts = pool->watchdog_ts;
    spin_unlock(&pool->lock);
    if (empty) continue;
    busy = true;
    unsigned long pool_ts = ts;
    if (pool->cpu >= 0 && g_watchdog_cpu_touched) {
      unsigned long t = (*g_watchdog_cpu_touched)[pool->cpu].load(std::memory_order_relaxed);
      if (time_after(t, pool_ts)) pool_ts = t;
    }
    if (time_after(touched, pool_ts)) pool_ts = touched;
    if (time_after(now, pool_ts + thresh)) {
      lockup = true;
      std::string s = "BUG: workqueue lockup - pool";
      pr_cont_pool_info(s, pool);
      char buf[64];
      std::snprintf(buf, sizeof buf, " stuck for %us!", jiffies_to_msecs(now - pool_ts) / 1000);
      s += buf;
      pr_emerg("%s\n", s.c_str());
    }
  }
  if (lockup) show_all_workqueues();
  if (busy) wq_watchdog_arm();
}

int wq_worker_comm(char* buf, std::size_t size, const task_struct* task) {
  kthread* k = task->worker_private;
  if (!k || !k->data) return -1;
  worker* w = static_cast<worker*>(k->data);
  // The last workqueue (or set_worker_desc() text) is shown only while the worker is attached
  // to a pool, whose lock protects desc and current_work. A rescuer is attached only while it
  // rescues, so an idle one reads plain "kworker/R-name", as on Linux.
  worker_pool* pool = __atomic_load_n(&w->pool, __ATOMIC_ACQUIRE);
  int n = std::snprintf(buf, size, "%s", w->name);
  if (!pool) return std::min<int>(n, static_cast<int>(size) - 1);
  spin_lock(&pool->lock);
  // Re-read under the lock: a rescuer detaches (pool = nullptr) holding it.
  if (__atomic_load_n(&w->pool, __ATOMIC_RELAXED) == pool && w->desc[0] && n >= 0 &&
      static_cast<std::size_t>(n) < size)
    n += std::snprintf(buf + n, size - n, "%c%s", w->current_work ? '+' : '-', w->desc);
  spin_unlock(&pool->lock);
  return std::min<int>(n, static_cast<int>(size) - 1);
}

// workqueue.* module parameters, as /sys/module/workqueue/parameters/* shows them.
constexpr const char* kParamDir = "/sys/module/workqueue/parameters/";
constexpr const char* kModuleParams[] = {"watchdog_thresh", "cpu_intensive_thresh_us",
                                         "power_efficient"};

int parse_ulong(const std::string& in, unsigned long* out) {
  char* end = nullptr;
  errno = 0;
  unsigned long v = std::strtoul(in.c_str(), &end, 0);
  if (errno || end == in.c_str()) return -EINVAL;
  while (*end == '\n' || *end == ' ') ++end;
  if (*end) return -EINVAL;
  *out = v;
  return 0;
}

void register_module_params() {
  std::string dir = kParamDir;
  proc_register_sysctl(
      dir + "watchdog_thresh", [] { return std::to_string(g_watchdog_thresh.load()) + "\n"; },
      [](const std::string& in) {
        unsigned long v;
        if (int r = parse_ulong(in, &v)) return r;
        wq_watchdog_set_thresh(v);
        return 0;
      });
  proc_register_sysctl(
      dir + "cpu_intensive_thresh_us",
      [] { return std::to_string(g_cpu_intensive_thresh_us.load()) + "\n"; },
      [](const std::string& in) {
        unsigned long v;
        if (int r = parse_ulong(in, &v)) return r;
        g_cpu_intensive_thresh_us.store(v);
        return 0;
      });
  proc_register_sysctl(
      dir + "power_efficient", [] { return std::string(g_power_efficient.load() ? "Y\n" : "N\n"); },
      [](const std::string& in) {
        if (in.empty()) return -EINVAL;
        char c = in[0];
        if (c == 'Y' || c == 'y' || c == '1') g_power_efficient.store(true);
        else if (c == 'N' || c == 'n' || c == '0') g_power_efficient.store(false);
        else return -EINVAL;
        return 0;
      });
}

void init_pool(worker_pool* pool, int id, int cpu, int nice) {
  pool->id = id;
  pool->cpu = cpu;
  pool->nice = nice;
  if (cpu >= 0) {
    pool->cpus = cpumask::of(cpu);
  } else {
    pool->cpus = cpu_possible_mask();
    pool->flags |= POOL_DISASSOCIATED;  // unbound: workers never count in nr_running
  }
  pool->watchdog_ts = get_jiffies();
  timer_setup(&pool->idle_timer, idle_worker_timeout, TIMER_DEFERRABLE);
  timer_setup(&pool->mayday_timer, pool_mayday_timeout, 0);
  INIT_WORK(&pool->idle_cull_work, idle_cull_fn);
}

// ---- CPU hotplug (unbind_workers / rebind_workers) ---------------------------------------------------
// Everything happens under pool->lock, which also covers worker_attach_to_pool(): a worker being
// created meanwhile is either on pool->workers already (and handled here) or attaches afterwards
// and sees the new POOL_DISASSOCIATED state. Setting the affinity of another task only stores its
// mask (do_set_cpus_allowed: kworkers are PF_NO_SETAFFINITY), so it is done under the lock too;
// a worker on pool->workers cannot be freed meanwhile (free_worker takes the lock).

// The CPU goes down: its per-CPU pools become unbound pools served by the same workers.
void unbind_workers(int cpu) KTL_NO_THREAD_SAFETY_ANALYSIS {
  for (int hi = 0; hi < 2; ++hi) {
    worker_pool* pool = g_pools[static_cast<std::size_t>(cpu_pool_id(cpu, hi))];
    spin_lock(&pool->lock);
    if (pool->flags & POOL_DISASSOCIATED) {  // already unbound
      spin_unlock(&pool->lock);
      continue;
    }
    // The caller runs on `cpu`, and so does every worker of the pool that counts in nr_running
    // (the only ones still elsewhere are rebound ones not yet back, NOT_RUNNING anyway): none is
    // inside its scheduler hooks now, and from here on they see WORKER_UNBOUND and leave
    // nr_running alone (wq_worker_sleeping/running, worker_set/clr_flags).
    list_head* p;
    list_for_each(p, &pool->workers) {
      worker* w = container_of(p, worker, node);
      worker_set_flags_once(w, w->flags | WORKER_UNBOUND);
    }
    pool->flags |= POOL_DISASSOCIATED;
    // Concurrency management is off: nr_running stays 0, so need_more_worker() and keep_working()
    // hold whenever the worklist is not empty (the pool behaves as an unbound one).
    pool->nr_running.store(0, std::memory_order_relaxed);
    cpumask allowed = pool_allowed_cpus(pool);
    list_for_each(p, &pool->workers) {
      worker* w = container_of(p, worker, node);
      kthread_set_per_cpu(w->task, -1);
      do_set_cpus_allowed(w->task, &allowed);
    }
    // A busy worker blocking would no longer wake another one: start chain execution of what is
    // pending now, on the widened CPUs.
    kick_pool(pool);
    spin_unlock(&pool->lock);
  }
}

// The CPU is back: bind the workers to it again and restore concurrency management.
void rebind_workers(int cpu) KTL_NO_THREAD_SAFETY_ANALYSIS {
  for (int hi = 0; hi < 2; ++hi) {
    worker_pool* pool = g_pools[static_cast<std::size_t>(cpu_pool_id(cpu, hi))];
    spin_lock(&pool->lock);
    if (!(pool->flags & POOL_DISASSOCIATED)) {  // never unbound, or rebound already
      spin_unlock(&pool->lock);
      continue;
    }
    // Affinity first: an idle worker woken from now on is placed on `cpu`; one running an item
    // on another vCPU moves back at its next scheduling point.
    list_head* p;
    list_for_each(p, &pool->workers) {
      worker* w = container_of(p, worker, node);
      kthread_set_per_cpu(w->task, pool->cpu);
      do_set_cpus_allowed(w->task, &pool->cpus);
    }
    pool->flags &= ~POOL_DISASSOCIATED;
    // UNBOUND cannot be cleared with worker_clr_flags(): nr_running was zeroed, not decremented,
    // for a worker busy since before the unbind. Replace it with REBOUND, another NOT_RUNNING
    // flag, which the worker clears itself (worker_clr_flags, counting it again) when it starts
    // its next cycle, back on `cpu`.
    list_for_each(p, &pool->workers) {
      worker* w = container_of(p, worker, node);
      unsigned f = w->flags;
      WARN_ON_ONCE(!(f & WORKER_UNBOUND));
      worker_set_flags_once(w, (f | WORKER_REBOUND) & ~WORKER_UNBOUND);
    }
    spin_unlock(&pool->lock);
  }
}

}  // namespace

// ==== public API ===================================================================================

void __init_work(work_struct* work, work_func_t func) noexcept {
  work->data.store(WORK_DATA_INIT, std::memory_order_relaxed);
  INIT_LIST_HEAD(&work->entry);
  work->func = func;
}

void __init_delayed_work(delayed_work* dwork, work_func_t func, u32 timer_flags) noexcept {
  __init_work(&dwork->work, func);
  timer_setup(&dwork->timer, delayed_work_timer_fn, timer_flags | TIMER_IRQSAFE);
  dwork->wq = nullptr;
  dwork->cpu = 0;
}

void delayed_work_timer_fn(timer_list* t) {
  delayed_work* dwork = from_timer(dwork, t, timer);
  __queue_work(dwork->cpu, dwork->wq, &dwork->work);
}

workqueue_struct* valloc_workqueue(const char* fmt, unsigned flags, int max_active, va_list args) {
  if (!g_wq_online && g_pools.empty()) {
    pr_err("workqueue: alloc_workqueue() with no kernel running\n");
    return nullptr;
  }
  if (flags & WQ_BH) {
    WARN(true, "workqueue: WQ_BH needs softirqs, which this kernel does not have yet\n");
    return nullptr;
  }
  if ((flags & WQ_POWER_EFFICIENT) && g_power_efficient.load()) flags |= WQ_UNBOUND;
  workqueue_struct* wq = new (std::nothrow) workqueue_struct;
  if (!wq) return nullptr;
  int len = std::vsnprintf(wq->name, sizeof wq->name, fmt, args);
  if (len >= WQ_NAME_LEN)
    printk_once(KERN_WARNING "workqueue: name exceeds WQ_NAME_LEN. Truncating to: %s\n",
                wq->name);
  max_active = max_active ? max_active : WQ_DFL_ACTIVE;
  max_active = wq_clamp_max_active(max_active, wq->name);
  wq->flags.store(flags, std::memory_order_relaxed);
  wq->saved_max_active = max_active;
  wq->min_active = std::min(max_active, WQ_DFL_MIN_ACTIVE);
  wq->cpu_pwq.assign(static_cast<std::size_t>(g_nr_cpus), nullptr);
  auto make_pwq = [&](worker_pool* pool) -> pool_workqueue* {
    pool_workqueue* pwq = new (std::nothrow) pool_workqueue;
    if (!pwq) return nullptr;
    pwq->pool = pool;
    pwq->wq = wq;
    pwq->max_active = max_active;
    list_add_tail(&pwq->pwqs_node, &wq->pwqs);
    return pwq;
  };
  bool highpri = flags & WQ_HIGHPRI;
  if (flags & WQ_UNBOUND) {
    pool_workqueue* pwq = make_pwq(get_unbound_pool(highpri));
    if (!pwq) {
      free_wq(wq);
      return nullptr;
    }
    for (auto& p : wq->cpu_pwq) p = pwq;
  } else {
    for (int cpu = 0; cpu < g_nr_cpus; ++cpu) {
      pool_workqueue* pwq = make_pwq(g_pools[cpu_pool_id(cpu, highpri)]);
      if (!pwq) {
        free_wq(wq);
        return nullptr;
      }
      wq->cpu_pwq[cpu] = pwq;
    }
  }
  if (g_wq_online && !init_rescuer(wq)) {
    free_wq(wq);
    return nullptr;
  }
  spin_lock(&g_wq_list_lock);
  list_add_tail(&wq->list, &g_workqueues);
  spin_unlock(&g_wq_list_lock);
  return wq;
}

workqueue_struct* alloc_workqueue(const char* fmt, unsigned flags, int max_active, ...) {
  va_list ap;
  va_start(ap, max_active);
  workqueue_struct* wq = valloc_workqueue(fmt, flags, max_active, ap);
  va_end(ap);
  return wq;
}

void drain_workqueue(workqueue_struct* wq) {
  mutex_lock(&wq->mtx);
  if (!wq->nr_drainers++) wq->flags.fetch_or(__WQ_DRAINING);
  mutex_unlock(&wq->mtx);
  unsigned flush_cnt = 0;
  for (;;) {
    __flush_workqueue(wq);
    bool drained = true;
    list_head* p;
    list_for_each(p, &wq->pwqs) {
      pool_workqueue* pwq = container_of(p, pool_workqueue, pwqs_node);
      spin_lock(&pwq->pool->lock);
      bool empty = !pwq->nr_active && list_empty(&pwq->inactive_works);
      spin_unlock(&pwq->pool->lock);
      if (!empty) {
        drained = false;
        break;
      }
    }
    if (drained) break;
    ++flush_cnt;
    if (flush_cnt == kDrainWarnFirst || (flush_cnt % 100 == 0 && flush_cnt <= 1000))
      pr_warn("workqueue %s: %s() isn't complete after %u tries\n", wq->name, "drain_workqueue",
              flush_cnt);
  }
  mutex_lock(&wq->mtx);
  if (!--wq->nr_drainers) wq->flags.fetch_and(~__WQ_DRAINING);
  mutex_unlock(&wq->mtx);
}

void destroy_workqueue(workqueue_struct* wq) {
  if (!wq) return;
  mutex_lock(&wq->mtx);
  wq->flags.fetch_or(__WQ_DESTROYING);
  mutex_unlock(&wq->mtx);
  drain_workqueue(wq);
  spin_lock(&g_mayday_lock);
  worker* rescuer = wq->rescuer;
  wq->rescuer = nullptr;
  spin_unlock(&g_mayday_lock);
  if (rescuer) kthread_stop_put(rescuer->task);
  list_head* p;
  list_for_each(p, &wq->pwqs) {
    pool_workqueue* pwq = container_of(p, pool_workqueue, pwqs_node);
    spin_lock(&pwq->pool->lock);
    if (WARN_ON(pwq_busy(pwq))) {
      pr_warn("%s: %s has the following busy pwq\n", "destroy_workqueue", wq->name);
      show_pwq(pwq);
      spin_unlock(&pwq->pool->lock);
      show_one_workqueue(wq);
      return;  // leaked, as Linux does
    }
    spin_unlock(&pwq->pool->lock);
  }
  // Unlink, and keep the struct as a tombstone for a while: a delayed item whose timer was left
  // pending (a caller bug) then finds DESTROYING and WARNs instead of using freed memory.
  spin_lock(&g_wq_list_lock);
  list_del_init(&wq->list);
  list_add_tail(&wq->list, &g_destroyed);
  workqueue_struct* victim = nullptr;
  if (++g_nr_destroyed > kMaxTombstones) {
    victim = list_first_entry(&g_destroyed, workqueue_struct, list);
    list_del_init(&victim->list);
    g_nr_destroyed--;
  }
  spin_unlock(&g_wq_list_lock);
  if (victim) free_wq(victim);
}

void workqueue_set_max_active(workqueue_struct* wq, int max_active) {
  if (WARN_ON(wq_flags(wq) & (WQ_BH | __WQ_ORDERED))) return;
  max_active = wq_clamp_max_active(max_active, wq->name);
  mutex_lock(&wq->mtx);
  wq->saved_max_active = max_active;
  if ((wq_flags(wq) & WQ_UNBOUND) && wq->min_active > max_active) wq->min_active = max_active;
  list_head* p;
  list_for_each(p, &wq->pwqs) {
    pool_workqueue* pwq = container_of(p, pool_workqueue, pwqs_node);
    spin_lock(&pwq->pool->lock);
    pwq->max_active = max_active;
    bool activated = false;
    while (!list_empty(&pwq->inactive_works) && pwq->nr_active < pwq->max_active) {
      pwq_activate_first_inactive(pwq);
      activated = true;
    }
    if (activated) kick_pool(pwq->pool);
    spin_unlock(&pwq->pool->lock);
  }
  mutex_unlock(&wq->mtx);
}

void workqueue_set_min_active(workqueue_struct* wq, int min_active) {
  if (WARN_ON((wq_flags(wq) & (WQ_BH | WQ_UNBOUND | __WQ_ORDERED)) != WQ_UNBOUND)) return;
  mutex_lock(&wq->mtx);
  wq->min_active = std::clamp(min_active, 0, wq->saved_max_active);
  mutex_unlock(&wq->mtx);
}

bool workqueue_congested(int cpu, workqueue_struct* wq) {
  if (cpu == WORK_CPU_UNBOUND || cpu < 0 || cpu >= g_nr_cpus) cpu = smp_processor_id();
  pool_workqueue* pwq = wq->cpu_pwq[cpu];
  spin_lock(&pwq->pool->lock);
  bool ret = !list_empty(&pwq->inactive_works);
  spin_unlock(&pwq->pool->lock);
  return ret;
}

const char* workqueue_name(const workqueue_struct* wq) noexcept { return wq->name; }
unsigned workqueue_flags(const workqueue_struct* wq) noexcept { return wq_flags(wq); }
int workqueue_max_active(const workqueue_struct* wq) noexcept { return wq->saved_max_active; }

bool queue_work_on(int cpu, workqueue_struct* wq, work_struct* work) {
  if (!test_and_set_pending(work) && !clear_pending_if_disabled(work)) {
    __queue_work(cpu, wq, work);
    return true;
  }
  return false;
}

bool queue_work_node(int node, workqueue_struct* wq, work_struct* work) {
  WARN_ON_ONCE(!(wq_flags(wq) & WQ_UNBOUND));
  (void)node;  // one node
  return queue_work_on(WORK_CPU_UNBOUND, wq, work);
}

bool queue_delayed_work_on(int cpu, workqueue_struct* wq, delayed_work* dwork,
                           unsigned long delay) {
  work_struct* work = &dwork->work;
  if (!test_and_set_pending(work) && !clear_pending_if_disabled(work)) {
    __queue_delayed_work(cpu, wq, dwork, delay);
    return true;
  }
  return false;
}

bool mod_delayed_work_on(int cpu, workqueue_struct* wq, delayed_work* dwork, unsigned long delay) {
  int ret = work_grab_pending(&dwork->work, WORK_CANCEL_DELAYED);
  if (!clear_pending_if_disabled(&dwork->work)) __queue_delayed_work(cpu, wq, dwork, delay);
  return ret;
}

bool schedule_work_on(int cpu, work_struct* work) { return queue_work_on(cpu, system_wq, work); }
bool schedule_work(work_struct* work) { return queue_work(system_wq, work); }
bool schedule_delayed_work_on(int cpu, delayed_work* dwork, unsigned long delay) {
  return queue_delayed_work_on(cpu, system_wq, dwork, delay);
}
bool schedule_delayed_work(delayed_work* dwork, unsigned long delay) {
  return queue_delayed_work(system_wq, dwork, delay);
}

bool enable_and_queue_work(workqueue_struct* wq, work_struct* work) {
  if (enable_work(work)) {
    queue_work(wq, work);
    return true;
  }
  return false;
}

bool flush_work(work_struct* work) {
  might_sleep();
  return __flush_work(work);
}

bool flush_delayed_work(delayed_work* dwork) {
  if (timer_delete_sync(&dwork->timer)) __queue_work(dwork->cpu, dwork->wq, &dwork->work);
  return flush_work(&dwork->work);
}

void __flush_workqueue(workqueue_struct* wq) {
  might_sleep();
  if (!wq_online_check("flush_workqueue")) return;
  mutex_lock(&wq->flush_mutex);
  completion done;
  init_completion(&done);
  wq->flush_done = &done;
  wq->nr_pwqs_to_flush.store(1, std::memory_order_relaxed);  // bias, dropped below
  list_head* p;
  list_for_each(p, &wq->pwqs) {
    pool_workqueue* pwq = container_of(p, pool_workqueue, pwqs_node);
    spin_lock(&pwq->pool->lock);
    int color = pwq->work_color;
    if (pwq->nr_in_flight[color]) {
      pwq->flush_color = color;
      wq->nr_pwqs_to_flush.fetch_add(1, std::memory_order_relaxed);
    }
    pwq->work_color = (color + 1) % WORK_NR_COLORS;
    spin_unlock(&pwq->pool->lock);
  }
  if (wq->nr_pwqs_to_flush.fetch_sub(1, std::memory_order_acq_rel) == 1) complete(&done);
  wait_for_completion(&done);
  wq->flush_done = nullptr;
  mutex_unlock(&wq->flush_mutex);
}

void flush_workqueue(workqueue_struct* wq) {
  if (wq && (wq == system_wq || wq == system_percpu_wq || wq == system_highpri_wq ||
             wq == system_long_wq || wq == system_unbound_wq || wq == system_dfl_wq ||
             wq == system_freezable_wq || wq == system_power_efficient_wq ||
             wq == system_freezable_power_efficient_wq))
    pr_warn_once("WARNING: Flushing system-wide workqueues will be prohibited in near future.\n");
  __flush_workqueue(wq);
}

void flush_scheduled_work() {
  pr_warn("WARNING: Flushing system-wide workqueues will be prohibited in near future.\n");
  __flush_workqueue(system_wq);
}

bool cancel_work(work_struct* work) { return __cancel_work(work, 0); }
bool cancel_work_sync(work_struct* work) { return __cancel_work_sync(work, 0); }
bool cancel_delayed_work(delayed_work* dwork) {
  return __cancel_work(&dwork->work, WORK_CANCEL_DELAYED);
}
bool cancel_delayed_work_sync(delayed_work* dwork) {
  return __cancel_work_sync(&dwork->work, WORK_CANCEL_DELAYED);
}
bool disable_work(work_struct* work) { return __cancel_work(work, WORK_CANCEL_DISABLE); }
bool disable_work_sync(work_struct* work) {
  return __cancel_work_sync(work, WORK_CANCEL_DISABLE);
}
bool enable_work(work_struct* work) {
  work_grab_pending(work, 0);
  offq_data_t o = offq_unpack(work_data(work));
  if (!WARN_ONCE(o.disable == 0, "workqueue: work disable count underflowed\n")) o.disable--;
  set_work_pool_and_clear_pending(work, o.pool_id, offq_pack_flags(o));
  return o.disable == 0;
}
bool disable_delayed_work(delayed_work* dwork) {
  return __cancel_work(&dwork->work, WORK_CANCEL_DELAYED | WORK_CANCEL_DISABLE);
}
bool disable_delayed_work_sync(delayed_work* dwork) {
  return __cancel_work_sync(&dwork->work, WORK_CANCEL_DELAYED | WORK_CANCEL_DISABLE);
}
bool enable_delayed_work(delayed_work* dwork) { return enable_work(&dwork->work); }

work_struct* current_work() {
  worker* w = current_wq_worker();
  return w ? w->current_work : nullptr;
}

bool current_is_workqueue_rescuer() {
  worker* w = current_wq_worker();
  return w && w->rescue_wq;
}

unsigned work_busy(work_struct* work) {
  unsigned ret = 0;
  if (work_pending(work)) ret |= WORK_BUSY_PENDING;
  if (worker_pool* pool = get_work_pool(work)) {
    spin_lock(&pool->lock);
    if (find_worker_executing_work(pool, work)) ret |= WORK_BUSY_RUNNING;
    spin_unlock(&pool->lock);
  }
  return ret;
}

void set_worker_desc(const char* fmt, ...) {
  worker* w = current_wq_worker();
  if (!w) return;
  char buf[WORKER_DESC_LEN];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  worker_pool* pool = w->pool;
  if (pool) spin_lock(&pool->lock);
  std::memcpy(w->desc, buf, sizeof buf);
  if (pool) spin_unlock(&pool->lock);
}

void show_all_workqueues() {
  pr_info("Showing busy workqueues and worker pools:\n");
  spin_lock(&g_wq_list_lock);
  list_head* p;
  list_for_each(p, &g_workqueues) show_one_workqueue(container_of(p, workqueue_struct, list));
  spin_unlock(&g_wq_list_lock);
  for (worker_pool* pool : g_pools)
    if (pool) show_one_worker_pool(pool);
}

int schedule_on_each_cpu(work_func_t func) {
  std::vector<work_struct> works(static_cast<std::size_t>(g_nr_cpus));
  int cpu;
  cpus_read_lock();  // the same online CPUs for both loops
  const cpumask online = cpu_online_mask();
  for_each_cpu(cpu, online) {
    INIT_WORK(&works[static_cast<std::size_t>(cpu)], func);
    schedule_work_on(cpu, &works[static_cast<std::size_t>(cpu)]);
  }
  for_each_cpu(cpu, online) flush_work(&works[static_cast<std::size_t>(cpu)]);
  cpus_read_unlock();
  return 0;
}

int execute_in_process_context(work_func_t fn, execute_work* ew) {
  if (!in_interrupt()) {
    fn(&ew->work);
    return 0;
  }
  INIT_WORK(&ew->work, fn);
  schedule_work(&ew->work);
  return 1;
}

namespace {
struct work_for_cpu {
  work_struct work;
  long (*fn)(void*);
  void* arg;
  long ret;
};
void work_for_cpu_fn(work_struct* work) {
  work_for_cpu* wfc = container_of(work, work_for_cpu, work);
  wfc->ret = wfc->fn(wfc->arg);
}
}  // namespace

long work_on_cpu(int cpu, long (*fn)(void* arg), void* arg) {
  work_for_cpu wfc{{}, fn, arg, 0};
  INIT_WORK_ONSTACK(&wfc.work, work_for_cpu_fn);
  schedule_work_on(cpu, &wfc.work);
  flush_work(&wfc.work);
  return wfc.ret;
}

long work_on_cpu_safe(int cpu, long (*fn)(void* arg), void* arg) {
  long ret = -ENODEV;
  cpus_read_lock();  // the CPU stays online until fn returned
  if (cpu >= 0 && cpu < g_nr_cpus && cpu_online(cpu)) ret = work_on_cpu(cpu, fn, arg);
  cpus_read_unlock();
  return ret;
}

void wq_watchdog_set_thresh(unsigned long seconds) {
  g_watchdog_thresh.store(seconds);
  if (!g_wq_online) return;
  timer_delete_sync(&g_watchdog_timer);
  g_watchdog_armed.store(false);
  g_watchdog_touched.store(get_jiffies());
  wq_watchdog_arm();
}
unsigned long wq_watchdog_thresh() { return g_watchdog_thresh.load(); }
void wq_watchdog_touch(int cpu) {
  unsigned long now = get_jiffies();
  if (cpu >= 0 && g_watchdog_cpu_touched && cpu < g_nr_cpus)
    (*g_watchdog_cpu_touched)[static_cast<std::size_t>(cpu)].store(now);
  else
    g_watchdog_touched.store(now);
}
void wq_set_cpu_intensive_thresh_us(unsigned long us) { g_cpu_intensive_thresh_us.store(us); }
void wq_set_power_efficient(bool on) { g_power_efficient.store(on); }
void wq_inject_create_worker_failures(int count) { g_inject_create_failures.store(count); }

// ==== scheduler and boot hooks ======================================================================
namespace internal {

bool is_delayed_work_timer(const timer_list* t) noexcept { return t->function == delayed_work_timer_fn; }

void visit_work(const std::function<void(work_struct* w, work_func_t func, bool running)>& fn) {
  for (worker_pool* pool : g_pools) {
    if (!pool) continue;
    spin_lock_irq(&pool->lock);
    list_head* pos;
    for (pos = pool->worklist.next; pos != &pool->worklist; pos = pos->next) {
      work_struct* w = container_of(pos, work_struct, entry);
      fn(w, w->func, false);
    }
    for (pos = pool->workers.next; pos != &pool->workers; pos = pos->next) {
      worker* wk = container_of(pos, worker, node);
      for (list_head* q = wk->scheduled.next; q != &wk->scheduled; q = q->next) {
        work_struct* w = container_of(q, work_struct, entry);
        fn(w, w->func, false);
      }
      if (wk->current_work) fn(wk->current_work, wk->current_func, true);
    }
    spin_unlock_irq(&pool->lock);
  }
  spin_lock(&g_wq_list_lock);
  for (list_head* wp = g_workqueues.next; wp != &g_workqueues; wp = wp->next) {
    workqueue_struct* wq = container_of(wp, workqueue_struct, list);
    for (list_head* pp = wq->pwqs.next; pp != &wq->pwqs; pp = pp->next) {
      pool_workqueue* pwq = container_of(pp, pool_workqueue, pwqs_node);
      spin_lock_irq(&pwq->pool->lock);
      for (list_head* q = pwq->inactive_works.next; q != &pwq->inactive_works; q = q->next) {
        work_struct* w = container_of(q, work_struct, entry);
        fn(w, w->func, false);
      }
      spin_unlock_irq(&pwq->pool->lock);
    }
  }
  spin_unlock(&g_wq_list_lock);
}


void wq_worker_sleeping(task_struct* task) {
  worker* w = static_cast<worker*>(task->worker_private->data);
  if (worker_flags_once(w) & WORKER_NOT_RUNNING) return;
  if (WARN_ON_ONCE(w->sleeping)) return;
  w->sleeping = 1;
  worker_pool* pool = w->pool;
  spin_lock(&pool->lock);
  if (w->flags & WORKER_NOT_RUNNING) {
    spin_unlock(&pool->lock);
    return;
  }
  pool->nr_running.fetch_sub(1, std::memory_order_relaxed);
  kick_pool(pool);
  spin_unlock(&pool->lock);
}

void wq_worker_running(task_struct* task) {
  worker* w = static_cast<worker*>(task->worker_private->data);
  if (!w->sleeping) return;
  if (!(worker_flags_once(w) & WORKER_NOT_RUNNING))
    w->pool->nr_running.fetch_add(1, std::memory_order_relaxed);
  w->current_at = task->se.sum_exec_runtime;
  w->sleeping = 0;
}

void wq_worker_tick(task_struct* task) {
  worker* w = static_cast<worker*>(task->worker_private->data);
  if (!w || !w->current_pwq || !w->pool) return;
  unsigned long thresh = g_cpu_intensive_thresh_us.load(std::memory_order_relaxed);
  // A worker already counted out by wq_worker_sleeping (ticks are handled inside schedule(), after
  // that hook ran) must not be decremented a second time.
  if (!thresh || (worker_flags_once(w) & WORKER_NOT_RUNNING) || w->sleeping) return;
  if (task->se.sum_exec_runtime - w->current_at < thresh * 1000) return;
  worker_pool* pool = w->pool;
  spin_lock(&pool->lock);
  worker_set_flags(w, WORKER_CPU_INTENSIVE);
  work_func_t fn = w->current_func;
  kick_pool(pool);
  spin_unlock(&pool->lock);
  wq_cpu_intensive_report(fn);
}

void workqueue_init(int nr_cpus) {
  g_nr_cpus = nr_cpus;
  g_shutting_down.store(false);
  g_host_rr.store(0);  // the same seed replays the same run whatever ran before
  // Module parameters start at their defaults in every kernel (they are boot parameters).
  g_watchdog_thresh.store(30);
  g_cpu_intensive_thresh_us.store(10000);
  g_power_efficient.store(false);
  g_inject_create_failures.store(0);
  g_pools.assign(static_cast<std::size_t>(4 * nr_cpus + 2), nullptr);
  for (int cpu = 0; cpu < nr_cpus; ++cpu)
    for (int hi = 0; hi < 2; ++hi) {
      auto* pool = new worker_pool;
      init_pool(pool, cpu_pool_id(cpu, hi), cpu, hi ? kHighpriNice : 0);
      g_pools[static_cast<std::size_t>(pool->id)] = pool;
    }
  for (int hi = 0; hi < 2; ++hi) {
    auto* pool = new worker_pool;
    init_pool(pool, unbound_pool_id(hi), -1, hi ? kHighpriNice : 0);
    g_pools[static_cast<std::size_t>(pool->id)] = pool;
  }
  g_watchdog_cpu_touched = new std::vector<std::atomic<unsigned long>>(
      static_cast<std::size_t>(nr_cpus));
  g_watchdog_touched.store(get_jiffies());
  g_watchdog_armed.store(false);
  timer_setup(&g_watchdog_timer, wq_watchdog_timer_fn, TIMER_DEFERRABLE);
  ktl_proc_worker_comm.store(wq_worker_comm, std::memory_order_release);
  register_module_params();

  system_wq = alloc_workqueue("events", 0, 0);
  system_percpu_wq = alloc_workqueue("events", WQ_PERCPU, 0);
  system_highpri_wq = alloc_workqueue("events_highpri", WQ_HIGHPRI, 0);
  system_long_wq = alloc_workqueue("events_long", 0, 0);
  system_unbound_wq = alloc_workqueue("events_unbound", WQ_UNBOUND, WQ_MAX_ACTIVE);
  system_dfl_wq = alloc_workqueue("events_unbound", WQ_UNBOUND, WQ_MAX_ACTIVE);
  system_freezable_wq = alloc_workqueue("events_freezable", WQ_FREEZABLE, 0);
  system_power_efficient_wq = alloc_workqueue("events_power_efficient", WQ_POWER_EFFICIENT, 0);
  system_freezable_power_efficient_wq = alloc_workqueue(
      "events_freezable_pwr_efficient", WQ_FREEZABLE | WQ_POWER_EFFICIENT, 0);

  // workqueue_init(): from here on workers (and rescuers) can be created; one per pool in use.
  g_wq_online = true;
  g_boot_workers.clear();
  auto first_worker = [](int id) {
    if (worker* w = create_worker(g_pools[static_cast<std::size_t>(id)])) {
      get_task_struct(w->task);
      g_boot_workers.push_back(w->task);
    }
  };
  for (int cpu = 0; cpu < nr_cpus; ++cpu)
    for (int hi = 0; hi < 2; ++hi) first_worker(cpu_pool_id(cpu, hi));
  first_worker(unbound_pool_id(false));
  first_worker(unbound_pool_id(true));
}

int workqueue_offline_cpu(unsigned int cpu) {
  // Unbinding happens on the CPU itself: no worker counted in its pools runs meanwhile.
  if (WARN_ON(static_cast<int>(cpu) != smp_processor_id())) return -1;
  if (g_pools.empty() || WARN_ON(static_cast<int>(cpu) >= g_nr_cpus)) return 0;
  unbind_workers(static_cast<int>(cpu));
  return 0;
}

int workqueue_online_cpu(unsigned int cpu) {
  if (g_pools.empty() || WARN_ON(static_cast<int>(cpu) >= g_nr_cpus)) return 0;
  rebind_workers(static_cast<int>(cpu));
  return 0;
}

bool workqueue_quiesced() { return g_creating.load(std::memory_order_acquire) == 0; }

bool workqueue_settled() {
  for (task_struct* t : g_boot_workers) {
    unsigned w = t->state_word.load(std::memory_order_acquire);
    if ((w & task_struct::kStateMask) != TASK_IDLE || (w & task_struct::kOnRqBit)) return false;
  }
  for (task_struct* t : g_boot_workers) put_task_struct(t);
  g_boot_workers.clear();
  return true;
}

void workqueue_shutdown() {
  if (g_pools.empty()) return;
  g_shutting_down.store(true, std::memory_order_seq_cst);
  for (task_struct* t : g_boot_workers) put_task_struct(t);
  g_boot_workers.clear();
  g_shutting_down.store(true);
  timer_delete_sync(&g_watchdog_timer);
  for (worker_pool* pool : g_pools) {
    if (!pool) continue;
    timer_delete_sync(&pool->idle_timer);
    timer_delete_sync(&pool->mayday_timer);
  }
}

void workqueue_fini() {
  if (g_pools.empty()) return;
  for (const char* name : kModuleParams)
    proc_unregister_sysctl(std::string(kParamDir) + name);
  g_wq_online = false;
  ktl_proc_worker_comm.store(nullptr, std::memory_order_release);
  auto free_list = [](list_head* head) {
    while (!list_empty(head)) {
      workqueue_struct* wq = list_first_entry(head, workqueue_struct, list);
      list_del_init(&wq->list);
      if (wq->rescuer) put_task_struct(wq->rescuer->task);  // the reference init_rescuer took
      free_wq(wq);
    }
  };
  free_list(&g_workqueues);
  free_list(&g_destroyed);
  g_nr_destroyed = 0;
  for (worker_pool*& pool : g_pools) {
    if (!pool) continue;
    // Workers whose task_structs outlive the pools (a reference is still held) forget them.
    while (!list_empty(&pool->workers)) {
      worker* w = list_first_entry(&pool->workers, worker, node);
      list_del_init(&w->node);
      list_del_init(&w->entry);
      __atomic_store_n(&w->pool, nullptr, __ATOMIC_RELEASE);
    }
    delete pool;
    pool = nullptr;
  }
  g_pools.clear();
  delete g_watchdog_cpu_touched;
  g_watchdog_cpu_touched = nullptr;
  system_wq = system_percpu_wq = system_highpri_wq = system_long_wq = nullptr;
  system_unbound_wq = system_dfl_wq = system_freezable_wq = nullptr;
  system_power_efficient_wq = system_freezable_power_efficient_wq = nullptr;
  g_nr_cpus = 0;
}

}  // namespace internal
}  // namespace ktl
