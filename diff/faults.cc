// faults.cc: the registry of seeded faults (faults.h).
#include "diff/faults.h"

#include <stdexcept>

#include "jit/faults.h"
#include "jit/mutants.h"

namespace tandem::diff {
namespace {

struct HarnessFaultInfo {
  const char* name;
  uint32_t bit;
  const char* what;
};

constexpr HarnessFaultInfo kHarnessFaults[] = {
    {"perturb-instantiation", kPerturbInstantiation,
     "a successful instantiation is reported as resource exhausted"},
    {"perturb-result", kPerturbResult, "bit 0 of a call's first numeric result is flipped"},
    {"perturb-trap", kPerturbTrap, "a trap is reported with the next trap kind"},
    {"perturb-exhaustion", kPerturbExhaustion, "call-stack and fuel exhaustion are swapped"},
    {"perturb-memory", kPerturbMemory, "bit 0 of byte 0 of memory 0 is flipped in the state view"},
    {"perturb-global", kPerturbGlobal, "bit 0 of global 0 is flipped in the state view"},
    {"perturb-table", kPerturbTable,
     "table 0 entry 0 reads null in the state view (its last entry is dropped if already null)"},
    {"perturb-segment", kPerturbSegment,
     "data segment 0 (else elem segment 0) reads as dropped if live and live if dropped"},
    {"perturb-log", kPerturbLog, "bit 0 of the first value a host import logged is flipped"},
    {"perturb-arena", kPerturbArena,
     "JIT engines only: a reserved arena header word is changed after every call"},
    {"crash", kCrash, "the engine dies on SIGSEGV in its first call (crash reporting)"},
    {"hang", kHang, "the engine never returns from its first call (timeout reporting)"},
};

bool IsJit(std::string_view engine) { return engine == "x64" || engine == "a64"; }

bool BackEndListed(std::string_view back_ends, std::string_view engine) {
  size_t pos = 0;
  while (pos <= back_ends.size()) {
    size_t comma = back_ends.find(',', pos);
    if (comma == std::string_view::npos) comma = back_ends.size();
    if (back_ends.substr(pos, comma - pos) == engine) return true;
    pos = comma + 1;
  }
  return false;
}

}  // namespace

std::vector<FaultInfo> KnownFaults() {
  std::vector<FaultInfo> out;
  for (const jit::CodegenFaultInfo& f : jit::CodegenFaults())
    out.push_back({f.name, f.back_ends, "codegen", f.what, f.ops});
  for (const HarnessFaultInfo& f : kHarnessFaults)
    out.push_back({f.name, f.bit == kPerturbArena ? "x64,a64" : "any engine", "harness", f.what, ""});
  return out;
}

std::vector<FaultSpec> ParseFaultList(std::string_view list) {
  std::vector<FaultSpec> out;
  const std::vector<FaultInfo> known = KnownFaults();
  int mutants = 0;
  size_t pos = 0;
  while (pos < list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) continue;
    FaultSpec spec;
    size_t at = item.find('@');
    spec.name = std::string(item.substr(0, at));
    if (at != std::string_view::npos) spec.engine = std::string(item.substr(at + 1));
    if (const jit::BoundsMutantInfo* m = jit::FindBoundsMutant(spec.name)) {
      // One mutant at a time: each stands for one unsound check, shown on its own input.
      if (++mutants > 1)
        throw std::invalid_argument("more than one bounds mutant given (one at a time)");
      if (!spec.engine.empty() && spec.engine != m->back_end)
        throw std::invalid_argument("mutant \"" + spec.name + "\" applies to " + m->back_end +
                                    ", not to " + spec.engine);
      out.push_back(std::move(spec));
      continue;
    }
    const FaultInfo* info = nullptr;
    for (const FaultInfo& f : known)
      if (f.name == spec.name) info = &f;
    if (!info) {
      std::string names;
      for (const FaultInfo& f : known) names += (names.empty() ? "" : ", ") + f.name;
      throw std::invalid_argument("unknown fault \"" + spec.name + "\" (known: " + names +
                                  "; and the bounds mutants of tandem verify --list-mutants)");
    }
    if (!spec.engine.empty() && info->applies_to != "any engine" &&
        !BackEndListed(info->applies_to, spec.engine))
      throw std::invalid_argument("fault \"" + spec.name + "\" applies to " + info->applies_to +
                                  ", not to " + spec.engine);
    out.push_back(std::move(spec));
  }
  return out;
}

EngineConfig ConfigForEngine(const EngineConfig& base, const std::vector<FaultSpec>& faults,
                             const std::vector<std::string>& engines, size_t index) {
  EngineConfig c = base;
  const std::string& engine = engines.at(index);
  for (const FaultSpec& f : faults) {
    if (const jit::BoundsMutantInfo* m = jit::FindBoundsMutant(f.name)) {
      if (engine == m->back_end) c.bounds_mutant = m->id;
      continue;
    }
    for (const jit::CodegenFaultInfo& cf : jit::CodegenFaults()) {
      if (f.name != cf.name) continue;
      bool target = f.engine.empty() ? BackEndListed(cf.back_ends, engine) : f.engine == engine;
      if (target) c.codegen_faults |= cf.bit;
    }
    for (const HarnessFaultInfo& hf : kHarnessFaults) {
      if (f.name != hf.name) continue;
      bool target = f.engine.empty() ? index + 1 == engines.size() : f.engine == engine;
      if (hf.bit == kPerturbArena && !IsJit(engine)) target = false;
      if (target) c.harness_faults |= hf.bit;
    }
  }
  return c;
}

std::string FaultNames(const EngineConfig& config) {
  std::string s = jit::CodegenFaultNames(config.codegen_faults);
  if (const jit::BoundsMutantInfo* m = jit::BoundsMutantById(config.bounds_mutant))
    s += (s.empty() ? "" : ",") + std::string(m->name);
  for (const HarnessFaultInfo& f : kHarnessFaults) {
    if (!(config.harness_faults & f.bit)) continue;
    if (!s.empty()) s += ',';
    s += f.name;
  }
  return s;
}

}  // namespace tandem::diff
