// bench/v8_compile.js: times V8's synchronous compile of one module, with unique bytes every
// time (V8 caches compiled modules by their bytes). DESIGN.md "Measures that matter".
//
// Usage: node --liftoff --no-wasm-tier-up --single-threaded --no-wasm-lazy-compilation \
//          bench/v8_compile.js FILE.wasm [COUNT]
// Prints one JSON line: {"code_section_bytes": N, "module_bytes": N, "times_s": [...]}, one
// time per `new WebAssembly.Module(bytes)`, the copy that makes the bytes unique excluded.
'use strict';
const fs = require('fs');
const { performance } = require('perf_hooks');

function Leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

// Payload size of section `id`, or 0.
function SectionBytes(bytes, id) {
  let pos = 8;
  while (pos < bytes.length) {
    const sid = bytes[pos++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[pos++];
      size += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) break;
    }
    if (sid === id) return size;
    pos += size;
  }
  return 0;
}

function Main() {
  const [file, countArg] = process.argv.slice(2);
  if (!file) {
    console.error('usage: v8_compile.js FILE.wasm [COUNT]');
    process.exit(2);
  }
  const count = Number(countArg || 5);
  const base = fs.readFileSync(file);
  // A custom section "tandem-unique" with a 16-byte payload, appended after every other
  // section (custom sections may appear anywhere), rewritten before every compile.
  const name = Buffer.from('tandem-unique');
  const payload = 16;
  const body = [...Leb(name.length), ...name, ...new Array(payload).fill(0)];
  const custom = Buffer.from([0, ...Leb(body.length), ...body]);
  const bytes = Buffer.concat([base, custom]);
  const payloadAt = bytes.length - payload;
  const salt = BigInt(process.pid) * 1000003n + BigInt(Date.now());
  const times = [];
  for (let i = 0; i < count; ++i) {
    const copy = new Uint8Array(bytes);  // fresh buffer: nothing V8 saw before
    const view = new DataView(copy.buffer, copy.byteOffset + payloadAt, payload);
    view.setBigUint64(0, salt);
    view.setBigUint64(8, BigInt(i));
    const t0 = performance.now();
    const module = new WebAssembly.Module(copy);
    const t1 = performance.now();
    if (!module) throw new Error('no module');
    times.push((t1 - t0) / 1e3);
  }
  console.log(JSON.stringify({
    code_section_bytes: SectionBytes(base, 10),
    module_bytes: base.length,
    times_s: times,
  }));
}

Main();
