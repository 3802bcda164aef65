// compare_runs.h: what changed between two spec runs (for example two commits' runs): each
// test whose status differs, and the files and engines only one of them has
// (DESIGN.md "Layout" reports/).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reports/spec_results.h"

namespace tandem::reports {

// A test is the same in both runs when its file name, line, command and engine are, so runs
// of copies of the test suite in other folders compare too.
struct Change {
  const FileResult* file = nullptr;    // in the later run when it has the test, else the earlier
  const TestResult* before = nullptr;  // null: the test is new
  const TestResult* after = nullptr;   // null: the test is gone
  std::string id;                      // "i32.wast:96"
  std::string engine;
  std::string command;
};

struct RunComparison {
  std::vector<Change> changes;  // in the later run's order, then gone tests
  std::vector<std::string> files_only_before, files_only_after;
  std::vector<std::string> engines_only_before, engines_only_after;
  // Tests compared: those of files both runs have, on engines both runs have.
  uint64_t compared = 0;
  uint64_t newly_failed = 0;  // a change to kFailed (from anything, or a new failing test)
  uint64_t fixed = 0;         // a change from kFailed to another status (not a gone test)
};

// Compares `after` with `before`. The runs and their results must outlive the comparison.
RunComparison CompareRuns(const SpecRun& before, const SpecRun& after);

// The key that identifies a file across runs: its name, and " (2)", " (3)" ... for further
// files of the same name in one run (two folders given to one run).
std::vector<std::string> FileKeys(const SpecRun& run);

}  // namespace tandem::reports
