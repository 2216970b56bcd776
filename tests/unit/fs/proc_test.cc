// /proc text formats (include/ktl/fs/proc.h; spec §1.2, §15.2, §15.3) against Linux 6.18 outputs.
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "ktl/fs/proc.h"
#include "support/kernel_test.h"
#include "support/text.h"

namespace {

using namespace ktl;
using ktl::testing::join_for;
using ktl::testing::KernelTest;
using ktl::testing::spawn;
using ktl::testing::spawn_user;
using ktl::testing::task_handle;
using ktl::testing::wait_until;

using ktl::testing::kJoinMs;
using ktl::testing::wait_state;

std::string golden_dir() {
  return (std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "golden").string();
}

using ktl::testing::read_file;

using ktl::testing::lines;

std::vector<std::string> keys(const std::string& s) {
  std::vector<std::string> v;
  for (const std::string& l : lines(s)) v.push_back(l.substr(0, l.find(':')));
  return v;
}

std::map<std::string, std::string> fields(const std::string& s) {
  std::map<std::string, std::string> m;
  for (const std::string& l : lines(s)) {
    auto c = l.find(":\t");
    if (c != std::string::npos) m[l.substr(0, c)] = l.substr(c + 2);
  }
  return m;
}

// Fields of /proc/PID/stat, field 2 kept whole (parsed up to the last ')').
std::vector<std::string> stat_fields(const std::string& s) {
  std::vector<std::string> v;
  auto open = s.find('(');
  auto close = s.rfind(')');
  v.push_back(s.substr(0, open - 1));
  v.push_back(s.substr(open, close - open + 1));
  std::stringstream ss(s.substr(close + 1));
  std::string f;
  while (ss >> f) v.push_back(f);
  return v;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

std::string read_proc(const std::string& path) {
  std::string out;
  EXPECT_EQ(proc_read(path, &out), 0) << path;
  return out;
}

std::string pid_path(const task_handle& h, const char* file) {
  return "/proc/" + std::to_string(h.task->pid) + "/" + file;
}

// The switch counters of a sleeping task, read the way /proc reads them (racily; the task is
// asleep so they are stable).
#if defined(__SANITIZE_THREAD__) || defined(KTL_TSAN)
__attribute__((noinline, no_sanitize("thread")))
#else
__attribute__((noinline))
#endif
std::pair<u64, u64> switch_counts(const task_struct* p) {
  u64 v = p->nvcsw, nv = p->nivcsw;  // plain loads here, not in pair's (instrumented) constructor
  return std::pair<u64, u64>(std::move(v), std::move(nv));
}

// Tasks made from the test's host thread are children of swapper (0) or of whatever task the
// kernel makes their parent: copy_process() set it before the task first ran.
pid_t ppid_of(const task_handle& h) { return h.task->real_parent ? h.task->real_parent->tgid : 0; }

struct Gate {
  wait_queue_head wq;
  std::atomic<bool> go{false};
  void open() {
    go = true;
    wake_up_all(&wq);
  }
};

class ProcTest : public KernelTest {};

TEST_P(ProcTest, KthreadStatusMatchesGolden) {
  auto g = std::make_shared<Gate>();
  auto t = spawn(
      [g] {
        wait_event_interruptible(g->wq, g->go.load());
        return 0;
      },
      "proc_kt");
  ASSERT_TRUE(wait_state(t, 'S'));
  std::string status = read_proc(pid_path(t, "status"));
  auto f = fields(status);
  std::string golden = read_file(golden_dir() + "/proc_status_kthread.golden");
  ASSERT_FALSE(golden.empty()) << "missing golden file in " << golden_dir();
  cpumask all = cpumask::first_n(cpus());
  golden = replace_all(golden, "{name}", "proc_kt");
  golden = replace_all(golden, "{state}", "S (sleeping)");
  golden = replace_all(golden, "{pid}", std::to_string(t.task->pid));
  golden = replace_all(golden, "{ppid}", std::to_string(ppid_of(t)));
  golden = replace_all(golden, "{sigq}", std::to_string(max_threads() / 2));
  golden = replace_all(golden, "{cpus}", cpumask_to_hex(all, cpus()));
  golden = replace_all(golden, "{cpus_list}", cpus() == 1 ? "0" : "0-" + std::to_string(cpus() - 1));
  auto [nvcsw, nivcsw] = switch_counts(t.task);
  golden = replace_all(golden, "{vcsw}", std::to_string(nvcsw));
  golden = replace_all(golden, "{nivcsw}", std::to_string(nivcsw));
  EXPECT_EQ(status, golden);
  EXPECT_GE(std::stoull(f["voluntary_ctxt_switches"]), 1u) << "it blocked at least once";
  EXPECT_EQ(cpumask_to_hex(cpumask::first_n(2), 2), "3") << "reference kthreadd on 2 CPUs";
  g->open();
  ASSERT_TRUE(join_for(t, kJoinMs));
}

TEST_P(ProcTest, StatusKeysMatchLinuxReference) {
  const char* ref = "/work/shared/reference/linux-6.18-proc-ksoftirqd-status.txt";
  std::string reference = read_file(ref);
  if (reference.empty()) GTEST_SKIP() << "reference output not available: " << ref;
  auto g = std::make_shared<Gate>();
  auto t = spawn(
      [g] {
        wait_event_interruptible(g->wq, g->go.load());
        return 0;
      },
      "ksoftirqd/0", 0);
  ASSERT_TRUE(wait_state(t, 'S'));
  std::string status = read_proc(pid_path(t, "status"));
  EXPECT_EQ(keys(status), keys(reference));
  auto ours = fields(status), theirs = fields(reference);
  for (const char* k : {"Name", "Umask", "State", "Ngid", "TracerPid", "Uid", "Gid", "FDSize",
                        "Groups", "NSpgid", "NSsid", "Kthread", "Threads", "SigPnd", "ShdPnd",
                        "SigBlk", "SigIgn", "SigCgt", "CapInh", "CapPrm", "CapEff", "CapBnd",
                        "CapAmb", "NoNewPrivs", "Seccomp", "Seccomp_filters",
                        "Speculation_Store_Bypass", "SpeculationIndirectBranch", "Cpus_allowed",
                        "Cpus_allowed_list", "Mems_allowed", "Mems_allowed_list"})
    EXPECT_EQ(ours[k], theirs[k]) << k;
  g->open();
  ASSERT_TRUE(join_for(t, kJoinMs));
}

TEST_P(ProcTest, StatesAndSchedulingInStatusAndStat) {
  auto g = std::make_shared<Gate>();
  // D: uninterruptible sleep.
  auto d = spawn(
      [g] {
        wait_event(g->wq, g->go.load());
        return 0;
      },
      "proc_d", cpus() - 1);
  // I<: idle sleep at nice -20.
  auto idle = spawn(
      [g] {
        set_user_nice(get_current(), -20);
        wait_event_idle(g->wq, g->go.load());
        return 0;
      },
      "proc_idle_hi");
  // FIFO 99.
  auto fifo = spawn(
      [g] {
        ktl::sched_param sp;
        sp.sched_priority = 99;
        sched_setscheduler_nocheck(get_current(), SCHED_FIFO, &sp);
        wait_event_interruptible(g->wq, g->go.load());
        return 0;
      },
      "proc_fifo");
  // nice 19.
  auto low = spawn(
      [g] {
        set_user_nice(get_current(), 19);
        wait_event_interruptible(g->wq, g->go.load());
        return 0;
      },
      "proc_nice19");
  ASSERT_TRUE(wait_state(d, 'D'));
  ASSERT_TRUE(wait_state(idle, 'I'));
  ASSERT_TRUE(wait_state(fifo, 'S'));
  ASSERT_TRUE(wait_state(low, 'S'));

  EXPECT_EQ(fields(read_proc(pid_path(d, "status")))["State"], "D (disk sleep)");
  EXPECT_EQ(fields(read_proc(pid_path(idle, "status")))["State"], "I (idle)");

  auto sd = stat_fields(read_proc(pid_path(d, "stat")));
  ASSERT_EQ(sd.size(), 52u);
  EXPECT_EQ(sd[0], std::to_string(d.task->pid));
  EXPECT_EQ(sd[1], "(proc_d)");
  EXPECT_EQ(sd[2], "D");
  EXPECT_EQ(sd[3], std::to_string(ppid_of(d)));
  EXPECT_EQ(sd[4], "0");        // pgrp
  EXPECT_EQ(sd[5], "0");        // session
  EXPECT_EQ(sd[6], "0");        // tty_nr
  EXPECT_EQ(sd[7], "-1");       // tpgid
  EXPECT_NE(std::stoul(sd[8]) & PF_KTHREAD, 0u);
  EXPECT_EQ(sd[17], "20");      // priority, nice 0
  EXPECT_EQ(sd[18], "0");       // nice
  EXPECT_EQ(sd[19], "1");       // num_threads
  EXPECT_EQ(sd[20], "0");       // itrealvalue
  // starttime in USER_HZ ticks since boot: not after now.
  EXPECT_LE(std::stoull(sd[21]), nsec_to_clock_t(ktime_get_ns()));
  for (int i : {23, 24, 26, 27, 28}) EXPECT_EQ(sd[i - 1], "0") << "field " << i;
  EXPECT_EQ(sd[24], "18446744073709551615") << "rsslim is RLIM_INFINITY for every task";
  EXPECT_EQ(sd[32], "2147483647") << "sigignore: all ignored, low 31 bits";
  EXPECT_EQ(sd[34], "1") << "wchan flag of a sleeping task";
  EXPECT_EQ(sd[37], "17") << "exit_signal SIGCHLD";
  EXPECT_EQ(sd[38], std::to_string(cpus() - 1)) << "processor";
  EXPECT_EQ(sd[39], "0");  // rt_priority
  EXPECT_EQ(sd[40], "0");  // policy
  for (int i = 45; i <= 51; ++i) EXPECT_EQ(sd[i - 1], "0") << "field " << i;
  EXPECT_EQ(sd[51], "0");  // exit_code

  auto sf = stat_fields(read_proc(pid_path(fifo, "stat")));
  ASSERT_EQ(sf.size(), 52u);
  EXPECT_EQ(sf[2], "S");
  EXPECT_EQ(sf[17], "-100") << "FIFO 99: -1 - rt_priority";
  EXPECT_EQ(sf[39], "99");
  EXPECT_EQ(sf[40], "1");

  auto si = stat_fields(read_proc(pid_path(idle, "stat")));
  EXPECT_EQ(si[2], "I");
  EXPECT_EQ(si[17], "0");
  EXPECT_EQ(si[18], "-20");
  auto sl = stat_fields(read_proc(pid_path(low, "stat")));
  EXPECT_EQ(sl[17], "39");
  EXPECT_EQ(sl[18], "19");

  g->open();
  for (auto* h : {&d, &idle, &fifo, &low}) ASSERT_TRUE(join_for(*h, kJoinMs));
}

TEST_P(ProcTest, UserTaskHasVmLinesAndCmdline) {
  auto g = std::make_shared<Gate>();
  auto u = spawn_user(
      [g] {
        wait_event_interruptible(g->wq, g->go.load());
        return 0;
      },
      "proc_user");
  ASSERT_TRUE(wait_state(u, 'S'));
  std::string status = read_proc(pid_path(u, "status"));
  auto k = keys(status);
  auto pos = [&](const std::string& key) {
    return std::find(k.begin(), k.end(), key) - k.begin();
  };
  ASSERT_LT(pos("VmPeak"), static_cast<long>(k.size()));
  EXPECT_EQ(pos("VmPeak"), pos("Kthread") + 1);
  EXPECT_EQ(pos("Threads"), pos("untag_mask") + 1);
  const std::vector<std::string> vm = {"VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM", "VmRSS",
                                       "RssAnon", "RssFile", "RssShmem", "VmData", "VmStk", "VmExe",
                                       "VmLib", "VmPTE", "VmSwap", "HugetlbPages", "CoreDumping",
                                       "THP_enabled", "untag_mask"};
  EXPECT_EQ(std::vector<std::string>(k.begin() + pos("VmPeak"), k.begin() + pos("Threads")), vm);
  auto f = fields(status);
  EXPECT_EQ(f["Kthread"], "0");
  EXPECT_EQ(f["SigIgn"], "0000000000000000");
  for (const std::string& l : lines(status)) {
    if (l.rfind("Vm", 0) == 0 || l.rfind("Rss", 0) == 0 || l.rfind("HugetlbPages", 0) == 0) {
      std::string v = l.substr(l.find(":\t") + 2);
      EXPECT_EQ(v.size(), 11u) << "\"%8lu kB\": " << l;
      EXPECT_EQ(v.substr(8), " kB") << l;
    }
  }
  EXPECT_EQ(read_proc(pid_path(u, "cmdline")), std::string("proc_user\0", 10));
  auto s = stat_fields(read_proc(pid_path(u, "stat")));
  ASSERT_EQ(s.size(), 52u);
  EXPECT_NE(s[22], "0") << "vsize";
  EXPECT_NE(s[23], "0") << "rss";
  EXPECT_EQ(std::stoul(s[8]) & PF_KTHREAD, 0u);
  g->open();
  ASSERT_TRUE(join_for(u, kJoinMs));
}

TEST_P(ProcTest, CommCmdlineStackWchanOfKthread) {
  auto done = std::make_shared<completion>();
  init_completion(done.get());
  auto t = spawn(
      [done] {
        wait_for_completion(done.get());
        return 0;
      },
      "proc_stack");
  ASSERT_TRUE(wait_state(t, 'D'));
  EXPECT_EQ(read_proc(pid_path(t, "comm")), "proc_stack\n");
  EXPECT_EQ(read_proc(pid_path(t, "cmdline")), "");
  EXPECT_EQ(read_proc(pid_path(t, "wchan")), "wait_for_completion");
  std::string stack = read_proc(pid_path(t, "stack"));
  auto l = lines(stack);
  ASSERT_GE(l.size(), 3u) << stack;
  EXPECT_EQ(l.front(), "[<0>] wait_for_completion+0x0/0x0");
  EXPECT_EQ(l.back(), "[<0>] ret_from_fork_asm+0x1a/0x30");
  for (const std::string& x : l) EXPECT_EQ(x.rfind("[<0>] ", 0), 0u) << x;
  std::string dir = "/proc/" + std::to_string(t.task->pid) + "/task/" + std::to_string(t.task->pid);
  EXPECT_EQ(read_proc(dir + "/comm"), "proc_stack\n");
  complete(done.get());
  ASSERT_TRUE(join_for(t, kJoinMs));
}

TEST_P(ProcTest, NameHooksAndEscaping) {
  auto g = std::make_shared<Gate>();
  auto t = spawn(
      [g] {
        wait_event_interruptible(g->wq, g->go.load());
        return 0;
      },
      "pool_workqueue_release");
  ASSERT_TRUE(wait_state(t, 'S'));
  EXPECT_EQ(proc_task_name(t.task), "pool_workqueue_") << "comm: 15 characters";
  static task_struct* hooked;
  hooked = t.task;
  ktl_proc_full_name = [](const task_struct* p) -> const char* {
    if (p == hooked) return "pool_workqueue_release";
    if (p->pid == -1) return "never";
    return nullptr;
  };
  EXPECT_EQ(read_proc(pid_path(t, "comm")), "pool_workqueue_release\n");
  EXPECT_EQ(fields(read_proc(pid_path(t, "status")))["Name"], "pool_workqueue_release");
  EXPECT_EQ(stat_fields(read_proc(pid_path(t, "stat")))[1], "(pool_workqueue_release)");
  ktl_proc_full_name = [](const task_struct* p) -> const char* {
    return p == hooked ? "a\\b\nc) d" : nullptr;
  };
  EXPECT_EQ(fields(read_proc(pid_path(t, "status")))["Name"], "a\\\\b\\nc) d")
      << "only newline and backslash are escaped";
  std::string stat = read_proc(pid_path(t, "stat"));
  EXPECT_EQ(stat_fields(stat).size(), 52u) << "name with ') ' parsed up to the last ')'";
  EXPECT_NE(stat.find("(a\\b\nc) d)"), std::string::npos) << "stat shows the raw name";
  ktl_proc_full_name = nullptr;
  EXPECT_EQ(read_proc(pid_path(t, "comm")), "pool_workqueue_\n");
  g->open();
  ASSERT_TRUE(join_for(t, kJoinMs));
}

TEST_P(ProcTest, GlobalFiles) {
  auto g = std::make_shared<Gate>();
  auto d = spawn(
      [g] {
        wait_event(g->wq, g->go.load());
        return 0;
      },
      "proc_load_d");
  ASSERT_TRUE(wait_state(d, 'D'));
  std::string la = read_proc("/proc/loadavg");
  double a1, a5, a15;
  unsigned run, total;
  int last;
  ASSERT_EQ(std::sscanf(la.c_str(), "%lf %lf %lf %u/%u %d", &a1, &a5, &a15, &run, &total, &last), 6)
      << la;
  EXPECT_EQ(la.back(), '\n');
  EXPECT_EQ(total, static_cast<unsigned>(nr_threads()));
  EXPECT_GE(last, d.task->pid);
  EXPECT_NE(la.find('.'), std::string::npos);
  // Uptime and stat.
  std::string up = read_proc("/proc/uptime");
  double u1, u2;
  ASSERT_EQ(std::sscanf(up.c_str(), "%lf %lf", &u1, &u2), 2) << up;
  std::string st = read_proc("/proc/stat");
  auto l = lines(st);
  ASSERT_GE(l.size(), static_cast<std::size_t>(cpus()) + 1);
  EXPECT_EQ(l[0].rfind("cpu  ", 0), 0u) << l[0];
  for (int c = 0; c < cpus(); ++c) EXPECT_EQ(l[1 + c].rfind("cpu" + std::to_string(c) + " ", 0), 0u);
  std::istringstream cpu0(l[0]);
  std::string label;
  cpu0 >> label;
  int n = 0;
  for (std::string x; cpu0 >> x;) ++n;
  EXPECT_EQ(n, 10) << "user nice system idle iowait irq softirq steal guest guest_nice";
  EXPECT_NE(st.find("\nprocesses "), std::string::npos);
  EXPECT_NE(st.find("\nprocs_running "), std::string::npos);
  EXPECT_NE(st.find("\nprocs_blocked "), std::string::npos);
  EXPECT_NE(st.find("\nctxt "), std::string::npos);
  EXPECT_NE(st.find("\nbtime "), std::string::npos);
  unsigned blocked = 0;
  auto pb = st.find("procs_blocked ");
  std::sscanf(st.c_str() + pb, "procs_blocked %u", &blocked);
  EXPECT_GE(blocked, 1u) << "the D sleeper";
  g->open();
  ASSERT_TRUE(join_for(d, kJoinMs));
  std::string out;
  EXPECT_EQ(proc_read("/proc/999999/status", &out), -ENOENT);
  EXPECT_EQ(proc_read("/proc/0/status", &out), -ENOENT) << "idle tasks have no /proc entry";
  EXPECT_EQ(proc_read("/proc/1x/status", &out), -ENOENT);
  EXPECT_EQ(proc_read("/proc/nothing", &out), -ENOENT);
  EXPECT_EQ(proc_read("/proc/self/status", &out), -ENOENT) << "a host thread is no task";
}

TEST_P(ProcTest, SelfFromATask) {
  auto result = std::make_shared<std::string>();
  auto t = spawn(
      [result] {
        std::string s;
        if (proc_read("/proc/self/stat", &s) == 0) *result = s;
        return 0;
      },
      "proc_self");
  ASSERT_TRUE(join_for(t, kJoinMs));
  auto f = stat_fields(*result);
  ASSERT_EQ(f.size(), 52u) << *result;
  EXPECT_EQ(f[1], "(proc_self)");
  EXPECT_EQ(f[2], "R") << "reading its own stat: running";
  EXPECT_EQ(f[34], "0") << "wchan flag of a running task";
}

INSTANTIATE_TEST_SUITE_P(Cpus, ProcTest, ::testing::Values(1, 2));

class ProcSysctlTest : public KernelTest {};

TEST_P(ProcSysctlTest, PidMaxAndThreadsMax) {
  EXPECT_EQ(read_proc("/proc/sys/kernel/pid_max"), "32768\n");
  EXPECT_EQ(read_proc("/proc/sys/kernel/threads-max"), std::to_string(max_threads()) + "\n");
  int old_threads = max_threads();

  EXPECT_EQ(proc_write("/proc/sys/kernel/pid_max", "65536\n"), 0);
  EXPECT_EQ(read_proc("/proc/sys/kernel/pid_max"), "65536\n");
  EXPECT_EQ(proc_write("/proc/sys/kernel/pid_max", "  0x8000 "), 0) << "base 0, spaces";
  EXPECT_EQ(pid_max(), 32768);
  for (const char* bad : {"300", "0", "-1", "abc", "12abc", "4194305", "99999999999", "-", "0x"})
    EXPECT_EQ(proc_write("/proc/sys/kernel/pid_max", bad), -EINVAL) << bad;
  EXPECT_EQ(pid_max(), 32768) << "rejected writes change nothing";
  EXPECT_EQ(proc_write("/proc/sys/kernel/pid_max", "301"), 0) << "RESERVED_PIDS + 1";
  EXPECT_EQ(proc_write("/proc/sys/kernel/pid_max", "4194304"), 0) << "PID_MAX_LIMIT";
  EXPECT_EQ(proc_write("/proc/sys/kernel/pid_max", ""), 0) << "an empty write is a no-op";
  EXPECT_EQ(pid_max(), 4194304);
  EXPECT_EQ(proc_write("/proc/sys/kernel/pid_max", "32768"), 0);

  for (const char* bad : {"19", "-5", "1073741824", "x"})
    EXPECT_EQ(proc_write("/proc/sys/kernel/threads-max", bad), -EINVAL) << bad;
  EXPECT_EQ(max_threads(), old_threads);
  EXPECT_EQ(proc_write("/proc/sys/kernel/threads-max", "20"), 0);
  EXPECT_EQ(read_proc("/proc/sys/kernel/threads-max"), "20\n");
  EXPECT_EQ(proc_write("/proc/sys/kernel/threads-max", std::to_string(old_threads)), 0);

  EXPECT_EQ(proc_write("/proc/sys/kernel/nope", "1"), -ENOENT);
  EXPECT_EQ(proc_write("/proc/loadavg", "1"), -ENOENT);
}

TEST_P(ProcSysctlTest, RegisteredEntries) {
  static int value = 120;
  ASSERT_EQ(proc_register_sysctl(
                "kernel/hung_task_timeout_secs", [] { return std::to_string(value) + "\n"; },
                [](const std::string& v) {
                  int x;
                  int r = proc_dointvec_minmax(v, 0, 3600, &x);
                  if (r == 0) value = x;
                  return r < 0 ? r : 0;
                }),
            0);
  EXPECT_EQ(proc_register_sysctl("kernel/hung_task_timeout_secs", [] { return std::string(); }),
            -EEXIST);
  EXPECT_EQ(read_proc("/proc/sys/kernel/hung_task_timeout_secs"), "120\n");
  EXPECT_EQ(proc_write("/proc/sys/kernel/hung_task_timeout_secs", "30"), 0);
  EXPECT_EQ(value, 30);
  EXPECT_EQ(proc_write("/proc/sys/kernel/hung_task_timeout_secs", "3601"), -EINVAL);
  proc_unregister_sysctl("kernel/hung_task_timeout_secs");
  std::string out;
  EXPECT_EQ(proc_read("/proc/sys/kernel/hung_task_timeout_secs", &out), -ENOENT);
}

INSTANTIATE_TEST_SUITE_P(Cpus, ProcSysctlTest, ::testing::Values(1));

TEST(ProcDointvecTest, ParsesLikeTheKernel) {
  int v = 0;
  EXPECT_EQ(proc_dointvec_minmax("42\n", 0, 100, &v), 0);
  EXPECT_EQ(v, 42);
  EXPECT_EQ(proc_dointvec_minmax("010", 0, 100, &v), 0);
  EXPECT_EQ(v, 8) << "octal";
  EXPECT_EQ(proc_dointvec_minmax("-7", -10, 100, &v), 0);
  EXPECT_EQ(v, -7);
  EXPECT_EQ(proc_dointvec_minmax("5 6", 0, 100, &v), 0);
  EXPECT_EQ(v, 5) << "one value is read; the rest is ignored";
  EXPECT_EQ(proc_dointvec_minmax(" \n", 0, 100, &v), 1);
  EXPECT_EQ(proc_dointvec_minmax("2147483648", INT_MIN, INT_MAX, &v), -EINVAL);
  EXPECT_EQ(proc_dointvec_minmax("-2147483648", INT_MIN, INT_MAX, &v), 0);
  EXPECT_EQ(v, INT_MIN);
  EXPECT_EQ(proc_dointvec_minmax("+5", 0, 100, &v), -EINVAL);
  EXPECT_EQ(proc_dointvec_minmax("5,", 0, 100, &v), -EINVAL);
}

}  // namespace
