// wast_json.cc: reading wast2json's JSON commands and values, NaN classes, expected-failure
// lists (Spec 4.3.3 for the NaN classes; DESIGN.md "Layout", spec-tests/).
#include "spec-tests/wast_json.h"

#include <fnmatch.h>

#include <bit>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

namespace tandem::spec {

using wasm::ValType;
using wasm::Value;

namespace {

constexpr uint32_t kF32ExpMask = 0x7f800000;
constexpr uint32_t kF32Quiet = 0x00400000;
constexpr uint64_t kF64ExpMask = 0x7ff0000000000000;
constexpr uint64_t kF64Quiet = 0x0008000000000000;

std::optional<ValType> TypeFromName(std::string_view t) {
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
uint64_t ParseUnsigned(std::string_view s, int bits) {
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

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string())
    throw std::runtime_error(std::string("missing string field \"") + key + "\"");
  return it->get<std::string>();
}

std::vector<std::string> Lanes(const nlohmann::json& j) {
  std::vector<std::string> out;
  for (const auto& l : j) {
    if (!l.is_string()) throw std::invalid_argument("a v128 lane that is not a string");
    out.push_back(l.get<std::string>());
  }
  return out;
}

// One entry of "expected" / "either".
ExpectedValue Expected(const nlohmann::json& v) {
  std::string vt = Str(v, "type");
  if (v.contains("value") && v["value"].is_array())
    return ParseJsonExpectedV128(Str(v, "lane_type"), Lanes(v["value"]));
  if (v.contains("value") && !v["value"].is_string())
    throw std::invalid_argument(vt + " value that is not a string");
  return ParseJsonExpected(vt, v.contains("value") ? std::optional<std::string_view>(
                                                         v["value"].get_ref<const std::string&>())
                                                   : std::nullopt);
}

Command::Type CommandType(const std::string& t) {
  using T = Command::Type;
  if (t == "module") return T::kModule;
  if (t == "register") return T::kRegister;
  if (t == "action") return T::kAction;
  if (t == "assert_return") return T::kAssertReturn;
  if (t == "assert_trap") return T::kAssertTrap;
  if (t == "assert_exhaustion") return T::kAssertExhaustion;
  if (t == "assert_invalid") return T::kAssertInvalid;
  if (t == "assert_malformed") return T::kAssertMalformed;
  if (t == "assert_unlinkable") return T::kAssertUnlinkable;
  if (t == "assert_uninstantiable") return T::kAssertUninstantiable;
  throw std::runtime_error("unknown command type \"" + t + "\"");
}

// Spec 4.3.3: a canonical NaN has only the quiet bit of the payload set (either sign); an
// arithmetic NaN has the quiet bit set.
bool IsCanonicalNan(uint64_t bits, int lane_bits) {
  if (lane_bits == 32) return (bits & 0x7fffffff) == (kF32ExpMask | kF32Quiet);
  return (bits & 0x7fffffffffffffff) == (kF64ExpMask | kF64Quiet);
}
bool IsArithmeticNan(uint64_t bits, int lane_bits) {
  if (lane_bits == 32) return (bits & (kF32ExpMask | kF32Quiet)) == (kF32ExpMask | kF32Quiet);
  return (bits & (kF64ExpMask | kF64Quiet)) == (kF64ExpMask | kF64Quiet);
}

std::string Hex(uint64_t v, int digits) {
  static const char* kDigits = "0123456789abcdef";
  std::string s = "0x";
  for (int i = digits - 1; i >= 0; --i) s += kDigits[(v >> (4 * i)) & 0xf];
  return s;
}

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

}  // namespace

bool Matches(const ExpectedValue& e, const Value& got) {
  using K = ExpectedValue::Kind;
  if (got.type != e.value.type) return false;
  switch (e.kind) {
    case K::kExact:
      return got == e.value;
    case K::kAnyRef:
      return wasm::IsRefType(got.type) && !got.is_null();
    case K::kNanCanonical:
      if (got.type == ValType::F32) return IsCanonicalNan(got.bits & 0xffffffff, 32);
      if (got.type == ValType::F64) return IsCanonicalNan(got.bits, 64);
      return false;
    case K::kNanArithmetic:
      if (got.type == ValType::F32) return IsArithmeticNan(got.bits & 0xffffffff, 32);
      if (got.type == ValType::F64) return IsArithmeticNan(got.bits, 64);
      return false;
    case K::kV128Lanes: {
      if (got.type != ValType::V128) return false;
      const int n = LaneCount(e.shape), bits = LaneBits(e.shape);
      if (static_cast<int>(e.lanes.size()) != n) return false;
      for (int i = 0; i < n; ++i) {
        uint64_t g = GetLane(got, e.shape, i);
        switch (e.lanes[i]) {
          case K::kNanCanonical:
            if (!IsCanonicalNan(g, bits)) return false;
            break;
          case K::kNanArithmetic:
            if (!IsArithmeticNan(g, bits)) return false;
            break;
          default:
            if (g != GetLane(e.value, e.shape, i)) return false;
        }
      }
      return true;
    }
  }
  return false;
}

bool TrapTextMatches(std::string_view kind_message, std::string_view text) {
  if (kind_message.substr(0, text.size()) == text) return true;
  return text.size() > kind_message.size() && text.substr(0, kind_message.size()) == kind_message &&
         text[kind_message.size()] == ' ';
}

std::string ToString(const ExpectedValue& e) {
  using K = ExpectedValue::Kind;
  std::string t = wasm::ValTypeName(e.value.type);
  switch (e.kind) {
    case K::kExact:
      return wasm::ToString(e.value);
    case K::kNanCanonical:
      return t + ":nan:canonical";
    case K::kNanArithmetic:
      return t + ":nan:arithmetic";
    case K::kAnyRef:
      return t + ":non-null";
    case K::kV128Lanes: {
      std::string out = std::string("v128:") + ShapeName(e.shape) + ":";
      for (int i = 0; i < LaneCount(e.shape); ++i) {
        if (i) out += ",";
        K k = i < static_cast<int>(e.lanes.size()) ? e.lanes[i] : K::kExact;
        if (k == K::kNanCanonical)
          out += "nan:canonical";
        else if (k == K::kNanArithmetic)
          out += "nan:arithmetic";
        else
          out += FormatLane(GetLane(e.value, e.shape, i), e.shape);
      }
      return out;
    }
  }
  return t;
}

Value ParseJsonValue(std::string_view type_name, std::string_view value) {
  auto type = TypeFromName(type_name);
  if (!type) throw std::invalid_argument("unknown value type \"" + std::string(type_name) + "\"");
  switch (*type) {
    case ValType::I32:
      return Value::I32(static_cast<uint32_t>(ParseUnsigned(value, 32)));
    case ValType::I64:
      return Value::I64(ParseUnsigned(value, 64));
    case ValType::F32:
      return Value::F32Bits(static_cast<uint32_t>(ParseUnsigned(value, 32)));
    case ValType::F64:
      return Value::F64Bits(ParseUnsigned(value, 64));
    case ValType::V128:
      throw std::invalid_argument("a v128 value needs a lane type and a list of lanes");
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (value == "null") return Value::Null(*type);
      if (*type == ValType::FuncRef)
        throw std::invalid_argument("a funcref value other than null cannot be given");
      return Value::Ref(*type, ParseUnsigned(value, 32));
  }
  throw std::invalid_argument("unknown value type");
}

ExpectedValue ParseJsonExpected(std::string_view type_name, std::optional<std::string_view> value) {
  auto type = TypeFromName(type_name);
  if (!type) throw std::invalid_argument("unknown value type \"" + std::string(type_name) + "\"");
  if (*type == ValType::V128)
    throw std::invalid_argument("a v128 value needs a lane type and a list of lanes");
  ExpectedValue e;
  e.value = Value::Default(*type);
  if (!value) {
    if (!wasm::IsRefType(*type))
      throw std::invalid_argument("expected " + std::string(type_name) + " without a value");
    e.kind = ExpectedValue::Kind::kAnyRef;
    return e;
  }
  if (*type == ValType::F32 || *type == ValType::F64) {
    if (*value == "nan:canonical") {
      e.kind = ExpectedValue::Kind::kNanCanonical;
      return e;
    }
    if (*value == "nan:arithmetic") {
      e.kind = ExpectedValue::Kind::kNanArithmetic;
      return e;
    }
  }
  if (*type == ValType::FuncRef && *value != "null") {
    e.kind = ExpectedValue::Kind::kAnyRef;  // a function's address is store-specific
    return e;
  }
  e.value = ParseJsonValue(type_name, *value);
  return e;
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

V128Shape JsonShape(std::string_view lane_type, size_t lanes) {
  auto shape = ShapeFromLaneType(lane_type);
  if (!shape)
    throw std::invalid_argument("unknown v128 lane type \"" + std::string(lane_type) + "\"");
  if (static_cast<int>(lanes) != LaneCount(*shape))
    throw std::invalid_argument("v128 with lane type " + std::string(lane_type) + " has " +
                                std::to_string(lanes) + " lanes, not " +
                                std::to_string(LaneCount(*shape)));
  return *shape;
}

}  // namespace

Value ParseJsonV128(std::string_view lane_type, const std::vector<std::string>& lanes) {
  V128Shape shape = JsonShape(lane_type, lanes.size());
  Value v{ValType::V128, 0, 0};
  for (size_t i = 0; i < lanes.size(); ++i)
    SetLane(v, shape, static_cast<int>(i), ParseUnsigned(lanes[i], LaneBits(shape)));
  return v;
}

ExpectedValue ParseJsonExpectedV128(std::string_view lane_type,
                                    const std::vector<std::string>& lanes) {
  V128Shape shape = JsonShape(lane_type, lanes.size());
  ExpectedValue e;
  e.kind = ExpectedValue::Kind::kV128Lanes;
  e.shape = shape;
  e.value = Value{ValType::V128, 0, 0};
  for (size_t i = 0; i < lanes.size(); ++i) {
    const std::string& l = lanes[i];
    if (IsFloatShape(shape) && l == "nan:canonical") {
      e.lanes.push_back(ExpectedValue::Kind::kNanCanonical);
    } else if (IsFloatShape(shape) && l == "nan:arithmetic") {
      e.lanes.push_back(ExpectedValue::Kind::kNanArithmetic);
    } else {
      e.lanes.push_back(ExpectedValue::Kind::kExact);
      SetLane(e.value, shape, static_cast<int>(i), ParseUnsigned(l, LaneBits(shape)));
    }
  }
  return e;
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
  auto type = TypeFromName(tname);
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

bool IsTest(Command::Type t) {
  return t != Command::Type::kModule && t != Command::Type::kRegister;
}

std::string RepairWast2JsonArrays(std::string_view json_text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  std::string out;
  out.reserve(json_text.size());
  std::vector<char> open;  // the '[' and '{' enclosing the current position
  bool in_string = false;
  for (size_t i = 0; i < json_text.size(); ++i) {
    const char c = json_text[i];
    out += c;
    if (in_string) {
      if (c == '\\' && i + 1 < json_text.size())
        out += json_text[++i];  // the escaped character, which may be '"'
      else if (c == '"')
        in_string = false;
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        open.push_back(c);
        break;
      case ']':
        if (!open.empty() && open.back() == '[') open.pop_back();
        break;
      case '}': {
        if (open.empty() || open.back() != '{') break;  // unbalanced: left for the parser
        open.pop_back();
        if (open.empty() || open.back() != '[') break;
        size_t next = i + 1;
        while (next < json_text.size() && is_space(json_text[next])) ++next;
        if (next < json_text.size() && json_text[next] == '{') out += ',';
        break;
      }
      default:
        break;
    }
  }
  return out;
}

std::vector<Command> ParseWastJson(std::string_view json_text) {
  nlohmann::json doc = nlohmann::json::parse(RepairWast2JsonArrays(json_text));
  if (!doc.contains("commands") || !doc["commands"].is_array())
    throw std::runtime_error("no \"commands\" array");
  std::vector<Command> out;
  for (const auto& j : doc["commands"]) {
    Command c;
    c.type_name = Str(j, "type");
    c.type = CommandType(c.type_name);
    if (!j.contains("line") || !j["line"].is_number_integer())
      throw std::runtime_error("command without a line");
    c.line = j["line"].get<int>();
    if (j.contains("filename")) c.filename = Str(j, "filename");
    if (j.contains("module_type")) c.module_type = Str(j, "module_type");
    if (j.contains("name")) c.name = Str(j, "name");
    if (j.contains("as")) c.as = Str(j, "as");
    if (j.contains("text")) c.text = Str(j, "text");
    if (c.type == Command::Type::kRegister && c.as.empty())
      throw std::runtime_error("register without \"as\" at line " + std::to_string(c.line));
    try {
      if (j.contains("action")) {
        const auto& a = j["action"];
        c.has_action = true;
        std::string at = Str(a, "type");
        if (at == "invoke")
          c.action.type = Action::Type::kInvoke;
        else if (at == "get")
          c.action.type = Action::Type::kGet;
        else
          throw std::runtime_error("unknown action type \"" + at + "\"");
        if (a.contains("module")) c.action.module = Str(a, "module");
        c.action.field = Str(a, "field");
        if (a.contains("args")) {
          for (const auto& v : a["args"]) {
            if (!v.contains("value")) throw std::runtime_error("argument without a value");
            if (v["value"].is_array())
              c.action.args.push_back(ParseJsonV128(Str(v, "lane_type"), Lanes(v["value"])));
            else
              c.action.args.push_back(ParseJsonValue(Str(v, "type"), Str(v, "value")));
          }
        }
      }
      // assert_trap / assert_exhaustion list only the result types: nothing to compare.
      if (c.type == Command::Type::kAssertReturn) {
        if (j.contains("expected"))
          for (const auto& v : j["expected"]) c.expected.push_back(Expected(v));
        if (j.contains("either"))
          for (const auto& v : j["either"]) c.either.push_back(Expected(v));
      }
    } catch (const UnsupportedValue& e) {
      c.unsupported = e.what();
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error("line " + std::to_string(c.line) + ": " + e.what());
    }
    if (c.has_action == false &&
        (c.type == Command::Type::kAction || c.type == Command::Type::kAssertReturn ||
         c.type == Command::Type::kAssertExhaustion))
      throw std::runtime_error(c.type_name + " without an action at line " +
                               std::to_string(c.line));
    out.push_back(std::move(c));
  }
  return out;
}

std::map<std::string, std::string> ParseExpectedFailures(std::string_view text) {
  std::map<std::string, std::string> out;
  int lineno = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++lineno;
    if (auto hash = line.find('#'); hash != line.npos) line = line.substr(0, hash);
    auto first = line.find_first_not_of(" \t\r");
    if (first == line.npos) continue;
    line = line.substr(first);
    line = line.substr(0, line.find_last_not_of(" \t\r") + 1);
    auto sp = line.find_first_of(" \t");
    std::string id(line.substr(0, sp));
    std::string where = "expected-failure line " + std::to_string(lineno) + ": ";
    auto colon = id.rfind(':');
    if (colon == id.npos || colon < 6 || id.compare(colon - 5, 5, ".wast") != 0 ||
        colon + 1 == id.size() ||
        id.find_first_not_of("0123456789", colon + 1) != std::string::npos)
      throw std::runtime_error(where + "\"" + id + "\" is not FILE.wast:LINE");
    if (sp == line.npos) throw std::runtime_error(where + id + " has no reason");
    std::string reason(line.substr(line.find_first_not_of(" \t", sp)));
    if (!out.emplace(id, reason).second) throw std::runtime_error(where + id + " listed twice");
  }
  return out;
}

bool MatchesGlob(std::string_view glob, std::string_view file_name) {
  return fnmatch(std::string(glob).c_str(), std::string(file_name).c_str(), 0) == 0;
}

}  // namespace tandem::spec
