// ps (procps-ng ps/output.c formatting rules) over the ktl task list.
#include "ktl/fs/ps.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "fs/proc_internal.h"
#include "ktl/fs/proc.h"
#include "ktl/kernel/fork.h"
#include "ktl/sched/sched.h"
#include "ktl/time/jiffies.h"

namespace ktl {

using internal::proc_task_info;

namespace {

struct ps_ctx {
  u64 now_ns = 0;          // ktime now
  double boot_wall = 0;    // epoch seconds at boot
  u64 mem_total_kb = 1;
};

using render_fn = std::string (*)(const proc_task_info&, const ps_ctx&);

struct col_def {
  const char* key;
  const char* header;
  int width;        // -1: pid digits
  bool left;        // left aligned
  bool is_command;  // truncated when not last; unlimited when last
  render_fn fn;
};

std::string num(long long v) { return std::to_string(v); }

std::string stat_text(const proc_task_info& t) {
  std::string s(1, t.state);
  if (t.nice < 0) s += '<';
  if (t.nice > 0) s += 'N';
  // No sessions, process groups or ttys in ktl: session = pgrp = 0, tpgid = -1.
  const int session = 0, pgrp = 0, tpgid = -1;
  if (session == t.tgid) s += 's';
  if (t.nr_threads > 1) s += 'l';
  if (pgrp == tpgid) s += '+';
  return s;
}

bool rt_policy(int policy) { return policy != SCHED_NORMAL && policy != SCHED_BATCH; }

std::string cls_text(int policy) {
  switch (policy) {
    case SCHED_NORMAL: return "TS";
    case SCHED_FIFO: return "FF";
    case SCHED_RR: return "RR";
    case SCHED_BATCH: return "B";
    case 4: return "ISO";
    case SCHED_IDLE: return "IDL";
    case SCHED_DEADLINE: return "DLN";
    default: return "?";
  }
}

std::string defunct(const proc_task_info& t, std::string s) {
  if (t.exit_state & EXIT_ZOMBIE) s += " <defunct>";
  return s;
}

std::string args_text(const proc_task_info& t) {
  std::string cmd = internal::task_cmdline_text(t);
  if (cmd.empty()) cmd = "[" + t.name + "]";
  return defunct(t, cmd);
}

u64 cpu_seconds(const proc_task_info& t) { return (t.utime + t.stime) / NSEC_PER_SEC; }

std::string time_text(const proc_task_info& t) {  // [DD-]HH:MM:SS
  u64 s = cpu_seconds(t);
  char buf[32];
  if (s >= 86400)
    std::snprintf(buf, sizeof buf, "%" PRIu64 "-%02u:%02u:%02u", s / 86400,
                  static_cast<unsigned>(s / 3600 % 24), static_cast<unsigned>(s / 60 % 60),
                  static_cast<unsigned>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%02u:%02u:%02u", static_cast<unsigned>(s / 3600),
                  static_cast<unsigned>(s / 60 % 60), static_cast<unsigned>(s % 60));
  return buf;
}

std::string bsdtime_text(const proc_task_info& t) {  // MMM:SS
  u64 s = cpu_seconds(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRIu64 ":%02u", s / 60, static_cast<unsigned>(s % 60));
  return buf;
}

u64 elapsed_seconds(const proc_task_info& t, const ps_ctx& c) {
  return c.now_ns > t.start_time ? (c.now_ns - t.start_time) / NSEC_PER_SEC : 0;
}

std::string etime_text(const proc_task_info& t, const ps_ctx& c) {  // [[DD-]hh:]mm:ss
  u64 s = elapsed_seconds(t, c);
  char buf[40];
  unsigned ss = static_cast<unsigned>(s % 60), mm = static_cast<unsigned>(s / 60 % 60),
           hh = static_cast<unsigned>(s / 3600 % 24);
  u64 dd = s / 86400;
  if (dd)
    std::snprintf(buf, sizeof buf, "%" PRIu64 "-%02u:%02u:%02u", dd, hh, mm, ss);
  else if (hh)
    std::snprintf(buf, sizeof buf, "%02u:%02u:%02u", hh, mm, ss);
  else
    std::snprintf(buf, sizeof buf, "%02u:%02u", mm, ss);
  return buf;
}

// Start time as wall clock: HH:MM within a day, else MonDD (bsdstart / stime).
std::string start_text(const proc_task_info& t, const ps_ctx& c) {
  double start = c.boot_wall + static_cast<double>(t.start_time) / 1e9;
  std::time_t st = static_cast<std::time_t>(start);
  std::time_t now = static_cast<std::time_t>(c.boot_wall + static_cast<double>(c.now_ns) / 1e9);
  std::tm tm{};
  localtime_r(&st, &tm);
  char buf[32];
  if (now - st < 24 * 3600)
    std::strftime(buf, sizeof buf, "%H:%M", &tm);
  else
    std::strftime(buf, sizeof buf, "%b%d", &tm);
  return buf;
}

unsigned pcpu_permille(const proc_task_info& t, const ps_ctx& c) {
  u64 total_ns = t.utime + t.stime;
  u64 el = c.now_ns > t.start_time ? c.now_ns - t.start_time : 0;
  u64 seconds = el / NSEC_PER_SEC;
  if (!seconds) return 0;
  return static_cast<unsigned>(total_ns / 1000000 / seconds);  // (ms / s) = per mille
}

std::string permille_text(unsigned v) {
  char buf[24];
  if (v > 999)
    std::snprintf(buf, sizeof buf, "%u", v / 10);
  else
    std::snprintf(buf, sizeof buf, "%u.%u", v / 10, v % 10);
  return buf;
}

u64 vsz_kb(const proc_task_info& t) {
  return t.has_mm && !(t.flags & PF_KTHREAD) ? internal::vm_model(t).size_kb : 0;
}
u64 rss_kb(const proc_task_info& t) {
  return t.has_mm && !(t.flags & PF_KTHREAD) ? internal::vm_model(t).rss_kb : 0;
}

const col_def kCols[] = {
    {"pid", "PID", -1, false, false, [](auto& t, auto&) { return num(t.pid); }},
    {"tgid", "TGID", -1, false, false, [](auto& t, auto&) { return num(t.tgid); }},
    {"ppid", "PPID", -1, false, false, [](auto& t, auto&) { return num(t.ppid); }},
    {"tid", "TID", -1, false, false, [](auto& t, auto&) { return num(t.pid); }},
    {"lwp", "LWP", -1, false, false, [](auto& t, auto&) { return num(t.pid); }},
    {"spid", "SPID", -1, false, false, [](auto& t, auto&) { return num(t.pid); }},
    {"stat", "STAT", 4, true, false, [](auto& t, auto&) { return stat_text(t); }},
    {"state", "S", 1, true, false, [](auto& t, auto&) { return std::string(1, t.state); }},
    {"s", "S", 1, true, false, [](auto& t, auto&) { return std::string(1, t.state); }},
    {"psr", "PSR", 3, false, false, [](auto& t, auto&) { return num(t.cpu); }},
    {"ni", "NI", 3, false, false,
     [](auto& t, auto&) { return rt_policy(t.policy) ? std::string("-") : num(t.nice); }},
    {"nice", "NI", 3, false, false,
     [](auto& t, auto&) { return rt_policy(t.policy) ? std::string("-") : num(t.nice); }},
    {"cls", "CLS", 3, false, false, [](auto& t, auto&) { return cls_text(t.policy); }},
    {"class", "CLS", 3, false, false, [](auto& t, auto&) { return cls_text(t.policy); }},
    {"policy", "POL", 3, false, false, [](auto& t, auto&) { return cls_text(t.policy); }},
    {"rtprio", "RTPRIO", 6, false, false,
     [](auto& t, auto&) {
       return t.policy == SCHED_NORMAL ? std::string("-") : num(t.rt_priority);
     }},
    {"pri", "PRI", 3, false, false, [](auto& t, auto&) { return num(39 - t.prio); }},
    {"prio", "PRI", 3, false, false, [](auto& t, auto&) { return num(t.prio); }},
    {"priority", "PRI", 3, false, false, [](auto& t, auto&) { return num(t.prio); }},
    {"comm", "COMMAND", 15, true, true, [](auto& t, auto&) { return defunct(t, t.name); }},
    {"ucmd", "CMD", 15, true, true, [](auto& t, auto&) { return defunct(t, t.name); }},
    {"ucomm", "COMMAND", 15, true, true, [](auto& t, auto&) { return defunct(t, t.name); }},
    {"args", "COMMAND", 27, true, true, [](auto& t, auto&) { return args_text(t); }},
    {"command", "COMMAND", 27, true, true, [](auto& t, auto&) { return args_text(t); }},
    {"cmd", "CMD", 27, true, true, [](auto& t, auto&) { return args_text(t); }},
    {"tty", "TT", 8, true, false, [](auto&, auto&) { return std::string("?"); }},
    {"tt", "TT", 8, true, false, [](auto&, auto&) { return std::string("?"); }},
    {"tname", "TTY", 8, true, false, [](auto&, auto&) { return std::string("?"); }},
    {"time", "TIME", 8, false, false, [](auto& t, auto&) { return time_text(t); }},
    {"cputime", "TIME", 8, false, false, [](auto& t, auto&) { return time_text(t); }},
    {"bsdtime", "TIME", 6, false, false, [](auto& t, auto&) { return bsdtime_text(t); }},
    {"etime", "ELAPSED", 11, false, false, [](auto& t, auto& c) { return etime_text(t, c); }},
    {"user", "USER", 8, true, false, [](auto&, auto&) { return std::string("root"); }},
    {"euser", "EUSER", 8, true, false, [](auto&, auto&) { return std::string("root"); }},
    {"uid", "UID", 5, false, false, [](auto&, auto&) { return std::string("0"); }},
    {"pcpu", "%CPU", 4, false, false,
     [](auto& t, auto& c) { return permille_text(pcpu_permille(t, c)); }},
    {"%cpu", "%CPU", 4, false, false,
     [](auto& t, auto& c) { return permille_text(pcpu_permille(t, c)); }},
    {"c", "C", 2, false, false, [](auto& t, auto& c) { return num(pcpu_permille(t, c) / 10); }},
    {"pmem", "%MEM", 4, false, false,
     [](auto& t, auto& c) {
       return permille_text(static_cast<unsigned>(rss_kb(t) * 1000 / c.mem_total_kb));
     }},
    {"%mem", "%MEM", 4, false, false,
     [](auto& t, auto& c) {
       return permille_text(static_cast<unsigned>(rss_kb(t) * 1000 / c.mem_total_kb));
     }},
    {"vsz", "VSZ", 6, false, false, [](auto& t, auto&) { return num(static_cast<long long>(vsz_kb(t))); }},
    {"rss", "RSS", 5, false, false, [](auto& t, auto&) { return num(static_cast<long long>(rss_kb(t))); }},
    {"wchan", "WCHAN", 6, true, false,
     [](auto& t, auto&) {
       if (t.on_rq || t.state_bits == TASK_RUNNING || t.exit_state || !t.wchan)
         return std::string("-");
       return std::string(t.wchan);
     }},
    {"nlwp", "NLWP", 4, false, false, [](auto& t, auto&) { return num(t.nr_threads); }},
    {"flags", "F", 1, false, false, [](auto& t, auto&) { return num((t.flags >> 6) & 7); }},
    {"f", "F", 1, false, false, [](auto& t, auto&) { return num((t.flags >> 6) & 7); }},
    {"stime", "STIME", 5, false, false, [](auto& t, auto& c) { return start_text(t, c); }},
    {"start_time", "START", 5, false, false, [](auto& t, auto& c) { return start_text(t, c); }},
    {"start", "START", 5, false, false, [](auto& t, auto& c) { return start_text(t, c); }},
    {"bsdstart", "START", 5, false, false, [](auto& t, auto& c) { return start_text(t, c); }},
    // -ef's UID column shows the user name.
    {"uid_hack", "UID", 8, true, false, [](auto&, auto&) { return std::string("root"); }},
};

struct column {
  const col_def* def;
  std::string header;
  int width;
};

const col_def* find_col(const std::string& key) {
  for (const col_def& d : kCols)
    if (key == d.key) return &d;
  return nullptr;
}

int pid_digits() {
  int digits = 1;
  for (int v = pid_max() - 1; v >= 10; v /= 10) ++digits;
  return digits < 5 ? 5 : digits;
}

// Adds the keys of a -o list ("pid,ppid stat", "comm=Name"). Returns false with *err set.
bool add_format(const std::string& list, std::vector<column>* cols, std::string* err) {
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ',' || list[i] == ' ')) ++i;
    if (i >= list.size()) break;
    std::size_t j = i;
    while (j < list.size() && list[j] != ',' && list[j] != ' ' && list[j] != '=' &&
           list[j] != ':')
      ++j;
    std::string key = list.substr(i, j - i);
    int width = -1;  // "key:width" (procps): the column's width
    if (j < list.size() && list[j] == ':') {
      std::size_t k = ++j;
      while (j < list.size() && std::isdigit(static_cast<unsigned char>(list[j]))) ++j;
      if (j == k || j - k > 4) {
        *err = "error: improper format list\n";
        return false;
      }
      width = std::stoi(list.substr(k, j - k));
    }
    std::string lower = key;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const col_def* d = find_col(lower);
    if (!d) {
      *err = "error: unknown user-defined format specifier \"" + key + "\"\n";
      return false;
    }
    column c{d, d->header, width >= 0 ? width : d->width < 0 ? pid_digits() : d->width};
    if (j < list.size() && list[j] == '=') {
      // "key=Header": the header is the rest of the argument, commas included (procps).
      c.header = list.substr(j + 1);
      j = list.size();
      if (static_cast<int>(c.header.size()) > c.width && !d->left) c.width = static_cast<int>(c.header.size());
    }
    cols->push_back(c);
    i = j;
  }
  return true;
}

// One output line; procps-style overflow: a cell wider than its column pushes the line right and
// later right-aligned cells give back their padding to catch up.
std::string render_line(const std::vector<column>& cols, const std::vector<std::string>& cells) {
  std::string line;
  int debt = 0;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const column& c = cols[i];
    bool last = i + 1 == cols.size();
    std::string text = cells[i];
    if (i) line += ' ';
    if (c.def->is_command && !last && static_cast<int>(text.size()) > c.width)
      text.resize(static_cast<std::size_t>(c.width));
    int len = static_cast<int>(text.size());
    int pad = c.width - len;
    if (pad < 0) {
      debt += -pad;
      pad = 0;
    } else if (debt > 0 && !c.def->left) {
      int give = std::min(pad, debt);
      pad -= give;
      debt -= give;
    }
    if (c.def->left) {
      line += text;
      if (!last) line.append(static_cast<std::size_t>(pad), ' ');
    } else {
      line.append(static_cast<std::size_t>(pad), ' ');
      line += text;
    }
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  line += '\n';
  return line;
}

}  // namespace

int ps(const std::string& format_spec, std::string* out) {
  // Tokenise.
  std::vector<std::string> tok;
  for (std::size_t i = 0; i < format_spec.size();) {
    while (i < format_spec.size() && format_spec[i] == ' ') ++i;
    std::size_t j = i;
    while (j < format_spec.size() && format_spec[j] != ' ') ++j;
    if (j > i) tok.push_back(format_spec.substr(i, j - i));
    i = j;
  }
  std::vector<column> cols;
  std::vector<pid_t> pids;
  bool full = false, bsd = false, bsd_user = false, have_o = false;
  std::string err;
  auto fail = [&](const std::string& e) {
    *out = e;
    return -EINVAL;
  };
  for (std::size_t k = 0; k < tok.size(); ++k) {
    const std::string& t = tok[k];
    if (t[0] != '-') {
      // BSD options (aux, ax, u, x, a).
      for (char ch : t) {
        if (ch == 'u')
          bsd_user = true;
        else if (ch != 'a' && ch != 'x' && ch != 'e')
          return fail("error: unsupported option (BSD syntax)\n");
      }
      bsd = true;
      continue;
    }
    for (std::size_t i = 1; i < t.size(); ++i) {
      char ch = t[i];
      if (ch == 'e' || ch == 'A') continue;  // every process (also the default here)
      if (ch == 'f') {
        full = true;
        continue;
      }
      if (ch == 'o' || ch == 'p') {
        std::string arg = t.substr(i + 1);
        if (arg.empty()) {
          if (k + 1 >= tok.size()) return fail("error: list of process IDs must follow -p\n");
          arg = tok[++k];
        }
        if (ch == 'o') {
          have_o = true;
          if (!add_format(arg, &cols, &err)) return fail(err);
        } else {
          std::size_t a = 0;
          while (a < arg.size()) {
            std::size_t b = arg.find(',', a);
            std::string one = arg.substr(a, b == std::string::npos ? std::string::npos : b - a);
            char* end = nullptr;
            long v = std::strtol(one.c_str(), &end, 10);
            if (one.empty() || *end || v <= 0) return fail("error: process ID list syntax error\n");
            pids.push_back(static_cast<pid_t>(v));
            a = b == std::string::npos ? arg.size() : b + 1;
          }
        }
        break;  // the rest of this token was the argument
      }
      return fail("error: unsupported SysV option\n");
    }
  }
  if (!have_o) {
    const char* fmt = "pid,tname,time,ucmd";
    if (bsd && bsd_user)
      fmt = "user,pid,pcpu,pmem,vsz,rss,tname,stat,bsdstart,bsdtime,args";
    else if (bsd)
      fmt = "pid,tname,stat,bsdtime,args";
    else if (full)
      fmt = "uid_hack,pid,ppid,c,stime,tname,time,cmd";
    add_format(fmt, &cols, &err);
  }

  ps_ctx ctx;
  ctx.now_ns = ktime_get_ns();
  ctx.boot_wall = internal::boot_wall_time();
  long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
  ctx.mem_total_kb = pages > 0 && psize > 0 ? static_cast<u64>(pages) * static_cast<u64>(psize) / 1024 : 1;

  auto all = snapshot_tasks();
  std::vector<proc_task_info> rows;
  for (task_struct* p : all) {
    if (p->pid <= 0 || p->pid != p->tgid) continue;
    if (!pids.empty() && std::find(pids.begin(), pids.end(), p->pid) == pids.end()) continue;
    proc_task_info t = internal::collect_task_info(p, &all);
    if (t.flags & PF_IDLE) continue;
    rows.push_back(std::move(t));
  }
  std::sort(rows.begin(), rows.end(),
            [](const proc_task_info& a, const proc_task_info& b) { return a.pid < b.pid; });
  std::string s;
  bool any_header = false;
  std::vector<std::string> cells;
  for (const column& c : cols) {
    cells.push_back(c.header);
    any_header |= !c.header.empty();
  }
  if (any_header) s += render_line(cols, cells);
  for (const proc_task_info& t : rows) {
    cells.clear();
    for (const column& c : cols) cells.push_back(c.def->fn(t, ctx));
    s += render_line(cols, cells);
  }
  put_task_snapshot(all);
  *out = std::move(s);
  return 0;
}

std::string ps(const std::string& format_spec) {
  std::string out;
  ps(format_spec, &out);
  return out;
}

}  // namespace ktl
