// finding.cc: finding folders and their reduction (finding.h).
#include "diff/finding.h"

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "diff/code_verify.h"
#include "diff/faults.h"
#include "diff/process.h"

namespace tandem::diff {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary);
  out << data;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// The options of the finding's replay command ("tandem diff case.wasm ... --engines ref,x64
// --seed-fault cond --fuel 1000000 ..."): findings written before outcome.json had "config".
std::map<std::string, std::string> ReplayOptions(const std::string& replay) {
  std::map<std::string, std::string> out;
  std::vector<std::string> words = Split(replay, ' ');
  for (size_t i = 0; i + 1 < words.size(); ++i)
    if (words[i].rfind("--", 0) == 0) out[words[i]] = words[i + 1];
  return out;
}

// One engine alone on the case (with the faults that apply to it): its instantiation and
// outcomes, or nothing when it did not finish (crash, timeout, internal error).
std::optional<EngineReport> RunAlone(const Case& c, const HarnessOptions& o, size_t k) {
  HarnessOptions one = o;
  one.engines = {o.engines[k]};
  one.faults.clear();
  // The faults placed on engine k in the full list, named for it.
  for (const FaultSpec& f : o.faults) {
    EngineConfig with = ConfigForEngine(EngineConfig{}, {f}, o.engines, k);
    if (with.codegen_faults || with.harness_faults || with.bounds_mutant)
      one.faults.push_back({f.name, o.engines[k]});
  }
  CaseResult r = RunCaseIsolated(c, one);
  if (r.engines.empty() || r.engines[0].unsupported || r.verdict == CaseResult::Verdict::kCrash ||
      r.verdict == CaseResult::Verdict::kTimeout || r.verdict == CaseResult::Verdict::kInternalError)
    return std::nullopt;
  return r.engines[0];
}

}  // namespace

Finding LoadFinding(const std::string& dir) {
  Finding f;
  f.dir = dir;
  fs::path d(dir);
  if (!fs::is_directory(d)) throw std::runtime_error(dir + " is not a folder");
  for (const char* name : {"case.wasm", "script.json", "outcome.json"})
    if (!fs::exists(d / name))
      throw std::runtime_error(dir + " is not a finding folder: " + name + " is missing");
  try {
    f.outcome = json::parse(ReadFile(d / "outcome.json"));
  } catch (const json::exception& e) {
    throw std::runtime_error((d / "outcome.json").string() + ": " + e.what());
  }
  if (f.outcome.contains("validation"))
    throw std::runtime_error(dir + " is a validation finding: replay it with tandem check case.wasm");
  std::string bytes = ReadFile(d / "case.wasm");
  Script script;
  try {
    script = ParseScript(ReadFile(d / "script.json"));
    f.c = MakeCase(std::vector<uint8_t>(bytes.begin(), bytes.end()), script);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(dir + ": " + e.what());
  }
  if (!f.c.module) throw std::runtime_error(dir + ": the module is refused: " + f.c.refusal);

  HarnessOptions& o = f.options;
  auto replay = ReplayOptions(f.outcome.value("replay", ""));
  if (f.outcome.contains("engine_names")) {
    o.engines = f.outcome["engine_names"].get<std::vector<std::string>>();
  } else if (replay.contains("--engines")) {
    o.engines = Split(replay["--engines"], ',');
  } else {
    throw std::runtime_error(dir + "/outcome.json names no engines");
  }
  f.faults_text = f.outcome.value("seed_faults", "");
  try {
    o.faults = ParseFaultList(f.faults_text);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(dir + "/outcome.json: " + e.what());
  }
  if (f.outcome.contains("config")) {
    const json& c = f.outcome["config"];
    o.config.fuel = c.value("fuel", uint64_t{0});
    o.config.max_call_depth = c.value("max_call_depth", o.config.max_call_depth);
    o.config.max_memory_pages = c.value("max_memory_pages", o.config.max_memory_pages);
    o.timeout_seconds = c.value("timeout_seconds", o.timeout_seconds);
  } else {
    if (replay.contains("--fuel")) o.config.fuel = std::stoull(replay["--fuel"]);
    if (replay.contains("--max-depth")) o.config.max_call_depth = std::stoul(replay["--max-depth"]);
    if (replay.contains("--max-memory-pages"))
      o.config.max_memory_pages = std::stoull(replay["--max-memory-pages"]);
  }
  return f;
}

namespace {

// A region's signature word without its store index ("memory-1" -> "memory", "table-0-entries"
// -> "table-entries"): the campaign's store numbers the case's memories after its own, the
// module verified alone from 0.
std::string RegionKind(const std::string& word) {
  std::string out;
  size_t at = 0;
  while (at < word.size()) {
    size_t dash = word.find('-', at);
    std::string part = word.substr(at, dash == std::string::npos ? std::string::npos : dash - at);
    const bool number = !part.empty() && std::all_of(part.begin(), part.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!number) out += (out.empty() ? "" : "-") + part;
    if (dash == std::string::npos) break;
    at = dash + 1;
  }
  return out;
}

// The regions (RegionKind of their signature words) of the accesses the verifier does not
// prove in the code `engine` compiles for the case's module.
std::set<std::string> UnprovedRegions(const Case& c, const std::string& engine, const VerifyFaults& faults) {
  std::set<std::string> out;
  if (!c.module) return out;
  std::string why;
  auto results = VerifyModule(c.module, engine, faults, &why);
  if (!results) return out;
  for (const jit::verify::FunctionResult& r : *results)
    for (const jit::verify::AccessResult& p : r.problems) out.insert(RegionKind(RegionWord(p.region)));
  return out;
}

// The reduced case's folder (made if missing), in out.out_dir.
fs::path OutputDir(const Finding& f, const ReduceFindingOptions& ro, ReducedFinding& out) {
  out.out_dir = ro.out_dir.empty() ? (fs::path(f.dir) / "reduced").string() : ro.out_dir;
  fs::path d(out.out_dir);
  std::error_code ec;
  fs::create_directories(d, ec);
  if (ec) throw std::runtime_error("cannot create " + d.string() + ": " + ec.message());
  return d;
}

// case.wasm and script.json (the calls without expectations: replay with the finding's
// command).
void WriteReducedCase(const fs::path& d, ReducedFinding& out) {
  WriteFile(d / "case.wasm", std::string(out.reduced.bytes.begin(), out.reduced.bytes.end()));
  Script plain = out.reduced.script;
  for (Call& c : plain.calls) c.expect.reset();
  WriteFile(d / "script.json", ScriptToJson(plain));
  out.files.push_back("case.wasm");
  out.files.push_back("script.json");
}

void WriteTextForm(const ReduceFindingOptions& ro, const fs::path& d, ReducedFinding& out) {
  std::string wasm2wat = ro.wasm2wat.empty() ? "" : FindInPath(ro.wasm2wat);
  if (wasm2wat.empty()) {
    out.text_form_note = "wasm2wat not found: no case.wat";
    return;
  }
  try {
    int st = RunQuiet({wasm2wat, (d / "case.wasm").string(), "-o", (d / "case.wat").string()});
    if (st == 0)
      out.files.push_back("case.wat");
    else
      out.text_form_note = "wasm2wat failed on case.wasm";
  } catch (const std::exception& e) {
    out.text_form_note = e.what();
  }
}

// A `verify` finding: the module shrunk while the verifier still leaves an access of the same
// kind of region (RegionKind) unproved in the code of the same back end, compiled with the
// same faults. Nothing is
// run; the result is a module to replay with `tandem verify` (and, once the verifier is fixed,
// a case for corpus/regress/, whose modules the verifier's tests prove on each back end).
ReducedFinding ReduceVerifyFinding(const Finding& f, const ReduceFindingOptions& ro) {
  ReducedFinding out;
  const std::optional<Signature> want = ParseSignature(f.outcome.value("signature", ""));
  if (!want || want->kind != "verify")
    throw std::runtime_error(f.dir + "/outcome.json: a verify finding without a verify signature");
  const std::string engine = want->engines;
  const std::string replay = f.outcome.value("replay", "");
  auto opts = ReplayOptions(replay);
  VerifyFaults faults;
  try {
    faults = ParseVerifyFaults(opts.count("--seed-fault") ? opts["--seed-fault"] : "");
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(f.dir + "/outcome.json: " + e.what());
  }
  out.signature = *want;
  const std::string region = RegionKind(want->op);
  if (!UnprovedRegions(f.c, engine, faults).count(region))
    throw std::runtime_error(f.dir + ": the verifier proves the case's " + engine +
                             " code now (no access of a " + region + " region is left unproved)");
  auto interesting = [&](const Case& c) { return UnprovedRegions(c, engine, faults).count(region) > 0; };
  ReduceOptions opts_r;
  opts_r.time_seconds = std::max(1.0, 0.95 * ro.time_seconds);
  opts_r.progress = ro.progress;
  out.reduced = Reduce(f.c, interesting, opts_r, &out.stats);
  out.location.method = "verify";

  const fs::path d = OutputDir(f, ro, out);
  auto put = [&](const std::string& name, const std::string& data) {
    WriteFile(d / name, data);
    out.files.push_back(name);
  };
  WriteReducedCase(d, out);
  // What the verifier says of the reduced module: the accesses not proved and the listing.
  std::string text, why;
  if (auto results = VerifyModule(out.reduced.module, engine, faults, &why)) {
    for (const jit::verify::FunctionResult& r : *results)
      if (!r.problems.empty())
        text += fmt::format("{} function (store index) {}: {} accesses, {} proved, {} failed, {} unknown\n{}",
                            engine, r.store_index, r.accesses, r.proved, r.failed, r.unknown, FormatProblems(r));
  } else {
    text = why + "\n";
  }
  put("verify.txt", text);
  WriteTextForm(ro, d, out);
  put("reduce.json", ToJson(out).dump(1) + "\n");
  return out;
}

}  // namespace

ReducedFinding ReduceFinding(const Finding& f, const ReduceFindingOptions& ro) {
  if (f.outcome.value("verdict", "") == "verify") return ReduceVerifyFinding(f, ro);
  ReducedFinding out;
  HarnessOptions o = f.options;
  o.timeout_seconds = std::min(o.timeout_seconds, 10);
  // Without a fuel limit a candidate that lost a loop's exit would run until the timeout.
  if (!o.config.fuel) o.config.fuel = 10'000'000;
  LocateOptions lo;
  lo.max_seconds = 5;
  const double started = MonotonicSeconds();
  CaseResult first = RunCaseIsolated(f.c, o);
  // A candidate that runs far longer than the finding did has lost its way (a loop without its
  // exit on an engine without fuel checks): a short time limit keeps such candidates cheap.
  // A timeout finding keeps the campaign's limit, which its signature needs.
  if (first.verdict != CaseResult::Verdict::kTimeout)
    o.timeout_seconds = std::clamp(static_cast<int>(20 * (MonotonicSeconds() - started)) + 1, 2,
                                   o.timeout_seconds);
  if (!IsFinding(first.verdict))
    throw std::runtime_error(f.dir + ": the case does not show a finding any more (" +
                             VerdictName(first.verdict) + ")");
  Location where;
  out.signature = LocatedSignature(f.c, o, first, &where, lo);
  const Signature want = out.signature;
  // Candidates are located only as far as the finding needed: a run with probes is cheap, a
  // bisection is tens of runs.
  lo.probe_budget = where.method != "probes";
  lo.fuel = where.method == "fuel";
  auto interesting = [&](const Case& c) {
    CaseResult r = RunCaseIsolated(c, o);
    if (!IsFinding(r.verdict)) return false;
    Signature s = SignatureOf(r);
    if (s.engines != want.engines || s.kind != want.kind) return false;
    if (want.op == "?") return true;
    return LocatedSignature(c, o, r, nullptr, lo).op == want.op;
  };
  ReduceOptions opts;
  // What follows the reduction (locating the result, each engine alone for the regression
  // case) takes a few runs: the reducer gets the budget less the time spent so far and a tenth.
  opts.time_seconds = std::max(1.0, 0.9 * ro.time_seconds - (MonotonicSeconds() - started));
  opts.progress = ro.progress;
  out.reduced = Reduce(f.c, interesting, opts, &out.stats);
  CaseResult last = RunCaseIsolated(out.reduced, o);
  out.location = Locate(out.reduced, o, last, lo);

  // The regression case: each engine alone, the majority outcome per call.
  std::vector<std::optional<EngineReport>> alone;
  for (size_t k = 0; k < o.engines.size(); ++k) alone.push_back(RunAlone(out.reduced, o, k));
  Script regress = out.reduced.script;
  regress.fuel = o.config.fuel;
  regress.max_call_depth = o.config.max_call_depth;
  auto majority = [&](auto text_of, const std::string& what) -> std::optional<std::string> {
    std::map<std::string, int> votes;
    std::string ref_text;
    for (size_t k = 0; k < alone.size(); ++k) {
      if (!alone[k]) continue;
      std::optional<std::string> t = text_of(*alone[k]);
      if (!t) continue;
      ++votes[*t];
      if (o.engines[k] == "ref") ref_text = *t;
    }
    if (votes.empty()) return std::nullopt;
    int best = 0;
    for (const auto& [t, n] : votes) best = std::max(best, n);
    std::string pick;
    if (!ref_text.empty() && votes[ref_text] == best) {
      pick = ref_text;
    } else {
      for (size_t k = 0; k < alone.size() && pick.empty(); ++k)
        if (alone[k])
          if (auto t = text_of(*alone[k]); t && votes[*t] == best) pick = *t;
    }
    if (!ref_text.empty() && ref_text != pick && out.review.empty())
      out.review = fmt::format("the reference is in the minority at {}: ref {}, majority {}", what,
                               ref_text, pick);
    return pick;
  };
  if (auto inst = majority([](const EngineReport& e) -> std::optional<std::string> {
        return e.instantiation;
      }, "the instantiation")) {
    std::string s = *inst;
    regress.instantiation = s.substr(0, s.find(':'));
  }
  for (size_t i = 0; i < regress.calls.size(); ++i) {
    auto text = majority([i](const EngineReport& e) -> std::optional<std::string> {
      if (i < e.outcomes.size()) return e.outcomes[i];
      return std::nullopt;
    }, fmt::format("call {}", i));
    regress.calls[i].expect.reset();
    if (text) {
      try {
        regress.calls[i].expect = ExpectationFromText(*text);
      } catch (const std::invalid_argument&) {
      }
    }
  }
  // A call without an expected outcome (no engine finished it) leaves the regression case
  // without its last calls.
  size_t keep = 0;
  while (keep < regress.calls.size() && regress.calls[keep].expect) ++keep;
  regress.calls.resize(keep);
  regress.signature = want.ToString();
  regress.review = out.review;
  regress.description = fmt::format(
      "Reduced by tandem reduce from the finding {} ({}{}): {} -> {} bytes. Expected outcomes: "
      "the majority of {}{}.",
      fs::path(f.dir).filename().string(), want.ToString(),
      f.faults_text.empty() ? "" : ", seeded fault " + f.faults_text, out.stats.original_bytes,
      out.stats.reduced_bytes, fmt::join(o.engines, ","),
      out.review.empty() ? "" : " (review: " + out.review + ")");

  const fs::path d = OutputDir(f, ro, out);
  auto put = [&](const std::string& name, const std::string& data) {
    WriteFile(d / name, data);
    out.files.push_back(name);
  };
  WriteReducedCase(d, out);
  put("case.script.json", ScriptToJson(regress));
  WriteTextForm(ro, d, out);
  put("reduce.json", ToJson(out).dump(1) + "\n");
  return out;
}

json ToJson(const ReducedFinding& r) {
  json passes = json::object();
  for (const auto& [p, n] : r.stats.accepted_per_pass) passes[p] = n;
  json j = {{"signature", r.signature.ToString()},
            {"original_bytes", r.stats.original_bytes},
            {"reduced_bytes", r.stats.reduced_bytes},
            {"seconds", r.stats.seconds},
            {"tests", r.stats.tests},
            {"accepted", r.stats.accepted},
            {"timed_out", r.stats.timed_out},
            {"accepted_per_pass", passes},
            {"location", ToJson(r.location)},
            {"out_dir", r.out_dir},
            {"files", r.files}};
  if (!r.review.empty()) j["review"] = r.review;
  if (!r.text_form_note.empty()) j["text_form"] = r.text_form_note;
  return j;
}

}  // namespace tandem::diff
