// cpu_features.h: what the host's x86-64 CPU offers, and what the x64 JIT's code needs of it.
// The code uses lzcnt, tzcnt (BMI1), popcnt and SSE4.1's roundss/roundsd; on a CPU without
// lzcnt or tzcnt the same bytes decode as bsr and bsf and compute something else in silence,
// so the x64 executor refuses such a CPU, naming what it lacks.
#pragma once

#include <string>
#include <vector>

namespace tandem::jit::x64 {

struct CpuFeatures {
  bool sse41 = false;   // CPUID.1:ECX.19
  bool ssse3 = false;   // CPUID.1:ECX.9
  bool sse42 = false;   // CPUID.1:ECX.20
  bool popcnt = false;  // CPUID.1:ECX.23
  bool lzcnt = false;   // CPUID.80000001h:ECX.5 (ABM)
  bool bmi1 = false;    // CPUID.(7,0):EBX.3 (tzcnt)
};

// The host's features (all false off x86-64).
CpuFeatures HostCpuFeatures();

// The features the x64 JIT's code uses that `have` lacks, by the names /proc/cpuinfo gives
// them ("ssse3", "sse4_1", "popcnt", "abm" for lzcnt, "bmi1"); empty when none is missing.
std::vector<std::string> MissingJitFeatures(const CpuFeatures& have);

}  // namespace tandem::jit::x64
