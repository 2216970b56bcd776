// Unit tests for the cascading timer wheel (src/time/timer_wheel.h).
//
// The central promise under test is exact expiry: a node with expiry E comes out of the first
// collect_expired(now) with now >= E, never earlier and never later, in expiry order with ties in
// add order. The deterministic tests pin down the edge cases (level boundaries, the far end of the
// range, jiffies wrap-around, overdue adds, unlinking behind the wheel's back); the model test then
// throws 100k random operations with random clock jumps at the wheel and compares every collect
// against a std::multimap reference.
#include "time/timer_wheel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace ktl::internal {
namespace {

// The timer base embeds a wheel_node in its timer; the tests do the same and recover the id from
// it. Nodes are always declared before the wheel that holds them: a wheel's destructor detaches
// nodes that are still linked, so they must outlive it (this matters when an ASSERT bails out
// early).
struct test_node : wheel_node {
  int id = 0;
};

int id_of(wheel_node* n) { return static_cast<test_node*>(n)->id; }

std::vector<int> drain(wheel_list& out) {
  std::vector<int> ids;
  while (wheel_node* n = out.pop_front()) ids.push_back(id_of(n));
  return ids;
}

std::vector<int> collect(timer_wheel& w, unsigned long now) {
  wheel_list out;
  w.collect_expired(now, out);
  return drain(out);
}

constexpr unsigned long kInitialJiffies32 =
    (1UL << 32) - 300UL * 250;  // Linux's INITIAL_JIFFIES, HZ=250.

// Clock origins that stress the arithmetic: zero, Linux's 32-bit wrap point, just below the 64-bit
// wrap, both sides of the signed boundary, and an unaligned value.
const unsigned long kStarts[] = {0UL,
                                 12345UL,
                                 kInitialJiffies32,
                                 ULONG_MAX - 1000,
                                 static_cast<unsigned long>(LONG_MAX) - 100,
                                 static_cast<unsigned long>(LONG_MAX) + 7,
                                 (1UL << 20) - 1,
                                 1UL << 20};

// Deltas at and around every interesting boundary: the level-0 edge, the first few coarse levels,
// and the far end of the representable future.
const unsigned long kDeltas[] = {0UL,
                                 1UL,
                                 2UL,
                                 255UL,
                                 256UL,
                                 257UL,
                                 16383UL,
                                 16384UL,
                                 16385UL,
                                 1UL << 20,
                                 (1UL << 20) + 1,
                                 1UL << 26,
                                 (1UL << 26) + 12345,
                                 1UL << 32,
                                 1UL << 40,
                                 (1UL << 56) - 1,
                                 1UL << 62,
                                 (1UL << 62) + 1,
                                 static_cast<unsigned long>(LONG_MAX) - 1,
                                 static_cast<unsigned long>(LONG_MAX)};

// Adds one node at start + delta and walks the clock towards it through many probe points (just
// before and after each level's span boundaries, and at E - 2^k), checking that it never comes out
// early, that next_expiry() never overshoots it, and that it comes out at exactly E.
void check_exact_with_probes(unsigned long start, unsigned long delta) {
  SCOPED_TRACE("start=" + std::to_string(start) + " delta=" + std::to_string(delta));
  test_node n;
  timer_wheel w(start);
  n.id = 1;
  n.expires = start + delta;
  w.add(&n);
  const unsigned long e = n.expires;
  if (delta == 0) {
    EXPECT_EQ(w.next_expiry(100), start);  // Overdue: due right now.
    EXPECT_EQ(collect(w, start), std::vector<int>{1});
    EXPECT_TRUE(w.empty());
    return;
  }
  // Probe offsets from start, strictly between 0 and delta.
  std::vector<unsigned long> offsets;
  for (unsigned k = 0; k < 63; ++k) {
    const unsigned long d = 1UL << k;
    if (d < delta) offsets.push_back(delta - d);
    if (d + 1 < delta) offsets.push_back(delta - d - 1);
  }
  for (unsigned shift = 8; shift < 64; shift += 6) {
    const unsigned long boundary = e & ~((1UL << shift) - 1);
    for (long adj = -1; adj <= 1; ++adj) {
      const unsigned long off = boundary + static_cast<unsigned long>(adj) - start;
      if (off > 0 && off < delta) offsets.push_back(off);
    }
  }
  std::sort(offsets.begin(), offsets.end());
  offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
  for (unsigned long off : offsets) {
    ASSERT_TRUE(collect(w, start + off).empty()) << "early at offset " << off;
    ASSERT_EQ(w.clock(), start + off);
    ASSERT_TRUE(n.linked());
    const unsigned long ne = w.next_expiry(LONG_MAX);
    ASSERT_GT(static_cast<long>(ne - w.clock()), 0);
    ASSERT_LE(static_cast<long>(ne - e), 0) << "next_expiry overshoots at offset " << off;
    ASSERT_FALSE(w.empty());
  }
  ASSERT_TRUE(collect(w, e - 1).empty());
  EXPECT_EQ(collect(w, e), std::vector<int>{1});
  EXPECT_FALSE(n.linked());
  EXPECT_TRUE(w.empty());
}

TEST(WheelList, FifoSpliceAndUnlink) {
  wheel_list a;
  wheel_list b;
  test_node n[5];
  for (int i = 0; i < 5; ++i) n[i].id = i;
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.pop_front(), nullptr);
  EXPECT_EQ(a.front(), nullptr);
  a.push_back(&n[0]);
  a.push_back(&n[1]);
  b.push_back(&n[2]);
  b.push_back(&n[3]);
  a.splice_back(b);
  EXPECT_TRUE(b.empty());
  a.push_front(&n[4]);
  EXPECT_TRUE(n[1].linked());
  n[1].unlink();
  EXPECT_FALSE(n[1].linked());
  n[1].unlink();  // Unlinking twice is a no-op.
  std::vector<int> walked;
  for (wheel_node* p = a.front(); p != nullptr; p = a.next_of(p)) walked.push_back(id_of(p));
  EXPECT_EQ(walked, (std::vector<int>{4, 0, 2, 3}));
  EXPECT_EQ(id_of(a.pop_back()), 3);
  EXPECT_EQ(drain(a), (std::vector<int>{4, 0, 2}));
  for (auto& x : n) EXPECT_FALSE(x.linked());
}

TEST(WheelList, DestructorDetachesNodes) {
  test_node n;
  {
    wheel_list l;
    l.push_back(&n);
  }
  EXPECT_FALSE(n.linked());
  test_node m;
  m.expires = 1UL << 30;
  {
    timer_wheel w(0);
    w.add(&m);
  }
  EXPECT_FALSE(m.linked());
}

TEST(TimerWheel, Geometry) {
  EXPECT_EQ(timer_wheel::kLevels, 11u);
  // The coarsest level must reach bit 63 so that no future delta needs clamping.
  EXPECT_GE(timer_wheel::kLevel0Bits + timer_wheel::kLevelBits * (timer_wheel::kLevels - 1), 63u);
}

TEST(TimerWheel, ExactExpiryAtEveryBoundary) {
  for (unsigned long start : kStarts) {
    for (unsigned long delta : kDeltas) check_exact_with_probes(start, delta);
  }
}

// For small deltas, check every single jiffy rather than selected probes.
TEST(TimerWheel, ExactExpiryStepByStep) {
  for (unsigned long start : {0UL, 200UL, kInitialJiffies32, ULONG_MAX - 300}) {
    std::vector<test_node> nodes(40);
    timer_wheel w(start);
    std::vector<unsigned long> deltas = {1,     2,     3,     100,   254,   255,   256,   257,
                                         258,   300,   511,   512,   513,   1000,  4095,  4096,
                                         4097,  5000,  8191,  8192,  8193,  16382, 16383, 16384,
                                         16385, 16386, 16639, 16640, 16641, 20000};
    for (std::size_t i = 0; i < deltas.size(); ++i) {
      nodes[i].id = static_cast<int>(i);
      nodes[i].expires = start + deltas[i];
      w.add(&nodes[i]);
    }
    for (unsigned long t = 1; t <= 20001; ++t) {
      std::vector<int> expected;
      for (std::size_t i = 0; i < deltas.size(); ++i) {
        if (deltas[i] == t) expected.push_back(static_cast<int>(i));
      }
      ASSERT_EQ(collect(w, start + t), expected) << "start=" << start << " t=" << t;
    }
    EXPECT_TRUE(w.empty());
  }
}

// Jumping straight to E (or just before it) from far away must work as well as walking there.
TEST(TimerWheel, ExactExpiryWithSingleJump) {
  for (unsigned long start : kStarts) {
    for (unsigned long delta : kDeltas) {
      if (delta == 0) continue;
      test_node n;
      timer_wheel w(start);
      n.id = 7;
      n.expires = start + delta;
      w.add(&n);
      ASSERT_TRUE(collect(w, n.expires - 1).empty()) << start << " " << delta;
      ASSERT_EQ(collect(w, n.expires), std::vector<int>{7}) << start << " " << delta;

      test_node m;
      timer_wheel w2(start);
      m.id = 8;
      m.expires = start + delta;
      w2.add(&m);
      // Overshoot by up to 1000 jiffies, but stay within LONG_MAX of the clock (further reads as
      // past).
      const unsigned long overshoot =
          std::min(1000UL, static_cast<unsigned long>(LONG_MAX) - delta);
      ASSERT_EQ(collect(w2, m.expires + overshoot), std::vector<int>{8}) << start << " " << delta;
    }
  }
}

// An expiry more than LONG_MAX ahead is, by the wrap-safe convention, in the past.
TEST(TimerWheel, BeyondMaxDeltaReadsAsPast) {
  test_node n;
  timer_wheel w(5000);
  n.id = 3;
  n.expires = 5000 + static_cast<unsigned long>(LONG_MAX) + 1;
  w.add(&n);
  EXPECT_EQ(w.next_expiry(10), 5000u);
  EXPECT_EQ(collect(w, 5000), std::vector<int>{3});
}

TEST(TimerWheel, PastExpiryIsDueAtNextCollectInExpiryOrder) {
  test_node n[6];
  timer_wheel w(1000);
  const unsigned long exp[] = {990, 980, 1000, 980, 1001, 0};
  for (int i = 0; i < 6; ++i) {
    n[i].id = i;
    n[i].expires = exp[i];
    w.add(&n[i]);
  }
  EXPECT_EQ(w.next_expiry(LONG_MAX), 1000u);
  EXPECT_FALSE(w.empty());
  // Overdue nodes come first, stably sorted by expiry (id 5's expiry 0 is 1000 jiffies ago), then
  // the in-wheel node due at 1001.
  EXPECT_EQ(collect(w, 1001), (std::vector<int>{5, 1, 3, 0, 2, 4}));
  EXPECT_TRUE(w.empty());
}

// A `now` behind the clock does not move it, but overdue nodes were due at the clock already.
TEST(TimerWheel, CollectBehindClock) {
  test_node a;
  test_node b;
  timer_wheel w(1000);
  a.id = 1;
  a.expires = 1000;
  b.id = 2;
  b.expires = 1001;
  w.add(&a);
  w.add(&b);
  EXPECT_EQ(collect(w, 900), std::vector<int>{1});
  EXPECT_EQ(w.clock(), 1000u);
  EXPECT_TRUE(collect(w, 1000).empty());
  EXPECT_EQ(collect(w, 1001), std::vector<int>{2});
  EXPECT_TRUE(collect(w, 5).empty());
  EXPECT_EQ(w.clock(), 1001u);
}

// Nodes with one expiry come out in add order even though the older ones were filed at coarser
// levels and cascaded down into slots that already held younger ones.
TEST(TimerWheel, FifoAmongEqualExpiriesAcrossLevels) {
  for (unsigned long start : kStarts) {
    for (unsigned long distance : {1UL << 21, (1UL << 26) + 777, 3000000UL, (1UL << 40) + 5}) {
      const unsigned long e = start + distance;
      std::vector<test_node> nodes(200);
      timer_wheel w(start);
      int next_id = 0;
      auto add_one = [&] {
        test_node& n = nodes[static_cast<std::size_t>(next_id)];
        n.id = next_id++;
        n.expires = e;
        w.add(&n);
      };
      add_one();
      add_one();
      // Approach E through every power-of-two distance (and its neighbours), adding nodes on the
      // way.
      for (int k = 62; k >= 0; --k) {
        for (long adj = 1; adj >= -1; --adj) {
          const unsigned long d = (1UL << k) + static_cast<unsigned long>(adj);
          if (d == 0 || d >= distance) continue;
          if (static_cast<long>(e - d - w.clock()) <= 0) continue;
          ASSERT_TRUE(collect(w, e - d).empty());
          add_one();
          if ((k & 1) != 0) add_one();
        }
      }
      std::vector<int> expected(static_cast<std::size_t>(next_id));
      for (int i = 0; i < next_id; ++i) expected[static_cast<std::size_t>(i)] = i;
      ASSERT_EQ(collect(w, e), expected) << "start=" << start << " distance=" << distance;
      EXPECT_TRUE(w.empty());
    }
  }
}

TEST(TimerWheel, ExpiryOrderWithinOneCollect) {
  std::vector<test_node> nodes(1000);
  timer_wheel w(kInitialJiffies32);
  std::mt19937_64 rng(42);
  std::multimap<unsigned long, int> expected_map;
  for (int i = 0; i < 1000; ++i) {
    nodes[static_cast<std::size_t>(i)].id = i;
    const unsigned long d = 1 + rng() % 100000;
    nodes[static_cast<std::size_t>(i)].expires = kInitialJiffies32 + d;
    w.add(&nodes[static_cast<std::size_t>(i)]);
    expected_map.emplace(d, i);
  }
  std::vector<int> expected;
  for (auto& [d, id] : expected_map) expected.push_back(id);
  EXPECT_EQ(collect(w, kInitialJiffies32 + 100000), expected);
}

TEST(TimerWheel, UnlinkBeforeExpiryIncludingCascadedNodes) {
  const unsigned long start = 777;
  const unsigned long e = start + 5000000;
  test_node a, b, c, d, f;
  timer_wheel w(start);
  a.id = 1;
  b.id = 2;
  c.id = 3;
  d.id = 4;
  f.id = 5;
  a.expires = b.expires = c.expires = d.expires = e;
  f.expires = e + 1;
  for (test_node* n : {&a, &b, &c, &d, &f}) w.add(n);
  w.remove(&d);  // Removed while still in its original coarse slot.
  EXPECT_FALSE(d.linked());
  ASSERT_TRUE(collect(w, e - 20000).empty());  // Some cascading has happened by now.
  w.remove(&a);
  ASSERT_TRUE(collect(w, e - 1).empty());  // Now everything sits in level 0.
  w.remove(&c);
  EXPECT_EQ(collect(w, e), std::vector<int>{2});
  f.unlink();
  EXPECT_TRUE(collect(w, e + 1).empty());
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(w.next_expiry(50), w.clock() + 50);
}

TEST(TimerWheel, UnlinkWhileInOutList) {
  test_node n[4];
  timer_wheel w(0);
  for (int i = 0; i < 4; ++i) {
    n[i].id = i;
    n[i].expires = 300;
    w.add(&n[i]);
  }
  wheel_list out;
  w.collect_expired(300, out);
  for (auto& x : n) EXPECT_TRUE(x.linked());
  n[1].unlink();
  w.remove(&n[3]);
  EXPECT_FALSE(n[1].linked());
  EXPECT_EQ(drain(out), (std::vector<int>{0, 2}));
  // Re-adding a collected node works like mod_timer on an expired timer.
  n[2].expires = 301;
  w.add(&n[2]);
  EXPECT_EQ(collect(w, 301), std::vector<int>{2});
}

// Start near both wrap points and place timers on both sides of the wrap; each must come out
// exactly.
TEST(TimerWheel, WrapAround) {
  for (unsigned long start : {kInitialJiffies32, ULONG_MAX - 1000}) {
    // Expiries listed as absolute values around the wrap point of `start`'s width.
    const unsigned long wrap = (start == kInitialJiffies32) ? (1UL << 32) : 0UL;
    std::vector<unsigned long> abs_exp;
    for (long k = -300; k <= 300; k += 7) abs_exp.push_back(wrap + static_cast<unsigned long>(k));
    for (unsigned long d :
         {0UL, 1UL, 255UL, 256UL, 257UL, 16383UL, 16384UL, 1UL << 20, 1UL << 26}) {
      abs_exp.push_back(wrap + d);
      abs_exp.push_back(wrap - d);
    }
    std::vector<test_node> nodes(abs_exp.size());
    timer_wheel w(start);
    std::multimap<long, int> by_offset;  // Signed offset from start -> id.
    for (std::size_t i = 0; i < abs_exp.size(); ++i) {
      nodes[i].id = static_cast<int>(i);
      nodes[i].expires = abs_exp[i];
      w.add(&nodes[i]);
      by_offset.emplace(static_cast<long>(abs_exp[i] - start), static_cast<int>(i));
    }
    // Walk from expiry to expiry, checking the jiffy before each one too.
    std::vector<int> overdue;
    auto it = by_offset.begin();
    while (it != by_offset.end() && it->first <= 0) overdue.push_back((it++)->second);
    ASSERT_EQ(collect(w, start), overdue);
    while (it != by_offset.end()) {
      const long off = it->first;
      std::vector<int> expected;
      while (it != by_offset.end() && it->first == off) expected.push_back((it++)->second);
      const unsigned long e = start + static_cast<unsigned long>(off);
      ASSERT_TRUE(collect(w, e - 1).empty()) << "start=" << start << " off=" << off;
      ASSERT_EQ(collect(w, e), expected) << "start=" << start << " off=" << off;
    }
    EXPECT_TRUE(w.empty());
  }
}

TEST(TimerWheel, NextExpiryBasics) {
  test_node a, b, c;
  timer_wheel w(1000);
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(w.next_expiry(100), 1100u);
  EXPECT_EQ(w.next_expiry(0), 1001u);  // The limit is clamped to at least one jiffy.
  EXPECT_EQ(w.next_expiry(ULONG_MAX), 1000u + static_cast<unsigned long>(LONG_MAX));

  // Level-0 timers are reported exactly, and a removed one is skipped (its stale bit gets cleared).
  a.expires = 1037;
  b.expires = 1200;
  c.expires = 1255;
  w.add(&c);
  w.add(&b);
  w.add(&a);
  EXPECT_EQ(w.next_expiry(LONG_MAX), 1037u);
  EXPECT_EQ(w.next_expiry(10), 1010u);
  EXPECT_EQ(w.next_expiry(37), 1037u);
  EXPECT_EQ(w.next_expiry(36), 1036u);
  w.remove(&a);
  EXPECT_EQ(w.next_expiry(LONG_MAX), 1200u);
  w.remove(&b);
  EXPECT_EQ(w.next_expiry(LONG_MAX), 1255u);
  collect(w, 1250);
  EXPECT_EQ(w.next_expiry(LONG_MAX), 1255u);  // Exact across the ring's 256-slot wrap as well.
  w.remove(&c);
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(w.next_expiry(5), w.clock() + 5);
}

// Waking up at each next_expiry() lands on the timer's exact jiffy after at most one wake-up per
// level, and every intermediate answer is a valid lower bound that lies after the clock.
TEST(TimerWheel, NextExpiryConvergesForCoarseTimers) {
  for (unsigned long start : kStarts) {
    for (unsigned long delta : kDeltas) {
      if (delta == 0) continue;
      test_node n;
      timer_wheel w(start);
      n.id = 9;
      n.expires = start + delta;
      w.add(&n);
      unsigned wakeups = 0;
      for (;;) {
        const unsigned long ne = w.next_expiry(LONG_MAX);
        ASSERT_GT(static_cast<long>(ne - w.clock()), 0);
        ASSERT_LE(static_cast<long>(ne - n.expires), 0);
        ++wakeups;
        ASSERT_LE(wakeups, timer_wheel::kLevels) << start << " " << delta;
        const std::vector<int> got = collect(w, ne);
        if (!got.empty()) {
          EXPECT_EQ(ne, n.expires);
          EXPECT_EQ(got, std::vector<int>{9});
          break;
        }
      }
    }
  }
}

TEST(TimerWheel, EmptyIgnoresStaleBits) {
  std::vector<test_node> nodes(64);
  timer_wheel w(0);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].expires = 1UL << (i % 63);
    w.add(&nodes[i]);
  }
  EXPECT_FALSE(w.empty());
  for (auto& n : nodes) n.unlink();
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(w.next_expiry(1000), 1000u);
  EXPECT_TRUE(collect(w, ULONG_MAX / 4).empty());
  EXPECT_EQ(w.clock(), ULONG_MAX / 4);
}

// Collecting across enormous gaps must skip empty stretches rather than walk them jiffy by jiffy; a
// per-jiffy loop would never finish here.
TEST(TimerWheel, HugeJumpsAreCheap) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<test_node> nodes(1000);
  timer_wheel w(kInitialJiffies32);
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::multimap<unsigned long, int> expected_map;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      nodes[i].id = static_cast<int>(i);
      const unsigned long d = 1 + (rng() >> (2 + rng() % 60));
      nodes[i].expires = w.clock() + d;
      w.add(&nodes[i]);
      expected_map.emplace(d, static_cast<int>(i));
    }
    std::vector<int> expected;
    for (auto& [d, id] : expected_map) expected.push_back(id);
    // One hour at HZ=1000, then the rest of the representable future in one go.
    const unsigned long hour = 3600UL * 1000;
    std::vector<int> got = collect(w, w.clock() + hour);
    const std::vector<int> rest =
        collect(w, w.clock() + (static_cast<unsigned long>(LONG_MAX) - hour));
    got.insert(got.end(), rest.begin(), rest.end());
    ASSERT_EQ(got, expected) << "round " << round;
    ASSERT_TRUE(w.empty());
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 20.0);
}

// ------------------------------------------------------------------------------------------------
// Randomised model test.
//
// The reference keeps an unwrapped 128-bit clock. A node's key is the unwrapped clock at add time
// plus the signed distance of its expiry from the wheel's clock, so overdue nodes get keys at or
// below the clock and sort by how far overdue they are. A std::multimap keeps equal keys in
// insertion order, which is exactly the FIFO rule. After every collect the wheel must have handed
// out precisely the model's entries with key <= clock, in the model's order.

__extension__ typedef __int128 i128;  // __extension__ keeps -Wpedantic quiet.

struct model_node : wheel_node {
  int id = 0;
  bool pending = false;  // In the wheel (or the model) and not yet collected.
  std::multimap<i128, int>::iterator it;
};

class TimerWheelModel : public ::testing::TestWithParam<unsigned long> {};

TEST_P(TimerWheelModel, MatchesReference) {
  const unsigned long start = GetParam();
  std::mt19937_64 rng(0x5eed0000ULL ^ start);
  std::vector<model_node> nodes(2000);
  timer_wheel w(start);
  unsigned long clk = start;
  i128 clk_u = start;
  std::multimap<i128, int> model;
  for (std::size_t i = 0; i < nodes.size(); ++i) nodes[i].id = static_cast<int>(i);
  unsigned long hot[4] = {start + 1, start + 300, start + 70000, start + (1UL << 30)};

  auto below = [&](unsigned long n) -> unsigned long { return n == 0 ? 0 : rng() % n; };
  // A log-uniform distance in [1, 2^bits): exercises every level about equally.
  auto log_uniform = [&](unsigned bits) -> unsigned long {
    const unsigned k = static_cast<unsigned>(rng() % bits);
    return (1UL << k) + (rng() & ((1UL << k) - 1));
  };
  auto random_expiry = [&]() -> unsigned long {
    switch (rng() % 11) {
      case 0:
        return clk + below(300);
      case 1:
        return clk + below(20000);
      case 2:
        return clk + below(1UL << 26);
      case 3:
        return clk + log_uniform(63);
      case 4:
        return clk - below(1000);  // In the past (or now).
      case 5: {                    // Right at a level boundary.
        const unsigned k = 8 + static_cast<unsigned>(rng() % 55);
        return clk + (1UL << k) + below(3) - 1;
      }
      case 6:
      case 7:
        return hot[rng() % 4];  // Shared expiries: FIFO across levels.
      case 8:
        return clk + static_cast<unsigned long>(LONG_MAX) - below(3) + below(3);
      case 9:
        return clk + below(300000);
      default:
        return clk + log_uniform(40);
    }
  };
  auto random_now = [&]() -> unsigned long {
    switch (rng() % 16) {
      case 0:
        return clk;
      case 1:
      case 2:
      case 3:
        return clk + 1 + below(300);
      case 4:
      case 5:
        return clk + 1 + below(20000);
      case 6:
        return clk + 1 + below(1UL << 22);
      case 7:
        return clk + log_uniform(62);  // Huge jumps, up to 2^62.
      case 8:
        return clk - 1 - below(1000);  // Behind the clock.
      case 9:
      case 10:
      case 11: {  // Just before, at or after the earliest pending expiry.
        if (model.empty()) return clk + 1;
        const i128 d = model.begin()->first - clk_u;
        if (d <= 0 || d > LONG_MAX) return clk;
        return clk + static_cast<unsigned long>(d) + below(3) - 1;
      }
      default: {  // Around the next span boundary of a random level.
        const unsigned shift = 8 + 6 * static_cast<unsigned>(rng() % 4);
        const unsigned long boundary = ((clk >> shift) + 1) << shift;
        return boundary + below(3) - 1;
      }
    }
  };
  auto check_next_expiry = [&](int op) {
    unsigned long limit;
    switch (rng() % 3) {
      case 0:
        limit = LONG_MAX;
        break;
      case 1:
        limit = below(1000);
        break;
      default:
        limit = 1UL << (rng() % 64);
        break;
    }
    const unsigned long ne = w.next_expiry(limit);
    if (!model.empty() && model.begin()->first <= clk_u) {
      ASSERT_EQ(ne, clk) << "op " << op << ": overdue nodes must report the clock";
      return;
    }
    unsigned long eff = std::max(limit, 1UL);
    eff = std::min(eff, static_cast<unsigned long>(LONG_MAX));
    const unsigned long dn = ne - clk;
    ASSERT_GE(dn, 1UL) << "op " << op;
    ASSERT_LE(dn, eff) << "op " << op;
    if (model.empty()) {
      ASSERT_EQ(dn, eff) << "op " << op;
      return;
    }
    const i128 m = model.begin()->first - clk_u;  // True distance to the earliest expiry, >= 1.
    ASSERT_LE(static_cast<i128>(dn), m) << "op " << op << ": next_expiry overshoots";
    // With no level-1 span boundary before the earliest expiry, that expiry must sit in level 0, so
    // the answer must be exact.
    const unsigned long to_boundary = (clk | 255UL) + 1 - clk;
    if (m <= static_cast<i128>(eff) && m < static_cast<i128>(to_boundary)) {
      ASSERT_EQ(static_cast<i128>(dn), m) << "op " << op << ": level-0 expiry not exact";
    }
  };

  std::size_t collected_total = 0;
  const int kOps = 100000;
  for (int op = 0; op < kOps; ++op) {
    if (op % 1000 == 0) {
      for (auto& h : hot) h = random_expiry();
    }
    const unsigned r = static_cast<unsigned>(rng() % 100);
    if (r < 45) {
      // Add (or re-add, like mod_timer on a pending timer).
      model_node& n = nodes[below(nodes.size())];
      if (n.pending) {
        w.remove(&n);
        model.erase(n.it);
      }
      n.expires = random_expiry();
      w.add(&n);
      const i128 key = clk_u + static_cast<long>(n.expires - clk);
      n.it = model.emplace(key, n.id);
      n.pending = true;
    } else if (r < 60) {
      model_node& n = nodes[below(nodes.size())];
      ASSERT_EQ(n.linked(), n.pending) << "op " << op;
      w.remove(&n);  // Also exercises removal of nodes that are not pending.
      if (n.pending) {
        model.erase(n.it);
        n.pending = false;
      }
    } else {
      const unsigned long now = random_now();
      wheel_list out;
      w.collect_expired(now, out);
      long step = static_cast<long>(now - clk);
      if (step < 0) step = 0;
      clk += static_cast<unsigned long>(step);
      clk_u += step;
      ASSERT_EQ(w.clock(), clk) << "op " << op;
      std::vector<int> expected;
      while (!model.empty() && model.begin()->first <= clk_u) {
        const int id = model.begin()->second;
        model.erase(model.begin());
        nodes[static_cast<std::size_t>(id)].pending = false;
        expected.push_back(id);
      }
      // Sometimes the caller deletes a timer after it was collected but before running it.
      if (rng() % 4 == 0 && !expected.empty()) {
        std::vector<wheel_node*> victims;
        for (wheel_node* p = out.front(); p != nullptr; p = out.next_of(p)) {
          if (rng() % 3 == 0) victims.push_back(p);
        }
        for (wheel_node* p : victims) {
          p->unlink();
          expected.erase(std::find(expected.begin(), expected.end(), id_of(p)));
        }
      }
      const std::vector<int> got = drain(out);
      ASSERT_EQ(got, expected) << "op " << op << " now=" << now;
      collected_total += got.size();
    }
    check_next_expiry(op);
    if (HasFatalFailure()) return;
    if (op % 64 == 0) {
      ASSERT_EQ(w.empty(), model.empty()) << "op " << op;
    }
  }

  // Drain the rest: everything is due within LONG_MAX jiffies of the current clock.
  wheel_list out;
  w.collect_expired(clk + static_cast<unsigned long>(LONG_MAX), out);
  std::vector<int> expected;
  for (auto& [key, id] : model) expected.push_back(id);
  EXPECT_EQ(drain(out), expected);
  EXPECT_TRUE(w.empty());
  // Make sure the run was not degenerate.
  EXPECT_GT(collected_total, 10000u);
}

INSTANTIATE_TEST_SUITE_P(Starts, TimerWheelModel,
                         ::testing::Values(0UL, kInitialJiffies32, ULONG_MAX - 1000,
                                           static_cast<unsigned long>(LONG_MAX) - 5000,
                                           0x123456789abcdefUL));

}  // namespace
}  // namespace ktl::internal
