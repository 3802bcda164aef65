// harness.h: run one case on N engines in lockstep and classify what happened (DESIGN.md "Data
// flow": case -> harness (engines, comparator) -> classification). After the instantiation and
// after every call, every engine is compared with the first one through diff/compare.h:
// instantiation outcome, call outcome, host-import log, instance state, and (JIT engines, each
// against the first JIT engine) the arena byte for byte. `tandem diff`, the regression tests and
// the fuzz loop all run cases through here.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diff/case.h"
#include "diff/compare.h"
#include "diff/engine.h"
#include "diff/faults.h"

namespace tandem::diff {

// Engines kept from one case to the next (the fuzz loop's workers): RunCase resets a pooled
// engine to its template (Engine::Reset) instead of creating a new one when the name and the
// configuration are the case's; otherwise it creates one and keeps it. What a case does is the
// same either way (diff/tests/reuse_test.cc).
struct EnginePool {
  struct Entry {
    std::string name;
    EngineConfig config;
    std::unique_ptr<Engine> engine;
  };
  std::vector<Entry> entries;  // by position in HarnessOptions::engines
  uint64_t created = 0;
  uint64_t reused = 0;
};

struct HarnessOptions {
  std::vector<std::string> engines = {"ref", "x64", "a64"};
  EngineConfig config;              // the base; NaN-canonical mode is forced on (DESIGN.md "NaN")
  std::vector<FaultSpec> faults;    // seeded faults, placed by ConfigForEngine
  bool compare_arena = true;        // JIT arenas byte for byte
  size_t max_differences = 32;      // per case
  int timeout_seconds = 60;         // RunCaseIsolated: a child running longer is killed
  // Optional, one per engine: EngineConfig::opcode_coverage of that engine (the fuzz loop's).
  std::vector<uint8_t*> opcode_coverage;
  // Optional, one per engine: EngineConfig::instruction_count of that engine.
  std::vector<uint64_t*> instruction_count;
  EnginePool* pool = nullptr;  // optional: reuse engines between cases
  // Keep every engine's host-import log in EngineReport::logs (`tandem diff --locate` reads the
  // probes it put into a case there).
  bool keep_logs = false;
  // Optional: called for each engine once its instantiation has returned (whatever its
  // outcome), before the calls; the fuzz loop's --verify proves the code a JIT engine compiled.
  std::function<void(const std::string& engine, Engine& e)> after_instantiate;
};

// One difference between an engine and the engine it is compared with.
struct Divergence {
  std::string engine;  // the engine that differs
  std::string base;    // the engine it is compared with
  int call = -1;       // index in the script; -1 for the instantiation
  std::string export_name;
  Difference difference;
  std::string ToString() const;  // "x64 vs ref, call 2 \"f\": result: returned i32:1 vs ..."
};

// What one engine did with the case, as text (the same on every host and in every process).
struct EngineReport {
  std::string engine;
  std::string faults;         // seeded faults applied to this engine ("" for none)
  std::string instantiation;  // "instantiated", "uninstantiable: trap: ...", "unsupported: ..."
  bool unsupported = false;   // the engine cannot run this case (skipped, counted)
  std::vector<std::string> outcomes;  // per call run: "returned i32:1", "trap: unreachable" ...
  // A difference the spec allows stopped the comparison of this engine (then `unsupported` is
  // set too): "call stack exhausted at a different depth", "fuel: V8 has none".
  std::string allowed;
  // HarnessOptions::keep_logs: the log entries of each step (the instantiation first, then each
  // call run), as "IMPORT HEX" (the argument's bits; v128 high half first).
  std::vector<std::vector<std::string>> logs;
};

// Whether the module carries the custom section "tandem.denan" (made by --denan: every float
// result is canonicalised, so an engine without a NaN-canonical mode can be compared).
bool HasDenanSection(const wasm::Module& m);

struct CaseResult {
  enum class Verdict : uint8_t {
    kAgree,          // every engine that could run the case agreed (and met the expectations)
    kDivergence,     // engines differ
    kExpectation,    // engines agree, but a regression script's expectation is not met
    kCrash,          // an engine died on a signal (isolated runs)
    kTimeout,        // the case ran past the time limit (isolated runs)
    kInternalError,  // an engine reported an internal error (always a bug in tandem)
    kRefused,        // the module is refused by the decoder or validator (as a script may expect)
  };
  Verdict verdict = Verdict::kAgree;
  std::vector<EngineReport> engines;
  std::vector<Divergence> divergences;
  std::vector<std::string> failures;  // expectations not met, internal errors, the crash
  std::string refusal;                // kRefused: the decoder's or validator's message
  size_t calls_run = 0;
};
const char* VerdictName(CaseResult::Verdict v);  // "agree", "divergence", ...
// True for the verdicts a fuzzer keeps (divergence, expectation, crash, timeout, internal error).
bool IsFinding(CaseResult::Verdict v);

// Runs the case in this process. `on_step` (if set) hears "ENGINE instantiate" and
// "ENGINE call N" before each step, so an isolated run can say where a child died.
CaseResult RunCase(const Case& c, const HarnessOptions& o,
                   const std::function<void(const std::string&)>& on_step = {});

// Runs the case in a forked child, so that an engine dying on a signal (a JIT bug) is reported
// as kCrash naming the engine and the step, and a hang as kTimeout, instead of ending the
// caller.
CaseResult RunCaseIsolated(const Case& c, const HarnessOptions& o);

nlohmann::json ToJson(const CaseResult& r);
CaseResult CaseResultFromJson(const nlohmann::json& j);
// For people: the verdict, each engine's outcomes, each divergence and failure, one per line.
std::string FormatCaseResult(const CaseResult& r, const Case& c);

}  // namespace tandem::diff
