// spec_results.cc: names, counts, ids and re-run commands of spec-run results
// (DESIGN.md "Layout" reports/).
#include "reports/spec_results.h"

namespace tandem::reports {

const char* StatusName(Status s) {
  switch (s) {
    case Status::kPassed:
      return "passed";
    case Status::kFailed:
      return "failed";
    case Status::kSkipped:
      return "skipped";
    case Status::kExpectedFailure:
      return "expected-failure";
  }
  return "?";
}

std::optional<Status> ParseStatus(std::string_view name) {
  for (Status s : {Status::kPassed, Status::kFailed, Status::kSkipped, Status::kExpectedFailure})
    if (name == StatusName(s)) return s;
  return std::nullopt;
}

const char* FileStateName(FileResult::State s) {
  switch (s) {
    case FileResult::State::kOk:
      return "ok";
    case FileResult::State::kError:
      return "error";
    case FileResult::State::kCrashed:
      return "crashed";
    case FileResult::State::kTimedOut:
      return "timed out";
  }
  return "?";
}

std::optional<FileResult::State> ParseFileState(std::string_view name) {
  using S = FileResult::State;
  for (S s : {S::kOk, S::kError, S::kCrashed, S::kTimedOut})
    if (name == FileStateName(s)) return s;
  return std::nullopt;
}

void Counts::Add(Status s) {
  switch (s) {
    case Status::kPassed:
      ++passed;
      break;
    case Status::kFailed:
      ++failed;
      break;
    case Status::kSkipped:
      ++skipped;
      break;
    case Status::kExpectedFailure:
      ++xfail;
      break;
  }
}

void VerifyCounts::Add(const VerifyCounts& o) {
  functions += o.functions;
  accesses += o.accesses;
  proved += o.proved;
  failed += o.failed;
  unknown += o.unknown;
  cached += o.cached;
}

Counts CountFor(const FileResult& file, const std::string& engine) {
  Counts c;
  for (const TestResult& t : file.tests)
    if (t.engine == engine) c.Add(t.status);
  return c;
}

Counts CountFor(const SpecRun& run, const std::string& engine) {
  Counts c;
  for (const FileResult& f : run.files)
    for (const TestResult& t : f.tests)
      if (t.engine == engine) c.Add(t.status);
  return c;
}

std::string TestId(const FileResult& file, const TestResult& test) {
  return test.line ? file.name + ":" + std::to_string(test.line) : file.name;
}

std::string RerunCommand(const FileResult& file, const TestResult& test) {
  std::string cmd = "tandem spec --engines " + test.engine + " " + ShellQuote(file.path);
  if (test.line && test.command != "expected-failure")
    cmd += " --line " + std::to_string(test.line);
  return cmd;
}

std::string ShellQuote(const std::string& s) {
  if (s.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+") ==
      std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool IsStaleExpectedFailure(const TestResult& test) {
  return test.status == Status::kFailed &&
         test.message.rfind("stale expected-failure entry", 0) == 0;
}

}  // namespace tandem::reports
