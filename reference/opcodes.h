// opcodes.h: the Op enumeration and per-opcode facts, expanded from opcodes.def (STYLE.md 3).
#pragma once

#include <cstdint>
#include <optional>

#include "reference/types.h"

namespace tandem::wasm {

enum class Op : uint16_t {
#define V(Name, prefix, code, text, Imm, R, P1, P2, P3) Name,
#include "reference/opcodes.def"
#undef V
  kCount
};
constexpr int kNumOps = static_cast<int>(Op::kCount);

// How the decoder reads an opcode's immediates, and where Instr keeps them (module.h).
enum class ImmKind : uint8_t {
  None,
  BlockType,     // Instr::c = s33 block type: -64 empty, -(0x80-b) value type b, >= 0 type index
  LabelIdx,      // a = label depth
  BrTable,       // a = start in FunctionBody::br_table_pool, b = target count (default follows)
  FuncIdx,       // a = function index
  CallIndirect,  // a = type index, b = table index
  LocalIdx,      // a = local index
  GlobalIdx,     // a = global index
  TableIdx,      // a = table index
  ElemIdx,       // a = element segment index
  DataIdx,       // a = data segment index
  RefType,       // a = reference type byte (0x70 / 0x6f)
  SelectT,       // a = number of types in the vector, b = first type byte (0 if none)
  Mem1, Mem2, Mem4, Mem8,  // memarg: a = alignment exponent, b = memory index, c = offset
  MemIdx,        // a = memory index (memory.size/grow/fill)
  MemoryInit,    // a = data index, b = memory index
  MemoryCopy,    // a = destination memory, b = source memory
  TableInit,     // a = element index, b = table index
  TableCopy,     // a = destination table, b = source table
  I32Const,      // c = the value's 32 bits (zero-extended)
  I64Const,      // c = the value's 64 bits
  F32Const,      // c = the IEEE bits (zero-extended)
  F64Const,      // c = the IEEE bits
  Mem16,         // v128.load/store memarg (natural alignment 16): a, b, c as for MemN
  MemLane1, MemLane2, MemLane4, MemLane8,  // memarg in a, b, c as for MemN; Instr::lane = lane
  LaneIdx,       // extract_lane / replace_lane: Instr::lane = lane index (one byte, unchecked)
  V128Const,     // 16 bytes: c = bytes 0..7, a = bytes 8..11, b = bytes 12..15 (little-endian)
  Shuffle,       // i8x16.shuffle: 16 lane index bytes, stored as for V128Const
};

// Stack signature slot in the table: a value type, "none" or "special rule".
enum class SigType : uint8_t { None, Special, I32, I64, F32, F64, V128, FuncRef, ExternRef };

struct OpInfo {
  const char* name;   // text format mnemonic
  uint8_t prefix;     // 0, 0xFC or 0xFD
  uint32_t code;
  ImmKind imm;
  SigType result, p1, p2, p3;
};

const OpInfo& GetOpInfo(Op op);

// The value type a signature slot names; nullopt for None and Special.
inline std::optional<ValType> SigValType(SigType s) {
  switch (s) {
    case SigType::I32: return ValType::I32;
    case SigType::I64: return ValType::I64;
    case SigType::F32: return ValType::F32;
    case SigType::F64: return ValType::F64;
    case SigType::V128: return ValType::V128;
    case SigType::FuncRef: return ValType::FuncRef;
    case SigType::ExternRef: return ValType::ExternRef;
    case SigType::None:
    case SigType::Special: break;
  }
  return std::nullopt;
}
inline const char* OpName(Op op) { return GetOpInfo(op).name; }

// Lookup from the binary encoding; returns false for an unknown opcode.
bool LookupOp(uint8_t byte, Op* out);             // single-byte opcodes
bool LookupPrefixedOp(uint8_t prefix, uint32_t code, Op* out);

// Access size in bytes (= natural alignment) for Mem1..Mem16 immediates, 0 otherwise.
inline uint32_t MemAccessSize(ImmKind k) {
  switch (k) {
    case ImmKind::Mem1: return 1;
    case ImmKind::Mem2: return 2;
    case ImmKind::Mem4: return 4;
    case ImmKind::Mem8: return 8;
    case ImmKind::Mem16: return 16;
    default: return 0;
  }
}

// Lane size in bytes (= access size and natural alignment) for MemLane1..MemLane8, 0 otherwise.
inline uint32_t MemLaneSize(ImmKind k) {
  switch (k) {
    case ImmKind::MemLane1: return 1;
    case ImmKind::MemLane2: return 2;
    case ImmKind::MemLane4: return 4;
    case ImmKind::MemLane8: return 8;
    default: return 0;
  }
}

}  // namespace tandem::wasm
