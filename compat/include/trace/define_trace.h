/* SPDX-License-Identifier: MIT */
/*
 * trace/define_trace.h - turns a trace header into its events (see <linux/tracepoint.h>).
 *
 * Included at the end of every trace header; does something only in the one file that
 * defined CREATE_TRACE_POINTS. It re-reads the trace header (TRACE_INCLUDE_PATH /
 * TRACE_INCLUDE_FILE, or <trace/events/TRACE_SYSTEM.h>) once per pass:
 *   1. struct tracepoint __tracepoint_<name> for each event, registered with ktl by a
 *      constructor when the module is loaded (its enable files appear then);
 *   2. (trace/trace_events.h) struct trace_event_raw_<class> from TP_STRUCT__entry;
 *   3. per class, the TP_fast_assign and TP_printk functions;
 *   4. per event, __ktl_trace_<name>(), which trace_<name>() calls when it is enabled.
 * No include guard, as in Linux.
 */
#ifdef CREATE_TRACE_POINTS

/* Only once per trace header. */
#undef CREATE_TRACE_POINTS

#include <linux/stringify.h>
#include <linux/tracepoint.h>

#undef TRACE_EVENT
#undef TRACE_EVENT_FN
#undef TRACE_EVENT_FN_COND
#undef TRACE_EVENT_CONDITION
#undef DECLARE_EVENT_CLASS
#undef DEFINE_EVENT
#undef DEFINE_EVENT_FN
#undef DEFINE_EVENT_PRINT
#undef DEFINE_EVENT_CONDITION
#undef DECLARE_TRACE
#undef DECLARE_TRACE_CONDITION
#undef DECLARE_TRACE_EVENT
#undef TRACE_EVENT_FLAGS
#undef TRACE_EVENT_PERF_PERM
#undef TRACE_DEFINE_ENUM
#undef TRACE_DEFINE_SIZEOF

#define __KTL_DEFINE_TP(name, reg, unreg)                                                   \
	struct tracepoint __tracepoint_##name = {                                           \
		__stringify(name), __stringify(TRACE_SYSTEM), 0, reg, unreg, NULL            \
	};                                                                                  \
	static void __attribute__((constructor, used)) __ktl_tp_register_##name(void)       \
	{                                                                                   \
		__ktl_tracepoint_register(&__tracepoint_##name);                            \
	}                                                                                   \
	static void __attribute__((destructor, used)) __ktl_tp_unregister_##name(void)      \
	{                                                                                   \
		__ktl_tracepoint_unregister(&__tracepoint_##name);                          \
	}

#define TRACE_EVENT(name, proto, args, tstruct, assign, print) __KTL_DEFINE_TP(name, NULL, NULL)
#define TRACE_EVENT_CONDITION(name, proto, args, cond, tstruct, assign, print) \
	__KTL_DEFINE_TP(name, NULL, NULL)
#define TRACE_EVENT_FN(name, proto, args, tstruct, assign, print, reg, unreg) \
	__KTL_DEFINE_TP(name, reg, unreg)
#define TRACE_EVENT_FN_COND(name, proto, args, cond, tstruct, assign, print, reg, unreg) \
	__KTL_DEFINE_TP(name, reg, unreg)
#define DECLARE_EVENT_CLASS(name, proto, args, tstruct, assign, print)
#define DEFINE_EVENT(template, name, proto, args) __KTL_DEFINE_TP(name, NULL, NULL)
#define DEFINE_EVENT_FN(template, name, proto, args, reg, unreg) __KTL_DEFINE_TP(name, reg, unreg)
#define DEFINE_EVENT_PRINT(template, name, proto, args, print) __KTL_DEFINE_TP(name, NULL, NULL)
#define DEFINE_EVENT_CONDITION(template, name, proto, args, cond) \
	__KTL_DEFINE_TP(name, NULL, NULL)
#define DECLARE_TRACE(name, proto, args)
#define DECLARE_TRACE_CONDITION(name, proto, args, cond)
#define DECLARE_TRACE_EVENT(name, proto, args)
#define TRACE_EVENT_FLAGS(event, flag)
#define TRACE_EVENT_PERF_PERM(event, expr...)
#define TRACE_DEFINE_ENUM(a)
#define TRACE_DEFINE_SIZEOF(a)

#ifndef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE TRACE_SYSTEM
#define UNDEF_TRACE_INCLUDE_FILE
#endif

#ifndef TRACE_INCLUDE_PATH
#define __TRACE_INCLUDE(system) <trace/events/system.h>
#define UNDEF_TRACE_INCLUDE_PATH
#else
#define __TRACE_INCLUDE(system) __stringify(TRACE_INCLUDE_PATH/system.h)
#endif

#define TRACE_INCLUDE(system) __TRACE_INCLUDE(system)

/* Let the trace header be read again. */
#define TRACE_HEADER_MULTI_READ

#include TRACE_INCLUDE(TRACE_INCLUDE_FILE)

#include <trace/trace_events.h>

#undef TRACE_EVENT
#undef TRACE_EVENT_FN
#undef TRACE_EVENT_FN_COND
#undef TRACE_EVENT_CONDITION
#undef DECLARE_EVENT_CLASS
#undef DEFINE_EVENT
#undef DEFINE_EVENT_FN
#undef DEFINE_EVENT_PRINT
#undef DEFINE_EVENT_CONDITION
#undef DECLARE_TRACE
#undef DECLARE_TRACE_CONDITION
#undef DECLARE_TRACE_EVENT
#undef TRACE_EVENT_FLAGS
#undef TRACE_EVENT_PERF_PERM
#undef TRACE_DEFINE_ENUM
#undef TRACE_DEFINE_SIZEOF
#undef TRACE_HEADER_MULTI_READ
#undef TRACE_INCLUDE
#undef __TRACE_INCLUDE

#ifdef UNDEF_TRACE_INCLUDE_FILE
#undef TRACE_INCLUDE_FILE
#undef UNDEF_TRACE_INCLUDE_FILE
#endif

#ifdef UNDEF_TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_PATH
#undef UNDEF_TRACE_INCLUDE_PATH
#endif

/* A further trace header included by this file is created too. */
#define CREATE_TRACE_POINTS

#endif /* CREATE_TRACE_POINTS */
