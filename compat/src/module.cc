// The module loader: insmod, rmmod, lsmod, modinfo (include/ktl/kernel/module.h).
//
// A module is a shared object built by the module helper (cmake/ktlModule.cmake). Loading it:
//   1. read the file, check it is ELF, collect its .modinfo strings;
//   2. copy it into a memfd and dlopen that (RTLD_NOW | RTLD_LOCAL): every insmod maps a private
//      image, so a reload starts from fresh static data even if an earlier image of the same file
//      had to stay mapped, and nothing in one module can bind to another's symbols;
//   3. find __this_module (mod.c) in that image, apply the "name=value" arguments through the
//      kernel_param records, publish /sys/module/NAME/parameters, run module_init in the caller.
// Unloading runs module_exit and then looks through the kernel for anything that can still enter
// the module's image (see unload_check); only when nothing can is the image unmapped.
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdarg>
#include <optional>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "kernel/callbacks_internal.h"
#include "kernel/kernel_internal.h"
#include "kthread/kthread_internal.h"
#include "ktl/base/bug.h"
#include "ktl/fs/proc.h"
#include "ktl/init/shell.h"
#include "ktl/kernel/fork.h"
#include "ktl/kernel/module.h"
#include "ktl/kernel/printk.h"
#include "ktl/locking/mutex.h"
#include "ktl/locking/spinlock.h"
#include "ktl/sched/sched.h"
#include "ktl/sched/task.h"
#include "ktl/time/jiffies.h"
#include "fs_internal.h"
#include "module_internal.h"

namespace ktl::compat {
namespace {

enum class mod_state { coming, live, going, gone };

struct loaded_module {
  std::string name;
  std::string path;
  void* handle = nullptr;
  int memfd = -1;
  ::module* mod = nullptr;
  std::uintptr_t lo = 0, hi = 0;  // the mapped image
  unsigned long size = 0;         // lsmod's Size: the image rounded to pages
  std::atomic<mod_state> state{mod_state::coming};
  std::atomic<int> refcnt{0};
  std::atomic<long> kmalloc_bytes{0};
  std::atomic<long> kmalloc_count{0};
  std::vector<std::pair<std::string, std::string>> modinfo;  // tag, value in section order
  std::vector<std::string> sysfs_paths;
  std::vector<void*> kept;  // charp parameter strings (module_keep), freed with the record
  bool tainted_proprietary = false;
  unsigned boot = 0;  // boot_generation at load: a module does not survive its kernel
  struct symbol {
    std::uintptr_t value;  // relative to the load base
    std::uintptr_t size;
    std::string name;
  };
  std::vector<symbol> symbols;  // .symtab functions and objects, by value
  std::uintptr_t load_base = 0;
};

// Load and unload are serialised by a sleeping lock (module_init may sleep); the tables below are
// read from any context (kfree, WARN reports) under a spinlock. A record outlives its module while
// its image stays mapped (late kfree()s of its memory still find it), see free_record().
mutex g_module_mutex;
spinlock_t g_modules_lock;
std::vector<loaded_module*>& live_modules() {  // g_modules_lock; newest last
  static std::vector<loaded_module*> v;
  return v;
}
std::vector<loaded_module*>& mapped_modules() {  // g_modules_lock: images still mapped
  static std::vector<loaded_module*> v;
  return v;
}
std::vector<std::string>& search_path() {  // g_module_mutex
  static std::vector<std::string> v;
  return v;
}
bool g_oot_tainted_this_boot = false;
unsigned g_oot_boot = 0;

// The record hangs off the module's own struct module (ktl_private), set before anything in the
// image can run: O(1) from kmalloc/kfree and module_get. It stays valid after unload for as long
// as anything can ask: a record is freed only together with the unmapping of its image, and an
// image with memory still charged to it is never unmapped.
loaded_module* record_of_owner(const ::module* owner) noexcept {
  return static_cast<loaded_module*>(__atomic_load_n(&owner->ktl_private, __ATOMIC_ACQUIRE));
}

void remove_sysfs(loaded_module* m);

// Modules do not outlive the kernel they were loaded into: the first look after a new boot drops
// the previous kernel's (their images stay mapped; nothing of that kernel runs any more).
void purge_stale() {
  std::vector<loaded_module*> stale;
  {
    spin_guard g(g_modules_lock);
    auto& v = live_modules();
    for (loaded_module* m : v)
      if (m->boot != boot_generation) stale.push_back(m);
    v.erase(std::remove_if(v.begin(), v.end(),
                           [](loaded_module* m) { return m->boot != boot_generation; }),
            v.end());
  }
  for (loaded_module* m : stale) {
    remove_sysfs(m);
    m->state.store(mod_state::gone);
  }
}

loaded_module* find_live(const std::string& name) {
  purge_stale();
  spin_guard g(g_modules_lock);
  for (loaded_module* m : live_modules())
    if (m->name == name) return m;
  return nullptr;
}

const char* state_name(mod_state s) {
  switch (s) {
    case mod_state::coming: return "coming";
    case mod_state::live: return "live";
    case mod_state::going: return "going";
    case mod_state::gone: return "gone";
  }
  return "?";
}

// printk's "%ps" (the symbol of a code address, when the host can name it) as a string.
std::string fmt_ps_impl(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = internal::kvformat(fmt, ap);
  va_end(ap);
  return s;
}
std::string sym(const void* fn) { return fmt_ps_impl("%ps", fn); }

std::string taint_letters(const loaded_module* m) {
  return m->tainted_proprietary ? "PO" : "O";
}

// ---- the ELF file: .modinfo ------------------------------------------------------------------

int read_file(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return -ENOENT;
  out->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return 0;
}

// The "tag=value" strings of the .modinfo section, or -ENOEXEC if the file is not a 64-bit ELF
// shared object.
int parse_modinfo(const std::string& img, std::vector<std::pair<std::string, std::string>>* out) {
  if (img.size() < sizeof(Elf64_Ehdr) || std::memcmp(img.data(), ELFMAG, SELFMAG) != 0)
    return -ENOEXEC;
  Elf64_Ehdr eh;
  std::memcpy(&eh, img.data(), sizeof(eh));
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_DYN) return -ENOEXEC;
  if (eh.e_shoff == 0 || eh.e_shentsize != sizeof(Elf64_Shdr) ||
      eh.e_shoff + static_cast<unsigned long>(eh.e_shnum) * sizeof(Elf64_Shdr) > img.size() ||
      eh.e_shstrndx >= eh.e_shnum)
    return -ENOEXEC;
  auto shdr = [&](unsigned i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, img.data() + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof(sh));
    return sh;
  };
  Elf64_Shdr strtab = shdr(eh.e_shstrndx);
  for (unsigned i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh = shdr(i);
    if (strtab.sh_offset + sh.sh_name >= img.size()) continue;
    const char* nm = img.data() + strtab.sh_offset + sh.sh_name;
    if (std::strcmp(nm, ".modinfo") != 0 || sh.sh_type == SHT_NOBITS) continue;
    if (sh.sh_offset + sh.sh_size > img.size()) return -ENOEXEC;
    const char* p = img.data() + sh.sh_offset;
    const char* end = p + sh.sh_size;
    while (p < end) {
      std::size_t len = strnlen(p, static_cast<std::size_t>(end - p));
      std::string entry(p, len);
      p += len + 1;
      std::size_t eq = entry.find('=');
      if (entry.empty() || eq == std::string::npos) continue;
      out->emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
    }
  }
  return 0;
}

// Functions and objects of .symtab (static ones included), for %ps/%pS on module addresses.
void parse_symbols(const std::string& img, std::vector<loaded_module::symbol>* out) {
  Elf64_Ehdr eh;
  std::memcpy(&eh, img.data(), sizeof(eh));
  auto shdr = [&](unsigned i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, img.data() + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof(sh));
    return sh;
  };
  for (unsigned i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh = shdr(i);
    if (sh.sh_type != SHT_SYMTAB || sh.sh_link >= eh.e_shnum) continue;
    Elf64_Shdr str = shdr(sh.sh_link);
    if (sh.sh_offset + sh.sh_size > img.size() || str.sh_offset + str.sh_size > img.size()) return;
    for (std::size_t off = 0; off + sizeof(Elf64_Sym) <= sh.sh_size; off += sizeof(Elf64_Sym)) {
      Elf64_Sym sym;
      std::memcpy(&sym, img.data() + sh.sh_offset + off, sizeof(sym));
      unsigned type = ELF64_ST_TYPE(sym.st_info);
      if ((type != STT_FUNC && type != STT_OBJECT) || sym.st_value == 0 || sym.st_name >= str.sh_size)
        continue;
      const char* nm = img.data() + str.sh_offset + sym.st_name;
      out->push_back({sym.st_value, sym.st_size, std::string(nm, strnlen(nm, str.sh_size - sym.st_name))});
    }
  }
  std::sort(out->begin(), out->end(), [](const auto& a, const auto& b) { return a.value < b.value; });
}

std::string modinfo_get(const loaded_module* m, const std::string& tag) {
  for (const auto& [t, v] : m->modinfo)
    if (t == tag) return v;
  return "";
}

// ---- parameters ---------------------------------------------------------------------------------

bool param_eq(const char* a, const std::string& b) {
  std::size_t i = 0;
  for (; a[i] && i < b.size(); ++i) {
    char x = a[i] == '-' ? '_' : a[i];
    char y = b[i] == '-' ? '_' : b[i];
    if (x != y) return false;
  }
  return a[i] == 0 && i == b.size();
}

// "a=1 b='x y' c" -> {a,1} {b,x y} {c,<null>}; quotes as the kernel's next_arg() takes them.
std::vector<std::pair<std::string, std::optional<std::string>>> split_args(const std::string& s) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size()) break;
    std::string word;
    char quote = 0;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (quote) {
        if (c == quote) quote = 0; else word += c;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        break;
      } else {
        word += c;
      }
    }
    std::size_t eq = word.find('=');
    if (eq == std::string::npos)
      out.emplace_back(word, std::nullopt);
    else
      out.emplace_back(word.substr(0, eq), word.substr(eq + 1));
  }
  return out;
}

const kernel_param* find_param(const loaded_module* m, const std::string& name) {
  for (const kernel_param* kp = m->mod->kp; kp && kp < m->mod->kp_end; ++kp)
    if (param_eq(kp->name, name)) return kp;
  return nullptr;
}

int apply_args(loaded_module* m, const std::string& args) {
  for (auto& [name, value] : split_args(args)) {
    const kernel_param* kp = find_param(m, name);
    if (!kp) {
      printk(KERN_WARNING "%s: unknown parameter '%s' ignored\n", m->name.c_str(), name.c_str());
      continue;
    }
    if (!value && !(kp->ops->flags & 1 /* KERNEL_PARAM_OPS_FL_NOARG */)) {
      printk(KERN_ERR "%s: `' invalid for parameter `%s'\n", m->name.c_str(), kp->name);
      return -EINVAL;
    }
    int r = kp->ops->set(value ? value->c_str() : nullptr, kp);
    if (r < 0) {
      printk(KERN_ERR "%s: `%s' invalid for parameter `%s'\n", m->name.c_str(),
             value ? value->c_str() : "", kp->name);
      return r;
    }
  }
  return 0;
}

void add_sysfs(loaded_module* m) {
  std::string base = "/sys/module/" + m->name;
  for (const kernel_param* kp = m->mod->kp; kp && kp < m->mod->kp_end; ++kp) {
    if (kp->perm == 0) continue;
    std::string path = base + "/parameters/" + kp->name;
    std::function<int(const std::string&)> write;
    if (kp->perm & 0222) {
      write = [kp](const std::string& v) {
        std::string val = v;
        while (!val.empty() && (val.back() == '\n' || val.back() == ' ')) val.pop_back();
        int r = kp->ops->set(val.c_str(), kp);
        return r < 0 ? r : 0;
      };
    }
    auto read = [kp]() {
      std::unique_ptr<char[]> buf(new char[4096]());
      int n = kp->ops->get ? kp->ops->get(buf.get(), kp) : 0;
      if (n < 0) return std::string();
      return std::string(buf.get(), static_cast<std::size_t>(n));
    };
    if (proc_register_sysctl(path, read, write) == 0) m->sysfs_paths.push_back(path);
  }
  auto add = [&](const std::string& leaf, std::function<std::string()> read) {
    std::string path = base + "/" + leaf;
    if (proc_register_sysctl(path, std::move(read)) == 0) m->sysfs_paths.push_back(path);
  };
  add("initstate", [m] { return std::string(state_name(m->state.load())) + "\n"; });
  add("refcnt", [m] { return std::to_string(m->refcnt.load()) + "\n"; });
  add("taint", [m] { return taint_letters(m) + "\n"; });
  std::string version = modinfo_get(m, "version");
  if (!version.empty()) add("version", [version] { return version + "\n"; });
}

void remove_sysfs(loaded_module* m) {
  for (const std::string& p : m->sysfs_paths) proc_unregister_sysctl(p);
  m->sysfs_paths.clear();
}

// ---- the mapped image ----------------------------------------------------------------------------

struct range_query {
  std::uintptr_t base;
  std::uintptr_t lo = UINTPTR_MAX, hi = 0;
};

int image_range_cb(dl_phdr_info* info, std::size_t, void* data) {
  auto* q = static_cast<range_query*>(data);
  if (info->dlpi_addr != q->base) return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    q->lo = std::min<std::uintptr_t>(q->lo, info->dlpi_addr + ph.p_vaddr);
    q->hi = std::max<std::uintptr_t>(q->hi, info->dlpi_addr + ph.p_vaddr + ph.p_memsz);
  }
  return 1;
}

bool in_image(const loaded_module* m, const void* p) {
  auto a = reinterpret_cast<std::uintptr_t>(p);
  return a >= m->lo && a < m->hi;
}

// ---- the unload check -----------------------------------------------------------------------------

// The thread function of a kthread, or null. The scan races with unrelated threads on purpose:
// one being born is in the task list before its trampoline stores threadfn, and a kworker being
// bound updates other bits of p->flags (both seen by TSan in CI). PF_KTHREAD itself is set before
// the task is published and never changes, and a module's own thread has threadfn set before
// kthread_create() returns to the module, i.e. before any rmmod: the racy reads are benign.
KTL_DATA_RACY const void* kthread_fn_snapshot(const task_struct* p, kthread** out) {
  *out = nullptr;
  if (!(__atomic_load_n(&p->flags, __ATOMIC_RELAXED) & PF_KTHREAD)) return nullptr;
  kthread* k = p->worker_private;
  if (!k) return nullptr;
  *out = k;
  return reinterpret_cast<const void*>(__atomic_load_n(&k->threadfn, __ATOMIC_RELAXED));
}

// Everything that can still enter the module's image after module_exit. Each finding is reported
// with a WARNING naming the module and the object; returns how many were found.
int unload_check(loaded_module* m) {
  std::vector<std::string> found;
  const char* mn = m->name.c_str();
  char buf[256];

  // Kernel threads whose thread function is in the module and that have not exited.
  std::vector<task_struct*> tasks = snapshot_tasks();
  for (task_struct* p : tasks) {
    kthread* k = nullptr;
    const void* fn = kthread_fn_snapshot(p, &k);
    if (!k || !in_image(m, fn)) continue;
    if (p->exit_state.load() != 0 || task_state(p) == TASK_DEAD) continue;
    // kthread_exit / kthread_complete_and_exit: the thread runs only core code from there on.
    if (k->flags.load() & (1ul << KTHREAD_EXITING)) continue;
    std::snprintf(buf, sizeof buf, "kthread %s (pid %d) still runs %s", p->comm, p->pid,
                  sym(fn).c_str());
    found.emplace_back(buf);
  }
  // Tasks sleeping on a wait queue that lives in the module.
  for (task_struct* p : tasks) {
    const void* wq = p->wait_head.load(std::memory_order_relaxed);
    if (wq && in_image(m, wq) && !task_is_running(p)) {
      std::snprintf(buf, sizeof buf, "task %s (pid %d) still sleeps on wait queue %p", p->comm,
                    p->pid, wq);
      found.emplace_back(buf);
    }
  }
  put_task_snapshot(tasks);

  std::vector<std::string> tf;
  internal::visit_timers([&](timer_list* t, bool running) {
    const void* fn = reinterpret_cast<const void*>(t->function);
    const char* what = "timer";
    if (internal::is_delayed_work_timer(t)) {
      auto* dw = container_of(t, delayed_work, timer);
      fn = reinterpret_cast<const void*>(dw->work.func);
      what = "delayed work";
    }
    if (in_image(m, fn) || in_image(m, t)) {
      char b[200];
      std::snprintf(b, sizeof b, "%s %p (%s) still %s", what, static_cast<void*>(t),
                    sym(fn).c_str(), running ? "running" : "pending");
      tf.emplace_back(b);
    }
  });
  internal::visit_hrtimers([&](hrtimer* t, bool running) {
    const void* fn = reinterpret_cast<const void*>(t->function);
    if (in_image(m, fn) || in_image(m, t)) {
      char b[200];
      std::snprintf(b, sizeof b, "hrtimer %p (%s) still %s", static_cast<void*>(t),
                    sym(fn).c_str(), running ? "running" : "queued");
      tf.emplace_back(b);
    }
  });
  internal::visit_tasklets([&](tasklet_struct* t, bool running) {
    const void* fn = t->use_callback ? reinterpret_cast<const void*>(t->callback)
                                     : reinterpret_cast<const void*>(t->func);
    if (in_image(m, fn) || in_image(m, t)) {
      char b[200];
      std::snprintf(b, sizeof b, "tasklet %p (%s) still %s", static_cast<void*>(t),
                    sym(fn).c_str(), running ? "running" : "scheduled");
      tf.emplace_back(b);
    }
  });
  internal::visit_work([&](work_struct* w, work_func_t func, bool running) {
    const void* fn = reinterpret_cast<const void*>(func);
    if (in_image(m, fn) || in_image(m, w)) {
      char b[200];
      std::snprintf(b, sizeof b, "work item %p (%s) still %s", static_cast<void*>(w),
                    sym(fn).c_str(), running ? "running" : "queued");
      tf.emplace_back(b);
    }
  });
  found.insert(found.end(), tf.begin(), tf.end());

  // /proc, sysfs, debugfs and device entries whose operations live in the module: removed (nothing
  // can reach them afterwards) and reported.
  std::vector<std::string> stale;
  for_each_fs_entry([&](const std::string& path, const void* ops, const void* data) {
    if (in_image(m, ops) || (data && in_image(m, data))) stale.push_back(path);
  });
  for (const std::string& path : stale) {
    found.push_back("entry " + path + " still registered (removed now)");
    remove_fs_entry(path);
  }

  for (const std::string& f : found)
    WARN(1, "module %s: %s after module_exit; keeping its code mapped\n", mn, f.c_str());
  return static_cast<int>(found.size());
}

// Leaked memory is reported, not reclaimed (as in Linux). The module's data stays mapped then:
// the leaked blocks stay reachable through it, so a leak checker does not report them again.
bool report_leaks(loaded_module* m) {
  long bytes = m->kmalloc_bytes.load(), count = m->kmalloc_count.load();
  if (count <= 0) return false;
  printk(KERN_WARNING "%s: %ld bytes in %ld allocations not freed at unload (memory leak)\n",
         m->name.c_str(), bytes, count);
  return true;
}

void unmap(loaded_module* m) {
  {
    spin_guard g(g_modules_lock);
    auto& v = mapped_modules();
    v.erase(std::remove(v.begin(), v.end(), m), v.end());
  }
  if (m->handle) dlclose(m->handle);
  m->handle = nullptr;
  if (m->memfd >= 0) close(m->memfd);
  m->memfd = -1;
}

// A record whose image is unmapped is unreachable: no list holds it, the struct module that
// pointed at it is gone with the image, and no memory is still charged to it (else the image
// would have been kept). Its charp parameter copies go with it.
void free_record(loaded_module* m) {
  for (void* p : m->kept) std::free(p);
  delete m;
}

void unpublish(loaded_module* m) {
  spin_guard g(g_modules_lock);
  auto& v = live_modules();
  v.erase(std::remove(v.begin(), v.end(), m), v.end());
}

// After module_exit (or a failed module_init): check, report, unmap unless something remains.
// Frees m when it unmaps the image.
void finish_unload(loaded_module* m) {
  m->state.store(mod_state::going);
  remove_sysfs(m);
  int left = unload_check(m);
  bool leaked = report_leaks(m);
  unpublish(m);
  m->state.store(mod_state::gone);
  if (left == 0 && !leaked) {
    unmap(m);
    free_record(m);
  }
}

std::string resolve_path(const std::string& arg) {
  if (arg.find('/') != std::string::npos) return arg;
  std::string name = arg;
  if (name.size() < 3 || name.compare(name.size() - 3, 3, ".ko") != 0) name += ".ko";
  for (const std::string& dir : search_path()) {
    std::string p = dir + "/" + name;
    if (access(p.c_str(), R_OK) == 0) return p;
  }
  return name;
}

std::string errno_text(int err) {
  switch (err) {
    case ENOEXEC: return "Invalid module format";
    case ENOENT: return "Unknown symbol in module";
    case EINVAL: return "Invalid parameters";
    default: return std::strerror(err);
  }
}

// "undefined symbol: ktl_foo" -> "foo"
std::string unknown_symbol(const char* err) {
  const char* p = err ? std::strstr(err, "undefined symbol: ") : nullptr;
  if (!p) return "";
  std::string sym = p + std::strlen("undefined symbol: ");
  std::size_t cut = sym.find_first_of(" ,(");
  if (cut != std::string::npos) sym.resize(cut);
  if (sym.rfind("ktl_", 0) == 0) sym = sym.substr(4);
  return sym;
}

bool symbolize(const void* addr, bool offset, std::string* out) {
  auto a = reinterpret_cast<std::uintptr_t>(addr);
  spin_guard g(g_modules_lock);
  for (loaded_module* m : mapped_modules()) {
    if (a < m->lo || a >= m->hi) continue;
    std::uintptr_t rel = a - m->load_base;
    auto it = std::upper_bound(m->symbols.begin(), m->symbols.end(), rel,
                               [](std::uintptr_t v, const loaded_module::symbol& s) { return v < s.value; });
    char buf[64];
    if (it == m->symbols.begin()) {
      std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(a));
      *out += buf;
    } else {
      --it;
      *out += it->name;
      if (offset) {
        std::snprintf(buf, sizeof buf, "+0x%lx/0x%lx", static_cast<unsigned long>(rel - it->value),
                      static_cast<unsigned long>(it->size));
        *out += buf;
      }
    }
    *out += " [" + m->name + "]";
    return true;
  }
  return false;
}

void modules_linked_in(char* buf, unsigned long size) {
  std::string s;
  {
    spin_guard g(g_modules_lock);
    auto& v = live_modules();
    for (auto it = v.rbegin(); it != v.rend(); ++it) s += " " + (*it)->name + "(" + taint_letters(*it) + ")";
  }
  std::snprintf(buf, size, "%s", s.c_str());
}

}  // namespace

// ---- module_internal.h --------------------------------------------------------------------------

void module_charge(const ::module* owner, long bytes, long count) noexcept {
  if (!owner) return;
  loaded_module* m = record_of_owner(owner);
  if (!m) return;
  m->kmalloc_bytes.fetch_add(bytes, std::memory_order_relaxed);
  m->kmalloc_count.fetch_add(count, std::memory_order_relaxed);
}

void module_keep(const ::module* owner, void* p) {
  static spinlock_t orphans_lock;
  static std::vector<void*> orphans;  // values set for code that is not a loaded module
  loaded_module* m = owner ? record_of_owner(owner) : nullptr;
  spin_guard g(orphans_lock);
  (m ? m->kept : orphans).push_back(p);
}

std::string module_name_of(const void* addr) {
  spin_guard g(g_modules_lock);
  for (loaded_module* m : live_modules())
    if (in_image(m, addr)) return m->name;
  return "";
}

}  // namespace ktl::compat

// ---- the public API (include/ktl/kernel/module.h) -------------------------------------------------

namespace ktl {

using compat::loaded_module;

int load_module(const std::string& path_arg, const std::string& args, std::string* msg) {
  using namespace compat;
  auto fail = [&](int err, const std::string& what) {
    if (msg) *msg = what;
    return -err;
  };
  modules_linked_in_hook.store(modules_linked_in, std::memory_order_release);
  internal::module_symbolize_hook.store(symbolize, std::memory_order_release);
  purge_stale();
  mutex_lock(&g_module_mutex);
  struct unlock_on_exit {
    ~unlock_on_exit() { mutex_unlock(&g_module_mutex); }
  } unlock_guard;

  std::string path = resolve_path(path_arg);
  std::string img;
  if (read_file(path, &img) < 0)
    return fail(ENOENT, "insmod: ERROR: could not load module " + path_arg +
                            ": No such file or directory");
  auto m = std::make_unique<loaded_module>();
  m->path = path;
  if (parse_modinfo(img, &m->modinfo) < 0)
    return fail(ENOEXEC, "insmod: ERROR: could not insert module " + path_arg + ": " +
                             errno_text(ENOEXEC));

  std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  m->memfd = memfd_create(base.c_str(), MFD_CLOEXEC);
  if (m->memfd < 0 || write(m->memfd, img.data(), img.size()) != static_cast<ssize_t>(img.size())) {
    if (m->memfd >= 0) close(m->memfd);
    return fail(ENOMEM, "insmod: ERROR: could not insert module " + path_arg + ": " +
                            errno_text(ENOMEM));
  }
  std::string fdpath = "/proc/self/fd/" + std::to_string(m->memfd);
  m->handle = dlopen(fdpath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!m->handle) {
    const char* err = dlerror();
    close(m->memfd);
    std::string sym = unknown_symbol(err);
    std::string modname = modinfo_get(m.get(), "name");
    if (modname.empty()) modname = base;
    if (!sym.empty()) {
      printk(KERN_WARNING "%s: Unknown symbol %s (err -2)\n", modname.c_str(), sym.c_str());
      return fail(ENOENT, "insmod: ERROR: could not insert module " + path_arg + ": " +
                              errno_text(ENOENT));
    }
    printk(KERN_ERR "%s: %s\n", modname.c_str(), err ? err : "cannot map");
    return fail(ENOEXEC, "insmod: ERROR: could not insert module " + path_arg + ": " +
                             errno_text(ENOEXEC));
  }
  auto* mod = static_cast<::module*>(dlsym(m->handle, "__this_module"));
  link_map* lm = nullptr;
  dlinfo(m->handle, RTLD_DI_LINKMAP, &lm);
  range_query q{lm ? lm->l_addr : 0};
  dl_iterate_phdr(image_range_cb, &q);
  m->lo = q.lo;
  m->hi = q.hi;
  m->load_base = q.base;
  m->boot = boot_generation;
  parse_symbols(img, &m->symbols);
  if (!mod || !in_image(m.get(), mod)) {
    dlclose(m->handle);
    close(m->memfd);
    printk(KERN_ERR "%s: not a ktl module (no __this_module: build it with ktl_add_module)\n",
           base.c_str());
    return fail(ENOEXEC, "insmod: ERROR: could not insert module " + path_arg + ": " +
                             errno_text(ENOEXEC));
  }
  m->mod = mod;
  m->name = std::string(mod->name, strnlen(mod->name, MODULE_NAME_LEN));
  m->size = ((m->hi - m->lo) + 4095) / 4096 * 4096;
  if (find_live(m->name)) {
    dlclose(m->handle);
    close(m->memfd);
    return fail(EEXIST, "insmod: ERROR: could not insert module " + path_arg + ": File exists");
  }
  // Modules are compiled for CONFIG_HZ=250 (linux/jiffies.h): HZ is a constant in their code.
  if (hz() != 250) {
    dlclose(m->handle);
    close(m->memfd);
    printk(KERN_ERR "%s: built for HZ=250, this kernel runs at HZ=%u (boot with --hz 250)\n",
           m->name.c_str(), hz());
    return fail(ENOEXEC, "insmod: ERROR: could not insert module " + path_arg + ": " +
                             errno_text(ENOEXEC));
  }
  __atomic_store_n(&mod->ktl_private, static_cast<void*>(m.get()), __ATOMIC_RELEASE);

  // Taints, in the kernel's words: every ktl module is built out of the kernel's tree.
  if (g_oot_boot != boot_generation) {
    g_oot_boot = boot_generation;
    g_oot_tainted_this_boot = false;
  }
  if (!g_oot_tainted_this_boot) {
    g_oot_tainted_this_boot = true;
    printk(KERN_WARNING "%s: loading out-of-tree module taints kernel.\n", m->name.c_str());
  }
  add_taint(TAINT_OOT_MODULE);
  std::string license = modinfo_get(m.get(), "license");
  static const char* kGpl[] = {"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
                               "Dual MIT/GPL", "Dual MPL/GPL"};
  bool gpl = std::any_of(std::begin(kGpl), std::end(kGpl), [&](const char* l) { return license == l; });
  if (!gpl) {
    m->tainted_proprietary = true;
    if (license.empty())
      printk(KERN_WARNING "%s: module license 'unspecified' taints kernel.\n", m->name.c_str());
    else
      printk(KERN_WARNING "%s: module license '%s' taints kernel.\n", m->name.c_str(), license.c_str());
    add_taint(TAINT_PROPRIETARY_MODULE);
  }

  loaded_module* rec = m.release();  // freed by finish_unload once its image is unmapped
  {
    spin_guard g(g_modules_lock);
    live_modules().push_back(rec);
    mapped_modules().push_back(rec);
  }
  int r = apply_args(rec, args);
  if (r < 0) {
    unpublish(rec);
    rec->state.store(mod_state::gone);
    unmap(rec);
    free_record(rec);
    return fail(-r, "insmod: ERROR: could not insert module " + path_arg + ": " + errno_text(-r));
  }
  add_sysfs(rec);
  int ret = mod->init ? mod->init() : 0;
  if (ret > 0) {
    printk(KERN_WARNING "do_init_module: '%s'->init suspiciously returned %d, it should follow 0/-E convention\n",
           rec->name.c_str(), ret);
    printk(KERN_WARNING "do_init_module: loading module anyway...\n");
    ret = 0;
  }
  if (ret < 0) {
    finish_unload(rec);
    return fail(-ret, "insmod: ERROR: could not insert module " + path_arg + ": " + errno_text(-ret));
  }
  rec->state.store(mod_state::live);
  return 0;
}

int unload_module(const std::string& name_arg, std::string* msg) {
  using namespace compat;
  std::string name = name_arg;
  if (std::size_t s = name.rfind('/'); s != std::string::npos) name = name.substr(s + 1);
  if (name.size() > 3 && name.compare(name.size() - 3, 3, ".ko") == 0) name.resize(name.size() - 3);
  std::replace(name.begin(), name.end(), '-', '_');
  mutex_lock(&g_module_mutex);
  struct unlock_on_exit {
    ~unlock_on_exit() { mutex_unlock(&g_module_mutex); }
  } unlock_guard;
  loaded_module* m = find_live(name);
  if (!m || m->state.load() != mod_state::live) {
    if (msg) *msg = "rmmod: ERROR: Module " + name + " is not currently loaded";
    return -ENOENT;
  }
  if (m->refcnt.load() > 0) {
    if (msg) *msg = "rmmod: ERROR: Module " + name + " is in use";
    return -EBUSY;
  }
  if (m->mod->init && !m->mod->exit) {
    if (msg) *msg = "rmmod: ERROR: could not remove module " + name + ": Device or resource busy";
    return -EBUSY;
  }
  m->state.store(mod_state::going);
  if (m->mod->exit) m->mod->exit();
  finish_unload(m);
  return 0;
}

std::string lsmod_text() {
  using namespace compat;
  purge_stale();
  std::string out = "Module                  Size  Used by\n";
  spin_guard g(g_modules_lock);
  auto& v = live_modules();
  char line[160];
  for (auto it = v.rbegin(); it != v.rend(); ++it) {
    std::snprintf(line, sizeof line, "%-19s %8lu  %d\n", (*it)->name.c_str(), (*it)->size,
                  (*it)->refcnt.load());
    out += line;
  }
  return out;
}

std::string proc_modules_text() {
  using namespace compat;
  purge_stale();
  std::string out;
  spin_guard g(g_modules_lock);
  auto& v = live_modules();
  char line[200];
  for (auto it = v.rbegin(); it != v.rend(); ++it) {
    const char* st = (*it)->state.load() == mod_state::live ? "Live"
                     : (*it)->state.load() == mod_state::coming ? "Loading" : "Unloading";
    std::snprintf(line, sizeof line, "%s %lu %d - %s 0x0000000000000000 (%s)\n",
                  (*it)->name.c_str(), (*it)->size, (*it)->refcnt.load(), st,
                  taint_letters(*it).c_str());
    out += line;
  }
  return out;
}

int modinfo_text(const std::string& arg, std::string* out) {
  using namespace compat;
  std::string path;
  {
    loaded_module* live = find_live(arg);
    path = live ? live->path : resolve_path(arg);
  }
  std::string img;
  if (read_file(path, &img) < 0) return -ENOENT;
  std::vector<std::pair<std::string, std::string>> info;
  if (parse_modinfo(img, &info) < 0) return -ENOEXEC;
  auto line = [](const std::string& k, const std::string& v) {
    std::string key = k + ":";
    if (key.size() < 16) key.resize(16, ' ');
    return key + v + "\n";
  };
  std::string s = line("filename", path);
  std::map<std::string, std::string> parm_desc, parm_type;
  std::vector<std::string> parm_order;
  for (const auto& [t, v] : info) {
    if (t == "parm" || t == "parmtype") {
      std::size_t c = v.find(':');
      std::string p = v.substr(0, c), rest = c == std::string::npos ? "" : v.substr(c + 1);
      if (std::find(parm_order.begin(), parm_order.end(), p) == parm_order.end()) parm_order.push_back(p);
      (t == "parm" ? parm_desc : parm_type)[p] = rest;
      continue;
    }
    s += line(t, v);
  }
  for (const std::string& p : parm_order) {
    std::string v = p + ":" + parm_desc[p];
    if (!parm_type[p].empty()) v += " (" + parm_type[p] + ")";
    s += line("parm", v);
  }
  *out = s;
  return 0;
}

std::vector<std::string> loaded_modules() {
  using namespace compat;
  purge_stale();
  std::vector<std::string> out;
  spin_guard g(g_modules_lock);
  for (loaded_module* m : live_modules()) out.push_back(m->name);
  return out;
}

void module_search_path_add(const std::string& dir) {
  using namespace compat;
  auto& v = search_path();
  if (std::find(v.begin(), v.end(), dir) == v.end()) v.push_back(dir);
}

}  // namespace ktl

// ---- the C side: <linux/module.h> ---------------------------------------------------------------

extern "C" {

bool ktl_try_module_get(::module* mod) {
  if (!mod) return true;
  auto* m = ktl::compat::record_of_owner(mod);
  if (!m || m->state.load() == ktl::compat::mod_state::going ||
      m->state.load() == ktl::compat::mod_state::gone)
    return false;
  m->refcnt.fetch_add(1);
  return true;
}

void ktl_module_put(::module* mod) {
  if (!mod) return;
  if (auto* m = ktl::compat::record_of_owner(mod)) m->refcnt.fetch_sub(1);
}

void ktl___module_get(::module* mod) {
  if (!mod) return;
  if (auto* m = ktl::compat::record_of_owner(mod)) m->refcnt.fetch_add(1);
}

const char* ktl_module_name(const ::module* mod) { return mod ? mod->name : "kernel"; }

}  // extern "C"

// ---- console commands ---------------------------------------------------------------------------

namespace {

int cmd_insmod(const std::vector<std::string>& argv, std::string* out) {
  if (argv.size() < 2) {
    *out = "Usage:\n\tinsmod [options] filename [args]\n";
    return 1;
  }
  std::string args;
  for (std::size_t i = 2; i < argv.size(); ++i) args += (i > 2 ? " " : "") + argv[i];
  std::string msg;
  int r = ktl::load_module(argv[1], args, &msg);
  if (r < 0) *out = msg + "\n";
  return r < 0 ? 1 : 0;
}

int cmd_rmmod(const std::vector<std::string>& argv, std::string* out) {
  if (argv.size() < 2) {
    *out = "rmmod: ERROR: missing module name.\n";
    return 1;
  }
  int status = 0;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "-f" || argv[i] == "-v" || argv[i] == "-s") continue;
    std::string msg;
    if (ktl::unload_module(argv[i], &msg) < 0) {
      *out += msg + "\n";
      status = 1;
    }
  }
  return status;
}

int cmd_lsmod(const std::vector<std::string>&, std::string* out) {
  *out = ktl::lsmod_text();
  return 0;
}

int cmd_modinfo(const std::vector<std::string>& argv, std::string* out) {
  std::string field, target;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "-F" && i + 1 < argv.size()) {
      field = argv[++i];
    } else {
      target = argv[i];
    }
  }
  if (target.empty()) {
    *out = "modinfo: ERROR: missing module or filename.\n";
    return 1;
  }
  std::string text;
  if (ktl::modinfo_text(target, &text) < 0) {
    *out = "modinfo: ERROR: Module " + target + " not found.\n";
    return 1;
  }
  if (field.empty()) {
    *out = text;
    return 0;
  }
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    if (l.rfind(field + ":", 0) != 0) continue;
    std::size_t v = field.size() + 1;
    while (v < l.size() && l[v] == ' ') ++v;
    *out += l.substr(v) + "\n";
  }
  return 0;
}

struct register_commands {
  register_commands() {
    ktl::shell_register_command("insmod", "insmod FILE [PARAM=VALUE...]  load a module (.ko built with ktl_add_module)", cmd_insmod);
    ktl::shell_register_command("rmmod", "rmmod NAME                  unload a module", cmd_rmmod);
    ktl::shell_register_command("lsmod", "lsmod                       the loaded modules", cmd_lsmod);
    ktl::shell_register_command("modinfo", "modinfo [-F FIELD] FILE|NAME  a module's .modinfo", cmd_modinfo);
  }
} g_register_commands;

}  // namespace

// Until the fs shim provides them (compat/src/fs_internal.h), nothing is registered.
namespace ktl::compat {
__attribute__((weak)) void for_each_fs_entry(
    const std::function<void(const std::string&, const void*, const void*)>&) {}
__attribute__((weak)) void remove_fs_entry(const std::string&) {}
}  // namespace ktl::compat
