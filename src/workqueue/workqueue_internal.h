// Workqueue hooks for the scheduler and boot (kernel/workqueue_internal.h in Linux).
#pragma once

#include "ktl/sched/task.h"

namespace ktl::internal {

// schedule() of a PF_WQ_WORKER task that is about to block / has come back (concurrency
// management: the pool's count of running workers).
void wq_worker_sleeping(task_struct* task);
void wq_worker_running(task_struct* task);
// scheduler_tick() while a PF_WQ_WORKER task runs: CPU-intensive detection.
void wq_worker_tick(task_struct* task);

// Boot: pools, system workqueues and the first worker of each pool (needs kthreadd).
void workqueue_init(int nr_cpus);
// Boot: every first worker has gone to sleep in its idle loop (ps shows I); polled by start_kernel.
bool workqueue_settled();
// CPU hotplug, CPUHP_AP_WORKQUEUE_ONLINE (unbind_workers / rebind_workers in Linux).
// Teardown: called on the cpuhp thread of `cpu`, on that vCPU (WARN and -1 otherwise), while it is
// still online. Its per-CPU pools become DISASSOCIATED: every worker (and every worker created
// later) gets WORKER_UNBOUND, leaves concurrency management (nr_running = 0) and may run on every
// CPU but `cpu`; pending and new items for `cpu` keep running, elsewhere. Names stay kworker/N:M.
// Startup: once `cpu` is online again, on its cpuhp thread: workers bound to `cpu` again,
// UNBOUND replaced by REBOUND (cleared by each worker at its next cycle), DISASSOCIATED cleared.
// Both may sleep, return 0 and do nothing if the pools already are in that state. Unbound pools
// and rescuers are not affected (a rescuer attaching to a disassociated pool avoids `cpu`).
int workqueue_offline_cpu(unsigned int cpu);
int workqueue_online_cpu(unsigned int cpu);
// Poweroff, before tasks are stopped: no more worker creation, timers stopped.
void workqueue_shutdown();
// Poweroff: no create_worker() is still between kthread_create() and waking the new worker.
bool workqueue_quiesced();
// Poweroff, after every task is gone and the vCPUs stopped: frees everything.
void workqueue_fini();

}  // namespace ktl::internal
