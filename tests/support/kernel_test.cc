#include "support/kernel_test.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <cstdio>
#include <cstring>
#include <string>

namespace ktl::testing {

struct task_handle::state {
  std::function<int()> fn;
  completion done;
  int result = 0;
};

scoped_kernel::scoped_kernel(int cpus, unsigned hz) {
  boot_params bp;
  bp.cpus = cpus;
  bp.hz = hz;
  bp.console_fd = -1;
  int r = start_kernel(bp);
  EXPECT_EQ(r, 0) << "start_kernel failed";
  up_ = r == 0;
}

scoped_kernel::scoped_kernel(const boot_params& bp) {
  int r = start_kernel(bp);
  EXPECT_EQ(r, 0) << "start_kernel failed";
  up_ = r == 0;
}

scoped_kernel::~scoped_kernel() {
  if (up_) poweroff();
}

int scoped_kernel::poweroff() {
  if (!up_) return 0;
  up_ = false;
  int r = kernel_poweroff();
  EXPECT_EQ(r, 0) << "poweroff with tasks still alive:\n" << dmesg();
  return r;
}

static int trampoline(void* arg) {
  auto* st = static_cast<task_handle::state*>(arg);
  st->result = st->fn();
  complete(&st->done);
  return st->result;
}

static task_handle make(kernel_clone_args a, std::function<int()> fn, int cpu, bool start_now) {
  task_handle h;
  h.st = new task_handle::state();
  h.st->fn = std::move(fn);
  a.fn = trampoline;
  a.fn_arg = h.st;
  task_struct* p = copy_process(a);
  if (IS_ERR(p)) {
    ADD_FAILURE() << "copy_process failed: " << PTR_ERR(p);
    delete h.st;
    h.st = nullptr;
    return h;
  }
  get_task_struct(p);
  if (cpu >= 0) {
    cpumask m = cpumask::of(cpu);
    do_set_cpus_allowed(p, &m);
  }
  h.task = p;
  if (start_now) wake_up_new_task(p);
  return h;
}

task_handle spawn(std::function<int()> fn, const char* name, int cpu, bool start_now) {
  kernel_clone_args a;
  a.name = name;
  a.kthread = true;
  return make(a, std::move(fn), cpu, start_now);
}

task_handle spawn_user(std::function<int()> fn, const char* name, int cpu, mm_struct* mm) {
  kernel_clone_args a;
  a.name = name;
  a.user = true;
  a.mm = mm;
  return make(a, std::move(fn), cpu, true);
}

void start(task_handle& h) { wake_up_new_task(h.task); }

int join(task_handle& h) {
  int r = 0;
  EXPECT_TRUE(join_for(h, 60000, &r)) << "task " << (h.task ? h.task->comm : "?")
                                      << " did not finish";
  return r;
}

bool join_for(task_handle& h, int ms, int* result) {
  if (!h.st) return false;
  unsigned long left = msecs_to_jiffies(static_cast<unsigned>(ms));
  if (!wait_for_completion_timeout(&h.st->done, left)) return false;
  if (result) *result = h.st->result;
  // The task may still be on its way out (do_exit); wait until it is gone so poweroff is clean.
  task_struct* p = h.task;
  wait_until([p] { return p->exit_state.load() != 0; }, ms);
  put_task_struct(p);
  delete h.st;
  h.st = nullptr;
  h.task = nullptr;
  return true;
}

int run_c(int (*fn)(), const char* name, int cpu, int ms) {
  task_handle t = spawn([fn] { return fn(); }, name, cpu);
  int r = -9999;
  EXPECT_TRUE(join_for(t, ms, &r)) << name << " did not finish within " << ms << " ms";
  return r;
}

void let_run_us(long us) {
  if (sim::active()) {
    sim::run_for(static_cast<u64>(us) * 1000ull);
    return;
  }
  std::this_thread::sleep_for(std::chrono::microseconds(us));
}

bool wait_until(const std::function<bool()>& cond, int ms) {
  if (sim::active()) return sim::run_until(cond, static_cast<u64>(ms) * 1000000ull) == 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return true;
}

std::string machine_param_name(const ::testing::TestParamInfo<machine_param>& info) {
  return info.param.sim ? "sim" : "real" + std::to_string(info.param.cpus);
}

std::vector<u64> sim_seeds() {
  if (const char* one = std::getenv("KTL_SIM_SEED")) return {std::strtoull(one, nullptr, 0)};
  u64 n = 50;
  if (const char* many = std::getenv("KTL_SIM_SEEDS")) n = std::max<u64>(1, std::strtoull(many, nullptr, 0));
  std::vector<u64> v;
  for (u64 s = 1; s <= n; ++s) v.push_back(s);
  return v;
}

int sim_cpus_for_seed(u64 seed) {
  static constexpr int kCpus[3] = {2, 4, 1};
  return kCpus[seed % 3];
}

boot_params test_boot_params(int cpus, bool simulate, u64 seed, unsigned hz) {
  boot_params bp;
  bp.cpus = cpus;
  bp.hz = hz;
  bp.console_fd = -1;
  if (simulate) {
    bp.sim.enabled = true;
    bp.sim.seed = seed;
    if (const char* st = std::getenv("KTL_SIM_STRATEGY"))
      if (std::string(st) == "pct") bp.sim.strategy = sim_strategy::pct;
    bp.sim.max_steps = 200000000;  // a livelock fails the test instead of hanging it
  }
  return bp;
}

namespace {

std::string g_replay;  // the command that replays the running simulated test

std::string replay_command(u64 seed) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string cmd = "KTL_SIM_SEED=" + std::to_string(seed);
  if (const char* st = std::getenv("KTL_SIM_STRATEGY")) cmd += std::string(" KTL_SIM_STRATEGY=") + st;
  cmd += " ./ktl_tests --gtest_filter='";
  if (info) cmd += std::string(info->test_suite_name()) + "." + info->name();
  return cmd + "'";
}

void sim_failure(const char* summary) {
  std::fprintf(stderr, "%s\n--- dmesg ---\n%s\nreplay: %s\n", summary, dmesg().c_str(),
               g_replay.c_str());
}

}  // namespace

void KernelTest::boot(u64 seed) {
  seed_ = seed;
  cpus_ = GetParam().sim ? sim_cpus_for_seed(seed) : GetParam().cpus;
  if (GetParam().sim) {
    g_replay = replay_command(seed);
    sim::set_failure_hook(sim_failure);
  }
  kernel_ = std::make_unique<scoped_kernel>(
      test_boot_params(cpus_, GetParam().sim, seed, GetParam().hz));
}

void KernelTest::SetUp() { boot(GetParam().sim ? sim_seeds().front() : 0); }

void KernelTest::TearDown() {
  kernel_.reset();
  if (!GetParam().sim) return;
  auto fail_note = [this] {
    std::fprintf(stderr, "simulation seed %llu (%d vCPUs) failed; replay: %s\n",
                 static_cast<unsigned long long>(seed_), cpus_, g_replay.c_str());
  };
  if (HasFailure()) {
    fail_note();
    return;
  }
  if (IsSkipped()) return;
  std::vector<u64> seeds = sim_seeds();
  for (std::size_t i = 1; i < seeds.size(); ++i) {
    boot(seeds[i]);
    TestBody();
    kernel_.reset();
    if (HasFailure()) {
      fail_note();
      return;
    }
  }
}

int stress_iterations(int base) {
  const char* s = std::getenv("KTL_STRESS_SCALE");
  int scale = s ? std::atoi(s) : 1;
  // Sanitizers slow task creation and switching 5-20x: keep the suite's time bounded on a
  // 2-core CI machine (KTL_STRESS_SCALE still multiplies).
  if (sim::active()) base = std::max(1, base / 10);  // and once per seed
#if defined(KTL_TSAN) || defined(__SANITIZE_THREAD__)
  base = std::max(1, base / 10);
#elif defined(KTL_ASAN) || defined(__SANITIZE_ADDRESS__)
  base = std::max(1, base / 3);
#endif
  return base * (scale > 0 ? scale : 1);
}

}  // namespace ktl::testing
