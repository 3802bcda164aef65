// jit_store_internal.h: the JIT store's host-side state, shared by jit_store.cc and the
// runtime services (jit/runtime.cc). Not part of any public interface.
#pragma once

#include <sys/mman.h>

#include <map>
#include <optional>
#include <vector>

#include "jit/executor.h"
#include "jit/jit_store.h"
#include "jit/runtime.h"
#include "reference/limits.h"

namespace tandem::jit {

using wasm::FuncType;
using wasm::GlobalType;
using wasm::HostFunc;
using wasm::Module;
using wasm::ValType;

struct GlobalInfo {
  GlobalType type;
  uint32_t offset;  // VM offset of its GlobalSlot
};

struct ElemSegInfo {
  ValType type;
  std::vector<uint64_t> refs;
  uint32_t flag_offset;  // arena byte: 1 = dropped
};

struct DataSegInfo {
  const uint8_t* bytes;
  uint32_t size;
  uint32_t flag_offset;
};

struct InstanceInfo {
  std::shared_ptr<const Module> module;
  std::vector<uint32_t> funcs, tables, memories, globals;  // store indices (globals: GlobalInfo)
  std::vector<uint32_t> elems, datas;                      // store-wide segment indices
};

// What the store knows of its objects besides the arena; copyable, so that a store's template
// (SaveTemplate) can keep it and a reset can copy it back into the same allocations.
struct StoreObjects {
  std::vector<FuncType> types;
  std::map<std::pair<std::vector<ValType>, std::vector<ValType>>, uint32_t> type_ids;
  std::vector<HostFunc> host_funcs;            // by store function index (empty for wasm)
  std::vector<uint32_t> func_types;            // store function index -> type id
  std::vector<GlobalInfo> globals;
  std::vector<ElemSegInfo> elems;
  std::vector<DataSegInfo> datas;
  std::vector<InstanceInfo> instances;
  std::map<uint32_t, uint32_t> memory_by_desc, table_by_desc;  // desc offset -> store index
  // Declared maxima (the descriptors cannot tell "none" from the largest value).
  std::vector<std::optional<uint64_t>> memory_max, table_max;
  wasm::StoreBudget budget;  // limits.h: what the store may allocate, as on every engine
  uint32_t host_globals = 0;  // globals added by AddGlobal (named "host global N")
};

struct JitStore::Impl : StoreObjects {
  struct Template {
    StoreObjects objects;
    size_t code_infos = 0;
    uint32_t funcs = 0;  // live FuncDescs (code-table entries beyond are cleared on reset)
  };
  std::unique_ptr<Template> tmpl;

  uint64_t* code_table = nullptr;  // store function index -> entry address
  size_t code_table_bytes = 0;
  uint8_t* stack = nullptr;
  size_t stack_bytes = 0;
  RuntimeFn services[static_cast<size_t>(RuntimeCall::kCount)] = {};  // the C++ services
  std::unique_ptr<Executor> executor;  // declared last: destroyed first

  ~Impl() {
    if (code_table) munmap(code_table, code_table_bytes);
    if (stack) munmap(stack, stack_bytes);
  }

  uint32_t InternType(const FuncType& t) {
    auto key = std::make_pair(t.params, t.results);
    auto it = type_ids.find(key);
    if (it != type_ids.end()) return it->second;
    uint32_t id = static_cast<uint32_t>(types.size());
    types.push_back(t);
    type_ids.emplace(std::move(key), id);
    return id;
  }
};

}  // namespace tandem::jit
