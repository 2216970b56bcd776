/* SPDX-License-Identifier: MIT */
/*
 * linux/trace_seq.h - the scratch buffer a trace event's TP_printk formats helpers into
 * (__print_symbolic, __print_flags, __print_hex).
 *
 * ktl formats an event when it fires, so the buffer lives on the stack of the event's
 * function: 512 bytes here (Linux: a page); output beyond it is cut and ->full set.
 */
#ifndef _LINUX_TRACE_SEQ_H
#define _LINUX_TRACE_SEQ_H

#include <asm/ktl-abi.h>
#include <linux/compiler.h>
#include <linux/stdarg.h>
#include <linux/types.h>

#define TRACE_SEQ_BUFFER_SIZE 512

struct trace_seq {
	unsigned int len;
	int full;
	char buffer[TRACE_SEQ_BUFFER_SIZE];
};

/* compat/src/trace.cc asserts the same size. */
__KTL_LAYOUT(sizeof(struct trace_seq) == 520);

/* A value and its name, for __print_symbolic()/__print_flags(). */
struct trace_print_flags {
	unsigned long mask;
	const char *name;
};

struct trace_print_flags_u64 {
	unsigned long long mask;
	const char *name;
};

static inline void trace_seq_init(struct trace_seq *s)
{
	s->len = 0;
	s->full = 0;
	s->buffer[0] = '\0';
}

static inline unsigned int trace_seq_used(struct trace_seq *s)
{
	return s->len;
}

static inline bool trace_seq_has_overflowed(struct trace_seq *s)
{
	return s->full;
}

__KTL_BEGIN_DECLS
void trace_seq_printf(struct trace_seq *s, const char *fmt, ...) __ktl_abi(trace_seq_printf)
	__printf(2, 3);
void trace_seq_vprintf(struct trace_seq *s, const char *fmt, va_list args)
	__ktl_abi(trace_seq_vprintf) __printf(2, 0);
void trace_seq_puts(struct trace_seq *s, const char *str) __ktl_abi(trace_seq_puts);
void trace_seq_putc(struct trace_seq *s, unsigned char c) __ktl_abi(trace_seq_putc);
/*
 * The name of @val in @symbols (terminated by { -1, NULL }), or @val in hex; written to @p
 * and returned (a NUL-terminated string inside @p).
 */
const char *trace_print_symbols_seq(struct trace_seq *p, unsigned long val,
				    const struct trace_print_flags *symbols)
	__ktl_abi(trace_print_symbols_seq);
/* The names of the bits set in @flags joined by @delim (unknown bits in hex). */
const char *trace_print_flags_seq(struct trace_seq *p, const char *delim, unsigned long flags,
				  const struct trace_print_flags *flag_array)
	__ktl_abi(trace_print_flags_seq);
/* @len bytes of @buf in hex (pairs separated by spaces unless @concatenate). */
const char *trace_print_hex_seq(struct trace_seq *p, const unsigned char *buf, int len,
				bool concatenate) __ktl_abi(trace_print_hex_seq);
__KTL_END_DECLS

#endif /* _LINUX_TRACE_SEQ_H */
