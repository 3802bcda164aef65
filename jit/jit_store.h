// jit_store.h: a JIT engine's store: instantiation into the arena, compiled code and its code
// table, the entry trampoline, invocation (docs/jit.md; DESIGN.md "Invariants").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "jit/arena.h"
#include "jit/compiler.h"
#include "reference/linking.h"
#include "reference/module.h"
#include "reference/outcome.h"

namespace tandem::jit {

struct JitConfig {
  Arch arch = Arch::kX64;
  uint32_t max_call_depth = 10000;
  uint64_t fuel = 0;  // 0 = unlimited
  bool nan_canonical = false;
  uint64_t stack_bytes = uint64_t{1} << 30;  // the JIT stack mapping (reserved, touched lazily)
  bool record_forms = false;  // CompileOptions::record_forms, for the code tests
  uint64_t seed_faults = 0;   // CompileOptions::seed_faults (jit/faults.h)
  uint32_t bounds_mutant = 0;  // CompileOptions::bounds_mutant (jit/mutants.h)
  uint8_t* opcode_coverage = nullptr;  // CompileOptions::opcode_coverage
  uint64_t max_memory_pages = 65536;   // ArenaConfig::max_memory_pages
};

struct JitInstantiateResult {
  std::optional<uint32_t> instance;  // set on success
  wasm::Outcome failure;             // trap/exhaustion in init or start, or unsupported
};

// One compiled function, kept for --print-code and the code tests.
struct CodeInfo {
  uint32_t instance;
  uint32_t func_index;     // module function index
  uint32_t store_index;    // store-wide function index
  uint64_t address;        // where its code starts
  CompiledFunction compiled;  // code bytes as emitted (before linking), notes, side tables
};

class JitStore {
 public:
  // Fails (nullptr, *error) when the arena, stack or code space cannot be reserved.
  static std::unique_ptr<JitStore> Create(const JitConfig& config, std::string* error);
  ~JitStore();
  JitStore(const JitStore&) = delete;
  JitStore& operator=(const JitStore&) = delete;

  // Host objects; extern values of kind Global name an index into the store's global list.
  uint32_t AddHostFunc(const wasm::FuncType& type, wasm::HostFunc fn);
  uint32_t AddTable(const wasm::TableType& type);
  uint32_t AddMemory(const wasm::MemoryType& type);
  uint32_t AddGlobal(const wasm::GlobalType& type, wasm::Value init);

  // Spec 4.5.4. Throws wasm::LinkError for an import that does not match. A function the back
  // end cannot compile makes `failure` kUnsupported.
  JitInstantiateResult Instantiate(std::shared_ptr<const wasm::Module> module,
                                   std::span<const wasm::ExternVal> imports);
  std::optional<wasm::ExternVal> GetExport(uint32_t instance, std::string_view name) const;
  const wasm::Module& ModuleOf(uint32_t instance) const;

  wasm::Outcome Invoke(uint32_t func, std::span<const wasm::Value> args);

  const wasm::FuncType& FuncTypeOf(uint32_t func) const;
  wasm::Value GlobalValue(uint32_t global) const;
  wasm::ExternType TypeOf(const wasm::ExternVal& ev) const;
  wasm::InstanceState State(uint32_t instance) const;
  wasm::FuncIdentity FuncIdentityOf(uint64_t func) const;

  // Store templates (the fuzz loop reuses one store for many cases; not the spec runner, whose
  // scripts build on earlier modules). SaveTemplate remembers the store as it is (typically just
  // after the host modules were added); ResetToTemplate returns it there, keeping its arena
  // reservation, JIT stack, code table and code region: the instances, functions, memories,
  // tables and globals added since are gone, the template's own objects have their contents
  // back, and the arena reads exactly as it did at SaveTemplate. False with *error when no
  // template was saved, the arena cannot be reset (the store is then unusable), or the store
  // should be made anew (its executor wants renewal: Unicorn after 1,000 resets); nothing was
  // changed in that last case.
  void SaveTemplate();
  bool ResetToTemplate(std::string* error = nullptr);

  // What the runtime knows of the host mappings compiled code may reach (outside the arena):
  // the verifier's facts (jit/verify/), never read from the code itself.
  struct HostFacts {
    uint64_t code_table = 0;          // uint64_t[code_table_entries]
    uint64_t code_table_entries = 0;  // == the arena's FuncDesc capacity
    uint64_t runtime_table = 0;       // RuntimeFn[runtime_entries]
    uint64_t runtime_entries = 0;
    uint64_t exit = 0;                // the trampoline's unwind path
    uint64_t stack_base = 0;          // the JIT stack mapping [stack_base, stack_top)
    uint64_t stack_top = 0;
    uint64_t stack_limit = 0;         // what function entries compare rsp/sp with
  };
  HostFacts host_facts() const;
  Arena& arena() { return *arena_; }
  const std::vector<CodeInfo>& code() const { return code_; }
  const JitConfig& config() const { return config_; }

  // Runtime services (jit/runtime.cc) reach the store of the running code through this.
  static JitStore* current();
  struct Impl;

 private:
  explicit JitStore(const JitConfig& config);
  JitConfig config_;
  std::unique_ptr<Arena> arena_;
  std::unique_ptr<Impl> impl_;
  std::vector<CodeInfo> code_;
  friend struct RuntimeAccess;
};

// Instantiates a validated module into `store`, each import satisfied by a fresh object of
// exactly the imported type, added in import order (host functions return zeros). So in a fresh
// store, module memory i is store memory i. Throws what JitStore::Instantiate throws. (The code
// tests and `tandem verify`: the code of any module, whatever it imports.)
JitInstantiateResult InstantiateWithStandIns(JitStore& store, std::shared_ptr<const wasm::Module> module);

}  // namespace tandem::jit
