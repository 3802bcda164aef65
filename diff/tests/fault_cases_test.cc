// fault_cases_test.cc: corpus/faults/NAME.wasm + NAME.script.json, one reduced regression case
// per seeded codegen fault NAME (made by `tandem reduce` from a campaign's finding): without the
// fault every engine meets the script's expectations; with it, the case is a finding again.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "diff/case.h"
#include "diff/faults.h"
#include "diff/harness.h"
#include "jit/faults.h"

namespace tandem::diff {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("corpus/faults: each reduced case passes without its fault and fails with it",
          "[faults][regress]") {
  fs::path dir = fs::path(TANDEM_SOURCE_DIR) / "corpus" / "faults";
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wasm") cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 20);
  const auto host = HostEngineNames();
  for (const fs::path& path : cases) {
    const std::string name = path.stem().string();
    DYNAMIC_SECTION(name) {
      const jit::CodegenFaultInfo* info = nullptr;
      for (const jit::CodegenFaultInfo& f : jit::CodegenFaults())
        if (name == f.name) info = &f;
      INFO("the file is named after its fault");
      REQUIRE(info != nullptr);
      const std::string backend = std::string(info->back_ends).substr(0, 3);
      if (std::find(host.begin(), host.end(), backend) == host.end()) continue;
      fs::path script_path = path;
      script_path.replace_extension(".script.json");
      REQUIRE(fs::exists(script_path));
      Script script = ParseScript(ReadText(script_path));
      CHECK_FALSE(script.description.empty());
      CHECK_FALSE(script.signature.empty());
      CHECK(script.review.empty());
      REQUIRE_FALSE(script.calls.empty());
      for (const Call& c : script.calls) CHECK(c.expect.has_value());
      std::string bytes = ReadText(path);
      Case c = MakeCase(std::vector<uint8_t>(bytes.begin(), bytes.end()), script);
      HarnessOptions o;
      o.engines = {"ref", backend};
      o.timeout_seconds = 10;
      CaseResult clean = RunCaseIsolated(c, o);
      INFO(FormatCaseResult(clean, c));
      CHECK(clean.verdict == CaseResult::Verdict::kAgree);
      o.faults = ParseFaultList(name);
      CaseResult faulty = RunCaseIsolated(c, o);
      INFO(FormatCaseResult(faulty, c));
      CHECK(IsFinding(faulty.verdict));
    }
  }
}

}  // namespace
}  // namespace tandem::diff
