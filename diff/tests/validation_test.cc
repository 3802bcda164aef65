// validation_test.cc: the validation differential (diff/validation.h): tandem, V8 and WABT's
// wasm-validate on the same bytes; agreement on valid, invalid and malformed modules; the
// disagreements the spec allows (an implementation limit WABT does not keep, exception handling
// that V8 ships) classified with their reason; and a disagreement for no allowed reason reported
// as one (with /bin/true standing in for wasm-validate, a tool that accepts everything).
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "diff/process.h"
#include "diff/v8_engine.h"
#include "diff/validation.h"

namespace tandem::diff {
namespace {

// (module (type (func)) (func (type 0) BODY)) with the given body bytes (locals and code).
std::vector<uint8_t> OneFunction(const std::vector<uint8_t>& body) {
  std::vector<uint8_t> m = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0};
  std::vector<uint8_t> code = {1};
  // body size as LEB128, then the body
  auto leb = [](std::vector<uint8_t>& out, uint64_t v) {
    do {
      uint8_t b = v & 0x7f;
      v >>= 7;
      out.push_back(static_cast<uint8_t>(b | (v ? 0x80 : 0)));
    } while (v);
  };
  leb(code, body.size());
  code.insert(code.end(), body.begin(), body.end());
  m.push_back(10);
  leb(m, code.size());
  m.insert(m.end(), code.begin(), code.end());
  return m;
}

bool Ready() {
  if (!V8Unavailable().empty() || FindInPath("wasm-validate").empty()) {
    WARN("node or wasm-validate missing: " << V8Unavailable());
    return false;
  }
  return true;
}

TEST_CASE("validation: three front ends agree on valid, invalid and malformed modules",
          "[validation][v8]") {
  if (!Ready()) return;
  FrontEnds fe(true, FindInPath("wasm-validate"));
  CHECK(fe.Names() == std::vector<std::string>{"tandem", "v8", "wabt"});
  // valid: (func nop)
  ValidationResult ok = fe.Check(OneFunction({0, 0x01, 0x0b}));
  INFO(ok.Summary());
  REQUIRE(ok.verdicts.size() == 3);
  CHECK(ok.agree);
  for (const FrontEndVerdict& v : ok.verdicts) CHECK(v.accepted);
  // invalid: i32.add on an empty stack
  ValidationResult invalid = fe.Check(OneFunction({0, 0x6a, 0x0b}));
  INFO(invalid.Summary());
  CHECK(invalid.agree);
  for (const FrontEndVerdict& v : invalid.verdicts) CHECK_FALSE(v.accepted);
  CHECK(invalid.verdicts[0].message.rfind("invalid: ", 0) == 0);
  // malformed: a bad magic number
  ValidationResult malformed = fe.Check({0, 'a', 's', 'x', 1, 0, 0, 0});
  CHECK(malformed.agree);
  for (const FrontEndVerdict& v : malformed.verdicts) CHECK_FALSE(v.accepted);
  CHECK(malformed.verdicts[0].message.rfind("malformed: ", 0) == 0);
  CHECK(malformed.allowed.empty());
}

TEST_CASE("validation: an implementation limit WABT does not keep is an allowed disagreement",
          "[validation][v8]") {
  if (!Ready()) return;
  FrontEnds fe(true, FindInPath("wasm-validate"));
  // 50,001 i32 locals: one past the limit tandem and V8 keep (reference/limits.h).
  ValidationResult r = fe.Check(OneFunction({1, 0xd1, 0x86, 0x03, 0x7f, 0x0b}));
  INFO(r.Summary());
  REQUIRE(r.verdicts.size() == 3);
  CHECK_FALSE(r.verdicts[0].accepted);
  CHECK_FALSE(r.verdicts[1].accepted);
  CHECK(r.verdicts[2].accepted);
  CHECK_FALSE(r.agree);
  CHECK(r.allowed.rfind("implementation limit", 0) == 0);
  // 50,000 locals: at the limit, every front end accepts.
  ValidationResult at = fe.Check(OneFunction({1, 0xd0, 0x86, 0x03, 0x7f, 0x0b}));
  INFO(at.Summary());
  CHECK(at.agree);
  CHECK(at.verdicts[0].accepted);
}

TEST_CASE("validation: exception handling, which V8 ships, is an allowed disagreement",
          "[validation][v8]") {
  if (!Ready()) return;
  FrontEnds fe(true, FindInPath("wasm-validate"));
  // (func try (do nop) (catch_all) end): opcodes 0x06 (try) and 0x19 (catch_all).
  ValidationResult op = fe.Check(OneFunction({0, 0x06, 0x40, 0x01, 0x19, 0x0b, 0x0b}));
  INFO(op.Summary());
  CHECK_FALSE(op.verdicts[0].accepted);
  CHECK(op.verdicts[1].accepted);
  CHECK_FALSE(op.verdicts[2].accepted);
  CHECK(op.allowed.find("exception handling") != std::string::npos);
  // (tag (type 0)) (func (try (do (throw 0)) (catch 0))): the tag section, id 13.
  const std::vector<uint8_t> tag = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0,
                                    3, 2, 1, 0, 13, 3, 1, 0, 0, 10, 11, 1, 9, 0,
                                    0x06, 0x40, 0x08, 0, 0x07, 0, 0x0b, 0x0b};
  ValidationResult section = fe.Check(tag);
  INFO(section.Summary());
  CHECK(section.verdicts[1].accepted);
  CHECK(section.allowed.find("tag section") != std::string::npos);
}

// The modules of corpus/validation/ (docs/known-bugs.md): each disagreement with its reason.
TEST_CASE("validation: the known disagreements of corpus/validation", "[validation][v8]") {
  if (!Ready()) return;
  FrontEnds fe(true, FindInPath("wasm-validate"));
  const std::pair<const char*, const char*> kFiles[] = {
      {"wabt_missing_function_end.wasm", "known bug of WABT 1.0.32"},
      {"v8_exception_handling_tag.wasm", "exception handling"},
      {"v8_exception_handling_try.wasm", "exception handling"},
  };
  for (const auto& [file, reason] : kFiles) {
    std::ifstream in(std::string(TANDEM_SOURCE_DIR) + "/corpus/validation/" + file, std::ios::binary);
    REQUIRE(in);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    ValidationResult r = fe.Check(bytes);
    INFO(file << ": " << r.Summary());
    CHECK_FALSE(r.agree);
    CHECK(r.allowed.find(reason) != std::string::npos);
  }
}

TEST_CASE("validation: a disagreement for no allowed reason is reported", "[validation]") {
  FrontEnds fe(false, "/bin/true");  // a "validator" that accepts everything
  ValidationResult r = fe.Check(OneFunction({0, 0x6a, 0x0b}));  // i32.add on an empty stack
  INFO(r.Summary());
  REQUIRE(r.verdicts.size() == 2);
  CHECK_FALSE(r.verdicts[0].accepted);
  CHECK(r.verdicts[1].accepted);
  CHECK_FALSE(r.agree);
  CHECK(r.allowed.empty());
  CHECK(r.Summary().find("wabt accepted") != std::string::npos);
}

TEST_CASE("validation: without WABT and V8 only tandem's verdict is given", "[validation]") {
  FrontEnds fe(false, "");
  CHECK(fe.Names() == std::vector<std::string>{"tandem"});
  ValidationResult r = fe.Check(OneFunction({0, 0x01, 0x0b}));
  REQUIRE(r.verdicts.size() == 1);
  CHECK(r.verdicts[0].accepted);
  CHECK(r.agree);
}

}  // namespace
}  // namespace tandem::diff
