// ref_engine.h: the Engine adapter for the reference interpreter (DESIGN.md "Engines": ref).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "diff/engine.h"
#include "reference/interp.h"

namespace tandem::diff {

class RefEngine final : public Engine {
 public:
  explicit RefEngine(const EngineConfig& config);
  std::string_view name() const override { return "ref"; }
  InstantiateOutcome Instantiate(std::shared_ptr<const wasm::Module> module) override;
  void Register(std::string_view module_name, uint32_t instance) override;
  wasm::Outcome Invoke(uint32_t instance, std::string_view export_name,
                       std::span<const wasm::Value> args) override;
  wasm::Outcome Get(uint32_t instance, std::string_view export_name) override;

  ref::Store& store() { return store_; }

 private:
  ref::Store store_;
  // Registered module names -> their exports (the spectest module is registered at start).
  std::map<std::string, std::map<std::string, ref::ExternVal>, std::less<>> registry_;
};

}  // namespace tandem::diff
