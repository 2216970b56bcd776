// <linux/trace_printk.h>, <linux/trace.h>, <linux/trace_events.h>, <linux/tracepoint.h>: modules'
// trace output. trace_printk() and enabled trace events go to ktl's trace buffer
// (ktl::trace_print, /sys/kernel/tracing/trace); trace instances (trace_array_get_by_name) are
// buffers of their own here, under /sys/kernel/tracing/instances/NAME.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "fs_node.h"
#include "kernel/kernel_internal.h"
#include "ktl/base/bug.h"
#include "ktl/kernel/printk.h"
#include "ktl/kernel/trace.h"
#include "ktl/sched/sched.h"
#include "ktl/sched/task.h"
#include "ktl/time/jiffies.h"

// <linux/tracepoint.h>
struct tracepoint {
  const char* name;
  const char* system;
  int enabled;
  int (*regfunc)();
  void (*unregfunc)();
  void* ktl_priv;
};
static_assert(sizeof(tracepoint) == 48 && offsetof(tracepoint, enabled) == 16);

// <linux/trace_seq.h>
struct trace_seq {
  unsigned len;
  int full;
  char buffer[512];
};
static_assert(sizeof(trace_seq) == 520);
struct trace_print_flags {
  unsigned long mask;
  const char* name;
};

// An instance (<linux/trace.h>).
struct trace_array {
  std::string name;
  int ref = 1;
  std::deque<std::string> lines;
  unsigned long long written = 0;
};

using namespace ktl::compat;

namespace {

constexpr const char* kTracing = "/sys/kernel/tracing";
constexpr std::size_t kInstanceLines = 1 << 14;

// A registered event and where it is enabled.
struct event_rec {
  tracepoint* tp;
  bool top = false;
  std::set<trace_array*> instances;
};

std::mutex& mu() {
  static std::mutex& m = *new std::mutex;
  return m;
}
std::vector<event_rec*>& events() {
  static std::vector<event_rec*>& v = *new std::vector<event_rec*>;
  return v;
}
std::vector<trace_array*>& instances() {
  static std::vector<trace_array*>& v = *new std::vector<trace_array*>;
  return v;
}
std::atomic<bool> g_tracing_on{true};  // the tracing_on file of the top-level buffer

event_rec* rec_of(tracepoint* tp) { return static_cast<event_rec*>(tp->ktl_priv); }

// tp->enabled and the reg/unreg callbacks, after a change (caller holds mu()).
void update_enabled(event_rec* r, int* transition) {
  int n = (r->top ? 1 : 0) + static_cast<int>(r->instances.size());
  int old = __atomic_exchange_n(&r->tp->enabled, n, __ATOMIC_RELAXED);
  *transition = (old == 0 && n > 0) ? 1 : (old > 0 && n == 0) ? -1 : 0;
}

void run_transition(tracepoint* tp, int transition) {
  if (transition > 0 && tp->regfunc) tp->regfunc();
  if (transition < 0 && tp->unregfunc) tp->unregfunc();
}

// "            comm-pid     [cpu] sssss.uuuuuu: " as ktl's trace prints its columns.
std::string line_prefix() {
  ktl::task_struct* cur = ktl::get_current();
  char who[64];
  bool host = cur->ktl_flags & ktl::task_struct::kTaskHost;
  if (host) {
    std::snprintf(who, sizeof who, "%16s-%-7d [---]", "<host>", 0);
  } else {
    char comm[ktl::TASK_COMM_LEN + 8];
    std::snprintf(comm, sizeof comm, "%s", cur->pid == 0 ? "<idle>" : cur->comm);
    std::snprintf(who, sizeof who, "%16s-%-7d [%03d]", comm, cur->pid, ktl::smp_processor_id());
  }
  unsigned long long ts = ktl::ktime_get_ns();
  char b[128];
  std::snprintf(b, sizeof b, "%s %5llu.%06llu: ", who, ts / 1000000000ull,
                ts % 1000000000ull / 1000);
  return b;
}

void instance_write(trace_array* tr, const std::string& text) {
  std::string line = line_prefix() + text;
  if (line.empty() || line.back() != '\n') line += '\n';
  tr->lines.push_back(std::move(line));
  tr->written++;
  while (tr->lines.size() > kInstanceLines) tr->lines.pop_front();
}

int read_instance(trace_array* tr, std::string* out) {
  std::lock_guard<std::mutex> g(mu());
  char head[256];
  std::snprintf(head, sizeof head,
                "# tracer: nop\n#\n# entries-in-buffer/entries-written: %zu/%llu   #P:%d\n#\n"
                "#           TASK-PID     CPU#     TIMESTAMP  FUNCTION\n"
                "#              | |         |         |         |\n",
                tr->lines.size(), tr->written, ktl::num_online_cpus());
  std::string s = head;
  for (const std::string& l : tr->lines) s += l;
  *out = std::move(s);
  return 0;
}

// Once a boot: allocate the top-level buffers, with the kernel's notice.
void init_buffers(bool banner) {
  static unsigned done_gen = 0;
  if (__atomic_exchange_n(&done_gen, ktl::boot_generation, __ATOMIC_RELAXED) ==
      ktl::boot_generation) {
    if (!ktl::trace_text_enabled() && g_tracing_on) ktl::trace_alloc_buffers();
    return;
  }
  if (banner) {
    static const char* const kBanner[] = {
        "\n",
        "**********************************************************\n",
        "**   NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE   **\n",
        "**                                                      **\n",
        "** trace_printk() being used. Allocating extra memory.  **\n",
        "**                                                      **\n",
        "** This means that this is a DEBUG kernel and it is     **\n",
        "** unsafe for production use.                           **\n",
        "**                                                      **\n",
        "** If you see this message and you are not debugging    **\n",
        "** the kernel, report this immediately to your vendor!  **\n",
        "**                                                      **\n",
        "**   NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE   **\n",
        "**********************************************************\n",
    };
    for (const char* l : kBanner) ktl::printk(KERN_WARNING "%s", l);
  }
  g_tracing_on = true;
  ktl::trace_alloc_buffers();
}

// --- files ----------------------------------------------------------------------------------------
node_ptr make_dir(const std::string& path) {
  if (node_ptr n = lookup(path)) return n;
  auto n = std::make_shared<fs_node>();
  n->path = path;
  n->dir = true;
  n->mode = 040755;
  n->listed = false;
  add_node(n, true);
  return n;
}

int parse_enable(const std::string& v, bool* on) {
  std::string s = v;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (s == "1") *on = true;
  else if (s == "0") *on = false;
  else return -EINVAL;
  return 0;
}

// Enables or disables r in `tr` (nullptr: the top-level buffer). Caller holds mu().
void set_enabled(event_rec* r, trace_array* tr, bool on, int* transition) {
  if (!tr)
    r->top = on;
  else if (on)
    r->instances.insert(tr);
  else
    r->instances.erase(tr);
  update_enabled(r, transition);
}

void add_enable_file(const std::string& base, tracepoint* tp, trace_array* tr) {
  std::string dir = base + "/events/" + tp->system + "/" + tp->name;
  make_dir(base + "/events");
  make_dir(base + "/events/" + tp->system);
  make_dir(dir);
  auto f = std::make_shared<fs_node>();
  f->path = dir + "/enable";
  f->mode = 0100644;
  f->listed = false;
  f->read = [tp, tr](std::string* out) {
    std::lock_guard<std::mutex> g(mu());
    event_rec* r = rec_of(tp);
    bool on = r && (tr ? r->instances.count(tr) > 0 : r->top);
    *out = on ? "1\n" : "0\n";
    return 0;
  };
  f->write = [tp, tr](const std::string& v) {
    bool on;
    if (int e = parse_enable(v, &on)) return e;
    if (on && !tr) init_buffers(false);
    int transition = 0;
    {
      std::lock_guard<std::mutex> g(mu());
      event_rec* r = rec_of(tp);
      if (!r) return -ENODEV;
      set_enabled(r, tr, on, &transition);
    }
    run_transition(tp, transition);
    return 0;
  };
  add_node(f);
}

void remove_event_files(const std::string& base, tracepoint* tp) {
  std::string sys = base + "/events/" + tp->system;
  remove_tree(sys + "/" + tp->name);
  if (children(sys).empty()) remove_tree(sys);
}

std::string instance_path(const trace_array* tr) { return std::string(kTracing) + "/instances/" + tr->name; }

void make_instance_files(trace_array* tr) {
  std::string base = instance_path(tr);
  make_dir(std::string(kTracing) + "/instances");
  make_dir(base);
  auto t = std::make_shared<fs_node>();
  t->path = base + "/trace";
  t->mode = 0100644;
  t->listed = false;
  t->read = [tr](std::string* out) { return read_instance(tr, out); };
  t->write = [tr](const std::string&) {  // echo > trace clears it
    std::lock_guard<std::mutex> g(mu());
    tr->lines.clear();
    return 0;
  };
  add_node(t);
  auto m = std::make_shared<fs_node>();
  m->path = base + "/trace_marker";
  m->mode = 0100220;
  m->listed = false;
  m->write = [tr](const std::string& v) {
    std::lock_guard<std::mutex> g(mu());
    instance_write(tr, "tracing_mark_write: " + v);
    return 0;
  };
  add_node(m);
}

// /sys/kernel/tracing/{trace_marker,tracing_on,events,instances}
struct boot_files {
  boot_files() {
    make_dir(std::string(kTracing) + "/events");
    make_dir(std::string(kTracing) + "/instances");
    auto m = std::make_shared<fs_node>();
    m->path = std::string(kTracing) + "/trace_marker";
    m->mode = 0100220;
    m->listed = false;
    m->write = [](const std::string& v) {
      if (g_tracing_on) {
        init_buffers(false);
        ktl::trace_print("tracing_mark_write: " + v);
      }
      return 0;
    };
    add_node(m, true);
    auto on = std::make_shared<fs_node>();
    on->path = std::string(kTracing) + "/tracing_on";
    on->mode = 0100644;
    on->listed = false;
    on->read = [](std::string* out) {
      *out = g_tracing_on && ktl::trace_text_enabled() ? "1\n" : "0\n";
      return 0;
    };
    on->write = [](const std::string& v) {
      bool b;
      if (int e = parse_enable(v, &b)) return e;
      if (b) {
        g_tracing_on = true;
        ktl::trace_alloc_buffers();
      } else {
        g_tracing_on = false;
        ktl::trace_stop();
      }
      return 0;
    };
    add_node(on, true);
  }
} g_boot_files;

std::string vformat(const char* fmt, va_list ap) { return ktl::internal::kvformat(fmt, ap); }

void seq_append(trace_seq* s, const char* str, std::size_t n) {
  std::size_t room = sizeof s->buffer - 1 - s->len;
  if (n > room) {
    n = room;
    s->full = 1;
  }
  std::memcpy(s->buffer + s->len, str, n);
  s->len += static_cast<unsigned>(n);
  s->buffer[s->len] = '\0';
}

}  // namespace

extern "C" {

// --- events ---------------------------------------------------------------------------------------
void ktl_tracepoint_register(tracepoint* tp) {
  std::vector<trace_array*> insts;
  {
    std::lock_guard<std::mutex> g(mu());
    if (tp->ktl_priv) return;
    auto* r = new event_rec{tp, false, {}};
    tp->ktl_priv = r;
    events().push_back(r);
    insts = instances();
  }
  add_enable_file(kTracing, tp, nullptr);
  for (trace_array* tr : insts) add_enable_file(instance_path(tr), tp, tr);
}

void ktl_tracepoint_unregister(tracepoint* tp) {
  std::vector<trace_array*> insts;
  int transition = 0;
  {
    std::lock_guard<std::mutex> g(mu());
    event_rec* r = rec_of(tp);
    if (!r) return;
    r->top = false;
    r->instances.clear();
    update_enabled(r, &transition);
    insts = instances();
  }
  remove_event_files(kTracing, tp);
  for (trace_array* tr : insts) remove_event_files(instance_path(tr), tp);
  std::lock_guard<std::mutex> g(mu());
  event_rec* r = rec_of(tp);
  events().erase(std::remove(events().begin(), events().end(), r), events().end());
  tp->ktl_priv = nullptr;
  delete r;
}

void ktl_trace_event_printf(tracepoint* tp, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string text = std::string(tp->name) + ": " + vformat(fmt, ap);
  va_end(ap);
  bool top;
  {
    std::lock_guard<std::mutex> g(mu());
    event_rec* r = rec_of(tp);
    if (!r) return;
    top = r->top && g_tracing_on;
    for (trace_array* tr : r->instances) instance_write(tr, text);
  }
  if (top) ktl::trace_print(text);
}

// --- trace_seq ------------------------------------------------------------------------------------
void ktl_trace_seq_vprintf(trace_seq* s, const char* fmt, va_list args) {
  std::string t = vformat(fmt, args);
  seq_append(s, t.data(), t.size());
}

void ktl_trace_seq_printf(trace_seq* s, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ktl_trace_seq_vprintf(s, fmt, ap);
  va_end(ap);
}

void ktl_trace_seq_puts(trace_seq* s, const char* str) { seq_append(s, str, std::strlen(str)); }

void ktl_trace_seq_putc(trace_seq* s, unsigned char c) {
  char ch = static_cast<char>(c);
  seq_append(s, &ch, 1);
}

// Each helper's result is a NUL-terminated string inside the seq, after what was there.
const char* ktl_trace_print_symbols_seq(trace_seq* p, unsigned long val,
                                        const trace_print_flags* symbols) {
  unsigned start = p->len;
  for (int i = 0; symbols[i].name; ++i) {
    if (symbols[i].mask == val) {
      seq_append(p, symbols[i].name, std::strlen(symbols[i].name));
      seq_append(p, "", 1);
      return p->buffer + start;
    }
  }
  char b[32];
  int n = std::snprintf(b, sizeof b, "0x%lx", val);
  seq_append(p, b, static_cast<std::size_t>(n) + 1);
  return p->buffer + start;
}

const char* ktl_trace_print_flags_seq(trace_seq* p, const char* delim, unsigned long flags,
                                      const trace_print_flags* flag_array) {
  unsigned start = p->len;
  bool first = true;
  for (int i = 0; flag_array[i].name && flags; ++i) {
    unsigned long mask = flag_array[i].mask;
    if ((flags & mask) != mask) continue;
    flags &= ~mask;
    if (!first && delim) seq_append(p, delim, std::strlen(delim));
    seq_append(p, flag_array[i].name, std::strlen(flag_array[i].name));
    first = false;
  }
  if (flags) {
    if (!first && delim) seq_append(p, delim, std::strlen(delim));
    char b[32];
    int n = std::snprintf(b, sizeof b, "0x%lx", flags);
    seq_append(p, b, static_cast<std::size_t>(n));
  }
  seq_append(p, "", 1);
  return p->buffer + start;
}

const char* ktl_trace_print_hex_seq(trace_seq* p, const unsigned char* buf, int len,
                                    bool concatenate) {
  unsigned start = p->len;
  for (int i = 0; i < len; ++i) {
    char b[4];
    int n = std::snprintf(b, sizeof b, concatenate || i == 0 ? "%02x" : " %02x", buf[i]);
    seq_append(p, b, static_cast<std::size_t>(n));
  }
  seq_append(p, "", 1);
  return p->buffer + start;
}

// --- trace_printk -----------------------------------------------------------------------------
int ktl_trace_vprintk(unsigned long, const char* func, const char* fmt, va_list args) {
  if (!g_tracing_on) return 0;
  init_buffers(true);
  std::string msg = vformat(fmt, args);
  ktl::trace_print(std::string(func ? func : "?") + ": " + msg);
  return static_cast<int>(msg.size());
}

int ktl_trace_printk(unsigned long ip, const char* func, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = ktl_trace_vprintk(ip, func, fmt, ap);
  va_end(ap);
  return n;
}

void ktl_trace_printk_init_buffers(void) { init_buffers(true); }

void ktl_tracing_on(void) {
  g_tracing_on = true;
  ktl::trace_alloc_buffers();
}

void ktl_tracing_off(void) {
  g_tracing_on = false;
  ktl::trace_stop();
}

int ktl_tracing_is_on(void) { return g_tracing_on && ktl::trace_text_enabled(); }

// --- instances ----------------------------------------------------------------------------------
trace_array* ktl_trace_array_get_by_name(const char* name, const char*) {
  if (!name || !*name) return nullptr;
  trace_array* tr = nullptr;
  {
    std::lock_guard<std::mutex> g(mu());
    for (trace_array* t : instances()) {
      if (t->name == name) {
        t->ref++;
        return t;
      }
    }
    tr = new trace_array();
    tr->name = name;
    tr->ref = 2;  // the instance's own, and the caller's
    instances().push_back(tr);
  }
  make_instance_files(tr);
  std::vector<tracepoint*> tps;
  {
    std::lock_guard<std::mutex> g(mu());
    for (event_rec* r : events()) tps.push_back(r->tp);
  }
  for (tracepoint* tp : tps) add_enable_file(instance_path(tr), tp, tr);
  return tr;
}

void ktl_trace_array_put(trace_array* tr) {
  if (!tr) return;
  std::lock_guard<std::mutex> g(mu());
  WARN_ON(tr->ref <= 1);
  if (tr->ref > 1) tr->ref--;
}

int ktl_trace_array_destroy(trace_array* this_tr) {
  if (!this_tr) return -EINVAL;
  std::vector<std::pair<tracepoint*, int>> transitions;
  {
    std::lock_guard<std::mutex> g(mu());
    auto& v = instances();
    auto it = std::find(v.begin(), v.end(), this_tr);
    if (it == v.end()) return -ENODEV;
    if (this_tr->ref > 1) return -EBUSY;
    v.erase(it);
    for (event_rec* r : events()) {
      if (!r->instances.erase(this_tr)) continue;
      int t = 0;
      update_enabled(r, &t);
      transitions.emplace_back(r->tp, t);
    }
  }
  for (auto& [tp, t] : transitions) run_transition(tp, t);
  remove_tree(instance_path(this_tr));
  delete this_tr;
  return 0;
}

int ktl_trace_array_init_printk(trace_array* tr) { return tr ? 0 : -ENOENT; }

int ktl_trace_array_printk(trace_array* tr, unsigned long, const char* func, const char* fmt, ...) {
  if (!tr) return -ENOENT;
  va_list ap;
  va_start(ap, fmt);
  std::string msg = vformat(fmt, ap);
  va_end(ap);
  std::lock_guard<std::mutex> g(mu());
  instance_write(tr, std::string(func ? func : "?") + ": " + msg);
  return static_cast<int>(msg.size());
}

int ktl_trace_array_set_clr_event(trace_array* tr, const char* system, const char* event,
                                  bool enable) {
  if (!tr) return -ENOENT;
  std::vector<std::pair<tracepoint*, int>> transitions;
  {
    std::lock_guard<std::mutex> g(mu());
    for (event_rec* r : events()) {
      if (system && std::strcmp(system, r->tp->system) != 0) continue;
      if (event && std::strcmp(event, r->tp->name) != 0) continue;
      int t = 0;
      set_enabled(r, tr, enable, &t);
      transitions.emplace_back(r->tp, t);
    }
  }
  if (transitions.empty()) return -EINVAL;
  for (auto& [tp, t] : transitions) run_transition(tp, t);
  return 0;
}

int ktl_trace_set_clr_event(const char* system, const char* event, int set) {
  std::vector<std::pair<tracepoint*, int>> transitions;
  if (set) init_buffers(false);
  {
    std::lock_guard<std::mutex> g(mu());
    for (event_rec* r : events()) {
      if (system && std::strcmp(system, r->tp->system) != 0) continue;
      if (event && std::strcmp(event, r->tp->name) != 0) continue;
      int t = 0;
      set_enabled(r, nullptr, set != 0, &t);
      transitions.emplace_back(r->tp, t);
    }
  }
  if (transitions.empty()) return -EINVAL;
  for (auto& [tp, t] : transitions) run_transition(tp, t);
  return 0;
}

}  // extern "C"
