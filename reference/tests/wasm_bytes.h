// wasm_bytes.h: a tiny helper to build Wasm binaries by hand in tests.
// Mirrors the binary format of Spec 5 (LEB128 5.2.2, names 5.2.4, sections 5.5.2).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "reference/leb128.h"

namespace tandem::wasm::testing {

using Bytes = std::vector<uint8_t>;

inline Bytes Uleb(uint64_t v) {
  Bytes out;
  WriteUnsignedLeb(&out, v);
  return out;
}

inline Bytes Sleb(int64_t v) {
  Bytes out;
  WriteSignedLeb(&out, v);
  return out;
}

// `head` followed by every part. The whole size is reserved first: besides saving
// reallocations, this keeps GCC 12 from a false -Warray-bounds in vector::insert's reallocation
// path when the size of `head` is a known constant (Vec, ModuleBytes).
inline Bytes Concat(Bytes head, std::initializer_list<Bytes> parts) {
  size_t size = head.size();
  for (const auto& p : parts) size += p.size();
  head.reserve(size);
  for (const auto& p : parts) head.insert(head.end(), p.begin(), p.end());
  return head;
}

// Concatenation of byte strings.
inline Bytes Cat(std::initializer_list<Bytes> parts) { return Concat({}, parts); }

// A name: length then bytes (no UTF-8 check, so tests can build bad names).
inline Bytes Name(std::string_view s) {
  Bytes out = Uleb(s.size());
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

// A vector: element count then the elements.
inline Bytes Vec(std::initializer_list<Bytes> items) { return Concat(Uleb(items.size()), items); }

// A section: id, LEB size, content.
inline Bytes Section(uint8_t id, const Bytes& content) {
  return Cat({Bytes{id}, Uleb(content.size()), content});
}

inline Bytes Header() { return {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}; }

// Header followed by the given sections (or raw bytes).
inline Bytes ModuleBytes(std::initializer_list<Bytes> sections) {
  return Concat(Header(), sections);
}

// A function body entry of the code section: size, locals, code (code includes the final end).
inline Bytes Body(const Bytes& locals_vec, const Bytes& code) {
  Bytes content = Cat({locals_vec, code});
  return Cat({Uleb(content.size()), content});
}

// Type section with one type [] -> [], function section with `n` functions of it, and a code
// section holding `bodies` (each built with Body()).
inline Bytes OneTypeFuncs(uint32_t n) {
  Bytes funcs = Uleb(n);
  for (uint32_t i = 0; i < n; ++i) funcs.push_back(0x00);
  return Cat({Section(1, Vec({{0x60, 0x00, 0x00}})), Section(3, funcs)});
}

}  // namespace tandem::wasm::testing
