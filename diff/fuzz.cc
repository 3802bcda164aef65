// fuzz.cc: the fuzz loop (fuzz.h).
//
// Parent and workers talk in lines over pipes. Parent -> worker: "case I". Worker -> parent:
// Before each engine step the worker writes what it is about to do into a page shared with
// the parent (not into the pipe: a message per step would cost a context switch per step), so
// that a worker that dies or hangs can be blamed on a step;
// "invalid I REASON" for a generated module that does not validate, "result I JSON" with the
// harness's CaseResult, and "cov ENGINE HEX" when an engine's opcode coverage grew. A worker
// that dies is a crash of the case it was running; one that runs past the time limit is
// killed, and the case is a timeout. Either way a new worker takes its place.
#include "diff/fuzz.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "diff/case.h"
#include "diff/code_verify.h"
#include "diff/gen/generator.h"
#include "diff/harness.h"
#include "diff/locate.h"
#include "diff/signature.h"
#include "diff/process.h"
#include "diff/v8_engine.h"
#include "diff/validation.h"
#include "jit/faults.h"
#include "reference/binary_format.h"
#include "reference/leb128.h"
#include "reference/opcodes.h"

namespace tandem::diff {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Hex(const std::vector<uint8_t>& bits) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < bits.size(); i += 4) {
    int v = 0;
    for (size_t k = 0; k < 4 && i + k < bits.size(); ++k) v |= (bits[i + k] ? 1 : 0) << k;
    s += kDigits[v];
  }
  return s;
}

void OrHex(std::string_view hex, std::vector<uint8_t>& bits) {
  for (size_t i = 0; i < hex.size(); ++i) {
    char c = hex[i];
    int v = c >= 'a' ? c - 'a' + 10 : c - '0';
    for (size_t k = 0; k < 4; ++k)
      if ((v >> k) & 1 && i * 4 + k < bits.size()) bits[i * 4 + k] = 1;
  }
}

// Opcodes counted for coverage: the table, without SIMD unless it is generated, and without
// `block` and `end`, which are structure that no engine executes as an instruction.
std::vector<bool> CoverageUniverse(bool simd) {
  std::vector<bool> u(wasm::kNumOps);
  for (int i = 0; i < wasm::kNumOps; ++i) {
    auto op = static_cast<wasm::Op>(i);
    u[i] = (simd || wasm::GetOpInfo(op).prefix != 0xfd) && op != wasm::Op::Block &&
           op != wasm::Op::End;
  }
  return u;
}

// An unsupported reason without its numbers, so that like reasons count together.
std::string ReasonKey(std::string_view text) {
  std::string s;
  bool in_digits = false;
  for (char c : text) {
    bool d = c >= '0' && c <= '9';
    if (d && !in_digits) s += 'N';
    if (!d) s += c;
    in_digits = d;
    if (s.size() >= 100) break;
  }
  return s;
}

// What the case's calls did on the base engine (the first), for the campaign's quality figures:
// returned, trapped (by kind), exhausted (by kind), without the calls of hangLimitInitializer
// (which only reset the hang limit), and the code section's size.
json CaseQuality(const Case& c, const CaseResult& r) {
  json q = {{"calls", 0}, {"returned", 0}, {"traps", json::object()}, {"exhausted", json::object()},
            {"code_bytes", gen::CodeSectionBytes(c.bytes)}};
  if (r.engines.empty() || r.engines[0].unsupported) return q;
  const std::vector<std::string>& outs = r.engines[0].outcomes;
  for (size_t i = 0; i < outs.size() && i < c.script.calls.size(); ++i) {
    if (c.script.calls[i].export_name == "hangLimitInitializer") continue;
    const std::string& o = outs[i];
    q["calls"] = q["calls"].get<uint64_t>() + 1;
    if (o.rfind("returned", 0) == 0) {
      q["returned"] = q["returned"].get<uint64_t>() + 1;
    } else if (o.rfind("trap: ", 0) == 0 || o.rfind("exhausted: ", 0) == 0) {
      bool trap = o[0] == 't';
      std::string what = o.substr(trap ? 6 : 11);
      what = what.substr(0, what.find(": "));
      json& bucket = q[trap ? "traps" : "exhausted"];
      bucket[what] = bucket.value(what, uint64_t{0}) + 1;
    }
  }
  return q;
}

std::vector<std::unique_ptr<gen::Generator>> MakeGenerators(const FuzzOptions& o) {
  gen::GeneratorOptions go;
  go.simd = o.simd;
  go.seeds = o.seeds;
  go.corpus = o.corpus;
  go.byte_edits = o.validation;
  go.denan = o.denan;
  go.block_params = o.block_params;
  go.binaryen = o.binaryen;
  go.wasm_opt = o.wasm_opt;
  std::vector<std::unique_ptr<gen::Generator>> gens;
  for (const std::string& name : o.generators) {
    auto g = gen::MakeGenerator(name, go);
    if (!g) throw std::invalid_argument("unknown generator \"" + name + "\"");
    gens.push_back(std::move(g));
  }
  return gens;
}

HarnessOptions HarnessFor(const FuzzOptions& o) {
  HarnessOptions h;
  h.engines = o.engines;
  h.config = o.config;
  h.faults = o.faults;
  h.timeout_seconds = o.timeout_seconds;
  return h;
}

// ---- the worker --------------------------------------------------------------------------

// A validation differential's result in the shape of a case's (ToJson of a CaseResult): an
// unexplained disagreement is a divergence of field "validation" between tandem and the other.
json ValidationJson(const ValidationResult& v, const std::string& what) {
  json j = {{"what", what}, {"engines", json::array()}, {"divergences", json::array()},
            {"failures", json::array()}, {"calls_run", 0}};
  json verdicts = json::object();
  for (const FrontEndVerdict& f : v.verdicts)
    verdicts[f.front_end] = {{"accepted", f.accepted}, {"message", f.message}};
  j["validation"] = {{"verdicts", verdicts}, {"allowed", v.allowed}, {"summary", v.Summary()},
                     {"peer_failure", v.peer_failure}};
  const bool divergence = !v.agree && v.allowed.empty();
  j["verdict"] = divergence ? "divergence" : "agree";
  if (divergence) {
    const FrontEndVerdict& t = v.verdicts[0];
    // Signature: the front ends that differ from tandem's, and what tandem's did.
    std::string names;
    for (const FrontEndVerdict& f : v.verdicts)
      if (f.accepted != t.accepted) names += (names.empty() ? "" : "+") + f.front_end;
    j["signature"] = names + ":validation:" + (t.accepted ? "tandem-accepts" : "tandem-refuses");
    for (const FrontEndVerdict& f : v.verdicts)
      if (f.accepted != t.accepted)
        j["divergences"].push_back(
            {{"engine", f.front_end}, {"base", t.front_end}, {"call", -1}, {"export", ""},
             {"field", "validation"}, {"where", ""},
             {"a", t.accepted ? "accepted" : "refused: " + t.message},
             {"b", f.accepted ? "accepted" : "refused: " + f.message},
             {"text", "validation: " + v.Summary()}});
  }
  return j;
}

// The page a worker writes its current step into (a NUL-terminated line), shared with the
// parent; read only once the worker has died or been killed.
constexpr size_t kStepPageSize = 4096;

[[noreturn]] void WorkerMain(int in_fd, int out_fd, char* step_page, const FuzzOptions& o,
                             pid_t parent) {
  // A worker dies with its parent (a campaign killed with kill -9 leaves no worker behind to
  // hold the lock of its folder or run on).
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(0);
  DefaultFaultSignals();
  signal(SIGINT, SIG_IGN);  // the parent decides when to stop
  signal(SIGTERM, SIG_DFL);
  std::vector<std::unique_ptr<gen::Generator>> gens = MakeGenerators(o);
  HarnessOptions h = HarnessFor(o);
  std::unique_ptr<FrontEnds> front_ends;
  if (o.validation) front_ends = std::make_unique<FrontEnds>(o.validation_v8, o.wasm_validate);
  // One store per engine for the worker's life, reset to its template between cases.
  EnginePool pool;
  if (!o.fresh_stores) h.pool = &pool;
  std::vector<std::vector<uint8_t>> cov(o.engines.size(), std::vector<uint8_t>(wasm::kNumOps));
  std::vector<size_t> sent(o.engines.size(), 0);
  for (size_t k = 0; k < o.engines.size(); ++k) h.opcode_coverage.push_back(cov[k].data());
  // Instructions the reference engine executes (the work a case does; in the quality figures).
  uint64_t ref_instructions = 0;
  bool counted = false;
  for (size_t k = 0; k < o.engines.size(); ++k) {
    bool ref = o.engines[k] == "ref" && !counted;
    h.instruction_count.push_back(ref ? &ref_instructions : nullptr);
    counted |= ref;
  }
  // --verify: a proof cache per back end for the worker's life; what the verifier made of the
  // current case's code (reset for each case).
  std::map<std::string, std::unique_ptr<jit::verify::ProofCache>> caches;
  json verified;
  HarnessOptions hv = h;  // the case's own run; the locating runs below do not verify again
  if (o.verify)
    hv.after_instantiate = [&](const std::string& name, Engine& engine) {
      std::string step = name + " verify";
      std::memcpy(step_page, step.c_str(), step.size() + 1);
      std::unique_ptr<jit::verify::ProofCache>& cache = caches[name];
      if (!cache) cache = std::make_unique<jit::verify::ProofCache>();
      const double start = MonotonicSeconds();
      std::optional<std::vector<VerifiedFunction>> functions;
      // All of the store's code: the case's one instantiation compiled it (a store's template
      // holds host functions only, and a reset drops what the last case compiled).
      size_t first = 0;
      try {
        functions = VerifyNewCode(engine, &first, cache.get());
      } catch (const std::exception& e) {
        verified["errors"].push_back(name + ": the verifier cannot verify this code: " + e.what());
        return;
      }
      if (!functions) return;
      uint64_t accesses = 0, proved = 0, failed = 0, unknown = 0, cached = 0;
      for (const VerifiedFunction& vf : *functions) {
        const jit::verify::FunctionResult& f = vf.result;
        accesses += f.accesses, proved += f.proved, failed += f.failed, unknown += f.unknown;
        cached += f.cached;
        if (f.problems.empty()) continue;
        for (const jit::verify::AccessResult& p : f.problems)
          verified["problems"].push_back({{"engine", name}, {"function", vf.func_index},
                                          {"code_offset", p.code_offset}, {"instruction", p.text},
                                          {"status", jit::verify::StatusName(p.status)},
                                          {"region", p.region}, {"why", p.why}});
        verified["text"] = verified.value("text", "") +
                           fmt::format("{} function {}: {} accesses, {} proved, {} failed, {} unknown\n{}",
                                       name, vf.func_index, f.accesses, f.proved, f.failed,
                                       f.unknown, FormatProblems(f));
      }
      verified["engines"][name] = {{"functions", functions->size()}, {"accesses", accesses},
                                   {"proved", proved}, {"failed", failed}, {"unknown", unknown},
                                   {"cached", cached}, {"seconds", MonotonicSeconds() - start}};
    };
  std::string buf;
  char chunk[4096];
  for (;;) {
    size_t nl;
    while ((nl = buf.find('\n')) == std::string::npos) {
      ssize_t n = read(in_fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {  // the parent closed the pipe: done
        gens.clear();  // generators' temporary folders (ttf) go with them
        _exit(0);
      }
      buf.append(chunk, static_cast<size_t>(n));
    }
    std::string line = buf.substr(0, nl);
    buf.erase(0, nl + 1);
    if (line.rfind("case ", 0) != 0) continue;
    uint64_t index = std::stoull(line.substr(5));
    gen::Generator& g = *gens[index % gens.size()];
    std::string out;
    try {
      gen::Generated made = g.Generate(o.seed, index);
      if (front_ends) {
        out = fmt::format("result {} {}\n", index, ValidationJson(front_ends->Check(made.bytes), made.what).dump());
        if (!WriteAll(out_fd, out)) {
          gens.clear();
          _exit(0);
        }
        continue;
      }
      Case c = MakeCase(std::move(made.bytes), std::move(made.script));
      if (!c.module) {
        out = fmt::format("invalid {} {}\n", index, ReasonKey(c.refusal.substr(0, c.refusal.find(':'))));
      } else {
        uint64_t created = pool.created;
        uint64_t instructions_before = ref_instructions;
        verified = {{"engines", json::object()}, {"problems", json::array()}};
        CaseResult r = RunCase(c, hv, [&](const std::string& step) {
          size_t n = std::min(step.size(), kStepPageSize - 1);
          std::memcpy(step_page, step.data(), n);
          step_page[n] = 0;
        });
        json j = ToJson(r);
        if (o.verify && !verified["problems"].empty()) {
          // An access not proved is the finding, whatever the runs did (an out-of-bounds
          // access need not show in any run); the runs' own verdict stays in the result.
          const json& p = verified["problems"][0];
          j["runs_verdict"] = j["verdict"];
          j["verdict"] = "verify";
          j["signature"] = p["engine"].get<std::string>() + ":verify:" +
                           RegionWord(p["region"].get<std::string>());
        } else if (o.verify && verified.contains("errors")) {
          for (const json& e : verified["errors"]) j["failures"].push_back(e);
          j["verdict"] = VerdictName(CaseResult::Verdict::kInternalError);
        } else if (IsFinding(r.verdict)) {
          // The finding's signature, located here (the worker has the case; the bisections
          // fork runs of their own, so a crash there does not end the worker).
          // Bounded so that the case and its locating stay within the case's time limit (the
          // parent kills a worker past it): a quarter for the bisections, a quarter per run.
          Location where;
          LocateOptions lo;
          lo.max_seconds = o.timeout_seconds / 4.0;
          lo.run_timeout = std::max(1, o.timeout_seconds / 4);
          j["signature"] = LocatedSignature(c, h, r, &where, lo).ToString();
          j["location"] = ToJson(where);
        }
        if (o.verify) j["verify"] = verified;
        j["what"] = made.what;
        j["new_stores"] = o.fresh_stores ? o.engines.size() : pool.created - created;
        j["quality"] = CaseQuality(c, r);
        if (counted) j["quality"]["ref_instructions"] = ref_instructions - instructions_before;
        out = fmt::format("result {} {}\n", index, j.dump());
      }
    } catch (const std::exception& e) {
      json j = {{"verdict", "internal error"}, {"failures", {std::string("generator or harness: ") + e.what()}},
                {"engines", json::array()}, {"divergences", json::array()}, {"calls_run", 0}};
      out = fmt::format("result {} {}\n", index, j.dump());
    }
    for (size_t k = 0; k < cov.size(); ++k) {
      size_t count = 0;
      for (uint8_t b : cov[k]) count += b;
      if (count != sent[k]) {
        out += fmt::format("cov {} {}\n", o.engines[k], Hex(cov[k]));
        sent[k] = count;
      }
    }
    if (!WriteAll(out_fd, out)) {
      gens.clear();
      _exit(0);
    }
  }
}

struct Worker {
  pid_t pid = -1;
  int to = -1, from = -1;
  std::string buf;
  bool busy = false;
  uint64_t index = 0;
  double started = 0;
  char* step_page = nullptr;  // shared with the worker (kStepPageSize bytes), kept across respawns
};

// ---- the parent --------------------------------------------------------------------------

// SIGINT or SIGTERM to the parent: stop handing out cases, let those in flight finish, write
// the summary and the state (the campaign can be resumed). A second one ends the process.
volatile sig_atomic_t g_interrupted = 0;
void OnInterrupt(int) { g_interrupted = 1; }

// Code-section sizes are counted exactly below 4 KiB and in buckets of 1/256 of their power of
// two above (the median within 0.4%), so that the state does not grow with the cases run.
uint32_t SizeBucket(uint64_t n) {
  if (n < 4096) return static_cast<uint32_t>(n);
  const int top = 63 - __builtin_clzll(n);
  const uint64_t step = uint64_t{1} << (top - 8);
  return static_cast<uint32_t>(std::min<uint64_t>(n / step * step, UINT32_MAX));
}

// Writes `data` to `path` whole or not at all: a temporary file beside it, synced, renamed.
bool WriteFileAtomic(const fs::path& path, const std::string& data, std::string* error) {
  const fs::path tmp = fs::path(path.string() + ".tmp");
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot write " + tmp.string() + ": " + std::strerror(errno);
    return false;
  }
  bool ok = WriteAll(fd, data) && fsync(fd) == 0;
  const int err = errno;
  ok = close(fd) == 0 && ok;
  if (ok && rename(tmp.c_str(), path.c_str()) == 0) return true;
  *error = "cannot write " + path.string() + ": " + std::strerror(ok ? errno : err);
  unlink(tmp.c_str());
  return false;
}

class Campaign {
 public:
  explicit Campaign(const FuzzOptions& o)
      : o_(o), gens_(MakeGenerators(o)), universe_(CoverageUniverse(o.simd)) {
    // Coverage of the engines that report it (V8 does not).
    for (const std::string& e : o.engines)
      if (!IsV8Engine(e) && !o.validation) coverage_[e].assign(wasm::kNumOps, 0);
  }

  ~Campaign() {
    if (journal_fd_ >= 0) close(journal_fd_);
    if (lock_fd_ >= 0) close(lock_fd_);
  }

  int Run();

 private:
  int Loop();
  bool Spawn(Worker& w);
  double Elapsed() const { return elapsed_before_ + MonotonicSeconds() - start_; }
  void MarkDone(uint64_t index);
  void SkipDone();
  json Identity() const;
  json StateJson(bool finished) const;
  bool Checkpoint(bool finished = false);
  bool LoadState(const json& state, std::string* error);
  void ReconcileFindings();
  void Retire(Worker& w);
  void Handle(Worker& w, const std::string& line);
  void Record(uint64_t index, const json& result);
  bool WriteFinding(uint64_t index, const json& result);
  void Progress(bool final);
  json Summary() const;
  std::string CoverageText() const;

  const FuzzOptions& o_;
  std::vector<std::unique_ptr<gen::Generator>> gens_;
  std::vector<bool> universe_;
  std::map<std::string, std::vector<uint8_t>> coverage_;
  std::vector<Worker> workers_;
  double start_ = 0, last_progress_ = 0;
  uint64_t next_ = 0, done_ = 0, stores_created_ = 0;
  // Which cases are done: every case below low_, and those in done_above_ (cases finish out of
  // order with several jobs). The state keeps both, so a resumed campaign skips no case and
  // runs none twice.
  uint64_t low_ = 0;
  std::set<uint64_t> done_above_;
  double elapsed_before_ = 0;  // seconds run before this process (resumed campaigns)
  uint64_t runs_ = 1;          // this process and the ones before it
  double last_checkpoint_ = 0;
  int lock_fd_ = -1;
  int journal_fd_ = -1;          // out_dir/journal, appended to
  uint64_t journal_bytes_ = 0;   // since the last checkpoint
  bool Journal(const std::string& lines);
  bool IsDone(uint64_t index) const { return index < low_ || done_above_.count(index); }
  bool ReplayJournal(std::string* error);
  // Quality of the cases that ran (CaseQuality), on the base engine.
  uint64_t calls_ = 0, returned_ = 0;
  uint64_t ref_instructions_ = 0, ref_counted_cases_ = 0;  // on "ref", when it runs
  std::map<std::string, uint64_t> traps_, exhausted_;
  std::map<uint32_t, uint64_t> code_sizes_;  // SizeBucket(code-section bytes) -> cases
  std::map<std::string, uint64_t> per_generator_, invalid_per_generator_, verdicts_;
  std::map<std::string, std::map<std::string, uint64_t>> unsupported_;  // engine -> reason
  std::map<std::string, std::map<std::string, uint64_t>> allowed_;  // engine -> allowed difference
  // The validation differential: front end -> accepted/refused -> modules; allowed
  // disagreements by kind; modules on which every front end agreed.
  std::map<std::string, std::map<std::string, uint64_t>> validation_;
  std::map<std::string, uint64_t> validation_allowed_;
  uint64_t validation_agree_ = 0;
  std::map<std::string, uint64_t> invalid_reasons_;
  // --verify: per JIT engine, the functions verified, their accesses, what became of them,
  // the proofs the cache answered and the seconds spent.
  struct VerifyTotals {
    uint64_t functions = 0, accesses = 0, proved = 0, failed = 0, unknown = 0, cached = 0;
    double seconds = 0;
  };
  std::map<std::string, VerifyTotals> verify_;
  json VerifyJson() const;
  std::vector<json> findings_;  // the findings written (at most kExamples per signature)
  // Findings by signature: how many, and the ids of those written.
  struct SignatureGroup {
    uint64_t count = 0;
    std::map<uint64_t, std::string> written;  // case number -> finding id
    std::string first_summary;
  };
  std::map<std::string, SignatureGroup> signatures_;
  uint64_t findings_total_ = 0;
  static constexpr size_t kExamples = 3;  // findings written per signature
  bool WriteSignatures();
  json SignaturesJson() const;
  bool fatal_ = false;
  std::string fatal_message_;
  double first_finding_seconds_ = -1;
};

bool Campaign::Spawn(Worker& w) {
  int down[2], up[2];
  if (pipe(down) != 0) return false;
  if (pipe(up) != 0) {
    close(down[0]);
    close(down[1]);
    return false;
  }
  std::cout.flush();
  std::cerr.flush();
  if (!w.step_page) {
    void* page = mmap(nullptr, kStepPageSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
      for (int fd : {down[0], down[1], up[0], up[1]}) close(fd);
      return false;
    }
    w.step_page = static_cast<char*>(page);
  }
  w.step_page[0] = 0;
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {down[0], down[1], up[0], up[1]}) close(fd);
    return false;
  }
  if (pid == 0) {
    close(down[1]);
    close(up[0]);
    for (const Worker& other : workers_) {  // the other workers' pipes are not ours
      if (other.to >= 0) close(other.to);
      if (other.from >= 0) close(other.from);
    }
    if (lock_fd_ >= 0) close(lock_fd_);  // the folder's lock is the parent's alone
    WorkerMain(down[0], up[1], w.step_page, o_, parent);
  }
  close(down[0]);
  close(up[1]);
  fcntl(up[0], F_SETFD, FD_CLOEXEC);
  fcntl(down[1], F_SETFD, FD_CLOEXEC);
  char* page = w.step_page;
  w = Worker{};
  w.step_page = page;
  w.pid = pid;
  w.to = down[1];
  w.from = up[0];
  return true;
}

void Campaign::Retire(Worker& w) {
  if (w.to >= 0) close(w.to);
  if (w.from >= 0) close(w.from);
  w.to = w.from = -1;
  if (w.pid > 0) {
    int status;
    while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  w.pid = -1;
}

void Campaign::Handle(Worker& w, const std::string& line) {
  if (line.rfind("cov ", 0) == 0) {
    size_t sp = line.find(' ', 4);
    if (sp == std::string::npos) return;
    auto it = coverage_.find(line.substr(4, sp - 4));
    if (it != coverage_.end()) OrHex(std::string_view(line).substr(sp + 1), it->second);
  } else if (line.rfind("invalid ", 0) == 0) {
    size_t sp = line.find(' ', 8);
    uint64_t index = std::stoull(line.substr(8, sp - 8));
    const std::string& g = o_.generators[index % o_.generators.size()];
    ++per_generator_[g];
    ++invalid_per_generator_[g];
    ++invalid_reasons_[sp == std::string::npos ? "" : line.substr(sp + 1)];
    ++verdicts_["invalid"];
    ++done_;
    MarkDone(index);
    w.busy = false;
  } else if (line.rfind("result ", 0) == 0) {
    size_t sp = line.find(' ', 7);
    uint64_t index = std::stoull(line.substr(7, sp - 7));
    json r;
    try {
      r = json::parse(line.substr(sp + 1));
    } catch (const std::exception& e) {
      r = {{"verdict", "internal error"}, {"failures", {std::string("unreadable result: ") + e.what()}}};
    }
    Record(index, r);
    w.busy = false;
  }
}

void Campaign::Record(uint64_t index, const json& r) {
  const std::string& g = o_.generators[index % o_.generators.size()];
  ++per_generator_[g];
  ++done_;
  MarkDone(index);
  stores_created_ += r.value("new_stores", uint64_t{0});
  if (r.contains("quality")) {
    const json& q = r["quality"];
    calls_ += q.value("calls", uint64_t{0});
    returned_ += q.value("returned", uint64_t{0});
    for (const auto& [k, n] : q["traps"].items()) traps_[k] += n.get<uint64_t>();
    for (const auto& [k, n] : q["exhausted"].items()) exhausted_[k] += n.get<uint64_t>();
    ++code_sizes_[SizeBucket(q.value("code_bytes", uint64_t{0}))];
    if (q.contains("ref_instructions")) {
      ref_instructions_ += q["ref_instructions"].get<uint64_t>();
      ++ref_counted_cases_;
    }
  }
  std::string verdict = r.value("verdict", "internal error");
  ++verdicts_[verdict];
  if (r.contains("validation")) {
    for (const auto& [fe, v] : r["validation"]["verdicts"].items())
      ++validation_[fe][v.value("accepted", false) ? "accepted" : "refused"];
    const std::string allowed = r["validation"].value("allowed", "");
    if (!allowed.empty()) ++validation_allowed_[allowed.substr(0, allowed.find(':'))];
    if (!r["validation"].value("peer_failure", "").empty()) ++validation_allowed_["peer failure (no V8 verdict)"];
    if (verdict == "agree" && allowed.empty()) ++validation_agree_;
  }
  if (r.contains("verify") && r["verify"].contains("engines"))
    for (const auto& [engine, n] : r["verify"]["engines"].items()) {
      VerifyTotals& t = verify_[engine];
      t.functions += n.value("functions", uint64_t{0});
      t.accesses += n.value("accesses", uint64_t{0});
      t.proved += n.value("proved", uint64_t{0});
      t.failed += n.value("failed", uint64_t{0});
      t.unknown += n.value("unknown", uint64_t{0});
      t.cached += n.value("cached", uint64_t{0});
      t.seconds += n.value("seconds", 0.0);
    }
  if (r.contains("engines"))
    for (const json& e : r["engines"]) {
      if (!e.value("unsupported", false)) continue;
      std::string why = e.value("instantiation", "");
      if (!e.value("allowed", "").empty()) {
        ++allowed_[e.value("engine", "?")][e.value("allowed", "")];
        continue;
      }
      if (why.rfind("unsupported", 0) != 0 && e.contains("outcomes"))
        for (const json& out : e["outcomes"])
          if (out.get<std::string>().rfind("unsupported", 0) == 0) why = out.get<std::string>();
      ++unsupported_[e.value("engine", "?")][ReasonKey(why)];
    }
  bool finding = verdict == "divergence" || verdict == "expectation" || verdict == "crash" ||
                 verdict == "timeout" || verdict == "internal error" || verdict == "verify";
  if (finding && !WriteFinding(index, r)) fatal_ = true;
}

bool Campaign::WriteFinding(uint64_t index, const json& r) {
  const std::string& g = o_.generators[index % o_.generators.size()];
  std::string id = fmt::format("{:08d}-{}", index, g);
  std::string verdict = r.value("verdict", "?");
  std::string first;
  const bool unproved = verdict == "verify" && r.contains("verify") &&
                        !r["verify"].value("problems", json::array()).empty();
  if (unproved) {
    const json& p = r["verify"]["problems"][0];
    first = fmt::format("{} function {} at {:#06x} `{}`{}: {}: {}", p.value("engine", "?"),
                        p.value("function", 0), p.value("code_offset", 0),
                        p.value("instruction", ""),
                        p.value("region", "").empty() ? "" : " (" + p.value("region", "") + ")",
                        p.value("status", ""), p.value("why", ""));
  } else if (r.contains("divergences") && !r["divergences"].empty())
    first = r["divergences"][0].value("text", "");
  else if (r.contains("failures") && !r["failures"].empty())
    first = r["failures"][0].get<std::string>();
  std::string summary = fmt::format("{}: {}", verdict, first);
  // The case again, from (generator, seed, index): the parent generates it too.
  Case c;
  std::string what = r.value("what", "");
  try {
    gen::Generated made = gens_[index % gens_.size()]->Generate(o_.seed, index);
    if (what.empty()) what = made.what;
    c = MakeCase(std::move(made.bytes), std::move(made.script));
  } catch (const std::exception& e) {
    summary += fmt::format(" (the case cannot be generated again: {})", e.what());
  }
  std::string replay = "tandem diff case.wasm --script script.json --engines ";
  for (size_t k = 0; k < o_.engines.size(); ++k) replay += (k ? "," : "") + o_.engines[k];
  if (!o_.faults_text.empty()) replay += " --seed-fault " + o_.faults_text;
  if (o_.config.fuel) replay += fmt::format(" --fuel {}", o_.config.fuel);
  replay += fmt::format(" --max-depth {}", o_.config.max_call_depth);
  if (o_.config.max_memory_pages != EngineConfig{}.max_memory_pages)
    replay += fmt::format(" --max-memory-pages {}", o_.config.max_memory_pages);
  if (o_.validation) replay = "tandem check case.wasm";
  if (unproved) {
    // The verifier on the case's module alone (its imports stood in for), with the code
    // generator's faults this engine ran with.
    const std::string engine = r["verify"]["problems"][0].value("engine", "");
    std::string faults;
    for (const json& e : r.value("engines", json::array())) {
      if (e.value("engine", "") != engine) continue;
      std::string names = e.value("faults", "") + ",";  // "cond,perturb-result"
      for (size_t at = 0, comma; (comma = names.find(',', at)) != std::string::npos; at = comma + 1)
        for (const jit::CodegenFaultInfo& f : jit::CodegenFaults())
          if (names.compare(at, comma - at, f.name) == 0)
            faults += (faults.empty() ? "" : ",") + names.substr(at, comma - at);
    }
    replay = "tandem verify case.wasm --engines " + engine +
             (faults.empty() ? "" : " --seed-fault " + faults);
  }
  // The signature: the worker's, or (a case that crashed or hung its worker) located here.
  std::string signature = r.value("signature", "");
  json location = r.contains("location") ? r["location"] : json();
  if (signature.empty() && c.module) {
    Location where;
    LocateOptions lo;
    lo.max_seconds = std::min(o_.timeout_seconds, 10);
    HarnessOptions h = HarnessFor(o_);
    signature = LocatedSignature(c, h, CaseResultFromJson(r), &where, lo).ToString();
    location = ToJson(where);
  }
  if (signature.empty()) signature = SignatureOf(CaseResultFromJson(r)).ToString();
  ++findings_total_;
  // The findings written for a signature are those of its kExamples lowest case numbers, so
  // that a campaign writes the same folders with any -j: a later finding with a lower number
  // takes the place of the highest written one.
  SignatureGroup& group = signatures_[signature];
  ++group.count;
  // The folder this finding replaces goes only once the new folder is written (a kill in
  // between leaves both; the resumed campaign replays this case from its journal and removes
  // the folder the state no longer names).
  std::string evicted;
  if (group.written.size() >= kExamples) {
    auto highest = std::prev(group.written.end());
    if (highest->first < index) return WriteSignatures();  // counted, not written
    evicted = highest->second;
    std::erase_if(findings_, [&](const json& f) { return f.value("id", "") == evicted; });
    group.written.erase(highest);
  }
  group.written[index] = id;
  if (group.first_summary.empty() || group.written.begin()->first == index) group.first_summary = summary;
  json entry = {{"id", id}, {"index", index}, {"generator", g}, {"verdict", verdict},
                {"summary", summary}, {"what", what}, {"signature", signature}};
  if (location.is_object() && location.value("found", false))
    entry["location"] = fmt::format("function {} offsets 0x{:x}-0x{:x} ({} instructions) at {}",
                                    location.value("function", 0), location.value("begin", 0),
                                    location.value("end", 0), location.value("length", 0),
                                    location.value("op", "?"));
  findings_.push_back(entry);
  if (first_finding_seconds_ < 0) first_finding_seconds_ = Elapsed();
  if (!o_.quiet)
    std::cerr << fmt::format("finding {}: {}\n  signature {}{}\n  replay: cd {}/findings/{} && {}\n",
                             id, summary, signature,
                             entry.contains("location") ? "; located: " + entry["location"].get<std::string>() : "",
                             o_.out_dir.empty() ? "." : o_.out_dir, id, replay);
  if (o_.out_dir.empty()) return true;
  // Written into a temporary folder, then renamed: a finding is there whole or not at all.
  fs::path root = fs::path(o_.out_dir) / "findings";
  fs::path tmp = root / (".tmp-" + id);
  fs::path dir = root / id;
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  bool ok = !ec;
  // Synced before the folder is renamed into place, so that a folder the state names is whole
  // even after a power cut.
  auto put = [&](const char* name, const std::string& data) {
    int fd = open((tmp / name).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool written = fd >= 0 && WriteAll(fd, data) && fsync(fd) == 0;
    if (fd >= 0) written = close(fd) == 0 && written;
    ok = ok && written;
  };
  if (ok) {
    put("case.wasm", std::string(c.bytes.begin(), c.bytes.end()));
    put("script.json", ScriptToJson(c.script));
    json outcome = r;
    outcome["id"] = id;
    outcome["generator"] = g;
    outcome["seed"] = o_.seed;
    outcome["index"] = index;
    outcome["what"] = what;
    outcome["replay"] = replay;
    outcome["signature"] = signature;
    if (location.is_object()) outcome["location"] = location;
    outcome["engine_names"] = o_.engines;
    outcome["config"] = {{"fuel", o_.config.fuel},
                         {"max_call_depth", o_.config.max_call_depth},
                         {"max_memory_pages", o_.config.max_memory_pages},
                         {"timeout_seconds", o_.timeout_seconds}};
    if (!o_.faults_text.empty()) outcome["seed_faults"] = o_.faults_text;
    put("outcome.json", outcome.dump(1) + "\n");
    put("summary.txt", summary + "\n");
    // The accesses not proved, each function's listing around them.
    if (unproved) put("verify.txt", r["verify"].value("text", ""));
  }
  if (ok) {
    fs::remove_all(dir, ec);
    fs::rename(tmp, dir, ec);
    ok = !ec;
  }
  if (!ok) {
    fatal_message_ = "cannot write the finding " + id + " to " + dir.string() +
                     (ec ? ": " + ec.message() : "");
    fs::remove_all(tmp, ec);
    return false;
  }
  if (!WriteSignatures()) return false;
  if (!evicted.empty()) fs::remove_all(root / evicted, ec);
  return true;
}

json Campaign::SignaturesJson() const {
  json list = json::array();
  std::vector<std::pair<std::string, const SignatureGroup*>> order;
  for (const auto& [sig, g] : signatures_) order.push_back({sig, &g});
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.second->count > b.second->count; });
  for (const auto& [sig, g] : order) {
    json ids = json::array();
    for (const auto& [index, id] : g->written) ids.push_back(id);
    list.push_back({{"signature", sig}, {"count", g->count}, {"findings", ids},
                    {"summary", g->first_summary}});
  }
  return list;
}

// DIR/findings/signatures.json: the findings grouped by signature, with counts (written
// whole or not at all, as the findings are).
bool Campaign::WriteSignatures() {
  if (o_.out_dir.empty()) return true;
  fs::path root = fs::path(o_.out_dir) / "findings";
  fs::path tmp = root / ".signatures.json.tmp";
  {
    std::ofstream f(tmp);
    f << SignaturesJson().dump(1) << "\n";
    if (!f) {
      fatal_message_ = "cannot write " + tmp.string();
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, root / "signatures.json", ec);
  if (ec) {
    fatal_message_ = "cannot write " + (root / "signatures.json").string() + ": " + ec.message();
    return false;
  }
  return true;
}

std::string Campaign::CoverageText() const {
  size_t total = 0;
  for (bool b : universe_) total += b;
  std::string s;
  for (const auto& [e, bits] : coverage_) {
    size_t n = 0;
    for (int i = 0; i < wasm::kNumOps; ++i) n += universe_[i] && bits[i];
    s += fmt::format("{}{} {}/{}", s.empty() ? "" : " ", e, n, total);
  }
  return s;
}

void Campaign::Progress(bool final) {
  double now = MonotonicSeconds();
  if (!final && now - last_progress_ < 1.0) return;
  last_progress_ = now;
  if (o_.quiet && !final) return;
  double elapsed = Elapsed();
  uint64_t findings = findings_total_;
  std::string gens;
  for (const auto& [g, n] : per_generator_) gens += fmt::format(" {} {}", g, n);
  uint64_t invalid = 0;
  for (const auto& [g, n] : invalid_per_generator_) invalid += n;
  std::string unsup;
  for (const auto& [e, reasons] : unsupported_) {
    uint64_t n = 0;
    for (const auto& [why, c] : reasons) n += c;
    unsup += fmt::format(" {} {}", e, n);
  }
  std::string kinds;
  for (const char* v : {"divergence", "expectation", "crash", "timeout", "internal error", "verify"})
    if (auto it = verdicts_.find(v); it != verdicts_.end()) kinds += fmt::format(" {} {}", v, it->second);
  std::cerr << fmt::format("[{:6.0f}s] {} cases ({:.0f}/s) | findings {}{} | invalid {} | "
                           "unsupported{} | per generator:{}{}\n",
                           elapsed, done_, elapsed > 0 ? done_ / elapsed : 0.0, findings,
                           (kinds.empty() ? "" : " (" + kinds.substr(1) + ")") +
                               (signatures_.empty() ? "" : fmt::format(", {} signatures", signatures_.size())),
                           invalid,
                           unsup.empty() ? " 0" : unsup, gens,
                           coverage_.empty() ? "" : " | coverage " + CoverageText());
}

json Campaign::Summary() const {
  double elapsed = Elapsed();
  json j;
  j["seed"] = o_.seed;
  j["engines"] = o_.engines;
  j["generators"] = o_.generators;
  j["first_case"] = o_.first_case;
  j["next_case"] = low_;
  j["cases"] = done_;
  j["seconds"] = elapsed;
  j["runs"] = runs_;  // 1, plus one per --resume
  // When the first finding was written (seconds since the start; absent without findings).
  if (first_finding_seconds_ >= 0) j["first_finding_seconds"] = first_finding_seconds_;
  j["cases_per_second"] = elapsed > 0 ? done_ / elapsed : 0.0;
  j["jobs"] = o_.jobs;
  // Engines' stores made (the rest of the cases ran on a store reset to its template).
  j["stores_created"] = stores_created_;
  if (!o_.faults_text.empty()) j["seed_faults"] = o_.faults_text;
  json per = json::object();
  for (const auto& [g, n] : per_generator_) {
    auto it = invalid_per_generator_.find(g);
    per[g] = {{"cases", n}, {"invalid", it == invalid_per_generator_.end() ? 0 : it->second}};
  }
  j["per_generator"] = per;
  j["verdicts"] = verdicts_;
  j["invalid_reasons"] = invalid_reasons_;
  j["unsupported"] = unsupported_;
  j["allowed_differences"] = allowed_;
  if (o_.validation)
    j["validation"] = {{"verdicts", validation_}, {"allowed", validation_allowed_},
                       {"all_agree", validation_agree_}};
  // In case order: with several jobs findings come back in any order.
  std::vector<json> by_case = findings_;
  std::stable_sort(by_case.begin(), by_case.end(), [](const json& a, const json& b) {
    return a.value("index", uint64_t{0}) < b.value("index", uint64_t{0});
  });
  j["findings"] = by_case;
  j["findings_total"] = findings_total_;
  j["signatures"] = SignaturesJson();
  {
    uint64_t sized = 0, median = 0, seen = 0;
    for (const auto& [size, n] : code_sizes_) sized += n;
    for (const auto& [size, n] : code_sizes_) {
      seen += n;
      if (seen > sized / 2) {
        median = size;
        break;
      }
    }
    j["quality"] = {{"engine", o_.engines.empty() ? "" : o_.engines[0]},
                    {"calls", calls_},
                    {"returned", returned_},
                    {"returned_share", calls_ ? static_cast<double>(returned_) / calls_ : 0.0},
                    {"traps", traps_},
                    {"exhausted", exhausted_},
                    {"code_section_bytes_median", median}};
    if (ref_counted_cases_) {
      j["quality"]["ref_instructions"] = ref_instructions_;
      j["quality"]["ref_instructions_per_case"] =
          static_cast<double>(ref_instructions_) / ref_counted_cases_;
    }
  }
  json cov = json::object();
  size_t total = 0;
  for (bool b : universe_) total += b;
  for (const auto& [e, bits] : coverage_) {
    json missing = json::array();
    size_t n = 0;
    for (int i = 0; i < wasm::kNumOps; ++i) {
      if (!universe_[i]) continue;
      if (bits[i])
        ++n;
      else
        missing.push_back(wasm::OpName(static_cast<wasm::Op>(i)));
    }
    cov[e] = {{"what", e == "ref" ? "executed" : "compiled"}, {"covered", n}, {"total", total},
              {"missing", missing}};
  }
  j["coverage"] = cov;
  if (o_.verify) j["verify"] = VerifyJson();
  return j;
}

json Campaign::VerifyJson() const {
  json j = json::object();
  for (const auto& [engine, t] : verify_)
    j[engine] = {{"functions", t.functions}, {"accesses", t.accesses}, {"proved", t.proved},
                 {"failed", t.failed},       {"unknown", t.unknown},   {"cached", t.cached},
                 {"seconds", t.seconds}};
  return j;
}

void Campaign::MarkDone(uint64_t index) {
  if (index != low_) {
    done_above_.insert(index);
    return;
  }
  ++low_;
  while (!done_above_.empty() && *done_above_.begin() == low_) {
    done_above_.erase(done_above_.begin());
    ++low_;
  }
}

void Campaign::SkipDone() {
  while (next_ < low_ || done_above_.count(next_)) next_ = std::max(next_ + 1, low_);
}

// What makes a campaign: a state is resumed only with these the same.
json Campaign::Identity() const {
  json id = {{"seed", o_.seed}, {"engines", o_.engines}, {"generators", o_.generators},
             {"seed_faults", o_.faults_text}, {"first_case", o_.first_case}, {"simd", o_.simd},
             {"denan", o_.denan}, {"block_params", o_.block_params}, {"binaryen", o_.binaryen},
             {"validation", o_.validation}, {"fuel", o_.config.fuel},
             {"max_call_depth", o_.config.max_call_depth},
             {"max_memory_pages", o_.config.max_memory_pages}};
  // Only when set, so that the states of campaigns from before --verify still resume.
  if (o_.verify) id["verify"] = true;
  return id;
}

json Campaign::StateJson(bool finished) const {
  json s;
  s["format"] = "tandem fuzz state";
  s["version"] = 1;
  try {
    s["args"] = json::parse(o_.campaign_args);
  } catch (const std::exception&) {
    s["args"] = json::object();
  }
  s["campaign"] = Identity();
  s["finished"] = finished;
  s["elapsed_seconds"] = Elapsed();
  s["runs"] = runs_;
  s["low"] = low_;
  s["done_above"] = done_above_;
  s["done"] = done_;
  s["stores_created"] = stores_created_;
  s["calls"] = calls_;
  s["returned"] = returned_;
  s["ref_instructions"] = ref_instructions_;
  s["ref_counted_cases"] = ref_counted_cases_;
  s["traps"] = traps_;
  s["exhausted"] = exhausted_;
  json sizes = json::array();
  for (const auto& [size, n] : code_sizes_) sizes.push_back({size, n});
  s["code_sizes"] = sizes;
  s["per_generator"] = per_generator_;
  s["invalid_per_generator"] = invalid_per_generator_;
  s["verdicts"] = verdicts_;
  s["unsupported"] = unsupported_;
  s["allowed"] = allowed_;
  s["validation"] = validation_;
  s["validation_allowed"] = validation_allowed_;
  s["validation_agree"] = validation_agree_;
  s["invalid_reasons"] = invalid_reasons_;
  s["verify"] = VerifyJson();
  s["findings"] = findings_;
  s["findings_total"] = findings_total_;
  s["first_finding_seconds"] = first_finding_seconds_;
  json groups = json::object();
  for (const auto& [sig, g] : signatures_) {
    json written = json::array();
    for (const auto& [index, id] : g.written) written.push_back({index, id});
    groups[sig] = {{"count", g.count}, {"written", written}, {"first_summary", g.first_summary}};
  }
  s["signatures"] = groups;
  json cov = json::object();
  for (const auto& [e, bits] : coverage_) cov[e] = Hex(bits);
  s["coverage"] = cov;
  return s;
}

// DIR/state.json every 2 s (or 8 MiB of journal) and at the end; then the journal, whose
// lines the state now holds, is emptied. (A kill between the two leaves lines of cases the
// state counts as done: the replay skips them.)
bool Campaign::Checkpoint(bool finished) {
  if (o_.out_dir.empty()) return true;
  last_checkpoint_ = MonotonicSeconds();
  std::string error;
  if (!WriteFileAtomic(fs::path(o_.out_dir) / "state.json", StateJson(finished).dump() + "\n", &error)) {
    fatal_message_ = error;
    fatal_ = true;
    return false;
  }
  if (journal_fd_ >= 0 && journal_bytes_ > 0) {
    if (ftruncate(journal_fd_, 0) != 0) {
      fatal_message_ = std::string("cannot empty the journal: ") + std::strerror(errno);
      fatal_ = true;
      return false;
    }
    journal_bytes_ = 0;
  }
  return true;
}

// What workers sent (and what the parent made of a worker that died), appended before it is
// handled.
bool Campaign::Journal(const std::string& lines) {
  if (journal_fd_ < 0 || lines.empty()) return true;
  if (!WriteAll(journal_fd_, lines)) {
    fatal_message_ = std::string("cannot append to the journal: ") + std::strerror(errno);
    fatal_ = true;
    return false;
  }
  journal_bytes_ += lines.size();
  return true;
}

// The journal's whole lines, handled as they were the first time; those of cases the state
// already counts are skipped (and a last line cut short by the kill is dropped: its case runs
// again).
bool Campaign::ReplayJournal(std::string* error) {
  const fs::path path = fs::path(o_.out_dir) / "journal";
  std::ifstream f(path, std::ios::binary);
  if (!f) return true;
  std::string text((std::istreambuf_iterator<char>(f)), {});
  Worker none;
  uint64_t replayed = 0;
  size_t at = 0, nl;
  try {
    while ((nl = text.find('\n', at)) != std::string::npos) {
      std::string line = text.substr(at, nl - at);
      at = nl + 1;
      if (line.rfind("result ", 0) == 0 || line.rfind("invalid ", 0) == 0) {
        const size_t start = line.find(' ') + 1;
        const uint64_t index = std::stoull(line.substr(start, line.find(' ', start) - start));
        if (IsDone(index)) continue;
        ++replayed;
      }
      Handle(none, line);
      if (fatal_) {
        *error = fatal_message_;
        return false;
      }
    }
  } catch (const std::exception& e) {
    *error = "unreadable journal " + path.string() + ": " + e.what();
    return false;
  }
  if (!o_.quiet && replayed)
    std::cerr << "resume: " << replayed << " cases from the journal\n";
  return true;
}

bool Campaign::LoadState(const json& s, std::string* error) {
  try {
    if (s.value("format", "") != "tandem fuzz state" || s.value("version", 0) != 1) {
      *error = "not a tandem fuzz state (format version 1)";
      return false;
    }
    if (s["campaign"] != Identity()) {
      *error = "it holds another campaign: " + s["campaign"].dump() + "; these options make " +
               Identity().dump();
      return false;
    }
    elapsed_before_ = s["elapsed_seconds"].get<double>();
    runs_ = s["runs"].get<uint64_t>() + 1;
    low_ = s["low"].get<uint64_t>();
    done_above_ = s["done_above"].get<std::set<uint64_t>>();
    done_ = s["done"].get<uint64_t>();
    stores_created_ = s["stores_created"].get<uint64_t>();
    calls_ = s["calls"].get<uint64_t>();
    returned_ = s["returned"].get<uint64_t>();
    ref_instructions_ = s["ref_instructions"].get<uint64_t>();
    ref_counted_cases_ = s["ref_counted_cases"].get<uint64_t>();
    s["traps"].get_to(traps_);
    s["exhausted"].get_to(exhausted_);
    for (const json& p : s["code_sizes"]) code_sizes_[p[0].get<uint32_t>()] = p[1].get<uint64_t>();
    s["per_generator"].get_to(per_generator_);
    s["invalid_per_generator"].get_to(invalid_per_generator_);
    s["verdicts"].get_to(verdicts_);
    s["unsupported"].get_to(unsupported_);
    s["allowed"].get_to(allowed_);
    s["validation"].get_to(validation_);
    s["validation_allowed"].get_to(validation_allowed_);
    validation_agree_ = s["validation_agree"].get<uint64_t>();
    s["invalid_reasons"].get_to(invalid_reasons_);
    if (s.contains("verify"))  // absent from the states of campaigns before --verify
      for (const auto& [engine, n] : s["verify"].items()) {
        VerifyTotals& t = verify_[engine];
        t.functions = n["functions"].get<uint64_t>();
        t.accesses = n["accesses"].get<uint64_t>();
        t.proved = n["proved"].get<uint64_t>();
        t.failed = n["failed"].get<uint64_t>();
        t.unknown = n["unknown"].get<uint64_t>();
        t.cached = n["cached"].get<uint64_t>();
        t.seconds = n["seconds"].get<double>();
      }
    findings_ = s["findings"].get<std::vector<json>>();
    findings_total_ = s["findings_total"].get<uint64_t>();
    first_finding_seconds_ = s["first_finding_seconds"].get<double>();
    for (const auto& [sig, g] : s["signatures"].items()) {
      SignatureGroup& group = signatures_[sig];
      group.count = g["count"].get<uint64_t>();
      for (const json& w : g["written"]) group.written[w[0].get<uint64_t>()] = w[1].get<std::string>();
      group.first_summary = g["first_summary"].get<std::string>();
    }
    for (const auto& [e, hex] : s["coverage"].items()) {
      auto it = coverage_.find(e);
      if (it != coverage_.end()) OrHex(hex.get<std::string>(), it->second);
    }
  } catch (const std::exception& e) {
    *error = std::string("unreadable: ") + e.what();
    return false;
  }
  return true;
}

// On resume: the findings folder holds exactly the findings the state names. A folder it does
// not name was written (or was to be replaced) after the last checkpoint; its case runs again.
void Campaign::ReconcileFindings() {
  std::set<std::string> ids;
  for (const json& f : findings_) ids.insert(f.value("id", ""));
  const fs::path root = fs::path(o_.out_dir) / "findings";
  std::error_code ec;
  std::vector<fs::path> stale;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    const std::string name = e.path().filename().string();
    if (name == "signatures.json") continue;
    if (!ids.count(name)) stale.push_back(e.path());
  }
  for (const fs::path& p : stale) {
    if (!o_.quiet && p.filename().string()[0] != '.')
      std::cerr << "resume: " << p.filename().string()
                << " was written after the last checkpoint; removed, its case runs again\n";
    fs::remove_all(p, ec);
  }
  for (const std::string& id : ids)
    if (!fs::exists(root / id, ec))
      std::cerr << "resume: warning: finding " << id << " named by the state is missing\n";
  WriteSignatures();
}

int Campaign::Run() {
  if (!o_.out_dir.empty()) {
    const fs::path dir(o_.out_dir);
    std::error_code ec;
    fs::create_directories(dir / "findings", ec);
    if (ec) {
      std::cerr << "tandem fuzz: cannot create " << (dir / "findings").string() << ": "
                << ec.message() << "\n";
      return 2;
    }
    // One campaign per folder at a time.
    lock_fd_ = open((dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0 || flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      std::cerr << "tandem fuzz: " << dir.string()
                << (lock_fd_ < 0 ? ": cannot open its lock file: " + std::string(std::strerror(errno))
                                 : " is in use by another tandem fuzz")
                << "\n";
      return 2;
    }
    const fs::path state_path = dir / "state.json";
    const bool has_state = fs::exists(state_path, ec);
    if (!o_.resume && has_state) {
      std::cerr << "tandem fuzz: " << dir.string() << " already holds a campaign (state.json): "
                << "continue it with tandem fuzz --resume " << dir.string()
                << ", or give another --out\n";
      return 2;
    }
    if (o_.resume) {
      if (!has_state) {
        std::cerr << "tandem fuzz: " << dir.string() << " holds no campaign to resume (no state.json)\n";
        return 2;
      }
      std::ifstream f(state_path);
      json state = json::parse(f, nullptr, false);
      std::string error = state.is_discarded() ? "unreadable JSON" : "";
      if (error.empty()) LoadState(state, &error);
      if (!error.empty()) {
        std::cerr << "tandem fuzz: cannot resume " << state_path.string() << ": " << error << "\n";
        return 2;
      }
      start_ = MonotonicSeconds();
      if (!ReplayJournal(&error)) {
        std::cerr << "tandem fuzz: cannot resume " << dir.string() << ": " << error << "\n";
        return 2;
      }
      ReconcileFindings();
      if (!o_.quiet)
        std::cerr << fmt::format("resume: {} cases done in {:.0f} s over {} run(s); {} findings, {} "
                                 "signatures; going on from case {}\n",
                                 done_, elapsed_before_, runs_ - 1, findings_total_,
                                 signatures_.size(), low_);
    }
  } else if (o_.resume) {
    std::cerr << "tandem fuzz: resuming needs the campaign's folder (--out)\n";
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  g_interrupted = 0;
  struct sigaction interrupt = {}, old_int = {}, old_term = {};
  interrupt.sa_handler = OnInterrupt;
  interrupt.sa_flags = SA_RESETHAND;  // a second one ends the process
  sigaction(SIGINT, &interrupt, &old_int);
  sigaction(SIGTERM, &interrupt, &old_term);
  const int rc = Loop();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  return rc;
}

int Campaign::Loop() {
  start_ = last_progress_ = last_checkpoint_ = MonotonicSeconds();
  if (!o_.resume) low_ = o_.first_case;
  next_ = low_;
  SkipDone();
  if (!Checkpoint()) {
    std::cerr << "tandem fuzz: " << fatal_message_ << "\n";
    return 2;
  }
  if (!o_.out_dir.empty()) {
    const fs::path journal = fs::path(o_.out_dir) / "journal";
    journal_fd_ = open(journal.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (journal_fd_ < 0) {
      std::cerr << "tandem fuzz: cannot write " << journal.string() << ": " << std::strerror(errno) << "\n";
      return 2;
    }
  }
  workers_.resize(std::max(1, o_.jobs));
  for (Worker& w : workers_)
    if (!Spawn(w)) {
      std::cerr << "tandem fuzz: cannot start a worker process: " << std::strerror(errno) << "\n";
      return 2;
    }
  const uint64_t end = o_.cases ? o_.first_case + o_.cases : UINT64_MAX;
  bool ended = false;  // the campaign reached its end (cases, time or findings), not interrupted
  for (;;) {
    bool time_up = o_.time_seconds > 0 && Elapsed() >= o_.time_seconds;
    bool limit = time_up || next_ >= end || (o_.max_findings && findings_.size() >= o_.max_findings);
    bool stop = limit || fatal_ || g_interrupted;
    for (Worker& w : workers_) {
      if (w.busy || stop) continue;
      w.busy = true;
      w.index = next_++;
      SkipDone();
      w.started = MonotonicSeconds();
      w.step_page[0] = 0;
      if (!WriteAll(w.to, fmt::format("case {}\n", w.index))) w.started = 0;  // seen as dead below
      stop = next_ >= end;
    }
    bool any_busy = false;
    for (const Worker& w : workers_) any_busy |= w.busy;
    if (!any_busy && (stop || fatal_ || g_interrupted)) {
      ended = limit && !fatal_ && !g_interrupted;
      break;
    }

    std::vector<pollfd> fds;
    for (const Worker& w : workers_) fds.push_back({w.from, POLLIN, 0});
    int pr = poll(fds.data(), fds.size(), 100);
    if (pr < 0 && errno != EINTR) break;
    for (size_t k = 0; k < workers_.size(); ++k) {
      Worker& w = workers_[k];
      bool dead = false;
      if (pr > 0 && (fds[k].revents & (POLLIN | POLLHUP | POLLERR))) {
        char chunk[65536];
        ssize_t n = read(w.from, chunk, sizeof chunk);
        if (n > 0) {
          w.buf.append(chunk, static_cast<size_t>(n));
          const size_t whole = w.buf.rfind('\n');
          if (whole != std::string::npos) Journal(w.buf.substr(0, whole + 1));
          size_t nl;
          while ((nl = w.buf.find('\n')) != std::string::npos) {
            std::string line = w.buf.substr(0, nl);
            w.buf.erase(0, nl + 1);
            Handle(w, line);
          }
        } else if (n == 0 || errno != EINTR) {
          dead = true;
        }
      }
      bool timed_out = w.busy && w.started > 0 && MonotonicSeconds() - w.started > o_.timeout_seconds;
      if (w.busy && w.started == 0) dead = true;
      if (!dead && !timed_out) continue;
      if (timed_out && !dead) kill(w.pid, SIGKILL);
      int status = 0;
      if (w.pid > 0)
        while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
        }
      w.pid = -1;
      if (w.busy) {
        const json r = ToJson(UnfinishedCase(timed_out, status, o_.timeout_seconds,
                                             std::string(w.step_page, strnlen(w.step_page, kStepPageSize)),
                                             "the worker process"));
        Journal(fmt::format("result {} {}\n", w.index, r.dump()));
        Record(w.index, r);
      }
      Retire(w);
      if (!Spawn(w)) {
        fatal_ = true;
        fatal_message_ = std::string("cannot start a worker process: ") + std::strerror(errno);
      }
    }
    Progress(false);
    if (!fatal_ && (journal_bytes_ > (8u << 20) ||
                    (journal_bytes_ > 0 && MonotonicSeconds() - last_checkpoint_ >= 2.0)))
      Checkpoint();
  }
  for (Worker& w : workers_) {
    Retire(w);
    if (w.step_page) munmap(w.step_page, kStepPageSize);
    w.step_page = nullptr;
  }
  if (!fatal_ && !Checkpoint(ended)) std::cerr << "tandem fuzz: " << fatal_message_ << "\n";
  if (g_interrupted)
    std::cerr << "tandem fuzz: interrupted after case " << low_ << (o_.out_dir.empty() ? "" :
                 "; continue with tandem fuzz --resume " + o_.out_dir) << "\n";
  Progress(true);
  json summary = Summary();
  if (!o_.json_path.empty()) {
    std::ofstream f(o_.json_path);
    f << summary.dump(1) << "\n";
    if (!f) {
      std::cerr << "tandem fuzz: cannot write " << o_.json_path << "\n";
      fatal_ = true;
    }
  }
  std::cout << fmt::format("cases: {} in {:.1f} s ({:.0f}/s), next case {}\n", done_,
                           summary["seconds"].get<double>(),
                           summary["cases_per_second"].get<double>(), low_);
  for (const auto& [g, n] : per_generator_) {
    auto it = invalid_per_generator_.find(g);
    std::cout << fmt::format("  {}: {} cases, {} invalid\n", g, n,
                             it == invalid_per_generator_.end() ? 0 : it->second);
  }
  if (!o_.validation) {
    const json& q = summary["quality"];
    uint64_t trapped = 0, exhausted = 0;
    std::string kinds;
    for (const auto& [k, n] : traps_) {
      trapped += n;
      kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", k, n);
    }
    for (const auto& [k, n] : exhausted_) exhausted += n;
    std::cout << fmt::format(
        "calls on {} (without hangLimitInitializer): {}, returned {} ({:.1f}%), trapped {}{}, "
        "exhausted {}; median code section {} bytes\n",
        q["engine"].get<std::string>(), calls_, returned_, 100.0 * q["returned_share"].get<double>(),
        trapped, kinds.empty() ? "" : " (" + kinds + ")", exhausted,
        q["code_section_bytes_median"].get<uint64_t>());
    if (q.contains("ref_instructions_per_case"))
      std::cout << fmt::format("instructions executed on ref: {} ({:.0f} per case)\n",
                               q["ref_instructions"].get<uint64_t>(),
                               q["ref_instructions_per_case"].get<double>());
  }
  if (!o_.validation)
    std::cout << fmt::format("stores: {} created, {}\n", stores_created_,
                           o_.fresh_stores ? "one per engine and case (--fresh-stores)"
                                           : "each reset to its template between cases");
  for (const auto& [e, reasons] : unsupported_)
    for (const auto& [why, n] : reasons) std::cout << fmt::format("unsupported on {}: {} x {}\n", e, n, why);
  if (o_.validation) {
    std::string fes;
    for (const auto& [fe, counts] : validation_)
      fes += fmt::format("{}{}: {} accepted, {} refused", fes.empty() ? "" : "; ", fe,
                         counts.count("accepted") ? counts.at("accepted") : 0,
                         counts.count("refused") ? counts.at("refused") : 0);
    std::cout << fmt::format("validation: {} modules, all front ends agree on {}; {}\n", done_,
                             validation_agree_, fes);
    for (const auto& [why, n] : validation_allowed_)
      std::cout << fmt::format("  allowed disagreements: {} x {}\n", n, why);
  }
  for (const auto& [e, reasons] : allowed_)
    for (const auto& [why, n] : reasons)
      std::cout << fmt::format("allowed differences on {} (comparison stopped): {} x {}\n", e, n, why);
  for (const auto& [e, info] : summary["coverage"].items()) {
    std::cout << fmt::format("coverage {} ({}): {}/{} opcodes", e, info["what"].get<std::string>(),
                             info["covered"].get<size_t>(), info["total"].get<size_t>());
    if (!info["missing"].empty() && info["missing"].size() <= 40) {
      std::cout << "; missing:";
      for (const auto& m : info["missing"]) std::cout << " " << m.get<std::string>();
    }
    std::cout << "\n";
  }
  for (const auto& [e, t] : verify_)
    std::cout << fmt::format("verified on {}: {} functions, {} accesses: {} proved, {} failed, {} "
                             "unknown ({} proofs from the cache; {:.1f} s)\n",
                             e, t.functions, t.accesses, t.proved, t.failed, t.unknown, t.cached,
                             t.seconds);
  std::cout << fmt::format("findings: {}", findings_total_);
  for (const char* v : {"divergence", "expectation", "crash", "timeout", "internal error", "verify"})
    if (auto it = verdicts_.find(v); it != verdicts_.end()) std::cout << fmt::format(", {} {}", v, it->second);
  std::cout << (o_.out_dir.empty() || findings_.empty() ? "" : " (in " + (fs::path(o_.out_dir) / "findings").string() + ")") << "\n";
  if (!signatures_.empty()) {
    std::cout << fmt::format("signatures: {} ({} findings written, at most {} per signature)\n",
                             signatures_.size(), findings_.size(), kExamples);
    for (const json& g : SignaturesJson())
      std::cout << fmt::format("  {:>6}  {}  e.g. {}\n", g["count"].get<uint64_t>(),
                               g["signature"].get<std::string>(),
                               g["findings"].empty() ? "" : g["findings"][0].get<std::string>());
  }
  if (fatal_) {
    std::cerr << "tandem fuzz: stopped: " << fatal_message_ << "\n";
    return 2;
  }
  return findings_.empty() ? 0 : 1;
}

}  // namespace

int RunFuzz(const FuzzOptions& options) {
  if (options.engines.empty() || options.generators.empty()) {
    std::cerr << "tandem fuzz: no engines or no generators\n";
    return 2;
  }
  if (options.cases == 0 && options.time_seconds <= 0) {
    std::cerr << "tandem fuzz: give --time S or --cases N\n";
    return 2;
  }
  try {
    Campaign c(options);
    return c.Run();
  } catch (const std::invalid_argument& e) {
    std::cerr << "tandem fuzz: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace tandem::diff
