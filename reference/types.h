// types.h: WebAssembly types (Spec 2.3) shared by every engine.
// Value types, function/table/memory/global types, limits, extern kinds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tandem::wasm {

// Spec 2.3.1-2.3.4; the enumerator values are the binary encodings (Spec 5.3.1-5.3.3).
enum class ValType : uint8_t {
  I32 = 0x7f,
  I64 = 0x7e,
  F32 = 0x7d,
  F64 = 0x7c,
  V128 = 0x7b,
  FuncRef = 0x70,
  ExternRef = 0x6f,
};

inline bool IsValTypeByte(uint8_t b) {
  return b == 0x7f || b == 0x7e || b == 0x7d || b == 0x7c || b == 0x7b || b == 0x70 || b == 0x6f;
}
inline bool IsRefType(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef; }
inline bool IsNumType(ValType t) { return !IsRefType(t) && t != ValType::V128; }
const char* ValTypeName(ValType t);  // "i32", "funcref", ...

// Spec 2.3.6
struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
};
std::string ToString(const FuncType& t);  // "[i32 i64] -> [f32]"

// Spec 2.3.7. u64 so that memory64 fits later; Wasm 2.0 bounds are checked by the validator.
struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool operator==(const Limits&) const = default;
};

struct TableType {  // Spec 2.3.9
  ValType elem = ValType::FuncRef;
  Limits limits;
  bool operator==(const TableType&) const = default;
};

struct MemoryType {  // Spec 2.3.8
  Limits limits;
  bool operator==(const MemoryType&) const = default;
};

struct GlobalType {  // Spec 2.3.10
  ValType type = ValType::I32;
  bool mut = false;
  bool operator==(const GlobalType&) const = default;
};

// Spec 2.3.11; values are the binary import/export descriptor tags.
enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };
const char* ExternKindName(ExternKind k);  // "func", "table", "memory", "global"

constexpr uint64_t kPageSize = 65536;

}  // namespace tandem::wasm
