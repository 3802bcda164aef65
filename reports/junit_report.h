// junit_report.h: a spec run as JUnit XML (`tandem spec --junit FILE`): a testsuite per file, a
// testcase per assertion and engine (DESIGN.md "Layout" reports/: junit).
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "reports/spec_results.h"

namespace tandem::reports {

void WriteSpecJunit(const SpecRun& run, std::ostream& out);

// Text for an XML attribute or element: & < > " ' escaped, other control characters but
// newline and tab replaced by '?'.
std::string XmlEscape(std::string_view s);

}  // namespace tandem::reports
