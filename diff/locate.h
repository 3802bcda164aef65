// locate.h: where the engines part (`tandem diff --locate`; every finding's summary). Two
// methods, tried in this order:
//  - probes: the case again with a probe after nearly every instruction of every function (a
//    host-import log call carrying the probe's number and, after an instruction with one
//    numeric result, that value). The first log entry where the engines differ names the
//    instruction: a value probe the instruction whose result differs, a probe that only one
//    engine reaches the straight-line code since the last probe both reached. Probes change the
//    code the JITs emit (a fused compare and branch stays fused: no probe goes between them),
//    so a difference may not survive them; then
//  - fuel: fuel counts function entries and loop headers alike on every engine, so the failing
//    call is re-run from instantiation with the fuel limit bisected down to the least fuel with
//    which the engines differ; the reference says where it stopped, which gives the function
//    entry or loop iteration after which they differ, and the region is its straight-line code.
// A located region is a function and a range of wasm offsets, with its instructions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diff/case.h"
#include "diff/harness.h"
#include "diff/signature.h"

namespace tandem::diff {

struct Location {
  bool found = false;
  // "probes" (the logs of one run with probes part), "probe budget" (the probe budget
  // bisected) or "fuel" (the fuel limit bisected).
  std::string method;
  int step = 0;        // -1: the instantiation (start function); else the call's index
  uint32_t func = 0;   // function index (imports first)
  uint32_t begin = 0;  // wasm offsets (in the module binary) of the region's first and last
  uint32_t end = 0;    //   instruction
  // The region, one instruction per line: "0x0000004a  i32.lt_s".
  std::vector<std::string> instructions;
  std::string op = "?";  // the opcode named at the divergence (Signature::op)
  uint64_t fuel = 0;     // fuel: the least fuel with which the engines differ
  int runs = 0;          // case runs it took
  std::string note;      // why nothing was found, or what limits the answer
  bool before_code = false;  // the engines differ before any instruction of the case runs
};

struct LocateOptions {
  bool probes = true;
  bool probe_budget = true;  // bisect the probe budget when one run's logs do not tell
  bool fuel = true;
  int max_runs = 80;        // bisections: at most this many runs
  double max_seconds = 0;   // stop bisecting after this long (0: no limit)
  int run_timeout = 10;     // seconds per run, at most (a run past it counts as a timeout)
  double deadline = 0;      // (set by Locate from max_seconds)
  bool Late() const;
};

// Locates the first divergence of `original` (RunCase's result for `c` with `o`; a finding).
// Runs the case again, isolated, with `o`'s engines and faults.
Location Locate(const Case& c, const HarnessOptions& o, const CaseResult& original,
                const LocateOptions& lo = {});

// The finding's signature with the opcode Locate names ("?" when it names none); the location
// in *where when given.
Signature LocatedSignature(const Case& c, const HarnessOptions& o, const CaseResult& r,
                           Location* where = nullptr, const LocateOptions& lo = {});

nlohmann::json ToJson(const Location& l);
// For people: "located (probes): function 3, call 0 \"f\", offsets 0x4a-0x52 (3 instructions)"
// and the instructions, one per line.
std::string FormatLocation(const Location& l, const Case& c);

}  // namespace tandem::diff
