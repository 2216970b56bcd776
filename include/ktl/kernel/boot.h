// Booting and powering off a ktl kernel inside the calling program.
//
//   ktl::kernel k({.cpus = 4});        // boots: vCPUs, swapper/N, the tick
//   ktl::kernel_thread(fn, arg, "worker", 0);
//   k.poweroff();                       // or let the destructor do it
//
// One kernel per process at a time; boot again after poweroff is fine.
#pragma once

#include <atomic>
#include <cstddef>

#include "ktl/base/compiler.h"
#include "ktl/base/err.h"
#include "ktl/kernel/sim.h"

namespace ktl {

// Where the system is in its life (include/linux/kernel.h). BOOTING until rest_init,
// SCHEDULING while kernel_init finishes start-up, RUNNING once init "execs", POWER_OFF from
// kernel_poweroff() on. kthreadd logs each kthread it creates while the state is below RUNNING.
enum system_states {
  SYSTEM_BOOTING,
  SYSTEM_SCHEDULING,
  SYSTEM_FREEING_INITMEM,
  SYSTEM_RUNNING,
  SYSTEM_HALT,
  SYSTEM_POWER_OFF,
  SYSTEM_RESTART,
  SYSTEM_SUSPEND,
};
inline std::atomic<system_states> system_state{SYSTEM_BOOTING};

struct boot_params {
  int cpus = 0;                 // 0: the host's CPU count
  unsigned hz = 250;            // CONFIG_HZ
  std::size_t stack_size = 0;   // task stacks; 0: 32 KiB (larger under sanitizers)
  int loglevel = -1;            // console_loglevel; -1: default (7, or 4 when quiet)
  bool quiet = false;
  int console_fd = 2;           // -1: no console output (dmesg still records)
  long idle_poll_ns = -1;       // -1: automatic (poll only when vCPUs <= host CPUs)
  // Poweroff waits this long for user tasks to end and kthreads to return from kthread_stop.
  unsigned poweroff_timeout_ms = 5000;
  // An initcall: kernel_init runs it once kthreadd exists and before init "execs" (the
  // do_initcalls step of kernel_init_freeable, system_state SCHEDULING), so kthreads it creates
  // appear in the boot log. A nonzero return is logged ("initcall NAME returned -N").
  int (*initcall)(void* arg) = nullptr;
  void* initcall_arg = nullptr;
  const char* initcall_name = "initcall";
  // The program init (pid 1) runs once start-up is complete, as a user task with an mm (the
  // "exec" of /sbin/init; init_name is what the boot log and /proc/1/cmdline show). Its return
  // value is handed to kernel_wait_init(); init itself stays alive until poweroff, as on Linux.
  // nullptr: init just sleeps until poweroff.
  int (*init_program)(void* arg) = nullptr;
  void* init_arg = nullptr;
  const char* init_name = "/sbin/init";
  // The deterministic simulation machine instead of host threads (ktl/kernel/sim.h).
  sim_config sim{};
};

// 0 on success, -EBUSY if a kernel is already running, -EINVAL for bad parameters.
// Returns once init has "exec'd": the boot log is complete and init_program (if any) runs.
int start_kernel(const boot_params& params);
// Host side: waits until boot_params::init_program returned and gives its value; -ENOENT when
// the kernel was booted without one (or is not running).
int kernel_wait_init();
// Orderly poweroff: SIGKILL to the user tasks other than init, then every kthread still alive
// is stopped the way kthread_stop() stops it (should_stop set, unparked, notify signal, woken);
// waits up to poweroff_timeout_ms for them to exit, then init and kthreadd leave and the vCPU
// host threads are joined.
// 0 on a clean poweroff; -ETIMEDOUT if tasks were still alive: each is reported in the log as
//   reboot: kthread NAME:PID did not stop within N ms (state D, wchan FUNC)
// (or "task" for one that is not a kthread) and its vCPUs are left to the process exit.
// kernel_poweroff_stuck() then lists the "name:pid (state X)" of those tasks.
int kernel_poweroff();
const char* kernel_poweroff_stuck() noexcept;
bool kernel_running() noexcept;
const boot_params& kernel_boot_params() noexcept;

class kernel {
 public:
  explicit kernel(const boot_params& p = {});
  ~kernel();
  kernel(const kernel&) = delete;
  kernel& operator=(const kernel&) = delete;
  int status() const noexcept { return status_; }
  int wait_init() { return up_ ? kernel_wait_init() : -ENODEV; }
  int poweroff();

 private:
  int status_ = 0;
  bool up_ = false;
};

}  // namespace ktl
