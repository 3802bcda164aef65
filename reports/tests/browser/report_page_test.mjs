// report_page_test.mjs: the browser test of a `tandem report` page (docs/reports.md). Debian's
// chromium, headless, driven by puppeteer-core, with every network request blocked, loads the
// page and checks it against the spec runs' JSON files it was made from: the expected numbers
// are computed here from those files, never read from data in the page.
//
//   node reports/tests/browser/report_page_test.mjs --page spec.html --run r.json [--run r2.json]
//        [--changed i32.wast:37]... --screenshot out.png [--top-screenshot top.png]
//
// Checks: no console error, no page error, no request leaving the page; one matrix row per file
// with that file's counts per run and engine; each chart's data equal to the run's totals per
// engine and its canvas not blank; the failures listed per run; with several runs, exactly the
// tests whose status changed listed under "What changed" (and each --changed id among them).
// Exit 0 when every check passes, 1 when one fails, 2 on bad arguments.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const STATUSES = [
  // page key, JSON status, chart dataset label
  ['passed', 'passed', 'passed'],
  ['failed', 'failed', 'failed'],
  ['xfail', 'expected-failure', 'expected failures'],
  ['skipped', 'skipped', 'skipped'],
];

function usage(message) {
  console.error(`report_page_test: ${message}`);
  console.error('usage: report_page_test.mjs --page FILE --run FILE... --screenshot FILE ' +
                '[--top-screenshot FILE] [--changed ID]... [--chromium PATH]');
  process.exit(2);
}

function parseArgs(argv) {
  const a = { runs: [], changed: [], chromium: process.env.CHROMIUM || '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i++) {
    const next = () => (i + 1 < argv.length ? argv[++i] : usage(`${argv[i]} needs a value`));
    switch (argv[i]) {
      case '--page': a.page = next(); break;
      case '--run': a.runs.push(next()); break;
      case '--changed': a.changed.push(next()); break;
      case '--screenshot': a.screenshot = next(); break;
      case '--top-screenshot': a.top = next(); break;
      case '--chromium': a.chromium = next(); break;
      default: usage(`unknown argument ${argv[i]}`);
    }
  }
  if (!a.page || !a.runs.length || !a.screenshot) usage('--page, --run and --screenshot are needed');
  return a;
}

// What the page must show for one run, computed from its JSON file alone.
function expectRun(file) {
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  const engines = j.summary.engines;
  const zero = () => Object.fromEntries(STATUSES.map(([k]) => [k, 0]));
  const keyOf = Object.fromEntries(STATUSES.map(([k, s]) => [s, k]));
  // Files by key: the name, "NAME (2)" for a second file of the same name (as the page does).
  const seen = new Map();
  const files = [];
  for (const f of j.files) {
    const n = (seen.get(f.file) || 0) + 1;
    seen.set(f.file, n);
    const key = n === 1 ? f.file : `${f.file} (${n})`;
    files.push({ key, name: f.file, counts: Object.fromEntries(engines.map((e) => [e, zero()])),
                 tests: [] });
  }
  const totals = Object.fromEntries(engines.map((e) => [e, zero()]));
  let cur = 0;
  const failures = [];
  for (const r of j.results) {
    while (cur < files.length && files[cur].name !== r.file) cur++;
    if (cur === files.length) throw new Error(`${file}: result of unknown file ${r.file}`);
    const k = keyOf[r.status];
    files[cur].counts[r.engine][k]++;
    totals[r.engine][k]++;
    files[cur].tests.push(r);
    if (r.status === 'failed') failures.push(`${r.id} ${r.engine}`);
  }
  return { file, engines, files, totals, failures };
}

// Tests whose status differs between two runs: same file key, line, command, engine (and
// occurrence), over files and engines both runs have.
function expectChanges(before, after) {
  const common = (e) => before.engines.includes(e) && after.engines.includes(e);
  const keyed = (f) => {
    const n = new Map();
    return f.tests.filter((t) => common(t.engine)).map((t) => {
      const base = `${t.line}|${t.command}|${t.engine}`;
      const k = n.get(base) || 0;
      n.set(base, k + 1);
      return [`${base}|${k}`, t];
    });
  };
  const out = new Set();
  const beforeFiles = new Map(before.files.map((f) => [f.key, f]));
  for (const fa of after.files) {
    const fb = beforeFiles.get(fa.key);
    if (!fb) continue;
    const old = new Map(keyed(fb));
    for (const [k, t] of keyed(fa)) {
      const p = old.get(k);
      old.delete(k);
      if (!p || p.status !== t.status) out.add(`${t.id} ${t.engine}`);
    }
    for (const [, t] of old) out.add(`${t.id} ${t.engine}`);
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const problems = [];
let checks = 0;
function check(ok, what) {
  checks++;
  if (!ok) problems.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
}

const runs = args.runs.map(expectRun);
const expectedChanges = runs.slice(1).map((r, i) => expectChanges(runs[i], r));
for (const id of args.changed)
  if (!expectedChanges.some((s) => [...s].some((c) => c.startsWith(`${id} `))))
    usage(`--changed ${id}: the JSON files show no change of ${id}`);

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-report-test-'));
const browser = await puppeteer.launch({
  executablePath: args.chromium,
  headless: true,
  userDataDir: profile,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--proxy-server=127.0.0.1:9', '--host-resolver-rules=MAP * ~NOTFOUND'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const pageUrl = pathToFileURL(path.resolve(args.page)).href;
  const consoleErrors = [];
  const blocked = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    if (r.url() === pageUrl) return r.continue();
    blocked.push(r.url());
    return r.abort('blockedbyclient');
  });
  const response = await page.goto(pageUrl, { waitUntil: 'load' });
  check(response === null || response.ok(), `page ${args.page} loads`);

  const seen = await page.evaluate(() => {
    const text = (el) => (el ? el.textContent.trim() : null);
    const rows = [...document.querySelectorAll('#matrix-table tbody tr')].map((tr) => {
      const th = tr.querySelector('th.file');
      return {
        file: th && th.firstChild ? th.firstChild.textContent.trim() : null,
        cells: [...tr.querySelectorAll('td')].map((td) => ({
          run: td.getAttribute('data-run'), engine: td.getAttribute('data-engine'),
          count: td.getAttribute('data-count'), text: td.textContent.trim(),
        })),
      };
    });
    const charts = [...document.querySelectorAll('canvas[id^="chart-totals-"]')].map((c) => {
      const chart = Chart.getChart(c);
      const ctx = c.getContext('2d');
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
      return {
        id: c.id, width: c.width, height: c.height, painted,
        labels: chart ? chart.data.labels : null,
        datasets: chart ? chart.data.datasets.map((d) => ({ label: d.label, data: d.data })) : null,
      };
    });
    const failures = [...document.querySelectorAll('table.failures')].map((t) => ({
      id: t.id,
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => {
        const td = tr.querySelectorAll('td');
        return { id: text(td[0]), engine: text(td[1]), rerun: text(td[6]) };
      }),
    }));
    const changes = [...document.querySelectorAll('table.changes')].map((t) => ({
      id: t.id,
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => {
        const td = tr.querySelectorAll('td');
        return { id: text(td[0]), engine: text(td[1]), before: text(td[3]), after: text(td[4]) };
      }),
    }));
    return { title: text(document.querySelector('h1')), rows, charts, failures, changes,
             changesText: text(document.getElementById('changes')) };
  });

  check(seen.title === 'tandem report', `the page's title is "tandem report" (${seen.title})`);

  // The matrix: one row per file of every run, with each run's counts per engine.
  const keys = [];
  for (const r of runs) for (const f of r.files) if (!keys.includes(f.key)) keys.push(f.key);
  const rowFiles = seen.rows.map((r) => r.file);
  check(rowFiles.length === keys.length && new Set(rowFiles).size === rowFiles.length,
        `the matrix has one row per file: ${rowFiles.length} rows, ${keys.length} files`);
  const cellErrors = [];
  const cellsPerRow = runs.reduce((n, r) => n + 4 * r.engines.length, 0);
  for (const key of keys) {
    const row = seen.rows.find((r) => r.file === key);
    if (!row) { cellErrors.push(`no row for ${key}`); continue; }
    if (row.cells.length !== cellsPerRow)
      cellErrors.push(`${key}: ${row.cells.length} cells, expected ${cellsPerRow}`);
    runs.forEach((run, k) => {
      const f = run.files.find((x) => x.key === key);
      for (const e of run.engines) {
        for (const [c] of STATUSES) {
          const cell = row.cells.find((x) => x.run === String(k) && x.engine === e && x.count === c);
          const want = f ? String(f.counts[e][c]) : '\u2013';  // an en dash: not in this run
          if (!cell || cell.text !== want)
            cellErrors.push(`${key} run ${k} ${e} ${c}: page ${cell ? cell.text : 'none'}, JSON ${want}`);
        }
      }
    });
  }
  check(cellErrors.length === 0,
        `every matrix cell (${keys.length * cellsPerRow}) shows the count the JSON files give` +
        (cellErrors.length ? `: ${cellErrors.length} wrong: ${cellErrors.slice(0, 10).join('; ')}` : ''));

  // The charts: one per run, its data the run's totals per engine, its canvas painted.
  check(seen.charts.length === runs.length,
        `one totals chart per run (${seen.charts.length} charts, ${runs.length} runs)`);
  runs.forEach((run, k) => {
    const c = seen.charts.find((x) => x.id === `chart-totals-${k}`);
    if (!c || !c.datasets) { check(false, `chart-totals-${k} exists and is a Chart.js chart`); return; }
    check(JSON.stringify(c.labels) === JSON.stringify(run.engines),
          `chart-totals-${k}: labels are the engines ${run.engines.join(',')}`);
    for (const [key, , label] of STATUSES) {
      const d = c.datasets.find((x) => x.label === label);
      const want = run.engines.map((e) => run.totals[e][key]);
      check(d && JSON.stringify(d.data) === JSON.stringify(want),
            `chart-totals-${k} "${label}" = ${JSON.stringify(want)} (page: ${d ? JSON.stringify(d.data) : 'none'})`);
    }
    const share = c.painted / (c.width * c.height);
    check(c.width > 0 && c.height > 0 && share > 0.02,
          `chart-totals-${k} canvas is not blank (${c.width}x${c.height}, ${(share * 100).toFixed(1)}% painted)`);
  });

  // Failures: every failed result of each run, with its id, engine and re-run command.
  runs.forEach((run, k) => {
    const t = seen.failures.find((x) => x.id === `failures-${k}`);
    const got = t ? t.rows.map((r) => `${r.id} ${r.engine}`) : [];
    check(JSON.stringify(got) === JSON.stringify(run.failures),
          `run ${k}: the page lists its ${run.failures.length} failures (page: ${got.length})`);
    if (t) check(t.rows.every((r) => r.rerun && r.rerun.startsWith(`tandem spec --engines ${r.engine} `)),
                 `run ${k}: every failure has its re-run command`);
  });

  // What changed: exactly the tests whose status differs, run by run.
  expectedChanges.forEach((want, i) => {
    const t = seen.changes.find((x) => x.id === `changes-${i + 1}`);
    const got = new Set(t ? t.rows.map((r) => `${r.id} ${r.engine}`) : []);
    const same = got.size === want.size && [...want].every((x) => got.has(x));
    check(same, `runs ${i} -> ${i + 1}: "What changed" lists the ${want.size} tests whose status ` +
                `changed (page: ${got.size})`);
  });
  for (const id of args.changed)
    check(seen.changesText !== null && seen.changesText.includes(id) &&
          seen.changes.some((t) => t.rows.some((r) => r.id === id && r.before === 'passed' && r.after === 'failed')),
          `the page names the changed test ${id} (passed -> failed)`);

  check(consoleErrors.length === 0,
        `no console error${consoleErrors.length ? ': ' + consoleErrors.slice(0, 5).join(' | ') : ''}`);
  check(blocked.length === 0,
        `the page makes no network request${blocked.length ? ': ' + blocked.slice(0, 5).join(' ') : ''}`);

  fs.mkdirSync(path.dirname(path.resolve(args.screenshot)), { recursive: true });
  await page.screenshot({ path: args.screenshot, fullPage: true });
  console.log(`screenshot: ${args.screenshot}`);
  if (args.top) {
    await page.screenshot({ path: args.top, clip: { x: 0, y: 0, width: 1400, height: 1000 } });
    console.log(`screenshot of the top: ${args.top}`);
  }
} finally {
  await browser.close();
  fs.rmSync(profile, { recursive: true, force: true });
}

for (const p of problems) console.log(`  ${p}`);
console.log(`${checks - problems.length} passed, ${problems.length} failed`);
process.exit(problems.length ? 1 : 0);
