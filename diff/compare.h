// compare.h: the one comparator (DESIGN.md "State", "Outcome of an invocation"): two engines'
// instantiation outcomes, call outcomes, host-import logs, instance states and JIT arenas,
// each difference named by its field. The spec runner, `tandem diff`, the fuzz loop and the
// tests all compare through it (STYLE.md 11: results first, then globals, then memories).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "diff/engine.h"

namespace tandem::diff {

// What differs. The names (FieldName) are what reports, signatures and tests key on.
enum class Field : uint8_t {
  kInstantiation,  // the instantiation outcome (status, or the trap of an uninstantiable module)
  kOutcome,        // the kind of a call's outcome (returned vs trapped vs exhausted ...)
  kResult,         // a returned value, bit for bit (references by identity)
  kTrapKind,       // both trapped, with different kinds
  kExhaustion,     // both exhausted, of different kinds (call stack vs fuel)
  kLog,            // the entries logged by host imports during a call
  kGlobal,
  kMemory,         // a memory's bytes or size
  kTable,          // a table's entries (function identities) or size
  kSegment,        // a data or element segment dropped on one engine only
  kArena,          // a JIT arena byte (named by the arena layout)
  kLayout,         // the instances do not even have the same shape
};
const char* FieldName(Field f);  // "instantiation", "outcome", "result", "trap kind", ...

struct Difference {
  Field field;
  std::string where;  // "global 2", "memory 0 [0x10, 0x14)", "table 1 [3]", "data segment 0" ...
  std::string a, b;   // the two sides, as text
  // "global: global 2: i32:1 vs i32:2"; without `where` "trap kind: unreachable vs ...".
  std::string ToString() const;
};

// Status and, for an uninstantiable module, the trap or exhaustion. Messages are not compared
// (engines may word them differently); unsupported modules are not compared either (the caller
// counts them as skipped).
std::vector<Difference> CompareInstantiation(const InstantiateOutcome& a,
                                             const InstantiateOutcome& b);

// One call's outcome: its kind; values bit for bit (NaN-canonical mode is the caller's
// business) with references by identity; trap kind; exhaustion kind.
std::vector<Difference> CompareOutcome(Engine& a, const wasm::Outcome& oa, Engine& b,
                                       const wasm::Outcome& ob);

// Host-import log entries, one by one (import name and the argument's exact bits).
std::vector<Difference> CompareLogs(std::span<const LogEntry> a, std::span<const LogEntry> b);

// The canonical state of instance `ia` of `a` and `ib` of `b`: globals, memories, tables,
// dropped segments. At most `limit` differences (memory bytes coalesced into ranges).
std::vector<Difference> CompareInstanceState(Engine& a, uint32_t ia, Engine& b, uint32_t ib,
                                             size_t limit = 16);

// The two engines' arenas byte for byte, named by the layout; empty unless both are JIT
// engines. At most `limit` differences.
std::vector<Difference> CompareArenas(Engine& a, Engine& b, size_t limit = 16);

// Whether two value lists are equal as CompareOutcome compares results.
bool SameValues(Engine& a, const std::vector<wasm::Value>& va, Engine& b,
                const std::vector<wasm::Value>& vb);

// CompareInstanceState as text lines ("global 2: i32:1 vs i32:2").
std::vector<std::string> DiffInstanceStates(Engine& a, uint32_t ia, Engine& b, uint32_t ib,
                                            size_t limit = 16);

}  // namespace tandem::diff
