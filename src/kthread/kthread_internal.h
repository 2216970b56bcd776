// Private kthread state shared with boot (rest_init / poweroff) and white-box tests.
#pragma once

#include <atomic>
#include <cstddef>

#include "ktl/kthread/kthread.h"
#include "ktl/sched/completion.h"

namespace ktl {

// Bit numbers in kthread::flags.
enum kthread_bits : unsigned {
  KTHREAD_IS_PER_CPU = 0,
  KTHREAD_SHOULD_STOP = 1,
  KTHREAD_SHOULD_PARK = 2,
  KTHREAD_EXITING = 8,  // kthread_exit()/kthread_complete_and_exit() began: no threadfn code left
};

struct kthread {
  std::atomic<unsigned long> flags{0};
  unsigned int cpu = 0;
  int node = NUMA_NO_NODE;
  std::atomic<int> started{0};
  long result = 0;
  int (*threadfn)(void*) = nullptr;
  void* data = nullptr;
  completion parked;
  completion exited;
  char* full_name = nullptr;  // untruncated name (malloc'd), owned once kthread() took it
  task_struct* task = nullptr;
  // Called with `data` when the task_struct is freed (the last reference went): lets a subsystem
  // keep per-thread state (a workqueue worker) alive exactly as long as /proc readers may look.
  void (*data_free)(void* data) = nullptr;
};

namespace internal {

// Wait until p sits off its vCPU, not runnable, in `state`; false if it is seen in another state.
bool kthread_wait_task_inactive(task_struct* p, unsigned state);
// One step of a polling wait from a task or a host thread: yield first, then back off to sleeps.
void kthread_poll_backoff(unsigned long iter);

// Called by put_task_struct() when the last reference goes (free_kthread_struct in Linux).
void free_kthread_struct(task_struct* p) noexcept;

// Boot / poweroff (src/init/boot.cc).
void kthread_boot_init() noexcept;        // before kthreadd is created
void kthreadd_set_task(task_struct* p) noexcept;  // rest_init: publish kthreadd_task (+ a ref)
void kthreadd_wait_ready() noexcept;               // rest_init: kthreadd ran its prologue
// Poweroff: refuse new requests (they fail with -EAGAIN) and make kthreadd exit; returns at once.
void kthreadd_request_exit() noexcept;
// Poweroff: what kthread_stop() does to k, without waiting for it to exit. false (and nothing
// done) if k is not a kthread made by kthread() or is kthreadd.
bool kthread_stop_nowait(task_struct* k) noexcept;
bool is_kthreadd(const task_struct* p) noexcept;
// After kthreadd exited (or was abandoned): drop the boot reference, clear kthreadd_task.
void kthreadd_release() noexcept;

// Test hooks. While held, kthreadd leaves queued requests on the list (it keeps sleeping).
void kthreadd_hold(bool hold) noexcept;
// Requests queued and not yet taken by kthreadd.
int kthread_create_list_len() noexcept;
// Incremented every time kthreadd takes a request off the list.
unsigned long kthreadd_requests_taken() noexcept;
// The next fork kthreadd attempts fails with `err` (fault injection: -ENOMEM, -EAGAIN).
void kthreadd_fail_next_fork(int err) noexcept;
// The next new kthread, right after it took ownership of the requester's `done` (so a kill of
// the requester can no longer make it give up), completes `arrived` and waits for `release`.
struct kthread_handoff_hook {
  completion arrived;
  completion release;
};
void kthread_set_handoff_hook(kthread_handoff_hook* h) noexcept;

}  // namespace internal
}  // namespace ktl
