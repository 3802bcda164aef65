// regress_test.cc: every module in corpus/regress/ runs on every engine and must behave as on
// the reference (DESIGN.md "State"; the testing rule: every bug fixed gets a regression case).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "diff/engine.h"
#include "diff/compare.h"
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
    if (e.path().extension() == ".wat" || e.path().extension() == ".wasm")
      cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  REQUIRE(!cases.empty());
  EngineConfig config;
  config.nan_canonical = true;
  config.fuel = 1'000'000;
  for (const fs::path& path : cases) {
    DYNAMIC_SECTION(path.filename().string()) {
      std::ifstream in(path, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      std::vector<uint8_t> bytes;
      if (path.extension() == ".wat") {
        bytes = testing::WatToWasm(text.str());
      } else {
        std::string s = text.str();
        bytes.assign(s.begin(), s.end());
      }
      // NAME.script.json: {"module": {"refused": PREFIX}} for a module every engine must refuse
      // (decoder or validator) with a message starting with PREFIX.
      fs::path script = path;
      script.replace_extension(".script.json");
      if (fs::exists(script)) {
        std::ifstream sin(script);
        auto j = nlohmann::json::parse(sin);
        if (j.contains("module") && j["module"].contains("refused")) {
          std::string want = j["module"]["refused"];
          std::string got;
          try {
            wasm::Validate(wasm::Decode(bytes));
          } catch (const wasm::WasmError& e) {
            got = e.what();
          }
          INFO("refusal: " << got);
          CHECK(got.rfind(want, 0) == 0);
          continue;
        }
      }
      auto module = std::make_shared<wasm::Module>(wasm::Decode(bytes));
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
