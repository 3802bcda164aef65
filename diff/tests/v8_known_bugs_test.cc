// v8_known_bugs_test.cc: the V8 bugs listed in docs/known-bugs.md still show: each module diverges
// on the tier named and agrees on the others. When V8 is fixed, the test fails, and the entry
// (and this case) go.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "diff/case.h"
#include "diff/harness.h"
#include "diff/v8_engine.h"

namespace tandem::diff {
namespace {

Case Load(const std::string& stem) {
  const std::string base = std::string(TANDEM_SOURCE_DIR) + "/corpus/v8/" + stem;
  std::ifstream wasm(base + ".wasm", std::ios::binary);
  REQUIRE(wasm);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(wasm)), {});
  std::ifstream script(base + ".script.json");
  REQUIRE(script);
  std::string text((std::istreambuf_iterator<char>(script)), {});
  return MakeCase(std::move(bytes), ParseScript(text));
}

TEST_CASE("v8: known bug: Liftoff passes wrong i64 loop parameters", "[v8]") {
  if (!V8Unavailable().empty()) {
    WARN("node missing: " << V8Unavailable());
    return;
  }
  Case c = Load("liftoff_loop_param_i64");
  REQUIRE(c.module);
  HarnessOptions o;
  o.config.fuel = 1'000'000;
  o.config.max_call_depth = 1000;
  o.config.max_memory_pages = 256;
  o.engines = {"ref", "a64", "v8-turbofan"};
  CaseResult agree = RunCase(c, o);
  INFO(FormatCaseResult(agree, c));
  CHECK(agree.verdict == CaseResult::Verdict::kAgree);
  o.engines = {"ref", "v8-liftoff"};
  CaseResult wrong = RunCase(c, o);
  INFO(FormatCaseResult(wrong, c));
  REQUIRE(wrong.verdict == CaseResult::Verdict::kDivergence);
  CHECK(wrong.divergences[0].export_name == "f1");
  CHECK(wrong.divergences[0].difference.field == Field::kLog);
}

}  // namespace
}  // namespace tandem::diff
