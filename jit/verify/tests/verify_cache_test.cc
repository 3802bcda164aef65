// verify_cache_test.cc: the verifier's proof cache (jit/verify/verify.h ProofCache; DESIGN.md
// "Verifier"): a second pass over the same code is answered by the cache with the same
// results; a premise the proofs use that is not in the code (a fact the runtime states about
// the store) is part of the key, so changing it misses the cache and gives the changed facts'
// own result; and a weakened check in another module is never answered from the first's proofs.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "jit/disasm.h"
#include "jit/faults.h"
#include "jit/jit_store.h"
#include "jit/tests/jit_test_util.h"
#include "jit/verify/verify.h"
#include "reference/decoder.h"
#include "reference/tests/wat_util.h"
#include "reference/validator.h"

namespace tandem::jit::verify {
namespace {

// Accesses whose index is checked against memory 0's size as the code loads it: their proofs
// need the solver (and so the cache; the quick prover, which would prove them first, is off in
// these tests), and they use memory 0's facts.
const char* kModule = R"(
  (module
    (memory 1)
    (func (export "f") (param i32 i32) (result i32)
      (i32.store offset=8 (local.get 0) (local.get 1))
      (i32.add (i32.load (local.get 1)) (i32.load16_u offset=2 (local.get 0))))
    (func (export "g") (param i32) (result i32)
      (i32.load8_u offset=3 (local.get 0))))
)";

std::unique_ptr<JitStore> StoreOf(const char* wat, uint64_t faults = 0) {
  auto module = std::make_shared<wasm::Module>(wasm::Decode(tandem::testing::WatToWasm(wat)));
  wasm::Validate(*module);
  JitConfig config;
  config.seed_faults = faults;
  std::string error;
  auto store = JitStore::Create(config, &error);
  REQUIRE(store);
  REQUIRE(testutil::InstantiateWithStandIns(*store, module).instance.has_value());
  return store;
}

// Each compiled function as VerifyStore gives it to VerifyFunction (x64 code runs where it
// lies, linked).
std::vector<FunctionInput> Inputs(JitStore& store) {
  std::vector<FunctionInput> out;
  for (const CodeInfo& info : store.code()) out.push_back(InputOf(store, info));
  return out;
}

// One pass over the functions: the counts, each access not proved, and the cache's hits and
// misses during the pass (accesses, and whole functions answered).
struct Pass {
  size_t accesses = 0, proved = 0, failed = 0, unknown = 0, cached = 0;
  std::vector<std::string> problems;  // "function offset status [region]"
  uint64_t hits = 0, misses = 0, function_hits = 0;
};

// (With a cache, the quick proofs are off unless `quick`: most of these tests are about the proof
// cache, which they would leave without a lookup.)
Pass Run(const StoreFacts& facts, const std::vector<FunctionInput>& inputs, ProofCache* cache,
         bool quick = false) {
  Pass p;
  if (cache) cache->quick = quick;
  const uint64_t hits = cache ? cache->hits : 0, misses = cache ? cache->misses : 0,
                 function_hits = cache ? cache->function_hits : 0;
  for (const FunctionInput& in : inputs) {
    FunctionResult f = VerifyFunction(facts, in, cache);
    p.accesses += f.accesses;
    p.proved += f.proved;
    p.failed += f.failed;
    p.unknown += f.unknown;
    p.cached += f.cached;
    // The region a failed access is said to leave is the nearest one below its counterexample,
    // and Z3 may give another counterexample in another context: only the access and its
    // status must be the same.
    for (const AccessResult& a : f.problems)
      p.problems.push_back(std::to_string(in.store_index) + " " + std::to_string(a.code_offset) +
                           " " + StatusName(a.status) + (a.status == Status::kFailed ? "" : " " + a.region));
  }
  if (cache) {
    p.hits = cache->hits - hits;
    p.misses = cache->misses - misses;
    p.function_hits = cache->function_hits - function_hits;
  }
  return p;
}

void CheckSameResults(const Pass& a, const Pass& b) {
  CHECK(a.accesses == b.accesses);
  CHECK(a.proved == b.proved);
  CHECK(a.failed == b.failed);
  CHECK(a.unknown == b.unknown);
  CHECK(a.problems == b.problems);
}

TEST_CASE("verify cache: a second pass over the same code is answered by the cache, with the "
          "same results",
          "[verify][x64]") {
  auto store = StoreOf(kModule);
  const StoreFacts facts = FactsOf(*store);
  const std::vector<FunctionInput> inputs = Inputs(*store);
  ProofCache cache;
  const Pass cold = Run(facts, inputs, &cache);
  INFO("cold: " << cold.hits << " hits, " << cold.misses << " misses");
  CHECK(cold.accesses > 0);
  CHECK(cold.proved == cold.accesses);
  REQUIRE(cold.misses > 0);  // some proofs needed the solver, and went into the cache
  const Pass warm = Run(facts, inputs, &cache);
  CheckSameResults(cold, warm);
  // Every function answered whole, or else every access that needed a proof.
  CHECK(warm.misses == 0);
  CHECK((warm.function_hits == inputs.size() || warm.hits == cold.hits + cold.misses));
  // The same through VerifyStore.
  size_t proved = 0;
  const uint64_t misses = cache.misses;
  for (const FunctionResult& f : VerifyStore(*store, &cache)) proved += f.proved;
  CHECK(proved == cold.accesses);
  CHECK(cache.misses == misses);
}

TEST_CASE("verify cache: a store fact the proofs use misses the cache when it changes, and the "
          "result is the changed facts' own",
          "[verify][x64]") {
  auto store = StoreOf(kModule);
  const StoreFacts facts = FactsOf(*store);
  REQUIRE(facts.memories.size() == 1);
  const std::vector<FunctionInput> inputs = Inputs(*store);
  ProofCache cache;
  const Pass first = Run(facts, inputs, &cache);
  REQUIRE(first.proved == first.accesses);
  const uint64_t lookups = first.hits + first.misses;
  REQUIRE(lookups > 0);

  SECTION("memory 0's data offset: the same code now leaves the memory the runtime states") {
    // The code is the same byte for byte (same address, same window, same checks); only the
    // runtime's statement of where memory 0's data lies differs, 64 KiB further on. A cache
    // keyed on the code alone would answer "proved".
    StoreFacts moved = facts;
    moved.memories[0].data += 0x10000;
    const Pass p = Run(moved, inputs, &cache);
    CHECK(p.hits == 0);
    CHECK(p.function_hits == 0);
    CHECK(p.misses == lookups);
    CHECK(p.failed >= 4);  // the four linear-memory accesses
    CheckSameResults(p, Run(moved, inputs, nullptr));
  }
  SECTION("memory 0's reservation: a premise of every proof that loads its size") {
    StoreFacts smaller = facts;
    smaller.memories[0].reserved /= 2;
    const Pass p = Run(smaller, inputs, &cache);
    CHECK(p.hits == 0);
    CHECK(p.function_hits == 0);
    CHECK(p.misses == lookups);
    CHECK(p.proved == p.accesses);
    CheckSameResults(p, Run(smaller, inputs, nullptr));
  }
  SECTION("a fact no proof of this code uses (the exit path's address) may hit") {
    StoreFacts other = facts;
    other.exit += 16;
    const Pass p = Run(other, inputs, &cache);
    CHECK(p.misses == 0);
    CHECK((p.hits == lookups || p.function_hits == inputs.size()));
    CheckSameResults(p, first);
  }
}

TEST_CASE("verify cache: a weakened bounds check verified after the sound one, with the same "
          "cache, is rejected",
          "[verify][x64]") {
  ProofCache cache;
  auto sound = StoreOf(kModule);
  const Pass a = Run(FactsOf(*sound), Inputs(*sound), &cache);
  REQUIRE(a.proved == a.accesses);
  for (uint64_t fault : {kFaultBoundsOffByOne, kFaultBoundsDropped}) {
    auto weak = StoreOf(kModule, fault);
    const StoreFacts facts = FactsOf(*weak);
    const std::vector<FunctionInput> inputs = Inputs(*weak);
    const Pass b = Run(facts, inputs, &cache);
    INFO("fault " << fault << ": " << b.hits << " hits, " << b.misses << " misses");
    CHECK(b.failed >= 1);
    // The module's own result, as a verification without the cache gives it.
    CheckSameResults(b, Run(facts, inputs, nullptr));
  }
}

// Two functions that differ before a join and are the same after it: the blocks after the join
// (their windows stop there) are the same blocks.
const char* kTwins = R"(
  (module
    (memory 1)
    (func (export "a") (param i32 i32) (result i32)
      (if (local.get 1) (then (local.set 1 (i32.const 11))))
      (i32.add (i32.load offset=4 (local.get 0)) (i32.load16_u offset=2 (local.get 1))))
    (func (export "b") (param i32 i32) (result i32)
      (if (local.get 1) (then (local.set 1 (i32.const 22))))
      (i32.add (i32.load offset=4 (local.get 0)) (i32.load16_u offset=2 (local.get 1)))))
)";

TEST_CASE("verify cache: a block met again in another function is answered whole, with the same "
          "results",
          "[verify][x64]") {
  auto store = StoreOf(kTwins);
  const StoreFacts facts = FactsOf(*store);
  const std::vector<FunctionInput> inputs = Inputs(*store);
  ProofCache cache;
  const Pass cached = Run(facts, inputs, &cache);
  CHECK(cache.function_hits == 0);  // the functions differ
  CHECK(cache.block_hits > 0);      // their blocks after the join do not
  CHECK(cached.proved == cached.accesses);
  CheckSameResults(cached, Run(facts, inputs, nullptr));
  // A weakened check in the same code is not answered by the sound blocks.
  auto weak = StoreOf(kTwins, kFaultBoundsOffByOne);
  const Pass b = Run(FactsOf(*weak), Inputs(*weak), &cache);
  CHECK(b.failed >= 2);
  CheckSameResults(b, Run(FactsOf(*weak), Inputs(*weak), nullptr));
}

TEST_CASE("verify: the quick prover and the solver give the same results", "[verify][x64]") {
  for (uint64_t fault : {uint64_t{0}, uint64_t{kFaultBoundsOffByOne}, uint64_t{kFaultBoundsDropped}}) {
    auto store = StoreOf(kModule, fault);
    const StoreFacts facts = FactsOf(*store);
    const std::vector<FunctionInput> inputs = Inputs(*store);
    ProofCache solver_only, with_quick;
    const Pass slow = Run(facts, inputs, &solver_only);
    const Pass fast = Run(facts, inputs, &with_quick, /*quick=*/true);
    INFO("fault " << fault);
    CHECK(slow.misses > 0);                   // the solver's run proved through the solver
    if (fault == 0) CHECK(fast.misses == 0);  // the quick proofs took every one
    CheckSameResults(fast, slow);
  }
}

// Table accesses and indirect calls: the first walk proves them through the index the table's
// check bounds and the function index a funcref entry holds (verify_x64.cc, X64Machine::Idx).
const char* kTables = R"(
  (module
    (type $t (func (param i32) (result i32)))
    (table 4 funcref)
    (elem (i32.const 0) func $a $b)
    (func $a (type $t) (local.get 0))
    (func $b (type $t) (i32.add (local.get 0) (i32.const 1)))
    (func (export "call") (param i32 i32) (result i32)
      (call_indirect (type $t) (local.get 0) (local.get 1)))
    (func (export "get") (param i32) (result funcref) (table.get 0 (local.get 0)))
    (func (export "set") (param i32) (table.set 0 (local.get 0) (ref.null func))))
)";

// The functions' code, copied, with `patch` applied to every instruction it changes (it gets
// the instructions decoded, the one at k, and that one's bytes in the copy); how many it changed.
struct Patched {
  std::vector<std::vector<uint8_t>> code;
  std::vector<FunctionInput> inputs;
  size_t changed = 0;
};
Patched Patch(const std::vector<FunctionInput>& inputs,
              const std::function<bool(const std::vector<DisasmLine>&, size_t, uint8_t*)>& patch) {
  Patched out;
  out.code.reserve(inputs.size());
  for (const FunctionInput& in : inputs) {
    out.code.emplace_back(in.code, in.code + in.size);
    const std::vector<DisasmLine> lines = Disassemble(Arch::kX64, in.code, in.size, 0);
    for (size_t k = 0; k < lines.size(); ++k)
      out.changed += patch(lines, k, out.code.back().data() + lines[k].offset);
    FunctionInput p = in;
    p.code = out.code.back().data();
    out.inputs.push_back(p);
  }
  return out;
}

bool Is(const DisasmLine& l, const char* mnemonic, const std::string& op_part = "") {
  return l.mnemonic == mnemonic && l.op_str.find(op_part) != std::string::npos;
}

// The branch right after a table's size check (`cmp r32, dword ptr [r15 + ...]`).
bool AfterTableCheck(const std::vector<DisasmLine>& l, size_t k) {
  return k > 0 && l[k - 1].mnemonic == "cmp" && l[k - 1].op_str.rfind("e", 0) == 0 &&
         l[k - 1].op_str.find(", dword ptr [r15 + ") != std::string::npos;
}

TEST_CASE("verify: table accesses and indirect calls are proved by the first walk, and each of "
          "their checks weakened is rejected", "[verify][x64]") {
  auto store = StoreOf(kTables);
  const StoreFacts facts = FactsOf(*store);
  const std::vector<FunctionInput> inputs = Inputs(*store);
  {
    ProofCache cache;
    const Pass sound = Run(facts, inputs, &cache, /*quick=*/true);
    CHECK(sound.accesses > 0);
    CHECK(sound.proved == sound.accesses);
    // Nothing reached the symbolic walk's provers: the first walk proved every access.
    CHECK(cache.quick_proofs() == 0);
    CHECK(cache.tactic_queries() + cache.solver_queries() == 0);
    CHECK(cache.misses == 0);
    // And the symbolic walk proves the same.
    ProofCache solver_only;
    CheckSameResults(sound, Run(facts, inputs, &solver_only));
  }
  struct Weakening {
    const char* what;
    std::function<bool(const std::vector<DisasmLine>&, size_t, uint8_t*)> patch;
  };
  auto nops = [](uint8_t* at, size_t n) {
    std::fill(at, at + n, uint8_t{0x90});
    return true;
  };
  const Weakening weakenings[] = {
      {"the table check's jae made ja (an index equal to the size passes)",
       [](const std::vector<DisasmLine>& l, size_t k, uint8_t* at) {
         if (!AfterTableCheck(l, k) || l[k].mnemonic != "jae") return false;
         if (at[0] == 0x73) at[0] = 0x77;
         else if (at[0] == 0x0f && at[1] == 0x83) at[1] = 0x87;
         else return false;
         return true;
       }},
      {"the table check's branch dropped",
       [&](const std::vector<DisasmLine>& l, size_t k, uint8_t* at) {
         return AfterTableCheck(l, k) && l[k].mnemonic == "jae" && nops(at, l[k].bytes.size());
       }},
      {"the table check compares with the table's maximum (the field after its size)",
       [](const std::vector<DisasmLine>& l, size_t k, uint8_t* at) {
         if (k + 1 >= l.size() || !AfterTableCheck(l, k + 1)) return false;
         const size_t n = l[k].bytes.size();  // cmp r32, [r15 + disp]: disp8 or disp32 last
         if (n >= 7) {
           int32_t disp;
           std::memcpy(&disp, at + n - 4, 4);
           disp += 4;
           std::memcpy(at + n - 4, &disp, 4);
         } else {
           at[n - 1] = static_cast<uint8_t>(at[n - 1] + 4);
         }
         return true;
       }},
      {"the null check's branch dropped (null indexes the descriptors and the code table)",
       [&](const std::vector<DisasmLine>& l, size_t k, uint8_t* at) {
         return k > 0 && Is(l[k - 1], "cmp", ", -1") && l[k].mnemonic == "je" && nops(at, l[k].bytes.size());
       }},
      // (Scaled by 32, the descriptor is still inside the VM structures, which hold the
      // descriptors: the verifier proves it there.)
      {"the function index scaled by 4096 instead of 16 (a descriptor past the VM structures)",
       [](const std::vector<DisasmLine>& l, size_t k, uint8_t* at) {
         if (!Is(l[k], "shl", ", 4")) return false;
         at[l[k].bytes.size() - 1] = 12;
         return true;
       }},
  };
  for (const Weakening& w : weakenings) {
    INFO(w.what);
    const Patched p = Patch(inputs, w.patch);
    REQUIRE(p.changed > 0);
    ProofCache quick, solver_only;
    const Pass fast = Run(facts, p.inputs, &quick, /*quick=*/true);
    CHECK(fast.failed + fast.unknown >= 1);
    CheckSameResults(fast, Run(facts, p.inputs, &solver_only));
  }
}

// The frame-zeroing loop (MasmX64::ZeroFrame: `mov r11, -N`, then `mov qword ptr [rbp + r11*8 +
// d], 0; add r11, 1; jne`): the first walk proves its store from the counter's range, -N to -1.
const char* kManyLocals = R"(
  (module
    (func (export "f") (param i64) (result i64)
      (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
      (local.set 20 (local.get 0))
      (local.get 20)))
)";

TEST_CASE("verify: the frame-zeroing loop's store is proved by the first walk, and a longer or "
          "differently counted loop is rejected", "[verify][x64]") {
  auto store = StoreOf(kManyLocals);
  const StoreFacts facts = FactsOf(*store);
  const std::vector<FunctionInput> inputs = Inputs(*store);
  auto is_loop_store = [](const DisasmLine& l) { return Is(l, "mov", "[rbp + r11*8"); };
  size_t loops = 0;
  for (const FunctionInput& in : inputs)
    for (const DisasmLine& l : Disassemble(Arch::kX64, in.code, in.size, 0)) loops += is_loop_store(l);
  REQUIRE(loops == 1);
  {
    ProofCache cache;
    const Pass sound = Run(facts, inputs, &cache, /*quick=*/true);
    CHECK(sound.proved == sound.accesses);
    CHECK(cache.quick_proofs() + cache.tactic_queries() + cache.solver_queries() == 0);
    ProofCache solver_only;
    CheckSameResults(sound, Run(facts, inputs, &solver_only));
  }
  struct Weakening {
    const char* what;
    std::function<bool(const std::vector<DisasmLine>&, size_t, uint8_t*)> patch;
  };
  const Weakening weakenings[] = {
      {"the counter starts 64 slots lower (the loop zeroes below the frame)",
       [&](const std::vector<DisasmLine>& l, size_t k, uint8_t* at) {
         if (k + 1 >= l.size() || !is_loop_store(l[k + 1]) || !Is(l[k], "mov", "r11, ")) return false;
         const size_t n = l[k].bytes.size();  // mov r11, imm32 (sign-extended): the imm last
         int32_t v;
         std::memcpy(&v, at + n - 4, 4);
         v -= 64;
         std::memcpy(at + n - 4, &v, 4);
         return true;
       }},
      {"the counter steps by 2 (not the counted loop's shape: the range is unknown)",
       [&](const std::vector<DisasmLine>& l, size_t k, uint8_t* at) {
         if (k == 0 || !is_loop_store(l[k - 1]) || !Is(l[k], "add", "r11, 1")) return false;
         at[l[k].bytes.size() - 1] = 2;
         return true;
       }},
  };
  for (const Weakening& w : weakenings) {
    INFO(w.what);
    const Patched p = Patch(inputs, w.patch);
    REQUIRE(p.changed == 1);
    ProofCache quick, solver_only;
    const Pass fast = Run(facts, p.inputs, &quick, /*quick=*/true);
    CHECK(fast.failed + fast.unknown >= 1);
    CheckSameResults(fast, Run(facts, p.inputs, &solver_only));
  }
}

}  // namespace
}  // namespace tandem::jit::verify
