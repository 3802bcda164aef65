// assembler_a64.h: tandem's own AArch64 (A64) encoder, the bottom layer of the a64 JIT back end.
// Mirrors DESIGN.md "Code, not helpers" and STYLE.md 5 (per-arch assembler) and 9 (hex tables).
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace tandem::jit::a64 {

// General-purpose registers. Encoding 31 means SP in some operand slots and XZR/WZR in others,
// so the two get distinct enumerators: `sp` and `zr` both encode as 31, and each method accepts
// only the one its slot allows (the comments say "SP" or "ZR" per slot; the other one throws).
// The x/w view is chosen by the width parameter, never by the register.
// clang-format off
enum class Reg : uint8_t {
  x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15,
  x16, x17, x18, x19, x20, x21, x22, x23, x24, x25, x26, x27, x28, x29, x30,
  sp = 31, zr = 32,
  fp = 29, lr = 30,
};
// clang-format on

// SIMD&FP registers; scalar instructions use their s (32-bit) or d (64-bit) view.
// clang-format off
enum class VReg : uint8_t {
  v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15,
  v16, v17, v18, v19, v20, v21, v22, v23, v24, v25, v26, v27, v28, v29, v30, v31,
};
// clang-format on

// AdvSIMD arrangements: the 128-bit (q) forms, then the 64-bit (d) ones. An element of a vector
// register (lane syntax v.b[i] ... v.d[i]) is named by its Lane.
enum class Arr : uint8_t { k16B, k8H, k4S, k2D, k8B, k4H, k2S };
enum class Lane : uint8_t { kB, kH, kS, kD };

// Condition codes in encoding order (`nv` is not offered: it behaves as `al`).
enum class Cond : uint8_t { eq, ne, hs, lo, mi, pl, vs, vc, hi, ls, ge, lt, gt, le, al };

// The opposite condition (A64 pairs them in the lowest bit); `al` has none and throws.
Cond Negate(Cond c);

// Integer operand width: the w (32-bit) or x (64-bit) view of the registers.
enum class W : uint8_t { k32, k64 };
// Scalar floating-point width: s (binary32) or d (binary64).
enum class FpW : uint8_t { kS, kD };

// Shift applied to the last register operand (ror only for logical instructions).
enum class Shift : uint8_t { lsl, lsr, asr, ror };
// Extension applied to the last register operand of add/sub (extended register). The source
// register is a w register for the b/h/w kinds and an x register for uxtx/sxtx.
enum class Extend : uint8_t { uxtb, uxth, uxtw, uxtx, sxtb, sxth, sxtw, sxtx };
// How a register offset of a load or store is extended: lsl (x index), uxtw/sxtw (w index),
// sxtx (x index).
enum class IndexExt : uint8_t { lsl, uxtw, sxtw, sxtx };

// A load/store address. The base slot is SP-type (sp allowed, zr not); the index slot is
// ZR-type.
//   Mem(base, off)            [base, #off]   (ldr/str: unsigned, scaled by the access size;
//                                             ldur/stur: -256..255; ldp/stp: imm7 * size)
//   Mem::PreIndex(base, off)  [base, #off]!  (ldr/str: -256..255; ldp/stp: imm7 * size)
//   Mem::PostIndex(base, off) [base], #off
//   Mem(base, index, ext, scaled) [base, index{, ext {#log2(size)}}]  (ldr/str only); with
//                                  `scaled` the index is shifted by log2 of the access size.
struct Mem {
  enum class Mode : uint8_t { kOffset, kPreIndex, kPostIndex, kRegister };
  Reg base;
  int32_t offset = 0;
  Mode mode = Mode::kOffset;
  Reg index = Reg::zr;
  IndexExt ext = IndexExt::lsl;
  bool scaled = false;

  explicit Mem(Reg b, int32_t off = 0) : base(b), offset(off) {}
  Mem(Reg b, Reg i, IndexExt e = IndexExt::lsl, bool s = false)
      : base(b), mode(Mode::kRegister), index(i), ext(e), scaled(s) {}
  static Mem PreIndex(Reg b, int32_t off) {
    Mem m(b, off);
    m.mode = Mode::kPreIndex;
    return m;
  }
  static Mem PostIndex(Reg b, int32_t off) {
    Mem m(b, off);
    m.mode = Mode::kPostIndex;
    return m;
  }
};

// Thrown for operand combinations the encoder does not accept, and for branch targets out of
// reach (always a caller bug).
class AssemblerError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// A code position. Branches and adr to an unbound label leave a zero immediate that bind()
// fills in; bind() throws AssemblerError if the distance does not fit the use's field.
// A label is bound at most once and must outlive its uses' binding.
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
  // Whether some branch still waits for bind().
  bool has_pending_uses() const { return !uses_.empty(); }

 private:
  friend class Assembler;
  enum class Field : uint8_t { kImm26, kImm19, kImm14, kAdr21 };
  static constexpr size_t kUnbound = static_cast<size_t>(-1);
  size_t pos_ = kUnbound;
  std::vector<std::pair<size_t, Field>> uses_;  // instruction offsets and their field kinds
};

// Appends A64 machine code (little-endian 32-bit words) to a byte buffer. Operand order follows
// the ARM syntax (destination first). Each method emits exactly one instruction, except
// MovImm64/MovImm32, which emit a short sequence of table-covered forms. If a form recorder is
// set, each instruction records its form id, e.g. "add x, x, #imm" or "ldr w, [x, #imm]"; the
// same ids name the rows of the hex table in jit/a64/tests/a64_table.inc.
class Assembler {
 public:
  std::vector<uint8_t>& code() { return code_; }
  const std::vector<uint8_t>& code() const { return code_; }
  size_t offset() const { return code_.size(); }
  // Reads / overwrites the instruction word at `at` (4-aligned, inside the buffer). To patch an
  // instruction with another one (e.g. a frame size in `sub sp, sp, #imm`), encode the new one
  // with a scratch Assembler and copy its word here.
  uint32_t read_u32(size_t at) const;
  void patch_u32(size_t at, uint32_t word);
  // Every emitted form id is inserted into *s (nullptr: stop recording).
  void set_form_recorder(std::set<std::string>* s) { recorder_ = s; }

  // Binds `l` to the current offset and patches all earlier uses.
  void bind(Label& l);

  // Bitmask ("logical") immediate encoding: true and *n_immr_imms = N:immr:imms (13 bits) if
  // `imm` is a replicated rotated run of ones in `w` bits. For k32, imm must fit in 32 bits.
  // 0 and all-ones are never encodable.
  static bool EncodeLogicalImm(W w, uint64_t imm, uint32_t* n_immr_imms);
  // Whether add/sub immediate can take `imm` (imm12, or imm12 << 12).
  static bool IsAddSubImm(uint64_t imm);

  // --- Moves. mov(r, r): d and n ZR-type (orr), unless one of them is sp: then "mov sp, x" /
  // "mov x, sp" (add #0), where neither may be zr.
  void mov(W w, Reg d, Reg n);
  // movz/movn/movk d(ZR), #imm16, lsl #shift (shift 0, 16; also 32, 48 for k64).
  void movz(W w, Reg d, uint16_t imm, uint8_t shift = 0);
  void movn(W w, Reg d, uint16_t imm, uint8_t shift = 0);
  void movk(W w, Reg d, uint16_t imm, uint8_t shift = 0);
  // Materialises a constant in d (ZR-type, not zr) with the shortest of: one orr with a bitmask
  // immediate, or movz/movn followed by movk for each remaining halfword.
  void MovImm64(Reg d, uint64_t imm);
  void MovImm32(Reg d, uint32_t imm);  // w view; upper 32 bits of x become 0

  // --- Add/sub. Immediate: d SP (ZR for adds/subs), n SP; imm 0..4095, shift 0 or 12.
  // Shifted register: all ZR; shift lsl/lsr/asr, amount < width.
  // Extended register: d SP (ZR for adds/subs), n SP, m ZR (w register unless uxtx/sxtx);
  // amount 0..4.
  void add(W w, Reg d, Reg n, uint32_t imm, uint8_t shift = 0);
  void add(W w, Reg d, Reg n, Reg m, Shift sh = Shift::lsl, uint8_t amount = 0);
  void add(W w, Reg d, Reg n, Reg m, Extend ext, uint8_t amount = 0);
  void adds(W w, Reg d, Reg n, uint32_t imm, uint8_t shift = 0);
  void adds(W w, Reg d, Reg n, Reg m, Shift sh = Shift::lsl, uint8_t amount = 0);
  void adds(W w, Reg d, Reg n, Reg m, Extend ext, uint8_t amount = 0);
  void sub(W w, Reg d, Reg n, uint32_t imm, uint8_t shift = 0);
  void sub(W w, Reg d, Reg n, Reg m, Shift sh = Shift::lsl, uint8_t amount = 0);
  void sub(W w, Reg d, Reg n, Reg m, Extend ext, uint8_t amount = 0);
  void subs(W w, Reg d, Reg n, uint32_t imm, uint8_t shift = 0);
  void subs(W w, Reg d, Reg n, Reg m, Shift sh = Shift::lsl, uint8_t amount = 0);
  void subs(W w, Reg d, Reg n, Reg m, Extend ext, uint8_t amount = 0);
  // cmp = subs zr, cmn = adds zr (operand slots as above).
  void cmp(W w, Reg n, uint32_t imm, uint8_t shift = 0);
  void cmp(W w, Reg n, Reg m, Shift sh = Shift::lsl, uint8_t amount = 0);
  void cmp(W w, Reg n, Reg m, Extend ext, uint8_t amount = 0);
  void cmn(W w, Reg n, uint32_t imm, uint8_t shift = 0);
  void cmn(W w, Reg n, Reg m, Shift sh = Shift::lsl, uint8_t amount = 0);
  void neg(W w, Reg d, Reg m);  // sub d, zr, m (all ZR)

  // --- Logical. Register: all ZR, any shift (ror included). Bitmask immediate: d SP (ZR for
  // ands/tst), n ZR; throws if EncodeLogicalImm rejects the immediate.
  void and_(W w, Reg d, Reg n, Reg m, Shift sh = Shift::lsl, uint8_t amount = 0);
  void and_(W w, Reg d, Reg n, uint64_t imm);
  void ands(W w, Reg d, Reg n, Reg m, Shift sh = Shift::lsl, uint8_t amount = 0);
  void ands(W w, Reg d, Reg n, uint64_t imm);
  void orr(W w, Reg d, Reg n, Reg m, Shift sh = Shift::lsl, uint8_t amount = 0);
  void orr(W w, Reg d, Reg n, uint64_t imm);
  void eor(W w, Reg d, Reg n, Reg m, Shift sh = Shift::lsl, uint8_t amount = 0);
  void eor(W w, Reg d, Reg n, uint64_t imm);
  void bic(W w, Reg d, Reg n, Reg m, Shift sh = Shift::lsl, uint8_t amount = 0);
  void orn(W w, Reg d, Reg n, Reg m, Shift sh = Shift::lsl, uint8_t amount = 0);
  void tst(W w, Reg n, Reg m, Shift sh = Shift::lsl, uint8_t amount = 0);
  void tst(W w, Reg n, uint64_t imm);
  void mvn(W w, Reg d, Reg m);  // orn d, zr, m

  // --- Multiply and divide (all ZR). sdiv/udiv by zero give 0 and INT_MIN / -1 gives INT_MIN:
  // neither traps.
  void mul(W w, Reg d, Reg n, Reg m);
  void madd(W w, Reg d, Reg n, Reg m, Reg a);  // d = a + n * m
  void msub(W w, Reg d, Reg n, Reg m, Reg a);  // d = a - n * m
  void sdiv(W w, Reg d, Reg n, Reg m);
  void udiv(W w, Reg d, Reg n, Reg m);

  // --- Shifts (all ZR). Register forms (lslv...) take the count modulo the width. Immediate
  // forms take 0..width-1 and are the ubfm/sbfm/extr aliases (lsl #0 encodes as lsr #0).
  void lsl(W w, Reg d, Reg n, Reg m);
  void lsr(W w, Reg d, Reg n, Reg m);
  void asr(W w, Reg d, Reg n, Reg m);
  void ror(W w, Reg d, Reg n, Reg m);
  void lsl(W w, Reg d, Reg n, uint8_t imm);
  void lsr(W w, Reg d, Reg n, uint8_t imm);
  void asr(W w, Reg d, Reg n, uint8_t imm);
  void ror(W w, Reg d, Reg n, uint8_t imm);

  // --- Bits and extensions (all ZR). sxtb/sxth sign-extend the low byte/half of w-register n
  // into the w or x view of d; sxtw is x <- w; uxtb/uxth write a w register (zero-extending
  // to 64 bits like every w write).
  void clz(W w, Reg d, Reg n);
  void rbit(W w, Reg d, Reg n);
  void sxtb(W w, Reg d, Reg n);
  void sxth(W w, Reg d, Reg n);
  void sxtw(Reg d, Reg n);
  void uxtb(Reg d, Reg n);
  void uxth(Reg d, Reg n);

  // --- Conditional select (all ZR). cset/csetm: d = cond ? 1 / -1 : 0 (cond may not be al).
  void csel(W w, Reg d, Reg n, Reg m, Cond c);
  void csinc(W w, Reg d, Reg n, Reg m, Cond c);
  void csinv(W w, Reg d, Reg n, Reg m, Cond c);
  void csneg(W w, Reg d, Reg n, Reg m, Cond c);
  void cset(W w, Reg d, Cond c);
  void csetm(W w, Reg d, Cond c);

  // --- Loads and stores. t is ZR-type. Mem modes as documented on Mem; immediate offsets out
  // of range or misaligned for the scaled form throw (use ldur/stur for -256..255).
  void ldr(W w, Reg t, const Mem& m);
  void str(W w, Reg t, const Mem& m);
  void ldrb(Reg t, const Mem& m);  // w view, zero-extended
  void ldrh(Reg t, const Mem& m);
  void strb(Reg t, const Mem& m);
  void strh(Reg t, const Mem& m);
  void ldrsb(W w, Reg t, const Mem& m);  // sign-extended into the w or x view
  void ldrsh(W w, Reg t, const Mem& m);
  void ldrsw(Reg t, const Mem& m);
  void ldr(FpW w, VReg t, const Mem& m);
  void str(FpW w, VReg t, const Mem& m);
  // Unscaled signed offset [base, #-256..255] only (Mode::kOffset).
  void ldur(W w, Reg t, const Mem& m);
  void stur(W w, Reg t, const Mem& m);
  void ldurb(Reg t, const Mem& m);
  void ldurh(Reg t, const Mem& m);
  void sturb(Reg t, const Mem& m);
  void sturh(Reg t, const Mem& m);
  void ldursb(W w, Reg t, const Mem& m);
  void ldursh(W w, Reg t, const Mem& m);
  void ldursw(Reg t, const Mem& m);
  void ldur(FpW w, VReg t, const Mem& m);
  void stur(FpW w, VReg t, const Mem& m);
  // Pairs: offset, pre- or post-index; offset a multiple of the size in [-64, 63] * size.
  void ldp(W w, Reg t1, Reg t2, const Mem& m);
  void stp(W w, Reg t1, Reg t2, const Mem& m);
  void ldp(FpW w, VReg t1, VReg t2, const Mem& m);
  void stp(FpW w, VReg t1, VReg t2, const Mem& m);

  // --- Control flow. Label ranges: b/bl +-128 MiB, b.cond/cbz/cbnz +-1 MiB, tbz/tbnz +-32 KiB,
  // adr +-1 MiB. Registers: br/blr/ret take an x register (not sp or zr); cbz/cbnz/tbz/tbnz
  // take a ZR-type register (tbz/tbnz bit 0..63: w view below 32, x view from 32).
  void b(Label& target);
  void bl(Label& target);
  void b(Cond c, Label& target);  // b.cond
  void cbz(W w, Reg t, Label& target);
  void cbnz(W w, Reg t, Label& target);
  void tbz(Reg t, uint8_t bit, Label& target);
  void tbnz(Reg t, uint8_t bit, Label& target);
  void adr(Reg d, Label& target);
  // d = (pc & ~0xfff) + pages * 4096, pages in [-2^20, 2^20). Not in the hex table (GNU as only
  // emits adrp with a relocation); checked against Capstone alone.
  void adrp(Reg d, int32_t pages);
  void br(Reg n);
  void blr(Reg n);
  void ret(Reg n = Reg::x30);
  void brk(uint16_t imm);
  void nop();

  // --- Scalar floating point.
  void fmov(FpW w, VReg d, VReg n);
  void fmov(W w, Reg d, VReg n);  // k32: fmov wd, sn; k64: fmov xd, dn (d ZR)
  void fmov(W w, VReg d, Reg n);  // k32: fmov sd, wn; k64: fmov dd, xn (n ZR)
  void fadd(FpW w, VReg d, VReg n, VReg m);
  void fsub(FpW w, VReg d, VReg n, VReg m);
  void fmul(FpW w, VReg d, VReg n, VReg m);
  void fdiv(FpW w, VReg d, VReg n, VReg m);
  // IEEE 754-2008 minimum/maximum with NaN propagation (-0 < +0); fminnm/fmaxnm prefer the
  // number over a quiet NaN.
  void fmin(FpW w, VReg d, VReg n, VReg m);
  void fmax(FpW w, VReg d, VReg n, VReg m);
  void fminnm(FpW w, VReg d, VReg n, VReg m);
  void fmaxnm(FpW w, VReg d, VReg n, VReg m);
  void fsqrt(FpW w, VReg d, VReg n);
  void fabs(FpW w, VReg d, VReg n);
  void fneg(FpW w, VReg d, VReg n);
  void frintn(FpW w, VReg d, VReg n);  // to nearest, ties to even
  void frintm(FpW w, VReg d, VReg n);  // toward -inf
  void frintp(FpW w, VReg d, VReg n);  // toward +inf
  void frintz(FpW w, VReg d, VReg n);  // toward zero
  void fcmp(FpW w, VReg n, VReg m);
  void fcmp(FpW w, VReg n);  // fcmp n, #0.0
  void fcsel(FpW w, VReg d, VReg n, VReg m, Cond c);
  // Float -> integer, round toward zero, saturating (NaN -> 0). d ZR-type, iw its view.
  void fcvtzs(W iw, Reg d, FpW fw, VReg n);
  void fcvtzu(W iw, Reg d, FpW fw, VReg n);
  // Integer -> float, current rounding mode (round to nearest even by default). n ZR-type.
  void scvtf(FpW fw, VReg d, W iw, Reg n);
  void ucvtf(FpW fw, VReg d, W iw, Reg n);
  // fcvt(kD, d, n): d.d <- n.s (promote); fcvt(kS, d, n): d.s <- n.d (demote).
  void fcvt(FpW dst_w, VReg d, VReg n);

  // --- The SIMD forms popcnt needs: cnt vd.8b, vn.8b; addv bd, vn.8b.
  void cnt_8b(VReg d, VReg n);
  void addv_8b(VReg d, VReg n);

  // --- AdvSIMD (128-bit SIMD). Each vector method throws for an arrangement A64 does not offer
  // (e.g. mul .2d, 1d anywhere); form ids name the arrangement ("add v.4s, v.4s, v.4s").
  // q-register loads/stores: every Mem mode, scaled by 16 (ldur/stur: -256..255).
  void ldr_q(VReg t, const Mem& m);
  void str_q(VReg t, const Mem& m);
  void ldur_q(VReg t, const Mem& m);
  void stur_q(VReg t, const Mem& m);
  // One lane from/to [n] (n SP-type); lane index below 16 / 8 / 4 / 2 for B / H / S / D.
  void ld1(VReg t, Lane l, uint8_t lane, Reg n);
  void st1(VReg t, Lane l, uint8_t lane, Reg n);
  void ld1r(Arr t, VReg v, Reg n);  // load one element and replicate it
  // b- and h-register loads/stores (one byte, two bytes; a load zeroes the rest of the vector
  // register): every Mem mode, scaled by the access size.
  void ldr_b(VReg t, const Mem& m);
  void ldr_h(VReg t, const Mem& m);
  void str_b(VReg t, const Mem& m);
  void str_h(VReg t, const Mem& m);

  // Moves. mov_v is orr d.16b, n.16b, n.16b. movi: 16B/8B any imm8; 8H/4H/4S/2S imm8 (lsl #0);
  // 2D a 64-bit value whose bytes are each 0x00 or 0xff. mvni (8H/4H/4S/2S): d = ~imm8.
  void mov_v(VReg d, VReg n);
  void movi(Arr t, VReg d, uint64_t imm);
  void mvni(Arr t, VReg d, uint8_t imm);
  // dup from a general register (ZR-type; x view for 2D, w otherwise) or from a lane of n.
  void dup(Arr t, VReg d, Reg n);
  void dup(Arr t, VReg d, VReg n, uint8_t lane);
  // ins d.l[lane], n (w view, x view for D); ins d.l[lane], n.l[lane2].
  void ins(Lane l, VReg d, uint8_t lane, Reg n);
  void ins(Lane l, VReg d, uint8_t lane, VReg n, uint8_t lane2);
  // umov: w destination for B/H/S lanes, x for D. smov: B/H into w or x, S into x only.
  void umov(Lane l, Reg d, VReg n, uint8_t lane);
  void smov(W w, Lane l, Reg d, VReg n, uint8_t lane);

  // Integer, element-wise (t the arrangement of all operands).
  void add(Arr t, VReg d, VReg n, VReg m);
  void sub(Arr t, VReg d, VReg n, VReg m);
  void mul(Arr t, VReg d, VReg n, VReg m);  // not 2D
  void sqadd(Arr t, VReg d, VReg n, VReg m);
  void uqadd(Arr t, VReg d, VReg n, VReg m);
  void sqsub(Arr t, VReg d, VReg n, VReg m);
  void uqsub(Arr t, VReg d, VReg n, VReg m);
  void smin(Arr t, VReg d, VReg n, VReg m);  // min/max/urhadd: not 2D
  void umin(Arr t, VReg d, VReg n, VReg m);
  void smax(Arr t, VReg d, VReg n, VReg m);
  void umax(Arr t, VReg d, VReg n, VReg m);
  void urhadd(Arr t, VReg d, VReg n, VReg m);
  void addp(Arr t, VReg d, VReg n, VReg m);
  void sqrdmulh(Arr t, VReg d, VReg n, VReg m);  // 8H/4S/4H/2S
  void cmeq(Arr t, VReg d, VReg n, VReg m);
  void cmgt(Arr t, VReg d, VReg n, VReg m);
  void cmge(Arr t, VReg d, VReg n, VReg m);
  void cmhi(Arr t, VReg d, VReg n, VReg m);
  void cmhs(Arr t, VReg d, VReg n, VReg m);
  void sshl(Arr t, VReg d, VReg n, VReg m);
  void ushl(Arr t, VReg d, VReg n, VReg m);
  void neg(Arr t, VReg d, VReg n);
  void abs(Arr t, VReg d, VReg n);
  // Compare with #0.
  void cmeq(Arr t, VReg d, VReg n);
  void cmge(Arr t, VReg d, VReg n);
  void cmgt(Arr t, VReg d, VReg n);
  void cmle(Arr t, VReg d, VReg n);
  void cmlt(Arr t, VReg d, VReg n);
  // Bitwise (16B or 8B). bsl: d = (d & n) | (~d & m); bit: insert n where m; bif: where ~m.
  void and_(Arr t, VReg d, VReg n, VReg m);
  void bic(Arr t, VReg d, VReg n, VReg m);
  void orr(Arr t, VReg d, VReg n, VReg m);
  void orn(Arr t, VReg d, VReg n, VReg m);
  void eor(Arr t, VReg d, VReg n, VReg m);
  void bsl(Arr t, VReg d, VReg n, VReg m);
  void bit(Arr t, VReg d, VReg n, VReg m);
  void bif(Arr t, VReg d, VReg n, VReg m);
  void not_(Arr t, VReg d, VReg n);
  void cnt(Arr t, VReg d, VReg n);  // 16B/8B
  // Across lanes into a scalar (b/h/s view of d): 16B, 8B, 8H, 4H, 4S.
  void addv(Arr t, VReg d, VReg n);
  void umaxv(Arr t, VReg d, VReg n);
  void uminv(Arr t, VReg d, VReg n);
  // Widening and narrowing: t is always the destination's arrangement. The "2" forms read
  // (widening) or write (narrowing) the upper half; their t is a 128-bit arrangement.
  void smull(Arr t, VReg d, VReg n, VReg m);  // t 8H/4S/2D
  void smull2(Arr t, VReg d, VReg n, VReg m);
  void umull(Arr t, VReg d, VReg n, VReg m);
  void umull2(Arr t, VReg d, VReg n, VReg m);
  void saddlp(Arr t, VReg d, VReg n);  // pairwise, t 8H/4S/2D (4H/2S: from a d register)
  void uaddlp(Arr t, VReg d, VReg n);
  void sxtl(Arr t, VReg d, VReg n);  // sshll #0, t 8H/4S/2D
  void sxtl2(Arr t, VReg d, VReg n);
  void uxtl(Arr t, VReg d, VReg n);  // ushll #0
  void uxtl2(Arr t, VReg d, VReg n);
  void xtn(Arr t, VReg d, VReg n);   // t 8B/4H/2S
  void xtn2(Arr t, VReg d, VReg n);  // t 16B/8H/4S
  void sqxtn(Arr t, VReg d, VReg n);
  void sqxtn2(Arr t, VReg d, VReg n);
  void sqxtun(Arr t, VReg d, VReg n);
  void sqxtun2(Arr t, VReg d, VReg n);
  void uqxtn(Arr t, VReg d, VReg n);
  void uqxtn2(Arr t, VReg d, VReg n);
  // Shifts by immediate: shl 0..esize-1, sshr/ushr 1..esize.
  void shl(Arr t, VReg d, VReg n, uint8_t shift);
  void sshr(Arr t, VReg d, VReg n, uint8_t shift);
  void ushr(Arr t, VReg d, VReg n, uint8_t shift);

  // Permutes. tbl: 16B/8B result from one table n or two n, n+1 (out-of-range index gives 0).
  // ext: bytes index..index+15 of n:m (index below 16, below 8 for 8B). rev64: 16B/8H/4S (and
  // their 64-bit forms).
  void tbl(Arr t, VReg d, VReg n, VReg m);
  void tbl2(Arr t, VReg d, VReg n, VReg m);
  void ext(Arr t, VReg d, VReg n, VReg m, uint8_t index);
  void zip1(Arr t, VReg d, VReg n, VReg m);
  void zip2(Arr t, VReg d, VReg n, VReg m);
  void uzp1(Arr t, VReg d, VReg n, VReg m);
  void uzp2(Arr t, VReg d, VReg n, VReg m);
  void trn1(Arr t, VReg d, VReg n, VReg m);
  void trn2(Arr t, VReg d, VReg n, VReg m);
  void rev64(Arr t, VReg d, VReg n);

  // Floating point, element-wise: 4S, 2D or 2S.
  void fadd(Arr t, VReg d, VReg n, VReg m);
  void fsub(Arr t, VReg d, VReg n, VReg m);
  void fmul(Arr t, VReg d, VReg n, VReg m);
  void fdiv(Arr t, VReg d, VReg n, VReg m);
  void fmin(Arr t, VReg d, VReg n, VReg m);
  void fmax(Arr t, VReg d, VReg n, VReg m);
  void fminnm(Arr t, VReg d, VReg n, VReg m);
  void fmaxnm(Arr t, VReg d, VReg n, VReg m);
  void fcmeq(Arr t, VReg d, VReg n, VReg m);
  void fcmgt(Arr t, VReg d, VReg n, VReg m);
  void fcmge(Arr t, VReg d, VReg n, VReg m);
  void fsqrt(Arr t, VReg d, VReg n);
  void fabs(Arr t, VReg d, VReg n);
  void fneg(Arr t, VReg d, VReg n);
  void frintn(Arr t, VReg d, VReg n);
  void frintm(Arr t, VReg d, VReg n);
  void frintp(Arr t, VReg d, VReg n);
  void frintz(Arr t, VReg d, VReg n);
  void scvtf(Arr t, VReg d, VReg n);
  void ucvtf(Arr t, VReg d, VReg n);
  void fcvtzs(Arr t, VReg d, VReg n);  // toward zero, saturating, NaN -> 0
  void fcvtzu(Arr t, VReg d, VReg n);
  void fcvtl(VReg d, VReg n);   // d.2d <- n.2s
  void fcvtl2(VReg d, VReg n);  // d.2d <- n.4s (upper half)
  void fcvtn(VReg d, VReg n);   // d.2s <- n.2d (upper half of d zeroed)
  void fcvtn2(VReg d, VReg n);  // d.4s upper half <- n.2d

 private:
  void Emit(uint32_t word);
  void EmitBranch(uint32_t word, Label& target, Label::Field field);
  static uint32_t PatchField(uint32_t word, Label::Field field, int64_t delta);

  void AddSubImm(uint32_t op, const char* name, W w, Reg d, Reg n, uint32_t imm, uint8_t shift,
                 bool flags);
  void AddSubShifted(uint32_t op, const char* name, W w, Reg d, Reg n, Reg m, Shift sh,
                     uint8_t amount);
  void AddSubExtended(uint32_t op, const char* name, W w, Reg d, Reg n, Reg m, Extend ext,
                      uint8_t amount, bool flags);
  void LogicalShifted(uint32_t op, const char* name, W w, Reg d, Reg n, Reg m, Shift sh,
                      uint8_t amount);
  void LogicalImm(uint32_t op, const char* name, W w, Reg d, Reg n, uint64_t imm, bool flags);
  void MoveWide(uint32_t opc, const char* name, W w, Reg d, uint16_t imm, uint8_t shift);
  void DataProc2(uint32_t op, const char* name, W w, Reg d, Reg n, Reg m);
  void Bitfield(uint32_t opc, W w, Reg d, Reg n, uint32_t immr, uint32_t imms);
  void CondSelect(uint32_t op, const char* name, W w, Reg d, Reg n, Reg m, Cond c);
  // size_log2: 0..3, or 4 for q (size bits 0, offsets scaled by 16); opc bits 23:22; `v` for
  // SIMD&FP registers. `t` is the register number.
  void LoadStore(uint32_t size_log2, uint32_t opc, bool v, const char* name, const char* treg,
                 uint32_t t, const Mem& m);
  void LoadStoreUnscaled(uint32_t size_log2, uint32_t opc, bool v, const char* name,
                         const char* treg, uint32_t t, const Mem& m);
  void LoadStorePair(uint32_t opc, bool v, bool load, const char* name, const char* treg,
                     uint32_t size, uint32_t t1, uint32_t t2, const Mem& m);
  void CompareBranch(uint32_t op, const char* name, W w, Reg t, Label& target);
  void TestBranch(uint32_t op, const char* name, Reg t, uint8_t bit, Label& target);
  void BranchReg(uint32_t op, const char* name, Reg n);
  void Fp1(uint32_t op, const char* name, FpW w, VReg d, VReg n);
  void Fp2(uint32_t op, const char* name, FpW w, VReg d, VReg n, VReg m);
  void FpInt(uint32_t op, const char* form, bool sf, FpW fw, uint32_t d, uint32_t n);

  // AdvSIMD groups; `op` holds the fixed bits, the helpers add Q, size and registers.
  void Simd3(uint32_t op, const char* name, Arr t, VReg d, VReg n, VReg m);
  void Simd2(uint32_t op, const char* name, Arr t, VReg d, VReg n, const char* tail = "");
  void SimdFp3(uint32_t op, const char* name, Arr t, VReg d, VReg n, VReg m);
  void SimdFp2(uint32_t op, const char* name, Arr t, VReg d, VReg n);
  void SimdLong(uint32_t op, const char* name, Arr t, bool upper, VReg d, VReg n, VReg m,
                bool three);
  void SimdNarrow(uint32_t op, const char* name, Arr t, bool upper, VReg d, VReg n);
  void SimdShift(uint32_t op, const char* name, Arr t, VReg d, VReg n, bool right, uint8_t shift);
  void SimdAcross(uint32_t op, const char* name, Arr t, VReg d, VReg n);
  void SimdLane(bool load, VReg t, Lane l, uint8_t lane, Reg n);

  void Record(std::string form);

  std::vector<uint8_t> code_;
  std::set<std::string>* recorder_ = nullptr;
};

}  // namespace tandem::jit::a64
