// compiler_test.cc: compiles modules (WAT and the spec suite's non-SIMD modules) with a dummy
// layout and checks the code against Capstone (docs/jit.md; jit/bounds.h side table).
#include <sys/wait.h>

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "jit/arena.h"
#include "jit/compiler.h"
#include "jit/disasm.h"
#include "reference/decoder.h"
#include "reference/tests/wat_util.h"
#include "reference/validator.h"

namespace tandem::jit {
namespace {

namespace fs = std::filesystem;

// Distinct, recognisable offsets for every object; memory 0's data sits above 2 GiB so that the
// wide-offset path is exercised too.
InstanceLayout DummyLayout(const wasm::Module& m) {
  InstanceLayout l;
  for (uint32_t i = 0; i < m.func_types.size(); ++i) l.func_index.push_back(100 + i);
  for (uint32_t i = 0; i < m.types.size(); ++i) l.type_id.push_back(7 + i);
  for (uint32_t i = 0; i < m.globals.size() + m.num_imported_globals; ++i)
    l.global_offset.push_back(0x10000 + 16 * i);
  for (uint32_t i = 0; i < m.memories.size(); ++i) {
    l.memory_desc_offset.push_back(0x20000 + 32 * i);
    l.memory_data_offset.push_back((uint64_t{3} << 30) + (uint64_t{i} << 33));
  }
  for (uint32_t i = 0; i < m.tables.size(); ++i) l.table_desc_offset.push_back(0x30000 + 24 * i);
  for (uint32_t i = 0; i < m.elems.size(); ++i) l.elem_index.push_back(i);
  for (uint32_t i = 0; i < m.datas.size(); ++i) l.data_index.push_back(i);
  l.func_desc_offset = 0x40000;
  l.trap_kind_offset = offsetof(ArenaHeader, trap_kind);
  l.call_depth_offset = offsetof(ArenaHeader, call_depth);
  l.max_call_depth_offset = offsetof(ArenaHeader, max_call_depth);
  l.fuel_offset = offsetof(ArenaHeader, fuel);
  return l;
}

CompileOptions DummyOptions(bool metered, bool canon) {
  CompileOptions o;
  o.metered = metered;
  o.nan_canonical = canon;
  o.code_table_address = 0x7f0000000000;
  o.runtime_table_address = 0x7f0000100000;
  o.exit_address = 0x7f0000200000;
  o.stack_limit = 0x7e0000000000;
  return o;
}

struct Stats {
  int functions = 0;
  int unsupported = 0;
  int accesses = 0;
  std::vector<std::string> failures;
  std::set<std::string> unsupported_reasons;
};

// The instructions of `f` (up to the ud2 that precedes the constant pool).
std::vector<DisasmLine> Instructions(const CompiledFunction& f) {
  size_t undecoded = 0;
  auto lines = Disassemble(Arch::kX64, f.code.data(), f.code.size(), 0, &undecoded);
  std::vector<DisasmLine> out;
  for (auto& l : lines) {
    if (l.mnemonic == "ud2") return out;
    out.push_back(std::move(l));
  }
  if (undecoded != 0) throw std::runtime_error("undecodable bytes before the constant pool");
  return out;
}

// Linear-memory accesses are exactly the instructions addressing [r15 + r11 ...].
bool IsLinearMemoryAccess(const DisasmLine& l) {
  return l.op_str.find("[r15 + r11") != std::string::npos;
}

void CheckFunction(const wasm::Module& m, uint32_t f, const std::string& name, bool metered,
                   bool canon, Stats* stats) {
  ++stats->functions;
  CompiledFunction c;
  try {
    c = CompileFunction(Arch::kX64, m, f, DummyLayout(m), DummyOptions(metered, canon));
  } catch (const UnsupportedFeature& e) {
    ++stats->unsupported;
    stats->unsupported_reasons.insert(e.what());
    return;
  }
  std::string where = name + " func " + std::to_string(f);
  std::vector<DisasmLine> lines;
  try {
    lines = Instructions(c);
  } catch (const std::exception& e) {
    stats->failures.push_back(where + ": " + e.what());
    return;
  }
  std::map<uint64_t, const DisasmLine*> at;
  std::set<uint64_t> accesses;
  for (const auto& l : lines) {
    at[l.offset] = &l;
    if (IsLinearMemoryAccess(l)) accesses.insert(l.offset);
  }
  std::set<uint64_t> recorded;
  for (const BoundsRecord& b : c.bounds) {
    recorded.insert(b.code_offset);
    auto it = at.find(b.code_offset);
    if (it == at.end()) {
      stats->failures.push_back(where + ": bounds record at " + std::to_string(b.code_offset) +
                                " is not an instruction start");
    } else if (!IsLinearMemoryAccess(*it->second)) {
      stats->failures.push_back(where + ": bounds record at " + std::to_string(b.code_offset) +
                                " is " + it->second->Text());
    }
  }
  if (recorded != accesses) {
    stats->failures.push_back(where + ": " + std::to_string(accesses.size()) +
                              " accesses in the code, " + std::to_string(recorded.size()) +
                              " recorded");
  }
  stats->accesses += static_cast<int>(c.bounds.size());
  for (const auto& [field, callee] : c.local_calls) {
    if (field < 1 || field + 4 > c.code.size() || c.code[field - 1] != 0xE8)
      stats->failures.push_back(where + ": local call field at " + std::to_string(field));
    if (callee < m.num_imported_funcs || callee >= m.func_types.size())
      stats->failures.push_back(where + ": local call to " + std::to_string(callee));
  }
  if (c.forms.empty()) stats->failures.push_back(where + ": no forms recorded");
}

void CheckModule(const std::vector<uint8_t>& bytes, const std::string& name, Stats* stats,
                 bool metered = false, bool canon = false) {
  wasm::Module m = wasm::Decode(bytes);
  wasm::Validate(m);
  for (uint32_t f = m.num_imported_funcs; f < m.func_types.size(); ++f)
    CheckFunction(m, f, name, metered, canon, stats);
}

TEST_CASE("compiler: WAT modules covering every instruction group compile and check", "[x64]") {
  const std::string wat = R"(
  (module
    (type $t (func (param i32) (result i32)))
    (import "spectest" "print_i32" (func $print (param i32)))
    (memory 1)
    (table 4 funcref)
    (global $g (mut i64) (i64.const 5))
    (global $f (mut f32) (f32.const 1.5))
    (data "abc")
    (elem func $id)
    (func $id (type $t) (local.get 0))
    (func (export "arith") (param i32 i32 i64 f32 f64) (result i64)
      (i32.add (local.get 0) (local.get 1)) drop
      (i32.div_s (local.get 0) (local.get 1)) drop
      (i32.rem_s (local.get 0) (i32.const -1)) drop
      (i32.shl (local.get 0) (local.get 1)) drop
      (i32.rotr (local.get 0) (i32.const 3)) drop
      (i64.div_u (local.get 2) (local.get 2)) drop
      (i64.rem_s (local.get 2) (local.get 2)) drop
      (i32.clz (local.get 0)) drop
      (i64.popcnt (local.get 2)) drop
      (f32.min (local.get 3) (local.get 3)) drop
      (f64.max (local.get 4) (local.get 4)) drop
      (f64.nearest (local.get 4)) drop
      (f32.copysign (local.get 3) (local.get 3)) drop
      (f64.neg (local.get 4)) drop
      (i32.trunc_f32_s (local.get 3)) drop
      (i64.trunc_f64_u (local.get 4)) drop
      (i64.trunc_sat_f32_u (local.get 3)) drop
      (f32.convert_i64_u (local.get 2)) drop
      (f64.convert_i32_u (local.get 0)) drop
      (f32.demote_f64 (local.get 4)) drop
      (f64.lt (local.get 4) (local.get 4)) drop
      (f32.ne (local.get 3) (local.get 3)) drop
      (select (local.get 3) (local.get 3) (local.get 0)) drop
      (i64.extend_i32_u (local.get 0)))
    (func (export "mem") (param i32) (result i32)
      (i32.store offset=4 (local.get 0) (i32.const 7))
      (i64.store8 (local.get 0) (i64.const 1))
      (f64.store offset=4294967295 (local.get 0) (f64.const 2))
      (drop (f32.load (local.get 0)))
      (drop (i64.load32_s offset=8 (local.get 0)))
      (drop (memory.grow (i32.const 1)))
      (memory.fill (i32.const 0) (i32.const 1) (i32.const 2))
      (memory.copy (i32.const 0) (i32.const 1) (i32.const 2))
      (memory.init 0 (i32.const 0) (i32.const 1) (i32.const 2))
      (data.drop 0)
      (i32.add (i32.load8_u (local.get 0)) (memory.size)))
    (func (export "ctl") (param i32) (result i32)
      (block $b (result i32)
        (loop $l
          (br_if $l (i32.eqz (local.get 0)))
          (br_table $b $b $b (i32.const 3) (local.get 0)))
        (i32.const 1))
      (call $id) (drop)
      (call $print (i32.const 1))
      (global.set $g (i64.const 9))
      (global.set $f (f32.const 2))
      (table.set 0 (i32.const 0) (ref.func $id))
      (drop (table.get 0 (i32.const 1)))
      (drop (table.grow 0 (ref.null func) (i32.const 1)))
      (table.fill 0 (i32.const 0) (ref.null func) (i32.const 1))
      (table.copy 0 0 (i32.const 0) (i32.const 1) (i32.const 1))
      (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 1))
      (elem.drop 0)
      (if (result i32) (local.get 0)
        (then (call_indirect (type $t) (i32.const 4) (i32.const 0)))
        (else (unreachable)))
      (i32.add (table.size 0)))
  ))";
  auto bytes = testing::WatToWasm(wat);
  for (bool metered : {false, true}) {
    for (bool canon : {false, true}) {
      Stats stats;
      CheckModule(bytes, "wat", &stats, metered, canon);
      INFO((stats.failures.empty() ? std::string() : stats.failures.front()));
      CHECK(stats.failures.empty());
      CHECK(stats.unsupported == 0);
      CHECK(stats.functions == 4);
      CHECK(stats.accesses == 6);
    }
  }
}

TEST_CASE("compiler: a local call is recorded, an imported call goes through the code table",
          "[x64]") {
  auto bytes = testing::WatToWasm(R"(
    (module (import "m" "f" (func $f)) (func $g) (func (call $g) (call $f)))
  )");
  wasm::Module m = wasm::Decode(bytes);
  wasm::Validate(m);
  CompileOptions o = DummyOptions(false, false);
  CompiledFunction c = CompileFunction(Arch::kX64, m, 2, DummyLayout(m), o);
  REQUIRE(c.local_calls.size() == 1);
  CHECK(c.local_calls[0].second == 1);
  bool table_call = false;
  for (const auto& l : Instructions(c)) {
    if (l.mnemonic == "movabs" &&
        l.op_str.find("0x7f0000000320") != std::string::npos)  // 0x7f0000000000 + 8 * 100
      table_call = true;
  }
  CHECK(table_call);
}

// wast2json output of every non-SIMD spec file: each module command's binary.
TEST_CASE("compiler: every function of the spec suite's non-SIMD modules", "[x64][slow]") {
  const fs::path suite = "/work/shared/testsuite";
  REQUIRE(fs::exists(suite));
  fs::path tmp = fs::temp_directory_path() / ("tandem_compiler_test_" + std::to_string(getpid()));
  fs::create_directories(tmp);
  Stats stats;
  int modules = 0;
  for (const auto& entry : fs::directory_iterator(suite)) {
    const fs::path& p = entry.path();
    if (p.extension() != ".wast" || p.filename().string().rfind("simd_", 0) == 0) continue;
    fs::path dir = tmp / p.stem();
    fs::create_directories(dir);
    fs::path json = dir / "out.json";
    std::string cmd = "wast2json --enable-all '" + p.string() + "' -o '" + json.string() +
                      "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) continue;
    std::ifstream in(json);
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) continue;
    for (const auto& c : j["commands"]) {
      if (c.value("type", "") != "module") continue;
      std::ifstream w(dir / c.value("filename", ""), std::ios::binary);
      std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(w)), {});
      try {
        wasm::Decode(bytes);
      } catch (const std::exception&) {
        continue;  // text-only or unsupported by the decoder: not the compiler's concern
      }
      ++modules;
      std::string name = p.filename().string() + ":" + std::to_string(c.value("line", 0));
      try {
        CheckModule(bytes, name, &stats);
      } catch (const wasm::UnsupportedError&) {
      }
    }
  }
  fs::remove_all(tmp);
  for (const auto& r : stats.unsupported_reasons) UNSCOPED_INFO("unsupported: " << r);
  for (size_t i = 0; i < stats.failures.size() && i < 20; ++i)
    UNSCOPED_INFO(stats.failures[i]);
  WARN(modules << " modules, " << stats.functions << " functions, " << stats.unsupported
                << " unsupported, " << stats.accesses << " bounds records");
  CHECK(modules > 1000);
  CHECK(stats.failures.empty());
  CHECK(stats.unsupported == 0);
}

}  // namespace
}  // namespace tandem::jit
