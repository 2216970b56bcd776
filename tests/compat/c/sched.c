// SPDX-License-Identifier: MIT
/*
 * Kernel-style C against <linux/sched.h> and friends: the task view (current->...), sleeping
 * with schedule()/schedule_timeout(), signals, priorities, vCPUs and cpumasks, preemption
 * count, stop_machine. Driven by tests/compat/sched_test.cc, which calls these entry points
 * in kernel tasks and compares with ktl's C++ view. Each returns 0 on success, else the line
 * that failed (or a value the test documents).
 */
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/smp.h>
#include <linux/stop_machine.h>
#include <linux/string.h>
#include <linux/topology.h>

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			pr_err("ctest sched: %s:%d: %s\n", __func__, __LINE__, #cond); \
			return __LINE__;                                        \
		}                                                               \
	} while (0)

/* What C sees of a task, for the C++ side to compare with ktl's task_struct. */
struct ctest_task_view {
	const void *self;
	int pid;
	int tgid;
	char comm[TASK_COMM_LEN];
	const void *mm;
	unsigned int flags;
	unsigned int cpu;
	const void *cpus_ptr;
	const void *cpus_mask_addr;
	unsigned long cpus_mask_word0;
	int nr_cpus_allowed;
	unsigned long pending;
	unsigned long blocked;
	int prio;
	int static_prio;
	unsigned int policy;
	unsigned int rt_priority;
	int nice;
	const void *real_parent;
	unsigned long nvcsw;
};

int ctest_sched_read_task(struct task_struct *p, struct ctest_task_view *v)
{
	char comm[TASK_COMM_LEN];

	v->self = p;
	v->pid = task_pid_nr(p);
	v->tgid = task_tgid_nr(p);
	get_task_comm(comm, p);
	CHECK(strcmp(comm, p->comm) == 0);
	memcpy(v->comm, p->comm, TASK_COMM_LEN);
	v->mm = p->mm;
	v->flags = p->flags;
	v->cpu = task_cpu(p);
	v->cpus_ptr = p->cpus_ptr;
	v->cpus_mask_addr = &p->cpus_mask;
	v->cpus_mask_word0 = cpumask_bits(p->cpus_ptr)[0];
	v->nr_cpus_allowed = p->nr_cpus_allowed;
	v->pending = p->pending.signal.sig[0];
	v->blocked = p->blocked.sig[0];
	v->prio = p->prio;
	v->static_prio = p->static_prio;
	v->policy = p->policy;
	v->rt_priority = p->rt_priority;
	v->nice = task_nice(p);
	v->real_parent = p->real_parent;
	v->nvcsw = p->nvcsw;
	CHECK(p->pid == v->pid && p->tgid == v->tgid);
	CHECK(p->parent == p->real_parent);
	return 0;
}

int ctest_sched_read_current(struct ctest_task_view *v)
{
	CHECK(current == get_current());
	return ctest_sched_read_task(current, v);
}

/* ---- sleeping ----------------------------------------------------------------------- */

/* A bare set_current_state(TASK_INTERRUPTIBLE) + schedule(): any wake-up ends it. */
int ctest_sched_bare_schedule_interruptible(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	schedule();
	CHECK(get_current_state() == TASK_RUNNING);
	CHECK(task_is_running(current));
	return 0;
}

int ctest_sched_bare_schedule_uninterruptible(void)
{
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule();
	CHECK(get_current_state() == TASK_RUNNING);
	return 0;
}

/* schedule_timeout() in TASK_INTERRUPTIBLE: returns the jiffies left when woken early. */
long ctest_sched_timeout_sleeper(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	return schedule_timeout(100 * HZ);
}

/* The helpers that set the state themselves, run to their end: 0 left, time passed. */
int ctest_sched_timeouts_expire(void)
{
	unsigned long start = jiffies;

	CHECK(schedule_timeout_uninterruptible(3) == 0);
	CHECK(time_after_eq(jiffies, start + 3));
	start = jiffies;
	CHECK(schedule_timeout_interruptible(2) == 0);
	CHECK(time_after_eq(jiffies, start + 2));
	CHECK(schedule_timeout_idle(1) == 0);
	CHECK(schedule_timeout_killable(1) == 0);
	/* In TASK_RUNNING schedule_timeout() does not sleep: the time is still left. */
	__set_current_state(TASK_RUNNING);
	CHECK(schedule_timeout(HZ) > 0);
	/* A negative timeout is an error: logged, 0, no sleep. */
	CHECK(schedule_timeout(-1) == 0);
	yield();
	cond_resched();
	(void)need_resched();
	return 0;
}

/* ---- signals ------------------------------------------------------------------------ */

static DECLARE_COMPLETION(sig_ready);
static DECLARE_COMPLETION(sig_checked);
static int sig_result;

static int sig_thread(void *unused)
{
	(void)unused;
	allow_signal(SIGINT);
	complete(&sig_ready);
	/* Sleep until a signal: SIGUSR1 is not allowed, so it is dropped and never wakes us. */
	while (!signal_pending(current) && !kthread_should_stop())
		schedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);
	sig_result = 1;
	if (!signal_pending(current))
		goto out;
	sig_result = 2;
	if (!sigismember(&current->pending.signal, SIGINT))
		goto out;
	sig_result = 3;
	if (sigismember(&current->pending.signal, SIGUSR1))
		goto out;
	sig_result = 4;
	if (fatal_signal_pending(current))
		goto out;
	flush_signals(current);
	if (signal_pending(current))
		goto out;
	sig_result = 5;
	if (current->pending.signal.sig[0] != 0)
		goto out;
	sig_result = 0;
out:
	complete(&sig_checked);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);
	/* kthread_stop() makes signal_pending() true without queueing a signal. */
	return signal_pending(current) && current->pending.signal.sig[0] == 0 ? sig_result : 100;
}

/* allow_signal(SIGINT) + send_sig(): signal_pending(), the pending set, flush_signals(). */
int ctest_sched_signals(void)
{
	struct task_struct *t;
	sigset_t set;
	int ret;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGKILL);
	CHECK(sigismember(&set, SIGINT) && sigismember(&set, SIGKILL) && !sigismember(&set, SIGTERM));
	CHECK(set.sig[0] == (sigmask(SIGINT) | sigmask(SIGKILL)));
	sigdelset(&set, SIGINT);
	CHECK(!sigismember(&set, SIGINT));
	CHECK(_NSIG == 64 && _NSIG_WORDS == 1 && sizeof(sigset_t) == 8);
	CHECK(SIGINT == 2 && SIGKILL == 9 && SIGTERM == 15 && SIGQUIT == 3 && SIGUSR1 == 10);

	reinit_completion(&sig_ready);
	reinit_completion(&sig_checked);
	sig_result = -1;
	t = kthread_run(sig_thread, NULL, "csig");
	CHECK(!IS_ERR(t));
	get_task_struct(t);
	wait_for_completion(&sig_ready);
	/* Not allowed: dropped at send time. */
	CHECK(send_sig(SIGUSR1, t, 0) == 0);
	CHECK(!(READ_ONCE(t->pending.signal.sig[0]) & sigmask(SIGUSR1)));
	CHECK(send_sig(SIGINT, t, 0) == 0);
	CHECK(send_sig(0x100, t, 0) == -EINVAL);
	/* Let it look before kthread_stop() makes signal_pending() true for other reasons. */
	wait_for_completion(&sig_checked);
	ret = kthread_stop_put(t);
	CHECK(ret != 100);
	return ret ? 1000 + ret : 0;
}

/* ---- priorities ------------------------------------------------------------------------ */

int ctest_sched_priorities(void)
{
	struct sched_param sp = { .sched_priority = 10 };

	CHECK(current->policy == SCHED_NORMAL && task_nice(current) == 0);
	CHECK(current->static_prio == DEFAULT_PRIO && current->prio == DEFAULT_PRIO);
	set_user_nice(current, 5);
	CHECK(task_nice(current) == 5 && current->static_prio == NICE_TO_PRIO(5));
	CHECK(task_prio(current) == 25);
	sched_set_fifo(current);
	CHECK(current->policy == SCHED_FIFO && current->rt_priority == MAX_RT_PRIO / 2);
	CHECK(current->prio == MAX_RT_PRIO - 1 - MAX_RT_PRIO / 2 && rt_task(current));
	sched_set_fifo_low(current);
	CHECK(current->policy == SCHED_FIFO && current->rt_priority == 1);
	CHECK(sched_setscheduler_nocheck(current, SCHED_RR, &sp) == 0);
	CHECK(current->policy == SCHED_RR && current->rt_priority == 10);
	CHECK(task_prio(current) == -11);
	sp.sched_priority = 100;
	CHECK(sched_setscheduler_nocheck(current, SCHED_FIFO, &sp) == -EINVAL);
	sched_set_normal(current, -3);
	CHECK(current->policy == SCHED_NORMAL && task_nice(current) == -3 && !rt_task(current));
	sched_set_normal(current, 0);
	return 0;
}

/* ---- vCPUs, cpumasks, preemption ----------------------------------------------------------- */

int ctest_sched_cpus(void)
{
	unsigned int cpu, n = 0, online = num_online_cpus();
	cpumask_var_t mask;
	struct cpumask m2;
	int me;

	CHECK(nr_cpu_ids >= 1 && nr_cpu_ids <= NR_CPUS);
	CHECK(num_possible_cpus() == nr_cpu_ids);
	CHECK(online >= 1 && online <= nr_cpu_ids);
	CHECK(cpumask_weight(cpu_online_mask) == online);
	CHECK(cpumask_weight(cpu_possible_mask) == nr_cpu_ids);
	CHECK(cpumask_subset(cpu_online_mask, cpu_possible_mask));
	for_each_online_cpu(cpu) {
		CHECK(cpu_online(cpu) && cpu_possible(cpu));
		n++;
	}
	CHECK(n == online);
	n = 0;
	for_each_possible_cpu(cpu)
		n++;
	CHECK(n == nr_cpu_ids);
	CHECK(!cpu_online(nr_cpu_ids) && !cpu_possible(NR_CPUS + 5));
	CHECK(cpumask_first(cpu_online_mask) == 0);

	me = smp_processor_id();
	CHECK(me >= 0 && (unsigned int)me < nr_cpu_ids && cpu_online(me));
	CHECK(raw_smp_processor_id() == me);
	CHECK((unsigned int)me == task_cpu(current));
	CHECK(current->cpus_ptr == &current->cpus_mask);
	CHECK(cpumask_test_cpu(me, current->cpus_ptr));
	CHECK(cpumask_weight(current->cpus_ptr) == (unsigned int)current->nr_cpus_allowed);

	CHECK(cpumask_weight(cpumask_of(0)) == 1 && cpumask_first(cpumask_of(0)) == 0);
	if (nr_cpu_ids > 1) {
		CHECK(cpumask_test_cpu(1, cpumask_of(1)) && !cpumask_test_cpu(0, cpumask_of(1)));
		CHECK(cpumask_next(0, cpu_possible_mask) == 1);
	}
	CHECK(cpumask_next((int)nr_cpu_ids - 1, cpu_possible_mask) >= nr_cpu_ids);
	CHECK(cpumask_weight(cpu_all_mask) == NR_CPUS);

	CHECK(zalloc_cpumask_var(&mask, GFP_KERNEL));
	CHECK(cpumask_empty(mask) && cpumask_first(mask) == nr_cpu_ids);
	cpumask_set_cpu(0, mask);
	CHECK(cpumask_test_and_set_cpu(0, mask));
	CHECK(cpumask_test_and_set_cpu((int)nr_cpu_ids - 1, mask) == (nr_cpu_ids == 1));
	CHECK(cpumask_weight(mask) == (nr_cpu_ids > 1 ? 2u : 1u));
	CHECK(cpumask_last(mask) == nr_cpu_ids - 1);
	cpumask_copy(&m2, mask);
	CHECK(cpumask_equal(&m2, mask));
	cpumask_clear_cpu(0, mask);
	CHECK(!cpumask_test_cpu(0, mask) && cpumask_andnot(&m2, &m2, mask) &&
	      cpumask_first(&m2) == 0);
	CHECK(cpumask_and(&m2, cpu_possible_mask, cpumask_of(0)) && cpumask_weight(&m2) == 1);
	cpumask_setall(&m2);
	CHECK(cpumask_equal(&m2, cpu_possible_mask) && cpumask_full(&m2));
	CHECK(cpumask_any_but(&m2, 0) == (nr_cpu_ids > 1 ? 1 : nr_cpu_ids));
	free_cpumask_var(mask);

	CHECK(cpu_to_node(me) == 0 && numa_node_id() == 0 && NUMA_NO_NODE == -1);
	return 0;
}

struct rcu_item {
	int value;
};

static struct rcu_item *rcu_ptr;

int ctest_sched_preempt(void)
{
	static struct rcu_item item = { .value = 7 };
	int base = preempt_count(), cpu;
	struct rcu_item *p;

	CHECK(base == 0 && preemptible() && !in_atomic());
	preempt_disable();
	CHECK(preempt_count() == base + 1 && !preemptible() && in_atomic());
	preempt_disable();
	CHECK(preempt_count() == base + 2);
	preempt_enable();
	preempt_enable_no_resched();
	CHECK(preempt_count() == base);
	cpu = get_cpu();
	CHECK(preempt_count() == base + 1 && cpu == smp_processor_id());
	put_cpu();
	CHECK(preempt_count() == base && preemptible());

	/* RCU's read side is a non-preemptible section; pointers are published with release. */
	RCU_INIT_POINTER(rcu_ptr, NULL);
	rcu_assign_pointer(rcu_ptr, &item);
	rcu_read_lock();
	CHECK(in_atomic());
	p = rcu_dereference(rcu_ptr);
	CHECK(p == &item && p->value == 7 && rcu_access_pointer(rcu_ptr) == &item);
	rcu_read_unlock();
	CHECK(preempt_count() == base);
	return 0;
}

/* ---- CPU hotplug lock, stop_machine ------------------------------------------------------- */

static int stop_fn(void *arg)
{
	int *where = arg;

	*where = smp_processor_id();
	/* Stopper callbacks run in the stopper (migration/N), with preemption disabled. */
	if (preempt_count() == 0 || strncmp(current->comm, "migration/", 10) != 0)
		return -1;
	return 42;
}

int ctest_sched_stop_machine(void)
{
	unsigned int cpu;
	int where = -1;

	for_each_online_cpu(cpu) {
		CHECK(stop_one_cpu(cpu, stop_fn, &where) == 42);
		CHECK(where == (int)cpu);
	}
	where = -1;
	CHECK(stop_machine(stop_fn, &where, NULL) == 42);
	CHECK(where == (int)cpumask_first(cpu_online_mask));
	where = -1;
	CHECK(stop_machine(stop_fn, &where, cpumask_of(0)) == 42 && where == 0);

	cpus_read_lock();
	lockdep_assert_cpus_held();
	CHECK(num_online_cpus() >= 1);
	cpus_read_unlock();
	CHECK(cpus_read_trylock() == 1);
	cpus_read_unlock();
	return 0;
}

/* remove_cpu()/add_cpu(): the live online mask follows. Needs 2 vCPUs; runs on vCPU 0. */
int ctest_sched_hotplug(void)
{
	unsigned int online = num_online_cpus();
	int ret;

	CHECK(remove_cpu(0) == -EBUSY);
	CHECK(remove_cpu(nr_cpu_ids) == -EINVAL);
	CHECK(remove_cpu(1) == 0);
	CHECK(!cpu_online(1) && cpu_possible(1));
	CHECK(num_online_cpus() == online - 1);
	CHECK(cpumask_weight(cpu_online_mask) == online - 1);
	ret = ctest_sched_cpus();
	CHECK(add_cpu(1) == 0);
	CHECK(cpu_online(1) && num_online_cpus() == online);
	return ret;
}
