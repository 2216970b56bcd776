/* SPDX-License-Identifier: MIT */
/*
 * linux/trace_printk.h - trace_printk() and friends: debugging output into ktl's trace
 * buffer (cat /sys/kernel/tracing/trace) instead of the kernel log.
 *
 * A line reads "<caller>: <message>" after the task, CPU and timestamp columns, as ftrace
 * prints its print events; ktl names the caller by the calling function's __func__ (ftrace
 * symbolises the caller's address). The first use in a boot allocates the buffers and
 * prints the kernel's "trace_printk() being used" notice, as trace_printk_init_buffers()
 * does on Linux; recording stops with tracing_off() (or ktl::trace_stop()).
 */
#ifndef _LINUX_TRACE_PRINTK_H
#define _LINUX_TRACE_PRINTK_H

#include <asm/ktl-abi.h>
#include <linux/compiler.h>
#include <linux/stdarg.h>

__KTL_BEGIN_DECLS
/* Return: the length of the message recorded (0 when tracing is off). */
int __ktl_trace_printk(unsigned long ip, const char *func, const char *fmt, ...)
	__ktl_abi(trace_printk) __printf(3, 4);
int __ktl_trace_vprintk(unsigned long ip, const char *func, const char *fmt, va_list args)
	__ktl_abi(trace_vprintk) __printf(3, 0);
/* Allocates the trace buffers (once a boot, with the kernel's NOTICE banner). */
void trace_printk_init_buffers(void) __ktl_abi(trace_printk_init_buffers);
/* Turn recording into the top-level buffer on and off (the tracing_on file). */
void tracing_on(void) __ktl_abi(tracing_on);
void tracing_off(void) __ktl_abi(tracing_off);
int tracing_is_on(void) __ktl_abi(tracing_is_on);
__KTL_END_DECLS

#define trace_printk(fmt, ...) __ktl_trace_printk(_THIS_IP_, __func__, fmt, ##__VA_ARGS__)
#define __trace_printk(ip, fmt, ...) __ktl_trace_printk(ip, __func__, fmt, ##__VA_ARGS__)
#define __trace_bprintk(ip, fmt, ...) __ktl_trace_printk(ip, __func__, fmt, ##__VA_ARGS__)
#define ftrace_vprintk(fmt, vargs) __ktl_trace_vprintk(_THIS_IP_, __func__, fmt, vargs)
#define trace_puts(str) __ktl_trace_printk(_THIS_IP_, __func__, "%s", str)
#define __trace_puts(ip, str, size) __ktl_trace_printk(ip, __func__, "%.*s", (int)(size), str)
/* ktl records no stack traces in its buffer. */
#define trace_dump_stack(skip) do { (void)(skip); } while (0)
#define ftrace_dump(...) __ktl_unsupported(ftrace_dump)
#define tracing_snapshot(...) __ktl_unsupported(tracing_snapshot)
#define tracing_snapshot_alloc(...) __ktl_unsupported(tracing_snapshot_alloc)

#endif /* _LINUX_TRACE_PRINTK_H */
