// SPDX-License-Identifier: MIT
/*
 * Kernel-style C against the compat <linux/interrupt.h>: tasklets, bottom halves, interrupt
 * flags and the context queries. Called from kernel tasks by tests/compat/softirq_test.cc;
 * each entry returns 0 or the line of the first failed check.
 */
#include <asm/processor.h>
#include <linux/bottom_half.h>
#include <linux/completion.h>
#include <linux/hardirq.h>
#include <linux/interrupt.h>
#include <linux/irqflags.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			pr_err("%s:%d: check failed: %s\n", __func__, __LINE__, #cond); \
			return __LINE__;                                        \
		}                                                               \
	} while (0)

/* Pristine objects for softirq_test.cc's comparison with ktl's initialisers. */
void ctest_sirq_cb(struct tasklet_struct *t)
{
	(void)t;
}
void ctest_sirq_func(unsigned long data)
{
	(void)data;
}
DECLARE_TASKLET(ctest_sirq_static, ctest_sirq_cb);
DECLARE_TASKLET_DISABLED(ctest_sirq_static_disabled, ctest_sirq_cb);
DECLARE_TASKLET_OLD(ctest_sirq_static_old, ctest_sirq_func);

struct tl_box {
	int magic;
	struct tasklet_struct tasklet;
	struct completion done;
	int runs;
	unsigned long data_seen;
	struct tl_box *from_tasklet_ok;
	unsigned long in_interrupt, in_serving_softirq, in_softirq, in_hardirq;
	int in_task, irqs_disabled, preempt_count;
};

static void tl_record(struct tl_box *b)
{
	b->in_interrupt = in_interrupt();
	b->in_serving_softirq = in_serving_softirq();
	b->in_softirq = in_softirq();
	b->in_hardirq = in_hardirq();
	b->in_task = in_task();
	b->irqs_disabled = irqs_disabled();
	b->preempt_count = preempt_count();
	b->runs++;
	complete(&b->done);
}

static void tl_cb(struct tasklet_struct *t)
{
	struct tl_box *b = from_tasklet(b, t, tasklet);

	b->from_tasklet_ok = b->magic == 0x7a5c ? b : NULL;
	tl_record(b);
}

static struct tl_box *old_box;
static void tl_func(unsigned long data)
{
	old_box->data_seen = data;
	tl_record(old_box);
}

static void box_init(struct tl_box *b)
{
	memset(b, 0, sizeof(*b));
	b->magic = 0x7a5c;
	init_completion(&b->done);
}

unsigned long ctest_sirq_context[3];

int ctest_sirq_tasklet_context(void)
{
	static struct tl_box b;

	box_init(&b);
	tasklet_setup(&b.tasklet, tl_cb);
	CHECK(b.tasklet.use_callback && b.tasklet.callback == tl_cb);
	CHECK(atomic_read(&b.tasklet.count) == 0 && b.tasklet.state == 0);
	tasklet_schedule(&b.tasklet);
	CHECK(wait_for_completion_timeout(&b.done, 10 * HZ) > 0);
	CHECK(b.from_tasklet_ok == &b);
	CHECK(b.in_interrupt != 0 && b.in_serving_softirq != 0 && b.in_softirq != 0);
	CHECK(b.in_hardirq == 0 && b.in_task == 0 && !b.irqs_disabled);
	CHECK(b.preempt_count & SOFTIRQ_OFFSET);
	ctest_sirq_context[0] = b.in_interrupt;
	ctest_sirq_context[1] = b.in_serving_softirq;
	tasklet_kill(&b.tasklet);
	CHECK(b.runs == 1);

	/* tasklet_hi_schedule: the same, from HI_SOFTIRQ. */
	reinit_completion(&b.done);
	tasklet_hi_schedule(&b.tasklet);
	CHECK(wait_for_completion_timeout(&b.done, 10 * HZ) > 0);
	tasklet_kill(&b.tasklet);
	CHECK(b.runs == 2 && b.in_serving_softirq);

	/* The old form: func(data). */
	old_box = &b;
	tasklet_init(&b.tasklet, tl_func, 0xabcdUL);
	CHECK(!b.tasklet.use_callback && b.tasklet.func == tl_func && b.tasklet.data == 0xabcd);
	reinit_completion(&b.done);
	tasklet_schedule(&b.tasklet);
	CHECK(wait_for_completion_timeout(&b.done, 10 * HZ) > 0);
	CHECK(b.data_seen == 0xabcd);
	tasklet_kill(&b.tasklet);
	return 0;
}

/* With bottom halves off nothing runs; local_bh_enable() runs what became pending. */
int ctest_sirq_bh_disable_defers(void)
{
	static struct tl_box b;

	box_init(&b);
	tasklet_setup(&b.tasklet, tl_cb);
	CHECK(in_task() && !in_softirq() && !in_interrupt() && preempt_count() == 0);
	local_bh_disable();
	CHECK(in_softirq() == SOFTIRQ_DISABLE_OFFSET);
	CHECK(in_task() && !in_serving_softirq() && in_interrupt() && in_atomic());
	tasklet_schedule(&b.tasklet);
	tasklet_schedule(&b.tasklet); /* already scheduled: no second run */
	CHECK(test_bit(TASKLET_STATE_SCHED, &b.tasklet.state));
	CHECK(local_softirq_pending() & (1U << TASKLET_SOFTIRQ));
	cpu_relax();
	CHECK(b.runs == 0);
	local_bh_enable();
	CHECK(b.runs == 1); /* ran inside local_bh_enable(), on this task */
	CHECK(!in_softirq() && preempt_count() == 0);
	tasklet_kill(&b.tasklet);
	CHECK(b.runs == 1);

	/* spin_lock_bh works the same way. */
	{
		DEFINE_SPINLOCK(lock);

		spin_lock_bh(&lock);
		CHECK(in_softirq());
		tasklet_schedule(&b.tasklet);
		spin_unlock_bh(&lock);
		tasklet_kill(&b.tasklet);
		CHECK(b.runs == 2);
	}
	return 0;
}

/* A disabled tasklet stays scheduled until enabled. */
int ctest_sirq_disable_enable(void)
{
	static struct tl_box b;
	unsigned long j0;

	box_init(&b);
	tasklet_setup(&b.tasklet, tl_cb);
	tasklet_disable(&b.tasklet);
	CHECK(atomic_read(&b.tasklet.count) == 1);
	tasklet_schedule(&b.tasklet);
	j0 = jiffies;
	while (time_before(jiffies, j0 + 3))
		schedule_timeout_uninterruptible(1);
	CHECK(b.runs == 0);
	CHECK(test_bit(TASKLET_STATE_SCHED, &b.tasklet.state));
	tasklet_enable(&b.tasklet);
	CHECK(wait_for_completion_timeout(&b.done, 10 * HZ) > 0);
	tasklet_kill(&b.tasklet);
	CHECK(b.runs == 1);
	tasklet_disable_nosync(&b.tasklet);
	tasklet_enable(&b.tasklet);
	tasklet_disable_in_atomic(&b.tasklet);
	tasklet_enable(&b.tasklet);

	/* tasklet_trylock/unlock: the RUN bit. */
	CHECK(tasklet_trylock(&b.tasklet));
	CHECK(!tasklet_trylock(&b.tasklet));
	tasklet_unlock(&b.tasklet);
	tasklet_unlock_wait(&b.tasklet);
	CHECK(tasklet_trylock(&b.tasklet));
	tasklet_unlock(&b.tasklet);
	return 0;
}

/* DECLARE_TASKLET objects work as declared. */
static struct completion static_done;
static void static_cb(struct tasklet_struct *t)
{
	complete(&static_done);
}
static DECLARE_TASKLET(static_tl, static_cb);
static DECLARE_TASKLET_DISABLED(static_tl_disabled, static_cb);

int ctest_sirq_declared_tasklets_run(void)
{
	init_completion(&static_done);
	tasklet_schedule(&static_tl);
	CHECK(wait_for_completion_timeout(&static_done, 10 * HZ) > 0);
	tasklet_kill(&static_tl);
	CHECK(atomic_read(&static_tl_disabled.count) == 1);
	tasklet_enable(&static_tl_disabled);
	tasklet_schedule(&static_tl_disabled);
	CHECK(wait_for_completion_timeout(&static_done, 10 * HZ) > 0);
	tasklet_kill(&static_tl_disabled);
	tasklet_disable(&static_tl_disabled); /* as declared, for the next run */
	return 0;
}

/* local_irq_save/restore nest; irqs_disabled() follows. */
int ctest_sirq_irqflags(void)
{
	unsigned long f1, f2, f3;

	CHECK(!irqs_disabled());
	local_save_flags(f1);
	CHECK(!irqs_disabled_flags(f1));
	local_irq_save(f1);
	CHECK(irqs_disabled());
	local_irq_save(f2);
	CHECK(irqs_disabled() && irqs_disabled_flags(f2));
	local_irq_restore(f2);
	CHECK(irqs_disabled());
	local_irq_restore(f1);
	CHECK(!irqs_disabled());
	local_irq_disable();
	CHECK(irqs_disabled());
	local_save_flags(f3);
	CHECK(irqs_disabled_flags(f3));
	local_irq_enable();
	CHECK(!irqs_disabled());
	{
		DEFINE_SPINLOCK(lock);

		spin_lock_irqsave(&lock, f1);
		CHECK(irqs_disabled());
		spin_unlock_irqrestore(&lock, f1);
		CHECK(!irqs_disabled());
	}
	/* Task context, as a kthread sees it. */
	CHECK(in_task() == 1 && in_interrupt() == 0 && in_serving_softirq() == 0);
	CHECK(!in_hardirq() && !in_irq() && !in_nmi() && !in_atomic() && preempt_count() == 0);
	preempt_disable();
	CHECK(in_atomic() && in_task() && !in_interrupt());
	preempt_enable();
	return 0;
}

/* tasklet_kill() waits for a scheduled tasklet to run. */
int ctest_sirq_kill_waits(void)
{
	static struct tl_box b;

	box_init(&b);
	tasklet_setup(&b.tasklet, tl_cb);
	tasklet_schedule(&b.tasklet);
	tasklet_kill(&b.tasklet);
	CHECK(b.runs == 1);
	CHECK(!test_bit(TASKLET_STATE_SCHED, &b.tasklet.state) &&
	      !test_bit(TASKLET_STATE_RUN, &b.tasklet.state));
	return 0;
}
