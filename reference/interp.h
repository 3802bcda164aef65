// interp.h: the reference interpreter (Spec 4, "Execution"), with a spec-shaped store.
// Slow and faithful: every engine is judged against it. Runs on its own frame stack (no host
// recursion), so the call-depth limit, not the host stack, decides exhaustion.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reference/errors.h"
#include "reference/linking.h"
#include "reference/module.h"
#include "reference/outcome.h"

namespace tandem::ref {

using wasm::Value;

// Limits every engine shares (DESIGN.md "Determinism").
struct ExecConfig {
  uint32_t max_call_depth = 10000;  // frames; exceeding it is "call stack exhausted"
  uint64_t fuel = 0;                // 0 = unlimited; one unit per function entry and loop header
  bool nan_canonical = false;       // DESIGN.md "NaN"
  // When set (wasm::kNumOps bytes), byte `op` becomes 1 for every opcode executed: the fuzz
  // loop's coverage. Costs a test per instruction when unset.
  uint8_t* opcode_coverage = nullptr;
  // When set, incremented once per instruction executed (the fuzz loop's work measure).
  uint64_t* instruction_count = nullptr;
  // Pages a memory may have at most (a resource limit; limits.h MemoryPagesLimitMessage).
  uint64_t max_memory_pages = 65536;
};

using wasm::ExternVal;
using wasm::HostFunc;

struct InstantiateResult {
  std::optional<uint32_t> instance;  // set on success
  wasm::Outcome failure;             // trap (or exhaustion) during element/data init or start
};

// Where an invocation ran out of fuel: the function entry or loop header whose unit of fuel
// was missing (`tandem diff --locate` bisects the fuel and asks the reference where it stopped).
struct FuelStop {
  uint32_t instance = 0;
  uint32_t func_index = 0;  // in the module's function space
  uint32_t offset = 0;      // wasm offset of the loop, or of the body's first instruction
  bool loop = false;        // a loop header (else a function entry)
};

class Store {
 public:
  explicit Store(ExecConfig config = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const ExecConfig& config() const { return config_; }
  void set_fuel(uint64_t fuel);  // refills the budget (0 = unlimited)

  // Host objects (Spec 4.5.3 alloc*).
  uint32_t AddHostFunc(wasm::FuncType type, HostFunc fn);
  uint32_t AddTable(wasm::TableType type, uint64_t init_bits = wasm::kNullRef);
  uint32_t AddMemory(wasm::MemoryType type);
  uint32_t AddGlobal(wasm::GlobalType type, Value init);

  // Spec 4.5.4 instantiate. `imports` are in the module's import order. Throws wasm::LinkError
  // ("incompatible import type: ...") when an import does not match. A trap during
  // initialisation is returned in `failure` (Wasm 2.0: earlier writes persist).
  InstantiateResult Instantiate(std::shared_ptr<const wasm::Module> module,
                                std::span<const ExternVal> imports);

  std::optional<ExternVal> GetExport(uint32_t instance, std::string_view name) const;
  const wasm::Module& ModuleOf(uint32_t instance) const;

  // Spec 4.5.5 invoke. Arguments must match the function type (the caller checks).
  wasm::Outcome Invoke(uint32_t func_addr, std::span<const Value> args);
  // Where the last Invoke ran out of fuel; nullopt when it did not.
  std::optional<FuelStop> fuel_stop() const;

  // Inspection (the state view of DESIGN.md "State").
  const wasm::FuncType& FuncTypeOf(uint32_t func_addr) const;
  Value GlobalValue(uint32_t global_addr) const;
  wasm::GlobalType GlobalTypeOf(uint32_t global_addr) const;
  std::span<const uint8_t> MemoryBytes(uint32_t mem_addr) const;
  std::span<const uint64_t> TableElems(uint32_t table_addr) const;
  wasm::TableType TableTypeOf(uint32_t table_addr) const;
  wasm::MemoryType MemoryTypeOf(uint32_t mem_addr) const;
  wasm::InstanceState State(uint32_t instance) const;
  wasm::FuncIdentity FuncIdentityOf(uint64_t func_addr) const;

  // Store templates (the fuzz loop reuses one store for many cases). SaveTemplate remembers the
  // store as it is (typically just after the host modules were added); ResetToTemplate returns
  // it there: the instances and every object added since are gone (their memories' reservations
  // are kept for reuse), the template's own tables, memories and globals have their contents
  // back, and the fuel is refilled. False when no template was saved.
  void SaveTemplate();
  bool ResetToTemplate();

  struct Impl;

 private:
  ExecConfig config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tandem::ref
