// encoder.h: the binary encoder (Spec 5, "Binary Format"), the inverse of Decode() (decoder.h),
// for tools that decode a module, change it and write it out again (generators, reducer).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reference/module.h"

namespace tandem::wasm {

// Encodes `m` as a complete binary module that Decode() reads back into a module SameModule()
// to `m`. Encoding is deterministic: it depends only on what SameModule() compares.
//  - LEB128 numbers are minimal; sections come in the order of Spec 5.5.16 (type, import,
//    function, table, memory, global, export, start, element, data count, code, data), empty
//    ones left out; the data count section is written iff m.data_count is set.
//  - Custom sections follow the last section, in the order of m.customs, their payloads taken
//    from m.bytes[offset, offset + size). Data segment contents come from m.bytes likewise.
//  - Defined functions are m.func_types[m.num_imported_funcs...] with bodies m.code; tables,
//    memories and globals likewise skip the imported ones at the front of their index spaces.
//  - Function bodies keep their local groups as in FunctionBody::locals; instructions are
//    written as decoder.cc reads them (ImmKind in opcodes.h).
//  - Element segments use function-index forms (flags 0..3) when the type is funcref and every
//    init expression is a single ref.func, expression forms (4..7) otherwise.
// Throws std::invalid_argument when the module cannot be written: a payload or data range
// outside m.bytes, a br_table outside its body's pool, a br_table in a constant expression
// (whose targets the model does not keep), a declarative data segment, or fewer entries in
// m.func_types than imported functions.
std::vector<uint8_t> Encode(const Module& m);

// Structural equality of two modules: every field of the model except byte offsets
// (Instr::offset, FunctionBody::body_offset/body_size, DataSegment::data_offset,
// CustomSection::offset) and Module::bytes. Data segment contents and custom section payloads
// are compared by their bytes, br_table targets by value (not by pool position).
// On a difference returns false and, if `why` is not null, sets *why to the first difference,
// e.g. "function 3 instruction 17: i32.const c 5 vs 6" (functions numbered in the function
// index space, imports first).
bool SameModule(const Module& a, const Module& b, std::string* why = nullptr);

}  // namespace tandem::wasm
