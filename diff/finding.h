// finding.h: a finding folder as the fuzz loop writes it (DIR/findings/ID/: case.wasm,
// script.json, outcome.json) read back with the options to replay it, and `tandem reduce`: the
// finding shrunk while its signature holds (diff/signature.h, diff/reduce.h), written as a case
// to replay, its text form, and a regression case.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diff/case.h"
#include "diff/harness.h"
#include "diff/locate.h"
#include "diff/reduce.h"
#include "diff/signature.h"

namespace tandem::diff {

struct Finding {
  std::string dir;
  Case c;
  HarnessOptions options;  // engines, seeded faults and limits as the campaign ran the case
  std::string faults_text;  // --seed-fault as given ("" for none)
  nlohmann::json outcome;   // outcome.json
};

// Reads a finding folder. Throws std::runtime_error saying what is missing or wrong.
Finding LoadFinding(const std::string& dir);

struct ReduceFindingOptions {
  double time_seconds = 60;
  std::string out_dir;   // default: DIR/reduced
  std::string wasm2wat;  // WABT's wasm2wat for the text form ("" or not found: no text form)
  std::function<void(const std::string&)> progress;
};

struct ReducedFinding {
  Signature signature;  // the finding's, kept by every step
  Case reduced;
  ReduceStats stats;
  Location location;  // of the reduced case
  // The regression case's expectations: each call's outcome on the majority of the engines
  // (ties go to the reference). Non-empty when the reference is in the minority somewhere.
  std::string review;
  std::string out_dir;
  std::vector<std::string> files;  // written, relative to out_dir
  std::string text_form_note;      // why there is no case.wat, when there is none
};

// Reduces the finding while it shows the same signature and writes, in out_dir: case.wasm and
// script.json (replay with the finding's `tandem diff` command), case.wat (wasm2wat),
// case.script.json (the regression format of corpus/regress/: case.wasm with expectations, the
// signature and, when needed, the review note) and reduce.json (the figures). Throws
// std::runtime_error when the finding does not show a finding's verdict any more, or a file
// cannot be written.
ReducedFinding ReduceFinding(const Finding& f, const ReduceFindingOptions& o);

nlohmann::json ToJson(const ReducedFinding& r);

}  // namespace tandem::diff
