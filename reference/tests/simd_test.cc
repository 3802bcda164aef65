// simd_test.cc: checks reference/simd.h against V8's wasm SIMD results, lane by lane.
// Spec 4.3 and 4.4.3 (vector instructions); DESIGN.md "NaN". Table: simd_tables.inc, regenerate
// with  node reference/tests/gen_simd_tables.js > reference/tests/simd_tables.inc
#include "reference/simd.h"

#include <fmt/format.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "reference/tests/simd_rows.h"

namespace tandem::wasm::simd {
namespace {

using table::kRows;
using table::Row;

template <typename>
struct Sig;
template <typename R, typename... A>
struct Sig<R (*)(A...)> {
  using Args = std::tuple<A...>;
  using Ret = R;
};

// One argument of an operator, taken from the row: V128 operands and integer scalars consume
// a, b, c in order (a scalar is the operand's .lo); int is the immediate lane; bool is canon;
// const uint8_t* is the shuffle's lanes (the bytes of c).
struct ArgSource {
  const Row& row;
  bool canon;
  int next = 0;
  std::array<uint8_t, 16> lanes{};

  V128 Operand() {
    int k = next++;
    return k == 0 ? row.a : k == 1 ? row.b : row.c;
  }
  template <typename A>
  A Get() {
    if constexpr (std::is_same_v<A, V128>) {
      return Operand();
    } else if constexpr (std::is_same_v<A, bool>) {
      return canon;
    } else if constexpr (std::is_same_v<A, int>) {
      return row.imm;
    } else if constexpr (std::is_same_v<A, const uint8_t*>) {
      for (int i = 0; i < 16; ++i) lanes[i] = Lane<uint8_t>(row.c, i);
      return lanes.data();
    } else {
      static_assert(std::is_same_v<A, uint32_t> || std::is_same_v<A, uint64_t>);
      return static_cast<A>(Operand().lo);
    }
  }
};

template <auto Fn>
V128 Call(const Row& row, bool canon) {
  return std::apply(
      [&](auto... tags) {
        ArgSource src{row, canon};
        // Braced initialisation evaluates left to right, so operands are taken in order.
        std::tuple<typename decltype(tags)::type...> args{
            src.Get<typename decltype(tags)::type>()...};
        auto r = std::apply(Fn, args);
        if constexpr (std::is_same_v<decltype(r), V128>) {
          return r;
        } else {
          return V128{static_cast<uint64_t>(r), 0};
        }
      },
      [] {
        using Args = typename Sig<decltype(Fn)>::Args;
        return []<size_t... I>(std::index_sequence<I...>) {
          return std::tuple<std::type_identity<std::tuple_element_t<I, Args>>...>{};
        }
        (std::make_index_sequence<std::tuple_size_v<Args>>{});
      }());
}

template <typename T>
constexpr bool kTakesCanon = false;
template <typename R, typename... A>
constexpr bool kTakesCanon<R (*)(A...)> = (std::is_same_v<A, bool> || ...);

struct OpInfo {
  V128 (*fn)(const Row&, bool canon);
  bool takes_canon;
};
template <auto Fn>
OpInfo Op() {
  return {&Call<Fn>, kTakesCanon<decltype(Fn)>};
}

// Every non-memory vector operator of Wasm 2.0, with tandem's implementation.
const std::map<std::string_view, OpInfo>& Ops() {
  static const std::map<std::string_view, OpInfo> ops = {
      {"i8x16.shuffle", Op<I8x16Shuffle>()},
      {"i8x16.swizzle", Op<I8x16Swizzle>()},
      {"i8x16.splat", Op<I8x16Splat>()},
      {"i16x8.splat", Op<I16x8Splat>()},
      {"i32x4.splat", Op<I32x4Splat>()},
      {"i64x2.splat", Op<I64x2Splat>()},
      {"f32x4.splat", Op<F32x4Splat>()},
      {"f64x2.splat", Op<F64x2Splat>()},
      {"i8x16.extract_lane_s", Op<I8x16ExtractLaneS>()},
      {"i8x16.extract_lane_u", Op<I8x16ExtractLaneU>()},
      {"i8x16.replace_lane", Op<I8x16ReplaceLane>()},
      {"i16x8.extract_lane_s", Op<I16x8ExtractLaneS>()},
      {"i16x8.extract_lane_u", Op<I16x8ExtractLaneU>()},
      {"i16x8.replace_lane", Op<I16x8ReplaceLane>()},
      {"i32x4.extract_lane", Op<I32x4ExtractLane>()},
      {"i32x4.replace_lane", Op<I32x4ReplaceLane>()},
      {"i64x2.extract_lane", Op<I64x2ExtractLane>()},
      {"i64x2.replace_lane", Op<I64x2ReplaceLane>()},
      {"f32x4.extract_lane", Op<F32x4ExtractLane>()},
      {"f32x4.replace_lane", Op<F32x4ReplaceLane>()},
      {"f64x2.extract_lane", Op<F64x2ExtractLane>()},
      {"f64x2.replace_lane", Op<F64x2ReplaceLane>()},

      {"i8x16.eq", Op<I8x16Eq>()},
      {"i8x16.ne", Op<I8x16Ne>()},
      {"i8x16.lt_s", Op<I8x16LtS>()},
      {"i8x16.lt_u", Op<I8x16LtU>()},
      {"i8x16.gt_s", Op<I8x16GtS>()},
      {"i8x16.gt_u", Op<I8x16GtU>()},
      {"i8x16.le_s", Op<I8x16LeS>()},
      {"i8x16.le_u", Op<I8x16LeU>()},
      {"i8x16.ge_s", Op<I8x16GeS>()},
      {"i8x16.ge_u", Op<I8x16GeU>()},
      {"i16x8.eq", Op<I16x8Eq>()},
      {"i16x8.ne", Op<I16x8Ne>()},
      {"i16x8.lt_s", Op<I16x8LtS>()},
      {"i16x8.lt_u", Op<I16x8LtU>()},
      {"i16x8.gt_s", Op<I16x8GtS>()},
      {"i16x8.gt_u", Op<I16x8GtU>()},
      {"i16x8.le_s", Op<I16x8LeS>()},
      {"i16x8.le_u", Op<I16x8LeU>()},
      {"i16x8.ge_s", Op<I16x8GeS>()},
      {"i16x8.ge_u", Op<I16x8GeU>()},
      {"i32x4.eq", Op<I32x4Eq>()},
      {"i32x4.ne", Op<I32x4Ne>()},
      {"i32x4.lt_s", Op<I32x4LtS>()},
      {"i32x4.lt_u", Op<I32x4LtU>()},
      {"i32x4.gt_s", Op<I32x4GtS>()},
      {"i32x4.gt_u", Op<I32x4GtU>()},
      {"i32x4.le_s", Op<I32x4LeS>()},
      {"i32x4.le_u", Op<I32x4LeU>()},
      {"i32x4.ge_s", Op<I32x4GeS>()},
      {"i32x4.ge_u", Op<I32x4GeU>()},
      {"i64x2.eq", Op<I64x2Eq>()},
      {"i64x2.ne", Op<I64x2Ne>()},
      {"i64x2.lt_s", Op<I64x2LtS>()},
      {"i64x2.gt_s", Op<I64x2GtS>()},
      {"i64x2.le_s", Op<I64x2LeS>()},
      {"i64x2.ge_s", Op<I64x2GeS>()},
      {"f32x4.eq", Op<F32x4Eq>()},
      {"f32x4.ne", Op<F32x4Ne>()},
      {"f32x4.lt", Op<F32x4Lt>()},
      {"f32x4.gt", Op<F32x4Gt>()},
      {"f32x4.le", Op<F32x4Le>()},
      {"f32x4.ge", Op<F32x4Ge>()},
      {"f64x2.eq", Op<F64x2Eq>()},
      {"f64x2.ne", Op<F64x2Ne>()},
      {"f64x2.lt", Op<F64x2Lt>()},
      {"f64x2.gt", Op<F64x2Gt>()},
      {"f64x2.le", Op<F64x2Le>()},
      {"f64x2.ge", Op<F64x2Ge>()},

      {"v128.not", Op<V128Not>()},
      {"v128.and", Op<V128And>()},
      {"v128.andnot", Op<V128Andnot>()},
      {"v128.or", Op<V128Or>()},
      {"v128.xor", Op<V128Xor>()},
      {"v128.bitselect", Op<V128Bitselect>()},
      {"v128.any_true", Op<V128AnyTrue>()},

      {"i8x16.abs", Op<I8x16Abs>()},
      {"i8x16.neg", Op<I8x16Neg>()},
      {"i8x16.popcnt", Op<I8x16Popcnt>()},
      {"i8x16.all_true", Op<I8x16AllTrue>()},
      {"i8x16.bitmask", Op<I8x16Bitmask>()},
      {"i8x16.narrow_i16x8_s", Op<I8x16NarrowI16x8S>()},
      {"i8x16.narrow_i16x8_u", Op<I8x16NarrowI16x8U>()},
      {"i8x16.shl", Op<I8x16Shl>()},
      {"i8x16.shr_s", Op<I8x16ShrS>()},
      {"i8x16.shr_u", Op<I8x16ShrU>()},
      {"i8x16.add", Op<I8x16Add>()},
      {"i8x16.add_sat_s", Op<I8x16AddSatS>()},
      {"i8x16.add_sat_u", Op<I8x16AddSatU>()},
      {"i8x16.sub", Op<I8x16Sub>()},
      {"i8x16.sub_sat_s", Op<I8x16SubSatS>()},
      {"i8x16.sub_sat_u", Op<I8x16SubSatU>()},
      {"i8x16.min_s", Op<I8x16MinS>()},
      {"i8x16.min_u", Op<I8x16MinU>()},
      {"i8x16.max_s", Op<I8x16MaxS>()},
      {"i8x16.max_u", Op<I8x16MaxU>()},
      {"i8x16.avgr_u", Op<I8x16AvgrU>()},

      {"i16x8.extadd_pairwise_i8x16_s", Op<I16x8ExtaddPairwiseI8x16S>()},
      {"i16x8.extadd_pairwise_i8x16_u", Op<I16x8ExtaddPairwiseI8x16U>()},
      {"i16x8.abs", Op<I16x8Abs>()},
      {"i16x8.neg", Op<I16x8Neg>()},
      {"i16x8.q15mulr_sat_s", Op<I16x8Q15mulrSatS>()},
      {"i16x8.all_true", Op<I16x8AllTrue>()},
      {"i16x8.bitmask", Op<I16x8Bitmask>()},
      {"i16x8.narrow_i32x4_s", Op<I16x8NarrowI32x4S>()},
      {"i16x8.narrow_i32x4_u", Op<I16x8NarrowI32x4U>()},
      {"i16x8.extend_low_i8x16_s", Op<I16x8ExtendLowI8x16S>()},
      {"i16x8.extend_high_i8x16_s", Op<I16x8ExtendHighI8x16S>()},
      {"i16x8.extend_low_i8x16_u", Op<I16x8ExtendLowI8x16U>()},
      {"i16x8.extend_high_i8x16_u", Op<I16x8ExtendHighI8x16U>()},
      {"i16x8.shl", Op<I16x8Shl>()},
      {"i16x8.shr_s", Op<I16x8ShrS>()},
      {"i16x8.shr_u", Op<I16x8ShrU>()},
      {"i16x8.add", Op<I16x8Add>()},
      {"i16x8.add_sat_s", Op<I16x8AddSatS>()},
      {"i16x8.add_sat_u", Op<I16x8AddSatU>()},
      {"i16x8.sub", Op<I16x8Sub>()},
      {"i16x8.sub_sat_s", Op<I16x8SubSatS>()},
      {"i16x8.sub_sat_u", Op<I16x8SubSatU>()},
      {"i16x8.mul", Op<I16x8Mul>()},
      {"i16x8.min_s", Op<I16x8MinS>()},
      {"i16x8.min_u", Op<I16x8MinU>()},
      {"i16x8.max_s", Op<I16x8MaxS>()},
      {"i16x8.max_u", Op<I16x8MaxU>()},
      {"i16x8.avgr_u", Op<I16x8AvgrU>()},
      {"i16x8.extmul_low_i8x16_s", Op<I16x8ExtmulLowI8x16S>()},
      {"i16x8.extmul_high_i8x16_s", Op<I16x8ExtmulHighI8x16S>()},
      {"i16x8.extmul_low_i8x16_u", Op<I16x8ExtmulLowI8x16U>()},
      {"i16x8.extmul_high_i8x16_u", Op<I16x8ExtmulHighI8x16U>()},

      {"i32x4.extadd_pairwise_i16x8_s", Op<I32x4ExtaddPairwiseI16x8S>()},
      {"i32x4.extadd_pairwise_i16x8_u", Op<I32x4ExtaddPairwiseI16x8U>()},
      {"i32x4.abs", Op<I32x4Abs>()},
      {"i32x4.neg", Op<I32x4Neg>()},
      {"i32x4.all_true", Op<I32x4AllTrue>()},
      {"i32x4.bitmask", Op<I32x4Bitmask>()},
      {"i32x4.extend_low_i16x8_s", Op<I32x4ExtendLowI16x8S>()},
      {"i32x4.extend_high_i16x8_s", Op<I32x4ExtendHighI16x8S>()},
      {"i32x4.extend_low_i16x8_u", Op<I32x4ExtendLowI16x8U>()},
      {"i32x4.extend_high_i16x8_u", Op<I32x4ExtendHighI16x8U>()},
      {"i32x4.shl", Op<I32x4Shl>()},
      {"i32x4.shr_s", Op<I32x4ShrS>()},
      {"i32x4.shr_u", Op<I32x4ShrU>()},
      {"i32x4.add", Op<I32x4Add>()},
      {"i32x4.sub", Op<I32x4Sub>()},
      {"i32x4.mul", Op<I32x4Mul>()},
      {"i32x4.min_s", Op<I32x4MinS>()},
      {"i32x4.min_u", Op<I32x4MinU>()},
      {"i32x4.max_s", Op<I32x4MaxS>()},
      {"i32x4.max_u", Op<I32x4MaxU>()},
      {"i32x4.dot_i16x8_s", Op<I32x4DotI16x8S>()},
      {"i32x4.extmul_low_i16x8_s", Op<I32x4ExtmulLowI16x8S>()},
      {"i32x4.extmul_high_i16x8_s", Op<I32x4ExtmulHighI16x8S>()},
      {"i32x4.extmul_low_i16x8_u", Op<I32x4ExtmulLowI16x8U>()},
      {"i32x4.extmul_high_i16x8_u", Op<I32x4ExtmulHighI16x8U>()},

      {"i64x2.abs", Op<I64x2Abs>()},
      {"i64x2.neg", Op<I64x2Neg>()},
      {"i64x2.all_true", Op<I64x2AllTrue>()},
      {"i64x2.bitmask", Op<I64x2Bitmask>()},
      {"i64x2.extend_low_i32x4_s", Op<I64x2ExtendLowI32x4S>()},
      {"i64x2.extend_high_i32x4_s", Op<I64x2ExtendHighI32x4S>()},
      {"i64x2.extend_low_i32x4_u", Op<I64x2ExtendLowI32x4U>()},
      {"i64x2.extend_high_i32x4_u", Op<I64x2ExtendHighI32x4U>()},
      {"i64x2.shl", Op<I64x2Shl>()},
      {"i64x2.shr_s", Op<I64x2ShrS>()},
      {"i64x2.shr_u", Op<I64x2ShrU>()},
      {"i64x2.add", Op<I64x2Add>()},
      {"i64x2.sub", Op<I64x2Sub>()},
      {"i64x2.mul", Op<I64x2Mul>()},
      {"i64x2.extmul_low_i32x4_s", Op<I64x2ExtmulLowI32x4S>()},
      {"i64x2.extmul_high_i32x4_s", Op<I64x2ExtmulHighI32x4S>()},
      {"i64x2.extmul_low_i32x4_u", Op<I64x2ExtmulLowI32x4U>()},
      {"i64x2.extmul_high_i32x4_u", Op<I64x2ExtmulHighI32x4U>()},

      {"f32x4.ceil", Op<F32x4Ceil>()},
      {"f32x4.floor", Op<F32x4Floor>()},
      {"f32x4.trunc", Op<F32x4Trunc>()},
      {"f32x4.nearest", Op<F32x4Nearest>()},
      {"f32x4.abs", Op<F32x4Abs>()},
      {"f32x4.neg", Op<F32x4Neg>()},
      {"f32x4.sqrt", Op<F32x4Sqrt>()},
      {"f32x4.add", Op<F32x4Add>()},
      {"f32x4.sub", Op<F32x4Sub>()},
      {"f32x4.mul", Op<F32x4Mul>()},
      {"f32x4.div", Op<F32x4Div>()},
      {"f32x4.min", Op<F32x4Min>()},
      {"f32x4.max", Op<F32x4Max>()},
      {"f32x4.pmin", Op<F32x4Pmin>()},
      {"f32x4.pmax", Op<F32x4Pmax>()},
      {"f64x2.ceil", Op<F64x2Ceil>()},
      {"f64x2.floor", Op<F64x2Floor>()},
      {"f64x2.trunc", Op<F64x2Trunc>()},
      {"f64x2.nearest", Op<F64x2Nearest>()},
      {"f64x2.abs", Op<F64x2Abs>()},
      {"f64x2.neg", Op<F64x2Neg>()},
      {"f64x2.sqrt", Op<F64x2Sqrt>()},
      {"f64x2.add", Op<F64x2Add>()},
      {"f64x2.sub", Op<F64x2Sub>()},
      {"f64x2.mul", Op<F64x2Mul>()},
      {"f64x2.div", Op<F64x2Div>()},
      {"f64x2.min", Op<F64x2Min>()},
      {"f64x2.max", Op<F64x2Max>()},
      {"f64x2.pmin", Op<F64x2Pmin>()},
      {"f64x2.pmax", Op<F64x2Pmax>()},

      {"i32x4.trunc_sat_f32x4_s", Op<I32x4TruncSatF32x4S>()},
      {"i32x4.trunc_sat_f32x4_u", Op<I32x4TruncSatF32x4U>()},
      {"f32x4.convert_i32x4_s", Op<F32x4ConvertI32x4S>()},
      {"f32x4.convert_i32x4_u", Op<F32x4ConvertI32x4U>()},
      {"i32x4.trunc_sat_f64x2_s_zero", Op<I32x4TruncSatF64x2SZero>()},
      {"i32x4.trunc_sat_f64x2_u_zero", Op<I32x4TruncSatF64x2UZero>()},
      {"f64x2.convert_low_i32x4_s", Op<F64x2ConvertLowI32x4S>()},
      {"f64x2.convert_low_i32x4_u", Op<F64x2ConvertLowI32x4U>()},
      {"f32x4.demote_f64x2_zero", Op<F32x4DemoteF64x2Zero>()},
      {"f64x2.promote_low_f32x4", Op<F64x2PromoteLowF32x4>()},
  };
  return ops;
}

std::string Hex(V128 v) { return fmt::format("{:016x}_{:016x}", v.hi, v.lo); }

// Returns "" when the row holds for this canon setting, else what went wrong. Lanes the row
// classifies as NaN are checked by class (canon = false) or must be exactly the positive
// canonical NaN (canon = true); every other bit must match exactly.
std::string CheckRow(const Row& row, const OpInfo& info, bool canon) {
  V128 got = info.fn(row, canon);
  if (row.nan == 0) {
    return got == row.r ? "" : fmt::format("expected {}, got {}", Hex(row.r), Hex(got));
  }
  if (!info.takes_canon) return "NaN class recorded for an operator without NaN rules";
  bool f32 = std::string_view(row.op).starts_with("f32x4.");
  if (!f32 && !std::string_view(row.op).starts_with("f64x2.")) return "NaN class on a non-float op";
  int lanes = f32 ? 4 : 2;
  for (int i = 0; i < lanes; ++i) {
    uint32_t cls = (row.nan >> (2 * i)) & 3;
    uint64_t g = f32 ? Lane<uint32_t>(got, i) : Lane<uint64_t>(got, i);
    uint64_t e = f32 ? Lane<uint32_t>(row.r, i) : Lane<uint64_t>(row.r, i);
    std::string where = fmt::format("lane {}: ", i);
    if (cls == 0) {
      if (g != e) return where + fmt::format("expected {:#x}, got {:#x} (in {})", e, g, Hex(got));
      continue;
    }
    if (canon) {
      uint64_t want = f32 ? num::kF32CanonicalNaN : num::kF64CanonicalNaN;
      if (g != want) return where + fmt::format("canon: expected {:#x}, got {:#x}", want, g);
      continue;
    }
    bool canonical = cls == 1;
    bool ok = f32 ? (canonical ? num::IsCanonicalNaN32(static_cast<uint32_t>(g))
                               : num::IsArithmeticNaN32(static_cast<uint32_t>(g)))
                  : (canonical ? num::IsCanonicalNaN64(g) : num::IsArithmeticNaN64(g));
    if (!ok) {
      return where +
             fmt::format("expected {} NaN, got {:#x}", canonical ? "canonical" : "arithmetic", g);
    }
  }
  return "";
}

std::string Describe(const Row& row) {
  return fmt::format("{}/{}(a={}, b={}, c={})", row.op, row.imm, Hex(row.a), Hex(row.b),
                     Hex(row.c));
}

TEST_CASE("simd: every V8 table row holds", "[ref][simd]") {
  size_t failures = 0, nan_rows = 0;
  std::map<std::string, size_t> per_op;
  for (const Row& row : kRows) {
    ++per_op[row.op];
    auto it = Ops().find(row.op);
    if (it == Ops().end()) {
      ++failures;
      FAIL_CHECK(fmt::format("{}: operator unknown to the test", row.op));
      continue;
    }
    if (row.nan != 0) ++nan_rows;
    for (bool canon : {false, true}) {
      std::string err = CheckRow(row, it->second, canon);
      if (!err.empty()) {
        ++failures;
        FAIL_CHECK(fmt::format("{} canon={}: {}", Describe(row), canon, err));
      }
    }
  }
  INFO(fmt::format("{} rows ({} with NaN lanes), {} failures", std::size(kRows), nan_rows,
                   failures));
  CHECK(failures == 0);
  CHECK(std::size(kRows) > 10000);
  CHECK(nan_rows > 1000);
  // Every operator tandem implements is covered by the table, and vice versa.
  for (const auto& [name, info] : Ops()) {
    INFO(name);
    CHECK(per_op.count(std::string(name)) == 1);
  }
  CHECK(per_op.size() == Ops().size());
  CHECK(Ops().size() == 213);  // Spec 5.4.8: 236 vector opcodes, less 22 memory ones and v128.const
}

// The table only classifies NaN lanes; these pin down tandem's own choices (DESIGN.md "NaN":
// a NaN operand propagates quieted with its payload and sign; abs/neg/pmin/pmax keep bits).
TEST_CASE("simd: NaN lanes keep payload and sign unless canon", "[ref][simd]") {
  V128 snan = F32x4Splat(0xff800123);
  V128 one = F32x4Splat(num::F32Bits(1.0f));
  CHECK(F32x4Add(snan, one, false) == F32x4Splat(0xffc00123));
  CHECK(F32x4Add(snan, one, true) == F32x4Splat(num::kF32CanonicalNaN));
  CHECK(F32x4Min(one, snan, false) == F32x4Splat(0xffc00123));
  CHECK(F32x4Neg(snan) == F32x4Splat(0x7f800123));
  CHECK(F32x4Abs(snan) == F32x4Splat(0x7f800123));
  CHECK(F32x4Pmin(snan, one) == snan);  // 1 < NaN is false: first operand, bits untouched
  CHECK(F32x4Pmax(one, snan) == one);
  CHECK(F64x2Sqrt(F64x2Splat(num::F64Bits(-1.0)), false) == F64x2Splat(num::kF64CanonicalNaN));
  CHECK(F64x2PromoteLowF32x4(F32x4Splat(0x7fc00001), false) == F64x2Splat(0x7ff8000020000000));
  V128 demoted = F32x4DemoteF64x2Zero(F64x2Splat(0xfff8000020000000), true);
  CHECK(demoted == V128{0x7fc000007fc00000, 0});
}

// Memory helpers are not in the V8 table: check them against the table-verified lane
// operators on the same bytes, and the byte order against the spec's little-endian rule.
TEST_CASE("simd: memory helpers agree with the lane operators", "[ref][simd]") {
  std::array<uint8_t, 16> mem{};
  for (int i = 0; i < 16; ++i) mem[i] = static_cast<uint8_t>(0x71 + 0x13 * i);
  const uint8_t* p = mem.data();
  V128 v = Load128(p);
  for (int i = 0; i < 16; ++i) CHECK(Lane<uint8_t>(v, i) == mem[i]);
  std::array<uint8_t, 16> out{};
  Store128(out.data(), v);
  CHECK(out == mem);

  CHECK(Load8x8S(p) == I16x8ExtendLowI8x16S(v));
  CHECK(Load8x8U(p) == I16x8ExtendLowI8x16U(v));
  CHECK(Load16x4S(p) == I32x4ExtendLowI16x8S(v));
  CHECK(Load16x4U(p) == I32x4ExtendLowI16x8U(v));
  CHECK(Load32x2S(p) == I64x2ExtendLowI32x4S(v));
  CHECK(Load32x2U(p) == I64x2ExtendLowI32x4U(v));
  CHECK(Load8Splat(p + 3) == I8x16Splat(mem[3]));
  CHECK(Load16Splat(p + 3) == I16x8Splat(uint32_t{mem[3]} | uint32_t{mem[4]} << 8));
  CHECK(Load32Splat(p) == I32x4Splat(I32x4ExtractLane(v, 0)));
  CHECK(Load64Splat(p + 8) == I64x2Splat(I64x2ExtractLane(v, 1)));
  CHECK(Load32Zero(p + 4) == I32x4ReplaceLane(V128{}, 0, I32x4ExtractLane(v, 1)));
  CHECK(Load64Zero(p + 8) == I64x2ReplaceLane(V128{}, 0, I64x2ExtractLane(v, 1)));

  V128 base = I8x16Splat(0xee);
  for (int lane = 0; lane < 16; ++lane) {
    CHECK(Load8Lane(p + lane, base, lane) == I8x16ReplaceLane(base, lane, mem[lane]));
  }
  for (int lane = 0; lane < 8; ++lane) {
    CHECK(Load16Lane(p + 2 * lane, base, lane) ==
          I16x8ReplaceLane(base, lane, I16x8ExtractLaneU(v, lane)));
  }
  for (int lane = 0; lane < 4; ++lane) {
    CHECK(Load32Lane(p + 4 * lane, base, lane) ==
          I32x4ReplaceLane(base, lane, I32x4ExtractLane(v, lane)));
  }
  for (int lane = 0; lane < 2; ++lane) {
    CHECK(Load64Lane(p + 8 * lane, base, lane) ==
          I64x2ReplaceLane(base, lane, I64x2ExtractLane(v, lane)));
  }
  for (int lane = 0; lane < 16; ++lane) {
    std::array<uint8_t, 2> b{0x55, 0x55};
    Store8Lane(b.data(), v, lane);
    CHECK(b[0] == mem[lane]);
    CHECK(b[1] == 0x55);  // nothing past the lane is written
  }
  for (int lane = 0; lane < 8; ++lane) {
    std::array<uint8_t, 3> b{};
    Store16Lane(b.data(), v, lane);
    CHECK(Load16Splat(b.data()) == I16x8Splat(I16x8ExtractLaneU(v, lane)));
  }
  for (int lane = 0; lane < 4; ++lane) {
    std::array<uint8_t, 4> b{};
    Store32Lane(b.data(), v, lane);
    CHECK(Load32Splat(b.data()) == I32x4Splat(I32x4ExtractLane(v, lane)));
  }
  for (int lane = 0; lane < 2; ++lane) {
    std::array<uint8_t, 8> b{};
    Store64Lane(b.data(), v, lane);
    CHECK(Load64Splat(b.data()) == I64x2Splat(I64x2ExtractLane(v, lane)));
  }
}

}  // namespace
}  // namespace tandem::wasm::simd
