/* SPDX-License-Identifier: MIT */
/*
 * Trace events of tests/compat/c/fs.c, declared the way kernel trace headers are (see
 * samples/trace_events): re-read by <trace/define_trace.h> in fs.c, which defines
 * CREATE_TRACE_POINTS. TRACE_INCLUDE_PATH is relative to compat/include/trace/, as in-tree
 * headers name theirs relative to include/trace/.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ctest-events
#undef TRACE_SYSTEM_VAR
#define TRACE_SYSTEM_VAR ctest_events

#if !defined(_CTEST_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _CTEST_TRACE_H

#include <linux/string.h>
#include <linux/tracepoint.h>

#define CTEST_STATES { 0, "idle" }, { 1, "busy" }, { 2, "done" }

TRACE_EVENT(ctest_sample,

	TP_PROTO(int count, unsigned long time, const char *who),

	TP_ARGS(count, time, who),

	TP_STRUCT__entry(
		__field(int, count)
		__field(unsigned long, time)
		__string(who, who)
		__array(char, tag, 8)
	),

	TP_fast_assign(
		__entry->count = count;
		__entry->time = time;
		__assign_str(who);
		memcpy(__entry->tag, "tag", 4);
	),

	TP_printk("count=%d time=%lu who=%s tag=%s state=%s flags=%s", __entry->count,
		  __entry->time, __get_str(who), __entry->tag,
		  __print_symbolic(__entry->count % 3, CTEST_STATES),
		  __print_flags(__entry->time, "|", { 1, "A" }, { 2, "B" }, { 4, "C" }))
);

DECLARE_EVENT_CLASS(ctest_class,
	TP_PROTO(int v),
	TP_ARGS(v),
	TP_STRUCT__entry(__field(int, v)),
	TP_fast_assign(__entry->v = v;),
	TP_printk("v=%d", __entry->v)
);

DEFINE_EVENT(ctest_class, ctest_start, TP_PROTO(int v), TP_ARGS(v));

DEFINE_EVENT_PRINT(ctest_class, ctest_stop, TP_PROTO(int v), TP_ARGS(v),
	TP_printk("stopped with %d", __entry->v));

TRACE_EVENT_CONDITION(ctest_even,
	TP_PROTO(int v),
	TP_ARGS(v),
	TP_CONDITION(v % 2 == 0),
	TP_STRUCT__entry(__field(int, v)),
	TP_fast_assign(__entry->v = v;),
	TP_printk("even %d", __entry->v)
);

#endif /* _CTEST_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH ../../../tests/compat/c
#define TRACE_INCLUDE_FILE ctest_trace
#include <trace/define_trace.h>
