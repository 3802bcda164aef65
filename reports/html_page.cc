// html_page.cc: the page shell of HTML reports: head, style, navigation, sections, the inlined
// chart library and the script that draws the charts (DESIGN.md "Layout" reports/).
#include "reports/html_page.h"

#include "reports/escape.h"

#include <nlohmann/json.hpp>

namespace tandem::reports {

namespace {

// The page may load nothing: no request leaves it, whatever a message in it contains.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

constexpr const char* kStyle = R"css(
:root { --pass: #2e7d32; --pass-bg: #d7efd8; --partial-bg: #e9f3e0; --fail: #c62828;
  --fail-bg: #f9d6d5; --xfail: #7b5ea7; --xfail-bg: #e7def3; --skip: #8a8a8a; --skip-bg: #ececec;
  --line: #d0d4d9; --head: #f3f5f7; --text: #1d2125; --muted: #5f6b76; --changed: #f5a623; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--text); background: #fff; }
header.page { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); background: var(--head); }
header.page h1 { margin: 0 0 4px; font-size: 22px; }
header.page p { margin: 0 0 8px; color: var(--muted); }
nav.page { display: flex; gap: 16px; flex-wrap: wrap; }
nav.page a { color: var(--text); text-decoration: none; font-weight: 600; }
nav.page a:hover { text-decoration: underline; }
main { padding: 8px 24px 48px; }
section.part > h2 { font-size: 20px; margin: 20px 0 8px; }
h3 { font-size: 17px; margin: 28px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
h4 { font-size: 15px; margin: 16px 0 6px; }
p.contents { margin: 0 0 12px; color: var(--muted); }
p.contents a { margin-right: 12px; }
p.note { color: var(--muted); margin: 4px 0 8px; }
table { border-collapse: collapse; margin: 4px 0 12px; }
th, td { border: 1px solid var(--line); padding: 3px 7px; vertical-align: top; }
thead th { background: var(--head); position: sticky; top: 0; z-index: 1; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.code, span.code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
td.wrap { max-width: 520px; overflow-wrap: anywhere; }
.verdict { font-weight: 700; padding: 1px 8px; border-radius: 10px; }
.verdict.passed { background: var(--pass-bg); color: var(--pass); }
.verdict.failed { background: var(--fail-bg); color: var(--fail); }
.badge { font-size: 11px; font-weight: 700; padding: 0 5px; border-radius: 8px;
  background: var(--fail-bg); color: var(--fail); margin-left: 6px; }
.badge.changed { background: #fde9c8; color: #8a5300; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
div.canvas { position: relative; width: 460px; height: 280px; }
table.matrix { font-size: 12.5px; }
table.matrix th.file { text-align: left; white-space: nowrap; font-weight: 500; }
table.matrix thead th.run { border-bottom: 2px solid #9aa4ae; }
table.matrix td.first, table.matrix th.first { border-left: 2px solid #9aa4ae; }
td.s-passed { background: var(--pass-bg); }
td.s-partial { background: var(--partial-bg); }
td.s-xfail { background: var(--xfail-bg); }
td.s-failed { background: var(--fail-bg); }
td.s-failed.c-failed { color: var(--fail); font-weight: 700; }
td.s-skipped { background: var(--skip-bg); color: var(--muted); }
td.s-empty, td.s-absent { background: #fff; color: var(--muted); }
tr.changed th.file { box-shadow: inset 4px 0 0 var(--changed); }
table.only-notable tbody tr:not(.notable) { display: none; }
.legend span { display: inline-block; padding: 0 8px; margin-right: 6px; border: 1px solid var(--line); }
.legend .s-passed { background: var(--pass-bg); } .legend .s-partial { background: var(--partial-bg); }
.legend .s-xfail { background: var(--xfail-bg); } .legend .s-failed { background: var(--fail-bg); }
.legend .s-skipped { background: var(--skip-bg); } .legend .s-absent { background: #fff; }
span.from-failed, span.to-failed { color: var(--fail); font-weight: 700; }
span.to-passed { color: var(--pass); font-weight: 700; }
)css";

// Draws every chart of the page from the JSON in #tandem-charts, and runs the table filters.
constexpr const char* kScript = R"js(
(function () {
  'use strict';
  var specs = JSON.parse(document.getElementById('tandem-charts').textContent);
  specs.forEach(function (c) {
    // A logarithmic axis labels its powers of ten only: 1, 10, 100, 1,000 ...
    var powers = function (v) {
      var l = Math.log10(v);
      return Math.abs(l - Math.round(l)) < 1e-9 ? Number(v).toLocaleString('en-US') : '';
    };
    var y = c.log ? { type: 'logarithmic', min: 0.2, ticks: { callback: powers },
                      title: { display: true, text: 'tests (log scale)' } }
                  : { beginAtZero: true, title: { display: true, text: 'tests' } };
    new Chart(document.getElementById(c.id), {
      type: 'bar',
      data: {
        labels: c.labels,
        datasets: c.datasets.map(function (d) {
          return { label: d.label, data: d.data, backgroundColor: d.color, borderColor: d.color };
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { title: { display: true, text: c.title }, legend: { position: 'bottom' } },
        scales: { y: y }
      }
    });
  });
  document.querySelectorAll('input[data-filter]').forEach(function (box) {
    var table = document.getElementById(box.getAttribute('data-filter'));
    box.addEventListener('change', function () {
      table.classList.toggle('only-notable', box.checked);
    });
  });
})();
)js";

// JSON for a <script type="application/json"> element: "</" cannot end the element early.
std::string JsonForScript(const nlohmann::json& j) {
  std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The library text with any "</script" broken up, so the inline element ends where it should.
std::string ScriptText(std::string_view js) {
  std::string out(js);
  for (size_t at = 0; (at = out.find("</script", at)) != std::string::npos; at += 3)
    out.replace(at, 2, "<\\/");
  return out;
}

}  // namespace

std::string HtmlEscape(std::string_view s) { return EscapeMarkup(s, "&#39;", "&#xFFFD;"); }

void HtmlPage::AddSection(std::string id, std::string title, std::string html) {
  sections_.push_back({std::move(id), std::move(title), std::move(html)});
}

std::string HtmlPage::AddChart(ChartSpec chart) {
  std::string html = "<div class=\"canvas\"><canvas id=\"" + HtmlEscape(chart.id) +
                     "\" role=\"img\" aria-label=\"" + HtmlEscape(chart.title) +
                     "\"></canvas></div>";
  charts_.push_back(std::move(chart));
  return html;
}

std::string HtmlPage::Render(std::string_view chart_js, std::string_view generator) const {
  nlohmann::json charts = nlohmann::json::array();
  for (const ChartSpec& c : charts_) {
    nlohmann::json ds = nlohmann::json::array();
    for (const auto& d : c.datasets)
      ds.push_back({{"label", d.label}, {"color", d.color}, {"data", d.data}});
    charts.push_back({{"id", c.id},
                      {"title", c.title},
                      {"labels", c.labels},
                      {"datasets", ds},
                      {"log", c.log_scale}});
  }
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"" +
         std::string(kContentSecurityPolicy) + "\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"" + HtmlEscape(generator) + "\">\n";
  out += "<title>" + HtmlEscape(title_) + "</title>\n<style>" + kStyle + "</style>\n</head>\n";
  out += "<body>\n<header class=\"page\">\n<h1>" + HtmlEscape(title_) + "</h1>\n";
  if (!subtitle_.empty()) out += "<p>" + subtitle_ + "</p>\n";
  out += "<nav class=\"page\">";
  for (const Section& s : sections_)
    out += "<a href=\"#" + HtmlEscape(s.id) + "\">" + HtmlEscape(s.title) + "</a>";
  out += "</nav>\n</header>\n<main>\n";
  for (const Section& s : sections_) {
    out += "<section class=\"part\" id=\"" + HtmlEscape(s.id) + "\">\n<h2>" + HtmlEscape(s.title) +
           "</h2>\n" + s.html + "</section>\n";
  }
  out += "</main>\n";
  out += "<script type=\"application/json\" id=\"tandem-charts\">" + JsonForScript(charts) +
         "</script>\n";
  out += "<script>\n" + ScriptText(chart_js) + "\n</script>\n";
  out += "<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace tandem::reports
