// cpumask: a fixed-size bitmap of vCPUs (NR_CPUS = 256).
#pragma once

#include <bit>
#include <string>

#include "ktl/base/compiler.h"

namespace ktl {

inline constexpr int NR_CPUS = 256;

struct cpumask {
  u64 bits[NR_CPUS / 64] = {};

  constexpr void set(int cpu) noexcept { bits[cpu >> 6] |= u64{1} << (cpu & 63); }
  constexpr void clear(int cpu) noexcept { bits[cpu >> 6] &= ~(u64{1} << (cpu & 63)); }
  constexpr bool test(int cpu) const noexcept {
    return cpu >= 0 && cpu < NR_CPUS && (bits[cpu >> 6] >> (cpu & 63)) & 1;
  }
  constexpr void clear_all() noexcept {
    for (auto& b : bits) b = 0;
  }
  constexpr int weight() const noexcept {
    int w = 0;
    for (auto b : bits) w += std::popcount(b);
    return w;
  }
  constexpr bool empty() const noexcept {
    for (auto b : bits)
      if (b) return false;
    return true;
  }
  // First set bit at or after `start`, or NR_CPUS.
  constexpr int next(int start) const noexcept {
    for (int cpu = start; cpu < NR_CPUS;) {
      u64 w = bits[cpu >> 6] >> (cpu & 63);
      if (w) return cpu + std::countr_zero(w);
      cpu = (cpu | 63) + 1;
    }
    return NR_CPUS;
  }
  constexpr int first() const noexcept { return next(0); }
  constexpr bool intersects(const cpumask& o) const noexcept {
    for (int i = 0; i < NR_CPUS / 64; ++i)
      if (bits[i] & o.bits[i]) return true;
    return false;
  }
  constexpr cpumask operator&(const cpumask& o) const noexcept {
    cpumask r;
    for (int i = 0; i < NR_CPUS / 64; ++i) r.bits[i] = bits[i] & o.bits[i];
    return r;
  }
  constexpr bool operator==(const cpumask& o) const noexcept = default;

  static constexpr cpumask of(int cpu) noexcept {
    cpumask m;
    m.set(cpu);
    return m;
  }
  static constexpr cpumask first_n(int n) noexcept {
    cpumask m;
    for (int i = 0; i < n; ++i) m.set(i);
    return m;
  }
};

#define for_each_cpu(cpu, mask) \
  for ((cpu) = (mask).first(); (cpu) < ::ktl::NR_CPUS; (cpu) = (mask).next((cpu) + 1))

// "/proc/PID/status" renderings: Cpus_allowed ("3", "ff,ffffffff" groups of 32 bits) and
// Cpus_allowed_list ("0-1,4"). `nbits` is nr_cpu_ids.
std::string cpumask_to_hex(const cpumask& m, int nbits);
std::string cpumask_to_list(const cpumask& m, int nbits);
// Parses "0-3,5"; returns false on malformed input or CPUs >= nbits.
bool cpulist_parse(const char* s, cpumask* out, int nbits);

}  // namespace ktl
