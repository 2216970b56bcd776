// Fibers: guard-paged pooled stacks and the context switch (the "arch" layer).
//
// A task's stack comes from a pool, never from a fresh mmap on the hot path. Stacks are mapped in
// batches; each gets a PROT_NONE guard page below it while the host's VMA budget allows (every
// guard splits a mapping, and vm.max_map_count bounds them). Beyond that budget stacks are handed
// out without a guard page and carry a canary word at their lowest address that context_switch()
// checks when the task switches out. Either way an overflow is reported as a kernel stack
// overflow naming the task.
//
// The switch itself is Boost.Context's fcontext jump, annotated for AddressSanitizer and
// ThreadSanitizer so both follow the stack change.
#pragma once

#include <boost/context/detail/fcontext.hpp>
#include <cstddef>

#include "ktl/base/compiler.h"

namespace ktl {
struct task_struct;
}

namespace ktl::internal {

using boost::context::detail::fcontext_t;
using boost::context::detail::transfer_t;

inline constexpr u64 kStackCanary = 0x57ac6e0ddeadbeefULL;

struct fiber_stack {
  char* lo;             // lowest usable address (the canary lives here when unguarded)
  std::size_t size;     // usable bytes
  bool guarded;         // a guard page sits just below lo (no canary then)
  fiber_stack* next;    // free-list link
};

struct stack_cache {  // per-vCPU, touched only by its vCPU
  static constexpr int kMax = 64;
  fiber_stack* items[kMax];
  int count = 0;
};

void stack_pool_init(std::size_t stack_size);
// Poweroff: if every stack is back in the pool, unmap them all (the memory of a million-task
// run goes back to the host); the next boot maps afresh.
void stack_pool_destroy();
std::size_t stack_pool_stack_size() noexcept;
// nullptr when the host refuses memory (-ENOMEM for the caller).
fiber_stack* stack_alloc(stack_cache* cache) noexcept;
void stack_free(stack_cache* cache, fiber_stack* s) noexcept;
void stack_cache_drain(stack_cache* cache) noexcept;
u64 stack_pool_guarded() noexcept;    // stacks that have a guard page
u64 stack_pool_mapped() noexcept;     // stacks mapped in total

// A guarded stack needs no canary (an overflow faults); not writing one keeps the stack's lowest
// page from ever becoming resident.
KTL_ALWAYS_INLINE bool stack_canary_ok(const fiber_stack* s) noexcept {
  return s->guarded || *reinterpret_cast<const u64*>(s->lo) == kStackCanary;
}
// If addr is in the guard page of `s`.
bool stack_guard_hit(const fiber_stack* s, const void* addr) noexcept;

// Prepare a fresh context on `s` that starts in `entry`.
fcontext_t fiber_make(fiber_stack* s, void (*entry)(transfer_t)) noexcept;

// Sanitizer hooks around a switch. `dying` = the current fiber never runs again. Without a
// sanitizer they compile to nothing.
#if defined(KTL_ASAN) || defined(KTL_TSAN) || defined(__SANITIZE_ADDRESS__) || \
    defined(__SANITIZE_THREAD__)
#define KTL_SAN_FIBERS 1
void san_start_switch(task_struct* prev, task_struct* next, bool dying) noexcept;
void san_finish_switch(task_struct* self) noexcept;
#else
KTL_ALWAYS_INLINE void san_start_switch(task_struct*, task_struct*, bool) noexcept {}
KTL_ALWAYS_INLINE void san_finish_switch(task_struct*) noexcept {}
#endif
void san_task_created(task_struct* p) noexcept;
void san_task_freed(task_struct* p) noexcept;
void san_adopt_host_stack(task_struct* p) noexcept;  // a task running on a host thread stack

// Install the SIGSEGV handler (once) and an alternate signal stack for this host thread.
void install_fault_handler_for_thread();
void release_fault_handler_for_thread();

}  // namespace ktl::internal
