// bounds.h: the one emitter of linear-memory bounds checks and accesses, and its side table
// (docs/jit.md "Linear memory accesses"; STYLE.md 6; DESIGN.md "Traps").
//
// WARNING. Every load from and store to a wasm linear memory that generated code performs MUST be
// emitted by EmitMemoryAccess below, on every back end, and nowhere else. This function is the
// only thing standing between untrusted wasm and the rest of the process: it computes the
// effective address in 64 bits (zext(index) + offset cannot wrap), compares `ea + size` with the
// memory's current size (read from its arena descriptor on every access, since memory.grow
// changes it) and branches to the out-of-bounds trap before a single byte is touched (a trapping
// store writes nothing). It also records each access (code offset, size, memory, load/store) in
// the side table that the verifier and the code tests read: an access that bypasses this file is
// an access the verifier cannot see and will reject. Do not hand-roll an access elsewhere, not
// even "just for a constant address"; add what you need here.
#pragma once

#include <cstdint>
#include <vector>

#include "jit/compiler.h"
#include "reference/opcodes.h"

namespace tandem::jit {

// A register as the shared compiler names it: a hardware code and its class.
struct Reg {
  uint8_t code = 0;
  bool fp = false;
  bool operator==(const Reg&) const = default;
};

// One access to emit: `value` is the loaded result (loads) or the stored operand (stores).
struct MemAccess {
  wasm::Op op;  // a load or store opcode
  Reg index;    // the i32 address operand
  Reg value;
  uint64_t offset;       // memarg offset
  uint32_t memory;       // module memory index
  uint32_t wasm_offset;  // of the instruction, for the record
  uint32_t desc_offset;  // MemoryDesc offset in the arena
  uint64_t data_offset;  // its data's arena offset (fixed forever)
  uint8_t lane = 0;      // a vector lane load's or store's lane
};

// Access size in bytes and direction of a load/store opcode (0 when `op` is neither).
uint32_t AccessSize(wasm::Op op);
bool IsStore(wasm::Op op);

// Emits the check and the access through the macro-assembler's bounds primitives and appends
// the access's record to *records (and a kBoundsCheck note to *notes). Masm provides:
//   void BoundsEffectiveAddress(Reg index, uint64_t offset);    // scratch ea = zext(index)+off
//   void BoundsCheck(wasm::Op op, uint32_t size_field, Label& oob);  // ea+size > [field]?
//   uint32_t BoundsAccess(wasm::Op op, Reg value, uint64_t data_offset, uint8_t lane);  // offset of access
//   Label& TrapLabel(wasm::TrapKind);  size_t Offset();  uint32_t bounds_mutant();
// (The verifier's bounds mutants, jit/mutants.h, weaken these primitives on purpose.)
template <class Masm>
void EmitMemoryAccess(Masm& masm, const MemAccess& a, std::vector<BoundsRecord>* records,
                      std::vector<CodeNote>* notes);

}  // namespace tandem::jit
