// fuzz_test.cc: the fuzz loop (diff/fuzz.h): the same seed and number of cases give the same
// findings whatever the number of jobs; a seeded a64 fault is found and written as a finding
// that replays; a worker that crashes or hangs is a finding and the campaign goes on; a
// findings folder that cannot be written stops the campaign with exit 2.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "diff/case.h"
#include "diff/code_verify.h"
#include "diff/faults.h"
#include "diff/finding.h"
#include "diff/fuzz.h"
#include "diff/harness.h"

namespace tandem::diff {
namespace {

namespace fs = std::filesystem;

fs::path TempDir(const char* name) {
  std::string tmpl = (fs::temp_directory_path() / (std::string(name) + "-XXXXXX")).string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

std::set<std::string> Findings(const fs::path& out) {
  std::set<std::string> ids;
  if (!fs::exists(out / "findings")) return ids;
  for (const auto& e : fs::directory_iterator(out / "findings"))
    if (e.is_directory()) ids.insert(e.path().filename());
  return ids;
}

// Engines for the a64 fault: the reference and a64 (runs on every host).
FuzzOptions Options(const fs::path& out, int jobs, uint64_t cases) {
  FuzzOptions o;
  o.engines = {"ref", "a64"};
  o.generators = {"single"};
  o.seed = 7;
  o.cases = cases;
  o.jobs = jobs;
  o.faults = ParseFaultList("cond");
  o.faults_text = "cond";
  o.config.fuel = 100'000;
  o.config.max_call_depth = 500;
  o.out_dir = out.string();
  o.json_path = (out / "summary.json").string();
  o.quiet = true;
  return o;
}

TEST_CASE("fuzz: the same seed and cases give the same findings with -j 1 and -j 2",
          "[diff][fuzz-loop]") {
  fs::path one = TempDir("tandem-fuzz-j1"), two = TempDir("tandem-fuzz-j2");
  int rc1 = RunFuzz(Options(one, 1, 1200));
  int rc2 = RunFuzz(Options(two, 2, 1200));
  std::set<std::string> f1 = Findings(one), f2 = Findings(two);
  INFO("-j 1: " << f1.size() << " findings, -j 2: " << f2.size());
  // The seeded fault (i32.lt_s compiled as le on a64) is found: single reaches i32.lt_s with
  // equal operands.
  CHECK(rc1 == 1);
  CHECK(rc2 == 1);
  CHECK_FALSE(f1.empty());
  CHECK(f1 == f2);
  // Each finding holds the case, its script, the outcomes and a summary, and replays.
  REQUIRE_FALSE(f1.empty());
  fs::path dir = one / "findings" / *f1.begin();
  for (const char* file : {"case.wasm", "script.json", "outcome.json", "summary.txt"})
    CHECK(fs::exists(dir / file));
  std::ifstream wasm(dir / "case.wasm", std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(wasm)), {});
  std::ifstream script(dir / "script.json");
  std::string text((std::istreambuf_iterator<char>(script)), {});
  Case c = MakeCase(bytes, ParseScript(text));
  HarnessOptions h;
  h.engines = {"ref", "a64"};
  h.faults = ParseFaultList("cond");
  CaseResult r = RunCase(c, h);
  CHECK(r.verdict == CaseResult::Verdict::kDivergence);
  // The summary counts what ran.
  std::ifstream sj(one / "summary.json");
  auto summary = nlohmann::json::parse(sj);
  CHECK(summary["cases"].get<uint64_t>() == 1200);
  CHECK(summary["findings"].size() == f1.size());
  fs::remove_all(one);
  fs::remove_all(two);
}

TEST_CASE("fuzz: a crashing or hanging engine is a finding and the campaign goes on",
          "[diff][fuzz-loop]") {
  fs::path out = TempDir("tandem-fuzz-crash");
  FuzzOptions o = Options(out, 2, 6);
  o.faults = ParseFaultList("crash@a64");
  o.faults_text = "crash@a64";
  CHECK(RunFuzz(o) == 1);
  std::set<std::string> f = Findings(out);
  std::ifstream sj(out / "summary.json");
  auto summary = nlohmann::json::parse(sj);
  CHECK(summary["verdicts"]["crash"].get<uint64_t>() == 6);  // each crash took a new worker
  // One signature: every case crashed a64 in its first call. Its three lowest cases are written.
  CHECK(summary["findings_total"].get<uint64_t>() == 6);
  REQUIRE(summary["signatures"].size() == 1);
  CHECK(summary["signatures"][0]["signature"].get<std::string>().rfind("a64:crash:", 0) == 0);
  CHECK(summary["signatures"][0]["count"].get<uint64_t>() == 6);
  CHECK(f == std::set<std::string>{"00000000-single", "00000001-single", "00000002-single"});
  CHECK(fs::exists(out / "findings" / "signatures.json"));
  // The worker's last step (written to the page it shares with the parent) names where it died.
  for (const std::string& id : f) {
    std::ifstream oj(out / "findings" / id / "outcome.json");
    auto outcome = nlohmann::json::parse(oj);
    REQUIRE(outcome["failures"].size() == 1);
    std::string failure = outcome["failures"][0].get<std::string>();
    INFO(failure);
    CHECK(failure.find("crash: ") == 0);
    CHECK(failure.find(" during a64") != std::string::npos);
  }
  fs::remove_all(out);

  out = TempDir("tandem-fuzz-hang");
  o = Options(out, 1, 2);
  o.faults = ParseFaultList("hang@a64");
  o.faults_text = "hang@a64";
  o.timeout_seconds = 1;
  CHECK(RunFuzz(o) == 1);
  std::ifstream sj2(out / "summary.json");
  summary = nlohmann::json::parse(sj2);
  CHECK(summary["verdicts"]["timeout"].get<uint64_t>() == 2);
  for (const std::string& id : Findings(out)) {
    std::ifstream oj(out / "findings" / id / "outcome.json");
    std::string failure = nlohmann::json::parse(oj)["failures"][0].get<std::string>();
    INFO(failure);
    CHECK(failure.find(" during a64") != std::string::npos);
  }
  fs::remove_all(out);
}

TEST_CASE("fuzz: a campaign's folder keeps its state; --resume goes on to a new end",
          "[diff][fuzz-loop]") {
  fs::path whole = TempDir("tandem-fuzz-whole"), parts = TempDir("tandem-fuzz-parts");
  REQUIRE(RunFuzz(Options(whole, 2, 800)) == 1);
  FuzzOptions o = Options(parts, 2, 300);
  CHECK(RunFuzz(o) == 0);  // the first finding of this seed is case 455
  CHECK(fs::exists(parts / "state.json"));
  // The folder holds a campaign: starting another one there is refused.
  CHECK(RunFuzz(o) == 2);
  // Another campaign's options do not resume it.
  o.resume = true;
  o.seed = 8;
  CHECK(RunFuzz(o) == 2);
  // The same campaign, given a later end, runs the cases after 300 only.
  o.seed = 7;
  o.cases = 800;
  CHECK(RunFuzz(o) == 1);
  std::ifstream a(whole / "summary.json"), b(parts / "summary.json");
  auto sa = nlohmann::json::parse(a), sb = nlohmann::json::parse(b);
  CHECK(sb["runs"].get<int>() == 2);
  CHECK(sb["cases"] == sa["cases"]);
  CHECK(sb["per_generator"] == sa["per_generator"]);
  CHECK(sb["verdicts"] == sa["verdicts"]);
  CHECK(sb["signatures"] == sa["signatures"]);
  CHECK(sb["findings"] == sa["findings"]);
  CHECK(Findings(whole) == Findings(parts));
  // No folder to resume from.
  fs::path empty = TempDir("tandem-fuzz-empty");
  FuzzOptions e = Options(empty, 1, 10);
  e.resume = true;
  CHECK(RunFuzz(e) == 2);
  for (const fs::path& p : {whole, parts, empty}) fs::remove_all(p);
}

TEST_CASE("fuzz: a findings folder that cannot be written stops the campaign with exit 2",
          "[diff][fuzz-loop]") {
  fs::path out = TempDir("tandem-fuzz-readonly");
  fs::create_directories(out / "findings");
  FuzzOptions o = Options(out, 1, 1200);
  o.json_path.clear();
  // A file where the findings folder should be: nothing can be written below it.
  fs::remove_all(out / "findings");
  std::ofstream(out / "findings") << "not a folder";
  CHECK(RunFuzz(o) == 2);
  // Unknown generator: exit 2 before anything runs.
  o.out_dir.clear();
  o.generators = {"nope"};
  CHECK(RunFuzz(o) == 2);
  fs::remove_all(out);
}

TEST_CASE("fuzz: --verify proves the x64 code of every case, and a weakened bounds check is a "
          "verify finding",
          "[diff][fuzz-loop][x64][verify]") {
  fs::path clean = TempDir("tandem-fuzz-verify"), weak = TempDir("tandem-fuzz-verify-weak");
  FuzzOptions o = Options(clean, 1, 60);
  o.engines = {"ref", "x64"};
  o.faults.clear();
  o.faults_text.clear();
  o.verify = true;
  CHECK(RunFuzz(o) == 0);
  std::ifstream a(clean / "summary.json");
  auto sa = nlohmann::json::parse(a);
  const nlohmann::json& v = sa["verify"]["x64"];
  CHECK(v["functions"].get<uint64_t>() >= 60);
  CHECK(v["accesses"].get<uint64_t>() > 0);
  CHECK(v["proved"] == v["accesses"]);

  o = Options(weak, 1, 60);
  o.engines = {"ref", "x64"};
  o.faults = ParseFaultList("bounds-off-by-one");
  o.faults_text = "bounds-off-by-one";
  o.verify = true;
  CHECK(RunFuzz(o) == 1);
  std::ifstream b(weak / "summary.json");
  auto sb = nlohmann::json::parse(b);
  CHECK(sb["verdicts"].value("verify", 0) > 0);
  CHECK(sb["verify"]["x64"]["failed"].get<uint64_t>() > 0);
  bool memory_signature = false;
  for (const auto& g : sb["signatures"])
    memory_signature |= g["signature"].get<std::string>().rfind("x64:verify:memory-", 0) == 0;
  CHECK(memory_signature);
  // Each verify finding holds the accesses not proved with the listing, and replays with
  // `tandem verify`.
  size_t verify_findings = 0;
  for (const std::string& id : Findings(weak)) {
    std::ifstream f(weak / "findings" / id / "outcome.json");
    auto outcome = nlohmann::json::parse(f);
    if (outcome["verdict"] != "verify") continue;
    ++verify_findings;
    CHECK(outcome["replay"] ==
          "tandem verify case.wasm --engines x64 --seed-fault bounds-off-by-one");
    std::ifstream t(weak / "findings" / id / "verify.txt");
    std::string text((std::istreambuf_iterator<char>(t)), std::istreambuf_iterator<char>());
    CHECK(text.find("<-- not proved") != std::string::npos);
  }
  CHECK(verify_findings > 0);
  // tandem reduce shrinks a verify finding while the verifier still rejects the same kind of
  // region in its code (nothing is run): the reduced module is smaller and still rejected.
  for (const std::string& id : Findings(weak)) {
    Finding f = LoadFinding((weak / "findings" / id).string());
    if (f.outcome["verdict"] != "verify") continue;
    ReduceFindingOptions ro;
    ro.time_seconds = 20;
    ro.wasm2wat.clear();
    ReducedFinding r = ReduceFinding(f, ro);
    CHECK(r.signature.kind == "verify");
    CHECK(r.stats.reduced_bytes < r.stats.original_bytes);
    REQUIRE(r.reduced.module);
    std::string why;
    auto results = VerifyModule(r.reduced.module, "x64", ParseVerifyFaults("bounds-off-by-one"), &why);
    REQUIRE(results.has_value());
    size_t failed = 0;
    for (const auto& fr : *results) failed += fr.failed;
    CHECK(failed > 0);
    // Without the fault the same module is proved: the reduction kept the weakened check.
    auto sound = VerifyModule(r.reduced.module, "x64", ParseVerifyFaults(""), &why);
    REQUIRE(sound.has_value());
    for (const auto& fr : *sound) CHECK(fr.proved == fr.accesses);
    std::ifstream t(fs::path(r.out_dir) / "verify.txt");
    std::string text((std::istreambuf_iterator<char>(t)), std::istreambuf_iterator<char>());
    CHECK(text.find("<-- not proved") != std::string::npos);
    break;
  }
  for (const fs::path& p : {clean, weak}) fs::remove_all(p);
}

}  // namespace
}  // namespace tandem::diff
