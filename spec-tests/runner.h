// runner.h: the spec-test runner (`tandem spec`): runs .wast scripts through wast2json on every
// selected engine, file by file in forked children (DESIGN.md "Layout" spec-tests/; Spec A.7).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "diff/engine.h"
#include "diff/faults.h"
#include "diff/process.h"
#include "reports/spec_results.h"

namespace tandem::spec {

struct RunnerOptions {
  std::vector<std::string> engines = {"ref"};
  diff::EngineConfig config;
  int jobs = 1;                       // files run at once
  std::optional<std::string> filter;  // fnmatch glob on file base names
  std::optional<int> line;            // only the assertion recorded at this line
  int timeout_seconds = 60;           // per file
  bool quiet = false;                 // no progress output
  std::string json_path;              // write per-assertion results as JSON
  std::string junit_path;             // write JUnit XML
  std::string expected_failures_dir;  // holds ENGINE.txt; empty = none
  std::string wast2json = "wast2json";
  // Compare the arenas of the JIT engines (each against the first JIT engine) byte for byte
  // after every command (DESIGN.md "State"); a difference fails the command, named by field.
  bool compare_arena = false;
  // Seeded faults (diff/faults.h), placed on the engines by diff::ConfigForEngine.
  std::vector<diff::FaultSpec> faults;
  // Verify every function each JIT engine compiles for a script, once, after the command that
  // compiled it and before the next runs it (jit/verify/, docs/verifier.md): an access not
  // proved fails the file (a "verify" result), and FileResult::verify counts the accesses. The
  // caller checks diff::VerifierUnavailable first.
  bool verify = false;
};

// The results types live in reports/ (DESIGN.md "Layout": reports read results files), under
// the names this module always used.
using reports::Counts;
using reports::FileResult;
using reports::Status;
using reports::StatusName;
using reports::TestResult;

using ResultSink = std::function<void(const TestResult&)>;

// Runs one converted script in this process (the forked child calls it). `json_path` is
// wast2json's output; module files are beside it. Never throws: problems become results.
// `sink`, when set, sees each result as soon as it is known (the child streams them).
// With options.verify, `verify` (when set) receives the verifier's counts per JIT engine.
std::vector<TestResult> RunScript(const std::string& json_path, const std::string& wast_name,
                                  const RunnerOptions& options, const ResultSink& sink = {},
                                  std::vector<reports::VerifyCounts>* verify = nullptr);

// Converts and runs one .wast file in this process (wast2json into a private temp directory).
FileResult RunFile(const std::string& wast_path, const RunnerOptions& options);

// Runs the files (each in a forked child with a time limit), applies the expected-failure
// lists, prints progress, the table, the failures and the summary, writes --json / --junit.
// Returns the exit code: 0 nothing failed, 1 something failed, 2 environment error.
int RunSpec(const std::vector<std::string>& wast_paths, const RunnerOptions& options);

// Applies one engine's expected failures to a file's results: a listed failure becomes
// kExpectedFailure, a listed pass becomes kFailed ("stale expected-failure entry"). Entries
// for this file whose line matched no test are appended as failures when `complete` is set.
void ApplyExpectedFailures(const std::map<std::string, std::string>& entries,
                           const std::string& engine, bool complete, FileResult& file);

// A program in PATH (wast2json, wasm-opt, node); empty when missing.
using diff::FindInPath;

}  // namespace tandem::spec
