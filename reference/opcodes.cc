// opcodes.cc: the opcode facts table and binary lookups, expanded from opcodes.def.
#include "reference/opcodes.h"

#include <array>

namespace tandem::wasm {
namespace {

constexpr SigType __ = SigType::None;
constexpr SigType Sp = SigType::Special;
constexpr SigType I32 = SigType::I32;
constexpr SigType I64 = SigType::I64;
constexpr SigType F32 = SigType::F32;
constexpr SigType F64 = SigType::F64;
constexpr SigType V128 = SigType::V128;

constexpr OpInfo kOpInfo[] = {
#define V(Name, prefix, code, text, Imm, R, P1, P2, P3) \
  {text, prefix, code, ImmKind::Imm, R, P1, P2, P3},
#include "reference/opcodes.def"
#undef V
};
static_assert(sizeof(kOpInfo) / sizeof(kOpInfo[0]) == kNumOps);

constexpr uint16_t kNoOp = 0xffff;

struct Tables {
  std::array<uint16_t, 256> single;
  std::array<uint16_t, 32> fc;
  std::array<uint16_t, 256> fd;
  constexpr Tables() : single(), fc(), fd() {
    for (auto& s : single) s = kNoOp;
    for (auto& s : fc) s = kNoOp;
    for (auto& s : fd) s = kNoOp;
    for (int i = 0; i < kNumOps; ++i) {
      if (kOpInfo[i].prefix == 0) single[kOpInfo[i].code] = static_cast<uint16_t>(i);
      else if (kOpInfo[i].prefix == 0xfc) fc[kOpInfo[i].code] = static_cast<uint16_t>(i);
      else if (kOpInfo[i].prefix == 0xfd) fd[kOpInfo[i].code] = static_cast<uint16_t>(i);
    }
  }
};
constexpr Tables kTables;

}  // namespace

const OpInfo& GetOpInfo(Op op) { return kOpInfo[static_cast<int>(op)]; }

bool LookupOp(uint8_t byte, Op* out) {
  uint16_t v = kTables.single[byte];
  if (v == kNoOp) return false;
  *out = static_cast<Op>(v);
  return true;
}

bool LookupPrefixedOp(uint8_t prefix, uint32_t code, Op* out) {
  uint16_t v;
  if (prefix == 0xfc && code < kTables.fc.size()) v = kTables.fc[code];
  else if (prefix == 0xfd && code < kTables.fd.size()) v = kTables.fd[code];
  else return false;
  if (v == kNoOp) return false;
  *out = static_cast<Op>(v);
  return true;
}

}  // namespace tandem::wasm
