// code_verify.cc: the verifier over a JIT engine's compiled code (code_verify.h).
#include "diff/code_verify.h"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "diff/jit_engine.h"
#include "jit/faults.h"
#include "jit/jit_store.h"
#include "jit/mutants.h"

namespace tandem::diff {

std::string VerifierUnavailable(std::string_view engine) {
  jit::JitConfig config;
  if (engine == "x64")
    config.arch = jit::Arch::kX64;
  else if (engine == "a64")
    config.arch = jit::Arch::kA64;
  else
    return "\"" + std::string(engine) + "\" is no JIT engine (the verifier reads JIT code)";
  std::string error;
  auto store = jit::JitStore::Create(config, &error);
  if (!store) return "cannot make an " + std::string(engine) + " store: " + error;
  try {
    jit::verify::ProofCache cache;
    jit::verify::VerifyStore(*store, &cache);
  } catch (const std::exception& e) {
    return "the verifier does not cover " + std::string(engine) + " yet (" + e.what() + ")";
  }
  return "";
}

std::optional<std::vector<VerifiedFunction>> VerifyNewCode(Engine& engine, size_t* first,
                                                           jit::verify::ProofCache* cache) {
  auto* jit = dynamic_cast<JitEngine*>(&engine);
  if (!jit) return std::nullopt;
  jit::JitStore& store = jit->jit_store();
  const std::vector<jit::CodeInfo>& code = store.code();
  std::vector<VerifiedFunction> out;
  if (*first >= code.size()) return out;
  const jit::verify::StoreFacts facts = jit::verify::FactsOf(store);
  for (size_t i = *first; i < code.size(); ++i) {
    const jit::CodeInfo& info = code[i];
    out.push_back({info.instance, info.func_index,
                   jit::verify::VerifyFunction(facts, jit::verify::InputOf(store, info), cache)});
  }
  *first = code.size();
  return out;
}

VerifyFaults ParseVerifyFaults(const std::string& list) {
  VerifyFaults out;
  size_t at = 0;
  while (at <= list.size()) {
    size_t comma = list.find(',', at);
    if (comma == std::string::npos) comma = list.size();
    const std::string name = list.substr(at, comma - at);
    at = comma + 1;
    if (name.empty()) continue;
    bool known = false;
    for (const jit::CodegenFaultInfo& f : jit::CodegenFaults())
      if (name == f.name) out.codegen |= f.bit, known = true;
    if (const jit::BoundsMutantInfo* m = jit::FindBoundsMutant(name)) {
      if (out.mutant != 0) throw std::invalid_argument("--seed-fault: one bounds mutant at a time");
      out.mutant = m->id, known = true;
    }
    if (!known)
      throw std::invalid_argument("--seed-fault: \"" + name +
                                  "\" is no codegen fault (tandem diff --list-faults) or bounds mutant "
                                  "(tandem verify --list-mutants)");
  }
  return out;
}

std::optional<std::vector<jit::verify::FunctionResult>> VerifyModule(
    std::shared_ptr<const wasm::Module> module, const std::string& engine, const VerifyFaults& faults,
    std::string* why) {
  jit::JitConfig config;
  config.arch = engine == "a64" ? jit::Arch::kA64 : jit::Arch::kX64;
  config.seed_faults = faults.codegen;
  config.bounds_mutant = faults.mutant;
  std::string error;
  auto store = jit::JitStore::Create(config, &error);
  if (!store) {
    *why = "cannot make an " + engine + " store: " + error;
    return std::nullopt;
  }
  jit::JitInstantiateResult inst;
  try {
    inst = jit::InstantiateWithStandIns(*store, std::move(module));
  } catch (const std::exception& e) {
    *why = std::string("cannot instantiate: ") + e.what();
    return std::nullopt;
  }
  if (inst.failure.kind == wasm::Outcome::Kind::kUnsupported) {
    *why = engine + " cannot compile it: " + inst.failure.message;
    return std::nullopt;
  }
  jit::verify::ProofCache cache;
  return jit::verify::VerifyStore(*store, &cache);
}

std::string FormatProblems(const jit::verify::FunctionResult& f) {
  std::string s;
  for (const jit::verify::AccessResult& p : f.problems)
    s += fmt::format("  {} at {:#06x} `{}`{}: {}\n", jit::verify::StatusName(p.status),
                     p.code_offset, p.text, p.region.empty() ? "" : " (" + p.region + ")", p.why);
  return s + f.listing;
}

std::string RegionWord(std::string_view region) {
  std::string w(region.substr(0, region.find(" (")));
  while (!w.empty() && w.back() == ' ') w.pop_back();
  if (w.empty()) return "no-region";
  std::replace(w.begin(), w.end(), ' ', '-');
  std::replace(w.begin(), w.end(), ':', '-');  // a signature's separator
  return w;
}

}  // namespace tandem::diff
