// generator.cc: the generator registry and the deterministic random numbers (generator.h).
#include "diff/gen/generator.h"

namespace tandem::diff::gen {

namespace {

uint64_t SplitMix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(uint64_t seed, std::string_view stream, uint64_t index) {
  uint64_t x = seed ^ Fnv1a(stream);
  SplitMix(x);
  x ^= index * 0xd1b54a32d192ed03ull;
  for (uint64_t& s : s_) s = SplitMix(x);
}

Rng::Rng(const uint8_t* bytes, size_t size) : bytes_(bytes), left_(size) {
  uint64_t x = 0x74616e64656d2121ull;  // the seed after the bytes: a hash of them all
  for (size_t i = 0; i < size; ++i) x = (x ^ bytes[i]) * 0x100000001b3ull;
  for (uint64_t& s : s_) s = SplitMix(x);
}

uint64_t Rng::Take(size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n && left_ > 0; ++i, --left_) v |= uint64_t{*bytes_++} << (8 * i);
  return v;
}

uint64_t Rng::Next() {
  if (left_ > 0) return Take(8);
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Rng::Below(uint64_t n) {
  if (left_ > 0) {
    size_t k = 1;
    while (k < 8 && ((n - 1) >> (8 * k)) != 0) ++k;
    return n == 0 ? 0 : Take(k) % n;
  }
  // Lemire's multiply-shift: unbiased enough for test generation, and exact on every host.
  return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
}

bool Rng::Chance(uint32_t one_in) { return Below(one_in) == 0; }

std::vector<std::string> GeneratorNames() { return {"single", "mutate", "smith", "ttf", "corpus"}; }

std::unique_ptr<Generator> MakeGenerator(std::string_view name, const GeneratorOptions& options) {
  if (name == "single") return MakeSingleGenerator(options);
  if (name == "mutate") return MakeMutateGenerator(options);
  if (name == "smith") return MakeSmithGenerator(options);
  if (name == "ttf") return MakeTtfGenerator(options);
  if (name == "corpus") return MakeCorpusGenerator(options);
  return nullptr;
}

}  // namespace tandem::diff::gen
