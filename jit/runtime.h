// runtime.h: the runtime-call table, the one way generated code calls C++ (DESIGN.md "Code, not
// helpers"; docs/jit.md "Runtime calls"). Only runtime services and host functions live here.
#pragma once

#include <cstdint>

namespace tandem::jit {

// Every service takes the arena base first, then up to five integer operands (C ABI registers),
// and returns a u64: the instruction's result for the *Grow services, 0 for the others, or
// kRuntimeTrapped after recording a trap (or exhaustion) in the arena header, in which case the
// generated code leaves through the trampoline's exit path.
// Objects are named by arena offsets of their descriptors, segments by store-wide index.
#define TANDEM_RUNTIME_CALLS(V)                                                         \
  V(MemoryGrow, "memory.grow")    /* (mem_desc, delta) -> old pages | 0xffffffff */     \
  V(MemoryFill, "memory.fill")    /* (mem_desc, d, value, n) */                          \
  V(MemoryCopy, "memory.copy")    /* (dst_mem_desc, src_mem_desc, d, s, n) */            \
  V(MemoryInit, "memory.init")    /* (mem_desc, data_index, d, s, n) */                  \
  V(DataDrop, "data.drop")        /* (data_index) */                                     \
  V(TableGrow, "table.grow")      /* (table_desc, init_ref, n) -> old size | 0xffffffff */ \
  V(TableFill, "table.fill")      /* (table_desc, i, ref, n) */                          \
  V(TableCopy, "table.copy")      /* (dst_table_desc, src_table_desc, d, s, n) */        \
  V(TableInit, "table.init")      /* (table_desc, elem_index, d, s, n) */                \
  V(ElemDrop, "elem.drop")        /* (elem_index) */                                     \
  V(CallHost, "call host")        /* (store func index, args_ptr): args/results in place */

enum class RuntimeCall : uint32_t {
#define V(Name, text) k##Name,
  TANDEM_RUNTIME_CALLS(V)
#undef V
  kCount
};

constexpr uint64_t kRuntimeTrapped = ~uint64_t{0};

using RuntimeFn = uint64_t (*)(uint8_t* arena, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

const char* RuntimeCallName(RuntimeCall c);

}  // namespace tandem::jit

namespace tandem::jit {
// Fills the table with the services of jit/runtime.cc, indexed by RuntimeCall.
void FillRuntimeTable(RuntimeFn* table);
}  // namespace tandem::jit
