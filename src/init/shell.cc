// ktlsh: init's console shell (see include/ktl/init/shell.h).
#include "ktl/init/shell.h"

#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdarg>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "ktl/fs/proc.h"
#include "ktl/fs/ps.h"
#include "ktl/kernel/boot.h"
#include "ktl/kernel/cpu.h"
#include "ktl/kernel/fork.h"
#include "ktl/kernel/interrupt.h"
#include "ktl/kernel/stop_machine.h"
#include "ktl/kernel/printk.h"
#include "ktl/kthread/kthread.h"
#include "ktl/locking/spinlock.h"
#include "ktl/mm/mm.h"
#include "ktl/sched/completion.h"
#include "ktl/sched/percpu.h"
#include "ktl/sched/sched.h"
#include "ktl/sched/signal.h"
#include "ktl/sched/wait.h"
#include "ktl/time/delay.h"
#include "ktl/time/jiffies.h"
#include "ktl/workqueue/workqueue.h"

namespace ktl {

namespace {

// ---- commands registered by other subsystems (shell_register_command) ------------------------

struct registered_cmd {
  std::string name;
  std::string help;
  shell_command_fn fn;
};
std::mutex g_cmds_mu;
std::vector<registered_cmd>& registered_cmds() {
  static std::vector<registered_cmd> cmds;
  return cmds;
}
shell_command_fn registered_command(const std::string& name) {
  std::lock_guard<std::mutex> g(g_cmds_mu);
  for (const registered_cmd& c : registered_cmds())
    if (c.name == name) return c.fn;
  return nullptr;
}

constexpr const char* kPsDefault = "-eo pid,ppid,stat,psr,ni,cls,rtprio,command";
// An unquoted '>' becomes this word, so a quoted '>' stays an ordinary argument.
constexpr const char* kRedirect = "\x1f>";

// ---- the kthreads the `kthread` commands start -------------------------------------------------

enum class demo_kind { periodic, event, stuck };

struct demo_kthread {
  demo_kind kind;
  task_struct* task = nullptr;  // referenced until stopped
  pid_t pid = 0;
  std::string name;
  // periodic
  long period = 0;  // jiffies
  unsigned long runs = 0;
  unsigned long max_late = 0;
  u64 checksum = 0;
  // event
  wait_queue_head wq;
  std::atomic<long> posted{0};
  std::atomic<long> consumed{0};
  std::atomic<unsigned long> wakeups{0};
  // stuck: its threadfn runs (a stop before that would just return -EINTR, as on Linux)
  completion running;
};

// The "small measurable job" of the periodic thread: a checksum over a few KiB.
u64 small_job(u64 seed) {
  u64 h = 0xcbf29ce484222325ull;  // FNV-1a over 4 KiB derived from the seed
  for (u64 i = 0; i < 4096; ++i) h = (h ^ ((seed + i * 31) & 0xff)) * 0x100000001b3ull;
  return h;
}

int periodic_fn(void* arg) {
  auto* d = static_cast<demo_kthread*>(arg);
  unsigned long next = jiffies + static_cast<unsigned long>(d->period);
  while (!kthread_should_stop()) {
    if (kthread_should_park()) {
      kthread_parkme();
      next = jiffies + static_cast<unsigned long>(d->period);
      continue;
    }
    long left = static_cast<long>(next - jiffies);
    if (left > 0) {
      schedule_timeout_interruptible(left);
      continue;  // woken early (stop, park) or on time: look again
    }
    unsigned long late = jiffies - next;
    if (late > d->max_late) d->max_late = late;
    d->checksum = small_job(d->checksum + d->runs);
    d->runs++;
    next += static_cast<unsigned long>(d->period);
    if (static_cast<long>(jiffies - next) > 0) next = jiffies;  // fell behind: do not burst
  }
  return static_cast<int>(d->runs);
}

int event_fn(void* arg) {
  auto* d = static_cast<demo_kthread*>(arg);
  for (;;) {
    wait_event_interruptible(d->wq, d->posted.load() > d->consumed || kthread_should_stop() ||
                                        kthread_should_park());
    if (kthread_should_stop()) break;
    if (kthread_should_park()) {
      kthread_parkme();
      continue;
    }
    d->wakeups.fetch_add(1, std::memory_order_relaxed);
    d->consumed.store(d->posted.load());
  }
  d->consumed.store(d->posted.load());
  return static_cast<int>(d->consumed.load());
}

// Ignores kthread_stop(): sleeps uninterruptibly for ever. Shows poweroff's stuck-task report.
// Touches its demo_kthread only before the shell's wait returns: the shell may free it later.
int stuck_fn(void* arg) {
  complete(&static_cast<demo_kthread*>(arg)->running);
  for (;;) ssleep(1);
  return 0;
}

// ---- words -------------------------------------------------------------------------------------

// Splits one command on blanks, honouring '...' and "..." quotes. false on an unterminated quote.
bool split_words(std::string_view cmd, std::vector<std::string>* out) {
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (char c : cmd) {
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        cur += c;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      if (in_word) out->push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else if (c == '>' ) {
      if (in_word) out->push_back(std::move(cur));
      cur.clear();
      in_word = false;
      out->push_back(kRedirect);
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (quote) return false;
  if (in_word) out->push_back(std::move(cur));
  return true;
}

// Commands separated by ';' or newlines, outside quotes.
std::vector<std::string> split_commands(std::string_view line) {
  std::vector<std::string> cmds;
  std::string cur;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote) quote = 0;
      cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      cur += c;
    } else if (c == ';' || c == '\n') {
      cmds.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  cmds.push_back(std::move(cur));
  return cmds;
}

bool parse_long(const std::string& s, long* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(s.c_str(), &end, 10);
  if (errno || *end) return false;
  *out = v;
  return true;
}

std::string fmt(const char* f, ...) KTL_PRINTF(1, 2);
std::string fmt(const char* f, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, f);
  int n = std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  if (n < 0) return {};
  return std::string(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

}  // namespace

// ---- the shell -----------------------------------------------------------------------------------

struct shell::state {
  output_fn out;
  bool poweroff = false;
  int status = 0;
  std::vector<std::unique_ptr<demo_kthread>> kthreads;
  int next_id = 0;

  void print(std::string_view s) {
    if (out) out(s);
  }
  // "name: message\n" and status 1 (or `code`).
  int fail(const std::string& msg, int code = 1) {
    print(msg + "\n");
    return code;
  }

  demo_kthread* find(const std::string& arg, const char* cmd, std::string* err) {
    long pid = 0;
    if (!parse_long(arg, &pid)) {
      *err = fmt("kthread %s: '%s': not a pid", cmd, arg.c_str());
      return nullptr;
    }
    for (auto& k : kthreads)
      if (k->pid == pid && k->task) return k.get();
    *err = fmt("kthread %s: %ld: no such kthread started from this console (see kthread list)",
               cmd, pid);
    return nullptr;
  }

  demo_kthread* start(demo_kind kind, std::string name, long period_ms, bool wake,
                      std::string* err) {
    auto d = std::make_unique<demo_kthread>();
    d->kind = kind;
    d->period = static_cast<long>(msecs_to_jiffies(static_cast<unsigned>(period_ms)));
    if (d->period < 1) d->period = 1;
    int (*fn)(void*) = kind == demo_kind::periodic ? periodic_fn
                       : kind == demo_kind::event  ? event_fn
                                                   : stuck_fn;
    task_struct* t = kthread_create(fn, d.get(), "%s", name.c_str());
    if (IS_ERR(t)) {
      *err = fmt("kthread: cannot create %s: %s", name.c_str(), std::strerror(-PTR_ERR(t)));
      return nullptr;
    }
    get_task_struct(t);
    d->task = t;
    d->pid = t->pid;
    d->name = std::move(name);
    if (wake) wake_up_process(t);
    kthreads.push_back(std::move(d));
    return kthreads.back().get();
  }

  // kthread_stop + drop our reference; the threadfn's value.
  int stop(demo_kthread* d) {
    int r = kthread_stop(d->task);
    put_task_struct(d->task);
    d->task = nullptr;
    return r;
  }

  // The console's own workqueue ("ktlsh"), made by the first `work queue`.
  workqueue_struct* wq = nullptr;

  void stop_all() {
    if (wq) {
      destroy_workqueue(wq);  // drains it: every queued item runs (and frees itself) first
      wq = nullptr;
    }
    for (auto& k : kthreads) {
      if (!k->task) continue;
      if (k->kind == demo_kind::stuck) {
        // Left for poweroff to report (stuck_fn does not use its demo_kthread).
        put_task_struct(k->task);
        k->task = nullptr;
        continue;
      }
      stop(k.get());
    }
    kthreads.clear();
  }

  std::string ps_lines(const std::vector<pid_t>& pids) {
    std::string list;
    for (pid_t p : pids) list += (list.empty() ? "" : ",") + std::to_string(p);
    return ps("-o pid,ppid,stat,psr,ni,cls,rtprio,wchan:16,command -p " + list);
  }

  int run_one(std::vector<std::string>& argv);
  int cmd_ps(std::vector<std::string>& argv);
  int cmd_dmesg(std::vector<std::string>& argv);
  int cmd_cat(std::vector<std::string>& argv);
  int cmd_echo(std::vector<std::string>& argv, std::string* text);
  int cmd_sleep(std::vector<std::string>& argv);
  int cmd_kthread(std::vector<std::string>& argv);
  int cmd_work(std::vector<std::string>& argv);
  int cmd_demo();
  int demo_workqueues();
  int demo_percpu();
  int demo_modules();
  int sysrq(char key);
};

shell::shell(output_fn out) : s_(std::make_unique<state>()) { s_->out = std::move(out); }
shell::~shell() { s_->stop_all(); }
bool shell::poweroff_requested() const noexcept { return s_->poweroff; }
int shell::last_status() const noexcept { return s_->status; }

void shell_register_command(const std::string& name, const std::string& help_line,
                            shell_command_fn fn) {
  std::lock_guard<std::mutex> g(g_cmds_mu);
  for (registered_cmd& c : registered_cmds()) {
    if (c.name == name) {
      c.help = help_line;
      c.fn = fn;
      return;
    }
  }
  registered_cmds().push_back({name, help_line, fn});
}

std::string shell::help_text() {
  std::string extra;
  {
    std::lock_guard<std::mutex> g(g_cmds_mu);
    for (const registered_cmd& c : registered_cmds()) extra += "  " + c.help + "\n";
  }
  return "ktlsh: commands (separate them with ';'; CMD > FILE writes CMD's output to a /proc file)\n"
         "  help                        this text\n"
         "  ps [OPTIONS]                processes (default: ps -eo pid,ppid,stat,psr,ni,cls,rtprio,command);\n"
         "                              also ps -e, ps aux, ps -ef, ps -o KEYS -p PID[,PID]\n"
         "  dmesg [-c|-C] [-n LEVEL]    the kernel log; -c prints then clears, -C clears;\n"
         "                              -n sets the console loglevel\n"
         "  cat FILE...                 /proc/PID/{status,stat,comm,stack,wchan,cmdline} (PID or self),\n"
         "                              /proc/{loadavg,uptime,stat}, /proc/sys/kernel/{pid_max,threads-max},\n"
         "                              /sys/module/workqueue/parameters/{watchdog_thresh,...}\n"
         "  echo [TEXT...] [> FILE]     print TEXT, or write it to /proc/sys/..., /sys/module/... or\n"
         "                              /proc/sysrq-trigger\n"
         "                              (echo t > /proc/sysrq-trigger shows every task, like sysrq-t)\n"
         "  sleep SECONDS               init sleeps (schedule_timeout; fractions allowed)\n"
         "  kthread periodic [MS] [NAME]  kthread_run a thread waking every MS ms (default 100)\n"
         "  kthread event [NAME]          kthread_run a thread sleeping in wait_event_interruptible\n"
         "  kthread create [NAME]         kthread_create without waking it (STAT D until woken)\n"
         "  kthread wake PID              wake_up_process a created kthread\n"
         "  kthread post PID [N]          produce N events (default 1) for an event kthread\n"
         "  kthread park PID | unpark PID kthread_park / kthread_unpark (STAT P while parked)\n"
         "  kthread stop PID              kthread_stop: prints the threadfn's return value\n"
         "  kthread stuck [NAME]          a kthread that ignores kthread_stop (poweroff reports it)\n"
         "  kthread list                  the kthreads started from this console\n"
         "  work queue [N] [MS] [CPU]     queue N items (default 1) sleeping MS ms (default 100) on the\n"
         "                                console's workqueue \"ktlsh\" (vCPU CPU, default: init's)\n"
         "  work flush                    flush_workqueue: wait until every queued item has run\n"
         "  work show                     show_all_workqueues: busy workqueues and worker pools\n"
         "                                (to the kernel log, like sysrq-t: see dmesg)\n"
         "  demo                        the guided tour: kthreads, their STAT letters, kthread_stop,\n"
         "                              workqueues and kworkers, lazy TLB\n"
         "  uname [-a]                  the kernel version\n"
         "  poweroff                    stop everything and power off (also: exit, halt, end of input)\n" +
         extra;
}

int shell::run(std::string_view line) {
  for (const std::string& cmd : split_commands(line)) {
    if (s_->poweroff) break;
    std::vector<std::string> argv;
    if (!split_words(cmd, &argv)) {
      s_->status = s_->fail("ktlsh: syntax error: unterminated quoted string", 2);
      continue;
    }
    if (argv.empty() || argv[0][0] == '#') continue;
    s_->status = s_->run_one(argv);
  }
  return s_->status;
}

int shell::state::run_one(std::vector<std::string>& argv) {
  // Output redirection: CMD ... > FILE.
  std::string target;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] != kRedirect) continue;
    if (i + 1 >= argv.size()) return fail("ktlsh: syntax error near unexpected token `newline'", 2);
    if (i + 2 < argv.size()) return fail("ktlsh: " + argv[i + 1] + ": ambiguous redirect");
    target = argv[i + 1];
    argv.resize(i);
    break;
  }
  if (argv.empty()) return fail("ktlsh: syntax error near unexpected token `>'", 2);
  const std::string& cmd = argv[0];
  if (!target.empty()) {
    // Only echo produces text worth writing to a /proc file here; capture it.
    if (cmd != "echo") return fail("ktlsh: " + cmd + ": only echo can be redirected to a file");
    std::string text;
    int r = cmd_echo(argv, &text);
    if (r) return r;
    if (target == "/proc/sysrq-trigger") return text.empty() ? 0 : sysrq(text[0]);
    int w = proc_write(target, text);
    if (w == -ENOENT) return fail("ktlsh: " + target + ": No such file or directory");
    if (w < 0) return fail("ktlsh: echo: write error: " + std::string(std::strerror(-w)));
    return 0;
  }
  if (cmd == "help" || cmd == "?") {
    print(help_text());
    return 0;
  }
  if (cmd == "ps") return cmd_ps(argv);
  if (shell_command_fn fn = registered_command(cmd)) {
    std::string text;
    int r = fn(argv, &text);
    print(text);
    return r;
  }
  if (cmd == "dmesg") return cmd_dmesg(argv);
  if (cmd == "cat") return cmd_cat(argv);
  if (cmd == "echo") return cmd_echo(argv, nullptr);
  if (cmd == "sleep") return cmd_sleep(argv);
  if (cmd == "kthread") return cmd_kthread(argv);
  if (cmd == "work") return cmd_work(argv);
  if (cmd == "demo") return cmd_demo();
  if (cmd == "true") return 0;
  if (cmd == "false") return 1;
  if (cmd == "uname") {
    print(argv.size() > 1 && argv[1] == "-a" ? "Linux ktl 6.18.0-ktl #1 SMP x86_64 GNU/Linux\n"
                                             : "Linux\n");
    return 0;
  }
  if (cmd == "poweroff" || cmd == "exit" || cmd == "halt" || cmd == "shutdown") {
    poweroff = true;
    return 0;
  }
  return fail("ktlsh: " + cmd + ": command not found", 127);
}

int shell::state::cmd_ps(std::vector<std::string>& argv) {
  std::string spec;
  for (std::size_t i = 1; i < argv.size(); ++i) spec += (i > 1 ? " " : "") + argv[i];
  if (spec.empty()) spec = kPsDefault;
  std::string text;
  int r = ps(spec, &text);
  print(text);
  return r ? 1 : 0;
}

int shell::state::cmd_dmesg(std::vector<std::string>& argv) {
  bool show = true, clear = false;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "-c") {
      clear = true;
    } else if (a == "-C") {
      clear = true;
      show = false;
    } else if (a == "-n") {
      long lvl;
      if (i + 1 >= argv.size() || !parse_long(argv[i + 1], &lvl) || lvl < 1 || lvl > 8)
        return fail("dmesg: -n needs a console level from 1 to 8", 2);
      set_console_loglevel(static_cast<int>(lvl));
      show = false;
      ++i;
    } else {
      return fail("dmesg: unknown option '" + a + "' (dmesg [-c|-C] [-n LEVEL])", 2);
    }
  }
  if (show) print(dmesg());
  if (clear) log_clear();
  return 0;
}

int shell::state::cmd_cat(std::vector<std::string>& argv) {
  if (argv.size() < 2) return fail("cat: missing file operand (ktl has no stdin for cat)", 2);
  int ret = 0;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    std::string text;
    int r = proc_read(argv[i], &text);
    if (r) {
      print("cat: " + argv[i] + ": " + std::strerror(-r) + "\n");
      ret = 1;
      continue;
    }
    print(text);
  }
  return ret;
}

int shell::state::cmd_echo(std::vector<std::string>& argv, std::string* text) {
  std::size_t i = 1;
  bool newline = true;
  if (i < argv.size() && argv[i] == "-n") {
    newline = false;
    ++i;
  }
  std::string s;
  for (std::size_t j = i; j < argv.size(); ++j) s += (j > i ? " " : "") + argv[j];
  if (newline) s += "\n";
  if (text)
    *text = std::move(s);
  else
    print(s);
  return 0;
}

int shell::state::cmd_sleep(std::vector<std::string>& argv) {
  if (argv.size() != 2) return fail("sleep: usage: sleep SECONDS", 2);
  char* end = nullptr;
  errno = 0;
  double secs = std::strtod(argv[1].c_str(), &end);
  // At most what msleep_interruptible() takes (an unsigned int of ms, ~49 days).
  if (errno || *end || argv[1].empty() || !(secs >= 0) || secs * 1000.0 > 4294967295.0)
    return fail("sleep: invalid time interval '" + argv[1] + "'");
  unsigned long ms = static_cast<unsigned long>(std::llround(secs * 1000.0));
  // Interruptible like a real sleep: a signal to init ends it early.
  if (ms) msleep_interruptible(static_cast<unsigned>(ms));
  return 0;
}

namespace {
// An item of `work queue`: heap allocated, freed by its own function (allowed: the workqueue
// never touches an item after calling it).
struct console_work {
  work_struct work;
  unsigned ms;
};
void console_work_fn(work_struct* w) {
  auto* c = container_of(w, console_work, work);
  msleep(c->ms);
  delete c;
}
bool parse_long(const std::string& s, long lo, long hi, long* out) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(s.c_str(), &end, 10);
  if (errno || s.empty() || *end || v < lo || v > hi) return false;
  *out = v;
  return true;
}
}  // namespace

int shell::state::cmd_work(std::vector<std::string>& argv) {
  const std::string sub = argv.size() > 1 ? argv[1] : "";
  if (sub == "queue") {
    long n = 1, ms = 100, cpu = WORK_CPU_UNBOUND;
    if ((argv.size() > 2 && !parse_long(argv[2], 1, 10000, &n)) ||
        (argv.size() > 3 && !parse_long(argv[3], 0, 600000, &ms)) ||
        (argv.size() > 4 && !parse_long(argv[4], 0, num_online_cpus() - 1, &cpu)) ||
        argv.size() > 5)
      return fail("work: usage: work queue [N 1-10000] [MS] [CPU 0-" +
                      std::to_string(num_online_cpus() - 1) + "]",
                  2);
    if (!wq) {
      wq = alloc_workqueue("ktlsh", 0, 0);
      if (!wq) return fail("work: alloc_workqueue failed");
    }
    for (long i = 0; i < n; ++i) {
      auto* c = new console_work;
      INIT_WORK(&c->work, console_work_fn);
      c->ms = static_cast<unsigned>(ms);
      queue_work_on(static_cast<int>(cpu), wq, &c->work);
    }
    print(fmt("queued %ld item%s sleeping %ld ms on workqueue ktlsh (%s)\n", n, n == 1 ? "" : "s",
              ms, cpu == WORK_CPU_UNBOUND ? "init's vCPU" : fmt("vCPU %ld", cpu).c_str()));
    return 0;
  }
  if (sub == "flush") {
    if (wq) flush_workqueue(wq);
    return 0;
  }
  if (sub == "show") {
    show_all_workqueues();
    return 0;
  }
  if (sub.empty()) return fail("work: missing command (see help)", 2);
  return fail("work: unknown command '" + sub + "' (see help)", 2);
}

int shell::state::sysrq(char key) {
  if (key == 't') {
    show_state();
    show_all_workqueues();  // as Linux's sysrq-t: busy workqueues and pools follow the tasks
    return 0;
  }
  if (key >= '0' && key <= '9') {
    printk(KERN_INFO "sysrq: Changing Loglevel\n");
    set_console_loglevel(key - '0');
    printk(KERN_INFO "sysrq: Loglevel set to %d\n", key - '0');
    return 0;
  }
  printk(KERN_INFO "sysrq: HELP : loglevel(0-9) show-task-states(t)\n");
  return 0;
}

int shell::state::cmd_kthread(std::vector<std::string>& argv) {
  const std::string sub = argv.size() > 1 ? argv[1] : "";
  std::string err;
  auto next_name = [&](const char* base) { return fmt("%s/%d", base, next_id++); };
  if (sub == "periodic") {
    long ms = 100;
    if (argv.size() > 2 && (!parse_long(argv[2], &ms) || ms < 1 || ms > 3600000))
      return fail("kthread periodic: '" + argv[2] + "': period must be 1..3600000 ms", 2);
    std::string name = argv.size() > 3 ? argv[3] : next_name("kperiodic");
    demo_kthread* d = start(demo_kind::periodic, name, ms, true, &err);
    if (!d) return fail(err);
    print(fmt("kthread_run: [%s] pid %d wakes every %ld ms (schedule_timeout_interruptible)\n",
              d->name.c_str(), d->pid, ms));
    return 0;
  }
  if (sub == "event" || sub == "create" || sub == "stuck") {
    if (argv.size() > 3) return fail("kthread " + sub + ": usage: kthread " + sub + " [NAME]", 2);
    demo_kind kind = sub == "stuck" ? demo_kind::stuck : demo_kind::event;
    std::string name = argv.size() > 2 ? argv[2] : next_name(sub == "stuck" ? "kstuck" : "kevent");
    demo_kthread* d = start(kind, name, 0, sub != "create", &err);
    if (!d) return fail(err);
    if (kind == demo_kind::stuck) wait_for_completion(&d->running);
    if (sub == "create")
      print(fmt("kthread_create: [%s] pid %d created, not woken (STAT D until kthread wake %d)\n",
                d->name.c_str(), d->pid, d->pid));
    else if (sub == "event")
      print(fmt("kthread_run: [%s] pid %d sleeps in wait_event_interruptible (kthread post %d)\n",
                d->name.c_str(), d->pid, d->pid));
    else
      print(fmt("kthread_run: [%s] pid %d sleeps in D and ignores kthread_stop\n",
                d->name.c_str(), d->pid));
    return 0;
  }
  if (sub == "list") {
    if (argv.size() != 2) return fail("kthread list: no arguments expected", 2);
    std::vector<pid_t> pids;
    for (auto& k : kthreads)
      if (k->task) pids.push_back(k->pid);
    if (pids.empty()) {
      print("no kthreads started from this console\n");
      return 0;
    }
    print(ps_lines(pids));
    return 0;
  }
  if (sub == "wake" || sub == "post" || sub == "park" || sub == "unpark" || sub == "stop") {
    if (argv.size() < 3 || argv.size() > (sub == "post" ? 4u : 3u))
      return fail("kthread " + sub + ": usage: kthread " + sub + (sub == "post" ? " PID [N]" : " PID"),
                  2);
    demo_kthread* d = find(argv[2], sub.c_str(), &err);
    if (!d) return fail(err);
    if (sub == "wake") {
      int r = wake_up_process(d->task);
      print(fmt("wake_up_process([%s]) = %d\n", d->name.c_str(), r));
      return 0;
    }
    if (sub == "post") {
      long n = 1;
      if (argv.size() == 4 && (!parse_long(argv[3], &n) || n < 1 || n > 100000000))
        return fail("kthread post: '" + argv[3] + "': N must be 1..100000000", 2);
      if (d->kind != demo_kind::event)
        return fail(fmt("kthread post: [%s] is not an event kthread", d->name.c_str()));
      for (long i = 0; i < n; ++i) {
        d->posted.fetch_add(1);
        wake_up_interruptible(&d->wq);
      }
      print(fmt("posted %ld event%s to [%s]\n", n, n == 1 ? "" : "s", d->name.c_str()));
      return 0;
    }
    if (sub == "park") {
      // It never reaches kthread_parkme(): the park would wait for ever.
      if (d->kind == demo_kind::stuck)
        return fail(fmt("kthread park: [%s] ignores park requests", d->name.c_str()));
      int r = kthread_park(d->task);
      print(fmt("kthread_park([%s]) = %d\n", d->name.c_str(), r));
      return r ? 1 : 0;
    }
    if (sub == "unpark") {
      kthread_unpark(d->task);
      print(fmt("kthread_unpark([%s])\n", d->name.c_str()));
      return 0;
    }
    // stop
    if (d->kind == demo_kind::stuck)
      return fail(fmt("kthread stop: [%s] ignores kthread_stop; poweroff will report it",
                      d->name.c_str()));
    std::string name = d->name;
    int r = stop(d);
    print(fmt("kthread_stop([%s]) = %d\n", name.c_str(), r));
    return 0;
  }
  if (sub.empty()) return fail("kthread: missing command (see help)", 2);
  return fail("kthread: unknown command '" + sub + "' (see help)", 2);
}

namespace {

// The demo's work items: each sleeps (msleep) so that ps can catch a kworker running it.
struct demo_work {
  work_struct work;
  unsigned ms = 0;
  std::atomic<int> ran_on{-1};
  std::atomic<pid_t> worker{0};
};
void demo_work_fn(work_struct* w) {
  auto* d = container_of(w, demo_work, work);
  d->worker.store(get_current()->pid);
  d->ran_on.store(smp_processor_id());
  msleep(d->ms);
}

std::vector<pid_t> kworker_pids() {
  std::vector<pid_t> pids;
  auto tasks = snapshot_tasks();
  for (task_struct* t : tasks)
    if (proc_task_name(t).rfind("kworker/", 0) == 0) pids.push_back(t->pid);
  put_task_snapshot(tasks);
  return pids;
}

}  // namespace

// Workqueues in the tour: the kworkers boot made, an item running on one ("+events"), and
// concurrency management starting more kworkers when items sleep.
int shell::state::demo_workqueues() {
  print("\n== workqueues: the kworkers of the per-vCPU pools (N:M, H = nice -20) and the unbound "
        "pools (uP:M) sleep in I ==\n");
  print(ps_lines(kworker_pids()));
  demo_work one;
  INIT_WORK(&one.work, demo_work_fn);
  one.ms = 100;
  bool q = queue_work_on(0, system_wq, &one.work);
  print(fmt("queue_work_on(0, system_wq, &work) = %s; queued again while pending = %s\n",
            q ? "true" : "false", queue_work_on(0, system_wq, &one.work) ? "true" : "false"));
  for (int i = 0; i < 200 && !one.worker.load(); ++i) msleep(1);
  msleep(10);
  print(fmt("while the item runs (it sleeps 100 ms), its kworker's name ends in +events "
            "(the workqueue it serves):\n"));
  print(ps_lines({one.worker.load()}));
  bool waited = flush_work(&one.work);
  print(fmt("flush_work() = %s (it waited); afterwards the name keeps -events, the last queue "
            "served:\n", waited ? "true" : "false"));
  print(ps_lines({one.worker.load()}));

  print("\n== concurrency management: 4 sleeping items on vCPU 0 -> each sleep lets the pool start "
        "another kworker ==\n");
  demo_work many[4];
  for (auto& d : many) {
    INIT_WORK(&d.work, demo_work_fn);
    d.ms = 50;
    queue_work_on(0, system_wq, &d.work);
  }
  for (auto& d : many) flush_work(&d.work);
  std::string used;
  for (auto& d : many) used += (used.empty() ? "" : ", ") + std::to_string(d.worker.load());
  print(fmt("the 4 items ran on kworkers with pids %s, all on vCPU 0; the pool now has:\n",
            used.c_str()));
  std::vector<pid_t> cpu0;
  for (pid_t p : kworker_pids()) {
    task_struct* t = find_get_task_by_vpid(p);
    if (!t) continue;
    if (proc_task_name(t).rfind("kworker/0:", 0) == 0) cpu0.push_back(p);
    put_task_struct(t);
  }
  print(ps_lines(cpu0));
  return 0;
}

namespace {

// What the demo's softirq handler saw.
std::atomic<task_struct*> g_demo_softirq_ran_in{nullptr};
std::atomic<bool> g_demo_softirq_serving{false};
void demo_softirq_action() {
  g_demo_softirq_ran_in = get_current();
  g_demo_softirq_serving = in_serving_softirq();
}

struct demo_stop {
  std::atomic<int> ran_on{-1};
  std::atomic<int> held{0};
  std::atomic<bool> irqs_off{false};
};
int demo_stop_fn(void* arg) {
  auto* d = static_cast<demo_stop*>(arg);
  d->ran_on = smp_processor_id();
  d->irqs_off = irqs_disabled();
  int cpu;
  for_each_online_cpu(cpu) {
    task_struct* s = cpu_stopper_task(static_cast<unsigned>(cpu));
    if (cpu != smp_processor_id() && s && s->on_cpu.load(std::memory_order_acquire)) d->held++;
  }
  return 0;
}

// Waits (up to a second) until every task in `pids` shows STAT `state`, so that a ps snapshot
// shows the sleep the tour describes rather than a moment when a busy host happened to have
// the task running.
void settle(const std::vector<pid_t>& pids, char state) {
  for (int i = 0; i < 1000; ++i) {
    bool all = true;
    for (pid_t p : pids) {
      task_struct* t = find_get_task_by_vpid(p);
      if (!t) continue;
      if (task_state_to_char(t) != state) all = false;
      put_task_struct(t);
    }
    if (all) return;
    msleep(1);
  }
}

std::vector<pid_t> percpu_pids(int only_cpu = -1) {
  std::vector<pid_t> pids;
  for (int cpu = 0; cpu < nr_cpu_ids(); ++cpu) {
    if (only_cpu >= 0 && cpu != only_cpu) continue;
    for (task_struct* t : {ksoftirqd_task(cpu), cpu_stopper_task(static_cast<unsigned>(cpu)),
                           cpuhp_task(static_cast<unsigned>(cpu))})
      if (t) pids.push_back(t->pid);
  }
  return pids;
}

}  // namespace

// Per-CPU threads in the tour: ksoftirqd/N running a softirq raised from task context,
// migration/N holding the machine for stop_machine, cpuhp/N taking a vCPU down and up.
// The module loader is part of the program when it registered insmod (ktl::compat).
int shell::state::demo_modules() {
  shell_command_fn insmod = registered_command("insmod");
  shell_command_fn rmmod = registered_command("rmmod");
  shell_command_fn lsmod = registered_command("lsmod");
  if (!insmod || !rmmod || !lsmod) return 0;
  print("\n== a kernel module: examples/modules/periodic.c, built against compat/include/<linux/...> "
        "==\n");
  std::string out;
  print("# insmod periodic period_ms=40 report_every=5\n");
  if (insmod({"insmod", "periodic", "period_ms=40", "report_every=5"}, &out) != 0) {
    print(out + "(the example modules are built with the ktl app: skipping this part)\n");
    return 0;
  }
  out.clear();
  lsmod({"lsmod"}, &out);
  print("# lsmod\n" + out);
  msleep(450);
  std::vector<pid_t> pids;
  std::vector<task_struct*> all = snapshot_tasks();
  for (task_struct* p : all)
    if (std::strcmp(p->comm, "periodic") == 0) pids.push_back(p->pid);
  put_task_snapshot(all);
  print(ps_lines(pids));
  std::string v;
  proc_read("/sys/module/periodic/parameters/period_ms", &v);
  print("# cat /sys/module/periodic/parameters/period_ms\n" + v);
  out.clear();
  rmmod({"rmmod", "periodic"}, &out);
  print("# rmmod periodic\n" + out);
  return 0;
}

int shell::state::demo_percpu() {
  print("\n== per-CPU threads: ksoftirqd/N (softirqs), migration/N (stopper: FF 99 in ps, above "
        "every class), cpuhp/N (hotplug) ==\n");
  print(ps_lines(percpu_pids()));
  open_softirq(NET_RX_SOFTIRQ, demo_softirq_action);
  g_demo_softirq_ran_in = nullptr;
  raise_softirq(NET_RX_SOFTIRQ);
  for (int i = 0; i < 200 && !g_demo_softirq_ran_in.load(); ++i) msleep(1);
  task_struct* in = g_demo_softirq_ran_in.load();
  print(fmt("raise_softirq(NET_RX_SOFTIRQ) from task context: the handler ran in [%s] "
            "(in_serving_softirq() = %d)\n", in ? in->comm : "?",
            g_demo_softirq_serving.load() ? 1 : 0));
  g_demo_softirq_ran_in = nullptr;
  local_bh_disable();
  raise_softirq(NET_RX_SOFTIRQ);
  bool before = g_demo_softirq_ran_in.load() != nullptr;
  local_bh_enable();
  in = g_demo_softirq_ran_in.load();
  print(fmt("with bottom halves disabled it waits (ran before local_bh_enable: %s), then "
            "local_bh_enable() runs it inline in [%s]\n", before ? "yes" : "no",
            in ? in->comm : "?"));
  open_softirq(NET_RX_SOFTIRQ, nullptr);
  std::string softirqs;
  proc_read("/proc/softirqs", &softirqs);
  print("cat /proc/softirqs\n" + softirqs);

  demo_stop d;
  int r = stop_machine(demo_stop_fn, &d, nullptr);
  print(fmt("\nstop_machine(fn) = %d: fn ran on vCPU %d with interrupts off (%s) while %d other "
            "vCPU(s) spun in their migration/N stoppers\n", r, d.ran_on.load(),
            d.irqs_off.load() ? "yes" : "no", d.held.load()));

  if (num_online_cpus() < 2) {
    print("(one vCPU: no CPU hotplug to show; vCPU 0 cannot go offline)\n");
    return 0;
  }
  const unsigned last = static_cast<unsigned>(num_online_cpus() - 1);
  char path[64];
  std::snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%u/online", last);
  print(fmt("\n== CPU hotplug: echo 0 > %s ==\n", path));
  r = proc_write(path, "0");
  std::string online, offline;
  proc_read("/sys/devices/system/cpu/online", &online);
  proc_read("/sys/devices/system/cpu/offline", &offline);
  print(fmt("write = %d; online: %s", r, online.c_str()));
  print(fmt("offline: %s", offline.c_str()));
  print(fmt("its per-CPU threads are parked (STAT P) while vCPU %u is offline:\n", last));
  print(ps_lines(percpu_pids(static_cast<int>(last))));
  r = proc_write(path, "1");
  proc_read("/sys/devices/system/cpu/online", &online);
  print(fmt("echo 1 > %s = %d; online: %s", path, r, online.c_str()));
  settle(percpu_pids(static_cast<int>(last)), 'S');
  print(ps_lines(percpu_pids(static_cast<int>(last))));
  return 0;
}

// The guided tour: the main job of `ktl boot --demo`.
int shell::state::cmd_demo() {
  std::string err;
  print("\n== kthread_create: a new kthread sleeps in D until its first wake-up ==\n");
  demo_kthread* per = start(demo_kind::periodic, "kperiodic", 20, false, &err);
  if (!per) return fail(err);
  print(ps_lines({per->pid}));
  wake_up_process(per->task);
  print(fmt("wake_up_process([kperiodic]): it now runs its threadfn, waking every 20 ms\n"));

  demo_kthread* ev = start(demo_kind::event, "kevent", 0, true, &err);
  if (!ev) return fail(err);
  print(fmt("kthread_run([kevent]) = pid %d: sleeps in wait_event_interruptible until a producer "
            "posts\n", ev->pid));
  msleep(100);

  print("\n== ps: init (pid 1), kthreadd (pid 2), and the kthreads under kthreadd (PPID 2) ==\n");
  print(ps(kPsDefault));
  print(fmt("(the idle tasks swapper/0..%d, pid 0, one per vCPU, are not listed: ps never lists "
            "pid 0)\n", num_online_cpus() - 1));

  print("\n== a producer (init) posts 1000 events to kevent ==\n");
  for (int i = 0; i < 1000; ++i) {
    ev->posted.fetch_add(1);
    wake_up_interruptible(&ev->wq);
  }
  for (int i = 0; i < 500 && ev->consumed.load() < 1000; ++i) msleep(2);
  settle({per->pid, ev->pid}, 'S');
  print(ps_lines({per->pid, ev->pid}));
  print(fmt("kevent consumed %ld events in %lu wake-ups\n", ev->consumed.load(),
            ev->wakeups.load()));

  print("\n== kthread_park: the periodic kthread parks (STAT P), then kthread_unpark ==\n");
  int r = kthread_park(per->task);
  print(fmt("kthread_park([kperiodic]) = %d\n", r));
  print(ps_lines({per->pid}));
  kthread_unpark(per->task);
  print("kthread_unpark([kperiodic])\n");
  msleep(60);

  print("\n== kthread_stop: each threadfn returns, kthread_stop gives back its value ==\n");
  r = stop(per);  // after this the thread is gone: its counters are ours to read
  unsigned long late = per->max_late;
  u64 sum = per->checksum;
  print(fmt("kthread_stop([kperiodic]) = %d   (periods run; max lateness %lu jiffies, "
            "checksum %016" PRIx64 ")\n", r, late, sum));
  r = stop(ev);
  print(fmt("kthread_stop([kevent])    = %d (events consumed)\n", r));

  if (int r2 = demo_workqueues(); r2) return r2;
  if (int r2 = demo_percpu(); r2) return r2;
  if (int r2 = demo_modules(); r2) return r2;

  print("\n== lazy TLB: a user task and a kthread take turns on vCPU 0 ==\n");
  struct pingpong {
    completion go, back, done;
    std::atomic<bool> abort{false};
  } pp;
  constexpr int kRounds = 1000;
  kernel_clone_args ka;
  ka.kthread = true;
  ka.name = "klazy";
  ka.fn = [](void* a) {
    auto* p = static_cast<pingpong*>(a);
    for (int i = 0; i < kRounds && !p->abort.load(); ++i) {
      wait_for_completion(&p->go);
      complete(&p->back);
    }
    complete(&p->done);
    return 0;
  };
  ka.fn_arg = &pp;
  kernel_clone_args ua;
  ua.user = true;
  ua.name = "user_ping";
  ua.fn = [](void* a) {
    auto* p = static_cast<pingpong*>(a);
    for (int i = 0; i < kRounds; ++i) {
      complete(&p->go);
      wait_for_completion(&p->back);
    }
    complete(&p->done);
    return 0;
  };
  ua.fn_arg = &pp;
  tlb_stats before = cpu_tlb_stats(0);
  task_struct* kt = copy_process(ka);
  if (IS_ERR(kt)) return fail(fmt("demo: copy_process: %ld", PTR_ERR(kt)));
  task_struct* ut = copy_process(ua);
  if (IS_ERR(ut)) {
    // klazy exists but has no partner: let it run and leave at once.
    pp.abort.store(true);
    pid_t kpid = kt->pid;
    wake_up_new_task(kt);
    wait_for_completion(&pp.done);
    int st = 0;
    kernel_wait(kpid, &st);  // no zombie left behind for poweroff to wait on
    return fail(fmt("demo: copy_process: %ld", PTR_ERR(ut)));
  }
  cpumask cpu0 = cpumask::of(0);
  do_set_cpus_allowed(kt, &cpu0);
  do_set_cpus_allowed(ut, &cpu0);
  pid_t kpid = kt->pid, upid = ut->pid;
  wake_up_new_task(kt);
  wake_up_new_task(ut);
  wait_for_completion(&pp.done);
  wait_for_completion(&pp.done);
  int status = 0;
  kernel_wait(kpid, &status);  // init reaps its children (no-op where they are auto-reaped)
  kernel_wait(upid, &status);
  tlb_stats after = cpu_tlb_stats(0);
  print(fmt("%d round trips user_ping <-> klazy on vCPU 0 (context_switch's mm cases):\n",
            kRounds));
  print(fmt("  switch_mm (address space loaded)    %" PRIu64 "\n",
            static_cast<u64>(after.switch_mm - before.switch_mm)));
  print(fmt("  lazy TLB (kthread borrows the mm)   %" PRIu64 "\n",
            static_cast<u64>(after.lazy_tlb - before.lazy_tlb)));
  print(fmt("  TLB flushes avoided (same mm back)  %" PRIu64 "\n",
            static_cast<u64>(after.flush_avoided - before.flush_avoided)));
  print("\n");
  return 0;
}

// ---- console_tty ---------------------------------------------------------------------------------

struct console_tty::state {
  spinlock_t lock;
  std::deque<std::string> lines;
  bool eof = false;
  wait_queue_head wq;
  std::atomic<bool> finished{false};
  std::atomic<bool> waiting{false};  // a reader found nothing to read (under lock)
};

console_tty::console_tty() : s_(std::make_unique<state>()) {}
console_tty::~console_tty() = default;

void console_tty::push(std::string line) {
  spin_lock(&s_->lock);
  s_->lines.push_back(std::move(line));
  s_->waiting.store(false, std::memory_order_release);
  spin_unlock(&s_->lock);
  wake_up_interruptible(&s_->wq);
}

void console_tty::hangup() {
  spin_lock(&s_->lock);
  s_->eof = true;
  s_->waiting.store(false, std::memory_order_release);
  spin_unlock(&s_->lock);
  wake_up_interruptible(&s_->wq);
}

bool console_tty::read_line(std::string* out) {
  for (;;) {
    spin_lock(&s_->lock);
    if (!s_->lines.empty()) {
      *out = std::move(s_->lines.front());
      s_->lines.pop_front();
      s_->waiting.store(false, std::memory_order_release);
      spin_unlock(&s_->lock);
      return true;
    }
    bool eof = s_->eof;
    s_->waiting.store(!eof, std::memory_order_release);
    spin_unlock(&s_->lock);
    if (eof) return false;
    auto ready = [this] {
      spin_lock(&s_->lock);
      bool r = !s_->lines.empty() || s_->eof;
      spin_unlock(&s_->lock);
      return r;
    };
    int r = wait_event_interruptible(s_->wq, ready());
    if (r) flush_signals(get_current());  // init has no handlers: drop the signal, read on
  }
}

bool console_tty::finished() const noexcept { return s_->finished.load(std::memory_order_acquire); }
bool console_tty::waiting_for_input() const noexcept {
  return s_->waiting.load(std::memory_order_acquire);
}

int console_init_program(void* arg) {
  auto* tty = static_cast<console_tty*>(arg);
  int status = 0;
  {
    shell sh([](std::string_view s) { console_write(s); });
    std::string line;
    if (tty->interactive)
      console_write("\nktl console: `help` lists the commands; `poweroff` or Ctrl-D leaves.\n");
    for (;;) {
      if (tty->interactive) console_write("ktl:/# ");
      if (!tty->read_line(&line)) {
        if (tty->interactive) console_write("\n");
        break;
      }
      if (tty->echo_input) console_write("ktl:/# " + line + "\n");
      status = sh.run(line);
      if (sh.poweroff_requested()) break;
    }
  }
  tty->s_->finished.store(true, std::memory_order_release);
  return status;
}

}  // namespace ktl
