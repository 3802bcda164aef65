// verify_x64.cc: the verifier for x86-64 code (verify.h; docs/verifier.md).
//
// The steps, per function:
//  1. Decode with Capstone (operand details) up to the constant pool's `ud2` marker.
//  2. Blocks and edges from the direct branches; `jmp REG` (to the exit path) and `ret` end a
//     path.
//  3. Function-wide facts the windows rely on, each checked here or the function is rejected:
//     the arena register r15 is never written; rbp is written only by the prologue's
//     `mov rbp, rsp` and the epilogue's `pop rbp` just before `ret`; rsp moves only by push,
//     pop, `sub/add rsp, imm` and `mov rsp, rbp`, by the same amount on every path (so rsp is
//     rbp plus a constant known at every instruction); the entry checks rsp against the stack
//     limit before anything else branches.
//  4. For every memory operand, the window: the instructions before it in its block and in the
//     chain of single-predecessor blocks before that (up to a join, the entry, or kMaxWindow
//     instructions), executed symbolically in Z3 from unknown registers (r15 = the arena base
//     A, rbp = the frame base F, rsp = F + the known offset). The branches the chain takes are
//     premises; loads give unknown values except for the arena fields the runtime keeps
//     (axioms). Then Z3 must prove the address inside the region a model of the premises
//     points to; a model outside every region is the counterexample.
#include <capstone/capstone.h>
#include <z3++.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "jit/arena.h"
#include "jit/disasm.h"
#include "jit/jit_store.h"
#include "jit/verify/verify.h"
#include "reference/module.h"
#include "reference/value.h"

namespace tandem::jit::verify {

const char* StatusName(Status s) {
  switch (s) {
    case Status::kProved: return "proved";
    case Status::kFailed: return "failed";
    case Status::kUnknown: return "unknown";
  }
  return "?";
}

struct ProofCache::Impl {
  std::unordered_map<std::string, AccessResult> results;
};
ProofCache::ProofCache() : impl(std::make_unique<Impl>()) {}
ProofCache::~ProofCache() = default;
size_t ProofCache::size() const { return impl->results.size(); }

StoreFacts FactsOf(JitStore& store) {
  StoreFacts f;
  f.arch = store.config().arch;
  Arena& a = store.arena();
  f.vm_bytes = a.config().vm_region_bytes;
  for (uint32_t m = 0; m < a.memory_count(); ++m)
    f.memories.push_back({a.memory_desc_offset(m), a.memory(m).data_offset, a.memory(m).reserved_bytes});
  for (uint32_t t = 0; t < a.table_count(); ++t)
    f.tables.push_back({a.table_desc_offset(t), a.table(t).elems_offset, a.table(t).reserved_entries,
                        a.table(t).elem_type == static_cast<uint32_t>(wasm::ValType::FuncRef)});
  f.func_descs = a.header().func_descs_offset;
  f.func_capacity = a.header().func_capacity;
  f.func_descs_field = static_cast<uint32_t>(offsetof(ArenaHeader, func_descs_offset));
  JitStore::HostFacts h = store.host_facts();
  f.code_table = h.code_table;
  f.code_table_entries = h.code_table_entries;
  f.runtime_table = h.runtime_table;
  f.runtime_entries = h.runtime_entries;
  f.exit = h.exit;
  f.stack_base = h.stack_base;
  f.stack_limit = h.stack_limit;
  return f;
}

namespace {

constexpr size_t kMaxWindow = 48;  // instructions before an access that its proof may use
constexpr unsigned kTimeoutMs = 5000;

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

struct Ins {
  uint32_t off = 0;
  uint64_t addr = 0;
  uint16_t size = 0;
  unsigned id = 0;
  std::string text;
  cs_x86 x{};
  std::vector<uint8_t> bytes;
  std::vector<int> gpr_writes;  // GPRs written (any part)
  bool writes_flags = false;
  bool rip_relative = false;
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

struct Decoded {
  std::vector<Ins> ins;
  uint32_t pool_begin = 0;  // the constant pool: [pool_begin, size)
  std::string error;        // undecodable bytes
};

Decoded Decode(const uint8_t* code, size_t size, uint64_t address) {
  Decoded d;
  csh h;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) throw std::runtime_error("capstone: cs_open failed");
  cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_INTEL);
  cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
  cs_insn* insn = cs_malloc(h);
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
    i.off = static_cast<uint32_t>(insn->address - address);
    i.addr = insn->address;
    i.size = insn->size;
    i.id = insn->id;
    i.text = insn->op_str[0] ? std::string(insn->mnemonic) + " " + insn->op_str : insn->mnemonic;
    i.x = insn->detail->x86;
    i.bytes.assign(insn->bytes, insn->bytes + insn->size);
    cs_regs regs_read, regs_write;
    uint8_t nr = 0, nw = 0;
    if (cs_regs_access(h, insn, regs_read, &nr, regs_write, &nw) == CS_ERR_OK) {
      for (uint8_t k = 0; k < nw; ++k) {
        if (regs_write[k] == X86_REG_EFLAGS) i.writes_flags = true;
        RegPart rp = Part(regs_write[k]);
        if (rp.gpr != kNoGpr) i.gpr_writes.push_back(rp.gpr);
      }
    }
    for (uint8_t k = 0; k < i.x.op_count; ++k)
      if (i.x.operands[k].type == X86_OP_MEM && i.x.operands[k].mem.base == X86_REG_RIP) i.rip_relative = true;
    d.ins.push_back(std::move(i));
  }
  cs_free(insn, 1);
  cs_close(&h);
  return d;
}

// ---- blocks ------------------------------------------------------------------------------

struct Block {
  size_t first = 0, last = 0;  // instruction indices [first, last]
  std::vector<size_t> succ, pred;
};

struct Cfg {
  std::vector<Block> blocks;
  std::vector<size_t> block_of;          // instruction -> block
  std::map<uint64_t, size_t> index_of;   // address -> instruction
  std::string error;
};

std::optional<uint64_t> DirectTarget(const Ins& i) {
  if (i.x.op_count == 1 && i.x.operands[0].type == X86_OP_IMM)
    return static_cast<uint64_t>(i.x.operands[0].imm);
  return std::nullopt;
}

Cfg BuildCfg(const Decoded& d) {
  Cfg g;
  for (size_t k = 0; k < d.ins.size(); ++k) g.index_of[d.ins[k].addr] = k;
  std::set<size_t> leaders = {0};
  for (size_t k = 0; k < d.ins.size(); ++k) {
    const Ins& i = d.ins[k];
    bool jump = i.id == X86_INS_JMP || IsJcc(i.id);
    if (jump) {
      if (auto t = DirectTarget(i)) {
        auto it = g.index_of.find(*t);
        if (it == g.index_of.end()) {
          g.error = fmt::format("branch at {:#x} to {:#x}, no instruction of the function", i.off, *t);
          return g;
        }
        leaders.insert(it->second);
      }
    }
    if (jump || i.id == X86_INS_RET) leaders.insert(k + 1);
  }
  std::vector<size_t> starts(leaders.begin(), leaders.end());
  while (!starts.empty() && starts.back() >= d.ins.size()) starts.pop_back();
  g.block_of.assign(d.ins.size(), 0);
  for (size_t b = 0; b < starts.size(); ++b) {
    Block blk;
    blk.first = starts[b];
    blk.last = (b + 1 < starts.size() ? starts[b + 1] : d.ins.size()) - 1;
    for (size_t k = blk.first; k <= blk.last; ++k) g.block_of[k] = b;
    g.blocks.push_back(blk);
  }
  for (size_t b = 0; b < g.blocks.size(); ++b) {
    const Ins& i = d.ins[g.blocks[b].last];
    auto add = [&](size_t to) {
      g.blocks[b].succ.push_back(to);
      g.blocks[to].pred.push_back(b);
    };
    const bool falls = i.id != X86_INS_JMP && i.id != X86_INS_RET;
    if (i.id == X86_INS_JMP || IsJcc(i.id))
      if (auto t = DirectTarget(i)) add(g.block_of[g.index_of[*t]]);
    if (falls && b + 1 < g.blocks.size()) add(b + 1);
  }
  return g;
}

// ---- function-wide facts -----------------------------------------------------------------

// rsp - F where no path reaches (dead code), and where paths bring different values (only
// rbp-relative and arena accesses are admitted there).
constexpr int64_t kRspUnreached = INT64_MIN;
constexpr int64_t kRspDiffers = INT64_MIN + 1;

struct FrameFacts {
  std::vector<int64_t> rsp;  // rsp - F before each instruction (F = rbp after the prologue)
  int64_t lowest = 0;        // the lowest rsp - F anywhere, less 8 for a push or call there
  bool entry_check = false;  // rsp compared with the stack limit at entry, before any branch
  int64_t after_frame = 0;   // rsp - F when the entry check runs
  size_t check_at = 0;       // the entry check's branch (instruction index)
  std::string error;         // a broken rule: every access of the function is rejected
};

bool IsReg(const cs_x86_op& o, x86_reg r) { return o.type == X86_OP_REG && o.reg == r; }

FrameFacts ComputeFrame(const Decoded& d, const Cfg& g, const StoreFacts& facts) {
  FrameFacts f;
  const size_t n = d.ins.size();
  const int64_t kUnset = kRspUnreached;
  f.rsp.assign(n, kUnset);
  if (n == 0) return f;
  // r15 never written; rbp only by `mov rbp, rsp` (second instruction, after `push rbp`) and
  // by `pop rbp` right before `ret`.
  for (size_t k = 0; k < n; ++k) {
    const Ins& i = d.ins[k];
    for (int r : i.gpr_writes) {
      if (r == R15) {
        f.error = fmt::format("`{}` at {:#x} writes the arena register", i.text, i.off);
        return f;
      }
      if (r == RBP) {
        bool prologue = k == 1 && i.id == X86_INS_MOV && IsReg(i.x.operands[0], X86_REG_RBP) &&
                        IsReg(i.x.operands[1], X86_REG_RSP) && d.ins[0].id == X86_INS_PUSH &&
                        IsReg(d.ins[0].x.operands[0], X86_REG_RBP);
        bool epilogue = i.id == X86_INS_POP && IsReg(i.x.operands[0], X86_REG_RBP) && k + 1 < n &&
                        d.ins[k + 1].id == X86_INS_RET;
        if (!prologue && !epilogue) {
          f.error = fmt::format("`{}` at {:#x} writes the frame register", i.text, i.off);
          return f;
        }
      }
    }
  }
  // rsp - F along every path: 8 at entry (F = entry rsp - 8, where `push rbp` puts rbp).
  f.rsp[0] = 8;
  std::vector<size_t> work = {0};
  int64_t lowest = 8;
  auto step = [&](size_t k, int64_t in) -> std::optional<int64_t> {
    const Ins& i = d.ins[k];
    bool writes_rsp = std::find(i.gpr_writes.begin(), i.gpr_writes.end(), RSP) != i.gpr_writes.end();
    if (in == kRspDiffers) {
      if (i.id == X86_INS_MOV && IsReg(i.x.operands[0], X86_REG_RSP) && IsReg(i.x.operands[1], X86_REG_RBP))
        return 0;
      return kRspDiffers;
    }
    switch (i.id) {
      case X86_INS_PUSH: lowest = std::min(lowest, in - 8); return in - 8;
      case X86_INS_POP: return in + 8;
      case X86_INS_CALL: lowest = std::min(lowest, in - 8); return in;  // the callee pops
      case X86_INS_RET: return in;
      default: break;
    }
    if (!writes_rsp) return in;
    const cs_x86_op& a = i.x.operands[0];
    const cs_x86_op& b = i.x.operands[1];
    if (i.x.op_count == 2 && IsReg(a, X86_REG_RSP) && b.type == X86_OP_IMM) {
      if (i.id == X86_INS_SUB) return in - b.imm;
      if (i.id == X86_INS_ADD) return in + b.imm;
    }
    if (i.id == X86_INS_MOV && IsReg(a, X86_REG_RSP) && IsReg(b, X86_REG_RBP)) return 0;
    f.error = fmt::format("`{}` at {:#x} moves the stack pointer in a way the verifier does not follow", i.text, i.off);
    return std::nullopt;
  };
  while (!work.empty()) {
    size_t b = work.back();
    work.pop_back();
    const Block& blk = g.blocks[b];
    int64_t cur = f.rsp[blk.first];
    for (size_t k = blk.first; k <= blk.last; ++k) {
      f.rsp[k] = cur;
      auto next = step(k, cur);
      if (!next) return f;
      cur = *next;
      if (cur != kRspDiffers) lowest = std::min(lowest, cur);
    }
    if (d.ins[blk.last].id == X86_INS_RET) continue;
    for (size_t s : blk.succ) {
      size_t first = g.blocks[s].first;
      if (f.rsp[first] == kUnset) {
        f.rsp[first] = cur;
        work.push_back(s);
      } else if (f.rsp[first] != cur && f.rsp[first] != kRspDiffers) {
        f.rsp[first] = kRspDiffers;  // and onwards, until `mov rsp, rbp`
        work.push_back(s);
      }
    }
  }
  f.lowest = lowest;
  // The entry check: `movabs R, limit; cmp rsp, R; jb` in the entry block chain, before any
  // branch target (every path passes it).
  // The entry chain: block 0, then each next block while its one predecessor is the one before.
  auto in_entry_chain = [&](size_t k) {
    for (size_t b = g.block_of[k]; b > 0; --b)
      if (g.blocks[b].pred.size() != 1 || g.blocks[b].pred[0] != b - 1) return false;
    return true;
  };
  for (size_t k = 0; k + 2 < n && in_entry_chain(k + 2); ++k) {
    const Ins& a = d.ins[k];
    const Ins& c = d.ins[k + 1];
    if (a.id == X86_INS_MOVABS && a.x.operands[1].type == X86_OP_IMM &&
        static_cast<uint64_t>(a.x.operands[1].imm) == facts.stack_limit && c.id == X86_INS_CMP &&
        IsReg(c.x.operands[0], X86_REG_RSP) && c.x.operands[1].type == X86_OP_REG &&
        Part(c.x.operands[1].reg).gpr == Part(a.x.operands[0].reg).gpr && d.ins[k + 2].id == X86_INS_JB) {
      f.entry_check = true;
      f.after_frame = f.rsp[k + 1];
      f.check_at = k + 2;
      break;
    }
    if (IsJcc(a.id) && a.id != X86_INS_JAE) break;  // the call-depth check (jae) comes first
  }
  return f;
}

// ---- symbolic execution ------------------------------------------------------------------

// A running 128-bit digest of what a proof depends on (two independent 64-bit mixes), so that
// the cache key of every access of a long block costs O(1) to extend, not the whole prefix.
struct Digest {
  uint64_t a = 0x6a09e667f3bcc908ull, b = 0xbb67ae8584caa73bull;
  void Add(std::string_view s) {
    for (unsigned char ch : s) {
      a = (a ^ ch) * 0x100000001b3ull;
      b = ((b ^ ch) * 0x9e3779b97f4a7c15ull);
      b ^= b >> 29;
    }
    a ^= 0xff;  // a separator, so that "ab" + "c" differs from "a" + "bc"
    a *= 0x100000001b3ull;
    b = (b ^ 0xff) * 0xbf58476d1ce4e5b9ull;
  }
  std::string Hex() const { return fmt::format("{:016x}{:016x}", a, b); }
};

struct Flags {
  enum Kind { kNone, kCmp, kResult } kind = kNone;
  std::optional<z3::expr> a, b, r;  // cmp: a - b; result: r
};

struct Machine {
  z3::context& c;
  const StoreFacts& facts;
  std::vector<z3::expr> reg;
  Flags flags;
  z3::expr_vector premises;
  // Beside each register's expression, the same value when it is a base plus a constant (the
  // arena base A, the frame base F, or nothing): most addresses are, and need no solver.
  struct Lin {
    enum Base : int8_t { kUnknown = -1, kConst = 0, kArena = 1, kFrame = 2 } base = kUnknown;
    int64_t off = 0;
  };
  Lin lin[16];
  Digest facts_used;  // the facts the loads relied on, for the cache key
  // The latest value loaded from each memory's size field and each table's size field.
  std::map<size_t, z3::expr> memory_size, table_size;
  z3::expr A, F;
  int fresh = 0;
  std::vector<std::pair<std::string, z3::expr>> named;  // unknowns, for counterexamples

  Machine(z3::context& ctx, const StoreFacts& f)
      : c(ctx), facts(f), premises(ctx), A(ctx.bv_const("A", 64)), F(ctx.bv_const("F", 64)) {
    for (int r = 0; r < 16; ++r) {
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

  z3::expr Fresh(unsigned bits, const std::string& what) {
    z3::expr v = c.bv_const(fmt::format("{}#{}", what, fresh++).c_str(), bits);
    named.emplace_back(what, v);
    return v;
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
    if (at && at->base == Lin::kArena) {
      uint64_t o = static_cast<uint64_t>(at->off);
      for (size_t k = 0; k < facts.memories.size(); ++k) {
        const auto& mem = facts.memories[k];
        if (o == mem.desc + offsetof(MemoryDesc, data_offset) && bits == 64) {
          facts_used.Add(fmt::format("memory{}.data={:#x}", k, mem.data));
          return c.bv_val(mem.data, 64);  // axiom "fixed offsets"
        }
        if (o == mem.desc + offsetof(MemoryDesc, size_bytes) && bits == 64) {
          z3::expr s = Fresh(64, fmt::format("memory{}.size", k));
          memory_size.insert_or_assign(k, s);
          premises.push_back(z3::ule(s, c.bv_val(mem.reserved, 64)));  // axiom "memory size"
          facts_used.Add(fmt::format("memory{}.size<={:#x}", k, mem.reserved));
          return s;
        }
      }
      for (size_t k = 0; k < facts.tables.size(); ++k) {
        const auto& t = facts.tables[k];
        if (o == t.desc + offsetof(TableDesc, elems_offset) && bits == 64) {
          facts_used.Add(fmt::format("table{}.elems={:#x}", k, t.elems));
          return c.bv_val(t.elems, 64);  // axiom "fixed offsets"
        }
        if (o == t.desc + offsetof(TableDesc, size) && bits == 32) {
          z3::expr s = Fresh(32, fmt::format("table{}.size", k));
          table_size.insert_or_assign(k, s);
          premises.push_back(z3::ule(s, c.bv_val(t.reserved, 32)));  // axiom "table size"
          facts_used.Add(fmt::format("table{}.size<={}", k, t.reserved));
          return s;
        }
      }
      if (o == facts.func_descs_field && bits == 32) {
        facts_used.Add(fmt::format("func_descs={:#x}", facts.func_descs));
        return c.bv_val(facts.func_descs, 32);
      }
    }
    z3::expr v = Fresh(bits, "load");
    const z3::expr addr = Address(i, m);
    // A 64-bit entry of a funcref table holds null or a function index (axiom "table entries"),
    // when the address is provably inside that table's entries.
    if (bits == 64 && m.index != X86_REG_INVALID && m.scale == 8) {
      for (size_t k = 0; k < facts.tables.size(); ++k) {
        const auto& t = facts.tables[k];
        if (!t.funcref) continue;
        z3::solver s(c, "QF_BV");
        z3::params p(c);
        p.set("timeout", kTimeoutMs);
        s.set(p);
        s.add(premises);
        z3::expr lo = c.bv_val(t.elems, 65);
        z3::expr x = z3::zext((addr - A).simplify(), 1);
        s.add(!(z3::ule(lo, x) && z3::ule(x + 8, lo + c.bv_val(8 * uint64_t{t.reserved}, 65))));
        if (s.check() == z3::unsat) {
          premises.push_back(v == c.bv_val(wasm::kNullRef, 64) ||
                             z3::ult(v, c.bv_val(uint64_t{facts.func_capacity}, 64)));
          facts_used.Add(fmt::format("table{}.entries", k));
          break;
        }
      }
    }
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

  z3::expr Cond(unsigned id) {
    auto unknown = [&]() { return c.bool_val(true); };
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
    for (int r : i.gpr_writes)
      if (r != RSP && r != R15 && r != RBP) reg[r] = Fresh(64, std::string(kGprNames[r]) + "'");
    if (i.writes_flags) flags = Flags{};
  }


  // Executes one instruction (its effect on registers and flags; memory is not modelled).
  void SetRsp(int64_t rsp_off) {
    reg[RSP] = rsp_off == kRspDiffers ? Fresh(64, "rsp") : F + c.bv_val(static_cast<uint64_t>(rsp_off), 64);
    lin[RSP] = rsp_off == kRspDiffers ? Lin{} : Lin{Lin::kFrame, rsp_off};
  }

  void Step(const Ins& i, int64_t rsp_off) {
    SetRsp(rsp_off);
    // The destination's base + constant form, for the moves and adds that keep one.
    std::optional<Lin> next;
    int dst = kNoGpr;
    const cs_x86_op* op = i.x.operands;
    if (i.x.op_count >= 1 && op[0].type == X86_OP_REG) {
      RegPart p = Part(op[0].reg);
      dst = p.gpr;
      const bool wide = p.bits == 64;
      if ((i.id == X86_INS_MOV || i.id == X86_INS_MOVABS) && i.x.op_count == 2) {
        if (op[1].type == X86_OP_IMM && (wide || p.bits == 32))
          next = Lin{Lin::kConst, wide ? op[1].imm : static_cast<int64_t>(static_cast<uint32_t>(op[1].imm))};
        else if (op[1].type == X86_OP_REG && wide && Part(op[1].reg).bits == 64 && Part(op[1].reg).gpr != kNoGpr &&
                 lin[Part(op[1].reg).gpr].base != Lin::kUnknown)
          next = lin[Part(op[1].reg).gpr];
      } else if (i.id == X86_INS_LEA && wide && op[1].type == X86_OP_MEM) {
        next = LinAddress(i, op[1].mem);
      } else if ((i.id == X86_INS_ADD || i.id == X86_INS_SUB) && wide && i.x.op_count == 2 &&
                 op[1].type == X86_OP_IMM && dst != kNoGpr && lin[dst].base != Lin::kUnknown) {
        next = Lin{lin[dst].base, lin[dst].off + (i.id == X86_INS_ADD ? op[1].imm : -op[1].imm)};
      }
    }
    StepExpr(i);
    for (int r : i.gpr_writes)
      if (r != RSP && r != R15 && r != RBP) lin[r] = Lin{};
    if (i.id == X86_INS_CALL)
      for (int r = 0; r < 16; ++r)
        if (r != RSP && r != RBP && r != R15) lin[r] = Lin{};
    if (next && dst != kNoGpr && dst != RSP && dst != R15 && dst != RBP) lin[dst] = *next;
  }

  void StepExpr(const Ins& i) {
    const cs_x86_op* o = i.x.operands;
    const unsigned n = i.x.op_count;
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
};

// ---- regions -----------------------------------------------------------------------------

struct Region {
  std::string name;
  enum Base { kArena, kFrame, kAbsolute } base;
  z3::expr lo, hi;  // 65-bit: offsets from the base (signed for the frame), or addresses
  // The same bounds as numbers, when they are constants (the frame: signed offsets).
  bool numeric = false;
  __int128 nlo = 0, nhi = 0;
};

// The uninterpreted constants (symbols) of `e`, by declaration id.
void Symbols(const z3::expr& e, std::unordered_set<unsigned>& out) {
  std::vector<z3::expr> todo = {e};
  std::unordered_set<unsigned> seen;
  while (!todo.empty()) {
    z3::expr x = todo.back();
    todo.pop_back();
    if (!seen.insert(x.id()).second || !x.is_app()) continue;
    if (x.is_const() && !x.is_numeral()) {
      out.insert(x.decl().id());
      continue;
    }
    for (unsigned k = 0; k < x.num_args(); ++k) todo.push_back(x.arg(k));
  }
}

bool Mentions(const z3::expr& e, const char* name) {
  if (e.is_const()) return e.decl().name().str() == name;
  if (e.is_app())
    for (unsigned k = 0; k < e.num_args(); ++k)
      if (Mentions(e.arg(k), name)) return true;
  return false;
}

struct Access {
  size_t at;        // instruction index
  z3::expr addr;
  unsigned bytes;
};

}  // namespace

FunctionResult VerifyFunction(const StoreFacts& facts, const FunctionInput& in, ProofCache* cache) {
  FunctionResult out;
  out.store_index = in.store_index;
  Decoded d = Decode(in.code, in.size, in.address);
  auto reject_all = [&](const std::string& why) {
    for (const Ins& i : d.ins) {
      ++out.accesses;
      ++out.failed;
      out.problems.push_back({i.off, i.text, Status::kFailed, "", why});
    }
    return out;
  };
  if (!d.error.empty()) {
    out.accesses = out.failed = 1;
    out.problems.push_back({0, "", Status::kFailed, "", d.error});
    return out;
  }
  Cfg g = BuildCfg(d);
  if (!g.error.empty()) return reject_all(g.error);
  FrameFacts frame = ComputeFrame(d, g, facts);
  if (!frame.error.empty()) return reject_all(frame.error);

  // The facts every proof of this function may use, for the cache key.
  z3::context c;  // one per function: its expressions go with it
  const std::string facts_key = fmt::format(
      "vm={:#x} fd={:#x}/{} ct={:#x}/{} rt={:#x}/{} frame=[{},{}) check={} pool=[{:#x},{:#x})",
      facts.vm_bytes, facts.func_descs, facts.func_capacity, facts.code_table,
      facts.code_table_entries, facts.runtime_table, facts.runtime_entries, frame.lowest,
      16 + 8 * int64_t{in.arg_slots}, frame.entry_check, in.address + d.pool_begin, in.address + in.size);

  // One walk per block: the chain of single-predecessor blocks before it (up to a join, the
  // entry, or kMaxWindow instructions) is executed once, then the block instruction by
  // instruction; each access is proved in the state just before it. The premises only grow
  // along the walk, so one solver per block takes them as they come.
  auto touches_memory = [&](const Ins& i) {
    if (i.id == X86_INS_PUSH || i.id == X86_INS_CALL || i.id == X86_INS_POP || i.id == X86_INS_RET)
      return true;
    if (i.id == X86_INS_LEA || i.id == X86_INS_NOP) return false;
    for (uint8_t o = 0; o < i.x.op_count; ++o)
      if (i.x.operands[o].type == X86_OP_MEM) return true;
    return false;
  };
  for (size_t b = 0; b < g.blocks.size(); ++b) {
    bool any = false;
    for (size_t k = g.blocks[b].first; k <= g.blocks[b].last && !any; ++k) any = touches_memory(d.ins[k]);
    if (!any) continue;
    if (frame.rsp[g.blocks[b].first] == kRspUnreached) {
      // Dead code: no path from the entry reaches it (control enters a function only at its
      // start, and its only ways out are ret and the jump to the exit path).
      for (size_t k = g.blocks[b].first; k <= g.blocks[b].last; ++k)
        if (touches_memory(d.ins[k])) {
          size_t n = d.ins[k].id == X86_INS_PUSH || d.ins[k].id == X86_INS_CALL || d.ins[k].id == X86_INS_POP ||
                             d.ins[k].id == X86_INS_RET ? 1 : 0;
          for (uint8_t o = 0; o < d.ins[k].x.op_count; ++o)
            n += d.ins[k].x.operands[o].type == X86_OP_MEM && d.ins[k].id != X86_INS_LEA;
          out.accesses += n;
          out.proved += n;
          out.dead += n;
        }
      continue;
    }
    std::vector<size_t> window;  // the chain's instructions, in execution order
    std::vector<std::pair<size_t, bool>> edges;  // (index of a jcc in the window, taken)
    bool at_entry = b == 0;
    size_t cur = b;
    while (window.size() < kMaxWindow && g.blocks[cur].pred.size() == 1) {
      size_t p = g.blocks[cur].pred[0];
      if (p == b) break;  // a loop of single-predecessor blocks
      const Block& pb = g.blocks[p];
      const Ins& last = d.ins[pb.last];
      if (IsJcc(last.id)) {
        auto t = DirectTarget(last);
        bool taken = t && g.block_of[g.index_of[*t]] == cur;
        bool falls = p + 1 == cur;
        if (!(taken && falls)) edges.push_back({pb.last, taken});
      }
      bool seen = false;
      for (size_t j = pb.first; j <= pb.last && !seen; ++j)
        seen = std::find(window.begin(), window.end(), j) != window.end();
      if (seen) break;
      for (size_t j = pb.last + 1; j-- > pb.first;) window.push_back(j);
      cur = p;
      at_entry = p == 0;
    }
    std::reverse(window.begin(), window.end());
    at_entry = at_entry && (window.empty() ? b == 0 : window.front() == 0);

    // The cache key grows with the walk: the bytes, with branch displacements replaced by the
    // edge taken.
    Digest key;
    bool rip = false;
    auto key_add = [&](size_t j) {
      const Ins& w = d.ins[j];
      rip |= w.rip_relative;
      if (IsJcc(w.id) || w.id == X86_INS_JMP) {
        bool taken = false;
        for (auto& [e, t] : edges)
          if (e == j) taken = t;
        key.Add(fmt::format("{}:{}", w.id, taken ? "T" : "F"));
      } else {
        key.Add(std::string_view(reinterpret_cast<const char*>(w.bytes.data()), w.bytes.size()));
      }
    };
    Machine m(c, facts);
    if (at_entry) {
      m.reg[RBP] = c.bv_const("rbp_caller", 64);
      m.lin[RBP] = Machine::Lin{};
    }
    // A counted loop of one block (the frame-zeroing loop): `mov R, -N` falls into the block,
    // which ends `add R, 1; jne <itself>` and writes R nowhere else. In its body R runs from
    // -N to -1.
    if (window.empty() && g.blocks[b].pred.size() == 2 && b > 0) {
      const Block& blk = g.blocks[b];
      const Ins& jne = d.ins[blk.last];
      const Ins& inc = d.ins[blk.last > blk.first ? blk.last - 1 : blk.last];
      const Ins& init = d.ins[blk.first - 1];
      auto preds = blk.pred;
      std::sort(preds.begin(), preds.end());
      bool shape = preds == std::vector<size_t>{b - 1, b} && jne.id == X86_INS_JNE &&
                   DirectTarget(jne) == d.ins[blk.first].addr && blk.last > blk.first &&
                   inc.id == X86_INS_ADD && inc.x.op_count == 2 && inc.x.operands[0].type == X86_OP_REG &&
                   Part(inc.x.operands[0].reg).bits == 64 && inc.x.operands[1].type == X86_OP_IMM &&
                   inc.x.operands[1].imm == 1 && init.id == X86_INS_MOV && init.x.op_count == 2 &&
                   init.x.operands[0].type == X86_OP_REG && init.x.operands[0].reg == inc.x.operands[0].reg &&
                   init.x.operands[1].type == X86_OP_IMM && init.x.operands[1].imm < 0;
      const int r = shape ? Part(inc.x.operands[0].reg).gpr : kNoGpr;
      for (size_t k = blk.first; shape && k + 1 < blk.last; ++k)
        for (int w : d.ins[k].gpr_writes) shape &= w != r;
      if (shape) {
        const int64_t from = init.x.operands[1].imm;
        m.premises.push_back(m.reg[r] >= c.bv_val(from, 64) && m.reg[r] <= c.bv_val(int64_t{-1}, 64));
        key.Add(fmt::format("counted {} from {}", kGprNames[r], from));
      }
    }
    auto step = [&](size_t j) {
      const Ins& w = d.ins[j];
      m.Step(w, frame.rsp[j]);
      if (IsJcc(w.id))
        for (auto& [e, t] : edges)
          if (e == j) m.premises.push_back(t ? m.Cond(w.id) : !m.Cond(w.id));
      if (w.id == X86_INS_MOV && IsReg(w.x.operands[0], X86_REG_RBP)) {  // the prologue
        m.reg[RBP] = m.F;
        m.lin[RBP] = {Machine::Lin::kFrame, 0};
      }
    };
    for (size_t j : window) {
      key_add(j);
      step(j);
    }
    std::vector<std::unordered_set<unsigned>> premise_symbols;  // of m.premises, as they come

    for (size_t k = g.blocks[b].first; k <= g.blocks[b].last; ++k) {
    const Ins& ins = d.ins[k];
    // The memory operands of this instruction: explicit (not lea, which computes only), and
    // the stack slot of push, pop, call and ret.
    std::vector<std::pair<int, unsigned>> mems;  // operand index (-1: the stack slot), bytes
    if (ins.id != X86_INS_LEA && ins.id != X86_INS_NOP)
      for (uint8_t o = 0; o < ins.x.op_count; ++o)
        if (ins.x.operands[o].type == X86_OP_MEM) mems.push_back({o, ins.x.operands[o].size});
    const bool push = ins.id == X86_INS_PUSH || ins.id == X86_INS_CALL;
    const bool pop = ins.id == X86_INS_POP || ins.id == X86_INS_RET;
    if (push || pop) mems.push_back({-1, 8});
    if (!mems.empty()) {
    if (frame.rsp[k] == kRspDiffers) {
      // The stack pointer is not known here: stack accesses through it cannot be proved.
      bool uses_rsp = push || pop;
      for (uint8_t o = 0; o < ins.x.op_count; ++o)
        if (ins.x.operands[o].type == X86_OP_MEM &&
            (ins.x.operands[o].mem.base == X86_REG_RSP || ins.x.operands[o].mem.index == X86_REG_RSP))
          uses_rsp = true;
      if (uses_rsp) {
        for (size_t q = 0; q < mems.size(); ++q) {
          ++out.accesses;
          ++out.failed;
          out.problems.push_back({ins.off, ins.text, Status::kFailed, "frame",
                                  "the stack pointer differs between the paths that reach it"});
        }
        mems.clear();
      }
    }
    m.SetRsp(frame.rsp[k]);
    while (premise_symbols.size() < m.premises.size()) {
      premise_symbols.emplace_back();
      Symbols(m.premises[static_cast<unsigned>(premise_symbols.size() - 1)], premise_symbols.back());
    }
    std::string key_here = key.Hex() + "@" + HexBytes(ins.bytes) +
                           fmt::format("|rsp={}|entry={}", frame.rsp[k], at_entry) +
                           (rip || ins.rip_relative ? fmt::format("|at={:#x}", in.address) : "");
      for (auto [opnd, bytes] : mems) {
        ++out.accesses;
        // A base plus a constant inside its region needs neither the cache nor the solver.
        {
          std::optional<Machine::Lin> at;
          if (opnd >= 0)
            at = m.LinAddress(ins, ins.x.operands[opnd].mem);
          else if (m.lin[RSP].base != Machine::Lin::kUnknown)
            at = Machine::Lin{m.lin[RSP].base, m.lin[RSP].off - (push ? 8 : 0)};
          const __int128 lo = at ? at->off : 0, hi = lo + bytes;
          bool inside = false;
          if (at && at->base == Machine::Lin::kArena) {
            inside = lo >= 0 && hi <= static_cast<__int128>(facts.vm_bytes);
          } else if (at && at->base == Machine::Lin::kFrame) {
            const bool frame_ok = frame.entry_check && k > frame.check_at &&
                                  frame.after_frame - frame.lowest <=
                                      static_cast<int64_t>(facts.stack_limit - facts.stack_base);
            inside = (frame_ok && lo >= frame.lowest && hi <= 16 + 8 * __int128{in.arg_slots}) ||
                     (k <= frame.check_at && lo >= 0 && hi <= 16);
          } else if (at && at->base == Machine::Lin::kConst) {
            auto within = [&](uint64_t base, uint64_t len) {
              return lo >= static_cast<__int128>(base) && hi <= static_cast<__int128>(base) + len;
            };
            inside = within(facts.code_table, 8 * facts.code_table_entries) ||
                     within(facts.runtime_table, 8 * facts.runtime_entries) ||
                     within(in.address + d.pool_begin, in.size - d.pool_begin);
          }
          if (inside) {
            ++out.proved;
            continue;
          }
        }
        std::string region_key = key_here + fmt::format("#{}|{}", opnd, m.facts_used.Hex());
        // Every memory and table the window may reach is in the key through facts_used; the
        // region lists below add the rest.
        std::string full_key = region_key + "|" + facts_key + fmt::format("|mem={}|tab={}", facts.memories.size(), facts.tables.size());
        for (const auto& mem : facts.memories) full_key += fmt::format(";{:#x}/{:#x}", mem.data, mem.reserved);
        for (const auto& t : facts.tables) full_key += fmt::format(";{:#x}/{}", t.elems, t.reserved);
        if (cache) {
          auto it = cache->impl->results.find(full_key);
          if (it != cache->impl->results.end()) {
            ++cache->hits;
            ++out.cached;
            AccessResult r = it->second;
            r.code_offset = ins.off;
            r.text = ins.text;
            if (r.status == Status::kProved) ++out.proved;
            else if (r.status == Status::kFailed) ++out.failed, out.problems.push_back(r);
            else ++out.unknown, out.problems.push_back(r);
            continue;
          }
          ++cache->misses;
        }
        z3::expr addr = opnd >= 0 ? m.Address(ins, ins.x.operands[opnd].mem)
                                  : (push ? m.reg[RSP] - c.bv_val(8, 64) : m.reg[RSP]);
        if (opnd < 0 && ins.id == X86_INS_CALL) addr = m.reg[RSP] - c.bv_val(8, 64);
        addr = addr.simplify();
        // The regions.
        std::vector<Region> regions;
        auto arena = [&](std::string name, uint64_t lo, const z3::expr& hi) {
          regions.push_back({std::move(name), Region::kArena, c.bv_val(lo, 65), hi});
        };
        auto absolute = [&](std::string name, uint64_t lo, uint64_t len) {
          regions.push_back({std::move(name), Region::kAbsolute, c.bv_val(lo, 65),
                             c.bv_val(lo, 65) + c.bv_val(len, 65), true, lo, static_cast<__int128>(lo) + len});
        };
        auto frame_region = [&](std::string name, int64_t lo, int64_t hi) {
          regions.push_back({std::move(name), Region::kFrame, c.bv_val(lo, 65), c.bv_val(hi, 65), true, lo, hi});
        };
        for (size_t q = 0; q < facts.memories.size(); ++q) {
          // The size as the code loaded it: the window's load of this memory's size field.
          std::optional<z3::expr> size;
          if (auto it = m.memory_size.find(q); it != m.memory_size.end()) size = it->second;
          if (size)
            arena(fmt::format("memory {}", q), facts.memories[q].data,
                  c.bv_val(facts.memories[q].data, 65) + z3::zext(*size, 1));
          else
            arena(fmt::format("memory {} (no size loaded before the access)", q), facts.memories[q].data,
                  c.bv_val(facts.memories[q].data, 65));
        }
        for (size_t q = 0; q < facts.tables.size(); ++q) {
          std::optional<z3::expr> size;
          if (auto it = m.table_size.find(q); it != m.table_size.end()) size = it->second;
          const uint64_t e = facts.tables[q].elems;
          arena(fmt::format("table {} entries", q), e,
                size ? c.bv_val(e, 65) + z3::zext(*size, 33) * c.bv_val(8, 65) : c.bv_val(e, 65));
        }
        arena("function descriptors", facts.func_descs,
              c.bv_val(facts.func_descs + 16 * uint64_t{facts.func_capacity}, 65));
        arena("VM structures", 0, c.bv_val(facts.vm_bytes, 65));
        // The frame, once the entry check has passed (every later instruction comes after it);
        // before that, only the slot of the saved rbp and the return address.
        if (frame.entry_check && k > frame.check_at &&
            frame.after_frame - frame.lowest <= static_cast<int64_t>(facts.stack_limit - facts.stack_base))
          frame_region("frame", frame.lowest, 16 + 8 * int64_t{in.arg_slots});
        if (k <= frame.check_at) frame_region("entry stack", 0, 16);
        absolute("code table", facts.code_table, 8 * facts.code_table_entries);
        absolute("runtime table", facts.runtime_table, 8 * facts.runtime_entries);
        absolute("constant pool", in.address + d.pool_begin, in.size - d.pool_begin);

        // Constant offsets from the arena or the frame, and constant addresses, need no solver.
        {
          const z3::expr xa = (addr - m.A).simplify(), xf = (addr - m.F).simplify();
          std::optional<Status> quick;
          std::string where;
          if (xa.is_numeral() && !Mentions(addr, "F")) {
            const uint64_t o = xa.get_numeral_uint64();
            if (o + bytes <= facts.vm_bytes) quick = Status::kProved, where = "VM structures";
          } else if (xf.is_numeral() && !Mentions(addr, "A")) {
            const int64_t o = static_cast<int64_t>(xf.get_numeral_uint64());
            for (const Region& r : regions)
              if (r.base == Region::kFrame && o >= r.nlo && o + static_cast<__int128>(bytes) <= r.nhi)
                quick = Status::kProved, where = r.name;
          } else if (addr.is_numeral()) {
            const uint64_t a = addr.get_numeral_uint64();
            for (const Region& r : regions)
              if (r.base == Region::kAbsolute && a >= r.nlo && a + static_cast<__int128>(bytes) <= r.nhi)
                quick = Status::kProved, where = r.name;
          }
          if (quick) {
            AccessResult res{ins.off, ins.text, *quick, where, ""};
            if (cache) cache->impl->results[full_key] = res;
            ++out.proved;
            continue;
          }
        }
        auto inside = [&](const Region& r) -> z3::expr {
          const z3::expr w = c.bv_val(bytes, 65);
          switch (r.base) {
            case Region::kArena: {
              z3::expr x = z3::zext((addr - m.A).simplify(), 1);
              return z3::ule(r.lo, x) && z3::ule(x + w, r.hi);
            }
            case Region::kFrame: {
              z3::expr x = z3::sext((addr - m.F).simplify(), 1);
              return r.lo <= x && x + w <= r.hi;
            }
            case Region::kAbsolute: {
              z3::expr x = z3::zext(addr, 1);
              return z3::ule(r.lo, x) && z3::ule(x + w, r.hi);
            }
          }
          return c.bool_val(false);
        };
        // A model of the premises points at a region; prove the address stays inside it.
        AccessResult res{ins.off, ins.text, Status::kUnknown, "", ""};
        ++out.solver;
        // Only the premises that bear on the address (its symbols and the regions' bounds,
        // closed under sharing a symbol): a long block's other checks stay out of the solver.
        z3::solver s(c, "QF_BV");
        {
          z3::params p(c);
          p.set("timeout", kTimeoutMs);
          s.set(p);
          std::unordered_set<unsigned> cone;
          Symbols(addr, cone);
          for (const Region& r : regions) {
            Symbols(r.lo, cone);
            Symbols(r.hi, cone);
          }
          std::vector<bool> taken(m.premises.size(), false);
          for (bool grew = true; grew;) {
            grew = false;
            for (size_t q = 0; q < premise_symbols.size(); ++q) {
              if (taken[q]) continue;
              bool shares = false;
              for (unsigned sym : premise_symbols[q])
                if (cone.count(sym)) {
                  shares = true;
                  break;
                }
              if (!shares) continue;
              taken[q] = grew = true;
              cone.insert(premise_symbols[q].begin(), premise_symbols[q].end());
              s.add(m.premises[static_cast<unsigned>(q)]);
            }
          }
        }
        // The common case first: an indexed access whose displacement is a memory's data
        // offset (the bounds emitter's shape) is tried against that memory alone, one check.
        if (opnd >= 0 && ins.x.operands[opnd].mem.index != X86_REG_INVALID &&
            ins.x.operands[opnd].mem.base != X86_REG_INVALID &&
            Part(ins.x.operands[opnd].mem.base).gpr == R15) {
          const uint64_t disp = static_cast<uint64_t>(ins.x.operands[opnd].mem.disp);
          for (size_t q = 0; q < facts.memories.size(); ++q) {
            if (facts.memories[q].data != disp) continue;
            s.push();
            s.add(!inside(regions[q]));  // regions[q] is memory q (they come first)
            const bool proved = s.check() == z3::unsat;
            s.pop();
            if (proved) {
              res.status = Status::kProved;
              res.region = regions[q].name;
            }
            break;
          }
        }
        std::optional<z3::model> model;
        z3::check_result pre = res.status == Status::kProved ? z3::unsat : s.check();
        if (pre == z3::sat) model = s.get_model();
        if (pre == z3::unsat) {
          if (res.status != Status::kProved) res.region = "unreachable (the window's premises contradict)";
          res.status = Status::kProved;
        } else if (pre == z3::unknown) {
          res.why = "the solver could not decide the premises";
        } else {
          const z3::model& md0 = *model;
          std::optional<size_t> pick;
          for (size_t q = 0; q < regions.size() && !pick; ++q)
            if (md0.eval(inside(regions[q]), true).is_true()) pick = q;
          // In no region: name the nearest one below the point (of the same base), whose proof
          // then fails with a counterexample.
          if (!pick) {
            z3::expr xa = md0.eval(z3::zext((addr - m.A).simplify(), 1), true);
            z3::expr xabs = md0.eval(z3::zext(addr, 1), true);
            std::optional<__int128> best;
            for (size_t q = 0; q < regions.size(); ++q) {
              const Region& r = regions[q];
              if (r.base == Region::kFrame) continue;  // the frame is named only when inside
              z3::expr lo = md0.eval(r.lo, true);
              z3::expr x = r.base == Region::kArena ? xa : xabs;
              if (!lo.is_numeral() || !x.is_numeral()) continue;
              if (!md0.eval(z3::ule(lo, x), true).is_true()) continue;
              uint64_t lo64 = 0;
              if (!lo.is_numeral_u64(lo64)) continue;
              if (!best || static_cast<__int128>(lo64) > *best) best = lo64, pick = q;
            }
          }
          auto counterexample = [&](const z3::model& md) {
            std::string ce = fmt::format("address {} ({}-byte access)", md.eval(addr, true).to_string(), bytes);
            ce += "; arena A=" + md.eval(m.A, true).to_string() + ", frame F=" + md.eval(m.F, true).to_string();
            for (auto& [nm, v] : m.named) {
              if (nm == "A" || nm == "F") continue;
              std::string decl = v.decl().name().str();
              if (!Mentions(addr, decl.c_str())) {
                bool in_premise = false;
                for (unsigned q = 0; q < m.premises.size() && !in_premise; ++q)
                  in_premise = Mentions(m.premises[q], decl.c_str());
                if (!in_premise) continue;
              }
              ce += fmt::format(", {}={}", nm, md.eval(v, true).to_string());
            }
            return ce;
          };
          if (!pick) {
            res.status = Status::kFailed;
            res.why = "in no region it may touch: " + counterexample(md0);
          } else {
            const Region& r = regions[*pick];
            res.region = r.name;
            s.push();
            s.add(!inside(r));
            z3::check_result rc = s.check();
            if (rc == z3::unsat) {
              res.status = Status::kProved;
            } else if (rc == z3::sat) {
              res.status = Status::kFailed;
              res.why = "can leave " + r.name + ": " + counterexample(s.get_model());
            } else {
              res.why = "the solver gave no answer for " + r.name;
            }
            s.pop();
          }
        }
        if (cache) cache->impl->results[full_key] = res;
        if (res.status == Status::kProved) {
          ++out.proved;
        } else {
          (res.status == Status::kFailed ? out.failed : out.unknown) += 1;
          out.problems.push_back(res);
        }
      }
    }
    key_add(k);
    step(k);
    }
  }
  if (!out.problems.empty()) {
    std::set<uint32_t> near;
    for (const AccessResult& r : out.problems) near.insert(r.code_offset);
    std::ostringstream listing;
    for (size_t k = 0; k < d.ins.size(); ++k) {
      bool show = false;
      for (uint32_t o : near)
        for (int dk = -8; dk <= 2 && !show; ++dk) {
          long q = static_cast<long>(k) + dk;
          show = q >= 0 && static_cast<size_t>(q) < d.ins.size() && d.ins[q].off == o;
        }
      if (show)
        listing << fmt::format("  {:04x}  {:<22} {}{}\n", d.ins[k].off, HexBytes(d.ins[k].bytes),
                               d.ins[k].text, near.count(d.ins[k].off) ? "   <-- not proved" : "");
    }
    out.listing = listing.str();
  }
  return out;
}

std::vector<FunctionResult> VerifyStore(JitStore& store, ProofCache* cache) {
  if (store.config().arch != Arch::kX64)
    throw std::runtime_error("the verifier covers x64 code so far (a64: not yet)");
  StoreFacts facts = FactsOf(store);
  std::vector<FunctionResult> results;
  for (const CodeInfo& info : store.code()) {
    const wasm::Module& module = store.ModuleOf(info.instance);
    const wasm::FuncType& type = module.types[module.func_types[info.func_index]];
    FunctionInput in;
    in.code = reinterpret_cast<const uint8_t*>(info.address);  // x64 code runs here, linked
    in.size = info.compiled.code.size();
    in.address = info.address;
    in.store_index = info.store_index;
    in.arg_slots = static_cast<uint32_t>(std::max(type.params.size(), type.results.size()));
    results.push_back(VerifyFunction(facts, in, cache));
  }
  return results;
}

}  // namespace tandem::jit::verify
