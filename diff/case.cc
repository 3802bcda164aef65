// case.cc: cases and their call scripts (case.h; the JSON format is in docs/fuzzing.md).
#include "diff/case.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "reference/decoder.h"
#include "reference/validator.h"
#include "reference/value_text.h"

namespace tandem::diff {

using nlohmann::json;
using wasm::Outcome;
using wasm::Value;

namespace {

[[noreturn]] void Bad(const std::string& where, const std::string& what) {
  throw std::invalid_argument(where + ": " + what);
}

std::optional<wasm::TrapKind> TrapFromText(std::string_view text) {
  for (int k = 0; k < wasm::kNumTrapKinds; ++k) {
    auto kind = static_cast<wasm::TrapKind>(k);
    if (text == wasm::TrapMessage(kind) || text == wasm::TrapKindName(kind)) return kind;
  }
  return std::nullopt;
}

Expectation ParseExpectation(const json& j, const std::string& where) {
  if (!j.is_object() || j.size() != 1)
    Bad(where, "\"expect\" is one of {\"returned\": [VALUES]}, {\"trap\": MESSAGE}, "
               "{\"exhausted\": \"call stack\" | \"fuel\"}");
  Expectation e;
  if (j.contains("returned")) {
    e.kind = Expectation::Kind::kReturned;
    if (!j["returned"].is_array()) Bad(where, "\"returned\" must be a list of typed values");
    for (const json& v : j["returned"]) {
      if (!v.is_string()) Bad(where, "a value is a string such as \"i32:7\"");
      std::string text = v.get<std::string>();
      try {
        // A non-null function reference cannot be named; "funcref:bits:N" matches any.
        if (text.rfind("funcref:bits:", 0) == 0)
          e.values.push_back(Value::Ref(wasm::ValType::FuncRef, wasm::ParseDecimalBits(text.substr(13), 64)));
        else
          e.values.push_back(wasm::ParseTypedArg(text));
      } catch (const std::invalid_argument& ex) {
        Bad(where, ex.what());
      }
    }
  } else if (j.contains("trap")) {
    e.kind = Expectation::Kind::kTrap;
    if (!j["trap"].is_string()) Bad(where, "\"trap\" is a trap message such as \"unreachable\"");
    auto k = TrapFromText(j["trap"].get<std::string>());
    if (!k) Bad(where, "unknown trap \"" + j["trap"].get<std::string>() + "\"");
    e.trap = *k;
  } else if (j.contains("exhausted")) {
    e.kind = Expectation::Kind::kExhausted;
    std::string what = j["exhausted"].is_string() ? j["exhausted"].get<std::string>() : "";
    if (what == "call stack" || what == "call stack exhausted")
      e.exhaustion = wasm::ExhaustionKind::kCallStack;
    else if (what == "fuel" || what == "fuel exhausted")
      e.exhaustion = wasm::ExhaustionKind::kFuel;
    else
      Bad(where, "\"exhausted\" is \"call stack\" or \"fuel\"");
  } else {
    Bad(where, "\"expect\" needs \"returned\", \"trap\" or \"exhausted\"");
  }
  return e;
}

json ExpectationJson(const Expectation& e) {
  switch (e.kind) {
    case Expectation::Kind::kReturned: {
      json values = json::array();
      for (const Value& v : e.values) values.push_back(wasm::FormatTypedValue(v));
      return {{"returned", values}};
    }
    case Expectation::Kind::kTrap:
      return {{"trap", wasm::TrapMessage(e.trap)}};
    case Expectation::Kind::kExhausted:
      return {{"exhausted",
               e.exhaustion == wasm::ExhaustionKind::kFuel ? "fuel" : "call stack"}};
  }
  return {};
}

}  // namespace

bool Meets(const Outcome& o, const Expectation& e) {
  switch (e.kind) {
    case Expectation::Kind::kReturned:
      if (o.kind != Outcome::Kind::kValues || o.values.size() != e.values.size()) return false;
      for (size_t i = 0; i < o.values.size(); ++i) {
        const Value &got = o.values[i], &want = e.values[i];
        if (got.type != want.type) return false;
        // A function reference's bits are store-specific: only null can be named.
        if (got.type == wasm::ValType::FuncRef && !want.is_null()) {
          if (got.is_null()) return false;
          continue;
        }
        if (!(got == want)) return false;
      }
      return true;
    case Expectation::Kind::kTrap:
      return o.kind == Outcome::Kind::kTrap && wasm::TrapKindCovers(o.trap, e.trap);
    case Expectation::Kind::kExhausted:
      return o.kind == Outcome::Kind::kExhausted && o.exhaustion == e.exhaustion;
  }
  return false;
}

std::string ToString(const Expectation& e) {
  switch (e.kind) {
    case Expectation::Kind::kReturned: {
      std::string s = "returned";
      for (const Value& v : e.values) {
        s += ' ';
        s += wasm::FormatTypedValue(v);
      }
      return s;
    }
    case Expectation::Kind::kTrap:
      return std::string("trap: ") + wasm::TrapMessage(e.trap);
    case Expectation::Kind::kExhausted:
      return std::string("exhausted: ") + wasm::ExhaustionMessage(e.exhaustion);
  }
  return "?";
}

Expectation ExpectationFromText(std::string_view text) {
  Expectation e;
  auto rest = [&](std::string_view prefix) { return text.substr(prefix.size()); };
  if (text.rfind("returned", 0) == 0) {
    e.kind = Expectation::Kind::kReturned;
    std::string_view list = rest("returned");
    size_t pos = 0;
    while (pos < list.size()) {
      if (list[pos] == ' ') {
        ++pos;
        continue;
      }
      size_t end = list.find(' ', pos);
      if (end == std::string_view::npos) end = list.size();
      std::string_view item = list.substr(pos, end - pos);
      if (item.rfind("funcref:bits:", 0) == 0)
        e.values.push_back(
            Value::Ref(wasm::ValType::FuncRef, wasm::ParseDecimalBits(item.substr(13), 64)));
      else
        e.values.push_back(wasm::ParseTypedArg(item));
      pos = end;
    }
    return e;
  }
  if (text.rfind("trap: ", 0) == 0) {
    e.kind = Expectation::Kind::kTrap;
    std::string_view what = rest("trap: ");
    // The outcome text may carry detail after the spec message: "trap: unreachable: ...".
    for (int k = 0; k < wasm::kNumTrapKinds; ++k) {
      auto kind = static_cast<wasm::TrapKind>(k);
      std::string_view msg = wasm::TrapMessage(kind);
      if (what.rfind(msg, 0) == 0 && (what.size() == msg.size() || what[msg.size()] == ':')) {
        e.trap = kind;
        return e;
      }
    }
    throw std::invalid_argument("unknown trap in \"" + std::string(text) + "\"");
  }
  if (text.rfind("exhausted: ", 0) == 0) {
    e.kind = Expectation::Kind::kExhausted;
    std::string_view what = rest("exhausted: ");
    if (what.rfind(wasm::ExhaustionMessage(wasm::ExhaustionKind::kFuel), 0) == 0)
      e.exhaustion = wasm::ExhaustionKind::kFuel;
    else if (what.rfind(wasm::ExhaustionMessage(wasm::ExhaustionKind::kCallStack), 0) == 0)
      e.exhaustion = wasm::ExhaustionKind::kCallStack;
    else
      throw std::invalid_argument("unknown exhaustion in \"" + std::string(text) + "\"");
    return e;
  }
  throw std::invalid_argument("not an outcome: \"" + std::string(text) + "\"");
}

Script ParseScript(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw std::invalid_argument(std::string("script is not JSON: ") + e.what());
  }
  if (!j.is_object()) throw std::invalid_argument("script: the top level must be an object");
  Script s;
  for (const auto& [key, value] : j.items()) {
    if (key == "description" || key == "signature" || key == "review") {
      if (!value.is_string()) Bad("script", "\"" + key + "\" must be a string");
      (key == "description" ? s.description : key == "signature" ? s.signature : s.review) =
          value.get<std::string>();
    } else if (key == "module") {
      if (!value.is_object()) Bad("script", "\"module\" must be an object");
      for (const auto& [mk, mv] : value.items()) {
        if (!mv.is_string()) Bad("script module", "\"" + mk + "\" must be a string");
        if (mk == "refused")
          s.refused = mv.get<std::string>();
        else if (mk == "instantiation")
          s.instantiation = mv.get<std::string>();
        else
          Bad("script module", "unknown key \"" + mk + "\" (known: refused, instantiation)");
      }
    } else if (key == "fuel" || key == "max_call_depth") {
      if (!value.is_number_unsigned()) Bad("script", "\"" + key + "\" must be a positive integer");
      if (key == "fuel")
        s.fuel = value.get<uint64_t>();
      else
        s.max_call_depth = value.get<uint32_t>();
    } else if (key == "calls") {
      if (!value.is_array()) Bad("script", "\"calls\" must be a list");
      for (size_t i = 0; i < value.size(); ++i) {
        const json& c = value[i];
        std::string where = "call " + std::to_string(i);
        if (!c.is_object() || !c.contains("invoke") || !c["invoke"].is_string())
          Bad(where, "a call is {\"invoke\": EXPORT, \"args\": [VALUES], \"expect\": ...}");
        Call call;
        call.export_name = c["invoke"].get<std::string>();
        for (const auto& [ck, cv] : c.items()) {
          if (ck == "invoke") continue;
          if (ck == "args") {
            if (!cv.is_array()) Bad(where, "\"args\" must be a list of typed values");
            for (const json& a : cv) {
              if (!a.is_string()) Bad(where, "an argument is a string such as \"i32:7\"");
              try {
                call.args.push_back(wasm::ParseTypedArg(a.get<std::string>()));
              } catch (const std::invalid_argument& e) {
                Bad(where, e.what());
              }
            }
          } else if (ck == "expect") {
            call.expect = ParseExpectation(cv, where);
          } else {
            Bad(where, "unknown key \"" + ck + "\" (known: invoke, args, expect)");
          }
        }
        s.calls.push_back(std::move(call));
      }
    } else {
      Bad("script", "unknown key \"" + key +
                        "\" (known: description, signature, review, module, calls, fuel, "
                        "max_call_depth)");
    }
  }
  return s;
}

std::string ScriptToJson(const Script& s) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (!s.description.empty()) j["description"] = s.description;
  if (!s.signature.empty()) j["signature"] = s.signature;
  if (!s.review.empty()) j["review"] = s.review;
  if (s.refused || s.instantiation) {
    nlohmann::ordered_json m = nlohmann::ordered_json::object();
    if (s.refused) m["refused"] = *s.refused;
    if (s.instantiation) m["instantiation"] = *s.instantiation;
    j["module"] = m;
  }
  if (s.fuel) j["fuel"] = s.fuel;
  if (s.max_call_depth) j["max_call_depth"] = s.max_call_depth;
  // One call per line: {"invoke": ..., "args": [...], "expect": {...}}.
  std::string calls;
  for (size_t i = 0; i < s.calls.size(); ++i) {
    const Call& c = s.calls[i];
    nlohmann::ordered_json jc = {{"invoke", c.export_name}};
    json args = json::array();
    for (const Value& v : c.args) args.push_back(wasm::FormatTypedValue(v));
    jc["args"] = args;
    if (c.expect) jc["expect"] = ExpectationJson(*c.expect);
    calls += (i ? ",\n    " : "\n    ") + jc.dump();
  }
  std::string head = j.dump(2);
  head.erase(head.rfind('}'));  // reopen the object to append the calls
  while (!head.empty() && (head.back() == '\n' || head.back() == ' ')) head.pop_back();
  if (head.size() > 1) head += ",";
  head += "\n  \"calls\": [" + calls + (s.calls.empty() ? "]" : "\n  ]") + "\n}\n";
  return head;
}

Script DefaultScript(const wasm::Module& m) {
  constexpr std::string_view kHangLimit = "hangLimitInitializer";
  const wasm::Export* hang = m.FindExport(kHangLimit);
  bool reset = hang && hang->kind == wasm::ExternKind::Func &&
               m.FuncTypeOf(hang->index).params.empty();
  Script s;
  for (const wasm::Export& e : m.exports) {
    if (e.kind != wasm::ExternKind::Func || e.name == kHangLimit) continue;
    if (reset) s.calls.push_back({std::string(kHangLimit), {}, std::nullopt});
    Call c{e.name, {}, std::nullopt};
    for (wasm::ValType t : m.FuncTypeOf(e.index).params) c.args.push_back(Value::Default(t));
    s.calls.push_back(std::move(c));
  }
  return s;
}

Case MakeCase(std::vector<uint8_t> bytes, std::optional<Script> script) {
  Case c;
  c.bytes = std::move(bytes);
  try {
    auto m = std::make_shared<wasm::Module>(wasm::Decode(c.bytes));
    wasm::Validate(*m);
    c.module = std::move(m);
  } catch (const std::exception& e) {  // malformed, invalid, beyond a limit, unsupported
    c.refusal = e.what();
  }
  if (script) {
    c.script = std::move(*script);
  } else if (c.module) {
    c.script = DefaultScript(*c.module);
  }
  if (!c.module) return c;
  for (size_t i = 0; i < c.script.calls.size(); ++i) {
    const Call& call = c.script.calls[i];
    std::string where = "call " + std::to_string(i) + " (\"" + call.export_name + "\")";
    const wasm::Export* e = c.module->FindExport(call.export_name);
    if (!e || e->kind != wasm::ExternKind::Func) Bad(where, "the module exports no such function");
    const wasm::FuncType& t = c.module->FuncTypeOf(e->index);
    if (call.args.size() != t.params.size())
      Bad(where, "takes " + std::to_string(t.params.size()) + " arguments, the script gives " +
                     std::to_string(call.args.size()));
    for (size_t k = 0; k < t.params.size(); ++k)
      if (call.args[k].type != t.params[k])
        Bad(where, "argument " + std::to_string(k) + " must be " +
                       wasm::ValTypeName(t.params[k]) + ", the script gives " +
                       wasm::ValTypeName(call.args[k].type));
  }
  return c;
}

}  // namespace tandem::diff
