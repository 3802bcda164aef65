// faults.cc: the table of seeded codegen faults (faults.h).
#include "jit/faults.h"

namespace tandem::jit {

namespace {
constexpr CodegenFaultInfo kFaults[] = {
    {"cond", kFaultCond, "a64", "i32.lt_s compiled with the le condition (wrong condition code)"},
};
}  // namespace

std::span<const CodegenFaultInfo> CodegenFaults() { return kFaults; }

std::string CodegenFaultNames(uint64_t bits) {
  std::string s;
  for (const CodegenFaultInfo& f : kFaults) {
    if (!(bits & f.bit)) continue;
    if (!s.empty()) s += ',';
    s += f.name;
  }
  return s;
}

}  // namespace tandem::jit
