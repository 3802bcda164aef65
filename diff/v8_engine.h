// v8_engine.h: V8 as a peer engine (DESIGN.md "Engines": a third, independent implementation),
// through Node.js. Each V8Engine owns one `node` process that runs diff/v8/worker.js with one
// tier forced: "v8-liftoff" (Liftoff only, no tier-up) or "v8-turbofan" (TurboFan only); the
// worker checks that every exported function was compiled by that tier.
//
// Values never pass through a JS number: tandem builds small wasm helper modules (one caller
// per function type, one reader per instance's exported globals, the logger behind the
// `fuzzing-support` imports, the `spectest` module) that move exact bytes through their memory.
// What tandem sees of an instance is what JS sees: exported memories and globals
// (InstanceState::exported_only); function references name their function index, not their
// instance.
//
// A node process that dies, or does not answer within the peer timeout, is a peer failure:
// the request is answered "unsupported: peer failure: ..." (never a divergence) and the next
// instantiation starts a new process.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diff/engine.h"

namespace tandem::diff {

// Why V8 is left out of a comparison on a module without the "tandem.denan" custom section.
inline constexpr const char* kV8NeedsDenan =
    "V8 is compared with other engines only on modules made with --denan (custom section "
    "tandem.denan): it has no NaN-canonical mode, so NaN bits may differ where the spec allows";

// "v8-liftoff", "v8-turbofan".
std::vector<std::string> V8EngineNames();
bool IsV8Engine(std::string_view name);
// The node binary ($TANDEM_NODE, else `node` in PATH); empty when there is none.
std::string FindNode();
// Why the V8 engines cannot run here ("" when they can): node missing, or too old.
std::string V8Unavailable();

class V8Engine final : public Engine {
 public:
  // `tier`: "liftoff" or "turbofan". Throws std::runtime_error when node cannot be started.
  V8Engine(std::string tier, const EngineConfig& config);
  ~V8Engine() override;

  std::string_view name() const override { return name_; }
  InstantiateOutcome Instantiate(std::shared_ptr<const wasm::Module> module) override;
  void Register(std::string_view module_name, uint32_t instance) override;
  wasm::Outcome Invoke(uint32_t instance, std::string_view export_name,
                       std::span<const wasm::Value> args) override;
  wasm::Outcome Get(uint32_t instance, std::string_view export_name) override;
  wasm::InstanceState State(uint32_t instance) override;
  wasm::FuncIdentity FuncIdentityOf(uint64_t ref_bits) override;
  std::vector<LogEntry> TakeLog() override;
  bool Reset() override;
  std::optional<FrontEndVerdict> Check(std::span<const uint8_t> bytes) override;

  // The versions node reported ("V8 11.3.244.8-node.33, node v20.20.2").
  const std::string& version() const { return version_; }

 private:
  struct Instance {
    std::shared_ptr<const wasm::Module> module;
    std::vector<std::string> memory_export;  // by memory index; "" when not exported
    std::vector<std::string> global_export;  // by global index; "" when not exported
    std::vector<std::vector<uint8_t>> memories;  // the last bytes read, by memory index
    std::string reader_hex;  // the reader of the exported globals, built on first use
  };

  void Start();
  void Stop();
  // One request, one answer. On a peer failure (node died, no answer in time, unreadable
  // answer) returns {"status": "peer failure", "message": ...} and stops the process.
  nlohmann::json Request(const nlohmann::json& q);
  void KeepLog(const nlohmann::json& answer);
  // Results of a caller or reader helper: `types` from its bytes and references.
  wasm::Outcome Values(const nlohmann::json& answer, const std::vector<wasm::ValType>& types);
  wasm::Outcome Failure(const nlohmann::json& answer);

  std::string tier_, name_, version_;
  EngineConfig config_;
  pid_t pid_ = -1;
  int to_ = -1, from_ = -1, err_fd_ = -1;
  std::string buf_;
  std::vector<Instance> instances_;
  std::vector<LogEntry> log_;
  std::map<std::string, std::string> caller_hex_;  // function type text -> caller module hex
};

}  // namespace tandem::diff
