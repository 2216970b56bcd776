// The `ktl` command: usage errors, the console fed from -c and stdin, the main job's output
// (what README's first command shows), and the exit status when poweroff finds a stuck kthread.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "support/text.h"

namespace {

using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

struct run_result {
  int exit_code = -1;
  std::string out, err;
};

using ktl::testing::read_file;

// Runs `ktl ARGS` with `input` on stdin (not a terminal); stdout and stderr apart.
run_result run_ktl(const std::string& args, const std::string& input = "") {
#ifndef KTL_APP_PATH
  (void)args;
  (void)input;
  return {};
#else
  char dir_tmpl[] = "/tmp/ktl_cli_XXXXXX";
  const char* dir = ::mkdtemp(dir_tmpl);
  EXPECT_NE(dir, nullptr);
  std::string d = dir ? dir : "/tmp";
  {
    std::ofstream in(d + "/in");
    in << input;
  }
  std::string cmd = std::string(KTL_APP_PATH) + " " + args + " < " + d + "/in > " + d +
                    "/out 2> " + d + "/err";
  int st = std::system(cmd.c_str());
  run_result r;
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  r.out = read_file(d + "/out");
  r.err = read_file(d + "/err");
  std::system(("rm -rf " + d).c_str());
  return r;
#endif
}

class KtlCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef KTL_APP_PATH
    GTEST_SKIP() << "the ktl app is not built (KTL_BUILD_APPS=OFF)";
#endif
  }
};

TEST_F(KtlCliTest, HelpAndVersion) {
  auto h = run_ktl("--help");
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_THAT(h.out, AllOf(HasSubstr("boot"), HasSubstr("ktl boot --demo")));
  auto b = run_ktl("boot --help");
  EXPECT_EQ(b.exit_code, 0);
  EXPECT_THAT(b.out, AllOf(HasSubstr("--cpus"), HasSubstr("--hz"), HasSubstr("-c"),
                           HasSubstr("--loglevel"), HasSubstr("--demo")));
  auto v = run_ktl("--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_THAT(v.out, HasSubstr("ktl "));
}

TEST_F(KtlCliTest, UsageErrorsExitNonZeroWithAMessage) {
  for (const char* args : {"", "frobnicate", "boot --cpus 0", "boot --cpus many", "boot --hz 5",
                           "boot --loglevel 12", "boot --bogus", "boot --demo -c ps",
                           "boot -c"}) {
    auto r = run_ktl(args);
    EXPECT_EQ(r.exit_code, 2) << "ktl " << args;
    EXPECT_FALSE(r.err.empty()) << "ktl " << args << ": no message";
    EXPECT_THAT(r.out, Not(HasSubstr("Linux version"))) << "ktl " << args << " booted anyway";
  }
}

TEST_F(KtlCliTest, ScriptRunsCommandsThenPowersOff) {
  auto r = run_ktl("boot --cpus 2 --quiet -c 'ps; cat /proc/2/comm; echo 4000 > "
                   "/proc/sys/kernel/pid_max; cat /proc/sys/kernel/pid_max'");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, AllOf(ContainsRegex("\n +1 +0 [RS] .* init\n"),
                           ContainsRegex("\n +2 +0 S .* \\[kthreadd\\]\n"), HasSubstr("kthreadd\n"),
                           HasSubstr("4000\n")));
  // --quiet: no info lines on the console.
  EXPECT_THAT(r.out, Not(HasSubstr("Linux version")));
}

TEST_F(KtlCliTest, ScriptStatusIsTheLastCommands) {
  auto bad = run_ktl("boot --cpus 1 --quiet -c 'frobnicate'");
  EXPECT_EQ(bad.exit_code, 127);
  EXPECT_THAT(bad.out, HasSubstr("ktlsh: frobnicate: command not found"));
  auto cat = run_ktl("boot --cpus 1 --quiet -c 'cat /proc/12345/status'");
  EXPECT_EQ(cat.exit_code, 1);
  EXPECT_THAT(cat.out, HasSubstr("cat: /proc/12345/status: No such file or directory"));
  auto ok = run_ktl("boot --cpus 1 --quiet -c 'frobnicate; true'");
  EXPECT_EQ(ok.exit_code, 0);
}

TEST_F(KtlCliTest, ReadsCommandsFromStdin) {
  auto r = run_ktl("boot --cpus 2 --quiet", "echo hello\nkthread event kev\nkthread list\n"
                                            "poweroff\necho never\n");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, AllOf(HasSubstr("hello\n"), ContainsRegex("\\[kev\\] pid [0-9]+"),
                           ContainsRegex("\n +[0-9]+ +2 [RS] .*\\[kev\\]\n")));
  EXPECT_THAT(r.out, Not(HasSubstr("never")));
  // End of input without poweroff powers off too.
  auto eof = run_ktl("boot --cpus 1 --quiet", "echo bye\n");
  EXPECT_EQ(eof.exit_code, 0);
  EXPECT_THAT(eof.out, HasSubstr("bye\n"));
}

// README's first command: the seeds' story without typing anything.
TEST_F(KtlCliTest, DemoShowsTheMainJob) {
  auto r = run_ktl("boot --demo --cpus 2");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string& o = r.out;
  // The boot log.
  EXPECT_THAT(o, AllOf(ContainsRegex("\\[ +0\\.[0-9]{6}\\] Linux version 6\\.18\\.0-ktl"),
                       HasSubstr("smp: Brought up 1 node, 2 CPUs"),
                       HasSubstr("rest_init: created init (pid 1)"),
                       HasSubstr("rest_init: created kthreadd (pid 2)"),
                       HasSubstr("Run /sbin/init as init process")));
  // ps with init, kthreadd and the kthreads under kthreadd, with their STAT letters.
  EXPECT_THAT(o, AllOf(HasSubstr("  PID  PPID STAT PSR  NI CLS RTPRIO COMMAND\n"),
                       ContainsRegex("\n +1 +0 [RS] .* init\n"),
                       ContainsRegex("\n +2 +0 S .* \\[kthreadd\\]\n"),
                       ContainsRegex("\n +[0-9]+ +2 D .* kthread +\\[kperiodic\\]\n"),
                       ContainsRegex("\n +[0-9]+ +2 S .* schedule_timeout +\\[kperiodic\\]\n"),
                       ContainsRegex("\n +[0-9]+ +2 S .* event_fn +\\[kevent\\]\n"),
                       ContainsRegex("\n +[0-9]+ +2 P .* kthread_parkme +\\[kperiodic\\]\n"),
                       HasSubstr("swapper/0..1")));
  // The event kthread consumed the producer's events; kthread_stop returned the values.
  EXPECT_THAT(o, AllOf(HasSubstr("kevent consumed 1000 events"),
                       ContainsRegex("kthread_stop\\(\\[kperiodic\\]\\) = [1-9][0-9]* +\\(periods"),
                       HasSubstr("kthread_stop([kevent])    = 1000 (events consumed)")));
  // Lazy TLB counters, then a clean poweroff.
  EXPECT_THAT(o, AllOf(ContainsRegex("switch_mm \\(address space loaded\\) +[0-9]+\n"),
                       ContainsRegex("lazy TLB \\(kthread borrows the mm\\) +[1-9][0-9]*\n"),
                       ContainsRegex("TLB flushes avoided \\(same mm back\\) +[1-9][0-9]*\n"),
                       HasSubstr("reboot: Power down"), HasSubstr("ktl: clean poweroff")));
  // In this order.
  EXPECT_LT(o.find("Linux version"), o.find("[kthreadd]"));
  EXPECT_LT(o.find("[kthreadd]"), o.find("kthread_stop([kevent])"));
  EXPECT_LT(o.find("kthread_stop([kevent])"), o.find("lazy TLB"));
  EXPECT_LT(o.find("lazy TLB"), o.find("reboot: Power down"));
  EXPECT_EQ(r.err, "");
}

TEST_F(KtlCliTest, StuckKthreadAtPoweroffIsNamedAndExitStatusSaysSo) {
  // Parking it would wait for ever (it never calls kthread_parkme): refused, not a hang.
  auto r = run_ktl("boot --cpus 2 --quiet --poweroff-timeout 200 -c 'kthread stuck kglue; "
                   "kthread park 15'");  // pid 15: after the 12 boot kthreads of 2 vCPUs
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("kthread park: [kglue] ignores park requests"));
  EXPECT_THAT(r.out, ContainsRegex("reboot: kthread kglue:[0-9]+ did not stop within 200 ms "
                                   "\\(state D, wchan msleep\\)"));
  EXPECT_THAT(r.err, ContainsRegex("ktl: poweroff: tasks did not stop: kglue:[0-9]+ \\(state D\\)"));
}

// --sim: the simulation machine. The same seed gives the same run, byte for byte (dmesg's
// timestamps are virtual), and `sleep 1` costs no wall time.
TEST_F(KtlCliTest, SimSameSeedSameOutput) {
  const std::string args =
      "boot --sim --seed 5 -c 'ps -ef; sleep 1; echo t > /proc/sysrq-trigger; dmesg'";
  auto a = run_ktl(args);
  auto b = run_ktl(args);
  EXPECT_EQ(a.exit_code, 0) << a.out << a.err;
  EXPECT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_THAT(a.out, AllOf(HasSubstr("simulation machine, seed 5 (random)"),
                           ContainsRegex("\nroot +2 +0 .* \\[kthreadd\\]\n"),
                           HasSubstr("sysrq: Show State"), HasSubstr("reboot: Power down")));
  EXPECT_THAT(a.out, Not(HasSubstr("real machine")));
  EXPECT_TRUE(a.out == b.out) << "seed 5 twice, different stdout:\n" << a.out << "----\n" << b.out;
  // The summary on stderr, after the virtual second slept.
  EXPECT_THAT(a.err, ContainsRegex("ktl: simulation seed 5 \\(random\\): [1-9][0-9]* steps, "
                                   "[0-9]+ context switches, [1-9]\\.[0-9]{3} s virtual\n"));
}

TEST_F(KtlCliTest, SimSeedAndStrategyImplySim) {
  auto r = run_ktl("boot --seed 9 --strategy pct --cpus 2 -c 'ps'");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("simulation machine, seed 9 (pct), 2 vCPUs"));
  EXPECT_THAT(r.err, HasSubstr("ktl: simulation seed 9 (pct): "));
}

TEST_F(KtlCliTest, SimDemo) {
  auto r = run_ktl("boot --sim --demo");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, AllOf(HasSubstr("simulation machine, seed 1 (random), 4 vCPUs"),
                           HasSubstr("kthread_stop([kevent])    = 1000 (events consumed)"),
                           HasSubstr("reboot: Power down"), HasSubstr("ktl: clean poweroff")));
  EXPECT_THAT(r.err, HasSubstr("ktl: simulation seed 1 (random): "));
}

TEST_F(KtlCliTest, SimReadsCommandsFromStdin) {
  auto r = run_ktl("boot --sim --quiet", "ps\nsleep 1\necho done\n");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, AllOf(ContainsRegex("\n +1 +0 [RS] .* init\n"), HasSubstr("done\n")));
  EXPECT_THAT(r.err, ContainsRegex("[1-9]\\.[0-9]{3} s virtual\n"));
  // poweroff stops reading; a last line without a newline is read too.
  auto p = run_ktl("boot --sim --quiet", "echo one\npoweroff\necho never\n");
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_THAT(p.out, AllOf(HasSubstr("one\n"), Not(HasSubstr("never"))));
  auto t = run_ktl("boot --sim --quiet", "echo tail");
  EXPECT_EQ(t.exit_code, 0);
  EXPECT_THAT(t.out, HasSubstr("tail\n"));
}

TEST_F(KtlCliTest, SimUsageErrors) {
  for (const char* args : {"boot --sim --strategy foo", "boot --strategy", "boot --seed x",
                           "boot --seed -1", "boot --sim --demo -c ps"}) {
    auto r = run_ktl(args);
    EXPECT_EQ(r.exit_code, 2) << "ktl " << args;
    EXPECT_FALSE(r.err.empty()) << "ktl " << args << ": no message";
    EXPECT_THAT(r.out, Not(HasSubstr("Linux version"))) << "ktl " << args << " booted anyway";
  }
}

}  // namespace
