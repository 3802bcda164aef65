// faults.cc: the table of seeded codegen faults (faults.h).
#include "jit/faults.h"

namespace tandem::jit {

namespace {
// name, bit, back ends, what (the kind of real JIT bug it stands for in parentheses), the
// instructions whose code it changes.
constexpr CodegenFaultInfo kFaults[] = {
    {"cond", kFaultCond, "a64", "i32.lt_s compiled with the le condition (wrong condition code)",
     "i32.lt_s"},
    {"cond-unsigned", kFaultCondUnsigned, "x64",
     "i64.gt_u compiled with the signed g condition (wrong condition code)",
     "i64.gt_u"},
    {"shift-unmasked", kFaultShiftUnmasked, "x64,a64",
     "i32.shl and i32.shr_u by a constant of 32 or more give 0 instead of shifting by the count "
     "modulo 32 (shift amount not masked)",
     "i32.shl,i32.shr_u"},
    {"sign-extend", kFaultSignExtend, "x64",
     "i64.extend_i32_s zero-extends (zero instead of sign extension)",
     "i64.extend_i32_s"},
    {"zero-extend", kFaultZeroExtend, "a64",
     "i64.extend_i32_u sign-extends (sign instead of zero extension)",
     "i64.extend_i32_u"},
    {"load-sign", kFaultLoadSign, "x64",
     "i32.load8_s zero-extends the byte (zero instead of sign extension)",
     "i32.load8_s"},
    {"bounds-off-by-one", kFaultBoundsOffByOne, "x64",
     "the bounds check lets an access end one byte past the memory (off-by-one bounds check)",
     "*.load*,*.store*"},
    {"bounds-off-by-one-a64", kFaultBoundsOffByOneA64, "a64",
     "the bounds check lets an access end one byte past the memory (off-by-one bounds check)",
     "*.load*,*.store*"},
    {"bounds-dropped", kFaultBoundsDropped, "x64",
     "one-byte loads and stores have no bounds check (a dropped bounds check)",
     "*.load8_*,*.store8"},
    {"trap-kind", kFaultTrapKind, "x64",
     "integer division by zero traps as integer overflow (wrong trap kind)",
     "*.div_*,*.rem_*"},
    {"local-writeback", kFaultLocalWriteback, "x64,a64",
     "local.set of a value in a register only caches it; the frame slot keeps the old value "
     "(a register-cached local not written back)",
     "local.set"},
    {"nan-canon", kFaultNanCanon, "x64",
     "f32 results are not canonicalised in NaN-canonical mode (NaN not canonicalised)",
     "f32.*"},
    {"nan-canon-a64", kFaultNanCanonA64, "a64",
     "f64 results are not canonicalised in NaN-canonical mode (NaN not canonicalised)",
     "f64.*"},
    {"grow-result", kFaultGrowResult, "x64,a64",
     "memory.grow returns the old size plus one (wrong memory.grow result)",
     "memory.grow"},
    {"sig-check", kFaultSigCheck, "x64",
     "call_indirect calls without comparing the signature (call_indirect signature check "
     "skipped)",
     "call_indirect"},
    {"sig-check-a64", kFaultSigCheckA64, "a64",
     "call_indirect calls without comparing the signature (call_indirect signature check "
     "skipped)",
     "call_indirect"},
    {"br-table-default", kFaultBrTableDefault, "x64,a64",
     "br_table sends its last explicit index to the default target (br_table default off by "
     "one)",
     "br_table"},
    {"callee-saved", kFaultCalleeSaved, "x64",
     "a function returns without restoring the caller's rbp (a clobbered callee-saved "
     "register)",
     "return"},
    {"operand-order", kFaultOperandOrder, "a64",
     "i32.sub computes b - a (wrong operand order of a non-commutative op)",
     "i32.sub"},
    {"operand-order-x64", kFaultOperandOrderX64, "x64",
     "i64.sub of two registers computes b - a (wrong operand order of a non-commutative op)",
     "i64.sub"},
    {"rotate", kFaultRotate, "a64", "i32.rotl by a register rotates right (wrong operation)",
     "i32.rotl"},
    {"eqz64", kFaultEqz64, "a64",
     "i64.eqz compares only the low 32 bits with zero (wrong operand width)",
     "i64.eqz"},
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
