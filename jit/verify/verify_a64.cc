// verify_a64.cc: the verifier's AArch64 back end (verify_core.h; docs/verifier.md).
//
// It decodes with Capstone (operand details; the a64 JIT emits no literal pool) and checks the
// function-wide rules the windows rely on, or rejects the function: the arena register x28 is
// never written; x29 is written only by the prologue's `mov x29, sp` (after
// `stp x29, x30, [sp, #-16]!`) and by the epilogue's `ldp x29, x30, [sp], #16` just before
// `ret`; sp moves only by that stp and ldp, `sub/add sp, sp, #imm` and `mov sp, x29`, by the
// same amount on every path; the entry compares sp with the stack limit before anything else
// branches. Its machine executes the instructions the JIT emits on the general registers and
// the flags; any other instruction makes the registers it writes unknown.
//
// Capstone 4 reports `cmp`, `cmn` and `tst` as writing their first operand (they are aliases
// of subs/adds/ands with the zero register as destination): those three write no register.
#include <capstone/capstone.h>
#include <z3++.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "jit/verify/verify_core.h"

namespace tandem::jit::verify::core {
namespace {

// ---- registers ---------------------------------------------------------------------------

constexpr int kSp = 31;   // the stack pointer's slot in the machine's register file
constexpr int kZr = 32;   // the zero register (reads 0, writes vanish)
constexpr int kArenaReg = 28, kFp = 29;
constexpr int kNoReg = -1;

struct RegPart {
  int reg = kNoReg;  // 0..30, kSp, kZr
  unsigned bits = 0;
};

RegPart Part(unsigned r) {
  if (r >= ARM64_REG_X0 && r <= ARM64_REG_X28) return {static_cast<int>(r - ARM64_REG_X0), 64};
  if (r >= ARM64_REG_W0 && r <= ARM64_REG_W30) return {static_cast<int>(r - ARM64_REG_W0), 32};
  switch (r) {
    case ARM64_REG_X29: return {29, 64};
    case ARM64_REG_X30: return {30, 64};
    case ARM64_REG_SP: return {kSp, 64};
    case ARM64_REG_WSP: return {kSp, 32};
    case ARM64_REG_XZR: return {kZr, 64};
    case ARM64_REG_WZR: return {kZr, 32};
    default: return {};
  }
}

std::string RegName(int r) { return r == kSp ? "sp" : fmt::format("x{}", r); }

// The width of a load or store's data register, in bytes (0: not a register Capstone names
// as one of the scalar classes).
unsigned DataBytes(unsigned r) {
  if ((r >= ARM64_REG_X0 && r <= ARM64_REG_X28) || r == ARM64_REG_X29 || r == ARM64_REG_X30 ||
      r == ARM64_REG_XZR)
    return 8;
  if ((r >= ARM64_REG_W0 && r <= ARM64_REG_W30) || r == ARM64_REG_WZR) return 4;
  if (r >= ARM64_REG_B0 && r <= ARM64_REG_B31) return 1;
  if (r >= ARM64_REG_H0 && r <= ARM64_REG_H31) return 2;
  if (r >= ARM64_REG_S0 && r <= ARM64_REG_S31) return 4;
  if (r >= ARM64_REG_D0 && r <= ARM64_REG_D31) return 8;
  if (r >= ARM64_REG_Q0 && r <= ARM64_REG_Q31) return 16;
  return 0;
}

// ---- decoded code ------------------------------------------------------------------------

struct A64Rec {
  cs_arm64 x{};
  std::vector<int> writes;  // registers written (0..30, kSp), writeback included
  bool writes_flags = false;
  int mem = -1;             // the memory operand's index
};
struct A64Records : ArchRecords {
  std::vector<A64Rec> recs;
};

const A64Rec& Rec(const Decoded& d, const Ins& i) {
  return static_cast<const A64Records&>(*d.records).recs[i.arch];
}

bool IsFlagsOnly(unsigned id) { return id == ARM64_INS_CMP || id == ARM64_INS_CMN || id == ARM64_INS_TST; }

Decoded DecodeA64(const uint8_t* code, size_t size, uint64_t address) {
  Decoded d;
  auto records = std::make_shared<A64Records>();
  d.ins.reserve(size / 4 + 1);
  d.texts.reserve(size * 6);
  records->recs.reserve(size / 4 + 1);
  Capstone& dis = ThreadCapstone(Arch::kA64);
  csh h = dis.handle;
  cs_insn* insn = dis.insn;
  const uint8_t* p = code;
  size_t left = size - size % 4;
  uint64_t at = address;
  d.pool_begin = static_cast<uint32_t>(size);  // no constant pool
  while (left > 0) {
    if (!cs_disasm_iter(h, &p, &left, &at, insn)) {
      d.error = fmt::format("undecodable bytes at offset {:#x}", size - left);
      break;
    }
    Ins i;
    A64Rec r;
    i.off = static_cast<uint32_t>(insn->address - address);
    i.addr = insn->address;
    i.size = insn->size;
    i.id = insn->id;
    r.x = insn->detail->arm64;
    d.Record(i, *insn);
    i.pc_relative = insn->id == ARM64_INS_ADR || insn->id == ARM64_INS_ADRP;
    auto add_write = [&](unsigned reg) {
      RegPart rp = Part(reg);
      if (rp.reg != kNoReg && rp.reg != kZr &&
          std::find(r.writes.begin(), r.writes.end(), rp.reg) == r.writes.end())
        r.writes.push_back(rp.reg);
    };
    cs_regs regs_read, regs_write;
    uint8_t nr = 0, nw = 0;
    // What it writes, flags and implicit registers included: an instruction without that list
    // is rejected, not taken to write nothing.
    if (cs_regs_access(h, insn, regs_read, &nr, regs_write, &nw) != CS_ERR_OK) {
      d.error = fmt::format("Capstone cannot tell the registers `{} {}` at offset {:#x} writes", insn->mnemonic,
                            insn->op_str, insn->address - address);
      break;
    }
    for (uint8_t k = 0; k < nw; ++k) {
      if (regs_write[k] == ARM64_REG_NZCV) r.writes_flags = true;
      else if (!IsFlagsOnly(i.id)) add_write(regs_write[k]);
    }
    // Registers the operands say are written, in case the list above misses one.
    for (uint8_t k = 0; k < r.x.op_count; ++k) {
      const cs_arm64_op& o = r.x.operands[k];
      if (o.type == ARM64_OP_REG && (o.access & CS_AC_WRITE) && !IsFlagsOnly(i.id)) add_write(o.reg);
      if (o.type == ARM64_OP_MEM) {
        r.mem = k;
        if (r.x.writeback) add_write(o.mem.base);
      }
    }
    if (r.x.update_flags || IsFlagsOnly(i.id)) r.writes_flags = true;
    const cs_arm64_op* last = r.x.op_count ? &r.x.operands[r.x.op_count - 1] : nullptr;
    switch (i.id) {
      case ARM64_INS_B:
        i.flow = r.x.cc == ARM64_CC_INVALID || r.x.cc == ARM64_CC_AL ? Flow::kJump : Flow::kBranch;
        break;
      case ARM64_INS_CBZ:
      case ARM64_INS_CBNZ:
      case ARM64_INS_TBZ:
      case ARM64_INS_TBNZ:
        i.flow = Flow::kBranch;
        break;
      case ARM64_INS_BR: i.flow = Flow::kLeave; break;  // to the exit path
      case ARM64_INS_RET: i.flow = Flow::kReturn; break;
      default: break;
    }
    if ((i.flow == Flow::kJump || i.flow == Flow::kBranch) && last && last->type == ARM64_OP_IMM)
      i.target = static_cast<uint64_t>(last->imm);
    i.accesses = r.mem >= 0 ? 1 : 0;
    i.arch = records->recs.size();
    records->recs.push_back(std::move(r));
    d.ins.push_back(std::move(i));
  }
  d.records = records;
  return d;
}

bool IsReg(const cs_arm64_op& o, int reg, unsigned bits = 64) {
  if (o.type != ARM64_OP_REG) return false;
  RegPart p = Part(o.reg);
  return p.reg == reg && p.bits == bits;
}

// An immediate operand's value (its `lsl #n` applied).
uint64_t Imm(const cs_arm64_op& o) {
  uint64_t v = static_cast<uint64_t>(o.imm);
  if (o.shift.type == ARM64_SFT_LSL) v <<= o.shift.value;
  return v;
}

// ---- function-wide facts -----------------------------------------------------------------

FrameFacts FrameA64(const Decoded& d, const Cfg& g, const StoreFacts& facts) {
  FrameFacts f;
  const size_t n = d.ins.size();
  f.sp.assign(n, kSpUnreached);
  if (n == 0) return f;
  auto is_prologue_store = [&](size_t k) {
    const A64Rec& r = Rec(d, d.ins[k]);
    return d.ins[k].id == ARM64_INS_STP && r.x.writeback && r.x.op_count == 3 && IsReg(r.x.operands[0], kFp) &&
           IsReg(r.x.operands[1], 30) && r.x.operands[2].type == ARM64_OP_MEM &&
           Part(r.x.operands[2].mem.base).reg == kSp && r.x.operands[2].mem.disp == -16;
  };
  auto is_epilogue_load = [&](size_t k) {
    const A64Rec& r = Rec(d, d.ins[k]);
    return d.ins[k].id == ARM64_INS_LDP && r.x.writeback && r.x.op_count == 4 && IsReg(r.x.operands[0], kFp) &&
           IsReg(r.x.operands[1], 30) && r.x.operands[2].type == ARM64_OP_MEM &&
           Part(r.x.operands[2].mem.base).reg == kSp && r.x.operands[2].mem.disp == 0 &&
           r.x.operands[3].type == ARM64_OP_IMM && r.x.operands[3].imm == 16;
  };
  // x28 never written; x29 only by `mov x29, sp` (second instruction, after the prologue's
  // stp) and by the epilogue's ldp right before `ret`.
  for (size_t k = 0; k < n; ++k) {
    const Ins& i = d.ins[k];
    const A64Rec& r = Rec(d, i);
    for (int w : r.writes) {
      if (w == kArenaReg) {
        f.error = fmt::format("`{}` at {:#x} writes the arena register", d.Text(i), i.off);
        return f;
      }
      if (w == kFp) {
        bool prologue = k == 1 && i.id == ARM64_INS_MOV && IsReg(r.x.operands[0], kFp) &&
                        IsReg(r.x.operands[1], kSp) && is_prologue_store(0);
        bool epilogue = is_epilogue_load(k) && k + 1 < n && d.ins[k + 1].id == ARM64_INS_RET;
        if (!prologue && !epilogue) {
          f.error = fmt::format("`{}` at {:#x} writes the frame register", d.Text(i), i.off);
          return f;
        }
      }
    }
  }
  // sp - F along every path: 16 at entry (F = entry sp - 16, where the stp puts x29 and x30).
  auto step = [&](size_t k, int64_t in, int64_t&) -> std::optional<int64_t> {
    const Ins& i = d.ins[k];
    const A64Rec& r = Rec(d, i);
    const bool writes_sp = std::find(r.writes.begin(), r.writes.end(), kSp) != r.writes.end();
    const bool reset = i.id == ARM64_INS_MOV && r.x.op_count == 2 && IsReg(r.x.operands[0], kSp) &&
                       IsReg(r.x.operands[1], kFp);
    if (in == kSpDiffers) return reset ? 0 : kSpDiffers;
    if (!writes_sp) return in;
    if (reset) return 0;
    if (k == 0 && is_prologue_store(0)) return in - 16;
    if (is_epilogue_load(k)) return in + 16;
    if ((i.id == ARM64_INS_SUB || i.id == ARM64_INS_ADD) && !r.x.update_flags && r.x.op_count == 3 &&
        IsReg(r.x.operands[0], kSp) && IsReg(r.x.operands[1], kSp) && r.x.operands[2].type == ARM64_OP_IMM) {
      const int64_t v = static_cast<int64_t>(Imm(r.x.operands[2]));
      return i.id == ARM64_INS_SUB ? in - v : in + v;
    }
    f.error = fmt::format("`{}` at {:#x} moves the stack pointer in a way the verifier does not follow", d.Text(i), i.off);
    return std::nullopt;
  };
  PropagateSp(d, g, 16, step, f);
  if (!f.error.empty()) return f;
  // The entry check, in the entry block chain before any branch but the call-depth check's:
  // a register copied from sp compared (`cmp`) with a register that holds the stack limit
  // (built by movz/movk/movn), then `b.lo`.
  struct Known {
    enum Kind { kNone, kConst, kSpCopy } kind = kNone;
    uint64_t v = 0;
  };
  Known regs[31];
  for (size_t k = 0; k + 1 < n && InEntryChain(g, k + 1); ++k) {
    const Ins& i = d.ins[k];
    const cs_arm64& x = Rec(d, i).x;
    const cs_arm64_op* o = x.operands;
    if (i.id == ARM64_INS_CMP && x.op_count == 2 && o[0].type == ARM64_OP_REG && o[1].type == ARM64_OP_REG) {
      RegPart a = Part(o[0].reg), b = Part(o[1].reg);
      const Ins& br = d.ins[k + 1];
      if (a.bits == 64 && b.bits == 64 && a.reg < 31 && b.reg < 31 && regs[a.reg].kind == Known::kSpCopy &&
          regs[b.reg].kind == Known::kConst && regs[b.reg].v == facts.stack_limit && br.id == ARM64_INS_B &&
          Rec(d, br).x.cc == ARM64_CC_LO) {
        f.entry_check = true;
        f.after_frame = f.sp[k];
        f.check_at = k + 1;
        break;
      }
    }
    if (i.flow == Flow::kBranch && i.id == ARM64_INS_B && x.cc == ARM64_CC_HS) continue;  // call depth
    if (i.flow != Flow::kNext) break;
    Known next;
    RegPart dst = x.op_count >= 1 && o[0].type == ARM64_OP_REG ? Part(o[0].reg) : RegPart{};
    if (dst.reg != kNoReg && dst.reg < 31 && dst.bits == 64) {
      if (i.id == ARM64_INS_MOV && x.op_count == 2 && IsReg(o[1], kSp)) {
        next = {Known::kSpCopy, 0};
      } else if (i.id == ARM64_INS_MOVZ && o[1].type == ARM64_OP_IMM) {
        next = {Known::kConst, Imm(o[1])};
      } else if (i.id == ARM64_INS_MOVN && o[1].type == ARM64_OP_IMM) {
        next = {Known::kConst, ~Imm(o[1])};
      } else if (i.id == ARM64_INS_ORR && x.op_count == 3 && Part(o[1].reg).reg == kZr &&
                 o[2].type == ARM64_OP_IMM) {
        next = {Known::kConst, Imm(o[2])};
      } else if (i.id == ARM64_INS_MOVK && o[1].type == ARM64_OP_IMM && regs[dst.reg].kind == Known::kConst) {
        const unsigned sh = o[1].shift.type == ARM64_SFT_LSL ? o[1].shift.value : 0;
        next = {Known::kConst, (regs[dst.reg].v & ~(uint64_t{0xffff} << sh)) | Imm(o[1])};
      }
    }
    for (int w : Rec(d, i).writes)
      if (w < 31) regs[w] = Known{};
    if (next.kind != Known::kNone) regs[dst.reg] = next;
  }
  return f;
}

// ---- symbolic execution ------------------------------------------------------------------

struct Flags {
  enum Kind { kNone, kSub, kAdd, kAnd } kind = kNone;
  std::optional<z3::expr> a, b;  // sub: a - b; add: a + b; and: a & b
};

struct A64Machine : Machine {
  const Decoded& d;
  std::vector<z3::expr> reg;  // x0..x30, sp
  Flags flags;
  Lin lin[32];

  A64Machine(z3::context& ctx, const StoreFacts& f, const Decoded& dec, const Bases& b, bool sym)
      : Machine(ctx, f, b), d(dec) {
    symbolic = sym;
    for (int r = 0; r < 32; ++r) {
      if (!symbolic) {  // the first walk reads no register's expression
        reg.push_back(A);
        continue;
      }
      z3::expr v = c.bv_const(RegName(r).c_str(), 64);
      reg.push_back(v);
      named.emplace_back(RegName(r), v);
    }
    reg[kArenaReg] = A;
    reg[kFp] = F;
    lin[kArenaReg] = {Lin::kArena, 0};
    lin[kFp] = {Lin::kFrame, 0};
  }

  void AtEntry() override {
    if (symbolic) reg[kFp] = c.bv_const("x29_caller", 64);  // (the first walk reads no expression)
    lin[kFp] = Lin{};
  }

  void SetSp(int64_t sp_off) override {
    if (symbolic)
      reg[kSp] = sp_off == kSpDiffers ? Fresh(64, "sp") : F + c.bv_val(static_cast<uint64_t>(sp_off), 64);
    lin[kSp] = sp_off == kSpDiffers ? Lin{} : Lin{Lin::kFrame, sp_off};
  }

  z3::expr Get(unsigned r, unsigned bits) {
    RegPart p = Part(r);
    if (p.reg == kNoReg) return Fresh(bits, "other");
    if (p.reg == kZr) return c.bv_val(0, bits);
    z3::expr v = reg[p.reg];
    return bits == 64 ? v : v.extract(bits - 1, 0);
  }

  void Set(unsigned r, const z3::expr& value) {
    RegPart p = Part(r);
    if (p.reg == kNoReg || p.reg == kZr) return;
    z3::expr v = value;
    unsigned w = v.get_sort().bv_size();
    if (w > p.bits) v = v.extract(p.bits - 1, 0), w = p.bits;
    reg[p.reg] = w < 64 ? z3::zext(v, 64 - w) : v;  // a W register's write clears the upper half
  }

  // A register operand's value at `bits`, its extension and shift applied.
  z3::expr Operand(const cs_arm64_op& o, unsigned bits) {
    if (o.type == ARM64_OP_IMM) return c.bv_val(Imm(o), bits);
    if (o.type != ARM64_OP_REG) return Fresh(bits, "operand");
    RegPart p = Part(o.reg);
    z3::expr v = Get(o.reg, p.bits ? p.bits : 64);
    auto extend = [&](unsigned from, bool sign) {
      z3::expr low = v.get_sort().bv_size() > from ? v.extract(from - 1, 0) : v;
      unsigned have = low.get_sort().bv_size();
      if (have >= bits) return low.extract(bits - 1, 0);
      return sign ? z3::sext(low, bits - have) : z3::zext(low, bits - have);
    };
    switch (o.ext) {
      case ARM64_EXT_UXTB: v = extend(8, false); break;
      case ARM64_EXT_UXTH: v = extend(16, false); break;
      case ARM64_EXT_UXTW: v = extend(32, false); break;
      case ARM64_EXT_UXTX: v = extend(64, false); break;
      case ARM64_EXT_SXTB: v = extend(8, true); break;
      case ARM64_EXT_SXTH: v = extend(16, true); break;
      case ARM64_EXT_SXTW: v = extend(32, true); break;
      case ARM64_EXT_SXTX: v = extend(64, true); break;
      default: v = extend(64, false); break;  // to `bits`: a W register is zero-extended
    }
    const unsigned amount = o.shift.value;
    switch (o.shift.type) {
      case ARM64_SFT_LSL: v = z3::shl(v, c.bv_val(amount, bits)); break;
      case ARM64_SFT_LSR: v = z3::lshr(v, c.bv_val(amount, bits)); break;
      case ARM64_SFT_ASR: v = z3::ashr(v, c.bv_val(amount, bits)); break;
      case ARM64_SFT_ROR: v = v.rotate_right(amount); break;
      case ARM64_SFT_INVALID: break;
      default: v = Fresh(bits, "shifted"); break;
    }
    return v;
  }

  // Whether the operand is a plain register (no extension, no shift).
  static bool Plain(const cs_arm64_op& o) {
    return o.type == ARM64_OP_REG && o.ext == ARM64_EXT_INVALID && o.shift.type == ARM64_SFT_INVALID;
  }

  // The memory operand's address (a post-indexed access is at the base itself).
  z3::expr Address(const cs_arm64_op& o) {
    const int base = Part(o.mem.base).reg;
    if (base < 0 || base == kZr) return Fresh(64, "address");
    z3::expr a = reg[base] + c.bv_val(static_cast<uint64_t>(static_cast<int64_t>(o.mem.disp)), 64);
    if (o.mem.index != ARM64_REG_INVALID) {
      cs_arm64_op idx = o;
      idx.type = ARM64_OP_REG;
      idx.reg = o.mem.index;
      a = a + Operand(idx, 64);
    }
    return a;
  }

  std::optional<Lin> LinAddress(const cs_arm64_op& o) const {
    const RegPart b = Part(o.mem.base);
    if (b.reg == kNoReg || b.reg == kZr || !lin[b.reg].known()) return std::nullopt;
    Lin at{lin[b.reg].base, lin[b.reg].off + o.mem.disp};
    if (o.mem.index == ARM64_REG_INVALID) return at;
    const RegPart x = Part(o.mem.index);
    if (x.reg == kNoReg || x.reg == kZr || x.bits != 64 || o.shift.type != ARM64_SFT_INVALID ||
        (o.ext != ARM64_EXT_INVALID && o.ext != ARM64_EXT_UXTX) || !lin[x.reg].known())
      return std::nullopt;
    if (at.base == Lin::kConst) return Lin{lin[x.reg].base, lin[x.reg].off + at.off};
    if (lin[x.reg].base != Lin::kConst) return std::nullopt;
    return Lin{at.base, at.off + lin[x.reg].off};
  }

  // The value a load gives: unknown, except the arena fields the runtime keeps (axioms).
  z3::expr Load(const cs_arm64_op& m, unsigned bits) {
    const std::optional<Lin> at = LinAddress(m);
    if (at && at->base == Lin::kArena)
      if (std::optional<z3::expr> v = ArenaField(static_cast<uint64_t>(at->off), bits)) return *v;
    z3::expr v = Fresh(bits, "load");
    // Table entries are loaded with an index scaled by 8.
    if (bits == 64 && m.mem.index != ARM64_REG_INVALID && m.shift.type == ARM64_SFT_LSL && m.shift.value == 3)
      TableEntryAxiom(Address(m), v);
    return v;
  }

  z3::expr Taken(const Ins& i) override {
    const cs_arm64& x = Rec(d, i).x;
    const cs_arm64_op* o = x.operands;
    switch (i.id) {
      case ARM64_INS_CBZ:
      case ARM64_INS_CBNZ: {
        RegPart p = Part(o[0].reg);
        z3::expr v = Get(o[0].reg, p.bits ? p.bits : 64);
        z3::expr zero = c.bv_val(0, v.get_sort().bv_size());
        return i.id == ARM64_INS_CBZ ? v == zero : v != zero;
      }
      case ARM64_INS_TBZ:
      case ARM64_INS_TBNZ: {
        z3::expr v = Get(o[0].reg, 64);
        const unsigned bit = static_cast<unsigned>(o[1].imm);
        if (bit > 63) return FreshCond();
        z3::expr b = v.extract(bit, bit);
        return i.id == ARM64_INS_TBZ ? b == c.bv_val(0, 1) : b == c.bv_val(1, 1);
      }
      default:
        return Cond(x.cc);
    }
  }

  // The condition code on the flags, when they are known; an unknown of its own otherwise (so
  // that neither edge of a branch is assumed away).
  z3::expr Cond(arm64_cc cc) {
    if (flags.kind == Flags::kSub) {
      const z3::expr& a = *flags.a;
      const z3::expr& b = *flags.b;
      switch (cc) {
        case ARM64_CC_EQ: return a == b;
        case ARM64_CC_NE: return a != b;
        case ARM64_CC_HS: return z3::uge(a, b);
        case ARM64_CC_LO: return z3::ult(a, b);
        case ARM64_CC_HI: return z3::ugt(a, b);
        case ARM64_CC_LS: return z3::ule(a, b);
        case ARM64_CC_GE: return a >= b;
        case ARM64_CC_LT: return a < b;
        case ARM64_CC_GT: return a > b;
        case ARM64_CC_LE: return a <= b;
        default: return FreshCond();
      }
    }
    if (flags.kind == Flags::kAdd || flags.kind == Flags::kAnd) {
      const z3::expr r = flags.kind == Flags::kAdd ? *flags.a + *flags.b : *flags.a & *flags.b;
      const z3::expr zero = c.bv_val(0, r.get_sort().bv_size());
      switch (cc) {
        case ARM64_CC_EQ: return r == zero;
        case ARM64_CC_NE: return r != zero;
        case ARM64_CC_MI: return r < zero;
        case ARM64_CC_PL: return r >= zero;
        default: return FreshCond();
      }
    }
    return FreshCond();
  }

  // The instruction's data width: its first register operand's.
  static unsigned Width(const cs_arm64& x) {
    if (x.op_count >= 1 && x.operands[0].type == ARM64_OP_REG) {
      RegPart p = Part(x.operands[0].reg);
      if (p.bits) return p.bits;
    }
    return 64;
  }

  void Step(const Ins& i, int64_t sp_off) override {
    SetSp(sp_off);
    const A64Rec& r = Rec(d, i);
    const cs_arm64& x = r.x;
    const cs_arm64_op* o = x.operands;
    const unsigned n = x.op_count;
    const unsigned w = Width(x);
    // Each case below sets the destination's expression (when the walk is symbolic) and its
    // base + constant form (always): the two walks must agree on the forms.
    std::optional<Lin> next;  // the destination's base + constant form, when it keeps one
    int dst = n >= 1 && o[0].type == ARM64_OP_REG ? Part(o[0].reg).reg : kNoReg;
    bool done = false;        // the registers written are modelled (else they become unknown)
    std::optional<Flags> new_flags;
    auto lin_of = [&](const cs_arm64_op& op) -> Lin {
      const RegPart p = op.type == ARM64_OP_REG ? Part(op.reg) : RegPart{};
      return p.reg >= 0 && p.reg < 32 ? lin[p.reg] : Lin{};
    };
    switch (i.id) {
      case ARM64_INS_MOV:
        if (n == 2 && dst != kNoReg) {
          if (symbolic) Set(o[0].reg, Operand(o[1], w));
          if (o[1].type == ARM64_OP_REG && w == 64 && Plain(o[1])) {
            if (lin_of(o[1]).known()) next = lin_of(o[1]);
          } else if (o[1].type == ARM64_OP_IMM) {
            next = Lin{Lin::kConst, static_cast<int64_t>(w == 64 ? Imm(o[1]) : Imm(o[1]) & 0xffffffffu)};
          }
          done = true;
        }
        break;
      case ARM64_INS_MOVZ:
      case ARM64_INS_MOVN:
        if (n == 2 && o[1].type == ARM64_OP_IMM) {
          uint64_t v = i.id == ARM64_INS_MOVZ ? Imm(o[1]) : ~Imm(o[1]);
          if (w == 32) v &= 0xffffffffu;
          if (symbolic) Set(o[0].reg, c.bv_val(v, w));
          next = Lin{Lin::kConst, static_cast<int64_t>(v)};
          done = true;
        }
        break;
      case ARM64_INS_MOVK:
        if (n == 2 && o[1].type == ARM64_OP_IMM && dst >= 0 && dst < 31) {
          const unsigned sh = o[1].shift.type == ARM64_SFT_LSL ? o[1].shift.value : 0;
          const uint64_t mask = ~(uint64_t{0xffff} << sh);
          if (symbolic) Set(o[0].reg, (Get(o[0].reg, w) & c.bv_val(mask, w)) | c.bv_val(Imm(o[1]), w));
          if (lin[dst].base == Lin::kConst) {
            uint64_t v = (static_cast<uint64_t>(lin[dst].off) & mask) | Imm(o[1]);
            if (w == 32) v &= 0xffffffffu;
            next = Lin{Lin::kConst, static_cast<int64_t>(v)};
          }
          done = true;
        }
        break;
      case ARM64_INS_ADD:
      case ARM64_INS_SUB:
      case ARM64_INS_AND:
      case ARM64_INS_ORR:
      case ARM64_INS_EOR:
        if (n == 3) {
          if (symbolic) {
            z3::expr a = Operand(o[1], w), b = Operand(o[2], w);
            std::optional<z3::expr> v;
            switch (i.id) {
              case ARM64_INS_ADD: v = a + b; break;
              case ARM64_INS_SUB: v = a - b; break;
              case ARM64_INS_AND: v = a & b; break;
              case ARM64_INS_ORR: v = a | b; break;
              default: v = a ^ b; break;
            }
            Set(o[0].reg, *v);
            if (x.update_flags)
              new_flags = i.id == ARM64_INS_ADD   ? Flags{Flags::kAdd, a, b}
                          : i.id == ARM64_INS_SUB ? Flags{Flags::kSub, a, b}
                          : i.id == ARM64_INS_AND ? Flags{Flags::kAnd, a, b}
                                                  : Flags{};
          }
          // Base + constant forms: reg ± imm, reg + reg (one of them a constant), xzr | imm.
          if (w == 64 && (i.id == ARM64_INS_ADD || i.id == ARM64_INS_SUB) && Plain(o[1])) {
            const Lin ls = lin_of(o[1]);
            if (ls.known() && o[2].type == ARM64_OP_IMM) {
              const int64_t v2 = static_cast<int64_t>(Imm(o[2]));
              next = Lin{ls.base, i.id == ARM64_INS_ADD ? ls.off + v2 : ls.off - v2};
            } else if (ls.known() && i.id == ARM64_INS_ADD && Plain(o[2])) {
              const Lin lt = lin_of(o[2]);
              if (lt.known() && (ls.base == Lin::kConst || lt.base == Lin::kConst))
                next = Lin{ls.base == Lin::kConst ? lt.base : ls.base, ls.off + lt.off};
            }
          } else if (i.id == ARM64_INS_ORR && o[1].type == ARM64_OP_REG && Part(o[1].reg).reg == kZr &&
                     o[2].type == ARM64_OP_IMM) {
            next = Lin{Lin::kConst, static_cast<int64_t>(w == 64 ? Imm(o[2]) : Imm(o[2]) & 0xffffffffu)};
          }
          done = true;
        }
        break;
      case ARM64_INS_CMP:
      case ARM64_INS_CMN:
      case ARM64_INS_TST:
        if (n == 2) {
          if (symbolic)
            new_flags = Flags{i.id == ARM64_INS_CMP   ? Flags::kSub
                              : i.id == ARM64_INS_CMN ? Flags::kAdd
                                                      : Flags::kAnd,
                              Operand(o[0], w), Operand(o[1], w)};
          done = true;
        }
        break;
      case ARM64_INS_LSL:
      case ARM64_INS_LSR:
      case ARM64_INS_ASR:
        if (n == 3) {
          if (symbolic) {
            z3::expr a = Operand(o[1], w);
            z3::expr sh = o[2].type == ARM64_OP_IMM ? c.bv_val(static_cast<uint64_t>(o[2].imm) & (w - 1), w)
                                                    : Operand(o[2], w) & c.bv_val(w - 1, w);
            Set(o[0].reg, i.id == ARM64_INS_LSL   ? z3::shl(a, sh)
                          : i.id == ARM64_INS_LSR ? z3::lshr(a, sh)
                                                  : z3::ashr(a, sh));
          }
          done = true;
        }
        break;
      case ARM64_INS_LDR:
      case ARM64_INS_LDUR:
      case ARM64_INS_LDRB:
      case ARM64_INS_LDURB:
      case ARM64_INS_LDRH:
      case ARM64_INS_LDURH:
      case ARM64_INS_LDRSB:
      case ARM64_INS_LDURSB:
      case ARM64_INS_LDRSH:
      case ARM64_INS_LDURSH:
      case ARM64_INS_LDRSW:
      case ARM64_INS_LDURSW:
        if (r.mem == 1 && dst != kNoReg) {
          const unsigned bytes = AccessBytes(i);
          const bool sign = i.id == ARM64_INS_LDRSB || i.id == ARM64_INS_LDURSB || i.id == ARM64_INS_LDRSH ||
                            i.id == ARM64_INS_LDURSH || i.id == ARM64_INS_LDRSW || i.id == ARM64_INS_LDURSW;
          // A field the runtime keeps constant (axiom "fixed offsets"), loaded at its width.
          const std::optional<Lin> at = LinAddress(o[1]);
          if (at && at->base == Lin::kArena && !sign && 8 * bytes == w)
            if (std::optional<uint64_t> v = ArenaConstant(static_cast<uint64_t>(at->off), w))
              next = Lin{Lin::kConst, static_cast<int64_t>(*v)};
          if (symbolic) {
            z3::expr v = Load(o[1], 8 * bytes);
            if (8 * bytes < w) v = sign ? z3::sext(v, w - 8 * bytes) : z3::zext(v, w - 8 * bytes);
            Writeback(r);
            Set(o[0].reg, v);
          } else {
            Writeback(r);
          }
          done = true;
        } else if (r.mem == 1) {  // into a float register: no general register but writeback
          Writeback(r);
          done = true;
        }
        break;
      case ARM64_INS_STR:
      case ARM64_INS_STUR:
      case ARM64_INS_STRB:
      case ARM64_INS_STURB:
      case ARM64_INS_STRH:
      case ARM64_INS_STURH:
      case ARM64_INS_STP:
        Writeback(r);
        done = true;
        break;
      case ARM64_INS_BL:
      case ARM64_INS_BLR:
        // Whatever the callee is (compiled code, a runtime service, a host function), only the
        // arena, frame and stack registers are relied on afterwards (the callee's own
        // verification shows it keeps x28 and restores x29; sp is the frame rule's).
        for (int q = 0; q < 31; ++q)
          if (q != kArenaReg && q != kFp) {
            if (symbolic) reg[q] = Fresh(64, RegName(q) + "'");
            lin[q] = Lin{};
          }
        flags = Flags{};
        return;
      case ARM64_INS_NOP:
      case ARM64_INS_B:
      case ARM64_INS_CBZ:
      case ARM64_INS_CBNZ:
      case ARM64_INS_TBZ:
      case ARM64_INS_TBNZ:
      case ARM64_INS_BR:
      case ARM64_INS_RET:
        done = r.writes.empty();
        break;
      default:
        break;
    }
    // Whatever was not modelled: the registers it writes become unknown (and so do the flags
    // when it sets them).
    for (int q : r.writes) {
      if (q == kSp || q == kArenaReg) continue;  // sp: the frame rule's; x28: never written
      const bool modelled = done && (q == dst || IsWriteback(r, q));
      if (!modelled && symbolic) reg[q] = Fresh(64, RegName(q) + "'");
      if (!modelled || q == dst) lin[q] = Lin{};  // dst's form is `next`; Writeback kept its own
    }
    if (new_flags) flags = *new_flags;
    else if (r.writes_flags) flags = Flags{};
    if (next && dst >= 0 && dst < 31 && dst != kArenaReg && dst != kFp) lin[dst] = *next;
    if (i.id == ARM64_INS_MOV && dst == kFp && n == 2 && IsReg(o[1], kSp)) {  // the prologue
      if (symbolic) reg[kFp] = F;
      lin[kFp] = {Lin::kFrame, 0};
    }
  }

  static bool IsWriteback(const A64Rec& r, int q) {
    return r.x.writeback && r.mem >= 0 && Part(r.x.operands[r.mem].mem.base).reg == q;
  }

  // Pre- and post-indexed forms move their base register (sp's moves are the frame rule's).
  void Writeback(const A64Rec& r) {
    if (!r.x.writeback || r.mem < 0) return;
    const cs_arm64_op& m = r.x.operands[r.mem];
    const int base = Part(m.mem.base).reg;
    if (base == kSp || base < 0 || base >= 31) return;
    int64_t by = m.mem.disp;  // pre-indexed
    if (r.mem + 1 < r.x.op_count && r.x.operands[r.mem + 1].type == ARM64_OP_IMM)
      by = r.x.operands[r.mem + 1].imm;  // post-indexed
    if (symbolic) reg[base] = reg[base] + c.bv_val(static_cast<uint64_t>(by), 64);
    if (lin[base].known()) lin[base].off += by;
  }

  // The bytes a load or store touches; 0 when the instruction is not one the JIT emits.
  unsigned AccessBytes(const Ins& i) const {
    const A64Rec& r = Rec(d, i);
    const cs_arm64_op* o = r.x.operands;
    switch (i.id) {
      case ARM64_INS_LDRB: case ARM64_INS_LDURB: case ARM64_INS_LDRSB: case ARM64_INS_LDURSB:
      case ARM64_INS_STRB: case ARM64_INS_STURB:
        return 1;
      case ARM64_INS_LDRH: case ARM64_INS_LDURH: case ARM64_INS_LDRSH: case ARM64_INS_LDURSH:
      case ARM64_INS_STRH: case ARM64_INS_STURH:
        return 2;
      case ARM64_INS_LDRSW: case ARM64_INS_LDURSW:
        return 4;
      case ARM64_INS_LDR: case ARM64_INS_LDUR: case ARM64_INS_STR: case ARM64_INS_STUR:
        return r.mem == 1 && o[0].type == ARM64_OP_REG ? DataBytes(o[0].reg) : 0;
      case ARM64_INS_LDP: case ARM64_INS_STP:
        return r.mem == 2 && o[0].type == ARM64_OP_REG && DataBytes(o[0].reg) == DataBytes(o[1].reg)
                   ? 2 * DataBytes(o[0].reg)
                   : 0;
      default:
        return 0;
    }
  }

  std::vector<Access> Accesses(const Ins& i) override {
    const A64Rec& r = Rec(d, i);
    std::vector<Access> out;
    if (r.mem < 0) return out;
    const cs_arm64_op& m = r.x.operands[r.mem];
    // A pre-indexed access is at base + disp, a post-indexed one at the base (Capstone gives
    // disp 0 and the increment as the next operand): Address covers both.
    Access a{0, symbolic ? Address(m) : A, AccessBytes(i), LinAddress(m)};
    if (a.bytes == 0) {
      a.bytes = 1;
      a.lin.reset();
      a.reject = fmt::format("`{}` is a memory instruction the verifier does not lift", d.Text(i));
    }
    const RegPart base = Part(m.mem.base);
    a.uses_sp = base.reg == kSp;
    a.heap_shape = base.reg == kArenaReg && m.mem.index != ARM64_REG_INVALID;
    out.push_back(std::move(a));
    return out;
  }
};

// ---- the back end ------------------------------------------------------------------------

struct A64 : Lifter {
  Decoded Decode(const uint8_t* code, size_t size, uint64_t address) const override {
    return DecodeA64(code, size, address);
  }
  FrameFacts Frame(const Decoded& d, const Cfg& g, const StoreFacts& facts) const override {
    return FrameA64(d, g, facts);
  }
  std::unique_ptr<Machine> NewMachine(z3::context& c, const StoreFacts& facts, const Decoded& d,
                                      const Machine::Bases& bases, bool symbolic) const override {
    return std::make_unique<A64Machine>(c, facts, d, bases, symbolic);
  }
};

}  // namespace

const Lifter& A64Lifter() {
  static const A64 lifter;
  return lifter;
}

}  // namespace tandem::jit::verify::core
