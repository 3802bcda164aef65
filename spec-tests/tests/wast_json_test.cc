// wast_json_test.cc: unit tests of the runner's input side: wast2json values and commands, NaN
// classes (Spec 4.3.3), typed CLI arguments, expected-failure lists and the file glob.
#include "spec-tests/wast_json.h"

#include <catch2/catch.hpp>

#include "spec-tests/runner.h"

using namespace tandem;
using namespace tandem::spec;
using wasm::ValType;
using wasm::Value;

TEST_CASE("wast2json values are unsigned decimal bit strings", "[spec]") {
  CHECK(ParseJsonValue("i32", "4294967295") == Value::I32(0xffffffff));
  CHECK(ParseJsonValue("i64", "18446744073709551615") == Value::I64(~uint64_t{0}));
  CHECK(ParseJsonValue("f32", "2143289344") == Value::F32Bits(0x7fc00000));
  CHECK(ParseJsonValue("f64", "9221120237041090560") == Value::F64Bits(0x7ff8000000000000));
  CHECK(ParseJsonValue("externref", "null") == Value::Null(ValType::ExternRef));
  CHECK(ParseJsonValue("externref", "42") == Value::Ref(ValType::ExternRef, 42));
  CHECK(ParseJsonValue("funcref", "null") == Value::Null(ValType::FuncRef));
  CHECK_THROWS_AS(ParseJsonValue("i32", "4294967296"), std::invalid_argument);
  CHECK_THROWS_AS(ParseJsonValue("i64", "18446744073709551616"), std::invalid_argument);
  CHECK_THROWS_AS(ParseJsonValue("i32", "-1"), std::invalid_argument);
  CHECK_THROWS_AS(ParseJsonValue("i32", ""), std::invalid_argument);
  CHECK_THROWS_AS(ParseJsonValue("x32", "1"), std::invalid_argument);
  CHECK_THROWS_AS(ParseJsonValue("v128", "1"), std::invalid_argument);  // lanes needed
}

TEST_CASE("NaN classes match by bit pattern", "[spec]") {
  auto canon32 = ParseJsonExpected("f32", "nan:canonical");
  auto arith32 = ParseJsonExpected("f32", "nan:arithmetic");
  auto canon64 = ParseJsonExpected("f64", "nan:canonical");
  auto arith64 = ParseJsonExpected("f64", "nan:arithmetic");
  CHECK(Matches(canon32, Value::F32Bits(0x7fc00000)));
  CHECK(Matches(canon32, Value::F32Bits(0xffc00000)));
  CHECK_FALSE(Matches(canon32, Value::F32Bits(0x7fc00001)));
  CHECK_FALSE(Matches(canon32, Value::F32Bits(0x7fa00000)));          // signalling
  CHECK_FALSE(Matches(canon32, Value::F64Bits(0x7ff8000000000000)));  // wrong type
  CHECK(Matches(arith32, Value::F32Bits(0x7fc00001)));
  CHECK(Matches(arith32, Value::F32Bits(0xffe00000)));
  CHECK_FALSE(Matches(arith32, Value::F32Bits(0x7f800001)));
  CHECK_FALSE(Matches(arith32, Value::F32Bits(0x7f800000)));  // infinity
  CHECK(Matches(canon64, Value::F64Bits(0xfff8000000000000)));
  CHECK_FALSE(Matches(canon64, Value::F64Bits(0x7ff8000000000001)));
  CHECK(Matches(arith64, Value::F64Bits(0x7ff8000000000001)));
  CHECK_FALSE(Matches(arith64, Value::F64Bits(0x7ff4000000000000)));
  // A NaN given as bits is compared exactly.
  auto exact = ParseJsonExpected("f32", "2143289345");
  CHECK(Matches(exact, Value::F32Bits(0x7fc00001)));
  CHECK_FALSE(Matches(exact, Value::F32Bits(0x7fc00000)));
  // -0 is not +0.
  CHECK_FALSE(Matches(ParseJsonExpected("f64", "0"), Value::F64Bits(0x8000000000000000)));
}

TEST_CASE("reference expectations", "[spec]") {
  auto null_ext = ParseJsonExpected("externref", "null");
  CHECK(Matches(null_ext, Value::Null(ValType::ExternRef)));
  CHECK_FALSE(Matches(null_ext, Value::Ref(ValType::ExternRef, 0)));
  CHECK_FALSE(Matches(null_ext, Value::Null(ValType::FuncRef)));
  auto any_func = ParseJsonExpected("funcref", std::nullopt);
  CHECK(Matches(any_func, Value::Ref(ValType::FuncRef, 3)));
  CHECK_FALSE(Matches(any_func, Value::Null(ValType::FuncRef)));
  CHECK(Matches(ParseJsonExpected("externref", "7"), Value::Ref(ValType::ExternRef, 7)));
  CHECK_FALSE(Matches(ParseJsonExpected("externref", "7"), Value::Ref(ValType::ExternRef, 8)));
  CHECK_THROWS_AS(ParseJsonExpected("i32", std::nullopt), std::invalid_argument);
}

TEST_CASE("typed command-line arguments", "[spec]") {
  CHECK(ParseTypedArg("i32:7") == Value::I32(7));
  CHECK(ParseTypedArg("i32:-1") == Value::I32(0xffffffff));
  CHECK(ParseTypedArg("i32:0xffffffff") == Value::I32(0xffffffff));
  CHECK(ParseTypedArg("i32:-2147483648") == Value::I32(0x80000000));
  CHECK(ParseTypedArg("i64:-1") == Value::I64(~uint64_t{0}));
  CHECK(ParseTypedArg("i64:-9223372036854775808") == Value::I64(0x8000000000000000));
  CHECK(ParseTypedArg("f32:1.5") == Value::F32Bits(0x3fc00000));
  CHECK(ParseTypedArg("f64:0x1p-3") == Value::F64Bits(0x3fc0000000000000));
  CHECK(ParseTypedArg("f32:nan") == Value::F32Bits(0x7fc00000));
  CHECK(ParseTypedArg("f32:-nan") == Value::F32Bits(0xffc00000));
  CHECK(ParseTypedArg("f32:nan:0x1") == Value::F32Bits(0x7f800001));
  CHECK(ParseTypedArg("f64:-inf") == Value::F64Bits(0xfff0000000000000));
  CHECK(ParseTypedArg("f64:-0") == Value::F64Bits(0x8000000000000000));
  CHECK(ParseTypedArg("f32:bits:0x7fc00000") == Value::F32Bits(0x7fc00000));
  // 0.1 rounds once, to nearest f32 (not through double): 0x3dcccccd.
  CHECK(ParseTypedArg("f32:0.1") == Value::F32Bits(0x3dcccccd));
  CHECK(ParseTypedArg("externref:3") == Value::Ref(ValType::ExternRef, 3));
  CHECK(ParseTypedArg("funcref:null") == Value::Null(ValType::FuncRef));
  CHECK_THROWS_AS(ParseTypedArg("7"), std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("i32:4294967296"), std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("i32:-2147483649"), std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("i32:1x"), std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("i32:--1"), std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("f32:abc"), std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("f32:nan:0x800000"), std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("funcref:1"), std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("u8:1"), std::invalid_argument);
}

TEST_CASE("wast2json command documents", "[spec]") {
  const char* doc = R"({"source_filename": "x.wast", "commands": [
    {"type": "module", "line": 1, "name": "$M", "filename": "x.0.wasm"},
    {"type": "register", "line": 2, "name": "$M", "as": "m"},
    {"type": "assert_return", "line": 3, "action": {"type": "invoke", "module": "$M",
      "field": "f", "args": [{"type": "i32", "value": "1"}]},
      "expected": [{"type": "f32", "value": "nan:arithmetic"}]},
    {"type": "assert_trap", "line": 4, "action": {"type": "invoke", "field": "g", "args": []},
      "text": "unreachable", "expected": [{"type": "i32"}]},
    {"type": "assert_malformed", "line": 5, "filename": "x.1.wat", "text": "unexpected token",
      "module_type": "text"},
    {"type": "assert_return", "line": 6, "action": {"type": "get", "field": "v"},
      "expected": [{"type": "v128", "lane_type": "i32", "value": ["1", "2", "3", "4"]}]},
    {"type": "action", "line": 7, "action": {"type": "invoke", "field": "h", "args": []},
      "expected": []}
  ]})";
  auto cmds = ParseWastJson(doc);
  REQUIRE(cmds.size() == 7);
  CHECK(cmds[0].type == Command::Type::kModule);
  CHECK(cmds[0].name == std::optional<std::string>("$M"));
  CHECK(cmds[0].filename == "x.0.wasm");
  CHECK(cmds[1].type == Command::Type::kRegister);
  CHECK(cmds[1].as == "m");
  CHECK(cmds[2].action.module == std::optional<std::string>("$M"));
  REQUIRE(cmds[2].action.args.size() == 1);
  CHECK(cmds[2].action.args[0] == Value::I32(1));
  REQUIRE(cmds[2].expected.size() == 1);
  CHECK(cmds[2].expected[0].kind == ExpectedValue::Kind::kNanArithmetic);
  CHECK(cmds[3].text == "unreachable");
  CHECK(cmds[3].expected.empty());  // result types of assert_trap are not compared
  CHECK(cmds[4].module_type == "text");
  CHECK(cmds[5].action.type == Action::Type::kGet);
  CHECK(cmds[5].unsupported.empty());
  REQUIRE(cmds[5].expected.size() == 1);
  CHECK(cmds[5].expected[0].kind == ExpectedValue::Kind::kV128Lanes);
  CHECK(Matches(cmds[5].expected[0], Value{ValType::V128, 0x0000000200000001, 0x0000000400000003}));
  CHECK(cmds[6].type == Command::Type::kAction);
  CHECK_FALSE(IsTest(cmds[0].type));
  CHECK_FALSE(IsTest(cmds[1].type));
  CHECK(IsTest(cmds[4].type));
  CHECK(IsTest(cmds[6].type));

  CHECK_THROWS(ParseWastJson(R"({"commands": [{"type": "assert_bogus", "line": 1}]})"));
  CHECK_THROWS(ParseWastJson(R"({"commands": [{"type": "register", "line": 1}]})"));
  CHECK_THROWS(ParseWastJson(R"({"nothing": 1})"));
  CHECK_THROWS(ParseWastJson("not json"));
}

TEST_CASE("wast2json's comma-less lists of objects are repaired, nothing else", "[spec]") {
  // What wast2json 1.0.32 writes for assert_trap / assert_exhaustion / actions on a function
  // with two or more results.
  CHECK(RepairWast2JsonArrays(R"("expected": [{"type": "i64"}{"type": "i64"}])") ==
        R"("expected": [{"type": "i64"},{"type": "i64"}])");
  CHECK(RepairWast2JsonArrays("[{}{} {}\n\t{}]") == "[{},{}, {},\n\t{}]");
  CHECK(RepairWast2JsonArrays(R"([[{"a": [{}{}]}{"b": 1}]])") ==
        R"([[{"a": [{},{}]},{"b": 1}]])");
  // A `}{` or `} {` inside a string literal, escaped quotes and backslashes included, is text.
  const std::string strings =
      R"([{"text": "}{"}, {"text": "\"}{\\"}, {"x": "\\"}, {"y": "} {"}])";
  CHECK(RepairWast2JsonArrays(strings) == strings);
  CHECK(RepairWast2JsonArrays(R"([{"text": "a}{b"}{"text": "\"} {"}])") ==
        R"([{"text": "a}{b"},{"text": "\"} {"}])");
  // Valid JSON is unchanged; `}{` outside an array (here: an object's value) is not repaired.
  const std::string valid = R"({"commands": [{"a": {}}, {"b": [1, {"c": "d"}]}], "e": "}{"})";
  CHECK(RepairWast2JsonArrays(valid) == valid);
  CHECK(RepairWast2JsonArrays(R"({"a": {}{}})") == R"({"a": {}{}})");
  CHECK(RepairWast2JsonArrays(R"({"a": 1}{"b": 2})") == R"({"a": 1}{"b": 2})");
  CHECK(RepairWast2JsonArrays("") == "");

  // ParseWastJson reads the repaired document and stays strict about everything else.
  auto cmds = ParseWastJson(R"({"commands": [
    {"type": "assert_trap", "line": 3, "action": {"type": "invoke", "field": "f", "args": []},
      "text": "unreachable", "expected": [{"type": "i64"}{"type": "i64"}]},
    {"type": "action", "line": 4, "action": {"type": "invoke", "field": "f", "args": []},
      "expected": [{"type": "i64"}
                   {"type": "i64"}]}]})");
  REQUIRE(cmds.size() == 2);
  CHECK(cmds[0].type == Command::Type::kAssertTrap);
  CHECK(cmds[0].text == "unreachable");
  CHECK(cmds[1].type == Command::Type::kAction);
  CHECK(cmds[1].action.field == "f");
  CHECK_THROWS(ParseWastJson(R"({"commands": [], "x": {"a": {}{}}})"));
  CHECK_THROWS(ParseWastJson(R"({"commands": [1 2]})"));
  CHECK_THROWS(ParseWastJson(R"({"commands": [[1][2]]})"));
  CHECK_THROWS(ParseWastJson(R"({"commands": [{"type": "action", "line": 1}{"a": 1,}]})"));
}

TEST_CASE("wast2json v128 values: lanes of every shape, lane 0 lowest", "[spec]") {
  const Value all_ones{ValType::V128, ~uint64_t{0}, ~uint64_t{0}};
  struct Row {
    const char* lane_type;
    std::vector<std::string> lanes;
    uint64_t lo, hi;
  };
  const Row rows[] = {
      {"i8",
       {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "255"},
       0x0807060504030201,
       0xff0f0e0d0c0b0a09},
      {"i16", {"1", "2", "3", "4", "5", "6", "7", "65535"}, 0x0004000300020001, 0xffff000700060005},
      {"i32", {"1", "2", "3", "4294967295"}, 0x0000000200000001, 0xffffffff00000003},
      {"i64", {"1", "18446744073709551615"}, 1, ~uint64_t{0}},
      {"f32",
       {"1065353216", "2143289344", "0", "2147483648"},
       0x7fc000003f800000,
       0x8000000000000000},
      {"f64",
       {"4607182418800017408", "9221120237041090560"},
       0x3ff0000000000000,
       0x7ff8000000000000},
  };
  for (const Row& r : rows) {
    DYNAMIC_SECTION(r.lane_type) {
      Value v = ParseJsonV128(r.lane_type, r.lanes);
      CHECK(v == Value{ValType::V128, r.lo, r.hi});
      ExpectedValue e = ParseJsonExpectedV128(r.lane_type, r.lanes);
      CHECK(Matches(e, v));
      CHECK_FALSE(Matches(e, Value{ValType::V128, r.lo ^ 1, r.hi}));
      CHECK_FALSE(Matches(e, Value{ValType::V128, r.lo, r.hi ^ (uint64_t{1} << 63)}));
      CHECK_FALSE(Matches(e, Value::I64(r.lo)));
      auto shape = *ShapeFromLaneType(r.lane_type);
      for (int i = 0; i < LaneCount(shape); ++i)
        CHECK(GetLane(v, shape, i) == ParseJsonValue("i64", r.lanes[i]).bits);
      // Printing in the shape and parsing back gives the same bits.
      CHECK(ParseTypedArg(FormatV128(v, shape)) == v);
      CHECK(ParseTypedArg(FormatV128(v)) == v);
    }
  }
  CHECK(FormatV128(Value{ValType::V128, 0x0000000200000001, 0xffffffff00000003}) ==
        "v128:i32x4:0x00000001,0x00000002,0x00000003,0xffffffff");
  const Value floats{ValType::V128, 0x7fc00000bf800000, 0x00000001ff800001};
  CHECK(FormatV128(floats, V128Shape::kF32x4) ==
        "v128:f32x4:-0x1p+0,nan:0x400000,-nan:0x1,0x1p-149");
  CHECK(ParseTypedArg(FormatV128(floats, V128Shape::kF32x4)) == floats);
  CHECK(ParseTypedArg(FormatV128(floats, V128Shape::kF64x2)) == floats);
  CHECK_THROWS_AS(ParseJsonV128("i32", {"1", "2", "3"}), std::invalid_argument);
  CHECK_THROWS_AS(ParseJsonV128("i8", {"256", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0",
                                       "0", "0", "0", "0"}),
                  std::invalid_argument);
  CHECK_THROWS_AS(ParseJsonV128("u32", {"1", "2", "3", "4"}), std::invalid_argument);
  CHECK_THROWS_AS(ParseJsonV128("f32", {"nan:canonical", "0", "0", "0"}), std::invalid_argument);
  CHECK_THROWS_AS(ParseJsonExpectedV128("i32", {"nan:canonical", "0", "0", "0"}),
                  std::invalid_argument);
  Value ones = all_ones;
  SetLane(ones, V128Shape::kI16x8, 5, 0);
  CHECK(ones == Value{ValType::V128, ~uint64_t{0}, 0xffffffff0000ffff});
}

TEST_CASE("v128 expectations: NaN classes lane by lane in the expected shape", "[spec]") {
  auto e32 = ParseJsonExpectedV128("f32", {"nan:canonical", "nan:arithmetic", "0", "1065353216"});
  CHECK(ToString(e32) == "v128:f32x4:nan:canonical,nan:arithmetic,0x0p+0,0x1p+0");
  auto v = [](uint32_t l0, uint32_t l1, uint32_t l2, uint32_t l3) {
    return Value{ValType::V128, uint64_t{l1} << 32 | l0, uint64_t{l3} << 32 | l2};
  };
  CHECK(Matches(e32, v(0x7fc00000, 0x7fc00000, 0, 0x3f800000)));
  CHECK(Matches(e32, v(0xffc00000, 0xffe00001, 0, 0x3f800000)));
  CHECK_FALSE(Matches(e32, v(0x7fc00001, 0x7fc00000, 0, 0x3f800000)));  // lane 0 not canonical
  CHECK_FALSE(Matches(e32, v(0x7fc00000, 0x7fa00000, 0, 0x3f800000)));  // lane 1 signalling
  CHECK_FALSE(Matches(e32, v(0x7fc00000, 0x7fc00000, 0x80000000, 0x3f800000)));  // -0 != +0
  CHECK_FALSE(Matches(e32, v(0x7fc00000, 0x7fc00000, 0, 0x7fc00000)));
  auto e64 = ParseJsonExpectedV128("f64", {"0", "nan:canonical"});
  CHECK(Matches(e64, Value{ValType::V128, 0, 0x7ff8000000000000}));
  CHECK(Matches(e64, Value{ValType::V128, 0, 0xfff8000000000000}));
  // An f32 canonical NaN in the high half of an f64 lane is not an f64 NaN.
  CHECK_FALSE(Matches(e64, Value{ValType::V128, 0, 0x7fc0000000000000}));
  CHECK_FALSE(Matches(e64, Value{ValType::V128, 0, 0x7ff8000000000001}));
  auto a64 = ParseJsonExpectedV128("f64", {"nan:arithmetic", "nan:arithmetic"});
  CHECK(Matches(a64, Value{ValType::V128, 0x7ff8000000000001, 0xfff8000000000000}));
  CHECK_FALSE(Matches(a64, Value{ValType::V128, 0x7ff0000000000001, 0xfff8000000000000}));
}

TEST_CASE("typed v128 command-line arguments", "[spec]") {
  const Value v1234{ValType::V128, 0x0000000200000001, 0x0000000400000003};
  CHECK(ParseTypedArg("v128:i32x4:1,2,3,4") == v1234);
  CHECK(ParseTypedArg("v128:i32x4:0x1,2,0x3,4") == v1234);
  CHECK(ParseTypedArg("v128:i64x2:0x0000000200000001,0x0000000400000003") == v1234);
  CHECK(ParseTypedArg("v128:0x00000004000000030000000200000001") == v1234);
  CHECK(ParseTypedArg("v128:0x1") == Value{ValType::V128, 1, 0});
  CHECK(ParseTypedArg("v128:i8x16:-1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,128") ==
        Value{ValType::V128, 0xff, 0x8000000000000000});
  CHECK(ParseTypedArg("v128:i16x8:-32768,0,0,0,0,0,0,65535") ==
        Value{ValType::V128, 0x8000, 0xffff000000000000});
  CHECK(ParseTypedArg("v128:f32x4:1,-0,nan,bits:0x7f800001") ==
        Value{ValType::V128, 0x800000003f800000, 0x7f8000017fc00000});
  CHECK(ParseTypedArg("v128:f64x2:0x1p-3,-inf") ==
        Value{ValType::V128, 0x3fc0000000000000, 0xfff0000000000000});
  CHECK_THROWS_AS(ParseTypedArg("v128:i32x4:1,2,3"), std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("v128:i32x4:1,2,3,4,5"), std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("v128:i8x16:256,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0"),
                  std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("v128:i32x4:1,,3,4"), std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("v128:u32x4:1,2,3,4"), std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("v128:1,2,3,4"), std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("v128:0x000000000000000000000000000000001"),
                  std::invalid_argument);  // 33 digits
  CHECK_THROWS_AS(ParseTypedArg("v128:0xg"), std::invalid_argument);
  CHECK_THROWS_AS(ParseTypedArg("v128:f32x4:1,2,x,4"), std::invalid_argument);
}

TEST_CASE("assert_return with either: alternatives for one result", "[spec]") {
  auto cmds = ParseWastJson(R"({"commands": [
    {"type": "assert_return", "line": 1, "action": {"type": "invoke", "field": "f", "args": [
      {"type": "v128", "lane_type": "f32", "value": ["0", "1", "2", "3"]}]},
     "either": [{"type": "v128", "lane_type": "f32", "value": ["nan:canonical", "0", "0", "0"]},
                {"type": "v128", "lane_type": "i64", "value": ["0", "0"]}]}]})");
  REQUIRE(cmds.size() == 1);
  CHECK(cmds[0].expected.empty());
  REQUIRE(cmds[0].either.size() == 2);
  CHECK(cmds[0].action.args[0] == Value{ValType::V128, uint64_t{1} << 32, uint64_t{3} << 32 | 2});
  CHECK(Matches(cmds[0].either[1], Value{ValType::V128, 0, 0}));
  CHECK(cmds[0].either[0].shape == V128Shape::kF32x4);
}

TEST_CASE("expected-failure lists", "[spec]") {
  auto e = ParseExpectedFailures(
      "# comment line\n"
      "\n"
      "memory_init.wast:190   wast2json writes no data count section  # trailing comment\n"
      "  a-b.wast:7 reason\r\n");
  REQUIRE(e.size() == 2);
  CHECK(e.at("memory_init.wast:190") == "wast2json writes no data count section");
  CHECK(e.at("a-b.wast:7") == "reason");
  CHECK_THROWS(ParseExpectedFailures("memory_init.wast:190\n"));      // no reason
  CHECK_THROWS(ParseExpectedFailures("memory_init.wast reason\n"));   // no line
  CHECK_THROWS(ParseExpectedFailures("memory_init.wat:3 reason\n"));  // not .wast
  CHECK_THROWS(ParseExpectedFailures("x.wast:1a reason\n"));          // bad line
  CHECK_THROWS(ParseExpectedFailures("x.wast:1 a\nx.wast:1 b\n"));    // duplicate
}

TEST_CASE("expected failures: listed failures expected, listed passes stale", "[spec]") {
  std::map<std::string, std::string> entries = {{"f.wast:10", "artifact A"},
                                                {"f.wast:20", "artifact B"},
                                                {"f.wast:99", "gone"},
                                                {"g.wast:10", "other file"}};
  FileResult fr;
  fr.name = "f.wast";
  fr.tests = {{10, "assert_invalid", "ref", Status::kFailed, "", "", "", ""},
              {20, "assert_invalid", "ref", Status::kPassed, "", "", "", ""},
              {30, "assert_return", "ref", Status::kFailed, "", "", "", ""},
              {10, "assert_invalid", "x64", Status::kFailed, "", "", "", ""}};
  ApplyExpectedFailures(entries, "ref", true, fr);
  REQUIRE(fr.tests.size() == 5);
  CHECK(fr.tests[0].status == Status::kExpectedFailure);
  CHECK(fr.tests[1].status == Status::kFailed);  // stale
  CHECK(fr.tests[1].message.find("stale") != std::string::npos);
  CHECK(fr.tests[2].status == Status::kFailed);  // not listed
  CHECK(fr.tests[3].status == Status::kFailed);  // other engine's list
  CHECK(fr.tests[4].line == 99);                 // entry without a test
  CHECK(fr.tests[4].status == Status::kFailed);

  FileResult partial = fr;
  partial.tests.resize(1);
  partial.tests[0].status = Status::kFailed;
  ApplyExpectedFailures(entries, "ref", false, partial);
  CHECK(partial.tests.size() == 1);  // --line runs do not report missing entries
}

TEST_CASE("file glob", "[spec]") {
  CHECK(MatchesGlob("*.wast", "i32.wast"));
  CHECK(MatchesGlob("i3?.wast", "i32.wast"));
  CHECK(MatchesGlob("simd_*", "simd_lane.wast"));
  CHECK_FALSE(MatchesGlob("simd_*", "i32.wast"));
  CHECK(MatchesGlob("[fi]32.wast", "f32.wast"));
  CHECK_FALSE(MatchesGlob("f32.wast", "f32_cmp.wast"));
}

TEST_CASE("trap texts", "[spec]") {
  CHECK(TrapTextMatches("out of bounds memory access", "out of bounds memory access"));
  CHECK(TrapTextMatches("out of bounds memory access", "out of bounds"));
  CHECK(TrapTextMatches("uninitialized element", "uninitialized element 2"));
  CHECK_FALSE(TrapTextMatches("uninitialized element", "uninitialized elements"));
  CHECK_FALSE(TrapTextMatches("undefined element", "uninitialized element"));
  CHECK_FALSE(TrapTextMatches("integer overflow", "integer divide by zero"));
}
