// store_engine.h: the Engine adapter shared by every engine that owns a store with the common
// store API (the reference's ref::Store, the JIT's jit::JitStore): name resolution of imports
// (Spec 4.5.4 step 2, done by the embedder), the spectest module, argument checks.
#pragma once

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
// GlobalValue; it throws wasm::LinkError for a mismatched import.
template <class StoreT>
class StoreEngine : public Engine {
 public:
  InstantiateOutcome Instantiate(std::shared_ptr<const wasm::Module> module) override {
    InstantiateOutcome out;
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
      if (r.instance) {
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
    try {
      return store().Invoke(ev->addr, args);
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

  wasm::InstanceState State(uint32_t instance) override { return store().State(instance); }
  wasm::FuncIdentity FuncIdentityOf(uint64_t ref_bits) override {
    return store().FuncIdentityOf(ref_bits);
  }

 protected:
  virtual StoreT& store() = 0;

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
  // Registered module names -> their exports.
  std::map<std::string, std::map<std::string, wasm::ExternVal>, std::less<>> registry_;
};

}  // namespace tandem::diff
