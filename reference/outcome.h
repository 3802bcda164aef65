// outcome.h: what one invocation on any engine produced (DESIGN.md "Outcome of an invocation";
// STYLE.md 2: trap, exhaustion and internal error are kept apart).
#pragma once

#include <string>
#include <vector>

#include "reference/trap.h"
#include "reference/value.h"

namespace tandem::wasm {

enum class ExhaustionKind : uint8_t { kCallStack, kFuel };

struct Outcome {
  enum class Kind : uint8_t {
    kValues,         // returned normally; `values` holds the results
    kTrap,           // the program's fault; `trap` says which
    kExhausted,      // call-depth limit or fuel ran out; `exhaustion` says which
    kUnsupported,    // the engine cannot run this (counted and skipped, never a pass)
    kInternalError,  // a bug in tandem, always
  };
  Kind kind = Kind::kValues;
  std::vector<Value> values;
  TrapKind trap = TrapKind::Unreachable;
  ExhaustionKind exhaustion = ExhaustionKind::kCallStack;
  std::string message;  // detail: trap detail, unsupported feature, internal error text

  static Outcome Values(std::vector<Value> v) {
    Outcome o;
    o.values = std::move(v);
    return o;
  }
  static Outcome Trap(TrapKind k, std::string detail = {}) {
    Outcome o;
    o.kind = Kind::kTrap;
    o.trap = k;
    o.message = std::move(detail);
    return o;
  }
  static Outcome Exhausted(ExhaustionKind k) {
    Outcome o;
    o.kind = Kind::kExhausted;
    o.exhaustion = k;
    return o;
  }
  static Outcome Unsupported(std::string m) {
    Outcome o;
    o.kind = Kind::kUnsupported;
    o.message = std::move(m);
    return o;
  }
  static Outcome InternalError(std::string m) {
    Outcome o;
    o.kind = Kind::kInternalError;
    o.message = std::move(m);
    return o;
  }
};

// "call stack exhausted" / "fuel exhausted": the text assert_exhaustion expects for the former.
const char* ExhaustionMessage(ExhaustionKind k);
// One line: "i32:1 i64:2", "trap: integer overflow", "exhausted: call stack exhausted" ...
std::string ToString(const Outcome& o);

}  // namespace tandem::wasm
