// compare_runs.cc: what changed between two spec runs (DESIGN.md "Layout" reports/).
#include "reports/compare_runs.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace tandem::reports {

std::vector<std::string> FileKeys(const SpecRun& run) {
  std::map<std::string, int> seen;
  std::vector<std::string> keys;
  for (const FileResult& f : run.files) {
    int n = ++seen[f.name];
    keys.push_back(n == 1 ? f.name : f.name + " (" + std::to_string(n) + ")");
  }
  return keys;
}

namespace {

// (line, command, engine, occurrence): the same test may be recorded twice at one line (a
// module command's failure and a difference, for example); the occurrence keeps them apart.
using TestKey = std::tuple<int, std::string, std::string, int>;

std::vector<std::pair<TestKey, const TestResult*>> Keyed(const FileResult& f) {
  std::map<std::tuple<int, std::string, std::string>, int> seen;
  std::vector<std::pair<TestKey, const TestResult*>> out;
  for (const TestResult& t : f.tests) {
    int n = seen[{t.line, t.command, t.engine}]++;
    out.push_back({{t.line, t.command, t.engine, n}, &t});
  }
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

RunComparison CompareRuns(const SpecRun& before, const SpecRun& after) {
  RunComparison out;
  for (const auto& e : before.engines)
    if (!Has(after.engines, e)) out.engines_only_before.push_back(e);
  for (const auto& e : after.engines)
    if (!Has(before.engines, e)) out.engines_only_after.push_back(e);
  auto common_engine = [&](const std::string& e) {
    return Has(before.engines, e) && Has(after.engines, e);
  };

  std::vector<std::string> kb = FileKeys(before), ka = FileKeys(after);
  std::map<std::string, const FileResult*> by_key;
  for (size_t i = 0; i < before.files.size(); ++i) by_key[kb[i]] = &before.files[i];
  std::set<std::string> after_keys(ka.begin(), ka.end());
  for (size_t i = 0; i < before.files.size(); ++i)
    if (!after_keys.count(kb[i])) out.files_only_before.push_back(kb[i]);

  for (size_t i = 0; i < after.files.size(); ++i) {
    auto it = by_key.find(ka[i]);
    if (it == by_key.end()) {
      out.files_only_after.push_back(ka[i]);
      continue;
    }
    const FileResult& fb = *it->second;
    const FileResult& fa = after.files[i];
    std::map<TestKey, const TestResult*> old;
    for (const auto& [k, t] : Keyed(fb))
      if (common_engine(t->engine)) old[k] = t;
    for (const auto& [k, t] : Keyed(fa)) {
      if (!common_engine(t->engine)) continue;
      ++out.compared;
      auto o = old.find(k);
      const TestResult* prev = o == old.end() ? nullptr : o->second;
      if (o != old.end()) old.erase(o);
      if (prev && prev->status == t->status) continue;
      out.changes.push_back({&fa, prev, t, TestId(fa, *t), t->engine, t->command});
      if (t->status == Status::kFailed) ++out.newly_failed;
      if (prev && prev->status == Status::kFailed) ++out.fixed;
    }
    for (const auto& [k, t] : old) {  // gone from the later run
      out.changes.push_back({&fb, t, nullptr, TestId(fb, *t), t->engine, t->command});
    }
  }
  return out;
}

}  // namespace tandem::reports
