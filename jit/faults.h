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

// The fault catalogue (`tandem fuzz --list-faults`): faults of the kinds real JIT bugs have, in
// one back end or in the shared compiler. faults.cc describes each.
enum SeedFault : uint64_t {
  kFaultCond = uint64_t{1} << 0,              // a64: i32.lt_s compiled with `le`
  kFaultCondUnsigned = uint64_t{1} << 1,      // x64: i64.gt_u compiled with signed `g`
  kFaultShiftUnmasked = uint64_t{1} << 2,     // both: constant i32 shift counts >= 32 give 0
  kFaultSignExtend = uint64_t{1} << 3,        // x64: i64.extend_i32_s zero-extends
  kFaultZeroExtend = uint64_t{1} << 4,        // a64: i64.extend_i32_u sign-extends
  kFaultLoadSign = uint64_t{1} << 5,          // x64: i32.load8_s zero-extends
  kFaultBoundsOffByOne = uint64_t{1} << 6,    // x64: bounds check one byte short
  kFaultBoundsOffByOneA64 = uint64_t{1} << 7, // a64: bounds check one byte short
  kFaultBoundsDropped = uint64_t{1} << 8,     // x64: 1-byte accesses not checked
  kFaultTrapKind = uint64_t{1} << 9,          // x64: division by zero reported as overflow
  kFaultLocalWriteback = uint64_t{1} << 10,   // both: local.set of a register not written back
  kFaultNanCanon = uint64_t{1} << 11,         // x64: f32 results not canonicalised
  kFaultNanCanonA64 = uint64_t{1} << 12,      // a64: f64 results not canonicalised
  kFaultGrowResult = uint64_t{1} << 13,       // both: memory.grow returns the old size + 1
  kFaultSigCheck = uint64_t{1} << 14,         // x64: call_indirect signature check skipped
  kFaultSigCheckA64 = uint64_t{1} << 15,      // a64: call_indirect signature check skipped
  kFaultBrTableDefault = uint64_t{1} << 16,   // both: br_table's last target takes the default
  kFaultCalleeSaved = uint64_t{1} << 17,      // x64: the epilogue does not restore rbp
  kFaultOperandOrder = uint64_t{1} << 18,     // a64: i32.sub operands swapped
  kFaultOperandOrderX64 = uint64_t{1} << 19,  // x64: i64.sub operands swapped
  kFaultRotate = uint64_t{1} << 20,           // a64: i32.rotl by a register rotates right
  kFaultEqz64 = uint64_t{1} << 21,            // a64: i64.eqz tests the low 32 bits
};

struct CodegenFaultInfo {
  const char* name;       // what --seed-fault takes
  uint64_t bit;           // SeedFault
  const char* back_ends;  // "a64", "x64" or "x64,a64"
  const char* what;       // one line
  // The wasm instructions whose code the fault changes, comma-separated; '*' matches any
  // characters ("*.div_*"). `tandem diff --locate` should name a region holding one of them.
  // (callee-saved changes every epilogue: `return` and a body's final `end`; a listing cannot
  // tell that `end` from a block's, so only `return` is named.)
  const char* ops;
};

// Every codegen fault, in a stable order.
std::span<const CodegenFaultInfo> CodegenFaults();
// "cond,..." for the bits set, "" for none.
std::string CodegenFaultNames(uint64_t bits);

}  // namespace tandem::jit
