// html_page.h: one self-contained HTML report page: sections with a navigation bar, tables and
// Chart.js bar charts, the chart library inlined so that the page opens from disk with no
// network (DESIGN.md "Layout" reports/: html). Spec runs are one kind of section
// (spec_html.h); campaign pages add their own sections to the same page.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::reports {

// Text for HTML element content or a quoted attribute value.
std::string HtmlEscape(std::string_view s);

// One bar chart (Chart.js "bar"): a group of bars per label, one bar per dataset.
struct ChartSpec {
  std::string id;  // the canvas's element id, unique in the page
  std::string title;
  std::vector<std::string> labels;
  struct Dataset {
    std::string label;
    std::string color;           // CSS colour
    std::vector<uint64_t> data;  // one value per label
  };
  std::vector<Dataset> datasets;
  bool log_scale = false;  // a logarithmic value axis (counts of very different sizes)
};

class HtmlPage {
 public:
  explicit HtmlPage(std::string title) : title_(std::move(title)) {}

  // A line under the title (what the page was made from).
  void SetSubtitle(std::string html) { subtitle_ = std::move(html); }

  // A top-level part of the page with an entry in the navigation bar. `html` is the section's
  // body; its headings should be <h3> and lower.
  void AddSection(std::string id, std::string title, std::string html);

  // Registers a chart and returns its markup (a sized <canvas>) to place in a section.
  std::string AddChart(ChartSpec chart);

  // The whole page. `chart_js` is the Chart.js library's text (Debian libjs-chart.js,
  // chart.min.js), inlined; `generator` names the program ("tandem 0.1.0").
  std::string Render(std::string_view chart_js, std::string_view generator) const;

 private:
  struct Section {
    std::string id, title, html;
  };
  std::string title_, subtitle_;
  std::vector<Section> sections_;
  std::vector<ChartSpec> charts_;
};

}  // namespace tandem::reports
