// SPDX-License-Identifier: MIT
/*
 * Kernel-style C against the compat time headers: jiffies, ktime, timer_list, hrtimer, delays
 * and sleeps. Called from kernel tasks by tests/compat/time_test.cc; each entry returns 0 or
 * the line of the first failed check. Results the C++ side asserts exactly (in simulation,
 * where time is virtual) are left in ctest_time_* globals.
 */
#include <asm/processor.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hardirq.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/time.h>
#include <linux/timekeeping.h>
#include <linux/timer.h>

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			pr_err("%s:%d: check failed: %s\n", __func__, __LINE__, #cond); \
			return __LINE__;                                        \
		}                                                               \
	} while (0)

/* HZ is a compile-time constant, as modules use it: in #if and in static initialisers. */
#if HZ != 250
#error "HZ must be 250"
#endif
static unsigned long delay_in_jiffies = (HZ * 200L) / MSEC_PER_SEC;
static const unsigned long two_secs = secs_to_jiffies(2);

int ctest_time_jiffies(void)
{
	unsigned long j = jiffies, a, b;
	u64 a64, b64;
	struct timespec64 ts = { .tv_sec = 1, .tv_nsec = 1 };

	CHECK(delay_in_jiffies == 50);
	CHECK(two_secs == 500);
	CHECK(INITIAL_JIFFIES == 4294892296UL);
	/* Booted less than an hour ago: jiffies is just past INITIAL_JIFFIES. */
	CHECK(time_in_range(j, INITIAL_JIFFIES, INITIAL_JIFFIES + 3600UL * HZ));
	CHECK(time_before_eq(j, jiffies));
	CHECK(time_before_eq64((u64)j, get_jiffies_64()));
	CHECK(time_before_eq64((u64)j, jiffies_64));

	/* Comparisons across the wrap of the counter. */
	a = ULONG_MAX - 5;
	b = a + 10;
	CHECK(b == 4);
	CHECK(time_after(b, a) && !time_after(a, b));
	CHECK(time_before(a, b) && !time_before(b, a));
	CHECK(time_after_eq(a, a) && time_before_eq(a, a));
	CHECK(time_in_range(a + 3, a, b) && !time_in_range(b + 1, a, b));
	CHECK(time_in_range_open(a, a, b) && !time_in_range_open(b, a, b));
	a64 = ~0ULL - 1;
	b64 = a64 + 3;
	CHECK(time_after64(b64, a64) && time_before64(a64, b64) && time_after_eq64(b64, b64));
	CHECK(time_is_before_jiffies(jiffies - 1));
	CHECK(time_is_after_jiffies(jiffies + 10));
	CHECK(time_is_before_eq_jiffies(jiffies));
	CHECK(time_is_after_eq_jiffies(jiffies + 1));

	/* Conversions round a duration up to whole jiffies (4 ms each). */
	CHECK(msecs_to_jiffies(0) == 0);
	CHECK(msecs_to_jiffies(1) == 1);
	CHECK(msecs_to_jiffies(4) == 1);
	CHECK(msecs_to_jiffies(5) == 2);
	CHECK(msecs_to_jiffies(1000) == HZ);
	CHECK(msecs_to_jiffies((unsigned int)-1) == MAX_JIFFY_OFFSET);
	CHECK(usecs_to_jiffies(1) == 1);
	CHECK(usecs_to_jiffies(4000) == 1);
	CHECK(usecs_to_jiffies(4001) == 2);
	CHECK(nsecs_to_jiffies(8000000) == 2);
	CHECK(nsecs_to_jiffies64(4000000ULL * 1000) == 1000);
	CHECK(jiffies_to_msecs(1) == 4);
	CHECK(jiffies_to_msecs(HZ) == 1000);
	CHECK(jiffies_to_usecs(1) == 4000);
	CHECK(jiffies_to_nsecs(2) == 8000000);
	CHECK(secs_to_jiffies(3) == 750);
	CHECK(jiffies_to_clock_t(HZ) == USER_HZ);
	CHECK(timespec64_to_jiffies(&ts) == HZ + 1);
	jiffies_to_timespec64(HZ + 1, &ts);
	CHECK(ts.tv_sec == 1 && ts.tv_nsec == 4000000);
	CHECK(jiffies_delta_to_msecs(-5) == 0 && jiffies_delta_to_msecs(5) == 20);

	/* round_jiffies*: whole seconds, skewed 3 jiffies per vCPU, never in the past. */
	{
		int cpu = raw_smp_processor_id();
		unsigned long want = jiffies + HZ / 2, r = round_jiffies_up(want);

		CHECK(time_after_eq(r, want));
		CHECK((r + 3 * cpu) % HZ == 0);
		r = round_jiffies_up_relative(HZ / 2);
		CHECK(r >= HZ / 2 && r <= 2 * HZ);
		r = __round_jiffies(jiffies - 1, cpu);
		CHECK(r == jiffies - 1 || time_after(r, jiffies - 1));
	}
	return 0;
}

int ctest_time_ktime(void)
{
	ktime_t a = ktime_set(1, 500), t1, t2;
	struct timespec64 ts, ts2, mono;
	struct tm tm;
	time64_t real;

	CHECK(ktime_to_ns(a) == 1000000500LL);
	CHECK(ktime_add_ms(a, 2) == 1002000500LL);
	CHECK(ktime_sub_us(a, 1) == 999999500LL);
	CHECK(ktime_add_ns(a, 500) == 1000001000LL);
	CHECK(ktime_sub(a, ms_to_ktime(1000)) == 500);
	CHECK(ktime_add(a, us_to_ktime(1)) == 1000001500LL);
	CHECK(ktime_to_us(a) == 1000000 && ktime_to_ms(a) == 1000);
	CHECK(ns_to_ktime(7) == 7);
	CHECK(ktime_compare(a, a + 1) < 0 && ktime_after(a + 1, a) && ktime_before(a, a + 1));
	CHECK(ktime_us_delta(a, ktime_set(0, 500)) == 1000000);
	CHECK(ktime_ms_delta(ktime_set(3, 0), a) == 1999);
	CHECK(ktime_set(KTIME_SEC_MAX, 0) == KTIME_MAX);

	t1 = ktime_get();
	t2 = ktime_get();
	CHECK(t2 >= t1 && t1 > 0);
	CHECK(ktime_get_ns() >= (u64)t2);
	CHECK(ktime_get_boottime() >= t2 && ktime_get_raw() >= t2);
	CHECK(local_clock() >= (u64)t2);
	ktime_get_ts64(&mono);
	CHECK(mono.tv_nsec >= 0 && mono.tv_nsec < NSEC_PER_SEC);
	CHECK(timespec64_to_ns(&mono) >= t2);
	CHECK(ktime_get_seconds() >= mono.tv_sec);

	/* The wall clock: the host's, or 2026-01-01 plus the virtual time in simulation. */
	real = ktime_get_real_seconds();
	CHECK(real > 1700000000LL && real < 4102444800LL);
	ktime_get_real_ts64(&ts);
	CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < NSEC_PER_SEC);
	CHECK(ts.tv_sec >= real && ts.tv_sec <= real + 5);
	ktime_get_coarse_real_ts64(&ts2);
	CHECK(timespec64_compare(&ts2, &ts) >= 0);
	CHECK(ktime_get_real_ns() / NSEC_PER_SEC >= (u64)ts2.tv_sec);
	CHECK(ktime_get_coarse_real_ns() >= ktime_get_real_ns() - NSEC_PER_SEC);
	CHECK(ktime_mono_to_real(ktime_get()) / NSEC_PER_SEC >= real);

	ts = ns_to_timespec64(-1);
	CHECK(ts.tv_sec == -1 && ts.tv_nsec == 999999999);
	ts = ns_to_timespec64(3 * NSEC_PER_SEC + 5);
	CHECK(ts.tv_sec == 3 && ts.tv_nsec == 5 && timespec64_to_ns(&ts) == 3000000005LL);
	ts = timespec64_sub((struct timespec64){ 1, 0 }, (struct timespec64){ 0, 1 });
	CHECK(ts.tv_sec == 0 && ts.tv_nsec == 999999999);
	ts = timespec64_add((struct timespec64){ 1, 600000000 },
			    (struct timespec64){ 0, 500000000 });
	CHECK(ts.tv_sec == 2 && ts.tv_nsec == 100000000);
	CHECK(timespec64_valid(&ts));

	time64_to_tm(0, 0, &tm);
	CHECK(tm.tm_year == 70 && tm.tm_mon == 0 && tm.tm_mday == 1 && tm.tm_wday == 4);
	time64_to_tm(1767225600LL + 31 * 86400 + 86399, 0, &tm);
	CHECK(tm.tm_year == 126 && tm.tm_mon == 1 && tm.tm_mday == 1);
	CHECK(tm.tm_hour == 23 && tm.tm_min == 59 && tm.tm_sec == 59);
	CHECK(tm.tm_wday == 0 && tm.tm_yday == 31);
	time64_to_tm(951782400LL, 0, &tm);
	CHECK(tm.tm_year == 100 && tm.tm_mon == 1 && tm.tm_mday == 29 && tm.tm_yday == 59);
	CHECK(mktime64(2026, 1, 1, 0, 0, 0) == 1767225600LL);
	CHECK(mktime64(2000, 2, 29, 0, 0, 0) == 951782400LL);
	return 0;
}

/* ---- timer_list -------------------------------------------------------------------------- */

struct timer_box {
	int magic;
	struct timer_list timer;
	struct completion done;
	unsigned long fired_at[8];
	int fired;
	int rearm;                  /* re-arm this many times, 3 jiffies apart */
	struct timer_box *self;     /* what from_timer() must give back */
	unsigned long in_interrupt, in_serving_softirq, in_softirq, in_hardirq;
	int in_task, preempt_count, irqs_disabled, has_current;
};

static void box_fn(struct timer_list *t)
{
	struct timer_box *b = from_timer(b, t, timer);
	int n = b->fired;

	if (b->self != b || b->magic != 0x7137)
		return; /* the check in the task fails: complete() never comes */
	b->in_interrupt = in_interrupt();
	b->in_serving_softirq = in_serving_softirq();
	b->in_softirq = in_softirq();
	b->in_hardirq = in_hardirq();
	b->in_task = in_task();
	b->preempt_count = preempt_count();
	b->irqs_disabled = irqs_disabled();
	b->has_current = current != NULL;
	if (n < 8)
		b->fired_at[n] = jiffies;
	b->fired = n + 1;
	if (b->rearm-- > 0)
		mod_timer(t, jiffies + 3);
	else
		complete(&b->done);
}

static void box_init(struct timer_box *b)
{
	memset(b, 0, sizeof(*b));
	b->magic = 0x7137;
	b->self = b;
	init_completion(&b->done);
}

void ctest_time_defined_fn(struct timer_list *t);

/* Set by the entries below for time_test.cc (exact in simulation). */
long ctest_time_lateness = -1;
unsigned long ctest_time_intervals[4];
unsigned long ctest_time_context[4];

int ctest_time_timer_setup_keeps_expires(void)
{
	static struct timer_box b;
	unsigned long exp;

	box_init(&b);
	/* Code that fills .expires before timer_setup() (and add_timer() uses it). */
	exp = jiffies + 3;
	b.timer.expires = exp;
	timer_setup(&b.timer, box_fn, TIMER_DEFERRABLE);
	CHECK(b.timer.expires == exp);
	CHECK(b.timer.function == box_fn);
	CHECK((b.timer.flags & TIMER_INIT_FLAGS) == TIMER_DEFERRABLE);
	CHECK((b.timer.flags & TIMER_CPUMASK) == (u32)raw_smp_processor_id());
	CHECK(!timer_pending(&b.timer));
	add_timer(&b.timer);
	CHECK(timer_pending(&b.timer));
	CHECK(b.timer.expires == exp);
	CHECK((b.timer.flags & TIMER_INIT_FLAGS) == TIMER_DEFERRABLE);
	CHECK(wait_for_completion_timeout(&b.done, 10 * HZ) > 0);
	CHECK(b.fired == 1);
	CHECK(time_after_eq(b.fired_at[0], exp));
	CHECK(!timer_pending(&b.timer));
	CHECK(b.timer.expires == exp);
	ctest_time_lateness = (long)(b.fired_at[0] - exp);
	/* A timer on the stack, the _on_stack way. */
	{
		struct timer_list onstack;

		timer_setup_on_stack(&onstack, ctest_time_defined_fn, 0);
		CHECK(mod_timer(&onstack, jiffies + HZ) == 0);
		CHECK(timer_delete_sync(&onstack) == 1);
		destroy_timer_on_stack(&onstack);
	}
	return 0;
}

int ctest_time_mod_timer_returns(void)
{
	static struct timer_box b;
	unsigned long e;

	box_init(&b);
	timer_setup(&b.timer, box_fn, 0);
	e = jiffies + HZ;
	CHECK(mod_timer(&b.timer, e) == 0); /* was inactive */
	CHECK(timer_pending(&b.timer) && b.timer.expires == e);
	CHECK(mod_timer(&b.timer, e + HZ) == 1); /* was pending */
	CHECK(b.timer.expires == e + HZ);
	CHECK(mod_timer_pending(&b.timer, e) == 1 && b.timer.expires == e);
	CHECK(timer_reduce(&b.timer, e + 10) == 1 && b.timer.expires == e); /* later: kept */
	CHECK(timer_reduce(&b.timer, e - 10) == 1 && b.timer.expires == e - 10);
	CHECK(del_timer(&b.timer) == 1);
	CHECK(!timer_pending(&b.timer));
	CHECK(del_timer(&b.timer) == 0);
	CHECK(timer_delete(&b.timer) == 0);
	CHECK(mod_timer_pending(&b.timer, jiffies + 1) == 0); /* inactive stays inactive */
	CHECK(!timer_pending(&b.timer));
	CHECK(del_timer_sync(&b.timer) == 0);
	CHECK(timer_reduce(&b.timer, jiffies + 2 * HZ) == 0); /* arms an inactive timer */
	CHECK(timer_delete_sync(&b.timer) == 1);

	/* After it fired it is inactive again: mod_timer() returns 0. */
	CHECK(mod_timer(&b.timer, jiffies + 1) == 0);
	CHECK(wait_for_completion_timeout(&b.done, 10 * HZ) > 0);
	CHECK(mod_timer(&b.timer, jiffies + HZ) == 0);
	CHECK(try_to_del_timer_sync(&b.timer) == 1);

	/* Shut down: re-arming is a silent no-op. */
	CHECK(mod_timer(&b.timer, jiffies + HZ) == 0);
	CHECK(timer_shutdown_sync(&b.timer) == 1);
	CHECK(mod_timer(&b.timer, jiffies + 1) == 0);
	CHECK(!timer_pending(&b.timer));
	add_timer(&b.timer);
	CHECK(!timer_pending(&b.timer));
	CHECK(timer_shutdown(&b.timer) == 0);
	/* timer_setup() makes it usable again. */
	timer_setup(&b.timer, box_fn, TIMER_PINNED);
	add_timer_local(&b.timer);
	CHECK(timer_pending(&b.timer) && (b.timer.flags & TIMER_PINNED));
	CHECK(timer_delete_sync(&b.timer) == 1);
	return 0;
}

int ctest_time_timer_context(void)
{
	static struct timer_box b;

	box_init(&b);
	timer_setup(&b.timer, box_fn, 0);
	CHECK(mod_timer(&b.timer, jiffies + 2) == 0);
	CHECK(wait_for_completion_timeout(&b.done, 10 * HZ) > 0);
	CHECK(b.has_current);
	CHECK(b.in_interrupt != 0 && b.in_serving_softirq != 0 && b.in_softirq != 0);
	CHECK(b.in_hardirq == 0);
	CHECK(b.in_task == 0);
	CHECK(b.preempt_count & SOFTIRQ_OFFSET);
	CHECK(!b.irqs_disabled);
	ctest_time_context[0] = b.in_interrupt;
	ctest_time_context[1] = b.in_serving_softirq;
	ctest_time_context[2] = (unsigned long)b.preempt_count;
	/* And back in the task. */
	CHECK(in_task() == 1 && !in_interrupt() && !in_softirq() && !in_serving_softirq());
	CHECK(!in_hardirq() && !in_irq() && !in_nmi() && preempt_count() == 0);
	return 0;
}

int ctest_time_timer_rearms_itself(void)
{
	static struct timer_box b;
	int i;

	box_init(&b);
	b.rearm = 4;
	timer_setup(&b.timer, box_fn, 0);
	mod_timer(&b.timer, jiffies + 1);
	CHECK(wait_for_completion_timeout(&b.done, 10 * HZ) > 0);
	CHECK(b.fired == 5);
	for (i = 0; i < 4; i++) {
		unsigned long gap = b.fired_at[i + 1] - b.fired_at[i];

		CHECK(gap >= 3);
		ctest_time_intervals[i] = gap;
	}
	CHECK(!timer_pending(&b.timer));
	timer_shutdown_sync(&b.timer);
	return 0;
}

/* DEFINE_TIMER: one object left pristine for time_test.cc to compare with ktl's bytes, one used. */
void ctest_time_defined_fn(struct timer_list *t)
{
	(void)t;
}
DEFINE_TIMER(ctest_time_defined_timer, ctest_time_defined_fn);

static struct completion defined_done;
static void defined_used_fn(struct timer_list *t)
{
	complete(&defined_done);
}
static DEFINE_TIMER(defined_used_timer, defined_used_fn);

int ctest_time_define_timer_runs(void)
{
	init_completion(&defined_done);
	CHECK(defined_used_timer.function == defined_used_fn);
	CHECK(!timer_pending(&defined_used_timer));
	CHECK(mod_timer(&defined_used_timer, jiffies + 1) == 0);
	CHECK(wait_for_completion_timeout(&defined_done, 10 * HZ) > 0);
	CHECK(timer_delete_sync(&defined_used_timer) == 0);
	return 0;
}

/* del_timer_sync() against a callback spinning on another vCPU (released by time_test.cc). */
static struct timer_list spin_timer;
int ctest_time_spin_in_cb, ctest_time_spin_release, ctest_time_spin_done, ctest_time_del_entered;

static void spin_fn(struct timer_list *t)
{
	WRITE_ONCE(ctest_time_spin_in_cb, 1);
	while (!READ_ONCE(ctest_time_spin_release))
		cpu_relax();
	WRITE_ONCE(ctest_time_spin_done, 1);
}

int ctest_time_del_timer_sync_waits(void)
{
	int cpu = raw_smp_processor_id();
	int other = (cpu + 1) % num_online_cpus();
	int ret;

	WRITE_ONCE(ctest_time_spin_in_cb, 0);
	WRITE_ONCE(ctest_time_spin_done, 0);
	timer_setup(&spin_timer, spin_fn, 0);
	spin_timer.expires = jiffies + 1;
	add_timer_on(&spin_timer, other);
	CHECK((spin_timer.flags & TIMER_CPUMASK) == (u32)other);
	while (!READ_ONCE(ctest_time_spin_in_cb))
		cpu_relax();
	CHECK(!timer_pending(&spin_timer));
	CHECK(timer_delete(&spin_timer) == 0);     /* running, not pending: no wait */
	CHECK(try_to_del_timer_sync(&spin_timer) == -1);
	WRITE_ONCE(ctest_time_del_entered, 1);
	ret = del_timer_sync(&spin_timer);
	CHECK(READ_ONCE(ctest_time_spin_done) == 1); /* it waited for the callback */
	CHECK(ret == 0);
	return 0;
}

/* ---- hrtimer ------------------------------------------------------------------------------ */

struct hr_box {
	struct hrtimer t;
	struct completion done;
	int count;
	int limit;
	ktime_t cb_time[8];
	ktime_t expires[8];
	u64 overruns[8];
	unsigned long in_hardirq, in_interrupt, in_serving_softirq;
	int in_task;
};

static enum hrtimer_restart hr_fn(struct hrtimer *t)
{
	struct hr_box *b = container_of(t, struct hr_box, t);
	int n = b->count;

	b->in_hardirq = in_hardirq();
	b->in_interrupt = in_interrupt();
	b->in_serving_softirq = in_serving_softirq();
	b->in_task = in_task();
	if (n < 8)
		b->cb_time[n] = hrtimer_cb_get_time(t);
	b->count = n + 1;
	if (n + 1 < b->limit) {
		if (n == 0)
			mdelay(3); /* busy past three periods: the next forward counts overruns */
		b->overruns[n] = hrtimer_forward_now(t, ms_to_ktime(1));
		b->expires[n] = hrtimer_get_expires(t);
		return HRTIMER_RESTART;
	}
	complete(&b->done);
	return HRTIMER_NORESTART;
}

static void hr_box_init(struct hr_box *b, int limit)
{
	memset(b, 0, sizeof(*b));
	b->limit = limit;
	init_completion(&b->done);
}

u64 ctest_time_hr_overruns[4];
long ctest_time_hr_late_ns = -1;

int ctest_time_hrtimer_oneshot_context(void)
{
	static struct hr_box b;
	ktime_t start, exp;

	hr_box_init(&b, 1);
	hrtimer_setup(&b.t, hr_fn, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	CHECK(b.t.function == hr_fn);
	CHECK(!hrtimer_active(&b.t) && !hrtimer_is_queued(&b.t));
	start = ktime_get();
	hrtimer_start(&b.t, ms_to_ktime(2), HRTIMER_MODE_REL);
	exp = hrtimer_get_expires(&b.t);
	CHECK(hrtimer_active(&b.t) && hrtimer_is_queued(&b.t));
	CHECK(exp >= start + 2 * NSEC_PER_MSEC && exp <= ktime_get() + 2 * NSEC_PER_MSEC);
	CHECK(hrtimer_get_remaining(&b.t) <= 2 * NSEC_PER_MSEC);
	CHECK(wait_for_completion_timeout(&b.done, 10 * HZ) > 0);
	CHECK(b.count == 1);
	CHECK(b.cb_time[0] >= exp);
	ctest_time_hr_late_ns = (long)(b.cb_time[0] - exp);
	CHECK(b.in_hardirq == HARDIRQ_OFFSET);
	CHECK(b.in_interrupt & HARDIRQ_OFFSET);
	CHECK(b.in_serving_softirq == 0 && b.in_task == 0);
	CHECK(hrtimer_cancel(&b.t) == 0); /* it already ran */
	CHECK(!hrtimer_active(&b.t));

	/* A queued timer cancelled: 1, then 0. */
	hrtimer_start(&b.t, ktime_set(10, 0), HRTIMER_MODE_REL);
	CHECK(hrtimer_is_queued(&b.t));
	CHECK(hrtimer_cancel(&b.t) == 1);
	CHECK(!hrtimer_active(&b.t));
	CHECK(hrtimer_try_to_cancel(&b.t) == 0);
	hrtimer_start(&b.t, ktime_set(10, 0), HRTIMER_MODE_REL_PINNED);
	CHECK(hrtimer_try_to_cancel(&b.t) == 1);
	CHECK(b.count == 1);
	return 0;
}

int ctest_time_hrtimer_periodic_forward(void)
{
	static struct hr_box b;
	ktime_t first;
	u64 total = 0;
	int i;

	hr_box_init(&b, 5);
	/* The old API: hrtimer_init(), then .function. */
	hrtimer_init(&b.t, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	b.t.function = hr_fn;
	first = ktime_add_ms(ktime_get(), 1);
	hrtimer_start(&b.t, first, HRTIMER_MODE_ABS);
	CHECK(hrtimer_get_expires(&b.t) == first);
	CHECK(wait_for_completion_timeout(&b.done, 10 * HZ) > 0);
	CHECK(b.count == 5);
	/* The first callback was 3 ms late on return: at least 4 periods forward. */
	CHECK(b.overruns[0] >= 4);
	for (i = 0; i < 4; i++) {
		CHECK(b.overruns[i] >= 1);
		total += b.overruns[i];
		/* Forwarded past the callback's time, in whole periods from the first expiry. */
		CHECK(b.expires[i] > b.cb_time[i]);
		CHECK(b.expires[i] == first + (ktime_t)total * NSEC_PER_MSEC);
		if (i < 3)
			CHECK(b.cb_time[i + 1] >= b.expires[i]);
		ctest_time_hr_overruns[i] = b.overruns[i];
	}
	CHECK(hrtimer_cancel(&b.t) == 0);

	/* hrtimer_forward() by hand, on a timer that is not queued. */
	hrtimer_set_expires(&b.t, 1000);
	CHECK(hrtimer_forward(&b.t, 999, 1000) == 0 && hrtimer_get_expires(&b.t) == 1000);
	CHECK(hrtimer_forward(&b.t, 1000, 1000) == 1 && hrtimer_get_expires(&b.t) == 2000);
	CHECK(hrtimer_forward(&b.t, 5500, 1000) == 4 && hrtimer_get_expires(&b.t) == 6000);
	hrtimer_add_expires_ns(&b.t, 5);
	CHECK(hrtimer_get_expires_ns(&b.t) == 6005);
	return 0;
}

int ctest_time_hrtimer_realtime_abs(void)
{
	static struct hr_box b;
	ktime_t target, exp;

	hr_box_init(&b, 1);
	hrtimer_setup(&b.t, hr_fn, CLOCK_REALTIME, HRTIMER_MODE_ABS);
	target = ktime_add_ms(ktime_get_real(), 3);
	hrtimer_start(&b.t, target, HRTIMER_MODE_ABS);
	exp = hrtimer_get_expires(&b.t);
	/* Read back on the timer's clock (the host's realtime may move by microseconds). */
	CHECK(exp > target - NSEC_PER_MSEC && exp < target + NSEC_PER_MSEC);
	CHECK(hrtimer_get_remaining(&b.t) <= 3 * NSEC_PER_MSEC);
	CHECK(wait_for_completion_timeout(&b.done, 10 * HZ) > 0);
	CHECK(b.cb_time[0] > target - NSEC_PER_MSEC);
	CHECK(b.cb_time[0] / NSEC_PER_SEC >= 1700000000LL);
	return 0;
}

int ctest_time_schedule_hrtimeout(void)
{
	ktime_t to = ms_to_ktime(2), t0 = ktime_get();

	set_current_state(TASK_UNINTERRUPTIBLE);
	CHECK(schedule_hrtimeout(&to, HRTIMER_MODE_REL) == 0);
	CHECK(ktime_get() - t0 >= 2 * NSEC_PER_MSEC);
	to = ktime_add_us(ktime_get(), 500);
	set_current_state(TASK_UNINTERRUPTIBLE);
	CHECK(schedule_hrtimeout_range(&to, 100, HRTIMER_MODE_ABS) == 0);
	CHECK(ktime_get() >= to);
	return 0;
}

/* ---- sleeps and delays ------------------------------------------------------------------- */

unsigned long ctest_time_sleep_jiffies;
long ctest_time_sleep_ret;
int ctest_time_phase; /* 1: in the sleep time_test.cc interrupts */

/* msleep(200) while time_test.cc wakes the task: it still sleeps the whole time. */
int ctest_time_msleep_absorbs_wakeups(void)
{
	unsigned long j0 = jiffies;

	msleep(200);
	ctest_time_sleep_jiffies = jiffies - j0;
	CHECK(ctest_time_sleep_jiffies >= msecs_to_jiffies(200));
	return 0;
}

/* msleep_interruptible(1000): time_test.cc wakes it (ignored), then signals it. */
int ctest_time_msleep_interruptible(void)
{
	unsigned long j0 = jiffies;
	unsigned long left;

	CHECK(msleep_interruptible(8) == 0); /* no signal: the full sleep, 0 left */
	CHECK(jiffies - j0 >= 2);
	j0 = jiffies;
	WRITE_ONCE(ctest_time_phase, 1);
	left = msleep_interruptible(1000);
	ctest_time_sleep_jiffies = jiffies - j0;
	ctest_time_sleep_ret = (long)left;
	CHECK(left > 0 && left < 1000);
	CHECK(signal_pending(current));
	return 0;
}

/* schedule_timeout(100) in TASK_INTERRUPTIBLE, ended early by a wake_up_process(). */
int ctest_time_schedule_timeout_remaining(void)
{
	unsigned long j0 = jiffies;
	long left;

	left = schedule_timeout_uninterruptible(3); /* not woken: runs out, 0 */
	CHECK(left == 0 && jiffies - j0 >= 3);
	j0 = jiffies;
	WRITE_ONCE(ctest_time_phase, 1);
	set_current_state(TASK_INTERRUPTIBLE);
	left = schedule_timeout(100);
	ctest_time_sleep_jiffies = jiffies - j0;
	ctest_time_sleep_ret = left;
	CHECK(left > 0 && left < 100);
	return 0;
}

/* usleep_range(20000, 25000) while time_test.cc wakes the task: at least 20 ms anyway. */
int ctest_time_usleep_range_absorbs_wakeups(void)
{
	ktime_t t0 = ktime_get();

	usleep_range(20000, 25000);
	CHECK(ktime_get() - t0 >= 20 * NSEC_PER_MSEC);
	return 0;
}

int ctest_time_delays(void)
{
	unsigned long sw = current->nvcsw + current->nivcsw;
	ktime_t t0 = ktime_get();

	/* Busy waits: the time passes, the task never leaves the CPU. */
	ndelay(1500);
	CHECK(ktime_get() - t0 >= 1500);
	t0 = ktime_get();
	udelay(50);
	CHECK(ktime_get() - t0 >= 50 * NSEC_PER_USEC);
	t0 = ktime_get();
	mdelay(2);
	CHECK(ktime_get() - t0 >= 2 * NSEC_PER_MSEC);
	t0 = ktime_get();
	fsleep(5); /* short: a busy wait too */
	CHECK(ktime_get() - t0 >= 5 * NSEC_PER_USEC);
	CHECK(current->nvcsw + current->nivcsw == sw);

	/* Sleeps. */
	t0 = ktime_get();
	fsleep(500);
	CHECK(ktime_get() - t0 >= 500 * NSEC_PER_USEC);
	t0 = ktime_get();
	fsleep(25000);
	CHECK(ktime_get() - t0 >= 25 * NSEC_PER_MSEC);
	t0 = ktime_get();
	usleep_range_idle(100, 200);
	CHECK(ktime_get() - t0 >= 100 * NSEC_PER_USEC);
	CHECK(current->nvcsw + current->nivcsw > sw);
	return 0;
}
