// linking.cc: import matching, constant expressions and the spectest module (Spec 4.5).
#include "reference/linking.h"

#include <fmt/format.h>

namespace tandem::wasm {

namespace {

// Spec 4.5.2 "Limits": {n1, m1?} matches {n2, m2?} iff n1 >= n2 and (m2 absent or m1 <= m2).
bool LimitsMatch(const Limits& actual, const Limits& imp) {
  if (actual.min < imp.min) return false;
  if (!imp.max) return true;
  return actual.max && *actual.max <= *imp.max;
}

std::string LimitsText(const Limits& l) {
  return l.max ? fmt::format("{{min {}, max {}}}", l.min, *l.max) : fmt::format("{{min {}}}", l.min);
}

}  // namespace

std::optional<std::string> ImportMismatch(const Module& module, const Import& imp,
                                          const ExternType& actual) {
  if (actual.kind != imp.kind)
    return fmt::format("expected {}, got {}", ExternKindName(imp.kind), ExternKindName(actual.kind));
  switch (imp.kind) {
    case ExternKind::Func: {
      const FuncType& want = module.types[imp.func_type_index];
      if (!(actual.func == want))
        return fmt::format("expected {}, got {}", ToString(want), ToString(actual.func));
      return std::nullopt;
    }
    case ExternKind::Table:
      if (actual.table.elem != imp.table.elem)
        return fmt::format("expected {} table, got {}", ValTypeName(imp.table.elem),
                           ValTypeName(actual.table.elem));
      if (!LimitsMatch(actual.table.limits, imp.table.limits))
        return fmt::format("table limits {} do not match {}", LimitsText(actual.table.limits),
                           LimitsText(imp.table.limits));
      return std::nullopt;
    case ExternKind::Memory:
      if (!LimitsMatch(actual.memory.limits, imp.memory.limits))
        return fmt::format("memory limits {} do not match {}", LimitsText(actual.memory.limits),
                           LimitsText(imp.memory.limits));
      return std::nullopt;
    case ExternKind::Global:
      if (!(actual.global == imp.global))
        return fmt::format("expected {}{}, got {}{}", imp.global.mut ? "mut " : "",
                           ValTypeName(imp.global.type), actual.global.mut ? "mut " : "",
                           ValTypeName(actual.global.type));
      return std::nullopt;
  }
  return "unknown extern kind";
}

Value EvalConstExpr(const ConstExpr& e, ValType type,
                    const std::function<Value(uint32_t)>& global,
                    const std::function<uint64_t(uint32_t)>& func_ref) {
  std::vector<Value> st;
  for (const Instr& in : e.code) {
    switch (in.op) {
      case Op::I32Const: st.push_back(Value::I32(static_cast<uint32_t>(in.c))); break;
      case Op::I64Const: st.push_back(Value::I64(in.c)); break;
      case Op::F32Const: st.push_back(Value::F32Bits(static_cast<uint32_t>(in.c))); break;
      case Op::F64Const: st.push_back(Value::F64Bits(in.c)); break;
      case Op::V128Const: {
        Value v{ValType::V128, 0, 0};
        V128FromInstr(in, &v.bits, &v.hi);
        st.push_back(v);
        break;
      }
      case Op::RefNull: st.push_back(Value::Null(static_cast<ValType>(in.a))); break;
      case Op::RefFunc: st.push_back(Value::Ref(ValType::FuncRef, func_ref(in.a))); break;
      case Op::GlobalGet: st.push_back(global(in.a)); break;
      default:
        throw std::logic_error(fmt::format("{} in a constant expression (validation should have refused it)",
                                           OpName(in.op)));
    }
  }
  if (st.size() != 1) throw std::logic_error("constant expression of wrong arity");
  Value v = st.back();
  v.type = type;
  return v;
}

const std::vector<SpectestExport>& SpectestExports() {
  static const std::vector<SpectestExport> kExports = [] {
    std::vector<SpectestExport> v;
    auto func = [&](const char* name, std::vector<ValType> params) {
      v.push_back({.name = name,
                   .kind = ExternKind::Func,
                   .func = FuncType{.params = std::move(params), .results = {}},
                   .table = {},
                   .memory = {},
                   .global = {},
                   .value = {}});
    };
    func("print", {});
    func("print_i32", {ValType::I32});
    func("print_i64", {ValType::I64});
    func("print_f32", {ValType::F32});
    func("print_f64", {ValType::F64});
    func("print_i32_f32", {ValType::I32, ValType::F32});
    func("print_f64_f64", {ValType::F64, ValType::F64});
    auto global = [&](const char* name, Value value) {
      v.push_back({.name = name,
                   .kind = ExternKind::Global,
                   .func = {},
                   .table = {},
                   .memory = {},
                   .global = GlobalType{.type = value.type, .mut = false},
                   .value = value});
    };
    global("global_i32", Value::I32(666));
    global("global_i64", Value::I64(666));
    global("global_f32", Value::F32(666.6f));
    global("global_f64", Value::F64(666.6));
    v.push_back(
        {.name = "table",
         .kind = ExternKind::Table,
         .func = {},
         .table = TableType{.elem = ValType::FuncRef, .limits = Limits{.min = 10, .max = 20}},
         .memory = {},
         .global = {},
         .value = {}});
    v.push_back({.name = "memory",
                 .kind = ExternKind::Memory,
                 .func = {},
                 .table = {},
                 .memory = MemoryType{.limits = Limits{.min = 1, .max = 2}},
                 .global = {},
                 .value = {}});
    return v;
  }();
  return kExports;
}

}  // namespace tandem::wasm
