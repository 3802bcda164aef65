// reports_test.cc: the report writers and readers on small runs: the JSON and JUnit XML of
// `tandem spec` byte for byte, the JSON read back (and refused when it is of another kind or
// empty), what changed between two runs, and the HTML page's content and escaping
// (DESIGN.md "Layout" reports/).
#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "reports/compare_runs.h"
#include "reports/json_report.h"
#include "reports/junit_report.h"
#include "reports/spec_html.h"

using namespace tandem::reports;

namespace {

// Two files on two engines: a pass, a failure, a skip, an expected failure, a stale entry.
SpecRun SmallRun() {
  SpecRun run;
  run.engines = {"ref", "x64"};
  FileResult a;
  a.path = "../shared/testsuite/i32.wast";
  a.name = "i32.wast";
  a.tests = {
      {37, "assert_return", "ref", Status::kPassed, "i32:2", "i32:2", "", ""},
      {37, "assert_return", "x64", Status::kFailed, "i32:2", "i32:3", "", ""},
      {40, "assert_return", "x64", Status::kSkipped, "", "", "unsupported by x64: at line 4",
       "unsupported"},
  };
  FileResult b;
  b.path = "dir with space/select.wast";
  b.name = "select.wast";
  b.tests = {
      {324, "assert_invalid", "ref", Status::kExpectedFailure, "invalid: x", "invalid: y",
       "expected failure: a <wast2json> artifact", ""},
      {330, "expected-failure", "x64", Status::kFailed, "", "",
       "stale expected-failure entry (no test at this line): gone", ""},
  };
  run.files = {a, b};
  return run;
}

std::string Json(const SpecRun& run) {
  std::ostringstream o;
  WriteSpecJson(run, o);
  return o.str();
}

std::string Error(const std::string& text) {
  try {
    ReadSpecJson(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("reports: the JSON of a spec run, byte for byte, and read back", "[reports]") {
  const std::string text = Json(SmallRun());
  // The format of `tandem spec --json` (object keys sorted, one space of indent).
  CHECK(text.rfind("{\n \"files\": [\n  {\n   \"error\": \"\",\n   \"file\": \"i32.wast\",\n"
                   "   \"path\": \"../shared/testsuite/i32.wast\",\n   \"state\": \"ok\"\n  },",
                   0) == 0);
  CHECK(text.find("\"id\": \"i32.wast:37\"") != std::string::npos);
  CHECK(text.find(" \"summary\": {\n  \"engines\": [\n   \"ref\",\n   \"x64\"\n  ],\n"
                  "  \"expected_failures\": 1,\n  \"failed\": 2,\n  \"passed\": 1,\n"
                  "  \"skipped\": 1\n }\n}\n") != std::string::npos);

  SpecRun back = ReadSpecJson(text);
  CHECK(back.engines == SmallRun().engines);
  REQUIRE(back.files.size() == 2);
  CHECK(back.files[1].tests[0].status == Status::kExpectedFailure);
  CHECK(back.files[1].path == "dir with space/select.wast");
  CHECK(Json(back) == text);  // read and written again: the same bytes
}

TEST_CASE("reports: the verifier's counts of a --verify run, written and read back",
          "[reports]") {
  SpecRun run = SmallRun();
  run.files[0].verify = {{"x64", 3, 40, 39, 1, 0, 5}};
  run.files[1].verify = {{"x64", 2, 10, 10, 0, 0, 0}};
  const std::string text = Json(run);
  CHECK(text.find("\"verify\": {\n   \"x64\": {\n    \"accesses\": 50,\n    \"cached\": 5,\n"
                  "    \"failed\": 1,\n    \"functions\": 5,\n    \"proved\": 49,\n"
                  "    \"unknown\": 0\n   }\n  }") != std::string::npos);  // the summary's totals
  SpecRun back = ReadSpecJson(text);
  REQUIRE(back.files[0].verify.size() == 1);
  CHECK(back.files[0].verify[0] == run.files[0].verify[0]);
  CHECK(Json(back) == text);
  CHECK(Json(SmallRun()).find("verify") == std::string::npos);  // absent without --verify
}

TEST_CASE("reports: JSON that is not a spec run is refused, saying why", "[reports]") {
  CHECK_THAT(Error("{\"files\": ["), Catch::StartsWith("not JSON: parse error"));
  CHECK_THAT(Error("[1, 2]"), Catch::Contains("not an object"));
  CHECK_THAT(Error("{\"calls\": []}"), Catch::Contains("not the JSON of `tandem spec --json`") &&
                                           Catch::Contains("its keys: calls"));
  const std::string empty =
      "{\"summary\": {\"engines\": [\"ref\"], \"passed\": 0, \"failed\": 0, \"skipped\": 0, "
      "\"expected_failures\": 0}, \"files\": [], \"results\": []}";
  CHECK_THAT(Error(empty), Catch::StartsWith("an empty run"));
  std::string no_results = Json(SmallRun());
  no_results = no_results.substr(0, no_results.find(" \"results\"")) +
               " \"results\": [], \"summary\": {\"engines\": [\"ref\"]}}";
  CHECK_THAT(Error(no_results), Catch::Contains("an empty run: 2 file(s) but no test result"));

  std::string text = Json(SmallRun());
  std::string bad_status = text;
  bad_status.replace(bad_status.find("\"expected-failure\""), 18, "\"maybe\"");
  CHECK_THAT(Error(bad_status), Catch::Contains("unknown status \"maybe\""));
  std::string edited = text;
  edited.replace(edited.find("\"passed\": 1"), 11, "\"passed\": 7");
  CHECK_THAT(Error(edited), Catch::Contains("\"summary\" says 7 passed but the results hold 1"));
  std::string stranger = text;
  stranger.replace(stranger.rfind("\"file\": \"select.wast\""), 21, "\"file\": \"other.wast\"");
  CHECK_THAT(Error(stranger), Catch::Contains("file \"other.wast\" is not in \"files\""));
}

TEST_CASE("reports: the JUnit XML of a spec run", "[reports]") {
  SpecRun run = SmallRun();
  run.files.resize(1);
  std::ostringstream o;
  WriteSpecJunit(run, o);
  CHECK(o.str() ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"tandem spec\" tests=\"3\" failures=\"1\" skipped=\"1\">\n"
        "  <testsuite name=\"i32.wast\" tests=\"3\" failures=\"1\" skipped=\"1\">\n"
        "    <testcase classname=\"i32.wast\" name=\"ref:37 assert_return\"/>\n"
        "    <testcase classname=\"i32.wast\" name=\"x64:37 assert_return\">\n"
        "      <failure message=\"expected i32:2, got i32:3\"/>\n    </testcase>\n"
        "    <testcase classname=\"i32.wast\" name=\"x64:40 assert_return\">\n"
        "      <skipped message=\"unsupported by x64: at line 4\"/>\n    </testcase>\n"
        "  </testsuite>\n</testsuites>\n");
  CHECK(XmlEscape("a<b>&\"'\x01") == "a&lt;b&gt;&amp;&quot;&apos;?");
}

TEST_CASE("reports: ids and re-run commands as tandem spec prints them", "[reports]") {
  SpecRun run = SmallRun();
  CHECK(TestId(run.files[0], run.files[0].tests[1]) == "i32.wast:37");
  CHECK(RerunCommand(run.files[0], run.files[0].tests[1]) ==
        "tandem spec --engines x64 ../shared/testsuite/i32.wast --line 37");
  // A stale entry names no line to re-run; a path with a space is quoted.
  CHECK(RerunCommand(run.files[1], run.files[1].tests[1]) ==
        "tandem spec --engines x64 'dir with space/select.wast'");
  CHECK(IsStaleExpectedFailure(run.files[1].tests[1]));
  CHECK_FALSE(IsStaleExpectedFailure(run.files[0].tests[1]));
  CHECK(CountFor(run, "x64") == Counts{0, 2, 1, 0});
}

TEST_CASE("reports: what changed between two runs", "[reports]") {
  SpecRun before = SmallRun();
  SpecRun after = SmallRun();
  after.engines = {"ref", "x64", "a64"};
  after.files[0].tests[0].status = Status::kFailed;  // ref: passed -> failed
  after.files[0].tests[1].status = Status::kPassed;  // x64: failed -> passed
  after.files[0].tests.push_back({50, "assert_trap", "ref", Status::kPassed, "", "", "", ""});
  after.files[0].tests.push_back({50, "assert_trap", "a64", Status::kFailed, "", "", "", ""});
  after.files[1].path = "elsewhere/select.wast";  // the same file in another folder
  FileResult extra;
  extra.name = extra.path = "nop.wast";
  after.files.push_back(extra);

  RunComparison c = CompareRuns(before, after);
  REQUIRE(c.changes.size() == 3);
  CHECK(c.changes[0].id == "i32.wast:37");
  CHECK(c.changes[0].engine == "ref");
  CHECK(c.changes[0].before->status == Status::kPassed);
  CHECK(c.changes[0].after->status == Status::kFailed);
  CHECK(c.changes[1].engine == "x64");
  CHECK(c.changes[2].id == "i32.wast:50");  // new test; the a64 one is not compared
  CHECK(c.changes[2].before == nullptr);
  CHECK(c.newly_failed == 1);
  CHECK(c.fixed == 1);
  CHECK(c.files_only_after == std::vector<std::string>{"nop.wast"});
  CHECK(c.engines_only_after == std::vector<std::string>{"a64"});
  CHECK(c.compared == 6);
  CHECK(CompareRuns(before, before).changes.empty());
}

TEST_CASE("reports: the HTML page of two runs", "[reports]") {
  SpecRun before = SmallRun();
  SpecRun after = SmallRun();
  after.files[0].tests[0].status = Status::kFailed;
  after.files[0].tests[0].got = "i32:<script>alert(1)</script>";
  std::vector<SpecRunInput> runs = {{"main", "a.json", before}, {"pr </script>", "b.json", after}};
  std::string page = SpecReportPage(runs, "/*chart.js*/", "tandem 9.9");

  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("Content-Security-Policy\" content=\"default-src 'none'") != std::string::npos);
  CHECK(page.find("<script>\n/*chart.js*/\n</script>") != std::string::npos);
  // Whatever a result says, it is text on the page, and it cannot end a script element.
  CHECK(page.find("<script>alert") == std::string::npos);
  CHECK(page.find("i32:&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(page.find("pr </script>") == std::string::npos);
  CHECK(page.find("(pr <\\/script>)") != std::string::npos);  // in the charts' JSON
  // Sections the browser test and links find; both runs' charts; one matrix row per file.
  for (const char* id : {"id=\"spec\"", "id=\"runs\"", "id=\"totals\"", "id=\"changes\"",
                         "id=\"matrix\"", "id=\"failures\"", "id=\"stale\"", "id=\"xfail\"",
                         "id=\"skipped\"", "id=\"chart-totals-0\"", "id=\"chart-totals-1\"",
                         "id=\"changes-1\"", "id=\"stale-0\"", "id=\"xfail-0\""})
    CHECK(page.find(id) != std::string::npos);
  size_t rows = 0;
  for (size_t at = 0; (at = page.find("<tr data-file=", at)) != std::string::npos; ++at) ++rows;
  CHECK(rows == 2);
  CHECK(page.find("<tr data-file=\"i32.wast\" class=\"notable changed\">") != std::string::npos);
  CHECK(page.find("<td class=\"code\">i32.wast:37</td><td>ref</td><td>assert_return</td>"
                  "<td><span class=\"from-passed\">passed</span></td>"
                  "<td><span class=\"to-failed\">failed</span></td>") != std::string::npos);
  CHECK(page.find("tandem spec --engines x64 &#39;dir with space/select.wast&#39;") !=
        std::string::npos);
  // Skip reasons group with their line numbers taken out.
  CHECK(page.find("unsupported by x64: at line N") != std::string::npos);
}
