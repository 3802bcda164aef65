// value.h: runtime values (Spec 4.2.1) as every engine exchanges them: a type plus raw bits.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "reference/types.h"

namespace tandem::wasm {

// A reference value's bits: kNullRef is null; otherwise a function reference holds a
// store-specific function address and an extern reference holds the host's u32 payload.
constexpr uint64_t kNullRef = ~uint64_t{0};

struct Value {
  ValType type = ValType::I32;
  uint64_t bits = 0;  // i32/f32 use the low 32 bits; v128 low half
  uint64_t hi = 0;    // v128 high half

  static Value I32(uint32_t v) { return {ValType::I32, v, 0}; }
  static Value I64(uint64_t v) { return {ValType::I64, v, 0}; }
  static Value F32Bits(uint32_t v) { return {ValType::F32, v, 0}; }
  static Value F64Bits(uint64_t v) { return {ValType::F64, v, 0}; }
  static Value F32(float f) { uint32_t b; std::memcpy(&b, &f, 4); return F32Bits(b); }
  static Value F64(double d) { uint64_t b; std::memcpy(&b, &d, 8); return F64Bits(b); }
  static Value Ref(ValType t, uint64_t bits) { return {t, bits, 0}; }
  static Value Null(ValType t) { return {t, kNullRef, 0}; }
  static Value Default(ValType t) { return IsRefType(t) ? Null(t) : Value{t, 0, 0}; }

  uint32_t i32() const { return static_cast<uint32_t>(bits); }
  uint64_t i64() const { return bits; }
  bool is_null() const { return bits == kNullRef; }
  bool operator==(const Value&) const = default;  // bit-for-bit
};

std::string ToString(const Value& v);  // "i32:7", "f32:0x1p+0 (0x3f800000)", "funcref:null"

}  // namespace tandem::wasm
