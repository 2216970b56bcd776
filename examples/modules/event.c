// SPDX-License-Identifier: GPL-2.0
/*
 * event.c - an event-driven kernel thread sleeping on a wait queue.
 *
 * Events are kmalloc'd records on a spinlock-protected list. Two sources post them and wake
 * the thread with wake_up_interruptible():
 *   - the "kick" parameter: every write (insmod kick=N, or echo N into
 *     /sys/module/event/parameters/kick) posts one event carrying N, from the writer's task;
 *   - a timer, if timer_ms is non-zero: one event every timer_ms milliseconds, from the
 *     timer's softirq context (hence GFP_ATOMIC and the irqsave lock).
 * The thread sleeps in wait_event_interruptible() (ps shows "S"), takes the events one by one
 * and logs them. "handled" counts them; kthread_stop() wakes the thread through the same
 * condition and returns that count.
 *
 *   ktl> insmod event.ko
 *   ktl> echo 7 > /sys/module/event/parameters/kick
 *   ktl> dmesg
 *   [    1.520000] event: thread event (pid 23) waiting for events
 *   [    1.733000] event: event 1: kick 7
 *   ktl> cat /sys/module/event/parameters/handled
 *   1
 *   ktl> rmmod event
 *   [    2.010000] event: thread stopping after 1 events
 *   [    2.010010] event: kthread_stop() returned 1, 0 events dropped
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/kstrtox.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/wait.h>

struct event {
	struct list_head node;
	const char *source;
	int value;
};

static LIST_HEAD(pending);
static DEFINE_SPINLOCK(pending_lock);	/* pending, closing */
static bool closing;			/* module_exit started: refuse new events */
static DECLARE_WAIT_QUEUE_HEAD(event_wq);
static struct task_struct *event_task;
static struct timer_list event_timer;

static unsigned int timer_ms;
module_param(timer_ms, uint, 0444);
MODULE_PARM_DESC(timer_ms, "Post a timer event every timer_ms milliseconds (0: no timer)");

static unsigned int handled;		/* written by the thread only */
module_param(handled, uint, 0444);
MODULE_PARM_DESC(handled, "Events handled so far");

static int post_event(const char *source, int value, gfp_t gfp)
{
	struct event *ev = kmalloc(sizeof(*ev), gfp);
	unsigned long flags;

	if (!ev)
		return -ENOMEM;
	ev->source = source;
	ev->value = value;

	spin_lock_irqsave(&pending_lock, flags);
	if (closing) {
		spin_unlock_irqrestore(&pending_lock, flags);
		kfree(ev);
		return -ENODEV;
	}
	list_add_tail(&ev->node, &pending);
	spin_unlock_irqrestore(&pending_lock, flags);

	wake_up_interruptible(&event_wq);
	return 0;
}

/* Takes the oldest event off the list, or returns NULL. */
static struct event *take_event(void)
{
	struct event *ev;
	unsigned long flags;

	spin_lock_irqsave(&pending_lock, flags);
	ev = list_first_entry_or_null(&pending, struct event, node);
	if (ev)
		list_del(&ev->node);
	spin_unlock_irqrestore(&pending_lock, flags);
	return ev;
}

static int kick_value;

/* Runs for "insmod event.ko kick=N" (before event_init) and for every write to the file. */
static int kick_set(const char *val, const struct kernel_param *kp)
{
	int value, ret;

	ret = kstrtoint(val, 0, &value);
	if (ret)
		return ret;
	WRITE_ONCE(*(int *)kp->arg, value);
	return post_event("kick", value, GFP_KERNEL);
}

static const struct kernel_param_ops kick_ops = {
	.set = kick_set,
	.get = param_get_int,
};
module_param_cb(kick, &kick_ops, &kick_value, 0644);
MODULE_PARM_DESC(kick, "Write a number to post an event carrying it (reads the last one)");

static void event_timer_fn(struct timer_list *t)
{
	static int fired;

	post_event("timer", ++fired, GFP_ATOMIC);
	mod_timer(t, jiffies + msecs_to_jiffies(timer_ms));
}

static int event_thread(void *data)
{
	pr_info("thread %s (pid %d) waiting for events\n", current->comm, current->pid);

	for (;;) {
		struct event *ev;

		/* Kthreads ignore signals, so this only returns once the condition holds. */
		if (wait_event_interruptible(event_wq,
					     !list_empty(&pending) || kthread_should_stop()))
			continue;
		if (kthread_should_stop())
			break;

		while ((ev = take_event())) {
			WRITE_ONCE(handled, handled + 1);
			pr_info("event %u: %s %d\n", handled, ev->source, ev->value);
			kfree(ev);
		}
	}

	pr_info("thread stopping after %u events\n", handled);
	return handled;
}

/* Frees what the thread did not handle; returns how many. */
static unsigned int drop_events(void)
{
	struct event *ev;
	unsigned int n = 0;

	while ((ev = take_event())) {
		kfree(ev);
		n++;
	}
	return n;
}

static int __init event_init(void)
{
	timer_setup(&event_timer, event_timer_fn, 0);

	event_task = kthread_run(event_thread, NULL, "event");
	if (IS_ERR(event_task)) {
		drop_events();	/* posted by "insmod event.ko kick=N" */
		return PTR_ERR(event_task);
	}

	if (timer_ms)
		mod_timer(&event_timer, jiffies + msecs_to_jiffies(timer_ms));
	return 0;
}

static void __exit event_exit(void)
{
	unsigned int dropped;
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&pending_lock, flags);
	closing = true;
	spin_unlock_irqrestore(&pending_lock, flags);

	/* The timer re-arms itself: shut it down for good, waiting for a running callback. */
	timer_shutdown_sync(&event_timer);
	ret = kthread_stop(event_task);
	dropped = drop_events();
	pr_info("kthread_stop() returned %d, %u events dropped\n", ret, dropped);
}

module_init(event_init);
module_exit(event_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("ktl developers");
MODULE_DESCRIPTION("An event-driven kthread on a wait queue, kicked by a parameter or a timer");
MODULE_VERSION("1.0");
