// signature.cc: finding signatures (signature.h).
#include "diff/signature.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace tandem::diff {

namespace {

// A field name as a signature word: spaces become '-'.
std::string Word(std::string_view s) {
  std::string w(s);
  std::replace(w.begin(), w.end(), ' ', '-');
  return w;
}

// An arena difference's field without its numbers: "instance 0 globals [3]" -> "instance-globals".
std::string ArenaField(std::string_view where) {
  std::string out;
  for (size_t i = 0; i < where.size();) {
    size_t j = where.find(' ', i);
    if (j == std::string_view::npos) j = where.size();
    std::string_view w = where.substr(i, j - i);
    bool numeric = !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) || c == '[' || c == ']' || c == ',' ||
             c == ')' || c == '(' || c == 'x' || c == '-';
    });
    if (!w.empty() && !numeric) {
      if (!out.empty()) out += '-';
      out.append(w);
    }
    i = j + 1;
  }
  return out.empty() ? "arena" : "arena-" + out;
}

// The engine named after "during " in a crash's or timeout's text ("... during x64 call 3").
std::string EngineOfStep(const std::string& text) {
  size_t at = text.find("during ");
  if (at == std::string::npos) return "";
  at += 7;
  size_t end = text.find(' ', at);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// "x64: ..." -> "x64" when the word names an engine of the case.
std::string EngineOfFailure(const CaseResult& r, const std::string& text) {
  size_t colon = text.find(':');
  if (colon == std::string::npos) return "";
  std::string name = text.substr(0, colon);
  for (const EngineReport& e : r.engines)
    if (e.engine == name) return name;
  return "";
}

std::string Join(const CaseResult& r, const std::set<std::string>& names) {
  std::string out;
  for (const EngineReport& e : r.engines)
    if (names.contains(e.engine)) {
      if (!out.empty()) out += '+';
      out += e.engine;
    }
  return out;
}

}  // namespace

std::string Signature::ToString() const { return engines + ":" + kind + ":" + op; }

std::optional<Signature> ParseSignature(std::string_view text) {
  size_t a = text.find(':');
  if (a == std::string_view::npos) return std::nullopt;
  size_t b = text.find(':', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  Signature s{std::string(text.substr(0, a)), std::string(text.substr(a + 1, b - a - 1)),
              std::string(text.substr(b + 1))};
  if (s.engines.empty() || s.kind.empty() || s.op.empty() || s.op.find(':') != std::string::npos)
    return std::nullopt;
  return s;
}

int FailingStep(const CaseResult& r, size_t calls) {
  if (!r.divergences.empty()) return r.divergences.front().call;
  for (const std::string& f : r.failures) {
    if (f.find("instantiat") != std::string::npos) return -1;
    size_t at = f.find("call ");
    if (at != std::string::npos) {
      size_t i = at + 5;
      if (i < f.size() && std::isdigit(static_cast<unsigned char>(f[i]))) return std::stoi(f.substr(i));
    }
  }
  return static_cast<int>(calls);
}

Signature SignatureOf(const CaseResult& r, const std::string& op) {
  Signature s;
  s.op = op.empty() ? "?" : op;
  using V = CaseResult::Verdict;
  switch (r.verdict) {
    case V::kDivergence: {
      const int step = r.divergences.front().call;
      // The differences of the first step; an arena difference counts only when nothing else
      // differs there (the values tell which engine is wrong, the arena is compared between
      // JIT engines only).
      std::vector<const Divergence*> first;
      for (const Divergence& d : r.divergences)
        if (d.call == step && d.difference.field != Field::kArena) first.push_back(&d);
      if (first.empty())
        for (const Divergence& d : r.divergences)
          if (d.call == step) first.push_back(&d);
      const Divergence& d0 = *first.front();
      s.kind = d0.difference.field == Field::kArena ? ArenaField(d0.difference.where)
                                                    : Word(FieldName(d0.difference.field));
      std::set<std::string> differing;
      for (const Divergence* d : first)
        if (d->base == d0.base) differing.insert(d->engine);
      size_t live = 0;
      for (const EngineReport& e : r.engines) live += !e.unsupported;
      // Every other engine differs from the base: the base is the odd one out.
      if (live >= 3 && differing.size() == live - 1) differing = {d0.base};
      s.engines = Join(r, differing);
      break;
    }
    case V::kCrash:
    case V::kTimeout: {
      s.kind = r.verdict == V::kCrash ? "crash" : "timeout";
      s.engines = r.failures.empty() ? "" : EngineOfStep(r.failures.front());
      break;
    }
    case V::kInternalError:
    case V::kExpectation: {
      s.kind = r.verdict == V::kInternalError ? "internal-error" : "expectation";
      std::set<std::string> names;
      for (const std::string& f : r.failures) {
        bool internal = f.find("internal error") != std::string::npos;
        if (r.verdict == V::kInternalError && !internal) continue;
        std::string e = EngineOfFailure(r, f);
        if (e.empty()) e = EngineOfStep(f);
        if (!e.empty()) names.insert(e);
      }
      s.engines = Join(r, names);
      break;
    }
    default: return Signature{"", "", s.op};
  }
  if (s.engines.empty()) s.engines.push_back('?');  // (not = "?": GCC 12 -Wrestrict false alarm)
  return s;
}

std::string SignatureSlug(const Signature& s) {
  std::string out = s.ToString();
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '+' && c != '-')
      c = '_';
  return out;
}

}  // namespace tandem::diff
