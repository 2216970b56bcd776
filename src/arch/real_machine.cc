// The real machine: one host thread per vCPU, CLOCK_MONOTONIC, futexes, and a host "timer chip"
// thread that advances jiffies every 1/HZ s and flags the tick on busy vCPUs.
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <thread>
#include <vector>

#include "arch/machine.h"
#include "ktl/time/jiffies.h"
#include "sched/sched_internal.h"
#include "time/time_internal.h"

namespace ktl::internal {

void futex_wait(std::atomic<int>* word, int val, const timespec* rel) noexcept {
  syscall(SYS_futex, reinterpret_cast<int*>(word), FUTEX_WAIT_PRIVATE, val, rel, nullptr, 0);
}
void futex_wait_u32(std::atomic<unsigned>* word, unsigned val) noexcept {
  syscall(SYS_futex, reinterpret_cast<unsigned*>(word), FUTEX_WAIT_PRIVATE, val, nullptr, nullptr, 0);
}
void futex_wake(std::atomic<int>* word, int n) noexcept {
  syscall(SYS_futex, reinterpret_cast<int*>(word), FUTEX_WAKE_PRIVATE, n, nullptr, nullptr, 0);
}
void futex_wake_u32(std::atomic<unsigned>* word, int n) noexcept {
  syscall(SYS_futex, reinterpret_cast<unsigned*>(word), FUTEX_WAKE_PRIVATE, n, nullptr, nullptr, 0);
}

namespace {

u64 host_now() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<u64>(ts.tv_sec) * 1000000000ull + static_cast<u64>(ts.tv_nsec);
}

class real_machine final : public machine {
 public:
  explicit real_machine(unsigned hz) : hz_(hz), boot_(host_now()) {}
  ~real_machine() override { join_cpus(); }

  const char* name() const noexcept override { return "real"; }
  u64 clock_ns() noexcept override { return host_now() - boot_; }

  void wait_on(std::atomic<int>* word, int val, u64 deadline_ns) noexcept override {
    if (deadline_ns == UINT64_MAX) {
      futex_wait(word, val, nullptr);
      return;
    }
    u64 now = clock_ns();
    if (deadline_ns <= now) return;
    u64 d = deadline_ns - now;
    timespec rel{static_cast<time_t>(d / 1000000000ull), static_cast<long>(d % 1000000000ull)};
    futex_wait(word, val, &rel);
  }
  void wake(std::atomic<int>* word) noexcept override { futex_wake(word, 1); }

  u64 vcpu_cpu_time_ns() noexcept override {
    timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
    return static_cast<u64>(ts.tv_sec) * 1000000000ull + static_cast<u64>(ts.tv_nsec);
  }

  int start_cpus(int nr_cpus) override {
    stop_.store(false);
    started_.store(0);
    for (int cpu = 0; cpu < nr_cpus; ++cpu) {
      threads_.emplace_back([this, cpu] {
        started_.fetch_add(1);
        vcpu_main(cpu);
      });
    }
    tick_ = std::thread([this] { tick_main(); });
    while (started_.load() < nr_cpus) std::this_thread::yield();
    return 0;
  }

  void join_cpus() override {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
    stop_.store(true);
    tick_stop_word_.store(1);
    futex_wake(&tick_stop_word_, 1);
    if (tick_.joinable()) tick_.join();
    tick_stop_word_.store(0);
  }

  void abandon_cpus() override {
    for (auto& t : threads_)
      if (t.joinable()) t.detach();
    threads_.clear();
    stop_.store(true);
    tick_stop_word_.store(1);
    futex_wake(&tick_stop_word_, 1);
    if (tick_.joinable()) tick_.join();
  }

  int host_cpus() const noexcept override {
    unsigned n = std::thread::hardware_concurrency();
    return n ? static_cast<int>(n) : 1;
  }

 private:
  void tick_main() {
    const u64 period = 1000000000ull / hz_;
    u64 next = (clock_ns() / period + 1) * period;
    while (!stop_.load(std::memory_order_relaxed)) {
      u64 now = clock_ns();
      if (now < next) {
        u64 d = next - now;
        timespec rel{static_cast<time_t>(d / 1000000000ull), static_cast<long>(d % 1000000000ull)};
        futex_wait(&tick_stop_word_, 0, &rel);
        continue;
      }
      next += period;
      if (next <= now) next = (now / period + 1) * period;  // host hiccup: skip missed ticks
      unsigned long j = jiffies_update_from_clock();
      tick_broadcast(j);
    }
  }

  unsigned hz_;
  u64 boot_;
  std::vector<std::thread> threads_;
  std::thread tick_;
  std::atomic<bool> stop_{false};
  std::atomic<int> started_{0};
  std::atomic<int> tick_stop_word_{0};
};

}  // namespace

machine* make_real_machine(unsigned hz) { return new real_machine(hz); }

}  // namespace ktl::internal

namespace ktl::internal {

// Defaults: what a machine of host threads does.
void machine::adopt_vcpu_stack(task_struct* idle) noexcept { san_adopt_host_stack(idle); }
void machine::host_block(std::atomic<unsigned>* word, unsigned val) noexcept {
  futex_wait_u32(word, val);
}
void machine::host_unblock(std::atomic<unsigned>* word) noexcept { futex_wake_u32(word, 1); }
void machine::host_idle(u64 ns) noexcept {
  timespec rel{static_cast<time_t>(ns / 1000000000ull), static_cast<long>(ns % 1000000000ull)};
  nanosleep(&rel, nullptr);
}

}  // namespace ktl::internal
