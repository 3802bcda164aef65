// runner.cc: the spec-test runner: wast2json, command execution on each engine, forked file
// isolation, expected failures, the printed table; reports/ writes the JSON and JUnit files
// (DESIGN.md "Layout" spec-tests/; Spec A.7 script).
#include "spec-tests/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <variant>

#include <fmt/format.h>

#include "diff/code_verify.h"
#include "diff/jit_engine.h"
#include "diff/compare.h"
#include "diff/v8_engine.h"
#include "jit/arena.h"
#include "reference/decoder.h"
#include "reference/validator.h"
#include "reports/json_report.h"
#include "reports/junit_report.h"
#include "spec-tests/wast_json.h"

namespace tandem::spec {

namespace fs = std::filesystem;
using nlohmann::json;
using reports::FileStateName;
using reports::ToJson;
using wasm::Outcome;

namespace {

constexpr const char* kTextModules = "text-format modules";
constexpr const char* kUnsupported = "unsupported";

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A module file decoded and validated once, shared by every engine.
struct Loaded {
  enum class Status : uint8_t { kOk, kMalformed, kInvalid, kUnsupported, kLimit, kError } status;
  std::shared_ptr<const wasm::Module> module;
  std::string message;
  std::vector<uint8_t> bytes;  // the file's contents (for engines with a front end of their own)
};

Loaded LoadBytes(const std::vector<uint8_t>& bytes);

Loaded LoadModule(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {Loaded::Status::kError, nullptr, "cannot read " + path.string(), {}};
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  Loaded out = LoadBytes(bytes);
  out.bytes = std::move(bytes);
  return out;
}

Loaded LoadBytes(const std::vector<uint8_t>& bytes) {
  std::shared_ptr<wasm::Module> m;
  try {
    m = std::make_shared<wasm::Module>(wasm::Decode(bytes));
  } catch (const wasm::UnsupportedError& e) {
    return {Loaded::Status::kUnsupported, nullptr, e.what(), {}};
  } catch (const wasm::MalformedError& e) {
    return {Loaded::Status::kMalformed, nullptr, e.what(), {}};
  } catch (const wasm::LimitError& e) {
    return {Loaded::Status::kLimit, nullptr, e.what(), {}};
  } catch (const wasm::WasmError& e) {
    return {Loaded::Status::kError, nullptr,
            std::string("decoder threw a non-malformed error: ") + e.what(), {}};
  } catch (const std::exception& e) {
    return {Loaded::Status::kError, nullptr, std::string("decoder internal error: ") + e.what(), {}};
  }
  try {
    wasm::Validate(*m);
  } catch (const wasm::UnsupportedError& e) {
    return {Loaded::Status::kUnsupported, nullptr, e.what(), {}};
  } catch (const wasm::InvalidError& e) {
    return {Loaded::Status::kInvalid, nullptr, e.what(), {}};
  } catch (const wasm::LimitError& e) {
    return {Loaded::Status::kLimit, nullptr, e.what(), {}};
  } catch (const wasm::WasmError& e) {
    return {Loaded::Status::kError, nullptr,
            std::string("validator threw a non-invalid error: ") + e.what(), {}};
  } catch (const std::exception& e) {
    return {Loaded::Status::kError, nullptr, std::string("validator internal error: ") + e.what(), {}};
  }
  return {Loaded::Status::kOk, std::move(m), {}, {}};
}

std::string LoadedToString(const Loaded& l) {
  switch (l.status) {
    case Loaded::Status::kOk:
      return "module decoded and validated";
    case Loaded::Status::kMalformed:
      return "malformed: " + l.message;
    case Loaded::Status::kInvalid:
      return "invalid: " + l.message;
    case Loaded::Status::kUnsupported:
      return "unsupported: " + l.message;
    case Loaded::Status::kLimit:
      return "beyond an implementation limit: " + l.message;
    case Loaded::Status::kError:
      return "error: " + l.message;
  }
  return "?";
}

// Why an instance is not there: skipped (unsupported) or failed.
struct Unavailable {
  bool skip = false;
  std::string reason;
};

struct EngineState {
  std::string name;
  std::unique_ptr<diff::Engine> engine;
  std::map<std::string, uint32_t> named;
  std::optional<uint32_t> current;
  std::optional<Unavailable> current_missing;
  std::map<std::string, Unavailable> named_missing;
  std::map<std::string, Unavailable> registered_missing;  // registered name -> why
  // For comparing engines: every module command's instance (nullopt when it has none), in
  // script order, and the outcome of the last action.
  std::vector<std::optional<uint32_t>> instances;
  std::optional<Outcome> last_outcome;
  std::optional<diff::InstantiateOutcome> last_instantiation;  // of this command, if any
  std::vector<diff::LogEntry> last_log;                         // logged during this command
  // --verify: the entries of a JIT store's code list verified so far, the proof cache (one per
  // engine: each file runs in a process of its own) and the counts.
  size_t verified = 0;
  std::unique_ptr<jit::verify::ProofCache> cache;
  std::optional<reports::VerifyCounts> verify_counts;
};

class ScriptRunner {
 public:
  ScriptRunner(fs::path dir, const RunnerOptions& options, const ResultSink& sink)
      : dir_(std::move(dir)), options_(options), sink_(sink) {}

  std::vector<TestResult> Run(const std::vector<Command>& commands) {
    for (size_t k = 0; k < options_.engines.size(); ++k) {
      const std::string& name = options_.engines[k];
      EngineState s;
      s.name = name;
      std::string why = "unknown engine " + name;
      try {
        s.engine = diff::MakeEngine(
            name, diff::ConfigForEngine(options_.config, options_.faults, options_.engines, k));
      } catch (const std::exception& e) {  // e.g. x86-64 code cannot run on this host
        why = "engine " + name + " unavailable: " + e.what();
      }
      if (!s.engine) {
        results_.push_back({0, "file", name, Status::kFailed, "", "", why, ""});
        if (sink_) sink_(results_.back());
        return std::move(results_);
      }
      engines_.push_back(std::move(s));
    }
    for (const auto& c : commands) {
      bool selected = !options_.line || *options_.line == c.line;
      if (IsTest(c.type) && !selected) continue;
      size_t first = results_.size();
      for (auto& e : engines_) {
        e.last_outcome.reset();
        e.last_instantiation.reset();
        e.last_log.clear();
        try {
          Execute(c, e);
        } catch (const std::exception& ex) {
          Record(c, e, Status::kFailed, "", "", std::string("internal error: ") + ex.what());
        }
      }
      if (engines_.size() > 1) Compare(c, first);
      if (options_.verify)
        for (auto& e : engines_) Verify(c, e);
      if (sink_)
        for (size_t i = first; i < results_.size(); ++i) sink_(results_[i]);
    }
    return std::move(results_);
  }

  std::vector<reports::VerifyCounts> verify_counts() const {
    std::vector<reports::VerifyCounts> out;
    for (const auto& e : engines_)
      if (e.verify_counts) out.push_back(*e.verify_counts);
    return out;
  }

 private:
  void Record(const Command& c, const EngineState& e, Status st, std::string expected,
              std::string got, std::string message, std::string category = {}) {
    if (st == Status::kSkipped && options_.config.strict && category != kTextModules) {
      st = Status::kFailed;
      message = "strict mode: " + message;
    }
    results_.push_back({c.line, c.type_name, e.name, st, std::move(expected), std::move(got),
                        std::move(message), st == Status::kSkipped ? std::move(category) : ""});
  }

  // Differential comparison (DESIGN.md "State") through the one comparator (diff/compare.h):
  // after each command, every engine's instantiation outcome, call outcome, host-import log,
  // the state of every instance it holds and (--compare-arena) its arena must equal the first
  // engine's. A difference fails that engine's result for the command (or is recorded as a
  // "difference" when the command is not a test). Results from index `first` on belong to this
  // command. Each difference is printed with its field's name ("global: module 1 global 0: ...").
  // V8 is checked against the script only: the scripts are not made NaN-free (V8 has no
  // NaN-canonical mode), and it sees exported state only.
  void Compare(const Command& c, size_t first) {
    using diff::Difference;
    size_t b = 0;
    while (b < engines_.size() && diff::IsV8Engine(engines_[b].name)) ++b;
    if (b == engines_.size()) return;
    EngineState& base = engines_[b];
    for (size_t k = b + 1; k < engines_.size(); ++k) {
      EngineState& e = engines_[k];
      if (diff::IsV8Engine(e.name)) continue;
      std::vector<std::string> diffs;
      auto add = [&](const std::vector<Difference>& ds, const std::string& prefix) {
        for (const Difference& d : ds)
          if (diffs.size() < 16) {
            Difference named = d;
            if (!prefix.empty()) named.where = prefix + (named.where.empty() ? "" : " " + named.where);
            diffs.push_back(named.ToString());
          }
      };
      using S = diff::InstantiateOutcome::Status;
      if (base.last_instantiation && e.last_instantiation &&
          base.last_instantiation->status != S::kUnsupported &&
          e.last_instantiation->status != S::kUnsupported)
        add(diff::CompareInstantiation(*base.last_instantiation, *e.last_instantiation), "");
      if (base.last_outcome && e.last_outcome)
        add(diff::CompareOutcome(*base.engine, *base.last_outcome, *e.engine, *e.last_outcome), "");
      // Logs are compared when both engines ran the command's call or instantiation.
      if ((base.last_outcome && e.last_outcome) ||
          (base.last_instantiation && e.last_instantiation))
        add(diff::CompareLogs(base.last_log, e.last_log), "");
      size_t n = std::min(base.instances.size(), e.instances.size());
      for (size_t i = 0; i < n && diffs.size() < 16; ++i) {
        if (!base.instances[i] || !e.instances[i]) continue;
        add(diff::CompareInstanceState(*base.engine, *base.instances[i], *e.engine,
                                       *e.instances[i], 16 - diffs.size()),
            "module " + std::to_string(i));
      }
      if (options_.compare_arena) {
        // Byte-for-byte arena comparison between JIT engines (layout-named differences),
        // against the first JIT engine before this one.
        for (size_t j = 0; j < k; ++j) {
          auto arena_diffs = diff::CompareArenas(*engines_[j].engine, *e.engine, 16);
          if (!dynamic_cast<diff::JitEngine*>(engines_[j].engine.get())) continue;
          add(arena_diffs, "(vs " + engines_[j].name + ")");
          break;
        }
      }
      if (diffs.empty()) continue;
      std::string text = "differs from " + base.name + ": " + diffs[0];
      for (size_t i = 1; i < diffs.size(); ++i) text += "; " + diffs[i];
      ++differences_;
      bool flipped = false;
      for (size_t i = first; i < results_.size(); ++i) {
        TestResult& r = results_[i];
        if (r.engine != e.name) continue;
        if (r.status != Status::kFailed) {
          r.status = Status::kFailed;
          r.skip_category.clear();
        }
        r.message = r.message.empty() ? text : r.message + "; " + text;
        flipped = true;
      }
      if (!flipped)
        results_.push_back({c.line, "difference", e.name, Status::kFailed, "", "", text, ""});
    }
  }
  size_t differences_ = 0;

  // --verify: the functions the command made the engine compile, verified before the next
  // command runs them (a file that crashes later still reports what was verified). A function
  // with an access not proved is a failed "verify" result at line 0, a file-level result, so
  // that no expected-failure entry of a module's line can hide it.
  void Verify(const Command& c, EngineState& e) {
    if (!dynamic_cast<diff::JitEngine*>(e.engine.get())) return;
    if (!e.cache) e.cache = std::make_unique<jit::verify::ProofCache>();
    if (!e.verify_counts) e.verify_counts = reports::VerifyCounts{e.name};
    std::optional<std::vector<diff::VerifiedFunction>> functions;
    try {
      functions = diff::VerifyNewCode(*e.engine, &e.verified, e.cache.get());
    } catch (const std::exception& ex) {
      results_.push_back({0, "verify", e.name, Status::kFailed, "", "",
                          fmt::format("the code of the module at line {} cannot be verified: {}",
                                      c.line, ex.what()),
                          ""});
      return;
    }
    reports::VerifyCounts& counts = *e.verify_counts;
    for (const diff::VerifiedFunction& vf : *functions) {
      const jit::verify::FunctionResult& f = vf.result;
      ++counts.functions;
      counts.accesses += f.accesses;
      counts.proved += f.proved;
      counts.failed += f.failed;
      counts.unknown += f.unknown;
      counts.cached += f.cached;
      if (f.problems.empty()) continue;
      std::string problems = diff::FormatProblems(f);
      while (!problems.empty() && problems.back() == '\n') problems.pop_back();
      results_.push_back(
          {0, "verify", e.name, Status::kFailed, "", "",
           fmt::format("function {} of the module at line {}: {} of {} accesses not proved ({} "
                       "failed, {} unknown)\n{}",
                       vf.func_index, c.line, f.failed + f.unknown, f.accesses, f.failed,
                       f.unknown, problems),
           ""});
    }
  }

  const Loaded& Load(const std::string& filename) {
    auto it = cache_.find(filename);
    if (it == cache_.end()) it = cache_.emplace(filename, LoadModule(dir_ / filename)).first;
    return it->second;
  }

  // The instance an action or register names, or why it is missing.
  std::variant<uint32_t, Unavailable> Target(EngineState& e,
                                             const std::optional<std::string>& name) {
    if (name) {
      if (auto it = e.named.find(*name); it != e.named.end()) return it->second;
      if (auto it = e.named_missing.find(*name); it != e.named_missing.end()) return it->second;
      return Unavailable{false, "no module named " + *name};
    }
    if (e.current) return *e.current;
    if (e.current_missing) return *e.current_missing;
    return Unavailable{false, "no module defined before this command"};
  }

  // Skips or fails `c` because what it needs is missing; false when nothing is missing.
  void Missing(const Command& c, EngineState& e, const Unavailable& u) {
    Record(c, e, u.skip ? Status::kSkipped : Status::kFailed, "", "", u.reason, kUnsupported);
  }

  // A missing registered module among the imports (its module was skipped or failed).
  std::optional<Unavailable> MissingImport(const EngineState& e, const wasm::Module& m) {
    for (const auto& imp : m.imports)
      if (auto it = e.registered_missing.find(imp.module); it != e.registered_missing.end())
        return Unavailable{it->second.skip,
                           "imports from \"" + imp.module + "\": " + it->second.reason};
    return std::nullopt;
  }

  void SetMissing(const Command& c, EngineState& e, Unavailable u) {
    e.current.reset();
    e.current_missing = u;
    if (c.name) {
      e.named.erase(*c.name);
      e.named_missing[*c.name] = u;
    }
  }

  void DoModule(const Command& c, EngineState& e) {
    std::string where = "module at line " + std::to_string(c.line);
    const Loaded& l = Load(c.filename);
    if (l.status == Loaded::Status::kUnsupported) {
      SetMissing(c, e, {true, where + " unsupported: " + l.message});
      return;
    }
    if (l.status != Loaded::Status::kOk) {
      Record(c, e, Status::kFailed, "module decoded and validated", LoadedToString(l), "");
      SetMissing(c, e, {false, where + " failed: " + LoadedToString(l)});
      return;
    }
    if (auto miss = MissingImport(e, *l.module)) {
      SetMissing(c, e, {miss->skip, where + ": " + miss->reason});
      return;
    }
    auto r = e.engine->Instantiate(l.module);
    e.last_instantiation = r;
    e.last_log = e.engine->TakeLog();  // a start function may log
    using S = diff::InstantiateOutcome::Status;
    e.instances.push_back(r.status == S::kOk ? std::optional<uint32_t>(r.instance) : std::nullopt);
    if (r.status == S::kOk) {
      e.current = r.instance;
      e.current_missing.reset();
      if (c.name) {
        e.named[*c.name] = r.instance;
        e.named_missing.erase(*c.name);
      }
      return;
    }
    if (r.status == S::kUnsupported) {
      if (options_.config.strict)
        Record(c, e, Status::kFailed, "instantiated", "unsupported: " + r.message, "strict mode");
      SetMissing(c, e, {true, where + " unsupported by " + e.name + ": " + r.message});
      return;
    }
    std::string got = r.status == S::kUninstantiable ? wasm::ToString(r.failure)
                                                     : "not instantiated: " + r.message;
    Record(c, e, Status::kFailed, "instantiated", got, "");
    SetMissing(c, e, {false, where + " failed to instantiate: " + got});
  }

  void DoRegister(const Command& c, EngineState& e) {
    auto t = Target(e, c.name);
    if (auto* u = std::get_if<Unavailable>(&t)) {
      e.registered_missing[c.as] = *u;
      return;
    }
    e.registered_missing.erase(c.as);
    e.engine->Register(c.as, std::get<uint32_t>(t));
  }

  // Runs the action of `c`; nullopt when the command was recorded as skipped/failed already.
  std::optional<Outcome> DoAction(const Command& c, EngineState& e) {
    if (!c.unsupported.empty()) {
      Record(c, e, Status::kSkipped, "", "", c.unsupported, kUnsupported);
      return std::nullopt;
    }
    auto t = Target(e, c.action.module);
    if (auto* u = std::get_if<Unavailable>(&t)) {
      Missing(c, e, *u);
      return std::nullopt;
    }
    uint32_t inst = std::get<uint32_t>(t);
    Outcome o = c.action.type == Action::Type::kInvoke
                    ? e.engine->Invoke(inst, c.action.field, c.action.args)
                    : e.engine->Get(inst, c.action.field);
    e.last_outcome = o;
    e.last_log = e.engine->TakeLog();
    if (o.kind == Outcome::Kind::kUnsupported) {
      Record(c, e, Status::kSkipped, "", "", "unsupported by " + e.name + ": " + o.message,
             kUnsupported);
      return std::nullopt;
    }
    return o;
  }

  void DoAssertReturn(const Command& c, EngineState& e) {
    auto o = DoAction(c, e);
    if (!o) return;
    const bool either = !c.either.empty();
    const std::vector<ExpectedValue>& shown = either ? c.either : c.expected;
    std::string expected = either ? "one of:" : "";
    for (size_t i = 0; i < shown.size(); ++i) {
      if (i || either) expected += ' ';
      expected += ToString(shown[i]);
    }
    if (expected.empty()) expected = "(no values)";
    bool ok = o->kind == Outcome::Kind::kValues;
    if (either) {
      ok = ok && o->values.size() == 1 &&
           std::any_of(c.either.begin(), c.either.end(),
                       [&](const ExpectedValue& x) { return Matches(x, o->values[0]); });
    } else {
      ok = ok && o->values.size() == c.expected.size();
      for (size_t i = 0; ok && i < c.expected.size(); ++i)
        ok = Matches(c.expected[i], o->values[i]);
    }
    // A v128 is shown in the shape the script expects it in (lanes as hex bits).
    std::string got;
    if (o->kind == Outcome::Kind::kValues) {
      for (size_t i = 0; i < o->values.size(); ++i) {
        const wasm::Value& v = o->values[i];
        const ExpectedValue* x = either                  ? &c.either[0]
                                 : i < c.expected.size() ? &c.expected[i]
                                                         : nullptr;
        bool lanes = v.type == wasm::ValType::V128;
        got +=
            (i ? " " : "") + (lanes ? FormatV128(v, x && x->kind == ExpectedValue::Kind::kV128Lanes
                                                        ? x->shape
                                                        : V128Shape::kI32x4)
                                    : wasm::ToString(v));
      }
    } else {
      got = wasm::ToString(*o);
    }
    if (got.empty()) got = "(no values)";
    Record(c, e, ok ? Status::kPassed : Status::kFailed, expected, got, "");
  }

  void DoAssertTrapLike(const Command& c, EngineState& e) {
    auto o = DoAction(c, e);
    if (!o) return;
    bool ok;
    std::string expected;
    if (c.type == Command::Type::kAssertExhaustion) {
      expected = "exhausted: " + c.text;
      ok = o->kind == Outcome::Kind::kExhausted &&
           StartsWith(wasm::ExhaustionMessage(o->exhaustion), c.text);
    } else if (c.type == Command::Type::kAction) {
      expected = "values";
      ok = o->kind == Outcome::Kind::kValues;
    } else {
      expected = "trap: " + c.text;
      ok = o->kind == Outcome::Kind::kTrap && TrapMatches(o->trap, c.text);
    }
    Record(c, e, ok ? Status::kPassed : Status::kFailed, expected, wasm::ToString(*o), "");
  }

  void DoAssertModule(const Command& c, EngineState& e) {
    using T = Command::Type;
    if (c.module_type == "text") {
      Record(c, e, Status::kSkipped, "", "", "text-format module (tandem has no text parser)",
             kTextModules);
      return;
    }
    const Loaded& l = Load(c.filename);
    if (l.status == Loaded::Status::kUnsupported) {
      Record(c, e, Status::kSkipped, "", "", "unsupported: " + l.message, kUnsupported);
      return;
    }
    if (c.type == T::kAssertMalformed || c.type == T::kAssertInvalid) {
      bool malformed = c.type == T::kAssertMalformed;
      // An engine with its own front end (V8) must refuse the module itself; its messages are
      // its own, so only the refusal is checked.
      if (auto v = e.engine->Check(l.bytes)) {
        Record(c, e, v->accepted ? Status::kFailed : Status::kPassed,
               std::string(malformed ? "malformed: " : "invalid: ") + c.text,
               v->accepted ? "accepted by " + e.name : "refused by " + e.name + ": " + v->message, "");
        return;
      }
      auto want = malformed ? Loaded::Status::kMalformed : Loaded::Status::kInvalid;
      bool ok = l.status == want && StartsWith(l.message, c.text);
      Record(c, e, ok ? Status::kPassed : Status::kFailed,
             std::string(malformed ? "malformed: " : "invalid: ") + c.text, LoadedToString(l), "");
      return;
    }
    std::string expected =
        (c.type == T::kAssertUnlinkable ? "unlinkable: " : "uninstantiable: ") + c.text;
    if (l.status != Loaded::Status::kOk) {
      Record(c, e, Status::kFailed, expected, LoadedToString(l), "");
      return;
    }
    if (auto miss = MissingImport(e, *l.module)) {
      Missing(c, e, *miss);
      return;
    }
    auto r = e.engine->Instantiate(l.module);
    e.last_instantiation = r;
    e.last_log = e.engine->TakeLog();
    using S = diff::InstantiateOutcome::Status;
    std::string got;
    bool ok = false;
    switch (r.status) {
      case S::kOk:
        got = "instantiated";
        break;
      case S::kUnlinkable:
        got = "unlinkable: " + r.message;
        ok = c.type == T::kAssertUnlinkable && StartsWith(r.message, c.text);
        break;
      case S::kUninstantiable:
        got = "uninstantiable: " + wasm::ToString(r.failure);
        if (c.type != T::kAssertUnlinkable) {
          if (r.failure.kind == Outcome::Kind::kTrap)
            ok = TrapMatches(r.failure.trap, c.text);
          else if (r.failure.kind == Outcome::Kind::kExhausted)
            ok = StartsWith(wasm::ExhaustionMessage(r.failure.exhaustion), c.text);
        }
        break;
      case S::kUnsupported:
        Record(c, e, Status::kSkipped, "", "", "unsupported by " + e.name + ": " + r.message,
               kUnsupported);
        return;
      case S::kResourceExhausted:
        got = r.message;
        break;
      case S::kInternalError:
        got = "internal error: " + r.message;
        break;
    }
    Record(c, e, ok ? Status::kPassed : Status::kFailed, expected, got, "");
  }

  void Execute(const Command& c, EngineState& e) {
    using T = Command::Type;
    switch (c.type) {
      case T::kModule:
        return DoModule(c, e);
      case T::kRegister:
        return DoRegister(c, e);
      case T::kAssertReturn:
        return DoAssertReturn(c, e);
      case T::kAction:
      case T::kAssertExhaustion:
        return DoAssertTrapLike(c, e);
      case T::kAssertTrap:
        if (c.has_action) return DoAssertTrapLike(c, e);
        return DoAssertModule(c, e);  // assert_trap on a module: uninstantiable
      case T::kAssertInvalid:
      case T::kAssertMalformed:
      case T::kAssertUnlinkable:
      case T::kAssertUninstantiable:
        return DoAssertModule(c, e);
    }
  }

  fs::path dir_;
  const RunnerOptions& options_;
  const ResultSink& sink_;
  std::vector<EngineState> engines_;
  std::map<std::string, Loaded> cache_;
  std::vector<TestResult> results_;
};

// Runs a program with stdout+stderr to `log`; returns its wait status, or -1 if it could not run.
int RunProgram(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// True for a script of the relaxed-simd proposal: under a relaxed-simd folder, or one whose
// conversion failed on a relaxed instruction.
bool IsRelaxedSimdScript(const std::string& wast_path, const std::string& wast2json_output) {
  for (const auto& part : fs::path(wast_path).parent_path())
    if (part == "relaxed-simd") return true;
  return wast2json_output.find(".relaxed_") != std::string::npos;
}

FileResult RunFileIn(const std::string& wast_path, const fs::path& dir,
                     const RunnerOptions& options, const ResultSink& sink = {}) {
  FileResult fr;
  fr.path = wast_path;
  fr.name = fs::path(wast_path).filename().string();
  std::string stem = fs::path(wast_path).stem().string();
  fs::path json_path = dir / (stem + ".json");
  std::string log = (dir / "wast2json.log").string();
  // The relaxed-simd proposal's opcodes are accepted by the converter so that its modules reach
  // the decoder, which refuses them as unsupported; the output for other scripts is unchanged.
  int st = RunProgram(
      {options.wast2json, "--enable-relaxed-simd", wast_path, "-o", json_path.string()}, log);
  if (st != 0) {
    std::string out = ReadFile(log);
    while (!out.empty() && (out.back() == '\n')) out.pop_back();
    // A relaxed-simd script the converter cannot read (newer instructions than WABT 1.0.32
    // knows) is reported like the proposal's other modules: unsupported, with the reason.
    if (IsRelaxedSimdScript(wast_path, out)) {
      std::string why = "relaxed-simd proposal (not Wasm 2.0); wast2json cannot convert it: " +
                        out.substr(0, out.find('\n'));
      for (const auto& eng : options.engines) {
        bool strict = options.config.strict;
        fr.tests.push_back({0, "file", eng, strict ? Status::kFailed : Status::kSkipped, "", "",
                            strict ? "strict mode: " + why : why, strict ? "" : kUnsupported});
        if (sink) sink(fr.tests.back());
      }
      return fr;
    }
    fr.state = FileResult::State::kError;
    fr.error = "wast2json failed" + (out.empty() ? std::string() : ": " + out.substr(0, 2000));
    return fr;
  }
  fr.tests = RunScript(json_path.string(), fr.name, options, sink, &fr.verify);
  return fr;
}

Status StatusFromName(const std::string& s) {
  if (s == "passed") return Status::kPassed;
  if (s == "skipped") return Status::kSkipped;
  if (s == "expected-failure") return Status::kExpectedFailure;
  return Status::kFailed;
}

TestResult FromJson(const json& j) {
  TestResult t;
  t.line = j.at("line").get<int>();
  t.command = j.at("command").get<std::string>();
  t.engine = j.at("engine").get<std::string>();
  t.status = StatusFromName(j.at("status").get<std::string>());
  t.expected = j.at("expected").get<std::string>();
  t.got = j.at("got").get<std::string>();
  t.message = j.at("message").get<std::string>();
  t.skip_category = j.at("skip_category").get<std::string>();
  return t;
}

void WriteAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    done += static_cast<size_t>(n);
  }
}

struct Child {
  pid_t pid;
  int fd;
  size_t index;
  std::string buffer;
  fs::path dir;
  std::chrono::steady_clock::time_point deadline;
};

// The forked child: runs the file and writes JSON lines to `fd`, then "done".
[[noreturn]] void ChildMain(const std::string& path, const fs::path& dir,
                            const RunnerOptions& options, int fd) {
  setpgid(0, 0);
  int devnull = open("/dev/null", O_WRONLY);
  if (devnull >= 0) dup2(devnull, 1);  // host functions (spectest print*) write to stdout
  FileResult fr = RunFileIn(path, dir, options,
                            [fd](const TestResult& t) { WriteAll(fd, ToJson(t).dump() + "\n"); });
  for (const reports::VerifyCounts& v : fr.verify)
    WriteAll(fd, json{{"verify", {{"engine", v.engine}, {"functions", v.functions},
                                  {"accesses", v.accesses}, {"proved", v.proved},
                                  {"failed", v.failed}, {"unknown", v.unknown},
                                  {"cached", v.cached}}}}
                         .dump() +
                     "\n");
  std::string out =
      json{{"state", FileStateName(fr.state)}, {"error", fr.error}, {"done", true}}.dump() + "\n";
  WriteAll(fd, out);
  close(fd);
  _exit(0);
}

void Finish(Child& ch, FileResult& fr, bool timed_out, int timeout_seconds) {
  if (timed_out) {
    kill(-ch.pid, SIGKILL);
    kill(ch.pid, SIGKILL);
  }
  int status = 0;
  while (waitpid(ch.pid, &status, 0) < 0 && errno == EINTR) {
  }
  close(ch.fd);
  std::error_code ec;
  fs::remove_all(ch.dir, ec);
  bool done = false;
  std::istringstream lines(ch.buffer);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    try {
      json j = json::parse(line);
      if (j.contains("verify")) {
        const json& v = j["verify"];
        fr.verify.push_back({v.at("engine").get<std::string>(), v.at("functions").get<uint64_t>(),
                             v.at("accesses").get<uint64_t>(), v.at("proved").get<uint64_t>(),
                             v.at("failed").get<uint64_t>(), v.at("unknown").get<uint64_t>(),
                             v.at("cached").get<uint64_t>()});
      } else if (j.contains("done")) {
        done = true;
        std::string st = j["state"].get<std::string>();
        fr.state = st == "ok" ? FileResult::State::kOk : FileResult::State::kError;
        fr.error = j["error"].get<std::string>();
      } else {
        fr.tests.push_back(FromJson(j));
      }
    } catch (const std::exception&) {
      break;
    }
  }
  if (timed_out) {
    fr.state = FileResult::State::kTimedOut;
    fr.error = "timed out after " + std::to_string(timeout_seconds) + " s";
    if (!fr.tests.empty())
      fr.error +=
          " (the last finished command was at line " + std::to_string(fr.tests.back().line) + ")";
  } else if (!done || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fr.state = FileResult::State::kCrashed;
    if (WIFSIGNALED(status))
      fr.error = std::string("crashed: killed by signal ") + std::to_string(WTERMSIG(status)) +
                 " (" + strsignal(WTERMSIG(status)) + ")";
    else
      fr.error = "crashed: exited with status " + std::to_string(WEXITSTATUS(status));
  }
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

}  // namespace

std::vector<TestResult> RunScript(const std::string& json_path, const std::string& wast_name,
                                  const RunnerOptions& options, const ResultSink& sink,
                                  std::vector<reports::VerifyCounts>* verify) {
  std::vector<Command> commands;
  try {
    commands = ParseWastJson(ReadFile(json_path));
  } catch (const std::exception& e) {
    std::vector<TestResult> r;
    for (const auto& eng : options.engines)
      r.push_back({0, "file", eng, Status::kFailed, "", "",
                   std::string("cannot read wast2json output: ") + e.what(), ""});
    if (sink)
      for (const auto& t : r) sink(t);
    return r;
  }
  ScriptRunner runner(fs::path(json_path).parent_path(), options, sink);
  std::vector<TestResult> results = runner.Run(commands);
  if (verify) *verify = runner.verify_counts();
  return results;
}

FileResult RunFile(const std::string& wast_path, const RunnerOptions& options) {
  std::string tmpl = (fs::temp_directory_path() / "tandem-spec-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    FileResult fr;
    fr.path = wast_path;
    fr.name = fs::path(wast_path).filename().string();
    fr.state = FileResult::State::kError;
    fr.error = std::string("cannot create a temporary directory: ") + strerror(errno);
    return fr;
  }
  FileResult fr = RunFileIn(wast_path, tmpl, options);
  std::error_code ec;
  fs::remove_all(tmpl, ec);
  return fr;
}

void ApplyExpectedFailures(const std::map<std::string, std::string>& entries,
                           const std::string& engine, bool complete, FileResult& file) {
  std::set<int> seen;
  for (auto& t : file.tests) {
    if (t.engine != engine || t.command == "file") continue;
    auto it = entries.find(file.name + ":" + std::to_string(t.line));
    if (it == entries.end()) continue;
    seen.insert(t.line);
    if (t.status == Status::kFailed) {
      t.status = Status::kExpectedFailure;
      t.message =
          "expected failure: " + it->second + (t.message.empty() ? "" : " (" + t.message + ")");
    } else if (t.status == Status::kPassed) {
      t.status = Status::kFailed;
      t.message = "stale expected-failure entry (the test passes): " + it->second;
    }
  }
  if (!complete) return;
  std::string prefix = file.name + ":";
  for (const auto& [id, reason] : entries) {
    if (id.compare(0, prefix.size(), prefix) != 0) continue;
    int line = std::stoi(id.substr(prefix.size()));
    if (seen.count(line)) continue;
    file.tests.push_back({line, "expected-failure", engine, Status::kFailed, "", "",
                          "stale expected-failure entry (no test at this line): " + reason, ""});
  }
}

int RunSpec(const std::vector<std::string>& wast_paths, const RunnerOptions& options) {
  // Expected failures, one list per engine.
  std::map<std::string, std::map<std::string, std::string>> xfails;
  for (const auto& eng : options.engines) {
    if (options.expected_failures_dir.empty()) continue;
    fs::path p = fs::path(options.expected_failures_dir) / (eng + ".txt");
    if (!fs::exists(p)) continue;
    try {
      xfails[eng] = ParseExpectedFailures(ReadFile(p));
    } catch (const std::exception& e) {
      std::cerr << "tandem spec: " << p.string() << ": " << e.what() << "\n";
      return 2;
    }
  }

  const size_t n = wast_paths.size();
  std::vector<FileResult> files(n);
  const bool tty = isatty(2) && !options.quiet;
  size_t finished = 0, next = 0;
  std::vector<Child> running;
  const int jobs = std::max(1, options.jobs);
  auto progress = [&](const FileResult* done) {
    if (options.quiet) return;
    if (tty) {
      std::string names;
      for (const auto& ch : running)
        names += (names.empty() ? "" : " ") + fs::path(wast_paths[ch.index]).filename().string();
      std::string line = "[" + std::to_string(finished) + "/" + std::to_string(n) + "] " + names;
      if (line.size() > 100) line = line.substr(0, 97) + "...";
      std::cerr << "\r\033[K" << line << std::flush;
    } else if (done) {
      Counts c;
      for (const auto& t : done->tests) c.Add(t.status);
      std::cerr << "[" << finished << "/" << n << "] " << done->name << ": " << c.passed
                << " passed, " << c.failed << " failed, " << c.skipped << " skipped";
      if (done->state != FileResult::State::kOk)
        std::cerr << " (" << done->error.substr(0, 200) << ")";
      std::cerr << "\n";
    }
  };

  std::cout.flush();
  std::cerr.flush();
  while (finished < n) {
    while (next < n && static_cast<int>(running.size()) < jobs) {
      size_t idx = next++;
      files[idx].path = wast_paths[idx];
      files[idx].name = fs::path(wast_paths[idx]).filename().string();
      std::string tmpl = (fs::temp_directory_path() / "tandem-spec-XXXXXX").string();
      int fds[2];
      if (!mkdtemp(tmpl.data()) || pipe2(fds, O_CLOEXEC) != 0) {
        files[idx].state = FileResult::State::kError;
        files[idx].error = std::string("cannot set up the child: ") + strerror(errno);
        ++finished;
        progress(&files[idx]);
        continue;
      }
      pid_t pid = fork();
      if (pid == 0) {
        close(fds[0]);
        ChildMain(wast_paths[idx], tmpl, options, fds[1]);
      }
      close(fds[1]);
      if (pid < 0) {
        close(fds[0]);
        files[idx].state = FileResult::State::kError;
        files[idx].error = std::string("fork failed: ") + strerror(errno);
        ++finished;
        progress(&files[idx]);
        continue;
      }
      setpgid(pid, pid);
      running.push_back(
          {pid,
           fds[0],
           idx,
           {},
           tmpl,
           std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds)});
      progress(nullptr);
    }
    if (running.empty()) continue;
    std::vector<pollfd> pfds;
    auto now = std::chrono::steady_clock::now();
    auto wait = std::chrono::milliseconds(1000);
    for (const auto& ch : running) {
      pfds.push_back({ch.fd, POLLIN, 0});
      wait =
          std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(ch.deadline - now));
    }
    int timeout_ms = std::max<int>(0, static_cast<int>(wait.count()) + 1);
    int pr = poll(pfds.data(), pfds.size(), timeout_ms);
    if (pr < 0 && errno != EINTR) {
      std::cerr << "tandem spec: poll failed: " << strerror(errno) << "\n";
      return 2;
    }
    now = std::chrono::steady_clock::now();
    std::vector<Child> still;
    bool finished_now = false;
    for (size_t i = 0; i < running.size(); ++i) {
      Child& ch = running[i];
      bool eof = false;
      if (pr > 0 && (pfds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        char buf[65536];
        ssize_t r = read(ch.fd, buf, sizeof buf);
        if (r > 0)
          ch.buffer.append(buf, static_cast<size_t>(r));
        else if (r == 0 || errno != EINTR)
          eof = true;
      }
      bool timed_out = !eof && now >= ch.deadline;
      if (eof || timed_out) {
        FileResult& fr = files[ch.index];
        Finish(ch, fr, timed_out, options.timeout_seconds);
        if (fr.state == FileResult::State::kCrashed || fr.state == FileResult::State::kTimedOut ||
            fr.state == FileResult::State::kError) {
          for (const auto& eng : options.engines)
            fr.tests.push_back({0, "file", eng, Status::kFailed, "", "", fr.error, ""});
        }
        for (const auto& eng : options.engines) {
          auto it = xfails.find(eng);
          if (it == xfails.end()) continue;
          ApplyExpectedFailures(it->second, eng,
                                fr.state == FileResult::State::kOk && !options.line, fr);
        }
        ++finished;
        finished_now = true;
        if (!tty) progress(&fr);
        continue;
      }
      still.push_back(std::move(ch));
    }
    running = std::move(still);  // the finished children are dropped
    if (tty && finished_now) progress(nullptr);
  }
  if (tty) std::cerr << "\r\033[K" << std::flush;

  // Table: file x engine.
  std::map<std::string, Counts> per_engine;
  Counts total;
  std::map<std::string, uint64_t> skip_categories;
  size_t width = 4;
  for (const auto& f : files) width = std::max(width, f.name.size());
  std::ostringstream out;
  out << "file" << std::string(width - 4, ' ');
  for (const auto& eng : options.engines)
    for (const char* col : {"passed", "failed", "skipped"}) {
      std::string head = eng + " " + col;
      out << "  " << std::string(head.size() < 10 ? 10 - head.size() : 0, ' ') << head;
    }
  out << "\n";
  for (const auto& f : files) {
    out << f.name << std::string(width - f.name.size(), ' ');
    for (const auto& eng : options.engines) {
      Counts c;
      for (const auto& t : f.tests)
        if (t.engine == eng) {
          c.Add(t.status);
          per_engine[eng].Add(t.status);
          total.Add(t.status);
          if (t.status == Status::kSkipped)
            ++skip_categories[t.skip_category.empty() ? "other" : t.skip_category];
        }
      const size_t col_len[] = {6, 6, 7};  // "passed", "failed", "skipped"
      const uint64_t vals[] = {c.passed + c.xfail, c.failed, c.skipped};
      for (int k = 0; k < 3; ++k) {
        std::string num = std::to_string(vals[k]);
        size_t w = std::max<size_t>(10, eng.size() + 1 + col_len[k]);
        out << "  " << std::string(w > num.size() ? w - num.size() : 0, ' ') << num;
      }
    }
    if (f.state != FileResult::State::kOk) out << " " << FileStateName(f.state);
    out << "\n";
  }
  std::cout << out.str();

  // Failures, each with its id and the command that re-runs it.
  bool any_fail = false;
  for (const auto& f : files)
    for (const auto& t : f.tests) {
      if (t.status != Status::kFailed) continue;
      if (!any_fail) std::cout << "\nfailures:\n";
      any_fail = true;
      std::cout << "FAIL " << reports::TestId(f, t) << " [" << t.engine << "] " << t.command;
      if (!t.expected.empty() || !t.got.empty())
        std::cout << ": expected " << t.expected << ", got " << t.got;
      if (!t.message.empty())
        std::cout << (t.expected.empty() && t.got.empty() ? ": " : " -- ") << t.message;
      std::cout << "\n  re-run: " << reports::RerunCommand(f, t)
                << (t.command == "verify" ? " --verify" : "") << "\n";
    }

  std::cout << "\n";
  if (options.engines.size() > 1)
    for (const auto& eng : options.engines) {
      const Counts& c = per_engine[eng];
      std::cout << eng << ": " << c.passed + c.xfail << " passed, " << c.failed << " failed, "
                << c.skipped << " skipped\n";
    }
  // An expected failure is a known conversion artifact, not a defect of the engine: the
  // closing line counts it with the passed tests and this line says how many there are.
  if (options.engines.size() > 1) {
    size_t differences = 0;
    for (const auto& f : files)
      for (const auto& t : f.tests)
        if (t.message.find("differs from ") != std::string::npos) ++differences;
    std::cout << "differences between engines: " << differences << "\n";
  }
  if (options.verify) {
    // Per engine, over every file: the functions compiled, their accesses and what became of
    // them (the "verify" failures above name each access not proved).
    std::map<std::string, reports::VerifyCounts> verified;
    for (const auto& f : files)
      for (const reports::VerifyCounts& v : f.verify) verified[v.engine].Add(v);
    for (const auto& eng : options.engines) {
      auto it = verified.find(eng);
      if (it == verified.end()) continue;
      const reports::VerifyCounts& v = it->second;
      std::cout << fmt::format("{} verified: {} functions, {} accesses: {} proved, {} failed, {} "
                               "unknown ({} proofs from the cache)\n",
                               eng, v.functions, v.accesses, v.proved, v.failed, v.unknown,
                               v.cached);
    }
  }
  if (total.xfail)
    std::cout << "expected failures: " << total.xfail << " (listed in "
              << options.expected_failures_dir << "; counted as passed below)\n";
  if (total.skipped) {
    std::vector<std::string> parts;
    for (const auto& [cat, k] : skip_categories) parts.push_back(std::to_string(k) + " " + cat);
    std::cout << "skipped: " << Join(parts, ", ") << "\n";
  }
  std::cout << total.passed + total.xfail << " passed, " << total.failed << " failed, "
            << total.skipped << " skipped\n";
  std::cout.flush();

  int rc = total.failed ? 1 : 0;
  if (options.line && total.passed + total.failed + total.skipped + total.xfail == 0) {
    std::cerr << "tandem spec: no test at line " << *options.line << " in the selected files\n";
    rc = 2;
  }
  // The reports (reports/): the run as JSON and as JUnit XML.
  if (!options.json_path.empty() || !options.junit_path.empty()) {
    const reports::SpecRun run{options.engines, std::move(files)};
    if (!options.json_path.empty()) {
      std::ofstream o(options.json_path);
      reports::WriteSpecJson(run, o);
      if (!o) {
        std::cerr << "tandem spec: cannot write " << options.json_path << "\n";
        rc = 2;
      }
    }
    if (!options.junit_path.empty()) {
      std::ofstream o(options.junit_path);
      reports::WriteSpecJunit(run, o);
      if (!o) {
        std::cerr << "tandem spec: cannot write " << options.junit_path << "\n";
        rc = 2;
      }
    }
  }
  return rc;
}

}  // namespace tandem::spec
