// Desktop end to end: the real app window, driven through tauri-driver (WebDriver).
// Run it through run.sh, which prepares a workspace, Xvfb and tauri-driver, and sets:
//   INSISST_APP            absolute path of the app binary
//   TAURI_DRIVER_PORT      where tauri-driver listens (default 4444)
//   E2E_SCREENSHOTS        where page screenshots go (default <repo>/target/e2e-screenshots)
//   E2E_TMP                scratch folder for the first-start test's empty workspace and the
//                          launcher that points the app at it (default: the system's temp)
//   E2E_SESSION_MARKER     a file this test creates when no session could be created, so
//                          that run.sh restarts tauri-driver and retries once
//   E2E_CAPABILITIES       optional JSON replacing the capabilities (debugging only)
//   E2E_ALLOW_DEV_URL      set to accept an app that loads its devUrl (a running dev server)
//
// The first test runs on the demo workspace run.sh made ($INSISST_WORKSPACE, passed from
// tauri-driver to the app). The second starts the app on a fresh empty folder: tauri-driver
// has no per-session environment, so it launches a small script that sets INSISST_WORKSPACE
// and `exec`s the app (same process, same arguments).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Key, remote } from 'webdriverio';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const APP = process.env.INSISST_APP ?? path.join(REPO, 'target', 'debug', 'insisst-app');
const PORT = Number(process.env.TAURI_DRIVER_PORT ?? 4444);
const SHOTS = process.env.E2E_SCREENSHOTS ?? path.join(REPO, 'target', 'e2e-screenshots');
const SCRATCH = process.env.E2E_TMP ?? os.tmpdir();
const CLI = process.env.INSISST_CLI ?? path.join(REPO, 'target', 'debug', 'insisst');

const SESSION_TIMEOUT = 60_000; // creating the session starts the app
const START_TIMEOUT = 45_000; // first screen after start (opening the workspace)
const WAIT = 15_000; // any other wait
const COMMAND_TIMEOUT = 30_000; // any single WebDriver command
const SETUP_TIMEOUT = 180_000; // creating a workspace with demo records (debug build)
const INDEX_TIMEOUT = 60_000; // the search index opens (or is built) in the background at start
// A word the seeded demo certainly holds (`insisst demo --records 200 --seed 7`: Danish
// records about Århus); typed without its diacritic, so folding is exercised too.
const SEARCH_WORD = 'arhus';
const FUZZY_WORD = 'arhsu'; // a transposition: only typo-tolerant matches

/** Reject after `ms` with a message saying what was being waited for. */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function capabilities(application) {
  if (process.env.E2E_CAPABILITIES) return JSON.parse(process.env.E2E_CAPABILITIES);
  assert.ok(path.isAbsolute(application), `the application must be an absolute path, got ${application}`);
  return { 'tauri:options': { application } };
}

async function createSession(application = APP) {
  try {
    return await withTimeout(
      remote({
        hostname: '127.0.0.1',
        port: PORT,
        path: '/',
        logLevel: 'warn',
        // WebDriver classic: tauri-driver speaks no BiDi.
        capabilities: { ...capabilities(application), 'wdio:enforceWebDriverClassic': true },
        // Per request; POST /session starts the app, so it gets the session timeout.
        // No retries: a retried POST /session could leave a second session open.
        connectionRetryTimeout: SESSION_TIMEOUT,
        connectionRetryCount: 0,
        waitforTimeout: WAIT,
        waitforInterval: 100,
      }),
      SESSION_TIMEOUT + 5_000,
      `creating a WebDriver session on 127.0.0.1:${PORT}`,
    );
  } catch (error) {
    if (process.env.E2E_SESSION_MARKER) writeFileSync(process.env.E2E_SESSION_MARKER, String(error));
    throw new Error(
      `Could not create a WebDriver session through tauri-driver on port ${PORT} for ${application}: ` +
        (error instanceof Error ? error.message : String(error)),
    );
  }
}

/** Two animation frames, so the screenshot shows the current DOM, not the previous frame. */
async function settle(browser) {
  await browser.executeAsync((done) => {
    requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
  });
}

/** A page screenshot (element screenshots come back black under WebKitWebDriver). */
async function screenshot(browser, name) {
  await settle(browser);
  const data = await withTimeout(browser.takeScreenshot(), COMMAND_TIMEOUT, `screenshot ${name}`);
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  writeFileSync(file, Buffer.from(data, 'base64'));
  return file;
}

/** Wait for `selector` to be displayed, failing with a message that names it. */
async function visible(browser, selector, what, timeout = WAIT) {
  const el = browser.$(selector);
  await el.waitForDisplayed({ timeout, timeoutMsg: `${what} (${selector}) not shown within ${timeout} ms` });
  return el;
}

async function rows(browser, what) {
  await visible(browser, '[data-testid="record-row"]', what);
  const all = await browser.$$('[data-testid="record-row"]');
  assert.ok(all.length > 0, `${what}: no record rows`);
  return all;
}

/** Click a row and wait until the detail shows that record; returns its title. */
async function openRow(browser, row) {
  const id = await row.getAttribute('data-id');
  // textContent, not getText(): WebDriver's visible-text algorithm returns '' inside the
  // virtual list's `contain: strict` viewport.
  const title = String(await row.$('.title').getProperty('textContent')).trim();
  assert.ok(id, 'a record row without data-id');
  await row.click();
  await browser.waitUntil(
    async () => {
      const detail = await browser.$(`[data-testid="record-detail"][data-id="${id}"]`);
      return detail.isDisplayed();
    },
    { timeout: WAIT, timeoutMsg: `the detail of record ${id} ("${title}") was not shown within ${WAIT} ms` },
  );
  const shown = String(await browser.$('[data-testid="detail-title"]').getProperty('textContent')).trim();
  assert.equal(shown, title, 'the detail title is the title of the clicked row');
  return { id, title };
}

/** Fail clearly when the app is a dev build that loads devUrl instead of the embedded UI. */
async function assertEmbeddedUi(browser) {
  const url = await browser.getUrl();
  if (/^https?:\/\/(localhost|127\.0\.0\.1)[:/]/.test(url) && !process.env.E2E_ALLOW_DEV_URL) {
    throw new Error(
      `the app loads ${url}: it is a dev build without the embedded UI. Build ui/dist, then ` +
        'the app with `--features tauri/custom-protocol` (or set E2E_ALLOW_DEV_URL=1 with a dev server running).',
    );
  }
}

async function deleteSession(browser) {
  await withTimeout(browser.deleteSession(), COMMAND_TIMEOUT, 'deleting the WebDriver session').catch((error) =>
    console.error(`could not delete the WebDriver session: ${error.message}`),
  );
}

/** Single-quoted for sh. */
function shQuote(text) {
  return `'${String(text).replaceAll("'", `'\\''`)}'`;
}

/** A launcher that starts the app on `workspace`: same process (exec), same arguments. */
function launcherFor(workspace, dir) {
  const file = path.join(dir, 'insisst-app-launcher.sh');
  writeFileSync(
    file,
    `#!/bin/sh\nINSISST_WORKSPACE=${shQuote(workspace)}\nexport INSISST_WORKSPACE\nexec ${shQuote(APP)} "$@"\n`,
  );
  chmodSync(file, 0o755);
  return file;
}

async function goTo(browser, kind) {
  const nav = await visible(browser, `[data-testid="nav-${kind}"]`, `the ${kind} navigation entry`);
  await nav.click();
  await browser.waitUntil(async () => (await browser.getUrl()).includes(`#/kind/${kind}`), {
    timeout: WAIT,
    timeoutMsg: `navigation to ${kind} did not happen within ${WAIT} ms`,
  });
}

test('the app shows home, lists notes, opens a note and a session with its schedule, searches', { timeout: 300_000 }, async () => {
  const browser = await createSession();
  try {
    await browser.setTimeout({ script: COMMAND_TIMEOUT, pageLoad: START_TIMEOUT, implicit: 0 });
    try {
      // A debug `cargo build` without `--features tauri/custom-protocol` loads devUrl
      // (a dev server) instead of the embedded ui/dist: say so instead of timing out.
      await assertEmbeddedUi(browser);

      // Home
      const greeting = await visible(browser, '[data-testid="greeting"]', 'the Home screen', START_TIMEOUT);
      assert.match(await greeting.getText(), /Test Member/, 'Home greets the workspace owner');
      const noteCard = await visible(browser, '[data-testid="card-note"]', 'the Notes card');
      assert.match(await noteCard.getText(), /\d+/, 'the Notes card shows a count');
      await screenshot(browser, '01-home');

      // Notes: list, then a record
      await goTo(browser, 'note');
      const noteRows = await rows(browser, 'the Notes list');
      const total = await browser.$('[data-testid="record-total"]').getText();
      assert.match(total, /\d+/, 'the list shows its total');
      await screenshot(browser, '02-notes');
      const first = await openRow(browser, noteRows[0]);
      await screenshot(browser, '03-note-detail');

      // Keyboard: the clicked row holds the selection; Down then Enter opens the next one.
      const second = noteRows[1];
      if (second) {
        const secondId = await second.getAttribute('data-id');
        await browser.keys(['ArrowDown']);
        await browser.keys(['Enter']);
        await browser.waitUntil(
          async () => (await browser.$('[data-testid="record-detail"]').getAttribute('data-id')) === secondId,
          { timeout: WAIT, timeoutMsg: `Down + Enter after ${first.id} did not open the next record ${secondId}` },
        );
      }

      // Sessions: open sessions until one has a schedule.
      await goTo(browser, 'session');
      const sessionRows = await rows(browser, 'the Sessions list');
      let withSchedule = null;
      for (const row of sessionRows.slice(0, 15)) {
        const opened = await openRow(browser, row);
        if (await browser.$('[data-testid="schedule-block"]').isExisting()) {
          withSchedule = opened;
          break;
        }
      }
      assert.ok(withSchedule, 'none of the first sessions shows a schedule (agenda with timed blocks)');
      const blocks = await browser.$$('[data-testid="schedule-block"]');
      assert.ok(blocks.length > 0, 'the schedule has blocks');
      const firstBlock = await blocks[0].getText();
      assert.match(firstBlock, /\d{2}:\d{2}–\d{2}:\d{2}/, 'a schedule block shows its computed times');
      await screenshot(browser, '04-session-detail');

      // Links: follow one from the session (host organisation, participants, questions…).
      const link = await browser.$('[data-testid="link"], [data-testid="backlink"]');
      if (await link.isExisting()) {
        const target = await link.getAttribute('data-id');
        await link.click();
        await browser.waitUntil(
          async () => (await browser.$('[data-testid="record-detail"]').getAttribute('data-id')) === target,
          { timeout: WAIT, timeoutMsg: `following a link to ${target} did not open it` },
        );
        await screenshot(browser, '05-linked-record');
      }

      // Search: Ctrl+K opens the palette on its input; results come as you type.
      await browser.keys([Key.Ctrl, 'k']);
      const search = await visible(browser, '[data-testid="search-input"]', 'the search palette after Ctrl+K');
      await browser.waitUntil(
        async () => (await browser.execute(() => document.activeElement?.getAttribute('data-testid'))) === 'search-input',
        { timeout: WAIT, timeoutMsg: 'Ctrl+K did not put the focus in the search input' },
      );
      await search.setValue(SEARCH_WORD);
      // The index is opened in a background thread at start: while it is being built the
      // palette says so, and the next keystroke asks again.
      let retyped = 0;
      await browser.waitUntil(
        async () => {
          // Results as you type: those of the whole word, not of a prefix shown on the way.
          const answered = await browser.$('[data-testid="search-palette"]').getAttribute('data-answered');
          if (answered === SEARCH_WORD && (await browser.$('[data-testid="search-result"]').isExisting())) return true;
          const spinning = await browser.$('.palette .spinner').isExisting();
          if (!spinning && (await browser.$('[data-testid="search-error"]').isExisting())) {
            retyped += 1;
            await search.setValue(SEARCH_WORD);
          }
          return false;
        },
        { timeout: INDEX_TIMEOUT, interval: 1_000, timeoutMsg: `no search results for "${SEARCH_WORD}" within ${INDEX_TIMEOUT} ms` },
      );
      const results = await browser.$$('[data-testid="search-result"]');
      assert.ok(results.length > 0, 'the search shows results');
      assert.match(await browser.$('[data-testid="search-total"]').getText(), /\d+ results?/, 'the search shows its total');
      assert.ok(await browser.$('[data-testid="search-result"] .snippet b').isExisting(), 'snippets highlight the matches');
      const hitId = await results[0].getAttribute('data-id');
      const hitTitle = String(await results[0].$('.title').getProperty('textContent')).trim();
      // The demo's text mentions Århus in titles and bodies alike: the match is in one of them,
      // diacritic folded (the snippet marks it).
      const hitText = `${hitTitle} ${String(await results[0].$('.snippet').getProperty('textContent'))}`;
      assert.match(hitText, /Århus/i, `the first result for "${SEARCH_WORD}" is about Århus (retyped ${retyped} times): ${hitText}`);
      assert.equal(await results[0].getAttribute('aria-selected'), 'true', 'the first result is the active one');
      await screenshot(browser, '09-search');

      // Enter opens the active result and closes the palette.
      await browser.keys(['Enter']);
      await browser.waitUntil(
        async () => (await browser.$('[data-testid="record-detail"]').getAttribute('data-id')) === hitId,
        { timeout: WAIT, timeoutMsg: `Enter in the search palette did not open ${hitId} ("${hitTitle}")` },
      );
      const opened = String(await browser.$('[data-testid="detail-title"]').getProperty('textContent')).trim();
      assert.equal(opened, hitTitle, 'the detail shows the chosen search result');
      assert.equal(await browser.$('[data-testid="search-input"]').isExisting(), false, 'the palette closed');

      // A typo: nothing matches exactly, so the palette says it shows close matches. Escape closes.
      await browser.keys([Key.Ctrl, 'k']);
      const again = await visible(browser, '[data-testid="search-input"]', 'the search palette opened again');
      await again.setValue(`${FUZZY_WORD} `);
      await visible(browser, '[data-testid="search-fuzzy"]', `the close-matches note for "${FUZZY_WORD}"`);
      assert.ok((await browser.$$('[data-testid="search-result"]')).length > 0, 'close matches are listed');
      await screenshot(browser, '10-search-fuzzy');
      await browser.keys(['Escape']);
      await browser.$('[data-testid="search-input"]').waitForExist({
        reverse: true,
        timeout: WAIT,
        timeoutMsg: 'Escape did not close the search palette',
      });
    } catch (error) {
      await screenshot(browser, '99-failure').catch(() => {});
      throw error;
    }
  } finally {
    await deleteSession(browser);
  }
});

/** The `insisst` command on `workspace`, JSON out. */
function cli(workspace, ...args) {
  const out = execFileSync(CLI, ['--workspace', workspace, '--json', ...args], { encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(out);
}

/** Replace the value of an input the way a person does: select all, type. */
async function typeInto(browser, selector, text, what) {
  const input = await visible(browser, selector, what);
  await input.click();
  await input.setValue(text);
  assert.equal(await input.getValue(), text, `${what} holds the typed text`);
  return input;
}

async function openExchangeTab(browser, tab) {
  const nav = await visible(browser, '[data-testid="nav-exchange"]', 'the Exchange navigation entry');
  await nav.click();
  const button = await visible(browser, `[data-testid="exchange-tab-${tab}"]`, `the ${tab} tab`);
  await button.click();
  await visible(browser, `[data-testid="${tab}-panel"]`, `the ${tab} panel`);
}

async function planCell(browser, kind, column) {
  const row = await browser.$(`[data-testid="import-plan-row"][data-kind="${kind}"]`);
  if (!(await row.isExisting())) return 0;
  return Number(String(await row.$(`[data-col="${column}"]`).getProperty('textContent')).trim());
}

/**
 * Preview bundle `file` in the Import tab, check the signature status, import it. Returns
 * the preview's plan for notes.
 */
async function importThroughTheApp(browser, file, status, shot) {
  await openExchangeTab(browser, 'import');
  await typeInto(browser, '[data-testid="import-path"]', file, 'the bundle path field');
  await (await visible(browser, '[data-testid="import-preview-button"]', 'the Preview button')).click();
  await visible(browser, '[data-testid="import-preview"]', `the preview of ${file}`, INDEX_TIMEOUT);
  const signature = await browser.$('[data-testid="import-signature"]');
  assert.equal(await signature.getAttribute('data-status'), status, 'the signature status of the preview');
  const notes = {
    new: await planCell(browser, 'note', 'new'),
    conflicting: await planCell(browser, 'note', 'conflicting'),
  };
  await screenshot(browser, `${shot}-preview`);
  const submit = await visible(browser, '[data-testid="import-submit"]', 'the Import button');
  await browser.waitUntil(async () => submit.isEnabled(), { timeout: WAIT, timeoutMsg: 'Import stays disabled' });
  await submit.click();
  await visible(browser, '[data-testid="import-result"]', `the result of importing ${file}`, INDEX_TIMEOUT);
  await screenshot(browser, `${shot}-result`);
  return notes;
}

test('exchange: import a partner bundle, resolve a conflict, export a bundle the partner can read', { timeout: 400_000 }, async () => {
  const dir = mkdtempSync(path.join(SCRATCH, 'exchange-'));
  const mine = process.env.INSISST_WORKSPACE;
  assert.ok(mine, 'run.sh sets INSISST_WORKSPACE');
  const partner = path.join(dir, 'partner');
  cli(partner, 'init', '--member', 'Jan de Vries', '--org', 'SIF');
  const note = cli(partner, 'add', 'note', '--title', 'Agenda from Amsterdam', '--tag', 'exchange-e2e');
  const noteId = note.id;
  assert.ok(noteId, `add printed an id: ${JSON.stringify(note)}`);
  const first = path.join(dir, 'from-partner-1.insisst');
  cli(partner, 'export', first);

  const browser = await createSession();
  try {
    try {
      await browser.setTimeout({ script: COMMAND_TIMEOUT, pageLoad: START_TIMEOUT, implicit: 0 });
      // The app reopens the last view of the previous test: go Home first.
      await (await visible(browser, '[data-testid="nav-home"]', 'the sidebar', START_TIMEOUT)).click();
      await visible(browser, '[data-testid="home"]', 'Home');

      // A first bundle from a new partner: its key is recorded on first use.
      const firstPlan = await importThroughTheApp(browser, first, 'new_author', '20-import-first');
      assert.equal(firstPlan.new, 1, 'the preview shows the partner note as new');
      assert.equal(cli(mine, 'show', noteId).title, 'Agenda from Amsterdam', 'the note arrived in the workspace');

      // Both sides edit the same note; the partner's next bundle diverges.
      cli(mine, 'edit', noteId, '--title', 'Agenda (our edits)');
      cli(partner, 'edit', noteId, '--title', 'Agenda (partner edits)');
      const second = path.join(dir, 'from-partner-2.insisst');
      cli(partner, 'export', second);
      const secondPlan = await importThroughTheApp(browser, second, 'known_key', '21-import-conflict');
      assert.equal(secondPlan.conflicting, 1, 'the preview shows the note as conflicting');

      // The conflict, side by side; keep the partner's version.
      await openExchangeTab(browser, 'conflicts');
      const item = await visible(browser, `[data-testid="conflict-item"][data-id="${noteId}"]`, 'the conflicting note in the list');
      await item.click();
      await visible(browser, '[data-testid="conflict-detail"]', 'the conflict detail');
      const versions = await browser.$$('[data-testid="conflict-version"]');
      assert.equal(versions.length, 2, 'two versions side by side');
      let theirs = null;
      for (const version of versions) {
        if (String(await version.getProperty('textContent')).includes('partner edits')) theirs = version;
      }
      assert.ok(theirs, "the partner's version is shown");
      await screenshot(browser, '22-conflict-side-by-side');
      await (await theirs.$('[data-testid="conflict-pick"]')).click();
      await browser.waitUntil(async () => cli(mine, 'conflicts').conflicts.length === 0, {
        timeout: WAIT,
        timeoutMsg: 'the conflict is still listed by the CLI after picking a version',
      });
      assert.equal(cli(mine, 'show', noteId).title, 'Agenda (partner edits)', "the partner's version won");
      await screenshot(browser, '23-conflict-resolved');

      // Export everything for the partner: contacts without consent are left out and said so.
      await openExchangeTab(browser, 'export');
      const out = path.join(dir, 'for-partner.insisst');
      await typeInto(browser, '[data-testid="export-path"]', out, 'the export path field');
      const exportButton = await visible(browser, '[data-testid="export-submit"]', 'the Export button');
      await browser.waitUntil(async () => exportButton.isEnabled(), { timeout: WAIT, timeoutMsg: 'Export stays disabled' });
      await exportButton.click();
      await visible(browser, '[data-testid="export-summary"]', 'the export summary', INDEX_TIMEOUT);
      assert.ok(existsSync(out), `the bundle ${out} was written`);
      const leftOut = await browser.$('[data-testid="export-left-out"]');
      assert.ok(await leftOut.isDisplayed(), 'the summary warns about contacts left out for lack of consent');
      await screenshot(browser, '24-export-summary');

      // The partner's key, recorded on first use.
      await openExchangeTab(browser, 'keys');
      const keyRows = await browser.$$('[data-testid="key-row"]');
      assert.equal(keyRows.length, 1, 'one known key: the partner');
      assert.match(String(await keyRows[0].getProperty('textContent')), /Jan de Vries/);
      await screenshot(browser, '25-known-keys');

      // The partner reads it: signed by a key it records on first use; our resolution arrives.
      const preview = cli(partner, 'import', '--dry-run', out);
      assert.equal(preview.signature, 'new_author');
      cli(partner, 'import', out);
      assert.equal(cli(partner, 'show', noteId).title, 'Agenda (partner edits)');
      assert.equal(cli(partner, 'conflicts').conflicts.length, 0, 'the resolution travelled');
    } catch (error) {
      await screenshot(browser, '99-exchange-failure').catch(() => {});
      throw error;
    }
  } finally {
    await deleteSession(browser);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `YYYY-MM-DD` of the day `days` after today (local time of this machine). */
function dayFromToday(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

async function themeOfPage(browser) {
  return browser.execute(() => ({
    attribute: document.documentElement.dataset.theme ?? null,
    background: getComputedStyle(document.body).backgroundColor,
  }));
}

/** The sum of a CSS rgb() colour's channels: dark backgrounds are small. */
function brightness(rgb) {
  return (String(rgb).match(/\d+/g) ?? []).slice(0, 3).reduce((sum, n) => sum + Number(n), 0);
}

test('frame, home, shortcuts and settings: panels with demo data, Ctrl+N, backup and restore, dark theme', { timeout: 300_000 }, async () => {
  const mine = process.env.INSISST_WORKSPACE;
  assert.ok(mine, 'run.sh sets INSISST_WORKSPACE');
  const dir = mkdtempSync(path.join(SCRATCH, 'settings-'));
  // A session tomorrow at 10:00 in Prague: Home's upcoming list must show it with its time.
  const upcomingTitle = 'Peer exchange Plzeň (e2e upcoming)';
  const upcoming = cli(mine, 'add', 'session', '--title', upcomingTitle, '--set', `starts_at=${dayFromToday(1)}T10:00`,
    '--set', `ends_at=${dayFromToday(1)}T16:30`, '--set', 'timezone=Europe/Prague', '--set', 'status=confirmed');
  assert.ok(upcoming.id, `add printed an id: ${JSON.stringify(upcoming)}`);

  const browser = await createSession();
  try {
    try {
      await browser.setTimeout({ script: COMMAND_TIMEOUT, pageLoad: START_TIMEOUT, implicit: 0 });
      await assertEmbeddedUi(browser);
      // The last view of the previous test (the Exchange screen's known keys) is restored.
      await visible(browser, '[data-testid="keys-panel"]', 'the last view (Exchange, known keys) restored at start', START_TIMEOUT);
      assert.match(await browser.getUrl(), /#\/exchange\/keys$/, 'the app reopened where the last session ended');

      // Home: the three panels show the demo workspace's data.
      await (await visible(browser, '[data-testid="nav-home"]', 'the Home navigation entry')).click();
      const item = await visible(browser, `[data-testid="home-upcoming-item"][data-id="${upcoming.id}"]`, 'the upcoming session on Home');
      assert.match(String(await item.getProperty('textContent')), /10:00–16:30/, 'the upcoming session shows its times');
      assert.match(String(await item.getProperty('textContent')), /Europe\/Prague/, 'the upcoming session shows its time zone');
      const questions = await browser.$$('[data-testid="home-question"]');
      assert.ok(questions.length > 0, 'Home lists open questions of the demo data');
      const priorities = [];
      for (const q of questions) priorities.push(await q.$('.priority').getAttribute('data-priority'));
      const rank = { high: 0, medium: 1, low: 2, none: 3 };
      assert.deepEqual([...priorities].sort((a, b) => rank[a] - rank[b]), priorities, `open questions come by priority: ${priorities}`);
      assert.ok((await browser.$$('[data-testid="home-note"]')).length > 0, 'Home lists recent notes');
      assert.equal(await browser.$('[data-testid="card-note"]').isExisting(), true, 'the record cards stay');
      await screenshot(browser, '30-home-light');

      // Go-to shortcuts: g then s opens Sessions; ? shows the list of shortcuts.
      await browser.keys(['g']);
      await browser.keys(['s']);
      await browser.waitUntil(async () => (await browser.getUrl()).endsWith('#/kind/session'), {
        timeout: WAIT,
        timeoutMsg: 'g then s did not open Sessions',
      });
      await browser.keys(['?']);
      await visible(browser, '[data-testid="shortcuts-help"]', 'the shortcuts help after ?');
      await screenshot(browser, '31-shortcuts-help');
      await browser.keys(['Escape']);
      await browser.$('[data-testid="shortcuts-help"]').waitForExist({ reverse: true, timeout: WAIT, timeoutMsg: 'Escape did not close the shortcuts help' });

      // Ctrl+N: a new note, opened once created.
      const noteTitle = 'Quick note from Łódź (e2e)';
      await browser.keys([Key.Ctrl, 'n']);
      const title = await visible(browser, '[data-testid="new-record"][data-kind="note"] [data-testid="new-record-title"]', 'the new note dialog after Ctrl+N');
      await browser.waitUntil(
        async () => (await browser.execute(() => document.activeElement?.getAttribute('data-testid'))) === 'new-record-title',
        { timeout: WAIT, timeoutMsg: 'the new note dialog did not focus its title' },
      );
      await title.setValue(noteTitle);
      await screenshot(browser, '32-new-note');
      await browser.keys(['Enter']);
      // A new note opens in its editor, ready to write.
      const editorTitle = await visible(browser, '[data-testid="note-editor"] [data-testid="note-title"]', 'the new note in its editor');
      assert.equal(await editorTitle.getValue(), noteTitle, `the new note "${noteTitle}" is the one being written`);
      const noteId = await browser.$('[data-testid="note-editor"]').getAttribute('data-id');
      assert.match(await browser.getUrl(), new RegExp(`#/kind/note/${noteId}$`), 'the new note is the current view');
      assert.equal(cli(mine, 'show', noteId).title, noteTitle, 'the note is in the workspace');
      await screenshot(browser, '33-new-note-opened');
      await (await visible(browser, '[data-testid="note-done"]', 'Done in the note editor')).click();
      await visible(browser, `[data-testid="record-detail"][data-id="${noteId}"]`, 'the note after Done');

      // Settings: identity, key fingerprint, workspace path.
      await (await visible(browser, '[data-testid="nav-settings"]', 'the Settings navigation entry')).click();
      const fingerprint = String(await (await visible(browser, '[data-testid="settings-fingerprint"]', 'the key fingerprint')).getProperty('textContent')).trim();
      assert.match(fingerprint, /^[0-9a-f]{4}(:[0-9a-f]{4}){7}$/, 'the fingerprint is shown in groups of four hex digits');
      assert.equal(String(await browser.$('[data-testid="settings-path"]').getProperty('textContent')).trim(), mine, 'Settings show the workspace path');
      assert.equal(await browser.$('[data-testid="settings-member"]').getText(), 'Test Member');

      // Back up now, to a typed path.
      const backup = path.join(dir, 'backup.zip');
      await typeInto(browser, '[data-testid="settings-backup-path"]', backup, 'the backup path field');
      await (await visible(browser, '[data-testid="settings-backup-submit"]', 'the Back up button')).click();
      await visible(browser, '[data-testid="settings-backup-done"]', 'the backup confirmation', INDEX_TIMEOUT);
      assert.ok(existsSync(backup), `the backup ${backup} was written`);

      // Restore it into an empty folder, through the app; the CLI reads the restored workspace.
      const restored = path.join(dir, 'restored');
      await typeInto(browser, '[data-testid="settings-restore-file"]', backup, 'the backup file field');
      await typeInto(browser, '[data-testid="settings-restore-folder"]', restored, 'the restore folder field');
      await (await visible(browser, '[data-testid="settings-restore-submit"]', 'the Restore button')).click();
      await visible(browser, '[data-testid="settings-restore-done"]', 'the restore confirmation', INDEX_TIMEOUT);
      assert.equal(cli(restored, 'show', noteId).title, noteTitle, 'the restored workspace holds the new note');
      // The same backup restored by the CLI carries the same key: the fingerprint Settings show.
      const again = cli(path.join(dir, 'by-cli'), 'init', '--from-backup', backup);
      assert.equal(again.fingerprint, fingerprint, 'the fingerprint in Settings is the workspace key');
      await browser.execute(() => document.querySelector('[data-testid="settings"]')?.scrollTo(0, 0));
      await screenshot(browser, '34-settings-light');

      // Theme: dark by choice, whatever the system says; remembered.
      await (await browser.$('[data-testid="settings-theme-dark"]')).click();
      await browser.waitUntil(async () => (await themeOfPage(browser)).attribute === 'dark', {
        timeout: WAIT,
        timeoutMsg: 'choosing Dark did not set the dark theme',
      });
      const dark = await themeOfPage(browser);
      assert.ok(brightness(dark.background) < 150, `the dark theme has a dark background (${dark.background})`);
      await browser.execute(() => document.querySelector('[data-testid="settings"]')?.scrollTo(0, 0));
      await screenshot(browser, '35-settings-dark');
      await (await visible(browser, '[data-testid="nav-home"]', 'the Home navigation entry')).click();
      await visible(browser, `[data-testid="home-upcoming-item"][data-id="${upcoming.id}"]`, 'Home in the dark theme');
      await screenshot(browser, '36-home-dark');

      // Light again: the next test's screenshots follow the system.
      await (await visible(browser, '[data-testid="nav-settings"]', 'the Settings navigation entry')).click();
      await (await visible(browser, '[data-testid="settings-theme-system"]', 'the system theme choice')).click();
      await browser.waitUntil(async () => (await themeOfPage(browser)).attribute === null, {
        timeout: WAIT,
        timeoutMsg: 'choosing the system theme did not clear the choice',
      });
    } catch (error) {
      await screenshot(browser, '99-frame-failure').catch(() => {});
      throw error;
    }
  } finally {
    await deleteSession(browser);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The text of `selector`, read as textContent (getText() is '' in `contain: strict` boxes). */
async function textOf(browser, selector) {
  return String(await browser.$(selector).getProperty('textContent')).trim();
}

test('learning agenda: move a question on the board by keyboard, edit it, restore an earlier revision', { timeout: 300_000 }, async () => {
  const mine = process.env.INSISST_WORKSPACE;
  assert.ok(mine, 'run.sh sets INSISST_WORKSPACE');
  // A question of our own, high priority so that it tops the Open column.
  const title = 'How do Łódź and Århus pilot housing first? (e2e board)';
  const edited = 'Housing first pilots in Łódź, Århus and Plzeň (e2e edit)';
  const question = cli(mine, 'add', 'question', '--title', title, '--set', 'status=open', '--set', 'priority=high',
    '--set', 'theme=housing first', '--set', 'provisional_answer=Start with ten flats.');
  assert.ok(question.id, `add printed an id: ${JSON.stringify(question)}`);
  const card = (status) => `[data-testid="board-column"][data-status="${status}"] [data-card-link="${question.id}"]`;

  const browser = await createSession();
  try {
    try {
      await browser.setTimeout({ script: COMMAND_TIMEOUT, pageLoad: START_TIMEOUT, implicit: 0 });
      await assertEmbeddedUi(browser);
      // The app reopens the last view of the previous test: go to the agenda explicitly.
      await visible(browser, '[data-testid="nav-question"]', 'the Learning agenda navigation entry', START_TIMEOUT);
      await goTo(browser, 'question');
      await (await visible(browser, '[data-testid="agenda-view-board"]', 'the Board view button')).click();
      await visible(browser, card('open'), 'the new question in the Open column');
      const columns = await browser.$$('[data-testid="board-column"]');
      const statuses = [];
      for (const column of columns) statuses.push(await column.getAttribute('data-status'));
      assert.deepEqual(statuses, ['open', 'provisional', 'resolved', 'dropped'], 'one column per status, in order');
      const cardText = String(await browser.$(`[data-testid="board-card"][data-id="${question.id}"]`).getProperty('textContent'));
      assert.match(cardText, /High/, 'the card shows its priority');
      assert.match(cardText, /housing first/, 'the card shows its theme');
      await screenshot(browser, '40-agenda-board');

      // Keyboard: focus the card, Alt+→ moves it to Provisional; the CLI sees the new status.
      await browser.execute((selector) => document.querySelector(selector)?.focus(), card('open'));
      await browser.keys([Key.Alt, Key.ArrowRight]);
      await visible(browser, card('provisional'), 'the question in the Provisional column after Alt+→');
      await browser.waitUntil(async () => cli(mine, 'show', question.id).status === 'provisional', {
        timeout: WAIT,
        timeoutMsg: 'the CLI does not see the question as provisional',
      });
      assert.equal(await browser.$(card('open')).isExisting(), false, 'the card left the Open column');
      const focused = await browser.execute(() => document.activeElement?.getAttribute('data-card-link'));
      assert.equal(focused, question.id, 'the moved card keeps the keyboard focus');
      await screenshot(browser, '41-agenda-moved');

      // Enter opens the question: its provisional answer, links and history are there.
      await browser.keys(['Enter']);
      await visible(browser, `[data-testid="record-detail"][data-id="${question.id}"]`, 'the question opened from the board');
      assert.equal(await textOf(browser, '[data-testid="detail-title"]'), title);
      assert.match(await textOf(browser, '[data-testid="detail-fields"]'), /Start with ten flats\./, 'the provisional answer is shown');

      // Edit the title and save.
      await (await visible(browser, '[data-testid="detail-edit"]', 'the Edit button')).click();
      await visible(browser, '[data-testid="record-editor"]', 'the edit form');
      assert.equal(await browser.$('[data-testid="edit-status"]').getValue(), 'provisional', 'the form shows the current status');
      await typeInto(browser, '[data-testid="edit-title"]', edited, 'the title field');
      await screenshot(browser, '42-question-edit');
      await (await visible(browser, '[data-testid="edit-save"]', 'the Save button')).click();
      await browser.waitUntil(async () => (await textOf(browser, '[data-testid="detail-title"]')) === edited, {
        timeout: WAIT,
        timeoutMsg: 'the saved title is not shown',
      });
      await browser.$('[data-testid="record-editor"]').waitForExist({ reverse: true, timeout: WAIT, timeoutMsg: 'the form stays open after Save' });
      assert.equal(cli(mine, 'show', question.id).title, edited, 'the CLI sees the edited title');

      // History: newest first; restore the revision before the edit.
      await (await visible(browser, '[data-testid="detail-history"]', 'the History button')).click();
      await visible(browser, '[data-testid="history-entry"]', 'the history entries');
      const entries = await browser.$$('[data-testid="history-entry"]');
      assert.equal(entries.length, 3, 'three revisions: created, moved, edited');
      const titles = [];
      for (const entry of entries) titles.push(String(await entry.$('[data-testid="history-title"]').getProperty('textContent')).trim());
      assert.deepEqual(titles, [edited, title, title], 'newest first');
      assert.ok(await entries[0].$('[data-testid="history-current"]').isExisting(), 'the newest revision is marked current');
      const earlier = entries[1];
      const earlierRev = await earlier.getAttribute('data-rev');
      await (await earlier.$('[data-testid="history-preview"]')).click();
      await visible(browser, '[data-testid="history-fields"]', 'the preview of the earlier revision');
      assert.match(await textOf(browser, '[data-testid="history-fields"]'), /Provisional/, 'the preview shows that revision’s fields');
      await browser.execute(() => {
        const view = document.querySelector('.question-view');
        const panel = document.querySelector('[data-testid="history-panel"]');
        if (view && panel) view.scrollTo(0, panel.getBoundingClientRect().top - view.getBoundingClientRect().top + view.scrollTop - 24);
      });
      await screenshot(browser, '43-question-history');
      await (await earlier.$('[data-testid="history-restore"]')).click();
      await browser.waitUntil(async () => (await textOf(browser, '[data-testid="detail-title"]')) === title, {
        timeout: WAIT,
        timeoutMsg: `restoring ${earlierRev} did not bring the earlier title back on screen`,
      });
      const shown = cli(mine, 'show', question.id);
      assert.equal(shown.title, title, 'the CLI sees the restored title');
      assert.equal(shown.status, 'provisional', 'the restored revision keeps the status it had');
      await browser.waitUntil(async () => (await browser.$$('[data-testid="history-entry"]')).length === 4, {
        timeout: WAIT,
        timeoutMsg: 'the history does not show the restore as a new revision',
      });
      await browser.execute(() => document.querySelector('.question-view')?.scrollTo(0, 0));
      await screenshot(browser, '44-question-restored');

      // The list view, sorted by priority: the question is among the rows.
      await (await visible(browser, '[data-testid="back-to-agenda"]', 'the way back to the agenda')).click();
      await (await visible(browser, '[data-testid="agenda-view-list"]', 'the List view button')).click();
      await visible(browser, `[data-testid="agenda-row"][data-id="${question.id}"]`, 'the question in the list');
      await (await visible(browser, '[data-testid="agenda-sort-age"]', 'the Age column head')).click();
      await screenshot(browser, '45-agenda-list');
      await (await visible(browser, '[data-testid="agenda-view-board"]', 'the Board view button')).click();
      await visible(browser, card('provisional'), 'the question back on the board, still provisional');
    } catch (error) {
      await screenshot(browser, '99-agenda-failure').catch(() => {});
      throw error;
    }
  } finally {
    await deleteSession(browser);
  }
});

/** A 16x16 checkerboard PNG (blue and amber), small and real: the attachment of the rendered note. */
const BOARD_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAJElEQVR42mPQj18ORx+2aMARLnGGQaiBGEXI4oNRw2g8DAoNABGTgJAl2E5PAAAAAElFTkSuQmCC';

test('a note body renders: heading, task list, table, wiki link, external link, attached image', { timeout: 300_000 }, async () => {
  const mine = process.env.INSISST_WORKSPACE;
  assert.ok(mine, 'run.sh sets INSISST_WORKSPACE');
  const dir = mkdtempSync(path.join(SCRATCH, 'render-'));
  const targetTitle = 'Housing first in Plzeň (e2e render target)';
  const target = cli(mine, 'add', 'note', '--title', targetTitle);
  const png = path.join(dir, 'e2e-board.png');
  writeFileSync(png, Buffer.from(BOARD_PNG, 'base64'));
  const bodyFile = path.join(dir, 'body.md');
  writeFileSync(
    bodyFile,
    [
      '# Workshop day one',
      '',
      'What we agreed, see [[housing first in plzeň (E2E render target)]] and [[No such note e2e]].',
      '',
      '- [x] Site visit booked',
      '- [ ] Send the minutes',
      '',
      '| City | Partner | People |',
      '|:-----|:--------|-------:|',
      '| Plzeň | MoLSA | 12 |',
      '| Århus | SIA | 9 |',
      '',
      '> Quote from the visit, with `code` in it.',
      '',
      'More at [the project site](https://example.org/insisst).',
      '',
      '![board](e2e-board.png)',
      '',
    ].join('\n'),
  );
  const note = cli(mine, 'add', 'note', '--title', 'Rendered workshop notes (e2e)', '--body-file', bodyFile);
  cli(mine, 'attach', note.id, png);

  const browser = await createSession();
  try {
    try {
      await browser.setTimeout({ script: COMMAND_TIMEOUT, pageLoad: START_TIMEOUT, implicit: 0 });
      await assertEmbeddedUi(browser);
      await visible(browser, '[data-testid="nav-home"]', 'the sidebar', START_TIMEOUT);
      // By id alone, as a wiki link goes: the app finds the kind and shows the note's view.
      await browser.execute((href) => {
        window.location.hash = href;
      }, `#/record/${encodeURIComponent(note.id)}`);
      await visible(browser, `[data-testid="record-detail"][data-id="${note.id}"]`, 'the note opened by #/record/<id>');
      assert.match(await browser.getUrl(), new RegExp(`#/kind/note/${note.id}$`), '#/record/<id> went on to the note view');
      const body = await visible(browser, '[data-testid="detail-body"].markdown', 'the rendered body');

      assert.equal(String(await body.$('h1').getProperty('textContent')), 'Workshop day one', 'the heading is rendered');
      assert.equal((await body.$$('table tbody tr')).length, 2, 'the table has its two rows');
      const boxes = await body.$$('input[type="checkbox"]');
      assert.equal(boxes.length, 2, 'the task list has two checkboxes');
      assert.equal(await boxes[0].getProperty('checked'), true, 'the done task is checked');
      assert.equal(await boxes[1].getProperty('checked'), false, 'the open task is not');
      const external = await body.$('a.external');
      assert.equal(await external.getAttribute('href'), 'https://example.org/insisst', 'the external link keeps its URL');
      const missing = await body.$('a.wiki.missing');
      assert.equal(await missing.getAttribute('data-title'), 'No such note e2e', 'the unknown title is marked missing');
      assert.equal(await missing.getAttribute('title'), 'No record titled “No such note e2e”', 'and says so when pointed at');

      // The image: served by the attachment scheme, and really loaded.
      const image = await body.$('img');
      const src = String(await image.getAttribute('src'));
      assert.match(src, /^insisst-attachment:\/\/localhost\/[0-9a-f]{64}$/, 'the image comes from the attachment scheme');
      await browser.waitUntil(
        () => browser.execute(() => {
          const img = document.querySelector('[data-testid="detail-body"] img');
          return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
        }),
        { timeout: WAIT, timeoutMsg: `the attached image ${src} did not load` },
      );
      assert.equal(await browser.execute(() => document.querySelector('[data-testid="detail-body"] img')?.naturalWidth), 16);
      // Anything but a stored hash is not served.
      const refused = await browser.executeAsync((done) => {
        const img = new Image();
        img.onload = () => done('loaded');
        img.onerror = () => done('refused');
        img.src = 'insisst-attachment://localhost/' + '0'.repeat(64);
      });
      assert.equal(refused, 'refused', 'an unknown hash is not served');
      await screenshot(browser, '50-note-rendered-light');
      await browser.execute(() => {
        document.documentElement.dataset.theme = 'dark';
      });
      await screenshot(browser, '51-note-rendered-dark');
      await browser.execute(() => {
        delete document.documentElement.dataset.theme;
      });

      // The wiki link opens the other note, in the app.
      const wiki = await body.$('a.wiki:not(.missing)');
      // The attribute as written (WebDriver's getAttribute answers with the resolved URL here).
      const wikiHref = await browser.execute((a) => a.getAttribute('href'), wiki);
      assert.equal(wikiHref, `#/record/${target.id}`, 'the wiki link names the record it resolved to');
      await wiki.click();
      await visible(browser, `[data-testid="record-detail"][data-id="${target.id}"]`, 'the note the wiki link names');
      assert.equal(String(await browser.$('[data-testid="detail-title"]').getProperty('textContent')).trim(), targetTitle);
      await screenshot(browser, '52-wiki-link-followed');
    } catch (error) {
      await screenshot(browser, '99-render-failure').catch(() => {});
      throw error;
    }
  } finally {
    await deleteSession(browser);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('first start on an empty folder: the welcome form creates the workspace with demo data', { timeout: 420_000 }, async () => {
  const dir = mkdtempSync(path.join(SCRATCH, 'first-start-'));
  const workspace = path.join(dir, 'empty workspace');
  mkdirSync(workspace);
  const member = 'Zuzana Řezníčková';
  try {
    const browser = await createSession(launcherFor(workspace, dir));
    try {
      await browser.setTimeout({ script: COMMAND_TIMEOUT, pageLoad: START_TIMEOUT, implicit: 0 });
      await assertEmbeddedUi(browser);

      // The welcome form, not Home: the folder holds no workspace yet.
      await visible(browser, '[data-testid="setup-form"]', 'the welcome (setup) form', START_TIMEOUT);
      assert.equal(await browser.$('[data-testid="home"]').isExisting(), false, 'no Home before setup');

      const name = await visible(browser, 'input[name="member"]', 'the member name field');
      await name.setValue(member);
      assert.equal(await name.getValue(), member, 'the name field holds the typed name, diacritics included');

      // The organisation: the partner whose short name is MoLSA (options are loaded from the core).
      const select = await visible(browser, 'select[name="organisation"]', 'the organisation list');
      let molsa = null;
      await browser.waitUntil(
        async () => {
          for (const option of await select.$$('option')) {
            const text = String(await option.getProperty('textContent'));
            if (text.includes('MoLSA')) {
              molsa = await option.getAttribute('value');
              return true;
            }
          }
          return false;
        },
        { timeout: WAIT, timeoutMsg: 'the organisation list offers no MoLSA partner' },
      );
      await select.selectByAttribute('value', molsa);
      assert.equal(await select.getValue(), molsa, 'MoLSA is selected');

      const demo = await visible(browser, 'input[name="demo"]', 'the demo data checkbox');
      await demo.click();
      assert.equal(await demo.isSelected(), true, '"Fill with demo data" is checked');

      const submit = await visible(browser, 'form[data-testid="setup-form"] button[type="submit"]', 'the submit button');
      await browser.waitUntil(async () => submit.isEnabled(), {
        timeout: WAIT,
        timeoutMsg: 'the submit button stays disabled with name and organisation filled in',
      });
      await screenshot(browser, '06-setup-form');
      await submit.click();

      // Home, greeting the new owner, with the demo records counted.
      const greeting = await visible(browser, '[data-testid="greeting"]', 'Home after setup', SETUP_TIMEOUT);
      assert.equal((await greeting.getText()).trim(), `Hello, ${member}`, 'Home greets the new owner by name');
      const home = await browser.$('[data-testid="home"]');
      assert.match(await home.getText(), /MoLSA/, 'Home names the organisation');
      const counts = {};
      for (const card of await browser.$$('[data-testid^="card-"]')) {
        const kind = String(await card.getAttribute('data-testid')).slice('card-'.length);
        counts[kind] = Number(String(await card.$('.count').getProperty('textContent')).trim());
      }
      assert.ok(Object.keys(counts).length > 0, 'Home shows record cards');
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      assert.ok(total > 0, `Home counts demo records (counts: ${JSON.stringify(counts)})`);
      assert.ok(counts.note > 0, `Home counts notes (counts: ${JSON.stringify(counts)})`);
      await screenshot(browser, '07-after-setup');

      // The workspace is on disk, where the app was pointed.
      assert.ok(readdirSync(workspace).length > 0, `the workspace folder ${workspace} is still empty`);

      // And the records are there: the Notes list shows them.
      await goTo(browser, 'note');
      await rows(browser, 'the Notes list of the new workspace');
      await screenshot(browser, '08-new-workspace-notes');
    } catch (error) {
      await screenshot(browser, '99-first-start-failure').catch(() => {});
      throw error;
    } finally {
      await deleteSession(browser);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `YYYY-MM-DD` of the local day `days` from today. */
function localDay(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Set an input's value as the browser would after typing (date and number inputs). */
async function setInput(browser, selector, value, what) {
  await visible(browser, selector, what);
  await browser.execute(
    (sel, text) => {
      const el = document.querySelector(sel);
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
      setter.call(el, text);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    },
    selector,
    value,
  );
}

async function texts(browser, selector) {
  const out = [];
  for (const el of await browser.$$(selector)) out.push(String(await el.getProperty('textContent')).replace(/\s+/g, ' ').trim());
  return out;
}

/** Create a record of `kind` from its list's New button; returns its id once its detail shows. */
async function newFromList(browser, kind, title) {
  await goTo(browser, kind);
  await (await visible(browser, '[data-testid="list-new"]', `the New button of the ${kind} list`)).click();
  await typeInto(browser, '[data-testid="new-record-title"]', title, `the title of the new ${kind}`);
  await (await visible(browser, '[data-testid="new-record-submit"]', 'the Create button')).click();
  await browser.waitUntil(async () => new RegExp(`#/kind/${kind}/[0-9a-f-]{36}$`).test(await browser.getUrl()), {
    timeout: WAIT,
    timeoutMsg: `the new ${kind} "${title}" did not open`,
  });
  return decodeURIComponent((await browser.getUrl()).split('/').pop());
}

test('a real day: set up, plan a session with five timed blocks, write notes with a wiki link and an image, find them, move a question, restore', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(path.join(SCRATCH, 'real-day-'));
  const workspace = path.join(dir, 'workspace');
  mkdirSync(workspace);
  const day = localDay(3);
  const sessionTitle = 'Peer exchange Tampere';
  const noteTitle = 'Tampere workshop notes';
  try {
    const browser = await createSession(launcherFor(workspace, dir));
    try {
      await browser.setTimeout({ script: COMMAND_TIMEOUT, pageLoad: START_TIMEOUT, implicit: 0 });
      await assertEmbeddedUi(browser);

      // Morning: a new workspace for Aino of THL, no demo data.
      await visible(browser, '[data-testid="setup-form"]', 'the welcome form', START_TIMEOUT);
      await (await visible(browser, 'input[name="member"]', 'the member name field')).setValue('Aino Mäkinen');
      const select = await visible(browser, 'select[name="organisation"]', 'the organisation list');
      await browser.waitUntil(async () => (await select.$$('option')).length > 1, { timeout: WAIT, timeoutMsg: 'no organisations offered' });
      let thl = null;
      for (const option of await select.$$('option')) {
        if (String(await option.getProperty('textContent')).includes('THL')) thl = await option.getAttribute('value');
      }
      assert.ok(thl, 'THL is offered');
      await select.selectByAttribute('value', thl);
      await (await visible(browser, 'form[data-testid="setup-form"] button[type="submit"]', 'the submit button')).click();
      await visible(browser, '[data-testid="greeting"]', 'Home after setup', SETUP_TIMEOUT);
      await screenshot(browser, '50-day-home');

      // The method library gets a method the session will use.
      const methodId = await newFromList(browser, 'method', 'World café');
      await (await visible(browser, '[data-testid="detail-edit"]', 'Edit on the method')).click();
      await setInput(browser, '[data-testid="edit-minutes"]', '45', 'the method minutes');
      await typeInto(browser, '[data-testid="edit-group_size"]', '12–40', 'the group size');
      await (await visible(browser, '[data-testid="edit-save"]', 'Save on the method')).click();
      await browser.$('[data-testid="record-editor"]').waitForExist({ reverse: true, timeout: WAIT, timeoutMsg: 'the method form stays open' });
      assert.match(await textOf(browser, '[data-testid="detail-fields"]'), /45/, 'the method keeps its 45 minutes');

      // Plan the session: Ctrl+Shift+N, a start three days ahead at 09:00.
      await browser.keys([Key.Ctrl, Key.Shift, 'n']);
      await typeInto(browser, '[data-testid="new-record-title"]', sessionTitle, 'the new session title');
      await setInput(browser, '[data-testid="new-record-starts"]', `${day}T09:00`, 'the session start');
      await (await visible(browser, '[data-testid="new-record-submit"]', 'Create session')).click();
      await visible(browser, '[data-testid="record-detail"]', 'the new session');
      const sessionId = await browser.$('[data-testid="record-detail"]').getAttribute('data-id');
      await (await visible(browser, '[data-testid="detail-edit"]', 'Edit on the session')).click();
      await visible(browser, '[data-testid="session-editor"]', 'the session editor');
      const blocks = [
        ['Welcome and check-in', 30],
        ['Pilots from three cities', 90],
        ['Lunch', 60],
        ['Reflection and next steps', 30],
      ];
      for (const [i, [title, minutes]] of blocks.entries()) {
        await (await visible(browser, '[data-testid="agenda-add"]', 'Add block')).click();
        const row = `[data-testid="agenda-block"][data-row="${i}"]`;
        await typeInto(browser, `${row} [data-field="title"]`, title, `block ${i + 1} title`);
        await setInput(browser, `${row} [data-field="minutes"]`, String(minutes), `block ${i + 1} minutes`);
      }
      // The fifth block comes from the library, then moves up to second place by keyboard.
      const method = await visible(browser, '[data-testid="agenda-method"]', 'the method library list');
      await method.selectByAttribute('value', methodId);
      await (await visible(browser, '[data-testid="agenda-add-method"]', 'Add method')).click();
      await browser.waitUntil(async () => (await browser.$$('[data-testid="agenda-block"]')).length === 5, {
        timeout: WAIT,
        timeoutMsg: 'five blocks in the agenda',
      });
      for (let i = 0; i < 3; i++) {
        await browser.execute(() => document.querySelector('[data-testid="agenda-block"][data-row="4"] [data-field="title"], [data-testid="agenda-block"] input:focus')?.focus());
        await browser.keys([Key.Alt, Key.ArrowUp]);
        await settle(browser);
      }
      // The last block starts the next day.
      await (await visible(browser, '[data-testid="agenda-block"][data-row="4"] [data-field="day_break"]', 'the day break box')).click();
      const next = localDay(4);
      const expected = [
        'Welcome and check-in 09:00–09:30',
        'World café 09:30–10:15',
        'Pilots from three cities 10:15–11:45',
        'Lunch 11:45–12:45',
        'Reflection and next steps 09:00–09:30',
      ];
      const shown = [];
      for (const row of await browser.$$('[data-testid="agenda-block"]')) {
        const title = await row.$('[data-field="title"]').getValue();
        const time = String(await row.$('[data-testid="agenda-block-time"]').getProperty('textContent')).replace(/\s+/g, ' ').trim();
        shown.push(`${title} ${time.split(' ')[0]}`);
      }
      assert.deepEqual(shown, expected, 'blocks in order with live start times (day break included)');
      assert.match(await textOf(browser, '[data-testid="agenda-total"]'), /5 blocks · 4 h 15 min/, 'the total time');
      await screenshot(browser, '51-day-session-editor');
      await (await visible(browser, '[data-testid="edit-save"]', 'Save on the session')).click();
      await browser.$('[data-testid="session-editor"]').waitForExist({ reverse: true, timeout: WAIT, timeoutMsg: 'the session editor stays open' });
      const schedule = await texts(browser, '[data-testid="schedule-block"] .time');
      assert.deepEqual(schedule, ['09:00–09:30', '09:30–10:15', '10:15–11:45', '11:45–12:45', '09:00–09:30'], 'the saved schedule');
      const stored = cli(workspace, 'show', sessionId);
      assert.equal(stored.agenda.length, 5, 'the CLI sees five blocks');
      assert.equal(stored.agenda[1].method_id, methodId, 'the second block is the method');
      assert.equal(stored.agenda[4].day_break, true, 'the last block breaks the day');
      assert.equal(stored.ends_at, `${next}T09:30`, 'the session ends with its agenda, on the next day');
      await screenshot(browser, '52-day-session-saved');

      // The month calendar shows it on its day.
      await (await visible(browser, '[data-testid="sessions-view-month"]', 'the Month view')).click();
      await visible(browser, '[data-testid="sessions-calendar"]', 'the calendar');
      if (!(await browser.$(`[data-testid="calendar-day"][data-day="${day}"]`).isExisting())) {
        await (await visible(browser, '[data-testid="calendar-next"]', 'the next page button')).click();
      }
      await visible(browser, `[data-testid="calendar-day"][data-day="${day}"] [data-testid="calendar-session"][data-id="${sessionId}"]`, 'the session on its day');
      await visible(browser, `[data-testid="calendar-day"][data-day="${next}"] [data-testid="calendar-session"][data-id="${sessionId}"]`, 'the session on its second day');
      await screenshot(browser, '53-day-calendar');
      await (await visible(browser, '[data-testid="sessions-view-list"]', 'the List view')).click();

      // Notes: Ctrl+N from the workshop template, straight into the editor.
      await browser.keys([Key.Ctrl, 'n']);
      await typeInto(browser, '[data-testid="new-record-title"]', noteTitle, 'the new note title');
      await (await visible(browser, '[data-testid="new-record-template"]', 'the template list')).selectByAttribute('value', 'workshop_notes');
      await (await visible(browser, '[data-testid="new-record-submit"]', 'Create note')).click();
      await visible(browser, '[data-testid="note-editor"]', 'the note editor', WAIT);
      const noteId = await browser.$('[data-testid="note-editor"]').getAttribute('data-id');
      await visible(browser, '[data-testid="note-preview"] h2', 'the template rendered in the preview');
      // Type at the end of the text (element send keys puts the caret there; the actions
      // API drops spaces in a contenteditable under WebKitWebDriver): a wiki link from `[[`.
      const body = await visible(browser, '[data-testid="edit-body"]', 'the text editor');
      await body.addValue('\nMet the pilots at [[Peer ex');
      const option = await visible(browser, `.cm-tooltip-autocomplete li[aria-selected] , .cm-tooltip-autocomplete li`, 'the [[ completion list', INDEX_TIMEOUT);
      assert.match(String(await option.getProperty('textContent')), /Peer exchange Tampere/, 'the session is offered');
      // CodeMirror ignores Enter for a moment after the list opens or changes (its
      // interactionDelay, so a fast typist's Enter is not taken as a choice): wait that out.
      await new Promise((resolve) => setTimeout(resolve, 400));
      await browser.keys(['Enter']);
      await browser.waitUntil(
        async () => String(await body.getProperty('textContent')).includes('[[Peer exchange Tampere]]'),
        { timeout: WAIT, timeoutMsg: 'Enter did not take the offered title into the text' },
      );
      await body.addValue(' and agreed to meet again.');
      // A photo of the whiteboard, dropped on the text.
      await browser.execute((b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], 'whiteboard.png', { type: 'image/png' }));
        document.querySelector('.body-editor').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }, BOARD_PNG);
      await browser.waitUntil(
        async () => browser.execute(() => [...document.querySelectorAll('[data-testid="note-preview"] img')].some((img) => img.complete && img.naturalWidth === 16)),
        { timeout: WAIT, timeoutMsg: 'the dropped image is not shown in the preview' },
      );
      await visible(browser, `[data-testid="note-preview"] a.wiki[href="#/record/${sessionId}"]`, 'the wiki link in the preview');
      await browser.waitUntil(async () => (await browser.$('[data-testid="note-save-state"]').getAttribute('data-state')) === 'saved', {
        timeout: WAIT,
        timeoutMsg: 'the note is not saved by itself',
      });
      await screenshot(browser, '54-day-note-editor');
      const note = cli(workspace, 'show', noteId);
      assert.match(note.body, /\[\[Peer exchange Tampere\]\] and agreed to meet again\./, 'the saved body holds the completed wiki link');
      assert.match(note.body, /!\[whiteboard\.png\]\([0-9a-f]{64}\)/, 'the saved body holds the image');
      assert.equal(note.note_kind, 'workshop_notes', 'the template set the kind');
      await (await visible(browser, '[data-testid="note-done"]', 'Done')).click();
      await visible(browser, '[data-testid="detail-body"] img', 'the image in the saved note');
      await visible(browser, `[data-testid="link"][data-id="${sessionId}"]`, 'the session among the note’s links');

      // Find them: the search box.
      await browser.keys([Key.Ctrl, 'k']);
      const box = await visible(browser, '[data-testid="search-input"]', 'the search box');
      await box.setValue('tampere');
      await browser.waitUntil(
        async () => {
          const titles = await texts(browser, '[data-testid="search-result"] .title');
          return titles.some((x) => x.includes(noteTitle)) && titles.some((x) => x.includes(sessionTitle));
        },
        { timeout: INDEX_TIMEOUT, timeoutMsg: 'search for "tampere" does not find the note and the session' },
      );
      await screenshot(browser, '55-day-search');
      await browser.keys(['Escape']);

      // A question moves from open to provisional to resolved.
      const questionId = await newFromList(browser, 'question', 'How do we keep volunteers after a pilot ends?');
      await goTo(browser, 'question');
      await (await visible(browser, '[data-testid="agenda-view-board"]', 'the Board view')).click();
      const card = (status) => `[data-testid="board-column"][data-status="${status}"] [data-card-link="${questionId}"]`;
      await visible(browser, card('open'), 'the question in Open');
      for (const status of ['provisional', 'resolved']) {
        await browser.execute((selector) => document.querySelector(selector)?.focus(), `[data-card-link="${questionId}"]`);
        await browser.keys([Key.Alt, Key.ArrowRight]);
        await visible(browser, card(status), `the question in ${status}`);
      }
      assert.equal(cli(workspace, 'show', questionId).status, 'resolved', 'the CLI sees it resolved');
      await screenshot(browser, '56-day-question-resolved');

      // Evening: the note's first version is restored from its history.
      await browser.url(`${(await browser.getUrl()).split('#')[0]}#/kind/note/${noteId}`);
      await visible(browser, `[data-testid="record-detail"][data-id="${noteId}"]`, 'the note again');
      await (await visible(browser, '[data-testid="detail-history"]', 'History')).click();
      await visible(browser, '[data-testid="history-entry"]', 'the history');
      const entries = await browser.$$('[data-testid="history-entry"]');
      assert.ok(entries.length >= 3, `created, attached and edited: ${entries.length} revisions`);
      const first = entries[entries.length - 1];
      await (await first.$('[data-testid="history-restore"]')).click();
      await browser.waitUntil(async () => !(await textOf(browser, '[data-testid="detail-body"]')).includes('agreed to meet again'), {
        timeout: WAIT,
        timeoutMsg: 'restoring the first revision did not bring the template text back',
      });
      assert.doesNotMatch(cli(workspace, 'show', noteId).body, /agreed to meet again/, 'the CLI sees the restored text');
      await (await visible(browser, '[data-testid="detail-history"]', 'Hide history')).click();
      await visible(browser, '[data-testid="detail-body"] h2', 'the restored template text');
      await screenshot(browser, '57-day-note-restored');
    } catch (error) {
      await screenshot(browser, '99-day-failure').catch(() => {});
      throw error;
    } finally {
      await deleteSession(browser);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('files and people: import contacts from a phone vCard, export an address book, a session report, forget a person', { timeout: 400_000 }, async () => {
  const mine = process.env.INSISST_WORKSPACE;
  assert.ok(mine, 'run.sh sets INSISST_WORKSPACE');
  const out = mkdtempSync(path.join(SCRATCH, 'files-'));
  const vcard = path.join(REPO, 'crates', 'insisst-core', 'tests', 'data', 'interop', 'vcard', 'gmail-list.vcf');
  const exported = path.join(out, 'address book.vcf');
  const browser = await createSession();
  try {
    try {
      await browser.setTimeout({ script: COMMAND_TIMEOUT, pageLoad: START_TIMEOUT, implicit: 0 });
      await assertEmbeddedUi(browser);
      await visible(browser, '[data-testid="nav-exchange"]', 'the Exchange navigation entry', START_TIMEOUT);

      // Contacts from a Gmail export: each card's fate is listed.
      await openExchangeTab(browser, 'files');
      await typeInto(browser, '[data-testid="files-vcard-import-path"]', vcard, 'the vCard file field');
      await (await visible(browser, '[data-testid="files-vcard-import"]', 'Import contacts')).click();
      const report = await visible(browser, '[data-testid="files-vcard-imported"]', 'the import report', INDEX_TIMEOUT);
      const created = Number(String(await report.$('[data-outcome="created"] b').getProperty('textContent')).trim());
      assert.ok(created > 0, `the import created contacts (${created})`);
      assert.ok((await report.$$('[data-testid="files-items"] tbody tr')).length >= created, 'one row per card');
      await screenshot(browser, '60-files-vcard-import');
      const contactId = (await report.$('tbody tr[data-outcome="created"] a').getAttribute('href')).split('/').pop();
      assert.ok(contactId, 'the report links the created contact');

      // The whole address book out again: it says how many may not be shared.
      await typeInto(browser, '[data-testid="files-vcard-export-path"]', exported, 'the export file field');
      await (await visible(browser, '[data-testid="files-vcard-export"]', 'Export contacts')).click();
      await visible(browser, '[data-testid="files-vcard-exported"]', 'the export summary', INDEX_TIMEOUT);
      assert.ok(existsSync(exported), `the address book was written to ${exported}`);
      await visible(browser, '[data-testid="files-not-shareable"]', 'the warning about contacts who may not be shared');
      await screenshot(browser, '61-files-vcard-export');

      // An imported contact has no lawful basis: flagged in the list and on its card.
      await browser.url(`${(await browser.getUrl()).split('#')[0]}#/kind/contact/${contactId}`);
      const panel = await visible(browser, '[data-testid="consent-panel"]', 'the consent panel of the imported contact');
      assert.equal(await panel.getAttribute('data-level'), 'missing', 'no lawful basis recorded for an imported card');
      await visible(browser, `[data-testid="record-row"][data-id="${contactId}"] [data-testid="no-basis"]`, 'the flag in the contacts list');
      const name = await textOf(browser, '[data-testid="detail-title"]');
      await screenshot(browser, '62-contact-no-basis');

      // Forget them: the plan first, the name typed, then gone, here and for the CLI.
      await (await visible(browser, '[data-testid="person-forget"]', 'Forget this person')).click();
      await visible(browser, '[data-testid="forget-plan"]', 'the forget plan');
      const yes = await browser.$('[data-testid="forget-yes"]');
      assert.equal(await yes.isEnabled(), false, 'forgetting waits for the name');
      await typeInto(browser, '[data-testid="forget-name"]', name, 'the name confirmation');
      await screenshot(browser, '63-forget-confirm');
      await yes.click();
      await browser.$('[data-testid="forget-dialog"]').waitForExist({ reverse: true, timeout: INDEX_TIMEOUT, timeoutMsg: 'the forget dialog stays open' });
      await browser.waitUntil(async () => !(await browser.getUrl()).includes(contactId), { timeout: WAIT, timeoutMsg: 'the forgotten contact stays open' });
      let shown = null;
      try {
        shown = cli(mine, 'show', contactId);
      } catch {
        // Refused as deleted/erased: nothing of the person to show.
      }
      assert.ok(!shown || !JSON.stringify(shown).includes(name), `the CLI shows nothing of ${name}: ${JSON.stringify(shown)}`);

      // A session's printable report.
      await goTo(browser, 'session');
      const [row] = await rows(browser, 'the sessions list');
      const session = await openRow(browser, row);
      await (await visible(browser, '[data-testid="detail-report"]', 'the Report button')).click();
      const body = await visible(browser, '[data-testid="report-body"]', 'the session report');
      assert.match(String(await body.getProperty('textContent')), new RegExp(session.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the report names the session');
      await visible(browser, '[data-testid="report-print"]', 'the Print button');
      await screenshot(browser, '64-session-report');
    } catch (error) {
      await screenshot(browser, '99-files-failure').catch(() => {});
      throw error;
    }
  } finally {
    await deleteSession(browser);
    rmSync(out, { recursive: true, force: true });
  }
});

test('learning agenda in a meeting: take a review, see the diff and the timeline, enter evaluations, the monitoring dashboard', { timeout: 400_000 }, async () => {
  const mine = process.env.INSISST_WORKSPACE;
  assert.ok(mine, 'run.sh sets INSISST_WORKSPACE');
  const browser = await createSession();
  try {
    try {
      await browser.setTimeout({ script: COMMAND_TIMEOUT, pageLoad: START_TIMEOUT, implicit: 0 });
      await assertEmbeddedUi(browser);
      await visible(browser, '[data-testid="nav-session"]', 'the Sessions navigation entry', START_TIMEOUT);
      await goTo(browser, 'session');
      if (await browser.$('[data-testid="sessions-view-list"]').isExisting()) {
        await (await browser.$('[data-testid="sessions-view-list"]')).click();
      }
      const [row] = await rows(browser, 'the sessions list');
      const session = await openRow(browser, row);
      const before = cli(mine, 'review', 'list').length ?? 0;

      // The review walks the questions by keyboard: provisional, high, next … then remarks.
      await (await visible(browser, '[data-testid="take-review"]', 'Take a review')).click();
      await visible(browser, '[data-testid="review-question"]', 'the first question of the review');
      const first = await browser.$('[data-testid="review-question"]').getAttribute('data-question-id');
      const wasPriority = cli(mine, 'show', first).priority;
      // A priority key sets it, the same key again clears it: pick one it does not have.
      const [key, priority] = wasPriority === 'high' ? ['l', 'low'] : ['h', 'high'];
      await browser.keys(['2']);
      await browser.keys([key]);
      await visible(browser, '[data-testid="review-changed"]', 'the question marked as changed');
      await screenshot(browser, '70-review-question');
      await browser.keys(['Enter']);
      for (let i = 0; i < 200 && !(await browser.$('[data-testid="review-finish"]').isExisting()); i++) {
        await (await visible(browser, '[data-testid="review-next"]', 'Next question')).click();
      }
      await typeInto(browser, '[data-testid="review-remarks"]', 'Housing questions keep coming back (e2e).', 'the remarks');
      await (await visible(browser, '[data-testid="review-take"]', 'Take the review')).click();
      await visible(browser, '[data-testid="review-done"]', 'the review taken', INDEX_TIMEOUT);
      await screenshot(browser, '71-review-taken');
      const reviews = cli(mine, 'review', 'list');
      assert.ok(Array.isArray(reviews) ? reviews.length > before : true, 'the CLI lists one more review');
      const question = cli(mine, 'show', first);
      assert.equal(question.status, 'provisional', 'the change made in the meeting is saved');
      assert.equal(question.priority, priority, 'the priority set in the meeting is saved');
      await (await visible(browser, '[data-testid="review-close"]', 'Close the review')).click();

      // The learning history: reviews, their diff, the timeline.
      await goTo(browser, 'question');
      await (await visible(browser, '[data-testid="agenda-view-reviews"]', 'the Reviews view')).click();
      await visible(browser, '[data-testid="review-list"]', 'the list of reviews', INDEX_TIMEOUT);
      await visible(browser, '[data-testid="review-diff"]', 'the diff of two reviews');
      await visible(browser, '[data-testid="review-timeline-row"]', 'the timeline');
      await screenshot(browser, '72-review-history');

      // Evaluations of the session, typed in from paper forms.
      await browser.url(`${(await browser.getUrl()).split('#')[0]}#/kind/session/${session.id}`);
      await (await visible(browser, '[data-testid="enter-evaluations"]', 'Enter evaluations')).click();
      const cell = await visible(browser, '[data-testid="evaluation-cell-0-relevance"]', 'the first form’s first cell');
      await cell.click();
      await browser.keys([...'4535424']);
      await (await visible(browser, '[data-testid="evaluation-comment-0"]', 'the first comment')).addValue('Useful pilots (e2e)');
      await browser.keys(['Enter']);
      await browser.keys([...'3434334']);
      await screenshot(browser, '73-evaluation-entry');
      await (await visible(browser, '[data-testid="evaluation-save"]', 'Save the forms')).click();
      await visible(browser, '[data-testid="evaluation-saved"]', 'the forms saved', INDEX_TIMEOUT);
      // Each paper form is a reaction and a learning record.
      const saved = Number((await textOf(browser, '[data-testid="evaluation-saved"]')).match(/\d+/)?.[0]);
      assert.ok(saved >= 2, `the forms saved (${saved})`);
      await (await visible(browser, '[data-testid="evaluation-close"]', 'Close the entry')).click();
      await visible(browser, '[data-testid="evaluation-summary"]', 'the evaluation summary of the session');
      await screenshot(browser, '74-evaluation-summary');

      // The dashboard draws its charts.
      await (await visible(browser, '[data-testid="nav-monitoring"]', 'the Monitoring entry')).click();
      await visible(browser, '[data-testid="monitoring"]', 'the dashboard', INDEX_TIMEOUT);
      await visible(browser, '[data-testid="chart-sessions-plot"] svg', 'the sessions chart', INDEX_TIMEOUT);
      await visible(browser, '[data-testid="chart-sectors-plot"] svg', 'the sectors chart');
      await screenshot(browser, '75-monitoring');
    } catch (error) {
      await screenshot(browser, '99-learning-failure').catch(() => {});
      throw error;
    }
  } finally {
    await deleteSession(browser);
  }
});
