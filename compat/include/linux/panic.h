/* SPDX-License-Identifier: MIT */
/*
 * linux/panic.h - panic() and taint.
 *
 * panic() prints "Kernel panic - not syncing: MSG" and ends the process, as it ends the
 * machine on Linux: for states no code can recover from.
 */
#ifndef _LINUX_PANIC_H
#define _LINUX_PANIC_H

#include <linux/compiler.h>
#include <linux/types.h>

#define TAINT_PROPRIETARY_MODULE 0
#define TAINT_FORCED_MODULE 1
#define TAINT_CPU_OUT_OF_SPEC 2
#define TAINT_FORCED_RMMOD 3
#define TAINT_MACHINE_CHECK 4
#define TAINT_BAD_PAGE 5
#define TAINT_USER 6
#define TAINT_DIE 7
#define TAINT_OVERRIDDEN_ACPI_TABLE 8
#define TAINT_WARN 9
#define TAINT_CRAP 10
#define TAINT_FIRMWARE_WORKAROUND 11
#define TAINT_OOT_MODULE 12
#define TAINT_UNSIGNED_MODULE 13
#define TAINT_SOFTLOCKUP 14
#define TAINT_LIVEPATCH 15
#define TAINT_AUX 16
#define TAINT_RANDSTRUCT 17
#define TAINT_TEST 18
#define TAINT_FWCTL 19
#define LOCKDEP_STILL_OK 0
#define LOCKDEP_NOW_UNRELIABLE 1

__KTL_BEGIN_DECLS
void panic(const char *fmt, ...) __ktl_abi(panic) __printf(1, 2) __cold __noreturn;
/* Sets taint @flag (one of TAINT_*), shown in the "Tainted:" column of later reports. */
void add_taint(unsigned int flag, int lockdep_ok) __ktl_abi(add_taint);
bool test_taint(unsigned int flag) __ktl_abi(test_taint);
unsigned long get_taint(void) __ktl_abi(get_taint);
__KTL_END_DECLS

#endif /* _LINUX_PANIC_H */
