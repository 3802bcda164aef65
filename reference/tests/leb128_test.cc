// leb128_test.cc: unit tests for reference/leb128.h.
// Spec 5.2.2 (integers): length limits, unused bits, sign extension, truncated input.
#include "reference/leb128.h"

#include <catch2/catch.hpp>
#include <vector>

namespace tandem::wasm {
namespace {

using B = std::vector<uint8_t>;

template <int bits>
LebStatus U(const B& b, uint64_t* v, size_t* len) {
  return ReadUnsignedLeb<bits>(b.data(), b.data() + b.size(), v, len);
}
template <int bits>
LebStatus S(const B& b, int64_t* v, size_t* len) {
  return ReadSignedLeb<bits>(b.data(), b.data() + b.size(), v, len);
}

TEST_CASE("leb128: unsigned 32", "[ref]") {
  uint64_t v = 0;
  size_t len = 0;
  REQUIRE(U<32>({0x00}, &v, &len) == LebStatus::kOk);
  CHECK(v == 0);
  CHECK(len == 1);
  REQUIRE(U<32>({0xe5, 0x8e, 0x26}, &v, &len) == LebStatus::kOk);
  CHECK(v == 624485);
  CHECK(len == 3);
  // Non-minimal encodings are allowed within the length limit.
  REQUIRE(U<32>({0x82, 0x80, 0x80, 0x80, 0x00}, &v, &len) == LebStatus::kOk);
  CHECK(v == 2);
  CHECK(len == 5);
  REQUIRE(U<32>({0xff, 0xff, 0xff, 0xff, 0x0f}, &v, &len) == LebStatus::kOk);
  CHECK(v == 0xffffffffu);
  // Trailing bytes after the number are not consumed.
  REQUIRE(U<32>({0x05, 0xff}, &v, &len) == LebStatus::kOk);
  CHECK(v == 5);
  CHECK(len == 1);

  CHECK(U<32>({0x82, 0x80, 0x80, 0x80, 0x80, 0x00}, &v, &len) == LebStatus::kTooLong);
  CHECK(U<32>({0x80, 0x80, 0x80, 0x80, 0x80}, &v, &len) == LebStatus::kTooLong);
  CHECK(U<32>({0xff, 0xff, 0xff, 0xff, 0x1f}, &v, &len) == LebStatus::kTooLarge);
  CHECK(U<32>({0x82, 0x80, 0x80, 0x80, 0x70}, &v, &len) == LebStatus::kTooLarge);
  CHECK(U<32>({0x82, 0x80, 0x80, 0x80, 0x40}, &v, &len) == LebStatus::kTooLarge);
  // Unused bits are checked before the continuation bit.
  CHECK(U<32>({0x80, 0x80, 0x80, 0x80, 0xf0, 0x00}, &v, &len) == LebStatus::kTooLarge);
  CHECK(U<32>({0x80, 0x80, 0x80, 0x80, 0x8f, 0x00}, &v, &len) == LebStatus::kTooLong);

  CHECK(U<32>({}, &v, &len) == LebStatus::kUnexpectedEnd);
  CHECK(U<32>({0x80}, &v, &len) == LebStatus::kUnexpectedEnd);
  CHECK(U<32>({0xff, 0xff, 0xff, 0xff}, &v, &len) == LebStatus::kUnexpectedEnd);
}

TEST_CASE("leb128: unsigned 64 and u1", "[ref]") {
  uint64_t v = 0;
  size_t len = 0;
  REQUIRE(U<64>({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, &v, &len) ==
          LebStatus::kOk);
  CHECK(v == ~uint64_t{0});
  CHECK(len == 10);
  CHECK(U<64>({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, &v, &len) ==
        LebStatus::kTooLarge);
  CHECK(U<64>({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, &v, &len) ==
        LebStatus::kTooLong);
  CHECK(U<64>({0x80, 0x80, 0x80}, &v, &len) == LebStatus::kUnexpectedEnd);

  REQUIRE(U<1>({0x01}, &v, &len) == LebStatus::kOk);
  CHECK(v == 1);
  CHECK(U<1>({0x02}, &v, &len) == LebStatus::kTooLarge);
  CHECK(U<1>({0x81}, &v, &len) == LebStatus::kTooLong);
}

TEST_CASE("leb128: signed 32", "[ref]") {
  int64_t v = 0;
  size_t len = 0;
  REQUIRE(S<32>({0x7f}, &v, &len) == LebStatus::kOk);
  CHECK(v == -1);
  REQUIRE(S<32>({0x3f}, &v, &len) == LebStatus::kOk);
  CHECK(v == 63);
  REQUIRE(S<32>({0x40}, &v, &len) == LebStatus::kOk);
  CHECK(v == -64);
  REQUIRE(S<32>({0xc0, 0xbb, 0x78}, &v, &len) == LebStatus::kOk);
  CHECK(v == -123456);
  CHECK(len == 3);
  REQUIRE(S<32>({0x80, 0x80, 0x80, 0x80, 0x78}, &v, &len) == LebStatus::kOk);
  CHECK(v == INT32_MIN);
  REQUIRE(S<32>({0xff, 0xff, 0xff, 0xff, 0x07}, &v, &len) == LebStatus::kOk);
  CHECK(v == INT32_MAX);
  REQUIRE(S<32>({0xff, 0xff, 0xff, 0xff, 0x7f}, &v, &len) == LebStatus::kOk);
  CHECK(v == -1);
  REQUIRE(S<32>({0x80, 0x00}, &v, &len) == LebStatus::kOk);  // non-minimal zero
  CHECK(v == 0);

  CHECK(S<32>({0x80, 0x80, 0x80, 0x80, 0x70}, &v, &len) == LebStatus::kTooLarge);
  CHECK(S<32>({0xff, 0xff, 0xff, 0xff, 0x0f}, &v, &len) == LebStatus::kTooLarge);
  CHECK(S<32>({0x80, 0x80, 0x80, 0x80, 0x1f}, &v, &len) == LebStatus::kTooLarge);
  CHECK(S<32>({0xff, 0xff, 0xff, 0xff, 0x4f}, &v, &len) == LebStatus::kTooLarge);
  CHECK(S<32>({0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, &v, &len) == LebStatus::kTooLong);
  CHECK(S<32>({0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, &v, &len) == LebStatus::kTooLong);
  CHECK(S<32>({0xff}, &v, &len) == LebStatus::kUnexpectedEnd);
}

TEST_CASE("leb128: signed 33 (block types)", "[ref]") {
  int64_t v = 0;
  size_t len = 0;
  REQUIRE(S<33>({0x40}, &v, &len) == LebStatus::kOk);
  CHECK(v == -64);
  REQUIRE(S<33>({0xff, 0xff, 0xff, 0xff, 0x0f}, &v, &len) == LebStatus::kOk);
  CHECK(v == 0xffffffffll);  // the largest type index
  REQUIRE(S<33>({0x80, 0x80, 0x80, 0x80, 0x70}, &v, &len) == LebStatus::kOk);
  CHECK(v == -(int64_t{1} << 32));
  CHECK(S<33>({0x80, 0x80, 0x80, 0x80, 0x20}, &v, &len) == LebStatus::kTooLarge);
  CHECK(S<33>({0xff, 0xff, 0xff, 0xff, 0x4f}, &v, &len) == LebStatus::kTooLarge);
  CHECK(S<33>({0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, &v, &len) == LebStatus::kTooLong);
  CHECK(S<33>({0x80, 0x80}, &v, &len) == LebStatus::kUnexpectedEnd);
}

TEST_CASE("leb128: signed 64", "[ref]") {
  int64_t v = 0;
  size_t len = 0;
  REQUIRE(S<64>({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}, &v, &len) ==
          LebStatus::kOk);
  CHECK(v == INT64_MIN);
  CHECK(len == 10);
  REQUIRE(S<64>({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00}, &v, &len) ==
          LebStatus::kOk);
  CHECK(v == INT64_MAX);
  REQUIRE(S<64>({0x7f}, &v, &len) == LebStatus::kOk);
  CHECK(v == -1);
  CHECK(S<64>({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7e}, &v, &len) ==
        LebStatus::kTooLarge);
  CHECK(S<64>({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, &v, &len) ==
        LebStatus::kTooLarge);
  CHECK(S<64>({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, &v, &len) ==
        LebStatus::kTooLong);
  CHECK(S<64>({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, &v, &len) ==
        LebStatus::kUnexpectedEnd);
}

}  // namespace
}  // namespace tandem::wasm
