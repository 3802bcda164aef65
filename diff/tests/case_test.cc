// case_test.cc: call scripts (docs/fuzzing.md) and the harness's verdicts: parsing and its
// errors, the default protocol, expectations, crashes and timeouts of an isolated run.
#include <catch2/catch.hpp>

#include "diff/case.h"
#include "diff/faults.h"
#include "diff/harness.h"
#include "reference/tests/wat_util.h"

namespace tandem::diff {
namespace {

const char* kModule = R"((module
  (global $hang (mut i32) (i32.const 0))
  (func (export "hangLimitInitializer") (global.set $hang (i32.const 100)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "f") (param f32 i64) (result f32 i64) (local.get 0) (local.get 1))
  (func $rec (export "rec") (call $rec)))
)";

TEST_CASE("case: a script reads back what it writes", "[diff][case]") {
  Script s = ParseScript(R"({
    "description": "d", "fuel": 1000, "max_call_depth": 50,
    "module": {"instantiation": "instantiated"},
    "calls": [
      {"invoke": "div", "args": ["i32:7", "i32:-1"], "expect": {"returned": ["i32:-7"]}},
      {"invoke": "div", "args": ["i32:1", "i32:0"], "expect": {"trap": "integer divide by zero"}},
      {"invoke": "f", "args": ["f32:nan:0x200000", "i64:-1"],
       "expect": {"returned": ["f32:bits:0x7fa00000", "i64:0xffffffffffffffff"]}},
      {"invoke": "rec", "expect": {"exhausted": "call stack"}}
    ]})");
  REQUIRE(s.calls.size() == 4);
  CHECK(s.calls[0].args[1] == wasm::Value::I32(0xffffffffu));
  CHECK(s.calls[2].args[0] == wasm::Value::F32Bits(0x7fa00000u));
  CHECK(s.calls[1].expect->trap == wasm::TrapKind::IntegerDivideByZero);
  Script back = ParseScript(ScriptToJson(s));
  CHECK(ScriptToJson(back) == ScriptToJson(s));
  CHECK(back.fuel == 1000);
  CHECK(back.max_call_depth == 50);
  CHECK(*back.instantiation == "instantiated");
}

TEST_CASE("case: bad scripts are refused with what is wrong", "[diff][case]") {
  auto message = [](const char* text) {
    try {
      ParseScript(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(message("[1]").find("top level") != std::string::npos);
  CHECK(message("{\"calls\": [{\"invoke\": 1}]}").find("call 0") != std::string::npos);
  CHECK(message("{\"calls\": [{\"invoke\": \"f\", \"args\": [\"x:1\"]}]}").find("unknown type") !=
        std::string::npos);
  CHECK(message("{\"calls\": [{\"invoke\": \"f\", \"expect\": {\"trap\": \"nope\"}}]}")
            .find("unknown trap") != std::string::npos);
  CHECK(message("{\"calls\": [], \"extra\": 1}").find("unknown key") != std::string::npos);
  CHECK(message("{\"calls\": [").find("not JSON") != std::string::npos);
  // A script that does not fit the module.
  auto bytes = testing::WatToWasm(kModule);
  CHECK_THROWS_WITH(MakeCase(bytes, ParseScript(R"({"calls": [{"invoke": "nope"}]})")),
                    Catch::Contains("no such function"));
  CHECK_THROWS_WITH(MakeCase(bytes, ParseScript(R"({"calls": [{"invoke": "div"}]})")),
                    Catch::Contains("takes 2 arguments"));
  CHECK_THROWS_WITH(
      MakeCase(bytes, ParseScript(R"({"calls": [{"invoke": "div", "args": ["i32:1", "i64:1"]}]})")),
      Catch::Contains("argument 1 must be i32"));
}

TEST_CASE("case: without a script, binaryen's fuzz-exec protocol", "[diff][case]") {
  Case c = MakeCase(testing::WatToWasm(kModule), std::nullopt);
  REQUIRE(c.module);
  // hangLimitInitializer before each of the three other exports, zero arguments.
  REQUIRE(c.script.calls.size() == 6);
  const char* order[] = {"hangLimitInitializer", "div", "hangLimitInitializer", "f",
                         "hangLimitInitializer", "rec"};
  for (size_t i = 0; i < 6; ++i) CHECK(c.script.calls[i].export_name == order[i]);
  CHECK(c.script.calls[3].args ==
        std::vector<wasm::Value>{wasm::Value::F32Bits(0), wasm::Value::I64(0)});
  // A refused module is a case too, with the refusal.
  Case bad = MakeCase({0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00}, std::nullopt);
  CHECK_FALSE(bad.module);
  CHECK(bad.refusal.rfind("unknown binary version", 0) == 0);
}

TEST_CASE("case: outcome text reads back as an expectation", "[diff][case]") {
  Expectation e = ExpectationFromText("returned i32:0x00000007 f64:bits:0x7ff8000000000000");
  REQUIRE(e.values.size() == 2);
  CHECK(e.values[1] == wasm::Value::F64Bits(0x7ff8000000000000ull));
  CHECK(ExpectationFromText("trap: integer overflow: detail").trap == wasm::TrapKind::IntegerOverflow);
  CHECK(ExpectationFromText("exhausted: fuel exhausted").exhaustion == wasm::ExhaustionKind::kFuel);
  CHECK(Meets(wasm::Outcome::Values({wasm::Value::I32(7)}), ExpectationFromText("returned i32:7")));
  CHECK_FALSE(Meets(wasm::Outcome::Values({wasm::Value::I32(7)}), ExpectationFromText("returned i32:8")));
  CHECK_THROWS(ExpectationFromText("nonsense"));
}

TEST_CASE("harness: verdicts of isolated runs: agree, expectation, crash, timeout",
          "[diff][harness]") {
  Script script = ParseScript(R"({"calls": [
      {"invoke": "div", "args": ["i32:7", "i32:2"], "expect": {"returned": ["i32:3"]}},
      {"invoke": "div", "args": ["i32:1", "i32:0"], "expect": {"trap": "integer divide by zero"}},
      {"invoke": "rec", "expect": {"exhausted": "call stack"}}]})");
  Case c = MakeCase(testing::WatToWasm(kModule), script);
  HarnessOptions o;
  o.engines = HostEngineNames();
  o.config.max_call_depth = 100;
  o.timeout_seconds = 5;
  CaseResult r = RunCaseIsolated(c, o);
  INFO(FormatCaseResult(r, c));
  CHECK(r.verdict == CaseResult::Verdict::kAgree);
  CHECK(r.calls_run == 3);

  Case wrong = c;
  wrong.script.calls[0].expect = ExpectationFromText("returned i32:4");
  CaseResult w = RunCaseIsolated(wrong, o);
  CHECK(w.verdict == CaseResult::Verdict::kExpectation);
  CHECK(w.failures.size() == o.engines.size());

  o.faults = ParseFaultList("crash@ref");
  CaseResult crash = RunCaseIsolated(c, o);
  INFO(FormatCaseResult(crash, c));
  CHECK(crash.verdict == CaseResult::Verdict::kCrash);
  REQUIRE(crash.failures.size() == 1);
  CHECK(crash.failures[0].find("signal 11") != std::string::npos);
  CHECK(crash.failures[0].find("during ref call 0") != std::string::npos);

  o.faults = ParseFaultList("hang");  // the last engine
  o.timeout_seconds = 1;
  CaseResult hang = RunCaseIsolated(c, o);
  CHECK(hang.verdict == CaseResult::Verdict::kTimeout);
  REQUIRE(hang.failures.size() == 1);
  CHECK(hang.failures[0].find("during " + o.engines.back() + " call 0") != std::string::npos);
}

}  // namespace
}  // namespace tandem::diff

namespace tandem::diff {
namespace {

TEST_CASE("fuzzing-support: every engine logs each argument's exact bits", "[diff][case]") {
  auto bytes = testing::WatToWasm(R"((module
    (import "fuzzing-support" "log-i32" (func $i32 (param i32)))
    (import "fuzzing-support" "log-i64" (func $i64 (param i64)))
    (import "fuzzing-support" "log-f32" (func $f32 (param f32)))
    (import "fuzzing-support" "log-f64" (func $f64 (param f64)))
    (func (export "run")
      (call $i32 (i32.const -2))
      (call $i64 (i64.const 0x8000000000000001))
      (call $f32 (f32.reinterpret_i32 (i32.const 0x7fa00001)))
      (call $f64 (f64.reinterpret_i64 (i64.const 0xfff0000000000bad)))))
  )");
  Case c = MakeCase(bytes, std::nullopt);
  REQUIRE(c.module);
  const std::vector<LogEntry> want = {
      {"log-i32", wasm::Value::I32(0xfffffffeu)},
      {"log-i64", wasm::Value::I64(0x8000000000000001ull)},
      {"log-f32", wasm::Value::F32Bits(0x7fa00001u)},
      {"log-f64", wasm::Value::F64Bits(0xfff0000000000badull)}};
  EngineConfig config;
  config.nan_canonical = true;  // logging is not arithmetic: payloads must survive it
  for (const std::string& name : HostEngineNames()) {
    INFO(name);
    auto e = MakeEngine(name, config);
    auto r = e->Instantiate(c.module);
    REQUIRE(r.status == InstantiateOutcome::Status::kOk);
    CHECK(e->TakeLog().empty());
    auto o = e->Invoke(r.instance, "run", {});
    REQUIRE(o.kind == wasm::Outcome::Kind::kValues);
    std::vector<LogEntry> got = e->TakeLog();
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      CHECK(got[i].import == want[i].import);
      CHECK(got[i].value == want[i].value);
    }
    CHECK(e->TakeLog().empty());  // taken
  }
  // Through the harness: the engines agree on the logs.
  HarnessOptions o;
  o.engines = HostEngineNames();
  CaseResult r = RunCaseIsolated(c, o);
  INFO(FormatCaseResult(r, c));
  CHECK(r.verdict == CaseResult::Verdict::kAgree);
}

}  // namespace
}  // namespace tandem::diff
