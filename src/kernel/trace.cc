// The scheduling trace: per-vCPU rings of fixed-size events, merged by sequence number when read.
#include "ktl/kernel/trace.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "kernel/trace_internal.h"
#include "ktl/sched/task.h"
#include "ktl/time/jiffies.h"
#include "locking/host_lock.h"
#include "sched/sched_internal.h"

namespace ktl {
namespace internal {

std::atomic<bool> g_trace_on{false};
// Text events (trace_print) are recorded while this is set (trace_start, trace_alloc_buffers).
std::atomic<bool> g_text_on{false};

namespace {

enum trace_type : u8 {
  EV_SWITCH,
  EV_WAKEUP,
  EV_WAKEUP_NEW,
  EV_TIMER,
  EV_HRTIMER,
  // A text event: the head slot (arg = text length, comm2 = its first bytes), followed by
  // continuation slots with consecutive sequence numbers, each carrying kTextPerCont more bytes
  // in comm + comm2.
  EV_TEXT,
  EV_TEXT_CONT,
};

struct trace_rec {
  u64 seq;
  u64 ts;
  const void* fn;
  s32 cpu;
  s32 pid;        // the task that was current (switch: prev)
  s32 pid2;       // switch: next; wake-up: the woken task
  s32 prio;
  s32 prio2;
  s32 arg;        // wake-up: target CPU; timer: jiffies (low 32 bits)
  u8 type;
  char state;     // switch: prev's state
  char comm[TASK_COMM_LEN];
  char comm2[TASK_COMM_LEN];
};

// A ring of records left uninitialised until written (no page of it is touched before use:
// a simulated test boots once per seed).
struct trace_ring {
  std::unique_ptr<trace_rec[]> slots;
  std::size_t size = 0;
  u64 head = 0;  // events written (the slot is head % size)
  void init(std::size_t n) {
    slots.reset(new trace_rec[n]);
    size = n;
  }
  bool empty() const { return size == 0; }
  trace_rec& operator[](u64 i) { return slots[i % size]; }
};

struct trace_state {
  std::vector<std::unique_ptr<trace_ring>> cpus;
  trace_ring host;
  host_lock host_mu;
  std::atomic<u64> seq{0};
  std::atomic<u64> cont_slots{0};  // continuation slots of text events (not events themselves)
  int nr_cpus = 0;
};

trace_state* g_trace = nullptr;
std::mutex g_alloc_mu;  // serialises the allocation of g_trace

constexpr std::size_t kTextHead = sizeof(trace_rec::comm2);
constexpr std::size_t kTextPerCont = sizeof(trace_rec::comm) + sizeof(trace_rec::comm2);
constexpr std::size_t kTextMax = 1024;

trace_ring* ring_for_current(int* cpu) {
  rq* r = this_rq();
  if (r) {
    *cpu = r->cpu;
    return g_trace->cpus[static_cast<std::size_t>(r->cpu)].get();
  }
  *cpu = -1;
  return nullptr;
}

void copy_comm(char* dst, const task_struct* p) {
  std::memcpy(dst, p->comm, TASK_COMM_LEN);
  dst[TASK_COMM_LEN - 1] = 0;
}

// Fills the slot with fill(rec) on this vCPU's ring (or the host ring).
template <typename Fill>
void emit(Fill fill) {
  trace_state* ts = g_trace;
  if (!ts) return;
  int cpu;
  trace_ring* ring = ring_for_current(&cpu);
  auto write = [&](trace_ring* rg) {
    if (rg->empty()) return;
    trace_rec& r = (*rg)[rg->head];
    rg->head++;
    r.seq = ts->seq.fetch_add(1, std::memory_order_relaxed);
    r.ts = ktime_get_ns();
    r.cpu = cpu;
    task_struct* cur = get_current();
    r.pid = cur->pid;
    r.prio = cur->prio;
    copy_comm(r.comm, cur);
    fill(r);
  };
  if (ring) {
    write(ring);
  } else {
    host_lock_guard g(ts->host_mu);
    write(&ts->host);
  }
}

}  // namespace

void trace_sched_switch(int, const task_struct* prev, const task_struct* next,
                        bool prev_blocked) noexcept {
  emit([&](trace_rec& r) {
    r.type = EV_SWITCH;
    r.pid = prev->pid;
    r.prio = prev->prio;
    copy_comm(r.comm, prev);
    r.pid2 = next->pid;
    r.prio2 = next->prio;
    copy_comm(r.comm2, next);
    r.state = prev_blocked ? task_state_to_char(prev) : 'R';
    if (task_state(prev) == TASK_DEAD) r.state = 'X';
  });
}

void trace_sched_wakeup(const task_struct* p, int target_cpu, bool new_task) noexcept {
  emit([&](trace_rec& r) {
    r.type = new_task ? EV_WAKEUP_NEW : EV_WAKEUP;
    r.pid2 = p->pid;
    r.prio2 = p->prio;
    copy_comm(r.comm2, p);
    r.arg = target_cpu;
  });
}

void trace_timer_expire(const void* fn, unsigned long now, bool hr) noexcept {
  emit([&](trace_rec& r) {
    r.type = hr ? EV_HRTIMER : EV_TIMER;
    r.fn = fn;
    r.arg = static_cast<s32>(now);
  });
}

// A text event in 1 + n consecutive slots of the current vCPU's ring (or the host ring).
void emit_text(std::string_view text) noexcept {
  trace_state* ts = g_trace;
  if (!ts) return;
  int cpu;
  trace_ring* ring = ring_for_current(&cpu);
  auto write = [&](trace_ring* rg) {
    if (rg->empty()) return;
    std::size_t len = std::min(text.size(), kTextMax);
    std::size_t max_len = kTextHead + (rg->size - 1) * kTextPerCont;
    len = std::min(len, max_len);
    std::size_t conts = len > kTextHead ? (len - kTextHead + kTextPerCont - 1) / kTextPerCont : 0;
    u64 seq = ts->seq.fetch_add(1 + conts, std::memory_order_relaxed);
    ts->cont_slots.fetch_add(conts, std::memory_order_relaxed);
    trace_rec& h = (*rg)[rg->head++];
    h.seq = seq;
    h.ts = ktime_get_ns();
    h.cpu = cpu;
    task_struct* cur = get_current();
    h.pid = cur->pid;
    h.prio = cur->prio;
    copy_comm(h.comm, cur);
    h.type = EV_TEXT;
    h.arg = static_cast<s32>(len);
    std::size_t at = std::min(len, kTextHead);
    std::memcpy(h.comm2, text.data(), at);
    for (std::size_t i = 1; i <= conts; ++i) {
      trace_rec& c = (*rg)[rg->head++];
      c.seq = seq + i;
      c.type = EV_TEXT_CONT;
      c.cpu = cpu;
      std::size_t n = std::min(len - at, kTextPerCont);
      std::size_t first = std::min(n, sizeof c.comm);
      std::memcpy(c.comm, text.data() + at, first);
      if (n > first) std::memcpy(c.comm2, text.data() + at + first, n - first);
      at += n;
    }
  };
  if (ring) {
    write(ring);
  } else {
    host_lock_guard g(ts->host_mu);
    write(&ts->host);
  }
}

// Allocates g_trace if needed (the caller holds g_alloc_mu).
void alloc_state(std::size_t events_per_cpu) {
  if (g_trace) return;
  auto* ts = new trace_state();
  ts->nr_cpus = g_kernel.nr_cpus;
  for (int c = 0; c < ts->nr_cpus; ++c) {
    ts->cpus.push_back(std::make_unique<trace_ring>());
    ts->cpus.back()->init(std::max<std::size_t>(events_per_cpu, 16));
  }
  ts->host.init(std::max<std::size_t>(events_per_cpu / 4, 16));
  g_trace = ts;
}

void trace_boot(bool on) {
  trace_fini();
  if (on) trace_start();
}

void trace_fini() {
  g_trace_on.store(false);
  g_text_on.store(false);
  delete g_trace;
  g_trace = nullptr;
}

}  // namespace internal

using namespace internal;

void trace_start(std::size_t events_per_cpu) {
  if (g_trace_on.load() || !g_kernel.nr_cpus) return;
  {
    std::lock_guard<std::mutex> g(g_alloc_mu);
    alloc_state(events_per_cpu);
  }
  g_text_on.store(true);
  g_trace_on.store(true);
}

void trace_stop() {
  g_trace_on.store(false);
  g_text_on.store(false);
}
bool trace_enabled() noexcept { return g_trace_on.load(std::memory_order_relaxed); }
u64 trace_events_written() noexcept {
  return g_trace ? g_trace->seq.load(std::memory_order_relaxed) -
                       g_trace->cont_slots.load(std::memory_order_relaxed)
                 : 0;
}

void trace_alloc_buffers(std::size_t events_per_cpu) {
  if (!g_kernel.nr_cpus) return;
  {
    std::lock_guard<std::mutex> g(g_alloc_mu);
    alloc_state(events_per_cpu);
  }
  g_text_on.store(true, std::memory_order_release);
}

bool trace_text_enabled() noexcept { return g_text_on.load(std::memory_order_acquire); }

void trace_print(std::string_view text) noexcept {
  if (!g_text_on.load(std::memory_order_acquire)) return;
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  emit_text(text);
}

namespace {

// A callback's name that is the same in every run of one build: its symbol, or the object it is
// in plus the offset (static functions have no dynamic symbol; addresses move with ASLR).
std::string symbol_name(const void* fn) {
  Dl_info info;
  if (fn && dladdr(fn, &info)) {
    if (info.dli_sname) return info.dli_sname;
    const char* obj = info.dli_fname ? std::strrchr(info.dli_fname, '/') : nullptr;
    obj = obj ? obj + 1 : (info.dli_fname ? info.dli_fname : "?");
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s+0x%lx", obj,
                  static_cast<unsigned long>(reinterpret_cast<const char*>(fn) -
                                             static_cast<const char*>(info.dli_fbase)));
    return buf;
  }
  return "?";
}

void task_col(char* out, std::size_t n, const char* comm, int pid) {
  char name[TASK_COMM_LEN + 8];
  std::snprintf(name, sizeof name, "%s", pid == 0 ? "<idle>" : comm);
  std::snprintf(out, n, "%16s-%-7d", name, pid);
}

}  // namespace

std::string trace_text() {
  std::vector<trace_rec> all;
  u64 written = 0;
  int nr = 0;
  if (trace_state* ts = g_trace) {
    nr = ts->nr_cpus;
    auto take = [&](trace_ring& rg) {
      u64 n = std::min<u64>(rg.head, rg.size);
      for (u64 i = rg.head - n; i < rg.head; ++i) all.push_back(rg[i]);
    };
    for (auto& rg : ts->cpus) take(*rg);
    {
      host_lock_guard g(ts->host_mu);
      take(ts->host);
    }
    written = ts->seq.load(std::memory_order_relaxed);
  }
  std::sort(all.begin(), all.end(),
            [](const trace_rec& a, const trace_rec& b) { return a.seq < b.seq; });
  std::size_t entries = 0;
  for (const trace_rec& r : all) entries += r.type != EV_TEXT_CONT;
  if (trace_state* ts = g_trace) written -= ts->cont_slots.load(std::memory_order_relaxed);
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line,
                "# tracer: nop\n#\n# entries-in-buffer/entries-written: %zu/%llu   #P:%d\n#\n"
                "#           TASK-PID     CPU#     TIMESTAMP  FUNCTION\n"
                "#              | |         |         |         |\n",
                entries, static_cast<unsigned long long>(written), nr);
  out += line;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const trace_rec& r = all[i];
    if (r.type == EV_TEXT_CONT) continue;  // the head was overwritten
    char who[48];
    if (r.cpu < 0)
      std::snprintf(who, sizeof who, "%16s-%-7d [---]", "<host>", 0);
    else {
      task_col(who, sizeof who, r.comm, r.pid);
      std::size_t len = std::strlen(who);
      std::snprintf(who + len, sizeof who - len, " [%03d]", r.cpu);
    }
    int n = std::snprintf(line, sizeof line, "%s %5llu.%06llu: ", who,
                          static_cast<unsigned long long>(r.ts / 1000000000ull),
                          static_cast<unsigned long long>(r.ts % 1000000000ull / 1000));
    std::size_t at = static_cast<std::size_t>(n);
    switch (r.type) {
      case EV_SWITCH:
        std::snprintf(line + at, sizeof line - at,
                      "sched_switch: prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%c ==> "
                      "next_comm=%s next_pid=%d next_prio=%d\n",
                      r.comm, r.pid, r.prio, r.state, r.comm2, r.pid2, r.prio2);
        break;
      case EV_WAKEUP:
      case EV_WAKEUP_NEW:
        std::snprintf(line + at, sizeof line - at, "%s: comm=%s pid=%d prio=%d target_cpu=%03d\n",
                      r.type == EV_WAKEUP ? "sched_wakeup" : "sched_wakeup_new", r.comm2, r.pid2,
                      r.prio2, r.arg);
        break;
      case EV_TIMER:
        std::snprintf(line + at, sizeof line - at, "timer_expire_entry: function=%s now=%u\n",
                      symbol_name(r.fn).c_str(), static_cast<unsigned>(r.arg));
        break;
      case EV_HRTIMER:
        std::snprintf(line + at, sizeof line - at, "hrtimer_expire_entry: function=%s\n",
                      symbol_name(r.fn).c_str());
        break;
      case EV_TEXT: {
        line[at] = 0;
        out += line;
        std::size_t len = static_cast<std::size_t>(r.arg);
        std::size_t got = std::min(len, kTextHead);
        out.append(r.comm2, got);
        for (std::size_t j = i + 1; got < len && j < all.size() && all[j].type == EV_TEXT_CONT &&
                                    all[j].seq == r.seq + (j - i);
             ++j) {
          std::size_t n = std::min(len - got, kTextPerCont);
          std::size_t first = std::min(n, sizeof r.comm);
          out.append(all[j].comm, first);
          if (n > first) out.append(all[j].comm2, n - first);
          got += n;
        }
        out += '\n';
        continue;
      }
      default:
        continue;
    }
    out += line;
  }
  return out;
}

}  // namespace ktl
