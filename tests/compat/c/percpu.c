// SPDX-License-Identifier: MIT
/*
 * Kernel-style C against <linux/percpu.h>: static per-CPU variables (one copy per vCPU, in
 * ktl's layout), the this_cpu_*() operations in threads bound to each vCPU, get_cpu_var(),
 * and alloc_percpu() areas. Driven by tests/compat/percpu_test.cc. Entry points return 0 on
 * success, else the failing line.
 */
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			pr_err("ctest percpu: %s:%d: %s\n", __func__, __LINE__, #cond); \
			return __LINE__;                                        \
		}                                                               \
	} while (0)

/* A counter the C++ test also reads, as a ktl::percpu_var<long>. */
DEFINE_PER_CPU(long, ctest_pcpu_counter);
DECLARE_PER_CPU(long, ctest_pcpu_counter);

struct big {
	char bytes[100];
};
static DEFINE_PER_CPU(struct big, pcpu_big);
static DEFINE_PER_CPU(unsigned int, pcpu_ops);
static DEFINE_PER_CPU(void *, pcpu_ptr);
static DEFINE_PER_CPU_ALIGNED(u8, pcpu_byte);
static DEFINE_PER_CPU(int[4], pcpu_arr);

void *ctest_percpu_counter(void)
{
	return &ctest_pcpu_counter;
}

/* What a copy may hold before ctest_percpu_static() writes it: 0, or what it writes. */
static bool pcpu_counter_ok(long v, unsigned int cpu)
{
	return v == 0 || v == 1000 + 7 * (long)cpu;
}

/* Every possible vCPU has its own copy, 64 bytes apart (128 for a 100-byte type). */
int ctest_percpu_static(void)
{
	unsigned int cpu;
	long sum = 0, want = 0;

	for_each_possible_cpu(cpu) {
		CHECK((char *)&per_cpu(ctest_pcpu_counter, cpu) - (char *)&ctest_pcpu_counter ==
		      64 * (long)cpu);
		CHECK((char *)per_cpu_ptr(&pcpu_big, cpu) - (char *)&pcpu_big == 128 * (long)cpu);
		CHECK((char *)per_cpu_ptr(&pcpu_byte, cpu) - (char *)&pcpu_byte == 64 * (long)cpu);
		CHECK((char *)&per_cpu(pcpu_arr, cpu)[0] - (char *)&pcpu_arr == 64 * (long)cpu);
		CHECK(((unsigned long)per_cpu_ptr(&pcpu_big, cpu) & 63) == 0);
		CHECK(pcpu_counter_ok(per_cpu(ctest_pcpu_counter, cpu), cpu));
	}
	for_each_possible_cpu(cpu) {
		per_cpu(ctest_pcpu_counter, cpu) = 1000 + 7 * (long)cpu;
		memset(per_cpu(pcpu_big, cpu).bytes, (int)cpu + 1, sizeof(struct big));
		per_cpu(pcpu_arr, cpu)[3] = (int)cpu;
	}
	for_each_possible_cpu(cpu) {
		unsigned int i;

		sum += per_cpu(ctest_pcpu_counter, cpu);
		want += 1000 + 7 * (long)cpu;
		for (i = 0; i < sizeof(struct big); i++)
			CHECK(per_cpu(pcpu_big, cpu).bytes[i] == (char)(cpu + 1));
		CHECK(per_cpu(pcpu_arr, cpu)[3] == (int)cpu && per_cpu(pcpu_arr, cpu)[0] == 0);
	}
	CHECK(sum == want);
	return 0;
}

/* ---- this_cpu_*() in threads bound to each vCPU -------------------------------------------- */

struct pcpu_stats {
	u64 packets;
	u64 bytes;
};

struct bound_arg {
	struct completion done;
	struct pcpu_stats __percpu *stats;
	unsigned int cpu;
	int err;
};

#define BCHECK(cond)                                                            \
	do {                                                                    \
		if (!(cond)) {                                                  \
			pr_err("ctest percpu: cpu %u: line %d: %s\n", a->cpu, __LINE__, #cond); \
			a->err = __LINE__;                                      \
			goto out;                                               \
		}                                                               \
	} while (0)

static int bound_fn(void *data)
{
	struct bound_arg *a = data;
	unsigned int cpu = a->cpu;
	unsigned int i, old;
	int *got;
	void *p;

	BCHECK(smp_processor_id() == (int)cpu);
	BCHECK(this_cpu_ptr(&ctest_pcpu_counter) == per_cpu_ptr(&ctest_pcpu_counter, cpu));
	BCHECK(raw_cpu_ptr(&pcpu_ops) == &per_cpu(pcpu_ops, cpu));

	this_cpu_write(pcpu_ops, 10 * cpu);
	for (i = 0; i < 5; i++)
		this_cpu_inc(pcpu_ops);
	this_cpu_dec(pcpu_ops);
	this_cpu_add(pcpu_ops, 100);
	this_cpu_sub(pcpu_ops, 50);
	__this_cpu_inc(pcpu_ops);
	__this_cpu_add(pcpu_ops, 2);
	raw_cpu_inc(pcpu_ops);
	/* 10 * cpu + 5 - 1 + 100 - 50 + 1 + 2 + 1 */
	BCHECK(this_cpu_read(pcpu_ops) == 10 * cpu + 58);
	BCHECK(__this_cpu_read(pcpu_ops) == 10 * cpu + 58);
	BCHECK(this_cpu_inc_return(pcpu_ops) == 10 * cpu + 59);
	BCHECK(this_cpu_add_return(pcpu_ops, 1) == 10 * cpu + 60);
	BCHECK(this_cpu_dec_return(pcpu_ops) == 10 * cpu + 59);
	old = this_cpu_xchg(pcpu_ops, 7);
	BCHECK(old == 10 * cpu + 59 && this_cpu_read(pcpu_ops) == 7);
	BCHECK(this_cpu_cmpxchg(pcpu_ops, 6, 100) == 7 && this_cpu_read(pcpu_ops) == 7);
	BCHECK(this_cpu_cmpxchg(pcpu_ops, 7, 1000 + cpu) == 7);
	old = 5;
	BCHECK(!this_cpu_try_cmpxchg(pcpu_ops, &old, 0) && old == 1000 + cpu);
	BCHECK(this_cpu_try_cmpxchg(pcpu_ops, &old, 2000 + cpu) && old == 1000 + cpu);
	this_cpu_or(pcpu_ops, 0x10000);
	this_cpu_and(pcpu_ops, 0x1ffff);
	BCHECK(this_cpu_read(pcpu_ops) == ((2000 + cpu) | 0x10000));

	this_cpu_write(pcpu_ptr, a);
	p = this_cpu_read(pcpu_ptr);
	BCHECK(p == a);
	this_cpu_inc(pcpu_byte);
	this_cpu_add(ctest_pcpu_counter, 5);

	/* get_cpu_var() disables preemption until put_cpu_var(). */
	BCHECK(preempt_count() == 0);
	get_cpu_var(pcpu_ops) += 1;
	BCHECK(preempt_count() == 1);
	put_cpu_var(pcpu_ops);
	got = (int *)get_cpu_ptr(&pcpu_arr);
	BCHECK(preempt_count() == 1 && got == &per_cpu(pcpu_arr, cpu)[0]);
	got[1] = 40 + (int)cpu;
	put_cpu_ptr(&pcpu_arr);
	BCHECK(preempt_count() == 0);

	/* A dynamic area: through the object pointer and through a member. */
	this_cpu_ptr(a->stats)->bytes += 1500;
	this_cpu_inc(a->stats->packets);
	this_cpu_add(a->stats->bytes, 500 + cpu);
	this_cpu_inc(a->stats->packets);
	BCHECK(smp_processor_id() == (int)cpu);
out:
	complete(&a->done);
	return 0;
}

static struct bound_arg bound_args[NR_CPUS];

static int run_bound(struct pcpu_stats __percpu *stats)
{
	unsigned int cpu;
	int err = 0;

	for_each_online_cpu(cpu) {
		struct bound_arg *a = &bound_args[cpu];
		struct task_struct *t;

		init_completion(&a->done);
		a->stats = stats;
		a->cpu = cpu;
		a->err = 0;
		t = kthread_run_on_cpu(bound_fn, a, cpu, "cpcpu/%u");
		CHECK(!IS_ERR(t));
	}
	for_each_online_cpu(cpu) {
		wait_for_completion(&bound_args[cpu].done);
		if (bound_args[cpu].err && !err)
			err = bound_args[cpu].err;
	}
	return err;
}

int ctest_percpu_this_cpu(void)
{
	struct pcpu_stats __percpu *stats;
	unsigned int cpu;
	u64 packets = 0;
	int err;

	for_each_possible_cpu(cpu) {
		per_cpu(pcpu_ops, cpu) = 0;
		per_cpu(pcpu_ptr, cpu) = NULL;
		per_cpu(pcpu_byte, cpu) = 0;
		per_cpu(ctest_pcpu_counter, cpu) = 0;
		memset(per_cpu(pcpu_arr, cpu), 0, sizeof(int[4]));
	}
	stats = alloc_percpu(struct pcpu_stats);
	CHECK(stats != NULL);
	err = run_bound(stats);
	if (err) {
		free_percpu(stats);
		return err;
	}
	for_each_possible_cpu(cpu) {
		bool online = cpu_online(cpu);
		struct pcpu_stats *s = per_cpu_ptr(stats, cpu);

		CHECK(per_cpu(pcpu_ops, cpu) == (online ? ((2000 + cpu) | 0x10000) + 1 : 0));
		CHECK(per_cpu(pcpu_ptr, cpu) == (online ? (void *)&bound_args[cpu] : NULL));
		CHECK(per_cpu(pcpu_byte, cpu) == (online ? 1 : 0));
		CHECK(per_cpu(ctest_pcpu_counter, cpu) == (online ? 5 : 0));
		CHECK(per_cpu(pcpu_arr, cpu)[1] == (online ? 40 + (int)cpu : 0));
		CHECK(s->packets == (online ? 2 : 0));
		CHECK(s->bytes == (online ? 2000 + cpu : 0));
		packets += s->packets;
	}
	CHECK(packets == 2 * (u64)num_online_cpus());
	free_percpu(stats);
	return 0;
}

/* ---- alloc_percpu() ------------------------------------------------------------------------- */

struct wide {
	u64 w[25]; /* 200 bytes: copies 256 bytes apart */
};

struct __aligned(128) aligned128 {
	int x;
};

int ctest_percpu_alloc(void)
{
	struct wide __percpu *w = alloc_percpu(struct wide);
	struct aligned128 __percpu *al = alloc_percpu_gfp(struct aligned128, GFP_ATOMIC);
	u32 __percpu *small = __alloc_percpu(sizeof(u32), __alignof__(u32));
	unsigned int cpu, i;

	CHECK(w != NULL && al != NULL && small != NULL);
	CHECK(((unsigned long)w & 63) == 0 && ((unsigned long)al & 127) == 0);
	for_each_possible_cpu(cpu) {
		struct wide *c = per_cpu_ptr(w, cpu);

		CHECK((char *)c - (char *)w == 256 * (long)cpu);
		CHECK((char *)per_cpu_ptr(al, cpu) - (char *)al == 128 * (long)cpu);
		CHECK((char *)per_cpu_ptr(small, cpu) - (char *)small == 64 * (long)cpu);
		for (i = 0; i < 25; i++)
			CHECK(c->w[i] == 0);
		CHECK(*per_cpu_ptr(small, cpu) == 0 && per_cpu_ptr(al, cpu)->x == 0);
	}
	/* Copies do not overlap: fill each, then check each. */
	for_each_possible_cpu(cpu) {
		for (i = 0; i < 25; i++)
			per_cpu_ptr(w, cpu)->w[i] = ((u64)cpu << 32) | i;
		*per_cpu_ptr(small, cpu) = ~cpu;
	}
	for_each_possible_cpu(cpu) {
		for (i = 0; i < 25; i++)
			CHECK(per_cpu_ptr(w, cpu)->w[i] == (((u64)cpu << 32) | i));
		CHECK(*per_cpu_ptr(small, cpu) == ~cpu);
	}
	free_percpu(w);
	free_percpu(al);
	free_percpu(small);
	free_percpu(NULL);
	return 0;
}

/* Sizes Linux refuses: NULL and a warning. */
int ctest_percpu_alloc_invalid(void)
{
	CHECK(__alloc_percpu(0, 4) == NULL);
	CHECK(__alloc_percpu(16, 3) == NULL);
	CHECK(__alloc_percpu(64 << 10, 8) == NULL);
	return 0;
}
