// builder.cc: a wasm::Module built in memory and encoded (builder.h).
#include "diff/gen/builder.h"

#include <stdexcept>
#include <utility>

#include "reference/encoder.h"

namespace tandem::diff::gen {

using wasm::Instr;
using wasm::Op;
using wasm::ValType;

Instr MakeInstr(Op op, uint32_t a, uint32_t b, uint64_t c) {
  Instr in{};
  in.op = op;
  in.offset = 0;
  in.a = a;
  in.b = b;
  in.c = c;
  return in;
}

Instr ConstInstr(const wasm::Value& v) {
  switch (v.type) {
    case ValType::I32:
      return MakeInstr(Op::I32Const, 0, 0, v.i32());
    case ValType::I64:
      return MakeInstr(Op::I64Const, 0, 0, v.bits);
    case ValType::F32:
      return MakeInstr(Op::F32Const, 0, 0, v.bits & 0xffffffffu);
    case ValType::F64:
      return MakeInstr(Op::F64Const, 0, 0, v.bits);
    // module.h: c = bytes 0..7, a = bytes 8..11, b = bytes 12..15.
    case ValType::V128:
      return MakeInstr(Op::V128Const, static_cast<uint32_t>(v.hi),
                       static_cast<uint32_t>(v.hi >> 32), v.bits);
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (!v.is_null())
        throw std::invalid_argument("no constant instruction for a non-null reference");
      return MakeInstr(Op::RefNull, static_cast<uint32_t>(v.type));
  }
  throw std::invalid_argument("unknown value type");
}

// Spec 5.4.1: 0x40 (s33 -64) for the empty type, a value type byte b as s33 b - 0x80, or a
// non-negative type index.
uint64_t BlockEmpty() { return static_cast<uint64_t>(int64_t{-64}); }
uint64_t BlockValue(ValType t) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<uint8_t>(t)) - 0x80);
}
uint64_t BlockTypeIndex(uint32_t type_index) { return type_index; }

Code& Code::Add(const Instr& in) {
  instrs.push_back(in);
  return *this;
}

Code& Code::Add(Op op, uint32_t a, uint32_t b, uint64_t c) { return Add(MakeInstr(op, a, b, c)); }

Code& Code::Const(const wasm::Value& v) { return Add(ConstInstr(v)); }

Code& Code::BrTable(const std::vector<uint32_t>& labels, uint32_t default_label) {
  // ImmKind::BrTable: a = start in the pool, b = number of labels, the default after them.
  const uint32_t start = static_cast<uint32_t>(br_table_pool.size());
  br_table_pool.insert(br_table_pool.end(), labels.begin(), labels.end());
  br_table_pool.push_back(default_label);
  return Add(Op::BrTable, start, static_cast<uint32_t>(labels.size()));
}

Code& Code::Memory(Op op, uint64_t offset, uint8_t lane) {
  const wasm::ImmKind imm = wasm::GetOpInfo(op).imm;
  uint32_t size = wasm::MemAccessSize(imm);
  if (size == 0) size = wasm::MemLaneSize(imm);
  if (size == 0) throw std::invalid_argument("not a memory access instruction");
  uint32_t align = 0;
  while ((1u << align) < size) ++align;
  Instr in = MakeInstr(op, align, 0, offset);
  in.lane = lane;
  return Add(in);
}

uint32_t ModuleBuilder::Type(const wasm::FuncType& t) {
  for (size_t i = 0; i < m_.types.size(); ++i)
    if (m_.types[i] == t) return static_cast<uint32_t>(i);
  return DistinctType(t);
}

uint32_t ModuleBuilder::DistinctType(const wasm::FuncType& t) {
  m_.types.push_back(t);
  return static_cast<uint32_t>(m_.types.size() - 1);
}

uint32_t ModuleBuilder::Function(const wasm::FuncType& t, const std::vector<ValType>& locals,
                                 Code code) {
  return FunctionOfType(Type(t), locals, std::move(code));
}

uint32_t ModuleBuilder::FunctionOfType(uint32_t type_index, const std::vector<ValType>& locals,
                                       Code code) {
  wasm::FunctionBody body;
  body.type_index = type_index;
  // Spec 5.5.13: locals as runs of one type.
  for (ValType t : locals) {
    if (!body.locals.empty() && body.locals.back().type == t) {
      ++body.locals.back().count;
    } else {
      body.locals.push_back({1, t});
    }
  }
  body.num_locals = locals.size();
  body.code = std::move(code.instrs);
  body.code.push_back(MakeInstr(Op::End));
  body.br_table_pool = std::move(code.br_table_pool);
  m_.func_types.push_back(type_index);
  m_.code.push_back(std::move(body));
  return static_cast<uint32_t>(m_.func_types.size() - 1);
}

namespace {
void ImportsFirst(size_t defined, const char* kind) {
  if (defined != 0)
    throw std::logic_error(std::string("ModuleBuilder: a ") + kind + " import after a " + kind +
                           " definition");
}
}  // namespace

uint32_t ModuleBuilder::ImportFunction(const std::string& module, const std::string& name,
                                       const wasm::FuncType& t) {
  ImportsFirst(m_.func_types.size() - m_.num_imported_funcs, "function");
  wasm::Import imp;
  imp.module = module;
  imp.name = name;
  imp.kind = wasm::ExternKind::Func;
  imp.func_type_index = Type(t);
  m_.imports.push_back(imp);
  m_.func_types.push_back(imp.func_type_index);
  return m_.num_imported_funcs++;
}

uint32_t ModuleBuilder::ImportTable(const std::string& module, const std::string& name,
                                    const wasm::TableType& t) {
  ImportsFirst(m_.tables.size() - m_.num_imported_tables, "table");
  wasm::Import imp;
  imp.module = module;
  imp.name = name;
  imp.kind = wasm::ExternKind::Table;
  imp.table = t;
  m_.imports.push_back(imp);
  m_.tables.push_back(t);
  return m_.num_imported_tables++;
}

uint32_t ModuleBuilder::ImportMemory(const std::string& module, const std::string& name,
                                     const wasm::MemoryType& t) {
  ImportsFirst(m_.memories.size() - m_.num_imported_memories, "memory");
  wasm::Import imp;
  imp.module = module;
  imp.name = name;
  imp.kind = wasm::ExternKind::Memory;
  imp.memory = t;
  m_.imports.push_back(imp);
  m_.memories.push_back(t);
  return m_.num_imported_memories++;
}

uint32_t ModuleBuilder::ImportGlobal(const std::string& module, const std::string& name,
                                     const wasm::GlobalType& t) {
  ImportsFirst(m_.globals.size() - m_.num_imported_globals, "global");
  wasm::Import imp;
  imp.module = module;
  imp.name = name;
  imp.kind = wasm::ExternKind::Global;
  imp.global = t;
  m_.imports.push_back(imp);
  wasm::Global g;
  g.type = t;
  m_.globals.push_back(std::move(g));
  return m_.num_imported_globals++;
}

uint32_t ModuleBuilder::Memory(uint64_t min_pages, std::optional<uint64_t> max_pages) {
  m_.memories.push_back({wasm::Limits{min_pages, max_pages}});
  return static_cast<uint32_t>(m_.memories.size() - 1);
}

uint32_t ModuleBuilder::Table(ValType elem, uint64_t min, std::optional<uint64_t> max) {
  m_.tables.push_back({elem, wasm::Limits{min, max}});
  return static_cast<uint32_t>(m_.tables.size() - 1);
}

uint32_t ModuleBuilder::Global(ValType t, bool mut, const Instr& init) {
  wasm::Global g;
  g.type = {t, mut};
  g.init.code.push_back(init);
  m_.globals.push_back(std::move(g));
  return static_cast<uint32_t>(m_.globals.size() - 1);
}

void ModuleBuilder::Export(const std::string& name, wasm::ExternKind kind, uint32_t index) {
  m_.exports.push_back({name, kind, index});
}

namespace {

std::vector<wasm::ConstExpr> RefFuncs(const std::vector<uint32_t>& funcs) {
  std::vector<wasm::ConstExpr> init;
  for (uint32_t f : funcs) init.push_back({{MakeInstr(Op::RefFunc, f)}});
  return init;
}

}  // namespace

uint32_t ModuleBuilder::ActiveElem(uint32_t table, uint32_t offset,
                                   const std::vector<uint32_t>& funcs) {
  wasm::ElemSegment seg;
  seg.mode = wasm::SegmentMode::kActive;
  seg.table = table;
  seg.offset.code.push_back(ConstInstr(wasm::Value::I32(offset)));
  seg.init = RefFuncs(funcs);
  return Elem(std::move(seg));
}

uint32_t ModuleBuilder::PassiveElem(const std::vector<uint32_t>& funcs) {
  wasm::ElemSegment seg;
  seg.mode = wasm::SegmentMode::kPassive;
  seg.init = RefFuncs(funcs);
  return Elem(std::move(seg));
}

uint32_t ModuleBuilder::DeclarativeElem(const std::vector<uint32_t>& funcs) {
  wasm::ElemSegment seg;
  seg.mode = wasm::SegmentMode::kDeclarative;
  seg.init = RefFuncs(funcs);
  return Elem(std::move(seg));
}

uint32_t ModuleBuilder::Elem(wasm::ElemSegment seg) {
  m_.elems.push_back(std::move(seg));
  return static_cast<uint32_t>(m_.elems.size() - 1);
}

uint32_t ModuleBuilder::ActiveData(uint32_t offset, const std::vector<uint8_t>& data) {
  wasm::DataSegment seg;
  seg.mode = wasm::SegmentMode::kActive;
  seg.offset.code.push_back(ConstInstr(wasm::Value::I32(offset)));
  seg.data_offset = static_cast<uint32_t>(m_.bytes.size());
  seg.data_size = static_cast<uint32_t>(data.size());
  m_.bytes.insert(m_.bytes.end(), data.begin(), data.end());
  m_.datas.push_back(std::move(seg));
  return static_cast<uint32_t>(m_.datas.size() - 1);
}

uint32_t ModuleBuilder::PassiveData(const std::vector<uint8_t>& data) {
  uint32_t index = ActiveData(0, data);
  m_.datas[index].mode = wasm::SegmentMode::kPassive;
  m_.datas[index].offset.code.clear();
  return index;
}

std::vector<uint8_t> ModuleBuilder::Build() const {
  if (!data_count_) return wasm::Encode(m_);
  wasm::Module m = m_;
  m.data_count = static_cast<uint32_t>(m.datas.size());
  return wasm::Encode(m);
}

uint32_t LaneCount(std::string_view name) {
  const size_t x = name.find('x');
  const size_t dot = name.find('.');
  if (x == std::string_view::npos || dot == std::string_view::npos || x > dot) return 0;
  uint32_t n = 0;
  for (size_t i = x + 1; i < dot; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    n = n * 10 + static_cast<uint32_t>(name[i] - '0');
  }
  return n == 2 || n == 4 || n == 8 || n == 16 ? n : 0;
}

}  // namespace tandem::diff::gen
