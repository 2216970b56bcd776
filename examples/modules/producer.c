// SPDX-License-Identifier: GPL-2.0
/*
 * producer.c - a workqueue producer: delayed work that re-arms itself and queues work items
 * carrying data.
 *
 * The module allocates its own workqueue, "producer" (WQ_MEM_RECLAIM, so it gets a rescuer
 * thread, "kworker/R-producer", idle in ps as "I<"). Every interval_ms milliseconds the
 * delayed work "tick" runs, kmallocs "batch" items, each with an embedded work_struct, and
 * queues them; each item's work function finds its item with container_of(), logs it and
 * frees it. Then tick re-arms itself with queue_delayed_work(). The items run on the shared
 * per-CPU kworkers, which ps then shows with the workqueue's name, e.g.
 * "[kworker/0:1-producer]".
 *
 * Unloading cancels tick with cancel_delayed_work_sync() (which copes with a work item that
 * re-queues itself) and destroy_workqueue() runs the items still queued before freeing the
 * workqueue, so every item is consumed and freed.
 *
 *   ktl> insmod producer.ko interval_ms=200 batch=2
 *   ktl> dmesg
 *   [    3.000000] producer: tick 1: queued items 1..2
 *   [    3.000050] producer: item 1 (tick 1) consumed
 *   [    3.000070] producer: item 2 (tick 1) consumed
 *   ktl> ps -eo pid,stat,command
 *      12 I    [kworker/0:1-producer]
 *      23 I<   [kworker/R-producer]
 *   ktl> echo 50 > /sys/module/producer/parameters/interval_ms
 *   ktl> rmmod producer
 *   [    4.000000] producer: 12 ticks, 24 items produced, 24 consumed
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

static unsigned int interval_ms = 100;
module_param(interval_ms, uint, 0644);
MODULE_PARM_DESC(interval_ms, "Milliseconds between ticks (writable: applies from the next tick)");

static unsigned int batch = 1;
module_param(batch, uint, 0644);
MODULE_PARM_DESC(batch, "Work items queued per tick");

struct item {
	struct work_struct work;
	unsigned int seq;
	unsigned int tick;
};

static struct workqueue_struct *producer_wq;
static unsigned int ticks;		/* tick's own counter: it never runs concurrently with itself */
static atomic_t produced = ATOMIC_INIT(0);
static atomic_t consumed = ATOMIC_INIT(0);

static void consume(struct work_struct *work)
{
	struct item *it = container_of(work, struct item, work);

	pr_info("item %u (tick %u) consumed\n", it->seq, it->tick);
	atomic_inc(&consumed);
	kfree(it);
}

static void produce(struct work_struct *work);
static DECLARE_DELAYED_WORK(tick, produce);

static void produce(struct work_struct *work)
{
	struct delayed_work *dwork = to_delayed_work(work);
	unsigned int i, n = READ_ONCE(batch);
	unsigned int first = 0, last = 0;

	ticks++;
	for (i = 0; i < n; i++) {
		struct item *it = kmalloc(sizeof(*it), GFP_KERNEL);

		if (!it)
			break;
		INIT_WORK(&it->work, consume);
		it->seq = atomic_inc_return(&produced);
		it->tick = ticks;
		if (!first)
			first = it->seq;
		last = it->seq;
		queue_work(producer_wq, &it->work);
	}
	if (first)
		pr_info("tick %u: queued items %u..%u\n", ticks, first, last);
	else
		pr_info("tick %u: nothing queued\n", ticks);

	queue_delayed_work(producer_wq, dwork, msecs_to_jiffies(READ_ONCE(interval_ms)));
}

static int __init producer_init(void)
{
	producer_wq = alloc_workqueue("producer", WQ_MEM_RECLAIM, 0);
	if (!producer_wq)
		return -ENOMEM;

	pr_info("producing %u item(s) every %u ms\n", batch, interval_ms);
	queue_delayed_work(producer_wq, &tick, msecs_to_jiffies(interval_ms));
	return 0;
}

static void __exit producer_exit(void)
{
	/* First the producer: after this, tick is neither pending nor running nor re-armed. */
	cancel_delayed_work_sync(&tick);
	/* Then the consumers: destroy_workqueue() drains the items still queued. */
	destroy_workqueue(producer_wq);
	pr_info("%u ticks, %d items produced, %d consumed\n", ticks,
		atomic_read(&produced), atomic_read(&consumed));
}

module_init(producer_init);
module_exit(producer_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("ktl developers");
MODULE_DESCRIPTION("A delayed work item producing work items on its own workqueue");
MODULE_VERSION("1.0");
