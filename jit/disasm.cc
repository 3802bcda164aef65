// disasm.cc: the Capstone wrapper (Capstone 4 C API: cs_open, cs_disasm, cs_free).
// Mirrors STYLE.md 9 and 12: the independent decoder of our own encoders.
#include "jit/disasm.h"

#include <capstone/capstone.h>

#include <stdexcept>

namespace tandem::jit {

std::string DisasmLine::Text() const { return op_str.empty() ? mnemonic : mnemonic + " " + op_str; }

std::vector<DisasmLine> Disassemble(Arch arch, const uint8_t* code, size_t size,
                                    uint64_t base_address, size_t* undecoded) {
  csh handle;
  cs_err err = arch == Arch::kX64 ? cs_open(CS_ARCH_X86, CS_MODE_64, &handle)
                                  : cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &handle);
  if (err != CS_ERR_OK) {
    throw std::runtime_error(std::string("capstone: cs_open failed: ") + cs_strerror(err));
  }
  if (arch == Arch::kX64) cs_option(handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_INTEL);

  std::vector<DisasmLine> lines;
  cs_insn* insn = nullptr;
  size_t count = cs_disasm(handle, code, size, base_address, 0, &insn);
  size_t decoded = 0;
  lines.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    DisasmLine line;
    line.offset = insn[i].address;
    line.bytes.assign(insn[i].bytes, insn[i].bytes + insn[i].size);
    line.mnemonic = insn[i].mnemonic;
    line.op_str = insn[i].op_str;
    decoded += insn[i].size;
    lines.push_back(std::move(line));
  }
  if (count > 0) cs_free(insn, count);
  cs_close(&handle);
  if (undecoded != nullptr) *undecoded = size - decoded;
  return lines;
}

std::string HexBytes(const std::vector<uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 15]);
  }
  return s;
}

}  // namespace tandem::jit
