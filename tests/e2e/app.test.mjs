// Desktop end to end: the real app window, driven through tauri-driver (WebDriver).
// Run it through run.sh, which prepares a workspace, Xvfb and tauri-driver, and sets:
//   INSISST_APP            absolute path of the app binary
//   TAURI_DRIVER_PORT      where tauri-driver listens (default 4444)
//   E2E_SCREENSHOTS        where page screenshots go (default <repo>/target/e2e-screenshots)
//   E2E_SESSION_MARKER     a file this test creates when no session could be created, so
//                          that run.sh restarts tauri-driver and retries once
//   E2E_CAPABILITIES       optional JSON replacing the capabilities (debugging only)
//   E2E_ALLOW_DEV_URL      set to accept an app that loads its devUrl (a running dev server)
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const APP = process.env.INSISST_APP ?? path.join(REPO, 'target', 'debug', 'insisst-app');
const PORT = Number(process.env.TAURI_DRIVER_PORT ?? 4444);
const SHOTS = process.env.E2E_SCREENSHOTS ?? path.join(REPO, 'target', 'e2e-screenshots');

const SESSION_TIMEOUT = 60_000; // creating the session starts the app
const START_TIMEOUT = 45_000; // first screen after start (opening the workspace)
const WAIT = 15_000; // any other wait
const COMMAND_TIMEOUT = 30_000; // any single WebDriver command

/** Reject after `ms` with a message saying what was being waited for. */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function capabilities() {
  if (process.env.E2E_CAPABILITIES) return JSON.parse(process.env.E2E_CAPABILITIES);
  assert.ok(path.isAbsolute(APP), `INSISST_APP must be an absolute path, got ${APP}`);
  return { 'tauri:options': { application: APP } };
}

async function createSession() {
  try {
    return await withTimeout(
      remote({
        hostname: '127.0.0.1',
        port: PORT,
        path: '/',
        logLevel: 'warn',
        // WebDriver classic: tauri-driver speaks no BiDi.
        capabilities: { ...capabilities(), 'wdio:enforceWebDriverClassic': true },
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
      `Could not create a WebDriver session through tauri-driver on port ${PORT} for ${APP}: ` +
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

async function goTo(browser, kind) {
  const nav = await visible(browser, `[data-testid="nav-${kind}"]`, `the ${kind} navigation entry`);
  await nav.click();
  await browser.waitUntil(async () => (await browser.getUrl()).includes(`#/kind/${kind}`), {
    timeout: WAIT,
    timeoutMsg: `navigation to ${kind} did not happen within ${WAIT} ms`,
  });
}

test('the app shows home, lists notes, opens a note and a session with its schedule', { timeout: 300_000 }, async () => {
  const browser = await createSession();
  try {
    await browser.setTimeout({ script: COMMAND_TIMEOUT, pageLoad: START_TIMEOUT, implicit: 0 });
    try {
      // A debug `cargo build` without `--features tauri/custom-protocol` loads devUrl
      // (a dev server) instead of the embedded ui/dist: say so instead of timing out.
      const url = await browser.getUrl();
      if (/^https?:\/\/(localhost|127\.0\.0\.1)[:/]/.test(url) && !process.env.E2E_ALLOW_DEV_URL) {
        throw new Error(
          `the app loads ${url}: it is a dev build without the embedded UI. Build ui/dist, then ` +
            'the app with `--features tauri/custom-protocol` (or set E2E_ALLOW_DEV_URL=1 with a dev server running).',
        );
      }

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
    } catch (error) {
      await screenshot(browser, '99-failure').catch(() => {});
      throw error;
    }
  } finally {
    await withTimeout(browser.deleteSession(), COMMAND_TIMEOUT, 'deleting the WebDriver session').catch(
      (error) => console.error(`could not delete the WebDriver session: ${error.message}`),
    );
  }
});
