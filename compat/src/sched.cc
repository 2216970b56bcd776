// <linux/sched.h>, <asm/current.h>, <linux/sched/{signal,task}.h>, <linux/signal.h>,
// <linux/preempt.h>, <linux/smp.h>, <linux/cpumask.h>, <linux/cpu.h>, <linux/freezer.h>,
// <linux/stop_machine.h>: tasks, scheduling, signals, vCPUs.
//
// The C headers view ktl's objects through mirrors; every offset and size they rely on is
// asserted here against ktl's C++ definitions, with the numbers the headers use written out.
#include <cstddef>

#include "ktl/base/bug.h"
#include "ktl/base/cpumask.h"
#include "ktl/kernel/cpu.h"
#include "ktl/kernel/fork.h"
#include "ktl/kernel/stop_machine.h"
#include "ktl/sched/preempt.h"
#include "ktl/sched/sched.h"
#include "ktl/sched/signal.h"
#include "ktl/sched/task.h"
#include "ktl/sched/wait.h"
#include "ktl/time/delay.h"
#include "sched/sched_internal.h"

// ---- layouts the C headers rely on -----------------------------------------------------------

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
// struct task_struct (<linux/sched.h>): the exposed fields at their offsets.
static_assert(offsetof(ktl::task_struct, flags) == 4 && sizeof(ktl::task_struct::flags) == 4);
static_assert(offsetof(ktl::task_struct, cpu) == 24 && sizeof(ktl::task_struct::cpu) == 4);
static_assert(offsetof(ktl::task_struct, prio) == 48 && sizeof(ktl::task_struct::prio) == 4);
static_assert(offsetof(ktl::task_struct, static_prio) == 52);
static_assert(offsetof(ktl::task_struct, normal_prio) == 56);
static_assert(offsetof(ktl::task_struct, rt_priority) == 60 &&
              sizeof(ktl::task_struct::rt_priority) == 4);
static_assert(offsetof(ktl::task_struct, policy) == 64 && sizeof(ktl::task_struct::policy) == 4);
static_assert(offsetof(ktl::task_struct, cpus_mask) == 176 &&
              sizeof(ktl::task_struct::cpus_mask) == 32);
static_assert(offsetof(ktl::task_struct, cpus_ptr) == 208 &&
              sizeof(ktl::task_struct::cpus_ptr) == 8);
static_assert(offsetof(ktl::task_struct, nr_cpus_allowed) == 216 &&
              sizeof(ktl::task_struct::nr_cpus_allowed) == 4);
static_assert(offsetof(ktl::task_struct, pid) == 276 && sizeof(ktl::task_struct::pid) == 4);
static_assert(offsetof(ktl::task_struct, tgid) == 280 && sizeof(ktl::task_struct::tgid) == 4);
static_assert(offsetof(ktl::task_struct, comm) == 284 && sizeof(ktl::task_struct::comm) == 16);
static_assert(offsetof(ktl::task_struct, real_parent) == 304 &&
              sizeof(ktl::task_struct::real_parent) == 8);
static_assert(offsetof(ktl::task_struct, exit_signal) == 360 &&
              sizeof(ktl::task_struct::exit_signal) == 4);
static_assert(offsetof(ktl::task_struct, exit_state) == 364 &&
              sizeof(ktl::task_struct::exit_state) == 4);
static_assert(offsetof(ktl::task_struct, exit_code) == 368 &&
              sizeof(ktl::task_struct::exit_code) == 4);
static_assert(offsetof(ktl::task_struct, mm) == 376 && sizeof(ktl::task_struct::mm) == 8);
static_assert(offsetof(ktl::task_struct, active_mm) == 384 &&
              sizeof(ktl::task_struct::active_mm) == 8);
static_assert(offsetof(ktl::task_struct, sig_pending) == 392 &&
              sizeof(ktl::task_struct::sig_pending) == 8);
static_assert(offsetof(ktl::task_struct, sig_blocked) == 400 &&
              sizeof(ktl::task_struct::sig_blocked) == 8);
static_assert(offsetof(ktl::task_struct, nvcsw) == 424 && sizeof(ktl::task_struct::nvcsw) == 8);
static_assert(offsetof(ktl::task_struct, nivcsw) == 432 && sizeof(ktl::task_struct::nivcsw) == 8);
static_assert(offsetof(ktl::task_struct, utime) == 440 && sizeof(ktl::task_struct::utime) == 8);
static_assert(offsetof(ktl::task_struct, stime) == 448 && sizeof(ktl::task_struct::stime) == 8);
static_assert(offsetof(ktl::task_struct, start_time) == 456 &&
              sizeof(ktl::task_struct::start_time) == 8);
// struct cpu_stop_work (<linux/stop_machine.h>).
static_assert(sizeof(ktl::cpu_stop_work) == 48 && alignof(ktl::cpu_stop_work) == 8);
static_assert(offsetof(ktl::cpu_stop_work, list) == 0 && offsetof(ktl::cpu_stop_work, fn) == 16 &&
              offsetof(ktl::cpu_stop_work, arg) == 24 && offsetof(ktl::cpu_stop_work, done) == 32 &&
              offsetof(ktl::cpu_stop_work, caller) == 40);
#pragma GCC diagnostic pop
// The value behind the atomics the C view reads as plain words.
static_assert(sizeof(std::atomic<ktl::sigset_bits>) == 8 && std::atomic<ktl::sigset_bits>::is_always_lock_free);
static_assert(sizeof(std::atomic<unsigned>) == 4);
// struct cpumask (<linux/cpumask.h>): NR_CPUS bits in unsigned longs.
static_assert(ktl::NR_CPUS == 256 && sizeof(ktl::cpumask) == 32 && alignof(ktl::cpumask) == 8);
static_assert(sizeof(ktl::cpumask::bits[0]) == sizeof(unsigned long));
// struct sched_param.
static_assert(sizeof(ktl::sched_param) == 4 && offsetof(ktl::sched_param, sched_priority) == 0);
// The constants the headers spell out.
static_assert(ktl::TASK_COMM_LEN == 16 && ktl::MAX_SCHEDULE_TIMEOUT == 0x7fffffffffffffffL);
static_assert(ktl::TASK_INTERRUPTIBLE == 0x1 && ktl::TASK_UNINTERRUPTIBLE == 0x2 &&
              ktl::TASK_PARKED == 0x40 && ktl::TASK_DEAD == 0x80 && ktl::TASK_WAKEKILL == 0x100 &&
              ktl::TASK_NOLOAD == 0x400 && ktl::TASK_FREEZABLE == 0x2000 &&
              ktl::TASK_FROZEN == 0x8000);
static_assert(ktl::PF_WQ_WORKER == 0x20 && ktl::PF_NOFREEZE == 0x8000 &&
              ktl::PF_KTHREAD == 0x200000 && ktl::PF_NO_SETAFFINITY == 0x04000000);
static_assert(ktl::SOFTIRQ_OFFSET == 0x100 && ktl::HARDIRQ_OFFSET == 0x10000 &&
              ktl::NMI_OFFSET == 0x100000);

namespace {

// One-vCPU masks for cpumask_of(), and the all-vCPUs mask (cpu_all_mask).
struct constant_masks {
  ktl::cpumask of[ktl::NR_CPUS];
  ktl::cpumask all;
  constexpr constant_masks() {
    for (int cpu = 0; cpu < ktl::NR_CPUS; ++cpu) {
      of[cpu].set(cpu);
      all.set(cpu);
    }
  }
};
constexpr constant_masks kMasks;

// Records `site` as where the caller blocks unless an outer primitive already named one; true
// if it did (the caller clears it afterwards).
bool enter_site(ktl::task_struct* self, const char* site) {
  if (self->blocked_at.func.load(std::memory_order_relaxed)) return false;
  self->blocked_at.func.store(site, std::memory_order_relaxed);
  return true;
}
void leave_site(ktl::task_struct* self, bool own) {
  if (own) self->blocked_at.func.store(nullptr, std::memory_order_relaxed);
}

constexpr unsigned kStateUnchanged = 0xffffffffu;  // __KTL_STATE_UNCHANGED

// The task with that pid (0: the caller), referenced; nullptr if there is none.
ktl::task_struct* task_by_pid(pid_t pid) {
  if (pid == 0) {
    ktl::task_struct* p = ktl::get_current();
    ktl::get_task_struct(p);
    return p;
  }
  return ktl::find_get_task_by_vpid(pid);
}

}  // namespace

extern "C" {

// ---- current, schedule -------------------------------------------------------------------------

ktl::task_struct* ktl_get_current(void) { return ktl::get_current(); }

void ktl_schedule(void) { ktl::schedule(); }

void ktl_schedule_at(const char* site) {
  ktl::task_struct* self = ktl::get_current();
  bool own = enter_site(self, site);
  ktl::schedule();
  leave_site(self, own);
}

long ktl_schedule_timeout(long timeout) { return ktl::schedule_timeout(timeout); }
long ktl_schedule_timeout_interruptible(long timeout) {
  return ktl::schedule_timeout_interruptible(timeout);
}
long ktl_schedule_timeout_killable(long timeout) { return ktl::schedule_timeout_killable(timeout); }
long ktl_schedule_timeout_uninterruptible(long timeout) {
  return ktl::schedule_timeout_uninterruptible(timeout);
}
long ktl_schedule_timeout_idle(long timeout) { return ktl::schedule_timeout_idle(timeout); }

long ktl_schedule_timeout_at(long timeout, unsigned int state, const char* site) {
  ktl::task_struct* self = ktl::get_current();
  if (state != kStateUnchanged) ktl::__set_current_state(state);
  bool own = enter_site(self, site);
  long left = ktl::schedule_timeout(timeout);
  leave_site(self, own);
  return left;
}

// ktl does not account IO wait separately: the sleep is the same.
void ktl_io_schedule(void) { ktl::schedule(); }
long ktl_io_schedule_timeout(long timeout) { return ktl::schedule_timeout(timeout); }

void ktl_yield(void) { ktl::yield(); }
int ktl__cond_resched(void) { return ktl::__cond_resched(); }
bool ktl_need_resched(void) { return ktl::need_resched(); }

void ktl_set_current_state(unsigned int state) { ktl::set_current_state(state); }
void ktl___set_current_state(unsigned int state) { ktl::__set_current_state(state); }
void ktl_set_special_state(unsigned int state) { ktl::set_special_state(state); }
unsigned int ktl_get_current_state(void) { return ktl::get_current_state(); }
unsigned int ktl_task_state(const ktl::task_struct* p) { return ktl::task_state(p); }
char ktl_task_state_to_char(ktl::task_struct* p) { return ktl::task_state_to_char(p); }

int ktl_wake_up_process(ktl::task_struct* p) { return ktl::wake_up_process(p); }
int ktl_wake_up_state(ktl::task_struct* p, unsigned int state) {
  return ktl::wake_up_state(p, state);
}

// ---- priorities and affinity -------------------------------------------------------------------

void ktl_set_user_nice(ktl::task_struct* p, long nice) { ktl::set_user_nice(p, nice); }
int ktl_can_nice(const ktl::task_struct* p, const int nice) { return ktl::can_nice(p, nice); }
int ktl_task_prio(const ktl::task_struct* p) { return ktl::task_prio(p); }
int ktl_sched_setscheduler(ktl::task_struct* p, int policy, const ktl::sched_param* param) {
  return ktl::sched_setscheduler(p, policy, param);
}
int ktl_sched_setscheduler_nocheck(ktl::task_struct* p, int policy,
                                   const ktl::sched_param* param) {
  return ktl::sched_setscheduler_nocheck(p, policy, param);
}
void ktl_sched_set_fifo(ktl::task_struct* p) { ktl::sched_set_fifo(p); }
void ktl_sched_set_fifo_low(ktl::task_struct* p) { ktl::sched_set_fifo_low(p); }
void ktl_sched_set_normal(ktl::task_struct* p, int nice) { ktl::sched_set_normal(p, nice); }
int ktl_set_cpus_allowed_ptr(ktl::task_struct* p, const ktl::cpumask* new_mask) {
  return ktl::set_cpus_allowed_ptr(p, new_mask);
}
// kernel/sched/syscalls.c: pid 0 is the caller; a task with PF_NO_SETAFFINITY (a bound
// kthread) refuses with -EINVAL.
long ktl_sched_setaffinity(pid_t pid, const ktl::cpumask* new_mask) {
  ktl::task_struct* p = task_by_pid(pid);
  if (!p) return -ESRCH;
  long ret = (p->flags & ktl::PF_NO_SETAFFINITY) ? -EINVAL : ktl::set_cpus_allowed_ptr(p, new_mask);
  ktl::put_task_struct(p);
  return ret;
}
// The allowed vCPUs that are online.
long ktl_sched_getaffinity(pid_t pid, ktl::cpumask* mask) {
  ktl::task_struct* p = task_by_pid(pid);
  if (!p) return -ESRCH;
  const ktl::cpumask online = ktl::cpu_online_mask();
  for (int i = 0; i < ktl::NR_CPUS / 64; ++i)
    mask->bits[i] = __atomic_load_n(&p->cpus_mask.bits[i], __ATOMIC_RELAXED) & online.bits[i];
  ktl::put_task_struct(p);
  return 0;
}

// ---- task identity and references --------------------------------------------------------------

char* ktl___get_task_comm(char* buf, size_t buf_size, ktl::task_struct* tsk) {
  return ktl::get_task_comm(buf, buf_size, tsk);
}
void ktl_set_task_comm(ktl::task_struct* tsk, const char* from) { ktl::set_task_comm(tsk, from); }
ktl::task_struct* ktl_find_get_task_by_vpid(pid_t nr) { return ktl::find_get_task_by_vpid(nr); }
void ktl_get_task_struct(ktl::task_struct* t) { ktl::get_task_struct(t); }
void ktl_put_task_struct(ktl::task_struct* t) { ktl::put_task_struct(t); }

// ---- signals ------------------------------------------------------------------------------------

int ktl_signal_pending(ktl::task_struct* p) { return ktl::signal_pending(p) ? 1 : 0; }
int ktl_fatal_signal_pending(ktl::task_struct* p) { return ktl::fatal_signal_pending(p) ? 1 : 0; }
int ktl___fatal_signal_pending(ktl::task_struct* p) {
  return ktl::__fatal_signal_pending(p) ? 1 : 0;
}
int ktl_signal_pending_state(unsigned int state, ktl::task_struct* p) {
  return ktl::signal_pending_state(state, p) ? 1 : 0;
}
int ktl_send_sig(int sig, ktl::task_struct* p, int priv) { return ktl::send_sig(sig, p, priv); }
void ktl_ignore_signals(ktl::task_struct* t) { ktl::ignore_signals(t); }
void ktl_flush_signals(ktl::task_struct* t) { ktl::flush_signals(t); }
int ktl_kernel_dequeue_signal(void) { return ktl::kernel_dequeue_signal(); }
void ktl_allow_signal(int sig) { ktl::allow_signal(sig); }
void ktl_disallow_signal(int sig) { ktl::disallow_signal(sig); }

// ---- preemption count ---------------------------------------------------------------------------

int ktl_preempt_count(void) { return ktl::preempt_count(); }
void ktl_preempt_count_add(int val) { ktl::preempt_count_add(val); }
void ktl_preempt_count_sub(int val) { ktl::preempt_count_sub(val); }
bool ktl_preemptible(void) { return ktl::preempt_count() == 0 && !ktl::irqs_disabled(); }

// ---- vCPUs ------------------------------------------------------------------------------------

int ktl_smp_processor_id(void) { return ktl::smp_processor_id(); }
int ktl_raw_smp_processor_id(void) { return ktl::raw_smp_processor_id(); }
unsigned int ktl_nr_cpu_ids(void) { return static_cast<unsigned int>(ktl::nr_cpu_ids()); }
unsigned int ktl_num_online_cpus(void) { return static_cast<unsigned int>(ktl::num_online_cpus()); }
// The live mask: CPU hotplug updates its words with relaxed atomics, which is how the C
// helpers read them.
const ktl::cpumask* ktl_cpu_online_mask(void) { return &ktl::internal::g_kernel.online; }
const ktl::cpumask* ktl_cpu_possible_mask(void) { return &ktl::cpu_possible_mask(); }
const ktl::cpumask* ktl_cpu_all_mask(void) { return &kMasks.all; }
const ktl::cpumask* ktl_get_cpu_mask(unsigned int cpu) {
  if (WARN_ON_ONCE(cpu >= static_cast<unsigned>(ktl::NR_CPUS))) return &kMasks.of[0];
  return &kMasks.of[cpu];
}

void ktl_cpus_read_lock(void) { ktl::cpus_read_lock(); }
void ktl_cpus_read_unlock(void) { ktl::cpus_read_unlock(); }
int ktl_cpus_read_trylock(void) { return ktl::cpus_read_trylock() ? 1 : 0; }
void ktl_lockdep_assert_cpus_held(void) { ktl::lockdep_assert_cpus_held(); }
int ktl_remove_cpu(unsigned int cpu) { return ktl::remove_cpu(cpu); }
int ktl_add_cpu(unsigned int cpu) { return ktl::add_cpu(cpu); }

// ---- the freezer: ktl never freezes tasks --------------------------------------------------------

bool ktl_freezing(ktl::task_struct*) { return false; }
bool ktl_frozen(ktl::task_struct*) { return false; }
bool ktl_try_to_freeze(void) {
  might_sleep();
  return false;
}
bool ktl_set_freezable(void) {
  // flags is written by the task itself (the "S" rule of task_struct).
  ktl::get_current()->flags &= ~ktl::PF_NOFREEZE;
  return ktl_try_to_freeze();
}

// ---- stop_machine ---------------------------------------------------------------------------------

int ktl_stop_one_cpu(unsigned int cpu, ktl::cpu_stop_fn_t fn, void* arg) {
  return ktl::stop_one_cpu(cpu, fn, arg);
}
bool ktl_stop_one_cpu_nowait(unsigned int cpu, ktl::cpu_stop_fn_t fn, void* arg,
                             ktl::cpu_stop_work* work_buf) {
  return ktl::stop_one_cpu_nowait(cpu, fn, arg, work_buf);
}
int ktl_stop_two_cpus(unsigned int cpu1, unsigned int cpu2, ktl::cpu_stop_fn_t fn, void* arg) {
  return ktl::stop_two_cpus(cpu1, cpu2, fn, arg);
}
int ktl_stop_machine(ktl::cpu_stop_fn_t fn, void* data, const ktl::cpumask* cpus) {
  return ktl::stop_machine(fn, data, cpus);
}
int ktl_stop_machine_cpuslocked(ktl::cpu_stop_fn_t fn, void* data, const ktl::cpumask* cpus) {
  return ktl::stop_machine_cpuslocked(fn, data, cpus);
}

}  // extern "C"
