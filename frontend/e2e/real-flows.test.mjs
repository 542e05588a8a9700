// The unlock and found forms in a real Chromium against a real `coopnode serve`
// (ui-flows.test.mjs does the same against the test-only fake bridge). The Go
// side, app/e2e_flows_test.go (TestBrowserUnlock, TestBrowserFound), starts the
// server locked or empty and runs this file with:
//
//   COOPNODE_URL='http://127.0.0.1:PORT/?token=...'   the link serve printed
//   COOPNODE_FLOW=unlock|found
//   COOPNODE_EXPECT_COOP, COOPNODE_EXPECT_MEMBER       co-op name, founder's name
//   COOPNODE_PASSPHRASE_UI                             the passphrase to type
//   [COOPNODE_SCREENSHOT_DIR=dir] [CHROMIUM=/usr/bin/chromium]
//
// Without COOPNODE_URL it skips: these flows mean nothing without a real node.
// With it, a missing Chromium is a failure, never a skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertOnlyExpectedErrors, realNodes } from './browser.helpers.mjs';

const nodes = realNodes({
  urls: ['COOPNODE_URL'],
  why: 'these flows need a real `coopnode serve` (go test -tags e2e -run TestBrowser ./app runs them)',
  flow: ['unlock', 'found'],
  need: ['COOPNODE_EXPECT_COOP', 'COOPNODE_EXPECT_MEMBER', 'COOPNODE_PASSPHRASE_UI'],
});
const { env, skip, shot } = nodes;
const [url] = nodes.urls;
const flow = env.COOPNODE_FLOW;

// Opens the served page, recording every failed API call so that the console
// errors Chromium logs for exactly those (and nothing else) can be excused.
const open = () => nodes.open(url);

async function expectReady(page, coop, member) {
  await page.locator('[data-testid=coop-name]', { hasText: coop }).waitFor({ timeout: 20_000 });
  assert.equal(await page.getByTestId('coop-name').innerText(), coop);
  assert.equal(await page.getAttribute('[data-testid=state]', 'data-state'), 'ready');
  assert.equal(await page.title(), `${coop} — coopnode`);
  assert.equal(await page.getByTestId('error').count(), 0, 'no error left on screen');
  assert.match((await page.getAttribute('[data-testid=digest]', 'title')) ?? '', /^[0-9a-f]{64}$/);

  await page.getByRole('tab', { name: /Members/ }).click();
  const rows = page.getByTestId('member-row');
  await rows.first().waitFor({ timeout: 20_000 });
  const texts = await rows.allTextContents();
  assert.equal(texts.length, 1, `one member, the founder: ${JSON.stringify(texts)}`);
  assert.ok(texts[0].includes(member), `member ${member} in rows: ${JSON.stringify(texts)}`);
  assert.match(texts[0], /you/);
  assert.match(texts[0], /founder/);
  assert.ok(await rows.first().isVisible(), 'member row is visible');
}

const opts = { timeout: 90_000 };

async function unlockFlow() {
  const coop = env.COOPNODE_EXPECT_COOP;
  const { page, errors, context, failed } = await open();
  const input = page.getByTestId('unlock-passphrase');
  await input.waitFor({ timeout: 20_000 });
  assert.equal(await page.getAttribute('[data-testid=state]', 'data-state'), 'locked');
  assert.equal(await page.title(), 'coopnode');
  assert.equal(await page.getByTestId('coop-name').count(), 0, 'a locked node shows no co-op');
  assert.ok(!(await page.locator('body').innerText()).includes(coop), 'the co-op name is not shown while locked');
  await shot(page, 'unlock-1-locked.png');

  await input.fill(`not ${env.COOPNODE_PASSPHRASE_UI}`);
  await page.getByTestId('unlock-submit').click();
  const error = page.getByTestId('error');
  await error.waitFor({ timeout: 20_000 });
  const text = await error.innerText();
  console.log(`wrong passphrase says: ${JSON.stringify(text)}`);
  assert.match(text, /wrong passphrase/);
  assert.equal(await page.getByTestId('coop-name').count(), 0, 'still locked');
  assert.equal(await page.getAttribute('[data-testid=state]', 'data-state'), 'locked');
  await shot(page, 'unlock-2-wrong.png');

  await input.fill(env.COOPNODE_PASSPHRASE_UI);
  await page.getByTestId('unlock-submit').click();
  await expectReady(page, coop, env.COOPNODE_EXPECT_MEMBER);
  await shot(page, 'unlock-3-ready.png');

  assertOnlyExpectedErrors(errors, failed, ['/api/Unlock']);
  await context.close();
}

async function foundFlow() {
  const coop = env.COOPNODE_EXPECT_COOP;
  const member = env.COOPNODE_EXPECT_MEMBER;
  const { page, errors, context, failed } = await open();
  await page.getByTestId('init-name').waitFor({ timeout: 20_000 });
  assert.equal(await page.getAttribute('[data-testid=state]', 'data-state'), 'uninitialized');
  assert.equal(await page.getByTestId('unlock-passphrase').count(), 0);
  await page.getByTestId('init-name').fill(member);
  await page.getByTestId('init-coop').fill(coop);
  await shot(page, 'found-1-form.png');

  // The server, not only the form, refuses a short passphrase, and founds nothing.
  await page.getByTestId('init-passphrase').fill('short');
  await page.getByTestId('init-passphrase2').fill('short');
  await page.getByTestId('init-submit').click();
  await page.getByTestId('error').waitFor({ timeout: 20_000 });
  assert.match(await page.getByTestId('error').innerText(), /at least 8 characters/);
  assert.equal(await page.getByTestId('coop-name').count(), 0);

  await page.getByTestId('init-passphrase').fill(env.COOPNODE_PASSPHRASE_UI);
  await page.getByTestId('init-passphrase2').fill(env.COOPNODE_PASSPHRASE_UI);
  await page.getByTestId('init-submit').click();
  await expectReady(page, coop, member);
  assert.ok(await page.getByText('Only you so far. Invite the first members with “Invite someone” below.').isVisible(), 'the only-member note is shown');
  await shot(page, 'found-2-ready.png');

  assertOnlyExpectedErrors(errors, failed, ['/api/Init']);
  await context.close();
}

if (skip) {
  test('unlock and found against a real node', { skip }, () => {});
} else if (flow === 'unlock') {
  test('unlock: a wrong passphrase is refused, the right one opens the co-op', opts, unlockFlow);
} else if (flow === 'found') {
  test('found: an empty node founds a co-op from the form', opts, foundFlow);
} else {
  test(`COOPNODE_FLOW=${flow}`, () => assert.fail(`COOPNODE_FLOW must be unlock or found, not ${JSON.stringify(flow)}`));
}
