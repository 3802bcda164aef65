// reduce.h: the test-case reducer (DESIGN.md "Data flow": a finding -> a small case that still
// shows it). Shrinks a case (module + call script, diff/case.h) while a caller's predicate
// keeps holding, by editing the decoded module and re-encoding it (reference/encoder.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "diff/case.h"

namespace tandem::diff {

struct ReduceOptions {
  double time_seconds = 60;  // stop and return the best so far after this long
  // Optional: hears one line per accepted step ("delete: 412 -> 398 bytes (function 3)") and
  // one per round of passes.
  std::function<void(const std::string&)> progress;
};

struct ReduceStats {
  size_t original_bytes = 0, reduced_bytes = 0;
  uint64_t tests = 0;     // predicate calls
  uint64_t accepted = 0;  // candidates that kept the predicate
  double seconds = 0;
  bool timed_out = false;
  std::map<std::string, uint64_t> accepted_per_pass;  // pass name -> accepted candidates
};

// Returns the smallest case found for which `interesting` holds; `input` itself when nothing
// smaller does (or when its module is refused: the reducer edits the decoded module). The
// predicate is called only on candidates that decode and validate (MakeCase gives a module and
// accepts the script), never twice on the same candidate, and never on `input` itself.
//
// A candidate is kept when the predicate holds and it is smaller than the best case so far:
// compared by (encoded bytes, script calls, instructions, non-zero values), lexicographically.
// Instructions count every Instr of the bodies and constant expressions; non-zero values count
// the non-zero constants, memarg offsets and alignments, lane indices, script arguments, data
// bytes and memory/table limits. Every kept candidate is smaller in this order, so reduction
// ends; it stops at a fixed point of all passes or when time_seconds have passed (then
// stats->timed_out). The time is checked before each predicate call, so one slow call can
// overrun the budget by its own length. An exception from the predicate passes through.
//
// Passes, in the order of one round (names as in ReduceStats::accepted_per_pass):
//   calls       drop script calls (chunks, then one at a time)
//   args        script arguments to zero values of their types
//   exports     drop exports the script does not call; drop a called one with its calls
//   functions   drop functions unreachable from exports, start, element segments, global
//               initializers, ref.func and calls (every function index is remapped; entries of
//               declarative segments go with their functions)
//   bodies      a body becomes `unreachable` (or zero constants of its results; empty for [])
//   customs     drop custom sections, except "tandem.denan" (it changes what the harness runs)
//   elems       drop element segments, trim their contents, offsets to 0
//   data        drop data segments, trim their contents from either end, zero their bytes,
//               offsets to 0, drop the data count section
//   globals     drop unused globals (remapped), initializers to zero
//   memory      drop the memory, shrink its limits
//   table       drop tables (remapped), shrink their limits
//   types       drop unused types (remapped in functions, imports, call_indirect, block types)
//   delete      per body: delete expressions of no result (`X; drop`, `local.set (...)`, whole
//               blocks of type [] ...), largest first, in chunks
//   unwrap      per body: a block or loop by its body, an `if` by either arm (the condition
//               dropped); branch depths inside are adjusted
//   const       per body: an expression by zero constants of its result types
//   hoist       per body: an expression by one of its operands of the same type
//   immediates  per body: constants to 0 or 1, memarg offsets and alignments to 0, lanes to 0
//   locals      per body: drop declared locals no instruction uses (remapped)
// Expressions are found by an abstract walk of the operand stack (types as the validator
// computes them); edits are liberal and validation decides what is kept.
Case Reduce(const Case& input, const std::function<bool(const Case&)>& interesting,
            const ReduceOptions& options, ReduceStats* stats = nullptr);

}  // namespace tandem::diff
