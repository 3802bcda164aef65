// compile_module.cc: compiles a whole module against a placeholder layout, without a store
// (DESIGN.md "Measures that matter": JIT compile speed).
#include "jit/compile_module.h"

#include <cstddef>
#include <cstring>

#include "jit/arena.h"

namespace tandem::jit {

namespace {

// Placeholder host addresses: canonical user-space addresses, never dereferenced.
constexpr uint64_t kFakeCodeTable = 0x00007f1000000000;
constexpr uint64_t kFakeRuntimeTable = 0x00007f2000000000;
constexpr uint64_t kFakeExit = 0x00007f3000000000;
constexpr uint64_t kFakeStackLimit = 0x00007f4000100000;

InstanceLayout PlaceholderLayout(const wasm::Module& m) {
  InstanceLayout l;
  const ArenaConfig config;
  l.func_index.resize(m.func_types.size());
  for (uint32_t i = 0; i < l.func_index.size(); ++i) l.func_index[i] = i;
  l.type_id.resize(m.types.size());
  for (uint32_t i = 0; i < l.type_id.size(); ++i) l.type_id[i] = i;
  // VM-region objects sit after the header; memories and tables in the high region after it.
  uint32_t vm = 0x10000;
  for (size_t i = 0; i < m.globals.size(); ++i, vm += 16) l.global_offset.push_back(vm);
  uint64_t high = config.vm_region_bytes;
  for (size_t i = 0; i < m.memories.size(); ++i, vm += sizeof(MemoryDesc)) {
    l.memory_desc_offset.push_back(vm);
    l.memory_data_offset.push_back(high);
    high += uint64_t{4} << 30;
  }
  for (size_t i = 0; i < m.tables.size(); ++i, vm += sizeof(TableDesc))
    l.table_desc_offset.push_back(vm);
  for (uint32_t i = 0; i < m.elems.size(); ++i) l.elem_index.push_back(i);
  for (uint32_t i = 0; i < m.datas.size(); ++i) l.data_index.push_back(i);
  l.func_desc_offset = vm;
  l.trap_kind_offset = offsetof(ArenaHeader, trap_kind);
  l.call_depth_offset = offsetof(ArenaHeader, call_depth);
  l.max_call_depth_offset = offsetof(ArenaHeader, max_call_depth);
  l.fuel_offset = offsetof(ArenaHeader, fuel);
  return l;
}

}  // namespace

ModuleCompileResult CompileModule(Arch arch, const wasm::Module& module,
                                  const ModuleCompileOptions& options) {
  InstanceLayout layout = PlaceholderLayout(module);
  CompileOptions opts;
  opts.metered = options.metered;
  opts.nan_canonical = options.nan_canonical;
  opts.code_table_address = kFakeCodeTable;
  opts.runtime_table_address = kFakeRuntimeTable;
  opts.exit_address = kFakeExit;
  opts.stack_limit = kFakeStackLimit;

  ModuleCompileResult result;
  std::vector<size_t> starts;
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> calls;
  const uint32_t first = module.num_imported_funcs;
  for (uint32_t f = first; f < module.func_types.size(); ++f) {
    CompiledFunction cf = CompileFunction(arch, module, f, layout, opts);
    while (result.code.size() % 16) result.code.push_back(0xcc);
    starts.push_back(result.code.size());
    result.code.insert(result.code.end(), cf.code.begin(), cf.code.end());
    calls.push_back(std::move(cf.local_calls));
    ++result.functions;
  }
  for (size_t k = 0; k < calls.size(); ++k) {
    for (auto [at, callee] : calls[k]) {
      size_t field = starts[k] + at;
      int32_t rel = static_cast<int32_t>(static_cast<int64_t>(starts[callee - first]) -
                                         static_cast<int64_t>(field + 4));
      std::memcpy(result.code.data() + field, &rel, 4);
    }
  }
  return result;
}

}  // namespace tandem::jit
