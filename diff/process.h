// process.h: what the forked children of the harness share (diff/harness.cc runs one case in a
// child; diff/fuzz.cc keeps persistent worker children): pipe writes, the clock that bounds
// them, signal handling in the child, and the result of a child that died before reporting.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "diff/harness.h"

namespace tandem::diff {

// Writes all of `s` to `fd`, retrying after EINTR; false when the other end is gone.
bool WriteAll(int fd, std::string_view s);

// Seconds on the monotonic clock (time limits of children).
double MonotonicSeconds();

// In a forked child: die of a fault as the signal itself, so that the parent sees it, whatever
// handlers the host program installed (a test framework's, a sanitizer's).
void DefaultFaultSignals();

// The result of a case whose child gave none: a timeout (the parent killed it after
// `timeout_seconds`), a crash (it died on a signal; `status` from waitpid) or an internal error
// (it exited), blamed on `last_step` ("" before the first step). `who` names the child in the
// last case ("the case runner", "the worker process"); `detail` follows it when not empty.
CaseResult UnfinishedCase(bool timed_out, int status, int timeout_seconds,
                          const std::string& last_step, std::string_view who,
                          const std::string& detail = {});

// Runs `argv` (argv[0] looked up in PATH) with stdin, stdout and stderr on /dev/null and
// returns its wait status. Throws std::runtime_error when the program cannot be started at all
// (not found, not executable). Used for the generators' tools (wast2json, wasm-opt).
int RunQuiet(const std::vector<std::string>& argv);

// The path of `program`: itself when it names a path (contains '/') and is executable, else the
// first executable of that name in PATH; empty when there is none.
std::string FindInPath(const std::string& program);

// A private temporary directory, removed with everything in it when it goes out of scope.
// Throws std::runtime_error when it cannot be created.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "tandem");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace tandem::diff
