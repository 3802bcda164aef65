// ref_engine.cc: the reference interpreter behind the Engine interface: name resolution of
// imports (Spec 4.5.4 step 2, done by the embedder) and argument checks.
#include "diff/ref_engine.h"

#include <fmt/format.h>

namespace tandem::diff {

using namespace wasm;

namespace {
ref::ExecConfig ToExec(const EngineConfig& c) {
  ref::ExecConfig e;
  e.max_call_depth = c.max_call_depth;
  e.fuel = c.fuel;
  e.nan_canonical = c.nan_canonical;
  return e;
}
}  // namespace

RefEngine::RefEngine(const EngineConfig& config) : store_(ToExec(config)) {
  auto& spectest = registry_["spectest"];
  for (auto& [name, ev] : ref::AddSpectestModule(store_)) spectest[name] = ev;
}

InstantiateOutcome RefEngine::Instantiate(std::shared_ptr<const Module> module) {
  InstantiateOutcome out;
  std::vector<ref::ExternVal> imports;
  for (const Import& imp : module->imports) {
    auto mod = registry_.find(imp.module);
    const ref::ExternVal* ev = nullptr;
    if (mod != registry_.end()) {
      auto it = mod->second.find(imp.name);
      if (it != mod->second.end()) ev = &it->second;
    }
    if (!ev) {
      out.status = InstantiateOutcome::Status::kUnlinkable;
      out.message = fmt::format("unknown import: \"{}\" \"{}\"", imp.module, imp.name);
      return out;
    }
    imports.push_back(*ev);
  }
  try {
    ref::InstantiateResult r = store_.Instantiate(module, imports);
    if (r.instance) {
      out.instance = *r.instance;
    } else {
      out.status = InstantiateOutcome::Status::kUninstantiable;
      out.failure = r.failure;
      out.message = ToString(r.failure);
    }
  } catch (const LinkError& e) {
    out.status = InstantiateOutcome::Status::kUnlinkable;
    out.message = e.what();
  } catch (const std::exception& e) {
    out.status = InstantiateOutcome::Status::kInternalError;
    out.message = e.what();
  }
  return out;
}

void RefEngine::Register(std::string_view module_name, uint32_t instance) {
  auto& exports = registry_[std::string(module_name)];
  exports.clear();
  for (const Export& e : store_.ModuleOf(instance).exports)
    exports[e.name] = *store_.GetExport(instance, e.name);
}

Outcome RefEngine::Invoke(uint32_t instance, std::string_view export_name,
                          std::span<const Value> args) {
  auto ev = store_.GetExport(instance, export_name);
  if (!ev || ev->kind != ExternKind::Func)
    return Outcome::InternalError(fmt::format("no exported function \"{}\"", export_name));
  const FuncType& t = store_.FuncTypeOf(ev->addr);
  if (args.size() != t.params.size())
    return Outcome::InternalError(fmt::format("\"{}\" takes {} arguments, {} given", export_name,
                                              t.params.size(), args.size()));
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i].type != t.params[i])
      return Outcome::InternalError(fmt::format("argument {} of \"{}\" must be {}, got {}", i,
                                                export_name, ValTypeName(t.params[i]),
                                                ValTypeName(args[i].type)));
  try {
    return store_.Invoke(ev->addr, args);
  } catch (const std::exception& e) {
    return Outcome::InternalError(e.what());
  }
}

Outcome RefEngine::Get(uint32_t instance, std::string_view export_name) {
  auto ev = store_.GetExport(instance, export_name);
  if (!ev || ev->kind != ExternKind::Global)
    return Outcome::InternalError(fmt::format("no exported global \"{}\"", export_name));
  return Outcome::Values({store_.GlobalValue(ev->addr)});
}

}  // namespace tandem::diff
