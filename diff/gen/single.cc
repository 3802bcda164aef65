// single.cc: the `single` generator (generator.h): one module per instruction of the opcode
// table (reference/opcodes.def), each exporting "f" and called with edge-value argument sets.
// Case i tests instruction list[i % n] in variant i / n; the list is derived from the table, so
// an opcode added there without a template here stops the generator at construction.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "diff/gen/builder.h"
#include "diff/gen/generator.h"

namespace tandem::diff::gen {
namespace {

using wasm::FuncType;
using wasm::ImmKind;
using wasm::Op;
using wasm::OpInfo;
using wasm::SigType;
using wasm::ValType;
using wasm::Value;

constexpr uint64_t kPage = wasm::kPageSize;
constexpr int kCalls = 8;  // argument sets per case

// ---- Edge values ------------------------------------------------------------------------------

// 0, ±1, the extremes and their neighbours, sign bits, shift counts around the width.
constexpr std::array<uint32_t, 18> kI32Edges = {
    0,    1,    0xffffffffu, 0x80000000u, 0x7fffffffu, 0x80000001u, 0xfffffffeu, 2,  0x80,
    0x7f, 0xff, 0xffff,      0x8000,      0x10000,     31,          32,          33, 63};
// clang-format off
constexpr std::array<uint64_t, 20> kI64Edges = {
    0, 1, 0xffffffffffffffffu, 0x8000000000000000u, 0x7fffffffffffffffu, 0x8000000000000001u,
    0xfffffffffffffffeu, 0x80, 0xff, 0xffffffffu, 0x80000000u, 0x7fffffffu, 0x100000000u,
    0xffffffff80000000u, 0xffffffff7fffffffu, 31, 32, 63, 64, 65};
// clang-format on
// IEEE bits: ±0, ±1, ±inf, NaNs (canonical, negative, signalling, with payloads), the smallest
// and largest subnormals, the smallest normal, the largest finite, halves (rounding), and the
// boundaries of the truncations to i32/u32/i64/u64 (2^31, 2^32, 2^63, 2^64, -2^31 and their
// neighbours).
constexpr std::array<uint32_t, 36> kF32Edges = {
    0x00000000u, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x7f800000u, 0xff800000u,
    0x7fc00000u, 0xffc00000u, 0x7f800001u, 0x7fa00000u, 0x7fc00001u, 0xffbfffffu,
    0x00000001u, 0x80000001u, 0x007fffffu, 0x00800000u, 0x7f7fffffu, 0xff7fffffu,
    0x3f000000u, 0xbf000000u, 0x3fc00000u, 0xbfc00000u, 0x40200000u, 0x3effffffu,
    0x4b000001u, 0x4f000000u, 0x4effffffu, 0xcf000000u, 0xcf000001u, 0x4f800000u,
    0x4f7fffffu, 0x5f000000u, 0x5effffffu, 0xdf000000u, 0x5f800000u, 0xbf7fffffu};
constexpr std::array<uint64_t, 40> kF64Edges = {
    0x0000000000000000u, 0x8000000000000000u, 0x3ff0000000000000u, 0xbff0000000000000u,
    0x7ff0000000000000u, 0xfff0000000000000u, 0x7ff8000000000000u, 0xfff8000000000000u,
    0x7ff0000000000001u, 0x7ff4000000000000u, 0x7ff8000000000001u, 0xfff7ffffffffffffu,
    0x0000000000000001u, 0x8000000000000001u, 0x000fffffffffffffu, 0x0010000000000000u,
    0x7fefffffffffffffu, 0xffefffffffffffffu, 0x3fe0000000000000u, 0xbfe0000000000000u,
    0x3ff8000000000000u, 0xbff8000000000000u, 0x4004000000000000u, 0x3fdfffffffffffffu,
    0x41e0000000000000u, 0x41dfffffffc00000u, 0xc1e0000000000000u, 0xc1e0000000200000u,
    0x41f0000000000000u, 0x41efffffffe00000u, 0x43e0000000000000u, 0x43dfffffffffffffu,
    0xc3e0000000000000u, 0x43f0000000000000u, 0x43efffffffffffffu, 0xbfefffffffffffffu,
    // f32.demote boundaries: the largest f32, the first value rounding to infinity, 2^-150.
    0x47efffffe0000000u, 0x47effffff0000000u, 0x3690000000000000u, 0x36a0000000000000u};

template <class T, size_t N>
T PickFrom(Rng& rng, const std::array<T, N>& a) {
  return a[rng.Below(N)];
}


bool HasSpecialSlot(const OpInfo& info) {
  for (SigType s : {info.result, info.p1, info.p2, info.p3})
    if (s == SigType::Special) return true;
  return false;
}

FuncType Sig(std::vector<ValType> params, std::vector<ValType> results) {
  return FuncType{std::move(params), std::move(results)};
}

// ---- One case under construction ---------------------------------------------------------------

struct Gen {
  Gen(Op op_, uint64_t variant_, Rng& rng_, bool simd_)
      : op(op_), info(wasm::GetOpInfo(op_)), variant(variant_), rng(rng_), simd(simd_) {}

  const Op op;
  const OpInfo& info;
  const uint64_t variant;
  Rng& rng;
  const bool simd;
  ModuleBuilder mb;
  Script script;
  std::string detail;  // after the instruction's name in Generated::what: " (i64)"

  // A random value of type t, biased towards small magnitudes.
  Value Random(ValType t) {
    switch (t) {
      case ValType::I32: {
        uint32_t v = static_cast<uint32_t>(rng.Next() >> (32 + rng.Below(32)));
        return Value::I32(rng.Chance(2) ? 0u - v : v);
      }
      case ValType::I64: {
        uint64_t v = rng.Next() >> rng.Below(64);
        return Value::I64(rng.Chance(2) ? 0 - v : v);
      }
      // Floats: random bits, or a random integer of up to 24 (53) bits scaled by 2^-k.
      case ValType::F32: {
        if (rng.Chance(2)) return Value::F32Bits(static_cast<uint32_t>(rng.Next()));
        const int32_t m = static_cast<int32_t>(rng.Next() >> 40) - (1 << 23);
        const uint64_t k = rng.Below(12);
        return Value::F32(static_cast<float>(m) / static_cast<float>(1u << k));
      }
      case ValType::F64: {
        if (rng.Chance(2)) return Value::F64Bits(rng.Next());
        const int64_t m = static_cast<int64_t>(rng.Next() >> 11) - (int64_t{1} << 52);
        const uint64_t k = rng.Below(40);
        return Value::F64(static_cast<double>(m) / static_cast<double>(uint64_t{1} << k));
      }
      case ValType::V128: {
        const uint64_t lo = rng.Next();
        return {ValType::V128, lo, rng.Next()};
      }
      case ValType::FuncRef:
        return Value::Null(t);
      case ValType::ExternRef:
        return rng.Chance(3) ? Value::Null(t) : Value::Ref(t, rng.Next() & 0xffffffffu);
    }
    return Value::Default(t);
  }

  // An edge value of type t (one time in four a random one). Function references can only be
  // null in a script (their bits belong to one store).
  Value Edge(ValType t) {
    if (t != ValType::FuncRef && rng.Chance(4)) return Random(t);
    switch (t) {
      case ValType::I32:
        return Value::I32(PickFrom(rng, kI32Edges));
      case ValType::I64:
        return Value::I64(PickFrom(rng, kI64Edges));
      case ValType::F32:
        return Value::F32Bits(PickFrom(rng, kF32Edges));
      case ValType::F64:
        return Value::F64Bits(PickFrom(rng, kF64Edges));
      case ValType::V128:
        return EdgeV128();
      case ValType::FuncRef:
        return Value::Null(t);
      case ValType::ExternRef: {
        constexpr std::array<uint64_t, 4> kRefs = {wasm::kNullRef, 0, 7, 0xffffffffu};
        return Value::Ref(t, PickFrom(rng, kRefs));
      }
    }
    return Value::Default(t);
  }

  // A vector of edge lanes of one shape: every lane an edge value of i8, i16, i32, i64, f32 or f64.
  Value EdgeV128() {
    uint8_t bytes[16];
    const uint64_t shape = rng.Below(6);
    for (int i = 0; i < 16;) {
      uint64_t v = 0;
      int n = 0;
      switch (shape) {
        case 0: {
          constexpr std::array<uint8_t, 6> k8 = {0, 1, 0x7f, 0x80, 0xff, 0xfe};
          v = PickFrom(rng, k8), n = 1;
          break;
        }
        case 1: {
          constexpr std::array<uint16_t, 6> k16 = {0, 1, 0x7fff, 0x8000, 0xffff, 0x00ff};
          v = PickFrom(rng, k16), n = 2;
          break;
        }
        case 2:
          v = PickFrom(rng, kI32Edges), n = 4;
          break;
        case 3:
          v = PickFrom(rng, kI64Edges), n = 8;
          break;
        case 4:
          v = PickFrom(rng, kF32Edges), n = 4;
          break;
        default:
          v = PickFrom(rng, kF64Edges), n = 8;
          break;
      }
      for (int k = 0; k < n; ++k) bytes[i + k] = static_cast<uint8_t>(v >> (8 * k));
      i += n;
    }
    Value r{ValType::V128, 0, 0};
    std::memcpy(&r.bits, bytes, 8);
    std::memcpy(&r.hi, bytes + 8, 8);
    return r;
  }

  // A select or br_if condition: zero half the time.
  Value Cond() { return rng.Chance(2) ? Value::I32(0) : Edge(ValType::I32); }

  // An index into a table or segment of `size` entries: in range, at the end, past it, huge.
  Value Index(uint64_t size) {
    const std::array<uint64_t, 8> c = {0,        1,           size - 1,    size,
                                       size + 1, 0xffffffffu, 0x80000000u, rng.Below(size + 1)};
    return Value::I32(static_cast<uint32_t>(PickFrom(rng, c)));
  }

  // The address operand of an access of `size` bytes with memarg offset `offset` in a memory
  // of one page (two once `grown`). The effective address is the 33-bit sum (Spec 4.4.7.1), so
  // it is aimed at: the first bytes, the last access in bounds, one byte past it, the end, 2^32.
  // Where the offset alone is past the aim, the smallest and largest addresses are used.
  Value Address(uint32_t size, uint64_t offset, bool grown) {
    if (rng.Chance(8)) return Value::I32(static_cast<uint32_t>(rng.Next()));
    const uint64_t end = rng.Chance(grown ? 2 : 8) ? 2 * kPage : kPage;
    const std::array<uint64_t, 8> aims = {0,       1,   end - size,        end - size + 1,
                                          end - 1, end, uint64_t{1} << 32, rng.Below(256)};
    const uint64_t aim = PickFrom(rng, aims);
    if (aim < offset) return Value::I32(rng.Chance(2) ? 0u : 0xffffffffu);
    const uint64_t address = aim - offset;
    if (address > 0xffffffffu) return Value::I32(0xffffffffu - static_cast<uint32_t>(rng.Below(4)));
    return Value::I32(static_cast<uint32_t>(address));
  }

  // A length for a range in a region of `size` units (memory bytes, table entries, segment
  // elements), and a start for it (Spec 4.4.6-4.4.7: [i, i + n) must lie within the region; n = 0
  // is allowed at its end). Half the time in bounds, otherwise an edge: at the end, one past,
  // wrapping.
  uint32_t Length(uint64_t size) {
    if (size > 0 && rng.Chance(2)) return static_cast<uint32_t>(rng.Below(size + 1));
    const std::array<uint64_t, 9> c = {0,    1,        2,           size / 2,   size - 1,
                                       size, size + 1, 0xffffffffu, 0x80000000u};
    return static_cast<uint32_t>(PickFrom(rng, c));
  }
  uint32_t Start(uint64_t size, uint32_t n) {
    if (n <= size && rng.Chance(2)) return static_cast<uint32_t>(rng.Below(size - n + 1));
    const std::array<uint64_t, 8> c = {0,    1,        size - n,    size - n + 1,
                                       size, size + 1, 0xffffffffu, size - n - 1};
    return static_cast<uint32_t>(PickFrom(rng, c));
  }

  // Value types for templates that work on any type (v128 only with SIMD): by variant, so that
  // consecutive rounds of the list cover every type.
  ValType NumType() {
    std::vector<ValType> t = {ValType::I32, ValType::I64, ValType::F32, ValType::F64};
    if (simd) t.push_back(ValType::V128);
    return t[variant % t.size()];
  }
  ValType AnyType() {
    std::vector<ValType> t = {ValType::I32, ValType::I64,     ValType::F32,
                              ValType::F64, ValType::FuncRef, ValType::ExternRef};
    if (simd) t.push_back(ValType::V128);
    return t[variant % t.size()];
  }
  ValType RefType() { return variant % 2 == 0 ? ValType::FuncRef : ValType::ExternRef; }
  void Detail(std::string_view s) {
    detail += ' ';
    detail += s;
  }
  void DetailPages(uint64_t min, std::optional<uint64_t> max) {
    detail += " (";
    detail += std::to_string(min);
    if (max) {
      detail += " to ";
      detail += std::to_string(*max);
    } else {
      detail += " or more";
    }
    detail += " pages)";
  }
  void DetailType(ValType t) {
    detail += " (";
    detail += wasm::ValTypeName(t);
    detail += ')';
  }

  // The function under test, exported as "f".
  uint32_t F(std::vector<ValType> params, std::vector<ValType> results,
             const std::vector<ValType>& locals, Code code) {
    uint32_t f = mb.Function(Sig(std::move(params), std::move(results)), locals, std::move(code));
    mb.ExportFunction("f", f);
    return f;
  }

  // A small function [i32] -> [i32] of its own (x + k), for tables and references.
  uint32_t Helper() {
    const uint32_t k = helpers_++;
    Code code;
    code.LocalGet(0).I32(k * 0x1000 + 1).Add(Op::I32Add);
    return mb.Function(Sig({ValType::I32}, {ValType::I32}), {}, std::move(code));
  }
  std::vector<uint32_t> Helpers(int n) {
    std::vector<uint32_t> r;
    for (int i = 0; i < n; ++i) r.push_back(Helper());
    return r;
  }

  void Call(const std::string& name, std::vector<Value> args) {
    script.calls.push_back(diff::Call{name, std::move(args), std::nullopt});
  }
  // kCalls calls of "f", each with an edge value per parameter. One time in three a parameter
  // repeats a value of its type met before (an earlier argument or one of `related`, the
  // constants of the body), as is or off by one, since equal operands are edges too.
  void EdgeCalls(const std::vector<ValType>& params, int n = kCalls,
                 const std::vector<Value>& related = {}) {
    for (int k = 0; k < n; ++k) {
      std::vector<Value> args;
      for (ValType t : params) {
        std::vector<Value> seen;
        const std::vector<Value>* sources[] = {&related, &args};
        for (const std::vector<Value>* from : sources)
          for (const Value& v : *from)
            if (v.type == t && !wasm::IsRefType(t)) seen.push_back(v);
        if (seen.empty() || !rng.Chance(3)) {
          args.push_back(Edge(t));
          continue;
        }
        Value v = rng.Pick(seen);
        const uint64_t step = rng.Below(4);  // equal half the time, else +1 or -1 in the last bit
        if (step == 2) ++v.bits;
        if (step == 3) --v.bits;
        if (t == ValType::I32 || t == ValType::F32) v.bits &= 0xffffffffu;
        args.push_back(v);
      }
      Call("f", std::move(args));
    }
  }

  // Memory 0: `min` pages (maximum `max`), with random bytes at its start and end (so that
  // loads and copies see more than zeros), and "grow" (memory.grow 1) exported.
  void AddMemory(uint64_t min = 1, std::optional<uint64_t> max = 2) {
    mb.Memory(min, max);
    for (uint64_t at : {uint64_t{0}, min * kPage - 64}) {
      if (min == 0) break;
      std::vector<uint8_t> bytes(64);
      for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng.Next());
      mb.ActiveData(static_cast<uint32_t>(at), bytes);
    }
    Code grow;
    grow.I32(1).Add(Op::MemoryGrow);
    mb.ExportFunction("grow", mb.Function(Sig({}, {ValType::I32}), {}, std::move(grow)));
  }

  // A table of `elem` references with `size` entries (maximum `max`); a funcref table gets
  // helper functions in a random part of it. Sometimes a decoy table comes first, so that the
  // instruction's table index is not always 0. Returns the table's index.
  uint32_t AddTable(ValType elem, uint64_t size, std::optional<uint64_t> max) {
    if (rng.Chance(3)) {
      const ValType decoy = rng.Chance(2) ? ValType::FuncRef : ValType::ExternRef;
      mb.Table(decoy, 1 + rng.Below(3), std::nullopt);
      Detail("table 1");
    }
    const uint32_t t = mb.Table(elem, size, max);
    if (elem == ValType::FuncRef && size > 0) {
      const uint64_t at = rng.Below(size);
      const int n = static_cast<int>(1 + rng.Below(size - at));
      mb.ActiveElem(t, static_cast<uint32_t>(at), Helpers(n));
    }
    return t;
  }

  std::string What() const {
    size_t f = 0;
    for (const diff::Call& c : script.calls) f += c.export_name == "f";
    std::string s = info.name;
    s += detail;
    s += ": ";
    s += std::to_string(f);
    s += f == 1 ? " argument set" : " argument sets";
    if (f != script.calls.size()) {
      s += ", ";
      s += std::to_string(script.calls.size() - f);
      s += script.calls.size() - f == 1 ? " other call" : " other calls";
    }
    return s;
  }

 private:
  uint32_t helpers_ = 0;
};

using Template = void (*)(Gen&);

// ---- Templates derived from the table ----------------------------------------------------------

// An operator with a fixed signature [p1 p2 p3] -> [r] (numeric and vector instructions, nop):
// f takes the operands as parameters and returns the result. With several operands, variants
// turn the last or the first into a constant (JITs have immediate forms), or read every operand
// from one parameter when their types agree (one register for both sides).
void Operator(Gen& g) {
  std::vector<ValType> operands;
  for (SigType s : {g.info.p1, g.info.p2, g.info.p3})
    if (auto t = wasm::SigValType(s)) operands.push_back(*t);
  std::vector<ValType> results;
  if (auto t = wasm::SigValType(g.info.result)) results.push_back(*t);
  enum Form { kParams, kLastConstant, kFirstConstant, kOneParam };
  Form form = operands.size() < 2 ? kParams : static_cast<Form>(g.variant % 4);
  if (form == kOneParam &&
      std::count(operands.begin(), operands.end(), operands[0]) != std::ssize(operands))
    form = kParams;
  const size_t constant = form == kLastConstant    ? operands.size() - 1
                          : form == kFirstConstant ? 0
                                                   : operands.size();

  Code code;
  std::vector<ValType> params;
  std::vector<Value> constants;
  for (size_t i = 0; i < operands.size(); ++i) {
    if (i == constant) {
      Value v = g.Edge(operands[i]);
      constants.push_back(v);
      code.Const(v);
      g.detail += " with ";
      g.detail += wasm::ToString(v);
    } else if (form == kOneParam) {
      code.LocalGet(0);
      if (params.empty()) params.push_back(operands[i]);
    } else {
      code.LocalGet(static_cast<uint32_t>(params.size()));
      params.push_back(operands[i]);
    }
  }
  if (form == kOneParam) g.Detail("(one parameter for every operand)");
  wasm::Instr in = MakeInstr(g.op);
  if (g.info.imm == ImmKind::LaneIdx) {
    in.lane = static_cast<uint8_t>(g.rng.Below(LaneCount(g.info.name)));
    g.detail += " lane ";
    g.detail += std::to_string(in.lane);
  } else if (g.info.imm == ImmKind::Shuffle) {
    // Spec 5.4.8 i8x16.shuffle: 16 lane indices below 32 (c, then a, then b; module.h).
    uint8_t lanes[16];
    for (uint8_t& l : lanes) l = static_cast<uint8_t>(g.rng.Below(32));
    std::memcpy(&in.c, lanes, 8);
    std::memcpy(&in.a, lanes + 8, 4);
    std::memcpy(&in.b, lanes + 12, 4);
  }
  code.Add(in);
  g.F(params, results, {}, std::move(code));
  g.EdgeCalls(params, params.empty() ? 2 : kCalls, constants);
}

// t.const (Spec 4.4.1.1, 4.4.3.1): f returns eight constants, each an edge value.
void Constant(Gen& g) {
  const ValType t = *wasm::SigValType(g.info.result);
  Code code;
  for (int i = 0; i < kCalls; ++i) code.Const(g.Edge(t));
  g.F({}, std::vector<ValType>(kCalls, t), {}, std::move(code));
  g.Call("f", {});
  g.Detail("(8 edge values)");
}

// t.load / t.store and their narrow, vector and lane forms (Spec 4.4.7): memory of one page
// (maximum two) with bytes at both ends; the address is the parameter, the memarg offset
// (natural alignment) cycles with the variant; every other round of offsets "grow" is called
// halfway, moving the bounds. Stores are observed through the compared memory.
void MemoryAccess(Gen& g) {
  uint32_t size = wasm::MemAccessSize(g.info.imm);
  const bool lane = size == 0;
  if (lane) size = wasm::MemLaneSize(g.info.imm);
  const std::array<uint64_t, 10> offsets = {
      0,          1,          size,           kPage - 1, kPage - size, kPage, kPage - size + 1,
      0x7fffffff, 0xffffffff, g.rng.Below(64)};
  const uint64_t offset = offsets[g.variant % offsets.size()];
  const bool grow = (g.variant / offsets.size()) % 2 == 1;
  g.AddMemory();

  std::vector<ValType> params = {ValType::I32};
  if (auto t = wasm::SigValType(g.info.p2)) params.push_back(*t);
  std::vector<ValType> results;
  if (auto t = wasm::SigValType(g.info.result)) results.push_back(*t);
  Code code;
  for (size_t i = 0; i < params.size(); ++i) code.LocalGet(static_cast<uint32_t>(i));
  const uint8_t lane_index = lane ? static_cast<uint8_t>(g.rng.Below(16 / size)) : 0;
  code.Memory(g.op, offset, lane_index);
  g.F(params, results, {}, std::move(code));

  g.detail += " offset=";
  g.detail += std::to_string(offset);
  if (lane) {
    g.detail += " lane ";
    g.detail += std::to_string(lane_index);
  }
  if (grow) g.Detail("(grown halfway)");
  for (int k = 0; k < kCalls; ++k) {
    if (grow && k == kCalls / 2) g.Call("grow", {});
    std::vector<Value> args = {g.Address(size, offset, grow && k >= kCalls / 2)};
    if (params.size() > 1) args.push_back(g.Edge(params[1]));
    g.Call("f", std::move(args));
  }
}

// ---- Hand-written templates (instructions with `Sp` signatures or structured immediates) -----

// Spec 4.4.8.2 unreachable: traps when reached; it makes the operand stack polymorphic
// (Spec 3.3.8.2), so in the odd variants an i32.add without operands follows it.
void Unreachable(Gen& g) {
  Code code;
  code.LocalGet(0);
  if (g.variant % 2 == 0) {
    code.Block(Op::If, BlockEmpty()).Add(Op::Unreachable).End().LocalGet(0);
  } else {
    code.Block(Op::If, BlockValue(ValType::I32)).Add(Op::Unreachable).Add(Op::I32Add);
    code.Add(Op::Else).LocalGet(0).End();
    g.Detail("(polymorphic stack)");
  }
  g.F({ValType::I32}, {ValType::I32}, {}, std::move(code));
  for (int k = 0; k < kCalls; ++k) g.Call("f", {g.Cond()});
}

// Spec 4.4.8.9 return: the top values are the results, whatever lies below them.
void Return(Gen& g) {
  Code code;
  std::vector<ValType> results = {ValType::I32};
  if (g.variant % 2 == 0) {
    code.Const(Value::I64(5)).LocalGet(0).Block(Op::If, BlockEmpty());
    code.LocalGet(0).I32(1).Add(Op::I32Add).Add(Op::Return).End().Add(Op::Drop).I32(9);
  } else {
    // Two results, returned from inside a loop with an extra value below them.
    results = {ValType::F64, ValType::I32};
    code.Block(Op::Loop, BlockEmpty()).LocalGet(0).Block(Op::If, BlockEmpty());
    code.Const(Value::F32(1.0f)).Const(g.Edge(ValType::F64)).LocalGet(0).Add(Op::Return);
    code.End().End().Const(g.Edge(ValType::F64)).I32(7);
    g.Detail("(two results, from a loop)");
  }
  g.F({ValType::I32}, results, {}, std::move(code));
  for (int k = 0; k < kCalls; ++k) g.Call("f", {g.Cond()});
}

// Spec 4.4.8.6 br: forward out of a block with a value (and an extra one below it), or back to
// a loop that counts down (x & 63 iterations).
void Br(Gen& g) {
  Code code;
  std::vector<ValType> locals;
  if (g.variant % 2 == 0) {
    code.Block(Op::Block, BlockValue(ValType::I32)).Const(Value::I64(3)).LocalGet(0);
    code.Add(Op::Br, 0).End().I32(1).Add(Op::I32Add);
  } else {
    locals = {ValType::I32};
    code.LocalGet(0).I32(63).Add(Op::I32And).LocalSet(0);
    code.Block(Op::Block, BlockEmpty()).Block(Op::Loop, BlockEmpty());
    code.LocalGet(0).Add(Op::I32Eqz).Block(Op::If, BlockEmpty()).Add(Op::Br, 2).End();
    code.LocalGet(0).I32(1).Add(Op::I32Sub).LocalSet(0);
    code.LocalGet(1).I32(3).Add(Op::I32Add).LocalSet(1);
    code.Add(Op::Br, 0).End().End().LocalGet(1);
    g.Detail("(loop)");
  }
  g.F({ValType::I32}, {ValType::I32}, locals, std::move(code));
  g.EdgeCalls({ValType::I32});
}

// Spec 4.4.8.7 br_if: out of a block with a value when the condition is not zero, or back to a
// loop while a counter stays positive.
void BrIf(Gen& g) {
  Code code;
  if (g.variant % 2 == 0) {
    code.Block(Op::Block, BlockValue(ValType::I32)).LocalGet(0).LocalGet(1).Add(Op::BrIf, 0);
    code.I32(1).Add(Op::I32Add).End();
  } else {
    code.LocalGet(1).I32(63).Add(Op::I32And).LocalSet(1);
    code.Block(Op::Loop, BlockEmpty());
    code.LocalGet(0).LocalGet(1).Add(Op::I32Add).LocalSet(0);
    code.LocalGet(1).I32(1).Add(Op::I32Sub).Add(Op::LocalTee, 1).I32(0).Add(Op::I32GtS);
    code.Add(Op::BrIf, 0).End().LocalGet(0);
    g.Detail("(loop)");
  }
  g.F({ValType::I32, ValType::I32}, {ValType::I32}, {}, std::move(code));
  for (int k = 0; k < kCalls; ++k) g.Call("f", {g.Edge(ValType::I32), g.Cond()});
}

// Spec 4.4.8.8 br_table: 0 to 6 labels (and the default) picked among four nested blocks; each
// block's end adds its own constant, so the result tells which label was taken. In the odd
// variants the blocks carry an i32 to their end.
void BrTable(Gen& g) {
  const bool with_value = g.variant % 2 == 1;
  const int depth = 4;
  std::vector<uint32_t> labels(g.rng.Below(7));
  for (uint32_t& l : labels) l = static_cast<uint32_t>(g.rng.Below(depth));
  const uint32_t default_label = static_cast<uint32_t>(g.rng.Below(depth));
  Code code;
  const uint64_t bt = with_value ? BlockValue(ValType::I32) : BlockEmpty();
  for (int i = 0; i < depth; ++i) code.Block(Op::Block, bt);
  if (with_value) code.LocalGet(1);
  code.LocalGet(0).BrTable(labels, default_label);
  for (int i = 0; i < depth; ++i) {
    code.End();
    if (with_value) {
      code.I32(100u << i).Add(Op::I32Add);
    } else {
      code.I32(100u << i).Add(Op::Return);
    }
  }
  if (!with_value) code.I32(0);
  g.detail += " (";
  g.detail += std::to_string(labels.size());
  g.detail += with_value ? " labels, with a value)" : " labels)";
  std::vector<ValType> params = {ValType::I32};
  if (with_value) params.push_back(ValType::I32);
  g.F(params, {ValType::I32}, {}, std::move(code));
  for (int k = 0; k < kCalls; ++k) {
    Value index = g.rng.Chance(3) ? g.Index(labels.size()) : Value::I32(k);
    if (with_value) {
      g.Call("f", {index, g.Edge(ValType::I32)});
    } else {
      g.Call("f", {index});
    }
  }
}

// Spec 4.4.8.10 call: a function returning its 1 to 4 parameters in reverse order (several
// results), or a recursive one (depth x & 255).
void CallOp(Gen& g) {
  if (g.variant % 2 == 0) {
    std::vector<ValType> params;
    const uint64_t n = 1 + g.rng.Below(4);
    std::vector<ValType> kinds = {ValType::I32, ValType::I64, ValType::F32, ValType::F64};
    if (g.simd) kinds.push_back(ValType::V128);
    for (uint64_t i = 0; i < n; ++i) params.push_back(g.rng.Pick(kinds));
    std::vector<ValType> reversed(params.rbegin(), params.rend());
    Code callee;
    for (size_t i = params.size(); i-- > 0;) callee.LocalGet(static_cast<uint32_t>(i));
    const uint32_t callee_index = g.mb.Function(Sig(params, reversed), {}, std::move(callee));
    Code code;
    for (size_t i = 0; i < params.size(); ++i) code.LocalGet(static_cast<uint32_t>(i));
    code.Add(Op::Call, callee_index);
    g.F(params, reversed, {}, std::move(code));
    g.EdgeCalls(params);
  } else {
    // g(n, acc) = n == 0 ? acc : g(n - 1, acc * 3 + n)
    Code rec;
    rec.LocalGet(0).Add(Op::I32Eqz).Block(Op::If, BlockValue(ValType::I64)).LocalGet(1);
    rec.Add(Op::Else).LocalGet(0).I32(1).Add(Op::I32Sub);
    rec.LocalGet(1).Const(Value::I64(3)).Add(Op::I64Mul).LocalGet(0).Add(Op::I64ExtendI32U);
    rec.Add(Op::I64Add).Add(Op::Call, 0).End();
    g.mb.Function(Sig({ValType::I32, ValType::I64}, {ValType::I64}), {}, std::move(rec));
    Code code;
    code.LocalGet(0).I32(255).Add(Op::I32And).LocalGet(1).Add(Op::Call, 0);
    g.F({ValType::I32, ValType::I64}, {ValType::I64}, {}, std::move(code));
    g.EdgeCalls({ValType::I32, ValType::I64});
    g.Detail("(recursive)");
  }
}

// Spec 4.4.8.11 call_indirect: a table of six entries holding two functions of the expected
// type, one of another type (signature mismatch), one of a distinct but equal type (types are
// compared structurally: no trap), and two null entries; indices past the end trap too.
void CallIndirect(Gen& g) {
  const FuncType a = Sig({ValType::I32}, {ValType::I32});
  const uint32_t type_a = g.mb.Type(a);
  const uint32_t type_b = g.mb.Type(Sig({ValType::I32}, {ValType::I64}));
  const uint32_t type_a2 = g.mb.DistinctType(a);
  std::vector<uint32_t> funcs;
  Code c0, c1, c2, c3;
  c0.LocalGet(0).I32(1).Add(Op::I32Add);
  c1.LocalGet(0).I32(3).Add(Op::I32Mul);
  c2.LocalGet(0).Add(Op::I64ExtendI32S);
  c3.LocalGet(0).I32(0xffffffffu).Add(Op::I32Xor);
  funcs.push_back(g.mb.FunctionOfType(type_a, {}, std::move(c0)));
  funcs.push_back(g.mb.FunctionOfType(type_a, {}, std::move(c1)));
  funcs.push_back(g.mb.FunctionOfType(type_b, {}, std::move(c2)));
  funcs.push_back(g.mb.FunctionOfType(type_a2, {}, std::move(c3)));
  for (size_t i = funcs.size(); i > 1; --i) std::swap(funcs[i - 1], funcs[g.rng.Below(i)]);
  const uint32_t size = 6;
  uint32_t table = 0;
  if (g.variant % 2 == 1) {
    g.mb.Table(ValType::FuncRef, 1, std::nullopt);
    g.Detail("table 1");
    table = 1;
  }
  g.mb.Table(ValType::FuncRef, size,
             g.rng.Chance(2) ? std::optional<uint64_t>(size) : std::nullopt);
  g.mb.ActiveElem(table, 0, funcs);
  const uint32_t expected = (g.variant / 2) % 2 == 0 ? type_a : type_a2;
  if (expected == type_a2) g.Detail("(type of a distinct index)");
  Code code;
  code.LocalGet(1).LocalGet(0).Add(Op::CallIndirect, expected, table);
  g.F({ValType::I32, ValType::I32}, {ValType::I32}, {}, std::move(code));
  for (int k = 0; k < kCalls; ++k) {
    Value index = g.rng.Chance(4) ? g.Index(size) : Value::I32(static_cast<uint32_t>(k));
    g.Call("f", {index, g.Edge(ValType::I32)});
  }
}

// Spec 4.4.2.1 ref.null t.
void RefNull(Gen& g) {
  const ValType t = g.RefType();
  Code code;
  code.Const(Value::Null(t)).Const(Value::Null(t)).Add(Op::RefIsNull);
  g.DetailType(t);
  g.F({}, {t, ValType::I32}, {}, std::move(code));
  g.Call("f", {});
  g.Call("f", {});
}

// Spec 4.4.2.2 ref.is_null: on an externref parameter (null or not), a funcref parameter
// (null only from a script), or the entries of a funcref table (null or not).
void RefIsNull(Gen& g) {
  Code code;
  switch (g.variant % 3) {
    case 0:
    case 1: {
      const ValType t = g.variant % 3 == 0 ? ValType::ExternRef : ValType::FuncRef;
      code.LocalGet(0).Add(Op::RefIsNull);
      g.DetailType(t);
      g.F({t}, {ValType::I32}, {}, std::move(code));
      g.EdgeCalls({t}, t == ValType::FuncRef ? 2 : kCalls);
      break;
    }
    default: {
      const uint32_t size = 4;
      const uint32_t table = g.AddTable(ValType::FuncRef, size, std::nullopt);
      code.LocalGet(0).Add(Op::TableGet, table).Add(Op::RefIsNull);
      g.Detail("(table entries)");
      g.F({ValType::I32}, {ValType::I32}, {}, std::move(code));
      for (int k = 0; k < kCalls; ++k)
        g.Call("f", {g.rng.Chance(3) ? g.Index(size) : Value::I32(static_cast<uint32_t>(k))});
      break;
    }
  }
}

// Spec 4.4.2.3 ref.func x: x must be declared outside function bodies (Spec 3.4.10, C.refs):
// by a declarative element segment, an export or an active segment.
void RefFunc(Gen& g) {
  const uint32_t f = g.Helper();
  switch (g.variant % 3) {
    case 0:
      g.mb.DeclarativeElem({f});
      g.Detail("(declarative segment)");
      break;
    case 1:
      g.mb.ExportFunction("g", f);
      g.Detail("(exported)");
      break;
    default:
      g.mb.Table(ValType::FuncRef, 2, std::nullopt);
      g.mb.ActiveElem(0, 1, {f});
      g.Detail("(in a table)");
      break;
  }
  Code code;
  code.Add(Op::RefFunc, f).Add(Op::RefFunc, f).Add(Op::RefIsNull);
  g.F({}, {ValType::FuncRef, ValType::I32}, {}, std::move(code));
  g.Call("f", {});
  g.Call("f", {});
}

// Spec 4.4.4.1 drop: the top value goes, the one below is returned.
void Drop(Gen& g) {
  const ValType t = g.AnyType();
  Code code;
  code.LocalGet(0).LocalGet(1).Add(Op::Drop);
  g.DetailType(t);
  g.F({t, t}, {t}, {}, std::move(code));
  g.EdgeCalls({t, t});
}

// Spec 4.4.4.2 select (untyped: numeric and vector operands) and select t (any type).
void Select(Gen& g) {
  const bool typed = g.op == Op::SelectT;
  const ValType t = typed ? g.AnyType() : g.NumType();
  Code code;
  code.LocalGet(0).LocalGet(1).LocalGet(2);
  if (typed) {
    code.Add(Op::SelectT, 1, static_cast<uint32_t>(t));  // ImmKind::SelectT: count, first type
  } else {
    code.Add(Op::Select);
  }
  g.DetailType(t);
  g.F({t, t, ValType::I32}, {t}, {}, std::move(code));
  for (int k = 0; k < kCalls; ++k) g.Call("f", {g.Edge(t), g.Edge(t), g.Cond()});
}

// Spec 4.4.5.1-3 local.get / local.set / local.tee, on parameters and on declared locals (which
// start at the type's default value, Spec 4.4.10.1), one of another type beside them.
void Local(Gen& g) {
  const ValType t = g.AnyType();
  Code code;
  std::vector<ValType> results;
  switch (g.op) {
    case Op::LocalGet:
      // (param t t) (local t i64): every one of them.
      code.LocalGet(0).LocalGet(1).LocalGet(2).LocalGet(3);
      results = {t, t, t, ValType::I64};
      break;
    case Op::LocalSet:
      code.LocalGet(0).LocalSet(2).LocalGet(1).LocalSet(0);
      code.LocalGet(0).LocalGet(2).LocalGet(3);
      results = {t, t, ValType::I64};
      break;
    default:
      code.LocalGet(0).Add(Op::LocalTee, 2).LocalGet(1).Add(Op::LocalTee, 0).LocalGet(2);
      code.LocalGet(0).LocalGet(3);
      results = {t, t, t, t, ValType::I64};
      break;
  }
  g.DetailType(t);
  g.F({t, t}, results, {t, ValType::I64}, std::move(code));
  g.EdgeCalls({t, t});
}

// The initial value of a global of type t: an edge value, null, or (funcref) ref.func of a
// helper, which also declares it (Spec 3.4.10).
wasm::Instr GlobalInit(Gen& g, ValType t) {
  if (t == ValType::FuncRef && g.rng.Chance(2)) return MakeInstr(Op::RefFunc, g.Helper());
  if (wasm::IsRefType(t)) return ConstInstr(Value::Null(t));
  return ConstInstr(g.Edge(t));
}

// Spec 4.4.5.4-5 global.get / global.set: an immutable and a mutable global of one type. For
// global.get, "set" changes the mutable one between the calls of f; global.set's f sets it
// and reads it back (the globals are compared after every call too).
void Global(Gen& g) {
  const ValType t = g.AnyType();
  const wasm::Instr init0 = GlobalInit(g, t);
  const wasm::Instr init1 = GlobalInit(g, t);
  g.mb.Global(t, false, init0);
  g.mb.Global(t, true, init1);
  g.DetailType(t);
  Code code;
  if (g.op == Op::GlobalGet) {
    code.Add(Op::GlobalGet, 0).Add(Op::GlobalGet, 1);
    g.F({}, {t, t}, {}, std::move(code));
    Code set;
    set.LocalGet(0).Add(Op::GlobalSet, 1);
    g.mb.ExportFunction("set", g.mb.Function(Sig({t}, {}), {}, std::move(set)));
    for (int k = 0; k < kCalls / 2; ++k) {
      g.Call("f", {});
      g.Call("set", {g.Edge(t)});
    }
    g.Call("f", {});
  } else {
    code.LocalGet(0).Add(Op::GlobalSet, 1).Add(Op::GlobalGet, 1).Add(Op::GlobalGet, 0);
    g.F({t}, {t, t}, {}, std::move(code));
    g.EdgeCalls({t});
  }
}

// Spec 4.4.6.1 table.get: entries of a funcref table (helpers and nulls) or of an externref
// table that "set" fills first.
void TableGet(Gen& g) {
  const ValType t = g.RefType();
  const uint32_t size = 4;
  const uint32_t table =
      g.AddTable(t, size, g.rng.Chance(2) ? std::optional<uint64_t>(8) : std::nullopt);
  g.DetailType(t);
  if (t == ValType::ExternRef) {
    Code set;
    set.LocalGet(0).LocalGet(1).Add(Op::TableSet, table);
    g.mb.ExportFunction("set", g.mb.Function(Sig({ValType::I32, t}, {}), {}, std::move(set)));
    g.Call("set", {Value::I32(1), Value::Ref(t, 7)});
    g.Call("set", {Value::I32(2), Value::Ref(t, 0)});
  }
  Code code;
  code.LocalGet(0).Add(Op::TableGet, table);
  g.F({ValType::I32}, {t}, {}, std::move(code));
  for (int k = 0; k < kCalls; ++k)
    g.Call("f", {g.rng.Chance(2) ? g.Index(size) : Value::I32(static_cast<uint32_t>(k))});
}

// Spec 4.4.6.2 table.set, then table.get of the same entry: the value is the parameter (null or
// an extern reference) or, for funcref in odd rounds, ref.func of a helper.
void TableSet(Gen& g) {
  const ValType t = g.RefType();
  const uint32_t size = 4;
  const uint32_t table = g.AddTable(t, size, std::nullopt);
  g.DetailType(t);
  const bool func = t == ValType::FuncRef && (g.variant / 2) % 2 == 1;
  Code code;
  code.LocalGet(0);
  std::vector<ValType> params = {ValType::I32};
  if (func) {
    const uint32_t f = g.Helper();
    g.mb.DeclarativeElem({f});
    code.Add(Op::RefFunc, f);
    g.Detail("(ref.func)");
  } else {
    code.LocalGet(1);
    params.push_back(t);
  }
  code.Add(Op::TableSet, table).LocalGet(0).Add(Op::TableGet, table);
  g.F(params, {t}, {}, std::move(code));
  for (int k = 0; k < kCalls; ++k) {
    std::vector<Value> args = {g.Index(size)};
    if (!func) args.push_back(g.Edge(t));
    g.Call("f", std::move(args));
  }
}

// Spec 4.4.6.3 table.size, between calls of "grow" (table.grow with null) that succeed and fail.
void TableSize(Gen& g) {
  const ValType t = g.RefType();
  const uint64_t min = g.variant / 2 % 3;
  std::optional<uint64_t> max;
  if (g.rng.Chance(2)) max = min + 2;
  const uint32_t table = g.AddTable(t, min, max);
  g.DetailType(t);
  Code grow;
  grow.Const(Value::Null(t)).LocalGet(0).Add(Op::TableGrow, table);
  g.mb.ExportFunction("grow",
                      g.mb.Function(Sig({ValType::I32}, {ValType::I32}), {}, std::move(grow)));
  Code code;
  code.Add(Op::TableSize, table);
  g.F({}, {ValType::I32}, {}, std::move(code));
  const std::array<uint32_t, 4> deltas = {1, 2, 0xffffffffu, 10'000'001};
  for (uint32_t d : deltas) {
    g.Call("f", {});
    g.Call("grow", {Value::I32(d)});
  }
  g.Call("f", {});
}

// Spec 4.4.6.4 table.grow by n with an initial value (parameter, or ref.func for funcref in
// some rounds), then table.size. Without a maximum only deltas that are small or beyond every
// limit (docs/limits.md: 10,000,000 entries) are tried.
void TableGrow(Gen& g) {
  const ValType t = g.RefType();
  const bool has_max = (g.variant / 2) % 2 == 0;
  const uint32_t table = g.AddTable(t, 2, has_max ? std::optional<uint64_t>(5) : std::nullopt);
  g.DetailType(t);
  if (!has_max) g.Detail("(no maximum)");
  const bool func = t == ValType::FuncRef && g.rng.Chance(2);
  Code code;
  std::vector<ValType> params;
  if (func) {
    const uint32_t f = g.Helper();
    g.mb.DeclarativeElem({f});
    code.Add(Op::RefFunc, f).LocalGet(0);
    params = {ValType::I32};
    g.Detail("(ref.func)");
  } else {
    code.LocalGet(0).LocalGet(1);
    params = {t, ValType::I32};
  }
  code.Add(Op::TableGrow, table).Add(Op::TableSize, table);
  g.F(params, {ValType::I32, ValType::I32}, {}, std::move(code));
  const std::array<uint32_t, 8> deltas = {0,           1,           2,          3,
                                          0xffffffffu, 0xfffffffeu, 10'000'001, 0x80000000u};
  for (int k = 0; k < kCalls; ++k) {
    Value n = Value::I32(PickFrom(g.rng, deltas));
    if (func) {
      g.Call("f", {n});
    } else {
      g.Call("f", {g.Edge(t), n});
    }
  }
}

// Spec 4.4.6.5 table.fill i v n on a table of 8 (helpers in part of it): ranges in bounds, at
// the end, past it; the value a parameter or, for funcref in some rounds, ref.func.
void TableFill(Gen& g) {
  const ValType t = g.RefType();
  const uint32_t size = 8;
  const uint32_t table = g.AddTable(t, size, std::nullopt);
  g.DetailType(t);
  const bool func = t == ValType::FuncRef && g.rng.Chance(2);
  Code code;
  std::vector<ValType> params;
  code.LocalGet(0);
  if (func) {
    const uint32_t f = g.Helper();
    g.mb.DeclarativeElem({f});
    code.Add(Op::RefFunc, f).LocalGet(1);
    params = {ValType::I32, ValType::I32};
    g.Detail("(ref.func)");
  } else {
    code.LocalGet(1).LocalGet(2);
    params = {ValType::I32, t, ValType::I32};
  }
  code.Add(Op::TableFill, table);
  g.F(params, {}, {}, std::move(code));
  for (int k = 0; k < kCalls; ++k) {
    const uint32_t n = g.Length(size);
    const Value i = Value::I32(g.Start(size, n));
    if (func) {
      g.Call("f", {i, Value::I32(n)});
    } else {
      g.Call("f", {i, g.Edge(t), Value::I32(n)});
    }
  }
}

// Spec 4.4.6.6 table.copy d s n: within one funcref table of 8 (overlapping both ways) or from
// a second one, ranges in bounds, at the end and past it.
void TableCopy(Gen& g) {
  const uint32_t size = 8;
  const uint32_t dst = g.AddTable(ValType::FuncRef, size, std::nullopt);
  uint32_t src = dst;
  uint32_t src_size = size;
  if (g.variant % 2 == 1) {
    src_size = 5;
    src = g.mb.Table(ValType::FuncRef, src_size, std::nullopt);
    g.mb.ActiveElem(src, 1, g.Helpers(3));
    g.Detail("(between tables)");
  }
  Code code;
  code.LocalGet(0).LocalGet(1).LocalGet(2).Add(Op::TableCopy, dst, src);
  g.F({ValType::I32, ValType::I32, ValType::I32}, {}, {}, std::move(code));
  for (int k = 0; k < kCalls; ++k) {
    const uint32_t n = g.Length(std::min(size, src_size));
    const uint32_t d = g.Start(size, n);
    const uint32_t s =
        g.rng.Chance(3) ? d + static_cast<uint32_t>(g.rng.Below(5)) - 2 : g.Start(src_size, n);
    g.Call("f", {Value::I32(d), Value::I32(s), Value::I32(n)});
  }
}

// An element segment of `n` helpers for table.init and elem.drop: passive (some rounds with a
// null among expressions), or active or declarative, which instantiation drops (Spec 4.5.4).
uint32_t InitElem(Gen& g, uint32_t n, uint64_t kind) {
  switch (kind % 4) {
    case 0:
      return g.mb.PassiveElem(g.Helpers(static_cast<int>(n)));
    case 1: {
      wasm::ElemSegment seg;
      seg.mode = wasm::SegmentMode::kPassive;
      for (uint32_t f : g.Helpers(static_cast<int>(n) - 1))
        seg.init.push_back({{MakeInstr(Op::RefFunc, f)}});
      seg.init.insert(seg.init.begin() + static_cast<std::ptrdiff_t>(g.rng.Below(n)),
                      wasm::ConstExpr{{ConstInstr(Value::Null(ValType::FuncRef))}});
      g.Detail("(expressions)");
      return g.mb.Elem(std::move(seg));
    }
    case 2:
      g.Detail("(active: dropped)");
      return g.mb.ActiveElem(0, 0, g.Helpers(static_cast<int>(n)));
    default:
      g.Detail("(declarative: dropped)");
      return g.mb.DeclarativeElem(g.Helpers(static_cast<int>(n)));
  }
}

// Spec 4.4.6.7 table.init x d s n from a segment of 4 into a table of 8; in some rounds "drop"
// (elem.drop) comes halfway.
void TableInit(Gen& g) {
  const uint32_t size = 8, seg_size = 4;
  const uint32_t table = g.mb.Table(ValType::FuncRef, size, std::nullopt);
  const uint32_t seg = InitElem(g, seg_size, g.variant);
  const bool drop = (g.variant / 4) % 2 == 1;
  if (drop) {
    Code d;
    d.Add(Op::ElemDrop, seg);
    g.mb.ExportFunction("drop", g.mb.Function(Sig({}, {}), {}, std::move(d)));
    g.Detail("(dropped halfway)");
  }
  Code code;
  code.LocalGet(0).LocalGet(1).LocalGet(2).Add(Op::TableInit, seg, table);
  g.F({ValType::I32, ValType::I32, ValType::I32}, {}, {}, std::move(code));
  for (int k = 0; k < kCalls; ++k) {
    if (drop && k == kCalls / 2) g.Call("drop", {});
    const uint32_t n = g.Length(seg_size);
    g.Call("f", {Value::I32(g.Start(size, n)), Value::I32(g.Start(seg_size, n)), Value::I32(n)});
  }
}

// Spec 4.4.6.8 elem.drop x, between calls of "init" (table.init) that succeed only before it.
void ElemDrop(Gen& g) {
  const uint32_t size = 8, seg_size = 3;
  const uint32_t table = g.mb.Table(ValType::FuncRef, size, std::nullopt);
  const uint32_t seg = InitElem(g, seg_size, g.variant);
  Code init;
  init.LocalGet(0).LocalGet(1).LocalGet(2).Add(Op::TableInit, seg, table);
  g.mb.ExportFunction("init", g.mb.Function(Sig({ValType::I32, ValType::I32, ValType::I32}, {}), {},
                                            std::move(init)));
  Code code;
  code.Add(Op::ElemDrop, seg);
  g.F({}, {}, {}, std::move(code));
  auto init_call = [&](uint32_t d, uint32_t s, uint32_t n) {
    g.Call("init", {Value::I32(d), Value::I32(s), Value::I32(n)});
  };
  init_call(0, 0, seg_size);
  g.Call("f", {});
  init_call(1, 0, seg_size);
  init_call(0, 0, 0);
  g.Call("f", {});
  init_call(size, 0, 0);
  init_call(0, 1, 0);
}

// Spec 4.4.7.9 memory.size, between calls of "grow" (memory.grow 1): initial sizes 0 to 2
// pages, with or without a maximum.
void MemorySize(Gen& g) {
  const uint64_t min = g.variant % 3;
  std::optional<uint64_t> max;
  if ((g.variant / 3) % 2 == 0) max = min + 1;
  g.AddMemory(min, max);
  g.DetailPages(min, max);
  Code code;
  code.Add(Op::MemorySize);
  g.F({}, {ValType::I32}, {}, std::move(code));
  for (int k = 0; k < 3; ++k) {
    g.Call("f", {});
    g.Call("grow", {});
  }
  g.Call("f", {});
}

// Spec 4.4.7.10 memory.grow n, then memory.size and the last word of the memory (0 when empty),
// which the new bounds must allow. Without a maximum only deltas that are small or beyond 65536
// pages are tried.
void MemoryGrow(Gen& g) {
  const uint64_t min = g.variant % 2;
  std::optional<uint64_t> max;
  if ((g.variant / 2) % 3 != 2) max = min + 1 + (g.variant / 2) % 3;
  g.AddMemory(min, max);
  g.DetailPages(min, max);
  Code code;
  code.LocalGet(0).Add(Op::MemoryGrow).Add(Op::MemorySize);
  code.Add(Op::MemorySize).Add(Op::I32Eqz).Block(Op::If, BlockValue(ValType::I32)).I32(0);
  code.Add(Op::Else).Add(Op::MemorySize).I32(16).Add(Op::I32Shl).I32(4).Add(Op::I32Sub);
  code.Memory(Op::I32Load, 0).End();
  g.F({ValType::I32}, {ValType::I32, ValType::I32, ValType::I32}, {}, std::move(code));
  const std::array<uint32_t, 8> deltas = {0, 1, 2, 3, 0xffffffffu, 0x10001, 0x80000000u, 1};
  for (int k = 0; k < kCalls; ++k) g.Call("f", {Value::I32(PickFrom(g.rng, deltas))});
}

// Spec 4.4.7.11 memory.fill d v n on one page: ranges in bounds, at the end, past it, wrapping.
void MemoryFill(Gen& g) {
  g.AddMemory();
  Code code;
  code.LocalGet(0).LocalGet(1).LocalGet(2).Add(Op::MemoryFill);
  g.F({ValType::I32, ValType::I32, ValType::I32}, {}, {}, std::move(code));
  for (int k = 0; k < kCalls; ++k) {
    const uint32_t n = g.Length(kPage);
    g.Call("f", {Value::I32(g.Start(kPage, n)), g.Edge(ValType::I32), Value::I32(n)});
  }
}

// Spec 4.4.7.12 memory.copy d s n on one page with bytes at both ends: overlapping both ways,
// at the end, past it.
void MemoryCopy(Gen& g) {
  g.AddMemory();
  Code code;
  code.LocalGet(0).LocalGet(1).LocalGet(2).Add(Op::MemoryCopy);
  g.F({ValType::I32, ValType::I32, ValType::I32}, {}, {}, std::move(code));
  for (int k = 0; k < kCalls; ++k) {
    const uint32_t n = g.rng.Chance(2) ? static_cast<uint32_t>(g.rng.Below(80)) : g.Length(kPage);
    const uint32_t d = g.Start(kPage, n);
    const uint32_t s =
        g.rng.Chance(3) ? d + static_cast<uint32_t>(g.rng.Below(17)) - 8 : g.Start(kPage, n);
    g.Call("f", {Value::I32(d), Value::I32(s), Value::I32(n)});
  }
}

// A data segment for memory.init and data.drop (with the data count section they require,
// Spec 5.5.15): passive, empty, or active (dropped by instantiation, Spec 4.5.4).
uint32_t InitData(Gen& g, uint32_t* size) {
  *size = static_cast<uint32_t>(8 + g.rng.Below(25));
  uint32_t kind = static_cast<uint32_t>(g.variant % 4);
  if (kind == 2) *size = 0;
  std::vector<uint8_t> bytes(*size);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(g.rng.Next());
  g.mb.DataCount();
  if (kind == 3) {
    g.Detail("(active: dropped)");
    return g.mb.ActiveData(static_cast<uint32_t>(g.rng.Below(kPage - *size)), bytes);
  }
  if (kind == 2) g.Detail("(empty)");
  return g.mb.PassiveData(bytes);
}

// Spec 4.4.7.13 memory.init x d s n; in some rounds "drop" (data.drop) comes halfway.
void MemoryInit(Gen& g) {
  g.AddMemory();
  uint32_t seg_size = 0;
  const uint32_t seg = InitData(g, &seg_size);
  const bool drop = (g.variant / 4) % 2 == 1;
  if (drop) {
    Code d;
    d.Add(Op::DataDrop, seg);
    g.mb.ExportFunction("drop", g.mb.Function(Sig({}, {}), {}, std::move(d)));
    g.Detail("(dropped halfway)");
  }
  Code code;
  code.LocalGet(0).LocalGet(1).LocalGet(2).Add(Op::MemoryInit, seg);
  g.F({ValType::I32, ValType::I32, ValType::I32}, {}, {}, std::move(code));
  for (int k = 0; k < kCalls; ++k) {
    if (drop && k == kCalls / 2) g.Call("drop", {});
    const uint32_t n = g.Length(seg_size);
    g.Call("f", {Value::I32(g.Start(kPage, n)), Value::I32(g.Start(seg_size, n)), Value::I32(n)});
  }
}

// Spec 4.4.7.14 data.drop x, between calls of "init" (memory.init) that succeed only before it.
void DataDrop(Gen& g) {
  g.AddMemory();
  uint32_t seg_size = 0;
  const uint32_t seg = InitData(g, &seg_size);
  Code init;
  init.LocalGet(0).LocalGet(1).LocalGet(2).Add(Op::MemoryInit, seg);
  g.mb.ExportFunction("init", g.mb.Function(Sig({ValType::I32, ValType::I32, ValType::I32}, {}), {},
                                            std::move(init)));
  Code code;
  code.Add(Op::DataDrop, seg);
  g.F({}, {}, {}, std::move(code));
  auto init_call = [&](uint32_t d, uint32_t s, uint32_t n) {
    g.Call("init", {Value::I32(d), Value::I32(s), Value::I32(n)});
  };
  init_call(0, 0, seg_size);
  g.Call("f", {});
  init_call(16, 0, seg_size);
  init_call(0, 0, 0);
  g.Call("f", {});
  init_call(static_cast<uint32_t>(kPage), 0, 0);
  init_call(0, 1, 0);
}

// The hand-written template of an instruction, nullptr for the others.
Template HandTemplate(Op op) {
  switch (op) {
    case Op::Unreachable:
      return Unreachable;
    case Op::Return:
      return Return;
    case Op::Br:
      return Br;
    case Op::BrIf:
      return BrIf;
    case Op::BrTable:
      return BrTable;
    case Op::Call:
      return CallOp;
    case Op::CallIndirect:
      return CallIndirect;
    case Op::RefNull:
      return RefNull;
    case Op::RefIsNull:
      return RefIsNull;
    case Op::RefFunc:
      return RefFunc;
    case Op::Drop:
      return Drop;
    case Op::Select:
    case Op::SelectT:
      return Select;
    case Op::LocalGet:
    case Op::LocalSet:
    case Op::LocalTee:
      return Local;
    case Op::GlobalGet:
    case Op::GlobalSet:
      return Global;
    case Op::TableGet:
      return TableGet;
    case Op::TableSet:
      return TableSet;
    case Op::TableSize:
      return TableSize;
    case Op::TableGrow:
      return TableGrow;
    case Op::TableFill:
      return TableFill;
    case Op::TableCopy:
      return TableCopy;
    case Op::TableInit:
      return TableInit;
    case Op::ElemDrop:
      return ElemDrop;
    case Op::MemorySize:
      return MemorySize;
    case Op::MemoryGrow:
      return MemoryGrow;
    case Op::MemoryFill:
      return MemoryFill;
    case Op::MemoryCopy:
      return MemoryCopy;
    case Op::MemoryInit:
      return MemoryInit;
    case Op::DataDrop:
      return DataDrop;
    default:
      return nullptr;
  }
}

// The template of an instruction: its hand-written one, or one chosen by its immediate kind
// when the table gives it a fixed signature; nullptr when there is none.
Template TemplateFor(Op op) {
  if (Template t = HandTemplate(op)) return t;
  const OpInfo& info = wasm::GetOpInfo(op);
  if (HasSpecialSlot(info)) return nullptr;
  switch (info.imm) {
    case ImmKind::None:
    case ImmKind::Shuffle:
      return Operator;
    case ImmKind::LaneIdx:
      return LaneCount(info.name) != 0 ? Operator : nullptr;
    case ImmKind::I32Const:
    case ImmKind::I64Const:
    case ImmKind::F32Const:
    case ImmKind::F64Const:
    case ImmKind::V128Const:
      return wasm::SigValType(info.result) && info.p1 == SigType::None ? Constant : nullptr;
    case ImmKind::Mem1:
    case ImmKind::Mem2:
    case ImmKind::Mem4:
    case ImmKind::Mem8:
    case ImmKind::Mem16:
    case ImmKind::MemLane1:
    case ImmKind::MemLane2:
    case ImmKind::MemLane4:
    case ImmKind::MemLane8:
      // The address first: [i32] -> [t] (loads) or [i32 t] -> [] / [i32 v128] -> [v128].
      return info.p1 == SigType::I32 && info.p3 == SigType::None ? MemoryAccess : nullptr;
    default:
      return nullptr;
  }
}

class SingleGenerator : public Generator {
 public:
  explicit SingleGenerator(const GeneratorOptions& options) : simd_(options.simd) {
    std::string missing;
    for (int i = 0; i < wasm::kNumOps; ++i) {
      const Op op = static_cast<Op>(i);
      const OpInfo& info = wasm::GetOpInfo(op);
      if (info.prefix == 0xfd && !simd_) continue;
      // Structure, not instructions on their own (the templates use them).
      if (op == Op::Block || op == Op::Loop || op == Op::If || op == Op::Else || op == Op::End)
        continue;
      if (Template t = TemplateFor(op)) {
        list_.push_back({op, t});
      } else {
        missing += missing.empty() ? "" : ", ";
        missing += info.name;
      }
    }
    if (!missing.empty()) {
      std::string message = "single generator: no template for ";
      message += missing;
      throw std::logic_error(message);
    }
  }

  std::string_view name() const override { return "single"; }

  Generated Generate(uint64_t seed, uint64_t index) override {
    const auto& [op, make] = list_[index % list_.size()];
    Rng rng(seed, "single", index);
    Gen g(op, index / list_.size(), rng, simd_);
    make(g);
    Generated out;
    out.bytes = g.mb.Build();
    out.what = g.What();
    g.script.description = out.what;
    out.script = std::move(g.script);
    return out;
  }

 private:
  bool simd_;
  std::vector<std::pair<Op, Template>> list_;
};

}  // namespace

std::unique_ptr<Generator> MakeSingleGenerator(const GeneratorOptions& options) {
  return std::make_unique<SingleGenerator>(options);
}

}  // namespace tandem::diff::gen
