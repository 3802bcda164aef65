// ref_engine.h: the Engine adapter for the reference interpreter (DESIGN.md "Engines": ref).
#pragma once

#include "diff/store_engine.h"
#include "reference/interp.h"

namespace tandem::diff {

class RefEngine final : public StoreEngine<ref::Store> {
 public:
  explicit RefEngine(const EngineConfig& config);
  std::string_view name() const override { return "ref"; }
  // The store itself (`tandem diff --locate` asks it where fuel ran out).
  const ref::Store& ref_store() const { return store_; }

 protected:
  ref::Store& store() override { return store_; }

 private:
  ref::Store store_;
};

}  // namespace tandem::diff
