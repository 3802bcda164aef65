// errors.h: the ways a module can be refused (Spec 5 "malformed", 3 "invalid", 4.5.4 link errors).
// The message starts with the spec's text (what the test suite's assert_* expects), then
// ": " and detail (STYLE.md 4).
#pragma once

#include <stdexcept>
#include <string>

namespace tandem::wasm {

enum class ErrorKind { kMalformed, kInvalid, kUnlinkable, kUninstantiable, kLimit, kResource };

class WasmError : public std::runtime_error {
 public:
  WasmError(ErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

struct MalformedError : WasmError {
  explicit MalformedError(const std::string& m) : WasmError(ErrorKind::kMalformed, m) {}
};
struct InvalidError : WasmError {
  explicit InvalidError(const std::string& m) : WasmError(ErrorKind::kInvalid, m) {}
};
struct LinkError : WasmError {
  explicit LinkError(const std::string& m) : WasmError(ErrorKind::kUnlinkable, m) {}
};

// A module beyond an implementation limit (limits.h): "too many locals: 50001 (limit 50000)".
// Not a spec failure; every engine refuses the same modules, since the check is shared.
struct LimitError : WasmError {
  explicit LimitError(const std::string& m) : WasmError(ErrorKind::kLimit, m) {}
};
// A store cannot provide what an instantiation asks for (a store budget of limits.h, or the
// host refused memory): "resource exhausted: ...". Never a crash, never a partial allocation
// left half-initialised behind a success.
struct ResourceError : WasmError {
  explicit ResourceError(const std::string& m) : WasmError(ErrorKind::kResource, m) {}
};

}  // namespace tandem::wasm
