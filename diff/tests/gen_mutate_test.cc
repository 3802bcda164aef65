// gen_mutate_test.cc: the `mutate` generator (diff/gen/mutate.cc) over the seed modules of the
// spec suite (diff/gen/seeds.cc): every mutant decodes, enough of them validate, a case depends
// only on (seed, index), and the first valid mutants run on every host engine with the same
// results (no crash, no internal error, no divergence).
#include <catch2/catch.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "diff/gen/generator.h"
#include "diff/harness.h"
#include "reference/decoder.h"
#include "reference/tests/spec_files.h"
#include "reference/validator.h"

namespace tandem::diff {
namespace {

using SeedList = std::vector<std::vector<uint8_t>>;

// The suite's seed modules, converted once for the whole test program.
std::shared_ptr<const SeedList> SpecSeedModules() {
  static const std::shared_ptr<const SeedList> seeds = std::make_shared<const SeedList>(
      gen::LoadSeedModules(spec_files::SpecSuiteDir(), "wast2json", false));
  return seeds;
}

std::unique_ptr<gen::Generator> MakeMutate() {
  gen::GeneratorOptions options;
  options.seeds = SpecSeedModules();
  return gen::MakeMutateGenerator(options);
}

bool Validates(const std::vector<uint8_t>& bytes) {
  wasm::Module m = wasm::Decode(bytes);  // every mutant decodes: the caller REQUIREs it
  try {
    wasm::Validate(m);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

constexpr uint64_t kCases = 2000;

TEST_CASE("gen mutate: seed modules of the spec suite", "[gen]") {
  const std::shared_ptr<const SeedList> seeds = SpecSeedModules();
  REQUIRE(seeds->size() > 500);
  for (const std::vector<uint8_t>& bytes : *seeds) {
    REQUIRE(bytes.size() <= 64 * 1024);
    wasm::Module m = wasm::Decode(bytes);
    REQUIRE_NOTHROW(wasm::Validate(m));
    for (const wasm::Import& im : m.imports) REQUIRE(im.module == "spectest");
  }
  CHECK_THROWS_AS(gen::LoadSeedModules(spec_files::SpecSuiteDir(), "/nonexistent/wast2json", false),
                  std::runtime_error);
  CHECK_THROWS_AS(gen::LoadSeedModules("/nonexistent/testsuite", "wast2json", false),
                  std::runtime_error);
}

TEST_CASE("gen mutate: needs seed modules", "[gen]") {
  gen::GeneratorOptions options;
  CHECK_THROWS_AS(gen::MakeMutateGenerator(options), std::invalid_argument);
  options.seeds = std::make_shared<const SeedList>();
  CHECK_THROWS_AS(gen::MakeMutateGenerator(options), std::invalid_argument);
}

TEST_CASE("gen mutate: mutants decode, most validate, each depends only on (seed, index)", "[gen]") {
  std::unique_ptr<gen::Generator> g = MakeMutate();
  std::unique_ptr<gen::Generator> again = MakeMutate();
  CHECK(g->name() == "mutate");
  uint64_t valid = 0, differ_by_seed = 0;
  for (uint64_t i = 0; i < kCases; ++i) {
    gen::Generated c = g->Generate(1, i);
    INFO("case " << i << ": " << c.what);
    CHECK_FALSE(c.script.has_value());
    CHECK(c.what.rfind("mutant of seed ", 0) == 0);
    REQUIRE_NOTHROW(wasm::Decode(c.bytes));
    if (Validates(c.bytes)) ++valid;
    // The same case from the same generator and from another one; another seed differs.
    gen::Generated same = g->Generate(1, i);
    gen::Generated fresh = again->Generate(1, i);
    REQUIRE(same.bytes == c.bytes);
    REQUIRE(same.what == c.what);
    REQUIRE(fresh.bytes == c.bytes);
    if (g->Generate(2, i).bytes != c.bytes) ++differ_by_seed;
  }
  const double fraction = static_cast<double>(valid) / kCases;
  WARN("mutate: " << valid << " of " << kCases << " mutants validate (" << fraction * 100
                  << "%), seed 2 differs from seed 1 in " << differ_by_seed << " cases");
  CHECK(fraction > 0.4);
  CHECK(differ_by_seed > kCases * 95 / 100);
}

TEST_CASE("gen mutate: the first 200 valid mutants run alike on every host engine", "[gen]") {
  std::unique_ptr<gen::Generator> g = MakeMutate();
  HarnessOptions o;
  o.engines = HostEngineNames();
  o.config.fuel = 100000;
  o.config.max_call_depth = 500;
  int run = 0;
  std::vector<std::string> divergences;
  for (uint64_t i = 0; run < 200 && i < kCases; ++i) {
    gen::Generated gen_case = g->Generate(1, i);
    Case c = MakeCase(gen_case.bytes, gen_case.script);
    if (c.module == nullptr) continue;  // invalid: counted by the fuzz loop, not run
    ++run;
    // Isolated: a JIT that dies on a signal is a kCrash verdict, not the end of this test.
    CaseResult r = RunCaseIsolated(c, o);
    INFO("case " << i << ": " << gen_case.what << "\n" << FormatCaseResult(r, c));
    CHECK(r.verdict != CaseResult::Verdict::kCrash);
    CHECK(r.verdict != CaseResult::Verdict::kInternalError);
    CHECK(r.verdict != CaseResult::Verdict::kTimeout);
    if (r.verdict == CaseResult::Verdict::kDivergence) {
      std::string text = "case " + std::to_string(i) + ": " + gen_case.what;
      for (const Divergence& d : r.divergences) {
        text += "\n  DIFF ";
        text += d.ToString();
      }
      divergences.push_back(std::move(text));
    }
  }
  CHECK(run == 200);
  for (const std::string& d : divergences) UNSCOPED_INFO(d);
  CHECK(divergences.empty());
}

}  // namespace
}  // namespace tandem::diff
