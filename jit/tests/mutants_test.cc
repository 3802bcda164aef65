// mutants_test.cc: the verifier's bounds-check mutants (jit/mutants.h; docs/verifier.md
// "Mutants"): the catalogue's shape, and that each mutant changes its own back end's code and
// nothing else. That each is rejected by the verifier and that its hole is real is
// bench/verifier_mutants.py's job (a ctest test too).
#include "jit/mutants.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "jit/arena.h"
#include "jit/compiler.h"
#include "jit/disasm.h"
#include "jit/faults.h"
#include "reference/decoder.h"
#include "reference/tests/wat_util.h"
#include "reference/validator.h"

namespace tandem::jit {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(TANDEM_SOURCE_DIR) / "corpus" / "verifier-mutants";

wasm::Module LoadAccessModule() {
  std::ifstream in(kDir / "access.wat");
  std::string wat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  wasm::Module m = wasm::Decode(testing::WatToWasm(wat));
  wasm::Validate(m);
  return m;
}

// Memory 0's data at `data_offset`: below 2 GiB the x64 access takes it as a displacement,
// above it through a register.
InstanceLayout Layout(const wasm::Module& m, uint64_t data_offset) {
  InstanceLayout l;
  for (uint32_t i = 0; i < m.func_types.size(); ++i) l.func_index.push_back(i);
  for (uint32_t i = 0; i < m.types.size(); ++i) l.type_id.push_back(i);
  l.memory_desc_offset.push_back(0x20000);
  l.memory_data_offset.push_back(data_offset);
  l.func_desc_offset = 0x10000;
  l.trap_kind_offset = offsetof(ArenaHeader, trap_kind);
  l.call_depth_offset = offsetof(ArenaHeader, call_depth);
  l.max_call_depth_offset = offsetof(ArenaHeader, max_call_depth);
  l.fuel_offset = offsetof(ArenaHeader, fuel);
  return l;
}

std::vector<CompiledFunction> CompileAll(const wasm::Module& m, Arch arch, uint32_t mutant,
                                         uint64_t data_offset) {
  CompileOptions o;
  o.code_table_address = 0x7f0000000000;
  o.runtime_table_address = 0x7f0000100000;
  o.exit_address = 0x7f0000200000;
  o.stack_limit = 0x7e0000000000;
  o.bounds_mutant = mutant;
  std::vector<CompiledFunction> out;
  for (uint32_t f = m.num_imported_funcs; f < m.func_types.size(); ++f)
    out.push_back(CompileFunction(arch, m, f, Layout(m, data_offset), o));
  return out;
}

// The instructions of code[0, n), branches without their targets (the trap stubs they reach
// move when the bounds code changes length).
std::vector<std::string> Shape(Arch arch, const std::vector<uint8_t>& code, size_t n) {
  std::vector<std::string> out;
  for (const DisasmLine& l : Disassemble(arch, code.data(), n)) {
    const bool branch = l.mnemonic[0] == 'j' || l.mnemonic.rfind("b.", 0) == 0 ||
                        l.mnemonic == "b" || l.mnemonic == "bl" || l.mnemonic.rfind("cb", 0) == 0 ||
                        l.mnemonic.rfind("tb", 0) == 0;
    out.push_back(branch ? l.mnemonic : l.Text());
  }
  return out;
}

TEST_CASE("mutants: the catalogue", "[x64][a64][verify]") {
  std::set<std::string> names;
  std::set<uint32_t> ids;
  int holes_x64 = 0, holes_a64 = 0, lies_x64 = 0, lies_a64 = 0;
  for (const BoundsMutantInfo& m : BoundsMutants()) {
    INFO(m.name);
    const std::string name = m.name, be = m.back_end;
    CHECK((be == "x64" || be == "a64"));
    CHECK(name.rfind("mutant-" + be + "-", 0) == 0);
    CHECK(names.insert(name).second);
    CHECK(m.id != kMutantNone);
    CHECK(ids.insert(m.id).second);
    CHECK(FindBoundsMutant(name) == &m);
    CHECK(BoundsMutantById(m.id) == &m);
    CHECK(BoundsMutantOf(m.id, be));
    CHECK_FALSE(BoundsMutantOf(m.id, be == "x64" ? "a64" : "x64"));
    CHECK(std::string(m.what).size() > 10);
    CHECK(fs::exists(kDir / m.module));
    CHECK(fs::exists(kDir / m.script));
    // Apart from the fault catalogue: no fault has a mutant's name.
    for (const CodegenFaultInfo& f : CodegenFaults()) CHECK(name != f.name);
    (be == "x64" ? (m.hole ? holes_x64 : lies_x64) : (m.hole ? holes_a64 : lies_a64))++;
  }
  CHECK(holes_x64 >= 20);
  CHECK(holes_a64 >= 20);
  CHECK(lies_x64 == 1);
  CHECK(lies_a64 == 1);
  CHECK(FindBoundsMutant("bounds-off-by-one") == nullptr);
  CHECK(BoundsMutantById(kMutantNone) == nullptr);
}

// Each mutant changes the code of its back end (the side-table lie only the records), leaves
// the code before the first bounds check as it was, and leaves the other back end alone.
TEST_CASE("mutants: each changes its own back end's bounds code only", "[x64][a64][verify]") {
  const wasm::Module m = LoadAccessModule();
  for (uint64_t data : {uint64_t{0x40030000}, uint64_t{3} << 31}) {
    for (Arch arch : {Arch::kX64, Arch::kA64}) {
      const char* be = arch == Arch::kX64 ? "x64" : "a64";
      const std::vector<CompiledFunction> sound = CompileAll(m, arch, kMutantNone, data);
      for (const BoundsMutantInfo& mu : BoundsMutants()) {
        DYNAMIC_SECTION(be << " " << mu.name << " data at " << std::hex << data) {
          const std::vector<CompiledFunction> got = CompileAll(m, arch, mu.id, data);
          REQUIRE(got.size() == sound.size());
          bool code_differs = false, records_differ = false;
          for (size_t f = 0; f < got.size(); ++f) {
            code_differs |= got[f].code != sound[f].code;
            REQUIRE(got[f].bounds.size() == sound[f].bounds.size());
            for (size_t k = 0; k < got[f].bounds.size(); ++k)
              records_differ |= got[f].bounds[k].code_offset != sound[f].bounds[k].code_offset ||
                                got[f].bounds[k].size != sound[f].bounds[k].size;
            // The code up to the first bounds check (prologue, entry checks, operands).
            size_t first = sound[f].code.size();
            for (const CodeNote& n : sound[f].notes)
              if (n.kind == CodeNote::kBoundsCheck) first = std::min<size_t>(first, n.code_offset);
            REQUIRE(got[f].code.size() >= first);
            CHECK(Shape(arch, got[f].code, first) == Shape(arch, sound[f].code, first));
          }
          if (!BoundsMutantOf(mu.id, be))
            CHECK_FALSE((code_differs || records_differ));  // another back end's mutant
          else if (mu.hole)
            CHECK(code_differs);
          else
            CHECK((!code_differs && records_differ));  // the side-table lie
        }
      }
    }
  }
}

}  // namespace
}  // namespace tandem::jit
