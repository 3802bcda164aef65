// json_report.cc: the JSON of a spec run, written and read back (DESIGN.md "Layout" reports/).
#include "reports/json_report.h"

#include <algorithm>
#include <map>

namespace tandem::reports {

using nlohmann::json;

json ToJson(const TestResult& t) {
  return {{"line", t.line},         {"command", t.command},
          {"engine", t.engine},     {"status", StatusName(t.status)},
          {"expected", t.expected}, {"got", t.got},
          {"message", t.message},   {"skip_category", t.skip_category}};
}

void WriteSpecJson(const SpecRun& run, std::ostream& out) {
  Counts total;
  for (const auto& f : run.files)
    for (const auto& eng : run.engines)
      for (const auto& t : f.tests)
        if (t.engine == eng) total.Add(t.status);
  json j;
  j["summary"] = {{"passed", total.passed},
                  {"failed", total.failed},
                  {"skipped", total.skipped},
                  {"expected_failures", total.xfail},
                  {"engines", run.engines}};
  // --verify: the verifier's counts per engine, over the run and per file (absent without it).
  auto verify_json = [](const VerifyCounts& v) {
    return json{{"functions", v.functions}, {"accesses", v.accesses}, {"proved", v.proved},
                {"failed", v.failed},       {"unknown", v.unknown},   {"cached", v.cached}};
  };
  std::map<std::string, VerifyCounts> verify_total;
  for (const auto& f : run.files)
    for (const VerifyCounts& v : f.verify) verify_total[v.engine].Add(v);
  if (!verify_total.empty()) {
    j["summary"]["verify"] = json::object();
    for (const auto& [engine, v] : verify_total) j["summary"]["verify"][engine] = verify_json(v);
  }
  j["files"] = json::array();
  j["results"] = json::array();
  for (const auto& f : run.files) {
    j["files"].push_back({{"file", f.name},
                          {"path", f.path},
                          {"state", FileStateName(f.state)},
                          {"error", f.error}});
    if (!f.verify.empty()) {
      json& v = j["files"].back()["verify"] = json::object();
      for (const VerifyCounts& c : f.verify) v[c.engine] = verify_json(c);
    }
    for (const auto& t : f.tests) {
      json r = ToJson(t);
      r["file"] = f.name;
      r["id"] = TestId(f, t);
      j["results"].push_back(std::move(r));
    }
  }
  out << j.dump(1) << "\n";
}

namespace {

constexpr const char* kWhat = "not the JSON of `tandem spec --json`";

std::string Keys(const json& j) {
  std::string out;
  for (const auto& [k, v] : j.items()) {
    if (out.size() > 80) return out + ", ...";
    out += (out.empty() ? "" : ", ") + k;
  }
  return out.empty() ? "none" : out;
}

const std::string& Str(const json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string())
    throw InputError(where + ": \"" + key + "\" is missing or not a string");
  return it->get_ref<const std::string&>();
}

}  // namespace

SpecRun ReadSpecJson(std::string_view text) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 1: ..." -> from "parse".
    auto at = what.find("parse error");
    throw InputError("not JSON: " + (at == std::string::npos ? what : what.substr(at)));
  }
  if (!j.is_object())
    throw InputError(std::string(kWhat) + " (a JSON " + j.type_name() + ", not an object)");
  if (!j.contains("summary") || !j.contains("files") || !j.contains("results"))
    throw InputError(std::string(kWhat) +
                     ": it needs \"summary\", \"files\" and \"results\" "
                     "(its keys: " +
                     Keys(j) + ")");
  const json& summary = j["summary"];
  const json& files = j["files"];
  const json& results = j["results"];
  if (!summary.is_object() || !summary.contains("engines") || !summary["engines"].is_array())
    throw InputError(std::string(kWhat) + ": \"summary\" has no \"engines\" list");
  if (!files.is_array() || !results.is_array())
    throw InputError(std::string(kWhat) + ": \"files\" and \"results\" must be lists");

  SpecRun run;
  for (const json& e : summary["engines"]) {
    if (!e.is_string() || e.get_ref<const std::string&>().empty())
      throw InputError(std::string(kWhat) + ": \"summary\".\"engines\" must be engine names");
    run.engines.push_back(e.get<std::string>());
  }
  if (run.engines.empty()) throw InputError("an empty run: it names no engine");
  if (files.empty()) throw InputError("an empty run: no file was run");
  if (results.empty())
    throw InputError("an empty run: " + std::to_string(files.size()) +
                     " file(s) but no test result");

  for (size_t i = 0; i < files.size(); ++i) {
    std::string where = "files[" + std::to_string(i) + "]";
    const json& f = files[i];
    if (!f.is_object()) throw InputError(where + ": not an object");
    FileResult fr;
    fr.name = Str(f, "file", where);
    fr.path = Str(f, "path", where);
    const std::string& state = Str(f, "state", where);
    auto st = ParseFileState(state);
    if (!st) throw InputError(where + ": unknown state \"" + state + "\"");
    fr.state = *st;
    fr.error = Str(f, "error", where);
    if (auto v = f.find("verify"); v != f.end()) {
      if (!v->is_object()) throw InputError(where + ": \"verify\" must be an object");
      for (const auto& [engine, counts] : v->items()) {
        VerifyCounts c;
        c.engine = engine;
        const std::pair<const char*, uint64_t*> fields[] = {
            {"functions", &c.functions}, {"accesses", &c.accesses}, {"proved", &c.proved},
            {"failed", &c.failed},       {"unknown", &c.unknown},   {"cached", &c.cached}};
        for (const auto& [key, out] : fields) {
          auto it = counts.find(key);
          if (it == counts.end() || !it->is_number_unsigned())
            throw InputError(where + ": \"verify\".\"" + engine + "\" has no count \"" + key + "\"");
          *out = it->get<uint64_t>();
        }
        fr.verify.push_back(std::move(c));
      }
    }
    run.files.push_back(std::move(fr));
  }

  // Results come file by file, in the order of "files" (a name may occur twice when two
  // folders hold files of the same name).
  size_t current = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    std::string where = "results[" + std::to_string(i) + "]";
    const json& r = results[i];
    if (!r.is_object()) throw InputError(where + ": not an object");
    const std::string& file = Str(r, "file", where);
    size_t k = current;
    while (k < run.files.size() && run.files[k].name != file) ++k;
    if (k == run.files.size())
      throw InputError(where + ": file \"" + file +
                       "\" is not in \"files\" (or its results are out of order)");
    current = k;
    TestResult t;
    auto line = r.find("line");
    if (line == r.end() || !line->is_number_integer() || line->get<int64_t>() < 0 ||
        line->get<int64_t>() > 1'000'000'000)
      throw InputError(where + ": \"line\" is missing or not a line number");
    t.line = line->get<int>();
    t.command = Str(r, "command", where);
    t.engine = Str(r, "engine", where);
    if (std::find(run.engines.begin(), run.engines.end(), t.engine) == run.engines.end())
      throw InputError(where + ": engine \"" + t.engine + "\" is not among the run's engines");
    const std::string& status = Str(r, "status", where);
    auto s = ParseStatus(status);
    if (!s) throw InputError(where + ": unknown status \"" + status + "\"");
    t.status = *s;
    t.expected = Str(r, "expected", where);
    t.got = Str(r, "got", where);
    t.message = Str(r, "message", where);
    t.skip_category = Str(r, "skip_category", where);
    run.files[k].tests.push_back(std::move(t));
  }

  // The summary must count what the results hold (a truncated or edited file does not).
  Counts total;
  for (const auto& f : run.files)
    for (const auto& eng : run.engines)
      for (const auto& t : f.tests)
        if (t.engine == eng) total.Add(t.status);
  const std::pair<const char*, uint64_t> sums[] = {{"passed", total.passed},
                                                   {"failed", total.failed},
                                                   {"skipped", total.skipped},
                                                   {"expected_failures", total.xfail}};
  for (const auto& [key, n] : sums) {
    auto it = summary.find(key);
    if (it == summary.end() || !it->is_number_unsigned())
      throw InputError(std::string(kWhat) + ": \"summary\" has no count \"" + key + "\"");
    if (it->get<uint64_t>() != n)
      throw InputError(std::string("\"summary\" says ") + std::to_string(it->get<uint64_t>()) +
                       " " + key + " but the results hold " + std::to_string(n) +
                       " (a truncated or edited file?)");
  }
  return run;
}

}  // namespace tandem::reports
