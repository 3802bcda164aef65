// state.h: comparison of two engines' canonical states (DESIGN.md "State"; STYLE.md 11:
// results first, then globals, then memories), each difference named by its field.
#pragma once

#include <string>
#include <vector>

#include "diff/engine.h"

namespace tandem::diff {

// Differences between instance `ia` of engine `a` and instance `ib` of engine `b`, e.g.
// "global 2: i32:1 vs i32:2", "memory 0 [0x10, 0x14): 01020304 vs 01020305",
// "table 0 [3]: func 1:4 vs null", "data segment 1: live vs dropped". At most `limit` entries.
std::vector<std::string> DiffInstanceStates(Engine& a, uint32_t ia, Engine& b, uint32_t ib,
                                            size_t limit = 16);

// Results compared bit for bit; references by identity (FuncIdentity for funcrefs).
bool SameValues(Engine& a, const std::vector<wasm::Value>& va, Engine& b,
                const std::vector<wasm::Value>& vb);

}  // namespace tandem::diff
