// numerics_test.cc: checks reference/numerics.h (and the host's float operators) against V8.
// Spec 4.3. Table: numerics_tables.inc, regenerate with
//   node reference/tests/gen_numerics_tables.js > reference/tests/numerics_tables.inc
#include "reference/numerics.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "reference/tests/numerics_rows.h"
#include "reference/trap.h"

namespace tandem::wasm::num {
namespace {

using table::Expect;
using table::kRows;
using table::Row;

enum class Kind : uint8_t { kI32, kI64, kF32, kF64 };

struct Result {
  bool trapped = false;
  TrapKind trap = TrapKind::Unreachable;
  uint64_t bits = 0;
};

struct OpInfo {
  Result (*fn)(uint64_t a, uint64_t b);
  Kind result;
};

template <typename T>
T FromBits(uint64_t b) {
  if constexpr (std::is_same_v<T, float>)
    return F32FromBits(static_cast<uint32_t>(b));
  else if constexpr (std::is_same_v<T, double>)
    return F64FromBits(b);
  else
    return static_cast<T>(b);
}
uint64_t ToBits(float v) { return F32Bits(v); }
uint64_t ToBits(double v) { return F64Bits(v); }
uint64_t ToBits(uint32_t v) { return v; }
uint64_t ToBits(uint64_t v) { return v; }
uint64_t ToBits(bool v) { return v ? 1 : 0; }
template <typename T>
constexpr Kind KindOf() {
  if constexpr (std::is_same_v<T, float>)
    return Kind::kF32;
  else if constexpr (std::is_same_v<T, double>)
    return Kind::kF64;
  else if constexpr (std::is_same_v<T, uint64_t>)
    return Kind::kI64;
  else
    return Kind::kI32;  // uint32_t, bool
}

template <typename>
struct Sig;
template <typename R, typename... A>
struct Sig<R (*)(A...)> {
  using Args = std::tuple<A...>;
  using Ret = R;
};

// Adapts one of tandem's functions to raw bits. Shapes: T(A), T(A, B), bool(A, T*, TrapKind*),
// bool(A, B, T*, TrapKind*).
template <auto Fn>
Result Call(uint64_t a, uint64_t b) {
  using S = Sig<decltype(Fn)>;
  using A0 = std::tuple_element_t<0, typename S::Args>;
  constexpr size_t kArity = std::tuple_size_v<typename S::Args>;
  if constexpr (kArity <= 2 &&
                !std::is_pointer_v<std::tuple_element_t<kArity - 1, typename S::Args>>) {
    if constexpr (kArity == 1)
      return {false, TrapKind::Unreachable, ToBits(Fn(FromBits<A0>(a)))};
    else
      return {false, TrapKind::Unreachable, ToBits(Fn(FromBits<A0>(a), FromBits<A0>(b)))};
  } else {
    using T = std::remove_pointer_t<std::tuple_element_t<kArity - 2, typename S::Args>>;
    T out = 0;
    TrapKind trap = TrapKind::Unreachable;
    bool ok;
    if constexpr (kArity == 3)
      ok = Fn(FromBits<A0>(a), &out, &trap);
    else
      ok = Fn(FromBits<A0>(a), FromBits<A0>(b), &out, &trap);
    return ok ? Result{false, TrapKind::Unreachable, out} : Result{true, trap, 0};
  }
}
template <auto Fn>
OpInfo Op() {
  using S = Sig<decltype(Fn)>;
  constexpr size_t kArity = std::tuple_size_v<typename S::Args>;
  using Last = std::tuple_element_t<kArity - 1, typename S::Args>;
  if constexpr (std::is_pointer_v<Last>) {
    using T = std::remove_pointer_t<std::tuple_element_t<kArity - 2, typename S::Args>>;
    return {&Call<Fn>, KindOf<T>()};
  } else {
    return {&Call<Fn>, KindOf<typename S::Ret>()};
  }
}

// The interpreter uses the host's C++ operators for these.
template <typename F>
F Add(F x, F y) {
  return x + y;
}
template <typename F>
F Sub(F x, F y) {
  return x - y;
}
template <typename F>
F Mul(F x, F y) {
  return x * y;
}
template <typename F>
F Div(F x, F y) {
  return x / y;
}
template <typename F>
bool Eq(F x, F y) {
  return x == y;
}
template <typename F>
bool Ne(F x, F y) {
  return x != y;
}
template <typename F>
bool Lt(F x, F y) {
  return x < y;
}
template <typename F>
bool Gt(F x, F y) {
  return x > y;
}
template <typename F>
bool Le(F x, F y) {
  return x <= y;
}
template <typename F>
bool Ge(F x, F y) {
  return x >= y;
}
uint32_t ReinterpretF32(float x) { return F32Bits(x); }
uint64_t ReinterpretF64(double x) { return F64Bits(x); }

// Every operator the table may name, with tandem's implementation.
const std::map<std::string_view, OpInfo>& Ops() {
  static const std::map<std::string_view, OpInfo> ops = {
      {"f32.eq", Op<Eq<float>>()},
      {"f32.ne", Op<Ne<float>>()},
      {"f32.lt", Op<Lt<float>>()},
      {"f32.gt", Op<Gt<float>>()},
      {"f32.le", Op<Le<float>>()},
      {"f32.ge", Op<Ge<float>>()},
      {"f64.eq", Op<Eq<double>>()},
      {"f64.ne", Op<Ne<double>>()},
      {"f64.lt", Op<Lt<double>>()},
      {"f64.gt", Op<Gt<double>>()},
      {"f64.le", Op<Le<double>>()},
      {"f64.ge", Op<Ge<double>>()},

      {"f32.abs", Op<F32Abs>()},
      {"f32.neg", Op<F32Neg>()},
      {"f32.ceil", Op<F32Ceil>()},
      {"f32.floor", Op<F32Floor>()},
      {"f32.trunc", Op<F32Trunc>()},
      {"f32.nearest", Op<F32Nearest>()},
      {"f32.sqrt", Op<F32Sqrt>()},
      {"f32.add", Op<Add<float>>()},
      {"f32.sub", Op<Sub<float>>()},
      {"f32.mul", Op<Mul<float>>()},
      {"f32.div", Op<Div<float>>()},
      {"f32.min", Op<F32Min>()},
      {"f32.max", Op<F32Max>()},
      {"f32.copysign", Op<F32Copysign>()},
      {"f64.abs", Op<F64Abs>()},
      {"f64.neg", Op<F64Neg>()},
      {"f64.ceil", Op<F64Ceil>()},
      {"f64.floor", Op<F64Floor>()},
      {"f64.trunc", Op<F64Trunc>()},
      {"f64.nearest", Op<F64Nearest>()},
      {"f64.sqrt", Op<F64Sqrt>()},
      {"f64.add", Op<Add<double>>()},
      {"f64.sub", Op<Sub<double>>()},
      {"f64.mul", Op<Mul<double>>()},
      {"f64.div", Op<Div<double>>()},
      {"f64.min", Op<F64Min>()},
      {"f64.max", Op<F64Max>()},
      {"f64.copysign", Op<F64Copysign>()},

      {"i32.clz", Op<I32Clz>()},
      {"i32.ctz", Op<I32Ctz>()},
      {"i32.popcnt", Op<I32Popcnt>()},
      {"i64.clz", Op<I64Clz>()},
      {"i64.ctz", Op<I64Ctz>()},
      {"i64.popcnt", Op<I64Popcnt>()},
      {"i32.shl", Op<I32Shl>()},
      {"i32.shr_s", Op<I32ShrS>()},
      {"i32.shr_u", Op<I32ShrU>()},
      {"i32.rotl", Op<I32Rotl>()},
      {"i32.rotr", Op<I32Rotr>()},
      {"i64.shl", Op<I64Shl>()},
      {"i64.shr_s", Op<I64ShrS>()},
      {"i64.shr_u", Op<I64ShrU>()},
      {"i64.rotl", Op<I64Rotl>()},
      {"i64.rotr", Op<I64Rotr>()},
      {"i32.div_s", Op<I32DivS>()},
      {"i32.div_u", Op<I32DivU>()},
      {"i32.rem_s", Op<I32RemS>()},
      {"i32.rem_u", Op<I32RemU>()},
      {"i64.div_s", Op<I64DivS>()},
      {"i64.div_u", Op<I64DivU>()},
      {"i64.rem_s", Op<I64RemS>()},
      {"i64.rem_u", Op<I64RemU>()},
      {"i32.extend8_s", Op<I32Extend8S>()},
      {"i32.extend16_s", Op<I32Extend16S>()},
      {"i64.extend8_s", Op<I64Extend8S>()},
      {"i64.extend16_s", Op<I64Extend16S>()},
      {"i64.extend32_s", Op<I64Extend32S>()},

      {"i32.trunc_f32_s", Op<I32TruncF32S>()},
      {"i32.trunc_f32_u", Op<I32TruncF32U>()},
      {"i32.trunc_f64_s", Op<I32TruncF64S>()},
      {"i32.trunc_f64_u", Op<I32TruncF64U>()},
      {"i64.trunc_f32_s", Op<I64TruncF32S>()},
      {"i64.trunc_f32_u", Op<I64TruncF32U>()},
      {"i64.trunc_f64_s", Op<I64TruncF64S>()},
      {"i64.trunc_f64_u", Op<I64TruncF64U>()},
      {"i32.trunc_sat_f32_s", Op<I32TruncSatF32S>()},
      {"i32.trunc_sat_f32_u", Op<I32TruncSatF32U>()},
      {"i32.trunc_sat_f64_s", Op<I32TruncSatF64S>()},
      {"i32.trunc_sat_f64_u", Op<I32TruncSatF64U>()},
      {"i64.trunc_sat_f32_s", Op<I64TruncSatF32S>()},
      {"i64.trunc_sat_f32_u", Op<I64TruncSatF32U>()},
      {"i64.trunc_sat_f64_s", Op<I64TruncSatF64S>()},
      {"i64.trunc_sat_f64_u", Op<I64TruncSatF64U>()},
      {"f32.convert_i32_s", Op<F32ConvertI32S>()},
      {"f32.convert_i32_u", Op<F32ConvertI32U>()},
      {"f32.convert_i64_s", Op<F32ConvertI64S>()},
      {"f32.convert_i64_u", Op<F32ConvertI64U>()},
      {"f64.convert_i32_s", Op<F64ConvertI32S>()},
      {"f64.convert_i32_u", Op<F64ConvertI32U>()},
      {"f64.convert_i64_s", Op<F64ConvertI64S>()},
      {"f64.convert_i64_u", Op<F64ConvertI64U>()},
      {"f32.demote_f64", Op<F32DemoteF64>()},
      {"f64.promote_f32", Op<F64PromoteF32>()},
      {"i32.reinterpret_f32", Op<ReinterpretF32>()},
      {"i64.reinterpret_f64", Op<ReinterpretF64>()},
      {"f32.reinterpret_i32", Op<F32FromBits>()},
      {"f64.reinterpret_i64", Op<F64FromBits>()},
  };
  return ops;
}

// Returns "" when the row holds, else what went wrong.
std::string CheckRow(const Row& row) {
  auto it = Ops().find(row.op);
  if (it == Ops().end()) return "operator unknown to the test";
  Result r = it->second.fn(row.a, row.b);
  Kind k = it->second.result;
  auto u32 = [](uint64_t b) { return static_cast<uint32_t>(b); };
  if (row.expect == Expect::kTrap) {
    if (!r.trapped) {
      return fmt::format("expected trap {}, got {:#x}", TrapKindName(row.trap), r.bits);
    }
    if (r.trap != row.trap) {
      return fmt::format("expected trap {}, got trap {}", TrapKindName(row.trap),
                         TrapKindName(r.trap));
    }
    return "";
  }
  if (r.trapped) return fmt::format("unexpected trap {}", TrapKindName(r.trap));
  switch (row.expect) {
    case Expect::kValue:
      if (k == Kind::kI32 || k == Kind::kF32) {
        if (r.bits > 0xffffffffu) return fmt::format("result {:#x} wider than 32 bits", r.bits);
      }
      if (r.bits != row.bits) return fmt::format("expected {:#x}, got {:#x}", row.bits, r.bits);
      return "";
    case Expect::kCanonicalNaN:
    case Expect::kArithmeticNaN: {
      bool canonical = row.expect == Expect::kCanonicalNaN;
      bool ok;
      if (k == Kind::kF32) {
        uint32_t b = u32(r.bits);
        ok = r.bits <= 0xffffffffu && (canonical ? IsCanonicalNaN32(b) : IsArithmeticNaN32(b));
      } else if (k == Kind::kF64) {
        ok = canonical ? IsCanonicalNaN64(r.bits) : IsArithmeticNaN64(r.bits);
      } else {
        return "NaN class expected from an integer-valued operator";
      }
      if (!ok) {
        return fmt::format("expected {} NaN, got {:#x}", canonical ? "canonical" : "arithmetic",
                           r.bits);
      }
      return "";
    }
    case Expect::kTrap:
      break;
  }
  return "";
}

TEST_CASE("numerics: every V8 table row holds", "[ref][numerics]") {
  size_t failures = 0;
  std::map<std::string, size_t> per_op;
  for (const Row& row : kRows) {
    ++per_op[row.op];
    std::string err = CheckRow(row);
    if (!err.empty()) {
      ++failures;
      FAIL_CHECK(fmt::format("{}({:#x}, {:#x}): {}", row.op, row.a, row.b, err));
    }
  }
  INFO(fmt::format("{} rows, {} failures", std::size(kRows), failures));
  CHECK(failures == 0);
  CHECK(std::size(kRows) > 5000);
  // Every operator tandem implements is covered by the table, and vice versa.
  for (const auto& [name, info] : Ops()) {
    INFO(name);
    CHECK(per_op.count(std::string(name)) == 1);
  }
  CHECK(per_op.size() == Ops().size());
}

// The table only classifies NaN results; these pin down tandem's own, stricter, choices
// (DESIGN.md "NaN": a NaN operand is propagated quieted, payload kept).
TEST_CASE("numerics: NaN propagation keeps payload and sign", "[ref][numerics]") {
  const uint32_t snan = 0xff800123;
  CHECK(F32Bits(F32Ceil(F32FromBits(snan))) == 0xffc00123);
  CHECK(F32Bits(F32Min(F32FromBits(0x7fc00005), 1.0f)) == 0x7fc00005);
  CHECK(F32Bits(F32Max(1.0f, F32FromBits(snan))) == 0xffc00123);
  CHECK(F64Bits(F64PromoteF32(F32FromBits(0x7fc00001))) == 0x7ff8000020000000);
  CHECK(F32Bits(F32DemoteF64(F64FromBits(0xfff8000020000000))) == 0xffc00001);
  CHECK(F32Bits(F32Sqrt(-1.0f)) == kF32CanonicalNaN);
  CHECK(F64Bits(F64Sqrt(-1.0)) == kF64CanonicalNaN);
  CHECK(F32Bits(CanonicalizeNaN(F32FromBits(0xffc00123))) == kF32CanonicalNaN);
  CHECK(F64Bits(CanonicalizeNaN(F64FromBits(0xfff0000000000001))) == kF64CanonicalNaN);
  CHECK(F64Bits(CanonicalizeNaN(-0.0)) == 0x8000000000000000);
  CHECK(IsCanonicalNaN32(0xffc00000));
  CHECK_FALSE(IsCanonicalNaN32(0x7fc00001));
  CHECK(IsArithmeticNaN32(0x7fc00001));
  CHECK_FALSE(IsArithmeticNaN32(0x7f800001));
  CHECK_FALSE(IsArithmeticNaN64(0x7ff0000000000001));
  CHECK(IsArithmeticNaN64(0xfff8000000000001));
}

}  // namespace
}  // namespace tandem::wasm::num
