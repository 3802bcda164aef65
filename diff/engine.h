// engine.h: the Engine interface every engine adapter implements (DESIGN.md "Engines";
// STYLE.md 11). The spec runner, the harness and the fuzzer talk to engines only through it.
// Each engine owns its own store; modules come decoded and validated, shared read-only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reference/linking.h"
#include "reference/module.h"
#include "reference/outcome.h"

namespace tandem::diff {

// Limits every engine shares (DESIGN.md "Determinism").
struct EngineConfig {
  uint32_t max_call_depth = 10000;
  uint64_t fuel = 0;  // 0 = unlimited
  bool nan_canonical = false;
  bool strict = false;  // anything the engine cannot run is a failure, never a skip
  // Seeded faults (DESIGN.md "Seeded faults"; diff/faults.h): bits of jit::SeedFault for the
  // code generator (a back end ignores those of other back ends) and of HarnessFault for the
  // engine adapter (the comparator's self-test). Both 0 in every normal run.
  uint64_t codegen_faults = 0;
  uint32_t harness_faults = 0;
  // A bounds-check mutant (jit/mutants.h) for the JIT engine of its back end; 0 = none.
  uint32_t bounds_mutant = 0;
  // Opcode coverage (the fuzz loop): when set, wasm::kNumOps bytes where the engine marks each
  // opcode it executes (ref) or compiles (JIT engines) with 1. Owned by the caller.
  uint8_t* opcode_coverage = nullptr;
  // When set, the reference engine adds one per instruction it executes (the JIT engines do
  // not count). Owned by the caller.
  uint64_t* instruction_count = nullptr;
  // A resource limit on every memory's size in pages (default: the 4 GiB of Wasm 2.0). The fuzz
  // loop lowers it: comparing many GiB of memory after every call would be most of its time.
  uint64_t max_memory_pages = 65536;

  bool operator==(const EngineConfig&) const = default;
};

// One entry logged by a `fuzzing-support` host import (log-i32 ... log-v128): the import's
// name and its argument's exact bits.
struct LogEntry {
  std::string import;
  wasm::Value value;
};

// The name of the host module of fuzzing imports (binaryen's fuzz-exec protocol).
inline constexpr std::string_view kFuzzingSupport = "fuzzing-support";

struct InstantiateOutcome {
  enum class Status : uint8_t {
    kOk,
    kUnlinkable,      // unknown import or incompatible import type (message says which)
    kUninstantiable,  // a trap (or exhaustion) in element/data init or the start function
    kUnsupported,     // the engine cannot run this module
    kResourceExhausted,  // the store cannot provide a table or memory (limits.h store budgets)
    kInternalError,
  };
  Status status = Status::kOk;
  uint32_t instance = 0;     // kOk
  std::string message;       // spec text + detail for every status but kOk and kUninstantiable
  wasm::Outcome failure;     // kUninstantiable: the trap or exhaustion
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string_view name() const = 0;

  // Instantiates a validated module. Imports resolve against `spectest` and the names given to
  // Register(); an unresolved one is kUnlinkable with "unknown import: \"mod\" \"name\"".
  virtual InstantiateOutcome Instantiate(std::shared_ptr<const wasm::Module> module) = 0;
  // Makes an instance's exports importable under `module_name` (wast `register`).
  virtual void Register(std::string_view module_name, uint32_t instance) = 0;
  // Invokes an exported function. An unknown export is an internal error of the caller's input.
  virtual wasm::Outcome Invoke(uint32_t instance, std::string_view export_name,
                               std::span<const wasm::Value> args) = 0;
  // Reads an exported global (wast `get`): one value on success.
  virtual wasm::Outcome Get(uint32_t instance, std::string_view export_name) = 0;

  // The canonical state of an instance (DESIGN.md "State"); valid until the engine runs again.
  virtual wasm::InstanceState State(uint32_t instance) = 0;
  // Names a function reference (a funcref value's bits) independently of the store.
  virtual wasm::FuncIdentity FuncIdentityOf(uint64_t ref_bits) = 0;
  // The entries logged by host imports since the last call of TakeLog, in order; clears them.
  virtual std::vector<LogEntry> TakeLog() = 0;

  // An engine with a front end of its own (V8) decodes and validates `bytes` itself: whether it
  // accepts the module, and its message when not. nullopt for the engines that share tandem's
  // decoder and validator.
  struct FrontEndVerdict {
    bool accepted = false;
    std::string message;
  };
  virtual std::optional<FrontEndVerdict> Check(std::span<const uint8_t> bytes) { return std::nullopt; }

  // Returns the engine to the state it had when it was created (its store's template: the
  // spectest module and nothing else), keeping its allocations: what runs next behaves exactly
  // as on a new engine. False when the engine cannot (the caller creates a new one instead).
  virtual bool Reset() { return false; }
};

// "instantiated", "unlinkable", "uninstantiable", "unsupported", "resource exhausted",
// "internal error".
const char* InstantiateStatusName(InstantiateOutcome::Status s);

// Known engine names, in a stable order ("ref" first).
std::vector<std::string> EngineNames();
// The engines this host can run: x86-64 code runs on x86-64 hosts only (DESIGN.md "Engines").
std::vector<std::string> HostEngineNames();
// Creates an engine by name; nullptr for an unknown name.
std::unique_ptr<Engine> MakeEngine(std::string_view name, const EngineConfig& config);

}  // namespace tandem::diff
