// jit_engine.cc: the JIT store behind the Engine interface; --strict turns "cannot compile"
// into a failure instead of a skipped case (STYLE.md 12).
#include "diff/jit_engine.h"

#include <stdexcept>

namespace tandem::diff {

JitEngine::JitEngine(jit::Arch arch, const EngineConfig& config)
    : arch_(arch), strict_(config.strict) {
  jit::JitConfig jc;
  jc.arch = arch;
  jc.max_call_depth = config.max_call_depth;
  jc.fuel = config.fuel;
  jc.nan_canonical = config.nan_canonical;
  jc.seed_faults = config.codegen_faults;
  jc.bounds_mutant = config.bounds_mutant;
  jc.opcode_coverage = config.opcode_coverage;
  jc.max_memory_pages = config.max_memory_pages;
  SetHarnessFaults(config.harness_faults);
  std::string error;
  store_ = jit::JitStore::Create(jc, &error);
  if (!store_) throw std::runtime_error("cannot create the " + std::string(name()) + " store: " + error);
  AddSpectest();
  SaveTemplate();
}

InstantiateOutcome JitEngine::Instantiate(std::shared_ptr<const wasm::Module> module) {
  InstantiateOutcome out = StoreEngine::Instantiate(std::move(module));
  if (strict_ && out.status == InstantiateOutcome::Status::kUnsupported) {
    out.status = InstantiateOutcome::Status::kInternalError;
    out.message = "strict: the " + std::string(name()) + " back end cannot compile this: " +
                  out.message;
  }
  return out;
}

void JitEngine::PerturbArena() {
  // A word no code reads or writes: the comparison of arenas alone can notice the change.
  store_->arena().header().reserved0 ^= 1;
}

}  // namespace tandem::diff
