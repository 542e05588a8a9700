// The UI in a real Chromium, as a person would see it.
//
// Against a running node:  COOPNODE_URL='http://127.0.0.1:PORT/?token=...' \
//   COOPNODE_EXPECT_COOP='Riverside Data Co-op' COOPNODE_EXPECT_MEMBERS='Ada,Grace' \
//   [COOPNODE_SCREENSHOT=shot.png] [CHROMIUM=/usr/bin/chromium] node --test frontend/e2e/
// Without COOPNODE_URL it checks the built frontend (frontend/dist) against the
// test-only fake bridge in fake-server.mjs instead.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { haveChromium, launch, openPage, executablePath } from './browser.helpers.mjs';
import { startFakeServer } from './fake-server.mjs';

let url = process.env.COOPNODE_URL;
let expectCoop = process.env.COOPNODE_EXPECT_COOP;
let expectMembers = (process.env.COOPNODE_EXPECT_MEMBERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const screenshot = process.env.COOPNODE_SCREENSHOT;
// Against a real node, or in CI, a missing browser is a failure, never a skip.
const mustRun = Boolean(process.env.COOPNODE_URL || process.env.CI);
const skip = haveChromium || mustRun ? false : `no Chromium at ${executablePath} (apt-get install -y chromium, or set CHROMIUM)`;

let fake;
let browser;

before(async () => {
  if (skip) return;
  if (!url) {
    fake = await startFakeServer();
    expectCoop = 'Riverside Data Co-op';
    expectMembers = ['Ada Lovelace', 'Grace Hopper'];
    url = `${fake.base}?token=test&members=${encodeURIComponent(expectMembers.join(','))}`;
    console.log(`# COOPNODE_URL unset: testing frontend/dist with the fake bridge at ${fake.base}`);
  }
  assert.ok(expectCoop, 'COOPNODE_EXPECT_COOP must be set with COOPNODE_URL');
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await fake?.close();
});

test('shows the co-op, its members, and no errors', { skip, timeout: 60_000 }, async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(url);
  await page.locator('[data-testid=coop-name]', { hasText: expectCoop }).waitFor({ timeout: 20_000 });
  assert.equal(await page.getAttribute('[data-testid=state]', 'data-state'), 'ready');
  assert.match(await page.title(), new RegExp(expectCoop.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  const digest = await page.getAttribute('[data-testid=digest]', 'title');
  assert.match(digest ?? '', /^[0-9a-f]{64}$/, 'full state digest on hover');

  await page.getByRole('tab', { name: /Members/ }).click();
  const rows = page.locator('[data-testid=member-row]');
  await rows.first().waitFor({ timeout: 20_000 });
  const texts = await rows.allTextContents();
  for (const name of expectMembers) {
    assert.ok(texts.some((t) => t.includes(name)), `member ${name} in rows: ${JSON.stringify(texts)}`);
  }
  assert.ok(await rows.first().isVisible(), 'member rows are visible');

  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  assert.deepEqual(errors, [], 'no console or page errors');
  await context.close();
});

test('without the token the page shows no co-op data, and says why', { skip, timeout: 60_000 }, async () => {
  const bare = new URL(url);
  bare.searchParams.delete('token');
  const { page, context } = await openPage(browser);
  const res = await page.goto(bare.toString());
  if (res && res.status() >= 400) {
    // A server may refuse the page itself: that also keeps the co-op hidden.
    assert.ok(!(await page.content()).includes(expectCoop));
  } else {
    const error = page.locator('[data-testid=error]');
    await error.waitFor({ timeout: 20_000 });
    assert.match(await error.innerText(), /token/i);
    assert.equal(await page.locator('[data-testid=coop-name]').count(), 0);
    assert.ok(!(await page.locator('body').innerText()).includes(expectCoop), 'co-op name not shown');
  }
  await context.close();
});

