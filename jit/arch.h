// arch.h: the instruction sets tandem's JIT emits (DESIGN.md "Engines": x64, a64).
#pragma once

#include <cstdint>

namespace tandem::jit {

enum class Arch : uint8_t { kX64, kA64 };

}  // namespace tandem::jit
