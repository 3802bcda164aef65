// ref_engine.cc: the reference interpreter behind the Engine interface.
#include "diff/ref_engine.h"

namespace tandem::diff {

namespace {
ref::ExecConfig ToExec(const EngineConfig& c) {
  ref::ExecConfig e;
  e.max_call_depth = c.max_call_depth;
  e.fuel = c.fuel;
  e.nan_canonical = c.nan_canonical;
  e.opcode_coverage = c.opcode_coverage;
  e.instruction_count = c.instruction_count;
  e.max_memory_pages = c.max_memory_pages;
  return e;
}
}  // namespace

RefEngine::RefEngine(const EngineConfig& config) : store_(ToExec(config)) {
  SetHarnessFaults(config.harness_faults);
  AddSpectest();
  SaveTemplate();
}

}  // namespace tandem::diff
