// ps output (include/ktl/fs/ps.h) against linux-6.18-ps.txt: headers, widths, STAT letters and
// modifiers, NI/CLS/RTPRIO for RT tasks, [brackets] for kernel threads.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "ktl/fs/proc.h"
#include "ktl/fs/ps.h"
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
constexpr const char* kEo = "-eo pid,ppid,stat,psr,ni,cls,rtprio,command";

std::string golden(const char* name) {
  std::ifstream f((std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "golden" / name)
                      .string());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

using ktl::testing::lines;

// The line whose `col`-th word (0 based) is `pid`, or "".
std::string row_of(const std::string& out, pid_t pid, int col = 0) {
  for (const std::string& l : lines(out)) {
    std::istringstream is(l);
    std::string w;
    for (int i = 0; i <= col; ++i) is >> w;
    if (w == std::to_string(pid)) return l;
  }
  return "";
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The -eo row a Linux 6.18 ps would print (format of linux-6.18-ps.txt).
std::string eo_row(pid_t pid, pid_t ppid, const char* stat, int psr, const char* ni, const char* cls,
                   const char* rtprio, const std::string& cmd) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%5d %5d %-4s %3d %3s %3s %6s %s", pid, ppid, stat, psr, ni, cls,
                rtprio, cmd.c_str());
  return buf;
}

pid_t ppid_of(const task_handle& h) { return h.task->real_parent ? h.task->real_parent->tgid : 0; }

struct Gate {
  wait_queue_head wq;
  std::atomic<bool> go{false};
  void open() {
    go = true;
    wake_up_all(&wq);
  }
};

class PsTest : public KernelTest {};

TEST_P(PsTest, EoMatchesLinuxFormat) {
  auto g = std::make_shared<Gate>();
  auto s = spawn(
      [g] {
        wait_event_interruptible(g->wq, g->go.load());
        return 0;
      },
      "ps_sleeper", 0);
  auto d = spawn(
      [g] {
        wait_event(g->wq, g->go.load());
        return 0;
      },
      "ps_dsleep", 0);
  auto hi = spawn(
      [g] {
        set_user_nice(get_current(), -20);
        wait_event_idle(g->wq, g->go.load());
        return 0;
      },
      "kworker/R-ps", 0);
  auto low = spawn(
      [g] {
        set_user_nice(get_current(), 19);
        wait_event_interruptible(g->wq, g->go.load());
        return 0;
      },
      "ps_ksmd", 0);
  auto fifo = spawn(
      [g] {
        ktl::sched_param sp;
        sp.sched_priority = 99;
        sched_setscheduler_nocheck(get_current(), SCHED_FIFO, &sp);
        wait_event_interruptible(g->wq, g->go.load());
        return 0;
      },
      "migration/0", 0);
  auto user = spawn_user(
      [g] {
        wait_event_interruptible(g->wq, g->go.load());
        return 0;
      },
      "ps_user", 0);
  auto stop = std::make_shared<std::atomic<bool>>(false);
  auto spin = spawn(
      [stop] {
        while (!stop->load()) cond_resched();
        return 0;
      },
      "ps_spin", cpus() - 1);
  ASSERT_TRUE(wait_state(s, 'S'));
  ASSERT_TRUE(wait_state(d, 'D'));
  ASSERT_TRUE(wait_state(hi, 'I'));
  ASSERT_TRUE(wait_state(low, 'S'));
  ASSERT_TRUE(wait_state(fifo, 'S'));
  ASSERT_TRUE(wait_state(user, 'S'));
  ASSERT_TRUE(wait_until([&] { return spin.task->pid > 0 && task_state_to_char(spin.task) == 'R'; }));

  std::string out = ps(kEo);
  auto l = lines(out);
  ASSERT_FALSE(l.empty());
  EXPECT_EQ(l[0] + "\n", golden("ps_header_eo.golden"));
  EXPECT_EQ(l[0], "  PID  PPID STAT PSR  NI CLS RTPRIO COMMAND");

  EXPECT_EQ(row_of(out, s.task->pid), eo_row(s.task->pid, ppid_of(s), "S", 0, "0", "TS", "-", "[ps_sleeper]"));
  EXPECT_EQ(row_of(out, d.task->pid), eo_row(d.task->pid, ppid_of(d), "D", 0, "0", "TS", "-", "[ps_dsleep]"));
  EXPECT_EQ(row_of(out, hi.task->pid),
            eo_row(hi.task->pid, ppid_of(hi), "I<", 0, "-20", "TS", "-", "[kworker/R-ps]"));
  EXPECT_EQ(row_of(out, low.task->pid), eo_row(low.task->pid, ppid_of(low), "SN", 0, "19", "TS", "-", "[ps_ksmd]"));
  EXPECT_EQ(row_of(out, fifo.task->pid),
            eo_row(fifo.task->pid, ppid_of(fifo), "S", 0, "-", "FF", "99", "[migration/0]"));
  EXPECT_EQ(row_of(out, user.task->pid), eo_row(user.task->pid, ppid_of(user), "S", 0, "0", "TS", "-", "ps_user"))
      << "user tasks show their command line, not brackets";
  EXPECT_EQ(row_of(out, spin.task->pid),
            eo_row(spin.task->pid, ppid_of(spin), "R", cpus() - 1, "0", "TS", "-", "[ps_spin]"));
  // The shape of the reference migration/0 row.
  std::string mig = row_of(out, fifo.task->pid);
  EXPECT_EQ(mig.substr(12), "S      0   -  FF     99 [migration/0]");
  // No idle task (pid 0), rows sorted by pid.
  EXPECT_EQ(row_of(out, 0), "");
  pid_t prev = 0;
  for (std::size_t i = 1; i < l.size(); ++i) {
    pid_t pid = std::stoi(l[i]);
    EXPECT_GT(pid, prev);
    prev = pid;
  }

  *stop = true;
  g->open();
  for (auto* h : {&s, &d, &hi, &low, &fifo, &user, &spin}) ASSERT_TRUE(join_for(*h, kJoinMs));
}

TEST_P(PsTest, DefaultAuxAndFullFormats) {
  auto g = std::make_shared<Gate>();
  auto k = spawn(
      [g] {
        wait_event_interruptible(g->wq, g->go.load());
        return 0;
      },
      "ps_kthread");
  auto u = spawn_user(
      [g] {
        wait_event_interruptible(g->wq, g->go.load());
        return 0;
      },
      "ps_user");
  ASSERT_TRUE(wait_state(k, 'S'));
  ASSERT_TRUE(wait_state(u, 'S'));

  std::string e = ps("-e");
  auto le = lines(e);
  EXPECT_EQ(le[0], "  PID TTY          TIME CMD");
  char buf[128];
  std::snprintf(buf, sizeof buf, "%5d ?        00:00:00 ps_kthread", k.task->pid);
  EXPECT_EQ(row_of(e, k.task->pid), buf) << "CMD is the name, without brackets";

  std::string aux = ps("aux");
  EXPECT_EQ(lines(aux)[0], "USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND");
  std::string krow = row_of(aux, k.task->pid, 1);
  // "root" PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND
  std::snprintf(buf, sizeof buf, "root     %5d  0.0  0.0      0     0 ?        S    ", k.task->pid);
  EXPECT_EQ(krow.rfind(buf, 0), 0u) << krow;
  EXPECT_TRUE(ends_with(krow, "   0:00 [ps_kthread]")) << krow;
  std::string urow = row_of(aux, u.task->pid, 1);
  std::istringstream ur(urow);
  std::string user, pid, cpu, mem, vsz, rss;
  ur >> user >> pid >> cpu >> mem >> vsz >> rss;
  EXPECT_NE(vsz, "0") << urow;
  EXPECT_NE(rss, "0") << urow;
  EXPECT_TRUE(ends_with(urow, " ps_user")) << urow;

  std::string ef = ps("-ef");
  EXPECT_EQ(lines(ef)[0], "UID        PID  PPID  C STIME TTY          TIME CMD");
  std::string efrow = row_of(ef, k.task->pid, 1);
  EXPECT_TRUE(ends_with(efrow, " ?        00:00:00 [ps_kthread]")) << efrow;
  std::snprintf(buf, sizeof buf, "root     %5d %5d  0 ", k.task->pid, ppid_of(k));
  EXPECT_EQ(efrow.rfind(buf, 0), 0u) << efrow;

  std::string p = ps("-o pid,comm=NAME -p " + std::to_string(k.task->pid));
  auto lp = lines(p);
  ASSERT_EQ(lp.size(), 2u) << p;
  EXPECT_EQ(lp[0], "  PID NAME");
  std::snprintf(buf, sizeof buf, "%5d ps_kthread", k.task->pid);
  EXPECT_EQ(lp[1], buf);

  std::string bad;
  EXPECT_EQ(ps("-eo pid,bogus", &bad), -EINVAL);
  EXPECT_EQ(bad, "error: unknown user-defined format specifier \"bogus\"\n");
  EXPECT_EQ(ps("-Z", &bad), -EINVAL);

  g->open();
  ASSERT_TRUE(join_for(k, kJoinMs));
  ASSERT_TRUE(join_for(u, kJoinMs));
}

TEST_P(PsTest, FullNameHookAndPidWidth) {
  auto g = std::make_shared<Gate>();
  auto k = spawn(
      [g] {
        wait_event_interruptible(g->wq, g->go.load());
        return 0;
      },
      "rcu_exp_par_gp_kthread_worker/0", 0);
  ASSERT_TRUE(wait_state(k, 'S'));
  static task_struct* hooked;
  hooked = k.task;
  ktl_proc_full_name = [](const task_struct* p) -> const char* {
    return p == hooked ? "rcu_exp_par_gp_kthread_worker/0" : nullptr;
  };
  std::string out = ps(kEo);
  EXPECT_EQ(row_of(out, k.task->pid),
            eo_row(k.task->pid, ppid_of(k), "S", 0, "0", "TS", "-",
                   "[rcu_exp_par_gp_kthread_worker/0]"));
  ktl_proc_full_name = nullptr;
  EXPECT_EQ(row_of(ps(kEo), k.task->pid),
            eo_row(k.task->pid, ppid_of(k), "S", 0, "0", "TS", "-", "[rcu_exp_par_gp_]"));

  // procps sizes PID columns from pid_max: 4194304 -> 7 digits.
  ASSERT_EQ(proc_write("/proc/sys/kernel/pid_max", "4194304"), 0);
  EXPECT_EQ(lines(ps(kEo))[0], "    PID    PPID STAT PSR  NI CLS RTPRIO COMMAND");
  ASSERT_EQ(proc_write("/proc/sys/kernel/pid_max", "32768"), 0);

  g->open();
  ASSERT_TRUE(join_for(k, kJoinMs));
}

Gate* g_thread_gate;
int thread_fn(void*) {
  wait_event_interruptible(g_thread_gate->wq, g_thread_gate->go.load());
  return 0;
}

TEST_P(PsTest, MultiThreadedUserProcess) {
  auto g = std::make_shared<Gate>();
  g_thread_gate = g.get();
  auto leader = spawn_user(
      [g] {
        wait_event_interruptible(g->wq, g->go.load());
        return 0;
      },
      "ps_mt", 0);
  ASSERT_TRUE(wait_state(leader, 'S'));
  kernel_clone_args a;
  a.flags = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;
  a.fn = thread_fn;
  a.name = "ps_mt";
  a.user = true;
  a.mm = leader.task->mm;
  a.parent = leader.task;
  a.exit_signal = -1;  // threads are reaped by themselves
  task_struct* th = copy_process(a);
  ASSERT_FALSE(IS_ERR(th));
  get_task_struct(th);
  pid_t tid = th->pid;
  wake_up_new_task(th);
  ASSERT_TRUE(wait_until([&] { return task_state_to_char(th) == 'S'; }));

  std::string out = ps(kEo);
  EXPECT_EQ(row_of(out, leader.task->pid),
            eo_row(leader.task->pid, ppid_of(leader), "Sl", 0, "0", "TS", "-", "ps_mt"))
      << "'l': multi-threaded";
  EXPECT_EQ(row_of(out, tid), "") << "ps lists processes, not threads";
  std::string st;
  ASSERT_EQ(proc_read("/proc/" + std::to_string(leader.task->pid) + "/status", &st), 0);
  EXPECT_NE(st.find("\nThreads:\t2\n"), std::string::npos) << st;
  ASSERT_EQ(proc_read("/proc/" + std::to_string(leader.task->pid) + "/task/" + std::to_string(tid) +
                          "/status", &st), 0);
  EXPECT_NE(st.find("\nTgid:\t" + std::to_string(leader.task->pid) + "\n"), std::string::npos) << st;
  EXPECT_NE(st.find("\nPid:\t" + std::to_string(tid) + "\n"), std::string::npos) << st;

  g->open();
  ASSERT_TRUE(join_for(leader, kJoinMs));
  EXPECT_TRUE(wait_until([&] { return th->exit_state.load() != 0; }));
  put_task_struct(th);
}

INSTANTIATE_TEST_SUITE_P(Cpus, PsTest, ::testing::Values(1, 2));

}  // namespace
