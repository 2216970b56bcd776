/* SPDX-License-Identifier: MIT */
/*
 * linux/tracepoint.h - trace events (TRACE_EVENT and family) recorded in ktl's trace buffer.
 *
 * A module declares its events in a trace header the kernel's way:
 *
 *   #undef TRACE_SYSTEM
 *   #define TRACE_SYSTEM sample
 *   #if !defined(_SAMPLE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
 *   #define _SAMPLE_TRACE_H
 *   #include <linux/tracepoint.h>
 *   TRACE_EVENT(sample_event, TP_PROTO(int count), TP_ARGS(count),
 *       TP_STRUCT__entry(__field(int, count) __string(who, current->comm)),
 *       TP_fast_assign(__entry->count = count; __assign_str(who);),
 *       TP_printk("count=%d who=%s", __entry->count, __get_str(who)));
 *   #endif
 *   #undef TRACE_INCLUDE_PATH
 *   #define TRACE_INCLUDE_PATH .          (needs -I of the header's directory, as in Kbuild)
 *   #define TRACE_INCLUDE_FILE sample-trace
 *   #include <trace/define_trace.h>
 *
 * and exactly one .c file defines CREATE_TRACE_POINTS before including it. trace_<name>()
 * then records "<name>: <TP_printk output>" in ktl's trace buffer (cat
 * /sys/kernel/tracing/trace) when the event is enabled: echo 1 >
 * /sys/kernel/tracing/events/<system>/<name>/enable, or trace_array_set_clr_event() (which
 * also enables it in a trace instance). Events start disabled, as on Linux; a disabled
 * trace_<name>() costs one load and branch.
 *
 * Supported: TRACE_EVENT, TRACE_EVENT_CONDITION, TRACE_EVENT_FN(_COND), DECLARE_EVENT_CLASS,
 * DEFINE_EVENT, DEFINE_EVENT_PRINT, DEFINE_EVENT_CONDITION, DEFINE_EVENT_FN; entry fields
 * __field, __field_ext, __field_struct, __array, __string, __string_len (with
 * __assign_str in its 6.10 one-argument form or the older two-argument one, __get_str),
 * and in TP_printk __print_symbolic, __print_flags, __print_hex, __print_array-free
 * formats. The event is formatted when it fires (not when the buffer is read), so
 * __string fields point at the caller's string. Unsupported, failing the build with a
 * message: __dynamic_array, __bitmask, __cpumask, __vstring, __sockaddr, the __rel_
 * fields; and register_trace_<name>() probes (not declared: a compile error).
 * DECLARE_TRACE alone (a probe-only tracepoint) gives a trace_<name>() that does nothing.
 */
#ifndef _LINUX_TRACEPOINT_H
#define _LINUX_TRACEPOINT_H

#include <asm/ktl-abi.h>
#include <linux/compiler.h>
#include <linux/stringify.h>
#include <linux/trace_seq.h>
#include <linux/types.h>

/* The record of one event, defined by the CREATE_TRACE_POINTS pass of its trace header. */
struct tracepoint {
	const char *name;
	const char *system;
	int enabled;           /* buffers recording it (the top-level one and instances) */
	int (*regfunc)(void);  /* TRACE_EVENT_FN: called when first enabled */
	void (*unregfunc)(void);
	void *__ktl_priv;
};

/* compat/src/trace.cc asserts the same numbers. */
__KTL_LAYOUT(sizeof(struct tracepoint) == 48 && offsetof(struct tracepoint, enabled) == 16);

__KTL_BEGIN_DECLS
/* Makes the event known (its enable files appear); run by a constructor of the module. */
void __ktl_tracepoint_register(struct tracepoint *tp) __ktl_abi(tracepoint_register);
void __ktl_tracepoint_unregister(struct tracepoint *tp) __ktl_abi(tracepoint_unregister);
/* Records "<name>: <formatted>" in each buffer the event is enabled in. */
void __ktl_trace_event_printf(struct tracepoint *tp, const char *fmt, ...)
	__ktl_abi(trace_event_printf) __printf(2, 3);
__KTL_END_DECLS

#define PARAMS(args...) args
#define TP_PROTO(args...) args
#define TP_ARGS(args...) args
#define TP_CONDITION(args...) args

#define __ktl_tp_enabled(name) \
	unlikely(__atomic_load_n(&__tracepoint_##name.enabled, __ATOMIC_RELAXED))

/* An event with a consumer: trace_<name>() records it when enabled and @cond holds. */
#define __KTL_DECLARE_EVENT(name, proto, args, cond)                             \
	extern struct tracepoint __tracepoint_##name;                            \
	void __ktl_trace_##name(proto);                                          \
	static inline void trace_##name(proto)                                   \
	{                                                                        \
		if (__ktl_tp_enabled(name) && (cond))                            \
			__ktl_trace_##name(args);                                \
	}                                                                        \
	static inline bool trace_##name##_enabled(void)                          \
	{                                                                        \
		return __ktl_tp_enabled(name);                                   \
	}

/* A probe-only tracepoint: ktl has no probes to call. */
#define __KTL_DECLARE_NOP_TRACE(name, proto)                                     \
	static inline void trace_##name(proto) {}                                \
	static inline bool trace_##name##_enabled(void)                          \
	{                                                                        \
		return false;                                                    \
	}

#endif /* _LINUX_TRACEPOINT_H */

/*
 * Outside the include guard, as in Linux: <trace/define_trace.h> undefines these after its
 * passes, and the next trace header's #include <linux/tracepoint.h> defines them again.
 */
#ifndef TRACE_EVENT
#define DECLARE_TRACE(name, proto, args) __KTL_DECLARE_NOP_TRACE(name, PARAMS(proto))
#define DECLARE_TRACE_CONDITION(name, proto, args, cond) \
	__KTL_DECLARE_NOP_TRACE(name, PARAMS(proto))
#define DECLARE_TRACE_EVENT(name, proto, args) __KTL_DECLARE_NOP_TRACE(name, PARAMS(proto))
#define DECLARE_EVENT_CLASS(name, proto, args, tstruct, assign, print)
#define DEFINE_EVENT(template, name, proto, args) \
	__KTL_DECLARE_EVENT(name, PARAMS(proto), PARAMS(args), 1)
#define DEFINE_EVENT_FN(template, name, proto, args, reg, unreg) \
	__KTL_DECLARE_EVENT(name, PARAMS(proto), PARAMS(args), 1)
#define DEFINE_EVENT_PRINT(template, name, proto, args, print) \
	__KTL_DECLARE_EVENT(name, PARAMS(proto), PARAMS(args), 1)
#define DEFINE_EVENT_CONDITION(template, name, proto, args, cond) \
	__KTL_DECLARE_EVENT(name, PARAMS(proto), PARAMS(args), PARAMS(cond))
#define TRACE_EVENT(name, proto, args, struct, assign, print) \
	__KTL_DECLARE_EVENT(name, PARAMS(proto), PARAMS(args), 1)
#define TRACE_EVENT_FN(name, proto, args, struct, assign, print, reg, unreg) \
	__KTL_DECLARE_EVENT(name, PARAMS(proto), PARAMS(args), 1)
#define TRACE_EVENT_FN_COND(name, proto, args, cond, struct, assign, print, reg, unreg) \
	__KTL_DECLARE_EVENT(name, PARAMS(proto), PARAMS(args), PARAMS(cond))
#define TRACE_EVENT_CONDITION(name, proto, args, cond, struct, assign, print) \
	__KTL_DECLARE_EVENT(name, PARAMS(proto), PARAMS(args), PARAMS(cond))
#define TRACE_EVENT_FLAGS(event, flag)
#define TRACE_EVENT_PERF_PERM(event, expr...)
#define TRACE_DEFINE_ENUM(a)
#define TRACE_DEFINE_SIZEOF(a)
#endif /* TRACE_EVENT */
