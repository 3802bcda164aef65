// bench/v8_run.js: instantiates a bench kernel in V8 and times one call of its `run` export.
// DESIGN.md "Measures that matter" (JIT run time vs Liftoff and TurboFan).
//
// Usage: node [--liftoff --no-wasm-tier-up | --no-liftoff] bench/v8_run.js FILE.wasm
// Prints the result on stdout as tandem does (`i32:N` or `i64:N`) and, on stderr, the time of
// the call alone: `call_s: SECONDS` (instantiation and compilation excluded).
'use strict';
const fs = require('fs');
const { performance } = require('perf_hooks');

function Main() {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: v8_run.js FILE.wasm');
    process.exit(2);
  }
  const module = new WebAssembly.Module(fs.readFileSync(file));
  const instance = new WebAssembly.Instance(module, {});
  const run = instance.exports.run;
  const t0 = performance.now();
  const result = run();
  const t1 = performance.now();
  if (typeof result === 'bigint') {
    console.log(`i64:${BigInt.asIntN(64, result)}`);
  } else {
    console.log(`i32:${result | 0}`);
  }
  console.error(`call_s: ${((t1 - t0) / 1e3).toFixed(6)}`);
}

Main();
