// Private task-lifetime helpers shared by sched/, kernel/ and kthread/.
#pragma once

#include <atomic>

#include <cstdarg>
#include <string>

#include "ktl/sched/task.h"

namespace ktl::internal {

task_struct* alloc_task_struct() noexcept;
void free_task_struct(task_struct* p) noexcept;
// The task everything created from a host thread hangs under (swapper/0, pid 0).
task_struct* init_task() noexcept;
void fork_init(int nr_cpus);
void fork_fini();
void printk_init(int console_fd, int loglevel);
// vsprintf.cc: does fmt use a kernel %p extension (%pe %ps %pS %pB)? And the formatter for it.
bool format_has_kernel_ext(const char* fmt) noexcept;
std::string kvformat(const char* fmt, va_list args);
// Set by the module loader: names an address inside a loaded module's image for %ps/%pS
// ("fire [mymod]", "fire+0x10/0x40 [mymod]"); false if the address is not in a module.
using module_symbolize_fn = bool (*)(const void* addr, bool offset, std::string* out);
extern std::atomic<module_symbolize_fn> module_symbolize_hook;
void printk_fini();
// Release the calling task for the last time (TASK_DEAD + final schedule()).
[[noreturn]] void do_task_dead();
void reset_report_ratelimits() noexcept;

}  // namespace ktl::internal

namespace ktl {
[[noreturn]] void do_exit(long code);
}
