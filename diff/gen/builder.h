// builder.h: building a wasm::Module in memory and encoding it (reference/encoder.h), for the
// generators and the V8 peer's helper modules (DESIGN.md "Inside the harness": diff/gen/). Every
// index space holds what the builder adds, in the order it is added; imports come first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/module.h"
#include "reference/value.h"

namespace tandem::diff::gen {

// An instruction with its immediates in Instr's fields, as module.h describes them per ImmKind.
wasm::Instr MakeInstr(wasm::Op op, uint32_t a = 0, uint32_t b = 0, uint64_t c = 0);
// The constant instruction producing `v` (Spec 5.4.7 t.const, 5.4.8 v128.const); a null
// reference becomes ref.null t (Spec 5.4.2). Throws std::invalid_argument for a non-null
// reference, which has no constant instruction.
wasm::Instr ConstInstr(const wasm::Value& v);

// The lane count of a vector instruction from its shape ("i8x16.extract_lane_s" -> 16); 0 when
// the name has none.
uint32_t LaneCount(std::string_view name);

// Block type immediates, Instr::c of block, loop and if (Spec 5.4.1 blocktype).
uint64_t BlockEmpty();
uint64_t BlockValue(wasm::ValType t);
uint64_t BlockTypeIndex(uint32_t type_index);

// A function body under construction: the instructions (without the final `end`, which
// ModuleBuilder::Function adds) and the br_table targets they refer to.
struct Code {
  std::vector<wasm::Instr> instrs;
  std::vector<uint32_t> br_table_pool;

  Code& Add(const wasm::Instr& in);
  Code& Add(wasm::Op op, uint32_t a = 0, uint32_t b = 0, uint64_t c = 0);
  Code& Const(const wasm::Value& v);
  Code& I32(uint32_t v) { return Const(wasm::Value::I32(v)); }
  Code& LocalGet(uint32_t i) { return Add(wasm::Op::LocalGet, i); }
  Code& LocalSet(uint32_t i) { return Add(wasm::Op::LocalSet, i); }
  Code& Block(wasm::Op op, uint64_t block_type) { return Add(op, 0, 0, block_type); }
  Code& End() { return Add(wasm::Op::End); }
  // Spec 5.4.1 br_table l* l_N.
  Code& BrTable(const std::vector<uint32_t>& labels, uint32_t default_label);
  // A memory instruction on memory 0 with its natural alignment (Spec 3.3.7: at most the
  // access size) and `offset`; `lane` for the v128.loadN_lane / storeN_lane forms.
  Code& Memory(wasm::Op op, uint64_t offset, uint8_t lane = 0);
};

class ModuleBuilder {
 public:
  // Spec 2.5.2: a function type; an equal type already added is reused.
  uint32_t Type(const wasm::FuncType& t);
  // A new type index even when an equal type exists (call_indirect compares types
  // structurally, Spec 4.4.8.11, so such a type must match its twin).
  uint32_t DistinctType(const wasm::FuncType& t);

  // A function with declared `locals` (after the parameters) and `code`; returns its index.
  uint32_t Function(const wasm::FuncType& t, const std::vector<wasm::ValType>& locals, Code code);
  uint32_t FunctionOfType(uint32_t type_index, const std::vector<wasm::ValType>& locals, Code code);

  // Imports (Spec 2.5.11). Each comes before every definition of its kind (a function, table,
  // memory or global added earlier throws std::logic_error). Return the index in its space.
  uint32_t ImportFunction(const std::string& module, const std::string& name, const wasm::FuncType& t);
  uint32_t ImportTable(const std::string& module, const std::string& name, const wasm::TableType& t);
  uint32_t ImportMemory(const std::string& module, const std::string& name, const wasm::MemoryType& t);
  uint32_t ImportGlobal(const std::string& module, const std::string& name, const wasm::GlobalType& t);

  uint32_t Memory(uint64_t min_pages, std::optional<uint64_t> max_pages);
  uint32_t Table(wasm::ValType elem, uint64_t min, std::optional<uint64_t> max);
  // A global initialised with the constant instruction `init`.
  uint32_t Global(wasm::ValType t, bool mut, const wasm::Instr& init);
  void Export(const std::string& name, wasm::ExternKind kind, uint32_t index);
  void ExportFunction(const std::string& name, uint32_t func) {
    Export(name, wasm::ExternKind::Func, func);
  }

  // Element segments (Spec 2.5.7) of function references, and the general form (each init
  // one constant expression, e.g. ref.null). Return the segment index.
  uint32_t ActiveElem(uint32_t table, uint32_t offset, const std::vector<uint32_t>& funcs);
  uint32_t PassiveElem(const std::vector<uint32_t>& funcs);
  uint32_t DeclarativeElem(const std::vector<uint32_t>& funcs);
  uint32_t Elem(wasm::ElemSegment seg);
  // Data segments (Spec 2.5.8); the bytes are appended to Module::bytes.
  uint32_t ActiveData(uint32_t offset, const std::vector<uint8_t>& data);
  uint32_t PassiveData(const std::vector<uint8_t>& data);
  // Writes the data count section (Spec 5.5.15), which memory.init and data.drop require.
  void DataCount() { data_count_ = true; }

  const wasm::Module& module() const { return m_; }
  // The encoded module (wasm::Encode), the data count taken at this point.
  std::vector<uint8_t> Build() const;

 private:
  wasm::Module m_;
  bool data_count_ = false;
};

}  // namespace tandem::diff::gen
