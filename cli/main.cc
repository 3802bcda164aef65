// main.cc: the `tandem` command-line front end: argument parsing and subcommand wiring only
// (DESIGN.md "Layout" cli/). Exit codes: 0 ok, 1 something failed, 2 usage or environment error.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli/report_command.h"
#include "diff/case.h"
#include "diff/code_verify.h"
#include "diff/engine.h"
#include "diff/faults.h"
#include "diff/fuzz.h"
#include "diff/gen/generator.h"
#include "diff/harness.h"
#include "diff/jit_engine.h"
#include "diff/v8_engine.h"
#include "diff/finding.h"
#include "diff/locate.h"
#include "diff/signature.h"
#include "diff/validation.h"
#include "jit/compile_module.h"
#include "jit/listing.h"
#include "jit/faults.h"
#include "jit/jit_store.h"
#include "jit/mutants.h"
#include "jit/verify/verify.h"
#include "reference/decoder.h"
#include "reference/validator.h"
#include "spec-tests/runner.h"
#include "spec-tests/wast_json.h"

#ifndef TANDEM_VERSION
#define TANDEM_VERSION "0.0.0"
#endif
#ifndef TANDEM_SOURCE_DIR
#define TANDEM_SOURCE_DIR ""
#endif

namespace {

namespace fs = std::filesystem;
using namespace tandem;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

fs::path ExecutableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

// Candidate repository roots: the source tree known at build time, then the executable's
// grandparent (build/PRESET/tandem).
std::vector<fs::path> RepoRoots() {
  std::vector<fs::path> roots;
  if (std::string(TANDEM_SOURCE_DIR).size()) roots.emplace_back(TANDEM_SOURCE_DIR);
  if (auto dir = ExecutableDir(); !dir.empty()) roots.push_back(dir.parent_path().parent_path());
  return roots;
}

// --testsuite DIR, else $TANDEM_TESTSUITE, else ../shared/testsuite beside the repository.
std::optional<fs::path> FindTestsuite(const std::string& flag, std::string& tried) {
  if (!flag.empty()) {
    tried = flag + " (--testsuite)";
    return fs::is_directory(flag) ? std::optional<fs::path>(flag) : std::nullopt;
  }
  if (const char* env = std::getenv("TANDEM_TESTSUITE"); env && *env) {
    tried = std::string(env) + " (TANDEM_TESTSUITE)";
    return fs::is_directory(env) ? std::optional<fs::path>(env) : std::nullopt;
  }
  for (const auto& root : RepoRoots()) {
    fs::path p = (root / ".." / "shared" / "testsuite").lexically_normal();
    tried += (tried.empty() ? "" : ", ") + p.string();
    if (fs::is_directory(p)) return p;
  }
  return std::nullopt;
}

std::string ExpectedFailuresDir() {
  for (const auto& root : RepoRoots()) {
    fs::path p = root / "spec-tests" / "expected-failures";
    if (fs::is_directory(p)) return p.lexically_normal().string();
  }
  return "";
}

std::vector<std::string> WastFilesIn(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".wast") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t c = s.find(',', pos);
    std::string item = s.substr(pos, c == std::string::npos ? std::string::npos : c - pos);
    if (!item.empty()) out.push_back(item);
    if (c == std::string::npos) break;
    pos = c + 1;
  }
  return out;
}

// "a, b, c".
std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// Checks engine names; prints the known ones on error.
bool CheckEngines(const std::vector<std::string>& engines) {
  auto known = diff::EngineNames();
  for (const std::string& v8 : diff::V8EngineNames()) known.push_back(v8);
  if (engines.empty()) {
    std::cerr << "tandem: no engine given\n";
    return false;
  }
  for (const auto& e : engines) {
    if (std::find(known.begin(), known.end(), e) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      std::cerr << "tandem: unknown engine \"" << e << "\" (known engines: " << list << ")\n";
      return false;
    }
    if (std::count(engines.begin(), engines.end(), e) > 1) {
      std::cerr << "tandem: engine \"" << e << "\" is listed twice\n";
      return false;
    }
    if (diff::IsV8Engine(e)) {
      std::string why = diff::V8Unavailable();
      if (!why.empty()) {
        std::cerr << "tandem: engine \"" << e << "\" is unavailable: " << why << "\n";
        return false;
      }
    }
  }
  return true;
}

struct SpecArgs {
  std::string engines = "ref";
  std::string json, junit, filter, testsuite;
  int jobs = 0;
  int line = 0;
  int timeout = 60;
  uint32_t max_depth = diff::EngineConfig{}.max_call_depth;
  uint64_t fuel = 0;
  bool nan_canonical = false, strict = false, quiet = false, compare_arena = false;
  bool verify = false;
  std::string seed_faults;
  std::vector<std::string> paths;
};

// --verify of spec and fuzz: false (message printed) when no engine of the list is a JIT
// engine, or the verifier does not cover one of them (never a silent skip).
bool CheckVerifiable(const std::vector<std::string>& engines, const char* command) {
  bool any = false;
  for (const std::string& e : engines) {
    if (e != "x64" && e != "a64") continue;
    any = true;
    if (std::string why = diff::VerifierUnavailable(e); !why.empty()) {
      std::cerr << "tandem " << command << ": --verify: " << why << "\n";
      return false;
    }
  }
  if (!any)
    std::cerr << "tandem " << command
              << ": --verify reads the code of the JIT engines (x64, a64); --engines names none\n";
  return any;
}

// --seed-fault LIST into *out; false (message printed) for an unknown fault.
bool ParseSeedFaults(const std::string& list, const char* command,
                     std::vector<diff::FaultSpec>* out) {
  try {
    *out = diff::ParseFaultList(list);
    return true;
  } catch (const std::invalid_argument& e) {
    std::cerr << "tandem " << command << ": --seed-fault: " << e.what() << "\n";
    return false;
  }
}

int RunSpecCommand(const SpecArgs& a, const CLI::App& cmd) {
  spec::RunnerOptions o;
  o.engines = SplitList(a.engines);
  if (!CheckEngines(o.engines)) return kExitUsage;
  o.config.max_call_depth = a.max_depth;
  o.config.fuel = a.fuel;
  // Engines are compared bit for bit, so with more than one they all run NaN-canonical.
  o.config.nan_canonical = a.nan_canonical || o.engines.size() > 1;
  o.config.strict = a.strict;
  o.compare_arena = a.compare_arena;
  if (!ParseSeedFaults(a.seed_faults, "spec", &o.faults)) return kExitUsage;
  if (a.verify && !CheckVerifiable(o.engines, "spec")) return kExitUsage;
  o.verify = a.verify;
  if (o.compare_arena &&
      std::count_if(o.engines.begin(), o.engines.end(),
                    [](const std::string& e) { return e == "x64" || e == "a64"; }) < 2) {
    std::cerr << "tandem spec: --compare-arena needs two JIT engines (e.g. --engines x64,a64)\n";
    return kExitUsage;
  }
  o.jobs = a.jobs > 0 ? a.jobs : std::max(1u, std::thread::hardware_concurrency());
  if (!a.filter.empty()) o.filter = a.filter;
  if (cmd.count("--line")) o.line = a.line;
  o.timeout_seconds = a.timeout;
  o.quiet = a.quiet;
  o.json_path = a.json;
  o.junit_path = a.junit;
  o.expected_failures_dir = ExpectedFailuresDir();

  o.wast2json = spec::FindInPath("wast2json");
  if (o.wast2json.empty()) {
    std::cerr << "tandem spec: wast2json not found (install Debian package wabt)\n";
    return kExitUsage;
  }

  std::vector<std::string> files;
  if (a.paths.empty()) {
    std::string tried;
    auto dir = FindTestsuite(a.testsuite, tried);
    if (!dir) {
      std::cerr << "tandem spec: test suite directory not found (tried " << tried
                << "); give --testsuite DIR or set TANDEM_TESTSUITE\n";
      return kExitUsage;
    }
    files = WastFilesIn(*dir);
  } else {
    for (const auto& p : a.paths) {
      std::error_code ec;
      if (fs::is_directory(p, ec)) {
        auto in = WastFilesIn(p);
        files.insert(files.end(), in.begin(), in.end());
      } else if (fs::is_regular_file(p, ec)) {
        files.push_back(p);
      } else {
        std::cerr << "tandem spec: no such file or directory: " << p << "\n";
        return kExitUsage;
      }
    }
  }
  if (o.filter) {
    std::erase_if(files, [&](const std::string& f) {
      return !spec::MatchesGlob(*o.filter, fs::path(f).filename().string());
    });
  }
  if (files.empty()) {
    std::cerr << "tandem spec: no .wast files selected\n";
    return kExitUsage;
  }
  return spec::RunSpec(files, o);
}

struct RunArgs {
  std::string file;
  std::string invoke;
  std::vector<std::string> args;
  std::string engines = "ref";
  uint32_t max_depth = diff::EngineConfig{}.max_call_depth;
  uint64_t fuel = 0;
  bool nan_canonical = false, json = false, list_exports = false, print_code = false;
  std::string seed_faults;
};

// Reads a .wasm, or converts a .wat with wat2wasm. Empty + message on error.
bool ReadModuleBytes(const std::string& file, std::vector<uint8_t>& bytes, std::string& error,
                     int& code) {
  code = kExitUsage;
  if (!fs::is_regular_file(file)) {
    error = "no such file: " + file;
    return false;
  }
  std::string path = file;
  std::string tmpdir;
  if (fs::path(file).extension() == ".wat" || fs::path(file).extension() == ".wast") {
    std::string wat2wasm = spec::FindInPath("wat2wasm");
    if (wat2wasm.empty()) {
      error = "wat2wasm not found (install Debian package wabt)";
      return false;
    }
    std::string tmpl = (fs::temp_directory_path() / "tandem-run-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
      error = "cannot create a temporary directory";
      return false;
    }
    tmpdir = tmpl;
    path = tmpdir + "/module.wasm";
    std::string log = tmpdir + "/wat2wasm.log";
    std::string cmd = "'" + wat2wasm + "' '" + file + "' -o '" + path + "' >'" + log + "' 2>&1";
    if (file.find('\'') != std::string::npos) {
      error = "file names with quotes are not supported";
      fs::remove_all(tmpdir);
      return false;
    }
    if (std::system(cmd.c_str()) != 0) {
      std::ifstream in(log);
      std::string msg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      error = "wat2wasm failed on " + file + ":\n" + msg;
      code = kExitFailed;
      fs::remove_all(tmpdir);
      return false;
    }
  }
  std::ifstream in(path, std::ios::binary);
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!tmpdir.empty()) fs::remove_all(tmpdir);
  return true;
}

// A result as `tandem run` prints it; a v128 as i32x4 hex lanes, which ParseTypedArg accepts.
std::string ValueText(const wasm::Value& v) {
  return v.type == wasm::ValType::V128 ? spec::FormatV128(v) : wasm::ToString(v);
}

nlohmann::json ValueJson(const wasm::Value& v) {
  nlohmann::json j = {{"type", wasm::ValTypeName(v.type)},
                      {"bits", std::to_string(v.bits)},
                      {"text", ValueText(v)}};
  if (v.type == wasm::ValType::V128) j["hi"] = std::to_string(v.hi);
  return j;
}

int RunRunCommand(const RunArgs& a, const CLI::App& cmd) {
  auto engines = SplitList(a.engines);
  if (!CheckEngines(engines)) return kExitUsage;
  std::vector<diff::FaultSpec> faults;
  if (!ParseSeedFaults(a.seed_faults, "run", &faults)) return kExitUsage;
  nlohmann::json out;
  auto fail = [&](int code, const std::string& kind, const std::string& msg) {
    if (a.json) {
      out["status"] = kind;
      out["message"] = msg;
      std::cout << out.dump(1) << "\n";
    } else {
      std::cerr << "tandem run: " << (kind == "error" ? "" : kind + ": ") << msg << "\n";
    }
    return code;
  };

  std::vector<uint8_t> bytes;
  std::string error;
  int code;
  if (!ReadModuleBytes(a.file, bytes, error, code)) return fail(code, "error", error);

  std::shared_ptr<wasm::Module> module;
  try {
    module = std::make_shared<wasm::Module>(wasm::Decode(bytes));
    wasm::Validate(*module);
  } catch (const wasm::UnsupportedError& e) {
    return fail(kExitFailed, "unsupported", e.what());
  } catch (const wasm::MalformedError& e) {
    return fail(kExitFailed, "malformed", e.what());
  } catch (const wasm::InvalidError& e) {
    return fail(kExitFailed, "invalid", e.what());
  } catch (const wasm::LimitError& e) {
    return fail(kExitFailed, "beyond an implementation limit", e.what());
  } catch (const std::exception& e) {
    return fail(kExitFailed, "internal error", e.what());
  }

  if (a.list_exports) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : module->exports) {
      std::string kind = wasm::ExternKindName(e.kind);
      std::string desc = kind;
      if (e.kind == wasm::ExternKind::Func)
        desc += " " + wasm::ToString(module->FuncTypeOf(e.index));
      if (a.json)
        list.push_back(nlohmann::json{{"name", e.name}, {"kind", kind}, {"desc", desc}});
      else
        std::cout << e.name << ": " << desc << "\n";
    }
    if (a.json) std::cout << nlohmann::json{{"exports", list}}.dump(1) << "\n";
    return kExitOk;
  }

  std::vector<std::string> unresolved;
  for (const auto& imp : module->imports)
    if (imp.module != "spectest")
      unresolved.push_back("\"" + imp.module + "\" \"" + imp.name + "\"");
  if (!unresolved.empty()) {
    std::string msg = "unresolved imports (only \"spectest\" is provided):";
    for (const auto& u : unresolved) msg += " " + u;
    return fail(kExitUsage, "error", msg);
  }

  // Arguments are checked against the export's type before anything runs.
  std::vector<wasm::Value> args;
  const wasm::Export* exp = nullptr;
  if (!a.invoke.empty()) {
    exp = module->FindExport(a.invoke);
    if (!exp || exp->kind != wasm::ExternKind::Func)
      return fail(kExitUsage, "error",
                  "no exported function \"" + a.invoke + "\" (see --list-exports)");
    const auto& ft = module->FuncTypeOf(exp->index);
    try {
      for (const auto& s : a.args) args.push_back(spec::ParseTypedArg(s));
    } catch (const std::invalid_argument& e) {
      return fail(kExitUsage, "error", e.what());
    }
    bool ok = args.size() == ft.params.size();
    for (size_t i = 0; ok && i < args.size(); ++i) ok = args[i].type == ft.params[i];
    if (!ok)
      return fail(kExitUsage, "error",
                  "\"" + a.invoke + "\" has type " + wasm::ToString(ft) + "; got " +
                      std::to_string(args.size()) + " argument(s) that do not match");
  } else if (!a.args.empty()) {
    return fail(kExitUsage, "error", "arguments given without --invoke");
  }

  int rc = kExitOk;
  nlohmann::json per_engine = nlohmann::json::object();
  nlohmann::json code_json = nlohmann::json::object();
  for (size_t k = 0; k < engines.size(); ++k) {
    const std::string& name = engines[k];
    diff::EngineConfig base;
    base.max_call_depth = a.max_depth;
    base.fuel = a.fuel;
    base.nan_canonical = a.nan_canonical;
    diff::EngineConfig config = diff::ConfigForEngine(base, faults, engines, k);
    auto engine = diff::MakeEngine(name, config);
    std::string prefix = engines.size() > 1 ? name + ": " : "";
    nlohmann::json r;
    auto inst = engine->Instantiate(module);
    if (a.print_code) {
      // docs/print-code.md: every function the engine compiled, whatever instantiation did next.
      auto* jit = dynamic_cast<diff::JitEngine*>(engine.get());
      std::string listing = jit ? jit::FormatStoreListing(jit->jit_store())
                                : ";; " + name + ": an interpreter, no compiled code\n";
      if (std::string f = diff::FaultNames(config); !f.empty() && !jit)
        listing = ";; SEEDED FAULTS: " + f + "\n" + listing;
      if (a.json)
        code_json[name] = listing;
      else
        std::cout << listing << "\n";
    }
    using S = diff::InstantiateOutcome::Status;
    if (inst.status != S::kOk) {
      std::string what =
          inst.status == S::kUninstantiable ? wasm::ToString(inst.failure) : inst.message;
      const char* kind = inst.status == S::kUnlinkable       ? "unlinkable"
                         : inst.status == S::kUninstantiable ? "uninstantiable"
                         : inst.status == S::kUnsupported    ? "unsupported"
                         : inst.status == S::kResourceExhausted ? "resource exhausted"
                                                             : "internal error";
      r = {{"status", kind}, {"message", what}};
      if (!a.json)
        std::cout << prefix << (what.starts_with(kind) ? what : kind + (": " + what)) << "\n";
      rc = kExitFailed;
      per_engine[name] = r;
      continue;
    }
    if (a.invoke.empty()) {
      r = {{"status", "instantiated"}};
      if (!a.json) std::cout << prefix << "instantiated\n";
      per_engine[name] = r;
      continue;
    }
    wasm::Outcome o = engine->Invoke(inst.instance, a.invoke, args);
    switch (o.kind) {
      case wasm::Outcome::Kind::kValues: {
        r["status"] = "values";
        r["values"] = nlohmann::json::array();
        for (const auto& v : o.values) {
          r["values"].push_back(ValueJson(v));
          if (!a.json) std::cout << prefix << ValueText(v) << "\n";
        }
        break;
      }
      case wasm::Outcome::Kind::kTrap:
        r = {{"status", "trap"},
             {"trap", wasm::TrapKindName(o.trap)},
             {"message", wasm::ToString(o).substr(6)}};
        if (!a.json) std::cout << prefix << wasm::ToString(o) << "\n";
        rc = kExitFailed;
        break;
      case wasm::Outcome::Kind::kExhausted:
        r = {{"status", "exhausted"}, {"message", wasm::ExhaustionMessage(o.exhaustion)}};
        if (!a.json) std::cout << prefix << wasm::ToString(o) << "\n";
        rc = kExitFailed;
        break;
      case wasm::Outcome::Kind::kUnsupported:
        r = {{"status", "unsupported"}, {"message", o.message}};
        if (!a.json) std::cout << prefix << "unsupported: " << o.message << "\n";
        rc = kExitFailed;
        break;
      case wasm::Outcome::Kind::kInternalError:
        r = {{"status", "internal error"}, {"message", o.message}};
        if (!a.json) std::cout << prefix << "internal error: " << o.message << "\n";
        rc = kExitFailed;
        break;
    }
    per_engine[name] = r;
  }
  if (a.json) {
    out = {{"file", a.file}, {"invoke", a.invoke}, {"engines", per_engine}};
    if (a.print_code) out["code"] = code_json;
    std::cout << out.dump(1) << "\n";
  }
  return rc;
}


// --- `tandem compile`: the JIT's compile speed (DESIGN.md "Measures that matter").

struct CompileArgs {
  std::string file;
  std::string engines = "x64";
  int repeat = 1;
  bool nan_canonical = false, json = false;
};

int RunCompileCommand(const CompileArgs& a) {
  auto engines = SplitList(a.engines);
  if (!CheckEngines(engines)) return kExitUsage;
  for (const auto& e : engines) {
    if (e != "x64") {
      std::cerr << "tandem compile: engine \"" << e
                << "\" has no compile step to measure (only x64 does)\n";
      return kExitUsage;
    }
  }
  std::vector<uint8_t> bytes;
  std::string error;
  int code;
  if (!ReadModuleBytes(a.file, bytes, error, code)) {
    std::cerr << "tandem compile: " << error << "\n";
    return code;
  }
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point t0, Clock::time_point t1) {
    return std::chrono::duration<double>(t1 - t0).count();
  };
  std::vector<double> decode_s, validate_s, jit_s;
  uint64_t emitted = 0;
  uint32_t functions = 0;
  for (int r = 0; r < a.repeat; ++r) {
    auto t0 = Clock::now();
    wasm::Module module;
    try {
      module = wasm::Decode(bytes);
    } catch (const std::exception& e) {
      std::cerr << "tandem compile: cannot decode " << a.file << ": " << e.what() << "\n";
      return kExitFailed;
    }
    auto t1 = Clock::now();
    try {
      wasm::Validate(module);
    } catch (const std::exception& e) {
      std::cerr << "tandem compile: invalid module " << a.file << ": " << e.what() << "\n";
      return kExitFailed;
    }
    auto t2 = Clock::now();
    jit::ModuleCompileResult compiled;
    try {
      compiled = jit::CompileModule(jit::Arch::kX64, module, {false, a.nan_canonical});
    } catch (const jit::UnsupportedFeature& e) {
      std::cerr << "tandem compile: x64 cannot compile " << a.file << ": " << e.what() << "\n";
      return kExitFailed;
    }
    auto t3 = Clock::now();
    decode_s.push_back(seconds(t0, t1));
    validate_s.push_back(seconds(t1, t2));
    jit_s.push_back(seconds(t2, t3));
    emitted = compiled.code.size();
    functions = compiled.functions;
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  };
  std::vector<double> total_s;
  for (size_t i = 0; i < jit_s.size(); ++i)
    total_s.push_back(decode_s[i] + validate_s[i] + jit_s[i]);
  const uint64_t code_bytes = diff::gen::CodeSectionBytes(bytes);
  auto mbps = [&](double s) { return s > 0 ? code_bytes / s / 1e6 : 0.0; };
  const double dec = median(decode_s), val = median(validate_s), jit = median(jit_s),
               tot = median(total_s);
  if (a.json) {
    nlohmann::json j = {{"file", a.file},
                        {"engine", "x64"},
                        {"repeat", a.repeat},
                        {"functions", functions},
                        {"module_bytes", bytes.size()},
                        {"code_section_bytes", code_bytes},
                        {"emitted_code_bytes", emitted},
                        {"decode_s", decode_s},
                        {"validate_s", validate_s},
                        {"jit_s", jit_s},
                        {"total_s", total_s},
                        {"median_decode_s", dec},
                        {"median_validate_s", val},
                        {"median_jit_s", jit},
                        {"median_total_s", tot},
                        {"jit_mb_per_s", mbps(jit)},
                        {"total_mb_per_s", mbps(tot)}};
    std::cout << j.dump(1) << "\n";
    return kExitOk;
  }
  std::cout << "file: " << a.file << "\n"
            << "functions: " << functions << " defined; code section: " << code_bytes
            << " bytes; emitted x64 code: " << emitted << " bytes\n"
            << "repeats: " << a.repeat << " (medians; MB = 10^6 bytes of code section)\n";
  auto line = [&](const char* what, double s) {
    std::cout << fmt::format("  {:<26} {:10.3f} ms  {:9.1f} MB/s\n", what, s * 1e3, mbps(s));
  };
  line("decode", dec);
  line("validate", val);
  line("jit (x64 compile + link)", jit);
  line("total", tot);
  return kExitOk;
}

CLI::App* AddCompileCommand(CLI::App& app, CompileArgs& a) {
  auto* cmd = app.add_subcommand(
      "compile", "Decode, validate and JIT-compile every function of a module; print the times");
  cmd->add_option("FILE", a.file, ".wasm or .wat module")->required();
  cmd->add_option("--engines", a.engines, "Compiling engine (only x64)")
      ->type_name("LIST")
      ->capture_default_str();
  cmd->add_option("--repeat", a.repeat, "Compile this many times; times are medians")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--nan-canonical", a.nan_canonical, "Compile in NaN-canonical mode");
  cmd->add_flag("--json", a.json, "Print every repetition's times as JSON");
  return cmd;
}


// --- `tandem diff`: one case on several engines, compared after every step (diff/harness.h).

struct DiffArgs {
  std::string file, script, engines, seed_faults, write_script;
  uint32_t max_depth = diff::EngineConfig{}.max_call_depth;
  uint64_t fuel = 100'000'000;
  uint64_t max_memory_pages = 65536;
  int timeout = 60;
  bool json = false, no_arena = false, list_faults = false, in_process = false, locate = false;
  std::string signature;  // --signature SIG
};

std::string DefaultEngineList() {
  std::string list;
  for (const std::string& e : diff::HostEngineNames()) list += (list.empty() ? "" : ",") + e;
  return list;
}

// --list-faults of diff and fuzz: the seeded faults, codegen faults (the catalogue) first. As
// JSON on standard output (diff --json), or into a file (fuzz --json FILE, "-" for standard
// output).
int ListFaults(bool json, const std::string& json_file = "") {
  nlohmann::json list = nlohmann::json::array();
  for (const diff::FaultInfo& f : diff::KnownFaults()) {
    if (json)
      list.push_back({{"name", f.name}, {"applies_to", f.applies_to}, {"kind", f.kind},
                      {"what", f.what}, {"ops", f.ops}});
    else
      std::cout << fmt::format("{:<22} {:<8} {:<11} {}\n", f.name, f.kind, f.applies_to, f.what);
  }
  if (json && !json_file.empty() && json_file != "-") {
    std::ofstream f(json_file);
    f << list.dump(1) << "\n";
    if (!f) {
      std::cerr << "tandem: cannot write " << json_file << "\n";
      return kExitUsage;
    }
  } else if (json) {
    std::cout << list.dump(1) << "\n";
  }
  return kExitOk;
}

int RunDiffCommand(const DiffArgs& a) {
  if (a.list_faults) return ListFaults(a.json);
  auto usage = [](const std::string& msg) {
    std::cerr << "tandem diff: " << msg << "\n";
    return kExitUsage;
  };
  if (a.file.empty()) return usage("a module FILE is required (see --help)");
  diff::HarnessOptions o;
  o.engines = SplitList(a.engines.empty() ? DefaultEngineList() : a.engines);
  if (!CheckEngines(o.engines)) return kExitUsage;
  if (!ParseSeedFaults(a.seed_faults, "diff", &o.faults)) return kExitUsage;
  o.config.max_call_depth = a.max_depth;
  o.config.fuel = a.fuel;
  o.config.max_memory_pages = a.max_memory_pages;
  o.compare_arena = !a.no_arena;
  o.timeout_seconds = a.timeout;

  std::vector<uint8_t> bytes;
  std::string error;
  int code;
  if (!ReadModuleBytes(a.file, bytes, error, code)) return usage(error);
  std::optional<diff::Script> script;
  if (!a.script.empty()) {
    std::ifstream in(a.script);
    if (!in) return usage("cannot read the script " + a.script);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      script = diff::ParseScript(text);
    } catch (const std::invalid_argument& e) {
      return usage(a.script + ": " + e.what());
    }
  }
  diff::Case c;
  try {
    c = diff::MakeCase(std::move(bytes), std::move(script));
  } catch (const std::invalid_argument& e) {
    return usage((a.script.empty() ? a.file : a.script) + ": " + e.what());
  }
  // A module that is refused is bad input, unless the script says it must be refused.
  if (!c.module && !c.script.refused)
    return usage(a.file + ": module refused: " + c.refusal);

  std::optional<diff::Signature> wanted;
  if (!a.signature.empty()) {
    wanted = diff::ParseSignature(a.signature);
    if (!wanted) return usage("--signature: \"" + a.signature + "\" is not ENGINES:KIND:OP");
  }
  diff::CaseResult r = a.in_process ? diff::RunCase(c, o) : diff::RunCaseIsolated(c, o);
  if (wanted) {
    // Exit 0 exactly when the case still shows the signature, and print nothing (external
    // reducers drive this). OP "*" matches any opcode and skips locating.
    if (!diff::IsFinding(r.verdict)) return kExitFailed;
    diff::Signature got = diff::SignatureOf(r);
    if (got.engines != wanted->engines || got.kind != wanted->kind) return kExitFailed;
    if (wanted->op == "*") return kExitOk;
    got = diff::LocatedSignature(c, o, r);
    return got.op == wanted->op ? kExitOk : kExitFailed;
  }
  std::optional<diff::Location> where;
  diff::Signature sig;
  if (diff::IsFinding(r.verdict)) {
    if (a.locate) {
      where.emplace();
      sig = diff::LocatedSignature(c, o, r, &*where);
    } else {
      sig = diff::SignatureOf(r);
    }
  }
  if (!a.write_script.empty()) {
    // The regression format (corpus/regress/): the script with what every call produced.
    if (r.verdict != diff::CaseResult::Verdict::kAgree &&
        r.verdict != diff::CaseResult::Verdict::kRefused)
      return usage("--write-script: the engines do not agree (" +
                   std::string(diff::VerdictName(r.verdict)) + "); nothing written");
    diff::Script out = c.script;
    const diff::EngineReport* base = nullptr;
    for (const diff::EngineReport& e : r.engines)
      if (!e.unsupported && !base) base = &e;
    if (!c.module) out.refused = c.refusal;
    if (base) {
      out.instantiation = base->instantiation;
      for (size_t i = 0; i < out.calls.size() && i < base->outcomes.size(); ++i)
        out.calls[i].expect = diff::ExpectationFromText(base->outcomes[i]);
    }
    std::ofstream f(a.write_script);
    f << diff::ScriptToJson(out);
    if (!f) return usage("cannot write " + a.write_script);
  }
  if (a.json) {
    nlohmann::json j = diff::ToJson(r);
    j["file"] = a.file;
    j["script"] = nlohmann::json::parse(diff::ScriptToJson(c.script));
    if (diff::IsFinding(r.verdict)) j["signature"] = sig.ToString();
    if (where) j["location"] = diff::ToJson(*where);
    std::cout << j.dump(1) << "\n";
  } else {
    std::cout << diff::FormatCaseResult(r, c);
    if (where) std::cout << diff::FormatLocation(*where, c);
    if (diff::IsFinding(r.verdict)) std::cout << "signature: " << sig.ToString() << "\n";
  }
  return diff::IsFinding(r.verdict) ? kExitFailed : kExitOk;
}

CLI::App* AddDiffCommand(CLI::App& app, DiffArgs& a) {
  auto* cmd = app.add_subcommand(
      "diff",
      "Run one case (a module and a call script) on several engines and compare them after "
      "every step: instantiation, results, traps, host-import logs, instance state, JIT arenas. "
      "Exit 0 when they agree, 1 on a divergence, crash, timeout or unmet expectation.");
  cmd->add_option("FILE", a.file, ".wasm or .wat module");
  cmd->add_option("--script", a.script,
                  "Call script (JSON, docs/fuzzing.md); default: every exported function with "
                  "zero arguments, after hangLimitInitializer if exported")
      ->type_name("FILE");
  cmd->add_option("--engines", a.engines, "Comma-separated engines (default: " +
                                              DefaultEngineList() + "); the first is the base")
      ->type_name("LIST");
  cmd->add_option("--seed-fault", a.seed_faults,
                  "Seed faults NAME[@ENGINE][,...] (--list-faults names them)")
      ->type_name("LIST");
  cmd->add_flag("--list-faults", a.list_faults, "List the seeded faults and exit");
  cmd->add_option("--max-depth", a.max_depth, "Call-depth limit")->capture_default_str();
  cmd->add_option("--fuel", a.fuel, "Fuel budget per engine (0 = unlimited)")
      ->capture_default_str();
  cmd->add_option("--timeout", a.timeout, "Seconds before the case is killed as a timeout")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-memory-pages", a.max_memory_pages,
                  "Pages a memory may have at most (a resource limit: memory.grow returns -1 "
                  "beyond it)")
      ->capture_default_str();
  cmd->add_flag("--no-arena", a.no_arena, "Do not compare the JIT arenas byte for byte");
  cmd->add_flag("--in-process", a.in_process,
                "Run the engines in this process (no fork: a crash ends tandem)");
  cmd->add_flag("--json", a.json, "Print the comparison as JSON");
  cmd->add_flag("--locate", a.locate,
                "On a finding, name the function and the wasm offsets (a few instructions) where "
                "the engines first differ: probes in the module, else fuel bisection");
  cmd->add_option("--signature", a.signature,
                  "Exit 0 exactly when the case shows the finding signature SIG "
                  "(ENGINES:KIND:OP, as findings name it; OP * matches any), 1 otherwise; print "
                  "nothing. For reducers")
      ->type_name("SIG");
  cmd->add_option("--write-script", a.write_script,
                  "When the engines agree, write the script with every call's outcome as its "
                  "expectation (the regression format of corpus/regress/)")
      ->type_name("FILE");
  return cmd;
}

// --- `tandem reduce`: a finding shrunk while its signature holds (diff/finding.h).

struct ReduceArgs {
  std::string dir, out, wasm2wat = "wasm2wat";
  double time = 60;
  bool json = false, quiet = false;
};

int RunReduceCommand(const ReduceArgs& a) {
  diff::Finding f;
  try {
    f = diff::LoadFinding(a.dir);
  } catch (const std::exception& e) {
    std::cerr << "tandem reduce: " << e.what() << "\n";
    return kExitUsage;
  }
  diff::ReduceFindingOptions o;
  o.time_seconds = a.time;
  o.out_dir = a.out;
  o.wasm2wat = a.wasm2wat;
  if (!a.quiet) o.progress = [](const std::string& line) { std::cerr << "  " << line << "\n"; };
  diff::ReducedFinding r;
  try {
    r = diff::ReduceFinding(f, o);
  } catch (const std::exception& e) {
    std::cerr << "tandem reduce: " << e.what() << "\n";
    return kExitFailed;
  }
  if (a.json) {
    std::cout << diff::ToJson(r).dump(1) << "\n";
    return kExitOk;
  }
  std::cout << fmt::format(
      "signature {}: {} -> {} bytes in {:.1f} s ({} tests{})\n", r.signature.ToString(),
      r.stats.original_bytes, r.stats.reduced_bytes, r.stats.seconds, r.stats.tests,
      r.stats.timed_out ? ", stopped by the time limit" : "");
  const bool verify = r.signature.kind == "verify";  // the verifier's finding: nothing is run
  if (!verify) std::cout << diff::FormatLocation(r.location, r.reduced);
  if (!r.review.empty()) std::cout << "review: " << r.review << "\n";
  if (!r.text_form_note.empty()) std::cout << r.text_form_note << "\n";
  std::cout << "written to " << r.out_dir << ":";
  for (const std::string& file : r.files) std::cout << " " << file;
  std::cout << "\n  replay: cd " << r.out_dir << " && "
            << f.outcome.value("replay", std::string("tandem diff case.wasm --script script.json"))
            << (verify ? "" : " --locate") << "\n";
  return kExitOk;
}

CLI::App* AddReduceCommand(CLI::App& app, ReduceArgs& a) {
  auto* cmd = app.add_subcommand(
      "reduce",
      "Shrink a finding (a folder tandem fuzz wrote) while it keeps its signature (the engines "
      "that differ, the kind of difference, the opcode where they part). Writes case.wasm, "
      "script.json, case.wat, a regression case (case.script.json) and reduce.json. Exit 0 when "
      "reduced, 1 when the finding does not reproduce, 2 on bad input.");
  cmd->add_option("FINDING_DIR", a.dir, "A finding folder (DIR/findings/ID)")->required();
  cmd->add_option("--out", a.out, "Write the reduced case here (default FINDING_DIR/reduced)")
      ->type_name("DIR");
  cmd->add_option("--time", a.time, "Seconds to spend at most")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--wasm2wat", a.wasm2wat, "WABT's wasm2wat, for the text form")
      ->capture_default_str();
  cmd->add_flag("--json", a.json, "Print the figures as JSON");
  cmd->add_flag("-q,--quiet", a.quiet, "Do not print each accepted step");
  return cmd;
}

// --- `tandem fuzz`: the fuzz loop (diff/fuzz.h).

struct FuzzArgs {
  std::string engines, generators = "single,mutate", seed_faults, out, json, testsuite, corpus,
      resume;
  bool simd = false, quiet = false, fresh_stores = false, denan = false, no_block_params = false,
       binaryen = false, validation = false, list_faults = false, verify = false;
  uint64_t seed = 1, cases = 0, first_case = 0, max_findings = 0;
  double time = 0;
  int jobs = 0, timeout = 20;
  uint32_t max_depth = 1000;
  uint64_t fuel = 1'000'000;
  uint64_t max_memory_pages = 256;
};

// What the named generators need before they can start: mutate's seed modules (the spec test
// suite through wast2json), ttf's wasm-opt, corpus's files. False after printing a usage error.
bool SetUpGenerators(const char* command, const std::string& testsuite, const std::string& corpus,
                     bool simd, bool quiet, diff::FuzzOptions& o) {
  auto usage = [&](const std::string& msg) {
    std::cerr << "tandem " << command << ": " << msg << "\n";
    return false;
  };
  auto uses = [&](const char* name) {
    return std::find(o.generators.begin(), o.generators.end(), name) != o.generators.end();
  };
  if (uses("mutate")) {
    std::string tried;
    auto suite = FindTestsuite(testsuite, tried);
    if (!suite) return usage("mutate needs the spec test suite; not found (tried " + tried + ")");
    std::string wast2json = spec::FindInPath("wast2json");
    if (wast2json.empty()) return usage("mutate needs wast2json (Debian package wabt) in PATH");
    try {
      o.seeds = std::make_shared<const std::vector<std::vector<uint8_t>>>(
          diff::gen::LoadSeedModules(*suite, wast2json, simd));
    } catch (const std::exception& e) {
      return usage(std::string("mutate: ") + e.what());
    }
    if (!quiet) std::cerr << "mutate: " << o.seeds->size() << " seed modules from " << suite->string() << "\n";
  }
  if (uses("ttf")) {
    o.wasm_opt = spec::FindInPath("wasm-opt");
    if (o.wasm_opt.empty()) return usage("ttf needs wasm-opt (Debian package binaryen) in PATH");
  }
  if (uses("corpus") != !corpus.empty())
    return usage(corpus.empty() ? "the corpus generator needs --corpus DIR"
                                : "--corpus DIR is read by the corpus generator only "
                                  "(--generator corpus)");
  if (!corpus.empty()) {
    try {
      o.corpus = std::make_shared<const std::vector<diff::gen::CorpusEntry>>(
          diff::gen::LoadCorpus(corpus));
    } catch (const std::exception& e) {
      return usage(std::string("--corpus: ") + e.what());
    }
    if (!quiet) std::cerr << "corpus: " << o.corpus->size() << " modules from " << corpus << "\n";
  }
  return true;
}

// The options that make a campaign, kept in its state (DIR/state.json "args") so that
// `tandem fuzz --resume DIR` runs the same campaign. Paths are made absolute.
nlohmann::json FuzzArgsJson(const FuzzArgs& a) {
  auto absolute = [](const std::string& p) { return p.empty() ? p : fs::absolute(p).string(); };
  return {{"engines", a.engines}, {"generators", a.generators}, {"seed_faults", a.seed_faults},
          {"testsuite", absolute(a.testsuite)}, {"corpus", absolute(a.corpus)}, {"simd", a.simd},
          {"fresh_stores", a.fresh_stores}, {"denan", a.denan},
          {"no_block_params", a.no_block_params}, {"binaryen", a.binaryen},
          {"validation", a.validation}, {"seed", a.seed}, {"cases", a.cases},
          {"first_case", a.first_case}, {"max_findings", a.max_findings}, {"time", a.time},
          {"timeout", a.timeout}, {"max_depth", a.max_depth}, {"fuel", a.fuel},
          {"max_memory_pages", a.max_memory_pages}, {"verify", a.verify}};
}

void FuzzArgsFromJson(const nlohmann::json& j, FuzzArgs& a) {
  j.at("engines").get_to(a.engines);
  j.at("generators").get_to(a.generators);
  j.at("seed_faults").get_to(a.seed_faults);
  j.at("testsuite").get_to(a.testsuite);
  j.at("corpus").get_to(a.corpus);
  j.at("simd").get_to(a.simd);
  j.at("fresh_stores").get_to(a.fresh_stores);
  j.at("denan").get_to(a.denan);
  j.at("no_block_params").get_to(a.no_block_params);
  j.at("binaryen").get_to(a.binaryen);
  j.at("validation").get_to(a.validation);
  j.at("seed").get_to(a.seed);
  j.at("cases").get_to(a.cases);
  j.at("first_case").get_to(a.first_case);
  j.at("max_findings").get_to(a.max_findings);
  j.at("time").get_to(a.time);
  j.at("timeout").get_to(a.timeout);
  j.at("max_depth").get_to(a.max_depth);
  j.at("fuel").get_to(a.fuel);
  j.at("max_memory_pages").get_to(a.max_memory_pages);
  a.verify = j.value("verify", false);  // absent from states written before --verify
}

int RunFuzzCommand(const FuzzArgs& given, const CLI::App& cmd) {
  if (given.list_faults) return ListFaults(!given.json.empty(), given.json);
  auto usage = [](const std::string& msg) {
    std::cerr << "tandem fuzz: " << msg << "\n";
    return kExitUsage;
  };
  FuzzArgs a = given;
  if (!given.resume.empty()) {
    // The campaign's own options come from its state; only these may be given again.
    static const std::vector<std::string> kMayChange = {"resume", "jobs", "json", "quiet",
                                                        "cases", "time", "help"};
    for (const CLI::Option* opt : cmd.get_options()) {
      if (opt->count() == 0 || opt->get_lnames().empty()) continue;
      const std::string& name = opt->get_lnames()[0];
      if (std::find(kMayChange.begin(), kMayChange.end(), name) == kMayChange.end())
        return usage("--resume takes the campaign's options from DIR/state.json; --" + name +
                     " cannot be given with it (only -j, --json, -q, and --cases or --time to "
                     "change the campaign's end)");
    }
    const fs::path state_path = fs::path(given.resume) / "state.json";
    std::ifstream f(state_path);
    if (!f) return usage("cannot resume " + given.resume + ": no campaign state (" + state_path.string() + ")");
    nlohmann::json state = nlohmann::json::parse(f, nullptr, false);
    if (state.is_discarded() || !state.contains("args"))
      return usage("cannot resume " + given.resume + ": " + state_path.string() + " is not a campaign state");
    try {
      FuzzArgsFromJson(state["args"], a);
    } catch (const std::exception& e) {
      return usage("cannot resume " + given.resume + ": the options in " + state_path.string() +
                   " are unreadable: " + e.what());
    }
    a.out = given.resume;
    if (cmd.count("--cases")) a.cases = given.cases;
    if (cmd.count("--time")) a.time = given.time;
  }
  diff::FuzzOptions o;
  o.engines = SplitList(a.engines.empty() ? DefaultEngineList() : a.engines);
  if (!CheckEngines(o.engines)) return kExitUsage;
  o.generators = SplitList(a.generators);
  auto known = diff::gen::GeneratorNames();
  for (const std::string& g : o.generators)
    if (std::find(known.begin(), known.end(), g) == known.end())
      return usage("unknown generator \"" + g + "\" (known: " + JoinList(known) + ")");
  if (o.generators.empty()) return usage("--generator names no generator");
  if (a.time <= 0 && a.cases == 0) return usage("give --time S or --cases N (see --help)");
  if (!ParseSeedFaults(a.seed_faults, "fuzz", &o.faults)) return kExitUsage;
  o.faults_text = a.seed_faults;
  o.simd = a.simd;
  o.denan = a.denan;
  o.block_params = !a.no_block_params && !a.binaryen;
  o.binaryen = a.binaryen;
  o.seed = a.seed;
  o.time_seconds = a.time;
  o.cases = a.cases;
  o.first_case = a.first_case;
  o.max_findings = a.max_findings;
  o.jobs = a.jobs > 0 ? a.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.timeout_seconds = a.timeout;
  o.config.max_call_depth = a.max_depth;
  o.config.fuel = a.fuel;
  o.config.max_memory_pages = a.max_memory_pages;
  o.out_dir = a.out;
  o.json_path = a.json;
  o.quiet = a.quiet;
  o.fresh_stores = a.fresh_stores;
  o.resume = !given.resume.empty();
  if (a.verify && a.validation)
    return usage("--verify reads the code the JIT engines compile; --validation runs no engine");
  if (a.verify && !CheckVerifiable(o.engines, "fuzz")) return kExitUsage;
  o.verify = a.verify;
  o.campaign_args = FuzzArgsJson(a).dump();
  if (!SetUpGenerators("fuzz", a.testsuite, a.corpus, a.simd, a.quiet, o)) return kExitUsage;
  if (a.validation) {
    o.validation = true;
    o.wasm_validate = spec::FindInPath("wasm-validate");
    if (o.wasm_validate.empty())
      return usage("--validation needs wasm-validate (Debian package wabt) in PATH");
    if (std::string why = diff::V8Unavailable(); !why.empty())
      return usage("--validation compares with V8, which is unavailable: " + why);
    return diff::RunFuzz(o);
  }
  {
    bool v8 = false, only_corpus = true;
    for (const std::string& e : o.engines) v8 |= diff::IsV8Engine(e);
    for (const std::string& g : o.generators) only_corpus &= g == "corpus";
    // A corpus's files may carry the section; the harness checks each case.
    if (v8 && o.engines.size() > 1 && !a.denan && !only_corpus)
      return usage(std::string("comparisons with V8 need --denan: ") + diff::kV8NeedsDenan);
    for (const std::string& g : o.generators)
      if (v8 && o.engines.size() > 1 && (g == "single" || g == "mutate"))
        return usage("comparisons with V8 run on the smith and ttf generators (--denan): " + g +
                     " cannot make NaN-free modules");
  }
  return diff::RunFuzz(o);
}

CLI::App* AddFuzzCommand(CLI::App& app, FuzzArgs& a) {
  auto* cmd = app.add_subcommand(
      "fuzz",
      "Generate cases and run each on every engine, compared after every step; keep what the "
      "engines disagree on (findings). Exit 0 when nothing was found, 1 with findings, 2 when "
      "the campaign cannot run.");
  cmd->add_option("--engines", a.engines, "Comma-separated engines (default: " +
                                              DefaultEngineList() + "); the first is the base")
      ->type_name("LIST");
  cmd->add_option("--generator", a.generators,
                  "Comma-separated generators: " + JoinList(diff::gen::GeneratorNames()))
      ->type_name("LIST")
      ->capture_default_str();
  cmd->add_flag("--simd", a.simd, "Generate SIMD instructions too");
  cmd->add_flag("--denan", a.denan,
                "smith: every float result is canonicalised (NaN -> canonical NaN) and the module "
                "carries a tandem.denan custom section; ttf: binaryen's --denan");
  cmd->add_flag("--no-block-params", a.no_block_params,
                "smith: no block parameters (for tools that cannot read them, binaryen 108)");
  cmd->add_flag("--binaryen", a.binaryen,
                "smith: only what binaryen 108 (wasm-opt) reads: no block parameters, no "
                "externref element segments, no table.init, elem.drop, table.copy, table.fill");
  cmd->add_option("--seed", a.seed, "Campaign seed: case i depends only on (generator, seed, i)")
      ->capture_default_str();
  cmd->add_option("--time", a.time, "Run for S seconds")->type_name("S");
  cmd->add_option("--cases", a.cases, "Run N cases")->type_name("N");
  cmd->add_option("--first-case", a.first_case,
                  "Start at case number N (to resume or split a campaign)")
      ->type_name("N")
      ->capture_default_str();
  cmd->add_option("-j,--jobs", a.jobs, "Worker processes (default: number of cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-findings", a.max_findings,
                  "Stop handing out cases once N findings are written (cases in flight still "
                  "finish; the summary gives the time of the first finding)")
      ->type_name("N");
  cmd->add_option("--seed-fault", a.seed_faults,
                  "Seed faults NAME[@ENGINE][,...] (--list-faults)")
      ->type_name("LIST");
  cmd->add_option("--out", a.out,
                  "Write findings to DIR/findings/<id>/ and the campaign's state to "
                  "DIR/state.json (checkpointed; see --resume)")
      ->type_name("DIR");
  cmd->add_option("--resume", a.resume,
                  "Continue the campaign whose folder is DIR (after a kill, a crash of the "
                  "machine or Ctrl-C): its options come from DIR/state.json; -j, --json, -q, "
                  "--cases and --time may be given anew")
      ->type_name("DIR");
  cmd->add_option("--json", a.json, "Write the campaign's summary as JSON to FILE")
      ->type_name("FILE");
  cmd->add_option("--timeout", a.timeout, "Seconds a case may run before it is a timeout")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-depth", a.max_depth, "Call-depth limit")->capture_default_str();
  cmd->add_option("--fuel", a.fuel, "Fuel per engine and case (0 = unlimited)")
      ->capture_default_str();
  cmd->add_option("--max-memory-pages", a.max_memory_pages,
                  "Pages a memory may have at most (memory.grow returns -1 beyond): comparing "
                  "GiBs of memory after every call would take most of the time")
      ->capture_default_str();
  cmd->add_option("--testsuite", a.testsuite,
                  "Spec test suite for mutate's seeds (else $TANDEM_TESTSUITE, else "
                  "../shared/testsuite beside the repository)")
      ->type_name("DIR");
  cmd->add_option("--corpus", a.corpus,
                  "Modules the corpus generator replays (with --generator corpus): every .wasm "
                  "file of DIR in name order, each with its NAME.script.json when there is one "
                  "(else binaryen's fuzz-exec calls)")
      ->type_name("DIR");
  cmd->add_flag("--list-faults", a.list_faults,
                "List the seeded faults (the codegen fault catalogue with the back ends each "
                "applies to, then the harness faults) and exit; with --json FILE, as JSON into "
                "FILE (- for standard output)");
  cmd->add_flag("--validation", a.validation,
                "The validation differential: every generated module, valid or not, is decoded "
                "and validated by tandem, V8 and WABT's wasm-validate; a disagreement is a "
                "finding (engines are not run)");
  cmd->add_flag("--fresh-stores", a.fresh_stores,
                "Create every engine's store anew for each case instead of resetting one per "
                "worker to its template (slower; to check that reuse changes nothing)");
  cmd->add_flag("--verify", a.verify,
                "Prove every memory access of the code the JIT engines compile for each case in "
                "bounds (docs/verifier.md; a proof cache per worker): an access not proved is a "
                "finding, signature ENGINE:verify:REGION");
  cmd->add_flag("-q,--quiet", a.quiet, "No progress line");
  return cmd;
}

// --- `tandem gen`: write generated cases to files (for other tools, benchmarks, corpora).

struct GenArgs {
  std::string generators = "smith", out, testsuite, corpus;
  bool simd = false, denan = false, no_block_params = false, binaryen = false, valid_only = false,
       quiet = false;
  uint64_t seed = 1, cases = 0, first_case = 0, min_code = 0, max_code = 0;
};

int RunGenCommand(const GenArgs& a) {
  auto usage = [](const std::string& msg) {
    std::cerr << "tandem gen: " << msg << "\n";
    return kExitUsage;
  };
  diff::FuzzOptions o;
  o.generators = SplitList(a.generators);
  auto known = diff::gen::GeneratorNames();
  for (const std::string& g : o.generators)
    if (std::find(known.begin(), known.end(), g) == known.end())
      return usage("unknown generator \"" + g + "\" (known: " + JoinList(known) + ")");
  if (o.generators.empty()) return usage("--generator names no generator");
  if (a.max_code && a.min_code > a.max_code)
    return usage("--min-code-bytes is above --max-code-bytes");
  if (!SetUpGenerators("gen", a.testsuite, a.corpus, a.simd, a.quiet, o)) return kExitUsage;
  diff::gen::GeneratorOptions go;
  go.simd = a.simd;
  go.denan = a.denan;
  go.block_params = !a.no_block_params && !a.binaryen;
  go.binaryen = a.binaryen;
  go.wasm_opt = o.wasm_opt;
  go.seeds = o.seeds;
  go.corpus = o.corpus;
  std::vector<std::unique_ptr<diff::gen::Generator>> gens;
  try {
    for (const std::string& name : o.generators) gens.push_back(diff::gen::MakeGenerator(name, go));
  } catch (const std::exception& e) {
    return usage(e.what());
  }
  std::error_code ec;
  fs::create_directories(a.out, ec);
  if (ec) return usage("cannot create " + a.out + ": " + ec.message());
  // Cases outside the size range (or invalid, with --valid-only) are skipped; a generator that
  // cannot reach the range should not loop for ever.
  const uint64_t max_tries = a.cases * 100 + 1000;
  nlohmann::json manifest = nlohmann::json::array();
  uint64_t written = 0, skipped_size = 0, skipped_invalid = 0, index = a.first_case;
  auto last = std::chrono::steady_clock::now();
  for (uint64_t tries = 0; written < a.cases; ++tries, ++index) {
    if (tries == max_tries)
      return usage(fmt::format("only {} of {} cases in {} tries met the size range and validity "
                               "asked for; {} files are in {}", written, a.cases, tries, written, a.out));
    diff::gen::Generator& g = *gens[index % gens.size()];
    diff::gen::Generated made = g.Generate(a.seed, index);
    uint64_t code = diff::gen::CodeSectionBytes(made.bytes);
    if (code < a.min_code || (a.max_code && code > a.max_code)) {
      ++skipped_size;
      continue;
    }
    if (a.valid_only) {
      diff::Case c = diff::MakeCase(made.bytes, made.script);
      if (!c.module) {
        ++skipped_invalid;
        continue;
      }
    }
    std::string stem = fmt::format("{}-{}-{:08}", g.name(), a.seed, index);
    fs::path wasm = fs::path(a.out) / (stem + ".wasm");
    {
      std::ofstream f(wasm, std::ios::binary);
      f.write(reinterpret_cast<const char*>(made.bytes.data()), static_cast<std::streamsize>(made.bytes.size()));
      if (!f) return usage("cannot write " + wasm.string());
    }
    if (made.script) {
      fs::path script = fs::path(a.out) / (stem + ".script.json");
      std::ofstream f(script);
      f << diff::ScriptToJson(*made.script);
      if (!f) return usage("cannot write " + script.string());
    }
    manifest.push_back({{"file", wasm.filename().string()}, {"generator", std::string(g.name())},
                        {"seed", a.seed}, {"index", index}, {"what", made.what},
                        {"code_section_bytes", code}, {"script", made.script.has_value()}});
    ++written;
    auto now = std::chrono::steady_clock::now();
    if (!a.quiet && now - last > std::chrono::seconds(1)) {
      last = now;
      std::cerr << fmt::format("{} of {} written (case {})\n", written, a.cases, index);
    }
  }
  {
    fs::path m = fs::path(a.out) / "cases.json";
    std::ofstream f(m);
    f << manifest.dump(1) << "\n";
    if (!f) return usage("cannot write " + m.string());
  }
  std::cout << fmt::format("wrote {} modules to {} (cases {}..{} of seed {}; skipped {} outside "
                           "the code-size range, {} invalid); list: {}\n",
                           written, a.out, a.first_case, index - 1, a.seed, skipped_size,
                           skipped_invalid, (fs::path(a.out) / "cases.json").string());
  return kExitOk;
}

CLI::App* AddGenCommand(CLI::App& app, GenArgs& a) {
  auto* cmd = app.add_subcommand(
      "gen",
      "Write generated cases to files: DIR/GENERATOR-SEED-INDEX.wasm, its .script.json when "
      "the generator gives calls (else binaryen's fuzz-exec calls apply), and DIR/cases.json. "
      "The same (generator, seed, index) makes the same case as in tandem fuzz.");
  cmd->add_option("--generator", a.generators,
                  "Comma-separated generators: " + JoinList(diff::gen::GeneratorNames()))
      ->type_name("LIST")
      ->capture_default_str();
  cmd->add_option("--seed", a.seed, "Seed: case i depends only on (generator, seed, i)")
      ->capture_default_str();
  cmd->add_option("--cases", a.cases, "Write N modules")->type_name("N")->required();
  cmd->add_option("--first-case", a.first_case, "Start at case number N")
      ->type_name("N")
      ->capture_default_str();
  cmd->add_option("--out", a.out, "Folder to write to (made if missing)")->type_name("DIR")->required();
  cmd->add_option("--min-code-bytes", a.min_code,
                  "Skip cases whose code section is smaller than B bytes")
      ->type_name("B");
  cmd->add_option("--max-code-bytes", a.max_code,
                  "Skip cases whose code section is larger than B bytes (0: no limit)")
      ->type_name("B");
  cmd->add_flag("--valid-only", a.valid_only, "Skip modules that do not validate (mutate's)");
  cmd->add_flag("--simd", a.simd, "Generate SIMD instructions too");
  cmd->add_flag("--denan", a.denan, "As tandem fuzz --denan");
  cmd->add_flag("--no-block-params", a.no_block_params,
                "smith: no block parameters (for tools that cannot read them, binaryen 108)");
  cmd->add_flag("--binaryen", a.binaryen,
                "smith: only what binaryen 108 (wasm-opt) reads: no block parameters, no "
                "externref element segments, no table.init, elem.drop, table.copy, table.fill");
  cmd->add_option("--testsuite", a.testsuite, "Spec test suite for mutate's seeds")->type_name("DIR");
  cmd->add_option("--corpus", a.corpus, "Folder the corpus generator reads")->type_name("DIR");
  cmd->add_flag("-q,--quiet", a.quiet, "No progress lines");
  return cmd;
}

// --- `tandem check`: one module through three front ends (diff/validation.h).

// --- `tandem verify`: every memory access of the JIT's code proved in bounds (jit/verify/).

struct VerifyArgs {
  std::string file, engines = "x64", seed_faults;
  bool json = false, quiet = false, list_mutants = false;
  int repeat = 1;
};

// --list-mutants: the verifier's bounds-check mutants (jit/mutants.h), apart from the faults.
int ListMutants(bool json) {
  nlohmann::json list = nlohmann::json::array();
  const std::string dir = "corpus/verifier-mutants/";
  if (!json) std::cout << "(inputs in " << dir << ")\n";
  for (const jit::BoundsMutantInfo& m : jit::BoundsMutants()) {
    if (json)
      list.push_back({{"name", m.name}, {"back_end", m.back_end}, {"what", m.what},
                      {"hole", m.hole}, {"module", dir + m.module}, {"script", dir + m.script},
                      {"shows", m.shows}});
    else
      std::cout << fmt::format("{:<36} {:<4} {}\n{:<41} {} on {}: {}\n", m.name, m.back_end,
                               m.what, "", m.script, m.module, m.shows);
  }
  if (json) std::cout << list.dump(1) << "\n";
  return kExitOk;
}

int RunVerifyCommand(const VerifyArgs& a) {
  auto usage = [](const std::string& msg) {
    std::cerr << "tandem verify: " << msg << "\n";
    return kExitUsage;
  };
  if (a.list_mutants) return ListMutants(a.json);
  if (a.file.empty()) return usage("a module FILE is required (see --help)");
  std::vector<std::string> engines = SplitList(a.engines);
  if (engines.empty()) return usage("--engines names no engine");
  for (const std::string& e : engines)
    if (e != "x64" && e != "a64") return usage("engine \"" + e + "\": the verifier reads JIT code (x64, a64)");
  uint64_t faults = 0;
  uint32_t mutant = 0;  // a back end compiles only its own mutants
  try {
    const diff::VerifyFaults parsed = diff::ParseVerifyFaults(a.seed_faults);
    faults = parsed.codegen;
    mutant = parsed.mutant;
  } catch (const std::invalid_argument& e) {
    return usage(e.what());
  }
  std::vector<uint8_t> bytes;
  std::string error;
  int code;
  if (!ReadModuleBytes(a.file, bytes, error, code)) return usage(error);
  std::shared_ptr<wasm::Module> module;
  try {
    module = std::make_shared<wasm::Module>(wasm::Decode(bytes));
    wasm::Validate(*module);
  } catch (const std::exception& e) {
    std::cerr << "tandem verify: " << a.file << " is refused: " << e.what() << "\n";
    return kExitUsage;
  }
  nlohmann::json report = {{"file", a.file}, {"engines", nlohmann::json::object()}};
  bool all_proved = true;
  for (const std::string& engine : engines) {
    jit::JitConfig config;
    config.arch = engine == "a64" ? jit::Arch::kA64 : jit::Arch::kX64;
    config.seed_faults = faults;
    config.bounds_mutant = mutant;
    auto store = jit::JitStore::Create(config, &error);
    if (!store) {
      std::cerr << "tandem verify: cannot make an " << engine << " store: " << error << "\n";
      return kExitUsage;
    }
    jit::JitInstantiateResult inst;
    try {
      inst = jit::InstantiateWithStandIns(*store, module);
    } catch (const std::exception& e) {
      std::cerr << "tandem verify: cannot instantiate " << a.file << ": " << e.what() << "\n";
      return kExitUsage;
    }
    if (inst.failure.kind == wasm::Outcome::Kind::kUnsupported) {
      std::cerr << "tandem verify: " << engine << " cannot compile " << a.file << ": "
                << inst.failure.message << "\n";
      return kExitUsage;
    }
    jit::verify::ProofCache cache;
    auto start = std::chrono::steady_clock::now();
    std::vector<jit::verify::FunctionResult> results = jit::verify::VerifyStore(*store, &cache);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    size_t accesses = 0, proved = 0, failed = 0, unknown = 0;
    nlohmann::json functions = nlohmann::json::array();
    for (const auto& f : results) {
      accesses += f.accesses, proved += f.proved, failed += f.failed, unknown += f.unknown;
      const jit::CodeInfo* info = nullptr;
      for (const auto& c : store->code())
        if (c.store_index == f.store_index) info = &c;
      nlohmann::json problems = nlohmann::json::array();
      for (const auto& p : f.problems)
        problems.push_back({{"code_offset", p.code_offset}, {"instruction", p.text},
                            {"status", jit::verify::StatusName(p.status)}, {"region", p.region},
                            {"why", p.why}});
      functions.push_back({{"function", info ? info->func_index : 0}, {"accesses", f.accesses},
                           {"proved", f.proved}, {"failed", f.failed}, {"unknown", f.unknown},
                           {"problems", problems}});
      if (!a.json && (!a.quiet || !f.problems.empty())) {
        std::cout << fmt::format("{} function {}: {} accesses, {} proved, {} failed, {} unknown\n",
                                 engine, info ? info->func_index : 0, f.accesses, f.proved, f.failed, f.unknown);
        for (const auto& p : f.problems)
          std::cout << fmt::format("  {} at {:#06x} `{}`{}: {}\n", jit::verify::StatusName(p.status),
                                   p.code_offset, p.text, p.region.empty() ? "" : " (" + p.region + ")", p.why);
        if (!f.listing.empty()) std::cout << f.listing;
      }
    }
    all_proved &= failed == 0 && unknown == 0;
    report["engines"][engine] = {{"functions", functions}, {"accesses", accesses}, {"proved", proved},
                                 {"failed", failed}, {"unknown", unknown}, {"seconds", seconds},
                                 {"cache_hits", cache.hits}, {"cache_misses", cache.misses},
                                 {"block_hits", cache.block_hits}, {"function_hits", cache.function_hits},
                                 {"quick_proofs", cache.quick_proofs()}, {"z3_tactic_queries", cache.tactic_queries()},
                                 {"z3_solver_queries", cache.solver_queries()}};
    if (!a.json)
      std::cout << fmt::format("{}: {} functions, {} accesses: {} proved, {} failed, {} unknown "
                               "({:.2f} s; from the cache: {} blocks, {} proofs; {} by the quick prover, "
                               "{} by Z3)\n",
                               engine, results.size(), accesses, proved, failed, unknown, seconds,
                               cache.block_hits, cache.hits, cache.quick_proofs(),
                               cache.tactic_queries() + cache.solver_queries());
    // --repeat: the same code again with the same cache, each pass timed (its proofs come from
    // the cache: bench/verifier_speed.py reads the cold and the warm rate here). A pass whose
    // counts differ from the first is a fault of the cache, and fails the command.
    nlohmann::json passes = nlohmann::json::array();
    passes.push_back({{"seconds", seconds}, {"proved", proved}, {"cache_hits", cache.hits},
                      {"cache_misses", cache.misses}});
    for (int pass = 2; pass <= a.repeat; ++pass) {
      const size_t hits = cache.hits, misses = cache.misses;
      const auto again = std::chrono::steady_clock::now();
      size_t proved_again = 0;
      for (const auto& f : jit::verify::VerifyStore(*store, &cache)) proved_again += f.proved;
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - again).count();
      passes.push_back({{"seconds", s}, {"proved", proved_again}, {"cache_hits", cache.hits - hits},
                        {"cache_misses", cache.misses - misses}});
      all_proved &= proved_again == proved;
      if (!a.json)
        std::cout << fmt::format("{} pass {}: {:.3f} s, {} proved; cache lookups: {} hits, {} misses{}\n",
                                 engine, pass, s, proved_again, cache.hits - hits,
                                 cache.misses - misses,
                                 proved_again == proved ? "" : " (the first pass proved " +
                                                                   std::to_string(proved) + ")");
    }
    report["engines"][engine]["passes"] = passes;
  }
  if (a.json) std::cout << report.dump(1) << "\n";
  return all_proved ? kExitOk : kExitFailed;
}

CLI::App* AddVerifyCommand(CLI::App& app, VerifyArgs& a) {
  auto* cmd = app.add_subcommand(
      "verify",
      "Prove, with Z3, that every memory access of the code the JIT emits for a module stays in "
      "a region it may touch (a linear memory within its current size, an arena VM structure, a "
      "table's entries, the function's frame, ...; docs/verifier.md). Exit 0 when every access "
      "is proved, 1 when one is not (its counterexample and listing are printed), 2 on bad input.");
  cmd->add_option("FILE", a.file, ".wasm or .wat module (required unless --list-mutants)");
  cmd->add_option("--engines", a.engines, "Back ends to verify (x64, a64; a64 runs under Unicorn on x86-64 hosts)")
      ->capture_default_str();
  cmd->add_option("--seed-fault", a.seed_faults,
                  "Codegen faults, and at most one bounds mutant, to compile with (to see the "
                  "verifier reject a weakened check)")
      ->type_name("LIST");
  cmd->add_flag("--list-mutants", a.list_mutants,
                "List the bounds-check mutants (each a hole the verifier must reject, with the "
                "input that shows it) and exit");
  cmd->add_flag("--json", a.json, "Print the results as JSON");
  cmd->add_flag("-q,--quiet", a.quiet, "Print only the functions with accesses not proved");
  cmd->add_option("--repeat", a.repeat,
                  "Verify the code N times with one proof cache, each pass timed (the passes "
                  "after the first are answered by the cache)")
      ->type_name("N")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  return cmd;
}

struct CheckArgs {
  std::vector<std::string> files;
  bool json = false;
};

int RunCheckCommand(const CheckArgs& a) {
  std::string wasm_validate = spec::FindInPath("wasm-validate");
  std::string v8_missing = diff::V8Unavailable();
  if (!v8_missing.empty()) std::cerr << "tandem check: leaving V8 out: " << v8_missing << "\n";
  if (wasm_validate.empty())
    std::cerr << "tandem check: leaving WABT out: wasm-validate (Debian package wabt) not in PATH\n";
  std::unique_ptr<diff::FrontEnds> fe;
  try {
    fe = std::make_unique<diff::FrontEnds>(v8_missing.empty(), wasm_validate);
  } catch (const std::exception& e) {
    std::cerr << "tandem check: " << e.what() << "\n";
    return kExitUsage;
  }
  int rc = kExitOk;
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& file : a.files) {
    std::vector<uint8_t> bytes;
    std::string error;
    int code;
    if (!ReadModuleBytes(file, bytes, error, code)) {
      std::cerr << "tandem check: " << error << "\n";
      return code;
    }
    diff::ValidationResult r;
    try {
      r = fe->Check(bytes);
    } catch (const std::exception& e) {
      std::cerr << "tandem check: " << file << ": " << e.what() << "\n";
      return kExitUsage;
    }
    const bool bad = !r.agree && r.allowed.empty();
    if (bad) rc = kExitFailed;
    if (a.json) {
      nlohmann::json j = {{"file", file}, {"agree", r.agree}, {"allowed", r.allowed},
                          {"peer_failure", r.peer_failure}, {"verdicts", nlohmann::json::object()}};
      for (const auto& v : r.verdicts)
        j["verdicts"][v.front_end] = {{"accepted", v.accepted}, {"message", v.message}};
      out.push_back(j);
      continue;
    }
    std::cout << file << ": " << r.Summary() << "\n";
    if (!r.peer_failure.empty()) std::cout << "  " << r.peer_failure << "\n";
    if (!r.agree)
      std::cout << (bad ? "  DISAGREEMENT\n" : "  explained disagreement: " + r.allowed + "\n");
  }
  if (a.json) std::cout << out.dump(1) << "\n";
  return rc;
}

CLI::App* AddCheckCommand(CLI::App& app, CheckArgs& a) {
  auto* cmd = app.add_subcommand(
      "check",
      "Decode and validate modules with tandem, V8 (through node) and WABT's wasm-validate, "
      "and compare their verdicts. Exit 0 when they agree (or differ only as the spec allows), "
      "1 on a disagreement, 2 on bad input.");
  cmd->add_option("FILE", a.files, ".wasm (or .wat) modules")->required();
  cmd->add_flag("--json", a.json, "Print the verdicts as JSON");
  return cmd;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "tandem: differential-testing harness and reference engine for WebAssembly.\n"
      "Exit codes: 0 ok, 1 something failed, 2 usage or environment error."};
  app.set_version_flag("--version", std::string("tandem ") + TANDEM_VERSION);
  app.require_subcommand(1);

  SpecArgs spec_args;
  auto* spec = app.add_subcommand("spec", "Run WebAssembly spec tests (.wast) on engines");
  spec->add_option("--engines", spec_args.engines, "Comma-separated engine names")
      ->type_name("LIST")
      ->capture_default_str();
  spec->add_option("--json", spec_args.json, "Write every assertion's result as JSON to FILE")
      ->type_name("FILE");
  spec->add_option("--junit", spec_args.junit, "Write JUnit XML to FILE")->type_name("FILE");
  spec->add_option("-j,--jobs", spec_args.jobs, "Files run at once (default: number of cores)")
      ->check(CLI::NonNegativeNumber);
  spec->add_option("--filter", spec_args.filter, "Only files whose name matches GLOB")
      ->type_name("GLOB");
  spec->add_option("--line", spec_args.line,
                   "Only the assertion at this line (modules before it still run)")
      ->check(CLI::PositiveNumber);
  spec->add_option("--testsuite", spec_args.testsuite,
                   "Test suite directory used when no PATH is given "
                   "(else $TANDEM_TESTSUITE, else ../shared/testsuite beside the repository)")
      ->type_name("DIR");
  spec->add_option("--timeout", spec_args.timeout, "Time limit per file in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  spec->add_option("--max-depth", spec_args.max_depth, "Call-depth limit")->capture_default_str();
  spec->add_option("--fuel", spec_args.fuel,
                   "Fuel budget: function entries and loop iterations (0 = unlimited)")
      ->capture_default_str();
  spec->add_flag("--nan-canonical", spec_args.nan_canonical,
                 "Canonicalise NaN results (always on when several engines are compared)");
  spec->add_flag("--strict", spec_args.strict, "Anything an engine cannot run is a failure");
  spec->add_flag("--compare-arena", spec_args.compare_arena,
                 "Also compare the JIT engines' arenas byte for byte after every command "
                 "(needs two JIT engines, e.g. --engines x64,a64)");
  spec->add_flag("-q,--quiet", spec_args.quiet, "No progress output");
  spec->add_flag("--verify", spec_args.verify,
                 "Prove every memory access of the code the JIT engines compile in bounds "
                 "(docs/verifier.md): an access not proved fails its file");
  spec->add_option("--seed-fault", spec_args.seed_faults,
                   "Seed faults NAME[@ENGINE][,...] (see tandem diff --list-faults)")
      ->type_name("LIST");
  spec->add_option("PATH", spec_args.paths, ".wast files or folders (default: the test suite)");

  RunArgs run_args;
  auto* run = app.add_subcommand("run", "Instantiate a module and invoke one export");
  run->add_option("FILE", run_args.file, ".wasm or .wat module")->required();
  run->add_option("ARG", run_args.args,
                  "Arguments: i32:7 i64:-1 f32:1.5 f64:0x1p-3 f32:nan f64:-inf "
                  "f32:bits:0x7fc00000 externref:3 funcref:null v128:i32x4:1,2,3,4 "
                  "(shapes i8x16 i16x8 i32x4 i64x2 f32x4 f64x2; results print as i32x4 hex "
                  "lanes, which are accepted back)");
  run->add_option("--invoke", run_args.invoke, "Exported function to call")->type_name("NAME");
  run->add_option("--engines", run_args.engines, "Comma-separated engine names")
      ->type_name("LIST")
      ->capture_default_str();
  run->add_option("--max-depth", run_args.max_depth, "Call-depth limit")->capture_default_str();
  run->add_option("--fuel", run_args.fuel,
                  "Fuel budget: function entries and loop iterations (0 = unlimited)")
      ->capture_default_str();
  run->add_flag("--nan-canonical", run_args.nan_canonical, "Canonicalise NaN results");
  run->add_flag("--json", run_args.json, "Print the result as JSON");
  run->add_flag("--list-exports", run_args.list_exports, "List the module's exports");
  run->add_flag("--print-code", run_args.print_code,
                "Print the annotated machine code of every compiled function (JIT engines)");
  run->add_option("--seed-fault", run_args.seed_faults,
                  "Seed faults NAME[@ENGINE][,...] (see tandem diff --list-faults)")
      ->type_name("LIST");
  // Arguments such as i64:-1 start with '-' after the colon only; allow negative-looking ones.
  run->allow_extras(false);

  CompileArgs compile_args;
  auto* compile_cmd = AddCompileCommand(app, compile_args);
  DiffArgs diff_args;
  auto* diff_cmd = AddDiffCommand(app, diff_args);
  FuzzArgs fuzz_args;
  auto* fuzz_cmd = AddFuzzCommand(app, fuzz_args);
  GenArgs gen_args;
  auto* gen_cmd = AddGenCommand(app, gen_args);
  CheckArgs check_args;
  auto* check_cmd = AddCheckCommand(app, check_args);
  VerifyArgs verify_args;
  auto* verify_cmd = AddVerifyCommand(app, verify_args);
  ReduceArgs reduce_args;
  auto* reduce_cmd = AddReduceCommand(app, reduce_args);
  cli::ReportArgs report_args;
  auto* report_cmd = cli::AddReportCommand(app, report_args);

  auto* engines_cmd = app.add_subcommand("engines", "List the engine names, one per line");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  try {
    if (*spec) return RunSpecCommand(spec_args, *spec);
    if (*run) return RunRunCommand(run_args, *run);
    if (*compile_cmd) return RunCompileCommand(compile_args);
    if (*diff_cmd) return RunDiffCommand(diff_args);
    if (*fuzz_cmd) return RunFuzzCommand(fuzz_args, *fuzz_cmd);
    if (*gen_cmd) return RunGenCommand(gen_args);
    if (*check_cmd) return RunCheckCommand(check_args);
    if (*verify_cmd) return RunVerifyCommand(verify_args);
    if (*reduce_cmd) return RunReduceCommand(reduce_args);
    if (*report_cmd) return cli::RunReportCommand(report_args);
    if (*engines_cmd) {
      for (const auto& name : diff::EngineNames()) std::cout << name << "\n";
      std::string why = diff::V8Unavailable();
      for (const auto& name : diff::V8EngineNames())
        std::cout << name << (why.empty() ? "" : " (unavailable: " + why + ")") << "\n";
      return kExitOk;
    }
  } catch (const std::exception& e) {
    std::cerr << "tandem: " << e.what() << "\n";
    return kExitUsage;
  }
  return kExitUsage;
}
