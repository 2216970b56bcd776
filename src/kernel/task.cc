// task_struct helpers: names and state letters (fs/proc/array.c conventions).
#include <bit>
#include <cstring>

#include "ktl/sched/task.h"

namespace ktl {

namespace {
constexpr const char kStateChars[] = "RSDTtXZPI";
constexpr const char* kStateNames[] = {
    "R (running)", "S (sleeping)",     "D (disk sleep)", "T (stopped)", "t (tracing stop)",
    "X (dead)",    "Z (zombie)",       "P (parked)",     "I (idle)",
};
constexpr unsigned TASK_REPORT_IDLE = 8;
}  // namespace

unsigned task_state_index(const task_struct* p) noexcept {
  unsigned state = task_state(p);
  unsigned exit_state = p->exit_state.load(std::memory_order_relaxed);
  unsigned report = (state | exit_state) & TASK_REPORT;
  if ((state & TASK_IDLE) == TASK_IDLE && !exit_state) return TASK_REPORT_IDLE;
  if (state & (TASK_RTLOCK_WAIT | TASK_FROZEN)) report = TASK_UNINTERRUPTIBLE;
  return report ? static_cast<unsigned>(std::bit_width(report)) : 0;
}

char task_state_to_char(const task_struct* p) noexcept { return kStateChars[task_state_index(p)]; }
const char* task_state_name(const task_struct* p) noexcept {
  return kStateNames[task_state_index(p)];
}

void set_task_comm(task_struct* p, const char* name) noexcept {
  // Racy readers see either the old or the new name byte by byte, as on Linux; always
  // NUL-terminated because the last byte is never written with anything else.
  std::size_t n = std::strlen(name);
  if (n > TASK_COMM_LEN - 1) n = TASK_COMM_LEN - 1;
  std::memcpy(p->comm, name, n);
  std::memset(p->comm + n, 0, TASK_COMM_LEN - n);
}

char* get_task_comm(char* buf, std::size_t len, const task_struct* p) noexcept {
  if (!len) return buf;
  std::size_t n = strnlen(p->comm, TASK_COMM_LEN - 1);
  if (n >= len) n = len - 1;
  std::memcpy(buf, p->comm, n);
  buf[n] = 0;
  return buf;
}

}  // namespace ktl
