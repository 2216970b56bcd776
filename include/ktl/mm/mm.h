// mm_struct and the lazy-TLB model (kernel/sched/core.c context_switch, kernel/fork.c).
//
// A user task owns an mm (its address space). A kernel thread has mm == NULL and runs on whatever
// address space the vCPU has loaded, recorded as its active_mm ("lazy TLB"). context_switch():
//   kernel -> kernel: lazy, the borrowed active_mm reference is transferred;
//   user   -> kernel: lazy, grab a reference on prev's mm (mm_count);
//   kernel -> user:   switch_mm(), and the borrowed reference is dropped after the switch;
//   user   -> user:   switch_mm().
// switch_mm to the mm that is already loaded is skipped (x86 compares CR3): ktl counts that as
// a TLB flush avoided. Two counts: mm_users (users of the address space, mmget/mmput) and
// mm_count (references to the struct, mmgrab/mmdrop; all users together hold one).
#pragma once

#include <atomic>

#include "ktl/base/compiler.h"

namespace ktl {

struct task_struct;

struct mm_struct {
  std::atomic<int> mm_users{1};
  std::atomic<int> mm_count{1};
  u64 id = 0;  // stable identity for reports
};

extern mm_struct init_mm;

mm_struct* mm_alloc();
void mmget(mm_struct* mm) noexcept;
bool mmget_not_zero(mm_struct* mm) noexcept;
void mmput(mm_struct* mm);
void mmgrab(mm_struct* mm) noexcept;
void mmdrop(mm_struct* mm);
// NULL for kernel threads (PF_KTHREAD), else the task's mm with mm_users raised.
mm_struct* get_task_mm(task_struct* p);
void kthread_use_mm(mm_struct* mm);
void kthread_unuse_mm(mm_struct* mm);

// Per-vCPU lazy-TLB counters.
struct tlb_stats {
  u64 switch_mm;        // address-space switches that loaded a different mm
  u64 lazy_tlb;         // switches into a kernel thread (enter_lazy_tlb)
  u64 flush_avoided;    // switches to a user task whose mm was already loaded
  u64 mm_grab_lazy;     // user -> kernel: lazy reference taken
  u64 mm_drop_lazy;     // kernel -> user: lazy reference dropped after the switch
};
tlb_stats cpu_tlb_stats(int cpu);
tlb_stats total_tlb_stats();
// The mm loaded on a vCPU right now (init_mm at boot).
mm_struct* cpu_loaded_mm(int cpu);
u64 nr_live_mms() noexcept;

}  // namespace ktl
