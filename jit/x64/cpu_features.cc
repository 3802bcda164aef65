// cpu_features.cc: the host's x86-64 features from CPUID (cpu_features.h).
#include "jit/x64/cpu_features.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace tandem::jit::x64 {

CpuFeatures HostCpuFeatures() {
  CpuFeatures f;
#if defined(__x86_64__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    f.ssse3 = c & (1u << 9);
    f.sse41 = c & (1u << 19);
    f.sse42 = c & (1u << 20);
    f.popcnt = c & (1u << 23);
  }
  if (__get_cpuid(0x80000001u, &a, &b, &c, &d)) f.lzcnt = c & (1u << 5);
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) f.bmi1 = b & (1u << 3);
#endif
  return f;
}

std::vector<std::string> MissingJitFeatures(const CpuFeatures& have) {
  std::vector<std::string> missing;
  if (!have.ssse3) missing.push_back("ssse3");  // pshufb, pabs*, pmulhrsw (SIMD)
  if (!have.sse41) missing.push_back("sse4_1");
  if (!have.popcnt) missing.push_back("popcnt");
  if (!have.lzcnt) missing.push_back("abm");
  if (!have.bmi1) missing.push_back("bmi1");
  return missing;
}

}  // namespace tandem::jit::x64
