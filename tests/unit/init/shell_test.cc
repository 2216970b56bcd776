// ktlsh, init's console: every command, its output and exit status, and bad input.
#include "ktl/init/shell.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "support/kernel_test.h"

namespace ktl {
namespace {

using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::join_for;
using testing::kJoinMs;
using testing::spawn;

class ShellTest : public testing::KernelTest {
 protected:
  struct result {
    int status = -1;
    std::string out;
    bool poweroff = false;
  };
  // Runs each line in one shell, inside a kernel thread; output and status of the last line.
  result run(std::vector<std::string> lines) {
    result r;
    auto t = spawn(
        [&] {
          shell sh([&](std::string_view s) { r.out.append(s); });
          for (const auto& l : lines) r.status = sh.run(l);
          r.poweroff = sh.poweroff_requested();
          return 0;
        },
        "ktlsh");
    int ret = -1;
    EXPECT_TRUE(join_for(t, kJoinMs, &ret));
    return r;
  }
  result run(const std::string& line) { return run(std::vector<std::string>{line}); }
};

TEST_P(ShellTest, HelpListsEveryCommand) {
  auto r = run("help");
  EXPECT_EQ(r.status, 0);
  for (const char* c : {"ps", "dmesg", "cat", "echo", "sleep", "kthread periodic", "kthread event",
                        "kthread stop", "kthread park", "work queue", "work flush", "work show",
                        "demo", "poweroff"})
    EXPECT_THAT(r.out, HasSubstr(c));
}

TEST_P(ShellTest, UnknownCommandIs127WithMessage) {
  auto r = run("frobnicate --now");
  EXPECT_EQ(r.status, 127);
  EXPECT_EQ(r.out, "ktlsh: frobnicate: command not found\n");
}

TEST_P(ShellTest, EmptyLinesAndCommentsDoNothing) {
  auto r = run(std::vector<std::string>{"", "   ", "# a comment", ";;"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "");
}

TEST_P(ShellTest, StatusIsThatOfTheLastCommand) {
  EXPECT_EQ(run("false; true").status, 0);
  EXPECT_EQ(run("true; false").status, 1);
  EXPECT_EQ(run("nope; true").status, 0);
}

TEST_P(ShellTest, PsDefaultFormatListsInitAndKthreadd) {
  auto r = run("ps");
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("  PID  PPID STAT PSR  NI CLS RTPRIO COMMAND\n"));
  EXPECT_THAT(r.out, ContainsRegex("\n +1 +0 [RS] .* init\n"));
  // R when kthreadd, just woken to create the shell's task, has not gone back to sleep yet (the
  // simulation finds that interleaving).
  EXPECT_THAT(r.out, ContainsRegex("\n +2 +0 [RS] .* \\[kthreadd\\]\n"));
  auto e = run("ps -e");
  EXPECT_THAT(e.out, ContainsRegex("^ +PID TTY +TIME CMD\n"));
}

TEST_P(ShellTest, PsBadOptionFails) {
  auto r = run("ps -Q");
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr("error:"));
  auto k = run("ps -o pid,bogus");
  EXPECT_EQ(k.status, 1);
  EXPECT_THAT(k.out, HasSubstr("unknown user-defined format specifier \"bogus\""));
}

TEST_P(ShellTest, CatProcFiles) {
  auto r = run("cat /proc/2/status /proc/loadavg");
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("Name:\tkthreadd\n"));
  EXPECT_THAT(r.out, HasSubstr("Kthread:\t1\n"));
  EXPECT_THAT(r.out, ContainsRegex("[0-9]+\\.[0-9]{2} [0-9]+\\.[0-9]{2} [0-9]+\\.[0-9]{2} [0-9]+/[0-9]+ [0-9]+\n"));
  auto self = run("cat /proc/self/comm");
  EXPECT_EQ(self.out, "ktlsh\n");
}

TEST_P(ShellTest, CatErrors) {
  auto r = run("cat /proc/99999/status");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "cat: /proc/99999/status: No such file or directory\n");
  auto none = run("cat");
  EXPECT_EQ(none.status, 2);
  EXPECT_THAT(none.out, HasSubstr("cat: missing file operand"));
  // One good file, one bad: the good one is printed, the status says a file failed.
  auto mixed = run("cat /proc/nothing /proc/1/comm");
  EXPECT_EQ(mixed.status, 1);
  EXPECT_THAT(mixed.out, HasSubstr("init\n"));
}

TEST_P(ShellTest, EchoWritesSysctl) {
  auto r = run("echo 5000 > /proc/sys/kernel/pid_max; cat /proc/sys/kernel/pid_max");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "5000\n");
  EXPECT_EQ(pid_max(), 5000);
  // No blanks around '>' works too.
  auto t = run("echo 6000>/proc/sys/kernel/pid_max; cat /proc/sys/kernel/pid_max");
  EXPECT_EQ(t.out, "6000\n");
}

// `work queue` puts sleeping items on the console's workqueue "ktlsh": while they run, their
// kworkers show "+ktlsh" and sleep in msleep; after `work flush` they are idle with "-ktlsh".
// The shell is a task too: it sleeps 50 ms so the kworkers get their vCPU (the items sleep 300).
TEST_P(ShellTest, WorkQueueShowsKworkersRunningTheConsoleQueue) {
  auto r = run({"work queue 2 300 0", "sleep 0.05", "ps -o stat,wchan:10,command",
                "work flush", "ps -o stat,command"});
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("queued 2 items sleeping 300 ms on workqueue ktlsh (vCPU 0)"));
  EXPECT_THAT(r.out, ContainsRegex("D +msleep +\\[kworker/0:[0-9]+\\+ktlsh\\]"));
  EXPECT_THAT(r.out, ContainsRegex("I +\\[kworker/0:[0-9]+-ktlsh\\]"));
  auto bad = run("work queue 0");
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.out, HasSubstr("work: usage: work queue"));
  EXPECT_EQ(run("work frob").status, 2);
  EXPECT_EQ(run("work show").status, 0);
  EXPECT_THAT(log(), HasSubstr("Showing busy workqueues and worker pools:"));
}

TEST_P(ShellTest, EchoBadValueIsAWriteError) {
  int before = pid_max();
  auto r = run("echo banana > /proc/sys/kernel/pid_max");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "ktlsh: echo: write error: Invalid argument\n");
  EXPECT_EQ(pid_max(), before);
  auto range = run("echo 5 > /proc/sys/kernel/pid_max");  // below the minimum
  EXPECT_EQ(range.status, 1);
  EXPECT_EQ(pid_max(), before);
  auto nofile = run("echo 1 > /proc/sys/kernel/nope");
  EXPECT_EQ(nofile.status, 1);
  EXPECT_EQ(nofile.out, "ktlsh: /proc/sys/kernel/nope: No such file or directory\n");
}

TEST_P(ShellTest, RedirectionSyntaxErrors) {
  auto r = run("echo 1 >");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.out, HasSubstr("syntax error"));
  auto amb = run("echo 1 > a b");
  EXPECT_EQ(amb.status, 1);
  EXPECT_THAT(amb.out, HasSubstr("ambiguous redirect"));
  auto ps = run("ps > /proc/sys/kernel/pid_max");
  EXPECT_EQ(ps.status, 1);
  auto q = run("echo 'unterminated");
  EXPECT_EQ(q.status, 2);
  EXPECT_THAT(q.out, HasSubstr("unterminated quoted string"));
}

TEST_P(ShellTest, QuotesKeepSeparators) {
  auto r = run("echo \"a;b\"   'c  d' e");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "a;b c  d e\n");
  EXPECT_EQ(run("echo -n x").out, "x");
  // A quoted '>' is an argument, not a redirection.
  auto gt = run("echo '>' \">\" a");
  EXPECT_EQ(gt.status, 0);
  EXPECT_EQ(gt.out, "> > a\n");
}

TEST_P(ShellTest, SleepSleepsAndRejectsBadIntervals) {
  unsigned long j0 = jiffies;
  auto r = run("sleep 0.05");
  EXPECT_EQ(r.status, 0);
  EXPECT_GE(jiffies - j0, msecs_to_jiffies(50));
  auto bad = run("sleep soon");
  EXPECT_EQ(bad.status, 1);
  EXPECT_EQ(bad.out, "sleep: invalid time interval 'soon'\n");
  EXPECT_EQ(run("sleep -1").status, 1);
  EXPECT_EQ(run("sleep").status, 2);
  EXPECT_EQ(run("sleep 1 2").status, 2);
}

TEST_P(ShellTest, DmesgShowsClearsAndSetsLevel) {
  printk(KERN_INFO "shell-test marker\n");
  auto r = run("dmesg");
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("Linux version 6.18.0-ktl"));
  EXPECT_THAT(r.out, ContainsRegex("\\[ *[0-9]+\\.[0-9]{6}\\] shell-test marker\n"));
  auto c = run("dmesg -C; dmesg");
  EXPECT_THAT(c.out, Not(HasSubstr("shell-test marker")));
  int lvl = console_loglevel();
  EXPECT_EQ(run("dmesg -n 3").status, 0);
  EXPECT_EQ(console_loglevel(), 3);
  set_console_loglevel(lvl);
  EXPECT_EQ(run("dmesg -n 99").status, 2);
  EXPECT_EQ(run("dmesg --bogus").status, 2);
}

TEST_P(ShellTest, SysrqTShowsTasks) {
  auto r = run("echo t > /proc/sysrq-trigger");
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(dmesg(), HasSubstr("sysrq: Show State"));
  EXPECT_THAT(dmesg(), HasSubstr("task:kthreadd"));
}

// One shell session: start, post, park (P), unpark, stop with the threadfn's value.
TEST_P(ShellTest, KthreadEventPostParkStop) {
  std::string out;
  int post_status = -1, park_status = -1, stop_status = -1;
  auto t = spawn(
      [&] {
        shell sh([&](std::string_view s) { out.append(s); });
        EXPECT_EQ(sh.run("kthread event kev"), 0);
        std::smatch m;
        std::string first = out;
        if (!std::regex_search(first, m, std::regex("\\[kev\\] pid ([0-9]+)"))) return 1;
        std::string pid = m[1];
        post_status = sh.run("kthread post " + pid + " 10");
        // The consumer catches up; then the list shows it sleeping in S.
        msleep(20);
        sh.run("kthread list");
        park_status = sh.run("kthread park " + pid);
        sh.run("kthread list");
        sh.run("kthread unpark " + pid);
        stop_status = sh.run("kthread stop " + pid);
        // Stopped: no longer listed, a second stop is an error.
        EXPECT_EQ(sh.run("kthread stop " + pid), 1);
        return 0;
      },
      "ktlsh");
  int ret = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &ret));
  EXPECT_EQ(ret, 0) << out;
  EXPECT_EQ(post_status, 0);
  EXPECT_EQ(park_status, 0);
  EXPECT_EQ(stop_status, 0);
  EXPECT_THAT(out, HasSubstr("posted 10 events to [kev]\n"));
  EXPECT_THAT(out, ContainsRegex("\n +[0-9]+ +2 S .* event_fn +\\[kev\\]\n"));
  EXPECT_THAT(out, HasSubstr("kthread_park([kev]) = 0\n"));
  EXPECT_THAT(out, ContainsRegex("\n +[0-9]+ +2 P .* kthread_parkme +\\[kev\\]\n"));
  EXPECT_THAT(out, HasSubstr("kthread_stop([kev]) = 10\n"));
  EXPECT_THAT(out, HasSubstr("no such kthread started from this console"));
}

TEST_P(ShellTest, KthreadCreateSleepsInDUntilWoken) {
  std::string out;
  auto t = spawn(
      [&] {
        shell sh([&](std::string_view s) { out.append(s); });
        sh.run("kthread create knew");
        std::smatch m;
        std::string first = out;
        if (!std::regex_search(first, m, std::regex("\\[knew\\] pid ([0-9]+)"))) return 1;
        std::string pid = m[1];
        sh.run("kthread list");
        sh.run("kthread wake " + pid);
        // Woken: threadfn runs and sleeps in wait_event (S); wait for that (a stop before the
        // first run would return -EINTR). Then stop returns its value (0 events).
        task_struct* p = find_get_task_by_vpid(std::stoi(pid));
        if (!p) return 2;
        for (int i = 0; i < 5000 && std::string(proc_pid_wchan(p)) != "event_fn"; ++i) msleep(1);
        put_task_struct(p);
        sh.run("kthread stop " + pid);
        return 0;
      },
      "ktlsh");
  int ret = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &ret));
  EXPECT_EQ(ret, 0) << out;
  EXPECT_THAT(out, HasSubstr("kthread_create: [knew]"));
  EXPECT_THAT(out, ContainsRegex("\n +[0-9]+ +2 D .* kthread +\\[knew\\]\n"));
  EXPECT_THAT(out, HasSubstr("wake_up_process([knew]) = 1\n"));
  EXPECT_THAT(out, HasSubstr("kthread_stop([knew]) = 0\n"));
}

TEST_P(ShellTest, KthreadPeriodicRunsAndStopReturnsPeriods) {
  std::string out;
  auto t = spawn(
      [&] {
        shell sh([&](std::string_view s) { out.append(s); });
        sh.run("kthread periodic 10 kper");
        std::smatch m;
        std::string first = out;
        if (!std::regex_search(first, m, std::regex("\\[kper\\] pid ([0-9]+)"))) return 1;
        msleep(100);
        sh.run("kthread stop " + std::string(m[1]));
        return 0;
      },
      "ktlsh");
  int ret = -1;
  ASSERT_TRUE(join_for(t, kJoinMs, &ret));
  EXPECT_EQ(ret, 0) << out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex("kthread_stop\\(\\[kper\\]\\) = ([0-9]+)")))
      << out;
  // 100 ms at a 10 ms period: a few periods ran (a loaded host may delay some).
  EXPECT_GE(std::stoi(m[1]), 2);
  EXPECT_LE(std::stoi(m[1]), 11);
}

TEST_P(ShellTest, KthreadBadUsage) {
  EXPECT_EQ(run("kthread").status, 2);
  EXPECT_EQ(run("kthread fly").status, 2);
  EXPECT_EQ(run("kthread periodic 0").status, 2);
  EXPECT_EQ(run("kthread periodic soon").status, 2);
  EXPECT_EQ(run("kthread stop").status, 2);
  auto r = run("kthread stop abc");
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr("'abc': not a pid"));
  EXPECT_EQ(run("kthread park 99999").status, 1);
  EXPECT_EQ(run("kthread list").out, "no kthreads started from this console\n");
}

TEST_P(ShellTest, DestructorStopsItsKthreads) {
  int before = -1, after = -1;
  auto t = spawn(
      [&] {
        before = nr_threads();
        {
          shell sh(nullptr);
          sh.run("kthread periodic 5; kthread event; kthread create");
          EXPECT_EQ(nr_threads(), before + 3);
        }
        // kthread_stop waited for each exit; reaping is automatic (PPid 2).
        for (int i = 0; i < 1000 && nr_threads() > before; ++i) msleep(1);
        after = nr_threads();
        return 0;
      },
      "ktlsh");
  ASSERT_TRUE(join_for(t, kJoinMs));
  EXPECT_EQ(after, before);
}

TEST_P(ShellTest, PoweroffStopsTheLine) {
  auto r = run("echo a; poweroff; echo b");
  EXPECT_TRUE(r.poweroff);
  EXPECT_EQ(r.out, "a\n");
  EXPECT_TRUE(run("exit").poweroff);
}

TEST_P(ShellTest, DemoShowsTheStory) {
  auto r = run("demo");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, AllOf(ContainsRegex("\n +[0-9]+ +2 D .* kthread +\\[kperiodic\\]\n"),
                           ContainsRegex("\n +1 +0 [RS] .* init\n"),
                           ContainsRegex("\n +2 +0 S .* \\[kthreadd\\]\n"),
                           ContainsRegex("\n +[0-9]+ +2 S .* \\[kevent\\]\n"),
                           ContainsRegex("\n +[0-9]+ +2 P .* kthread_parkme +\\[kperiodic\\]\n"),
                           ContainsRegex("kthread_stop\\(\\[kperiodic\\]\\) = [1-9][0-9]* "),
                           HasSubstr("kthread_stop([kevent])    = 1000 (events consumed)"),
                           ContainsRegex("lazy TLB \\(kthread borrows the mm\\) +[1-9]")));
}

KTL_INSTANTIATE_MACHINES(ShellTest);

}  // namespace
}  // namespace ktl
