// The README's embedding example: boot a kernel, run a kernel thread through kthreadd, stop it
// with kthread_stop and get its return value, power off. Built and run by CTest
// (examples.embedding), which passes when this exits 0.
#include <ktl/ktl.h>

#include <cstdio>

static int ticker(void* arg) {
  auto* ticks = static_cast<int*>(arg);
  while (!ktl::kthread_should_stop()) {
    ++*ticks;
    ktl::schedule_timeout_interruptible(ktl::msecs_to_jiffies(10));  // STAT S between ticks
  }
  return *ticks;                          // kthread_stop() hands this back
}

int main() {
  ktl::kernel k({.cpus = 2});             // boot: swapper/N, init (pid 1), kthreadd (pid 2)
  int ticks = 0;
  ktl::task_struct* t = kthread_run(ticker, &ticks, "ticker/%d", 0);  // a macro, as in Linux
  if (IS_ERR(t)) return 1;
  ktl::msleep(50);                        // a host thread may sleep and block too
  std::printf("%s", ktl::ps("-o pid,ppid,stat,command -p " + std::to_string(t->pid)).c_str());
  int ret = ktl::kthread_stop(t);         // wakes it, waits for threadfn to return
  std::printf("kthread_stop = %d\n", ret);
  return ret > 0 && k.poweroff() == 0 ? 0 : 1;   // poweroff: 0 = clean
}
