// wast_json.cc: reading wast2json's JSON commands and values, NaN classes, expected-failure
// lists (Spec 4.3.3 for the NaN classes; DESIGN.md "Layout", spec-tests/).
#include "spec-tests/wast_json.h"

#include <fnmatch.h>

#include <cctype>
#include <cerrno>
#include <cmath>
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
      if (got.type == ValType::F32) return (got.bits & 0x7fffffff) == (kF32ExpMask | kF32Quiet);
      if (got.type == ValType::F64)
        return (got.bits & 0x7fffffffffffffff) == (kF64ExpMask | kF64Quiet);
      return false;
    case K::kNanArithmetic:
      if (got.type == ValType::F32)
        return (got.bits & 0xffffffff & (kF32ExpMask | kF32Quiet)) == (kF32ExpMask | kF32Quiet);
      if (got.type == ValType::F64)
        return (got.bits & (kF64ExpMask | kF64Quiet)) == (kF64ExpMask | kF64Quiet);
      return false;
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
      throw UnsupportedValue("v128 values are not supported yet");
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
  if (*type == ValType::V128) throw UnsupportedValue("v128 values are not supported yet");
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
        throw std::invalid_argument("v128 arguments are not supported yet");
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

std::vector<Command> ParseWastJson(std::string_view json_text) {
  nlohmann::json doc = nlohmann::json::parse(json_text);
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
            if (!v["value"].is_string())
              throw UnsupportedValue(Str(v, "type") + " argument of this form");
            c.action.args.push_back(ParseJsonValue(Str(v, "type"), Str(v, "value")));
          }
        }
      }
      // assert_trap / assert_exhaustion list only the result types: nothing to compare.
      if (c.type == Command::Type::kAssertReturn && j.contains("expected")) {
        for (const auto& v : j["expected"]) {
          std::string vt = Str(v, "type");
          if (v.contains("value") && !v["value"].is_string())
            throw UnsupportedValue(vt + " values are not supported yet");
          c.expected.push_back(ParseJsonExpected(
              vt, v.contains("value")
                      ? std::optional<std::string_view>(v["value"].get_ref<const std::string&>())
                      : std::nullopt));
        }
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
