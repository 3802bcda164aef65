// decode_validate.cc: libFuzzer target: the bytes as a module, decoded and validated by the
// reference's front end. Refusing a module (malformed, invalid, beyond a limit, unsupported)
// is an answer; a crash, a sanitizer report, an exception of another kind or a hang is a bug.
#include <cstddef>
#include <cstdint>
#include <span>

#include "reference/decoder.h"
#include "reference/errors.h"
#include "reference/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tandem::wasm;
  try {
    Module m = Decode(std::span<const uint8_t>(data, size));
    Validate(m);
  } catch (const WasmError&) {
  } catch (const UnsupportedError&) {
  }
  return 0;
}
