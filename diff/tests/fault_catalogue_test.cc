// fault_catalogue_test.cc: every fault of the seeded codegen fault catalogue (jit/faults.h,
// `tandem fuzz --list-faults`) makes its back end compute something else: a short campaign of
// smith and single cases with the fault on finds it. bench/fault_detection.py measures how fast.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "diff/faults.h"
#include "diff/fuzz.h"
#include "jit/faults.h"

namespace tandem::diff {
namespace {

namespace fs = std::filesystem;

TEST_CASE("fault catalogue: at least 20 codegen faults, each found by a short campaign",
          "[faults][fuzz-loop][slow]") {
  const auto faults = jit::CodegenFaults();
  CHECK(faults.size() >= 20);
  std::string tmpl = (fs::temp_directory_path() / "tandem-catalogue-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  const fs::path dir = tmpl;
  for (const jit::CodegenFaultInfo& f : faults) {
    const std::string backend = std::string(f.back_ends).substr(0, 3);
    const auto host = HostEngineNames();
    if (std::find(host.begin(), host.end(), backend) == host.end()) continue;  // x64 on aarch64
    FuzzOptions o;
    o.engines = {"ref", backend};
    o.generators = {"smith", "single"};
    o.seed = 1;
    o.time_seconds = 60;
    o.max_findings = 1;
    o.jobs = 2;
    o.faults = ParseFaultList(f.name);
    o.faults_text = f.name;
    o.config.fuel = 1'000'000;
    o.config.max_call_depth = 1000;
    o.config.max_memory_pages = 256;
    o.timeout_seconds = 5;
    o.quiet = true;
    o.json_path = (dir / (std::string(f.name) + ".json")).string();
    INFO("fault " << f.name << " on " << backend);
    CHECK(RunFuzz(o) == 1);
    std::ifstream sj(o.json_path);
    auto summary = nlohmann::json::parse(sj);
    CHECK(summary["findings"].size() >= 1);  // cases in flight on the other worker may add one
    WARN(f.name << ": found after " << summary.value("first_finding_seconds", -1.0) << " s, "
                << summary["cases"].get<uint64_t>() << " cases");
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tandem::diff
