// module.h: the decoded module (Spec 2.5), shared read-only by every engine (DESIGN.md "Module").
// Produced by Decode() (decoder.h), checked by Validate() (validator.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reference/opcodes.h"
#include "reference/types.h"

namespace tandem::wasm {

// One decoded instruction. The meaning of a, b, c depends on GetOpInfo(op).imm (opcodes.h).
struct Instr {
  Op op;
  uint8_t lane = 0;  // lane index of LaneIdx and MemLaneN immediates
  uint32_t offset;  // byte offset of the opcode in the module binary
  uint32_t a = 0;
  uint32_t b = 0;
  uint64_t c = 0;
};
static_assert(sizeof(Instr) == 24, "Instr must stay three words");

// The 128-bit immediate of V128Const (and the 16 lane bytes of Shuffle): byte i of the
// little-endian encoding is byte i of lo (i < 8) or byte i-8 of hi.
inline void V128FromInstr(const Instr& in, uint64_t* lo, uint64_t* hi) {
  *lo = in.c;
  *hi = uint64_t{in.a} | (uint64_t{in.b} << 32);
}

// A block type (Spec 5.4.1 blocktype) decoded from Instr::c.
struct BlockType {
  enum Kind : uint8_t { kEmpty, kValue, kIndex } kind;
  ValType value;   // kValue
  uint32_t index;  // kIndex
  static BlockType FromImm(uint64_t c) {
    int64_t s = static_cast<int64_t>(c);
    if (s == -64) return {kEmpty, ValType::I32, 0};
    if (s < 0) return {kValue, static_cast<ValType>(static_cast<uint8_t>(s & 0x7f)), 0};
    return {kIndex, ValType::I32, static_cast<uint32_t>(s)};
  }
};

// A constant expression (Spec 3.3.10): instructions up to but excluding the final `end`.
struct ConstExpr {
  std::vector<Instr> code;
};

struct LocalDecl {
  uint32_t count;
  ValType type;
};

struct FunctionBody {
  uint32_t type_index = 0;        // copy of Module::func_types[...] for convenience
  std::vector<LocalDecl> locals;  // declared locals (parameters excluded), as encoded
  uint64_t num_locals = 0;        // sum of the counts above
  std::vector<Instr> code;        // the body, including every `end` (the last one included)
  std::vector<uint32_t> br_table_pool;  // br_table targets: see ImmKind::BrTable
  uint32_t body_offset = 0;       // offset of the body (after its size) in the binary
  uint32_t body_size = 0;
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t func_type_index = 0;  // kind == Func
  TableType table;               // kind == Table
  MemoryType memory;             // kind == Memory
  GlobalType global;             // kind == Global
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

struct Global {
  GlobalType type;
  ConstExpr init;  // empty for imported globals
};

enum class SegmentMode : uint8_t { kActive, kPassive, kDeclarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::kActive;
  ValType type = ValType::FuncRef;
  uint32_t table = 0;              // kActive
  ConstExpr offset;                // kActive
  std::vector<ConstExpr> init;     // one expression per element; func indices become ref.func
};

struct DataSegment {
  SegmentMode mode = SegmentMode::kActive;  // kActive or kPassive
  uint32_t memory = 0;
  ConstExpr offset;
  uint32_t data_offset = 0;  // where the bytes sit in Module::bytes
  uint32_t data_size = 0;
};

struct CustomSection {
  std::string name;
  uint32_t offset = 0;  // payload after the name
  uint32_t size = 0;
};

// Index spaces (functions, tables, memories, globals) list imports first, as in Spec 2.5.1.
struct Module {
  std::vector<uint8_t> bytes;  // the binary this module was decoded from
  std::vector<FuncType> types;
  std::vector<Import> imports;
  std::vector<uint32_t> func_types;  // type index of every function (imported first)
  std::vector<TableType> tables;
  std::vector<MemoryType> memories;
  std::vector<Global> globals;
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elems;
  std::vector<DataSegment> datas;
  std::optional<uint32_t> data_count;
  std::vector<FunctionBody> code;  // defined functions: code[i] is function num_imported_funcs+i
  std::vector<CustomSection> customs;

  uint32_t num_imported_funcs = 0;
  uint32_t num_imported_tables = 0;
  uint32_t num_imported_memories = 0;
  uint32_t num_imported_globals = 0;

  const FuncType& FuncTypeOf(uint32_t func_index) const { return types[func_types[func_index]]; }
  const Export* FindExport(std::string_view name) const {
    for (const auto& e : exports)
      if (e.name == name) return &e;
    return nullptr;
  }
};

}  // namespace tandem::wasm
