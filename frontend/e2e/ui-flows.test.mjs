// The forms and edge states, against the test-only fake bridge (fake-server.mjs),
// so they need only frontend/dist and Chromium, not a Go node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectFocus, haveChromium, launch, openPage, executablePath } from './browser.helpers.mjs';
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

test('an invite someone used says so, and by whom, instead of showing its text; then a new one', opts, async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}?token=t`);
  await page.getByTestId('coop-name').waitFor();
  await page.getByRole('tab', { name: /Members/ }).click();
  await page.getByTestId('invite-button').click();
  const first = await page.getByTestId('invite-text').inputValue();
  assert.equal(await page.getByTestId('invite-button').innerText(), 'Invite someone');
  assert.equal(await page.getByTestId('invite-used').count(), 0, 'requests for other invites do not use this one');

  // Someone asks to join with it; the Members tab polls the requests.
  await page.evaluate(() => window.__fake.useInvite('Mary Jackson'));
  const used = page.getByTestId('invite-used');
  await used.waitFor({ timeout: 15_000 });
  assert.equal(await used.getAttribute('data-admitted'), 'no');
  assert.equal(await used.getByTestId('invite-used-by').innerText(), 'Mary Jackson');
  assert.match(await used.innerText(), /^This invite has been used\. Mary Jackson asked to join with it on .+; their request waits under Requests to join\./);
  assert.equal(await page.getByTestId('invite-result').count(), 0, 'its text and QR code are gone');
  assert.equal(await page.getByTestId('invite-qr').count(), 0);
  assert.equal(await page.getByTestId('invite-button').innerText(), 'Make a new invite');

  // Admitted: the invite says she is a member.
  await page.getByRole('button', { name: 'Admit Mary Jackson' }).click();
  await page.locator('[data-testid=invite-used][data-admitted=yes]').waitFor();
  assert.match(await used.innerText(), /Mary Jackson asked to join with it on .+ and is now a member\./);

  // A new invite is open again, with another text.
  await page.getByTestId('invite-button').click();
  await page.getByTestId('invite-result').waitFor();
  assert.notEqual(await page.getByTestId('invite-text').inputValue(), first);
  assert.equal(await used.count(), 0);
  assert.equal(await page.getByTestId('invite-button').innerText(), 'Invite someone');

  // One that runs out unused says it expired, on time, with no text to copy.
  await page.evaluate(() => { window.__fake.inviteTTLms = 3000; });
  await page.getByTestId('invite-button').click();
  await page.waitForFunction(() => window.__fake.invites.length === 3);
  await page.getByTestId('invite-result').waitFor();
  await page.getByTestId('invite-expired').waitFor({ timeout: 5000 });
  assert.match(await page.getByTestId('invite-expired').innerText(), /^This invite has expired \(at .+\) without being used\./);
  assert.equal(await page.getByTestId('invite-text').count(), 0);
  assert.equal(await page.getByTestId('invite-button').innerText(), 'Make a new invite');
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
      // The node's 400s say only what is wrong (no "invalid input: " before it).
      [invite('EXPIRED'), /^the invite has expired \(at 2025-05-01T10:00:00Z\): ask a member for a new one$/],
      ['https://example.org/not-an-invite', /^not a valid coopnode invite: it should start with COOPNODE1$/],
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

// Watches the bundle progress bar in the page: every (phase, aria-valuenow,
// text) it shows, in order, for the test to check afterwards.
async function recordBundleProgress(page) {
  await page.evaluate(() => {
    window.__bars = [];
    const seen = () => {
      const bar = document.querySelector('[data-testid=bundle-progress]');
      if (!bar) return;
      const v = bar.getAttribute('aria-valuenow');
      const phase = document.querySelector('[data-testid=bundle-busy]')?.getAttribute('data-phase') ?? '';
      const text = document.querySelector('[data-testid=bundle-progress-text]')?.textContent ?? '';
      const last = window.__bars[window.__bars.length - 1];
      if (!last || last.v !== v || last.phase !== phase || last.text !== text) window.__bars.push({ v, phase, text });
    };
    new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

// Checks what recordBundleProgress saw: the phases in order, and within each
// the bar only filling, through values between 0 and 100. (Whether a poll
// catches a step's last report before the next step or the summary is
// timing: that progress reaches the total is checked in Go.)
function checkBars(bars, phases) {
  const known = bars.filter((b) => b.v !== null);
  assert.deepEqual([...new Set(known.map((b) => b.phase))], phases, JSON.stringify(bars));
  for (let i = 1; i < known.length; i++) {
    assert.ok(phases.indexOf(known[i].phase) >= phases.indexOf(known[i - 1].phase), `back to an earlier step: ${JSON.stringify(bars)}`);
  }
  for (const phase of phases) {
    const vs = known.filter((b) => b.phase === phase).map((b) => Number(b.v));
    for (let i = 1; i < vs.length; i++) assert.ok(vs[i] >= vs[i - 1], `${phase}: the bar went back: ${vs}`);
    assert.ok(vs.filter((v) => v > 0 && v < 100).length >= 2, `${phase}: not seen filling: ${vs}`);
  }
}

for (const mode of ['browser', 'window']) {
  test(`bundles (${mode}): an import shows how many records are verified, then stored, then the summary`, opts, async () => {
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${fake.base}?token=t&slow=4000${mode === 'window' ? '&window=1' : ''}`);
    await page.getByTestId('coop-name').waitFor();
    await page.getByRole('tab', { name: /Bundles/ }).click();
    await recordBundleProgress(page);
    await page.getByTestId('import-path').fill('/media/usb/reference.cnb');
    await page.getByTestId('import-submit').click();

    const bar = page.getByTestId('bundle-progress');
    await bar.waitFor();
    assert.equal(await bar.getAttribute('role'), 'progressbar');
    assert.equal(await bar.getAttribute('aria-label'), 'Importing the bundle');
    assert.equal(await bar.getAttribute('aria-valuemin'), '0');
    assert.equal(await bar.getAttribute('aria-valuemax'), '100');
    // Part way through verifying: a value, and the numbers in words.
    await page.waitForFunction(() => {
      const v = Number(document.querySelector('[data-testid=bundle-progress]')?.getAttribute('aria-valuenow'));
      return document.querySelector('[data-testid=bundle-busy]')?.getAttribute('data-phase') === 'verifying' && v > 0 && v < 100;
    });
    const text = await page.getByTestId('bundle-progress-text').innerText();
    const m = text.match(/^Verifying ([\d,]+) of 406,607 records — (\d+)%$/);
    assert.ok(m, text);
    assert.equal(Number(m[2]), Math.floor((100 * Number(m[1].replaceAll(',', ''))) / 406607));
    assert.equal(await bar.getAttribute('aria-valuetext'), text);
    assert.match(await page.getByTestId('bundle-progress-details').innerText(), /^Step 1 of 2 · [\d.]+ MB of 67 MB read$/);
    assert.equal(await page.getByRole('status').filter({ hasText: 'nothing is stored until all of them check out' }).count(), 1);
    assert.equal(await page.getByTestId('import-submit').innerText(), 'Importing…');
    assert.equal(await page.getByTestId('export-submit').isDisabled(), true);

    await page.waitForFunction(() => document.querySelector('[data-testid=bundle-busy]')?.getAttribute('data-phase') === 'storing');
    assert.match(await page.getByTestId('bundle-progress-text').innerText(), /^Storing [\d,]+ of 406,607 records — \d+%$/);
    assert.match(await page.getByTestId('bundle-progress-details').innerText(), /^Step 2 of 2 · every record was verified$/);

    const result = page.getByTestId('import-result');
    await result.waitFor();
    assert.match(await result.innerText(), /Read 406,607 records from \/media\/usb\/reference\.cnb/);
    assert.match(await result.innerText(), /406,598\s+added/);
    assert.equal(await page.getByTestId('bundle-busy').count(), 0);
    checkBars(await page.evaluate(() => window.__bars), ['verifying', 'storing']);
    assert.ok((await page.evaluate(() => window.__fake.calls.BundleTransfers)) >= 4, 'polled');
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('bundles: an export leaving out what the other side has shows both steps; a tampered import stops with the error', opts, async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}?token=t&slow=2500`);
  await page.getByTestId('coop-name').waitFor();
  await page.getByRole('tab', { name: /Bundles/ }).click();
  await recordBundleProgress(page);
  await page.getByTestId('export-path').fill('/media/usb/riverside.cnb');
  await page.getByTestId('export-since').fill('/media/usb/last-time.cnb');
  await page.getByTestId('export-submit').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=bundle-busy]')?.getAttribute('data-phase') === 'reading');
  assert.match(await page.getByTestId('bundle-progress-text').innerText(), /^Reading the other bundle: \d+ of 2 records — \d+%$/);
  assert.match(await page.getByTestId('bundle-progress-details').innerText(), /^Step 1 of 2 · .+ of 1\.7 kB read$/);
  assert.equal(await page.getByTestId('bundle-progress').getAttribute('aria-label'), 'Exporting the bundle');
  await page.getByTestId('export-result').waitFor();
  assert.match(await page.getByTestId('export-result').innerText(), /^Wrote 0 records \(64 bytes\) to \/media\/usb\/riverside\.cnb, leaving out 2 records already in the other bundle\.$/);
  const bars = await page.evaluate(() => window.__bars);
  assert.deepEqual([...new Set(bars.filter((b) => b.v !== null).map((b) => b.phase))], ['reading', 'writing'], JSON.stringify(bars));

  await page.evaluate(() => { window.__bars = []; });
  await page.getByTestId('import-path').fill('/media/usb/tampered.cnb');
  await page.getByTestId('import-submit').click();
  await page.locator('[data-testid=error]', { hasText: 'bundle was altered after it was written' }).waitFor();
  assert.match(await page.getByTestId('error').innerText(), /nothing was imported/);
  assert.equal(await page.getByTestId('bundle-busy').count(), 0);
  assert.equal(await page.getByTestId('import-result').count(), 0);
  const seen = await page.evaluate(() => window.__bars);
  assert.ok(seen.some((b) => b.phase === 'verifying' && Number(b.v) > 0), JSON.stringify(seen));
  assert.ok(!seen.some((b) => b.phase === 'storing'), 'nothing stored');
  assert.equal(await page.getByTestId('import-submit').isEnabled(), true);
  assert.deepEqual(errors, []);
  await context.close();
});

// ---- Governance: proposals, votes, results, closing, delegations ----

const coopOfTwo = `${'?token=t&members='}${encodeURIComponent('Ada Lovelace,Grace Hopper')}`;

// Opens the Proposals tab of a two-member co-op (Ada is you); propose, if given,
// is opened in the fake first (as if it had arrived from another member).
// query: the fake's URL parameters, for another co-op.
async function proposalsTab(propose = [], query = coopOfTwo) {
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}${query}`);
  await page.getByTestId('coop-name').waitFor();
  const ids = [];
  for (const p of propose) ids.push(await page.evaluate((input) => window.__fake.propose(input), p));
  await page.getByRole('tab', { name: /Proposals/ }).click();
  await page.getByTestId('proposals-view').waitFor();
  return { page, errors, context, ids };
}

async function openProposal(page, title) {
  const row = page.locator('[data-testid=proposal-row]', { hasText: title });
  await row.getByTestId('proposal-open').click();
  await page.locator('[data-testid=proposal-title]', { hasText: title }).waitFor();
  return page.getByTestId('proposal-detail');
}

const lastVote = (page) => page.evaluate(() => window.__fake.votes.at(-1)?.vote);
const rankOrder = (page) =>
  page.$$eval('[data-testid=rank-list] [data-testid=rank-item]', (els) => els.map((e) => Number(e.getAttribute('data-option'))));

test('proposals: open a majority proposal from the form, vote yes, see your vote, change it', opts, async () => {
  const { page, errors, context } = await proposalsTab();
  assert.match(await page.getByTestId('no-open-proposals').innerText(), /Nothing to vote on/);
  await page.getByTestId('new-proposal').click();
  const form = page.getByTestId('new-proposal-form');
  await form.waitFor();
  // Each method is explained in a line.
  await page.getByTestId('np-method').selectOption('consent');
  assert.match(await page.getByTestId('method-help').innerText(), /passes unless someone objects/);
  await page.getByTestId('np-method').selectOption('majority');
  await page.getByTestId('np-submit').click();
  assert.match(await form.getByTestId('error').innerText(), /give the proposal a title/);
  // Stricter rules only: the fake refuses a looser quorum, as the node does.
  await page.getByTestId('np-title').fill('Buy a shared 3D printer');
  await page.getByTestId('np-body').fill('For the workshop. Budget: 1,200 €.');
  await page.getByTestId('np-hours').fill('24');
  await page.getByText('Stricter rules (optional)').click();
  await page.getByTestId('np-quorum').fill('1/3');
  await page.getByTestId('np-submit').click();
  await page.locator('[data-testid=error]', { hasText: 'may tighten' }).waitFor();
  await page.getByTestId('np-quorum').fill('');
  await page.getByTestId('np-submit').click();

  const detail = page.getByTestId('proposal-detail');
  await page.locator('[data-testid=proposal-title]', { hasText: 'Buy a shared 3D printer' }).waitFor();
  assert.equal(await detail.getAttribute('data-status'), 'open');
  assert.match(await page.getByTestId('rule-quorum').innerText(), /Quorum 1\/2 \(50%\): at least 1 member of the 2 who may vote/);
  assert.match(await page.getByTestId('rule-threshold').innerText(), /more than 2\/3 \(67%\)/);
  assert.match(await page.getByTestId('rule-closes').innerText(), /in 24 h/);
  assert.match(await page.getByTestId('my-vote-none').innerText(), /not voted yet/);
  assert.equal(await page.getByTestId('voted').getAttribute('data-voted'), '0');

  await page.getByTestId('position-yes').check();
  await page.getByTestId('vote-submit').click();
  await page.locator('[data-testid=my-vote]', { hasText: 'Your vote: Yes' }).waitFor();
  assert.deepEqual(await lastVote(page), { position: 'yes', reason: '', choices: [], points: [] });
  assert.equal(await page.getByTestId('voted').getAttribute('data-voted'), '1');
  assert.match(await page.getByTestId('running-outcome').innerText(), /If voting ended now: Passed/);
  assert.equal(await page.getByTestId('outcome').count(), 0, 'no final outcome while open');
  assert.match(await page.getByTestId('result-chart').getAttribute('aria-label'), /Yes: 1 vote; No: 0 votes; Abstain: 0 votes/);
  assert.match(await page.getByTestId('ballot-row').innerText(), /Ada Lovelace\s+Yes\s+Counts/);

  // Another member's vote appears without a reload (the page polls).
  await page.evaluate(() => window.__fake.castAs('Grace Hopper', window.__fake.proposals[0].id, { position: 'no', reason: 'Too expensive' }));
  await page.locator('[data-testid=voted][data-voted="2"]').waitFor({ timeout: 10_000 });
  assert.match(await page.getByTestId('support').innerText(), /1\/2 \(50%\)/);
  await page.locator('[data-testid=ballot-row]', { hasText: 'Grace Hopper' }).waitFor();

  // The vote can be changed while open.
  assert.equal(await page.getByTestId('vote-submit').innerText(), 'Change my vote');
  await page.getByTestId('position-abstain').check();
  await page.getByTestId('vote-reason').fill('I will not use it');
  await page.getByTestId('vote-submit').click();
  await page.locator('[data-testid=my-vote]', { hasText: 'Your vote: Abstain — “I will not use it”' }).waitFor();
  assert.equal((await lastVote(page)).position, 'abstain');

  await page.getByTestId('proposals-back').click();
  const row = page.locator('[data-testid=proposal-row]', { hasText: 'Buy a shared 3D printer' });
  assert.equal(await row.getAttribute('data-status'), 'open');
  assert.match(await row.getByTestId('row-voted').innerText(), /2 of 2 voted/);
  assert.equal(await row.getByTestId('state-badge').innerText(), 'you voted');
  assert.deepEqual(errors, []);
  await context.close();
});

test('proposals: an objection needs a reason', opts, async () => {
  const { page, errors, context } = await proposalsTab([{ title: 'Adopt the privacy policy', method: 'consent', hours: 5 }]);
  await openProposal(page, 'Adopt the privacy policy');
  await page.getByTestId('position-object').check();
  await page.getByTestId('vote-submit').click();
  assert.match(await page.getByTestId('vote-form').getByTestId('error').innerText(), /objection needs a reason/);
  assert.equal(await page.evaluate(() => window.__fake.votes.length), 0, 'nothing was sent');
  await page.getByTestId('vote-reason').fill('It keeps data for too long.');
  await page.getByTestId('vote-submit').click();
  await page.locator('[data-testid=my-vote]', { hasText: 'Object — “It keeps data for too long.”' }).waitFor();
  assert.match(await page.getByTestId('running-outcome').innerText(), /Did not pass/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('proposals: ranked choice, reordered with the buttons and by drag and drop, votes in that order', opts, async () => {
  const options = ['The Commons', 'Our Data', 'Riverside Notes', 'Co-op Weekly'];
  const { page, errors, context } = await proposalsTab([{ title: 'Name of the newsletter', method: 'ranked', options, hours: 24 }]);
  await openProposal(page, 'Name of the newsletter');
  assert.deepEqual(await rankOrder(page), [0, 1, 2, 3]);
  assert.equal(await page.getByTestId('rank-up-0').isDisabled(), true);
  await page.getByTestId('rank-up-2').click();
  await page.getByTestId('rank-up-2').click();
  assert.deepEqual(await rankOrder(page), [2, 0, 1, 3]);
  // At the top its up button is disabled: the focus moved to its down button.
  await expectFocus(page, 'rank-down-2');
  await page.getByTestId('rank-down-0').click();
  assert.deepEqual(await rankOrder(page), [2, 1, 0, 3]);
  await page.getByTestId('rank-remove-3').click();
  assert.deepEqual(await rankOrder(page), [2, 1, 0]);
  assert.equal(await page.getByTestId('unranked-item').count(), 1);
  // Drag "Our Data" onto the first place.
  await page.locator('[data-testid=rank-item][data-option="1"]').dragTo(page.locator('[data-testid=rank-item][data-option="2"]'));
  assert.deepEqual(await rankOrder(page), [1, 2, 0]);
  await page.getByTestId('vote-submit').click();
  await page.getByTestId('my-vote').waitFor();
  assert.deepEqual((await lastVote(page)).choices, [1, 2, 0]);
  assert.equal(await page.getByTestId('my-vote').innerText(), 'Your vote: 1. Our Data, 2. Riverside Notes, 3. The Commons');
  // One ballot: Our Data has all first choices, elected in round 1.
  const round = page.getByTestId('result-round');
  assert.equal(await round.count(), 1);
  assert.match(await round.innerText(), /Round 1/);
  assert.match(await page.getByTestId('round-chart').getAttribute('aria-label'), /Our Data: 1 vote \(elected\)/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('proposals: score sliders, one per option', opts, async () => {
  const { page, errors, context } = await proposalsTab([{ title: 'Rate the venues', method: 'score', maxScore: 5, options: ['Library', 'Café', 'Online'], hours: 24 }]);
  await openProposal(page, 'Rate the venues');
  const library = page.getByRole('slider', { name: 'Library' });
  assert.equal(await library.getAttribute('max'), '5');
  await library.fill('4');
  const cafe = page.getByRole('slider', { name: 'Café' });
  await cafe.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByTestId('score-value-0').innerText(), '4');
  assert.equal(await page.getByTestId('score-value-1').innerText(), '2');
  assert.equal(await cafe.getAttribute('aria-valuetext'), '2 of 5');
  await page.getByTestId('vote-submit').click();
  await page.getByTestId('my-vote').waitFor();
  assert.deepEqual((await lastVote(page)).points, [4, 2, 0]);
  assert.equal(await page.getByTestId('my-vote').innerText(), 'Your vote: Library: 4, Café: 2, Online: 0');
  assert.match(await page.getByTestId('running-outcome').innerText(), /Chosen: Library/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('proposals: dot voting never places more dots than a member has', opts, async () => {
  const { page, errors, context } = await proposalsTab([{ title: 'Where to meet', method: 'dot', dots: 3, options: ['Library', 'Café'], hours: 24 }]);
  await openProposal(page, 'Where to meet');
  assert.match(await page.getByTestId('dots-left').innerText(), /3 dots left of 3/);
  await page.getByTestId('vote-submit').click();
  assert.match(await page.getByTestId('vote-form').getByTestId('error').innerText(), /at least one dot/);
  for (let i = 0; i < 3; i++) await page.getByTestId('dot-plus-0').click();
  assert.match(await page.getByTestId('dots-left').innerText(), /All 3 dots placed/);
  assert.equal(await page.getByTestId('dot-plus-0').isDisabled(), true);
  assert.equal(await page.getByTestId('dot-plus-1').isDisabled(), true);
  await page.getByTestId('dot-plus-1').click({ force: true }); // a disabled button does nothing
  assert.equal(await page.getByTestId('dot-count-1').innerText(), '0');
  await page.getByTestId('dot-minus-0').click();
  await page.getByTestId('dot-plus-1').click();
  assert.equal(await page.getByTestId('dot-count-0').innerText(), '2');
  assert.equal(await page.getByTestId('dot-count-1').innerText(), '1');
  assert.equal(await page.getByTestId('dots-left').getAttribute('data-left'), '0');
  await page.getByTestId('vote-submit').click();
  await page.getByTestId('my-vote').waitFor();
  assert.deepEqual((await lastVote(page)).points, [2, 1]);
  assert.equal(await page.getByTestId('my-vote').innerText(), 'Your vote: Library: 2 dots, Café: 1 dot');
  assert.deepEqual(errors, []);
  await context.close();
});

test('proposals: hidden results show the notice and the count of votes, then the outcome once closed', opts, async () => {
  const { page, errors, context, ids } = await proposalsTab([{ title: 'Pick a logo', method: 'approval', options: ['Tree', 'River', 'Bridge'], hours: 2, hideResults: true }]);
  await page.evaluate((id) => window.__fake.castAs('Grace Hopper', id, { choices: [1, 2] }), ids[0]);
  await openProposal(page, 'Pick a logo');
  await page.locator('[data-testid=voted][data-voted="1"]').waitFor();
  assert.match(await page.getByTestId('hidden-notice').innerText(), /Results are hidden until the proposal closes\. This is a display rule, not secrecy/);
  assert.equal(await page.getByTestId('hidden-voted').innerText(), '1 of 2 members have voted.');
  assert.equal(await page.getByTestId('result-chart').count(), 0);
  assert.equal(await page.getByTestId('ballot-row').count(), 0);
  await page.getByTestId('approve-1').check();
  await page.getByTestId('vote-submit').click();
  await page.locator('[data-testid=my-vote]', { hasText: 'River' }).waitFor();
  assert.equal(await page.getByTestId('hidden-notice').count(), 1, 'still hidden after voting');
  assert.match(await page.getByTestId('close-note').innerText(), /^Voting ends .+; then Ada Lovelace may close it/);
  assert.equal(await page.getByTestId('close-proposal').count(), 0, 'no close while voting is open');

  // Voting ends: the author may close it, and the result appears.
  await page.evaluate((id) => window.__fake.endVoting(id), ids[0]);
  await page.getByTestId('close-proposal').waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId('proposal-status').getAttribute('data-status'), 'ended');
  assert.match(await page.getByTestId('close-note').innerText(), /Voting has ended: Ada Lovelace may close it now/);
  assert.equal(await page.getByTestId('vote-form').count(), 0, 'no voting once ended');
  await page.getByTestId('close-proposal').click();
  const outcome = page.getByTestId('outcome');
  await outcome.waitFor();
  assert.equal(await outcome.getAttribute('data-outcome'), 'elected');
  assert.match(await outcome.innerText(), /Chosen: River/);
  assert.match(await page.getByTestId('closed-info').innerText(), /Closed by Ada Lovelace on /);
  assert.equal(await page.getByTestId('hidden-notice').count(), 0);
  assert.match(await page.getByTestId('result-chart').getAttribute('aria-label'), /River: 2 approvals/);
  assert.equal(await page.getByTestId('ballot-row').count(), 2);
  await page.getByTestId('proposals-back').click();
  const badge = page.locator('[data-testid=proposal-row]', { hasText: 'Pick a logo' }).getByTestId('outcome-badge');
  assert.equal(await badge.getAttribute('data-outcome'), 'elected');
  assert.deepEqual(errors, []);
  await context.close();
});

test('proposals: closing a majority vote shows the outcome in words and in the list', opts, async () => {
  const { page, errors, context, ids } = await proposalsTab([{ title: 'Open on Saturdays', method: 'majority', hours: 1 }]);
  await page.evaluate((id) => {
    window.__fake.castAs('Ada Lovelace', id, { position: 'yes' });
    window.__fake.castAs('Grace Hopper', id, { position: 'no' });
    window.__fake.endVoting(id);
  }, ids[0]);
  await openProposal(page, 'Open on Saturdays');
  await page.getByTestId('close-proposal').click();
  const outcome = page.getByTestId('outcome');
  await outcome.waitFor();
  assert.equal(await outcome.getAttribute('data-outcome'), 'failed');
  assert.match(await outcome.innerText(), /^Did not pass\n+Support 1\/2 is not more than the threshold 2\/3\.$/);
  assert.match(await page.getByTestId('participation').innerText(), /2 of 2 members \(100%\)/);
  assert.match(await page.getByTestId('close-note').innerText(), /Closed by Ada Lovelace with the count of 2 ballots/);
  assert.equal(await page.getByTestId('close-proposal').count(), 0);
  await page.getByTestId('proposals-back').click();
  const row = page.locator('[data-testid=proposal-row]', { hasText: 'Open on Saturdays' });
  assert.equal(await row.getAttribute('data-status'), 'closed');
  assert.equal(await row.getByTestId('outcome-badge').innerText(), 'did not pass');
  if (process.env.COOPNODE_SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.COOPNODE_SCREENSHOT_DIR}/proposals.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('proposals: delegate for all proposals, the delegate votes for you, then withdraw', opts, async () => {
  const { page, errors, context, ids } = await proposalsTab([{ title: 'Paint the office', method: 'majority', hours: 5 }]);
  const section = page.getByTestId('delegations');
  assert.match(await section.getByTestId('no-delegations').innerText(), /Nobody votes for you/);
  await page.getByTestId('delegation-member').selectOption({ label: 'Grace Hopper' });
  await page.getByTestId('delegation-add').click();
  await section.locator('[data-testid=delegation-row]', { hasText: 'Grace Hopper votes for you on every proposal.' }).waitFor();

  await page.evaluate((id) => window.__fake.castAs('Grace Hopper', id, { position: 'yes' }), ids[0]);
  await openProposal(page, 'Paint the office');
  await page.locator('[data-testid=my-proxy]', { hasText: 'Grace Hopper votes for you by proxy on this proposal.' }).waitFor();
  assert.equal(await page.getByTestId('voted').getAttribute('data-voted'), '2');
  assert.match(await page.locator('[data-testid=ballot-row]', { hasText: 'Grace Hopper' }).innerText(), /also for Ada Lovelace/);

  // On this proposal alone, from its page.
  await page.getByTestId('delegate-open').click();
  await page.getByTestId('delegate-select').selectOption({ label: 'Grace Hopper' });
  await page.getByTestId('delegate-submit').click();
  assert.match(await page.getByTestId('delegate-result').innerText(), /Grace Hopper will vote for you on this proposal, unless you vote yourself/);

  await page.getByTestId('proposals-back').click();
  await section.locator('[data-testid=delegation-row]', { hasText: 'the proposal "Paint the office"' }).waitFor();
  assert.equal(await section.getByTestId('delegation-row').count(), 2);
  await section.locator('[data-testid=delegation-row]', { hasText: 'every proposal' }).getByTestId('end-delegation').click();
  await page.locator('[data-testid=delegation-result]', { hasText: 'Grace Hopper no longer votes for you on every proposal.' }).waitFor();
  assert.equal(await section.getByTestId('delegation-row').count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('proposals: the form for changes to the co-op (member change, admission, bylaws)', opts, async () => {
  const { page, errors, context } = await proposalsTab();
  await page.getByTestId('new-proposal').click();
  await page.getByTestId('np-method').selectOption('ranked');
  await page.getByTestId('np-kind').selectOption('member-change');
  // A change to the co-op is decided by a method that passes or fails.
  assert.equal(await page.getByTestId('np-method').inputValue(), 'majority');
  const methods = await page.getByTestId('np-method').locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(methods, ['consent', 'consensus', 'majority']);
  await page.getByTestId('np-member').selectOption({ label: 'Grace Hopper' });
  assert.equal(await page.getByTestId('np-class').inputValue(), 'worker');
  assert.equal(await page.getByTestId('np-roles').inputValue(), '');
  await page.getByTestId('np-class').selectOption('supporter');
  await page.getByTestId('np-roles').fill('treasurer, secretary');

  await page.getByTestId('np-kind').selectOption('admission');
  assert.deepEqual(
    await page.getByTestId('np-request').locator('option').evaluateAll((os) => os.map((o) => o.textContent)),
    ['Choose a request…', `Katherine Johnson (asked ${await page.evaluate(() => new Date(Date.now() - 3600_000).toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' }))})`],
  );

  await page.getByTestId('np-kind').selectOption('bylaws');
  assert.match(await page.getByTestId('np-bylaws-text').inputValue(), /^Article 1\. Name/);
  assert.equal(await page.getByTestId('np-bylaws-quorum').inputValue(), '1/2');
  assert.equal(await page.getByTestId('np-bylaws-threshold').inputValue(), '2/3');
  assert.equal(await page.getByTestId('np-bylaws-admission').inputValue(), 'direct');
  assert.equal(await page.getByTestId('np-bylaws-roles').inputValue(), 'admin');

  await page.getByTestId('np-kind').selectOption('member-change');
  await page.getByTestId('np-title').fill('Grace becomes our treasurer');
  await page.getByTestId('np-submit').click();
  await page.locator('[data-testid=proposal-title]', { hasText: 'Grace becomes our treasurer' }).waitFor();
  assert.match(
    await page.getByTestId('proposal-subject').innerText(),
    /If it passes, Grace Hopper becomes a member of class supporter with the roles treasurer\s*secretary/,
  );
  const sent = await page.evaluate(() => window.__fake.proposals[0]);
  assert.deepEqual([sent.kind, sent.method, sent.class, sent.roles], ['member-change', 'majority', 'supporter', ['treasurer', 'secretary']]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('proposals: a bylaws proposal shows what it changes; a special admission rule under direct admission gets a note', opts, async () => {
  const { page, errors, context } = await proposalsTab();
  await page.getByTestId('new-proposal').click();
  await page.getByTestId('np-kind').selectOption('bylaws');
  await page.getByTestId('np-bylaws-quorum').fill('3/4');
  // A new special rule takes the first kind without one: admission. The bylaws admit directly, so it says what that means.
  await page.getByTestId('np-bylaws-special-add').click();
  assert.equal(await page.getByTestId('np-bylaws-special-kind-0').inputValue(), 'admission');
  assert.match(await page.getByTestId('np-bylaws-special-note-0').innerText(), /binds only an admission someone chooses to put to a vote/);
  await page.getByTestId('np-bylaws-admission').selectOption('by-decision');
  assert.equal(await page.getByTestId('np-bylaws-special-note-0').count(), 0);
  await page.getByTestId('np-bylaws-admission').selectOption('direct');
  await page.getByTestId('np-bylaws-special-note-0').waitFor();
  await page.getByTestId('np-bylaws-special-kind-0').selectOption('removal');
  assert.equal(await page.getByTestId('np-bylaws-special-note-0').count(), 0);
  await page.getByTestId('np-bylaws-special-quorum-0').fill('3/4');
  await page.getByTestId('np-title').fill('Removals by three quarters');
  await page.getByTestId('np-submit').click();
  await page.locator('[data-testid=proposal-title]', { hasText: 'Removals by three quarters' }).waitFor();

  const changes = page.getByTestId('bylaws-change');
  await changes.first().waitFor();
  const rows = await changes.evaluateAll((ls) => ls.map((l) => [l.dataset.what, l.dataset.name, l.dataset.change, l.textContent.replace(/\s+/g, ' ').trim()]));
  assert.deepEqual(rows, [
    ['quorum', '', 'changed', 'Changed Quorum: 1/2 (50%) → 3/4 (75%)'],
    ['special', 'removal', 'added', 'Added Special rule for removal proposals: quorum 3/4 (75%), threshold 2/3 (67%), by majority only'],
  ]);
  assert.equal(await page.getByTestId('proposal-warning').count(), 0);
  assert.match(await page.getByTestId('bylaws-whole').innerText(), /The proposed bylaws, whole/);

  // The same bylaws with the rule for admissions: the page says what the CLI warns.
  const id = await page.evaluate(() =>
    window.__fake.propose({ title: 'Admissions by three quarters', kind: 'bylaws', method: 'majority', hours: 24,
      bylaws: { ...window.__fake.proposals[0].bylaws, special: { admission: { quorum: '3/4', threshold: '2/3', methods: ['majority'] } } } }),
  );
  await page.getByTestId('proposals-back').click();
  await openProposal(page, 'Admissions by three quarters');
  assert.match(await page.getByTestId('proposal-warning').innerText(), /^Note: these bylaws admit members directly .* binds only an admission someone chooses to put to a vote/);
  assert.ok(id);
  assert.deepEqual(errors, []);
  await context.close();
});

// The bylaws changes a proposal's page lists: [what, change, text].
const bylawsChangeRows = (page) =>
  page.getByTestId('bylaws-change').evaluateAll((ls) => ls.map((l) => [l.dataset.what, l.dataset.change, l.textContent.replace(/\s+/g, ' ').trim()]));

test('proposals: a bylaws amendment from the editor keeps the tellers in force; a change to them shows in the diff', opts, async () => {
  const { page, errors, context } = await proposalsTab();
  // Unchanged: the draft carries the bylaws' 2 tellers, so the amendment does not drop them to 0.
  await page.getByTestId('new-proposal').click();
  await page.getByTestId('np-kind').selectOption('bylaws');
  assert.equal(await page.getByTestId('np-bylaws-tellers').inputValue(), '2');
  await page.getByTestId('np-title').fill('Reword nothing');
  await page.getByTestId('np-submit').click();
  await page.locator('[data-testid=proposal-title]', { hasText: 'Reword nothing' }).waitFor();
  assert.equal((await page.evaluate(() => window.__fake.proposals[0].bylaws)).tellers, 2);
  await page.getByTestId('bylaws-no-changes').waitFor();
  assert.equal(await page.getByTestId('bylaws-whole-tellers').textContent(), 'A close decides once 2 other members have co-signed it.');

  // Changed: out of range is refused in the form, 3 is sent and listed as a change.
  await page.getByTestId('proposals-back').click();
  await page.getByTestId('new-proposal').click();
  await page.getByTestId('np-kind').selectOption('bylaws');
  await page.getByTestId('np-title').fill('Three tellers');
  await page.getByTestId('np-bylaws-tellers').fill('16');
  await page.getByTestId('np-submit').click();
  assert.match(await page.getByTestId('error').innerText(), /co-sign a close must be a whole number from 0 to 15/);
  await page.getByTestId('np-bylaws-tellers').fill('3');
  await page.getByTestId('np-submit').click();
  await page.locator('[data-testid=proposal-title]', { hasText: 'Three tellers' }).waitFor();
  assert.equal((await page.evaluate(() => window.__fake.proposals[0].bylaws)).tellers, 3);
  await page.getByTestId('bylaws-change').first().waitFor();
  assert.deepEqual(await bylawsChangeRows(page), [['tellers', 'changed', 'Changed Members who co-sign a close before it decides: 2 → 3']]);
  assert.equal(await page.getByTestId('bylaws-whole-tellers').textContent(), 'A close decides once 3 other members have co-signed it.');
  assert.deepEqual(errors, []);
  await context.close();
});

test('proposals: a close awaiting its tellers shows who co-signed so far, then the outcome once they all have', opts, async () => {
  const three = `?token=t&members=${encodeURIComponent('Ada Lovelace,Grace Hopper,Mary Jackson')}`;
  const { page, errors, context, ids } = await proposalsTab([{ title: 'Buy a van', method: 'majority', hours: 1 }], three);
  await page.evaluate((id) => {
    for (const name of ['Ada Lovelace', 'Grace Hopper', 'Mary Jackson']) window.__fake.castAs(name, id, { position: 'yes' });
    window.__fake.endVoting(id);
    window.__fake.awaitClose(id, 'Ada Lovelace', ['Grace Hopper']);
  }, ids[0]);
  await openProposal(page, 'Buy a van');
  const awaiting = page.getByTestId('pd-awaiting');
  await awaiting.waitFor();
  assert.equal(
    (await awaiting.innerText()).replace(/\s+/g, ' ').trim(),
    'Awaiting tellers: 1 of 2 co-signed (Grace Hopper), for the close by Ada Lovelace.',
  );
  assert.match(await page.getByTestId('close-note').innerText(), /^Closed by Ada Lovelace; the result decides once 2 of the other members have checked the count and co-signed it \(1 so far\)/);
  assert.equal(await page.getByTestId('proposal-status').getAttribute('data-status'), 'ended');
  assert.equal(await page.getByTestId('closed-info').count(), 0);

  // The last teller's node co-signs: the page (polling) shows the decision, and no longer awaits.
  await page.evaluate((id) => window.__fake.cosign(id, 'Mary Jackson'), ids[0]);
  await page.getByTestId('closed-info').waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId('pd-awaiting').count(), 0);
  assert.equal(await page.getByTestId('outcome').getAttribute('data-outcome'), 'passed');
  assert.match(await page.getByTestId('closed-info').innerText(), /^Closed by Ada Lovelace on /);
  assert.deepEqual(errors, []);
  await context.close();
});

test('bylaws: the tellers in force; bylaws from before tellers show the advice, and its button opens the amendment with 2', opts, async () => {
  // Bylaws with tellers: the line, and no advice.
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}${coopOfTwo}`);
  await page.getByTestId('tab-bylaws').click();
  assert.equal(await page.getByTestId('bylaws-tellers').innerText(), '2 other members co-sign a close before it decides.');
  assert.equal(await page.getByTestId('bylaws-tellers-advice').count(), 0);

  // Bylaws from before tellers.
  await page.goto(`${fake.base}${coopOfTwo}&tellers=0`);
  await page.getByTestId('tab-bylaws').click();
  assert.equal(await page.getByTestId('bylaws-tellers').innerText(), 'None: a close decides on its closer’s word alone.');
  const advice = page.getByTestId('bylaws-tellers-advice');
  assert.match(await advice.innerText(), /These bylaws predate tellers: a close decides on its closer's word alone\. Propose an amendment with tellers set to 2/);
  await advice.getByRole('button', { name: 'Propose this amendment' }).click();

  // The Proposals tab, with the bylaws editor: the bylaws in force, and 2 tellers.
  assert.equal(await page.getByTestId('tab-proposals').getAttribute('aria-selected'), 'true');
  await page.getByTestId('new-proposal-form').waitFor();
  assert.equal(await page.getByTestId('np-kind').inputValue(), 'bylaws');
  assert.equal(await page.getByTestId('np-bylaws-tellers').inputValue(), '2');
  assert.equal(await page.getByTestId('np-bylaws-quorum').inputValue(), '1/2');
  assert.equal(await page.getByTestId('np-bylaws-threshold').inputValue(), '2/3');
  assert.match(await page.getByTestId('np-bylaws-text').inputValue(), /^Article 1\. Name/);
  assert.equal(await page.getByTestId('np-title').inputValue(), 'Tellers: 2 members co-sign each close');
  await page.getByTestId('np-submit').click();
  await page.locator('[data-testid=proposal-title]', { hasText: 'Tellers: 2 members co-sign each close' }).waitFor();
  const sent = await page.evaluate(() => window.__fake.proposals[0]);
  assert.deepEqual([sent.kind, sent.bylaws.tellers, sent.bylaws.quorum, sent.bylaws.admitRoles], ['bylaws', 2, '1/2', ['admin']]);
  await page.getByTestId('bylaws-change').first().waitFor();
  assert.deepEqual(await bylawsChangeRows(page), [['tellers', 'changed', 'Changed Members who co-sign a close before it decides: 0 → 2']]);

  // Back on the list, a new proposal starts empty again.
  await page.getByTestId('proposals-back').click();
  await page.getByTestId('new-proposal').click();
  assert.equal(await page.getByTestId('np-kind').inputValue(), 'general');
  assert.equal(await page.getByTestId('np-title').inputValue(), '');
  assert.deepEqual(errors, []);
  await context.close();
});

// ---- My data: the vault, consent per item and purpose, data agreements ----

// Opens the My data tab; the fake holds two items ("Harvest notes 2024",
// "Soil photos") and one agreement whose version 2 (current, not answered)
// adds AI model training to version 1 (opted in with all items).
async function dataTab(query = '') {
  const { page, errors, context } = await openPage(browser);
  await page.goto(`${fake.base}${coopOfTwo}${query}`);
  await page.getByTestId('coop-name').waitFor();
  await page.getByTestId('tab-data').click();
  await page.getByTestId('data-item-row').first().waitFor();
  await page.getByTestId('agreement-card').first().waitFor();
  return { page, errors, context };
}

const AGREEMENT = 'Community data agreement';
const card = (page) => page.locator(`[data-testid=agreement-card][data-title="${AGREEMENT}"]`);
const currentVersion = (page) => card(page).locator('[data-testid=agreement-version][data-current=true]');
const itemRow = (page, title) => page.locator(`[data-testid=data-item-row][data-title="${title}"]`);
const fakeCalls = (page, name) => page.evaluate((n) => window.__fake.calls[n] ?? 0, name);

async function openItem(page, title) {
  await itemRow(page, title).getByTestId('item-open').click();
  const detail = page.getByTestId('item-detail');
  await detail.locator('[data-testid=item-title]', { hasText: title }).waitFor();
  return detail;
}

test('my data: upload a file, see its progress reach 100% and the item listed', opts, async () => {
  const { page, errors, context } = await dataTab('&uploadms=1500');
  assert.equal(await page.getByTestId('tab-data').getAttribute('aria-selected'), 'true');
  assert.equal(await page.getByTestId('data-item-row').count(), 2);
  const content = Buffer.from('tree,apples\n'.repeat(5000));
  const { createHash } = await import('node:crypto');
  const sha = createHash('sha256').update(content).digest('hex');

  await page.getByTestId('data-title').fill('Orchard survey');
  await page.getByTestId('data-tags').fill('orchard, 2025');
  await page.getByTestId('data-file-input').setInputFiles({ name: 'orchard.csv', mimeType: 'text/csv', buffer: content });
  const bar = page.locator('[data-testid=upload-progress][data-name="orchard.csv"]');
  await bar.waitFor();
  assert.equal(await bar.getAttribute('role'), 'progressbar');
  // Part way, then all of it.
  await page.waitForFunction(() => {
    const v = Number(document.querySelector('[data-testid=upload-progress]')?.getAttribute('aria-valuenow'));
    return v > 0 && v < 100;
  });
  await page.locator('[data-testid=upload-row][data-name="orchard.csv"][data-state=done]').waitFor();
  assert.equal(await bar.getAttribute('aria-valuenow'), '100');
  assert.match(await page.getByTestId('upload-amount').innerText(), /^Added · 60 kB of 60 kB \(100%\)$/);

  const row = itemRow(page, 'Orchard survey');
  await row.waitFor();
  assert.equal(await row.getAttribute('data-item-id'), sha, 'the item is named by its SHA-256');
  assert.equal(await page.getByTestId('data-item-row').first().getAttribute('data-item-id'), sha, 'newest first');
  const text = await row.innerText();
  for (const part of ['orchard.csv', '60 kB', 'text/csv', 'orchard', '2025']) assert.ok(text.includes(part), `${part} in ${JSON.stringify(text)}`);
  const { source, ...sent } = await page.evaluate(() => window.__fake.uploads[0]);
  assert.deepEqual(sent, { name: 'orchard.csv', title: 'Orchard survey', tags: ['orchard', '2025'], size: 60000, type: 'text/csv' });
  assert.match(source, /^upload-/, 'the upload carries its own id');
  assert.equal(await page.locator('[data-testid=upload-row][data-name="orchard.csv"]').getAttribute('data-source'), source);
  assert.equal(await page.getByTestId('data-title').inputValue(), '', 'the title was used for that file');

  // Several files at once are titled by their names, sent two at a time,
  // each with its own id; a refused one says why.
  await page.getByTestId('data-file-input').setInputFiles([
    { name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') },
    { name: 'bees.txt', mimeType: 'text/plain', buffer: Buffer.from('buzz') },
    { name: 'wasps.txt', mimeType: 'text/plain', buffer: Buffer.from('bzzz') },
  ]);
  await page.locator('[data-testid=upload-row][data-name="notes.txt"][data-state=done]').waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=upload-row]')].every((r) => ['done', 'failed'].includes(r.dataset.state)));
  const failed = page.locator('[data-testid=upload-row][data-name="empty.txt"]');
  assert.equal(await failed.getAttribute('data-state'), 'failed');
  assert.match(await failed.getByTestId('error').innerText(), /empty\.txt is empty/);
  for (const name of ['notes.txt', 'bees.txt', 'wasps.txt']) await itemRow(page, name).waitFor();
  const fake = await page.evaluate(() => ({ uploads: window.__fake.uploads, atOnce: window.__fake.atOnce }));
  assert.equal(fake.atOnce.maxUploads, 2, 'two at a time, not one, not all');
  assert.equal(new Set(fake.uploads.map((u) => u.source)).size, 5, 'every upload its own id');
  await page.getByTestId('uploads-clear').click();
  assert.equal(await page.getByTestId('upload-row').count(), 0);
  assert.equal(await page.getByTestId('data-item-row').count(), 6);
  assert.deepEqual(errors, []);
  await context.close();
});

test('my data: a purpose of an item is allowed, then withdrawn, each in two clicks', opts, async () => {
  const { page, errors, context } = await dataTab();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(fake.base).origin });
  const detail = await openItem(page, 'Harvest notes 2024');
  const current = await page.evaluate(() => window.__fake.agreements[0].versions[1].id);
  const rows = detail.getByTestId('purpose-row');
  assert.deepEqual(
    await rows.evaluateAll((rs) => rs.map((r) => [r.dataset.purpose, r.dataset.version.length, r.dataset.allowed])),
    [
      ['AcademicResearch', 64, 'false'],
      ['ai:ModelTraining', 64, 'false'],
      ['ResearchAndDevelopment', 64, 'false'],
    ],
  );
  const row = detail.locator(`[data-testid=purpose-row][data-purpose="ai:ModelTraining"][data-version="${current}"]`);
  assert.match(await row.innerText(), /AI model training[\s\S]*Community data agreement version 2[\s\S]*No[\s\S]*Not asked yet/);
  assert.match(await detail.getByTestId('signals-aipref').innerText(), /^Content-Usage: train-ai=n$/);

  // First click: a confirmation with the exact wording, nothing sent yet.
  await row.getByTestId('purpose-toggle').click();
  assert.equal(await page.getByTestId('confirm-wording').innerText(),
    'Give consent for “Harvest notes 2024” to be used for AI model training (ai:ModelTraining) under Community data agreement, version 2?');
  assert.equal(await fakeCalls(page, 'SetItemConsent'), 0);
  await expectFocus(page, 'confirm-consent');
  // Cancel sends nothing either.
  await page.getByTestId('cancel-consent').click();
  assert.equal(await page.getByTestId('confirm-consent').count(), 0);
  assert.equal(await fakeCalls(page, 'SetItemConsent'), 0);

  await row.getByTestId('purpose-toggle').click();
  await page.getByTestId('confirm-consent').click();
  await detail.locator('[data-testid=purpose-row][data-purpose="ai:ModelTraining"][data-allowed=true]').waitFor();
  assert.equal(await fakeCalls(page, 'SetItemConsent'), 1);
  assert.equal(await row.getByTestId('purpose-toggle').getAttribute('aria-checked'), 'true');
  assert.match(await row.getByTestId('purpose-status').innerText(), /^You gave consent\s+dpv:ConsentGiven · until /);
  assert.match(await page.getByTestId('consent-result').innerText(), /“Harvest notes 2024” may now be used for AI model training/);
  assert.equal(await detail.locator('[data-testid=purpose-row][data-allowed=true]').count(), 1, 'only that purpose');
  assert.equal(await page.getByTestId('consent-confirm').count(), 0);
  // What it publishes follows.
  await detail.locator('[data-testid=signals-aipref]', { hasText: 'train-ai=y' }).waitFor();
  assert.equal(JSON.parse(await detail.getByTestId('signals-tdmrep').innerText())[0].location, '/harvest-2024.csv');
  await detail.getByTestId('copy-aipref').click();
  await detail.locator('[data-testid=copy-aipref]', { hasText: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'Content-Usage: train-ai=y');

  await row.getByTestId('purpose-toggle').click();
  assert.match(await page.getByTestId('confirm-wording').innerText(), /^Withdraw consent for “Harvest notes 2024” to be used for AI model training \(ai:ModelTraining\) under Community data agreement, version 2\?$/);
  await page.getByTestId('confirm-consent').click();
  await detail.locator('[data-testid=purpose-row][data-purpose="ai:ModelTraining"][data-allowed=false][data-status=ConsentWithdrawn]').waitFor();
  assert.match(await row.getByTestId('purpose-status').innerText(), /^You withdrew consent/);
  const log = page.getByTestId('consent-log-row').first();
  assert.equal(await log.getAttribute('data-event'), 'withdraw');
  assert.equal(await log.getAttribute('data-status'), 'ConsentWithdrawn');
  assert.match(await log.innerText(), /Withdrew consent[\s\S]*Community data agreement version 2[\s\S]*AI model training[\s\S]*Harvest notes 2024/);
  assert.equal(await log.getByTestId('consent-log-recipients').innerText(), 'members, research partners');
  assert.deepEqual(errors, []);
  await context.close();
});

test('my data: opting in to a new version changes your answer and the items', opts, async () => {
  const { page, errors, context } = await dataTab();
  const v2 = currentVersion(page);
  assert.equal(await v2.getAttribute('data-number'), '2');
  assert.equal(await v2.getAttribute('data-mine'), '');
  assert.match(await v2.getByTestId('answer-cta').innerText(), /^New version: please answer\. Your answer to version 1 does not carry over/);
  assert.equal(await card(page).locator('[data-testid=agreement-version][data-number="1"]').getAttribute('data-mine'), 'opted-in');
  assert.match(await page.getByTestId('tab-data').innerText(), /My data\s*1/, 'the tab counts what waits for an answer');

  await v2.getByTestId('opt-in').click();
  await card(page).locator('[data-testid=agreement-version][data-current=true][data-mine=opted-in]').waitFor();
  assert.match(await v2.getByTestId('answer-result').innerText(), /You opted in to version 2, until /);
  assert.equal(await v2.getByTestId('answer-cta').count(), 0);
  assert.equal(await v2.getByTestId('version-mine').innerText(), 'You opted in');
  assert.equal(await v2.getByTestId('opt-in').count(), 0);
  assert.equal(await page.getByTestId('tab-data').innerText(), 'My data');
  const sent = await page.evaluate(() => window.__fake.consents.at(-1));
  assert.deepEqual([sent.event, sent.categories, sent.items, sent.purposes], ['grant', ['all'], [], []]);
  const log = page.getByTestId('consent-log-row').first();
  assert.deepEqual([await log.getAttribute('data-event'), await log.getAttribute('data-status')], ['grant', 'ConsentGiven']);
  assert.match(await log.innerText(), /All your items, now and later/);

  const detail = await openItem(page, 'Soil photos');
  assert.equal(await detail.locator('[data-testid=purpose-row][data-allowed=true]').count(), 3);
  assert.equal(await detail.locator('[data-testid=purpose-row][data-allowed=false]').count(), 0);

  // A second grant under version 2 (one item, one purpose): withdrawing the
  // version ends both, in one call.
  await page.evaluate(async (id) => {
    const soil = window.__fake.items.find((x) => x.title === 'Soil photos');
    await window.go.app.App.GrantConsent({ version: id, items: [soil.id], purposes: ['ai:ModelTraining'], categories: [], recipients: [], validUntil: '', reason: '' });
  }, await v2.getAttribute('data-version'));
  // Withdrawn, the version is not "new" again: no call to answer, no count on the tab.
  await v2.getByTestId('withdraw-consent').click();
  await detail.locator('[data-testid=purpose-row][data-allowed=false][data-status=ConsentWithdrawn]').nth(2).waitFor();
  assert.equal(await v2.getAttribute('data-mine'), 'withdrawn');
  assert.equal(await v2.getByTestId('version-mine').innerText(), 'You withdrew consent');
  assert.equal(await v2.getByTestId('answer-cta').count(), 0);
  assert.equal(await page.getByTestId('tab-data').innerText(), 'My data');
  assert.match(await v2.getByTestId('answer-state').innerText(), /^You withdrew your consent just now\.$/);
  assert.equal(await v2.getByTestId('opt-in').count(), 1, 'one may opt in again');
  assert.deepEqual([await fakeCalls(page, 'WithdrawVersion'), await fakeCalls(page, 'WithdrawConsent')], [1, 0]);
  assert.deepEqual(
    await page.getByTestId('consent-log-row').evaluateAll((rs) => rs.slice(0, 3).map((r) => r.dataset.event)),
    ['withdraw', 'withdraw', 'grant'],
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test('my data: withdraw an opt-in, opt out of a version, and see both in the log', opts, async () => {
  const { page, errors, context } = await dataTab();
  // Version 1 (no longer current) still has your opt-in: withdraw it.
  const v1 = card(page).locator('[data-testid=agreement-version][data-number="1"]');
  await card(page).locator('details.old-version > summary').click();
  await v1.getByTestId('answer-reason').fill('Changed my mind');
  await v1.getByTestId('withdraw-consent').click();
  // As the node says it: the answer is now "withdrawn", not "never answered".
  await card(page).locator('[data-testid=agreement-version][data-number="1"][data-mine=withdrawn]').waitFor();
  assert.equal(await v1.getByTestId('version-mine').innerText(), 'You withdrew consent');
  assert.match(await card(page).locator('details.old-version > summary').innerText(), /Version 1, adopted .+ · You withdrew consent/);
  let log = page.getByTestId('consent-log-row').first();
  assert.deepEqual([await log.getAttribute('data-event'), await log.getAttribute('data-status')], ['withdraw', 'ConsentWithdrawn']);
  assert.match(await log.innerText(), /Withdrew consent[\s\S]*“Changed my mind”[\s\S]*version 1/);
  assert.equal(await v1.getByTestId('withdraw-consent').count(), 0);
  const withdrawn = await page.evaluate(() => window.__fake.consents.at(-1));
  assert.equal(withdrawn.withdraws, await page.evaluate(() => window.__fake.consents[0].id), 'it ends the opt-in');

  // Version 2: opt out.
  const v2 = currentVersion(page);
  await v2.getByTestId('answer-reason').fill('Not for AI training');
  await v2.getByTestId('opt-out').click();
  await card(page).locator('[data-testid=agreement-version][data-current=true][data-mine=opted-out]').waitFor();
  log = page.getByTestId('consent-log-row').first();
  assert.deepEqual([await log.getAttribute('data-event'), await log.getAttribute('data-status')], ['refuse', 'ConsentRefused']);
  assert.match(await v2.getByTestId('answer-state').innerText(), /^You opted out just now — “Not for AI training”\.$/);
  assert.equal(await v2.getByTestId('opt-out').count(), 0, 'already out');
  assert.equal(await v2.getByTestId('opt-in').count(), 1, 'one may still opt in');
  const detail = await openItem(page, 'Harvest notes 2024');
  assert.deepEqual(
    await detail.getByTestId('purpose-row').evaluateAll((rs) => rs.map((r) => `${r.dataset.allowed}/${r.dataset.status}`)),
    ['false/ConsentRefused', 'false/ConsentRefused', 'false/ConsentRefused'],
  );
  assert.match(await detail.getByTestId('purpose-status').first().innerText(), /^You said no/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('my data: an opt-in whose time ran out says it expired, and asks nothing', opts, async () => {
  const { page, errors, context } = await dataTab('&consent=expired');
  const v1 = card(page).locator('[data-testid=agreement-version][data-number="1"]');
  assert.equal(await v1.getAttribute('data-mine'), 'expired');
  assert.match(await card(page).locator('details.old-version > summary').innerText(), /Version 1, adopted .+ · Your consent expired/);
  await card(page).locator('details.old-version > summary').click();
  assert.equal(await v1.getByTestId('version-mine').innerText(), 'Your consent expired');
  assert.match(await v1.getByTestId('answer-state').innerText(), /^Your consent expired on .+\.$/);
  assert.equal(await v1.getByTestId('withdraw-consent').count(), 0, 'nothing in force to withdraw');
  assert.equal(await v1.getByTestId('answer-cta').count(), 0, 'an old version asks nothing');
  assert.match(await page.getByTestId('tab-data').innerText(), /^My data\s*1\b/, 'only version 2 waits for an answer');
  assert.deepEqual(errors, []);
  await context.close();
});

test('my data: what changed in version 2 shows the added purpose', opts, async () => {
  const { page, errors, context } = await dataTab();
  const v2 = currentVersion(page);
  const changes = v2.getByTestId('version-changes');
  assert.match(await changes.locator('h6').innerText(), /What changed since version 1/);
  assert.deepEqual(await changes.getByTestId('version-terms').locator('li').allInnerTexts(), ['Adds the purpose AI model training (ai:ModelTraining)']);
  const added = await changes.locator('[data-op=add]').allTextContents();
  const removed = await changes.locator('[data-op=del]').allTextContents();
  assert.ok(added.some((l) => /^\+ Added: 3\. Licensees may also train AI models/.test(l)), JSON.stringify(added));
  assert.ok(removed.some((l) => /^- Removed: 3\. Each member receives a share/.test(l)), JSON.stringify(removed));
  assert.ok(await changes.locator('.diff-add').first().evaluate((e) => getComputedStyle(e).backgroundColor !== 'rgba(0, 0, 0, 0)'), 'added lines are marked');
  assert.match(await v2.getByTestId('version-purposes').innerText(), /AI model training ai:ModelTraining/);
  assert.match(await v2.innerText(), /Your share\s+50% of a standard license, 75% of an extended one/);
  assert.match(await v2.innerText(), /Kept for\s+3 years P3Y/);
  assert.equal(await card(page).locator('[data-testid=agreement-version][data-number="1"]').getByTestId('version-changes').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('my data: a consent event’s details show its ISO/IEC TS 27560 record', opts, async () => {
  const { page, errors, context } = await dataTab();
  const rows = page.getByTestId('consent-log-row');
  assert.deepEqual(await rows.evaluateAll((rs) => rs.map((r) => `${r.dataset.event}/${r.dataset.status}`)), [
    'withdraw/ConsentWithdrawn',
    'grant/ConsentGiven',
    'grant/ConsentGiven',
  ]);
  // The withdrawal shows what stopped: the ended grant's purposes, items and recipients.
  const withdrawal = rows.nth(0);
  assert.match(await withdrawal.innerText(), /Withdrew consent[\s\S]*“The photos show the neighbours’ field”[\s\S]*Commercial research[\s\S]*Soil photos/);
  assert.equal(await withdrawal.getByTestId('consent-log-recipients').innerText(), 'members, research partners');
  const row = rows.nth(2);
  const button = row.getByTestId('consent-details');
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  await button.click();
  const doc = page.getByTestId('consent-document');
  await doc.waitFor();
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  const record = JSON.parse(await doc.innerText());
  assert.equal(record.schema_version, 'ISO/IEC TS 27560:2023');
  assert.equal(record.receipt_id, await row.getAttribute('data-id'));
  assert.equal(record.status, 'dpv:ConsentGiven');
  assert.deepEqual(record.purposes, ['dpv:ResearchAndDevelopment', 'dpv:AcademicResearch']);
  assert.match(await page.getByTestId('consent-detail').innerText(), /Receipt\s+[0-9a-f]{64}[\s\S]*Record\s+[0-9a-f]{64}/);
  await button.click();
  assert.equal(await page.getByTestId('consent-document').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('my data: an agreement proposal is composed, submitted, and once adopted asks again', opts, async () => {
  const { page, errors, context } = await proposalsTab();
  await page.getByTestId('new-proposal').click();
  await page.getByTestId('np-kind').selectOption('agreement');
  const methods = await page.getByTestId('np-method').locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(methods, ['consent', 'consensus', 'majority']);
  await page.getByTestId('np-agreement-purpose').first().waitFor();
  await page.getByTestId('np-agreement-replaces').selectOption({ label: `The next version of ${AGREEMENT} (replaces version 2)` });
  // It starts from version 2's terms.
  assert.equal(await page.getByTestId('np-agreement-title').inputValue(), AGREEMENT);
  assert.match(await page.getByTestId('np-agreement-text').inputValue(), /3\. Licensees may also train AI models/);
  assert.deepEqual(
    await page.locator('[data-testid=np-agreement-purpose]:checked').evaluateAll((es) => es.map((e) => e.dataset.purpose)),
    ['ResearchAndDevelopment', 'AcademicResearch', 'ai:ModelTraining'],
  );
  assert.equal(await page.getByTestId('np-agreement-recipients').inputValue(), 'members, research partners');
  assert.equal(await page.getByTestId('np-agreement-standard').inputValue(), '1/2');

  await page.getByTestId('np-title').fill('Data agreement, version 3: statistics');
  await page.getByTestId('np-agreement-retention').fill('three years');
  await page.getByTestId('np-submit').click();
  assert.match(await page.getByTestId('new-proposal-form').getByTestId('error').innerText(), /ISO 8601 duration/);
  await page.getByTestId('np-agreement-retention').fill('P18M');
  assert.match(await page.locator('#np-agreement-retention-hint').innerText(), /18 months/);
  await page.locator('[data-testid=np-agreement-purpose][data-purpose=PublicBenefit]').check();
  await page.getByTestId('np-agreement-recipients').fill('members, research partners, statistics office');
  await page.getByTestId('np-submit').click();

  await page.locator('[data-testid=proposal-title]', { hasText: 'Data agreement, version 3: statistics' }).waitFor();
  const subject = page.getByTestId('proposal-subject');
  await subject.locator('summary', { hasText: `replacing version 2 of ${AGREEMENT}` }).waitFor();
  assert.match(await subject.getByTestId('proposal-agreement-purposes').innerText(), /Public benefit \(PublicBenefit\)/);
  assert.match(await subject.innerText(), /Kept for: 18 months P18M/);
  const sent = await page.evaluate(() => ({ p: window.__fake.proposals[0], v2: window.__fake.agreements[0].versions[1].id }));
  assert.equal(sent.p.kind, 'agreement');
  assert.deepEqual(sent.p.agreement, {
    replaces: sent.v2, title: AGREEMENT, text: sent.p.agreement.text, purposes: ['ResearchAndDevelopment', 'AcademicResearch', 'ai:ModelTraining', 'PublicBenefit'],
    recipients: ['members', 'research partners', 'statistics office'], standard: '1/2', extended: '3/4', retention: 'P18M', jurisdiction: 'EU', language: 'en',
  });

  // Once it passes, version 3 is current, and nobody's consent carries over.
  await page.evaluate((id) => {
    window.__fake.castAs('Ada Lovelace', id, { position: 'yes' });
    window.__fake.castAs('Grace Hopper', id, { position: 'yes' });
    window.__fake.endVoting(id);
  }, sent.p.id);
  await page.getByTestId('close-proposal').click({ timeout: 10_000 });
  await page.locator('[data-testid=effect]', { hasText: `adopted version 3 of ${AGREEMENT}` }).waitFor();
  await page.getByTestId('tab-data').click();
  const v3 = currentVersion(page);
  await card(page).locator('[data-testid=agreement-version][data-current=true][data-number="3"]').waitFor({ timeout: 10_000 });
  assert.equal(await v3.getAttribute('data-mine'), '');
  assert.match(await v3.getByTestId('answer-cta').innerText(), /New version: please answer/);
  assert.deepEqual(await v3.getByTestId('version-terms').locator('li').allInnerTexts(), [
    'Adds the purpose Public benefit (PublicBenefit)',
    'Adds the recipient statistics office',
    'Kept for P3Y → P18M',
  ]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('my data: in the window, files come by drop and dialog, with progress, and export to a path', opts, async () => {
  const { page, errors, context } = await dataTab('&window=1&uploadms=1200');
  assert.equal(await page.getByTestId('data-file-input').count(), 0, 'no browser file input in the window');
  assert.match(await page.getByTestId('data-drop').innerText(), /Drop files anywhere on this window/);
  assert.ok(await page.evaluate(() => window.__fake.dropFiles(['/home/ada/Desktop/bees.csv'])), 'the tab listens for drops');
  const bar = page.locator('[data-testid=upload-progress][data-name="bees.csv"]');
  await bar.waitFor();
  await page.waitForFunction(() => {
    const v = Number(document.querySelector('[data-testid=upload-progress][data-name="bees.csv"]')?.getAttribute('aria-valuenow'));
    return v > 0 && v < 100;
  });
  await itemRow(page, 'bees.csv').waitFor();
  assert.equal(await bar.getAttribute('aria-valuenow'), '100');
  assert.ok((await fakeCalls(page, 'Transfers')) >= 2, 'progress came from Transfers()');

  // Two files of one name from two folders, and a third: two at a time,
  // two bars for the two hive.csv, each following its own file (its own size).
  const hives = ['/home/ada/north/hive.csv', '/home/ada/south/hive.csv'];
  await page.evaluate((ps) => window.__fake.dropFiles([...ps, '/home/ada/wax.csv']), hives);
  const hiveBars = page.locator('[data-testid=upload-progress][data-name="hive.csv"]');
  await page.waitForFunction(() => {
    const bars = [...document.querySelectorAll('[data-testid=upload-progress][data-name="hive.csv"]')];
    return bars.length === 2 && bars.every((b) => Number(b.getAttribute('aria-valuenow')) > 0 && Number(b.getAttribute('aria-valuenow')) < 100);
  });
  assert.equal(await hiveBars.count(), 2);
  // Part way, each bar's total is its own file's, as Transfers() gave it.
  const during = Object.fromEntries(
    await page.locator('[data-testid=upload-row][data-name="hive.csv"]').evaluateAll((rs) => rs.map((r) => [r.dataset.source, Number(r.dataset.total)])),
  );
  assert.equal(await page.locator('[data-testid=upload-row][data-name="wax.csv"]').getAttribute('data-state'), 'queued', 'the third waits');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=upload-row]')].every((r) => r.dataset.state === 'done'));
  const sizes = await page.evaluate(() => Object.fromEntries(window.__fake.transfers.map((t) => [t.source, t.total])));
  assert.notEqual(sizes[hives[0]], sizes[hives[1]]);
  assert.deepEqual(during, { [hives[0]]: sizes[hives[0]], [hives[1]]: sizes[hives[1]] }, 'each bar follows its own transfer');
  assert.equal(await itemRow(page, 'hive.csv').count(), 2);
  assert.equal((await page.evaluate(() => window.__fake.atOnce)).maxAdds, 2);

  await page.getByTestId('data-tags').fill('orchard');
  await page.getByTestId('data-pick').click();
  await itemRow(page, 'orchard.jpg').waitFor({ timeout: 10_000 });
  await itemRow(page, 'orchard-survey.csv').waitFor();
  assert.match(await itemRow(page, 'orchard.jpg').innerText(), /image\/jpeg[\s\S]*orchard/);
  // A file Go cannot read says why.
  await page.evaluate(() => window.__fake.dropFiles(['/home/ada/missing.csv']));
  const failed = page.locator('[data-testid=upload-row][data-name="missing.csv"][data-state=failed]');
  await failed.waitFor();
  assert.match(await failed.getByTestId('error').innerText(), /no such file or directory/);

  const detail = await openItem(page, 'Harvest notes 2024');
  assert.equal(await detail.getByTestId('item-download').count(), 0);
  await detail.getByTestId('item-export-path').fill('/media/usb/harvest.csv');
  await detail.getByTestId('item-export').click();
  assert.match(await detail.getByTestId('item-export-result').innerText(), /^Wrote 18 kB to \/media\/usb\/harvest\.csv\.$/);
  // The window does not add dropped files while an item is open.
  assert.equal(await page.evaluate(() => window.__fake.dropFiles(['/home/ada/x.csv'])), false);
  assert.deepEqual(errors, []);
  await context.close();
});

test('my data: remove an item, and count consent across the co-op', opts, async () => {
  const { page, errors, context } = await dataTab();
  const detail = await openItem(page, 'Soil photos');
  assert.equal(await detail.getByTestId('item-download').getAttribute('href'), `/vault/items/${await detail.getAttribute('data-item-id')}`);
  await detail.getByTestId('item-remove').click();
  await detail.getByTestId('item-remove-reason').fill('Duplicate');
  await detail.getByTestId('item-remove-confirm').click();
  await page.locator('[data-testid=data-notice]', { hasText: 'Removed “Soil photos” from your vault.' }).waitFor();
  assert.equal(await page.getByTestId('item-detail').count(), 0);
  assert.equal(await page.getByTestId('data-item-row').count(), 1);

  await page.getByTestId('coop-purpose').selectOption('ResearchAndDevelopment');
  await page.getByTestId('coop-recipient').fill('research partners');
  await page.getByTestId('coop-query').click();
  const result = page.getByTestId('coop-result');
  await result.waitFor();
  assert.equal(await result.getAttribute('data-members'), '3');
  assert.equal(await result.getAttribute('data-receipts'), '3');
  assert.match(await result.innerText(), /For Research and development by research partners, now: 3 members consented, naming 2 items, through 3 grants in force \(2 grants under Community data agreement, version 1; 1 grant under Community data agreement, version 2\)\. Counted in 0\.42ms\./);
  assert.deepEqual(errors, []);
  await context.close();
});
