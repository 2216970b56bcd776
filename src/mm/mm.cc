// mm_struct lifetime and kthread_use_mm (kernel/fork.c, kernel/kthread.c).
#include "ktl/mm/mm.h"

#include "ktl/base/bug.h"
#include "ktl/sched/sched.h"
#include "sched/sched_internal.h"

namespace ktl {

mm_struct init_mm;

namespace {
std::atomic<u64> g_mm_ids{1};
std::atomic<u64> g_live_mms{0};
}  // namespace

mm_struct* mm_alloc() {
  auto* mm = new (std::nothrow) mm_struct();
  if (!mm) return nullptr;
  mm->id = g_mm_ids.fetch_add(1, std::memory_order_relaxed);
  g_live_mms.fetch_add(1, std::memory_order_relaxed);
  return mm;
}

void mmget(mm_struct* mm) noexcept { mm->mm_users.fetch_add(1, std::memory_order_relaxed); }
bool mmget_not_zero(mm_struct* mm) noexcept {
  int v = mm->mm_users.load(std::memory_order_relaxed);
  while (v) {
    if (mm->mm_users.compare_exchange_weak(v, v + 1, std::memory_order_relaxed)) return true;
  }
  return false;
}
void mmgrab(mm_struct* mm) noexcept { mm->mm_count.fetch_add(1, std::memory_order_relaxed); }

void mmdrop(mm_struct* mm) {
  if (mm->mm_count.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    if (mm == &init_mm) {
      WARN_ONCE(true, "init_mm reference count dropped to zero\n");
      mm->mm_count.store(1);
      return;
    }
    g_live_mms.fetch_sub(1, std::memory_order_relaxed);
    delete mm;
  }
}

void mmput(mm_struct* mm) {
  // The last user tears down the address space (nothing to unmap in the model) and drops the
  // users' shared mm_count reference.
  if (mm->mm_users.fetch_sub(1, std::memory_order_acq_rel) == 1) mmdrop(mm);
}

mm_struct* get_task_mm(task_struct* p) {
  if (p->flags & PF_KTHREAD) return nullptr;
  mm_struct* mm = p->mm;
  if (mm) mmget(mm);
  return mm;
}

void kthread_use_mm(mm_struct* mm) {
  task_struct* tsk = get_current();
  WARN_ON_ONCE(!(tsk->flags & PF_KTHREAD));
  WARN_ON_ONCE(tsk->mm);
  mmgrab(mm);
  mm_struct* active = tsk->active_mm;
  tsk->active_mm = mm;
  tsk->mm = mm;
  internal::rq* rq = internal::this_rq();
  if (rq) {
    if (rq->loaded_mm == mm) {
      rq->tlb.flush_avoided++;
    } else {
      rq->tlb.switch_mm++;
      rq->loaded_mm = mm;
    }
  }
  if (active) mmdrop(active);  // the lazy reference
}

void kthread_unuse_mm(mm_struct* mm) {
  task_struct* tsk = get_current();
  WARN_ON_ONCE(!(tsk->flags & PF_KTHREAD));
  WARN_ON_ONCE(!tsk->mm);
  tsk->mm = nullptr;
  mmgrab(mm);  // lazy reference: active_mm stays mm
  if (internal::rq* rq = internal::this_rq()) rq->tlb.lazy_tlb++;
  mmdrop(mm);  // the reference taken by kthread_use_mm
}

namespace {
// The owner vCPU bumps these without atomics; a reader may see a value one switch old.
KTL_DATA_RACY tlb_stats read_tlb_stats(const internal::rq* rq) {
  tlb_stats t;
  t.switch_mm = rq->tlb.switch_mm;
  t.lazy_tlb = rq->tlb.lazy_tlb;
  t.flush_avoided = rq->tlb.flush_avoided;
  t.mm_grab_lazy = rq->tlb.mm_grab_lazy;
  t.mm_drop_lazy = rq->tlb.mm_drop_lazy;
  return t;
}
}  // namespace

tlb_stats cpu_tlb_stats(int cpu) {
  internal::rq* rq = internal::cpu_rq(cpu);
  return rq ? read_tlb_stats(rq) : tlb_stats{};
}
tlb_stats total_tlb_stats() {
  tlb_stats t{};
  for (int cpu = 0; cpu < internal::g_kernel.nr_cpus; ++cpu) {
    tlb_stats s = cpu_tlb_stats(cpu);
    t.switch_mm += s.switch_mm;
    t.lazy_tlb += s.lazy_tlb;
    t.flush_avoided += s.flush_avoided;
    t.mm_grab_lazy += s.mm_grab_lazy;
    t.mm_drop_lazy += s.mm_drop_lazy;
  }
  return t;
}
mm_struct* cpu_loaded_mm(int cpu) {
  internal::rq* rq = internal::cpu_rq(cpu);
  return rq ? rq->loaded_mm : nullptr;
}
u64 nr_live_mms() noexcept { return g_live_mms.load(std::memory_order_relaxed); }

}  // namespace ktl
