// mutants.cc: the table of the verifier's bounds-check mutants (mutants.h).
#include "jit/mutants.h"

namespace tandem::jit {

namespace {

// Every hole is shown on corpus/verifier-mutants/access.wat, a one-page memory (65536 bytes)
// with one function per access kind; the script names the call. Beyond the committed page the
// memory's reservation is inaccessible (and so is the host address of no-arena-base), so the
// access that leaves the memory stops the run instead of returning: x64 code, run natively,
// dies on SIGSEGV; a64 code, run under Unicorn, stops the emulator on an unmapped address,
// which the engine reports as an internal error naming the address.
#define X64(suffix, id, what)                                                                 \
  {                                                                                           \
    "mutant-x64-" suffix, id, "x64", what, "access.wat", "mutant-x64-" suffix ".script.json", \
        "crash", true                                                                         \
  }
#define A64(suffix, id, what)                                                                 \
  {                                                                                           \
    "mutant-a64-" suffix, id, "a64", what, "access.wat", "mutant-a64-" suffix ".script.json", \
        "internal error", true                                                                \
  }

constexpr BoundsMutantInfo kMutants[] = {
    X64("drop-check", kMutantX64DropCheck, "no bounds check at all, for every access size"),
    X64("first-byte-only", kMutantX64FirstByteOnly,
        "compares ea + 1 instead of ea + size: only the first byte is checked"),
    X64("off-by-one", kMutantX64OffByOne,
        "compares ea + size - 1: an access may end one byte past the memory"),
    X64("size-not-added", kMutantX64SizeNotAdded,
        "compares ea itself with the size (ja): an access may start at the size"),
    X64("compare-32", kMutantX64Compare32,
        "compares the low 32 bits of ea + size with the low 32 bits of the size"),
    X64("compare-32-signed", kMutantX64Compare32Signed,
        "compares in 32 bits and branches on signed greater (jg): an ea of 2^31 or more passes"),
    X64("sum-32", kMutantX64Sum32,
        "computes ea + size in 32 bits (lea r10d), so it wraps below 2^32"),
    X64("trap-below", kMutantX64TrapBelow,
        "traps when ea + size is below the size (jb instead of ja): the condition inverted"),
    X64("trap-equal", kMutantX64TrapEqual,
        "traps only when ea + size equals the size (je instead of ja)"),
    X64("swapped-operands", kMutantX64SwappedOperands,
        "compares the size with ea + size (cmp [size], r10; ja): the operands swapped"),
    X64("index-sign-extended", kMutantX64IndexSignExtended,
        "sign-extends the i32 index (movsxd): a negative index wraps ea + size to a small value "
        "and the access reaches below the memory"),
    X64("offset-after-check", kMutantX64OffsetAfterCheck,
        "checks zext(index) + size and adds the static offset only after the check"),
    X64("check-after-access", kMutantX64CheckAfterAccess,
        "emits the check after the access: the access happens before the trap"),
    X64("checks-reserved", kMutantX64ChecksReserved,
        "compares with the memory's reservation (reserved_bytes) instead of its current size"),
    X64("checks-max", kMutantX64ChecksMax,
        "compares with the memory's maximum (max_bytes) instead of its current size"),
    X64("checks-4gib", kMutantX64Checks4GiB,
        "checks ea + size against 2^32 (the most a 32-bit memory can hold), a constant, instead "
        "of the current size"),
    X64("narrow-check", kMutantX64NarrowCheck,
        "checks an 8-byte access as 4 bytes wide (and a 16-byte vector access as 8)"),
    X64("displacement-plus-one", kMutantX64DisplacementPlusOne,
        "the access's displacement is the data offset + 1: every access is one byte further "
        "than checked"),
    X64("wrong-index-register", kMutantX64WrongIndexRegister,
        "the access indexes with r10 (ea + size, left by the check) instead of r11 (ea)"),
    X64("no-arena-base", kMutantX64NoArenaBase,
        "the access has no arena base register: it goes to the absolute address data + ea"),
    X64("stores-unchecked", kMutantX64StoresUnchecked, "stores have no bounds check"),
    X64("loads-unchecked", kMutantX64LoadsUnchecked, "loads have no bounds check"),
    X64("branch-to-fallthrough", kMutantX64BranchToFallthrough,
        "the check's branch goes to the next instruction instead of the trap"),
    {"mutant-x64-side-table-lie", kMutantX64SideTableLie, "x64",
     "the code is correct, but each bounds record names the wrong instruction and size (the "
     "verifier never reads them: its result must not change)",
     "access.wat", "mutant-x64-side-table-lie.script.json", "no hole", false},

    A64("drop-check", kMutantA64DropCheck, "no bounds check at all, for every access size"),
    A64("first-byte-only", kMutantA64FirstByteOnly,
        "requires limit - ea >= 1 instead of >= size: only the first byte is checked"),
    A64("off-by-one", kMutantA64OffByOne,
        "requires limit - ea >= size - 1: an access may end one byte past the memory"),
    A64("no-borrow-check", kMutantA64NoBorrowCheck,
        "drops the b.lo after subs: an ea above the limit wraps limit - ea to a large value"),
    A64("no-size-check", kMutantA64NoSizeCheck,
        "drops the comparison of limit - ea with the size: an access may start at the size"),
    A64("compare-32", kMutantA64Compare32,
        "subtracts and compares in 32 bits (w registers): an ea of 2^32 or more looks small"),
    A64("compare-32-signed", kMutantA64Compare32Signed,
        "subtracts in 32 bits and branches on signed less (b.lt): an index of 2^31 or more "
        "passes"),
    A64("carry-lost", kMutantA64CarryLost,
        "subtracts only the low 32 bits of ea (uxtw): the carry of index + offset is lost in "
        "the check but not in the access"),
    A64("inverted-borrow-branch", kMutantA64InvertedBorrowBranch,
        "traps on hs instead of lo after subs: the borrow test inverted"),
    A64("size-branch-equal", kMutantA64SizeBranchEqual,
        "traps only when limit - ea equals the size (b.eq instead of b.lo)"),
    A64("swapped-subtract", kMutantA64SwappedSubtract,
        "computes ea - limit instead of limit - ea: the operands swapped"),
    A64("offset-after-check", kMutantA64OffsetAfterCheck,
        "checks zext(index) and adds the static offset only after the check"),
    A64("check-after-access", kMutantA64CheckAfterAccess,
        "emits the check after the access: the access happens before the trap"),
    A64("checks-reserved", kMutantA64ChecksReserved,
        "compares with the memory's reservation (reserved_bytes) instead of its current size"),
    A64("checks-max", kMutantA64ChecksMax,
        "compares with the memory's maximum (max_bytes) instead of its current size"),
    A64("checks-4gib", kMutantA64Checks4GiB,
        "checks ea + size against 2^32 (the most a 32-bit memory can hold), a constant, instead "
        "of the current size"),
    A64("narrow-check", kMutantA64NarrowCheck, "checks an 8-byte access as 4 bytes wide"),
    A64("displacement-plus-one", kMutantA64DisplacementPlusOne,
        "the access adds the data offset + 1: every access is one byte further than checked"),
    A64("wrong-index-register", kMutantA64WrongIndexRegister,
        "the access indexes with x17 (limit - ea, left by the check) instead of x16 (ea)"),
    A64("no-arena-base", kMutantA64NoArenaBase,
        "the access has no arena base register: it goes to the absolute address data + ea"),
    A64("stores-unchecked", kMutantA64StoresUnchecked, "stores have no bounds check"),
    A64("loads-unchecked", kMutantA64LoadsUnchecked, "loads have no bounds check"),
    A64("branch-to-fallthrough", kMutantA64BranchToFallthrough,
        "both of the check's branches go to the next instruction instead of the trap"),
    {"mutant-a64-side-table-lie", kMutantA64SideTableLie, "a64",
     "the code is correct, but each bounds record names the wrong instruction and size (the "
     "verifier never reads them: its result must not change)",
     "access.wat", "mutant-a64-side-table-lie.script.json", "no hole", false},
};

#undef X64
#undef A64

}  // namespace

std::span<const BoundsMutantInfo> BoundsMutants() { return kMutants; }

const BoundsMutantInfo* FindBoundsMutant(std::string_view name) {
  for (const BoundsMutantInfo& m : kMutants)
    if (name == m.name) return &m;
  return nullptr;
}

const BoundsMutantInfo* BoundsMutantById(uint32_t id) {
  for (const BoundsMutantInfo& m : kMutants)
    if (id == m.id) return &m;
  return nullptr;
}

bool BoundsMutantOf(uint32_t id, std::string_view back_end) {
  const BoundsMutantInfo* m = BoundsMutantById(id);
  return m && back_end == m->back_end;
}

}  // namespace tandem::jit
