// /proc files (fs/proc/array.c, base.c, loadavg.c, stat.c, uptime.c; kernel/sysctl.c).
#include "ktl/kernel/trace.h"
#include "ktl/fs/proc.h"

#include <bit>
#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

#include "fs/proc_internal.h"
#include "ktl/kernel/fork.h"
#include "ktl/kernel/interrupt.h"
#include "ktl/sched/sched.h"
#include "ktl/time/jiffies.h"
#include "sched/sched_internal.h"

namespace ktl {

using internal::proc_task_info;

namespace {

KTL_PRINTF(2, 3) void appendf(std::string* s, const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0) s->append(buf, static_cast<std::size_t>(n) < sizeof buf ? static_cast<std::size_t>(n)
                                                                      : sizeof buf - 1);
}

// "Name:" escaping: only newline and backslash (seq_escape_str(..., "\n\\")).
std::string escape_name(const std::string& in) {
  std::string out;
  for (char c : in) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\\')
      out += "\\\\";
    else
      out += c;
  }
  return out;
}

// RLIMIT_SIGPENDING of init: max_threads / 2 (fork_init()).
int sigpending_limit() { return max_threads() / 2; }

// Mems_allowed: MAX_NUMNODES = 1024 bits, node 0 only.
std::string mems_allowed_hex() {
  std::string s;
  for (int g = 31; g >= 0; --g) {
    s += g ? "00000000" : "00000001";
    if (g) s += ',';
  }
  return s;
}

// Nominal user address-space layout for stat fields 26-28 and 45-51.
constexpr u64 kStartCode = 0x400000;

void vm_lines(std::string* s, const proc_task_info& t) {
  internal::proc_vm_model m = internal::vm_model(t);
  auto line = [s](const char* key, u64 kb) { appendf(s, "%s:\t%8" PRIu64 " kB\n", key, kb); };
  line("VmPeak", m.size_kb);
  line("VmSize", m.size_kb);
  line("VmLck", 0);
  line("VmPin", 0);
  line("VmHWM", m.rss_kb);
  line("VmRSS", m.rss_kb);
  line("RssAnon", m.anon_kb);
  line("RssFile", m.file_kb);
  line("RssShmem", 0);
  line("VmData", m.data_kb);
  line("VmStk", m.stack_kb);
  line("VmExe", m.text_kb);
  line("VmLib", 0);
  line("VmPTE", m.pte_kb);
  line("VmSwap", 0);
  line("HugetlbPages", 0);
  *s += "CoreDumping:\t0\n";
  *s += "THP_enabled:\t1\n";
  *s += "untag_mask:\t0xffffffffffffffff\n";
}

task_struct* lookup(const std::string& pidstr) {
  if (pidstr == "self") {
    task_struct* cur = get_current();
    if (cur->ktl_flags & task_struct::kTaskHost) return nullptr;
    return find_get_task_by_vpid(cur->tgid);
  }
  if (pidstr.empty() || pidstr.size() > 9 || pidstr[0] == '0') return nullptr;
  for (char c : pidstr)
    if (c < '0' || c > '9') return nullptr;
  return find_get_task_by_vpid(std::atoi(pidstr.c_str()));
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = i;
    while (j < path.size() && path[j] != '/') ++j;
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

// --- sysctl table -------------------------------------------------------------------------------
struct sysctl_entry {
  std::function<int(std::string*)> read;
  std::function<int(const std::string&)> write;
};

std::mutex g_sysctl_mu;
// Never destroyed: entries may be unregistered by module destructors that run at exit.
std::map<std::string, sysctl_entry>& extra_sysctls() {
  static std::map<std::string, sysctl_entry>& m = *new std::map<std::string, sysctl_entry>;
  return m;
}

// The registered entry's handlers for `key`, copied out so they run without the lock.
bool find_entry(const std::string& key, sysctl_entry* e) {
  std::lock_guard<std::mutex> g(g_sysctl_mu);
  auto it = extra_sysctls().find(key);
  if (it == extra_sysctls().end()) return false;
  *e = it->second;
  return true;
}

int read_entry(const std::string& key, std::string* out) {
  sysctl_entry e;
  if (!find_entry(key, &e) || !e.read) return -ENOENT;
  return e.read(out);
}

int write_entry(const std::string& key, const std::string& value) {
  sysctl_entry e;
  if (!find_entry(key, &e)) return -ENOENT;
  if (!e.write) return -EACCES;
  return e.write(value);
}

int write_pid_max(const std::string& v) {
  int val = 0;
  int r = proc_dointvec_minmax(v, RESERVED_PIDS + 1, PID_MAX_LIMIT, &val);
  if (r < 0) return r;
  if (r > 0) return 0;
  return set_pid_max(val);
}

int write_threads_max(const std::string& v) {
  int val = 0;
  int r = proc_dointvec_minmax(v, 20, 0x3fffffff, &val);  // MIN_THREADS, FUTEX_TID_MASK
  if (r < 0) return r;
  if (r > 0) return 0;
  return set_max_threads(val);
}

// --- load average (kernel/sched/loadavg.c) ------------------------------------------------------
constexpr int FSHIFT = 11;
constexpr unsigned long FIXED_1 = 1ul << FSHIFT;
constexpr unsigned long EXP_1 = 1884, EXP_5 = 2014, EXP_15 = 2037;
constexpr u64 LOAD_FREQ_NS = 5ull * NSEC_PER_SEC;

unsigned long calc_load(unsigned long load, unsigned long exp, unsigned long active) {
  unsigned long newload = load * exp + active * (FIXED_1 - exp);
  if (active >= load) newload += FIXED_1 - 1;
  return newload / FIXED_1;
}

struct loadavg_state {
  std::mutex mu;
  const void* boot = nullptr;  // which kernel instance the averages belong to
  u64 next_update = 0;         // ktime of the next LOAD_FREQ sample
  unsigned long avenrun[3] = {0, 0, 0};
};
loadavg_state g_load;

struct task_counts {
  unsigned running = 0, uninterruptible = 0, total = 0;
  pid_t newest = 0;
};

task_counts count_tasks() {
  task_counts c;
  auto all = snapshot_tasks();
  for (task_struct* p : all) {
    unsigned w = p->state_word.load(std::memory_order_relaxed);
    unsigned st = w & task_struct::kStateMask;
    bool exited = p->exit_state.load(std::memory_order_relaxed) != 0;
    ++c.total;
    if (exited) continue;
    if (w & task_struct::kOnRqBit)
      ++c.running;
    else if ((st & TASK_UNINTERRUPTIBLE) && !(st & (TASK_NOLOAD | TASK_FROZEN)))
      ++c.uninterruptible;
  }
  // The task list is in creation order: its tail is the newest task.
  if (!all.empty()) c.newest = all.back()->pid;
  put_task_snapshot(all);
  return c;
}

void update_loadavg(unsigned long active_tasks) {
  std::lock_guard<std::mutex> g(g_load.mu);
  u64 now = ktime_get_ns();
  const void* boot = internal::g_kernel.mach;
  if (g_load.boot != boot || now + LOAD_FREQ_NS < g_load.next_update) {
    g_load.boot = boot;
    g_load.avenrun[0] = g_load.avenrun[1] = g_load.avenrun[2] = 0;
    g_load.next_update = LOAD_FREQ_NS;
  }
  unsigned long active = active_tasks * FIXED_1;
  const unsigned long exps[3] = {EXP_1, EXP_5, EXP_15};
  int rounds = 0;
  while (now >= g_load.next_update) {
    if (++rounds > 2000) {  // a very long gap: the averages have converged on `active`
      for (auto& a : g_load.avenrun) a = active;
      g_load.next_update = now - now % LOAD_FREQ_NS + LOAD_FREQ_NS;
      break;
    }
    for (int i = 0; i < 3; ++i) g_load.avenrun[i] = calc_load(g_load.avenrun[i], exps[i], active);
    g_load.next_update += LOAD_FREQ_NS;
  }
}

// --- CPU time per vCPU (see header) -------------------------------------------------------------
struct cpu_times {
  u64 user = 0, nice = 0, system = 0, idle = 0;  // clock ticks
};

std::vector<cpu_times> per_cpu_times() {
  int n = nr_cpu_ids();
  std::vector<cpu_times> v(static_cast<std::size_t>(n > 0 ? n : 1));
  auto all = snapshot_tasks();
  std::vector<u64> user(v.size()), nice(v.size()), sys(v.size());
  for (task_struct* p : all) {
    proc_task_info t = internal::collect_task_info(p, &all);
    std::size_t c = static_cast<std::size_t>(t.cpu) < v.size() ? static_cast<std::size_t>(t.cpu) : 0;
    (t.nice > 0 ? nice : user)[c] += t.utime;
    sys[c] += t.stime;
  }
  put_task_snapshot(all);
  u64 up = nsec_to_clock_t(ktime_get_ns());
  for (std::size_t c = 0; c < v.size(); ++c) {
    v[c].user = nsec_to_clock_t(user[c]);
    v[c].nice = nsec_to_clock_t(nice[c]);
    v[c].system = nsec_to_clock_t(sys[c]);
    u64 busy = v[c].user + v[c].nice + v[c].system;
    v[c].idle = up > busy ? up - busy : 0;
  }
  return v;
}

}  // namespace

KTL_PROC_RACY u64 internal::total_context_switches() {
  u64 n = 0;
  for (int cpu = 0; cpu < internal::g_kernel.nr_cpus; ++cpu) n += internal::cpu_rq(cpu)->nr_switches;
  return n;
}

namespace {

int read_pid_file(task_struct* p, const std::string& file, std::string* out) {
  if (file == "status")
    *out = proc_pid_status(p);
  else if (file == "stat")
    *out = proc_pid_stat(p);
  else if (file == "comm")
    *out = proc_pid_comm(p);
  else if (file == "stack")
    *out = proc_pid_stack(p);
  else if (file == "cmdline")
    *out = proc_pid_cmdline(p);
  else if (file == "wchan")
    *out = proc_pid_wchan(p);
  else
    return -ENOENT;
  return 0;
}

}  // namespace

// ----------------------------------------------------------------------------------------------
// /proc/PID/status (proc_pid_status)
// ----------------------------------------------------------------------------------------------
std::string proc_pid_status(task_struct* p) {
  proc_task_info t = internal::collect_task_info(p);
  bool kthread = t.flags & PF_KTHREAD;
  std::string s;
  s.reserve(1600);
  s += "Name:\t" + escape_name(t.name) + "\n";
  s += "Umask:\t0022\n";
  appendf(&s, "State:\t%s\n", t.state_name);
  appendf(&s, "Tgid:\t%d\n", t.tgid);
  s += "Ngid:\t0\n";
  appendf(&s, "Pid:\t%d\n", t.pid);
  appendf(&s, "PPid:\t%d\n", t.ppid);
  s += "TracerPid:\t0\n";
  s += "Uid:\t0\t0\t0\t0\n";
  s += "Gid:\t0\t0\t0\t0\n";
  s += "FDSize:\t64\n";
  s += "Groups:\t \n";
  appendf(&s, "NStgid:\t%d\n", t.tgid);
  appendf(&s, "NSpid:\t%d\n", t.pid);
  s += "NSpgid:\t0\n";
  s += "NSsid:\t0\n";
  appendf(&s, "Kthread:\t%d\n", kthread ? 1 : 0);
  if (t.has_mm && !kthread) vm_lines(&s, t);
  appendf(&s, "Threads:\t%d\n", t.nr_threads);
  appendf(&s, "SigQ:\t%d/%d\n", std::popcount(t.pending), sigpending_limit());
  appendf(&s, "SigPnd:\t%016" PRIx64 "\n", t.pending);
  s += "ShdPnd:\t0000000000000000\n";
  appendf(&s, "SigBlk:\t%016" PRIx64 "\n", t.blocked);
  appendf(&s, "SigIgn:\t%016" PRIx64 "\n", t.ignored);
  appendf(&s, "SigCgt:\t%016" PRIx64 "\n", t.caught);
  s += "CapInh:\t0000000000000000\n";
  s += "CapPrm:\t000001ffffffffff\n";
  s += "CapEff:\t000001ffffffffff\n";
  s += "CapBnd:\t000001ffffffffff\n";
  s += "CapAmb:\t0000000000000000\n";
  s += "NoNewPrivs:\t0\n";
  s += "Seccomp:\t0\n";
  s += "Seccomp_filters:\t0\n";
  s += "Speculation_Store_Bypass:\tthread vulnerable\n";
  s += "SpeculationIndirectBranch:\tconditional enabled\n";
  s += "Cpus_allowed:\t" + cpumask_to_hex(t.cpus_mask, nr_cpu_ids()) + "\n";
  s += "Cpus_allowed_list:\t" + cpumask_to_list(t.cpus_mask, nr_cpu_ids()) + "\n";
  s += "Mems_allowed:\t" + mems_allowed_hex() + "\n";
  s += "Mems_allowed_list:\t0\n";
  appendf(&s, "voluntary_ctxt_switches:\t%" PRIu64 "\n", t.nvcsw);
  appendf(&s, "nonvoluntary_ctxt_switches:\t%" PRIu64 "\n", t.nivcsw);
  return s;
}

// ----------------------------------------------------------------------------------------------
// /proc/PID/stat (do_task_stat), 52 fields
// ----------------------------------------------------------------------------------------------
std::string proc_pid_stat(task_struct* p) {
  proc_task_info t = internal::collect_task_info(p);
  bool mm = t.has_mm && !(t.flags & PF_KTHREAD);
  internal::proc_vm_model m = internal::vm_model(t);
  constexpr u64 kRlimInfinity = ~u64{0};
  std::string s;
  s.reserve(400);
  appendf(&s, "%d (", t.pid);
  s += t.name;
  appendf(&s, ") %c %d 0 0 0 -1 %u", t.state, t.ppid, t.flags);
  s += " 0 0 0 0";  // minflt cminflt majflt cmajflt
  appendf(&s, " %" PRIu64 " %" PRIu64 " 0 0", nsec_to_clock_t(t.utime), nsec_to_clock_t(t.stime));
  appendf(&s, " %d %d %d 0 %" PRIu64, t.prio, t.nice, t.nr_threads, nsec_to_clock_t(t.start_time));
  if (mm) {
    u64 start_code = kStartCode, end_code = kStartCode + m.text_kb * 1024;
    appendf(&s, " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIuPTR,
            m.size_kb * 1024, m.rss_kb / 4, kRlimInfinity, start_code, end_code, t.stack_top);
  } else {
    appendf(&s, " 0 0 %" PRIu64 " 0 0 0", kRlimInfinity);
  }
  s += " 0 0";  // kstkesp kstkeip (only while dumping core)
  appendf(&s, " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64, t.pending & 0x7fffffff,
          t.blocked & 0x7fffffff, t.ignored & 0x7fffffff, t.caught & 0x7fffffff);
  appendf(&s, " %d 0 0", t.state_bits != TASK_RUNNING && !t.on_rq ? 1 : 0);  // wchan nswap cnswap
  appendf(&s, " %d %d %u %d 0 0 0", t.exit_signal, t.cpu, t.rt_priority, t.policy);
  if (mm) {
    u64 data = kStartCode + 0x2000, brk = data + 0x1000, args = 0x7ffc00000000ull;
    appendf(&s, " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64,
            data, data, brk, args, args + t.name.size() + 1, args + t.name.size() + 1,
            args + t.name.size() + 1);
  } else {
    s += " 0 0 0 0 0 0 0";
  }
  appendf(&s, " %d\n", t.exit_state ? t.exit_code : 0);
  return s;
}

std::string proc_pid_comm(task_struct* p) { return proc_task_name(p) + "\n"; }

std::string proc_pid_cmdline(task_struct* p) {
  proc_task_info t = internal::collect_task_info(p);
  std::string s = internal::task_cmdline_text(t);
  if (!s.empty()) s.push_back('\0');
  return s;
}

std::string proc_pid_wchan(task_struct* p) {
  proc_task_info t = internal::collect_task_info(p);
  if (t.on_rq || t.exit_state || t.state_bits == TASK_RUNNING) return "0";
  return t.wchan ? t.wchan : "0";
}

std::string proc_pid_stack(task_struct* p) {
  proc_task_info t = internal::collect_task_info(p);
  std::string s;
  if (t.on_rq || t.exit_state || t.state_bits == TASK_RUNNING) return s;
  if (t.wchan) appendf(&s, "[<0>] %s+0x0/0x0\n", t.wchan);
  if (t.flags & PF_KTHREAD) {
    if (t.kthread_api) s += "[<0>] kthread+0xf5/0x120\n";
    s += "[<0>] ret_from_fork+0x31/0x50\n";
    s += "[<0>] ret_from_fork_asm+0x1a/0x30\n";
  } else {
    s += "[<0>] do_syscall_64+0x82/0x170\n";
    s += "[<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e\n";
  }
  return s;
}

// ----------------------------------------------------------------------------------------------
// Global files
// ----------------------------------------------------------------------------------------------
std::string proc_loadavg() {
  task_counts c = count_tasks();
  update_loadavg(c.running + c.uninterruptible);
  unsigned long av[3];
  {
    std::lock_guard<std::mutex> g(g_load.mu);
    for (int i = 0; i < 3; ++i) av[i] = g_load.avenrun[i] + FIXED_1 / 200;
  }
  auto li = [](unsigned long x) { return x >> FSHIFT; };
  auto lf = [&](unsigned long x) { return li((x & (FIXED_1 - 1)) * 100); };
  std::string s;
  appendf(&s, "%lu.%02lu %lu.%02lu %lu.%02lu %u/%d %d\n", li(av[0]), lf(av[0]), li(av[1]), lf(av[1]),
          li(av[2]), lf(av[2]), c.running, nr_threads(), c.newest);
  return s;
}

std::string proc_uptime() {
  u64 up = ktime_get_ns();
  u64 idle_ticks = 0;
  for (const cpu_times& c : per_cpu_times()) idle_ticks += c.idle;
  std::string s;
  appendf(&s, "%" PRIu64 ".%02" PRIu64 " %" PRIu64 ".%02" PRIu64 "\n", up / NSEC_PER_SEC,
          (up % NSEC_PER_SEC) / (NSEC_PER_SEC / 100), idle_ticks / 100, idle_ticks % 100);
  return s;
}

std::string proc_stat() {
  std::vector<cpu_times> v = per_cpu_times();
  cpu_times sum;
  for (const cpu_times& c : v) {
    sum.user += c.user;
    sum.nice += c.nice;
    sum.system += c.system;
    sum.idle += c.idle;
  }
  std::string s;
  auto line = [&s](const char* label, const cpu_times& c) {
    appendf(&s, "%s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " 0 0 0 0 0 0\n", label, c.user,
            c.nice, c.system, c.idle);
  };
  line("cpu ", sum);
  for (std::size_t i = 0; i < v.size(); ++i) {
    char label[32];
    std::snprintf(label, sizeof label, "cpu%zu", i);
    line(label, v[i]);
  }
  u64 ctxt = internal::total_context_switches();
  task_counts c = count_tasks();
  s += "intr 0\n";
  appendf(&s, "ctxt %" PRIu64 "\n", ctxt);
  appendf(&s, "btime %lld\n", static_cast<long long>(internal::boot_wall_time()));
  appendf(&s, "processes %" PRIu64 "\n", total_forks());
  appendf(&s, "procs_running %u\n", c.running);
  appendf(&s, "procs_blocked %u\n", c.uninterruptible);
  s += "softirq 0 0 0 0 0 0 0 0 0 0 0\n";
  return s;
}

// ----------------------------------------------------------------------------------------------
// sysctl parsing and registration
// ----------------------------------------------------------------------------------------------
int proc_dointvec_minmax(const std::string& in, int min, int max, int* out) {
  const char* p = in.c_str();
  const char* end = p + in.size();
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
  while (p < end && is_space(*p)) ++p;
  if (p == end) return 1;
  bool neg = false;
  if (*p == '-' && end - p > 1) {
    neg = true;
    ++p;
  }
  if (*p < '0' || *p > '9') return -EINVAL;
  // strtoul_lenient(..., base 0): decimal, 0x hex or leading-0 octal.
  int base = 10;
  if (*p == '0' && p + 1 < end && (p[1] == 'x' || p[1] == 'X') && p + 2 < end &&
      std::isxdigit(static_cast<unsigned char>(p[2]))) {
    base = 16;
    p += 2;
  } else if (*p == '0') {
    base = 8;
  }
  unsigned long long v = 0;
  for (; p < end; ++p) {
    int d;
    char c = *p;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      break;
    if (d >= base) break;
    v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    if (v > static_cast<unsigned long long>(INT_MAX) + 1) return -EINVAL;
  }
  if (p < end && !is_space(*p)) return -EINVAL;  // not in the permitted trailer set
  long long val = neg ? -static_cast<long long>(v) : static_cast<long long>(v);
  if (val > INT_MAX || val < INT_MIN) return -EINVAL;
  if (val < min || val > max) return -EINVAL;
  *out = static_cast<int>(val);
  return 0;
}

int proc_register_sysctl(const std::string& path, std::function<std::string()> read,
                         std::function<int(const std::string&)> write) {
  std::function<int(std::string*)> r;
  if (read) r = [fn = std::move(read)](std::string* out) {
    *out = fn();
    return 0;
  };
  std::lock_guard<std::mutex> g(g_sysctl_mu);
  if (path == "kernel/pid_max" || path == "kernel/threads-max") return -EEXIST;
  auto [it, inserted] = extra_sysctls().emplace(path, sysctl_entry{std::move(r), std::move(write)});
  (void)it;
  return inserted ? 0 : -EEXIST;
}

int proc_register_file(const std::string& path, std::function<int(std::string*)> read,
                       std::function<int(const std::string&)> write) {
  if (path.rfind("/proc/", 0) != 0 && path.rfind("/sys/", 0) != 0) return -EINVAL;
  std::lock_guard<std::mutex> g(g_sysctl_mu);
  auto [it, inserted] =
      extra_sysctls().emplace(path, sysctl_entry{std::move(read), std::move(write)});
  (void)it;
  return inserted ? 0 : -EEXIST;
}

void proc_unregister_sysctl(const std::string& path) {
  std::lock_guard<std::mutex> g(g_sysctl_mu);
  extra_sysctls().erase(path);
}

// ----------------------------------------------------------------------------------------------
// Path dispatch
// ----------------------------------------------------------------------------------------------
// Module parameters (/sys/module/MOD/parameters/NAME), sysfs attributes and debugfs files are
// registered like sysctls, under their absolute path (sysctl keys are relative, so the two never
// clash); so are the /proc entries of modules ("/proc/NAME"), looked up after the built-in files.
static bool is_sys_path(const std::string& path) { return path.rfind("/sys/", 0) == 0; }

static int proc_read_builtin(const std::string& path, std::string* out);

int proc_read(const std::string& path, std::string* out) {
  if (path == "/sys/kernel/tracing/trace") {
    *out = trace_text();
    return 0;
  }
  if (is_sys_path(path)) return read_entry(path, out);
  int r = proc_read_builtin(path, out);
  if (r == -ENOENT && path.rfind("/proc/", 0) == 0) r = read_entry(path, out);
  return r;
}

static int proc_read_builtin(const std::string& path, std::string* out) {
  std::vector<std::string> parts = split_path(path);
  if (parts.size() < 2 || parts[0] != "proc") return -ENOENT;
  std::string r;
  if (parts.size() == 2) {
    if (parts[1] == "loadavg")
      r = proc_loadavg();
    else if (parts[1] == "uptime")
      r = proc_uptime();
    else if (parts[1] == "stat")
      r = proc_stat();
    else if (parts[1] == "softirqs")
      r = proc_softirqs();
    else if (parts[1] == "interrupts")
      r = proc_interrupts();
    else
      return -ENOENT;
    *out = std::move(r);
    return 0;
  }
  if (parts[1] == "sys") {
    std::string rel;
    for (std::size_t i = 2; i < parts.size(); ++i) rel += (i > 2 ? "/" : "") + parts[i];
    if (rel == "kernel/pid_max") {
      r = std::to_string(pid_max()) + "\n";
    } else if (rel == "kernel/threads-max") {
      r = std::to_string(max_threads()) + "\n";
    } else {
      int e = read_entry(rel, &r);
      if (e) return e;
    }
    *out = std::move(r);
    return 0;
  }
  // /proc/PID/FILE or /proc/PID/task/TID/FILE
  task_struct* p = lookup(parts[1]);
  if (!p) return -ENOENT;
  int ret = -ENOENT;
  if (parts.size() == 3) {
    ret = read_pid_file(p, parts[2], &r);
  } else if (parts.size() == 5 && parts[2] == "task") {
    task_struct* t = lookup(parts[3]);
    if (t) {
      if (t->tgid == p->tgid) ret = read_pid_file(t, parts[4], &r);
      put_task_struct(t);
    }
  }
  put_task_struct(p);
  if (ret == 0) *out = std::move(r);
  return ret;
}

int proc_write(const std::string& path, const std::string& value) {
  std::vector<std::string> parts = split_path(path);
  if (is_sys_path(path)) return write_entry(path, value);
  if (parts.size() >= 3 && parts[0] == "proc" && parts[1] == "sys") {
    std::string rel;
    for (std::size_t i = 2; i < parts.size(); ++i) rel += (i > 2 ? "/" : "") + parts[i];
    if (rel == "kernel/pid_max") return write_pid_max(value);
    if (rel == "kernel/threads-max") return write_threads_max(value);
    int r = write_entry(rel, value);
    if (r != -ENOENT) return r;
  }
  if (path.rfind("/proc/", 0) == 0) return write_entry(path, value);
  return -ENOENT;
}

}  // namespace ktl
