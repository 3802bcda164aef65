// wast_json.h: the commands of a spec test script as wast2json (WABT 1.0.32) writes them, and
// the value syntax shared by the runner and `tandem run` (DESIGN.md "Data flow"; Spec A.7 wast).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "reference/value.h"

namespace tandem::spec {

// A value the script expects: exact bits, a NaN class (Spec 4.3.3: canonical / arithmetic
// NaN), or any non-null reference of a type (wast `ref.func` / `ref.extern` without argument).
struct ExpectedValue {
  enum class Kind : uint8_t { kExact, kNanCanonical, kNanArithmetic, kAnyRef };
  Kind kind = Kind::kExact;
  wasm::Value value;  // kExact: the bits; otherwise only value.type matters
};

// True when `got` satisfies `expected`: bit for bit for kExact (NaNs given as bits included),
// the NaN classes by their bit patterns, kAnyRef by type and non-null.
bool Matches(const ExpectedValue& expected, const wasm::Value& got);
std::string ToString(const ExpectedValue& e);  // "i32:7", "f32:nan:canonical", "funcref:any"

// Whether a trap of our kind (its TrapMessage) satisfies the script's text: the text is a prefix
// of the kind's message, or the message followed by a space and a detail of the spec
// interpreter's own ("uninitialized element 2" for kind "uninitialized element").
bool TrapTextMatches(std::string_view kind_message, std::string_view text);

// Thrown for syntax the runner does not support yet (v128 values): the command is skipped.
struct UnsupportedValue : std::runtime_error {
  explicit UnsupportedValue(const std::string& m) : std::runtime_error(m) {}
};

// Parses one wast2json value: `type` is "i32" ... "externref"; `value` is the decimal unsigned
// bit string ("nan:canonical"/"nan:arithmetic" for floats, "null" or a number for references).
// Throws std::invalid_argument on bad input, UnsupportedValue for v128.
wasm::Value ParseJsonValue(std::string_view type, std::string_view value);
ExpectedValue ParseJsonExpected(std::string_view type, std::optional<std::string_view> value);

// Parses a typed command-line argument: `i32:7`, `i64:-1`, `f32:1.5`, `f64:0x1p-3`, `f32:nan`,
// `f64:-inf`, `f32:bits:0x7fc00000`, `externref:3`, `externref:null`, `funcref:null`.
// Throws std::invalid_argument with a message saying what is wrong.
wasm::Value ParseTypedArg(std::string_view text);

struct Action {
  enum class Type : uint8_t { kInvoke, kGet };
  Type type = Type::kInvoke;
  std::optional<std::string> module;  // a module name ("$M"); none = the current module
  std::string field;
  std::vector<wasm::Value> args;
};

struct Command {
  enum class Type : uint8_t {
    kModule,
    kRegister,
    kAction,
    kAssertReturn,
    kAssertTrap,
    kAssertExhaustion,
    kAssertInvalid,
    kAssertMalformed,
    kAssertUnlinkable,
    kAssertUninstantiable,
  };
  Type type = Type::kModule;
  std::string type_name;  // as in the JSON ("assert_return" ...)
  int line = 0;
  std::string filename;             // module file (relative to the JSON's directory)
  std::string module_type;          // "binary" or "text" (assert_invalid/malformed/...)
  std::optional<std::string> name;  // module: its name; register: the module registered
  std::string as;                   // register
  std::string text;                 // the expected message of assert_trap/invalid/...
  bool has_action = false;
  Action action;
  std::vector<ExpectedValue> expected;
  std::string unsupported;  // non-empty: a value could not be represented; skip with this
};

// True for the commands that count as tests: every assert_* and every top-level action.
bool IsTest(Command::Type t);

// Parses the whole JSON document. Throws std::runtime_error for a document that is not what
// wast2json writes (unknown command type, missing fields).
std::vector<Command> ParseWastJson(std::string_view json_text);

// Expected-failure list (spec-tests/expected-failures/ENGINE.txt): `FILE.wast:LINE reason...`
// per line, `#` starts a comment, blank lines ignored. Keys are "FILE.wast:LINE".
// Throws std::runtime_error naming the line for an entry without a reason or a bad id.
std::map<std::string, std::string> ParseExpectedFailures(std::string_view text);

// fnmatch(3) of `glob` against a file's base name.
bool MatchesGlob(std::string_view glob, std::string_view file_name);

}  // namespace tandem::spec
