// The machine: what the kernel needs from the hardware it runs on.
//
// The kernel code never touches host threads, host clocks or host sleeping directly; it asks the
// machine. Two machines implement this: the real one (a host thread per vCPU, CLOCK_MONOTONIC,
// futexes, a host "timer chip" thread for the tick) and the simulated one (one host thread drives
// every vCPU in virtual time, sim_machine.cc). One kernel runs per process at a time.
#pragma once

#include <atomic>

#include "ktl/base/compiler.h"

namespace ktl {
struct task_struct;
struct sim_config;
}

namespace ktl::internal {

class machine {
 public:
  virtual ~machine() = default;
  virtual const char* name() const noexcept = 0;
  // Nanoseconds since boot.
  virtual u64 clock_ns() noexcept = 0;
  // Block the calling vCPU's host context while *word == val, until wake(word) or the machine
  // clock reaches deadline_ns (UINT64_MAX: no deadline). May return spuriously.
  virtual void wait_on(std::atomic<int>* word, int val, u64 deadline_ns) noexcept = 0;
  virtual void wake(std::atomic<int>* word) noexcept = 0;
  // Start one execution context per vCPU, each running vcpu_main(cpu); returns when all are up.
  virtual int start_cpus(int nr_cpus) = 0;
  // Wait for every vCPU context to return from vcpu_main (after shutdown was requested).
  virtual void join_cpus() = 0;
  // Poweroff could not stop every task: a vCPU context may never return. Stop the tick and let
  // the vCPU contexts run on, unjoined, until the process exits (the machine is never freed).
  virtual void abandon_cpus() {}
  // CPU time the calling vCPU context has really run, in ns (0 if the machine cannot tell). The
  // tick charges no more than this, so time the host took the vCPU away (steal time) is not
  // charged to the task that happened to be current.
  virtual u64 vcpu_cpu_time_ns() noexcept { return 0; }
  // Host CPUs the machine may use (for default vCPU counts and idle polling policy).
  virtual int host_cpus() const noexcept = 0;
  // The idle task of a vCPU runs on the vCPU context's own stack: tell the sanitizers about it.
  virtual void adopt_vcpu_stack(task_struct* idle) noexcept;

  // ---- host threads waiting on the kernel ----------------------------------------------------
  // A host thread (a test body, the ktl command's main thread) blocks until *word != val or a
  // spurious return. On the real machine a futex; on the simulated one the caller drives the
  // simulation until the word changes.
  virtual void host_block(std::atomic<unsigned>* word, unsigned val) noexcept;
  virtual void host_unblock(std::atomic<unsigned>* word) noexcept;
  // A host thread polling for a kernel condition: let about `ns` of machine time pass.
  virtual void host_idle(u64 ns) noexcept;
  virtual bool simulated() const noexcept { return false; }
  // start_kernel() is about to return: the system has settled.
  virtual void boot_complete() noexcept {}
};

machine* make_real_machine(unsigned hz);
machine* make_sim_machine(unsigned hz, const sim_config& cfg);
// Makes `m` (a simulation machine, or nullptr) the one the kernel's scheduling points talk to.
void sim_install(machine* m) noexcept;

// Linux futex helpers for host threads (also used by host-thread tasks).
void futex_wait(std::atomic<int>* word, int val, const struct timespec* rel) noexcept;
void futex_wait_u32(std::atomic<unsigned>* word, unsigned val) noexcept;
void futex_wake(std::atomic<int>* word, int n) noexcept;
void futex_wake_u32(std::atomic<unsigned>* word, int n) noexcept;

}  // namespace ktl::internal
