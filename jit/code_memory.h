// code_memory.h: executable memory for the native executors (DESIGN.md "Engines"): each chunk
// is written through the one mapping that later becomes executable (W^X by mprotect; under
// qemu-user code written through a second mapping can run stale), then the instruction cache
// is flushed. Chunks live as long as the CodeMemory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tandem::jit {

class CodeMemory {
 public:
  CodeMemory() = default;
  ~CodeMemory();
  CodeMemory(const CodeMemory&) = delete;
  CodeMemory& operator=(const CodeMemory&) = delete;

  // Copies `bytes` into a new read+execute chunk and returns its address; 0 with *error (when
  // given) if memory cannot be mapped or made executable.
  uint64_t Add(const std::vector<uint8_t>& bytes, std::string* error);

 private:
  struct Chunk {
    uint8_t* mem;
    size_t size;
  };
  std::vector<Chunk> chunks_;
};

}  // namespace tandem::jit
