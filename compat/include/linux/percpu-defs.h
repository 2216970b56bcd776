/* SPDX-License-Identifier: MIT */
/*
 * linux/percpu-defs.h - per-CPU variables and their accessors.
 *
 *   static DEFINE_PER_CPU(unsigned long, nr_events);
 *   this_cpu_inc(nr_events);                          this vCPU's copy
 *   for_each_possible_cpu(cpu)
 *           total += per_cpu(nr_events, cpu);         every copy
 *
 * The layout is ktl's (ktl::percpu_var in include/ktl/sched/percpu.h), so C and ktl hand each
 * other per-CPU storage (smpboot's .store): vCPU n's copy of an object of type T sits at
 * byte offset n * S from vCPU 0's copy, S being sizeof(T) rounded up to a multiple of 64 (one
 * cache line; or of T's alignment when that is larger). A static variable has NR_CPUS copies;
 * `&name`, like a pointer from alloc_percpu(), is a `T __percpu *` pointing at vCPU 0's copy.
 *
 * Because S comes from the type the accessor is given, an object larger than 64 bytes must be
 * reached through a pointer to the whole object: this_cpu_ptr(p)->field and
 * per_cpu_ptr(p, cpu)->field work for any size, while this_cpu_inc(p->field) or
 * per_cpu(p->field, cpu) step by the member's size and are only right when the whole object
 * fits in 64 bytes.
 *
 * ktl is cooperative: a task is never interrupted in the middle of its code (timer, tasklet
 * and hrtimer callbacks run at its next scheduling point), so every this_cpu_*() operation is
 * atomic with respect to other code on the same vCPU, as on Linux, and raw_cpu_*() and
 * __this_cpu_*() are the same operations. "This vCPU" is resolved at the moment of the access:
 * a task may resume on another vCPU after it sleeps, yields or calls cond_resched(), so a
 * pointer from this_cpu_ptr() is only stable until then (get_cpu_ptr()/get_cpu_var() also make
 * a sleep in that window a reported bug). Other vCPUs may read a copy with per_cpu() while its
 * owner updates it: the this_cpu_*() scalar operations use relaxed atomic loads and stores.
 *
 * A static variable starts zeroed on every vCPU; an initialiser (`DEFINE_PER_CPU(int, x) = 1;`)
 * is not supported (it fails to build).
 */
#ifndef _LINUX_PERCPU_DEFS_H
#define _LINUX_PERCPU_DEFS_H

#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/types.h>

/* The alignment and the distance between consecutive copies of an object of type T. */
#define __ktl_pcpu_align(T) (__alignof__(T) > 64 ? __alignof__(T) : 64)
#define __ktl_pcpu_stride(T)                                                    \
	((unsigned long)((sizeof(T) + __ktl_pcpu_align(T) - 1) / __ktl_pcpu_align(T) * \
			 __ktl_pcpu_align(T)))

/*
 * The storage is an array of NR_CPUS cache-line slots under the symbol "__ktl_pcpu_<name>";
 * `name` is declared as one T at that same symbol, so `&name` has Linux's type and can sit in
 * a static initialiser. A `static` in front of DEFINE_PER_CPU applies to the storage (so two
 * files may each have their own static variable of the same name). Not for LTO builds (which
 * rename local symbols); modules are not built with LTO.
 */
#define DEFINE_PER_CPU_SECTION(type, name, sec)                                 \
	struct __aligned(64) __ktl_pcpu_slot_##name { __typeof__(type) __ktl_value; } \
		__ktl_pcpu_storage_##name[NR_CPUS] __asm__("__ktl_pcpu_" #name) __used; \
	extern __typeof__(type) name __asm__("__ktl_pcpu_" #name)
#define DECLARE_PER_CPU_SECTION(type, name, sec)                                \
	extern __typeof__(type) name __asm__("__ktl_pcpu_" #name)

#define DEFINE_PER_CPU(type, name) DEFINE_PER_CPU_SECTION(type, name, "")
#define DECLARE_PER_CPU(type, name) DECLARE_PER_CPU_SECTION(type, name, "")
/* Every copy already has a cache line of its own. */
#define DEFINE_PER_CPU_ALIGNED(type, name) DEFINE_PER_CPU(type, name)
#define DECLARE_PER_CPU_ALIGNED(type, name) DECLARE_PER_CPU(type, name)
#define DEFINE_PER_CPU_SHARED_ALIGNED(type, name) DEFINE_PER_CPU(type, name)
#define DECLARE_PER_CPU_SHARED_ALIGNED(type, name) DECLARE_PER_CPU(type, name)
#define DEFINE_PER_CPU_READ_MOSTLY(type, name) DEFINE_PER_CPU(type, name)
#define DECLARE_PER_CPU_READ_MOSTLY(type, name) DECLARE_PER_CPU(type, name)
#define DEFINE_PER_CPU_FIRST(type, name) DEFINE_PER_CPU(type, name)
#define DECLARE_PER_CPU_FIRST(type, name) DECLARE_PER_CPU(type, name)
/*
 * Page-aligned copies: the copies step by the type's size, so the type itself must be
 * page aligned (as Linux's users of this macro declare it); anything else fails to build.
 */
#ifdef __cplusplus
#define __ktl_pcpu_assert(cond, msg) static_assert(cond, msg)
#else
#define __ktl_pcpu_assert(cond, msg) _Static_assert(cond, msg)
#endif
#define DEFINE_PER_CPU_PAGE_ALIGNED(type, name)                                 \
	__ktl_pcpu_assert(__alignof__(type) % 4096 == 0,                        \
			  "DEFINE_PER_CPU_PAGE_ALIGNED needs a page-aligned type in ktl"); \
	DEFINE_PER_CPU(type, name)
#define DECLARE_PER_CPU_PAGE_ALIGNED(type, name) DECLARE_PER_CPU(type, name)

/* Modules are self-contained in ktl: nothing to export. */
#define EXPORT_PER_CPU_SYMBOL(var)
#define EXPORT_PER_CPU_SYMBOL_GPL(var)

/* Type check: @ptr must be a pointer (as in Linux; __percpu is not checked). */
#define __verify_pcpu_ptr(ptr)                                                  \
	do {                                                                    \
		const void __percpu *__vpp_verify = (__typeof__((ptr) + 0))0;   \
		(void)__vpp_verify;                                             \
	} while (0)

/*
 * @ptr advanced by @off bytes, computed where the compiler cannot see that it leaves the
 * object @ptr points to (vCPU 0's copy, or the one-element view of a static variable).
 */
#define __ktl_pcpu_reloc(ptr, off)                                              \
	({                                                                      \
		unsigned long __ktl_pcpu_addr;                                  \
		__asm__("" : "=r"(__ktl_pcpu_addr) : "0"((unsigned long)(ptr))); \
		(__typeof__(ptr))(__ktl_pcpu_addr + (off));                     \
	})

/**
 * per_cpu_ptr - the address of one vCPU's copy
 * @ptr: a per-CPU pointer (&var of a DEFINE_PER_CPU variable, or from alloc_percpu())
 * @cpu: a possible vCPU
 * Context: any.
 * Return: a plain pointer to @cpu's copy, of @ptr's type.
 */
#define per_cpu_ptr(ptr, cpu)                                                   \
	({                                                                      \
		__verify_pcpu_ptr(ptr);                                         \
		__ktl_pcpu_reloc((ptr), (unsigned long)(cpu) * __ktl_pcpu_stride(*(ptr))); \
	})
/* This vCPU's copy: stable until the caller next sleeps, yields or calls cond_resched(). */
#define this_cpu_ptr(ptr) per_cpu_ptr((ptr), smp_processor_id())
#define raw_cpu_ptr(ptr) per_cpu_ptr((ptr), raw_smp_processor_id())
#define per_cpu(var, cpu) (*per_cpu_ptr(&(var), (cpu)))

/*
 * get_cpu_var - this vCPU's copy of @var (an lvalue), with preemption disabled
 * Context: sleeping before put_cpu_var(var) is reported ("BUG: sleeping function called
 * from invalid context"), as on Linux.
 */
#define get_cpu_var(var)                                                        \
	(*({                                                                    \
		preempt_disable();                                              \
		this_cpu_ptr(&(var));                                           \
	}))
#define put_cpu_var(var)                                                        \
	do {                                                                    \
		(void)&(var);                                                   \
		preempt_enable();                                               \
	} while (0)
#define get_cpu_ptr(var)                                                        \
	({                                                                      \
		preempt_disable();                                              \
		this_cpu_ptr(var);                                              \
	})
#define put_cpu_ptr(var)                                                        \
	do {                                                                    \
		(void)(var);                                                    \
		preempt_enable();                                               \
	} while (0)

/*
 * The scalar operations (1, 2, 4 or 8-byte integers and pointers). Each is one expression
 * without a scheduling point, so nothing else runs on this vCPU in its middle.
 */
#define __ktl_pcpu_load(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define __ktl_pcpu_store(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

#define raw_cpu_read(pcp) __ktl_pcpu_load(raw_cpu_ptr(&(pcp)))
#define raw_cpu_write(pcp, val)                                                 \
	do {                                                                    \
		__typeof__(pcp) *__ktl_pcpu_w = raw_cpu_ptr(&(pcp));            \
		__ktl_pcpu_store(__ktl_pcpu_w, (__typeof__(pcp))(val));         \
	} while (0)
/* Applies `old op val` to this vCPU's copy; the value is the new one. */
#define __ktl_pcpu_op_return(pcp, op, val)                                      \
	({                                                                      \
		__typeof__(pcp) *__ktl_pcpu_o = raw_cpu_ptr(&(pcp));            \
		__typeof__(pcp) __ktl_pcpu_n =                                  \
			(__typeof__(pcp))(__ktl_pcpu_load(__ktl_pcpu_o) op (val)); \
		__ktl_pcpu_store(__ktl_pcpu_o, __ktl_pcpu_n);                   \
		__ktl_pcpu_n;                                                   \
	})
#define raw_cpu_add(pcp, val) ((void)__ktl_pcpu_op_return(pcp, +, val))
#define raw_cpu_sub(pcp, val) ((void)__ktl_pcpu_op_return(pcp, -, val))
#define raw_cpu_and(pcp, val) ((void)__ktl_pcpu_op_return(pcp, &, val))
#define raw_cpu_or(pcp, val) ((void)__ktl_pcpu_op_return(pcp, |, val))
#define raw_cpu_inc(pcp) raw_cpu_add(pcp, 1)
#define raw_cpu_dec(pcp) raw_cpu_sub(pcp, 1)
#define raw_cpu_add_return(pcp, val) __ktl_pcpu_op_return(pcp, +, val)
#define raw_cpu_sub_return(pcp, val) __ktl_pcpu_op_return(pcp, -, val)
#define raw_cpu_inc_return(pcp) raw_cpu_add_return(pcp, 1)
#define raw_cpu_dec_return(pcp) raw_cpu_sub_return(pcp, 1)
/* Stores @nval; the value is the old one. */
#define raw_cpu_xchg(pcp, nval)                                                 \
	({                                                                      \
		__typeof__(pcp) *__ktl_pcpu_x = raw_cpu_ptr(&(pcp));            \
		__typeof__(pcp) __ktl_pcpu_old = __ktl_pcpu_load(__ktl_pcpu_x); \
		__ktl_pcpu_store(__ktl_pcpu_x, (__typeof__(pcp))(nval));        \
		__ktl_pcpu_old;                                                 \
	})
/* Stores @nval if the copy equals @oval; the value is the old one. */
#define raw_cpu_cmpxchg(pcp, oval, nval)                                        \
	({                                                                      \
		__typeof__(pcp) *__ktl_pcpu_c = raw_cpu_ptr(&(pcp));            \
		__typeof__(pcp) __ktl_pcpu_old = __ktl_pcpu_load(__ktl_pcpu_c); \
		if (__ktl_pcpu_old == (oval))                                   \
			__ktl_pcpu_store(__ktl_pcpu_c, (__typeof__(pcp))(nval)); \
		__ktl_pcpu_old;                                                 \
	})
/* Stores @nval if the copy equals *@ovalp (true), else loads it into *@ovalp (false). */
#define raw_cpu_try_cmpxchg(pcp, ovalp, nval)                                   \
	({                                                                      \
		__typeof__(pcp) *__ktl_pcpu_t = raw_cpu_ptr(&(pcp));            \
		__typeof__(pcp) __ktl_pcpu_cur = __ktl_pcpu_load(__ktl_pcpu_t); \
		bool __ktl_pcpu_ok = __ktl_pcpu_cur == *(ovalp);                \
		if (__ktl_pcpu_ok)                                              \
			__ktl_pcpu_store(__ktl_pcpu_t, (__typeof__(pcp))(nval)); \
		else                                                            \
			*(ovalp) = __ktl_pcpu_cur;                              \
		__ktl_pcpu_ok;                                                  \
	})

#define this_cpu_read(pcp) raw_cpu_read(pcp)
#define this_cpu_write(pcp, val) raw_cpu_write(pcp, val)
#define this_cpu_add(pcp, val) raw_cpu_add(pcp, val)
#define this_cpu_sub(pcp, val) raw_cpu_sub(pcp, val)
#define this_cpu_and(pcp, val) raw_cpu_and(pcp, val)
#define this_cpu_or(pcp, val) raw_cpu_or(pcp, val)
#define this_cpu_inc(pcp) raw_cpu_inc(pcp)
#define this_cpu_dec(pcp) raw_cpu_dec(pcp)
#define this_cpu_add_return(pcp, val) raw_cpu_add_return(pcp, val)
#define this_cpu_sub_return(pcp, val) raw_cpu_sub_return(pcp, val)
#define this_cpu_inc_return(pcp) raw_cpu_inc_return(pcp)
#define this_cpu_dec_return(pcp) raw_cpu_dec_return(pcp)
#define this_cpu_xchg(pcp, nval) raw_cpu_xchg(pcp, nval)
#define this_cpu_cmpxchg(pcp, oval, nval) raw_cpu_cmpxchg(pcp, oval, nval)
#define this_cpu_try_cmpxchg(pcp, ovalp, nval) raw_cpu_try_cmpxchg(pcp, ovalp, nval)

#define __this_cpu_read(pcp) raw_cpu_read(pcp)
#define __this_cpu_write(pcp, val) raw_cpu_write(pcp, val)
#define __this_cpu_add(pcp, val) raw_cpu_add(pcp, val)
#define __this_cpu_sub(pcp, val) raw_cpu_sub(pcp, val)
#define __this_cpu_and(pcp, val) raw_cpu_and(pcp, val)
#define __this_cpu_or(pcp, val) raw_cpu_or(pcp, val)
#define __this_cpu_inc(pcp) raw_cpu_inc(pcp)
#define __this_cpu_dec(pcp) raw_cpu_dec(pcp)
#define __this_cpu_add_return(pcp, val) raw_cpu_add_return(pcp, val)
#define __this_cpu_sub_return(pcp, val) raw_cpu_sub_return(pcp, val)
#define __this_cpu_inc_return(pcp) raw_cpu_inc_return(pcp)
#define __this_cpu_dec_return(pcp) raw_cpu_dec_return(pcp)
#define __this_cpu_xchg(pcp, nval) raw_cpu_xchg(pcp, nval)
#define __this_cpu_cmpxchg(pcp, oval, nval) raw_cpu_cmpxchg(pcp, oval, nval)
#define __this_cpu_try_cmpxchg(pcp, ovalp, nval) raw_cpu_try_cmpxchg(pcp, ovalp, nval)

/* There is no per-CPU offset: the distance between copies depends on the object's type. */
#define per_cpu_offset(...) __ktl_unsupported(per_cpu_offset)
#define this_cpu_cmpxchg128(...) __ktl_unsupported(this_cpu_cmpxchg128)
#define this_cpu_cmpxchg_double(...) __ktl_unsupported(this_cpu_cmpxchg_double)

#endif /* _LINUX_PERCPU_DEFS_H */
