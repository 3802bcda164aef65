// code_memory.cc: W^X executable chunks for the native executors (code_memory.h).
#include "jit/code_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace tandem::jit {

CodeMemory::~CodeMemory() {
  for (const Chunk& c : chunks_) munmap(c.mem, c.size);
}

uint64_t CodeMemory::Add(const std::vector<uint8_t>& bytes, std::string* error) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t size = (std::max<size_t>(bytes.size(), 1) + page - 1) / page * page;
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    if (error) *error = "cannot map code memory";
    return 0;
  }
  uint8_t* mem = static_cast<uint8_t*>(p);
  if (!bytes.empty()) std::memcpy(mem, bytes.data(), bytes.size());
  if (mprotect(mem, size, PROT_READ | PROT_EXEC) != 0) {
    munmap(mem, size);
    if (error) *error = "cannot make code executable";
    return 0;
  }
  char* begin = reinterpret_cast<char*>(mem);
  __builtin___clear_cache(begin, begin + size);  // a no-op on x86-64
  chunks_.push_back({mem, size});
  return reinterpret_cast<uint64_t>(mem);
}

}  // namespace tandem::jit
