// verify.h: the verifier (DESIGN.md "Verifier"; docs/verifier.md): every instruction the JIT
// emits that touches memory is proved, with Z3 bit-vectors, to address a region it may touch.
//
// For each function: the code is disassembled with Capstone (with operand details), the
// control-flow graph is recovered from its direct branches, and every memory operand (loads,
// stores, read-modify-write, compares with memory, `call [mem]`, and the stack slots push, pop,
// call and ret use) is lifted. For each one, the straight-line code that leads to it on every
// path (the chain of blocks back to the nearest join; its conditional branches become premises)
// is executed symbolically, and Z3 must show that the address lies inside one region:
//   - a linear memory: [data, data + current size - access size], the size as loaded from the
//     arena by the code (bounded by the memory's reservation: axiom "memory size");
//   - an arena VM structure: a constant offset from the arena register inside the VM region;
//   - a table's entries, the function descriptors, the code table, the runtime-call table;
//   - the function's own frame on the JIT stack; the function's own constant pool.
// Premises come from the code and from the runtime's facts (StoreFacts); the JIT's side table
// of bounds records is never read. Whatever cannot be classified is rejected. Identical
// windows (the code before an access, the access, and the facts it uses) are proved once
// (ProofCache).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jit/arch.h"

namespace tandem::jit {
class JitStore;
struct CodeInfo;
}

namespace tandem::jit::verify {

// What the runtime knows and keeps (the trusted base besides Capstone, Z3 and the lifter):
// where each region is, and the bounds the runtime maintains (docs/verifier.md, "Axioms").
struct StoreFacts {
  Arch arch = Arch::kX64;
  uint64_t vm_bytes = 0;  // the VM region is arena [0, vm_bytes)
  struct Memory {
    uint32_t desc = 0;        // MemoryDesc's arena offset
    uint64_t data = 0;        // data_offset (fixed for the store's life)
    uint64_t reserved = 0;    // reserved_bytes: size_bytes never exceeds it
  };
  std::vector<Memory> memories;
  struct Table {
    uint32_t desc = 0;           // TableDesc's arena offset
    uint64_t elems = 0;          // elems_offset (fixed)
    uint32_t reserved = 0;       // reserved_entries: size never exceeds it
    bool funcref = true;         // entries are null or function indices
  };
  std::vector<Table> tables;
  uint32_t func_descs = 0;        // the FuncDesc array's arena offset (header.func_descs_offset)
  uint32_t func_capacity = 0;     // its capacity; function indices are below it
  uint32_t func_descs_field = 0;  // arena offset of header.func_descs_offset
  uint64_t code_table = 0, code_table_entries = 0;
  uint64_t runtime_table = 0, runtime_entries = 0;
  uint64_t exit = 0;
  uint64_t stack_base = 0, stack_limit = 0;  // the JIT stack's bottom, and the entry check's limit
};

// The facts of a store (its arena's descriptors and its host mappings).
StoreFacts FactsOf(JitStore& store);

enum class Status : uint8_t { kProved, kFailed, kUnknown };
const char* StatusName(Status s);

struct AccessResult {
  uint32_t code_offset = 0;  // of the instruction, in the function
  std::string text;          // the instruction, as Capstone prints it
  Status status = Status::kUnknown;
  std::string region;        // the region proved (or tried), e.g. "memory 0", "frame"
  std::string why;           // a failure's reason; a counterexample's register values
};

struct FunctionResult {
  uint32_t store_index = 0;  // the function in the store
  size_t accesses = 0, proved = 0, failed = 0, unknown = 0;
  size_t cached = 0;  // proofs answered by the cache
  size_t dead = 0;    // accesses in code no path from the entry reaches (counted as proved)
  size_t solver = 0;  // accesses that needed Z3 (the rest: a base plus a constant, or the cache)
  size_t vacuous = 0; // proved because the window's premises contradict (a path that cannot run)
  std::vector<AccessResult> problems;  // every access not proved
  std::string listing;  // around the problems (empty when everything is proved)
};

// Proofs by their obligation (the address, the regions and the premises that bear on them, the
// unknowns renamed), and whole functions by their bytes and the facts. Bounded: a map that
// outgrows its budget (entries, or bytes of keys) starts again empty.
class ProofCache {
 public:
  ProofCache();
  ~ProofCache();
  size_t size() const;
  size_t hits = 0, misses = 0;
  size_t function_hits = 0;  // whole functions answered (the same bytes and facts seen before)
  size_t block_hits = 0;     // blocks answered (the same instructions, window and facts seen before)
  // The quick proofs: the first walk's of an x64 bounds-checked index, and the quick prover's
  // (linear forms and ranges, jit/verify/linear.h), both before the cache and the solver. Off,
  // every obligation goes to them (the cache's tests).
  bool quick = true;
  // How the obligations that reached neither cache were decided: by the quick prover, by Z3's
  // light tactic, by Z3's solver.
  size_t quick_proofs() const;
  size_t tactic_queries() const;
  size_t solver_queries() const;
  struct Impl;
  std::unique_ptr<Impl> impl;
};

struct FunctionInput {
  const uint8_t* code = nullptr;  // the function's code as it runs (linked)
  size_t size = 0;
  uint64_t address = 0;           // where it runs
  uint32_t store_index = 0;
  uint32_t arg_slots = 0;         // 8-byte slots its caller passes (max(params, results))
};

FunctionResult VerifyFunction(const StoreFacts& facts, const FunctionInput& in, ProofCache* cache);

// A compiled function of the store as VerifyFunction takes it: its code as it runs, linked (on
// x64 natively; on a64 natively or in the host memory Unicorn maps at the same addresses).
FunctionInput InputOf(JitStore& store, const CodeInfo& info);

// Every compiled function of the store (x64 today).
std::vector<FunctionResult> VerifyStore(JitStore& store, ProofCache* cache);

}  // namespace tandem::jit::verify
