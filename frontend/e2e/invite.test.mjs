// Invite, join and admit in a real Chromium on two real `coopnode serve`
// processes, with no fake anywhere. The Go side, app/e2e_invite_test.go
// (TestBrowserInvite), founds a co-op in home A from the CLI and serves it;
// home B is empty and served without a passphrase, so only the browser can
// make it join. It runs this file with:
//
//   COOPNODE_URL_A, COOPNODE_URL_B   the links each serve printed (with ?token=)
//   COOPNODE_FLOW=invite
//   COOPNODE_EXPECT_COOP             the co-op's name
//   COOPNODE_EXPECT_MEMBER           A's member (the founder)
//   COOPNODE_JOIN_NAME               the name B joins with
//   COOPNODE_PASSPHRASE_UI           the passphrase B chooses
//   [COOPNODE_SCREENSHOT_DIR=dir] [CHROMIUM=/usr/bin/chromium]
//
// The flow: A's page opens Peers (no peers yet: it points to Members), then
// Members, and makes an invite (text and QR code). B's page first pastes a
// mistyped copy of it and is told what is wrong, then the invite itself, and
// shows the joining state with its request ID. A's page sees that request
// (same ID) under Requests to join, and its invite box now says the invite
// was used by B (text and code gone); it admits the request, the box says B
// is a member, and a new invite is another text. B's page then opens the
// co-op by itself; both list both members, see each other as connected
// peers and show the same state digest. It prints REQUEST=<id> and
// DIGEST=<digest> for the Go side to check against the CLI.
//
// Without the URLs it skips: the flow means nothing without real nodes. With
// them, a missing Chromium is a failure, never a skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertOnlyExpectedErrors, expectFocus, realNodes } from './browser.helpers.mjs';

const nodes = realNodes({
  urls: ['COOPNODE_URL_A', 'COOPNODE_URL_B'],
  why: 'this flow needs two real `coopnode serve` homes (go test -tags e2e -run TestBrowserInvite ./app runs it)',
  flow: 'invite',
  need: ['COOPNODE_EXPECT_COOP', 'COOPNODE_EXPECT_MEMBER', 'COOPNODE_JOIN_NAME', 'COOPNODE_PASSPHRASE_UI'],
});
const { env, skip, shot } = nodes;
const [urlA, urlB] = nodes.urls;
const coop = env.COOPNODE_EXPECT_COOP;
const founder = env.COOPNODE_EXPECT_MEMBER;
const joiner = env.COOPNODE_JOIN_NAME;
const passphrase = env.COOPNODE_PASSPHRASE_UI;

// A page on one node, showing its state, that records failed API calls and console errors.
const open = (url, who) => nodes.open(url, { who, wait: 'state' });

const stateOf = (page) => page.getAttribute('[data-testid=state]', 'data-state');

// Polls check (which returns a description of what is still wrong, or '')
// until it returns '' or timeout ms have passed; then fails with the last
// description.
async function until(timeout, what, check) {
  const end = Date.now() + timeout;
  let last = '';
  for (;;) {
    last = await check();
    if (!last) return;
    if (Date.now() >= end) assert.fail(`${what}: not within ${timeout / 1000} s: ${last}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function memberNames(page) {
  await page.getByTestId('tab-members').click();
  return page.getByTestId('member-row').locator('.member-name').allTextContents();
}

// The QR code is an image that loaded, is square and not tiny, and has both
// dark and light modules in reasonable measure (not blank, not all black).
async function checkQR(page) {
  const qr = page.getByTestId('invite-qr');
  await qr.waitFor({ timeout: 10_000 });
  assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/png;base64,[A-Za-z0-9+/]{200,}={0,2}$/);
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-testid=invite-qr]');
    return img?.complete && img.naturalWidth > 0;
  }, null, { timeout: 10_000 });
  const px = await qr.evaluate((img) => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let dark = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < 384) dark++;
    return { w: c.width, h: c.height, dark: dark / (d.length / 4), shown: img.getBoundingClientRect().width };
  });
  console.log(`QR code: ${JSON.stringify(px)}`);
  assert.ok(px.w >= 100 && px.w === px.h, `QR image is square and not tiny: ${px.w}x${px.h}`);
  assert.ok(px.dark > 0.2 && px.dark < 0.8, `QR image has dark and light modules: ${px.dark}`);
  assert.ok(px.shown >= 100, `QR image is shown at a usable size: ${px.shown}px`);
  assert.ok(await qr.isVisible(), 'QR image is visible');
}

// Alters one character in the middle of the invite to another base32 letter:
// a typo its checksum catches.
function mistype(invite) {
  const i = Math.floor(invite.length / 2);
  const c = invite[i] === 'Q' ? 'R' : 'Q';
  return invite.slice(0, i) + c + invite.slice(i + 1);
}

async function fillJoinForm(page, invite) {
  await page.getByTestId('join-invite').fill(invite);
  await page.getByTestId('join-name').fill(joiner);
  await page.getByTestId('join-passphrase').fill(passphrase);
  await page.getByTestId('join-passphrase2').fill(passphrase);
  await page.getByTestId('join-submit').click();
}

async function inviteFlow() {
  const a = await open(urlA, 'A');
  const b = await open(urlB, 'B');
  try {
    // A: a ready co-op with only its founder, and no peers yet.
    await a.page.locator('[data-testid=coop-name]', { hasText: coop }).waitFor({ timeout: 20_000 });
    assert.equal(await stateOf(a.page), 'ready');
    await a.page.getByTestId('tab-peers').click();
    await a.page.getByTestId('peers-view').waitFor({ timeout: 10_000 });
    await a.page.getByTestId('network-peer-id').waitFor({ timeout: 10_000 });
    // The Peers view has no invite of its own: it sends you to Members.
    await a.page.getByText('No peers yet.').waitFor({ timeout: 20_000 });
    assert.match(await a.page.getByTestId('peers-view').innerText(), /invite someone from the Members tab/);
    await shot(a.page, 'invite-1-a-peers.png');

    assert.deepEqual(await memberNames(a.page), [founder]);
    assert.equal(await a.page.getByTestId('request-row').count(), 0, 'no requests to join yet');
    await a.page.getByTestId('invite-button').click();
    await a.page.getByTestId('invite-result').waitFor({ timeout: 20_000 });
    await checkQR(a.page);
    const invite = await a.page.getByTestId('invite-text').inputValue();
    assert.match(invite, /^COOPNODE1[A-Z2-7]{50,}$/, 'the invite text');
    assert.match((await a.page.getByTestId('invite-expires').locator('time').getAttribute('datetime')) ?? '', /^\d{4}-\d\d-\d\dT/);
    await shot(a.page, 'invite-2-a-invite.png');

    // B: an empty home, the start screen.
    await b.page.getByTestId('init-name').waitFor({ timeout: 20_000 });
    assert.equal(await stateOf(b.page), 'uninitialized');
    await expectFocus(b.page, 'init-name');

    // A mistyped invite is refused, saying what is wrong; nothing is created.
    await fillJoinForm(b.page, mistype(invite));
    const error = b.page.getByTestId('error');
    await error.waitFor({ timeout: 20_000 });
    const said = await error.innerText();
    console.log(`a mistyped invite says: ${JSON.stringify(said)}`);
    assert.match(said, /not a valid coopnode invite/);
    assert.match(said, /checksum does not match \(mistyped or altered\); copy it again/);
    assert.equal(await stateOf(b.page), 'uninitialized', 'still no co-op in B');
    assert.equal(await b.page.getByTestId('joining-state').count(), 0);
    assert.equal(await b.page.getByTestId('join-invite').inputValue(), mistype(invite), 'the pasted text stays to be corrected');
    await shot(b.page, 'invite-3-b-mistyped.png');

    // The invite itself: B asks to join and waits.
    await fillJoinForm(b.page, invite);
    await b.page.getByTestId('joining-state').waitFor({ timeout: 30_000 });
    assert.equal(await stateOf(b.page), 'joining');
    assert.equal(await b.page.getByTestId('joining-error').count(), 0, 'the request reached the inviter');
    assert.equal(await b.page.getByTestId('joining-coop').innerText(), coop);
    assert.match(await b.page.getByTestId('joining-message').innerText(), /request to join .* was received/);
    const request = (await b.page.getByTestId('join-request-id').innerText()).trim();
    assert.match(request, /^[0-9a-f]{64}$/, 'B shows its request ID');
    console.log(`REQUEST=${request}`);
    await shot(b.page, 'invite-4-b-joining.png');

    // A: the request shows up (the list polls) with the same ID; admit it.
    const row = a.page.getByTestId('request-row').filter({ hasText: joiner });
    await row.waitFor({ timeout: 30_000 });
    assert.equal(await a.page.getByTestId('request-row').count(), 1, 'only the real request reached A, not the mistyped one');
    assert.equal(await row.getByTestId('request-id').getAttribute('title'), request, 'A shows the request ID B shows');
    assert.equal(await row.getAttribute('data-admitted'), 'no');
    // The invite on A's screen is now used: said so, by whom, and no longer shown to give out.
    const used = a.page.getByTestId('invite-used');
    await used.waitFor({ timeout: 20_000 });
    assert.equal(await used.getAttribute('data-admitted'), 'no');
    assert.equal(await used.getByTestId('invite-used-by').innerText(), joiner);
    assert.match(await used.innerText(), /This invite has been used\..*their request waits under Requests to join/s);
    assert.equal(await a.page.getByTestId('invite-text').count(), 0, 'the used invite text is no longer shown');
    assert.equal(await a.page.getByTestId('invite-qr').count(), 0, 'nor its QR code');
    assert.equal(await a.page.getByTestId('invite-button').innerText(), 'Make a new invite');
    await shot(a.page, 'invite-5-a-request.png');
    await row.getByRole('button', { name: `Admit ${joiner}` }).click();
    await a.page.locator('[data-testid=admit-result]', { hasText: `${joiner} is now a member` }).waitFor({ timeout: 20_000 });
    await a.page.locator('[data-testid=request-row][data-admitted=yes]', { hasText: joiner }).waitFor({ timeout: 20_000 });
    await a.page.locator('[data-testid=invite-used][data-admitted=yes]').waitFor({ timeout: 20_000 });
    assert.match(await used.innerText(), new RegExp(`${joiner} asked to join with it on .* and is now a member\\.`));
    await shot(a.page, 'invite-5b-a-invite-used.png');
    // A fresh invite: another text, open to give out.
    await a.page.getByTestId('invite-button').click();
    await a.page.getByTestId('invite-result').waitFor({ timeout: 20_000 });
    const fresh = await a.page.getByTestId('invite-text').inputValue();
    assert.match(fresh, /^COOPNODE1[A-Z2-7]{50,}$/, 'the new invite text');
    assert.notEqual(fresh, invite, 'a new invite, not the used one');
    assert.equal(await a.page.getByTestId('invite-used').count(), 0, 'the new invite is not used');

    // B: leaves the joining state by itself and opens the co-op.
    await b.page.locator('[data-testid=coop-name]', { hasText: coop }).waitFor({ timeout: 60_000 });
    assert.equal(await stateOf(b.page), 'ready');
    assert.equal(await b.page.getByTestId('joining-state').count(), 0, 'B no longer shows the joining state');
    assert.equal(await b.page.title(), `${coop} — coopnode`);

    // Both list both members; each marks itself as "you".
    const want = [founder, joiner].sort();
    for (const n of [a, b]) {
      await until(20_000, `${n.who} listing both members`, async () => {
        const got = (await memberNames(n.page)).sort();
        return JSON.stringify(got) === JSON.stringify(want) ? '' : `lists ${JSON.stringify(got)}`;
      });
      const me = n === a ? founder : joiner;
      assert.match(await n.page.getByTestId('member-row').filter({ has: n.page.locator('.badge.you') }).innerText(), new RegExp(me));
    }
    await shot(a.page, 'invite-6-a-members.png');
    await shot(b.page, 'invite-7-b-members.png');

    // Peers (which keeps the status fresh): each sees the other, connected,
    // and both come to show the same state digest.
    for (const n of [a, b]) await n.page.getByTestId('tab-peers').click();
    for (const [n, other] of [[a, joiner], [b, founder]]) {
      await n.page.locator('[data-testid=peer-row][data-connected=yes]', { hasText: other }).waitFor({ timeout: 60_000 });
    }
    let digest = '';
    await until(60_000, 'the same state digest on both pages', async () => {
      const [da, db] = await Promise.all([a, b].map((n) => n.page.getAttribute('[data-testid=digest]', 'title')));
      digest = da;
      return /^[0-9a-f]{64}$/.test(da ?? '') && da === db ? '' : `A shows ${da}, B shows ${db}`;
    });
    console.log(`DIGEST=${digest}`);
    await shot(a.page, 'invite-8-a-peers.png');
    await shot(b.page, 'invite-9-b-peers.png');

    assertOnlyExpectedErrors(a.errors, a.failed, []);
    assertOnlyExpectedErrors(b.errors, b.failed, ['/api/Join']); // the mistyped invite (HTTP 400)
  } finally {
    await a.context.close();
    await b.context.close();
  }
}

if (skip) {
  test('invite: a member invites, a new home joins in the browser, the member admits', { skip }, () => {});
} else {
  test('invite: A invites, B joins with the invite (after a mistyped one), A admits, both show the same co-op', { timeout: 5 * 60_000 }, inviteFlow);
}
