// gen_single_test.cc: the `single` generator (diff/gen/single.cc): a template for every
// instruction of the opcode table, valid modules with scripts that fit them, determinism in
// (seed, index), and one round of the list agreed on by every engine of the host.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "diff/case.h"
#include "diff/gen/generator.h"
#include "diff/harness.h"
#include "reference/decoder.h"
#include "reference/validator.h"

namespace tandem::diff::gen {
namespace {

// The instructions `single` must cover, in table order, straight from opcodes.def: all but the
// structure (block, loop, if, else, end), the 0xFD ones only with SIMD.
std::vector<wasm::Op> TableInstructions(bool simd) {
  std::vector<wasm::Op> ops;
  for (int i = 0; i < wasm::kNumOps; ++i) {
    const wasm::Op op = static_cast<wasm::Op>(i);
    if (wasm::GetOpInfo(op).prefix == 0xfd && !simd) continue;
    if (op == wasm::Op::Block || op == wasm::Op::Loop || op == wasm::Op::If ||
        op == wasm::Op::Else || op == wasm::Op::End)
      continue;
    ops.push_back(op);
  }
  return ops;
}

std::unique_ptr<Generator> Single(bool simd) {
  GeneratorOptions o;
  o.simd = simd;
  return MakeSingleGenerator(o);
}

// Generated::what names the instruction first: "i32.div_s: 8 argument sets".
bool Names(const std::string& what, wasm::Op op) {
  const std::string name = wasm::OpName(op);
  return what.size() > name.size() && what.compare(0, name.size(), name) == 0 &&
         (what[name.size()] == ':' || what[name.size()] == ' ');
}

TEST_CASE("gen single: a template for every instruction of the table", "[gen]") {
  for (bool simd : {false, true}) {
    DYNAMIC_SECTION((simd ? "with SIMD" : "without SIMD")) {
      std::unique_ptr<Generator> g;
      REQUIRE_NOTHROW(g = Single(simd));
      CHECK(g->name() == "single");
      // Case i of a round tests instruction i of the table, and the next round starts over.
      const std::vector<wasm::Op> ops = TableInstructions(simd);
      for (size_t i = 0; i < ops.size(); ++i) {
        INFO("case " << i);
        CHECK(Names(g->Generate(1, i).what, ops[i]));
        CHECK(Names(g->Generate(1, ops.size() + i).what, ops[i]));
      }
    }
  }
  GeneratorOptions o;
  REQUIRE(MakeGenerator("single", o) != nullptr);
  CHECK(MakeGenerator("single", o)->name() == "single");
}

TEST_CASE("gen single: two rounds of modules decode and validate, and their scripts fit", "[gen]") {
  for (bool simd : {false, true}) {
    std::unique_ptr<Generator> g = Single(simd);
    const size_t n = TableInstructions(simd).size();
    for (uint64_t seed : {uint64_t{0}, uint64_t{0x5eed}}) {
      for (uint64_t i = 0; i < 2 * n; ++i) {
        Generated c = g->Generate(seed, i);
        INFO("simd " << simd << " seed " << seed << " case " << i << ": " << c.what);
        REQUIRE(c.script.has_value());
        REQUIRE_NOTHROW(wasm::Validate(wasm::Decode(c.bytes)));
        Case made;
        REQUIRE_NOTHROW(made = MakeCase(c.bytes, c.script));
        REQUIRE(made.module != nullptr);
        CHECK(made.refusal.empty());
        CHECK_FALSE(c.script->calls.empty());
        CHECK(c.script->calls.size() <= 12);
        for (const Call& call : c.script->calls) CHECK_FALSE(call.expect.has_value());
        // A script reads back what it writes (a finding is saved as JSON).
        CHECK(ScriptToJson(ParseScript(ScriptToJson(*c.script))) == ScriptToJson(*c.script));
      }
    }
  }
}

TEST_CASE("gen single: a case depends only on (seed, index)", "[gen]") {
  std::unique_ptr<Generator> a = Single(true);
  std::unique_ptr<Generator> b = Single(true);
  const size_t n = TableInstructions(true).size();
  size_t different = 0;
  for (uint64_t i = 0; i < n; ++i) {
    Generated x = a->Generate(42, i);
    Generated y = b->Generate(42, i);
    // Out of order on one generator: nothing carries over from one case to the next.
    Generated z = a->Generate(42, i);
    CHECK(x.bytes == y.bytes);
    CHECK(x.bytes == z.bytes);
    CHECK(x.what == y.what);
    CHECK(ScriptToJson(*x.script) == ScriptToJson(*y.script));
    CHECK(ScriptToJson(*x.script) == ScriptToJson(*z.script));
    Generated other = a->Generate(43, i);
    if (ScriptToJson(*other.script) != ScriptToJson(*x.script) || other.bytes != x.bytes)
      ++different;
  }
  // Most cases draw their arguments (or constants) at random from the edge values.
  CHECK(different > n / 2);
}

// Cases in which the engines are known to disagree, by instruction and variant: each one a bug
// to fix in an engine (none at present).
bool KnownDivergence(const std::string& what) {
  (void)what;
  return false;
}

TEST_CASE("gen single: every engine agrees on one round of the list", "[gen]") {
  std::unique_ptr<Generator> g = Single(false);
  const size_t n = TableInstructions(false).size();
  HarnessOptions o;
  o.engines = HostEngineNames();
  o.config.fuel = 100'000;
  for (uint64_t i = 0; i < n; ++i) {
    Generated gen = g->Generate(7, i);
    Case c = MakeCase(gen.bytes, gen.script);
    CaseResult r = RunCase(c, o);
    INFO("case " << i << ": " << gen.what << "\n" << FormatCaseResult(r, c));
    if (KnownDivergence(gen.what)) {
      CHECK(r.verdict == CaseResult::Verdict::kDivergence);
      continue;
    }
    CHECK(r.verdict == CaseResult::Verdict::kAgree);
    CHECK(r.calls_run == gen.script->calls.size());
    for (const EngineReport& e : r.engines) CHECK_FALSE(e.unsupported);
  }
}

}  // namespace
}  // namespace tandem::diff::gen
