// signature.h: what makes two findings the same bug (DESIGN.md "Data flow": classification).
// A signature names the engines that differ, the kind of difference and the opcode at the first
// divergence (diff/locate.h): "a64:result:i32.lt_s", "x64:crash:call_indirect",
// "x64:trap-kind:i32.div_s". The fuzz loop groups its findings by signature, the reducer keeps
// a finding's signature while it shrinks the case, and `tandem diff --signature SIG` tells an
// external reducer whether a case still shows SIG.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "diff/harness.h"

namespace tandem::diff {

struct Signature {
  // The engines that differ, '+'-joined in the case's engine order. With three or more engines
  // the odd one out: when every other engine differs from the base, the base is named alone.
  std::string engines;
  // "result", "outcome", "trap-kind", "exhaustion", "log", "global", "memory", "table",
  // "segment", "layout", "instantiation", "arena-FIELD", "crash", "timeout", "internal-error",
  // "expectation".
  std::string kind;
  // The opcode at the first divergence ("i32.lt_s"); "?" when it could not be located.
  std::string op = "?";

  std::string ToString() const;  // "ENGINES:KIND:OP"
  bool operator==(const Signature&) const = default;
};

// Reads "ENGINES:KIND:OP"; nullopt when the text does not have three non-empty parts.
std::optional<Signature> ParseSignature(std::string_view text);

// The signature of a finding (IsFinding(r.verdict)) with the opcode `op` (from Locate; "?" when
// not located). For a result that is not a finding, engines and kind are empty.
Signature SignatureOf(const CaseResult& r, const std::string& op = "?");

// The step at which a finding first shows: -1 for the instantiation, else the call's index in
// the script; `calls` (the script's length) when it cannot be told.
int FailingStep(const CaseResult& r, size_t calls);

// A signature as a folder name: the text with every character outside [A-Za-z0-9._+-] as '_'.
std::string SignatureSlug(const Signature& s);

}  // namespace tandem::diff
