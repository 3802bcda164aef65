// golden_test.cc: golden x86-64 listings (STYLE.md 10): every corpus/golden/x64/NAME.wat is
// compiled in a fresh JitStore and its --print-code listing (jit/listing.h) compared with
// NAME.expected. `TANDEM_BLESS=1` rewrites the .expected files instead; review the diff.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "jit/jit_store.h"
#include "jit/listing.h"
#include "jit/tests/jit_test_util.h"
#include "reference/decoder.h"
#include "reference/tests/wat_util.h"
#include "reference/validator.h"

namespace tandem::jit {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The listing of every function of `wat`, compiled in a store of its own (kept in *keep).
std::string ListingOf(const std::string& wat, std::unique_ptr<JitStore>* keep) {
  auto module = std::make_shared<wasm::Module>(wasm::Decode(tandem::testing::WatToWasm(wat)));
  wasm::Validate(*module);
  std::string error;
  auto store = JitStore::Create(JitConfig{}, &error);
  if (!store) throw std::runtime_error(error);
  testutil::InstantiateWithStandIns(*store, module);
  std::string listing = FormatStoreListing(*store);
  *keep = std::move(store);
  return listing;
}

// The first differing line of two texts, for the failure message.
std::string FirstDifference(const std::string& want, const std::string& got) {
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (int n = 1;; ++n) {
    bool ea = !std::getline(a, la), eb = !std::getline(b, lb);
    if (ea && eb) return "";
    if (ea || eb || la != lb)
      return "line " + std::to_string(n) + ":\n  expected: " + (ea ? "<end>" : la) +
             "\n  got:      " + (eb ? "<end>" : lb);
  }
}

TEST_CASE("golden: x64 listings of corpus/golden/x64 match their .expected files",
          "[x64][golden]") {
  const fs::path dir = fs::path(TANDEM_SOURCE_DIR) / "corpus" / "golden" / "x64";
  const char* bless_env = std::getenv("TANDEM_BLESS");
  const bool bless = bless_env && std::string(bless_env) == "1";
  std::vector<fs::path> wats;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wat") wats.push_back(e.path());
  std::sort(wats.begin(), wats.end());
  REQUIRE(wats.size() >= 7);
  for (const fs::path& wat : wats) {
    DYNAMIC_SECTION(wat.filename().string()) {
      const std::string source = ReadText(wat);
      std::unique_ptr<JitStore> first, second;
      const std::string got = ListingOf(source, &first);
      // Two live stores map code and tables at different addresses: equal listings show that no
      // host address leaks into them.
      CHECK(ListingOf(source, &second) == got);
      REQUIRE(got.find(";; function") != std::string::npos);
      fs::path expected = fs::path(wat).replace_extension(".expected");
      if (bless) {
        std::ofstream(expected, std::ios::binary) << got;
        WARN("blessed " << expected.string());
        continue;
      }
      INFO("expected listing missing or different: " << expected.string()
                                                     << " (rerun with TANDEM_BLESS=1 to rewrite "
                                                        "it, then review the diff)");
      REQUIRE(fs::exists(expected));
      const std::string want = ReadText(expected);
      INFO(FirstDifference(want, got));
      CHECK(want == got);
    }
  }
}

}  // namespace
}  // namespace tandem::jit
