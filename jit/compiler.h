// compiler.h: the single-pass compiler's contract (docs/jit.md): what the store tells it about
// an instance's place in the arena, and what it returns. Shared by every back end.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "jit/arch.h"
#include "reference/module.h"
#include "reference/trap.h"

namespace tandem::jit {

// Where an instance's objects sit, as arena offsets and store-wide indices. Everything the
// generated code touches is named here; code embeds these values as immediates.
struct InstanceLayout {
  // Store-wide function index (position in the store's FuncDesc array and in the code table)
  // of every function in the module's function space (imports first).
  std::vector<uint32_t> func_index;
  // Store-canonical type id of every module type index.
  std::vector<uint32_t> type_id;
  std::vector<uint32_t> global_offset;       // GlobalSlot offset for every global
  std::vector<uint32_t> memory_desc_offset;  // MemoryDesc offset for every memory
  std::vector<uint64_t> memory_data_offset;  // its data's offset (fixed forever)
  std::vector<uint32_t> table_desc_offset;   // TableDesc offset for every table
  std::vector<uint32_t> elem_index;          // store-wide element segment index, per segment
  std::vector<uint32_t> data_index;          // store-wide data segment index, per segment
  uint32_t func_desc_offset = 0;             // offset of FuncDesc[0] (store-wide array)
  // Header fields (offsets from the arena base).
  uint32_t trap_kind_offset = 0;
  uint32_t call_depth_offset = 0;
  uint32_t max_call_depth_offset = 0;
  uint32_t fuel_offset = 0;
};

struct CompileOptions {
  bool metered = false;        // emit fuel checks at function entry and loop headers
  bool nan_canonical = false;  // DESIGN.md "NaN"
  // Host addresses outside the arena that code may embed (docs/jit.md).
  uint64_t code_table_address = 0;     // uint64_t[store function index] -> entry address
  uint64_t runtime_table_address = 0;  // RuntimeFn[RuntimeCall]
  uint64_t exit_address = 0;           // the trampoline's unwind path (trap/exhaustion)
  uint64_t stack_limit = 0;            // lowest usable JIT stack address
  // Fill CompiledFunction::forms (the code tests' check against the hex table). Off by
  // default: recording costs about a tenth of compile time.
  bool record_forms = false;
  uint64_t seed_faults = 0;  // jit/faults.h: wrong code on purpose (self-tests only)
  uint32_t bounds_mutant = 0;  // jit/mutants.h: an unsound bounds check (verifier self-tests)
  // When set (wasm::kNumOps bytes), byte `op` becomes 1 for every opcode compiled (reached
  // code only): the fuzz loop's coverage.
  uint8_t* opcode_coverage = nullptr;
};

// The 8-byte units each parameter and result of a function of type `t` takes in the call area
// (docs/jit.md "Frames and the wasm calling convention"): 2 when the signature holds a v128 (every
// value of it then takes 16 bytes, a v128's low half first), else 1.
inline uint32_t ArgUnits(const wasm::FuncType& t) {
  for (wasm::ValType v : t.params)
    if (v == wasm::ValType::V128) return 2;
  for (wasm::ValType v : t.results)
    if (v == wasm::ValType::V128) return 2;
  return 1;
}

// One linear-memory access, recorded by jit/bounds.* as it is emitted (the verifier's hint).
struct BoundsRecord {
  uint32_t code_offset;   // offset of the access instruction in CompiledFunction::code
  uint32_t wasm_offset;   // byte offset of the wasm instruction in the module
  uint8_t size;           // bytes accessed
  uint8_t memory;         // memory index in the module
  bool is_store;
};

// Annotations for --print-code and the code tests.
struct CodeNote {
  enum Kind : uint8_t {
    kWasmInstr,    // start of the code for the wasm instruction at `wasm_offset`
    kBoundsCheck,  // a bounds check
    kTrapStub,     // a trap stub for `trap`
    kRuntimeCall,  // a call through the runtime-call table (`detail` names the service)
    kCall,         // a call to a compiled function (`detail`: store function index)
  };
  Kind kind;
  uint32_t code_offset;
  uint32_t wasm_offset = 0;
  wasm::TrapKind trap = wasm::TrapKind::Unreachable;
  std::string detail;
};

struct CompiledFunction {
  uint32_t func_index = 0;  // in the module's function space
  std::vector<uint8_t> code;
  // Places in `code` that hold a rel32 to another function of the same instance:
  // (offset of the rel32 field, module function index of the callee).
  std::vector<std::pair<uint32_t, uint32_t>> local_calls;
  std::vector<BoundsRecord> bounds;
  std::vector<CodeNote> notes;
  std::vector<std::string> forms;  // instruction forms emitted, when options.record_forms
};

// Compiles one defined function (func_index >= module.num_imported_funcs) of a validated
// module. Throws UnsupportedFeature for anything the back end cannot compile (with --strict
// that is a failure; otherwise the engine reports the case as unsupported).
CompiledFunction CompileFunction(Arch arch, const wasm::Module& module, uint32_t func_index,
                                 const InstanceLayout& layout, const CompileOptions& options);

struct UnsupportedFeature : std::runtime_error {
  explicit UnsupportedFeature(const std::string& m) : std::runtime_error(m) {}
};

}  // namespace tandem::jit
