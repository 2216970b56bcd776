// get_random_* (<linux/random.h>) and the prandom generator (<linux/prandom.h>).
//
// The real machine draws from the host (getrandom); the simulation machine from its seed, so a
// replayed run sees the same numbers: each value is splitmix64 of (seed, boot, sequence number),
// and the simulation runs every vCPU on one host thread in a seeded order, so the sequence
// numbers are handed out in the same order too.
#include <sys/random.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "ktl/base/bug.h"
#include "ktl/kernel/sim.h"

namespace {

std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::atomic<std::uint64_t> g_sim_seq{0};
std::atomic<unsigned> g_sim_boot{0};

std::uint64_t next_u64() noexcept {
  if (ktl::sim::active()) {
    // A new boot starts the sequence over, so a seed replayed in another process (or after
    // other tests) draws the same numbers.
    unsigned boot = __atomic_load_n(&ktl::boot_generation, __ATOMIC_RELAXED);
    if (g_sim_boot.load(std::memory_order_relaxed) != boot) {
      g_sim_boot.store(boot, std::memory_order_relaxed);
      g_sim_seq.store(0, std::memory_order_relaxed);
    }
    std::uint64_t n = g_sim_seq.fetch_add(1, std::memory_order_relaxed);
    return splitmix64(splitmix64(ktl::sim::seed()) ^ splitmix64(n + 0x1234567ull));
  }
  std::uint64_t v;
  if (getrandom(&v, sizeof v, 0) == static_cast<ssize_t>(sizeof v)) return v;
  // No entropy syscall: a process-wide counter through splitmix64 (still unpredictable enough
  // for what kernel-style code uses it for: jitter, test data).
  static std::atomic<std::uint64_t> fallback{0x853c49e6748fea9bull};
  return splitmix64(fallback.fetch_add(0x9e3779b97f4a7c15ull, std::memory_order_relaxed));
}

}  // namespace

extern "C" {

void ktl_get_random_bytes(void* buf, std::size_t len) {
  auto* p = static_cast<unsigned char*>(buf);
  while (len) {
    std::uint64_t v = next_u64();
    std::size_t n = len < sizeof v ? len : sizeof v;
    std::memcpy(p, &v, n);
    p += n;
    len -= n;
  }
}

std::uint8_t ktl_get_random_u8(void) { return static_cast<std::uint8_t>(next_u64()); }
std::uint16_t ktl_get_random_u16(void) { return static_cast<std::uint16_t>(next_u64()); }
std::uint32_t ktl_get_random_u32(void) { return static_cast<std::uint32_t>(next_u64()); }
std::uint64_t ktl_get_random_u64(void) { return next_u64(); }

// Lemire's multiply-and-reject: uniform without a division in the common case.
std::uint32_t ktl_get_random_u32_below(std::uint32_t ceil) {
  if (ceil <= 1) return 0;
  std::uint64_t mult = static_cast<std::uint64_t>(ceil) * ktl_get_random_u32();
  if (static_cast<std::uint32_t>(mult) < ceil) {
    std::uint32_t bound = -ceil % ceil;
    while (static_cast<std::uint32_t>(mult) < bound)
      mult = static_cast<std::uint64_t>(ceil) * ktl_get_random_u32();
  }
  return static_cast<std::uint32_t>(mult >> 32);
}

// <linux/prandom.h> struct rnd_state { u32 s1, s2, s3, s4; }: the taus113 generator.
struct rnd_state {
  std::uint32_t s1, s2, s3, s4;
};
static_assert(sizeof(rnd_state) == 16);

std::uint32_t ktl_prandom_u32_state(rnd_state* st) {
  auto taus = [](std::uint32_t s, unsigned a, unsigned b, std::uint32_t c, unsigned d) {
    return ((s & c) << d) ^ (((s << a) ^ s) >> b);
  };
  st->s1 = taus(st->s1, 6, 13, 4294967294u, 18);
  st->s2 = taus(st->s2, 2, 27, 4294967288u, 2);
  st->s3 = taus(st->s3, 13, 21, 4294967280u, 7);
  st->s4 = taus(st->s4, 3, 12, 4294967168u, 13);
  return st->s1 ^ st->s2 ^ st->s3 ^ st->s4;
}

void ktl_prandom_bytes_state(rnd_state* st, void* buf, std::size_t nbytes) {
  auto* p = static_cast<unsigned char*>(buf);
  while (nbytes >= 4) {
    std::uint32_t v = ktl_prandom_u32_state(st);
    for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));  // little endian
    p += 4;
    nbytes -= 4;
  }
  if (nbytes) {
    std::uint32_t rem = ktl_prandom_u32_state(st);
    do {
      *p++ = static_cast<unsigned char>(rem);
      rem >>= 8;
    } while (--nbytes);
  }
}

}  // extern "C"
