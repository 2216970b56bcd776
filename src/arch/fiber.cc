#include "arch/fiber.h"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "ktl/base/bug.h"
#include "ktl/kernel/printk.h"
#include "ktl/sched/task.h"
#include "locking/host_lock.h"

#if defined(KTL_ASAN) || defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define KTL_HAVE_ASAN 1
#endif
#if defined(KTL_TSAN) || defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define KTL_HAVE_TSAN 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(KTL_HAVE_ASAN)
#include <sanitizer/asan_interface.h>
#define KTL_HAVE_ASAN 1
#endif
#if __has_feature(thread_sanitizer) && !defined(KTL_HAVE_TSAN)
#include <sanitizer/tsan_interface.h>
#define KTL_HAVE_TSAN 1
#endif
#endif

namespace ktl::internal {

task_struct* fault_current_task() noexcept;  // sched/core.cc: the task this host thread runs

namespace {

constexpr std::size_t kBatch = 32;

struct pool {
  host_lock lock;
  fiber_stack* free = nullptr;
  std::size_t stack_size = 0;    // usable bytes
  std::size_t page = 4096;
  u64 guard_budget = 0;          // how many more stacks may get a guard page
  u64 guarded = 0;
  u64 mapped = 0;
  struct region {
    void* addr;
    std::size_t len;
    region* next;
  }* regions = nullptr;
} g_pool;

u64 read_guard_budget() {
  long max_map = 65530;
  if (FILE* f = std::fopen("/proc/sys/vm/max_map_count", "r")) {
    if (std::fscanf(f, "%ld", &max_map) != 1) max_map = 65530;
    std::fclose(f);
  }
  // Leave room for the program's own mappings (libraries, heap arenas, host threads); each guard
  // page costs two map entries (it splits the stack's mapping).
  long spare = max_map - 16384;
  return spare > 0 ? static_cast<u64>(spare / 2) : 0;
}

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102  // Linux 6.13: a guard region without a VMA split
#endif

// Guard page for the stack above `guard`: MADV_GUARD_INSTALL where the host has it (no map
// entry, no budget), else mprotect within the vm.max_map_count budget. Caller holds the lock.
bool install_guard(char* guard) {
  static int have_guard_install = -1;  // unknown / 0 no / 1 yes
  if (have_guard_install != 0) {
    if (madvise(guard, g_pool.page, MADV_GUARD_INSTALL) == 0) {
      have_guard_install = 1;
      return true;
    }
    have_guard_install = 0;
  }
  if (g_pool.guard_budget > 0 && mprotect(guard, g_pool.page, PROT_NONE) == 0) {
    --g_pool.guard_budget;
    return true;
  }
  return false;
}

// Map a batch of stacks and push them on the free list. Caller holds the pool lock.
bool refill_locked() {
  const std::size_t slot = g_pool.page + g_pool.stack_size;
  const std::size_t len = slot * kBatch;
  void* mem = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
  if (mem == MAP_FAILED) return false;
  auto* reg = static_cast<pool::region*>(std::malloc(sizeof(pool::region)));
  if (!reg) {
    munmap(mem, len);
    return false;
  }
  *reg = {mem, len, g_pool.regions};
  g_pool.regions = reg;
  char* base = static_cast<char*>(mem);
  for (std::size_t i = 0; i < kBatch; ++i) {
    char* guard = base + i * slot;
    bool guarded = install_guard(guard);
    if (guarded) ++g_pool.guarded;
    // The descriptor lives in the top bytes of the stack itself, so a stack needs no side
    // allocation; the usable size excludes it.
    char* top = guard + slot;
    auto* s = reinterpret_cast<fiber_stack*>(top - sizeof(fiber_stack));
    s->lo = guard + g_pool.page;
    s->size = g_pool.stack_size - 64;
    s->guarded = guarded;
    s->next = g_pool.free;
    g_pool.free = s;
    ++g_pool.mapped;
  }
  return true;
}

// Unmap every stack (none may be in use). Caller holds the pool lock.
void unmap_all_locked() {
  for (auto* r = g_pool.regions; r;) {
    auto* n = r->next;
    munmap(r->addr, r->len);
    std::free(r);
    r = n;
  }
  g_pool.regions = nullptr;
  g_pool.free = nullptr;
  g_pool.mapped = g_pool.guarded = 0;
}

}  // namespace

void stack_pool_init(std::size_t stack_size) {
  host_lock_guard g(g_pool.lock);
  g_pool.page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  stack_size = (stack_size + g_pool.page - 1) & ~(g_pool.page - 1);
  if (g_pool.stack_size != stack_size) {
    // A different size from an earlier boot: drop the old stacks.
    unmap_all_locked();
    g_pool.stack_size = stack_size;
    g_pool.guard_budget = read_guard_budget();
  }
}

void stack_pool_destroy() {
  host_lock_guard g(g_pool.lock);
  u64 free = 0;
  for (fiber_stack* s = g_pool.free; s; s = s->next) ++free;
  if (free != g_pool.mapped) return;  // a stack is still in use somewhere: keep everything
  unmap_all_locked();
  g_pool.stack_size = 0;  // the next stack_pool_init maps afresh, with a fresh guard budget
}

std::size_t stack_pool_stack_size() noexcept { return g_pool.stack_size; }
u64 stack_pool_guarded() noexcept { return g_pool.guarded; }
u64 stack_pool_mapped() noexcept { return g_pool.mapped; }

fiber_stack* stack_alloc(stack_cache* cache) noexcept {
  fiber_stack* s = nullptr;
  if (cache && cache->count > 0) {
    s = cache->items[--cache->count];
  } else {
    host_lock_guard g(g_pool.lock);
    if (!g_pool.free && !refill_locked()) return nullptr;
    s = g_pool.free;
    g_pool.free = s->next;
    // Take a few more for the vCPU's cache so the next creations do not touch the global lock.
    while (cache && cache->count < stack_cache::kMax / 2 && g_pool.free) {
      fiber_stack* more = g_pool.free;
      g_pool.free = more->next;
      cache->items[cache->count++] = more;
    }
  }
#ifdef KTL_HAVE_ASAN
  // A pooled stack still carries the redzone poison of the frames of its previous task (that
  // fiber never returned through them): clear it, or ASan reports the new task's own locals.
  __asan_unpoison_memory_region(s->lo, s->size);
#endif
  if (!s->guarded) *reinterpret_cast<u64*>(s->lo) = kStackCanary;
  return s;
}

void stack_free(stack_cache* cache, fiber_stack* s) noexcept {
  if (cache && cache->count < stack_cache::kMax) {
    cache->items[cache->count++] = s;
    return;
  }
  host_lock_guard g(g_pool.lock);
  s->next = g_pool.free;
  g_pool.free = s;
}

void stack_cache_drain(stack_cache* cache) noexcept {
  host_lock_guard g(g_pool.lock);
  while (cache->count > 0) {
    fiber_stack* s = cache->items[--cache->count];
    s->next = g_pool.free;
    g_pool.free = s;
  }
}

bool stack_guard_hit(const fiber_stack* s, const void* addr) noexcept {
  auto a = reinterpret_cast<uintptr_t>(addr);
  auto lo = reinterpret_cast<uintptr_t>(s->lo);
  // A guarded stack faults in its guard page; an unguarded one may fault anywhere below lo that
  // happens to be unmapped. Either way an address within one page under the stack (plus the
  // canary word) is an overflow.
  return a < lo + sizeof(u64) && a + g_pool.page >= lo;
}

fcontext_t fiber_make(fiber_stack* s, void (*entry)(transfer_t)) noexcept {
  char* top = s->lo + s->size;
  return boost::context::detail::make_fcontext(top, s->size, entry);
}

// ---- sanitizers ----------------------------------------------------------------------------

#ifdef KTL_SAN_FIBERS
void san_start_switch(task_struct* prev, task_struct* next, bool dying) noexcept {
#ifdef KTL_HAVE_ASAN
  __sanitizer_start_switch_fiber(dying ? nullptr : &prev->thread.asan_fake_stack,
                                 next->thread.stack_lo, next->thread.stack_size);
#else
  (void)prev;
  (void)dying;
#endif
#ifdef KTL_HAVE_TSAN
  __tsan_switch_to_fiber(next->thread.tsan_fiber, 0);
#else
  (void)next;
#endif
}

void san_finish_switch(task_struct* self) noexcept {
#ifdef KTL_HAVE_ASAN
  const void* old_lo;
  std::size_t old_size;
  __sanitizer_finish_switch_fiber(self ? self->thread.asan_fake_stack : nullptr, &old_lo,
                                  &old_size);
#else
  (void)self;
#endif
}

#endif  // KTL_SAN_FIBERS

void san_task_created(task_struct* p) noexcept {
#ifdef KTL_HAVE_TSAN
  p->thread.tsan_fiber = __tsan_create_fiber(0);
#else
  (void)p;
#endif
}

void san_task_freed(task_struct* p) noexcept {
#ifdef KTL_HAVE_TSAN
  if (p->thread.tsan_fiber && p->thread.stack) __tsan_destroy_fiber(p->thread.tsan_fiber);
  p->thread.tsan_fiber = nullptr;
#else
  (void)p;
#endif
}

void san_adopt_host_stack(task_struct* p) noexcept {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* addr;
    std::size_t size;
    pthread_attr_getstack(&attr, &addr, &size);
    p->thread.stack_lo = addr;
    p->thread.stack_size = size;
    pthread_attr_destroy(&attr);
  }
#ifdef KTL_HAVE_TSAN
  p->thread.tsan_fiber = __tsan_get_current_fiber();
#endif
}

// ---- stack overflow reports ----------------------------------------------------------------

namespace {

thread_local void* t_altstack = nullptr;
struct sigaction g_old_segv, g_old_bus;
std::once_flag g_handler_once;

void write_str(const char* s) { (void)!write(2, s, std::strlen(s)); }

void fault_handler(int sig, siginfo_t* info, void* uctx) {
  task_struct* p = fault_current_task();
  if (p && p->thread.stack && stack_guard_hit(p->thread.stack, info->si_addr)) {
    const fiber_stack* s = p->thread.stack;
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "BUG: TASK stack guard page was hit at %p (stack is %p..%p)\n"
                  "Oops: stack guard page: 0000 [#1] SMP\n"
                  "CPU: %d UID: 0 PID: %d Comm: %.16s %s 6.18.0-ktl #1\n"
                  "Kernel panic - not syncing: kernel stack overflow in task %s/%d\n",
                  info->si_addr, static_cast<void*>(s->lo),
                  static_cast<void*>(s->lo + s->size), p->cpu, p->pid, p->comm,
                  print_tainted(), p->comm, p->pid);
    // The log ring is not safe to touch from here (the faulting code may hold its lock); the
    // report goes straight to the console, which is where a panic ends up anyway.
    write_str(buf);
    std::_Exit(134);
  }
  // Not ours: behave as if we were never installed.
  struct sigaction* old = sig == SIGBUS ? &g_old_bus : &g_old_segv;
  if (old->sa_flags & SA_SIGINFO && old->sa_sigaction) {
    old->sa_sigaction(sig, info, uctx);
    return;
  }
  if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
    old->sa_handler(sig);
    return;
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace

void install_fault_handler_for_thread() {
  std::call_once(g_handler_once, [] {
    struct sigaction sa = {};
    sa.sa_sigaction = fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_old_segv);
    sigaction(SIGBUS, &sa, &g_old_bus);
  });
  if (!t_altstack) {
    const std::size_t sz = 64 * 1024;
    t_altstack = std::malloc(sz);
    if (t_altstack) {
      stack_t ss = {};
      ss.ss_sp = t_altstack;
      ss.ss_size = sz;
      sigaltstack(&ss, nullptr);
    }
  }
}

void release_fault_handler_for_thread() {
  if (!t_altstack) return;
  stack_t ss = {};
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, nullptr);
  std::free(t_altstack);
  t_altstack = nullptr;
}

}  // namespace ktl::internal
