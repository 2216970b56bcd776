// Compiler helpers shared by every ktl header.
#pragma once

#include <cstddef>
#include <cstdint>

#define KTL_LIKELY(x) __builtin_expect(!!(x), 1)
#define KTL_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define KTL_NOINLINE __attribute__((noinline))
#define KTL_ALWAYS_INLINE inline __attribute__((always_inline))
#define KTL_COLD __attribute__((cold, noinline))
#define KTL_PRINTF(f, a) __attribute__((format(printf, f, a)))

// A function that reads fields another vCPU writes without a lock, on purpose and for reports
// only (Linux's data_race()/READ_ONCE readers: /proc, ps, sysrq-t, statistics). Kept out of
// ThreadSanitizer's view; it must copy scalars itself (a memcpy/printf the runtime intercepts
// would still be checked) and tolerate values one update stale.
#if defined(__SANITIZE_THREAD__) || defined(KTL_TSAN)
#define KTL_DATA_RACY __attribute__((noinline, no_sanitize("thread")))
#else
#define KTL_DATA_RACY __attribute__((noinline))
#endif

#ifndef likely
#define likely(x) KTL_LIKELY(x)
#define unlikely(x) KTL_UNLIKELY(x)
#endif

namespace ktl {

using u8 = std::uint8_t;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using s32 = std::int32_t;
using s64 = std::int64_t;
using pid_t = int;

// The CPU "pause" hint for spin loops. In the simulation machine a spin loop must also let virtual
// time move, so spin loops in kernel code call cpu_relax() rather than the raw instruction.
KTL_ALWAYS_INLINE void arch_cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#else
  asm volatile("" ::: "memory");
#endif
}

namespace internal {
class sim_machine;
// Non-null while a kernel runs on the simulation machine (set at boot, cleared at poweroff).
extern sim_machine* g_sim;
void sim_relax() noexcept;
void sim_lock_point() noexcept;  // before taking a kernel lock: another vCPU may go first
}  // namespace internal

// cpu_relax(): the body of every spin loop. On the real machine the pause instruction; on the
// simulation machine a spin iteration costs virtual time and lets another vCPU run (one host
// thread runs them all, so a spin loop that never let go would hang it).
#ifdef cpu_relax
#undef cpu_relax  // Boost.Fiber's macro of the same name (the Linux name wins here)
#endif
KTL_ALWAYS_INLINE void cpu_relax() noexcept {
  if (KTL_UNLIKELY(internal::g_sim != nullptr))
    internal::sim_relax();
  else
    arch_cpu_relax();
}

// Stops the compiler from caching memory (in particular thread-local addresses) across this point.
KTL_ALWAYS_INLINE void barrier() noexcept { asm volatile("" ::: "memory"); }

constexpr std::size_t kCacheLine = 64;

}  // namespace ktl
