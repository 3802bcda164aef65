// encoder.cc: the binary encoder (Spec 5 "Binary Format", Wasm 2.0 with SIMD, every section),
// writing exactly what decoder.cc reads, and SameModule, the structural comparison of two modules.
#include "reference/encoder.h"

#include "reference/binary_format.h"
#include "reference/leb128.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>
#include <string_view>

namespace tandem::wasm {
namespace {


[[noreturn]] void Refuse(const std::string& what) {
  throw std::invalid_argument("cannot encode module: " + what);
}

// A growing byte buffer with the primitive encodings of Spec 5.2.
class Writer {
 public:
  void Byte(uint8_t b) { out_.push_back(b); }
  // Spec 5.2.2: LEB128, minimal length.
  void Unsigned(uint64_t v) { WriteUnsignedLeb(&out_, v); }
  void Signed(int64_t v) { WriteSignedLeb(&out_, v); }
  // Spec 5.2.3: IEEE 754 bits, little-endian.
  void FixedLE(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void Raw(const uint8_t* p, size_t n) { out_.insert(out_.end(), p, p + n); }
  void Raw(const std::vector<uint8_t>& v) { out_.insert(out_.end(), v.begin(), v.end()); }
  // Spec 5.2.4: a name is its UTF-8 byte length then the bytes.
  void Name(std::string_view s) {
    Unsigned(s.size());
    out_.insert(out_.end(), s.begin(), s.end());
  }
  size_t size() const { return out_.size(); }
  std::vector<uint8_t>& bytes() { return out_; }

 private:
  std::vector<uint8_t> out_;
};

class Encoder {
 public:
  explicit Encoder(const Module& m) : m_(m) {}

  std::vector<uint8_t> Run();

 private:
  // ---- pieces (Spec 5.3, 5.4) ----
  void ValueType(Writer& w, ValType t) { w.Byte(static_cast<uint8_t>(t)); }
  // Spec 5.3.7: flag 0 = min only, 1 = min and max.
  void WriteLimits(Writer& w, const Limits& l) {
    w.Byte(l.max ? 1 : 0);
    w.Unsigned(l.min);
    if (l.max) w.Unsigned(*l.max);
  }
  void WriteTableType(Writer& w, const TableType& t) {  // Spec 5.3.9
    ValueType(w, t.elem);
    WriteLimits(w, t.limits);
  }
  void WriteGlobalType(Writer& w, const GlobalType& g) {  // Spec 5.3.10
    ValueType(w, g.type);
    w.Byte(g.mut ? 1 : 0);
  }
  // Every instruction of `code` with its immediates; `pool` holds the br_table targets
  // (nullptr for constant expressions, whose targets the model does not keep).
  void Instructions(Writer& w, const std::vector<Instr>& code, const std::vector<uint32_t>* pool);
  // Spec 5.4.9: a constant expression is its instructions then `end`.
  void WriteConstExpr(Writer& w, const ConstExpr& e) {
    Instructions(w, e.code, nullptr);
    w.Byte(kEndOpcode);
  }
  // A range of Module::bytes (custom payload, data segment contents).
  void Payload(Writer& w, uint32_t offset, uint32_t size, const char* what) {
    if (uint64_t{offset} + size > m_.bytes.size()) {
      Refuse(fmt::format("{} bytes [{}, {}) outside the module's {} bytes", what, offset,
                         uint64_t{offset} + size, m_.bytes.size()));
    }
    w.Raw(m_.bytes.data() + offset, size);
  }

  // ---- sections (Spec 5.5) ----
  void Section(uint8_t id, Writer& content);  // id, u32 size, content (Spec 5.5.2)
  void TypeSection();
  void ImportSection();
  void FunctionSection();
  void TableSection();
  void MemorySection();
  void GlobalSection();
  void ExportSection();
  void StartSection();
  void ElemSection();
  void DataCountSection();
  void CodeSection();
  void DataSection();
  void CustomSections();

  const Module& m_;
  Writer out_;
};

void Encoder::Instructions(Writer& w, const std::vector<Instr>& code,
                           const std::vector<uint32_t>* pool) {
  for (const Instr& ins : code) {
    const OpInfo& info = GetOpInfo(ins.op);
    // Spec 5.4: one opcode byte, or a prefix byte and a u32 sub-opcode.
    if (info.prefix != 0) {
      w.Byte(info.prefix);
      w.Unsigned(info.code);
    } else {
      w.Byte(static_cast<uint8_t>(info.code));
    }
    switch (info.imm) {
      case ImmKind::None:
        break;
      // Spec 5.4.1 blocktype: 0x40, a value type, or a type index as s33.
      case ImmKind::BlockType: {
        int64_t s = static_cast<int64_t>(ins.c);
        if (s == -64) {
          w.Byte(0x40);
        } else if (s < 0) {
          w.Byte(static_cast<uint8_t>(s & 0x7f));
        } else {
          w.Signed(s);
        }
        break;
      }
      case ImmKind::LabelIdx:
      case ImmKind::FuncIdx:
      case ImmKind::LocalIdx:
      case ImmKind::GlobalIdx:
      case ImmKind::TableIdx:
      case ImmKind::ElemIdx:
      case ImmKind::DataIdx:
        w.Unsigned(ins.a);
        break;
      // Spec 5.4.1 br_table: vec(labelidx) then the default label.
      case ImmKind::BrTable: {
        if (pool == nullptr) Refuse("br_table in a constant expression");
        if (uint64_t{ins.a} + ins.b + 1 > pool->size()) {
          Refuse(fmt::format("br_table targets [{}, {}] outside the pool of {}", ins.a,
                             uint64_t{ins.a} + ins.b, pool->size()));
        }
        w.Unsigned(ins.b);
        for (uint32_t i = 0; i <= ins.b; ++i) w.Unsigned((*pool)[ins.a + i]);
        break;
      }
      case ImmKind::CallIndirect:  // Spec 5.4.1: typeidx then tableidx
      case ImmKind::TableInit:     // Spec 5.4.5: elemidx then tableidx
      case ImmKind::TableCopy:     // Spec 5.4.5: destination then source table
        w.Unsigned(ins.a);
        w.Unsigned(ins.b);
        break;
      case ImmKind::RefType:  // Spec 5.4.2 ref.null t
        w.Byte(static_cast<uint8_t>(ins.a));
        break;
      // Spec 5.4.3 select t*: the decoder keeps the count and the first type only.
      case ImmKind::SelectT:
        w.Unsigned(ins.a);
        for (uint32_t i = 0; i < ins.a; ++i) w.Byte(static_cast<uint8_t>(ins.b));
        break;
      // Spec 5.4.6 memarg: alignment exponent then offset.
      case ImmKind::Mem1:
      case ImmKind::Mem2:
      case ImmKind::Mem4:
      case ImmKind::Mem8:
      case ImmKind::Mem16:
        w.Unsigned(ins.a);
        w.Unsigned(ins.c);
        break;
      // Spec 5.4.8 v128.loadN_lane / storeN_lane: memarg then the lane byte.
      case ImmKind::MemLane1:
      case ImmKind::MemLane2:
      case ImmKind::MemLane4:
      case ImmKind::MemLane8:
        w.Unsigned(ins.a);
        w.Unsigned(ins.c);
        w.Byte(ins.lane);
        break;
      case ImmKind::LaneIdx:  // Spec 5.4.8 laneidx
        w.Byte(ins.lane);
        break;
      // Spec 5.4.8 v128.const and i8x16.shuffle: 16 bytes (c, then a, then b; module.h).
      case ImmKind::V128Const:
      case ImmKind::Shuffle:
        w.FixedLE(ins.c, 8);
        w.FixedLE(ins.a, 4);
        w.FixedLE(ins.b, 4);
        break;
      // Spec 5.4.6: memory.size/grow/fill carry a reserved zero byte (memory 0).
      case ImmKind::MemIdx:
        w.Byte(0x00);
        break;
      case ImmKind::MemoryInit:  // Spec 5.4.6 memory.init x 0x00
        w.Unsigned(ins.a);
        w.Byte(0x00);
        break;
      case ImmKind::MemoryCopy:  // Spec 5.4.6 memory.copy 0x00 0x00
        w.Byte(0x00);
        w.Byte(0x00);
        break;
      // Spec 5.4.7 numeric constants: i32/i64 as signed LEB, floats as fixed little-endian.
      case ImmKind::I32Const:
        w.Signed(static_cast<int32_t>(static_cast<uint32_t>(ins.c)));
        break;
      case ImmKind::I64Const:
        w.Signed(static_cast<int64_t>(ins.c));
        break;
      case ImmKind::F32Const:
        w.FixedLE(ins.c, 4);
        break;
      case ImmKind::F64Const:
        w.FixedLE(ins.c, 8);
        break;
    }
  }
}

void Encoder::Section(uint8_t id, Writer& content) {
  out_.Byte(id);
  out_.Unsigned(content.size());
  out_.Raw(content.bytes());
}

// Spec 5.5.4: vec(functype), each 0x60 vec(valtype) vec(valtype).
void Encoder::TypeSection() {
  if (m_.types.empty()) return;
  Writer w;
  w.Unsigned(m_.types.size());
  for (const FuncType& ft : m_.types) {
    w.Byte(0x60);
    w.Unsigned(ft.params.size());
    for (ValType t : ft.params) ValueType(w, t);
    w.Unsigned(ft.results.size());
    for (ValType t : ft.results) ValueType(w, t);
  }
  Section(kTypeId, w);
}

// Spec 5.5.5: vec(import), each module name, name, import description.
void Encoder::ImportSection() {
  if (m_.imports.empty()) return;
  Writer w;
  w.Unsigned(m_.imports.size());
  for (const Import& im : m_.imports) {
    w.Name(im.module);
    w.Name(im.name);
    w.Byte(static_cast<uint8_t>(im.kind));
    switch (im.kind) {
      case ExternKind::Func:
        w.Unsigned(im.func_type_index);
        break;
      case ExternKind::Table:
        WriteTableType(w, im.table);
        break;
      case ExternKind::Memory:
        WriteLimits(w, im.memory.limits);
        break;
      case ExternKind::Global:
        WriteGlobalType(w, im.global);
        break;
    }
  }
  Section(kImportId, w);
}

// Spec 5.5.6: the type indices of the defined functions.
void Encoder::FunctionSection() {
  if (m_.func_types.size() < m_.num_imported_funcs) {
    Refuse(fmt::format("{} function types but {} imported functions", m_.func_types.size(),
                       m_.num_imported_funcs));
  }
  if (m_.func_types.size() == m_.num_imported_funcs) return;
  Writer w;
  w.Unsigned(m_.func_types.size() - m_.num_imported_funcs);
  for (size_t i = m_.num_imported_funcs; i < m_.func_types.size(); ++i) {
    w.Unsigned(m_.func_types[i]);
  }
  Section(kFunctionId, w);
}

// Spec 5.5.7: the defined tables (after the imported ones in Module::tables).
void Encoder::TableSection() {
  if (m_.tables.size() <= m_.num_imported_tables) return;
  Writer w;
  w.Unsigned(m_.tables.size() - m_.num_imported_tables);
  for (size_t i = m_.num_imported_tables; i < m_.tables.size(); ++i) {
    WriteTableType(w, m_.tables[i]);
  }
  Section(kTableId, w);
}

// Spec 5.5.8: the defined memories.
void Encoder::MemorySection() {
  if (m_.memories.size() <= m_.num_imported_memories) return;
  Writer w;
  w.Unsigned(m_.memories.size() - m_.num_imported_memories);
  for (size_t i = m_.num_imported_memories; i < m_.memories.size(); ++i) {
    WriteLimits(w, m_.memories[i].limits);
  }
  Section(kMemoryId, w);
}

// Spec 5.5.9: the defined globals, each global type then its initializer.
void Encoder::GlobalSection() {
  if (m_.globals.size() <= m_.num_imported_globals) return;
  Writer w;
  w.Unsigned(m_.globals.size() - m_.num_imported_globals);
  for (size_t i = m_.num_imported_globals; i < m_.globals.size(); ++i) {
    WriteGlobalType(w, m_.globals[i].type);
    WriteConstExpr(w, m_.globals[i].init);
  }
  Section(kGlobalId, w);
}

// Spec 5.5.10: vec(export), each name, kind byte, index.
void Encoder::ExportSection() {
  if (m_.exports.empty()) return;
  Writer w;
  w.Unsigned(m_.exports.size());
  for (const Export& e : m_.exports) {
    w.Name(e.name);
    w.Byte(static_cast<uint8_t>(e.kind));
    w.Unsigned(e.index);
  }
  Section(kExportId, w);
}

// Spec 5.5.11
void Encoder::StartSection() {
  if (!m_.start) return;
  Writer w;
  w.Unsigned(*m_.start);
  Section(kStartId, w);
}

// Spec 5.5.12: flags 0..7. Bit 0: passive/declarative; bit 1: explicit table (active) or
// declarative (otherwise); bit 2: expressions instead of function indices. The function-index
// forms are chosen whenever they represent the segment.
void Encoder::ElemSection() {
  if (m_.elems.empty()) return;
  Writer w;
  w.Unsigned(m_.elems.size());
  for (const ElemSegment& seg : m_.elems) {
    bool func_indices = seg.type == ValType::FuncRef &&
                        std::all_of(seg.init.begin(), seg.init.end(), [](const ConstExpr& e) {
                          return e.code.size() == 1 && e.code[0].op == Op::RefFunc;
                        });
    uint32_t flags = 0;
    switch (seg.mode) {
      case SegmentMode::kActive:
        if (func_indices) {
          flags = seg.table == 0 ? 0 : 2;
        } else {
          flags = seg.table == 0 && seg.type == ValType::FuncRef ? 4 : 6;
        }
        break;
      case SegmentMode::kPassive:
        flags = func_indices ? 1 : 5;
        break;
      case SegmentMode::kDeclarative:
        flags = func_indices ? 3 : 7;
        break;
    }
    w.Unsigned(flags);
    if (seg.mode == SegmentMode::kActive) {
      if (flags & 2) w.Unsigned(seg.table);
      WriteConstExpr(w, seg.offset);
    }
    // Forms 0 and 4 imply funcref; the others carry elemkind 0x00 or a reference type.
    if (flags != 0 && flags != 4) {
      if (func_indices) {
        w.Byte(0x00);
      } else {
        ValueType(w, seg.type);
      }
    }
    w.Unsigned(seg.init.size());
    for (const ConstExpr& e : seg.init) {
      if (func_indices) {
        w.Unsigned(e.code[0].a);
      } else {
        WriteConstExpr(w, e);
      }
    }
  }
  Section(kElemId, w);
}

// Spec 5.5.15: written iff the module has one, before the code section.
void Encoder::DataCountSection() {
  if (!m_.data_count) return;
  Writer w;
  w.Unsigned(*m_.data_count);
  Section(kDataCountId, w);
}

// Spec 5.5.13: vec(code), each u32 size then vec(locals) and the body's instructions (the
// final `end` is the last Instr of FunctionBody::code).
void Encoder::CodeSection() {
  if (m_.code.empty()) return;
  Writer w;
  w.Unsigned(m_.code.size());
  Writer body;
  for (const FunctionBody& fb : m_.code) {
    body.bytes().clear();
    body.Unsigned(fb.locals.size());
    for (const LocalDecl& l : fb.locals) {
      body.Unsigned(l.count);
      ValueType(body, l.type);
    }
    Instructions(body, fb.code, &fb.br_table_pool);
    w.Unsigned(body.size());
    w.Raw(body.bytes());
  }
  Section(kCodeId, w);
}

// Spec 5.5.14: 0 = active memory 0, 1 = passive, 2 = active with explicit memory.
void Encoder::DataSection() {
  if (m_.datas.empty()) return;
  Writer w;
  w.Unsigned(m_.datas.size());
  for (size_t i = 0; i < m_.datas.size(); ++i) {
    const DataSegment& seg = m_.datas[i];
    switch (seg.mode) {
      case SegmentMode::kPassive:
        w.Unsigned(1);
        break;
      case SegmentMode::kActive:
        if (seg.memory == 0) {
          w.Unsigned(0);
        } else {
          w.Unsigned(2);
          w.Unsigned(seg.memory);
        }
        WriteConstExpr(w, seg.offset);
        break;
      case SegmentMode::kDeclarative:
        Refuse(fmt::format("data segment {} is declarative", i));
    }
    w.Unsigned(seg.data_size);
    Payload(w, seg.data_offset, seg.data_size, "data segment");
  }
  Section(kDataId, w);
}

// Spec 5.5.3: name then payload; all of them after the last other section.
void Encoder::CustomSections() {
  for (const CustomSection& c : m_.customs) {
    Writer w;
    w.Name(c.name);
    Payload(w, c.offset, c.size, "custom section");
    Section(kCustomId, w);
  }
}

std::vector<uint8_t> Encoder::Run() {
  // Spec 5.5.16: magic and version, then the sections in their required order.
  out_.Raw({0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
  TypeSection();
  ImportSection();
  FunctionSection();
  TableSection();
  MemorySection();
  GlobalSection();
  ExportSection();
  StartSection();
  ElemSection();
  DataCountSection();
  CodeSection();
  DataSection();
  CustomSections();
  return std::move(out_.bytes());
}

// ---- SameModule ----

// Compares field by field; every check returns false after recording the first difference.
class Comparer {
 public:
  Comparer(const Module& a, const Module& b, std::string* why) : a_(a), b_(b), why_(why) {}

  bool Run();

 private:
  bool Fail(const std::string& msg) {
    if (why_) *why_ = msg;
    return false;
  }
  template <typename T>
  bool Eq(const std::string& where, const T& x, const T& y) {
    if (x == y) return true;
    return Fail(fmt::format("{} {} vs {}", where, x, y));
  }
  bool Types(const std::string& where, const std::vector<ValType>& x,
             const std::vector<ValType>& y) {
    if (x == y) return true;
    return Fail(fmt::format("{} {} vs {}", where, List(x), List(y)));
  }
  static std::string List(const std::vector<ValType>& v) {
    std::vector<std::string_view> names;
    for (ValType t : v) names.push_back(ValTypeName(t));
    return fmt::format("[{}]", fmt::join(names, " "));
  }
  static std::string TypeName(ValType t) { return ValTypeName(t); }
  bool Limits(const std::string& where, const wasm::Limits& x, const wasm::Limits& y);
  bool Table(const std::string& where, const TableType& x, const TableType& y);
  bool Global(const std::string& where, const GlobalType& x, const GlobalType& y);
  bool Code(const std::string& where, const std::vector<Instr>& x,
            const std::vector<uint32_t>* xpool, const std::vector<Instr>& y,
            const std::vector<uint32_t>* ypool);
  bool Expr(const std::string& where, const ConstExpr& x, const ConstExpr& y) {
    return Code(where, x.code, nullptr, y.code, nullptr);
  }
  bool Bytes(const std::string& where, uint32_t xoff, uint32_t xsize, uint32_t yoff,
             uint32_t ysize);

  const Module& a_;
  const Module& b_;
  std::string* why_;
};

bool Comparer::Limits(const std::string& where, const wasm::Limits& x, const wasm::Limits& y) {
  if (!Eq(where + " min", x.min, y.min)) return false;
  if (x.max == y.max) return true;
  auto show = [](const std::optional<uint64_t>& m) {
    return m ? std::to_string(*m) : std::string("none");
  };
  return Fail(fmt::format("{} max {} vs {}", where, show(x.max), show(y.max)));
}

bool Comparer::Table(const std::string& where, const TableType& x, const TableType& y) {
  return Eq(where + " element type", TypeName(x.elem), TypeName(y.elem)) &&
         Limits(where, x.limits, y.limits);
}

bool Comparer::Global(const std::string& where, const GlobalType& x, const GlobalType& y) {
  return Eq(where + " type", TypeName(x.type), TypeName(y.type)) &&
         Eq(where + " mutable", x.mut, y.mut);
}

// Instructions compared on every field but Instr::offset; br_table by its targets' values.
bool Comparer::Code(const std::string& where, const std::vector<Instr>& x,
                    const std::vector<uint32_t>* xpool, const std::vector<Instr>& y,
                    const std::vector<uint32_t>* ypool) {
  if (x.size() != y.size()) {
    return Fail(fmt::format("{}: {} instructions vs {}", where, x.size(), y.size()));
  }
  for (size_t k = 0; k < x.size(); ++k) {
    const Instr& p = x[k];
    const Instr& q = y[k];
    std::string at = fmt::format("{} instruction {}:", where, k);
    if (p.op != q.op) return Fail(fmt::format("{} {} vs {}", at, OpName(p.op), OpName(q.op)));
    std::string name = fmt::format("{} {}", at, OpName(p.op));
    if (!Eq(name + " lane", unsigned{p.lane}, unsigned{q.lane})) return false;
    if (GetOpInfo(p.op).imm == ImmKind::BrTable && xpool && ypool) {
      // a is a position in the body's pool: compare the count and the targets it names.
      auto targets = [](const Instr& in, const std::vector<uint32_t>& pool) {
        std::vector<uint32_t> t;
        for (uint64_t i = in.a; i <= uint64_t{in.a} + in.b; ++i)
          t.push_back(i < pool.size() ? pool[i] : UINT32_MAX);
        return t;
      };
      std::vector<uint32_t> tx = targets(p, *xpool);
      std::vector<uint32_t> ty = targets(q, *ypool);
      if (tx != ty) {
        return Fail(
            fmt::format("{} targets [{}] vs [{}]", name, fmt::join(tx, " "), fmt::join(ty, " ")));
      }
      continue;
    }
    if (!Eq(name + " a", p.a, q.a) || !Eq(name + " b", p.b, q.b) || !Eq(name + " c", p.c, q.c))
      return false;
  }
  return true;
}

bool Comparer::Bytes(const std::string& where, uint32_t xoff, uint32_t xsize, uint32_t yoff,
                     uint32_t ysize) {
  if (!Eq(where + " size", xsize, ysize)) return false;
  bool xin = uint64_t{xoff} + xsize <= a_.bytes.size();
  bool yin = uint64_t{yoff} + ysize <= b_.bytes.size();
  if (!xin || !yin) return Fail(where + ": bytes outside Module::bytes");
  const uint8_t* px = a_.bytes.data() + xoff;
  const uint8_t* py = b_.bytes.data() + yoff;
  for (uint32_t i = 0; i < xsize; ++i) {
    if (px[i] != py[i]) {
      return Fail(fmt::format("{} byte {}: 0x{:02x} vs 0x{:02x}", where, i, px[i], py[i]));
    }
  }
  return true;
}

bool Comparer::Run() {
  const Module& a = a_;
  const Module& b = b_;
  // Spec 2.5.2 types
  if (!Eq("type count", a.types.size(), b.types.size())) return false;
  for (size_t i = 0; i < a.types.size(); ++i) {
    std::string w = fmt::format("type {}", i);
    if (!Types(w + " params", a.types[i].params, b.types[i].params) ||
        !Types(w + " results", a.types[i].results, b.types[i].results))
      return false;
  }
  // Spec 2.5.11 imports (every field of each, whatever its kind)
  if (!Eq("import count", a.imports.size(), b.imports.size())) return false;
  for (size_t i = 0; i < a.imports.size(); ++i) {
    const Import& x = a.imports[i];
    const Import& y = b.imports[i];
    std::string w = fmt::format("import {}", i);
    if (!Eq(w + " module", x.module, y.module) || !Eq(w + " name", x.name, y.name) ||
        !Eq(w + " kind", std::string(ExternKindName(x.kind)),
            std::string(ExternKindName(y.kind))) ||
        !Eq(w + " type index", x.func_type_index, y.func_type_index) ||
        !Table(w + " table", x.table, y.table) ||
        !Limits(w + " memory", x.memory.limits, y.memory.limits) ||
        !Global(w + " global", x.global, y.global))
      return false;
  }
  if (!Eq("imported function count", a.num_imported_funcs, b.num_imported_funcs) ||
      !Eq("imported table count", a.num_imported_tables, b.num_imported_tables) ||
      !Eq("imported memory count", a.num_imported_memories, b.num_imported_memories) ||
      !Eq("imported global count", a.num_imported_globals, b.num_imported_globals))
    return false;
  // Spec 2.5.3 functions (the index space, imports first)
  if (!Eq("function count", a.func_types.size(), b.func_types.size())) return false;
  for (size_t i = 0; i < a.func_types.size(); ++i) {
    if (!Eq(fmt::format("function {} type index", i), a.func_types[i], b.func_types[i]))
      return false;
  }
  // Spec 2.5.4-2.5.6 tables, memories, globals
  if (!Eq("table count", a.tables.size(), b.tables.size())) return false;
  for (size_t i = 0; i < a.tables.size(); ++i) {
    if (!Table(fmt::format("table {}", i), a.tables[i], b.tables[i])) return false;
  }
  if (!Eq("memory count", a.memories.size(), b.memories.size())) return false;
  for (size_t i = 0; i < a.memories.size(); ++i) {
    if (!Limits(fmt::format("memory {}", i), a.memories[i].limits, b.memories[i].limits))
      return false;
  }
  if (!Eq("global count", a.globals.size(), b.globals.size())) return false;
  for (size_t i = 0; i < a.globals.size(); ++i) {
    std::string w = fmt::format("global {}", i);
    if (!Global(w, a.globals[i].type, b.globals[i].type) ||
        !Expr(w + " init", a.globals[i].init, b.globals[i].init))
      return false;
  }
  // Spec 2.5.10 exports, 2.5.9 start
  if (!Eq("export count", a.exports.size(), b.exports.size())) return false;
  for (size_t i = 0; i < a.exports.size(); ++i) {
    const Export& x = a.exports[i];
    const Export& y = b.exports[i];
    std::string w = fmt::format("export {}", i);
    if (!Eq(w + " name", x.name, y.name) ||
        !Eq(w + " kind", std::string(ExternKindName(x.kind)),
            std::string(ExternKindName(y.kind))) ||
        !Eq(w + " index", x.index, y.index))
      return false;
  }
  auto opt = [](const std::optional<uint32_t>& v) {
    return v ? std::to_string(*v) : std::string("none");
  };
  if (!Eq("start", opt(a.start), opt(b.start))) return false;
  // Spec 2.5.7 element segments
  if (!Eq("element segment count", a.elems.size(), b.elems.size())) return false;
  for (size_t i = 0; i < a.elems.size(); ++i) {
    const ElemSegment& x = a.elems[i];
    const ElemSegment& y = b.elems[i];
    std::string w = fmt::format("element segment {}", i);
    if (!Eq(w + " mode", static_cast<int>(x.mode), static_cast<int>(y.mode)) ||
        !Eq(w + " type", TypeName(x.type), TypeName(y.type)) ||
        !Eq(w + " table", x.table, y.table) || !Expr(w + " offset", x.offset, y.offset) ||
        !Eq(w + " element count", x.init.size(), y.init.size()))
      return false;
    for (size_t k = 0; k < x.init.size(); ++k) {
      if (!Expr(fmt::format("{} element {}", w, k), x.init[k], y.init[k])) return false;
    }
  }
  // Spec 2.5.8 data segments, 5.5.15 data count
  if (!Eq("data segment count", a.datas.size(), b.datas.size())) return false;
  for (size_t i = 0; i < a.datas.size(); ++i) {
    const DataSegment& x = a.datas[i];
    const DataSegment& y = b.datas[i];
    std::string w = fmt::format("data segment {}", i);
    if (!Eq(w + " mode", static_cast<int>(x.mode), static_cast<int>(y.mode)) ||
        !Eq(w + " memory", x.memory, y.memory) || !Expr(w + " offset", x.offset, y.offset) ||
        !Bytes(w, x.data_offset, x.data_size, y.data_offset, y.data_size))
      return false;
  }
  if (!Eq("data count", opt(a.data_count), opt(b.data_count))) return false;
  // Spec 2.5.3 function bodies
  if (!Eq("function body count", a.code.size(), b.code.size())) return false;
  for (size_t i = 0; i < a.code.size(); ++i) {
    const FunctionBody& x = a.code[i];
    const FunctionBody& y = b.code[i];
    std::string w = fmt::format("function {}", a.num_imported_funcs + i);
    if (!Eq(w + " body type index", x.type_index, y.type_index) ||
        !Eq(w + " local group count", x.locals.size(), y.locals.size()))
      return false;
    for (size_t k = 0; k < x.locals.size(); ++k) {
      std::string l = fmt::format("{} local group {}", w, k);
      if (!Eq(l + " count", x.locals[k].count, y.locals[k].count) ||
          !Eq(l + " type", TypeName(x.locals[k].type), TypeName(y.locals[k].type)))
        return false;
    }
    if (!Eq(w + " local count", x.num_locals, y.num_locals) ||
        !Code(w, x.code, &x.br_table_pool, y.code, &y.br_table_pool))
      return false;
  }
  // Spec 2.5.14 custom sections (Spec 5.5.3)
  if (!Eq("custom section count", a.customs.size(), b.customs.size())) return false;
  for (size_t i = 0; i < a.customs.size(); ++i) {
    const CustomSection& x = a.customs[i];
    const CustomSection& y = b.customs[i];
    std::string w = fmt::format("custom section {}", i);
    if (!Eq(w + " name", x.name, y.name) ||
        !Bytes(w + " payload", x.offset, x.size, y.offset, y.size))
      return false;
  }
  return true;
}

}  // namespace

std::vector<uint8_t> Encode(const Module& m) { return Encoder(m).Run(); }

bool SameModule(const Module& a, const Module& b, std::string* why) {
  return Comparer(a, b, why).Run();
}

}  // namespace tandem::wasm
