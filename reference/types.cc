// types.cc: names and printing for the Wasm types and values (Spec 2.3, 4.2).
#include <cmath>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "reference/outcome.h"
#include "reference/trap.h"
#include "reference/types.h"
#include "reference/value.h"

namespace tandem::wasm {

const char* ValTypeName(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
  }
  return "?";
}

const char* ExternKindName(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
  }
  return "?";
}

std::string ToString(const FuncType& t) {
  std::string s = "[";
  for (size_t i = 0; i < t.params.size(); ++i) {
    if (i) s += ' ';
    s += ValTypeName(t.params[i]);
  }
  s += "] -> [";
  for (size_t i = 0; i < t.results.size(); ++i) {
    if (i) s += ' ';
    s += ValTypeName(t.results[i]);
  }
  return s + "]";
}

const char* TrapMessage(TrapKind k) {
  switch (k) {
#define V(Name, msg) \
  case TrapKind::Name: return msg;
    TANDEM_TRAP_KINDS(V)
#undef V
  }
  return "?";
}

const char* TrapKindName(TrapKind k) {
  switch (k) {
#define V(Name, msg) \
  case TrapKind::Name: return #Name;
    TANDEM_TRAP_KINDS(V)
#undef V
  }
  return "?";
}

bool TrapKindCovers(TrapKind a, TrapKind b) {
  if (a == b) return true;
  auto covers = [](TrapKind coarse, TrapKind k) {
    if (coarse == TrapKind::TableIndexOutOfBounds)
      return k == TrapKind::TableOutOfBounds || k == TrapKind::UndefinedElement;
    if (coarse == TrapKind::NullOrSignatureMismatch)
      return k == TrapKind::UninitializedElement || k == TrapKind::IndirectCallTypeMismatch;
    if (coarse == TrapKind::FloatUnrepresentable)
      return k == TrapKind::IntegerOverflow || k == TrapKind::InvalidConversionToInteger;
    return false;
  };
  return covers(a, b) || covers(b, a);
}

const char* ExhaustionMessage(ExhaustionKind k) {
  return k == ExhaustionKind::kCallStack ? "call stack exhausted" : "fuel exhausted";
}

std::string ToString(const Value& v) {
  switch (v.type) {
    case ValType::I32: return fmt::format("i32:{}", v.i32());
    case ValType::I64: return fmt::format("i64:{}", v.i64());
    case ValType::F32: {
      float f;
      uint32_t b = v.i32();
      std::memcpy(&f, &b, 4);
      if (std::isnan(f)) return fmt::format("f32:nan(0x{:08x})", b);
      char buf[64];
      std::snprintf(buf, sizeof buf, "%a", static_cast<double>(f));
      return fmt::format("f32:{} (0x{:08x})", buf, b);
    }
    case ValType::F64: {
      double d;
      std::memcpy(&d, &v.bits, 8);
      if (std::isnan(d)) return fmt::format("f64:nan(0x{:016x})", v.bits);
      char buf[64];
      std::snprintf(buf, sizeof buf, "%a", d);
      return fmt::format("f64:{} (0x{:016x})", buf, v.bits);
    }
    case ValType::V128:  // the form `tandem run` prints and accepts
      return fmt::format("v128:i32x4:0x{:08x},0x{:08x},0x{:08x},0x{:08x}",
                         static_cast<uint32_t>(v.bits), static_cast<uint32_t>(v.bits >> 32),
                         static_cast<uint32_t>(v.hi), static_cast<uint32_t>(v.hi >> 32));
    case ValType::FuncRef:
      return v.is_null() ? "funcref:null" : fmt::format("funcref:{}", v.bits);
    case ValType::ExternRef:
      return v.is_null() ? "externref:null" : fmt::format("externref:{}", v.bits);
  }
  return "?";
}

std::string ToString(const Outcome& o) {
  switch (o.kind) {
    case Outcome::Kind::kValues: {
      if (o.values.empty()) return "(no values)";
      std::string s;
      for (size_t i = 0; i < o.values.size(); ++i) {
        if (i) s += ' ';
        s += ToString(o.values[i]);
      }
      return s;
    }
    case Outcome::Kind::kTrap:
      return fmt::format("trap: {}{}{}", TrapMessage(o.trap), o.message.empty() ? "" : ": ", o.message);
    case Outcome::Kind::kExhausted:
      return fmt::format("exhausted: {}", ExhaustionMessage(o.exhaustion));
    case Outcome::Kind::kUnsupported: return "unsupported: " + o.message;
    case Outcome::Kind::kInternalError: return "internal error: " + o.message;
  }
  return "?";
}

}  // namespace tandem::wasm
