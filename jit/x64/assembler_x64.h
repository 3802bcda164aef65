// assembler_x64.h: tandem's own x86-64 encoder, the bottom layer of the x64 JIT back end.
// Mirrors DESIGN.md "Code, not helpers" and STYLE.md 5 (per-arch assembler) and 9 (hex tables).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace tandem::jit::x64 {

// General-purpose registers in hardware encoding order.
// clang-format off
enum class Gp : uint8_t {
  rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi,
  r8, r9, r10, r11, r12, r13, r14, r15,
};
// clang-format on

// SSE registers in hardware encoding order.
// clang-format off
enum class Xmm : uint8_t {
  xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7,
  xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14, xmm15,
};
// clang-format on

// Condition codes in x86 encoding order (the low nibble of Jcc/SETcc/CMOVcc).
enum class Cond : uint8_t { o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g };

// The opposite condition (x86 pairs them in the lowest bit).
constexpr Cond Negate(Cond c) { return static_cast<Cond>(static_cast<uint8_t>(c) ^ 1); }

// Operand width. Every method documents which widths it accepts; any other width is a bug in
// the caller and throws AssemblerError.
enum class W : uint8_t { k8, k16, k32, k64 };

// A memory operand [base + index * scale + disp]. `scale` is 1, 2, 4 or 8; `index` may not
// be rsp. rbp/r13 bases get an explicit zero displacement, rsp/r12 bases a SIB byte.
struct Mem {
  Gp base;
  std::optional<Gp> index;
  uint8_t scale = 1;
  int32_t disp = 0;

  Mem(Gp b, int32_t d = 0) : base(b), disp(d) {}  // NOLINT(google-explicit-constructor)
  Mem(Gp b, Gp i, uint8_t s, int32_t d = 0) : base(b), index(i), scale(s), disp(d) {}
};

// Thrown for operand combinations the encoder does not accept (always a caller bug).
class AssemblerError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// A code position. Jumps, calls and rip-relative leas to an unbound label leave a rel32 hole
// that bind() fills in. A label is bound at most once and must outlive its uses' binding.
class Label {
 public:
  Label() = default;
  Label(const Label&) = delete;  // a copy would lose patches
  Label& operator=(const Label&) = delete;
  Label(Label&&) = default;
  Label& operator=(Label&&) = default;

  bool bound() const { return pos_ != kUnbound; }
  // Offset in the code buffer; only valid once bound.
  size_t pos() const { return pos_; }
  // Whether some rel32 field still waits for bind().
  bool has_pending_uses() const { return !uses_.empty(); }

 private:
  friend class Assembler;
  static constexpr size_t kUnbound = static_cast<size_t>(-1);
  size_t pos_ = kUnbound;
  std::vector<size_t> uses_;  // offsets of rel32 fields to patch
};

// Appends x86-64 machine code to a byte buffer. Method names and operand order follow Intel
// syntax (destination first). Each method emits exactly one instruction (no hidden moves) and,
// if a form recorder is set, records the instruction form it used, e.g. "add r64, imm8"; the
// same ids name the rows of the hex table in jit/x64/tests/x64_table.inc.
class Assembler {
 public:
  std::vector<uint8_t>& code() { return code_; }
  const std::vector<uint8_t>& code() const { return code_; }
  size_t offset() const { return code_.size(); }
  // Overwrites 4 bytes at `at` (little-endian), e.g. a frame size emitted as an imm32.
  void patch_u32(size_t at, uint32_t v);
  // Every emitted form id is inserted into *s (nullptr: stop recording).
  void set_form_recorder(std::set<std::string>* s) {
    recorder_ = s;
    form_seen_.assign(form_seen_.size(), 0);
  }
  // Alternatively, collect the forms emitted since construction (or the last call) without a
  // recorder: start_form_collection(), then take_forms() returns them sorted and unique.
  void start_form_collection() { collecting_ = true; }
  std::vector<std::string> take_forms();

  // Binds `l` to the current offset and patches all earlier uses.
  void bind(Label& l);

  // --- Moves. mov r,r / r,m / m,r / m,imm: all widths. mov(W::k32, r, imm) is "mov r32, imm32"
  // (B8+r); mov(W::k64, r, imm) is the sign-extended "mov r64, imm32" (C7 /0).
  void mov(W w, Gp dst, Gp src);
  void mov(W w, Gp dst, int32_t imm);  // k32, k64
  void mov(W w, Gp dst, const Mem& src);
  void mov(W w, const Mem& dst, Gp src);
  void mov(W w, const Mem& dst, int32_t imm);  // k8/k16: low bits; k64: sign-extended
  void movabs(Gp dst, uint64_t imm);           // mov r64, imm64
  // Zero/sign extension from src_w (k8, k16) to w (k32, k64).
  void movzx(W w, Gp dst, W src_w, Gp src);
  void movzx(W w, Gp dst, W src_w, const Mem& src);
  void movsx(W w, Gp dst, W src_w, Gp src);
  void movsx(W w, Gp dst, W src_w, const Mem& src);
  void movsxd(Gp dst, Gp src);  // r64 <- r32
  void movsxd(Gp dst, const Mem& src);
  void lea(W w, Gp dst, const Mem& src);  // k32, k64
  void lea(Gp dst, Label& target);        // lea r64, [rip + rel32]
  void xchg(W w, Gp a, Gp b);             // k32, k64; 90+r form when one operand is rax

  // --- Integer ALU: add, or, and, sub, xor, cmp. r,r and r,m and m,r: all widths.
  // r,imm and m,imm: k32, k64 (imm8 short form when the immediate fits in int8, otherwise the
  // eax/rax short form for rax, otherwise imm32).
  void add(W w, Gp dst, Gp src);
  void add(W w, Gp dst, int32_t imm);
  void add(W w, Gp dst, const Mem& src);
  void add(W w, const Mem& dst, Gp src);
  void add(W w, const Mem& dst, int32_t imm);
  void or_(W w, Gp dst, Gp src);
  void or_(W w, Gp dst, int32_t imm);
  void or_(W w, Gp dst, const Mem& src);
  void or_(W w, const Mem& dst, Gp src);
  void or_(W w, const Mem& dst, int32_t imm);
  void and_(W w, Gp dst, Gp src);
  void and_(W w, Gp dst, int32_t imm);
  void and_(W w, Gp dst, const Mem& src);
  void and_(W w, const Mem& dst, Gp src);
  void and_(W w, const Mem& dst, int32_t imm);
  void sub(W w, Gp dst, Gp src);
  void sub(W w, Gp dst, int32_t imm);
  void sub(W w, Gp dst, const Mem& src);
  void sub(W w, const Mem& dst, Gp src);
  void sub(W w, const Mem& dst, int32_t imm);
  void xor_(W w, Gp dst, Gp src);
  void xor_(W w, Gp dst, int32_t imm);
  void xor_(W w, Gp dst, const Mem& src);
  void xor_(W w, const Mem& dst, Gp src);
  void xor_(W w, const Mem& dst, int32_t imm);
  void cmp(W w, Gp dst, Gp src);
  void cmp(W w, Gp dst, int32_t imm);
  void cmp(W w, Gp dst, const Mem& src);
  void cmp(W w, const Mem& dst, Gp src);
  void cmp(W w, const Mem& dst, int32_t imm);
  // test: r,r all widths; r,imm k32/k64 (imm32, eax/rax short form); m,r all widths.
  void test(W w, Gp a, Gp b);
  void test(W w, Gp a, int32_t imm);
  void test(W w, const Mem& a, Gp b);

  // --- Multiply, divide, unary (k32, k64).
  void imul(W w, Gp dst, Gp src);
  void imul(W w, Gp dst, const Mem& src);
  void imul(W w, Gp dst, Gp src, int32_t imm);  // imm8 form when it fits
  void neg(W w, Gp r);
  void not_(W w, Gp r);
  void div(W w, Gp r);   // rdx:rax / r, unsigned
  void idiv(W w, Gp r);  // rdx:rax / r, signed
  void cdq();            // sign-extend eax into edx
  void cqo();            // sign-extend rax into rdx

  // --- Shifts and rotates (k32, k64): by cl, or by an imm8 (the CPU masks the count to 5 or 6
  // bits; a count of 1 takes the shorter by-one form).
  void shl(W w, Gp r);
  void shl(W w, Gp r, uint8_t imm);
  void shr(W w, Gp r);
  void shr(W w, Gp r, uint8_t imm);
  void sar(W w, Gp r);
  void sar(W w, Gp r, uint8_t imm);
  void rol(W w, Gp r);
  void rol(W w, Gp r, uint8_t imm);
  void ror(W w, Gp r);
  void ror(W w, Gp r, uint8_t imm);

  // --- Bit counting (k32, k64). lzcnt needs ABM/LZCNT, tzcnt BMI1, popcnt POPCNT.
  void lzcnt(W w, Gp dst, Gp src);
  void tzcnt(W w, Gp dst, Gp src);
  void popcnt(W w, Gp dst, Gp src);
  void bsr(W w, Gp dst, Gp src);
  void bsf(W w, Gp dst, Gp src);

  // --- Flags consumers.
  void setcc(Cond c, Gp dst);                // writes the low byte of dst
  void cmovcc(Cond c, W w, Gp dst, Gp src);  // k32, k64

  // --- Control flow. Label forms always use rel32.
  void jmp(Label& target);
  void jmp(Gp target);
  void jmp(const Mem& target);
  void jcc(Cond c, Label& target);
  void call(Label& target);
  void call(Gp target);
  void call(const Mem& target);
  void ret();
  void push(Gp r);
  void pop(Gp r);
  void int3();
  void ud2();
  void nop();

  // --- SSE/SSE2/SSE4.1 scalar floating point.
  void movss(Xmm dst, Xmm src);
  void movss(Xmm dst, const Mem& src);
  void movss(const Mem& dst, Xmm src);
  void movsd(Xmm dst, Xmm src);
  void movsd(Xmm dst, const Mem& src);
  void movsd(const Mem& dst, Xmm src);
  void movd(Xmm dst, Gp src);  // 32 bits
  void movd(Gp dst, Xmm src);
  void movq(Xmm dst, Gp src);  // 64 bits
  void movq(Gp dst, Xmm src);
  void movaps(Xmm dst, Xmm src);
  void movapd(Xmm dst, Xmm src);
  void addss(Xmm dst, Xmm src);
  void addss(Xmm dst, const Mem& src);
  void addsd(Xmm dst, Xmm src);
  void addsd(Xmm dst, const Mem& src);
  void subss(Xmm dst, Xmm src);
  void subss(Xmm dst, const Mem& src);
  void subsd(Xmm dst, Xmm src);
  void subsd(Xmm dst, const Mem& src);
  void mulss(Xmm dst, Xmm src);
  void mulss(Xmm dst, const Mem& src);
  void mulsd(Xmm dst, Xmm src);
  void mulsd(Xmm dst, const Mem& src);
  void divss(Xmm dst, Xmm src);
  void divss(Xmm dst, const Mem& src);
  void divsd(Xmm dst, Xmm src);
  void divsd(Xmm dst, const Mem& src);
  void sqrtss(Xmm dst, Xmm src);
  void sqrtsd(Xmm dst, Xmm src);
  void minss(Xmm dst, Xmm src);
  void minsd(Xmm dst, Xmm src);
  void maxss(Xmm dst, Xmm src);
  void maxsd(Xmm dst, Xmm src);
  void ucomiss(Xmm a, Xmm b);
  void ucomiss(Xmm a, const Mem& b);
  void ucomisd(Xmm a, Xmm b);
  void ucomisd(Xmm a, const Mem& b);
  // Rounding mode imm8: 0 nearest-even, 1 down, 2 up, 3 toward zero (| 8 to suppress #P).
  void roundss(Xmm dst, Xmm src, uint8_t mode);
  void roundsd(Xmm dst, Xmm src, uint8_t mode);
  void cvtsi2ss(W w, Xmm dst, Gp src);  // k32, k64 source
  void cvtsi2sd(W w, Xmm dst, Gp src);
  void cvttss2si(W w, Gp dst, Xmm src);  // k32, k64 destination
  void cvttsd2si(W w, Gp dst, Xmm src);
  void cvtss2sd(Xmm dst, Xmm src);
  void cvtsd2ss(Xmm dst, Xmm src);
  // Packed bitwise ops (used on scalars for abs/neg/copysign); m128 operands must be aligned.
  void andps(Xmm dst, Xmm src);
  void andps(Xmm dst, const Mem& src);
  void andpd(Xmm dst, Xmm src);
  void andpd(Xmm dst, const Mem& src);
  void andnps(Xmm dst, Xmm src);
  void andnpd(Xmm dst, Xmm src);
  void orps(Xmm dst, Xmm src);
  void orpd(Xmm dst, Xmm src);
  void xorps(Xmm dst, Xmm src);
  void xorps(Xmm dst, const Mem& src);
  void xorpd(Xmm dst, Xmm src);
  void xorpd(Xmm dst, const Mem& src);

  // --- SSE2/SSSE3/SSE4.1 packed (128-bit SIMD), register-register unless noted. pcmpgtq needs
  // SSE4.2. Shift counts (imm8 or the low quadword of an xmm) above the lane width give zeros
  // (sign bits for psraw/psrad); pslldq/psrldq shift whole bytes.
  void movdqu(Xmm dst, const Mem& src);  // m128, no alignment needed
  void movdqu(const Mem& dst, Xmm src);
  void movdqa(Xmm dst, Xmm src);
  // Integer arithmetic (b/w/d/q: 8/16/32/64-bit lanes; s: signed saturation; us: unsigned).
  void paddb(Xmm dst, Xmm src);
  void paddw(Xmm dst, Xmm src);
  void paddd(Xmm dst, Xmm src);
  void paddq(Xmm dst, Xmm src);
  void psubb(Xmm dst, Xmm src);
  void psubw(Xmm dst, Xmm src);
  void psubd(Xmm dst, Xmm src);
  void psubq(Xmm dst, Xmm src);
  void paddsb(Xmm dst, Xmm src);
  void paddsw(Xmm dst, Xmm src);
  void paddusb(Xmm dst, Xmm src);
  void paddusw(Xmm dst, Xmm src);
  void psubsb(Xmm dst, Xmm src);
  void psubsw(Xmm dst, Xmm src);
  void psubusb(Xmm dst, Xmm src);
  void psubusw(Xmm dst, Xmm src);
  void pmullw(Xmm dst, Xmm src);
  void pmulld(Xmm dst, Xmm src);
  void pmuludq(Xmm dst, Xmm src);
  void pmaddwd(Xmm dst, Xmm src);
  void pmulhrsw(Xmm dst, Xmm src);
  void pavgb(Xmm dst, Xmm src);
  void pavgw(Xmm dst, Xmm src);
  void pabsb(Xmm dst, Xmm src);
  void pabsw(Xmm dst, Xmm src);
  void pabsd(Xmm dst, Xmm src);
  void pminsb(Xmm dst, Xmm src);
  void pminsw(Xmm dst, Xmm src);
  void pminsd(Xmm dst, Xmm src);
  void pminub(Xmm dst, Xmm src);
  void pminuw(Xmm dst, Xmm src);
  void pminud(Xmm dst, Xmm src);
  void pmaxsb(Xmm dst, Xmm src);
  void pmaxsw(Xmm dst, Xmm src);
  void pmaxsd(Xmm dst, Xmm src);
  void pmaxub(Xmm dst, Xmm src);
  void pmaxuw(Xmm dst, Xmm src);
  void pmaxud(Xmm dst, Xmm src);
  // Compares (all-ones lanes where true) and bitwise logic; ptest sets ZF/CF only.
  void pcmpeqb(Xmm dst, Xmm src);
  void pcmpeqw(Xmm dst, Xmm src);
  void pcmpeqd(Xmm dst, Xmm src);
  void pcmpeqq(Xmm dst, Xmm src);
  void pcmpgtb(Xmm dst, Xmm src);
  void pcmpgtw(Xmm dst, Xmm src);
  void pcmpgtd(Xmm dst, Xmm src);
  void pcmpgtq(Xmm dst, Xmm src);
  void pand(Xmm dst, Xmm src);
  void pandn(Xmm dst, Xmm src);  // dst = ~dst & src
  void por(Xmm dst, Xmm src);
  void pxor(Xmm dst, Xmm src);
  void ptest(Xmm a, Xmm b);
  // Shifts by the count in an xmm, or by an imm8.
  void psllw(Xmm dst, Xmm count);
  void pslld(Xmm dst, Xmm count);
  void psllq(Xmm dst, Xmm count);
  void psrlw(Xmm dst, Xmm count);
  void psrld(Xmm dst, Xmm count);
  void psrlq(Xmm dst, Xmm count);
  void psraw(Xmm dst, Xmm count);
  void psrad(Xmm dst, Xmm count);
  void psllw(Xmm dst, uint8_t count);
  void pslld(Xmm dst, uint8_t count);
  void psllq(Xmm dst, uint8_t count);
  void psrlw(Xmm dst, uint8_t count);
  void psrld(Xmm dst, uint8_t count);
  void psrlq(Xmm dst, uint8_t count);
  void psraw(Xmm dst, uint8_t count);
  void psrad(Xmm dst, uint8_t count);
  void pslldq(Xmm dst, uint8_t bytes);
  void psrldq(Xmm dst, uint8_t bytes);
  // Shuffles, interleaves and narrowing packs (imm8: the instruction's selector).
  void pshufb(Xmm dst, Xmm sel);
  void pshufd(Xmm dst, Xmm src, uint8_t imm);
  void pshuflw(Xmm dst, Xmm src, uint8_t imm);
  void pshufhw(Xmm dst, Xmm src, uint8_t imm);
  void palignr(Xmm dst, Xmm src, uint8_t bytes);
  void shufps(Xmm dst, Xmm src, uint8_t imm);
  void punpcklbw(Xmm dst, Xmm src);
  void punpcklwd(Xmm dst, Xmm src);
  void punpckldq(Xmm dst, Xmm src);
  void punpcklqdq(Xmm dst, Xmm src);
  void punpckhbw(Xmm dst, Xmm src);
  void punpckhwd(Xmm dst, Xmm src);
  void punpckhdq(Xmm dst, Xmm src);
  void punpckhqdq(Xmm dst, Xmm src);
  void packsswb(Xmm dst, Xmm src);
  void packssdw(Xmm dst, Xmm src);
  void packuswb(Xmm dst, Xmm src);
  void packusdw(Xmm dst, Xmm src);
  // Blends: pblendw by an imm8 word mask; the variable blends by the mask in xmm0 (implicit).
  void pblendw(Xmm dst, Xmm src, uint8_t mask);
  void pblendvb(Xmm dst, Xmm src);
  void blendvps(Xmm dst, Xmm src);
  void blendvpd(Xmm dst, Xmm src);
  // Lanes through general-purpose registers (r32 unless the name ends in q: r64). Extracts
  // zero-extend into the full register.
  void pinsrb(Xmm dst, Gp src, uint8_t lane);
  void pinsrw(Xmm dst, Gp src, uint8_t lane);
  void pinsrd(Xmm dst, Gp src, uint8_t lane);
  void pinsrq(Xmm dst, Gp src, uint8_t lane);
  void pextrb(Gp dst, Xmm src, uint8_t lane);
  void pextrw(Gp dst, Xmm src, uint8_t lane);
  void pextrd(Gp dst, Xmm src, uint8_t lane);
  void pextrq(Gp dst, Xmm src, uint8_t lane);
  void insertps(Xmm dst, Xmm src, uint8_t imm);  // imm8: source lane, dest lane, zero mask
  void extractps(Gp dst, Xmm src, uint8_t lane);
  void pmovmskb(Gp dst, Xmm src);  // one bit per lane's sign bit
  void movmskps(Gp dst, Xmm src);
  void movmskpd(Gp dst, Xmm src);
  // Widening moves from the low half (sx: sign-, zx: zero-extend).
  void pmovsxbw(Xmm dst, Xmm src);
  void pmovsxwd(Xmm dst, Xmm src);
  void pmovsxdq(Xmm dst, Xmm src);
  void pmovzxbw(Xmm dst, Xmm src);
  void pmovzxwd(Xmm dst, Xmm src);
  void pmovzxdq(Xmm dst, Xmm src);
  // Packed floating point (ps: 4 x f32, pd: 2 x f64).
  void addps(Xmm dst, Xmm src);
  void addpd(Xmm dst, Xmm src);
  void subps(Xmm dst, Xmm src);
  void subpd(Xmm dst, Xmm src);
  void mulps(Xmm dst, Xmm src);
  void mulpd(Xmm dst, Xmm src);
  void divps(Xmm dst, Xmm src);
  void divpd(Xmm dst, Xmm src);
  void sqrtps(Xmm dst, Xmm src);
  void sqrtpd(Xmm dst, Xmm src);
  void minps(Xmm dst, Xmm src);
  void minpd(Xmm dst, Xmm src);
  void maxps(Xmm dst, Xmm src);
  void maxpd(Xmm dst, Xmm src);
  // Predicate imm8 0..7: eq, lt, le, unord, neq, nlt, nle, ord.
  void cmpps(Xmm dst, Xmm src, uint8_t pred);
  void cmppd(Xmm dst, Xmm src, uint8_t pred);
  // Rounding mode imm8 as for roundss.
  void roundps(Xmm dst, Xmm src, uint8_t mode);
  void roundpd(Xmm dst, Xmm src, uint8_t mode);
  void cvtdq2ps(Xmm dst, Xmm src);
  void cvttps2dq(Xmm dst, Xmm src);
  void cvtdq2pd(Xmm dst, Xmm src);  // low two i32 lanes
  void cvtps2pd(Xmm dst, Xmm src);  // low two f32 lanes
  void cvtpd2ps(Xmm dst, Xmm src);  // upper two lanes zeroed
  void cvttpd2dq(Xmm dst, Xmm src);
  void unpcklps(Xmm dst, Xmm src);
  void unpcklpd(Xmm dst, Xmm src);

 private:
  enum class Alu : uint8_t { kAdd = 0, kOr = 1, kAnd = 4, kSub = 5, kXor = 6, kCmp = 7 };
  enum class Shift : uint8_t { kRol = 0, kRor = 1, kShl = 4, kShr = 5, kSar = 7 };

  // One encoded instruction: [prefix] [REX] opcode... ModRM [SIB] [disp].
  struct Op {
    uint8_t prefix = 0;  // 0x66, 0xF2, 0xF3 or 0 (mandatory/operand-size prefix)
    bool rex_w = false;
    bool byte_reg = false;  // reg field names a byte register (spl..dil need a REX)
    bool byte_rm = false;   // r/m field names a byte register
    uint8_t len = 1;        // opcode length, 1 to 3
    uint8_t opcode[3] = {};
  };
  static Op MakeOp(W w, uint8_t op8, uint8_t op, bool byte_reg_field);
  static Op MakeSse(uint8_t prefix, std::initializer_list<uint8_t> op, bool rex_w = false);

  void Emit8(uint8_t b) { code_.push_back(b); }
  void Emit16(uint16_t v);
  void Emit32(uint32_t v);
  void Emit64(uint64_t v);
  void EmitRR(const Op& op, uint8_t reg, uint8_t rm);
  void EmitRM(const Op& op, uint8_t reg, const Mem& m);
  void EmitRel32(Label& target);

  void AluRR(Alu a, const char* name, W w, Gp dst, Gp src);
  void AluRI(Alu a, const char* name, W w, Gp dst, int32_t imm);
  void AluRM(Alu a, const char* name, W w, Gp dst, const Mem& src);
  void AluMR(Alu a, const char* name, W w, const Mem& dst, Gp src);
  void AluMI(Alu a, const char* name, W w, const Mem& dst, int32_t imm);
  void ShiftCl(Shift s, const char* name, W w, Gp r);
  void ShiftImm(Shift s, const char* name, W w, Gp r, uint8_t imm);
  void Unary(uint8_t ext, const char* name, W w, Gp r);
  void BitCount(uint8_t prefix, uint8_t op, const char* name, W w, Gp dst, Gp src);
  void Extend(bool sign, const char* name, W w, Gp dst, W src_w, const Gp* src, const Mem* m);
  void SseRR(uint8_t prefix, uint8_t op, const char* form, Xmm dst, Xmm src);
  void SseRM(uint8_t prefix, uint8_t op, const char* form, Xmm dst, const Mem& src);
  void Sse38RR(uint8_t op, const char* form, Xmm dst, Xmm src);  // 66 0F 38 op
  void SseRRI(const Op& op, const char* form, Xmm dst, Xmm src, uint8_t imm);
  void SseShiftImm(uint8_t op, uint8_t ext, const char* form, Xmm dst, uint8_t count);
  void InsertLane(const Op& op, const char* form, const char* kind, Xmm dst, Gp src, uint8_t lane);
  void ExtractLane(const Op& op, const char* form, const char* kind, Gp dst, Xmm src, uint8_t lane);
  void MoveMask(uint8_t prefix, uint8_t op, const char* form, Gp dst, Xmm src);

  void Record(const char* mnemonic, const char* a = nullptr, const char* b = nullptr,
              const char* c = nullptr);

  std::vector<uint8_t> code_;
  std::set<std::string>* recorder_ = nullptr;
  std::vector<uint8_t> form_seen_;  // by interned form id: already in *recorder_ (see Record)
  bool collecting_ = false;
  void* form_table_ = nullptr;  // this thread's form table (assembler_x64.cc), once looked up
  std::vector<uint32_t> collected_;  // form ids, in first-emitted order
};

}  // namespace tandem::jit::x64
