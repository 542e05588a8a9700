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
  assert.ok(await page.getByText('Only you so far. Invite the first members with “Invite someone” below.').isVisible());
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

// A COOPNODE1 invite text the fake accepts; with a marker (EXPIRED, USED,
// FORGED, OFFLINE) the fake's Join answers as the node does for such an invite.
const invite = (marker = '') => `COOPNODE1AEBAGBAF${marker}AYDQMBAEAQKBQHAMBAEAQCAIBAEAQCAIBAEAQ`;

test('peers view lists a connected peer with a refusal reason, and refreshes only while shown', opts, async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}?token=t`);
  await page.getByTestId('coop-name').waitFor();
  assert.equal(await page.evaluate(() => window.__fake.calls.Peers ?? 0), 0, 'no Peers call before the view is shown');
  await page.getByRole('tab', { name: /Peers/ }).click();
  const view = page.getByTestId('peers-view');
  const rows = view.getByTestId('peer-row');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 2);

  const grace = rows.filter({ hasText: 'Grace Hopper' });
  assert.equal(await grace.getAttribute('data-connected'), 'yes');
  const text = await grace.innerText();
  assert.match(text, /Connected via QUIC and TCP/);
  assert.match(text, /just now|\d+ s ago/);
  assert.match(await grace.getByTestId('peer-refusal').innerText(), /^1 record refused: not canonical$/);

  const stranger = rows.filter({ hasText: 'Not a member' });
  assert.equal(await stranger.getAttribute('data-connected'), 'no');
  assert.match(await stranger.getByTestId('peer-banned').innerText(), /^Disconnected until /);
  assert.deepEqual(await stranger.getByTestId('peer-refusal').allInnerTexts(), ['6 records refused: bad signature', '2 records refused: malformed']);
  assert.match(await stranger.getByTestId('peer-error').innerText(), /failed verification/);

  assert.match(await view.getByTestId('network-peer-id').innerText(), /^12D3KooW\w{44}$/);
  assert.match(await view.getByTestId('network-refused').innerText(), /^4\b/);
  assert.match(await view.getByTestId('network-line').innerText(), /\/ip4\/192\.168\.1\.20\/udp\/4001\/quic-v1/);

  // Polls while shown: the counts move with the fake's.
  const sentBefore = await grace.locator('td.num').first().innerText();
  await page.waitForFunction(() => window.__fake.calls.Peers >= 2, null, { timeout: 10_000 });
  await page.waitForFunction((before) => {
    const row = [...document.querySelectorAll('[data-testid=peer-row]')].find((r) => r.textContent.includes('Grace Hopper'));
    return row && row.querySelector('td.num').textContent !== before;
  }, sentBefore, { timeout: 5_000 });
  // Stops once another tab is shown.
  await page.getByRole('tab', { name: /Members/ }).click();
  const calls = await page.evaluate(() => window.__fake.calls.Peers);
  await page.waitForTimeout(4_000);
  assert.equal(await page.evaluate(() => window.__fake.calls.Peers), calls, 'no Peers call while the view is hidden');
  if (process.env.COOPNODE_SCREENSHOT_DIR) {
    await page.getByRole('tab', { name: /Peers/ }).click();
    await page.screenshot({ path: `${process.env.COOPNODE_SCREENSHOT_DIR}/peers.png`, fullPage: true });
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('peers view without a network says so', opts, async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}?token=t&network=0`);
  await page.getByTestId('coop-name').waitFor();
  await page.getByRole('tab', { name: /Peers/ }).click();
  assert.match(await page.getByTestId('no-network').innerText(), /not on the network.*coopnode serve/s);
  assert.equal(await page.getByTestId('peer-row').count(), 0);
  assert.equal(await page.getByTestId('error').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('invite shows its text, QR code and expiry', opts, async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}?token=t`);
  await page.getByTestId('coop-name').waitFor();
  await page.getByRole('tab', { name: /Members/ }).click();
  await page.getByTestId('invite-hours').selectOption({ label: '7 days' });
  await page.getByTestId('invite-button').click();
  const text = page.getByTestId('invite-text');
  await text.waitFor();
  assert.match(await text.inputValue(), /^COOPNODE1[A-Z2-7]{100,}$/);
  const qr = page.getByTestId('invite-qr');
  assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 100), 'the QR image decodes');
  assert.ok(await qr.getAttribute('alt'), 'the QR image has a text alternative');
  const expires = await page.getByTestId('invite-expires').locator('time').getAttribute('datetime');
  const days = (new Date(expires).getTime() - Date.now()) / 86_400_000;
  assert.ok(days > 6.99 && days <= 7, `valid for 7 days: ${expires}`);
  assert.match(await page.getByTestId('invite-result').innerText(), /Join with an invite/);

  // Another invite is another text.
  const first = await text.inputValue();
  await page.getByTestId('invite-hours').selectOption({ label: '24 hours' });
  await page.getByTestId('invite-button').click();
  await page.waitForFunction((t) => document.querySelector('[data-testid=invite-text]').value !== t, first);
  assert.deepEqual(errors, []);
  await context.close();
});

test('invite without a network shows what the API says', opts, async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}?token=t&network=0`);
  await page.getByTestId('coop-name').waitFor();
  await page.getByRole('tab', { name: /Members/ }).click();
  await page.getByTestId('invite-button').click();
  await page.getByTestId('error').waitFor();
  assert.match(await page.getByTestId('error').innerText(), /needs a running node/);
  assert.equal(await page.getByTestId('invite-text').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('join from an empty home: the joining screen, then the co-op once admitted', opts, async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}?token=t&state=uninitialized`);
  await page.getByTestId('join-invite').waitFor();
  assert.ok(await page.getByTestId('init-name').isVisible(), 'founding is still offered');
  await page.getByTestId('join-invite').fill(`  ${invite().slice(0, 30)}\n${invite().slice(30).toLowerCase()}  `);
  await page.getByTestId('join-name').fill('Grace Hopper');
  await page.getByTestId('join-passphrase').fill('one two three four');
  await page.getByTestId('join-passphrase2').fill('one two three');
  await page.getByTestId('join-submit').click();
  assert.match(await page.getByTestId('error').innerText(), /not the same/);
  await page.getByTestId('join-passphrase2').fill('one two three four');
  await page.getByTestId('join-submit').click();

  const joining = page.getByTestId('joining-state');
  await joining.waitFor();
  assert.match(await joining.innerText(), /Asked to join Riverside Data Co-op/);
  assert.match(await joining.innerText(), /Waiting for a member to admit you/);
  assert.match(await page.getByTestId('join-request-id').innerText(), /^[0-9a-f]{64}$/);
  assert.equal(await page.getAttribute('[data-testid=state]', 'data-state'), 'joining');
  assert.equal(await page.getByTestId('coop-name').count(), 0);
  assert.equal(await page.getByTestId('error').count(), 0);
  if (process.env.COOPNODE_SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.COOPNODE_SCREENSHOT_DIR}/joining.png`, fullPage: true });

  // It polls Status; once a member admits this home, the co-op opens.
  const before = await page.evaluate(() => window.__fake.calls.Status);
  await page.waitForFunction((n) => window.__fake.calls.Status > n, before, { timeout: 10_000 });
  await page.evaluate(() => window.__fake.admitMe());
  await page.locator('[data-testid=coop-name]', { hasText: 'Riverside Data Co-op' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.getAttribute('[data-testid=state]', 'data-state'), 'ready');
  assert.equal(await page.getByTestId('joining-state').count(), 0);
  await page.getByRole('tab', { name: /Members/ }).click();
  await page.getByTestId('member-row').nth(1).waitFor(); // the tab renders after the click returns
  const rows = await page.getByTestId('member-row').allInnerTexts();
  assert.equal(rows.length, 2);
  assert.match(rows[1], /Grace Hopper\s*you/);
  assert.deepEqual(errors, []);
  await context.close();
});

for (const reject of ['error', 'string']) {
  test(`join errors are shown as the API gives them (rejections as ${reject})`, opts, async () => {
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${fake.base}?token=t&state=uninitialized&reject=${reject}`);
    await page.getByTestId('join-name').fill('Grace Hopper');
    await page.getByTestId('join-passphrase').fill('short');
    await page.getByTestId('join-passphrase2').fill('short');
    const cases = [
      [invite(), /^choose a passphrase of at least 8 characters: it protects your keys$/],
      [invite('EXPIRED'), /^invalid input: the invite has expired \(at 2025-05-01T10:00:00Z\): ask a member for a new one$/],
      ['https://example.org/not-an-invite', /^invalid input: not a valid coopnode invite: it should start with COOPNODE1$/],
    ];
    for (const [text, want] of cases) {
      await page.getByTestId('join-invite').fill(text);
      await page.getByTestId('join-submit').click();
      await page.locator('[data-testid=error]', { hasText: want }).waitFor();
      assert.match(await page.getByTestId('error').innerText(), want);
      assert.equal(await page.getAttribute('[data-testid=state]', 'data-state'), 'uninitialized', `${text}: nothing joined`);
      assert.equal(await page.getByTestId('join-submit').isEnabled(), true);
      await page.getByTestId('join-passphrase').fill('one two three four');
      await page.getByTestId('join-passphrase2').fill('one two three four');
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
}

// As with the real node, a request that did not reach the inviter (unreachable,
// used or forged invite) leaves the home joining: the screen says why and
// offers to send the request again, with the same invite or another.
test('a join request that did not reach the inviter: joining, with the error, then sent again', opts, async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}?token=t&state=uninitialized`);
  await page.getByTestId('join-invite').fill(invite('OFFLINE'));
  await page.getByTestId('join-name').fill('Grace Hopper');
  await page.getByTestId('join-passphrase').fill('one two three four');
  await page.getByTestId('join-passphrase2').fill('one two three four');
  await page.getByTestId('join-submit').click();
  await page.getByTestId('joining-state').waitFor();
  assert.match(await page.getByTestId('joining-error').innerText(), /could not reach the inviter at \[\/ip4\/192\.168\.1\.20\/tcp\/4001\]: is their coopnode running/);
  assert.match(await page.getByTestId('joining-state').innerText(), /Waiting for a member to admit you/);
  assert.equal(await page.getByTestId('join-request-id').count(), 0, 'no request ID from a failed attempt');
  assert.ok(await page.getByTestId('joining-invite').isVisible(), 'the send-again form is open');
  assert.equal(await page.getByTestId('joining-invite').inputValue(), invite('OFFLINE'));

  await page.getByTestId('joining-invite').fill(invite('USED'));
  await page.getByTestId('joining-passphrase').fill('one two three four');
  await page.getByTestId('joining-resend').click();
  await page.locator('[data-testid=joining-error]', { hasText: 'the invite was already used' }).waitFor();

  await page.getByTestId('joining-invite').fill(invite());
  await page.getByTestId('joining-passphrase').fill('one two three four');
  await page.getByTestId('joining-resend').click();
  await page.getByTestId('join-request-id').waitFor();
  assert.equal(await page.getByTestId('joining-error').count(), 0);
  assert.match(await page.getByTestId('joining-message').innerText(), /was received/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('admit a pending request', opts, async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}?token=t&members=${encodeURIComponent('Ada Lovelace,Grace Hopper')}`);
  await page.getByTestId('coop-name').waitFor();
  await page.getByRole('tab', { name: /Members/ }).click();
  const rows = page.getByTestId('request-row');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 2);
  const grace = rows.filter({ hasText: 'Grace Hopper' });
  assert.equal(await grace.getAttribute('data-admitted'), 'yes');
  assert.equal(await grace.getByTestId('admit-button').count(), 0);
  const kj = rows.filter({ hasText: 'Katherine Johnson' });
  assert.match(await kj.innerText(), /kj-desktop/);
  assert.equal(await page.getByTestId('member-row').count(), 2);

  await kj.getByTestId('admit-class').selectOption('supporter');
  await kj.getByTestId('admit-button').click();
  await page.locator('[data-testid=admit-result]', { hasText: 'Katherine Johnson is now a member (supporter).' }).waitFor();
  await page.locator('[data-testid=member-row]', { hasText: 'Katherine Johnson' }).waitFor();
  assert.match(await page.getByTestId('member-row').nth(2).innerText(), /Katherine Johnson\s+supporter/);
  await page.locator('[data-testid=request-row][data-admitted=yes]', { hasText: 'Katherine Johnson' }).waitFor();
  assert.equal(await page.getByTestId('admit-button').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a member who may not admit sees why', opts, async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}?token=t&mayadmit=0`);
  await page.getByTestId('coop-name').waitFor();
  await page.getByRole('tab', { name: /Members/ }).click();
  const row = page.getByTestId('request-row');
  await row.waitFor();
  assert.equal(await row.getByTestId('admit-button').count(), 0);
  assert.match(await row.getByTestId('request-why').innerText(), /holds none of the roles that may admit \(admin\)/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('bundles: export and import show their results, and nothing else runs meanwhile', opts, async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}?token=t&slow=800`);
  await page.getByTestId('coop-name').waitFor();
  await page.getByRole('tab', { name: /Bundles/ }).click();
  assert.equal(await page.getByTestId('export-path').getAttribute('placeholder'), '/home/ada/riverside-data-co-op.cnb');

  await page.getByTestId('export-path').fill('riverside.cnb');
  await page.getByTestId('export-submit').click();
  await page.locator('[data-testid=error]', { hasText: 'give absolute paths' }).waitFor();

  await page.getByTestId('export-path').fill('/media/usb/riverside.cnb');
  await page.getByTestId('export-submit').click();
  await page.getByTestId('bundle-busy').waitFor();
  assert.equal(await page.getByTestId('export-submit').isDisabled(), true);
  assert.equal(await page.getByTestId('import-submit').isDisabled(), true);
  assert.equal(await page.getByTestId('export-submit').innerText(), 'Exporting…');
  await page.getByTestId('export-result').waitFor();
  assert.match(await page.getByTestId('export-result').innerText(), /^Wrote 2 records \(1\.7 kB\) to \/media\/usb\/riverside\.cnb\.$/);
  assert.equal(await page.getByTestId('bundle-busy').count(), 0);
  assert.equal(await page.getByTestId('error').count(), 0);

  await page.getByTestId('import-path').fill('/media/usb/missing.cnb');
  await page.getByTestId('import-submit').click();
  await page.locator('[data-testid=error]', { hasText: 'no such file or directory' }).waitFor();

  const recordsBefore = await page.getByTestId('records').innerText();
  await page.getByTestId('import-path').fill('/media/usb/from-grace.cnb');
  await page.getByTestId('import-submit').click();
  assert.equal(await page.getByTestId('export-submit').isDisabled(), true);
  const result = page.getByTestId('import-result');
  await result.waitFor();
  const text = await result.innerText();
  assert.match(text, /Read 9 records from \/media\/usb\/from-grace\.cnb/);
  for (const part of [/3\s+added/, /4\s+already here/, /1\s+pending/, /1\s+invalid/]) assert.match(text, part);
  // Records were added: the header's count follows.
  await page.waitForFunction((b) => document.querySelector('[data-testid=records]').textContent !== b, recordsBefore);
  assert.equal(await page.getByTestId('import-submit').isEnabled(), true);
  assert.deepEqual(errors, []);
  await context.close();
});
