// Per-CPU variables and areas (<linux/percpu-defs.h>, <linux/percpu.h>).
//
// Static per-CPU variables need no code: DEFINE_PER_CPU lays out NR_CPUS cache-line slots exactly
// as ktl::percpu_var does, which the asserts below pin. alloc_percpu() areas use the same layout:
// one copy per possible vCPU, copy n at n * stride from copy 0, stride = size rounded up to a
// multiple of max(64, align). The block carries a header just below copy 0 (inside the leading
// alignment unit) with the owner, so the module is charged on allocation and credited on free.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "module_internal.h"
#include "ktl/base/bug.h"
#include "ktl/base/cpumask.h"
#include "ktl/sched/percpu.h"
#include "ktl/sched/preempt.h"
#include "ktl/sched/sched.h"

// The layout <linux/percpu-defs.h> computes: 64-byte slots (or the type's alignment if larger),
// the stride the size rounded up to the slot alignment, NR_CPUS = 256 copies.
static_assert(ktl::NR_CPUS == 256);
static_assert(sizeof(ktl::percpu_var<ktl::task_struct*>) == 256 * 64 &&
              alignof(ktl::percpu_var<ktl::task_struct*>) == 64);
static_assert(offsetof(ktl::percpu_var<ktl::task_struct*>, slots[1]) == 64 &&
              offsetof(ktl::percpu_var<ktl::task_struct*>, slots[3].value) == 192);
static_assert(offsetof(ktl::percpu_var<long>, slots[5]) == 5 * 64);
struct ktl_percpu_probe_100 {
  char b[100];
};
static_assert(offsetof(ktl::percpu_var<ktl_percpu_probe_100>, slots[1]) == 128);
struct alignas(128) ktl_percpu_probe_a128 {
  int x;
};
static_assert(offsetof(ktl::percpu_var<ktl_percpu_probe_a128>, slots[1]) == 128);

namespace {

constexpr std::size_t kSlotAlign = 64;         // ktl::kCacheLine
constexpr std::size_t kPageSize = 4096;        // <asm/page.h>
constexpr std::size_t kMaxSize = 32 << 10;     // PCPU_MIN_UNIT_SIZE
constexpr unsigned kGfpDirectReclaim = 0x400u; // <linux/gfp_types.h>
constexpr std::uint32_t kMagicLive = 0x70637075;  // "pcpu"
constexpr std::uint32_t kMagicFree = 0x70667265;  // "pfre"

struct area_header {
  void* raw;              // what aligned_alloc returned
  const ::module* owner;  // charged for the area
  std::size_t bytes;      // all copies together
  std::uint32_t magic;
  std::uint32_t pad;
};
static_assert(sizeof(area_header) == 32 && sizeof(area_header) <= kSlotAlign);

area_header* header_of(const void* p) {
  return reinterpret_cast<area_header*>(const_cast<char*>(static_cast<const char*>(p)) -
                                        sizeof(area_header));
}

// Copies for vCPUs 0 .. nr_cpu_ids-1 (every possible vCPU); NR_CPUS when no kernel runs.
std::size_t nr_copies() noexcept {
  int n = ktl::nr_cpu_ids();
  return n > 0 && n <= ktl::NR_CPUS ? static_cast<std::size_t>(n) : ktl::NR_CPUS;
}

}  // namespace

extern "C" {

void* ktl_alloc_percpu_owned(std::size_t size, std::size_t align, unsigned gfp,
                             const ::module* owner) {
  if (gfp & kGfpDirectReclaim) ktl::__might_sleep(__FILE__, __LINE__);
  if (size == 0 || size > kMaxSize || align > kPageSize || (align & (align - 1)) != 0) {
    WARN(1, "illegal size (%zu) or align (%zu) for percpu allocation\n", size, align);
    return nullptr;
  }
  std::size_t unit = align > kSlotAlign ? align : kSlotAlign;
  std::size_t stride = (size + unit - 1) / unit * unit;
  std::size_t bytes = stride * nr_copies();
  void* raw = std::aligned_alloc(unit, unit + bytes);
  if (!raw) return nullptr;
  char* copy0 = static_cast<char*>(raw) + unit;
  std::memset(copy0, 0, bytes);
  area_header* h = header_of(copy0);
  h->raw = raw;
  h->owner = owner;
  h->bytes = bytes;
  h->magic = kMagicLive;
  h->pad = 0;
  ktl::compat::module_charge(owner, static_cast<long>(bytes), 1);
  return copy0;
}

void ktl_free_percpu(void* pdata) {
  if (pdata == nullptr) return;
  area_header* h = header_of(pdata);
  if (h->magic != kMagicLive) {
    WARN(1, "free_percpu: %p was not allocated by alloc_percpu or was freed already\n", pdata);
    return;
  }
  h->magic = kMagicFree;
  ktl::compat::module_charge(h->owner, -static_cast<long>(h->bytes), -1);
  std::free(h->raw);
}

}  // extern "C"
