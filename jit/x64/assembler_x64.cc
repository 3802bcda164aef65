// assembler_x64.cc: x86-64 instruction encoding (Intel SDM vol. 2, chapter 2: REX, ModRM, SIB).
// Mirrors DESIGN.md "Code, not helpers"; the hex table in tests/x64_table.inc is the check.
#include "jit/x64/assembler_x64.h"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>

namespace tandem::jit::x64 {
namespace {

uint8_t Code(Gp r) { return static_cast<uint8_t>(r); }
uint8_t Code(Xmm r) { return static_cast<uint8_t>(r); }
uint8_t Code(Cond c) { return static_cast<uint8_t>(c); }

void Require(bool ok, const char* what) {
  if (!ok) throw AssemblerError(std::string("x64 assembler: ") + what);
}

void RequireW32or64(W w) { Require(w == W::k32 || w == W::k64, "width must be 32 or 64 bits"); }

const char* RegKind(W w) {
  switch (w) {
    case W::k8:
      return "r8";
    case W::k16:
      return "r16";
    case W::k32:
      return "r32";
    case W::k64:
      return "r64";
  }
  return "?";
}

const char* MemKind(W w) {
  switch (w) {
    case W::k8:
      return "m8";
    case W::k16:
      return "m16";
    case W::k32:
      return "m32";
    case W::k64:
      return "m64";
  }
  return "?";
}

const char* ImmKind(W w) {
  switch (w) {
    case W::k8:
      return "imm8";
    case W::k16:
      return "imm16";
    default:
      return "imm32";
  }
}

bool IsInt8(int32_t v) { return v >= -128 && v <= 127; }

}  // namespace

// --- Buffer ---------------------------------------------------------------------------------

void Assembler::Emit16(uint16_t v) {
  Emit8(v & 0xFF);
  Emit8(v >> 8);
}

void Assembler::Emit32(uint32_t v) {
  for (int i = 0; i < 4; ++i) Emit8(static_cast<uint8_t>(v >> (8 * i)));
}

void Assembler::Emit64(uint64_t v) {
  for (int i = 0; i < 8; ++i) Emit8(static_cast<uint8_t>(v >> (8 * i)));
}

void Assembler::patch_u32(size_t at, uint32_t v) {
  Require(at + 4 <= code_.size(), "patch_u32 out of range");
  for (int i = 0; i < 4; ++i) code_[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

namespace {

// Form ids interned per thread by the identity of Record's arguments (all string literals), so
// that recording an instruction costs a hash lookup instead of building a string.
struct FormKey {
  const char* p[4];
  bool operator==(const FormKey& o) const {
    return p[0] == o.p[0] && p[1] == o.p[1] && p[2] == o.p[2] && p[3] == o.p[3];
  }
};
struct FormKeyHash {
  size_t operator()(const FormKey& k) const {
    auto u = [](const char* q) { return static_cast<size_t>(reinterpret_cast<uintptr_t>(q)); };
    size_t h = u(k.p[0]) ^ (u(k.p[1]) * 3) ^ (u(k.p[2]) * 5) ^ (u(k.p[3]) * 7);
    return h ^ (h >> 7) ^ (h >> 13);
  }
};
struct FormTable {
  std::unordered_map<FormKey, uint32_t, FormKeyHash> ids;
  std::vector<std::string> names;
  // A direct-mapped cache in front of `ids` (the mnemonic pointer is never null, so an empty
  // slot never matches).
  static constexpr size_t kRecent = 512;
  struct Slot {
    FormKey key{{nullptr, nullptr, nullptr, nullptr}};
    uint32_t id = 0;
  };
  std::array<Slot, kRecent> recent;
  std::vector<uint32_t> order;  // form ids sorted by name (rebuilt when stale)
};
FormTable& Forms() {
  thread_local FormTable table;
  return table;
}

}  // namespace

void Assembler::Record(const char* mnemonic, const char* a, const char* b, const char* c) {
  if (recorder_ == nullptr && !collecting_) return;
  if (form_table_ == nullptr) form_table_ = &Forms();
  FormTable& t = *static_cast<FormTable*>(form_table_);
  FormKey key{{mnemonic, a, b, c}};
  FormTable::Slot& slot = t.recent[FormKeyHash()(key) % FormTable::kRecent];
  uint32_t id = slot.id;
  if (!(slot.key == key)) {
    auto [it, added] = t.ids.try_emplace(key, static_cast<uint32_t>(t.names.size()));
    if (added) {
      std::string form = mnemonic;
      if (a != nullptr) form += std::string(" ") + a;
      if (b != nullptr) form += std::string(", ") + b;
      if (c != nullptr) form += std::string(", ") + c;
      t.names.push_back(std::move(form));
    }
    id = it->second;
    slot = FormTable::Slot{key, id};
  }
  if (id >= form_seen_.size()) form_seen_.resize(id + 64, 0);
  if (!form_seen_[id]) {
    form_seen_[id] = 1;
    if (recorder_ != nullptr) recorder_->insert(t.names[id]);
    if (collecting_) collected_.push_back(id);
  }
}

std::vector<std::string> Assembler::take_forms() {
  FormTable& t = Forms();
  if (t.order.size() != t.names.size()) {
    t.order.resize(t.names.size());
    for (uint32_t i = 0; i < t.order.size(); ++i) t.order[i] = i;
    std::sort(t.order.begin(), t.order.end(),
              [&](uint32_t x, uint32_t y) { return t.names[x] < t.names[y]; });
  }
  // Walk the forms in sorted order and keep the ones this assembler emitted (no sort here).
  std::vector<std::string> out;
  out.reserve(collected_.size());
  for (uint32_t id : t.order) {
    if (id >= form_seen_.size() || !form_seen_[id]) continue;
    if (out.empty() || out.back() != t.names[id]) out.push_back(t.names[id]);
  }
  for (uint32_t id : collected_) form_seen_[id] = 0;
  collected_.clear();
  return out;
}

// --- Labels ---------------------------------------------------------------------------------

void Assembler::bind(Label& l) {
  Require(!l.bound(), "label bound twice");
  l.pos_ = code_.size();
  for (size_t use : l.uses_) {
    patch_u32(use,
              static_cast<uint32_t>(static_cast<int64_t>(l.pos_) - static_cast<int64_t>(use + 4)));
  }
  l.uses_.clear();
}

// Emits a rel32 field that ends the instruction, relative to the instruction's end.
void Assembler::EmitRel32(Label& target) {
  size_t field = code_.size();
  if (target.bound()) {
    Emit32(
        static_cast<uint32_t>(static_cast<int64_t>(target.pos_) - static_cast<int64_t>(field + 4)));
  } else {
    target.uses_.push_back(field);
    Emit32(0);
  }
}

// --- Encoding core --------------------------------------------------------------------------

Assembler::Op Assembler::MakeOp(W w, uint8_t op8, uint8_t op, bool byte_reg_field) {
  Op o;
  o.prefix = w == W::k16 ? 0x66 : 0;
  o.rex_w = w == W::k64;
  o.byte_reg = w == W::k8 && byte_reg_field;
  o.byte_rm = w == W::k8;
  o.opcode[0] = w == W::k8 ? op8 : op;
  return o;
}

Assembler::Op Assembler::MakeSse(uint8_t prefix, std::initializer_list<uint8_t> op, bool rex_w) {
  Op o;
  o.prefix = prefix;
  o.rex_w = rex_w;
  o.len = 0;
  for (uint8_t b : op) o.opcode[o.len++] = b;
  return o;
}

void Assembler::EmitRR(const Op& op, uint8_t reg, uint8_t rm) {
  bool force = (op.byte_reg && reg >= 4 && reg < 8) || (op.byte_rm && rm >= 4 && rm < 8);
  if (op.prefix != 0) Emit8(op.prefix);
  uint8_t rex = 0x40 | (op.rex_w ? 8 : 0) | ((reg >> 3) << 2) | (rm >> 3);
  if (rex != 0x40 || force) Emit8(rex);
  for (uint8_t i = 0; i < op.len; ++i) Emit8(op.opcode[i]);
  Emit8(0xC0 | ((reg & 7) << 3) | (rm & 7));
}

void Assembler::EmitRM(const Op& op, uint8_t reg, const Mem& m) {
  uint8_t base = Code(m.base);
  uint8_t index = m.index ? Code(*m.index) : 0;
  Require(!m.index || *m.index != Gp::rsp, "rsp cannot be an index register");
  uint8_t scale_bits = 0;
  switch (m.scale) {
    case 1:
      scale_bits = 0;
      break;
    case 2:
      scale_bits = 1;
      break;
    case 4:
      scale_bits = 2;
      break;
    case 8:
      scale_bits = 3;
      break;
    default:
      Require(false, "scale must be 1, 2, 4 or 8");
  }
  bool force = op.byte_reg && reg >= 4 && reg < 8;
  if (op.prefix != 0) Emit8(op.prefix);
  uint8_t rex = 0x40 | (op.rex_w ? 8 : 0) | ((reg >> 3) << 2) | ((index >> 3) << 1) | (base >> 3);
  if (rex != 0x40 || force) Emit8(rex);
  for (uint8_t i = 0; i < op.len; ++i) Emit8(op.opcode[i]);

  // rbp/r13 (low bits 101) cannot use mod 00, which means rip/disp32; give them a disp8 of 0.
  uint8_t mod;
  if (m.disp == 0 && (base & 7) != 5) {
    mod = 0;
  } else if (IsInt8(m.disp)) {
    mod = 1;
  } else {
    mod = 2;
  }
  // rsp/r12 (low bits 100) in r/m means "a SIB byte follows", so they always need one.
  bool sib = m.index.has_value() || (base & 7) == 4;
  Emit8((mod << 6) | ((reg & 7) << 3) | (sib ? 4 : (base & 7)));
  if (sib) {
    uint8_t idx = m.index ? (index & 7) : 4;  // 100 without REX.X: no index
    Emit8((scale_bits << 6) | (idx << 3) | (base & 7));
  }
  if (mod == 1) Emit8(static_cast<uint8_t>(m.disp));
  if (mod == 2) Emit32(static_cast<uint32_t>(m.disp));
}

// --- Moves ----------------------------------------------------------------------------------

void Assembler::mov(W w, Gp dst, Gp src) {
  EmitRR(MakeOp(w, 0x88, 0x89, true), Code(src), Code(dst));
  Record("mov", RegKind(w), RegKind(w));
}

void Assembler::mov(W w, Gp dst, int32_t imm) {
  RequireW32or64(w);
  if (w == W::k32) {
    if (Code(dst) >= 8) Emit8(0x41);
    Emit8(0xB8 + (Code(dst) & 7));
    Emit32(static_cast<uint32_t>(imm));
    Record("mov", "r32", "imm32");
  } else {
    EmitRR(MakeOp(w, 0, 0xC7, false), 0, Code(dst));
    Emit32(static_cast<uint32_t>(imm));
    Record("mov", "r64", "imm32");
  }
}

void Assembler::mov(W w, Gp dst, const Mem& src) {
  EmitRM(MakeOp(w, 0x8A, 0x8B, true), Code(dst), src);
  Record("mov", RegKind(w), MemKind(w));
}

void Assembler::mov(W w, const Mem& dst, Gp src) {
  EmitRM(MakeOp(w, 0x88, 0x89, true), Code(src), dst);
  Record("mov", MemKind(w), RegKind(w));
}

void Assembler::mov(W w, const Mem& dst, int32_t imm) {
  EmitRM(MakeOp(w, 0xC6, 0xC7, false), 0, dst);
  if (w == W::k8) {
    Emit8(static_cast<uint8_t>(imm));
  } else if (w == W::k16) {
    Emit16(static_cast<uint16_t>(imm));
  } else {
    Emit32(static_cast<uint32_t>(imm));
  }
  Record("mov", MemKind(w), ImmKind(w));
}

void Assembler::movabs(Gp dst, uint64_t imm) {
  Emit8(0x48 | (Code(dst) >> 3));
  Emit8(0xB8 + (Code(dst) & 7));
  Emit64(imm);
  Record("movabs", "r64", "imm64");
}

void Assembler::Extend(bool sign, const char* name, W w, Gp dst, W src_w, const Gp* src,
                       const Mem* m) {
  RequireW32or64(w);
  Require(src_w == W::k8 || src_w == W::k16, "extension source must be 8 or 16 bits");
  Op op = MakeSse(0, {0x0F, static_cast<uint8_t>((sign ? 0xBE : 0xB6) + (src_w == W::k16))},
                  w == W::k64);
  if (src != nullptr) {
    op.byte_rm = src_w == W::k8;
    EmitRR(op, Code(dst), Code(*src));
    Record(name, RegKind(w), RegKind(src_w));
  } else {
    EmitRM(op, Code(dst), *m);
    Record(name, RegKind(w), MemKind(src_w));
  }
}

void Assembler::movzx(W w, Gp dst, W src_w, Gp src) {
  Extend(false, "movzx", w, dst, src_w, &src, nullptr);
}
void Assembler::movzx(W w, Gp dst, W src_w, const Mem& src) {
  Extend(false, "movzx", w, dst, src_w, nullptr, &src);
}
void Assembler::movsx(W w, Gp dst, W src_w, Gp src) {
  Extend(true, "movsx", w, dst, src_w, &src, nullptr);
}
void Assembler::movsx(W w, Gp dst, W src_w, const Mem& src) {
  Extend(true, "movsx", w, dst, src_w, nullptr, &src);
}

void Assembler::movsxd(Gp dst, Gp src) {
  EmitRR(MakeOp(W::k64, 0, 0x63, false), Code(dst), Code(src));
  Record("movsxd", "r64", "r32");
}

void Assembler::movsxd(Gp dst, const Mem& src) {
  EmitRM(MakeOp(W::k64, 0, 0x63, false), Code(dst), src);
  Record("movsxd", "r64", "m32");
}

void Assembler::lea(W w, Gp dst, const Mem& src) {
  RequireW32or64(w);
  EmitRM(MakeOp(w, 0, 0x8D, false), Code(dst), src);
  Record("lea", RegKind(w), "m");
}

void Assembler::lea(Gp dst, Label& target) {
  Emit8(0x48 | ((Code(dst) >> 3) << 2));
  Emit8(0x8D);
  Emit8(((Code(dst) & 7) << 3) | 5);  // mod 00, r/m 101: [rip + disp32]
  EmitRel32(target);
  Record("lea", "r64", "rip");
}

void Assembler::xchg(W w, Gp a, Gp b) {
  RequireW32or64(w);
  if ((a == Gp::rax) != (b == Gp::rax)) {
    Gp other = a == Gp::rax ? b : a;
    uint8_t rex = 0x40 | (w == W::k64 ? 8 : 0) | (Code(other) >> 3);
    if (rex != 0x40) Emit8(rex);
    Emit8(0x90 + (Code(other) & 7));
    Record("xchg", w == W::k64 ? "rax" : "eax", RegKind(w));
    return;
  }
  EmitRR(MakeOp(w, 0, 0x87, false), Code(b), Code(a));
  Record("xchg", RegKind(w), RegKind(w));
}

// --- Integer ALU ----------------------------------------------------------------------------

void Assembler::AluRR(Alu a, const char* name, W w, Gp dst, Gp src) {
  uint8_t base = static_cast<uint8_t>(a) << 3;
  EmitRR(MakeOp(w, base, base | 1, true), Code(src), Code(dst));
  Record(name, RegKind(w), RegKind(w));
}

void Assembler::AluRI(Alu a, const char* name, W w, Gp dst, int32_t imm) {
  RequireW32or64(w);
  uint8_t ext = static_cast<uint8_t>(a);
  if (IsInt8(imm)) {
    EmitRR(MakeOp(w, 0, 0x83, false), ext, Code(dst));
    Emit8(static_cast<uint8_t>(imm));
    Record(name, RegKind(w), "imm8");
  } else if (dst == Gp::rax) {
    if (w == W::k64) Emit8(0x48);
    Emit8((ext << 3) | 5);
    Emit32(static_cast<uint32_t>(imm));
    Record(name, w == W::k64 ? "rax" : "eax", "imm32");
  } else {
    EmitRR(MakeOp(w, 0, 0x81, false), ext, Code(dst));
    Emit32(static_cast<uint32_t>(imm));
    Record(name, RegKind(w), "imm32");
  }
}

void Assembler::AluRM(Alu a, const char* name, W w, Gp dst, const Mem& src) {
  uint8_t base = static_cast<uint8_t>(a) << 3;
  EmitRM(MakeOp(w, base | 2, base | 3, true), Code(dst), src);
  Record(name, RegKind(w), MemKind(w));
}

void Assembler::AluMR(Alu a, const char* name, W w, const Mem& dst, Gp src) {
  uint8_t base = static_cast<uint8_t>(a) << 3;
  EmitRM(MakeOp(w, base, base | 1, true), Code(src), dst);
  Record(name, MemKind(w), RegKind(w));
}

void Assembler::AluMI(Alu a, const char* name, W w, const Mem& dst, int32_t imm) {
  RequireW32or64(w);
  uint8_t ext = static_cast<uint8_t>(a);
  bool short_imm = IsInt8(imm);
  EmitRM(MakeOp(w, 0, short_imm ? 0x83 : 0x81, false), ext, dst);
  if (short_imm) {
    Emit8(static_cast<uint8_t>(imm));
  } else {
    Emit32(static_cast<uint32_t>(imm));
  }
  Record(name, MemKind(w), short_imm ? "imm8" : "imm32");
}

#define TANDEM_X64_ALU(method, kind, name)                                                     \
  void Assembler::method(W w, Gp dst, Gp src) { AluRR(Alu::kind, name, w, dst, src); }         \
  void Assembler::method(W w, Gp dst, int32_t imm) { AluRI(Alu::kind, name, w, dst, imm); }    \
  void Assembler::method(W w, Gp dst, const Mem& src) { AluRM(Alu::kind, name, w, dst, src); } \
  void Assembler::method(W w, const Mem& dst, Gp src) { AluMR(Alu::kind, name, w, dst, src); } \
  void Assembler::method(W w, const Mem& dst, int32_t imm) { AluMI(Alu::kind, name, w, dst, imm); }
TANDEM_X64_ALU(add, kAdd, "add")
TANDEM_X64_ALU(or_, kOr, "or")
TANDEM_X64_ALU(and_, kAnd, "and")
TANDEM_X64_ALU(sub, kSub, "sub")
TANDEM_X64_ALU(xor_, kXor, "xor")
TANDEM_X64_ALU(cmp, kCmp, "cmp")
#undef TANDEM_X64_ALU

void Assembler::test(W w, Gp a, Gp b) {
  EmitRR(MakeOp(w, 0x84, 0x85, true), Code(b), Code(a));
  Record("test", RegKind(w), RegKind(w));
}

void Assembler::test(W w, Gp a, int32_t imm) {
  RequireW32or64(w);
  if (a == Gp::rax) {
    if (w == W::k64) Emit8(0x48);
    Emit8(0xA9);
    Record("test", w == W::k64 ? "rax" : "eax", "imm32");
  } else {
    EmitRR(MakeOp(w, 0, 0xF7, false), 0, Code(a));
    Record("test", RegKind(w), "imm32");
  }
  Emit32(static_cast<uint32_t>(imm));
}

void Assembler::test(W w, const Mem& a, Gp b) {
  EmitRM(MakeOp(w, 0x84, 0x85, true), Code(b), a);
  Record("test", MemKind(w), RegKind(w));
}

// --- Multiply, divide, unary ----------------------------------------------------------------

void Assembler::imul(W w, Gp dst, Gp src) {
  RequireW32or64(w);
  EmitRR(MakeSse(0, {0x0F, 0xAF}, w == W::k64), Code(dst), Code(src));
  Record("imul", RegKind(w), RegKind(w));
}

void Assembler::imul(W w, Gp dst, const Mem& src) {
  RequireW32or64(w);
  EmitRM(MakeSse(0, {0x0F, 0xAF}, w == W::k64), Code(dst), src);
  Record("imul", RegKind(w), MemKind(w));
}

void Assembler::imul(W w, Gp dst, Gp src, int32_t imm) {
  RequireW32or64(w);
  bool short_imm = IsInt8(imm);
  EmitRR(MakeOp(w, 0, short_imm ? 0x6B : 0x69, false), Code(dst), Code(src));
  if (short_imm) {
    Emit8(static_cast<uint8_t>(imm));
  } else {
    Emit32(static_cast<uint32_t>(imm));
  }
  Record("imul", RegKind(w), RegKind(w), short_imm ? "imm8" : "imm32");
}

void Assembler::Unary(uint8_t ext, const char* name, W w, Gp r) {
  RequireW32or64(w);
  EmitRR(MakeOp(w, 0, 0xF7, false), ext, Code(r));
  Record(name, RegKind(w));
}

void Assembler::neg(W w, Gp r) { Unary(3, "neg", w, r); }
void Assembler::not_(W w, Gp r) { Unary(2, "not", w, r); }
void Assembler::div(W w, Gp r) { Unary(6, "div", w, r); }
void Assembler::idiv(W w, Gp r) { Unary(7, "idiv", w, r); }

void Assembler::cdq() {
  Emit8(0x99);
  Record("cdq");
}

void Assembler::cqo() {
  Emit8(0x48);
  Emit8(0x99);
  Record("cqo");
}

// --- Shifts ---------------------------------------------------------------------------------

void Assembler::ShiftCl(Shift s, const char* name, W w, Gp r) {
  RequireW32or64(w);
  EmitRR(MakeOp(w, 0, 0xD3, false), static_cast<uint8_t>(s), Code(r));
  Record(name, RegKind(w), "cl");
}

void Assembler::ShiftImm(Shift s, const char* name, W w, Gp r, uint8_t imm) {
  RequireW32or64(w);
  if (imm == 1) {
    EmitRR(MakeOp(w, 0, 0xD1, false), static_cast<uint8_t>(s), Code(r));
    Record(name, RegKind(w), "1");
    return;
  }
  EmitRR(MakeOp(w, 0, 0xC1, false), static_cast<uint8_t>(s), Code(r));
  Emit8(imm);
  Record(name, RegKind(w), "imm8");
}

void Assembler::shl(W w, Gp r) { ShiftCl(Shift::kShl, "shl", w, r); }
void Assembler::shl(W w, Gp r, uint8_t imm) { ShiftImm(Shift::kShl, "shl", w, r, imm); }
void Assembler::shr(W w, Gp r) { ShiftCl(Shift::kShr, "shr", w, r); }
void Assembler::shr(W w, Gp r, uint8_t imm) { ShiftImm(Shift::kShr, "shr", w, r, imm); }
void Assembler::sar(W w, Gp r) { ShiftCl(Shift::kSar, "sar", w, r); }
void Assembler::sar(W w, Gp r, uint8_t imm) { ShiftImm(Shift::kSar, "sar", w, r, imm); }
void Assembler::rol(W w, Gp r) { ShiftCl(Shift::kRol, "rol", w, r); }
void Assembler::rol(W w, Gp r, uint8_t imm) { ShiftImm(Shift::kRol, "rol", w, r, imm); }
void Assembler::ror(W w, Gp r) { ShiftCl(Shift::kRor, "ror", w, r); }
void Assembler::ror(W w, Gp r, uint8_t imm) { ShiftImm(Shift::kRor, "ror", w, r, imm); }

// --- Bit counting ---------------------------------------------------------------------------

void Assembler::BitCount(uint8_t prefix, uint8_t op, const char* name, W w, Gp dst, Gp src) {
  RequireW32or64(w);
  EmitRR(MakeSse(prefix, {0x0F, op}, w == W::k64), Code(dst), Code(src));
  Record(name, RegKind(w), RegKind(w));
}

void Assembler::lzcnt(W w, Gp dst, Gp src) { BitCount(0xF3, 0xBD, "lzcnt", w, dst, src); }
void Assembler::tzcnt(W w, Gp dst, Gp src) { BitCount(0xF3, 0xBC, "tzcnt", w, dst, src); }
void Assembler::popcnt(W w, Gp dst, Gp src) { BitCount(0xF3, 0xB8, "popcnt", w, dst, src); }
void Assembler::bsr(W w, Gp dst, Gp src) { BitCount(0, 0xBD, "bsr", w, dst, src); }
void Assembler::bsf(W w, Gp dst, Gp src) { BitCount(0, 0xBC, "bsf", w, dst, src); }

// --- Flags consumers ------------------------------------------------------------------------

void Assembler::setcc(Cond c, Gp dst) {
  Op op = MakeSse(0, {0x0F, static_cast<uint8_t>(0x90 + Code(c))});
  op.byte_rm = true;
  EmitRR(op, 0, Code(dst));
  Record("setcc", "r8");
}

void Assembler::cmovcc(Cond c, W w, Gp dst, Gp src) {
  RequireW32or64(w);
  EmitRR(MakeSse(0, {0x0F, static_cast<uint8_t>(0x40 + Code(c))}, w == W::k64), Code(dst),
         Code(src));
  Record("cmovcc", RegKind(w), RegKind(w));
}

// --- Control flow ---------------------------------------------------------------------------

void Assembler::jmp(Label& target) {
  Emit8(0xE9);
  EmitRel32(target);
  Record("jmp", "rel32");
}

void Assembler::jmp(Gp target) {
  EmitRR(MakeOp(W::k32, 0, 0xFF, false), 4, Code(target));
  Record("jmp", "r64");
}

void Assembler::jmp(const Mem& target) {
  EmitRM(MakeOp(W::k32, 0, 0xFF, false), 4, target);
  Record("jmp", "m64");
}

void Assembler::jcc(Cond c, Label& target) {
  Emit8(0x0F);
  Emit8(0x80 + Code(c));
  EmitRel32(target);
  Record("jcc", "rel32");
}

void Assembler::call(Label& target) {
  Emit8(0xE8);
  EmitRel32(target);
  Record("call", "rel32");
}

void Assembler::call(Gp target) {
  EmitRR(MakeOp(W::k32, 0, 0xFF, false), 2, Code(target));
  Record("call", "r64");
}

void Assembler::call(const Mem& target) {
  EmitRM(MakeOp(W::k32, 0, 0xFF, false), 2, target);
  Record("call", "m64");
}

void Assembler::ret() {
  Emit8(0xC3);
  Record("ret");
}

void Assembler::push(Gp r) {
  if (Code(r) >= 8) Emit8(0x41);
  Emit8(0x50 + (Code(r) & 7));
  Record("push", "r64");
}

void Assembler::pop(Gp r) {
  if (Code(r) >= 8) Emit8(0x41);
  Emit8(0x58 + (Code(r) & 7));
  Record("pop", "r64");
}

void Assembler::int3() {
  Emit8(0xCC);
  Record("int3");
}

void Assembler::ud2() {
  Emit8(0x0F);
  Emit8(0x0B);
  Record("ud2");
}

void Assembler::nop() {
  Emit8(0x90);
  Record("nop");
}

// --- SSE ------------------------------------------------------------------------------------

void Assembler::SseRR(uint8_t prefix, uint8_t op, const char* form, Xmm dst, Xmm src) {
  EmitRR(MakeSse(prefix, {0x0F, op}), Code(dst), Code(src));
  Record(form, "x", "x");
}

void Assembler::SseRM(uint8_t prefix, uint8_t op, const char* form, Xmm dst, const Mem& src) {
  EmitRM(MakeSse(prefix, {0x0F, op}), Code(dst), src);
  Record(form, "x", prefix == 0xF3 ? "m32" : prefix == 0xF2 ? "m64" : "m128");
}

void Assembler::movss(Xmm dst, Xmm src) { SseRR(0xF3, 0x10, "movss", dst, src); }
void Assembler::movss(Xmm dst, const Mem& src) { SseRM(0xF3, 0x10, "movss", dst, src); }
void Assembler::movss(const Mem& dst, Xmm src) {
  EmitRM(MakeSse(0xF3, {0x0F, 0x11}), Code(src), dst);
  Record("movss", "m32", "x");
}
void Assembler::movsd(Xmm dst, Xmm src) { SseRR(0xF2, 0x10, "movsd", dst, src); }
void Assembler::movsd(Xmm dst, const Mem& src) { SseRM(0xF2, 0x10, "movsd", dst, src); }
void Assembler::movsd(const Mem& dst, Xmm src) {
  EmitRM(MakeSse(0xF2, {0x0F, 0x11}), Code(src), dst);
  Record("movsd", "m64", "x");
}

void Assembler::movd(Xmm dst, Gp src) {
  EmitRR(MakeSse(0x66, {0x0F, 0x6E}), Code(dst), Code(src));
  Record("movd", "x", "r32");
}
void Assembler::movd(Gp dst, Xmm src) {
  EmitRR(MakeSse(0x66, {0x0F, 0x7E}), Code(src), Code(dst));
  Record("movd", "r32", "x");
}
void Assembler::movq(Xmm dst, Gp src) {
  EmitRR(MakeSse(0x66, {0x0F, 0x6E}, true), Code(dst), Code(src));
  Record("movq", "x", "r64");
}
void Assembler::movq(Gp dst, Xmm src) {
  EmitRR(MakeSse(0x66, {0x0F, 0x7E}, true), Code(src), Code(dst));
  Record("movq", "r64", "x");
}

void Assembler::movaps(Xmm dst, Xmm src) { SseRR(0, 0x28, "movaps", dst, src); }
void Assembler::movapd(Xmm dst, Xmm src) { SseRR(0x66, 0x28, "movapd", dst, src); }

#define TANDEM_X64_SSE_ARITH(name, op)                                                         \
  void Assembler::name##ss(Xmm dst, Xmm src) { SseRR(0xF3, op, #name "ss", dst, src); }        \
  void Assembler::name##ss(Xmm dst, const Mem& src) { SseRM(0xF3, op, #name "ss", dst, src); } \
  void Assembler::name##sd(Xmm dst, Xmm src) { SseRR(0xF2, op, #name "sd", dst, src); }        \
  void Assembler::name##sd(Xmm dst, const Mem& src) { SseRM(0xF2, op, #name "sd", dst, src); }
TANDEM_X64_SSE_ARITH(add, 0x58)
TANDEM_X64_SSE_ARITH(mul, 0x59)
TANDEM_X64_SSE_ARITH(sub, 0x5C)
TANDEM_X64_SSE_ARITH(div, 0x5E)
#undef TANDEM_X64_SSE_ARITH

void Assembler::sqrtss(Xmm dst, Xmm src) { SseRR(0xF3, 0x51, "sqrtss", dst, src); }
void Assembler::sqrtsd(Xmm dst, Xmm src) { SseRR(0xF2, 0x51, "sqrtsd", dst, src); }
void Assembler::minss(Xmm dst, Xmm src) { SseRR(0xF3, 0x5D, "minss", dst, src); }
void Assembler::minsd(Xmm dst, Xmm src) { SseRR(0xF2, 0x5D, "minsd", dst, src); }
void Assembler::maxss(Xmm dst, Xmm src) { SseRR(0xF3, 0x5F, "maxss", dst, src); }
void Assembler::maxsd(Xmm dst, Xmm src) { SseRR(0xF2, 0x5F, "maxsd", dst, src); }

void Assembler::ucomiss(Xmm a, Xmm b) { SseRR(0, 0x2E, "ucomiss", a, b); }
void Assembler::ucomiss(Xmm a, const Mem& b) {
  EmitRM(MakeSse(0, {0x0F, 0x2E}), Code(a), b);
  Record("ucomiss", "x", "m32");
}
void Assembler::ucomisd(Xmm a, Xmm b) { SseRR(0x66, 0x2E, "ucomisd", a, b); }
void Assembler::ucomisd(Xmm a, const Mem& b) {
  EmitRM(MakeSse(0x66, {0x0F, 0x2E}), Code(a), b);
  Record("ucomisd", "x", "m64");
}

void Assembler::roundss(Xmm dst, Xmm src, uint8_t mode) {
  EmitRR(MakeSse(0x66, {0x0F, 0x3A, 0x0A}), Code(dst), Code(src));
  Emit8(mode);
  Record("roundss", "x", "x", "imm8");
}

void Assembler::roundsd(Xmm dst, Xmm src, uint8_t mode) {
  EmitRR(MakeSse(0x66, {0x0F, 0x3A, 0x0B}), Code(dst), Code(src));
  Emit8(mode);
  Record("roundsd", "x", "x", "imm8");
}

void Assembler::cvtsi2ss(W w, Xmm dst, Gp src) {
  RequireW32or64(w);
  EmitRR(MakeSse(0xF3, {0x0F, 0x2A}, w == W::k64), Code(dst), Code(src));
  Record("cvtsi2ss", "x", RegKind(w));
}

void Assembler::cvtsi2sd(W w, Xmm dst, Gp src) {
  RequireW32or64(w);
  EmitRR(MakeSse(0xF2, {0x0F, 0x2A}, w == W::k64), Code(dst), Code(src));
  Record("cvtsi2sd", "x", RegKind(w));
}

void Assembler::cvttss2si(W w, Gp dst, Xmm src) {
  RequireW32or64(w);
  EmitRR(MakeSse(0xF3, {0x0F, 0x2C}, w == W::k64), Code(dst), Code(src));
  Record("cvttss2si", RegKind(w), "x");
}

void Assembler::cvttsd2si(W w, Gp dst, Xmm src) {
  RequireW32or64(w);
  EmitRR(MakeSse(0xF2, {0x0F, 0x2C}, w == W::k64), Code(dst), Code(src));
  Record("cvttsd2si", RegKind(w), "x");
}

void Assembler::cvtss2sd(Xmm dst, Xmm src) { SseRR(0xF3, 0x5A, "cvtss2sd", dst, src); }
void Assembler::cvtsd2ss(Xmm dst, Xmm src) { SseRR(0xF2, 0x5A, "cvtsd2ss", dst, src); }

void Assembler::andps(Xmm dst, Xmm src) { SseRR(0, 0x54, "andps", dst, src); }
void Assembler::andps(Xmm dst, const Mem& src) { SseRM(0, 0x54, "andps", dst, src); }
void Assembler::andpd(Xmm dst, Xmm src) { SseRR(0x66, 0x54, "andpd", dst, src); }
void Assembler::andpd(Xmm dst, const Mem& src) { SseRM(0x66, 0x54, "andpd", dst, src); }
void Assembler::andnps(Xmm dst, Xmm src) { SseRR(0, 0x55, "andnps", dst, src); }
void Assembler::andnpd(Xmm dst, Xmm src) { SseRR(0x66, 0x55, "andnpd", dst, src); }
void Assembler::orps(Xmm dst, Xmm src) { SseRR(0, 0x56, "orps", dst, src); }
void Assembler::orpd(Xmm dst, Xmm src) { SseRR(0x66, 0x56, "orpd", dst, src); }
void Assembler::xorps(Xmm dst, Xmm src) { SseRR(0, 0x57, "xorps", dst, src); }
void Assembler::xorps(Xmm dst, const Mem& src) { SseRM(0, 0x57, "xorps", dst, src); }
void Assembler::xorpd(Xmm dst, Xmm src) { SseRR(0x66, 0x57, "xorpd", dst, src); }
void Assembler::xorpd(Xmm dst, const Mem& src) { SseRM(0x66, 0x57, "xorpd", dst, src); }

// --- Packed SSE (128-bit SIMD) --------------------------------------------------------------

void Assembler::Sse38RR(uint8_t op, const char* form, Xmm dst, Xmm src) {
  EmitRR(MakeSse(0x66, {0x0F, 0x38, op}), Code(dst), Code(src));
  Record(form, "x", "x");
}

void Assembler::SseRRI(const Op& op, const char* form, Xmm dst, Xmm src, uint8_t imm) {
  EmitRR(op, Code(dst), Code(src));
  Emit8(imm);
  Record(form, "x", "x", "imm8");
}

// 66 0F 71/72/73 /ext ib: the register is the r/m operand, the reg field extends the opcode.
void Assembler::SseShiftImm(uint8_t op, uint8_t ext, const char* form, Xmm dst, uint8_t count) {
  EmitRR(MakeSse(0x66, {0x0F, op}), ext, Code(dst));
  Emit8(count);
  Record(form, "x", "imm8");
}

void Assembler::InsertLane(const Op& op, const char* form, const char* kind, Xmm dst, Gp src,
                           uint8_t lane) {
  EmitRR(op, Code(dst), Code(src));
  Emit8(lane);
  Record(form, "x", kind, "imm8");
}

// The 0F 3A extracts: the xmm is the reg operand, the destination the r/m operand.
void Assembler::ExtractLane(const Op& op, const char* form, const char* kind, Gp dst, Xmm src,
                            uint8_t lane) {
  EmitRR(op, Code(src), Code(dst));
  Emit8(lane);
  Record(form, kind, "x", "imm8");
}

void Assembler::MoveMask(uint8_t prefix, uint8_t op, const char* form, Gp dst, Xmm src) {
  EmitRR(MakeSse(prefix, {0x0F, op}), Code(dst), Code(src));
  Record(form, "r32", "x");
}

void Assembler::movdqu(Xmm dst, const Mem& src) {
  EmitRM(MakeSse(0xF3, {0x0F, 0x6F}), Code(dst), src);
  Record("movdqu", "x", "m128");
}
void Assembler::movdqu(const Mem& dst, Xmm src) {
  EmitRM(MakeSse(0xF3, {0x0F, 0x7F}), Code(src), dst);
  Record("movdqu", "m128", "x");
}
void Assembler::movdqa(Xmm dst, Xmm src) { SseRR(0x66, 0x6F, "movdqa", dst, src); }

// 66 0F op (SSE2 integer) and 66 0F 38 op (SSSE3/SSE4.1) register-register forms.
#define TANDEM_X64_SSE_66(name, op) \
  void Assembler::name(Xmm dst, Xmm src) { SseRR(0x66, op, #name, dst, src); }
#define TANDEM_X64_SSE_38(name, op) \
  void Assembler::name(Xmm dst, Xmm src) { Sse38RR(op, #name, dst, src); }
TANDEM_X64_SSE_66(paddb, 0xFC)
TANDEM_X64_SSE_66(paddw, 0xFD)
TANDEM_X64_SSE_66(paddd, 0xFE)
TANDEM_X64_SSE_66(paddq, 0xD4)
TANDEM_X64_SSE_66(psubb, 0xF8)
TANDEM_X64_SSE_66(psubw, 0xF9)
TANDEM_X64_SSE_66(psubd, 0xFA)
TANDEM_X64_SSE_66(psubq, 0xFB)
TANDEM_X64_SSE_66(paddsb, 0xEC)
TANDEM_X64_SSE_66(paddsw, 0xED)
TANDEM_X64_SSE_66(paddusb, 0xDC)
TANDEM_X64_SSE_66(paddusw, 0xDD)
TANDEM_X64_SSE_66(psubsb, 0xE8)
TANDEM_X64_SSE_66(psubsw, 0xE9)
TANDEM_X64_SSE_66(psubusb, 0xD8)
TANDEM_X64_SSE_66(psubusw, 0xD9)
TANDEM_X64_SSE_66(pmullw, 0xD5)
TANDEM_X64_SSE_38(pmulld, 0x40)
TANDEM_X64_SSE_66(pmuludq, 0xF4)
TANDEM_X64_SSE_66(pmaddwd, 0xF5)
TANDEM_X64_SSE_38(pmulhrsw, 0x0B)
TANDEM_X64_SSE_66(pavgb, 0xE0)
TANDEM_X64_SSE_66(pavgw, 0xE3)
TANDEM_X64_SSE_38(pabsb, 0x1C)
TANDEM_X64_SSE_38(pabsw, 0x1D)
TANDEM_X64_SSE_38(pabsd, 0x1E)
TANDEM_X64_SSE_38(pminsb, 0x38)
TANDEM_X64_SSE_66(pminsw, 0xEA)
TANDEM_X64_SSE_38(pminsd, 0x39)
TANDEM_X64_SSE_66(pminub, 0xDA)
TANDEM_X64_SSE_38(pminuw, 0x3A)
TANDEM_X64_SSE_38(pminud, 0x3B)
TANDEM_X64_SSE_38(pmaxsb, 0x3C)
TANDEM_X64_SSE_66(pmaxsw, 0xEE)
TANDEM_X64_SSE_38(pmaxsd, 0x3D)
TANDEM_X64_SSE_66(pmaxub, 0xDE)
TANDEM_X64_SSE_38(pmaxuw, 0x3E)
TANDEM_X64_SSE_38(pmaxud, 0x3F)
TANDEM_X64_SSE_66(pcmpeqb, 0x74)
TANDEM_X64_SSE_66(pcmpeqw, 0x75)
TANDEM_X64_SSE_66(pcmpeqd, 0x76)
TANDEM_X64_SSE_38(pcmpeqq, 0x29)
TANDEM_X64_SSE_66(pcmpgtb, 0x64)
TANDEM_X64_SSE_66(pcmpgtw, 0x65)
TANDEM_X64_SSE_66(pcmpgtd, 0x66)
TANDEM_X64_SSE_38(pcmpgtq, 0x37)
TANDEM_X64_SSE_66(pand, 0xDB)
TANDEM_X64_SSE_66(pandn, 0xDF)
TANDEM_X64_SSE_66(por, 0xEB)
TANDEM_X64_SSE_66(pxor, 0xEF)
TANDEM_X64_SSE_38(ptest, 0x17)
TANDEM_X64_SSE_66(psllw, 0xF1)
TANDEM_X64_SSE_66(pslld, 0xF2)
TANDEM_X64_SSE_66(psllq, 0xF3)
TANDEM_X64_SSE_66(psrlw, 0xD1)
TANDEM_X64_SSE_66(psrld, 0xD2)
TANDEM_X64_SSE_66(psrlq, 0xD3)
TANDEM_X64_SSE_66(psraw, 0xE1)
TANDEM_X64_SSE_66(psrad, 0xE2)
TANDEM_X64_SSE_38(pshufb, 0x00)
TANDEM_X64_SSE_66(punpcklbw, 0x60)
TANDEM_X64_SSE_66(punpcklwd, 0x61)
TANDEM_X64_SSE_66(punpckldq, 0x62)
TANDEM_X64_SSE_66(punpcklqdq, 0x6C)
TANDEM_X64_SSE_66(punpckhbw, 0x68)
TANDEM_X64_SSE_66(punpckhwd, 0x69)
TANDEM_X64_SSE_66(punpckhdq, 0x6A)
TANDEM_X64_SSE_66(punpckhqdq, 0x6D)
TANDEM_X64_SSE_66(packsswb, 0x63)
TANDEM_X64_SSE_66(packssdw, 0x6B)
TANDEM_X64_SSE_66(packuswb, 0x67)
TANDEM_X64_SSE_38(packusdw, 0x2B)
TANDEM_X64_SSE_38(pmovsxbw, 0x20)
TANDEM_X64_SSE_38(pmovsxwd, 0x23)
TANDEM_X64_SSE_38(pmovsxdq, 0x25)
TANDEM_X64_SSE_38(pmovzxbw, 0x30)
TANDEM_X64_SSE_38(pmovzxwd, 0x33)
TANDEM_X64_SSE_38(pmovzxdq, 0x35)
#undef TANDEM_X64_SSE_66
#undef TANDEM_X64_SSE_38

// Variable blends read their mask from xmm0, which has no encoding of its own.
void Assembler::pblendvb(Xmm dst, Xmm src) {
  EmitRR(MakeSse(0x66, {0x0F, 0x38, 0x10}), Code(dst), Code(src));
  Record("pblendvb", "x", "x", "xmm0");
}
void Assembler::blendvps(Xmm dst, Xmm src) {
  EmitRR(MakeSse(0x66, {0x0F, 0x38, 0x14}), Code(dst), Code(src));
  Record("blendvps", "x", "x", "xmm0");
}
void Assembler::blendvpd(Xmm dst, Xmm src) {
  EmitRR(MakeSse(0x66, {0x0F, 0x38, 0x15}), Code(dst), Code(src));
  Record("blendvpd", "x", "x", "xmm0");
}

void Assembler::psllw(Xmm dst, uint8_t count) { SseShiftImm(0x71, 6, "psllw", dst, count); }
void Assembler::pslld(Xmm dst, uint8_t count) { SseShiftImm(0x72, 6, "pslld", dst, count); }
void Assembler::psllq(Xmm dst, uint8_t count) { SseShiftImm(0x73, 6, "psllq", dst, count); }
void Assembler::psrlw(Xmm dst, uint8_t count) { SseShiftImm(0x71, 2, "psrlw", dst, count); }
void Assembler::psrld(Xmm dst, uint8_t count) { SseShiftImm(0x72, 2, "psrld", dst, count); }
void Assembler::psrlq(Xmm dst, uint8_t count) { SseShiftImm(0x73, 2, "psrlq", dst, count); }
void Assembler::psraw(Xmm dst, uint8_t count) { SseShiftImm(0x71, 4, "psraw", dst, count); }
void Assembler::psrad(Xmm dst, uint8_t count) { SseShiftImm(0x72, 4, "psrad", dst, count); }
void Assembler::pslldq(Xmm dst, uint8_t bytes) { SseShiftImm(0x73, 7, "pslldq", dst, bytes); }
void Assembler::psrldq(Xmm dst, uint8_t bytes) { SseShiftImm(0x73, 3, "psrldq", dst, bytes); }

void Assembler::pshufd(Xmm dst, Xmm src, uint8_t imm) {
  SseRRI(MakeSse(0x66, {0x0F, 0x70}), "pshufd", dst, src, imm);
}
void Assembler::pshuflw(Xmm dst, Xmm src, uint8_t imm) {
  SseRRI(MakeSse(0xF2, {0x0F, 0x70}), "pshuflw", dst, src, imm);
}
void Assembler::pshufhw(Xmm dst, Xmm src, uint8_t imm) {
  SseRRI(MakeSse(0xF3, {0x0F, 0x70}), "pshufhw", dst, src, imm);
}
void Assembler::palignr(Xmm dst, Xmm src, uint8_t bytes) {
  SseRRI(MakeSse(0x66, {0x0F, 0x3A, 0x0F}), "palignr", dst, src, bytes);
}
void Assembler::shufps(Xmm dst, Xmm src, uint8_t imm) {
  SseRRI(MakeSse(0, {0x0F, 0xC6}), "shufps", dst, src, imm);
}
void Assembler::pblendw(Xmm dst, Xmm src, uint8_t mask) {
  SseRRI(MakeSse(0x66, {0x0F, 0x3A, 0x0E}), "pblendw", dst, src, mask);
}
void Assembler::insertps(Xmm dst, Xmm src, uint8_t imm) {
  SseRRI(MakeSse(0x66, {0x0F, 0x3A, 0x21}), "insertps", dst, src, imm);
}
void Assembler::cmpps(Xmm dst, Xmm src, uint8_t pred) {
  SseRRI(MakeSse(0, {0x0F, 0xC2}), "cmpps", dst, src, pred);
}
void Assembler::cmppd(Xmm dst, Xmm src, uint8_t pred) {
  SseRRI(MakeSse(0x66, {0x0F, 0xC2}), "cmppd", dst, src, pred);
}
void Assembler::roundps(Xmm dst, Xmm src, uint8_t mode) {
  SseRRI(MakeSse(0x66, {0x0F, 0x3A, 0x08}), "roundps", dst, src, mode);
}
void Assembler::roundpd(Xmm dst, Xmm src, uint8_t mode) {
  SseRRI(MakeSse(0x66, {0x0F, 0x3A, 0x09}), "roundpd", dst, src, mode);
}

void Assembler::pinsrb(Xmm dst, Gp src, uint8_t lane) {
  InsertLane(MakeSse(0x66, {0x0F, 0x3A, 0x20}), "pinsrb", "r32", dst, src, lane);
}
void Assembler::pinsrw(Xmm dst, Gp src, uint8_t lane) {
  InsertLane(MakeSse(0x66, {0x0F, 0xC4}), "pinsrw", "r32", dst, src, lane);
}
void Assembler::pinsrd(Xmm dst, Gp src, uint8_t lane) {
  InsertLane(MakeSse(0x66, {0x0F, 0x3A, 0x22}), "pinsrd", "r32", dst, src, lane);
}
void Assembler::pinsrq(Xmm dst, Gp src, uint8_t lane) {
  InsertLane(MakeSse(0x66, {0x0F, 0x3A, 0x22}, true), "pinsrq", "r64", dst, src, lane);
}
void Assembler::pextrb(Gp dst, Xmm src, uint8_t lane) {
  ExtractLane(MakeSse(0x66, {0x0F, 0x3A, 0x14}), "pextrb", "r32", dst, src, lane);
}
// The SSE2 form (0F C5): unlike the 0F 3A extracts, the destination is the reg operand.
void Assembler::pextrw(Gp dst, Xmm src, uint8_t lane) {
  EmitRR(MakeSse(0x66, {0x0F, 0xC5}), Code(dst), Code(src));
  Emit8(lane);
  Record("pextrw", "r32", "x", "imm8");
}
void Assembler::pextrd(Gp dst, Xmm src, uint8_t lane) {
  ExtractLane(MakeSse(0x66, {0x0F, 0x3A, 0x16}), "pextrd", "r32", dst, src, lane);
}
void Assembler::pextrq(Gp dst, Xmm src, uint8_t lane) {
  ExtractLane(MakeSse(0x66, {0x0F, 0x3A, 0x16}, true), "pextrq", "r64", dst, src, lane);
}
void Assembler::extractps(Gp dst, Xmm src, uint8_t lane) {
  ExtractLane(MakeSse(0x66, {0x0F, 0x3A, 0x17}), "extractps", "r32", dst, src, lane);
}
void Assembler::pmovmskb(Gp dst, Xmm src) { MoveMask(0x66, 0xD7, "pmovmskb", dst, src); }
void Assembler::movmskps(Gp dst, Xmm src) { MoveMask(0, 0x50, "movmskps", dst, src); }
void Assembler::movmskpd(Gp dst, Xmm src) { MoveMask(0x66, 0x50, "movmskpd", dst, src); }

#define TANDEM_X64_SSE_PACKED(name, op)                                              \
  void Assembler::name##ps(Xmm dst, Xmm src) { SseRR(0, op, #name "ps", dst, src); } \
  void Assembler::name##pd(Xmm dst, Xmm src) { SseRR(0x66, op, #name "pd", dst, src); }
TANDEM_X64_SSE_PACKED(add, 0x58)
TANDEM_X64_SSE_PACKED(mul, 0x59)
TANDEM_X64_SSE_PACKED(sub, 0x5C)
TANDEM_X64_SSE_PACKED(div, 0x5E)
TANDEM_X64_SSE_PACKED(sqrt, 0x51)
TANDEM_X64_SSE_PACKED(min, 0x5D)
TANDEM_X64_SSE_PACKED(max, 0x5F)
TANDEM_X64_SSE_PACKED(unpckl, 0x14)
#undef TANDEM_X64_SSE_PACKED

void Assembler::cvtdq2ps(Xmm dst, Xmm src) { SseRR(0, 0x5B, "cvtdq2ps", dst, src); }
void Assembler::cvttps2dq(Xmm dst, Xmm src) { SseRR(0xF3, 0x5B, "cvttps2dq", dst, src); }
void Assembler::cvtdq2pd(Xmm dst, Xmm src) { SseRR(0xF3, 0xE6, "cvtdq2pd", dst, src); }
void Assembler::cvtps2pd(Xmm dst, Xmm src) { SseRR(0, 0x5A, "cvtps2pd", dst, src); }
void Assembler::cvtpd2ps(Xmm dst, Xmm src) { SseRR(0x66, 0x5A, "cvtpd2ps", dst, src); }
void Assembler::cvttpd2dq(Xmm dst, Xmm src) { SseRR(0x66, 0xE6, "cvttpd2dq", dst, src); }

}  // namespace tandem::jit::x64
