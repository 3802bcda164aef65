// jit_store.cc: instantiation into the arena (Spec 4.5.3-4.5.4), the code space and code table,
// the executor that runs it, invocation (docs/jit.md "Entry, exit, traps").
#include "jit/jit_store.h"

#include <sys/mman.h>

#include <cstring>
#include <map>

#include <fmt/format.h>

#include "jit/jit_store_internal.h"
#include "jit/runtime.h"
#include "jit/executor.h"
#include "reference/errors.h"

namespace tandem::jit {

using namespace wasm;

namespace {

thread_local JitStore* g_current = nullptr;

// Sets the store the running code belongs to, for the runtime services.
class CurrentStore {
 public:
  explicit CurrentStore(JitStore* s) : prev_(g_current) { g_current = s; }
  ~CurrentStore() { g_current = prev_; }

 private:
  JitStore* prev_;
};

}  // namespace

JitStore* JitStore::current() { return g_current; }

JitStore::JitStore(const JitConfig& config) : config_(config), impl_(std::make_unique<Impl>()) {}
JitStore::~JitStore() = default;

std::unique_ptr<JitStore> JitStore::Create(const JitConfig& config, std::string* error) {
  std::unique_ptr<JitStore> s(new JitStore(config));
  ArenaConfig ac;
  ac.max_call_depth = config.max_call_depth;
  ac.fuel = config.fuel;
  ac.max_memory_pages = config.max_memory_pages;
  s->arena_ = Arena::Create(ac, error);
  if (!s->arena_) return nullptr;
  Impl& im = *s->impl_;
  im.code_table_bytes = sizeof(uint64_t) * ac.max_functions;
  void* ct = mmap(nullptr, im.code_table_bytes, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (ct == MAP_FAILED) {
    *error = "cannot map the code table";
    return nullptr;
  }
  im.code_table = static_cast<uint64_t*>(ct);
  im.stack_bytes = config.stack_bytes;
  void* st = mmap(nullptr, im.stack_bytes, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (st == MAP_FAILED) {
    *error = "cannot map the JIT stack";
    return nullptr;
  }
  im.stack = static_cast<uint8_t*>(st);
  // A guard page at the bottom: the stack-limit check stops code well above it.
  mprotect(im.stack, 4096, PROT_NONE);
  FillRuntimeTable(im.services);
  ExecutorEnv env;
  env.arena = s->arena_.get();
  env.stack = im.stack;
  env.stack_bytes = im.stack_bytes;
  env.code_table = im.code_table;
  env.code_table_bytes = im.code_table_bytes;
  env.runtime_services = im.services;
  // x86-64 code runs natively or not at all (no x86 emulation: unsupported off x86-64 hosts);
  // AArch64 code natively on aarch64 hosts, under Unicorn elsewhere.
  if (config.arch == Arch::kX64)
    im.executor = MakeX64NativeExecutor(env, error);
  else
    im.executor = A64RunsNatively() ? MakeA64NativeExecutor(env, error)
                                    : MakeA64UnicornExecutor(env, error);
  if (!im.executor) return nullptr;
  return s;
}

void JitStore::SaveTemplate() {
  Impl& im = *impl_;
  im.tmpl = std::make_unique<Impl::Template>();
  im.tmpl->objects = im;
  im.tmpl->code_infos = code_.size();
  im.tmpl->funcs = arena_->header().func_count;
  arena_->SaveTemplate();
  im.executor->SaveTemplate();
}

bool JitStore::ResetToTemplate(std::string* error) {
  Impl& im = *impl_;
  if (!im.tmpl) {
    if (error) *error = "reset: no template saved";
    return false;
  }
  if (im.executor->WantsRenewal()) {
    if (error) *error = "reset: the executor is to be replaced (a new store is needed)";
    return false;
  }
  uint32_t funcs = arena_->header().func_count;
  if (funcs > im.tmpl->funcs)
    std::memset(im.code_table + im.tmpl->funcs, 0, sizeof(uint64_t) * (funcs - im.tmpl->funcs));
  static_cast<StoreObjects&>(im) = im.tmpl->objects;
  code_.erase(code_.begin() + static_cast<std::ptrdiff_t>(im.tmpl->code_infos), code_.end());
  if (!arena_->ResetToTemplate(error)) return false;
  im.executor->ResetToTemplate();
  return true;
}

uint32_t JitStore::AddHostFunc(const FuncType& type, HostFunc fn) {
  Impl& im = *impl_;
  uint32_t type_id = im.InternType(type);
  auto idx = arena_->AddFunction(FuncDesc{type_id, 0xffffffffu, 0, kFuncHost});
  if (!idx) throw wasm::ResourceError("resource exhausted: the arena's function table is full");
  if (im.host_funcs.size() <= *idx) im.host_funcs.resize(*idx + 1);
  im.host_funcs[*idx] = std::move(fn);
  if (im.func_types.size() <= *idx) im.func_types.resize(*idx + 1);
  im.func_types[*idx] = type_id;
  im.code_table[*idx] = im.executor->HostFunctionEntry(*idx);
  return *idx;
}

uint32_t JitStore::AddTable(const TableType& type) {
  impl_->budget.CheckTable(type, arena_->LiveTableEntries());
  auto t = arena_->AddTable(type);
  if (!t)
    throw wasm::ResourceError(fmt::format(
        "resource exhausted: the arena cannot hold a table of {} entries", type.limits.min));
  impl_->budget.AddTable(type);
  impl_->table_by_desc[arena_->table_desc_offset(*t)] = *t;
  impl_->table_max.resize(*t + 1);
  impl_->table_max[*t] = type.limits.max;
  return *t;
}

uint32_t JitStore::AddMemory(const MemoryType& type) {
  if (type.limits.min > config_.max_memory_pages)
    throw wasm::ResourceError(
        wasm::MemoryPagesLimitMessage(type.limits.min, config_.max_memory_pages));
  impl_->budget.CheckMemory(type);
  auto m = arena_->AddMemory(type);
  if (!m)
    throw wasm::ResourceError(fmt::format(
        "resource exhausted: the arena cannot hold a memory of {} pages", type.limits.min));
  impl_->budget.AddMemory(type);
  impl_->memory_by_desc[arena_->memory_desc_offset(*m)] = *m;
  impl_->memory_max.resize(*m + 1);
  impl_->memory_max[*m] = type.limits.max;
  return *m;
}

uint32_t JitStore::AddGlobal(const GlobalType& type, Value init) {
  GlobalDef def{impl_->host_globals++, type.type, init.bits, init.hi};
  auto off = arena_->AddGlobals(std::string("host"), std::span(&def, 1));
  if (!off) throw wasm::ResourceError("resource exhausted: the arena cannot hold a global");
  impl_->globals.push_back({type, *off});
  return static_cast<uint32_t>(impl_->globals.size() - 1);
}

ExternType JitStore::TypeOf(const ExternVal& ev) const {
  ExternType t;
  t.kind = ev.kind;
  switch (ev.kind) {
    case ExternKind::Func: t.func = impl_->types[impl_->func_types[ev.addr]]; break;
    case ExternKind::Table: {
      const TableDesc& d = arena_->table(ev.addr);
      t.table.elem = static_cast<ValType>(d.elem_type);
      t.table.limits.min = d.size;
      t.table.limits.max = impl_->table_max[ev.addr];
      break;
    }
    case ExternKind::Memory: {
      const MemoryDesc& d = arena_->memory(ev.addr);
      t.memory.limits.min = d.size_bytes / kPageSize;
      t.memory.limits.max = impl_->memory_max[ev.addr];
      break;
    }
    case ExternKind::Global: t.global = impl_->globals[ev.addr].type; break;
  }
  return t;
}

namespace {

// The outcome recorded in the arena header when code left through `exit`.
Outcome OutcomeFromHeader(const ArenaHeader& h) {
  switch (static_cast<ExitReason>(h.exit_reason)) {
    case ExitReason::kCallStackExhausted: return Outcome::Exhausted(ExhaustionKind::kCallStack);
    case ExitReason::kFuelExhausted: return Outcome::Exhausted(ExhaustionKind::kFuel);
    case ExitReason::kTrapped:
      if (h.trap_kind != 0) return Outcome::Trap(static_cast<TrapKind>(h.trap_kind - 1));
      break;
    default: break;
  }
  return Outcome::InternalError(fmt::format("JIT code left through exit with exit_reason {} and "
                                            "trap_kind {}", h.exit_reason, h.trap_kind));
}

}  // namespace

JitInstantiateResult JitStore::Instantiate(std::shared_ptr<const Module> module,
                                           std::span<const ExternVal> imports) {
  Impl& im = *impl_;
  Arena& ar = *arena_;
  const Module& m = *module;
  if (imports.size() != m.imports.size())
    throw LinkError(fmt::format("unknown import: {} imports given, module has {}", imports.size(),
                                m.imports.size()));
  // Spec 4.5.4 steps 3-4: the external values must match the import types.
  for (size_t i = 0; i < imports.size(); ++i) {
    if (auto why = ImportMismatch(m, m.imports[i], TypeOf(imports[i])))
      throw LinkError(fmt::format("incompatible import type: \"{}\" \"{}\": {}", m.imports[i].module,
                                  m.imports[i].name, *why));
  }

  InstanceInfo inst;
  inst.module = module;
  const uint32_t inst_index = ar.instance_count();
  InstanceShape shape;
  for (const FuncType& t : m.types) shape.type_ids.push_back(im.InternType(t));
  for (const ExternVal& ev : imports) {
    switch (ev.kind) {
      case ExternKind::Func: inst.funcs.push_back(ev.addr); break;
      case ExternKind::Table: inst.tables.push_back(ev.addr); break;
      case ExternKind::Memory: inst.memories.push_back(ev.addr); break;
      case ExternKind::Global: inst.globals.push_back(ev.addr); break;
    }
  }
  // Spec 4.5.3.10 allocmodule: functions, tables, memories, globals, segments.
  for (uint32_t i = m.num_imported_funcs; i < m.func_types.size(); ++i) {
    uint32_t type_id = shape.type_ids[m.func_types[i]];
    auto idx = ar.AddFunction(FuncDesc{type_id, inst_index, i, 0});
    if (!idx) throw wasm::ResourceError("resource exhausted: the arena's function table is full");
    if (im.func_types.size() <= *idx) im.func_types.resize(*idx + 1);
    if (im.host_funcs.size() <= *idx) im.host_funcs.resize(*idx + 1);
    im.func_types[*idx] = type_id;
    inst.funcs.push_back(*idx);
  }
  for (size_t i = m.num_imported_tables; i < m.tables.size(); ++i)
    inst.tables.push_back(AddTable(m.tables[i]));
  for (size_t i = m.num_imported_memories; i < m.memories.size(); ++i)
    inst.memories.push_back(AddMemory(m.memories[i]));
  auto global_value = [&](uint32_t g) {
    const GlobalInfo& gi = im.globals[inst.globals[g]];
    const GlobalSlot& slot = *ar.at<GlobalSlot>(gi.offset);
    return Value{gi.type.type, slot.lo, slot.hi};
  };
  auto func_ref = [&](uint32_t f) -> uint64_t { return inst.funcs[f]; };
  {
    std::vector<GlobalDef> defs;
    for (size_t i = m.num_imported_globals; i < m.globals.size(); ++i) {
      Value v = EvalConstExpr(m.globals[i].init, m.globals[i].type.type, global_value, func_ref);
      defs.push_back(GlobalDef{static_cast<uint32_t>(i), v.type, v.bits, v.hi});
    }
    if (!defs.empty()) {
      auto first = ar.AddGlobals(inst_index, defs);
      if (!first) throw wasm::ResourceError("resource exhausted: the arena cannot hold the instance's globals");
      for (size_t k = 0; k < defs.size(); ++k) {
        im.globals.push_back({m.globals[m.num_imported_globals + k].type,
                              *first + static_cast<uint32_t>(16 * k)});
        inst.globals.push_back(static_cast<uint32_t>(im.globals.size() - 1));
      }
    }
  }
  shape.functions = inst.funcs;
  shape.tables = inst.tables;
  shape.memories = inst.memories;
  for (uint32_t g : inst.globals) shape.global_offsets.push_back(im.globals[g].offset);
  shape.num_data_segments = static_cast<uint32_t>(m.datas.size());
  shape.num_elem_segments = static_cast<uint32_t>(m.elems.size());
  auto added = ar.AddInstance(shape);
  if (!added) throw wasm::ResourceError("resource exhausted: the arena cannot hold an instance");
  const InstanceDesc& idesc = *ar.at<InstanceDesc>(ar.instance_desc_offset(*added));
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ElemSegment& seg = m.elems[i];
    ElemSegInfo e{seg.type, {}, idesc.elem_dropped_offset + static_cast<uint32_t>(i)};
    for (const ConstExpr& ce : seg.init)
      e.refs.push_back(EvalConstExpr(ce, seg.type, global_value, func_ref).bits);
    im.elems.push_back(std::move(e));
    inst.elems.push_back(static_cast<uint32_t>(im.elems.size() - 1));
  }
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const DataSegment& seg = m.datas[i];
    im.datas.push_back({module->bytes.data() + seg.data_offset, seg.data_size,
                        idesc.data_dropped_offset + static_cast<uint32_t>(i)});
    inst.datas.push_back(static_cast<uint32_t>(im.datas.size() - 1));
  }

  // Compile every defined function against the instance's layout, then link them into one
  // chunk of code and fill the code table.
  InstanceLayout layout;
  layout.func_index = inst.funcs;
  layout.type_id = shape.type_ids;
  for (uint32_t g : inst.globals) layout.global_offset.push_back(im.globals[g].offset);
  for (uint32_t mem : inst.memories) {
    layout.memory_desc_offset.push_back(ar.memory_desc_offset(mem));
    layout.memory_data_offset.push_back(ar.memory(mem).data_offset);
  }
  for (uint32_t t : inst.tables) layout.table_desc_offset.push_back(ar.table_desc_offset(t));
  layout.elem_index = inst.elems;
  layout.data_index = inst.datas;
  layout.func_desc_offset = ar.header().func_descs_offset;
  layout.trap_kind_offset = offsetof(ArenaHeader, trap_kind);
  layout.call_depth_offset = offsetof(ArenaHeader, call_depth);
  layout.max_call_depth_offset = offsetof(ArenaHeader, max_call_depth);
  layout.fuel_offset = offsetof(ArenaHeader, fuel);
  CompileOptions opts;
  opts.metered = config_.fuel != 0;
  opts.nan_canonical = config_.nan_canonical;
  opts.record_forms = config_.record_forms;
  opts.seed_faults = config_.seed_faults;
  opts.bounds_mutant = config_.bounds_mutant;
  opts.opcode_coverage = config_.opcode_coverage;
  opts.code_table_address = reinterpret_cast<uint64_t>(im.code_table);
  opts.runtime_table_address = im.executor->runtime_table_address();
  opts.exit_address = im.executor->exit_address();
  opts.stack_limit = host_facts().stack_limit;

  JitInstantiateResult result;
  std::vector<CompiledFunction> compiled;
  try {
    for (uint32_t f = m.num_imported_funcs; f < m.func_types.size(); ++f)
      compiled.push_back(CompileFunction(config_.arch, m, f, layout, opts));
  } catch (const UnsupportedFeature& e) {
    result.failure = Outcome::Unsupported(e.what());
    im.instances.push_back(std::move(inst));
    return result;
  }
  std::vector<uint8_t> code;
  std::vector<size_t> starts;
  for (const CompiledFunction& cf : compiled) {
    while (code.size() % 16) code.push_back(0xcc);
    starts.push_back(code.size());
    code.insert(code.end(), cf.code.begin(), cf.code.end());
  }
  for (size_t k = 0; k < compiled.size(); ++k) {
    for (auto [at, callee] : compiled[k].local_calls) {
      size_t field = starts[k] + at;
      size_t target = starts[callee - m.num_imported_funcs];
      if (config_.arch == Arch::kA64) {
        // `at` is the offset of a `bl` with a zero imm26 (word offset from the bl itself).
        int64_t words = (static_cast<int64_t>(target) - static_cast<int64_t>(field)) / 4;
        if (words < -(int64_t{1} << 25) || words >= (int64_t{1} << 25))
          throw std::runtime_error("a64: bl out of range");
        uint32_t word;
        std::memcpy(&word, code.data() + field, 4);
        word = (word & 0xfc000000u) | (static_cast<uint32_t>(words) & 0x03ffffffu);
        std::memcpy(code.data() + field, &word, 4);
        continue;
      }
      int32_t rel = static_cast<int32_t>(static_cast<int64_t>(target) -
                                         static_cast<int64_t>(field + 4));
      std::memcpy(code.data() + field, &rel, 4);
    }
  }
  std::string error;
  uint64_t chunk = im.executor->AddCode(code, &error);
  if (!chunk) throw std::runtime_error(error);
  for (size_t k = 0; k < compiled.size(); ++k) {
    uint32_t store_index = inst.funcs[m.num_imported_funcs + k];
    uint64_t address = chunk + starts[k];
    im.code_table[store_index] = address;
    code_.push_back(CodeInfo{inst_index, compiled[k].func_index, store_index, address,
                             std::move(compiled[k])});
  }
  im.instances.push_back(inst);
  const InstanceInfo& ii = im.instances.back();

  // Spec 4.5.4 steps 14-15 (Wasm 2.0): active element segments then data segments, each a
  // table.init/memory.init followed by a drop; declarative segments are dropped.
  auto offset_of = [&](const ConstExpr& e) {
    return EvalConstExpr(e, ValType::I32, global_value, func_ref).i32();
  };
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ElemSegment& seg = m.elems[i];
    ElemSegInfo& e = im.elems[ii.elems[i]];
    if (seg.mode == SegmentMode::kActive) {
      uint64_t d = offset_of(seg.offset), n = e.refs.size();
      TableDesc& t = ar.table(ii.tables[seg.table]);
      if (d + n > t.size) {
        result.failure = Outcome::Trap(TrapKind::TableOutOfBounds,
                                       fmt::format("element segment {} at {}+{} > {}", i, d, n,
                                                   t.size));
        return result;
      }
      std::copy(e.refs.begin(), e.refs.end(), ar.table_elems(ii.tables[seg.table]) + d);
    }
    if (seg.mode != SegmentMode::kPassive) {
      e.refs.clear();
      *ar.at<uint8_t>(e.flag_offset) = 1;
    }
  }
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const DataSegment& seg = m.datas[i];
    if (seg.mode != SegmentMode::kActive) continue;
    DataSegInfo& dd = im.datas[ii.datas[i]];
    uint64_t d = offset_of(seg.offset), n = dd.size;
    MemoryDesc& md = ar.memory(ii.memories[seg.memory]);
    if (d + n > md.size_bytes) {
      result.failure = Outcome::Trap(TrapKind::MemoryOutOfBounds,
                                     fmt::format("data segment {} at {}+{} > {}", i, d, n,
                                                 md.size_bytes));
      return result;
    }
    if (n) std::memcpy(ar.memory_data(ii.memories[seg.memory]) + d, dd.bytes, n);
    dd.size = 0;
    *ar.at<uint8_t>(dd.flag_offset) = 1;
  }
  if (m.start) {
    Outcome o = Invoke(ii.funcs[*m.start], {});
    if (o.kind != Outcome::Kind::kValues) {
      result.failure = o;
      return result;
    }
  }
  result.instance = inst_index;
  return result;
}

std::optional<ExternVal> JitStore::GetExport(uint32_t instance, std::string_view name) const {
  const InstanceInfo& ii = impl_->instances[instance];
  const Export* e = ii.module->FindExport(name);
  if (!e) return std::nullopt;
  switch (e->kind) {
    case ExternKind::Func: return ExternVal{e->kind, ii.funcs[e->index]};
    case ExternKind::Table: return ExternVal{e->kind, ii.tables[e->index]};
    case ExternKind::Memory: return ExternVal{e->kind, ii.memories[e->index]};
    case ExternKind::Global: return ExternVal{e->kind, ii.globals[e->index]};
  }
  return std::nullopt;
}

const Module& JitStore::ModuleOf(uint32_t instance) const {
  return *impl_->instances[instance].module;
}

const FuncType& JitStore::FuncTypeOf(uint32_t func) const {
  return impl_->types[impl_->func_types[func]];
}

Value JitStore::GlobalValue(uint32_t global) const {
  const GlobalInfo& gi = impl_->globals[global];
  const GlobalSlot& slot = *arena_->at<GlobalSlot>(gi.offset);
  return Value{gi.type.type, slot.lo, slot.hi};
}

Outcome JitStore::Invoke(uint32_t func, std::span<const Value> args) {
  Impl& im = *impl_;
  const FuncType& type = FuncTypeOf(func);
  if (im.host_funcs.size() > func && im.host_funcs[func]) return im.host_funcs[func](args);
  // Each value in ArgUnits 8-byte slots (a v128: its low half, then its high half).
  const uint32_t units = ArgUnits(type);
  ArenaHeader& h = arena_->header();
  h.trap_kind = 0;
  h.exit_reason = static_cast<uint32_t>(ExitReason::kNone);
  h.call_depth = 0;
  size_t slots = units * std::max(type.params.size(), type.results.size());
  uint64_t top = reinterpret_cast<uint64_t>(im.stack + im.stack_bytes);
  uint64_t sp = (top - 8 * slots - 64) & ~uint64_t{15};
  uint64_t* area = reinterpret_cast<uint64_t*>(sp);
  for (size_t i = 0; i < args.size(); ++i) {
    area[units * i] = args[i].bits;
    if (units == 2) area[units * i + 1] = args[i].hi;
  }
  uint64_t status;
  {
    CurrentStore cs(this);
    status = im.executor->Call(im.code_table[func], sp);
  }
  h.call_depth = 0;
  if (status != 0) {
    Outcome out = OutcomeFromHeader(h);
    if (out.kind == Outcome::Kind::kInternalError)
      if (std::string why = im.executor->LastError(); !why.empty()) out.message = why;
    return out;
  }
  h.exit_reason = static_cast<uint32_t>(ExitReason::kReturned);
  std::vector<Value> results(type.results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    uint64_t bits = area[units * i];
    if (type.results[i] == ValType::I32 || type.results[i] == ValType::F32) bits &= 0xffffffffu;
    results[i] = Value{type.results[i], bits, type.results[i] == ValType::V128 ? area[units * i + 1] : 0};
  }
  return Outcome::Values(std::move(results));
}

InstanceState JitStore::State(uint32_t instance) const {
  const InstanceInfo& ii = impl_->instances[instance];
  const Arena& ar = *arena_;
  InstanceState st;
  for (uint32_t m : ii.memories)
    st.memories.push_back({ar.memory_data(m), ar.memory(m).size_bytes});
  for (uint32_t g : ii.globals) st.globals.push_back(GlobalValue(g));
  for (uint32_t t : ii.tables) {
    st.tables.push_back({ar.table_elems(t), ar.table(t).size});
    st.table_types.push_back(static_cast<ValType>(ar.table(t).elem_type));
  }
  for (uint32_t d : ii.datas) st.data_dropped.push_back(*ar.at<uint8_t>(impl_->datas[d].flag_offset));
  for (uint32_t e : ii.elems) st.elem_dropped.push_back(*ar.at<uint8_t>(impl_->elems[e].flag_offset));
  return st;
}

FuncIdentity JitStore::FuncIdentityOf(uint64_t func) const {
  const FuncDesc& d = arena_->func(static_cast<uint32_t>(func));
  if (d.flags & kFuncHost) return {kHostInstance, static_cast<uint32_t>(func)};
  return {d.instance, d.func_index};
}

JitStore::HostFacts JitStore::host_facts() const {
  const Impl& im = *impl_;
  HostFacts f;
  f.code_table = reinterpret_cast<uint64_t>(im.code_table);
  f.code_table_entries = im.code_table_bytes / sizeof(uint64_t);
  f.runtime_table = im.executor->runtime_table_address();
  f.runtime_entries = static_cast<uint64_t>(RuntimeCall::kCount);
  f.exit = im.executor->exit_address();
  f.stack_base = reinterpret_cast<uint64_t>(im.stack);
  f.stack_top = f.stack_base + im.stack_bytes;
  // 1 MiB above the mapping's bottom (a guard page): room for the deepest frame a function
  // can have once its entry check passed (docs/verifier.md, axiom "stack margin").
  f.stack_limit = f.stack_base + (1 << 20);
  return f;
}

JitInstantiateResult InstantiateWithStandIns(JitStore& store, std::shared_ptr<const wasm::Module> module) {
  std::vector<wasm::ExternVal> imports;
  for (const wasm::Import& imp : module->imports) {
    wasm::ExternVal ev{imp.kind, 0};
    switch (imp.kind) {
      case wasm::ExternKind::Func: {
        const wasm::FuncType& t = module->types.at(imp.func_type_index);
        ev.addr = store.AddHostFunc(t, [t](std::span<const wasm::Value>) {
          std::vector<wasm::Value> r;
          for (wasm::ValType v : t.results) r.push_back(wasm::Value{v, 0, 0});
          return wasm::Outcome::Values(std::move(r));
        });
        break;
      }
      case wasm::ExternKind::Table: ev.addr = store.AddTable(imp.table); break;
      case wasm::ExternKind::Memory: ev.addr = store.AddMemory(imp.memory); break;
      case wasm::ExternKind::Global:
        ev.addr = store.AddGlobal(imp.global, wasm::Value{imp.global.type, 0, 0});
        break;
    }
    imports.push_back(ev);
  }
  return store.Instantiate(std::move(module), imports);
}

}  // namespace tandem::jit
