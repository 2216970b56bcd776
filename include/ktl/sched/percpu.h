// Per-CPU variables (include/linux/percpu-defs.h).
//
//   DEFINE_PER_CPU(unsigned long, nr_events);
//   this_cpu_inc(nr_events);                       // this vCPU's copy
//   unsigned long total = 0; int cpu;
//   for_each_possible_cpu(cpu) total += per_cpu(nr_events, cpu);
//
// Each vCPU's copy sits in its own cache line. this_cpu_*() resolve "this vCPU" at the moment
// of the access: a task may resume on another vCPU after it sleeps or yields (fibers migrate), so
// a pointer from this_cpu_ptr()/get_cpu_ptr() is only stable while the task cannot switch — in
// ktl's cooperative model, until it next blocks, yields or calls cond_resched(), exactly the
// window preempt_disable() protects on Linux. get_cpu_var()/put_cpu_var() also count as atomic
// context for might_sleep(), so sleeping inside such a section is reported.
#pragma once

#include "ktl/base/compiler.h"
#include "ktl/base/cpumask.h"
#include "ktl/sched/preempt.h"
#include "ktl/sched/sched.h"

namespace ktl {

template <typename T>
struct percpu_var {
  struct alignas(kCacheLine) slot {
    T value{};
  };
  slot slots[NR_CPUS];
  T* ptr(int cpu) noexcept { return &slots[cpu].value; }
  const T* ptr(int cpu) const noexcept { return &slots[cpu].value; }
};

}  // namespace ktl

#define DEFINE_PER_CPU(type, name) ::ktl::percpu_var<type> name
#define DECLARE_PER_CPU(type, name) extern ::ktl::percpu_var<type> name
#define DEFINE_PER_CPU_ALIGNED(type, name) DEFINE_PER_CPU(type, name)
#define per_cpu_ptr(var, cpu) ((var)->ptr(cpu))
#define per_cpu(var, cpu) (*(var).ptr(cpu))
#define this_cpu_ptr(var) ((var)->ptr(::ktl::smp_processor_id()))
#define raw_cpu_ptr(var) this_cpu_ptr(var)
#define get_cpu_ptr(var) (::ktl::preempt_disable(), this_cpu_ptr(var))
#define put_cpu_ptr(var) ((void)(var), ::ktl::preempt_enable())
#define get_cpu_var(var) (*get_cpu_ptr(&(var)))
#define put_cpu_var(var) put_cpu_ptr(&(var))
#define this_cpu_read(var) (*this_cpu_ptr(&(var)))
#define this_cpu_write(var, val) (*this_cpu_ptr(&(var)) = (val))
#define this_cpu_add(var, val) (*this_cpu_ptr(&(var)) += (val))
#define this_cpu_sub(var, val) (*this_cpu_ptr(&(var)) -= (val))
#define this_cpu_inc(var) this_cpu_add(var, 1)
#define this_cpu_dec(var) this_cpu_sub(var, 1)
#define __this_cpu_read this_cpu_read
#define __this_cpu_write this_cpu_write
#define __this_cpu_add this_cpu_add
#define __this_cpu_inc this_cpu_inc
#define __this_cpu_dec this_cpu_dec
#define get_cpu() (::ktl::preempt_disable(), ::ktl::smp_processor_id())
#define put_cpu() ::ktl::preempt_enable()
#define for_each_possible_cpu(cpu) for_each_cpu(cpu, ::ktl::cpu_possible_mask())
#define for_each_online_cpu(cpu) for_each_cpu(cpu, ::ktl::cpu_online_mask())
