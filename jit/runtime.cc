// runtime.cc: the runtime services generated code may call (jit/runtime.h): bulk memory and
// table operations, growth, segment drops, host functions. Semantics mirror reference/interp.cc
// case by case (Spec 4.4.5, 4.4.6); they run on the JIT stack and never throw past their frame.
#include "jit/runtime.h"

#include <algorithm>
#include <cstring>
#include <exception>

#include "jit/jit_store_internal.h"

namespace tandem::jit {

using wasm::TrapKind;

struct RuntimeAccess {
  static JitStore::Impl& impl(JitStore& s) { return *s.impl_; }
  static Arena& arena(JitStore& s) { return *s.arena_; }
};

namespace {

uint64_t Trap(Arena& ar, TrapKind k) {
  ar.header().trap_kind = static_cast<uint32_t>(k) + 1;
  ar.header().exit_reason = static_cast<uint32_t>(ExitReason::kTrapped);
  return kRuntimeTrapped;
}

// Runs `body` with the current store; any C++ exception becomes an internal-error exit, since
// unwinding through generated code is impossible.
template <typename F>
uint64_t Service(F body) {
  JitStore* s = JitStore::current();
  if (!s) return kRuntimeTrapped;
  try {
    return body(RuntimeAccess::impl(*s), RuntimeAccess::arena(*s));
  } catch (const std::exception&) {
    RuntimeAccess::arena(*s).header().exit_reason = static_cast<uint32_t>(ExitReason::kNone);
    return kRuntimeTrapped;
  }
}

uint64_t MemoryGrow(uint8_t*, uint64_t desc, uint64_t delta, uint64_t, uint64_t, uint64_t) {
  return Service([&](JitStore::Impl& im, Arena& ar) -> uint64_t {
    auto old = ar.GrowMemory(im.memory_by_desc.at(static_cast<uint32_t>(desc)),
                             static_cast<uint32_t>(delta));
    return old ? *old : 0xffffffffu;
  });
}

uint64_t MemoryFill(uint8_t*, uint64_t desc, uint64_t d, uint64_t value, uint64_t n, uint64_t) {
  return Service([&](JitStore::Impl&, Arena& ar) -> uint64_t {
    MemoryDesc& md = *ar.at<MemoryDesc>(desc);
    d = static_cast<uint32_t>(d);
    n = static_cast<uint32_t>(n);
    if (d + n > md.size_bytes) return Trap(ar, TrapKind::MemoryOutOfBounds);
    if (n) std::memset(ar.base() + md.data_offset + d, static_cast<uint8_t>(value), n);
    return 0;
  });
}

uint64_t MemoryCopy(uint8_t*, uint64_t dst_desc, uint64_t src_desc, uint64_t d, uint64_t s,
                    uint64_t n) {
  return Service([&](JitStore::Impl&, Arena& ar) -> uint64_t {
    MemoryDesc& dm = *ar.at<MemoryDesc>(dst_desc);
    MemoryDesc& sm = *ar.at<MemoryDesc>(src_desc);
    d = static_cast<uint32_t>(d);
    s = static_cast<uint32_t>(s);
    n = static_cast<uint32_t>(n);
    if (s + n > sm.size_bytes || d + n > dm.size_bytes)
      return Trap(ar, TrapKind::MemoryOutOfBounds);
    if (n) std::memmove(ar.base() + dm.data_offset + d, ar.base() + sm.data_offset + s, n);
    return 0;
  });
}

uint64_t MemoryInit(uint8_t*, uint64_t desc, uint64_t data, uint64_t d, uint64_t s, uint64_t n) {
  return Service([&](JitStore::Impl& im, Arena& ar) -> uint64_t {
    MemoryDesc& md = *ar.at<MemoryDesc>(desc);
    const DataSegInfo& seg = im.datas.at(data);
    uint64_t size = *ar.at<uint8_t>(seg.flag_offset) ? 0 : seg.size;
    d = static_cast<uint32_t>(d);
    s = static_cast<uint32_t>(s);
    n = static_cast<uint32_t>(n);
    if (s + n > size || d + n > md.size_bytes) return Trap(ar, TrapKind::MemoryOutOfBounds);
    if (n) std::memcpy(ar.base() + md.data_offset + d, seg.bytes + s, n);
    return 0;
  });
}

uint64_t DataDrop(uint8_t*, uint64_t data, uint64_t, uint64_t, uint64_t, uint64_t) {
  return Service([&](JitStore::Impl& im, Arena& ar) -> uint64_t {
    *ar.at<uint8_t>(im.datas.at(data).flag_offset) = 1;
    return 0;
  });
}

uint64_t TableGrow(uint8_t*, uint64_t desc, uint64_t init, uint64_t n, uint64_t, uint64_t) {
  return Service([&](JitStore::Impl& im, Arena& ar) -> uint64_t {
    auto old = ar.GrowTable(im.table_by_desc.at(static_cast<uint32_t>(desc)),
                            static_cast<uint32_t>(n), init);
    return old ? *old : 0xffffffffu;
  });
}

uint64_t TableFill(uint8_t*, uint64_t desc, uint64_t i, uint64_t ref, uint64_t n, uint64_t) {
  return Service([&](JitStore::Impl&, Arena& ar) -> uint64_t {
    TableDesc& t = *ar.at<TableDesc>(desc);
    i = static_cast<uint32_t>(i);
    n = static_cast<uint32_t>(n);
    if (i + n > t.size) return Trap(ar, TrapKind::TableOutOfBounds);
    std::fill_n(ar.at<uint64_t>(t.elems_offset) + i, n, ref);
    return 0;
  });
}

uint64_t TableCopy(uint8_t*, uint64_t dst_desc, uint64_t src_desc, uint64_t d, uint64_t s,
                   uint64_t n) {
  return Service([&](JitStore::Impl&, Arena& ar) -> uint64_t {
    TableDesc& dt = *ar.at<TableDesc>(dst_desc);
    TableDesc& st = *ar.at<TableDesc>(src_desc);
    d = static_cast<uint32_t>(d);
    s = static_cast<uint32_t>(s);
    n = static_cast<uint32_t>(n);
    if (s + n > st.size || d + n > dt.size) return Trap(ar, TrapKind::TableOutOfBounds);
    if (n)
      std::memmove(ar.at<uint64_t>(dt.elems_offset) + d, ar.at<uint64_t>(st.elems_offset) + s,
                   n * sizeof(uint64_t));
    return 0;
  });
}

uint64_t TableInit(uint8_t*, uint64_t desc, uint64_t elem, uint64_t d, uint64_t s, uint64_t n) {
  return Service([&](JitStore::Impl& im, Arena& ar) -> uint64_t {
    TableDesc& t = *ar.at<TableDesc>(desc);
    const ElemSegInfo& seg = im.elems.at(elem);
    uint64_t size = *ar.at<uint8_t>(seg.flag_offset) ? 0 : seg.refs.size();
    d = static_cast<uint32_t>(d);
    s = static_cast<uint32_t>(s);
    n = static_cast<uint32_t>(n);
    if (s + n > size || d + n > t.size) return Trap(ar, TrapKind::TableOutOfBounds);
    std::copy_n(seg.refs.begin() + s, n, ar.at<uint64_t>(t.elems_offset) + d);
    return 0;
  });
}

uint64_t ElemDrop(uint8_t*, uint64_t elem, uint64_t, uint64_t, uint64_t, uint64_t) {
  return Service([&](JitStore::Impl& im, Arena& ar) -> uint64_t {
    *ar.at<uint8_t>(im.elems.at(elem).flag_offset) = 1;
    return 0;
  });
}

// Arguments and results are 8-byte slots at `args` (the wasm calling convention's area), each
// value in ArgUnits of them (a v128: low half, then high half).
uint64_t CallHost(uint8_t*, uint64_t func, uint64_t args_ptr, uint64_t, uint64_t, uint64_t) {
  return Service([&](JitStore::Impl& im, Arena& ar) -> uint64_t {
    const wasm::FuncType& t = im.types[im.func_types.at(func)];
    uint64_t* slots = reinterpret_cast<uint64_t*>(args_ptr);
    const uint32_t units = ArgUnits(t);
    std::vector<wasm::Value> args(t.params.size());
    for (size_t i = 0; i < args.size(); ++i)
      args[i] = wasm::Value{t.params[i], slots[units * i], units == 2 ? slots[units * i + 1] : 0};
    wasm::Outcome o = im.host_funcs.at(func)(args);
    switch (o.kind) {
      case wasm::Outcome::Kind::kValues:
        for (size_t i = 0; i < o.values.size(); ++i) {
          slots[units * i] = o.values[i].bits;
          if (units == 2) slots[units * i + 1] = o.values[i].hi;
        }
        return 0;
      case wasm::Outcome::Kind::kTrap: return Trap(ar, o.trap);
      case wasm::Outcome::Kind::kExhausted:
        ar.header().exit_reason = static_cast<uint32_t>(
            o.exhaustion == wasm::ExhaustionKind::kFuel ? ExitReason::kFuelExhausted
                                                        : ExitReason::kCallStackExhausted);
        return kRuntimeTrapped;
      default:
        ar.header().exit_reason = static_cast<uint32_t>(ExitReason::kNone);
        return kRuntimeTrapped;
    }
  });
}

}  // namespace

const char* RuntimeCallName(RuntimeCall c) {
  switch (c) {
#define V(Name, text) \
  case RuntimeCall::k##Name: return text;
    TANDEM_RUNTIME_CALLS(V)
#undef V
    case RuntimeCall::kCount: break;
  }
  return "?";
}

void FillRuntimeTable(RuntimeFn* table) {
#define V(Name, text) table[static_cast<size_t>(RuntimeCall::k##Name)] = &Name;
  TANDEM_RUNTIME_CALLS(V)
#undef V
}

}  // namespace tandem::jit
