// SPDX-License-Identifier: GPL-2.0
/*
 * completions.c - two kernel threads playing ping-pong with completions.
 *
 * "ping" serves the ball (the round number) with complete(&serve) and waits for it to come
 * back on "ret"; "pong" waits on "serve", logs the round and returns it with complete(&ret).
 * Before each serve ping re-arms "ret" with reinit_completion(), as a driver does before it
 * starts a request, so that a stale complete() could never satisfy the new wait.
 * After "rounds" rounds (or as soon as rmmod asks) ping serves a 0, the end of the game:
 * pong announces it with complete_all(&game_over), which lets every waiter through, now or
 * later, and both threads leave with kthread_complete_and_exit(), which signals their
 * "done" completion and exits without ever returning into this module's code. module_exit
 * therefore only has to wait for the two "done" completions.
 *
 * Both threads sleep uninterruptibly (wait_for_completion, msleep), so ps shows them as "D"
 * while the game runs; they are gone once it is over, before rmmod.
 *
 *   ktl> insmod completions.ko rounds=3 delay_ms=100
 *   ktl> ps -eo pid,stat,command
 *      23 D    [ping]
 *      24 D    [pong]
 *   ktl> dmesg
 *   [    4.100000] completions: round 1: ping
 *   [    4.100010] completions: round 1: pong
 *   ...
 *   [    4.300030] completions: pong: game over after 3 returns
 *   [    4.300040] completions: ping: 3 rounds played
 *   ktl> rmmod completions
 *   [    5.000000] completions: both threads done after 3 rounds
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>

static int rounds = 5;
module_param(rounds, int, 0444);
MODULE_PARM_DESC(rounds, "Rounds to play");

static unsigned int delay_ms = 10;
module_param(delay_ms, uint, 0444);
MODULE_PARM_DESC(delay_ms, "Pause between rounds in milliseconds");

static struct completion serve;		/* ping -> pong: the ball is in pong's half */
static struct completion ret;		/* pong -> ping: the ball came back */
static DECLARE_COMPLETION(game_over);	/* complete_all()ed once by pong */
static DECLARE_COMPLETION(ping_done);	/* the threads' kthread_complete_and_exit() */
static DECLARE_COMPLETION(pong_done);

static int ball;			/* the round in play, 0 ends the game */
static int played;			/* rounds ping saw returned */
static bool stopping;			/* rmmod: end the game after this round */

static int ping_thread(void *data)
{
	int round;

	for (round = 1; round <= rounds && !READ_ONCE(stopping); round++) {
		reinit_completion(&ret);
		WRITE_ONCE(ball, round);
		pr_info("round %d: ping\n", round);
		complete(&serve);
		wait_for_completion(&ret);
		played++;
		msleep(delay_ms);
	}

	WRITE_ONCE(ball, 0);
	complete(&serve);
	wait_for_completion(&game_over);
	pr_info("ping: %d rounds played\n", played);
	kthread_complete_and_exit(&ping_done, played);
}

static int pong_thread(void *data)
{
	int returns = 0;
	int round;

	for (;;) {
		wait_for_completion(&serve);
		round = READ_ONCE(ball);
		if (!round)
			break;
		pr_info("round %d: pong\n", round);
		returns++;
		complete(&ret);
	}

	pr_info("pong: game over after %d returns\n", returns);
	complete_all(&game_over);
	kthread_complete_and_exit(&pong_done, returns);
}

static int __init completions_init(void)
{
	struct task_struct *ping, *pong;

	if (rounds < 0)
		return -EINVAL;

	init_completion(&serve);
	init_completion(&ret);

	/* Create both before starting either, so a failure leaves nothing running. */
	ping = kthread_create(ping_thread, NULL, "ping");
	if (IS_ERR(ping))
		return PTR_ERR(ping);
	pong = kthread_create(pong_thread, NULL, "pong");
	if (IS_ERR(pong)) {
		kthread_stop(ping);	/* never woken: ping_thread() does not run */
		return PTR_ERR(pong);
	}

	pr_info("playing %d rounds, %u ms apart\n", rounds, delay_ms);
	wake_up_process(pong);
	wake_up_process(ping);
	return 0;
}

static void __exit completions_exit(void)
{
	WRITE_ONCE(stopping, true);
	wait_for_completion(&ping_done);
	wait_for_completion(&pong_done);
	pr_info("both threads done after %d rounds (game over: %s)\n", played,
		completion_done(&game_over) ? "yes" : "no");
}

module_init(completions_init);
module_exit(completions_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("ktl developers");
MODULE_DESCRIPTION("Two kthreads handing a ball back and forth with completions");
MODULE_VERSION("1.0");
