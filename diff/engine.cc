// engine.cc: the registry of engines by name (DESIGN.md "Engines").
#include "diff/engine.h"

#include "diff/jit_engine.h"
#include "diff/ref_engine.h"
#include "diff/v8_engine.h"

namespace tandem::diff {

std::vector<std::string> EngineNames() { return {"ref", "x64", "a64"}; }

std::vector<std::string> HostEngineNames() {
#if defined(__x86_64__)
  return {"ref", "x64", "a64"};
#else
  return {"ref", "a64"};
#endif
}

const char* InstantiateStatusName(InstantiateOutcome::Status s) {
  using S = InstantiateOutcome::Status;
  switch (s) {
    case S::kOk: return "instantiated";
    case S::kUnlinkable: return "unlinkable";
    case S::kUninstantiable: return "uninstantiable";
    case S::kUnsupported: return "unsupported";
    case S::kResourceExhausted: return "resource exhausted";
    case S::kInternalError: return "internal error";
  }
  return "?";
}

std::unique_ptr<Engine> MakeEngine(std::string_view name, const EngineConfig& config) {
  if (name == "ref") return std::make_unique<RefEngine>(config);
  if (name == "x64") return std::make_unique<JitEngine>(jit::Arch::kX64, config);
  if (name == "a64") return std::make_unique<JitEngine>(jit::Arch::kA64, config);
  if (name == "v8-liftoff") return std::make_unique<V8Engine>("liftoff", config);
  if (name == "v8-turbofan") return std::make_unique<V8Engine>("turbofan", config);
  return nullptr;
}

}  // namespace tandem::diff
