// code_verify.h: `tandem spec --verify` and `tandem fuzz --verify` (DESIGN.md "Verifier";
// docs/verifier.md): the verifier of jit/verify/ over the code a JIT engine has compiled.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diff/engine.h"
#include "jit/verify/verify.h"
#include "reference/module.h"

namespace tandem::diff {

// Why the code of `engine` cannot be verified, or "" when it can: it is no JIT engine, or the
// verifier does not cover its back end yet. The verifier itself is asked (on an empty store of
// that back end), so that a back end is accepted the day the verifier covers it.
std::string VerifierUnavailable(std::string_view engine);

// One compiled function of a JIT engine's store and what the verifier made of it.
struct VerifiedFunction {
  uint32_t instance = 0;    // the store's instance that holds it
  uint32_t func_index = 0;  // in its module
  jit::verify::FunctionResult result;
};

// Verifies the functions `engine` has compiled from entry `*first` of its store's code list on
// (entries before it were verified already), each once, the proofs through `cache`; then sets
// *first past them. Each function as jit::verify::VerifyStore gives it to VerifyFunction (the
// code as it runs, linked; the store's facts as they are now: a store never moves what
// compiled code reaches). nullopt when `engine` is no JIT engine. Check VerifierUnavailable
// first. Give each back end a cache of its own: a proof's key is made of instruction bytes,
// not of the architecture that reads them.
std::optional<std::vector<VerifiedFunction>> VerifyNewCode(Engine& engine, size_t* first,
                                                           jit::verify::ProofCache* cache);

// A function's accesses not proved, one a line, then its listing, as `tandem verify` prints
// them: "  failed at 0x005b `mov dword ptr [...], edi` (memory 0): can leave memory 0: ...".
std::string FormatProblems(const jit::verify::FunctionResult& f);

// The codegen faults and the bounds mutant (at most one) a --seed-fault list names for the
// verifier's back ends ("bounds-off-by-one,mutant-x64-drop-check"). Throws
// std::invalid_argument for a name that is neither, or a second mutant.
struct VerifyFaults {
  uint64_t codegen = 0;  // jit::CodegenFaultInfo bits
  uint32_t mutant = 0;   // jit::BoundsMutantInfo id, 0 for none
};
VerifyFaults ParseVerifyFaults(const std::string& list);

// The module compiled by one back end ("x64", "a64") with `faults`, alone (its imports stood
// in for), and verified: what `tandem verify` does. nullopt (with *why) when the module is not
// instantiated (refused, or unsupported by the back end).
std::optional<std::vector<jit::verify::FunctionResult>> VerifyModule(
    std::shared_ptr<const wasm::Module> module, const std::string& engine, const VerifyFaults& faults,
    std::string* why);

// A region as one word of a finding's signature ("x64:verify:memory-0"): the name without
// its parenthesised note, spaces as '-'; "no-region" for an access in none.
std::string RegionWord(std::string_view region);

}  // namespace tandem::diff
