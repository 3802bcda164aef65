// listing.cc: the annotated code listing of `--print-code` and the golden tests (listing.h;
// STYLE.md 12; docs/print-code.md).
#include "jit/listing.h"

#include "jit/faults.h"
#include "jit/mutants.h"

#include <cinttypes>
#include <cstdio>
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "jit/disasm.h"
#include "jit/runtime.h"
#include "reference/opcodes.h"
#include "reference/trap.h"

namespace tandem::jit {

namespace {

// The instructions of `code` up to and including the ud2 that precedes the constant pool
// (x86-64; AArch64 code has no pool); *pool_start receives where the bytes after that ud2
// begin (code.size() if none).
std::vector<DisasmLine> Decode(Arch arch, const std::vector<uint8_t>& code, size_t* pool_start) {
  size_t undecoded = 0;
  auto lines = Disassemble(arch, code.data(), code.size(), 0, &undecoded);
  std::vector<DisasmLine> out;
  *pool_start = code.size() - undecoded;
  for (auto& l : lines) {
    bool end = arch == Arch::kX64 && l.mnemonic == "ud2";
    size_t after = l.offset + l.bytes.size();
    out.push_back(std::move(l));
    if (end) {
      *pool_start = after;
      break;
    }
  }
  return out;
}

// The immediate of `movabs reg, imm`, and the register.
std::optional<std::pair<std::string, uint64_t>> MovabsImm(const DisasmLine& l) {
  if (l.mnemonic != "movabs") return std::nullopt;
  size_t comma = l.op_str.find(", ");
  if (comma == std::string::npos) return std::nullopt;
  std::string reg = l.op_str.substr(0, comma);
  if (reg.find('[') != std::string::npos) return std::nullopt;
  try {
    return std::make_pair(reg, std::stoull(l.op_str.substr(comma + 2), nullptr, 0));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The first movabs at or after `offset` within the next few instructions.
std::optional<uint64_t> MovabsAfter(const std::vector<DisasmLine>& lines, uint32_t offset,
                                    int within = 4) {
  for (const auto& l : lines) {
    if (l.offset < offset) continue;
    if (auto m = MovabsImm(l)) return m->second;
    if (--within == 0) break;
  }
  return std::nullopt;
}

std::optional<uint32_t> RuntimeCallByName(const std::string& name) {
  for (uint32_t i = 0; i < static_cast<uint32_t>(RuntimeCall::kCount); ++i)
    if (name == RuntimeCallName(static_cast<RuntimeCall>(i))) return i;
  return std::nullopt;
}

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

// The symbolic name of a host address, or "".
std::string SymbolFor(uint64_t v, const HostSymbols& s) {
  constexpr uint64_t kRuntimeEntries = static_cast<uint64_t>(RuntimeCall::kCount);
  if (s.exit && v == s.exit) return "<exit>";
  if (s.stack_limit && v == s.stack_limit) return "<stack_limit>";
  if (s.runtime_table && v >= s.runtime_table && v < s.runtime_table + 8 * kRuntimeEntries &&
      (v - s.runtime_table) % 8 == 0) {
    uint64_t id = (v - s.runtime_table) / 8;
    return id == 0 ? "<runtime_table>" : "<runtime_table+8*" + std::to_string(id) + ">";
  }
  if (s.code_table && v >= s.code_table &&
      v < s.code_table + 8 * uint64_t{s.code_table_entries} && (v - s.code_table) % 8 == 0) {
    uint64_t i = (v - s.code_table) / 8;
    return i == 0 ? "<code_table>" : "<code_table+8*" + std::to_string(i) + ">";
  }
  return "";
}

std::string ExportName(const wasm::Module& m, uint32_t func) {
  for (const auto& e : m.exports)
    if (e.kind == wasm::ExternKind::Func && e.index == func) return e.name;
  return "";
}

std::string Pad(std::string s, size_t n) {
  if (s.size() < n) s.append(n - s.size(), ' ');
  return s;
}

}  // namespace

HostSymbols FindHostSymbols(const JitStore& store) {
  HostSymbols s;
  s.code_table_entries = ArenaConfig{}.max_functions;
  for (const CodeInfo& info : store.code()) {
    size_t pool = 0;
    std::vector<DisasmLine> lines = Decode(store.config().arch, info.compiled.code, &pool);
    for (size_t i = 0; i + 1 < lines.size(); ++i) {
      auto m = MovabsImm(lines[i]);
      if (m && m->first == "r11" && lines[i + 1].Text() == "cmp rsp, r11") s.stack_limit = m->second;
    }
    for (const CodeNote& n : info.compiled.notes) {
      // call_indirect checks the table entry and the signature before its movabs.
      auto imm = MovabsAfter(lines, n.code_offset, n.detail == "indirect" ? 32 : 4);
      if (!imm) continue;
      switch (n.kind) {
        case CodeNote::kRuntimeCall:
          if (auto id = RuntimeCallByName(n.detail)) s.runtime_table = *imm - 8 * uint64_t{*id};
          break;
        case CodeNote::kTrapStub:
          s.exit = *imm;
          break;
        case CodeNote::kCall:
          if (n.detail == "indirect") {
            s.code_table = *imm;
          } else {
            // A direct call: rel32 (no movabs right here) or through the code table.
            auto at = std::find_if(lines.begin(), lines.end(),
                                   [&](const DisasmLine& l) { return l.offset == n.code_offset; });
            if (at != lines.end() && MovabsImm(*at))
              s.code_table = *imm - 8 * std::stoull(n.detail);
          }
          break;
        default:
          break;
      }
    }
  }
  return s;
}

std::string FormatFunctionListing(const wasm::Module& module, const CodeInfo& info,
                                  const HostSymbols& symbols, Arch arch) {
  const CompiledFunction& f = info.compiled;
  size_t pool = 0;
  std::vector<DisasmLine> lines = Decode(arch, f.code, &pool);
  size_t decoded_end = lines.empty() ? 0 : lines.back().offset + lines.back().bytes.size();

  std::map<uint32_t, std::string> op_at;  // wasm offset -> opcode name
  if (info.func_index >= module.num_imported_funcs &&
      info.func_index - module.num_imported_funcs < module.code.size()) {
    for (const wasm::Instr& in : module.code[info.func_index - module.num_imported_funcs].code)
      op_at[in.offset] = wasm::OpName(in.op);
  }
  std::multimap<uint32_t, const CodeNote*> notes;
  std::map<uint32_t, std::string> stub_at;  // trap stub offset -> what it records
  for (const CodeNote& n : f.notes) {
    notes.emplace(n.code_offset, &n);
    if (n.kind == CodeNote::kTrapStub) stub_at[n.code_offset] = n.detail;
  }
  std::map<uint32_t, const BoundsRecord*> access_at;
  for (const BoundsRecord& b : f.bounds) access_at[b.code_offset] = &b;
  std::map<uint32_t, uint32_t> local_call_at;  // call instruction offset -> module func index
  for (const auto& [field, callee] : f.local_calls) local_call_at[field - 1] = callee;

  std::string out;
  std::string name = ExportName(module, info.func_index);
  out += ";; function " + std::to_string(info.func_index) +
         (name.empty() ? "" : " \"" + name + "\"") + " (instance " +
         std::to_string(info.instance) + "): " + std::to_string(pool) + " bytes of code";
  if (pool < f.code.size())
    out += ", " + std::to_string(f.code.size() - pool) + " bytes of constant pool";
  out += ", " + std::to_string(f.bounds.size()) + " bounds-checked accesses\n";

  const std::string indent(8, ' ');
  std::map<std::string, std::string> reg_symbol;  // register -> symbol of its last movabs
  for (const DisasmLine& l : lines) {
    const uint32_t off = static_cast<uint32_t>(l.offset);
    auto [lo, hi] = notes.equal_range(off);
    for (auto it = lo; it != hi; ++it) {
      const CodeNote& n = *it->second;
      std::string c;
      switch (n.kind) {
        case CodeNote::kWasmInstr: {
          auto op = op_at.find(n.wasm_offset);
          c = "wasm " + Hex(n.wasm_offset) + ": " + (op == op_at.end() ? "?" : op->second);
          break;
        }
        case CodeNote::kBoundsCheck:
          c = "bounds check: " + n.detail;
          break;
        case CodeNote::kTrapStub:
          c = "trap stub: " + n.detail;
          break;
        case CodeNote::kRuntimeCall:
          c = "runtime call: " + n.detail;
          break;
        case CodeNote::kCall:
          c = n.detail == "indirect" ? "call_indirect through the code table"
                                     : "call store function " + n.detail;
          break;
      }
      out += indent + ";; " + c + "\n";
    }
    std::string text = l.Text();
    std::string hex = HexBytes(l.bytes);
    std::string comment;
    if (auto m = MovabsImm(l)) {
      std::string sym = SymbolFor(m->second, symbols);
      if (!sym.empty()) {
        // The host address is neither printed as text nor as bytes.
        text = l.mnemonic + " " + m->first + ", " + sym;
        hex = hex.substr(0, hex.size() - 16) + std::string(16, 'x');
      }
      reg_symbol[m->first] = sym;
    }
    auto lc = local_call_at.find(off);
    if (lc != local_call_at.end() && l.mnemonic == "call") {
      text = "call <func " + std::to_string(lc->second) + ">";
    } else if ((l.mnemonic == "call" || l.mnemonic == "jmp") && !l.op_str.empty()) {
      // Through a register or a table entry a movabs loaded: name what it targets.
      std::string target = l.op_str;
      size_t lb = target.find('['), rb = target.find_first_of(" ]", lb + 1);
      std::string reg = lb == std::string::npos ? target : target.substr(lb + 1, rb - lb - 1);
      auto rs = reg_symbol.find(reg);
      if (rs != reg_symbol.end() && !rs->second.empty()) comment = "-> " + rs->second;
      if (rs != reg_symbol.end() && rs->second.rfind("<runtime_table", 0) == 0) {
        uint64_t id = 0;
        if (rs->second != "<runtime_table>")
          id = std::stoull(rs->second.substr(std::string("<runtime_table+8*").size()));
        comment += " (" + std::string(RuntimeCallName(static_cast<RuntimeCall>(id))) + ")";
      }
    }
    if (l.mnemonic[0] == 'j' && !l.op_str.empty() && l.op_str.rfind("0x", 0) == 0) {
      auto st = stub_at.find(static_cast<uint32_t>(std::stoull(l.op_str, nullptr, 0)));
      if (st != stub_at.end()) comment = "-> trap stub: " + st->second;
    }
    if (size_t rip = l.op_str.find("[rip + "); rip != std::string::npos) {
      uint64_t target = l.offset + l.bytes.size() + std::stoull(l.op_str.substr(rip + 7), nullptr, 0);
      if (target >= pool && target + 8 <= f.code.size()) {
        uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= uint64_t{f.code[target + i]} << (8 * i);
        comment = "-> constant pool " + Hex(target) + ": " + Hex(v);
      }
    }
    auto acc = access_at.find(off);
    if (acc != access_at.end()) {
      const BoundsRecord& b = *acc->second;
      comment = std::string(b.is_store ? "store" : "load") + " " + std::to_string(b.size) +
                " bytes, memory " + std::to_string(b.memory) + " (bounds record)";
    }
    if (l.mnemonic == "ud2" && l.offset + l.bytes.size() == pool) comment = "end of code";
    char head[32];
    std::snprintf(head, sizeof head, "  %04x  ", off);
    std::string line = head + Pad(hex, 22) + " " + text;
    if (!comment.empty()) line = Pad(line, 72) + " ; " + comment;
    out += line + "\n";
  }
  if (decoded_end < pool) {
    out += "  ;; undecodable bytes before the constant pool:";
    for (size_t i = decoded_end; i < pool; ++i) out += " " + Hex(f.code[i]);
    out += "\n";
  }
  // Constant pool: int3 padding to 8 bytes, then 64-bit words.
  size_t at = pool;
  if (at < f.code.size()) out += indent + ";; constant pool\n";
  while (at < f.code.size()) {
    char head[32];
    std::snprintf(head, sizeof head, "  %04zx  ", at);
    if (at % 8 != 0 || at + 8 > f.code.size()) {
      size_t n = std::min<size_t>(f.code.size() - at, 8 - at % 8);
      std::vector<uint8_t> bytes(f.code.begin() + at, f.code.begin() + at + n);
      out += head + Pad(HexBytes(bytes), 22) + " .byte (padding)\n";
      at += n;
      continue;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{f.code[at + i]} << (8 * i);
    std::vector<uint8_t> bytes(f.code.begin() + at, f.code.begin() + at + 8);
    out += head + Pad(HexBytes(bytes), 22) + " .quad " + Hex(v) + "\n";
    at += 8;
  }
  return out;
}

std::string FormatStoreListing(const JitStore& store) {
  HostSymbols symbols = FindHostSymbols(store);
  std::string out;
  if (std::string faults = CodegenFaultNames(store.config().seed_faults); !faults.empty())
    out += ";; SEEDED FAULTS: " + faults + " (this code is wrong on purpose; jit/faults.h)\n";
  if (const BoundsMutantInfo* m = BoundsMutantById(store.config().bounds_mutant);
      m && BoundsMutantOf(m->id, store.config().arch == Arch::kX64 ? "x64" : "a64"))
    out += ";; BOUNDS MUTANT: " + std::string(m->name) + " (" + m->what + "; jit/mutants.h)\n";
  for (const CodeInfo& info : store.code()) {
    if (!out.empty()) out += "\n";
    out += FormatFunctionListing(store.ModuleOf(info.instance), info, symbols,
                                 store.config().arch);
  }
  return out;
}

}  // namespace tandem::jit
