// masm_a64.h: the AArch64 macro-assembler the shared single-pass compiler drives (docs/jit.md
// "AArch64"; STYLE.md 5: the same public interface as jit/x64/masm_x64.h). Built on our assembler.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "jit/a64/assembler_a64.h"
#include "jit/bounds.h"
#include "jit/compiler.h"
#include "jit/runtime.h"
#include "reference/opcodes.h"
#include "reference/trap.h"

namespace tandem::jit::a64 {

// Frame offsets are relative to the frame pointer (x29). Values of type i32 and f32 occupy the
// low 4 bytes of their 8-byte slot (the upper 4 bytes are unspecified); i64, f64 and references
// all 8; v128 values (q registers) their 16-byte slot. x28 holds the arena base; x16, x17 and
// v31 are scratch and never hold a wasm value across operations; x18 (platform register), x29
// and x30 are never allocated.
//
// Seeded faults (jit/faults.h) come in CompileOptions::seed_faults: with kFaultCond ("cond"),
// i32.lt_s is emitted with the `le` condition instead of `lt`.
class MasmA64 {
 public:
  using Label = a64::Label;
  using Cond = a64::Cond;
  using JReg = ::tandem::jit::Reg;
  static constexpr int kNumRegs = 32;
  static constexpr const char* kName = "a64";
  static constexpr bool kSimd = true;  // v128 values in v0-v30 like floats (AdvSIMD)
  // Callee-saved registers first, the runtime-argument registers (x0-x5) last.
  static constexpr std::array<uint8_t, 25> kGpAlloc = {19, 20, 21, 22, 23, 24, 25, 26, 27,
                                                       8,  9,  10, 11, 12, 13, 14, 15, 6,
                                                       7,  5,  4,  3,  2,  1,  0};
  static constexpr std::array<uint8_t, 31> kFpAlloc = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                                       11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                                                       22, 23, 24, 25, 26, 27, 28, 29, 30};

  MasmA64(const InstanceLayout& layout, const CompileOptions& options);

  size_t Offset() const { return asm_.offset(); }
  std::vector<uint8_t>& code() { return asm_.code(); }
  void set_form_recorder(std::set<std::string>* s) { asm_.set_form_recorder(s); }

  // --- Frame.
  void Prologue();  // stp x29, x30, [sp, #-16]!; mov x29, sp; sub sp, sp, FRAME (patched)
  void PatchFrame(uint32_t frame_bytes);  // a multiple of 16
  void EntryChecks();                     // call depth, JIT stack limit, then fuel
  void FuelCheck();                       // at loop headers (metered stores only)
  void Epilogue();                        // depth--, mov sp, x29; ldp x29, x30, [sp], #16; ret
  static int32_t ParamOffset(uint32_t i) { return 16 + 8 * static_cast<int32_t>(i); }

  // --- Values in the frame, constants, moves. None of these changes the flags.
  void LoadFrame(wasm::ValType t, JReg dst, int32_t off);
  void StoreFrame(wasm::ValType t, int32_t off, JReg src);
  void StoreFrameConst(wasm::ValType t, int32_t off, uint64_t bits);
  void CopyFrame(wasm::ValType t, int32_t dst_off, int32_t src_off);
  void LoadConst(wasm::ValType t, JReg dst, uint64_t bits);
  void Move(wasm::ValType t, JReg dst, JReg src);

  // --- Arena values (globals).
  void LoadGlobal(wasm::ValType t, JReg dst, uint32_t off);
  void StoreGlobal(wasm::ValType t, uint32_t off, JReg src);

  // --- Control.
  void Bind(Label& l);
  void Jmp(Label& l) { asm_.b(l); }
  void BranchIfZero(JReg cond, Label& l);  // i32 condition
  void BranchIfNonZero(JReg cond, Label& l);
  void BranchIfEqual(JReg r, uint32_t imm, Label& l);  // i32 compare
  // Compare-and-branch fusion (see MasmX64): sets the flags, returns the condition that is true
  // when the comparison holds.
  static bool IsFusableCompare(wasm::Op op);
  Cond CompareForBranch(wasm::Op op, JReg a, JReg b);
  Cond CompareImmForBranch(wasm::Op op, JReg a, uint64_t bits);
  void BranchIf(Cond c, Label& l) { asm_.b(c, l); }
  static Cond NegateCond(Cond c) { return Negate(c); }
  void Trap(wasm::TrapKind k) { asm_.b(TrapLabel(k)); }
  Label& TrapLabel(wasm::TrapKind k);
  void Select(wasm::ValType t, JReg cond, JReg a, JReg b);  // a = cond ? a : b

  // --- Numeric operators. dst may equal a. No operator needs a fixed register.
  std::vector<JReg> Clobbers(wasm::Op op, bool rhs_is_const) const;
  void Numeric(wasm::Op op, JReg dst, JReg a, JReg b);
  bool CanFoldImm(wasm::Op op, uint64_t bits) const;
  void NumericImm(wasm::Op op, JReg dst, JReg a, uint64_t bits);
  void CanonicalizeNaN(wasm::ValType t, JReg r);

  // --- 128-bit SIMD (the contracts of MasmX64's: frame slots are 16 bytes then).
  void LoadConstV128(JReg dst, uint64_t lo, uint64_t hi);
  // Whether Simd compiles `op` (a vector operator, memory forms included).
  bool SimdCompiles(wasm::Op op, bool nan_canonical) const;
  // dst may equal a; b and c are the second and third operands (equal to a when there are
  // none); for the operators SimdTemp names, c is a vector register the operator may clobber.
  void Simd(const wasm::Instr& in, JReg dst, JReg a, JReg b, JReg c);
  static bool SimdTemp(wasm::Op op, bool nan_canonical);
  // NaN-canonical mode: each NaN lane of the result becomes the positive canonical NaN.
  void SimdCanonicalize(wasm::Op op, JReg dst, JReg temp);

  // --- Tables and memory sizes (all inline).
  void TableGet(JReg dst, JReg index, uint32_t desc);
  void TableSet(JReg index, JReg value, uint32_t desc);
  void TableSize(JReg dst, uint32_t desc);
  void MemorySize(JReg dst, uint32_t desc);

  // --- Calls (docs/jit.md "AArch64").
  void ReserveCallArea(uint32_t bytes);
  void ReleaseCallArea(uint32_t bytes);
  void CopyFrameToArg(wasm::ValType t, uint32_t i, int32_t frame_off);
  void CopyArgToFrame(wasm::ValType t, int32_t frame_off, uint32_t i);
  // Emits `bl` with a zero imm26 and returns the offset of that instruction: the store writes
  // the imm26 when it links the instance (CompiledFunction::local_calls).
  uint32_t CallRel32();
  void CallCodeTable(uint32_t store_index);  // ldr x17, [x16]; blr x17
  void CallIndirect(JReg index, uint32_t table_desc, uint32_t type_id);

  // --- Runtime calls: operands in x1..x5, result in x0.
  static JReg RuntimeArg(int i) { return JReg{static_cast<uint8_t>(i), false}; }
  static JReg RuntimeResult() { return JReg{0, false}; }
  void CallRuntime(RuntimeCall id);

  // --- Bounds primitives (jit/bounds.* only). ea lives in x16. Every access is one
  // [x28, x16] instruction; a vector lane goes through v31's lowest element (`lane`: a lane
  // load's or store's lane).
  void BoundsEffectiveAddress(JReg index, uint64_t offset);
  void BoundsCheck(wasm::Op op, uint32_t size_field, Label& oob);
  uint32_t BoundsAccess(wasm::Op op, JReg value, uint64_t data_offset, uint8_t lane = 0);
  // The a64 bounds mutant compiled in (jit/mutants.h), 0 when none (or another back end's).
  uint32_t bounds_mutant() const { return mutant_; }

  // Trap and exit stubs. Adds kTrapStub notes. No constant pool: constants are movz/movk.
  void Finish(std::vector<CodeNote>* notes);

 private:
  enum class Kind : uint8_t { kW, kX, kS, kD, kQ };  // 4/8-byte integer or float, 16-byte q
  static a64::Reg G(JReg r) { return static_cast<a64::Reg>(r.code); }
  static VReg V(JReg r) { return static_cast<VReg>(r.code); }
  static Kind KindOf(wasm::ValType t);
  // [base + off] for any off (may use x17 for the address; `reg` must not be x17 unless it is
  // the destination of a load).
  void LoadMem(Kind k, uint8_t reg, a64::Reg base, int64_t off);
  void StoreMem(Kind k, uint8_t reg, a64::Reg base, int64_t off);
  void AddImm(a64::Reg d, a64::Reg n, uint64_t imm);  // 64-bit d = n + imm (x17 scratch)
  void SubSp(uint32_t bytes);
  void AddSp(uint32_t bytes);
  void JumpToExit();
  Label& Stub(int kind);
  Cond IntCond(wasm::Op op) const;
  void IntDivRem(wasm::Op op, JReg dst, JReg a, JReg b);
  void TruncFloat(wasm::Op op, JReg dst, JReg a, bool saturating);
  void FpScratchConst(FpW w, uint64_t bits);  // v31 = bits (through x16)
  void VConst(VReg v, uint64_t lo, uint64_t hi);  // v = hi:lo (through x16)
  void CheckLimitMinusEa(uint32_t size, uint32_t size_field, Label& oob);  // the sound check
  // The mutant's check, when it changes the sequence (true: done); else adjusts `size` or
  // `size_field` for the sound sequence.
  bool MutantBoundsCheck(wasm::Op op, uint32_t& size, uint32_t& size_field, Label& oob);

  const InstanceLayout& layout_;
  const CompileOptions& options_;
  bool Fault(uint64_t bit) const { return (options_.seed_faults & bit) != 0; }
  Assembler asm_;
  size_t frame_patch_ = 0;
  bool fault_cond_ = false;
  std::map<int, std::unique_ptr<Label>> stubs_;  // trap kind, or -1/-2/-3 for exits
  // Bounds mutants: the one compiled in, and what two of them move past the check.
  uint32_t mutant_ = 0;
  uint64_t late_offset_ = 0;  // offset-after-check
  struct LateCheck {
    uint32_t size;
    uint32_t size_field;
    Label* oob;
  };
  std::optional<LateCheck> late_check_;  // check-after-access
};

}  // namespace tandem::jit::a64
