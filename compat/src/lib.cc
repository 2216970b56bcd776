// The C library of the compat layer: WARN/BUG/panic, might_sleep, cpu_relax, the printf family
// (<linux/sprintf.h>), kstrto* (<linux/kstrtox.h>), the kernel's string helpers (<linux/string.h>),
// bit searches and bitmaps (<linux/bitops.h>, <linux/bitmap.h>), refcount_t's saturation report.
//
// Everything here is extern "C" under the names the headers bind with __ktl_abi ("ktl_<name>").
#include <sys/types.h>

#include <atomic>
#include <csignal>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "kernel/kernel_internal.h"
#include "module_internal.h"
#include "ktl/base/bug.h"
#include "ktl/base/compiler.h"
#include "ktl/base/err.h"
#include "ktl/kernel/fork.h"
#include "ktl/kernel/printk.h"
#include "ktl/sched/preempt.h"
#include "ktl/sched/sched.h"
#include "ktl/sched/task.h"

namespace ktl::compat {
// slab.cc: the block behind kasprintf/kstrdup/kmemdup, charged to `owner`.
void* kmalloc_owned(std::size_t size, unsigned gfp, const ::module* owner) noexcept;
}  // namespace ktl::compat

using ktl::printk;

namespace {

constexpr unsigned kGfpZero = 0x100u;  // __GFP_ZERO, <linux/gfp_types.h>

// "tests/compat/c/lib.c" for ".../tests/compat/c/lib.c", as the kernel prints source paths
// relative to its tree (ktl's own reports do the same).
const char* short_file(const char* file) {
  for (const char* root : {"/examples/", "/tests/", "/compat/", "/src/"}) {
    if (const char* p = std::strstr(file, root)) return p + 1;
  }
  return file;
}

// Oopses of this boot (the "[#N]" of the report).
std::atomic<unsigned> g_oops_count{0};
std::atomic<unsigned> g_oops_boot{0};

unsigned next_oops_number() {
  unsigned boot = __atomic_load_n(&ktl::boot_generation, __ATOMIC_RELAXED);
  unsigned seen = g_oops_boot.load(std::memory_order_relaxed);
  if (seen != boot && g_oops_boot.compare_exchange_strong(seen, boot)) g_oops_count.store(0);
  return g_oops_count.fetch_add(1) + 1;
}

// The formatted text of a kernel-style format (the kernel's %p extensions included).
std::string format(const char* fmt, va_list ap) {
  if (!ktl::internal::format_has_kernel_ext(fmt)) {
    va_list aq;
    va_copy(aq, ap);
    char small[256];
    int n = std::vsnprintf(small, sizeof small, fmt, aq);
    va_end(aq);
    if (n < 0) return std::string();
    if (static_cast<std::size_t>(n) < sizeof small) return std::string(small, static_cast<std::size_t>(n));
    std::string out(static_cast<std::size_t>(n) + 1, '\0');
    va_copy(aq, ap);
    std::vsnprintf(out.data(), out.size(), fmt, aq);
    va_end(aq);
    out.resize(static_cast<std::size_t>(n));
    return out;
  }
  return ktl::internal::kvformat(fmt, ap);
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(c | 0x20);
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  return 99;
}

// The radix of s (base 0: "0x" -> 16, "0" -> 8, else 10), skipping a "0x" prefix for base 16.
const char* parse_radix(const char* s, unsigned* base) {
  if (*base == 0) {
    if (s[0] == '0') {
      if ((s[1] | 0x20) == 'x' && std::isxdigit(static_cast<unsigned char>(s[2])))
        *base = 16;
      else
        *base = 8;
    } else {
      *base = 10;
    }
  }
  if (*base == 16 && s[0] == '0' && (s[1] | 0x20) == 'x') s += 2;
  return s;
}

// lib/kstrtox.c: digits, then one optional '\n', then the end. -EINVAL / -ERANGE.
int strict_parse_ull(const char* s, unsigned base, unsigned long long* res) {
  if (base == 1 || base > 36) return -EINVAL;
  s = parse_radix(s, &base);
  unsigned long long v = 0;
  bool overflow = false;
  const char* start = s;
  for (;; ++s) {
    int d = digit_value(*s);
    if (d >= static_cast<int>(base)) break;
    unsigned long long next;
    if (__builtin_mul_overflow(v, base, &next) || __builtin_add_overflow(next, static_cast<unsigned>(d), &next))
      overflow = true;
    v = next;
  }
  if (s == start) return -EINVAL;
  if (*s == '\n') ++s;
  if (*s) return -EINVAL;
  if (overflow) return -ERANGE;
  *res = v;
  return 0;
}

int kstrtoull_plus(const char* s, unsigned base, unsigned long long* res) {
  if (s[0] == '+') ++s;
  return strict_parse_ull(s, base, res);
}

int kstrtoll_impl(const char* s, unsigned base, long long* res) {
  unsigned long long tmp;
  if (s[0] == '-') {
    int rv = strict_parse_ull(s + 1, base, &tmp);
    if (rv < 0) return rv;
    if (tmp > static_cast<unsigned long long>(LLONG_MAX) + 1) return -ERANGE;
    *res = tmp ? static_cast<long long>(0 - tmp) : 0;
    return 0;
  }
  int rv = kstrtoull_plus(s, base, &tmp);
  if (rv < 0) return rv;
  if (tmp > static_cast<unsigned long long>(LLONG_MAX)) return -ERANGE;
  *res = static_cast<long long>(tmp);
  return 0;
}

template <typename T>
int kstrto_unsigned(const char* s, unsigned base, T* res) {
  unsigned long long tmp;
  int rv = kstrtoull_plus(s, base, &tmp);
  if (rv < 0) return rv;
  if (tmp != static_cast<T>(tmp)) return -ERANGE;
  *res = static_cast<T>(tmp);
  return 0;
}

template <typename T>
int kstrto_signed(const char* s, unsigned base, T* res) {
  long long tmp;
  int rv = kstrtoll_impl(s, base, &tmp);
  if (rv < 0) return rv;
  if (tmp != static_cast<T>(tmp)) return -ERANGE;
  *res = static_cast<T>(tmp);
  return 0;
}

}  // namespace

extern "C" {

// ---- WARN, BUG, panic, taint, might_sleep ------------------------------------------------------

void ktl_warn_slowpath(const char* file, int line, const char* func, const char* fmt, ...) {
  file = short_file(file);
  if (!fmt) {
    ktl::warn_slowpath(file, line, func, nullptr);
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  std::string msg = format(fmt, ap);
  va_end(ap);
  ktl::warn_slowpath(file, line, func, "%s", msg.c_str());
}

bool ktl_warn_once_this_boot(unsigned* once) {
  return __atomic_exchange_n(once, ktl::boot_generation, __ATOMIC_RELAXED) != ktl::boot_generation;
}

// BUG(): the kernel's report, then what Linux does without panic_on_oops: the task that hit it
// dies (make_task_dead) and the rest of the kernel goes on. In interrupt context, on a host
// thread's stand-in, on the idle task or init, nothing can be killed: that is fatal, as on Linux.
[[noreturn]] void ktl_bug_slowpath(const char* file, int line, const char* func) {
  ktl::task_struct* p = ktl::get_current();
  if (ktl::in_interrupt() || (p->ktl_flags & ktl::task_struct::kTaskHost) ||
      (p->flags & ktl::PF_IDLE) || p->pid <= 1 || (p->flags & ktl::PF_EXITING)) {
    ktl::bug_slowpath(file, line, func);  // "kernel BUG at ...", Oops, panic
  }
  printk(KERN_CRIT "------------[ cut here ]------------\n");
  printk(KERN_CRIT "kernel BUG at %s:%d!\n", short_file(file), line);
  printk(KERN_EMERG "Oops: invalid opcode: 0000 [#%u] SMP\n", next_oops_number());
  ktl::add_taint(ktl::TAINT_DIE);
  printk(KERN_WARNING "CPU: %d UID: 0 PID: %d Comm: %.16s %s 6.18.0-ktl #1\n",
         ktl::smp_processor_id(), p->pid, p->comm, ktl::print_tainted());
  printk(KERN_EMERG "RIP: %s\n", func);
  printk(KERN_EMERG "---[ end trace 0000000000000000 ]---\n");
  // make_task_dead(): a task that dies holding spinlocks or with interrupts off would leave its
  // vCPU atomic forever; the kernel notes it and clears the counts.
  if (p->preempt_count) {
    printk(KERN_INFO "note: %s[%d] exited with preempt_count %d\n", p->comm, p->pid,
           p->preempt_count);
    p->preempt_count = 0;
  }
  if (p->irqs_disabled) {
    printk(KERN_INFO "note: %s[%d] exited with irqs disabled\n", p->comm, p->pid);
    p->irqs_disabled = 0;
  }
  ktl::do_exit(SIGSEGV);
}

[[noreturn]] void ktl_panic(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string msg = format(fmt, ap);
  va_end(ap);
  // The kernel's panic message has no trailing newline of its own.
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  ktl::panic("%s", msg.c_str());
}

void ktl_add_taint(unsigned flag, int) { ktl::add_taint(static_cast<ktl::taint_flag>(flag)); }
bool ktl_test_taint(unsigned flag) { return (ktl::get_taint() >> flag) & 1; }
unsigned long ktl_get_taint(void) { return ktl::get_taint(); }

void ktl___might_sleep(const char* file, int line) { ktl::__might_sleep(short_file(file), line); }

void ktl_cpu_relax(void) { ktl::cpu_relax(); }

// ---- printf family -----------------------------------------------------------------------------

int ktl_vsnprintf(char* buf, std::size_t size, const char* fmt, va_list args) {
  std::string s = format(fmt, args);
  if (size) {
    std::size_t n = s.size() < size - 1 ? s.size() : size - 1;
    std::memcpy(buf, s.data(), n);
    buf[n] = '\0';
  }
  return static_cast<int>(s.size());
}

int ktl_snprintf(char* buf, std::size_t size, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = ktl_vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

int ktl_vscnprintf(char* buf, std::size_t size, const char* fmt, va_list args) {
  if (!size) return 0;
  int n = ktl_vsnprintf(buf, size, fmt, args);
  return static_cast<std::size_t>(n) < size ? n : static_cast<int>(size - 1);
}

int ktl_scnprintf(char* buf, std::size_t size, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = ktl_vscnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

int ktl_vsprintf(char* buf, const char* fmt, va_list args) {
  std::string s = format(fmt, args);
  std::memcpy(buf, s.c_str(), s.size() + 1);
  return static_cast<int>(s.size());
}

int ktl_sprintf(char* buf, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = ktl_vsprintf(buf, fmt, ap);
  va_end(ap);
  return n;
}

char* ktl_kvasprintf_owned(unsigned gfp, const char* fmt, va_list args, const ::module* owner) {
  std::string s = format(fmt, args);
  auto* p = static_cast<char*>(ktl::compat::kmalloc_owned(s.size() + 1, gfp & ~kGfpZero, owner));
  if (p) std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

char* ktl_kasprintf_owned(const ::module* owner, unsigned gfp, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char* p = ktl_kvasprintf_owned(gfp, fmt, ap, owner);
  va_end(ap);
  return p;
}

int ktl_vsscanf(const char* buf, const char* fmt, va_list args) {
  return std::vsscanf(buf, fmt, args);
}

int ktl_sscanf(const char* buf, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsscanf(buf, fmt, ap);
  va_end(ap);
  return n;
}

int ktl_num_to_str(char* buf, int size, unsigned long long num, unsigned width) {
  char tmp[32];
  int len = std::snprintf(tmp, sizeof tmp, "%0*llu", static_cast<int>(width), num);
  if (len > size) return 0;
  std::memcpy(buf, tmp, static_cast<std::size_t>(len));
  return len;
}

// ---- kstrto*, simple_strto* --------------------------------------------------------------------

int ktl_kstrtoull(const char* s, unsigned base, unsigned long long* res) {
  return kstrtoull_plus(s, base, res);
}
int ktl_kstrtoll(const char* s, unsigned base, long long* res) { return kstrtoll_impl(s, base, res); }

int ktl_kstrtoul(const char* s, unsigned base, unsigned long* res) { return kstrto_unsigned(s, base, res); }
int ktl_kstrtol(const char* s, unsigned base, long* res) { return kstrto_signed(s, base, res); }
int ktl_kstrtouint(const char* s, unsigned base, unsigned* res) { return kstrto_unsigned(s, base, res); }
int ktl_kstrtoint(const char* s, unsigned base, int* res) { return kstrto_signed(s, base, res); }
int ktl_kstrtou16(const char* s, unsigned base, unsigned short* res) { return kstrto_unsigned(s, base, res); }
int ktl_kstrtos16(const char* s, unsigned base, short* res) { return kstrto_signed(s, base, res); }
int ktl_kstrtou8(const char* s, unsigned base, unsigned char* res) { return kstrto_unsigned(s, base, res); }
int ktl_kstrtos8(const char* s, unsigned base, signed char* res) { return kstrto_signed(s, base, res); }

int ktl_kstrtobool(const char* s, bool* res) {
  if (!s) return -EINVAL;
  switch (s[0]) {
    case 'y': case 'Y': case 't': case 'T': case '1':
      *res = true;
      return 0;
    case 'n': case 'N': case 'f': case 'F': case '0':
      *res = false;
      return 0;
    case 'o': case 'O':
      switch (s[1]) {
        case 'n': case 'N':
          *res = true;
          return 0;
        case 'f': case 'F':
          *res = false;
          return 0;
        default:
          break;
      }
      break;
    default:
      break;
  }
  return -EINVAL;
}

unsigned long long ktl_simple_strtoull(const char* cp, char** endp, unsigned base) {
  cp = parse_radix(cp, &base);
  unsigned long long v = 0;
  for (int d; (d = digit_value(*cp)) < static_cast<int>(base); ++cp) v = v * base + static_cast<unsigned>(d);
  if (endp) *endp = const_cast<char*>(cp);
  return v;
}
long long ktl_simple_strtoll(const char* cp, char** endp, unsigned base) {
  if (*cp == '-') return -static_cast<long long>(ktl_simple_strtoull(cp + 1, endp, base));
  return static_cast<long long>(ktl_simple_strtoull(cp, endp, base));
}
unsigned long ktl_simple_strtoul(const char* cp, char** endp, unsigned base) {
  return ktl_simple_strtoull(cp, endp, base);
}
long ktl_simple_strtol(const char* cp, char** endp, unsigned base) {
  return static_cast<long>(ktl_simple_strtoll(cp, endp, base));
}

// ---- strings -----------------------------------------------------------------------------------

ssize_t ktl_strscpy(char* dest, const char* src, std::size_t size) {
  if (size == 0 || size > static_cast<std::size_t>(INT_MAX)) return -E2BIG;
  std::size_t len = strnlen(src, size);
  if (len == size) {
    std::memcpy(dest, src, size - 1);
    dest[size - 1] = '\0';
    return -E2BIG;
  }
  std::memcpy(dest, src, len + 1);
  return static_cast<ssize_t>(len);
}

ssize_t ktl_strscpy_pad(char* dest, const char* src, std::size_t size) {
  ssize_t written = ktl_strscpy(dest, src, size);
  if (written < 0 || static_cast<std::size_t>(written) + 1 == size) return written;
  std::memset(dest + written + 1, 0, size - static_cast<std::size_t>(written) - 1);
  return written;
}

std::size_t ktl_strlcpy(char* dest, const char* src, std::size_t size) {
  std::size_t ret = std::strlen(src);
  if (size) {
    std::size_t len = ret >= size ? size - 1 : ret;
    std::memcpy(dest, src, len);
    dest[len] = '\0';
  }
  return ret;
}

std::size_t ktl_strlcat(char* dest, const char* src, std::size_t count) {
  std::size_t dsize = strnlen(dest, count);
  std::size_t len = std::strlen(src);
  std::size_t res = dsize + len;
  if (dsize == count) return res;  // the kernel BUGs here; be lenient
  dest += dsize;
  count -= dsize;
  if (len >= count) len = count - 1;
  std::memcpy(dest, src, len);
  dest[len] = '\0';
  return res;
}

char* ktl_strnchr(const char* s, std::size_t count, int c) {
  for (; count-- && *s; ++s)
    if (*s == static_cast<char>(c)) return const_cast<char*>(s);
  return nullptr;
}

char* ktl_strchrnul(const char* s, int c) {
  while (*s && *s != static_cast<char>(c)) ++s;
  return const_cast<char*>(s);
}

char* ktl_strnstr(const char* s1, const char* s2, std::size_t len) {
  std::size_t l2 = std::strlen(s2);
  if (!l2) return const_cast<char*>(s1);
  while (len >= l2) {
    --len;
    if (!std::memcmp(s1, s2, l2)) return const_cast<char*>(s1);
    ++s1;
  }
  return nullptr;
}

char* ktl_skip_spaces(const char* str) {
  while (std::isspace(static_cast<unsigned char>(*str))) ++str;
  return const_cast<char*>(str);
}

char* ktl_strim(char* s) {
  std::size_t size = std::strlen(s);
  if (!size) return s;
  char* end = s + size - 1;
  while (end >= s && std::isspace(static_cast<unsigned char>(*end))) --end;
  *(end + 1) = '\0';
  return ktl_skip_spaces(s);
}

void* ktl_memchr_inv(const void* start, int c, std::size_t bytes) {
  auto* p = static_cast<const unsigned char*>(start);
  for (std::size_t i = 0; i < bytes; ++i)
    if (p[i] != static_cast<unsigned char>(c)) return const_cast<unsigned char*>(p + i);
  return nullptr;
}

bool ktl_sysfs_streq(const char* s1, const char* s2) {
  while (*s1 && *s1 == *s2) {
    ++s1;
    ++s2;
  }
  if (*s1 == *s2) return true;
  if (!*s1 && *s2 == '\n' && !s2[1]) return true;
  if (*s1 == '\n' && !s1[1] && !*s2) return true;
  return false;
}

int ktl_match_string(const char* const* array, std::size_t n, const char* string) {
  for (std::size_t i = 0; i < n; ++i) {
    if (!array[i]) break;
    if (!std::strcmp(array[i], string)) return static_cast<int>(i);
  }
  return -EINVAL;
}

int ktl___sysfs_match_string(const char* const* array, std::size_t n, const char* str) {
  for (std::size_t i = 0; i < n; ++i) {
    if (!array[i]) continue;  // sparse arrays are allowed here
    if (ktl_sysfs_streq(array[i], str)) return static_cast<int>(i);
  }
  return -EINVAL;
}

char* ktl_strreplace(char* s, char old, char new_char) {
  for (char* p = s; *p; ++p)
    if (*p == old) *p = new_char;
  return s;
}

void ktl_memzero_explicit(void* s, std::size_t count) {
  std::memset(s, 0, count);
  asm volatile("" : : "r"(s) : "memory");
}

char* ktl_kstrdup_owned(const char* s, unsigned gfp, const ::module* owner) {
  if (!s) return nullptr;
  std::size_t len = std::strlen(s) + 1;
  auto* p = static_cast<char*>(ktl::compat::kmalloc_owned(len, gfp & ~kGfpZero, owner));
  if (p) std::memcpy(p, s, len);
  return p;
}

char* ktl_kstrndup_owned(const char* s, std::size_t max, unsigned gfp, const ::module* owner) {
  if (!s) return nullptr;
  std::size_t len = strnlen(s, max);
  auto* p = static_cast<char*>(ktl::compat::kmalloc_owned(len + 1, gfp & ~kGfpZero, owner));
  if (p) {
    std::memcpy(p, s, len);
    p[len] = '\0';
  }
  return p;
}

void* ktl_kmemdup_owned(const void* src, std::size_t len, unsigned gfp, const ::module* owner) {
  void* p = ktl::compat::kmalloc_owned(len, gfp & ~kGfpZero, owner);
  if (p && len) std::memcpy(p, src, len);
  return p;
}

char* ktl_kmemdup_nul_owned(const char* s, std::size_t len, unsigned gfp, const ::module* owner) {
  if (!s) return nullptr;
  auto* p = static_cast<char*>(ktl::compat::kmalloc_owned(len + 1, gfp & ~kGfpZero, owner));
  if (p) {
    std::memcpy(p, s, len);
    p[len] = '\0';
  }
  return p;
}

// ---- bit searches ------------------------------------------------------------------------------

static unsigned long find_next(const unsigned long* a1, const unsigned long* a2, unsigned long size,
                               unsigned long start, unsigned long invert) {
  constexpr unsigned long kBits = 64;
  if (start >= size) return size;
  unsigned long idx = start / kBits;
  unsigned long word = a1[idx];
  if (a2) word &= a2[idx];
  word ^= invert;
  word &= ~0UL << (start % kBits);
  while (!word) {
    ++idx;
    if (idx * kBits >= size) return size;
    word = a1[idx];
    if (a2) word &= a2[idx];
    word ^= invert;
  }
  unsigned long bit = idx * kBits + static_cast<unsigned long>(__builtin_ctzl(word));
  return bit < size ? bit : size;
}

unsigned long ktl_find_next_bit(const unsigned long* addr, unsigned long size, unsigned long offset) {
  return find_next(addr, nullptr, size, offset, 0);
}
unsigned long ktl_find_next_zero_bit(const unsigned long* addr, unsigned long size,
                                     unsigned long offset) {
  return find_next(addr, nullptr, size, offset, ~0UL);
}
unsigned long ktl_find_next_and_bit(const unsigned long* addr1, const unsigned long* addr2,
                                    unsigned long size, unsigned long offset) {
  return find_next(addr1, addr2, size, offset, 0);
}
unsigned long ktl_find_last_bit(const unsigned long* addr, unsigned long size) {
  constexpr unsigned long kBits = 64;
  if (!size) return size;
  unsigned long idx = (size - 1) / kBits;
  unsigned long mask = size % kBits ? ~0UL >> (kBits - size % kBits) : ~0UL;
  for (;;) {
    unsigned long word = addr[idx] & mask;
    if (word) return idx * kBits + 63 - static_cast<unsigned long>(__builtin_clzl(word));
    if (idx-- == 0) return size;
    mask = ~0UL;
  }
}

// ---- refcount_t --------------------------------------------------------------------------------

// lib/refcount.c: the counter is pinned at REFCOUNT_SATURATED (INT_MIN / 2), far from both 0 and
// overflow, so the object is leaked rather than freed twice; one report per kind and boot.
void ktl_refcount_warn_saturate(int* refs, int type) {
  static unsigned warned[5];
  static const char* const kMsg[5] = {
      "saturated; leaking memory",       // REFCOUNT_ADD_NOT_ZERO_OVF
      "saturated; leaking memory",       // REFCOUNT_ADD_OVF
      "addition on 0; use-after-free",   // REFCOUNT_ADD_UAF
      "underflow; use-after-free",       // REFCOUNT_SUB_UAF
      "decrement hit 0; leaking memory"  // REFCOUNT_DEC_LEAK
  };
  __atomic_store_n(refs, INT_MIN / 2, __ATOMIC_RELAXED);
  if (type < 0 || type > 4) type = 0;
  int slot = type == 0 ? 1 : type;  // both overflow kinds share one report, as one site
  if (ktl_warn_once_this_boot(&warned[slot]))
    ktl::warn_slowpath(short_file(__FILE__), __LINE__, "refcount_warn_saturate", "refcount_t: %s.\n",
                       kMsg[type]);
}

}  // extern "C"
