// bounds.cc: the one emitter of linear-memory bounds checks and accesses (read bounds.h's
// warning first); docs/jit.md "Linear memory accesses".
#include "jit/bounds.h"

#include <cstddef>

#include "jit/arena.h"
#include "jit/mutants.h"
#include "jit/a64/masm_a64.h"
#include "jit/x64/masm_x64.h"

namespace tandem::jit {

using wasm::Op;

uint32_t AccessSize(Op op) {
  const wasm::OpInfo& info = wasm::GetOpInfo(op);
  return wasm::MemAccessSize(info.imm) + wasm::MemLaneSize(info.imm);
}

bool IsStore(Op op) {
  switch (op) {
    case Op::I32Store:
    case Op::I64Store:
    case Op::F32Store:
    case Op::F64Store:
    case Op::I32Store8:
    case Op::I32Store16:
    case Op::I64Store8:
    case Op::I64Store16:
    case Op::I64Store32:
    case Op::V128Store:
    case Op::V128Store8Lane:
    case Op::V128Store16Lane:
    case Op::V128Store32Lane:
    case Op::V128Store64Lane:
      return true;
    default:
      return false;
  }
}

template <class Masm>
void EmitMemoryAccess(Masm& masm, const MemAccess& a, std::vector<BoundsRecord>* records,
                      std::vector<CodeNote>* notes) {
  const uint32_t size = AccessSize(a.op);
  if (size == 0 || size > 16) throw UnsupportedFeature("bounds: not a memory access");
  const uint32_t start = static_cast<uint32_t>(masm.Offset());
  CodeNote note{CodeNote::kBoundsCheck,
                start,
                a.wasm_offset,
                wasm::TrapKind::Unreachable,
                {}};
  note.detail = "memory " + std::to_string(a.memory) + " size " + std::to_string(size);
  notes->push_back(std::move(note));
  // ea = zext(index) + offset: at most 2^32 - 1 + 2^32 - 1, no wraparound in 64 bits.
  masm.BoundsEffectiveAddress(a.index, a.offset);
  // ea + size > size_bytes: trap before touching memory.
  masm.BoundsCheck(a.op, a.desc_offset + static_cast<uint32_t>(offsetof(MemoryDesc, size_bytes)),
                   masm.TrapLabel(wasm::TrapKind::MemoryOutOfBounds));
  uint32_t at = masm.BoundsAccess(a.op, a.value, a.data_offset, a.lane);
  BoundsRecord record{at, a.wasm_offset, static_cast<uint8_t>(size),
                      static_cast<uint8_t>(a.memory), IsStore(a.op)};
  const uint32_t mutant = masm.bounds_mutant();
  if (mutant == kMutantX64SideTableLie || mutant == kMutantA64SideTableLie) {
    // The mutant whose code is right and whose record is not: it points at the start of the
    // bounds sequence and claims a one-byte access, so a checker that trusted the side table
    // would look at the wrong instruction.
    record.code_offset = start;
    record.size = 1;
  }
  records->push_back(record);
}

template void EmitMemoryAccess<x64::MasmX64>(x64::MasmX64&, const MemAccess&,
                                             std::vector<BoundsRecord>*, std::vector<CodeNote>*);
template void EmitMemoryAccess<a64::MasmA64>(a64::MasmA64&, const MemAccess&,
                                             std::vector<BoundsRecord>*, std::vector<CodeNote>*);

}  // namespace tandem::jit
