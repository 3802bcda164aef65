// faults.h: every seeded fault by name (DESIGN.md "Seeded faults"): the code generator's
// (jit/faults.h) and the engine adapter's harness faults, which perturb what one engine reports
// so that the comparator can be shown to fire on every field it compares. `--seed-fault
// NAME[@ENGINE][,...]` on `run`, `spec` and `diff` takes them, and the verifier's bounds-check
// mutants (jit/mutants.h) as well, though KnownFaults() does not list those.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "diff/engine.h"

namespace tandem::diff {

// Harness faults: bits of EngineConfig::harness_faults, applied by the engine adapter
// (diff/store_engine.h) to what it reports, never to what it computes.
enum HarnessFault : uint32_t {
  kPerturbInstantiation = 1u << 0,  // a successful instantiation reported as resource exhausted
  kPerturbResult = 1u << 1,         // bit 0 of a call's first numeric result flipped
  kPerturbTrap = 1u << 2,           // a trap reported with the next trap kind
  kPerturbExhaustion = 1u << 3,     // call stack and fuel exhaustion swapped
  kPerturbMemory = 1u << 4,         // bit 0 of byte 0 of memory 0 flipped in the state view
  kPerturbGlobal = 1u << 5,         // bit 0 of global 0 flipped in the state view
  kPerturbTable = 1u << 6,          // table 0 entry 0 nulled (or its last entry dropped)
  kPerturbSegment = 1u << 7,        // data segment 0 (else elem segment 0) dropped state flipped
  kPerturbLog = 1u << 8,            // bit 0 of the first logged value flipped
  kPerturbArena = 1u << 9,          // a JIT engine flips a bit of a reserved arena header word
  kCrash = 1u << 10,                // the engine dies on SIGSEGV in its first call
  kHang = 1u << 11,                 // the engine never returns from its first call
};

struct FaultInfo {
  std::string name;
  std::string applies_to;  // "a64", "x64", "x64,a64", or "any engine" (harness faults)
  std::string kind;        // "codegen" or "harness"
  std::string what;
  std::string ops;  // codegen faults: the instructions whose code it changes (jit/faults.h)
};

// Every fault, codegen faults first, in a stable order.
std::vector<FaultInfo> KnownFaults();

struct FaultSpec {
  std::string name;
  std::string engine;  // empty: the default target
};

// Parses "NAME[@ENGINE][,NAME[@ENGINE]...]"; NAME is a fault or a bounds mutant (at most one).
// Throws std::invalid_argument naming an unknown fault (with the known ones) or an engine the
// fault cannot apply to.
std::vector<FaultSpec> ParseFaultList(std::string_view list);

// The config engine number `index` of `engines` runs with: `base` plus the faults that apply to
// it. A codegen fault applies to every listed engine of its back end (or the one named); a
// harness fault to the last engine of the list (or the one named), so that it differs from the
// others; a bounds mutant to every listed engine of its back end.
EngineConfig ConfigForEngine(const EngineConfig& base, const std::vector<FaultSpec>& faults,
                             const std::vector<std::string>& engines, size_t index);

// "cond,perturb-result" for the faults set in `config`; "" for none.
std::string FaultNames(const EngineConfig& config);

}  // namespace tandem::diff
