// masm_a64.cc: the AArch64 macro-assembler (docs/jit.md "AArch64"; DESIGN.md "Code, not
// helpers", "NaN"). Semantics follow reference/interp.cc and reference/numerics.h bit for bit.
#include "jit/a64/masm_a64.h"

#include "jit/faults.h"

#include <bit>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "jit/arena.h"
#include "jit/faults.h"
#include "jit/mutants.h"

namespace tandem::jit::a64 {

using wasm::Op;
using wasm::TrapKind;
using wasm::ValType;

namespace {

constexpr int kExitCallStack = -1;
constexpr int kExitFuel = -2;
constexpr int kExitRuntime = -3;

constexpr Reg kArena = Reg::x28;
constexpr Reg kS0 = Reg::x16;  // scratch: values
constexpr Reg kS1 = Reg::x17;  // scratch: addresses
constexpr VReg kFs = VReg::v31;

bool Is64(ValType t) { return t == ValType::I64 || t == ValType::F64 || wasm::IsRefType(t); }
bool IsFloat(ValType t) { return t == ValType::F32 || t == ValType::F64; }

uint64_t F64Bits(double d) { return std::bit_cast<uint64_t>(d); }
uint64_t F32Bits(float f) { return std::bit_cast<uint32_t>(f); }

bool IsIntCompare(Op op) {
  return (op >= Op::I32Eq && op <= Op::I32GeU) || (op >= Op::I64Eq && op <= Op::I64GeU);
}

// add/sub immediate: imm12, or imm12 << 12.
bool SplitAddSub(uint64_t imm, uint32_t* v, uint8_t* shift) {
  if (imm < 4096) {
    *v = static_cast<uint32_t>(imm);
    *shift = 0;
    return true;
  }
  if ((imm & 0xfff) == 0 && (imm >> 12) < 4096) {
    *v = static_cast<uint32_t>(imm >> 12);
    *shift = 12;
    return true;
  }
  return false;
}

}  // namespace

MasmA64::MasmA64(const InstanceLayout& layout, const CompileOptions& options)
    : layout_(layout), options_(options) {
  fault_cond_ = (options.seed_faults & kFaultCond) != 0;
  if (BoundsMutantOf(options.bounds_mutant, "a64")) mutant_ = options.bounds_mutant;
}

// ---- Memory helpers ---------------------------------------------------------------------------

MasmA64::Kind MasmA64::KindOf(ValType t) {
  if (t == ValType::F32) return Kind::kS;
  if (t == ValType::F64) return Kind::kD;
  if (t == ValType::V128) return Kind::kQ;
  return Is64(t) ? Kind::kX : Kind::kW;
}

void MasmA64::LoadMem(Kind k, uint8_t reg, Reg base, int64_t off) {
  const int64_t size = (k == Kind::kW || k == Kind::kS) ? 4 : k == Kind::kQ ? 16 : 8;
  auto emit = [&](const Mem& m, bool unscaled) {
    switch (k) {
      case Kind::kW:
      case Kind::kX: {
        W w = k == Kind::kW ? W::k32 : W::k64;
        if (unscaled)
          asm_.ldur(w, static_cast<Reg>(reg), m);
        else
          asm_.ldr(w, static_cast<Reg>(reg), m);
        break;
      }
      case Kind::kS:
      case Kind::kD: {
        FpW w = k == Kind::kS ? FpW::kS : FpW::kD;
        if (unscaled)
          asm_.ldur(w, static_cast<VReg>(reg), m);
        else
          asm_.ldr(w, static_cast<VReg>(reg), m);
        break;
      }
      case Kind::kQ:
        if (unscaled)
          asm_.ldur_q(static_cast<VReg>(reg), m);
        else
          asm_.ldr_q(static_cast<VReg>(reg), m);
        break;
    }
  };
  if (off >= 0 && off % size == 0 && off / size < 4096) {
    emit(Mem(base, static_cast<int32_t>(off)), false);
  } else if (off >= -256 && off < 256) {
    emit(Mem(base, static_cast<int32_t>(off)), true);
  } else {
    asm_.MovImm64(kS1, static_cast<uint64_t>(off));
    emit(Mem(base, kS1), false);
  }
}

void MasmA64::StoreMem(Kind k, uint8_t reg, Reg base, int64_t off) {
  const int64_t size = (k == Kind::kW || k == Kind::kS) ? 4 : k == Kind::kQ ? 16 : 8;
  auto emit = [&](const Mem& m, bool unscaled) {
    switch (k) {
      case Kind::kW:
      case Kind::kX: {
        W w = k == Kind::kW ? W::k32 : W::k64;
        Reg r = reg == 32 ? Reg::zr : static_cast<Reg>(reg);
        if (unscaled)
          asm_.stur(w, r, m);
        else
          asm_.str(w, r, m);
        break;
      }
      case Kind::kS:
      case Kind::kD: {
        FpW w = k == Kind::kS ? FpW::kS : FpW::kD;
        if (unscaled)
          asm_.stur(w, static_cast<VReg>(reg), m);
        else
          asm_.str(w, static_cast<VReg>(reg), m);
        break;
      }
      case Kind::kQ:
        if (unscaled)
          asm_.stur_q(static_cast<VReg>(reg), m);
        else
          asm_.str_q(static_cast<VReg>(reg), m);
        break;
    }
  };
  if (off >= 0 && off % size == 0 && off / size < 4096) {
    emit(Mem(base, static_cast<int32_t>(off)), false);
  } else if (off >= -256 && off < 256) {
    emit(Mem(base, static_cast<int32_t>(off)), true);
  } else {
    asm_.MovImm64(kS1, static_cast<uint64_t>(off));
    emit(Mem(base, kS1), false);
  }
}

void MasmA64::AddImm(Reg d, Reg n, uint64_t imm) {
  uint32_t v;
  uint8_t sh;
  if (SplitAddSub(imm, &v, &sh)) {
    asm_.add(W::k64, d, n, v, sh);
  } else {
    asm_.MovImm64(kS1, imm);
    asm_.add(W::k64, d, n, kS1);
  }
}

void MasmA64::SubSp(uint32_t bytes) {
  if (bytes >> 12) asm_.sub(W::k64, Reg::sp, Reg::sp, bytes >> 12, 12);
  if (bytes & 0xfff) asm_.sub(W::k64, Reg::sp, Reg::sp, bytes & 0xfff);
}

void MasmA64::AddSp(uint32_t bytes) {
  if (bytes >> 12) asm_.add(W::k64, Reg::sp, Reg::sp, bytes >> 12, 12);
  if (bytes & 0xfff) asm_.add(W::k64, Reg::sp, Reg::sp, bytes & 0xfff);
}

MasmA64::Label& MasmA64::Stub(int kind) {
  auto& l = stubs_[kind];
  if (!l) l = std::make_unique<Label>();
  return *l;
}

// ---- Frame ------------------------------------------------------------------------------------

void MasmA64::Prologue() {
  asm_.stp(W::k64, Reg::fp, Reg::lr, Mem::PreIndex(Reg::sp, -16));
  asm_.mov(W::k64, Reg::fp, Reg::sp);
  frame_patch_ = asm_.offset();
  asm_.sub(W::k64, Reg::sp, Reg::sp, 0, 12);  // patched: FRAME >> 12
  asm_.sub(W::k64, Reg::sp, Reg::sp, 0);      // patched: FRAME & 0xfff
}

void MasmA64::PatchFrame(uint32_t frame_bytes) {
  if ((frame_bytes >> 12) >= 4096) throw UnsupportedFeature("a64: frame too large");
  Assembler t;
  t.sub(W::k64, Reg::sp, Reg::sp, frame_bytes >> 12, 12);
  t.sub(W::k64, Reg::sp, Reg::sp, frame_bytes & 0xfff);
  asm_.patch_u32(frame_patch_, t.read_u32(0));
  asm_.patch_u32(frame_patch_ + 4, t.read_u32(4));
}

void MasmA64::EntryChecks() {
  Label& exhausted = Stub(kExitCallStack);
  LoadMem(Kind::kW, 16, kArena, layout_.call_depth_offset);
  LoadMem(Kind::kW, 17, kArena, layout_.max_call_depth_offset);
  asm_.cmp(W::k32, kS0, kS1);
  asm_.b(Cond::hs, exhausted);
  if (options_.stack_limit != 0) {
    asm_.MovImm64(kS1, options_.stack_limit);
    asm_.mov(W::k64, kS0, Reg::sp);
    asm_.cmp(W::k64, kS0, kS1);
    asm_.b(Cond::lo, exhausted);
    LoadMem(Kind::kW, 16, kArena, layout_.call_depth_offset);
  }
  asm_.add(W::k32, kS0, kS0, 1);
  StoreMem(Kind::kW, 16, kArena, layout_.call_depth_offset);
  if (options_.metered) FuelCheck();
}

void MasmA64::FuelCheck() {
  LoadMem(Kind::kX, 16, kArena, layout_.fuel_offset);
  asm_.cbz(W::k64, kS0, Stub(kExitFuel));
  asm_.sub(W::k64, kS0, kS0, 1);
  StoreMem(Kind::kX, 16, kArena, layout_.fuel_offset);
}

void MasmA64::Epilogue() {
  LoadMem(Kind::kW, 16, kArena, layout_.call_depth_offset);
  asm_.sub(W::k32, kS0, kS0, 1);
  StoreMem(Kind::kW, 16, kArena, layout_.call_depth_offset);
  asm_.mov(W::k64, Reg::sp, Reg::fp);
  asm_.ldp(W::k64, Reg::fp, Reg::lr, Mem::PostIndex(Reg::sp, 16));
  asm_.ret();
}

// ---- Values -----------------------------------------------------------------------------------

void MasmA64::LoadFrame(ValType t, JReg dst, int32_t off) {
  LoadMem(KindOf(t), dst.code, Reg::fp, off);
}

void MasmA64::StoreFrame(ValType t, int32_t off, JReg src) {
  StoreMem(KindOf(t), src.code, Reg::fp, off);
}

void MasmA64::StoreFrameConst(ValType t, int32_t off, uint64_t bits) {
  const bool wide = Is64(t);
  if (!wide) bits &= 0xffffffffu;
  if (bits == 0) {
    StoreMem(wide ? Kind::kX : Kind::kW, 32, Reg::fp, off);
    return;
  }
  if (wide)
    asm_.MovImm64(kS0, bits);
  else
    asm_.MovImm32(kS0, static_cast<uint32_t>(bits));
  StoreMem(wide ? Kind::kX : Kind::kW, 16, Reg::fp, off);
}

void MasmA64::CopyFrame(ValType t, int32_t dst_off, int32_t src_off) {
  if (dst_off == src_off) return;
  Kind k = Is64(t) ? Kind::kX : Kind::kW;
  LoadMem(k, 16, Reg::fp, src_off);
  StoreMem(k, 16, Reg::fp, dst_off);
}

void MasmA64::LoadConst(ValType t, JReg dst, uint64_t bits) {
  if (IsFloat(t)) {
    if (t == ValType::F32) {
      bits &= 0xffffffffu;
      if (bits == 0) {
        asm_.fmov(W::k32, V(dst), Reg::zr);
      } else {
        asm_.MovImm32(kS0, static_cast<uint32_t>(bits));
        asm_.fmov(W::k32, V(dst), kS0);
      }
    } else if (bits == 0) {
      asm_.fmov(W::k64, V(dst), Reg::zr);
    } else {
      asm_.MovImm64(kS0, bits);
      asm_.fmov(W::k64, V(dst), kS0);
    }
    return;
  }
  if (!Is64(t))
    asm_.MovImm32(G(dst), static_cast<uint32_t>(bits));
  else
    asm_.MovImm64(G(dst), bits);
}

void MasmA64::Move(ValType t, JReg dst, JReg src) {
  if (dst == src) return;
  if (t == ValType::V128)
    asm_.mov_v(V(dst), V(src));
  else if (IsFloat(t))
    asm_.fmov(FpW::kD, V(dst), V(src));
  else
    asm_.mov(Is64(t) ? W::k64 : W::k32, G(dst), G(src));
}

void MasmA64::LoadGlobal(ValType t, JReg dst, uint32_t off) {
  LoadMem(KindOf(t), dst.code, kArena, off);
}

void MasmA64::StoreGlobal(ValType t, uint32_t off, JReg src) {
  StoreMem(KindOf(t), src.code, kArena, off);
}

// ---- Control ----------------------------------------------------------------------------------

void MasmA64::Bind(Label& l) {
  try {
    asm_.bind(l);
  } catch (const AssemblerError& e) {
    throw UnsupportedFeature(std::string("a64: branch out of range: ") + e.what());
  }
}

void MasmA64::BranchIfZero(JReg cond, Label& l) { asm_.cbz(W::k32, G(cond), l); }

void MasmA64::BranchIfNonZero(JReg cond, Label& l) { asm_.cbnz(W::k32, G(cond), l); }

void MasmA64::BranchIfEqual(JReg r, uint32_t imm, Label& l) {
  uint32_t v;
  uint8_t sh;
  if (SplitAddSub(imm, &v, &sh)) {
    asm_.cmp(W::k32, G(r), v, sh);
  } else {
    asm_.MovImm32(kS0, imm);
    asm_.cmp(W::k32, G(r), kS0);
  }
  asm_.b(Cond::eq, l);
}

MasmA64::Label& MasmA64::TrapLabel(TrapKind k) { return Stub(static_cast<int>(k)); }

void MasmA64::Select(ValType t, JReg cond, JReg a, JReg b) {
  asm_.cmp(W::k32, G(cond), 0u);
  if (t == ValType::V128) {  // a mask of the condition; b's bits where it is clear
    asm_.csetm(W::k64, kS0, Cond::ne);
    asm_.dup(Arr::k2D, kFs, kS0);
    asm_.bif(Arr::k16B, V(a), V(b), kFs);
  } else if (t == ValType::F32)
    asm_.fcsel(FpW::kS, V(a), V(a), V(b), Cond::ne);
  else if (t == ValType::F64)
    asm_.fcsel(FpW::kD, V(a), V(a), V(b), Cond::ne);
  else
    asm_.csel(Is64(t) ? W::k64 : W::k32, G(a), G(a), G(b), Cond::ne);
}

// ---- Numeric ----------------------------------------------------------------------------------

std::vector<MasmA64::JReg> MasmA64::Clobbers(Op, bool) const { return {}; }

MasmA64::Cond MasmA64::IntCond(Op op) const {
  switch (op) {
    case Op::I32Eq:
    case Op::I64Eq:
      return Cond::eq;
    case Op::I32Ne:
    case Op::I64Ne:
      return Cond::ne;
    case Op::I32LtS:
      return fault_cond_ ? Cond::le : Cond::lt;  // seeded fault "cond" (jit/faults.h)
    case Op::I64LtS:
      return Cond::lt;
    case Op::I32LtU:
    case Op::I64LtU:
      return Cond::lo;
    case Op::I32GtS:
    case Op::I64GtS:
      return Cond::gt;
    case Op::I32GtU:
    case Op::I64GtU:
      return Cond::hi;
    case Op::I32LeS:
    case Op::I64LeS:
      return Cond::le;
    case Op::I32LeU:
    case Op::I64LeU:
      return Cond::ls;
    case Op::I32GeS:
    case Op::I64GeS:
      return Cond::ge;
    case Op::I32GeU:
    case Op::I64GeU:
      return Cond::hs;
    default:
      throw std::logic_error("IntCond");
  }
}

bool MasmA64::IsFusableCompare(Op op) {
  return IsIntCompare(op) || op == Op::I32Eqz || op == Op::I64Eqz;
}

MasmA64::Cond MasmA64::CompareForBranch(Op op, JReg a, JReg b) {
  const W w = wasm::GetOpInfo(op).p1 == wasm::SigType::I64 ? W::k64 : W::k32;
  if (op == Op::I32Eqz || op == Op::I64Eqz) {
    asm_.cmp(op == Op::I64Eqz && Fault(kFaultEqz64) ? W::k32 : w, G(a), 0u);  // seeded fault eqz64
    return Cond::eq;
  }
  asm_.cmp(w, G(a), G(b));
  return IntCond(op);
}

MasmA64::Cond MasmA64::CompareImmForBranch(Op op, JReg a, uint64_t bits) {
  const W w = wasm::GetOpInfo(op).p1 == wasm::SigType::I64 ? W::k64 : W::k32;
  uint32_t v;
  uint8_t sh;
  if (!SplitAddSub(bits, &v, &sh)) throw std::logic_error("CompareImmForBranch: not foldable");
  asm_.cmp(w, G(a), v, sh);
  return IntCond(op);
}

bool MasmA64::CanFoldImm(Op op, uint64_t bits) const {
  const bool i64 = wasm::GetOpInfo(op).p1 == wasm::SigType::I64;
  if (!i64) bits &= 0xffffffffu;
  uint32_t v;
  uint8_t sh;
  uint32_t enc;
  if (IsIntCompare(op)) return SplitAddSub(bits, &v, &sh);
  switch (op) {
    case Op::I32Add:
    case Op::I64Add:
    case Op::I32Sub:
    case Op::I64Sub:
      return SplitAddSub(bits, &v, &sh);
    case Op::I32And:
    case Op::I64And:
    case Op::I32Or:
    case Op::I64Or:
    case Op::I32Xor:
    case Op::I64Xor:
      return Assembler::EncodeLogicalImm(i64 ? W::k64 : W::k32, bits, &enc);
    case Op::I32Shl:
    case Op::I32ShrS:
    case Op::I32ShrU:
    case Op::I32Rotl:
    case Op::I32Rotr:
    case Op::I64Shl:
    case Op::I64ShrS:
    case Op::I64ShrU:
    case Op::I64Rotl:
    case Op::I64Rotr:
      return true;
    default:
      return false;
  }
}

void MasmA64::NumericImm(Op op, JReg dst, JReg ra, uint64_t bits) {
  const bool i64 = wasm::GetOpInfo(op).p1 == wasm::SigType::I64;
  const W w = i64 ? W::k64 : W::k32;
  if (!i64) bits &= 0xffffffffu;
  const uint8_t width = i64 ? 64 : 32;
  const uint8_t sh = static_cast<uint8_t>(bits & (width - 1));
  Reg a = G(ra), d = G(dst);
  uint32_t v = 0;
  uint8_t ish = 0;
  SplitAddSub(bits, &v, &ish);
  if (IsIntCompare(op)) {
    asm_.cmp(w, a, v, ish);
    asm_.cset(W::k32, d, IntCond(op));
    return;
  }
  switch (op) {
    case Op::I32Add:
    case Op::I64Add:
      asm_.add(w, d, a, v, ish);
      break;
    case Op::I32Sub:
    case Op::I64Sub:
      asm_.sub(w, d, a, v, ish);
      break;
    case Op::I32And:
    case Op::I64And:
      asm_.and_(w, d, a, bits);
      break;
    case Op::I32Or:
    case Op::I64Or:
      asm_.orr(w, d, a, bits);
      break;
    case Op::I32Xor:
    case Op::I64Xor:
      asm_.eor(w, d, a, bits);
      break;
    case Op::I32Shl:
    case Op::I64Shl:
      if (sh)
        asm_.lsl(w, d, a, sh);
      else if (d != a)
        asm_.mov(w, d, a);
      break;
    case Op::I32ShrS:
    case Op::I64ShrS:
      if (sh)
        asm_.asr(w, d, a, sh);
      else if (d != a)
        asm_.mov(w, d, a);
      break;
    case Op::I32ShrU:
    case Op::I64ShrU:
      if (sh)
        asm_.lsr(w, d, a, sh);
      else if (d != a)
        asm_.mov(w, d, a);
      break;
    case Op::I32Rotl:
    case Op::I64Rotl:
      if (sh)
        asm_.ror(w, d, a, static_cast<uint8_t>(width - sh));
      else if (d != a)
        asm_.mov(w, d, a);
      break;
    case Op::I32Rotr:
    case Op::I64Rotr:
      if (sh)
        asm_.ror(w, d, a, sh);
      else if (d != a)
        asm_.mov(w, d, a);
      break;
    default:
      throw std::logic_error("NumericImm: not foldable");
  }
}

// Division: AArch64 sdiv/udiv never trap (x/0 = 0, INT_MIN/-1 = INT_MIN), so both traps are
// explicit checks. rem = a - (a/b)*b, which is 0 for INT_MIN rem -1 as the spec wants.
void MasmA64::IntDivRem(Op op, JReg dst, JReg ra, JReg rb) {
  const bool i64 = op >= Op::I64DivS && op <= Op::I64RemU;
  const W w = i64 ? W::k64 : W::k32;
  Reg a = G(ra), b = G(rb), d = G(dst);
  asm_.cbz(w, b, TrapLabel(TrapKind::IntegerDivideByZero));
  switch (op) {
    case Op::I32DivS:
    case Op::I64DivS: {
      Label normal;
      asm_.cmn(w, b, 1u);
      asm_.b(Cond::ne, normal);
      asm_.cmp(w, a, 1u);  // overflows (V) only for INT_MIN
      asm_.b(Cond::vs, TrapLabel(TrapKind::IntegerOverflow));
      asm_.bind(normal);
      asm_.sdiv(w, d, a, b);
      break;
    }
    case Op::I32DivU:
    case Op::I64DivU:
      asm_.udiv(w, d, a, b);
      break;
    case Op::I32RemS:
    case Op::I64RemS:
      asm_.sdiv(w, kS0, a, b);
      asm_.msub(w, d, kS0, b, a);
      break;
    default:
      asm_.udiv(w, kS0, a, b);
      asm_.msub(w, d, kS0, b, a);
      break;
  }
}

void MasmA64::FpScratchConst(FpW w, uint64_t bits) {
  if (w == FpW::kS) {
    asm_.MovImm32(kS0, static_cast<uint32_t>(bits));
    asm_.fmov(W::k32, kFs, kS0);
  } else {
    asm_.MovImm64(kS0, bits);
    asm_.fmov(W::k64, kFs, kS0);
  }
}

// Trapping truncation: NaN and range checks exactly as reference/numerics.h (lo < x < hi, or
// lo <= x when lo is representable and in range), then fcvtz*, exact inside the range.
// Saturating truncation is fcvtzs/fcvtzu themselves (NaN -> 0, out of range -> the bound).
void MasmA64::TruncFloat(Op op, JReg dst, JReg ra, bool saturating) {
  const wasm::OpInfo& info = wasm::GetOpInfo(op);
  const bool from32 = info.p1 == wasm::SigType::F32;
  const bool to64 = info.result == wasm::SigType::I64;
  const std::string name = info.name;
  const bool is_signed = name.back() == 's';
  const FpW fw = from32 ? FpW::kS : FpW::kD;
  const W iw = to64 ? W::k64 : W::k32;
  VReg a = V(ra);
  Reg d = G(dst);
  if (!saturating) {
    asm_.fcmp(fw, a, a);
    asm_.b(Cond::vs, TrapLabel(TrapKind::InvalidConversionToInteger));
    double lo, hi;
    bool lo_inclusive;
    if (!is_signed) {
      lo = -1.0;
      lo_inclusive = false;
      hi = to64 ? 18446744073709551616.0 : 4294967296.0;
    } else if (to64) {
      lo = -9223372036854775808.0;
      lo_inclusive = true;
      hi = 9223372036854775808.0;
    } else {
      // f64: -2^31 - 1 < x; f32 has no value in (-2^31 - 1, -2^31): -2^31 <= x.
      lo = from32 ? -2147483648.0 : -2147483649.0;
      lo_inclusive = from32;
      hi = 2147483648.0;
    }
    auto bits = [&](double v) {
      return from32 ? F32Bits(static_cast<float>(v)) : F64Bits(v);
    };
    Label& overflow = TrapLabel(TrapKind::IntegerOverflow);
    FpScratchConst(fw, bits(lo));
    asm_.fcmp(fw, a, kFs);
    asm_.b(lo_inclusive ? Cond::lt : Cond::le, overflow);
    FpScratchConst(fw, bits(hi));
    asm_.fcmp(fw, a, kFs);
    asm_.b(Cond::ge, overflow);
  }
  if (is_signed)
    asm_.fcvtzs(iw, d, fw, a);
  else
    asm_.fcvtzu(iw, d, fw, a);
}

void MasmA64::Numeric(Op op, JReg dst, JReg ra, JReg rb) {
  const wasm::OpInfo& info = wasm::GetOpInfo(op);
  const bool i64 = info.p1 == wasm::SigType::I64;
  const W w = i64 ? W::k64 : W::k32;
  const FpW fw = (info.p1 == wasm::SigType::F64) ? FpW::kD : FpW::kS;
  Reg a = G(ra), b = G(rb), d = G(dst);
  VReg va = V(ra), vb = V(rb), vd = V(dst);
  if (IsIntCompare(op)) {
    asm_.cmp(w, a, b);
    asm_.cset(W::k32, d, IntCond(op));
    return;
  }
  switch (op) {
    case Op::I32Eqz:
    case Op::I64Eqz:
      asm_.cmp(op == Op::I64Eqz && Fault(kFaultEqz64) ? W::k32 : w, a, 0u);  // seeded fault eqz64
      asm_.cset(W::k32, d, Cond::eq);
      return;
    case Op::RefIsNull:
      asm_.cmn(W::k64, a, 1u);
      asm_.cset(W::k32, d, Cond::eq);
      return;
    case Op::I32Clz:
    case Op::I64Clz:
      asm_.clz(w, d, a);
      return;
    case Op::I32Ctz:
    case Op::I64Ctz:
      asm_.rbit(w, kS0, a);
      asm_.clz(w, d, kS0);
      return;
    case Op::I32Popcnt:
    case Op::I64Popcnt:
      asm_.fmov(w, kFs, a);  // the w form zeroes the upper half
      asm_.cnt_8b(kFs, kFs);
      asm_.addv_8b(kFs, kFs);
      asm_.fmov(W::k32, d, kFs);
      return;
    case Op::I32Add:
    case Op::I64Add:
      asm_.add(w, d, a, b);
      return;
    case Op::I32Sub:
    case Op::I64Sub:
      if (op == Op::I32Sub && Fault(kFaultOperandOrder))
        asm_.sub(w, d, b, a);  // seeded fault operand-order
      else
        asm_.sub(w, d, a, b);
      return;
    case Op::I32Mul:
    case Op::I64Mul:
      asm_.mul(w, d, a, b);
      return;
    case Op::I32And:
    case Op::I64And:
      asm_.and_(w, d, a, b);
      return;
    case Op::I32Or:
    case Op::I64Or:
      asm_.orr(w, d, a, b);
      return;
    case Op::I32Xor:
    case Op::I64Xor:
      asm_.eor(w, d, a, b);
      return;
    case Op::I32DivS:
    case Op::I32DivU:
    case Op::I32RemS:
    case Op::I32RemU:
    case Op::I64DivS:
    case Op::I64DivU:
    case Op::I64RemS:
    case Op::I64RemU:
      IntDivRem(op, dst, ra, rb);
      return;
    // Register shifts take the count modulo the width, as wasm does.
    case Op::I32Shl:
    case Op::I64Shl:
      asm_.lsl(w, d, a, b);
      return;
    case Op::I32ShrS:
    case Op::I64ShrS:
      asm_.asr(w, d, a, b);
      return;
    case Op::I32ShrU:
    case Op::I64ShrU:
      asm_.lsr(w, d, a, b);
      return;
    case Op::I32Rotl:
    case Op::I64Rotl:
      if (op == Op::I32Rotl && Fault(kFaultRotate)) {  // seeded fault rotate
        asm_.ror(w, d, a, b);
        return;
      }
      asm_.neg(w, kS0, b);
      asm_.ror(w, d, a, kS0);
      return;
    case Op::I32Rotr:
    case Op::I64Rotr:
      asm_.ror(w, d, a, b);
      return;
    case Op::I32WrapI64:
      asm_.mov(W::k32, d, a);
      return;
    case Op::I64ExtendI32U:
      if (Fault(kFaultZeroExtend))
        asm_.sxtw(d, a);  // seeded fault zero-extend
      else
        asm_.mov(W::k32, d, a);
      return;
    case Op::I64ExtendI32S:
    case Op::I64Extend32S:
      asm_.sxtw(d, a);
      return;
    case Op::I32Extend8S:
      asm_.sxtb(W::k32, d, a);
      return;
    case Op::I32Extend16S:
      asm_.sxth(W::k32, d, a);
      return;
    case Op::I64Extend8S:
      asm_.sxtb(W::k64, d, a);
      return;
    case Op::I64Extend16S:
      asm_.sxth(W::k64, d, a);
      return;

    // Float arithmetic. fmin/fmax are IEEE minimum/maximum: NaN if either is NaN, -0 < +0.
    case Op::F32Add:
    case Op::F64Add:
      asm_.fadd(fw, vd, va, vb);
      return;
    case Op::F32Sub:
    case Op::F64Sub:
      asm_.fsub(fw, vd, va, vb);
      return;
    case Op::F32Mul:
    case Op::F64Mul:
      asm_.fmul(fw, vd, va, vb);
      return;
    case Op::F32Div:
    case Op::F64Div:
      asm_.fdiv(fw, vd, va, vb);
      return;
    case Op::F32Min:
    case Op::F64Min:
      asm_.fmin(fw, vd, va, vb);
      return;
    case Op::F32Max:
    case Op::F64Max:
      asm_.fmax(fw, vd, va, vb);
      return;
    case Op::F32Sqrt:
    case Op::F64Sqrt:
      asm_.fsqrt(fw, vd, va);
      return;
    case Op::F32Ceil:
    case Op::F64Ceil:
      asm_.frintp(fw, vd, va);
      return;
    case Op::F32Floor:
    case Op::F64Floor:
      asm_.frintm(fw, vd, va);
      return;
    case Op::F32Trunc:
    case Op::F64Trunc:
      asm_.frintz(fw, vd, va);
      return;
    case Op::F32Nearest:
    case Op::F64Nearest:
      asm_.frintn(fw, vd, va);
      return;
    // fabs/fneg only touch the sign bit (NaN payloads kept).
    case Op::F32Abs:
    case Op::F64Abs:
      asm_.fabs(fw, vd, va);
      return;
    case Op::F32Neg:
    case Op::F64Neg:
      asm_.fneg(fw, vd, va);
      return;
    case Op::F32Copysign:
      asm_.fmov(W::k32, kS0, va);
      asm_.fmov(W::k32, kS1, vb);
      asm_.and_(W::k32, kS0, kS0, 0x7fffffffu);
      asm_.and_(W::k32, kS1, kS1, 0x80000000u);
      asm_.orr(W::k32, kS0, kS0, kS1);
      asm_.fmov(W::k32, vd, kS0);
      return;
    case Op::F64Copysign:
      asm_.fmov(W::k64, kS0, va);
      asm_.fmov(W::k64, kS1, vb);
      asm_.and_(W::k64, kS0, kS0, 0x7fffffffffffffffull);
      asm_.and_(W::k64, kS1, kS1, 0x8000000000000000ull);
      asm_.orr(W::k64, kS0, kS0, kS1);
      asm_.fmov(W::k64, vd, kS0);
      return;
    // After fcmp, unordered is NZCV = 0011: eq, mi, gt, ls, ge are false and ne true for it.
    case Op::F32Eq:
    case Op::F64Eq:
    case Op::F32Ne:
    case Op::F64Ne:
    case Op::F32Lt:
    case Op::F64Lt:
    case Op::F32Gt:
    case Op::F64Gt:
    case Op::F32Le:
    case Op::F64Le:
    case Op::F32Ge:
    case Op::F64Ge: {
      Cond c;
      switch (op) {
        case Op::F32Eq:
        case Op::F64Eq:
          c = Cond::eq;
          break;
        case Op::F32Ne:
        case Op::F64Ne:
          c = Cond::ne;
          break;
        case Op::F32Lt:
        case Op::F64Lt:
          c = Cond::mi;
          break;
        case Op::F32Gt:
        case Op::F64Gt:
          c = Cond::gt;
          break;
        case Op::F32Le:
        case Op::F64Le:
          c = Cond::ls;
          break;
        default:
          c = Cond::ge;
          break;
      }
      asm_.fcmp(fw, va, vb);
      asm_.cset(W::k32, d, c);
      return;
    }

    // Conversions.
    case Op::I32TruncF32S:
    case Op::I32TruncF32U:
    case Op::I32TruncF64S:
    case Op::I32TruncF64U:
    case Op::I64TruncF32S:
    case Op::I64TruncF32U:
    case Op::I64TruncF64S:
    case Op::I64TruncF64U:
      TruncFloat(op, dst, ra, false);
      return;
    case Op::I32TruncSatF32S:
    case Op::I32TruncSatF32U:
    case Op::I32TruncSatF64S:
    case Op::I32TruncSatF64U:
    case Op::I64TruncSatF32S:
    case Op::I64TruncSatF32U:
    case Op::I64TruncSatF64S:
    case Op::I64TruncSatF64U:
      TruncFloat(op, dst, ra, true);
      return;
    // scvtf/ucvtf round correctly (to nearest even) from every integer width.
    case Op::F32ConvertI32S:
      asm_.scvtf(FpW::kS, vd, W::k32, a);
      return;
    case Op::F64ConvertI32S:
      asm_.scvtf(FpW::kD, vd, W::k32, a);
      return;
    case Op::F32ConvertI64S:
      asm_.scvtf(FpW::kS, vd, W::k64, a);
      return;
    case Op::F64ConvertI64S:
      asm_.scvtf(FpW::kD, vd, W::k64, a);
      return;
    case Op::F32ConvertI32U:
      asm_.ucvtf(FpW::kS, vd, W::k32, a);
      return;
    case Op::F64ConvertI32U:
      asm_.ucvtf(FpW::kD, vd, W::k32, a);
      return;
    case Op::F32ConvertI64U:
      asm_.ucvtf(FpW::kS, vd, W::k64, a);
      return;
    case Op::F64ConvertI64U:
      asm_.ucvtf(FpW::kD, vd, W::k64, a);
      return;
    case Op::F32DemoteF64:
      asm_.fcvt(FpW::kS, vd, va);
      return;
    case Op::F64PromoteF32:
      asm_.fcvt(FpW::kD, vd, va);
      return;
    case Op::I32ReinterpretF32:
      asm_.fmov(W::k32, d, va);
      return;
    case Op::I64ReinterpretF64:
      asm_.fmov(W::k64, d, va);
      return;
    case Op::F32ReinterpretI32:
      asm_.fmov(W::k32, vd, a);
      return;
    case Op::F64ReinterpretI64:
      asm_.fmov(W::k64, vd, a);
      return;
    default:
      throw UnsupportedFeature(std::string("a64: operator ") + info.name);
  }
}

void MasmA64::CanonicalizeNaN(ValType t, JReg r) {
  if (t == ValType::F64 && Fault(kFaultNanCanonA64)) return;  // seeded fault nan-canon-a64
  Label done;
  const FpW fw = t == ValType::F32 ? FpW::kS : FpW::kD;
  asm_.fcmp(fw, V(r), V(r));
  asm_.b(Cond::vc, done);
  if (t == ValType::F32) {
    asm_.MovImm32(kS0, 0x7fc00000u);
    asm_.fmov(W::k32, V(r), kS0);
  } else {
    asm_.MovImm64(kS0, 0x7ff8000000000000ull);
    asm_.fmov(W::k64, V(r), kS0);
  }
  asm_.bind(done);
}

// ---- Tables and memory sizes ------------------------------------------------------------------

void MasmA64::TableGet(JReg dst, JReg index, uint32_t desc) {
  LoadMem(Kind::kW, 16, kArena, desc + offsetof(TableDesc, size));
  asm_.cmp(W::k32, G(index), kS0);
  asm_.b(Cond::hs, TrapLabel(TrapKind::TableOutOfBounds));
  LoadMem(Kind::kX, 17, kArena, desc + offsetof(TableDesc, elems_offset));
  asm_.add(W::k64, kS1, kS1, kArena);
  asm_.ldr(W::k64, G(dst), Mem(kS1, G(index), IndexExt::uxtw, true));
}

void MasmA64::TableSet(JReg index, JReg value, uint32_t desc) {
  LoadMem(Kind::kW, 16, kArena, desc + offsetof(TableDesc, size));
  asm_.cmp(W::k32, G(index), kS0);
  asm_.b(Cond::hs, TrapLabel(TrapKind::TableOutOfBounds));
  LoadMem(Kind::kX, 17, kArena, desc + offsetof(TableDesc, elems_offset));
  asm_.add(W::k64, kS1, kS1, kArena);
  asm_.str(W::k64, G(value), Mem(kS1, G(index), IndexExt::uxtw, true));
}

void MasmA64::TableSize(JReg dst, uint32_t desc) {
  LoadMem(Kind::kW, dst.code, kArena, desc + offsetof(TableDesc, size));
}

void MasmA64::MemorySize(JReg dst, uint32_t desc) {
  LoadMem(Kind::kX, dst.code, kArena, desc + offsetof(MemoryDesc, size_bytes));
  asm_.lsr(W::k64, G(dst), G(dst), static_cast<uint8_t>(16));
}

// ---- Calls ------------------------------------------------------------------------------------

void MasmA64::ReserveCallArea(uint32_t bytes) { SubSp(bytes); }

void MasmA64::ReleaseCallArea(uint32_t bytes) { AddSp(bytes); }

void MasmA64::CopyFrameToArg(ValType t, uint32_t i, int32_t frame_off) {
  LoadMem(Is64(t) ? Kind::kX : Kind::kW, 16, Reg::fp, frame_off);
  StoreMem(Kind::kX, 16, Reg::sp, 8 * int64_t{i});
}

void MasmA64::CopyArgToFrame(ValType t, int32_t frame_off, uint32_t i) {
  Kind k = Is64(t) ? Kind::kX : Kind::kW;
  LoadMem(k, 16, Reg::sp, 8 * int64_t{i});
  StoreMem(k, 16, Reg::fp, frame_off);
}

uint32_t MasmA64::CallRel32() {
  Label unbound;  // never bound: the store writes the imm26 (CompiledFunction::local_calls)
  uint32_t at = static_cast<uint32_t>(asm_.offset());
  asm_.bl(unbound);
  return at;
}

void MasmA64::CallCodeTable(uint32_t store_index) {
  asm_.MovImm64(kS0, options_.code_table_address + 8 * uint64_t{store_index});
  asm_.ldr(W::k64, kS1, Mem(kS0));
  asm_.blr(kS1);
}

void MasmA64::CallIndirect(JReg index, uint32_t desc, uint32_t type_id) {
  Reg i = G(index);
  LoadMem(Kind::kW, 16, kArena, desc + offsetof(TableDesc, size));
  asm_.cmp(W::k32, i, kS0);
  asm_.b(Cond::hs, TrapLabel(TrapKind::UndefinedElement));
  LoadMem(Kind::kX, 17, kArena, desc + offsetof(TableDesc, elems_offset));
  asm_.add(W::k64, kS1, kS1, kArena);
  asm_.ldr(W::k64, i, Mem(kS1, i, IndexExt::uxtw, true));  // store function index, or null
  asm_.cmn(W::k64, i, 1u);
  asm_.b(Cond::eq, TrapLabel(TrapKind::UninitializedElement));
  static_assert(sizeof(FuncDesc) == 16);
  asm_.MovImm64(kS0, layout_.func_desc_offset + offsetof(FuncDesc, type_id));
  asm_.add(W::k64, kS0, kS0, i, Shift::lsl, 4);
  asm_.ldr(W::k32, kS0, Mem(kArena, kS0));
  uint32_t v;
  uint8_t sh;
  if (Fault(kFaultSigCheckA64)) {
    // seeded fault sig-check-a64: no signature comparison
  } else if (SplitAddSub(type_id, &v, &sh)) {
    asm_.cmp(W::k32, kS0, v, sh);
    asm_.b(Cond::ne, TrapLabel(TrapKind::IndirectCallTypeMismatch));
  } else {
    asm_.MovImm32(kS1, type_id);
    asm_.cmp(W::k32, kS0, kS1);
    asm_.b(Cond::ne, TrapLabel(TrapKind::IndirectCallTypeMismatch));
  }
  asm_.MovImm64(kS0, options_.code_table_address);
  asm_.ldr(W::k64, kS1, Mem(kS0, i, IndexExt::lsl, true));
  asm_.blr(kS1);
}

void MasmA64::CallRuntime(RuntimeCall id) {
  asm_.mov(W::k64, Reg::x0, kArena);
  asm_.MovImm64(kS0, options_.runtime_table_address + 8 * static_cast<uint64_t>(id));
  asm_.ldr(W::k64, kS1, Mem(kS0));
  asm_.blr(kS1);
  asm_.cmn(W::k64, Reg::x0, 1u);
  asm_.b(Cond::eq, Stub(kExitRuntime));
}

// ---- Bounds primitives ------------------------------------------------------------------------
// The sound sequence is `mov w16, windex; add x16, x16, #offset; ldr x17, [x28, #size_bytes];
// subs x17, x17, x16; b.lo oob; cmp x17, #size; b.lo oob; add x16, x16, #data; OP [x28, x16]`.
// The verifier's mutants (jit/mutants.h) each open one hole in it; with none compiled in,
// mutant_ is 0 and every branch below takes the sound path.

void MasmA64::BoundsEffectiveAddress(JReg index, uint64_t offset) {
  asm_.mov(W::k32, kS0, G(index));  // zero-extends
  if (mutant_ == kMutantA64OffsetAfterCheck) {
    late_offset_ = offset;  // mutant: BoundsAccess adds it
    return;
  }
  if (offset != 0) AddImm(kS0, kS0, offset);
}

// limit - ea must not borrow, and must be at least `size`: two unsigned checks, no wraparound.
void MasmA64::CheckLimitMinusEa(uint32_t size, uint32_t size_field, Label& oob) {
  LoadMem(Kind::kX, 17, kArena, size_field);
  asm_.subs(W::k64, kS1, kS1, kS0);
  asm_.b(Cond::lo, oob);
  if (Fault(kFaultBoundsOffByOneA64)) --size;  // seeded fault bounds-off-by-one-a64
  asm_.cmp(W::k64, kS1, size);
  asm_.b(Cond::lo, oob);
}

void MasmA64::BoundsCheck(Op op, uint32_t size_field, Label& oob) {
  uint32_t size = AccessSize(op);
  if (mutant_ != kMutantNone && MutantBoundsCheck(op, size, size_field, oob)) return;
  CheckLimitMinusEa(size, size_field, oob);
}

bool MasmA64::MutantBoundsCheck(Op op, uint32_t& size, uint32_t& size_field, Label& oob) {
  constexpr uint32_t kSizeAt = offsetof(MemoryDesc, size_bytes);
  // The sound sequence with one part changed: the width, the two branch conditions, and
  // whether each branch is there.
  W w = W::k64;
  Cond borrow = Cond::lo, too_short = Cond::lo;
  bool borrow_branch = true, size_branch = true;
  switch (mutant_) {
    case kMutantA64DropCheck:
      return true;
    case kMutantA64StoresUnchecked:
      return IsStore(op);
    case kMutantA64LoadsUnchecked:
      return !IsStore(op);
    case kMutantA64CheckAfterAccess:
      late_check_ = LateCheck{size, size_field, &oob};
      return true;
    case kMutantA64FirstByteOnly:
      size = 1;
      return false;
    case kMutantA64OffByOne:
      size -= 1;
      return false;
    case kMutantA64NarrowCheck:
      if (size == 8) size = 4;
      return false;
    case kMutantA64ChecksReserved:
      size_field = size_field - kSizeAt + offsetof(MemoryDesc, reserved_bytes);
      return false;
    case kMutantA64ChecksMax:
      size_field = size_field - kSizeAt + offsetof(MemoryDesc, max_bytes);
      return false;
    case kMutantA64Checks4GiB:
      asm_.add(W::k64, kS1, kS0, size);
      asm_.lsr(W::k64, kS1, kS1, uint8_t{32});
      asm_.cbnz(W::k64, kS1, oob);
      return true;
    case kMutantA64BranchToFallthrough: {
      Label next;
      LoadMem(Kind::kX, 17, kArena, size_field);
      asm_.subs(W::k64, kS1, kS1, kS0);
      asm_.b(Cond::lo, next);
      asm_.cmp(W::k64, kS1, size);
      asm_.b(Cond::lo, next);
      Bind(next);
      return true;
    }
    case kMutantA64NoBorrowCheck:
      borrow_branch = false;
      break;
    case kMutantA64NoSizeCheck:
      size_branch = false;
      break;
    case kMutantA64Compare32:
      w = W::k32;
      break;
    case kMutantA64Compare32Signed:
      w = W::k32;
      borrow = too_short = Cond::lt;
      break;
    case kMutantA64InvertedBorrowBranch:
      borrow = Cond::hs;
      break;
    case kMutantA64SizeBranchEqual:
      too_short = Cond::eq;
      break;
    case kMutantA64SwappedSubtract:
    case kMutantA64CarryLost:
      break;
    default:
      return false;  // a mutant of the access, or none of the check
  }
  LoadMem(Kind::kX, 17, kArena, size_field);
  if (mutant_ == kMutantA64SwappedSubtract)
    asm_.subs(W::k64, kS1, kS0, kS1);
  else if (mutant_ == kMutantA64CarryLost)
    asm_.subs(W::k64, kS1, kS1, kS0, Extend::uxtw);
  else
    asm_.subs(w, kS1, kS1, kS0);
  if (borrow_branch) asm_.b(borrow, oob);
  if (size_branch) {
    asm_.cmp(w, kS1, size);
    asm_.b(too_short, oob);
  }
  return true;
}

uint32_t MasmA64::BoundsAccess(Op op, JReg value, uint64_t data_offset, uint8_t lane) {
  VReg v = V(value);
  // A lane store takes its lane to v31's lowest element first, so that the access follows the
  // address's last instruction (lane loads go through v31 after the access).
  VReg lane_src = v;
  std::optional<Lane> store_lane;
  switch (op) {
    case Op::V128Store8Lane: store_lane = Lane::kB; break;
    case Op::V128Store16Lane: store_lane = Lane::kH; break;
    case Op::V128Store32Lane: store_lane = Lane::kS; break;
    case Op::V128Store64Lane: store_lane = Lane::kD; break;
    default: break;
  }
  if (store_lane && lane != 0) {
    asm_.ins(*store_lane, kFs, 0, v, lane);
    lane_src = kFs;
  }
  if (mutant_ == kMutantA64OffsetAfterCheck && late_offset_ != 0) AddImm(kS0, kS0, late_offset_);
  if (mutant_ == kMutantA64DisplacementPlusOne) data_offset += 1;
  Mem m(kArena, kS0);
  if (mutant_ == kMutantA64WrongIndexRegister) {
    // x17 holds limit - ea after the check; x16 is free for the data offset.
    asm_.MovImm64(kS0, data_offset);
    asm_.add(W::k64, kS1, kS1, kS0);
    m = Mem(kArena, kS1);
  } else {
    if (data_offset != 0) AddImm(kS0, kS0, data_offset);
    if (mutant_ == kMutantA64NoArenaBase) m = Mem(kS0);  // the absolute address data + ea
  }
  const uint32_t at = static_cast<uint32_t>(asm_.offset());
  Reg g = G(value);
  switch (op) {
    case Op::I32Load:
    case Op::I64Load32U:
      asm_.ldr(W::k32, g, m);
      break;
    case Op::I64Load:
      asm_.ldr(W::k64, g, m);
      break;
    case Op::F32Load:
      asm_.ldr(FpW::kS, v, m);
      break;
    case Op::F64Load:
      asm_.ldr(FpW::kD, v, m);
      break;
    case Op::I32Load8S:
      asm_.ldrsb(W::k32, g, m);
      break;
    case Op::I32Load8U:
    case Op::I64Load8U:
      asm_.ldrb(g, m);
      break;
    case Op::I32Load16S:
      asm_.ldrsh(W::k32, g, m);
      break;
    case Op::I32Load16U:
    case Op::I64Load16U:
      asm_.ldrh(g, m);
      break;
    case Op::I64Load8S:
      asm_.ldrsb(W::k64, g, m);
      break;
    case Op::I64Load16S:
      asm_.ldrsh(W::k64, g, m);
      break;
    case Op::I64Load32S:
      asm_.ldrsw(g, m);
      break;
    case Op::I32Store:
    case Op::I64Store32:
      asm_.str(W::k32, g, m);
      break;
    case Op::I64Store:
      asm_.str(W::k64, g, m);
      break;
    case Op::F32Store:
      asm_.str(FpW::kS, v, m);
      break;
    case Op::F64Store:
      asm_.str(FpW::kD, v, m);
      break;
    case Op::I32Store8:
    case Op::I64Store8:
      asm_.strb(g, m);
      break;
    case Op::I32Store16:
    case Op::I64Store16:
      asm_.strh(g, m);
      break;
    case Op::V128Load:
      asm_.ldr_q(v, m);
      break;
    case Op::V128Store:
      asm_.str_q(v, m);
      break;
    // Vector loads that widen, splat or zero: the loaded bytes (a scalar load zeroes the rest of
    // the register), then the widening or the broadcast.
    case Op::V128Load8x8S: asm_.ldr(FpW::kD, v, m), asm_.sxtl(Arr::k8H, v, v); break;
    case Op::V128Load8x8U: asm_.ldr(FpW::kD, v, m), asm_.uxtl(Arr::k8H, v, v); break;
    case Op::V128Load16x4S: asm_.ldr(FpW::kD, v, m), asm_.sxtl(Arr::k4S, v, v); break;
    case Op::V128Load16x4U: asm_.ldr(FpW::kD, v, m), asm_.uxtl(Arr::k4S, v, v); break;
    case Op::V128Load32x2S: asm_.ldr(FpW::kD, v, m), asm_.sxtl(Arr::k2D, v, v); break;
    case Op::V128Load32x2U: asm_.ldr(FpW::kD, v, m), asm_.uxtl(Arr::k2D, v, v); break;
    case Op::V128Load8Splat: asm_.ldr_b(v, m), asm_.dup(Arr::k16B, v, v, 0); break;
    case Op::V128Load16Splat: asm_.ldr_h(v, m), asm_.dup(Arr::k8H, v, v, 0); break;
    case Op::V128Load32Splat: asm_.ldr(FpW::kS, v, m), asm_.dup(Arr::k4S, v, v, 0); break;
    case Op::V128Load64Splat: asm_.ldr(FpW::kD, v, m), asm_.dup(Arr::k2D, v, v, 0); break;
    case Op::V128Load32Zero: asm_.ldr(FpW::kS, v, m); break;
    case Op::V128Load64Zero: asm_.ldr(FpW::kD, v, m); break;
    case Op::V128Load8Lane: asm_.ldr_b(kFs, m), asm_.ins(Lane::kB, v, lane, kFs, 0); break;
    case Op::V128Load16Lane: asm_.ldr_h(kFs, m), asm_.ins(Lane::kH, v, lane, kFs, 0); break;
    case Op::V128Load32Lane: asm_.ldr(FpW::kS, kFs, m), asm_.ins(Lane::kS, v, lane, kFs, 0); break;
    case Op::V128Load64Lane: asm_.ldr(FpW::kD, kFs, m), asm_.ins(Lane::kD, v, lane, kFs, 0); break;
    case Op::V128Store8Lane: asm_.str_b(lane_src, m); break;
    case Op::V128Store16Lane: asm_.str_h(lane_src, m); break;
    case Op::V128Store32Lane: asm_.str(FpW::kS, lane_src, m); break;
    case Op::V128Store64Lane: asm_.str(FpW::kD, lane_src, m); break;
    default:
      throw std::logic_error("BoundsAccess: not an access");
  }
  if (late_check_) {  // mutant check-after-access: the sound check, on ea, after the access
    if (data_offset != 0) {
      asm_.MovImm64(kS1, data_offset);
      asm_.sub(W::k64, kS0, kS0, kS1);
    }
    CheckLimitMinusEa(late_check_->size, late_check_->size_field, *late_check_->oob);
    late_check_.reset();
  }
  return at;
}

// ---- 128-bit SIMD -----------------------------------------------------------------------------
// Each operator as AdvSIMD computes it where that is exactly Wasm's (Spec 4.3.2, "vector
// operators"); the scratch registers are x16, x17 and v31. Integer lanes wrap or saturate as
// the instructions do; float lanes' arithmetic is IEEE's under the default FPCR (round to
// nearest even, no flush to zero): a NaN operand's payload passes on quieted, an invalid
// operation gives the default NaN 0x7fc00000 (0x7ff8000000000000), both arithmetic NaNs as Wasm
// allows. fmin/fmax propagate NaNs and order -0 below +0, as Wasm's min and max do.

void MasmA64::VConst(VReg v, uint64_t lo, uint64_t hi) {
  auto bytes_00_ff = [](uint64_t x) {
    for (int i = 0; i < 8; ++i) {
      const uint64_t b = (x >> (8 * i)) & 0xff;
      if (b != 0 && b != 0xff) return false;
    }
    return true;
  };
  if (lo == hi) {
    if (bytes_00_ff(lo)) {
      asm_.movi(Arr::k2D, v, lo);
    } else if (lo == (lo & 0xff) * 0x0101010101010101ull) {
      asm_.movi(Arr::k16B, v, lo & 0xff);
    } else {
      asm_.MovImm64(kS0, lo);
      asm_.dup(Arr::k2D, v, kS0);
    }
    return;
  }
  // The low half (fmov zeroes the high one), then the high half.
  if (lo == 0) {
    asm_.fmov(W::k64, v, Reg::zr);
  } else {
    asm_.MovImm64(kS0, lo);
    asm_.fmov(W::k64, v, kS0);
  }
  if (hi != 0) {
    asm_.MovImm64(kS0, hi);
    asm_.ins(Lane::kD, v, 1, kS0);
  }
}

void MasmA64::LoadConstV128(JReg dst, uint64_t lo, uint64_t hi) { VConst(V(dst), lo, hi); }

namespace {

// The float-lane operators whose NaN results NaN-canonical mode canonicalises (DESIGN.md "NaN";
// reference/interp.cc; conversions from integers make no NaN); *f64: the result's lanes are f64.
bool CanonicalizedLanes(Op op, bool* f64) {
  switch (op) {
    case Op::F32x4Add: case Op::F32x4Sub: case Op::F32x4Mul: case Op::F32x4Div: case Op::F32x4Sqrt:
    case Op::F32x4Min: case Op::F32x4Max:
    case Op::F32x4Ceil: case Op::F32x4Floor: case Op::F32x4Trunc: case Op::F32x4Nearest:
    case Op::F32x4DemoteF64x2Zero:
      *f64 = false;
      return true;
    case Op::F64x2Add: case Op::F64x2Sub: case Op::F64x2Mul: case Op::F64x2Div: case Op::F64x2Sqrt:
    case Op::F64x2Min: case Op::F64x2Max:
    case Op::F64x2Ceil: case Op::F64x2Floor: case Op::F64x2Trunc: case Op::F64x2Nearest:
    case Op::F64x2PromoteLowF32x4:
      *f64 = true;
      return true;
    default:
      return false;
  }
}

}  // namespace

bool MasmA64::SimdTemp(Op op, bool nan_canonical) {
  bool f64 = false;
  if (nan_canonical && CanonicalizedLanes(op, &f64)) return true;
  switch (op) {
    case Op::I64x2Mul:
    case Op::I8x16Bitmask: case Op::I16x8Bitmask: case Op::I32x4Bitmask:
      return true;
    default:
      return false;
  }
}

// Every vector operator of Wasm 2.0 (v128.const is the compiler's).
bool MasmA64::SimdCompiles(Op op, bool /*nan_canonical: SimdCanonicalize covers it*/) const {
  return wasm::GetOpInfo(op).prefix == 0xfd && op != Op::V128Const;
}

// NaN lanes (unequal to themselves) take the canonical NaN from v31: fcmeq leaves the ordered
// lanes all ones in temp, bif inserts v31 where temp is clear.
void MasmA64::SimdCanonicalize(Op op, JReg dst, JReg temp) {
  bool f64 = false;
  if (!CanonicalizedLanes(op, &f64)) return;
  const VReg d = V(dst), t = V(temp);
  asm_.fcmeq(f64 ? Arr::k2D : Arr::k4S, t, d, d);
  if (f64) {
    asm_.MovImm64(kS0, 0x7ff8000000000000ull);
    asm_.dup(Arr::k2D, kFs, kS0);
  } else {
    asm_.MovImm32(kS0, 0x7fc00000u);
    asm_.dup(Arr::k4S, kFs, kS0);
  }
  asm_.bif(Arr::k16B, d, kFs, t);
}

void MasmA64::Simd(const wasm::Instr& in, JReg dst, JReg a, JReg b, JReg c) {
  const VReg d = V(dst), va = V(a), vb = V(b);
  const uint8_t lane = in.lane;
  using A = Arr;
  // A shift by an i32 count taken modulo the lane width: the count (negated for right shifts)
  // in every byte of v31, as sshl/ushl read it from each lane's low byte.
  auto shift = [&](A t, int lane_bits, bool right, bool arith) {
    asm_.and_(W::k32, kS0, G(b), static_cast<uint64_t>(lane_bits - 1));
    if (right) asm_.neg(W::k32, kS0, kS0);
    asm_.dup(A::k16B, kFs, kS0);
    if (arith)
      asm_.sshl(t, d, va, kFs);
    else
      asm_.ushl(t, d, va, kFs);
  };
  // All lanes non-zero: the smallest lane (unsigned) is not zero.
  auto all_true = [&](A t) {
    if (t == A::k2D) {  // no 2D across-lanes form: the zero lanes as a mask, its maximum
      asm_.cmeq(A::k2D, kFs, va);
      asm_.umaxv(A::k4S, kFs, kFs);
      asm_.fmov(W::k32, G(dst), kFs);
      asm_.cmp(W::k32, G(dst), 0u);
      asm_.cset(W::k32, G(dst), Cond::eq);
      return;
    }
    asm_.uminv(t, kFs, va);
    asm_.fmov(W::k32, G(dst), kFs);  // the b/h/s write zeroed the rest of v31
    asm_.cmp(W::k32, G(dst), 0u);
    asm_.cset(W::k32, G(dst), Cond::ne);
  };
  // The sign bits of the lanes (cmlt), weighted 1, 2, 4, ... by a mask (in c) and summed.
  auto bitmask = [&](A t, uint64_t w_lo, uint64_t w_hi) {
    const VReg tc = V(c);
    asm_.cmlt(t, kFs, va);
    VConst(tc, w_lo, w_hi);
    asm_.and_(A::k16B, kFs, kFs, tc);
    if (t == A::k16B) {  // bytes i and 8 + i side by side in halfword i
      asm_.ext(A::k16B, tc, kFs, kFs, 8);
      asm_.zip1(A::k16B, kFs, kFs, tc);
      t = A::k8H;
    }
    asm_.addv(t, kFs, kFs);
    asm_.fmov(W::k32, G(dst), kFs);
  };
  switch (in.op) {
    // Bitwise.
    case Op::V128And: asm_.and_(A::k16B, d, va, vb); return;
    case Op::V128Or: asm_.orr(A::k16B, d, va, vb); return;
    case Op::V128Xor: asm_.eor(A::k16B, d, va, vb); return;
    case Op::V128Not: asm_.not_(A::k16B, d, va); return;
    case Op::V128Andnot: asm_.bic(A::k16B, d, va, vb); return;
    case Op::V128Bitselect:  // (a & c) | (b & ~c): b inserted where c is clear
      if (d != va) asm_.mov_v(d, va);
      asm_.bif(A::k16B, d, vb, V(c));
      return;
    case Op::V128AnyTrue:
      asm_.umaxv(A::k4S, kFs, va);
      asm_.fmov(W::k32, G(dst), kFs);
      asm_.cmp(W::k32, G(dst), 0u);
      asm_.cset(W::k32, G(dst), Cond::ne);
      return;
    // Integer lanes.
    case Op::I8x16Add: asm_.add(A::k16B, d, va, vb); return;
    case Op::I16x8Add: asm_.add(A::k8H, d, va, vb); return;
    case Op::I32x4Add: asm_.add(A::k4S, d, va, vb); return;
    case Op::I64x2Add: asm_.add(A::k2D, d, va, vb); return;
    case Op::I8x16Sub: asm_.sub(A::k16B, d, va, vb); return;
    case Op::I16x8Sub: asm_.sub(A::k8H, d, va, vb); return;
    case Op::I32x4Sub: asm_.sub(A::k4S, d, va, vb); return;
    case Op::I64x2Sub: asm_.sub(A::k2D, d, va, vb); return;
    case Op::I8x16AddSatS: asm_.sqadd(A::k16B, d, va, vb); return;
    case Op::I8x16AddSatU: asm_.uqadd(A::k16B, d, va, vb); return;
    case Op::I16x8AddSatS: asm_.sqadd(A::k8H, d, va, vb); return;
    case Op::I16x8AddSatU: asm_.uqadd(A::k8H, d, va, vb); return;
    case Op::I8x16SubSatS: asm_.sqsub(A::k16B, d, va, vb); return;
    case Op::I8x16SubSatU: asm_.uqsub(A::k16B, d, va, vb); return;
    case Op::I16x8SubSatS: asm_.sqsub(A::k8H, d, va, vb); return;
    case Op::I16x8SubSatU: asm_.uqsub(A::k8H, d, va, vb); return;
    case Op::I16x8Mul: asm_.mul(A::k8H, d, va, vb); return;
    case Op::I32x4Mul: asm_.mul(A::k4S, d, va, vb); return;
    case Op::I8x16MinS: asm_.smin(A::k16B, d, va, vb); return;
    case Op::I8x16MinU: asm_.umin(A::k16B, d, va, vb); return;
    case Op::I8x16MaxS: asm_.smax(A::k16B, d, va, vb); return;
    case Op::I8x16MaxU: asm_.umax(A::k16B, d, va, vb); return;
    case Op::I16x8MinS: asm_.smin(A::k8H, d, va, vb); return;
    case Op::I16x8MinU: asm_.umin(A::k8H, d, va, vb); return;
    case Op::I16x8MaxS: asm_.smax(A::k8H, d, va, vb); return;
    case Op::I16x8MaxU: asm_.umax(A::k8H, d, va, vb); return;
    case Op::I32x4MinS: asm_.smin(A::k4S, d, va, vb); return;
    case Op::I32x4MinU: asm_.umin(A::k4S, d, va, vb); return;
    case Op::I32x4MaxS: asm_.smax(A::k4S, d, va, vb); return;
    case Op::I32x4MaxU: asm_.umax(A::k4S, d, va, vb); return;
    case Op::I8x16AvgrU: asm_.urhadd(A::k16B, d, va, vb); return;
    case Op::I16x8AvgrU: asm_.urhadd(A::k8H, d, va, vb); return;
    case Op::I8x16Abs: asm_.abs(A::k16B, d, va); return;  // abs, not sqabs: INT_MIN stays
    case Op::I16x8Abs: asm_.abs(A::k8H, d, va); return;
    case Op::I32x4Abs: asm_.abs(A::k4S, d, va); return;
    case Op::I64x2Abs: asm_.abs(A::k2D, d, va); return;
    case Op::I8x16Neg: asm_.neg(A::k16B, d, va); return;
    case Op::I16x8Neg: asm_.neg(A::k8H, d, va); return;
    case Op::I32x4Neg: asm_.neg(A::k4S, d, va); return;
    case Op::I64x2Neg: asm_.neg(A::k2D, d, va); return;
    case Op::I8x16Popcnt: asm_.cnt(A::k16B, d, va); return;
    // Integer compares: lt and le are gt and ge with the operands swapped; ne is not eq.
    case Op::I8x16Eq: asm_.cmeq(A::k16B, d, va, vb); return;
    case Op::I16x8Eq: asm_.cmeq(A::k8H, d, va, vb); return;
    case Op::I32x4Eq: asm_.cmeq(A::k4S, d, va, vb); return;
    case Op::I64x2Eq: asm_.cmeq(A::k2D, d, va, vb); return;
    case Op::I8x16Ne: asm_.cmeq(A::k16B, d, va, vb), asm_.not_(A::k16B, d, d); return;
    case Op::I16x8Ne: asm_.cmeq(A::k8H, d, va, vb), asm_.not_(A::k16B, d, d); return;
    case Op::I32x4Ne: asm_.cmeq(A::k4S, d, va, vb), asm_.not_(A::k16B, d, d); return;
    case Op::I64x2Ne: asm_.cmeq(A::k2D, d, va, vb), asm_.not_(A::k16B, d, d); return;
    case Op::I8x16GtS: asm_.cmgt(A::k16B, d, va, vb); return;
    case Op::I16x8GtS: asm_.cmgt(A::k8H, d, va, vb); return;
    case Op::I32x4GtS: asm_.cmgt(A::k4S, d, va, vb); return;
    case Op::I64x2GtS: asm_.cmgt(A::k2D, d, va, vb); return;
    case Op::I8x16LtS: asm_.cmgt(A::k16B, d, vb, va); return;
    case Op::I16x8LtS: asm_.cmgt(A::k8H, d, vb, va); return;
    case Op::I32x4LtS: asm_.cmgt(A::k4S, d, vb, va); return;
    case Op::I64x2LtS: asm_.cmgt(A::k2D, d, vb, va); return;
    case Op::I8x16GeS: asm_.cmge(A::k16B, d, va, vb); return;
    case Op::I16x8GeS: asm_.cmge(A::k8H, d, va, vb); return;
    case Op::I32x4GeS: asm_.cmge(A::k4S, d, va, vb); return;
    case Op::I64x2GeS: asm_.cmge(A::k2D, d, va, vb); return;
    case Op::I8x16LeS: asm_.cmge(A::k16B, d, vb, va); return;
    case Op::I16x8LeS: asm_.cmge(A::k8H, d, vb, va); return;
    case Op::I32x4LeS: asm_.cmge(A::k4S, d, vb, va); return;
    case Op::I64x2LeS: asm_.cmge(A::k2D, d, vb, va); return;
    case Op::I8x16GtU: asm_.cmhi(A::k16B, d, va, vb); return;
    case Op::I16x8GtU: asm_.cmhi(A::k8H, d, va, vb); return;
    case Op::I32x4GtU: asm_.cmhi(A::k4S, d, va, vb); return;
    case Op::I8x16LtU: asm_.cmhi(A::k16B, d, vb, va); return;
    case Op::I16x8LtU: asm_.cmhi(A::k8H, d, vb, va); return;
    case Op::I32x4LtU: asm_.cmhi(A::k4S, d, vb, va); return;
    case Op::I8x16GeU: asm_.cmhs(A::k16B, d, va, vb); return;
    case Op::I16x8GeU: asm_.cmhs(A::k8H, d, va, vb); return;
    case Op::I32x4GeU: asm_.cmhs(A::k4S, d, va, vb); return;
    case Op::I8x16LeU: asm_.cmhs(A::k16B, d, vb, va); return;
    case Op::I16x8LeU: asm_.cmhs(A::k8H, d, vb, va); return;
    case Op::I32x4LeU: asm_.cmhs(A::k4S, d, vb, va); return;
    case Op::I8x16AllTrue: all_true(A::k16B); return;
    case Op::I16x8AllTrue: all_true(A::k8H); return;
    case Op::I32x4AllTrue: all_true(A::k4S); return;
    case Op::I64x2AllTrue: all_true(A::k2D); return;
    case Op::I8x16Bitmask: bitmask(A::k16B, 0x8040201008040201, 0x8040201008040201); return;
    case Op::I16x8Bitmask: bitmask(A::k8H, 0x0008000400020001, 0x0080004000200010); return;
    case Op::I32x4Bitmask: bitmask(A::k4S, 0x0000000200000001, 0x0000000800000004); return;
    case Op::I64x2Bitmask:  // the two sign bits: lane 0's plus lane 1's doubled
      asm_.ushr(A::k2D, kFs, va, 63);
      asm_.umov(Lane::kD, kS0, kFs, 1);
      asm_.umov(Lane::kD, G(dst), kFs, 0);
      asm_.add(W::k32, G(dst), G(dst), kS0, Shift::lsl, 1);
      return;
    case Op::I8x16Shl: shift(A::k16B, 8, false, false); return;
    case Op::I16x8Shl: shift(A::k8H, 16, false, false); return;
    case Op::I32x4Shl: shift(A::k4S, 32, false, false); return;
    case Op::I64x2Shl: shift(A::k2D, 64, false, false); return;
    case Op::I8x16ShrS: shift(A::k16B, 8, true, true); return;
    case Op::I16x8ShrS: shift(A::k8H, 16, true, true); return;
    case Op::I32x4ShrS: shift(A::k4S, 32, true, true); return;
    case Op::I64x2ShrS: shift(A::k2D, 64, true, true); return;
    case Op::I8x16ShrU: shift(A::k16B, 8, true, false); return;
    case Op::I16x8ShrU: shift(A::k8H, 16, true, false); return;
    case Op::I32x4ShrU: shift(A::k4S, 32, true, false); return;
    case Op::I64x2ShrU: shift(A::k2D, 64, true, false); return;
    // 64-bit lane products: lo_a*lo_b + ((lo_a*hi_b + hi_a*lo_b) << 32), the cross products
    // from a with b's halves swapped (rev64), summed in pairs (uaddlp).
    case Op::I64x2Mul: {
      const VReg t = V(c);
      asm_.rev64(A::k4S, kFs, vb);
      asm_.mul(A::k4S, kFs, kFs, va);
      asm_.uaddlp(A::k2D, kFs, kFs);
      asm_.shl(A::k2D, kFs, kFs, 32);
      asm_.xtn(A::k2S, t, va);
      asm_.xtn(A::k2S, d, vb);
      asm_.umull(A::k2D, d, t, d);
      asm_.add(A::k2D, d, d, kFs);
      return;
    }
    // Widening: the low half (the 64-bit forms) or the high half (the "2" forms).
    case Op::I16x8ExtendLowI8x16S: asm_.sxtl(A::k8H, d, va); return;
    case Op::I16x8ExtendHighI8x16S: asm_.sxtl2(A::k8H, d, va); return;
    case Op::I16x8ExtendLowI8x16U: asm_.uxtl(A::k8H, d, va); return;
    case Op::I16x8ExtendHighI8x16U: asm_.uxtl2(A::k8H, d, va); return;
    case Op::I32x4ExtendLowI16x8S: asm_.sxtl(A::k4S, d, va); return;
    case Op::I32x4ExtendHighI16x8S: asm_.sxtl2(A::k4S, d, va); return;
    case Op::I32x4ExtendLowI16x8U: asm_.uxtl(A::k4S, d, va); return;
    case Op::I32x4ExtendHighI16x8U: asm_.uxtl2(A::k4S, d, va); return;
    case Op::I64x2ExtendLowI32x4S: asm_.sxtl(A::k2D, d, va); return;
    case Op::I64x2ExtendHighI32x4S: asm_.sxtl2(A::k2D, d, va); return;
    case Op::I64x2ExtendLowI32x4U: asm_.uxtl(A::k2D, d, va); return;
    case Op::I64x2ExtendHighI32x4U: asm_.uxtl2(A::k2D, d, va); return;
    case Op::I16x8ExtmulLowI8x16S: asm_.smull(A::k8H, d, va, vb); return;
    case Op::I16x8ExtmulHighI8x16S: asm_.smull2(A::k8H, d, va, vb); return;
    case Op::I16x8ExtmulLowI8x16U: asm_.umull(A::k8H, d, va, vb); return;
    case Op::I16x8ExtmulHighI8x16U: asm_.umull2(A::k8H, d, va, vb); return;
    case Op::I32x4ExtmulLowI16x8S: asm_.smull(A::k4S, d, va, vb); return;
    case Op::I32x4ExtmulHighI16x8S: asm_.smull2(A::k4S, d, va, vb); return;
    case Op::I32x4ExtmulLowI16x8U: asm_.umull(A::k4S, d, va, vb); return;
    case Op::I32x4ExtmulHighI16x8U: asm_.umull2(A::k4S, d, va, vb); return;
    case Op::I64x2ExtmulLowI32x4S: asm_.smull(A::k2D, d, va, vb); return;
    case Op::I64x2ExtmulHighI32x4S: asm_.smull2(A::k2D, d, va, vb); return;
    case Op::I64x2ExtmulLowI32x4U: asm_.umull(A::k2D, d, va, vb); return;
    case Op::I64x2ExtmulHighI32x4U: asm_.umull2(A::k2D, d, va, vb); return;
    case Op::I16x8ExtaddPairwiseI8x16S: asm_.saddlp(A::k8H, d, va); return;
    case Op::I16x8ExtaddPairwiseI8x16U: asm_.uaddlp(A::k8H, d, va); return;
    case Op::I32x4ExtaddPairwiseI16x8S: asm_.saddlp(A::k4S, d, va); return;
    case Op::I32x4ExtaddPairwiseI16x8U: asm_.uaddlp(A::k4S, d, va); return;
    case Op::I32x4DotI16x8S:  // the products of the low and high halves, added in pairs
      asm_.smull(A::k4S, kFs, va, vb);
      asm_.smull2(A::k4S, d, va, vb);
      asm_.addp(A::k4S, d, kFs, d);
      return;
    // sqrdmulh: sat((2*a*b + 2^15) >> 16) = sat((a*b + 2^14) >> 15), Wasm's q15mulr_sat_s.
    case Op::I16x8Q15mulrSatS: asm_.sqrdmulh(A::k8H, d, va, vb); return;
    // Narrowing with saturation, the inputs signed (narrow_u as sqxtun): a to the low half, b
    // to the high one.
    case Op::I8x16NarrowI16x8S: asm_.sqxtn(A::k8B, d, va), asm_.sqxtn2(A::k16B, d, vb); return;
    case Op::I8x16NarrowI16x8U: asm_.sqxtun(A::k8B, d, va), asm_.sqxtun2(A::k16B, d, vb); return;
    case Op::I16x8NarrowI32x4S: asm_.sqxtn(A::k4H, d, va), asm_.sqxtn2(A::k8H, d, vb); return;
    case Op::I16x8NarrowI32x4U: asm_.sqxtun(A::k4H, d, va), asm_.sqxtun2(A::k8H, d, vb); return;
    // Splats (the scalar operand in a: a general register, or a vector register for floats).
    case Op::I8x16Splat: asm_.dup(A::k16B, d, G(a)); return;
    case Op::I16x8Splat: asm_.dup(A::k8H, d, G(a)); return;
    case Op::I32x4Splat: asm_.dup(A::k4S, d, G(a)); return;
    case Op::I64x2Splat: asm_.dup(A::k2D, d, G(a)); return;
    case Op::F32x4Splat: asm_.dup(A::k4S, d, va, 0); return;
    case Op::F64x2Splat: asm_.dup(A::k2D, d, va, 0); return;
    // Lanes (in.lane < the lane count: validation). A float lane is extracted to every lane.
    case Op::I8x16ExtractLaneS: asm_.smov(W::k32, Lane::kB, G(dst), va, lane); return;
    case Op::I8x16ExtractLaneU: asm_.umov(Lane::kB, G(dst), va, lane); return;
    case Op::I16x8ExtractLaneS: asm_.smov(W::k32, Lane::kH, G(dst), va, lane); return;
    case Op::I16x8ExtractLaneU: asm_.umov(Lane::kH, G(dst), va, lane); return;
    case Op::I32x4ExtractLane: asm_.umov(Lane::kS, G(dst), va, lane); return;
    case Op::I64x2ExtractLane: asm_.umov(Lane::kD, G(dst), va, lane); return;
    case Op::F32x4ExtractLane: asm_.dup(A::k4S, d, va, lane); return;
    case Op::F64x2ExtractLane: asm_.dup(A::k2D, d, va, lane); return;
    case Op::I8x16ReplaceLane: asm_.ins(Lane::kB, d, lane, G(b)); return;
    case Op::I16x8ReplaceLane: asm_.ins(Lane::kH, d, lane, G(b)); return;
    case Op::I32x4ReplaceLane: asm_.ins(Lane::kS, d, lane, G(b)); return;
    case Op::I64x2ReplaceLane: asm_.ins(Lane::kD, d, lane, G(b)); return;
    case Op::F32x4ReplaceLane: asm_.ins(Lane::kS, d, lane, vb, 0); return;
    case Op::F64x2ReplaceLane: asm_.ins(Lane::kD, d, lane, vb, 0); return;
    // tbl gives 0 for a selector of 16 and up, as swizzle wants. A shuffle looks its bytes up
    // in a with the selectors as they are and in b with bit 4 flipped (so that 16..31 pick from
    // b and 0..15 give 0), then merges the two.
    case Op::I8x16Swizzle: asm_.tbl(A::k16B, d, va, vb); return;
    case Op::I8x16Shuffle: {
      uint64_t lo, hi;
      wasm::V128FromInstr(in, &lo, &hi);
      constexpr uint64_t kBit4 = 0x1010101010101010ull;
      const bool some_from_b = ((lo | hi) & kBit4) != 0;
      const bool some_from_a = (~(lo & hi) & kBit4) != 0;
      if (!some_from_a) {
        VConst(kFs, lo ^ kBit4, hi ^ kBit4);
        asm_.tbl(A::k16B, d, vb, kFs);
        return;
      }
      VConst(kFs, lo, hi);
      asm_.tbl(A::k16B, d, va, kFs);
      if (!some_from_b) return;
      VConst(kFs, lo ^ kBit4, hi ^ kBit4);
      asm_.tbl(A::k16B, kFs, vb, kFs);
      asm_.orr(A::k16B, d, d, kFs);
      return;
    }
    // Float lanes. fcm* compares are false on NaN (ne is not eq, true there).
    case Op::F32x4Add: asm_.fadd(A::k4S, d, va, vb); return;
    case Op::F32x4Sub: asm_.fsub(A::k4S, d, va, vb); return;
    case Op::F32x4Mul: asm_.fmul(A::k4S, d, va, vb); return;
    case Op::F32x4Div: asm_.fdiv(A::k4S, d, va, vb); return;
    case Op::F32x4Min: asm_.fmin(A::k4S, d, va, vb); return;
    case Op::F32x4Max: asm_.fmax(A::k4S, d, va, vb); return;
    case Op::F32x4Sqrt: asm_.fsqrt(A::k4S, d, va); return;
    case Op::F64x2Add: asm_.fadd(A::k2D, d, va, vb); return;
    case Op::F64x2Sub: asm_.fsub(A::k2D, d, va, vb); return;
    case Op::F64x2Mul: asm_.fmul(A::k2D, d, va, vb); return;
    case Op::F64x2Div: asm_.fdiv(A::k2D, d, va, vb); return;
    case Op::F64x2Min: asm_.fmin(A::k2D, d, va, vb); return;
    case Op::F64x2Max: asm_.fmax(A::k2D, d, va, vb); return;
    case Op::F64x2Sqrt: asm_.fsqrt(A::k2D, d, va); return;
    // Sign bits: abs clears them, neg flips them (NaNs included, their payloads kept).
    case Op::F32x4Abs: asm_.fabs(A::k4S, d, va); return;
    case Op::F32x4Neg: asm_.fneg(A::k4S, d, va); return;
    case Op::F64x2Abs: asm_.fabs(A::k2D, d, va); return;
    case Op::F64x2Neg: asm_.fneg(A::k2D, d, va); return;
    case Op::F32x4Nearest: asm_.frintn(A::k4S, d, va); return;
    case Op::F32x4Floor: asm_.frintm(A::k4S, d, va); return;
    case Op::F32x4Ceil: asm_.frintp(A::k4S, d, va); return;
    case Op::F32x4Trunc: asm_.frintz(A::k4S, d, va); return;
    case Op::F64x2Nearest: asm_.frintn(A::k2D, d, va); return;
    case Op::F64x2Floor: asm_.frintm(A::k2D, d, va); return;
    case Op::F64x2Ceil: asm_.frintp(A::k2D, d, va); return;
    case Op::F64x2Trunc: asm_.frintz(A::k2D, d, va); return;
    case Op::F32x4Eq: asm_.fcmeq(A::k4S, d, va, vb); return;
    case Op::F32x4Ne: asm_.fcmeq(A::k4S, d, va, vb), asm_.not_(A::k16B, d, d); return;
    case Op::F32x4Lt: asm_.fcmgt(A::k4S, d, vb, va); return;
    case Op::F32x4Gt: asm_.fcmgt(A::k4S, d, va, vb); return;
    case Op::F32x4Le: asm_.fcmge(A::k4S, d, vb, va); return;
    case Op::F32x4Ge: asm_.fcmge(A::k4S, d, va, vb); return;
    case Op::F64x2Eq: asm_.fcmeq(A::k2D, d, va, vb); return;
    case Op::F64x2Ne: asm_.fcmeq(A::k2D, d, va, vb), asm_.not_(A::k16B, d, d); return;
    case Op::F64x2Lt: asm_.fcmgt(A::k2D, d, vb, va); return;
    case Op::F64x2Gt: asm_.fcmgt(A::k2D, d, va, vb); return;
    case Op::F64x2Le: asm_.fcmge(A::k2D, d, vb, va); return;
    case Op::F64x2Ge: asm_.fcmge(A::k2D, d, va, vb); return;
    // pmin(a, b) = b < a ? b : a, pmax(a, b) = a < b ? b : a: b inserted where the compare
    // holds (never on NaN).
    case Op::F32x4Pmin:
    case Op::F32x4Pmax:
    case Op::F64x2Pmin:
    case Op::F64x2Pmax: {
      const A t = in.op == Op::F32x4Pmin || in.op == Op::F32x4Pmax ? A::k4S : A::k2D;
      if (in.op == Op::F32x4Pmin || in.op == Op::F64x2Pmin)
        asm_.fcmgt(t, kFs, va, vb);
      else
        asm_.fcmgt(t, kFs, vb, va);
      if (d != va) asm_.mov_v(d, va);
      asm_.bit(A::k16B, d, vb, kFs);
      return;
    }
    // Conversions. fcvtzs/fcvtzu truncate and saturate (NaN to 0); the f64x2 forms saturate to
    // 64 bits, then narrow saturating to 32 (the upper lanes zero). scvtf/ucvtf, fcvtn and fcvtl
    // round to nearest even; fcvtn zeroes the upper lanes.
    case Op::F32x4ConvertI32x4S: asm_.scvtf(A::k4S, d, va); return;
    case Op::F32x4ConvertI32x4U: asm_.ucvtf(A::k4S, d, va); return;
    case Op::F64x2ConvertLowI32x4S: asm_.sxtl(A::k2D, d, va), asm_.scvtf(A::k2D, d, d); return;
    case Op::F64x2ConvertLowI32x4U: asm_.uxtl(A::k2D, d, va), asm_.ucvtf(A::k2D, d, d); return;
    case Op::I32x4TruncSatF32x4S: asm_.fcvtzs(A::k4S, d, va); return;
    case Op::I32x4TruncSatF32x4U: asm_.fcvtzu(A::k4S, d, va); return;
    case Op::I32x4TruncSatF64x2SZero: asm_.fcvtzs(A::k2D, d, va), asm_.sqxtn(A::k2S, d, d); return;
    case Op::I32x4TruncSatF64x2UZero: asm_.fcvtzu(A::k2D, d, va), asm_.uqxtn(A::k2S, d, d); return;
    case Op::F32x4DemoteF64x2Zero: asm_.fcvtn(d, va); return;
    case Op::F64x2PromoteLowF32x4: asm_.fcvtl(d, va); return;
    default:
      throw UnsupportedFeature(std::string("a64: SIMD ") + wasm::GetOpInfo(in.op).name);
  }
}

// ---- Stubs ------------------------------------------------------------------------------------

void MasmA64::JumpToExit() {
  asm_.MovImm64(kS0, options_.exit_address);
  asm_.br(kS0);
}

void MasmA64::Finish(std::vector<CodeNote>* notes) {
  const uint32_t reason_off = static_cast<uint32_t>(offsetof(ArenaHeader, exit_reason));
  for (auto& [kind, label] : stubs_) {
    if (!label->has_pending_uses()) continue;
    Bind(*label);
    CodeNote note{.kind = CodeNote::kTrapStub,
                  .code_offset = static_cast<uint32_t>(asm_.offset()),
                  .wasm_offset = 0,
                  .trap = TrapKind::Unreachable,
                  .detail = {}};
    uint32_t reason = 0;
    if (kind >= 0) {
      note.trap = static_cast<TrapKind>(kind);
      note.detail = wasm::TrapMessage(note.trap);
      asm_.MovImm32(kS0, static_cast<uint32_t>(kind + 1));
      StoreMem(Kind::kW, 16, kArena, layout_.trap_kind_offset);
      reason = static_cast<uint32_t>(ExitReason::kTrapped);
    } else if (kind == kExitCallStack) {
      note.detail = "call stack exhausted";
      reason = static_cast<uint32_t>(ExitReason::kCallStackExhausted);
    } else if (kind == kExitFuel) {
      note.detail = "fuel exhausted";
      reason = static_cast<uint32_t>(ExitReason::kFuelExhausted);
    } else {
      note.detail = "runtime call trapped";
    }
    if (reason != 0) {
      asm_.MovImm32(kS0, reason);
      StoreMem(Kind::kW, 16, kArena, reason_off);
    }
    notes->push_back(std::move(note));
    JumpToExit();
  }
}

}  // namespace tandem::jit::a64
