// leb128.h: LEB128 writing (minimal length) and reading with the spec's rules (Spec 5.2.2): at most ceil(N/7) bytes, and the
// unused bits of the last byte must be zero (unsigned) or a sign extension (signed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tandem::wasm {

enum class LebStatus {
  kOk,
  kUnexpectedEnd,  // input ended inside the number  -> "unexpected end"
  kTooLong,        // more than ceil(N/7) bytes        -> "integer representation too long"
  kTooLarge,       // unused bits of last byte wrong  -> "integer too large"
};

// On the last allowed byte the unused payload bits are checked before the continuation bit, so
// 0xf0 as the fifth byte of a u32 is kTooLarge and 0x80 there is kTooLong (the order the spec
// test suite expects).

// Reads an unsigned LEB128 of at most `bits` bits from [p, end). On kOk, *len is the byte count.
template <int bits>
inline LebStatus ReadUnsignedLeb(const uint8_t* p, const uint8_t* end, uint64_t* out,
                                 size_t* len) {
  static_assert(bits > 0 && bits <= 64);
  constexpr int kMaxBytes = (bits + 6) / 7;
  uint64_t result = 0;
  for (int i = 0; i < kMaxBytes; ++i) {
    if (p + i >= end) return LebStatus::kUnexpectedEnd;
    uint8_t byte = p[i];
    int shift = 7 * i;
    if (i == kMaxBytes - 1) {
      int used = bits - shift;  // 1..7
      if (used < 7 && ((byte & 0x7f) >> used) != 0) return LebStatus::kTooLarge;
      if (byte & 0x80) return LebStatus::kTooLong;
      result |= static_cast<uint64_t>(byte) << shift;
      *out = result;
      *len = i + 1;
      return LebStatus::kOk;
    }
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *out = result;
      *len = i + 1;
      return LebStatus::kOk;
    }
  }
  return LebStatus::kTooLong;  // not reached
}

// Reads a signed LEB128 of at most `bits` bits, sign-extended to 64 bits.
template <int bits>
inline LebStatus ReadSignedLeb(const uint8_t* p, const uint8_t* end, int64_t* out, size_t* len) {
  static_assert(bits > 0 && bits <= 64);
  constexpr int kMaxBytes = (bits + 6) / 7;
  uint64_t result = 0;
  for (int i = 0; i < kMaxBytes; ++i) {
    if (p + i >= end) return LebStatus::kUnexpectedEnd;
    uint8_t byte = p[i];
    int shift = 7 * i;
    if (i == kMaxBytes - 1) {
      int used = bits - shift;  // 1..7 payload bits that matter; the rest must extend the sign
      if (used < 7) {
        // Bits [used-1 .. 6] must all equal the sign bit (bit used-1).
        uint8_t top = static_cast<uint8_t>((byte & 0x7f) >> (used - 1));
        uint8_t all = static_cast<uint8_t>(0x7f >> (used - 1));
        if (top != 0 && top != all) return LebStatus::kTooLarge;
      }
      if (byte & 0x80) return LebStatus::kTooLong;
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      int total = shift + 7;
      if (total < 64 && (byte & 0x40)) result |= ~uint64_t{0} << total;
      *out = static_cast<int64_t>(result);
      *len = i + 1;
      return LebStatus::kOk;
    }
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      int total = shift + 7;
      if (total < 64 && (byte & 0x40)) result |= ~uint64_t{0} << total;
      *out = static_cast<int64_t>(result);
      *len = i + 1;
      return LebStatus::kOk;
    }
  }
  return LebStatus::kTooLong;  // not reached
}

// Appends `v` as an unsigned LEB128 of minimal length (Spec 5.2.2).
inline void WriteUnsignedLeb(std::vector<uint8_t>* out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v != 0) b |= 0x80;
    out->push_back(b);
  } while (v != 0);
}

// Appends `v` as a signed LEB128 of minimal length: it stops once the rest is the sign
// extension of the last byte's bit 6.
inline void WriteSignedLeb(std::vector<uint8_t>* out, int64_t v) {
  for (;;) {
    uint8_t b = v & 0x7f;
    v >>= 7;  // arithmetic shift (C++20)
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    if (!done) b |= 0x80;
    out->push_back(b);
    if (done) return;
  }
}

}  // namespace tandem::wasm
