// limits.h: implementation limits (DESIGN.md "Module"; Spec appendix "Implementation
// Limitations"). The values are those the WebAssembly JS API specifies and V8 enforces, so that
// tandem accepts what browsers accept. Each is one constant here, checked once (decoder or
// validator) and shared by every engine; a module beyond one is refused with LimitError
// (errors.h), whose message names the limit, e.g. "too many locals: 50001 (limit 50000)".
//
// Declared sizes are not limits on what is allocated: `(table 0 0xffff_ffff funcref)` is valid
// (Spec 3.2.4); a table's *initial* size is bounded here, its growth at run time by
// kMaxTableEntries and the store budgets below.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "reference/errors.h"
#include "reference/types.h"

namespace tandem::wasm {

// ---- Module limits (JS API "Implementation-defined Limits"; V8's wasm-limits.h).
constexpr uint64_t kMaxModuleBytes = uint64_t{1} << 30;  // 1 GiB
constexpr uint32_t kMaxTypes = 1'000'000;
constexpr uint32_t kMaxFunctions = 1'000'000;  // imported + defined
constexpr uint32_t kMaxImports = 100'000;
constexpr uint32_t kMaxExports = 100'000;
constexpr uint32_t kMaxGlobals = 1'000'000;  // imported + defined
constexpr uint32_t kMaxDataSegments = 100'000;
constexpr uint32_t kMaxElemSegments = 100'000;
constexpr uint32_t kMaxElemSegmentEntries = 10'000'000;  // entries of one table initialization
constexpr uint32_t kMaxTables = 100'000;                 // imported + defined
constexpr uint32_t kMaxParams = 1'000;                   // per function type
constexpr uint32_t kMaxResults = 1'000;                  // per function type
constexpr uint32_t kMaxFunctionBodyBytes = 7'654'321;    // locals declarations included
constexpr uint32_t kMaxLocals = 50'000;                  // parameters included
constexpr uint64_t kMaxTableEntries = 10'000'000;        // a table's initial size and growth
constexpr uint64_t kMaxMemoryPages = 65'536;             // 4 GiB (also the spec's bound)

// ---- Store budgets (DESIGN.md "Determinism": every engine takes the same limits). What one
// store may hold, summed over its tables and memories; an instantiation beyond one fails with a
// resource error (ResourceError), a table.grow beyond one returns -1, on every engine alike.
// Live table entries are allocated eagerly (8 bytes each) by every engine.
constexpr uint64_t kStoreMaxTableEntries = 100'000'000;
// Reserved address space: a memory reserves its maximum (4 GiB without one), a table its growth
// limit, each rounded up to kReservationUnit. The JIT places both in its 1 TiB arena.
constexpr uint64_t kReservationUnit = 65536;
constexpr uint64_t kStoreMaxMemoryReservation = uint64_t{768} << 30;  // 768 GiB
constexpr uint64_t kStoreMaxTableReservation = uint64_t{128} << 30;   // 128 GiB

// A table's growth limit in entries: its minimum, or its maximum capped by kMaxTableEntries.
inline uint64_t TableGrowthLimit(const TableType& t) {
  return std::max(t.limits.min, std::min(t.limits.max.value_or(kMaxTableEntries), kMaxTableEntries));
}
inline uint64_t RoundUpToReservationUnit(uint64_t bytes) {
  return std::max<uint64_t>((bytes + kReservationUnit - 1) / kReservationUnit, 1) *
         kReservationUnit;
}
// What a table and a memory count against the store's reservation budgets, in bytes.
inline uint64_t TableReservationBytes(const TableType& t) {
  return RoundUpToReservationUnit(TableGrowthLimit(t) * 8);
}
inline uint64_t MemoryReservationBytes(const MemoryType& t) {
  return RoundUpToReservationUnit(t.limits.max.value_or(kMaxMemoryPages) * kPageSize);
}

// A per-store resource limit below kMaxMemoryPages (EngineConfig::max_memory_pages): a memory
// may not be instantiated with, nor grow to, more pages (memory.grow returns -1, as Spec 4.4.7
// allows when resources run out). The message of an instantiation beyond it:
inline std::string MemoryPagesLimitMessage(uint64_t min_pages, uint64_t limit) {
  return "resource exhausted: a memory of " + std::to_string(min_pages) +
         " pages exceeds the limit of " + std::to_string(limit) + " pages";
}

// The store budgets, kept by each engine's store in the same way so that every engine refuses
// the same allocation with the same message. Reservations are never handed back (a store only
// grows); live table entries are passed in by the store, which knows its tables' sizes.
class StoreBudget {
 public:
  // Throw ResourceError ("resource exhausted: ...") when the table or memory does not fit.
  void CheckTable(const TableType& t, uint64_t live_table_entries) const {
    if (live_table_entries + t.limits.min > kStoreMaxTableEntries)
      throw ResourceError("resource exhausted: a table of " + std::to_string(t.limits.min) +
                          " entries exceeds the store's budget of " +
                          std::to_string(kStoreMaxTableEntries) + " table entries (" +
                          std::to_string(live_table_entries) + " in use)");
    if (table_bytes_ + TableReservationBytes(t) > kStoreMaxTableReservation)
      throw ResourceError("resource exhausted: the store's tables would reserve more than " +
                          std::to_string(kStoreMaxTableReservation >> 30) + " GiB");
  }
  void CheckMemory(const MemoryType& t) const {
    if (memory_bytes_ + MemoryReservationBytes(t) > kStoreMaxMemoryReservation)
      throw ResourceError("resource exhausted: the store's memories would reserve more than " +
                          std::to_string(kStoreMaxMemoryReservation >> 30) + " GiB");
  }
  // Count what a successful allocation reserved.
  void AddTable(const TableType& t) { table_bytes_ += TableReservationBytes(t); }
  void AddMemory(const MemoryType& t) { memory_bytes_ += MemoryReservationBytes(t); }
  // Whether table.grow by `delta` fits the live-entry budget (else it returns -1).
  static bool TableGrowthFits(uint64_t live_table_entries, uint64_t delta) {
    return live_table_entries + delta <= kStoreMaxTableEntries;
  }

 private:
  uint64_t table_bytes_ = 0;
  uint64_t memory_bytes_ = 0;
};

}  // namespace tandem::wasm
