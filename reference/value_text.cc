// value_text.cc: typed value text (value_text.h).
#include "reference/value_text.h"

#include <bit>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>

namespace tandem::wasm {

namespace {

constexpr uint32_t kF32ExpMask = 0x7f800000;
constexpr uint32_t kF32Quiet = 0x00400000;
constexpr uint64_t kF64ExpMask = 0x7ff0000000000000;
constexpr uint64_t kF64Quiet = 0x0008000000000000;

// A signed or unsigned integer literal (decimal or 0x hex) of `bits` bits, as its bit pattern.
uint64_t ParseIntArg(std::string_view s, int bits) {
  std::string str(s);
  bool neg = !str.empty() && str[0] == '-';
  std::string digits = neg || (!str.empty() && str[0] == '+') ? str.substr(1) : str;
  if (digits.empty() || digits[0] == '-' || digits[0] == '+' || std::isspace(digits[0]))
    throw std::invalid_argument("bad integer \"" + str + "\"");
  errno = 0;
  char* end = nullptr;
  unsigned long long mag = std::strtoull(digits.c_str(), &end, 0);
  if (errno == ERANGE || *end != '\0') throw std::invalid_argument("bad integer \"" + str + "\"");
  uint64_t limit_pos = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  uint64_t limit_neg = uint64_t{1} << (bits - 1);
  if ((!neg && mag > limit_pos) || (neg && mag > limit_neg))
    throw std::invalid_argument("integer out of range for i" + std::to_string(bits) + ": \"" + str +
                                "\"");
  uint64_t v = neg ? ~static_cast<uint64_t>(mag) + 1 : static_cast<uint64_t>(mag);
  return bits == 64 ? v : v & limit_pos;
}

// A float literal: decimal, hex (0x1p-3), inf, nan, nan:0xPAYLOAD, with optional sign.
Value ParseFloatArg(ValType type, std::string_view s) {
  std::string str(s);
  bool f32 = type == ValType::F32;
  bool neg = !str.empty() && str[0] == '-';
  std::string body = (neg || (!str.empty() && str[0] == '+')) ? str.substr(1) : str;
  if (body == "nan" || body.rfind("nan:0x", 0) == 0) {
    uint64_t payload = f32 ? kF32Quiet : kF64Quiet;
    if (body.size() > 3) {
      char* end = nullptr;
      errno = 0;
      payload = std::strtoull(body.c_str() + 4, &end, 16);
      uint64_t max = f32 ? 0x7fffff : 0xfffffffffffff;
      if (errno || *end || payload == 0 || payload > max)
        throw std::invalid_argument("bad NaN payload \"" + str + "\"");
    }
    if (f32) return Value::F32Bits((neg ? 0x80000000u : 0) | kF32ExpMask | uint32_t(payload));
    return Value::F64Bits((neg ? 0x8000000000000000ull : 0) | kF64ExpMask | payload);
  }
  if (body.empty() || !(std::isdigit(static_cast<unsigned char>(body[0])) || body == "inf"))
    throw std::invalid_argument("bad float \"" + str + "\"");
  char* end = nullptr;
  if (f32) {
    float f = std::strtof(body.c_str(), &end);
    if (*end) throw std::invalid_argument("bad float \"" + str + "\"");
    return Value::F32(neg ? -f : f);
  }
  double d = std::strtod(body.c_str(), &end);
  if (*end) throw std::invalid_argument("bad float \"" + str + "\"");
  return Value::F64(neg ? -d : d);
}

std::string Hex(uint64_t v, int digits) {
  static const char* kDigits = "0123456789abcdef";
  std::string s = "0x";
  for (int i = digits - 1; i >= 0; --i) s += kDigits[(v >> (4 * i)) & 0xf];
  return s;
}

}  // namespace

std::optional<ValType> ValTypeFromName(std::string_view t) {
  if (t == "i32") return ValType::I32;
  if (t == "i64") return ValType::I64;
  if (t == "f32") return ValType::F32;
  if (t == "f64") return ValType::F64;
  if (t == "v128") return ValType::V128;
  if (t == "funcref") return ValType::FuncRef;
  if (t == "externref") return ValType::ExternRef;
  return std::nullopt;
}

// An unsigned decimal that must fit in `bits` bits.
// An integer lane as hex bits; a float lane as a hex float ("-0x1.8p+1", "inf") or a NaN with
// its payload ("nan:0x400000"), all in the syntax ParseFloatArg reads back exactly.
std::string FormatLane(uint64_t bits, V128Shape s) {
  const int lane_bits = LaneBits(s);
  if (!IsFloatShape(s)) return Hex(bits, lane_bits / 4);
  const bool f32 = lane_bits == 32;
  const uint64_t sign = f32 ? 0x80000000u : 0x8000000000000000u;
  const uint64_t exp = f32 ? kF32ExpMask : kF64ExpMask;
  const uint64_t frac = f32 ? 0x7fffffu : 0xfffffffffffffu;
  std::string neg = bits & sign ? "-" : "";
  if ((bits & exp) == exp && (bits & frac) != 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "nan:0x%llx", static_cast<unsigned long long>(bits & frac));
    return neg + buf;
  }
  double d = f32 ? static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(bits)))
                 : std::bit_cast<double>(bits);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", d);
  return buf;
}

uint64_t ParseDecimalBits(std::string_view s, int bits) {
  if (s.empty() || s.size() > 20)
    throw std::invalid_argument("bad number \"" + std::string(s) + "\"");
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') throw std::invalid_argument("bad number \"" + std::string(s) + "\"");
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10)
      throw std::invalid_argument("number out of range \"" + std::string(s) + "\"");
    v = v * 10 + d;
  }
  if (bits < 64 && v >> bits)
    throw std::invalid_argument("number out of range \"" + std::string(s) + "\"");
  return v;
}

int LaneCount(V128Shape s) { return 128 / LaneBits(s); }

int LaneBits(V128Shape s) {
  switch (s) {
    case V128Shape::kI8x16:
      return 8;
    case V128Shape::kI16x8:
      return 16;
    case V128Shape::kI32x4:
    case V128Shape::kF32x4:
      return 32;
    case V128Shape::kI64x2:
    case V128Shape::kF64x2:
      return 64;
  }
  return 32;
}

bool IsFloatShape(V128Shape s) { return s == V128Shape::kF32x4 || s == V128Shape::kF64x2; }

const char* ShapeName(V128Shape s) {
  switch (s) {
    case V128Shape::kI8x16:
      return "i8x16";
    case V128Shape::kI16x8:
      return "i16x8";
    case V128Shape::kI32x4:
      return "i32x4";
    case V128Shape::kI64x2:
      return "i64x2";
    case V128Shape::kF32x4:
      return "f32x4";
    case V128Shape::kF64x2:
      return "f64x2";
  }
  return "?";
}

std::optional<V128Shape> ShapeFromName(std::string_view name) {
  for (V128Shape s : {V128Shape::kI8x16, V128Shape::kI16x8, V128Shape::kI32x4, V128Shape::kI64x2,
                      V128Shape::kF32x4, V128Shape::kF64x2})
    if (name == ShapeName(s)) return s;
  return std::nullopt;
}

std::optional<V128Shape> ShapeFromLaneType(std::string_view t) {
  if (t == "i8") return V128Shape::kI8x16;
  if (t == "i16") return V128Shape::kI16x8;
  if (t == "i32") return V128Shape::kI32x4;
  if (t == "i64") return V128Shape::kI64x2;
  if (t == "f32") return V128Shape::kF32x4;
  if (t == "f64") return V128Shape::kF64x2;
  return std::nullopt;
}

uint64_t GetLane(const Value& v, V128Shape s, int i) {
  const int bits = LaneBits(s);
  const int pos = i * bits;
  uint64_t word = pos < 64 ? v.bits : v.hi;
  uint64_t lane = word >> (pos % 64);
  return bits == 64 ? lane : lane & ((uint64_t{1} << bits) - 1);
}

void SetLane(Value& v, V128Shape s, int i, uint64_t bits_value) {
  const int bits = LaneBits(s);
  const int pos = i * bits;
  uint64_t& word = pos < 64 ? v.bits : v.hi;
  uint64_t mask = bits == 64 ? ~uint64_t{0} : ((uint64_t{1} << bits) - 1);
  word = (word & ~(mask << (pos % 64))) | ((bits_value & mask) << (pos % 64));
}

std::string FormatV128(const Value& v, V128Shape s) {
  std::string out = std::string("v128:") + ShapeName(s) + ":";
  for (int i = 0; i < LaneCount(s); ++i) {
    if (i) out += ',';
    out += FormatLane(GetLane(v, s, i), s);
  }
  return out;
}

namespace {

// `v128:SHAPE:L0,...` or `v128:0xHEX` (the part after "v128:").
Value ParseV128Arg(std::string_view rest) {
  Value v{ValType::V128, 0, 0};
  if (rest.rfind("0x", 0) == 0) {
    std::string_view hex = rest.substr(2);
    if (hex.empty() || hex.size() > 32)
      throw std::invalid_argument("a v128 in hex has 1 to 32 digits");
    for (char c : hex) {
      int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
              : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
              : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                          : -1;
      if (d < 0) throw std::invalid_argument("bad hex digit in a v128");
      v.hi = (v.hi << 4) | (v.bits >> 60);
      v.bits = (v.bits << 4) | static_cast<uint64_t>(d);
    }
    return v;
  }
  auto colon = rest.find(':');
  auto shape = ShapeFromName(rest.substr(0, colon));
  if (colon == std::string_view::npos || !shape)
    throw std::invalid_argument(
        "a v128 is v128:SHAPE:LANES with SHAPE one of i8x16 i16x8 i32x4 i64x2 f32x4 f64x2, "
        "e.g. v128:i32x4:1,2,3,4");
  std::vector<std::string> lanes;
  std::string_view list = rest.substr(colon + 1);
  for (size_t pos = 0;;) {
    size_t comma = list.find(',', pos);
    lanes.emplace_back(list.substr(pos, comma == list.npos ? list.npos : comma - pos));
    if (comma == list.npos) break;
    pos = comma + 1;
  }
  if (static_cast<int>(lanes.size()) != LaneCount(*shape))
    throw std::invalid_argument(std::string(ShapeName(*shape)) + " needs " +
                                std::to_string(LaneCount(*shape)) + " comma-separated lanes, got " +
                                std::to_string(lanes.size()));
  const int bits = LaneBits(*shape);
  for (size_t i = 0; i < lanes.size(); ++i) {
    const std::string& l = lanes[i];
    uint64_t b;
    if (!IsFloatShape(*shape)) {
      b = ParseIntArg(l, bits);
    } else if (l.rfind("bits:", 0) == 0) {
      b = ParseIntArg(l.substr(5), bits);
    } else {
      b = ParseFloatArg(bits == 32 ? ValType::F32 : ValType::F64, l).bits;
    }
    SetLane(v, *shape, static_cast<int>(i), b);
  }
  return v;
}

}  // namespace

Value ParseTypedArg(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos)
    throw std::invalid_argument("argument \"" + std::string(text) +
                                "\" needs a type prefix, e.g. i32:7 or f64:0x1p-3");
  std::string_view tname = text.substr(0, colon), rest = text.substr(colon + 1);
  auto type = ValTypeFromName(tname);
  if (!type)
    throw std::invalid_argument("unknown type \"" + std::string(tname) + "\" in argument \"" +
                                std::string(text) + "\"");
  try {
    switch (*type) {
      case ValType::I32:
        return Value::I32(static_cast<uint32_t>(ParseIntArg(rest, 32)));
      case ValType::I64:
        return Value::I64(ParseIntArg(rest, 64));
      case ValType::F32:
      case ValType::F64:
        if (rest.rfind("bits:", 0) == 0) {
          uint64_t b = ParseIntArg(rest.substr(5), *type == ValType::F32 ? 32 : 64);
          return *type == ValType::F32 ? Value::F32Bits(static_cast<uint32_t>(b))
                                       : Value::F64Bits(b);
        }
        return ParseFloatArg(*type, rest);
      case ValType::V128:
        return ParseV128Arg(rest);
      case ValType::ExternRef:
        if (rest == "null") return Value::Null(*type);
        return Value::Ref(*type, ParseIntArg(rest, 32) & 0xffffffff);
      case ValType::FuncRef:
        if (rest == "null") return Value::Null(*type);
        throw std::invalid_argument("funcref arguments can only be null");
    }
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("argument \"" + std::string(text) + "\": " + e.what());
  }
  throw std::invalid_argument("bad argument \"" + std::string(text) + "\"");
}

std::string FormatTypedValue(const Value& v) {
  char buf[64];
  switch (v.type) {
    case ValType::I32:
      std::snprintf(buf, sizeof buf, "i32:0x%08x", static_cast<unsigned>(v.bits));
      return buf;
    case ValType::I64:
      std::snprintf(buf, sizeof buf, "i64:0x%016llx", static_cast<unsigned long long>(v.bits));
      return buf;
    case ValType::F32:
      std::snprintf(buf, sizeof buf, "f32:bits:0x%08x", static_cast<unsigned>(v.bits));
      return buf;
    case ValType::F64:
      std::snprintf(buf, sizeof buf, "f64:bits:0x%016llx", static_cast<unsigned long long>(v.bits));
      return buf;
    case ValType::V128:
      return FormatV128(v, V128Shape::kI32x4);
    case ValType::ExternRef:
      if (v.is_null()) return "externref:null";
      return "externref:" + std::to_string(v.bits);
    case ValType::FuncRef:
      if (v.is_null()) return "funcref:null";
      return "funcref:bits:" + std::to_string(v.bits);
  }
  return "?";
}

}  // namespace tandem::wasm
