// Booting and powering off a ktl kernel inside the calling program.
//
//   ktl::kernel k({.cpus = 4});        // boots: vCPUs, swapper/N, the tick
//   ktl::kernel_thread(fn, arg, "worker", 0);
//   k.poweroff();                       // or let the destructor do it
//
// One kernel per process at a time; boot again after poweroff is fine.
#pragma once

#include <cstddef>

#include "ktl/base/compiler.h"

namespace ktl {

struct boot_params {
  int cpus = 0;                 // 0: the host's CPU count
  unsigned hz = 250;            // CONFIG_HZ
  std::size_t stack_size = 0;   // task stacks; 0: 32 KiB (larger under sanitizers)
  int loglevel = -1;            // console_loglevel; -1: default (7, or 4 when quiet)
  bool quiet = false;
  int console_fd = 2;           // -1: no console output (dmesg still records)
  long idle_poll_ns = -1;       // -1: automatic (poll only when vCPUs <= host CPUs)
  unsigned poweroff_timeout_ms = 5000;
};

// 0 on success, -EBUSY if a kernel is already running, -EINVAL for bad parameters.
int start_kernel(const boot_params& params);
// Waits (up to poweroff_timeout_ms) for the tasks still running to end, then stops the vCPUs.
// 0 on a clean poweroff; -ETIMEDOUT if tasks were still alive (each is reported by name and
// state in the log).
int kernel_poweroff();
bool kernel_running() noexcept;
const boot_params& kernel_boot_params() noexcept;

class kernel {
 public:
  explicit kernel(const boot_params& p = {});
  ~kernel();
  kernel(const kernel&) = delete;
  kernel& operator=(const kernel&) = delete;
  int status() const noexcept { return status_; }
  int poweroff();

 private:
  int status_ = 0;
  bool up_ = false;
};

}  // namespace ktl
