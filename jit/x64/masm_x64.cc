// masm_x64.cc: the x86-64 macro-assembler (docs/jit.md; DESIGN.md "Code, not helpers", "NaN").
// Semantics follow reference/interp.cc and reference/numerics.h bit for bit.
#include "jit/x64/masm_x64.h"

#include "jit/faults.h"
#include "jit/mutants.h"

#include <bit>
#include <cstddef>
#include <stdexcept>

#include "jit/arena.h"

namespace tandem::jit::x64 {

using wasm::Op;
using wasm::TrapKind;
using wasm::ValType;

namespace {

constexpr int kExitCallStack = -1;
constexpr int kExitFuel = -2;
constexpr int kExitRuntime = -3;

bool Is64(ValType t) { return t == ValType::I64 || t == ValType::F64 || wasm::IsRefType(t); }
bool IsFloat(ValType t) { return t == ValType::F32 || t == ValType::F64; }

constexpr uint64_t kF64SignBit = uint64_t{1} << 63;
constexpr uint64_t Bits(double d) { return std::bit_cast<uint64_t>(d); }

}  // namespace

MasmX64::MasmX64(const InstanceLayout& layout, const CompileOptions& options)
    : layout_(layout), options_(options) {
  if (BoundsMutantOf(options.bounds_mutant, "x64")) mutant_ = options.bounds_mutant;
}

// ---- Frame ------------------------------------------------------------------------------------

void MasmX64::Prologue() {
  asm_.push(Gp::rbp);
  asm_.mov(W::k64, Gp::rbp, Gp::rsp);
  asm_.sub(W::k64, Gp::rsp, 0x7ffffff0);  // imm32 form; patched
  frame_patch_ = asm_.offset() - 4;
}

void MasmX64::PatchFrame(uint32_t frame_bytes) { asm_.patch_u32(frame_patch_, frame_bytes); }

void MasmX64::EntryChecks() {
  auto& exhausted = stubs_[kExitCallStack];
  if (!exhausted) exhausted = std::make_unique<Label>();
  asm_.mov(W::k32, Gp::r11, Arena(layout_.call_depth_offset));
  asm_.cmp(W::k32, Gp::r11, Arena(layout_.max_call_depth_offset));
  asm_.jcc(Cond::ae, *exhausted);
  if (options_.stack_limit != 0) {
    asm_.movabs(Gp::r11, options_.stack_limit);
    asm_.cmp(W::k64, Gp::rsp, Gp::r11);
    asm_.jcc(Cond::b, *exhausted);
  }
  asm_.add(W::k32, Arena(layout_.call_depth_offset), 1);
  if (options_.metered) FuelCheck();
}

void MasmX64::ZeroFrame(int32_t lowest_off, uint32_t count) {
  // r11 runs from -count to 0: [rbp + r11*8 + lowest_off + 8*count] walks the slots upwards.
  Label loop;
  asm_.mov(W::k64, Gp::r11, -static_cast<int32_t>(count));
  asm_.bind(loop);
  asm_.mov(W::k64, Mem(Gp::rbp, Gp::r11, 8, lowest_off + 8 * static_cast<int32_t>(count)), 0);
  asm_.add(W::k64, Gp::r11, 1);
  asm_.jcc(Cond::ne, loop);
}

void MasmX64::FuelCheck() {
  asm_.cmp(W::k64, Arena(layout_.fuel_offset), 0);
  auto& l = stubs_[kExitFuel];
  if (!l) l = std::make_unique<Label>();
  asm_.jcc(Cond::e, *l);
  asm_.sub(W::k64, Arena(layout_.fuel_offset), 1);
}

void MasmX64::Epilogue() {
  asm_.sub(W::k32, Arena(layout_.call_depth_offset), 1);
  asm_.mov(W::k64, Gp::rsp, Gp::rbp);
  if (Fault(kFaultCalleeSaved))
    asm_.pop(Gp::r11);  // seeded fault callee-saved: the caller's rbp is not restored
  else
    asm_.pop(Gp::rbp);
  asm_.ret();
}

// ---- Values -----------------------------------------------------------------------------------

void MasmX64::LoadFrame(ValType t, Reg dst, int32_t off) {
  Mem m(Gp::rbp, off);
  if (t == ValType::V128)
    asm_.movdqu(X(dst), m);
  else if (t == ValType::F32)
    asm_.movss(X(dst), m);
  else if (t == ValType::F64)
    asm_.movsd(X(dst), m);
  else
    asm_.mov(Is64(t) ? W::k64 : W::k32, G(dst), m);
}

void MasmX64::StoreFrame(ValType t, int32_t off, Reg src) {
  Mem m(Gp::rbp, off);
  if (t == ValType::V128)
    asm_.movdqu(m, X(src));
  else if (t == ValType::F32)
    asm_.movss(m, X(src));
  else if (t == ValType::F64)
    asm_.movsd(m, X(src));
  else
    asm_.mov(Is64(t) ? W::k64 : W::k32, m, G(src));
}

void MasmX64::StoreFrameConst(ValType t, int32_t off, uint64_t bits) {
  Mem m(Gp::rbp, off);
  if (!Is64(t)) {
    asm_.mov(W::k32, m, static_cast<int32_t>(static_cast<uint32_t>(bits)));
  } else if (static_cast<int64_t>(bits) == static_cast<int32_t>(bits)) {
    asm_.mov(W::k64, m, static_cast<int32_t>(bits));
  } else {
    asm_.movabs(Gp::r11, bits);
    asm_.mov(W::k64, m, Gp::r11);
  }
}

void MasmX64::CopyFrame(ValType t, int32_t dst_off, int32_t src_off) {
  if (dst_off == src_off) return;
  W w = Is64(t) ? W::k64 : W::k32;
  asm_.mov(w, Gp::r11, Mem(Gp::rbp, src_off));
  asm_.mov(w, Mem(Gp::rbp, dst_off), Gp::r11);
}

void MasmX64::LoadConst(ValType t, Reg dst, uint64_t bits) {
  if (IsFloat(t)) {
    if (bits == 0) {
      asm_.xorps(X(dst), X(dst));
      return;
    }
    if (t == ValType::F32) {
      asm_.mov(W::k32, Gp::r11, static_cast<int32_t>(static_cast<uint32_t>(bits)));
      asm_.movd(X(dst), Gp::r11);
    } else {
      asm_.movabs(Gp::r11, bits);
      asm_.movq(X(dst), Gp::r11);
    }
    return;
  }
  if (!Is64(t) || bits <= 0xffffffffu) {
    if (bits == 0)
      asm_.xor_(W::k32, G(dst), G(dst));
    else
      asm_.mov(W::k32, G(dst), static_cast<int32_t>(static_cast<uint32_t>(bits)));
  } else if (static_cast<int64_t>(bits) == static_cast<int32_t>(bits)) {
    asm_.mov(W::k64, G(dst), static_cast<int32_t>(bits));
  } else {
    asm_.movabs(G(dst), bits);
  }
}

void MasmX64::Move(ValType t, Reg dst, Reg src) {
  if (dst == src) return;
  if (IsFloat(t) || t == ValType::V128)
    asm_.movaps(X(dst), X(src));
  else
    asm_.mov(Is64(t) ? W::k64 : W::k32, G(dst), G(src));
}

void MasmX64::LoadGlobal(ValType t, Reg dst, uint32_t off) {
  Mem m = Arena(off);
  if (t == ValType::V128)
    asm_.movdqu(X(dst), m);  // GlobalSlot: lo, then hi
  else if (t == ValType::F32)
    asm_.movss(X(dst), m);
  else if (t == ValType::F64)
    asm_.movsd(X(dst), m);
  else
    asm_.mov(Is64(t) ? W::k64 : W::k32, G(dst), m);
}

void MasmX64::StoreGlobal(ValType t, uint32_t off, Reg src) {
  Mem m = Arena(off);
  if (t == ValType::V128)
    asm_.movdqu(m, X(src));
  else if (t == ValType::F32)
    asm_.movss(m, X(src));
  else if (t == ValType::F64)
    asm_.movsd(m, X(src));
  else
    asm_.mov(Is64(t) ? W::k64 : W::k32, m, G(src));
}

// ---- Control ----------------------------------------------------------------------------------

void MasmX64::BranchIfZero(Reg cond, Label& l) {
  asm_.test(W::k32, G(cond), G(cond));
  asm_.jcc(Cond::e, l);
}

void MasmX64::BranchIfNonZero(Reg cond, Label& l) {
  asm_.test(W::k32, G(cond), G(cond));
  asm_.jcc(Cond::ne, l);
}

void MasmX64::BranchIfEqual(Reg r, uint32_t imm, Label& l) {
  asm_.cmp(W::k32, G(r), static_cast<int32_t>(imm));
  asm_.jcc(Cond::e, l);
}

Label& MasmX64::TrapLabel(TrapKind k) {
  auto& l = stubs_[static_cast<int>(k)];
  if (!l) l = std::make_unique<Label>();
  return *l;
}

void MasmX64::Select(ValType t, Reg cond, Reg a, Reg b) {
  if (IsFloat(t) || t == ValType::V128) {
    Label keep;
    asm_.test(W::k32, G(cond), G(cond));
    asm_.jcc(Cond::ne, keep);
    asm_.movaps(X(a), X(b));
    asm_.bind(keep);
  } else {
    asm_.test(W::k32, G(cond), G(cond));
    asm_.cmovcc(Cond::e, Is64(t) ? W::k64 : W::k32, G(a), G(b));
  }
}

// ---- Numeric ----------------------------------------------------------------------------------

std::vector<Reg> MasmX64::Clobbers(Op op, bool rhs_is_const) const {
  switch (op) {
    case Op::I32DivS:
    case Op::I32DivU:
    case Op::I32RemS:
    case Op::I32RemU:
    case Op::I64DivS:
    case Op::I64DivU:
    case Op::I64RemS:
    case Op::I64RemU:
      return {Reg{0, false}, Reg{2, false}};
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
      if (rhs_is_const) return {};
      return {Reg{1, false}};
    default:
      return {};
  }
}

bool MasmX64::CanFoldImm(Op op, uint64_t bits) const {
  bool i64 = false;
  switch (op) {
    case Op::I64Add:
    case Op::I64Sub:
    case Op::I64And:
    case Op::I64Or:
    case Op::I64Xor:
    case Op::I64Mul:
    case Op::I64Eq:
    case Op::I64Ne:
    case Op::I64LtS:
    case Op::I64LtU:
    case Op::I64GtS:
    case Op::I64GtU:
    case Op::I64LeS:
    case Op::I64LeU:
    case Op::I64GeS:
    case Op::I64GeU:
      i64 = true;
      [[fallthrough]];
    case Op::I32Add:
    case Op::I32Sub:
    case Op::I32And:
    case Op::I32Or:
    case Op::I32Xor:
    case Op::I32Mul:
    case Op::I32Eq:
    case Op::I32Ne:
    case Op::I32LtS:
    case Op::I32LtU:
    case Op::I32GtS:
    case Op::I32GtU:
    case Op::I32LeS:
    case Op::I32LeU:
    case Op::I32GeS:
    case Op::I32GeU:
      return !i64 || static_cast<int64_t>(bits) == static_cast<int32_t>(bits);
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

namespace {
Cond IntCond(Op op) {
  switch (op) {
    case Op::I32Eq:
    case Op::I64Eq:
      return Cond::e;
    case Op::I32Ne:
    case Op::I64Ne:
      return Cond::ne;
    case Op::I32LtS:
    case Op::I64LtS:
      return Cond::l;
    case Op::I32LtU:
    case Op::I64LtU:
      return Cond::b;
    case Op::I32GtS:
    case Op::I64GtS:
      return Cond::g;
    case Op::I32GtU:
    case Op::I64GtU:
      return Cond::a;
    case Op::I32LeS:
    case Op::I64LeS:
      return Cond::le;
    case Op::I32LeU:
    case Op::I64LeU:
      return Cond::be;
    case Op::I32GeS:
    case Op::I64GeS:
      return Cond::ge;
    case Op::I32GeU:
    case Op::I64GeU:
      return Cond::ae;
    default:
      throw std::logic_error("IntCond");
  }
}
bool IsIntCompare(Op op) {
  return (op >= Op::I32Eq && op <= Op::I32GeU) || (op >= Op::I64Eq && op <= Op::I64GeU);
}
}  // namespace

Cond MasmX64::IntCondOf(Op op) const {
  if (op == Op::I64GtU && Fault(kFaultCondUnsigned)) return Cond::g;  // seeded fault
  return IntCond(op);
}

bool MasmX64::IsFusableCompare(Op op) {
  return IsIntCompare(op) || op == Op::I32Eqz || op == Op::I64Eqz;
}

Cond MasmX64::CompareForBranch(Op op, Reg a, Reg b) {
  const W w = wasm::GetOpInfo(op).p1 == wasm::SigType::I64 ? W::k64 : W::k32;
  if (op == Op::I32Eqz || op == Op::I64Eqz) {
    asm_.test(w, G(a), G(a));
    return Cond::e;
  }
  asm_.cmp(w, G(a), G(b));
  return IntCondOf(op);
}

Cond MasmX64::CompareImmForBranch(Op op, Reg a, uint64_t bits) {
  const W w = wasm::GetOpInfo(op).p1 == wasm::SigType::I64 ? W::k64 : W::k32;
  if (bits == 0 && (op == Op::I32Eq || op == Op::I64Eq || op == Op::I32Ne || op == Op::I64Ne)) {
    asm_.test(w, G(a), G(a));
  } else {
    asm_.cmp(w, G(a), static_cast<int32_t>(bits));
  }
  return IntCondOf(op);
}

void MasmX64::NumericImm(Op op, Reg dst, Reg a, uint64_t bits) {
  const bool i64 = wasm::GetOpInfo(op).p1 == wasm::SigType::I64;
  const W w = i64 ? W::k64 : W::k32;
  const int32_t imm = static_cast<int32_t>(bits);
  const uint8_t sh = static_cast<uint8_t>(bits & (i64 ? 63 : 31));
  Gp r = G(a);
  if (IsIntCompare(op)) {
    asm_.cmp(w, r, imm);
    asm_.setcc(IntCondOf(op), G(dst));
    asm_.movzx(W::k32, G(dst), W::k8, G(dst));
    return;
  }
  switch (op) {
    case Op::I32Add:
    case Op::I64Add:
      asm_.add(w, r, imm);
      break;
    case Op::I32Sub:
    case Op::I64Sub:
      asm_.sub(w, r, imm);
      break;
    case Op::I32And:
    case Op::I64And:
      asm_.and_(w, r, imm);
      break;
    case Op::I32Or:
    case Op::I64Or:
      asm_.or_(w, r, imm);
      break;
    case Op::I32Xor:
    case Op::I64Xor:
      asm_.xor_(w, r, imm);
      break;
    case Op::I32Mul:
    case Op::I64Mul:
      asm_.imul(w, r, r, imm);
      break;
    case Op::I32Shl:
    case Op::I64Shl:
      if (sh) asm_.shl(w, r, sh);
      break;
    case Op::I32ShrS:
    case Op::I64ShrS:
      if (sh) asm_.sar(w, r, sh);
      break;
    case Op::I32ShrU:
    case Op::I64ShrU:
      if (sh) asm_.shr(w, r, sh);
      break;
    case Op::I32Rotl:
    case Op::I64Rotl:
      if (sh) asm_.rol(w, r, sh);
      break;
    case Op::I32Rotr:
    case Op::I64Rotr:
      if (sh) asm_.ror(w, r, sh);
      break;
    default:
      throw std::logic_error("NumericImm: not foldable");
  }
  if (dst != a) asm_.mov(w, G(dst), r);
}

Mem MasmX64::Const(uint64_t bits) {
  pool_.emplace_back(bits, std::make_unique<Label>());
  asm_.lea(Gp::r11, *pool_.back().second);
  return Mem(Gp::r11, 0);
}

void MasmX64::IntDivRem(Op op, Reg ra, Reg rb) {
  const bool i64 = op >= Op::I64DivS && op <= Op::I64RemU;
  const W w = i64 ? W::k64 : W::k32;
  Gp a = G(ra), b = G(rb);
  const bool is_signed =
      op == Op::I32DivS || op == Op::I32RemS || op == Op::I64DivS || op == Op::I64RemS;
  const bool is_rem =
      op == Op::I32RemS || op == Op::I32RemU || op == Op::I64RemS || op == Op::I64RemU;
  asm_.test(w, b, b);
  asm_.jcc(Cond::e, TrapLabel(Fault(kFaultTrapKind) ? TrapKind::IntegerOverflow  // seeded fault
                                                    : TrapKind::IntegerDivideByZero));
  Label normal, done;
  if (is_signed) {
    asm_.cmp(w, b, -1);
    asm_.jcc(Cond::ne, normal);
    if (is_rem) {
      asm_.xor_(W::k32, a, a);  // x rem -1 = 0 (idiv would fault on INT_MIN)
      asm_.jmp(done);
    } else {
      if (i64) {
        asm_.movabs(Gp::r11, kF64SignBit);
        asm_.cmp(W::k64, a, Gp::r11);
      } else {
        asm_.cmp(W::k32, a, static_cast<int32_t>(0x80000000u));
      }
      asm_.jcc(Cond::e, TrapLabel(TrapKind::IntegerOverflow));
    }
  }
  asm_.bind(normal);
  asm_.mov(w, Gp::rax, a);
  if (is_signed) {
    if (i64)
      asm_.cqo();
    else
      asm_.cdq();
    asm_.idiv(w, b);
  } else {
    asm_.xor_(W::k32, Gp::rdx, Gp::rdx);
    asm_.div(w, b);
  }
  asm_.mov(w, a, is_rem ? Gp::rdx : Gp::rax);
  asm_.bind(done);
}

// Spec fmin/fmax: NaN if either is NaN; -0 < +0. minss/maxss alone get both wrong.
void MasmX64::FloatMinMax(bool is_min, bool f64, Xmm a, Xmm b) {
  Label nan, not_equal, done;
  if (f64)
    asm_.ucomisd(a, b);
  else
    asm_.ucomiss(a, b);
  asm_.jcc(Cond::p, nan);
  asm_.jcc(Cond::ne, not_equal);
  // Equal (covers +0 vs -0): or of the bits gives -0 for min, and gives +0 for max.
  if (is_min) {
    if (f64)
      asm_.orpd(a, b);
    else
      asm_.orps(a, b);
  } else {
    if (f64)
      asm_.andpd(a, b);
    else
      asm_.andps(a, b);
  }
  asm_.jmp(done);
  asm_.bind(not_equal);
  if (is_min) {
    if (f64)
      asm_.minsd(a, b);
    else
      asm_.minss(a, b);
  } else {
    if (f64)
      asm_.maxsd(a, b);
    else
      asm_.maxss(a, b);
  }
  asm_.jmp(done);
  asm_.bind(nan);  // a quiet NaN from the NaN operand(s)
  if (f64)
    asm_.addsd(a, b);
  else
    asm_.addss(a, b);
  asm_.bind(done);
}

// Trapping and saturating truncation, checked in double precision against reference/numerics.h
// bounds (an f32 operand is widened first, exactly).
void MasmX64::TruncFloat(Op op, Reg dst, Reg a, bool saturating) {
  const wasm::OpInfo& info = wasm::GetOpInfo(op);
  const bool from32 = info.p1 == wasm::SigType::F32;
  const bool to64 = info.result == wasm::SigType::I64;
  const char* name = info.name;
  const bool is_signed = name[std::string(name).size() - 1] == 's';
  Xmm d = X(a);
  if (from32) {
    asm_.cvtss2sd(Xmm::xmm15, X(a));
    d = Xmm::xmm15;
  }
  Gp r = G(dst);
  Label nan, low, high, done;
  // Exclusive bounds lo < x < hi, except i64 signed: -2^63 <= x < 2^63.
  double lo, hi;
  if (!to64) {
    lo = is_signed ? -2147483649.0 : -1.0;
    hi = is_signed ? 2147483648.0 : 4294967296.0;
  } else {
    lo = is_signed ? -9223372036854775808.0 : -1.0;
    hi = is_signed ? 9223372036854775808.0 : 18446744073709551616.0;
  }
  asm_.ucomisd(d, d);
  asm_.jcc(Cond::p, saturating ? nan : TrapLabel(TrapKind::InvalidConversionToInteger));
  Label& overflow = TrapLabel(TrapKind::IntegerOverflow);
  asm_.ucomisd(d, Const(Bits(lo)));
  Cond low_cond = (to64 && is_signed) ? Cond::b : Cond::be;
  asm_.jcc(low_cond, saturating ? low : overflow);
  asm_.ucomisd(d, Const(Bits(hi)));
  asm_.jcc(Cond::ae, saturating ? high : overflow);
  if (!to64) {
    if (is_signed)
      asm_.cvttsd2si(W::k32, r, d);
    else
      asm_.cvttsd2si(W::k64, r, d);  // < 2^32: upper half zero
  } else if (is_signed) {
    asm_.cvttsd2si(W::k64, r, d);
  } else {
    Label big;
    asm_.ucomisd(d, Const(Bits(9223372036854775808.0)));
    asm_.jcc(Cond::ae, big);
    asm_.cvttsd2si(W::k64, r, d);
    asm_.jmp(done);
    asm_.bind(big);
    asm_.subsd(d, Const(Bits(9223372036854775808.0)));
    asm_.cvttsd2si(W::k64, r, d);
    asm_.movabs(Gp::r11, kF64SignBit);
    asm_.xor_(W::k64, r, Gp::r11);
  }
  if (saturating) {
    asm_.jmp(done);
    asm_.bind(nan);
    asm_.xor_(W::k32, r, r);
    asm_.jmp(done);
    asm_.bind(low);
    if (!is_signed)
      asm_.xor_(W::k32, r, r);
    else if (!to64)
      asm_.mov(W::k32, r, static_cast<int32_t>(0x80000000u));
    else
      asm_.movabs(r, kF64SignBit);
    asm_.jmp(done);
    asm_.bind(high);
    if (!to64)
      asm_.mov(W::k32, r, is_signed ? 0x7fffffff : -1);
    else if (is_signed)
      asm_.movabs(r, ~kF64SignBit);
    else
      asm_.mov(W::k64, r, -1);
  }
  asm_.bind(done);
}

// u64 -> float, correctly rounded: halve with the low bit kept sticky (round to odd), convert,
// double. The halved value is below 2^63, so the signed conversion applies.
void MasmX64::ConvertU64(bool f64, Xmm dst, Gp src) {
  Label neg, done;
  asm_.test(W::k64, src, src);
  asm_.jcc(Cond::s, neg);
  if (f64)
    asm_.cvtsi2sd(W::k64, dst, src);
  else
    asm_.cvtsi2ss(W::k64, dst, src);
  asm_.jmp(done);
  asm_.bind(neg);
  asm_.mov(W::k64, Gp::r10, src);
  asm_.shr(W::k64, Gp::r10, 1);
  asm_.mov(W::k32, Gp::r11, src);
  asm_.and_(W::k32, Gp::r11, 1);
  asm_.or_(W::k64, Gp::r10, Gp::r11);
  if (f64) {
    asm_.cvtsi2sd(W::k64, dst, Gp::r10);
    asm_.addsd(dst, dst);
  } else {
    asm_.cvtsi2ss(W::k64, dst, Gp::r10);
    asm_.addss(dst, dst);
  }
  asm_.bind(done);
}

void MasmX64::FloatCompare(Op op, bool f64, Reg dst, Xmm a, Xmm b) {
  auto ucomi = [&](Xmm x, Xmm y) {
    if (f64)
      asm_.ucomisd(x, y);
    else
      asm_.ucomiss(x, y);
  };
  Gp r = G(dst);
  switch (op) {
    case Op::F32Eq:
    case Op::F64Eq:
    case Op::F32Ne:
    case Op::F64Ne: {
      bool eq = op == Op::F32Eq || op == Op::F64Eq;
      Label done;
      ucomi(a, b);
      asm_.mov(W::k32, r, eq ? 0 : 1);  // unordered: eq false, ne true
      asm_.jcc(Cond::p, done);
      asm_.setcc(eq ? Cond::e : Cond::ne, r);
      asm_.bind(done);
      return;
    }
    case Op::F32Lt:
    case Op::F64Lt:
      ucomi(b, a);
      asm_.setcc(Cond::a, r);
      break;
    case Op::F32Gt:
    case Op::F64Gt:
      ucomi(a, b);
      asm_.setcc(Cond::a, r);
      break;
    case Op::F32Le:
    case Op::F64Le:
      ucomi(b, a);
      asm_.setcc(Cond::ae, r);
      break;
    case Op::F32Ge:
    case Op::F64Ge:
      ucomi(a, b);
      asm_.setcc(Cond::ae, r);
      break;
    default:
      throw std::logic_error("FloatCompare");
  }
  asm_.movzx(W::k32, r, W::k8, r);
}

void MasmX64::Numeric(Op op, Reg dst, Reg ra, Reg rb) {
  const wasm::OpInfo& info = wasm::GetOpInfo(op);
  const bool i64 = info.p1 == wasm::SigType::I64;
  const W w = i64 ? W::k64 : W::k32;
  Gp a = G(ra), b = G(rb), d = G(dst);
  Xmm xa = X(ra), xb = X(rb), xd = X(dst);
  if (IsIntCompare(op)) {
    asm_.cmp(w, a, b);
    asm_.setcc(IntCondOf(op), d);
    asm_.movzx(W::k32, d, W::k8, d);
    return;
  }
  switch (op) {
    case Op::I32Eqz:
    case Op::I64Eqz:
      asm_.test(w, a, a);
      asm_.setcc(Cond::e, d);
      asm_.movzx(W::k32, d, W::k8, d);
      return;
    case Op::RefIsNull:
      asm_.cmp(W::k64, a, -1);
      asm_.setcc(Cond::e, d);
      asm_.movzx(W::k32, d, W::k8, d);
      return;
    case Op::I32Clz:
    case Op::I64Clz:
      asm_.lzcnt(w, d, a);
      return;
    case Op::I32Ctz:
    case Op::I64Ctz:
      asm_.tzcnt(w, d, a);
      return;
    case Op::I32Popcnt:
    case Op::I64Popcnt:
      asm_.popcnt(w, d, a);
      return;
    case Op::I32Add:
    case Op::I64Add:
      asm_.add(w, a, b);
      break;
    case Op::I32Sub:
    case Op::I64Sub:
      if (op == Op::I64Sub && Fault(kFaultOperandOrderX64)) {  // seeded fault: b - a
        asm_.mov(W::k64, Gp::r11, b);
        asm_.sub(W::k64, Gp::r11, a);
        asm_.mov(W::k64, a, Gp::r11);
        break;
      }
      asm_.sub(w, a, b);
      break;
    case Op::I32Mul:
    case Op::I64Mul:
      asm_.imul(w, a, b);
      break;
    case Op::I32And:
    case Op::I64And:
      asm_.and_(w, a, b);
      break;
    case Op::I32Or:
    case Op::I64Or:
      asm_.or_(w, a, b);
      break;
    case Op::I32Xor:
    case Op::I64Xor:
      asm_.xor_(w, a, b);
      break;
    case Op::I32DivS:
    case Op::I32DivU:
    case Op::I32RemS:
    case Op::I32RemU:
    case Op::I64DivS:
    case Op::I64DivU:
    case Op::I64RemS:
    case Op::I64RemU:
      IntDivRem(op, ra, rb);
      break;
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
      asm_.mov(W::k32, Gp::rcx, b);
      switch (op) {
        case Op::I32Shl:
        case Op::I64Shl:
          asm_.shl(w, a);
          break;
        case Op::I32ShrS:
        case Op::I64ShrS:
          asm_.sar(w, a);
          break;
        case Op::I32ShrU:
        case Op::I64ShrU:
          asm_.shr(w, a);
          break;
        case Op::I32Rotl:
        case Op::I64Rotl:
          asm_.rol(w, a);
          break;
        default:
          asm_.ror(w, a);
          break;
      }
      break;
    case Op::I32WrapI64:
      asm_.mov(W::k32, d, a);
      return;
    case Op::I64ExtendI32S:
      if (Fault(kFaultSignExtend))
        asm_.mov(W::k32, d, a);  // seeded fault sign-extend
      else
        asm_.movsxd(d, a);
      return;
    case Op::I64ExtendI32U:
      asm_.mov(W::k32, d, a);
      return;
    case Op::I32Extend8S:
      asm_.movsx(W::k32, d, W::k8, a);
      return;
    case Op::I32Extend16S:
      asm_.movsx(W::k32, d, W::k16, a);
      return;
    case Op::I64Extend8S:
      asm_.movsx(W::k64, d, W::k8, a);
      return;
    case Op::I64Extend16S:
      asm_.movsx(W::k64, d, W::k16, a);
      return;
    case Op::I64Extend32S:
      asm_.movsxd(d, a);
      return;

    // Float arithmetic (in place: dst == a).
    case Op::F32Add:
      asm_.addss(xa, xb);
      break;
    case Op::F32Sub:
      asm_.subss(xa, xb);
      break;
    case Op::F32Mul:
      asm_.mulss(xa, xb);
      break;
    case Op::F32Div:
      asm_.divss(xa, xb);
      break;
    case Op::F64Add:
      asm_.addsd(xa, xb);
      break;
    case Op::F64Sub:
      asm_.subsd(xa, xb);
      break;
    case Op::F64Mul:
      asm_.mulsd(xa, xb);
      break;
    case Op::F64Div:
      asm_.divsd(xa, xb);
      break;
    case Op::F32Min:
      FloatMinMax(true, false, xa, xb);
      break;
    case Op::F32Max:
      FloatMinMax(false, false, xa, xb);
      break;
    case Op::F64Min:
      FloatMinMax(true, true, xa, xb);
      break;
    case Op::F64Max:
      FloatMinMax(false, true, xa, xb);
      break;
    case Op::F32Sqrt:
      asm_.sqrtss(xa, xa);
      break;
    case Op::F64Sqrt:
      asm_.sqrtsd(xa, xa);
      break;
    case Op::F32Ceil:
      asm_.roundss(xa, xa, 2 | 8);
      break;
    case Op::F32Floor:
      asm_.roundss(xa, xa, 1 | 8);
      break;
    case Op::F32Trunc:
      asm_.roundss(xa, xa, 3 | 8);
      break;
    case Op::F32Nearest:
      asm_.roundss(xa, xa, 0 | 8);
      break;
    case Op::F64Ceil:
      asm_.roundsd(xa, xa, 2 | 8);
      break;
    case Op::F64Floor:
      asm_.roundsd(xa, xa, 1 | 8);
      break;
    case Op::F64Trunc:
      asm_.roundsd(xa, xa, 3 | 8);
      break;
    case Op::F64Nearest:
      asm_.roundsd(xa, xa, 0 | 8);
      break;
    // Bit operations: never touch NaN payloads.
    case Op::F32Abs:
      asm_.movd(Gp::r11, xa);
      asm_.and_(W::k32, Gp::r11, 0x7fffffff);
      asm_.movd(xa, Gp::r11);
      break;
    case Op::F32Neg:
      asm_.movd(Gp::r11, xa);
      asm_.xor_(W::k32, Gp::r11, static_cast<int32_t>(0x80000000u));
      asm_.movd(xa, Gp::r11);
      break;
    case Op::F64Abs:
      asm_.movq(Gp::r11, xa);
      asm_.shl(W::k64, Gp::r11, 1);
      asm_.shr(W::k64, Gp::r11, 1);
      asm_.movq(xa, Gp::r11);
      break;
    case Op::F64Neg:
      asm_.movq(Gp::r11, xa);
      asm_.movabs(Gp::r10, kF64SignBit);
      asm_.xor_(W::k64, Gp::r11, Gp::r10);
      asm_.movq(xa, Gp::r11);
      break;
    case Op::F32Copysign:
      asm_.movd(Gp::r11, xa);
      asm_.movd(Gp::r10, xb);
      asm_.and_(W::k32, Gp::r11, 0x7fffffff);
      asm_.and_(W::k32, Gp::r10, static_cast<int32_t>(0x80000000u));
      asm_.or_(W::k32, Gp::r11, Gp::r10);
      asm_.movd(xa, Gp::r11);
      break;
    case Op::F64Copysign:
      asm_.movq(Gp::r11, xa);
      asm_.movq(Gp::r10, xb);
      asm_.shl(W::k64, Gp::r11, 1);
      asm_.shr(W::k64, Gp::r11, 1);
      asm_.shr(W::k64, Gp::r10, 63);
      asm_.shl(W::k64, Gp::r10, 63);
      asm_.or_(W::k64, Gp::r11, Gp::r10);
      asm_.movq(xa, Gp::r11);
      break;
    case Op::F32Eq:
    case Op::F32Ne:
    case Op::F32Lt:
    case Op::F32Gt:
    case Op::F32Le:
    case Op::F32Ge:
      FloatCompare(op, false, dst, xa, xb);
      return;
    case Op::F64Eq:
    case Op::F64Ne:
    case Op::F64Lt:
    case Op::F64Gt:
    case Op::F64Le:
    case Op::F64Ge:
      FloatCompare(op, true, dst, xa, xb);
      return;

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
    case Op::F32ConvertI32S:
      asm_.cvtsi2ss(W::k32, xd, a);
      return;
    case Op::F64ConvertI32S:
      asm_.cvtsi2sd(W::k32, xd, a);
      return;
    case Op::F32ConvertI64S:
      asm_.cvtsi2ss(W::k64, xd, a);
      return;
    case Op::F64ConvertI64S:
      asm_.cvtsi2sd(W::k64, xd, a);
      return;
    case Op::F32ConvertI32U:
      asm_.mov(W::k32, Gp::r11, a);
      asm_.cvtsi2ss(W::k64, xd, Gp::r11);
      return;
    case Op::F64ConvertI32U:
      asm_.mov(W::k32, Gp::r11, a);
      asm_.cvtsi2sd(W::k64, xd, Gp::r11);
      return;
    case Op::F32ConvertI64U:
      ConvertU64(false, xd, a);
      return;
    case Op::F64ConvertI64U:
      ConvertU64(true, xd, a);
      return;
    case Op::F32DemoteF64:
      asm_.cvtsd2ss(xd, xa);
      return;
    case Op::F64PromoteF32:
      asm_.cvtss2sd(xd, xa);
      return;
    case Op::I32ReinterpretF32:
      asm_.movd(d, xa);
      return;
    case Op::I64ReinterpretF64:
      asm_.movq(d, xa);
      return;
    case Op::F32ReinterpretI32:
      asm_.movd(xd, a);
      return;
    case Op::F64ReinterpretI64:
      asm_.movq(xd, a);
      return;
    default:
      throw UnsupportedFeature(std::string("x64: operator ") + info.name);
  }
  // In-place results: move to dst when the compiler picked another register.
  if (dst != ra) {
    if (info.result == wasm::SigType::F32 || info.result == wasm::SigType::F64) {
      asm_.movaps(xd, xa);
    } else {
      asm_.mov(w, d, a);
    }
  }
}

void MasmX64::CanonicalizeNaN(ValType t, Reg r) {
  if (t == ValType::F32 && Fault(kFaultNanCanon)) return;  // seeded fault nan-canon
  Label done;
  if (t == ValType::F32) {
    asm_.ucomiss(X(r), X(r));
    asm_.jcc(Cond::np, done);
    asm_.mov(W::k32, Gp::r11, 0x7fc00000);
    asm_.movd(X(r), Gp::r11);
  } else {
    asm_.ucomisd(X(r), X(r));
    asm_.jcc(Cond::np, done);
    asm_.movabs(Gp::r11, 0x7ff8000000000000ull);
    asm_.movq(X(r), Gp::r11);
  }
  asm_.bind(done);
}

// ---- Tables and memory sizes ------------------------------------------------------------------

void MasmX64::TableGet(Reg dst, Reg index, uint32_t desc) {
  asm_.cmp(W::k32, G(index), Arena(desc + offsetof(TableDesc, size)));
  asm_.jcc(Cond::ae, TrapLabel(TrapKind::TableOutOfBounds));
  asm_.mov(W::k32, G(index), G(index));
  asm_.mov(W::k64, Gp::r10, Arena(desc + offsetof(TableDesc, elems_offset)));
  asm_.add(W::k64, Gp::r10, Gp::r15);
  asm_.mov(W::k64, G(dst), Mem(Gp::r10, G(index), 8));
}

void MasmX64::TableSet(Reg index, Reg value, uint32_t desc) {
  asm_.cmp(W::k32, G(index), Arena(desc + offsetof(TableDesc, size)));
  asm_.jcc(Cond::ae, TrapLabel(TrapKind::TableOutOfBounds));
  asm_.mov(W::k32, G(index), G(index));
  asm_.mov(W::k64, Gp::r10, Arena(desc + offsetof(TableDesc, elems_offset)));
  asm_.add(W::k64, Gp::r10, Gp::r15);
  asm_.mov(W::k64, Mem(Gp::r10, G(index), 8), G(value));
}

void MasmX64::TableSize(Reg dst, uint32_t desc) {
  asm_.mov(W::k32, G(dst), Arena(desc + offsetof(TableDesc, size)));
}

void MasmX64::MemorySize(Reg dst, uint32_t desc) {
  asm_.mov(W::k64, G(dst), Arena(desc + offsetof(MemoryDesc, size_bytes)));
  asm_.shr(W::k64, G(dst), 16);
}

// ---- Calls ------------------------------------------------------------------------------------

void MasmX64::ReserveCallArea(uint32_t bytes) {
  if (bytes) asm_.sub(W::k64, Gp::rsp, static_cast<int32_t>(bytes));
}

void MasmX64::ReleaseCallArea(uint32_t bytes) {
  if (bytes) asm_.add(W::k64, Gp::rsp, static_cast<int32_t>(bytes));
}

void MasmX64::CopyFrameToArg(ValType t, uint32_t i, int32_t frame_off) {
  W w = Is64(t) ? W::k64 : W::k32;
  asm_.mov(w, Gp::r11, Mem(Gp::rbp, frame_off));
  asm_.mov(W::k64, Mem(Gp::rsp, 8 * static_cast<int32_t>(i)), Gp::r11);
}

void MasmX64::CopyArgToFrame(ValType t, int32_t frame_off, uint32_t i) {
  W w = Is64(t) ? W::k64 : W::k32;
  asm_.mov(w, Gp::r11, Mem(Gp::rsp, 8 * static_cast<int32_t>(i)));
  asm_.mov(w, Mem(Gp::rbp, frame_off), Gp::r11);
}

uint32_t MasmX64::CallRel32() {
  Label unbound;  // never bound: the store links the rel32 (CompiledFunction::local_calls)
  asm_.call(unbound);
  return static_cast<uint32_t>(asm_.offset() - 4);
}

void MasmX64::CallCodeTable(uint32_t store_index) {
  asm_.movabs(Gp::r11, options_.code_table_address + 8 * uint64_t{store_index});
  asm_.call(Mem(Gp::r11, 0));
}

void MasmX64::CallIndirect(Reg index, uint32_t desc, uint32_t type_id) {
  Gp i = G(index);
  asm_.cmp(W::k32, i, Arena(desc + offsetof(TableDesc, size)));
  asm_.jcc(Cond::ae, TrapLabel(TrapKind::UndefinedElement));
  asm_.mov(W::k32, i, i);
  asm_.mov(W::k64, Gp::r10, Arena(desc + offsetof(TableDesc, elems_offset)));
  asm_.add(W::k64, Gp::r10, Gp::r15);
  asm_.mov(W::k64, i, Mem(Gp::r10, i, 8));  // store-wide function index, or null
  asm_.cmp(W::k64, i, -1);
  asm_.jcc(Cond::e, TrapLabel(TrapKind::UninitializedElement));
  asm_.mov(W::k64, Gp::r10, i);
  asm_.shl(W::k64, Gp::r10, 4);  // sizeof(FuncDesc)
  static_assert(sizeof(FuncDesc) == 16);
  if (!Fault(kFaultSigCheck)) {  // seeded fault sig-check: no signature comparison
    asm_.cmp(W::k32,
             Mem(Gp::r15, Gp::r10, 1,
                 static_cast<int32_t>(layout_.func_desc_offset + offsetof(FuncDesc, type_id))),
             static_cast<int32_t>(type_id));
    asm_.jcc(Cond::ne, TrapLabel(TrapKind::IndirectCallTypeMismatch));
  }
  asm_.movabs(Gp::r11, options_.code_table_address);
  asm_.call(Mem(Gp::r11, i, 8));
}

Reg MasmX64::RuntimeArg(int i) {
  static constexpr uint8_t kArgs[] = {7, 6, 2, 1, 8, 9};  // rdi rsi rdx rcx r8 r9
  return Reg{kArgs[i], false};
}

void MasmX64::CallRuntime(RuntimeCall id) {
  asm_.mov(W::k64, Gp::rdi, Gp::r15);
  asm_.movabs(Gp::rax, options_.runtime_table_address + 8 * static_cast<uint64_t>(id));
  asm_.call(Mem(Gp::rax, 0));
  asm_.cmp(W::k64, Gp::rax, -1);
  auto& l = stubs_[kExitRuntime];
  if (!l) l = std::make_unique<Label>();
  asm_.jcc(Cond::e, *l);
}

// ---- Bounds primitives ------------------------------------------------------------------------
// The sound sequence is `mov r11d, index; add r11, offset; lea r10, [r11 + size];
// cmp r10, [r15 + size_bytes]; ja oob; OP [r15 + r11 + data]`. The verifier's mutants
// (jit/mutants.h) each open one hole in it; with none compiled in, mutant_ is 0 and every
// branch below takes the sound path.

void MasmX64::AddToEa(uint64_t offset) {
  if (offset == 0) return;
  if (offset <= 0x7fffffffu) {
    asm_.add(W::k64, Gp::r11, static_cast<int32_t>(offset));
  } else {
    asm_.movabs(Gp::r10, offset);
    asm_.add(W::k64, Gp::r11, Gp::r10);
  }
}

void MasmX64::BoundsEffectiveAddress(Reg index, uint64_t offset) {
  if (mutant_ == kMutantX64IndexSignExtended)
    asm_.movsxd(Gp::r11, G(index));  // mutant: sign-extends
  else
    asm_.mov(W::k32, Gp::r11, G(index));  // zero-extends
  if (mutant_ == kMutantX64OffsetAfterCheck) {
    late_offset_ = offset;  // mutant: BoundsAccess adds it
    return;
  }
  AddToEa(offset);
}

void MasmX64::CheckEaPlusSize(uint32_t size, uint32_t size_field, Label& oob) {
  asm_.lea(W::k64, Gp::r10, Mem(Gp::r11, static_cast<int32_t>(size)));
  asm_.cmp(W::k64, Gp::r10, Arena(size_field));
  asm_.jcc(Cond::a, oob);
}

void MasmX64::BoundsCheck(Op op, uint32_t size_field, Label& oob) {
  uint32_t size = AccessSize(op);
  if (size == 1 && Fault(kFaultBoundsDropped)) return;  // seeded fault bounds-dropped
  if (Fault(kFaultBoundsOffByOne)) --size;              // seeded fault bounds-off-by-one
  if (mutant_ != kMutantNone && MutantBoundsCheck(op, size, size_field, oob)) return;
  CheckEaPlusSize(size, size_field, oob);
}

bool MasmX64::MutantBoundsCheck(Op op, uint32_t& size, uint32_t& size_field, Label& oob) {
  const Mem limit = Arena(size_field);
  const Mem sum(Gp::r11, static_cast<int32_t>(size));
  constexpr uint32_t kSizeAt = offsetof(MemoryDesc, size_bytes);
  switch (mutant_) {
    case kMutantX64DropCheck:
      return true;
    case kMutantX64StoresUnchecked:
      return IsStore(op);
    case kMutantX64LoadsUnchecked:
      return !IsStore(op);
    case kMutantX64CheckAfterAccess:
      late_check_ = LateCheck{size, size_field, &oob};
      return true;
    case kMutantX64FirstByteOnly:
      size = 1;
      return false;
    case kMutantX64OffByOne:
      size -= 1;
      return false;
    case kMutantX64NarrowCheck:
      if (size == 8 || size == 16) size /= 2;
      return false;
    case kMutantX64ChecksReserved:
      size_field = size_field - kSizeAt + offsetof(MemoryDesc, reserved_bytes);
      return false;
    case kMutantX64ChecksMax:
      size_field = size_field - kSizeAt + offsetof(MemoryDesc, max_bytes);
      return false;
    case kMutantX64SizeNotAdded:
      asm_.cmp(W::k64, Gp::r11, limit);
      asm_.jcc(Cond::a, oob);
      return true;
    case kMutantX64Compare32:
      asm_.lea(W::k64, Gp::r10, sum);
      asm_.cmp(W::k32, Gp::r10, limit);
      asm_.jcc(Cond::a, oob);
      return true;
    case kMutantX64Compare32Signed:
      asm_.lea(W::k64, Gp::r10, sum);
      asm_.cmp(W::k32, Gp::r10, limit);
      asm_.jcc(Cond::g, oob);
      return true;
    case kMutantX64Sum32:
      asm_.lea(W::k32, Gp::r10, sum);
      asm_.cmp(W::k64, Gp::r10, limit);
      asm_.jcc(Cond::a, oob);
      return true;
    case kMutantX64TrapBelow:
      asm_.lea(W::k64, Gp::r10, sum);
      asm_.cmp(W::k64, Gp::r10, limit);
      asm_.jcc(Cond::b, oob);
      return true;
    case kMutantX64TrapEqual:
      asm_.lea(W::k64, Gp::r10, sum);
      asm_.cmp(W::k64, Gp::r10, limit);
      asm_.jcc(Cond::e, oob);
      return true;
    case kMutantX64SwappedOperands:
      asm_.lea(W::k64, Gp::r10, sum);
      asm_.cmp(W::k64, limit, Gp::r10);
      asm_.jcc(Cond::a, oob);
      return true;
    case kMutantX64Checks4GiB:
      asm_.lea(W::k64, Gp::r10, sum);
      asm_.shr(W::k64, Gp::r10, 32);
      asm_.jcc(Cond::ne, oob);
      return true;
    case kMutantX64BranchToFallthrough: {
      Label next;
      asm_.lea(W::k64, Gp::r10, sum);
      asm_.cmp(W::k64, Gp::r10, limit);
      asm_.jcc(Cond::a, next);
      asm_.bind(next);
      return true;
    }
    default:
      return false;  // a mutant of the access, or none of the check
  }
}

uint32_t MasmX64::BoundsAccess(Op op, Reg value, uint64_t data_offset, uint8_t lane) {
  if (mutant_ == kMutantX64OffsetAfterCheck) AddToEa(late_offset_);
  if (mutant_ == kMutantX64DisplacementPlusOne) data_offset += 1;
  // ea's register: the wrong-index-register mutant takes r10 (ea + size, left by the check).
  const Gp ea = mutant_ == kMutantX64WrongIndexRegister ? Gp::r10 : Gp::r11;
  const Gp other = ea == Gp::r11 ? Gp::r10 : Gp::r11;
  int32_t disp = 0;
  if (data_offset <= 0x7fffffffu) {
    disp = static_cast<int32_t>(data_offset);
  } else {
    asm_.movabs(other, data_offset);
    asm_.add(W::k64, ea, other);
  }
  // The no-arena-base mutant addresses [ea + data], an absolute address.
  Mem m = mutant_ == kMutantX64NoArenaBase ? Mem(ea, disp) : Mem(Gp::r15, ea, 1, disp);
  Gp g = G(value);
  Xmm x = X(value);
  // A lane store takes its lane out to `other` first (free once the address is in ea), so that
  // the access is the instruction at `at`.
  switch (op) {
    case Op::V128Store8Lane: asm_.pextrb(other, x, lane); break;
    case Op::V128Store16Lane: asm_.pextrw(other, x, lane); break;
    case Op::V128Store32Lane: asm_.pextrd(other, x, lane); break;
    case Op::V128Store64Lane: asm_.pextrq(other, x, lane); break;
    default: break;
  }
  uint32_t at = static_cast<uint32_t>(asm_.offset());
  switch (op) {
    case Op::I32Load:
      asm_.mov(W::k32, g, m);
      break;
    case Op::I64Load:
      asm_.mov(W::k64, g, m);
      break;
    case Op::F32Load:
      asm_.movss(x, m);
      break;
    case Op::F64Load:
      asm_.movsd(x, m);
      break;
    case Op::I32Load8S:
      if (Fault(kFaultLoadSign))
        asm_.movzx(W::k32, g, W::k8, m);  // seeded fault load-sign
      else
        asm_.movsx(W::k32, g, W::k8, m);
      break;
    case Op::I32Load8U:
      asm_.movzx(W::k32, g, W::k8, m);
      break;
    case Op::I32Load16S:
      asm_.movsx(W::k32, g, W::k16, m);
      break;
    case Op::I32Load16U:
      asm_.movzx(W::k32, g, W::k16, m);
      break;
    case Op::I64Load8S:
      asm_.movsx(W::k64, g, W::k8, m);
      break;
    case Op::I64Load8U:
      asm_.movzx(W::k32, g, W::k8, m);
      break;
    case Op::I64Load16S:
      asm_.movsx(W::k64, g, W::k16, m);
      break;
    case Op::I64Load16U:
      asm_.movzx(W::k32, g, W::k16, m);
      break;
    case Op::I64Load32S:
      asm_.movsxd(g, m);
      break;
    case Op::I64Load32U:
      asm_.mov(W::k32, g, m);
      break;
    case Op::I32Store:
    case Op::I64Store32:
      asm_.mov(W::k32, m, g);
      break;
    case Op::I64Store:
      asm_.mov(W::k64, m, g);
      break;
    case Op::F32Store:
      asm_.movss(m, x);
      break;
    case Op::F64Store:
      asm_.movsd(m, x);
      break;
    case Op::I32Store8:
    case Op::I64Store8:
      asm_.mov(W::k8, m, g);
      break;
    case Op::I32Store16:
    case Op::I64Store16:
      asm_.mov(W::k16, m, g);
      break;
    case Op::V128Load:
      asm_.movdqu(x, m);
      break;
    case Op::V128Store:
      asm_.movdqu(m, x);
      break;
    // Vector loads that widen, splat or zero (the loaded lanes, then the rest of the vector).
    case Op::V128Load8x8S: asm_.movsd(x, m), asm_.pmovsxbw(x, x); break;
    case Op::V128Load8x8U: asm_.movsd(x, m), asm_.pmovzxbw(x, x); break;
    case Op::V128Load16x4S: asm_.movsd(x, m), asm_.pmovsxwd(x, x); break;
    case Op::V128Load16x4U: asm_.movsd(x, m), asm_.pmovzxwd(x, x); break;
    case Op::V128Load32x2S: asm_.movsd(x, m), asm_.pmovsxdq(x, x); break;
    case Op::V128Load32x2U: asm_.movsd(x, m), asm_.pmovzxdq(x, x); break;
    case Op::V128Load8Splat:
      asm_.movzx(W::k32, other, W::k8, m);
      asm_.movd(x, other);
      asm_.pxor(Xmm::xmm15, Xmm::xmm15);
      asm_.pshufb(x, Xmm::xmm15);
      break;
    case Op::V128Load16Splat:
      asm_.movzx(W::k32, other, W::k16, m);
      asm_.movd(x, other);
      asm_.pshuflw(x, x, 0);
      asm_.pshufd(x, x, 0);
      break;
    case Op::V128Load32Splat: asm_.movss(x, m), asm_.pshufd(x, x, 0); break;
    case Op::V128Load64Splat: asm_.movsd(x, m), asm_.punpcklqdq(x, x); break;
    case Op::V128Load32Zero: asm_.movss(x, m); break;  // movss from memory zeroes the rest
    case Op::V128Load64Zero: asm_.movsd(x, m); break;
    case Op::V128Load8Lane: asm_.movzx(W::k32, other, W::k8, m), asm_.pinsrb(x, other, lane); break;
    case Op::V128Load16Lane: asm_.movzx(W::k32, other, W::k16, m), asm_.pinsrw(x, other, lane); break;
    case Op::V128Load32Lane: asm_.mov(W::k32, other, m), asm_.pinsrd(x, other, lane); break;
    case Op::V128Load64Lane: asm_.mov(W::k64, other, m), asm_.pinsrq(x, other, lane); break;
    case Op::V128Store8Lane: asm_.mov(W::k8, m, other); break;
    case Op::V128Store16Lane: asm_.mov(W::k16, m, other); break;
    case Op::V128Store32Lane: asm_.mov(W::k32, m, other); break;
    case Op::V128Store64Lane: asm_.mov(W::k64, m, other); break;
    default:
      throw std::logic_error("BoundsAccess: not an access");
  }
  if (late_check_) {  // mutant check-after-access: the sound check, on ea, after the access
    // (A vector lane access used r10 for its lane: the data offset goes back into it.)
    if (data_offset > 0x7fffffffu && AccessSize(op) != 0 && wasm::MemLaneSize(wasm::GetOpInfo(op).imm) != 0)
      asm_.movabs(Gp::r10, data_offset);
    if (data_offset > 0x7fffffffu) asm_.sub(W::k64, Gp::r11, Gp::r10);
    CheckEaPlusSize(late_check_->size, late_check_->size_field, *late_check_->oob);
    late_check_.reset();
  }
  return at;
}

// ---- 128-bit SIMD -----------------------------------------------------------------------------
// Each operator as SSE4.1 computes it where that is exactly Wasm's (Spec 4.3.2, "vector
// operators"); the scratch registers are r10, r11 and xmm15. Integer lanes wrap or saturate as
// the p* instructions do; float lanes' add, sub, mul, div and sqrt are IEEE's (a NaN operand's
// payload passes on quieted, an invalid operation gives the default NaN: both are arithmetic
// NaNs, which Wasm allows). Float min/max, conversions and the rest are not compiled yet.

void MasmX64::LoadConstV128(Reg dst, uint64_t lo, uint64_t hi) {
  const Xmm x = X(dst);
  if (lo == 0 && hi == 0) {
    asm_.pxor(x, x);
    return;
  }
  if (lo == ~uint64_t{0} && hi == ~uint64_t{0}) {
    asm_.pcmpeqd(x, x);
    return;
  }
  asm_.movabs(Gp::r11, lo);
  asm_.movq(x, Gp::r11);
  asm_.movabs(Gp::r11, hi);
  asm_.pinsrq(x, Gp::r11, 1);
}

namespace {

// The operators Simd compiles; `float_arith`: their result may be a NaN made by arithmetic
// (refused in NaN-canonical mode, which does not canonicalise vector lanes yet).
bool SimdOp(Op op, bool* float_arith) {
  *float_arith = false;
  switch (op) {
    case Op::F32x4Add: case Op::F32x4Sub: case Op::F32x4Mul: case Op::F32x4Div: case Op::F32x4Sqrt:
    case Op::F64x2Add: case Op::F64x2Sub: case Op::F64x2Mul: case Op::F64x2Div: case Op::F64x2Sqrt:
    case Op::F32x4Min: case Op::F32x4Max:
    case Op::F64x2Min: case Op::F64x2Max:
    case Op::F32x4Ceil: case Op::F32x4Floor: case Op::F32x4Trunc: case Op::F32x4Nearest:
    case Op::F64x2Ceil: case Op::F64x2Floor: case Op::F64x2Trunc: case Op::F64x2Nearest:
    case Op::F32x4DemoteF64x2Zero: case Op::F64x2PromoteLowF32x4:
      *float_arith = true;
      return true;
    case Op::V128Load: case Op::V128Store:
    case Op::V128Load8x8S: case Op::V128Load8x8U: case Op::V128Load16x4S: case Op::V128Load16x4U:
    case Op::V128Load32x2S: case Op::V128Load32x2U:
    case Op::V128Load8Splat: case Op::V128Load16Splat: case Op::V128Load32Splat: case Op::V128Load64Splat:
    case Op::V128Load32Zero: case Op::V128Load64Zero:
    case Op::V128Load8Lane: case Op::V128Load16Lane: case Op::V128Load32Lane: case Op::V128Load64Lane:
    case Op::V128Store8Lane: case Op::V128Store16Lane: case Op::V128Store32Lane: case Op::V128Store64Lane:
    case Op::I8x16LtU: case Op::I8x16GtU: case Op::I8x16LeS: case Op::I8x16LeU: case Op::I8x16GeS: case Op::I8x16GeU:
    case Op::I16x8LtU: case Op::I16x8GtU: case Op::I16x8LeS: case Op::I16x8LeU: case Op::I16x8GeS: case Op::I16x8GeU:
    case Op::I32x4LtU: case Op::I32x4GtU: case Op::I32x4LeS: case Op::I32x4LeU: case Op::I32x4GeS: case Op::I32x4GeU:
    case Op::I8x16Neg: case Op::I16x8Neg: case Op::I32x4Neg: case Op::I64x2Neg:
    case Op::F32x4Abs: case Op::F32x4Neg: case Op::F64x2Abs: case Op::F64x2Neg:
    case Op::I8x16NarrowI16x8S: case Op::I8x16NarrowI16x8U: case Op::I16x8NarrowI32x4S: case Op::I16x8NarrowI32x4U:
    case Op::I16x8ExtendLowI8x16S: case Op::I16x8ExtendHighI8x16S: case Op::I16x8ExtendLowI8x16U:
    case Op::I16x8ExtendHighI8x16U: case Op::I32x4ExtendLowI16x8S: case Op::I32x4ExtendHighI16x8S:
    case Op::I32x4ExtendLowI16x8U: case Op::I32x4ExtendHighI16x8U: case Op::I64x2ExtendLowI32x4S:
    case Op::I64x2ExtendHighI32x4S: case Op::I64x2ExtendLowI32x4U: case Op::I64x2ExtendHighI32x4U:
    case Op::I16x8ExtmulLowI8x16S: case Op::I16x8ExtmulHighI8x16S: case Op::I16x8ExtmulLowI8x16U:
    case Op::I16x8ExtmulHighI8x16U: case Op::I32x4ExtmulLowI16x8S: case Op::I32x4ExtmulHighI16x8S:
    case Op::I32x4ExtmulLowI16x8U: case Op::I32x4ExtmulHighI16x8U: case Op::I64x2ExtmulLowI32x4U:
    case Op::I64x2ExtmulHighI32x4U:
    case Op::I32x4ExtaddPairwiseI16x8S: case Op::I32x4ExtaddPairwiseI16x8U:
    case Op::I32x4DotI16x8S: case Op::I16x8Q15mulrSatS: case Op::I16x8Bitmask:
    case Op::I8x16Shuffle: case Op::I8x16Swizzle:
    case Op::F32x4ConvertI32x4S: case Op::F32x4ConvertI32x4U: case Op::F64x2ConvertLowI32x4S:
    case Op::I32x4TruncSatF32x4S:
    case Op::F32x4Pmin: case Op::F32x4Pmax: case Op::F64x2Pmin: case Op::F64x2Pmax:
    case Op::I64x2Mul: case Op::I64x2ExtmulLowI32x4S: case Op::I64x2ExtmulHighI32x4S:
    case Op::I8x16Shl: case Op::I8x16ShrU: case Op::I8x16ShrS: case Op::I64x2ShrS:
    case Op::I8x16Popcnt:
    case Op::I64x2GtS: case Op::I64x2LtS: case Op::I64x2GeS: case Op::I64x2LeS: case Op::I64x2Abs:
    case Op::F64x2ConvertLowI32x4U: case Op::I32x4TruncSatF32x4U:
    case Op::I32x4TruncSatF64x2SZero: case Op::I32x4TruncSatF64x2UZero:
    case Op::I16x8ExtaddPairwiseI8x16S: case Op::I16x8ExtaddPairwiseI8x16U:
      return true;
    case Op::V128Not: case Op::V128And: case Op::V128Andnot: case Op::V128Or: case Op::V128Xor:
    case Op::V128Bitselect: case Op::V128AnyTrue:
    case Op::I8x16Add: case Op::I16x8Add: case Op::I32x4Add: case Op::I64x2Add:
    case Op::I8x16Sub: case Op::I16x8Sub: case Op::I32x4Sub: case Op::I64x2Sub:
    case Op::I8x16AddSatS: case Op::I8x16AddSatU: case Op::I16x8AddSatS: case Op::I16x8AddSatU:
    case Op::I8x16SubSatS: case Op::I8x16SubSatU: case Op::I16x8SubSatS: case Op::I16x8SubSatU:
    case Op::I16x8Mul: case Op::I32x4Mul:
    case Op::I8x16MinS: case Op::I8x16MinU: case Op::I8x16MaxS: case Op::I8x16MaxU:
    case Op::I16x8MinS: case Op::I16x8MinU: case Op::I16x8MaxS: case Op::I16x8MaxU:
    case Op::I32x4MinS: case Op::I32x4MinU: case Op::I32x4MaxS: case Op::I32x4MaxU:
    case Op::I8x16AvgrU: case Op::I16x8AvgrU:
    case Op::I8x16Abs: case Op::I16x8Abs: case Op::I32x4Abs:
    case Op::I8x16Eq: case Op::I16x8Eq: case Op::I32x4Eq: case Op::I64x2Eq:
    case Op::I8x16Ne: case Op::I16x8Ne: case Op::I32x4Ne: case Op::I64x2Ne:
    case Op::I8x16GtS: case Op::I16x8GtS: case Op::I32x4GtS:
    case Op::I8x16LtS: case Op::I16x8LtS: case Op::I32x4LtS:
    case Op::F32x4Eq: case Op::F32x4Ne: case Op::F32x4Lt: case Op::F32x4Le: case Op::F32x4Gt: case Op::F32x4Ge:
    case Op::F64x2Eq: case Op::F64x2Ne: case Op::F64x2Lt: case Op::F64x2Le: case Op::F64x2Gt: case Op::F64x2Ge:
    case Op::I8x16Splat: case Op::I16x8Splat: case Op::I32x4Splat: case Op::I64x2Splat:
    case Op::F32x4Splat: case Op::F64x2Splat:
    case Op::I8x16ExtractLaneS: case Op::I8x16ExtractLaneU: case Op::I16x8ExtractLaneS:
    case Op::I16x8ExtractLaneU: case Op::I32x4ExtractLane: case Op::I64x2ExtractLane:
    case Op::F32x4ExtractLane: case Op::F64x2ExtractLane:
    case Op::I8x16ReplaceLane: case Op::I16x8ReplaceLane: case Op::I32x4ReplaceLane:
    case Op::I64x2ReplaceLane: case Op::F32x4ReplaceLane: case Op::F64x2ReplaceLane:
    case Op::I8x16AllTrue: case Op::I16x8AllTrue: case Op::I32x4AllTrue: case Op::I64x2AllTrue:
    case Op::I8x16Bitmask: case Op::I32x4Bitmask: case Op::I64x2Bitmask:
    case Op::I16x8Shl: case Op::I32x4Shl: case Op::I64x2Shl:
    case Op::I16x8ShrS: case Op::I32x4ShrS:
    case Op::I16x8ShrU: case Op::I32x4ShrU: case Op::I64x2ShrU:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool MasmX64::SimdTemp(Op op, bool nan_canonical) {
  bool float_arith = false;
  if (nan_canonical && SimdOp(op, &float_arith) && float_arith) return true;
  switch (op) {
    case Op::I64x2Mul: case Op::I64x2ExtmulLowI32x4S: case Op::I64x2ExtmulHighI32x4S:
    case Op::I8x16Shl: case Op::I8x16ShrU: case Op::I8x16ShrS: case Op::I64x2ShrS:
    case Op::I8x16Popcnt:
    case Op::I64x2GtS: case Op::I64x2LtS: case Op::I64x2GeS: case Op::I64x2LeS:
    case Op::I32x4TruncSatF32x4U: case Op::I32x4TruncSatF64x2SZero: case Op::I32x4TruncSatF64x2UZero:
      return true;
    default:
      return false;
  }
}

bool MasmX64::SimdCompiles(Op op, bool /*nan_canonical: SimdCanonicalize covers it*/) const {
  bool float_arith = false;
  return SimdOp(op, &float_arith);
}

bool MasmX64::SimdShiftImm(Op op, Reg v, uint32_t count, bool check_only) {
  void (Assembler::*f)(Xmm, uint8_t) = nullptr;
  uint32_t bits = 0;
  switch (op) {
    case Op::I16x8Shl: f = &Assembler::psllw, bits = 16; break;
    case Op::I32x4Shl: f = &Assembler::pslld, bits = 32; break;
    case Op::I64x2Shl: f = &Assembler::psllq, bits = 64; break;
    case Op::I16x8ShrS: f = &Assembler::psraw, bits = 16; break;
    case Op::I32x4ShrS: f = &Assembler::psrad, bits = 32; break;
    case Op::I16x8ShrU: f = &Assembler::psrlw, bits = 16; break;
    case Op::I32x4ShrU: f = &Assembler::psrld, bits = 32; break;
    case Op::I64x2ShrU: f = &Assembler::psrlq, bits = 64; break;
    default: return false;
  }
  if (check_only) return true;
  const uint8_t n = static_cast<uint8_t>(count & (bits - 1));
  if (n != 0) (asm_.*f)(X(v), n);
  return true;
}

void MasmX64::SimdCanonicalize(Op op, Reg dst, Reg temp) {
  bool float_arith = false;
  if (!SimdOp(op, &float_arith) || !float_arith) return;
  const wasm::OpInfo& info = wasm::GetOpInfo(op);
  // The result's lane type: f64 lanes for the f64x2 operators and promote, f32 for the rest.
  const bool f64 = op == Op::F64x2PromoteLowF32x4 ||
                   (std::string_view(info.name).rfind("f64x2.", 0) == 0 && op != Op::F32x4DemoteF64x2Zero);
  // NaN lanes (unordered with themselves) all ones in t; the result keeps its other lanes and
  // takes, in those, the all-ones shifted to the canonical NaN's bits (0x7fc00000: 9 ones from
  // bit 22; 0x7ff8000000000000: 12 ones from bit 51).
  const Xmm d = X(dst), t = X(temp);
  asm_.movaps(t, d);
  if (f64)
    asm_.cmppd(t, d, 3);
  else
    asm_.cmpps(t, d, 3);
  asm_.movaps(Xmm::xmm15, t);
  asm_.pandn(Xmm::xmm15, d);
  if (f64) {
    asm_.psrlq(t, uint8_t{52});
    asm_.psllq(t, uint8_t{51});
  } else {
    asm_.psrld(t, uint8_t{23});
    asm_.pslld(t, uint8_t{22});
  }
  asm_.por(Xmm::xmm15, t);
  asm_.movaps(d, Xmm::xmm15);
}

void MasmX64::Simd(const wasm::Instr& in, Reg dst, Reg a, Reg b, Reg c) {
  const Xmm d = X(dst), xa = X(a), xb = X(b);
  const uint8_t lane = in.lane;
  // dst = a (the in-place operators: the compiler made dst equal a).
  auto binary = [&](void (Assembler::*f)(Xmm, Xmm)) { (asm_.*f)(d, xb); };
  // dst = b OP a (operands swapped), through the scratch register.
  auto swapped = [&](void (Assembler::*f)(Xmm, Xmm)) {
    asm_.movaps(Xmm::xmm15, xb);
    (asm_.*f)(Xmm::xmm15, xa);
    asm_.movaps(d, Xmm::xmm15);
  };
  auto invert = [&] {  // d = ~d
    asm_.pcmpeqd(Xmm::xmm15, Xmm::xmm15);
    asm_.pxor(d, Xmm::xmm15);
  };
  // A shift by an i32 count taken modulo the lane width, in xmm15's low quadword.
  auto shift = [&](void (Assembler::*f)(Xmm, Xmm), int lane_bits) {
    asm_.mov(W::k32, Gp::r11, G(b));
    asm_.and_(W::k32, Gp::r11, lane_bits - 1);
    asm_.movq(Xmm::xmm15, Gp::r11);
    (asm_.*f)(d, Xmm::xmm15);
  };
  auto min_max_eq = [&](void (Assembler::*mm)(Xmm, Xmm), void (Assembler::*eq)(Xmm, Xmm), bool inverted) {
    asm_.movaps(Xmm::xmm15, xa);
    (asm_.*mm)(Xmm::xmm15, xb);
    (asm_.*eq)(d, Xmm::xmm15);
    if (inverted) invert();
  };
  auto negate = [&](void (Assembler::*sub)(Xmm, Xmm)) {
    asm_.pxor(Xmm::xmm15, Xmm::xmm15);
    (asm_.*sub)(Xmm::xmm15, xa);
    asm_.movaps(d, Xmm::xmm15);
  };
  auto extmul = [&](void (Assembler::*widen)(Xmm, Xmm), void (Assembler::*mul)(Xmm, Xmm), bool high) {
    if (high) {
      asm_.pshufd(d, xa, 0xee);
      asm_.pshufd(Xmm::xmm15, xb, 0xee);
      (asm_.*widen)(d, d);
      (asm_.*widen)(Xmm::xmm15, Xmm::xmm15);
    } else {
      (asm_.*widen)(d, xa);
      (asm_.*widen)(Xmm::xmm15, xb);
    }
    (asm_.*mul)(d, Xmm::xmm15);
  };
  // Wasm's min and max: a NaN in either lane gives a NaN, and -0 is below +0. minps/maxps give
  // their second operand on a NaN or equal operands, so both orders are taken: min merges them
  // with or (a NaN stays a NaN, -0 wins), max finds where they differ with xor and lets a NaN
  // or the sign through (or, then sub); NaN lanes, found unordered, end as the default NaN.
  auto float_min = [&](bool f64) {
    asm_.movaps(Xmm::xmm15, xb);
    if (f64) asm_.minpd(Xmm::xmm15, d), asm_.minpd(d, xb);
    else asm_.minps(Xmm::xmm15, d), asm_.minps(d, xb);
    asm_.por(Xmm::xmm15, d);
    if (f64) asm_.cmppd(d, Xmm::xmm15, 3);
    else asm_.cmpps(d, Xmm::xmm15, 3);
    asm_.por(Xmm::xmm15, d);
    if (f64) asm_.psrlq(d, uint8_t{13});
    else asm_.psrld(d, uint8_t{10});
    asm_.pandn(d, Xmm::xmm15);
  };
  auto float_max = [&](bool f64) {
    asm_.movaps(Xmm::xmm15, xb);
    if (f64) asm_.maxpd(Xmm::xmm15, d), asm_.maxpd(d, xb);
    else asm_.maxps(Xmm::xmm15, d), asm_.maxps(d, xb);
    asm_.pxor(d, Xmm::xmm15);
    asm_.por(Xmm::xmm15, d);
    if (f64) asm_.subpd(Xmm::xmm15, d);
    else asm_.subps(Xmm::xmm15, d);
    if (f64) asm_.cmppd(d, Xmm::xmm15, 3);
    else asm_.cmpps(d, Xmm::xmm15, 3);
    if (f64) asm_.psrlq(d, uint8_t{13});
    else asm_.psrld(d, uint8_t{10});
    asm_.pandn(d, Xmm::xmm15);
  };
  // d = d * m in 64-bit lanes (m and c clobbered).
  auto mul64 = [&](Xmm dd, Xmm m) {
    const Xmm t = X(c);
    asm_.movaps(t, dd);
    asm_.psrlq(t, uint8_t{32});
    asm_.pmuludq(t, m);  // hi_a * lo_b
    asm_.movaps(Xmm::xmm15, m);
    asm_.psrlq(Xmm::xmm15, uint8_t{32});
    asm_.pmuludq(Xmm::xmm15, dd);  // hi_b * lo_a
    asm_.paddq(t, Xmm::xmm15);
    asm_.psllq(t, uint8_t{32});
    asm_.pmuludq(dd, m);  // lo_a * lo_b
    asm_.paddq(dd, t);
  };
  // d = (x > y) in signed 64-bit lanes, or its negation; x and y are the operands (d may be
  // either).
  auto gt64 = [&](Xmm x, Xmm y, bool negated) {
    const Xmm t = X(c);
    asm_.movaps(t, y);
    asm_.psubq(t, x);  // y - x: negative where x > y, when the high dwords are equal
    asm_.movaps(Xmm::xmm15, x);
    asm_.pcmpeqd(Xmm::xmm15, y);
    asm_.pand(t, Xmm::xmm15);
    asm_.movaps(Xmm::xmm15, x);
    asm_.pcmpgtd(Xmm::xmm15, y);  // the high dwords' signed compare
    asm_.por(t, Xmm::xmm15);
    asm_.pshufd(d, t, 0xf5);
    asm_.psrad(d, uint8_t{31});
    if (negated) invert();
  };
  // All lanes non-zero: no lane of a equals zero.
  auto all_true = [&](void (Assembler::*eq)(Xmm, Xmm)) {
    asm_.pxor(Xmm::xmm15, Xmm::xmm15);
    (asm_.*eq)(Xmm::xmm15, xa);  // all-ones where a's lane is zero
    asm_.xor_(W::k32, G(dst), G(dst));
    asm_.ptest(Xmm::xmm15, Xmm::xmm15);
    asm_.setcc(Cond::e, G(dst));
  };
  switch (in.op) {
    // Bitwise.
    case Op::V128And: binary(&Assembler::pand); return;
    case Op::V128Or: binary(&Assembler::por); return;
    case Op::V128Xor: binary(&Assembler::pxor); return;
    case Op::V128Not: invert(); return;
    case Op::V128Andnot:  // a & ~b: pandn computes ~dst & src
      asm_.movaps(Xmm::xmm15, xb);
      asm_.pandn(Xmm::xmm15, xa);
      asm_.movaps(d, Xmm::xmm15);
      return;
    case Op::V128Bitselect:  // (a & c) | (b & ~c)
      asm_.pand(d, X(c));
      asm_.movaps(Xmm::xmm15, X(c));
      asm_.pandn(Xmm::xmm15, xb);
      asm_.por(d, Xmm::xmm15);
      return;
    case Op::V128AnyTrue:
      asm_.xor_(W::k32, G(dst), G(dst));
      asm_.ptest(xa, xa);
      asm_.setcc(Cond::ne, G(dst));
      return;
    // Integer lanes.
    case Op::I8x16Add: binary(&Assembler::paddb); return;
    case Op::I16x8Add: binary(&Assembler::paddw); return;
    case Op::I32x4Add: binary(&Assembler::paddd); return;
    case Op::I64x2Add: binary(&Assembler::paddq); return;
    case Op::I8x16Sub: binary(&Assembler::psubb); return;
    case Op::I16x8Sub: binary(&Assembler::psubw); return;
    case Op::I32x4Sub: binary(&Assembler::psubd); return;
    case Op::I64x2Sub: binary(&Assembler::psubq); return;
    case Op::I8x16AddSatS: binary(&Assembler::paddsb); return;
    case Op::I8x16AddSatU: binary(&Assembler::paddusb); return;
    case Op::I16x8AddSatS: binary(&Assembler::paddsw); return;
    case Op::I16x8AddSatU: binary(&Assembler::paddusw); return;
    case Op::I8x16SubSatS: binary(&Assembler::psubsb); return;
    case Op::I8x16SubSatU: binary(&Assembler::psubusb); return;
    case Op::I16x8SubSatS: binary(&Assembler::psubsw); return;
    case Op::I16x8SubSatU: binary(&Assembler::psubusw); return;
    case Op::I16x8Mul: binary(&Assembler::pmullw); return;
    case Op::I32x4Mul: binary(&Assembler::pmulld); return;
    case Op::I8x16MinS: binary(&Assembler::pminsb); return;
    case Op::I8x16MinU: binary(&Assembler::pminub); return;
    case Op::I8x16MaxS: binary(&Assembler::pmaxsb); return;
    case Op::I8x16MaxU: binary(&Assembler::pmaxub); return;
    case Op::I16x8MinS: binary(&Assembler::pminsw); return;
    case Op::I16x8MinU: binary(&Assembler::pminuw); return;
    case Op::I16x8MaxS: binary(&Assembler::pmaxsw); return;
    case Op::I16x8MaxU: binary(&Assembler::pmaxuw); return;
    case Op::I32x4MinS: binary(&Assembler::pminsd); return;
    case Op::I32x4MinU: binary(&Assembler::pminud); return;
    case Op::I32x4MaxS: binary(&Assembler::pmaxsd); return;
    case Op::I32x4MaxU: binary(&Assembler::pmaxud); return;
    case Op::I8x16AvgrU: binary(&Assembler::pavgb); return;
    case Op::I16x8AvgrU: binary(&Assembler::pavgw); return;
    case Op::I8x16Abs: asm_.pabsb(d, xa); return;
    case Op::I16x8Abs: asm_.pabsw(d, xa); return;
    case Op::I32x4Abs: asm_.pabsd(d, xa); return;
    case Op::I8x16Eq: binary(&Assembler::pcmpeqb); return;
    case Op::I16x8Eq: binary(&Assembler::pcmpeqw); return;
    case Op::I32x4Eq: binary(&Assembler::pcmpeqd); return;
    case Op::I64x2Eq: binary(&Assembler::pcmpeqq); return;
    case Op::I8x16Ne: binary(&Assembler::pcmpeqb), invert(); return;
    case Op::I16x8Ne: binary(&Assembler::pcmpeqw), invert(); return;
    case Op::I32x4Ne: binary(&Assembler::pcmpeqd), invert(); return;
    case Op::I64x2Ne: binary(&Assembler::pcmpeqq), invert(); return;
    case Op::I8x16GtS: binary(&Assembler::pcmpgtb); return;
    case Op::I16x8GtS: binary(&Assembler::pcmpgtw); return;
    case Op::I32x4GtS: binary(&Assembler::pcmpgtd); return;
    case Op::I8x16LtS: swapped(&Assembler::pcmpgtb); return;
    case Op::I16x8LtS: swapped(&Assembler::pcmpgtw); return;
    case Op::I32x4LtS: swapped(&Assembler::pcmpgtd); return;
    case Op::I8x16AllTrue: all_true(&Assembler::pcmpeqb); return;
    case Op::I16x8AllTrue: all_true(&Assembler::pcmpeqw); return;
    case Op::I32x4AllTrue: all_true(&Assembler::pcmpeqd); return;
    case Op::I64x2AllTrue: all_true(&Assembler::pcmpeqq); return;
    case Op::I8x16Bitmask: asm_.pmovmskb(G(dst), xa); return;
    case Op::I32x4Bitmask: asm_.movmskps(G(dst), xa); return;
    case Op::I64x2Bitmask: asm_.movmskpd(G(dst), xa); return;
    case Op::I16x8Shl: shift(&Assembler::psllw, 16); return;
    case Op::I32x4Shl: shift(&Assembler::pslld, 32); return;
    case Op::I64x2Shl: shift(&Assembler::psllq, 64); return;
    case Op::I16x8ShrS: shift(&Assembler::psraw, 16); return;
    case Op::I32x4ShrS: shift(&Assembler::psrad, 32); return;
    case Op::I16x8ShrU: shift(&Assembler::psrlw, 16); return;
    case Op::I32x4ShrU: shift(&Assembler::psrld, 32); return;
    case Op::I64x2ShrU: shift(&Assembler::psrlq, 64); return;
    // Float lanes. cmpps/cmppd predicates: 0 eq, 1 lt, 2 le, 4 neq (true on unordered, as ne).
    case Op::F32x4Add: binary(&Assembler::addps); return;
    case Op::F32x4Sub: binary(&Assembler::subps); return;
    case Op::F32x4Mul: binary(&Assembler::mulps); return;
    case Op::F32x4Div: binary(&Assembler::divps); return;
    case Op::F32x4Sqrt: asm_.sqrtps(d, xa); return;
    case Op::F64x2Add: binary(&Assembler::addpd); return;
    case Op::F64x2Sub: binary(&Assembler::subpd); return;
    case Op::F64x2Mul: binary(&Assembler::mulpd); return;
    case Op::F64x2Div: binary(&Assembler::divpd); return;
    case Op::F64x2Sqrt: asm_.sqrtpd(d, xa); return;
    case Op::F32x4Eq: asm_.cmpps(d, xb, 0); return;
    case Op::F32x4Ne: asm_.cmpps(d, xb, 4); return;
    case Op::F32x4Lt: asm_.cmpps(d, xb, 1); return;
    case Op::F32x4Le: asm_.cmpps(d, xb, 2); return;
    case Op::F64x2Eq: asm_.cmppd(d, xb, 0); return;
    case Op::F64x2Ne: asm_.cmppd(d, xb, 4); return;
    case Op::F64x2Lt: asm_.cmppd(d, xb, 1); return;
    case Op::F64x2Le: asm_.cmppd(d, xb, 2); return;
    case Op::F32x4Gt:  // b < a
    case Op::F32x4Ge:  // b <= a
    case Op::F64x2Gt:
    case Op::F64x2Ge: {
      const bool f64 = in.op == Op::F64x2Gt || in.op == Op::F64x2Ge;
      const uint8_t pred = in.op == Op::F32x4Gt || in.op == Op::F64x2Gt ? 1 : 2;
      asm_.movaps(Xmm::xmm15, xb);
      if (f64)
        asm_.cmppd(Xmm::xmm15, xa, pred);
      else
        asm_.cmpps(Xmm::xmm15, xa, pred);
      asm_.movaps(d, Xmm::xmm15);
      return;
    }
    // Splats (the scalar operand in a: a general register, or an xmm for floats).
    case Op::I8x16Splat:
      asm_.movd(d, G(a));
      asm_.pxor(Xmm::xmm15, Xmm::xmm15);
      asm_.pshufb(d, Xmm::xmm15);  // every byte from byte 0
      return;
    case Op::I16x8Splat:
      asm_.movd(d, G(a));
      asm_.pshuflw(d, d, 0);
      asm_.pshufd(d, d, 0);
      return;
    case Op::I32x4Splat:
      asm_.movd(d, G(a));
      asm_.pshufd(d, d, 0);
      return;
    case Op::I64x2Splat:
      asm_.movq(d, G(a));
      asm_.punpcklqdq(d, d);
      return;
    case Op::F32x4Splat:
      asm_.movaps(d, xa);
      asm_.shufps(d, d, 0);
      return;
    case Op::F64x2Splat:
      asm_.movaps(d, xa);
      asm_.punpcklqdq(d, d);
      return;
    // Lanes (in.lane < the lane count: validation).
    case Op::I8x16ExtractLaneU: asm_.pextrb(G(dst), xa, lane); return;
    case Op::I8x16ExtractLaneS:
      asm_.pextrb(G(dst), xa, lane);
      asm_.movsx(W::k32, G(dst), W::k8, G(dst));
      return;
    case Op::I16x8ExtractLaneU: asm_.pextrw(G(dst), xa, lane); return;
    case Op::I16x8ExtractLaneS:
      asm_.pextrw(G(dst), xa, lane);
      asm_.movsx(W::k32, G(dst), W::k16, G(dst));
      return;
    case Op::I32x4ExtractLane: asm_.pextrd(G(dst), xa, lane); return;
    case Op::I64x2ExtractLane: asm_.pextrq(G(dst), xa, lane); return;
    case Op::F32x4ExtractLane:  // the lane to the low 32 bits
      asm_.pshufd(d, xa, lane);
      return;
    case Op::F64x2ExtractLane:
      asm_.pshufd(d, xa, lane == 0 ? 0x44 : 0xee);
      return;
    case Op::I8x16ReplaceLane: asm_.pinsrb(d, G(b), lane); return;
    case Op::I16x8ReplaceLane: asm_.pinsrw(d, G(b), lane); return;
    case Op::I32x4ReplaceLane: asm_.pinsrd(d, G(b), lane); return;
    case Op::I64x2ReplaceLane: asm_.pinsrq(d, G(b), lane); return;
    case Op::F32x4ReplaceLane: asm_.insertps(d, xb, static_cast<uint8_t>(lane << 4)); return;
    case Op::F64x2ReplaceLane:
      if (lane == 0)
        asm_.movsd(d, xb);  // the low quadword only
      else
        asm_.punpcklqdq(d, xb);  // d's low, b's low
      return;
    // Unsigned and or-equal compares: a lane equals its max (ge) or min (le) with b; gt_u and
    // lt_u are not le_u and not ge_u.
    case Op::I8x16GeS: min_max_eq(&Assembler::pmaxsb, &Assembler::pcmpeqb, false); return;
    case Op::I8x16LeS: min_max_eq(&Assembler::pminsb, &Assembler::pcmpeqb, false); return;
    case Op::I8x16GeU: min_max_eq(&Assembler::pmaxub, &Assembler::pcmpeqb, false); return;
    case Op::I8x16LeU: min_max_eq(&Assembler::pminub, &Assembler::pcmpeqb, false); return;
    case Op::I8x16GtU: min_max_eq(&Assembler::pminub, &Assembler::pcmpeqb, true); return;
    case Op::I8x16LtU: min_max_eq(&Assembler::pmaxub, &Assembler::pcmpeqb, true); return;
    case Op::I16x8GeS: min_max_eq(&Assembler::pmaxsw, &Assembler::pcmpeqw, false); return;
    case Op::I16x8LeS: min_max_eq(&Assembler::pminsw, &Assembler::pcmpeqw, false); return;
    case Op::I16x8GeU: min_max_eq(&Assembler::pmaxuw, &Assembler::pcmpeqw, false); return;
    case Op::I16x8LeU: min_max_eq(&Assembler::pminuw, &Assembler::pcmpeqw, false); return;
    case Op::I16x8GtU: min_max_eq(&Assembler::pminuw, &Assembler::pcmpeqw, true); return;
    case Op::I16x8LtU: min_max_eq(&Assembler::pmaxuw, &Assembler::pcmpeqw, true); return;
    case Op::I32x4GeS: min_max_eq(&Assembler::pmaxsd, &Assembler::pcmpeqd, false); return;
    case Op::I32x4LeS: min_max_eq(&Assembler::pminsd, &Assembler::pcmpeqd, false); return;
    case Op::I32x4GeU: min_max_eq(&Assembler::pmaxud, &Assembler::pcmpeqd, false); return;
    case Op::I32x4LeU: min_max_eq(&Assembler::pminud, &Assembler::pcmpeqd, false); return;
    case Op::I32x4GtU: min_max_eq(&Assembler::pminud, &Assembler::pcmpeqd, true); return;
    case Op::I32x4LtU: min_max_eq(&Assembler::pmaxud, &Assembler::pcmpeqd, true); return;
    // 0 - a.
    case Op::I8x16Neg: negate(&Assembler::psubb); return;
    case Op::I16x8Neg: negate(&Assembler::psubw); return;
    case Op::I32x4Neg: negate(&Assembler::psubd); return;
    case Op::I64x2Neg: negate(&Assembler::psubq); return;
    // Float sign bits: abs clears them, neg flips them (NaNs included, as Wasm's do).
    case Op::F32x4Abs:
      asm_.pcmpeqd(Xmm::xmm15, Xmm::xmm15);
      asm_.psrld(Xmm::xmm15, uint8_t{1});
      asm_.pand(d, Xmm::xmm15);
      return;
    case Op::F64x2Abs:
      asm_.pcmpeqd(Xmm::xmm15, Xmm::xmm15);
      asm_.psrlq(Xmm::xmm15, uint8_t{1});
      asm_.pand(d, Xmm::xmm15);
      return;
    case Op::F32x4Neg:
      asm_.pcmpeqd(Xmm::xmm15, Xmm::xmm15);
      asm_.pslld(Xmm::xmm15, uint8_t{31});
      asm_.pxor(d, Xmm::xmm15);
      return;
    case Op::F64x2Neg:
      asm_.pcmpeqd(Xmm::xmm15, Xmm::xmm15);
      asm_.psllq(Xmm::xmm15, uint8_t{63});
      asm_.pxor(d, Xmm::xmm15);
      return;
    // Rounding (roundps/roundpd imm8: 0 nearest even, 1 down, 2 up, 3 toward zero; 8 keeps
    // the precision exception quiet).
    case Op::F32x4Nearest: asm_.roundps(d, xa, 8); return;
    case Op::F32x4Floor: asm_.roundps(d, xa, 9); return;
    case Op::F32x4Ceil: asm_.roundps(d, xa, 10); return;
    case Op::F32x4Trunc: asm_.roundps(d, xa, 11); return;
    case Op::F64x2Nearest: asm_.roundpd(d, xa, 8); return;
    case Op::F64x2Floor: asm_.roundpd(d, xa, 9); return;
    case Op::F64x2Ceil: asm_.roundpd(d, xa, 10); return;
    case Op::F64x2Trunc: asm_.roundpd(d, xa, 11); return;
    // pmin(a, b) = b < a ? b : a and pmax(a, b) = a < b ? b : a are minps and maxps with the
    // operands swapped (they give their second operand when the compare is false or unordered).
    case Op::F32x4Pmin: swapped(&Assembler::minps); return;
    case Op::F32x4Pmax: swapped(&Assembler::maxps); return;
    case Op::F64x2Pmin: swapped(&Assembler::minpd); return;
    case Op::F64x2Pmax: swapped(&Assembler::maxpd); return;
    case Op::F32x4Min: float_min(false); return;
    case Op::F64x2Min: float_min(true); return;
    case Op::F32x4Max: float_max(false); return;
    case Op::F64x2Max: float_max(true); return;
    // Narrowing with saturation (the inputs signed, as Wasm's narrow_u takes them too).
    case Op::I8x16NarrowI16x8S: binary(&Assembler::packsswb); return;
    case Op::I8x16NarrowI16x8U: binary(&Assembler::packuswb); return;
    case Op::I16x8NarrowI32x4S: binary(&Assembler::packssdw); return;
    case Op::I16x8NarrowI32x4U: binary(&Assembler::packusdw); return;
    // Widening: the low half directly, the high half moved down first.
    case Op::I16x8ExtendLowI8x16S: asm_.pmovsxbw(d, xa); return;
    case Op::I16x8ExtendLowI8x16U: asm_.pmovzxbw(d, xa); return;
    case Op::I32x4ExtendLowI16x8S: asm_.pmovsxwd(d, xa); return;
    case Op::I32x4ExtendLowI16x8U: asm_.pmovzxwd(d, xa); return;
    case Op::I64x2ExtendLowI32x4S: asm_.pmovsxdq(d, xa); return;
    case Op::I64x2ExtendLowI32x4U: asm_.pmovzxdq(d, xa); return;
    case Op::I16x8ExtendHighI8x16S: asm_.pshufd(d, xa, 0xee), asm_.pmovsxbw(d, d); return;
    case Op::I16x8ExtendHighI8x16U: asm_.pshufd(d, xa, 0xee), asm_.pmovzxbw(d, d); return;
    case Op::I32x4ExtendHighI16x8S: asm_.pshufd(d, xa, 0xee), asm_.pmovsxwd(d, d); return;
    case Op::I32x4ExtendHighI16x8U: asm_.pshufd(d, xa, 0xee), asm_.pmovzxwd(d, d); return;
    case Op::I64x2ExtendHighI32x4S: asm_.pshufd(d, xa, 0xee), asm_.pmovsxdq(d, d); return;
    case Op::I64x2ExtendHighI32x4U: asm_.pshufd(d, xa, 0xee), asm_.pmovzxdq(d, d); return;
    // Extended multiplies: both halves widened, then multiplied in the wide lanes.
    case Op::I16x8ExtmulLowI8x16S: extmul(&Assembler::pmovsxbw, &Assembler::pmullw, false); return;
    case Op::I16x8ExtmulHighI8x16S: extmul(&Assembler::pmovsxbw, &Assembler::pmullw, true); return;
    case Op::I16x8ExtmulLowI8x16U: extmul(&Assembler::pmovzxbw, &Assembler::pmullw, false); return;
    case Op::I16x8ExtmulHighI8x16U: extmul(&Assembler::pmovzxbw, &Assembler::pmullw, true); return;
    case Op::I32x4ExtmulLowI16x8S: extmul(&Assembler::pmovsxwd, &Assembler::pmulld, false); return;
    case Op::I32x4ExtmulHighI16x8S: extmul(&Assembler::pmovsxwd, &Assembler::pmulld, true); return;
    case Op::I32x4ExtmulLowI16x8U: extmul(&Assembler::pmovzxwd, &Assembler::pmulld, false); return;
    case Op::I32x4ExtmulHighI16x8U: extmul(&Assembler::pmovzxwd, &Assembler::pmulld, true); return;
    case Op::I64x2ExtmulLowI32x4U: extmul(&Assembler::pmovzxdq, &Assembler::pmuludq, false); return;
    case Op::I64x2ExtmulHighI32x4U: extmul(&Assembler::pmovzxdq, &Assembler::pmuludq, true); return;
    // Pairwise sums of i16 lanes: pmaddwd by ones; unsigned lanes first biased to signed
    // (x ^ 0x8000 = x - 32768), then 2 x 32768 added back.
    case Op::I32x4ExtaddPairwiseI16x8S:
      LoadConstV128(Reg{15, true}, 0x0001000100010001, 0x0001000100010001);
      asm_.pmaddwd(d, Xmm::xmm15);
      return;
    case Op::I32x4ExtaddPairwiseI16x8U:
      LoadConstV128(Reg{15, true}, 0x8000800080008000, 0x8000800080008000);
      asm_.pxor(d, Xmm::xmm15);
      LoadConstV128(Reg{15, true}, 0x0001000100010001, 0x0001000100010001);
      asm_.pmaddwd(d, Xmm::xmm15);
      LoadConstV128(Reg{15, true}, 0x0001000000010000, 0x0001000000010000);
      asm_.paddd(d, Xmm::xmm15);
      return;
    case Op::I32x4DotI16x8S: binary(&Assembler::pmaddwd); return;
    // pmulhrsw rounds as Wasm does; only -32768 * -32768 gives 0x8000 where Wasm saturates to
    // 0x7fff (no other product rounds to -32768): those lanes are flipped.
    case Op::I16x8Q15mulrSatS:
      binary(&Assembler::pmulhrsw);
      LoadConstV128(Reg{15, true}, 0x8000800080008000, 0x8000800080008000);
      asm_.pcmpeqw(Xmm::xmm15, d);
      asm_.pxor(d, Xmm::xmm15);
      return;
    case Op::I16x8Bitmask:  // words narrowed to bytes (signs kept), their sign bits, the low 8
      asm_.movaps(Xmm::xmm15, xa);
      asm_.packsswb(Xmm::xmm15, Xmm::xmm15);
      asm_.pmovmskb(G(dst), Xmm::xmm15);
      asm_.and_(W::k32, G(dst), 0xff);
      return;
    // Shuffles: pshufb zeroes a byte whose selector has bit 7 set.
    case Op::I8x16Shuffle: {
      uint64_t lo, hi;
      wasm::V128FromInstr(in, &lo, &hi);
      uint8_t sel[16];
      for (int k = 0; k < 16; ++k) sel[k] = static_cast<uint8_t>((k < 8 ? lo >> (8 * k) : hi >> (8 * (k - 8))) & 0xff);
      uint64_t from_a[2] = {0, 0}, from_b[2] = {0, 0};
      for (int k = 0; k < 16; ++k) {
        const uint64_t ka = sel[k] < 16 ? sel[k] : 0x80, kb = sel[k] >= 16 ? sel[k] - 16 : 0x80;
        from_a[k / 8] |= ka << (8 * (k % 8));
        from_b[k / 8] |= kb << (8 * (k % 8));
      }
      // (A side no lane takes is left out.)
      constexpr uint64_t kNone = 0x8080808080808080;
      const bool any_a = from_a[0] != kNone || from_a[1] != kNone;
      const bool any_b = from_b[0] != kNone || from_b[1] != kNone;
      if (!any_a) {
        LoadConstV128(Reg{15, true}, from_b[0], from_b[1]);
        asm_.movaps(d, xb);
        asm_.pshufb(d, Xmm::xmm15);
        return;
      }
      LoadConstV128(Reg{15, true}, from_a[0], from_a[1]);
      asm_.pshufb(d, Xmm::xmm15);
      if (!any_b) return;
      LoadConstV128(Reg{15, true}, from_b[0], from_b[1]);
      asm_.pshufb(xb, Xmm::xmm15);  // b is the compiler's to clobber: it is freed after this
      asm_.por(d, xb);
      return;
    }
    case Op::I8x16Swizzle:  // selectors 16 and up saturate to 0x80 and above: zero bytes
      LoadConstV128(Reg{15, true}, 0x7070707070707070, 0x7070707070707070);
      asm_.paddusb(xb, Xmm::xmm15);
      asm_.pshufb(d, xb);
      return;
    // Conversions.
    case Op::F32x4ConvertI32x4S: asm_.cvtdq2ps(d, xa); return;
    case Op::F64x2ConvertLowI32x4S: asm_.cvtdq2pd(d, xa); return;
    case Op::F32x4DemoteF64x2Zero: asm_.cvtpd2ps(d, xa); return;
    case Op::F64x2PromoteLowF32x4: asm_.cvtps2pd(d, xa); return;
    case Op::F32x4ConvertI32x4U:
      // The low 16 bits and the rest converted apart, both exactly (the rest halved, to stay
      // below 2^31, then doubled); their sum rounds once.
      asm_.pxor(Xmm::xmm15, Xmm::xmm15);
      asm_.pblendw(Xmm::xmm15, d, 0x55);  // the low words
      asm_.psubd(d, Xmm::xmm15);          // the high words
      asm_.cvtdq2ps(Xmm::xmm15, Xmm::xmm15);
      asm_.psrld(d, uint8_t{1});
      asm_.cvtdq2ps(d, d);
      asm_.addps(d, d);
      asm_.addps(d, Xmm::xmm15);
      return;
    case Op::I32x4TruncSatF32x4S:
      // NaN lanes to 0; cvttps2dq gives 0x80000000 for anything out of range, which is right
      // below it and is turned to 0x7fffffff where the input was positive.
      asm_.movaps(Xmm::xmm15, d);
      asm_.cmpps(Xmm::xmm15, Xmm::xmm15, 0);  // ordered lanes all ones
      asm_.pand(d, Xmm::xmm15);
      asm_.pxor(Xmm::xmm15, d);               // the sign bits of the (non-NaN) input
      asm_.cvttps2dq(d, d);
      asm_.pand(Xmm::xmm15, d);               // where positive and 0x80000000: bit 31 set
      asm_.psrad(Xmm::xmm15, uint8_t{31});
      asm_.pxor(d, Xmm::xmm15);
      return;
    // 64-bit lane products from 32-bit ones: lo*lo + ((hi_a*lo_b + lo_a*hi_b) << 32).
    case Op::I64x2Mul: mul64(d, xb); return;
    case Op::I64x2ExtmulLowI32x4S:  // sign-extended, then multiplied as 64-bit lanes
      asm_.pmovsxdq(d, xa);
      asm_.pmovsxdq(xb, xb);
      mul64(d, xb);
      return;
    case Op::I64x2ExtmulHighI32x4S:
      asm_.pshufd(d, xa, 0xee);
      asm_.pmovsxdq(d, d);
      asm_.pshufd(xb, xb, 0xee);
      asm_.pmovsxdq(xb, xb);
      mul64(d, xb);
      return;
    // Byte shifts, done on words: shl and shr_u mask off the bits that crossed into the
    // neighbouring byte (the mask's byte broadcast by pshufb with zero selectors); shr_s widens
    // each byte into a word's high byte, shifts by count + 8 and narrows back.
    case Op::I8x16Shl:
    case Op::I8x16ShrU: {
      const bool left = in.op == Op::I8x16Shl;
      const Xmm t = X(c);
      asm_.mov(W::k32, Gp::r11, G(b));
      asm_.and_(W::k32, Gp::r11, 7);
      asm_.movq(Xmm::xmm15, Gp::r11);
      LoadConstV128(c, 0x00ff00ff00ff00ff, 0x00ff00ff00ff00ff);
      if (left) {
        asm_.psllw(d, Xmm::xmm15);
        asm_.psllw(t, Xmm::xmm15);
      } else {
        asm_.psrlw(d, Xmm::xmm15);
        asm_.psrlw(t, Xmm::xmm15);
      }
      asm_.pxor(Xmm::xmm15, Xmm::xmm15);
      asm_.pshufb(t, Xmm::xmm15);
      asm_.pand(d, t);
      return;
    }
    case Op::I8x16ShrS: {
      const Xmm t = X(c);
      asm_.movaps(t, xa);
      asm_.punpckhbw(t, t);
      asm_.punpcklbw(d, d);
      asm_.mov(W::k32, Gp::r11, G(b));
      asm_.and_(W::k32, Gp::r11, 7);
      asm_.add(W::k32, Gp::r11, 8);
      asm_.movq(Xmm::xmm15, Gp::r11);
      asm_.psraw(d, Xmm::xmm15);
      asm_.psraw(t, Xmm::xmm15);
      asm_.packsswb(d, t);
      return;
    }
    case Op::I64x2ShrS: {  // (x >>u n ^ m) - m, m = the sign bit >>u n
      const Xmm t = X(c);
      asm_.mov(W::k32, Gp::r11, G(b));
      asm_.and_(W::k32, Gp::r11, 63);
      asm_.movq(Xmm::xmm15, Gp::r11);
      asm_.psrlq(d, Xmm::xmm15);
      LoadConstV128(c, 0x8000000000000000, 0x8000000000000000);
      asm_.psrlq(t, Xmm::xmm15);
      asm_.pxor(d, t);
      asm_.psubq(d, t);
      return;
    }
    case Op::I8x16Popcnt: {  // a 16-entry table of nibble counts, looked up by pshufb
      const Xmm t = X(c);
      constexpr uint64_t kCounts = 0x0302020102010100, kCountsHi = 0x0403030203020201;
      LoadConstV128(c, 0x0f0f0f0f0f0f0f0f, 0x0f0f0f0f0f0f0f0f);
      asm_.movaps(Xmm::xmm15, d);
      asm_.psrlw(Xmm::xmm15, uint8_t{4});
      asm_.pand(Xmm::xmm15, t);  // high nibbles
      asm_.pand(d, t);           // low nibbles
      LoadConstV128(c, kCounts, kCountsHi);
      asm_.pshufb(t, d);
      LoadConstV128(dst, kCounts, kCountsHi);
      asm_.pshufb(d, Xmm::xmm15);
      asm_.paddb(d, t);
      return;
    }
    // Signed 64-bit compares without SSE4.2's pcmpgtq: a > b where the high dwords say so, or
    // where they are equal and b - a is negative; the high dword's sign then fills the lane.
    case Op::I64x2GtS: gt64(xa, xb, false); return;
    case Op::I64x2LtS: gt64(xb, xa, false); return;
    case Op::I64x2LeS: gt64(xa, xb, true); return;
    case Op::I64x2GeS: gt64(xb, xa, true); return;
    case Op::I64x2Abs:  // (x ^ s) - s, s all ones where x is negative
      asm_.movaps(Xmm::xmm15, xa);
      asm_.psrad(Xmm::xmm15, uint8_t{31});
      asm_.pshufd(Xmm::xmm15, Xmm::xmm15, 0xf5);
      asm_.pxor(d, Xmm::xmm15);
      asm_.psubq(d, Xmm::xmm15);
      return;
    // u32 to f64 exactly: the lane as the low mantissa of 2^52 + u, less 2^52.
    case Op::F64x2ConvertLowI32x4U:
      LoadConstV128(Reg{15, true}, 0x4330000043300000, 0x4330000043300000);
      asm_.unpcklps(d, Xmm::xmm15);
      LoadConstV128(Reg{15, true}, 0x4330000000000000, 0x4330000000000000);
      asm_.subpd(d, Xmm::xmm15);
      return;
    case Op::I32x4TruncSatF32x4U: {
      // NaN and negative lanes to 0 (maxps gives its second operand on NaN); lanes of 2^31 and
      // more converted less 2^31 and added back to 0x80000000; 2^32 and more saturate.
      const Xmm t = X(c);
      asm_.pxor(Xmm::xmm15, Xmm::xmm15);
      asm_.maxps(d, Xmm::xmm15);
      asm_.pcmpeqd(Xmm::xmm15, Xmm::xmm15);
      asm_.psrld(Xmm::xmm15, uint8_t{1});
      asm_.cvtdq2ps(Xmm::xmm15, Xmm::xmm15);  // 2^31
      asm_.movaps(t, d);
      asm_.subps(t, Xmm::xmm15);
      asm_.cmpps(Xmm::xmm15, t, 2);  // 2^31 <= x - 2^31: past the range
      asm_.cvttps2dq(t, t);
      asm_.pxor(t, Xmm::xmm15);
      asm_.pxor(Xmm::xmm15, Xmm::xmm15);
      asm_.pmaxsd(t, Xmm::xmm15);
      asm_.cvttps2dq(d, d);
      asm_.paddd(d, t);
      return;
    }
    case Op::I32x4TruncSatF64x2SZero: {
      // NaN lanes to 0 and the rest clamped to 2^31 - 1 from above; cvttpd2dq gives 0x80000000
      // below the range, which is its saturation there, and zeroes the upper lanes.
      const Xmm t = X(c);
      asm_.movaps(Xmm::xmm15, d);
      asm_.cmppd(Xmm::xmm15, Xmm::xmm15, 0);  // ordered lanes all ones
      LoadConstV128(c, 0x41dfffffffc00000, 0x41dfffffffc00000);  // 2147483647.0
      asm_.pand(Xmm::xmm15, t);
      asm_.minpd(d, Xmm::xmm15);
      asm_.cvttpd2dq(d, d);
      return;
    }
    case Op::I32x4TruncSatF64x2UZero: {
      // Clamped to [0, 2^32 - 1] (NaN to 0), truncated, then the integer read out of the low
      // mantissa of 2^52 + x; the upper lanes zero.
      const Xmm t = X(c);
      asm_.pxor(Xmm::xmm15, Xmm::xmm15);
      asm_.maxpd(d, Xmm::xmm15);
      LoadConstV128(c, 0x41efffffffe00000, 0x41efffffffe00000);  // 4294967295.0
      asm_.minpd(d, t);
      asm_.roundpd(d, d, 11);
      LoadConstV128(c, 0x4330000000000000, 0x4330000000000000);  // 2^52
      asm_.addpd(d, t);
      asm_.shufps(d, Xmm::xmm15, 0x88);
      return;
    }
    // Pairwise sums of bytes: the even bytes and the odd ones, each widened in place.
    case Op::I16x8ExtaddPairwiseI8x16S:
    case Op::I16x8ExtaddPairwiseI8x16U: {
      const bool s = in.op == Op::I16x8ExtaddPairwiseI8x16S;
      asm_.movaps(Xmm::xmm15, xa);
      asm_.psllw(Xmm::xmm15, uint8_t{8});
      if (s) {
        asm_.psraw(Xmm::xmm15, uint8_t{8});
        asm_.psraw(d, uint8_t{8});
      } else {
        asm_.psrlw(Xmm::xmm15, uint8_t{8});
        asm_.psrlw(d, uint8_t{8});
      }
      asm_.paddw(d, Xmm::xmm15);
      return;
    }
    default:
      throw UnsupportedFeature(std::string("x64: SIMD ") + wasm::GetOpInfo(in.op).name);
  }
}

// ---- Stubs ------------------------------------------------------------------------------------

void MasmX64::JumpToExit() {
  asm_.movabs(Gp::r11, options_.exit_address);
  asm_.jmp(Gp::r11);
}

void MasmX64::Finish(std::vector<CodeNote>* notes) {
  const int32_t reason_off = static_cast<int32_t>(offsetof(ArenaHeader, exit_reason));
  for (auto& [kind, label] : stubs_) {
    if (!label->has_pending_uses()) continue;
    asm_.bind(*label);
    CodeNote note{.kind = CodeNote::kTrapStub,
                  .code_offset = static_cast<uint32_t>(asm_.offset()),
                  .wasm_offset = 0,
                  .trap = TrapKind::Unreachable,
                  .detail = {}};
    if (kind >= 0) {
      note.trap = static_cast<TrapKind>(kind);
      note.detail = wasm::TrapMessage(note.trap);
      asm_.mov(W::k32, Arena(layout_.trap_kind_offset), kind + 1);
      asm_.mov(W::k32, Mem(Gp::r15, reason_off), static_cast<int32_t>(ExitReason::kTrapped));
    } else if (kind == kExitCallStack) {
      note.detail = "call stack exhausted";
      asm_.mov(W::k32, Mem(Gp::r15, reason_off),
               static_cast<int32_t>(ExitReason::kCallStackExhausted));
    } else if (kind == kExitFuel) {
      note.detail = "fuel exhausted";
      asm_.mov(W::k32, Mem(Gp::r15, reason_off), static_cast<int32_t>(ExitReason::kFuelExhausted));
    } else {
      note.detail = "runtime call trapped";
    }
    notes->push_back(std::move(note));
    JumpToExit();
  }
  if (!pool_.empty()) {
    asm_.ud2();  // marks the end of the instructions: the constant pool follows
    while (asm_.offset() % 8) asm_.int3();
    for (auto& [bits, label] : pool_) {
      asm_.bind(*label);
      for (int i = 0; i < 8; ++i) asm_.code().push_back(static_cast<uint8_t>(bits >> (8 * i)));
    }
  }
}

}  // namespace tandem::jit::x64
