// report_command.cc: `tandem report`: reads spec runs' JSON and hands them to reports/ for the
// page (DESIGN.md "Layout" cli/: wiring only; the page is reports/spec_html.h's).
#include "cli/report_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "reports/compare_runs.h"
#include "reports/json_report.h"
#include "reports/spec_html.h"

#ifndef TANDEM_VERSION
#define TANDEM_VERSION "0.0.0"
#endif

namespace tandem::cli {

namespace fs = std::filesystem;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;

bool ReadWhole(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  text = std::move(ss).str();
  return !in.bad();
}

// Writes `text` to `path` through a temporary file beside it, so that a failed write leaves
// no page (and an older page stays whole).
bool WriteAtomically(const std::string& path, const std::string& text, std::string& error) {
  fs::path target(path);
  fs::path tmp = target;
  tmp += ".tmp-" + std::to_string(getpid());
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    if (!o) {
      error = "cannot write " + tmp.string() + ": " + std::strerror(errno);
      return false;
    }
    o << text;
    o.close();
    if (!o) {
      error = "cannot write " + tmp.string();
      std::error_code ec;
      fs::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    error = "cannot write " + path + ": " + ec.message();
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

nlohmann::json Totals(const reports::SpecRun& run) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& e : run.engines) {
    reports::Counts c = reports::CountFor(run, e);
    j[e] = {{"passed", c.passed},
            {"failed", c.failed},
            {"expected_failures", c.xfail},
            {"skipped", c.skipped}};
  }
  return j;
}

}  // namespace

CLI::App* AddReportCommand(CLI::App& app, ReportArgs& a) {
  auto* cmd = app.add_subcommand(
      "report", "Make one self-contained HTML page from spec runs' JSON (tandem spec --json)");
  cmd->footer(
      "The page opens from disk with no network (Chart.js is inlined). It shows each run's "
      "totals per engine as charts, the pass matrix (file x engine), every failure with its "
      "re-run command, stale expected-failure entries, expected failures and skip reasons. "
      "Several runs (oldest first) stand side by side with the tests whose status changed. "
      "Exit 0 when the page is written; 2 on bad input (a missing file, JSON of another kind, "
      "an empty run, no Chart.js), and then nothing is written. See docs/reports.md.");
  cmd->add_option("INPUT", a.inputs, "JSON files written by tandem spec --json")
      ->required()
      ->type_name("FILE");
  cmd->add_option("-o,--out", a.out, "The HTML page to write")->required()->type_name("FILE");
  cmd->add_option("--label", a.labels,
                  "A name for each INPUT on the page, in order (repeat the option; default: "
                  "the file's name)")
      ->type_name("NAME")
      ->allow_extra_args(false);
  cmd->add_option("--chart-js", a.chart_js,
                  std::string("Chart.js to inline (default: ") + kDefaultChartJs +
                      ", Debian package libjs-chart.js)")
      ->type_name("FILE");
  cmd->add_option("--json", a.json,
                  "Also write each run's totals per engine and what changed as JSON to FILE")
      ->type_name("FILE");
  return cmd;
}

int RunReportCommand(const ReportArgs& a) {
  if (a.labels.size() > a.inputs.size()) {
    std::cerr << "tandem report: " << a.labels.size() << " labels for " << a.inputs.size()
              << " input(s)\n";
    return kExitUsage;
  }
  std::error_code ec;
  for (const std::string& in : a.inputs)
    if (fs::exists(a.out, ec) && fs::equivalent(in, a.out, ec)) {
      std::cerr << "tandem report: --out " << a.out << " is one of the inputs\n";
      return kExitUsage;
    }

  std::vector<reports::SpecRunInput> runs;
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    const std::string& path = a.inputs[i];
    if (!fs::is_regular_file(path, ec)) {
      std::cerr << "tandem report: no such file: " << path << "\n";
      return kExitUsage;
    }
    std::string text;
    if (!ReadWhole(path, text)) {
      std::cerr << "tandem report: cannot read " << path << ": " << std::strerror(errno) << "\n";
      return kExitUsage;
    }
    reports::SpecRunInput run;
    try {
      run.run = reports::ReadSpecJson(text);
    } catch (const reports::InputError& e) {
      std::cerr << "tandem report: " << path << ": " << e.what() << "\n";
      return kExitUsage;
    }
    run.source = path;
    run.label = i < a.labels.size() ? a.labels[i] : fs::path(path).filename().string();
    runs.push_back(std::move(run));
  }
  // Default labels that two inputs share (a/r.json, b/r.json) become the paths as given.
  std::multiset<std::string> labels;
  for (const auto& r : runs) labels.insert(r.label);
  for (size_t i = a.labels.size(); i < runs.size(); ++i)
    if (labels.count(runs[i].label) > 1) runs[i].label = runs[i].source;

  const std::string chart_path = a.chart_js.empty() ? kDefaultChartJs : a.chart_js;
  std::string chart_js;
  if (!fs::is_regular_file(chart_path, ec) || !ReadWhole(chart_path, chart_js) ||
      chart_js.empty()) {
    std::cerr << "tandem report: Chart.js not found at " << chart_path
              << (a.chart_js.empty() ? " (install the Debian package libjs-chart.js, or give "
                                       "--chart-js FILE)"
                                     : "")
              << "\n";
    return kExitUsage;
  }

  const std::string generator = std::string("tandem ") + TANDEM_VERSION;
  std::string page = reports::SpecReportPage(runs, chart_js, generator);
  size_t changes = 0;
  nlohmann::json summary = {{"runs", nlohmann::json::array()},
                            {"changes", nlohmann::json::array()}};
  for (size_t k = 0; k < runs.size(); ++k) {
    summary["runs"].push_back({{"label", runs[k].label},
                               {"source", runs[k].source},
                               {"engines", runs[k].run.engines},
                               {"files", runs[k].run.files.size()},
                               {"totals", Totals(runs[k].run)}});
    if (k == 0) continue;
    reports::RunComparison c = reports::CompareRuns(runs[k - 1].run, runs[k].run);
    changes += c.changes.size();
    for (const reports::Change& ch : c.changes)
      summary["changes"].push_back(
          {{"before_run", runs[k - 1].label},
           {"after_run", runs[k].label},
           {"id", ch.id},
           {"engine", ch.engine},
           {"command", ch.command},
           {"before",
            ch.before ? nlohmann::json(reports::StatusName(ch.before->status)) : nlohmann::json()},
           {"after",
            ch.after ? nlohmann::json(reports::StatusName(ch.after->status)) : nlohmann::json()}});
  }
  std::string error;
  if (!WriteAtomically(a.out, page, error)) {
    std::cerr << "tandem report: " << error << "\n";
    return kExitUsage;
  }

  if (!a.json.empty()) {
    std::string text = summary.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    if (!WriteAtomically(a.json, text, error)) {
      std::cerr << "tandem report: " << error << "\n";
      fs::remove(a.out, ec);  // all or nothing
      return kExitUsage;
    }
  }
  std::cout << "tandem report: wrote " << a.out << " (" << runs.size()
            << (runs.size() == 1 ? " run" : " runs");
  if (runs.size() > 1)
    std::cout << ", " << changes << (changes == 1 ? " test changed" : " tests changed")
              << " status";
  std::cout << ", " << page.size() / 1024 << " KiB)\n";
  return kExitOk;
}

}  // namespace tandem::cli
