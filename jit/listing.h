// listing.h: the annotated code listing of `tandem run --print-code` and the golden tests
// (STYLE.md 10, 12; docs/print-code.md; issue 4 "--print-code").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "jit/jit_store.h"
#include "reference/module.h"

namespace tandem::jit {

// The host addresses generated code may embed (docs/jit.md "Compilation unit"). The listing
// prints them as names so that it does not depend on where the process mapped anything.
// 0 = not used by any function of the store.
struct HostSymbols {
  uint64_t code_table = 0;     // uint64_t[store function index]
  uint64_t runtime_table = 0;  // RuntimeFn[RuntimeCall]
  uint64_t exit = 0;           // the trampoline's exit path
  uint64_t stack_limit = 0;    // the JIT stack limit of the entry check
  uint32_t code_table_entries = 0;  // the code table's capacity (arena max_functions)
};

// Recovers the symbols from the store's code, as the compiler annotated it: the immediate of the
// `movabs` that follows a kRuntimeCall note (runtime table + 8 * service), a kCall note (code
// table + 8 * store index, or the code table itself for call_indirect), that starts a trap stub
// (the exit) and that feeds `cmp rsp, r11` in the entry check (the stack limit). This names
// immediates for reading; it proves nothing (the code tests check the targets independently).
HostSymbols FindHostSymbols(const JitStore& store);

// The listing of one compiled function (the bytes as emitted, before linking):
//   ;; function F "export" (instance I): N bytes of code[, P bytes of constant pool]
//   then per instruction `  OFFSET  HEX  TEXT  [; comment]`, code-relative offsets, with
//   comment lines before the instructions the notes point at (wasm offset + opcode, bounds
//   check, trap stub and its kind, runtime call and service, call and callee), the access
//   instruction of each bounds record marked, host addresses as <names>, local calls as
//   `call <func N>`, and the constant pool after the final ud2 printed as `.quad` data.
// Deterministic: no host address appears in it.
// AArch64 listings carry the same notes; host addresses built by movz/movk stay numeric.
std::string FormatFunctionListing(const wasm::Module& module, const CodeInfo& info,
                                  const HostSymbols& symbols, Arch arch = Arch::kX64);

// Every compiled function of the store, in compilation order, blank line between functions.
std::string FormatStoreListing(const JitStore& store);

}  // namespace tandem::jit
