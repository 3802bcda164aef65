// trap.h: the one TrapKind enum of tandem (DESIGN.md "Traps"); spec messages derive from it.
#pragma once

#include <cstdint>

namespace tandem::wasm {

#define TANDEM_TRAP_KINDS(V)                                        \
  V(Unreachable, "unreachable")                                     \
  V(MemoryOutOfBounds, "out of bounds memory access")               \
  V(TableOutOfBounds, "out of bounds table access")                 \
  V(UndefinedElement, "undefined element")                          \
  V(UninitializedElement, "uninitialized element")                  \
  V(IndirectCallTypeMismatch, "indirect call type mismatch")        \
  V(IntegerDivideByZero, "integer divide by zero")                  \
  V(IntegerOverflow, "integer overflow")                            \
  V(InvalidConversionToInteger, "invalid conversion to integer")    \
  V(NullFunctionReference, "null function reference")

enum class TrapKind : uint8_t {
#define V(Name, msg) Name,
  TANDEM_TRAP_KINDS(V)
#undef V
};

#define V(Name, msg) +1
constexpr int kNumTrapKinds = 0 TANDEM_TRAP_KINDS(V);
#undef V

const char* TrapMessage(TrapKind k);  // the spec test suite's text
const char* TrapKindName(TrapKind k);  // enumerator name, for JSON

}  // namespace tandem::wasm
