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
#pragma once

#include <cstddef>
#include <string>

#include "ktl/base/compiler.h"

namespace ktl {

// Starts recording into empty per-vCPU rings of `events_per_cpu` events (the oldest are
// overwritten). Needs a running kernel.
void trace_start(std::size_t events_per_cpu = 1 << 16);
void trace_stop();
bool trace_enabled() noexcept;
// Events recorded since trace_start() (including the overwritten ones).
u64 trace_events_written() noexcept;
// The merged trace, oldest first, in the tracefs text format. Call it when the machine is at
// rest (simulation: between steps; real machine: after trace_stop()), or accept that events
// being written meanwhile may be cut.
std::string trace_text();

}  // namespace ktl
