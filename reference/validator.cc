// validator.cc: module validation, Spec 3 ("Validation") for Wasm 2.0, SIMD included.
// Function bodies follow the Spec Appendix "Validation Algorithm" (operand and control stacks).
#include "reference/validator.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "reference/limits.h"

namespace tandem::wasm {
namespace {

// An operand type on the validation stack: a ValType byte, or kUnknown (Appendix: Unknown).
using VT = uint8_t;
constexpr VT kUnknown = 0;

struct TypeList {
  const ValType* data = nullptr;
  uint32_t size = 0;
  ValType operator[](uint32_t i) const { return data[i]; }
  bool operator==(const TypeList& o) const {
    return size == o.size && std::equal(data, data + size, o.data);
  }
};

TypeList ListOf(const std::vector<ValType>& v) {
  return {v.data(), static_cast<uint32_t>(v.size())};
}

TypeList Single(ValType t) {
  static constexpr ValType kAll[] = {ValType::I32,      ValType::I64,  ValType::F32,
                                     ValType::F64,      ValType::V128, ValType::FuncRef,
                                     ValType::ExternRef};
  for (const ValType& v : kAll)
    if (v == t) return {&v, 1};
  throw InvalidError(fmt::format("malformed value type: 0x{:02x}", static_cast<int>(t)));
}

std::string TypeName(VT t) {
  return t == kUnknown ? "unknown" : ValTypeName(static_cast<ValType>(t));
}

std::string ListName(TypeList l) {
  std::string s = "[";
  for (uint32_t i = 0; i < l.size; ++i) {
    if (i) s += ' ';
    s += ValTypeName(l[i]);
  }
  return s + "]";
}

bool IsNumVT(VT t) { return t == kUnknown || IsNumType(static_cast<ValType>(t)); }
bool IsVecVT(VT t) { return t == kUnknown || static_cast<ValType>(t) == ValType::V128; }
bool IsRefVT(VT t) { return t == kUnknown || IsRefType(static_cast<ValType>(t)); }

VT FromSig(SigType s) {
  std::optional<ValType> t = SigValType(s);
  return t ? static_cast<VT>(*t) : kUnknown;
}

[[noreturn]] void Fail(const std::string& message) { throw InvalidError(message); }

// Number of lanes of a vector instruction's shape, read from its mnemonic ("i16x8.…" -> 8).
uint32_t LaneCount(Op op) {
  std::string_view name = OpName(op);
  size_t x = name.find('x');
  uint32_t n = 0;
  for (size_t i = x + 1; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i)
    n = n * 10 + static_cast<uint32_t>(name[i] - '0');
  return n;
}

// Module-level context C (Spec 3.1.1) plus the declared references C.refs.
struct Context {
  const Module& m;
  std::vector<bool> refs;  // C.refs, indexed by function index

  explicit Context(const Module& mod) : m(mod) {}
  uint32_t NumFuncs() const { return static_cast<uint32_t>(m.func_types.size()); }
  uint32_t NumDatas() const {
    return m.data_count ? *m.data_count : static_cast<uint32_t>(m.datas.size());
  }
};

// Spec 3.2.1 (limits), 3.2.4 (table types), 3.2.5 (memory types).
void CheckTableType(const TableType& t, const std::string& where) {
  constexpr uint64_t kMax = 0xffffffffull;
  if (t.limits.min > kMax || (t.limits.max && *t.limits.max > kMax))
    Fail(fmt::format("table size must be at most 2^32-1: {}", where));
  if (t.limits.max && t.limits.min > *t.limits.max)
    Fail(fmt::format("size minimum must not be greater than maximum: {} (min {} > max {})", where,
                     t.limits.min, *t.limits.max));
}

void CheckMemoryType(const MemoryType& t, const std::string& where) {
  if (t.limits.min > kMaxMemoryPages || (t.limits.max && *t.limits.max > kMaxMemoryPages))
    Fail(fmt::format("memory size must be at most 65536 pages (4GiB): {}", where));
  if (t.limits.max && t.limits.min > *t.limits.max)
    Fail(fmt::format("size minimum must not be greater than maximum: {} (min {} > max {})", where,
                     t.limits.min, *t.limits.max));
}

// Spec 3.3.10 (constant expressions), under C' whose globals are the imported ones only
// (Spec 3.4.10). The expression must produce exactly one value of type `expected`.
void CheckConstExpr(const Context& c, const ConstExpr& e, ValType expected,
                    const std::string& where) {
  const Module& m = c.m;
  std::vector<VT> stack;
  for (const Instr& in : e.code) {
    switch (in.op) {
      case Op::I32Const:
        stack.push_back(static_cast<VT>(ValType::I32));
        break;
      case Op::I64Const:
        stack.push_back(static_cast<VT>(ValType::I64));
        break;
      case Op::F32Const:
        stack.push_back(static_cast<VT>(ValType::F32));
        break;
      case Op::F64Const:
        stack.push_back(static_cast<VT>(ValType::F64));
        break;
      case Op::V128Const:
        stack.push_back(static_cast<VT>(ValType::V128));
        break;
      case Op::RefNull:
        if (!IsValTypeByte(static_cast<uint8_t>(in.a)) || !IsRefType(static_cast<ValType>(in.a)))
          Fail(fmt::format("malformed reference type: {} at offset 0x{:x}", where, in.offset));
        stack.push_back(static_cast<VT>(in.a));
        break;
      case Op::RefFunc:
        if (in.a >= c.NumFuncs())
          Fail(fmt::format("unknown function {}: {} at offset 0x{:x}", in.a, where, in.offset));
        stack.push_back(static_cast<VT>(ValType::FuncRef));
        break;
      case Op::GlobalGet:
        if (in.a >= m.num_imported_globals || in.a >= m.globals.size())
          Fail(
              fmt::format("unknown global {}: {} at offset 0x{:x} (only the {} imported globals "
                          "are visible in constant expressions)",
                          in.a, where, in.offset, m.num_imported_globals));
        if (m.globals[in.a].type.mut)
          Fail(
              fmt::format("constant expression required: {} at offset 0x{:x} (global.get {} of a "
                          "mutable global)",
                          where, in.offset, in.a));
        stack.push_back(static_cast<VT>(m.globals[in.a].type.type));
        break;
      default:
        Fail(fmt::format("constant expression required: {} at offset 0x{:x} ({})", where, in.offset,
                         OpName(in.op)));
    }
  }
  if (stack.size() != 1 || stack[0] != static_cast<VT>(expected)) {
    std::string got = "[";
    for (size_t i = 0; i < stack.size(); ++i) {
      if (i) got += ' ';
      got += TypeName(stack[i]);
    }
    Fail(fmt::format("type mismatch: {}: expected [{}], got {}]", where, ValTypeName(expected),
                     got));
  }
}

// Validation of one function body (Spec 3.3, 3.4.1) by the Appendix algorithm.
class FuncValidator {
 public:
  explicit FuncValidator(const Context& c) : c_(c), m_(c.m) {}

  void Run(uint32_t func_index, const FunctionBody& body);

 private:
  struct Ctrl {
    Op op;
    TypeList start, end;
    uint32_t height;
    bool unreachable;
  };

  [[noreturn]] void Error(std::string_view head, std::string_view detail = {}) const {
    std::string msg = fmt::format("{}: in function {} at offset 0x{:x} ({})", head, func_index_,
                                  cur_ ? cur_->offset : 0, cur_ ? OpName(cur_->op) : "end");
    if (!detail.empty()) msg += fmt::format(": {}", detail);
    Fail(msg);
  }

  // Appendix: push_val / pop_val / pop_vals / push_vals.
  void Push(VT t) { vals_.push_back(t); }
  void Push(ValType t) { vals_.push_back(static_cast<VT>(t)); }
  VT Pop() {
    const Ctrl& top = ctrls_.back();
    if (vals_.size() == top.height) {
      if (top.unreachable) return kUnknown;
      Error("type mismatch", "operand stack underflow (expected a value, got nothing)");
    }
    VT t = vals_.back();
    vals_.pop_back();
    return t;
  }
  VT Pop(VT expect) {
    const Ctrl& top = ctrls_.back();
    if (vals_.size() == top.height) {
      if (top.unreachable) return kUnknown;
      Error("type mismatch", fmt::format("expected {}, got nothing", TypeName(expect)));
    }
    VT actual = vals_.back();
    if (actual != expect && actual != kUnknown && expect != kUnknown)
      Error("type mismatch",
            fmt::format("expected {}, got {}", TypeName(expect), TypeName(actual)));
    vals_.pop_back();
    return actual;
  }
  VT Pop(ValType expect) { return Pop(static_cast<VT>(expect)); }
  void PopVals(TypeList l) {
    for (uint32_t i = l.size; i-- > 0;) Pop(l[i]);
  }
  void PushVals(TypeList l) {
    for (uint32_t i = 0; i < l.size; ++i) Push(l[i]);
  }

  // Appendix: push_ctrl / pop_ctrl / label_types / unreachable.
  void PushCtrl(Op op, TypeList in, TypeList out) {
    ctrls_.push_back({op, in, out, static_cast<uint32_t>(vals_.size()), false});
    PushVals(in);
  }
  Ctrl PopCtrl() {
    if (ctrls_.empty()) Error("type mismatch", "no enclosing block");
    PopVals(ctrls_.back().end);
    if (vals_.size() != ctrls_.back().height)
      Error("type mismatch",
            fmt::format("{} value(s) left on the stack at the end of the block "
                        "(expected {})",
                        vals_.size() - ctrls_.back().height, ListName(ctrls_.back().end)));
    Ctrl f = ctrls_.back();
    ctrls_.pop_back();
    return f;
  }
  static TypeList LabelTypes(const Ctrl& f) { return f.op == Op::Loop ? f.start : f.end; }
  void Unreachable() {
    vals_.resize(ctrls_.back().height);
    ctrls_.back().unreachable = true;
  }
  const Ctrl& Label(uint32_t depth) {
    if (depth >= ctrls_.size())
      Error(fmt::format("unknown label {}", depth),
            fmt::format("{} enclosing labels", ctrls_.size()));
    return ctrls_[ctrls_.size() - 1 - depth];
  }

  // Spec 3.2.2 (block types): [t1*] -> [t2*].
  void BlockSig(const Instr& in, TypeList* params, TypeList* results) {
    BlockType bt = BlockType::FromImm(in.c);
    switch (bt.kind) {
      case BlockType::kEmpty:
        *params = {};
        *results = {};
        return;
      case BlockType::kValue:
        *params = {};
        *results = Single(bt.value);
        return;
      case BlockType::kIndex:
        if (bt.index >= m_.types.size()) Error(fmt::format("unknown type {}", bt.index));
        *params = ListOf(m_.types[bt.index].params);
        *results = ListOf(m_.types[bt.index].results);
        return;
    }
  }

  ValType LocalType(uint32_t index) {
    if (index >= num_locals_)
      Error(fmt::format("unknown local {}", index), fmt::format("{} locals", num_locals_));
    auto it = std::upper_bound(local_ends_.begin(), local_ends_.end(), index);
    return local_types_[it - local_ends_.begin()];
  }

  const TableType& Table(uint32_t index) {
    if (index >= m_.tables.size()) Error(fmt::format("unknown table {}", index));
    return m_.tables[index];
  }
  void Memory(uint32_t index) {
    if (index >= m_.memories.size()) Error(fmt::format("unknown memory {}", index));
  }
  const ElemSegment& Elem(uint32_t index) {
    if (index >= m_.elems.size()) Error(fmt::format("unknown elem segment {}", index));
    return m_.elems[index];
  }
  void Data(uint32_t index) {
    if (index >= c_.NumDatas()) Error(fmt::format("unknown data segment {}", index));
  }

  void CheckImmediates(const Instr& in, ImmKind imm);
  void Step(const Instr& in, const FunctionBody& body);

  const Context& c_;
  const Module& m_;
  uint32_t func_index_ = 0;
  const Instr* cur_ = nullptr;
  TypeList return_;
  uint64_t num_locals_ = 0;
  std::vector<uint64_t> local_ends_;  // run i of local types covers [end[i-1], end[i])
  std::vector<ValType> local_types_;
  std::vector<VT> vals_;
  std::vector<Ctrl> ctrls_;
};

// Index immediates of the table-driven operators (and of the special ones that share a kind).
void FuncValidator::CheckImmediates(const Instr& in, ImmKind imm) {
  switch (imm) {
    case ImmKind::Mem1:
    case ImmKind::Mem2:
    case ImmKind::Mem4:
    case ImmKind::Mem8:
    case ImmKind::Mem16: {
      // Spec 3.3.7 (t.load / t.store memarg, v128.load / v128.store, v128.loadNxM_sx,
      // v128.loadN_splat, v128.loadN_zero): memory 0 exists, 2^align <= access size.
      Memory(in.b);
      uint32_t size = MemAccessSize(imm);
      if (in.a >= 32 || (uint64_t{1} << in.a) > size)
        Error("alignment must not be larger than natural",
              fmt::format("2^{} > {} bytes", in.a, size));
      break;
    }
    case ImmKind::MemLane1:
    case ImmKind::MemLane2:
    case ImmKind::MemLane4:
    case ImmKind::MemLane8: {
      // Spec 3.3.7 (v128.loadN_lane / v128.storeN_lane memarg laneidx): 2^align <= N/8 and
      // laneidx < 128/N.
      Memory(in.b);
      uint32_t size = MemLaneSize(imm);
      if (in.a >= 32 || (uint64_t{1} << in.a) > size)
        Error("alignment must not be larger than natural",
              fmt::format("2^{} > {} bytes", in.a, size));
      if (in.lane >= 16 / size)
        Error("invalid lane index", fmt::format("lane {} of {}", in.lane, 16 / size));
      break;
    }
    case ImmKind::LaneIdx: {  // Spec 3.3.3 (shape.extract_lane / replace_lane laneidx)
      uint32_t lanes = LaneCount(in.op);
      if (in.lane >= lanes)
        Error("invalid lane index", fmt::format("lane {} of {}", in.lane, lanes));
      break;
    }
    case ImmKind::Shuffle: {  // Spec 3.3.3 (i8x16.shuffle laneidx^16): every laneidx < 32
      uint64_t lo, hi;
      V128FromInstr(in, &lo, &hi);
      for (int i = 0; i < 16; ++i) {
        uint32_t l = static_cast<uint32_t>(((i < 8 ? lo : hi) >> (8 * (i % 8))) & 0xff);
        if (l >= 32) Error("invalid lane index", fmt::format("shuffle lane {} is {}", i, l));
      }
      break;
    }
    case ImmKind::MemIdx:
      Memory(in.a);
      break;
    case ImmKind::MemoryInit:  // Spec 3.3.7 (memory.init x)
      Memory(in.b);
      Data(in.a);
      break;
    case ImmKind::DataIdx:
      Data(in.a);
      break;  // Spec 3.3.7 (data.drop x)
    case ImmKind::MemoryCopy:
      Memory(in.a);
      Memory(in.b);
      break;
    case ImmKind::TableIdx:
      Table(in.a);
      break;
    case ImmKind::ElemIdx:
      Elem(in.a);
      break;                    // Spec 3.3.6 (elem.drop x)
    case ImmKind::TableInit: {  // Spec 3.3.6 (table.init x y): C.elems[y] = C.tables[x].t
      const TableType& t = Table(in.b);
      const ElemSegment& e = Elem(in.a);
      if (e.type != t.elem)
        Error("type mismatch", fmt::format("elem segment {} is {}, table {} is {}", in.a,
                                           ValTypeName(e.type), in.b, ValTypeName(t.elem)));
      break;
    }
    case ImmKind::TableCopy: {  // Spec 3.3.6 (table.copy x y): same reference type
      const TableType& d = Table(in.a);
      const TableType& s = Table(in.b);
      if (d.elem != s.elem)
        Error("type mismatch", fmt::format("table {} is {}, table {} is {}", in.a,
                                           ValTypeName(d.elem), in.b, ValTypeName(s.elem)));
      break;
    }
    default:
      break;
  }
}

void FuncValidator::Step(const Instr& in, const FunctionBody& body) {
  const OpInfo& info = GetOpInfo(in.op);
  CheckImmediates(in, info.imm);
  if (info.result != SigType::Special) {
    // Table-driven operators: [P1 P2 P3] -> [R] (opcodes.def).
    if (info.p3 != SigType::None) Pop(FromSig(info.p3));
    if (info.p2 != SigType::None) Pop(FromSig(info.p2));
    if (info.p1 != SigType::None) Pop(FromSig(info.p1));
    if (info.result != SigType::None) Push(FromSig(info.result));
    return;
  }
  switch (in.op) {
    // Spec 3.3.8 (unreachable): [t1*] -> [t2*], stack-polymorphic.
    case Op::Unreachable:
      Unreachable();
      break;

    // Spec 3.3.8 (block bt) and (loop bt): [t1*] -> [t2*].
    case Op::Block:
    case Op::Loop: {
      TypeList p, r;
      BlockSig(in, &p, &r);
      PopVals(p);
      PushCtrl(in.op, p, r);
      break;
    }

    // Spec 3.3.8 (if bt): [t1* i32] -> [t2*].
    case Op::If: {
      TypeList p, r;
      BlockSig(in, &p, &r);
      Pop(ValType::I32);
      PopVals(p);
      PushCtrl(Op::If, p, r);
      break;
    }

    // Spec 3.3.8 (if bt instr1* else instr2*): the then-arm ends with [t2*].
    case Op::Else: {
      if (ctrls_.empty() || ctrls_.back().op != Op::If) Error("else without matching if");
      Ctrl f = PopCtrl();
      PushCtrl(Op::Else, f.start, f.end);
      break;
    }

    // Spec 3.3.8: a block ends with [t2*]; an `if` without else needs [t1*] = [t2*].
    case Op::End: {
      Ctrl f = PopCtrl();
      if (f.op == Op::If && !(f.start == f.end))
        Error("type mismatch", fmt::format("if without else must have matching param and result "
                                           "types, got {} -> {}",
                                           ListName(f.start), ListName(f.end)));
      PushVals(f.end);
      break;
    }

    // Spec 3.3.8 (br l): [t1* t*] -> [t2*], stack-polymorphic.
    case Op::Br: {
      PopVals(LabelTypes(Label(in.a)));
      Unreachable();
      break;
    }

    // Spec 3.3.8 (br_if l): [t* i32] -> [t*].
    case Op::BrIf: {
      TypeList l = LabelTypes(Label(in.a));
      Pop(ValType::I32);
      PopVals(l);
      PushVals(l);
      break;
    }

    // Spec 3.3.8 (br_table l* lN): [t1* t* i32] -> [t2*]; every label has the same arity and
    // accepts the operands.
    case Op::BrTable: {
      const auto& pool = body.br_table_pool;
      if (uint64_t{in.a} + in.b >= pool.size()) Error("malformed br_table immediate");
      Pop(ValType::I32);
      uint32_t default_depth = pool[in.a + in.b];
      uint32_t arity = LabelTypes(Label(default_depth)).size;
      for (uint32_t i = 0; i < in.b; ++i) {
        TypeList l = LabelTypes(Label(pool[in.a + i]));
        if (l.size != arity)
          Error("type mismatch", fmt::format("br_table target {} has arity {}, default has {}",
                                             pool[in.a + i], l.size, arity));
        // push_vals(pop_vals(l)) without copying: check the top `arity` operands in place.
        const Ctrl& top = ctrls_.back();
        size_t avail = vals_.size() - top.height;
        for (uint32_t k = 0; k < arity; ++k) {
          ValType expect = l[arity - 1 - k];
          if (k >= avail) {
            if (top.unreachable) break;
            Error("type mismatch", fmt::format("expected {}, got nothing", ValTypeName(expect)));
          }
          VT actual = vals_[vals_.size() - 1 - k];
          if (actual != kUnknown && actual != static_cast<VT>(expect))
            Error("type mismatch",
                  fmt::format("expected {}, got {}", ValTypeName(expect), TypeName(actual)));
        }
      }
      PopVals(LabelTypes(Label(default_depth)));
      Unreachable();
      break;
    }

    // Spec 3.3.8 (return): [t1* t*] -> [t2*], stack-polymorphic.
    case Op::Return:
      PopVals(return_);
      Unreachable();
      break;

    // Spec 3.3.8 (call x): C.funcs[x] = [t1*] -> [t2*].
    case Op::Call: {
      if (in.a >= c_.NumFuncs()) Error(fmt::format("unknown function {}", in.a));
      const FuncType& ft = m_.FuncTypeOf(in.a);
      PopVals(ListOf(ft.params));
      PushVals(ListOf(ft.results));
      break;
    }

    // Spec 3.3.8 (call_indirect x y): C.tables[x] = limits funcref, C.types[y] = [t1*] -> [t2*].
    case Op::CallIndirect: {
      const TableType& t = Table(in.b);
      if (t.elem != ValType::FuncRef)
        Error("type mismatch",
              fmt::format("call_indirect on table {} of {}", in.b, ValTypeName(t.elem)));
      if (in.a >= m_.types.size()) Error(fmt::format("unknown type {}", in.a));
      const FuncType& ft = m_.types[in.a];
      Pop(ValType::I32);
      PopVals(ListOf(ft.params));
      PushVals(ListOf(ft.results));
      break;
    }

    // Spec 3.3.2 (ref.null t): [] -> [t].
    case Op::RefNull:
      if (!IsValTypeByte(static_cast<uint8_t>(in.a)) || !IsRefType(static_cast<ValType>(in.a)))
        Error("malformed reference type");
      Push(static_cast<VT>(in.a));
      break;

    // Spec 3.3.2 (ref.is_null): [t] -> [i32], t a reference type.
    case Op::RefIsNull: {
      VT t = Pop();
      if (!IsRefVT(t))
        Error("type mismatch", fmt::format("expected a reference, got {}", TypeName(t)));
      Push(ValType::I32);
      break;
    }

    // Spec 3.3.2 (ref.func x): C.funcs[x] defined and x in C.refs; [] -> [funcref].
    case Op::RefFunc:
      if (in.a >= c_.NumFuncs()) Error(fmt::format("unknown function {}", in.a));
      if (!c_.refs[in.a])
        Error("undeclared function reference",
              fmt::format("function {} is not referenced by an element segment, export or "
                          "global initializer",
                          in.a));
      Push(ValType::FuncRef);
      break;

    // Spec 3.3.4 (drop): [t] -> [].
    case Op::Drop:
      Pop();
      break;

    // Spec 3.3.4 (select): [t t i32] -> [t], t numeric (or vector).
    case Op::Select: {
      Pop(ValType::I32);
      VT t1 = Pop();
      VT t2 = Pop();
      if (!((IsNumVT(t1) && IsNumVT(t2)) || (IsVecVT(t1) && IsVecVT(t2))))
        Error("type mismatch", fmt::format("select without type needs numeric operands, got {} "
                                           "and {}",
                                           TypeName(t2), TypeName(t1)));
      if (t1 != t2 && t1 != kUnknown && t2 != kUnknown)
        Error("type mismatch",
              fmt::format("select operands differ: {} and {}", TypeName(t2), TypeName(t1)));
      Push(t1 == kUnknown ? t2 : t1);
      break;
    }

    // Spec 3.3.4 (select (result t)): [t t i32] -> [t], exactly one type.
    case Op::SelectT: {
      if (in.a != 1) Error("invalid result arity", fmt::format("select has {} result types", in.a));
      if (!IsValTypeByte(static_cast<uint8_t>(in.b))) Error("malformed value type");
      VT t = static_cast<VT>(in.b);
      Pop(ValType::I32);
      Pop(t);
      Pop(t);
      Push(t);
      break;
    }

    // Spec 3.3.5 (local.get x): [] -> [t].
    case Op::LocalGet:
      Push(LocalType(in.a));
      break;

    // Spec 3.3.5 (local.set x): [t] -> [].
    case Op::LocalSet:
      Pop(LocalType(in.a));
      break;

    // Spec 3.3.5 (local.tee x): [t] -> [t].
    case Op::LocalTee: {
      ValType t = LocalType(in.a);
      Pop(t);
      Push(t);
      break;
    }

    // Spec 3.3.5 (global.get x): [] -> [t].
    case Op::GlobalGet:
      if (in.a >= m_.globals.size()) Error(fmt::format("unknown global {}", in.a));
      Push(m_.globals[in.a].type.type);
      break;

    // Spec 3.3.5 (global.set x): C.globals[x] = var t; [t] -> [].
    case Op::GlobalSet:
      if (in.a >= m_.globals.size()) Error(fmt::format("unknown global {}", in.a));
      if (!m_.globals[in.a].type.mut) Error("global is immutable", fmt::format("global {}", in.a));
      Pop(m_.globals[in.a].type.type);
      break;

    // Spec 3.3.6 (table.get x): [i32] -> [t].
    case Op::TableGet: {
      ValType t = m_.tables[in.a].elem;
      Pop(ValType::I32);
      Push(t);
      break;
    }

    // Spec 3.3.6 (table.set x): [i32 t] -> [].
    case Op::TableSet:
      Pop(m_.tables[in.a].elem);
      Pop(ValType::I32);
      break;

    // Spec 3.3.6 (table.grow x): [t i32] -> [i32].
    case Op::TableGrow:
      Pop(ValType::I32);
      Pop(m_.tables[in.a].elem);
      Push(ValType::I32);
      break;

    // Spec 3.3.6 (table.fill x): [i32 t i32] -> [].
    case Op::TableFill:
      Pop(ValType::I32);
      Pop(m_.tables[in.a].elem);
      Pop(ValType::I32);
      break;

    default:
      Error("unhandled special opcode (validator bug)");
  }
}

void FuncValidator::Run(uint32_t func_index, const FunctionBody& body) {
  func_index_ = func_index;
  cur_ = nullptr;
  const FuncType& ft = m_.FuncTypeOf(func_index);
  return_ = ListOf(ft.results);

  // Spec 3.4.1: C.locals = params ++ declared locals, kept as runs for O(log) lookup.
  local_ends_.clear();
  local_types_.clear();
  uint64_t n = 0;
  for (ValType p : ft.params) {
    local_ends_.push_back(++n);
    local_types_.push_back(p);
  }
  for (const LocalDecl& d : body.locals) {
    if (d.count == 0) continue;
    n += d.count;
    local_ends_.push_back(n);
    local_types_.push_back(d.type);
  }
  num_locals_ = n;

  vals_.clear();
  ctrls_.clear();
  PushCtrl(Op::Block, {}, return_);
  for (const Instr& in : body.code) {
    cur_ = &in;
    if (ctrls_.empty()) Error("malformed function body", "instructions after the final end");
    Step(in, body);
  }
  if (!ctrls_.empty()) {
    cur_ = nullptr;
    Error("malformed function body", "missing end");
  }
}

}  // namespace

void Validate(const Module& m) {
  Context c(m);
  const uint32_t num_types = static_cast<uint32_t>(m.types.size());
  const uint32_t num_funcs = c.NumFuncs();

  // Spec 3.4.10: imports (Spec 3.4.9) and the type of every function.
  for (size_t i = 0; i < m.imports.size(); ++i) {
    const Import& im = m.imports[i];
    std::string where = fmt::format("import {} \"{}\" \"{}\"", i, im.module, im.name);
    switch (im.kind) {
      case ExternKind::Func:
        if (im.func_type_index >= num_types)
          Fail(fmt::format("unknown type {}: {}", im.func_type_index, where));
        break;
      case ExternKind::Table:
        CheckTableType(im.table, where);
        break;
      case ExternKind::Memory:
        CheckMemoryType(im.memory, where);
        break;
      case ExternKind::Global:
        break;
    }
  }
  for (uint32_t i = 0; i < num_funcs; ++i)
    if (m.func_types[i] >= num_types)
      Fail(fmt::format("unknown type {}: function {}", m.func_types[i], i));
  if (m.code.size() + m.num_imported_funcs != num_funcs)
    Fail(fmt::format("function and code section have inconsistent lengths: {} functions, {} bodies",
                     num_funcs - m.num_imported_funcs, m.code.size()));

  // Spec 3.4.2 (tables), 3.4.3 (memories): imported ones are part of these lists.
  for (size_t i = m.num_imported_tables; i < m.tables.size(); ++i)
    CheckTableType(m.tables[i], fmt::format("table {}", i));
  for (size_t i = m.num_imported_memories; i < m.memories.size(); ++i)
    CheckMemoryType(m.memories[i], fmt::format("memory {}", i));
  if (m.memories.size() > 1)  // Spec 3.4.10: at most one memory
    Fail(fmt::format("multiple memories: {} memories", m.memories.size()));

  // Spec 3.4.4 (globals), under C'.
  for (size_t i = m.num_imported_globals; i < m.globals.size(); ++i)
    CheckConstExpr(c, m.globals[i].init, m.globals[i].type.type,
                   fmt::format("initializer of global {}", i));

  // Spec 3.4.5 (element segments), under C'.
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ElemSegment& e = m.elems[i];
    if (e.mode == SegmentMode::kActive) {
      if (e.table >= m.tables.size())
        Fail(fmt::format("unknown table {}: elem segment {}", e.table, i));
      if (m.tables[e.table].elem != e.type)
        Fail(fmt::format("type mismatch: elem segment {} is {}, table {} is {}", i,
                         ValTypeName(e.type), e.table, ValTypeName(m.tables[e.table].elem)));
      CheckConstExpr(c, e.offset, ValType::I32, fmt::format("offset of elem segment {}", i));
    }
    for (size_t j = 0; j < e.init.size(); ++j)
      CheckConstExpr(c, e.init[j], e.type, fmt::format("element {} of elem segment {}", j, i));
  }

  // Spec 3.4.6 (data segments), under C'.
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const DataSegment& d = m.datas[i];
    if (d.mode != SegmentMode::kActive) continue;
    if (d.memory >= m.memories.size())
      Fail(fmt::format("unknown memory {}: data segment {}", d.memory, i));
    CheckConstExpr(c, d.offset, ValType::I32, fmt::format("offset of data segment {}", i));
  }

  // Spec 3.4.7 (start function): [] -> [].
  if (m.start) {
    if (*m.start >= num_funcs) Fail(fmt::format("unknown function {}: start", *m.start));
    const FuncType& ft = m.FuncTypeOf(*m.start);
    if (!ft.params.empty() || !ft.results.empty())
      Fail(fmt::format("start function: function {} has type {}, expected [] -> []", *m.start,
                       ToString(ft)));
  }

  // Spec 3.4.8 (exports); Spec 3.4.10: export names are distinct.
  std::unordered_set<std::string_view> names;
  names.reserve(m.exports.size());
  for (size_t i = 0; i < m.exports.size(); ++i) {
    const Export& ex = m.exports[i];
    size_t limit = 0;
    switch (ex.kind) {
      case ExternKind::Func:
        limit = num_funcs;
        break;
      case ExternKind::Table:
        limit = m.tables.size();
        break;
      case ExternKind::Memory:
        limit = m.memories.size();
        break;
      case ExternKind::Global:
        limit = m.globals.size();
        break;
    }
    if (ex.index >= limit)
      Fail(fmt::format("unknown {} {}: export \"{}\"",
                       ex.kind == ExternKind::Func ? "function" : ExternKindName(ex.kind), ex.index,
                       ex.name));
    if (!names.insert(ex.name).second) Fail(fmt::format("duplicate export name: \"{}\"", ex.name));
  }

  // Spec 3.4.10: C.refs = function indices in the module outside function bodies and start.
  c.refs.assign(num_funcs, false);
  auto note_refs = [&](const ConstExpr& e) {
    for (const Instr& in : e.code)
      if (in.op == Op::RefFunc && in.a < num_funcs) c.refs[in.a] = true;
  };
  for (size_t i = m.num_imported_globals; i < m.globals.size(); ++i) note_refs(m.globals[i].init);
  for (const ElemSegment& e : m.elems) {
    note_refs(e.offset);
    for (const ConstExpr& x : e.init) note_refs(x);
  }
  for (const DataSegment& d : m.datas) note_refs(d.offset);
  for (const Export& ex : m.exports)
    if (ex.kind == ExternKind::Func) c.refs[ex.index] = true;

  // Spec 3.4.1 (functions).
  FuncValidator fv(c);
  for (size_t i = 0; i < m.code.size(); ++i)
    fv.Run(m.num_imported_funcs + static_cast<uint32_t>(i), m.code[i]);

  // Implementation limits that need a valid module to be checked (limits.h): a table's initial
  // size is what every engine allocates, so it is bounded; its declared maximum is not.
  for (size_t i = m.num_imported_tables; i < m.tables.size(); ++i)
    if (m.tables[i].limits.min > kMaxTableEntries)
      throw LimitError(fmt::format("table too large: table {} has initial size {} (limit {})", i,
                                   m.tables[i].limits.min, kMaxTableEntries));
}

}  // namespace tandem::wasm
