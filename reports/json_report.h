// json_report.h: a spec run as JSON (`tandem spec --json FILE`), written and read back
// (DESIGN.md "Layout" reports/: json). The format: {"summary": {passed, failed, skipped,
// expected_failures, engines}, "files": [{file, path, state, error}], "results": [{file, id,
// line, command, engine, status, expected, got, message, skip_category}]}; docs/reports.md.
// With --verify, "summary" and each file also hold "verify": {ENGINE: {functions, accesses,
// proved, failed, unknown, cached}}.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>
#include <string_view>

#include "reports/spec_results.h"

namespace tandem::reports {

// One result as a JSON object (without "file" and "id"): the record of the run file, and the
// line a spec runner's child process streams for each result.
nlohmann::json ToJson(const TestResult& t);

// Writes the run as `tandem spec --json` writes it. Throws nlohmann::json::exception on text
// that is not UTF-8.
void WriteSpecJson(const SpecRun& run, std::ostream& out);

// Input that is not a spec run's JSON: the message says what is wrong with it.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads what WriteSpecJson wrote (writing it again gives the same bytes). Throws InputError
// for text that is not JSON, JSON of another kind (a fuzz summary, `tandem diff --json`, ...)
// and an empty run (no file or no result).
SpecRun ReadSpecJson(std::string_view text);

}  // namespace tandem::reports
