/* SPDX-License-Identifier: MIT */
/*
 * trace/trace_events.h - passes 2 to 4 of <trace/define_trace.h>: the entry structure,
 * the assign/print functions of each event class and the function behind each event.
 * Included only by define_trace.h, with TRACE_INCLUDE() set up (alone it does nothing);
 * no include guard.
 */
#if defined(TRACE_HEADER_MULTI_READ) && defined(TRACE_INCLUDE)
#include <linux/trace_events.h>
#include <linux/trace_seq.h>

#undef TRACE_EVENT
#undef TRACE_EVENT_FN
#undef TRACE_EVENT_FN_COND
#undef TRACE_EVENT_CONDITION
#undef DECLARE_EVENT_CLASS
#undef DEFINE_EVENT
#undef DEFINE_EVENT_FN
#undef DEFINE_EVENT_PRINT
#undef DEFINE_EVENT_CONDITION

/* Every event is an event class with one event of the same name. */
#define TRACE_EVENT(name, proto, args, tstruct, assign, print)                             \
	DECLARE_EVENT_CLASS(name, PARAMS(proto), PARAMS(args), PARAMS(tstruct),            \
			    PARAMS(assign), PARAMS(print))                                  \
	DEFINE_EVENT(name, name, PARAMS(proto), PARAMS(args))
#define TRACE_EVENT_CONDITION(name, proto, args, cond, tstruct, assign, print)             \
	TRACE_EVENT(name, PARAMS(proto), PARAMS(args), PARAMS(tstruct), PARAMS(assign),    \
		    PARAMS(print))
#define TRACE_EVENT_FN(name, proto, args, tstruct, assign, print, reg, unreg)              \
	TRACE_EVENT(name, PARAMS(proto), PARAMS(args), PARAMS(tstruct), PARAMS(assign),    \
		    PARAMS(print))
#define TRACE_EVENT_FN_COND(name, proto, args, cond, tstruct, assign, print, reg, unreg)   \
	TRACE_EVENT(name, PARAMS(proto), PARAMS(args), PARAMS(tstruct), PARAMS(assign),    \
		    PARAMS(print))
#define DEFINE_EVENT_FN(template, name, proto, args, reg, unreg) \
	DEFINE_EVENT(template, name, PARAMS(proto), PARAMS(args))
#define DEFINE_EVENT_CONDITION(template, name, proto, args, cond) \
	DEFINE_EVENT(template, name, PARAMS(proto), PARAMS(args))

#define __ktl_entry_unsupported(what)                                                      \
	_Static_assert(0, #what " in TP_STRUCT__entry is not supported by ktl's compat layer " \
			  "(see compat/README.md)");

/* ---- pass 2: struct trace_event_raw_<class> ------------------------------------------ */
#define __field(type, item) type item;
#define __field_ext(type, item, filter_type) type item;
#define __field_struct(type, item) type item;
#define __field_struct_ext(type, item, filter_type) type item;
#define __field_desc(type, container, item) type item;
#define __field_packed(type, container, item) type item;
#define __array(type, item, len) type item[len];
#define __string(item, src) const char *item;
#define __string_len(item, src, len) __ktl_entry_unsupported(__string_len)
#define __vstring(item, fmt, ap) __ktl_entry_unsupported(__vstring)
#define __dynamic_array(type, item, len) __ktl_entry_unsupported(__dynamic_array)
#define __bitmask(item, nr_bits) __ktl_entry_unsupported(__bitmask)
#define __cpumask(item) __ktl_entry_unsupported(__cpumask)
#define __sockaddr(field, len) __ktl_entry_unsupported(__sockaddr)
#define __rel_dynamic_array(type, item, len) __ktl_entry_unsupported(__rel_dynamic_array)
#define __rel_string(item, src) __ktl_entry_unsupported(__rel_string)
#define __rel_string_len(item, src, len) __ktl_entry_unsupported(__rel_string_len)
#define __rel_bitmask(item, nr_bits) __ktl_entry_unsupported(__rel_bitmask)
#define __rel_cpumask(item) __ktl_entry_unsupported(__rel_cpumask)
#define __rel_sockaddr(field, len) __ktl_entry_unsupported(__rel_sockaddr)
#define TP_STRUCT__entry(args...) args

#define DECLARE_EVENT_CLASS(call, proto, args, tstruct, assign, print) \
	struct trace_event_raw_##call {                                 \
		tstruct                                                 \
	};
#define DEFINE_EVENT(template, name, proto, args)
#define DEFINE_EVENT_PRINT(template, name, proto, args, print)

#include TRACE_INCLUDE(TRACE_INCLUDE_FILE)

/* ---- pass 3: per class, fill the entry and print it --------------------------------- */
#undef __field
#undef __field_ext
#undef __field_struct
#undef __field_struct_ext
#undef __field_desc
#undef __field_packed
#undef __array
#undef __string
#undef DECLARE_EVENT_CLASS
#undef DEFINE_EVENT
#undef DEFINE_EVENT_PRINT

#define __field(type, item)
#define __field_ext(type, item, filter_type)
#define __field_struct(type, item)
#define __field_struct_ext(type, item, filter_type)
#define __field_desc(type, container, item)
#define __field_packed(type, container, item)
#define __array(type, item, len)
/* The string is formatted before the traced call returns: the entry keeps a pointer. */
#define __string(item, src) __entry->item = (src) ? (const char *)(src) : "(null)";

#define __ktl_assign_str_pick(_1, _2, name, ...) name
#define __ktl_assign_str1(dst) ((void)0)
#define __ktl_assign_str2(dst, src) (__entry->dst = (src) ? (const char *)(src) : "(null)")
/* __assign_str(dst) (6.10+: from the __string() source) or __assign_str(dst, src). */
#define __assign_str(dst, ...) \
	__ktl_assign_str_pick(dst, ##__VA_ARGS__, __ktl_assign_str2, __ktl_assign_str1)(dst, ##__VA_ARGS__)
#define __get_str(field) (__entry->field)
#define TP_fast_assign(args...) args
#define TP_printk(fmt, args...) fmt, ##args

#define __print_symbolic(value, symbol_array...)                                           \
	({                                                                                 \
		static const struct trace_print_flags __ktl_symbols[] = { symbol_array,    \
									  { -1, NULL } };  \
		trace_print_symbols_seq(p, value, __ktl_symbols);                          \
	})
#define __print_flags(flag, delim, flag_array...)                                          \
	({                                                                                 \
		static const struct trace_print_flags __ktl_flags[] = { flag_array,        \
									{ -1, NULL } };    \
		trace_print_flags_seq(p, delim, flag, __ktl_flags);                        \
	})
#define __print_hex(buf, buf_len) trace_print_hex_seq(p, (const unsigned char *)(buf), buf_len, false)
#define __print_hex_str(buf, buf_len) \
	trace_print_hex_seq(p, (const unsigned char *)(buf), buf_len, true)
#define __print_array(...) __ktl_unsupported(__print_array)
#define __print_bitmask(...) __ktl_unsupported(__print_bitmask)
#define __get_dynamic_array(...) __ktl_unsupported(__get_dynamic_array)
#define __get_bitmask(...) __ktl_unsupported(__get_bitmask)

#define __KTL_EVENT_PRINT_FN(fn, call, print)                                              \
	static __attribute__((unused)) void fn(struct tracepoint *__ktl_tp,                \
					       struct trace_event_raw_##call *__entry)     \
	{                                                                                  \
		struct trace_seq __ktl_seq;                                                \
		struct trace_seq *p = &__ktl_seq;                                          \
		trace_seq_init(p);                                                         \
		(void)p;                                                                   \
		__ktl_trace_event_printf(__ktl_tp, print);                                 \
	}

#define DECLARE_EVENT_CLASS(call, proto, args, tstruct, assign, print)                     \
	static __attribute__((unused)) void __ktl_event_fill_##call(                       \
		struct trace_event_raw_##call *__entry, proto)                             \
	{                                                                                  \
		tstruct                                                                    \
		{                                                                          \
			assign                                                             \
		}                                                                          \
	}                                                                                  \
	__KTL_EVENT_PRINT_FN(__ktl_event_print_##call, call, PARAMS(print))
#define DEFINE_EVENT(template, name, proto, args)
#define DEFINE_EVENT_PRINT(template, name, proto, args, print)                             \
	__KTL_EVENT_PRINT_FN(__ktl_event_print_##name, template, PARAMS(print))

#include TRACE_INCLUDE(TRACE_INCLUDE_FILE)

/* ---- pass 4: the function behind each trace_<name>() -------------------------------- */
#undef DECLARE_EVENT_CLASS
#undef DEFINE_EVENT
#undef DEFINE_EVENT_PRINT

#define __KTL_EVENT_FN(template, name, printer, proto, args)                               \
	void __ktl_trace_##name(proto)                                                     \
	{                                                                                  \
		struct trace_event_raw_##template __ktl_ent;                               \
		__builtin_memset(&__ktl_ent, 0, sizeof(__ktl_ent));                        \
		__ktl_event_fill_##template(&__ktl_ent, args);                             \
		printer(&__tracepoint_##name, &__ktl_ent);                                 \
	}

#define DECLARE_EVENT_CLASS(call, proto, args, tstruct, assign, print)
#define DEFINE_EVENT(template, name, proto, args) \
	__KTL_EVENT_FN(template, name, __ktl_event_print_##template, PARAMS(proto), PARAMS(args))
#define DEFINE_EVENT_PRINT(template, name, proto, args, print) \
	__KTL_EVENT_FN(template, name, __ktl_event_print_##name, PARAMS(proto), PARAMS(args))

#include TRACE_INCLUDE(TRACE_INCLUDE_FILE)

#undef __field
#undef __field_ext
#undef __field_struct
#undef __field_struct_ext
#undef __field_desc
#undef __field_packed
#undef __array
#undef __string
#undef __string_len
#undef __vstring
#undef __dynamic_array
#undef __bitmask
#undef __cpumask
#undef __sockaddr
#undef __rel_dynamic_array
#undef __rel_string
#undef __rel_string_len
#undef __rel_bitmask
#undef __rel_cpumask
#undef __rel_sockaddr
#undef __assign_str
#undef __get_str
#undef TP_STRUCT__entry
#undef TP_fast_assign
#undef TP_printk
#undef __print_symbolic
#undef __print_flags
#undef __print_hex
#undef __print_hex_str
#undef __print_array
#undef __print_bitmask
#undef __get_dynamic_array
#undef __get_bitmask
#undef __KTL_EVENT_PRINT_FN
#undef __KTL_EVENT_FN

#endif /* TRACE_HEADER_MULTI_READ && TRACE_INCLUDE */
