// numerics.h: tandem's scalar numeric operators, header-only and free of UB.
// Spec 4.3 (exec/numerics.rst: 4.3.2 integer, 4.3.3 float, 4.3.4 conversions); DESIGN.md "NaN".
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "reference/trap.h"

namespace tandem::wasm::num {

// ---- Bit views and NaN classes (Spec 4.3.3 "NaN propagation", DESIGN.md "NaN") ----------------

constexpr uint32_t kF32CanonicalNaN = 0x7fc00000;
constexpr uint64_t kF64CanonicalNaN = 0x7ff8000000000000;
constexpr uint32_t kF32QuietBit = 0x00400000;
constexpr uint64_t kF64QuietBit = 0x0008000000000000;

inline uint32_t F32Bits(float f) { return std::bit_cast<uint32_t>(f); }
inline float F32FromBits(uint32_t b) { return std::bit_cast<float>(b); }
inline uint64_t F64Bits(double d) { return std::bit_cast<uint64_t>(d); }
inline double F64FromBits(uint64_t b) { return std::bit_cast<double>(b); }

inline bool IsNaN32(uint32_t bits) { return (bits & 0x7fffffff) > 0x7f800000; }
inline bool IsNaN64(uint64_t bits) { return (bits & 0x7fffffffffffffff) > 0x7ff0000000000000; }
// Canonical: payload is exactly the quiet bit; either sign.
inline bool IsCanonicalNaN32(uint32_t bits) { return (bits & 0x7fffffff) == kF32CanonicalNaN; }
inline bool IsCanonicalNaN64(uint64_t bits) {
  return (bits & 0x7fffffffffffffff) == kF64CanonicalNaN;
}
// Arithmetic: a NaN whose payload has the quiet bit set; either sign.
inline bool IsArithmeticNaN32(uint32_t bits) {
  return (bits & kF32CanonicalNaN) == kF32CanonicalNaN;
}
inline bool IsArithmeticNaN64(uint64_t bits) {
  return (bits & kF64CanonicalNaN) == kF64CanonicalNaN;
}

// NaN -> positive canonical NaN; every other value unchanged.
inline float CanonicalizeNaN(float f) { return f != f ? F32FromBits(kF32CanonicalNaN) : f; }
inline double CanonicalizeNaN(double d) { return d != d ? F64FromBits(kF64CanonicalNaN) : d; }

namespace detail {
// The arithmetic NaN an operator returns for a NaN operand: the operand with its quiet bit set
// (a canonical operand stays canonical, so nans{z} is respected).
inline float Quiet(float f) { return F32FromBits(F32Bits(f) | kF32QuietBit); }
inline double Quiet(double d) { return F64FromBits(F64Bits(d) | kF64QuietBit); }
}  // namespace detail

// ---- Integer operators (Spec 4.3.2) -----------------------------------------------------------

inline uint32_t I32Clz(uint32_t x) { return static_cast<uint32_t>(std::countl_zero(x)); }
inline uint32_t I32Ctz(uint32_t x) { return static_cast<uint32_t>(std::countr_zero(x)); }
inline uint32_t I32Popcnt(uint32_t x) { return static_cast<uint32_t>(std::popcount(x)); }
inline uint64_t I64Clz(uint64_t x) { return static_cast<uint64_t>(std::countl_zero(x)); }
inline uint64_t I64Ctz(uint64_t x) { return static_cast<uint64_t>(std::countr_zero(x)); }
inline uint64_t I64Popcnt(uint64_t x) { return static_cast<uint64_t>(std::popcount(x)); }

// Shift and rotate counts are taken modulo the bit width.
inline uint32_t I32Shl(uint32_t a, uint32_t k) { return a << (k & 31); }
inline uint32_t I32ShrU(uint32_t a, uint32_t k) { return a >> (k & 31); }
inline uint32_t I32ShrS(uint32_t a, uint32_t k) {
  return static_cast<uint32_t>(static_cast<int32_t>(a) >> (k & 31));  // arithmetic in C++20
}
inline uint32_t I32Rotl(uint32_t a, uint32_t k) { return std::rotl(a, static_cast<int>(k & 31)); }
inline uint32_t I32Rotr(uint32_t a, uint32_t k) { return std::rotr(a, static_cast<int>(k & 31)); }
inline uint64_t I64Shl(uint64_t a, uint64_t k) { return a << (k & 63); }
inline uint64_t I64ShrU(uint64_t a, uint64_t k) { return a >> (k & 63); }
inline uint64_t I64ShrS(uint64_t a, uint64_t k) {
  return static_cast<uint64_t>(static_cast<int64_t>(a) >> (k & 63));
}
inline uint64_t I64Rotl(uint64_t a, uint64_t k) { return std::rotl(a, static_cast<int>(k & 63)); }
inline uint64_t I64Rotr(uint64_t a, uint64_t k) { return std::rotr(a, static_cast<int>(k & 63)); }

// Division and remainder: return false and set *trap where the spec's result is undefined
// (divisor 0: IntegerDivideByZero; signed INT_MIN / -1: IntegerOverflow). rem_s of INT_MIN by
// -1 is 0, not a trap. Quotients truncate toward zero; remainders take the dividend's sign.
inline bool I32DivU(uint32_t a, uint32_t b, uint32_t* out, TrapKind* trap) {
  if (b == 0) return *trap = TrapKind::IntegerDivideByZero, false;
  *out = a / b;
  return true;
}
inline bool I32RemU(uint32_t a, uint32_t b, uint32_t* out, TrapKind* trap) {
  if (b == 0) return *trap = TrapKind::IntegerDivideByZero, false;
  *out = a % b;
  return true;
}
inline bool I32DivS(uint32_t a, uint32_t b, uint32_t* out, TrapKind* trap) {
  if (b == 0) return *trap = TrapKind::IntegerDivideByZero, false;
  if (a == 0x80000000u && b == 0xffffffffu) return *trap = TrapKind::IntegerOverflow, false;
  *out = static_cast<uint32_t>(static_cast<int32_t>(a) / static_cast<int32_t>(b));
  return true;
}
inline bool I32RemS(uint32_t a, uint32_t b, uint32_t* out, TrapKind* trap) {
  if (b == 0) return *trap = TrapKind::IntegerDivideByZero, false;
  *out = b == 0xffffffffu
             ? 0
             : static_cast<uint32_t>(static_cast<int32_t>(a) % static_cast<int32_t>(b));
  return true;
}
inline bool I64DivU(uint64_t a, uint64_t b, uint64_t* out, TrapKind* trap) {
  if (b == 0) return *trap = TrapKind::IntegerDivideByZero, false;
  *out = a / b;
  return true;
}
inline bool I64RemU(uint64_t a, uint64_t b, uint64_t* out, TrapKind* trap) {
  if (b == 0) return *trap = TrapKind::IntegerDivideByZero, false;
  *out = a % b;
  return true;
}
inline bool I64DivS(uint64_t a, uint64_t b, uint64_t* out, TrapKind* trap) {
  if (b == 0) return *trap = TrapKind::IntegerDivideByZero, false;
  if (a == 0x8000000000000000u && b == ~uint64_t{0}) {
    return *trap = TrapKind::IntegerOverflow, false;
  }
  *out = static_cast<uint64_t>(static_cast<int64_t>(a) / static_cast<int64_t>(b));
  return true;
}
inline bool I64RemS(uint64_t a, uint64_t b, uint64_t* out, TrapKind* trap) {
  if (b == 0) return *trap = TrapKind::IntegerDivideByZero, false;
  *out = b == ~uint64_t{0}
             ? 0
             : static_cast<uint64_t>(static_cast<int64_t>(a) % static_cast<int64_t>(b));
  return true;
}

// Sign extension from the low 8/16/32 bits (conversion to a narrower signed type is modular).
inline uint32_t I32Extend8S(uint32_t x) {
  return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(x)));
}
inline uint32_t I32Extend16S(uint32_t x) {
  return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(x)));
}
inline uint64_t I64Extend8S(uint64_t x) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(x)));
}
inline uint64_t I64Extend16S(uint64_t x) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(x)));
}
inline uint64_t I64Extend32S(uint64_t x) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(x)));
}

// ---- Float operators (Spec 4.3.3) -------------------------------------------------------------
// A NaN operand yields that operand with its quiet bit set (an arithmetic NaN; canonical stays
// canonical); an invalid operation on non-NaNs (sqrt of a negative) yields +canonical NaN.
// abs/neg/copysign are bit operations and keep NaN payloads.

namespace detail {
template <typename F>
F Min(F a, F b) {
  if (a != a) return Quiet(a);
  if (b != b) return Quiet(b);
  if (a == 0 && b == 0) return std::signbit(a) ? a : b;  // min(+-0, -+0) = -0
  return a < b ? a : b;
}
template <typename F>
F Max(F a, F b) {
  if (a != a) return Quiet(a);
  if (b != b) return Quiet(b);
  if (a == 0 && b == 0) return std::signbit(a) ? b : a;  // max(+-0, -+0) = +0
  return a > b ? a : b;
}
template <typename F>
F Ceil(F x) {
  return x != x ? Quiet(x) : std::ceil(x);
}
template <typename F>
F Floor(F x) {
  return x != x ? Quiet(x) : std::floor(x);
}
template <typename F>
F Trunc(F x) {
  return x != x ? Quiet(x) : std::trunc(x);
}
// Ties to even, computed exactly, independent of the current rounding mode; keeps the sign of
// zero (nearest(-0.5) = -0).
template <typename F>
F Nearest(F x) {
  if (x != x) return Quiet(x);
  constexpr F kIntegral = std::numeric_limits<F>::digits == 24 ? F(0x1p23) : F(0x1p52);
  F a = std::fabs(x);
  if (a >= kIntegral) return x;  // already an integer (or infinite)
  F t = std::trunc(a);
  F frac = a - t;  // exact
  if (frac > F(0.5) || (frac == F(0.5) && std::fmod(t, F(2)) != 0)) t += F(1);
  return std::copysign(t, x);
}
template <typename F>
F Sqrt(F x) {
  if (x != x) return Quiet(x);
  if (x < 0) return CanonicalizeNaN(std::numeric_limits<F>::quiet_NaN());
  return std::sqrt(x);  // sqrt(-0) = -0
}
}  // namespace detail

inline float F32Min(float a, float b) { return detail::Min(a, b); }
inline float F32Max(float a, float b) { return detail::Max(a, b); }
inline float F32Ceil(float x) { return detail::Ceil(x); }
inline float F32Floor(float x) { return detail::Floor(x); }
inline float F32Trunc(float x) { return detail::Trunc(x); }
inline float F32Nearest(float x) { return detail::Nearest(x); }
inline float F32Sqrt(float x) { return detail::Sqrt(x); }
inline float F32Abs(float x) { return F32FromBits(F32Bits(x) & 0x7fffffffu); }
inline float F32Neg(float x) { return F32FromBits(F32Bits(x) ^ 0x80000000u); }
inline float F32Copysign(float a, float b) {
  return F32FromBits((F32Bits(a) & 0x7fffffffu) | (F32Bits(b) & 0x80000000u));
}
inline double F64Min(double a, double b) { return detail::Min(a, b); }
inline double F64Max(double a, double b) { return detail::Max(a, b); }
inline double F64Ceil(double x) { return detail::Ceil(x); }
inline double F64Floor(double x) { return detail::Floor(x); }
inline double F64Trunc(double x) { return detail::Trunc(x); }
inline double F64Nearest(double x) { return detail::Nearest(x); }
inline double F64Sqrt(double x) { return detail::Sqrt(x); }
inline double F64Abs(double x) { return F64FromBits(F64Bits(x) & 0x7fffffffffffffffu); }
inline double F64Neg(double x) { return F64FromBits(F64Bits(x) ^ 0x8000000000000000u); }
inline double F64Copysign(double a, double b) {
  return F64FromBits((F64Bits(a) & 0x7fffffffffffffffu) | (F64Bits(b) & 0x8000000000000000u));
}

// ---- Conversions (Spec 4.3.4) -----------------------------------------------------------------

namespace detail {
// f32 inputs are promoted to double first (exact). Valid iff lo < x < hi (both exclusive
// bounds, exactly representable in double), i.e. trunc(x) is in range.
template <typename I>
bool TruncChecked(double x, double lo, double hi, I* out, TrapKind* trap) {
  if (x != x) return *trap = TrapKind::InvalidConversionToInteger, false;
  if (!(x > lo && x < hi)) return *trap = TrapKind::IntegerOverflow, false;
  *out = static_cast<I>(x);  // in range after truncation: no UB
  return true;
}
template <typename I>
I TruncSat(double x, double lo, double hi) {
  if (x != x) return 0;
  if (x <= lo) return std::numeric_limits<I>::min();
  if (x >= hi) return std::numeric_limits<I>::max();
  return static_cast<I>(x);
}
// Exclusive bounds: -2^31-1 < x < 2^31, -1 < x < 2^32, -1 < x < 2^64. Signed i64 uses
// -2^63 <= x < 2^63 instead (-2^63-1 is not a double).
constexpr double kI32Lo = -2147483649.0, kI32Hi = 2147483648.0;
constexpr double kU32Lo = -1.0, kU32Hi = 4294967296.0;
constexpr double kU64Lo = -1.0, kU64Hi = 18446744073709551616.0;
constexpr double kI64Hi = 9223372036854775808.0;

inline bool TruncI64S(double x, uint64_t* out, TrapKind* trap) {
  if (x != x) return *trap = TrapKind::InvalidConversionToInteger, false;
  if (!(x >= -kI64Hi && x < kI64Hi)) return *trap = TrapKind::IntegerOverflow, false;
  *out = static_cast<uint64_t>(static_cast<int64_t>(x));
  return true;
}
inline uint64_t TruncSatI64S(double x) {
  if (x != x) return 0;
  if (x < -kI64Hi) return 0x8000000000000000u;
  if (x >= kI64Hi) return 0x7fffffffffffffffu;
  return static_cast<uint64_t>(static_cast<int64_t>(x));
}

// Rounds the unsigned magnitude m to a float with kMant fraction bits (ties to even) and
// returns its bits with the given sign; integer arithmetic only (no rounding-mode dependence).
template <int kMant, int kBias, typename Bits>
Bits RoundU64(uint64_t m, bool negative) {
  Bits sign = negative ? Bits{1} << (sizeof(Bits) * 8 - 1) : 0;
  if (m == 0) return sign;
  int msb = 63 - std::countl_zero(m);
  int exp = msb;
  uint64_t sig;
  if (msb <= kMant) {
    sig = m << (kMant - msb);
  } else {
    int shift = msb - kMant;
    sig = m >> shift;
    uint64_t rem = m & ((uint64_t{1} << shift) - 1);
    uint64_t half = uint64_t{1} << (shift - 1);
    if (rem > half || (rem == half && (sig & 1))) ++sig;
    if (sig >> (kMant + 1)) {
      sig >>= 1;
      ++exp;
    }
  }
  uint64_t frac = sig & ((uint64_t{1} << kMant) - 1);
  return sign | static_cast<Bits>((static_cast<uint64_t>(exp + kBias) << kMant) | frac);
}
inline uint64_t Magnitude(int64_t v) {
  return v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}
}  // namespace detail

// Trapping truncation: InvalidConversionToInteger for NaN, IntegerOverflow out of range.
inline bool I32TruncF64S(double x, uint32_t* out, TrapKind* trap) {
  int32_t v;
  if (!detail::TruncChecked(x, detail::kI32Lo, detail::kI32Hi, &v, trap)) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}
inline bool I32TruncF64U(double x, uint32_t* out, TrapKind* trap) {
  return detail::TruncChecked(x, detail::kU32Lo, detail::kU32Hi, out, trap);
}
inline bool I32TruncF32S(float x, uint32_t* out, TrapKind* trap) {
  return I32TruncF64S(static_cast<double>(x), out, trap);
}
inline bool I32TruncF32U(float x, uint32_t* out, TrapKind* trap) {
  return I32TruncF64U(static_cast<double>(x), out, trap);
}
inline bool I64TruncF64S(double x, uint64_t* out, TrapKind* trap) {
  return detail::TruncI64S(x, out, trap);
}
inline bool I64TruncF64U(double x, uint64_t* out, TrapKind* trap) {
  return detail::TruncChecked(x, detail::kU64Lo, detail::kU64Hi, out, trap);
}
inline bool I64TruncF32S(float x, uint64_t* out, TrapKind* trap) {
  return I64TruncF64S(static_cast<double>(x), out, trap);
}
inline bool I64TruncF32U(float x, uint64_t* out, TrapKind* trap) {
  return I64TruncF64U(static_cast<double>(x), out, trap);
}

// Saturating truncation: NaN -> 0, out of range -> the nearest bound.
inline uint32_t I32TruncSatF64S(double x) {
  return static_cast<uint32_t>(detail::TruncSat<int32_t>(x, detail::kI32Lo, detail::kI32Hi));
}
inline uint32_t I32TruncSatF64U(double x) {
  return detail::TruncSat<uint32_t>(x, detail::kU32Lo, detail::kU32Hi);
}
inline uint32_t I32TruncSatF32S(float x) { return I32TruncSatF64S(static_cast<double>(x)); }
inline uint32_t I32TruncSatF32U(float x) { return I32TruncSatF64U(static_cast<double>(x)); }
inline uint64_t I64TruncSatF64S(double x) { return detail::TruncSatI64S(x); }
inline uint64_t I64TruncSatF64U(double x) {
  return detail::TruncSat<uint64_t>(x, detail::kU64Lo, detail::kU64Hi);
}
inline uint64_t I64TruncSatF32S(float x) { return I64TruncSatF64S(static_cast<double>(x)); }
inline uint64_t I64TruncSatF32U(float x) { return I64TruncSatF64U(static_cast<double>(x)); }

// Integer -> float: correctly rounded, ties to even, one rounding step.
inline float F32ConvertI32S(uint32_t x) {
  int32_t v = static_cast<int32_t>(x);
  return F32FromBits(detail::RoundU64<23, 127, uint32_t>(detail::Magnitude(v), v < 0));
}
inline float F32ConvertI32U(uint32_t x) {
  return F32FromBits(detail::RoundU64<23, 127, uint32_t>(x, false));
}
inline float F32ConvertI64S(uint64_t x) {
  int64_t v = static_cast<int64_t>(x);
  return F32FromBits(detail::RoundU64<23, 127, uint32_t>(detail::Magnitude(v), v < 0));
}
inline float F32ConvertI64U(uint64_t x) {
  return F32FromBits(detail::RoundU64<23, 127, uint32_t>(x, false));
}
inline double F64ConvertI32S(uint32_t x) { return static_cast<double>(static_cast<int32_t>(x)); }
inline double F64ConvertI32U(uint32_t x) { return static_cast<double>(x); }
inline double F64ConvertI64S(uint64_t x) {
  int64_t v = static_cast<int64_t>(x);
  return F64FromBits(detail::RoundU64<52, 1023, uint64_t>(detail::Magnitude(v), v < 0));
}
inline double F64ConvertI64U(uint64_t x) {
  return F64FromBits(detail::RoundU64<52, 1023, uint64_t>(x, false));
}

// Demote rounds to nearest (overflow to infinity); promote is exact. A NaN keeps its sign and
// the top of its payload, with the quiet bit set (canonical maps to canonical).
inline float F32DemoteF64(double x) {
  uint64_t b = F64Bits(x);
  if (IsNaN64(b)) {
    uint32_t sign = static_cast<uint32_t>(b >> 32) & 0x80000000u;
    uint32_t payload = static_cast<uint32_t>((b & 0x000fffffffffffffu) >> 29);
    return F32FromBits(sign | kF32CanonicalNaN | payload);
  }
  // Values at or beyond FLT_MAX + half an ulp (2^128 - 2^103) round to infinity; casting them
  // directly would be UB.
  constexpr double kOverflow = 0x1p128 - 0x1p103;
  if (std::fabs(x) >= kOverflow) return std::copysign(std::numeric_limits<float>::infinity(), x);
  if (std::fabs(x) > std::numeric_limits<float>::max()) {
    return std::copysign(std::numeric_limits<float>::max(), x);
  }
  return static_cast<float>(x);
}
inline double F64PromoteF32(float x) {
  uint32_t b = F32Bits(x);
  if (IsNaN32(b)) {
    uint64_t sign = static_cast<uint64_t>(b & 0x80000000u) << 32;
    uint64_t payload = static_cast<uint64_t>(b & 0x007fffffu) << 29;
    return F64FromBits(sign | kF64CanonicalNaN | payload);
  }
  return static_cast<double>(x);
}

}  // namespace tandem::wasm::num
