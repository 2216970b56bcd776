// A hierarchical, cascading timer wheel: the pure data structure behind the per-vCPU timer base.
//
// What this is
// ------------
// The timer base (the timer_list API: add_timer, mod_timer, timer_delete, timer_delete_sync) keeps
// its pending timers in one `timer_wheel` per base. The wheel only stores intrusive `wheel_node`s
// keyed by their `expires` jiffy and hands them back, in order, once the wheel's clock has reached
// that jiffy. It never allocates, never locks and never calls anything: running callbacks, tracking
// which timer is currently running and all synchronisation are the timer base's job.
//
// Locking contract
// ----------------
// Nothing in this file is thread-safe. The caller holds its base lock around every call into a
// wheel, including `wheel_node::unlink()` / `timer_wheel::remove()` and every operation on a
// `wheel_list` that holds nodes handed out by `collect_expired()`.
//
// Time and wrap-around
// --------------------
// Time is counted in jiffies (`unsigned long`, 64 bits). Jiffies start at a large value and may
// wrap, so every ordering decision uses signed differences:
//     `a` is at or before `b`  iff  `(long)(a - b) <= 0`.
// Consequently a node's expiry lies in the future iff `(long)(expires - clock()) > 0`, i.e. at most
// LONG_MAX jiffies ahead; an expiry further ahead than that reads as being in the past, exactly as
// it would for time_after().
//
// Layout
// ------
//   level 0 : 256 slots, 1 jiffy each           -> deltas [0, 2^8)        (exact slots)
//   level 1 :  64 slots, 2^8 jiffies each        -> deltas [2^8, 2^14)
//   level 2 :  64 slots, 2^14 jiffies each       -> deltas [2^14, 2^20)
//   ...
//   level L :  64 slots, 2^(8+6(L-1)) jiffies    -> deltas [2^(8+6(L-1)), 2^(8+6L))
//   ...
//   level 10:  64 slots, 2^62 jiffies each       -> deltas [2^62, 2^63)   (only 4 slots ever used)
// Here "delta" is `expires - (clock() + 1)`, the distance from the next jiffy the wheel will
// process. Eleven levels cover every future delta (at most LONG_MAX = 2^63 - 1), so no expiry ever
// needs to be clamped: far expiries simply land in level 10. A node in level L >= 1 sits in slot
// `(expires >> shift(L)) & 63`; a level-0 node sits in slot `expires & 255`.
//
// Why cascading (and not Linux 6.x's non-cascading wheel)
// -------------------------------------------------------
// ktl promises *exact* expiry: a node whose expiry is E is handed out by the first
// `collect_expired(now)` with `now >= E`, never earlier and never later. A non-cascading wheel
// rounds far expiries up to its coarse granularity (up to ~12.5% late) to avoid ever touching a
// timer twice. The cascading wheel instead re-files a coarse slot's nodes into finer levels when
// the wheel's clock reaches the start of that slot's span ("cascading"); by the time a node's jiffy
// arrives it sits in its exact level-0 slot. Because a level-L slot's span starts at `expires` with
// its low shift(L) bits cleared and no other slot of that level reaches the same index before then,
// the cascade happens exactly once per level, at exactly the right jiffy.
//
// FIFO among equal expiries
// -------------------------
// For one expiry value, nodes added earlier sit in the same or a higher level than nodes added
// later (the delta only shrinks as the clock advances). Cascading therefore runs the lowest level
// first and *prepends* the cascaded nodes (keeping their relative order) to their target slots, so
// older nodes stay in front of younger nodes with the same expiry. Nodes added with an expiry at or
// before the clock ("overdue") are kept on their own list and handed out first by the next collect,
// stably sorted by expiry.
//
// Costs
// -----
//   add / remove          : O(1) (a few shifts, a bit_width and a list link/unlink).
//   collect_expired       : O(expired nodes + cascaded nodes + non-empty slots visited). Each node
//                           cascades at most once per level (<= 10 times over its life, and usually
//                           0-2 times). Empty stretches of time are skipped with the per-level
//                           occupancy bitmaps, so jumping the clock by an hour (or by 2^62 jiffies)
//                           costs only the nodes and slots it passes, not the jiffies.
//   next_expiry / empty   : O(levels) bitmap scans, plus one step per stale bitmap bit (see below).
// Memory: 896 sentinel-headed lists (about 21 KiB) plus 14 bitmap words per wheel.
//
// Occupancy bitmaps are lazy
// --------------------------
// A node can be unlinked without the wheel knowing (`wheel_node::unlink()` is a plain list
// operation), so a set bit only means "this slot may be non-empty". Whoever finds a slot empty
// clears its bit.
#pragma once

#include <cassert>
#include <climits>
#include <cstddef>
#include <cstdint>

namespace ktl::internal {

// An intrusive list link plus the expiry it is sorted by. The timer base embeds one in every timer.
// `next` is also read without the base lock (timer_pending(), like Linux's lockless
// hlist_unhashed check), so every write of it is a relaxed atomic store (WRITE_ONCE).
struct wheel_node;
inline void wheel_set_next(wheel_node** field, wheel_node* v) noexcept {
  __atomic_store_n(field, v, __ATOMIC_RELAXED);
}
struct wheel_node {
  wheel_node* next = nullptr;  // nullptr <=> not on any list ("not pending").
  wheel_node* prev = nullptr;
  unsigned long expires = 0;

  bool linked() const noexcept { return __atomic_load_n(&next, __ATOMIC_RELAXED) != nullptr; }

  // Removes the node from whichever circular list it is on (a wheel slot, the wheel's overdue list
  // or a caller's wheel_list). Every list has a sentinel, so the neighbours always exist and the
  // removal needs no knowledge of the owning list. Unlinking a node that is not linked is a
  // harmless no-op, which lets the timer base delete a timer without first checking whether it is
  // pending.
  void unlink() noexcept {
    if (next == nullptr) return;
    wheel_set_next(&prev->next, next);
    next->prev = prev;
    wheel_set_next(&next, nullptr);
    prev = nullptr;
  }
};

// A circular doubly linked list of wheel_nodes with an embedded sentinel. Used both for the wheel's
// slots and for handing expired nodes to the caller. The sentinel's address is stored in its
// neighbours, so the list can be neither copied nor moved.
class wheel_list {
 public:
  wheel_list() noexcept {
    wheel_set_next(&head_.next, &head_);
    head_.prev = &head_;
  }
  wheel_list(const wheel_list&) = delete;
  wheel_list& operator=(const wheel_list&) = delete;
  // Nodes still on the list are detached rather than left pointing at a dead sentinel, so a later
  // unlink() of such a node stays safe. This touches the nodes, so they must outlive the list (and
  // hence the timer_wheel) or have been removed from it.
  ~wheel_list() { clear(); }

  bool empty() const noexcept { return head_.next == &head_; }

  // The first node, or nullptr if the list is empty. The node stays linked.
  wheel_node* front() const noexcept { return empty() ? nullptr : head_.next; }

  // The node after `n` (which must be on this list), or nullptr if `n` is the last one. Together
  // with front() this allows a read-only walk without exposing the sentinel.
  wheel_node* next_of(const wheel_node* n) const noexcept {
    return n->next == &head_ ? nullptr : n->next;
  }

  void push_back(wheel_node* n) noexcept {
    assert(!n->linked());
    insert_between(n, head_.prev, &head_);
  }

  void push_front(wheel_node* n) noexcept {
    assert(!n->linked());
    insert_between(n, &head_, head_.next);
  }

  // Removes and returns the first node (now unlinked), or nullptr if the list is empty.
  wheel_node* pop_front() noexcept {
    if (empty()) return nullptr;
    wheel_node* n = head_.next;
    n->unlink();
    return n;
  }

  // Removes and returns the last node (now unlinked), or nullptr if the list is empty.
  wheel_node* pop_back() noexcept {
    if (empty()) return nullptr;
    wheel_node* n = head_.prev;
    n->unlink();
    return n;
  }

  // Moves every node of `other` to the end of this list, keeping their order, in O(1).
  void splice_back(wheel_list& other) noexcept {
    if (&other == this || other.empty()) return;
    wheel_node* first = other.head_.next;
    wheel_node* last = other.head_.prev;
    wheel_set_next(&other.head_.next, &other.head_);
    other.head_.prev = &other.head_;
    first->prev = head_.prev;
    wheel_set_next(&head_.prev->next, first);
    wheel_set_next(&last->next, &head_);
    head_.prev = last;
  }

  // Unlinks every node (O(n)); afterwards each former member reports !linked().
  void clear() noexcept {
    while (pop_front() != nullptr) {
    }
  }

 private:
  static void insert_between(wheel_node* n, wheel_node* before, wheel_node* after) noexcept {
    n->prev = before;
    wheel_set_next(&n->next, after);
    wheel_set_next(&before->next, n);
    after->prev = n;
  }

  wheel_node head_;  // Only next/prev are used; `expires` of the sentinel is meaningless.
};

class timer_wheel {
 public:
  static constexpr unsigned kLevel0Bits = 8;
  static constexpr unsigned kLevel0Size = 1u << kLevel0Bits;  // 256
  static constexpr unsigned kLevelBits = 6;
  static constexpr unsigned kLevelSize = 1u << kLevelBits;  // 64
  // Level 0 plus enough 6-bit levels to reach bit 63: 8 + 6 * 10 = 68 >= 63.
  static constexpr unsigned kLevels = 1 + (63 - kLevel0Bits + kLevelBits - 1) / kLevelBits;  // 11
  // The largest distance into the future that an expiry can have (see "Time and wrap-around").
  static constexpr unsigned long kMaxDelta = LONG_MAX;

  explicit timer_wheel(unsigned long now) noexcept;
  timer_wheel(const timer_wheel&) = delete;
  timer_wheel& operator=(const timer_wheel&) = delete;

  // Files `n` by `n->expires`. Precondition: !n->linked(). An expiry at or before clock() is due at
  // the next collect_expired() call.
  void add(wheel_node* n) noexcept;

  // O(1). The wheel tolerates nodes disappearing behind its back, so this is just an unlink.
  static void remove(wheel_node* n) noexcept { n->unlink(); }

  // Advances the clock to `now` and moves every node with `expires <= now` to the end of `out`:
  // first the overdue nodes (those added with an expiry at or before the old clock) sorted by
  // expiry, then the rest in expiry order; equal expiries come out in the order they were added.
  // The moved nodes stay linked (they now sit in `out`), so the caller may still unlink one before
  // running it. The clock is monotonic: a `now` before clock() does not move it, but overdue nodes
  // are still handed out, because they were due at the clock already.
  void collect_expired(unsigned long now, wheel_list& out) noexcept;

  // A lower bound on the earliest pending expiry, for programming the next wake-up:
  //  - clock() if overdue nodes are waiting (they are due right now);
  //  - the exact expiry if the earliest event is a level-0 slot;
  //  - otherwise the jiffy at which the earliest non-empty coarse slot cascades (every node in it
  //    expires at or after that jiffy; after that collect, next_expiry() becomes more precise);
  //  - clock() + limit if the wheel is empty or nothing can become due within `limit` jiffies.
  // `limit` is clamped to [1, LONG_MAX], so unless something is overdue the result is after
  // clock(). Logically const; it may clear stale occupancy bits.
  unsigned long next_expiry(unsigned long limit) const noexcept;

  unsigned long clock() const noexcept { return clk_; }

  // Moves every pending node to `out` (in no particular order) and leaves the wheel empty: the
  // timers of a vCPU that went offline are filed again on another one.
  void take_all(wheel_list& out) noexcept;

  // Calls fn(node) for every pending node, in no particular order (the module loader's unload
  // check looks for timers whose callback lies in the module). fn must not change the wheel.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    auto walk = [&fn](const wheel_list& l) {
      for (wheel_node* n = l.front(); n != nullptr; n = l.next_of(n)) fn(n);
    };
    walk(overdue_);
    for (const auto& l : level0_) walk(l);
    for (const auto& level : upper_)
      for (const auto& l : level) walk(l);
  }

  // True if no node is pending. Logically const; it clears the stale occupancy bits it finds.
  bool empty() const noexcept;

 private:
  static constexpr unsigned long kNoEvent = ULONG_MAX;
  static constexpr unsigned kUpperLevels = kLevels - 1;
  static constexpr unsigned kLevel0Words = kLevel0Size / 64;

  // Bit position of the slot index of upper level `lvl` (1-based: level 1 -> 8, level 2 -> 14,
  // ...).
  static constexpr unsigned shift_of(unsigned lvl) noexcept {
    return kLevel0Bits + kLevelBits * (lvl - 1);
  }

  // Files `n` relative to the next jiffy to be processed (clk_ + 1). Precondition: n->expires is
  // after clk_. `front` is used by cascading to keep older nodes ahead of younger ones (see the
  // header).
  void place(wheel_node* n, bool front) noexcept;

  // Distance from clk_ + 1 to the earliest jiffy whose processing would hand out or cascade a node,
  // or kNoEvent if nothing is pending in the levels. Clears stale bits it runs into.
  unsigned long next_event_distance() const noexcept;

  // Processes jiffy `j` (which must be after clk_): cascades the coarse slots whose span starts at
  // j, then moves level-0 slot j & 255 to `out`, and sets clk_ = j.
  void process_jiffy(unsigned long j, wheel_list& out) noexcept;

  // Re-files every node of upper-level slot (lvl, idx) relative to clk_ + 1.
  void cascade(unsigned lvl, unsigned idx) noexcept;

  // Moves the overdue nodes to `out`, stably sorted by expiry.
  void flush_overdue(wheel_list& out) noexcept;

  unsigned long clk_;  // Every node with expires <= clk_ has been handed out (or is overdue).
  wheel_list overdue_;
  wheel_list level0_[kLevel0Size];
  wheel_list upper_[kUpperLevels][kLevelSize];
  // Occupancy: a set bit means "maybe non-empty"; a clear bit means "certainly empty".
  mutable std::uint64_t level0_bits_[kLevel0Words] = {};
  mutable std::uint64_t upper_bits_[kUpperLevels] = {};
};

}  // namespace ktl::internal
