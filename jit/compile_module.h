// compile_module.h: compiles every function of a validated module without a store, for
// `tandem compile` and the compile-speed benchmark (DESIGN.md "Measures that matter").
#pragma once

#include <cstdint>
#include <vector>

#include "jit/arch.h"
#include "jit/compiler.h"
#include "reference/module.h"

namespace tandem::jit {

struct ModuleCompileOptions {
  bool metered = false;
  bool nan_canonical = false;
};

struct ModuleCompileResult {
  uint32_t functions = 0;     // defined functions compiled
  std::vector<uint8_t> code;  // all functions linked into one buffer, as JitStore lays them out
};

// Compiles every defined function of `module` (which must have passed wasm::Validate) through
// CompileFunction, against a placeholder InstanceLayout shaped like the one a fresh store would
// give the module (identity function and type indices, arena offsets of the same magnitude,
// dummy host addresses), then links the functions into one buffer (16-byte alignment, direct
// calls patched). Nothing is made executable; the code must never run. Throws
// UnsupportedFeature as CompileFunction does.
ModuleCompileResult CompileModule(Arch arch, const wasm::Module& module,
                                  const ModuleCompileOptions& options = {});

}  // namespace tandem::jit
