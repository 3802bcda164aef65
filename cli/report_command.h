// report_command.h: `tandem report INPUT... --out FILE`: the HTML page of one or more spec
// runs' --json files (DESIGN.md "Layout" cli/ and reports/; docs/reports.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace tandem::cli {

struct ReportArgs {
  std::vector<std::string> inputs;  // `tandem spec --json` files, oldest run first
  std::string out;                  // the page
  std::vector<std::string> labels;  // a name per input (default: the file's name)
  std::string chart_js;             // Chart.js to inline (default: Debian's libjs-chart.js)
  std::string json;                 // also write the totals and changes as JSON here
};

// Debian's libjs-chart.js, inlined into every page.
inline constexpr const char* kDefaultChartJs = "/usr/share/javascript/chart.js/chart.min.js";

CLI::App* AddReportCommand(CLI::App& app, ReportArgs& args);

// Exit 0 when the page was written, 2 (message on stderr, no page written) for bad arguments,
// a missing or unreadable input, JSON of another kind, an empty run, a missing Chart.js or an
// output that cannot be written. The runs' own failures do not change the exit code: the page
// shows them.
int RunReportCommand(const ReportArgs& args);

}  // namespace tandem::cli
