// Kernel threads: kthreadd (pid 2) and the kthread API (kernel/kthread.c, include/linux/kthread.h).
//
// Creation goes through kthreadd: the requester queues a request on kthread_create_list, wakes
// kthreadd and waits (killably) for the new task. kthreadd forks it (PPid 2, PF_KTHREAD,
// PF_NOFREEZE, all signals ignored, auto-reaped); the new task hands itself back and sleeps in
// TASK_UNINTERRUPTIBLE ("D") until its first wake-up, which runs threadfn(data) — unless it was
// stopped first (kthread_stop returns -EINTR, threadfn never runs) or parked first (threadfn runs
// after kthread_unpark).
//
// Requesters may be tasks or host threads (the embedding program). A requesting task that allowed
// SIGKILL and gets it while kthreadd has not yet handed the new thread over returns
// ERR_PTR(-EINTR); the thread is then never visible to it and exits with -EINTR without running
// threadfn.
//
// Errors: ERR_PTR(-ENOMEM) (no memory for the request, name, task or stack), ERR_PTR(-EAGAIN)
// (pid_max or threads-max reached; also: no kthreadd, i.e. no kernel running or it is powering
// off), ERR_PTR(-EINTR) (killed requester). Nothing leaks on failure.
//
// Lifetime (§17): kthreads are auto-reaped. If threadfn may return (or call kthread_exit) before
// kthread_stop(), take a reference with get_task_struct() at creation and use kthread_stop_put().
#pragma once

#include <cstdarg>
#include <cstddef>

#include "ktl/base/compiler.h"
#include "ktl/base/cpumask.h"
#include "ktl/base/err.h"
#include "ktl/sched/sched.h"
#include "ktl/sched/task.h"

namespace ktl {

struct completion;
struct kthread;  // per-kthread state, task->worker_private (opaque)

inline constexpr int NUMA_NO_NODE = -1;

// The kthreadd task (pid 2) while a kernel runs, else nullptr.
extern task_struct* kthreadd_task;

task_struct* kthread_create_on_node(int (*threadfn)(void* data), void* data, int node,
                                    const char* namefmt, ...) KTL_PRINTF(4, 5);
task_struct* vkthread_create_on_node(int (*threadfn)(void* data), void* data, int node,
                                     const char* namefmt, va_list args);
// namefmt is formatted with `cpu` as its only argument (e.g. "ksoftirqd/%u"); bound to cpu.
task_struct* kthread_create_on_cpu(int (*threadfn)(void* data), void* data, unsigned int cpu,
                                   const char* namefmt);

void kthread_bind(task_struct* k, unsigned int cpu);
void kthread_bind_mask(task_struct* k, const cpumask* mask);
int kthread_stop(task_struct* k);
int kthread_stop_put(task_struct* k);
bool kthread_should_stop();
bool kthread_should_park();
bool kthread_should_stop_or_park();
bool __kthread_should_park(task_struct* k);
int kthread_park(task_struct* k);
void kthread_unpark(task_struct* k);
void kthread_parkme();
void* kthread_data(task_struct* k);
void* kthread_probe_data(task_struct* k);
// threadfn (as a pointer) if k is a kthread, else nullptr.
void* kthread_func(task_struct* k);
[[noreturn]] void kthread_exit(long result);
[[noreturn]] void kthread_complete_and_exit(completion* comp, long code);
bool kthread_is_per_cpu(task_struct* k);
void kthread_set_per_cpu(task_struct* k, int cpu);
// The struct kthread of a PF_KTHREAD task created through kthreadd; WARNs and returns nullptr
// for any other task.
kthread* to_kthread(task_struct* k);
// The untruncated name (as /proc shows a kthread) if stored, else comm; always NUL terminated.
void get_kthread_comm(char* buf, std::size_t buf_size, task_struct* tsk);

// kthreadd's main loop (pid 2); started by rest_init at boot.
int kthreadd(void* unused);

inline task_struct* kthread_run_on_cpu(int (*threadfn)(void* data), void* data, unsigned int cpu,
                                       const char* namefmt) {
  task_struct* p = kthread_create_on_cpu(threadfn, data, cpu, namefmt);
  if (!IS_ERR(p)) wake_up_process(p);
  return p;
}

}  // namespace ktl

#define kthread_create(threadfn, data, namefmt, ...) \
  ::ktl::kthread_create_on_node(threadfn, data, ::ktl::NUMA_NO_NODE, namefmt, ##__VA_ARGS__)

#define kthread_run(threadfn, data, namefmt, ...)                                   \
  ({                                                                                \
    ::ktl::task_struct* __k = kthread_create(threadfn, data, namefmt, ##__VA_ARGS__); \
    if (!::ktl::IS_ERR(__k)) ::ktl::wake_up_process(__k);                           \
    __k;                                                                            \
  })

namespace ktl {

// C++ layer: owns a kthread and a reference to it; kthread_stop_put() on destruction.
class kthread_handle {
 public:
  kthread_handle() = default;
  // Adopts a freshly created kthread (or an ERR_PTR, which error() reports). Takes a reference.
  explicit kthread_handle(task_struct* p) noexcept : p_(p) {
    if (!IS_ERR_OR_NULL(p_)) get_task_struct(p_);
  }
  ~kthread_handle() { stop(); }
  kthread_handle(const kthread_handle&) = delete;
  kthread_handle& operator=(const kthread_handle&) = delete;
  kthread_handle(kthread_handle&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  kthread_handle& operator=(kthread_handle&& o) noexcept {
    if (this != &o) {
      stop();
      p_ = o.p_;
      o.p_ = nullptr;
    }
    return *this;
  }
  explicit operator bool() const noexcept { return !IS_ERR_OR_NULL(p_); }
  task_struct* get() const noexcept { return IS_ERR_OR_NULL(p_) ? nullptr : p_; }
  int error() const noexcept { return IS_ERR(p_) ? static_cast<int>(PTR_ERR(p_)) : 0; }
  void wake() const noexcept {
    if (get()) wake_up_process(p_);
  }
  // Stops the thread (if not already) and returns threadfn's result; 0 if there is none.
  int stop() {
    if (!get()) {
      p_ = nullptr;
      return 0;
    }
    task_struct* p = p_;
    p_ = nullptr;
    return kthread_stop_put(p);
  }

 private:
  task_struct* p_ = nullptr;
};

}  // namespace ktl
