// junit_report.cc: the JUnit XML of a spec run (DESIGN.md "Layout" reports/).
#include "reports/junit_report.h"

#include "reports/escape.h"

namespace tandem::reports {

std::string XmlEscape(std::string_view s) { return EscapeMarkup(s, "&apos;", "?"); }

void WriteSpecJunit(const SpecRun& run, std::ostream& o) {
  Counts total;
  for (const auto& f : run.files)
    for (const auto& eng : run.engines)
      for (const auto& t : f.tests)
        if (t.engine == eng) total.Add(t.status);
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o << "<testsuites name=\"tandem spec\" tests=\""
    << total.passed + total.failed + total.skipped + total.xfail << "\" failures=\"" << total.failed
    << "\" skipped=\"" << total.skipped << "\">\n";
  for (const auto& f : run.files) {
    Counts c;
    for (const auto& t : f.tests) c.Add(t.status);
    o << "  <testsuite name=\"" << XmlEscape(f.name) << "\" tests=\"" << f.tests.size()
      << "\" failures=\"" << c.failed << "\" skipped=\"" << c.skipped << "\">\n";
    for (const auto& t : f.tests) {
      o << "    <testcase classname=\"" << XmlEscape(f.name) << "\" name=\""
        << XmlEscape(t.engine + ":" + std::to_string(t.line) + " " + t.command) << "\"";
      std::string detail = t.expected.empty() && t.got.empty()
                               ? t.message
                               : "expected " + t.expected + ", got " + t.got +
                                     (t.message.empty() ? "" : " -- " + t.message);
      if (t.status == Status::kPassed) {
        o << "/>\n";
      } else if (t.status == Status::kFailed) {
        o << ">\n      <failure message=\"" << XmlEscape(detail) << "\"/>\n    </testcase>\n";
      } else {
        o << ">\n      <skipped message=\"" << XmlEscape(detail) << "\"/>\n    </testcase>\n";
      }
    }
    o << "  </testsuite>\n";
  }
  o << "</testsuites>\n";
}

}  // namespace tandem::reports
