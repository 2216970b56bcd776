// SPDX-License-Identifier: MIT
/*
 * Kernel-style C against <linux/spinlock.h>, <linux/rwlock.h>, <linux/mutex.h> and
 * <linux/ww_mutex.h>: workers that hammer a lock from several tasks and count violations
 * of mutual exclusion, the irq/bh/preempt state the lock forms leave, and the wound-wait /
 * wait-die protocols. Driven by tests/compat/locking_test.cc. Each entry returns 0 on
 * success, else the line that failed (results are read back with the *_result entries).
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/errno.h>
#include <linux/irqflags.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/prandom.h>
#include <linux/rwlock.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/ww_mutex.h>

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			pr_err("ctest locking: %s:%d: %s\n", __func__, __LINE__, #cond); \
			return __LINE__;                                        \
		}                                                               \
	} while (0)

/* ---- static objects, for the C++ side's layout checks -------------------------------- */

static DEFINE_SPINLOCK(static_spin);
static DEFINE_RAW_SPINLOCK(static_raw);
static DEFINE_RWLOCK(static_rw);
static DEFINE_MUTEX(static_mutex);

void *ctest_locking_static_spin(void) { return &static_spin; }
void *ctest_locking_static_raw(void) { return &static_raw; }
void *ctest_locking_static_rw(void) { return &static_rw; }
void *ctest_locking_static_mutex(void) { return &static_mutex; }

/* ---- spinlock_t ------------------------------------------------------------------------- */

static DEFINE_SPINLOCK(spin);
static DEFINE_RAW_SPINLOCK(raw);
static long spin_counter;
static int spin_in_cs;
static atomic_t spin_violations = ATOMIC_INIT(0);

void ctest_locking_spin_reset(void)
{
	spin_counter = 0;
	WRITE_ONCE(spin_in_cs, 0);
	atomic_set(&spin_violations, 0);
}

/* The critical section: a read-modify-write with a scheduling point in the middle. */
static void spin_critical(void)
{
	long tmp;

	if (READ_ONCE(spin_in_cs))
		atomic_inc(&spin_violations);
	WRITE_ONCE(spin_in_cs, 1);
	tmp = spin_counter;
	cpu_relax();
	spin_counter = tmp + 1;
	WRITE_ONCE(spin_in_cs, 0);
}

/* @mode: 0 spin_lock, 1 _irqsave, 2 _irq, 3 _bh, 4 spin_trylock, 5 raw_spin_lock. */
int ctest_locking_spin_worker(int iters, int mode)
{
	unsigned long flags;
	int i;

	for (i = 0; i < iters; i++) {
		switch (mode) {
		case 0:
			spin_lock(&spin);
			CHECK(preempt_count() != 0 && spin_is_locked(&spin));
			spin_critical();
			spin_unlock(&spin);
			break;
		case 1:
			spin_lock_irqsave(&spin, flags);
			CHECK(irqs_disabled() && preempt_count() != 0);
			spin_critical();
			spin_unlock_irqrestore(&spin, flags);
			CHECK(!irqs_disabled());
			break;
		case 2:
			spin_lock_irq(&spin);
			CHECK(irqs_disabled());
			spin_critical();
			spin_unlock_irq(&spin);
			break;
		case 3:
			spin_lock_bh(&spin);
			CHECK(preempt_count() & SOFTIRQ_MASK);
			spin_critical();
			spin_unlock_bh(&spin);
			break;
		case 4:
			while (!spin_trylock(&spin))
				cpu_relax();
			spin_critical();
			spin_unlock(&spin);
			break;
		case 5:
			raw_spin_lock(&raw);
			spin_critical();
			raw_spin_unlock(&raw);
			break;
		}
		CHECK(preempt_count() == 0);
		if (i % 64 == 63)
			cond_resched();
	}
	return 0;
}

/* The counter, or -1 - the number of mutual-exclusion violations seen. */
long ctest_locking_spin_result(void)
{
	int v = atomic_read(&spin_violations);

	return v ? -1 - v : spin_counter;
}

/* The irq/preempt state each lock form leaves, and its undoing, nested. */
int ctest_locking_irqsave(void)
{
	DEFINE_SPINLOCK(a);
	DEFINE_SPINLOCK(b);
	DEFINE_RWLOCK(rw);
	unsigned long fa, fb, fr;
	int base = preempt_count();

	CHECK(!irqs_disabled());
	spin_lock_irqsave(&a, fa);
	CHECK(irqs_disabled() && preempt_count() == base + 1);
	spin_lock_irqsave(&b, fb);
	CHECK(irqs_disabled() && preempt_count() == base + 2);
	CHECK(!spin_trylock(&b) && preempt_count() == base + 2);
	spin_unlock_irqrestore(&b, fb);
	CHECK(irqs_disabled() && preempt_count() == base + 1);
	spin_unlock_irqrestore(&a, fa);
	CHECK(!irqs_disabled() && preempt_count() == base);

	read_lock_irqsave(&rw, fr);
	CHECK(irqs_disabled() && preempt_count() == base + 1);
	CHECK(read_trylock(&rw));
	CHECK(!write_trylock(&rw));
	read_unlock(&rw);
	read_unlock_irqrestore(&rw, fr);
	CHECK(!irqs_disabled() && preempt_count() == base);
	write_lock_irqsave(&rw, fr);
	CHECK(irqs_disabled() && !read_trylock(&rw) && !write_trylock(&rw));
	write_unlock_irqrestore(&rw, fr);
	CHECK(!irqs_disabled() && preempt_count() == base);
	CHECK(write_trylock(&rw));
	write_unlock(&rw);

	/* local_irq_save around a plain lock, restored by the lock's irqrestore. */
	local_irq_save(fa);
	spin_lock(&a);
	spin_unlock_irqrestore(&a, fa);
	CHECK(!irqs_disabled());

	spin_lock_bh(&a);
	CHECK((preempt_count() & SOFTIRQ_MASK) != 0);
	spin_unlock_bh(&a);
	CHECK(preempt_count() == base);
	CHECK(spin_trylock_irqsave(&a, fa));
	CHECK(irqs_disabled());
	spin_unlock_irqrestore(&a, fa);
	CHECK(!irqs_disabled() && !spin_is_locked(&a));
	return 0;
}

/* ---- rwlock_t ----------------------------------------------------------------------------- */

static DEFINE_RWLOCK(rw);
static long rw_counter;
static int rw_writer_in;
static atomic_t rw_readers = ATOMIC_INIT(0);
static atomic_t rw_max_readers = ATOMIC_INIT(0);
static atomic_t rw_violations = ATOMIC_INIT(0);

void ctest_locking_rw_reset(void)
{
	rw_counter = 0;
	WRITE_ONCE(rw_writer_in, 0);
	atomic_set(&rw_readers, 0);
	atomic_set(&rw_max_readers, 0);
	atomic_set(&rw_violations, 0);
}

/* @mode: 0 plain, 1 _irqsave, 2 _bh. */
int ctest_locking_rw_reader(int iters, int mode)
{
	unsigned long flags = 0;
	int i, n, m;

	for (i = 0; i < iters; i++) {
		if (mode == 1)
			read_lock_irqsave(&rw, flags);
		else if (mode == 2)
			read_lock_bh(&rw);
		else
			read_lock(&rw);
		n = atomic_inc_return(&rw_readers);
		m = atomic_read(&rw_max_readers);
		while (n > m && !atomic_try_cmpxchg(&rw_max_readers, &m, n))
			;
		if (READ_ONCE(rw_writer_in))
			atomic_inc(&rw_violations);
		cpu_relax();
		atomic_dec(&rw_readers);
		if (mode == 1)
			read_unlock_irqrestore(&rw, flags);
		else if (mode == 2)
			read_unlock_bh(&rw);
		else
			read_unlock(&rw);
		CHECK(preempt_count() == 0 && !irqs_disabled());
		if (i % 32 == 31)
			cond_resched();
	}
	return 0;
}

int ctest_locking_rw_writer(int iters, int mode)
{
	unsigned long flags = 0;
	long tmp;
	int i;

	for (i = 0; i < iters; i++) {
		if (mode == 1)
			write_lock_irqsave(&rw, flags);
		else if (mode == 2)
			write_lock_bh(&rw);
		else
			write_lock(&rw);
		if (atomic_read(&rw_readers) || READ_ONCE(rw_writer_in))
			atomic_inc(&rw_violations);
		WRITE_ONCE(rw_writer_in, 1);
		tmp = rw_counter;
		cpu_relax();
		rw_counter = tmp + 1;
		WRITE_ONCE(rw_writer_in, 0);
		if (mode == 1)
			write_unlock_irqrestore(&rw, flags);
		else if (mode == 2)
			write_unlock_bh(&rw);
		else
			write_unlock(&rw);
		CHECK(preempt_count() == 0 && !irqs_disabled());
		if (i % 16 == 15)
			cond_resched();
	}
	return 0;
}

long ctest_locking_rw_result(void)
{
	int v = atomic_read(&rw_violations);

	return v ? -1 - v : rw_counter;
}

int ctest_locking_rw_max_readers(void)
{
	return atomic_read(&rw_max_readers);
}

/* Two readers, each holding the lock until it has seen the other inside too. */
static DEFINE_RWLOCK(pair_rw);
static atomic_t pair_in = ATOMIC_INIT(0);

void ctest_locking_rw_pair_reset(void)
{
	rwlock_init(&pair_rw);
	atomic_set(&pair_in, 0);
}

int ctest_locking_rw_pair_reader(void)
{
	unsigned long deadline = jiffies + 5 * HZ;
	int ok;

	read_lock(&pair_rw);
	atomic_inc(&pair_in);
	while (atomic_read(&pair_in) < 2 && time_before(jiffies, deadline))
		cpu_relax();
	ok = atomic_read(&pair_in) >= 2;
	read_unlock(&pair_rw);
	CHECK(ok);
	return 0;
}

/* A waiting writer holds off new readers in task context (no writer starvation). */
static DEFINE_RWLOCK(pref_rw);
static atomic_t pref_reader_in = ATOMIC_INIT(0);
static atomic_t pref_writer_done = ATOMIC_INIT(0);

void ctest_locking_rw_pref_reset(void)
{
	rwlock_init(&pref_rw);
	atomic_set(&pref_reader_in, 0);
	atomic_set(&pref_writer_done, 0);
}

int ctest_locking_rw_pref_reader(void)
{
	unsigned long deadline = jiffies + 5 * HZ;
	int waiting, refused, early;

	read_lock(&pref_rw);
	atomic_set(&pref_reader_in, 1);
	while (!(READ_ONCE(pref_rw.cnts) & 0x100) && time_before(jiffies, deadline))
		cpu_relax();
	waiting = (READ_ONCE(pref_rw.cnts) & 0x100) != 0;
	refused = !read_trylock(&pref_rw);
	if (!refused)
		read_unlock(&pref_rw);
	early = atomic_read(&pref_writer_done);
	read_unlock(&pref_rw);
	CHECK(!early);
	CHECK(waiting);
	CHECK(refused);
	return 0;
}

int ctest_locking_rw_pref_writer(void)
{
	unsigned long deadline = jiffies + 5 * HZ;

	while (!atomic_read(&pref_reader_in) && time_before(jiffies, deadline))
		cpu_relax();
	CHECK(atomic_read(&pref_reader_in));
	write_lock(&pref_rw);
	atomic_set(&pref_writer_done, 1);
	write_unlock(&pref_rw);
	return 0;
}

/* ---- struct mutex ------------------------------------------------------------------------- */

static DEFINE_MUTEX(mtx);
static long mutex_counter;
static int mutex_in_cs;
static atomic_t mutex_violations = ATOMIC_INIT(0);

void ctest_locking_mutex_reset(void)
{
	mutex_counter = 0;
	WRITE_ONCE(mutex_in_cs, 0);
	atomic_set(&mutex_violations, 0);
}

/* Sleeps (cond_resched) inside the critical section: other tasks of the vCPU contend. */
int ctest_locking_mutex_worker(int iters)
{
	long tmp;
	int i;

	for (i = 0; i < iters; i++) {
		if (i & 1)
			mutex_lock(&mtx);
		else
			CHECK(mutex_lock_interruptible(&mtx) == 0);
		CHECK(mutex_is_locked(&mtx));
		if (READ_ONCE(mutex_in_cs))
			atomic_inc(&mutex_violations);
		WRITE_ONCE(mutex_in_cs, 1);
		tmp = mutex_counter;
		cond_resched();
		mutex_counter = tmp + 1;
		WRITE_ONCE(mutex_in_cs, 0);
		mutex_unlock(&mtx);
	}
	return 0;
}

long ctest_locking_mutex_result(void)
{
	int v = atomic_read(&mutex_violations);

	return v ? -1 - v : mutex_counter;
}

int ctest_locking_mutex_basics(void)
{
	struct mutex *m = kmalloc(sizeof(*m), GFP_KERNEL);
	atomic_t cnt = ATOMIC_INIT(2);

	CHECK(m);
	mutex_init(m);
	CHECK(!mutex_is_locked(m));
	CHECK(mutex_trylock(m) == 1);
	CHECK(mutex_is_locked(m));
	CHECK(mutex_trylock(m) == 0);
	mutex_unlock(m);
	CHECK(mutex_lock_killable(m) == 0);
	mutex_unlock(m);
	CHECK(!atomic_dec_and_mutex_lock(&cnt, m) && !mutex_is_locked(m));
	CHECK(atomic_dec_and_mutex_lock(&cnt, m) && mutex_is_locked(m));
	mutex_unlock(m);
	mutex_destroy(m);
	kfree(m);

	CHECK(!mutex_is_locked(&static_mutex));
	mutex_lock(&static_mutex);
	CHECK(mutex_is_locked(&static_mutex));
	mutex_unlock(&static_mutex);
	spin_lock(&static_spin);
	spin_unlock(&static_spin);
	raw_spin_lock(&static_raw);
	raw_spin_unlock(&static_raw);
	write_lock(&static_rw);
	write_unlock(&static_rw);
	return 0;
}

/* ---- ww_mutex ------------------------------------------------------------------------------ */

static DEFINE_WW_CLASS(ctest_ww_class);
static DEFINE_WD_CLASS(ctest_wd_class);
static DEFINE_WW_MUTEX(static_ww, ctest_ww_class);

#define NLOCKS 8
static struct ww_mutex locks[2][NLOCKS];
static long lock_counts[2][NLOCKS];
static int lock_owner[2][NLOCKS];
static atomic_t ww_backoffs = ATOMIC_INIT(0);
static atomic_t ww_violations = ATOMIC_INIT(0);

static struct ww_class *class_of(int cls)
{
	return cls ? &ctest_wd_class : &ctest_ww_class;
}

void ctest_locking_ww_reset(void)
{
	int c, i;

	for (c = 0; c < 2; c++) {
		for (i = 0; i < NLOCKS; i++) {
			ww_mutex_init(&locks[c][i], class_of(c));
			lock_counts[c][i] = 0;
			lock_owner[c][i] = 0;
		}
	}
	atomic_set(&ww_backoffs, 0);
	atomic_set(&ww_violations, 0);
}

struct ww_entry {
	struct ww_mutex *lock;
	int index;
	struct list_head head;
};

/*
 * Locks every entry of @list in @ctx, backing off on -EDEADLK as
 * Documentation/locking/ww-mutex-design.rst shows: unlock what is held (walking back from
 * the contended entry), wait for the contended lock with ww_mutex_lock_slow(), retry.
 */
static int lock_all(struct list_head *list, struct ww_acquire_ctx *ctx)
{
	struct ww_entry *entry, *contended = NULL;
	struct ww_mutex *slow_held = NULL;
	int ret;

retry:
	list_for_each_entry(entry, list, head) {
		if (entry->lock == slow_held) {
			slow_held = NULL;
			continue;
		}
		ret = ww_mutex_lock(entry->lock, ctx);
		if (ret < 0) {
			contended = entry;
			goto err;
		}
	}
	ww_acquire_done(ctx);
	return 0;

err:
	list_for_each_entry_continue_reverse(entry, list, head) {
		if (entry->lock != slow_held)
			ww_mutex_unlock(entry->lock);
	}
	if (slow_held)
		ww_mutex_unlock(slow_held);
	if (ret == -EDEADLK) {
		atomic_inc(&ww_backoffs);
		ww_mutex_lock_slow(contended->lock, ctx);
		slow_held = contended->lock;
		goto retry;
	}
	return ret;
}

/*
 * @iters rounds of: take @take distinct locks of class @cls (0 wound-wait, 1 wait-die) in an
 * order drawn from @seed (or, with @order 1/2, locks 0 and 1 in ascending/descending order),
 * check nobody else holds any of them while we do, count, unlock.
 */
int ctest_locking_ww_worker(int cls, int take, int iters, u32 seed, int order, int id)
{
	struct ww_entry entries[NLOCKS];
	struct rnd_state rnd;
	struct ww_acquire_ctx ctx;
	struct ww_entry *e;
	int perm[NLOCKS];
	int i, j, k, ret;

	CHECK(take >= 1 && take <= NLOCKS);
	prandom_seed_state(&rnd, seed);
	for (i = 0; i < iters; i++) {
		LIST_HEAD(list);

		for (j = 0; j < NLOCKS; j++)
			perm[j] = j;
		if (order == 1) {
			perm[0] = 0;
			perm[1] = 1;
		} else if (order == 2) {
			perm[0] = 1;
			perm[1] = 0;
		} else {
			for (j = NLOCKS - 1; j > 0; j--) {
				k = (int)(prandom_u32_state(&rnd) % (u32)(j + 1));
				swap(perm[j], perm[k]);
			}
		}
		for (j = 0; j < take; j++) {
			entries[j].index = perm[j];
			entries[j].lock = &locks[cls][perm[j]];
			list_add_tail(&entries[j].head, &list);
		}
		ww_acquire_init(&ctx, class_of(cls));
		ret = lock_all(&list, &ctx);
		CHECK(ret == 0);
		CHECK(ctx.acquired == (unsigned int)take);
		list_for_each_entry(e, &list, head) {
			CHECK(ww_mutex_is_locked(e->lock) && e->lock->ctx == &ctx);
			if (READ_ONCE(lock_owner[cls][e->index]))
				atomic_inc(&ww_violations);
			WRITE_ONCE(lock_owner[cls][e->index], id);
		}
		cond_resched();
		list_for_each_entry(e, &list, head) {
			if (READ_ONCE(lock_owner[cls][e->index]) != id)
				atomic_inc(&ww_violations);
			WRITE_ONCE(lock_owner[cls][e->index], 0);
			lock_counts[cls][e->index]++;
		}
		list_for_each_entry(e, &list, head)
			ww_mutex_unlock(e->lock);
		CHECK(ctx.acquired == 0);
		ww_acquire_fini(&ctx);
	}
	return 0;
}

/* Total lock acquisitions counted, or -1 - violations. */
long ctest_locking_ww_result(int cls)
{
	int v = atomic_read(&ww_violations);
	long sum = 0;
	int i;

	if (v)
		return -1 - v;
	for (i = 0; i < NLOCKS; i++)
		sum += lock_counts[cls][i];
	return sum;
}

int ctest_locking_ww_backoffs(void)
{
	return atomic_read(&ww_backoffs);
}

/* -EALREADY on a relock in the same context; NULL context and trylock forms. */
int ctest_locking_ww_basics(void)
{
	struct ww_acquire_ctx ctx;
	struct ww_mutex m;

	ww_mutex_init(&m, &ctest_ww_class);
	ww_acquire_init(&ctx, &ctest_ww_class);
	CHECK(ww_mutex_lock(&m, &ctx) == 0);
	CHECK(ww_mutex_is_locked(&m) && m.ctx == &ctx && ctx.acquired == 1);
	CHECK(ww_mutex_lock(&m, &ctx) == -EALREADY);
	CHECK(ww_mutex_lock_interruptible(&m, &ctx) == -EALREADY);
	CHECK(ctx.acquired == 1);
	CHECK(!ww_mutex_trylock(&m, NULL));
	ww_mutex_unlock(&m);
	CHECK(!ww_mutex_is_locked(&m) && m.ctx == NULL && ctx.acquired == 0);
	CHECK(ww_mutex_trylock(&m, &ctx) == 1 && ctx.acquired == 1 && m.ctx == &ctx);
	ww_mutex_unlock(&m);
	ww_acquire_done(&ctx);
	ww_acquire_fini(&ctx);

	CHECK(ww_mutex_lock(&m, NULL) == 0 && m.ctx == NULL);
	ww_mutex_unlock(&m);
	CHECK(ww_mutex_trylock(&static_ww, NULL) == 1);
	ww_mutex_unlock(&static_ww);
	ww_mutex_destroy(&m);
	return 0;
}

/* Wait-die: a younger context that holds a lock dies at once on a lock an older one holds. */
int ctest_locking_wd_dies(void)
{
	struct ww_acquire_ctx old_ctx, young_ctx;
	struct ww_mutex a, b;

	ww_mutex_init(&a, &ctest_wd_class);
	ww_mutex_init(&b, &ctest_wd_class);
	ww_acquire_init(&old_ctx, &ctest_wd_class);
	ww_acquire_init(&young_ctx, &ctest_wd_class);
	CHECK((long)(old_ctx.stamp - young_ctx.stamp) < 0);
	CHECK(ww_mutex_lock(&a, &old_ctx) == 0);
	CHECK(ww_mutex_lock(&b, &young_ctx) == 0);
	CHECK(ww_mutex_lock(&a, &young_ctx) == -EDEADLK);
	CHECK(young_ctx.contending_lock == &a && young_ctx.acquired == 1);
	ww_mutex_unlock(&b);
	ww_mutex_unlock(&a);
	ww_mutex_lock_slow(&a, &young_ctx);
	CHECK(a.ctx == &young_ctx);
	CHECK(ww_mutex_lock(&b, &young_ctx) == 0);
	ww_mutex_unlock(&a);
	ww_mutex_unlock(&b);
	ww_acquire_fini(&young_ctx);
	ww_acquire_fini(&old_ctx);
	return 0;
}

/*
 * Two tasks: OLD holds A and then wants B; YOUNG (a later ticket) holds B and then wants A.
 * Whatever the class, YOUNG must back off (-EDEADLK) and OLD must get B without an error: in
 * a wound-wait class because OLD, waiting for B, wounds YOUNG (the test waits for the wound
 * before YOUNG asks for A), in a wait-die class because YOUNG dies asking for A.
 */
static struct ww_mutex cross_a, cross_b;
static DECLARE_COMPLETION(cross_old_ready);
static DECLARE_COMPLETION(cross_young_has_b);
static int cross_young_wounded;

void ctest_locking_cross_reset(int cls)
{
	ww_mutex_init(&cross_a, class_of(cls));
	ww_mutex_init(&cross_b, class_of(cls));
	reinit_completion(&cross_old_ready);
	reinit_completion(&cross_young_has_b);
	cross_young_wounded = 0;
}

int ctest_locking_cross_old(int cls)
{
	struct ww_acquire_ctx ctx;

	ww_acquire_init(&ctx, class_of(cls));
	CHECK(ww_mutex_lock(&cross_a, &ctx) == 0);
	complete(&cross_old_ready);
	wait_for_completion(&cross_young_has_b);
	CHECK(ww_mutex_lock(&cross_b, &ctx) == 0);
	ww_mutex_unlock(&cross_b);
	ww_mutex_unlock(&cross_a);
	ww_acquire_fini(&ctx);
	return 0;
}

int ctest_locking_cross_young(int cls)
{
	struct ww_acquire_ctx ctx;
	unsigned long deadline;

	wait_for_completion(&cross_old_ready);
	ww_acquire_init(&ctx, class_of(cls));
	CHECK(ww_mutex_lock(&cross_b, &ctx) == 0);
	complete(&cross_young_has_b);
	if (cls == 0) {
		/* Wound-wait: OLD blocks on B and wounds us. */
		deadline = jiffies + 5 * HZ;
		while (!READ_ONCE(ctx.wounded) && time_before(jiffies, deadline))
			schedule_timeout_uninterruptible(1);
		cross_young_wounded = READ_ONCE(ctx.wounded);
		CHECK(cross_young_wounded);
	}
	CHECK(ww_mutex_lock(&cross_a, &ctx) == -EDEADLK);
	ww_mutex_unlock(&cross_b);
	ww_mutex_lock_slow(&cross_a, &ctx);
	CHECK(ww_mutex_lock(&cross_b, &ctx) == 0);
	ww_mutex_unlock(&cross_a);
	ww_mutex_unlock(&cross_b);
	ww_acquire_fini(&ctx);
	return 0;
}

/*
 * Wound-wait lets a younger context wait for an older one that is not waiting itself:
 * OLD holds A until released; YOUNG holds B and asks for A: it sleeps, then gets A (0).
 * The same in a wait-die class returns -EDEADLK at once.
 */
static DECLARE_COMPLETION(hold_ready);
static DECLARE_COMPLETION(hold_release);

void ctest_locking_hold_reset(int cls)
{
	ctest_locking_cross_reset(cls);
	reinit_completion(&hold_ready);
	reinit_completion(&hold_release);
}

int ctest_locking_hold_old(int cls)
{
	struct ww_acquire_ctx ctx;

	ww_acquire_init(&ctx, class_of(cls));
	CHECK(ww_mutex_lock(&cross_a, &ctx) == 0);
	complete(&hold_ready);
	wait_for_completion(&hold_release);
	ww_mutex_unlock(&cross_a);
	ww_acquire_fini(&ctx);
	return 0;
}

void ctest_locking_hold_release(void)
{
	complete(&hold_release);
}

/* Returns what ww_mutex_lock(A) returned (as -errno), after cleaning up. */
int ctest_locking_hold_young(int cls)
{
	struct ww_acquire_ctx ctx;
	int ret;

	wait_for_completion(&hold_ready);
	ww_acquire_init(&ctx, class_of(cls));
	if (ww_mutex_lock(&cross_b, &ctx))
		return 1000;
	ret = ww_mutex_lock(&cross_a, &ctx);
	if (ret == 0)
		ww_mutex_unlock(&cross_a);
	ww_mutex_unlock(&cross_b);
	ww_acquire_fini(&ctx);
	return ret;
}
