// ps (procps-ng) over the ktl task list, reading the same data /proc shows.
//
//   ktl::ps("-eo pid,ppid,stat,psr,ni,cls,rtprio,command");
//   ktl::ps("-e");        //   PID TTY          TIME CMD
//   ktl::ps("aux");       // USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND
//   ktl::ps("-ef");       // UID        PID  PPID  C STIME TTY          TIME CMD
//
// Options: -e/-A (every process; also the default selection), -p PID[,PID], -o/-eo FORMAT
// (comma or space separated keys; "key=Header" renames the last one), aux/ax, -f/-ef.
// Keys: pid ppid tid/lwp/spid tgid stat state/s psr ni/nice cls/class/policy rtprio pri prio
// comm/ucmd/ucomm args/command/cmd tty/tt time cputime etime user/euser uid pcpu/%cpu pmem/%mem
// vsz rss wchan nlwp flags/f c stime/start_time start.
// One row per process (thread-group leader), sorted by pid; idle tasks (pid 0) are not listed.
// Kernel threads show as [name] in args/command (their cmdline is empty). STAT = state letter
// plus '<' (nice < 0), 'N' (nice > 0), 's' (session leader), 'l' (multi-threaded), '+' (foreground
// group) — ktl has no sessions or ttys, so kthreads and user tasks only ever get '<', 'N', 'l'.
// The PID columns are as wide as the digits of pid_max - 1 (at least 5), like procps-ng.
#pragma once

#include <string>

namespace ktl {

// The listing; for a bad option or key: the procps error text (one line, "error: ...").
std::string ps(const std::string& format_spec);
// 0 and *out = listing, or -EINVAL and *out = the error text.
int ps(const std::string& format_spec, std::string* out);

}  // namespace ktl
