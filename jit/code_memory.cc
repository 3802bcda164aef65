// code_memory.cc: the one code region of a store's executor (code_memory.h).
#include "jit/code_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

namespace tandem::jit {

CodeMemory::~CodeMemory() {
  if (base_) munmap(base_, reservation_);
}

uint64_t CodeMemory::Add(const std::vector<uint8_t>& bytes, std::string* error) {
  auto fail = [&](std::string m) -> uint64_t {
    if (error) *error = std::move(m);
    return 0;
  };
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  if (!base_) {
    void* p = mmap(nullptr, reservation_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) return fail("cannot reserve code memory");
    base_ = static_cast<uint8_t*>(p);
  }
  const uint64_t start = (used_ + 15) & ~uint64_t{15};
  const uint64_t size = std::max<uint64_t>(bytes.size(), 1);
  if (start > reservation_ || size > reservation_ - start)
    return fail(fmt::format("code memory full: {} bytes more do not fit in {}", size,
                            reservation_));
  const uint64_t end = start + size;
  // The padding before `start` is written too (zeros instead of stale bytes after a reset).
  const uint64_t first = used_ / page * page, last = (end + page - 1) / page * page;
  uint8_t* pages = base_ + first;
  if (mprotect(pages, last - first, PROT_READ | PROT_WRITE) != 0)
    return fail("cannot make code memory writable");
  if (start > used_) std::memset(base_ + used_, 0, start - used_);
  if (!bytes.empty()) std::memcpy(base_ + start, bytes.data(), bytes.size());
  const int done = use_ == Use::kHost ? PROT_READ | PROT_EXEC : PROT_READ;
  if (mprotect(pages, last - first, done) != 0) return fail("cannot make code executable");
  if (use_ == Use::kHost) {
    char* b = reinterpret_cast<char*>(base_ + start);
    __builtin___clear_cache(b, b + size);  // a no-op on x86-64
  }
  used_ = end;
  if (last > committed_) committed_ = last;
  return reinterpret_cast<uint64_t>(base_ + start);
}

}  // namespace tandem::jit
