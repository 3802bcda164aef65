// verify_test.cc: the verifier (jit/verify/verify.h) on the code the JIT emits for every
// non-SIMD spec module (every access proved), and on code with seeded bounds faults (each
// weakened check rejected, with a counterexample).
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "jit/faults.h"
#include "jit/mutants.h"
#include "jit/jit_store.h"
#include "jit/tests/jit_test_util.h"
#include "jit/verify/verify.h"
#include "reference/decoder.h"
#include "reference/tests/wat_util.h"
#include "reference/validator.h"

namespace tandem::jit::verify {
namespace {

struct Totals {
  size_t functions = 0, accesses = 0, proved = 0, failed = 0, unknown = 0, solver = 0, vacuous = 0, dead = 0;
  std::vector<std::string> problems;
};

void Add(const std::vector<FunctionResult>& results, const std::string& name, Totals* t) {
  for (const FunctionResult& f : results) {
    ++t->functions;
    t->accesses += f.accesses;
    t->proved += f.proved;
    t->failed += f.failed;
    t->unknown += f.unknown;
    t->solver += f.solver;
    t->vacuous += f.vacuous;
    t->dead += f.dead;
    for (const AccessResult& p : f.problems)
      if (t->problems.size() < 20)
        t->problems.push_back(name + " function " + std::to_string(f.store_index) + " at " +
                              std::to_string(p.code_offset) + " `" + p.text + "`: " +
                              StatusName(p.status) + " " + p.region + " " + p.why + "\n" + f.listing);
  }
}

std::unique_ptr<JitStore> Store(uint64_t faults = 0, Arch arch = Arch::kX64) {
  JitConfig config;
  config.arch = arch;
  config.seed_faults = faults;
  std::string error;
  auto store = JitStore::Create(config, &error);
  REQUIRE(store);
  return store;
}

void VerifySpec(Arch arch) {
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
    auto store = Store(0, arch);
    try {
      testutil::InstantiateWithStandIns(*store, module);
    } catch (const std::exception&) {
      return;
    }
    Add(VerifyStore(*store, &cache), name, &t);
  });
  for (const std::string& p : t.problems) UNSCOPED_INFO(p);
  WARN(modules << " modules, " << t.functions << " functions: " << t.accesses << " accesses, "
               << t.proved << " proved (" << t.solver << " by the solver, " << t.vacuous << " unreachable, "
               << t.dead << " dead), " << t.failed << " failed, " << t.unknown << " unknown; cache "
               << cache.hits << " hits, " << cache.misses << " misses");
  CHECK(t.functions > 4000);
  CHECK(t.accesses > 50000);
  CHECK(t.failed == 0);
  CHECK(t.unknown == 0);
  CHECK(t.proved == t.accesses);
}

TEST_CASE("verify: every access of every non-SIMD spec module's x64 code is proved", "[verify][x64]") {
  VerifySpec(Arch::kX64);
}

TEST_CASE("verify: every access of every non-SIMD spec module's a64 code is proved", "[verify][a64][slow]") {
  VerifySpec(Arch::kA64);
}

}  // namespace
}  // namespace tandem::jit::verify

namespace tandem::jit::verify {
namespace {

std::vector<FunctionResult> VerifyWat(const char* wat, uint64_t faults, ProofCache* cache = nullptr,
                                      Arch arch = Arch::kX64) {
  auto module = std::make_shared<wasm::Module>(wasm::Decode(tandem::testing::WatToWasm(wat)));
  wasm::Validate(*module);
  auto store = Store(faults, arch);
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

void VerifySample(Arch arch) {
  size_t accesses = 0;
  for (const FunctionResult& f : VerifyWat(kSample, 0, nullptr, arch)) {
    INFO((f.problems.empty() ? "" : f.problems[0].text + ": " + f.problems[0].why + "\n" + f.listing));
    CHECK(f.failed == 0);
    CHECK(f.unknown == 0);
    accesses += f.accesses;
  }
  CHECK(accesses > 20);
}

TEST_CASE("verify: a sample of every region is proved", "[verify][x64]") { VerifySample(Arch::kX64); }
TEST_CASE("verify: a sample of every region is proved (a64)", "[verify][a64]") { VerifySample(Arch::kA64); }

void CheckFaultsRejected(Arch arch, std::initializer_list<uint64_t> faults) {
  for (uint64_t fault : faults) {
    size_t failed = 0;
    std::string why;
    // One 1-byte load whose index no earlier check covers (an earlier, wider check on the same
    // index would cover it, and the verifier would rightly prove it).
    for (const FunctionResult& f : VerifyWat(R"(
        (module (memory 1)
          (func (export "g") (param i32) (result i32) (i32.load8_u offset=3 (local.get 0))))
        )", fault, nullptr, arch)) {
      failed += f.failed;
      if (!f.problems.empty()) why = f.problems[0].why;
    }
    INFO("fault " << fault << ": " << why);
    CHECK(failed >= 1);
    CHECK(why.find("memory 0") != std::string::npos);
  }
}

TEST_CASE("verify: a dropped or an off-by-one bounds check is rejected with a counterexample",
          "[verify][x64]") {
  CheckFaultsRejected(Arch::kX64, {kFaultBoundsDropped, kFaultBoundsOffByOne});
}

// Vector accesses: 16 bytes (v128.load/store), widening and splatting loads of 8 and fewer,
// lane loads and stores. Proved as compiled; each rejected under a bounds mutant that checks
// fewer bytes than it touches (the narrow check halves 8- and 16-byte sizes, so its module has
// only those).
TEST_CASE("verify: vector memory accesses are proved, and rejected under a narrowed check",
          "[verify][x64]") {
  const char* kVectors = R"(
    (module (memory 1)
      (func (export "load") (param i32) (result v128) (v128.load offset=5 (local.get 0)))
      (func (export "store") (param i32 v128) (v128.store offset=7 (local.get 0) (local.get 1)))
      (func (export "widen") (param i32) (result v128) (v128.load16x4_s offset=1 (local.get 0)))
      (func (export "splat") (param i32) (result v128) (v128.load64_splat (local.get 0)))
      (func (export "lane") (param i32 v128) (result v128) (v128.load64_lane 1 (local.get 0) (local.get 1)))
      (func (export "store_lane") (param i32 v128) (v128.store64_lane offset=3 0 (local.get 0) (local.get 1))))
  )";
  auto verify = [&](uint32_t mutant) {
    auto module = std::make_shared<wasm::Module>(wasm::Decode(tandem::testing::WatToWasm(kVectors)));
    wasm::Validate(*module);
    JitConfig config;
    config.bounds_mutant = mutant;
    std::string error;
    auto store = JitStore::Create(config, &error);
    REQUIRE(store);
    REQUIRE(testutil::InstantiateWithStandIns(*store, module).instance.has_value());
    return VerifyStore(*store, nullptr);
  };
  size_t accesses = 0;
  for (const FunctionResult& f : verify(0)) {
    INFO((f.problems.empty() ? "" : f.problems[0].text + ": " + f.problems[0].why + "\n" + f.listing));
    CHECK(f.failed + f.unknown == 0);
    accesses += f.accesses;
  }
  CHECK(accesses > 0);
  for (uint32_t mutant : {uint32_t{kMutantX64NarrowCheck}, uint32_t{kMutantX64OffByOne}, uint32_t{kMutantX64FirstByteOnly}}) {
    INFO("mutant " << BoundsMutantById(mutant)->name);
    size_t rejected = 0, functions = 0;
    for (const FunctionResult& f : verify(mutant)) {
      if (f.problems.empty()) continue;
      ++rejected;
      CHECK(f.problems[0].why.find("memory 0") != std::string::npos);
    }
    for (const FunctionResult& f : verify(0)) functions += f.accesses > 0;
    CHECK(rejected == functions);  // every function's access leaves memory 0 on some input
  }
}

TEST_CASE("verify: an off-by-one bounds check is rejected with a counterexample (a64)", "[verify][a64]") {
  CheckFaultsRejected(Arch::kA64, {kFaultBoundsOffByOneA64});
}

}  // namespace
}  // namespace tandem::jit::verify

namespace tandem::jit::verify {
namespace {

// Raw code, not the JIT's: after a branch on a condition the lifter does not model (overflow),
// an unchecked access is still rejected. (The condition is an unknown of its own, so that the
// fall-through edge's premise is not `false`: the solver's premises are sliced to those sharing
// a symbol with the address, which would leave a bare `false` out anyway, but the table-entry
// axiom takes every premise and must not be granted on a path assumed away.)
FunctionResult VerifyRaw(Arch arch, const std::vector<uint8_t>& code) {
  StoreFacts facts;
  facts.arch = arch;
  facts.vm_bytes = 0x10000;
  facts.memories.push_back({0x1000, 0x10000, 0x10000});
  FunctionInput in;
  in.code = code.data();
  in.size = code.size();
  in.address = 0x100000;
  return VerifyFunction(facts, in, nullptr);
}

TEST_CASE("verify: a branch on a condition not modelled assumes neither edge away", "[verify][x64][a64]") {
  // push rbp; mov rbp, rsp; cmp rax, rbx; jo L; mov eax, [r15 + rax]; L-1: pop rbp; L: ret
  FunctionResult x = VerifyRaw(Arch::kX64, {0x55, 0x48, 0x89, 0xe5, 0x48, 0x39, 0xd8, 0x70, 0x05, 0x41, 0x8b,
                                            0x04, 0x07, 0x5d, 0xc3});
  auto failed_at = [](const FunctionResult& f, uint32_t off) {
    for (const AccessResult& p : f.problems)
      if (p.code_offset == off && p.status == Status::kFailed) return true;
    return false;
  };
  INFO(x.listing);
  CHECK(failed_at(x, 0x9));
  // stp x29, x30, [sp, #-16]!; mov x29, sp; cmp x0, x1; b.vs L; ldr w0, [x28, x0];
  // L: ldp x29, x30, [sp], #16; ret
  std::vector<uint8_t> a64;
  for (uint32_t w : {0xa9bf7bfdu, 0x910003fdu, 0xeb01001fu, 0x54000046u, 0xb8606b80u, 0xa8c17bfdu, 0xd65f03c0u})
    for (int k = 0; k < 4; ++k) a64.push_back(static_cast<uint8_t>(w >> (8 * k)));
  FunctionResult a = VerifyRaw(Arch::kA64, a64);
  INFO(a.listing);
  CHECK(failed_at(a, 0x10));
}

}  // namespace
}  // namespace tandem::jit::verify

namespace tandem::jit::verify {
namespace {

// Every module of corpus/regress verified on a back end: each once exposed a bug somewhere, one
// of them in the verifier (verify_constant_index.wat).
void VerifyRegressCorpus(Arch arch) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(TANDEM_SOURCE_DIR) / "corpus" / "regress";
  size_t modules = 0, accesses = 0;
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wat" || e.path().extension() == ".wasm") paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  for (const fs::path& path : paths) {
    INFO(path.filename().string());
    std::vector<uint8_t> bytes;
    if (path.extension() == ".wat") {
      std::ifstream in(path);
      std::stringstream text;
      text << in.rdbuf();
      bytes = tandem::testing::WatToWasm(text.str());
    } else {
      std::ifstream in(path, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::shared_ptr<wasm::Module> module;
    try {
      module = std::make_shared<wasm::Module>(wasm::Decode(bytes));
      wasm::Validate(*module);
    } catch (const std::exception&) {
      continue;  // a case about a module the decoder or validator refuses
    }
    auto store = Store(0, arch);
    try {
      if (!testutil::InstantiateWithStandIns(*store, module).instance) continue;
    } catch (const std::exception&) {
      continue;  // a case about instantiation
    }
    ++modules;
    for (const FunctionResult& f : VerifyStore(*store, nullptr)) {
      INFO("function " << f.store_index << (f.problems.empty() ? "" : ": " + f.problems[0].text + " " + f.problems[0].why) << "\n" << f.listing);
      CHECK(f.failed == 0);
      CHECK(f.unknown == 0);
      accesses += f.accesses;
    }
  }
  CHECK(modules >= 4);
  CHECK(accesses > 0);
}

TEST_CASE("verify: every corpus/regress module's x64 code is proved", "[verify][x64]") {
  VerifyRegressCorpus(Arch::kX64);
}

TEST_CASE("verify: every corpus/regress module's a64 code is proved", "[verify][a64]") {
  VerifyRegressCorpus(Arch::kA64);
}

}  // namespace
}  // namespace tandem::jit::verify
