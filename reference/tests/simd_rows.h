// simd_rows.h: the V8-computed SIMD table (simd_tables.inc; regenerate with
// `node reference/tests/gen_simd_tables.js > reference/tests/simd_tables.inc`) as rows, for the
// tests that check vector operators against it: reference/tests/simd_test.cc (the reference's
// lane arithmetic) and diff/tests/simd_engines_test.cc (every engine).
#pragma once

#include <cstdint>

#include "reference/simd.h"

namespace tandem::wasm::simd::table {

struct Row {
  const char* op;
  int imm;
  V128 a, b, c;  // operands; scalars in .lo, shuffle lanes in c
  V128 r;        // expected result; scalar results in r.lo
  uint32_t nan;  // per float result lane i: bit 2i canonical NaN, bit 2i+1 arithmetic NaN
};

#define SIMD_ROW(op, imm, alo, ahi, blo, bhi, clo, chi, rlo, rhi, nan) \
  {op, imm, {alo, ahi}, {blo, bhi}, {clo, chi}, {rlo, rhi}, nan},
inline constexpr Row kRows[] = {
#include "reference/tests/simd_tables.inc"
};
#undef SIMD_ROW

}  // namespace tandem::wasm::simd::table
