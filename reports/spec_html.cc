// spec_html.cc: the spec-runs section of the HTML report (DESIGN.md "Layout" reports/: html).
// Everything shown is read from the runs' results; nothing here runs an engine.
#include "reports/spec_html.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "reports/compare_runs.h"

namespace tandem::reports {

namespace {

struct StatusStyle {
  Status status;
  const char* key;    // column and dataset key
  const char* label;  // what the page calls it
  const char* color;
};
// The page's order of statuses: matrix columns, chart datasets, totals.
constexpr StatusStyle kStatuses[] = {
    {Status::kPassed, "passed", "passed", "#2e7d32"},
    {Status::kFailed, "failed", "failed", "#c62828"},
    {Status::kExpectedFailure, "xfail", "expected failures", "#7b5ea7"},
    {Status::kSkipped, "skipped", "skipped", "#9e9e9e"},
};

uint64_t Get(const Counts& c, Status s) {
  switch (s) {
    case Status::kPassed:
      return c.passed;
    case Status::kFailed:
      return c.failed;
    case Status::kSkipped:
      return c.skipped;
    case Status::kExpectedFailure:
      return c.xfail;
  }
  return 0;
}

std::string E(std::string_view s) { return HtmlEscape(s); }
std::string N(uint64_t n) { return std::to_string(n); }

std::string Plural(uint64_t n, const char* one, const char* many) {
  return N(n) + " " + (n == 1 ? one : many);
}

// The colour class of a (file, engine) cell: failed, expected failures, all passed, some
// skipped, all skipped, nothing run.
const char* CellState(const Counts& c) {
  if (c.failed) return "s-failed";
  if (c.Total() == 0) return "s-empty";
  if (c.passed + c.xfail == 0) return "s-skipped";
  if (c.skipped) return "s-partial";
  if (c.xfail) return "s-xfail";
  return "s-passed";
}

// A skip message with its line numbers taken out, so that the same reason groups.
std::string Normalized(const std::string& message) {
  std::string out;
  const std::string marker = "line ";
  for (size_t i = 0; i < message.size();) {
    if (message.compare(i, marker.size(), marker) == 0 && i + marker.size() < message.size() &&
        std::isdigit(static_cast<unsigned char>(message[i + marker.size()]))) {
      out += "line N";
      i += marker.size();
      while (i < message.size() && std::isdigit(static_cast<unsigned char>(message[i]))) ++i;
      continue;
    }
    out += message[i++];
  }
  return out;
}

// A part of the section: a heading and its body, which links and the browser test find by id.
std::string Part(const char* id, const char* title, const std::string& body) {
  return "<div class=\"sub\" id=\"" + std::string(id) + "\">\n<h3>" + title + "</h3>\n" + body +
         "</div>\n";
}

std::string RunTitle(const std::vector<SpecRunInput>& runs, size_t k) {
  return runs.size() == 1 ? std::string() : " in " + E(runs[k].label);
}

// The detail of a result: "expected X, got Y -- message".
std::string Detail(const TestResult& t) {
  std::string s;
  if (!t.expected.empty() || !t.got.empty()) s = "expected " + t.expected + ", got " + t.got;
  if (!t.message.empty()) s += (s.empty() ? "" : " -- ") + t.message;
  return s;
}

std::string RunsTable(const std::vector<SpecRunInput>& runs) {
  std::string h =
      "<table id=\"runs\" class=\"runs\">\n<thead><tr><th>run</th><th>read from</th>"
      "<th>engines</th><th class=\"n\">files</th><th class=\"n\">passed</th>"
      "<th class=\"n\">failed</th><th class=\"n\">expected failures</th>"
      "<th class=\"n\">skipped</th><th>files not run to the end</th><th>verdict</th>"
      "</tr></thead>\n<tbody>\n";
  for (const SpecRunInput& in : runs) {
    Counts total;
    for (const auto& e : in.run.engines) {
      Counts c = CountFor(in.run, e);
      total.passed += c.passed;
      total.failed += c.failed;
      total.skipped += c.skipped;
      total.xfail += c.xfail;
    }
    std::string broken;
    for (const FileResult& f : in.run.files)
      if (f.state != FileResult::State::kOk)
        broken += (broken.empty() ? "" : ", ") + E(f.name) + " (" + FileStateName(f.state) + ")";
    std::string engines;
    for (const auto& e : in.run.engines) engines += (engines.empty() ? "" : ", ") + E(e);
    const char* verdict = total.failed ? "failed" : "passed";
    h += "<tr><td>" + E(in.label) + "</td><td class=\"code\">" + E(in.source) + "</td><td>" +
         engines + "</td><td class=\"n\">" + N(in.run.files.size()) + "</td><td class=\"n\">" +
         N(total.passed) + "</td><td class=\"n\">" + N(total.failed) + "</td><td class=\"n\">" +
         N(total.xfail) + "</td><td class=\"n\">" + N(total.skipped) + "</td><td>" +
         (broken.empty() ? "none" : broken) + "</td><td><span class=\"verdict " + verdict + "\">" +
         verdict + "</span></td></tr>\n";
  }
  return h + "</tbody></table>\n";
}

std::string Totals(HtmlPage& page, const std::vector<SpecRunInput>& runs) {
  std::string h = "<div class=\"charts\">\n";
  for (size_t k = 0; k < runs.size(); ++k) {
    const SpecRun& run = runs[k].run;
    ChartSpec chart;
    chart.id = "chart-totals-" + N(k);
    chart.title = "tests per engine" + (runs.size() == 1 ? "" : " (" + runs[k].label + ")");
    chart.labels = run.engines;
    chart.log_scale = true;
    for (const StatusStyle& s : kStatuses) {
      ChartSpec::Dataset d{s.label, s.color, {}};
      for (const auto& e : run.engines) d.data.push_back(Get(CountFor(run, e), s.status));
      chart.datasets.push_back(std::move(d));
    }
    h += "<figure class=\"chart\" data-run=\"" + N(k) + "\"><figcaption>" + E(runs[k].label) +
         "</figcaption>" + page.AddChart(std::move(chart)) + "</figure>\n";
  }
  h += "</div>\n<table id=\"totals-table\" class=\"totals\">\n<thead><tr><th>run</th>"
       "<th>engine</th>";
  for (const StatusStyle& s : kStatuses) h += "<th class=\"n\">" + std::string(s.label) + "</th>";
  h += "</tr></thead>\n<tbody>\n";
  for (size_t k = 0; k < runs.size(); ++k)
    for (const auto& e : runs[k].run.engines) {
      Counts c = CountFor(runs[k].run, e);
      h += "<tr data-run=\"" + N(k) + "\" data-engine=\"" + E(e) + "\"><td>" + E(runs[k].label) +
           "</td><td>" + E(e) + "</td>";
      for (const StatusStyle& s : kStatuses)
        h += "<td class=\"n " + std::string(s.key) + "\">" + N(Get(c, s.status)) + "</td>";
      h += "</tr>\n";
    }
  return Part("totals", "Totals per engine", h + "</tbody></table>\n");
}

std::string StatusSpan(const TestResult* t, const char* side) {
  if (!t) return "<span class=\"absent\">(no such test)</span>";
  return "<span class=\"" + std::string(side) + "-" + StatusName(t->status) + "\">" +
         StatusName(t->status) + "</span>";
}

std::string Changes(const std::vector<SpecRunInput>& runs,
                    const std::vector<RunComparison>& comparisons) {
  std::string h;
  for (size_t k = 1; k < runs.size(); ++k) {
    const RunComparison& c = comparisons[k - 1];
    h += "<h4>" + E(runs[k - 1].label) + " &rarr; " + E(runs[k].label) + "</h4>\n";
    h += "<p class=\"summary\" id=\"changes-summary-" + N(k) + "\">" +
         Plural(c.changes.size(), "test changed status", "tests changed status") + " (" +
         N(c.newly_failed) + " now failing, " + N(c.fixed) + " no longer failing) among " +
         N(c.compared) + " tests compared.";
    h += "</p>\n";
    auto list = [&](const std::vector<std::string>& v, const std::string& what) {
      if (v.empty()) return;
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : ", ") + E(x);
      if (v.size() <= 8)
        h += "<p class=\"note\">" + what + ": " + s + ".</p>\n";
      else
        h += "<details><summary>" + N(v.size()) + " " + what + "</summary><p>" + s +
             ".</p></details>\n";
    };
    list(c.files_only_before, "files only in " + E(runs[k - 1].label) + " (not compared)");
    list(c.files_only_after, "files only in " + E(runs[k].label) + " (not compared)");
    list(c.engines_only_before, "engines only in " + E(runs[k - 1].label));
    list(c.engines_only_after, "engines only in " + E(runs[k].label));
    if (c.changes.empty()) continue;
    h += "<table id=\"changes-" + N(k) +
         "\" class=\"changes\">\n<thead><tr><th>test</th><th>engine</th><th>command</th>"
         "<th>" +
         E(runs[k - 1].label) + "</th><th>" + E(runs[k].label) +
         "</th><th>now</th><th>re-run</th></tr></thead>\n<tbody>\n";
    for (const Change& ch : c.changes) {
      const TestResult* now = ch.after ? ch.after : ch.before;
      h += "<tr class=\"change\"><td class=\"code\">" + E(ch.id) + "</td><td>" + E(ch.engine) +
           "</td><td>" + E(ch.command) + "</td><td>" + StatusSpan(ch.before, "from") + "</td><td>" +
           StatusSpan(ch.after, "to") + "</td><td class=\"wrap\">" +
           E(ch.after ? Detail(*now) : "") + "</td><td class=\"code\">" +
           (ch.after ? E(RerunCommand(*ch.file, *now)) : "") + "</td></tr>\n";
    }
    h += "</tbody></table>\n";
  }
  return Part("changes", "What changed", h);
}

std::string Matrix(const std::vector<SpecRunInput>& runs,
                   const std::vector<RunComparison>& comparisons) {
  // Rows: every file of every run, in the first run's order, then files new in later runs.
  std::vector<std::string> rows;
  std::set<std::string> seen;
  std::vector<std::map<std::string, const FileResult*>> by_key(runs.size());
  std::map<const FileResult*, std::string> key_of;
  for (size_t k = 0; k < runs.size(); ++k) {
    std::vector<std::string> keys = FileKeys(runs[k].run);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (seen.insert(keys[i]).second) rows.push_back(keys[i]);
      by_key[k][keys[i]] = &runs[k].run.files[i];
      key_of[&runs[k].run.files[i]] = keys[i];
    }
  }
  // Files whose tests changed status between two consecutive runs.
  std::set<std::string> changed;
  for (const RunComparison& c : comparisons)
    for (const Change& ch : c.changes) changed.insert(key_of[ch.file]);

  std::string h =
      "<p class=\"legend\">A row per file, per engine the tests that passed, failed, failed as "
      "expected (listed in spec-tests/expected-failures) and were skipped. "
      "<span class=\"s-passed\">all passed</span><span class=\"s-partial\">passed, some "
      "skipped</span><span class=\"s-xfail\">expected failures</span><span "
      "class=\"s-failed\">failed</span><span class=\"s-skipped\">all skipped</span><span "
      "class=\"s-absent\">&ndash; not in this run</span>";
  if (runs.size() > 1) h += " A marked row changed between runs.";
  h += "</p>\n<p><label><input type=\"checkbox\" data-filter=\"matrix-table\"> only files with "
       "failures" +
       std::string(runs.size() > 1 ? " or changes" : "") + "</label></p>\n";
  h += "<table id=\"matrix-table\" class=\"matrix\">\n<thead>\n<tr><th rowspan=\"" +
       N(runs.size() > 1 ? 3 : 2) + "\" class=\"file\">file</th>";
  if (runs.size() > 1)
    for (size_t k = 0; k < runs.size(); ++k)
      h += "<th class=\"run first\" colspan=\"" + N(4 * runs[k].run.engines.size()) + "\">" +
           E(runs[k].label) + "</th>";
  if (runs.size() > 1) h += "</tr>\n<tr>";
  for (size_t k = 0; k < runs.size(); ++k)
    for (const auto& e : runs[k].run.engines)
      h += "<th class=\"engine first\" colspan=\"4\">" + E(e) + "</th>";
  h += "</tr>\n<tr>";
  for (size_t k = 0; k < runs.size(); ++k)
    for (size_t e = 0; e < runs[k].run.engines.size(); ++e)
      for (size_t s = 0; s < 4; ++s)
        h += std::string("<th class=\"n") + (s == 0 ? " first" : "") + "\" title=\"" +
             kStatuses[s].label + "\">" + kStatuses[s].key + "</th>";
  h += "</tr>\n</thead>\n<tbody>\n";

  for (const std::string& key : rows) {
    bool failed = false;
    std::string badges, cells;
    for (size_t k = 0; k < runs.size(); ++k) {
      auto it = by_key[k].find(key);
      const FileResult* f = it == by_key[k].end() ? nullptr : it->second;
      if (f && f->state != FileResult::State::kOk) {
        badges += "<span class=\"badge\" title=\"" + E(f->error) + "\">" + FileStateName(f->state) +
                  (runs.size() > 1 ? " in " + E(runs[k].label) : "") + "</span>";
        failed = true;
      }
      for (const auto& e : runs[k].run.engines) {
        Counts c = f ? CountFor(*f, e) : Counts{};
        failed = failed || c.failed;
        const char* state = f ? CellState(c) : "s-absent";
        for (size_t s = 0; s < 4; ++s) {
          cells += "<td class=\"n " + std::string(state) + " c-" + kStatuses[s].key +
                   (s == 0 ? " first" : "") + "\" data-run=\"" + N(k) + "\" data-engine=\"" + E(e) +
                   "\" data-count=\"" + kStatuses[s].key + "\">" +
                   (f ? N(Get(c, kStatuses[s].status)) : "&ndash;") + "</td>";
        }
      }
    }
    bool is_changed = changed.count(key) > 0;
    std::string cls =
        std::string(failed || is_changed ? "notable" : "") + (is_changed ? " changed" : "");
    h += "<tr data-file=\"" + E(key) + "\"" + (cls.empty() ? "" : " class=\"" + cls + "\"") +
         "><th class=\"file\" scope=\"row\">" + E(key) + badges +
         (is_changed ? "<span class=\"badge changed\">changed</span>" : "") + "</th>" + cells +
         "</tr>\n";
  }
  return Part("matrix", "Pass matrix", h + "</tbody></table>\n");
}

std::string Failures(const std::vector<SpecRunInput>& runs) {
  std::string h;
  for (size_t k = 0; k < runs.size(); ++k) {
    const SpecRun& run = runs[k].run;
    uint64_t n = 0;
    for (const auto& f : run.files)
      for (const auto& t : f.tests) n += t.status == Status::kFailed;
    if (runs.size() > 1) h += "<h4>" + E(runs[k].label) + "</h4>\n";
    if (!n) {
      h += "<p class=\"none\" id=\"failures-none-" + N(k) + "\">No failures" + RunTitle(runs, k) +
           ".</p>\n";
      continue;
    }
    h += "<p>" + Plural(n, "failure", "failures") + RunTitle(runs, k) +
         ", each with the command that re-runs it.</p>\n";
    h += "<table id=\"failures-" + N(k) +
         "\" class=\"failures\">\n<thead><tr><th>test</th><th>engine</th><th>command</th>"
         "<th>expected</th><th>got</th><th>detail</th><th>re-run</th></tr></thead>\n<tbody>\n";
    for (const auto& f : run.files)
      for (const auto& t : f.tests) {
        if (t.status != Status::kFailed) continue;
        h += "<tr class=\"failure\"><td class=\"code\">" + E(TestId(f, t)) + "</td><td>" +
             E(t.engine) + "</td><td>" + E(t.command) + "</td><td class=\"code wrap\">" +
             E(t.expected) + "</td><td class=\"code wrap\">" + E(t.got) +
             "</td><td class=\"wrap\">" + E(t.message) + "</td><td class=\"code\">" +
             E(RerunCommand(f, t)) + "</td></tr>\n";
      }
    h += "</tbody></table>\n";
  }
  return Part("failures", "Failures", h);
}

// Stale expected-failure entries and the expected failures themselves.
std::string ExpectedFailures(const std::vector<SpecRunInput>& runs) {
  std::string stale =
      "<p class=\"note\">A listed test that passes, or a listed line with no "
      "test, fails the run so that spec-tests/expected-failures cannot rot; "
      "remove the entry.</p>\n";
  std::string xfail;
  for (size_t k = 0; k < runs.size(); ++k) {
    std::string rows_stale, rows_xfail;
    uint64_t n_stale = 0, n_xfail = 0;
    for (const auto& f : runs[k].run.files)
      for (const auto& t : f.tests) {
        if (IsStaleExpectedFailure(t)) {
          ++n_stale;
          rows_stale += "<tr class=\"stale\"><td class=\"code\">" + E(TestId(f, t)) + "</td><td>" +
                        E(t.engine) + "</td><td class=\"wrap\">" + E(t.message) + "</td></tr>\n";
        } else if (t.status == Status::kExpectedFailure) {
          ++n_xfail;
          rows_xfail += "<tr class=\"xfail\"><td class=\"code\">" + E(TestId(f, t)) + "</td><td>" +
                        E(t.engine) + "</td><td>" + E(t.command) + "</td><td class=\"wrap\">" +
                        E(Detail(t)) + "</td></tr>\n";
        }
      }
    if (runs.size() > 1) {
      stale += "<h4>" + E(runs[k].label) + "</h4>\n";
      xfail += "<h4>" + E(runs[k].label) + "</h4>\n";
    }
    if (n_stale)
      stale += "<table id=\"stale-" + N(k) +
               "\" class=\"stale\">\n<thead><tr><th>entry</th>"
               "<th>engine</th><th>why it is stale</th></tr></thead>\n<tbody>\n" +
               rows_stale + "</tbody></table>\n";
    else
      stale += "<p class=\"none\">No stale entries" + RunTitle(runs, k) + ".</p>\n";
    if (n_xfail)
      xfail += "<p>" + Plural(n_xfail, "test", "tests") + " failed as listed" + RunTitle(runs, k) +
               " (counted with the passed tests in the closing line of tandem spec).</p>\n"
               "<table id=\"xfail-" +
               N(k) +
               "\" class=\"xfail\">\n<thead><tr><th>test</th>"
               "<th>engine</th><th>command</th><th>what happened and why it is listed</th>"
               "</tr></thead>\n<tbody>\n" +
               rows_xfail + "</tbody></table>\n";
    else
      xfail += "<p class=\"none\">No expected failures" + RunTitle(runs, k) + ".</p>\n";
  }
  return Part("stale", "Stale expected-failure entries", stale) +
         Part("xfail", "Expected failures", xfail);
}

std::string Skipped(const std::vector<SpecRunInput>& runs) {
  std::string h;
  for (size_t k = 0; k < runs.size(); ++k) {
    struct Group {
      uint64_t tests = 0;
      std::set<std::string> files;
      std::string example;
    };
    // (engine, category, reason) in the run's engine order.
    std::map<std::tuple<size_t, std::string, std::string>, Group> groups;
    std::map<std::pair<size_t, std::string>, uint64_t> categories;
    const SpecRun& run = runs[k].run;
    for (const auto& f : run.files)
      for (const auto& t : f.tests) {
        if (t.status != Status::kSkipped) continue;
        size_t e =
            std::find(run.engines.begin(), run.engines.end(), t.engine) - run.engines.begin();
        if (e == run.engines.size()) continue;  // not one of the run's engines: not shown
        std::string cat = t.skip_category.empty() ? "other" : t.skip_category;
        ++categories[{e, cat}];
        Group& g = groups[{e, cat, Normalized(t.message)}];
        ++g.tests;
        g.files.insert(f.name);
        if (g.example.empty()) g.example = TestId(f, t);
      }
    if (runs.size() > 1) h += "<h4>" + E(runs[k].label) + "</h4>\n";
    if (groups.empty()) {
      h += "<p class=\"none\">No skipped tests" + RunTitle(runs, k) + ".</p>\n";
      continue;
    }
    h += "<table id=\"skip-categories-" + N(k) +
         "\" class=\"skips\">\n<thead><tr><th>engine</th>"
         "<th>why</th><th class=\"n\">tests</th></tr></thead>\n<tbody>\n";
    for (const auto& [key, n] : categories)
      h += "<tr><td>" + E(run.engines[key.first]) + "</td><td>" + E(key.second) +
           "</td><td class=\"n\">" + N(n) + "</td></tr>\n";
    h += "</tbody></table>\n";
    std::vector<std::pair<const std::tuple<size_t, std::string, std::string>*, const Group*>> order;
    for (const auto& [key, g] : groups) order.push_back({&key, &g});
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      if (std::get<0>(*a.first) != std::get<0>(*b.first))
        return std::get<0>(*a.first) < std::get<0>(*b.first);
      return a.second->tests > b.second->tests;
    });
    h += "<details><summary>" + Plural(groups.size(), "reason", "reasons") +
         " in detail (line numbers shown as N)</summary>\n<table id=\"skip-reasons-" + N(k) +
         "\" class=\"skips\">\n<thead><tr><th>engine</th><th>why</th><th>reason</th>"
         "<th class=\"n\">tests</th><th class=\"n\">files</th><th>for example</th></tr></thead>\n"
         "<tbody>\n";
    for (const auto& [key, g] : order)
      h += "<tr><td>" + E(run.engines[std::get<0>(*key)]) + "</td><td>" + E(std::get<1>(*key)) +
           "</td><td class=\"wrap\">" + E(std::get<2>(*key)) + "</td><td class=\"n\">" +
           N(g->tests) + "</td><td class=\"n\">" + N(g->files.size()) + "</td><td class=\"code\">" +
           E(g->example) + "</td></tr>\n";
    h += "</tbody></table></details>\n";
  }
  return Part("skipped", "Skipped tests", h);
}

}  // namespace

void AddSpecSection(HtmlPage& page, const std::vector<SpecRunInput>& runs) {
  std::vector<RunComparison> comparisons;
  for (size_t k = 1; k < runs.size(); ++k)
    comparisons.push_back(CompareRuns(runs[k - 1].run, runs[k].run));
  std::string h = "<p class=\"contents\"><a href=\"#runs\">runs</a>";
  if (runs.size() > 1) h += "<a href=\"#changes\">what changed</a>";
  h += "<a href=\"#totals\">totals</a><a href=\"#matrix\">pass matrix</a><a "
       "href=\"#failures\">failures</a>"
       "<a href=\"#stale\">stale entries</a><a href=\"#xfail\">expected failures</a>"
       "<a href=\"#skipped\">skipped</a></p>\n";
  h += RunsTable(runs);
  if (runs.size() > 1) h += Changes(runs, comparisons);
  h += Totals(page, runs);
  h += Matrix(runs, comparisons);
  h += Failures(runs);
  h += ExpectedFailures(runs);
  h += Skipped(runs);
  page.AddSection("spec", "Spec runs", std::move(h));
}

std::string SpecReportPage(const std::vector<SpecRunInput>& runs, std::string_view chart_js,
                           std::string_view generator) {
  HtmlPage page("tandem report");
  std::string from;
  for (const auto& r : runs) from += (from.empty() ? "" : ", ") + E(r.label);
  page.SetSubtitle("Spec run" + std::string(runs.size() == 1 ? "" : "s") + ": " + from +
                   ". Made by " + E(generator) + " from the runs' JSON files.");
  AddSpecSection(page, runs);
  return page.Render(chart_js, generator);
}

}  // namespace tandem::reports
