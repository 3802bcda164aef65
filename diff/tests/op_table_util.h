// op_table_util.h: what the operator-table tests share (numerics_engines_test.cc and
// simd_engines_test.cc): an operator by its text name, a signature slot's type name, and the
// engines of this host the tables run on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "diff/engine.h"
#include "reference/opcodes.h"

namespace tandem::diff::optable {

inline const wasm::OpInfo* FindOp(std::string_view name) {
  for (int k = 0; k < wasm::kNumOps; ++k) {
    const wasm::OpInfo& info = wasm::GetOpInfo(static_cast<wasm::Op>(k));
    if (info.name && name == info.name) return &info;
  }
  return nullptr;
}

// The text format's name of a value-type slot; nullptr for none and the rest.
inline const char* TypeName(wasm::SigType t) {
  switch (t) {
    case wasm::SigType::I32: return "i32";
    case wasm::SigType::I64: return "i64";
    case wasm::SigType::F32: return "f32";
    case wasm::SigType::F64: return "f64";
    case wasm::SigType::V128: return "v128";
    default: return nullptr;
  }
}

// ref, x64 and a64, those this host runs.
inline std::vector<std::string> TableEngines() {
  std::vector<std::string> engines;
  for (const std::string& e : HostEngineNames())
    if (e == "ref" || e == "x64" || e == "a64") engines.push_back(e);
  return engines;
}

}  // namespace tandem::diff::optable
