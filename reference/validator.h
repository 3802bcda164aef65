// validator.h: module validation (Spec 3, "Validation"), including unreachable code and the
// polymorphic operand stack (Spec Appendix "Validation Algorithm").
#pragma once

#include "reference/errors.h"
#include "reference/module.h"

namespace tandem::wasm {

// Validates a decoded module. Throws InvalidError whose message starts with the spec's text
// (e.g. "type mismatch", "unknown local", "invalid result arity") followed by ": " and detail
// (function index, instruction offset).
void Validate(const Module& module);

}  // namespace tandem::wasm
