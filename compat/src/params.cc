// <linux/moduleparam.h>: the standard parameter types (kernel/params.c semantics).
//
// set() parses with the kernel's kstrto* rules: integers in base 0 with one optional trailing
// newline, -EINVAL when malformed, -ERANGE when out of the type's range. get() writes the value
// and a newline into a page-sized buffer and returns its length, as a sysfs show() does.
#include <cctype>
#include <cerrno>
#include <cstdarg>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string>

#include "../include/asm/ktl-module.h"
#include "module_internal.h"

namespace {

constexpr int kPage = 4096;

std::mutex g_string_param_lock;  // see ktl_param_set_string

// A module's kthreads read their parameters with READ_ONCE while a write to
// /sys/module/NAME/parameters/X stores a new value, so scalar parameters are stored and loaded
// as single relaxed atomic accesses (the kernel's setters are plain stores on word-sized values,
// which are single accesses on every architecture it runs on).
template <typename T>
void store_param(void* arg, T v) {
  __atomic_store_n(static_cast<T*>(arg), v, __ATOMIC_RELAXED);
}
template <typename T>
T load_param(const void* arg) {
  return __atomic_load_n(static_cast<const T*>(arg), __ATOMIC_RELAXED);
}

// kstrtoull/kstrtoll: base 0 ("0x", "0" prefixes), one trailing newline allowed, nothing else.
int parse_ull(const char* s, unsigned long long* out) {
  if (!s || !*s) return -EINVAL;
  const char* p = s;
  if (*p == '+') ++p;
  unsigned base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && std::isxdigit(static_cast<unsigned char>(p[2]))) {
    base = 16;
    p += 2;
  } else if (p[0] == '0' && p[1] != 0 && p[1] != '\n') {
    base = 8;
    ++p;
  }
  if (!*p || *p == '\n') return -EINVAL;
  unsigned long long v = 0;
  for (; *p && *p != '\n'; ++p) {
    unsigned d;
    if (*p >= '0' && *p <= '9') d = static_cast<unsigned>(*p - '0');
    else if (*p >= 'a' && *p <= 'f') d = static_cast<unsigned>(*p - 'a' + 10);
    else if (*p >= 'A' && *p <= 'F') d = static_cast<unsigned>(*p - 'A' + 10);
    else return -EINVAL;
    if (d >= base) return -EINVAL;
    if (v > (ULLONG_MAX - d) / base) return -ERANGE;
    v = v * base + d;
  }
  if (*p == '\n' && p[1] != 0) return -EINVAL;
  *out = v;
  return 0;
}

int parse_ll(const char* s, long long* out) {
  if (!s) return -EINVAL;
  bool neg = *s == '-';
  unsigned long long v;
  int r = parse_ull(neg ? s + 1 : s, &v);
  if (r) return r;
  if (neg) {
    if (v > static_cast<unsigned long long>(LLONG_MAX) + 1) return -ERANGE;
    *out = static_cast<long long>(0 - v);
  } else {
    if (v > static_cast<unsigned long long>(LLONG_MAX)) return -ERANGE;
    *out = static_cast<long long>(v);
  }
  return 0;
}

template <typename T>
int set_signed(const char* val, const kernel_param* kp) {
  long long v;
  int r = parse_ll(val, &v);
  if (r) return r;
  if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) return -ERANGE;
  store_param<T>(kp->arg, static_cast<T>(v));
  return 0;
}

template <typename T>
int set_unsigned(const char* val, const kernel_param* kp) {
  unsigned long long v;
  int r = parse_ull(val, &v);
  if (r) return r;
  if (v > std::numeric_limits<T>::max()) return -ERANGE;
  store_param<T>(kp->arg, static_cast<T>(v));
  return 0;
}

int emit(char* buf, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
int emit(char* buf, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(buf, kPage, fmt, ap);
  va_end(ap);
  return n < 0 ? 0 : (n >= kPage ? kPage - 1 : n);
}

// kstrtobool: y/Y/1/on -> true, n/N/0/off -> false.
int parse_bool(const char* s, bool* out) {
  if (!s) {
    *out = true;  // "name" alone
    return 0;
  }
  switch (s[0]) {
    case 'y': case 'Y': case '1': *out = true; return 0;
    case 'n': case 'N': case '0': *out = false; return 0;
    case 'o': case 'O':
      if (s[1] == 'n' || s[1] == 'N') { *out = true; return 0; }
      if (s[1] == 'f' || s[1] == 'F') { *out = false; return 0; }
      return -EINVAL;
    default: return -EINVAL;
  }
}

}  // namespace

extern "C" {

#define KTL_INT_PARAM(name, type, setter, fmt)                                         \
  int ktl_param_set_##name(const char* val, const kernel_param* kp) {                  \
    return setter<type>(val, kp);                                                        \
  }                                                                                      \
  int ktl_param_get_##name(char* buffer, const kernel_param* kp) {                     \
    return emit(buffer, fmt "\n", load_param<type>(kp->arg));                             \
  }                                                                                      \
  extern const kernel_param_ops ktl_param_ops_##name;                                    \
  const kernel_param_ops ktl_param_ops_##name = {0, ktl_param_set_##name, ktl_param_get_##name, \
                                                 nullptr};

KTL_INT_PARAM(byte, unsigned char, set_unsigned, "%hhu")
KTL_INT_PARAM(short, short, set_signed, "%hi")
KTL_INT_PARAM(ushort, unsigned short, set_unsigned, "%hu")
KTL_INT_PARAM(int, int, set_signed, "%i")
KTL_INT_PARAM(uint, unsigned int, set_unsigned, "%u")
KTL_INT_PARAM(long, long, set_signed, "%li")
KTL_INT_PARAM(ulong, unsigned long, set_unsigned, "%lu")
KTL_INT_PARAM(ullong, unsigned long long, set_unsigned, "%llu")
#undef KTL_INT_PARAM

int ktl_param_set_hexint(const char* val, const kernel_param* kp) {
  return set_unsigned<unsigned int>(val, kp);
}
int ktl_param_get_hexint(char* buffer, const kernel_param* kp) {
  return emit(buffer, "%#08x\n", load_param<unsigned>(kp->arg));
}
extern const kernel_param_ops ktl_param_ops_hexint;
const kernel_param_ops ktl_param_ops_hexint = {0, ktl_param_set_hexint, ktl_param_get_hexint,
                                               nullptr};

int ktl_param_set_bool(const char* val, const kernel_param* kp) {
  bool v;
  int r = parse_bool(val, &v);
  if (r) return r;
  store_param<bool>(kp->arg, v);
  return 0;
}
int ktl_param_get_bool(char* buffer, const kernel_param* kp) {
  return emit(buffer, "%c\n", load_param<bool>(kp->arg) ? 'Y' : 'N');
}
extern const kernel_param_ops ktl_param_ops_bool;
const kernel_param_ops ktl_param_ops_bool = {1 /* NOARG */, ktl_param_set_bool,
                                             ktl_param_get_bool, nullptr};

int ktl_param_set_invbool(const char* val, const kernel_param* kp) {
  bool v;
  int r = parse_bool(val, &v);
  if (r) return r;
  store_param<bool>(kp->arg, !v);
  return 0;
}
int ktl_param_get_invbool(char* buffer, const kernel_param* kp) {
  return emit(buffer, "%c\n", load_param<bool>(kp->arg) ? 'N' : 'Y');
}
extern const kernel_param_ops ktl_param_ops_invbool;
const kernel_param_ops ktl_param_ops_invbool = {1, ktl_param_set_invbool, ktl_param_get_invbool,
                                                nullptr};

// charp: the module's char* points at a copy the loader owns until the module is gone (Linux
// kstrdup()s values set after boot; the copies are small and per module, so ktl keeps them all).
int ktl_param_set_charp(const char* val, const kernel_param* kp) {
  if (!val) val = "";
  if (std::strlen(val) > 1024) return -ENOSPC;
  std::size_t n = std::strlen(val);
  char* copy = static_cast<char*>(std::malloc(n + 1));
  if (!copy) return -ENOMEM;
  std::memcpy(copy, val, n + 1);
  if (n && copy[n - 1] == '\n') copy[n - 1] = 0;
  // The previous value is not freed: a kthread of the module may be printing it right now. The
  // loader keeps every copy (reachable, never freed) for the life of the process.
  ktl::compat::module_keep(kp->mod, copy);
  // Release: a reader that loads the pointer sees the characters behind it.
  __atomic_store_n(static_cast<char**>(kp->arg), copy, __ATOMIC_RELEASE);
  return 0;
}
int ktl_param_get_charp(char* buffer, const kernel_param* kp) {
  const char* s = __atomic_load_n(static_cast<char* const*>(kp->arg), __ATOMIC_ACQUIRE);
  return emit(buffer, "%s\n", s ? s : "(null)");
}
void ktl_param_free_charp(void*) {}
extern const kernel_param_ops ktl_param_ops_charp;
const kernel_param_ops ktl_param_ops_charp = {0, ktl_param_set_charp, ktl_param_get_charp,
                                              ktl_param_free_charp};

// module_param_string: copied into the module's own buffer, -ENOSPC if it does not fit. The one
// standard type that is not a single word: a write through sysfs and a concurrent cat are
// serialised (the kernel holds kernel_param_lock around every set/get; the scalar types above
// need no lock, and custom ops may sleep, so only this copy is locked). Never sleeps inside.
int ktl_param_set_string(const char* val, const kernel_param* kp) {
  const kparam_string* s = kp->str;
  if (!val) val = "";
  std::size_t n = std::strlen(val);
  if (n + 1 > s->maxlen) return -ENOSPC;
  std::lock_guard<std::mutex> hold(g_string_param_lock);
  std::memcpy(s->string, val, n + 1);
  return 0;
}
int ktl_param_get_string(char* buffer, const kernel_param* kp) {
  std::lock_guard<std::mutex> hold(g_string_param_lock);
  return emit(buffer, "%s\n", kp->str->string);
}
extern const kernel_param_ops ktl_param_ops_string;
const kernel_param_ops ktl_param_ops_string = {0, ktl_param_set_string, ktl_param_get_string,
                                               nullptr};

// Arrays: "1,2,3" sets the first elements and *num; more values than elements is -EINVAL.
int ktl_param_array_set(const char* val, const kernel_param* kp) {
  const kparam_array* arr = kp->arr;
  if (!val) return -EINVAL;
  std::string s = val;
  if (!s.empty() && s.back() == '\n') s.pop_back();
  unsigned n = 0;
  std::size_t pos = 0;
  while (true) {
    std::size_t comma = s.find(',', pos);
    std::string item = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (n >= arr->max) {
      return -EINVAL;
    }
    kernel_param elem = *kp;
    elem.arg = static_cast<char*>(arr->elem) + static_cast<std::size_t>(n) * arr->elemsize;
    int r = arr->ops->set(item.c_str(), &elem);
    if (r) return r;
    ++n;
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  if (arr->num) *arr->num = n;
  return 0;
}
int ktl_param_array_get(char* buffer, const kernel_param* kp) {
  const kparam_array* arr = kp->arr;
  unsigned n = arr->num ? *arr->num : arr->max;
  std::string out;
  std::unique_ptr<char[]> tmp(new char[kPage]);
  for (unsigned i = 0; i < n; ++i) {
    kernel_param elem = *kp;
    elem.arg = static_cast<char*>(arr->elem) + static_cast<std::size_t>(i) * arr->elemsize;
    int len = arr->ops->get(tmp.get(), &elem);
    if (len < 0) return len;
    std::string v(tmp.get(), static_cast<std::size_t>(len));
    if (!v.empty() && v.back() == '\n') v.pop_back();
    out += (i ? "," : "") + v;
  }
  return emit(buffer, "%s\n", out.c_str());
}
extern const kernel_param_ops ktl_param_array_ops;
const kernel_param_ops ktl_param_array_ops = {0, ktl_param_array_set, ktl_param_array_get,
                                              nullptr};

}  // extern "C"
