// faults.h: seeded codegen faults (DESIGN.md "Verifier", "Seeded faults"). Each is a bit of
// CompileOptions::seed_faults / JitConfig::seed_faults that makes one back end emit wrong code
// on purpose, so that the comparator, the fuzzer and the verifier can be shown to catch it.
// Off in every normal run; set only through EngineConfig (`--seed-fault NAME`), never through
// the environment. `--print-code` names the faults a listing was compiled with.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace tandem::jit {

enum SeedFault : uint64_t {
  kFaultCond = uint64_t{1} << 0,  // a64: i32.lt_s compiled with the `le` condition
};

struct CodegenFaultInfo {
  const char* name;       // what --seed-fault takes
  uint64_t bit;           // SeedFault
  const char* back_ends;  // "a64", "x64" or "x64,a64"
  const char* what;       // one line
};

// Every codegen fault, in a stable order.
std::span<const CodegenFaultInfo> CodegenFaults();
// "cond,..." for the bits set, "" for none.
std::string CodegenFaultNames(uint64_t bits);

}  // namespace tandem::jit
