// spec_html.h: the HTML report of spec runs (`tandem report`): the runs and their totals per
// engine (tables and charts), what changed between consecutive runs, the pass matrix (file x
// engine), every failure with its re-run command, stale expected-failure entries, expected
// failures and why tests were skipped (DESIGN.md "Layout" reports/: html; docs/reports.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reports/html_page.h"
#include "reports/spec_results.h"

namespace tandem::reports {

struct SpecRunInput {
  std::string label;   // the run's name on the page ("r.json", "main", ...)
  std::string source;  // where it was read from
  SpecRun run;
};

// Adds the section "Spec runs" (id "spec") to `page`; runs side by side in the order given,
// each compared with the one before it.
void AddSpecSection(HtmlPage& page, const std::vector<SpecRunInput>& runs);

// A whole page holding the spec-runs section.
std::string SpecReportPage(const std::vector<SpecRunInput>& runs, std::string_view chart_js,
                           std::string_view generator);

}  // namespace tandem::reports
