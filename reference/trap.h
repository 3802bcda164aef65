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
  V(NullFunctionReference, "null function reference")              \
  /* Coarse kinds of an engine that does not tell some kinds apart (V8): each stands for a */ \
  /* set of the kinds above (TrapKindCovers). */                    \
  V(TableIndexOutOfBounds, "table index is out of bounds")          \
  V(NullOrSignatureMismatch, "null function or function signature mismatch") \
  V(FloatUnrepresentable, "float unrepresentable in integer range")

enum class TrapKind : uint8_t {
#define V(Name, msg) Name,
  TANDEM_TRAP_KINDS(V)
#undef V
};

#define V(Name, msg) +1
constexpr int kNumTrapKinds = 0 TANDEM_TRAP_KINDS(V);
#undef V

const char* TrapMessage(TrapKind k);  // the spec test suite's text (V8's for the coarse kinds)
const char* TrapKindName(TrapKind k);  // enumerator name, for JSON

// Whether an engine that reports `reported` may have met `precise`: equal kinds, or a coarse
// kind and one of the kinds it stands for (TableIndexOutOfBounds: out of bounds table access or
// undefined element; NullOrSignatureMismatch: uninitialized element or indirect call type
// mismatch; FloatUnrepresentable: integer overflow or invalid conversion to integer). Symmetric.
bool TrapKindCovers(TrapKind reported, TrapKind precise);

}  // namespace tandem::wasm
