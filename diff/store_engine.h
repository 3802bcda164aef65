// store_engine.h: the Engine adapter shared by every engine that owns a store with the common
// store API (the reference's ref::Store, the JIT's jit::JitStore): name resolution of imports
// (Spec 4.5.4 step 2, done by the embedder), the spectest module, argument checks.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "diff/engine.h"
#include "reference/errors.h"
#include "reference/linking.h"

namespace tandem::diff {

// StoreT provides: AddHostFunc/AddTable/AddMemory/AddGlobal, Instantiate(module, imports)
// returning {optional instance, Outcome failure}, GetExport, ModuleOf, FuncTypeOf, Invoke,
// GlobalValue, SaveTemplate and ResetToTemplate(); it throws wasm::LinkError for a mismatched
// import.
template <class StoreT>
class StoreEngine : public Engine {
 public:
  InstantiateOutcome Instantiate(std::shared_ptr<const wasm::Module> module) override {
    InstantiateOutcome out;
    // The fuzzing imports are allocated on first use, so that stores of modules without them
    // (the spec suite's) keep their function numbering.
    for (const wasm::Import& imp : module->imports)
      if (imp.module == kFuzzingSupport && !registry_.contains(kFuzzingSupport)) {
        AddFuzzingSupport();
        break;
      }
    std::vector<wasm::ExternVal> imports;
    for (const wasm::Import& imp : module->imports) {
      const wasm::ExternVal* ev = nullptr;
      if (auto mod = registry_.find(imp.module); mod != registry_.end())
        if (auto it = mod->second.find(imp.name); it != mod->second.end()) ev = &it->second;
      if (!ev) {
        out.status = InstantiateOutcome::Status::kUnlinkable;
        out.message = fmt::format("unknown import: \"{}\" \"{}\"", imp.module, imp.name);
        return out;
      }
      imports.push_back(*ev);
    }
    try {
      auto r = store().Instantiate(module, imports);
      if (r.instance && (harness_faults_ & kPerturbInstantiationBit)) {
        out.status = InstantiateOutcome::Status::kResourceExhausted;
        out.message = "resource exhausted: seeded fault perturb-instantiation";
      } else if (r.instance) {
        out.instance = *r.instance;
      } else if (r.failure.kind == wasm::Outcome::Kind::kUnsupported) {
        out.status = InstantiateOutcome::Status::kUnsupported;
        out.message = r.failure.message;
      } else if (r.failure.kind == wasm::Outcome::Kind::kInternalError) {
        out.status = InstantiateOutcome::Status::kInternalError;
        out.message = r.failure.message;
      } else {
        out.status = InstantiateOutcome::Status::kUninstantiable;
        out.failure = r.failure;
        out.message = ToString(r.failure);
      }
    } catch (const wasm::LinkError& e) {
      out.status = InstantiateOutcome::Status::kUnlinkable;
      out.message = e.what();
    } catch (const wasm::ResourceError& e) {
      out.status = InstantiateOutcome::Status::kResourceExhausted;
      out.message = e.what();
    } catch (const std::exception& e) {
      out.status = InstantiateOutcome::Status::kInternalError;
      out.message = e.what();
    }
    return out;
  }

  void Register(std::string_view module_name, uint32_t instance) override {
    auto& exports = registry_[std::string(module_name)];
    exports.clear();
    for (const wasm::Export& e : store().ModuleOf(instance).exports)
      exports[e.name] = *store().GetExport(instance, e.name);
  }

  wasm::Outcome Invoke(uint32_t instance, std::string_view export_name,
                       std::span<const wasm::Value> args) override {
    auto ev = store().GetExport(instance, export_name);
    if (!ev || ev->kind != wasm::ExternKind::Func)
      return wasm::Outcome::InternalError(fmt::format("no exported function \"{}\"", export_name));
    const wasm::FuncType& t = store().FuncTypeOf(ev->addr);
    if (args.size() != t.params.size())
      return wasm::Outcome::InternalError(fmt::format(
          "\"{}\" takes {} arguments, {} given", export_name, t.params.size(), args.size()));
    for (size_t i = 0; i < args.size(); ++i)
      if (args[i].type != t.params[i])
        return wasm::Outcome::InternalError(
            fmt::format("argument {} of \"{}\" must be {}, got {}", i, export_name,
                        wasm::ValTypeName(t.params[i]), wasm::ValTypeName(args[i].type)));
    if (harness_faults_ & kCrashBit) raise(SIGSEGV);
    if (harness_faults_ & kHangBit)
      for (;;) pause();
    try {
      wasm::Outcome o = store().Invoke(ev->addr, args);
      if (harness_faults_) Perturb(o);
      return o;
    } catch (const std::exception& e) {
      return wasm::Outcome::InternalError(e.what());
    }
  }

  wasm::Outcome Get(uint32_t instance, std::string_view export_name) override {
    auto ev = store().GetExport(instance, export_name);
    if (!ev || ev->kind != wasm::ExternKind::Global)
      return wasm::Outcome::InternalError(fmt::format("no exported global \"{}\"", export_name));
    return wasm::Outcome::Values({store().GlobalValue(ev->addr)});
  }

  wasm::InstanceState State(uint32_t instance) override {
    wasm::InstanceState st = store().State(instance);
    if (harness_faults_) PerturbState(st);
    return st;
  }
  wasm::FuncIdentity FuncIdentityOf(uint64_t ref_bits) override {
    return store().FuncIdentityOf(ref_bits);
  }
  bool Reset() override {
    if (!has_template_ || !store().ResetToTemplate()) return false;
    registry_ = template_registry_;
    log_.clear();
    return true;
  }

  std::vector<LogEntry> TakeLog() override {
    std::vector<LogEntry> out = std::move(log_);
    log_.clear();
    if ((harness_faults_ & kPerturbLogBit) && !out.empty()) out[0].value.bits ^= 1;
    return out;
  }

 protected:
  virtual StoreT& store() = 0;
  // The harness faults of diff/faults.h (bits of EngineConfig::harness_faults).
  void SetHarnessFaults(uint32_t bits) { harness_faults_ = bits; }
  // perturb-arena: engines with an arena change a reserved word of it.
  virtual void PerturbArena() {}

  // Makes the store as it is now (after AddSpectest) what Reset returns to.
  void SaveTemplate() {
    store().SaveTemplate();
    template_registry_ = registry_;
    has_template_ = true;
  }

  // The `fuzzing-support` host module (binaryen's fuzz-exec imports): log-i32, log-i64,
  // log-f32, log-f64 and log-v128 record their argument's exact bits and return nothing.
  void AddFuzzingSupport() {
    auto& exports = registry_[std::string(kFuzzingSupport)];
    static constexpr std::pair<const char*, wasm::ValType> kLogs[] = {
        {"log-i32", wasm::ValType::I32}, {"log-i64", wasm::ValType::I64},
        {"log-f32", wasm::ValType::F32}, {"log-f64", wasm::ValType::F64},
        {"log-v128", wasm::ValType::V128}};
    for (const auto& [name, type] : kLogs) {
      std::string import = name;
      uint32_t addr = store().AddHostFunc(
          wasm::FuncType{{type}, {}}, [this, import](std::span<const wasm::Value> args) {
            log_.push_back({import, args[0]});
            return wasm::Outcome::Values({});
          });
      exports[import] = wasm::ExternVal{wasm::ExternKind::Func, addr};
    }
  }

  // Allocates the spectest module's exports in the store and registers them as "spectest".
  void AddSpectest() {
    auto& exports = registry_["spectest"];
    for (const wasm::SpectestExport& e : wasm::SpectestExports()) {
      uint32_t addr = 0;
      switch (e.kind) {
        case wasm::ExternKind::Func:
          addr = store().AddHostFunc(e.func, [](std::span<const wasm::Value>) {
            return wasm::Outcome::Values({});
          });
          break;
        case wasm::ExternKind::Table: addr = store().AddTable(e.table); break;
        case wasm::ExternKind::Memory: addr = store().AddMemory(e.memory); break;
        case wasm::ExternKind::Global: addr = store().AddGlobal(e.global, e.value); break;
      }
      exports[e.name] = wasm::ExternVal{e.kind, addr};
    }
  }

 private:
  // Bits of diff/faults.h's HarnessFault, repeated here so that this header stays below it.
  static constexpr uint32_t kPerturbInstantiationBit = 1u << 0, kPerturbResultBit = 1u << 1,
                            kPerturbTrapBit = 1u << 2, kPerturbExhaustionBit = 1u << 3,
                            kPerturbMemoryBit = 1u << 4, kPerturbGlobalBit = 1u << 5,
                            kPerturbTableBit = 1u << 6, kPerturbSegmentBit = 1u << 7,
                            kPerturbLogBit = 1u << 8, kPerturbArenaBit = 1u << 9,
                            kCrashBit = 1u << 10, kHangBit = 1u << 11;

  void Perturb(wasm::Outcome& o) {
    using K = wasm::Outcome::Kind;
    if ((harness_faults_ & kPerturbResultBit) && o.kind == K::kValues && !o.values.empty() &&
        !wasm::IsRefType(o.values[0].type))
      o.values[0].bits ^= 1;
    if ((harness_faults_ & kPerturbTrapBit) && o.kind == K::kTrap)
      o.trap = static_cast<wasm::TrapKind>((static_cast<int>(o.trap) + 1) % wasm::kNumTrapKinds);
    if ((harness_faults_ & kPerturbExhaustionBit) && o.kind == K::kExhausted)
      o.exhaustion = o.exhaustion == wasm::ExhaustionKind::kFuel ? wasm::ExhaustionKind::kCallStack
                                                                 : wasm::ExhaustionKind::kFuel;
    if (harness_faults_ & kPerturbArenaBit) PerturbArena();
  }

  // The state view is changed through copies; the store itself is left alone.
  void PerturbState(wasm::InstanceState& st) {
    if ((harness_faults_ & kPerturbMemoryBit) && !st.memories.empty() && !st.memories[0].empty()) {
      perturbed_memory_.assign(st.memories[0].begin(), st.memories[0].end());
      perturbed_memory_[0] ^= 1;
      st.memories[0] = perturbed_memory_;
    }
    if ((harness_faults_ & kPerturbGlobalBit) && !st.globals.empty()) st.globals[0].bits ^= 1;
    if ((harness_faults_ & kPerturbTableBit) && !st.tables.empty() && !st.tables[0].empty()) {
      perturbed_table_.assign(st.tables[0].begin(), st.tables[0].end());
      if (perturbed_table_[0] != wasm::kNullRef)
        perturbed_table_[0] = wasm::kNullRef;
      else
        perturbed_table_.pop_back();
      st.tables[0] = perturbed_table_;
    }
    if (harness_faults_ & kPerturbSegmentBit) {
      if (!st.data_dropped.empty())
        st.data_dropped[0] = !st.data_dropped[0];
      else if (!st.elem_dropped.empty())
        st.elem_dropped[0] = !st.elem_dropped[0];
    }
  }

  // Registered module names -> their exports.
  std::map<std::string, std::map<std::string, wasm::ExternVal>, std::less<>> registry_;
  std::map<std::string, std::map<std::string, wasm::ExternVal>, std::less<>> template_registry_;
  bool has_template_ = false;
  std::vector<LogEntry> log_;
  uint32_t harness_faults_ = 0;
  std::vector<uint8_t> perturbed_memory_;
  std::vector<uint64_t> perturbed_table_;
};

}  // namespace tandem::diff
