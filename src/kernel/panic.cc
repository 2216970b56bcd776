// WARN, BUG, panic, taint and might_sleep() reports (kernel/panic.c, kernel/sched/core.c).
#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ktl/base/bug.h"
#include "ktl/base/err.h"
#include "ktl/kernel/printk.h"
#include "ktl/sched/preempt.h"
#include "ktl/sched/sched.h"
#include "ktl/time/jiffies.h"
#include "kernel/kernel_internal.h"
#include "sched/sched_internal.h"

namespace ktl {

unsigned boot_generation = 1;
std::atomic<modules_linked_in_fn> modules_linked_in_hook{nullptr};

namespace {
std::atomic<unsigned long> g_taint{0};
// Rate limits of the "once a second" reports, in jiffies (0 = never reported this boot).
std::atomic<unsigned long> g_might_sleep_prev{0};
std::atomic<unsigned> g_oops_count{0};

const char* short_file(const char* file) {
  // Paths as the kernel prints them: relative to the source root.
#ifdef KTL_SOURCE_DIR
  constexpr std::size_t kRootLen = sizeof(KTL_SOURCE_DIR) - 1;
  if (std::strncmp(file, KTL_SOURCE_DIR, kRootLen) == 0) return file + kRootLen;
#endif
  for (const char* dir : {"/src/", "/tests/", "/examples/"})
    if (const char* p = std::strstr(file, dir)) return p + 1;
  return file;
}

// "Modules linked in: a(O) b(PO)" when the module loader is part of the program.
void print_modules() {
  modules_linked_in_fn fn = modules_linked_in_hook.load(std::memory_order_acquire);
  if (!fn) return;
  char buf[256];
  fn(buf, sizeof(buf));
  printk(KERN_WARNING "Modules linked in:%s\n", buf);
}

void print_task_line(task_struct* p) {
  printk(KERN_WARNING "CPU: %d UID: 0 PID: %d Comm: %.16s %s 6.18.0-ktl #1\n",
         smp_processor_id(), p->pid, p->comm, print_tainted());
}
}  // namespace

void add_taint(taint_flag flag) noexcept { g_taint.fetch_or(1ul << flag, std::memory_order_relaxed); }
unsigned long get_taint() noexcept { return g_taint.load(std::memory_order_relaxed); }

const char* print_tainted() noexcept {
  // "Tainted: " followed by one column per flag (kernel/panic.c taint_flags[]), ' ' when clear.
  static thread_local char buf[64];
  unsigned long t = get_taint();
  if (!t) return "Not tainted";
  static const char kFlags[] = "PFSRMBUDAWCIOELKXTN";
  std::strcpy(buf, "Tainted: ");
  char* out = buf + std::strlen(buf);
  for (int i = 0; kFlags[i]; ++i) {
    bool set = (t >> i) & 1;
    *out++ = set ? kFlags[i] : (i == 0 ? 'G' : ' ');
  }
  *out = 0;
  return buf;
}

void warn_slowpath(const char* file, int line, const char* func, const char* fmt, ...) {
  task_struct* p = get_current();
  printk(KERN_WARNING "------------[ cut here ]------------\n");
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    std::string msg = internal::kvformat(fmt, ap);  // the kernel's %p extensions (%ps, %pe)
    va_end(ap);
    printk(KERN_WARNING "%s", msg.c_str());
  }
  printk(KERN_WARNING "WARNING: CPU: %d PID: %d at %s:%d %s\n", smp_processor_id(), p->pid,
         short_file(file), line, func);
  print_modules();
  add_taint(TAINT_WARN);
  print_task_line(p);
  printk(KERN_WARNING "---[ end trace 0000000000000000 ]---\n");
}

[[noreturn]] void bug_slowpath(const char* file, int line, const char* func) {
  task_struct* p = get_current();
  printk(KERN_CRIT "------------[ cut here ]------------\n");
  printk(KERN_CRIT "kernel BUG at %s:%d!\n", short_file(file), line);
  printk(KERN_EMERG "Oops: invalid opcode: 0000 [#%u] SMP\n", g_oops_count.fetch_add(1) + 1);
  add_taint(TAINT_DIE);
  print_task_line(p);
  printk(KERN_EMERG "RIP: %s\n", func);
  panic("Fatal exception");
}

[[noreturn]] void panic(const char* fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  printk(KERN_EMERG "Kernel panic - not syncing: %s\n", msg);
  console_flush();
  printk(KERN_EMERG "---[ end Kernel panic - not syncing: %s ]---\n", msg);
  console_flush();
  std::fflush(nullptr);
  std::abort();
}

void __might_sleep(const char* file, int line) noexcept {
  task_struct* p = get_current();
  int pc = p->preempt_count;
  bool irqs_off = p->irqs_disabled != 0;
  internal::rq* rq = internal::this_rq();
  bool in_irq_work = rq && rq->irq_depth;
  if (KTL_LIKELY(!pc && !irqs_off && !in_irq_work)) return;
  // One report a second at most, as the kernel's __might_resched() rate limit.
  unsigned long now = get_jiffies();
  unsigned long prev = g_might_sleep_prev.load(std::memory_order_relaxed);
  if (prev && time_before(now, prev + hz())) return;
  g_might_sleep_prev.store(now ? now : 1, std::memory_order_relaxed);
  printk(KERN_ERR "BUG: sleeping function called from invalid context at %s:%d\n",
         short_file(file), line);
  printk(KERN_ERR "in_atomic(): %d, irqs_disabled(): %d, non_block: 0, pid: %d, name: %s\n",
         pc != 0 || in_irq_work, irqs_off, p->pid, p->comm);
  printk(KERN_ERR "preempt_count: %x, expected: 0\n", pc);
  printk(KERN_ERR "RCU nest depth: 0, expected: 0\n");
  add_taint(TAINT_WARN);
  print_task_line(p);
}

namespace internal {
// A new boot starts with fresh rate limits (jiffies starts over at INITIAL_JIFFIES).
void reset_report_ratelimits() noexcept {
  g_might_sleep_prev.store(0);
  __atomic_add_fetch(&boot_generation, 1, __ATOMIC_RELAXED);
}
}  // namespace internal

const char* errname(int err) noexcept {
  switch (err < 0 ? -err : err) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case E2BIG: return "E2BIG";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case ENOSPC: return "ENOSPC";
    case ENOSYS: return "ENOSYS";
    case ETIME: return "ETIME";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ECANCELED: return "ECANCELED";
    case ERESTARTSYS: return "ERESTARTSYS";
    default: return nullptr;
  }
}

}  // namespace ktl
