// simd.h: tandem's 128-bit vector operators as pure lane functions, header-only and free of UB.
// Spec 4.3 (exec/numerics.rst, lane-wise application) and 4.4.3 (vector instructions); DESIGN.md
// "NaN".
#pragma once

#include <bit>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "reference/numerics.h"

namespace tandem::wasm::simd {

// A v128 value: lo holds bytes 0..7, hi bytes 8..15 (little-endian, as in memory).
struct V128 {
  uint64_t lo = 0, hi = 0;
  bool operator==(const V128&) const = default;
};

// ---- Lane access (lane 0 = lowest bytes) -------------------------------------------------------
// T is any 1-, 2-, 4- or 8-byte integer, float or double. The lane index is taken modulo the
// lane count, so an invalid index never reads outside the value.

namespace detail {
template <size_t kSize>
using UInt = std::conditional_t<
    kSize == 1, uint8_t,
    std::conditional_t<kSize == 2, uint16_t, std::conditional_t<kSize == 4, uint32_t, uint64_t>>>;
template <typename T>
constexpr int kLanes = static_cast<int>(16 / sizeof(T));
}  // namespace detail

template <typename T>
T Lane(const V128& v, int i) {
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
  using U = detail::UInt<sizeof(T)>;
  int bit = (i & (detail::kLanes<T> - 1)) * static_cast<int>(sizeof(T) * 8);
  uint64_t word = bit < 64 ? v.lo : v.hi;
  return std::bit_cast<T>(static_cast<U>(word >> (bit & 63)));
}

template <typename T>
void SetLane(V128& v, int i, T x) {
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
  using U = detail::UInt<sizeof(T)>;
  int bit = (i & (detail::kLanes<T> - 1)) * static_cast<int>(sizeof(T) * 8);
  uint64_t mask = static_cast<uint64_t>(std::numeric_limits<U>::max()) << (bit & 63);
  uint64_t val = static_cast<uint64_t>(std::bit_cast<U>(x)) << (bit & 63);
  uint64_t& word = bit < 64 ? v.lo : v.hi;
  word = (word & ~mask) | val;
}

namespace detail {

template <typename T, typename F>
V128 Map1(V128 a, F f) {
  V128 r;
  for (int i = 0; i < kLanes<T>; ++i) SetLane<T>(r, i, static_cast<T>(f(Lane<T>(a, i))));
  return r;
}
template <typename T, typename F>
V128 Map2(V128 a, V128 b, F f) {
  V128 r;
  for (int i = 0; i < kLanes<T>; ++i) {
    SetLane<T>(r, i, static_cast<T>(f(Lane<T>(a, i), Lane<T>(b, i))));
  }
  return r;
}
// Float lanes: each result lane that is a NaN becomes +canonical when canon is set.
template <typename F, typename Fn>
V128 MapF1(V128 a, bool canon, Fn f) {
  return Map1<F>(a, [&](F x) {
    F r = f(x);
    return canon ? num::CanonicalizeNaN(r) : r;
  });
}
template <typename F, typename Fn>
V128 MapF2(V128 a, V128 b, bool canon, Fn f) {
  return Map2<F>(a, b, [&](F x, F y) {
    F r = f(x, y);
    return canon ? num::CanonicalizeNaN(r) : r;
  });
}
// Comparisons: all-ones lane when pred holds, else zero; the result lane has T's width.
template <typename T, typename Pred>
V128 Cmp(V128 a, V128 b, Pred pred) {
  using U = UInt<sizeof(T)>;
  V128 r;
  for (int i = 0; i < kLanes<T>; ++i) {
    SetLane<U>(r, i, pred(Lane<T>(a, i), Lane<T>(b, i)) ? std::numeric_limits<U>::max() : U{0});
  }
  return r;
}

// sat_s / sat_u (Spec 4.3.2): clamp a mathematical integer to T's range.
template <typename T>
T Sat(int64_t v) {
  if (v < static_cast<int64_t>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
  if (v > static_cast<int64_t>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(v);
}

// Modular integer lane arithmetic on unsigned U (wider than int where needed, never overflowing
// a signed type).
template <typename U>
using Wide = std::conditional_t<(sizeof(U) < 4), uint32_t, U>;
template <typename U>
V128 Add(V128 a, V128 b) {
  return Map2<U>(a, b, [](U x, U y) { return static_cast<U>(Wide<U>{x} + Wide<U>{y}); });
}
template <typename U>
V128 Sub(V128 a, V128 b) {
  return Map2<U>(a, b, [](U x, U y) { return static_cast<U>(Wide<U>{x} - Wide<U>{y}); });
}
template <typename U>
V128 Mul(V128 a, V128 b) {
  return Map2<U>(a, b, [](U x, U y) { return static_cast<U>(Wide<U>{x} * Wide<U>{y}); });
}
template <typename U>
V128 Neg(V128 a) {
  return Map1<U>(a, [](U x) { return static_cast<U>(Wide<U>{0} - Wide<U>{x}); });
}
// abs of INT_MIN is INT_MIN (wraps).
template <typename S>
V128 Abs(V128 a) {
  using U = UInt<sizeof(S)>;
  return Map1<U>(
      a, [](U x) { return static_cast<S>(x) < 0 ? static_cast<U>(Wide<U>{0} - Wide<U>{x}) : x; });
}
// Saturating add/sub for lanes up to 16 bits: exact in int64, then clamped.
template <typename T>
V128 AddSat(V128 a, V128 b) {
  return Map2<T>(a, b, [](T x, T y) { return Sat<T>(int64_t{x} + int64_t{y}); });
}
template <typename T>
V128 SubSat(V128 a, V128 b) {
  return Map2<T>(a, b, [](T x, T y) { return Sat<T>(int64_t{x} - int64_t{y}); });
}
template <typename T>
V128 Min(V128 a, V128 b) {
  return Map2<T>(a, b, [](T x, T y) { return y < x ? y : x; });
}
template <typename T>
V128 Max(V128 a, V128 b) {
  return Map2<T>(a, b, [](T x, T y) { return x < y ? y : x; });
}
template <typename U>
V128 AvgrU(V128 a, V128 b) {
  return Map2<U>(a, b,
                 [](U x, U y) { return static_cast<U>((uint32_t{x} + uint32_t{y} + 1) / 2); });
}
// Shift counts are taken modulo the lane width.
template <typename U>
V128 Shl(V128 a, uint32_t k) {
  uint32_t s = k & (sizeof(U) * 8 - 1);
  return Map1<U>(a, [s](U x) { return static_cast<U>(Wide<U>{x} << s); });
}
template <typename U>
V128 ShrU(V128 a, uint32_t k) {
  uint32_t s = k & (sizeof(U) * 8 - 1);
  return Map1<U>(a, [s](U x) { return static_cast<U>(x >> s); });
}
template <typename S>
V128 ShrS(V128 a, uint32_t k) {
  uint32_t s = k & (sizeof(S) * 8 - 1);
  return Map1<S>(a, [s](S x) { return static_cast<S>(x >> s); });  // arithmetic in C++20
}
template <typename U>
uint32_t AllTrue(V128 a) {
  for (int i = 0; i < kLanes<U>; ++i) {
    if (Lane<U>(a, i) == 0) return 0;
  }
  return 1;
}
template <typename S>
uint32_t Bitmask(V128 a) {
  uint32_t m = 0;
  for (int i = 0; i < kLanes<S>; ++i) {
    if (Lane<S>(a, i) < 0) m |= uint32_t{1} << i;
  }
  return m;
}
// narrow: lanes of a, then lanes of b, each saturated from the signed input (From is signed).
template <typename From, typename To>
V128 Narrow(V128 a, V128 b) {
  constexpr int kHalf = kLanes<From>;
  V128 r;
  for (int i = 0; i < kHalf; ++i) {
    SetLane<To>(r, i, Sat<To>(Lane<From>(a, i)));
    SetLane<To>(r, kHalf + i, Sat<To>(Lane<From>(b, i)));
  }
  return r;
}
// extend: the low or high half of a's From lanes, widened by value (signedness of From).
template <typename From, typename To>
V128 Extend(V128 a, bool high) {
  constexpr int kN = kLanes<To>;
  V128 r;
  for (int i = 0; i < kN; ++i)
    SetLane<To>(r, i, static_cast<To>(Lane<From>(a, i + (high ? kN : 0))));
  return r;
}
template <typename From, typename To>
V128 ExtMul(V128 a, V128 b, bool high) {
  using W = std::conditional_t<std::is_signed_v<From>, int64_t, uint64_t>;
  constexpr int kN = kLanes<To>;
  V128 r;
  for (int i = 0; i < kN; ++i) {
    int j = i + (high ? kN : 0);
    SetLane<To>(r, i, static_cast<To>(W{Lane<From>(a, j)} * W{Lane<From>(b, j)}));
  }
  return r;
}
template <typename From, typename To>
V128 ExtAddPairwise(V128 a) {
  using W = std::conditional_t<std::is_signed_v<From>, int64_t, uint64_t>;
  V128 r;
  for (int i = 0; i < kLanes<To>; ++i) {
    SetLane<To>(r, i, static_cast<To>(W{Lane<From>(a, 2 * i)} + W{Lane<From>(a, 2 * i + 1)}));
  }
  return r;
}

// pmin/pmax (Spec 4.3.3): defined by flt, return one operand's bits unchanged (no NaN rules).
template <typename F>
V128 Pmin(V128 a, V128 b) {
  using U = UInt<sizeof(F)>;
  V128 r;
  for (int i = 0; i < kLanes<F>; ++i) {
    bool pick_b = Lane<F>(b, i) < Lane<F>(a, i);
    SetLane<U>(r, i, pick_b ? Lane<U>(b, i) : Lane<U>(a, i));
  }
  return r;
}
template <typename F>
V128 Pmax(V128 a, V128 b) {
  using U = UInt<sizeof(F)>;
  V128 r;
  for (int i = 0; i < kLanes<F>; ++i) {
    bool pick_b = Lane<F>(a, i) < Lane<F>(b, i);
    SetLane<U>(r, i, pick_b ? Lane<U>(b, i) : Lane<U>(a, i));
  }
  return r;
}

// Little-endian memory access, independent of the host's byte order.
template <typename U>
U LoadLE(const uint8_t* p) {
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof(U); ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return static_cast<U>(v);
}
template <typename U>
void StoreLE(uint8_t* p, U x) {
  for (size_t i = 0; i < sizeof(U); ++i)
    p[i] = static_cast<uint8_t>(static_cast<uint64_t>(x) >> (8 * i));
}
template <typename T>
V128 Splat(T x) {
  V128 r;
  for (int i = 0; i < kLanes<T>; ++i) SetLane<T>(r, i, x);
  return r;
}
}  // namespace detail

// ---- Constructors, splat, extract_lane, replace_lane (Spec 4.4.3) ------------------------------
// Scalars cross as their integer bits: f32 as uint32_t, f64 as uint64_t. Lane indices are
// validated by the validator; out-of-range indices wrap (never UB).

inline V128 I8x16Splat(uint32_t x) { return detail::Splat<uint8_t>(static_cast<uint8_t>(x)); }
inline V128 I16x8Splat(uint32_t x) { return detail::Splat<uint16_t>(static_cast<uint16_t>(x)); }
inline V128 I32x4Splat(uint32_t x) { return detail::Splat<uint32_t>(x); }
inline V128 I64x2Splat(uint64_t x) { return detail::Splat<uint64_t>(x); }
inline V128 F32x4Splat(uint32_t bits) { return detail::Splat<uint32_t>(bits); }
inline V128 F64x2Splat(uint64_t bits) { return detail::Splat<uint64_t>(bits); }

inline uint32_t I8x16ExtractLaneS(V128 v, int lane) {
  return static_cast<uint32_t>(int32_t{Lane<int8_t>(v, lane)});
}
inline uint32_t I8x16ExtractLaneU(V128 v, int lane) { return Lane<uint8_t>(v, lane); }
inline uint32_t I16x8ExtractLaneS(V128 v, int lane) {
  return static_cast<uint32_t>(int32_t{Lane<int16_t>(v, lane)});
}
inline uint32_t I16x8ExtractLaneU(V128 v, int lane) { return Lane<uint16_t>(v, lane); }
inline uint32_t I32x4ExtractLane(V128 v, int lane) { return Lane<uint32_t>(v, lane); }
inline uint64_t I64x2ExtractLane(V128 v, int lane) { return Lane<uint64_t>(v, lane); }
inline uint32_t F32x4ExtractLane(V128 v, int lane) { return Lane<uint32_t>(v, lane); }
inline uint64_t F64x2ExtractLane(V128 v, int lane) { return Lane<uint64_t>(v, lane); }

inline V128 I8x16ReplaceLane(V128 v, int lane, uint32_t x) {
  SetLane<uint8_t>(v, lane, static_cast<uint8_t>(x));
  return v;
}
inline V128 I16x8ReplaceLane(V128 v, int lane, uint32_t x) {
  SetLane<uint16_t>(v, lane, static_cast<uint16_t>(x));
  return v;
}
inline V128 I32x4ReplaceLane(V128 v, int lane, uint32_t x) {
  SetLane<uint32_t>(v, lane, x);
  return v;
}
inline V128 I64x2ReplaceLane(V128 v, int lane, uint64_t x) {
  SetLane<uint64_t>(v, lane, x);
  return v;
}
inline V128 F32x4ReplaceLane(V128 v, int lane, uint32_t bits) {
  SetLane<uint32_t>(v, lane, bits);
  return v;
}
inline V128 F64x2ReplaceLane(V128 v, int lane, uint64_t bits) {
  SetLane<uint64_t>(v, lane, bits);
  return v;
}

// Result byte i is byte lanes[i] of a ++ b (lanes[i] < 32 after validation; taken modulo 32).
inline V128 I8x16Shuffle(V128 a, V128 b, const uint8_t lanes[16]) {
  V128 r;
  for (int i = 0; i < 16; ++i) {
    int j = lanes[i] & 31;
    SetLane<uint8_t>(r, i, j < 16 ? Lane<uint8_t>(a, j) : Lane<uint8_t>(b, j - 16));
  }
  return r;
}
// Result byte i is a's byte b[i], or 0 when b[i] >= 16.
inline V128 I8x16Swizzle(V128 a, V128 b) {
  V128 r;
  for (int i = 0; i < 16; ++i) {
    uint8_t j = Lane<uint8_t>(b, i);
    SetLane<uint8_t>(r, i, j < 16 ? Lane<uint8_t>(a, j) : uint8_t{0});
  }
  return r;
}

// ---- Bitwise (Spec 4.4.3 vvunop, vvbinop, vvternop, vvtestop) ---------------------------------

inline V128 V128Not(V128 a) { return {~a.lo, ~a.hi}; }
inline V128 V128And(V128 a, V128 b) { return {a.lo & b.lo, a.hi & b.hi}; }
inline V128 V128Andnot(V128 a, V128 b) { return {a.lo & ~b.lo, a.hi & ~b.hi}; }
inline V128 V128Or(V128 a, V128 b) { return {a.lo | b.lo, a.hi | b.hi}; }
inline V128 V128Xor(V128 a, V128 b) { return {a.lo ^ b.lo, a.hi ^ b.hi}; }
// Bits of a where c is 1, bits of b where c is 0.
inline V128 V128Bitselect(V128 a, V128 b, V128 c) {
  return {(a.lo & c.lo) | (b.lo & ~c.lo), (a.hi & c.hi) | (b.hi & ~c.hi)};
}
inline uint32_t V128AnyTrue(V128 a) { return (a.lo | a.hi) != 0 ? 1 : 0; }

// ---- Integer lanes (Spec 4.3.2, applied lane-wise) ---------------------------------------------

// i8x16
inline V128 I8x16Eq(V128 a, V128 b) {
  return detail::Cmp<uint8_t>(a, b, [](auto x, auto y) { return x == y; });
}
inline V128 I8x16Ne(V128 a, V128 b) {
  return detail::Cmp<uint8_t>(a, b, [](auto x, auto y) { return x != y; });
}
inline V128 I8x16LtS(V128 a, V128 b) {
  return detail::Cmp<int8_t>(a, b, [](auto x, auto y) { return x < y; });
}
inline V128 I8x16LtU(V128 a, V128 b) {
  return detail::Cmp<uint8_t>(a, b, [](auto x, auto y) { return x < y; });
}
inline V128 I8x16GtS(V128 a, V128 b) {
  return detail::Cmp<int8_t>(a, b, [](auto x, auto y) { return x > y; });
}
inline V128 I8x16GtU(V128 a, V128 b) {
  return detail::Cmp<uint8_t>(a, b, [](auto x, auto y) { return x > y; });
}
inline V128 I8x16LeS(V128 a, V128 b) {
  return detail::Cmp<int8_t>(a, b, [](auto x, auto y) { return x <= y; });
}
inline V128 I8x16LeU(V128 a, V128 b) {
  return detail::Cmp<uint8_t>(a, b, [](auto x, auto y) { return x <= y; });
}
inline V128 I8x16GeS(V128 a, V128 b) {
  return detail::Cmp<int8_t>(a, b, [](auto x, auto y) { return x >= y; });
}
inline V128 I8x16GeU(V128 a, V128 b) {
  return detail::Cmp<uint8_t>(a, b, [](auto x, auto y) { return x >= y; });
}
inline V128 I8x16Abs(V128 a) { return detail::Abs<int8_t>(a); }
inline V128 I8x16Neg(V128 a) { return detail::Neg<uint8_t>(a); }
inline V128 I8x16Popcnt(V128 a) {
  return detail::Map1<uint8_t>(a, [](uint8_t x) { return std::popcount(x); });
}
inline uint32_t I8x16AllTrue(V128 a) { return detail::AllTrue<uint8_t>(a); }
inline uint32_t I8x16Bitmask(V128 a) { return detail::Bitmask<int8_t>(a); }
inline V128 I8x16NarrowI16x8S(V128 a, V128 b) { return detail::Narrow<int16_t, int8_t>(a, b); }
inline V128 I8x16NarrowI16x8U(V128 a, V128 b) { return detail::Narrow<int16_t, uint8_t>(a, b); }
inline V128 I8x16Shl(V128 a, uint32_t k) { return detail::Shl<uint8_t>(a, k); }
inline V128 I8x16ShrS(V128 a, uint32_t k) { return detail::ShrS<int8_t>(a, k); }
inline V128 I8x16ShrU(V128 a, uint32_t k) { return detail::ShrU<uint8_t>(a, k); }
inline V128 I8x16Add(V128 a, V128 b) { return detail::Add<uint8_t>(a, b); }
inline V128 I8x16AddSatS(V128 a, V128 b) { return detail::AddSat<int8_t>(a, b); }
inline V128 I8x16AddSatU(V128 a, V128 b) { return detail::AddSat<uint8_t>(a, b); }
inline V128 I8x16Sub(V128 a, V128 b) { return detail::Sub<uint8_t>(a, b); }
inline V128 I8x16SubSatS(V128 a, V128 b) { return detail::SubSat<int8_t>(a, b); }
inline V128 I8x16SubSatU(V128 a, V128 b) { return detail::SubSat<uint8_t>(a, b); }
inline V128 I8x16MinS(V128 a, V128 b) { return detail::Min<int8_t>(a, b); }
inline V128 I8x16MinU(V128 a, V128 b) { return detail::Min<uint8_t>(a, b); }
inline V128 I8x16MaxS(V128 a, V128 b) { return detail::Max<int8_t>(a, b); }
inline V128 I8x16MaxU(V128 a, V128 b) { return detail::Max<uint8_t>(a, b); }
inline V128 I8x16AvgrU(V128 a, V128 b) { return detail::AvgrU<uint8_t>(a, b); }

// i16x8
inline V128 I16x8Eq(V128 a, V128 b) {
  return detail::Cmp<uint16_t>(a, b, [](auto x, auto y) { return x == y; });
}
inline V128 I16x8Ne(V128 a, V128 b) {
  return detail::Cmp<uint16_t>(a, b, [](auto x, auto y) { return x != y; });
}
inline V128 I16x8LtS(V128 a, V128 b) {
  return detail::Cmp<int16_t>(a, b, [](auto x, auto y) { return x < y; });
}
inline V128 I16x8LtU(V128 a, V128 b) {
  return detail::Cmp<uint16_t>(a, b, [](auto x, auto y) { return x < y; });
}
inline V128 I16x8GtS(V128 a, V128 b) {
  return detail::Cmp<int16_t>(a, b, [](auto x, auto y) { return x > y; });
}
inline V128 I16x8GtU(V128 a, V128 b) {
  return detail::Cmp<uint16_t>(a, b, [](auto x, auto y) { return x > y; });
}
inline V128 I16x8LeS(V128 a, V128 b) {
  return detail::Cmp<int16_t>(a, b, [](auto x, auto y) { return x <= y; });
}
inline V128 I16x8LeU(V128 a, V128 b) {
  return detail::Cmp<uint16_t>(a, b, [](auto x, auto y) { return x <= y; });
}
inline V128 I16x8GeS(V128 a, V128 b) {
  return detail::Cmp<int16_t>(a, b, [](auto x, auto y) { return x >= y; });
}
inline V128 I16x8GeU(V128 a, V128 b) {
  return detail::Cmp<uint16_t>(a, b, [](auto x, auto y) { return x >= y; });
}
inline V128 I16x8ExtaddPairwiseI8x16S(V128 a) { return detail::ExtAddPairwise<int8_t, int16_t>(a); }
inline V128 I16x8ExtaddPairwiseI8x16U(V128 a) {
  return detail::ExtAddPairwise<uint8_t, uint16_t>(a);
}
inline V128 I16x8Abs(V128 a) { return detail::Abs<int16_t>(a); }
inline V128 I16x8Neg(V128 a) { return detail::Neg<uint16_t>(a); }
// sat_s(ishr_s(a * b + 2^14, 15)); only (-2^15)^2 saturates.
inline V128 I16x8Q15mulrSatS(V128 a, V128 b) {
  return detail::Map2<int16_t>(a, b, [](int16_t x, int16_t y) {
    return detail::Sat<int16_t>((int32_t{x} * int32_t{y} + 0x4000) >> 15);
  });
}
inline uint32_t I16x8AllTrue(V128 a) { return detail::AllTrue<uint16_t>(a); }
inline uint32_t I16x8Bitmask(V128 a) { return detail::Bitmask<int16_t>(a); }
inline V128 I16x8NarrowI32x4S(V128 a, V128 b) { return detail::Narrow<int32_t, int16_t>(a, b); }
inline V128 I16x8NarrowI32x4U(V128 a, V128 b) { return detail::Narrow<int32_t, uint16_t>(a, b); }
inline V128 I16x8ExtendLowI8x16S(V128 a) { return detail::Extend<int8_t, int16_t>(a, false); }
inline V128 I16x8ExtendHighI8x16S(V128 a) { return detail::Extend<int8_t, int16_t>(a, true); }
inline V128 I16x8ExtendLowI8x16U(V128 a) { return detail::Extend<uint8_t, uint16_t>(a, false); }
inline V128 I16x8ExtendHighI8x16U(V128 a) { return detail::Extend<uint8_t, uint16_t>(a, true); }
inline V128 I16x8Shl(V128 a, uint32_t k) { return detail::Shl<uint16_t>(a, k); }
inline V128 I16x8ShrS(V128 a, uint32_t k) { return detail::ShrS<int16_t>(a, k); }
inline V128 I16x8ShrU(V128 a, uint32_t k) { return detail::ShrU<uint16_t>(a, k); }
inline V128 I16x8Add(V128 a, V128 b) { return detail::Add<uint16_t>(a, b); }
inline V128 I16x8AddSatS(V128 a, V128 b) { return detail::AddSat<int16_t>(a, b); }
inline V128 I16x8AddSatU(V128 a, V128 b) { return detail::AddSat<uint16_t>(a, b); }
inline V128 I16x8Sub(V128 a, V128 b) { return detail::Sub<uint16_t>(a, b); }
inline V128 I16x8SubSatS(V128 a, V128 b) { return detail::SubSat<int16_t>(a, b); }
inline V128 I16x8SubSatU(V128 a, V128 b) { return detail::SubSat<uint16_t>(a, b); }
inline V128 I16x8Mul(V128 a, V128 b) { return detail::Mul<uint16_t>(a, b); }
inline V128 I16x8MinS(V128 a, V128 b) { return detail::Min<int16_t>(a, b); }
inline V128 I16x8MinU(V128 a, V128 b) { return detail::Min<uint16_t>(a, b); }
inline V128 I16x8MaxS(V128 a, V128 b) { return detail::Max<int16_t>(a, b); }
inline V128 I16x8MaxU(V128 a, V128 b) { return detail::Max<uint16_t>(a, b); }
inline V128 I16x8AvgrU(V128 a, V128 b) { return detail::AvgrU<uint16_t>(a, b); }
inline V128 I16x8ExtmulLowI8x16S(V128 a, V128 b) {
  return detail::ExtMul<int8_t, int16_t>(a, b, false);
}
inline V128 I16x8ExtmulHighI8x16S(V128 a, V128 b) {
  return detail::ExtMul<int8_t, int16_t>(a, b, true);
}
inline V128 I16x8ExtmulLowI8x16U(V128 a, V128 b) {
  return detail::ExtMul<uint8_t, uint16_t>(a, b, false);
}
inline V128 I16x8ExtmulHighI8x16U(V128 a, V128 b) {
  return detail::ExtMul<uint8_t, uint16_t>(a, b, true);
}

// i32x4
inline V128 I32x4Eq(V128 a, V128 b) {
  return detail::Cmp<uint32_t>(a, b, [](auto x, auto y) { return x == y; });
}
inline V128 I32x4Ne(V128 a, V128 b) {
  return detail::Cmp<uint32_t>(a, b, [](auto x, auto y) { return x != y; });
}
inline V128 I32x4LtS(V128 a, V128 b) {
  return detail::Cmp<int32_t>(a, b, [](auto x, auto y) { return x < y; });
}
inline V128 I32x4LtU(V128 a, V128 b) {
  return detail::Cmp<uint32_t>(a, b, [](auto x, auto y) { return x < y; });
}
inline V128 I32x4GtS(V128 a, V128 b) {
  return detail::Cmp<int32_t>(a, b, [](auto x, auto y) { return x > y; });
}
inline V128 I32x4GtU(V128 a, V128 b) {
  return detail::Cmp<uint32_t>(a, b, [](auto x, auto y) { return x > y; });
}
inline V128 I32x4LeS(V128 a, V128 b) {
  return detail::Cmp<int32_t>(a, b, [](auto x, auto y) { return x <= y; });
}
inline V128 I32x4LeU(V128 a, V128 b) {
  return detail::Cmp<uint32_t>(a, b, [](auto x, auto y) { return x <= y; });
}
inline V128 I32x4GeS(V128 a, V128 b) {
  return detail::Cmp<int32_t>(a, b, [](auto x, auto y) { return x >= y; });
}
inline V128 I32x4GeU(V128 a, V128 b) {
  return detail::Cmp<uint32_t>(a, b, [](auto x, auto y) { return x >= y; });
}
inline V128 I32x4ExtaddPairwiseI16x8S(V128 a) {
  return detail::ExtAddPairwise<int16_t, int32_t>(a);
}
inline V128 I32x4ExtaddPairwiseI16x8U(V128 a) {
  return detail::ExtAddPairwise<uint16_t, uint32_t>(a);
}
inline V128 I32x4Abs(V128 a) { return detail::Abs<int32_t>(a); }
inline V128 I32x4Neg(V128 a) { return detail::Neg<uint32_t>(a); }
inline uint32_t I32x4AllTrue(V128 a) { return detail::AllTrue<uint32_t>(a); }
inline uint32_t I32x4Bitmask(V128 a) { return detail::Bitmask<int32_t>(a); }
inline V128 I32x4ExtendLowI16x8S(V128 a) { return detail::Extend<int16_t, int32_t>(a, false); }
inline V128 I32x4ExtendHighI16x8S(V128 a) { return detail::Extend<int16_t, int32_t>(a, true); }
inline V128 I32x4ExtendLowI16x8U(V128 a) { return detail::Extend<uint16_t, uint32_t>(a, false); }
inline V128 I32x4ExtendHighI16x8U(V128 a) { return detail::Extend<uint16_t, uint32_t>(a, true); }
inline V128 I32x4Shl(V128 a, uint32_t k) { return detail::Shl<uint32_t>(a, k); }
inline V128 I32x4ShrS(V128 a, uint32_t k) { return detail::ShrS<int32_t>(a, k); }
inline V128 I32x4ShrU(V128 a, uint32_t k) { return detail::ShrU<uint32_t>(a, k); }
inline V128 I32x4Add(V128 a, V128 b) { return detail::Add<uint32_t>(a, b); }
inline V128 I32x4Sub(V128 a, V128 b) { return detail::Sub<uint32_t>(a, b); }
inline V128 I32x4Mul(V128 a, V128 b) { return detail::Mul<uint32_t>(a, b); }
inline V128 I32x4MinS(V128 a, V128 b) { return detail::Min<int32_t>(a, b); }
inline V128 I32x4MinU(V128 a, V128 b) { return detail::Min<uint32_t>(a, b); }
inline V128 I32x4MaxS(V128 a, V128 b) { return detail::Max<int32_t>(a, b); }
inline V128 I32x4MaxU(V128 a, V128 b) { return detail::Max<uint32_t>(a, b); }
// Lane i: a[2i]*b[2i] + a[2i+1]*b[2i+1], modulo 2^32 (only (-2^15)^2 * 2 wraps).
inline V128 I32x4DotI16x8S(V128 a, V128 b) {
  V128 r;
  for (int i = 0; i < 4; ++i) {
    int64_t s = int64_t{Lane<int16_t>(a, 2 * i)} * Lane<int16_t>(b, 2 * i) +
                int64_t{Lane<int16_t>(a, 2 * i + 1)} * Lane<int16_t>(b, 2 * i + 1);
    SetLane<uint32_t>(r, i, static_cast<uint32_t>(s));
  }
  return r;
}
inline V128 I32x4ExtmulLowI16x8S(V128 a, V128 b) {
  return detail::ExtMul<int16_t, int32_t>(a, b, false);
}
inline V128 I32x4ExtmulHighI16x8S(V128 a, V128 b) {
  return detail::ExtMul<int16_t, int32_t>(a, b, true);
}
inline V128 I32x4ExtmulLowI16x8U(V128 a, V128 b) {
  return detail::ExtMul<uint16_t, uint32_t>(a, b, false);
}
inline V128 I32x4ExtmulHighI16x8U(V128 a, V128 b) {
  return detail::ExtMul<uint16_t, uint32_t>(a, b, true);
}

// i64x2
inline V128 I64x2Eq(V128 a, V128 b) {
  return detail::Cmp<uint64_t>(a, b, [](auto x, auto y) { return x == y; });
}
inline V128 I64x2Ne(V128 a, V128 b) {
  return detail::Cmp<uint64_t>(a, b, [](auto x, auto y) { return x != y; });
}
inline V128 I64x2LtS(V128 a, V128 b) {
  return detail::Cmp<int64_t>(a, b, [](auto x, auto y) { return x < y; });
}
inline V128 I64x2GtS(V128 a, V128 b) {
  return detail::Cmp<int64_t>(a, b, [](auto x, auto y) { return x > y; });
}
inline V128 I64x2LeS(V128 a, V128 b) {
  return detail::Cmp<int64_t>(a, b, [](auto x, auto y) { return x <= y; });
}
inline V128 I64x2GeS(V128 a, V128 b) {
  return detail::Cmp<int64_t>(a, b, [](auto x, auto y) { return x >= y; });
}
inline V128 I64x2Abs(V128 a) { return detail::Abs<int64_t>(a); }
inline V128 I64x2Neg(V128 a) { return detail::Neg<uint64_t>(a); }
inline uint32_t I64x2AllTrue(V128 a) { return detail::AllTrue<uint64_t>(a); }
inline uint32_t I64x2Bitmask(V128 a) { return detail::Bitmask<int64_t>(a); }
inline V128 I64x2ExtendLowI32x4S(V128 a) { return detail::Extend<int32_t, int64_t>(a, false); }
inline V128 I64x2ExtendHighI32x4S(V128 a) { return detail::Extend<int32_t, int64_t>(a, true); }
inline V128 I64x2ExtendLowI32x4U(V128 a) { return detail::Extend<uint32_t, uint64_t>(a, false); }
inline V128 I64x2ExtendHighI32x4U(V128 a) { return detail::Extend<uint32_t, uint64_t>(a, true); }
inline V128 I64x2Shl(V128 a, uint32_t k) { return detail::Shl<uint64_t>(a, k); }
inline V128 I64x2ShrS(V128 a, uint32_t k) { return detail::ShrS<int64_t>(a, k); }
inline V128 I64x2ShrU(V128 a, uint32_t k) { return detail::ShrU<uint64_t>(a, k); }
inline V128 I64x2Add(V128 a, V128 b) { return detail::Add<uint64_t>(a, b); }
inline V128 I64x2Sub(V128 a, V128 b) { return detail::Sub<uint64_t>(a, b); }
inline V128 I64x2Mul(V128 a, V128 b) { return detail::Mul<uint64_t>(a, b); }
inline V128 I64x2ExtmulLowI32x4S(V128 a, V128 b) {
  return detail::ExtMul<int32_t, int64_t>(a, b, false);
}
inline V128 I64x2ExtmulHighI32x4S(V128 a, V128 b) {
  return detail::ExtMul<int32_t, int64_t>(a, b, true);
}
inline V128 I64x2ExtmulLowI32x4U(V128 a, V128 b) {
  return detail::ExtMul<uint32_t, uint64_t>(a, b, false);
}
inline V128 I64x2ExtmulHighI32x4U(V128 a, V128 b) {
  return detail::ExtMul<uint32_t, uint64_t>(a, b, true);
}

// ---- Float lanes (Spec 4.3.3, applied lane-wise) -----------------------------------------------
// Arithmetic takes `canon`: when true, every NaN lane it produces is the positive canonical NaN
// (DESIGN.md "NaN"); otherwise NaN operands propagate quieted, as the scalar operators do.
// abs, neg, pmin and pmax are bit selections and keep NaN bits; comparisons yield masks.

// f32x4
inline V128 F32x4Eq(V128 a, V128 b) {
  return detail::Cmp<float>(a, b, [](auto x, auto y) { return x == y; });
}
inline V128 F32x4Ne(V128 a, V128 b) {
  return detail::Cmp<float>(a, b, [](auto x, auto y) { return x != y; });
}
inline V128 F32x4Lt(V128 a, V128 b) {
  return detail::Cmp<float>(a, b, [](auto x, auto y) { return x < y; });
}
inline V128 F32x4Gt(V128 a, V128 b) {
  return detail::Cmp<float>(a, b, [](auto x, auto y) { return x > y; });
}
inline V128 F32x4Le(V128 a, V128 b) {
  return detail::Cmp<float>(a, b, [](auto x, auto y) { return x <= y; });
}
inline V128 F32x4Ge(V128 a, V128 b) {
  return detail::Cmp<float>(a, b, [](auto x, auto y) { return x >= y; });
}
inline V128 F32x4Abs(V128 a) { return {a.lo & 0x7fffffff7fffffffu, a.hi & 0x7fffffff7fffffffu}; }
inline V128 F32x4Neg(V128 a) { return {a.lo ^ 0x8000000080000000u, a.hi ^ 0x8000000080000000u}; }
inline V128 F32x4Ceil(V128 a, bool canon) { return detail::MapF1<float>(a, canon, num::F32Ceil); }
inline V128 F32x4Floor(V128 a, bool canon) { return detail::MapF1<float>(a, canon, num::F32Floor); }
inline V128 F32x4Trunc(V128 a, bool canon) { return detail::MapF1<float>(a, canon, num::F32Trunc); }
inline V128 F32x4Nearest(V128 a, bool canon) {
  return detail::MapF1<float>(a, canon, num::F32Nearest);
}
inline V128 F32x4Sqrt(V128 a, bool canon) { return detail::MapF1<float>(a, canon, num::F32Sqrt); }
inline V128 F32x4Add(V128 a, V128 b, bool canon) {
  return detail::MapF2<float>(a, b, canon, [](float x, float y) { return x + y; });
}
inline V128 F32x4Sub(V128 a, V128 b, bool canon) {
  return detail::MapF2<float>(a, b, canon, [](float x, float y) { return x - y; });
}
inline V128 F32x4Mul(V128 a, V128 b, bool canon) {
  return detail::MapF2<float>(a, b, canon, [](float x, float y) { return x * y; });
}
inline V128 F32x4Div(V128 a, V128 b, bool canon) {
  return detail::MapF2<float>(a, b, canon, [](float x, float y) { return x / y; });
}
inline V128 F32x4Min(V128 a, V128 b, bool canon) {
  return detail::MapF2<float>(a, b, canon, num::F32Min);
}
inline V128 F32x4Max(V128 a, V128 b, bool canon) {
  return detail::MapF2<float>(a, b, canon, num::F32Max);
}
inline V128 F32x4Pmin(V128 a, V128 b) { return detail::Pmin<float>(a, b); }
inline V128 F32x4Pmax(V128 a, V128 b) { return detail::Pmax<float>(a, b); }

// f64x2
inline V128 F64x2Eq(V128 a, V128 b) {
  return detail::Cmp<double>(a, b, [](auto x, auto y) { return x == y; });
}
inline V128 F64x2Ne(V128 a, V128 b) {
  return detail::Cmp<double>(a, b, [](auto x, auto y) { return x != y; });
}
inline V128 F64x2Lt(V128 a, V128 b) {
  return detail::Cmp<double>(a, b, [](auto x, auto y) { return x < y; });
}
inline V128 F64x2Gt(V128 a, V128 b) {
  return detail::Cmp<double>(a, b, [](auto x, auto y) { return x > y; });
}
inline V128 F64x2Le(V128 a, V128 b) {
  return detail::Cmp<double>(a, b, [](auto x, auto y) { return x <= y; });
}
inline V128 F64x2Ge(V128 a, V128 b) {
  return detail::Cmp<double>(a, b, [](auto x, auto y) { return x >= y; });
}
inline V128 F64x2Abs(V128 a) { return {a.lo & 0x7fffffffffffffffu, a.hi & 0x7fffffffffffffffu}; }
inline V128 F64x2Neg(V128 a) { return {a.lo ^ 0x8000000000000000u, a.hi ^ 0x8000000000000000u}; }
inline V128 F64x2Ceil(V128 a, bool canon) { return detail::MapF1<double>(a, canon, num::F64Ceil); }
inline V128 F64x2Floor(V128 a, bool canon) {
  return detail::MapF1<double>(a, canon, num::F64Floor);
}
inline V128 F64x2Trunc(V128 a, bool canon) {
  return detail::MapF1<double>(a, canon, num::F64Trunc);
}
inline V128 F64x2Nearest(V128 a, bool canon) {
  return detail::MapF1<double>(a, canon, num::F64Nearest);
}
inline V128 F64x2Sqrt(V128 a, bool canon) { return detail::MapF1<double>(a, canon, num::F64Sqrt); }
inline V128 F64x2Add(V128 a, V128 b, bool canon) {
  return detail::MapF2<double>(a, b, canon, [](double x, double y) { return x + y; });
}
inline V128 F64x2Sub(V128 a, V128 b, bool canon) {
  return detail::MapF2<double>(a, b, canon, [](double x, double y) { return x - y; });
}
inline V128 F64x2Mul(V128 a, V128 b, bool canon) {
  return detail::MapF2<double>(a, b, canon, [](double x, double y) { return x * y; });
}
inline V128 F64x2Div(V128 a, V128 b, bool canon) {
  return detail::MapF2<double>(a, b, canon, [](double x, double y) { return x / y; });
}
inline V128 F64x2Min(V128 a, V128 b, bool canon) {
  return detail::MapF2<double>(a, b, canon, num::F64Min);
}
inline V128 F64x2Max(V128 a, V128 b, bool canon) {
  return detail::MapF2<double>(a, b, canon, num::F64Max);
}
inline V128 F64x2Pmin(V128 a, V128 b) { return detail::Pmin<double>(a, b); }
inline V128 F64x2Pmax(V128 a, V128 b) { return detail::Pmax<double>(a, b); }

// ---- Conversions (Spec 4.3.4, applied lane-wise) -----------------------------------------------
// _zero forms fill the two high i32/f32 lanes with 0; _low forms read lanes 0 and 1.

inline V128 I32x4TruncSatF32x4S(V128 a) {
  return detail::Map1<uint32_t>(
      a, [](uint32_t x) { return num::I32TruncSatF32S(num::F32FromBits(x)); });
}
inline V128 I32x4TruncSatF32x4U(V128 a) {
  return detail::Map1<uint32_t>(
      a, [](uint32_t x) { return num::I32TruncSatF32U(num::F32FromBits(x)); });
}
inline V128 I32x4TruncSatF64x2SZero(V128 a) {
  V128 r;
  for (int i = 0; i < 2; ++i) SetLane<uint32_t>(r, i, num::I32TruncSatF64S(Lane<double>(a, i)));
  return r;
}
inline V128 I32x4TruncSatF64x2UZero(V128 a) {
  V128 r;
  for (int i = 0; i < 2; ++i) SetLane<uint32_t>(r, i, num::I32TruncSatF64U(Lane<double>(a, i)));
  return r;
}
// Integer -> float conversions never make a NaN; `canon` is accepted for uniformity.
inline V128 F32x4ConvertI32x4S(V128 a, bool /*canon*/) {
  return detail::Map1<uint32_t>(a, [](uint32_t x) { return num::F32Bits(num::F32ConvertI32S(x)); });
}
inline V128 F32x4ConvertI32x4U(V128 a, bool /*canon*/) {
  return detail::Map1<uint32_t>(a, [](uint32_t x) { return num::F32Bits(num::F32ConvertI32U(x)); });
}
inline V128 F64x2ConvertLowI32x4S(V128 a, bool /*canon*/) {
  V128 r;
  for (int i = 0; i < 2; ++i) SetLane<double>(r, i, num::F64ConvertI32S(Lane<uint32_t>(a, i)));
  return r;
}
inline V128 F64x2ConvertLowI32x4U(V128 a, bool /*canon*/) {
  V128 r;
  for (int i = 0; i < 2; ++i) SetLane<double>(r, i, num::F64ConvertI32U(Lane<uint32_t>(a, i)));
  return r;
}
inline V128 F32x4DemoteF64x2Zero(V128 a, bool canon) {
  V128 r;
  for (int i = 0; i < 2; ++i) {
    float f = num::F32DemoteF64(Lane<double>(a, i));
    SetLane<float>(r, i, canon ? num::CanonicalizeNaN(f) : f);
  }
  return r;
}
inline V128 F64x2PromoteLowF32x4(V128 a, bool canon) {
  V128 r;
  for (int i = 0; i < 2; ++i) {
    double d = num::F64PromoteF32(Lane<float>(a, i));
    SetLane<double>(r, i, canon ? num::CanonicalizeNaN(d) : d);
  }
  return r;
}

// ---- Memory helpers (Spec 4.4.7 v128.load*, v128.store*) --------------------------------------
// p points at the effective address; the caller has bounds-checked the access width (16 bytes
// for Load128/Store128, 8 for the extending loads, the lane size for splat/zero/lane forms).

inline V128 Load128(const uint8_t* p) {
  return {detail::LoadLE<uint64_t>(p), detail::LoadLE<uint64_t>(p + 8)};
}
inline void Store128(uint8_t* p, V128 v) {
  detail::StoreLE<uint64_t>(p, v.lo);
  detail::StoreLE<uint64_t>(p + 8, v.hi);
}
// v128.loadMxN_s/u: N lanes of M bits, each extended to 2M bits.
inline V128 Load8x8S(const uint8_t* p) {
  return detail::Extend<int8_t, int16_t>({detail::LoadLE<uint64_t>(p), 0}, false);
}
inline V128 Load8x8U(const uint8_t* p) {
  return detail::Extend<uint8_t, uint16_t>({detail::LoadLE<uint64_t>(p), 0}, false);
}
inline V128 Load16x4S(const uint8_t* p) {
  return detail::Extend<int16_t, int32_t>({detail::LoadLE<uint64_t>(p), 0}, false);
}
inline V128 Load16x4U(const uint8_t* p) {
  return detail::Extend<uint16_t, uint32_t>({detail::LoadLE<uint64_t>(p), 0}, false);
}
inline V128 Load32x2S(const uint8_t* p) {
  return detail::Extend<int32_t, int64_t>({detail::LoadLE<uint64_t>(p), 0}, false);
}
inline V128 Load32x2U(const uint8_t* p) {
  return detail::Extend<uint32_t, uint64_t>({detail::LoadLE<uint64_t>(p), 0}, false);
}
inline V128 Load8Splat(const uint8_t* p) { return detail::Splat<uint8_t>(p[0]); }
inline V128 Load16Splat(const uint8_t* p) {
  return detail::Splat<uint16_t>(detail::LoadLE<uint16_t>(p));
}
inline V128 Load32Splat(const uint8_t* p) {
  return detail::Splat<uint32_t>(detail::LoadLE<uint32_t>(p));
}
inline V128 Load64Splat(const uint8_t* p) {
  return detail::Splat<uint64_t>(detail::LoadLE<uint64_t>(p));
}
inline V128 Load32Zero(const uint8_t* p) { return {detail::LoadLE<uint32_t>(p), 0}; }
inline V128 Load64Zero(const uint8_t* p) { return {detail::LoadLE<uint64_t>(p), 0}; }
// v128.loadN_lane / storeN_lane: one lane from/to memory, the other lanes of v unchanged.
inline V128 Load8Lane(const uint8_t* p, V128 v, int lane) {
  SetLane<uint8_t>(v, lane, p[0]);
  return v;
}
inline V128 Load16Lane(const uint8_t* p, V128 v, int lane) {
  SetLane<uint16_t>(v, lane, detail::LoadLE<uint16_t>(p));
  return v;
}
inline V128 Load32Lane(const uint8_t* p, V128 v, int lane) {
  SetLane<uint32_t>(v, lane, detail::LoadLE<uint32_t>(p));
  return v;
}
inline V128 Load64Lane(const uint8_t* p, V128 v, int lane) {
  SetLane<uint64_t>(v, lane, detail::LoadLE<uint64_t>(p));
  return v;
}
inline void Store8Lane(uint8_t* p, V128 v, int lane) { p[0] = Lane<uint8_t>(v, lane); }
inline void Store16Lane(uint8_t* p, V128 v, int lane) {
  detail::StoreLE<uint16_t>(p, Lane<uint16_t>(v, lane));
}
inline void Store32Lane(uint8_t* p, V128 v, int lane) {
  detail::StoreLE<uint32_t>(p, Lane<uint32_t>(v, lane));
}
inline void Store64Lane(uint8_t* p, V128 v, int lane) {
  detail::StoreLE<uint64_t>(p, Lane<uint64_t>(v, lane));
}

}  // namespace tandem::wasm::simd
