// comparator_test.cc: the one comparator (diff/compare.h) is shown to fire on every field it
// compares, through both of its users: the case harness behind `tandem diff` (a forked child,
// as the command runs it) and the spec runner's multi-engine mode. Each field gets a seeded
// harness fault (diff/faults.h) that perturbs what one engine reports; without faults the same
// runs agree.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "diff/case.h"
#include "diff/faults.h"
#include "diff/harness.h"
#include "reference/tests/wat_util.h"
#include "spec-tests/runner.h"

namespace {

using namespace tandem;
namespace fs = std::filesystem;

// Every compared field can be made to differ by one of this module's exports: a result, a
// trap, an exhaustion, a logged value, a global, a memory byte, a table entry, a data segment.
constexpr const char* kModule = R"((module
  (import "fuzzing-support" "log-i32" (func $log (param i32)))
  (memory (export "mem") 1)
  (table 2 funcref)
  (elem (i32.const 0) $one)
  (global $g (mut i32) (i32.const 7))
  (data $d "abc")
  (func $one (result i32) (i32.const 1))
  (func (export "result") (result i32)
    (call $log (i32.const 42))
    (global.set $g (i32.const 9))
    (i32.store8 (i32.const 0) (i32.const 5))
    (i32.const 3))
  (func (export "trap") (unreachable))
  (func $rec (export "exhaust") (call $rec)))
)";

struct FieldCase {
  const char* fault;
  const char* field;       // diff::FieldName of the difference the fault must cause
  const char* engines;     // the engines compared (the fault lands on the last one)
};

const FieldCase kFields[] = {
    {"perturb-result", "result", "ref,x64"},
    {"perturb-trap", "trap kind", "ref,x64"},
    {"perturb-exhaustion", "exhaustion", "ref,x64"},
    {"perturb-memory", "memory", "ref,x64"},
    {"perturb-global", "global", "ref,x64"},
    {"perturb-table", "table", "ref,x64"},
    {"perturb-segment", "segment", "ref,x64"},
    {"perturb-log", "log", "ref,x64"},
    {"perturb-arena", "arena", "x64,a64"},
    {"perturb-instantiation", "instantiation", "ref,x64"},
};

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    size_t comma = s.find(',', pos);
    out.push_back(s.substr(pos, comma - pos));
    if (comma == std::string::npos) return out;
    pos = comma + 1;
  }
}

diff::HarnessOptions Options(const FieldCase& f, bool with_fault) {
  diff::HarnessOptions o;
  o.engines = Split(f.engines);
  o.config.max_call_depth = 200;
  o.timeout_seconds = 60;
  if (with_fault) o.faults = diff::ParseFaultList(f.fault);
  return o;
}

TEST_CASE("comparator: every compared field fires in tandem diff's harness", "[diff][compare]") {
  diff::Case c = diff::MakeCase(testing::WatToWasm(kModule), std::nullopt);
  REQUIRE(c.module);
  for (const FieldCase& f : kFields) {
    DYNAMIC_SECTION(f.fault) {
      diff::CaseResult clean = diff::RunCaseIsolated(c, Options(f, false));
      INFO(diff::FormatCaseResult(clean, c));
      CHECK(clean.verdict == diff::CaseResult::Verdict::kAgree);

      diff::CaseResult r = diff::RunCaseIsolated(c, Options(f, true));
      std::string text = diff::FormatCaseResult(r, c);
      INFO(text);
      CHECK(r.verdict == diff::CaseResult::Verdict::kDivergence);
      bool named = false;
      for (const diff::Divergence& d : r.divergences)
        named |= std::string(diff::FieldName(d.difference.field)) == f.field;
      CHECK(named);
      // What `tandem diff` prints names the field: "DIFF x64 vs ref, call 0 "result": result: ..."
      CHECK(text.find(std::string(": ") + f.field + ": ") != std::string::npos);
    }
  }
}

// The same module as a spec script, one command per export.
std::string Script() {
  return std::string(kModule) + R"(
(assert_return (invoke "result") (i32.const 3))
(assert_trap (invoke "trap") "unreachable")
(assert_exhaustion (invoke "exhaust") "call stack exhausted")
)";
}

TEST_CASE("comparator: every compared field fires in the spec runner's multi-engine mode",
          "[spec][compare]") {
  std::string tmpl = (fs::temp_directory_path() / "tandem-compare-test-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  fs::path file = fs::path(tmpl) / "fields.wast";
  std::ofstream(file) << Script();
  for (const FieldCase& f : kFields) {
    DYNAMIC_SECTION(f.fault) {
      spec::RunnerOptions o;
      o.engines = Split(f.engines);
      o.config.nan_canonical = true;
      o.config.max_call_depth = 200;
      o.compare_arena = true;
      o.quiet = true;
      o.wast2json = spec::FindInPath("wast2json");
      REQUIRE_FALSE(o.wast2json.empty());
      spec::FileResult clean = spec::RunFile(file.string(), o);
      size_t clean_failed = 0;
      for (const auto& t : clean.tests) clean_failed += t.status == spec::Status::kFailed;
      CHECK(clean_failed == 0);

      o.faults = diff::ParseFaultList(f.fault);
      spec::FileResult fr = spec::RunFile(file.string(), o);
      std::string messages;
      bool named = false;
      for (const auto& t : fr.tests) {
        if (t.status != spec::Status::kFailed) continue;
        messages += t.engine + " line " + std::to_string(t.line) + ": " + t.message + "\n";
        // "differs from ref: result: returned i32:3 vs returned i32:2"
        named |= t.message.find(std::string("differs from ")) != std::string::npos &&
                 t.message.find(std::string(": ") + f.field + ": ") != std::string::npos;
      }
      INFO(messages);
      CHECK(named);
    }
  }
  fs::remove_all(tmpl);
}

}  // namespace
