// compiler.cc: the single-pass compiler shared by every back end (docs/jit.md; STYLE.md 5),
// templated on the macro-assembler. Mirrors the validated body's structure (Spec 3.3, 4.4).
#include "jit/compiler.h"
#include "jit/faults.h"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "jit/a64/masm_a64.h"
#include "jit/bounds.h"
#include "jit/runtime.h"
#include "jit/x64/masm_x64.h"
#include "reference/opcodes.h"
#include "reference/value.h"

namespace tandem::jit {

namespace {

using wasm::Instr;
using wasm::Op;
using wasm::SigType;
using wasm::ValType;

// The value type of a signature slot.
ValType FromSig(SigType s) {
  std::optional<ValType> t = wasm::SigValType(s);
  if (!t) throw UnsupportedFeature("compiler: unexpected signature type");
  return *t;
}

bool IsFp(ValType t) { return t == ValType::F32 || t == ValType::F64; }
// The register class a value lives in: floats and vectors in the vector registers.
bool InFpReg(ValType t) { return IsFp(t) || t == ValType::V128; }

// Operators whose NaN results DESIGN.md "NaN" canonicalises.
bool ProducesArithmeticNaN(Op op) {
  switch (op) {
    case Op::F32Add:
    case Op::F32Sub:
    case Op::F32Mul:
    case Op::F32Div:
    case Op::F32Sqrt:
    case Op::F32Min:
    case Op::F32Max:
    case Op::F32Ceil:
    case Op::F32Floor:
    case Op::F32Trunc:
    case Op::F32Nearest:
    case Op::F64Add:
    case Op::F64Sub:
    case Op::F64Mul:
    case Op::F64Div:
    case Op::F64Sqrt:
    case Op::F64Min:
    case Op::F64Max:
    case Op::F64Ceil:
    case Op::F64Floor:
    case Op::F64Trunc:
    case Op::F64Nearest:
    case Op::F32DemoteF64:
    case Op::F64PromoteF32:
      return true;
    default:
      return false;
  }
}

template <class Masm>
class FunctionCompiler {
 public:
  using Label = typename Masm::Label;

  FunctionCompiler(const wasm::Module& module, uint32_t func_index, const InstanceLayout& layout,
                   const CompileOptions& options)
      : module_(module),
        func_index_(func_index),
        body_(module.code.at(func_index - module.num_imported_funcs)),
        type_(module.types.at(body_.type_index)),
        layout_(layout),
        options_(options),
        masm_(layout, options) {}

  CompiledFunction Compile();

 private:
  struct Entry {
    enum Kind : uint8_t { kSlot, kReg, kConst } kind;
    ValType type;
    Reg reg;
    uint64_t bits = 0;
    uint64_t hi = 0;  // a v128 constant's high half
  };
  struct Ctrl {
    Op kind;  // Block, Loop, If, or End for the function body
    uint32_t height;
    std::vector<ValType> params, results;
    Label label;       // end (or loop start)
    Label else_label;  // If
    bool reachable_at_entry = true;
    bool has_else = false;
    const std::vector<ValType>& branch_types() const { return kind == Op::Loop ? params : results; }
  };

  // --- Frame layout. A function that holds a v128 value anywhere has 16-byte slots (slot_);
  // others 8-byte ones, as before there were vectors. A signature with a v128 passes each
  // parameter and result in 16 bytes (ArgUnits: 8-byte units per value), others in 8.
  int32_t SlotOff(size_t k) const { return -slot_ * static_cast<int32_t>(num_locals_ + k + 1); }
  int32_t LocalOff(uint32_t i) const {
    if (i < num_params_) return Masm::ParamOffset(arg_units_ * i);
    return -slot_ * static_cast<int32_t>(i - num_params_ + 1);
  }
  ValType LocalType(uint32_t i) const { return local_types_[i]; }

  // --- Register cache.
  bool& InUse(Reg r) { return r.fp ? fp_used_[r.code] : gp_used_[r.code]; }
  bool& Reserved(Reg r) { return r.fp ? fp_reserved_[r.code] : gp_reserved_[r.code]; }
  void Free(Reg r) { InUse(r) = false; }
  Reg Alloc(bool fp);
  std::optional<Reg> TryAllocFree(bool fp);

  // --- Local cache: registers holding a copy of a local's current value (write-through: the
  // frame slot is always current too). Valid within one basic block; dropped at every merge
  // label, call and runtime call. A cache register is in use but belongs to no stack entry, and
  // Alloc may take it back at any time.
  int32_t& CacheOf(Reg r) { return r.fp ? fp_cache_[r.code] : gp_cache_[r.code]; }
  void DropCache(Reg r) {
    int32_t& l = CacheOf(r);
    if (l < 0) return;
    local_reg_[l] = -1;
    l = -1;
    InUse(r) = false;
    --cached_;
  }
  void DropLocalCache(uint32_t local) {
    if (local_reg_[local] >= 0) DropCache(Reg{static_cast<uint8_t>(local_reg_[local]),
                                              InFpReg(local_types_[local])});
  }
  void ClearCache() {
    if (cached_ == 0) return;
    for (uint8_t c = 0; c < Masm::kNumRegs; ++c) {
      DropCache(Reg{c, false});
      DropCache(Reg{c, true});
    }
  }
  void CacheLocal(uint32_t local, Reg r) {
    DropLocalCache(local);
    CacheOf(r) = static_cast<int32_t>(local);
    local_reg_[local] = r.code;
    InUse(r) = true;
    ++cached_;
  }

  void SpillEntry(size_t k);
  void Evict(Reg r);  // make r free (spilling the stack entry that holds it)
  void SpillAll();
  // After unreachable code: every path into the next label spilled, so all values are in slots.
  void ForgetAll() {
    ClearCache();
    for (Entry& e : stack_) {
      if (e.kind == Entry::kReg) Free(e.reg);
      e.kind = Entry::kSlot;
    }
  }
  Reg PopReg();
  Reg ToReg(Entry e, size_t k);
  void PushReg(ValType t, Reg r) {
    stack_.push_back(Entry{Entry::kReg, t, r});
    max_height_ = std::max(max_height_, stack_.size());
  }
  void PushConst(ValType t, uint64_t bits, uint64_t hi = 0) {
    stack_.push_back(Entry{Entry::kConst, t, Reg{}, bits, hi});
    max_height_ = std::max(max_height_, stack_.size());
  }
  // A v128 is stored and copied as two 8-byte halves.
  void StoreConst(ValType t, int32_t off, uint64_t bits, uint64_t hi) {
    if (t == ValType::V128) {
      masm_.StoreFrameConst(ValType::I64, off, bits);
      masm_.StoreFrameConst(ValType::I64, off + 8, hi);
    } else {
      masm_.StoreFrameConst(t, off, bits);
    }
  }
  void CopySlot(ValType t, int32_t dst_off, int32_t src_off) {
    if (t == ValType::V128) {
      masm_.CopyFrame(ValType::I64, dst_off, src_off);
      masm_.CopyFrame(ValType::I64, dst_off + 8, src_off + 8);
    } else {
      masm_.CopyFrame(t, dst_off, src_off);
    }
  }
  // Argument i of a call to a function of type t (8-byte units of the call area).
  void CopyToArg(const wasm::FuncType& t, ValType v, uint32_t i, int32_t frame_off) {
    const uint32_t at = ArgUnits(t) * i;
    if (v == ValType::V128) {
      masm_.CopyFrameToArg(ValType::I64, at, frame_off);
      masm_.CopyFrameToArg(ValType::I64, at + 1, frame_off + 8);
    } else {
      masm_.CopyFrameToArg(v, at, frame_off);
    }
  }
  void CopyFromArg(const wasm::FuncType& t, ValType v, int32_t frame_off, uint32_t i) {
    const uint32_t at = ArgUnits(t) * i;
    if (v == ValType::V128) {
      masm_.CopyArgToFrame(ValType::I64, frame_off, at);
      masm_.CopyArgToFrame(ValType::I64, frame_off + 8, at + 1);
    } else {
      masm_.CopyArgToFrame(v, frame_off, at);
    }
  }
  uint32_t CallArea(const wasm::FuncType& t) const {
    const uint32_t n = static_cast<uint32_t>(std::max(t.params.size(), t.results.size()));
    return (8 * ArgUnits(t) * n + 15) & ~15u;
  }
  bool UsesV128() const;
  void PushSlot(ValType t) {
    stack_.push_back(Entry{Entry::kSlot, t, Reg{}});
    max_height_ = std::max(max_height_, stack_.size());
  }
  void Drop() {
    Entry e = stack_.back();
    stack_.pop_back();
    if (e.kind == Entry::kReg) Free(e.reg);
  }
  void ResetStack(uint32_t height, const std::vector<ValType>& top);

  // --- Instructions.
  void BlockTypes(uint64_t imm, std::vector<ValType>* params, std::vector<ValType>* results);
  void Branch(uint32_t depth);           // unconditional, stack spilled
  void MoveBranchValues(const Ctrl& c);  // top values to the target's slots
  bool BranchNeedsMoves(const Ctrl& c) const;
  void EmitEnd();
  void EmitNumeric(const Instr& in);
  void EmitFusedCompare(const Instr& in);
  void EmitBrTable(const Instr& in);
  void EmitMemory(const Instr& in);
  void EmitSimd(const Instr& in);
  void EmitCall(const wasm::FuncType& t, uint32_t callee);
  void EmitCallIndirect(const Instr& in);
  void EmitRuntime(RuntimeCall id, std::vector<uint64_t> imms, std::vector<ValType> operands,
                   bool has_result, const Instr& in);
  void Note(CodeNote::Kind k, uint32_t wasm_offset, std::string detail = {}) {
    CodeNote n{
        k, static_cast<uint32_t>(masm_.Offset()), wasm_offset, wasm::TrapKind::Unreachable, {}};
    n.detail = std::move(detail);
    out_.notes.push_back(std::move(n));
  }
  void Reserve(const std::vector<Reg>& regs) {
    for (Reg r : regs) {
      Evict(r);
      Reserved(r) = true;
    }
  }
  void Unreserve(const std::vector<Reg>& regs) {
    for (Reg r : regs) Reserved(r) = false;
  }

  const wasm::Module& module_;
  uint32_t func_index_;
  const wasm::FunctionBody& body_;
  const wasm::FuncType& type_;
  const InstanceLayout& layout_;
  const CompileOptions& options_;
  bool Fault(uint64_t bit) const { return (options_.seed_faults & bit) != 0; }
  Masm masm_;
  CompiledFunction out_;

  uint32_t num_params_ = 0;
  uint32_t num_locals_ = 0;  // declared
  int32_t slot_ = 8;         // frame slot bytes: 16 when the function holds a v128 anywhere
  uint32_t arg_units_ = 1;   // ArgUnits(type_)
  std::vector<ValType> local_types_;
  std::vector<Entry> stack_;
  size_t max_height_ = 0;
  std::vector<Ctrl> ctrl_;
  std::array<bool, Masm::kNumRegs> gp_used_{}, fp_used_{}, gp_reserved_{}, fp_reserved_{};
  std::array<int32_t, Masm::kNumRegs> gp_cache_, fp_cache_;  // local cached, or -1
  std::vector<int8_t> local_reg_;                            // register code, or -1
  uint32_t cached_ = 0;                                      // registers holding a local
  bool unreachable_ = false;
  uint32_t dead_depth_ = 0;
  // Set by a comparison fused into the br_if/if that follows it: the flags hold the result.
  std::optional<typename Masm::Cond> fused_cond_;
};

template <class Masm>
std::optional<Reg> FunctionCompiler<Masm>::TryAllocFree(bool fp) {
  if (fp) {
    for (uint8_t c : Masm::kFpAlloc)
      if (!fp_used_[c] && !fp_reserved_[c]) return Reg{c, true};
  } else {
    for (uint8_t c : Masm::kGpAlloc)
      if (!gp_used_[c] && !gp_reserved_[c]) return Reg{c, false};
  }
  return std::nullopt;
}

template <class Masm>
Reg FunctionCompiler<Masm>::Alloc(bool fp) {
  if (auto r = TryAllocFree(fp)) {
    InUse(*r) = true;
    return *r;
  }
  // A cached local costs nothing to drop (its slot is current).
  for (uint8_t c = 0; c < Masm::kNumRegs; ++c) {
    Reg r{c, fp};
    if (CacheOf(r) >= 0 && !Reserved(r)) {
      DropCache(r);
      InUse(r) = true;
      return r;
    }
  }
  for (size_t k = 0; k < stack_.size(); ++k) {
    Entry& e = stack_[k];
    if (e.kind == Entry::kReg && e.reg.fp == fp && !Reserved(e.reg)) {
      Reg r = e.reg;
      SpillEntry(k);
      InUse(r) = true;
      return r;
    }
  }
  throw UnsupportedFeature("compiler: out of registers");
}

template <class Masm>
void FunctionCompiler<Masm>::SpillEntry(size_t k) {
  Entry& e = stack_[k];
  if (e.kind == Entry::kReg) {
    masm_.StoreFrame(e.type, SlotOff(k), e.reg);
    Free(e.reg);
  } else if (e.kind == Entry::kConst) {
    StoreConst(e.type, SlotOff(k), e.bits, e.hi);
  }
  e.kind = Entry::kSlot;
}

template <class Masm>
void FunctionCompiler<Masm>::Evict(Reg r) {
  if (!InUse(r)) return;
  if (CacheOf(r) >= 0) {
    DropCache(r);
    return;
  }
  for (size_t k = 0; k < stack_.size(); ++k) {
    if (stack_[k].kind == Entry::kReg && stack_[k].reg == r) {
      SpillEntry(k);
      return;
    }
  }
  throw UnsupportedFeature("compiler: fixed register held outside the stack");
}

template <class Masm>
void FunctionCompiler<Masm>::SpillAll() {
  for (size_t k = 0; k < stack_.size(); ++k) SpillEntry(k);
}

template <class Masm>
Reg FunctionCompiler<Masm>::ToReg(Entry e, size_t k) {
  if (e.kind == Entry::kReg) return e.reg;
  Reg r = Alloc(InFpReg(e.type));
  if (e.kind == Entry::kConst && e.type == ValType::V128) {
    if constexpr (Masm::kSimd) masm_.LoadConstV128(r, e.bits, e.hi);
  } else if (e.kind == Entry::kConst)
    masm_.LoadConst(e.type, r, e.bits);
  else
    masm_.LoadFrame(e.type, r, SlotOff(k));
  return r;
}

template <class Masm>
Reg FunctionCompiler<Masm>::PopReg() {
  Entry e = stack_.back();
  stack_.pop_back();
  return ToReg(e, stack_.size());
}

template <class Masm>
void FunctionCompiler<Masm>::ResetStack(uint32_t height, const std::vector<ValType>& top) {
  while (stack_.size() > height) Drop();
  for (ValType t : top) PushSlot(t);
}

template <class Masm>
void FunctionCompiler<Masm>::BlockTypes(uint64_t imm, std::vector<ValType>* params,
                                        std::vector<ValType>* results) {
  wasm::BlockType bt = wasm::BlockType::FromImm(imm);
  params->clear();
  results->clear();
  if (bt.kind == wasm::BlockType::kValue) results->push_back(bt.value);
  if (bt.kind == wasm::BlockType::kIndex) {
    *params = module_.types.at(bt.index).params;
    *results = module_.types.at(bt.index).results;
  }
}

template <class Masm>
bool FunctionCompiler<Masm>::BranchNeedsMoves(const Ctrl& c) const {
  size_t n = c.branch_types().size();
  return n != 0 && stack_.size() - n != c.height;
}

template <class Masm>
void FunctionCompiler<Masm>::MoveBranchValues(const Ctrl& c) {
  const auto& types = c.branch_types();
  size_t n = types.size();
  size_t from = stack_.size() - n;
  for (size_t i = 0; i < n; ++i) CopySlot(types[i], SlotOff(c.height + i), SlotOff(from + i));
}

template <class Masm>
void FunctionCompiler<Masm>::Branch(uint32_t depth) {
  Ctrl& c = ctrl_[ctrl_.size() - 1 - depth];
  MoveBranchValues(c);
  masm_.Jmp(c.label);
}

template <class Masm>
void FunctionCompiler<Masm>::EmitEnd() {
  Ctrl c = std::move(ctrl_.back());
  ctrl_.pop_back();
  if (!unreachable_)
    SpillAll();
  else
    ForgetAll();
  if ((c.kind == Op::If && !c.has_else) || (c.kind != Op::Loop && c.label.has_pending_uses()))
    ClearCache();  // a merge: other paths bring other register contents
  if (c.kind == Op::If && !c.has_else) {
    // The implicit else passes the parameters through (validation: params == results).
    masm_.Bind(c.else_label);
  }
  if (c.kind != Op::Loop) masm_.Bind(c.label);
  ResetStack(c.height, c.results);
  unreachable_ = false;
  if (ctrl_.empty()) {
    for (size_t i = 0; i < c.results.size(); ++i) {
      CopySlot(c.results[i], Masm::ParamOffset(arg_units_ * static_cast<uint32_t>(i)), SlotOff(i));
    }
    masm_.Epilogue();
  }
}

template <class Masm>
void FunctionCompiler<Masm>::EmitCall(const wasm::FuncType& t, uint32_t callee) {
  SpillAll();
  ClearCache();
  const uint32_t np = static_cast<uint32_t>(t.params.size());
  const uint32_t nr = static_cast<uint32_t>(t.results.size());
  const uint32_t area = CallArea(t);
  const size_t base = stack_.size() - np;
  masm_.ReserveCallArea(area);
  for (uint32_t i = 0; i < np; ++i) CopyToArg(t, t.params[i], i, SlotOff(base + i));
  ResetStack(static_cast<uint32_t>(base), {});
  uint32_t store_index = layout_.func_index.at(callee);
  Note(CodeNote::kCall, 0, std::to_string(store_index));
  if (callee >= module_.num_imported_funcs) {
    uint32_t field = masm_.CallRel32();
    out_.local_calls.emplace_back(field, callee);
  } else {
    masm_.CallCodeTable(store_index);
  }
  for (uint32_t i = 0; i < nr; ++i) CopyFromArg(t, t.results[i], SlotOff(base + i), i);
  masm_.ReleaseCallArea(area);
  for (ValType r : t.results) PushSlot(r);
}

template <class Masm>
void FunctionCompiler<Masm>::EmitCallIndirect(const Instr& in) {
  const wasm::FuncType& t = module_.types.at(in.a);
  Reg index = PopReg();
  SpillAll();
  ClearCache();
  const uint32_t np = static_cast<uint32_t>(t.params.size());
  const uint32_t nr = static_cast<uint32_t>(t.results.size());
  const uint32_t area = CallArea(t);
  const size_t base = stack_.size() - np;
  masm_.ReserveCallArea(area);
  for (uint32_t i = 0; i < np; ++i) CopyToArg(t, t.params[i], i, SlotOff(base + i));
  ResetStack(static_cast<uint32_t>(base), {});
  Note(CodeNote::kCall, in.offset, "indirect");
  masm_.CallIndirect(index, layout_.table_desc_offset.at(in.b), layout_.type_id.at(in.a));
  Free(index);
  for (uint32_t i = 0; i < nr; ++i) CopyFromArg(t, t.results[i], SlotOff(base + i), i);
  masm_.ReleaseCallArea(area);
  for (ValType r : t.results) PushSlot(r);
}

// Operands: the immediates first (after the arena base), then the popped stack values in order.
template <class Masm>
void FunctionCompiler<Masm>::EmitRuntime(RuntimeCall id, std::vector<uint64_t> imms,
                                         std::vector<ValType> operands, bool has_result,
                                         const Instr& in) {
  SpillAll();
  ClearCache();
  const size_t base = stack_.size() - operands.size();
  int arg = 1;
  for (uint64_t v : imms) masm_.LoadConst(ValType::I64, Masm::RuntimeArg(arg++), v);
  for (size_t i = 0; i < operands.size(); ++i)
    masm_.LoadFrame(operands[i], Masm::RuntimeArg(arg++), SlotOff(base + i));
  ResetStack(static_cast<uint32_t>(base), {});
  Note(CodeNote::kRuntimeCall, in.offset, RuntimeCallName(id));
  masm_.CallRuntime(id);
  if (has_result) {
    Reg r = Masm::RuntimeResult();
    InUse(r) = true;
    PushReg(ValType::I32, r);
  }
}

// Whether a v128 value can be on this function's stack or in its frame: its signature or a
// local has one, or an instruction makes or takes one (every vector instruction, a v128 global,
// a call whose signature has one; blocks and select only pass on values made so).
template <class Masm>
bool FunctionCompiler<Masm>::UsesV128() const {
  if (ArgUnits(type_) == 2) return true;
  for (const wasm::LocalDecl& d : body_.locals)
    if (d.type == ValType::V128) return true;
  for (const Instr& in : body_.code) {
    switch (in.op) {
      case Op::GlobalGet:
      case Op::GlobalSet:
        if (module_.globals.at(in.a).type.type == ValType::V128) return true;
        break;
      case Op::Call:
        if (ArgUnits(module_.FuncTypeOf(in.a)) == 2) return true;
        break;
      case Op::CallIndirect:
        if (ArgUnits(module_.types.at(in.a)) == 2) return true;
        break;
      // (A block's or select's v128 comes from one of the above, except in code after
      // `unreachable`, which still gets slots: those are 16 bytes too.)
      case Op::Block:
      case Op::Loop:
      case Op::If: {
        wasm::BlockType bt = wasm::BlockType::FromImm(in.c);
        if (bt.kind == wasm::BlockType::kValue && bt.value == ValType::V128) return true;
        if (bt.kind == wasm::BlockType::kIndex && ArgUnits(module_.types.at(bt.index)) == 2) return true;
        break;
      }
      case Op::SelectT:
        if (in.a == 1 && static_cast<ValType>(in.b) == ValType::V128) return true;
        break;
      default:
        if (wasm::GetOpInfo(in.op).prefix == 0xfd) return true;
    }
  }
  return false;
}

// A vector instruction: its operands popped by its signature (up to three), its result pushed.
// Memory forms go through the one bounds emitter (jit/bounds.h). What the back end does not
// compile yet throws UnsupportedFeature.
template <class Masm>
void FunctionCompiler<Masm>::EmitSimd(const Instr& in) {
  if constexpr (!Masm::kSimd) {
    throw UnsupportedFeature(std::string(Masm::kName) + ": SIMD");
  } else {
    const wasm::OpInfo& info = wasm::GetOpInfo(in.op);
    if (in.op == Op::V128Const) {
      uint64_t lo, hi;
      wasm::V128FromInstr(in, &lo, &hi);
      PushConst(ValType::V128, lo, hi);
      return;
    }
    if (wasm::MemAccessSize(info.imm) != 0 || wasm::MemLaneSize(info.imm) != 0) {
      if (!masm_.SimdCompiles(in.op, options_.nan_canonical))
        throw UnsupportedFeature(std::string(Masm::kName) + ": SIMD " + info.name);
      EmitMemory(in);
      return;
    }
    if (info.imm != wasm::ImmKind::None && info.imm != wasm::ImmKind::LaneIdx &&
        info.imm != wasm::ImmKind::Shuffle)
      throw UnsupportedFeature(std::string(Masm::kName) + ": SIMD " + info.name);
    std::vector<ValType> params;
    for (SigType p : {info.p1, info.p2, info.p3})
      if (p != SigType::None) params.push_back(FromSig(p));
    const ValType rt = FromSig(info.result);
    if (!masm_.SimdCompiles(in.op, options_.nan_canonical))
      throw UnsupportedFeature(std::string(Masm::kName) + ": SIMD " + info.name);
    // A shift by a constant count, where the back end has an immediate form for it.
    if constexpr (requires(Masm& m, Reg r) { m.SimdShiftImm(Op::I32x4Shl, r, uint32_t{0}); }) {
      const Entry& top = stack_.back();
      if (params.size() == 2 && params[1] == ValType::I32 && top.kind == Entry::kConst &&
          masm_.SimdShiftImm(in.op, Reg{}, static_cast<uint32_t>(top.bits), /*check_only=*/true)) {
        const uint32_t count = static_cast<uint32_t>(top.bits);
        stack_.pop_back();
        Reg a = PopReg();
        masm_.SimdShiftImm(in.op, a, count);
        PushReg(ValType::V128, a);
        return;
      }
    }
    std::array<Reg, 3> ops{};
    for (size_t k = params.size(); k-- > 0;) ops[k] = PopReg();
    for (size_t k = params.size(); k < 3; ++k) ops[k] = ops[0];
    // A temporary vector register, for the operators that need one, as the third operand.
    std::optional<Reg> temp;
    if (Masm::SimdTemp(in.op, options_.nan_canonical)) {
      if (params.size() == 3) throw std::logic_error("EmitSimd: a temporary for a ternary operator");
      temp = Alloc(true);
      ops[2] = *temp;
    }
    // In place when the first operand is a vector and so is the result.
    const bool in_place = params[0] == ValType::V128 && rt == ValType::V128;
    const Reg dst = in_place ? ops[0] : Alloc(InFpReg(rt));
    masm_.Simd(in, dst, ops[0], ops[1], ops[2]);
    if (options_.nan_canonical) masm_.SimdCanonicalize(in.op, dst, ops[2]);
    for (size_t k = 0; k < params.size(); ++k)
      if (ops[k] != dst) Free(ops[k]);
    if (temp) Free(*temp);
    PushReg(rt, dst);
  }
}

template <class Masm>
void FunctionCompiler<Masm>::EmitMemory(const Instr& in) {
  const wasm::OpInfo& info = wasm::GetOpInfo(in.op);
  MemAccess a{};
  a.op = in.op;
  a.offset = in.c;
  a.memory = in.b;
  a.wasm_offset = in.offset;
  a.desc_offset = layout_.memory_desc_offset.at(in.b);
  a.data_offset = layout_.memory_data_offset.at(in.b);
  a.lane = in.lane;
  if (wasm::MemLaneSize(info.imm) != 0 && !IsStore(in.op)) {
    // A lane load: the vector operand is loaded into and is the result.
    a.value = PopReg();
    a.index = PopReg();
    EmitMemoryAccess(masm_, a, &out_.bounds, &out_.notes);
    Free(a.index);
    PushReg(ValType::V128, a.value);
    return;
  }
  if (IsStore(in.op)) {
    a.value = PopReg();
    a.index = PopReg();
    EmitMemoryAccess(masm_, a, &out_.bounds, &out_.notes);
    Free(a.value);
    Free(a.index);
  } else {
    ValType rt = FromSig(info.result);
    a.index = PopReg();
    if (InFpReg(rt)) {
      a.value = Alloc(true);
      EmitMemoryAccess(masm_, a, &out_.bounds, &out_.notes);
      Free(a.index);
    } else {
      a.value = a.index;  // the index is dead once the address is computed
      EmitMemoryAccess(masm_, a, &out_.bounds, &out_.notes);
    }
    PushReg(rt, a.value);
  }
}

// br_table as a binary search over runs of equal targets: the index space [0, 2^32) splits
// into runs [start, next start) with one branch depth each (the default covers [n, 2^32)), and
// unsigned compares against run starts pick one in O(log runs) direct branches.
template <class Masm>
void FunctionCompiler<Masm>::EmitBrTable(const Instr& in) {
  Reg index = PopReg();
  SpillAll();
  const uint32_t n = in.b;  // targets before the default
  struct Run {
    uint32_t start;
    uint32_t depth;
  };
  std::vector<Run> runs;
  for (uint32_t i = 0; i <= n; ++i) {
    uint32_t depth = body_.br_table_pool[in.a + i];
    // Seeded fault br-table-default: the last explicit index takes the default's target.
    if (Fault(kFaultBrTableDefault) && n >= 1 && i == n - 1) depth = body_.br_table_pool[in.a + n];
    if (runs.empty() || runs.back().depth != depth) runs.push_back(Run{i, depth});
  }
  // One label per distinct depth: the target itself, or a stub that moves the branch values.
  std::vector<std::pair<uint32_t, std::unique_ptr<Label>>> stubs;
  auto label_of = [&](uint32_t depth) -> Label& {
    Ctrl& c = ctrl_[ctrl_.size() - 1 - depth];
    if (!BranchNeedsMoves(c)) return c.label;
    for (auto& [d, l] : stubs)
      if (d == depth) return *l;
    stubs.emplace_back(depth, std::make_unique<Label>());
    return *stubs.back().second;
  };
  std::vector<std::unique_ptr<Label>> splits;
  auto search = [&](auto& self, size_t lo, size_t hi) -> void {
    if (hi - lo == 1) {
      masm_.Jmp(label_of(runs[lo].depth));
      return;
    }
    size_t mid = (lo + hi) / 2;
    const uint32_t start = runs[mid].start;
    typename Masm::Cond ae;
    if (masm_.CanFoldImm(Op::I32GeU, start)) {
      ae = masm_.CompareImmForBranch(Op::I32GeU, index, start);
    } else {
      Reg t = Alloc(false);
      masm_.LoadConst(ValType::I32, t, start);
      ae = masm_.CompareForBranch(Op::I32GeU, index, t);
      Free(t);
    }
    if (hi - mid == 1) {
      masm_.BranchIf(ae, label_of(runs[mid].depth));
      self(self, lo, mid);
      return;
    }
    splits.push_back(std::make_unique<Label>());
    Label& right = *splits.back();
    masm_.BranchIf(ae, right);
    self(self, lo, mid);
    masm_.Bind(right);
    self(self, mid, hi);
  };
  search(search, 0, runs.size());
  Free(index);
  for (auto& [depth, label] : stubs) {
    masm_.Bind(*label);
    Branch(depth);
  }
}

// A comparison whose only use is the br_if/if right after it: cmp/test, no setcc.
template <class Masm>
void FunctionCompiler<Masm>::EmitFusedCompare(const Instr& in) {
  if (in.op == Op::I32Eqz || in.op == Op::I64Eqz) {
    Reg a = PopReg();
    fused_cond_ = masm_.CompareForBranch(in.op, a, a);
    Free(a);
    return;
  }
  const Entry& rhs = stack_.back();
  if (rhs.kind == Entry::kConst && masm_.CanFoldImm(in.op, rhs.bits)) {
    uint64_t bits = rhs.bits;
    stack_.pop_back();
    Reg a = PopReg();
    fused_cond_ = masm_.CompareImmForBranch(in.op, a, bits);
    Free(a);
    return;
  }
  Reg b = PopReg();
  Reg a = PopReg();
  fused_cond_ = masm_.CompareForBranch(in.op, a, b);
  Free(a);
  Free(b);
}

template <class Masm>
void FunctionCompiler<Masm>::EmitNumeric(const Instr& in) {
  const wasm::OpInfo& info = wasm::GetOpInfo(in.op);
  const ValType rt = FromSig(info.result);
  const bool binary = info.p2 != SigType::None;
  if (binary) {
    const Entry& rhs = stack_.back();
    const bool rhs_const = rhs.kind == Entry::kConst && masm_.CanFoldImm(in.op, rhs.bits);
    std::vector<Reg> clobbers = masm_.Clobbers(in.op, rhs_const);
    Reserve(clobbers);
    if (rhs_const) {
      uint64_t bits = stack_.back().bits;
      stack_.pop_back();
      Reg a = PopReg();
      Reg dst = a;
      if (IsFp(rt) != a.fp) dst = Alloc(IsFp(rt));
      if (Fault(kFaultShiftUnmasked) && (in.op == Op::I32Shl || in.op == Op::I32ShrU) &&
          static_cast<uint32_t>(bits) >= 32)
        masm_.LoadConst(ValType::I32, dst, 0);  // seeded fault shift-unmasked
      else
        masm_.NumericImm(in.op, dst, a, bits);
      if (dst != a) Free(a);
      Unreserve(clobbers);
      PushReg(rt, dst);
      return;
    }
    Reg b = PopReg();
    Reg a = PopReg();
    Reg dst = a;
    if (IsFp(rt) != a.fp) dst = Alloc(IsFp(rt));
    masm_.Numeric(in.op, dst, a, b);
    Free(b);
    if (dst != a) Free(a);
    Unreserve(clobbers);
    if (options_.nan_canonical && ProducesArithmeticNaN(in.op)) masm_.CanonicalizeNaN(rt, dst);
    PushReg(rt, dst);
    return;
  }
  Reg a = PopReg();
  Reg dst = a;
  if (IsFp(rt) != a.fp) dst = Alloc(IsFp(rt));
  masm_.Numeric(in.op, dst, a, a);
  if (dst != a) Free(a);
  if (options_.nan_canonical && ProducesArithmeticNaN(in.op)) masm_.CanonicalizeNaN(rt, dst);
  PushReg(rt, dst);
}

template <class Masm>
CompiledFunction FunctionCompiler<Masm>::Compile() {
  // Instruction forms for the code tests: collected by the macro-assembler when it can.
  constexpr bool kCollects = requires(Masm& m) { m.TakeForms(); };
  std::set<std::string> forms;
  if (options_.record_forms) {
    if constexpr (kCollects)
      masm_.StartFormCollection();
    else
      masm_.set_form_recorder(&forms);
  }
  out_.notes.reserve(body_.code.size() + 16);
  masm_.code().reserve(body_.code.size() * 12 + 256);  // about 10 bytes per instruction
  out_.func_index = func_index_;
  num_params_ = static_cast<uint32_t>(type_.params.size());
  local_types_ = type_.params;
  for (const wasm::LocalDecl& d : body_.locals)
    local_types_.insert(local_types_.end(), d.count, d.type);
  num_locals_ = static_cast<uint32_t>(local_types_.size()) - num_params_;
  gp_cache_.fill(-1);
  fp_cache_.fill(-1);
  local_reg_.assign(local_types_.size(), -1);
  if (local_types_.size() > 50000) throw UnsupportedFeature("compiler: too many locals");
  if (UsesV128()) {
    if (!Masm::kSimd) throw UnsupportedFeature(std::string(Masm::kName) + ": v128 values");
    slot_ = 16;
  }
  arg_units_ = ArgUnits(type_);

  masm_.Prologue();
  masm_.EntryChecks();
  // Declared locals start at zero (null for references). Long runs of non-reference locals
  // are zeroed by a loop when the macro-assembler offers one (less code to emit and to run).
  constexpr bool kZeroLoop = requires(Masm& m) { m.ZeroFrame(int32_t{0}, uint32_t{0}); };
  for (uint32_t j = 0; j < num_locals_;) {
    ValType t = local_types_[num_params_ + j];
    if constexpr (kZeroLoop) {
      uint32_t end = j;
      while (end < num_locals_ && !wasm::IsRefType(local_types_[num_params_ + end])) ++end;
      if (end - j >= Masm::kZeroLoopMin) {
        // Locals j..end-1 sit at descending offsets; the lowest is local end-1's.
        masm_.ZeroFrame(LocalOff(num_params_ + end - 1), (end - j) * static_cast<uint32_t>(slot_ / 8));
        j = end;
        continue;
      }
    }
    masm_.StoreFrameConst(ValType::I64, LocalOff(num_params_ + j),
                          wasm::IsRefType(t) ? wasm::kNullRef : 0);
    if (t == ValType::V128) masm_.StoreFrameConst(ValType::I64, LocalOff(num_params_ + j) + 8, 0);
    ++j;
  }
  {
    Ctrl fc;
    fc.kind = Op::End;
    fc.height = 0;
    fc.results = type_.results;
    ctrl_.push_back(std::move(fc));
  }

  const std::vector<Instr>& code = body_.code;
  for (size_t pc = 0; pc < code.size(); ++pc) {
    const Instr& in = code[pc];
    if (unreachable_) {
      switch (in.op) {
        case Op::Block:
        case Op::Loop:
        case Op::If:
          ++dead_depth_;
          continue;
        case Op::Else:
        case Op::End:
          if (dead_depth_ > 0) {
            if (in.op == Op::End) --dead_depth_;
            continue;
          }
          break;
        default:
          continue;
      }
    }
    {
      // The start of each instruction's code (Note without the detail string to build).
      CodeNote& n = out_.notes.emplace_back();
      n.kind = CodeNote::kWasmInstr;
      n.code_offset = static_cast<uint32_t>(masm_.Offset());
      n.wasm_offset = in.offset;
    }
    if (options_.opcode_coverage) options_.opcode_coverage[static_cast<size_t>(in.op)] = 1;
    const wasm::OpInfo& info = wasm::GetOpInfo(in.op);
    switch (in.op) {
      case Op::Nop:
        break;
      case Op::Unreachable:
        masm_.Trap(wasm::TrapKind::Unreachable);
        unreachable_ = true;
        break;
      case Op::Block:
      case Op::Loop: {
        Ctrl c;
        c.kind = in.op;
        BlockTypes(in.c, &c.params, &c.results);
        c.height = static_cast<uint32_t>(stack_.size() - c.params.size());
        if (in.op == Op::Loop) {
          SpillAll();
          ClearCache();
          masm_.Bind(c.label);
          if (options_.metered) masm_.FuelCheck();
        }
        ctrl_.push_back(std::move(c));
        break;
      }
      case Op::If: {
        Ctrl c;
        c.kind = Op::If;
        BlockTypes(in.c, &c.params, &c.results);
        if (fused_cond_) {
          SpillAll();
          masm_.BranchIf(Masm::NegateCond(*fused_cond_), c.else_label);
          fused_cond_.reset();
        } else {
          Reg cond = PopReg();
          SpillAll();
          masm_.BranchIfZero(cond, c.else_label);
          Free(cond);
        }
        c.height = static_cast<uint32_t>(stack_.size() - c.params.size());
        ctrl_.push_back(std::move(c));
        break;
      }
      case Op::Else: {
        Ctrl& c = ctrl_.back();
        if (!unreachable_) {
          SpillAll();
          masm_.Jmp(c.label);
        } else {
          ForgetAll();
        }
        ClearCache();
        masm_.Bind(c.else_label);
        c.has_else = true;
        ResetStack(c.height, c.params);
        unreachable_ = false;
        break;
      }
      case Op::End:
        EmitEnd();
        break;
      case Op::Br:
        SpillAll();
        Branch(in.a);
        unreachable_ = true;
        break;
      case Op::BrIf: {
        Ctrl& c = ctrl_[ctrl_.size() - 1 - in.a];
        if (fused_cond_) {
          SpillAll();
          typename Masm::Cond cc = *fused_cond_;
          fused_cond_.reset();
          if (!BranchNeedsMoves(c)) {
            masm_.BranchIf(cc, c.label);
          } else {
            Label skip;
            masm_.BranchIf(Masm::NegateCond(cc), skip);
            Branch(in.a);
            masm_.Bind(skip);
          }
          break;
        }
        Reg cond = PopReg();
        SpillAll();
        if (!BranchNeedsMoves(c)) {
          masm_.BranchIfNonZero(cond, c.label);
        } else {
          Label skip;
          masm_.BranchIfZero(cond, skip);
          Branch(in.a);
          masm_.Bind(skip);
        }
        Free(cond);
        break;
      }
      case Op::BrTable:
        EmitBrTable(in);
        unreachable_ = true;
        break;
      case Op::Return:
        SpillAll();
        Branch(static_cast<uint32_t>(ctrl_.size() - 1));
        unreachable_ = true;
        break;
      case Op::Call:
        EmitCall(module_.FuncTypeOf(in.a), in.a);
        break;
      case Op::CallIndirect:
        EmitCallIndirect(in);
        break;

      case Op::RefNull:
        PushConst(static_cast<ValType>(in.a), wasm::kNullRef);
        break;
      case Op::RefFunc:
        PushConst(ValType::FuncRef, layout_.func_index.at(in.a));
        break;
      case Op::RefIsNull: {
        Reg a = PopReg();
        masm_.Numeric(Op::RefIsNull, a, a, a);
        PushReg(ValType::I32, a);
        break;
      }
      case Op::Drop:
        Drop();
        break;
      case Op::Select:
      case Op::SelectT: {
        Reg cond = PopReg();
        ValType t = stack_.back().type;
        Reg b = PopReg();
        Reg a = PopReg();
        masm_.Select(t, cond, a, b);
        Free(cond);
        Free(b);
        PushReg(t, a);
        break;
      }
      case Op::LocalGet: {
        ValType t = LocalType(in.a);
        const bool fp = InFpReg(t);
        if (local_reg_[in.a] >= 0) {
          Reg c{static_cast<uint8_t>(local_reg_[in.a]), fp};
          Reserved(c) = true;  // Alloc must not take the copy's source
          Reg r = Alloc(fp);
          Reserved(c) = false;
          masm_.Move(t, r, c);
          PushReg(t, r);
          break;
        }
        Reg r = Alloc(fp);
        if (std::optional<Reg> c = TryAllocFree(fp)) {
          // Keep a copy for the next reads of this local in the block.
          masm_.LoadFrame(t, *c, LocalOff(in.a));
          masm_.Move(t, r, *c);
          CacheLocal(in.a, *c);
        } else {
          masm_.LoadFrame(t, r, LocalOff(in.a));
        }
        PushReg(t, r);
        break;
      }
      case Op::LocalSet:
      case Op::LocalTee: {
        ValType t = LocalType(in.a);
        Entry e = stack_.back();
        DropLocalCache(in.a);
        if (e.kind == Entry::kConst) {
          StoreConst(t, LocalOff(in.a), e.bits, e.hi);
          if (in.op == Op::LocalSet) stack_.pop_back();
          break;
        }
        Reg r = PopReg();
        // Seeded fault local-writeback: local.set only caches the register.
        if (!(in.op == Op::LocalSet && Fault(kFaultLocalWriteback)))
          masm_.StoreFrame(t, LocalOff(in.a), r);
        if (in.op == Op::LocalTee) {
          PushReg(t, r);
          if (std::optional<Reg> c = TryAllocFree(r.fp)) {
            masm_.Move(t, *c, r);
            CacheLocal(in.a, *c);
          }
        } else {
          Free(r);
          CacheLocal(in.a, r);
        }
        break;
      }
      case Op::GlobalGet: {
        ValType t = module_.globals.at(in.a).type.type;
        Reg r = Alloc(InFpReg(t));
        masm_.LoadGlobal(t, r, layout_.global_offset.at(in.a));
        PushReg(t, r);
        break;
      }
      case Op::GlobalSet: {
        ValType t = module_.globals.at(in.a).type.type;
        Reg r = PopReg();
        masm_.StoreGlobal(t, layout_.global_offset.at(in.a), r);
        Free(r);
        break;
      }
      case Op::TableGet: {
        Reg index = PopReg();
        Reg dst = Alloc(false);
        masm_.TableGet(dst, index, layout_.table_desc_offset.at(in.a));
        Free(index);
        PushReg(module_.tables.at(in.a).elem, dst);
        break;
      }
      case Op::TableSet: {
        Reg value = PopReg();
        Reg index = PopReg();
        masm_.TableSet(index, value, layout_.table_desc_offset.at(in.a));
        Free(value);
        Free(index);
        break;
      }
      case Op::TableSize: {
        Reg dst = Alloc(false);
        masm_.TableSize(dst, layout_.table_desc_offset.at(in.a));
        PushReg(ValType::I32, dst);
        break;
      }
      case Op::MemorySize: {
        Reg dst = Alloc(false);
        masm_.MemorySize(dst, layout_.memory_desc_offset.at(in.a));
        PushReg(ValType::I32, dst);
        break;
      }
      case Op::MemoryGrow:
        EmitRuntime(RuntimeCall::kMemoryGrow, {layout_.memory_desc_offset.at(in.a)}, {ValType::I32},
                    true, in);
        if (Fault(kFaultGrowResult)) {  // seeded fault grow-result: the old size + 1
          Reg r = PopReg();
          masm_.NumericImm(Op::I32Add, r, r, 1);
          PushReg(ValType::I32, r);
        }
        break;
      case Op::MemoryFill:
        EmitRuntime(RuntimeCall::kMemoryFill, {layout_.memory_desc_offset.at(in.a)},
                    {ValType::I32, ValType::I32, ValType::I32}, false, in);
        break;
      case Op::MemoryCopy:
        EmitRuntime(RuntimeCall::kMemoryCopy,
                    {layout_.memory_desc_offset.at(in.a), layout_.memory_desc_offset.at(in.b)},
                    {ValType::I32, ValType::I32, ValType::I32}, false, in);
        break;
      case Op::MemoryInit:
        EmitRuntime(RuntimeCall::kMemoryInit,
                    {layout_.memory_desc_offset.at(in.b), layout_.data_index.at(in.a)},
                    {ValType::I32, ValType::I32, ValType::I32}, false, in);
        break;
      case Op::DataDrop:
        EmitRuntime(RuntimeCall::kDataDrop, {layout_.data_index.at(in.a)}, {}, false, in);
        break;
      case Op::TableGrow:
        EmitRuntime(RuntimeCall::kTableGrow, {layout_.table_desc_offset.at(in.a)},
                    {ValType::I64, ValType::I32}, true, in);
        break;
      case Op::TableFill:
        EmitRuntime(RuntimeCall::kTableFill, {layout_.table_desc_offset.at(in.a)},
                    {ValType::I32, ValType::I64, ValType::I32}, false, in);
        break;
      case Op::TableCopy:
        EmitRuntime(RuntimeCall::kTableCopy,
                    {layout_.table_desc_offset.at(in.a), layout_.table_desc_offset.at(in.b)},
                    {ValType::I32, ValType::I32, ValType::I32}, false, in);
        break;
      case Op::TableInit:
        EmitRuntime(RuntimeCall::kTableInit,
                    {layout_.table_desc_offset.at(in.b), layout_.elem_index.at(in.a)},
                    {ValType::I32, ValType::I32, ValType::I32}, false, in);
        break;
      case Op::ElemDrop:
        EmitRuntime(RuntimeCall::kElemDrop, {layout_.elem_index.at(in.a)}, {}, false, in);
        break;

      case Op::I32Const:
        PushConst(ValType::I32, static_cast<uint32_t>(in.c));
        break;
      case Op::I64Const:
        PushConst(ValType::I64, in.c);
        break;
      case Op::F32Const:
        PushConst(ValType::F32, static_cast<uint32_t>(in.c));
        break;
      case Op::F64Const:
        PushConst(ValType::F64, in.c);
        break;

      default:
        if (info.prefix == 0xfd) {
          EmitSimd(in);
        } else if (wasm::MemAccessSize(info.imm) != 0) {
          EmitMemory(in);
        } else if (Masm::IsFusableCompare(in.op) && pc + 1 < code.size() &&
                   (code[pc + 1].op == Op::BrIf || code[pc + 1].op == Op::If)) {
          EmitFusedCompare(in);
        } else {
          EmitNumeric(in);
        }
        break;
    }
  }
  if (!ctrl_.empty()) throw UnsupportedFeature("compiler: unbalanced body");
  uint32_t frame = static_cast<uint32_t>(slot_) * (num_locals_ + static_cast<uint32_t>(max_height_));
  frame = (frame + 15) & ~15u;
  masm_.PatchFrame(frame);
  masm_.Finish(&out_.notes);
  out_.code = std::move(masm_.code());
  if (options_.record_forms) {
    if constexpr (kCollects)
      out_.forms = masm_.TakeForms();
    else
      out_.forms.assign(forms.begin(), forms.end());
  }
  return std::move(out_);
}

}  // namespace

CompiledFunction CompileFunction(Arch arch, const wasm::Module& module, uint32_t func_index,
                                 const InstanceLayout& layout, const CompileOptions& options) {
  if (func_index < module.num_imported_funcs || func_index >= module.func_types.size())
    throw UnsupportedFeature("CompileFunction: not a defined function");
  switch (arch) {
    case Arch::kX64: {
      FunctionCompiler<x64::MasmX64> c(module, func_index, layout, options);
      return c.Compile();
    }
    case Arch::kA64: {
      FunctionCompiler<a64::MasmA64> c(module, func_index, layout, options);
      return c.Compile();
    }
    default:
      throw UnsupportedFeature("no back end for this architecture yet");
  }
}

}  // namespace tandem::jit
