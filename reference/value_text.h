// value_text.h: values as text, typed (`i32:7`, `f32:bits:0x7fc00000`, `v128:i32x4:1,2,3,4`):
// what `tandem run` takes and prints, what call scripts and regression cases hold
// (docs/fuzzing.md), what the spec runner prints. Every value reads back bit for bit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "reference/value.h"

namespace tandem::wasm {

// The lane shapes of a v128 (Spec 2.4.1 "shape"), as the text format names them.
enum class V128Shape : uint8_t { kI8x16, kI16x8, kI32x4, kI64x2, kF32x4, kF64x2 };
int LaneCount(V128Shape s);                                              // 16, 8, 4, 2, 4, 2
int LaneBits(V128Shape s);                                               // 8, 16, 32, 64, 32, 64
bool IsFloatShape(V128Shape s);                                          // f32x4, f64x2
const char* ShapeName(V128Shape s);                                      // "i32x4"
std::optional<V128Shape> ShapeFromName(std::string_view name);           // "i32x4" -> kI32x4
std::optional<V128Shape> ShapeFromLaneType(std::string_view lane_type);  // "i32" -> kI32x4
// Lane `i` of a v128 (lane 0 is the lowest-addressed), as zero-extended bits; and its setter.
uint64_t GetLane(const Value& v, V128Shape s, int i);
void SetLane(Value& v, V128Shape s, int i, uint64_t bits);
// "v128:i32x4:0x00000001,0x00000002,0x00000003,0x00000004", lane 0 first: integer lanes as hex
// bits, float lanes as hex floats or "nan:0xPAYLOAD" (with sign). ParseTypedArg reads it back.
// One lane's bits as text: integer lanes as hex bits, float lanes as a hex float, inf, or
// nan:0xPAYLOAD (with sign), in the syntax ParseTypedArg reads back exactly.
std::string FormatLane(uint64_t bits, V128Shape s);
std::string FormatV128(const Value& v, V128Shape s = V128Shape::kI32x4);

// Parses a typed command-line argument: `i32:7`, `i64:-1`, `f32:1.5`, `f64:0x1p-3`, `f32:nan`,
// `f64:-inf`, `f32:bits:0x7fc00000`, `externref:3`, `externref:null`, `funcref:null`, and v128
// as `v128:SHAPE:L0,L1,...` (SHAPE i8x16 i16x8 i32x4 i64x2 with integer lanes, f32x4 f64x2
// with float lanes in the f32/f64 syntax) or `v128:0x` and up to 32 hex digits (high first).
// Throws std::invalid_argument with a message saying what is wrong.
Value ParseTypedArg(std::string_view text);

// A value as ParseTypedArg reads it back exactly: `i32:0x00000007`, `f32:bits:0x7fc00000`,
// `v128:i32x4:...`, `externref:3`, `funcref:null`. (A non-null funcref has no text: its bits
// name a function of one store only; it prints as `funcref:bits:N` and does not read back.)
std::string FormatTypedValue(const Value& v);

// "i32" -> ValType::I32 ...; nullopt for an unknown name.
std::optional<ValType> ValTypeFromName(std::string_view name);
// An unsigned decimal that must fit in `bits` bits. Throws std::invalid_argument.
uint64_t ParseDecimalBits(std::string_view s, int bits);

}  // namespace tandem::wasm
