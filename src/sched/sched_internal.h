// Private scheduler structures: the per-vCPU runqueue and the scheduling classes.
#pragma once

#include <atomic>
#include <boost/intrusive/list.hpp>
#include <boost/intrusive/set.hpp>

#include "arch/fiber.h"
#include "arch/machine.h"
#include "ktl/mm/mm.h"
#include "ktl/sched/sched.h"
#include "ktl/sched/task.h"

namespace ktl::internal {

struct timer_base;

struct vruntime_less {
  bool operator()(const task_struct& a, const task_struct& b) const noexcept {
    return static_cast<s64>(a.se.vruntime - b.se.vruntime) < 0;
  }
};
using cfs_timeline = boost::intrusive::multiset<
    task_struct,
    boost::intrusive::member_hook<
        task_struct,
        boost::intrusive::set_member_hook<
            boost::intrusive::link_mode<boost::intrusive::normal_link>>,
        &task_struct::run_node>,
    boost::intrusive::compare<vruntime_less>, boost::intrusive::constant_time_size<true>>;
using rt_list = boost::intrusive::list<
    task_struct,
    boost::intrusive::member_hook<
        task_struct,
        boost::intrusive::list_member_hook<
            boost::intrusive::link_mode<boost::intrusive::normal_link>>,
        &task_struct::rt_node>,
    boost::intrusive::constant_time_size<false>>;

struct cfs_rq {
  cfs_timeline timeline;
  // The "next buddy": a task woken on this vCPU by the running task waits here instead of in the
  // timeline, and is picked next unless that would be unfair (it is more than the wake-up
  // granularity ahead of the leftmost task). Saves the tree insert and erase on the hand-offs
  // (complete(); wait_for_completion()) that dominate kernel-thread traffic.
  task_struct* next = nullptr;
  u64 min_vruntime = 0;
  unsigned long load = 0;  // sum of queued weights
};

struct rt_rq {
  rt_list queue[MAX_RT_PRIO];
  u64 bitmap[2] = {0, 0};  // bit p set <=> queue[p] non-empty
  unsigned nr = 0;
};

// Bits of rq::pending: work for the vCPU to do at its next scheduling point ("interrupts").
inline constexpr unsigned PENDING_TICK = 1u << 0;
inline constexpr unsigned PENDING_RESCHED = 1u << 1;  // need_resched
inline constexpr unsigned PENDING_WAKE = 1u << 2;     // wake list non-empty
inline constexpr unsigned PENDING_STOP = 1u << 3;     // machine shutting down
inline constexpr unsigned PENDING_HRTIMER = 1u << 4;

// Idle states of a vCPU, for the doorbell protocol.
inline constexpr int IDLE_RUNNING = 0;
inline constexpr int IDLE_POLLING = 1;
inline constexpr int IDLE_SLEEPING = 2;

struct alignas(kCacheLine) rq {
  // --- V: touched only by this vCPU ---------------------------------------------------------
  task_struct* curr = nullptr;
  task_struct* idle = nullptr;
  std::atomic<task_struct*> stop{nullptr};  // the stopper (cpu_stop), set once it exists
  bool stop_queued = false;
  cfs_rq cfs;
  rt_rq rt;
  int cpu = 0;
  int irq_depth = 0;                // > 0 while running "interrupt" work (timers, wake list)
  unsigned long last_tick = 0;      // jiffies already accounted
  u64 last_cpu_ns = 0;              // the vCPU's own CPU time at the last tick
  mm_struct* loaded_mm = nullptr;   // address space loaded on this vCPU
  mm_struct* prev_mm = nullptr;     // borrowed mm to drop after the switch (kernel -> user)
  stack_cache stacks;
  tlb_stats tlb = {};
  u64 nr_switches = 0;
  u64 nr_wakeups_local = 0;
  u64 nr_wakeups_remote = 0;
  u64 nr_migrations_out = 0;
  u64 nr_idle_sleeps = 0;
  u64 idle_poll_ns = 0;
  unsigned long last_sched_bug = 0;  // rate limit of "scheduling while atomic"
  timer_base* timers = nullptr;
  // Times each softirq vector ran here (/proc/softirqs); written here, read by /proc readers.
  std::atomic<unsigned long> softirq_count[10] = {};
  // /proc/interrupts: ticks taken, wake-up IPIs taken, cpu_stop kicks (function calls).
  struct {
    std::atomic<unsigned long> timer{0}, resched{0}, call{0};
  } irq_stats;

  // --- R: written by other vCPUs --------------------------------------------------------------
  alignas(kCacheLine) std::atomic<task_struct*> wake_list{nullptr};
  std::atomic<unsigned> pending{0};
  std::atomic<int> idle_state{IDLE_RUNNING};
  std::atomic<unsigned> nr_running_hint{0};  // for placement decisions on other vCPUs
  // Pending softirq vectors (bit = vector). Raised by this vCPU; a host thread's raise and CPU
  // hotplug's takeover write it from outside.
  std::atomic<unsigned> softirq_pending{0};
  // CPU hotplug took this vCPU down: its host thread still runs the idle loop (and parked or
  // stopping per-CPU kthreads), but every other task that reaches it is sent elsewhere.
  std::atomic<bool> offline{false};
};

// Tasks queued on the runqueue, not counting the running one: derived from the class queues so
// it can never drift from them.
KTL_ALWAYS_INLINE unsigned rq_nr_queued(const rq* rq) noexcept {
  return static_cast<unsigned>(rq->cfs.timeline.size()) + (rq->cfs.next ? 1u : 0u) + rq->rt.nr +
         (rq->stop_queued ? 1u : 0u);
}

struct sched_class {
  void (*enqueue)(rq* rq, task_struct* p, bool wakeup);
  void (*dequeue)(rq* rq, task_struct* p);
  task_struct* (*pick_next)(rq* rq);  // removes the task it returns from the queue
  void (*put_prev)(rq* rq, task_struct* p, bool yield);
  // `ticks` elapsed since the last look; `ns` of them the vCPU really ran (steal time excluded).
  void (*task_tick)(rq* rq, task_struct* p, unsigned long ticks, u64 ns);
  bool (*wakeup_preempt)(rq* rq, task_struct* curr, task_struct* p);
  bool (*has_queued)(const rq* rq);
  void (*task_blocked)(rq* rq, task_struct* p);  // may be null
  int rank;  // stop 3, rt 2, fair 1, idle 0
};

extern const sched_class stop_sched_class;
extern const sched_class rt_sched_class;
extern const sched_class fair_sched_class;
extern const sched_class idle_sched_class;

KTL_ALWAYS_INLINE const sched_class* class_for_policy(int policy) noexcept {
  return (policy == SCHED_FIFO || policy == SCHED_RR) ? &rt_sched_class : &fair_sched_class;
}
unsigned long nice_to_weight(int nice) noexcept;

// Global kernel state (one kernel per process at a time).
struct kernel_state {
  machine* mach = nullptr;
  int nr_cpus = 0;
  rq* rqs[NR_CPUS] = {};
  cpumask online;
  cpumask possible;
  std::atomic<u64> idle_mask{0};   // vCPUs 0..63 that are idle (placement hint)
  std::atomic<bool> running{false};
  std::atomic<bool> stopping{false};
  u64 idle_poll_ns = 0;
};
extern kernel_state g_kernel;

KTL_ALWAYS_INLINE rq* cpu_rq(int cpu) noexcept { return g_kernel.rqs[cpu]; }

// The online mask changes under CPU hotplug while every vCPU reads it: word-wise relaxed atomics.
KTL_ALWAYS_INLINE u64 online_word(int i) noexcept {
  return __atomic_load_n(&g_kernel.online.bits[i], __ATOMIC_RELAXED);
}
KTL_ALWAYS_INLINE bool online_test(int cpu) noexcept {
  return cpu >= 0 && cpu < NR_CPUS && (online_word(cpu >> 6) >> (cpu & 63)) & 1;
}
inline cpumask online_snapshot() noexcept {
  cpumask m;
  for (int i = 0; i < NR_CPUS / 64; ++i) m.bits[i] = online_word(i);
  return m;
}
void set_cpu_online(int cpu, bool online) noexcept;
// The runqueue of the vCPU the caller runs on; nullptr on a host thread. Never inlined into the
// caller so a fiber that resumed on another vCPU re-reads it (see get_current()).
rq* this_rq() noexcept;
void set_this_rq(rq* rq) noexcept;

// Entry points used by the machine and the time code.
void vcpu_main(int cpu);
void tick_broadcast(unsigned long now_jiffies) noexcept;   // the timer chip: jiffies advanced
void kick_cpu(rq* rq) noexcept;                            // doorbell, if the vCPU sleeps
void resched_curr(rq* rq) noexcept;
void sched_init(int nr_cpus);
void sched_fini();
// The fiber entry of every task.
void task_entry(transfer_t t);
// Called by the idle loop and by schedule(): run due timers and drain the wake list.
void handle_pending(rq* rq);
void activate_task_local(rq* rq, task_struct* p);
void enqueue_on_cpu(task_struct* p, int cpu);
int select_task_rq(task_struct* p, int this_cpu, int wake_flags = 0) noexcept;
// wake_up_new_task() with wake flags (kthreadd places a new kthread with WF_SYNC).
void wake_up_new_task_wf(task_struct* p, int wake_flags);
// complete_all() waking with wake flags (do_exit's vfork_done: the waker is dying).
void complete_all_wf(completion* x, int wake_flags);
void dump_runqueues();
void sched_set_stop_task(int cpu, task_struct* stop);
// Hotplug, on the dying vCPU in its stopper (stop_machine): mark it offline and send every task
// queued on it to an online vCPU.
void sched_cpu_dying(int cpu);
// Hotplug: the vCPU is back; tasks may be placed on it again.
void sched_cpu_starting(int cpu);
task_struct* idle_task(int cpu);

// A task's affinity is written by whoever calls set_cpus_allowed_ptr() and read by the vCPUs
// that place or run it, without a lock: word-wise relaxed atomics, so a reader sees each word
// either old or new (a placement from the old mask is corrected at the next pick, as Linux's
// migration path does).
inline cpumask load_cpus_mask(const task_struct* p) noexcept {
  cpumask m;
  for (int i = 0; i < NR_CPUS / 64; ++i) m.bits[i] = __atomic_load_n(&p->cpus_mask.bits[i], __ATOMIC_RELAXED);
  return m;
}
inline bool cpus_mask_test(const task_struct* p, int cpu) noexcept {
  return (__atomic_load_n(&p->cpus_mask.bits[cpu >> 6], __ATOMIC_RELAXED) >> (cpu & 63)) & 1;
}
inline int load_nr_cpus_allowed(const task_struct* p) noexcept {
  return __atomic_load_n(&p->nr_cpus_allowed, __ATOMIC_RELAXED);
}
inline void store_cpus_mask(task_struct* p, const cpumask& m) noexcept {
  for (int i = 0; i < NR_CPUS / 64; ++i) __atomic_store_n(&p->cpus_mask.bits[i], m.bits[i], __ATOMIC_RELAXED);
  __atomic_store_n(&p->nr_cpus_allowed, m.weight(), __ATOMIC_RELAXED);
}

}  // namespace ktl::internal
