/* SPDX-License-Identifier: MIT */
/*
 * linux/trace.h - ftrace instances from kernel code.
 *
 * trace_array_get_by_name("foo", systems) makes (or finds) the instance
 * /sys/kernel/tracing/instances/foo, whose "trace" file cat reads and whose
 * events/<system>/<event>/enable files switch the module's trace events for it;
 * trace_array_printk() writes to it as trace_printk() writes to the top-level buffer.
 * The instance lives until trace_array_destroy(), which fails with -EBUSY while other
 * references (trace_array_get_by_name without trace_array_put) remain, as on Linux.
 * The pre-6.7 one-argument trace_array_get_by_name(name) is accepted too.
 */
#ifndef _LINUX_TRACE_H
#define _LINUX_TRACE_H

#include <asm/ktl-abi.h>
#include <linux/compiler.h>
#include <linux/trace_printk.h>
#include <linux/types.h>

struct trace_array;

__KTL_BEGIN_DECLS
/* The instance @name (created if needed, with a reference), or NULL. */
struct trace_array *__ktl_trace_array_get_by_name(const char *name, const char *systems)
	__ktl_abi(trace_array_get_by_name);
void trace_array_put(struct trace_array *tr) __ktl_abi(trace_array_put);
/* Removes the instance. Return: 0, -EBUSY (still referenced) or -ENODEV. */
int trace_array_destroy(struct trace_array *tr) __ktl_abi(trace_array_destroy);
/* Ready for trace_array_printk(). Return: 0 or -ENOENT (NULL @tr). */
int trace_array_init_printk(struct trace_array *tr) __ktl_abi(trace_array_init_printk);
/* "<caller>: <message>" into @tr. Return: the length recorded, or -ENOENT for a NULL @tr. */
int __ktl_trace_array_printk(struct trace_array *tr, unsigned long ip, const char *func,
			     const char *fmt, ...) __ktl_abi(trace_array_printk) __printf(4, 5);
__KTL_END_DECLS

#define __ktl_tagbn_pick(_1, _2, name, ...) name
#define __ktl_tagbn1(name) __ktl_trace_array_get_by_name(name, NULL)
#define __ktl_tagbn2(name, systems) __ktl_trace_array_get_by_name(name, systems)
#define trace_array_get_by_name(...) \
	__ktl_tagbn_pick(__VA_ARGS__, __ktl_tagbn2, __ktl_tagbn1)(__VA_ARGS__)
#define trace_array_printk(tr, ip, fmt, ...) \
	__ktl_trace_array_printk(tr, ip, __func__, fmt, ##__VA_ARGS__)

#define trace_array_create(...) __ktl_unsupported(trace_array_create)
#define register_ftrace_export(...) __ktl_unsupported(register_ftrace_export)
#define unregister_ftrace_export(...) __ktl_unsupported(unregister_ftrace_export)

#endif /* _LINUX_TRACE_H */
