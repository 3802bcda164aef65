// code_a64_test.cc: the code tests of jit/tests/code_test.cc for the AArch64 back end (issue 5;
// docs/jit.md "AArch64", "Linear memory accesses"; docs/aarch64.md). They run wherever a64
// stores run: under Unicorn on x86-64 hosts, natively on aarch64 hosts (and under qemu in CI).
//
// Every module of the 146 core spec files (SIMD included) is instantiated into a fresh a64
// JitStore (stand-in imports), so the code sits at its real addresses with its local calls linked, and then:
// (a) every branch, call and return is classified from the linked bytes at their real address,
//     as Capstone decodes them; (b) every memory operand is classified: the linear-memory
//     accesses found must equal the bounds-check side table, every other access must address a
//     VM structure through x28 (the pinned arena base), a table's elements, the JIT stack, or a
//     host table in a call's own shape; nothing may write x28; (c) every emitted instruction
//     form must have a row in jit/a64/tests/a64_table.inc.
// What each class means, precisely, is written next to its check below.
#include <catch2/catch.hpp>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "jit/a64/assembler_a64.h"
#include "jit/arena.h"
#include "jit/disasm.h"
#include "jit/executor.h"
#include "jit/jit_store.h"
#include "jit/tests/code_test_util.h"
#include "jit/tests/jit_test_util.h"
#include "reference/decoder.h"
#include "reference/tests/wat_util.h"
#include "reference/validator.h"

namespace tandem::jit {
namespace {

using namespace codetest;  // NOLINT: the shared checks' vocabulary (code_test_util.h)

constexpr uint32_t kRetWord = 0xd65f03c0;  // ret

// ---- Capstone's AArch64 text ------------------------------------------------------------------

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The operands of an instruction, split at the commas outside brackets:
// "x29, x30, [sp, #-0x10]!" -> {"x29", "x30", "[sp, #-0x10]!"}.
std::vector<std::string> Operands(const std::string& op_str) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char ch : op_str) {
    if (ch == '[') ++depth;
    if (ch == ']') --depth;
    if (ch == ',' && depth == 0) {
      out.push_back(Trim(cur));
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!Trim(cur).empty()) out.push_back(Trim(cur));
  return out;
}

// "#0x10", "#-0x10", "#16" (a branch target is an immediate too).
std::optional<int64_t> Imm(const std::string& op) {
  if (op.size() < 2 || op[0] != '#') return std::nullopt;
  bool negative = op[1] == '-';
  std::string digits = op.substr(negative ? 2 : 1);
  if (digits.empty() || !std::isdigit(static_cast<unsigned char>(digits[0]))) return std::nullopt;
  size_t used = 0;
  uint64_t v = std::stoull(digits, &used, 0);
  if (used != digits.size()) return std::nullopt;
  return negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
}

// "lsl #16" -> 16; "" -> 0.
std::optional<int> ShiftOf(const std::vector<std::string>& ops, size_t i) {
  if (ops.size() <= i) return 0;
  if (ops[i].rfind("lsl #", 0) != 0) return std::nullopt;
  auto v = Imm(ops[i].substr(4));
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

// Where the instructions into `reg` that end at lines[i - 1] start: the last instruction before
// i that writes `reg` and is no `movk` (i when lines[i - 1] does not write `reg`).
size_t MovImmStart(const std::vector<DisasmLine>& lines, size_t i, const std::string& reg) {
  auto writes_reg = [&](const DisasmLine& l) {
    auto ops = Operands(l.op_str);
    return !ops.empty() && ops[0] == reg;
  };
  size_t j = i;
  while (j > 0 && lines[j - 1].mnemonic == "movk" && writes_reg(lines[j - 1])) --j;
  if (j == 0 || !writes_reg(lines[j - 1])) return i;
  return j - 1;
}

// The value register `reg` holds after lines[i - 1] when the instructions ending there are the
// assembler's MovImm64 sequence into it: `movz`/`movn`/`orr reg, xzr, #imm` followed by `movk`s.
std::optional<uint64_t> ConstBefore(const std::vector<DisasmLine>& lines, size_t i,
                                    const std::string& reg) {
  const size_t j = MovImmStart(lines, i, reg) + 1;  // lines[j - 1] starts the sequence
  if (j > i) return std::nullopt;
  uint64_t v = 0;
  for (size_t k = j - 1; k < i; ++k) {
    const DisasmLine& l = lines[k];
    auto ops = Operands(l.op_str);
    if (l.mnemonic == "orr" && k == j - 1 && ops.size() == 3 && ops[1] == "xzr") {
      auto imm = Imm(ops[2]);
      if (!imm) return std::nullopt;
      v = static_cast<uint64_t>(*imm);
      continue;
    }
    if (ops.size() < 2) return std::nullopt;
    auto imm = Imm(ops[1]);
    auto sh = ShiftOf(ops, 2);
    if (!imm || !sh || *imm < 0 || *imm > 0xffff) return std::nullopt;
    const uint64_t part = static_cast<uint64_t>(*imm) << *sh;
    if (l.mnemonic == "movz" && k == j - 1)
      v = part;
    else if (l.mnemonic == "movn" && k == j - 1)
      v = ~part;
    else if (l.mnemonic == "movk" && k >= j)
      v = (v & ~(uint64_t{0xffff} << *sh)) | part;
    else
      return std::nullopt;
  }
  return v;
}

// A memory operand as Capstone prints it: [base], [base, #disp], [base, index{, ext #n}],
// pre-index [base, #disp]! and post-index [base], #disp (both write the base back).
struct MemA64 {
  std::string base, index, extend;  // extend: "", "lsl", "uxtw", "sxtw", "sxtx"
  int amount = 0;
  int64_t disp = 0;
  bool writeback = false;
  int size = 0;  // bytes accessed (both registers of a pair)
  bool store = false;
  bool pair = false;
  std::vector<std::string> regs;  // the data registers
};

int RegBytes(const std::string& r) {
  switch (r.empty() ? ' ' : r[0]) {
    case 'w':
    case 's':
      return 4;
    case 'x':
    case 'd':
      return 8;
    case 'q':
      return 16;
    case 'h':
      return 2;
    case 'b':
      return 1;
    default:
      return 0;
  }
}

std::optional<MemA64> ParseMem(const DisasmLine& l) {
  auto ops = Operands(l.op_str);
  size_t at = 0;
  while (at < ops.size() && ops[at][0] != '[') ++at;
  if (at == ops.size()) return std::nullopt;
  MemA64 m;
  const std::string& op = ops[at];
  size_t rb = op.find(']');
  auto inner = Operands(op.substr(1, rb - 1));
  if (inner.empty()) return std::nullopt;
  m.base = inner[0];
  if (inner.size() >= 2) {
    if (auto d = Imm(inner[1]))
      m.disp = *d;
    else
      m.index = inner[1];
  }
  if (inner.size() >= 3) {
    std::string ext = inner[2];
    size_t sp = ext.find(' ');
    m.extend = ext.substr(0, sp);
    if (sp != std::string::npos) m.amount = static_cast<int>(Imm(ext.substr(sp + 1)).value_or(-1));
  }
  m.writeback = op.find('!', rb) != std::string::npos || at + 1 < ops.size();
  m.regs.assign(ops.begin(), ops.begin() + static_cast<std::ptrdiff_t>(at));
  const std::string& mn = l.mnemonic;
  m.store = mn.rfind("st", 0) == 0;
  m.pair = mn == "ldp" || mn == "stp" || mn == "ldnp" || mn == "stnp" || mn == "ldpsw";
  const std::string stem = mn.substr(0, 2) == "ld" || mn.substr(0, 2) == "st" ? mn.substr(2) : mn;
  if (stem == "rb" || stem == "rsb" || stem == "urb" || stem == "ursb")
    m.size = 1;
  else if (stem == "rh" || stem == "rsh" || stem == "urh" || stem == "ursh")
    m.size = 2;
  else if (stem == "rsw" || stem == "ursw")
    m.size = 4;
  else if (!m.regs.empty())
    m.size = RegBytes(m.regs[0]) * (m.pair ? 2 : 1);
  return m;
}

// The mnemonics that transfer control (every one must be classified below).
bool IsControlTransfer(const std::string& mn) {
  static const std::set<std::string> k = {
      "b",     "bl",    "br",    "blr",    "ret",    "cbz",   "cbnz",  "tbz",    "tbnz",  "svc",
      "hvc",   "smc",   "brk",   "hlt",    "udf",    "eret",  "drps",  "braa",   "brab",  "braaz",
      "brabz", "blraa", "blrab", "blraaz", "blrabz", "retaa", "retab", "eretaa", "eretab"};
  return k.count(mn) != 0 || mn.rfind("b.", 0) == 0;
}

// The registers an instruction writes, as far as the x28 check needs them: loads write the
// registers before their memory operand, stores, compares and branches none, everything else
// its first operand (plus any base written back, checked with the memory operand).
std::vector<std::string> Destinations(const DisasmLine& l) {
  const std::string& mn = l.mnemonic;
  auto ops = Operands(l.op_str);
  if (mn.rfind("st", 0) == 0 || IsControlTransfer(mn) || mn == "cmp" || mn == "cmn" ||
      mn == "tst" || mn == "ccmp" || mn == "ccmn" || mn == "fcmp" || mn == "fcmpe" ||
      mn.rfind("prfm", 0) == 0)
    return {};
  if (mn.rfind("ld", 0) == 0) {
    std::vector<std::string> d;
    for (const auto& op : ops) {
      if (op[0] == '[') break;
      d.push_back(op);
    }
    return d;
  }
  if (ops.empty()) return {};
  return {ops[0]};
}

// ---- Store-wide facts -------------------------------------------------------------------------

struct FactsA64 : StoreFacts {
  bool native = false;  // the native executor (aarch64 hosts), else Unicorn
};

std::optional<uint32_t> ReadU32(uint64_t address) {
  uint32_t w;
  if (!SafeRead(address, &w, 4)) return std::nullopt;
  return w;
}

// Under Unicorn (jit/a64/executor_unicorn_a64.cc, "Layout of the stub page") the runtime table
// holds the addresses of the hooked service stubs, consecutive `ret`s right after the table:
// word i is base + 8*kCount + 4*i. The exit stub is the `ret` right after the service stubs.
bool IsUnicornRuntimeTable(uint64_t base) {
  for (size_t i = 0; i < kRuntimeEntries; ++i) {
    auto w = ReadWord(base + 8 * i);
    if (!w || *w != base + 8 * kRuntimeEntries + 4 * i || ReadU32(*w) != kRetWord) return false;
  }
  return true;
}

// The runtime-call table: natively the services of FillRuntimeTable in RuntimeCall order (the
// table code calls through on the host); under Unicorn the stub table above.
bool IsRuntimeTable(const FactsA64& f, uint64_t base) {
  return f.native ? IsServiceTable(f, base) : IsUnicornRuntimeTable(base);
}

// The exit path. Natively (executor_native_a64.cc): `movz x0, #1`, then the host sp is reloaded
// from its saved slot (`ldr xN, [..]; mov sp, xN`), the callee-saved registers restored, and
// `ret` returns to the host, with no branch or call before it. Under Unicorn: the exit stub, the
// `ret` after the service stubs of a stub-page runtime table (12*kCount bytes below it).
bool IsExitPath(const FactsA64& f, uint64_t address) {
  if (!f.native)
    return address >= 12 * kRuntimeEntries &&
           IsUnicornRuntimeTable(address - 12 * kRuntimeEntries) && ReadU32(address) == kRetWord;
  uint8_t bytes[256];
  if (!SafeRead(address, bytes, sizeof bytes)) return false;
  auto lines = Disassemble(Arch::kA64, bytes, sizeof bytes, address);
  if (lines.empty() || lines[0].mnemonic != "movz" || Operands(lines[0].op_str).size() != 2 ||
      Operands(lines[0].op_str)[0] != "x0" || Imm(Operands(lines[0].op_str)[1]) != 1)
    return false;
  bool reloads_sp = false;
  for (size_t i = 1; i < lines.size(); ++i) {
    const DisasmLine& l = lines[i];
    auto ops = Operands(l.op_str);
    if (l.mnemonic == "mov" && ops.size() == 2 && ops[0] == "sp" &&
        lines[i - 1].mnemonic == "ldr" && Operands(lines[i - 1].op_str)[0] == ops[1])
      reloads_sp = true;
    if (l.mnemonic == "ret") return reloads_sp && l.op_str.empty();
    if (IsControlTransfer(l.mnemonic)) return false;
  }
  return false;
}

bool IsText(const DisasmLine& l, const char* text) { return l.Text() == text; }

// `ldr x17, [x16]` or `ldr x17, [x16, xN, lsl #3]` right before `blr x17` at i: the constant in
// x16, and whether the load is indexed.
std::optional<std::pair<uint64_t, bool>> TableCall(const std::vector<DisasmLine>& lines, size_t i) {
  if (i < 1 || !IsText(lines[i], "blr x17") || lines[i - 1].mnemonic != "ldr") return std::nullopt;
  auto ops = Operands(lines[i - 1].op_str);
  auto m = ParseMem(lines[i - 1]);
  if (ops.empty() || ops[0] != "x17" || !m || m->base != "x16" || m->writeback || m->disp != 0)
    return std::nullopt;
  bool indexed = !m->index.empty();
  if (indexed && (m->index[0] != 'x' || m->extend != "lsl" || m->amount != 3)) return std::nullopt;
  if (!indexed && !m->extend.empty()) return std::nullopt;
  auto k = ConstBefore(lines, i - 1, "x16");
  if (!k) return std::nullopt;
  return std::make_pair(*k, indexed);
}

// The tables and the exit, established from the candidates the code offers.
FactsA64 EstablishFacts(JitStore& store, const std::vector<Fn>& fns) {
  const uint32_t func_count = store.arena().header().func_count;
  FactsA64 facts;
  static_cast<StoreFacts&>(facts) = InitialFacts(store);
  facts.native = A64RunsNatively();
  for (const Fn& fn : fns) {
    for (size_t i = 1; i < fn.lines.size(); ++i) {
      if (auto call = TableCall(fn.lines, i)) {
        const auto [imm, indexed] = *call;
        if (indexed) {
          if (!facts.code_table && IsCodeTable(facts, imm)) facts.code_table = imm;
          continue;
        }
        for (size_t id = 0; id < kRuntimeEntries && !facts.runtime_table; ++id)
          if (imm >= 8 * id && IsRuntimeTable(facts, imm - 8 * id))
            facts.runtime_table = imm - 8 * id;
        for (uint32_t s = 0; s < func_count && !facts.code_table; ++s)
          if (imm >= 8 * uint64_t{s} && IsCodeTable(facts, imm - 8 * uint64_t{s}))
            facts.code_table = imm - 8 * uint64_t{s};
      } else if (IsText(fn.lines[i], "br x16") && !facts.exit) {
        auto k = ConstBefore(fn.lines, i, "x16");
        if (k && IsExitPath(facts, *k)) facts.exit = *k;
      }
    }
  }
  return facts;
}

// ---- The checks -------------------------------------------------------------------------------

// The static arena offset of an x28-based operand at line i: its displacement; with index x17,
// the constant a MovImm64 just put into x17 (LoadMem/StoreMem's wide offsets); with index x16,
// the constant the instruction before added to x16: `add x16, x16, #imm{, lsl #12}`, or
// `add x16, x16, x17` after a MovImm64 into x17 (the bounds emitter's data offset, AddImm), or
// `add x16, x16, xN, lsl #4` after a MovImm64 into x16 (call_indirect's FuncDesc type id).
std::optional<int64_t> ArenaOffset(const std::vector<DisasmLine>& lines, size_t i,
                                   const MemA64& m) {
  if (m.index.empty()) return m.disp;
  if (!m.extend.empty()) return std::nullopt;
  if (m.index == "x17") {
    auto k = ConstBefore(lines, i, "x17");
    if (!k) return std::nullopt;
    return static_cast<int64_t>(*k);
  }
  if (m.index != "x16" || i < 1 || lines[i - 1].mnemonic != "add") return std::nullopt;
  auto ops = Operands(lines[i - 1].op_str);
  if (ops.size() < 3 || ops[0] != "x16" || ops[1] != "x16") return std::nullopt;
  if (auto imm = Imm(ops[2])) {
    auto sh = ShiftOf(ops, 3);
    if (!sh || (*sh != 0 && *sh != 12)) return std::nullopt;
    return *imm << *sh;
  }
  std::optional<uint64_t> k;
  if (ops.size() == 3 && ops[2] == "x17")
    k = ConstBefore(lines, i - 1, "x17");
  else if (ops.size() == 4 && ops[2][0] == 'x' && ops[3] == "lsl #4")
    k = ConstBefore(lines, i - 1, "x16");
  if (!k) return std::nullopt;
  return static_cast<int64_t>(*k);
}

const std::set<std::string> kScalarAccesses = {"ldr",  "str",   "ldrb",  "strb", "ldrh",
                                               "strh", "ldrsb", "ldrsh", "ldrsw"};

// Checks (a) and (b) on one function; failures carry the function's listing.
void CheckFunction(JitStore& store, const FactsA64& facts, const Fn& fn, const std::string& name,
                   Totals* t) {
  Arena& arena = store.arena();
  const uint64_t vm_end = arena.config().vm_region_bytes;
  const uint32_t func_count = arena.header().func_count;
  std::set<int64_t> elems_fields;  // arena offsets of every TableDesc::elems_offset
  for (uint32_t k = 0; k < arena.table_count(); ++k)
    elems_fields.insert(arena.table_desc_offset(k) + offsetof(TableDesc, elems_offset));
  const CodeInfo& c = *fn.info;
  const std::vector<DisasmLine>& lines = fn.lines;
  std::string where = name + " func " + std::to_string(c.func_index);
  size_t failures_before = t->failures.size();
  auto fail = [&](const DisasmLine& l, const std::string& why) {
    char off[16];
    std::snprintf(off, sizeof off, "%04llx", static_cast<unsigned long long>(l.offset - c.address));
    t->failures.push_back(where + " at " + off + " `" + l.Text() + "`: " + why);
  };
  std::set<uint64_t> starts;
  for (const auto& l : lines) starts.insert(l.offset);
  const uint64_t end = lines.empty() ? c.address : lines.back().offset + lines.back().bytes.size();
  std::set<Access> found;
  for (size_t i = 0; i < lines.size(); ++i) {
    const DisasmLine& l = lines[i];
    const std::string& mn = l.mnemonic;
    const auto ops = Operands(l.op_str);
    // Nothing but the entry trampoline writes x28 (DESIGN.md "Arena"; the verifier relies on it).
    for (const std::string& d : Destinations(l))
      if (d == "x28" || d == "w28") fail(l, "writes the arena base register");
    // (a) Control transfers. Allowed, and nothing else:
    //   `ret` (through x30);
    //   b, b.cond, cbz/cbnz, tbz/tbnz to an instruction start of this function (internal);
    //   `bl` to the start of a compiled function of the store (a linked local call);
    //   `blr x17` right after `ldr x17, [x16]` right after a MovImm64 of x16 = imm:
    //       imm = runtime table + 8*id with id < kCount, or
    //       imm = code table + 8*s with s < the store's function count;
    //   `blr x17` right after `ldr x17, [x16, xN, lsl #3]`, x16 = the code table (call_indirect,
    //       index checked before);
    //   `br x16` right after a MovImm64 of x16 = the exit path.
    if (IsControlTransfer(mn)) {
      const int64_t target_or = ops.empty() ? -1 : Imm(ops.back()).value_or(-1);
      const std::optional<int64_t> target =
          target_or < 0 ? std::nullopt : std::optional<int64_t>(target_or);
      if (mn == "ret") {
        if (l.op_str.empty())
          ++t->returns;
        else
          fail(l, "return through a register other than x30");
      } else if (mn == "bl") {
        if (target && facts.function_at.count(static_cast<uint64_t>(*target)))
          ++t->direct_calls;
        else
          fail(l, "direct call to an address that is no compiled function's start");
      } else if (mn == "b" || mn.rfind("b.", 0) == 0 || mn == "cbz" || mn == "cbnz" ||
                 mn == "tbz" || mn == "tbnz") {
        const uint64_t to = target ? static_cast<uint64_t>(*target) : 0;
        if (target && to >= c.address && to < end && starts.count(to))
          ++t->internal_branches;
        else
          fail(l, "branch that leaves the function or lands inside an instruction");
      } else if (auto call = TableCall(lines, i)) {
        const auto [imm, indexed] = *call;
        if (indexed) {
          if (facts.code_table && imm == facts.code_table)
            ++t->indirect_calls;
          else
            fail(l, "indexed call through a table that is not the code table");
        } else if (facts.runtime_table && imm >= facts.runtime_table &&
                   imm < facts.runtime_table + 8 * kRuntimeEntries &&
                   (imm - facts.runtime_table) % 8 == 0) {
          ++t->runtime_calls;
        } else if (facts.code_table && imm >= facts.code_table &&
                   imm < facts.code_table + 8 * uint64_t{func_count} &&
                   (imm - facts.code_table) % 8 == 0) {
          ++t->code_table_calls;
        } else {
          fail(l, "call through an entry of neither the runtime table nor the code table");
        }
      } else if (IsText(l, "br x16") && ConstBefore(lines, i, "x16")) {
        if (facts.exit && ConstBefore(lines, i, "x16") == facts.exit)
          ++t->exits;
        else
          fail(l, "jump to an address that is not the trampoline's exit path");
      } else {
        fail(l, "control transfer of no allowed shape");
      }
      continue;
    }
    // (b) Memory operands.
    //   Based on x28 (the arena base), never written back, x28 never an index: the static arena
    //   offset S (ArenaOffset) must be readable. S >= the VM region's size addresses a linear
    //   memory: S must be a memory's data offset, the index x16 (the bounds emitter's effective
    //   address) and the instruction a scalar load or store: that access must have a side-table
    //   record. Everything else must have S + size <= the VM region's size (header, globals,
    //   descriptors, function descriptors): a VM-structure access.
    //   Based on x17 with `wN, uxtw #3`: a table's elements, x17 = x28 + [x28 + elems_offset of a
    //   table descriptor] (the two instructions before: `ldr x17, [x28, ..]; add x17, x17, x28`).
    //   Based on sp or x29 (the JIT stack): frames, arguments, the frame record.
    //   Based on x16: only the load of a table call (above), `ldr x17, [x16{, xN, lsl #3}]`
    //   followed by `blr x17`.
    //   Nothing else (a PC-relative literal load included).
    auto m = ParseMem(l);
    if (!m) {
      if (mn.rfind("ld", 0) == 0 || mn.rfind("st", 0) == 0 || mn.rfind("prfm", 0) == 0)
        fail(l, "memory access without a base register (PC-relative)");
      continue;
    }
    if (m->index == "x28" || m->index == "w28") {
      fail(l, "the arena base used as an index register");
      continue;
    }
    if (m->base == "x28") {
      if (m->writeback) {
        fail(l, "writes the arena base back");
        continue;
      }
      auto s = ArenaOffset(lines, i, *m);
      if (!s) {
        fail(l, "arena access whose static offset cannot be read");
        continue;
      }
      if (*s < static_cast<int64_t>(vm_end)) {
        if (*s < 0 || *s + m->size > static_cast<int64_t>(vm_end))
          fail(l, "access outside the VM region");
        else
          ++t->vm_accesses;
        continue;
      }
      std::optional<uint32_t> mem;
      for (uint32_t k = 0; k < arena.memory_count(); ++k)
        if (arena.memory(k).data_offset == static_cast<uint64_t>(*s)) mem = k;
      if (!mem) {
        fail(l, "indexed access at an arena offset that is no memory's data offset");
        continue;
      }
      if (m->index != "x16" || !kScalarAccesses.count(mn) || m->size == 0 || m->size > 16) {
        fail(l, "linear-memory access of an unexpected shape");
        continue;
      }
      found.emplace(static_cast<uint32_t>(l.offset - c.address), m->size, m->store, *mem);
    } else if (m->base == "x17" && !m->index.empty() && m->index[0] == 'w' && m->extend == "uxtw" &&
               m->amount == 3 && m->size == 8 && !m->writeback) {
      bool shaped = i >= 2 && IsText(lines[i - 1], "add x17, x17, x28") &&
                    lines[i - 2].mnemonic == "ldr" && Operands(lines[i - 2].op_str)[0] == "x17";
      auto desc = shaped ? ParseMem(lines[i - 2]) : std::nullopt;
      auto s = desc && desc->base == "x28" && !desc->writeback ? ArenaOffset(lines, i - 2, *desc)
                                                               : std::nullopt;
      if (s && elems_fields.count(*s))
        ++t->table_accesses;
      else
        fail(l, "indexed access through x17 that is not a table's elements");
    } else if (m->base == "sp" || m->base == "x29") {
      if (m->index.empty() ||
          (m->index == "x17" && m->extend.empty() && ConstBefore(lines, i, "x17") && !m->writeback))
        ++t->stack_accesses;
      else
        fail(l, "stack access with an index register");
    } else if (m->base == "x16") {
      if (!(i + 1 < lines.size() && TableCall(lines, i + 1)))
        fail(l, "load through x16 outside a call's shape");
    } else {
      fail(l, "memory access based on neither the arena, a table, the stack nor a call table");
    }
  }
  CompareAccesses(found, c, where, t);
  AttachListing(store, c, failures_before, t);
}

void CheckStore(JitStore& store, const std::string& name, Totals* t) {
  std::vector<Fn> fns = ReadFunctions(store, name, t);
  FactsA64 facts = EstablishFacts(store, fns);
  for (const Fn& fn : fns) CheckFunction(store, facts, fn, name, t);
}

TEST_CASE("a64 code: calls, jumps, bounds records and forms of every spec-suite function",
          "[a64][code]") {
  CheckEverySpecModule(Arch::kA64, CheckStore, "jit/a64/tests/a64_table.inc");
}

uint32_t Word(const std::vector<uint8_t>& b, size_t at) {
  uint32_t w;
  std::memcpy(&w, b.data() + at, 4);
  return w;
}
void PutWord(std::vector<uint8_t>& b, size_t at, uint32_t w) { std::memcpy(b.data() + at, &w, 4); }

// The checks can fail: seeded faults in real code (copied, then changed) or in its side table.
TEST_CASE("a64 code: seeded faults in the code or the side table are caught", "[a64][code]") {
  auto module = std::make_shared<wasm::Module>(wasm::Decode(tandem::testing::WatToWasm(R"(
    (module
      (memory 1)
      (table 2 funcref)
      (type $t (func (param i32) (result i32)))
      (elem (i32.const 0) $id)
      (func $id (param i32) (result i32) (local.get 0))
      (func (export "f") (param i32) (result i32)
        (i32.store offset=8 (local.get 0) (i32.const 5))
        (drop (memory.grow (i32.const 1)))
        (call_indirect (type $t) (call $id (i32.load (local.get 0))) (i32.const 0))))
  )")));
  wasm::Validate(*module);
  std::string error;
  JitConfig config;
  config.arch = Arch::kA64;
  config.record_forms = true;  // the forms check below needs them
  auto store = JitStore::Create(config, &error);
  REQUIRE(store);
  REQUIRE(testutil::InstantiateWithStandIns(*store, module).instance.has_value());
  Totals clean;
  std::vector<Fn> fns = ReadFunctions(*store, "seeded", &clean);
  REQUIRE(fns.size() == 2);
  FactsA64 facts = EstablishFacts(*store, fns);
  for (const Fn& fn : fns) CheckFunction(*store, facts, fn, "seeded", &clean);
  INFO((clean.failures.empty() ? "" : clean.failures.front()));
  REQUIRE(clean.failures.empty());
  REQUIRE(clean.accesses_matched == 2);
  REQUIRE(clean.direct_calls == 1);
  REQUIRE(clean.indirect_calls == 1);
  REQUIRE(clean.runtime_calls == 1);
  REQUIRE(clean.table_accesses == 1);  // call_indirect's table entry

  const Fn& f = fns[1];
  const CodeInfo& c = *f.info;
  auto failures = [&](const CodeInfo& info, std::vector<uint8_t> bytes) {
    Fn g{&info, std::move(bytes), {}};
    g.lines = DecodeFunction(Arch::kA64, g.linked, info.address);
    Totals t;
    CheckFunction(*store, facts, g, "seeded", &t);
    for (const auto& why : t.failures) UNSCOPED_INFO(why.substr(0, why.find('\n')));
    return t.failures.size();
  };
  auto index_of = [&](const std::function<bool(size_t)>& pred) -> size_t {
    for (size_t i = 0; i < f.lines.size(); ++i)
      if (pred(i)) return i;
    FAIL("shape not found");
    return 0;
  };
  auto offset = [&](size_t i) { return static_cast<size_t>(f.lines[i].offset - c.address); };
  CHECK(failures(c, f.linked) == 0);
  {  // a bounds record dropped from the side table
    CodeInfo copy = c;
    copy.compiled.bounds.pop_back();
    CHECK(failures(copy, f.linked) > 0);
  }
  {  // a record that points one instruction early
    CodeInfo copy = c;
    copy.compiled.bounds[0].code_offset -= 4;
    CHECK(failures(copy, f.linked) > 0);
  }
  {  // the data offset added before the access moved off the memory's data offset: the lowest
     // bit of the immediate (imm12 of `add x16, x16, #imm`, or imm16 of the last movz/movk x17)
    std::vector<uint8_t> b = f.linked;
    const size_t access = c.compiled.bounds[0].code_offset;
    size_t at = access - 4;  // the add
    if (Operands(f.lines[(access - 4) / 4].op_str).at(2) == "x17") at = access - 8;
    PutWord(b, at,
            Word(b, at) ^ (Imm(Operands(f.lines[at / 4].op_str).at(1)) ? 1u << 5 : 1u << 10));
    CHECK(failures(c, b) > 0);
  }
  {  // a linear-memory access through another base register (x27 for x28)
    std::vector<uint8_t> b = f.linked;
    const size_t access = c.compiled.bounds[0].code_offset;
    PutWord(b, access, (Word(b, access) & ~(31u << 5)) | (27u << 5));
    CHECK(failures(c, b) > 0);
  }
  {  // a trap stub that leaves to somewhere other than the exit path (the movz/movk before
     // `br x16` changed in its lowest immediate bit)
    std::vector<uint8_t> b = f.linked;
    size_t br = index_of([&](size_t i) { return IsText(f.lines[i], "br x16"); });
    PutWord(b, offset(br - 1), Word(b, offset(br - 1)) ^ (1u << 5));
    CHECK(failures(c, b) > 0);
  }
  {  // a runtime call through a word past the runtime table (the MovImm64 re-encoded)
    std::vector<uint8_t> b = f.linked;
    size_t blr = index_of([&](size_t i) {
      auto call = TableCall(f.lines, i);
      return call && !call->second && call->first >= facts.runtime_table &&
             call->first < facts.runtime_table + 8 * kRuntimeEntries;
    });
    size_t start = MovImmStart(f.lines, blr - 1, "x16");
    // A word at or past the table's end whose MovImm64 takes as many instructions as the
    // original (how many depends on the address's 16-bit chunks, and the tables' addresses
    // change from run to run).
    // Candidates: the words just past the end, then addresses past it whose low 16 or 32 bits
    // are zero (as few instructions as the original may need).
    const uint64_t end = facts.runtime_table + 8 * kRuntimeEntries;
    std::vector<uint64_t> candidates;
    for (uint64_t k = 0; k < 4096; ++k) candidates.push_back(end + 8 * k);
    for (int shift : {16, 32})
      for (uint64_t k = 1; k < 4096; ++k)
        candidates.push_back(((end >> shift) + k) << shift);
    a64::Assembler a;
    for (uint64_t address : candidates) {
      a = a64::Assembler();
      a.MovImm64(a64::Reg::x16, address);
      if (a.code().size() == 4 * (blr - 1 - start)) break;
    }
    REQUIRE(a.code().size() == 4 * (blr - 1 - start));
    std::copy(a.code().begin(), a.code().end(), b.begin() + static_cast<ptrdiff_t>(offset(start)));
    CHECK(failures(c, b) > 0);
  }
  {  // a direct call one instruction off its callee
    std::vector<uint8_t> b = f.linked;
    REQUIRE(c.compiled.local_calls.size() == 1);
    const size_t bl = c.compiled.local_calls[0].first;
    const uint32_t w = Word(b, bl);
    PutWord(b, bl, (w & 0xfc000000u) | ((w + 1) & 0x03ffffffu));
    CHECK(failures(c, b) > 0);
  }
  {  // unclassifiable branches planted: `br x0` for the `ret`; a `b` 64 KiB ahead, out of the
     // function, for the prologue's `mov x29, sp`
    std::vector<uint8_t> b = f.linked;
    PutWord(b, offset(index_of([&](size_t i) { return IsText(f.lines[i], "ret"); })), 0xd61f0000u);
    CHECK(failures(c, b) > 0);
    b = f.linked;
    PutWord(b, offset(1), 0x14000000u | (0x10000u / 4));
    CHECK(failures(c, b) > 0);
  }
  {  // a write to x28 planted (`mov x28, x0` for the prologue's `mov x29, sp`)
    std::vector<uint8_t> b = f.linked;
    PutWord(b, offset(1), 0xaa0003fcu);
    CHECK(failures(c, b) > 0);
  }
  {  // a PC-relative literal load planted (`ldr x0, #+0x100` for the same instruction)
    std::vector<uint8_t> b = f.linked;
    PutWord(b, offset(1), 0x58000000u | ((0x100u / 4) << 5));
    CHECK(failures(c, b) > 0);
  }
  {  // a form the code uses without a row in the hex table
    std::set<std::string> rows = HexTableForms("jit/a64/tests/a64_table.inc");
    std::set<std::string> forms(c.compiled.forms.begin(), c.compiled.forms.end());
    REQUIRE(!forms.empty());
    CHECK(MissingForms(forms, rows).empty());
    rows.erase(*forms.begin());
    CHECK(MissingForms(forms, rows) == std::vector<std::string>{*forms.begin()});
  }
}

TEST_CASE("a64 code: operands, constants and the exit path as the checks read them",
          "[a64][code]") {
  auto decode = [](const a64::Assembler& a, uint64_t base = 0) {
    return Disassemble(Arch::kA64, a.code().data(), a.code().size(), base);
  };
  {  // branch targets are absolute at the decoding address
    std::vector<uint8_t> b(4);
    uint32_t w = 0x14000000u | (0x1000u / 4);  // b +0x1000
    std::memcpy(b.data(), &w, 4);
    auto lines = Disassemble(Arch::kA64, b.data(), b.size(), 0x1000);
    REQUIRE(lines.size() == 1);
    CHECK(Imm(Operands(lines[0].op_str).back()) == 0x2000);
  }
  {  // memory operands
    a64::Assembler a;
    a.ldrb(a64::Reg::x19, a64::Mem(a64::Reg::x28, a64::Reg::x16));
    a.stp(a64::W::k64, a64::Reg::fp, a64::Reg::lr, a64::Mem::PreIndex(a64::Reg::sp, -16));
    a.ldr(a64::W::k64, a64::Reg::x0,
          a64::Mem(a64::Reg::x17, a64::Reg::x5, a64::IndexExt::uxtw, true));
    a.ldp(a64::W::k64, a64::Reg::fp, a64::Reg::lr, a64::Mem::PostIndex(a64::Reg::sp, 16));
    a.stur(a64::W::k32, a64::Reg::zr, a64::Mem(a64::Reg::fp, -8));
    auto lines = decode(a);
    REQUIRE(lines.size() == 5);
    auto m = ParseMem(lines[0]);  // ldrb w19, [x28, x16]
    REQUIRE(m);
    CHECK((m->base == "x28" && m->index == "x16" && m->extend.empty() && m->size == 1));
    CHECK((!m->store && !m->writeback));
    m = ParseMem(lines[1]);  // stp x29, x30, [sp, #-0x10]!
    REQUIRE(m);
    CHECK((m->base == "sp" && m->disp == -16 && m->writeback && m->store && m->pair));
    CHECK(m->size == 16);
    m = ParseMem(lines[2]);  // ldr x0, [x17, w5, uxtw #3]
    REQUIRE(m);
    CHECK((m->base == "x17" && m->index == "w5" && m->extend == "uxtw" && m->amount == 3));
    CHECK(m->size == 8);
    m = ParseMem(lines[3]);  // ldp x29, x30, [sp], #0x10
    REQUIRE(m);
    CHECK((m->base == "sp" && m->writeback && !m->store));
    CHECK(Destinations(lines[3]) == std::vector<std::string>{"x29", "x30"});
    m = ParseMem(lines[4]);  // stur wzr, [x29, #-8]
    REQUIRE(m);
    CHECK((m->base == "x29" && m->disp == -8 && m->store && m->size == 4));
    CHECK(Destinations(lines[4]).empty());
  }
  {  // MovImm64's sequences read back as their values (movz, movn, orr, movk)
    for (uint64_t v :
         {uint64_t{0}, uint64_t{0x7f3e82900084}, uint64_t{0xffffffff00000000}, ~uint64_t{0x1234},
          uint64_t{0x40000000}, uint64_t{0x123456789abcdef0}, uint64_t{0x5555555555555555}}) {
      a64::Assembler a;
      a.MovImm64(a64::Reg::x16, v);
      a.br(a64::Reg::x16);
      auto lines = decode(a);
      INFO(std::hex << v);
      CHECK(ConstBefore(lines, lines.size() - 1, "x16") == v);
      CHECK(ConstBefore(lines, lines.size() - 1, "x17") == std::nullopt);
    }
    a64::Assembler a;  // a movk alone is no constant
    a.movk(a64::W::k64, a64::Reg::x16, 1, 16);
    CHECK(ConstBefore(decode(a), 1, "x16") == std::nullopt);
  }
  {  // the runtime table and exit as each executor lays them out, built here
    std::vector<uint64_t> services(kRuntimeEntries);
    FillRuntimeTable(reinterpret_cast<RuntimeFn*>(services.data()));
    FactsA64 native;
    native.native = true;
    native.services = services;
    CHECK(IsRuntimeTable(native, reinterpret_cast<uint64_t>(services.data())));
    CHECK_FALSE(IsRuntimeTable(native, reinterpret_cast<uint64_t>(services.data() + 1)));
    // Unicorn's stub page: the table, kCount service `ret`s, the exit `ret`.
    std::vector<uint64_t> page(kRuntimeEntries + (kRuntimeEntries + 2) / 2 + 1, 0);
    const uint64_t base = reinterpret_cast<uint64_t>(page.data());
    for (size_t i = 0; i < kRuntimeEntries; ++i) page[i] = base + 8 * kRuntimeEntries + 4 * i;
    for (size_t i = 0; i <= kRuntimeEntries; ++i)
      std::memcpy(reinterpret_cast<uint8_t*>(page.data()) + 8 * kRuntimeEntries + 4 * i, &kRetWord,
                  4);
    FactsA64 unicorn;
    CHECK(IsRuntimeTable(unicorn, base));
    CHECK(IsExitPath(unicorn, base + 12 * kRuntimeEntries));
    CHECK_FALSE(IsExitPath(unicorn, base + 12 * kRuntimeEntries - 4));  // a service stub
    CHECK_FALSE(IsRuntimeTable(native, base));
    // The native exit path (executor_native_a64.cc): movz x0, #1; reload sp; restore; ret.
    uint64_t saved_sp = 0;
    a64::Assembler e;
    e.movz(a64::W::k64, a64::Reg::x0, 1);
    e.MovImm64(a64::Reg::x9, reinterpret_cast<uint64_t>(&saved_sp));
    e.ldr(a64::W::k64, a64::Reg::x10, a64::Mem(a64::Reg::x9, 0));
    e.mov(a64::W::k64, a64::Reg::sp, a64::Reg::x10);
    e.ldp(a64::W::k64, a64::Reg::x19, a64::Reg::x20, a64::Mem::PostIndex(a64::Reg::sp, 176));
    e.ret();
    std::vector<uint8_t> exit = e.code();
    exit.resize(256);  // IsExitPath reads 256 bytes
    CHECK(IsExitPath(native, reinterpret_cast<uint64_t>(exit.data())));
    CHECK_FALSE(IsExitPath(unicorn, reinterpret_cast<uint64_t>(exit.data())));
    exit[0] &= static_cast<uint8_t>(~(1u << 5));  // movz x0, #0: the return path, not the exit
    CHECK_FALSE(IsExitPath(native, reinterpret_cast<uint64_t>(exit.data())));
    CHECK_FALSE(IsExitPath(native, 0));  // unreadable: not the exit path
    CHECK_FALSE(IsExitPath(unicorn, 0));
  }
  {  // reads through the pipe (qemu-user's way) fail cleanly where memory is not mapped
    uint64_t v = 0x0123456789abcdef, got = 0;
    CHECK(SafeReadThroughPipe(reinterpret_cast<uint64_t>(&v), &got, 8));
    CHECK(got == v);
    CHECK_FALSE(SafeReadThroughPipe(16, &got, 8));
    std::vector<uint8_t> big(10000, 7), back(10000);
    CHECK(SafeReadThroughPipe(reinterpret_cast<uint64_t>(big.data()), back.data(), back.size()));
    CHECK(back == big);
    CHECK(SafeReadThroughPipe(reinterpret_cast<uint64_t>(&v), &got, 8));  // nothing left over
    CHECK(got == v);
  }
}

}  // namespace
}  // namespace tandem::jit
