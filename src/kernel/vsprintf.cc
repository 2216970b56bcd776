// The kernel's %p extensions on top of C printf (lib/vsprintf.c): %pe, %ps, %pS, %pB.
//
//   %pe   an error pointer (ERR_PTR) or an errno: "-EINVAL"; the number when the code has no
//         name; a pointer that is not an error prints as %p does.
//   %ps   a function pointer as its symbol name when the host can name it (dladdr: exported
//         symbols; build with -rdynamic for all), else "0x<address>".
//   %pS   the same with "+0x<off>/0x<size>" (size unknown to dladdr: printed as +0x<off>).
//   %pB   as %pS.
// Every other conversion goes to the C library one at a time, so the argument list is consumed
// exactly as printf would consume it.
#include <dlfcn.h>

#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "kernel/kernel_internal.h"
#include "ktl/base/err.h"

namespace ktl::internal {

std::atomic<module_symbolize_fn> module_symbolize_hook{nullptr};

namespace {

const char* errname(int e) {
  switch (e) {
#define KTL_ERRNAME(x) \
  case x:              \
    return "-" #x;
    KTL_ERRNAME(EPERM) KTL_ERRNAME(ENOENT) KTL_ERRNAME(ESRCH) KTL_ERRNAME(EINTR)
    KTL_ERRNAME(EIO) KTL_ERRNAME(ENXIO) KTL_ERRNAME(E2BIG) KTL_ERRNAME(ENOEXEC)
    KTL_ERRNAME(EBADF) KTL_ERRNAME(ECHILD) KTL_ERRNAME(EAGAIN) KTL_ERRNAME(ENOMEM)
    KTL_ERRNAME(EACCES) KTL_ERRNAME(EFAULT) KTL_ERRNAME(EBUSY) KTL_ERRNAME(EEXIST)
    KTL_ERRNAME(EXDEV) KTL_ERRNAME(ENODEV) KTL_ERRNAME(ENOTDIR) KTL_ERRNAME(EISDIR)
    KTL_ERRNAME(EINVAL) KTL_ERRNAME(ENFILE) KTL_ERRNAME(EMFILE) KTL_ERRNAME(ENOTTY)
    KTL_ERRNAME(EFBIG) KTL_ERRNAME(ENOSPC) KTL_ERRNAME(ESPIPE) KTL_ERRNAME(EROFS)
    KTL_ERRNAME(EPIPE) KTL_ERRNAME(EDOM) KTL_ERRNAME(ERANGE) KTL_ERRNAME(EDEADLK)
    KTL_ERRNAME(ENAMETOOLONG) KTL_ERRNAME(ENOSYS) KTL_ERRNAME(ENOTEMPTY)
    KTL_ERRNAME(ELOOP) KTL_ERRNAME(ENODATA) KTL_ERRNAME(ETIME) KTL_ERRNAME(EOVERFLOW)
    KTL_ERRNAME(EOPNOTSUPP) KTL_ERRNAME(ETIMEDOUT) KTL_ERRNAME(ECANCELED)
    KTL_ERRNAME(EOWNERDEAD) KTL_ERRNAME(EALREADY) KTL_ERRNAME(EINPROGRESS)
    KTL_ERRNAME(ERESTARTSYS) KTL_ERRNAME(ERESTARTNOINTR) KTL_ERRNAME(ERESTARTNOHAND)
    KTL_ERRNAME(ENOIOCTLCMD) KTL_ERRNAME(ERESTART_RESTARTBLOCK)
#undef KTL_ERRNAME
    default:
      return nullptr;
  }
}

void append_pointer(std::string* out, const void* p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%p", p);
  *out += buf;
}

void append_symbol(std::string* out, const void* p, bool offset) {
  if (module_symbolize_fn fn = module_symbolize_hook.load(std::memory_order_acquire))
    if (p && fn(p, offset, out)) return;
  Dl_info info{};
  if (p && dladdr(p, &info) && info.dli_sname && info.dli_saddr) {
    *out += info.dli_sname;
    if (offset) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "+0x%lx",
                    static_cast<unsigned long>(reinterpret_cast<std::uintptr_t>(p) -
                                               reinterpret_cast<std::uintptr_t>(info.dli_saddr)));
      *out += buf;
    }
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%lx",
                static_cast<unsigned long>(reinterpret_cast<std::uintptr_t>(p)));
  *out += buf;
}

}  // namespace

bool format_has_kernel_ext(const char* fmt) noexcept {
  for (const char* s = std::strchr(fmt, '%'); s; s = std::strchr(s + 1, '%')) {
    if (s[1] == '%') {
      ++s;
      continue;
    }
    const char* c = s + 1;
    while (*c && std::strchr("-+ #0'123456789.*hlLqjzt", *c)) ++c;
    if (*c == 'p' && (c[1] == 'e' || c[1] == 's' || c[1] == 'S' || c[1] == 'B')) return true;
  }
  return false;
}

std::string kvformat(const char* fmt, va_list args) {
  std::string out;
  va_list ap;
  va_copy(ap, args);
  const char* s = fmt;
  while (*s) {
    if (*s != '%') {
      const char* next = std::strchr(s, '%');
      std::size_t n = next ? static_cast<std::size_t>(next - s) : std::strlen(s);
      out.append(s, n);
      s += n;
      continue;
    }
    if (s[1] == '%') {
      out += '%';
      s += 2;
      continue;
    }
    // One conversion: %[flags][width][.precision][length]conv, '*' taken from the arguments.
    std::string spec = "%";
    const char* c = s + 1;
    while (*c && std::strchr("-+ #0'", *c)) spec += *c++;
    if (*c == '*') {
      spec += std::to_string(va_arg(ap, int));
      ++c;
    }
    while (*c >= '0' && *c <= '9') spec += *c++;
    if (*c == '.') {
      spec += *c++;
      if (*c == '*') {
        spec += std::to_string(va_arg(ap, int));
        ++c;
      }
      while (*c >= '0' && *c <= '9') spec += *c++;
    }
    std::string len;
    while (*c && std::strchr("hlLqjzt", *c)) len += *c++;
    char conv = *c;
    if (!conv) {  // a lone '%' at the end: print it as it is
      out += s;
      break;
    }
    ++c;
    spec += len;
    spec += conv;
    char buf[512];
    buf[0] = 0;
    switch (conv) {
      case 'd':
      case 'i':
        if (len == "l")
          std::snprintf(buf, sizeof buf, spec.c_str(), va_arg(ap, long));
        else if (len == "ll" || len == "q" || len == "j")
          std::snprintf(buf, sizeof buf, spec.c_str(), va_arg(ap, long long));
        else if (len == "z" || len == "t")
          std::snprintf(buf, sizeof buf, spec.c_str(), va_arg(ap, long));
        else
          std::snprintf(buf, sizeof buf, spec.c_str(), va_arg(ap, int));
        break;
      case 'u':
      case 'o':
      case 'x':
      case 'X':
        if (len == "l" || len == "z" || len == "t")
          std::snprintf(buf, sizeof buf, spec.c_str(), va_arg(ap, unsigned long));
        else if (len == "ll" || len == "q" || len == "j")
          std::snprintf(buf, sizeof buf, spec.c_str(), va_arg(ap, unsigned long long));
        else
          std::snprintf(buf, sizeof buf, spec.c_str(), va_arg(ap, unsigned));
        break;
      case 'c':
        std::snprintf(buf, sizeof buf, spec.c_str(), va_arg(ap, int));
        break;
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G':
      case 'a':
      case 'A':
        if (len == "L")
          std::snprintf(buf, sizeof buf, spec.c_str(), va_arg(ap, long double));
        else
          std::snprintf(buf, sizeof buf, spec.c_str(), va_arg(ap, double));
        break;
      case 's': {
        const char* str = va_arg(ap, const char*);
        int n = std::snprintf(nullptr, 0, spec.c_str(), str ? str : "(null)");
        if (n >= static_cast<int>(sizeof buf)) {
          std::string big(static_cast<std::size_t>(n) + 1, '\0');
          std::snprintf(big.data(), big.size(), spec.c_str(), str ? str : "(null)");
          big.resize(static_cast<std::size_t>(n));
          out += big;
          s = c;
          continue;
        }
        std::snprintf(buf, sizeof buf, spec.c_str(), str ? str : "(null)");
        break;
      }
      case 'p': {
        const void* p = va_arg(ap, const void*);
        char ext = *c;
        if (ext == 'e') {
          ++c;
          auto v = reinterpret_cast<std::intptr_t>(p);
          if (IS_ERR_VALUE(reinterpret_cast<unsigned long>(p))) {
            if (const char* name = errname(static_cast<int>(-v)))
              out += name;
            else
              out += std::to_string(v);
          } else {
            append_pointer(&out, p);
          }
        } else if (ext == 's' || ext == 'S' || ext == 'B') {
          ++c;
          append_symbol(&out, p, ext != 's');
        } else {
          append_pointer(&out, p);
        }
        s = c;
        continue;
      }
      case 'n':
        (void)va_arg(ap, int*);  // never written: the kernel refuses %n too
        break;
      default:
        // Unknown conversion: print it literally (the kernel's vsnprintf warns and stops).
        out.append(s, static_cast<std::size_t>(c - s));
        s = c;
        continue;
    }
    out += buf;
    s = c;
  }
  va_end(ap);
  return out;
}

}  // namespace ktl::internal
