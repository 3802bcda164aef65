// smith.cc: the `smith` generator (generator.h; DESIGN.md "Inside the harness"): whole Wasm 2.0
// programs, valid by construction, generated against a typed model of the operand and control
// stacks. Every instruction of reference/opcodes.def has a template here (the list is derived
// from the table, so a new opcode without one stops the generator at construction).
// Termination is binaryen's fuzz-exec protocol: a hang-limit global, checked and decremented at
// every function entry and loop header, reset by the exported `hangLimitInitializer`.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "diff/gen/builder.h"
#include "diff/gen/generator.h"
#include "reference/encoder.h"

namespace tandem::diff::gen {
namespace {

using wasm::FuncType;
using wasm::ImmKind;
using wasm::Instr;
using wasm::Op;
using wasm::OpInfo;
using wasm::SigType;
using wasm::ValType;
using wasm::Value;

constexpr uint64_t kPage = wasm::kPageSize;
// What hangLimitInitializer sets: function entries plus loop iterations per exported call. Far
// below the fuzz loop's fuel (1,000,000 units per case) and call-depth limit (1000), so every
// engine stops at the same `unreachable`, never by exhaustion.
constexpr uint32_t kHangLimit = 100;
constexpr uint32_t kHangGlobal = 0;  // global 0 holds the hang limit
constexpr size_t kMaxNest = 6;       // control frames per function, the body included
constexpr size_t kMaxAvail = 6;      // operands left on a frame's stack before consuming them
constexpr uint32_t kNumTypeSlots = 7;
constexpr uint32_t kCanonicalF32 = 0x7fc00000u;
constexpr uint64_t kCanonicalF64 = 0x7ff8000000000000u;

// ---- Edge values ------------------------------------------------------------------------------

constexpr std::array<uint32_t, 22> kI32Edges = {
    0,    1,    2,    0xffffffffu, 0x80000000u, 0x7fffffffu, 0x80000001u, 0xfffffffeu,
    0x7f, 0x80, 0xff, 0x7fff,      0x8000,      0xffff,      0x10000,     31,
    32,   33,   63,   64,          0xfff0,      0xffffff80u};
// clang-format off
constexpr std::array<uint64_t, 20> kI64Edges = {
    0, 1, 2, 0xffffffffffffffffu, 0x8000000000000000u, 0x7fffffffffffffffu, 0x8000000000000001u,
    0xfffffffffffffffeu, 0xffffffffu, 0x80000000u, 0x7fffffffu, 0x100000000u,
    0xffffffff80000000u, 0xffffffff7fffffffu, 0x7f, 0x80, 63, 64, 65, 0x10000};
// clang-format on
// ±0, ±1, ±inf, NaNs (canonical of both signs, signalling, payloads), subnormals (smallest,
// largest), the smallest normal, the largest finite, halves, and the truncation boundaries.
constexpr std::array<uint32_t, 28> kF32Edges = {
    0x00000000u, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
    0xffc00000u, 0x7f800001u, 0x7fa00000u, 0x7fc00001u, 0xffbfffffu, 0x00000001u, 0x80000001u,
    0x007fffffu, 0x00800000u, 0x7f7fffffu, 0xff7fffffu, 0x3f000000u, 0xbf000000u, 0x3fc00000u,
    0x40200000u, 0x4f000000u, 0x4effffffu, 0xcf000000u, 0x4f800000u, 0x5f000000u, 0x5f800000u};
constexpr std::array<uint64_t, 28> kF64Edges = {
    0x0000000000000000u, 0x8000000000000000u, 0x3ff0000000000000u, 0xbff0000000000000u,
    0x7ff0000000000000u, 0xfff0000000000000u, 0x7ff8000000000000u, 0xfff8000000000000u,
    0x7ff0000000000001u, 0x7ff4000000000000u, 0x7ff8000000000001u, 0xfff7ffffffffffffu,
    0x0000000000000001u, 0x8000000000000001u, 0x000fffffffffffffu, 0x0010000000000000u,
    0x7fefffffffffffffu, 0xffefffffffffffffu, 0x3fe0000000000000u, 0xbfe0000000000000u,
    0x3ff8000000000000u, 0x4004000000000000u, 0x41e0000000000000u, 0x41dfffffffc00000u,
    0xc1e0000000000000u, 0x41f0000000000000u, 0x43e0000000000000u, 0x43f0000000000000u};

template <class T, size_t N>
T PickFrom(Rng& rng, const std::array<T, N>& a) {
  return a[rng.Below(N)];
}

uint32_t Slot(ValType t) {
  switch (t) {
    case ValType::I32:
      return 0;
    case ValType::I64:
      return 1;
    case ValType::F32:
      return 2;
    case ValType::F64:
      return 3;
    case ValType::V128:
      return 4;
    case ValType::FuncRef:
      return 5;
    case ValType::ExternRef:
      return 6;
  }
  return 0;
}

bool IsFloat(ValType t) { return t == ValType::F32 || t == ValType::F64; }

bool HasSpecialSlot(const OpInfo& info) {
  for (SigType s : {info.result, info.p1, info.p2, info.p3})
    if (s == SigType::Special) return true;
  return false;
}

std::vector<ValType> Params(const OpInfo& info) {
  std::vector<ValType> p;
  for (SigType s : {info.p1, info.p2, info.p3})
    if (auto t = wasm::SigValType(s)) p.push_back(*t);
  return p;
}

uint32_t Log2(uint32_t n) {
  uint32_t k = 0;
  while ((1u << k) < n) ++k;
  return k;
}

// ---- The instruction list, from the opcode table -----------------------------------------------

enum class Kind : uint8_t {
  kGeneric,    // a fixed signature [p1 p2 p3] -> [r], no immediates but lanes or a shuffle
  kConst,      // t.const
  kLoad,       // [i32] -> [t], memarg
  kStore,      // [i32 t] -> [], memarg
  kLoadLane,   // [i32 v128] -> [v128], memarg and lane
  kStoreLane,  // [i32 v128] -> [], memarg and lane
  kSpecial,    // a hand-written template (control, references, variables, tables, memory)
};

bool IsSpecial(Op op) {
  switch (op) {
    case Op::Unreachable:
    case Op::Br:
    case Op::BrIf:
    case Op::BrTable:
    case Op::Return:
    case Op::Call:
    case Op::CallIndirect:
    case Op::RefNull:
    case Op::RefIsNull:
    case Op::RefFunc:
    case Op::Drop:
    case Op::Select:
    case Op::SelectT:
    case Op::LocalGet:
    case Op::LocalSet:
    case Op::LocalTee:
    case Op::GlobalGet:
    case Op::GlobalSet:
    case Op::TableGet:
    case Op::TableSet:
    case Op::TableInit:
    case Op::ElemDrop:
    case Op::TableCopy:
    case Op::TableGrow:
    case Op::TableSize:
    case Op::TableFill:
    case Op::MemorySize:
    case Op::MemoryGrow:
    case Op::MemoryInit:
    case Op::DataDrop:
    case Op::MemoryCopy:
    case Op::MemoryFill:
      return true;
    default:
      return false;
  }
}

std::optional<Kind> KindOf(Op op) {
  if (IsSpecial(op)) return Kind::kSpecial;
  const OpInfo& info = wasm::GetOpInfo(op);
  if (HasSpecialSlot(info)) return std::nullopt;
  switch (info.imm) {
    case ImmKind::None:
    case ImmKind::Shuffle:
      return Kind::kGeneric;
    case ImmKind::LaneIdx:
      if (LaneCount(info.name) == 0) return std::nullopt;
      return Kind::kGeneric;
    case ImmKind::I32Const:
    case ImmKind::I64Const:
    case ImmKind::F32Const:
    case ImmKind::F64Const:
    case ImmKind::V128Const:
      if (!wasm::SigValType(info.result) || info.p1 != SigType::None) return std::nullopt;
      return Kind::kConst;
    case ImmKind::Mem1:
    case ImmKind::Mem2:
    case ImmKind::Mem4:
    case ImmKind::Mem8:
    case ImmKind::Mem16:
      if (info.p1 != SigType::I32 || info.p3 != SigType::None) return std::nullopt;
      if (wasm::SigValType(info.result) && info.p2 == SigType::None) return Kind::kLoad;
      if (info.result == SigType::None && wasm::SigValType(info.p2)) return Kind::kStore;
      return std::nullopt;
    case ImmKind::MemLane1:
    case ImmKind::MemLane2:
    case ImmKind::MemLane4:
    case ImmKind::MemLane8:
      if (info.p1 != SigType::I32 || info.p2 != SigType::V128) return std::nullopt;
      if (info.result == SigType::V128) return Kind::kLoadLane;
      if (info.result == SigType::None) return Kind::kStoreLane;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

struct OpList {
  std::vector<std::pair<Op, Kind>> all;
  std::vector<Kind> kind_of;  // by Op
  // Instructions that push exactly one value of a type (by Slot), given fresh operands.
  std::vector<Op> by_result[kNumTypeSlots];
  // Instructions whose first operand has a type (by Slot): they consume the stack's top.
  std::vector<Op> by_first[kNumTypeSlots];
};

OpList MakeOpList(bool simd, bool binaryen) {
  OpList l;
  l.kind_of.assign(wasm::kNumOps, Kind::kSpecial);
  std::string missing;
  for (int i = 0; i < wasm::kNumOps; ++i) {
    const Op op = static_cast<Op>(i);
    const OpInfo& info = wasm::GetOpInfo(op);
    if (info.prefix == 0xfd && !simd) continue;
    if (binaryen && (op == Op::TableInit || op == Op::ElemDrop || op == Op::TableCopy ||
                     op == Op::TableFill))
      continue;
    // Structure: generated as frames, not picked from the list.
    if (op == Op::Block || op == Op::Loop || op == Op::If || op == Op::Else || op == Op::End)
      continue;
    std::optional<Kind> k = KindOf(op);
    if (!k) {
      missing += missing.empty() ? "" : ", ";
      missing += info.name;
      continue;
    }
    l.all.push_back({op, *k});
    l.kind_of[i] = *k;
    if (*k != Kind::kSpecial) {
      if (auto r = wasm::SigValType(info.result)) l.by_result[Slot(*r)].push_back(op);
      if (auto p = wasm::SigValType(info.p1)) l.by_first[Slot(*p)].push_back(op);
    }
  }
  if (!missing.empty()) throw std::logic_error("smith generator: no template for " + missing);
  // Hand-written templates that can produce one value of a given type.
  auto add = [&](Op op, std::initializer_list<ValType> types) {
    for (ValType t : types)
      if (t != ValType::V128 || simd) l.by_result[Slot(t)].push_back(op);
  };
  const auto num = {ValType::I32, ValType::I64, ValType::F32, ValType::F64, ValType::V128};
  const auto any = {ValType::I32,  ValType::I64,     ValType::F32,      ValType::F64,
                    ValType::V128, ValType::FuncRef, ValType::ExternRef};
  const auto refs = {ValType::FuncRef, ValType::ExternRef};
  add(Op::Select, num);
  add(Op::SelectT, any);
  add(Op::LocalGet, any);
  add(Op::LocalTee, any);
  add(Op::GlobalGet, any);
  add(Op::Call, any);
  add(Op::CallIndirect, any);
  add(Op::TableGet, refs);
  add(Op::RefNull, refs);
  add(Op::RefFunc, {ValType::FuncRef});
  add(Op::RefIsNull, {ValType::I32});
  add(Op::TableGrow, {ValType::I32});
  add(Op::TableSize, {ValType::I32});
  add(Op::MemorySize, {ValType::I32});
  add(Op::MemoryGrow, {ValType::I32});
  return l;
}

bool IsDivRem(Op op) {
  switch (op) {
    case Op::I32DivS:
    case Op::I32DivU:
    case Op::I32RemS:
    case Op::I32RemU:
    case Op::I64DivS:
    case Op::I64DivU:
    case Op::I64RemS:
    case Op::I64RemU:
      return true;
    default:
      return false;
  }
}

// The trapping float-to-int truncations (Spec 4.3.2 trunc): the exclusive bounds (lo, hi) of
// the operands that truncate into the target range, as IEEE bits of the operand's type.
struct TruncRange {
  ValType from;
  uint64_t lo, hi;
};
std::optional<TruncRange> TruncOf(Op op) {
  switch (op) {
    case Op::I32TruncF32S:
      return TruncRange{ValType::F32, 0xcf000001u, 0x4f000000u};
    case Op::I32TruncF32U:
      return TruncRange{ValType::F32, 0xbf800000u, 0x4f800000u};
    case Op::I32TruncF64S:
      return TruncRange{ValType::F64, 0xc1e0000000200000u, 0x41e0000000000000u};
    case Op::I32TruncF64U:
      return TruncRange{ValType::F64, 0xbff0000000000000u, 0x41f0000000000000u};
    case Op::I64TruncF32S:
      return TruncRange{ValType::F32, 0xdf000001u, 0x5f000000u};
    case Op::I64TruncF32U:
      return TruncRange{ValType::F32, 0xbf800000u, 0x5f800000u};
    case Op::I64TruncF64S:
      return TruncRange{ValType::F64, 0xc3e0000000000001u, 0x43e0000000000000u};
    case Op::I64TruncF64U:
      return TruncRange{ValType::F64, 0xbff0000000000000u, 0x43f0000000000000u};
    default:
      return std::nullopt;
  }
}

// Vector instructions whose result lanes are floats (denan canonicalises them); comparisons
// produce masks, not floats.
std::optional<ValType> FloatLanes(const OpInfo& info) {
  if (info.result != SigType::V128) return std::nullopt;
  const std::string_view name = info.name;
  const bool f32 = name.starts_with("f32x4.");
  const bool f64 = name.starts_with("f64x2.");
  if (!f32 && !f64) return std::nullopt;
  for (std::string_view cmp : {".eq", ".ne", ".lt", ".gt", ".le", ".ge"})
    if (name.substr(5) == cmp) return std::nullopt;
  return f32 ? ValType::F32 : ValType::F64;
}

// ---- One module under construction
// ----------------------------------------------------------------

struct TableInfo {
  ValType elem;
  uint32_t min;
  uint32_t max;
  // Table 0: entries [0, call_region) hold the functions of `layout` and are left alone by
  // the table instructions (but for risky ones), so call_indirect finds what it expects.
  uint32_t call_region = 0;
  std::vector<uint32_t> layout;
};

struct SegInfo {
  ValType type = ValType::FuncRef;  // element segments
  uint32_t size = 0;
  wasm::SegmentMode mode = wasm::SegmentMode::kPassive;
  bool droppable = false;  // data.drop / elem.drop aim at it; memory.init / table.init do not
};

struct GlobalInfo {
  ValType type;
  bool mut;
};

struct Ctrl {
  Op kind;  // Block (the body too), Loop, If
  std::vector<ValType> params, results;
  size_t height = 0;  // operand stack below the params
  bool unreachable = false;
  bool has_else = false;
  bool body = false;     // the function's own frame
  int32_t counter = -1;  // Loop: the local counting its iterations down
};

class ModuleGen {
 public:
  ModuleGen(const OpList& ops, const GeneratorOptions& o, Rng& rng)
      : ops_(ops), simd_(o.simd), denan_(o.denan), block_params_(o.block_params), binaryen_(o.binaryen), rng_(rng) {}

  Generated Run();

 private:
  // ---- Module-level choices
  ValType RandomType(bool with_refs = true);
  Value Edge(ValType t);
  Value Random(ValType t);
  Value Denan(Value v) const;
  uint32_t TypeIndex(const FuncType& t);
  void AddImports();
  void AddGlobals();
  void AddMemoryAndData();
  void AddTablesAndElems();
  std::vector<uint8_t> DataBytes(uint32_t n);
  wasm::ConstExpr FuncRefExpr(bool allow_null);
  void AddFunction(uint32_t k);
  void AddInitializer();
  Script MakeScript();

  // ---- Stack model and emission
  void Emit(const Instr& in) {
    code_.Add(in);
    --budget_;
  }
  void Emit(Op op, uint32_t a = 0, uint32_t b = 0, uint64_t c = 0) { Emit(MakeInstr(op, a, b, c)); }
  void EmitConst(const Value& v) { Emit(ConstInstr(v)); }
  void EmitI32(uint32_t v) { EmitConst(Value::I32(v)); }
  void Push(ValType t) { stack_.push_back(t); }
  void Push(const std::vector<ValType>& ts) {
    for (ValType t : ts) Push(t);
  }
  void Pop(size_t n = 1) { stack_.resize(stack_.size() - n); }
  size_t Avail() const { return stack_.size() - ctrl_.back().height; }
  std::optional<ValType> Top() const {
    if (Avail() == 0) return std::nullopt;
    return stack_.back();
  }
  size_t Reusable(const std::vector<ValType>& in) const;
  // By value: making operands may open frames, moving ctrl_ (and the label types in it).
  void Ensure(std::vector<ValType> in, bool fresh, int depth);
  void MakeValue(ValType t, int depth);
  void Consume();
  bool Risky();

  // ---- Locals
  uint32_t NewLocal(ValType t, bool reserved);
  uint32_t Scratch(ValType t);
  std::optional<uint32_t> PickLocal(ValType t, bool writable);
  std::optional<uint32_t> PickGlobal(ValType t, bool writable);

  // ---- Sequences that leave the operand stack as it was (or replace its top)
  void HangCheck();
  void Canon(ValType t);
  void CanonLanes(ValType lane);
  void DivGuard(ValType t);
  void TruncGuard(const TruncRange& r);
  void CounterCond(uint32_t counter);

  // ---- Frames
  void Steps();
  void Step();
  bool ConsumeByOp(int depth);
  void OpenFrame(Op kind, std::vector<ValType> results, bool allow_params, int depth);
  void Close();
  void FixStack(std::vector<ValType> results);
  void SetUnreachable();
  const std::vector<ValType>& LabelTypes(size_t depth) const;
  uint64_t BlockTypeFor(const std::vector<ValType>& params, const std::vector<ValType>& results);
  template <class F>
  void Transfer(bool traps, F&& emit);

  // ---- Instructions
  bool EmitOp(Op op, bool fresh, int depth, std::optional<ValType> want);
  bool EmitGeneric(Op op, bool fresh, int depth);
  void EmitMemoryAccess(Op op, Kind kind, bool fresh, int depth);
  uint64_t Offset(uint32_t size);
  void Address(uint32_t size, uint64_t offset, bool fresh, int depth);
  void Index(uint32_t bound, bool fresh, int depth);
  uint32_t Length(uint32_t size);
  uint32_t Start(uint32_t size, uint32_t n);
  bool EmitBranch(Op op, int depth);
  bool EmitCall(bool fresh, int depth, std::optional<ValType> want);
  bool EmitCallIndirect(bool fresh, int depth, std::optional<ValType> want);
  bool EmitSpecial(Op op, bool fresh, int depth, std::optional<ValType> want);
  std::optional<uint32_t> PickTable(std::optional<ValType> elem);
  std::optional<uint32_t> PickElem(ValType type, bool for_init);
  std::optional<uint32_t> PickData(bool for_init);

  const OpList& ops_;
  const bool simd_, denan_, block_params_, binaryen_;
  Rng& rng_;
  wasm::Module m_;
  int risk_ = 0;  // 0: no deliberate traps; 1, 2: some
  uint32_t num_imports_ = 0;
  uint32_t first_main_ = 0, num_main_ = 0, initializer_ = 0;
  std::vector<FuncType> pool_;  // signatures of the main functions
  std::vector<GlobalInfo> globals_;
  std::vector<TableInfo> tables_;
  std::vector<SegInfo> elems_, datas_;
  uint32_t mem_pages_ = 1, mem_max_ = 1;
  std::vector<uint32_t> log_func_;  // by Slot: the log import, or ~0u

  // The function under construction.
  uint32_t cur_ = 0;
  std::vector<ValType> local_types_;  // parameters, then declared locals
  std::vector<bool> reserved_;        // not written by random local.set / local.tee
  std::array<int32_t, kNumTypeSlots> scratch_{};
  std::vector<ValType> stack_;
  std::vector<Ctrl> ctrl_;
  Code code_;
  int64_t budget_ = 0;
};

// ---- Values
// --------------------------------------------------------------------------------------

ValType ModuleGen::RandomType(bool with_refs) {
  const uint64_t r = rng_.Below(100);
  if (r < 30) return ValType::I32;
  if (r < 50) return ValType::I64;
  if (r < 65) return ValType::F32;
  if (r < 80) return ValType::F64;
  if (r < 88 && simd_) return ValType::V128;
  if (!with_refs) return ValType::I32;
  return rng_.Chance(2) ? ValType::FuncRef : ValType::ExternRef;
}

Value ModuleGen::Denan(Value v) const {
  if (!denan_) return v;
  if (v.type == ValType::F32 && (v.bits & 0x7f800000u) == 0x7f800000u && (v.bits & 0x7fffffu))
    return Value::F32Bits(kCanonicalF32);
  if (v.type == ValType::F64 && (v.bits & 0x7ff0000000000000u) == 0x7ff0000000000000u &&
      (v.bits & 0xfffffffffffffu))
    return Value::F64Bits(kCanonicalF64);
  return v;
}

Value ModuleGen::Random(ValType t) {
  switch (t) {
    case ValType::I32: {
      if (rng_.Chance(2)) return Value::I32(static_cast<uint32_t>(rng_.Below(64)));
      const uint32_t v = static_cast<uint32_t>(rng_.Next() >> (32 + rng_.Below(32)));
      return Value::I32(rng_.Chance(2) ? 0u - v : v);
    }
    case ValType::I64: {
      if (rng_.Chance(2)) return Value::I64(rng_.Below(64));
      const uint64_t v = rng_.Next() >> rng_.Below(64);
      return Value::I64(rng_.Chance(2) ? 0 - v : v);
    }
    case ValType::F32: {
      if (rng_.Chance(3)) return Denan(Value::F32Bits(static_cast<uint32_t>(rng_.Next())));
      const int32_t m = static_cast<int32_t>(rng_.Below(2001)) - 1000;
      return Value::F32(static_cast<float>(m) / static_cast<float>(1u << rng_.Below(8)));
    }
    case ValType::F64: {
      if (rng_.Chance(3)) return Denan(Value::F64Bits(rng_.Next()));
      const int64_t m = static_cast<int64_t>(rng_.Below(200001)) - 100000;
      return Value::F64(static_cast<double>(m) / static_cast<double>(1u << rng_.Below(12)));
    }
    case ValType::V128:
      return Edge(t);
    case ValType::FuncRef:
    case ValType::ExternRef:
      return Value::Null(t);
  }
  return Value::Default(t);
}

Value ModuleGen::Edge(ValType t) {
  if (t != ValType::V128 && rng_.Chance(3)) return Random(t);
  switch (t) {
    case ValType::I32:
      return Value::I32(PickFrom(rng_, kI32Edges));
    case ValType::I64:
      return Value::I64(PickFrom(rng_, kI64Edges));
    case ValType::F32:
      return Denan(Value::F32Bits(PickFrom(rng_, kF32Edges)));
    case ValType::F64:
      return Denan(Value::F64Bits(PickFrom(rng_, kF64Edges)));
    case ValType::V128: {
      // Lanes of one shape, each an edge value (or a random one).
      uint8_t bytes[16];
      const uint64_t shape = rng_.Below(5);
      for (int i = 0; i < 16;) {
        uint64_t v = 0;
        int n = 0;
        switch (shape) {
          case 0:
            v = rng_.Chance(2) ? PickFrom(rng_, kI32Edges) : rng_.Next(), n = 1;
            break;
          case 1:
            v = PickFrom(rng_, kI32Edges), n = 2;
            break;
          case 2:
            v = PickFrom(rng_, kI32Edges), n = 4;
            break;
          case 3:
            v = Denan(Value::F32Bits(PickFrom(rng_, kF32Edges))).bits, n = 4;
            break;
          default:
            v = Denan(Value::F64Bits(PickFrom(rng_, kF64Edges))).bits, n = 8;
            break;
        }
        for (int k = 0; k < n; ++k) bytes[i + k] = static_cast<uint8_t>(v >> (8 * k));
        i += n;
      }
      Value r{ValType::V128, 0, 0};
      std::memcpy(&r.bits, bytes, 8);
      std::memcpy(&r.hi, bytes + 8, 8);
      return r;
    }
    case ValType::FuncRef:
      return Value::Null(t);
    case ValType::ExternRef: {
      constexpr std::array<uint64_t, 4> kRefs = {wasm::kNullRef, 0, 1, 0xffffffffu};
      return Value::Ref(t, PickFrom(rng_, kRefs));
    }
  }
  return Value::Default(t);
}

uint32_t ModuleGen::TypeIndex(const FuncType& t) {
  for (size_t i = 0; i < m_.types.size(); ++i)
    if (m_.types[i] == t) return static_cast<uint32_t>(i);
  m_.types.push_back(t);
  return static_cast<uint32_t>(m_.types.size() - 1);
}

// ---- Module parts
// ----------------------------------------------------------------------------------

// The fuzzing-support logs (binaryen's fuzz-exec imports): functions 0..3 (4 with SIMD).
void ModuleGen::AddImports() {
  log_func_.assign(kNumTypeSlots, ~0u);
  std::vector<std::pair<const char*, ValType>> logs = {{"log-i32", ValType::I32},
                                                       {"log-i64", ValType::I64},
                                                       {"log-f32", ValType::F32},
                                                       {"log-f64", ValType::F64}};
  if (simd_) logs.push_back({"log-v128", ValType::V128});
  for (const auto& [name, t] : logs) {
    wasm::Import im;
    im.module = "fuzzing-support";
    im.name = name;
    im.kind = wasm::ExternKind::Func;
    im.func_type_index = TypeIndex(FuncType{{t}, {}});
    m_.imports.push_back(im);
    m_.func_types.push_back(im.func_type_index);
    log_func_[Slot(t)] = num_imports_++;
  }
  m_.num_imported_funcs = num_imports_;
}

void ModuleGen::AddGlobals() {
  // Global 0: the hang limit, set by hangLimitInitializer.
  globals_.push_back({ValType::I32, true});
  wasm::Global hang;
  hang.type = {ValType::I32, true};
  hang.init.code.push_back(ConstInstr(Value::I32(kHangLimit)));
  m_.globals.push_back(std::move(hang));
  const uint64_t n = 2 + rng_.Below(7);
  for (uint64_t i = 0; i < n; ++i) {
    const ValType t = RandomType();
    const bool mut = !rng_.Chance(3);
    wasm::Global g;
    g.type = {t, mut};
    if (t == ValType::FuncRef) {
      g.init = FuncRefExpr(true);
    } else if (t == ValType::ExternRef) {
      g.init.code.push_back(ConstInstr(Value::Null(t)));
    } else {
      g.init.code.push_back(ConstInstr(Edge(t)));
    }
    m_.globals.push_back(std::move(g));
    globals_.push_back({t, mut});
  }
}

std::vector<uint8_t> ModuleGen::DataBytes(uint32_t n) {
  std::vector<uint8_t> bytes;
  while (bytes.size() < n) {
    uint64_t v = 0;
    int k = 0;
    switch (rng_.Below(5)) {
      case 0:
        v = rng_.Next(), k = 8;
        break;
      case 1:
        v = PickFrom(rng_, kI32Edges), k = 4;
        break;
      case 2:
        v = Denan(Value::F32Bits(PickFrom(rng_, kF32Edges))).bits, k = 4;
        break;
      case 3:
        v = Denan(Value::F64Bits(PickFrom(rng_, kF64Edges))).bits, k = 8;
        break;
      default:
        v = PickFrom(rng_, kI64Edges), k = 8;
        break;
    }
    for (int i = 0; i < k && bytes.size() < n; ++i)
      bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  return bytes;
}

// Memory 0 (always with a maximum, so that no grow allocates much) and data segments: active
// ones at the start and the end of the memory, passive ones for memory.init and data.drop.
void ModuleGen::AddMemoryAndData() {
  mem_pages_ = rng_.Chance(4) ? 2 : 1;
  constexpr std::array<uint32_t, 5> kExtra = {0, 1, 1, 2, 4};
  mem_max_ = mem_pages_ + PickFrom(rng_, kExtra);
  m_.memories.push_back({wasm::Limits{mem_pages_, mem_max_}});
  const uint32_t mem = mem_pages_ * static_cast<uint32_t>(kPage);
  auto add = [&](wasm::SegmentMode mode, uint32_t offset, uint32_t n, bool droppable) {
    const std::vector<uint8_t> bytes = DataBytes(n);
    wasm::DataSegment seg;
    seg.mode = mode;
    if (mode == wasm::SegmentMode::kActive)
      seg.offset.code.push_back(ConstInstr(Value::I32(offset)));
    seg.data_offset = static_cast<uint32_t>(m_.bytes.size());
    seg.data_size = n;
    m_.bytes.insert(m_.bytes.end(), bytes.begin(), bytes.end());
    m_.datas.push_back(std::move(seg));
    datas_.push_back({ValType::I32, n, mode, droppable});
  };
  const uint32_t head = 16 + static_cast<uint32_t>(rng_.Below(112));
  add(wasm::SegmentMode::kActive, 0, head, false);
  const uint32_t tail = 8 + static_cast<uint32_t>(rng_.Below(56));
  add(wasm::SegmentMode::kActive, mem - tail, tail, false);
  if (rng_.Chance(2)) {
    const uint32_t n = static_cast<uint32_t>(rng_.Below(64));
    add(wasm::SegmentMode::kActive, static_cast<uint32_t>(rng_.Below(mem - n)), n, false);
  }
  const uint64_t passive = 1 + rng_.Below(3);
  for (uint64_t i = 0; i < passive; ++i) {
    const uint32_t n = rng_.Chance(6) ? 0 : static_cast<uint32_t>(1 + rng_.Below(48));
    add(wasm::SegmentMode::kPassive, 0, n, passive > 1 && i == passive - 1);
  }
  m_.data_count = static_cast<uint32_t>(m_.datas.size());
}

// A constant ref.func of a main function or an import, or (if allowed) ref.null func.
wasm::ConstExpr ModuleGen::FuncRefExpr(bool allow_null) {
  wasm::ConstExpr e;
  if (allow_null && rng_.Chance(4)) {
    e.code.push_back(ConstInstr(Value::Null(ValType::FuncRef)));
  } else {
    const uint32_t f = rng_.Chance(6) ? static_cast<uint32_t>(rng_.Below(num_imports_))
                                      : first_main_ + static_cast<uint32_t>(rng_.Below(num_main_));
    e.code.push_back(MakeInstr(Op::RefFunc, f));
  }
  return e;
}

// Table 0 (funcref): a call region filled with functions for call_indirect, then a region the
// table instructions work on. Up to two more tables of either reference type. Element segments:
// the call region (active), maybe one active segment on another table, passive funcref and
// externref segments, and a declarative one naming every function (for ref.func in code).
void ModuleGen::AddTablesAndElems() {
  auto add_table = [&](ValType elem, uint32_t min) {
    const uint32_t max = min + static_cast<uint32_t>(rng_.Below(5));
    m_.tables.push_back({elem, wasm::Limits{min, max}});
    tables_.push_back({elem, min, max, 0, {}});
  };
  const uint32_t call_region = 4 + static_cast<uint32_t>(rng_.Below(9));
  add_table(ValType::FuncRef, call_region + 2 + static_cast<uint32_t>(rng_.Below(7)));
  tables_[0].call_region = call_region;
  const uint64_t more = rng_.Below(3);
  for (uint64_t i = 0; i < more; ++i)
    add_table(rng_.Chance(2) ? ValType::FuncRef : ValType::ExternRef,
              1 + static_cast<uint32_t>(rng_.Below(10)));

  auto add_elem = [&](wasm::ElemSegment seg, bool droppable) {
    elems_.push_back({seg.type, static_cast<uint32_t>(seg.init.size()), seg.mode, droppable});
    m_.elems.push_back(std::move(seg));
  };
  {
    wasm::ElemSegment seg;
    seg.mode = wasm::SegmentMode::kActive;
    seg.table = 0;
    seg.offset.code.push_back(ConstInstr(Value::I32(0)));
    for (uint32_t i = 0; i < call_region; ++i) {
      wasm::ConstExpr e = FuncRefExpr(false);
      tables_[0].layout.push_back(e.code[0].a);
      seg.init.push_back(std::move(e));
    }
    add_elem(std::move(seg), false);
  }
  if (tables_.size() > 1 && rng_.Chance(2)) {
    const uint32_t t = 1 + static_cast<uint32_t>(rng_.Below(tables_.size() - 1));
    if (tables_[t].elem == ValType::FuncRef || !binaryen_) {
      wasm::ElemSegment seg;
      seg.mode = wasm::SegmentMode::kActive;
      seg.type = tables_[t].elem;
      seg.table = t;
      const uint32_t n = 1 + static_cast<uint32_t>(rng_.Below(tables_[t].min));
      seg.offset.code.push_back(
          ConstInstr(Value::I32(static_cast<uint32_t>(rng_.Below(tables_[t].min - n + 1)))));
      for (uint32_t i = 0; i < n; ++i) {
        if (seg.type == ValType::FuncRef) {
          seg.init.push_back(FuncRefExpr(true));
        } else {
          seg.init.push_back({{ConstInstr(Value::Null(ValType::ExternRef))}});
        }
      }
      add_elem(std::move(seg), false);
    }
  }
  const uint64_t passive = 1 + rng_.Below(2);
  for (uint64_t i = 0; i < passive; ++i) {
    wasm::ElemSegment seg;
    seg.mode = wasm::SegmentMode::kPassive;
    const uint64_t n = rng_.Chance(8) ? 0 : 1 + rng_.Below(6);
    for (uint64_t k = 0; k < n; ++k) seg.init.push_back(FuncRefExpr(true));
    add_elem(std::move(seg), passive > 1 && i == passive - 1);
  }
  if (!binaryen_) {
    wasm::ElemSegment seg;
    seg.mode = wasm::SegmentMode::kPassive;
    seg.type = ValType::ExternRef;
    const uint64_t n = rng_.Below(5);
    for (uint64_t k = 0; k < n; ++k)
      seg.init.push_back({{ConstInstr(Value::Null(ValType::ExternRef))}});
    add_elem(std::move(seg), rng_.Chance(3));
  }
  {
    wasm::ElemSegment seg;
    seg.mode = wasm::SegmentMode::kDeclarative;
    for (uint32_t f = 0; f < first_main_ + num_main_; ++f)
      seg.init.push_back({{MakeInstr(Op::RefFunc, f)}});
    add_elem(std::move(seg), true);
  }
}

// hangLimitInitializer: () -> (), sets the hang limit.
void ModuleGen::AddInitializer() {
  wasm::FunctionBody body;
  body.type_index = TypeIndex(FuncType{});
  body.code.push_back(ConstInstr(Value::I32(kHangLimit)));
  body.code.push_back(MakeInstr(Op::GlobalSet, kHangGlobal));
  body.code.push_back(MakeInstr(Op::End));
  m_.code.push_back(std::move(body));
}

// Every exported function in export order, with one to three argument sets of edge values,
// each call after hangLimitInitializer (binaryen's protocol, with arguments).
Script ModuleGen::MakeScript() {
  Script s;
  size_t exported = 0;
  auto called = [](const wasm::Export& e) {
    return e.kind == wasm::ExternKind::Func && e.name != "hangLimitInitializer";
  };
  for (const wasm::Export& e : m_.exports) exported += called(e);
  const uint64_t per = exported <= 4 ? 3 : exported <= 6 ? 2 : 1;
  for (const wasm::Export& e : m_.exports) {
    if (!called(e)) continue;
    const FuncType& sig = m_.FuncTypeOf(e.index);
    const uint64_t sets = 1 + rng_.Below(per);
    for (uint64_t k = 0; k < sets; ++k) {
      std::vector<Value> args;
      for (ValType t : sig.params) args.push_back(Edge(t));
      s.calls.push_back(Call{"hangLimitInitializer", {}, std::nullopt});
      s.calls.push_back(Call{e.name, std::move(args), std::nullopt});
    }
  }
  return s;
}

Generated ModuleGen::Run() {
  // Most modules trap only by accident; some aim at the bounds deliberately.
  const uint64_t r = rng_.Below(20);
  risk_ = r < 9 ? 0 : r < 16 ? 1 : 2;
  AddImports();
  // The main functions' signatures: a small pool, so that call_indirect finds matches.
  const uint64_t sigs = 2 + rng_.Below(4);
  for (uint64_t i = 0; i < sigs; ++i) {
    FuncType t;
    const uint64_t np = rng_.Below(5);
    for (uint64_t k = 0; k < np; ++k) t.params.push_back(RandomType());
    constexpr std::array<uint32_t, 10> kResults = {0, 0, 0, 1, 1, 1, 1, 2, 2, 3};
    const uint32_t nr = PickFrom(rng_, kResults);
    for (uint32_t k = 0; k < nr; ++k) t.results.push_back(RandomType());
    pool_.push_back(std::move(t));
  }
  num_main_ = 2 + static_cast<uint32_t>(rng_.Below(7));
  first_main_ = num_imports_;
  initializer_ = first_main_ + num_main_;
  std::vector<uint32_t> main_types;
  for (uint32_t k = 0; k < num_main_; ++k) {
    main_types.push_back(TypeIndex(rng_.Pick(pool_)));
    m_.func_types.push_back(main_types.back());
  }
  m_.func_types.push_back(TypeIndex(FuncType{}));  // hangLimitInitializer
  AddGlobals();
  AddMemoryAndData();
  AddTablesAndElems();
  // func_types already names every function; bodies are appended in order.
  for (uint32_t k = 0; k < num_main_; ++k) AddFunction(k);
  AddInitializer();
  for (uint32_t k = 0; k < num_main_; ++k)
    if (k == 0 || !rng_.Chance(6))
      m_.exports.push_back({"f" + std::to_string(k), wasm::ExternKind::Func, first_main_ + k});
  m_.exports.push_back({"hangLimitInitializer", wasm::ExternKind::Func, initializer_});
  // Exported, so that engines that see exports only (V8) compare it too.
  m_.exports.push_back({"memory", wasm::ExternKind::Memory, 0});
  if (rng_.Chance(3)) {
    for (uint32_t g = 1; g < globals_.size(); ++g)
      if (rng_.Chance(3))
        m_.exports.push_back({"g" + std::to_string(g), wasm::ExternKind::Global, g});
  }
  if (denan_) m_.customs.push_back({"tandem.denan", static_cast<uint32_t>(m_.bytes.size()), 0});

  Generated out;
  out.bytes = wasm::Encode(m_);
  out.script = MakeScript();
  out.what = std::to_string(num_main_) + " functions, " + std::to_string(tables_.size()) +
             " tables, " + std::to_string(globals_.size()) + " globals, risk " +
             std::to_string(risk_);
  out.script->description = "smith: " + out.what;
  return out;
}

// ---- Functions
// ------------------------------------------------------------------------------------

void ModuleGen::AddFunction(uint32_t k) {
  cur_ = first_main_ + k;
  const FuncType sig = m_.FuncTypeOf(cur_);
  local_types_ = sig.params;
  reserved_.assign(sig.params.size(), false);
  scratch_.fill(-1);
  const uint64_t nlocals = rng_.Below(7);
  for (uint64_t i = 0; i < nlocals; ++i) NewLocal(RandomType(), false);
  stack_.clear();
  ctrl_.clear();
  code_ = Code{};
  budget_ = 30 + static_cast<int64_t>(rng_.Below(rng_.Chance(4) ? 400 : 200));

  Ctrl body;
  body.kind = Op::Block;
  body.results = sig.results;
  body.body = true;
  ctrl_.push_back(body);
  HangCheck();
  Steps();
  Close();

  wasm::FunctionBody fb;
  fb.type_index = m_.func_types[cur_];
  for (size_t i = sig.params.size(); i < local_types_.size(); ++i) {
    const ValType t = local_types_[i];
    if (!fb.locals.empty() && fb.locals.back().type == t) {
      ++fb.locals.back().count;
    } else {
      fb.locals.push_back({1, t});
    }
  }
  fb.num_locals = local_types_.size() - sig.params.size();
  fb.code = std::move(code_.instrs);
  fb.br_table_pool = std::move(code_.br_table_pool);
  m_.code.push_back(std::move(fb));
}

uint32_t ModuleGen::NewLocal(ValType t, bool reserved) {
  local_types_.push_back(t);
  reserved_.push_back(reserved);
  return static_cast<uint32_t>(local_types_.size() - 1);
}

uint32_t ModuleGen::Scratch(ValType t) {
  int32_t& s = scratch_[Slot(t)];
  if (s < 0) s = static_cast<int32_t>(NewLocal(t, true));
  return static_cast<uint32_t>(s);
}

std::optional<uint32_t> ModuleGen::PickLocal(ValType t, bool writable) {
  std::vector<uint32_t> c;
  for (uint32_t i = 0; i < local_types_.size(); ++i) {
    if (local_types_[i] != t || (writable && reserved_[i])) continue;
    // denan: a scratch local holds a float before its canonicalisation.
    if (denan_ && static_cast<int32_t>(i) == scratch_[Slot(t)]) continue;
    c.push_back(i);
  }
  if (c.empty()) return std::nullopt;
  return rng_.Pick(c);
}

std::optional<uint32_t> ModuleGen::PickGlobal(ValType t, bool writable) {
  std::vector<uint32_t> c;
  for (uint32_t i = writable ? 1 : 0; i < globals_.size(); ++i)
    if (globals_[i].type == t && (!writable || globals_[i].mut)) c.push_back(i);
  if (c.empty()) return std::nullopt;
  return rng_.Pick(c);
}

bool ModuleGen::Risky() {
  switch (risk_) {
    case 0:
      return false;
    case 1:
      return rng_.Chance(40);
    default:
      return rng_.Chance(10);
  }
}

// ---- Stack-neutral sequences
// ------------------------------------------------------------------------

// At every function entry and loop header: trap when the hang limit is spent, else count down.
void ModuleGen::HangCheck() {
  Emit(Op::GlobalGet, kHangGlobal);
  Emit(Op::I32Eqz);
  Emit(Op::If, 0, 0, BlockEmpty());
  Emit(Op::Unreachable);
  Emit(Op::End);
  Emit(Op::GlobalGet, kHangGlobal);
  EmitI32(1);
  Emit(Op::I32Sub);
  Emit(Op::GlobalSet, kHangGlobal);
}

// denan: x -> x == x ? x : canonical NaN, on the float on top of the stack.
void ModuleGen::Canon(ValType t) {
  if (!denan_ || !IsFloat(t)) return;
  const uint32_t s = Scratch(t);
  Emit(Op::LocalTee, s);
  EmitConst(t == ValType::F32 ? Value::F32Bits(kCanonicalF32) : Value::F64Bits(kCanonicalF64));
  Emit(Op::LocalGet, s);
  Emit(Op::LocalGet, s);
  Emit(t == ValType::F32 ? Op::F32Eq : Op::F64Eq);
  Emit(Op::Select);
}

// denan for vectors of float lanes: bitselect(v, canonical NaNs, v == v).
void ModuleGen::CanonLanes(ValType lane) {
  if (!denan_) return;
  const uint32_t s = Scratch(ValType::V128);
  Emit(Op::LocalTee, s);
  Value nan{ValType::V128, 0, 0};
  if (lane == ValType::F32) {
    nan.bits = nan.hi = (uint64_t{kCanonicalF32} << 32) | kCanonicalF32;
  } else {
    nan.bits = nan.hi = kCanonicalF64;
  }
  EmitConst(nan);
  Emit(Op::LocalGet, s);
  Emit(Op::LocalGet, s);
  Emit(lane == ValType::F32 ? Op::F32x4Eq : Op::F64x2Eq);
  Emit(Op::V128Bitselect);
}

// A divisor that is never zero: y | (y == 0).
void ModuleGen::DivGuard(ValType t) {
  const uint32_t s = Scratch(t);
  Emit(Op::LocalTee, s);
  Emit(Op::LocalGet, s);
  if (t == ValType::I32) {
    Emit(Op::I32Eqz);
    Emit(Op::I32Or);
  } else {
    Emit(Op::I64Eqz);
    Emit(Op::I64ExtendI32U);
    Emit(Op::I64Or);
  }
}

// An operand that truncates without trapping: lo < x < hi ? x : 0 (NaN compares false).
void ModuleGen::TruncGuard(const TruncRange& r) {
  const bool f32 = r.from == ValType::F32;
  const uint32_t s = Scratch(r.from);
  auto k = [&](uint64_t bits) {
    EmitConst(f32 ? Value::F32Bits(static_cast<uint32_t>(bits)) : Value::F64Bits(bits));
  };
  Emit(Op::LocalTee, s);
  k(0);
  Emit(Op::LocalGet, s);
  k(r.lo);
  Emit(f32 ? Op::F32Gt : Op::F64Gt);
  Emit(Op::LocalGet, s);
  k(r.hi);
  Emit(f32 ? Op::F32Lt : Op::F64Lt);
  Emit(Op::I32And);
  Emit(Op::Select);
}

// Pushes the condition of a loop's back edge: --counter >= 0.
void ModuleGen::CounterCond(uint32_t counter) {
  Emit(Op::LocalGet, counter);
  EmitI32(1);
  Emit(Op::I32Sub);
  Emit(Op::LocalTee, counter);
  EmitI32(0);
  Emit(Op::I32GeS);
  Push(ValType::I32);
}

// ---- Operands
// -------------------------------------------------------------------------------------

// The largest k such that the current frame's operands end with in[0..k).
size_t ModuleGen::Reusable(const std::vector<ValType>& in) const {
  const size_t avail = Avail();
  for (size_t k = std::min(in.size(), avail); k > 0; --k) {
    bool ok = true;
    for (size_t i = 0; i < k && ok; ++i) ok = stack_[stack_.size() - k + i] == in[i];
    if (ok) return k;
  }
  return 0;
}

// Leaves `in` on top of the stack: what is already there (unless `fresh`), then new values.
void ModuleGen::Ensure(std::vector<ValType> in, bool fresh, int depth) {
  size_t k = fresh ? 0 : Reusable(in);
  if (rng_.Chance(8)) k = 0;  // a smaller k would not match in general
  for (size_t i = k; i < in.size(); ++i) MakeValue(in[i], depth);
}

// Pushes one value of type t: a constant, a variable, an instruction with operands of its own
// (depth > 0), or a block computing it.
void ModuleGen::MakeValue(ValType t, int depth) {
  const uint64_t r = rng_.Below(100);
  if (depth > 0 && budget_ > 0 && r < 45) {
    const std::vector<Op>& ops = ops_.by_result[Slot(t)];
    for (int tries = 0; tries < 3 && !ops.empty(); ++tries)
      if (EmitOp(rng_.Pick(ops), true, depth - 1, t)) return;
  }
  if (r >= 45 && r < 62) {
    if (auto l = PickLocal(t, false)) {
      Emit(Op::LocalGet, *l);
      Push(t);
      return;
    }
  }
  if (r >= 62 && r < 70) {
    if (auto g = PickGlobal(t, false)) {
      Emit(Op::GlobalGet, *g);
      Push(t);
      return;
    }
  }
  if (depth > 0 && r >= 70 && r < 74 && budget_ > 0 && ctrl_.size() < kMaxNest) {
    const Op kinds[] = {Op::Block, Op::If, Op::Loop};
    OpenFrame(kinds[rng_.Below(3)], {t}, false, depth - 1);
    return;
  }
  if (t == ValType::FuncRef && rng_.Chance(2)) {
    Emit(Op::RefFunc, static_cast<uint32_t>(rng_.Below(initializer_)));
  } else {
    EmitConst(wasm::IsRefType(t) ? Value::Null(t) : Edge(t));
  }
  Push(t);
}

// Takes the top value off the stack: drop, a local or global, or a log import.
void ModuleGen::Consume() {
  const ValType t = stack_.back();
  const uint64_t r = rng_.Below(100);
  Pop();
  if (r < 40 && log_func_[Slot(t)] != ~0u) {
    Emit(Op::Call, log_func_[Slot(t)]);
    return;
  }
  if (r < 70) {
    if (auto l = PickLocal(t, true)) {
      Emit(Op::LocalSet, *l);
      return;
    }
  }
  if (r < 85) {
    if (auto g = PickGlobal(t, true)) {
      Emit(Op::GlobalSet, *g);
      return;
    }
  }
  Emit(Op::Drop);
}

// ---- Frames
// ---------------------------------------------------------------------------------------

// Generates the current frame's instructions until it is time to close it.
void ModuleGen::Steps() {
  for (;;) {
    if (ctrl_.back().unreachable) return;
    if (budget_ <= 0) return;
    if (!ctrl_.back().body && rng_.Chance(7)) return;
    Step();
  }
}

void ModuleGen::Step() {
  const int depth = 1 + static_cast<int>(rng_.Below(3));
  if (Avail() >= kMaxAvail) {
    if (!rng_.Chance(3) && ConsumeByOp(depth)) return;
    Consume();
    return;
  }
  const uint64_t r = rng_.Below(100);
  if (r < 25) {
    if (Avail() > 0 && ConsumeByOp(depth)) return;
  } else if (r < 32) {
    if (Avail() > 0) {
      Consume();
      return;
    }
  } else if (r < 38) {
    if (ctrl_.size() < kMaxNest) return OpenFrame(Op::Block, {}, true, depth);
  } else if (r < 43) {
    if (ctrl_.size() < kMaxNest) return OpenFrame(Op::Loop, {}, true, depth);
  } else if (r < 50) {
    if (ctrl_.size() < kMaxNest) return OpenFrame(Op::If, {}, true, depth);
  } else if (r < 55) {
    if (EmitBranch(Op::BrIf, depth)) return;
  } else if (r < 60) {
    if (EmitCall(false, depth, std::nullopt)) return;
  } else if (r < 62) {
    if (EmitCallIndirect(false, depth, std::nullopt)) return;
  } else if (r < 66) {
    // Log a variable (binaryen's fuzzers log to compare intermediate values).
    const ValType t = RandomType(false);
    if (log_func_[Slot(t)] != ~0u) {
      MakeValue(t, 0);
      Pop();
      Emit(Op::Call, log_func_[Slot(t)]);
      return;
    }
  }
  for (int tries = 0; tries < 4; ++tries) {
    const auto& [op, kind] = rng_.Pick(ops_.all);
    if (EmitOp(op, false, depth, std::nullopt)) return;
  }
  MakeValue(RandomType(), depth);
}

// An instruction taking the stack's top as its first operand.
bool ModuleGen::ConsumeByOp(int depth) {
  const std::vector<Op>& ops = ops_.by_first[Slot(stack_.back())];
  if (ops.empty()) return false;
  return EmitOp(rng_.Pick(ops), false, depth, std::nullopt);
}

uint64_t ModuleGen::BlockTypeFor(const std::vector<ValType>& params,
                                 const std::vector<ValType>& results) {
  if (params.empty() && results.empty() && !rng_.Chance(8)) return BlockEmpty();
  if (params.empty() && results.size() == 1 && !rng_.Chance(4)) return BlockValue(results[0]);
  return BlockTypeIndex(TypeIndex(FuncType{params, results}));
}

// Opens a block, loop or if with `results` (random when empty and allowed params) and
// generates its body. Parameters come from the stack's top (block_params); an if takes a
// condition after them; a loop gets a counter for its back edges.
void ModuleGen::OpenFrame(Op kind, std::vector<ValType> results, bool allow_params, int depth) {
  std::vector<ValType> params;
  if (allow_params) {
    if (block_params_ && Avail() > 0 && rng_.Chance(2)) {
      const size_t k = 1 + rng_.Below(std::min<size_t>(3, Avail()));
      params.assign(stack_.end() - static_cast<std::ptrdiff_t>(k), stack_.end());
    }
    constexpr std::array<uint32_t, 10> kResults = {0, 0, 0, 0, 1, 1, 1, 2, 2, 3};
    const uint32_t nr = PickFrom(rng_, kResults);
    for (uint32_t i = 0; i < nr; ++i) results.push_back(RandomType());
  }
  Ctrl f;
  f.kind = kind;
  if (kind == Op::If) {
    MakeValue(ValType::I32, depth);
    Pop();
  }
  if (kind == Op::Loop) {
    f.counter = static_cast<int32_t>(NewLocal(ValType::I32, true));
    constexpr std::array<uint32_t, 8> kTrips = {0, 1, 1, 2, 2, 3, 4, 7};
    EmitI32(PickFrom(rng_, kTrips));
    Emit(Op::LocalSet, static_cast<uint32_t>(f.counter));
  }
  Emit(kind, 0, 0, BlockTypeFor(params, results));
  f.height = stack_.size() - params.size();
  f.params = std::move(params);
  f.results = std::move(results);
  ctrl_.push_back(std::move(f));
  if (kind == Op::Loop) HangCheck();
  Steps();
  Close();
}

// Ends the current frame: a loop's back edge, the results, an if's else arm, `end`.
void ModuleGen::Close() {
  const size_t i = ctrl_.size() - 1;
  if (ctrl_[i].kind == Op::Loop && !ctrl_[i].unreachable && !rng_.Chance(5)) {
    Ensure(ctrl_[i].params, false, 1);
    CounterCond(static_cast<uint32_t>(ctrl_[i].counter));
    Pop();
    Emit(Op::BrIf, 0);
  }
  if (!ctrl_[i].unreachable) FixStack(ctrl_[i].results);
  if (ctrl_[i].kind == Op::If && (ctrl_[i].params != ctrl_[i].results || !rng_.Chance(3))) {
    Emit(Op::Else);
    stack_.resize(ctrl_[i].height);
    Push(ctrl_[i].params);
    ctrl_[i].unreachable = false;
    ctrl_[i].has_else = true;
    Steps();
    if (!ctrl_[i].unreachable) FixStack(ctrl_[i].results);
  }
  Emit(Op::End);
  const size_t height = ctrl_[i].height;
  const std::vector<ValType> results = ctrl_[i].results;
  ctrl_.pop_back();
  stack_.resize(height);
  Push(results);
}

// Makes the frame's operands exactly `results`: keeps the longest matching prefix, consumes
// the rest, makes the missing ones.
void ModuleGen::FixStack(std::vector<ValType> results) {
  const size_t h = ctrl_.back().height;
  const size_t m = stack_.size() - h;
  size_t j = 0;
  while (j < m && j < results.size() && stack_[h + j] == results[j]) ++j;
  while (stack_.size() > h + j) Consume();
  for (size_t k = j; k < results.size(); ++k) MakeValue(results[k], 1);
}

// After br, br_table, return, unreachable: the rest of the frame is dead; it closes next.
void ModuleGen::SetUnreachable() {
  stack_.resize(ctrl_.back().height);
  ctrl_.back().unreachable = true;
}

const std::vector<ValType>& ModuleGen::LabelTypes(size_t depth) const {
  const Ctrl& f = ctrl_[ctrl_.size() - 1 - depth];
  return f.kind == Op::Loop ? f.params : f.results;
}

// An unconditional transfer: in the function's own frame (and always for a trap) inside an if,
// so the rest of the body stays reachable; a trap's if is false unless the module is risky.
template <class F>
void ModuleGen::Transfer(bool traps, F&& emit) {
  if (ctrl_.size() > 1 && !traps) {
    emit();
    return;
  }
  if (traps && !Risky()) {
    EmitI32(0);
  } else {
    MakeValue(ValType::I32, 1);
    Pop();
  }
  Emit(Op::If, 0, 0, BlockEmpty());
  Ctrl f;
  f.kind = Op::If;
  f.height = stack_.size();
  ctrl_.push_back(std::move(f));
  emit();
  Close();
}

// ---- Instructions
// -----------------------------------------------------------------------------------

bool ModuleGen::EmitOp(Op op, bool fresh, int depth, std::optional<ValType> want) {
  const Kind kind = ops_.kind_of[static_cast<size_t>(op)];
  switch (kind) {
    case Kind::kGeneric:
      return EmitGeneric(op, fresh, depth);
    case Kind::kConst: {
      const ValType t = *wasm::SigValType(wasm::GetOpInfo(op).result);
      EmitConst(Edge(t));
      Push(t);
      return true;
    }
    case Kind::kLoad:
    case Kind::kStore:
    case Kind::kLoadLane:
    case Kind::kStoreLane:
      EmitMemoryAccess(op, kind, fresh, depth);
      return true;
    case Kind::kSpecial:
      return EmitSpecial(op, fresh, depth, want);
  }
  return false;
}

bool ModuleGen::EmitGeneric(Op op, bool fresh, int depth) {
  const OpInfo& info = wasm::GetOpInfo(op);
  const std::vector<ValType> in = Params(info);
  Ensure(in, fresh, depth);
  Pop(in.size());
  Instr ins = MakeInstr(op);
  if (info.imm == ImmKind::LaneIdx) {
    ins.lane = static_cast<uint8_t>(rng_.Below(LaneCount(info.name)));
  } else if (info.imm == ImmKind::Shuffle) {
    uint8_t lanes[16];
    for (uint8_t& l : lanes) l = static_cast<uint8_t>(rng_.Below(32));
    std::memcpy(&ins.c, lanes, 8);
    std::memcpy(&ins.a, lanes + 8, 4);
    std::memcpy(&ins.b, lanes + 12, 4);
  }
  if (IsDivRem(op) && !Risky()) DivGuard(in[1]);
  if (auto r = TruncOf(op); r && !Risky()) TruncGuard(*r);
  Emit(ins);
  if (auto r = wasm::SigValType(info.result)) {
    Push(*r);
    Canon(*r);
    if (auto lanes = FloatLanes(info)) CanonLanes(*lanes);
  }
  return true;
}

// A memarg offset for an access of `size` bytes: mostly small, sometimes past the memory.
uint64_t ModuleGen::Offset(uint32_t size) {
  const uint64_t mem = mem_pages_ * kPage;
  if (Risky()) {
    const std::array<uint64_t, 4> far = {mem - size + 1, mem, 0xffffffffu, 0x80000000u};
    return PickFrom(rng_, far);
  }
  const uint64_t r = rng_.Below(100);
  if (r < 60) return 0;
  if (r < 90) return rng_.Below(33);
  return std::min<uint64_t>(rng_.Below(4096), mem - size);
}

// Pushes the address of an access of `size` bytes at memarg `offset`: in bounds of the initial
// memory (which never shrinks) unless a risky choice aims just past the end or anywhere.
// Reuses an i32 on top of the stack (wrapped into bounds) unless `fresh`.
void ModuleGen::Address(uint32_t size, uint64_t offset, bool fresh, int depth) {
  const uint64_t mem = mem_pages_ * kPage;
  if (offset + size > mem) {  // a far offset: any address traps
    MakeValue(ValType::I32, depth);
    return;
  }
  const uint64_t limit = mem - size - offset;  // the last address in bounds
  if (Risky()) {
    switch (rng_.Below(4)) {
      case 0:
        EmitI32(static_cast<uint32_t>(limit + 1 + rng_.Below(size)));
        break;
      case 1:
        EmitI32(0xffffffffu - static_cast<uint32_t>(rng_.Below(4)));
        break;
      case 2:
        // Just past the current end.
        Emit(Op::MemorySize, 0);
        EmitI32(16);
        Emit(Op::I32Shl);
        EmitI32(static_cast<uint32_t>(size + offset - 1 - rng_.Below(size)));
        Emit(Op::I32Sub);
        break;
      default:
        MakeValue(ValType::I32, depth);
        return;
    }
    Push(ValType::I32);
    return;
  }
  if (!fresh && Top() == ValType::I32 && rng_.Chance(3)) {
    EmitI32(static_cast<uint32_t>(limit + 1));
    Emit(Op::I32RemU);
    return;
  }
  const uint64_t r = rng_.Below(100);
  if (r < 45) {
    uint64_t a = 0;
    switch (rng_.Below(5)) {
      case 0:
        a = std::min<uint64_t>(rng_.Below(64), limit);
        break;
      case 1:
        a = limit - std::min<uint64_t>(rng_.Below(16), limit);
        break;
      case 2:
        a = limit;
        break;
      case 3:
        a = std::min<uint64_t>(rng_.Below(256) & ~uint64_t{size - 1}, limit);
        break;
      default:
        a = rng_.Below(limit + 1);
        break;
    }
    EmitI32(static_cast<uint32_t>(a));
  } else if (r < 65) {
    MakeValue(ValType::I32, depth);
    Pop();
    uint32_t mask = 0xff;
    const uint32_t bits = 4 + static_cast<uint32_t>(rng_.Below(12));
    if ((uint64_t{1} << bits) - 1 <= limit) mask = (1u << bits) - 1;
    if (mask > limit) mask = 0;
    EmitI32(mask);
    Emit(Op::I32And);
  } else if (r < 80) {
    // The last bytes of the memory as it is now (grown or not).
    const uint64_t k = std::min<uint64_t>(rng_.Below(9), limit);
    Emit(Op::MemorySize, 0);
    EmitI32(16);
    Emit(Op::I32Shl);
    EmitI32(static_cast<uint32_t>(size + offset + k));
    Emit(Op::I32Sub);
  } else {
    MakeValue(ValType::I32, depth);
    Pop();
    EmitI32(static_cast<uint32_t>(limit + 1));
    Emit(Op::I32RemU);
  }
  Push(ValType::I32);
}

void ModuleGen::EmitMemoryAccess(Op op, Kind kind, bool fresh, int depth) {
  const OpInfo& info = wasm::GetOpInfo(op);
  const bool lane = kind == Kind::kLoadLane || kind == Kind::kStoreLane;
  const uint32_t size = lane ? wasm::MemLaneSize(info.imm) : wasm::MemAccessSize(info.imm);
  const uint64_t offset = Offset(size);
  Address(size, offset, fresh, depth);
  if (kind != Kind::kLoad) MakeValue(*wasm::SigValType(info.p2), depth);
  Pop(kind == Kind::kLoad ? 1 : 2);
  Instr ins = MakeInstr(op, static_cast<uint32_t>(rng_.Below(Log2(size) + 1)), 0, offset);
  if (lane) ins.lane = static_cast<uint8_t>(rng_.Below(16 / size));
  Emit(ins);
  if (auto r = wasm::SigValType(info.result)) {
    Push(*r);
    Canon(*r);
  }
}

// Pushes an index below `bound` (a table's or region's size): reused from the stack (wrapped)
// or a constant at the edges; past it when risky.
void ModuleGen::Index(uint32_t bound, bool fresh, int depth) {
  if (Risky()) {
    const std::array<uint32_t, 4> past = {bound, bound + 1, 0xffffffffu, 0x80000000u};
    EmitI32(PickFrom(rng_, past));
  } else if (bound == 0) {
    MakeValue(ValType::I32, depth);  // traps, unless the table has grown
    return;
  } else if (!fresh && Top() == ValType::I32 && rng_.Chance(2)) {
    EmitI32(bound);
    Emit(Op::I32RemU);
    return;
  } else {
    const std::array<uint32_t, 4> in = {0, bound - 1, static_cast<uint32_t>(rng_.Below(bound)),
                                        static_cast<uint32_t>(rng_.Below(bound))};
    EmitI32(PickFrom(rng_, in));
  }
  Push(ValType::I32);
}

// A length for a range in a region of `size` units, and a start for it: in bounds (at the
// end half the time), past it when risky.
uint32_t ModuleGen::Length(uint32_t size) {
  if (Risky()) {
    const std::array<uint32_t, 3> c = {size + 1, 0xffffffffu, 0x80000000u};
    return PickFrom(rng_, c);
  }
  const uint64_t r = rng_.Below(10);
  if (r == 0) return 0;
  if (r == 1) return size;
  return static_cast<uint32_t>(rng_.Below(std::min<uint64_t>(size, 64) + 1));
}

uint32_t ModuleGen::Start(uint32_t size, uint32_t n) {
  if (n > size) return 0;
  if (Risky()) return size - n + 1;
  if (rng_.Chance(3)) return size - n;
  return static_cast<uint32_t>(rng_.Below(uint64_t{size} - n + 1));
}

// br_if, br, br_table, return, unreachable.
bool ModuleGen::EmitBranch(Op op, int depth) {
  switch (op) {
    case Op::BrIf: {
      const size_t d = rng_.Below(ctrl_.size());
      const Ctrl& f = ctrl_[ctrl_.size() - 1 - d];
      const int32_t counter = f.kind == Op::Loop ? f.counter : -1;
      const std::vector<ValType> lt = LabelTypes(d);
      Ensure(lt, false, depth);
      if (counter >= 0) {
        CounterCond(static_cast<uint32_t>(counter));
      } else {
        MakeValue(ValType::I32, depth);
      }
      Pop();
      Emit(Op::BrIf, static_cast<uint32_t>(d));
      return true;
    }
    case Op::Br:
      Transfer(false, [&] {
        // A forward label (a loop's only when risky: its counter does not bound a br).
        std::vector<size_t> c;
        for (size_t d = 0; d < ctrl_.size(); ++d)
          if (ctrl_[ctrl_.size() - 1 - d].kind != Op::Loop || Risky()) c.push_back(d);
        const size_t d = rng_.Pick(c);
        Ensure(LabelTypes(d), false, depth);
        Emit(Op::Br, static_cast<uint32_t>(d));
        SetUnreachable();
      });
      return true;
    case Op::BrTable:
      Transfer(false, [&] {
        std::vector<size_t> c;
        for (size_t d = 0; d < ctrl_.size(); ++d)
          if (ctrl_[ctrl_.size() - 1 - d].kind != Op::Loop) c.push_back(d);
        const size_t def = rng_.Pick(c);
        const std::vector<ValType> lt = LabelTypes(def);
        std::vector<uint32_t> same;
        for (size_t d : c)
          if (LabelTypes(d) == lt) same.push_back(static_cast<uint32_t>(d));
        std::vector<uint32_t> labels;
        const uint64_t n = rng_.Below(5);
        for (uint64_t k = 0; k < n; ++k) labels.push_back(rng_.Pick(same));
        Ensure(lt, false, depth);
        if (rng_.Chance(2)) {
          EmitI32(static_cast<uint32_t>(rng_.Below(n + 2)));
        } else {
          MakeValue(ValType::I32, depth);
          Pop();
        }
        code_.BrTable(labels, static_cast<uint32_t>(def));
        --budget_;
        SetUnreachable();
      });
      return true;
    case Op::Return:
      Transfer(false, [&] {
        Ensure(ctrl_[0].results, false, depth);
        Emit(Op::Return);
        SetUnreachable();
      });
      return true;
    case Op::Unreachable:
      Transfer(true, [&] {
        Emit(Op::Unreachable);
        SetUnreachable();
      });
      return true;
    default:
      return false;
  }
}

// A direct call: a log import, or a main function after this one (so that calls form no cycle
// but when risky).
bool ModuleGen::EmitCall(bool fresh, int depth, std::optional<ValType> want) {
  std::vector<uint32_t> c;
  if (!want) {
    for (uint32_t f : log_func_)
      if (f != ~0u) c.push_back(f);
  }
  const bool any = Risky();
  for (uint32_t f = first_main_; f < initializer_; ++f) {
    if (f <= cur_ && !any) continue;
    const FuncType& t = m_.FuncTypeOf(f);
    if (want && (t.results.size() != 1 || t.results[0] != *want)) continue;
    c.push_back(f);
  }
  if (c.empty()) return false;
  const uint32_t f = rng_.Pick(c);
  const FuncType t = m_.FuncTypeOf(f);
  Ensure(t.params, fresh, depth);
  Pop(t.params.size());
  Emit(Op::Call, f);
  Push(t.results);
  return true;
}

// call_indirect through table 0's call region, at a slot holding a function of the right type
// (after this one); any index when risky.
bool ModuleGen::EmitCallIndirect(bool fresh, int depth, std::optional<ValType> want) {
  const TableInfo& table = tables_[0];
  std::vector<uint32_t> c;
  for (uint32_t slot = 0; slot < table.call_region; ++slot) {
    const uint32_t f = table.layout[slot];
    if (f >= first_main_ && f <= cur_) continue;
    const FuncType& t = m_.FuncTypeOf(f);
    if (want && (t.results.size() != 1 || t.results[0] != *want)) continue;
    if (!want && !t.results.empty() && rng_.Chance(2)) continue;
    c.push_back(slot);
  }
  if (c.empty()) return false;
  const uint32_t slot = rng_.Pick(c);
  const FuncType t = m_.FuncTypeOf(table.layout[slot]);
  Ensure(t.params, fresh, depth);
  if (Risky()) {
    MakeValue(ValType::I32, depth);
  } else {
    EmitI32(slot);
    Push(ValType::I32);
  }
  Pop(t.params.size() + 1);
  Emit(Op::CallIndirect, TypeIndex(t), 0);
  Push(t.results);
  return true;
}

std::optional<uint32_t> ModuleGen::PickTable(std::optional<ValType> elem) {
  std::vector<uint32_t> c;
  for (uint32_t i = 0; i < tables_.size(); ++i)
    if (!elem || tables_[i].elem == *elem) c.push_back(i);
  if (c.empty()) return std::nullopt;
  return rng_.Pick(c);
}

// An element segment of `type`: for table.init one that is passive and not droppable (unless
// risky), for elem.drop mostly one that is not used for init.
std::optional<uint32_t> ModuleGen::PickElem(ValType type, bool for_init) {
  std::vector<uint32_t> c;
  const bool any = Risky();
  for (uint32_t i = 0; i < elems_.size(); ++i) {
    const SegInfo& s = elems_[i];
    if (for_init && s.type != type) continue;
    const bool usable = s.mode == wasm::SegmentMode::kPassive && !s.droppable;
    if (any || (for_init ? usable : !usable)) c.push_back(i);
  }
  if (c.empty()) return std::nullopt;
  return rng_.Pick(c);
}

std::optional<uint32_t> ModuleGen::PickData(bool for_init) {
  std::vector<uint32_t> c;
  const bool any = Risky();
  for (uint32_t i = 0; i < datas_.size(); ++i) {
    const SegInfo& s = datas_[i];
    const bool usable = s.mode == wasm::SegmentMode::kPassive && !s.droppable;
    if (any || (for_init ? usable : !usable)) c.push_back(i);
  }
  if (c.empty()) return std::nullopt;
  return rng_.Pick(c);
}

bool ModuleGen::EmitSpecial(Op op, bool fresh, int depth, std::optional<ValType> want) {
  switch (op) {
    case Op::Unreachable:
    case Op::Br:
    case Op::BrIf:
    case Op::BrTable:
    case Op::Return:
      if (want) return false;
      return EmitBranch(op, depth);
    case Op::Call:
      return EmitCall(fresh, depth, want);
    case Op::CallIndirect:
      return EmitCallIndirect(fresh, depth, want);
    case Op::RefNull: {
      const ValType t = want ? *want : rng_.Chance(2) ? ValType::FuncRef : ValType::ExternRef;
      Emit(Op::RefNull, static_cast<uint32_t>(t));
      Push(t);
      return true;
    }
    case Op::RefIsNull: {
      if (fresh || !Top() || !wasm::IsRefType(*Top()))
        MakeValue(rng_.Chance(2) ? ValType::FuncRef : ValType::ExternRef, depth);
      Pop();
      Emit(Op::RefIsNull);
      Push(ValType::I32);
      return true;
    }
    case Op::RefFunc:
      Emit(Op::RefFunc, static_cast<uint32_t>(rng_.Below(initializer_)));
      Push(ValType::FuncRef);
      return true;
    case Op::Drop:
      if (want) return false;
      if (fresh || Avail() == 0) MakeValue(RandomType(), depth);
      Pop();
      Emit(Op::Drop);
      return true;
    case Op::Select:
    case Op::SelectT: {
      ValType t = want ? *want : RandomType(op == Op::SelectT);
      if (!want && !fresh && Top() && (op == Op::SelectT || !wasm::IsRefType(*Top())) &&
          rng_.Chance(2))
        t = *Top();
      if (op == Op::Select && wasm::IsRefType(t)) return false;
      Ensure({t, t, ValType::I32}, fresh, depth);
      Pop(3);
      if (op == Op::Select) {
        Emit(Op::Select);
      } else {
        Emit(Op::SelectT, 1, static_cast<uint32_t>(t));
      }
      Push(t);
      return true;
    }
    case Op::LocalGet: {
      if (local_types_.empty()) return false;
      const ValType t = want ? *want : local_types_[rng_.Below(local_types_.size())];
      auto l = PickLocal(t, false);
      if (!l) return false;
      Emit(Op::LocalGet, *l);
      Push(t);
      return true;
    }
    case Op::LocalSet:
    case Op::LocalTee: {
      if (want && op == Op::LocalSet) return false;
      ValType t = want ? *want : RandomType();
      if (!want && !fresh && Top() && rng_.Chance(2)) t = *Top();
      auto l = PickLocal(t, true);
      if (!l) return false;
      Ensure({t}, fresh, depth);
      Pop();
      Emit(op, *l);
      if (op == Op::LocalTee) Push(t);
      return true;
    }
    case Op::GlobalGet: {
      const ValType t = want ? *want : globals_[rng_.Below(globals_.size())].type;
      auto g = PickGlobal(t, false);
      if (!g) return false;
      Emit(Op::GlobalGet, *g);
      Push(t);
      return true;
    }
    case Op::GlobalSet: {
      if (want) return false;
      ValType t = RandomType();
      if (!fresh && Top() && rng_.Chance(2)) t = *Top();
      auto g = PickGlobal(t, true);
      if (!g) return false;
      Ensure({t}, fresh, depth);
      Pop();
      Emit(Op::GlobalSet, *g);
      return true;
    }
    case Op::TableGet: {
      auto x = PickTable(want);
      if (!x) return false;
      Index(tables_[*x].min, fresh, depth);
      Pop();
      Emit(Op::TableGet, *x);
      Push(tables_[*x].elem);
      return true;
    }
    case Op::TableSet: {
      if (want) return false;
      auto x = PickTable(std::nullopt);
      const TableInfo& t = tables_[*x];
      // Table 0's call region only when risky.
      const uint32_t base = *x == 0 && !Risky() ? t.call_region : 0;
      if (base == 0) {
        Index(t.min, fresh, depth);
      } else {
        EmitI32(base + static_cast<uint32_t>(rng_.Below(t.min - base)));
        Push(ValType::I32);
      }
      MakeValue(t.elem, depth);
      Pop(2);
      Emit(Op::TableSet, *x);
      return true;
    }
    case Op::TableSize: {
      Emit(Op::TableSize, *PickTable(std::nullopt));
      Push(ValType::I32);
      return true;
    }
    case Op::TableGrow: {
      const uint32_t x = *PickTable(std::nullopt);
      MakeValue(tables_[x].elem, depth);
      constexpr std::array<uint32_t, 8> kDeltas = {0, 1, 1, 2, 3, 0xffffffffu, 0x10000, 0x7fffffff};
      EmitI32(PickFrom(rng_, kDeltas));
      Emit(Op::TableGrow, x);
      Pop();
      Push(ValType::I32);
      return true;
    }
    case Op::TableFill:
    case Op::TableCopy:
    case Op::TableInit: {
      if (want) return false;
      const uint32_t x = *PickTable(std::nullopt);
      const TableInfo& t = tables_[x];
      // The destination region: table 0 past its call region (unless risky).
      const uint32_t base = x == 0 && !Risky() ? t.call_region : 0;
      const uint32_t region = t.min - base;
      uint32_t src_size = region;
      uint32_t y = 0;
      if (op == Op::TableCopy) {
        y = *PickTable(t.elem);
        src_size = tables_[y].min;
      } else if (op == Op::TableInit) {
        auto s = PickElem(t.elem, true);
        if (!s) return false;
        y = *s;
        src_size = elems_[y].mode == wasm::SegmentMode::kPassive ? elems_[y].size : 0;
      }
      const uint32_t n = Length(std::min(region, src_size));
      const uint32_t d = base + Start(region, n);
      EmitI32(d);
      if (op == Op::TableFill) {
        MakeValue(t.elem, depth);
        Pop();
      } else {
        EmitI32(Start(src_size, n));
      }
      EmitI32(n);
      if (op == Op::TableFill) Emit(Op::TableFill, x);
      if (op == Op::TableCopy) Emit(Op::TableCopy, x, y);
      if (op == Op::TableInit) Emit(Op::TableInit, y, x);
      return true;
    }
    case Op::ElemDrop: {
      if (want) return false;
      auto s = PickElem(ValType::FuncRef, false);
      if (!s) return false;
      Emit(Op::ElemDrop, *s);
      return true;
    }
    case Op::MemorySize:
      Emit(Op::MemorySize, 0);
      Push(ValType::I32);
      return true;
    case Op::MemoryGrow: {
      if (!fresh && Top() == ValType::I32 && rng_.Chance(4)) {
        // Whatever is on the stack: mostly far too many pages, so -1.
      } else {
        constexpr std::array<uint32_t, 9> kDeltas = {0, 0,           1,       1,         1,
                                                     2, 0xffffffffu, 0x10000, 0x7fffffff};
        EmitI32(PickFrom(rng_, kDeltas));
        Push(ValType::I32);
      }
      Emit(Op::MemoryGrow, 0);
      return true;  // [i32] -> [i32]: the model's top stays
    }
    case Op::MemoryFill:
    case Op::MemoryCopy:
    case Op::MemoryInit: {
      if (want) return false;
      const uint32_t mem = mem_pages_ * static_cast<uint32_t>(kPage);
      uint32_t src_size = mem;
      uint32_t seg = 0;
      if (op == Op::MemoryInit) {
        auto s = PickData(true);
        if (!s) return false;
        seg = *s;
        src_size = datas_[seg].mode == wasm::SegmentMode::kPassive ? datas_[seg].size : 0;
      }
      const uint32_t n = Length(std::min(mem, src_size));
      const uint32_t d = Start(mem, n);
      EmitI32(d);
      if (op == Op::MemoryFill) {
        MakeValue(ValType::I32, depth);
        Pop();
      } else if (op == Op::MemoryCopy && rng_.Chance(3) && n <= mem) {
        // Overlapping ranges, both ways.
        const int64_t near = int64_t{d} + static_cast<int64_t>(rng_.Below(17)) - 8;
        const int64_t s = std::clamp<int64_t>(near, 0, int64_t{mem} - n);
        EmitI32(static_cast<uint32_t>(s));
      } else {
        EmitI32(Start(src_size, n));
      }
      EmitI32(n);
      if (op == Op::MemoryFill) Emit(Op::MemoryFill, 0);
      if (op == Op::MemoryCopy) Emit(Op::MemoryCopy, 0, 0);
      if (op == Op::MemoryInit) Emit(Op::MemoryInit, seg, 0);
      return true;
    }
    case Op::DataDrop: {
      if (want) return false;
      auto s = PickData(false);
      if (!s) return false;
      Emit(Op::DataDrop, *s);
      return true;
    }
    default:
      return false;
  }
}

class SmithGenerator : public Generator {
 public:
  explicit SmithGenerator(const GeneratorOptions& options)
      : options_(options), ops_(MakeOpList(options.simd, options.binaryen)) {}

  std::string_view name() const override { return "smith"; }

  Generated Generate(uint64_t seed, uint64_t index) override {
    Rng rng(seed, "smith", index);
    ModuleGen g(ops_, options_, rng);
    return g.Run();
  }

 private:
  GeneratorOptions options_;
  OpList ops_;
};

}  // namespace

std::unique_ptr<Generator> MakeSmithGenerator(const GeneratorOptions& options) {
  return std::make_unique<SmithGenerator>(options);
}

Generated GenerateSmithFromBytes(const uint8_t* bytes, size_t size, const GeneratorOptions& options) {
  static const OpList kOps[4] = {MakeOpList(false, false), MakeOpList(true, false),
                                 MakeOpList(false, true), MakeOpList(true, true)};
  const OpList& ops = kOps[(options.simd ? 1 : 0) + (options.binaryen ? 2 : 0)];
  Rng rng(bytes, size);
  ModuleGen g(ops, options, rng);
  return g.Run();
}

}  // namespace tandem::diff::gen
