// linking.h: what every store shares for instantiation (Spec 4.5.2 import matching, 4.5.4
// instantiate, Spec 4.4.10 constant expressions), so the reference and the JIT stores agree.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "reference/module.h"
#include "reference/outcome.h"
#include "reference/value.h"

namespace tandem::wasm {

// Spec 4.2.12: an external value, the address of a store object of the given kind.
struct ExternVal {
  ExternKind kind;
  uint32_t addr;
};

// The current type of an external value (Spec 4.5.2 "external typing"): tables and memories
// report their current size as the minimum.
struct ExternType {
  ExternKind kind = ExternKind::Func;
  FuncType func;
  TableType table;
  MemoryType memory;
  GlobalType global;
};

// Spec 4.5.2 import subtyping. Returns std::nullopt when `actual` matches the import `imp` of
// `module`, else the reason (the caller prefixes "incompatible import type").
std::optional<std::string> ImportMismatch(const Module& module, const Import& imp,
                                          const ExternType& actual);

// Spec 4.4.10 / 3.3.10: evaluates a validated constant expression. `global` reads the value of
// a global by module global index; `func_ref` gives the reference bits of a module function.
Value EvalConstExpr(const ConstExpr& e, ValType type,
                    const std::function<Value(uint32_t global_index)>& global,
                    const std::function<uint64_t(uint32_t func_index)>& func_ref);

// The state of one instance in a store-independent form (DESIGN.md "State"): what every engine
// exposes so that stores can be compared. Spans point into the store and stay valid until the
// store runs code again. References are store bits: see FuncIdentity.
struct InstanceState {
  std::vector<std::span<const uint8_t>> memories;  // module memory index order, imports first
  std::vector<Value> globals;                      // module global index order
  std::vector<std::span<const uint64_t>> tables;   // module table index order
  std::vector<ValType> table_types;
  std::vector<bool> data_dropped;
  std::vector<bool> elem_dropped;
  // An engine that sees an instance from outside only (V8, through its JS API) knows its
  // exported memories and globals and nothing else: then `exported_only` is set, the vectors
  // above keep the module's sizes, `memory_known` and `global_known` say which entries hold
  // values, and tables and segments are not known at all.
  bool exported_only = false;
  std::vector<bool> memory_known, global_known;
};

// Who a function reference names, independently of the store: (instance, function index in its
// module). Host functions have instance kHostInstance and their creation order as index.
constexpr uint32_t kHostInstance = 0xffffffffu;
// The instance of a function reference is not known (V8 names a function by its index only).
constexpr uint32_t kUnknownInstance = 0xfffffffeu;
struct FuncIdentity {
  uint32_t instance;
  uint32_t func_index;
  bool operator==(const FuncIdentity&) const = default;
};

// A host function (the spectest module, later fuzz imports). Returns the outcome of the call.
using HostFunc = std::function<Outcome(std::span<const Value> args)>;

// The `spectest` host module the spec test suite imports from: its exports, described so each
// store can allocate them (print functions do nothing: output would break determinism).
struct SpectestExport {
  std::string name;
  ExternKind kind;
  FuncType func;      // kind == Func
  TableType table;    // kind == Table
  MemoryType memory;  // kind == Memory
  GlobalType global;  // kind == Global
  Value value;        // kind == Global
};
const std::vector<SpectestExport>& SpectestExports();

}  // namespace tandem::wasm
