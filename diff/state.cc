// state.cc: field-by-field comparison of engine states (DESIGN.md "State").
#include "diff/state.h"

#include <cstring>

#include <fmt/format.h>

namespace tandem::diff {

using namespace wasm;

namespace {

std::string RefText(Engine& e, ValType type, uint64_t bits) {
  if (bits == kNullRef) return "null";
  if (type == ValType::ExternRef) return fmt::format("extern {}", bits);
  FuncIdentity id = e.FuncIdentityOf(bits);
  if (id.instance == kHostInstance) return fmt::format("func host:{}", id.func_index);
  return fmt::format("func {}:{}", id.instance, id.func_index);
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

bool SameValues(Engine& a, const std::vector<Value>& va, Engine& b, const std::vector<Value>& vb) {
  if (va.size() != vb.size()) return false;
  for (size_t i = 0; i < va.size(); ++i) {
    if (va[i].type != vb[i].type) return false;
    if (IsRefType(va[i].type)) {
      if (RefText(a, va[i].type, va[i].bits) != RefText(b, vb[i].type, vb[i].bits)) return false;
    } else if (!(va[i] == vb[i])) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> DiffInstanceStates(Engine& a, uint32_t ia, Engine& b, uint32_t ib,
                                            size_t limit) {
  std::vector<std::string> out;
  auto add = [&](std::string s) {
    if (out.size() < limit) out.push_back(std::move(s));
  };
  InstanceState sa = a.State(ia);
  InstanceState sb = b.State(ib);
  if (sa.globals.size() != sb.globals.size() || sa.memories.size() != sb.memories.size() ||
      sa.tables.size() != sb.tables.size()) {
    add("layout: instances have different numbers of globals, memories or tables");
    return out;
  }
  for (size_t g = 0; g < sa.globals.size(); ++g) {
    std::string ta = ValueText(a, sa.globals[g]), tb = ValueText(b, sb.globals[g]);
    if (ta != tb) add(fmt::format("global {}: {} vs {}", g, ta, tb));
  }
  for (size_t m = 0; m < sa.memories.size(); ++m) {
    auto ma = sa.memories[m], mb = sb.memories[m];
    if (ma.size() != mb.size())
      add(fmt::format("memory {} size: {} vs {} pages", m, ma.size() / kPageSize,
                      mb.size() / kPageSize));
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
      add(fmt::format("memory {} [0x{:x}, 0x{:x}): {} vs {}", m, i, j, Hex(ma.subspan(i, j - i)),
                      Hex(mb.subspan(i, j - i))));
      i = j;
    }
  }
  for (size_t t = 0; t < sa.tables.size(); ++t) {
    auto ta = sa.tables[t], tb = sb.tables[t];
    if (ta.size() != tb.size())
      add(fmt::format("table {} size: {} vs {}", t, ta.size(), tb.size()));
    for (size_t i = 0; i < std::min(ta.size(), tb.size()) && out.size() < limit; ++i) {
      std::string ra = RefText(a, sa.table_types[t], ta[i]);
      std::string rb = RefText(b, sb.table_types[t], tb[i]);
      if (ra != rb) add(fmt::format("table {} [{}]: {} vs {}", t, i, ra, rb));
    }
  }
  for (size_t d = 0; d < std::min(sa.data_dropped.size(), sb.data_dropped.size()); ++d)
    if (sa.data_dropped[d] != sb.data_dropped[d])
      add(fmt::format("data segment {}: {} vs {}", d, sa.data_dropped[d] ? "dropped" : "live",
                      sb.data_dropped[d] ? "dropped" : "live"));
  for (size_t e = 0; e < std::min(sa.elem_dropped.size(), sb.elem_dropped.size()); ++e)
    if (sa.elem_dropped[e] != sb.elem_dropped[e])
      add(fmt::format("elem segment {}: {} vs {}", e, sa.elem_dropped[e] ? "dropped" : "live",
                      sb.elem_dropped[e] ? "dropped" : "live"));
  return out;
}

}  // namespace tandem::diff
