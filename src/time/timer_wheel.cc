// Implementation of the cascading timer wheel; the design is described at the top of timer_wheel.h.
#include "time/timer_wheel.h"

#include <bit>

namespace ktl::internal {

namespace {

// Signed distance of `e` from the clock: > 0 means "in the future". Casting the unsigned difference
// to long is what makes every comparison in this file immune to jiffies wrapping around.
inline long signed_delta(unsigned long e, unsigned long clk) noexcept {
  return static_cast<long>(e - clk);
}

// Distance (0..255) from position `p` to the first set bit at or after `p` in a 256-bit map, going
// round the end of the map; 256 if no bit is set. Level 0 is a ring indexed by the low byte of the
// jiffy, so "the next non-empty slot" is a circular search that starts at the slot of the next
// jiffy.
inline unsigned circular_distance256(const std::uint64_t (&bits)[4], unsigned p) noexcept {
  const unsigned w = p >> 6;
  const unsigned b = p & 63;
  // The bits of p's own word at or after p come first.
  std::uint64_t m = bits[w] & (~std::uint64_t{0} << b);
  if (m != 0) return w * 64 + static_cast<unsigned>(std::countr_zero(m)) - p;
  // Then the following words, wrapping round. Unsigned arithmetic modulo 256 yields the ring
  // distance.
  for (unsigned i = 1; i < 4; ++i) {
    const unsigned ww = (w + i) & 3;
    if (bits[ww] != 0) {
      return (ww * 64 + static_cast<unsigned>(std::countr_zero(bits[ww])) - p) & 255;
    }
  }
  // Finally the bits of p's own word that lie before p (the far end of the ring).
  if (b != 0) {
    m = bits[w] & ((std::uint64_t{1} << b) - 1);
    if (m != 0) return (w * 64 + static_cast<unsigned>(std::countr_zero(m)) - p) & 255;
  }
  return 256;
}

// Stable merge sort of a nullptr-terminated chain (linked through `next` only) of `len` nodes,
// ordered by their signed distance from `clk`. Overdue nodes are rare and few, so the simple
// top-down variant is plenty; stability keeps equal expiries in the order they were added.
wheel_node* sort_chain(wheel_node* head, std::size_t len, unsigned long clk) noexcept {
  if (len < 2) return head;
  const std::size_t half = len / 2;
  wheel_node* tail = head;
  for (std::size_t i = 1; i < half; ++i) tail = tail->next;
  wheel_node* right = tail->next;
  wheel_set_next(&tail->next, nullptr);
  wheel_node* a = sort_chain(head, half, clk);
  wheel_node* b = sort_chain(right, len - half, clk);
  wheel_node dummy;
  wheel_node* t = &dummy;
  while (a != nullptr && b != nullptr) {
    // Taking from the left run on ties is what makes the sort stable.
    if (signed_delta(b->expires, clk) < signed_delta(a->expires, clk)) {
      wheel_set_next(&t->next, b);
      b = b->next;
    } else {
      wheel_set_next(&t->next, a);
      a = a->next;
    }
    t = t->next;
  }
  wheel_set_next(&t->next, (a != nullptr) ? a : b);
  return dummy.next;
}

}  // namespace

timer_wheel::timer_wheel(unsigned long now) noexcept : clk_(now) {}

void timer_wheel::add(wheel_node* n) noexcept {
  assert(!n->linked());
  if (signed_delta(n->expires, clk_) <= 0) {
    // Already due: the wheel's slots only describe the future, so keep it aside for the next
    // collect.
    overdue_.push_back(n);
    return;
  }
  place(n, /*front=*/false);
}

void timer_wheel::place(wheel_node* n, bool front) noexcept {
  const unsigned long e = n->expires;
  assert(signed_delta(e, clk_) > 0);
  // Distances are measured from the next jiffy to be processed, so that a level-0 node is always
  // within the 256 jiffies [clk_ + 1, clk_ + 256] and its slot is unambiguous.
  const unsigned long delta = e - (clk_ + 1);
  wheel_list* list;
  if (delta < kLevel0Size) {
    const unsigned slot = static_cast<unsigned>(e & (kLevel0Size - 1));
    level0_bits_[slot >> 6] |= std::uint64_t{1} << (slot & 63);
    list = &level0_[slot];
  } else {
    // delta in [2^(8+6(L-1)), 2^(8+6L)) selects level L; bit_width is 9..14 for level 1, and so on.
    const unsigned lvl =
        1 + (static_cast<unsigned>(std::bit_width(delta)) - (kLevel0Bits + 1)) / kLevelBits;
    assert(lvl < kLevels);
    const unsigned idx = static_cast<unsigned>((e >> shift_of(lvl)) & (kLevelSize - 1));
    upper_bits_[lvl - 1] |= std::uint64_t{1} << idx;
    list = &upper_[lvl - 1][idx];
  }
  if (front) {
    list->push_front(n);
  } else {
    list->push_back(n);
  }
}

unsigned long timer_wheel::next_event_distance() const noexcept {
  const unsigned long base = clk_ + 1;
  unsigned long best = kNoEvent;

  // Level 0: the first non-empty slot going round the ring from the next jiffy's slot. Its distance
  // is exact because a level-0 slot only ever holds the one expiry in [base, base + 255] that maps
  // to it.
  const unsigned p = static_cast<unsigned>(base & (kLevel0Size - 1));
  for (;;) {
    const unsigned d = circular_distance256(level0_bits_, p);
    if (d == kLevel0Size) break;
    const unsigned slot = (p + d) & (kLevel0Size - 1);
    if (!level0_[slot].empty()) {
      best = d;
      break;
    }
    level0_bits_[slot >> 6] &= ~(std::uint64_t{1} << (slot & 63));  // Stale: clear and look again.
  }

  // Upper levels: slot idx of level L cascades at the first jiffy >= base that is a multiple of
  // 2^shift and whose index (jiffy >> shift) & 63 is idx. Every node in that slot expires at or
  // after it.
  for (unsigned lvl = 1; lvl < kLevels; ++lvl) {
    const unsigned shift = shift_of(lvl);
    const unsigned long span = 1UL << shift;
    // The first span boundary at or after base; written so that it wraps instead of overflowing.
    const unsigned long boundary = (base & ~(span - 1)) + ((base & (span - 1)) != 0 ? span : 0);
    const unsigned long first = boundary - base;
    // Boundaries of coarser levels are never earlier than those of finer ones, so once the next
    // boundary is no better than what we have, no higher level can improve on it either.
    if (first >= best) break;
    std::uint64_t& bits = upper_bits_[lvl - 1];
    const unsigned i0 = static_cast<unsigned>((boundary >> shift) & (kLevelSize - 1));
    while (bits != 0) {
      // Rotating by i0 turns "first set index at or after i0, circularly" into a count of zeros,
      // which is also the number of spans until that slot cascades. For level 10 only indices 0..3
      // occur and they cycle with period 4; because 64 is a multiple of 4 and the shift wraps
      // modulo 2^64, the same formula still yields the right jiffy.
      const unsigned k =
          static_cast<unsigned>(std::countr_zero(std::rotr(bits, static_cast<int>(i0))));
      const unsigned idx = (i0 + k) & (kLevelSize - 1);
      if (upper_[lvl - 1][idx].empty()) {
        bits &= ~(std::uint64_t{1} << idx);  // Stale: clear and look again.
        continue;
      }
      const unsigned long d = first + (static_cast<unsigned long>(k) << shift);
      if (d < best) best = d;
      break;
    }
  }
  return best;
}

void timer_wheel::cascade(unsigned lvl, unsigned idx) noexcept {
  const std::uint64_t bit = std::uint64_t{1} << idx;
  std::uint64_t& bits = upper_bits_[lvl - 1];
  if ((bits & bit) == 0) return;
  bits &= ~bit;
  // Detach the slot first. Every node's remaining delta is below this level's span, so none should
  // land back in this slot; working on a private list guarantees termination even if one did.
  wheel_list moving;
  moving.splice_back(upper_[lvl - 1][idx]);
  // Walking back to front and prepending keeps the cascaded nodes in their relative order and puts
  // them ahead of nodes already in the target slots: for any one expiry those were added later
  // (they were filed at a lower level because their delta was smaller), so FIFO order among equal
  // expiries holds.
  while (wheel_node* n = moving.pop_back()) {
    assert(n->expires - (clk_ + 1) < (1UL << shift_of(lvl)));
    place(n, /*front=*/true);
  }
}

void timer_wheel::process_jiffy(unsigned long j, wheel_list& out) noexcept {
  // Pretend the clock stands just before j so that cascaded nodes are re-filed relative to j.
  clk_ = j - 1;
  if ((j & (kLevel0Size - 1)) == 0) {
    // j starts a new level-1 span; it also starts a level-(L+1) span iff level L's index wrapped to
    // 0. Lower levels go first: see cascade() for why that, together with prepending, keeps FIFO
    // order.
    for (unsigned lvl = 1; lvl < kLevels; ++lvl) {
      const unsigned idx = static_cast<unsigned>((j >> shift_of(lvl)) & (kLevelSize - 1));
      cascade(lvl, idx);
      if (idx != 0) break;
    }
  }
  const unsigned slot = static_cast<unsigned>(j & (kLevel0Size - 1));
  const std::uint64_t bit = std::uint64_t{1} << (slot & 63);
  if ((level0_bits_[slot >> 6] & bit) != 0) {
    level0_bits_[slot >> 6] &= ~bit;
    out.splice_back(level0_[slot]);
  }
  clk_ = j;
}

void timer_wheel::flush_overdue(wheel_list& out) noexcept {
  // Usually the overdue nodes are already in order (often there is just one), so check first.
  bool sorted = true;
  std::size_t len = 0;
  long prev = LONG_MIN;
  for (wheel_node* n = overdue_.front(); n != nullptr; n = overdue_.next_of(n)) {
    const long key = signed_delta(n->expires, clk_);
    if (key < prev) sorted = false;
    prev = key;
    ++len;
  }
  if (sorted) {
    out.splice_back(overdue_);
    return;
  }
  // Re-thread the nodes as a singly linked chain, sort it, and append the result to `out`.
  wheel_node* chain = nullptr;
  wheel_node** tail = &chain;
  while (wheel_node* n = overdue_.pop_front()) {
    wheel_set_next(tail, n);
    tail = &n->next;
  }
  chain = sort_chain(chain, len, clk_);
  while (chain != nullptr) {
    wheel_node* next = chain->next;
    wheel_set_next(&chain->next, nullptr);
    out.push_back(chain);
    chain = next;
  }
}

void timer_wheel::collect_expired(unsigned long now, wheel_list& out) noexcept {
  if (!overdue_.empty()) flush_overdue(out);
  if (signed_delta(now, clk_) <= 0) return;
  // Jump straight from event to event; the stretches in between hold nothing that needs processing,
  // and skipping them leaves every node's slot valid (no slot's cascade jiffy is skipped).
  for (;;) {
    const unsigned long remaining = now - clk_;
    const unsigned long d = next_event_distance();  // The event is at clk_ + 1 + d.
    if (d >= remaining) {
      clk_ = now;
      return;
    }
    process_jiffy(clk_ + 1 + d, out);
    if (clk_ == now) return;
  }
}

unsigned long timer_wheel::next_expiry(unsigned long limit) const noexcept {
  if (!overdue_.empty()) return clk_;
  if (limit == 0) limit = 1;
  if (limit > kMaxDelta) limit = kMaxDelta;
  const unsigned long d = next_event_distance();
  // The event is at clk_ + 1 + d, which is within the limit iff d + 1 <= limit.
  if (d >= limit) return clk_ + limit;
  return clk_ + 1 + d;
}

bool timer_wheel::empty() const noexcept {
  if (!overdue_.empty()) return false;
  for (unsigned w = 0; w < kLevel0Words; ++w) {
    while (level0_bits_[w] != 0) {
      const unsigned b = static_cast<unsigned>(std::countr_zero(level0_bits_[w]));
      if (!level0_[w * 64 + b].empty()) return false;
      level0_bits_[w] &= ~(std::uint64_t{1} << b);
    }
  }
  for (unsigned lvl = 1; lvl < kLevels; ++lvl) {
    std::uint64_t& bits = upper_bits_[lvl - 1];
    while (bits != 0) {
      const unsigned idx = static_cast<unsigned>(std::countr_zero(bits));
      if (!upper_[lvl - 1][idx].empty()) return false;
      bits &= ~(std::uint64_t{1} << idx);
    }
  }
  return true;
}

void timer_wheel::take_all(wheel_list& out) noexcept {
  out.splice_back(overdue_);
  for (auto& l : level0_) out.splice_back(l);
  for (auto& level : upper_)
    for (auto& l : level) out.splice_back(l);
  for (auto& b : level0_bits_) b = 0;
  for (auto& b : upper_bits_) b = 0;
}

}  // namespace ktl::internal
