// code_test.cc: code tests over every function the spec suite compiles (issue 4, Done-when 4;
// docs/jit.md "Entry, exit, traps", "Linear memory accesses", "Runtime calls"; docs/print-code.md).
//
// Every module of the 146 core spec files (SIMD included) is instantiated into a fresh JitStore
// (stand-in imports), so the code sits at its real addresses with its local calls linked, and then:
// (a) every call or jump is classified from the linked bytes at their real address, as Capstone
//     decodes them; (b) the linear-memory accesses Capstone finds are compared with the
//     bounds-check side table; (c) every emitted instruction form must have a hex-table row.
// What each class means, precisely, is written next to its check below.
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "jit/arena.h"
#include "jit/disasm.h"
#include "jit/jit_store.h"
#include "jit/listing.h"
#include "jit/runtime.h"
#include "jit/tests/code_test_util.h"
#include "jit/tests/jit_test_util.h"
#include "reference/decoder.h"
#include "reference/errors.h"
#include "reference/tests/wat_util.h"
#include "reference/validator.h"

namespace tandem::jit {
namespace {

using namespace codetest;  // NOLINT: the shared checks' vocabulary (code_test_util.h)

std::optional<std::pair<std::string, uint64_t>> Movabs(const DisasmLine& l) {
  if (l.mnemonic != "movabs") return std::nullopt;
  size_t comma = l.op_str.find(", ");
  if (comma == std::string::npos || l.op_str.find('[') != std::string::npos) return std::nullopt;
  return std::make_pair(l.op_str.substr(0, comma),
                        std::stoull(l.op_str.substr(comma + 2), nullptr, 0));
}

bool IsImmediate(const std::string& op) { return op.rfind("0x", 0) == 0 || std::isdigit(op[0]); }

// A memory operand as Capstone prints it: [base + index*scale + disp] (each part optional).
struct MemOperand {
  std::string base, index;
  int scale = 1;
  int64_t disp = 0;
  int size = 0;        // from "byte/word/dword/qword ptr"; 0 for lea or none given
  bool first = false;  // the instruction's first (destination) operand
};

std::optional<MemOperand> ParseMem(const DisasmLine& l) {
  size_t lb = l.op_str.find('['), rb = l.op_str.find(']');
  if (lb == std::string::npos || rb == std::string::npos) return std::nullopt;
  MemOperand m;
  std::string before = l.op_str.substr(0, lb);
  m.first = before.find(',') == std::string::npos;
  if (before.find("xmmword ptr") != std::string::npos) m.size = 16;
  else if (before.find("qword ptr") != std::string::npos) m.size = 8;
  else if (before.find("dword ptr") != std::string::npos) m.size = 4;
  else if (before.find("word ptr") != std::string::npos) m.size = 2;
  else if (before.find("byte ptr") != std::string::npos) m.size = 1;
  std::string inner = l.op_str.substr(lb + 1, rb - lb - 1);
  // Terms joined by " + " or " - ".
  std::vector<std::pair<int, std::string>> terms;
  int sign = 1;
  std::istringstream in(inner);
  std::string tok;
  while (in >> tok) {
    if (tok == "+") sign = 1;
    else if (tok == "-") sign = -1;
    else terms.emplace_back(sign, tok);
  }
  for (auto& [sg, t] : terms) {
    if (t.rfind("rip", 0) == 0) {
      m.base = "rip";
    } else if (IsImmediate(t)) {
      m.disp += sg * static_cast<int64_t>(std::stoull(t, nullptr, 0));
    } else if (size_t star = t.find('*'); star != std::string::npos) {
      m.index = t.substr(0, star);
      m.scale = std::stoi(t.substr(star + 1));
    } else if (m.base.empty()) {
      m.base = t;
    } else {
      m.index = t;
    }
  }
  return m;
}

// The trampoline's exit path (jit_store.cc): `mov eax, 1`, then the host rsp is reloaded from
// its saved slot, the callee-saved registers popped, and `ret` returns to the host.
bool IsExitPath(uint64_t address) {
  uint8_t bytes[64];
  if (!SafeRead(address, bytes, sizeof bytes)) return false;
  auto lines = Disassemble(Arch::kX64, bytes, sizeof bytes, address);
  if (lines.empty() || lines[0].Text() != "mov eax, 1") return false;
  bool reloads_rsp = false;
  for (const auto& l : lines) {
    if (l.mnemonic == "mov" && l.op_str.rfind("rsp, qword ptr [", 0) == 0) reloads_rsp = true;
    if (l.mnemonic == "ret") return reloads_rsp;
    if (l.mnemonic == "call" || l.mnemonic[0] == 'j') return false;
  }
  return false;
}

// The tables and the exit, established from the candidates the code offers.
StoreFacts EstablishFacts(JitStore& store, const std::vector<Fn>& fns) {
  const uint32_t func_count = store.arena().header().func_count;
  StoreFacts facts = InitialFacts(store);
  for (const Fn& fn : fns) {
    for (size_t i = 1; i < fn.lines.size(); ++i) {
      auto mv = Movabs(fn.lines[i - 1]);
      const DisasmLine& l = fn.lines[i];
      if (!mv) continue;
      const auto& [reg, imm] = *mv;
      if (l.mnemonic == "call" && l.op_str == "qword ptr [" + reg + "]") {
        // The runtime-call table: a table whose kCount words are exactly the services of
        // FillRuntimeTable (IsServiceTable); the candidate base is imm - 8*id where the word at
        // imm is service id.
        if (!facts.runtime_table) {
          if (auto w = ReadWord(imm)) {
            for (size_t id = 0; id < kRuntimeEntries; ++id)
              if (*w == facts.services[id] && IsServiceTable(facts, imm - 8 * id))
                facts.runtime_table = imm - 8 * id;
          }
        }
        if (!facts.code_table) {
          for (uint32_t s = 0; s < func_count && !facts.code_table; ++s)
            if (imm >= 8 * uint64_t{s} && IsCodeTable(facts, imm - 8 * uint64_t{s}))
              facts.code_table = imm - 8 * uint64_t{s};
        }
      } else if (l.mnemonic == "call" && l.op_str.rfind("qword ptr [" + reg + " + ", 0) == 0) {
        if (!facts.code_table && IsCodeTable(facts, imm)) facts.code_table = imm;
      } else if (l.mnemonic == "jmp" && l.op_str == reg) {
        if (!facts.exit && IsExitPath(imm)) facts.exit = imm;
      }
    }
  }

  return facts;
}

// Checks (a) and (b) on one function; failures carry the function's listing.
void CheckFunction(JitStore& store, const StoreFacts& facts, const Fn& fn,
                   const std::string& name, Totals* t) {
  Arena& arena = store.arena();
  const uint64_t vm_end = arena.config().vm_region_bytes;
  const uint32_t func_count = arena.header().func_count;
  {
    const CodeInfo& c = *fn.info;
    std::string where = name + " func " + std::to_string(c.func_index);
    size_t failures_before = t->failures.size();
    auto fail = [&](const DisasmLine& l, const std::string& why) {
      char off[16];
      std::snprintf(off, sizeof off, "%04llx",
                    static_cast<unsigned long long>(l.offset - c.address));
      t->failures.push_back(where + " at " + off + " `" + l.Text() + "`: " + why);
    };
    std::set<uint64_t> starts;
    for (const auto& l : fn.lines) starts.insert(l.offset);
    const uint64_t end = fn.lines.empty() ? c.address
                                          : fn.lines.back().offset + fn.lines.back().bytes.size();
    std::set<Access> found;
    for (size_t i = 0; i < fn.lines.size(); ++i) {
      const DisasmLine& l = fn.lines[i];
      const std::string& mn = l.mnemonic;
      const auto mv = i > 0 ? Movabs(fn.lines[i - 1]) : std::nullopt;
      // (a) Control transfers. Allowed, and nothing else:
      //   ret; a direct jmp/jcc to an instruction start of this function (internal branch);
      //   a direct call to the start of a compiled function of the store;
      //   `movabs R, imm` immediately followed by
      //     `call [R]`      imm = runtime table + 8*id with id < kCount, or
      //                     imm = code table + 8*s with s < the store's function count;
      //     `call [R + X*8]` imm = the code table (call_indirect, index checked before);
      //     `jmp R`          imm = the trampoline's exit path.
      if (mn == "ret") {
        ++t->returns;
      } else if (mn == "call" || mn[0] == 'j' || mn.rfind("loop", 0) == 0 || mn == "syscall" ||
                 mn == "int" || mn == "int3" || mn == "ud2" || mn == "hlt") {
        if (IsImmediate(l.op_str)) {
          uint64_t target = std::stoull(l.op_str, nullptr, 0);
          if (mn == "call") {
            if (facts.function_at.count(target))
              ++t->direct_calls;
            else
              fail(l, "direct call to an address that is no compiled function's start");
          } else if (mn[0] == 'j' && target >= c.address && target < end &&
                     starts.count(target)) {
            ++t->internal_branches;
          } else {
            fail(l, "branch that leaves the function or lands inside an instruction");
          }
        } else if (mv && mn == "call" && l.op_str == "qword ptr [" + mv->first + "]") {
          uint64_t imm = mv->second;
          if (facts.runtime_table && imm >= facts.runtime_table &&
              imm < facts.runtime_table + 8 * kRuntimeEntries && (imm - facts.runtime_table) % 8 == 0)
            ++t->runtime_calls;
          else if (facts.code_table && imm >= facts.code_table &&
                   imm < facts.code_table + 8 * uint64_t{func_count} &&
                   (imm - facts.code_table) % 8 == 0)
            ++t->code_table_calls;
          else
            fail(l, "call through an entry of neither the runtime table nor the code table");
        } else if (mv && mn == "call" &&
                   std::regex_match(l.op_str, std::regex("qword ptr \\[" + mv->first +
                                                         " \\+ r[a-z0-9]+\\*8\\]"))) {
          if (facts.code_table && mv->second == facts.code_table)
            ++t->indirect_calls;
          else
            fail(l, "indexed call through a table that is not the code table");
        } else if (mv && mn == "jmp" && l.op_str == mv->first) {
          if (facts.exit && mv->second == facts.exit)
            ++t->exits;
          else
            fail(l, "jump to an address that is not the trampoline's exit path");
        } else {
          fail(l, "control transfer of no allowed shape");
        }
      }
      // (b) Memory operands based on r15 (the arena base). The static arena offset S of such an
      // operand is its displacement, plus K when the two preceding instructions are
      // `movabs r10, K; add INDEX, r10` (the wide-offset form). An operand with an index
      // register and S >= the VM region's size addresses a linear memory: S must be that
      // memory's data offset. Everything else based on r15 is a VM-structure access (header,
      // globals, descriptors, function descriptors) and must have S < the VM region's size.
      // r15 as an index register, or a lea of a linear-memory address, fails.
      auto m = ParseMem(l);
      if (!m) continue;
      if (m->index == "r15") {
        fail(l, "the arena base used as an index register");
        continue;
      }
      if (m->base != "r15") continue;
      int64_t s = m->disp;
      if (!m->index.empty() && i >= 2) {
        auto k = Movabs(fn.lines[i - 2]);
        if (k && k->first == "r10" && fn.lines[i - 1].Text() == "add " + m->index + ", r10")
          s += static_cast<int64_t>(k->second);
      }
      if (m->index.empty() || s < static_cast<int64_t>(vm_end)) {
        if (s < 0 || s >= static_cast<int64_t>(vm_end))
          fail(l, "access beyond the VM region without an index");
        else
          ++t->vm_accesses;
        continue;
      }
      if (mn == "lea") {
        fail(l, "address of linear memory computed outside the bounds emitter");
        continue;
      }
      std::optional<uint32_t> mem;
      for (uint32_t k = 0; k < arena.memory_count(); ++k)
        if (arena.memory(k).data_offset == static_cast<uint64_t>(s)) mem = k;
      if (!mem) {
        fail(l, "indexed access at an arena offset that is no memory's data offset");
        continue;
      }
      if (m->scale != 1 || m->size == 0) {
        fail(l, "linear-memory access of an unexpected shape");
        continue;
      }
      found.emplace(static_cast<uint32_t>(l.offset - c.address), m->size, m->first, *mem);
    }
    CompareAccesses(found, c, where, t);
    AttachListing(store, c, failures_before, t);
  }
}

void CheckStore(JitStore& store, const std::string& name, Totals* t) {
  std::vector<Fn> fns = ReadFunctions(store, name, t);
  StoreFacts facts = EstablishFacts(store, fns);
  for (const Fn& fn : fns) CheckFunction(store, facts, fn, name, t);
}

TEST_CASE("code: calls, jumps, bounds records and forms of every spec-suite function",
          "[x64][code]") {
  CheckEverySpecModule(Arch::kX64, CheckStore, "jit/x64/tests/x64_table.inc");
}

// The checks can fail: seeded faults in real code (copied, then changed) or in its side table.
TEST_CASE("code: seeded faults in the code or the side table are caught", "[x64][code]") {
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
  config.record_forms = true;  // the forms check below needs them
  auto store = JitStore::Create(config, &error);
  REQUIRE(store);
  REQUIRE(testutil::InstantiateWithStandIns(*store, module).instance.has_value());
  Totals clean;
  std::vector<Fn> fns = ReadFunctions(*store, "seeded", &clean);
  REQUIRE(fns.size() == 2);
  StoreFacts facts = EstablishFacts(*store, fns);
  for (const Fn& fn : fns) CheckFunction(*store, facts, fn, "seeded", &clean);
  INFO((clean.failures.empty() ? "" : clean.failures.front()));
  REQUIRE(clean.failures.empty());
  REQUIRE(clean.accesses_matched == 2);
  REQUIRE(clean.direct_calls == 1);
  REQUIRE(clean.indirect_calls == 1);
  REQUIRE(clean.runtime_calls == 1);

  const Fn& f = fns[1];
  const CodeInfo& c = *f.info;
  auto failures = [&](const CodeInfo& info, std::vector<uint8_t> bytes) {
    Fn g{&info, std::move(bytes), {}};
    g.lines = testutil::InstructionsBeforePool(g.linked.data(), g.linked.size(), info.address);
    Totals t;
    CheckFunction(*store, facts, g, "seeded", &t);
    return t.failures.size();
  };
  auto offset_of = [&](const std::function<bool(size_t)>& pred) -> size_t {
    for (size_t i = 0; i < f.lines.size(); ++i)
      if (pred(i)) return f.lines[i].offset - c.address;
    FAIL("shape not found");
    return 0;
  };
  auto put64 = [](std::vector<uint8_t>& b, size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  CHECK(failures(c, f.linked) == 0);
  {  // a bounds record dropped from the side table
    CodeInfo copy = c;
    copy.compiled.bounds.pop_back();
    CHECK(failures(copy, f.linked) > 0);
  }
  {  // a record that points one instruction early
    CodeInfo copy = c;
    copy.compiled.bounds[0].code_offset -= 1;
    CHECK(failures(copy, f.linked) > 0);
  }
  {  // the access's displacement moved off the memory's data offset
    std::vector<uint8_t> b = f.linked;
    const BoundsRecord& r = c.compiled.bounds[0];
    size_t len = 0;
    for (const auto& l : f.lines)
      if (l.offset - c.address == r.code_offset) len = l.bytes.size();
    REQUIRE(len > 4);
    b[r.code_offset + len - 4] ^= 0x10;
    CHECK(failures(c, b) > 0);
  }
  {  // a trap stub that leaves to somewhere other than the exit path
    std::vector<uint8_t> b = f.linked;
    size_t at = offset_of([&](size_t i) {
      return i + 1 < f.lines.size() && f.lines[i].mnemonic == "movabs" &&
             f.lines[i + 1].Text() == "jmp r11";
    });
    put64(b, at + 2, c.address);
    CHECK(failures(c, b) > 0);
  }
  {  // a runtime call through a word past the runtime table
    std::vector<uint8_t> b = f.linked;
    size_t at = offset_of([&](size_t i) {
      return i + 1 < f.lines.size() && f.lines[i].mnemonic == "movabs" &&
             f.lines[i + 1].Text() == "call qword ptr [rax]";
    });
    put64(b, at + 2, facts.runtime_table + 8 * kRuntimeEntries);
    CHECK(failures(c, b) > 0);
  }
  {  // a direct call one byte off its callee
    std::vector<uint8_t> b = f.linked;
    REQUIRE(c.compiled.local_calls.size() == 1);
    b[c.compiled.local_calls[0].first] += 1;
    CHECK(failures(c, b) > 0);
  }
}

TEST_CASE("code: operands, branch targets and the exit path as the checks read them", "[x64][code]") {
  std::vector<uint8_t> jmp_far = {0xe9, 0x00, 0x10, 0x00, 0x00};  // jmp +0x1000: leaves
  auto lines = Disassemble(Arch::kX64, jmp_far.data(), jmp_far.size(), 0x1000);
  REQUIRE(lines.size() == 1);
  CHECK(IsImmediate(lines[0].op_str));
  CHECK(std::stoull(lines[0].op_str, nullptr, 0) == 0x2005);
  auto m = ParseMem(Disassemble(Arch::kX64, std::vector<uint8_t>{0x43, 0x8b, 0x9c, 0x1f, 0x00,
                                                                 0x00, 0x03, 0x40}
                                                .data(),
                                            8)[0]);
  REQUIRE(m.has_value());  // mov ebx, dword ptr [r15 + r11 + 0x40030000]
  CHECK(m->base == "r15");
  CHECK(m->index == "r11");
  CHECK(m->disp == 0x40030000);
  CHECK(m->size == 4);
  CHECK_FALSE(m->first);
  CHECK_FALSE(IsExitPath(0));  // unreadable: not the exit path
}

}  // namespace
}  // namespace tandem::jit
