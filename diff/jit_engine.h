// jit_engine.h: the Engine adapter for the JIT back ends (DESIGN.md "Engines": x64, later a64).
#pragma once

#include <memory>

#include "diff/store_engine.h"
#include "jit/jit_store.h"

namespace tandem::diff {

class JitEngine final : public StoreEngine<jit::JitStore> {
 public:
  // Throws std::runtime_error when the store cannot be created (reservation refused ...).
  JitEngine(jit::Arch arch, const EngineConfig& config);
  std::string_view name() const override { return arch_ == jit::Arch::kX64 ? "x64" : "a64"; }
  InstantiateOutcome Instantiate(std::shared_ptr<const wasm::Module> module) override;
  jit::JitStore& jit_store() { return *store_; }

 protected:
  jit::JitStore& store() override { return *store_; }
  void PerturbArena() override;

 private:
  jit::Arch arch_;
  bool strict_;
  std::unique_ptr<jit::JitStore> store_;
};

}  // namespace tandem::diff
