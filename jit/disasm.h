// disasm.h: a small Capstone wrapper that turns machine code into listing lines.
// Used by the assembler tests (STYLE.md 9) and by `--print-code` (STYLE.md 12).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "jit/arch.h"

namespace tandem::jit {

// One decoded instruction. `offset` is relative to the start of the decoded range plus the
// `base_address` passed to Disassemble (branch targets are printed against the same base).
struct DisasmLine {
  uint64_t offset = 0;
  std::vector<uint8_t> bytes;
  std::string mnemonic;
  std::string op_str;

  // "mnemonic op_str" (just the mnemonic when there are no operands).
  std::string Text() const;
};

// Decodes [code, code + size) in Intel syntax (x86-64) or Capstone's default syntax (AArch64).
// Stops at the first byte sequence Capstone cannot decode; `*undecoded` (if given) receives the
// number of bytes left over (0 when everything decoded). Throws std::runtime_error if Capstone
// cannot be opened for `arch`.
std::vector<DisasmLine> Disassemble(Arch arch, const uint8_t* code, size_t size,
                                    uint64_t base_address = 0, size_t* undecoded = nullptr);

// Lowercase hex of `bytes` without separators, e.g. "4801c8".
std::string HexBytes(const std::vector<uint8_t>& bytes);

}  // namespace tandem::jit
