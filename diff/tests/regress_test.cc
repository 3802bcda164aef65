// regress_test.cc: every case in corpus/regress/ (NAME.wasm or NAME.wat + NAME.script.json)
// runs on every engine through the harness, as `tandem diff` runs it: each call must produce
// what its script expects on every engine, and the engines must agree with each other on
// everything the comparator compares (the testing rule: every bug fixed gets a regression case).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "diff/case.h"
#include "diff/harness.h"
#include "reference/tests/wat_util.h"

namespace tandem::diff {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("corpus/regress: every case meets its script on every engine, and they agree",
          "[diff][regress]") {
  fs::path dir = fs::path(TANDEM_SOURCE_DIR) / "corpus" / "regress";
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wat" || e.path().extension() == ".wasm")
      cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 3);
  for (const fs::path& path : cases) {
    DYNAMIC_SECTION(path.filename().string()) {
      std::vector<uint8_t> bytes;
      if (path.extension() == ".wat") {
        bytes = testing::WatToWasm(ReadText(path));
      } else {
        std::string s = ReadText(path);
        bytes.assign(s.begin(), s.end());
      }
      fs::path script_path = path;
      script_path.replace_extension(".script.json");
      INFO("every case has a script with the expected outcome of every call: " << script_path);
      REQUIRE(fs::exists(script_path));
      Script script = ParseScript(ReadText(script_path));
      CHECK_FALSE(script.description.empty());
      for (const Call& c : script.calls) CHECK(c.expect.has_value());
      CHECK((script.refused || script.instantiation));
      Case c = MakeCase(std::move(bytes), script);

      HarnessOptions o;
      o.engines = HostEngineNames();
      o.config.fuel = 1'000'000;
      CaseResult r = RunCaseIsolated(c, o);
      INFO(FormatCaseResult(r, c));
      if (script.refused) {
        CHECK(r.verdict == CaseResult::Verdict::kRefused);
      } else {
        CHECK(r.verdict == CaseResult::Verdict::kAgree);
        CHECK(r.calls_run == script.calls.size());
        for (const EngineReport& e : r.engines) CHECK_FALSE(e.unsupported);
      }
    }
  }
}

}  // namespace
}  // namespace tandem::diff
