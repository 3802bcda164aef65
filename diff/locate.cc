// locate.cc: the first divergence, named down to a short range of instructions (locate.h).
#include "diff/locate.h"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "diff/process.h"
#include "diff/ref_engine.h"
#include "reference/encoder.h"

namespace tandem::diff {

using wasm::Instr;
using wasm::Op;
using wasm::ValType;

namespace {

// A probe's log entry: log-i64 of kProbeTag | probe number. A module's own log-i64 calls are
// told apart by the tag in the high half (a module logging exactly such a value would confuse
// the probe stage, which then finds nothing or a wrong place; the fuel stage does not log).
constexpr uint64_t kProbeTag = uint64_t{0x7a6e5052} << 32;

// One probe of an instrumented module: in function `func`, after instruction `after` of its
// body (-1: before the first instruction). A value probe also logs that instruction's result.
struct ProbeSite {
  uint32_t func = 0;
  int64_t after = -1;
  bool value = false;
};

// The module with probes, and the probe budget: a global every probe counts down; the probe
// that finds it at zero traps (`unreachable`), so that a run can be cut after any number of
// probes, on every engine at the same point.
struct Instrumented {
  wasm::Module module;
  std::vector<ProbeSite> sites;
  uint32_t budget_global = 0;
  const Case* original = nullptr;

  // The case with a budget of `probes` probes (~0: no limit); nullopt when it does not validate.
  std::optional<Case> WithBudget(uint64_t probes) {
    module.globals[budget_global].init.code = {Instr{}};
    Instr& init = module.globals[budget_global].init.code[0];
    init.op = Op::I64Const;
    init.c = probes;
    try {
      Case c = MakeCase(wasm::Encode(module), original->script);
      if (c.module) return c;
    } catch (const std::exception&) {
    }
    return std::nullopt;
  }
};

// Instructions whose result feeds a compare-and-branch or select that a JIT may fuse with the
// instruction before: no probe goes before them.
bool FusesWithPrevious(Op op) {
  switch (op) {
    case Op::BrIf: case Op::If: case Op::Select: case Op::SelectT: case Op::BrTable:
    case Op::I32Eqz: case Op::I64Eqz:
      return true;
    default: return false;
  }
}

bool IsConst(Op op) {
  return op == Op::I32Const || op == Op::I64Const || op == Op::F32Const || op == Op::F64Const;
}

// The one numeric result of `in` (that a probe can log), if it has one.
std::optional<ValType> ProbedResult(const wasm::Module& m, const std::vector<ValType>& locals,
                                    const Instr& in) {
  std::optional<ValType> t;
  const wasm::OpInfo& info = wasm::GetOpInfo(in.op);
  switch (in.op) {
    case Op::LocalGet: case Op::LocalTee:
      if (in.a < locals.size()) t = locals[in.a];
      break;
    case Op::GlobalGet:
      if (in.a < m.globals.size()) t = m.globals[in.a].type.type;
      break;
    case Op::Call:
      if (in.a < m.func_types.size() && m.FuncTypeOf(in.a).results.size() == 1)
        t = m.FuncTypeOf(in.a).results[0];
      break;
    case Op::CallIndirect:
      if (in.a < m.types.size() && m.types[in.a].results.size() == 1) t = m.types[in.a].results[0];
      break;
    default:
      if (info.result != wasm::SigType::Special) t = wasm::SigValType(info.result);
  }
  if (t && (*t == ValType::I32 || *t == ValType::I64 || *t == ValType::F32 || *t == ValType::F64))
    return t;
  return std::nullopt;
}

Instr Make(Op op, uint32_t a = 0, uint64_t c = 0) {
  Instr in{};
  in.op = op;
  in.a = a;
  in.c = c;
  return in;
}

// Shifts every function index at or above `from` by `by` (imports were added before it).
void ShiftFuncIndices(wasm::Module& m, uint32_t from, uint32_t by) {
  auto fix = [&](uint32_t& f) {
    if (f >= from) f += by;
  };
  auto fix_code = [&](std::vector<Instr>& code) {
    for (Instr& in : code)
      if (in.op == Op::Call || in.op == Op::RefFunc) fix(in.a);
  };
  for (wasm::FunctionBody& b : m.code) fix_code(b.code);
  for (wasm::Global& g : m.globals) fix_code(g.init.code);
  for (wasm::ElemSegment& e : m.elems) {
    fix_code(e.offset.code);
    for (wasm::ConstExpr& x : e.init) fix_code(x.code);
  }
  for (wasm::Export& e : m.exports)
    if (e.kind == wasm::ExternKind::Func) fix(e.index);
  if (m.start) fix(*m.start);
}

// The module with probes (see locate.h).
Instrumented Instrument(const Case& c) {
  Instrumented out;
  out.original = &c;
  wasm::Module& m = out.module;
  m = *c.module;
  const uint32_t k = m.num_imported_funcs;
  static constexpr std::pair<const char*, ValType> kLogs[] = {
      {"log-i64", ValType::I64}, {"log-i32", ValType::I32},
      {"log-f32", ValType::F32}, {"log-f64", ValType::F64}};
  std::map<ValType, uint32_t> log_of;  // value type -> the import's function index
  std::vector<uint32_t> new_types;
  for (const auto& [name, type] : kLogs) {
    m.types.push_back(wasm::FuncType{{type}, {}});
    wasm::Import imp;
    imp.module = std::string(kFuzzingSupport);
    imp.name = name;
    imp.kind = wasm::ExternKind::Func;
    imp.func_type_index = static_cast<uint32_t>(m.types.size() - 1);
    m.imports.push_back(imp);
    new_types.push_back(imp.func_type_index);
    log_of[type] = k + static_cast<uint32_t>(new_types.size() - 1);
  }
  const uint32_t added = static_cast<uint32_t>(new_types.size());
  ShiftFuncIndices(m, k, added);
  m.func_types.insert(m.func_types.begin() + k, new_types.begin(), new_types.end());
  m.num_imported_funcs += added;
  out.budget_global = static_cast<uint32_t>(m.globals.size());
  m.globals.push_back({wasm::GlobalType{ValType::I64, true}, {}});
  const uint32_t budget = out.budget_global;
  // One scratch global per probed type holds the value while the probe logs it (globals, not
  // locals: a JIT caches locals in registers, and a fault there would hit the probes too).
  std::map<ValType, uint32_t> scratch;
  for (ValType t : {ValType::I32, ValType::I64, ValType::F32, ValType::F64}) {
    scratch[t] = static_cast<uint32_t>(m.globals.size());
    wasm::Global g{wasm::GlobalType{t, true}, {}};
    g.init.code.push_back(Make(t == ValType::I32 ? Op::I32Const
                               : t == ValType::I64 ? Op::I64Const
                               : t == ValType::F32 ? Op::F32Const : Op::F64Const));
    m.globals.push_back(std::move(g));
  }
  for (size_t fi = 0; fi < m.code.size(); ++fi) {
    wasm::FunctionBody& body = m.code[fi];
    const uint32_t func = c.module->num_imported_funcs + static_cast<uint32_t>(fi);
    std::vector<ValType> locals = m.types[body.type_index].params;
    for (const wasm::LocalDecl& d : body.locals) locals.insert(locals.end(), d.count, d.type);
    std::vector<Instr> code;
    code.reserve(body.code.size() * 4);
    auto probe = [&](int64_t after, std::optional<ValType> value) {
      uint32_t id = static_cast<uint32_t>(out.sites.size());
      out.sites.push_back({func, after, value.has_value()});
      if (value) code.push_back(Make(Op::GlobalSet, scratch[*value]));
      // if (budget == 0) unreachable; budget -= 1
      code.push_back(Make(Op::GlobalGet, budget));
      code.push_back(Make(Op::I64Eqz));
      code.push_back(Make(Op::If, 0, static_cast<uint64_t>(int64_t{-64})));
      code.push_back(Make(Op::Unreachable));
      code.push_back(Make(Op::End));
      code.push_back(Make(Op::GlobalGet, budget));
      code.push_back(Make(Op::I64Const, 0, 1));
      code.push_back(Make(Op::I64Sub));
      code.push_back(Make(Op::GlobalSet, budget));
      code.push_back(Make(Op::I64Const, 0, kProbeTag | id));
      code.push_back(Make(Op::Call, log_of[ValType::I64]));
      if (value) {
        code.push_back(Make(Op::GlobalGet, scratch[*value]));
        code.push_back(Make(Op::Call, log_of[*value]));
        code.push_back(Make(Op::GlobalGet, scratch[*value]));
      }
    };
    probe(-1, std::nullopt);
    const std::vector<Instr>& orig = c.module->code[fi].code;
    for (size_t i = 0; i < orig.size(); ++i) {
      Instr in = body.code[i];  // function indices already shifted
      code.push_back(in);
      const bool last = i + 1 == orig.size();
      if (last) break;
      const Op next = orig[i + 1].op;
      switch (in.op) {
        case Op::Block: case Op::Loop: case Op::If: case Op::Else: case Op::End:
        case Op::BrIf:
          if (!FusesWithPrevious(next)) probe(static_cast<int64_t>(i), std::nullopt);
          continue;
        default: break;
      }
      if (IsConst(in.op) || FusesWithPrevious(next)) continue;
      std::optional<ValType> t = ProbedResult(*c.module, locals, orig[i]);
      if (t)
        probe(static_cast<int64_t>(i), t);
      else if (in.op == Op::Call || in.op == Op::CallIndirect)
        probe(static_cast<int64_t>(i), std::nullopt);
    }
    body.code = std::move(code);
  }
  return out;
}

// The case with its script cut after `step` (no calls for the instantiation) and without
// expectations: with a fuel limit the calls run out of fuel on purpose.
Case Truncated(const Case& c, int step) {
  Case t = c;
  size_t n = step < 0 ? 0 : std::min(c.script.calls.size(), static_cast<size_t>(step) + 1);
  t.script.calls.resize(n);
  for (Call& call : t.script.calls) call.expect.reset();
  t.script.instantiation.reset();
  return t;
}

std::string InstrText(const wasm::FunctionBody& body, const Instr& in) {
  const wasm::OpInfo& info = wasm::GetOpInfo(in.op);
  std::string s = info.name;
  using K = wasm::ImmKind;
  switch (info.imm) {
    case K::LabelIdx: case K::FuncIdx: case K::LocalIdx: case K::GlobalIdx: case K::TableIdx:
    case K::ElemIdx: case K::DataIdx:
      s += fmt::format(" {}", in.a);
      break;
    case K::CallIndirect: s += fmt::format(" (type {}) (table {})", in.a, in.b); break;
    case K::BrTable: {
      for (uint32_t i = 0; i <= in.b && in.a + i < body.br_table_pool.size(); ++i)
        s += fmt::format(" {}", body.br_table_pool[in.a + i]);
      break;
    }
    case K::I32Const: s += fmt::format(" {}", static_cast<int32_t>(in.c)); break;
    case K::I64Const: s += fmt::format(" {}", static_cast<int64_t>(in.c)); break;
    case K::F32Const: s += fmt::format(" 0x{:08x}", in.c); break;
    case K::F64Const: s += fmt::format(" 0x{:016x}", in.c); break;
    case K::Mem1: case K::Mem2: case K::Mem4: case K::Mem8: case K::Mem16:
      if (in.c) s += fmt::format(" offset={}", in.c);
      break;
    default: break;
  }
  return s;
}

// Instructions that only move values or structure control: the signature's opcode is the last
// instruction of a region that is none of these (else the region's last instruction).
bool Plain(Op op) {
  switch (op) {
    case Op::LocalGet: case Op::LocalSet: case Op::LocalTee: case Op::Nop: case Op::Block:
    case Op::Loop: case Op::If: case Op::Else: case Op::End: case Op::Br: case Op::BrIf:
    case Op::BrTable: case Op::Drop: case Op::Return:
      return true;
    default: return IsConst(op);
  }
}

// Instructions that can trap (or, miscompiled, crash): where an engine stops in a region.
bool MayTrap(Op op) {
  const char* name = wasm::OpName(op);
  std::string_view n(name);
  if (n.find(".load") != std::string_view::npos || n.find(".store") != std::string_view::npos)
    return true;
  if (n.find(".div_") != std::string_view::npos || n.find(".rem_") != std::string_view::npos)
    return n[0] == 'i';
  if (n.find(".trunc_f") != std::string_view::npos) return n.find("_sat_") == std::string_view::npos;
  switch (op) {
    case Op::Unreachable: case Op::Call: case Op::CallIndirect: case Op::MemoryFill:
    case Op::MemoryCopy: case Op::MemoryInit: case Op::TableGet: case Op::TableSet:
    case Op::TableFill: case Op::TableCopy: case Op::TableInit:
      return true;
    default: return false;
  }
}

// Fills `l` with the region [first, last] (instruction indices) of function `func`. The
// signature's opcode is `named`'s; for a region where an engine stops (`stop`), its first
// instruction that can trap.
void SetRegion(Location& l, const wasm::Module& m, uint32_t func, size_t first, size_t last,
               std::optional<size_t> named = std::nullopt, bool stop = false) {
  const wasm::FunctionBody& body = m.code[func - m.num_imported_funcs];
  last = std::min(last, body.code.size() - 1);
  first = std::min(first, last);
  l.found = true;
  l.func = func;
  l.begin = body.code[first].offset;
  l.end = body.code[last].offset;
  l.instructions.clear();
  for (size_t i = first; i <= last; ++i)
    l.instructions.push_back(fmt::format("0x{:08x}  {}", body.code[i].offset, InstrText(body, body.code[i])));
  // The named instruction; else the region's last that computes something; else its last
  // branch; else its last instruction.
  auto last_where = [&](auto pred) -> std::optional<size_t> {
    for (size_t i = last + 1; i-- > first;)
      if (pred(body.code[i].op)) return i;
    return std::nullopt;
  };
  std::optional<size_t> pick = named;
  if (!pick && stop)
    for (size_t i = first; i <= last && !pick; ++i)
      if (MayTrap(body.code[i].op)) pick = i;
  if (!pick) pick = last_where([](Op op) { return !Plain(op); });
  if (!pick)
    pick = last_where([](Op op) {
      return op == Op::BrTable || op == Op::BrIf || op == Op::If || op == Op::Br || op == Op::Return;
    });
  if (!pick) pick = last;
  l.op = wasm::OpName(body.code[*pick].op);
}

// The last local.set or local.tee of `local` before instruction `before`, at most 31
// instructions before `end` (a region's last instruction); nullopt when there is none.
std::optional<size_t> LastWrite(const std::vector<Instr>& code, uint32_t local, size_t before,
                                size_t end) {
  for (size_t i = before; i-- > 0 && end - i < 32;)
    if ((code[i].op == Op::LocalSet || code[i].op == Op::LocalTee) && code[i].a == local) return i;
  return std::nullopt;
}

// A region that computes nothing but reads a local (`local.get 3; if`): the local's value is
// what differs, so the region goes back to the last write of that local before it, when that is
// at most 32 instructions before the region's end.
void ExtendToLocalWrite(Location& l, const wasm::Module& m) {
  const wasm::FunctionBody& body = m.code[l.func - m.num_imported_funcs];
  size_t first = 0, last = 0;
  for (size_t i = 0; i < body.code.size(); ++i) {
    if (body.code[i].offset == l.begin) first = i;
    if (body.code[i].offset == l.end) last = i;
  }
  std::optional<uint32_t> local;
  for (size_t i = first; i <= last; ++i) {
    if (!Plain(body.code[i].op)) return;
    if (body.code[i].op == Op::LocalGet) local = body.code[i].a;
  }
  if (!local) return;
  if (std::optional<size_t> w = LastWrite(body.code, *local, first, last)) {
    const std::string op = l.op;
    SetRegion(l, m, l.func, *w, last);
    l.op = op;
    l.note += "; the region goes back to the last write of the local it reads";
  }
}

// The engine that differs first and the engine it is compared with.
std::pair<std::string, std::string> Pair(const CaseResult& r) {
  if (!r.divergences.empty()) return {r.divergences.front().engine, r.divergences.front().base};
  std::string base = r.engines.empty() ? "" : r.engines.front().engine;
  for (const std::string& f : r.failures)
    for (const EngineReport& e : r.engines)
      if (e.engine != base && (f.rfind(e.engine + ":", 0) == 0 ||
                               f.find(" during " + e.engine + " ") != std::string::npos))
        return {e.engine, base};
  for (const EngineReport& e : r.engines)
    if (e.engine != base) return {e.engine, base};
  return {"", base};
}

bool ParseProbe(const std::string& entry, uint32_t* id) {
  if (entry.rfind("log-i64 ", 0) != 0) return false;
  uint64_t v = std::stoull(entry.substr(8), nullptr, 16);
  if ((v & ~uint64_t{0xffffffff}) != kProbeTag) return false;
  *id = static_cast<uint32_t>(v);
  return true;
}

// The probe numbers in a log, in order (the module's own entries left out).
std::vector<uint32_t> ProbesIn(const std::vector<std::string>& log, size_t limit, size_t sites) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < log.size() && i < limit; ++i) {
    uint32_t id;
    if (ParseProbe(log[i], &id) && id < sites) out.push_back(id);
  }
  return out;
}

// The probe stage (locate.h). True when it named a region.
bool LocateByProbes(const Case& c, const HarnessOptions& o, const CaseResult& original, int step,
                    const LocateOptions& lo, Location& l) {
  Instrumented inst = Instrument(c);
  HarnessOptions po = o;
  po.keep_logs = true;
  // Named, not a structured binding: the lambdas below capture them (clang 14 cannot capture
  // structured bindings).
  const std::pair<std::string, std::string> pair = Pair(original);
  const std::string& a = pair.first;
  const std::string& b = pair.second;
  const wasm::Module& m = *c.module;
  auto run = [&](uint64_t budget) -> std::optional<CaseResult> {
    std::optional<Case> probed = inst.WithBudget(budget);
    if (!probed) return std::nullopt;
    ++l.runs;
    return RunCaseIsolated(Truncated(*probed, step), po);
  };
  // From the instruction after site `from` to the next probe site of its function.
  auto after_site = [&](const ProbeSite& from, bool stop) {
    size_t first = static_cast<size_t>(from.after + 1);
    size_t last = m.code[from.func - m.num_imported_funcs].code.size() - 1;
    for (const ProbeSite& s : inst.sites)
      if (s.func == from.func && s.after > from.after) {
        last = static_cast<size_t>(s.after);
        break;  // sites are in code order within a function
      }
    SetRegion(l, m, from.func, first, last, std::nullopt, stop);
  };
  // The region from where two engines' logs part; false when they do not.
  auto from_logs = [&](const CaseResult& r) {
    const EngineReport *ea = nullptr, *eb = nullptr;
    for (const EngineReport& e : r.engines) {
      if (e.engine == a) ea = &e;
      if (e.engine == b) eb = &e;
    }
    if (!ea || !eb) return false;
    const size_t steps = std::min(ea->logs.size(), eb->logs.size());
    for (size_t t = 0; t < steps; ++t) {
      const std::vector<std::string>& la = ea->logs[t];
      const std::vector<std::string>& lb = eb->logs[t];
      size_t n = 0;
      while (n < la.size() && n < lb.size() && la[n] == lb[n]) ++n;
      if (n == la.size() && n == lb.size()) continue;
      // The last probe both engines logged before entry n.
      std::optional<uint32_t> last;
      size_t last_at = 0;
      for (size_t i = 0; i < n; ++i) {
        uint32_t id;
        if (ParseProbe(la[i], &id) && id < inst.sites.size()) {
          last = id;
          last_at = i;
        }
      }
      if (!last) return false;
      l.step = static_cast<int>(t) - 1;
      const ProbeSite& s = inst.sites[*last];
      if (last_at + 1 == n && s.value) {
        // The value after the probe's instruction differs: that instruction, after the
        // probe before it.
        ProbeSite prev{s.func, -1, false};
        for (const ProbeSite& p : inst.sites)
          if (p.func == s.func && p.after < s.after) prev = p;
        size_t first = static_cast<size_t>(prev.after + 1);
        const std::vector<Instr>& code = m.code[s.func - m.num_imported_funcs].code;
        const Instr& named = code[static_cast<size_t>(s.after)];
        l.note = "the value of the region's last instruction differs";
        if (named.op == Op::LocalGet) {
          // A local read back wrong while what was written agreed: the region goes back to the
          // last write of the local before it (the local's storage is the suspect).
          const size_t end = static_cast<size_t>(s.after);
          if (std::optional<size_t> w = LastWrite(code, named.a, end, end)) {
            first = std::min(first, *w);
            l.note = "the local read at the region's end differs from what was written at its start";
          }
        }
        SetRegion(l, m, s.func, first, static_cast<size_t>(s.after), static_cast<size_t>(s.after));
      } else {
        const bool stop = !(n < la.size() && n < lb.size());
        after_site(s, stop);
        l.note = stop ? "one engine stops in the region" : "the engines take different paths in the region";
        ExtendToLocalWrite(l, m);
      }
      return true;
    }
    return false;
  };

  std::optional<CaseResult> full = run(~uint64_t{0});
  if (!full) {
    l.note = "the module with probes does not validate";
    return false;
  }
  l.method = "probes";
  if (from_logs(*full)) return true;
  if (!IsFinding(full->verdict)) {
    l.note = "with probes the engines agree";
    return false;
  }
  if (!lo.probe_budget) {
    l.note = "the logs with probes agree (the probe budget is not bisected)";
    return false;
  }
  l.method = "probe budget";
  // The logs agree as far as they go (a crash, a hang, or a difference in state only): bisect
  // the probe budget down to the least number of probes after which the engines differ.
  // With a budget of 0 the first probe traps: a difference then comes before any instruction
  // of the case runs (at a call's entry, or in the engine itself), and no region holds it.
  if (std::optional<CaseResult> r0 = run(0); r0 && IsFinding(r0->verdict)) {
    l.note = "the engines differ before the first instruction runs";
    l.before_code = true;
    return false;
  }
  uint64_t ok = 0, bad = 1;
  for (;;) {
    if (l.runs >= lo.max_runs || lo.Late()) {
      l.note = "probe budget: no difference within the runs or time allowed";
      return false;
    }
    std::optional<CaseResult> r = run(bad);
    if (r && IsFinding(r->verdict)) break;
    ok = bad;
    bad *= 2;
    if (bad > (uint64_t{1} << 40)) {
      l.note = "probe budget: no difference up to 2^40 probes";
      return false;
    }
  }
  std::optional<CaseResult> at_bad;
  while (bad - ok > 1 && l.runs < lo.max_runs && !lo.Late()) {
    uint64_t mid = ok + (bad - ok) / 2;
    std::optional<CaseResult> r = run(mid);
    if (r && IsFinding(r->verdict)) {
      bad = mid;
      at_bad = std::move(r);
    } else {
      ok = mid;
    }
  }
  if (bad - ok > 1) {
    l.note = "probe budget: the bisection ran out of runs";
    return false;
  }
  if (!at_bad) at_bad = run(bad);
  if (at_bad && from_logs(*at_bad)) return true;
  // A budget of B lets B probes pass and traps at the next one. With `bad` probes the engines
  // differ, with `ok` = bad - 1 they agree: the difference comes after probe number `bad`
  // (counted from the instantiation) and before the next. The reference names that probe.
  std::optional<Case> probed = inst.WithBudget(bad + 1);
  if (!probed) return false;
  HarnessOptions ro = po;
  ro.engines = {"ref"};
  ro.faults.clear();
  CaseResult rr = RunCase(Truncated(*probed, step), ro);
  ++l.runs;
  std::vector<uint32_t> seen;
  int seen_step = -1;
  if (!rr.engines.empty())
    for (size_t t = 0; t < rr.engines[0].logs.size(); ++t) {
      for (uint32_t id : ProbesIn(rr.engines[0].logs[t], ~size_t{0}, inst.sites.size())) {
        if (seen.size() >= bad) break;
        seen.push_back(id);
        seen_step = static_cast<int>(t) - 1;
      }
    }
  if (seen.size() < bad) {
    l.note = "probe budget: the reference does not reach the probe";
    return false;
  }
  l.step = seen_step;
  after_site(inst.sites[seen.back()], true);
  l.note = fmt::format("the engines agree after {} probes and differ after {}", ok, bad);
  return true;
}

// Where the reference runs out of fuel with limit `fuel` on the truncated case.
std::optional<ref::FuelStop> RefStop(const Case& t, const EngineConfig& base, uint64_t fuel) {
  EngineConfig config = base;
  config.fuel = fuel;
  config.codegen_faults = 0;
  config.harness_faults = 0;
  config.nan_canonical = true;
  if (t.script.max_call_depth) config.max_call_depth = t.script.max_call_depth;
  auto engine = MakeEngine("ref", config);
  auto* ref = dynamic_cast<RefEngine*>(engine.get());
  if (!ref) return std::nullopt;
  InstantiateOutcome io = ref->Instantiate(t.module);
  if (io.status != InstantiateOutcome::Status::kOk) return ref->ref_store().fuel_stop();
  for (const Call& call : t.script.calls) {
    wasm::Outcome out = ref->Invoke(io.instance, call.export_name, call.args);
    if (out.kind == wasm::Outcome::Kind::kExhausted &&
        out.exhaustion == wasm::ExhaustionKind::kFuel)
      return ref->ref_store().fuel_stop();
  }
  return std::nullopt;
}

// The fuel stage (locate.h). True when it named a region.
bool LocateByFuel(const Case& c, const HarnessOptions& o, int step, const LocateOptions& lo,
                  Location& l) {
  Case t = Truncated(c, step);
  auto differs = [&](uint64_t fuel) {
    Case f = t;
    f.script.fuel = fuel;
    ++l.runs;
    return IsFinding(RunCaseIsolated(f, o).verdict);
  };
  uint64_t limit = c.script.fuel ? c.script.fuel : o.config.fuel;  // 0: none
  uint64_t lo_ok = 0, hi = 1;  // differs(lo_ok) false (0: not run), differs(hi) true
  for (;;) {
    if (l.runs >= lo.max_runs || lo.Late()) {
      l.note = "fuel: no difference within the runs or time allowed";
      return false;
    }
    if (limit && hi >= limit) {
      hi = limit;
      if (!differs(hi)) {
        l.note = "fuel: no difference with the case's own fuel";
        return false;
      }
      break;
    }
    if (differs(hi)) break;
    lo_ok = hi;
    if (hi >= (uint64_t{1} << 40)) {
      l.note = "fuel: no difference up to 2^40 units";
      return false;
    }
    hi *= 2;
  }
  while (hi - lo_ok > 1 && l.runs < lo.max_runs && !lo.Late()) {
    uint64_t mid = lo_ok + (hi - lo_ok) / 2;
    if (differs(mid))
      hi = mid;
    else
      lo_ok = mid;
  }
  if (hi - lo_ok > 1) {
    l.note = "fuel: the bisection ran out of runs";
    return false;
  }
  l.fuel = hi;
  l.method = "fuel";
  l.step = step;
  const wasm::Module& m = *c.module;
  // The engines agree with fuel hi - 1 and differ with fuel hi: the code that runs after unit
  // hi is spent and before unit hi + 1 is. The reference stops at unit hi with fuel hi - 1.
  std::optional<ref::FuelStop> from;
  if (hi > 1) from = RefStop(t, o.config, hi - 1);
  if (!from) {
    // Unit 1 is the entry of the called function (or of the start function).
    uint32_t f = 0;
    bool known = false;
    if (step < 0 && m.start) {
      f = *m.start;
      known = true;
    } else if (step >= 0) {
      if (const wasm::Export* e = m.FindExport(t.script.calls[step].export_name)) {
        f = e->index;
        known = true;
      }
    }
    if (!known || f < m.num_imported_funcs) {
      l.note = "fuel: the reference does not say where unit " + std::to_string(hi) + " is spent";
      return false;
    }
    from = ref::FuelStop{0, f, m.code[f - m.num_imported_funcs].code.front().offset, false};
  }
  std::optional<ref::FuelStop> to = RefStop(t, o.config, hi);
  if (from->func_index < m.num_imported_funcs) return false;
  const wasm::FunctionBody& body = m.code[from->func_index - m.num_imported_funcs];
  size_t first = 0;
  while (first + 1 < body.code.size() && body.code[first].offset < from->offset) ++first;
  if (from->loop && first + 1 < body.code.size()) ++first;  // the loop's body
  size_t last = body.code.size() - 1;
  if (to && to->func_index == from->func_index && to->offset > from->offset) {
    size_t i = first;
    while (i + 1 < body.code.size() && body.code[i + 1].offset < to->offset) ++i;
    last = i;
  }
  SetRegion(l, m, from->func_index, first, last);
  l.note = fmt::format("the engines agree with fuel {} and differ with fuel {}", hi - 1, hi);
  return true;
}

}  // namespace

bool LocateOptions::Late() const { return deadline > 0 && MonotonicSeconds() > deadline; }

Location Locate(const Case& c, const HarnessOptions& options, const CaseResult& original,
                const LocateOptions& given) {
  Location l;
  // Runs of its own: no pooled engines, no coverage or instruction counts of the caller's.
  HarnessOptions o = options;
  o.pool = nullptr;
  o.opcode_coverage.clear();
  o.instruction_count.clear();
  o.timeout_seconds = std::min(o.timeout_seconds, given.run_timeout);
  LocateOptions lo = given;
  if (lo.max_seconds > 0) lo.deadline = MonotonicSeconds() + lo.max_seconds;
  if (!c.module || !IsFinding(original.verdict)) {
    l.note = "nothing to locate";
    return l;
  }
  const int step = FailingStep(original, c.script.calls.size());
  if (step >= static_cast<int>(c.script.calls.size())) {
    l.note = "the failing step is not known";
    return l;
  }
  l.step = step;
  using V = CaseResult::Verdict;
  std::string why;
  if (lo.probes && original.verdict != V::kExpectation) {
    if (LocateByProbes(c, o, original, step, lo, l)) return l;
    why = l.note;
  }
  if (lo.fuel && !l.before_code && LocateByFuel(c, o, step, lo, l)) {
    if (!why.empty()) l.note += " (probes: " + why + ")";
    return l;
  }
  if (!why.empty()) l.note = "probes: " + why + "; " + l.note;
  l.found = false;
  l.op = "?";
  return l;
}

Signature LocatedSignature(const Case& c, const HarnessOptions& o, const CaseResult& r,
                           Location* where, const LocateOptions& lo) {
  Location l = Locate(c, o, r, lo);
  Signature s = SignatureOf(r, l.found ? l.op : "?");
  if (where) *where = std::move(l);
  return s;
}

nlohmann::json ToJson(const Location& l) {
  nlohmann::json j = {{"found", l.found}, {"note", l.note}, {"runs", l.runs}};
  if (!l.found) return j;
  j["method"] = l.method;
  j["step"] = l.step;
  j["function"] = l.func;
  j["begin"] = l.begin;
  j["end"] = l.end;
  j["length"] = l.instructions.size();
  j["instructions"] = l.instructions;
  j["op"] = l.op;
  if (l.method == "fuel") j["fuel"] = l.fuel;
  return j;
}

std::string FormatLocation(const Location& l, const Case& c) {
  if (!l.found) return "not located: " + l.note + "\n";
  std::string step = l.step < 0 ? "the instantiation"
                                : fmt::format("call {} \"{}\"", l.step,
                                              static_cast<size_t>(l.step) < c.script.calls.size()
                                                  ? c.script.calls[l.step].export_name
                                                  : "?");
  std::string out = fmt::format(
      "located ({}): {}, function {}, offsets 0x{:x}-0x{:x} ({} instructions), at {}: {}\n",
      l.method, step, l.func, l.begin, l.end, l.instructions.size(), l.op, l.note);
  for (const std::string& s : l.instructions) out += "  " + s + "\n";
  return out;
}

}  // namespace tandem::diff
