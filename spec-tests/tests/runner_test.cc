// runner_test.cc: the runner end to end on small scripts (wast2json + the ref engine): every
// command kind, pass and fail detection, --line selection, skips (Spec A.7 script commands).
#include "spec-tests/runner.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "spec-tests/wast_json.h"

using namespace tandem::spec;
namespace fs = std::filesystem;

namespace {

// Writes `text` as NAME.wast into a fresh directory and runs it on `ref`.
FileResult RunText(const std::string& name, const std::string& text, RunnerOptions options = {}) {
  std::string tmpl = (fs::temp_directory_path() / "tandem-runner-test-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  fs::path file = fs::path(tmpl) / (name + ".wast");
  std::ofstream(file) << text;
  options.wast2json = FindInPath("wast2json");
  REQUIRE_FALSE(options.wast2json.empty());  // Debian package wabt (ci/setup.sh)
  FileResult fr = RunFile(file.string(), options);
  fs::remove_all(tmpl);
  return fr;
}

const TestResult& At(const FileResult& fr, int line) {
  for (const auto& t : fr.tests)
    if (t.line == line) return t;
  FAIL("no result at line " << line);
  throw;
}

constexpr const char* kScript = R"((module $A
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "nan") (result f32) (f32.div (f32.const 0) (f32.const 0)))
  (func (export "trap") (unreachable))
  (func $r (export "rec") (call $r))
  (global (export "g") i32 (i32.const 42)))
(register "a" $A)
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))
(assert_return (invoke "nan") (f32.const nan:canonical))
(assert_trap (invoke "trap") "unreachable")
(assert_trap (invoke "add" (i32.const 0) (i32.const 0)) "unreachable")
(assert_exhaustion (invoke "rec") "call stack exhausted")
(assert_return (get "g") (i32.const 42))
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_malformed (module quote "(func") "unexpected token")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_unlinkable (module (import "a" "missing" (func))) "unknown import")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(module (import "a" "add" (func $add (param i32 i32) (result i32)))
  (func (export "twice") (result i32) (call $add (i32.const 2) (i32.const 2))))
(assert_return (invoke "twice") (i32.const 4))
(invoke $A "add" (i32.const 0) (i32.const 0))
)";

}  // namespace

TEST_CASE("runner: every command kind on ref", "[spec]") {
  FileResult fr = RunText("kinds", kScript);
  REQUIRE(fr.state == FileResult::State::kOk);
  CHECK(At(fr, 8).status == Status::kPassed);
  CHECK(At(fr, 9).status == Status::kFailed);
  CHECK(At(fr, 9).expected == "i32:4");
  CHECK(At(fr, 9).got == "i32:3");
  CHECK(At(fr, 10).status == Status::kPassed);
  CHECK(At(fr, 11).status == Status::kPassed);
  CHECK(At(fr, 12).status == Status::kFailed);  // returned instead of trapping
  CHECK(At(fr, 13).status == Status::kPassed);
  CHECK(At(fr, 14).status == Status::kPassed);
  CHECK(At(fr, 15).status == Status::kPassed);
  CHECK(At(fr, 16).status == Status::kSkipped);
  CHECK(At(fr, 16).skip_category == "text-format modules");
  CHECK(At(fr, 17).status == Status::kPassed);
  CHECK(At(fr, 18).status == Status::kPassed);
  CHECK(At(fr, 19).status == Status::kPassed);
  CHECK(At(fr, 22).status == Status::kPassed);  // imports through register
  CHECK(At(fr, 23).status == Status::kPassed);  // top-level action on a named module
  CHECK(fr.tests.size() == 14);
}

TEST_CASE("runner: --line runs one assertion after the modules before it", "[spec]") {
  RunnerOptions o;
  o.line = 22;
  FileResult fr = RunText("line", kScript, o);
  REQUIRE(fr.tests.size() == 1);
  CHECK(fr.tests[0].line == 22);
  CHECK(fr.tests[0].status == Status::kPassed);
}

TEST_CASE("runner: a failed module makes its users fail, not pass", "[spec]") {
  FileResult fr = RunText("badmod", R"((module (func $s unreachable) (start $s) (func (export "f")))
(assert_return (invoke "f"))
)");
  REQUIRE(fr.tests.size() == 2);
  CHECK(fr.tests[0].command == "module");
  CHECK(fr.tests[0].status == Status::kFailed);
  CHECK(fr.tests[1].status == Status::kFailed);
}

TEST_CASE("runner: v128 arguments and results compare lane by lane in the expected shape",
          "[spec]") {
  FileResult fr = RunText("v128", R"((module
  (func (export "id") (param v128) (result v128) (local.get 0))
  (func (export "nan") (result v128) (v128.const f32x4 nan 0 nan:0x600000 1)))
(assert_return (invoke "id" (v128.const i32x4 1 2 3 4)) (v128.const i32x4 1 2 3 4))
(assert_return (invoke "id" (v128.const i32x4 1 2 3 4)) (v128.const i16x8 1 0 2 0 3 0 4 0))
(assert_return (invoke "id" (v128.const i32x4 1 2 3 4)) (v128.const i32x4 1 2 3 5))
(assert_return (invoke "nan") (v128.const f32x4 nan:canonical 0 nan:arithmetic 1))
(assert_return (invoke "nan") (v128.const f32x4 nan:canonical 0 nan:canonical 1))
(assert_return (invoke "nan") (v128.const f32x4 nan:canonical -0 nan:arithmetic 1))
(assert_return (invoke "id" (v128.const i32x4 1 2 3 4))
  (either (v128.const i32x4 0 0 0 0) (v128.const i64x2 0x200000001 0x400000003)))
(assert_return (invoke "id" (v128.const i32x4 1 2 3 4))
  (either (v128.const i32x4 0 0 0 0) (v128.const i32x4 4 3 2 1)))
)");
  REQUIRE(fr.state == FileResult::State::kOk);
  CHECK(At(fr, 4).status == Status::kPassed);
  CHECK(At(fr, 5).status == Status::kPassed);  // same bits in another shape
  CHECK(At(fr, 6).status == Status::kFailed);
  CHECK(At(fr, 6).expected == "v128:i32x4:0x00000001,0x00000002,0x00000003,0x00000005");
  CHECK(At(fr, 6).got == "v128:i32x4:0x00000001,0x00000002,0x00000003,0x00000004");
  CHECK(At(fr, 7).status == Status::kPassed);
  CHECK(At(fr, 8).status == Status::kFailed);  // lane 2 is arithmetic, not canonical
  CHECK(At(fr, 8).got == "v128:f32x4:nan:0x400000,0x0p+0,nan:0x600000,0x1p+0");
  CHECK(At(fr, 9).status == Status::kFailed);   // lane 1 is +0
  CHECK(At(fr, 10).status == Status::kPassed);  // the second alternative
  CHECK(At(fr, 12).status == Status::kFailed);  // neither
  CHECK(fr.tests.size() == 8);
}

TEST_CASE("runner: relaxed-simd modules and their users are skipped as unsupported", "[spec]") {
  FileResult fr = RunText("relaxed", R"((module
  (func (export "f") (param v128 v128) (result v128)
    (f32x4.relaxed_min (local.get 0) (local.get 1))))
(assert_return (invoke "f" (v128.const f32x4 0 0 0 0) (v128.const f32x4 0 0 0 0))
  (either (v128.const f32x4 0 0 0 0) (v128.const f32x4 -0 -0 -0 -0)))
(module (func (export "g") (result i32) (i32.const 1)))
(assert_return (invoke "g") (i32.const 1))
)");
  REQUIRE(fr.state == FileResult::State::kOk);
  REQUIRE(fr.tests.size() == 2);
  CHECK(fr.tests[0].status == Status::kSkipped);
  CHECK(fr.tests[0].skip_category == "unsupported");
  CHECK(fr.tests[0].message.find("relaxed-simd") != std::string::npos);
  CHECK(fr.tests[1].status == Status::kPassed);
}

TEST_CASE("runner: wast2json's expected lists of multi-result functions without commas",
          "[spec]") {
  // wast2json 1.0.32 writes the result types of assert_trap, assert_exhaustion and actions on a
  // function with two results as [{"type": "i64"}{"type": "i64"}].
  const fs::path wast =
      fs::path(TANDEM_SOURCE_DIR) / "spec-tests" / "tests" / "data" / "multi_result_expected.wast";
  REQUIRE(fs::exists(wast));
  const std::string wast2json = FindInPath("wast2json");
  REQUIRE_FALSE(wast2json.empty());  // Debian package wabt (ci/setup.sh)

  // The converted script itself is read.
  std::string tmpl = (fs::temp_directory_path() / "tandem-runner-test-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  const fs::path json = fs::path(tmpl) / "multi_result_expected.json";
  const std::string command =
      wast2json + " '" + wast.string() + "' -o '" + json.string() + "' 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  std::ostringstream text;
  text << std::ifstream(json).rdbuf();
  fs::remove_all(tmpl);
  if (text.str().find("}{") == std::string::npos)
    WARN("this wast2json writes the commas: the repair is not exercised here");
  std::vector<Command> cmds;
  REQUIRE_NOTHROW(cmds = ParseWastJson(text.str()));
  REQUIRE(cmds.size() == 6);
  CHECK(cmds[2].type == Command::Type::kAssertTrap);
  CHECK(cmds[2].line == 12);
  CHECK(cmds[3].type == Command::Type::kAssertExhaustion);
  CHECK(cmds[3].line == 13);
  CHECK(cmds[4].type == Command::Type::kAction);
  CHECK(cmds[4].line == 14);
  CHECK(cmds[4].action.field == "pair");

  // And its commands run on ref with the expected outcomes.
  RunnerOptions options;
  options.wast2json = wast2json;
  FileResult fr = RunFile(wast.string(), options);
  REQUIRE(fr.state == FileResult::State::kOk);
  CHECK(fr.error.empty());
  REQUIRE(fr.tests.size() == 5);
  CHECK(At(fr, 11).command == "assert_return");
  CHECK(At(fr, 11).status == Status::kPassed);
  CHECK(At(fr, 12).command == "assert_trap");
  CHECK(At(fr, 12).status == Status::kPassed);
  CHECK(At(fr, 13).command == "assert_exhaustion");
  CHECK(At(fr, 13).status == Status::kPassed);
  CHECK(At(fr, 14).command == "action");
  CHECK(At(fr, 14).status == Status::kPassed);
  CHECK(At(fr, 15).status == Status::kFailed);  // the results compared, in order
  CHECK(At(fr, 15).expected == "i64:2 i64:1");
  CHECK(At(fr, 15).got == "i64:1 i64:2");
}

TEST_CASE("runner: --verify counts the x64 code's accesses, and a weakened bounds check fails "
          "the file",
          "[spec][x64][verify]") {
  const char* script = R"((module
  (memory 1)
  (func (export "get") (param i32) (result i32) (i32.load8_u offset=3 (local.get 0)))
  (func (export "put") (param i32 i32) (i32.store (local.get 0) (local.get 1))))
(assert_return (invoke "get" (i32.const 0)) (i32.const 0))
(module (func (export "f") (result i32) (i32.const 1)))
(assert_return (invoke "f") (i32.const 1))
)";
  RunnerOptions o;
  o.engines = {"ref", "x64"};
  o.verify = true;
  FileResult fr = RunText("verified", script, o);
  REQUIRE(fr.state == FileResult::State::kOk);
  for (const auto& t : fr.tests) CHECK(t.status == Status::kPassed);
  REQUIRE(fr.verify.size() == 1);  // ref is no JIT engine
  CHECK(fr.verify[0].engine == "x64");
  CHECK(fr.verify[0].functions == 3);  // each function once, though the store holds both modules
  CHECK(fr.verify[0].accesses > 0);
  CHECK(fr.verify[0].proved == fr.verify[0].accesses);

  o.engines = {"x64"};
  o.faults = tandem::diff::ParseFaultList("bounds-off-by-one");
  fr = RunText("weakened", script, o);
  REQUIRE(fr.verify.size() == 1);
  CHECK(fr.verify[0].failed >= 2);
  size_t failures = 0;
  for (const auto& t : fr.tests)
    if (t.command == "verify") {
      ++failures;
      CHECK(t.status == Status::kFailed);
      CHECK(t.line == 0);  // file-level: no expected-failure entry can hide it
      CHECK(t.message.find("of the module at line 1") != std::string::npos);
      CHECK(t.message.find("<-- not proved") != std::string::npos);
    }
  CHECK(failures == 2);  // "get" and "put"
}
