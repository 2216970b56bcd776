// The scheduling trace: Linux's sched_switch, sched_wakeup, sched_wakeup_new, timer_expire_entry
// and hrtimer_expire_entry events, recorded per vCPU and printed the way
// /sys/kernel/tracing/trace prints them (also readable there from the console: cat
// /sys/kernel/tracing/trace).
//
// On the simulation machine tracing is on from boot (boot_params::sim.trace) and, like dmesg, is
// the same bit for bit for the same seed: it is the record of the interleaving a seed produced.
// On the real machine it is off until trace_start().
//
// Differences from ftrace, on purpose: timer events name the callback (symbol, or
// object+offset for a static function) and omit the timer's address, so two runs of one build
// print the same text.
//
// Text events (trace_print: trace_printk() and the trace events of modules, see compat/) share
// the buffers and print after the timestamp as given, e.g. "my_func: hello" or
// "sample_event: count value=1 at jiffies=4294937296".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ktl/base/compiler.h"

namespace ktl {

// Starts recording into empty per-vCPU rings of `events_per_cpu` events (the oldest are
// overwritten). Needs a running kernel.
void trace_start(std::size_t events_per_cpu = 1 << 16);
void trace_stop();
bool trace_enabled() noexcept;
// Allocates the buffers if trace_start() has not, and turns on the recording of text events
// only (the scheduler events stay as they are), like trace_printk_init_buffers(). Needs a
// running kernel; idempotent. trace_stop() turns text events off too.
void trace_alloc_buffers(std::size_t events_per_cpu = 1 << 14);
bool trace_text_enabled() noexcept;
// Records a text event (at most 1024 bytes of `text`, without a trailing newline: one is added)
// with the current task, vCPU and time, if text events are on. Any context; never sleeps.
void trace_print(std::string_view text) noexcept;
// Events recorded since trace_start() (including the overwritten ones).
u64 trace_events_written() noexcept;
// The merged trace, oldest first, in the tracefs text format. Call it when the machine is at
// rest (simulation: between steps; real machine: after trace_stop()), or accept that events
// being written meanwhile may be cut.
std::string trace_text();

}  // namespace ktl
