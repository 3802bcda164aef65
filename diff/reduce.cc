// reduce.cc: the test-case reducer (reduce.h). Passes over the script, the module's sections and
// the function bodies propose candidates; MakeCase (decode + validate) filters them before the
// predicate, which is the expensive part, sees them.
#include "diff/reduce.h"

#include <algorithm>
#include <chrono>
#include <compare>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "diff/gen/builder.h"
#include "reference/encoder.h"

namespace tandem::diff {
namespace {

using wasm::ConstExpr;
using wasm::DataSegment;
using wasm::ElemSegment;
using wasm::ExternKind;
using wasm::FunctionBody;
using wasm::ImmKind;
using wasm::Instr;
using wasm::Module;
using wasm::Op;
using wasm::SegmentMode;
using wasm::ValType;

using Clock = std::chrono::steady_clock;

// An index that no longer exists: a reference remapped to it fails validation, which is how a
// candidate that removes something still in use is refused.
constexpr uint32_t kGone = 0xffffffffu;
// The start of an expression that takes values from outside itself (a block parameter, the
// polymorphic stack of unreachable code): such an expression cannot be cut out alone.
constexpr uint32_t kOpen = 0xffffffffu;
constexpr std::string_view kDenanSection = "tandem.denan";

// ---------------------------------------------------------------------------------------------
// Measures (the order of reduce.h)

struct Size {
  size_t bytes = 0;
  size_t calls = 0;
  uint64_t instrs = 0;
  uint64_t nonzero = 0;
  auto operator<=>(const Size&) const = default;
};

template <class M, class F>
void ForEachInstr(M& m, F&& f) {
  for (auto& fb : m.code)
    for (auto& in : fb.code) f(in);
  for (auto& g : m.globals)
    for (auto& in : g.init.code) f(in);
  for (auto& e : m.elems) {
    for (auto& in : e.offset.code) f(in);
    for (auto& x : e.init)
      for (auto& in : x.code) f(in);
  }
  for (auto& d : m.datas)
    for (auto& in : d.offset.code) f(in);
}

uint64_t CountInstrs(const Module& m) {
  uint64_t n = 0;
  ForEachInstr(m, [&](const Instr&) { ++n; });
  return n;
}

uint64_t NonZeroImmediates(const Instr& in) {
  switch (GetOpInfo(in.op).imm) {
    case ImmKind::I32Const:
    case ImmKind::I64Const:
    case ImmKind::F32Const:
    case ImmKind::F64Const:
      return in.c != 0;
    case ImmKind::V128Const:
      return (in.c | in.a | in.b) != 0;
    case ImmKind::Mem1:
    case ImmKind::Mem2:
    case ImmKind::Mem4:
    case ImmKind::Mem8:
    case ImmKind::Mem16:
      return (in.a != 0) + (in.c != 0);
    case ImmKind::MemLane1:
    case ImmKind::MemLane2:
    case ImmKind::MemLane4:
    case ImmKind::MemLane8:
      return (in.a != 0) + (in.c != 0) + (in.lane != 0);
    case ImmKind::LaneIdx:
      return in.lane != 0;
    default:
      return 0;
  }
}

uint64_t CountNonZero(const Module& m, const Script& s) {
  uint64_t n = 0;
  ForEachInstr(m, [&](const Instr& in) { n += NonZeroImmediates(in); });
  for (const DataSegment& d : m.datas)
    for (uint32_t i = 0; i < d.data_size; ++i) n += m.bytes[d.data_offset + i] != 0;
  auto limits = [&](const wasm::Limits& l) { n += (l.min != 0) + (l.max && *l.max != 0); };
  for (const wasm::MemoryType& t : m.memories) limits(t.limits);
  for (const wasm::TableType& t : m.tables) limits(t.limits);
  for (const Call& c : s.calls)
    for (const wasm::Value& v : c.args) n += !(v == wasm::Value::Default(v.type));
  return n;
}

Size Measure(size_t bytes, const Module& m, const Script& s) {
  return {bytes, s.calls.size(), CountInstrs(m), CountNonZero(m, s)};
}

// FNV-1a over the bytes and the calls: the candidates already tested.
uint64_t Fingerprint(const std::vector<uint8_t>& bytes, const Script& s) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= (v >> (8 * i)) & 0xff;
      h *= 1099511628211ull;
    }
  };
  for (uint8_t b : bytes) {
    h ^= b;
    h *= 1099511628211ull;
  }
  for (const Call& c : s.calls) {
    mix(c.export_name.size());
    for (char ch : c.export_name) mix(static_cast<uint8_t>(ch));
    for (const wasm::Value& v : c.args) {
      mix(static_cast<uint8_t>(v.type));
      mix(v.bits);
      mix(v.hi);
    }
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// Small model helpers

Instr ZeroOf(ValType t) { return gen::ConstInstr(wasm::Value::Default(t)); }

bool IsConstant(Op op) {
  return op == Op::I32Const || op == Op::I64Const || op == Op::F32Const || op == Op::F64Const ||
         op == Op::V128Const || op == Op::RefNull;
}

bool IsZeroConst(const Instr& in) {
  switch (in.op) {
    case Op::I32Const:
    case Op::I64Const:
    case Op::F32Const:
    case Op::F64Const:
      return in.c == 0;
    case Op::V128Const:
      return (in.c | in.a | in.b) == 0;
    case Op::RefNull:
      return true;
    default:
      return false;
  }
}

std::optional<uint32_t> ConstI32(const ConstExpr& e) {
  if (e.code.size() != 1 || e.code[0].op != Op::I32Const) return std::nullopt;
  return static_cast<uint32_t>(e.code[0].c);
}

std::vector<uint8_t> DataBytes(const Module& m, const DataSegment& d) {
  return std::vector<uint8_t>(m.bytes.begin() + d.data_offset,
                              m.bytes.begin() + d.data_offset + d.data_size);
}

// Data contents live in Module::bytes (module.h): new contents are appended there.
void SetDataBytes(Module& m, size_t segment, const std::vector<uint8_t>& bytes) {
  DataSegment& d = m.datas[segment];
  d.data_offset = static_cast<uint32_t>(m.bytes.size());
  d.data_size = static_cast<uint32_t>(bytes.size());
  m.bytes.insert(m.bytes.end(), bytes.begin(), bytes.end());
}

// The minimal body of a function type: nothing for [] -> [], `unreachable` otherwise (valid
// for any type).
std::vector<Instr> MinimalBody(const wasm::FuncType& t) {
  std::vector<Instr> code;
  if (!t.results.empty()) code.push_back(gen::MakeInstr(Op::Unreachable));
  code.push_back(gen::MakeInstr(Op::End));
  return code;
}

std::vector<Instr> ZeroBody(const wasm::FuncType& t) {
  std::vector<Instr> code;
  for (ValType r : t.results) code.push_back(ZeroOf(r));
  code.push_back(gen::MakeInstr(Op::End));
  return code;
}

// A br_table pool holding exactly the targets of the br_tables in `code`, in order (edits leave
// stale or appended entries behind).
std::vector<uint32_t> CompactPool(std::vector<Instr>& code, const std::vector<uint32_t>& pool) {
  std::vector<uint32_t> out;
  for (Instr& in : code) {
    if (in.op != Op::BrTable) continue;
    const uint32_t first = static_cast<uint32_t>(out.size());
    for (uint32_t i = 0; i <= in.b; ++i) out.push_back(pool.at(in.a + i));
    in.a = first;
  }
  return out;
}

// Erases the imports of `kind` whose index in that kind's space is marked in `gone`; returns how
// many of that kind are left.
uint32_t EraseImports(Module& m, ExternKind kind, const std::vector<bool>& gone) {
  std::vector<wasm::Import> kept;
  uint32_t index = 0, left = 0;
  for (wasm::Import& im : m.imports) {
    if (im.kind == kind) {
      const bool erase = index < gone.size() && gone[index];
      ++index;
      if (erase) continue;
      ++left;
    }
    kept.push_back(std::move(im));
  }
  m.imports = std::move(kept);
  return left;
}

std::vector<uint32_t> IndexMap(const std::vector<bool>& gone) {
  std::vector<uint32_t> map(gone.size(), kGone);
  uint32_t next = 0;
  for (size_t i = 0; i < gone.size(); ++i)
    if (!gone[i]) map[i] = next++;
  return map;
}

uint32_t Remap(const std::vector<uint32_t>& map, uint32_t index) {
  return index < map.size() ? map[index] : index;
}

// ---------------------------------------------------------------------------------------------
// Removal with remapping. A reference left to a removed entity becomes kGone, so validation
// refuses the candidate.

void RemoveFunctions(Module& m, const std::vector<bool>& gone) {
  const uint32_t n = static_cast<uint32_t>(m.func_types.size());
  const std::vector<uint32_t> map = IndexMap(gone);
  // A declarative segment only declares references: its entries go with their functions.
  for (ElemSegment& e : m.elems) {
    if (e.mode != SegmentMode::kDeclarative) continue;
    std::erase_if(e.init, [&](const ConstExpr& x) {
      return x.code.size() == 1 && x.code[0].op == Op::RefFunc && x.code[0].a < n &&
             gone[x.code[0].a];
    });
  }
  ForEachInstr(m, [&](Instr& in) {
    if (in.op == Op::Call || in.op == Op::RefFunc) in.a = Remap(map, in.a);
  });
  for (wasm::Export& e : m.exports)
    if (e.kind == ExternKind::Func) e.index = Remap(map, e.index);
  if (m.start) m.start = Remap(map, *m.start);
  const uint32_t imported = m.num_imported_funcs;
  std::vector<uint32_t> types;
  std::vector<FunctionBody> code;
  for (uint32_t i = 0; i < n; ++i) {
    if (gone[i]) continue;
    types.push_back(m.func_types[i]);
    if (i >= imported) code.push_back(std::move(m.code[i - imported]));
  }
  m.num_imported_funcs = EraseImports(m, ExternKind::Func, gone);
  m.func_types = std::move(types);
  m.code = std::move(code);
}

void RemoveGlobals(Module& m, const std::vector<bool>& gone) {
  const std::vector<uint32_t> map = IndexMap(gone);
  ForEachInstr(m, [&](Instr& in) {
    if (in.op == Op::GlobalGet || in.op == Op::GlobalSet) in.a = Remap(map, in.a);
  });
  for (wasm::Export& e : m.exports)
    if (e.kind == ExternKind::Global) e.index = Remap(map, e.index);
  std::vector<wasm::Global> kept;
  for (size_t i = 0; i < m.globals.size(); ++i)
    if (!gone[i]) kept.push_back(std::move(m.globals[i]));
  m.globals = std::move(kept);
  m.num_imported_globals = EraseImports(m, ExternKind::Global, gone);
}

void RemoveTables(Module& m, const std::vector<bool>& gone) {
  const std::vector<uint32_t> map = IndexMap(gone);
  ForEachInstr(m, [&](Instr& in) {
    switch (in.op) {
      case Op::CallIndirect:
      case Op::TableInit:
        in.b = Remap(map, in.b);
        break;
      case Op::TableCopy:
        in.a = Remap(map, in.a);
        in.b = Remap(map, in.b);
        break;
      case Op::TableGet:
      case Op::TableSet:
      case Op::TableSize:
      case Op::TableGrow:
      case Op::TableFill:
        in.a = Remap(map, in.a);
        break;
      default:
        break;
    }
  });
  for (ElemSegment& e : m.elems)
    if (e.mode == SegmentMode::kActive) e.table = Remap(map, e.table);
  for (wasm::Export& e : m.exports)
    if (e.kind == ExternKind::Table) e.index = Remap(map, e.index);
  std::vector<wasm::TableType> kept;
  for (size_t i = 0; i < m.tables.size(); ++i)
    if (!gone[i]) kept.push_back(m.tables[i]);
  m.tables = std::move(kept);
  m.num_imported_tables = EraseImports(m, ExternKind::Table, gone);
}

// Wasm 2.0 has one memory at most; what still uses it fails validation ("unknown memory").
void RemoveMemory(Module& m) {
  for (wasm::Export& e : m.exports)
    if (e.kind == ExternKind::Memory) e.index = kGone;
  m.memories.clear();
  m.num_imported_memories = EraseImports(m, ExternKind::Memory, std::vector<bool>(1, true));
}

void RemoveElems(Module& m, const std::vector<bool>& gone) {
  const std::vector<uint32_t> map = IndexMap(gone);
  for (FunctionBody& fb : m.code)
    for (Instr& in : fb.code)
      if (in.op == Op::TableInit || in.op == Op::ElemDrop) in.a = Remap(map, in.a);
  std::vector<ElemSegment> kept;
  for (size_t i = 0; i < m.elems.size(); ++i)
    if (!gone[i]) kept.push_back(std::move(m.elems[i]));
  m.elems = std::move(kept);
}

void RemoveDatas(Module& m, const std::vector<bool>& gone) {
  const std::vector<uint32_t> map = IndexMap(gone);
  for (FunctionBody& fb : m.code)
    for (Instr& in : fb.code)
      if (in.op == Op::MemoryInit || in.op == Op::DataDrop) in.a = Remap(map, in.a);
  std::vector<DataSegment> kept;
  for (size_t i = 0; i < m.datas.size(); ++i)
    if (!gone[i]) kept.push_back(m.datas[i]);
  m.datas = std::move(kept);
  if (m.data_count) m.data_count = static_cast<uint32_t>(m.datas.size());
}

void RemoveTypes(Module& m, const std::vector<bool>& gone) {
  const std::vector<uint32_t> map = IndexMap(gone);
  for (uint32_t& t : m.func_types) t = Remap(map, t);
  for (wasm::Import& im : m.imports)
    if (im.kind == ExternKind::Func) im.func_type_index = Remap(map, im.func_type_index);
  for (FunctionBody& fb : m.code) {
    fb.type_index = Remap(map, fb.type_index);
    for (Instr& in : fb.code) {
      if (in.op == Op::CallIndirect) in.a = Remap(map, in.a);
      if (in.op == Op::Block || in.op == Op::Loop || in.op == Op::If) {
        wasm::BlockType bt = wasm::BlockType::FromImm(in.c);
        if (bt.kind == wasm::BlockType::kIndex) in.c = Remap(map, bt.index);
      }
    }
  }
  std::vector<wasm::FuncType> kept;
  for (size_t i = 0; i < m.types.size(); ++i)
    if (!gone[i]) kept.push_back(std::move(m.types[i]));
  m.types = std::move(kept);
}

// Functions reachable from the exports, the start function, non-declarative element segments
// and global initializers, through calls and ref.func.
std::vector<bool> ReachableFunctions(const Module& m) {
  const uint32_t n = static_cast<uint32_t>(m.func_types.size());
  std::vector<bool> live(n, false);
  std::vector<uint32_t> work;
  auto mark = [&](uint32_t f) {
    if (f < n && !live[f]) {
      live[f] = true;
      work.push_back(f);
    }
  };
  auto mark_expr = [&](const ConstExpr& e) {
    for (const Instr& in : e.code)
      if (in.op == Op::RefFunc) mark(in.a);
  };
  for (const wasm::Export& e : m.exports)
    if (e.kind == ExternKind::Func) mark(e.index);
  if (m.start) mark(*m.start);
  for (const ElemSegment& e : m.elems) {
    mark_expr(e.offset);
    if (e.mode == SegmentMode::kDeclarative) continue;
    for (const ConstExpr& x : e.init) mark_expr(x);
  }
  for (const wasm::Global& g : m.globals) mark_expr(g.init);
  for (const DataSegment& d : m.datas) mark_expr(d.offset);
  while (!work.empty()) {
    const uint32_t f = work.back();
    work.pop_back();
    if (f < m.num_imported_funcs) continue;
    for (const Instr& in : m.code[f - m.num_imported_funcs].code)
      if (in.op == Op::Call || in.op == Op::RefFunc) mark(in.a);
  }
  return live;
}

// ---------------------------------------------------------------------------------------------
// Expressions of a body, by an abstract walk of the operand stack (the validator's algorithm,
// Spec Appendix "Validation Algorithm", keeping where each value was produced).

using VT = uint8_t;  // a ValType byte, or 0 for unknown
constexpr VT kUnknown = 0;

// A value on the abstract stack: its type and the instructions [start, end] that produce it.
struct Entry {
  VT type = kUnknown;
  uint32_t start = kOpen;
  uint32_t end = kOpen;
};

struct BodyInfo {
  // Per instruction: where its expression starts (the instruction with the operands that
  // produce its inputs), kOpen when the expression takes values from outside or the
  // instruction is block, loop, if, else or the final end. For a block's end, the expression is
  // the whole block with the producers of its parameters.
  std::vector<uint32_t> start;
  std::vector<uint32_t> match;    // block/loop/if/else -> its end; end -> its opener
  std::vector<uint32_t> else_at;  // if -> its else (kOpen when it has none)
  std::vector<uint32_t> result_begin;  // results of i: results[result_begin[i], [i + 1])
  std::vector<VT> results;
  std::vector<uint32_t> operand_begin;  // operands of i, in push order, likewise
  std::vector<Entry> operands;

  uint32_t NumResults(uint32_t i) const { return result_begin[i + 1] - result_begin[i]; }
  bool ResultsKnown(uint32_t i) const {
    for (uint32_t k = result_begin[i]; k < result_begin[i + 1]; ++k)
      if (results[k] == kUnknown) return false;
    return true;
  }
};

class BodyWalker {
 public:
  BodyWalker(const Module& m, uint32_t defined) : m_(m), fb_(m.code[defined]) {
    const wasm::FuncType& ft = m.FuncTypeOf(m.num_imported_funcs + defined);
    returns_ = ft.results;
    locals_ = ft.params;
    for (const wasm::LocalDecl& d : fb_.locals) locals_.insert(locals_.end(), d.count, d.type);
  }

  BodyInfo Run() {
    const std::vector<Instr>& code = fb_.code;
    const uint32_t n = static_cast<uint32_t>(code.size());
    info_.start.assign(n, kOpen);
    info_.match.assign(n, kOpen);
    info_.else_at.assign(n, kOpen);
    info_.result_begin.assign(1, 0);
    info_.operand_begin.assign(1, 0);
    frames_.push_back({Op::Block, kOpen, 0, {}, returns_, kOpen});
    for (uint32_t i = 0; i < n && !frames_.empty(); ++i) Step(i, code[i]);
    // Instructions after a premature final end (not in valid code) get no expression.
    while (info_.result_begin.size() < n + 1) {
      info_.result_begin.push_back(static_cast<uint32_t>(info_.results.size()));
      info_.operand_begin.push_back(static_cast<uint32_t>(info_.operands.size()));
    }
    return std::move(info_);
  }

 private:
  struct Frame {
    Op op;
    uint32_t opener;
    size_t height;
    std::vector<ValType> params, results;
    uint32_t unit_start;  // start of the expression that ends at this block's end
  };

  void Pop() {
    if (stack_.size() <= frames_.back().height) {
      popped_.push_back(Entry{});  // polymorphic stack (unreachable code)
      return;
    }
    popped_.push_back(stack_.back());
    stack_.pop_back();
  }
  void Pop(size_t k) {
    for (size_t i = 0; i < k; ++i) Pop();
  }
  // The start of the expression made of the popped operands and instruction i.
  uint32_t StartOfPopped(uint32_t i) const {
    uint32_t s = i;
    for (const Entry& e : popped_) {
      if (e.start == kOpen) return kOpen;
      s = std::min(s, e.start);
    }
    return s;
  }
  void Unreachable() { stack_.resize(frames_.back().height); }
  const std::vector<ValType>& LabelTypes(uint32_t depth) const {
    static const std::vector<ValType> kNone;
    if (depth >= frames_.size()) return kNone;
    const Frame& f = frames_[frames_.size() - 1 - depth];
    return f.op == Op::Loop ? f.params : f.results;
  }
  void BlockSig(const Instr& in, std::vector<ValType>* params, std::vector<ValType>* results) {
    wasm::BlockType bt = wasm::BlockType::FromImm(in.c);
    params->clear();
    results->clear();
    if (bt.kind == wasm::BlockType::kValue) results->push_back(bt.value);
    if (bt.kind == wasm::BlockType::kIndex && bt.index < m_.types.size()) {
      *params = m_.types[bt.index].params;
      *results = m_.types[bt.index].results;
    }
  }
  ValType LocalType(uint32_t i) const { return i < locals_.size() ? locals_[i] : ValType::I32; }
  VT TableElem(uint32_t t) const {
    return t < m_.tables.size() ? static_cast<VT>(m_.tables[t].elem) : kUnknown;
  }
  VT GlobalType(uint32_t g) const {
    return g < m_.globals.size() ? static_cast<VT>(m_.globals[g].type.type) : kUnknown;
  }
  const wasm::FuncType* TypeOf(uint32_t type_index) const {
    return type_index < m_.types.size() ? &m_.types[type_index] : nullptr;
  }

  void OpenFrame(uint32_t i, const Instr& in, bool has_condition) {
    std::vector<ValType> params, results;
    BlockSig(in, &params, &results);
    if (has_condition) Pop();
    Pop(params.size());
    const uint32_t s = StartOfPopped(i);
    frames_.push_back({in.op, i, stack_.size(), params, results, s});
    // Inside, the parameters come from outside the block's body.
    for (ValType t : params) stack_.push_back({static_cast<VT>(t), kOpen, kOpen});
  }

  void Step(uint32_t i, const Instr& in) {
    popped_.clear();
    std::vector<VT> pushed;
    bool expression = true;  // whether i ends an expression of its own
    const wasm::OpInfo& op = GetOpInfo(in.op);
    if (op.result != wasm::SigType::Special) {
      Pop((op.p1 != wasm::SigType::None) + (op.p2 != wasm::SigType::None) +
          (op.p3 != wasm::SigType::None));
      if (op.result != wasm::SigType::None)
        pushed.push_back(static_cast<VT>(*wasm::SigValType(op.result)));
    } else {
      switch (in.op) {
        case Op::Unreachable:
          Unreachable();
          break;
        case Op::Block:
        case Op::Loop:
        case Op::If:
          OpenFrame(i, in, in.op == Op::If);
          Finish(i, kOpen, {});
          return;
        case Op::Else: {
          Frame& f = frames_.back();
          info_.else_at[f.opener] = i;
          info_.match[i] = kOpen;
          stack_.resize(f.height);
          f.op = Op::Else;
          for (ValType t : f.params) stack_.push_back({static_cast<VT>(t), kOpen, kOpen});
          Finish(i, kOpen, {});
          return;
        }
        case Op::End: {
          Frame f = std::move(frames_.back());
          frames_.pop_back();
          stack_.resize(f.height);
          if (frames_.empty()) {  // the function's end
            Finish(i, kOpen, {});
            return;
          }
          info_.match[f.opener] = i;
          if (info_.else_at[f.opener] != kOpen) info_.match[info_.else_at[f.opener]] = i;
          info_.match[i] = f.opener;
          std::vector<VT> results;
          for (ValType t : f.results) results.push_back(static_cast<VT>(t));
          Finish(i, f.unit_start, results);
          return;
        }
        case Op::Br:
          Pop(LabelTypes(in.a).size());
          Unreachable();
          break;
        case Op::BrIf: {
          Pop();
          const std::vector<ValType>& l = LabelTypes(in.a);
          Pop(l.size());
          for (ValType t : l) pushed.push_back(static_cast<VT>(t));
          break;
        }
        case Op::BrTable: {
          Pop();
          const uint64_t last = uint64_t{in.a} + in.b;
          Pop(last < fb_.br_table_pool.size() ? LabelTypes(fb_.br_table_pool[last]).size() : 0);
          Unreachable();
          break;
        }
        case Op::Return:
          Pop(returns_.size());
          Unreachable();
          break;
        case Op::Call:
        case Op::CallIndirect: {
          const wasm::FuncType* ft = nullptr;
          if (in.op == Op::Call) {
            if (in.a < m_.func_types.size()) ft = &m_.FuncTypeOf(in.a);
          } else {
            Pop();
            ft = TypeOf(in.a);
          }
          if (ft) {
            Pop(ft->params.size());
            for (ValType t : ft->results) pushed.push_back(static_cast<VT>(t));
          }
          break;
        }
        case Op::RefNull:
          pushed.push_back(static_cast<VT>(in.a));
          break;
        case Op::RefIsNull:
          Pop();
          pushed.push_back(static_cast<VT>(ValType::I32));
          break;
        case Op::RefFunc:
          pushed.push_back(static_cast<VT>(ValType::FuncRef));
          break;
        case Op::Drop:
          Pop();
          break;
        case Op::Select:
          Pop(3);  // condition, then the second and the first operand
          pushed.push_back(popped_[1].type != kUnknown ? popped_[1].type : popped_[2].type);
          break;
        case Op::SelectT:
          Pop(3);
          pushed.push_back(static_cast<VT>(in.b));
          break;
        case Op::LocalGet:
          pushed.push_back(static_cast<VT>(LocalType(in.a)));
          break;
        case Op::LocalSet:
          Pop();
          break;
        case Op::LocalTee:
          Pop();
          pushed.push_back(static_cast<VT>(LocalType(in.a)));
          break;
        case Op::GlobalGet:
          pushed.push_back(GlobalType(in.a));
          break;
        case Op::GlobalSet:
          Pop();
          break;
        case Op::TableGet:
          Pop();
          pushed.push_back(TableElem(in.a));
          break;
        case Op::TableSet:
          Pop(2);
          break;
        case Op::TableGrow:
          Pop(2);
          pushed.push_back(static_cast<VT>(ValType::I32));
          break;
        case Op::TableFill:
          Pop(3);
          break;
        default:
          expression = false;
          break;
      }
    }
    const uint32_t s = expression ? StartOfPopped(i) : kOpen;
    // Operands in push order.
    for (size_t k = popped_.size(); k-- > 0;) info_.operands.push_back(popped_[k]);
    Finish(i, s, pushed);
  }

  // Records instruction i's expression start and results, and pushes the results.
  void Finish(uint32_t i, uint32_t start, const std::vector<VT>& results) {
    info_.start[i] = start;
    for (VT t : results) {
      info_.results.push_back(t);
      stack_.push_back({t, start, i});
    }
    info_.result_begin.push_back(static_cast<uint32_t>(info_.results.size()));
    info_.operand_begin.push_back(static_cast<uint32_t>(info_.operands.size()));
  }

  const Module& m_;
  const FunctionBody& fb_;
  std::vector<ValType> returns_;
  std::vector<ValType> locals_;
  std::vector<Entry> stack_;
  std::vector<Entry> popped_;
  std::vector<Frame> frames_;
  BodyInfo info_;
};

BodyInfo Analyze(const Module& m, uint32_t defined) { return BodyWalker(m, defined).Run(); }

bool IsStructural(Op op) {
  return op == Op::Block || op == Op::Loop || op == Op::If || op == Op::Else || op == Op::End;
}

// An expression of a body: instructions [first, last].
struct Range {
  uint32_t first = 0;
  uint32_t last = 0;
};

// Expressions of no result that can be cut out alone, by start, the longest first.
std::vector<Range> DeletableRanges(const std::vector<Instr>& code, const BodyInfo& info) {
  std::vector<Range> out;
  for (uint32_t i = 0; i < code.size(); ++i) {
    if (info.start[i] == kOpen || info.NumResults(i) != 0) continue;
    if (IsStructural(code[i].op) && code[i].op != Op::End) continue;
    out.push_back({info.start[i], i});
  }
  std::sort(out.begin(), out.end(), [](const Range& a, const Range& b) {
    return a.first != b.first ? a.first < b.first : a.last > b.last;
  });
  return out;
}

// The ranges of `sorted` (DeletableRanges order) that no other one contains.
std::vector<Range> Outermost(const std::vector<Range>& sorted) {
  std::vector<Range> out;
  for (const Range& r : sorted)
    if (out.empty() || r.first > out.back().last) out.push_back(r);
  return out;
}

std::vector<Instr> WithoutRanges(const std::vector<Instr>& code, const std::vector<Range>& gone) {
  std::vector<bool> cut(code.size(), false);
  for (const Range& r : gone)
    for (uint32_t i = r.first; i <= r.last; ++i) cut[i] = true;
  std::vector<Instr> out;
  for (size_t i = 0; i < code.size(); ++i)
    if (!cut[i]) out.push_back(code[i]);
  return out;
}

std::vector<Instr> Replaced(const std::vector<Instr>& code, Range r,
                            const std::vector<Instr>& with) {
  std::vector<Instr> out(code.begin(), code.begin() + r.first);
  out.insert(out.end(), with.begin(), with.end());
  out.insert(out.end(), code.begin() + r.last + 1, code.end());
  return out;
}

// The construct around code[first, last) goes away: branches in there that leave it get one
// label less. False when one targets the construct itself.
bool Unnest(std::vector<Instr>& code, std::vector<uint32_t>& pool, uint32_t first, uint32_t last) {
  uint32_t nesting = 0;
  auto adjust = [&](uint32_t* depth) {
    if (*depth == nesting) return false;
    if (*depth > nesting) --*depth;
    return true;
  };
  for (uint32_t i = first; i < last; ++i) {
    Instr& in = code[i];
    switch (in.op) {
      case Op::Block:
      case Op::Loop:
      case Op::If:
        ++nesting;
        break;
      case Op::End:
        --nesting;
        break;
      case Op::Br:
      case Op::BrIf:
        if (!adjust(&in.a)) return false;
        break;
      case Op::BrTable: {
        // A fresh copy of the targets: the decoder gives each br_table its own range, but an
        // edit must not depend on that.
        const uint32_t copy = static_cast<uint32_t>(pool.size());
        for (uint32_t k = 0; k <= in.b; ++k) {
          const uint32_t target = pool[in.a + k];
          pool.push_back(target);
        }
        in.a = copy;
        for (uint32_t k = 0; k <= in.b; ++k)
          if (!adjust(&pool[copy + k])) return false;
        break;
      }
      default:
        break;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The reducer

class Reducer {
 public:
  Reducer(const Case& input, const std::function<bool(const Case&)>& interesting,
          const ReduceOptions& options, ReduceStats* stats)
      : interesting_(interesting),
        options_(options),
        stats_(stats),
        best_(input),
        mod_(*input.module),
        begin_(Clock::now()) {
    best_size_ = Measure(input.bytes.size(), mod_, input.script);
  }

  Case Run() {
    for (int round = 1; !stop_; ++round) {
      const uint64_t before = stats_->accepted;
      CallsPass();
      ArgsPass();
      ExportsPass();
      FunctionsPass();
      BodiesPass();
      CustomsPass();
      ElemsPass();
      DataPass();
      GlobalsPass();
      MemoryPass();
      TablePass();
      TypesPass();
      DeletePass();
      UnwrapPass();
      ConstPass();
      HoistPass();
      ImmediatesPass();
      LocalsPass();
      Progress(fmt::format("round {}: {} bytes, {} calls, {} tests, {} accepted", round,
                           best_.bytes.size(), best_.script.calls.size(), stats_->tests,
                           stats_->accepted));
      if (stats_->accepted == before) break;
    }
    return best_;
  }

 private:
  void Progress(const std::string& line) const {
    if (options_.progress) options_.progress(line);
  }

  bool Expired() {
    if (!stop_ && std::chrono::duration<double>(Clock::now() - begin_).count() >=
                      options_.time_seconds) {
      stop_ = true;
      stats_->timed_out = true;
    }
    return stop_;
  }

  // Keeps the candidate (m, s) if it is smaller, valid, new and interesting.
  bool Try(const Module& m, const Script& s, const char* pass, const std::string& what = {}) {
    if (stop_) return false;
    std::vector<uint8_t> bytes;
    try {
      bytes = wasm::Encode(m);
    } catch (const std::exception&) {
      return false;
    }
    const Size size = Measure(bytes.size(), m, s);
    if (!(size < best_size_)) return false;
    if (!tested_.insert(Fingerprint(bytes, s)).second) return false;
    Case c;
    try {
      c = MakeCase(std::move(bytes), s);
    } catch (const std::exception&) {
      return false;
    }
    if (!c.module) return false;
    if (Expired()) return false;
    ++stats_->tests;
    if (!interesting_(c)) return false;
    ++stats_->accepted;
    ++stats_->accepted_per_pass[pass];
    Progress(fmt::format("{}: {} -> {} bytes{}{}", pass, best_.bytes.size(), c.bytes.size(),
                         what.empty() ? "" : ", ", what));
    best_ = std::move(c);
    mod_ = *best_.module;
    best_size_ = size;
    return true;
  }
  bool Try(const Module& m, const char* pass, const std::string& what = {}) {
    return Try(m, best_.script, pass, what);
  }

  // ddmin-style removal over the items `list()` gives for the current best: all of them, then
  // chunks of half, a quarter, ... down to `min_chunk` (at most `max_chunk` at once). `attempt`
  // tries the candidate without the chosen items; after a kept one the list is taken again and
  // the position stays (the chosen items are gone, the rest keep their order).
  template <class T, class ListFn, class AttemptFn>
  void Chunked(ListFn list_fn, AttemptFn attempt, size_t min_chunk = 1,
               size_t max_chunk = SIZE_MAX) {
    std::vector<T> list = list_fn();
    if (list.empty()) return;
    size_t chunk = std::max<size_t>(1, std::min(list.size(), max_chunk));
    min_chunk = std::min(min_chunk, chunk);
    for (;;) {
      size_t pos = 0;
      while (pos < list.size() && !stop_) {
        const size_t len = std::min(chunk, list.size() - pos);
        std::vector<T> chosen(list.begin() + pos, list.begin() + pos + len);
        if (attempt(chosen)) {
          list = list_fn();
        } else {
          pos += len;
        }
      }
      if (chunk <= min_chunk || stop_ || list.empty()) break;
      chunk = std::max(min_chunk, (chunk + 1) / 2);
    }
  }

  // Defined functions (positions in Module::code), the biggest body first.
  std::vector<uint32_t> BodiesBySize() const {
    std::vector<uint32_t> order(mod_.code.size());
    for (uint32_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return mod_.code[a].code.size() > mod_.code[b].code.size();
    });
    return order;
  }

  // The current module with body k's code replaced (its br_table pool rebuilt from `pool`).
  bool TryBody(uint32_t k, std::vector<Instr> code, const std::vector<uint32_t>& pool,
               const char* pass) {
    Module m = mod_;
    FunctionBody& fb = m.code[k];
    try {
      fb.br_table_pool = CompactPool(code, pool);
    } catch (const std::out_of_range&) {
      return false;
    }
    fb.code = std::move(code);
    return Try(m, pass, fmt::format("function {}", m.num_imported_funcs + k));
  }

  // -- script ----------------------------------------------------------------------------------

  void CallsPass() {
    Chunked<size_t>(
        [&] {
          std::vector<size_t> v(best_.script.calls.size());
          for (size_t i = 0; i < v.size(); ++i) v[i] = i;
          return v;
        },
        [&](const std::vector<size_t>& chosen) {
          Script s = best_.script;
          s.calls.erase(s.calls.begin() + chosen.front(), s.calls.begin() + chosen.back() + 1);
          return Try(mod_, s, "calls", fmt::format("{} calls", chosen.size()));
        });
  }

  void ArgsPass() {
    using Arg = std::pair<size_t, size_t>;
    Chunked<Arg>(
        [&] {
          std::vector<Arg> v;
          for (size_t c = 0; c < best_.script.calls.size(); ++c)
            for (size_t a = 0; a < best_.script.calls[c].args.size(); ++a) {
              const wasm::Value& x = best_.script.calls[c].args[a];
              if (!(x == wasm::Value::Default(x.type))) v.push_back({c, a});
            }
          return v;
        },
        [&](const std::vector<Arg>& chosen) {
          Script s = best_.script;
          for (auto [c, a] : chosen) {
            wasm::Value& x = s.calls[c].args[a];
            x = wasm::Value::Default(x.type);
          }
          return Try(mod_, s, "args", fmt::format("{} arguments", chosen.size()));
        });
  }

  // -- module ----------------------------------------------------------------------------------

  bool Called(const std::string& name) const {
    for (const Call& c : best_.script.calls)
      if (c.export_name == name) return true;
    return false;
  }

  void ExportsPass() {
    Chunked<size_t>(
        [&] {
          std::vector<size_t> v;
          for (size_t i = 0; i < mod_.exports.size(); ++i)
            if (mod_.exports[i].kind != ExternKind::Func || !Called(mod_.exports[i].name))
              v.push_back(i);
          return v;
        },
        [&](const std::vector<size_t>& chosen) {
          Module m = mod_;
          std::vector<bool> gone(m.exports.size(), false);
          for (size_t i : chosen) gone[i] = true;
          std::vector<wasm::Export> kept;
          for (size_t i = 0; i < m.exports.size(); ++i)
            if (!gone[i]) kept.push_back(m.exports[i]);
          m.exports = std::move(kept);
          return Try(m, "exports", fmt::format("{} exports", chosen.size()));
        });
    // A called export together with its calls.
    for (size_t i = 0; i < mod_.exports.size() && !stop_;) {
      const wasm::Export e = mod_.exports[i];
      if (e.kind != ExternKind::Func || !Called(e.name)) {
        ++i;
        continue;
      }
      Module m = mod_;
      m.exports.erase(m.exports.begin() + i);
      Script s = best_.script;
      std::erase_if(s.calls, [&](const Call& c) { return c.export_name == e.name; });
      if (!Try(m, s, "exports", "\"" + e.name + "\" and its calls")) ++i;
    }
  }

  void FunctionsPass() {
    Chunked<uint32_t>(
        [&] {
          std::vector<bool> live = ReachableFunctions(mod_);
          std::vector<uint32_t> v;
          for (uint32_t f = 0; f < live.size(); ++f)
            if (!live[f]) v.push_back(f);
          return v;
        },
        [&](const std::vector<uint32_t>& chosen) {
          Module m = mod_;
          std::vector<bool> gone(m.func_types.size(), false);
          for (uint32_t f : chosen) gone[f] = true;
          RemoveFunctions(m, gone);
          return Try(m, "functions", fmt::format("{} functions", chosen.size()));
        });
  }

  bool IsMinimal(uint32_t k) const {
    const FunctionBody& fb = mod_.code[k];
    const std::vector<Instr> minimal = MinimalBody(mod_.FuncTypeOf(mod_.num_imported_funcs + k));
    if (!fb.locals.empty() || fb.code.size() != minimal.size()) return false;
    for (size_t i = 0; i < minimal.size(); ++i)
      if (fb.code[i].op != minimal[i].op) return false;
    return true;
  }

  void SetBody(Module& m, uint32_t k, std::vector<Instr> code) const {
    FunctionBody& fb = m.code[k];
    fb.code = std::move(code);
    fb.locals.clear();
    fb.num_locals = 0;
    fb.br_table_pool.clear();
  }

  void BodiesPass() {
    Chunked<uint32_t>(
        [&] {
          std::vector<uint32_t> v;
          for (uint32_t k = 0; k < mod_.code.size(); ++k)
            if (!IsMinimal(k)) v.push_back(k);
          return v;
        },
        [&](const std::vector<uint32_t>& chosen) {
          Module m = mod_;
          for (uint32_t k : chosen)
            SetBody(m, k, MinimalBody(m.FuncTypeOf(m.num_imported_funcs + k)));
          return Try(m, "bodies", fmt::format("{} bodies", chosen.size()));
        });
    // A function whose value matters but not how it is computed: zero constants.
    for (uint32_t k = 0; k < mod_.code.size() && !stop_; ++k) {
      const wasm::FuncType& t = mod_.FuncTypeOf(mod_.num_imported_funcs + k);
      if (t.results.empty() || IsMinimal(k)) continue;
      Module m = mod_;
      SetBody(m, k, ZeroBody(t));
      Try(m, "bodies", fmt::format("function {}", m.num_imported_funcs + k));
    }
  }

  void CustomsPass() {
    Chunked<size_t>(
        [&] {
          std::vector<size_t> v;
          for (size_t i = 0; i < mod_.customs.size(); ++i)
            if (mod_.customs[i].name != kDenanSection) v.push_back(i);
          return v;
        },
        [&](const std::vector<size_t>& chosen) {
          Module m = mod_;
          std::vector<wasm::CustomSection> kept;
          for (size_t i = 0; i < m.customs.size(); ++i)
            if (std::find(chosen.begin(), chosen.end(), i) == chosen.end())
              kept.push_back(m.customs[i]);
          m.customs = std::move(kept);
          return Try(m, "customs", fmt::format("{} sections", chosen.size()));
        });
  }

  static std::vector<uint32_t> Iota(size_t n) {
    std::vector<uint32_t> v(n);
    for (uint32_t i = 0; i < n; ++i) v[i] = i;
    return v;
  }

  void ElemsPass() {
    Chunked<uint32_t>([&] { return Iota(mod_.elems.size()); },
                      [&](const std::vector<uint32_t>& chosen) {
                        Module m = mod_;
                        std::vector<bool> gone(m.elems.size(), false);
                        for (uint32_t i : chosen) gone[i] = true;
                        RemoveElems(m, gone);
                        return Try(m, "elems", fmt::format("{} segments", chosen.size()));
                      });
    // Contents: chunks of entries; a cut at the front moves a constant offset along, so the
    // remaining entries stay where they were.
    for (size_t s = 0; s < mod_.elems.size() && !stop_; ++s) {
      Chunked<uint32_t>([&] { return Iota(mod_.elems[s].init.size()); },
                        [&](const std::vector<uint32_t>& chosen) {
                          Module m = mod_;
                          ElemSegment& e = m.elems[s];
                          e.init.erase(e.init.begin() + chosen.front(),
                                       e.init.begin() + chosen.back() + 1);
                          if (chosen.front() == 0 && e.mode == SegmentMode::kActive) {
                            if (auto off = ConstI32(e.offset))
                              e.offset.code[0].c = uint32_t(*off + chosen.size());
                          }
                          return Try(m, "elems", fmt::format("segment {}", s));
                        });
    }
    for (size_t s = 0; s < mod_.elems.size() && !stop_; ++s) {
      auto off = ConstI32(mod_.elems[s].offset);
      if (mod_.elems[s].mode != SegmentMode::kActive || !off || *off == 0) continue;
      Module m = mod_;
      m.elems[s].offset.code[0].c = 0;
      Try(m, "elems", fmt::format("segment {} offset", s));
    }
  }

  bool TryData(size_t s, const std::vector<uint8_t>& bytes, uint32_t offset_delta) {
    Module m = mod_;
    SetDataBytes(m, s, bytes);
    if (offset_delta != 0) {
      DataSegment& d = m.datas[s];
      auto off = ConstI32(d.offset);
      if (d.mode == SegmentMode::kActive) {
        if (!off) return false;
        d.offset.code[0].c = uint32_t(*off + offset_delta);
      }
    }
    return Try(m, "data", fmt::format("segment {}", s));
  }

  void DataPass() {
    Chunked<uint32_t>([&] { return Iota(mod_.datas.size()); },
                      [&](const std::vector<uint32_t>& chosen) {
                        Module m = mod_;
                        std::vector<bool> gone(m.datas.size(), false);
                        for (uint32_t i : chosen) gone[i] = true;
                        RemoveDatas(m, gone);
                        return Try(m, "data", fmt::format("{} segments", chosen.size()));
                      });
    if (mod_.data_count && !stop_) {
      Module m = mod_;
      m.data_count.reset();
      Try(m, "data", "data count section");
    }
    for (size_t s = 0; s < mod_.datas.size() && !stop_; ++s) {
      // The back, then the front: the whole segment, then halves down to single bytes.
      for (int front = 0; front < 2; ++front) {
        size_t cut = mod_.datas[s].data_size;
        while (cut > 0 && !stop_) {
          std::vector<uint8_t> bytes = DataBytes(mod_, mod_.datas[s]);
          cut = std::min(cut, bytes.size());
          if (cut == 0) break;
          if (front) {
            bytes.erase(bytes.begin(), bytes.begin() + cut);
          } else {
            bytes.resize(bytes.size() - cut);
          }
          if (!TryData(s, bytes, front ? static_cast<uint32_t>(cut) : 0)) cut /= 2;
        }
      }
      // Bytes to zero, in chunks down to a sixteenth of the segment.
      const size_t size = mod_.datas[s].data_size;
      const size_t min_chunk = std::max<size_t>(1, size / 16);
      for (size_t chunk = size; chunk >= min_chunk && chunk > 0 && !stop_; chunk /= 2) {
        for (size_t pos = 0; pos < size && !stop_; pos += chunk) {
          std::vector<uint8_t> bytes = DataBytes(mod_, mod_.datas[s]);
          const size_t end = std::min(bytes.size(), pos + chunk);
          if (pos >= end) break;
          if (std::all_of(bytes.begin() + pos, bytes.begin() + end, [](uint8_t b) { return !b; }))
            continue;
          std::fill(bytes.begin() + pos, bytes.begin() + end, 0);
          TryData(s, bytes, 0);
        }
        if (chunk == min_chunk) break;
      }
      auto off = ConstI32(mod_.datas[s].offset);
      if (mod_.datas[s].mode == SegmentMode::kActive && off && *off != 0 && !stop_) {
        Module m = mod_;
        m.datas[s].offset.code[0].c = 0;
        Try(m, "data", fmt::format("segment {} offset", s));
      }
    }
  }

  void GlobalsPass() {
    Chunked<uint32_t>(
        [&] {
          std::vector<bool> used(mod_.globals.size(), false);
          ForEachInstr(mod_, [&](const Instr& in) {
            if ((in.op == Op::GlobalGet || in.op == Op::GlobalSet) && in.a < used.size())
              used[in.a] = true;
          });
          for (const wasm::Export& e : mod_.exports)
            if (e.kind == ExternKind::Global && e.index < used.size()) used[e.index] = true;
          std::vector<uint32_t> v;
          for (uint32_t g = 0; g < used.size(); ++g)
            if (!used[g]) v.push_back(g);
          return v;
        },
        [&](const std::vector<uint32_t>& chosen) {
          Module m = mod_;
          std::vector<bool> gone(m.globals.size(), false);
          for (uint32_t g : chosen) gone[g] = true;
          RemoveGlobals(m, gone);
          return Try(m, "globals", fmt::format("{} globals", chosen.size()));
        });
    Chunked<uint32_t>(
        [&] {
          std::vector<uint32_t> v;
          for (uint32_t g = mod_.num_imported_globals; g < mod_.globals.size(); ++g) {
            const ConstExpr& init = mod_.globals[g].init;
            if (init.code.size() != 1 || !IsZeroConst(init.code[0])) v.push_back(g);
          }
          return v;
        },
        [&](const std::vector<uint32_t>& chosen) {
          Module m = mod_;
          for (uint32_t g : chosen) m.globals[g].init.code = {ZeroOf(m.globals[g].type.type)};
          return Try(m, "globals", fmt::format("{} initializers", chosen.size()));
        });
  }

  // Candidate limits, smallest first; Try keeps only smaller ones.
  template <class Apply>
  void ShrinkLimits(const wasm::Limits& l, uint64_t needed_min, const char* pass, Apply apply) {
    std::vector<wasm::Limits> options;
    options.push_back({0, l.max ? std::optional<uint64_t>(0) : std::nullopt});
    options.push_back({0, std::nullopt});
    options.push_back({std::min(l.min, needed_min), l.max});
    options.push_back({l.min, std::nullopt});
    if (l.max) options.push_back({l.min, l.min});
    for (const wasm::Limits& o : options) {
      if (stop_) return;
      if (o == l) continue;
      Module m = mod_;
      apply(m, o);
      Try(m, pass, fmt::format("limits {}..{}", o.min, o.max ? std::to_string(*o.max) : ""));
    }
  }

  void MemoryPass() {
    if (mod_.memories.empty() || stop_) return;
    {
      Module m = mod_;
      RemoveMemory(m);
      if (Try(m, "memory", "the memory")) return;
    }
    // The pages the active data segments reach.
    uint64_t needed = 0;
    for (const DataSegment& d : mod_.datas)
      if (auto off = ConstI32(d.offset); off && d.mode == SegmentMode::kActive)
        needed = std::max(needed, (uint64_t{*off} + d.data_size + wasm::kPageSize - 1) /
                                      wasm::kPageSize);
    ShrinkLimits(mod_.memories[0].limits, needed, "memory", [](Module& m, const wasm::Limits& l) {
      m.memories[0].limits = l;
      for (wasm::Import& im : m.imports)
        if (im.kind == ExternKind::Memory) im.memory.limits = l;
    });
  }

  void TablePass() {
    Chunked<uint32_t>([&] { return Iota(mod_.tables.size()); },
                      [&](const std::vector<uint32_t>& chosen) {
                        Module m = mod_;
                        std::vector<bool> gone(m.tables.size(), false);
                        for (uint32_t t : chosen) gone[t] = true;
                        RemoveTables(m, gone);
                        return Try(m, "table", fmt::format("{} tables", chosen.size()));
                      });
    for (uint32_t t = 0; t < mod_.tables.size() && !stop_; ++t) {
      uint64_t needed = 0;
      for (const ElemSegment& e : mod_.elems)
        if (auto off = ConstI32(e.offset);
            off && e.mode == SegmentMode::kActive && e.table == t)
          needed = std::max<uint64_t>(needed, uint64_t{*off} + e.init.size());
      ShrinkLimits(mod_.tables[t].limits, needed, "table", [t](Module& m, const wasm::Limits& l) {
        m.tables[t].limits = l;
        if (t < m.num_imported_tables) {
          uint32_t index = 0;
          for (wasm::Import& im : m.imports)
            if (im.kind == ExternKind::Table && index++ == t) im.table.limits = l;
        }
      });
    }
  }

  void TypesPass() {
    Chunked<uint32_t>(
        [&] {
          std::vector<bool> used(mod_.types.size(), false);
          auto use = [&](uint64_t t) {
            if (t < used.size()) used[t] = true;
          };
          for (uint32_t t : mod_.func_types) use(t);
          for (const wasm::Import& im : mod_.imports)
            if (im.kind == ExternKind::Func) use(im.func_type_index);
          for (const FunctionBody& fb : mod_.code)
            for (const Instr& in : fb.code) {
              if (in.op == Op::CallIndirect) use(in.a);
              if (in.op == Op::Block || in.op == Op::Loop || in.op == Op::If) {
                wasm::BlockType bt = wasm::BlockType::FromImm(in.c);
                if (bt.kind == wasm::BlockType::kIndex) use(bt.index);
              }
            }
          std::vector<uint32_t> v;
          for (uint32_t t = 0; t < used.size(); ++t)
            if (!used[t]) v.push_back(t);
          return v;
        },
        [&](const std::vector<uint32_t>& chosen) {
          Module m = mod_;
          std::vector<bool> gone(m.types.size(), false);
          for (uint32_t t : chosen) gone[t] = true;
          RemoveTypes(m, gone);
          return Try(m, "types", fmt::format("{} types", chosen.size()));
        });
  }

  // -- bodies ----------------------------------------------------------------------------------

  void DeletePass() {
    for (uint32_t k : BodiesBySize()) {
      if (stop_) return;
      auto attempt = [&](const std::vector<Range>& chosen) {
        return TryBody(k, WithoutRanges(mod_.code[k].code, chosen), mod_.code[k].br_table_pool,
                       "delete");
      };
      // The outermost statements in chunks, then every statement alone (inner ones included).
      Chunked<Range>(
          [&] {
            return Outermost(DeletableRanges(mod_.code[k].code, Analyze(mod_, k)));
          },
          attempt, 2);
      Chunked<Range>([&] { return DeletableRanges(mod_.code[k].code, Analyze(mod_, k)); },
                     attempt, 1, 1);
    }
  }

  void UnwrapPass() {
    for (uint32_t k : BodiesBySize()) {
      if (stop_) return;
      Chunked<uint32_t>(
          [&] {
            std::vector<uint32_t> v;
            const std::vector<Instr>& code = mod_.code[k].code;
            for (uint32_t i = 0; i < code.size(); ++i)
              if (code[i].op == Op::Block || code[i].op == Op::Loop || code[i].op == Op::If)
                v.push_back(i);
            return v;
          },
          [&](const std::vector<uint32_t>& chosen) { return Unwrap(k, chosen[0]); }, 1, 1);
    }
  }

  bool Unwrap(uint32_t k, uint32_t opener) {
    const BodyInfo info = Analyze(mod_, k);
    const std::vector<Instr>& code = mod_.code[k].code;
    const uint32_t end = info.match[opener];
    if (end == kOpen) return false;
    const Instr drop = gen::MakeInstr(Op::Drop);
    if (code[opener].op != Op::If) {
      std::vector<Instr> c = code;
      std::vector<uint32_t> pool = mod_.code[k].br_table_pool;
      if (!Unnest(c, pool, opener + 1, end)) return false;
      c.erase(c.begin() + end);
      c.erase(c.begin() + opener);
      return TryBody(k, std::move(c), pool, "unwrap");
    }
    const uint32_t els = info.else_at[opener];
    // The then-arm: `if` becomes `drop` of the condition; the else-arm and `end` go.
    {
      std::vector<Instr> c = code;
      std::vector<uint32_t> pool = mod_.code[k].br_table_pool;
      const uint32_t arm_end = els != kOpen ? els : end;
      if (Unnest(c, pool, opener + 1, arm_end)) {
        c[opener] = drop;
        c.erase(c.begin() + arm_end, c.begin() + end + 1);
        if (TryBody(k, std::move(c), pool, "unwrap")) return true;
      }
    }
    // The else-arm (empty when there is none).
    std::vector<Instr> c = code;
    std::vector<uint32_t> pool = mod_.code[k].br_table_pool;
    if (els == kOpen) return TryBody(k, Replaced(c, {opener, end}, {drop}), pool, "unwrap");
    if (!Unnest(c, pool, els + 1, end)) return false;
    c.erase(c.begin() + end);
    return TryBody(k, Replaced(c, {opener, els}, {drop}), pool, "unwrap");
  }

  // Expressions with results, by start, the longest first.
  static std::vector<Range> ValueRanges(const std::vector<Instr>& code, const BodyInfo& info) {
    std::vector<Range> out;
    for (uint32_t i = 0; i < code.size(); ++i) {
      if (info.start[i] == kOpen || info.NumResults(i) == 0 || !info.ResultsKnown(i)) continue;
      out.push_back({info.start[i], i});
    }
    std::sort(out.begin(), out.end(), [](const Range& a, const Range& b) {
      return a.first != b.first ? a.first < b.first : a.last > b.last;
    });
    return out;
  }

  void ConstPass() {
    for (uint32_t k : BodiesBySize()) {
      if (stop_) return;
      Chunked<Range>(
          [&] {
            const std::vector<Instr>& code = mod_.code[k].code;
            std::vector<Range> v;
            // Constants alone are the immediates pass's business.
            for (const Range& r : ValueRanges(code, Analyze(mod_, k)))
              if (r.first != r.last || !IsConstant(code[r.first].op)) v.push_back(r);
            return v;
          },
          [&](const std::vector<Range>& chosen) {
            const BodyInfo info = Analyze(mod_, k);
            const Range r = chosen[0];
            std::vector<Instr> zeros;
            for (uint32_t j = info.result_begin[r.last]; j < info.result_begin[r.last + 1]; ++j)
              zeros.push_back(ZeroOf(static_cast<ValType>(info.results[j])));
            return TryBody(k, Replaced(mod_.code[k].code, r, zeros), mod_.code[k].br_table_pool,
                           "const");
          },
          1, 1);
    }
  }

  void HoistPass() {
    for (uint32_t k : BodiesBySize()) {
      if (stop_) return;
      Chunked<Range>(
          [&] {
            const std::vector<Instr>& code = mod_.code[k].code;
            const BodyInfo info = Analyze(mod_, k);
            std::vector<Range> v;
            for (const Range& r : ValueRanges(code, info))
              if (info.NumResults(r.last) == 1 && code[r.last].op != Op::End &&
                  info.operand_begin[r.last] < info.operand_begin[r.last + 1])
                v.push_back(r);
            return v;
          },
          [&](const std::vector<Range>& chosen) {
            const BodyInfo info = Analyze(mod_, k);
            const Range r = chosen[0];
            const std::vector<Instr>& code = mod_.code[k].code;
            const VT type = info.results[info.result_begin[r.last]];
            for (uint32_t j = info.operand_begin[r.last]; j < info.operand_begin[r.last + 1];
                 ++j) {
              const Entry& e = info.operands[j];
              if (e.type != type || e.start == kOpen) continue;
              std::vector<Instr> operand(code.begin() + e.start, code.begin() + e.end + 1);
              if (TryBody(k, Replaced(code, r, operand), mod_.code[k].br_table_pool, "hoist"))
                return true;
            }
            return false;
          },
          1, 1);
    }
  }

  static Instr Simplified(Instr in) {
    switch (GetOpInfo(in.op).imm) {
      case ImmKind::V128Const:
        in.a = in.b = 0;
        in.c = 0;
        break;
      case ImmKind::MemLane1:
      case ImmKind::MemLane2:
      case ImmKind::MemLane4:
      case ImmKind::MemLane8:
      case ImmKind::LaneIdx:
        in.lane = 0;
        [[fallthrough]];
      case ImmKind::Mem1:
      case ImmKind::Mem2:
      case ImmKind::Mem4:
      case ImmKind::Mem8:
      case ImmKind::Mem16:
        if (GetOpInfo(in.op).imm != ImmKind::LaneIdx) in.a = 0;
        in.c = 0;
        break;
      default:
        in.c = 0;  // the numeric constants
        break;
    }
    return in;
  }

  void ImmediatesPass() {
    for (uint32_t k : BodiesBySize()) {
      if (stop_) return;
      auto nonzero = [&] {
        std::vector<uint32_t> v;
        const std::vector<Instr>& code = mod_.code[k].code;
        for (uint32_t i = 0; i < code.size(); ++i)
          if (NonZeroImmediates(code[i]) != 0) v.push_back(i);
        return v;
      };
      Chunked<uint32_t>(nonzero, [&](const std::vector<uint32_t>& chosen) {
        std::vector<Instr> code = mod_.code[k].code;
        for (uint32_t i : chosen) code[i] = Simplified(code[i]);
        return TryBody(k, std::move(code), mod_.code[k].br_table_pool, "immediates");
      });
      // Integer constants that must not be 0: 1, or fewer bytes (Try keeps only smaller ones).
      Chunked<uint32_t>(nonzero,
                        [&](const std::vector<uint32_t>& chosen) {
                          std::vector<Instr> code = mod_.code[k].code;
                          Instr& in = code[chosen[0]];
                          if (in.op != Op::I32Const && in.op != Op::I64Const) return false;
                          for (uint64_t v : {uint64_t{1}, in.c >> 8, in.c >> 16, in.c >> 32}) {
                            if (v == in.c) continue;
                            Instr was = in;
                            in.c = in.op == Op::I32Const ? v & 0xffffffffu : v;
                            if (TryBody(k, code, mod_.code[k].br_table_pool, "immediates"))
                              return true;
                            in = was;
                          }
                          return false;
                        },
                        1, 1);
    }
  }

  void LocalsPass() {
    for (uint32_t k = 0; k < mod_.code.size() && !stop_; ++k) {
      const FunctionBody& fb = mod_.code[k];
      const uint32_t params = static_cast<uint32_t>(
          mod_.FuncTypeOf(mod_.num_imported_funcs + k).params.size());
      std::vector<ValType> declared;
      for (const wasm::LocalDecl& d : fb.locals) declared.insert(declared.end(), d.count, d.type);
      std::vector<bool> used(declared.size(), false);
      for (const Instr& in : fb.code)
        if ((in.op == Op::LocalGet || in.op == Op::LocalSet || in.op == Op::LocalTee) &&
            in.a >= params && in.a - params < used.size())
          used[in.a - params] = true;
      if (std::all_of(used.begin(), used.end(), [](bool u) { return u; })) continue;
      std::vector<uint32_t> map(declared.size(), kGone);
      Module m = mod_;
      FunctionBody& out = m.code[k];
      out.locals.clear();
      out.num_locals = 0;
      for (size_t i = 0; i < declared.size(); ++i) {
        if (!used[i]) continue;
        map[i] = params + static_cast<uint32_t>(out.num_locals++);
        if (!out.locals.empty() && out.locals.back().type == declared[i]) {
          ++out.locals.back().count;
        } else {
          out.locals.push_back({1, declared[i]});
        }
      }
      for (Instr& in : out.code)
        if ((in.op == Op::LocalGet || in.op == Op::LocalSet || in.op == Op::LocalTee) &&
            in.a >= params && in.a - params < map.size())
          in.a = map[in.a - params];
      Try(m, "locals", fmt::format("function {}", m.num_imported_funcs + k));
    }
  }

  const std::function<bool(const Case&)>& interesting_;
  const ReduceOptions& options_;
  ReduceStats* stats_;
  Case best_;
  Module mod_;  // best_.module, to be copied and edited
  Size best_size_;
  std::unordered_set<uint64_t> tested_;
  const Clock::time_point begin_;
  bool stop_ = false;
};

}  // namespace

Case Reduce(const Case& input, const std::function<bool(const Case&)>& interesting,
            const ReduceOptions& options, ReduceStats* stats) {
  ReduceStats local;
  ReduceStats* st = stats ? stats : &local;
  *st = ReduceStats{};
  st->original_bytes = input.bytes.size();
  const Clock::time_point begin = Clock::now();
  Case out = input;
  if (input.module) out = Reducer(input, interesting, options, st).Run();
  st->reduced_bytes = out.bytes.size();
  st->seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  return out;
}

}  // namespace tandem::diff
