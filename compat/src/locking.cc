// spinlock_t, rwlock_t, struct mutex and ww_mutex for <linux/spinlock.h>, <linux/rwlock.h>,
// <linux/mutex.h> and <linux/ww_mutex.h>.
//
// spinlock_t and struct mutex are ktl's own: the C structs mirror them byte for byte (asserted
// below) and the functions forward. rwlock_t and ww_mutex have no ktl counterpart and are
// implemented here:
//   - rwlock_t: one 32-bit word, a queued-rwlock-like protocol (writer byte, writer-waiting bit,
//     reader count), spinning with cpu_relax() (a scheduling point on the simulation machine)
//     and with the same preempt/irq/bh accounting as ktl's spinlock_t;
//   - ww_mutex: a ktl mutex (the C struct's `base`) plus the holder's acquire context; the
//     wound-wait / wait-die decisions are made under the base mutex's wait_lock (which ktl's
//     mutex only uses when a task sleeps in mutex_lock(), and ww_mutex waiters never do: they
//     sleep on a hashed wait queue of their own), which keeps a holder's context alive while
//     a contender reads its ticket or wounds it.
#include <sched.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>

#include "ktl/base/bug.h"
#include "ktl/base/compiler.h"
#include "ktl/base/list.h"
#include "ktl/locking/mutex.h"
#include "ktl/locking/spinlock.h"
#include "ktl/sched/preempt.h"
#include "ktl/sched/sched.h"
#include "ktl/sched/signal.h"
#include "ktl/sched/wait.h"

// ---- layouts of the C structs (the numbers the headers' structs have) ----------------------

// <linux/spinlock_types.h>: struct spinlock { struct raw_spinlock { bool locked; } rlock; }
static_assert(sizeof(ktl::spinlock_t) == 1 && alignof(ktl::spinlock_t) == 1);
static_assert(sizeof(std::atomic<bool>) == 1);
// <linux/mutex.h>: owner 0, wait_lock 8, wait_list 16, name 32; 40 bytes, 8-aligned.
static_assert(sizeof(ktl::mutex) == 40 && alignof(ktl::mutex) == 8);
static_assert(offsetof(ktl::mutex, owner) == 0);
static_assert(offsetof(ktl::mutex, wait_lock) == 8);
static_assert(offsetof(ktl::mutex, wait_list) == 16);
static_assert(offsetof(ktl::mutex, name) == 32);
static_assert(sizeof(std::atomic<uintptr_t>) == 8);
// <linux/types.h>: struct list_head { next, prev } is ktl::list_head.
static_assert(sizeof(ktl::list_head) == 16 && offsetof(ktl::list_head, next) == 0 &&
              offsetof(ktl::list_head, prev) == 8);

namespace {

// ---- irq-state helpers, with the flags convention of <linux/irqflags.h> --------------------
// (compat/src/softirq.cc: flags = "was already disabled"; restore undoes one save.)

unsigned long irq_save() noexcept {
  ktl::task_struct* p = ktl::get_current();
  unsigned long was = p->irqs_disabled != 0;
  ++p->irqs_disabled;
  return was;
}
void irq_restore(unsigned long flags) noexcept {
  ktl::task_struct* p = ktl::get_current();
  if (p->irqs_disabled > 0) --p->irqs_disabled;
  if (flags && p->irqs_disabled == 0) p->irqs_disabled = 1;
}
void irq_disable() noexcept { ++ktl::get_current()->irqs_disabled; }
void irq_enable() noexcept {
  ktl::task_struct* p = ktl::get_current();
  if (p->irqs_disabled > 0) --p->irqs_disabled;
}

// One iteration of a spin-wait: lets the simulation machine step another vCPU; on the real
// machine, pauses, and gives the host CPU away after a while (the holder's host thread may
// have been descheduled by the host OS).
void spin_wait(unsigned* spins) noexcept {
  if (KTL_UNLIKELY(ktl::internal::g_sim != nullptr)) {
    ktl::cpu_relax();
  } else if (++*spins < 1024) {
    ktl::arch_cpu_relax();
  } else {
    sched_yield();
    *spins = 0;
  }
}

// ---- rwlock_t ----------------------------------------------------------------------------------

struct rwlock {
  std::atomic<std::uint32_t> cnts;
};
// <linux/rwlock_types.h>: typedef struct { unsigned int cnts; } rwlock_t;
static_assert(sizeof(rwlock) == 4 && alignof(rwlock) == 4 && offsetof(rwlock, cnts) == 0);

constexpr std::uint32_t kWLocked = 0xff;    // a writer holds the lock
constexpr std::uint32_t kWWaiting = 0x100;  // a writer waits for the readers to drain
constexpr std::uint32_t kWMask = 0x1ff;
constexpr std::uint32_t kRBias = 0x200;     // one reader

void arch_read_lock(rwlock* l) noexcept {
  std::uint32_t c = l->cnts.fetch_add(kRBias, std::memory_order_acquire);
  if (KTL_LIKELY(!(c & kWMask))) return;
  unsigned spins = 0;
  if (ktl::in_interrupt()) {
    // A reader in interrupt context may have interrupted a reader of this lock on this vCPU:
    // it must not queue behind a waiting writer. Keep the bias, wait only for a holding writer.
    while (l->cnts.load(std::memory_order_acquire) & kWLocked) spin_wait(&spins);
    return;
  }
  for (;;) {
    l->cnts.fetch_sub(kRBias, std::memory_order_relaxed);
    while (l->cnts.load(std::memory_order_relaxed) & kWMask) spin_wait(&spins);
    c = l->cnts.fetch_add(kRBias, std::memory_order_acquire);
    if (!(c & kWMask)) return;
  }
}

void arch_read_unlock(rwlock* l) noexcept { l->cnts.fetch_sub(kRBias, std::memory_order_release); }

void arch_write_lock(rwlock* l) noexcept {
  std::uint32_t c = 0;
  if (KTL_LIKELY(l->cnts.compare_exchange_strong(c, kWLocked, std::memory_order_acquire))) return;
  unsigned spins = 0;
  // Become the waiting writer (one at a time): new task-context readers now hold off.
  for (;;) {
    c = l->cnts.load(std::memory_order_relaxed);
    if (!(c & kWMask) &&
        l->cnts.compare_exchange_weak(c, c | kWWaiting, std::memory_order_relaxed))
      break;
    spin_wait(&spins);
  }
  // Wait for the readers to drain, then turn "waiting" into "locked".
  for (;;) {
    c = kWWaiting;
    if (l->cnts.compare_exchange_weak(c, kWLocked, std::memory_order_acquire)) return;
    spin_wait(&spins);
  }
}

void arch_write_unlock(rwlock* l) noexcept {
  // Readers from interrupt context may have added their bias meanwhile: subtract, don't store.
  l->cnts.fetch_sub(kWLocked, std::memory_order_release);
}

bool arch_read_trylock(rwlock* l) noexcept {
  std::uint32_t c = l->cnts.load(std::memory_order_relaxed);
  if (c & kWMask) return false;
  c = l->cnts.fetch_add(kRBias, std::memory_order_acquire);
  if (!(c & kWMask)) return true;
  l->cnts.fetch_sub(kRBias, std::memory_order_relaxed);
  return false;
}

bool arch_write_trylock(rwlock* l) noexcept {
  std::uint32_t c = l->cnts.load(std::memory_order_relaxed);
  return c == 0 && l->cnts.compare_exchange_strong(c, kWLocked, std::memory_order_acquire);
}

void lock_point() noexcept {
  if (KTL_UNLIKELY(ktl::internal::g_sim != nullptr)) ktl::internal::sim_lock_point();
}

// ---- ww_mutex ----------------------------------------------------------------------------------

struct ww_mutex_c;

// <linux/ww_mutex.h> struct ww_class: stamp 0, acquire_key 8, mutex_key 12, acquire_name 16,
// mutex_name 24, is_wait_die 32; 40 bytes.
struct ww_class_c {
  long stamp;
  int acquire_key;
  int mutex_key;
  const char* acquire_name;
  const char* mutex_name;
  unsigned is_wait_die;
};
static_assert(sizeof(ww_class_c) == 40 && offsetof(ww_class_c, acquire_key) == 8 &&
              offsetof(ww_class_c, mutex_key) == 12 && offsetof(ww_class_c, acquire_name) == 16 &&
              offsetof(ww_class_c, mutex_name) == 24 && offsetof(ww_class_c, is_wait_die) == 32);

// struct ww_acquire_ctx: task 0, stamp 8, acquired 16, wounded 20, is_wait_die 22, ww_class 24,
// contending_lock 32, __ktl_waiting_on 40, __ktl_done 48; 56 bytes.
struct ww_ctx_c {
  ktl::task_struct* task;
  unsigned long stamp;
  unsigned acquired;
  unsigned short wounded;
  unsigned short is_wait_die;
  ww_class_c* ww_class;
  ww_mutex_c* contending_lock;
  void* waiting_on;
  unsigned done;
};
static_assert(sizeof(ww_ctx_c) == 56 && offsetof(ww_ctx_c, stamp) == 8 &&
              offsetof(ww_ctx_c, acquired) == 16 && offsetof(ww_ctx_c, wounded) == 20 &&
              offsetof(ww_ctx_c, is_wait_die) == 22 && offsetof(ww_ctx_c, ww_class) == 24 &&
              offsetof(ww_ctx_c, contending_lock) == 32 && offsetof(ww_ctx_c, waiting_on) == 40 &&
              offsetof(ww_ctx_c, done) == 48);

// struct ww_mutex: base 0 (struct mutex), ctx 40, ww_class 48; 56 bytes.
struct ww_mutex_c {
  ktl::mutex base;
  ww_ctx_c* ctx;
  ww_class_c* ww_class;
};
static_assert(sizeof(ww_mutex_c) == 56 && offsetof(ww_mutex_c, ctx) == 40 &&
              offsetof(ww_mutex_c, ww_class) == 48);

// Waiters sleep on a queue chosen by the lock's address (as the kernel's bit_waitqueue does).
constexpr unsigned kWwQueues = 64;
ktl::wait_queue_head g_ww_queues[kWwQueues];

ktl::wait_queue_head* ww_queue(const void* lock) noexcept {
  auto a = reinterpret_cast<std::uintptr_t>(lock);
  a ^= a >> 17;
  a *= 0x9e3779b97f4a7c15ull;
  return &g_ww_queues[(a >> 32) % kWwQueues];
}

template <typename T>
T load(const T& v) noexcept {
  return __atomic_load_n(&v, __ATOMIC_SEQ_CST);
}
template <typename T, typename U>
void store(T& v, U x) noexcept {
  __atomic_store_n(&v, static_cast<T>(x), __ATOMIC_SEQ_CST);
}

// a's ticket is older (smaller) than b's.
bool older(const ww_ctx_c* a, const ww_ctx_c* b) noexcept {
  return static_cast<long>(a->stamp - b->stamp) < 0;
}

// Takes the lock if it is free (under its wait_lock, so `ctx` is set together with ownership).
// Returns true if taken; otherwise reports the holder's context in *holder_out (nullptr: a
// plain holder) and, in a wound-wait class, wounds a younger holder that holds locks (its
// waiting queue, to wake, in *wake).
enum class attempt { taken, wait, back_off };

attempt ww_attempt(ww_mutex_c* lock, ww_ctx_c* ctx, ktl::wait_queue_head** wake) noexcept {
  ktl::spin_lock(&lock->base.wait_lock);
  if (ktl::mutex_trylock(&lock->base)) {
    store(lock->ctx, ctx);
    if (ctx) store(ctx->acquired, ctx->acquired + 1);
    ktl::spin_unlock(&lock->base.wait_lock);
    return attempt::taken;
  }
  attempt r = attempt::wait;
  ww_ctx_c* holder = load(lock->ctx);
  if (ctx) {
    if (ctx->is_wait_die) {
      // Wait-die: the younger dies when it already holds locks; the older waits.
      if (ctx->acquired > 0 && holder && older(holder, ctx)) r = attempt::back_off;
    } else {
      // Wound-wait: a wounded context backs off at its contended lock (once it holds some).
      if (ctx->acquired > 0 && load(ctx->wounded)) {
        r = attempt::back_off;
      } else if (holder && older(ctx, holder) && load(holder->acquired) > 0 &&
                 !load(holder->wounded)) {
        store(holder->wounded, 1);
        if (void* w = load(holder->waiting_on)) *wake = ww_queue(w);
      }
    }
  }
  ktl::spin_unlock(&lock->base.wait_lock);
  return r;
}

// After taking a lock with a context: contenders sleeping on it re-check against the new
// holder (a younger waiter in a wait-die class must now die, an older one in a wound-wait
// class must wound it).
void ww_new_holder(ww_mutex_c* lock) noexcept {
  ktl::wait_queue_head* q = ww_queue(lock);
  if (ktl::wq_has_sleeper(q)) wake_up_all(q);
}

int ww_lock_common(ww_mutex_c* lock, ww_ctx_c* ctx, bool interruptible, bool slow) {
  ktl::__might_sleep(__FILE__, __LINE__);
  if (ctx) {
    if (KTL_UNLIKELY(load(lock->ctx) == ctx)) return -EALREADY;
    WARN_ONCE(ctx->done, "ww_mutex_lock after ww_acquire_done()\n");
    WARN_ONCE(lock->ww_class && ctx->ww_class && lock->ww_class != ctx->ww_class,
              "ww_mutex_lock: lock of class %s taken in a context of class %s\n",
              lock->ww_class->mutex_name, ctx->ww_class->acquire_name);
    WARN_ONCE(slow && ctx->acquired, "ww_mutex_lock_slow with %u locks still held\n",
              ctx->acquired);
    if (ctx->acquired == 0) store(ctx->wounded, 0);
  }
  ktl::wait_queue_head* wake = nullptr;
  attempt a = ww_attempt(lock, ctx, &wake);
  if (wake) wake_up_all(wake);
  if (a == attempt::wait) {
    if (ctx) store(ctx->waiting_on, static_cast<void*>(lock));
    ktl::wait_queue_head* q = ww_queue(lock);
    auto cond = [&]() -> bool {
      ktl::wait_queue_head* w = nullptr;
      a = ww_attempt(lock, ctx, &w);
      if (w) wake_up_all(w);
      return a != attempt::wait;
    };
    int ret = 0;
    if (interruptible)
      ret = wait_event_interruptible(*q, cond());
    else
      wait_event(*q, cond());
    if (ctx) store(ctx->waiting_on, static_cast<void*>(nullptr));
    if (ret) return -EINTR;
  }
  if (a == attempt::back_off) {
    ctx->contending_lock = lock;
    return -EDEADLK;
  }
  if (ctx) {
    ctx->contending_lock = nullptr;
    ww_new_holder(lock);
  }
  return 0;
}

}  // namespace

extern "C" {

// ---- spinlock_t --------------------------------------------------------------------------------

void ktl_spin_lock(ktl::spinlock_t* l) { ktl::spin_lock(l); }
void ktl_spin_unlock(ktl::spinlock_t* l) { ktl::spin_unlock(l); }
int ktl_spin_trylock(ktl::spinlock_t* l) { return ktl::spin_trylock(l) ? 1 : 0; }
void ktl_spin_lock_irq(ktl::spinlock_t* l) {
  irq_disable();
  ktl::spin_lock(l);
}
void ktl_spin_unlock_irq(ktl::spinlock_t* l) {
  ktl::spin_unlock(l);
  irq_enable();
}
void ktl_spin_lock_bh(ktl::spinlock_t* l) { ktl::spin_lock_bh(l); }
void ktl_spin_unlock_bh(ktl::spinlock_t* l) { ktl::spin_unlock_bh(l); }
unsigned long ktl_spin_lock_irqsave(ktl::spinlock_t* l) {
  unsigned long flags = irq_save();
  ktl::spin_lock(l);
  return flags;
}
void ktl_spin_unlock_irqrestore(ktl::spinlock_t* l, unsigned long flags) {
  ktl::spin_unlock(l);
  irq_restore(flags);
}
int ktl_spin_trylock_irqsave(ktl::spinlock_t* l, unsigned long* flags) {
  *flags = irq_save();
  if (ktl::spin_trylock(l)) return 1;
  irq_restore(*flags);
  return 0;
}
int ktl_spin_trylock_irq(ktl::spinlock_t* l) {
  irq_disable();
  if (ktl::spin_trylock(l)) return 1;
  irq_enable();
  return 0;
}
int ktl_spin_trylock_bh(ktl::spinlock_t* l) {
  local_bh_disable();
  if (ktl::spin_trylock(l)) return 1;
  local_bh_enable();
  return 0;
}

// ---- rwlock_t ----------------------------------------------------------------------------------

void ktl_read_lock(rwlock* l) {
  lock_point();
  ktl::preempt_disable();
  arch_read_lock(l);
}
void ktl_read_unlock(rwlock* l) {
  arch_read_unlock(l);
  ktl::preempt_enable();
}
void ktl_write_lock(rwlock* l) {
  lock_point();
  ktl::preempt_disable();
  arch_write_lock(l);
}
void ktl_write_unlock(rwlock* l) {
  arch_write_unlock(l);
  ktl::preempt_enable();
}
int ktl_read_trylock(rwlock* l) {
  ktl::preempt_disable();
  if (arch_read_trylock(l)) return 1;
  ktl::preempt_enable();
  return 0;
}
int ktl_write_trylock(rwlock* l) {
  ktl::preempt_disable();
  if (arch_write_trylock(l)) return 1;
  ktl::preempt_enable();
  return 0;
}
void ktl_read_lock_irq(rwlock* l) {
  irq_disable();
  ktl_read_lock(l);
}
void ktl_read_unlock_irq(rwlock* l) {
  ktl_read_unlock(l);
  irq_enable();
}
void ktl_write_lock_irq(rwlock* l) {
  irq_disable();
  ktl_write_lock(l);
}
void ktl_write_unlock_irq(rwlock* l) {
  ktl_write_unlock(l);
  irq_enable();
}
void ktl_read_lock_bh(rwlock* l) {
  local_bh_disable();
  ktl_read_lock(l);
}
void ktl_read_unlock_bh(rwlock* l) {
  ktl_read_unlock(l);
  local_bh_enable();
}
void ktl_write_lock_bh(rwlock* l) {
  local_bh_disable();
  ktl_write_lock(l);
}
void ktl_write_unlock_bh(rwlock* l) {
  ktl_write_unlock(l);
  local_bh_enable();
}
unsigned long ktl_read_lock_irqsave(rwlock* l) {
  unsigned long flags = irq_save();
  ktl_read_lock(l);
  return flags;
}
void ktl_read_unlock_irqrestore(rwlock* l, unsigned long flags) {
  ktl_read_unlock(l);
  irq_restore(flags);
}
unsigned long ktl_write_lock_irqsave(rwlock* l) {
  unsigned long flags = irq_save();
  ktl_write_lock(l);
  return flags;
}
void ktl_write_unlock_irqrestore(rwlock* l, unsigned long flags) {
  ktl_write_unlock(l);
  irq_restore(flags);
}

// ---- struct mutex ------------------------------------------------------------------------------

void ktl_mutex_init(ktl::mutex* m) { ktl::mutex_init(m); }
void ktl_mutex_lock(ktl::mutex* m) { ktl::mutex_lock(m); }
void ktl_mutex_lock_nested(ktl::mutex* m, unsigned subclass) { ktl::mutex_lock_nested(m, subclass); }
int ktl_mutex_lock_interruptible(ktl::mutex* m) { return ktl::mutex_lock_interruptible(m); }
int ktl_mutex_lock_killable(ktl::mutex* m) { return ktl::mutex_lock_killable(m); }
int ktl_mutex_trylock(ktl::mutex* m) { return ktl::mutex_trylock(m); }
void ktl_mutex_unlock(ktl::mutex* m) { ktl::mutex_unlock(m); }
bool ktl_mutex_is_locked(ktl::mutex* m) { return ktl::mutex_is_locked(m); }
void ktl_mutex_destroy(ktl::mutex* m) {
  WARN(ktl::mutex_is_locked(m), "mutex_destroy of a mutex still held by %s/%d\n",
       ktl::__mutex_owner(m) ? ktl::__mutex_owner(m)->comm : "?",
       ktl::__mutex_owner(m) ? ktl::__mutex_owner(m)->pid : -1);
}
int ktl_atomic_dec_and_mutex_lock(int* cnt, ktl::mutex* m) {
  // atomic_add_unless(cnt, -1, 1): the count is dropped without the lock unless it is the last.
  int c = __atomic_load_n(cnt, __ATOMIC_RELAXED);
  while (c != 1) {
    if (__atomic_compare_exchange_n(cnt, &c, c - 1, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
      return 0;
  }
  ktl::mutex_lock(m);
  if (__atomic_sub_fetch(cnt, 1, __ATOMIC_SEQ_CST) != 0) {
    ktl::mutex_unlock(m);
    return 0;
  }
  return 1;
}

// ---- ww_mutex ----------------------------------------------------------------------------------

void ktl_ww_mutex_init(ww_mutex_c* lock, ww_class_c* ww_class) {
  ktl::mutex_init(&lock->base);
  lock->base.name = nullptr;
  lock->ctx = nullptr;
  lock->ww_class = ww_class;
}

void ktl_ww_acquire_init(ww_ctx_c* ctx, ww_class_c* ww_class) {
  ctx->task = ktl::get_current();
  ctx->stamp = static_cast<unsigned long>(__atomic_add_fetch(&ww_class->stamp, 1, __ATOMIC_RELAXED));
  ctx->acquired = 0;
  ctx->wounded = 0;
  ctx->is_wait_die = static_cast<unsigned short>(ww_class->is_wait_die);
  ctx->ww_class = ww_class;
  ctx->contending_lock = nullptr;
  ctx->waiting_on = nullptr;
  ctx->done = 0;
}

void ktl_ww_acquire_done(ww_ctx_c* ctx) { ctx->done = 1; }

void ktl_ww_acquire_fini(ww_ctx_c* ctx) {
  WARN(ctx->acquired, "ww_acquire_fini with %u locks still held\n", ctx->acquired);
}

int ktl_ww_mutex_lock(ww_mutex_c* lock, ww_ctx_c* ctx) {
  return ww_lock_common(lock, ctx, false, false);
}
int ktl_ww_mutex_lock_interruptible(ww_mutex_c* lock, ww_ctx_c* ctx) {
  return ww_lock_common(lock, ctx, true, false);
}
void ktl_ww_mutex_lock_slow(ww_mutex_c* lock, ww_ctx_c* ctx) {
  int ret = ww_lock_common(lock, ctx, false, true);
  WARN_ONCE(ret, "ww_mutex_lock_slow: %d\n", ret);  // only -EALREADY (caller kept the lock)
}
int ktl_ww_mutex_lock_slow_interruptible(ww_mutex_c* lock, ww_ctx_c* ctx) {
  return ww_lock_common(lock, ctx, true, true);
}

int ktl_ww_mutex_trylock(ww_mutex_c* lock, ww_ctx_c* ctx) {
  int taken = 0;
  ktl::spin_lock(&lock->base.wait_lock);
  if (ktl::mutex_trylock(&lock->base)) {
    store(lock->ctx, ctx);
    if (ctx) store(ctx->acquired, ctx->acquired + 1);
    taken = 1;
  }
  ktl::spin_unlock(&lock->base.wait_lock);
  if (taken && ctx) ww_new_holder(lock);
  return taken;
}

void ktl_ww_mutex_unlock(ww_mutex_c* lock) {
  ktl::spin_lock(&lock->base.wait_lock);
  if (ww_ctx_c* ctx = load(lock->ctx)) {
    WARN_ONCE(ctx->acquired == 0, "ww_mutex_unlock: context holds no lock\n");
    if (ctx->acquired) store(ctx->acquired, ctx->acquired - 1);
    store(lock->ctx, static_cast<ww_ctx_c*>(nullptr));
  }
  ktl::spin_unlock(&lock->base.wait_lock);
  ktl::mutex_unlock(&lock->base);
  ktl::wait_queue_head* q = ww_queue(lock);
  if (ktl::wq_has_sleeper(q)) wake_up_all(q);  // its fence pairs with set_current_state()
}

void ktl_ww_mutex_destroy(ww_mutex_c* lock) { ktl_mutex_destroy(&lock->base); }

}  // extern "C"
