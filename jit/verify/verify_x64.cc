// verify_x64.cc: the verifier's x86-64 back end (verify_core.h; docs/verifier.md).
//
// It decodes with Capstone (operand details) up to the constant pool's `ud2` marker, and
// checks the function-wide rules the windows rely on, or rejects the function: the arena
// register r15 is never written; rbp is written only by the prologue's `mov rbp, rsp` and the
// epilogue's `pop rbp` just before `ret`; rsp moves only by push, pop, `sub/add rsp, imm` and
// `mov rsp, rbp`, by the same amount on every path (so rsp is rbp plus a constant known at
// every instruction); the entry compares rsp with the stack limit before anything else
// branches. Its machine executes the instructions the JIT emits on the general registers and
// the flags; any other instruction makes the registers it writes unknown.
#include <capstone/capstone.h>
#include <z3++.h>

#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "jit/arena.h"
#include "jit/verify/verify_core.h"
#include "reference/value.h"

namespace tandem::jit::verify::core {
namespace {

// ---- registers ---------------------------------------------------------------------------

enum Gpr { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15, kNoGpr };

struct RegPart {
  int gpr = kNoGpr;
  unsigned bits = 0;   // width
  unsigned shift = 0;  // 8 for ah, bh, ch, dh
};

RegPart Part(unsigned r) {
  switch (r) {
#define Q(n64, n32, n16, n8, g)                \
  case X86_REG_##n64: return {g, 64, 0};       \
  case X86_REG_##n32: return {g, 32, 0};       \
  case X86_REG_##n16: return {g, 16, 0};       \
  case X86_REG_##n8: return {g, 8, 0};
    Q(RAX, EAX, AX, AL, RAX)
    Q(RCX, ECX, CX, CL, RCX)
    Q(RDX, EDX, DX, DL, RDX)
    Q(RBX, EBX, BX, BL, RBX)
    Q(RSP, ESP, SP, SPL, RSP)
    Q(RBP, EBP, BP, BPL, RBP)
    Q(RSI, ESI, SI, SIL, RSI)
    Q(RDI, EDI, DI, DIL, RDI)
    Q(R8, R8D, R8W, R8B, R8)
    Q(R9, R9D, R9W, R9B, R9)
    Q(R10, R10D, R10W, R10B, R10)
    Q(R11, R11D, R11W, R11B, R11)
    Q(R12, R12D, R12W, R12B, R12)
    Q(R13, R13D, R13W, R13B, R13)
    Q(R14, R14D, R14W, R14B, R14)
    Q(R15, R15D, R15W, R15B, R15)
#undef Q
    case X86_REG_AH: return {RAX, 8, 8};
    case X86_REG_CH: return {RCX, 8, 8};
    case X86_REG_DH: return {RDX, 8, 8};
    case X86_REG_BH: return {RBX, 8, 8};
    default: return {};
  }
}

const char* kGprNames[] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                           "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

// ---- decoded code ------------------------------------------------------------------------

// A set of general registers, in the order added (no allocation: most instructions write one).
struct GprSet {
  std::array<int8_t, 16> r{};
  uint8_t n = 0;
  void Add(int g) {
    if (!Has(g)) r[n++] = static_cast<int8_t>(g);
  }
  bool Has(int g) const { return std::find(begin(), end(), g) != end(); }
  const int8_t* begin() const { return r.data(); }
  const int8_t* end() const { return r.data() + n; }
};

struct X86Rec {
  cs_x86 x{};
  GprSet gpr_writes;  // GPRs written (any part)
  bool writes_flags = false;
};
struct X86Records : ArchRecords {
  std::vector<X86Rec> recs;
};

bool IsJcc(unsigned id) {
  switch (id) {
    case X86_INS_JAE: case X86_INS_JA: case X86_INS_JBE: case X86_INS_JB: case X86_INS_JE:
    case X86_INS_JGE: case X86_INS_JG: case X86_INS_JLE: case X86_INS_JL: case X86_INS_JNE:
    case X86_INS_JNO: case X86_INS_JNP: case X86_INS_JNS: case X86_INS_JO: case X86_INS_JP:
    case X86_INS_JS: case X86_INS_JCXZ: case X86_INS_JECXZ: case X86_INS_JRCXZ:
      return true;
    default:
      return false;
  }
}

bool IsReg(const cs_x86_op& o, x86_reg r) { return o.type == X86_OP_REG && o.reg == r; }

// Explicit memory operands (not lea, which computes only) and the stack slot of push, pop,
// call and ret.
unsigned CountAccesses(unsigned id, const cs_x86& x) {
  unsigned n = id == X86_INS_PUSH || id == X86_INS_CALL || id == X86_INS_POP || id == X86_INS_RET ? 1 : 0;
  if (id == X86_INS_LEA || id == X86_INS_NOP) return n;
  for (uint8_t o = 0; o < x.op_count; ++o) n += x.operands[o].type == X86_OP_MEM;
  return n;
}

Decoded DecodeX64(const uint8_t* code, size_t size, uint64_t address) {
  Decoded d;
  auto records = std::make_shared<X86Records>();
  // (About one instruction in four bytes.)
  d.ins.reserve(size / 4 + 1);
  d.texts.reserve(size * 6);
  records->recs.reserve(size / 4 + 1);
  Capstone& dis = ThreadCapstone(Arch::kX64);
  csh h = dis.handle;
  cs_insn* insn = dis.insn;
  const uint8_t* p = code;
  size_t left = size;
  uint64_t at = address;
  d.pool_begin = static_cast<uint32_t>(size);
  while (left > 0) {
    if (!cs_disasm_iter(h, &p, &left, &at, insn)) {
      d.error = fmt::format("undecodable bytes at offset {:#x}", size - left);
      break;
    }
    if (insn->id == X86_INS_UD2) {  // the constant pool follows
      d.pool_begin = static_cast<uint32_t>(insn->address - address);
      break;
    }
    Ins i;
    X86Rec r;
    i.off = static_cast<uint32_t>(insn->address - address);
    i.addr = insn->address;
    i.size = insn->size;
    i.id = insn->id;
    r.x = insn->detail->x86;
    d.Record(i, *insn);
    cs_regs regs_read, regs_write;
    uint8_t nr = 0, nw = 0;
    // What it writes, implicit registers included: every register the lifter does not model an
    // instruction's effect on is made unknown from this list, so an instruction without one is
    // rejected, not taken to write nothing.
    if (cs_regs_access(h, insn, regs_read, &nr, regs_write, &nw) != CS_ERR_OK) {
      d.error = fmt::format("Capstone cannot tell the registers `{} {}` at offset {:#x} writes", insn->mnemonic,
                            insn->op_str, insn->address - address);
      break;
    }
    for (uint8_t k = 0; k < nw; ++k) {
      if (regs_write[k] == X86_REG_EFLAGS) r.writes_flags = true;
      RegPart rp = Part(regs_write[k]);
      if (rp.gpr != kNoGpr) r.gpr_writes.Add(rp.gpr);
    }
    const bool direct = r.x.op_count == 1 && r.x.operands[0].type == X86_OP_IMM;
    if (i.id == X86_INS_JMP) {
      i.flow = direct ? Flow::kJump : Flow::kLeave;  // `jmp REG`: to the exit path
    } else if (IsJcc(i.id)) {
      i.flow = Flow::kBranch;
    } else if (i.id == X86_INS_RET) {
      i.flow = Flow::kReturn;
    }
    if (direct && i.flow != Flow::kNext) i.target = static_cast<uint64_t>(r.x.operands[0].imm);
    i.accesses = CountAccesses(i.id, r.x);
    for (uint8_t o = 0; o < r.x.op_count; ++o)
      i.pc_relative |= r.x.operands[o].type == X86_OP_MEM && r.x.operands[o].mem.base == X86_REG_RIP;
    i.arch = records->recs.size();
    records->recs.push_back(std::move(r));
    d.ins.push_back(std::move(i));
  }
  d.records = records;
  return d;
}

const X86Rec& Rec(const Decoded& d, const Ins& i) {
  return static_cast<const X86Records&>(*d.records).recs[i.arch];
}

// ---- function-wide facts -----------------------------------------------------------------

FrameFacts FrameX64(const Decoded& d, const Cfg& g, const StoreFacts& facts) {
  FrameFacts f;
  const size_t n = d.ins.size();
  f.sp.assign(n, kSpUnreached);
  if (n == 0) return f;
  // r15 never written; rbp only by `mov rbp, rsp` (second instruction, after `push rbp`) and
  // by `pop rbp` right before `ret`.
  for (size_t k = 0; k < n; ++k) {
    const Ins& i = d.ins[k];
    const X86Rec& r = Rec(d, i);
    for (int w : r.gpr_writes) {
      if (w == R15) {
        f.error = fmt::format("`{}` at {:#x} writes the arena register", d.Text(i), i.off);
        return f;
      }
      if (w == RBP) {
        bool prologue = k == 1 && i.id == X86_INS_MOV && IsReg(r.x.operands[0], X86_REG_RBP) &&
                        IsReg(r.x.operands[1], X86_REG_RSP) && d.ins[0].id == X86_INS_PUSH &&
                        IsReg(Rec(d, d.ins[0]).x.operands[0], X86_REG_RBP);
        bool epilogue = i.id == X86_INS_POP && IsReg(r.x.operands[0], X86_REG_RBP) && k + 1 < n &&
                        d.ins[k + 1].id == X86_INS_RET;
        if (!prologue && !epilogue) {
          f.error = fmt::format("`{}` at {:#x} writes the frame register", d.Text(i), i.off);
          return f;
        }
      }
    }
  }
  // rsp - F along every path: 8 at entry (F = entry rsp - 8, where `push rbp` puts rbp).
  auto step = [&](size_t k, int64_t in, int64_t& lowest) -> std::optional<int64_t> {
    const Ins& i = d.ins[k];
    const X86Rec& r = Rec(d, i);
    const cs_x86_op& a = r.x.operands[0];
    const cs_x86_op& b = r.x.operands[1];
    bool writes_rsp = r.gpr_writes.Has(RSP);
    if (in == kSpDiffers) {
      if (i.id == X86_INS_MOV && IsReg(a, X86_REG_RSP) && IsReg(b, X86_REG_RBP)) return 0;
      return kSpDiffers;
    }
    switch (i.id) {
      case X86_INS_PUSH: lowest = std::min(lowest, in - 8); return in - 8;
      case X86_INS_POP: return in + 8;
      case X86_INS_CALL: lowest = std::min(lowest, in - 8); return in;  // the callee pops
      case X86_INS_RET: return in;
      default: break;
    }
    if (!writes_rsp) return in;
    if (r.x.op_count == 2 && IsReg(a, X86_REG_RSP) && b.type == X86_OP_IMM) {
      if (i.id == X86_INS_SUB) return in - b.imm;
      if (i.id == X86_INS_ADD) return in + b.imm;
    }
    if (i.id == X86_INS_MOV && IsReg(a, X86_REG_RSP) && IsReg(b, X86_REG_RBP)) return 0;
    f.error = fmt::format("`{}` at {:#x} moves the stack pointer in a way the verifier does not follow", d.Text(i), i.off);
    return std::nullopt;
  };
  PropagateSp(d, g, 8, step, f);
  if (!f.error.empty()) return f;
  // The entry check: `movabs R, limit; cmp rsp, R; jb` in the entry block chain, before any
  // branch target (every path passes it).
  for (size_t k = 0; k + 2 < n && InEntryChain(g, k + 2); ++k) {
    const Ins& a = d.ins[k];
    const Ins& c = d.ins[k + 1];
    const cs_x86& ax = Rec(d, a).x;
    const cs_x86& cx = Rec(d, c).x;
    if (a.id == X86_INS_MOVABS && ax.operands[1].type == X86_OP_IMM &&
        static_cast<uint64_t>(ax.operands[1].imm) == facts.stack_limit && c.id == X86_INS_CMP &&
        IsReg(cx.operands[0], X86_REG_RSP) && cx.operands[1].type == X86_OP_REG &&
        Part(cx.operands[1].reg).gpr == Part(ax.operands[0].reg).gpr && d.ins[k + 2].id == X86_INS_JB) {
      f.entry_check = true;
      f.after_frame = f.sp[k + 1];
      f.check_at = k + 2;
      break;
    }
    if (IsJcc(a.id) && a.id != X86_INS_JAE) break;  // the call-depth check (jae) comes first
  }
  return f;
}

// ---- symbolic execution ------------------------------------------------------------------

struct Flags {
  enum Kind { kNone, kCmp, kResult } kind = kNone;
  std::optional<z3::expr> a, b, r;  // cmp: a - b; result: r
};

struct X64Machine : Machine {
  const Decoded& d;
  std::vector<z3::expr> reg;
  Flags flags;
  // Beside each register's expression, the same value when it is a base plus a constant.
  Lin lin[16];
  // And when it is the bounds emitter's index (jit/bounds.h): `mov r32, r32` zero-extends an
  // unknown value, `add r64, imm`, `add r64, r64` of a known constant and `lea r64, [r + disp]`
  // add to it. A following `cmp r64, qword ptr [r15 + a memory's size field]` whose `ja` is not
  // taken states it (plus what was added) is within the size: the first walk then proves the
  // access [r15 + index + disp] without an expression.
  std::optional<HeapIndex> ea[16];
  int ea_ids = 0;
  // Table and function indices as the table emitters and call_indirect make them (masm_x64.cc
  // TableGet, TableSet, CallIndirect), followed by the first walk the same way:
  //  - kTableLow: the low 32 bits are below table `table`'s size as the window loaded it
  //    (`cmp r32, dword ptr [r15 + its size field]`, jae not taken);
  //  - kTable: the whole register is (a 32-bit move of such a value zero-extends it);
  //  - kFuncOrNull: loaded from a funcref table's entry through a kTable index of that table:
  //    null or a function index (axiom "table entries");
  //  - kFunc: such a value past `cmp r64, -1` with je not taken (null is all ones): a function
  //    index, below the function capacity;
  //  - kFunc16: a function index shifted left by 4 (FuncDesc's size).
  // The accesses through them the first walk proves: [arena + elems + 8 * kTable] (a table's
  // entries), [r15 + kFunc16 + disp] within one FuncDesc, and [code table + 8 * kFunc].
  enum class Idx : uint8_t { kNone, kTableLow, kTable, kFuncOrNull, kFunc, kFunc16 };
  struct IdxFact {
    Idx kind = Idx::kNone;
    size_t table = 0;  // kTableLow, kTable
  };
  IdxFact idx[16];
  static_assert(wasm::kNullRef == ~uint64_t{0}, "the null check compares with -1");
  static_assert(sizeof(FuncDesc) == 16, "kFunc16 is a FuncDesc's offset");
  struct PendingCheck {
    enum Kind : uint8_t { kMemory, kTable, kNull } kind = kMemory;
    uint64_t next = 0;  // the address right after the cmp
    HeapIndex ea;       // kMemory: the index compared
    size_t memory = 0;  // kMemory: the memory; kTable: the table
    int gpr = kNoGpr;   // kTable, kNull: the register compared
  };
  // The counted loop's register and its first value (BlockPremises): in the loop's body it runs
  // from that value to -1, until the body's last add writes it.
  std::optional<std::pair<int, int64_t>> counter;
  std::optional<PendingCheck> pending;     // the last instruction was such a cmp
  std::optional<PendingCheck> at_branch;   // what the last jcc stepped had pending

  X64Machine(z3::context& ctx, const StoreFacts& f, const Decoded& dec, const Bases& b, bool sym)
      : Machine(ctx, f, b), d(dec) {
    symbolic = sym;
    for (int r = 0; r < 16; ++r) {
      if (!symbolic) {  // the first walk reads no register's expression
        reg.push_back(A);
        continue;
      }
      z3::expr v = c.bv_const(kGprNames[r], 64);
      reg.push_back(v);
      named.emplace_back(kGprNames[r], v);
    }
    reg[R15] = A;
    reg[RBP] = F;
    lin[R15] = {Lin::kArena, 0};
    lin[RBP] = {Lin::kFrame, 0};
  }

  // The operand's address as base + constant, when it is one (no index, a known base).
  std::optional<Lin> LinAddress(const Ins& i, const x86_op_mem& m) const {
    if (m.index != X86_REG_INVALID) return std::nullopt;
    if (m.base == X86_REG_RIP) return Lin{Lin::kConst, static_cast<int64_t>(i.addr + i.size) + m.disp};
    if (m.base == X86_REG_INVALID) return Lin{Lin::kConst, m.disp};
    RegPart p = Part(m.base);
    if (p.gpr == kNoGpr || p.bits != 64 || lin[p.gpr].base == Lin::kUnknown) return std::nullopt;
    return Lin{lin[p.gpr].base, lin[p.gpr].off + m.disp};
  }

  z3::expr Get(unsigned r) {
    RegPart p = Part(r);
    if (p.gpr == kNoGpr) return Fresh(64, "other");
    z3::expr v = reg[p.gpr];
    if (p.bits == 64) return v;
    return v.extract(p.shift + p.bits - 1, p.shift);
  }

  void Set(unsigned r, const z3::expr& value) {
    RegPart p = Part(r);
    if (p.gpr == kNoGpr) return;
    z3::expr v = value;
    if (v.get_sort().bv_size() > p.bits) v = v.extract(p.bits - 1, 0);
    if (p.bits == 64) {
      reg[p.gpr] = v;
    } else if (p.bits == 32) {
      reg[p.gpr] = z3::zext(v, 32);  // 32-bit writes clear the upper half
    } else {
      z3::expr old = reg[p.gpr];
      z3::expr hi = old.extract(63, p.shift + p.bits);
      reg[p.gpr] = p.shift ? z3::concat(hi, z3::concat(v, old.extract(p.shift - 1, 0)))
                           : z3::concat(hi, v);
    }
  }

  z3::expr Address(const Ins& i, const x86_op_mem& m) {
    z3::expr a = c.bv_val(static_cast<uint64_t>(m.disp), 64);
    if (m.base == X86_REG_RIP) {
      a = a + c.bv_val(i.addr + i.size, 64);
    } else if (m.base != X86_REG_INVALID) {
      a = a + Get(m.base);
    }
    if (m.index != X86_REG_INVALID) a = a + Get(m.index) * c.bv_val(static_cast<uint64_t>(m.scale), 64);
    return a;
  }

  // The value a load gives: unknown, except the arena fields the runtime keeps (axioms).
  z3::expr Load(const Ins& i, const x86_op_mem& m, unsigned bits) {
    const std::optional<Lin> at = LinAddress(i, m);
    if (at && at->base == Lin::kArena)
      if (std::optional<z3::expr> v = ArenaField(static_cast<uint64_t>(at->off), bits)) return *v;
    z3::expr v = Fresh(bits, "load");
    // Table entries are loaded with an index scaled by 8.
    if (bits == 64 && m.index != X86_REG_INVALID && m.scale == 8) TableEntryAxiom(Address(i, m), v);
    return v;
  }

  z3::expr Value(const Ins& i, const cs_x86_op& o, unsigned bits) {
    switch (o.type) {
      case X86_OP_REG: {
        z3::expr v = Get(o.reg);
        unsigned w = v.get_sort().bv_size();
        if (w > bits) return v.extract(bits - 1, 0);
        if (w < bits) return z3::zext(v, bits - w);
        return v;
      }
      case X86_OP_IMM: return c.bv_val(static_cast<uint64_t>(o.imm), bits);
      case X86_OP_MEM: return Load(i, o.mem, bits);
      default: return Fresh(bits, "operand");
    }
  }

  z3::expr Taken(const Ins& i) override { return Cond(i.id); }

  z3::expr Cond(unsigned id) {
    // A condition the flags do not tell: an unknown of its own, so that neither edge of the
    // branch is assumed away (true here would make the other edge's premise false).
    auto unknown = [&]() { return FreshCond(); };
    if (flags.kind == Flags::kCmp) {
      const z3::expr& a = *flags.a;
      const z3::expr& b = *flags.b;
      switch (id) {
        case X86_INS_JE: return a == b;
        case X86_INS_JNE: return a != b;
        case X86_INS_JA: return z3::ugt(a, b);
        case X86_INS_JAE: return z3::uge(a, b);
        case X86_INS_JB: return z3::ult(a, b);
        case X86_INS_JBE: return z3::ule(a, b);
        case X86_INS_JG: return a > b;
        case X86_INS_JGE: return a >= b;
        case X86_INS_JL: return a < b;
        case X86_INS_JLE: return a <= b;
        default: return unknown();
      }
    }
    if (flags.kind == Flags::kResult) {
      const z3::expr& r = *flags.r;
      z3::expr zero = c.bv_val(0, r.get_sort().bv_size());
      switch (id) {
        case X86_INS_JE: return r == zero;
        case X86_INS_JNE: return r != zero;
        case X86_INS_JS: return r < zero;
        case X86_INS_JNS: return r >= zero;
        default: return unknown();
      }
    }
    return unknown();
  }

  void Clobber(const Ins& i) {
    const X86Rec& x = Rec(d, i);
    for (int r : x.gpr_writes)
      if (r != RSP && r != R15 && r != RBP) reg[r] = Fresh(64, std::string(kGprNames[r]) + "'");
    if (x.writes_flags) flags = Flags{};
  }


  void AtEntry() override {
    if (symbolic) reg[RBP] = c.bv_const("rbp_caller", 64);  // (the first walk reads no expression)
    lin[RBP] = Lin{};
  }

  void SetSp(int64_t rsp_off) override {
    if (symbolic)
      reg[RSP] = rsp_off == kSpDiffers ? Fresh(64, "rsp") : F + c.bv_val(static_cast<uint64_t>(rsp_off), 64);
    lin[RSP] = rsp_off == kSpDiffers ? Lin{} : Lin{Lin::kFrame, rsp_off};
  }

  // Executes one instruction (its effect on registers and flags; memory is not modelled).
  void Step(const Ins& i, int64_t rsp_off) override {
    SetSp(rsp_off);
    const cs_x86& x = Rec(d, i).x;
    // The destination's base + constant form, for the moves and adds that keep one.
    std::optional<Lin> next;
    int dst = kNoGpr;
    const cs_x86_op* op = x.operands;
    if (x.op_count >= 1 && op[0].type == X86_OP_REG) {
      RegPart p = Part(op[0].reg);
      dst = p.gpr;
      const bool wide = p.bits == 64;
      if ((i.id == X86_INS_MOV || i.id == X86_INS_MOVABS) && x.op_count == 2) {
        if (op[1].type == X86_OP_IMM && (wide || p.bits == 32))
          next = Lin{Lin::kConst, wide ? op[1].imm : static_cast<int64_t>(static_cast<uint32_t>(op[1].imm))};
        else if (op[1].type == X86_OP_REG && wide && Part(op[1].reg).bits == 64 && Part(op[1].reg).gpr != kNoGpr &&
                 lin[Part(op[1].reg).gpr].base != Lin::kUnknown)
          next = lin[Part(op[1].reg).gpr];
        else if (op[1].type == X86_OP_MEM && (wide || p.bits == 32) && op[1].size * 8u == p.bits)
          // A field the runtime keeps constant (axiom "fixed offsets"), as Load gives it.
          if (std::optional<Lin> at = LinAddress(i, op[1].mem); at && at->base == Lin::kArena)
            if (std::optional<uint64_t> v = ArenaConstant(static_cast<uint64_t>(at->off), p.bits))
              next = Lin{Lin::kConst, static_cast<int64_t>(*v)};
      } else if (i.id == X86_INS_LEA && wide && op[1].type == X86_OP_MEM) {
        next = LinAddress(i, op[1].mem);
      } else if ((i.id == X86_INS_ADD || i.id == X86_INS_SUB) && wide && x.op_count == 2 &&
                 op[1].type == X86_OP_IMM && dst != kNoGpr && lin[dst].base != Lin::kUnknown) {
        next = Lin{lin[dst].base, lin[dst].off + (i.id == X86_INS_ADD ? op[1].imm : -op[1].imm)};
      } else if (i.id == X86_INS_ADD && wide && x.op_count == 2 && op[1].type == X86_OP_REG && dst != kNoGpr) {
        // A base plus a constant, plus a constant.
        const RegPart s = Part(op[1].reg);
        if (s.bits == 64 && s.gpr != kNoGpr) {
          const Lin a = lin[dst], b = lin[s.gpr];
          if (a.known() && b.known() && (a.base == Lin::kConst || b.base == Lin::kConst))
            next = Lin{a.base == Lin::kConst ? b.base : a.base,
                       static_cast<int64_t>(static_cast<uint64_t>(a.off) + static_cast<uint64_t>(b.off))};
        }
      }
    }
    std::optional<HeapIndex> ea_next;
    std::optional<PendingCheck> pending_next;
    TrackIndex(i, dst, &ea_next, &pending_next);
    std::optional<IdxFact> idx_next;
    TrackTable(i, dst, &idx_next, &pending_next);
    if (symbolic) StepExpr(i);
    for (int r : Rec(d, i).gpr_writes) {
      if (r != RSP && r != R15 && r != RBP) lin[r] = Lin{}, ea[r].reset(), idx[r] = {};
      if (counter && counter->first == r) counter.reset();
    }
    if (i.id == X86_INS_CALL) {
      for (int r = 0; r < 16; ++r)
        if (r != RSP && r != RBP && r != R15) lin[r] = Lin{}, ea[r].reset(), idx[r] = {};
      counter.reset();
    }
    if (next && dst != kNoGpr && dst != RSP && dst != R15 && dst != RBP) lin[dst] = *next;
    if (ea_next && dst != kNoGpr && dst != RSP && dst != R15 && dst != RBP) ea[dst] = ea_next;
    if (idx_next && dst != kNoGpr && dst != RSP && dst != R15 && dst != RBP) idx[dst] = *idx_next;
    if (IsJcc(i.id)) at_branch = pending;
    pending = pending_next;
    if (i.id == X86_INS_MOV && IsReg(x.operands[0], X86_REG_RBP)) {  // the prologue
      reg[RBP] = F;
      lin[RBP] = {Lin::kFrame, 0};
    }
  }

  // The bounds emitter's index through instruction i (before i's writes are applied).
  void TrackIndex(const Ins& i, int dst, std::optional<HeapIndex>* ea_next, std::optional<PendingCheck>* pending_next) {
    const cs_x86& x = Rec(d, i).x;
    const cs_x86_op* op = x.operands;
    if (x.op_count != 2 || op[0].type != X86_OP_REG || dst == kNoGpr) return;
    const RegPart p = Part(op[0].reg);
    constexpr int64_t kMaxAdd = int64_t{1} << 40;  // far from any wrap-around
    auto add = [&](const HeapIndex& e, int64_t k) -> std::optional<HeapIndex> {
      if (k < 0 || k > kMaxAdd || e.add + k > kMaxAdd) return std::nullopt;
      return HeapIndex{e.id, e.add + k};
    };
    switch (i.id) {
      case X86_INS_MOV:  // mov r32, r32: a 32-bit write zero-extends
        if (p.bits == 32 && op[1].type == X86_OP_REG && Part(op[1].reg).bits == 32 && Part(op[1].reg).gpr != kNoGpr)
          *ea_next = HeapIndex{ea_ids++, 0};
        return;
      case X86_INS_ADD:
        if (p.bits != 64 || !ea[dst]) return;
        if (op[1].type == X86_OP_IMM) {
          *ea_next = add(*ea[dst], op[1].imm);
        } else if (op[1].type == X86_OP_REG && Part(op[1].reg).bits == 64 && Part(op[1].reg).gpr != kNoGpr) {
          const Lin& k = lin[Part(op[1].reg).gpr];
          if (k.base == Lin::kConst) *ea_next = add(*ea[dst], k.off);
        }
        return;
      case X86_INS_LEA: {
        const x86_op_mem& m = op[1].mem;
        if (p.bits != 64 || op[1].type != X86_OP_MEM || m.index != X86_REG_INVALID || m.segment != X86_REG_INVALID)
          return;
        const RegPart b = Part(m.base);
        if (b.bits == 64 && b.gpr != kNoGpr && ea[b.gpr]) *ea_next = add(*ea[b.gpr], m.disp);
        return;
      }
      case X86_INS_CMP: {
        const x86_op_mem& m = op[1].mem;
        if (p.bits != 64 || !ea[dst] || op[1].type != X86_OP_MEM || op[1].size != 8 || m.index != X86_REG_INVALID ||
            m.segment != X86_REG_INVALID || Part(m.base).gpr != R15 || Part(m.base).bits != 64 || m.disp < 0)
          return;
        for (size_t q = 0; q < facts.memories.size(); ++q)
          if (static_cast<uint64_t>(m.disp) == facts.memories[q].desc + offsetof(MemoryDesc, size_bytes))
            *pending_next = PendingCheck{PendingCheck::kMemory, i.addr + i.size, *ea[dst], q, dst};
        return;
      }
      default:
        return;
    }
  }

  // The table's entry [base + index * 8 + disp] (8 bytes) is in: the base is the arena plus
  // that table's elems offset (less disp), the index below its size as the window loaded it.
  std::optional<size_t> TableEntryOf(const x86_op_mem& m, unsigned size) const {
    if (size != 8 || m.scale != 8 || m.segment != X86_REG_INVALID || m.index == X86_REG_INVALID) return std::nullopt;
    const RegPart b = Part(m.base), x = Part(m.index);
    if (b.gpr == kNoGpr || b.bits != 64 || x.gpr == kNoGpr || x.bits != 64) return std::nullopt;
    if (lin[b.gpr].base != Lin::kArena || idx[x.gpr].kind != Idx::kTable) return std::nullopt;
    const size_t k = idx[x.gpr].table;
    if (static_cast<uint64_t>(lin[b.gpr].off) + static_cast<uint64_t>(m.disp) != facts.tables[k].elems)
      return std::nullopt;
    return k;
  }

  // The region of an access through a table or function index, when the forms prove it inside.
  const char* FormRegion(const x86_op_mem& m, unsigned size) const {
    if (m.segment != X86_REG_INVALID || m.index == X86_REG_INVALID) return nullptr;
    if (TableEntryOf(m, size)) return "table entries";
    const RegPart b = Part(m.base), x = Part(m.index);
    if (b.gpr == kNoGpr || b.bits != 64 || x.gpr == kNoGpr || x.bits != 64) return nullptr;
    // [r15 + 16 f + disp], f below the capacity: inside FuncDesc f when disp - func_descs +
    // size <= 16.
    if (b.gpr == R15 && m.scale == 1 && idx[x.gpr].kind == Idx::kFunc16 && m.disp >= 0) {
      const uint64_t disp = static_cast<uint64_t>(m.disp);
      if (disp >= facts.func_descs && disp - facts.func_descs + size <= 16) return "function descriptors";
    }
    // [code table + 8 f], f below the capacity, which the code table's entries cover.
    if (m.scale == 8 && m.disp == 0 && size == 8 && idx[x.gpr].kind == Idx::kFunc &&
        lin[b.gpr].base == Lin::kConst && static_cast<uint64_t>(lin[b.gpr].off) == facts.code_table &&
        facts.func_capacity <= facts.code_table_entries)
      return "code table";
    return nullptr;
  }

  // Table and function indices through instruction i (before i's writes are applied).
  void TrackTable(const Ins& i, int dst, std::optional<IdxFact>* idx_next, std::optional<PendingCheck>* pending_next) {
    const cs_x86& x = Rec(d, i).x;
    const cs_x86_op* op = x.operands;
    if (x.op_count != 2 || op[0].type != X86_OP_REG || dst == kNoGpr) return;
    const RegPart p = Part(op[0].reg);
    switch (i.id) {
      case X86_INS_MOV:
        if (op[1].type == X86_OP_REG) {
          const RegPart s = Part(op[1].reg);
          if (s.gpr == kNoGpr || s.shift != 0 || s.bits != p.bits) return;
          const IdxFact& f = idx[s.gpr];
          if (p.bits == 32 && (f.kind == Idx::kTableLow || f.kind == Idx::kTable))
            *idx_next = IdxFact{Idx::kTable, f.table};  // zero-extends the low 32 bits
          else if (p.bits == 64 && f.kind != Idx::kNone)
            *idx_next = f;
        } else if (op[1].type == X86_OP_MEM && p.bits == 64) {
          if (std::optional<size_t> k = TableEntryOf(op[1].mem, op[1].size); k && facts.tables[*k].funcref)
            *idx_next = IdxFact{Idx::kFuncOrNull, 0};
        }
        return;
      case X86_INS_SHL:
        if (p.bits == 64 && op[1].type == X86_OP_IMM && op[1].imm == 4 && idx[dst].kind == Idx::kFunc)
          *idx_next = IdxFact{Idx::kFunc16, 0};
        return;
      case X86_INS_CMP:
        if (p.bits == 32 && p.shift == 0 && op[1].type == X86_OP_MEM && op[1].size == 4) {
          const x86_op_mem& m = op[1].mem;
          if (m.index != X86_REG_INVALID || m.segment != X86_REG_INVALID || Part(m.base).gpr != R15 ||
              Part(m.base).bits != 64 || m.disp < 0)
            return;
          for (size_t k = 0; k < facts.tables.size(); ++k)
            if (static_cast<uint64_t>(m.disp) == facts.tables[k].desc + offsetof(TableDesc, size))
              *pending_next = PendingCheck{PendingCheck::kTable, i.addr + i.size, {}, k, dst};
        } else if (p.bits == 64 && op[1].type == X86_OP_IMM && op[1].imm == -1 && idx[dst].kind == Idx::kFuncOrNull) {
          *pending_next = PendingCheck{PendingCheck::kNull, i.addr + i.size, {}, 0, dst};
        }
        return;
      default:
        return;
    }
  }

  // The window's branch i, not taken, right after such a cmp (a jcc writes no register):
  // `ja` after a memory's check: index + add <= the size (unsigned, no wrap-around); `jae`
  // after a table's: the low 32 bits below its size; `je` after the null check: not null.
  void Edge(const Ins& i, bool taken) override {
    if (taken || !at_branch || at_branch->next != i.addr) return;
    const PendingCheck& p = *at_branch;
    if (p.kind == PendingCheck::kMemory && i.id == X86_INS_JA)
      checked.push_back({p.ea.id, p.ea.add, p.memory});
    else if (p.kind == PendingCheck::kTable && i.id == X86_INS_JAE)
      idx[p.gpr] = IdxFact{Idx::kTableLow, p.memory};
    else if (p.kind == PendingCheck::kNull && i.id == X86_INS_JE && idx[p.gpr].kind == Idx::kFuncOrNull)
      idx[p.gpr] = IdxFact{Idx::kFunc, 0};
  }

  void StepExpr(const Ins& i) {
    const cs_x86& x = Rec(d, i).x;
    const cs_x86_op* o = x.operands;
    const unsigned n = x.op_count;
    auto width = [&](const cs_x86_op& op) { return static_cast<unsigned>(op.size) * 8; };
    switch (i.id) {
      case X86_INS_MOV:
      case X86_INS_MOVABS:
        if (n == 2 && o[0].type == X86_OP_REG) Set(o[0].reg, Value(i, o[1], width(o[0])));
        return;
      case X86_INS_MOVZX:
        if (n == 2 && o[0].type == X86_OP_REG)
          Set(o[0].reg, z3::zext(Value(i, o[1], width(o[1])), width(o[0]) - width(o[1])));
        return;
      case X86_INS_MOVSX:
      case X86_INS_MOVSXD:
        if (n == 2 && o[0].type == X86_OP_REG && width(o[0]) > width(o[1])) {
          Set(o[0].reg, z3::sext(Value(i, o[1], width(o[1])), width(o[0]) - width(o[1])));
          return;
        }
        break;
      case X86_INS_LEA:
        if (n == 2 && o[0].type == X86_OP_REG && o[1].type == X86_OP_MEM) {
          Set(o[0].reg, Address(i, o[1].mem));
          return;
        }
        break;
      case X86_INS_CMP:
        if (n == 2) {
          flags = Flags{Flags::kCmp, Value(i, o[0], width(o[0])), Value(i, o[1], width(o[0])), {}};
          return;
        }
        break;
      case X86_INS_TEST:
        if (n == 2) {
          flags = Flags{Flags::kResult, {}, {}, Value(i, o[0], width(o[0])) & Value(i, o[1], width(o[0]))};
          return;
        }
        break;
      case X86_INS_ADD:
      case X86_INS_SUB:
      case X86_INS_AND:
      case X86_INS_OR:
      case X86_INS_XOR:
      case X86_INS_SHL:
      case X86_INS_SHR:
      case X86_INS_SAR:
        if (n == 2) {
          unsigned w = width(o[0]);
          z3::expr a = Value(i, o[0], w);
          z3::expr b = Value(i, o[1], o[1].type == X86_OP_REG && (i.id == X86_INS_SHL || i.id == X86_INS_SHR ||
                                                                  i.id == X86_INS_SAR)
                                          ? width(o[1])
                                          : w);
          if (b.get_sort().bv_size() != w) b = z3::zext(b, w - b.get_sort().bv_size());
          std::optional<z3::expr> r;
          switch (i.id) {
            case X86_INS_ADD: r = a + b; break;
            case X86_INS_SUB: r = a - b; break;
            case X86_INS_AND: r = a & b; break;
            case X86_INS_OR: r = a | b; break;
            case X86_INS_XOR: r = a ^ b; break;
            case X86_INS_SHL: r = z3::shl(a, b & c.bv_val(w - 1, w)); break;
            case X86_INS_SHR: r = z3::lshr(a, b & c.bv_val(w - 1, w)); break;
            case X86_INS_SAR: r = z3::ashr(a, b & c.bv_val(w - 1, w)); break;
          }
          if (o[0].type == X86_OP_REG) Set(o[0].reg, *r);
          // A shift by zero leaves the flags; by a register it may be zero: unknown then.
          bool shift = i.id == X86_INS_SHL || i.id == X86_INS_SHR || i.id == X86_INS_SAR;
          if (shift && o[1].type != X86_OP_IMM)
            flags = Flags{};
          else
            flags = Flags{Flags::kResult, {}, {}, *r};
          return;
        }
        break;
      case X86_INS_INC:
      case X86_INS_DEC:
        if (n == 1) {
          unsigned w = width(o[0]);
          z3::expr r = Value(i, o[0], w) + c.bv_val(i.id == X86_INS_INC ? 1 : static_cast<uint64_t>(-1), w);
          if (o[0].type == X86_OP_REG) Set(o[0].reg, r);
          flags = Flags{Flags::kResult, {}, {}, r};
          return;
        }
        break;
      case X86_INS_PUSH:
      case X86_INS_NOP:
        return;
      case X86_INS_CALL:
        // Whatever the callee is (compiled code, a runtime service, a host function), only the
        // arena, frame and stack registers are relied on afterwards (the callee's own
        // verification shows it keeps r15 and restores rbp; rsp is the frame rule's).
        for (int r = 0; r < 16; ++r)
          if (r != RSP && r != RBP && r != R15) reg[r] = Fresh(64, std::string(kGprNames[r]) + "'");
        flags = Flags{};
        return;
      default:
        break;
    }
    Clobber(i);
  }

  std::vector<Access> Accesses(const Ins& i) override {
    const cs_x86& x = Rec(d, i).x;
    std::vector<Access> out;
    if (i.id != X86_INS_LEA && i.id != X86_INS_NOP)
      for (uint8_t o = 0; o < x.op_count; ++o) {
        const cs_x86_op& op = x.operands[o];
        if (op.type != X86_OP_MEM) continue;
        Access a{o, symbolic ? Address(i, op.mem) : A, op.size, LinAddress(i, op.mem)};
        a.uses_sp = op.mem.base == X86_REG_RSP || op.mem.index == X86_REG_RSP;
        // The bounds emitter's shape: [r15 + index + data_offset].
        if (op.mem.index != X86_REG_INVALID && op.mem.base != X86_REG_INVALID && Part(op.mem.base).gpr == R15) {
          a.disp_memory = static_cast<uint64_t>(op.mem.disp);
          const RegPart ix = Part(op.mem.index);
          if (Part(op.mem.base).bits == 64 && ix.bits == 64 && ix.gpr != kNoGpr && ea[ix.gpr] && op.mem.scale == 1 &&
              op.mem.segment == X86_REG_INVALID)
            a.heap = HeapIndex{ea[ix.gpr]->id, ea[ix.gpr]->add + op.mem.disp};
        }
        a.by_form = FormRegion(op.mem, op.size);
        // [frame base + counter * scale + disp], the counter from `from` to -1.
        if (counter && op.mem.index != X86_REG_INVALID && op.mem.base != X86_REG_INVALID &&
            op.mem.segment == X86_REG_INVALID && Part(op.mem.index).gpr == counter->first &&
            Part(op.mem.index).bits == 64 && Part(op.mem.base).bits == 64 && Part(op.mem.base).gpr != kNoGpr &&
            lin[Part(op.mem.base).gpr].base == Lin::kFrame) {
          const int64_t at = lin[Part(op.mem.base).gpr].off + op.mem.disp;
          a.frame_range = {Lin{Lin::kFrame, at + op.mem.scale * counter->second}, Lin{Lin::kFrame, at - op.mem.scale}};
        }
        out.push_back(std::move(a));
      }
    const bool push = i.id == X86_INS_PUSH || i.id == X86_INS_CALL;
    const bool pop = i.id == X86_INS_POP || i.id == X86_INS_RET;
    if (push || pop) {
      Access a{-1, !symbolic ? A : push ? reg[RSP] - c.bv_val(8, 64) : reg[RSP], 8};
      if (lin[RSP].known()) a.lin = Lin{lin[RSP].base, lin[RSP].off - (push ? 8 : 0)};
      a.uses_sp = true;
      out.push_back(std::move(a));
    }
    return out;
  }
};
// ---- the back end ------------------------------------------------------------------------

struct X64 : Lifter {
  Decoded Decode(const uint8_t* code, size_t size, uint64_t address) const override {
    return DecodeX64(code, size, address);
  }
  FrameFacts Frame(const Decoded& d, const Cfg& g, const StoreFacts& facts) const override {
    return FrameX64(d, g, facts);
  }
  std::unique_ptr<Machine> NewMachine(z3::context& c, const StoreFacts& facts, const Decoded& d,
                                      const Machine::Bases& bases, bool symbolic) const override {
    return std::make_unique<X64Machine>(c, facts, d, bases, symbolic);
  }
  // A counted loop of one block (the frame-zeroing loop): `mov R, -N` falls into the block,
  // which ends `add R, 1; jne <itself>` and writes R nowhere else. In its body R runs from -N
  // to -1.
  void BlockPremises(const Decoded& d, const Cfg& g, size_t b, Machine& machine) const override {
    if (b == 0 || g.blocks[b].pred.size() != 2) return;
    auto& m = static_cast<X64Machine&>(machine);
    const Block& blk = g.blocks[b];
    if (blk.last == blk.first) return;
    const Ins& jne = d.ins[blk.last];
    const Ins& inc = d.ins[blk.last - 1];
    const Ins& init = d.ins[blk.first - 1];
    const cs_x86& ix = Rec(d, inc).x;
    const cs_x86& nx = Rec(d, init).x;
    std::vector<size_t> preds(blk.pred.begin(), blk.pred.end());
    std::sort(preds.begin(), preds.end());
    bool shape = preds == std::vector<size_t>{b - 1, b} && jne.id == X86_INS_JNE &&
                 jne.target == d.ins[blk.first].addr && inc.id == X86_INS_ADD && ix.op_count == 2 &&
                 ix.operands[0].type == X86_OP_REG && Part(ix.operands[0].reg).bits == 64 &&
                 ix.operands[1].type == X86_OP_IMM && ix.operands[1].imm == 1 && init.id == X86_INS_MOV &&
                 nx.op_count == 2 && nx.operands[0].type == X86_OP_REG && nx.operands[0].reg == ix.operands[0].reg &&
                 nx.operands[1].type == X86_OP_IMM && nx.operands[1].imm < 0;
    if (!shape) return;
    const int r = Part(ix.operands[0].reg).gpr;
    for (size_t k = blk.first; k + 1 < blk.last; ++k)
      for (int w : Rec(d, d.ins[k]).gpr_writes)
        if (w == r) return;
    const int64_t from = nx.operands[1].imm;
    m.counter = {r, from};
    if (m.symbolic)
      m.premises.push_back(m.reg[r] >= m.c.bv_val(from, 64) && m.reg[r] <= m.c.bv_val(int64_t{-1}, 64));
  }
};

}  // namespace

const Lifter& X64Lifter() {
  static const X64 lifter;
  return lifter;
}

}  // namespace tandem::jit::verify::core
