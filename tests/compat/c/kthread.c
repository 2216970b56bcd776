// SPDX-License-Identifier: MIT
/*
 * Kernel-style C against <linux/kthread.h>: creation with printf-style names, the
 * kthread_should_stop() loop, kthread_stop() results (-EINTR for a thread never woken),
 * park/unpark, kthread_complete_and_exit(), binding, and kthread workers (static and
 * dynamic). Driven by tests/compat/kthread_test.cc. Entry points return 0 on success, else
 * the failing line (or the value the test documents).
 */
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/err.h>
#include <linux/freezer.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/smp.h>
#include <linux/smpboot.h>
#include <linux/sprintf.h>
#include <linux/string.h>
#include <linux/wait.h>

/* Thread functions that end with kthread_complete_and_exit() need no return statement. */
#pragma GCC diagnostic error "-Wreturn-type"

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			pr_err("ctest kthread: %s:%d: %s\n", __func__, __LINE__, #cond); \
			return __LINE__;                                        \
		}                                                               \
	} while (0)

struct kt_state {
	struct completion started;
	int ran;
	int loops;
	const void *mm;
	unsigned int flags;
	int cpu;
	int nr_cpus_allowed;
	int saw_stop;
	int saw_sigpending;
	int ret;
};

static struct kt_state st;
static struct task_struct *last_task;

struct task_struct *ctest_kthread_last(void)
{
	return last_task;
}

int ctest_kthread_ran(void)
{
	return READ_ONCE(st.ran);
}

static void record_start(struct kt_state *s)
{
	WRITE_ONCE(s->ran, s->ran + 1);
	s->mm = current->mm;
	s->flags = current->flags;
	s->cpu = smp_processor_id();
	s->nr_cpus_allowed = current->nr_cpus_allowed;
	s->saw_stop = kthread_should_stop();
	complete(&s->started);
}

/* The classic loop: until kthread_should_stop(), parking when asked, sleeping in between. */
int ctest_kthread_loop(void *data)
{
	struct kt_state *s = data;

	record_start(s);
	while (!kthread_should_stop()) {
		if (kthread_should_park())
			kthread_parkme();
		s->loops++;
		schedule_timeout_interruptible(HZ);
	}
	s->saw_sigpending = signal_pending(current);
	return s->ret;
}

static void reset(int ret)
{
	memset(&st, 0, sizeof(st));
	init_completion(&st.started);
	st.ret = ret;
	last_task = NULL;
}

/* kthread_run() with a formatted name longer than comm; waits until threadfn started. */
int ctest_kthread_run_start(void)
{
	struct task_struct *t;

	reset(1234);
	t = kthread_run(ctest_kthread_loop, &st, "ckt/%d-%s", 7, "abcdefghijklmnop");
	CHECK(!IS_ERR_OR_NULL(t));
	last_task = t;
	wait_for_completion(&st.started);
	CHECK(st.ran == 1 && !st.saw_stop);
	CHECK(st.mm == NULL && t->mm == NULL);
	CHECK((st.flags & PF_KTHREAD) && (t->flags & PF_KTHREAD));
	CHECK(strcmp(t->comm, "ckt/7-abcdefghi") == 0);
	CHECK(kthread_func(t) == (void *)ctest_kthread_loop);
	CHECK(kthread_data(t) == &st && kthread_probe_data(t) == &st);
	CHECK(t->real_parent && t->real_parent->pid == 2);
	return 0;
}

int ctest_kthread_park_last(void)
{
	return kthread_park(last_task);
}

int ctest_kthread_unpark_last(void)
{
	kthread_unpark(last_task);
	return 0;
}

int ctest_kthread_stop_last(void)
{
	int ret = kthread_stop(last_task);

	last_task = NULL;
	return ret;
}

/* A thread created, never woken: it sleeps in D until kthread_stop(), which returns -EINTR. */
int ctest_kthread_create_unwoken(void)
{
	struct task_struct *t;

	reset(5);
	t = kthread_create(ctest_kthread_loop, &st, "cnever%s", "woken");
	CHECK(!IS_ERR_OR_NULL(t));
	CHECK(strcmp(t->comm, "cneverwoken") == 0);
	last_task = t;
	return 0;
}

/* ---- kthread_complete_and_exit() and kthread_exit() -------------------------------------- */

static DECLARE_COMPLETION(exit_done);
static int after_exit;

static int exit_fn(void *data)
{
	long code = (long)data;

	kthread_complete_and_exit(&exit_done, code);
	WRITE_ONCE(after_exit, 1); /* never reached */
}

static int old_exit_fn(void *data)
{
	complete_and_exit(&exit_done, (long)data);
}

static int exit_only_fn(void *data)
{
	complete(&exit_done);
	kthread_exit((long)data);
}

int ctest_kthread_complete_and_exit(void)
{
	struct task_struct *t;

	reinit_completion(&exit_done);
	WRITE_ONCE(after_exit, 0);
	t = kthread_run(exit_fn, (void *)77L, "cexit");
	CHECK(!IS_ERR(t));
	/* It exits by itself: pin it so kthread_stop() can still ask for its result. */
	get_task_struct(t);
	wait_for_completion(&exit_done);
	CHECK(kthread_stop_put(t) == 77);
	CHECK(READ_ONCE(after_exit) == 0);

	reinit_completion(&exit_done);
	t = kthread_run(old_exit_fn, (void *)-5L, "cexit_old");
	CHECK(!IS_ERR(t));
	get_task_struct(t);
	wait_for_completion(&exit_done);
	CHECK(kthread_stop_put(t) == -5);

	reinit_completion(&exit_done);
	t = kthread_run(exit_only_fn, (void *)55L, "cexit_only");
	CHECK(!IS_ERR(t));
	get_task_struct(t);
	wait_for_completion(&exit_done);
	CHECK(kthread_stop(t) == 55);
	put_task_struct(t);
	CHECK(READ_ONCE(after_exit) == 0);
	return 0;
}

/* ---- binding ------------------------------------------------------------------------------ */

/* kthread_create_on_cpu(), kthread_run_on_cpu(), kthread_bind(): needs 2 vCPUs. */
int ctest_kthread_on_cpu(void)
{
	struct task_struct *t;

	reset(11);
	t = kthread_create_on_cpu(ctest_kthread_loop, &st, 1, "cbound/%u");
	CHECK(!IS_ERR(t));
	CHECK(strcmp(t->comm, "cbound/1") == 0);
	CHECK(t->flags & PF_NO_SETAFFINITY);
	wake_up_process(t);
	wait_for_completion(&st.started);
	CHECK(st.cpu == 1 && st.nr_cpus_allowed == 1);
	CHECK(cpumask_weight(t->cpus_ptr) == 1 && cpumask_test_cpu(1, t->cpus_ptr));
	CHECK(kthread_stop(t) == 11);

	reset(12);
	t = kthread_run_on_cpu(ctest_kthread_loop, &st, 0, "crun_on/%u");
	CHECK(!IS_ERR(t));
	wait_for_completion(&st.started);
	CHECK(st.cpu == 0 && strcmp(t->comm, "crun_on/0") == 0);
	CHECK(kthread_stop(t) == 12);

	reset(13);
	t = kthread_create(ctest_kthread_loop, &st, "cbind");
	CHECK(!IS_ERR(t));
	kthread_bind(t, 1);
	wake_up_process(t);
	wait_for_completion(&st.started);
	CHECK(st.cpu == 1 && (st.flags & PF_NO_SETAFFINITY));
	CHECK(kthread_stop(t) == 13);

	reset(14);
	t = kthread_create(ctest_kthread_loop, &st, "cbindmask");
	CHECK(!IS_ERR(t));
	kthread_bind_mask(t, cpumask_of(1));
	wake_up_process(t);
	wait_for_completion(&st.started);
	CHECK(st.cpu == 1);
	CHECK(kthread_stop(t) == 14);
	return 0;
}

/* ---- kthread_stop() ends an interruptible wait ----------------------------------------- */

static DECLARE_WAIT_QUEUE_HEAD(never_wq);
static int never;

static int waiting_fn(void *data)
{
	struct kt_state *s = data;

	record_start(s);
	return wait_event_interruptible(never_wq, READ_ONCE(never));
}

int ctest_kthread_stop_interrupts_wait(void)
{
	struct task_struct *t;

	reset(0);
	t = kthread_run(waiting_fn, &st, "cwaiter");
	CHECK(!IS_ERR(t));
	wait_for_completion(&st.started);
	CHECK(kthread_stop(t) == -ERESTARTSYS);
	CHECK(!waitqueue_active(&never_wq));
	return 0;
}

/* ---- kthread_worker ------------------------------------------------------------------------- */

struct work_log {
	int runs;
	struct task_struct *ran_in;
	struct completion done;
};

static struct work_log log1, log2, log3;

static void work_fn1(struct kthread_work *work)
{
	(void)work;
	log1.runs++;
	log1.ran_in = current;
}

static void work_fn2(struct kthread_work *work)
{
	(void)work;
	log2.runs++;
	log2.ran_in = current;
}

static void work_fn3(struct kthread_work *work)
{
	struct kthread_delayed_work *dwork = container_of(work, struct kthread_delayed_work, work);

	(void)dwork;
	log3.runs++;
	log3.ran_in = current;
	complete(&log3.done);
}

/* Statics as modules declare them; re-armed from pristine copies before each run. */
static DEFINE_KTHREAD_WORKER(s_worker);
static DEFINE_KTHREAD_WORK(s_work, work_fn2);
static DEFINE_KTHREAD_DELAYED_WORK(s_dwork, work_fn3);
static const struct kthread_worker s_worker_init = KTHREAD_WORKER_INIT(s_worker);
static const struct kthread_work s_work_init = KTHREAD_WORK_INIT(s_work, work_fn2);
static const struct kthread_delayed_work s_dwork_init = KTHREAD_DELAYED_WORK_INIT(s_dwork, work_fn3);

/* Never used: for the byte comparison with ktl's constructors. */
static DEFINE_KTHREAD_WORKER(pristine_worker);
static DEFINE_KTHREAD_WORK(pristine_work, work_fn1);
static DEFINE_KTHREAD_DELAYED_WORK(pristine_dwork, work_fn1);

void *ctest_kthread_pristine_worker(void)
{
	return &pristine_worker;
}

void *ctest_kthread_pristine_work(void)
{
	return &pristine_work;
}

void *ctest_kthread_pristine_dwork(void)
{
	return &pristine_dwork;
}

void *ctest_kthread_work_fn1(void)
{
	return (void *)work_fn1;
}

static void reset_logs(void)
{
	memset(&log1, 0, sizeof(log1));
	memset(&log2, 0, sizeof(log2));
	memset(&log3, 0, sizeof(log3));
	init_completion(&log3.done);
	memcpy(&s_worker, &s_worker_init, sizeof(s_worker));
	memcpy(&s_work, &s_work_init, sizeof(s_work));
	memcpy(&s_dwork, &s_dwork_init, sizeof(s_dwork));
}

int ctest_kthread_worker(void)
{
	struct kthread_worker *w;
	struct kthread_work work;
	struct kthread_delayed_work dwork;
	struct task_struct *t;
	unsigned long start;

	reset_logs();
	w = kthread_create_worker(0, "cworker/%d", 3);
	CHECK(!IS_ERR_OR_NULL(w));
	CHECK(w->task && strcmp(w->task->comm, "cworker/3") == 0);
	CHECK(w->flags == 0);

	kthread_init_work(&work, work_fn1);
	/* Queueing wakes the (6.14+: not yet woken) worker thread. */
	CHECK(kthread_queue_work(w, &work));
	kthread_flush_work(&work);
	CHECK(log1.runs == 1 && log1.ran_in == w->task);

	CHECK(kthread_queue_work(w, &s_work));
	kthread_flush_worker(w);
	CHECK(log2.runs == 1 && log2.ran_in == w->task);

	/* A statically defined delayed item, queued with a delay. */
	start = jiffies;
	CHECK(kthread_queue_delayed_work(w, &s_dwork, 25));
	CHECK(!kthread_queue_delayed_work(w, &s_dwork, 25));
	CHECK(wait_for_completion_timeout(&log3.done, 100 * HZ) > 0);
	CHECK(time_after_eq(jiffies, start + 25));
	CHECK(log3.runs == 1 && log3.ran_in == w->task);
	/* mod of an idle item queues it: false. */
	CHECK(!kthread_mod_delayed_work(w, &s_dwork, 0));
	CHECK(wait_for_completion_timeout(&log3.done, 100 * HZ) > 0);
	CHECK(log3.runs == 2);

	/* A far-away delayed item is cancelled: true once, then false. */
	kthread_init_delayed_work(&dwork, work_fn3);
	CHECK(kthread_queue_delayed_work(w, &dwork, 1000 * HZ));
	CHECK(kthread_mod_delayed_work(w, &dwork, 2000 * HZ));
	CHECK(kthread_cancel_delayed_work_sync(&dwork));
	CHECK(!kthread_cancel_delayed_work_sync(&dwork));
	CHECK(!kthread_cancel_work_sync(&work));
	CHECK(log3.runs == 2);

	kthread_flush_worker(w);
	kthread_destroy_worker(w);

	/* A static worker run with kthread_run(kthread_worker_fn, ...). */
	t = kthread_run(kthread_worker_fn, &s_worker, "cstatic_worker");
	CHECK(!IS_ERR(t));
	kthread_init_work(&work, work_fn1);
	CHECK(kthread_queue_work(&s_worker, &work));
	kthread_flush_work(&work);
	CHECK(log1.runs == 2 && log1.ran_in == t);
	CHECK(kthread_stop(t) == 0);
	CHECK(s_worker.task == NULL);

	/* kthread_create_worker_on_cpu(): bound, named after its vCPU. */
	w = kthread_create_worker_on_cpu(0, 0, "cwcpu/%d");
	CHECK(!IS_ERR_OR_NULL(w));
	CHECK(strcmp(w->task->comm, "cwcpu/0") == 0);
	kthread_init_work(&work, work_fn1);
	CHECK(kthread_queue_work(w, &work));
	kthread_flush_work(&work);
	CHECK(log1.runs == 3 && log1.ran_in == w->task && task_cpu(w->task) == 0);
	kthread_destroy_worker(w);

	/* kthread_run_worker(): woken at once; queue from it, destroy. */
	w = kthread_run_worker(0, "crun_worker");
	CHECK(!IS_ERR_OR_NULL(w));
	kthread_init_work(&work, work_fn1);
	CHECK(kthread_queue_work(w, &work));
	kthread_flush_work(&work);
	CHECK(log1.runs == 4 && log1.ran_in == w->task);
	kthread_destroy_worker(w);
	return 0;
}

/* ---- smpboot: per-CPU hotplug threads ---------------------------------------------------- */

/* The per-CPU variable smpboot writes each vCPU's thread to, as Linux subsystems declare it. */
static DEFINE_PER_CPU(struct task_struct *, csmp_task);
static int csmp_pending[NR_CPUS];
static int csmp_ran[NR_CPUS];
static int csmp_wrong_cpu;
static int csmp_setups;
static int csmp_cleanups;
static DECLARE_WAIT_QUEUE_HEAD(csmp_wq);

static int csmp_should_run(unsigned int cpu)
{
	return __atomic_load_n(&csmp_pending[cpu], __ATOMIC_ACQUIRE);
}

static void csmp_fn(unsigned int cpu)
{
	if (smp_processor_id() != (int)cpu || strncmp(current->comm, "csmp/", 5) != 0)
		__atomic_fetch_add(&csmp_wrong_cpu, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&csmp_pending[cpu], 0, __ATOMIC_RELAXED);
	__atomic_fetch_add(&csmp_ran[cpu], 1, __ATOMIC_RELEASE);
	wake_up(&csmp_wq);
}

static void csmp_setup(unsigned int cpu)
{
	(void)cpu;
	__atomic_fetch_add(&csmp_setups, 1, __ATOMIC_RELAXED);
}

static void csmp_cleanup(unsigned int cpu, bool online)
{
	(void)cpu;
	(void)online;
	__atomic_fetch_add(&csmp_cleanups, 1, __ATOMIC_RELAXED);
}

static struct smp_hotplug_thread csmp_threads = {
	.store = &csmp_task,
	.thread_should_run = csmp_should_run,
	.thread_fn = csmp_fn,
	.setup = csmp_setup,
	.cleanup = csmp_cleanup,
	.thread_comm = "csmp/%u",
};

int ctest_kthread_smpboot(void)
{
	unsigned int cpu, online;
	char name[TASK_COMM_LEN];

	for_each_possible_cpu(cpu)
		per_cpu(csmp_task, cpu) = NULL;
	memset(csmp_pending, 0, sizeof(csmp_pending));
	memset(csmp_ran, 0, sizeof(csmp_ran));
	csmp_wrong_cpu = csmp_setups = csmp_cleanups = 0;

	cpus_read_lock();
	online = num_online_cpus();
	cpus_read_unlock();
	CHECK(smpboot_register_percpu_thread(&csmp_threads) == 0);
	for_each_online_cpu(cpu) {
		struct task_struct *t = READ_ONCE(per_cpu(csmp_task, cpu));

		CHECK(t != NULL);
		snprintf(name, sizeof(name), "csmp/%u", cpu);
		CHECK(strcmp(t->comm, name) == 0);
		CHECK(kthread_is_per_cpu(t) && cpumask_weight(t->cpus_ptr) == 1 &&
		      cpumask_test_cpu((int)cpu, t->cpus_ptr));
		__atomic_store_n(&csmp_pending[cpu], 1, __ATOMIC_RELEASE);
		wake_up_process(t);
		CHECK(wait_event_timeout(csmp_wq, __atomic_load_n(&csmp_ran[cpu], __ATOMIC_ACQUIRE) == 1,
					 100 * HZ) > 0);
	}
	smpboot_unregister_percpu_thread(&csmp_threads);
	CHECK(READ_ONCE(csmp_wrong_cpu) == 0);
	CHECK(READ_ONCE(csmp_setups) == (int)online && READ_ONCE(csmp_cleanups) == (int)online);
	return 0;
}

/* ---- the freezer: ktl never freezes, but set_freezable() marks the thread ------------------- */

static int freezer_fn(void *data)
{
	struct kt_state *s = data;
	bool was_frozen = true;

	s->flags = current->flags;
	s->ret = 0;
	if (set_freezable())
		s->ret = __LINE__;
	else if (current->flags & PF_NOFREEZE)
		s->ret = __LINE__;
	else if (freezing(current) || frozen(current) || try_to_freeze())
		s->ret = __LINE__;
	else if (kthread_freezable_should_stop(&was_frozen) || was_frozen)
		s->ret = __LINE__;
	complete(&s->started);
	while (!kthread_freezable_should_stop(NULL))
		schedule_timeout_interruptible(HZ);
	return s->ret;
}

int ctest_kthread_freezer(void)
{
	struct task_struct *t;

	reset(-1);
	t = kthread_run(freezer_fn, &st, "cfreezable");
	CHECK(!IS_ERR(t));
	wait_for_completion(&st.started);
	/* Every kthread starts non-freezable (PF_NOFREEZE, inherited from kthreadd). */
	CHECK(st.flags & PF_NOFREEZE);
	CHECK(!(t->flags & PF_NOFREEZE));
	return kthread_stop(t);
}
