// fuzz.h: the fuzz loop behind `tandem fuzz` (DESIGN.md "Data flow": generator -> case ->
// harness -> classification -> findings folder). Persistent forked workers, one per job, run
// the cases; the parent hands out case numbers, classifies what comes back, writes findings,
// keeps counts and coverage, and prints a progress line once a second. Case number i is
// generated from (generator, seed, i) alone, so a campaign replays the same with any -j.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "diff/engine.h"
#include "diff/faults.h"
#include "diff/gen/generator.h"

namespace tandem::diff {

struct FuzzOptions {
  std::vector<std::string> engines;     // the first is the base of every comparison
  std::vector<std::string> generators;  // case i uses generators[i % size]
  bool simd = false;
  bool denan = false;         // gen::GeneratorOptions::denan (smith, ttf)
  bool block_params = true;   // gen::GeneratorOptions::block_params (smith)
  bool binaryen = false;      // gen::GeneratorOptions::binaryen (smith)
  std::string wasm_opt;       // binaryen's wasm-opt, for ttf
  uint64_t seed = 1;
  double time_seconds = 0;  // 0: no time limit (then `cases` must be set)
  uint64_t cases = 0;       // 0: no case limit
  uint64_t first_case = 0;  // the campaign runs cases first_case, first_case + 1, ...
  uint64_t max_findings = 0;  // stop once this many findings are written (0: no limit)
  int jobs = 1;
  std::vector<FaultSpec> faults;
  std::string faults_text;  // --seed-fault as given, for replay commands
  EngineConfig config;      // fuel and call depth of every engine
  int timeout_seconds = 20;  // per case
  std::string out_dir;      // findings go to out_dir/findings/<id>/ ("" = not written)
  // With out_dir, the campaign's state (cases done, counts, coverage, signatures, the findings
  // written) is kept in out_dir: what each case gave is appended to out_dir/journal as it comes
  // back (one line, not synced), and every 2 s (or 8 MiB of journal) the whole state is written
  // to out_dir/state.json (a temporary file, synced, renamed) and the journal emptied. A
  // resumed campaign loads the state and replays the journal, so after a kill only the cases
  // in flight (at most one per job) run again.
  // Continue the campaign whose state is in out_dir (the options must be those it was started
  // with; `tandem fuzz --resume` rebuilds them from `campaign_args`). Finding folders the state
  // does not know (written after its last checkpoint and not in the journal) are removed.
  bool resume = false;
  // Stored in the state as "args" (a JSON object), for `tandem fuzz --resume`.
  std::string campaign_args = "{}";
  std::string json_path;    // the summary as JSON ("" = none)
  bool quiet = false;       // no progress line
  // Create every engine's store anew for every case instead of resetting one store per worker
  // to its template (slower; to check that reuse changes nothing, or to measure it).
  bool fresh_stores = false;
  // The seed modules of `mutate` (gen::LoadSeedModules); required when it is used.
  std::shared_ptr<const std::vector<std::vector<uint8_t>>> seeds;
  // The validation differential: instead of running cases, every generated module (valid or
  // not) is decoded and validated by tandem, V8 (when `validation_v8`) and WABT's
  // `wasm_validate`; a disagreement the spec does not allow is a finding.
  bool validation = false;
  bool validation_v8 = true;
  std::string wasm_validate;
  // Verify the code every JIT engine compiles for a case, right after its instantiation
  // (jit/verify/; one proof cache per back end in each worker, for the worker's life). An
  // access not proved makes the case a finding of verdict "verify", signature
  // "ENGINE:verify:REGION", whatever the runs did. The caller checks VerifierUnavailable.
  bool verify = false;
  // The modules of the `corpus` generator (gen::LoadCorpus); required when it is used.
  std::shared_ptr<const std::vector<gen::CorpusEntry>> corpus;
};

// Runs a campaign. Returns the exit code: 0 nothing found, 1 findings, 2 the campaign could
// not run or go on (a findings folder that cannot be written, a generator that cannot start);
// the message is printed to stderr, and every finding written before stays.
int RunFuzz(const FuzzOptions& options);

}  // namespace tandem::diff
