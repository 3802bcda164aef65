// validation.h: the validation differential (DESIGN.md "Engines": V8 as a peer). One module's
// accept/reject by three independent front ends: tandem's decoder and validator, V8's
// (WebAssembly.Module through the V8 peer's node worker), and WABT's `wasm-validate`. A
// disagreement is a finding of `tandem fuzz --validation` and `tandem check`, unless it is one
// the spec allows (an implementation limit that only some front ends keep).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "diff/process.h"

namespace tandem::diff {

class V8Engine;

struct FrontEndVerdict {
  std::string front_end;  // "tandem", "v8", "wabt"
  bool accepted = false;
  std::string message;    // why it refused ("" when accepted or when the tool gives no reason)
};

struct ValidationResult {
  std::vector<FrontEndVerdict> verdicts;  // tandem first, then those available
  bool agree = true;
  // For a disagreement the spec allows: which ("implementation limit: ..."); else "".
  std::string allowed;
  // V8 gave no verdict (its node process died or hung; it is restarted for the next module).
  std::string peer_failure;
  std::string Summary() const;  // "tandem accepted, v8 refused (...), wabt accepted"
};

class FrontEnds {
 public:
  // `v8`: ask V8 (node must be there); `wasm_validate`: WABT's tool ("" = leave it out).
  // Throws std::runtime_error when V8 is asked for and cannot start.
  FrontEnds(bool v8, std::string wasm_validate);
  ~FrontEnds();
  ValidationResult Check(const std::vector<uint8_t>& bytes);
  // The front ends asked, in order ("tandem", "v8", "wabt").
  std::vector<std::string> Names() const;

 private:
  std::unique_ptr<V8Engine> v8_;
  std::string wasm_validate_;
  std::unique_ptr<TempDir> dir_;
};

}  // namespace tandem::diff
