// regress_test.cc: every module in corpus/regress/ runs on every engine and must behave as on
// the reference (DESIGN.md "State"; the testing rule: every bug fixed gets a regression case).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "diff/engine.h"
#include "diff/state.h"
#include "reference/decoder.h"
#include "reference/tests/wat_util.h"
#include "reference/validator.h"

namespace tandem::diff {
namespace {

namespace fs = std::filesystem;

TEST_CASE("corpus/regress: every case behaves on every engine as on the reference", "[diff]") {
  fs::path dir = fs::path(TANDEM_SOURCE_DIR) / "corpus" / "regress";
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wat") cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  REQUIRE(!cases.empty());
  EngineConfig config;
  config.nan_canonical = true;
  config.fuel = 1'000'000;
  for (const fs::path& path : cases) {
    DYNAMIC_SECTION(path.filename().string()) {
      std::ifstream in(path);
      std::stringstream text;
      text << in.rdbuf();
      auto module = std::make_shared<wasm::Module>(wasm::Decode(testing::WatToWasm(text.str())));
      wasm::Validate(*module);
      auto ref = MakeEngine("ref", config);
      InstantiateOutcome r = ref->Instantiate(module);
      for (const std::string& name : EngineNames()) {
        if (name == "ref") continue;
        INFO("engine " << name);
        auto eng = MakeEngine(name, config);
        InstantiateOutcome e = eng->Instantiate(module);
        REQUIRE(e.status == r.status);
        if (r.status != InstantiateOutcome::Status::kOk) continue;
        for (const wasm::Export& x : module->exports) {
          if (x.kind != wasm::ExternKind::Func) continue;
          if (!module->FuncTypeOf(x.index).params.empty()) continue;
          wasm::Outcome a = ref->Invoke(r.instance, x.name, {});
          wasm::Outcome b = eng->Invoke(e.instance, x.name, {});
          INFO("export " << x.name << ": " << wasm::ToString(a) << " vs " << wasm::ToString(b));
          REQUIRE(a.kind == b.kind);
          if (a.kind == wasm::Outcome::Kind::kValues) CHECK(SameValues(*ref, a.values, *eng, b.values));
          if (a.kind == wasm::Outcome::Kind::kTrap) CHECK(a.trap == b.trap);
        }
        auto diffs = DiffInstanceStates(*ref, r.instance, *eng, e.instance);
        INFO((diffs.empty() ? std::string() : diffs[0]));
        CHECK(diffs.empty());
      }
    }
  }
}

}  // namespace
}  // namespace tandem::diff
