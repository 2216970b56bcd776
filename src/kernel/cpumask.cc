#include <cstdio>
#include <cstdlib>
#include <string>

#include "ktl/base/cpumask.h"

namespace ktl {

std::string cpumask_to_hex(const cpumask& m, int nbits) {
  // Groups of 32 bits, most significant first, comma separated; leading zero digits of the top
  // group dropped (bitmap_print_to_pagebuf / %*pb).
  int groups = (nbits + 31) / 32;
  if (groups < 1) groups = 1;
  std::string out;
  for (int g = groups - 1; g >= 0; --g) {
    u32 word = static_cast<u32>(m.bits[g / 2] >> ((g % 2) * 32));
    int bits_in_group = std::min(32, nbits - g * 32);
    int digits = (bits_in_group + 3) / 4;
    if (digits < 1) digits = 1;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%0*x", digits, word);
    if (!out.empty()) out += ',';
    out += buf;
  }
  return out;
}

std::string cpumask_to_list(const cpumask& m, int nbits) {
  std::string out;
  for (int cpu = m.next(0); cpu < nbits;) {
    int end = cpu;
    while (end + 1 < nbits && m.test(end + 1)) ++end;
    if (!out.empty()) out += ',';
    out += std::to_string(cpu);
    if (end > cpu) out += '-' + std::to_string(end);
    cpu = m.next(end + 1);
  }
  return out;
}

bool cpulist_parse(const char* s, cpumask* out, int nbits) {
  cpumask m;
  const char* p = s;
  while (*p && *p != '\n') {
    char* end;
    long a = std::strtol(p, &end, 10);
    if (end == p || a < 0 || a >= nbits) return false;
    long b = a;
    p = end;
    if (*p == '-') {
      ++p;
      b = std::strtol(p, &end, 10);
      if (end == p || b < a || b >= nbits) return false;
      p = end;
    }
    for (long c = a; c <= b; ++c) m.set(static_cast<int>(c));
    if (*p == ',') ++p;
    else if (*p && *p != '\n') return false;
  }
  *out = m;
  return true;
}

}  // namespace ktl
