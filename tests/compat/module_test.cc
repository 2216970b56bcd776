// The module loader: insmod/rmmod/lsmod/modinfo, parameters, isolation, unload safety.
#include <string>
#include <vector>

#include "ktl/fs/proc.h"
#include "ktl/fs/ps.h"
#include "ktl/init/shell.h"
#include "ktl/kernel/module.h"
#include "support/kernel_test.h"
#include "support/text.h"

namespace ktl {
namespace {

using testing::KernelTest;
using testing::join_for;
using testing::kJoinMs;
using testing::spawn_user;

std::string example(const char* name) { return std::string(KTL_EXAMPLE_MODULE_DIR) + "/" + name + ".ko"; }
std::string test_mod(const char* name) { return std::string(KTL_TEST_MODULE_DIR) + "/" + name + ".ko"; }

// Runs fn in a user task (insmod and rmmod are user processes in Linux) and returns its result.
int in_task(std::function<int()> fn, int ms = kJoinMs) {
  auto t = spawn_user(std::move(fn), "insmod");
  int r = -1;
  EXPECT_TRUE(join_for(t, ms, &r));
  return r;
}

std::string read(const std::string& path) {
  std::string s;
  int r = proc_read(path, &s);
  return r < 0 ? "<" + std::to_string(r) + ">" : s;
}

bool log_has(const std::string& needle) { return dmesg().find(needle) != std::string::npos; }
int log_count(const std::string& needle) {
  std::string d = dmesg();
  int n = 0;
  for (std::size_t p = d.find(needle); p != std::string::npos; p = d.find(needle, p + 1)) ++n;
  return n;
}

class CompatModuleTest : public KernelTest {};

TEST_P(CompatModuleTest, HelloLoadsWithParametersAndUnloads) {
  std::string msg;
  ASSERT_EQ(in_task([&] { return load_module(example("hello"), "whom=ktl times=2", &msg); }), 0) << msg;
  EXPECT_TRUE(log_has("hello: Hello, ktl! (1/2)"));
  EXPECT_TRUE(log_has("hello: Hello, ktl! (2/2)"));
  EXPECT_TRUE(log_has("hello: loading out-of-tree module taints kernel."));
  EXPECT_EQ(loaded_modules(), std::vector<std::string>{"hello"});
  std::string ls = lsmod_text();
  EXPECT_EQ(ls.substr(0, ls.find('\n')), "Module                  Size  Used by");
  EXPECT_NE(ls.find("\nhello "), std::string::npos) << ls;
  EXPECT_NE(proc_modules_text().find("hello "), std::string::npos);
  EXPECT_NE(proc_modules_text().find(" - Live 0x0000000000000000 (O)\n"), std::string::npos);

  // Parameters under /sys/module: charp 0644 is writable, int 0444 is not.
  EXPECT_EQ(read("/sys/module/hello/parameters/whom"), "ktl\n");
  EXPECT_EQ(read("/sys/module/hello/parameters/times"), "2\n");
  EXPECT_EQ(read("/sys/module/hello/initstate"), "live\n");
  EXPECT_EQ(proc_write("/sys/module/hello/parameters/whom", "everyone\n"), 0);
  EXPECT_EQ(read("/sys/module/hello/parameters/whom"), "everyone\n");
  EXPECT_LT(proc_write("/sys/module/hello/parameters/times", "5\n"), 0);

  ASSERT_EQ(in_task([&] { return unload_module("hello", &msg); }), 0) << msg;
  EXPECT_TRUE(log_has("hello: Goodbye, everyone."));
  EXPECT_TRUE(loaded_modules().empty());
  EXPECT_EQ(read("/sys/module/hello/parameters/whom"), "<-2>");
  EXPECT_FALSE(log_has("WARNING"));

  // A second load maps a fresh image: static data starts over.
  ASSERT_EQ(in_task([&] { return load_module(example("hello"), "", &msg); }), 0) << msg;
  EXPECT_EQ(read("/sys/module/hello/parameters/whom"), "world\n");
  EXPECT_EQ(log_count("loading out-of-tree module taints kernel."), 1);  // once per boot
  ASSERT_EQ(in_task([&] { return unload_module("hello", &msg); }), 0) << msg;
}

TEST_P(CompatModuleTest, InsmodErrorsAreTheKernelsAndLeaveNothingLoaded) {
  std::string msg;
  // Malformed value for an int parameter.
  EXPECT_EQ(in_task([&] { return load_module(example("hello"), "times=abc", &msg); }), -EINVAL);
  EXPECT_EQ(msg, "insmod: ERROR: could not insert module " + example("hello") + ": Invalid parameters");
  EXPECT_TRUE(log_has("hello: `abc' invalid for parameter `times'"));
  EXPECT_TRUE(loaded_modules().empty());
  // module_init's own error.
  EXPECT_EQ(in_task([&] { return load_module(example("hello"), "times=-1", &msg); }), -EINVAL);
  EXPECT_TRUE(loaded_modules().empty());
  // Unknown parameters are ignored with a warning.
  ASSERT_EQ(in_task([&] { return load_module(example("hello"), "colour=blue", &msg); }), 0) << msg;
  EXPECT_TRUE(log_has("hello: unknown parameter 'colour' ignored"));
  // Loaded twice.
  EXPECT_EQ(in_task([&] { return load_module(example("hello"), "", &msg); }), -EEXIST);
  EXPECT_EQ(msg, "insmod: ERROR: could not insert module " + example("hello") + ": File exists");
  ASSERT_EQ(in_task([&] { return unload_module("hello", &msg); }), 0);
  // Not loaded / no such file / not a module.
  EXPECT_EQ(in_task([&] { return unload_module("hello", &msg); }), -ENOENT);
  EXPECT_EQ(msg, "rmmod: ERROR: Module hello is not currently loaded");
  EXPECT_EQ(in_task([&] { return load_module("/nonexistent/x.ko", "", &msg); }), -ENOENT);
  EXPECT_EQ(msg, "insmod: ERROR: could not load module /nonexistent/x.ko: No such file or directory");
  EXPECT_EQ(in_task([&] { return load_module("/etc/hostname", "", &msg); }), -ENOEXEC);
  EXPECT_EQ(msg, "insmod: ERROR: could not insert module /etc/hostname: Invalid module format");
  EXPECT_EQ(in_task([&] { return load_module("/lib/x86_64-linux-gnu/libm.so.6", "", &msg); }), -ENOEXEC);
  EXPECT_NE(msg.find("Invalid module format"), std::string::npos) << msg;
}

TEST_P(CompatModuleTest, ModinfoReadsTheModinfoSection) {
  std::string text;
  ASSERT_EQ(modinfo_text(example("hello"), &text), 0);
  EXPECT_EQ(text.substr(0, text.find('\n')), "filename:       " + example("hello"));
  EXPECT_NE(text.find("\nlicense:        GPL\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nauthor:         ktl developers\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndescription:    Greets someone at load and unload\n"), std::string::npos);
  EXPECT_NE(text.find("\nversion:        1.0\n"), std::string::npos);
  EXPECT_NE(text.find("\nname:           hello\n"), std::string::npos);
  EXPECT_NE(text.find("\nvermagic:       6.18.0-ktl SMP preempt mod_unload \n"), std::string::npos);
  EXPECT_NE(text.find("\nparm:           whom:Who to greet (charp)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nparm:           times:How many greetings (int)\n"), std::string::npos);
  EXPECT_EQ(modinfo_text("/nonexistent.ko", &text), -ENOENT);
}

TEST_P(CompatModuleTest, ConsoleCommands) {
  std::string out;
  int status = in_task([&] {
    shell sh([&](std::string_view s) { out += s; });
    int r = sh.run("insmod " + example("hello") + " whom=console; lsmod; cat /sys/module/hello/parameters/whom; modinfo -F license hello; rmmod hello; lsmod; rmmod hello");
    return r;
  });
  EXPECT_EQ(status, 1);  // the last rmmod fails
  EXPECT_NE(out.find("Module                  Size  Used by\nhello "), std::string::npos) << out;
  EXPECT_NE(out.find("console\n"), std::string::npos) << out;
  EXPECT_NE(out.find("GPL\n"), std::string::npos) << out;
  EXPECT_NE(out.find("rmmod: ERROR: Module hello is not currently loaded\n"), std::string::npos) << out;
  EXPECT_TRUE(log_has("hello: Hello, console! (1/1)"));
}

KTL_INSTANTIATE_MACHINES(CompatModuleTest);

TEST_P(CompatModuleTest, ClashingGlobalsLoadSideBySide) {
  std::string msg;
  ASSERT_EQ(in_task([&] { return load_module(test_mod("clash_a"), "", &msg); }), 0) << msg;
  ASSERT_EQ(in_task([&] { return load_module(test_mod("clash_b"), "", &msg); }), 0) << msg;
  EXPECT_TRUE(log_has("clash_a: delay=100 read()=101"));
  EXPECT_TRUE(log_has("clash_b: delay=200 read()=201"));
  EXPECT_EQ(loaded_modules(), (std::vector<std::string>{"clash_a", "clash_b"}));
  ASSERT_EQ(in_task([&] { return unload_module("clash_a", &msg); }), 0) << msg;
  ASSERT_EQ(in_task([&] { return unload_module("clash_b", &msg); }), 0) << msg;
  EXPECT_TRUE(log_has("clash_a: exit read()=101"));
  EXPECT_TRUE(log_has("clash_b: exit read()=201"));
  EXPECT_FALSE(log_has("WARNING"));
}

TEST_P(CompatModuleTest, OldStyleEntryPoints) {
  std::string msg;
  ASSERT_EQ(in_task([&] { return load_module(test_mod("oldstyle"), "", &msg); }), 0) << msg;
  EXPECT_TRUE(log_has("oldstyle: init_module"));
  ASSERT_EQ(in_task([&] { return unload_module("oldstyle", &msg); }), 0) << msg;
  EXPECT_TRUE(log_has("oldstyle: cleanup_module"));
}

TEST_P(CompatModuleTest, FailedInitReportsItsErrorAndNeverRunsExit) {
  std::string msg;
  EXPECT_EQ(in_task([&] { return load_module(test_mod("initfail"), "", &msg); }), -ENODEV);
  EXPECT_EQ(msg, "insmod: ERROR: could not insert module " + test_mod("initfail") + ": No such device");
  EXPECT_TRUE(log_has("initfail: module license 'Proprietary' taints kernel."));
  EXPECT_TRUE(log_has("initfail: no such device"));
  EXPECT_FALSE(log_has("exit must not run"));
  EXPECT_TRUE(loaded_modules().empty());
}

TEST_P(CompatModuleTest, ModuleWithoutExitCannotBeRemoved) {
  std::string msg;
  ASSERT_EQ(in_task([&] { return load_module(test_mod("noexit"), "", &msg); }), 0) << msg;
  EXPECT_EQ(in_task([&] { return unload_module("noexit", &msg); }), -EBUSY);
  EXPECT_EQ(msg, "rmmod: ERROR: could not remove module noexit: Device or resource busy");
  EXPECT_EQ(loaded_modules(), std::vector<std::string>{"noexit"});
}

// Each buggy module leaves something behind; rmmod must report it by name, keep the code mapped
// and carry on (the kernel stays up: the test's poweroff still works).
struct buggy_case {
  const char* module;
  std::vector<std::string> expect;  // substrings of the report
  const char* sleeper = nullptr;    // a kthread that must be asleep (STAT S) before rmmod
};

bool sleeping(const char* comm) {
  std::string out = ps("-eo stat,comm");
  std::size_t p = 0;
  while ((p = out.find('\n', p)) != std::string::npos) {
    ++p;
    std::size_t e = out.find('\n', p);
    std::string line = out.substr(p, e == std::string::npos ? std::string::npos : e - p);
    if (line.find(comm) != std::string::npos && !line.empty() && line[0] == 'S') return true;
  }
  return false;
}

class CompatModuleUnloadTest : public KernelTest {
 protected:
  void check(const buggy_case& c) {
    std::string msg;
    ASSERT_EQ(in_task([&] { return load_module(test_mod(c.module), "", &msg); }), 0) << msg;
    if (c.sleeper) {
      ASSERT_TRUE(testing::wait_until([&] { return sleeping(c.sleeper); }));
    }
    ASSERT_EQ(in_task([&] { return unload_module(c.module, &msg); }), 0) << msg;
    std::string d = dmesg();
    for (const std::string& e : c.expect) EXPECT_NE(d.find(e), std::string::npos) << e << "\n" << d;
    EXPECT_TRUE(loaded_modules().empty());
  }
};

TEST_P(CompatModuleUnloadTest, TimerStillArmed) {
  check({"bug_timer", {"module bug_timer: timer ", "at compat/src/module.cc:", "(fire [bug_timer]) still pending after module_exit; keeping its code mapped",
                       "WARNING: CPU: ", "Modules linked in:"}});
}
TEST_P(CompatModuleUnloadTest, DelayedWorkStillPending) {
  check({"bug_dwork", {"module bug_dwork: delayed work ", "(later [bug_dwork]) still pending after module_exit"}});
}
TEST_P(CompatModuleUnloadTest, TimerRequeuesWorkAfterCancel) {
  check({"bug_requeue", {"module bug_requeue: timer ", "(tick [bug_requeue]) still"}});
}
TEST_P(CompatModuleUnloadTest, ThreadStillRunsAfterLastComplete) {
  check({"bug_thread", {"module bug_thread: kthread bug_thread (pid ", ") still runs worker [bug_thread] after module_exit"}});
}
TEST_P(CompatModuleUnloadTest, SleeperOnModuleWaitQueue) {
  check({"bug_waitq", {"module bug_waitq: kthread bug_waitq", "module bug_waitq: task bug_waitq (pid ",
                       "still sleeps on wait queue"}, "bug_waitq"});
}
TEST_P(CompatModuleUnloadTest, TaskletStillScheduled) {
  check({"bug_tasklet", {"module bug_tasklet: tasklet ", "(run [bug_tasklet]) still scheduled after module_exit"}});
}
TEST_P(CompatModuleUnloadTest, HrtimerStillQueued) {
  check({"bug_hrtimer", {"module bug_hrtimer: hrtimer ", "(fire [bug_hrtimer]) still queued after module_exit"}});
}
TEST_P(CompatModuleUnloadTest, LeaksAreReportedNotFatal) {
  check({"bug_leak", {"bug_leak: 300 bytes in 3 allocations not freed at unload (memory leak)"}});
  EXPECT_FALSE(log_has("WARNING"));
}

KTL_INSTANTIATE_MACHINES(CompatModuleUnloadTest);

// Memory is charged to the module that allocated it however many loads happened since: an early
// module's record must not be pushed out by 520 later insmods (the loader once kept owners in a
// 512-slot table that recycled the oldest; one machine is enough here).
class CompatModuleManyLoadsTest : public KernelTest {};

TEST_P(CompatModuleManyLoadsTest, ChargesReachAModuleLoadedBeforeManyOthers) {
  std::string msg;
  ASSERT_EQ(in_task([&] { return load_module(test_mod("late_alloc"), "", &msg); }), 0) << msg;
  const int kCycles = 520;
  int cycles = in_task([&] {
    std::string m;
    for (int i = 0; i < kCycles; ++i) {
      if (load_module(example("hello"), "times=0", &m) != 0) return i;
      if (unload_module("hello", &m) != 0) return i;
    }
    return kCycles;
  }, 10 * kJoinMs);  // about 0.5 s in a release build, 10 s and more under TSan on a loaded host
  ASSERT_EQ(cycles, kCycles);
  EXPECT_EQ(proc_write("/sys/module/late_alloc/parameters/grab", "100\n"), 0);
  EXPECT_EQ(proc_write("/sys/module/late_alloc/parameters/grab", "28\n"), 0);
  EXPECT_EQ(read("/sys/module/late_alloc/parameters/grab"), "28\n");
  ASSERT_EQ(in_task([&] { return unload_module("late_alloc", &msg); }), 0) << msg;
  EXPECT_TRUE(log_has("late_alloc: 128 bytes in 2 allocations not freed at unload (memory leak)"))
      << dmesg();
  EXPECT_FALSE(log_has("WARNING"));
}

INSTANTIATE_TEST_SUITE_P(M, CompatModuleManyLoadsTest, ::testing::Values(testing::machine_param(2)),
                         testing::machine_param_name);


}  // namespace
}  // namespace ktl
