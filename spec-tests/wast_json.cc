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

using wasm::FormatLane;
using wasm::ParseDecimalBits;
using wasm::ValType;
using wasm::ValTypeFromName;
using wasm::Value;

namespace {

constexpr uint32_t kF32ExpMask = 0x7f800000;
constexpr uint32_t kF32Quiet = 0x00400000;
constexpr uint64_t kF64ExpMask = 0x7ff0000000000000;
constexpr uint64_t kF64Quiet = 0x0008000000000000;

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

bool TrapMatches(wasm::TrapKind kind, std::string_view text) {
  for (int k = 0; k < wasm::kNumTrapKinds; ++k) {
    auto precise = static_cast<wasm::TrapKind>(k);
    if (wasm::TrapKindCovers(kind, precise) && TrapTextMatches(wasm::TrapMessage(precise), text))
      return true;
  }
  return false;
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
  auto type = ValTypeFromName(type_name);
  if (!type) throw std::invalid_argument("unknown value type \"" + std::string(type_name) + "\"");
  switch (*type) {
    case ValType::I32:
      return Value::I32(static_cast<uint32_t>(ParseDecimalBits(value, 32)));
    case ValType::I64:
      return Value::I64(ParseDecimalBits(value, 64));
    case ValType::F32:
      return Value::F32Bits(static_cast<uint32_t>(ParseDecimalBits(value, 32)));
    case ValType::F64:
      return Value::F64Bits(ParseDecimalBits(value, 64));
    case ValType::V128:
      throw std::invalid_argument("a v128 value needs a lane type and a list of lanes");
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (value == "null") return Value::Null(*type);
      if (*type == ValType::FuncRef)
        throw std::invalid_argument("a funcref value other than null cannot be given");
      return Value::Ref(*type, ParseDecimalBits(value, 32));
  }
  throw std::invalid_argument("unknown value type");
}

ExpectedValue ParseJsonExpected(std::string_view type_name, std::optional<std::string_view> value) {
  auto type = ValTypeFromName(type_name);
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
    SetLane(v, shape, static_cast<int>(i), ParseDecimalBits(lanes[i], LaneBits(shape)));
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
      SetLane(e.value, shape, static_cast<int>(i), ParseDecimalBits(l, LaneBits(shape)));
    }
  }
  return e;
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
