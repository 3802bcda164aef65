// decoder.h: the binary decoder (Spec 5, "Binary Format") for every Wasm 2.0 section.
#pragma once

#include <cstdint>
#include <span>

#include "reference/errors.h"
#include "reference/module.h"

namespace tandem::wasm {

struct DecodeOptions {
  // Reserved for proposals (multi-memory, memory64, tail calls ...); Wasm 2.0 (SIMD included)
  // when all are off.
};

// Decodes a whole module. Throws MalformedError whose message starts with the spec's text
// (e.g. "unexpected end", "magic header not detected", "integer too large") followed by
// ": " and detail (byte offset and what was being read).
// Throws UnsupportedError (below) for features beyond Wasm 2.0 that tandem does not implement
// (e.g. the relaxed-simd opcodes 0xFD 0x100..0x113).
Module Decode(std::span<const uint8_t> bytes, const DecodeOptions& options = {});

// A well-formed construct that tandem does not support yet (never a spec failure).
struct UnsupportedError : std::runtime_error {
  explicit UnsupportedError(const std::string& m) : std::runtime_error(m) {}
};

}  // namespace tandem::wasm
