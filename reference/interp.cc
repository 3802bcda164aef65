// interp.cc: the reference interpreter (Spec 4 "Execution"): store, instantiation, invocation.
// Each function body is lowered once to a flat form with resolved branch targets (labels become
// (pc, arity, height) triples, Spec 4.4.8); the loop below then mirrors the reduction rules.
#include "reference/interp.h"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "reference/limits.h"
#include "reference/numerics.h"
#include "reference/simd.h"

namespace tandem::ref {

using namespace wasm;

namespace {

constexpr uint32_t kHostInstance = ~uint32_t{0};
// Tables may not grow past this many entries (an implementation limit every engine shares).

// A lowered instruction. For most opcodes a/b/c are the decoded immediates (opcodes.h), with
// indices resolved to store addresses. Control transfers carry resolved targets:
//   Br/BrIf:  a = target pc, b = arity, c = height to unwind to (slots above the frame base)
//   BrTable:  a = first BrTarget, b = number of targets (default last, included)
//   If:       a = pc of the else branch (or of the end when there is none)
//   Else:     a = pc after the end (reached by falling off the then-branch)
//   Return:   b = arity
// Vector instructions: memory forms a = memory address, b = lane (lane forms), c = offset;
// extract/replace_lane a = lane; v128.const and i8x16.shuffle keep the 16 bytes as Instr does
// (c = bytes 0..7, a = bytes 8..11, b = bytes 12..15).
struct LInstr {
  Op op;
  uint32_t a = 0;
  uint32_t b = 0;
  uint64_t c = 0;
};

// One operand or local: every value takes one slot, v128 included. Scalar values live in `lo`
// (assignment and conversion read and write only `lo`); v128 uses both halves.
struct Slot {
  uint64_t lo;
  uint64_t hi;
  operator uint64_t() const { return lo; }
  Slot& operator=(uint64_t v) {
    lo = v;
    return *this;
  }
};

// A value leaving the interpreter: a scalar slot's `hi` may hold a stale half of an earlier
// v128, so only v128 values keep it.
inline Value SlotValue(ValType t, uint64_t lo, uint64_t hi) {
  return Value{t, lo, t == ValType::V128 ? hi : 0};
}

struct BrTarget {
  uint32_t pc;
  uint32_t arity;
  uint32_t height;
};

struct LoweredFunc {
  std::vector<LInstr> code;
  std::vector<BrTarget> targets;
  std::vector<ValType> local_types;  // declared locals (params excluded)
  uint32_t num_params = 0;
  uint32_t num_results = 0;
  uint32_t max_height = 0;  // locals + deepest operand stack, in slots
  // Where the function sits (Store::fuel_stop names the place fuel ran out).
  uint32_t instance = 0;
  uint32_t func_index = 0;
  uint32_t entry_offset = 0;  // the wasm offset of the body's first instruction
};

}  // namespace

// ---- Store objects (Spec 4.2.3-4.2.11) --------------------------------------------------------

struct FuncInst {
  uint32_t type_id;  // store-canonical type id (structural)
  uint32_t instance = kHostInstance;
  uint32_t func_index = 0;  // index in the module's function space
  HostFunc host;
  std::unique_ptr<LoweredFunc> lowered;  // built on first call
};

// Linear memory: a reservation of the maximum size, committed as it grows (pages stay zero).
struct MemInst {
  MemoryType type;
  uint8_t* data = nullptr;
  uint64_t size = 0;      // bytes
  uint64_t reserved = 0;  // bytes
  ~MemInst() {
    if (data) munmap(data, reserved);
  }
  uint64_t pages() const { return size / kPageSize; }
};

struct TableInst {
  TableType type;
  std::vector<uint64_t> elems;
};

struct GlobalInst {
  GlobalType type;
  uint64_t bits = 0;
  uint64_t hi = 0;
};

struct ElemInst {
  ValType type;
  std::vector<uint64_t> elems;  // emptied by elem.drop
  bool dropped = false;
};

struct DataInst {
  const uint8_t* bytes = nullptr;  // points into the module's binary (kept alive by ModuleInst)
  uint32_t size = 0;               // 0 after data.drop
  bool dropped = false;
};

struct ModuleInst {
  std::shared_ptr<const Module> module;
  std::vector<uint32_t> types;  // module type index -> store type id
  std::vector<uint32_t> funcs, tables, mems, globals, elems, datas;
};

struct Store::Impl {
  ExecConfig config;
  std::vector<FuncType> types;
  std::map<std::pair<std::vector<ValType>, std::vector<ValType>>, uint32_t> type_ids;
  std::vector<std::unique_ptr<FuncInst>> funcs;
  std::vector<std::unique_ptr<TableInst>> tables;
  std::vector<std::unique_ptr<MemInst>> mems;
  std::vector<GlobalInst> globals;
  std::vector<ElemInst> elems;
  std::vector<DataInst> datas;
  std::vector<ModuleInst> instances;
  uint64_t fuel_left = 0;
  std::optional<FuelStop> fuel_stop;  // where the last invocation ran out of fuel
  wasm::StoreBudget budget;         // limits.h: what the store may allocate
  uint64_t live_table_entries = 0;  // summed over `tables`

  std::vector<Slot> stack;

  struct Template {
    size_t types = 0, funcs = 0;
    std::vector<TableInst> tables;                // contents at SaveTemplate
    std::vector<std::vector<uint8_t>> mem_bytes;  // each memory's bytes at SaveTemplate
    std::vector<GlobalInst> globals;
    std::vector<ElemInst> elems;
    std::vector<DataInst> datas;
    std::vector<ModuleInst> instances;
    wasm::StoreBudget budget;
    uint64_t live_table_entries = 0;
  };
  std::unique_ptr<Template> tmpl;
  // Memories of earlier cases, decommitted, kept for reuse by AllocMemory (same reservation).
  std::vector<std::unique_ptr<MemInst>> spare_mems;

  uint32_t InternType(const FuncType& t);
  uint32_t AllocMemory(const MemoryType& t);
  bool GrowMemory(MemInst& m, uint64_t delta_pages);
  void Lower(FuncInst& f);
  Outcome Execute(uint32_t func_addr, std::span<const Value> args);
  // Out of line, so that the scalar loop's code and registers stay as they were.
  [[gnu::noinline]] Slot* ExecSimd(const LInstr& li, Slot* sp);
  Outcome simd_trap;  // set by ExecSimd when it returns nullptr
  Outcome EvalConst(const ModuleInst& inst, const ConstExpr& e, ValType type, Value* out);
};

uint32_t Store::Impl::InternType(const FuncType& t) {
  auto key = std::make_pair(t.params, t.results);
  auto it = type_ids.find(key);
  if (it != type_ids.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(types.size());
  types.push_back(t);
  type_ids.emplace(std::move(key), id);
  return id;
}

uint32_t Store::Impl::AllocMemory(const MemoryType& t) {
  if (t.limits.min > config.max_memory_pages)
    throw wasm::ResourceError(wasm::MemoryPagesLimitMessage(t.limits.min, config.max_memory_pages));
  budget.CheckMemory(t);
  uint64_t max_pages = t.limits.max ? *t.limits.max : kMaxMemoryPages;
  const uint64_t reserved = std::max<uint64_t>(max_pages * kPageSize, kPageSize);
  std::unique_ptr<MemInst> m;
  for (auto it = spare_mems.begin(); it != spare_mems.end(); ++it)
    if ((*it)->reserved == reserved) {
      m = std::move(*it);
      spare_mems.erase(it);
      break;
    }
  if (!m) {
    m = std::make_unique<MemInst>();
    m->reserved = reserved;
    void* p = mmap(nullptr, m->reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
      throw wasm::ResourceError(fmt::format(
          "resource exhausted: cannot reserve {} bytes for a linear memory", m->reserved));
    m->data = static_cast<uint8_t*>(p);
  }
  m->type = t;
  if (!GrowMemory(*m, t.limits.min))
    throw wasm::ResourceError(fmt::format(
        "resource exhausted: cannot commit {} pages of linear memory", t.limits.min));
  budget.AddMemory(t);
  mems.push_back(std::move(m));
  return static_cast<uint32_t>(mems.size() - 1);
}

// Spec 4.5.3.9 growmem. Fails (returns false) beyond the maximum or the 4 GiB limit.
bool Store::Impl::GrowMemory(MemInst& m, uint64_t delta) {
  uint64_t old_pages = m.pages();
  uint64_t max = m.type.limits.max ? *m.type.limits.max : kMaxMemoryPages;
  max = std::min(max, config.max_memory_pages);
  if (delta > max || old_pages + delta > max) return false;
  uint64_t new_size = (old_pages + delta) * kPageSize;
  if (new_size > m.size) {
    if (mprotect(m.data + m.size, new_size - m.size, PROT_READ | PROT_WRITE) != 0) return false;
  }
  m.size = new_size;
  return true;
}

// ---- Lowering ---------------------------------------------------------------------------------

void Store::Impl::Lower(FuncInst& f) {
  const ModuleInst& inst = instances[f.instance];
  const Module& mod = *inst.module;
  const FunctionBody& body = mod.code[f.func_index - mod.num_imported_funcs];
  const FuncType& ft = mod.types[body.type_index];
  auto lf = std::make_unique<LoweredFunc>();
  lf->instance = f.instance;
  lf->func_index = f.func_index;
  lf->entry_offset = body.code.empty() ? body.body_offset : body.code.front().offset;
  lf->num_params = static_cast<uint32_t>(ft.params.size());
  lf->num_results = static_cast<uint32_t>(ft.results.size());
  for (const LocalDecl& d : body.locals) lf->local_types.insert(lf->local_types.end(), d.count, d.type);
  const uint32_t num_locals = lf->num_params + static_cast<uint32_t>(lf->local_types.size());

  struct Ctrl {
    Op kind;             // Block, Loop, If, or End for the function body
    uint32_t height;     // operand height at entry, params excluded (absolute slots)
    uint32_t params;
    uint32_t results;
    uint32_t start_pc;   // loop: branch target
    uint32_t if_pc;      // if: index of the If instruction to patch
    uint32_t else_pc = ~0u;
    bool unreachable = false;
    std::vector<uint32_t> fixups = {};  // Br/BrIf/Else instructions whose target pc is the end
    std::vector<uint32_t> target_fixups = {};  // br_table targets likewise
  };
  auto block_arity = [&](uint64_t imm, uint32_t* params, uint32_t* results) {
    BlockType bt = BlockType::FromImm(imm);
    *params = 0;
    *results = bt.kind == BlockType::kValue ? 1 : 0;
    if (bt.kind == BlockType::kIndex) {
      *params = static_cast<uint32_t>(mod.types[bt.index].params.size());
      *results = static_cast<uint32_t>(mod.types[bt.index].results.size());
    }
  };

  std::vector<Ctrl> ctrl;
  ctrl.push_back({Op::End, num_locals, 0, lf->num_results, 0, 0});
  uint32_t height = num_locals;
  uint32_t max_height = height;
  // Dead code after an unconditional transfer is skipped, counting only nested blocks.
  uint32_t dead_depth = 0;
  bool dead = false;
  auto& code = lf->code;
  code.reserve(body.code.size());

  auto emit = [&](LInstr li) {
    code.push_back(li);
    return static_cast<uint32_t>(code.size() - 1);
  };
  auto push = [&](uint32_t n) {
    height += n;
    max_height = std::max(max_height, height);
  };
  auto pop = [&](uint32_t n) { height -= n; };
  // Branch to label `depth`: returns arity and fills target info, registering fixups.
  auto label = [&](uint32_t depth, uint32_t instr_index, bool is_table, uint32_t table_slot) {
    Ctrl& c = ctrl[ctrl.size() - 1 - depth];
    uint32_t arity = c.kind == Op::Loop ? c.params : c.results;
    BrTarget t{c.kind == Op::Loop ? c.start_pc : 0, arity, c.height};
    if (c.kind != Op::Loop) {
      if (is_table) c.target_fixups.push_back(table_slot);
      else c.fixups.push_back(instr_index);
    }
    return t;
  };

  for (const Instr& in : body.code) {
    if (dead) {
      switch (in.op) {
        case Op::Block: case Op::Loop: case Op::If: ++dead_depth; break;
        case Op::Else:
          if (dead_depth == 0) dead = false;
          break;
        case Op::End:
          if (dead_depth == 0) dead = false;
          else --dead_depth;
          break;
        default: break;
      }
      if (dead) continue;
    }
    const OpInfo& info = GetOpInfo(in.op);
    switch (in.op) {
      case Op::Nop: emit({Op::Nop}); break;  // executed, so that coverage sees it
      case Op::Unreachable:
        emit({Op::Unreachable});
        dead = true;
        break;
      case Op::Block:
      case Op::Loop: {
        uint32_t p, r;
        block_arity(in.c, &p, &r);
        Ctrl c{in.op, height - p, p, r, static_cast<uint32_t>(code.size()), 0};
        // Fuel is counted at loop headers; `a` keeps the loop's wasm offset (Store::fuel_stop).
        if (in.op == Op::Loop) emit({Op::Loop, in.offset});
        ctrl.push_back(std::move(c));
        break;
      }
      case Op::If: {
        uint32_t p, r;
        block_arity(in.c, &p, &r);
        pop(1);
        uint32_t at = emit({Op::If});
        ctrl.push_back({Op::If, height - p, p, r, 0, at});
        break;
      }
      case Op::Else: {
        Ctrl& c = ctrl.back();
        if (!c.unreachable) c.fixups.push_back(emit({Op::Else}));
        c.else_pc = static_cast<uint32_t>(code.size());
        code[c.if_pc].a = c.else_pc;
        height = c.height + c.params;
        c.unreachable = false;
        break;
      }
      case Op::End: {
        Ctrl c = std::move(ctrl.back());
        ctrl.pop_back();
        uint32_t end_pc = static_cast<uint32_t>(code.size());
        if (ctrl.empty()) {  // the function's final end: return
          emit({Op::Return, 0, lf->num_results});
          end_pc = static_cast<uint32_t>(code.size() - 1);
        }
        if (c.kind == Op::If && c.else_pc == ~0u) code[c.if_pc].a = end_pc;
        for (uint32_t i : c.fixups) code[i].a = end_pc;
        for (uint32_t t : c.target_fixups) lf->targets[t].pc = end_pc;
        height = c.height + c.results;
        max_height = std::max(max_height, height);
        break;
      }
      case Op::Br: {
        uint32_t at = static_cast<uint32_t>(code.size());
        BrTarget t = label(in.a, at, false, 0);
        emit({Op::Br, t.pc, t.arity, t.height});
        dead = true;
        break;
      }
      case Op::BrIf: {
        pop(1);
        uint32_t at = static_cast<uint32_t>(code.size());
        BrTarget t = label(in.a, at, false, 0);
        emit({Op::BrIf, t.pc, t.arity, t.height});
        break;
      }
      case Op::BrTable: {
        pop(1);
        uint32_t first = static_cast<uint32_t>(lf->targets.size());
        for (uint32_t i = 0; i <= in.b; ++i) {
          uint32_t slot = static_cast<uint32_t>(lf->targets.size());
          lf->targets.push_back({});
          lf->targets[slot] = label(body.br_table_pool[in.a + i], 0, true, slot);
        }
        emit({Op::BrTable, first, in.b + 1});
        dead = true;
        break;
      }
      case Op::Return:
        emit({Op::Return, 0, lf->num_results});
        dead = true;
        break;
      case Op::Call: {
        const FuncType& t = mod.FuncTypeOf(in.a);
        pop(static_cast<uint32_t>(t.params.size()));
        push(static_cast<uint32_t>(t.results.size()));
        emit({Op::Call, inst.funcs[in.a]});
        break;
      }
      case Op::CallIndirect: {
        const FuncType& t = mod.types[in.a];
        pop(1 + static_cast<uint32_t>(t.params.size()));
        push(static_cast<uint32_t>(t.results.size()));
        emit({Op::CallIndirect, inst.types[in.a], inst.tables[in.b]});
        break;
      }
      case Op::RefNull: push(1); emit({Op::RefNull}); break;
      case Op::RefIsNull: emit({Op::RefIsNull}); break;
      case Op::RefFunc: push(1); emit({Op::RefFunc, inst.funcs[in.a]}); break;
      case Op::Drop: pop(1); emit({Op::Drop}); break;
      case Op::Select:
      case Op::SelectT: pop(2); emit({in.op}); break;
      case Op::LocalGet: push(1); emit({Op::LocalGet, in.a}); break;
      case Op::LocalSet: pop(1); emit({Op::LocalSet, in.a}); break;
      case Op::LocalTee: emit({Op::LocalTee, in.a}); break;
      case Op::GlobalGet: push(1); emit({Op::GlobalGet, inst.globals[in.a]}); break;
      case Op::GlobalSet: pop(1); emit({Op::GlobalSet, inst.globals[in.a]}); break;
      case Op::TableGet: emit({Op::TableGet, inst.tables[in.a]}); break;
      case Op::TableSet: pop(2); emit({Op::TableSet, inst.tables[in.a]}); break;
      case Op::TableGrow: pop(1); emit({Op::TableGrow, inst.tables[in.a]}); break;
      case Op::TableFill: pop(3); emit({Op::TableFill, inst.tables[in.a]}); break;
      case Op::TableSize: push(1); emit({Op::TableSize, inst.tables[in.a]}); break;
      case Op::TableInit: pop(3); emit({Op::TableInit, inst.elems[in.a], inst.tables[in.b]}); break;
      case Op::TableCopy: pop(3); emit({Op::TableCopy, inst.tables[in.a], inst.tables[in.b]}); break;
      case Op::ElemDrop: emit({Op::ElemDrop, inst.elems[in.a]}); break;
      case Op::MemoryInit: pop(3); emit({Op::MemoryInit, inst.datas[in.a], inst.mems[in.b]}); break;
      case Op::DataDrop: emit({Op::DataDrop, inst.datas[in.a]}); break;
      case Op::MemoryCopy: pop(3); emit({Op::MemoryCopy, inst.mems[in.a], inst.mems[in.b]}); break;
      case Op::MemoryFill: pop(3); emit({Op::MemoryFill, inst.mems[in.a]}); break;
      case Op::MemorySize: push(1); emit({Op::MemorySize, inst.mems[in.a]}); break;
      case Op::MemoryGrow: emit({Op::MemoryGrow, inst.mems[in.a]}); break;
      default: {
        // Plain operators: the table's signature gives the stack effect.
        if (MemAccessSize(info.imm) != 0) {
          emit({in.op, inst.mems[in.b], 0, in.c});
        } else if (MemLaneSize(info.imm) != 0) {
          emit({in.op, inst.mems[in.b], in.lane, in.c});
        } else if (info.imm == ImmKind::LaneIdx) {
          emit({in.op, in.lane});
        } else {
          emit({in.op, in.a, in.b, in.c});
        }
        uint32_t pops = (info.p1 != SigType::None) + (info.p2 != SigType::None) +
                        (info.p3 != SigType::None);
        pop(pops);
        if (info.result != SigType::None) push(1);
        break;
      }
    }
    if (dead) {
      ctrl.back().unreachable = true;
      dead_depth = 0;
    }
  }
  lf->max_height = max_height;
  f.lowered = std::move(lf);
}

// ---- Execution --------------------------------------------------------------------------------

namespace {

struct Frame {
  const LoweredFunc* fn;
  uint32_t pc;       // resume point
  size_t fp;         // frame base (offset in the value stack)
};

template <typename T>
T LoadLE(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T>
void StoreLE(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

inline float F32(uint64_t s) { return std::bit_cast<float>(static_cast<uint32_t>(s)); }
inline double F64(uint64_t s) { return std::bit_cast<double>(s); }

}  // namespace

Outcome Store::Impl::Execute(uint32_t entry, std::span<const Value> args) {
  const bool canon = config.nan_canonical;
  const bool metered = config.fuel != 0;
  auto slot32 = [](float f) -> uint64_t { return std::bit_cast<uint32_t>(f); };
  auto slot64 = [](double d) -> uint64_t { return std::bit_cast<uint64_t>(d); };
  auto fres = [canon](float f) -> uint64_t {
    if (canon && f != f) return num::kF32CanonicalNaN;
    return std::bit_cast<uint32_t>(f);
  };
  auto dres = [canon](double d) -> uint64_t {
    if (canon && d != d) return num::kF64CanonicalNaN;
    return std::bit_cast<uint64_t>(d);
  };

  const FuncType& entry_type = types[funcs[entry]->type_id];
  if (stack.size() < 1024) stack.resize(1 << 16);
  for (size_t i = 0; i < args.size(); ++i) stack[i] = Slot{args[i].bits, args[i].hi};

  std::vector<Frame> frames;
  frames.reserve(64);
  Slot* sp = stack.data() + args.size();  // next free slot
  Slot* fp = nullptr;
  const LoweredFunc* fn = nullptr;
  const LInstr* code = nullptr;
  uint32_t pc = 0;

  // Enters function `addr` whose arguments sit at sp - nparams. Returns an outcome on failure.
  // Host functions run to completion here.
  auto enter = [&](uint32_t addr, uint32_t return_pc) -> std::optional<Outcome> {
    FuncInst& f = *funcs[addr];
    const FuncType& ft = types[f.type_id];
    uint32_t np = static_cast<uint32_t>(ft.params.size());
    if (f.host) {
      std::vector<Value> hargs(np);
      for (uint32_t i = 0; i < np; ++i) {
        const Slot& a = sp[static_cast<ptrdiff_t>(i) - np];
        hargs[i] = SlotValue(ft.params[i], a.lo, a.hi);
      }
      Outcome o = f.host(hargs);
      if (o.kind != Outcome::Kind::kValues) return o;
      sp -= np;
      for (const Value& v : o.values) *sp++ = Slot{v.bits, v.hi};
      return std::nullopt;
    }
    if (frames.size() >= config.max_call_depth) return Outcome::Exhausted(ExhaustionKind::kCallStack);
    if (!f.lowered) Lower(f);
    const LoweredFunc* lf = f.lowered.get();
    if (metered) {
      if (fuel_left == 0) {
        fuel_stop = FuelStop{lf->instance, lf->func_index, lf->entry_offset, false};
        return Outcome::Exhausted(ExhaustionKind::kFuel);
      }
      --fuel_left;
    }
    size_t new_fp = static_cast<size_t>(sp - stack.data()) - np;
    if (new_fp + lf->max_height + 8 > stack.size()) {
      size_t sp_off = static_cast<size_t>(sp - stack.data());
      size_t fp_off = fp ? static_cast<size_t>(fp - stack.data()) : 0;
      stack.resize(std::max(stack.size() * 2, new_fp + lf->max_height + 1024));
      sp = stack.data() + sp_off;
      fp = stack.data() + fp_off;
    }
    if (fn) frames.push_back({fn, return_pc, static_cast<size_t>(fp - stack.data())});
    else frames.push_back({nullptr, 0, 0});  // the caller outside wasm
    fn = lf;
    code = lf->code.data();
    pc = 0;
    fp = stack.data() + new_fp;
    sp = fp + np;
    for (ValType t : lf->local_types) *sp++ = Slot{IsRefType(t) ? kNullRef : 0, 0};
    return std::nullopt;
  };

  {
    FuncInst& f = *funcs[entry];
    if (f.host) {
      Outcome o = f.host(args);
      return o;
    }
    if (auto o = enter(entry, 0)) return *o;
  }

#define TRAP(kind, ...) return Outcome::Trap(TrapKind::kind, fmt::format(__VA_ARGS__))
#define I32_BIN(expr)                                 \
  {                                                   \
    uint32_t b = static_cast<uint32_t>(sp[-1]);       \
    uint32_t a = static_cast<uint32_t>(sp[-2]);       \
    sp[-2] = static_cast<uint32_t>(expr);             \
    --sp;                                             \
    break;                                            \
  }
#define I64_BIN(expr)        \
  {                          \
    uint64_t b = sp[-1];     \
    uint64_t a = sp[-2];     \
    sp[-2] = (expr);         \
    --sp;                    \
    break;                   \
  }
#define I32_UN(expr)                            \
  {                                             \
    uint32_t a = static_cast<uint32_t>(sp[-1]); \
    sp[-1] = static_cast<uint32_t>(expr);       \
    break;                                      \
  }
#define I64_UN(expr)     \
  {                      \
    uint64_t a = sp[-1]; \
    sp[-1] = (expr);     \
    break;               \
  }
#define F32_BIN(expr)         \
  {                           \
    float b = F32(sp[-1]);    \
    float a = F32(sp[-2]);    \
    sp[-2] = fres(expr);      \
    --sp;                     \
    break;                    \
  }
#define F64_BIN(expr)         \
  {                           \
    double b = F64(sp[-1]);   \
    double a = F64(sp[-2]);   \
    sp[-2] = dres(expr);      \
    --sp;                     \
    break;                    \
  }
#define F32_UN(expr)        \
  {                         \
    float a = F32(sp[-1]);  \
    sp[-1] = fres(expr);    \
    break;                  \
  }
#define F64_UN(expr)        \
  {                         \
    double a = F64(sp[-1]); \
    sp[-1] = dres(expr);    \
    break;                  \
  }
#define F32_CMP(expr)                 \
  {                                   \
    float b = F32(sp[-1]);            \
    float a = F32(sp[-2]);            \
    sp[-2] = (expr) ? 1u : 0u;        \
    --sp;                             \
    break;                            \
  }
#define F64_CMP(expr)                 \
  {                                   \
    double b = F64(sp[-1]);           \
    double a = F64(sp[-2]);           \
    sp[-2] = (expr) ? 1u : 0u;        \
    --sp;                             \
    break;                            \
  }
#define TRAPPING(fn, in_t, out_t)                                        \
  {                                                                      \
    out_t r;                                                             \
    TrapKind k;                                                          \
    if (!num::fn(in_t, &r, &k)) return Outcome::Trap(k, #fn);            \
    sp[-1] = r;                                                          \
    break;                                                               \
  }
#define DIV32(fn)                                                          \
  {                                                                        \
    uint32_t r;                                                            \
    TrapKind k;                                                            \
    if (!num::fn(static_cast<uint32_t>(sp[-2]), static_cast<uint32_t>(sp[-1]), &r, &k)) \
      return Outcome::Trap(k);                                             \
    sp[-2] = r;                                                            \
    --sp;                                                                  \
    break;                                                                 \
  }
#define DIV64(fn)                                      \
  {                                                    \
    uint64_t r;                                        \
    TrapKind k;                                        \
    if (!num::fn(sp[-2], sp[-1], &r, &k)) return Outcome::Trap(k); \
    sp[-2] = r;                                        \
    --sp;                                              \
    break;                                             \
  }
// Spec 4.4.7 t.load / t.store: effective address = i + memarg.offset; bounds include the size.
#define MEM_ADDR(nbytes, index_slot)                                                      \
  MemInst* m = mems[li.a].get();                                                           \
  uint64_t ea = static_cast<uint64_t>(static_cast<uint32_t>(index_slot)) + li.c;           \
  if (ea + (nbytes) > m->size)                                                             \
    TRAP(MemoryOutOfBounds, "access at {}+{} > {}", ea, nbytes, m->size);                  \
  uint8_t* p = m->data + ea;
#define LOAD(T, conv)                     \
  {                                       \
    MEM_ADDR(sizeof(T), sp[-1]);          \
    sp[-1] = conv(LoadLE<T>(p));            \
    break;                                \
  }
#define STORE(T, conv)                    \
  {                                       \
    MEM_ADDR(sizeof(T), sp[-2]);          \
    StoreLE<T>(p, static_cast<T>(conv(sp[-1]))); \
    sp -= 2;                              \
    break;                                \
  }
#define ZX32(x) static_cast<uint64_t>(static_cast<uint32_t>(x))
#define SX32(x) static_cast<uint64_t>(static_cast<uint32_t>(static_cast<int32_t>(x)))
#define SX64(x) static_cast<uint64_t>(static_cast<int64_t>(x))
#define ID(x) (x)

  uint8_t* const coverage = config.opcode_coverage;
  uint64_t* const counter = config.instruction_count;
  const bool profiled = coverage || counter;
  for (;;) {
    const LInstr& li = code[pc++];
    if (profiled) [[unlikely]] {
      if (coverage) coverage[static_cast<size_t>(li.op)] = 1;
      if (counter) ++*counter;
    }
    switch (li.op) {
      // Spec 4.4.8 control instructions.
      case Op::Unreachable: TRAP(Unreachable, "unreachable executed");
      case Op::Loop:
        if (metered) {
          if (fuel_left == 0) {
            fuel_stop = FuelStop{fn->instance, fn->func_index, li.a, true};
            return Outcome::Exhausted(ExhaustionKind::kFuel);
          }
          --fuel_left;
        }
        break;
      case Op::If:
        if (static_cast<uint32_t>(*--sp) == 0) pc = li.a;
        break;
      case Op::Else: pc = li.a; break;
      case Op::BrIf:
        if (static_cast<uint32_t>(*--sp) == 0) break;
        [[fallthrough]];
      case Op::Br: {
        Slot* dst = fp + li.c;
        if (sp - li.b != dst) std::memmove(dst, sp - li.b, li.b * sizeof(Slot));
        sp = dst + li.b;
        pc = li.a;
        break;
      }
      case Op::BrTable: {
        uint32_t i = static_cast<uint32_t>(*--sp);
        if (i >= li.b - 1) i = li.b - 1;
        const BrTarget& t = fn->targets[li.a + i];
        Slot* dst = fp + t.height;
        if (sp - t.arity != dst) std::memmove(dst, sp - t.arity, t.arity * sizeof(Slot));
        sp = dst + t.arity;
        pc = t.pc;
        break;
      }
      case Op::Return: {
        uint32_t n = li.b;
        if (sp - n != fp) std::memmove(fp, sp - n, n * sizeof(Slot));
        sp = fp + n;
        Frame fr = frames.back();
        frames.pop_back();
        if (!fr.fn) {
          std::vector<Value> results(entry_type.results.size());
          for (size_t i = 0; i < results.size(); ++i)
            results[i] = SlotValue(entry_type.results[i], stack[i].lo, stack[i].hi);
          return Outcome::Values(std::move(results));
        }
        fn = fr.fn;
        code = fn->code.data();
        pc = fr.pc;
        fp = stack.data() + fr.fp;
        break;
      }
      case Op::Call:
        if (auto o = enter(li.a, pc)) return *o;
        break;
      case Op::CallIndirect: {
        // Spec 4.4.8.11 call_indirect
        TableInst& t = *tables[li.b];
        uint32_t i = static_cast<uint32_t>(*--sp);
        if (i >= t.elems.size()) TRAP(UndefinedElement, "index {} >= table size {}", i, t.elems.size());
        uint64_t r = t.elems[i];
        if (r == kNullRef) TRAP(UninitializedElement, "table index {}", i);
        if (funcs[r]->type_id != li.a)
          TRAP(IndirectCallTypeMismatch, "expected {}, got {}", ToString(types[li.a]),
               ToString(types[funcs[r]->type_id]));
        if (auto o = enter(static_cast<uint32_t>(r), pc)) return *o;
        break;
      }

      // Spec 4.4.2 reference instructions.
      case Op::RefNull: *sp++ = kNullRef; break;
      case Op::RefIsNull: sp[-1] = sp[-1] == kNullRef ? 1 : 0; break;
      case Op::RefFunc: *sp++ = li.a; break;

      // Spec 4.4.3 parametric instructions.
      case Op::Nop: break;
      case Op::Drop: --sp; break;
      case Op::Select:
      case Op::SelectT: {
        uint32_t c = static_cast<uint32_t>(sp[-1]);
        if (c == 0) sp[-3] = sp[-2];
        sp -= 2;
        break;
      }

      // Spec 4.4.4 variable instructions.
      case Op::LocalGet: *sp++ = fp[li.a]; break;
      case Op::LocalSet: fp[li.a] = *--sp; break;
      case Op::LocalTee: fp[li.a] = sp[-1]; break;
      case Op::GlobalGet: *sp++ = Slot{globals[li.a].bits, globals[li.a].hi}; break;
      case Op::GlobalSet:
        --sp;
        globals[li.a].bits = sp->lo;
        globals[li.a].hi = sp->hi;
        break;

      // Spec 4.4.5 table instructions.
      case Op::TableGet: {
        TableInst& t = *tables[li.a];
        uint32_t i = static_cast<uint32_t>(sp[-1]);
        if (i >= t.elems.size()) TRAP(TableOutOfBounds, "table.get {} >= {}", i, t.elems.size());
        sp[-1] = t.elems[i];
        break;
      }
      case Op::TableSet: {
        TableInst& t = *tables[li.a];
        uint32_t i = static_cast<uint32_t>(sp[-2]);
        if (i >= t.elems.size()) TRAP(TableOutOfBounds, "table.set {} >= {}", i, t.elems.size());
        t.elems[i] = sp[-1];
        sp -= 2;
        break;
      }
      case Op::TableSize: *sp++ = tables[li.a]->elems.size(); break;
      case Op::TableGrow: {
        TableInst& t = *tables[li.a];
        uint64_t n = static_cast<uint32_t>(sp[-1]);
        uint64_t init = sp[-2];
        uint64_t old = t.elems.size();
        uint64_t max = t.type.limits.max ? *t.type.limits.max : 0xffffffffull;
        --sp;
        if (old + n > max || old + n > kMaxTableEntries ||
            !wasm::StoreBudget::TableGrowthFits(live_table_entries, n)) {
          sp[-1] = 0xffffffffu;
        } else {
          t.elems.resize(old + n, init);
          live_table_entries += n;
          sp[-1] = old;
        }
        break;
      }
      case Op::TableFill: {
        TableInst& t = *tables[li.a];
        uint64_t n = static_cast<uint32_t>(sp[-1]);
        uint64_t val = sp[-2];
        uint64_t i = static_cast<uint32_t>(sp[-3]);
        sp -= 3;
        if (i + n > t.elems.size()) TRAP(TableOutOfBounds, "table.fill {}+{} > {}", i, n, t.elems.size());
        std::fill_n(t.elems.begin() + i, n, val);
        break;
      }
      case Op::TableCopy: {
        TableInst& dt = *tables[li.a];
        TableInst& st = *tables[li.b];
        uint64_t n = static_cast<uint32_t>(sp[-1]);
        uint64_t s = static_cast<uint32_t>(sp[-2]);
        uint64_t d = static_cast<uint32_t>(sp[-3]);
        sp -= 3;
        if (s + n > st.elems.size() || d + n > dt.elems.size())
          TRAP(TableOutOfBounds, "table.copy {}<-{} +{}", d, s, n);
        // (n = 0 on an empty table: no memmove, whose pointers must not be null even then)
        if (n) std::memmove(dt.elems.data() + d, st.elems.data() + s, n * sizeof(uint64_t));
        break;
      }
      case Op::TableInit: {
        ElemInst& e = elems[li.a];
        TableInst& t = *tables[li.b];
        uint64_t n = static_cast<uint32_t>(sp[-1]);
        uint64_t s = static_cast<uint32_t>(sp[-2]);
        uint64_t d = static_cast<uint32_t>(sp[-3]);
        sp -= 3;
        if (s + n > e.elems.size() || d + n > t.elems.size())
          TRAP(TableOutOfBounds, "table.init {}<-{} +{}", d, s, n);
        std::copy_n(e.elems.begin() + s, n, t.elems.begin() + d);
        break;
      }
      case Op::ElemDrop:
        elems[li.a].elems.clear();
        elems[li.a].elems.shrink_to_fit();
        elems[li.a].dropped = true;
        break;

      // Spec 4.4.6 memory instructions.
      case Op::I32Load: LOAD(uint32_t, ZX32)
      case Op::I64Load: LOAD(uint64_t, ID)
      case Op::F32Load: LOAD(uint32_t, ZX32)
      case Op::F64Load: LOAD(uint64_t, ID)
      case Op::I32Load8S: LOAD(int8_t, SX32)
      case Op::I32Load8U: LOAD(uint8_t, ZX32)
      case Op::I32Load16S: LOAD(int16_t, SX32)
      case Op::I32Load16U: LOAD(uint16_t, ZX32)
      case Op::I64Load8S: LOAD(int8_t, SX64)
      case Op::I64Load8U: LOAD(uint8_t, ID)
      case Op::I64Load16S: LOAD(int16_t, SX64)
      case Op::I64Load16U: LOAD(uint16_t, ID)
      case Op::I64Load32S: LOAD(int32_t, SX64)
      case Op::I64Load32U: LOAD(uint32_t, ID)
      case Op::I32Store: STORE(uint32_t, ID)
      case Op::I64Store: STORE(uint64_t, ID)
      case Op::F32Store: STORE(uint32_t, ID)
      case Op::F64Store: STORE(uint64_t, ID)
      case Op::I32Store8: STORE(uint8_t, ID)
      case Op::I32Store16: STORE(uint16_t, ID)
      case Op::I64Store8: STORE(uint8_t, ID)
      case Op::I64Store16: STORE(uint16_t, ID)
      case Op::I64Store32: STORE(uint32_t, ID)
      case Op::MemorySize: *sp++ = mems[li.a]->pages(); break;
      case Op::MemoryGrow: {
        MemInst& m = *mems[li.a];
        uint64_t old = m.pages();
        sp[-1] = GrowMemory(m, static_cast<uint32_t>(sp[-1])) ? old : 0xffffffffu;
        break;
      }
      case Op::MemoryInit: {
        DataInst& dd = datas[li.a];
        MemInst& m = *mems[li.b];
        uint64_t n = static_cast<uint32_t>(sp[-1]);
        uint64_t s = static_cast<uint32_t>(sp[-2]);
        uint64_t d = static_cast<uint32_t>(sp[-3]);
        sp -= 3;
        if (s + n > dd.size || d + n > m.size)
          TRAP(MemoryOutOfBounds, "memory.init {}<-{} +{}", d, s, n);
        if (n) std::memcpy(m.data + d, dd.bytes + s, n);
        break;
      }
      case Op::DataDrop:
        datas[li.a].size = 0;
        datas[li.a].dropped = true;
        break;
      case Op::MemoryCopy: {
        MemInst& dm = *mems[li.a];
        MemInst& sm = *mems[li.b];
        uint64_t n = static_cast<uint32_t>(sp[-1]);
        uint64_t s = static_cast<uint32_t>(sp[-2]);
        uint64_t d = static_cast<uint32_t>(sp[-3]);
        sp -= 3;
        if (s + n > sm.size || d + n > dm.size)
          TRAP(MemoryOutOfBounds, "memory.copy {}<-{} +{}", d, s, n);
        if (n) std::memmove(dm.data + d, sm.data + s, n);
        break;
      }
      case Op::MemoryFill: {
        MemInst& m = *mems[li.a];
        uint64_t n = static_cast<uint32_t>(sp[-1]);
        uint8_t val = static_cast<uint8_t>(sp[-2]);
        uint64_t d = static_cast<uint32_t>(sp[-3]);
        sp -= 3;
        if (d + n > m.size) TRAP(MemoryOutOfBounds, "memory.fill {}+{} > {}", d, n, m.size);
        if (n) std::memset(m.data + d, val, n);
        break;
      }

      // Spec 4.4.1 numeric instructions.
      case Op::I32Const: *sp++ = static_cast<uint32_t>(li.c); break;
      case Op::I64Const: *sp++ = li.c; break;
      case Op::F32Const: *sp++ = static_cast<uint32_t>(li.c); break;
      case Op::F64Const: *sp++ = li.c; break;

      case Op::I32Eqz: I32_UN(a == 0)
      case Op::I32Eq: I32_BIN(a == b)
      case Op::I32Ne: I32_BIN(a != b)
      case Op::I32LtS: I32_BIN(static_cast<int32_t>(a) < static_cast<int32_t>(b))
      case Op::I32LtU: I32_BIN(a < b)
      case Op::I32GtS: I32_BIN(static_cast<int32_t>(a) > static_cast<int32_t>(b))
      case Op::I32GtU: I32_BIN(a > b)
      case Op::I32LeS: I32_BIN(static_cast<int32_t>(a) <= static_cast<int32_t>(b))
      case Op::I32LeU: I32_BIN(a <= b)
      case Op::I32GeS: I32_BIN(static_cast<int32_t>(a) >= static_cast<int32_t>(b))
      case Op::I32GeU: I32_BIN(a >= b)
      case Op::I64Eqz: I64_UN(a == 0 ? 1u : 0u)
      case Op::I64Eq: I64_BIN(a == b ? 1u : 0u)
      case Op::I64Ne: I64_BIN(a != b ? 1u : 0u)
      case Op::I64LtS: I64_BIN(static_cast<int64_t>(a) < static_cast<int64_t>(b) ? 1u : 0u)
      case Op::I64LtU: I64_BIN(a < b ? 1u : 0u)
      case Op::I64GtS: I64_BIN(static_cast<int64_t>(a) > static_cast<int64_t>(b) ? 1u : 0u)
      case Op::I64GtU: I64_BIN(a > b ? 1u : 0u)
      case Op::I64LeS: I64_BIN(static_cast<int64_t>(a) <= static_cast<int64_t>(b) ? 1u : 0u)
      case Op::I64LeU: I64_BIN(a <= b ? 1u : 0u)
      case Op::I64GeS: I64_BIN(static_cast<int64_t>(a) >= static_cast<int64_t>(b) ? 1u : 0u)
      case Op::I64GeU: I64_BIN(a >= b ? 1u : 0u)
      case Op::F32Eq: F32_CMP(a == b)
      case Op::F32Ne: F32_CMP(a != b)
      case Op::F32Lt: F32_CMP(a < b)
      case Op::F32Gt: F32_CMP(a > b)
      case Op::F32Le: F32_CMP(a <= b)
      case Op::F32Ge: F32_CMP(a >= b)
      case Op::F64Eq: F64_CMP(a == b)
      case Op::F64Ne: F64_CMP(a != b)
      case Op::F64Lt: F64_CMP(a < b)
      case Op::F64Gt: F64_CMP(a > b)
      case Op::F64Le: F64_CMP(a <= b)
      case Op::F64Ge: F64_CMP(a >= b)

      case Op::I32Clz: I32_UN(num::I32Clz(a))
      case Op::I32Ctz: I32_UN(num::I32Ctz(a))
      case Op::I32Popcnt: I32_UN(num::I32Popcnt(a))
      case Op::I32Add: I32_BIN(a + b)
      case Op::I32Sub: I32_BIN(a - b)
      case Op::I32Mul: I32_BIN(a * b)
      case Op::I32DivS: DIV32(I32DivS)
      case Op::I32DivU: DIV32(I32DivU)
      case Op::I32RemS: DIV32(I32RemS)
      case Op::I32RemU: DIV32(I32RemU)
      case Op::I32And: I32_BIN(a & b)
      case Op::I32Or: I32_BIN(a | b)
      case Op::I32Xor: I32_BIN(a ^ b)
      case Op::I32Shl: I32_BIN(num::I32Shl(a, b))
      case Op::I32ShrS: I32_BIN(num::I32ShrS(a, b))
      case Op::I32ShrU: I32_BIN(num::I32ShrU(a, b))
      case Op::I32Rotl: I32_BIN(num::I32Rotl(a, b))
      case Op::I32Rotr: I32_BIN(num::I32Rotr(a, b))
      case Op::I64Clz: I64_UN(num::I64Clz(a))
      case Op::I64Ctz: I64_UN(num::I64Ctz(a))
      case Op::I64Popcnt: I64_UN(num::I64Popcnt(a))
      case Op::I64Add: I64_BIN(a + b)
      case Op::I64Sub: I64_BIN(a - b)
      case Op::I64Mul: I64_BIN(a * b)
      case Op::I64DivS: DIV64(I64DivS)
      case Op::I64DivU: DIV64(I64DivU)
      case Op::I64RemS: DIV64(I64RemS)
      case Op::I64RemU: DIV64(I64RemU)
      case Op::I64And: I64_BIN(a & b)
      case Op::I64Or: I64_BIN(a | b)
      case Op::I64Xor: I64_BIN(a ^ b)
      case Op::I64Shl: I64_BIN(num::I64Shl(a, b))
      case Op::I64ShrS: I64_BIN(num::I64ShrS(a, b))
      case Op::I64ShrU: I64_BIN(num::I64ShrU(a, b))
      case Op::I64Rotl: I64_BIN(num::I64Rotl(a, b))
      case Op::I64Rotr: I64_BIN(num::I64Rotr(a, b))

      // Bit operations keep NaN payloads (Spec 4.3.3 fabs/fneg/fcopysign): never canonicalised.
      case Op::F32Abs: sp[-1] = slot32(num::F32Abs(F32(sp[-1]))); break;
      case Op::F32Neg: sp[-1] = slot32(num::F32Neg(F32(sp[-1]))); break;
      case Op::F32Copysign:
        sp[-2] = slot32(num::F32Copysign(F32(sp[-2]), F32(sp[-1])));
        --sp;
        break;
      case Op::F32Ceil: F32_UN(num::F32Ceil(a))
      case Op::F32Floor: F32_UN(num::F32Floor(a))
      case Op::F32Trunc: F32_UN(num::F32Trunc(a))
      case Op::F32Nearest: F32_UN(num::F32Nearest(a))
      case Op::F32Sqrt: F32_UN(num::F32Sqrt(a))
      case Op::F32Add: F32_BIN(a + b)
      case Op::F32Sub: F32_BIN(a - b)
      case Op::F32Mul: F32_BIN(a * b)
      case Op::F32Div: F32_BIN(a / b)
      case Op::F32Min: F32_BIN(num::F32Min(a, b))
      case Op::F32Max: F32_BIN(num::F32Max(a, b))
      case Op::F64Abs: sp[-1] = slot64(num::F64Abs(F64(sp[-1]))); break;
      case Op::F64Neg: sp[-1] = slot64(num::F64Neg(F64(sp[-1]))); break;
      case Op::F64Copysign:
        sp[-2] = slot64(num::F64Copysign(F64(sp[-2]), F64(sp[-1])));
        --sp;
        break;
      case Op::F64Ceil: F64_UN(num::F64Ceil(a))
      case Op::F64Floor: F64_UN(num::F64Floor(a))
      case Op::F64Trunc: F64_UN(num::F64Trunc(a))
      case Op::F64Nearest: F64_UN(num::F64Nearest(a))
      case Op::F64Sqrt: F64_UN(num::F64Sqrt(a))
      case Op::F64Add: F64_BIN(a + b)
      case Op::F64Sub: F64_BIN(a - b)
      case Op::F64Mul: F64_BIN(a * b)
      case Op::F64Div: F64_BIN(a / b)
      case Op::F64Min: F64_BIN(num::F64Min(a, b))
      case Op::F64Max: F64_BIN(num::F64Max(a, b))

      // Spec 4.3.4 conversions.
      case Op::I32WrapI64: sp[-1] = static_cast<uint32_t>(sp[-1]); break;
      case Op::I32TruncF32S: TRAPPING(I32TruncF32S, F32(sp[-1]), uint32_t)
      case Op::I32TruncF32U: TRAPPING(I32TruncF32U, F32(sp[-1]), uint32_t)
      case Op::I32TruncF64S: TRAPPING(I32TruncF64S, F64(sp[-1]), uint32_t)
      case Op::I32TruncF64U: TRAPPING(I32TruncF64U, F64(sp[-1]), uint32_t)
      case Op::I64ExtendI32S: sp[-1] = SX64(static_cast<int32_t>(sp[-1])); break;
      case Op::I64ExtendI32U: sp[-1] = static_cast<uint32_t>(sp[-1]); break;
      case Op::I64TruncF32S: TRAPPING(I64TruncF32S, F32(sp[-1]), uint64_t)
      case Op::I64TruncF32U: TRAPPING(I64TruncF32U, F32(sp[-1]), uint64_t)
      case Op::I64TruncF64S: TRAPPING(I64TruncF64S, F64(sp[-1]), uint64_t)
      case Op::I64TruncF64U: TRAPPING(I64TruncF64U, F64(sp[-1]), uint64_t)
      case Op::F32ConvertI32S: sp[-1] = fres(num::F32ConvertI32S(static_cast<uint32_t>(sp[-1]))); break;
      case Op::F32ConvertI32U: sp[-1] = fres(num::F32ConvertI32U(static_cast<uint32_t>(sp[-1]))); break;
      case Op::F32ConvertI64S: sp[-1] = fres(num::F32ConvertI64S(sp[-1])); break;
      case Op::F32ConvertI64U: sp[-1] = fres(num::F32ConvertI64U(sp[-1])); break;
      case Op::F32DemoteF64: sp[-1] = fres(num::F32DemoteF64(F64(sp[-1]))); break;
      case Op::F64ConvertI32S: sp[-1] = dres(num::F64ConvertI32S(static_cast<uint32_t>(sp[-1]))); break;
      case Op::F64ConvertI32U: sp[-1] = dres(num::F64ConvertI32U(static_cast<uint32_t>(sp[-1]))); break;
      case Op::F64ConvertI64S: sp[-1] = dres(num::F64ConvertI64S(sp[-1])); break;
      case Op::F64ConvertI64U: sp[-1] = dres(num::F64ConvertI64U(sp[-1])); break;
      case Op::F64PromoteF32: sp[-1] = dres(num::F64PromoteF32(F32(sp[-1]))); break;
      case Op::I32ReinterpretF32:
      case Op::F32ReinterpretI32: sp[-1] = static_cast<uint32_t>(sp[-1]); break;
      case Op::I64ReinterpretF64:
      case Op::F64ReinterpretI64: break;
      case Op::I32Extend8S: I32_UN(num::I32Extend8S(a))
      case Op::I32Extend16S: I32_UN(num::I32Extend16S(a))
      case Op::I64Extend8S: I64_UN(num::I64Extend8S(a))
      case Op::I64Extend16S: I64_UN(num::I64Extend16S(a))
      case Op::I64Extend32S: I64_UN(num::I64Extend32S(a))
      case Op::I32TruncSatF32S: sp[-1] = num::I32TruncSatF32S(F32(sp[-1])); break;
      case Op::I32TruncSatF32U: sp[-1] = num::I32TruncSatF32U(F32(sp[-1])); break;
      case Op::I32TruncSatF64S: sp[-1] = num::I32TruncSatF64S(F64(sp[-1])); break;
      case Op::I32TruncSatF64U: sp[-1] = num::I32TruncSatF64U(F64(sp[-1])); break;
      case Op::I64TruncSatF32S: sp[-1] = num::I64TruncSatF32S(F32(sp[-1])); break;
      case Op::I64TruncSatF32U: sp[-1] = num::I64TruncSatF32U(F32(sp[-1])); break;
      case Op::I64TruncSatF64S: sp[-1] = num::I64TruncSatF64S(F64(sp[-1])); break;
      case Op::I64TruncSatF64U: sp[-1] = num::I64TruncSatF64U(F64(sp[-1])); break;

      default:
        if (GetOpInfo(li.op).prefix == 0xfd) {
          sp = ExecSimd(li, sp);
          if (!sp) return std::move(simd_trap);
          break;
        }
        return Outcome::InternalError(fmt::format("reference: opcode {} reached the interpreter",
                                                  OpName(li.op)));
    }
  }
#undef TRAP
}

// Spec 4.4.3 vector instructions and the vector forms of 4.4.7 (memory): one out-of-line step,
// so the scalar loop above stays as it was. Returns the new stack top, or nullptr after a trap
// (stored in simd_trap). Lane arithmetic is simd.h's; NaN-canonical mode passes `canon`.
Slot* Store::Impl::ExecSimd(const LInstr& li, Slot* sp) {
  using simd::V128;
  const bool canon = config.nan_canonical;
  auto V = [](const Slot& s) { return V128{s.lo, s.hi}; };
  auto S = [](V128 v) { return Slot{v.lo, v.hi}; };
#define V_UN(fn)                     \
  sp[-1] = S(simd::fn(V(sp[-1])));   \
  return sp;
#define V_UNC(fn)                           \
  sp[-1] = S(simd::fn(V(sp[-1]), canon));   \
  return sp;
#define V_BIN(fn)                                \
  sp[-2] = S(simd::fn(V(sp[-2]), V(sp[-1])));    \
  return sp - 1;
#define V_BINC(fn)                                     \
  sp[-2] = S(simd::fn(V(sp[-2]), V(sp[-1]), canon));   \
  return sp - 1;
#define V_TERN(fn)                                          \
  sp[-3] = S(simd::fn(V(sp[-3]), V(sp[-2]), V(sp[-1])));    \
  return sp - 2;
#define V_SHIFT(fn)                                                      \
  sp[-2] = S(simd::fn(V(sp[-2]), static_cast<uint32_t>(sp[-1].lo)));    \
  return sp - 1;
#define V_TEST(fn)                         \
  sp[-1] = Slot{simd::fn(V(sp[-1])), 0};   \
  return sp;
#define V_SPLAT(fn)               \
  sp[-1] = S(simd::fn(sp[-1].lo)); \
  return sp;
#define V_EXTRACT(fn)                                              \
  sp[-1] = Slot{simd::fn(V(sp[-1]), static_cast<int>(li.a)), 0};   \
  return sp;
#define V_REPLACE(fn)                                                          \
  sp[-2] = S(simd::fn(V(sp[-2]), static_cast<int>(li.a), sp[-1].lo));        \
  return sp - 1;
// Spec 4.4.7: effective address = i + memarg.offset, checked with the access width before any
// byte is touched (a trapping store writes nothing).
#define V_ADDR(nbytes, index_slot)                                                           \
  MemInst* m = mems[li.a].get();                                                             \
  uint64_t ea = static_cast<uint64_t>(static_cast<uint32_t>((index_slot).lo)) + li.c;        \
  if (ea + (nbytes) > m->size) {                                                             \
    simd_trap = Outcome::Trap(TrapKind::MemoryOutOfBounds,                                  \
                              fmt::format("access at {}+{} > {}", ea, nbytes, m->size));     \
    return nullptr;                                                                          \
  }                                                                                          \
  uint8_t* p = m->data + ea;
#define V_LOAD(nbytes, fn)    \
  {                           \
    V_ADDR(nbytes, sp[-1]);   \
    sp[-1] = S(simd::fn(p));  \
    return sp;                \
  }
#define V_LOAD_LANE(nbytes, fn)                                      \
  {                                                                  \
    V_ADDR(nbytes, sp[-2]);                                          \
    sp[-2] = S(simd::fn(p, V(sp[-1]), static_cast<int>(li.b)));      \
    return sp - 1;                                                   \
  }
#define V_STORE_LANE(nbytes, fn)                           \
  {                                                        \
    V_ADDR(nbytes, sp[-2]);                                \
    simd::fn(p, V(sp[-1]), static_cast<int>(li.b));        \
    return sp - 2;                                         \
  }

  switch (li.op) {
    // Spec 4.4.7 v128.load / v128.store and their vector forms.
    case Op::V128Load: V_LOAD(16, Load128)
    case Op::V128Load8x8S: V_LOAD(8, Load8x8S)
    case Op::V128Load8x8U: V_LOAD(8, Load8x8U)
    case Op::V128Load16x4S: V_LOAD(8, Load16x4S)
    case Op::V128Load16x4U: V_LOAD(8, Load16x4U)
    case Op::V128Load32x2S: V_LOAD(8, Load32x2S)
    case Op::V128Load32x2U: V_LOAD(8, Load32x2U)
    case Op::V128Load8Splat: V_LOAD(1, Load8Splat)
    case Op::V128Load16Splat: V_LOAD(2, Load16Splat)
    case Op::V128Load32Splat: V_LOAD(4, Load32Splat)
    case Op::V128Load64Splat: V_LOAD(8, Load64Splat)
    case Op::V128Load32Zero: V_LOAD(4, Load32Zero)
    case Op::V128Load64Zero: V_LOAD(8, Load64Zero)
    case Op::V128Store: {
      V_ADDR(16, sp[-2]);
      simd::Store128(p, V(sp[-1]));
      return sp - 2;
    }
    case Op::V128Load8Lane: V_LOAD_LANE(1, Load8Lane)
    case Op::V128Load16Lane: V_LOAD_LANE(2, Load16Lane)
    case Op::V128Load32Lane: V_LOAD_LANE(4, Load32Lane)
    case Op::V128Load64Lane: V_LOAD_LANE(8, Load64Lane)
    case Op::V128Store8Lane: V_STORE_LANE(1, Store8Lane)
    case Op::V128Store16Lane: V_STORE_LANE(2, Store16Lane)
    case Op::V128Store32Lane: V_STORE_LANE(4, Store32Lane)
    case Op::V128Store64Lane: V_STORE_LANE(8, Store64Lane)

    // Spec 4.4.3.1 v128.const; 4.4.3.7 i8x16.shuffle (lane bytes in the immediate).
    case Op::V128Const:
      *sp = Slot{li.c, uint64_t{li.a} | (uint64_t{li.b} << 32)};
      return sp + 1;
    case Op::I8x16Shuffle: {
      uint8_t lanes[16];
      uint64_t imm[2] = {li.c, uint64_t{li.a} | (uint64_t{li.b} << 32)};
      for (int i = 0; i < 16; ++i) lanes[i] = static_cast<uint8_t>(imm[i / 8] >> (8 * (i % 8)));
      sp[-2] = S(simd::I8x16Shuffle(V(sp[-2]), V(sp[-1]), lanes));
      return sp - 1;
    }

    // Everything else: simd.h's operator of the same name, shaped by the table's signature.
      case Op::I8x16ExtractLaneS: V_EXTRACT(I8x16ExtractLaneS)
      case Op::I8x16ExtractLaneU: V_EXTRACT(I8x16ExtractLaneU)
      case Op::I8x16ReplaceLane: V_REPLACE(I8x16ReplaceLane)
      case Op::I16x8ExtractLaneS: V_EXTRACT(I16x8ExtractLaneS)
      case Op::I16x8ExtractLaneU: V_EXTRACT(I16x8ExtractLaneU)
      case Op::I16x8ReplaceLane: V_REPLACE(I16x8ReplaceLane)
      case Op::I32x4ExtractLane: V_EXTRACT(I32x4ExtractLane)
      case Op::I32x4ReplaceLane: V_REPLACE(I32x4ReplaceLane)
      case Op::I64x2ExtractLane: V_EXTRACT(I64x2ExtractLane)
      case Op::I64x2ReplaceLane: V_REPLACE(I64x2ReplaceLane)
      case Op::F32x4ExtractLane: V_EXTRACT(F32x4ExtractLane)
      case Op::F32x4ReplaceLane: V_REPLACE(F32x4ReplaceLane)
      case Op::F64x2ExtractLane: V_EXTRACT(F64x2ExtractLane)
      case Op::F64x2ReplaceLane: V_REPLACE(F64x2ReplaceLane)
      case Op::I8x16Swizzle: V_BIN(I8x16Swizzle)
      case Op::I8x16Splat: V_SPLAT(I8x16Splat)
      case Op::I16x8Splat: V_SPLAT(I16x8Splat)
      case Op::I32x4Splat: V_SPLAT(I32x4Splat)
      case Op::I64x2Splat: V_SPLAT(I64x2Splat)
      case Op::F32x4Splat: V_SPLAT(F32x4Splat)
      case Op::F64x2Splat: V_SPLAT(F64x2Splat)
      case Op::I8x16Eq: V_BIN(I8x16Eq)
      case Op::I8x16Ne: V_BIN(I8x16Ne)
      case Op::I8x16LtS: V_BIN(I8x16LtS)
      case Op::I8x16LtU: V_BIN(I8x16LtU)
      case Op::I8x16GtS: V_BIN(I8x16GtS)
      case Op::I8x16GtU: V_BIN(I8x16GtU)
      case Op::I8x16LeS: V_BIN(I8x16LeS)
      case Op::I8x16LeU: V_BIN(I8x16LeU)
      case Op::I8x16GeS: V_BIN(I8x16GeS)
      case Op::I8x16GeU: V_BIN(I8x16GeU)
      case Op::I16x8Eq: V_BIN(I16x8Eq)
      case Op::I16x8Ne: V_BIN(I16x8Ne)
      case Op::I16x8LtS: V_BIN(I16x8LtS)
      case Op::I16x8LtU: V_BIN(I16x8LtU)
      case Op::I16x8GtS: V_BIN(I16x8GtS)
      case Op::I16x8GtU: V_BIN(I16x8GtU)
      case Op::I16x8LeS: V_BIN(I16x8LeS)
      case Op::I16x8LeU: V_BIN(I16x8LeU)
      case Op::I16x8GeS: V_BIN(I16x8GeS)
      case Op::I16x8GeU: V_BIN(I16x8GeU)
      case Op::I32x4Eq: V_BIN(I32x4Eq)
      case Op::I32x4Ne: V_BIN(I32x4Ne)
      case Op::I32x4LtS: V_BIN(I32x4LtS)
      case Op::I32x4LtU: V_BIN(I32x4LtU)
      case Op::I32x4GtS: V_BIN(I32x4GtS)
      case Op::I32x4GtU: V_BIN(I32x4GtU)
      case Op::I32x4LeS: V_BIN(I32x4LeS)
      case Op::I32x4LeU: V_BIN(I32x4LeU)
      case Op::I32x4GeS: V_BIN(I32x4GeS)
      case Op::I32x4GeU: V_BIN(I32x4GeU)
      case Op::I64x2Eq: V_BIN(I64x2Eq)
      case Op::I64x2Ne: V_BIN(I64x2Ne)
      case Op::I64x2LtS: V_BIN(I64x2LtS)
      case Op::I64x2GtS: V_BIN(I64x2GtS)
      case Op::I64x2LeS: V_BIN(I64x2LeS)
      case Op::I64x2GeS: V_BIN(I64x2GeS)
      case Op::F32x4Eq: V_BIN(F32x4Eq)
      case Op::F32x4Ne: V_BIN(F32x4Ne)
      case Op::F32x4Lt: V_BIN(F32x4Lt)
      case Op::F32x4Gt: V_BIN(F32x4Gt)
      case Op::F32x4Le: V_BIN(F32x4Le)
      case Op::F32x4Ge: V_BIN(F32x4Ge)
      case Op::F64x2Eq: V_BIN(F64x2Eq)
      case Op::F64x2Ne: V_BIN(F64x2Ne)
      case Op::F64x2Lt: V_BIN(F64x2Lt)
      case Op::F64x2Gt: V_BIN(F64x2Gt)
      case Op::F64x2Le: V_BIN(F64x2Le)
      case Op::F64x2Ge: V_BIN(F64x2Ge)
      case Op::V128Not: V_UN(V128Not)
      case Op::V128And: V_BIN(V128And)
      case Op::V128Andnot: V_BIN(V128Andnot)
      case Op::V128Or: V_BIN(V128Or)
      case Op::V128Xor: V_BIN(V128Xor)
      case Op::V128Bitselect: V_TERN(V128Bitselect)
      case Op::V128AnyTrue: V_TEST(V128AnyTrue)
      case Op::I8x16Abs: V_UN(I8x16Abs)
      case Op::I8x16Neg: V_UN(I8x16Neg)
      case Op::I8x16Popcnt: V_UN(I8x16Popcnt)
      case Op::I8x16AllTrue: V_TEST(I8x16AllTrue)
      case Op::I8x16Bitmask: V_TEST(I8x16Bitmask)
      case Op::I8x16NarrowI16x8S: V_BIN(I8x16NarrowI16x8S)
      case Op::I8x16NarrowI16x8U: V_BIN(I8x16NarrowI16x8U)
      case Op::I8x16Shl: V_SHIFT(I8x16Shl)
      case Op::I8x16ShrS: V_SHIFT(I8x16ShrS)
      case Op::I8x16ShrU: V_SHIFT(I8x16ShrU)
      case Op::I8x16Add: V_BIN(I8x16Add)
      case Op::I8x16AddSatS: V_BIN(I8x16AddSatS)
      case Op::I8x16AddSatU: V_BIN(I8x16AddSatU)
      case Op::I8x16Sub: V_BIN(I8x16Sub)
      case Op::I8x16SubSatS: V_BIN(I8x16SubSatS)
      case Op::I8x16SubSatU: V_BIN(I8x16SubSatU)
      case Op::I8x16MinS: V_BIN(I8x16MinS)
      case Op::I8x16MinU: V_BIN(I8x16MinU)
      case Op::I8x16MaxS: V_BIN(I8x16MaxS)
      case Op::I8x16MaxU: V_BIN(I8x16MaxU)
      case Op::I8x16AvgrU: V_BIN(I8x16AvgrU)
      case Op::I16x8ExtaddPairwiseI8x16S: V_UN(I16x8ExtaddPairwiseI8x16S)
      case Op::I16x8ExtaddPairwiseI8x16U: V_UN(I16x8ExtaddPairwiseI8x16U)
      case Op::I16x8Abs: V_UN(I16x8Abs)
      case Op::I16x8Neg: V_UN(I16x8Neg)
      case Op::I16x8Q15mulrSatS: V_BIN(I16x8Q15mulrSatS)
      case Op::I16x8AllTrue: V_TEST(I16x8AllTrue)
      case Op::I16x8Bitmask: V_TEST(I16x8Bitmask)
      case Op::I16x8NarrowI32x4S: V_BIN(I16x8NarrowI32x4S)
      case Op::I16x8NarrowI32x4U: V_BIN(I16x8NarrowI32x4U)
      case Op::I16x8ExtendLowI8x16S: V_UN(I16x8ExtendLowI8x16S)
      case Op::I16x8ExtendHighI8x16S: V_UN(I16x8ExtendHighI8x16S)
      case Op::I16x8ExtendLowI8x16U: V_UN(I16x8ExtendLowI8x16U)
      case Op::I16x8ExtendHighI8x16U: V_UN(I16x8ExtendHighI8x16U)
      case Op::I16x8Shl: V_SHIFT(I16x8Shl)
      case Op::I16x8ShrS: V_SHIFT(I16x8ShrS)
      case Op::I16x8ShrU: V_SHIFT(I16x8ShrU)
      case Op::I16x8Add: V_BIN(I16x8Add)
      case Op::I16x8AddSatS: V_BIN(I16x8AddSatS)
      case Op::I16x8AddSatU: V_BIN(I16x8AddSatU)
      case Op::I16x8Sub: V_BIN(I16x8Sub)
      case Op::I16x8SubSatS: V_BIN(I16x8SubSatS)
      case Op::I16x8SubSatU: V_BIN(I16x8SubSatU)
      case Op::I16x8Mul: V_BIN(I16x8Mul)
      case Op::I16x8MinS: V_BIN(I16x8MinS)
      case Op::I16x8MinU: V_BIN(I16x8MinU)
      case Op::I16x8MaxS: V_BIN(I16x8MaxS)
      case Op::I16x8MaxU: V_BIN(I16x8MaxU)
      case Op::I16x8AvgrU: V_BIN(I16x8AvgrU)
      case Op::I16x8ExtmulLowI8x16S: V_BIN(I16x8ExtmulLowI8x16S)
      case Op::I16x8ExtmulHighI8x16S: V_BIN(I16x8ExtmulHighI8x16S)
      case Op::I16x8ExtmulLowI8x16U: V_BIN(I16x8ExtmulLowI8x16U)
      case Op::I16x8ExtmulHighI8x16U: V_BIN(I16x8ExtmulHighI8x16U)
      case Op::I32x4ExtaddPairwiseI16x8S: V_UN(I32x4ExtaddPairwiseI16x8S)
      case Op::I32x4ExtaddPairwiseI16x8U: V_UN(I32x4ExtaddPairwiseI16x8U)
      case Op::I32x4Abs: V_UN(I32x4Abs)
      case Op::I32x4Neg: V_UN(I32x4Neg)
      case Op::I32x4AllTrue: V_TEST(I32x4AllTrue)
      case Op::I32x4Bitmask: V_TEST(I32x4Bitmask)
      case Op::I32x4ExtendLowI16x8S: V_UN(I32x4ExtendLowI16x8S)
      case Op::I32x4ExtendHighI16x8S: V_UN(I32x4ExtendHighI16x8S)
      case Op::I32x4ExtendLowI16x8U: V_UN(I32x4ExtendLowI16x8U)
      case Op::I32x4ExtendHighI16x8U: V_UN(I32x4ExtendHighI16x8U)
      case Op::I32x4Shl: V_SHIFT(I32x4Shl)
      case Op::I32x4ShrS: V_SHIFT(I32x4ShrS)
      case Op::I32x4ShrU: V_SHIFT(I32x4ShrU)
      case Op::I32x4Add: V_BIN(I32x4Add)
      case Op::I32x4Sub: V_BIN(I32x4Sub)
      case Op::I32x4Mul: V_BIN(I32x4Mul)
      case Op::I32x4MinS: V_BIN(I32x4MinS)
      case Op::I32x4MinU: V_BIN(I32x4MinU)
      case Op::I32x4MaxS: V_BIN(I32x4MaxS)
      case Op::I32x4MaxU: V_BIN(I32x4MaxU)
      case Op::I32x4DotI16x8S: V_BIN(I32x4DotI16x8S)
      case Op::I32x4ExtmulLowI16x8S: V_BIN(I32x4ExtmulLowI16x8S)
      case Op::I32x4ExtmulHighI16x8S: V_BIN(I32x4ExtmulHighI16x8S)
      case Op::I32x4ExtmulLowI16x8U: V_BIN(I32x4ExtmulLowI16x8U)
      case Op::I32x4ExtmulHighI16x8U: V_BIN(I32x4ExtmulHighI16x8U)
      case Op::I64x2Abs: V_UN(I64x2Abs)
      case Op::I64x2Neg: V_UN(I64x2Neg)
      case Op::I64x2AllTrue: V_TEST(I64x2AllTrue)
      case Op::I64x2Bitmask: V_TEST(I64x2Bitmask)
      case Op::I64x2ExtendLowI32x4S: V_UN(I64x2ExtendLowI32x4S)
      case Op::I64x2ExtendHighI32x4S: V_UN(I64x2ExtendHighI32x4S)
      case Op::I64x2ExtendLowI32x4U: V_UN(I64x2ExtendLowI32x4U)
      case Op::I64x2ExtendHighI32x4U: V_UN(I64x2ExtendHighI32x4U)
      case Op::I64x2Shl: V_SHIFT(I64x2Shl)
      case Op::I64x2ShrS: V_SHIFT(I64x2ShrS)
      case Op::I64x2ShrU: V_SHIFT(I64x2ShrU)
      case Op::I64x2Add: V_BIN(I64x2Add)
      case Op::I64x2Sub: V_BIN(I64x2Sub)
      case Op::I64x2Mul: V_BIN(I64x2Mul)
      case Op::I64x2ExtmulLowI32x4S: V_BIN(I64x2ExtmulLowI32x4S)
      case Op::I64x2ExtmulHighI32x4S: V_BIN(I64x2ExtmulHighI32x4S)
      case Op::I64x2ExtmulLowI32x4U: V_BIN(I64x2ExtmulLowI32x4U)
      case Op::I64x2ExtmulHighI32x4U: V_BIN(I64x2ExtmulHighI32x4U)
      case Op::F32x4Ceil: V_UNC(F32x4Ceil)
      case Op::F32x4Floor: V_UNC(F32x4Floor)
      case Op::F32x4Trunc: V_UNC(F32x4Trunc)
      case Op::F32x4Nearest: V_UNC(F32x4Nearest)
      case Op::F32x4Abs: V_UN(F32x4Abs)
      case Op::F32x4Neg: V_UN(F32x4Neg)
      case Op::F32x4Sqrt: V_UNC(F32x4Sqrt)
      case Op::F32x4Add: V_BINC(F32x4Add)
      case Op::F32x4Sub: V_BINC(F32x4Sub)
      case Op::F32x4Mul: V_BINC(F32x4Mul)
      case Op::F32x4Div: V_BINC(F32x4Div)
      case Op::F32x4Min: V_BINC(F32x4Min)
      case Op::F32x4Max: V_BINC(F32x4Max)
      case Op::F32x4Pmin: V_BIN(F32x4Pmin)
      case Op::F32x4Pmax: V_BIN(F32x4Pmax)
      case Op::F64x2Ceil: V_UNC(F64x2Ceil)
      case Op::F64x2Floor: V_UNC(F64x2Floor)
      case Op::F64x2Trunc: V_UNC(F64x2Trunc)
      case Op::F64x2Nearest: V_UNC(F64x2Nearest)
      case Op::F64x2Abs: V_UN(F64x2Abs)
      case Op::F64x2Neg: V_UN(F64x2Neg)
      case Op::F64x2Sqrt: V_UNC(F64x2Sqrt)
      case Op::F64x2Add: V_BINC(F64x2Add)
      case Op::F64x2Sub: V_BINC(F64x2Sub)
      case Op::F64x2Mul: V_BINC(F64x2Mul)
      case Op::F64x2Div: V_BINC(F64x2Div)
      case Op::F64x2Min: V_BINC(F64x2Min)
      case Op::F64x2Max: V_BINC(F64x2Max)
      case Op::F64x2Pmin: V_BIN(F64x2Pmin)
      case Op::F64x2Pmax: V_BIN(F64x2Pmax)
      case Op::I32x4TruncSatF32x4S: V_UN(I32x4TruncSatF32x4S)
      case Op::I32x4TruncSatF32x4U: V_UN(I32x4TruncSatF32x4U)
      case Op::F32x4ConvertI32x4S: V_UNC(F32x4ConvertI32x4S)
      case Op::F32x4ConvertI32x4U: V_UNC(F32x4ConvertI32x4U)
      case Op::I32x4TruncSatF64x2SZero: V_UN(I32x4TruncSatF64x2SZero)
      case Op::I32x4TruncSatF64x2UZero: V_UN(I32x4TruncSatF64x2UZero)
      case Op::F64x2ConvertLowI32x4S: V_UNC(F64x2ConvertLowI32x4S)
      case Op::F64x2ConvertLowI32x4U: V_UNC(F64x2ConvertLowI32x4U)
      case Op::F32x4DemoteF64x2Zero: V_UNC(F32x4DemoteF64x2Zero)
      case Op::F64x2PromoteLowF32x4: V_UNC(F64x2PromoteLowF32x4)
    default:
      simd_trap = Outcome::InternalError(
          fmt::format("reference: vector opcode {} reached the interpreter", OpName(li.op)));
      return nullptr;
  }
#undef V_UN
#undef V_UNC
#undef V_BIN
#undef V_BINC
#undef V_TERN
#undef V_SHIFT
#undef V_TEST
#undef V_SPLAT
#undef V_EXTRACT
#undef V_REPLACE
#undef V_ADDR
#undef V_LOAD
#undef V_LOAD_LANE
#undef V_STORE_LANE
}

// ---- Constant expressions (Spec 4.4.10 / 3.3.10) ----------------------------------------------

Outcome Store::Impl::EvalConst(const ModuleInst& inst, const ConstExpr& e, ValType type,
                               Value* out) {
  std::vector<Value> st;
  for (const Instr& in : e.code) {
    switch (in.op) {
      case Op::I32Const: st.push_back(Value::I32(static_cast<uint32_t>(in.c))); break;
      case Op::I64Const: st.push_back(Value::I64(in.c)); break;
      case Op::F32Const: st.push_back(Value::F32Bits(static_cast<uint32_t>(in.c))); break;
      case Op::F64Const: st.push_back(Value::F64Bits(in.c)); break;
      case Op::V128Const: {
        Value v{ValType::V128, 0, 0};
        V128FromInstr(in, &v.bits, &v.hi);
        st.push_back(v);
        break;
      }
      case Op::RefNull: st.push_back(Value::Null(static_cast<ValType>(in.a))); break;
      case Op::RefFunc: st.push_back(Value::Ref(ValType::FuncRef, inst.funcs[in.a])); break;
      case Op::GlobalGet: {
        const GlobalInst& g = globals[inst.globals[in.a]];
        st.push_back(SlotValue(g.type.type, g.bits, g.hi));
        break;
      }
      default:
        return Outcome::InternalError(fmt::format("non-constant {} in constant expression",
                                                  OpName(in.op)));
    }
  }
  if (st.size() != 1) return Outcome::InternalError("constant expression of wrong arity");
  *out = st.back();
  out->type = type;
  return Outcome::Values({*out});
}

// ---- Store API --------------------------------------------------------------------------------

Store::Store(ExecConfig config) : config_(config), impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->fuel_left = config.fuel;
}
Store::~Store() = default;

void Store::set_fuel(uint64_t fuel) {
  config_.fuel = fuel;
  impl_->config.fuel = fuel;
  impl_->fuel_left = fuel;
}

void Store::SaveTemplate() {
  Impl& s = *impl_;
  s.tmpl = std::make_unique<Impl::Template>();
  Impl::Template& t = *s.tmpl;
  t.types = s.types.size();
  t.funcs = s.funcs.size();
  for (const auto& tab : s.tables) t.tables.push_back(*tab);
  for (const auto& mem : s.mems) t.mem_bytes.emplace_back(mem->data, mem->data + mem->size);
  t.globals = s.globals;
  t.elems = s.elems;
  t.datas = s.datas;
  t.instances = s.instances;
  t.budget = s.budget;
  t.live_table_entries = s.live_table_entries;
}

bool Store::ResetToTemplate() {
  Impl& s = *impl_;
  if (!s.tmpl) return false;
  const Impl::Template& t = *s.tmpl;
  for (size_t i = t.types; i < s.types.size(); ++i)
    s.type_ids.erase(std::make_pair(s.types[i].params, s.types[i].results));
  s.types.resize(t.types);
  s.funcs.resize(t.funcs);
  s.tables.resize(t.tables.size());
  for (size_t i = 0; i < t.tables.size(); ++i) *s.tables[i] = t.tables[i];
  // Memories added since: decommitted (reading zero when committed again) and kept as spares.
  constexpr size_t kMaxSpares = 8;
  while (s.mems.size() > t.mem_bytes.size()) {
    std::unique_ptr<MemInst> m = std::move(s.mems.back());
    s.mems.pop_back();
    if (s.spare_mems.size() < kMaxSpares && m->size &&
        madvise(m->data, m->size, MADV_DONTNEED) == 0 &&
        mprotect(m->data, m->size, PROT_NONE) == 0) {
      m->size = 0;
      s.spare_mems.push_back(std::move(m));
    } else if (s.spare_mems.size() < kMaxSpares && !m->size) {
      s.spare_mems.push_back(std::move(m));
    }
  }
  // The template's memories: bytes beyond their template size are zeroed (they stay committed,
  // as a grown memory's pages do), the rest copied back.
  for (size_t i = 0; i < t.mem_bytes.size(); ++i) {
    MemInst& m = *s.mems[i];
    const std::vector<uint8_t>& b = t.mem_bytes[i];
    if (m.size > b.size()) std::memset(m.data + b.size(), 0, m.size - b.size());
    if (!b.empty()) std::memcpy(m.data, b.data(), b.size());
    m.size = b.size();
  }
  s.globals = t.globals;
  s.elems = t.elems;
  s.datas = t.datas;
  s.instances = t.instances;
  s.budget = t.budget;
  s.live_table_entries = t.live_table_entries;
  s.fuel_left = s.config.fuel;
  return true;
}

uint32_t Store::AddHostFunc(FuncType type, HostFunc fn) {
  auto f = std::make_unique<FuncInst>();
  f->type_id = impl_->InternType(type);
  f->host = std::move(fn);
  impl_->funcs.push_back(std::move(f));
  return static_cast<uint32_t>(impl_->funcs.size() - 1);
}

uint32_t Store::AddTable(TableType type, uint64_t init_bits) {
  impl_->budget.CheckTable(type, impl_->live_table_entries);
  auto t = std::make_unique<TableInst>();
  t->type = type;
  try {
    t->elems.assign(type.limits.min, init_bits);
  } catch (const std::bad_alloc&) {
    throw wasm::ResourceError(fmt::format(
        "resource exhausted: cannot allocate a table of {} entries", type.limits.min));
  }
  impl_->budget.AddTable(type);
  impl_->live_table_entries += type.limits.min;
  impl_->tables.push_back(std::move(t));
  return static_cast<uint32_t>(impl_->tables.size() - 1);
}

uint32_t Store::AddMemory(MemoryType type) { return impl_->AllocMemory(type); }

uint32_t Store::AddGlobal(GlobalType type, Value init) {
  impl_->globals.push_back({type, init.bits, init.hi});
  return static_cast<uint32_t>(impl_->globals.size() - 1);
}

namespace {

// Spec 4.5.2 "Import Subtyping": limits {n1, m1?} match {n2, m2?}.
bool LimitsMatch(uint64_t cur_min, std::optional<uint64_t> cur_max, const Limits& imp) {
  if (cur_min < imp.min) return false;
  if (!imp.max) return true;
  return cur_max && *cur_max <= *imp.max;
}

}  // namespace

InstantiateResult Store::Instantiate(std::shared_ptr<const Module> module,
                                     std::span<const ExternVal> imports) {
  Impl& s = *impl_;
  const Module& m = *module;
  if (imports.size() != m.imports.size())
    throw LinkError(fmt::format("unknown import: {} imports given, module has {}", imports.size(),
                                m.imports.size()));

  ModuleInst inst;
  inst.module = module;
  for (const FuncType& t : m.types) inst.types.push_back(s.InternType(t));

  // Spec 4.5.4 step 3-4: external values must match the import types.
  for (size_t i = 0; i < imports.size(); ++i) {
    const Import& imp = m.imports[i];
    const ExternVal& ev = imports[i];
    auto fail = [&](const std::string& why) {
      throw LinkError(fmt::format("incompatible import type: \"{}\" \"{}\": {}", imp.module,
                                  imp.name, why));
    };
    if (ev.kind != imp.kind)
      fail(fmt::format("expected {}, got {}", ExternKindName(imp.kind), ExternKindName(ev.kind)));
    switch (imp.kind) {
      case ExternKind::Func: {
        uint32_t want = inst.types[imp.func_type_index];
        if (s.funcs[ev.addr]->type_id != want)
          fail(fmt::format("expected {}, got {}", ToString(s.types[want]),
                           ToString(s.types[s.funcs[ev.addr]->type_id])));
        inst.funcs.push_back(ev.addr);
        break;
      }
      case ExternKind::Table: {
        const TableInst& t = *s.tables[ev.addr];
        if (t.type.elem != imp.table.elem) fail("element type differs");
        if (!LimitsMatch(t.elems.size(), t.type.limits.max, imp.table.limits)) fail("limits");
        inst.tables.push_back(ev.addr);
        break;
      }
      case ExternKind::Memory: {
        const MemInst& mm = *s.mems[ev.addr];
        if (!LimitsMatch(mm.pages(), mm.type.limits.max, imp.memory.limits)) fail("limits");
        inst.mems.push_back(ev.addr);
        break;
      }
      case ExternKind::Global: {
        const GlobalInst& g = s.globals[ev.addr];
        if (!(g.type == imp.global)) fail("global type differs");
        inst.globals.push_back(ev.addr);
        break;
      }
    }
  }

  // Spec 4.5.3 allocmodule.
  uint32_t inst_index = static_cast<uint32_t>(s.instances.size());
  for (uint32_t i = m.num_imported_funcs; i < m.func_types.size(); ++i) {
    auto f = std::make_unique<FuncInst>();
    f->type_id = inst.types[m.func_types[i]];
    f->instance = inst_index;
    f->func_index = i;
    s.funcs.push_back(std::move(f));
    inst.funcs.push_back(static_cast<uint32_t>(s.funcs.size() - 1));
  }
  for (size_t i = m.num_imported_tables; i < m.tables.size(); ++i)
    inst.tables.push_back(AddTable(m.tables[i]));
  for (size_t i = m.num_imported_memories; i < m.memories.size(); ++i)
    inst.mems.push_back(AddMemory(m.memories[i]));
  s.instances.push_back(inst);  // provisional, so that EvalConst sees the function addresses
  InstantiateResult result;
  auto eval = [&](const ConstExpr& e, ValType t, Value* v) {
    Outcome o = s.EvalConst(s.instances[inst_index], e, t, v);
    if (o.kind != Outcome::Kind::kValues) throw std::runtime_error(o.message);
  };
  for (size_t i = m.num_imported_globals; i < m.globals.size(); ++i) {
    Value v;
    eval(m.globals[i].init, m.globals[i].type.type, &v);
    s.instances[inst_index].globals.push_back(AddGlobal(m.globals[i].type, v));
  }
  for (const ElemSegment& seg : m.elems) {
    ElemInst e{seg.type, {}};
    e.elems.reserve(seg.init.size());
    for (const ConstExpr& ce : seg.init) {
      Value v;
      eval(ce, seg.type, &v);
      e.elems.push_back(v.bits);
    }
    s.elems.push_back(std::move(e));
    s.instances[inst_index].elems.push_back(static_cast<uint32_t>(s.elems.size() - 1));
  }
  for (const DataSegment& seg : m.datas) {
    s.datas.push_back({module->bytes.data() + seg.data_offset, seg.data_size});
    s.instances[inst_index].datas.push_back(static_cast<uint32_t>(s.datas.size() - 1));
  }
  ModuleInst& mi = s.instances[inst_index];

  // Spec 4.5.4 steps 14-15: active element segments, then data segments, in order; each is
  // table.init/memory.init followed by a drop. Declarative segments are dropped.
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ElemSegment& seg = m.elems[i];
    ElemInst& e = s.elems[mi.elems[i]];
    if (seg.mode == SegmentMode::kActive) {
      Value off;
      eval(seg.offset, ValType::I32, &off);
      TableInst& t = *s.tables[mi.tables[seg.table]];
      uint64_t d = off.i32(), n = e.elems.size();
      if (d + n > t.elems.size()) {
        result.failure = Outcome::Trap(TrapKind::TableOutOfBounds,
                                       fmt::format("element segment {} at {}+{} > {}", i, d, n,
                                                   t.elems.size()));
        return result;
      }
      std::copy(e.elems.begin(), e.elems.end(), t.elems.begin() + d);
    }
    if (seg.mode != SegmentMode::kPassive) {
      e.elems.clear();
      e.dropped = true;
    }
  }
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const DataSegment& seg = m.datas[i];
    if (seg.mode != SegmentMode::kActive) continue;
    DataInst& dd = s.datas[mi.datas[i]];
    Value off;
    eval(seg.offset, ValType::I32, &off);
    MemInst& mem = *s.mems[mi.mems[seg.memory]];
    uint64_t d = off.i32(), n = dd.size;
    if (d + n > mem.size) {
      result.failure = Outcome::Trap(TrapKind::MemoryOutOfBounds,
                                     fmt::format("data segment {} at {}+{} > {}", i, d, n, mem.size));
      return result;
    }
    if (n) std::memcpy(mem.data + d, dd.bytes, n);
    dd.size = 0;
    dd.dropped = true;
  }
  // Spec 4.5.4 step 16: the start function.
  if (m.start) {
    s.fuel_stop.reset();
    Outcome o = s.Execute(mi.funcs[*m.start], {});
    if (o.kind != Outcome::Kind::kValues) {
      result.failure = o;
      return result;
    }
  }
  result.instance = inst_index;
  return result;
}

std::optional<ExternVal> Store::GetExport(uint32_t instance, std::string_view name) const {
  const ModuleInst& mi = impl_->instances[instance];
  const Export* e = mi.module->FindExport(name);
  if (!e) return std::nullopt;
  switch (e->kind) {
    case ExternKind::Func: return ExternVal{e->kind, mi.funcs[e->index]};
    case ExternKind::Table: return ExternVal{e->kind, mi.tables[e->index]};
    case ExternKind::Memory: return ExternVal{e->kind, mi.mems[e->index]};
    case ExternKind::Global: return ExternVal{e->kind, mi.globals[e->index]};
  }
  return std::nullopt;
}

const Module& Store::ModuleOf(uint32_t instance) const { return *impl_->instances[instance].module; }

Outcome Store::Invoke(uint32_t func_addr, std::span<const Value> args) {
  impl_->fuel_stop.reset();
  return impl_->Execute(func_addr, args);
}

std::optional<FuelStop> Store::fuel_stop() const { return impl_->fuel_stop; }

const FuncType& Store::FuncTypeOf(uint32_t a) const {
  return impl_->types[impl_->funcs[a]->type_id];
}
Value Store::GlobalValue(uint32_t a) const {
  const GlobalInst& g = impl_->globals[a];
  return SlotValue(g.type.type, g.bits, g.hi);
}
GlobalType Store::GlobalTypeOf(uint32_t a) const { return impl_->globals[a].type; }
std::span<const uint8_t> Store::MemoryBytes(uint32_t a) const {
  return {impl_->mems[a]->data, impl_->mems[a]->size};
}
std::span<const uint64_t> Store::TableElems(uint32_t a) const { return impl_->tables[a]->elems; }
TableType Store::TableTypeOf(uint32_t a) const {
  TableType t = impl_->tables[a]->type;
  t.limits.min = impl_->tables[a]->elems.size();
  return t;
}
MemoryType Store::MemoryTypeOf(uint32_t a) const {
  MemoryType t = impl_->mems[a]->type;
  t.limits.min = impl_->mems[a]->pages();
  return t;
}

InstanceState Store::State(uint32_t instance) const {
  const Impl& s = *impl_;
  const ModuleInst& mi = s.instances[instance];
  InstanceState st;
  for (uint32_t m : mi.mems) st.memories.push_back(MemoryBytes(m));
  for (uint32_t g : mi.globals) st.globals.push_back(GlobalValue(g));
  for (uint32_t t : mi.tables) {
    st.tables.push_back(s.tables[t]->elems);
    st.table_types.push_back(s.tables[t]->type.elem);
  }
  for (uint32_t d : mi.datas) st.data_dropped.push_back(s.datas[d].dropped);
  for (uint32_t e : mi.elems) st.elem_dropped.push_back(s.elems[e].dropped);
  return st;
}

FuncIdentity Store::FuncIdentityOf(uint64_t func_addr) const {
  const FuncInst& f = *impl_->funcs[func_addr];
  if (f.host) return {kHostInstance, static_cast<uint32_t>(func_addr)};
  return {f.instance, f.func_index};
}

}  // namespace tandem::ref
