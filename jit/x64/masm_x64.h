// masm_x64.h: the x86-64 macro-assembler the shared single-pass compiler drives (docs/jit.md
// "Registers", "Frames"; STYLE.md 5: Liftoff's LiftoffAssembler role). Built on our assembler.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "jit/bounds.h"
#include "jit/compiler.h"
#include "jit/runtime.h"
#include "jit/x64/assembler_x64.h"
#include "reference/opcodes.h"
#include "reference/trap.h"

namespace tandem::jit::x64 {

// Frame offsets are relative to the frame pointer (rbp). Values of type i32 and f32 occupy the
// low 4 bytes of their 8-byte slot (the upper 4 bytes are unspecified); i64, f64 and references
// all 8. Scratch registers r10, r11 and xmm15 never hold a wasm value across operations.
class MasmX64 {
 public:
  using Label = x64::Label;
  using Cond = x64::Cond;
  static constexpr int kNumRegs = 16;
  static constexpr const char* kName = "x64";
  static constexpr bool kSimd = true;  // v128 values in xmm registers (SSE4.1)
  // Allocation order: registers with fixed uses (rax, rdx for division, rcx for shifts) last.
  static constexpr std::array<uint8_t, 11> kGpAlloc = {3, 6, 7, 8, 9, 12, 13, 14, 0, 1, 2};
  static constexpr std::array<uint8_t, 15> kFpAlloc = {0, 1, 2,  3,  4,  5,  6, 7,
                                                       8, 9, 10, 11, 12, 13, 14};

  MasmX64(const InstanceLayout& layout, const CompileOptions& options);

  size_t Offset() const { return asm_.offset(); }
  std::vector<uint8_t>& code() { return asm_.code(); }
  void set_form_recorder(std::set<std::string>* s) { asm_.set_form_recorder(s); }
  // The cheaper alternative the compiler prefers: collect, then take the sorted forms.
  void StartFormCollection() { asm_.start_form_collection(); }
  std::vector<std::string> TakeForms() { return asm_.take_forms(); }

  // --- Frame.
  void Prologue();                        // push rbp; mov rbp, rsp; sub rsp, FRAME (patched)
  void PatchFrame(uint32_t frame_bytes);  // a multiple of 16
  void EntryChecks();                     // call depth, JIT stack limit, then fuel
  void FuelCheck();                       // at loop headers (metered stores only)
  void Epilogue();                        // depth--, leave, ret
  static int32_t ParamOffset(uint32_t i) { return 16 + 8 * static_cast<int32_t>(i); }
  // Zeroes `count` 8-byte frame slots from rbp+lowest_off upwards with a loop (r11 counts);
  // the compiler uses it for runs of at least kZeroLoopMin locals.
  static constexpr uint32_t kZeroLoopMin = 12;
  void ZeroFrame(int32_t lowest_off, uint32_t count);

  // --- Values in the frame, constants, moves.
  void LoadFrame(wasm::ValType t, Reg dst, int32_t off);
  void StoreFrame(wasm::ValType t, int32_t off, Reg src);
  void StoreFrameConst(wasm::ValType t, int32_t off, uint64_t bits);
  void CopyFrame(wasm::ValType t, int32_t dst_off, int32_t src_off);
  void LoadConst(wasm::ValType t, Reg dst, uint64_t bits);
  void Move(wasm::ValType t, Reg dst, Reg src);

  // --- Arena values (globals).
  void LoadGlobal(wasm::ValType t, Reg dst, uint32_t off);
  void StoreGlobal(wasm::ValType t, uint32_t off, Reg src);

  // --- Control.
  void Bind(Label& l) { asm_.bind(l); }
  void Jmp(Label& l) { asm_.jmp(l); }
  void BranchIfZero(Reg cond, Label& l);  // i32 condition
  void BranchIfNonZero(Reg cond, Label& l);
  void BranchIfEqual(Reg r, uint32_t imm, Label& l);  // i32 compare
  // Compare-and-branch fusion: `op` is an integer comparison or eqz (IsFusableCompare); sets
  // the flags and returns the condition under which the comparison is true. Nothing the
  // compiler emits between this and BranchIf may change the flags (frame stores and moves
  // don't).
  static bool IsFusableCompare(wasm::Op op);
  Cond CompareForBranch(wasm::Op op, Reg a, Reg b);  // b unused for eqz
  // The condition of an integer comparison (with the seeded fault cond-unsigned).
  Cond IntCondOf(wasm::Op op) const;
  bool Fault(uint64_t bit) const { return (options_.seed_faults & bit) != 0; }
  Cond CompareImmForBranch(wasm::Op op, Reg a, uint64_t bits);  // CanFoldImm(op, bits)
  void BranchIf(Cond c, Label& l) { asm_.jcc(c, l); }
  static Cond NegateCond(Cond c) { return Negate(c); }
  void Trap(wasm::TrapKind k) { asm_.jmp(TrapLabel(k)); }
  Label& TrapLabel(wasm::TrapKind k);
  void Select(wasm::ValType t, Reg cond, Reg a, Reg b);  // a = cond ? a : b

  // --- Numeric operators. dst may equal a (the compiler makes it so when the classes match).
  // Clobbers lists the fixed registers an operator uses besides the scratch registers.
  std::vector<Reg> Clobbers(wasm::Op op, bool rhs_is_const) const;
  void Numeric(wasm::Op op, Reg dst, Reg a, Reg b);
  bool CanFoldImm(wasm::Op op, uint64_t bits) const;
  void NumericImm(wasm::Op op, Reg dst, Reg a, uint64_t bits);
  void CanonicalizeNaN(wasm::ValType t, Reg r);

  // --- 128-bit SIMD (v128 values live in xmm0-14 like floats; frame slots are 16 bytes then).
  void LoadConstV128(Reg dst, uint64_t lo, uint64_t hi);
  // Whether Simd compiles `op` (a vector operator, memory forms included).
  bool SimdCompiles(wasm::Op op, bool nan_canonical) const;
  // dst may equal a (the compiler makes it so when the operator takes and gives a vector); b and
  // c are the second and third operands (equal to a when there are none). in.lane and the
  // shuffle's bytes come from the instruction.
  // For the operators SimdTemp names, c is a vector register of the compiler's the operator may
  // clobber (a temporary besides xmm15).
  void Simd(const wasm::Instr& in, Reg dst, Reg a, Reg b, Reg c);
  static bool SimdTemp(wasm::Op op, bool nan_canonical);
  // A shift of v by a constant count (taken modulo the lane width) in place, where SSE has an
  // immediate form for the lane width; with check_only, only whether it has (nothing emitted).
  bool SimdShiftImm(wasm::Op op, Reg v, uint32_t count, bool check_only = false);
  // NaN-canonical mode (DESIGN.md "NaN"): after an operator whose float lanes may hold a NaN
  // made by arithmetic, each NaN lane becomes the positive canonical NaN (temp: SimdTemp's).
  void SimdCanonicalize(wasm::Op op, Reg dst, Reg temp);

  // --- Tables and memory sizes (all inline).
  void TableGet(Reg dst, Reg index, uint32_t desc);
  void TableSet(Reg index, Reg value, uint32_t desc);
  void TableSize(Reg dst, uint32_t desc);
  void MemorySize(Reg dst, uint32_t desc);

  // --- Calls (docs/jit.md "Frames and the wasm calling convention").
  void ReserveCallArea(uint32_t bytes);
  void ReleaseCallArea(uint32_t bytes);
  void CopyFrameToArg(wasm::ValType t, uint32_t i, int32_t frame_off);
  void CopyArgToFrame(wasm::ValType t, int32_t frame_off, uint32_t i);
  uint32_t CallRel32();  // returns the offset of the rel32 field
  void CallCodeTable(uint32_t store_index);
  // Checks (undefined, null, signature) then calls through the code table; `index` is consumed.
  void CallIndirect(Reg index, uint32_t table_desc, uint32_t type_id);

  // --- Runtime calls: operands go in RuntimeArg(1..5); the result is in RuntimeResult().
  static Reg RuntimeArg(int i);
  static Reg RuntimeResult() { return Reg{0, false}; }
  void CallRuntime(RuntimeCall id);

  // --- Bounds primitives (jit/bounds.* only). ea lives in r11.
  void BoundsEffectiveAddress(Reg index, uint64_t offset);
  void BoundsCheck(wasm::Op op, uint32_t size_field, Label& oob);
  // `lane`: a lane load's or store's lane (value is then the vector, loaded into or stored from).
  uint32_t BoundsAccess(wasm::Op op, Reg value, uint64_t data_offset, uint8_t lane = 0);
  // The x64 bounds mutant compiled in (jit/mutants.h), 0 when none (or another back end's).
  uint32_t bounds_mutant() const { return mutant_; }

  // Trap and exit stubs, then (after a ud2 marking the end of the instructions) the constant
  // pool. Adds kTrapStub notes.
  void Finish(std::vector<CodeNote>* notes);

 private:
  static Gp G(Reg r) { return static_cast<Gp>(r.code); }
  static Xmm X(Reg r) { return static_cast<Xmm>(r.code); }
  Mem Arena(uint32_t off) const { return Mem(Gp::r15, static_cast<int32_t>(off)); }
  Mem Const(uint64_t bits);  // a 64-bit constant in the pool, addressed through r11
  void JumpToExit();
  void IntDivRem(wasm::Op op, Reg a, Reg b);
  void FloatMinMax(bool is_min, bool f64, Xmm a, Xmm b);
  void TruncFloat(wasm::Op op, Reg dst, Reg a, bool saturating);
  void ConvertU64(bool f64, Xmm dst, Gp src);
  void FloatCompare(wasm::Op op, bool f64, Reg dst, Xmm a, Xmm b);
  void AddToEa(uint64_t offset);                                  // r11 += offset (r10 scratch)
  void CheckEaPlusSize(uint32_t size, uint32_t size_field, Label& oob);  // the sound check
  // The mutant's check, when it changes the sequence (true: done); else adjusts `size` or
  // `size_field` for the sound sequence.
  bool MutantBoundsCheck(wasm::Op op, uint32_t& size, uint32_t& size_field, Label& oob);

  const InstanceLayout& layout_;
  const CompileOptions& options_;
  Assembler asm_;
  size_t frame_patch_ = 0;
  std::map<int, std::unique_ptr<Label>> stubs_;  // trap kind, or -1/-2/-3 for exits
  std::vector<std::pair<uint64_t, std::unique_ptr<Label>>> pool_;
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

}  // namespace tandem::jit::x64
