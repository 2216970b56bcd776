// SPDX-License-Identifier: GPL-2.0
/*
 * clash_a.c - one of two modules defining the same non-static globals (wq, comp, delay,
 * read, my_exit): each must see its own, side by side.
 */
#include <linux/module.h>
#include <linux/workqueue.h>
#include <linux/completion.h>

struct workqueue_struct *wq;
struct completion comp;
int delay = 100;
int counter;

int read(void)
{
	return delay + counter;
}

static void bump(struct work_struct *w)
{
	counter++;
	complete(&comp);
}
static DECLARE_WORK(work, bump);

static int __init my_init(void)
{
	wq = alloc_workqueue("clash_a", 0, 0);
	if (!wq)
		return -ENOMEM;
	init_completion(&comp);
	queue_work(wq, &work);
	wait_for_completion(&comp);
	pr_info("clash_a: delay=%d read()=%d\n", delay, read());
	return 0;
}

void my_exit(void)
{
	destroy_workqueue(wq);
	pr_info("clash_a: exit read()=%d\n", read());
}

module_init(my_init);
module_exit(my_exit);
MODULE_LICENSE("GPL");
