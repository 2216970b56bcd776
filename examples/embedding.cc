// The README's embedding example: boot a kernel, run a kernel thread, wait for it from the host
// thread, power off. Built and run by CTest (examples.embedding).
#include <ktl/ktl.h>

static int worker(void* arg) {
  auto* done = static_cast<ktl::completion*>(arg);
  ktl::msleep(10);                       // sleeps the task, not the vCPU
  ktl::complete(done);
  return 0;
}

int main() {
  ktl::kernel k({.cpus = 2});            // boot: vCPUs, swapper/N, the tick
  ktl::completion done;
  ktl::kernel_thread(worker, &done, "worker", 0);
  ktl::wait_for_completion(&done);       // a host thread may block too
  return k.poweroff();                   // 0 = clean
}
