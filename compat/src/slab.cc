// kmalloc, vmalloc, page allocations and kmem_cache (<linux/slab.h>, <linux/vmalloc.h>,
// <linux/gfp.h>) on the host heap.
//
// Every block carries a header just below the pointer handed out: the raw allocation, the size
// asked for, the owning module (THIS_MODULE of the caller, nullptr for non-module code), the
// cache it came from, and a magic word. The owner is charged on allocation and credited on free
// (ktl::compat::module_charge), whoever frees it, so rmmod can report what a module leaked.
// Blocks are 16-byte aligned, or as a cache/page allocation asks.
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "module_internal.h"
#include "ktl/base/bug.h"
#include "ktl/kernel/printk.h"
#include "ktl/sched/preempt.h"

namespace {

// <linux/gfp_types.h>
constexpr unsigned kGfpZero = 0x100u;
constexpr unsigned kGfpDirectReclaim = 0x400u;
constexpr unsigned kSlabHwcacheAlign = 0x00002000u;  // <linux/slab.h>
constexpr unsigned kSlabPanic = 0x00040000u;
constexpr std::size_t kPageSize = 4096;              // <asm/page.h>
constexpr std::size_t kMinAlign = 16;                // ARCH_KMALLOC_MINALIGN
void* const kZeroSizePtr = reinterpret_cast<void*>(16);  // ZERO_SIZE_PTR
constexpr std::size_t kMaxSize = std::size_t{1} << 40;  // larger requests fail (NULL) at once

constexpr std::uint32_t kMagicLive = 0x6b6d616c;  // "kmal"
constexpr std::uint32_t kMagicFree = 0x6b667265;  // "kfre"

enum class kind : std::uint32_t { kmalloc = 1, vmalloc = 2, cache = 3, pages = 4 };

struct kmem_cache_rec;

struct alignas(16) block_header {
  void* raw;                   // what malloc returned
  std::size_t size;            // what the caller asked for (ksize)
  const ::module* owner;       // charged for the block
  kmem_cache_rec* cache;       // kmem_cache_alloc's cache, else nullptr
  std::uint32_t magic;
  kind k;
  std::uint64_t pad;
};
static_assert(sizeof(block_header) == 48 && sizeof(block_header) % kMinAlign == 0);

struct kmem_cache_rec {
  std::string name;
  unsigned size;
  unsigned align;
  unsigned flags;
  void (*ctor)(void*);
  // 1 for the cache itself (dropped by kmem_cache_destroy) + 1 per live object: the record
  // outlives a destroy that left objects behind, until the last of them is freed.
  std::atomic<long> refs{1};
};

void put_cache(kmem_cache_rec* c) noexcept {
  if (c->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete c;
}

block_header* header_of(const void* p) {
  return reinterpret_cast<block_header*>(const_cast<char*>(static_cast<const char*>(p)) -
                                         sizeof(block_header));
}

void* allocate(std::size_t size, std::size_t align, unsigned gfp, const ::module* owner, kind k,
               kmem_cache_rec* cache, const char* file, int line) noexcept {
  if (gfp & kGfpDirectReclaim) ktl::__might_sleep(file, line);
  if (size > kMaxSize) return nullptr;
  if (align < kMinAlign) align = kMinAlign;
  std::size_t total = sizeof(block_header) + size + (align - kMinAlign);
  void* raw = std::malloc(total);
  if (!raw) return nullptr;
  auto base = reinterpret_cast<std::uintptr_t>(raw) + sizeof(block_header);
  base = (base + align - 1) & ~(static_cast<std::uintptr_t>(align) - 1);
  void* user = reinterpret_cast<void*>(base);
  block_header* h = header_of(user);
  h->raw = raw;
  h->size = size;
  h->owner = owner;
  h->cache = cache;
  h->magic = kMagicLive;
  h->k = k;
  h->pad = 0;
  if (gfp & kGfpZero) std::memset(user, 0, size);
  ktl::compat::module_charge(owner, static_cast<long>(size), 1);
  return user;
}

// Frees a block from any allocator here; `expect` is the cache kmem_cache_free names (nullptr
// from kfree, which takes blocks of every kind, as Linux's kfree takes slab objects).
void release(const void* p, kmem_cache_rec* expect, bool from_cache_free, const char* who) noexcept {
  if (p == nullptr || p == kZeroSizePtr) return;
  block_header* h = header_of(p);
  if (h->magic != kMagicLive) {
    WARN(1, "%s: %p was not allocated here or was freed already\n", who, p);
    return;
  }
  if (from_cache_free && h->cache != expect) {
    WARN(1, "%s: object %p is not from cache %s\n", who, p,
         expect ? expect->name.c_str() : "(null)");
    return;
  }
  h->magic = kMagicFree;
  ktl::compat::module_charge(h->owner, -static_cast<long>(h->size), -1);
  kmem_cache_rec* c = h->cache;
  std::free(h->raw);
  if (c) put_cache(c);
}

}  // namespace

namespace ktl::compat {
void* kmalloc_owned(std::size_t size, unsigned gfp, const ::module* owner) noexcept {
  if (size == 0) return kZeroSizePtr;
  return allocate(size, kMinAlign, gfp, owner, kind::kmalloc, nullptr, __FILE__, __LINE__);
}
}  // namespace ktl::compat

extern "C" {

void* ktl_kmalloc_owned(std::size_t size, unsigned gfp, const ::module* owner) {
  return ktl::compat::kmalloc_owned(size, gfp, owner);
}

void* ktl_krealloc_owned(const void* p, std::size_t new_size, unsigned gfp, const ::module* owner) {
  if (new_size == 0) {
    release(p, nullptr, false, "krealloc");
    return kZeroSizePtr;
  }
  if (p == nullptr || p == kZeroSizePtr) return ktl::compat::kmalloc_owned(new_size, gfp, owner);
  block_header* h = header_of(p);
  if (h->magic != kMagicLive) {
    WARN(1, "krealloc: %p was not allocated here or was freed already\n", p);
    return nullptr;
  }
  std::size_t old = h->size;
  void* n = ktl::compat::kmalloc_owned(new_size, gfp & ~kGfpZero, owner ? owner : h->owner);
  if (!n) return nullptr;  // the old block is left as it was
  std::memcpy(n, p, old < new_size ? old : new_size);
  if ((gfp & kGfpZero) && new_size > old)
    std::memset(static_cast<char*>(n) + old, 0, new_size - old);
  release(p, nullptr, false, "krealloc");
  return n;
}

void* ktl_kvmalloc_owned(std::size_t size, unsigned gfp, const ::module* owner) {
  if (size == 0) return kZeroSizePtr;
  return allocate(size, kMinAlign, gfp, owner, kind::vmalloc, nullptr, __FILE__, __LINE__);
}

void* ktl_vmalloc_owned(unsigned long size, unsigned gfp, const ::module* owner) {
  if (size == 0) return nullptr;  // vmalloc(0) fails on Linux
  return allocate(size, kMinAlign, gfp, owner, kind::vmalloc, nullptr, __FILE__, __LINE__);
}

void ktl_kfree(const void* p) { release(p, nullptr, false, "kfree"); }
void ktl_kvfree(const void* p) { release(p, nullptr, false, "kvfree"); }
void ktl_vfree(const void* p) { release(p, nullptr, false, "vfree"); }
void ktl_kfree_const(const void* p) { release(p, nullptr, false, "kfree_const"); }

void ktl_kfree_sensitive(const void* p) {
  if (p == nullptr || p == kZeroSizePtr) return;
  block_header* h = header_of(p);
  if (h->magic == kMagicLive) {
    std::memset(const_cast<void*>(p), 0, h->size);
    asm volatile("" : : "r"(p) : "memory");
  }
  release(p, nullptr, false, "kfree_sensitive");
}

void ktl_kvfree_sensitive(const void* p, std::size_t len) {
  if (p && p != kZeroSizePtr) {
    std::memset(const_cast<void*>(p), 0, len);
    asm volatile("" : : "r"(p) : "memory");
  }
  release(p, nullptr, false, "kvfree_sensitive");
}

std::size_t ktl_ksize(const void* p) {
  if (p == nullptr || p == kZeroSizePtr) return 0;
  return header_of(p)->size;
}

std::size_t ktl_kmalloc_size_roundup(std::size_t size) { return size; }

unsigned long ktl_get_free_pages_owned(unsigned gfp, unsigned order, const ::module* owner) {
  if (order > 20) return 0;
  void* p = allocate(kPageSize << order, kPageSize, gfp, owner, kind::pages, nullptr, __FILE__,
                     __LINE__);
  return reinterpret_cast<unsigned long>(p);
}

void ktl_free_pages(unsigned long addr, unsigned) {
  if (addr) release(reinterpret_cast<void*>(addr), nullptr, false, "free_pages");
}

kmem_cache_rec* ktl_kmem_cache_create(const char* name, unsigned size, unsigned align, unsigned flags,
                                      void (*ctor)(void*)) {
  ktl::__might_sleep(__FILE__, __LINE__);
  auto* c = new (std::nothrow) kmem_cache_rec;
  if (!c) {
    if (flags & kSlabPanic) ktl::panic("kmem_cache_create: Failed to create slab '%s'", name);
    return nullptr;
  }
  c->name = name ? name : "(null)";
  c->size = size;
  if (align == 0 || (align & (align - 1))) align = kMinAlign;
  if ((flags & kSlabHwcacheAlign) && align < 64) align = 64;
  c->align = align;
  c->flags = flags;
  c->ctor = ctor;
  return c;
}

kmem_cache_rec* ktl_kmem_cache_create_usercopy(const char* name, unsigned size, unsigned align,
                                               unsigned flags, unsigned, unsigned,
                                               void (*ctor)(void*)) {
  return ktl_kmem_cache_create(name, size, align, flags, ctor);
}

void* ktl_kmem_cache_alloc_owned(kmem_cache_rec* c, unsigned gfp, const ::module* owner) {
  c->refs.fetch_add(1, std::memory_order_relaxed);
  void* p = allocate(c->size ? c->size : 1, c->align, gfp, owner, kind::cache, c, __FILE__, __LINE__);
  if (!p) {
    put_cache(c);
    return nullptr;
  }
  if (c->ctor && !(gfp & kGfpZero)) c->ctor(p);
  return p;
}

void ktl_kmem_cache_free(kmem_cache_rec* c, void* p) { release(p, c, true, "kmem_cache_free"); }

unsigned ktl_kmem_cache_size(kmem_cache_rec* c) { return c->size; }
int ktl_kmem_cache_shrink(kmem_cache_rec*) { return 0; }

void ktl_kmem_cache_destroy(kmem_cache_rec* c) {
  if (!c) return;
  ktl::__might_sleep(__FILE__, __LINE__);
  if (c->refs.load(std::memory_order_acquire) > 1) {
    WARN(1, "kmem_cache_destroy %s: Slab cache still has objects when called from %pS\n",
         c->name.c_str(), __builtin_return_address(0));
  }
  put_cache(c);
}

}  // extern "C"
