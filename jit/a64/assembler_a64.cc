// assembler_a64.cc: A64 instruction encoding (Arm ARM DDI 0487, C4 "A64 instruction set
// encoding"). Mirrors DESIGN.md "Code, not helpers"; the hex table in tests/a64_table.inc is the
// check.
#include "jit/a64/assembler_a64.h"

#include <algorithm>
#include <string>

namespace tandem::jit::a64 {
namespace {

void Require(bool ok, const char* what) {
  if (!ok) throw AssemblerError(std::string("a64 assembler: ") + what);
}

uint32_t Sf(W w) { return w == W::k64 ? 1u << 31 : 0; }
uint32_t Bits(W w) { return w == W::k64 ? 64 : 32; }
uint32_t Type(FpW w) { return (w == FpW::kD ? 1u : 0u) << 22; }
const char* R(W w) { return w == W::k64 ? "x" : "w"; }
const char* F(FpW w) { return w == FpW::kD ? "d" : "s"; }

// Register number for a slot where 31 means the zero register.
uint32_t Zr(Reg r) {
  Require(r != Reg::sp, "sp is not allowed in this operand (31 means zr here)");
  return r == Reg::zr ? 31 : static_cast<uint32_t>(r);
}

// Register number for a slot where 31 means the stack pointer.
uint32_t Sp(Reg r) {
  Require(r != Reg::zr, "zr is not allowed in this operand (31 means sp here)");
  return static_cast<uint32_t>(r);
}

// An x register proper (branch targets): neither sp nor zr.
uint32_t Xn(Reg r) {
  Require(r != Reg::sp && r != Reg::zr, "an x0..x30 register is required");
  return static_cast<uint32_t>(r);
}

uint32_t V(VReg r) { return static_cast<uint32_t>(r); }

uint32_t Q(Arr t) { return static_cast<uint32_t>(t) < 4 ? 1u << 30 : 0; }
bool IsQ(Arr t) { return static_cast<uint32_t>(t) < 4; }
// log2 of the element size in bytes (the `size` field).
uint32_t Size(Arr t) {
  uint32_t v = static_cast<uint32_t>(t);
  return v < 4 ? v : v - 4;
}
Arr MakeArr(uint32_t size, bool q) { return static_cast<Arr>(q ? size : size + 4); }
const char* A(Arr t) {
  static const char* const kNames[] = {"16b", "8h", "4s", "2d", "8b", "4h", "2s"};
  return kNames[static_cast<uint32_t>(t)];
}
const char* L(Lane l) {
  static const char* const kNames[] = {"b", "h", "s", "d"};
  return kNames[static_cast<uint32_t>(l)];
}
std::string Vt(Arr t) { return std::string("v.") + A(t); }

bool IsXExtend(Extend e) { return e == Extend::uxtx || e == Extend::sxtx; }

bool FitsSigned(int64_t v, int bits) {
  return v >= -(int64_t{1} << (bits - 1)) && v < (int64_t{1} << (bits - 1));
}

const char* MemForm(const Mem& m) {
  switch (m.mode) {
    case Mem::Mode::kOffset:
      return "[x, #imm]";
    case Mem::Mode::kPreIndex:
      return "[x, #imm]!";
    case Mem::Mode::kPostIndex:
      return "[x], #imm";
    case Mem::Mode::kRegister:
      switch (m.ext) {
        case IndexExt::lsl:
          return "[x, x, lsl]";
        case IndexExt::uxtw:
          return "[x, w, uxtw]";
        case IndexExt::sxtw:
          return "[x, w, sxtw]";
        case IndexExt::sxtx:
          return "[x, x, sxtx]";
      }
  }
  return "?";
}

}  // namespace

Cond Negate(Cond c) {
  Require(c != Cond::al, "al has no negation");
  return static_cast<Cond>(static_cast<uint8_t>(c) ^ 1);
}

// --- Buffer ---------------------------------------------------------------------------------

void Assembler::Emit(uint32_t word) {
  for (int i = 0; i < 4; ++i) code_.push_back(static_cast<uint8_t>(word >> (8 * i)));
}

uint32_t Assembler::read_u32(size_t at) const {
  Require(at % 4 == 0 && at + 4 <= code_.size(), "read_u32 out of range");
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(code_[at + i]) << (8 * i);
  return v;
}

void Assembler::patch_u32(size_t at, uint32_t word) {
  Require(at % 4 == 0 && at + 4 <= code_.size(), "patch_u32 out of range");
  for (int i = 0; i < 4; ++i) code_[at + i] = static_cast<uint8_t>(word >> (8 * i));
}

void Assembler::Record(std::string form) {
  if (recorder_ != nullptr) recorder_->insert(std::move(form));
}

// --- Labels ---------------------------------------------------------------------------------

uint32_t Assembler::PatchField(uint32_t word, Label::Field field, int64_t delta) {
  switch (field) {
    case Label::Field::kImm26:
      Require(delta % 4 == 0 && FitsSigned(delta / 4, 26), "b/bl target out of range (+-128MiB)");
      return (word & ~0x03FFFFFFu) | (static_cast<uint32_t>(delta / 4) & 0x03FFFFFF);
    case Label::Field::kImm19:
      Require(delta % 4 == 0 && FitsSigned(delta / 4, 19),
              "b.cond/cbz/cbnz target out of range (+-1MiB)");
      return (word & ~(0x7FFFFu << 5)) | ((static_cast<uint32_t>(delta / 4) & 0x7FFFF) << 5);
    case Label::Field::kImm14:
      Require(delta % 4 == 0 && FitsSigned(delta / 4, 14),
              "tbz/tbnz target out of range (+-32KiB)");
      return (word & ~(0x3FFFu << 5)) | ((static_cast<uint32_t>(delta / 4) & 0x3FFF) << 5);
    case Label::Field::kAdr21: {
      Require(FitsSigned(delta, 21), "adr target out of range (+-1MiB)");
      uint32_t imm = static_cast<uint32_t>(delta) & 0x1FFFFF;
      return (word & ~((3u << 29) | (0x7FFFFu << 5))) | ((imm & 3) << 29) | ((imm >> 2) << 5);
    }
  }
  return word;
}

void Assembler::bind(Label& l) {
  Require(!l.bound(), "label bound twice");
  l.pos_ = code_.size();
  for (const auto& [at, field] : l.uses_) {
    int64_t delta = static_cast<int64_t>(l.pos_) - static_cast<int64_t>(at);
    patch_u32(at, PatchField(read_u32(at), field, delta));
  }
  l.uses_.clear();
}

void Assembler::EmitBranch(uint32_t word, Label& target, Label::Field field) {
  size_t at = code_.size();
  if (target.bound()) {
    word = PatchField(word, field, static_cast<int64_t>(target.pos_) - static_cast<int64_t>(at));
  } else {
    target.uses_.emplace_back(at, field);
  }
  Emit(word);
}

// --- Immediates -----------------------------------------------------------------------------

bool Assembler::EncodeLogicalImm(W w, uint64_t imm, uint32_t* n_immr_imms) {
  if (w == W::k32) {
    if (imm >> 32 != 0) return false;
    imm |= imm << 32;
  }
  if (imm == 0 || imm == ~uint64_t{0}) return false;
  // The smallest element size whose replication gives imm.
  uint32_t size = 64;
  while (size > 2) {
    uint32_t half = size / 2;
    uint64_t mask = (uint64_t{1} << half) - 1;
    if ((imm & mask) != ((imm >> half) & mask)) break;
    size = half;
  }
  uint64_t mask = size == 64 ? ~uint64_t{0} : (uint64_t{1} << size) - 1;
  uint64_t elem = imm & mask;
  uint32_t ones = static_cast<uint32_t>(__builtin_popcountll(elem));
  uint64_t run = (uint64_t{1} << ones) - 1;  // ones < size <= 64
  // elem = ROR(run, immr) within `size` bits; find immr by rotating elem left.
  for (uint32_t r = 0; r < size; ++r) {
    uint64_t rotl = r == 0 ? elem : (((elem << r) | (elem >> (size - r))) & mask);
    if (rotl == run) {
      uint32_t n = size == 64 ? 1 : 0;
      uint32_t imms = ((~(2 * size - 1)) & 0x3F) | (ones - 1);
      *n_immr_imms = (n << 12) | (r << 6) | imms;
      return true;
    }
  }
  return false;
}

bool Assembler::IsAddSubImm(uint64_t imm) {
  return imm < 4096 || ((imm & 0xFFF) == 0 && (imm >> 12) < 4096);
}

// --- Moves ----------------------------------------------------------------------------------

void Assembler::mov(W w, Reg d, Reg n) {
  if (d == Reg::sp || n == Reg::sp) {
    Emit(Sf(w) | 0x11000000 | (Sp(n) << 5) | Sp(d));
    std::string r = R(w);
    Record(std::string("mov ") + (d == Reg::sp ? "sp" : r) + ", " + (n == Reg::sp ? "sp" : r));
    return;
  }
  Emit(Sf(w) | 0x2A0003E0 | (Zr(n) << 16) | Zr(d));
  Record(std::string("mov ") + R(w) + ", " + R(w));
}

void Assembler::MoveWide(uint32_t opc, const char* name, W w, Reg d, uint16_t imm, uint8_t shift) {
  Require(shift % 16 == 0 && shift < Bits(w), "move-wide shift must be 0, 16 (32, 48 for x)");
  Emit(Sf(w) | 0x12800000 | (opc << 29) | (static_cast<uint32_t>(shift / 16) << 21) |
       (static_cast<uint32_t>(imm) << 5) | Zr(d));
  Record(std::string(name) + " " + R(w) + ", #imm");
}

void Assembler::movz(W w, Reg d, uint16_t imm, uint8_t shift) {
  MoveWide(2, "movz", w, d, imm, shift);
}
void Assembler::movn(W w, Reg d, uint16_t imm, uint8_t shift) {
  MoveWide(0, "movn", w, d, imm, shift);
}
void Assembler::movk(W w, Reg d, uint16_t imm, uint8_t shift) {
  MoveWide(3, "movk", w, d, imm, shift);
}

void Assembler::MovImm64(Reg d, uint64_t imm) {
  Zr(d);
  Require(d != Reg::zr, "MovImm64 into zr");
  int zeros = 0;
  int ones = 0;
  for (int i = 0; i < 4; ++i) {
    uint16_t h = static_cast<uint16_t>(imm >> (16 * i));
    zeros += h == 0;
    ones += h == 0xFFFF;
  }
  uint32_t bitmask;
  if (std::max(zeros, ones) < 3 && EncodeLogicalImm(W::k64, imm, &bitmask)) {
    orr(W::k64, d, Reg::zr, imm);
    return;
  }
  bool inverted = ones > zeros;
  uint16_t skip = inverted ? 0xFFFF : 0;
  bool first = true;
  for (int i = 0; i < 4; ++i) {
    uint16_t h = static_cast<uint16_t>(imm >> (16 * i));
    if (h == skip) continue;
    uint8_t shift = static_cast<uint8_t>(16 * i);
    if (first) {
      if (inverted) {
        movn(W::k64, d, static_cast<uint16_t>(~h), shift);
      } else {
        movz(W::k64, d, h, shift);
      }
      first = false;
    } else {
      movk(W::k64, d, h, shift);
    }
  }
  if (first) {  // all halfwords were `skip`: 0 or ~0
    if (inverted) {
      movn(W::k64, d, 0);
    } else {
      movz(W::k64, d, 0);
    }
  }
}

void Assembler::MovImm32(Reg d, uint32_t imm) {
  Zr(d);
  Require(d != Reg::zr, "MovImm32 into zr");
  uint16_t lo = static_cast<uint16_t>(imm);
  uint16_t hi = static_cast<uint16_t>(imm >> 16);
  uint32_t bitmask;
  if (hi == 0) {
    movz(W::k32, d, lo);
  } else if (lo == 0) {
    movz(W::k32, d, hi, 16);
  } else if (hi == 0xFFFF) {
    movn(W::k32, d, static_cast<uint16_t>(~lo));
  } else if (lo == 0xFFFF) {
    movn(W::k32, d, static_cast<uint16_t>(~hi), 16);
  } else if (EncodeLogicalImm(W::k32, imm, &bitmask)) {
    orr(W::k32, d, Reg::zr, imm);
  } else {
    movz(W::k32, d, lo);
    movk(W::k32, d, hi, 16);
  }
}

// --- Add/sub --------------------------------------------------------------------------------

void Assembler::AddSubImm(uint32_t op, const char* name, W w, Reg d, Reg n, uint32_t imm,
                          uint8_t shift, bool flags) {
  Require(imm < 4096, "add/sub immediate must be 0..4095");
  Require(shift == 0 || shift == 12, "add/sub immediate shift must be 0 or 12");
  uint32_t rd = flags ? Zr(d) : Sp(d);
  Emit(Sf(w) | op | 0x11000000 | ((shift == 12 ? 1u : 0u) << 22) | (imm << 10) | (Sp(n) << 5) | rd);
  std::string form = std::string(name) + " ";
  if (!(flags && d == Reg::zr)) form += std::string(R(w)) + ", ";
  form += std::string(R(w)) + ", #imm";
  if (shift == 12) form += ", lsl #12";
  Record(form);
}

void Assembler::AddSubShifted(uint32_t op, const char* name, W w, Reg d, Reg n, Reg m, Shift sh,
                              uint8_t amount) {
  Require(sh != Shift::ror, "add/sub cannot rotate");
  Require(amount < Bits(w), "shift amount must be below the width");
  Emit(Sf(w) | op | 0x0B000000 | (static_cast<uint32_t>(sh) << 22) | (Zr(m) << 16) |
       (static_cast<uint32_t>(amount) << 10) | (Zr(n) << 5) | Zr(d));
  std::string form = std::string(name) + " " + R(w) + ", " + R(w);
  bool two_operands =
      std::string(name) == "neg" || std::string(name) == "cmp" || std::string(name) == "cmn";
  if (!two_operands) form += std::string(", ") + R(w);
  if (sh != Shift::lsl || amount != 0) form += ", shift #imm";
  Record(form);
}

void Assembler::AddSubExtended(uint32_t op, const char* name, W w, Reg d, Reg n, Reg m, Extend ext,
                               uint8_t amount, bool flags) {
  Require(amount <= 4, "extend amount must be 0..4");
  Require(w == W::k64 || !IsXExtend(ext), "uxtx/sxtx need a 64-bit operation");
  uint32_t rd = flags ? Zr(d) : Sp(d);
  Emit(Sf(w) | op | 0x0B200000 | (Zr(m) << 16) | (static_cast<uint32_t>(ext) << 13) |
       (static_cast<uint32_t>(amount) << 10) | (Sp(n) << 5) | rd);
  std::string form = std::string(name) + " ";
  if (!(flags && d == Reg::zr)) form += std::string(R(w)) + ", ";
  form += std::string(R(w)) + ", " + (IsXExtend(ext) ? "x" : "w") + ", ext";
  Record(form);
}

// op bits: 30 = sub, 29 = set flags.
constexpr uint32_t kAdd = 0;
constexpr uint32_t kAdds = 1u << 29;
constexpr uint32_t kSub = 1u << 30;
constexpr uint32_t kSubs = 3u << 29;

void Assembler::add(W w, Reg d, Reg n, uint32_t imm, uint8_t shift) {
  AddSubImm(kAdd, "add", w, d, n, imm, shift, false);
}
void Assembler::add(W w, Reg d, Reg n, Reg m, Shift sh, uint8_t amount) {
  AddSubShifted(kAdd, "add", w, d, n, m, sh, amount);
}
void Assembler::add(W w, Reg d, Reg n, Reg m, Extend ext, uint8_t amount) {
  AddSubExtended(kAdd, "add", w, d, n, m, ext, amount, false);
}
void Assembler::adds(W w, Reg d, Reg n, uint32_t imm, uint8_t shift) {
  Require(d != Reg::zr, "adds to zr is cmn");
  AddSubImm(kAdds, "adds", w, d, n, imm, shift, true);
}
void Assembler::adds(W w, Reg d, Reg n, Reg m, Shift sh, uint8_t amount) {
  Require(d != Reg::zr, "adds to zr is cmn");
  AddSubShifted(kAdds, "adds", w, d, n, m, sh, amount);
}
void Assembler::adds(W w, Reg d, Reg n, Reg m, Extend ext, uint8_t amount) {
  Require(d != Reg::zr, "adds to zr is cmn");
  AddSubExtended(kAdds, "adds", w, d, n, m, ext, amount, true);
}
void Assembler::sub(W w, Reg d, Reg n, uint32_t imm, uint8_t shift) {
  AddSubImm(kSub, "sub", w, d, n, imm, shift, false);
}
void Assembler::sub(W w, Reg d, Reg n, Reg m, Shift sh, uint8_t amount) {
  Require(n != Reg::zr, "sub from zr is neg");
  AddSubShifted(kSub, "sub", w, d, n, m, sh, amount);
}
void Assembler::sub(W w, Reg d, Reg n, Reg m, Extend ext, uint8_t amount) {
  AddSubExtended(kSub, "sub", w, d, n, m, ext, amount, false);
}
void Assembler::subs(W w, Reg d, Reg n, uint32_t imm, uint8_t shift) {
  Require(d != Reg::zr, "subs to zr is cmp");
  AddSubImm(kSubs, "subs", w, d, n, imm, shift, true);
}
void Assembler::subs(W w, Reg d, Reg n, Reg m, Shift sh, uint8_t amount) {
  Require(d != Reg::zr, "subs to zr is cmp");
  Require(n != Reg::zr, "subs from zr is negs");
  AddSubShifted(kSubs, "subs", w, d, n, m, sh, amount);
}
void Assembler::subs(W w, Reg d, Reg n, Reg m, Extend ext, uint8_t amount) {
  Require(d != Reg::zr, "subs to zr is cmp");
  AddSubExtended(kSubs, "subs", w, d, n, m, ext, amount, true);
}
void Assembler::cmp(W w, Reg n, uint32_t imm, uint8_t shift) {
  AddSubImm(kSubs, "cmp", w, Reg::zr, n, imm, shift, true);
}
void Assembler::cmp(W w, Reg n, Reg m, Shift sh, uint8_t amount) {
  Require(n != Reg::zr, "cmp of zr is a negs");
  Zr(n);
  AddSubShifted(kSubs, "cmp", w, Reg::zr, n, m, sh, amount);
}
void Assembler::cmp(W w, Reg n, Reg m, Extend ext, uint8_t amount) {
  AddSubExtended(kSubs, "cmp", w, Reg::zr, n, m, ext, amount, true);
}
void Assembler::cmn(W w, Reg n, uint32_t imm, uint8_t shift) {
  AddSubImm(kAdds, "cmn", w, Reg::zr, n, imm, shift, true);
}
void Assembler::cmn(W w, Reg n, Reg m, Shift sh, uint8_t amount) {
  AddSubShifted(kAdds, "cmn", w, Reg::zr, n, m, sh, amount);
}
void Assembler::neg(W w, Reg d, Reg m) {
  AddSubShifted(kSub, "neg", w, d, Reg::zr, m, Shift::lsl, 0);
}

// --- Logical --------------------------------------------------------------------------------

// opc at bits 30:29 (and, orr, eor, ands), N at bit 21 (bic, orn).
constexpr uint32_t kAnd = 0;
constexpr uint32_t kOrr = 1u << 29;
constexpr uint32_t kEor = 2u << 29;
constexpr uint32_t kAnds = 3u << 29;
constexpr uint32_t kNot = 1u << 21;

void Assembler::LogicalShifted(uint32_t op, const char* name, W w, Reg d, Reg n, Reg m, Shift sh,
                               uint8_t amount) {
  Require(amount < Bits(w), "shift amount must be below the width");
  Emit(Sf(w) | op | 0x0A000000 | (static_cast<uint32_t>(sh) << 22) | (Zr(m) << 16) |
       (static_cast<uint32_t>(amount) << 10) | (Zr(n) << 5) | Zr(d));
  std::string form = std::string(name) + " " + R(w);
  if (std::string(name) != "tst" && std::string(name) != "mvn") form += std::string(", ") + R(w);
  form += std::string(", ") + R(w);
  if (sh != Shift::lsl || amount != 0) form += ", shift #imm";
  Record(form);
}

void Assembler::LogicalImm(uint32_t op, const char* name, W w, Reg d, Reg n, uint64_t imm,
                           bool flags) {
  uint32_t nrs = 0;
  Require(EncodeLogicalImm(w, imm, &nrs), "immediate is not a bitmask immediate");
  uint32_t rd = flags ? Zr(d) : Sp(d);
  Emit(Sf(w) | op | 0x12000000 | (nrs << 10) | (Zr(n) << 5) | rd);
  std::string form = std::string(name) + " ";
  if (std::string(name) != "tst") form += std::string(R(w)) + ", ";
  Record(form + R(w) + ", #bimm");
}

void Assembler::and_(W w, Reg d, Reg n, Reg m, Shift sh, uint8_t amount) {
  LogicalShifted(kAnd, "and", w, d, n, m, sh, amount);
}
void Assembler::and_(W w, Reg d, Reg n, uint64_t imm) {
  LogicalImm(kAnd, "and", w, d, n, imm, false);
}
void Assembler::ands(W w, Reg d, Reg n, Reg m, Shift sh, uint8_t amount) {
  Require(d != Reg::zr, "ands to zr is tst");
  LogicalShifted(kAnds, "ands", w, d, n, m, sh, amount);
}
void Assembler::ands(W w, Reg d, Reg n, uint64_t imm) {
  Require(d != Reg::zr, "ands to zr is tst");
  LogicalImm(kAnds, "ands", w, d, n, imm, true);
}
void Assembler::orr(W w, Reg d, Reg n, Reg m, Shift sh, uint8_t amount) {
  Require(!(n == Reg::zr && sh == Shift::lsl && amount == 0), "orr d, zr, m is mov");
  LogicalShifted(kOrr, "orr", w, d, n, m, sh, amount);
}
void Assembler::orr(W w, Reg d, Reg n, uint64_t imm) {
  LogicalImm(kOrr, "orr", w, d, n, imm, false);
}
void Assembler::eor(W w, Reg d, Reg n, Reg m, Shift sh, uint8_t amount) {
  LogicalShifted(kEor, "eor", w, d, n, m, sh, amount);
}
void Assembler::eor(W w, Reg d, Reg n, uint64_t imm) {
  LogicalImm(kEor, "eor", w, d, n, imm, false);
}
void Assembler::bic(W w, Reg d, Reg n, Reg m, Shift sh, uint8_t amount) {
  LogicalShifted(kAnd | kNot, "bic", w, d, n, m, sh, amount);
}
void Assembler::orn(W w, Reg d, Reg n, Reg m, Shift sh, uint8_t amount) {
  Require(n != Reg::zr, "orn d, zr, m is mvn");
  LogicalShifted(kOrr | kNot, "orn", w, d, n, m, sh, amount);
}
void Assembler::tst(W w, Reg n, Reg m, Shift sh, uint8_t amount) {
  LogicalShifted(kAnds, "tst", w, Reg::zr, n, m, sh, amount);
}
void Assembler::tst(W w, Reg n, uint64_t imm) {
  LogicalImm(kAnds, "tst", w, Reg::zr, n, imm, true);
}
void Assembler::mvn(W w, Reg d, Reg m) {
  LogicalShifted(kOrr | kNot, "mvn", w, d, Reg::zr, m, Shift::lsl, 0);
}

// --- Multiply, divide, shifts, bits ---------------------------------------------------------

void Assembler::mul(W w, Reg d, Reg n, Reg m) {
  Emit(Sf(w) | 0x1B007C00 | (Zr(m) << 16) | (Zr(n) << 5) | Zr(d));
  Record(std::string("mul ") + R(w) + ", " + R(w) + ", " + R(w));
}

void Assembler::madd(W w, Reg d, Reg n, Reg m, Reg a) {
  Require(a != Reg::zr, "madd with zr addend is mul");
  Emit(Sf(w) | 0x1B000000 | (Zr(m) << 16) | (Zr(a) << 10) | (Zr(n) << 5) | Zr(d));
  Record(std::string("madd ") + R(w) + ", " + R(w) + ", " + R(w) + ", " + R(w));
}

void Assembler::msub(W w, Reg d, Reg n, Reg m, Reg a) {
  Require(a != Reg::zr, "msub with zr minuend is mneg");
  Emit(Sf(w) | 0x1B008000 | (Zr(m) << 16) | (Zr(a) << 10) | (Zr(n) << 5) | Zr(d));
  Record(std::string("msub ") + R(w) + ", " + R(w) + ", " + R(w) + ", " + R(w));
}

void Assembler::DataProc2(uint32_t op, const char* name, W w, Reg d, Reg n, Reg m) {
  Emit(Sf(w) | 0x1AC00000 | op | (Zr(m) << 16) | (Zr(n) << 5) | Zr(d));
  Record(std::string(name) + " " + R(w) + ", " + R(w) + ", " + R(w));
}

void Assembler::sdiv(W w, Reg d, Reg n, Reg m) { DataProc2(0x0C00, "sdiv", w, d, n, m); }
void Assembler::udiv(W w, Reg d, Reg n, Reg m) { DataProc2(0x0800, "udiv", w, d, n, m); }
void Assembler::lsl(W w, Reg d, Reg n, Reg m) { DataProc2(0x2000, "lsl", w, d, n, m); }
void Assembler::lsr(W w, Reg d, Reg n, Reg m) { DataProc2(0x2400, "lsr", w, d, n, m); }
void Assembler::asr(W w, Reg d, Reg n, Reg m) { DataProc2(0x2800, "asr", w, d, n, m); }
void Assembler::ror(W w, Reg d, Reg n, Reg m) { DataProc2(0x2C00, "ror", w, d, n, m); }

// opc: 0 sbfm, 2 ubfm. N equals sf.
void Assembler::Bitfield(uint32_t opc, W w, Reg d, Reg n, uint32_t immr, uint32_t imms) {
  uint32_t nbit = w == W::k64 ? 1u << 22 : 0;
  Emit(Sf(w) | 0x13000000 | (opc << 29) | nbit | (immr << 16) | (imms << 10) | (Zr(n) << 5) |
       Zr(d));
}

void Assembler::lsl(W w, Reg d, Reg n, uint8_t imm) {
  uint32_t bits = Bits(w);
  Require(imm < bits, "shift amount must be below the width");
  Bitfield(2, w, d, n, (bits - imm) % bits, bits - 1 - imm);
  Record(std::string("lsl ") + R(w) + ", " + R(w) + ", #imm");
}

void Assembler::lsr(W w, Reg d, Reg n, uint8_t imm) {
  Require(imm < Bits(w), "shift amount must be below the width");
  Bitfield(2, w, d, n, imm, Bits(w) - 1);
  Record(std::string("lsr ") + R(w) + ", " + R(w) + ", #imm");
}

void Assembler::asr(W w, Reg d, Reg n, uint8_t imm) {
  Require(imm < Bits(w), "shift amount must be below the width");
  Bitfield(0, w, d, n, imm, Bits(w) - 1);
  Record(std::string("asr ") + R(w) + ", " + R(w) + ", #imm");
}

void Assembler::ror(W w, Reg d, Reg n, uint8_t imm) {
  Require(imm < Bits(w), "rotate amount must be below the width");
  uint32_t nbit = w == W::k64 ? 1u << 22 : 0;
  uint32_t rn = Zr(n);
  Emit(Sf(w) | 0x13800000 | nbit | (rn << 16) | (static_cast<uint32_t>(imm) << 10) | (rn << 5) |
       Zr(d));
  Record(std::string("ror ") + R(w) + ", " + R(w) + ", #imm");
}

void Assembler::clz(W w, Reg d, Reg n) {
  Emit(Sf(w) | 0x5AC01000 | (Zr(n) << 5) | Zr(d));
  Record(std::string("clz ") + R(w) + ", " + R(w));
}

void Assembler::rbit(W w, Reg d, Reg n) {
  Emit(Sf(w) | 0x5AC00000 | (Zr(n) << 5) | Zr(d));
  Record(std::string("rbit ") + R(w) + ", " + R(w));
}

void Assembler::sxtb(W w, Reg d, Reg n) {
  Bitfield(0, w, d, n, 0, 7);
  Record(std::string("sxtb ") + R(w) + ", w");
}

void Assembler::sxth(W w, Reg d, Reg n) {
  Bitfield(0, w, d, n, 0, 15);
  Record(std::string("sxth ") + R(w) + ", w");
}

void Assembler::sxtw(Reg d, Reg n) {
  Bitfield(0, W::k64, d, n, 0, 31);
  Record("sxtw x, w");
}

void Assembler::uxtb(Reg d, Reg n) {
  Bitfield(2, W::k32, d, n, 0, 7);
  Record("uxtb w, w");
}

void Assembler::uxth(Reg d, Reg n) {
  Bitfield(2, W::k32, d, n, 0, 15);
  Record("uxth w, w");
}

// --- Conditional select ---------------------------------------------------------------------

void Assembler::CondSelect(uint32_t op, const char* name, W w, Reg d, Reg n, Reg m, Cond c) {
  Emit(Sf(w) | op | (Zr(m) << 16) | (static_cast<uint32_t>(c) << 12) | (Zr(n) << 5) | Zr(d));
  Record(std::string(name) + " " + R(w) + ", " + R(w) + ", " + R(w) + ", cond");
}

void Assembler::csel(W w, Reg d, Reg n, Reg m, Cond c) {
  CondSelect(0x1A800000, "csel", w, d, n, m, c);
}
void Assembler::csinc(W w, Reg d, Reg n, Reg m, Cond c) {
  CondSelect(0x1A800400, "csinc", w, d, n, m, c);
}
void Assembler::csinv(W w, Reg d, Reg n, Reg m, Cond c) {
  CondSelect(0x5A800000, "csinv", w, d, n, m, c);
}
void Assembler::csneg(W w, Reg d, Reg n, Reg m, Cond c) {
  CondSelect(0x5A800400, "csneg", w, d, n, m, c);
}

void Assembler::cset(W w, Reg d, Cond c) {
  Emit(Sf(w) | 0x1A9F07E0 | (static_cast<uint32_t>(Negate(c)) << 12) | Zr(d));
  Record(std::string("cset ") + R(w) + ", cond");
}

void Assembler::csetm(W w, Reg d, Cond c) {
  Emit(Sf(w) | 0x5A9F03E0 | (static_cast<uint32_t>(Negate(c)) << 12) | Zr(d));
  Record(std::string("csetm ") + R(w) + ", cond");
}

// --- Loads and stores -----------------------------------------------------------------------

// Unsigned-offset, pre/post-index and register-offset forms of "load/store register".
void Assembler::LoadStore(uint32_t size_log2, uint32_t opc, bool v, const char* name,
                          const char* treg, uint32_t t, const Mem& m) {
  uint32_t base = ((size_log2 & 3) << 30) | 0x38000000 | (v ? 1u << 26 : 0) | (opc << 22) |
                  (Sp(m.base) << 5) | t;
  switch (m.mode) {
    case Mem::Mode::kOffset: {
      int64_t size = int64_t{1} << size_log2;
      Require(m.offset >= 0 && m.offset % size == 0 && m.offset / size < 4096,
              "load/store offset must be a non-negative multiple of the size below 4096*size");
      Emit(base | 0x01000000 | (static_cast<uint32_t>(m.offset / size) << 10));
      break;
    }
    case Mem::Mode::kPreIndex:
    case Mem::Mode::kPostIndex:
      Require(m.offset >= -256 && m.offset <= 255, "pre/post-index offset must be -256..255");
      Emit(base | ((static_cast<uint32_t>(m.offset) & 0x1FF) << 12) |
           (m.mode == Mem::Mode::kPreIndex ? 3u << 10 : 1u << 10));
      break;
    case Mem::Mode::kRegister: {
      uint32_t option = 0;
      switch (m.ext) {
        case IndexExt::lsl:
          option = 3;
          break;
        case IndexExt::uxtw:
          option = 2;
          break;
        case IndexExt::sxtw:
          option = 6;
          break;
        case IndexExt::sxtx:
          option = 7;
          break;
      }
      Emit(base | (1u << 21) | (Zr(m.index) << 16) | (option << 13) | ((m.scaled ? 1u : 0u) << 12) |
           (2u << 10));
      break;
    }
  }
  Record(std::string(name) + " " + treg + ", " + MemForm(m));
}

void Assembler::LoadStoreUnscaled(uint32_t size_log2, uint32_t opc, bool v, const char* name,
                                  const char* treg, uint32_t t, const Mem& m) {
  Require(m.mode == Mem::Mode::kOffset, "ldur/stur take [base, #offset] only");
  Require(m.offset >= -256 && m.offset <= 255, "ldur/stur offset must be -256..255");
  Emit(((size_log2 & 3) << 30) | 0x38000000 | (v ? 1u << 26 : 0) | (opc << 22) |
       ((static_cast<uint32_t>(m.offset) & 0x1FF) << 12) | (Sp(m.base) << 5) | t);
  Record(std::string(name) + " " + treg + ", [x, #simm]");
}

// opc 0 store, 1 load, 2 load signed into x, 3 load signed into w.
void Assembler::ldr(W w, Reg t, const Mem& m) {
  LoadStore(w == W::k64 ? 3 : 2, 1, false, "ldr", R(w), Zr(t), m);
}
void Assembler::str(W w, Reg t, const Mem& m) {
  LoadStore(w == W::k64 ? 3 : 2, 0, false, "str", R(w), Zr(t), m);
}
void Assembler::ldrb(Reg t, const Mem& m) { LoadStore(0, 1, false, "ldrb", "w", Zr(t), m); }
void Assembler::ldrh(Reg t, const Mem& m) { LoadStore(1, 1, false, "ldrh", "w", Zr(t), m); }
void Assembler::strb(Reg t, const Mem& m) { LoadStore(0, 0, false, "strb", "w", Zr(t), m); }
void Assembler::strh(Reg t, const Mem& m) { LoadStore(1, 0, false, "strh", "w", Zr(t), m); }
void Assembler::ldrsb(W w, Reg t, const Mem& m) {
  LoadStore(0, w == W::k64 ? 2 : 3, false, "ldrsb", R(w), Zr(t), m);
}
void Assembler::ldrsh(W w, Reg t, const Mem& m) {
  LoadStore(1, w == W::k64 ? 2 : 3, false, "ldrsh", R(w), Zr(t), m);
}
void Assembler::ldrsw(Reg t, const Mem& m) { LoadStore(2, 2, false, "ldrsw", "x", Zr(t), m); }
void Assembler::ldr(FpW w, VReg t, const Mem& m) {
  LoadStore(w == FpW::kD ? 3 : 2, 1, true, "ldr", F(w), V(t), m);
}
void Assembler::str(FpW w, VReg t, const Mem& m) {
  LoadStore(w == FpW::kD ? 3 : 2, 0, true, "str", F(w), V(t), m);
}

void Assembler::ldur(W w, Reg t, const Mem& m) {
  LoadStoreUnscaled(w == W::k64 ? 3 : 2, 1, false, "ldur", R(w), Zr(t), m);
}
void Assembler::stur(W w, Reg t, const Mem& m) {
  LoadStoreUnscaled(w == W::k64 ? 3 : 2, 0, false, "stur", R(w), Zr(t), m);
}
void Assembler::ldurb(Reg t, const Mem& m) {
  LoadStoreUnscaled(0, 1, false, "ldurb", "w", Zr(t), m);
}
void Assembler::ldurh(Reg t, const Mem& m) {
  LoadStoreUnscaled(1, 1, false, "ldurh", "w", Zr(t), m);
}
void Assembler::sturb(Reg t, const Mem& m) {
  LoadStoreUnscaled(0, 0, false, "sturb", "w", Zr(t), m);
}
void Assembler::sturh(Reg t, const Mem& m) {
  LoadStoreUnscaled(1, 0, false, "sturh", "w", Zr(t), m);
}
void Assembler::ldursb(W w, Reg t, const Mem& m) {
  LoadStoreUnscaled(0, w == W::k64 ? 2 : 3, false, "ldursb", R(w), Zr(t), m);
}
void Assembler::ldursh(W w, Reg t, const Mem& m) {
  LoadStoreUnscaled(1, w == W::k64 ? 2 : 3, false, "ldursh", R(w), Zr(t), m);
}
void Assembler::ldursw(Reg t, const Mem& m) {
  LoadStoreUnscaled(2, 2, false, "ldursw", "x", Zr(t), m);
}
void Assembler::ldur(FpW w, VReg t, const Mem& m) {
  LoadStoreUnscaled(w == FpW::kD ? 3 : 2, 1, true, "ldur", F(w), V(t), m);
}
void Assembler::stur(FpW w, VReg t, const Mem& m) {
  LoadStoreUnscaled(w == FpW::kD ? 3 : 2, 0, true, "stur", F(w), V(t), m);
}

// opc bits 31:30: 0 = 32-bit gp / s, 1 = d, 2 = 64-bit gp.
void Assembler::LoadStorePair(uint32_t opc, bool v, bool load, const char* name, const char* treg,
                              uint32_t size, uint32_t t1, uint32_t t2, const Mem& m) {
  uint32_t mode = 0;
  switch (m.mode) {
    case Mem::Mode::kOffset:
      mode = 2;
      break;
    case Mem::Mode::kPreIndex:
      mode = 3;
      break;
    case Mem::Mode::kPostIndex:
      mode = 1;
      break;
    case Mem::Mode::kRegister:
      Require(false, "ldp/stp take no register offset");
  }
  int64_t s = size;
  Require(m.offset % s == 0 && m.offset / s >= -64 && m.offset / s <= 63,
          "ldp/stp offset must be a multiple of the size in [-64, 63] * size");
  Emit((opc << 30) | 0x28000000 | (v ? 1u << 26 : 0) | (mode << 23) | ((load ? 1u : 0u) << 22) |
       ((static_cast<uint32_t>(m.offset / s) & 0x7F) << 15) | (t2 << 10) | (Sp(m.base) << 5) | t1);
  Record(std::string(name) + " " + treg + ", " + treg + ", " + MemForm(m));
}

void Assembler::ldp(W w, Reg t1, Reg t2, const Mem& m) {
  LoadStorePair(w == W::k64 ? 2 : 0, false, true, "ldp", R(w), w == W::k64 ? 8 : 4, Zr(t1), Zr(t2),
                m);
}
void Assembler::stp(W w, Reg t1, Reg t2, const Mem& m) {
  LoadStorePair(w == W::k64 ? 2 : 0, false, false, "stp", R(w), w == W::k64 ? 8 : 4, Zr(t1), Zr(t2),
                m);
}
void Assembler::ldp(FpW w, VReg t1, VReg t2, const Mem& m) {
  LoadStorePair(w == FpW::kD ? 1 : 0, true, true, "ldp", F(w), w == FpW::kD ? 8 : 4, V(t1), V(t2),
                m);
}
void Assembler::stp(FpW w, VReg t1, VReg t2, const Mem& m) {
  LoadStorePair(w == FpW::kD ? 1 : 0, true, false, "stp", F(w), w == FpW::kD ? 8 : 4, V(t1), V(t2),
                m);
}

// --- Control flow ---------------------------------------------------------------------------

void Assembler::b(Label& target) {
  EmitBranch(0x14000000, target, Label::Field::kImm26);
  Record("b label");
}

void Assembler::bl(Label& target) {
  EmitBranch(0x94000000, target, Label::Field::kImm26);
  Record("bl label");
}

void Assembler::b(Cond c, Label& target) {
  EmitBranch(0x54000000 | static_cast<uint32_t>(c), target, Label::Field::kImm19);
  Record("b.cond label");
}

void Assembler::CompareBranch(uint32_t op, const char* name, W w, Reg t, Label& target) {
  EmitBranch(Sf(w) | op | Zr(t), target, Label::Field::kImm19);
  Record(std::string(name) + " " + R(w) + ", label");
}

void Assembler::cbz(W w, Reg t, Label& target) { CompareBranch(0x34000000, "cbz", w, t, target); }
void Assembler::cbnz(W w, Reg t, Label& target) { CompareBranch(0x35000000, "cbnz", w, t, target); }

void Assembler::TestBranch(uint32_t op, const char* name, Reg t, uint8_t bit, Label& target) {
  Require(bit < 64, "tbz/tbnz bit must be 0..63");
  uint32_t b5 = bit >> 5;
  EmitBranch((b5 << 31) | op | (static_cast<uint32_t>(bit & 31) << 19) | Zr(t), target,
             Label::Field::kImm14);
  Record(std::string(name) + " " + (b5 ? "x" : "w") + ", #imm, label");
}

void Assembler::tbz(Reg t, uint8_t bit, Label& target) {
  TestBranch(0x36000000, "tbz", t, bit, target);
}
void Assembler::tbnz(Reg t, uint8_t bit, Label& target) {
  TestBranch(0x37000000, "tbnz", t, bit, target);
}

void Assembler::adr(Reg d, Label& target) {
  EmitBranch(0x10000000 | Zr(d), target, Label::Field::kAdr21);
  Record("adr x, label");
}

void Assembler::adrp(Reg d, int32_t pages) {
  Require(FitsSigned(pages, 21), "adrp page delta out of range");
  uint32_t imm = static_cast<uint32_t>(pages) & 0x1FFFFF;
  Emit(0x90000000 | ((imm & 3) << 29) | ((imm >> 2) << 5) | Zr(d));
  Record("adrp x, #pages");
}

void Assembler::BranchReg(uint32_t op, const char* name, Reg n) {
  Emit(op | (Xn(n) << 5));
  Record(std::string(name) + " x");
}

void Assembler::br(Reg n) { BranchReg(0xD61F0000, "br", n); }
void Assembler::blr(Reg n) { BranchReg(0xD63F0000, "blr", n); }
void Assembler::ret(Reg n) {
  Emit(0xD65F0000 | (Xn(n) << 5));
  Record(n == Reg::x30 ? "ret" : "ret x");
}

void Assembler::brk(uint16_t imm) {
  Emit(0xD4200000 | (static_cast<uint32_t>(imm) << 5));
  Record("brk #imm");
}

void Assembler::nop() {
  Emit(0xD503201F);
  Record("nop");
}

// --- Floating point -------------------------------------------------------------------------

void Assembler::Fp1(uint32_t op, const char* name, FpW w, VReg d, VReg n) {
  Emit(op | Type(w) | (V(n) << 5) | V(d));
  Record(std::string(name) + " " + F(w) + ", " + F(w));
}

void Assembler::Fp2(uint32_t op, const char* name, FpW w, VReg d, VReg n, VReg m) {
  Emit(op | Type(w) | (V(m) << 16) | (V(n) << 5) | V(d));
  Record(std::string(name) + " " + F(w) + ", " + F(w) + ", " + F(w));
}

void Assembler::fmov(FpW w, VReg d, VReg n) { Fp1(0x1E204000, "fmov", w, d, n); }

void Assembler::fmov(W w, Reg d, VReg n) {
  Emit(w == W::k64 ? 0x9E660000 | (V(n) << 5) | Zr(d) : 0x1E260000 | (V(n) << 5) | Zr(d));
  Record(w == W::k64 ? "fmov x, d" : "fmov w, s");
}

void Assembler::fmov(W w, VReg d, Reg n) {
  Emit(w == W::k64 ? 0x9E670000 | (Zr(n) << 5) | V(d) : 0x1E270000 | (Zr(n) << 5) | V(d));
  Record(w == W::k64 ? "fmov d, x" : "fmov s, w");
}

void Assembler::fadd(FpW w, VReg d, VReg n, VReg m) { Fp2(0x1E202800, "fadd", w, d, n, m); }
void Assembler::fsub(FpW w, VReg d, VReg n, VReg m) { Fp2(0x1E203800, "fsub", w, d, n, m); }
void Assembler::fmul(FpW w, VReg d, VReg n, VReg m) { Fp2(0x1E200800, "fmul", w, d, n, m); }
void Assembler::fdiv(FpW w, VReg d, VReg n, VReg m) { Fp2(0x1E201800, "fdiv", w, d, n, m); }
void Assembler::fmax(FpW w, VReg d, VReg n, VReg m) { Fp2(0x1E204800, "fmax", w, d, n, m); }
void Assembler::fmin(FpW w, VReg d, VReg n, VReg m) { Fp2(0x1E205800, "fmin", w, d, n, m); }
void Assembler::fmaxnm(FpW w, VReg d, VReg n, VReg m) { Fp2(0x1E206800, "fmaxnm", w, d, n, m); }
void Assembler::fminnm(FpW w, VReg d, VReg n, VReg m) { Fp2(0x1E207800, "fminnm", w, d, n, m); }
void Assembler::fsqrt(FpW w, VReg d, VReg n) { Fp1(0x1E21C000, "fsqrt", w, d, n); }
void Assembler::fabs(FpW w, VReg d, VReg n) { Fp1(0x1E20C000, "fabs", w, d, n); }
void Assembler::fneg(FpW w, VReg d, VReg n) { Fp1(0x1E214000, "fneg", w, d, n); }
void Assembler::frintn(FpW w, VReg d, VReg n) { Fp1(0x1E244000, "frintn", w, d, n); }
void Assembler::frintp(FpW w, VReg d, VReg n) { Fp1(0x1E24C000, "frintp", w, d, n); }
void Assembler::frintm(FpW w, VReg d, VReg n) { Fp1(0x1E254000, "frintm", w, d, n); }
void Assembler::frintz(FpW w, VReg d, VReg n) { Fp1(0x1E25C000, "frintz", w, d, n); }

void Assembler::fcmp(FpW w, VReg n, VReg m) {
  Emit(0x1E202000 | Type(w) | (V(m) << 16) | (V(n) << 5));
  Record(std::string("fcmp ") + F(w) + ", " + F(w));
}

void Assembler::fcmp(FpW w, VReg n) {
  Emit(0x1E202008 | Type(w) | (V(n) << 5));
  Record(std::string("fcmp ") + F(w) + ", #0.0");
}

void Assembler::fcsel(FpW w, VReg d, VReg n, VReg m, Cond c) {
  Emit(0x1E200C00 | Type(w) | (V(m) << 16) | (static_cast<uint32_t>(c) << 12) | (V(n) << 5) | V(d));
  Record(std::string("fcsel ") + F(w) + ", " + F(w) + ", " + F(w) + ", cond");
}

void Assembler::FpInt(uint32_t op, const char* form, bool sf, FpW fw, uint32_t d, uint32_t n) {
  Emit((sf ? 1u << 31 : 0) | op | Type(fw) | (n << 5) | d);
  Record(form);
}

void Assembler::fcvtzs(W iw, Reg d, FpW fw, VReg n) {
  FpInt(0x1E380000, (std::string("fcvtzs ") + R(iw) + ", " + F(fw)).c_str(), iw == W::k64, fw,
        Zr(d), V(n));
}
void Assembler::fcvtzu(W iw, Reg d, FpW fw, VReg n) {
  FpInt(0x1E390000, (std::string("fcvtzu ") + R(iw) + ", " + F(fw)).c_str(), iw == W::k64, fw,
        Zr(d), V(n));
}
void Assembler::scvtf(FpW fw, VReg d, W iw, Reg n) {
  FpInt(0x1E220000, (std::string("scvtf ") + F(fw) + ", " + R(iw)).c_str(), iw == W::k64, fw, V(d),
        Zr(n));
}
void Assembler::ucvtf(FpW fw, VReg d, W iw, Reg n) {
  FpInt(0x1E230000, (std::string("ucvtf ") + F(fw) + ", " + R(iw)).c_str(), iw == W::k64, fw, V(d),
        Zr(n));
}

void Assembler::fcvt(FpW dst_w, VReg d, VReg n) {
  if (dst_w == FpW::kD) {
    Emit(0x1E22C000 | (V(n) << 5) | V(d));
    Record("fcvt d, s");
  } else {
    Emit(0x1E624000 | (V(n) << 5) | V(d));
    Record("fcvt s, d");
  }
}

void Assembler::cnt_8b(VReg d, VReg n) {
  Emit(0x0E205800 | (V(n) << 5) | V(d));
  Record("cnt v.8b, v.8b");
}

void Assembler::addv_8b(VReg d, VReg n) {
  Emit(0x0E31B800 | (V(n) << 5) | V(d));
  Record("addv b, v.8b");
}

// --- AdvSIMD -------------------------------------------------------------------------------

void Assembler::ldr_q(VReg t, const Mem& m) { LoadStore(4, 3, true, "ldr", "q", V(t), m); }
void Assembler::str_q(VReg t, const Mem& m) { LoadStore(4, 2, true, "str", "q", V(t), m); }
void Assembler::ldur_q(VReg t, const Mem& m) {
  LoadStoreUnscaled(4, 3, true, "ldur", "q", V(t), m);
}
void Assembler::stur_q(VReg t, const Mem& m) {
  LoadStoreUnscaled(4, 2, true, "stur", "q", V(t), m);
}

void Assembler::ldr_b(VReg t, const Mem& m) { LoadStore(0, 1, true, "ldr", "b", V(t), m); }
void Assembler::ldr_h(VReg t, const Mem& m) { LoadStore(1, 1, true, "ldr", "h", V(t), m); }
void Assembler::str_b(VReg t, const Mem& m) { LoadStore(0, 0, true, "str", "b", V(t), m); }
void Assembler::str_h(VReg t, const Mem& m) { LoadStore(1, 0, true, "str", "h", V(t), m); }

// Load/store single structure, one register, no writeback: Q:S:size hold the lane index.
void Assembler::SimdLane(bool load, VReg t, Lane l, uint8_t lane, Reg n) {
  uint32_t log2 = static_cast<uint32_t>(l);
  Require(lane < (16u >> log2), "lane index out of range");
  uint32_t idx = static_cast<uint32_t>(lane) << log2;  // byte offset of the lane: Q:S:size
  uint32_t opcode = log2 == 0 ? 0 : log2 == 1 ? 2 : 4;
  uint32_t size = log2 == 3 ? 1 : idx & 3;
  Emit(0x0D000000 | ((idx >> 3) << 30) | ((load ? 1u : 0u) << 22) | (opcode << 13) |
       (((idx >> 2) & 1) << 12) | (size << 10) | (Sp(n) << 5) | V(t));
  Record(std::string(load ? "ld1" : "st1") + " {v." + L(l) + "}[lane], [x]");
}

void Assembler::ld1(VReg t, Lane l, uint8_t lane, Reg n) { SimdLane(true, t, l, lane, n); }
void Assembler::st1(VReg t, Lane l, uint8_t lane, Reg n) { SimdLane(false, t, l, lane, n); }

void Assembler::ld1r(Arr t, VReg v, Reg n) {
  Emit(0x0D40C000 | Q(t) | (Size(t) << 10) | (Sp(n) << 5) | V(v));
  Record("ld1r {" + Vt(t) + "}, [x]");
}

void Assembler::mov_v(VReg d, VReg n) {
  Emit(0x4EA01C00 | (V(n) << 16) | (V(n) << 5) | V(d));
  Record("mov v.16b, v.16b");
}

// Modified immediate: a:b:c at 18:16, d:e:f:g:h at 9:5.
void Assembler::movi(Arr t, VReg d, uint64_t imm) {
  uint32_t op = 0;
  uint32_t cmode = 0;
  uint32_t imm8 = 0;
  switch (Size(t)) {
    case 0:
      Require(imm < 256, "movi .16b/.8b takes an 8-bit immediate");
      cmode = 0xE;
      imm8 = static_cast<uint32_t>(imm);
      break;
    case 1:
    case 2:
      Require(imm < 256, "movi .8h/.4s takes an 8-bit immediate (lsl #0)");
      cmode = Size(t) == 1 ? 0x8 : 0x0;
      imm8 = static_cast<uint32_t>(imm);
      break;
    case 3:
      Require(t == Arr::k2D, "movi: no 1D form");
      op = 1;
      cmode = 0xE;
      for (int i = 0; i < 8; ++i) {
        uint64_t byte = (imm >> (8 * i)) & 0xFF;
        Require(byte == 0 || byte == 0xFF, "movi .2d bytes must each be 0x00 or 0xff");
        imm8 |= (byte != 0 ? 1u : 0u) << i;
      }
      break;
  }
  Emit(0x0F000400 | Q(t) | (op << 29) | ((imm8 >> 5) << 16) | (cmode << 12) | ((imm8 & 31) << 5) |
       V(d));
  Record("movi " + Vt(t) + ", #imm");
}

void Assembler::mvni(Arr t, VReg d, uint8_t imm) {
  Require(Size(t) == 1 || Size(t) == 2, "mvni takes .8h/.4h/.4s/.2s");
  uint32_t cmode = Size(t) == 1 ? 0x8 : 0x0;
  Emit(0x2F000400 | Q(t) | ((static_cast<uint32_t>(imm) >> 5) << 16) | (cmode << 12) |
       ((imm & 31u) << 5) | V(d));
  Record("mvni " + Vt(t) + ", #imm");
}

namespace {
// imm5 of the copy group: the lane index above a one marking the element size.
uint32_t Imm5(uint32_t size, uint8_t lane) {
  Require(lane < (16u >> size), "lane index out of range");
  return ((static_cast<uint32_t>(lane) << 1 | 1u) << size) << 16;
}
}  // namespace

void Assembler::dup(Arr t, VReg d, Reg n) {
  Emit(0x0E000C00 | Q(t) | Imm5(Size(t), 0) | (Zr(n) << 5) | V(d));
  Record("dup " + Vt(t) + (Size(t) == 3 ? ", x" : ", w"));
}

void Assembler::dup(Arr t, VReg d, VReg n, uint8_t lane) {
  Emit(0x0E000400 | Q(t) | Imm5(Size(t), lane) | (V(n) << 5) | V(d));
  Record("dup " + Vt(t) + ", v." + L(static_cast<Lane>(Size(t))) + "[lane]");
}

void Assembler::ins(Lane l, VReg d, uint8_t lane, Reg n) {
  uint32_t size = static_cast<uint32_t>(l);
  Emit(0x4E001C00 | Imm5(size, lane) | (Zr(n) << 5) | V(d));
  Record(std::string("ins v.") + L(l) + "[lane], " + (size == 3 ? "x" : "w"));
}

void Assembler::ins(Lane l, VReg d, uint8_t lane, VReg n, uint8_t lane2) {
  uint32_t size = static_cast<uint32_t>(l);
  Require(lane2 < (16u >> size), "lane index out of range");
  Emit(0x6E000400 | Imm5(size, lane) | ((static_cast<uint32_t>(lane2) << size) << 11) |
       (V(n) << 5) | V(d));
  Record(std::string("ins v.") + L(l) + "[lane], v." + L(l) + "[lane]");
}

void Assembler::umov(Lane l, Reg d, VReg n, uint8_t lane) {
  uint32_t size = static_cast<uint32_t>(l);
  Emit(0x0E003C00 | (size == 3 ? 1u << 30 : 0) | Imm5(size, lane) | (V(n) << 5) | Zr(d));
  Record(std::string("umov ") + (size == 3 ? "x" : "w") + ", v." + L(l) + "[lane]");
}

void Assembler::smov(W w, Lane l, Reg d, VReg n, uint8_t lane) {
  uint32_t size = static_cast<uint32_t>(l);
  Require(size < 2 || (size == 2 && w == W::k64), "smov: b/h lanes, or an s lane into x");
  Emit(0x0E002C00 | (w == W::k64 ? 1u << 30 : 0) | Imm5(size, lane) | (V(n) << 5) | Zr(d));
  Record(std::string("smov ") + R(w) + ", v." + L(l) + "[lane]");
}

// Three registers, same arrangement: 0 Q U 01110 size 1 m opcode 1 n d.
void Assembler::Simd3(uint32_t op, const char* name, Arr t, VReg d, VReg n, VReg m) {
  Emit(op | Q(t) | (Size(t) << 22) | (V(m) << 16) | (V(n) << 5) | V(d));
  Record(std::string(name) + " " + Vt(t) + ", " + Vt(t) + ", " + Vt(t));
}

// Two-register miscellaneous: 0 Q U 01110 size 10000 opcode 10 n d.
void Assembler::Simd2(uint32_t op, const char* name, Arr t, VReg d, VReg n, const char* tail) {
  Emit(op | Q(t) | (Size(t) << 22) | (V(n) << 5) | V(d));
  Record(std::string(name) + " " + Vt(t) + ", " + Vt(t) + tail);
}

namespace {
constexpr uint32_t kU = 1u << 29;
uint32_t Three(uint32_t opcode) { return 0x0E200400 | (opcode << 11); }
uint32_t Misc(uint32_t opcode) { return 0x0E200800 | (opcode << 12); }
void NotD(Arr t) { Require(t != Arr::k2D, "no .2d form"); }
void OnlyHS(Arr t) { Require(Size(t) == 1 || Size(t) == 2, "only .8h/.4h/.4s/.2s forms"); }
void OnlyB(Arr t) { Require(Size(t) == 0, "only .16b/.8b forms"); }
}  // namespace

void Assembler::add(Arr t, VReg d, VReg n, VReg m) { Simd3(Three(0x10), "add", t, d, n, m); }
void Assembler::sub(Arr t, VReg d, VReg n, VReg m) { Simd3(kU | Three(0x10), "sub", t, d, n, m); }
void Assembler::mul(Arr t, VReg d, VReg n, VReg m) {
  NotD(t);
  Simd3(Three(0x13), "mul", t, d, n, m);
}
void Assembler::sqadd(Arr t, VReg d, VReg n, VReg m) { Simd3(Three(0x01), "sqadd", t, d, n, m); }
void Assembler::uqadd(Arr t, VReg d, VReg n, VReg m) {
  Simd3(kU | Three(0x01), "uqadd", t, d, n, m);
}
void Assembler::sqsub(Arr t, VReg d, VReg n, VReg m) { Simd3(Three(0x05), "sqsub", t, d, n, m); }
void Assembler::uqsub(Arr t, VReg d, VReg n, VReg m) {
  Simd3(kU | Three(0x05), "uqsub", t, d, n, m);
}
void Assembler::smax(Arr t, VReg d, VReg n, VReg m) {
  NotD(t);
  Simd3(Three(0x0C), "smax", t, d, n, m);
}
void Assembler::umax(Arr t, VReg d, VReg n, VReg m) {
  NotD(t);
  Simd3(kU | Three(0x0C), "umax", t, d, n, m);
}
void Assembler::smin(Arr t, VReg d, VReg n, VReg m) {
  NotD(t);
  Simd3(Three(0x0D), "smin", t, d, n, m);
}
void Assembler::umin(Arr t, VReg d, VReg n, VReg m) {
  NotD(t);
  Simd3(kU | Three(0x0D), "umin", t, d, n, m);
}
void Assembler::urhadd(Arr t, VReg d, VReg n, VReg m) {
  NotD(t);
  Simd3(kU | Three(0x02), "urhadd", t, d, n, m);
}
void Assembler::addp(Arr t, VReg d, VReg n, VReg m) { Simd3(Three(0x17), "addp", t, d, n, m); }
void Assembler::sqrdmulh(Arr t, VReg d, VReg n, VReg m) {
  OnlyHS(t);
  Simd3(kU | Three(0x16), "sqrdmulh", t, d, n, m);
}
void Assembler::cmeq(Arr t, VReg d, VReg n, VReg m) { Simd3(kU | Three(0x11), "cmeq", t, d, n, m); }
void Assembler::cmgt(Arr t, VReg d, VReg n, VReg m) { Simd3(Three(0x06), "cmgt", t, d, n, m); }
void Assembler::cmge(Arr t, VReg d, VReg n, VReg m) { Simd3(Three(0x07), "cmge", t, d, n, m); }
void Assembler::cmhi(Arr t, VReg d, VReg n, VReg m) { Simd3(kU | Three(0x06), "cmhi", t, d, n, m); }
void Assembler::cmhs(Arr t, VReg d, VReg n, VReg m) { Simd3(kU | Three(0x07), "cmhs", t, d, n, m); }
void Assembler::sshl(Arr t, VReg d, VReg n, VReg m) { Simd3(Three(0x08), "sshl", t, d, n, m); }
void Assembler::ushl(Arr t, VReg d, VReg n, VReg m) { Simd3(kU | Three(0x08), "ushl", t, d, n, m); }
void Assembler::neg(Arr t, VReg d, VReg n) { Simd2(kU | Misc(0x0B), "neg", t, d, n); }
void Assembler::abs(Arr t, VReg d, VReg n) { Simd2(Misc(0x0B), "abs", t, d, n); }
void Assembler::cmeq(Arr t, VReg d, VReg n) { Simd2(Misc(0x09), "cmeq", t, d, n, ", #0"); }
void Assembler::cmge(Arr t, VReg d, VReg n) { Simd2(kU | Misc(0x08), "cmge", t, d, n, ", #0"); }
void Assembler::cmgt(Arr t, VReg d, VReg n) { Simd2(Misc(0x08), "cmgt", t, d, n, ", #0"); }
void Assembler::cmle(Arr t, VReg d, VReg n) { Simd2(kU | Misc(0x09), "cmle", t, d, n, ", #0"); }
void Assembler::cmlt(Arr t, VReg d, VReg n) { Simd2(Misc(0x0A), "cmlt", t, d, n, ", #0"); }

// Bitwise ops: the size field selects the operation; the arrangement is always bytes.
void Assembler::and_(Arr t, VReg d, VReg n, VReg m) {
  OnlyB(t);
  Simd3(Three(0x03), "and", t, d, n, m);
}
void Assembler::bic(Arr t, VReg d, VReg n, VReg m) {
  OnlyB(t);
  Simd3((1u << 22) | Three(0x03), "bic", t, d, n, m);
}
void Assembler::orr(Arr t, VReg d, VReg n, VReg m) {
  OnlyB(t);
  Simd3((2u << 22) | Three(0x03), "orr", t, d, n, m);
}
void Assembler::orn(Arr t, VReg d, VReg n, VReg m) {
  OnlyB(t);
  Simd3((3u << 22) | Three(0x03), "orn", t, d, n, m);
}
void Assembler::eor(Arr t, VReg d, VReg n, VReg m) {
  OnlyB(t);
  Simd3(kU | Three(0x03), "eor", t, d, n, m);
}
void Assembler::bsl(Arr t, VReg d, VReg n, VReg m) {
  OnlyB(t);
  Simd3(kU | (1u << 22) | Three(0x03), "bsl", t, d, n, m);
}
void Assembler::bit(Arr t, VReg d, VReg n, VReg m) {
  OnlyB(t);
  Simd3(kU | (2u << 22) | Three(0x03), "bit", t, d, n, m);
}
void Assembler::bif(Arr t, VReg d, VReg n, VReg m) {
  OnlyB(t);
  Simd3(kU | (3u << 22) | Three(0x03), "bif", t, d, n, m);
}
void Assembler::not_(Arr t, VReg d, VReg n) {
  OnlyB(t);
  Simd2(kU | Misc(0x05), "not", t, d, n);
}
void Assembler::cnt(Arr t, VReg d, VReg n) {
  OnlyB(t);
  Simd2(Misc(0x05), "cnt", t, d, n);
}

// Across lanes: 0 Q U 01110 size 11000 opcode 10 n d; the result is a b/h/s scalar.
void Assembler::SimdAcross(uint32_t op, const char* name, Arr t, VReg d, VReg n) {
  Require(Size(t) < 2 || t == Arr::k4S, "across-lanes forms take 16b/8b/8h/4h/4s");
  Emit(0x0E300800 | op | Q(t) | (Size(t) << 22) | (V(n) << 5) | V(d));
  Record(std::string(name) + " " + L(static_cast<Lane>(Size(t))) + ", " + Vt(t));
}

void Assembler::addv(Arr t, VReg d, VReg n) { SimdAcross(0x1Bu << 12, "addv", t, d, n); }
void Assembler::umaxv(Arr t, VReg d, VReg n) { SimdAcross(kU | (0x0Au << 12), "umaxv", t, d, n); }
void Assembler::uminv(Arr t, VReg d, VReg n) { SimdAcross(kU | (0x1Au << 12), "uminv", t, d, n); }

// Widening: t is the destination (8H/4S/2D); the source has half-size elements, its low
// (Q = 0) or high (Q = 1, `upper`) half. `three`: a second source m (three-different group),
// else a two-register op whose source is the full register (saddlp) or a shift-immediate form.
void Assembler::SimdLong(uint32_t op, const char* name, Arr t, bool upper, VReg d, VReg n, VReg m,
                         bool three) {
  Require(IsQ(t) && Size(t) > 0, "widening forms write .8h/.4s/.2d");
  Arr src = MakeArr(Size(t) - 1, upper);
  uint32_t q = upper ? 1u << 30 : 0;
  std::string form = std::string(name) + (upper ? "2 " : " ") + Vt(t) + ", " + Vt(src);
  if (three) {
    Emit(op | q | ((Size(t) - 1) << 22) | (V(m) << 16) | (V(n) << 5) | V(d));
    form += ", " + Vt(src);
  } else {  // sshll/ushll #0: immh = the source element size's one bit, immb = 0
    Emit(op | q | ((8u << (Size(t) - 1)) << 16) | (V(n) << 5) | V(d));
  }
  Record(form);
}

void Assembler::smull(Arr t, VReg d, VReg n, VReg m) {
  SimdLong(0x0E20C000, "smull", t, false, d, n, m, true);
}
void Assembler::smull2(Arr t, VReg d, VReg n, VReg m) {
  SimdLong(0x0E20C000, "smull", t, true, d, n, m, true);
}
void Assembler::umull(Arr t, VReg d, VReg n, VReg m) {
  SimdLong(kU | 0x0E20C000, "umull", t, false, d, n, m, true);
}
void Assembler::umull2(Arr t, VReg d, VReg n, VReg m) {
  SimdLong(kU | 0x0E20C000, "umull", t, true, d, n, m, true);
}
void Assembler::sxtl(Arr t, VReg d, VReg n) {
  SimdLong(0x0F00A400, "sxtl", t, false, d, n, n, false);
}
void Assembler::sxtl2(Arr t, VReg d, VReg n) {
  SimdLong(0x0F00A400, "sxtl", t, true, d, n, n, false);
}
void Assembler::uxtl(Arr t, VReg d, VReg n) {
  SimdLong(kU | 0x0F00A400, "uxtl", t, false, d, n, n, false);
}
void Assembler::uxtl2(Arr t, VReg d, VReg n) {
  SimdLong(kU | 0x0F00A400, "uxtl", t, true, d, n, n, false);
}

void Assembler::saddlp(Arr t, VReg d, VReg n) {
  Require(Size(t) > 0, "saddlp writes .8h/.4s/.2d/.4h/.2s");
  Arr src = MakeArr(Size(t) - 1, IsQ(t));
  Emit(Misc(0x02) | Q(t) | ((Size(t) - 1) << 22) | (V(n) << 5) | V(d));
  Record("saddlp " + Vt(t) + ", " + Vt(src));
}
void Assembler::uaddlp(Arr t, VReg d, VReg n) {
  Require(Size(t) > 0, "uaddlp writes .8h/.4s/.2d/.4h/.2s");
  Arr src = MakeArr(Size(t) - 1, IsQ(t));
  Emit(kU | Misc(0x02) | Q(t) | ((Size(t) - 1) << 22) | (V(n) << 5) | V(d));
  Record("uaddlp " + Vt(t) + ", " + Vt(src));
}

// Narrowing: t is the destination (8B/4H/2S, or 16B/8H/4S for the "2" forms).
void Assembler::SimdNarrow(uint32_t op, const char* name, Arr t, bool upper, VReg d, VReg n) {
  Require(IsQ(t) == upper && Size(t) < 3, "narrowing: 8b/4h/2s, or 16b/8h/4s for the 2 forms");
  Emit(op | Q(t) | (Size(t) << 22) | (V(n) << 5) | V(d));
  Record(std::string(name) + (upper ? "2 " : " ") + Vt(t) + ", " + Vt(MakeArr(Size(t) + 1, true)));
}

void Assembler::xtn(Arr t, VReg d, VReg n) { SimdNarrow(Misc(0x12), "xtn", t, false, d, n); }
void Assembler::xtn2(Arr t, VReg d, VReg n) { SimdNarrow(Misc(0x12), "xtn", t, true, d, n); }
void Assembler::sqxtn(Arr t, VReg d, VReg n) { SimdNarrow(Misc(0x14), "sqxtn", t, false, d, n); }
void Assembler::sqxtn2(Arr t, VReg d, VReg n) { SimdNarrow(Misc(0x14), "sqxtn", t, true, d, n); }
void Assembler::sqxtun(Arr t, VReg d, VReg n) {
  SimdNarrow(kU | Misc(0x12), "sqxtun", t, false, d, n);
}
void Assembler::sqxtun2(Arr t, VReg d, VReg n) {
  SimdNarrow(kU | Misc(0x12), "sqxtun", t, true, d, n);
}
void Assembler::uqxtn(Arr t, VReg d, VReg n) {
  SimdNarrow(kU | Misc(0x14), "uqxtn", t, false, d, n);
}
void Assembler::uqxtn2(Arr t, VReg d, VReg n) {
  SimdNarrow(kU | Misc(0x14), "uqxtn", t, true, d, n);
}

// Shift by immediate: 0 Q U 011110 immh:immb opcode 1 n d; immh:immb = esize + shift (left) or
// 2 * esize - shift (right).
void Assembler::SimdShift(uint32_t op, const char* name, Arr t, VReg d, VReg n, bool right,
                          uint8_t shift) {
  uint32_t esize = 8u << Size(t);
  Require(right ? shift >= 1 && shift <= esize : shift < esize, "shift amount out of range");
  uint32_t immhb = right ? 2 * esize - shift : esize + shift;
  Emit(op | Q(t) | (immhb << 16) | (V(n) << 5) | V(d));
  Record(std::string(name) + " " + Vt(t) + ", " + Vt(t) + ", #imm");
}

void Assembler::shl(Arr t, VReg d, VReg n, uint8_t shift) {
  SimdShift(0x0F005400, "shl", t, d, n, false, shift);
}
void Assembler::sshr(Arr t, VReg d, VReg n, uint8_t shift) {
  SimdShift(0x0F000400, "sshr", t, d, n, true, shift);
}
void Assembler::ushr(Arr t, VReg d, VReg n, uint8_t shift) {
  SimdShift(kU | 0x0F000400, "ushr", t, d, n, true, shift);
}

void Assembler::tbl(Arr t, VReg d, VReg n, VReg m) {
  OnlyB(t);
  Emit(0x0E000000 | Q(t) | (V(m) << 16) | (V(n) << 5) | V(d));
  Record("tbl " + Vt(t) + ", {v.16b}, " + Vt(t));
}

void Assembler::tbl2(Arr t, VReg d, VReg n, VReg m) {
  OnlyB(t);
  Emit(0x0E002000 | Q(t) | (V(m) << 16) | (V(n) << 5) | V(d));
  Record("tbl " + Vt(t) + ", {v.16b, v.16b}, " + Vt(t));
}

void Assembler::ext(Arr t, VReg d, VReg n, VReg m, uint8_t index) {
  OnlyB(t);
  Require(index < (IsQ(t) ? 16 : 8), "ext index out of range");
  Emit(0x2E000000 | Q(t) | (V(m) << 16) | (static_cast<uint32_t>(index) << 11) | (V(n) << 5) |
       V(d));
  Record("ext " + Vt(t) + ", " + Vt(t) + ", " + Vt(t) + ", #imm");
}

namespace {
uint32_t Perm(uint32_t opcode) { return 0x0E000800 | (opcode << 12); }
}  // namespace

void Assembler::uzp1(Arr t, VReg d, VReg n, VReg m) { Simd3(Perm(1), "uzp1", t, d, n, m); }
void Assembler::trn1(Arr t, VReg d, VReg n, VReg m) { Simd3(Perm(2), "trn1", t, d, n, m); }
void Assembler::zip1(Arr t, VReg d, VReg n, VReg m) { Simd3(Perm(3), "zip1", t, d, n, m); }
void Assembler::uzp2(Arr t, VReg d, VReg n, VReg m) { Simd3(Perm(5), "uzp2", t, d, n, m); }
void Assembler::trn2(Arr t, VReg d, VReg n, VReg m) { Simd3(Perm(6), "trn2", t, d, n, m); }
void Assembler::zip2(Arr t, VReg d, VReg n, VReg m) { Simd3(Perm(7), "zip2", t, d, n, m); }
void Assembler::rev64(Arr t, VReg d, VReg n) {
  NotD(t);
  Simd2(Misc(0x00), "rev64", t, d, n);
}

// Floating point: bit 22 is sz (0 single, 1 double); `op` may set bit 23 (o1 / o2).
void Assembler::SimdFp3(uint32_t op, const char* name, Arr t, VReg d, VReg n, VReg m) {
  Require(Size(t) == 2 || t == Arr::k2D, "float vectors are .4s, .2s or .2d");
  Emit(op | Q(t) | ((Size(t) & 1) << 22) | (V(m) << 16) | (V(n) << 5) | V(d));
  Record(std::string(name) + " " + Vt(t) + ", " + Vt(t) + ", " + Vt(t));
}

void Assembler::SimdFp2(uint32_t op, const char* name, Arr t, VReg d, VReg n) {
  Require(Size(t) == 2 || t == Arr::k2D, "float vectors are .4s, .2s or .2d");
  Emit(op | Q(t) | ((Size(t) & 1) << 22) | (V(n) << 5) | V(d));
  Record(std::string(name) + " " + Vt(t) + ", " + Vt(t));
}

namespace {
constexpr uint32_t kB23 = 1u << 23;
}  // namespace

void Assembler::fadd(Arr t, VReg d, VReg n, VReg m) { SimdFp3(Three(0x1A), "fadd", t, d, n, m); }
void Assembler::fsub(Arr t, VReg d, VReg n, VReg m) {
  SimdFp3(kB23 | Three(0x1A), "fsub", t, d, n, m);
}
void Assembler::fmul(Arr t, VReg d, VReg n, VReg m) {
  SimdFp3(kU | Three(0x1B), "fmul", t, d, n, m);
}
void Assembler::fdiv(Arr t, VReg d, VReg n, VReg m) {
  SimdFp3(kU | Three(0x1F), "fdiv", t, d, n, m);
}
void Assembler::fmax(Arr t, VReg d, VReg n, VReg m) { SimdFp3(Three(0x1E), "fmax", t, d, n, m); }
void Assembler::fmin(Arr t, VReg d, VReg n, VReg m) {
  SimdFp3(kB23 | Three(0x1E), "fmin", t, d, n, m);
}
void Assembler::fmaxnm(Arr t, VReg d, VReg n, VReg m) {
  SimdFp3(Three(0x18), "fmaxnm", t, d, n, m);
}
void Assembler::fminnm(Arr t, VReg d, VReg n, VReg m) {
  SimdFp3(kB23 | Three(0x18), "fminnm", t, d, n, m);
}
void Assembler::fcmeq(Arr t, VReg d, VReg n, VReg m) { SimdFp3(Three(0x1C), "fcmeq", t, d, n, m); }
void Assembler::fcmge(Arr t, VReg d, VReg n, VReg m) {
  SimdFp3(kU | Three(0x1C), "fcmge", t, d, n, m);
}
void Assembler::fcmgt(Arr t, VReg d, VReg n, VReg m) {
  SimdFp3(kU | kB23 | Three(0x1C), "fcmgt", t, d, n, m);
}
void Assembler::fabs(Arr t, VReg d, VReg n) { SimdFp2(kB23 | Misc(0x0F), "fabs", t, d, n); }
void Assembler::fneg(Arr t, VReg d, VReg n) { SimdFp2(kU | kB23 | Misc(0x0F), "fneg", t, d, n); }
void Assembler::fsqrt(Arr t, VReg d, VReg n) { SimdFp2(kU | kB23 | Misc(0x1F), "fsqrt", t, d, n); }
void Assembler::frintn(Arr t, VReg d, VReg n) { SimdFp2(Misc(0x18), "frintn", t, d, n); }
void Assembler::frintm(Arr t, VReg d, VReg n) { SimdFp2(Misc(0x19), "frintm", t, d, n); }
void Assembler::frintp(Arr t, VReg d, VReg n) { SimdFp2(kB23 | Misc(0x18), "frintp", t, d, n); }
void Assembler::frintz(Arr t, VReg d, VReg n) { SimdFp2(kB23 | Misc(0x19), "frintz", t, d, n); }
void Assembler::scvtf(Arr t, VReg d, VReg n) { SimdFp2(Misc(0x1D), "scvtf", t, d, n); }
void Assembler::ucvtf(Arr t, VReg d, VReg n) { SimdFp2(kU | Misc(0x1D), "ucvtf", t, d, n); }
void Assembler::fcvtzs(Arr t, VReg d, VReg n) { SimdFp2(kB23 | Misc(0x1B), "fcvtzs", t, d, n); }
void Assembler::fcvtzu(Arr t, VReg d, VReg n) {
  SimdFp2(kU | kB23 | Misc(0x1B), "fcvtzu", t, d, n);
}

void Assembler::fcvtl(VReg d, VReg n) {
  Emit(Misc(0x17) | (1u << 22) | (V(n) << 5) | V(d));
  Record("fcvtl v.2d, v.2s");
}
void Assembler::fcvtl2(VReg d, VReg n) {
  Emit(Misc(0x17) | (1u << 30) | (1u << 22) | (V(n) << 5) | V(d));
  Record("fcvtl2 v.2d, v.4s");
}
void Assembler::fcvtn(VReg d, VReg n) {
  Emit(Misc(0x16) | (1u << 22) | (V(n) << 5) | V(d));
  Record("fcvtn v.2s, v.2d");
}
void Assembler::fcvtn2(VReg d, VReg n) {
  Emit(Misc(0x16) | (1u << 30) | (1u << 22) | (V(n) << 5) | V(d));
  Record("fcvtn2 v.4s, v.2d");
}

}  // namespace tandem::jit::a64
