// Shared by the e2e tests: how to launch the system Chromium with playwright-core
// (no browser download is possible here) and collect what the page complains about;
// and realNodes, the preamble of the flows that drive real `coopnode serve` nodes.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
export const haveChromium = existsSync(executablePath);

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launch() {
  return chromium.launch({ executablePath, args: chromiumArgs, headless: true });
}

// Opens a page that records console errors and uncaught page errors.
export async function openPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} ${m.location()?.url ?? ''}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { context, page, errors };
}

// expectFocus fails unless the element with data-testid id has the focus
// within 5 s: focus moves after a re-render, so it is awaited, not sampled.
export async function expectFocus(page, id) {
  await page.waitForFunction((want) => document.activeElement?.getAttribute('data-testid') === want, id, { timeout: 5000 })
    .catch(() => {});
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), id);
}

// Records every API call of page that answers 4xx or 5xx, as { url, path, status }.
// prefixes are the paths that count as the API (the JSON API by default).
export function recordFailedApi(page, prefixes = ['/api/']) {
  const failed = [];
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (prefixes.some((p) => u.pathname.startsWith(p)) && r.status() >= 400) failed.push({ url: r.url(), path: u.pathname, status: r.status() });
  });
  return failed;
}

// Asserts the API failed exactly for wantPaths, in order, and that the only
// console or page errors are Chromium's "Failed to load resource" for those.
export function assertOnlyExpectedErrors(errors, failed, wantPaths) {
  assert.deepEqual(
    failed.map((f) => f.path),
    wantPaths,
    `failed API calls: ${JSON.stringify(failed)}`,
  );
  for (const f of failed) console.log(`expected failure: ${f.path} answered HTTP ${f.status}`);
  const excused = (e) =>
    failed.some(
      (f) => e.startsWith(`console: Failed to load resource: the server responded with a status of ${f.status} `) && e.endsWith(` ${f.url}`),
    );
  assert.deepEqual(
    errors.filter((e) => !excused(e)),
    [],
    'no console or page errors but those for the failed API calls',
  );
}

// realNodes is the preamble of a test file that drives real `coopnode serve`
// nodes (real-flows, governance, mydata, invite): the Go tests in
// app/e2e_*_test.go start the nodes and run the file with serve's links in
// the environment. Call it once, at the top level of the file:
//
//   const nodes = realNodes({
//     urls: ['COOPNODE_URL_A', 'COOPNODE_URL_B'], // variables holding serve's links (with ?token=)
//     why: 'this flow needs two real `coopnode serve` homes', // said when they are unset
//     flow: 'invite',  // COOPNODE_FLOW must be this, else skip; or a list: it must be set,
//                      // and the file fails on a value it does not know
//     need: ['COOPNODE_EXPECT_COOP'], // variables that must then be set too (else fail)
//   });
//
// It registers before(), which fails (never skips) without Chromium or a
// variable of need, makes COOPNODE_SCREENSHOT_DIR and launches Chromium, and
// after(), which closes it. Without the links, or with another flow, nothing
// starts and nodes.skip says why. The handle:
//
//   nodes.skip                  false, or why the file's tests skip
//   nodes.urls                  the links, in the order of `urls`
//   nodes.env                   process.env
//   nodes.browser               the Chromium launched (after before())
//   await nodes.shot(page, name)   a full-page screenshot named name into
//                               COOPNODE_SCREENSHOT_DIR, if that is set
//   await nodes.open(url, { who, wait, watch })   a new page (its own context)
//       at url, recording console and page errors and the failed calls under
//       watch (default ['/api/']; see recordFailedApi); wait: 'state' (the
//       page shows a node state), 'ready' (the page shows a ready co-op) or
//       'none' (default). Gives { page, context, errors, failed, who, url }.
export function realNodes({ urls, why, flow, need = [] }) {
  const env = process.env;
  const links = urls.map((k) => env[k]);
  const flows = Array.isArray(flow) ? flow : null;
  const skip = links.some((u) => !u)
    ? `${urls.join(' and ')} unset: ${why}`
    : flows
      ? !env.COOPNODE_FLOW && `COOPNODE_FLOW unset: nothing to do against this node (set ${flows.join(' or ')})`
      : env.COOPNODE_FLOW !== flow && `COOPNODE_FLOW is ${JSON.stringify(env.COOPNODE_FLOW ?? '')}, not ${flow}: nothing to do`;
  const shots = env.COOPNODE_SCREENSHOT_DIR;
  const nodes = {
    skip: skip || false,
    urls: links,
    env,
    browser: null,
    async shot(page, name) {
      if (shots) await page.screenshot({ path: join(shots, name), fullPage: true });
    },
    async open(url, { who = '', wait = 'none', watch = ['/api/'] } = {}) {
      const { page, errors, context } = await openPage(nodes.browser);
      const failed = recordFailedApi(page, watch);
      await page.goto(url);
      const of = who ? `${who} ` : '';
      if (wait === 'state') {
        await page.getByTestId('state').waitFor({ timeout: 20_000 });
      } else if (wait === 'ready') {
        await page.getByTestId('coop-name').waitFor({ timeout: 20_000 });
        assert.equal(await page.getAttribute('[data-testid=state]', 'data-state'), 'ready', `${of}is ready`.trim());
      } else if (wait !== 'none') {
        throw new Error(`open: wait must be state, ready or none, not ${JSON.stringify(wait)}`);
      }
      return { page, context, errors, failed, who, url };
    },
  };
  before(async () => {
    if (nodes.skip) return;
    assert.ok(haveChromium, `no Chromium at ${executablePath}: install it (apt-get install -y chromium) or set CHROMIUM`);
    for (const k of need) assert.ok(env[k], `${k} must be set with ${urls.join(' and ')} and COOPNODE_FLOW=${env.COOPNODE_FLOW}`);
    if (shots) mkdirSync(shots, { recursive: true });
    nodes.browser = await launch();
  });
  after(async () => {
    await nodes.browser?.close();
  });
  return nodes;
}
