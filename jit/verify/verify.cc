// verify.cc: the verifier's shared part (verify.h, verify_core.h; docs/verifier.md): the
// control-flow graph, the windows and their premises, the regions, the proofs with Z3, the
// proof cache, the counterexamples and the listing. The back ends (verify_x64.cc,
// verify_a64.cc) lift their code into it.
//
// Per function: for every memory access, the window is the instructions before it in its
// block and in the chain of single-predecessor blocks before that (up to a join, the entry, or
// kMaxWindow instructions), executed symbolically in Z3 from unknown registers (the arena
// register = the arena base A, the frame register = the frame base F, the stack pointer = F
// plus the offset the frame rules give). The branches the chain takes are premises; loads give
// unknown values except for the arena fields the runtime keeps (axioms). Then Z3 must prove
// the address inside the region a model of the premises points to; a model outside every
// region is the counterexample.
#include <z3++.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "jit/arena.h"
#include "jit/disasm.h"
#include "jit/jit_store.h"
#include "jit/verify/verify.h"
#include "jit/verify/linear.h"
#include "jit/verify/verify_core.h"
#include "reference/module.h"
#include "reference/value.h"

namespace tandem::jit::verify {

const char* StatusName(Status s) {
  switch (s) {
    case Status::kProved: return "proved";
    case Status::kFailed: return "failed";
    case Status::kUnknown: return "unknown";
  }
  return "?";
}

struct ProofCache::Impl {
  std::unordered_map<std::string, AccessResult> results;
  // One Z3 context for every function verified with this cache: making and tearing down a
  // context per function cost more than the proofs of a small one. Its expressions are
  // reference-counted and go when the function's machine and solver do.
  z3::context ctx;
  core::Prover prover{ctx};
  core::Machine::Bases bases{ctx};  // the bases' symbols, made once
  std::unordered_map<std::string, bool> axioms;  // table-entry queries, by the query itself
  std::unordered_map<std::string, FunctionResult> functions;  // whole functions (VerifyFunction)
  size_t function_key_bytes = 0;
  std::unordered_map<std::string, core::BlockResult> blocks;  // blocks (Verify)
  size_t block_key_bytes = 0;
  // The facts keys met, each numbered (never a number twice, even after the map starts again):
  // the function and block keys hold the number, 8 bytes, instead of the whole facts key.
  std::unordered_map<std::string, uint64_t> facts_ids;
  uint64_t next_facts_id = 0;
  // A long campaign compiles millions of functions: the maps stay within these.
  static constexpr size_t kMaxResults = 1 << 20, kMaxFunctionKeyBytes = size_t{256} << 20;
};
ProofCache::ProofCache() : impl(std::make_unique<Impl>()) {}
ProofCache::~ProofCache() = default;
size_t ProofCache::size() const { return impl->results.size(); }
size_t ProofCache::quick_proofs() const { return impl->prover.quick; }
size_t ProofCache::tactic_queries() const { return impl->prover.light; }
size_t ProofCache::solver_queries() const { return impl->prover.full; }

StoreFacts FactsOf(JitStore& store) {
  StoreFacts f;
  f.arch = store.config().arch;
  Arena& a = store.arena();
  f.vm_bytes = a.config().vm_region_bytes;
  for (uint32_t m = 0; m < a.memory_count(); ++m)
    f.memories.push_back({a.memory_desc_offset(m), a.memory(m).data_offset, a.memory(m).reserved_bytes});
  for (uint32_t t = 0; t < a.table_count(); ++t)
    f.tables.push_back({a.table_desc_offset(t), a.table(t).elems_offset, a.table(t).reserved_entries,
                        a.table(t).elem_type == static_cast<uint32_t>(wasm::ValType::FuncRef)});
  f.func_descs = a.header().func_descs_offset;
  f.func_capacity = a.header().func_capacity;
  f.func_descs_field = static_cast<uint32_t>(offsetof(ArenaHeader, func_descs_offset));
  JitStore::HostFacts h = store.host_facts();
  f.code_table = h.code_table;
  f.code_table_entries = h.code_table_entries;
  f.runtime_table = h.runtime_table;
  f.runtime_entries = h.runtime_entries;
  f.exit = h.exit;
  f.stack_base = h.stack_base;
  f.stack_limit = h.stack_limit;
  return f;
}

namespace core {

Cfg BuildCfg(const Decoded& d) {
  Cfg g;
  g.addrs.reserve(d.ins.size());
  for (const Ins& i : d.ins) g.addrs.push_back(i.addr);
  std::vector<bool> leader(d.ins.size() + 1, false);
  leader[0] = true;
  for (size_t k = 0; k < d.ins.size(); ++k) {
    const Ins& i = d.ins[k];
    const bool jump = i.flow == Flow::kJump || i.flow == Flow::kBranch;
    if (jump && i.target) {
      std::optional<size_t> to = g.IndexOf(*i.target);
      if (!to) {
        g.error = fmt::format("branch at {:#x} to {:#x}, no instruction of the function", i.off, *i.target);
        return g;
      }
      leader[*to] = true;
    }
    if (i.flow != Flow::kNext) leader[k + 1] = true;
  }
  std::vector<size_t> starts;
  starts.reserve(d.ins.size() / 4 + 1);
  for (size_t k = 0; k < d.ins.size(); ++k)
    if (leader[k]) starts.push_back(k);
  g.block_of.assign(d.ins.size(), 0);
  g.blocks.reserve(starts.size());
  for (size_t b = 0; b < starts.size(); ++b) {
    Block blk;
    blk.first = starts[b];
    blk.last = (b + 1 < starts.size() ? starts[b + 1] : d.ins.size()) - 1;
    for (size_t k = blk.first; k <= blk.last; ++k) g.block_of[k] = b;
    g.blocks.push_back(blk);
  }
  for (size_t b = 0; b < g.blocks.size(); ++b) {
    const Ins& i = d.ins[g.blocks[b].last];
    auto add = [&](size_t to) {
      g.blocks[b].succ.push_back(to);
      g.blocks[to].pred.push_back(b);
    };
    if ((i.flow == Flow::kJump || i.flow == Flow::kBranch) && i.target)
      add(g.block_of[*g.IndexOf(*i.target)]);
    const bool falls = i.flow == Flow::kNext || i.flow == Flow::kBranch;
    if (falls && b + 1 < g.blocks.size()) add(b + 1);
  }
  return g;
}

bool InEntryChain(const Cfg& g, size_t k) {
  for (size_t b = g.block_of[k]; b > 0; --b)
    if (g.blocks[b].pred.size() != 1 || g.blocks[b].pred[0] != b - 1) return false;
  return true;
}

z3::expr Machine::Fresh(unsigned bits, const std::string& what) {
  z3::expr v = c.bv_const(fmt::format("{}#{}", what, fresh++).c_str(), bits);
  named.emplace_back(what, v);
  return v;
}

std::optional<uint64_t> Machine::ArenaConstant(uint64_t o, unsigned bits) const {
  for (const auto& mem : facts.memories)
    if (o == mem.desc + offsetof(MemoryDesc, data_offset) && bits == 64) return mem.data;
  for (const auto& t : facts.tables)
    if (o == t.desc + offsetof(TableDesc, elems_offset) && bits == 64) return t.elems;
  if (o == facts.func_descs_field && bits == 32) return facts.func_descs;
  return std::nullopt;
}

std::optional<z3::expr> Machine::ArenaField(uint64_t o, unsigned bits) {
  if (std::optional<uint64_t> v = ArenaConstant(o, bits)) return c.bv_val(*v, bits);  // "fixed offsets"
  for (size_t k = 0; k < facts.memories.size(); ++k) {
    const auto& mem = facts.memories[k];
    if (o == mem.desc + offsetof(MemoryDesc, size_bytes) && bits == 64) {
      z3::expr s = Fresh(64, fmt::format("memory{}.size", k));
      memory_size.insert_or_assign(k, s);
      premises.push_back(z3::ule(s, c.bv_val(mem.reserved, 64)));  // axiom "memory size"
      return s;
    }
  }
  for (size_t k = 0; k < facts.tables.size(); ++k) {
    const auto& t = facts.tables[k];
    if (o == t.desc + offsetof(TableDesc, size) && bits == 32) {
      z3::expr s = Fresh(32, fmt::format("table{}.size", k));
      table_size.insert_or_assign(k, s);
      premises.push_back(z3::ule(s, c.bv_val(t.reserved, 32)));  // axiom "table size"
      return s;
    }
  }
  return std::nullopt;
}


namespace {

// ---- regions -----------------------------------------------------------------------------

struct Region {
  std::string name;
  enum Base { kArena, kFrame, kAbsolute } base;
  z3::expr lo, hi;  // 65-bit: offsets from the base (signed for the frame), or addresses
  // The same bounds as numbers, when they are constants (the frame: signed offsets).
  bool numeric = false;
  __int128 nlo = 0, nhi = 0;
};

// The uninterpreted constants (symbols) of `e`, by declaration id.
void Symbols(const z3::expr& e, std::unordered_set<unsigned>& out) {
  std::vector<z3::expr> todo = {e};
  std::unordered_set<unsigned> seen;
  while (!todo.empty()) {
    z3::expr x = todo.back();
    todo.pop_back();
    if (!seen.insert(x.id()).second || !x.is_app()) continue;
    if (x.is_const() && !x.is_numeral()) {
      if (!x.is_true() && !x.is_false()) out.insert(x.decl().id());  // true, false: no unknowns
      continue;
    }
    for (unsigned k = 0; k < x.num_args(); ++k) todo.push_back(x.arg(k));
  }
}

// The premises (by index) that share a symbol with `cone`, closed under sharing (a premise
// taken adds its symbols). A premise without symbols is a constant and always taken: `false`
// makes the path impossible (a branch whose condition always holds, not taken) and must reach
// the solver.
std::vector<unsigned> Slice(const std::vector<std::unordered_set<unsigned>>& symbols,
                            std::unordered_set<unsigned> cone) {
  std::vector<bool> taken(symbols.size(), false);
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t q = 0; q < symbols.size(); ++q) {
      if (taken[q]) continue;
      bool shares = symbols[q].empty();
      for (auto it = symbols[q].begin(); it != symbols[q].end() && !shares; ++it) shares = cone.count(*it) > 0;
      if (!shares) continue;
      taken[q] = grew = true;
      cone.insert(symbols[q].begin(), symbols[q].end());
    }
  }
  std::vector<unsigned> out;
  for (size_t q = 0; q < taken.size(); ++q)
    if (taken[q]) out.push_back(static_cast<unsigned>(q));
  return out;
}

bool Mentions(const z3::expr& e, const char* name) {
  std::vector<z3::expr> todo = {e};
  std::unordered_set<unsigned> seen;
  while (!todo.empty()) {
    z3::expr x = todo.back();
    todo.pop_back();
    if (!seen.insert(x.id()).second || !x.is_app()) continue;
    if (x.is_const() && !x.is_numeral()) {
      if (x.decl().name().str() == name) return true;
      continue;
    }
    for (unsigned k = 0; k < x.num_args(); ++k) todo.push_back(x.arg(k));
  }
  return false;
}

// The expressions written out with their symbols renamed in order of first appearance (A and F,
// the arena and frame bases, keep their names), shared subterms written once and referred to
// after: two obligations get the same text exactly when they are the same up to the names of
// their unknowns.
std::string Canonical(const std::vector<z3::expr>& roots) {
  std::string out;
  std::unordered_map<unsigned, size_t> node;  // expression id -> its number in `out`
  std::unordered_map<unsigned, size_t> symbol;  // declaration id -> its canonical number
  z3::context& ctx = roots.front().ctx();
  // Iterative post-order, so that deep expressions do not exhaust the stack.
  for (const z3::expr& root : roots) {
    std::vector<std::pair<z3::expr, bool>> todo = {{root, false}};
    while (!todo.empty()) {
      auto [x, expanded] = todo.back();
      todo.pop_back();
      if (node.count(x.id())) continue;
      if (!expanded && x.is_app() && !x.is_numeral() && !x.is_const()) {
        todo.push_back({x, true});
        for (unsigned k = x.num_args(); k-- > 0;) todo.push_back({x.arg(k), false});
        continue;
      }
      std::string text;
      if (x.is_numeral()) {
        text = "n" + std::to_string(x.get_sort().bv_size()) + ":" + Z3_get_numeral_string(ctx, x);
      } else if (x.is_true() || x.is_false()) {
        text = x.is_true() ? "true" : "false";  // constants, not unknowns to rename
      } else if (x.is_const()) {
        const std::string name = x.decl().name().str();
        const unsigned width = x.is_bv() ? x.get_sort().bv_size() : 0;
        if (name == "A" || name == "F") {
          text = name;
        } else {
          auto [it, fresh] = symbol.emplace(x.decl().id(), symbol.size());
          text = fmt::format("v{}:{}", it->second, width);
        }
      } else if (x.is_app()) {
        const z3::func_decl f = x.decl();
        text = fmt::format("({}", static_cast<int>(f.decl_kind()));
        const unsigned params = Z3_get_decl_num_parameters(ctx, f);
        for (unsigned k = 0; k < params; ++k)
          if (Z3_get_decl_parameter_kind(ctx, f, k) == Z3_PARAMETER_INT)
            text += fmt::format(" p{}", Z3_get_decl_int_parameter(ctx, f, k));
        for (unsigned k = 0; k < x.num_args(); ++k) text += fmt::format(" @{}", node.at(x.arg(k).id()));
        text += ")";
      } else {
        text = "?" + x.to_string();  // quantifiers and variables: never built here
      }
      node.emplace(x.id(), node.size());
      out += text;
      out += '\n';
    }
    out += fmt::format("root @{}\n", node.at(root.id()));
  }
  return out;
}

// A one-shot QF_BV solver with the verifier's time limit.
z3::solver NewSolver(z3::context& c) {
  z3::solver s(c, "QF_BV");
  z3::params p(c);
  p.set("timeout", kTimeoutMs);
  s.set(p);
  return s;
}

// The light tactic's conflict budget: a query it cannot settle within it goes to the solver.
constexpr unsigned kLightConflicts = 20000;

}  // namespace

Prover::Prover(z3::context& c)
    : c_(c),
      tactic_([&] {
        z3::params p(c);
        p.set("max_conflicts", kLightConflicts);
        return z3::tactic(c, "simplify") & z3::tactic(c, "propagate-values") & z3::tactic(c, "solve-eqs") &
               z3::tactic(c, "bit-blast") & z3::with(z3::tactic(c, "sat"), p);
      }()) {}

Prover::Answer Prover::Decide(const std::vector<z3::expr>& assertions, bool want_model) {
  Answer a;
  try {
    z3::goal g(c_, /*models=*/false);
    for (const z3::expr& e : assertions) g.add(e);
    z3::apply_result r = tactic_(g);
    if (r.size() == 1 && r[0].is_decided_unsat()) {
      ++light;
      a.result = z3::unsat;
      return a;
    }
    // A model is asked for rarely (to pick a region, or for a counterexample); the solver
    // gives it (a model converted back through the tactic's steps did not evaluate reliably).
    if (r.size() == 1 && r[0].is_decided_sat() && !want_model) {
      ++light;
      a.result = z3::sat;
      return a;
    }
  } catch (const z3::exception&) {
    // The SAT tactic gives up at its conflict budget by failing: the solver decides.
  }
  ++full;
  z3::solver s = NewSolver(c_);
  for (const z3::expr& e : assertions) s.add(e);
  a.result = s.check();
  if (a.result == z3::sat && want_model) a.model = s.get_model();
  return a;
}

void Machine::TableEntryAxiom(const z3::expr& addr, const z3::expr& v) {
  if (!prover) return;
  for (size_t k = 0; k < facts.tables.size(); ++k) {
    const auto& t = facts.tables[k];
    // Only below the size the window loaded: the runtime keeps the entries of a table's current
    // size (the reservation past it need not even be mapped).
    auto size = table_size.find(k);
    if (!t.funcref || size == table_size.end()) continue;
    const z3::expr lo = c.bv_val(t.elems, 65);
    const z3::expr hi = lo + z3::zext(size->second, 33) * c.bv_val(8, 65);
    const z3::expr x = z3::zext((addr - A).simplify(), 1);
    // The premises that bear on the address and the size (closed under sharing a symbol), and
    // the answer cached by the query itself, as the proofs are.
    std::unordered_set<unsigned> cone;
    Symbols(x, cone);
    Symbols(hi, cone);
    std::vector<std::unordered_set<unsigned>> symbols(premises.size());
    for (size_t q = 0; q < premises.size(); ++q) Symbols(premises[q], symbols[q]);
    const std::vector<unsigned> sliced = Slice(symbols, std::move(cone));
    std::vector<z3::expr> roots = {x, hi};
    for (unsigned q : sliced) roots.push_back(premises[q]);
    const std::string key = "table entry " + std::to_string(t.elems) + ":" + Canonical(roots);
    std::optional<bool> known;
    if (axiom_cache)
      if (auto it = axiom_cache->find(key); it != axiom_cache->end()) known = it->second;
    bool inside = known.value_or(false);
    if (!known) {
      std::vector<z3::expr> query;
      for (unsigned q : sliced) query.push_back(premises[q]);
      const z3::expr goal = z3::ule(lo, x) && z3::ule(x + 8, hi);
      inside = Prove(query, goal) != Verdict::kNotShown;  // a contradiction: a path that cannot run
      if (inside) {
        ++prover->quick;
      } else {
        query.push_back(!goal);
        inside = prover->Decide(query).result == z3::unsat;
      }
      if (axiom_cache) {
        if (axiom_cache->size() >= (size_t{1} << 20)) axiom_cache->clear();
        (*axiom_cache)[key] = inside;
      }
    }
    if (inside) {
      premises.push_back(v == c.bv_val(wasm::kNullRef, 64) ||
                         z3::ult(v, c.bv_val(uint64_t{facts.func_capacity}, 64)));
      return;
    }
  }
}

Capstone& ThreadCapstone(Arch arch) {
  struct Open : Capstone {
    explicit Open(Arch a) {
      const bool x64 = a == Arch::kX64;
      if (cs_open(x64 ? CS_ARCH_X86 : CS_ARCH_ARM64, x64 ? CS_MODE_64 : CS_MODE_ARM, &handle) != CS_ERR_OK)
        throw std::runtime_error("capstone: cs_open failed");
      if (x64) cs_option(handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_INTEL);
      cs_option(handle, CS_OPT_DETAIL, CS_OPT_ON);
      insn = cs_malloc(handle);
    }
    ~Open() {
      cs_free(insn, 1);
      cs_close(&handle);
    }
  };
  if (arch == Arch::kX64) {
    thread_local Open x64(Arch::kX64);
    return x64;
  }
  thread_local Open a64(Arch::kA64);
  return a64;
}

// Whether an instruction's bytes hold, at any byte, an 8-byte value in [lo, hi): an absolute
// address inside the function itself, whose proofs then depend on where the function lies.
bool HoldsAddressIn(const uint8_t* bytes, size_t n, uint64_t lo, uint64_t hi) {
  for (size_t k = 0; k + 8 <= n; ++k) {
    uint64_t v = 0;
    std::memcpy(&v, bytes + k, 8);
    if (v >= lo && v < hi) return true;
  }
  return false;
}

// Everything a function's proofs take besides its code: the store's facts and the function's
// argument slots (the key of the whole-function and block caches starts with it).
std::string FactsKey(const StoreFacts& facts, uint32_t arg_slots) {
  // Every field's bytes, raw (a key, never read back; it is made for every function verified).
  std::string key;
  key.reserve(96 + 24 * (facts.memories.size() + facts.tables.size()));
  auto put = [&](auto v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put(static_cast<uint8_t>(facts.arch)), put(arg_slots), put(facts.vm_bytes);
  put(static_cast<uint32_t>(facts.memories.size())), put(static_cast<uint32_t>(facts.tables.size()));
  for (const auto& m : facts.memories) put(m.desc), put(m.data), put(m.reserved);
  for (const auto& t : facts.tables) put(t.desc), put(t.elems), put(t.reserved), put(t.funcref);
  put(facts.func_descs), put(facts.func_capacity), put(facts.func_descs_field), put(facts.code_table);
  put(facts.code_table_entries), put(facts.runtime_table), put(facts.runtime_entries), put(facts.exit);
  put(facts.stack_base), put(facts.stack_limit);
  return key;
}

FunctionKeys KeysOf(const StoreFacts& facts, const FunctionInput& in, ProofCache& cache) {
  FunctionKeys keys;
  auto& ids = cache.impl->facts_ids;
  if (ids.size() >= (size_t{1} << 16)) ids.clear();
  auto [it, fresh] = ids.try_emplace(FactsKey(facts, in.arg_slots), cache.impl->next_facts_id);
  if (fresh) ++cache.impl->next_facts_id;
  keys.facts.assign(reinterpret_cast<const char*>(&it->second), sizeof it->second);
  keys.self_address = HoldsAddressIn(in.code, in.size, in.address, in.address + in.size);
  return keys;
}

FunctionResult Verify(const Lifter& lifter, const StoreFacts& facts, const FunctionInput& in, ProofCache* cache,
                      const FunctionKeys* keys) {
  FunctionResult out;
  out.store_index = in.store_index;
  Decoded d = lifter.Decode(in.code, in.size, in.address);
  auto reject_all = [&](const std::string& why) {
    for (const Ins& i : d.ins) {
      if (i.accesses == 0) continue;
      out.accesses += i.accesses;
      out.failed += i.accesses;
      out.problems.push_back({i.off, d.Text(i), Status::kFailed, "", why});
    }
    if (out.accesses == 0) {  // nothing to prove, but a rule broken: still a failure
      out.accesses = out.failed = 1;
      out.problems.push_back({0, "", Status::kFailed, "", why});
    }
    return out;
  };
  if (!d.error.empty()) {
    out.accesses = out.failed = 1;
    out.problems.push_back({0, "", Status::kFailed, "", d.error});
    return out;
  }
  Cfg g = BuildCfg(d);
  if (!g.error.empty()) return reject_all(g.error);
  FrameFacts frame = lifter.Frame(d, g, facts);
  if (!frame.error.empty()) return reject_all(frame.error);

  // The frame: from the lowest stack pointer up to the caller's argument slots, once the entry
  // check has passed (every later instruction comes after it) and when the entry check leaves
  // room for it (axiom "stack margin"); before that, only the two slots above F (the saved
  // frame register and the return address).
  const int64_t frame_top = 16 + 8 * int64_t{in.arg_slots};
  const bool frame_fits = frame.entry_check && frame.after_frame - frame.lowest <=
                                                   static_cast<int64_t>(facts.stack_limit - facts.stack_base);

  std::optional<z3::context> own;  // without a cache, one context for this function
  z3::context& c = cache ? cache->impl->ctx : own.emplace();
  std::optional<Machine::Bases> own_bases;
  const Machine::Bases& bases = cache ? cache->impl->bases : own_bases.emplace(c);
  std::optional<Prover> own_prover;
  Prover& prover = cache ? cache->impl->prover : own_prover.emplace(c);

  // Whether a base plus a constant lies inside a region instruction k may touch.
  auto lin_inside = [&](const Lin& at, unsigned bytes, size_t k) {
    const bool frame_ok = frame_fits && k > frame.check_at;
    const bool entry_stack = k <= frame.check_at;
    const __int128 lo = at.off, hi = lo + bytes;
    auto within = [&](uint64_t base, uint64_t len) {
      return lo >= static_cast<__int128>(base) && hi <= static_cast<__int128>(base) + len;
    };
    switch (at.base) {
      case Lin::kArena: return lo >= 0 && hi <= static_cast<__int128>(facts.vm_bytes);
      case Lin::kFrame: return (frame_ok && lo >= frame.lowest && hi <= frame_top) || (entry_stack && lo >= 0 && hi <= 16);
      case Lin::kConst:
        return within(facts.code_table, 8 * facts.code_table_entries) ||
               within(facts.runtime_table, 8 * facts.runtime_entries) ||
               within(in.address + d.pool_begin, in.size - d.pool_begin);
      default: return false;
    }
  };

  // One walk per block: the chain of single-predecessor blocks before it (up to a join, the
  // entry, or kMaxWindow instructions) is executed once, then the block instruction by
  // instruction; each access is proved in the state just before it. The premises only grow
  // along the walk.
  //
  // A block's result depends only on its instructions and its window's (their bytes, the stack
  // pointer before each, whether the entry check comes before it, and where it lies when an
  // operand is relative to it), the edges the window takes, whether it starts at the entry,
  // the frame and pool bounds, the store's facts and the argument slots: with a cache, a block
  // met before (in this function, another, another case's) is answered whole. Absolute
  // addresses the code holds are in its bytes (and one inside the function itself keys the
  // function's address too); branches and pool references are relative.
  std::string function_key;
  std::optional<FunctionKeys> own_keys;
  if (cache && !keys) keys = &own_keys.emplace(KeysOf(facts, in, *cache));
  // Whether any instruction holds an address inside this function (then each one that does
  // keys its address): the whole code is scanned once, not each block's window again.
  const bool self_address = cache && keys->self_address;
  if (cache) {
    function_key = keys->facts;
    auto put = [&](auto v) { function_key.append(reinterpret_cast<const char*>(&v), sizeof v); };
    put(in.size), put(d.pool_begin), put(frame_fits), put(frame.lowest), put(frame_top), put(cache->quick);
  }
  for (size_t b = 0; b < g.blocks.size(); ++b) {
    bool any = false;
    for (size_t k = g.blocks[b].first; k <= g.blocks[b].last && !any; ++k) any = d.ins[k].accesses > 0;
    if (!any) continue;
    const FunctionResult before = [&] {
      FunctionResult r;
      r.accesses = out.accesses, r.proved = out.proved, r.failed = out.failed, r.unknown = out.unknown;
      r.cached = out.cached, r.solver = out.solver, r.vacuous = out.vacuous;
      return r;
    }();
    const size_t problems_before = out.problems.size();
    if (frame.sp[g.blocks[b].first] == kSpUnreached) {
      // Dead code: no path from the entry reaches it (control enters a function only at its
      // start, and its only ways out are the return and the jump to the exit path).
      for (size_t k = g.blocks[b].first; k <= g.blocks[b].last; ++k) {
        out.accesses += d.ins[k].accesses;
        out.proved += d.ins[k].accesses;
        out.dead += d.ins[k].accesses;
      }
      continue;
    }
    std::vector<size_t> window;                  // the chain's instructions, in execution order
    std::vector<std::pair<size_t, bool>> edges;  // (index of a branch in the window, taken)
    bool at_entry = b == 0;
    size_t cur = b;
    while (window.size() < kMaxWindow && g.blocks[cur].pred.size() == 1) {
      size_t p = g.blocks[cur].pred[0];
      if (p == b) break;  // a loop of single-predecessor blocks
      const Block& pb = g.blocks[p];
      const Ins& last = d.ins[pb.last];
      if (last.flow == Flow::kBranch) {
        bool taken = last.target && g.block_of[*g.IndexOf(*last.target)] == cur;
        bool falls = p + 1 == cur;
        if (!(taken && falls)) edges.push_back({pb.last, taken});
      }
      bool seen = false;
      for (size_t j = pb.first; j <= pb.last && !seen; ++j)
        seen = std::find(window.begin(), window.end(), j) != window.end();
      if (seen) break;
      for (size_t j = pb.last + 1; j-- > pb.first;) window.push_back(j);
      cur = p;
      at_entry = p == 0;
    }
    std::reverse(window.begin(), window.end());
    at_entry = at_entry && (window.empty() ? b == 0 : window.front() == 0);

    std::string block_key;
    if (cache) {
      block_key = function_key;
      block_key.reserve(function_key.size() + 16 * (window.size() + g.blocks[b].last - g.blocks[b].first + 4));
      auto put = [&](auto v) { block_key.append(reinterpret_cast<const char*>(&v), sizeof v); };
      auto add = [&](size_t j) {
        const Ins& w = d.ins[j];
        block_key.append(reinterpret_cast<const char*>(w.raw.data()), w.size);
        block_key.append(reinterpret_cast<const char*>(&frame.sp[j]), sizeof frame.sp[j]);
        block_key += j > frame.check_at ? '>' : '<';
        // Where it lies matters only to an operand relative to the instruction's own address
        // (x64's rip-relative pool references; a64's adr), which the lifter resolves to an
        // absolute address; branch targets only shape the graph, which the edges give.
        if (w.pc_relative) block_key += '@', put(w.off);
        if (self_address && HoldsAddressIn(w.raw.data(), w.size, in.address, in.address + in.size))
          block_key += '#', put(w.addr);
        block_key += ';';
      };
      for (size_t j : window) add(j);
      block_key += '|';
      for (size_t k = g.blocks[b].first; k <= g.blocks[b].last; ++k) add(k);
      for (auto& [e, t] : edges)
        block_key += 'e', put(static_cast<uint32_t>(std::find(window.begin(), window.end(), e) - window.begin())),
            put(t);
      const Block& blk = g.blocks[b];
      block_key += '|', put(at_entry), put(static_cast<uint32_t>(blk.pred.size()));
      if (blk.pred.size() == 2 && blk.first > 0) {  // a loop head (BlockPremises reads the one before it)
        add(blk.first - 1);
        put(blk.pred[0] + 1 == b || blk.pred[1] + 1 == b), put(blk.pred[0] == b || blk.pred[1] == b);
      }
      if (auto it = cache->impl->blocks.find(block_key); it != cache->impl->blocks.end()) {
        const BlockResult& r = it->second;
        ++cache->block_hits;
        out.accesses += r.counts.accesses, out.proved += r.counts.proved, out.failed += r.counts.failed;
        out.unknown += r.counts.unknown, out.cached += r.counts.accesses, out.vacuous += r.counts.vacuous;
        for (const auto& [k, a] : r.problems) {
          AccessResult p = a;
          p.code_offset = d.ins[g.blocks[b].first + k].off;
          p.text = d.Text(d.ins[g.blocks[b].first + k]);
          out.problems.push_back(std::move(p));
        }
        continue;
      }
    }
    // Keeps the block's result under its key (on each way out of the walks below).
    auto remember = [&] {
      if (!cache) return;
      BlockResult r;
      r.counts.accesses = out.accesses - before.accesses, r.counts.proved = out.proved - before.proved;
      r.counts.failed = out.failed - before.failed, r.counts.unknown = out.unknown - before.unknown;
      r.counts.vacuous = out.vacuous - before.vacuous;
      for (size_t q = problems_before; q < out.problems.size(); ++q) {
        size_t k = g.blocks[b].first;
        while (k < g.blocks[b].last && d.ins[k].off != out.problems[q].code_offset) ++k;
        r.problems.push_back({static_cast<uint32_t>(k - g.blocks[b].first), out.problems[q]});
      }
      auto& blocks = cache->impl->blocks;
      if (cache->impl->block_key_bytes + block_key.size() > ProofCache::Impl::kMaxFunctionKeyBytes) {
        blocks.clear();
        cache->impl->block_key_bytes = 0;
      }
      cache->impl->block_key_bytes += block_key.size();
      blocks.emplace(std::move(block_key), std::move(r));
    };

    // The first walk follows the base-plus-constant forms alone: when they prove every access
    // of the block, it needs no expression at all (most blocks: frame slots, VM fields). The
    // symbolic walk then goes only as far as the last access they do not prove: those after
    // it are proved already (the forms come out the same in both walks).
    size_t symbolic_last = g.blocks[b].last;  // the symbolic walk's last instruction
    // The block's instructions whose accesses the first walk proved (the symbolic walk counts
    // them and goes on).
    std::vector<bool> first_walk_proved(g.blocks[b].last - g.blocks[b].first + 1, false);
    {
      std::unique_ptr<Machine> lm = lifter.NewMachine(c, facts, d, bases, /*symbolic=*/false);
      if (at_entry) lm->AtEntry();
      lifter.BlockPremises(d, g, b, *lm);
      for (size_t j : window) {
        lm->Step(d.ins[j], frame.sp[j]);
        if (d.ins[j].flow == Flow::kBranch)
          for (auto& [e, t] : edges)
            if (e == j) lm->Edge(d.ins[j], t);
      }
      // An index the bounds emitter made, past a check of it (x64): inside the memory when
      // what the access adds to the index, plus its size, is at most what the check added.
      auto heap_inside = [&](const Access& a) {
        if (!a.heap || (cache && !cache->quick)) return false;
        for (const Machine::CheckedIndex& f : lm->checked) {
          if (f.id != a.heap->id) continue;
          const __int128 rel = __int128{a.heap->add} - facts.memories[f.memory].data;
          if (rel >= 0 && rel + a.bytes <= f.add) return true;
        }
        return false;
      };
      std::optional<size_t> last_unproved;
      size_t n = 0;
      for (size_t k = g.blocks[b].first; k <= g.blocks[b].last; ++k) {
        const Ins& ins = d.ins[k];
        if (ins.accesses > 0) {
          lm->SetSp(frame.sp[k]);
          bool all = true;
          size_t here = 0;
          for (const Access& a : lm->Accesses(ins)) {
            all = all && a.reject.empty() && !(frame.sp[k] == kSpDiffers && a.uses_sp) &&
                  ((a.lin && lin_inside(*a.lin, a.bytes, k)) || heap_inside(a) ||
                   (a.by_form && (!cache || cache->quick)) ||
                   (a.frame_range && (!cache || cache->quick) && a.frame_range->first.base == Lin::kFrame &&
                    a.frame_range->second.base == Lin::kFrame && lin_inside(a.frame_range->first, a.bytes, k) &&
                    lin_inside(a.frame_range->second, a.bytes, k)));
            ++here;
          }
          if (!all || here != ins.accesses) last_unproved = k;
          else first_walk_proved[k - g.blocks[b].first] = true;
          n += here;
        }
        lm->Step(ins, frame.sp[k]);
      }
      if (!last_unproved) {
        out.accesses += n;
        out.proved += n;
        remember();
        continue;
      }
      symbolic_last = *last_unproved;
    }
    std::unique_ptr<Machine> mp = lifter.NewMachine(c, facts, d, bases);
    Machine& m = *mp;
    m.axiom_cache = cache ? &cache->impl->axioms : nullptr;
    m.prover = &prover;
    if (at_entry) m.AtEntry();
    lifter.BlockPremises(d, g, b, m);
    auto step = [&](size_t j) {
      const Ins& w = d.ins[j];
      m.Step(w, frame.sp[j]);
      if (w.flow == Flow::kBranch)
        for (auto& [e, t] : edges)
          if (e == j) m.premises.push_back(t ? m.Taken(w) : !m.Taken(w));
    };
    for (size_t j : window) step(j);
    std::vector<std::unordered_set<unsigned>> premise_symbols;  // of m.premises, as they come
    // The premises as the solver and the cache key take them: simplified (their terms then
    // match the obligation's), once each, when first needed. The quick prover reads them as
    // they are.
    std::vector<std::optional<z3::expr>> simplified;
    auto for_solver = [&](unsigned q) -> const z3::expr& {
      if (simplified.size() < m.premises.size()) simplified.resize(m.premises.size());
      if (!simplified[q]) simplified[q] = m.premises[q].simplify();
      return *simplified[q];
    };

    for (size_t k = g.blocks[b].first; k <= symbolic_last; ++k) {
      const Ins& ins = d.ins[k];
      if (ins.accesses > 0 && first_walk_proved[k - g.blocks[b].first]) {
        out.accesses += ins.accesses;
        out.proved += ins.accesses;
      } else if (ins.accesses > 0) {
        m.SetSp(frame.sp[k]);
        std::vector<Access> accesses = m.Accesses(ins);
        if (accesses.size() != ins.accesses)
          throw std::logic_error(fmt::format("verifier: `{}` lifted with {} accesses, decoded with {}", d.Text(ins),
                                             accesses.size(), ins.accesses));
        bool uses_sp = false;
        for (const Access& a : accesses) uses_sp |= a.uses_sp;
        if (frame.sp[k] == kSpDiffers && uses_sp) {
          // The stack pointer is not known here: stack accesses through it cannot be proved.
          for (size_t q = 0; q < accesses.size(); ++q) {
            ++out.accesses;
            ++out.failed;
            out.problems.push_back({ins.off, d.Text(ins), Status::kFailed, "frame",
                                    "the stack pointer differs between the paths that reach it"});
          }
          accesses.clear();
        }
        while (premise_symbols.size() < m.premises.size()) {
          premise_symbols.emplace_back();
          Symbols(m.premises[static_cast<unsigned>(premise_symbols.size() - 1)], premise_symbols.back());
        }
        for (Access& acc : accesses) {
          ++out.accesses;
          const unsigned bytes = acc.bytes;
          const bool frame_ok = frame_fits && k > frame.check_at;
          const bool entry_stack = k <= frame.check_at;
          if (!acc.reject.empty()) {
            ++out.failed;
            out.problems.push_back({ins.off, d.Text(ins), Status::kFailed, "", acc.reject});
            continue;
          }
          // A base plus a constant inside its region needs neither the cache nor the solver.
          if (acc.lin && lin_inside(*acc.lin, bytes, k)) {
            ++out.proved;
            continue;
          }
          const z3::expr addr = acc.addr.simplify();
          // The regions (the memories first: the bounds emitter's shape is tried against them).
          std::vector<Region> regions;
          auto arena = [&](std::string name, uint64_t lo, const z3::expr& hi) {
            regions.push_back({std::move(name), Region::kArena, c.bv_val(lo, 65), hi});
          };
          auto absolute = [&](std::string name, uint64_t lo, uint64_t len) {
            regions.push_back({std::move(name), Region::kAbsolute, c.bv_val(lo, 65),
                               c.bv_val(lo, 65) + c.bv_val(len, 65), true, lo, static_cast<__int128>(lo) + len});
          };
          auto frame_region = [&](std::string name, int64_t lo, int64_t hi) {
            regions.push_back({std::move(name), Region::kFrame, c.bv_val(lo, 65), c.bv_val(hi, 65), true, lo, hi});
          };
          // An address from the arena base can only be proved inside an arena region, one from
          // the frame base only inside the frame, any other only inside a host region: fewer
          // places to be can only reject more, and the cache key keeps to the regions that
          // matter.
          const bool via_arena = Mentions(addr, "A"), via_frame = Mentions(addr, "F");
          const bool arena_regions = via_arena, frame_regions = via_frame && !via_arena,
                     host_regions = !via_arena && !via_frame;
          for (size_t q = 0; arena_regions && q < facts.memories.size(); ++q) {
            // The size as the code loaded it: the window's load of this memory's size field.
            if (auto it = m.memory_size.find(q); it != m.memory_size.end())
              arena(fmt::format("memory {}", q), facts.memories[q].data,
                    c.bv_val(facts.memories[q].data, 65) + z3::zext(it->second, 1));
            else
              arena(fmt::format("memory {} (no size loaded before the access)", q), facts.memories[q].data,
                    c.bv_val(facts.memories[q].data, 65));
          }
          for (size_t q = 0; arena_regions && q < facts.tables.size(); ++q) {
            std::optional<z3::expr> size;
            if (auto it = m.table_size.find(q); it != m.table_size.end()) size = it->second;
            const uint64_t e = facts.tables[q].elems;
            arena(fmt::format("table {} entries", q), e,
                  size ? c.bv_val(e, 65) + z3::zext(*size, 33) * c.bv_val(8, 65) : c.bv_val(e, 65));
          }
          if (arena_regions) {
            arena("function descriptors", facts.func_descs,
                  c.bv_val(facts.func_descs + 16 * uint64_t{facts.func_capacity}, 65));
            arena("VM structures", 0, c.bv_val(facts.vm_bytes, 65));
          }
          if (frame_regions && frame_ok) frame_region("frame", frame.lowest, frame_top);
          if (frame_regions && entry_stack) frame_region("entry stack", 0, 16);
          if (host_regions) {
            absolute("code table", facts.code_table, 8 * facts.code_table_entries);
            absolute("runtime table", facts.runtime_table, 8 * facts.runtime_entries);
            absolute("constant pool", in.address + d.pool_begin, in.size - d.pool_begin);
          }

          // Constant offsets from the arena or the frame, and constant addresses, need no solver.
          {
            const z3::expr xa = (addr - m.A).simplify(), xf = (addr - m.F).simplify();
            std::optional<Status> quick;
            std::string where;
            if (xa.is_numeral() && !Mentions(addr, "F")) {
              const uint64_t o = xa.get_numeral_uint64();
              if (o + bytes <= facts.vm_bytes) quick = Status::kProved, where = "VM structures";
            } else if (xf.is_numeral() && !Mentions(addr, "A")) {
              const int64_t o = static_cast<int64_t>(xf.get_numeral_uint64());
              for (const Region& r : regions)
                if (r.base == Region::kFrame && o >= r.nlo && o + static_cast<__int128>(bytes) <= r.nhi)
                  quick = Status::kProved, where = r.name;
            } else if (addr.is_numeral()) {
              const uint64_t a = addr.get_numeral_uint64();
              for (const Region& r : regions)
                if (r.base == Region::kAbsolute && a >= r.nlo && a + static_cast<__int128>(bytes) <= r.nhi)
                  quick = Status::kProved, where = r.name;
            }
            if (quick) {
              ++out.proved;
              continue;
            }
          }
          // Inside a region of the arena or of the host: the offset from the region's start,
          // rel = address - start (64 bits), is below 2^62 (it wraps to more when the address is
          // below the start: every start is below 2^62) and rel + size is within the region's
          // length. Written relative to the start, the obligation's terms match the premises'
          // (the bounds check compares the same offset with the size), which the solver proves
          // far faster than through two additions of the start.
          // (Simplified for the solver; the quick prover reads the terms as they are.)
          auto relative = [&](const z3::expr& from, const Region& r, bool simp) -> std::optional<z3::expr> {
            uint64_t lo = 0;
            if (!r.lo.is_numeral_u64(lo) || lo >= (uint64_t{1} << 62)) return std::nullopt;
            auto s = [&](const z3::expr& e) { return simp ? e.simplify() : e; };
            const z3::expr rel = s(from - c.bv_val(lo, 64));
            const z3::expr len = s(r.hi - r.lo);
            const z3::expr small = z3::ule(rel, c.bv_val(uint64_t{1} << 62, 64));
            // Two equivalent forms, either of which implies the access is inside: rel + size
            // <= len (how the x64 bounds check states it), and rel <= len with len - rel >=
            // size (how the a64 check does, its subtraction exact as rel <= len). Given both,
            // the solver refutes the negation through whichever matches the premises' terms;
            // through the other it is an adder against a subtractor, ten times slower.
            const z3::expr len64 = s(len.extract(63, 0));
            const z3::expr by_sum = z3::ule(z3::zext(rel, 1) + c.bv_val(bytes, 65), len);
            const z3::expr by_difference = len.extract(64, 64) == c.bv_val(0, 1) && z3::ule(rel, len64) &&
                                           z3::uge(s(len64 - rel), c.bv_val(bytes, 64));
            return small && (by_sum || by_difference);
          };
          auto inside = [&](const Region& r, bool simp = true) -> z3::expr {
            const z3::expr w = c.bv_val(bytes, 65);
            auto s = [&](const z3::expr& e) { return simp ? e.simplify() : e; };
            switch (r.base) {
              case Region::kArena: {
                if (auto e = relative(s(addr - m.A), r, simp)) return *e;
                z3::expr x = z3::zext(s(addr - m.A), 1);
                return z3::ule(r.lo, x) && z3::ule(x + w, r.hi);
              }
              case Region::kFrame: {
                z3::expr x = z3::sext(s(addr - m.F), 1);
                return r.lo <= x && x + w <= r.hi;
              }
              case Region::kAbsolute: {
                if (auto e = relative(addr, r, simp)) return *e;
                z3::expr x = z3::zext(addr, 1);
                return z3::ule(r.lo, x) && z3::ule(x + w, r.hi);
              }
            }
            return c.bool_val(false);
          };
          // Only the premises that bear on the address (its symbols and the regions' bounds,
          // closed under sharing a symbol): a long block's other checks stay out of the solver.
          std::unordered_set<unsigned> cone;
          Symbols(addr, cone);
          for (const Region& r : regions) {
            Symbols(r.lo, cone);
            Symbols(r.hi, cone);
          }
          const std::vector<unsigned> sliced = Slice(premise_symbols, std::move(cone));
          // The quick prover first (linear.h), on the premises as they are: most obligations are
          // an offset against a size under a check of nearly the same offset against the same
          // size. The memories first when the access has the bounds emitter's shape, then every
          // region in turn. What it proves needs neither the cache nor the solver.
          if (!cache || cache->quick) {
            std::vector<z3::expr> given;
            for (unsigned q : sliced) given.push_back(for_solver(q));
            std::vector<size_t> order;
            if (arena_regions && (acc.disp_memory || acc.heap_shape))
              for (size_t q = 0; q < facts.memories.size(); ++q)
                if (!acc.disp_memory || facts.memories[q].data == *acc.disp_memory) order.push_back(q);
            for (size_t q = 0; q < regions.size(); ++q)
              if (std::find(order.begin(), order.end(), q) == order.end()) order.push_back(q);
            std::optional<Verdict> shown;
            QuickProver quick(c, given);
            for (size_t q : order) {
              const Verdict v = quick.Prove(inside(regions[q], false));
              if (v != Verdict::kNotShown) {
                shown = v;
                break;
              }
            }
            if (shown) {
              ++prover.quick;
              ++out.proved;
              if (*shown == Verdict::kContradiction) ++out.vacuous;
              continue;
            }
          }
          // The proof obligation decides the answer, and the cache key is the obligation itself,
          // normalised: the address, the regions (names and bounds) and the premises sliced
          // above, written with the symbols renamed in order of appearance (A and F keep their
          // names). Windows that differ only in code the address does not depend on, or in
          // which registers hold what, share a proof; a change to any premise the proof uses
          // changes the key.
          std::string full_key;
          if (cache) {
            std::vector<z3::expr> roots = {addr};
            for (const Region& r : regions) {
              roots.push_back(r.lo);
              roots.push_back(r.hi);
            }
            for (unsigned q : sliced) roots.push_back(for_solver(q));
            full_key = fmt::format("{}:{}:", bytes, regions.size());
            for (const Region& r : regions) full_key += r.name + ";";
            full_key += Canonical(roots);
            auto it = cache->impl->results.find(full_key);
            if (it != cache->impl->results.end()) {
              ++cache->hits;
              ++out.cached;
              AccessResult r = it->second;
              if (r.status == Status::kProved && r.region.rfind("unreachable", 0) == 0) ++out.vacuous;
              r.code_offset = ins.off;
              r.text = d.Text(ins);
              if (r.status == Status::kProved) ++out.proved;
              else if (r.status == Status::kFailed) ++out.failed, out.problems.push_back(r);
              else ++out.unknown, out.problems.push_back(r);
              continue;
            }
            ++cache->misses;
          }
          // A model of the premises points at a region; prove the address stays inside it.
          AccessResult res{ins.off, d.Text(ins), Status::kUnknown, "", ""};
          ++out.solver;
          // Each query given everything at once (the premises sliced above, and the negated
          // goal): Z3's incremental solver (push, add, check, pop) took several times longer on
          // these bit-vector queries.
          auto decide = [&](const z3::expr* goal, bool want_model) {
            std::vector<z3::expr> as;
            for (unsigned k : sliced) as.push_back(for_solver(k));
            if (goal) as.push_back(*goal);
            return prover.Decide(as, want_model);
          };
          // The common case first: the bounds emitter's shape (the arena base plus an index,
          // or a displacement that is a memory's data offset) is tried against the memories
          // alone, one check each.
          {
            std::vector<size_t> first;
            if (arena_regions && acc.disp_memory) {
              for (size_t q = 0; q < facts.memories.size(); ++q)
                if (facts.memories[q].data == *acc.disp_memory) first.push_back(q);
            } else if (arena_regions && acc.heap_shape) {
              for (size_t q = 0; q < facts.memories.size(); ++q) first.push_back(q);
            }
            for (size_t q : first) {
              const z3::expr goal = !inside(regions[q]);  // regions[q] is memory q (they come first)
              if (decide(&goal, false).result == z3::unsat) {
                res.status = Status::kProved;
                res.region = regions[q].name;
                break;
              }
            }
          }
          std::optional<z3::model> model;
          z3::check_result pre = z3::unsat;
          if (res.status != Status::kProved) {
            Prover::Answer a = decide(nullptr, true);
            pre = a.result;
            model = std::move(a.model);
          }
          if (pre == z3::unsat) {
            if (res.status != Status::kProved) {
              res.region = "unreachable (the window's premises contradict)";
              ++out.vacuous;
            }
            res.status = Status::kProved;
          } else if (pre == z3::unknown) {
            res.why = "the solver could not decide the premises";
          } else {
            const z3::model& md0 = *model;
            std::optional<size_t> pick;
            for (size_t q = 0; q < regions.size() && !pick; ++q)
              if (md0.eval(inside(regions[q]), true).is_true()) pick = q;
            // In no region: name the nearest one below the point (of the same base), whose
            // proof then fails with a counterexample.
            if (!pick) {
              z3::expr xa = md0.eval(z3::zext((addr - m.A).simplify(), 1), true);
              z3::expr xabs = md0.eval(z3::zext(addr, 1), true);
              std::optional<__int128> best;
              for (size_t q = 0; q < regions.size(); ++q) {
                const Region& r = regions[q];
                if (r.base == Region::kFrame) continue;  // the frame is named only when inside
                z3::expr lo = md0.eval(r.lo, true);
                z3::expr x = r.base == Region::kArena ? xa : xabs;
                if (!lo.is_numeral() || !x.is_numeral()) continue;
                if (!md0.eval(z3::ule(lo, x), true).is_true()) continue;
                uint64_t lo64 = 0;
                if (!lo.is_numeral_u64(lo64)) continue;
                if (!best || static_cast<__int128>(lo64) > *best) best = lo64, pick = q;
              }
            }
            auto counterexample = [&](const z3::model& md) {
              std::string ce = fmt::format("address {} ({}-byte access)", md.eval(addr, true).to_string(), bytes);
              ce += "; arena A=" + md.eval(m.A, true).to_string() + ", frame F=" + md.eval(m.F, true).to_string();
              for (auto& [nm, v] : m.named) {
                if (nm == "A" || nm == "F") continue;
                std::string decl = v.decl().name().str();
                if (!Mentions(addr, decl.c_str())) {
                  bool in_premise = false;
                  for (unsigned q = 0; q < m.premises.size() && !in_premise; ++q)
                    in_premise = Mentions(m.premises[q], decl.c_str());
                  if (!in_premise) continue;
                }
                ce += fmt::format(", {}={}", nm, md.eval(v, true).to_string());
              }
              return ce;
            };
            if (!pick) {
              res.status = Status::kFailed;
              res.why = "in no region it may touch: " + counterexample(md0);
            } else {
              const Region& r = regions[*pick];
              res.region = r.name;
              const z3::expr goal = !inside(r);
              Prover::Answer a = decide(&goal, true);
              if (a.result == z3::unsat) {
                res.status = Status::kProved;
              } else if (a.result == z3::sat) {
                res.status = Status::kFailed;
                res.why = "can leave " + r.name + ": " + counterexample(*a.model);
              } else {
                res.why = "the solver gave no answer for " + r.name;
              }
            }
          }
          if (cache) {
            if (cache->impl->results.size() >= ProofCache::Impl::kMaxResults) cache->impl->results.clear();
            cache->impl->results[full_key] = res;
          }
          if (res.status == Status::kProved) {
            ++out.proved;
          } else {
            (res.status == Status::kFailed ? out.failed : out.unknown) += 1;
            out.problems.push_back(res);
          }
        }
      }
      step(k);
    }
    // The accesses after the symbolic walk's end, every one proved by the first walk.
    for (size_t k = symbolic_last + 1; k <= g.blocks[b].last; ++k) {
      out.accesses += d.ins[k].accesses;
      out.proved += d.ins[k].accesses;
    }
    remember();
  }
  if (!out.problems.empty()) {
    std::set<uint32_t> near;
    for (const AccessResult& r : out.problems) near.insert(r.code_offset);
    std::ostringstream listing;
    for (size_t k = 0; k < d.ins.size(); ++k) {
      bool show = false;
      for (uint32_t o : near)
        for (int dk = -8; dk <= 2 && !show; ++dk) {
          long q = static_cast<long>(k) + dk;
          show = q >= 0 && static_cast<size_t>(q) < d.ins.size() && d.ins[q].off == o;
        }
      if (show)
        listing << fmt::format("  {:04x}  {:<22} {}{}\n", d.ins[k].off, HexBytes({d.ins[k].raw.data(), d.ins[k].raw.data() + d.ins[k].size}), d.Text(d.ins[k]),
                               near.count(d.ins[k].off) ? "   <-- not proved" : "");
    }
    out.listing = listing.str();
  }
  return out;
}

}  // namespace core

FunctionResult VerifyFunction(const StoreFacts& facts, const FunctionInput& in, ProofCache* cache) {
  const core::Lifter& lifter = facts.arch == Arch::kA64 ? core::A64Lifter() : core::X64Lifter();
  if (!cache) return core::Verify(lifter, facts, in, nullptr);
  // A function's result depends only on its bytes, the facts, and its argument slots: branches
  // and constant-pool references are relative, and every absolute address the code holds is in
  // its bytes (the address it runs at matters only through them). The same function compiled
  // again (a fuzz case's module is often mostly another's) is answered whole.
  const core::FunctionKeys keys = core::KeysOf(facts, in, *cache);
  std::string key = keys.facts;
  // (Code that holds an absolute address inside itself is keyed by where it lies too.)
  if (keys.self_address) key += '@', key.append(reinterpret_cast<const char*>(&in.address), sizeof in.address);
  key.append(reinterpret_cast<const char*>(in.code), in.size);
  auto& functions = cache->impl->functions;
  if (auto it = functions.find(key); it != functions.end()) {
    ++cache->function_hits;
    FunctionResult r = it->second;
    r.store_index = in.store_index;
    return r;
  }
  FunctionResult r = core::Verify(lifter, facts, in, cache, &keys);
  if (cache->impl->function_key_bytes + key.size() > ProofCache::Impl::kMaxFunctionKeyBytes) {
    functions.clear();
    cache->impl->function_key_bytes = 0;
  }
  cache->impl->function_key_bytes += key.size();
  functions.emplace(std::move(key), r);
  return r;
}

FunctionInput InputOf(JitStore& store, const CodeInfo& info) {
  const wasm::Module& module = store.ModuleOf(info.instance);
  const wasm::FuncType& type = module.types[module.func_types[info.func_index]];
  FunctionInput in;
  in.code = reinterpret_cast<const uint8_t*>(info.address);
  in.size = info.compiled.code.size();
  in.address = info.address;
  in.store_index = info.store_index;
  in.arg_slots = ArgUnits(type) * static_cast<uint32_t>(std::max(type.params.size(), type.results.size()));
  return in;
}

std::vector<FunctionResult> VerifyStore(JitStore& store, ProofCache* cache) {
  StoreFacts facts = FactsOf(store);
  std::vector<FunctionResult> results;
  for (const CodeInfo& info : store.code()) results.push_back(VerifyFunction(facts, InputOf(store, info), cache));
  return results;
}

}  // namespace tandem::jit::verify
