// Linux error conventions: negative errno values, and pointers that carry an errno (ERR_PTR).
//
// A pointer in the top 4095 bytes of the address space is never a valid object, so the kernel uses
// those values to return "-ENOMEM" and friends through a pointer-typed result. ktl keeps the same
// convention at the kernel-named API (kthread_create returns ERR_PTR(-EINTR), etc.).
#pragma once

#include <cerrno>

#include "ktl/base/compiler.h"

namespace ktl {

// Kernel-internal errno values that user space never sees (include/linux/errno.h).
inline constexpr int ERESTARTSYS = 512;
inline constexpr int ERESTARTNOINTR = 513;
inline constexpr int ERESTARTNOHAND = 514;
inline constexpr int ENOIOCTLCMD = 515;
inline constexpr int ERESTART_RESTARTBLOCK = 516;

inline constexpr unsigned long MAX_ERRNO = 4095;

template <typename T = void>
KTL_ALWAYS_INLINE T* ERR_PTR(long error) noexcept {
  return reinterpret_cast<T*>(static_cast<intptr_t>(error));
}
KTL_ALWAYS_INLINE long PTR_ERR(const volatile void* ptr) noexcept {
  return static_cast<long>(reinterpret_cast<intptr_t>(ptr));
}
KTL_ALWAYS_INLINE bool IS_ERR_VALUE(unsigned long x) noexcept { return x >= (unsigned long)-MAX_ERRNO; }
KTL_ALWAYS_INLINE bool IS_ERR(const volatile void* ptr) noexcept {
  return KTL_UNLIKELY(IS_ERR_VALUE(reinterpret_cast<unsigned long>(ptr)));
}
KTL_ALWAYS_INLINE bool IS_ERR_OR_NULL(const volatile void* ptr) noexcept {
  return !ptr || IS_ERR(ptr);
}
template <typename T = void>
KTL_ALWAYS_INLINE T* ERR_CAST(const volatile void* ptr) noexcept {
  return reinterpret_cast<T*>(const_cast<void*>(ptr));
}
KTL_ALWAYS_INLINE int PTR_ERR_OR_ZERO(const volatile void* ptr) noexcept {
  return IS_ERR(ptr) ? static_cast<int>(PTR_ERR(ptr)) : 0;
}

// "EINTR" for -EINTR and so on: the names printk's %pe prints.
const char* errname(int err) noexcept;

}  // namespace ktl
