// run.cjs: runs exported functions of a module under node alone (no tandem), printing what the
// fuzzing-support log imports receive, so that a V8 bug listed in docs/known-bugs.md can be shown
// to V8's developers as it is. Usage:
//   node [V8 flags] corpus/v8/run.cjs MODULE.wasm EXPORT...
// Before each export it calls hangLimitInitializer when the module has one.
'use strict';
const fs = require('fs');
const wasmModule = new WebAssembly.Module(fs.readFileSync(process.argv[2]));
const out = [];
const log = (type) => (x) => out.push(`${type}:${typeof x === 'number' && isNaN(x) ? 'nan' : x}`);
const imports = {'fuzzing-support': {}};
for (const t of ['i32', 'i64', 'f32', 'f64']) imports['fuzzing-support'][`log-${t}`] = log(t);
const instance = new WebAssembly.Instance(wasmModule, imports);
for (const name of process.argv.slice(3)) {
  try {
    if (instance.exports.hangLimitInitializer) instance.exports.hangLimitInitializer();
    instance.exports[name]();
  } catch (e) {
    out.push(`trap:${e.message}`);
  }
  console.log(`${name}: ${out.join(' ')}`);
  out.length = 0;
}
