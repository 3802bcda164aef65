// harness.cc: one case on N engines, compared after every step (harness.h).
#include "diff/harness.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "diff/jit_engine.h"
#include "diff/v8_engine.h"
#include "diff/process.h"
#include "reference/value_text.h"

namespace tandem::diff {

using wasm::Outcome;

const char* VerdictName(CaseResult::Verdict v) {
  using V = CaseResult::Verdict;
  switch (v) {
    case V::kAgree: return "agree";
    case V::kDivergence: return "divergence";
    case V::kExpectation: return "expectation";
    case V::kCrash: return "crash";
    case V::kTimeout: return "timeout";
    case V::kInternalError: return "internal error";
    case V::kRefused: return "refused";
  }
  return "?";
}

bool IsFinding(CaseResult::Verdict v) {
  using V = CaseResult::Verdict;
  return v == V::kDivergence || v == V::kExpectation || v == V::kCrash || v == V::kTimeout ||
         v == V::kInternalError;
}

std::string Divergence::ToString() const {
  std::string step = call < 0 ? "instantiation"
                              : fmt::format("call {} \"{}\"", call, export_name);
  return fmt::format("{} vs {}, {}: {}", engine, base, step, difference.ToString());
}

namespace {

std::string InstantiationText(const InstantiateOutcome& r) {
  if (r.status == InstantiateOutcome::Status::kOk) return "instantiated";
  if (r.status == InstantiateOutcome::Status::kUninstantiable)
    return "uninstantiable: " + wasm::ToString(r.failure);
  std::string s = InstantiateStatusName(r.status);
  return r.message.rfind(s, 0) == 0 ? r.message : s + ": " + r.message;
}

std::string OutcomeText(const Outcome& o) {
  if (o.kind != Outcome::Kind::kValues) return wasm::ToString(o);
  std::string s = "returned";
  for (const wasm::Value& v : o.values) {
    s += ' ';
    s += wasm::FormatTypedValue(v);
  }
  return s;
}

std::vector<std::string> LogTexts(const std::vector<LogEntry>& log) {
  std::vector<std::string> out;
  out.reserve(log.size());
  for (const LogEntry& e : log)
    out.push_back(e.value.type == wasm::ValType::V128
                      ? fmt::format("{} {:016x}{:016x}", e.import, e.value.hi, e.value.bits)
                      : fmt::format("{} {:x}", e.import, e.value.bits));
  return out;
}

struct Running {
  std::string name;
  Engine* engine = nullptr;
  std::unique_ptr<Engine> owned;  // when not from the pool
  EngineReport* report = nullptr;
  std::optional<uint32_t> instance;
  Outcome last;
  std::vector<LogEntry> log;
};

// Engine k of the case: from the pool (reset) when it has one of this name and configuration,
// else a new one, kept in the pool when there is one and in *owned otherwise. nullptr for an
// unknown name.
Engine* AcquireEngine(const HarnessOptions& o, size_t k, const EngineConfig& config,
                      std::unique_ptr<Engine>* owned) {
  if (!o.pool) {
    *owned = MakeEngine(o.engines[k], config);
    return owned->get();
  }
  EnginePool& pool = *o.pool;
  if (pool.entries.size() <= k) pool.entries.resize(k + 1);
  EnginePool::Entry& slot = pool.entries[k];
  if (slot.engine && slot.name == o.engines[k] && slot.config == config && slot.engine->Reset()) {
    ++pool.reused;
    return slot.engine.get();
  }
  slot.engine.reset();  // first: a store's reservations are given back before the next is made
  slot.engine = MakeEngine(o.engines[k], config);
  slot.name = o.engines[k];
  slot.config = config;
  ++pool.created;
  return slot.engine.get();
}

}  // namespace

// Differences the spec allows between V8 and tandem's engines, after a call: running out of
// stack at a different depth, and fuel (V8 has none; the hang limit bounds execution there).
// The V8 engine's comparison stops for the rest of the case, with the reason.
static void AllowedDifferences(std::vector<Running>& run) {
  const Running* base = nullptr;
  for (const Running& e : run)
    if (!e.report->unsupported && e.instance && !IsV8Engine(e.name)) {
      base = &e;
      break;
    }
  if (!base) return;
  using K = Outcome::Kind;
  for (Running& e : run) {
    if (e.report->unsupported || !e.instance || !IsV8Engine(e.name)) continue;
    const Outcome &a = base->last, &b = e.last;
    const bool a_stack = a.kind == K::kExhausted && a.exhaustion == wasm::ExhaustionKind::kCallStack;
    const bool a_fuel = a.kind == K::kExhausted && a.exhaustion == wasm::ExhaustionKind::kFuel;
    const bool b_stack = b.kind == K::kExhausted;
    if (a.kind == b.kind && a.exhaustion == b.exhaustion) continue;
    if (a_fuel)
      e.report->allowed = "fuel: V8 has none (" + base->name + " ran out)";
    else if (a_stack || b_stack)
      e.report->allowed = "call stack exhausted at a different depth";
    else
      continue;
    e.report->unsupported = true;
  }
}

bool HasDenanSection(const wasm::Module& m) {
  for (const wasm::CustomSection& cs : m.customs)
    if (cs.name == "tandem.denan") return true;
  return false;
}

CaseResult RunCase(const Case& c, const HarnessOptions& o,
                   const std::function<void(const std::string&)>& on_step) {
  CaseResult r;
  const Script& s = c.script;
  if (!c.module) {
    r.verdict = CaseResult::Verdict::kRefused;
    r.refusal = c.refusal;
    if (s.refused && c.refusal.rfind(*s.refused, 0) != 0) {
      r.verdict = CaseResult::Verdict::kExpectation;
      r.failures.push_back("module: expected refusal \"" + *s.refused + "...\", got \"" +
                           c.refusal + "\"");
    }
    return r;
  }
  if (s.refused) {
    r.verdict = CaseResult::Verdict::kExpectation;
    r.failures.push_back("module: expected refusal \"" + *s.refused +
                         "...\", but it decoded and validated");
    return r;
  }

  EngineConfig base = o.config;
  base.nan_canonical = true;  // DESIGN.md "NaN": engines are compared in NaN-canonical mode
  if (s.fuel) base.fuel = s.fuel;
  if (s.max_call_depth) base.max_call_depth = s.max_call_depth;
  r.engines.resize(o.engines.size());
  std::vector<Running> run;
  for (size_t k = 0; k < o.engines.size(); ++k) {
    EngineConfig config = ConfigForEngine(base, o.faults, o.engines, k);
    if (k < o.opcode_coverage.size()) config.opcode_coverage = o.opcode_coverage[k];
    if (k < o.instruction_count.size()) config.instruction_count = o.instruction_count[k];
    r.engines[k].engine = o.engines[k];
    r.engines[k].faults = FaultNames(config);
    Running e;
    e.name = o.engines[k];
    e.report = &r.engines[k];
    try {
      e.engine = AcquireEngine(o, k, config, &e.owned);
    } catch (const std::exception& ex) {
      r.failures.push_back(o.engines[k] + ": cannot create the engine: " + ex.what());
    }
    if (!e.engine) {
      r.engines[k].unsupported = true;
      r.engines[k].instantiation = "unavailable";
      continue;
    }
    // V8 has no NaN-canonical mode: it is compared with other engines on NaN-free modules only.
    if (IsV8Engine(o.engines[k]) && o.engines.size() > 1 && !HasDenanSection(*c.module)) {
      r.engines[k].unsupported = true;
      r.engines[k].instantiation = std::string("unsupported: ") + kV8NeedsDenan;
      continue;
    }
    run.push_back(std::move(e));
  }

  auto add = [&](const Running& e, const Running& b, int call, std::vector<Difference> ds) {
    for (Difference& d : ds) {
      if (r.divergences.size() >= o.max_differences) return;
      std::string name = call < 0 ? "" : s.calls[call].export_name;
      r.divergences.push_back({e.name, b.name, call, name, std::move(d)});
    }
  };
  auto live = [](const Running& e) { return !e.report->unsupported; };
  // The first engine that runs the case is the base; JIT engines' arenas are compared with the
  // first JIT engine's.
  auto compare_step = [&](int call) {
    const Running* b = nullptr;
    const Running* first_jit = nullptr;
    for (const Running& e : run) {
      if (!live(e)) continue;
      if (!b) {
        b = &e;
      } else {
        if (call >= 0 && e.instance && b->instance)
          add(e, *b, call, CompareOutcome(*b->engine, b->last, *e.engine, e.last));
        if (call < 0 || (e.instance && b->instance))
          add(e, *b, call, CompareLogs(b->log, e.log));
        if (e.instance && b->instance)
          add(e, *b, call, CompareInstanceState(*b->engine, *b->instance, *e.engine, *e.instance,
                                                o.max_differences));
      }
      if (o.compare_arena && dynamic_cast<JitEngine*>(e.engine)) {
        if (!first_jit)
          first_jit = &e;
        else
          add(e, *first_jit, call, CompareArenas(*first_jit->engine, *e.engine, o.max_differences));
      }
    }
  };

  // Instantiation.
  std::vector<InstantiateOutcome> insts(run.size());
  for (size_t k = 0; k < run.size(); ++k) {
    Running& e = run[k];
    if (on_step) on_step(e.name + " instantiate");
    insts[k] = e.engine->Instantiate(c.module);
    e.log = e.engine->TakeLog();
    if (o.keep_logs) e.report->logs.push_back(LogTexts(e.log));
    e.report->instantiation = InstantiationText(insts[k]);
    if (insts[k].status == InstantiateOutcome::Status::kUnsupported) e.report->unsupported = true;
    if (insts[k].status == InstantiateOutcome::Status::kInternalError)
      r.failures.push_back(e.name + ": internal error at instantiation: " + insts[k].message);
    if (insts[k].status == InstantiateOutcome::Status::kOk) e.instance = insts[k].instance;
    if (o.after_instantiate) o.after_instantiate(e.name, *e.engine);
  }
  {
    const Running* b = nullptr;
    size_t bk = 0;
    for (size_t k = 0; k < run.size(); ++k) {
      if (!live(run[k])) continue;
      if (!b) {
        b = &run[k];
        bk = k;
        continue;
      }
      add(run[k], *b, -1, CompareInstantiation(insts[bk], insts[k]));
    }
    compare_step(-1);
  }
  if (s.instantiation)
    for (const Running& e : run)
      if (live(e) && e.report->instantiation.rfind(*s.instantiation, 0) != 0)
        r.failures.push_back(fmt::format("{}: instantiation: expected {}, got {}", e.name,
                                         *s.instantiation, e.report->instantiation));

  // Calls, in lockstep.
  bool any_instance = false;
  for (const Running& e : run) any_instance |= live(e) && e.instance.has_value();
  for (size_t i = 0; any_instance && i < s.calls.size(); ++i) {
    const Call& call = s.calls[i];
    for (Running& e : run) {
      e.log.clear();
      if (!live(e) || !e.instance) continue;
      if (on_step) on_step(fmt::format("{} call {}", e.name, i));
      e.last = e.engine->Invoke(*e.instance, call.export_name, call.args);
      e.log = e.engine->TakeLog();
      if (o.keep_logs) e.report->logs.push_back(LogTexts(e.log));
      e.report->outcomes.push_back(OutcomeText(e.last));
      if (e.last.kind == Outcome::Kind::kUnsupported) e.report->unsupported = true;
      if (e.last.kind == Outcome::Kind::kInternalError)
        r.failures.push_back(fmt::format("{}: internal error in call {} \"{}\": {}", e.name, i,
                                         call.export_name, e.last.message));
    }
    ++r.calls_run;
    // An allowed difference (V8 ran out of stack elsewhere) stops that engine before its
    // outcome is held against the script's expectation.
    AllowedDifferences(run);
    for (Running& e : run)
      if (call.expect && live(e) && e.instance && e.last.kind != Outcome::Kind::kInternalError &&
          !Meets(e.last, *call.expect))
        r.failures.push_back(fmt::format("{}: call {} \"{}\": expected {}, got {}", e.name, i,
                                         call.export_name, ToString(*call.expect),
                                         OutcomeText(e.last)));
    compare_step(static_cast<int>(i));
  }

  bool internal = false;
  for (const std::string& f : r.failures) internal |= f.find("internal error") != std::string::npos ||
                                                       f.find("cannot create") != std::string::npos;
  if (internal)
    r.verdict = CaseResult::Verdict::kInternalError;
  else if (!r.divergences.empty())
    r.verdict = CaseResult::Verdict::kDivergence;
  else if (!r.failures.empty())
    r.verdict = CaseResult::Verdict::kExpectation;
  return r;
}

nlohmann::json ToJson(const CaseResult& r) {
  nlohmann::json j;
  j["verdict"] = VerdictName(r.verdict);
  j["calls_run"] = r.calls_run;
  if (!r.refusal.empty()) j["refusal"] = r.refusal;
  j["engines"] = nlohmann::json::array();
  for (const EngineReport& e : r.engines)
    j["engines"].push_back({{"engine", e.engine},
                            {"faults", e.faults},
                            {"instantiation", e.instantiation},
                            {"unsupported", e.unsupported},
                            {"allowed", e.allowed},
                            {"outcomes", e.outcomes}});
  for (size_t k = 0; k < r.engines.size(); ++k)
    if (!r.engines[k].logs.empty()) j["engines"][k]["logs"] = r.engines[k].logs;
  j["divergences"] = nlohmann::json::array();
  for (const Divergence& d : r.divergences)
    j["divergences"].push_back({{"engine", d.engine},
                                {"base", d.base},
                                {"call", d.call},
                                {"export", d.export_name},
                                {"field", FieldName(d.difference.field)},
                                {"where", d.difference.where},
                                {"a", d.difference.a},
                                {"b", d.difference.b},
                                {"text", d.ToString()}});
  j["failures"] = r.failures;
  return j;
}

CaseResult CaseResultFromJson(const nlohmann::json& j) {
  CaseResult r;
  std::string v = j.at("verdict");
  for (auto verdict : {CaseResult::Verdict::kAgree, CaseResult::Verdict::kDivergence,
                       CaseResult::Verdict::kExpectation, CaseResult::Verdict::kCrash,
                       CaseResult::Verdict::kTimeout, CaseResult::Verdict::kInternalError,
                       CaseResult::Verdict::kRefused})
    if (v == VerdictName(verdict)) r.verdict = verdict;
  r.calls_run = j.value("calls_run", size_t{0});
  r.refusal = j.value("refusal", std::string());
  for (const auto& e : j.at("engines")) {
    EngineReport er;
    er.engine = e.at("engine");
    er.faults = e.at("faults");
    er.instantiation = e.at("instantiation");
    er.unsupported = e.at("unsupported");
    er.allowed = e.value("allowed", "");
    er.outcomes = e.at("outcomes").get<std::vector<std::string>>();
    if (e.contains("logs")) er.logs = e["logs"].get<std::vector<std::vector<std::string>>>();
    r.engines.push_back(std::move(er));
  }
  for (const auto& d : j.at("divergences")) {
    Divergence dv;
    dv.engine = d.at("engine");
    dv.base = d.at("base");
    dv.call = d.at("call");
    dv.export_name = d.at("export");
    std::string field = d.at("field");
    for (int f = 0; f <= static_cast<int>(Field::kLayout); ++f)
      if (field == FieldName(static_cast<Field>(f))) dv.difference.field = static_cast<Field>(f);
    dv.difference.where = d.at("where");
    dv.difference.a = d.at("a");
    dv.difference.b = d.at("b");
    r.divergences.push_back(std::move(dv));
  }
  r.failures = j.at("failures").get<std::vector<std::string>>();
  return r;
}

CaseResult RunCaseIsolated(const Case& c, const HarnessOptions& o) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {  // the child: run, report each step and then the result, one line each
    close(fds[0]);
    DefaultFaultSignals();
    int rc = 0;
    try {
      CaseResult r = RunCase(c, o, [&](const std::string& step) { WriteAll(fds[1], "step " + step + "\n"); });
      if (!WriteAll(fds[1], "result " + ToJson(r).dump() + "\n")) rc = 3;
    } catch (const std::exception& e) {
      WriteAll(fds[1], std::string("error ") + e.what() + "\n");
      rc = 4;
    }
    _exit(rc);
  }
  close(fds[1]);
  std::string buffer;
  std::string last_step, result_line, error_line;
  bool timed_out = false;
  const double deadline = MonotonicSeconds() + o.timeout_seconds;
  for (;;) {
    double left = deadline - MonotonicSeconds();
    if (left <= 0) {
      timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int pr = poll(&p, 1, static_cast<int>(std::min(left, 1.0) * 1000) + 1);
    if (pr < 0 && errno != EINTR) break;
    if (pr <= 0) continue;
    char chunk[65536];
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
    size_t nl;
    while ((nl = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      if (line.rfind("step ", 0) == 0) last_step = line.substr(5);
      else if (line.rfind("result ", 0) == 0) result_line = line.substr(7);
      else if (line.rfind("error ", 0) == 0) error_line = line.substr(6);
    }
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result_line.empty() && !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return CaseResultFromJson(nlohmann::json::parse(result_line));
  return UnfinishedCase(timed_out, status, o.timeout_seconds, last_step, "the case runner",
                        error_line);
}

std::string FormatCaseResult(const CaseResult& r, const Case& c) {
  std::string out;
  if (r.verdict == CaseResult::Verdict::kRefused) {
    out += "module refused: " + r.refusal + "\n";
  }
  for (const EngineReport& e : r.engines) {
    out += fmt::format("{}{}: {}\n", e.engine, e.faults.empty() ? "" : " [seeded: " + e.faults + "]",
                       e.instantiation);
    for (size_t i = 0; i < e.outcomes.size(); ++i) {
      std::string name = i < c.script.calls.size() ? c.script.calls[i].export_name : "?";
      out += fmt::format("  call {} \"{}\": {}\n", i, name, e.outcomes[i]);
    }
  }
  for (const Divergence& d : r.divergences) out += "DIFF " + d.ToString() + "\n";
  for (const std::string& f : r.failures) out += "FAIL " + f + "\n";
  size_t unsupported = 0;
  for (const EngineReport& e : r.engines) unsupported += e.unsupported;
  out += fmt::format("verdict: {} ({} engines, {} unsupported, {} calls, {} differences)\n",
                     VerdictName(r.verdict), r.engines.size(), unsupported, r.calls_run,
                     r.divergences.size());
  return out;
}

}  // namespace tandem::diff
