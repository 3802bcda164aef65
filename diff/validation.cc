// validation.cc: three front ends on one module (validation.h).
#include "diff/validation.h"

#include <sys/wait.h>

#include <fstream>
#include <span>
#include <stdexcept>

#include <fmt/format.h>

#include "diff/gen/generator.h"
#include "diff/v8_engine.h"
#include "reference/decoder.h"
#include "reference/errors.h"
#include "reference/validator.h"

namespace tandem::diff {

namespace {

FrontEndVerdict Tandem(const std::vector<uint8_t>& bytes) {
  FrontEndVerdict v{"tandem", true, ""};
  try {
    wasm::Module m = wasm::Decode(bytes);
    wasm::Validate(m);
  } catch (const wasm::LimitError& e) {
    v.accepted = false;
    v.message = std::string("limit: ") + e.what();
  } catch (const wasm::MalformedError& e) {
    v.accepted = false;
    v.message = std::string("malformed: ") + e.what();
  } catch (const wasm::InvalidError& e) {
    v.accepted = false;
    v.message = std::string("invalid: ") + e.what();
  } catch (const std::exception& e) {
    v.accepted = false;
    v.message = std::string("refused: ") + e.what();
  }
  return v;
}

// Disagreements the spec allows, from the verdicts (tandem first).
std::string Allowed(const std::vector<FrontEndVerdict>& vs, const std::vector<uint8_t>& bytes) {
  const FrontEndVerdict& t = vs[0];
  bool v8_accepts = false, v8_refuses = false;
  for (const FrontEndVerdict& v : vs) {
    if (v.front_end == "v8") (v.accepted ? v8_accepts : v8_refuses) = true;
  }
  // Implementation limits (the JS API's, which tandem and V8 keep; WABT keeps none): a module
  // beyond one is refused by tandem and V8, accepted by WABT. The spec lets implementations
  // refuse modules beyond their limits (Spec 7.1 "Implementation Limitations").
  if (!t.accepted && t.message.rfind("limit: ", 0) == 0 && !v8_accepts)
    return "implementation limit (WABT keeps none): " + t.message.substr(7);
  // Exception handling, which V8 11.3 ships without a switch and Wasm 2.0 does not have: its
  // instructions (try, catch, throw, rethrow, delegate, catch_all) and its tag section (id 13).
  bool wabt_accepts = false;
  for (const FrontEndVerdict& v : vs) wabt_accepts |= v.front_end == "wabt" && v.accepted;
  if (!t.accepted && v8_accepts && !wabt_accepts) {
    for (const char* op : {"0x06", "0x07", "0x08", "0x09", "0x18", "0x19"})
      if (t.message.find(std::string("illegal opcode: ") + op) != std::string::npos)
        return std::string("exception handling (V8 ships it; Wasm 2.0 has no opcode ") + op + ")";
    if (t.message.find("malformed section id") != std::string::npos && gen::SectionSize(bytes, 13).has_value())
      return "exception handling (V8 ships it; Wasm 2.0 has no tag section, id 13)";
  }
  // A known bug of WABT 1.0.32 (docs/known-bugs.md): wasm-validate accepts a function body
  // whose last byte is the `end` of a block, without the function's own `end` (Spec 5.4.9: an
  // expression ends with 0x0B). tandem refuses it as malformed (its message depends on where
  // its reading of the body ran out), V8 says so exactly.
  std::string v8_message;
  for (const FrontEndVerdict& v : vs)
    if (v.front_end == "v8") v8_message = v.message;
  if (!t.accepted && v8_refuses && wabt_accepts &&
      t.message.rfind("malformed: ", 0) == 0 &&
      v8_message.find("function body must end with \"end\" opcode") != std::string::npos)
    return "known bug of WABT 1.0.32: a function body without its final end is accepted";
  return "";
}

}  // namespace

std::string ValidationResult::Summary() const {
  std::string s;
  for (const FrontEndVerdict& v : verdicts) {
    if (!s.empty()) s += ", ";
    s += v.front_end + (v.accepted ? " accepted" : " refused");
    if (!v.accepted && !v.message.empty()) s += " (" + v.message.substr(0, 160) + ")";
  }
  return s;
}

FrontEnds::FrontEnds(bool v8, std::string wasm_validate) : wasm_validate_(std::move(wasm_validate)) {
  if (v8) {
    EngineConfig config;
    v8_ = std::make_unique<V8Engine>("liftoff", config);
  }
  if (!wasm_validate_.empty()) dir_ = std::make_unique<TempDir>("tandem-validate");
}

FrontEnds::~FrontEnds() = default;

std::vector<std::string> FrontEnds::Names() const {
  std::vector<std::string> n = {"tandem"};
  if (v8_) n.push_back("v8");
  if (!wasm_validate_.empty()) n.push_back("wabt");
  return n;
}

ValidationResult FrontEnds::Check(const std::vector<uint8_t>& bytes) {
  ValidationResult r;
  r.verdicts.push_back(Tandem(bytes));
  if (v8_) {
    auto v = v8_->Check(std::span<const uint8_t>(bytes.data(), bytes.size()));
    if (v)
      r.verdicts.push_back({"v8", v->accepted, v->message});
    else
      r.peer_failure = "V8 gave no verdict: its node process died or did not answer";
  }
  if (!wasm_validate_.empty()) {
    const std::string path = (dir_->path() / "module.wasm").string();
    {
      std::ofstream f(path, std::ios::binary | std::ios::trunc);
      f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      if (!f) throw std::runtime_error("cannot write " + path);
    }
    int status = RunQuiet({wasm_validate_, path});
    if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
      throw std::runtime_error(fmt::format("wasm-validate failed (status {})", status));
    r.verdicts.push_back({"wabt", WEXITSTATUS(status) == 0, ""});
  }
  for (const FrontEndVerdict& v : r.verdicts) r.agree &= v.accepted == r.verdicts[0].accepted;
  if (!r.agree) r.allowed = Allowed(r.verdicts, bytes);
  return r;
}

}  // namespace tandem::diff
