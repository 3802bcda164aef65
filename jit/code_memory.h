// code_memory.h: a worker's one code region (DESIGN.md "Engines"): a reservation made once, code
// appended at 16-byte boundaries and committed a page at a time as it grows, and cut back to a
// mark when a store is reset to its template (the pages stay committed and are written again).
// Each append is written through the one mapping that later runs it (W^X by mprotect: the pages
// written are read+write while the bytes are copied, then read+execute; under qemu-user code
// written through a second mapping can run stale), then the instruction cache is flushed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tandem::jit {

class CodeMemory {
 public:
  enum class Use : uint8_t {
    kHost,      // the host runs the code: pages end up read+execute
    kEmulated,  // an emulator reads the code through host pointers: pages end up read-only
  };
  static constexpr uint64_t kDefaultReservation = uint64_t{1} << 30;

  explicit CodeMemory(Use use = Use::kHost, uint64_t reservation = kDefaultReservation)
      : use_(use), reservation_(reservation) {}
  ~CodeMemory();
  CodeMemory(const CodeMemory&) = delete;
  CodeMemory& operator=(const CodeMemory&) = delete;

  // Copies `bytes` to the next 16-byte boundary and returns their address; 0 with *error (when
  // given) if the region cannot be reserved, is full, or cannot change protection.
  uint64_t Add(const std::vector<uint8_t>& bytes, std::string* error);

  // Bytes used so far (a mark), and cutting back to a mark: code beyond it is forgotten and its
  // bytes are written over by later Adds. Nothing may still run or point to that code.
  uint64_t used() const { return used_; }
  void Truncate(uint64_t mark) {
    if (mark < used_) used_ = mark;
  }

  // The region's committed pages [base, base + committed): what an emulator must map.
  uint64_t base() const { return reinterpret_cast<uint64_t>(base_); }
  uint64_t committed() const { return committed_; }

 private:
  Use use_;
  uint64_t reservation_;
  uint8_t* base_ = nullptr;
  uint64_t used_ = 0;
  uint64_t committed_ = 0;
};

}  // namespace tandem::jit
