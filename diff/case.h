// case.h: a case = a module + a call script (DESIGN.md "Data flow": generator -> case ->
// harness). The script says which exports to call, with which arguments, in which order; a
// regression case's script also says what every call must produce (corpus/regress/). The JSON
// format is documented in docs/fuzzing.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/module.h"
#include "reference/outcome.h"

namespace tandem::diff {

// What a call must produce on every engine (regression cases).
struct Expectation {
  enum class Kind : uint8_t { kReturned, kTrap, kExhausted } kind = Kind::kReturned;
  std::vector<wasm::Value> values;  // kReturned, bit for bit (a non-null funcref matches any)
  wasm::TrapKind trap = wasm::TrapKind::Unreachable;
  wasm::ExhaustionKind exhaustion = wasm::ExhaustionKind::kCallStack;
};
bool Meets(const wasm::Outcome& o, const Expectation& e);
// Reads what ToString writes, and the harness's outcome text ("returned i32:0x00000001",
// "trap: unreachable", "exhausted: fuel exhausted"). Throws std::invalid_argument.
Expectation ExpectationFromText(std::string_view text);
std::string ToString(const Expectation& e);  // "returned i32:0x00000007", "trap: unreachable"

struct Call {
  std::string export_name;
  std::vector<wasm::Value> args;
  std::optional<Expectation> expect;
};

struct Script {
  std::string description;
  // A regression case made by `tandem reduce`: the finding's signature (diff/signature.h), and
  // why its expectations need a person's review (the reference was in the minority), if so.
  std::string signature;
  std::string review;
  // The module must be refused by the decoder or validator with a message starting with this.
  std::optional<std::string> refused;
  // The instantiation outcome every engine must have: "instantiated" (the default when calls
  // are expected), "uninstantiable", "unlinkable", "resource exhausted".
  std::optional<std::string> instantiation;
  std::vector<Call> calls;
  // Limits for this case (0: the harness's defaults).
  uint64_t fuel = 0;
  uint32_t max_call_depth = 0;
};

// Reads a script (docs/fuzzing.md). Throws std::invalid_argument saying what is wrong and where.
Script ParseScript(std::string_view json_text);
std::string ScriptToJson(const Script& s);  // pretty-printed; ParseScript reads it back

// binaryen's --fuzz-exec protocol, the script of a case that comes without one: for each
// function export in export order (except hangLimitInitializer itself), call
// `hangLimitInitializer` first if the module exports one, then the export with zero-valued
// arguments. Memory, globals and tables carry over between calls.
Script DefaultScript(const wasm::Module& m);

struct Case {
  std::vector<uint8_t> bytes;
  std::shared_ptr<const wasm::Module> module;  // null when the module is refused
  std::string refusal;                         // the decoder's or validator's message
  Script script;
};

// Decodes and validates `bytes` into a case with `script` (DefaultScript when absent). A
// refused module is not an error: it is returned with `refusal` set. Throws
// std::invalid_argument when the script does not fit the module (unknown export, arguments of
// the wrong number or types).
Case MakeCase(std::vector<uint8_t> bytes, std::optional<Script> script);

}  // namespace tandem::diff
