// <asm/uaccess.h>, <linux/uaccess.h>, <linux/uio.h>: user memory is any address of a task that
// has an mm; a kernel thread (mm == NULL), interrupt context and the first page fault.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "../include/asm/ktl-fs.h"
#include "ktl/sched/preempt.h"
#include "ktl/sched/task.h"

namespace {

constexpr std::uintptr_t kMmapMinAddr = 4096;
constexpr std::uintptr_t kTaskSizeMax = (std::uintptr_t{1} << 47) - 4096;

// might_fault(): the copy may sleep on Linux.
void might_fault() { ktl::__might_sleep("compat/src/uaccess.cc", __LINE__); }

// Whether [p, p + n) is user memory of the current context.
bool user_range(const void* p, std::size_t n) {
  if (ktl::in_interrupt()) return false;
  ktl::task_struct* cur = ktl::get_current();
  if (!cur->mm) return false;
  auto a = reinterpret_cast<std::uintptr_t>(p);
  if (a < kMmapMinAddr) return false;
  if (n > kTaskSizeMax - kMmapMinAddr) return false;
  return a + n >= a;
}

}  // namespace

extern "C" {

unsigned long ktl_copy_to_user(void* to, const void* from, unsigned long n) {
  might_fault();
  if (!n) return 0;
  if (!user_range(to, n)) return n;
  std::memmove(to, from, n);
  return 0;
}

unsigned long ktl_copy_from_user(void* to, const void* from, unsigned long n) {
  might_fault();
  if (!n) return 0;
  if (!user_range(from, n)) {
    std::memset(to, 0, n);  // as _copy_from_user: what could not be copied is zeroed
    return n;
  }
  std::memmove(to, from, n);
  return 0;
}

int ktl_get_user_n(void* dst, const void* src, unsigned long size) {
  might_fault();
  if (!user_range(src, size)) return -EFAULT;
  std::memcpy(dst, src, size);
  return 0;
}

int ktl_put_user_n(void* dst, const void* src, unsigned long size) {
  might_fault();
  if (!user_range(dst, size)) return -EFAULT;
  std::memcpy(dst, src, size);
  return 0;
}

unsigned long ktl_clear_user(void* to, unsigned long n) {
  might_fault();
  if (!n) return 0;
  if (!user_range(to, n)) return n;
  std::memset(to, 0, n);
  return 0;
}

long ktl_strncpy_from_user(char* dst, const char* src, long count) {
  might_fault();
  if (count <= 0) return 0;
  if (!user_range(src, 1)) return -EFAULT;
  long i = 0;
  for (; i < count; ++i) {
    dst[i] = src[i];
    if (!src[i]) return i;
  }
  return count;
}

long ktl_strnlen_user(const char* str, long n) {
  might_fault();
  if (n <= 0 || !user_range(str, 1)) return 0;
  for (long i = 0; i < n; ++i)
    if (!str[i]) return i + 1;
  return n + 1;
}

// --- <linux/uio.h> ------------------------------------------------------------------------------
std::size_t ktl_copy_to_iter(const void* addr, std::size_t bytes, ::iov_iter* i) {
  std::size_t n = std::min(bytes, i->count);
  if (!n) return 0;
  char* to = static_cast<char*>(i->ubuf) + i->iov_offset;
  if (ktl_copy_to_user(to, addr, n)) return 0;
  i->iov_offset += n;
  i->count -= n;
  return n;
}

std::size_t ktl_copy_from_iter(void* addr, std::size_t bytes, ::iov_iter* i) {
  std::size_t n = std::min(bytes, i->count);
  if (!n) return 0;
  const char* from = static_cast<const char*>(i->ubuf) + i->iov_offset;
  if (ktl_copy_from_user(addr, from, n)) return 0;
  i->iov_offset += n;
  i->count -= n;
  return n;
}

void ktl_iov_iter_advance(::iov_iter* i, std::size_t bytes) {
  std::size_t n = std::min(bytes, i->count);
  i->iov_offset += n;
  i->count -= n;
}

}  // extern "C"
