// SPDX-License-Identifier: GPL-2.0
/*
 * compat_bench.c - the kernel-style C side of the compat benchmarks (compat_bench.cc registers
 * them). Plain <linux/...> code as a module would write it, so the figures show what the C
 * layer costs over ktl's C++ API: every call here goes through one __ktl_abi shim.
 */
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

/* ---- xcpu_wake: a completion ping-pong between kthreads bound to vCPUs 0 and 1 ------------- */

struct pingpong {
	struct completion a_go, b_go, b_done;
	long rounds;
};

static int pong_fn(void *arg)
{
	struct pingpong *pp = arg;
	long i;

	for (i = 0; i < pp->rounds; i++) {
		wait_for_completion(&pp->b_go);
		complete(&pp->a_go);
	}
	complete(&pp->b_done);
	return 0;
}

/*
 * ktlb_c_xcpu_wake - @rounds round trips from the calling task (on vCPU 0) to a new kthread bound
 * to vCPU 1 and back.
 * Context: process context on vCPU 0 of a kernel with at least two vCPUs.
 * Return: the nanoseconds the round trips took, or a negative errno.
 */
long ktlb_c_xcpu_wake(long rounds)
{
	struct pingpong pp = { .rounds = rounds };
	struct task_struct *pong;
	u64 t0, ns;
	long i;

	init_completion(&pp.a_go);
	init_completion(&pp.b_go);
	init_completion(&pp.b_done);
	pong = kthread_create(pong_fn, &pp, "pong");
	if (IS_ERR(pong))
		return PTR_ERR(pong);
	kthread_bind(pong, 1);
	wake_up_process(pong);

	t0 = ktime_get_ns();
	for (i = 0; i < rounds; i++) {
		complete(&pp.b_go);
		wait_for_completion(&pp.a_go);
	}
	ns = ktime_get_ns() - t0;
	wait_for_completion(&pp.b_done);
	return (long)ns;
}

/* ---- wq_latency: queue_work_on() to the caller's own vCPU until the item runs -------------- */

struct lat_item {
	struct work_struct work;
	struct completion ran;
	u64 started;
};

static void lat_fn(struct work_struct *work)
{
	struct lat_item *it = container_of(work, struct lat_item, work);

	it->started = ktime_get_ns();
	complete(&it->ran);
}

/*
 * ktlb_c_wq_latency - queues one item @ops times on @wq for @cpu and waits for each to run.
 * @lat_ns receives, per op, the nanoseconds from queue_work_on() to the item's first line.
 * Context: process context.
 * Return: 0, or -EBUSY if an item was refused.
 */
int ktlb_c_wq_latency(struct workqueue_struct *wq, int cpu, int ops, long long *lat_ns)
{
	struct lat_item it;
	int i, refused = 0;

	INIT_WORK(&it.work, lat_fn);
	init_completion(&it.ran);
	for (i = -100; i < ops; i++) {
		u64 t0;

		reinit_completion(&it.ran);
		t0 = ktime_get_ns();
		if (!queue_work_on(cpu, wq, &it.work))
			refused = 1;
		wait_for_completion(&it.ran);
		if (i >= 0)
			lat_ns[i] = (long long)(it.started - t0);
	}
	flush_work(&it.work);
	return refused ? -EBUSY : 0;
}
