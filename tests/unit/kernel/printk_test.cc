// printk's format language: C printf plus levels, KERN_CONT and the kernel's %p extensions.
#include "ktl/kernel/printk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "ktl/ktl.h"
#include "support/kernel_test.h"

namespace ktl {
namespace {

std::string last_text() {
  auto r = log_records();
  return r.empty() ? std::string() : r.back().text;
}

extern "C" int ktl_printk_test_symbol(int x) { return x + 1; }

class PrintkTest : public ::testing::Test {
 protected:
  testing::scoped_kernel k_{1};
};

TEST_F(PrintkTest, ErrorPointersPrintTheirNames) {
  printk(KERN_INFO "kthread: %pe\n", ERR_PTR<void>(-EINTR));
  EXPECT_EQ(last_text(), "kthread: -EINTR");
  printk("a %pe b %pe\n", ERR_PTR<void>(-ENOMEM), ERR_PTR<void>(-ERESTARTSYS));
  EXPECT_EQ(last_text(), "a -ENOMEM b -ERESTARTSYS");
  printk("%pe\n", ERR_PTR<void>(-4000));  // no name: the number
  EXPECT_EQ(last_text(), "-4000");
  int x = 0;
  printk("%pe\n", static_cast<void*>(&x));  // not an error: a plain pointer
  EXPECT_THAT(last_text(), ::testing::StartsWith("0x"));
}

TEST_F(PrintkTest, OtherConversionsAroundExtensionsStayInStep) {
  printk("%d %s %5.2f %pe %lu %c %x %% %-4s| %*d %lld\n", -3, "str", 3.14159,
         ERR_PTR<void>(-EAGAIN), 7ul, 'z', 255u, "ab", 4, 9, 123456789012ll);
  EXPECT_EQ(last_text(), "-3 str  3.14 -EAGAIN 7 z ff % ab  |    9 123456789012");
}

TEST_F(PrintkTest, SymbolsPrintAsNameOrAddress) {
  printk("%ps\n", reinterpret_cast<void*>(&ktl_printk_test_symbol));
  std::string s = last_text();
  // Named when the executable exports it (-rdynamic), else the address; never garbage.
  EXPECT_THAT(s, ::testing::AnyOf(::testing::Eq("ktl_printk_test_symbol"),
                                  ::testing::MatchesRegex("0x[0-9a-f]+")));
  printk("%pS\n", reinterpret_cast<void*>(&printk));
  EXPECT_THAT(last_text(), ::testing::AnyOf(::testing::MatchesRegex(".*printk.*\\+0x[0-9a-f]+"),
                                            ::testing::MatchesRegex("0x[0-9a-f]+")));
}

TEST_F(PrintkTest, PlainFormatsAndLevelsAndCont) {
  printk(KERN_ERR "err %d\n", 1);
  auto r = log_records();
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(r.back().level, LOGLEVEL_ERR);
  EXPECT_EQ(r.back().text, "err 1");
  printk(KERN_INFO "part1");
  printk(KERN_CONT " part2 %pe\n", ERR_PTR<void>(-EBUSY));
  EXPECT_EQ(last_text(), "part1 part2 -EBUSY");
  std::string big(3000, 'x');
  printk("%s\n", big.c_str());
  EXPECT_EQ(last_text(), big);
  printk("%s %pe\n", big.c_str(), ERR_PTR<void>(-EIO));
  EXPECT_EQ(last_text(), big + " -EIO");
}

}  // namespace
}  // namespace ktl
