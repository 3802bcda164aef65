// binary_format.h: constants of the binary format (Spec 5) shared by the decoder and the encoder.
#pragma once

#include <cstdint>

namespace tandem::wasm {

constexpr uint32_t kWasmMagic = 0x6d736100;  // "\0asm"
constexpr uint32_t kWasmVersion = 1;
constexpr uint8_t kEndOpcode = 0x0b;

// Section ids (Spec 5.5.2).
enum SectionId : uint8_t {
  kCustomId = 0,
  kTypeId = 1,
  kImportId = 2,
  kFunctionId = 3,
  kTableId = 4,
  kMemoryId = 5,
  kGlobalId = 6,
  kExportId = 7,
  kStartId = 8,
  kElemId = 9,
  kCodeId = 10,
  kDataId = 11,
  kDataCountId = 12,
};

}  // namespace tandem::wasm
