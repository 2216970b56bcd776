/* SPDX-License-Identifier: MIT */
/*
 * linux/sched.h - tasks and the scheduler.
 *
 * struct task_struct here is a C view of ktl's C++ task_struct: it exposes, at ktl's real
 * offsets, the fields kernel code reads by name (current->pid, ->comm, ->mm, ->flags,
 * ->cpus_ptr, ->pending.signal, ->blocked ...), so `current->comm` works unchanged in C and
 * C++. Everything else is padding: sizeof(struct task_struct) means nothing, never allocate
 * or copy one. The fields are read-only for module code (the kernel owns them); read another
 * task's fields only while you hold a reference (get_task_struct) or otherwise know it lives.
 *
 * The task state (Linux's __state) is not a plain field in ktl: the same word carries the
 * "on a runqueue" bit of ktl's wake-up protocol. Use set_current_state(),
 * get_current_state(), task_is_running() and task_state_to_char() instead.
 *
 * Scheduling is cooperative (CONFIG_PREEMPT_NONE): a task runs until it blocks, calls
 * schedule(), yield() or cond_resched(). Classes: stop > SCHED_FIFO/SCHED_RR > SCHED_NORMAL/
 * SCHED_BATCH (nice-weighted) > SCHED_IDLE.
 *
 * A sleep entered from C code through schedule() or schedule_timeout*() is recorded as
 * blocked in the calling function (ps WCHAN, /proc/PID/wchan), as Linux reports it.
 */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include <asm/current.h>
#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/preempt.h>
#include <linux/signal_types.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <uapi/linux/sched/types.h>

/* task->__state bits. */
#define TASK_RUNNING 0x00000000
#define TASK_INTERRUPTIBLE 0x00000001
#define TASK_UNINTERRUPTIBLE 0x00000002
#define __TASK_STOPPED 0x00000004
#define __TASK_TRACED 0x00000008
#define EXIT_DEAD 0x00000010
#define EXIT_ZOMBIE 0x00000020
#define EXIT_TRACE (EXIT_ZOMBIE | EXIT_DEAD)
#define TASK_PARKED 0x00000040
#define TASK_DEAD 0x00000080
#define TASK_WAKEKILL 0x00000100
#define TASK_WAKING 0x00000200
#define TASK_NOLOAD 0x00000400
#define TASK_NEW 0x00000800
#define TASK_RTLOCK_WAIT 0x00001000
#define TASK_FREEZABLE 0x00002000
#define TASK_FROZEN 0x00008000
#define TASK_STATE_MAX 0x00010000

#define TASK_ANY (TASK_STATE_MAX - 1)
#define TASK_KILLABLE (TASK_WAKEKILL | TASK_UNINTERRUPTIBLE)
#define TASK_STOPPED (TASK_WAKEKILL | __TASK_STOPPED)
#define TASK_TRACED __TASK_TRACED
#define TASK_IDLE (TASK_UNINTERRUPTIBLE | TASK_NOLOAD)
#define TASK_NORMAL (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)
#define TASK_REPORT                                                             \
	(TASK_RUNNING | TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE | __TASK_STOPPED | \
	 __TASK_TRACED | EXIT_DEAD | EXIT_ZOMBIE | TASK_PARKED)

/* task->flags. */
#define PF_VCPU 0x00000001
#define PF_IDLE 0x00000002
#define PF_EXITING 0x00000004
#define PF_POSTCOREDUMP 0x00000008
#define PF_IO_WORKER 0x00000010
#define PF_WQ_WORKER 0x00000020
#define PF_FORKNOEXEC 0x00000040
#define PF_MCE_PROCESS 0x00000080
#define PF_SUPERPRIV 0x00000100
#define PF_DUMPCORE 0x00000200
#define PF_SIGNALED 0x00000400
#define PF_MEMALLOC 0x00000800
#define PF_NPROC_EXCEEDED 0x00001000
#define PF_USED_MATH 0x00002000
#define PF_USER_WORKER 0x00004000
#define PF_NOFREEZE 0x00008000
#define PF_KCOMPACTD 0x00010000
#define PF_KSWAPD 0x00020000
#define PF_MEMALLOC_NOFS 0x00040000
#define PF_MEMALLOC_NOIO 0x00080000
#define PF_LOCAL_THROTTLE 0x00100000
#define PF_KTHREAD 0x00200000
#define PF_RANDOMIZE 0x00400000
#define PF_NO_SETAFFINITY 0x04000000
#define PF_MCE_EARLY 0x08000000
#define PF_MEMALLOC_PIN 0x10000000
#define PF_SUSPEND_TASK 0x80000000

/* Scheduling policies. */
#define SCHED_NORMAL 0
#define SCHED_OTHER SCHED_NORMAL
#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_BATCH 3
#define SCHED_IDLE 5
#define SCHED_DEADLINE 6

#define MAX_NICE 19
#define MIN_NICE -20
#define NICE_WIDTH (MAX_NICE - MIN_NICE + 1)
#define MAX_RT_PRIO 100
#define MAX_USER_RT_PRIO MAX_RT_PRIO
#define MAX_PRIO (MAX_RT_PRIO + NICE_WIDTH)
#define DEFAULT_PRIO (MAX_RT_PRIO + NICE_WIDTH / 2)
#define NICE_TO_PRIO(nice) ((nice) + DEFAULT_PRIO)
#define PRIO_TO_NICE(prio) ((prio) - DEFAULT_PRIO)

#define TASK_COMM_LEN 16
#define MAX_SCHEDULE_TIMEOUT LONG_MAX

struct mm_struct;
struct completion;

/*
 * One exposed field: ktl's byte offset, then the Linux declaration. The offsets are those of
 * ktl::task_struct (compat/src/sched.cc static_asserts each one).
 */
#define __KTL_TASK_FIELD(offset, decl)                                          \
	struct {                                                                \
		char __PASTE(__ktl_pad_, __LINE__)[offset];                     \
		decl;                                                           \
	}

struct task_struct {
	union {
		__KTL_TASK_FIELD(4, unsigned int flags);          /* PF_* */
		__KTL_TASK_FIELD(24, unsigned int cpu);           /* use task_cpu() */
		__KTL_TASK_FIELD(48, int prio);                   /* effective priority */
		__KTL_TASK_FIELD(52, int static_prio);            /* from the nice value */
		__KTL_TASK_FIELD(56, int normal_prio);
		__KTL_TASK_FIELD(60, unsigned int rt_priority);   /* 1..99 for FIFO/RR */
		__KTL_TASK_FIELD(64, unsigned int policy);        /* SCHED_* */
		__KTL_TASK_FIELD(176, cpumask_t cpus_mask);       /* allowed vCPUs */
		__KTL_TASK_FIELD(208, const cpumask_t *cpus_ptr); /* = &cpus_mask */
		__KTL_TASK_FIELD(216, int nr_cpus_allowed);
		__KTL_TASK_FIELD(276, pid_t pid);
		__KTL_TASK_FIELD(280, pid_t tgid);
		__KTL_TASK_FIELD(284, char comm[TASK_COMM_LEN]);  /* NUL terminated */
		__KTL_TASK_FIELD(304, struct task_struct *real_parent);
		__KTL_TASK_FIELD(304, struct task_struct *parent);
		__KTL_TASK_FIELD(360, int exit_signal);
		__KTL_TASK_FIELD(364, int exit_state);
		__KTL_TASK_FIELD(368, int exit_code);
		__KTL_TASK_FIELD(376, struct mm_struct *mm);      /* NULL in kernel threads */
		__KTL_TASK_FIELD(384, struct mm_struct *active_mm);
		__KTL_TASK_FIELD(392, struct sigpending pending); /* .signal */
		__KTL_TASK_FIELD(400, sigset_t blocked);
		__KTL_TASK_FIELD(424, unsigned long nvcsw);       /* voluntary switches */
		__KTL_TASK_FIELD(432, unsigned long nivcsw);      /* involuntary switches */
		__KTL_TASK_FIELD(440, u64 utime);                 /* ns */
		__KTL_TASK_FIELD(448, u64 stime);                 /* ns */
		__KTL_TASK_FIELD(456, u64 start_time);            /* ns since boot */
	};
};
__KTL_LAYOUT(offsetof(struct task_struct, flags) == 4);
__KTL_LAYOUT(offsetof(struct task_struct, cpu) == 24);
__KTL_LAYOUT(offsetof(struct task_struct, prio) == 48);
__KTL_LAYOUT(offsetof(struct task_struct, static_prio) == 52);
__KTL_LAYOUT(offsetof(struct task_struct, normal_prio) == 56);
__KTL_LAYOUT(offsetof(struct task_struct, rt_priority) == 60);
__KTL_LAYOUT(offsetof(struct task_struct, policy) == 64);
__KTL_LAYOUT(offsetof(struct task_struct, cpus_mask) == 176);
__KTL_LAYOUT(offsetof(struct task_struct, cpus_ptr) == 208);
__KTL_LAYOUT(offsetof(struct task_struct, nr_cpus_allowed) == 216);
__KTL_LAYOUT(offsetof(struct task_struct, pid) == 276);
__KTL_LAYOUT(offsetof(struct task_struct, tgid) == 280);
__KTL_LAYOUT(offsetof(struct task_struct, comm) == 284);
__KTL_LAYOUT(offsetof(struct task_struct, real_parent) == 304);
__KTL_LAYOUT(offsetof(struct task_struct, parent) == 304);
__KTL_LAYOUT(offsetof(struct task_struct, exit_signal) == 360);
__KTL_LAYOUT(offsetof(struct task_struct, exit_state) == 364);
__KTL_LAYOUT(offsetof(struct task_struct, exit_code) == 368);
__KTL_LAYOUT(offsetof(struct task_struct, mm) == 376);
__KTL_LAYOUT(offsetof(struct task_struct, active_mm) == 384);
__KTL_LAYOUT(offsetof(struct task_struct, pending) == 392);
__KTL_LAYOUT(offsetof(struct task_struct, blocked) == 400);
__KTL_LAYOUT(offsetof(struct task_struct, nvcsw) == 424);
__KTL_LAYOUT(offsetof(struct task_struct, nivcsw) == 432);
__KTL_LAYOUT(offsetof(struct task_struct, utime) == 440);
__KTL_LAYOUT(offsetof(struct task_struct, stime) == 448);
__KTL_LAYOUT(offsetof(struct task_struct, start_time) == 456);

__KTL_BEGIN_DECLS

/**
 * schedule - give up the CPU
 *
 * With the state set to a sleeping state (set_current_state(TASK_INTERRUPTIBLE) ...) the
 * task sleeps until a wake-up matching that state (wake_up_process(), a wait queue, a
 * signal for TASK_INTERRUPTIBLE); a wake-up that came between set_current_state() and
 * schedule() makes schedule() return at once. In TASK_RUNNING it only lets other tasks run.
 * Returns in TASK_RUNNING.
 *
 * Context: task, not atomic (might_sleep() reports it).
 */
void schedule(void) __ktl_abi(schedule);
void __ktl_schedule_at(const char *site) __ktl_abi(schedule_at);
#define schedule() __ktl_schedule_at(__func__)

/**
 * schedule_timeout - sleep until woken or @timeout jiffies passed
 * @timeout: jiffies, or MAX_SCHEDULE_TIMEOUT (no timer)
 *
 * Sleeps in the state the caller set beforehand (a task in TASK_RUNNING does not sleep:
 * it only yields). A wake-up ends the sleep early in TASK_INTERRUPTIBLE and in
 * TASK_UNINTERRUPTIBLE alike; only the state decides which wake-ups count.
 *
 * Context: task, not atomic.
 * Return: the jiffies left (0 if the timeout expired); MAX_SCHEDULE_TIMEOUT for
 * MAX_SCHEDULE_TIMEOUT. A negative @timeout logs an error and returns 0 at once.
 */
long schedule_timeout(long timeout) __ktl_abi(schedule_timeout);
/* These set the state themselves (TASK_INTERRUPTIBLE, _KILLABLE, _UNINTERRUPTIBLE, TASK_IDLE). */
long schedule_timeout_interruptible(long timeout) __ktl_abi(schedule_timeout_interruptible);
long schedule_timeout_killable(long timeout) __ktl_abi(schedule_timeout_killable);
long schedule_timeout_uninterruptible(long timeout)
	__ktl_abi(schedule_timeout_uninterruptible);
long schedule_timeout_idle(long timeout) __ktl_abi(schedule_timeout_idle);
/* schedule()/schedule_timeout() accounted as waiting for IO (ktl: the same sleep). */
void io_schedule(void) __ktl_abi(io_schedule);
long io_schedule_timeout(long timeout) __ktl_abi(io_schedule_timeout);

/* The same sleeps, recorded as blocked in @site (the macros pass the caller's __func__). */
long __ktl_schedule_timeout_at(long timeout, unsigned int state, const char *site)
	__ktl_abi(schedule_timeout_at);
#define __KTL_STATE_UNCHANGED 0xffffffffu
#define schedule_timeout(timeout) __ktl_schedule_timeout_at((timeout), __KTL_STATE_UNCHANGED, __func__)
#define schedule_timeout_interruptible(timeout)                                 \
	__ktl_schedule_timeout_at((timeout), TASK_INTERRUPTIBLE, __func__)
#define schedule_timeout_killable(timeout)                                      \
	__ktl_schedule_timeout_at((timeout), TASK_KILLABLE, __func__)
#define schedule_timeout_uninterruptible(timeout)                               \
	__ktl_schedule_timeout_at((timeout), TASK_UNINTERRUPTIBLE, __func__)
#define schedule_timeout_idle(timeout) __ktl_schedule_timeout_at((timeout), TASK_IDLE, __func__)
#define io_schedule() __ktl_schedule_at(__func__)
#define io_schedule_timeout(timeout) schedule_timeout(timeout)

/* Lets other runnable tasks of this vCPU run first; the caller stays runnable. */
void yield(void) __ktl_abi(yield);
/*
 * cond_resched - a scheduling point for long loops
 *
 * Calls schedule() if this vCPU has a reason to switch (a tick passed, a wake-up, an
 * interrupt is due); in a cooperative kernel this is the only way a busy loop lets the
 * other tasks of its vCPU (and its timers) run. Context: task, not atomic.
 * Return: 1 if it rescheduled, else 0.
 */
int _cond_resched(void) __ktl_abi(_cond_resched);
#define cond_resched() _cond_resched()
/* True if this vCPU wants to switch away from the caller (see cond_resched()). */
bool need_resched(void) __ktl_abi(need_resched);

/**
 * set_current_state - set the state of the current task before sleeping
 *
 * A store followed by a full memory barrier, so the condition the caller tests next cannot
 * be read before the state is visible to wakers (which pair with it). The canonical loop:
 *	for (;;) {
 *		set_current_state(TASK_INTERRUPTIBLE);
 *		if (condition)
 *			break;
 *		schedule();
 *	}
 *	__set_current_state(TASK_RUNNING);
 * __set_current_state() is the plain store (no barrier), for TASK_RUNNING.
 */
void __ktl_set_current_state(unsigned int state) __ktl_abi(set_current_state);
void __ktl___set_current_state(unsigned int state) __ktl_abi(__set_current_state);
void __ktl_set_special_state(unsigned int state) __ktl_abi(set_special_state);
unsigned int __ktl_get_current_state(void) __ktl_abi(get_current_state);
#define set_current_state(state_value) __ktl_set_current_state(state_value)
#define __set_current_state(state_value) __ktl___set_current_state(state_value)
/* For states a regular wake-up must not undo (TASK_PARKED, TASK_DEAD ...). */
#define set_special_state(state_value) __ktl_set_special_state(state_value)
#define get_current_state() __ktl_get_current_state()

/* The state bits of @p (its __state), without ktl's internal runqueue bit. */
unsigned int __ktl_task_state(const struct task_struct *p) __ktl_abi(task_state);
#define task_is_running(task) (__ktl_task_state(task) == TASK_RUNNING)
#define task_is_traced(task) ((__ktl_task_state(task) & __TASK_TRACED) != 0)
#define task_is_stopped(task) ((__ktl_task_state(task) & __TASK_STOPPED) != 0)
/* The ps STAT letter of @p: one of "RSDTtXZPI". */
char task_state_to_char(struct task_struct *tsk) __ktl_abi(task_state_to_char);

/**
 * wake_up_process - wake a sleeping task
 *
 * Wakes @tsk if it sleeps in TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE, TASK_KILLABLE or
 * TASK_IDLE (TASK_NORMAL); not a parked, stopped or never-started-and-bound task.
 * Context: any (task, timer or tasklet callback, a host thread).
 * Return: 1 if the task was woken, 0 if it was already running (or in another state).
 */
int wake_up_process(struct task_struct *tsk) __ktl_abi(wake_up_process);
/* wake_up_process() for the states in @state only. */
int wake_up_state(struct task_struct *tsk, unsigned int state) __ktl_abi(wake_up_state);

void set_user_nice(struct task_struct *p, long nice) __ktl_abi(set_user_nice);
int can_nice(const struct task_struct *p, const int nice) __ktl_abi(can_nice);
/* /proc's priority: nice + 20 for normal tasks, -1 - rt_priority for FIFO/RR. */
int task_prio(const struct task_struct *p) __ktl_abi(task_prio);
int sched_setscheduler(struct task_struct *p, int policy, const struct sched_param *param)
	__ktl_abi(sched_setscheduler);
int sched_setscheduler_nocheck(struct task_struct *p, int policy,
			       const struct sched_param *param)
	__ktl_abi(sched_setscheduler_nocheck);
/* SCHED_FIFO at MAX_RT_PRIO / 2 (50); _low: SCHED_FIFO 1; normal: SCHED_NORMAL at @nice. */
void sched_set_fifo(struct task_struct *p) __ktl_abi(sched_set_fifo);
void sched_set_fifo_low(struct task_struct *p) __ktl_abi(sched_set_fifo_low);
void sched_set_normal(struct task_struct *p, int nice) __ktl_abi(sched_set_normal);

/*
 * set_cpus_allowed_ptr - change the vCPUs @p may run on
 *
 * Moves @p at once if it runs or waits elsewhere (through the vCPU's stopper).
 * Return: 0, or -EINVAL (no online vCPU in @new_mask, or @p has PF_NO_SETAFFINITY).
 */
int set_cpus_allowed_ptr(struct task_struct *p, const struct cpumask *new_mask)
	__ktl_abi(set_cpus_allowed_ptr);
long sched_setaffinity(pid_t pid, const struct cpumask *new_mask) __ktl_abi(sched_setaffinity);
long sched_getaffinity(pid_t pid, struct cpumask *mask) __ktl_abi(sched_getaffinity);

/* comm of @tsk into @buf (always NUL terminated); returns @buf. */
char *__get_task_comm(char *buf, size_t buf_size, struct task_struct *tsk)
	__ktl_abi(__get_task_comm);
/* Sets comm (truncated to TASK_COMM_LEN - 1 characters). */
void __ktl_set_task_comm(struct task_struct *tsk, const char *from) __ktl_abi(set_task_comm);

/* A referenced task (put_task_struct() it), or NULL if no task has that pid. */
struct task_struct *find_get_task_by_vpid(pid_t nr) __ktl_abi(find_get_task_by_vpid);

__KTL_END_DECLS

#define get_task_comm(buf, tsk)                                                 \
	({                                                                      \
		BUILD_BUG_ON(sizeof(buf) < TASK_COMM_LEN);                      \
		__get_task_comm(buf, sizeof(buf), tsk);                         \
	})
#define set_task_comm(tsk, from) __ktl_set_task_comm(tsk, from)

static inline unsigned int task_cpu(const struct task_struct *p)
{
	return READ_ONCE(p->cpu);
}

static inline int task_nice(const struct task_struct *p)
{
	return PRIO_TO_NICE(READ_ONCE(p->static_prio));
}

static inline pid_t task_pid_nr(struct task_struct *tsk)
{
	return tsk->pid;
}

static inline pid_t task_tgid_nr(struct task_struct *tsk)
{
	return tsk->tgid;
}

/* ktl has one pid namespace: the "virtual" numbers are the global ones. */
static inline pid_t task_pid_vnr(struct task_struct *tsk)
{
	return tsk->pid;
}

static inline pid_t task_tgid_vnr(struct task_struct *tsk)
{
	return tsk->tgid;
}

static inline bool is_idle_task(const struct task_struct *p)
{
	return !!(READ_ONCE(p->flags) & PF_IDLE);
}

static inline bool is_percpu_thread(void)
{
	return (current->flags & PF_NO_SETAFFINITY) && current->nr_cpus_allowed == 1;
}

static inline bool rt_task(const struct task_struct *p)
{
	return READ_ONCE(p->prio) < MAX_RT_PRIO;
}

#define find_task_by_vpid(...) __ktl_unsupported(find_task_by_vpid)
#define find_task_by_pid_ns(...) __ktl_unsupported(find_task_by_pid_ns)

#include <linux/sched/task.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>
#include <linux/hrtimer.h>

#endif /* _LINUX_SCHED_H */
