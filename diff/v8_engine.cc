// v8_engine.cc: V8 through a node worker process (v8_engine.h; the worker is diff/v8/worker.js,
// compiled into tandem as kV8WorkerJs).
#include "diff/v8_engine.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "diff/gen/builder.h"
#include "diff/process.h"
#include "diff/v8_worker_js.h"
#include "reference/encoder.h"
#include "reference/limits.h"

extern char** environ;

namespace tandem::diff {

namespace {

using nlohmann::json;
using wasm::Op;
using wasm::ValType;
using wasm::Value;

// Seconds a request may take before the node process is taken for hung.
constexpr int kPeerTimeoutSeconds = 10;
// A funcref from V8 names its function's index only: bits = marker | index.
constexpr uint64_t kV8FuncMarker = uint64_t{1} << 40;
// A host function (spectest, fuzzing-support) from V8: bits = marker | its host index, numbered
// as tandem's stores number them (StoreEngine: the spectest functions in SpectestExports order,
// then log-i32 ... log-v128).
constexpr uint64_t kV8HostMarker = uint64_t{2} << 40;
// An externref that is none of ours (the worker answers "other").
constexpr uint64_t kForeignExtern = ~uint64_t{0} - 1;

std::string Hex(const uint8_t* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string s(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = kDigits[p[i] >> 4];
    s[2 * i + 1] = kDigits[p[i] & 15];
  }
  return s;
}
std::string Hex(const std::vector<uint8_t>& b) { return Hex(b.data(), b.size()); }

bool Unhex(std::string_view hex, uint8_t* out, size_t n) {
  if (hex.size() != 2 * n) return false;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < n; ++i) {
    int hi = digit(hex[2 * i]), lo = digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

Op LoadOp(ValType t) {
  switch (t) {
    case ValType::I32: return Op::I32Load;
    case ValType::I64: return Op::I64Load;
    case ValType::F32: return Op::F32Load;
    case ValType::F64: return Op::F64Load;
    default: return Op::V128Load;
  }
}
Op StoreOp(ValType t) {
  switch (t) {
    case ValType::I32: return Op::I32Store;
    case ValType::I64: return Op::I64Store;
    case ValType::F32: return Op::F32Store;
    case ValType::F64: return Op::F64Store;
    default: return Op::V128Store;
  }
}
size_t ByteSize(ValType t) {
  switch (t) {
    case ValType::I32: case ValType::F32: return 4;
    case ValType::I64: case ValType::F64: return 8;
    default: return 16;
  }
}

// The tables a helper keeps reference results in: "rx" (externref) and "rf" (funcref), made
// when needed; `refs` lists [table, slot] per reference result, in order.
struct RefSlots {
  uint32_t nx = 0, nf = 0;
  uint32_t rx = 0, rf = 0;  // table indices
  json refs = json::array();
  void Count(const std::vector<ValType>& types) {
    for (ValType t : types) {
      if (t == ValType::ExternRef) refs.push_back({"externref", nx++});
      if (t == ValType::FuncRef) refs.push_back({"funcref", nf++});
    }
  }
  void Make(gen::ModuleBuilder& b) {
    if (nx) {
      rx = b.Table(ValType::ExternRef, nx, nx);
      b.Export("rx", wasm::ExternKind::Table, rx);
    }
    if (nf) {
      rf = b.Table(ValType::FuncRef, nf, nf);
      b.Export("rf", wasm::ExternKind::Table, rf);
    }
  }
};

// Stores the value on the operand stack's top (of `t`, produced by `push`) as result k.
void StoreResult(gen::Code& c, ValType t, uint32_t k, uint32_t& xs, uint32_t& fs,
                 const RefSlots& slots, const std::function<void(gen::Code&)>& push) {
  if (t == ValType::ExternRef || t == ValType::FuncRef) {
    c.I32(t == ValType::ExternRef ? xs++ : fs++);
    push(c);
    c.Add(Op::TableSet, t == ValType::ExternRef ? slots.rx : slots.rf);
  } else {
    c.I32(16 * k);
    push(c);
    c.Memory(StoreOp(t), 0);
  }
}

// The caller of functions of type `t`: run(reference params) loads the numeric arguments from
// its memory (16 bytes each, by position), calls table "t" "table" entry 0 through
// call_indirect (which checks the type), and stores the results by position.
std::vector<uint8_t> CallerModule(const wasm::FuncType& t) {
  gen::ModuleBuilder b;
  b.ImportTable("t", "table", wasm::TableType{ValType::FuncRef, wasm::Limits{1, std::nullopt}});
  const uint32_t type = b.Type(t);
  const uint64_t bytes = 16 * std::max(t.params.size(), t.results.size());
  b.Memory(std::max<uint64_t>(1, (bytes + wasm::kPageSize - 1) / wasm::kPageSize), std::nullopt);
  b.Export("mem", wasm::ExternKind::Memory, 0);
  RefSlots slots;
  slots.Count(t.results);
  slots.Make(b);
  wasm::FuncType run;
  for (ValType p : t.params)
    if (wasm::IsRefType(p)) run.params.push_back(p);
  gen::Code c;
  uint32_t ref_param = 0;
  for (size_t k = 0; k < t.params.size(); ++k) {
    if (wasm::IsRefType(t.params[k])) {
      c.LocalGet(ref_param++);
    } else {
      c.I32(static_cast<uint32_t>(16 * k));
      c.Memory(LoadOp(t.params[k]), 0);
    }
  }
  c.I32(0);
  c.Add(Op::CallIndirect, type, 0);
  const uint32_t base = static_cast<uint32_t>(run.params.size());
  for (size_t k = t.results.size(); k-- > 0;) c.LocalSet(base + static_cast<uint32_t>(k));
  uint32_t xs = 0, fs = 0;
  for (size_t k = 0; k < t.results.size(); ++k)
    StoreResult(c, t.results[k], static_cast<uint32_t>(k), xs, fs, slots,
                [&](gen::Code& code) { code.LocalGet(base + static_cast<uint32_t>(k)); });
  b.ExportFunction("run", b.Function(run, t.results, std::move(c)));
  return b.Build();
}

// The reader of globals of `types` (imported as "t" "g0", "g1", ...): run() stores each value
// by position.
std::vector<uint8_t> ReaderModule(const std::vector<wasm::GlobalType>& types) {
  gen::ModuleBuilder b;
  std::vector<ValType> values;
  for (size_t k = 0; k < types.size(); ++k) {
    b.ImportGlobal("t", fmt::format("g{}", k), types[k]);
    values.push_back(types[k].type);
  }
  const uint64_t bytes = 16 * types.size();
  b.Memory(std::max<uint64_t>(1, (bytes + wasm::kPageSize - 1) / wasm::kPageSize), std::nullopt);
  b.Export("mem", wasm::ExternKind::Memory, 0);
  RefSlots slots;
  slots.Count(values);
  slots.Make(b);
  gen::Code c;
  uint32_t xs = 0, fs = 0;
  for (size_t k = 0; k < types.size(); ++k)
    StoreResult(c, values[k], static_cast<uint32_t>(k), xs, fs, slots,
                [&](gen::Code& code) { code.Add(Op::GlobalGet, static_cast<uint32_t>(k)); });
  b.ExportFunction("run", b.Function(wasm::FuncType{}, {}, std::move(c)));
  return b.Build();
}

constexpr std::pair<const char*, ValType> kLogs[] = {
    {"log-i32", ValType::I32}, {"log-i64", ValType::I64}, {"log-f32", ValType::F32},
    {"log-f64", ValType::F64}, {"log-v128", ValType::V128}};

// The logger behind the fuzzing-support imports: each log-T(value) appends a 32-byte record
// (the import's number at 0, the value's bytes at 16) to its memory; cursor() is the bytes
// used, clear() forgets them.
std::vector<uint8_t> LoggerModule() {
  gen::ModuleBuilder b;
  b.Memory(16, std::nullopt);
  b.Export("memory", wasm::ExternKind::Memory, 0);
  const uint32_t cursor = b.Global(ValType::I32, true, gen::ConstInstr(Value::I32(0)));
  gen::Code slot;  // (tag) -> address; grows the memory when the next record would not fit
  slot.Add(Op::GlobalGet, cursor).Add(Op::LocalTee, 1);
  slot.I32(32).Add(Op::I32Add).Add(Op::MemorySize, 0).I32(16).Add(Op::I32Shl).Add(Op::I32GtU);
  slot.Block(Op::If, gen::BlockEmpty()).I32(16).Add(Op::MemoryGrow, 0).Add(Op::Drop).End();
  slot.LocalGet(1).LocalGet(0).Memory(Op::I32Store, 0);
  slot.Add(Op::GlobalGet, cursor).I32(32).Add(Op::I32Add).Add(Op::GlobalSet, cursor);
  slot.LocalGet(1);
  const uint32_t slot_fn =
      b.Function(wasm::FuncType{{ValType::I32}, {ValType::I32}}, {ValType::I32}, std::move(slot));
  for (uint32_t tag = 0; tag < std::size(kLogs); ++tag) {
    gen::Code c;
    c.I32(tag).Add(Op::Call, slot_fn).LocalGet(0).Memory(StoreOp(kLogs[tag].second), 16);
    b.ExportFunction(kLogs[tag].first, b.Function(wasm::FuncType{{kLogs[tag].second}, {}}, {}, std::move(c)));
  }
  gen::Code get;
  get.Add(Op::GlobalGet, cursor);
  b.ExportFunction("cursor", b.Function(wasm::FuncType{{}, {ValType::I32}}, {}, std::move(get)));
  gen::Code clear;
  clear.I32(0).Add(Op::GlobalSet, cursor);
  b.ExportFunction("clear", b.Function(wasm::FuncType{}, {}, std::move(clear)));
  return b.Build();
}

// The spectest host module (wasm::SpectestExports) as a wasm module: print functions with empty
// bodies, the table, memory and globals with their exact values.
std::vector<uint8_t> SpectestModule() {
  gen::ModuleBuilder b;
  for (const wasm::SpectestExport& e : wasm::SpectestExports()) {
    uint32_t index = 0;
    switch (e.kind) {
      case wasm::ExternKind::Func: index = b.Function(e.func, {}, gen::Code{}); break;
      case wasm::ExternKind::Table:
        index = b.Table(e.table.elem, e.table.limits.min, e.table.limits.max);
        break;
      case wasm::ExternKind::Memory:
        index = b.Memory(e.memory.limits.min, e.memory.limits.max);
        break;
      case wasm::ExternKind::Global:
        index = b.Global(e.global.type, e.global.mut, gen::ConstInstr(e.value));
        break;
    }
    b.Export(e.name, e.kind, index);
  }
  return b.Build();
}

// V8's trap messages (its message templates WasmTrap*) as tandem's kinds; the two coarse kinds
// stand for the pairs V8 does not tell apart.
std::optional<wasm::TrapKind> TrapFromV8(std::string_view m) {
  using wasm::TrapKind;
  static constexpr std::pair<std::string_view, TrapKind> kMap[] = {
      {"unreachable", TrapKind::Unreachable},
      {"memory access out of bounds", TrapKind::MemoryOutOfBounds},
      {"data segment out of bounds", TrapKind::MemoryOutOfBounds},
      {"data segment is out of bounds", TrapKind::MemoryOutOfBounds},
      {"divide by zero", TrapKind::IntegerDivideByZero},
      {"remainder by zero", TrapKind::IntegerDivideByZero},
      {"divide result unrepresentable", TrapKind::IntegerOverflow},
      {"float unrepresentable in integer range", TrapKind::FloatUnrepresentable},
      {"table index is out of bounds", TrapKind::TableIndexOutOfBounds},
      {"element segment out of bounds", TrapKind::TableOutOfBounds},
      {"null function or function signature mismatch", TrapKind::NullOrSignatureMismatch},
      {"dereferencing a null pointer", TrapKind::NullFunctionReference},
  };
  // Traps during instantiation name the API function first.
  for (std::string_view prefix : {"WebAssembly.Instance(): ", "WebAssembly.instantiate(): "})
    if (m.rfind(prefix, 0) == 0) m.remove_prefix(prefix.size());
  for (const auto& [text, kind] : kMap)
    if (m == text) return kind;
  return std::nullopt;
}

uint32_t HostIndex(const std::string& module, const std::string& name) {
  uint32_t n = 0;
  for (const wasm::SpectestExport& e : wasm::SpectestExports()) {
    if (e.kind != wasm::ExternKind::Func) continue;
    if (module == "spectest" && e.name == name) return n;
    ++n;
  }
  for (const auto& [log, type] : kLogs) {
    if (module == kFuzzingSupport && name == log) return n;
    ++n;
  }
  return 0xffffffu;
}

std::string TypeKey(const wasm::FuncType& t) {
  std::string k;
  for (ValType p : t.params) k += wasm::ValTypeName(p) + std::string(" ");
  k += "->";
  for (ValType r : t.results) k += std::string(" ") + wasm::ValTypeName(r);
  return k;
}

}  // namespace

std::vector<std::string> V8EngineNames() { return {"v8-liftoff", "v8-turbofan"}; }

bool IsV8Engine(std::string_view name) { return name == "v8-liftoff" || name == "v8-turbofan"; }

std::string FindNode() {
  if (const char* env = getenv("TANDEM_NODE"); env && *env) return FindInPath(env);
  return FindInPath("node");
}

std::string V8Unavailable() {
  if (FindNode().empty())
    return "node (Node.js, which carries V8) was not found in PATH or $TANDEM_NODE; install "
           "Debian's nodejs or Node 20";
  return "";
}

V8Engine::V8Engine(std::string tier, const EngineConfig& config)
    : tier_(std::move(tier)), name_(fmt::format("v8-{}", tier_)), config_(config) {
  if (tier_ != "liftoff" && tier_ != "turbofan")
    throw std::invalid_argument("V8 tier must be liftoff or turbofan, not " + tier_);
  Start();
}

V8Engine::~V8Engine() { Stop(); }

void V8Engine::Start() {
  std::string node = FindNode();
  if (node.empty()) throw std::runtime_error(V8Unavailable());
  signal(SIGPIPE, SIG_IGN);  // a dead node must not take tandem with it: writes fail with EPIPE
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    throw std::runtime_error("pipe failed");
  }
  FILE* err = tmpfile();  // node's stderr, read when it dies
  // Wasm 2.0 only: tail calls, on by default in V8 11.3, off (exception handling has no flag).
  std::vector<std::string> args = {node, "--allow-natives-syntax", "--no-wasm-lazy-compilation",
                                   "--no-wasm-tier-up", "--no-wasm-dynamic-tiering",
                                   "--no-experimental-wasm-return-call"};
  if (tier_ == "liftoff") {
    args.push_back("--liftoff");
    args.push_back("--liftoff-only");
  } else {
    args.push_back("--no-liftoff");
  }
  args.push_back("-e");
  args.push_back(std::string(kV8WorkerJs));
  args.push_back(tier_);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  if (err) posix_spawn_file_actions_adddup2(&fa, fileno(err), 2);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, node.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    if (err) fclose(err);
    throw std::runtime_error(fmt::format("cannot start {}: {}", node, std::strerror(rc)));
  }
  pid_ = pid;
  to_ = in[1];
  from_ = out[0];
  if (err) {
    err_fd_ = dup(fileno(err));
    fcntl(err_fd_, F_SETFD, FD_CLOEXEC);
    fclose(err);
  }
  buf_.clear();
  json a = Request({{"op", "init"}, {"spectest", Hex(SpectestModule())}, {"logger", Hex(LoggerModule())}});
  if (a.value("status", "") != "ok")
    throw std::runtime_error("the V8 worker did not start: " + a.value("message", a.dump()));
  version_ = fmt::format("V8 {}, node {}", a.value("v8", "?"), a.value("node", "?"));
}

void V8Engine::Stop() {
  if (to_ >= 0) close(to_);
  if (from_ >= 0) close(from_);
  if (err_fd_ >= 0) close(err_fd_);
  to_ = from_ = err_fd_ = -1;
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
  instances_.clear();
}

json V8Engine::Request(const json& q) {
  auto failure = [&](std::string why) {
    if (err_fd_ >= 0) {  // the end of what node wrote to stderr
      char tail[600];
      off_t size = lseek(err_fd_, 0, SEEK_END);
      off_t from = size > static_cast<off_t>(sizeof tail) ? size - static_cast<off_t>(sizeof tail) : 0;
      ssize_t n = pread(err_fd_, tail, sizeof tail, from);
      if (n > 0) {
        std::string t(tail, static_cast<size_t>(n));
        while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
        if (!t.empty()) why += "; node wrote: " + t.substr(t.find_last_of('\n') + 1);
      }
    }
    Stop();
    return json{{"status", "peer failure"}, {"message", why}};
  };
  if (pid_ < 0) return json{{"status", "peer failure"}, {"message", "node is not running"}};
  if (!WriteAll(to_, q.dump() + "\n")) return failure("node closed its input");
  const double deadline = MonotonicSeconds() + kPeerTimeoutSeconds;
  size_t nl;
  while ((nl = buf_.find('\n')) == std::string::npos) {
    double left = deadline - MonotonicSeconds();
    if (left <= 0) return failure(fmt::format("no answer from node in {} s", kPeerTimeoutSeconds));
    pollfd p{from_, POLLIN, 0};
    int pr = poll(&p, 1, static_cast<int>(left * 1000) + 1);
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) continue;
    char chunk[65536];
    ssize_t n = read(from_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int status = 0;
      pid_t pid = pid_;
      pid_ = -1;
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      std::string how = WIFSIGNALED(status)
                            ? fmt::format("node died on signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)))
                            : fmt::format("node exited with status {}", WEXITSTATUS(status));
      return failure(how);
    }
    buf_.append(chunk, static_cast<size_t>(n));
  }
  std::string line = buf_.substr(0, nl);
  buf_.erase(0, nl + 1);
  json a = json::parse(line, nullptr, false);
  if (a.is_discarded() || !a.is_object()) return failure("unreadable answer from node: " + line.substr(0, 200));
  return a;
}

void V8Engine::KeepLog(const json& a) {
  if (!a.contains("log")) return;
  const std::string& hex = a["log"].get_ref<const std::string&>();
  std::vector<uint8_t> bytes(hex.size() / 2);
  if (!Unhex(hex, bytes.data(), bytes.size())) return;
  for (size_t at = 0; at + 32 <= bytes.size(); at += 32) {
    uint32_t tag;
    std::memcpy(&tag, &bytes[at], 4);
    if (tag >= std::size(kLogs)) continue;
    Value v = Value::Default(kLogs[tag].second);
    std::memcpy(&v.bits, &bytes[at + 16], ByteSize(v.type) >= 8 ? 8 : 4);
    if (v.type == ValType::V128) std::memcpy(&v.hi, &bytes[at + 24], 8);
    log_.push_back({kLogs[tag].first, v});
  }
}

wasm::Outcome V8Engine::Failure(const json& a) {
  const std::string status = a.value("status", "");
  const std::string message = a.value("message", "");
  if (status == "trap") {
    if (auto kind = TrapFromV8(message)) return wasm::Outcome::Trap(*kind);
    return wasm::Outcome::InternalError("unknown V8 trap message: " + message);
  }
  if (status == "exhausted") return wasm::Outcome::Exhausted(wasm::ExhaustionKind::kCallStack);
  if (status == "peer failure") return wasm::Outcome::Unsupported("peer failure: " + message);
  if (status == "unsupported") return wasm::Outcome::Unsupported(message);
  return wasm::Outcome::InternalError(fmt::format("V8 worker: {}: {}", status, message));
}

wasm::Outcome V8Engine::Values(const json& a, const std::vector<ValType>& types) {
  std::vector<uint8_t> bytes;
  if (a.contains("bytes")) {
    const std::string& hex = a["bytes"].get_ref<const std::string&>();
    bytes.resize(hex.size() / 2);
    if (!Unhex(hex, bytes.data(), bytes.size())) return wasm::Outcome::InternalError("V8 worker: bad bytes");
  }
  const json refs = a.value("refs", json::array());
  std::vector<Value> out;
  size_t r = 0;
  for (size_t k = 0; k < types.size(); ++k) {
    Value v = Value::Default(types[k]);
    if (wasm::IsRefType(types[k])) {
      if (r >= refs.size()) return wasm::Outcome::InternalError("V8 worker: missing reference result");
      const json& ref = refs[r++];
      if (ref.contains("func"))
        v.bits = kV8FuncMarker | ref["func"].get<uint32_t>();
      else if (ref.contains("host"))
        v.bits = kV8HostMarker | HostIndex(ref.value("host", ""), ref.value("name", ""));
      else if (ref.contains("extern"))
        v.bits = ref["extern"].get<uint64_t>();
      else if (!ref.contains("null"))
        v.bits = kForeignExtern;
    } else {
      if (bytes.size() < 16 * (k + 1)) return wasm::Outcome::InternalError("V8 worker: short results");
      std::memcpy(&v.bits, &bytes[16 * k], std::min<size_t>(8, ByteSize(types[k])));
      if (types[k] == ValType::V128) std::memcpy(&v.hi, &bytes[16 * k + 8], 8);
    }
    out.push_back(v);
  }
  return wasm::Outcome::Values(std::move(out));
}

InstantiateOutcome V8Engine::Instantiate(std::shared_ptr<const wasm::Module> module) {
  InstantiateOutcome out;
  if (pid_ < 0) {
    try {
      Start();
    } catch (const std::exception& e) {
      out.status = InstantiateOutcome::Status::kUnsupported;
      out.message = std::string("peer failure: ") + e.what();
      return out;
    }
  }
  // The store's memory limit (EngineConfig::max_memory_pages), which V8 does not have: a
  // memory that may grow beyond it gets it as its maximum, so memory.grow fails where it fails
  // on tandem's engines (the spec lets it fail for lack of resources).
  const std::vector<uint8_t>* bytes = &module->bytes;
  std::vector<uint8_t> clamped;
  if (config_.max_memory_pages < wasm::kMaxMemoryPages) {
    wasm::Module m = *module;
    bool changed = false;
    for (size_t i = m.num_imported_memories; i < m.memories.size(); ++i) {
      wasm::Limits& l = m.memories[i].limits;
      if (l.min > config_.max_memory_pages) {
        out.status = InstantiateOutcome::Status::kResourceExhausted;
        out.message = wasm::MemoryPagesLimitMessage(l.min, config_.max_memory_pages);
        return out;
      }
      if (!l.max || *l.max > config_.max_memory_pages) {
        l.max = config_.max_memory_pages;
        changed = true;
      }
    }
    if (changed) {
      clamped = wasm::Encode(m);
      bytes = &clamped;
    }
  }
  json a = Request({{"op", "instantiate"}, {"module", Hex(*bytes)}});
  KeepLog(a);
  const std::string status = a.value("status", "");
  const std::string message = a.value("message", "");
  if (status == "ok") {
    Instance inst;
    inst.module = module;
    inst.memory_export.assign(module->memories.size(), "");
    inst.global_export.assign(module->globals.size(), "");
    inst.memories.resize(module->memories.size());
    for (const wasm::Export& e : module->exports) {
      if (e.kind == wasm::ExternKind::Memory && inst.memory_export[e.index].empty())
        inst.memory_export[e.index] = e.name;
      if (e.kind == wasm::ExternKind::Global && inst.global_export[e.index].empty())
        inst.global_export[e.index] = e.name;
    }
    out.instance = a.value("instance", 0u);
    if (out.instance != instances_.size()) {
      out.status = InstantiateOutcome::Status::kInternalError;
      out.message = "V8 worker: instance numbers out of step";
      return out;
    }
    instances_.push_back(std::move(inst));
  } else if (status == "unlinkable") {
    out.status = InstantiateOutcome::Status::kUnlinkable;
    out.message = message;
  } else if (status == "trap" || status == "exhausted") {
    out.status = InstantiateOutcome::Status::kUninstantiable;
    out.failure = Failure(a);
    out.message = wasm::ToString(out.failure);
    if (out.failure.kind == wasm::Outcome::Kind::kInternalError) {
      out.status = InstantiateOutcome::Status::kInternalError;
      out.message = out.failure.message;
    }
  } else if (status == "resource") {
    out.status = InstantiateOutcome::Status::kResourceExhausted;
    out.message = "resource exhausted: V8: " + message;
  } else if (status == "peer failure") {
    out.status = InstantiateOutcome::Status::kUnsupported;
    out.message = "peer failure: " + message;
  } else if (status == "refused") {
    out.status = InstantiateOutcome::Status::kInternalError;
    out.message = "V8 refused a module tandem validated: " + message;
  } else {
    out.status = InstantiateOutcome::Status::kInternalError;
    out.message = fmt::format("V8 worker: {}: {}", status, message);
  }
  return out;
}

void V8Engine::Register(std::string_view module_name, uint32_t instance) {
  Request({{"op", "register"}, {"name", std::string(module_name)}, {"instance", instance}});
}

wasm::Outcome V8Engine::Invoke(uint32_t instance, std::string_view export_name,
                               std::span<const Value> args) {
  if (instance >= instances_.size())
    return pid_ < 0 ? wasm::Outcome::Unsupported("peer failure: node was restarted")
                    : wasm::Outcome::InternalError("V8: no such instance");
  const wasm::Module& m = *instances_[instance].module;
  const wasm::Export* e = m.FindExport(export_name);
  if (!e || e->kind != wasm::ExternKind::Func)
    return wasm::Outcome::InternalError("V8: no exported function " + std::string(export_name));
  const wasm::FuncType& t = m.FuncTypeOf(e->index);
  std::string& caller = caller_hex_[TypeKey(t)];
  if (caller.empty()) caller = Hex(CallerModule(t));
  std::vector<uint8_t> arg_bytes(16 * args.size());
  json refargs = json::array();
  for (size_t k = 0; k < args.size(); ++k) {
    const Value& v = args[k];
    if (v.type == ValType::ExternRef) {
      refargs.push_back(v.is_null() ? json{{"null", true}} : json{{"extern", v.bits}});
    } else if (v.type == ValType::FuncRef) {
      if (!v.is_null()) return wasm::Outcome::Unsupported("V8: a non-null funcref argument");
      refargs.push_back({{"null", true}});
    } else {
      std::memcpy(&arg_bytes[16 * k], &v.bits, std::min<size_t>(8, ByteSize(v.type)));
      if (v.type == ValType::V128) std::memcpy(&arg_bytes[16 * k + 8], &v.hi, 8);
    }
  }
  RefSlots slots;
  slots.Count(t.results);
  json q = {{"op", "call"}, {"instance", instance}, {"export", std::string(export_name)},
            {"helper", caller}, {"refargs", refargs}, {"bytes", 16 * t.results.size()},
            {"refs", slots.refs}};
  if (!args.empty()) q["args"] = Hex(arg_bytes);
  json a = Request(q);
  KeepLog(a);
  if (a.value("status", "") == "values") return Values(a, t.results);
  return Failure(a);
}

wasm::Outcome V8Engine::Get(uint32_t instance, std::string_view export_name) {
  if (instance >= instances_.size())
    return pid_ < 0 ? wasm::Outcome::Unsupported("peer failure: node was restarted")
                    : wasm::Outcome::InternalError("V8: no such instance");
  const wasm::Module& m = *instances_[instance].module;
  const wasm::Export* e = m.FindExport(export_name);
  if (!e || e->kind != wasm::ExternKind::Global)
    return wasm::Outcome::InternalError("V8: no exported global " + std::string(export_name));
  const wasm::GlobalType type = m.globals[e->index].type;
  RefSlots slots;
  slots.Count({type.type});
  json a = Request({{"op", "read"}, {"instance", instance}, {"helper", Hex(ReaderModule({type}))},
                    {"globals", {std::string(export_name)}}, {"bytes", 16}, {"refs", slots.refs}});
  if (a.value("status", "") == "values") return Values(a, {type.type});
  return Failure(a);
}

wasm::InstanceState V8Engine::State(uint32_t instance) {
  wasm::InstanceState s;
  s.exported_only = true;
  if (instance >= instances_.size()) return s;
  Instance& in = instances_[instance];
  const wasm::Module& m = *in.module;
  s.memories.resize(m.memories.size());
  s.memory_known.assign(m.memories.size(), false);
  s.globals.resize(m.globals.size());
  s.global_known.assign(m.globals.size(), false);
  for (size_t g = 0; g < m.globals.size(); ++g) s.globals[g] = Value::Default(m.globals[g].type.type);
  s.tables.resize(m.tables.size());
  for (const wasm::TableType& t : m.tables) s.table_types.push_back(t.elem);

  json names = json::array();
  std::vector<size_t> which;
  for (size_t i = 0; i < in.memory_export.size(); ++i)
    if (!in.memory_export[i].empty()) {
      names.push_back(in.memory_export[i]);
      which.push_back(i);
    }
  if (!which.empty()) {
    json a = Request({{"op", "memories"}, {"instance", instance}, {"names", names}});
    if (a.value("status", "") != "ok" || a["memories"].size() != which.size()) return s;
    for (size_t k = 0; k < which.size(); ++k) {
      const json& mem = a["memories"][k];
      std::vector<uint8_t>& bytes = in.memories[which[k]];
      bytes.resize(mem.value("size", size_t{0}));
      for (const json& page : mem["pages"]) {
        size_t at = page[0].get<size_t>();
        const std::string& hex = page[1].get_ref<const std::string&>();
        if (at + hex.size() / 2 > bytes.size() || !Unhex(hex, bytes.data() + at, hex.size() / 2))
          return s;
      }
      s.memories[which[k]] = bytes;
      s.memory_known[which[k]] = true;
    }
  }

  json globals = json::array();
  std::vector<wasm::GlobalType> types;
  std::vector<ValType> values;
  which.clear();
  for (size_t g = 0; g < in.global_export.size(); ++g)
    if (!in.global_export[g].empty()) {
      globals.push_back(in.global_export[g]);
      types.push_back(m.globals[g].type);
      values.push_back(m.globals[g].type.type);
      which.push_back(g);
    }
  if (!which.empty()) {
    RefSlots slots;
    slots.Count(values);
    if (in.reader_hex.empty()) in.reader_hex = Hex(ReaderModule(types));
    json a = Request({{"op", "read"}, {"instance", instance}, {"helper", in.reader_hex},
                      {"globals", globals}, {"bytes", 16 * which.size()}, {"refs", slots.refs}});
    if (a.value("status", "") != "values") return s;
    wasm::Outcome o = Values(a, values);
    if (o.kind != wasm::Outcome::Kind::kValues) return s;
    for (size_t k = 0; k < which.size(); ++k) {
      s.globals[which[k]] = o.values[k];
      s.global_known[which[k]] = true;
    }
  }
  return s;
}

std::optional<Engine::FrontEndVerdict> V8Engine::Check(std::span<const uint8_t> bytes) {
  if (pid_ < 0) {
    try {
      Start();
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  json a = Request({{"op", "validate"}, {"module", Hex(bytes.data(), bytes.size())}});
  if (a.value("status", "") != "ok") return std::nullopt;  // a peer failure: no verdict
  return FrontEndVerdict{a.value("accepted", false), a.value("message", "")};
}

wasm::FuncIdentity V8Engine::FuncIdentityOf(uint64_t bits) {
  if ((bits & kV8HostMarker) && bits != wasm::kNullRef)
    return {wasm::kHostInstance, static_cast<uint32_t>(bits & 0xffffffffu)};
  return {wasm::kUnknownInstance, static_cast<uint32_t>(bits & 0xffffffffu)};
}

std::vector<LogEntry> V8Engine::TakeLog() {
  std::vector<LogEntry> out;
  out.swap(log_);
  return out;
}

bool V8Engine::Reset() {
  instances_.clear();
  log_.clear();
  if (pid_ < 0) return true;  // the next instantiation starts a new process
  json a = Request({{"op", "reset"}});
  return a.value("status", "") == "ok" || pid_ < 0;
}

}  // namespace tandem::diff
