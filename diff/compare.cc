// compare.cc: the one comparator (DESIGN.md "State", "Outcome of an invocation").
#include "diff/compare.h"

#include <cstring>

#include <fmt/format.h>

#include "diff/jit_engine.h"
#include "jit/arena.h"

namespace tandem::diff {

using namespace wasm;

namespace {

std::string RefText(Engine& e, ValType type, uint64_t bits) {
  if (bits == kNullRef) return "null";
  if (type == ValType::ExternRef) return fmt::format("extern {}", bits);
  FuncIdentity id = e.FuncIdentityOf(bits);
  if (id.instance == kHostInstance) return fmt::format("func host:{}", id.func_index);
  if (id.instance == kUnknownInstance) return fmt::format("func ?:{}", id.func_index);
  return fmt::format("func {}:{}", id.instance, id.func_index);
}

// Two references' texts name the same: equal, or one instance unknown ("func ?:N") and the
// function indices equal.
bool SameRefText(const std::string& a, const std::string& b) {
  if (a == b) return true;
  auto index = [](const std::string& t) { return t.substr(t.rfind(':') + 1); };
  bool fa = a.rfind("func ", 0) == 0, fb = b.rfind("func ", 0) == 0;
  if (!fa || !fb) return false;
  bool unknown = a.rfind("func ?:", 0) == 0 || b.rfind("func ?:", 0) == 0;
  return unknown && index(a) == index(b);
}

bool SameValue(Engine& a, const Value& va, Engine& b, const Value& vb) {
  if (va.type != vb.type) return false;
  if (IsRefType(va.type)) return SameRefText(RefText(a, va.type, va.bits), RefText(b, vb.type, vb.bits));
  return va == vb;
}

std::string ValueText(Engine& e, const Value& v) {
  return IsRefType(v.type) ? std::string(ValTypeName(v.type)) + ":" + RefText(e, v.type, v.bits)
                           : ToString(v);
}

std::string Hex(std::span<const uint8_t> bytes) {
  std::string s;
  for (uint8_t b : bytes) s += fmt::format("{:02x}", b);
  return s;
}

}  // namespace

const char* FieldName(Field f) {
  switch (f) {
    case Field::kInstantiation: return "instantiation";
    case Field::kOutcome: return "outcome";
    case Field::kResult: return "result";
    case Field::kTrapKind: return "trap kind";
    case Field::kExhaustion: return "exhaustion";
    case Field::kLog: return "log";
    case Field::kGlobal: return "global";
    case Field::kMemory: return "memory";
    case Field::kTable: return "table";
    case Field::kSegment: return "segment";
    case Field::kArena: return "arena";
    case Field::kLayout: return "layout";
  }
  return "?";
}

std::string Difference::ToString() const {
  std::string s = FieldName(field);
  s += ": ";
  if (!where.empty()) {
    s += where;
    s += ": ";
  }
  s += a;
  s += " vs ";
  s += b;
  return s;
}

namespace {

std::string OutcomeText(Engine& e, const Outcome& o) {
  if (o.kind != Outcome::Kind::kValues) return ToString(o);
  std::string s = "returned";
  for (const Value& v : o.values) {
    s += ' ';
    s += ValueText(e, v);
  }
  return s;
}

}  // namespace

std::vector<Difference> CompareInstantiation(const InstantiateOutcome& a,
                                             const InstantiateOutcome& b) {
  std::vector<Difference> out;
  if (a.status != b.status) {
    out.push_back({Field::kInstantiation, "",
                   a.status == InstantiateOutcome::Status::kUninstantiable
                       ? std::string("uninstantiable: ") + ToString(a.failure)
                       : InstantiateStatusName(a.status),
                   b.status == InstantiateOutcome::Status::kUninstantiable
                       ? std::string("uninstantiable: ") + ToString(b.failure)
                       : InstantiateStatusName(b.status)});
    return out;
  }
  if (a.status == InstantiateOutcome::Status::kUninstantiable) {
    const Outcome &fa = a.failure, &fb = b.failure;
    bool same = fa.kind == fb.kind &&
                (fa.kind != Outcome::Kind::kTrap || TrapKindCovers(fa.trap, fb.trap)) &&
                (fa.kind != Outcome::Kind::kExhausted || fa.exhaustion == fb.exhaustion);
    if (!same)
      out.push_back({Field::kInstantiation, "", "uninstantiable: " + ToString(fa),
                     "uninstantiable: " + ToString(fb)});
  }
  return out;
}

std::vector<Difference> CompareOutcome(Engine& a, const Outcome& oa, Engine& b,
                                       const Outcome& ob) {
  std::vector<Difference> out;
  if (oa.kind != ob.kind) {
    out.push_back({Field::kOutcome, "", OutcomeText(a, oa), OutcomeText(b, ob)});
    return out;
  }
  switch (oa.kind) {
    case Outcome::Kind::kValues:
      if (!SameValues(a, oa.values, b, ob.values))
        out.push_back({Field::kResult, "", OutcomeText(a, oa), OutcomeText(b, ob)});
      break;
    case Outcome::Kind::kTrap:
      if (!TrapKindCovers(oa.trap, ob.trap))
        out.push_back({Field::kTrapKind, "", TrapKindName(oa.trap), TrapKindName(ob.trap)});
      break;
    case Outcome::Kind::kExhausted:
      if (oa.exhaustion != ob.exhaustion)
        out.push_back({Field::kExhaustion, "", ExhaustionMessage(oa.exhaustion),
                       ExhaustionMessage(ob.exhaustion)});
      break;
    default: break;  // unsupported / internal error: the caller reports those on their own
  }
  return out;
}

std::vector<Difference> CompareLogs(std::span<const LogEntry> a, std::span<const LogEntry> b) {
  std::vector<Difference> out;
  auto text = [](const LogEntry& e) {
    std::string s = e.import;
    s += '(';
    s += e.value.type == ValType::V128
             ? fmt::format("v128:0x{:016x}{:016x}", e.value.hi, e.value.bits)
             : ToString(e.value);
    s += ')';
    return s;
  };
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i].import == b[i].import && a[i].value == b[i].value) continue;
    out.push_back({Field::kLog, fmt::format("entry {}", i), text(a[i]), text(b[i])});
    return out;  // one is enough: the rest is usually shifted
  }
  if (a.size() != b.size())
    out.push_back({Field::kLog, "entries",
                   fmt::format("{}{}", a.size(), n < a.size() ? " (next " + text(a[n]) + ")" : ""),
                   fmt::format("{}{}", b.size(), n < b.size() ? " (next " + text(b[n]) + ")" : "")});
  return out;
}

std::vector<Difference> CompareArenas(Engine& a, Engine& b, size_t limit) {
  std::vector<Difference> out;
  auto* ja = dynamic_cast<JitEngine*>(&a);
  auto* jb = dynamic_cast<JitEngine*>(&b);
  if (!ja || !jb) return out;
  for (const jit::Difference& d : jit::Diff(ja->jit_store().arena(), jb->jit_store().arena())) {
    if (out.size() >= limit) break;
    out.push_back({Field::kArena, d.where, d.a, d.b});
  }
  return out;
}

bool SameValues(Engine& a, const std::vector<Value>& va, Engine& b, const std::vector<Value>& vb) {
  if (va.size() != vb.size()) return false;
  for (size_t i = 0; i < va.size(); ++i)
    if (!SameValue(a, va[i], b, vb[i])) return false;
  return true;
}

std::vector<Difference> CompareInstanceState(Engine& a, uint32_t ia, Engine& b, uint32_t ib,
                                             size_t limit) {
  std::vector<Difference> out;
  auto add = [&](Field f, std::string where, std::string va, std::string vb) {
    if (out.size() < limit) out.push_back({f, std::move(where), std::move(va), std::move(vb)});
  };
  InstanceState sa = a.State(ia);
  InstanceState sb = b.State(ib);
  if (sa.globals.size() != sb.globals.size() || sa.memories.size() != sb.memories.size() ||
      sa.tables.size() != sb.tables.size()) {
    add(Field::kLayout, "globals, memories, tables",
        fmt::format("{}, {}, {}", sa.globals.size(), sa.memories.size(), sa.tables.size()),
        fmt::format("{}, {}, {}", sb.globals.size(), sb.memories.size(), sb.tables.size()));
    return out;
  }
  // What both states know: everything, or the exported memories and globals only.
  const bool partial = sa.exported_only || sb.exported_only;
  auto known = [](const InstanceState& s, const std::vector<bool>& mask, size_t i) {
    return !s.exported_only || (i < mask.size() && mask[i]);
  };
  for (size_t g = 0; g < sa.globals.size(); ++g) {
    if (!known(sa, sa.global_known, g) || !known(sb, sb.global_known, g)) continue;
    if (!SameValue(a, sa.globals[g], b, sb.globals[g]))
      add(Field::kGlobal, fmt::format("global {}", g), ValueText(a, sa.globals[g]),
          ValueText(b, sb.globals[g]));
  }
  for (size_t m = 0; m < sa.memories.size(); ++m) {
    if (!known(sa, sa.memory_known, m) || !known(sb, sb.memory_known, m)) continue;
    auto ma = sa.memories[m], mb = sb.memories[m];
    if (ma.size() != mb.size())
      add(Field::kMemory, fmt::format("memory {} size", m),
          fmt::format("{} pages", ma.size() / kPageSize), fmt::format("{} pages", mb.size() / kPageSize));
    size_t n = std::min(ma.size(), mb.size());
    if (std::memcmp(ma.data(), mb.data(), n) == 0) continue;
    for (size_t i = 0; i < n && out.size() < limit;) {
      if (ma[i] == mb[i]) {
        ++i;
        // Skip equal bytes quickly in 8-byte steps.
        while (i + 8 <= n && std::memcmp(ma.data() + i, mb.data() + i, 8) == 0) i += 8;
        continue;
      }
      size_t j = i;
      while (j < n && ma[j] != mb[j] && j - i < 32) ++j;
      add(Field::kMemory, fmt::format("memory {} [0x{:x}, 0x{:x})", m, i, j),
          Hex(ma.subspan(i, j - i)), Hex(mb.subspan(i, j - i)));
      i = j;
    }
  }
  if (partial) return out;  // tables and segments are not known
  for (size_t t = 0; t < sa.tables.size(); ++t) {
    auto ta = sa.tables[t], tb = sb.tables[t];
    if (ta.size() != tb.size())
      add(Field::kTable, fmt::format("table {} size", t), std::to_string(ta.size()),
          std::to_string(tb.size()));
    for (size_t i = 0; i < std::min(ta.size(), tb.size()) && out.size() < limit; ++i) {
      std::string ra = RefText(a, sa.table_types[t], ta[i]);
      std::string rb = RefText(b, sb.table_types[t], tb[i]);
      if (!SameRefText(ra, rb)) add(Field::kTable, fmt::format("table {} [{}]", t, i), ra, rb);
    }
  }
  for (size_t d = 0; d < std::min(sa.data_dropped.size(), sb.data_dropped.size()); ++d)
    if (sa.data_dropped[d] != sb.data_dropped[d])
      add(Field::kSegment, fmt::format("data segment {}", d),
          sa.data_dropped[d] ? "dropped" : "live", sb.data_dropped[d] ? "dropped" : "live");
  for (size_t e = 0; e < std::min(sa.elem_dropped.size(), sb.elem_dropped.size()); ++e)
    if (sa.elem_dropped[e] != sb.elem_dropped[e])
      add(Field::kSegment, fmt::format("elem segment {}", e),
          sa.elem_dropped[e] ? "dropped" : "live", sb.elem_dropped[e] ? "dropped" : "live");
  return out;
}

std::vector<std::string> DiffInstanceStates(Engine& a, uint32_t ia, Engine& b, uint32_t ib,
                                            size_t limit) {
  std::vector<std::string> out;
  for (const Difference& d : CompareInstanceState(a, ia, b, ib, limit)) {
    // The text of the comparator before fields had names: "global 2: i32:1 vs i32:2".
    out.push_back(d.where + ": " + d.a + " vs " + d.b);
  }
  return out;
}

}  // namespace tandem::diff
