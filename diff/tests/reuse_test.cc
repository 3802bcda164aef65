// reuse_test.cc: a store reset to its template (Engine::Reset; the fuzz loop's workers keep one
// store per engine) behaves exactly as a new store, on every engine: after a reset the JIT
// arenas equal a new store's byte for byte with the same committed high region, and the next
// case gives the same outcomes, logs, instance state and arena as on a new store. The cases
// change the template's own objects (the spectest memory, table and globals), grow memories and
// tables, use the fuzzing-support imports that are added on first use, and then come the
// `single` and `mutate` generators' cases, whose code lands where earlier cases' code was.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "diff/case.h"
#include "diff/compare.h"
#include "diff/engine.h"
#include "diff/gen/generator.h"
#include "diff/harness.h"
#include "diff/jit_engine.h"
#include "jit/executor.h"
#include "reference/tests/spec_files.h"
#include "reference/tests/wat_util.h"
#include "reference/value_text.h"

namespace tandem::diff {
namespace {

// Writes every object of the template it can reach and grows what can grow.
const char* kChangesTemplate = R"((module
  (import "spectest" "memory" (memory 1 2))
  (import "spectest" "table" (table 10 20 funcref))
  (import "fuzzing-support" "log-i32" (func $log (param i32)))
  (table $mine 2 funcref)
  (global $g (export "g") (mut i64) (i64.const 7))
  (data (memory 0) (i32.const 100) "spectest memory written")
  (elem (table 0) (i32.const 3) func $f)
  (func $f (export "f") (result i32)
    (i32.store (i32.const 65532) (i32.const 0x11223344))
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 131068) (i32.const 0x55667788))
    (drop (table.grow 0 (ref.func $f) (i32.const 4)))
    (drop (table.grow $mine (ref.func $f) (i32.const 3)))
    (global.set $g (i64.const -1))
    (call $log (i32.const 42))
    (memory.size))
  (func $deep (export "deep") (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (call $deep (i32.sub (local.get 0) (i32.const 1))))
      (else (i32.const 0)))))
)";

// A memory and a table of its own, grown: high-region slots beyond the template's.
const char* kGrowsOwn = R"((module
  (memory 1 8)
  (table 1 funcref)
  (data (i32.const 8) "own")
  (func $f (export "f") (result i32)
    (drop (memory.grow (i32.const 5)))
    (i32.store (i32.const 393212) (i32.const -1))
    (drop (table.grow 0 (ref.func $f) (i32.const 50)))
    (i32.add (memory.size) (table.size 0))))
)";

// Reads the template's objects: on a reset store they hold what a new store holds.
const char* kReadsTemplate = R"((module
  (import "spectest" "memory" (memory 1 2))
  (import "spectest" "table" (table 10 20 funcref))
  (import "spectest" "global_i32" (global i32))
  (func (export "mem_size") (result i32) (memory.size))
  (func (export "mem_word") (result i32) (i32.load (i32.const 100)))
  (func (export "mem_last") (result i32) (i32.load (i32.const 65532)))
  (func (export "table_size") (result i32) (table.size 0))
  (func (export "table_3_null") (result i32) (ref.is_null (table.get 0 (i32.const 3))))
  (func (export "global") (result i32) (global.get 0)))
)";

std::vector<Case> ReuseCases() {
  std::vector<Case> cases;
  cases.push_back(MakeCase(testing::WatToWasm(kChangesTemplate), std::nullopt));
  Script deep;
  deep.calls.push_back({"deep", {wasm::Value::I32(100000)}, std::nullopt});  // call depth
  deep.calls.push_back({"f", {}, std::nullopt});
  deep.calls.push_back({"f", {}, std::nullopt});
  cases.push_back(MakeCase(testing::WatToWasm(kChangesTemplate), deep));
  cases.push_back(MakeCase(testing::WatToWasm(kReadsTemplate), std::nullopt));
  cases.push_back(MakeCase(testing::WatToWasm(kGrowsOwn), std::nullopt));
  cases.push_back(MakeCase(testing::WatToWasm(kGrowsOwn), std::nullopt));
  gen::GeneratorOptions options;
  auto single = gen::MakeGenerator("single", options);
  for (uint64_t i = 0; i < 150; ++i) {
    gen::Generated g = single->Generate(3, i);
    cases.push_back(MakeCase(std::move(g.bytes), std::move(g.script)));
  }
  options.seeds = std::make_shared<const std::vector<std::vector<uint8_t>>>(
      gen::LoadSeedModules(spec_files::SpecSuiteDir(), "wast2json", false));
  auto mutate = gen::MakeGenerator("mutate", options);
  for (uint64_t i = 0; cases.size() < 450 && i < 2000; ++i) {
    gen::Generated g = mutate->Generate(3, i);
    Case c = MakeCase(std::move(g.bytes), std::move(g.script));
    if (c.module) cases.push_back(std::move(c));
    if (i % 40 == 0) cases.push_back(MakeCase(testing::WatToWasm(kReadsTemplate), std::nullopt));
  }
  return cases;
}

// What one engine does with a case, as text: instantiation, each call's outcome and log.
struct Run {
  std::vector<std::string> lines;
  std::optional<uint32_t> instance;
};

Run RunOn(Engine& e, const Case& c) {
  Run r;
  InstantiateOutcome inst = e.Instantiate(c.module);
  r.lines.push_back(fmt::format("instantiate: {} {} {}", InstantiateStatusName(inst.status),
                                inst.message, wasm::ToString(inst.failure)));
  if (inst.status != InstantiateOutcome::Status::kOk) return r;
  r.instance = inst.instance;
  for (const Call& call : c.script.calls) {
    wasm::Outcome o = e.Invoke(inst.instance, call.export_name, call.args);
    std::string line = fmt::format("{}: {}", call.export_name, wasm::ToString(o));
    for (const wasm::Value& v : o.values) line += fmt::format(" {}", wasm::FormatTypedValue(v));
    for (const LogEntry& l : e.TakeLog())
      line += fmt::format(" log {} {}", l.import, wasm::FormatTypedValue(l.value));
    r.lines.push_back(line);
  }
  return r;
}

// The high region's committed spans (the VM region keeps its pages across resets, zeroed).
std::vector<std::pair<uint64_t, uint64_t>> HighSpans(const jit::Arena& a) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (auto span : a.CommittedSpans())
    if (span.first >= a.config().vm_region_bytes) out.push_back(span);
  return out;
}

TEST_CASE("reuse: a store reset to its template behaves as a new store, on every engine",
          "[diff][reuse]") {
  const std::vector<Case> cases = ReuseCases();
  REQUIRE(cases.size() >= 400);
  EngineConfig config;
  config.nan_canonical = true;
  config.fuel = 200'000;
  config.max_call_depth = 500;
  config.max_memory_pages = 256;
  for (const std::string& name : HostEngineNames()) {
    DYNAMIC_SECTION(name) {
      std::unique_ptr<Engine> reused = MakeEngine(name, config);
      size_t compared_calls = 0;
      for (size_t i = 0; i < cases.size(); ++i) {
        INFO("case " << i);
        if (i > 0) REQUIRE(reused->Reset());
        std::unique_ptr<Engine> fresh = MakeEngine(name, config);
        auto* jr = dynamic_cast<JitEngine*>(reused.get());
        auto* jf = dynamic_cast<JitEngine*>(fresh.get());
        if (jr) {
          std::vector<jit::Difference> before = jit::Diff(jf->jit_store().arena(), jr->jit_store().arena());
          INFO("after reset: " << (before.empty() ? "" : before[0].ToString()));
          REQUIRE(before.empty());
          REQUIRE(HighSpans(jf->jit_store().arena()) == HighSpans(jr->jit_store().arena()));
        }
        Run a = RunOn(*fresh, cases[i]);
        Run b = RunOn(*reused, cases[i]);
        REQUIRE(a.lines == b.lines);
        compared_calls += a.lines.size() - 1;
        if (a.instance) {
          std::vector<Difference> ds = CompareInstanceState(*fresh, *a.instance, *reused, *b.instance);
          INFO((ds.empty() ? "" : ds[0].ToString()));
          REQUIRE(ds.empty());
        }
        if (jr) {
          std::vector<Difference> ds = CompareArenas(*fresh, *reused);
          INFO((ds.empty() ? "" : ds[0].ToString()));
          REQUIRE(ds.empty());
        }
      }
      CHECK(compared_calls > 1000);
    }
  }
}

TEST_CASE("reuse: the harness's engine pool creates each engine once and resets it after",
          "[diff][reuse]") {
  EnginePool pool;
  HarnessOptions h;
  h.engines = HostEngineNames();
  h.pool = &pool;
  Case reads = MakeCase(testing::WatToWasm(kReadsTemplate), std::nullopt);
  Case changes = MakeCase(testing::WatToWasm(kChangesTemplate), std::nullopt);
  std::string first;
  for (int round = 0; round < 5; ++round) {
    CaseResult w = RunCase(changes, h);
    CHECK(w.verdict == CaseResult::Verdict::kAgree);
    CaseResult r = RunCase(reads, h);
    CHECK(r.verdict == CaseResult::Verdict::kAgree);
    std::string text = ToJson(r).dump();
    if (round == 0) first = text;
    CHECK(text == first);  // what `changes` did is gone each time
  }
  CHECK(pool.created == h.engines.size());
  CHECK(pool.reused == 9 * h.engines.size());
  // A different configuration makes a new engine.
  h.config.fuel = 1234;
  RunCase(reads, h);
  CHECK(pool.created == 2 * h.engines.size());
}

TEST_CASE("reuse: a store under Unicorn is made anew after 1,000 resets, a native one is not",
          "[diff][reuse]") {
  // Unicorn 2.0 crashes once its translation buffer has filled and been flushed during a run
  // (seen after 25,000 to 45,000 fuzz cases on one emulator); its store is renewed long before.
  // Native AArch64 code (aarch64 hosts) has no such limit.
  const bool emulated = !jit::A64RunsNatively();
  EnginePool pool;
  HarnessOptions h;
  h.engines = {"a64"};
  h.pool = &pool;
  Case reads = MakeCase(testing::WatToWasm(kReadsTemplate), std::nullopt);
  for (int i = 0; i < 1001; ++i) REQUIRE(RunCase(reads, h).verdict == CaseResult::Verdict::kAgree);
  CHECK(pool.created == 1);
  CHECK(pool.reused == 1000);
  REQUIRE(RunCase(reads, h).verdict == CaseResult::Verdict::kAgree);
  CHECK(pool.created == (emulated ? 2 : 1));
  CHECK(pool.reused == (emulated ? 1000 : 1001));
}

}  // namespace
}  // namespace tandem::diff
