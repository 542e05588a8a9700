// The forms and edge states, against the test-only fake bridge (fake-server.mjs),
// so they need only frontend/dist and Chromium, not a Go node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { haveChromium, launch, openPage, executablePath } from './browser.helpers.mjs';
import { startFakeServer } from './fake-server.mjs';

const skip = haveChromium || process.env.CI ? false : `no Chromium at ${executablePath}`; // in CI: fail, never skip
let fake;
let browser;

before(async () => {
  if (skip) return;
  fake = await startFakeServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await fake?.close();
});

const opts = { skip, timeout: 60_000 };

test('found a co-op from an empty node', opts, async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}?token=t&state=uninitialized`);
  await page.getByTestId('init-name').fill('Ada Lovelace');
  await page.getByTestId('init-coop').fill('Harbour Bakers');
  await page.getByTestId('init-passphrase').fill('one two three four');
  await page.getByTestId('init-passphrase2').fill('one two three fiv');
  await page.getByTestId('init-submit').click();
  assert.match(await page.getByTestId('error').innerText(), /not the same/);
  await page.getByTestId('init-passphrase2').fill('one two three four');
  await page.getByTestId('init-submit').click();
  await page.locator('[data-testid=coop-name]', { hasText: 'Harbour Bakers' }).waitFor();
  assert.equal(await page.title(), 'Harbour Bakers — coopnode');
  await page.getByRole('tab', { name: /Members/ }).click();
  assert.match(await page.getByTestId('member-row').innerText(), /Ada Lovelace/);
  assert.ok(await page.getByText('Only you so far. Inviting members arrives with sync.').isVisible());
  assert.deepEqual(errors, []);
  await context.close();
});

for (const reject of ['error', 'string']) {
  test(`unlock shows a wrong passphrase, then opens (rejections as ${reject})`, opts, async () => {
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${fake.base}?token=t&state=locked&reject=${reject}`);
    assert.equal(await page.title(), 'coopnode');
    await page.getByTestId('unlock-passphrase').fill('nope');
    await page.getByTestId('unlock-submit').click();
    await page.getByTestId('error').waitFor();
    assert.equal(await page.getByTestId('error').innerText(), 'wrong passphrase');
    await page.getByTestId('unlock-passphrase').fill('correct horse battery staple');
    await page.getByTestId('unlock-submit').click();
    await page.locator('[data-testid=coop-name]', { hasText: 'Riverside Data Co-op' }).waitFor();
    assert.equal(await page.getByTestId('error').count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('problems are shown prominently; none means no box', opts, async () => {
  const { page, context } = await openPage(browser);
  await page.goto(`${fake.base}?token=t&problems=1`);
  await page.getByText(/found 2 problems/).waitFor();
  await page.getByRole('button', { name: 'See them' }).click();
  assert.match(await page.getByTestId('problems').innerText(), /clock on this computer/);
  if (process.env.COOPNODE_SCREENSHOT_DIR) {
    await page.screenshot({ path: `${process.env.COOPNODE_SCREENSHOT_DIR}/node-problems.png`, fullPage: true });
  }
  await page.goto(`${fake.base}?token=t`);
  await page.getByTestId('coop-name').waitFor();
  await page.getByRole('tab', { name: /This node/ }).click();
  await page.getByText('Member key').waitFor();
  assert.equal(await page.getByTestId('problems').count(), 0);
  await context.close();
});
