// Shared by the e2e tests: how to launch the system Chromium with playwright-core
// (no browser download is possible here) and collect what the page complains about.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
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
export function recordFailedApi(page) {
  const failed = [];
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api/') && r.status() >= 400) failed.push({ url: r.url(), path: u.pathname, status: r.status() });
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
