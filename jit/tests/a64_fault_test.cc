// a64_fault_test.cc: a codegen fault seeded into the a64 back end only (seed fault "cond",
// jit/faults.h: i32.lt_s compiled with `le`) must be reported by the engine comparison, naming the result and
// the arena field that differ (issue 5, Done-when 3; DESIGN.md "State").
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "diff/engine.h"
#include "diff/jit_engine.h"
#include "diff/compare.h"
#include "jit/arena.h"
#include "jit/faults.h"
#include "reference/decoder.h"
#include "reference/validator.h"

namespace {

using namespace tandem;

// (module (global (mut i32) (i32.const 7))
//   (func (export "lt") (param i32 i32) (result i32)
//     local.get 0 local.get 1 i32.lt_s global.set 0 global.get 0))
const std::vector<uint8_t> kModule = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,                    // header
    0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,              // type
    0x03, 0x02, 0x01, 0x00,                                            // func
    0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x07, 0x0b,                    // global
    0x07, 0x06, 0x01, 0x02, 0x6c, 0x74, 0x00, 0x00,                    // export "lt"
    0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x48, 0x24,  // code
    0x00, 0x23, 0x00, 0x0b};

std::shared_ptr<const wasm::Module> LoadModule() {
  auto m = std::make_shared<wasm::Module>(wasm::Decode(kModule));
  wasm::Validate(*m);
  return m;
}

struct Run {
  std::unique_ptr<diff::Engine> engine;
  uint32_t instance = 0;
  wasm::Outcome outcome;
};

// Instantiates on `name` (with the fault knob as given) and invokes lt(a, b).
Run RunOn(const std::string& name, bool fault, uint32_t a, uint32_t b) {
  diff::EngineConfig config;
  config.nan_canonical = true;
  config.strict = true;
  if (fault) config.codegen_faults = jit::kFaultCond;  // a back end other than a64 ignores it
  Run r;
  r.engine = diff::MakeEngine(name, config);
  REQUIRE(r.engine);
  auto inst = r.engine->Instantiate(LoadModule());
  REQUIRE(inst.status == diff::InstantiateOutcome::Status::kOk);
  r.instance = inst.instance;
  std::vector<wasm::Value> args = {wasm::Value::I32(a), wasm::Value::I32(b)};
  r.outcome = r.engine->Invoke(r.instance, "lt", args);
  REQUIRE(r.outcome.kind == wasm::Outcome::Kind::kValues);
  return r;
}

jit::Arena& ArenaOf(Run& r) { return dynamic_cast<diff::JitEngine&>(*r.engine).jit_store().arena(); }

bool Named(const std::vector<std::string>& diffs, const std::string& what) {
  for (const auto& d : diffs)
    if (d.find(what) != std::string::npos) return true;
  return false;
}

TEST_CASE("a64 seeded condition-code fault is reported by the comparison", "[jit][a64]") {
  Run ref = RunOn("ref", false, 5, 5);
  Run x64 = RunOn("x64", false, 5, 5);
  REQUIRE(ref.outcome.values.size() == 1);
  CHECK(ref.outcome.values[0].bits == 0);  // 5 < 5 is false

  SECTION("without the fault every comparison agrees") {
    Run a64 = RunOn("a64", false, 5, 5);
    CHECK(diff::SameValues(*ref.engine, ref.outcome.values, *a64.engine, a64.outcome.values));
    CHECK(diff::DiffInstanceStates(*ref.engine, ref.instance, *a64.engine, a64.instance).empty());
    CHECK(jit::Diff(ArenaOf(x64), ArenaOf(a64)).empty());
  }

  SECTION("with the fault: the result, the global and the arena field differ, by name") {
    Run a64 = RunOn("a64", true, 5, 5);
    REQUIRE(a64.outcome.values.size() == 1);
    CHECK(a64.outcome.values[0].bits == 1);  // `le` instead of `lt`
    CHECK_FALSE(
        diff::SameValues(*ref.engine, ref.outcome.values, *a64.engine, a64.outcome.values));
    CHECK_FALSE(
        diff::SameValues(*x64.engine, x64.outcome.values, *a64.engine, a64.outcome.values));
    auto state = diff::DiffInstanceStates(*ref.engine, ref.instance, *a64.engine, a64.instance);
    INFO((state.empty() ? std::string("(none)") : state[0]));
    CHECK(Named(state, "global 0"));
    std::vector<std::string> arena;
    for (const auto& d : jit::Diff(ArenaOf(x64), ArenaOf(a64))) arena.push_back(d.ToString());
    INFO((arena.empty() ? std::string("(none)") : arena[0]));
    REQUIRE(arena.size() == 1);
    CHECK(Named(arena, "global 0"));
  }

  SECTION("with the fault, operands where lt and le agree hide it") {
    Run a64 = RunOn("a64", true, 4, 5);
    Run x64b = RunOn("x64", false, 4, 5);
    CHECK(diff::SameValues(*x64b.engine, x64b.outcome.values, *a64.engine, a64.outcome.values));
    CHECK(jit::Diff(ArenaOf(x64b), ArenaOf(a64)).empty());
  }
}

}  // namespace
