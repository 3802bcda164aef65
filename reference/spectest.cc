// spectest.cc: the `spectest` host module the spec test suite imports from
// (testsuite README / the spec interpreter's host module): print functions, globals, table, memory.
#include "reference/interp.h"

namespace tandem::ref {

using namespace wasm;

std::vector<std::pair<std::string, ExternVal>> AddSpectestModule(Store& store) {
  std::vector<std::pair<std::string, ExternVal>> out;
  auto func = [&](const char* name, std::vector<ValType> params) {
    // The print functions have no observable effect in tandem: output would break determinism.
    uint32_t a = store.AddHostFunc(FuncType{std::move(params), {}},
                                   [](std::span<const Value>) { return Outcome::Values({}); });
    out.push_back({name, {ExternKind::Func, a}});
  };
  func("print", {});
  func("print_i32", {ValType::I32});
  func("print_i64", {ValType::I64});
  func("print_f32", {ValType::F32});
  func("print_f64", {ValType::F64});
  func("print_i32_f32", {ValType::I32, ValType::F32});
  func("print_f64_f64", {ValType::F64, ValType::F64});
  auto global = [&](const char* name, Value v) {
    uint32_t a = store.AddGlobal(GlobalType{v.type, false}, v);
    out.push_back({name, {ExternKind::Global, a}});
  };
  global("global_i32", Value::I32(666));
  global("global_i64", Value::I64(666));
  global("global_f32", Value::F32(666.6f));
  global("global_f64", Value::F64(666.6));
  out.push_back({"table", {ExternKind::Table,
                           store.AddTable(TableType{ValType::FuncRef, Limits{10, 20}})}});
  out.push_back({"memory", {ExternKind::Memory, store.AddMemory(MemoryType{Limits{1, 2}})}});
  return out;
}

}  // namespace tandem::ref
