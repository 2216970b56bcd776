/* SPDX-License-Identifier: MIT */
/*
 * linux/trace_events.h - switching trace events from kernel code, and what a trace header's
 * TP_printk can use (<linux/trace_seq.h>). See <linux/tracepoint.h> for TRACE_EVENT.
 */
#ifndef _LINUX_TRACE_EVENTS_H
#define _LINUX_TRACE_EVENTS_H

#include <asm/ktl-abi.h>
#include <linux/trace.h>
#include <linux/trace_seq.h>
#include <linux/tracepoint.h>
#include <linux/types.h>

__KTL_BEGIN_DECLS
/**
 * trace_array_set_clr_event - enable or disable an event in a trace instance
 * @tr: the instance (from trace_array_get_by_name)
 * @system: the event's TRACE_SYSTEM, or NULL for any
 * @event: its name, or NULL for every event of @system
 * @enable: on or off
 *
 * Context: any. Return: 0, -EINVAL if no event matched, -ENOENT for a NULL @tr.
 */
int trace_array_set_clr_event(struct trace_array *tr, const char *system, const char *event,
			      bool enable) __ktl_abi(trace_array_set_clr_event);
/* trace_array_set_clr_event() for the top-level buffer, from "system:event" or "event". */
int trace_set_clr_event(const char *system, const char *event, int set)
	__ktl_abi(trace_set_clr_event);
__KTL_END_DECLS

#endif /* _LINUX_TRACE_EVENTS_H */
