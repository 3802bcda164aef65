// mutants.h: the verifier's bounds-check mutants (DESIGN.md "Verifier"; docs/verifier.md
// "Mutants"). Each makes one back end's bounds primitives (MasmX64 / MasmA64 "Bounds
// primitives") emit a check with a real hole: some access can then reach outside
// [data, data + size - access size] of its linear memory. The verifier must reject every one.
// They are kept apart from the fault catalogue (jit/faults.h): the fuzzer's self-tests look for
// wrong results, these look for unsound checks, and `tandem fuzz --list-faults` does not list
// them. One is active at a time: CompileOptions::bounds_mutant / JitConfig::bounds_mutant hold
// its id (0 = none), set only through `--seed-fault NAME`.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace tandem::jit {

// Ids of CompileOptions::bounds_mutant. mutants.cc describes each; the masm that owns the id
// emits it, the other back end ignores it.
enum BoundsMutant : uint32_t {
  kMutantNone = 0,
  // x64 (MasmX64): the check is `lea r10, [r11 + size]; cmp r10, [size_bytes]; ja oob`.
  kMutantX64DropCheck = 1,
  kMutantX64FirstByteOnly,
  kMutantX64OffByOne,
  kMutantX64SizeNotAdded,
  kMutantX64Compare32,
  kMutantX64Compare32Signed,
  kMutantX64Sum32,
  kMutantX64TrapBelow,
  kMutantX64TrapEqual,
  kMutantX64SwappedOperands,
  kMutantX64IndexSignExtended,
  kMutantX64OffsetAfterCheck,
  kMutantX64CheckAfterAccess,
  kMutantX64ChecksReserved,
  kMutantX64ChecksMax,
  kMutantX64Checks4GiB,
  kMutantX64NarrowCheck,
  kMutantX64DisplacementPlusOne,
  kMutantX64WrongIndexRegister,
  kMutantX64NoArenaBase,
  kMutantX64StoresUnchecked,
  kMutantX64LoadsUnchecked,
  kMutantX64BranchToFallthrough,
  kMutantX64SideTableLie,
  // a64 (MasmA64): the check is `ldr x17, [x28, size_bytes]; subs x17, x17, x16; b.lo oob;
  // cmp x17, #size; b.lo oob`.
  kMutantA64DropCheck = 101,
  kMutantA64FirstByteOnly,
  kMutantA64OffByOne,
  kMutantA64NoBorrowCheck,
  kMutantA64NoSizeCheck,
  kMutantA64Compare32,
  kMutantA64Compare32Signed,
  kMutantA64CarryLost,
  kMutantA64InvertedBorrowBranch,
  kMutantA64SizeBranchEqual,
  kMutantA64SwappedSubtract,
  kMutantA64OffsetAfterCheck,
  kMutantA64CheckAfterAccess,
  kMutantA64ChecksReserved,
  kMutantA64ChecksMax,
  kMutantA64Checks4GiB,
  kMutantA64NarrowCheck,
  kMutantA64DisplacementPlusOne,
  kMutantA64WrongIndexRegister,
  kMutantA64NoArenaBase,
  kMutantA64StoresUnchecked,
  kMutantA64LoadsUnchecked,
  kMutantA64BranchToFallthrough,
  kMutantA64SideTableLie,
};

struct BoundsMutantInfo {
  const char* name;      // what --seed-fault takes: "mutant-BACKEND-..."
  uint32_t id;           // BoundsMutant
  const char* back_end;  // "x64" or "a64"
  const char* what;      // the hole, one line
  // The input that shows the hole, in corpus/verifier-mutants/: a module and a call script
  // (tandem diff FILE --script SCRIPT --engines ref,BACKEND --seed-fault NAME finds a
  // divergence; without the mutant the engines agree).
  const char* module;
  const char* script;
  // How the run with the mutant shows the out-of-bounds access on an x86-64 host: "crash" (the
  // process dies on the access: x64 code runs natively) or "internal error" (Unicorn stops on
  // the unmapped address and the a64 engine reports it); "no hole" for the side-table lie.
  const char* shows;
  // False for the side-table lie: its code is correct and only the side table is wrong, so the
  // verifier's result must not change.
  bool hole;
};

// Every mutant, x64 first, in a stable order.
std::span<const BoundsMutantInfo> BoundsMutants();
// The mutant named `name`, or nullptr.
const BoundsMutantInfo* FindBoundsMutant(std::string_view name);
// The mutant with id `id`, or nullptr (also for kMutantNone).
const BoundsMutantInfo* BoundsMutantById(uint32_t id);
// Whether `id` is a mutant of `back_end` ("x64" or "a64").
bool BoundsMutantOf(uint32_t id, std::string_view back_end);

}  // namespace tandem::jit
