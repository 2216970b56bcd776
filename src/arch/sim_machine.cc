// The simulation machine: every vCPU is a context on one host thread, stepped in a seeded order,
// in virtual time. The public contract is in ktl/kernel/sim.h; docs/simulation.md has the model.
//
// A vCPU context runs vcpu_main() on a stack of its own, and from there switches between task
// fibers exactly as on the real machine. When the code on a vCPU reaches a scheduling point
// (arch/sim.h) it jumps back to the driver: the host thread's own context, inside whichever host
// call is waiting on the kernel (start_kernel, a wait_for_completion from a test, run_for, the
// poweroff). The driver picks the next vCPU and jumps into the context that vCPU left at its
// last point. Nothing runs between steps, so the host side sees the machine at rest.
#include <pthread.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "arch/fiber.h"
#include "arch/machine.h"
#include "arch/sim.h"
#include "ktl/kernel/fork.h"
#include "ktl/kernel/printk.h"
#include "ktl/kernel/sim.h"
#include "ktl/sched/sched.h"
#include "ktl/time/jiffies.h"
#include "sched/sched_internal.h"
#include "time/time_internal.h"

#if defined(KTL_ASAN) || defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define KTL_SIM_ASAN 1
#endif
#if defined(KTL_TSAN) || defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define KTL_SIM_TSAN 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(KTL_SIM_ASAN)
#include <sanitizer/asan_interface.h>
#define KTL_SIM_ASAN 1
#endif
#if __has_feature(thread_sanitizer) && !defined(KTL_SIM_TSAN)
#include <sanitizer/tsan_interface.h>
#define KTL_SIM_TSAN 1
#endif
#endif

namespace ktl::internal {

sim_machine* g_sim = nullptr;
thread_local int t_sim_nopreempt __attribute__((tls_model("initial-exec"))) = 0;

namespace {

sim::failure_hook g_failure_hook = nullptr;

// xoshiro256**, seeded through splitmix64: small, fast, and the same on every host.
class prng {
 public:
  explicit prng(u64 seed) {
    for (auto& w : s_) {
      seed += 0x9e3779b97f4a7c15ull;
      u64 z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      w = z ^ (z >> 31);
    }
  }
  u64 next() noexcept {
    const u64 r = rotl(s_[1] * 5, 7) * 9;
    const u64 t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return r;
  }
  // Uniform in [0, bound) (Lemire's multiply-shift; the tiny bias is irrelevant here).
  u64 below(u64 bound) noexcept {
    return static_cast<u64>((static_cast<unsigned __int128>(next()) * bound) >> 64);
  }

 private:
  static u64 rotl(u64 x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  u64 s_[4];
};

enum vcpu_state : u8 { V_RUNNABLE, V_IDLE, V_DONE };

struct sim_vcpu {
  fcontext_t ctx = nullptr;     // where it resumes (its current task's stack)
  char* map = nullptr;          // its own stack mapping, guard page included
  std::size_t map_size = 0;
  char* stack_lo = nullptr;
  std::size_t stack_size = 0;
  void* tsan_fiber = nullptr;   // the vCPU context's own fiber (its idle task)
  bool started = false;
  vcpu_state state = V_RUNNABLE;
  u64 t = 0;                    // its clock
  u64 deadline = UINT64_MAX;    // while idle: when it wakes by itself
  std::atomic<int>* word = nullptr;
  sim_point_kind last_point = SIM_SYNC;
  int prio = 0;                 // PCT priority
};

constexpr std::size_t kVcpuStack = 256 * 1024;

}  // namespace

class sim_machine final : public machine {
 public:
  sim_machine(unsigned hz, const sim_config& cfg)
      : cfg_(cfg), rng_(cfg.seed), tick_ns_(1000000000ull / hz) {}
  ~sim_machine() override {
    for (auto& v : v_) {
#ifdef KTL_SIM_TSAN
      if (v.tsan_fiber) __tsan_destroy_fiber(v.tsan_fiber);
#endif
      if (v.map) munmap(v.map, v.map_size);
    }
  }

  const char* name() const noexcept override { return "sim"; }
  bool simulated() const noexcept override { return true; }
  // PCT explores the caller's code, not the boot every run shares: its change points count
  // decisions from here on.
  void boot_complete() noexcept override {
    pct_armed_ = true;
    pct_base_ = decisions_;
  }
  int host_cpus() const noexcept override { return 1; }
  u64 vcpu_cpu_time_ns() noexcept override { return 0; }

  u64 clock_ns() noexcept override {
    int c = cur_;
    return c >= 0 ? v_[static_cast<std::size_t>(c)].t : now_;
  }

  void wait_on(std::atomic<int>* word, int val, u64 deadline_ns) noexcept override {
    int c = cur_;
    if (c < 0) return;  // not a vCPU context: nothing to wait in
    if (word->load(std::memory_order_relaxed) != val) return;
    sim_vcpu& v = v_[static_cast<std::size_t>(c)];
    v.state = V_IDLE;
    v.deadline = deadline_ns;
    v.word = word;
    to_driver(c);
  }

  void wake(std::atomic<int>* word) noexcept override {
    u64 t = clock_ns();
    for (auto& v : v_) {
      if (v.state == V_IDLE && v.word == word) {
        v.state = V_RUNNABLE;
        v.word = nullptr;
        v.deadline = UINT64_MAX;
        if (v.t < t) v.t = t;
      }
    }
  }

  int start_cpus(int nr_cpus) override {
    v_.assign(static_cast<std::size_t>(nr_cpus), sim_vcpu{});
    const std::size_t page = 4096;
    for (int cpu = 0; cpu < nr_cpus; ++cpu) {
      sim_vcpu& v = v_[static_cast<std::size_t>(cpu)];
      v.map_size = kVcpuStack + page;
      void* m = mmap(nullptr, v.map_size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (m == MAP_FAILED) return -ENOMEM;
      v.map = static_cast<char*>(m);
      mprotect(v.map, page, PROT_NONE);
      v.stack_lo = v.map + page;
      v.stack_size = kVcpuStack;
      v.ctx = boost::context::detail::make_fcontext(v.stack_lo + v.stack_size, v.stack_size,
                                                    &sim_machine::vcpu_entry);
#ifdef KTL_SIM_TSAN
      v.tsan_fiber = __tsan_create_fiber(0);
#endif
      v.t = 0;
    }
    init_pct();
    return 0;
  }

  void join_cpus() override {
    run_until_impl([this] { return all_done(); }, UINT64_MAX, false, true);
  }

  // The stuck tasks' vCPU contexts are simply never stepped again.
  void abandon_cpus() override {}

  void adopt_vcpu_stack(task_struct* idle) noexcept override {
    int c = cur_;
    if (c < 0) return;
    sim_vcpu& v = v_[static_cast<std::size_t>(c)];
    idle->thread.stack_lo = v.stack_lo;
    idle->thread.stack_size = v.stack_size;
    idle->thread.tsan_fiber = v.tsan_fiber;
  }

  void host_block(std::atomic<unsigned>* word, unsigned val) noexcept override {
    int r = run_until_impl([&] { return word->load(std::memory_order_acquire) != val; },
                           UINT64_MAX, false, true);
    if (r && word->load(std::memory_order_acquire) == val) fail(r);
  }
  void host_unblock(std::atomic<unsigned>*) noexcept override { host_woken_ = true; }

  void host_idle(u64 ns) noexcept override {
    u64 target = now_ + (ns ? ns : 1);
    run_until_impl([] { return false; }, target, false, true);
  }

  // ---- the driver ------------------------------------------------------------------------------

  // Steps the machine until pred() holds, or machine time reaches `until`: 0, -ETIMEDOUT,
  // -EDEADLK (nothing can ever run again and there is no bound), -ELOOP (step budget).
  // When nothing can run before `until` the clock moves on by itself: tick by tick when pred()
  // may depend on time (`tick_steps`, e.g. on jiffies), else straight to `until`.
  // `simple_pred`: pred() can only become true through host_unblock() or a vCPU finishing, so a
  // lone runnable vCPU may run on past its points without the driver looking (see point()).
  template <typename Pred>
  int run_until_impl(Pred&& pred, u64 until, bool tick_steps, bool simple_pred = false) {
    if (cur_ >= 0) return -EDEADLK;  // a vCPU cannot drive the machine it runs on
    std::lock_guard<std::recursive_mutex> g(drive_mu_);
    const u64 first_step = steps_;
    struct saved_t {
      sim_machine* m;
      u64 until, first;
      bool fast;
      ~saved_t() {
        m->until_ = until;
        m->first_step_ = first;
        m->fast_ok_ = fast;
      }
    } saved{this, until_, first_step_, fast_ok_};
    until_ = until;
    first_step_ = first_step;
    fast_ok_ = simple_pred;
    host_woken_ = false;
    for (;;) {
      if (pred()) return 0;
      if (cfg_.max_steps && steps_ - first_step >= cfg_.max_steps) return -ELOOP;
      if (now_ >= until) return -ETIMEDOUT;
      int r = step(until);
      if (r == 1) continue;
      if (r == -ELOOP) return r;
      if (until == UINT64_MAX) return -EDEADLK;
      // Nothing to run before `until`.
      now_ = tick_steps ? std::min(until, std::max(next_tick_, now_ + 1)) : until;
      fire_tick();
    }
  }

  // One step: 1 when a vCPU ran, 0 when nothing can happen before `until`, -EDEADLK when nothing
  // can happen ever, -ELOOP when the step budget is spent.
  int step(u64 until) {
    u64 m = UINT64_MAX;
    for (auto& v : v_)
      if (v.state == V_RUNNABLE && v.t < m) m = v.t;
    if (m == UINT64_MAX) {
      u64 d = UINT64_MAX;
      for (auto& v : v_)
        if (v.state == V_IDLE && v.deadline < d) d = v.deadline;
      if (d == UINT64_MAX) return all_done() ? 0 : -EDEADLK;
      if (d > until) return 0;
      m = d;
      time_jumps_++;
    }
    if (m > now_) now_ = m;
    for (auto& v : v_) {
      if (v.state == V_IDLE && v.deadline <= now_) {
        v.state = V_RUNNABLE;
        v.word = nullptr;
        v.deadline = UINT64_MAX;
        if (v.t < now_) v.t = now_;
      }
    }
    fire_tick();
    int c = pick();
    steps_++;
    run_vcpu(c);
    return 1;
  }

  void fire_tick() {
    if (now_ < next_tick_) return;
    unsigned long j = jiffies_update_from_clock();
    tick_broadcast(j);
    next_tick_ = (now_ / tick_ns_ + 1) * tick_ns_;
  }

  int pick() {
    int cand[NR_CPUS];
    int n = 0;
    const u64 limit = now_ + cfg_.quantum_ns;
    for (std::size_t i = 0; i < v_.size(); ++i)
      if (v_[i].state == V_RUNNABLE && v_[i].t <= limit) cand[n++] = static_cast<int>(i);
    if (n == 1) return last_ = cand[0];
    decisions_++;
    if (cfg_.strategy == sim_strategy::pct) return last_ = pick_pct(cand, n);
    return last_ = cand[rng_.below(static_cast<u64>(n))];
  }

  // PCT: the runnable vCPU of highest priority runs; at the i-th change point the vCPU that ran
  // last drops to priority i (below every initial one). A vCPU spinning in cpu_relax() yields to
  // any other candidate, or strict priorities would spin it forever against a lock holder.
  int pick_pct(const int* cand, int n) {
    if (pct_armed_ && next_change_ < change_.size() &&
        decisions_ - pct_base_ >= change_[next_change_] && last_ >= 0) {
      v_[static_cast<std::size_t>(last_)].prio = static_cast<int>(next_change_);
      next_change_++;
    }
    int best = -1;
    for (int k = 0; k < n; ++k) {
      int c = cand[k];
      if (c == last_ && v_[static_cast<std::size_t>(c)].last_point == SIM_RELAX) continue;
      if (best < 0 || v_[static_cast<std::size_t>(c)].prio > v_[static_cast<std::size_t>(best)].prio)
        best = c;
    }
    return best >= 0 ? best : cand[0];
  }

  void init_pct() {
    const int n = static_cast<int>(v_.size());
    const int d = std::max(1, cfg_.pct_depth);
    std::vector<int> perm(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
    for (int i = n - 1; i > 0; --i)
      std::swap(perm[static_cast<std::size_t>(i)],
                perm[static_cast<std::size_t>(rng_.below(static_cast<u64>(i) + 1))]);
    for (int i = 0; i < n; ++i) v_[static_cast<std::size_t>(i)].prio = d + perm[static_cast<std::size_t>(i)];
    change_.clear();
    for (int i = 0; i < d - 1; ++i) change_.push_back(1 + rng_.below(std::max<u64>(1, cfg_.pct_steps)));
    std::sort(change_.begin(), change_.end());
    next_change_ = 0;
  }

  bool all_done() const {
    for (auto& v : v_)
      if (v.state != V_DONE) return false;
    return true;
  }

  // ---- switching between the driver and a vCPU ------------------------------------------------

  void run_vcpu(int c) {
    sim_vcpu& v = v_[static_cast<std::size_t>(c)];
    rq* r = cpu_rq(c);
#ifdef KTL_SIM_ASAN
    const void* lo = v.stack_lo;
    std::size_t size = v.stack_size;
    if (v.started && r->curr) {
      lo = r->curr->thread.stack_lo;
      size = r->curr->thread.stack_size;
    }
    __sanitizer_start_switch_fiber(&driver_fake_, lo, size);
#endif
#ifdef KTL_SIM_TSAN
    void* fib = (v.started && r->curr && r->curr->thread.tsan_fiber) ? r->curr->thread.tsan_fiber
                                                                     : v.tsan_fiber;
    driver_fiber_ = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(fib, 0);
#endif
    v.started = true;
    cur_ = c;
    set_this_rq(r);
    transfer_t t = boost::context::detail::jump_fcontext(v.ctx, this);
    // Back in the driver.
#ifdef KTL_SIM_ASAN
    __sanitizer_finish_switch_fiber(driver_fake_, nullptr, nullptr);
#endif
    v.ctx = t.fctx;
    cur_ = -1;
    set_this_rq(nullptr);
  }

  // From a vCPU (any task's stack on it): back to the driver; returns when it is stepped again.
  void to_driver(int c) {
    task_struct* self = cpu_rq(c)->curr;
#ifdef KTL_SIM_ASAN
    __sanitizer_start_switch_fiber(&self->thread.asan_fake_stack, driver_lo_, driver_size_);
#endif
#ifdef KTL_SIM_TSAN
    __tsan_switch_to_fiber(driver_fiber_, 0);
#endif
    transfer_t t = boost::context::detail::jump_fcontext(driver_ctx_, nullptr);
    driver_ctx_ = t.fctx;
#ifdef KTL_SIM_ASAN
    __sanitizer_finish_switch_fiber(self->thread.asan_fake_stack, nullptr, nullptr);
#endif
    (void)self;
  }

  static void vcpu_entry(transfer_t t) {
    auto* self = static_cast<sim_machine*>(t.data);
    self->driver_ctx_ = t.fctx;
#ifdef KTL_SIM_ASAN
    __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
#endif
    int c = self->cur_;
    vcpu_main(c);
    sim_vcpu& v = self->v_[static_cast<std::size_t>(c)];
    v.state = V_DONE;
    // Back for good. The idle task of this vCPU is what "curr" is now.
#ifdef KTL_SIM_ASAN
    __sanitizer_start_switch_fiber(nullptr, self->driver_lo_, self->driver_size_);
#endif
#ifdef KTL_SIM_TSAN
    __tsan_switch_to_fiber(self->driver_fiber_, 0);
#endif
    boost::context::detail::jump_fcontext(self->driver_ctx_, nullptr);
    __builtin_unreachable();
  }

  // ---- points --------------------------------------------------------------------------------

  void point(sim_point_kind kind, u64 extra) noexcept {
    int c = cur_;
    if (c < 0) {
      // Host context: a host thread spinning on the kernel lets the machine take a step.
      if (kind == SIM_RELAX || kind == SIM_DELAY) host_idle(kind == SIM_DELAY ? extra : cfg_.costs.relax_ns);
      return;
    }
    sim_vcpu& v = v_[static_cast<std::size_t>(c)];
    u64 cost = 0;
    switch (kind) {
      case SIM_SYNC: cost = cfg_.costs.sync_ns; break;
      case SIM_WAKE: cost = cfg_.costs.wakeup_ns; break;
      case SIM_RELAX: cost = cfg_.costs.relax_ns; break;
      case SIM_RESCHED: cost = cfg_.costs.resched_ns; break;
      case SIM_DELAY: cost = extra; break;
    }
    v.t += cost;
    if (t_sim_nopreempt > 0) return;
    v.last_point = kind;
    if (continue_in_place(c)) return;
    to_driver(c);
  }

  // The driver would only pick this vCPU again and has nothing else to do (no other vCPU
  // runnable, no idle one due, no tick, no bound, nothing for the waiting host): count the step
  // and go on without the two context jumps. No random number is drawn on either path, so a run
  // is the same whether or not this shortcut is taken.
  bool continue_in_place(int c) {
    if (!fast_ok_ || host_woken_) return false;
    const sim_vcpu& v = v_[static_cast<std::size_t>(c)];
    if (v.t >= next_tick_ || v.t >= until_) return false;
    if (cfg_.max_steps && steps_ - first_step_ >= cfg_.max_steps) return false;
    for (std::size_t i = 0; i < v_.size(); ++i) {
      if (static_cast<int>(i) == c) continue;
      const sim_vcpu& o = v_[i];
      if (o.state == V_RUNNABLE || (o.state == V_IDLE && o.deadline <= v.t)) return false;
    }
    if (v.t > now_) now_ = v.t;
    steps_++;
    last_ = c;
    return true;
  }

  void charge_switch() noexcept {
    int c = cur_;
    if (c < 0) return;
    v_[static_cast<std::size_t>(c)].t += cfg_.costs.context_switch_ns;
    switches_++;
  }

  [[noreturn]] void fail(int r) noexcept {
    char summary[256];
    std::snprintf(summary, sizeof summary,
                  "sim: %s at %llu.%06llu s virtual (seed %llu, %llu steps): %s",
                  r == -ELOOP ? "livelock" : "deadlock",
                  static_cast<unsigned long long>(now_ / 1000000000ull),
                  static_cast<unsigned long long>(now_ % 1000000000ull / 1000),
                  static_cast<unsigned long long>(cfg_.seed),
                  static_cast<unsigned long long>(steps_),
                  r == -ELOOP ? "the step budget ran out"
                              : "every task is blocked and no timer is pending");
    report(summary);
    if (g_failure_hook) g_failure_hook(summary);
    std::abort();
  }

  // The log gets the summary and sysrq-t; stderr gets them too, at once (the process may be
  // about to abort, before the console thread writes the log out).
  void report(const char* summary) {
    printk(KERN_EMERG "%s\n", summary);
    show_state();
    std::fprintf(stderr, "%s\n", summary);
    auto tasks = snapshot_tasks();
    for (task_struct* p : tasks) {
      const char* w = p->blocked_at.func.load();
      std::fprintf(stderr, "task:%-15.15s state:%c pid:%-5d ppid:%-5d wchan:%s\n", p->comm,
                   task_state_to_char(p), p->pid, p->real_parent ? p->real_parent->pid : 0, w ? w : "-");
    }
    put_task_snapshot(tasks);
  }

  sim::stats stats() const noexcept {
    sim::stats s;
    s.steps = steps_;
    s.decisions = decisions_;
    s.context_switches = switches_;
    s.time_jumps = time_jumps_;
    s.now_ns = now_;
    return s;
  }
  const sim_config& config() const noexcept { return cfg_; }

  void note_driver_stack() {
#ifdef KTL_SIM_ASAN
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* addr;
      std::size_t size;
      pthread_attr_getstack(&attr, &addr, &size);
      driver_lo_ = addr;
      driver_size_ = size;
      pthread_attr_destroy(&attr);
    }
#endif
  }

 private:
  sim_config cfg_;
  prng rng_;
  u64 tick_ns_;
  std::vector<sim_vcpu> v_;
  int cur_ = -1;          // the vCPU running now; -1 in the driver
  int last_ = -1;
  u64 now_ = 0;           // the driver's clock: the slowest runnable vCPU's, or a jump target
  u64 next_tick_ = 0;
  u64 steps_ = 0;
  u64 decisions_ = 0;
  u64 switches_ = 0;
  u64 time_jumps_ = 0;
  u64 until_ = UINT64_MAX;     // the bound of the driver's current wait
  u64 first_step_ = 0;
  bool fast_ok_ = false;
  bool host_woken_ = false;
  std::vector<u64> change_;
  std::size_t next_change_ = 0;
  bool pct_armed_ = false;  // change points count from boot_complete()
  u64 pct_base_ = 0;
  fcontext_t driver_ctx_ = nullptr;
  std::recursive_mutex drive_mu_;
  void* driver_fake_ = nullptr;
  const void* driver_lo_ = nullptr;
  std::size_t driver_size_ = 0;
  void* driver_fiber_ = nullptr;
};

machine* make_sim_machine(unsigned hz, const sim_config& cfg) {
  auto* m = new sim_machine(hz, cfg);
  m->note_driver_stack();
  return m;
}

void sim_install(machine* m) noexcept { g_sim = static_cast<sim_machine*>(m); }

void sim_point_slow(sim_point_kind kind, u64 extra_ns) noexcept {
  if (sim_machine* s = g_sim) s->point(kind, extra_ns);
}
void sim_charge_switch_slow() noexcept {
  if (sim_machine* s = g_sim) s->charge_switch();
}
void sim_relax() noexcept { sim_point_slow(SIM_RELAX, 0); }
void sim_lock_point() noexcept { sim_point_slow(SIM_SYNC, 0); }

}  // namespace ktl::internal

namespace ktl::sim {

using internal::g_sim;

void set_failure_hook(failure_hook hook) noexcept { internal::g_failure_hook = hook; }
bool active() noexcept { return g_sim != nullptr; }
u64 seed() noexcept { return g_sim ? g_sim->config().seed : 0; }
u64 now_ns() noexcept { return g_sim ? g_sim->clock_ns() : 0; }

int run_for(u64 ns) {
  if (!g_sim) return -ENODEV;
  u64 target = g_sim->clock_ns() + ns;
  int r = g_sim->run_until_impl([] { return false; }, target, false, true);
  return r == -ETIMEDOUT ? 0 : r;
}

int run_until(const std::function<bool()>& pred, u64 max_ns) {
  if (!g_sim) return -ENODEV;
  u64 now = g_sim->clock_ns();
  u64 until = max_ns >= UINT64_MAX - now ? UINT64_MAX : now + max_ns;
  return g_sim->run_until_impl(pred, until, true);
}

stats get_stats() noexcept { return g_sim ? g_sim->stats() : stats{}; }

void yield_point() noexcept { internal::sim_point(internal::SIM_SYNC); }

}  // namespace ktl::sim
