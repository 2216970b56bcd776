// SPDX-License-Identifier: MIT
/*
 * Kernel-style C against the compat <linux/workqueue.h>: work items, delayed work, workqueues.
 * Called from kernel tasks by tests/compat/workqueue_test.cc; each entry returns 0 or the line
 * of the first failed check.
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hardirq.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/workqueue.h> /* brings <linux/timer.h>, as the kernel's does */

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			pr_err("%s:%d: check failed: %s\n", __func__, __LINE__, #cond); \
			return __LINE__;                                        \
		}                                                               \
	} while (0)

/* workqueue.h alone gives timer_list and its API. */
static void unused_timer_fn(struct timer_list *t)
{
	(void)t;
}
static DEFINE_TIMER(unused_timer, unused_timer_fn);

/* Pristine objects for workqueue_test.cc's comparison with ktl's C++ initialisers. */
void ctest_wq_static_fn(struct work_struct *w)
{
	(void)w;
}
DECLARE_WORK(ctest_wq_static_work, ctest_wq_static_fn);
DECLARE_DELAYED_WORK(ctest_wq_static_dwork, ctest_wq_static_fn);
DECLARE_DEFERRABLE_WORK(ctest_wq_static_deferrable, ctest_wq_static_fn);

struct item {
	struct work_struct work;
	struct delayed_work dwork;
	struct completion done;
	struct workqueue_struct *wq;
	int runs;
	int requeue;            /* re-queue itself this many times */
	unsigned long ran_at;
	int in_task;
	unsigned long in_interrupt;
	bool is_worker;
	struct work_struct *current_work;
	bool to_delayed_ok;
};

static void item_fn(struct work_struct *w)
{
	struct item *it = container_of(w, struct item, work);

	it->runs++;
	it->ran_at = jiffies;
	it->in_task = in_task();
	it->in_interrupt = in_interrupt();
	it->is_worker = (current->flags & PF_WQ_WORKER) != 0;
	it->current_work = current_work();
	if (it->requeue-- > 0) {
		if (!queue_work(it->wq, w)) /* PENDING was cleared before the call: this queues */
			it->runs = -1000;
		return;
	}
	complete(&it->done);
}

static void ditem_fn(struct work_struct *w)
{
	struct delayed_work *dw = to_delayed_work(w);
	struct item *it = container_of(dw, struct item, dwork);

	it->to_delayed_ok = dw == &it->dwork;
	it->runs++;
	it->ran_at = jiffies;
	it->in_task = in_task();
	complete(&it->done);
}

static void item_init(struct item *it)
{
	memset(it, 0, sizeof(*it));
	INIT_WORK(&it->work, item_fn);
	INIT_DELAYED_WORK(&it->dwork, ditem_fn);
	init_completion(&it->done);
}

/* For workqueue_test.cc: the queue alloc_workqueue() made, and the delay it measured. */
struct workqueue_struct *ctest_wq_made;
unsigned long ctest_wq_delay_seen;

int ctest_wq_basics(void)
{
	static struct item it;

	CHECK(system_wq && system_highpri_wq && system_long_wq && system_unbound_wq);
	CHECK(system_freezable_wq && system_power_efficient_wq);
	CHECK(unused_timer.function == unused_timer_fn);
	item_init(&it);
	it.wq = system_wq;
	CHECK(!work_pending(&it.work));
	CHECK(schedule_work(&it.work));
	/* Still queued (this task has not given up its vCPU yet): a second queueing is refused. */
	CHECK(work_pending(&it.work));
	CHECK(work_busy(&it.work) & WORK_BUSY_PENDING);
	CHECK(!schedule_work(&it.work));
	CHECK(!queue_work(system_wq, &it.work));
	CHECK(wait_for_completion_timeout(&it.done, 10 * HZ) > 0);
	CHECK(flush_work(&it.work) || !work_pending(&it.work));
	CHECK(it.runs == 1);
	/* Process context, on a kworker, which knows what it runs. */
	CHECK(it.in_task == 1 && it.in_interrupt == 0);
	CHECK(it.is_worker);
	CHECK(it.current_work == &it.work);
	CHECK(current_work() == NULL);
	CHECK(!work_pending(&it.work));
	CHECK(!flush_work(&it.work)); /* idle: nothing to wait for */
	CHECK(!cancel_work_sync(&it.work));

	/* A work item that re-queues itself from its own function. */
	item_init(&it);
	it.wq = system_unbound_wq;
	it.requeue = 4;
	CHECK(queue_work(system_unbound_wq, &it.work));
	CHECK(wait_for_completion_timeout(&it.done, 10 * HZ) > 0);
	CHECK(it.runs == 5);

	/* INIT_WORK_ONSTACK, queued on a vCPU, flushed. */
	{
		struct work_struct onstack;

		it.runs = 0;
		it.requeue = 0;
		INIT_WORK_ONSTACK(&onstack, ctest_wq_static_fn);
		CHECK(schedule_work_on(raw_smp_processor_id(), &onstack));
		CHECK(flush_work(&onstack));
		CHECK(!work_pending(&onstack));
		destroy_work_on_stack(&onstack);
	}
	return 0;
}

/* alloc_workqueue() formats the name; workqueue_test.cc reads it, then ctest_wq_free_made(). */
int ctest_wq_alloc_named(void)
{
	ctest_wq_made = alloc_workqueue("ctest_%s_%d", WQ_UNBOUND | WQ_HIGHPRI, 3, "wq", 7);
	CHECK(ctest_wq_made != NULL);
	/* WQ_BH queues are not supported: NULL, as for any flags the kernel refuses. */
	CHECK(alloc_workqueue("ctest_bh", WQ_BH, 0) == NULL);
	return 0;
}

int ctest_wq_free_made(void)
{
	destroy_workqueue(ctest_wq_made);
	ctest_wq_made = NULL;
	return 0;
}

int ctest_wq_alloc_flush_destroy(void)
{
	static struct item items[8];
	struct workqueue_struct *wq;
	int i;

	wq = alloc_workqueue("ctest_flush", WQ_UNBOUND, 0);
	CHECK(wq != NULL);
	for (i = 0; i < 8; i++) {
		item_init(&items[i]);
		items[i].wq = wq;
		CHECK(queue_work(wq, &items[i].work));
	}
	flush_workqueue(wq);
	for (i = 0; i < 8; i++) {
		CHECK(items[i].runs == 1);
		CHECK(completion_done(&items[i].done));
	}
	/* destroy_workqueue() drains: what is queued runs first. */
	for (i = 0; i < 4; i++) {
		reinit_completion(&items[i].done);
		CHECK(queue_work(wq, &items[i].work));
	}
	destroy_workqueue(wq);
	for (i = 0; i < 4; i++)
		CHECK(items[i].runs == 2);
	return 0;
}

/* Items of an ordered queue run one at a time, in queueing order. */
static int order_log[6], order_n, order_busy, order_overlap;
static void order_fn(struct work_struct *w)
{
	struct item *it = container_of(w, struct item, work);

	if (READ_ONCE(order_busy))
		order_overlap = 1;
	WRITE_ONCE(order_busy, 1);
	msleep(1); /* give a second worker every chance to start the next item */
	order_log[order_n++] = it->runs;
	WRITE_ONCE(order_busy, 0);
}

int ctest_wq_ordered(void)
{
	static struct item items[6], other[2];
	struct workqueue_struct *wq = alloc_ordered_workqueue("ctest_%s", 0, "ordered");
	struct workqueue_struct *st = create_singlethread_workqueue("ctest_single");
	struct workqueue_struct *legacy = create_workqueue("ctest_legacy");
	int i;

	CHECK(wq && st && legacy);
	order_n = 0;
	order_overlap = 0;
	for (i = 0; i < 6; i++) {
		memset(&items[i], 0, sizeof(items[i]));
		INIT_WORK(&items[i].work, order_fn);
		items[i].runs = i; /* the label order_fn logs */
		CHECK(queue_work(wq, &items[i].work));
	}
	/* The legacy constructors make working queues too. */
	for (i = 0; i < 2; i++) {
		item_init(&other[i]);
		CHECK(queue_work(i ? st : legacy, &other[i].work));
	}
	flush_workqueue(wq);
	flush_workqueue(st);
	flush_workqueue(legacy);
	CHECK(other[0].runs == 1 && other[1].runs == 1);
	destroy_workqueue(st);
	destroy_workqueue(legacy);
	destroy_workqueue(wq);
	CHECK(order_n == 6);
	CHECK(!order_overlap);
	for (i = 0; i < 6; i++)
		CHECK(order_log[i] == i);
	return 0;
}

int ctest_wq_delayed(void)
{
	static struct item it;
	struct workqueue_struct *wq = alloc_workqueue("ctest_delayed", 0, 1);
	unsigned long j0;

	CHECK(wq);
	item_init(&it);
	CHECK(!delayed_work_pending(&it.dwork));
	j0 = jiffies;
	CHECK(queue_delayed_work(wq, &it.dwork, 50));
	CHECK(delayed_work_pending(&it.dwork));
	CHECK(timer_pending(&it.dwork.timer));
	CHECK(it.dwork.timer.expires == j0 + 50 || it.dwork.timer.expires == jiffies + 50);
	CHECK(!queue_delayed_work(wq, &it.dwork, 1)); /* already pending: refused, delay kept */
	CHECK(wait_for_completion_timeout(&it.done, 10 * HZ) > 0);
	CHECK(it.runs == 1 && it.in_task == 1 && it.to_delayed_ok);
	CHECK(time_after_eq(it.ran_at, j0 + 50));
	ctest_wq_delay_seen = it.ran_at - j0;

	/* cancel_delayed_work_sync(): true while the timer is pending, and it never runs. */
	reinit_completion(&it.done);
	CHECK(queue_delayed_work(wq, &it.dwork, HZ));
	CHECK(cancel_delayed_work_sync(&it.dwork) == true);
	CHECK(!delayed_work_pending(&it.dwork) && !timer_pending(&it.dwork.timer));
	CHECK(cancel_delayed_work_sync(&it.dwork) == false); /* idle */
	CHECK(it.runs == 1);

	/* mod_delayed_work(): false when idle (queued now), true when pending (re-timed). */
	CHECK(mod_delayed_work(wq, &it.dwork, HZ) == false);
	j0 = jiffies;
	CHECK(mod_delayed_work(wq, &it.dwork, 2) == true);
	CHECK(wait_for_completion_timeout(&it.done, 10 * HZ) > 0);
	CHECK(it.runs == 2);
	CHECK(time_after_eq(it.ran_at, j0 + 2) && time_before(it.ran_at, j0 + HZ));
	/* The function may still be returning after its complete(): let it finish. */
	flush_work(&it.dwork.work);
	CHECK(!work_busy(&it.dwork.work));

	/* cancel_delayed_work() (no wait) and flush_delayed_work() (runs a pending one now). */
	CHECK(schedule_delayed_work(&it.dwork, HZ));
	CHECK(cancel_delayed_work(&it.dwork));
	CHECK(!cancel_delayed_work(&it.dwork));
	reinit_completion(&it.done);
	j0 = jiffies;
	CHECK(queue_delayed_work_on(raw_smp_processor_id(), wq, &it.dwork, 10 * HZ));
	CHECK(flush_delayed_work(&it.dwork));
	CHECK(it.runs == 3 && time_before(it.ran_at, j0 + HZ));
	CHECK(completion_done(&it.done));

	/* A delay of 0 queues at once. */
	CHECK(queue_delayed_work(wq, &it.dwork, 0));
	CHECK(!timer_pending(&it.dwork.timer));
	flush_workqueue(wq);
	CHECK(it.runs == 4);
	destroy_workqueue(wq);

	/* INIT_DEFERRABLE_WORK keeps the timer flag. */
	INIT_DEFERRABLE_WORK(&it.dwork, ditem_fn);
	CHECK(it.dwork.timer.flags & TIMER_DEFERRABLE);
	CHECK(it.dwork.timer.function == delayed_work_timer_fn);
	destroy_delayed_work_on_stack(&it.dwork);
	return 0;
}

/* A statically declared delayed work item, queued and cancelled. */
static struct completion static_done;
static void static_dfn(struct work_struct *w)
{
	complete(&static_done);
}
static DECLARE_DELAYED_WORK(static_dwork, static_dfn);
static void static_wfn(struct work_struct *w)
{
	complete(&static_done);
}
static DECLARE_WORK(static_work, static_wfn);

int ctest_wq_static_items_run(void)
{
	init_completion(&static_done);
	CHECK(schedule_delayed_work(&static_dwork, 1));
	CHECK(wait_for_completion_timeout(&static_done, 10 * HZ) > 0);
	CHECK(schedule_work(&static_work));
	CHECK(wait_for_completion_timeout(&static_done, 10 * HZ) > 0);
	CHECK(!cancel_delayed_work_sync(&static_dwork));
	CHECK(!cancel_work_sync(&static_work));
	return 0;
}

/* cancel_work_sync() stops an item that keeps re-queuing itself. */
static int spin_runs;
static struct workqueue_struct *spin_wq;
static void spin_fn(struct work_struct *w)
{
	WRITE_ONCE(spin_runs, spin_runs + 1);
	msleep(1);
	queue_work(spin_wq, w);
}

int ctest_wq_cancel_self_requeuing(void)
{
	static struct work_struct w;
	int seen;

	spin_wq = alloc_workqueue("ctest_spin", WQ_UNBOUND, 0);
	CHECK(spin_wq);
	spin_runs = 0;
	INIT_WORK(&w, spin_fn);
	CHECK(queue_work(spin_wq, &w));
	while (READ_ONCE(spin_runs) < 3)
		msleep(1);
	cancel_work_sync(&w);
	seen = READ_ONCE(spin_runs);
	CHECK(!work_pending(&w));
	msleep(20);
	CHECK(READ_ONCE(spin_runs) == seen); /* it did not come back */
	destroy_workqueue(spin_wq);
	return 0;
}

static atomic_t each_cpu_runs;
static void each_cpu_fn(struct work_struct *w)
{
	atomic_inc(&each_cpu_runs);
}

int ctest_wq_schedule_on_each_cpu(void)
{
	atomic_set(&each_cpu_runs, 0);
	CHECK(schedule_on_each_cpu(each_cpu_fn) == 0);
	CHECK(atomic_read(&each_cpu_runs) == (int)num_online_cpus());
	return 0;
}

/*
 * flush_scheduled_work(): deprecated, still flushes system_wq, with the kernel's warnings (this
 * file silences the compile-time one).
 */
#pragma GCC diagnostic ignored "-Wattribute-warning"
int ctest_wq_flush_scheduled_work(void)
{
	static struct item it;

	item_init(&it);
	it.wq = system_wq;
	CHECK(schedule_work(&it.work));
	flush_scheduled_work();
	CHECK(it.runs == 1);
	return 0;
}
