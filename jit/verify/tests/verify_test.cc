// verify_test.cc: the verifier (jit/verify/verify.h) on the code the JIT emits for every
// non-SIMD spec module (every access proved), and on code with seeded bounds faults (each
// weakened check rejected, with a counterexample).
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "jit/faults.h"
#include "jit/jit_store.h"
#include "jit/tests/jit_test_util.h"
#include "jit/verify/verify.h"
#include "reference/decoder.h"
#include "reference/tests/wat_util.h"
#include "reference/validator.h"

namespace tandem::jit::verify {
namespace {

struct Totals {
  size_t functions = 0, accesses = 0, proved = 0, failed = 0, unknown = 0;
  std::vector<std::string> problems;
};

void Add(const std::vector<FunctionResult>& results, const std::string& name, Totals* t) {
  for (const FunctionResult& f : results) {
    ++t->functions;
    t->accesses += f.accesses;
    t->proved += f.proved;
    t->failed += f.failed;
    t->unknown += f.unknown;
    for (const AccessResult& p : f.problems)
      if (t->problems.size() < 20)
        t->problems.push_back(name + " function " + std::to_string(f.store_index) + " at " +
                              std::to_string(p.code_offset) + " `" + p.text + "`: " +
                              StatusName(p.status) + " " + p.region + " " + p.why + "\n" + f.listing);
  }
}

std::unique_ptr<JitStore> Store(uint64_t faults = 0) {
  JitConfig config;
  config.seed_faults = faults;
  std::string error;
  auto store = JitStore::Create(config, &error);
  REQUIRE(store);
  return store;
}

TEST_CASE("verify: every access of every non-SIMD spec module's x64 code is proved", "[verify][x64]") {
  Totals t;
  ProofCache cache;
  int modules = testutil::ForEachSpecModule([&](const std::vector<uint8_t>& bytes, const std::string& name) {
    std::shared_ptr<wasm::Module> module;
    try {
      module = std::make_shared<wasm::Module>(wasm::Decode(bytes));
      wasm::Validate(*module);
    } catch (const std::exception&) {
      return;
    }
    auto store = Store();
    try {
      testutil::InstantiateWithStandIns(*store, module);
    } catch (const std::exception&) {
      return;
    }
    Add(VerifyStore(*store, &cache), name, &t);
  });
  for (const std::string& p : t.problems) UNSCOPED_INFO(p);
  WARN(modules << " modules, " << t.functions << " functions: " << t.accesses << " accesses, "
               << t.proved << " proved, " << t.failed << " failed, " << t.unknown << " unknown; cache "
               << cache.hits << " hits, " << cache.misses << " misses");
  CHECK(t.functions > 4000);
  CHECK(t.accesses > 50000);
  CHECK(t.failed == 0);
  CHECK(t.unknown == 0);
  CHECK(t.proved == t.accesses);
}

}  // namespace
}  // namespace tandem::jit::verify

namespace tandem::jit::verify {
namespace {

std::vector<FunctionResult> VerifyWat(const char* wat, uint64_t faults, ProofCache* cache = nullptr) {
  auto module = std::make_shared<wasm::Module>(wasm::Decode(tandem::testing::WatToWasm(wat)));
  wasm::Validate(*module);
  auto store = Store(faults);
  REQUIRE(testutil::InstantiateWithStandIns(*store, module).instance.has_value());
  return VerifyStore(*store, cache);
}

const char* kSample = R"(
  (module
    (memory 1)
    (table 2 funcref)
    (global $g (mut i32) (i32.const 0))
    (type $t (func (param i32) (result i32)))
    (func $f (export "f") (param i32) (result i32)
      (local i64 i64 i64)
      (i32.store offset=4 (local.get 0) (i32.const 7))
      (global.set $g (i32.load8_u (local.get 0)))
      (drop (memory.grow (i32.const 1)))
      (drop (table.get 0 (local.get 0)))
      (call_indirect (type $t) (local.get 0) (i32.const 1)))
    (func $h (param i32) (result i32) (local.get 0))
    (elem (i32.const 1) $h))
)";

TEST_CASE("verify: a sample of every region is proved", "[verify][x64]") {
  size_t accesses = 0;
  for (const FunctionResult& f : VerifyWat(kSample, 0)) {
    INFO((f.problems.empty() ? "" : f.problems[0].text + ": " + f.problems[0].why + "\n" + f.listing));
    CHECK(f.failed == 0);
    CHECK(f.unknown == 0);
    accesses += f.accesses;
  }
  CHECK(accesses > 20);
}

TEST_CASE("verify: a dropped or an off-by-one bounds check is rejected with a counterexample",
          "[verify][x64]") {
  for (uint64_t fault : {kFaultBoundsDropped, kFaultBoundsOffByOne}) {
    size_t failed = 0;
    std::string why;
    // One 1-byte load whose index no earlier check covers (an earlier, wider check on the same
    // index would cover it, and the verifier would rightly prove it).
    for (const FunctionResult& f : VerifyWat(R"(
        (module (memory 1)
          (func (export "g") (param i32) (result i32) (i32.load8_u offset=3 (local.get 0))))
        )", fault)) {
      failed += f.failed;
      if (!f.problems.empty()) why = f.problems[0].why;
    }
    INFO("fault " << fault << ": " << why);
    CHECK(failed >= 1);
    CHECK(why.find("memory 0") != std::string::npos);
  }
}

}  // namespace
}  // namespace tandem::jit::verify
