// spec_results.h: the results of a spec run (`tandem spec`) as the runner records them and every
// report reads them (DESIGN.md "Layout" reports/: reports read results, never run engines).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::reports {

enum class Status : uint8_t { kPassed, kFailed, kSkipped, kExpectedFailure };
const char* StatusName(Status s);  // "passed", "failed", "skipped", "expected-failure"
std::optional<Status> ParseStatus(std::string_view name);

// One test (an assert_* command or a top-level action) on one engine. A module command that
// fails unexpectedly is recorded too (as failed), so that no failure goes unseen.
struct TestResult {
  int line = 0;
  std::string command;  // "assert_return", ... "module", or "file" for a file-level failure
  std::string engine;
  Status status = Status::kPassed;
  std::string expected;
  std::string got;
  std::string message;        // skip reason, failure detail
  std::string skip_category;  // kSkipped: "text-format modules", "unsupported", ...
};

// `tandem spec --verify`: the verifier's counts for one JIT engine's code in a file (or a run):
// every function the engine compiled for the file, each verified once.
struct VerifyCounts {
  std::string engine;
  uint64_t functions = 0, accesses = 0, proved = 0, failed = 0, unknown = 0;
  uint64_t cached = 0;  // proofs the cache answered
  void Add(const VerifyCounts& o);
  bool operator==(const VerifyCounts&) const = default;
};

struct FileResult {
  std::string path;  // as given (used in re-run commands)
  std::string name;  // base name, "i32.wast"
  enum class State : uint8_t { kOk, kError, kCrashed, kTimedOut } state = State::kOk;
  std::string error;  // kError/kCrashed/kTimedOut: what happened
  std::vector<TestResult> tests;
  std::vector<VerifyCounts> verify;  // --verify: one per JIT engine that ran the file
};
const char* FileStateName(FileResult::State s);  // "ok", "error", "crashed", "timed out"
std::optional<FileResult::State> ParseFileState(std::string_view name);

// A whole run: the engines in the order they were given, and every file in run order.
struct SpecRun {
  std::vector<std::string> engines;
  std::vector<FileResult> files;
};

struct Counts {
  uint64_t passed = 0, failed = 0, skipped = 0, xfail = 0;
  void Add(Status s);
  uint64_t Total() const { return passed + failed + skipped + xfail; }
  bool operator==(const Counts&) const = default;
};

// Counts of one engine over a file (or the whole run).
Counts CountFor(const FileResult& file, const std::string& engine);
Counts CountFor(const SpecRun& run, const std::string& engine);

// The id under which a test is printed: "i32.wast:96", or "i32.wast" for a file-level result.
std::string TestId(const FileResult& file, const TestResult& test);

// The command that re-runs just this test, as `tandem spec` prints it:
// "tandem spec --engines ref ../shared/testsuite/i32.wast --line 96".
std::string RerunCommand(const FileResult& file, const TestResult& test);

// `s` quoted for a POSIX shell when it needs quoting.
std::string ShellQuote(const std::string& s);

// True for a failure that is a stale expected-failure entry (a listed test that passes, or a
// listed line with no test): the runner fails these so that the lists cannot rot.
bool IsStaleExpectedFailure(const TestResult& test);

}  // namespace tandem::reports
