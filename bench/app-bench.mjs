// Desktop app benchmark: launch to first content, and the memory of all the app's processes,
// for the Insisst app beside a hello-world Tauri app measured the same way in the same run.
// Run it through bench/app-bench.sh, which builds both apps, prepares a demo workspace, and
// starts Xvfb and tauri-driver. Environment:
//   BENCH_INSISST_APP   absolute path of the Insisst app binary (release, UI embedded)
//   BENCH_HELLO_APP     absolute path of the hello-world app binary (bench/hello-tauri)
//   BENCH_DRIVER_PID    pid of tauri-driver: the apps are found among its descendants
//   TAURI_DRIVER_PORT   where tauri-driver listens (default 4444)
//   BENCH_ROUNDS        measured rounds per app (default 5); the apps alternate, and the
//                       order within a round alternates too
//   BENCH_WARMUP        unmeasured rounds first (default 1: page cache, font cache)
//   BENCH_IDLE_MS       idle time before the memory is read (default 3000)
//   BENCH_JSON          optional file to write every sample to, as JSON
//
// Launch to first content: from just before `POST /session` (which starts the app) to the
// moment the first content element is in the DOM, seen by a MutationObserver in the page:
// the Insisst Home greeting ("Hello, <member>", shown once the workspace is open) and the
// hello-world app's <h1 id="hello">. Memory: RSS and PSS (/proc/<pid>/smaps_rollup) summed
// over the app process and all its descendants (WebKitWebProcess, WebKitNetworkProcess, and
// any sandbox helper between them), after BENCH_IDLE_MS idle.
import { readFileSync, readdirSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
// The e2e test's WebdriverIO (tests/e2e/package.json + its lock file): one client, one version.
const { remote, Key } = createRequire(path.join(REPO, 'tests', 'e2e', 'package.json'))('webdriverio');

const PORT = Number(process.env.TAURI_DRIVER_PORT ?? 4444);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 3000);
const DRIVER_PID = Number(process.env.BENCH_DRIVER_PID ?? 0);

const SESSION_TIMEOUT = 60_000;
const CONTENT_TIMEOUT = 45_000;
const COMMAND_TIMEOUT = 30_000;
const EXIT_TIMEOUT = 15_000;

const APPS = [
  { key: 'insisst', name: 'Insisst', binary: need('BENCH_INSISST_APP'), selector: '[data-testid="greeting"]' },
  { key: 'hello', name: 'hello-world', binary: need('BENCH_HELLO_APP'), selector: '#hello' },
];

function need(name) {
  const value = process.env[name];
  if (!value || !path.isAbsolute(value)) throw new Error(`${name} must be an absolute path (got ${value ?? 'nothing'})`);
  return realpathSync(value);
}

function log(message) {
  process.stderr.write(`[bench-app] ${message}\n`);
}

/** Reject after `ms` with a message saying what was being waited for. */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---- processes ---------------------------------------------------------------------------

/** Every process: pid → { ppid, comm }. */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces and parentheses: split at the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      table.set(Number(entry), { ppid, comm });
    } catch {
      /* gone meanwhile */
    }
  }
  return table;
}

function descendants(table, root) {
  const children = new Map();
  for (const [pid, { ppid }] of table) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  const out = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift();
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function exeOf(pid) {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

/** The app's process: a descendant of tauri-driver (through WebKitWebDriver) running `binary`. */
function findAppPid(binary) {
  const table = processTable();
  const candidates = (DRIVER_PID ? descendants(table, DRIVER_PID) : [...table.keys()]).filter(
    (pid) => exeOf(pid) === binary,
  );
  if (candidates.length !== 1) {
    throw new Error(
      `expected one process running ${binary} under tauri-driver (pid ${DRIVER_PID}), found ${candidates.length}` +
        (candidates.length ? `: ${candidates.join(', ')}` : ''),
    );
  }
  return candidates[0];
}

/** RSS and PSS in KiB of one process, from smaps_rollup. */
function memoryOf(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: field('Rss'), pss: field('Pss') };
}

/** RSS and PSS (KiB) summed over the app and all its descendants. */
function memoryTree(appPid) {
  const table = processTable();
  const pids = [appPid, ...descendants(table, appPid)];
  let rss = 0;
  let pss = 0;
  const processes = [];
  for (const pid of pids) {
    try {
      const m = memoryOf(pid);
      if (!Number.isFinite(m.rss) || !Number.isFinite(m.pss)) continue; // kernel thread, zombie
      rss += m.rss;
      pss += m.pss;
      const exe = exeOf(pid);
      const name = exe ? path.basename(exe) : (table.get(pid)?.comm ?? '?');
      processes.push({ pid, name, rssKiB: m.rss, pssKiB: m.pss });
    } catch {
      /* exited meanwhile */
    }
  }
  return { rssKiB: rss, pssKiB: pss, processes };
}

async function waitForExit(pid) {
  const deadline = Date.now() + EXIT_TIMEOUT;
  while (Date.now() < deadline) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/\) Z /.test(stat)) return true; // zombie: its memory is gone
    } catch {
      return true;
    }
    await sleep(50);
  }
  return false;
}

// ---- one launch --------------------------------------------------------------------------

/**
 * Resolves in the page as soon as `selector` is in the DOM (a MutationObserver, no polling),
 * with whether it was already there. Runs in the app's webview.
 */
function contentScript(selector, done) {
  if (document.querySelector(selector)) return done('present');
  const observer = new MutationObserver(() => {
    if (document.querySelector(selector)) {
      observer.disconnect();
      done('appeared');
    }
  });
  observer.observe(document, { childList: true, subtree: true });
}

async function launch(app) {
  const start = performance.now();
  const browser = await withTimeout(
    remote({
      hostname: '127.0.0.1',
      port: PORT,
      path: '/',
      logLevel: 'error',
      capabilities: { 'tauri:options': { application: app.binary }, 'wdio:enforceWebDriverClassic': true },
      connectionRetryTimeout: SESSION_TIMEOUT,
      connectionRetryCount: 0, // a retried POST /session could leave a second session open
    }),
    SESSION_TIMEOUT + 5_000,
    `creating a WebDriver session for ${app.binary}`,
  );
  const sessionMs = performance.now() - start;
  let appPid = null;
  try {
    await withTimeout(
      browser.setTimeout({ script: CONTENT_TIMEOUT, pageLoad: CONTENT_TIMEOUT, implicit: 0 }),
      COMMAND_TIMEOUT,
      'setting timeouts',
    );
    // The session may be up before the page has loaded: a script run on the document that is
    // being replaced fails; run it again on the new one.
    let contentMs = null;
    const deadline = start + SESSION_TIMEOUT + CONTENT_TIMEOUT;
    while (contentMs === null) {
      try {
        await withTimeout(
          browser.executeAsync(contentScript, app.selector),
          CONTENT_TIMEOUT + 5_000,
          `${app.selector} in the ${app.name} app`,
        );
        contentMs = performance.now() - start;
      } catch (error) {
        if (performance.now() > deadline) throw error;
        await sleep(10);
      }
    }
    appPid = findAppPid(app.binary);
    await sleep(IDLE_MS);
    const memory = memoryTree(appPid);
    return { app: app.key, sessionMs, contentMs, ...memory, appPid };
  } finally {
    await withTimeout(browser.deleteSession(), COMMAND_TIMEOUT, 'deleting the WebDriver session').catch((error) =>
      log(`could not delete the WebDriver session: ${error.message}`),
    );
    if (appPid !== null && !(await waitForExit(appPid))) {
      log(`the ${app.name} app (pid ${appPid}) was still running ${EXIT_TIMEOUT} ms after its session ended`);
    }
  }
}

// ---- search as you type ----------------------------------------------------------------------

/**
 * In the page: type each prefix of each word into the open search box (the input event a
 * keystroke makes) and time until the palette shows the results for it (its data-answered
 * attribute) and the next frame is painted. The typing debounce is part of what is timed.
 */
function typeAndTime(words, done) {
  const input = document.querySelector('[data-testid="search-input"]');
  const palette = document.querySelector('[data-testid="search-palette"]');
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  const prefixes = words.flatMap((w) => [...w].map((_, k) => w.slice(0, k + 1)));
  const times = [];
  let i = 0;
  function next() {
    if (i >= prefixes.length) return done(times);
    const text = prefixes[i];
    const t0 = performance.now();
    setter.call(input, text);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    const check = () => {
      if (palette.dataset.answered === text) {
        const inDom = performance.now() - t0;
        // The frame that shows the change is painted after this animation frame's callbacks:
        // a task queued from it runs once that paint is done.
        requestAnimationFrame(() =>
          setTimeout(() => {
            times.push(performance.now() - t0);
            (window.__benchDom ??= []).push(inDom);
            i += 1;
            setTimeout(next, 30);
          }, 0),
        );
      } else if (performance.now() - t0 > 5000) {
        times.push(null);
        i += 1;
        setTimeout(next, 30);
      } else {
        setTimeout(check, 1);
      }
    };
    check();
  }
  next();
}

/** In the page: the search command alone (IPC round trip, no debounce, no rendering). */
function invokeAndTime(queries, done) {
  const times = [];
  (async () => {
    for (const query of queries) {
      const t0 = performance.now();
      await window.__TAURI_INTERNALS__.invoke('search_query', { request: { query, as_you_type: true, kind: null, limit: null } });
      times.push(performance.now() - t0);
    }
    done(times);
  })().catch((e) => done({ error: String(e) }));
}

/** Opens the Insisst app once more, waits for its index, and times search as you type. */
async function searchLatency(app, words) {
  const browser = await withTimeout(
    remote({
      hostname: '127.0.0.1',
      port: PORT,
      path: '/',
      logLevel: 'error',
      capabilities: { 'tauri:options': { application: app.binary }, 'wdio:enforceWebDriverClassic': true },
      connectionRetryTimeout: SESSION_TIMEOUT,
      connectionRetryCount: 0,
    }),
    SESSION_TIMEOUT + 5_000,
    'creating a WebDriver session for the search measurement',
  );
  try {
    await browser.setTimeout({ script: 120_000, pageLoad: CONTENT_TIMEOUT, implicit: 0 });
    await browser.$(app.selector).waitForExist({ timeout: CONTENT_TIMEOUT });
    await browser.keys([Key.Ctrl, 'k']);
    await browser.$('[data-testid="search-input"]').waitForExist({ timeout: COMMAND_TIMEOUT });
    // The index opens (or is built) in the background at start: wait until a query answers.
    const deadline = performance.now() + 300_000;
    for (;;) {
      const times = await browser.executeAsync(typeAndTime, ['warm']);
      if (times.every((t) => t !== null)) break;
      const seen = await browser.execute(() => ({
        answered: document.querySelector('[data-testid="search-palette"]')?.getAttribute('data-answered'),
        value: document.querySelector('[data-testid="search-input"]')?.value,
        error: document.querySelector('[data-testid="search-error"]')?.textContent,
      }));
      log(`search not answering yet: ${JSON.stringify(seen)}`);
      if (performance.now() > deadline) throw new Error('the search index did not answer within 300 s');
      await sleep(1000);
    }
    const all = [];
    for (const word of words) all.push(...(await browser.executeAsync(typeAndTime, [word])));
    const dom = await browser.execute(() => window.__benchDom ?? []);
    const prefixes = words.flatMap((w) => [...w].map((_, k) => w.slice(0, k + 1)));
    const ipc = await browser.executeAsync(invokeAndTime, prefixes);
    if (!Array.isArray(ipc)) throw new Error(`search_query failed in the page: ${ipc.error}`);
    return { typed: all, ipc, dom };
  } finally {
    await withTimeout(browser.deleteSession(), COMMAND_TIMEOUT, 'deleting the WebDriver session').catch(() => {});
  }
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// ---- the table -----------------------------------------------------------------------------

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function table(samples) {
  const of = (key, pick) => median(samples.filter((s) => s.app === key).map(pick));
  const rows = [
    { figure: 'launch to first content (ms)', pick: (s) => s.contentMs, unit: 0, target: 1.3 },
    { figure: 'memory, all processes, idle: PSS (MiB)', pick: (s) => s.pssKiB / 1024, unit: 0, target: 1.3 },
    { figure: 'memory, all processes, idle: RSS (MiB)', pick: (s) => s.rssKiB / 1024, unit: 0, target: 1.3 },
    { figure: '  (info) POST /session returned (ms)', pick: (s) => s.sessionMs, unit: 0, target: null },
  ];
  const header = ['figure', 'insisst median', 'hello-world median', 'ratio', 'target', ''];
  const lines = rows.map((r) => {
    const ours = of('insisst', r.pick);
    const base = of('hello', r.pick);
    const ratio = ours / base;
    return [
      r.figure,
      ours.toFixed(r.unit),
      base.toFixed(r.unit),
      `${ratio.toFixed(2)}×`,
      r.target ? `≤ ${r.target}×` : '',
      r.target ? (ratio <= r.target ? 'met' : 'MISSED') : '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

// ---- main ------------------------------------------------------------------------------------

const samples = [];
const total = WARMUP + ROUNDS;
for (let round = 0; round < total; round += 1) {
  const warm = round < WARMUP;
  const order = round % 2 === 0 ? APPS : [...APPS].reverse();
  for (const app of order) {
    const sample = await launch(app);
    const names = [...new Set(sample.processes.map((p) => p.name))].join(', ');
    log(
      `${warm ? 'warm-up' : `round ${round - WARMUP + 1}/${ROUNDS}`} ${app.name.padEnd(11)} ` +
        `content ${sample.contentMs.toFixed(0)} ms (session ${sample.sessionMs.toFixed(0)} ms), ` +
        `PSS ${(sample.pssKiB / 1024).toFixed(0)} MiB, RSS ${(sample.rssKiB / 1024).toFixed(0)} MiB ` +
        `over ${sample.processes.length} processes (${names})`,
    );
    if (!warm) samples.push(sample);
  }
}

if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(samples, null, 2)}\n`);
console.log(
  `\nDesktop app under Xvfb: medians of ${ROUNDS} launches each, alternating, same run ` +
    `(memory after ${IDLE_MS} ms idle, summed over the app and its WebKit processes)\n`,
);
console.log(table(samples));

// Words of the demo corpus (six languages), typed letter by letter: every prefix is a query.
const SEARCH_DEBOUNCE_NOTE = 'the 20 ms typing debounce included';
const SEARCH_WORDS = ['arhus', 'housing', 'workshop', 'lodz', 'osallisuus', 'peer exchange'];
const { typed, ipc, dom } = await searchLatency(APPS[0], SEARCH_WORDS);
const answered = typed.filter((t) => t !== null);
const p50 = percentile(answered, 50);
const p95 = percentile(answered, 95);
console.log(
  `\nSearch as you type in the Insisst app: ${answered.length} keystrokes (every prefix of ` +
    `${SEARCH_WORDS.map((w) => `"${w}"`).join(', ')}), keystroke to results painted, ` +
    `${SEARCH_DEBOUNCE_NOTE}\n` +
    `  p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${Math.max(...answered).toFixed(0)} ms` +
    `${typed.length > answered.length ? `, ${typed.length - answered.length} not answered within 5 s` : ''}` +
    `  (target ≤ 100 ms: ${p95 <= 100 ? 'met at p95' : p50 <= 100 ? 'met at p50, not at p95' : 'MISSED'})\n` +
    `  results in the DOM (before painting): p50 ${percentile(dom, 50).toFixed(0)} ms, p95 ${percentile(dom, 95).toFixed(0)} ms\n` +
    `  of which the search command alone (IPC round trip, same prefixes): p50 ${percentile(ipc, 50).toFixed(1)} ms, ` +
    `p95 ${percentile(ipc, 95).toFixed(1)} ms`,
);
