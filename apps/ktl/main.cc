// The `ktl` command: boot a kernel inside this process; init runs a console shell (ktlsh) fed
// from -c, --demo, the terminal or stdin.
//
// --sim boots the deterministic simulation machine (ktl/kernel/sim.h): the kernel runs on this
// thread in virtual time, only while this thread waits on it, so the console is fed differently
// (see feed_stdin_sim): the same seed and input give the same output, byte for byte.
//
// Exit status: the status of the last console command (0 ok, 1 error, 2 usage, 127 unknown
// command), 2 for a usage error of `ktl` itself, 1 if the kernel cannot boot, 3 if poweroff found
// tasks that would not stop (they are named on stderr).
#include <CLI/CLI.hpp>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "ktl/init/shell.h"
#include "ktl/kernel/module.h"
#include "ktl/ktl.h"

namespace {

// The main job: every line is echoed after a prompt, as if typed.
constexpr const char* kDemoScript[] = {
    "uname -a",
    "demo",
    "cat /proc/loadavg",
    "poweroff",
};

// Feeds the console from fd 0 until end of input or until init's shell is done.
void feed_stdin(ktl::console_tty& tty) {
  std::string pending;
  char buf[4096];
  while (!tty.finished()) {
    pollfd pfd{0, POLLIN, 0};
    int r = ::poll(&pfd, 1, 20);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    if (r == 0) continue;
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      tty.push(pending.substr(0, nl));
      pending.erase(0, nl + 1);
    }
  }
  if (!pending.empty()) tty.push(pending);
  tty.hangup();
}

// The simulation machine runs only while this thread waits on it, never while it blocks in
// read(). Not a terminal: all of stdin is read first, then the machine runs the whole script (so
// the run depends on the bytes read, not on how the pipe delivered them). A terminal: one line at
// a time, the machine running (in virtual time) until the shell waits for the next line.
void feed_stdin_sim(ktl::console_tty& tty, bool interactive) {
  std::string pending;
  char buf[4096];
  bool eof = false;
  auto read_more = [&] {
    for (;;) {
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      pending.append(buf, static_cast<std::size_t>(n));
      return true;
    }
  };
  auto settle = [&tty] {
    ktl::sim::run_until([&tty] { return tty.finished() || tty.waiting_for_input(); });
  };
  if (interactive) {
    settle();  // the banner and the first prompt
  } else {
    while (read_more()) {
    }
    eof = true;
  }
  while (!tty.finished()) {
    std::size_t nl = pending.find('\n');
    if (nl == std::string::npos) {
      if (!eof && read_more()) continue;
      eof = true;
      break;
    }
    tty.push(pending.substr(0, nl));
    pending.erase(0, nl + 1);
    if (interactive) settle();
  }
  if (eof && !pending.empty() && !tty.finished()) tty.push(pending);
  tty.hangup();
}

}  // namespace

int main(int argc, char** argv) {
#ifdef KTL_MODULE_DIR
  // `insmod hello` finds the example modules this build made.
  ktl::module_search_path_add(KTL_MODULE_DIR);
#endif
  CLI::App app{
      "ktl: the Linux kernel-thread subsystem, booted inside this process.\n"
      "`ktl boot` boots a kernel (swapper/N, init, kthreadd) whose init runs a small console:\n"
      "type `help` there. Examples:\n"
      "  ktl boot --demo                        the guided tour, then poweroff\n"
      "  ktl boot -c 'ps; cat /proc/2/status'   run commands, then poweroff\n"
      "  ktl boot --cpus 4 --hz 1000            interactive console on a terminal\n"
      "  ktl boot --sim --seed 7 -c 'sleep 2'   the simulation machine: one host thread,\n"
      "                                         virtual time, the same run for the same seed"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ktl 0.3 (Linux 6.18 kthread semantics)");
  auto* boot = app.add_subcommand("boot", "boot a kernel and run its console");
  int cpus = 0;
  unsigned hz = 250;
  int loglevel = -1;
  unsigned poweroff_ms = 5000;
  bool demo = false, quiet = false, sim = false;
  std::uint64_t seed = 1;
  std::string script;
  boot->add_option("--cpus", cpus, "number of vCPUs (default: host CPUs; 4 with --sim)")
      ->check(CLI::Range(1, 256));
  boot->add_option("--hz", hz, "timer frequency HZ (default 250)")->check(CLI::Range(24u, 10000u));
  boot->add_option("--loglevel", loglevel, "console loglevel 0-8 (default 7; 4 with --quiet)")
      ->check(CLI::Range(0, 8));
  boot->add_flag("--quiet", quiet, "quiet boot: only warnings and worse on the console");
  boot->add_option("-c", script, "run these console commands (separated by ';'), then poweroff");
  boot->add_flag("--demo", demo, "run the guided tour (the main job), then poweroff");
  boot->add_option("--poweroff-timeout", poweroff_ms,
                   "ms poweroff waits for kthreads to stop before naming them (default 5000)")
      ->check(CLI::Range(1u, 3600000u));
  boot->add_flag("--sim", sim,
                 "deterministic simulation machine: vCPUs on one host thread, virtual time");
  boot->add_option("--seed", seed, "simulation seed (default 1); implies --sim")
      ->check(CLI::Validator(
          [](const std::string& v) {
            // CLI11 would take -1 as 2^64-1: decimal digits only.
            return !v.empty() && v.find_first_not_of("0123456789") == std::string::npos
                       ? std::string{}
                       : "a seed is a decimal number 0-18446744073709551615";
          },
          "", "seed"));
  std::string strategy_name = "random";
  boot->add_option("--strategy", strategy_name,
                   "simulation scheduling choice: random (default) or pct (priority change "
                   "points); implies --sim")
      ->check(CLI::IsMember({"random", "pct"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int r = app.exit(e);
    return r == 0 ? 0 : 2;
  }
  if (demo && boot->count("-c")) {
    std::fprintf(stderr, "ktl boot: --demo and -c cannot be used together\n");
    return 2;
  }
  if (boot->count("--seed") || boot->count("--strategy")) sim = true;
  const ktl::sim_strategy strategy =
      strategy_name == "pct" ? ktl::sim_strategy::pct : ktl::sim_strategy::random;

  // The kernel console and the shell's output share stdout, in order (one console thread).
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  ktl::console_tty tty;
  ktl::boot_params bp;
  bp.console_fd = 1;
  bp.cpus = cpus ? cpus : (sim ? 4 : 0);  // the simulation's default must not depend on the host
  bp.hz = hz;
  bp.loglevel = loglevel;
  bp.quiet = quiet;
  bp.poweroff_timeout_ms = poweroff_ms;
  bp.init_program = ktl::console_init_program;
  bp.init_arg = &tty;
  bp.init_name = "/sbin/init";
  bp.sim.enabled = sim;
  bp.sim.seed = seed;
  bp.sim.strategy = strategy;

  const bool interactive = !demo && !boot->count("-c") && ::isatty(0);
  tty.interactive = interactive;
  tty.echo_input = demo;  // before boot: init reads these flags
  ktl::kernel k(bp);
  if (k.status()) {
    std::fprintf(stderr, "ktl: boot failed: %s\n", std::strerror(-k.status()));
    return 1;
  }
  if (demo) {
    for (const char* line : kDemoScript) tty.push(line);
    tty.hangup();
  } else if (boot->count("-c")) {
    tty.push(script);
    tty.hangup();
  } else if (sim) {
    feed_stdin_sim(tty, interactive);
  } else {
    feed_stdin(tty);
  }
  int status = k.wait_init();
  // Before poweroff: the machine and its counters go with it.
  const ktl::sim::stats st = ktl::sim::get_stats();
  int r = k.poweroff();
  if (sim) {
    std::fprintf(stderr,
                 "ktl: simulation seed %llu (%s): %llu steps, %llu context switches, "
                 "%llu.%03llu s virtual\n",
                 static_cast<unsigned long long>(seed),
                 strategy == ktl::sim_strategy::pct ? "pct" : "random",
                 static_cast<unsigned long long>(st.steps),
                 static_cast<unsigned long long>(st.context_switches),
                 static_cast<unsigned long long>(st.now_ns / 1000000000ull),
                 static_cast<unsigned long long>(st.now_ns % 1000000000ull / 1000000ull));
  }
  if (r == -ETIMEDOUT) {
    std::fprintf(stderr, "ktl: poweroff: tasks did not stop: %s\n", ktl::kernel_poweroff_stuck());
    // Their vCPUs still run: leave without running static destructors under them.
    std::fflush(nullptr);
    ::_exit(3);
  }
  if (r) {
    std::fprintf(stderr, "ktl: poweroff failed: %s\n", std::strerror(-r));
    return 3;
  }
  if (demo) std::printf("ktl: clean poweroff\n");
  return status < 0 ? 1 : status;
}
