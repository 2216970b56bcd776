// Consumer of an installed ktl (see CMakeLists.txt next to this file). It only has to compile
// against the installed headers and link against ktl::ktl and its dependencies.
#if __has_include(<ktl/ktl.h>)
#include <ktl/ktl.h>
#define KTL_CONSUMER_HEADER "<ktl/ktl.h>"
#else
#define KTL_CONSUMER_HEADER "(no <ktl/ktl.h> yet)"
#endif

#include <cstdio>

int main() {
  std::printf("ktl_consumer: ktl %s, %s\n", KTL_CONSUMER_VERSION, KTL_CONSUMER_HEADER);
  return 0;
}
