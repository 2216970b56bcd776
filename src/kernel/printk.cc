// The kernel log: a ring of records, and a console written by its own host thread so that
// printk() never blocks a vCPU on the host terminal.
#include "ktl/kernel/printk.h"

#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "kernel/kernel_internal.h"
#include "ktl/sched/sched.h"
#include "ktl/time/jiffies.h"
#include "locking/host_lock.h"
#include "sched/sched_internal.h"

namespace ktl {

namespace {

constexpr std::size_t kMaxRecords = 16384;  // about the 128 KiB of a default log buffer

struct log_state {
  internal::host_lock lock;
  std::deque<log_record> records;
  u64 next_seq = 0;
  int console_loglevel = 7;
  int default_loglevel = 4;  // MESSAGE_LOGLEVEL_DEFAULT
  // Console: text waiting to be written, and the writer thread.
  std::mutex con_mu;
  std::condition_variable con_cv;
  std::deque<std::string> con_queue;
  u64 con_enqueued = 0, con_written = 0;
  int con_fd = 2;
  bool con_thread_running = false;
  bool con_stop = false;
  std::thread con_thread;
} g_log;

std::string format_line(u64 ts, const std::string& text) {
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "[%5lu.%06lu] ", static_cast<unsigned long>(ts / 1000000000),
                static_cast<unsigned long>((ts % 1000000000) / 1000));
  std::string out;
  std::size_t start = 0;
  for (;;) {
    std::size_t nl = text.find('\n', start);
    out += prefix;
    out.append(text, start, nl == std::string::npos ? std::string::npos : nl - start);
    out += '\n';
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

void write_all(int fd, const std::string& s) {
  const char* p = s.data();
  std::size_t left = s.size();
  while (left) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void console_emit(std::string line) {
  std::unique_lock<std::mutex> lk(g_log.con_mu);
  if (g_log.con_fd < 0) return;
  if (!g_log.con_thread_running) {
    // No kernel running (or it is going down): write synchronously.
    write_all(g_log.con_fd, line);
    return;
  }
  g_log.con_queue.push_back(std::move(line));
  g_log.con_enqueued++;
  g_log.con_cv.notify_one();
}

void console_thread_main() {
  std::unique_lock<std::mutex> lk(g_log.con_mu);
  for (;;) {
    g_log.con_cv.wait(lk, [] { return g_log.con_stop || !g_log.con_queue.empty(); });
    while (!g_log.con_queue.empty()) {
      std::string s = std::move(g_log.con_queue.front());
      g_log.con_queue.pop_front();
      int fd = g_log.con_fd;
      lk.unlock();
      if (fd >= 0) write_all(fd, s);
      lk.lock();
      g_log.con_written++;
      g_log.con_cv.notify_all();
    }
    if (g_log.con_stop) return;
  }
}

}  // namespace

namespace internal {

void printk_init(int console_fd, int loglevel) {
  {
    host_lock_guard g(g_log.lock);
    g_log.records.clear();
    g_log.next_seq = 0;
    if (loglevel >= 0) g_log.console_loglevel = loglevel;
  }
  std::lock_guard<std::mutex> lk(g_log.con_mu);
  g_log.con_fd = console_fd;
  if (!g_log.con_thread_running) {
    g_log.con_stop = false;
    g_log.con_thread_running = true;
    g_log.con_thread = std::thread(console_thread_main);
  }
}

void printk_fini() {
  console_flush();
  {
    std::lock_guard<std::mutex> lk(g_log.con_mu);
    if (!g_log.con_thread_running) return;
    g_log.con_stop = true;
    g_log.con_cv.notify_all();
  }
  g_log.con_thread.join();
  std::lock_guard<std::mutex> lk(g_log.con_mu);
  g_log.con_thread_running = false;
}

}  // namespace internal

int vprintk(const char* fmt, va_list args) {
  int level = -1;
  bool cont = false;
  while (fmt[0] == KERN_SOH_ASCII && fmt[1]) {
    char c = fmt[1];
    if (c >= '0' && c <= '7')
      level = c - '0';
    else if (c == 'c')
      cont = true;
    fmt += 2;
  }
  std::string text;
  int n;
  if (KTL_UNLIKELY(internal::format_has_kernel_ext(fmt))) {
    text = internal::kvformat(fmt, args);  // %pe, %ps, %pS, %pB
    n = static_cast<int>(text.size());
  } else {
    char buf[1024];
    va_list ap;
    va_copy(ap, args);
    n = std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n >= static_cast<int>(sizeof buf)) {
      text.resize(static_cast<std::size_t>(n) + 1);
      va_copy(ap, args);
      std::vsnprintf(text.data(), text.size(), fmt, ap);
      va_end(ap);
      text.resize(static_cast<std::size_t>(n));
    } else if (n > 0) {
      text.assign(buf, static_cast<std::size_t>(n));
    }
  }
  bool had_newline = !text.empty() && text.back() == '\n';
  if (had_newline) text.pop_back();

  u64 ts = ktime_get_ns();
  int cpu = internal::this_rq() ? internal::this_rq()->cpu : -1;
  std::string line;
  bool to_console;
  {
    internal::host_lock_guard g(g_log.lock);
    if (cont && !g_log.records.empty()) {
      log_record& last = g_log.records.back();
      last.text += text;
      to_console = last.level < g_log.console_loglevel;
      line = text + (had_newline ? "\n" : "");
    } else {
      if (level < 0) level = g_log.default_loglevel;
      log_record r{g_log.next_seq++, ts, level, cpu, text};
      to_console = level < g_log.console_loglevel;
      line = format_line(ts, r.text);
      g_log.records.push_back(std::move(r));
      if (g_log.records.size() > kMaxRecords) g_log.records.pop_front();
    }
  }
  if (to_console) console_emit(std::move(line));
  return n;
}

int printk(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vprintk(fmt, ap);
  va_end(ap);
  return n;
}

std::string dmesg() {
  internal::host_lock_guard g(g_log.lock);
  std::string out;
  for (const auto& r : g_log.records) out += format_line(r.ts_nsec, r.text);
  return out;
}

std::vector<log_record> log_records() {
  internal::host_lock_guard g(g_log.lock);
  return {g_log.records.begin(), g_log.records.end()};
}

void log_clear() {
  internal::host_lock_guard g(g_log.lock);
  g_log.records.clear();
}

int console_loglevel() noexcept { return g_log.console_loglevel; }
void set_console_loglevel(int level) noexcept {
  if (level >= 0 && level <= 15) g_log.console_loglevel = level;
}
void set_console_fd(int fd) noexcept {
  std::lock_guard<std::mutex> lk(g_log.con_mu);
  g_log.con_fd = fd;
}

void console_write(std::string_view text) {
  if (!text.empty()) console_emit(std::string(text));
}

void console_flush() noexcept {
  std::unique_lock<std::mutex> lk(g_log.con_mu);
  if (!g_log.con_thread_running) return;
  u64 target = g_log.con_enqueued;
  g_log.con_cv.wait(lk, [&] { return g_log.con_written >= target || g_log.con_stop; });
}

}  // namespace ktl
