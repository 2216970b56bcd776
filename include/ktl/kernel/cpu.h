// CPU hotplug (include/linux/cpu.h, kernel/cpu.c).
//
// cpus_read_lock() keeps the set of online CPUs stable (the cpu_hotplug_lock); cpu_down and
// cpu_up take it for writing. Readers may sleep while holding it; it is not recursive.
#pragma once

namespace ktl {

void cpus_read_lock();
void cpus_read_unlock();
bool cpus_read_trylock();
void cpus_write_lock();
void cpus_write_unlock();
void lockdep_assert_cpus_held();
#define get_online_cpus() ::ktl::cpus_read_lock()
#define put_online_cpus() ::ktl::cpus_read_unlock()

// Takes a vCPU offline (echo 0 > /sys/devices/system/cpu/cpuN/online). In order:
//   on the vCPU, by its cpuhp/N thread: workqueue per-CPU pools become unbound (their workers
//     keep running, elsewhere); smpboot threads park in reverse registration order (STAT P);
//   cpuhp/N parks; stop_machine on that vCPU: it leaves cpu_online_mask, its stopper parks and
//     every task queued on it moves to an online vCPU (a task whose affinity had only offline
//     vCPUs loses it, "process N (comm) no longer affine to cpuM" for user tasks);
//   on the caller: its tasklets and pending softirqs, timers and hrtimers move to an online vCPU.
// Returns 0 (also when it already was offline), -EBUSY for vCPU 0 (the boot CPU) and for the
// last online vCPU, -EINVAL for a vCPU that does not exist. May sleep.
int cpu_down(unsigned int cpu);
// Brings it back: online again, stopper and cpuhp/N unparked, then on the vCPU smpboot threads
// unpark (re-bound to it) and workqueue pools re-bind. 0 (also when already online), -EINVAL.
int cpu_up(unsigned int cpu);
inline int remove_cpu(unsigned int cpu) { return cpu_down(cpu); }
inline int add_cpu(unsigned int cpu) { return cpu_up(cpu); }
// The cpuhp/N thread, or nullptr before it exists.
struct task_struct* cpuhp_task(unsigned int cpu);
// Completed offline/online transitions since boot.
unsigned long cpu_hotplug_count();

namespace internal {
int cpuhp_threads_init();  // boot: registers cpuhp/N
void cpu_hotplug_init();   // boot: sysfs files, state reset
}  // namespace internal

}  // namespace ktl
