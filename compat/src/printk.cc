// <linux/printk.h>: printk, vprintk, dump_stack.
#include <cstdarg>

#include "ktl/base/bug.h"
#include "ktl/kernel/printk.h"
#include "ktl/sched/sched.h"
#include "ktl/sched/task.h"

extern "C" {

int ktl_vprintk(const char* fmt, va_list args) { return ktl::vprintk(fmt, args); }

int ktl_printk(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = ktl::vprintk(fmt, ap);
  va_end(ap);
  return n;
}

// The kernel's dump_stack() header and the caller; ktl keeps no unwinder for fibers, so the trace
// holds the one frame it can name.
__attribute__((noinline)) void ktl_dump_stack(void) {
  ktl::task_struct* p = ktl::get_current();
  ktl::printk(KERN_DEFAULT "CPU: %d UID: 0 PID: %d Comm: %.16s %s 6.18.0-ktl #1\n",
              ktl::smp_processor_id(), p->pid, p->comm, ktl::print_tainted());
  ktl::printk(KERN_DEFAULT "Call Trace:\n");
  ktl::printk(KERN_DEFAULT " <TASK>\n");
  ktl::printk(KERN_DEFAULT " %pS\n", __builtin_return_address(0));
  ktl::printk(KERN_DEFAULT " </TASK>\n");
}

}  // extern "C"
