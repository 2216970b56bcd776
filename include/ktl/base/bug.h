// WARN/BUG reporting in the kernel's words.
//
// WARN_ON(cond) prints the kernel's "------------[ cut here ]------------ / WARNING: CPU: n PID: p at
// file:line func" report naming the current task, taints the kernel with W, and returns cond so the
// caller can bail out:  if (WARN_ON(bad)) return -EINVAL;
// BUG()/BUG_ON() print "kernel BUG at file:line!" and an Oops, then panic: the run is over.
#pragma once

#include <atomic>

#include "ktl/base/compiler.h"

namespace ktl {

KTL_COLD void warn_slowpath(const char* file, int line, const char* func, const char* fmt, ...)
    KTL_PRINTF(4, 5);
[[noreturn]] KTL_COLD void bug_slowpath(const char* file, int line, const char* func);
[[noreturn]] KTL_COLD void panic(const char* fmt, ...) KTL_PRINTF(1, 2);

// Taint flags (kernel/panic.c order); only the ones ktl can raise are listed.
enum taint_flag : unsigned {
  TAINT_PROPRIETARY_MODULE = 0,
  TAINT_DIE = 7,
  TAINT_WARN = 9,
  TAINT_OOT_MODULE = 12,
  TAINT_SOFTLOCKUP = 14,
};
void add_taint(taint_flag flag) noexcept;
// Incremented by every boot: the *_ONCE reports warn once per boot, as on Linux (a process may
// boot several kernels one after another).
extern unsigned boot_generation;
unsigned long get_taint() noexcept;
// The module loader (ktl::compat) installs this: it writes " name(O) name2(O)" (each loaded module,
// newest first, with its taint letters) for the "Modules linked in:" line of WARN and Oops reports.
using modules_linked_in_fn = void (*)(char* buf, unsigned long size);
extern std::atomic<modules_linked_in_fn> modules_linked_in_hook;
// "Not tainted" or "Tainted: G        W" as the Oops header prints it.
const char* print_tainted() noexcept;

}  // namespace ktl

#define WARN(cond, ...)                                                   \
  ({                                                                      \
    bool __ret_warn_on = !!(cond);                                        \
    if (KTL_UNLIKELY(__ret_warn_on))                                      \
      ::ktl::warn_slowpath(__FILE__, __LINE__, __func__, __VA_ARGS__);    \
    KTL_UNLIKELY(__ret_warn_on);                                          \
  })
#define WARN_ON(cond)                                                     \
  ({                                                                      \
    bool __ret_warn_on = !!(cond);                                        \
    if (KTL_UNLIKELY(__ret_warn_on))                                      \
      ::ktl::warn_slowpath(__FILE__, __LINE__, __func__, nullptr);        \
    KTL_UNLIKELY(__ret_warn_on);                                          \
  })
#define __KTL_ONCE_THIS_BOOT(warned_gen)                                  \
  (__atomic_exchange_n(&(warned_gen), ::ktl::boot_generation, __ATOMIC_RELAXED) != \
   ::ktl::boot_generation)
#define WARN_ONCE(cond, ...)                                              \
  ({                                                                      \
    static unsigned __warned_gen;                                         \
    bool __ret_do_once = !!(cond);                                        \
    if (KTL_UNLIKELY(__ret_do_once && __KTL_ONCE_THIS_BOOT(__warned_gen))) \
      ::ktl::warn_slowpath(__FILE__, __LINE__, __func__, __VA_ARGS__);    \
    KTL_UNLIKELY(__ret_do_once);                                          \
  })
#define WARN_ON_ONCE(cond)                                                \
  ({                                                                      \
    static unsigned __warned_gen;                                         \
    bool __ret_do_once = !!(cond);                                        \
    if (KTL_UNLIKELY(__ret_do_once && __KTL_ONCE_THIS_BOOT(__warned_gen))) \
      ::ktl::warn_slowpath(__FILE__, __LINE__, __func__, nullptr);        \
    KTL_UNLIKELY(__ret_do_once);                                          \
  })
#define BUG() ::ktl::bug_slowpath(__FILE__, __LINE__, __func__)
#define BUG_ON(cond)                       \
  do {                                     \
    if (KTL_UNLIKELY(cond)) BUG();         \
  } while (0)
