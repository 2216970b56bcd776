// Task exit and reaping (kernel/exit.c).
#include <csignal>
#include <mutex>

#include "sched/sched_internal.h"
#include "kernel/kernel_internal.h"
#include "ktl/base/bug.h"
#include "ktl/kernel/fork.h"
#include "ktl/kernel/printk.h"
#include "ktl/mm/mm.h"
#include "ktl/sched/completion.h"
#include "ktl/sched/sched.h"
#include "ktl/sched/signal.h"
#include "ktl/sched/wait.h"
#include "locking/host_lock.h"

namespace ktl {
namespace internal {

struct task_table;
extern task_table g_tasks;
void release_task(task_struct* p);
host_lock& tasklist_lock();

namespace {
wait_queue_head g_child_exit;  // parents waiting in kernel_wait()
}

[[noreturn]] void do_task_dead() {
  set_special_state(TASK_DEAD);
  schedule();
  BUG();  // a dead task was scheduled again
}

}  // namespace internal

using namespace internal;

[[noreturn]] void do_exit(long code) {
  task_struct* p = get_current();
  if (WARN_ON(p->ktl_flags & task_struct::kTaskHost)) {
    panic("do_exit() called on a host thread");
  }
  if (KTL_UNLIKELY(p->flags & PF_EXITING)) {
    printk(KERN_ALERT "Fixing recursive fault but reboot is needed!\n");
    do_task_dead();
  }
  p->flags |= PF_EXITING;
  p->exit_code = static_cast<int>(code);
  if (mm_struct* mm = p->mm) {
    // exit_mm(): keep running lazily on the address space until the final switch.
    mmgrab(mm);
    p->mm = nullptr;
    mmput(mm);
  }
  // The waiter (kthread_stop) runs next, here: we are about to leave this vCPU for good.
  if (completion* vd = p->vfork_done) internal::complete_all_wf(vd, WF_SYNC);

  task_struct* parent = p->real_parent;
  bool autoreap = p->exit_signal < 0 || !parent ||
                  (parent->sig_ignored.load(std::memory_order_relaxed) & sigmask(SIGCHLD)) ||
                  (parent->flags & PF_IDLE);
  {
    host_lock_guard g(tasklist_lock());
    // Orphans go to the parent's parent chain's root (swapper here; init once it exists).
    task_struct* reaper = init_task();
    while (!list_empty(&p->children)) {
      task_struct* c = list_first_entry(&p->children, task_struct, sibling);
      list_move_tail(&c->sibling, &reaper->children);
      c->real_parent = reaper;
    }
    p->exit_state.store(autoreap ? EXIT_DEAD : EXIT_ZOMBIE, std::memory_order_release);
  }
  if (autoreap)
    release_task(p);
  else
    wake_up_all(&g_child_exit);
  do_task_dead();
}

pid_t kernel_wait(pid_t pid, int* status) {
  task_struct* self = get_current();
  task_struct* parent = (self->ktl_flags & task_struct::kTaskHost) ? init_task() : self;
  task_struct* found = nullptr;
  bool have_child = false;
  auto scan = [&]() -> bool {
    host_lock_guard g(tasklist_lock());
    have_child = false;
    task_struct* c;
    list_for_each_entry(c, &parent->children, sibling) {
      if (pid > 0 && c->pid != pid) continue;
      have_child = true;
      if (c->exit_state.load(std::memory_order_acquire) == EXIT_ZOMBIE) {
        found = c;
        return true;
      }
    }
    return !have_child;
  };
  wait_event(g_child_exit, scan());
  if (!found) return -ECHILD;
  if (status) *status = found->exit_code;
  pid_t ret = found->pid;
  found->exit_state.store(EXIT_DEAD, std::memory_order_release);
  release_task(found);
  return ret;
}

}  // namespace ktl
