// numerics_rows.h: the V8-computed numerics table (numerics_tables.inc; regenerate with
// `node reference/tests/gen_numerics_tables.js > reference/tests/numerics_tables.inc`) as rows,
// for the tests that check operators against it: reference/tests/numerics_test.cc (the
// reference's numerics) and diff/tests/numerics_engines_test.cc (every engine).
#pragma once

#include <cstdint>

#include "reference/trap.h"

namespace tandem::wasm::num::table {

enum class Expect : uint8_t { kValue, kCanonicalNaN, kArithmeticNaN, kTrap };

struct Row {
  const char* op;
  uint64_t a;
  uint64_t b;       // 0 for a unary operator
  Expect expect;
  uint64_t bits;    // kValue only
  TrapKind trap;    // kTrap only
};

#define NUM_VALUE(op, a, b, bits) {op, a, b, Expect::kValue, bits, TrapKind::Unreachable},
#define NUM_NAN_CANONICAL(op, a, b) {op, a, b, Expect::kCanonicalNaN, 0, TrapKind::Unreachable},
#define NUM_NAN_ARITHMETIC(op, a, b) {op, a, b, Expect::kArithmeticNaN, 0, TrapKind::Unreachable},
#define NUM_TRAP(op, a, b, kind) {op, a, b, Expect::kTrap, 0, TrapKind::kind},
inline constexpr Row kRows[] = {
#include "reference/tests/numerics_tables.inc"
};
#undef NUM_VALUE
#undef NUM_NAN_CANONICAL
#undef NUM_NAN_ARITHMETIC
#undef NUM_TRAP

}  // namespace tandem::wasm::num::table
