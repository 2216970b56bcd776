// printk: the kernel log.
//
// Records go into a ring buffer with a level, a timestamp from the machine clock and the CPU; the
// console prints those below console_loglevel as "[    1.234567] text". dmesg() reads the buffer
// back. The format language is C printf plus the kernel's KERN_<LEVEL> prefixes ("\001" "3" ...)
// and its %p extensions: %pe (ERR_PTR -> "-EINVAL"), %ps / %pS / %pB (a code address as its
// symbol, where the host can name it, else 0x<address>).
//
// Context: any (task, timer callback, a host thread that is not a task). printk never sleeps and
// never blocks a vCPU on the host console: the console is written by a separate host thread.
#pragma once

#include <cstdarg>
#include <string>
#include <string_view>
#include <vector>

#include "ktl/base/bug.h"
#include "ktl/base/compiler.h"

#define KERN_SOH "\001"
#define KERN_SOH_ASCII '\001'
#define KERN_EMERG KERN_SOH "0"
#define KERN_ALERT KERN_SOH "1"
#define KERN_CRIT KERN_SOH "2"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"
#define KERN_DEFAULT ""
#define KERN_CONT KERN_SOH "c"

#define LOGLEVEL_EMERG 0
#define LOGLEVEL_ALERT 1
#define LOGLEVEL_CRIT 2
#define LOGLEVEL_ERR 3
#define LOGLEVEL_WARNING 4
#define LOGLEVEL_NOTICE 5
#define LOGLEVEL_INFO 6
#define LOGLEVEL_DEBUG 7

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

namespace ktl {

int printk(const char* fmt, ...) KTL_PRINTF(1, 2);
int vprintk(const char* fmt, va_list args);

struct log_record {
  u64 seq;
  u64 ts_nsec;      // machine clock at the time of the printk
  int level;        // LOGLEVEL_*
  int cpu;          // vCPU that logged it, -1 for a host thread
  std::string text; // without the trailing newline
};

// The whole buffer as dmesg prints it: one "[    0.000000] text" line per record.
std::string dmesg();
std::vector<log_record> log_records();
void log_clear();

// console_loglevel: records with level < this are printed on the console (default 7, as
// CONSOLE_LOGLEVEL_DEFAULT; `quiet` makes it 4).
int console_loglevel() noexcept;
void set_console_loglevel(int level) noexcept;
// Where the console goes (default: stderr). nullptr silences it (tests).
void set_console_fd(int fd) noexcept;
// Wait until every record logged so far has been written to the console.
void console_flush() noexcept;
// What a task writes to /dev/console (init's shell, the demo): queued with the printk lines so
// the two stay in order, written by the console thread (never blocks a vCPU on the terminal),
// not stored in the log. Written directly when no kernel is running; dropped when the console
// is off (fd -1).
void console_write(std::string_view text);

}  // namespace ktl

#define pr_emerg(fmt, ...) ::ktl::printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...) ::ktl::printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...) ::ktl::printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) ::ktl::printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) ::ktl::printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) ::ktl::printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) ::ktl::printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...) ::ktl::printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...) ::ktl::printk(KERN_CONT fmt, ##__VA_ARGS__)
// Once per boot (Linux: once per module lifetime; a ktl process may boot several kernels).
#define printk_once(fmt, ...)                                    \
  ({                                                             \
    static unsigned __print_once_gen;                            \
    bool __print_now = __KTL_ONCE_THIS_BOOT(__print_once_gen);   \
    if (__print_now) ::ktl::printk(fmt, ##__VA_ARGS__);          \
    __print_now;                                                 \
  })
#define pr_err_once(fmt, ...) printk_once(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn_once(fmt, ...) printk_once(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info_once(fmt, ...) printk_once(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
