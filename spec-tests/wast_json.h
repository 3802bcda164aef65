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

#include "reference/trap.h"
#include "reference/value.h"
#include "reference/value_text.h"

namespace tandem::spec {

// The typed value text of reference/value_text.h, under the names this module always used.
using wasm::FormatV128;
using wasm::GetLane;
using wasm::IsFloatShape;
using wasm::LaneBits;
using wasm::LaneCount;
using wasm::ParseTypedArg;
using wasm::SetLane;
using wasm::ShapeFromLaneType;
using wasm::ShapeFromName;
using wasm::ShapeName;
using wasm::V128Shape;

// A value the script expects: exact bits, a NaN class (Spec 4.3.3: canonical / arithmetic
// NaN), any non-null reference of a type (wast `ref.func` / `ref.extern` without argument), or
// a v128 checked lane by lane in a shape, each lane exact or a NaN class.
struct ExpectedValue {
  enum class Kind : uint8_t { kExact, kNanCanonical, kNanArithmetic, kAnyRef, kV128Lanes };
  Kind kind = Kind::kExact;
  wasm::Value value;  // kExact, kV128Lanes: the bits (NaN-class lanes 0); else only the type
  V128Shape shape = V128Shape::kI32x4;  // kV128Lanes
  std::vector<Kind> lanes;              // kV128Lanes: kExact / kNanCanonical / kNanArithmetic
};

// True when `got` satisfies `expected`: bit for bit for kExact (NaNs given as bits included),
// the NaN classes by their bit patterns, kAnyRef by type and non-null, kV128Lanes lane by lane.
bool Matches(const ExpectedValue& expected, const wasm::Value& got);
// "i32:7", "f32:nan:canonical", "funcref:non-null", "v128:f32x4:0x1p+0,nan:canonical,..."
std::string ToString(const ExpectedValue& e);

// Whether a trap of our kind (its TrapMessage) satisfies the script's text: the text is a prefix
// of the kind's message, or the message followed by a space and a detail of the spec
// interpreter's own ("uninitialized element 2" for kind "uninitialized element").
bool TrapTextMatches(std::string_view kind_message, std::string_view text);
// Whether a trap of `kind` satisfies the text: TrapTextMatches on its message, or, for a coarse
// kind (wasm::TrapKindCovers), on the message of one of the kinds it stands for.
bool TrapMatches(wasm::TrapKind kind, std::string_view text);

// Thrown for value syntax the runner cannot represent: the command is skipped with the reason.
struct UnsupportedValue : std::runtime_error {
  explicit UnsupportedValue(const std::string& m) : std::runtime_error(m) {}
};

// Parses one wast2json value: `type` is "i32" ... "externref"; `value` is the decimal unsigned
// bit string ("nan:canonical"/"nan:arithmetic" for floats, "null" or a number for references).
// Throws std::invalid_argument on bad input (a v128 goes through ParseJsonV128).
wasm::Value ParseJsonValue(std::string_view type, std::string_view value);
ExpectedValue ParseJsonExpected(std::string_view type, std::optional<std::string_view> value);

// Parses a wast2json v128: `lane_type` is "i8" ... "f64", `lanes` the decimal unsigned bits of
// each lane, lane 0 first; the expected form also takes "nan:canonical"/"nan:arithmetic" for
// float lanes. Throws std::invalid_argument on a bad lane type, lane count or lane.
wasm::Value ParseJsonV128(std::string_view lane_type, const std::vector<std::string>& lanes);
ExpectedValue ParseJsonExpectedV128(std::string_view lane_type,
                                    const std::vector<std::string>& lanes);


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
  std::vector<ExpectedValue> either;  // assert_return (either ...): one result, any of these
  std::string unsupported;            // non-empty: a value could not be represented; skip with this
};

// True for the commands that count as tests: every assert_* and every top-level action.
bool IsTest(Command::Type t);

// wast2json 1.0.32 writes the "expected" result types of assert_trap, assert_exhaustion and
// top-level actions on functions with two or more results without commas between the objects:
// `"expected": [{"type": "i64"}{"type": "i64"}]`. Returns `json_text` with a comma inserted
// after every `}` that is followed (after JSON whitespace, if any) by `{` directly inside an
// array, outside string literals; nothing else is changed, so any other defect still fails.
std::string RepairWast2JsonArrays(std::string_view json_text);

// Parses the whole JSON document (after RepairWast2JsonArrays). Throws std::runtime_error for
// a document that is not what wast2json writes (unknown command type, missing fields).
std::vector<Command> ParseWastJson(std::string_view json_text);

// Expected-failure list (spec-tests/expected-failures/ENGINE.txt): `FILE.wast:LINE reason...`
// per line, `#` starts a comment, blank lines ignored. Keys are "FILE.wast:LINE".
// Throws std::runtime_error naming the line for an entry without a reason or a bad id.
std::map<std::string, std::string> ParseExpectedFailures(std::string_view text);

// fnmatch(3) of `glob` against a file's base name.
bool MatchesGlob(std::string_view glob, std::string_view file_name);

}  // namespace tandem::spec
