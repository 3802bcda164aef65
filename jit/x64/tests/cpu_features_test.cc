// cpu_features_test.cc: CPUID as /proc/cpuinfo reports it, and the x64 executor's refusal of a
// CPU without what the JIT's code uses (jit/x64/cpu_features.h).
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "jit/x64/cpu_features.h"

namespace tandem::jit::x64 {
namespace {

TEST_CASE("x64 cpu features: CPUID agrees with /proc/cpuinfo's flags", "[x64]") {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  std::set<std::string> flags;
  while (std::getline(in, line))
    if (line.rfind("flags", 0) == 0) {
      std::istringstream words(line.substr(line.find(':') + 1));
      for (std::string w; words >> w;) flags.insert(w);
      break;
    }
  if (flags.empty()) {
    WARN("no /proc/cpuinfo flags on this host: nothing to compare with");
    return;
  }
  const CpuFeatures f = HostCpuFeatures();
  CHECK(f.sse41 == flags.count("sse4_1"));
  CHECK(f.ssse3 == flags.count("ssse3"));
  CHECK(f.sse42 == flags.count("sse4_2"));
  CHECK(f.popcnt == flags.count("popcnt"));
  CHECK(f.lzcnt == flags.count("abm"));
  CHECK(f.bmi1 == flags.count("bmi1"));
}

TEST_CASE("x64 cpu features: each feature the JIT's code uses is required", "[x64]") {
  CpuFeatures all;
  all.sse41 = all.ssse3 = all.sse42 = all.popcnt = all.lzcnt = all.bmi1 = true;
  CHECK(MissingJitFeatures(all).empty());
  CpuFeatures f = all;
  f.lzcnt = false;
  CHECK(MissingJitFeatures(f) == std::vector<std::string>{"abm"});
  f = all;
  f.bmi1 = false;
  CHECK(MissingJitFeatures(f) == std::vector<std::string>{"bmi1"});
  f = all;
  f.sse41 = false;
  f.popcnt = false;
  CHECK(MissingJitFeatures(f) == std::vector<std::string>{"sse4_1", "popcnt"});
  f = all;
  f.ssse3 = false;
  CHECK(MissingJitFeatures(f) == std::vector<std::string>{"ssse3"});
  CHECK(MissingJitFeatures(CpuFeatures{}).size() == 5);
}

}  // namespace
}  // namespace tandem::jit::x64
