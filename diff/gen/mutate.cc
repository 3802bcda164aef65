// mutate.cc: the `mutate` generator (generator.h): modules of the spec test suite (their
// wast2json output, LoadSeedModules) mutated at the instruction level. Each case takes one seed
// module and makes 1 to 4 edits in its function bodies: an immediate changed (a constant to an
// edge value, a memarg offset or alignment, a local, global, function, lane or label index), an
// opcode replaced by another with the same immediates and stack signature, two adjacent
// instructions swapped, one duplicated or one dropped. Block structure (block, loop, if, else,
// end) is never touched. Most edits keep the module valid (the index changes pick one of the
// same type, drops and duplicates prefer instructions of type [t] -> [t]); the fuzz loop
// validates every mutant and counts the invalid ones. With byte_edits (the validation
// differential), half of the mutants also get edits of their bytes, which make most malformed.
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "diff/gen/generator.h"
#include "reference/decoder.h"
#include "reference/encoder.h"
#include "reference/module.h"
#include "reference/opcodes.h"

namespace tandem::diff::gen {

namespace {

using wasm::FunctionBody;
using wasm::ImmKind;
using wasm::Instr;
using wasm::Module;
using wasm::Op;
using wasm::OpInfo;
using wasm::SigType;
using wasm::ValType;

// clang-format off
// Edge values of each constant type: the limits, their neighbours, shift counts, page sizes.
constexpr auto kI32Edges = std::to_array<uint32_t>({
    0,          1,          2,          0xffffffff, 0xfffffffe, 0x80000000, 0x7fffffff,
    0x80000001, 7,          8,          15,         16,         31,         32,
    33,         63,         64,         0x7f,       0x80,       0xff,       0x100,
    0xffff,     0x10000,    0xfffc,     0x40000000, 0xfffffff0});
constexpr auto kI64Edges = std::to_array<uint64_t>({
    0, 1, 2, ~uint64_t{0}, 0x8000000000000000ull, 0x7fffffffffffffffull, 0x8000000000000001ull,
    31, 32, 63, 64, 65, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
    0xffffffff80000000ull, 0xffffffff7fffffffull, 0x00000001ffffffffull, 0xff, 0xffff, 0x10000,
    0xfffffffffffffff0ull, 0x4000000000000000ull});
// f32 bits: +-0, +-inf, NaNs (canonical, negative, arithmetic with a payload, signalling, all
// ones), subnormals, the smallest and largest normals, +-1, 0.5 and the rounding ties, and the
// integer limits the truncations trap at.
constexpr auto kF32Edges = std::to_array<uint32_t>({
    0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fc00001,
    0x7fa00000, 0x7f800001, 0x7fffffff, 0x00000001, 0x80000001, 0x007fffff, 0x00800000,
    0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, 0x3f000000, 0xbf000000, 0x3fc00000,
    0x40200000, 0x4f000000, 0xcf000000, 0x4effffff, 0xcf000001, 0x4f800000, 0x4f7fffff,
    0x5f000000, 0xdf000000, 0x5f800000, 0x4b000000});
constexpr auto kF64Edges = std::to_array<uint64_t>({
    0x0000000000000000ull, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff8000000000001ull, 0x7ff4000000000000ull,
    0x7ff0000000000001ull, 0x7fffffffffffffffull, 0x0000000000000001ull, 0x8000000000000001ull,
    0x000fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull, 0x3ff0000000000000ull,
    0xbff0000000000000ull, 0x3fe0000000000000ull, 0xbfe0000000000000ull, 0x3fdfffffffffffffull,
    0x41e0000000000000ull, 0xc1e0000000000000ull, 0x41dfffffffc00000ull, 0xc1e0000000200000ull,
    0x41f0000000000000ull, 0x41efffffffe00000ull, 0x43e0000000000000ull, 0xc3e0000000000000ull,
    0x43f0000000000000ull, 0x43efffffffffffffull, 0x4330000000000000ull, 0x4340000000000000ull});
// clang-format on

template <class T, size_t N>
T PickEdge(Rng& rng, const std::array<T, N>& edges) {
  return edges[rng.Below(N)];
}

bool IsStructural(Op op) {
  return op == Op::Block || op == Op::Loop || op == Op::If || op == Op::Else || op == Op::End;
}

// Opcodes may replace each other when their immediates mean the same: the same ImmKind, except
// that memargs of every access size form one class (the alignment is clamped to the new natural
// alignment), and so do the lane memargs (alignment and lane index clamped).
int ImmClass(ImmKind k) {
  if (wasm::MemAccessSize(k) != 0) return -1;
  if (wasm::MemLaneSize(k) != 0) return -2;
  return static_cast<int>(k);
}

uint32_t Log2(uint32_t n) {
  uint32_t r = 0;
  while ((uint32_t{1} << r) < n) ++r;
  return r;
}

// Number of lanes of a vector instruction's shape, read from its mnemonic ("i16x8.…" -> 8).
uint32_t LaneCount(Op op) {
  std::string_view name = wasm::OpName(op);
  size_t x = name.find('x');
  uint32_t n = 0;
  if (x == std::string_view::npos) return 16;
  for (size_t i = x + 1; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i)
    n = n * 10 + static_cast<uint32_t>(name[i] - '0');
  return n == 0 ? 16 : n;
}

// Fits the immediates of `in` (whose opcode was just replaced) to its new opcode.
void FitImmediates(Instr& in) {
  const ImmKind k = wasm::GetOpInfo(in.op).imm;
  if (uint32_t size = wasm::MemAccessSize(k); size != 0) {
    in.a = std::min(in.a, Log2(size));
  } else if (uint32_t lane = wasm::MemLaneSize(k); lane != 0) {
    in.a = std::min(in.a, Log2(lane));
    in.lane = static_cast<uint8_t>(in.lane % (16 / lane));
  } else if (k == ImmKind::LaneIdx) {
    in.lane = static_cast<uint8_t>(in.lane % LaneCount(in.op));
  }
}

// For every opcode, the others it may be replaced by: same immediate class and the same stack
// signature [P1 P2 P3] -> [R] in opcodes.def. Opcodes with a special validation rule, and the
// structural ones, have none. Vector opcodes only with `simd`.
std::vector<std::vector<Op>> ReplacementGroups(bool simd) {
  auto eligible = [simd](const OpInfo& i, Op op) {
    if (IsStructural(op) || (!simd && i.prefix == 0xfd)) return false;
    for (SigType s : {i.result, i.p1, i.p2, i.p3})
      if (s == SigType::Special) return false;
    return true;
  };
  std::vector<std::vector<Op>> groups(wasm::kNumOps);
  for (int a = 0; a < wasm::kNumOps; ++a) {
    const Op op_a = static_cast<Op>(a);
    const OpInfo& ia = wasm::GetOpInfo(op_a);
    if (!eligible(ia, op_a)) continue;
    for (int b = 0; b < wasm::kNumOps; ++b) {
      const Op op_b = static_cast<Op>(b);
      const OpInfo& ib = wasm::GetOpInfo(op_b);
      if (a == b || !eligible(ib, op_b)) continue;
      if (ImmClass(ia.imm) == ImmClass(ib.imm) && ia.result == ib.result && ia.p1 == ib.p1 &&
          ia.p2 == ib.p2 && ia.p3 == ib.p3)
        groups[a].push_back(op_b);
    }
  }
  return groups;
}

// [t] -> [t] and [] -> [] instructions: duplicating or dropping one keeps the operand stack's
// shape.
bool IsStackNeutral(Op op) {
  if (op == Op::Nop || op == Op::LocalTee) return true;
  const OpInfo& i = wasm::GetOpInfo(op);
  if (i.result == SigType::Special) return false;
  return i.result == i.p1 && i.p2 == SigType::None;
}

enum class EditKind : uint8_t { kImmediate, kReplace, kSwap, kDuplicate, kDrop };

// Weights favour the edits that keep the module valid.
EditKind PickKind(Rng& rng) {
  const uint64_t r = rng.Below(100);
  if (r < 45) return EditKind::kImmediate;
  if (r < 75) return EditKind::kReplace;
  if (r < 83) return EditKind::kSwap;
  if (r < 91) return EditKind::kDuplicate;
  return EditKind::kDrop;
}

bool HasMutableImmediate(Op op) {
  switch (op) {
    case Op::I32Const:
    case Op::I64Const:
    case Op::F32Const:
    case Op::F64Const:
    case Op::LocalGet:
    case Op::LocalSet:
    case Op::LocalTee:
    case Op::GlobalGet:
    case Op::GlobalSet:
    case Op::Br:
    case Op::BrIf:
    case Op::BrTable:
    case Op::Call:
      return true;
    default: {
      const ImmKind k = wasm::GetOpInfo(op).imm;
      return wasm::MemAccessSize(k) != 0 || wasm::MemLaneSize(k) != 0 || k == ImmKind::LaneIdx;
    }
  }
}

// One case's edits on its copy of the seed module.
class Mutator {
 public:
  Mutator(Module& m, const std::vector<std::vector<Op>>& groups, Rng& rng)
      : m_(m), groups_(groups), rng_(rng) {}

  // Makes one edit and says what it did ("" when none could be made).
  std::string Edit() {
    for (int round = 0; round < 4; ++round) {
      const EditKind kind = PickKind(rng_);
      // Duplicates and drops: mostly of [t] -> [t] instructions, which keep the module valid.
      const bool neutral_only = !rng_.Chance(4);
      for (int attempt = 0; attempt < 8; ++attempt) {
        const size_t f = rng_.Below(m_.code.size());
        const std::vector<size_t> candidates = Candidates(kind, neutral_only, m_.code[f]);
        if (candidates.empty()) continue;
        const size_t at = rng_.Pick(candidates);
        std::string what = Apply(kind, f, at);
        if (what.empty()) continue;
        what += fmt::format(" in function {} at {}", m_.num_imported_funcs + f, at);
        return what;
      }
    }
    return "";
  }

 private:
  std::vector<size_t> Candidates(EditKind kind, bool neutral_only, const FunctionBody& body) {
    const std::vector<Instr>& code = body.code;
    std::vector<size_t> out;
    switch (kind) {
      case EditKind::kImmediate:
        for (size_t i = 0; i < code.size(); ++i)
          if (HasMutableImmediate(code[i].op)) out.push_back(i);
        break;
      case EditKind::kReplace:
        for (size_t i = 0; i < code.size(); ++i)
          if (!groups_[static_cast<size_t>(code[i].op)].empty()) out.push_back(i);
        break;
      case EditKind::kSwap:
        for (size_t i = 0; i + 1 < code.size(); ++i) {
          const Instr& x = code[i];
          const Instr& y = code[i + 1];
          if (IsStructural(x.op) || IsStructural(y.op)) continue;
          if (x.op == y.op && x.a == y.a && x.b == y.b && x.c == y.c && x.lane == y.lane) continue;
          out.push_back(i);
        }
        break;
      case EditKind::kDuplicate:
      case EditKind::kDrop:
        for (size_t i = 0; i < code.size(); ++i)
          if (!IsStructural(code[i].op) && (!neutral_only || IsStackNeutral(code[i].op)))
            out.push_back(i);
        break;
    }
    return out;
  }

  std::string Apply(EditKind kind, size_t f, size_t at) {
    std::vector<Instr>& code = m_.code[f].code;
    switch (kind) {
      case EditKind::kImmediate:
        return ChangeImmediate(f, at);
      case EditKind::kReplace: {
        Instr& in = code[at];
        const Op old = in.op;
        in.op = rng_.Pick(groups_[static_cast<size_t>(old)]);
        FitImmediates(in);
        return fmt::format("replace {} -> {}", wasm::OpName(old), wasm::OpName(in.op));
      }
      case EditKind::kSwap:
        std::swap(code[at], code[at + 1]);
        return fmt::format("swap {}, {}", wasm::OpName(code[at + 1].op), wasm::OpName(code[at].op));
      case EditKind::kDuplicate: {
        const Instr copy = code[at];
        code.insert(code.begin() + static_cast<std::ptrdiff_t>(at) + 1, copy);
        return fmt::format("duplicate {}", wasm::OpName(copy.op));
      }
      case EditKind::kDrop: {
        const Op op = code[at].op;
        code.erase(code.begin() + static_cast<std::ptrdiff_t>(at));
        return fmt::format("drop {}", wasm::OpName(op));
      }
    }
    return "";
  }

  std::string ChangeImmediate(size_t f, size_t at) {
    FunctionBody& body = m_.code[f];
    Instr& in = body.code[at];
    const char* name = wasm::OpName(in.op);
    const ImmKind k = wasm::GetOpInfo(in.op).imm;
    switch (k) {
      case ImmKind::I32Const: {
        const uint32_t old = static_cast<uint32_t>(in.c);
        const uint32_t v = NewI32(old);
        if (v == old) return "";
        in.c = v;
        return fmt::format("{} {:#x} -> {:#x}", name, old, v);
      }
      case ImmKind::I64Const: {
        const uint64_t old = in.c;
        const uint64_t v = NewI64(old);
        if (v == old) return "";
        in.c = v;
        return fmt::format("{} {:#x} -> {:#x}", name, old, v);
      }
      case ImmKind::F32Const: {
        const uint32_t old = static_cast<uint32_t>(in.c);
        const uint32_t v =
            rng_.Chance(4) ? static_cast<uint32_t>(rng_.Next()) : PickEdge(rng_, kF32Edges);
        if (v == old) return "";
        in.c = v;
        return fmt::format("{} bits {:#x} -> {:#x}", name, old, v);
      }
      case ImmKind::F64Const: {
        const uint64_t old = in.c;
        const uint64_t v = rng_.Chance(4) ? rng_.Next() : PickEdge(rng_, kF64Edges);
        if (v == old) return "";
        in.c = v;
        return fmt::format("{} bits {:#x} -> {:#x}", name, old, v);
      }
      case ImmKind::LocalIdx:
        return ChangeLocal(body, in);
      case ImmKind::GlobalIdx:
        return ChangeGlobal(in);
      case ImmKind::LabelIdx:
        return ChangeLabel(body, at);
      case ImmKind::BrTable:
        return ChangeBrTableTarget(body, at);
      case ImmKind::FuncIdx:
        return ChangeCallee(in);
      case ImmKind::LaneIdx: {
        const uint8_t old = in.lane;
        in.lane = static_cast<uint8_t>(rng_.Below(LaneCount(in.op)));
        if (in.lane == old) return "";
        return fmt::format("lane of {} {} -> {}", name, old, in.lane);
      }
      default:
        break;
    }
    const uint32_t size = std::max(wasm::MemAccessSize(k), wasm::MemLaneSize(k));
    if (size == 0) return "";
    const uint64_t r = rng_.Below(wasm::MemLaneSize(k) != 0 ? 8 : 6);
    if (r == 0) {  // the alignment, up to the natural one
      const uint32_t old = in.a;
      in.a = static_cast<uint32_t>(rng_.Below(Log2(size) + 1));
      if (in.a == old) return "";
      return fmt::format("alignment of {} 2^{} -> 2^{}", name, old, in.a);
    }
    if (r >= 6) {  // the lane of a lane access
      const uint8_t old = in.lane;
      in.lane = static_cast<uint8_t>(rng_.Below(16 / size));
      if (in.lane == old) return "";
      return fmt::format("lane of {} {} -> {}", name, old, in.lane);
    }
    const uint64_t old = in.c;
    const uint64_t v = NewOffset(old, size);
    if (v == old) return "";
    in.c = v;
    return fmt::format("offset of {} {:#x} -> {:#x}", name, old, v);
  }

  uint32_t NewI32(uint32_t old) {
    switch (rng_.Below(8)) {
      case 0:
        return static_cast<uint32_t>(rng_.Next());
      case 1:
        return static_cast<uint32_t>(rng_.Below(256));
      case 2:
        return old + (rng_.Chance(2) ? 1 : -1);
      case 3:
        return 0 - old;
      default:
        return PickEdge(rng_, kI32Edges);
    }
  }

  uint64_t NewI64(uint64_t old) {
    switch (rng_.Below(8)) {
      case 0:
        return rng_.Next();
      case 1:
        return rng_.Below(256);
      case 2:
        return old + (rng_.Chance(2) ? 1 : ~uint64_t{0});
      case 3:
        return 0 - old;
      default:
        return PickEdge(rng_, kI64Edges);
    }
  }

  // A memarg offset (u32) at the edges of the first page and of the address space.
  uint64_t NewOffset(uint64_t old, uint32_t size) {
    switch (rng_.Below(10)) {
      case 0:
        return 0;
      case 1:
        return 1 + rng_.Below(64);
      case 2:
        return 65535;
      case 3:
        return 65536 - size;
      case 4:
        return 65536 - size + 1;
      case 5:
        return 65536;
      case 6:
        return 0xffffffff;
      case 7:
        return 0x100000000ull - size;
      case 8:
        return (old + size) & 0xffffffff;
      default:
        return rng_.Next() & 0xffffffff;
    }
  }

  // Another local of the same type.
  std::string ChangeLocal(const FunctionBody& body, Instr& in) {
    struct Run {
      uint64_t first, count;
      ValType type;
    };
    std::vector<Run> runs;
    uint64_t next = 0;
    for (ValType t : m_.types[body.type_index].params) runs.push_back({next++, 1, t});
    for (const wasm::LocalDecl& d : body.locals) {
      if (d.count == 0) continue;
      runs.push_back({next, d.count, d.type});
      next += d.count;
    }
    const Run* own = nullptr;
    for (const Run& r : runs)
      if (in.a >= r.first && in.a < r.first + r.count) own = &r;
    if (own == nullptr) return "";
    uint64_t same = 0;
    for (const Run& r : runs)
      if (r.type == own->type) same += r.count;
    if (same < 2) return "";
    uint64_t pick = rng_.Below(same);
    uint32_t v = in.a;
    for (const Run& r : runs) {
      if (r.type != own->type) continue;
      if (pick < r.count) {
        v = static_cast<uint32_t>(r.first + pick);
        break;
      }
      pick -= r.count;
    }
    if (v == in.a) return "";
    const uint32_t old = in.a;
    in.a = v;
    return fmt::format("{} {} -> {}", wasm::OpName(in.op), old, v);
  }

  // Another global of the same type (a mutable one for global.set).
  std::string ChangeGlobal(Instr& in) {
    if (in.a >= m_.globals.size()) return "";
    const wasm::GlobalType own = m_.globals[in.a].type;
    std::vector<uint32_t> candidates;
    for (uint32_t g = 0; g < m_.globals.size(); ++g) {
      const wasm::GlobalType t = m_.globals[g].type;
      if (g == in.a || t.type != own.type || (in.op == Op::GlobalSet && !t.mut)) continue;
      candidates.push_back(g);
    }
    if (candidates.empty()) return "";
    const uint32_t old = in.a;
    in.a = rng_.Pick(candidates);
    return fmt::format("{} {} -> {}", wasm::OpName(in.op), old, in.a);
  }

  // Another function of the same type.
  std::string ChangeCallee(Instr& in) {
    if (in.op != Op::Call || in.a >= m_.func_types.size()) return "";
    const wasm::FuncType& own = m_.FuncTypeOf(in.a);
    std::vector<uint32_t> candidates;
    for (uint32_t f = 0; f < m_.func_types.size(); ++f)
      if (f != in.a && m_.FuncTypeOf(f) == own) candidates.push_back(f);
    if (candidates.empty()) return "";
    const uint32_t old = in.a;
    in.a = rng_.Pick(candidates);
    return fmt::format("call {} -> {}", old, in.a);
  }

  // The label types of the control frames open before instruction `at`, outermost (the
  // function's) first.
  std::vector<std::vector<ValType>> OpenLabels(const FunctionBody& body, size_t at) const {
    std::vector<std::vector<ValType>> labels{m_.types[body.type_index].results};
    for (size_t i = 0; i < at && i < body.code.size(); ++i) {
      const Instr& in = body.code[i];
      switch (in.op) {
        case Op::Block:
        case Op::Loop:
        case Op::If: {
          const wasm::BlockType bt = wasm::BlockType::FromImm(in.c);
          std::vector<ValType> types;
          if (bt.kind == wasm::BlockType::kValue) {
            if (in.op != Op::Loop) types.push_back(bt.value);
          } else if (bt.kind == wasm::BlockType::kIndex && bt.index < m_.types.size()) {
            const wasm::FuncType& ft = m_.types[bt.index];
            types = in.op == Op::Loop ? ft.params : ft.results;
          }
          labels.push_back(std::move(types));
          break;
        }
        case Op::End:
          if (labels.size() > 1) labels.pop_back();
          break;
        default:
          break;
      }
    }
    return labels;
  }

  // A label depth other than `depth` whose label has the same types (none: `depth`).
  uint32_t OtherDepth(const std::vector<std::vector<ValType>>& labels, uint32_t depth) {
    const size_t n = labels.size();
    if (depth >= n) return depth;
    const std::vector<ValType>& own = labels[n - 1 - depth];
    std::vector<uint32_t> candidates;
    for (uint32_t d = 0; d < n; ++d)
      if (d != depth && labels[n - 1 - d] == own) candidates.push_back(d);
    return candidates.empty() ? depth : rng_.Pick(candidates);
  }

  std::string ChangeLabel(FunctionBody& body, size_t at) {
    Instr& in = body.code[at];
    const uint32_t old = in.a;
    in.a = OtherDepth(OpenLabels(body, at), old);
    if (in.a == old) return "";
    return fmt::format("{} {} -> {}", wasm::OpName(in.op), old, in.a);
  }

  // One target of a br_table (or its default), changed in place in the pool.
  std::string ChangeBrTableTarget(FunctionBody& body, size_t at) {
    const Instr& in = body.code[at];
    if (uint64_t{in.a} + in.b + 1 > body.br_table_pool.size()) return "";
    const uint32_t k = static_cast<uint32_t>(rng_.Below(uint64_t{in.b} + 1));
    uint32_t& target = body.br_table_pool[in.a + k];
    const uint32_t old = target;
    target = OtherDepth(OpenLabels(body, at), old);
    if (target == old) return "";
    if (k == in.b) return fmt::format("br_table default {} -> {}", old, target);
    return fmt::format("br_table target {} {} -> {}", k, old, target);
  }

  Module& m_;
  const std::vector<std::vector<Op>>& groups_;
  Rng& rng_;
};

class MutateGenerator : public Generator {
 public:
  explicit MutateGenerator(const GeneratorOptions& options)
      : byte_edits_(options.byte_edits), groups_(ReplacementGroups(options.simd)) {
    if (options.seeds == nullptr || options.seeds->empty())
      throw std::invalid_argument("the mutate generator needs seed modules (LoadSeedModules)");
    const std::vector<std::vector<uint8_t>>& seeds = *options.seeds;
    for (size_t i = 0; i < seeds.size(); ++i) {
      Seed s;
      s.index = i;
      try {
        s.module = wasm::Decode(seeds[i]);
      } catch (const std::exception&) {
        continue;  // not a module: nothing to mutate
      }
      // Larger seeds weigh more (up to a point), and so do those whose functions the default
      // script calls: the suite has hundreds of one-constant modules that export nothing.
      uint64_t instructions = 0;
      for (const FunctionBody& b : s.module.code) instructions += b.code.size() - 1;
      if (instructions == 0) continue;
      uint64_t weight = std::min<uint64_t>(instructions, 64);
      for (const wasm::Export& e : s.module.exports)
        if (e.kind == wasm::ExternKind::Func) weight *= 2;
      total_weight_ += std::min<uint64_t>(weight, 256);
      cumulative_.push_back(total_weight_);
      seeds_.push_back(std::move(s));
    }
    if (seeds_.empty())
      throw std::invalid_argument("the mutate generator: no seed module has a function body");
  }

  std::string_view name() const override { return "mutate"; }

  Generated Generate(uint64_t seed, uint64_t index) override {
    Rng rng(seed, "mutate", index);
    // Mostly one edit: each more is a further chance to make the module invalid.
    const uint64_t r = rng.Below(100);
    const int count = r < 65 ? 1 : r < 85 ? 2 : r < 95 ? 3 : 4;
    for (int attempt = 0;; ++attempt) {
      const uint64_t w = rng.Below(total_weight_);
      const Seed& s = seeds_[static_cast<size_t>(
          std::upper_bound(cumulative_.begin(), cumulative_.end(), w) - cumulative_.begin())];
      Module m = s.module;
      Mutator mutator(m, groups_, rng);
      std::vector<std::string> edits;
      for (int i = 0; i < count; ++i) {
        std::string e = mutator.Edit();
        if (!e.empty()) edits.push_back(std::move(e));
      }
      if (edits.empty() && attempt < 8) continue;
      Generated g;
      g.bytes = wasm::Encode(m);
      g.what = fmt::format("mutant of seed {} ({} edit{}: ", s.index, edits.size(),
                           edits.size() == 1 ? "" : "s");
      for (size_t i = 0; i < edits.size(); ++i) {
        if (i > 0) g.what += "; ";
        g.what += edits[i];
      }
      g.what += ")";
      if (byte_edits_ && rng.Chance(2)) g.what += "; bytes: " + ByteEdits(g.bytes, rng);
      return g;
    }
  }

  // 1 to 4 edits of the binary itself (GeneratorOptions::byte_edits), which mostly make it
  // malformed: a byte overwritten (with an edge value: 0x00, 0x7f, 0x80, 0xff, or a random
  // one), inserted, deleted, or a short run duplicated. Bytes of the 8-byte header are kept
  // mostly, so that what follows is read.
  static std::string ByteEdits(std::vector<uint8_t>& b, Rng& rng) {
    static constexpr uint8_t kEdges[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x0b};
    const uint64_t n = 1 + rng.Below(4);
    std::string what;
    for (uint64_t i = 0; i < n && b.size() > 9; ++i) {
      const size_t at = rng.Chance(16) ? rng.Below(b.size()) : 8 + rng.Below(b.size() - 8);
      const uint8_t v = rng.Chance(2) ? kEdges[rng.Below(std::size(kEdges))]
                                      : static_cast<uint8_t>(rng.Below(256));
      if (!what.empty()) what += ", ";
      switch (rng.Below(4)) {
        case 0:
          what += fmt::format("byte {} {:02x}->{:02x}", at, b[at], v);
          b[at] = v;
          break;
        case 1:
          what += fmt::format("insert {:02x} at {}", v, at);
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), v);
          break;
        case 2:
          what += fmt::format("delete byte {}", at);
          b.erase(b.begin() + static_cast<std::ptrdiff_t>(at));
          break;
        default: {
          const size_t len = std::min<size_t>(1 + rng.Below(8), b.size() - at);
          what += fmt::format("repeat {} bytes at {}", len, at);
          std::vector<uint8_t> run(b.begin() + static_cast<std::ptrdiff_t>(at),
                                   b.begin() + static_cast<std::ptrdiff_t>(at + len));
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), run.begin(), run.end());
          break;
        }
      }
    }
    return what;
  }

 private:
  struct Seed {
    size_t index = 0;  // in GeneratorOptions::seeds
    Module module;
  };
  bool byte_edits_ = false;
  std::vector<std::vector<Op>> groups_;
  std::vector<Seed> seeds_;
  std::vector<uint64_t> cumulative_;  // the seeds' weights, summed up to each seed
  uint64_t total_weight_ = 0;
};

}  // namespace

std::unique_ptr<Generator> MakeMutateGenerator(const GeneratorOptions& options) {
  return std::make_unique<MutateGenerator>(options);
}

}  // namespace tandem::diff::gen
