// axioms_test.cc: the runtime keeps what the verifier assumes (docs/verifier.md, "The trusted
// base": each axiom has a check here). A store on each back end instantiates modules and runs
// the operations that change memories and tables (grow, set, copy, fill, a second instance),
// and after each one the facts the verifier was given still hold.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "jit/arena.h"
#include "jit/jit_store.h"
#include "jit/tests/jit_test_util.h"
#include "jit/verify/verify.h"
#include "reference/decoder.h"
#include "reference/tests/wat_util.h"
#include "reference/validator.h"

namespace tandem::jit::verify {
namespace {

const char* kModule = R"(
  (module
    (memory 1 3)
    (table $t 2 6 funcref)
    (func $a (result i32) (i32.const 1))
    (func $b (result i32) (i32.const 2))
    (elem (i32.const 0) $a $b)
    (func (export "grow_mem") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "grow_tab") (param i32) (result i32) (table.grow $t (ref.func $b) (local.get 0)))
    (func (export "set") (param i32 i32) (table.set $t (local.get 0) (table.get $t (local.get 1))))
    (func (export "copy") (table.copy $t $t (i32.const 2) (i32.const 0) (i32.const 2)))
    (func (export "fill") (table.fill $t (i32.const 1) (ref.null func) (i32.const 2)))
    (func (export "store") (param i32) (i32.store (local.get 0) (i32.const -1))))
)";

const char* kSecond = R"(
  (module
    (memory 2)
    (table 3 funcref)
    (func $c (result i32) (i32.const 3))
    (elem (i32.const 2) $c))
)";

std::shared_ptr<wasm::Module> Parse(const char* wat) {
  auto m = std::make_shared<wasm::Module>(wasm::Decode(tandem::testing::WatToWasm(wat)));
  wasm::Validate(*m);
  return m;
}

// Every axiom, checked against the store as it is now and the facts taken at the start.
void CheckAxioms(JitStore& store, const StoreFacts& first, std::vector<uint64_t>& mem_sizes,
                 std::vector<uint32_t>& table_sizes, const std::string& when) {
  INFO(when);
  Arena& a = store.arena();
  const StoreFacts now = FactsOf(store);
  // Fixed offsets: what the code loads (a memory's data offset, a table's entries offset, the
  // function descriptors' offset) reads as it did when the code was compiled.
  REQUIRE(now.memories.size() >= first.memories.size());
  REQUIRE(now.tables.size() >= first.tables.size());
  for (size_t m = 0; m < first.memories.size(); ++m) {
    CHECK(a.memory(static_cast<uint32_t>(m)).data_offset == first.memories[m].data);
    CHECK(a.memory(static_cast<uint32_t>(m)).reserved_bytes == first.memories[m].reserved);
  }
  for (size_t t = 0; t < first.tables.size(); ++t) {
    CHECK(a.table(static_cast<uint32_t>(t)).elems_offset == first.tables[t].elems);
    CHECK(a.table(static_cast<uint32_t>(t)).reserved_entries == first.tables[t].reserved);
  }
  CHECK(a.header().func_descs_offset == first.func_descs);
  CHECK(now.func_capacity == first.func_capacity);
  // Memory size: within the reservation, and never smaller than before.
  mem_sizes.resize(now.memories.size(), 0);
  for (uint32_t m = 0; m < now.memories.size(); ++m) {
    const uint64_t size = a.memory(m).size_bytes;
    CHECK(size <= a.memory(m).reserved_bytes);
    CHECK(size >= mem_sizes[m]);
    mem_sizes[m] = size;
  }
  // Table size: within the reservation, never smaller than before.
  table_sizes.resize(now.tables.size(), 0);
  for (uint32_t t = 0; t < now.tables.size(); ++t) {
    const uint32_t size = a.table(t).size;
    CHECK(size <= a.table(t).reserved_entries);
    CHECK(size >= table_sizes[t]);
    table_sizes[t] = size;
    // Table entries: every entry of a funcref table below its current size (the verifier grants
    // the axiom to a load there, the size as the window loaded it) is null or a function index
    // below the capacity.
    if (a.table(t).elem_type != static_cast<uint32_t>(wasm::ValType::FuncRef)) continue;
    for (uint32_t e = 0; e < size; ++e) {
      const uint64_t v = a.table_elems(t)[e];
      CHECK((v == wasm::kNullRef || v < now.func_capacity));
    }
  }
  // Stack margin: the limit the entry check compares with leaves 1 MiB of the JIT stack below.
  const JitStore::HostFacts h = store.host_facts();
  CHECK(h.stack_limit - h.stack_base == (uint64_t{1} << 20));
  CHECK(h.stack_limit < h.stack_top);
  CHECK(now.stack_limit == h.stack_limit);
  // Regions apart: the VM region, every memory's slot and every table's slot are disjoint and
  // inside the arena reservation, none wrapping around.
  struct Span {
    uint64_t lo, hi;
  };
  std::vector<Span> spans = {{0, now.vm_bytes}};
  for (const auto& m : now.memories) spans.push_back({m.data, m.data + m.reserved});
  for (const auto& t : now.tables) spans.push_back({t.elems, t.elems + 8 * uint64_t{t.reserved}});
  // The function descriptors are a VM structure: inside the VM region.
  CHECK(now.func_descs + 16 * uint64_t{now.func_capacity} <= now.vm_bytes);
  for (size_t i = 0; i < spans.size(); ++i) {
    CHECK(spans[i].lo <= spans[i].hi);
    CHECK(spans[i].hi <= a.config().reservation_bytes);
    for (size_t j = i + 1; j < spans.size(); ++j) CHECK((spans[i].hi <= spans[j].lo || spans[j].hi <= spans[i].lo));
  }
}

void RunAxioms(Arch arch) {
  JitConfig config;
  config.arch = arch;
  std::string error;
  auto store = JitStore::Create(config, &error);
  REQUIRE(store);
  auto r = testutil::InstantiateWithStandIns(*store, Parse(kModule));
  REQUIRE(r.instance.has_value());
  const uint32_t inst = *r.instance;
  const StoreFacts first = FactsOf(*store);
  std::vector<uint64_t> mem_sizes;
  std::vector<uint32_t> table_sizes;
  CheckAxioms(*store, first, mem_sizes, table_sizes, "after instantiation");
  auto call = [&](const char* name, std::vector<wasm::Value> args) {
    auto ev = store->GetExport(inst, name);
    REQUIRE(ev.has_value());
    store->Invoke(ev->addr, args);
    CheckAxioms(*store, first, mem_sizes, table_sizes, std::string("after ") + name);
  };
  call("grow_mem", {wasm::Value::I32(1)});
  call("grow_mem", {wasm::Value::I32(5)});  // over the maximum: fails, nothing changes
  call("grow_mem", {wasm::Value::I32(1)});
  call("store", {wasm::Value::I32(3 * 65536 - 4)});
  call("store", {wasm::Value::I32(3 * 65536)});  // traps
  call("grow_tab", {wasm::Value::I32(2)});
  call("grow_tab", {wasm::Value::I32(10)});  // over the maximum
  call("set", {wasm::Value::I32(3), wasm::Value::I32(0)});
  call("copy", {});
  call("fill", {});
  call("set", {wasm::Value::I32(9), wasm::Value::I32(0)});  // traps
  // A second instance adds a memory, a table and functions: the first ones stay where they are.
  REQUIRE(testutil::InstantiateWithStandIns(*store, Parse(kSecond)).instance.has_value());
  CheckAxioms(*store, first, mem_sizes, table_sizes, "after a second instance");
  CHECK(FactsOf(*store).memories.size() == 2);
  CHECK(FactsOf(*store).tables.size() == 2);
}

TEST_CASE("verify axioms: the x64 runtime keeps every axiom the verifier assumes", "[verify][x64]") {
  RunAxioms(Arch::kX64);
}

TEST_CASE("verify axioms: the a64 runtime keeps every axiom the verifier assumes", "[verify][a64]") {
  RunAxioms(Arch::kA64);
}

}  // namespace
}  // namespace tandem::jit::verify
