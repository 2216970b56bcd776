// Deferred work the way a Linux driver writes it: an "interrupt" (a timer callback, which must not
// sleep) hands its processing to a work item; a delayed work item polls the device every 20 ms and
// re-arms itself; teardown cancels both with the _sync calls and destroys the queue. Built and run
// by CTest (examples.workqueue), which passes when this exits 0.
#include <ktl/ktl.h>

#include <atomic>
#include <cstdio>
#include <string>

namespace {

struct fake_device {
  ktl::workqueue_struct* wq = nullptr;
  ktl::timer_list irq;                 // stands in for the device interrupt
  ktl::work_struct bottom_half;        // what the interrupt defers
  ktl::delayed_work poll;              // periodic status poll
  std::atomic<int> irqs{0}, handled{0}, polls{0};
  std::atomic<bool> stopping{false};
};

void bottom_half_fn(ktl::work_struct* w) {
  auto* dev = container_of(w, fake_device, bottom_half);
  ktl::msleep(1);                      // process context: sleeping is fine here
  dev->handled.fetch_add(1);
}

void irq_fn(ktl::timer_list* t) {
  fake_device* dev = from_timer(dev, t, irq);
  dev->irqs.fetch_add(1);
  ktl::queue_work(dev->wq, &dev->bottom_half);  // false (and nothing to do) if still pending
  if (!dev->stopping.load()) ktl::mod_timer(&dev->irq, jiffies + ktl::msecs_to_jiffies(5));
}

void poll_fn(ktl::work_struct* w) {
  auto* dev = container_of(ktl::to_delayed_work(w), fake_device, poll);
  dev->polls.fetch_add(1);
  if (!dev->stopping.load())
    ktl::queue_delayed_work(dev->wq, &dev->poll, ktl::msecs_to_jiffies(20));  // re-arm itself
}

}  // namespace

int main() {
  ktl::kernel k({.cpus = 2});
  fake_device dev;
  dev.wq = ktl::alloc_workqueue("fakedev", ktl::WQ_MEM_RECLAIM, 0);  // with a rescuer
  if (!dev.wq) return 1;
  INIT_WORK(&dev.bottom_half, bottom_half_fn);
  INIT_DELAYED_WORK(&dev.poll, poll_fn);
  ktl::timer_setup(&dev.irq, irq_fn, 0);
  ktl::mod_timer(&dev.irq, jiffies + 1);
  ktl::queue_delayed_work(dev.wq, &dev.poll, 0);

  ktl::msleep(200);
  // The kworkers (and the queue's rescuer, kworker/R-fakedev) as ps shows them.
  std::string out = ktl::ps("-eo pid,stat,ni,wchan:14,command");
  for (std::size_t pos = 0, nl; pos < out.size(); pos = nl + 1) {
    nl = out.find('\n', pos);
    if (nl == std::string::npos) nl = out.size();
    std::string line = out.substr(pos, nl - pos);
    if (pos == 0 || line.find("kworker") != std::string::npos) std::printf("%s\n", line.c_str());
  }

  // Teardown, in the order a driver's remove() uses: stop the sources, then the work.
  dev.stopping.store(true);
  ktl::timer_delete_sync(&dev.irq);
  ktl::cancel_delayed_work_sync(&dev.poll);
  ktl::cancel_work_sync(&dev.bottom_half);
  ktl::destroy_workqueue(dev.wq);
  std::printf("irqs %d, bottom halves run %d (an irq while one is pending adds none), polls %d\n",
              dev.irqs.load(), dev.handled.load(), dev.polls.load());
  bool ok = dev.irqs.load() > 0 && dev.handled.load() > 0 && dev.handled.load() <= dev.irqs.load() &&
            dev.polls.load() >= 2;
  return ok && k.poweroff() == 0 ? 0 : 1;
}
