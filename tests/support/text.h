// Test support: small text helpers shared by the /proc, ps and CLI tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ktl::testing {

// The whole file, or "" if it cannot be read.
inline std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// s split at '\n' (no trailing empty line).
inline std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> v;
  std::stringstream ss(s);
  std::string l;
  while (std::getline(ss, l)) v.push_back(l);
  return v;
}

}  // namespace ktl::testing
