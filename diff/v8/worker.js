// worker.js: the node side of tandem's V8 peer engines (diff/v8_engine.h). One process per
// engine; node's flags pick the tier. Requests and answers are JSON lines on stdin/stdout.
//
// No value crosses a JS number: tandem builds small wasm helper modules (a caller per function
// type, a reader for the exported globals, the logger behind the fuzzing-support imports, the
// spectest module) whose memory holds the exact bytes of arguments and results; this side moves
// bytes as hex. References cross as JS values: externref N is one object per N, funcref as the
// function (its name is its index in its module's function space).
'use strict';

const tier = process.argv[process.argv.length - 1];  // "liftoff" or "turbofan"
const compiled = new Map();  // helper module hex -> WebAssembly.Module
const externs = new Map();   // N -> the object standing for externref N
const externIds = new WeakMap();

let spectestModule = null, loggerModule = null;
let instances = [];  // id -> WebAssembly.Instance
let registry = {};   // module name -> exports
let logger = null;   // the logger instance (fuzzing-support)
let callTable = null;  // the one-entry funcref table the call helpers call through
let callers = new Map();  // helper hex -> instance (their imports never change)
let readers = new Map();  // "instance/helper" -> reader instance
let lastMemory = new Map();  // "instance/name" -> Buffer last sent
let hostFuncs = new Map();  // a host module's exported function -> [module, export name]

function Compile(hex) {
  let m = compiled.get(hex);
  if (!m) {
    m = new WebAssembly.Module(Buffer.from(hex, 'hex'));
    compiled.set(hex, m);
  }
  return m;
}

function Extern(n) {
  let o = externs.get(n);
  if (!o) {
    o = {extern: n};
    externs.set(n, o);
    externIds.set(o, n);
  }
  return o;
}

function Fresh() {
  instances = [];
  logger = new WebAssembly.Instance(loggerModule, {});
  const spectest = new WebAssembly.Instance(spectestModule, {});
  registry = {'spectest': spectest.exports, 'fuzzing-support': logger.exports};
  hostFuncs = new Map();
  for (const [module, exports] of Object.entries(registry))
    for (const [name, f] of Object.entries(exports))
      if (typeof f === 'function') hostFuncs.set(f, [module, name]);
  callTable = new WebAssembly.Table({element: 'anyfunc', initial: 1});
  callers = new Map();
  readers = new Map();
  lastMemory = new Map();
}

// An exception from wasm code, as tandem names it.
function Failure(e) {
  if (e instanceof WebAssembly.RuntimeError) return {status: 'trap', message: e.message};
  if (e instanceof RangeError && /call stack/i.test(e.message)) return {status: 'exhausted'};
  if (e instanceof RangeError) return {status: 'resource', message: e.message};
  return {status: 'internal', message: String(e && e.stack || e)};
}

function CheckTier(exports) {
  for (const [name, f] of Object.entries(exports)) {
    if (typeof f !== 'function') continue;
    let ok;
    try {
      ok = tier === 'liftoff' ? %IsLiftoffFunction(f) : %IsTurboFanFunction(f);
    } catch (e) {
      continue;  // not a wasm function of this module (a re-exported import)
    }
    if (!ok) return `export "${name}" was not compiled by ${tier === 'liftoff' ? 'Liftoff' : 'TurboFan'}`;
  }
  return null;
}

function RefOut(v) {
  if (v === null) return {null: true};
  if (typeof v === 'function') {
    const host = hostFuncs.get(v);
    return host ? {host: host[0], name: host[1]} : {func: Number(v.name)};
  }
  if (externIds.has(v)) return {extern: externIds.get(v)};
  return {other: String(v)};
}

function RefIn(r) {
  if (r.null) return null;
  if (r.extern !== undefined) return Extern(r.extern);
  throw new Error('a non-null funcref argument cannot be passed');
}

// Results of a helper: numeric bytes from its memory, references from its tables.
function Results(inst, bytes, refs) {
  const out = {status: 'values'};
  if (bytes) out.bytes = Buffer.from(inst.exports.mem.buffer, 0, bytes).toString('hex');
  out.refs = refs.map(([kind, i]) => RefOut(inst.exports[kind === 'externref' ? 'rx' : 'rf'].get(i)));
  return out;
}

function TakeLog(out) {
  const n = logger.exports.cursor();
  if (n) {
    out.log = Buffer.from(logger.exports.memory.buffer, 0, n).toString('hex');
    logger.exports.clear();
  }
  return out;
}

const ops = {
  init(q) {
    spectestModule = Compile(q.spectest);
    loggerModule = Compile(q.logger);
    Fresh();
    return {status: 'ok', v8: process.versions.v8, node: process.version, tier};
  },
  reset() {
    Fresh();
    return {status: 'ok'};
  },
  instantiate(q) {
    let module;
    try {
      module = new WebAssembly.Module(Buffer.from(q.module, 'hex'));
    } catch (e) {
      return {status: 'refused', message: `${e.constructor.name}: ${e.message}`};
    }
    const imports = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      const from = registry[imp.module];
      if (!from || !(imp.name in from))
        return {status: 'unlinkable', message: `unknown import: "${imp.module}" "${imp.name}"`};
      (imports[imp.module] = imports[imp.module] || {})[imp.name] = from[imp.name];
    }
    let inst;
    try {
      inst = new WebAssembly.Instance(module, imports);
    } catch (e) {
      if (e instanceof WebAssembly.LinkError)
        return TakeLog({status: 'unlinkable', message: `incompatible import type: ${e.message}`});
      return TakeLog(Failure(e));
    }
    const wrong = CheckTier(inst.exports);
    if (wrong) return {status: 'internal', message: wrong};
    instances.push(inst);
    return TakeLog({status: 'ok', instance: instances.length - 1});
  },
  // The front end alone: does V8 decode and validate the module (WebAssembly.Module compiles it
  // with the tier's compiler; WebAssembly.validate would say the same without a message)?
  validate(q) {
    try {
      new WebAssembly.Module(Buffer.from(q.module, 'hex'));
      return {status: 'ok', accepted: true};
    } catch (e) {
      if (e instanceof WebAssembly.CompileError)
        return {status: 'ok', accepted: false, message: e.message};
      return {status: 'internal', message: `${e.constructor.name}: ${e.message}`};
    }
  },
  register(q) {
    registry[q.name] = instances[q.instance].exports;
    return {status: 'ok'};
  },
  call(q) {
    const f = instances[q.instance].exports[q.export];
    let caller = callers.get(q.helper);
    if (!caller) {
      caller = new WebAssembly.Instance(Compile(q.helper), {t: {table: callTable}});
      callers.set(q.helper, caller);
    }
    callTable.set(0, f);
    if (q.args) Buffer.from(q.args, 'hex').copy(Buffer.from(caller.exports.mem.buffer));
    let refargs;
    try {
      refargs = (q.refargs || []).map(RefIn);
    } catch (e) {
      return {status: 'unsupported', message: e.message};
    }
    try {
      caller.exports.run(...refargs);
    } catch (e) {
      callTable.set(0, null);
      return TakeLog(Failure(e));
    }
    callTable.set(0, null);
    return TakeLog(Results(caller, q.bytes, q.refs || []));
  },
  // Reads globals through a reader helper that imports them ("t" "g0", "g1", ...).
  read(q) {
    const key = `${q.instance}/${q.helper}/${q.globals.join(',')}`;
    let reader = readers.get(key);
    if (!reader) {
      const g = {};
      const exports = instances[q.instance].exports;
      q.globals.forEach((name, k) => { g['g' + k] = exports[name]; });
      reader = new WebAssembly.Instance(Compile(q.helper), {t: g});
      readers.set(key, reader);
    }
    reader.exports.run();
    return Results(reader, q.bytes, q.refs || []);
  },
  // The exported memories' bytes: pages (4 KiB) changed since the last answer for the same
  // memory, with the size.
  memories(q) {
    const exports = instances[q.instance].exports;
    const out = {status: 'ok', memories: []};
    for (const name of q.names) {
      const now = Buffer.from(exports[name].buffer);
      const key = `${q.instance}/${name}`;
      const last = lastMemory.get(key);
      const pages = [];
      for (let at = 0; at < now.length; at += 4096) {
        const end = Math.min(at + 4096, now.length);
        if (last && end <= last.length && now.compare(last, at, end, at, end) === 0) continue;
        pages.push([at, now.toString('hex', at, end)]);
      }
      lastMemory.set(key, Buffer.from(now));
      out.memories.push({size: now.length, pages});
    }
    return out;
  },
};

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    let answer;
    try {
      const q = JSON.parse(line);
      const op = ops[q.op];
      answer = op ? op(q) : {status: 'internal', message: `unknown request "${q.op}"`};
    } catch (e) {
      answer = {status: 'internal', message: String(e && e.stack || e)};
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  }
});
process.stdin.on('end', () => process.exit(0));
