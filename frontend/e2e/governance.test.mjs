// Voting in a real Chromium on two real nodes of one co-op. The Go side starts
// two `coopnode serve` homes that sync with each other, opens a majority
// proposal in home A (its author) from the CLI with a closing time shortly
// ahead, and runs this file with:
//
//   COOPNODE_URL_A, COOPNODE_URL_B   the links each serve printed (with ?token=)
//   COOPNODE_FLOW=govern
//   COOPNODE_TITLE                   the proposal's exact title
//   COOPNODE_EXPECT_OUTCOME          passed | failed | no-quorum … (A votes yes, B no)
//   [COOPNODE_ENDED_TIMEOUT_MS]      how long to wait for voting to end (default 90000)
//   [COOPNODE_BYLAWS_TITLE, COOPNODE_BYLAWS_CHANGES]  an open bylaws proposal in A, and
//                                    what B's page must list it changes: JSON
//                                    [[what, name, change, words shown], ...]
//   [COOPNODE_SCREENSHOT_DIR=dir] [CHROMIUM=/usr/bin/chromium]
//
// The flow: both pages open the Proposals tab and the proposal; A votes yes and
// B votes no through the form; both wait until they show 2 votes; once voting
// has ended A (the author) closes it; both then show the same outcome, which
// must be COOPNODE_EXPECT_OUTCOME. The proposal must stay open long enough
// for both votes (allow 30 s or more after the pages start).
//
// Without the URLs it skips: the flow means nothing without real nodes. With
// them, a missing Chromium is a failure, never a skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realNodes } from './browser.helpers.mjs';

const nodes = realNodes({
  urls: ['COOPNODE_URL_A', 'COOPNODE_URL_B'],
  why: 'this flow needs two real `coopnode serve` homes of one co-op',
  flow: 'govern',
  need: ['COOPNODE_TITLE', 'COOPNODE_EXPECT_OUTCOME'],
});
const { env, skip, shot } = nodes;
const [urlA, urlB] = nodes.urls;
const title = env.COOPNODE_TITLE;
const expectOutcome = env.COOPNODE_EXPECT_OUTCOME;
const endedTimeout = Number(env.COOPNODE_ENDED_TIMEOUT_MS || 90_000);
const bylawsTitle = env.COOPNODE_BYLAWS_TITLE;
const bylawsChanges = bylawsTitle ? JSON.parse(env.COOPNODE_BYLAWS_CHANGES || '[]') : [];

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// A page on one node, ready, that records failed API calls and console errors.
const open = (url, who) => nodes.open(url, { who, wait: 'ready' });

// Opens the Proposals tab and the proposal titled COOPNODE_TITLE (waiting for
// it to reach this node), from wherever the page is.
async function openProposal(n, timeout = 30_000, title = env.COOPNODE_TITLE) {
  const { page } = n;
  const back = page.getByTestId('proposals-back');
  if (await back.isVisible().catch(() => false)) await back.click();
  await page.getByRole('tab', { name: /Proposals/ }).click();
  await page.getByTestId('proposals-view').waitFor({ timeout: 20_000 });
  const link = page.getByTestId('proposal-open').filter({ hasText: new RegExp(`^${escapeRe(title)}$`) });
  await link.first().waitFor({ timeout }); // the list reloads every few seconds while shown
  await link.first().click();
  await page.locator('[data-testid=proposal-title]').filter({ hasText: new RegExp(`^${escapeRe(title)}$`) }).waitFor({ timeout: 20_000 });
}

// Waits for selector on the proposal's page, which polls; every 20 s the page
// is also reloaded and the proposal opened again, in case a poll was missed.
async function waitOnProposal(n, selector, timeout, what) {
  const end = Date.now() + timeout;
  for (;;) {
    const left = end - Date.now();
    try {
      await n.page.locator(selector).first().waitFor({ timeout: Math.max(1, Math.min(20_000, left)) });
      return;
    } catch (e) {
      if (Date.now() >= end) {
        const status = await n.page.getByTestId('proposal-status').getAttribute('data-status').catch(() => '?');
        const voted = await n.page.getByTestId('voted').innerText().catch(() => '?');
        throw new Error(`${n.who}: ${what} did not happen within ${timeout / 1000} s (status ${status}; ${voted})`, { cause: e });
      }
    }
    await n.page.reload();
    await n.page.getByTestId('coop-name').waitFor({ timeout: 20_000 });
    await openProposal(n);
  }
}

async function vote(n, position) {
  const { page } = n;
  const form = page.getByTestId('vote-form');
  try {
    await form.waitFor({ timeout: 10_000 });
  } catch {
    const status = await page.getByTestId('proposal-status').getAttribute('data-status').catch(() => '?');
    assert.fail(`${n.who} cannot vote (status ${status}): open the proposal with a closing time far enough ahead for both votes`);
  }
  await page.getByTestId(`position-${position}`).check();
  await page.getByTestId('vote-submit').click();
  const label = position[0].toUpperCase() + position.slice(1);
  await page.locator('[data-testid=my-vote]', { hasText: `Your vote: ${label}` }).waitFor({ timeout: 20_000 });
}

async function outcomeOf(n) {
  const o = n.page.getByTestId('outcome');
  return { outcome: await o.getAttribute('data-outcome'), text: await o.innerText() };
}

async function governFlow() {
  const a = await open(urlA, 'A');
  const b = await open(urlB, 'B');
  try {
    await openProposal(a);
    await openProposal(b);
    assert.equal(await a.page.getByTestId('rule-method').innerText().then((t) => /^Majority vote\./.test(t)), true, 'a majority proposal');

    await vote(a, 'yes');
    await vote(b, 'no');
    await waitOnProposal(a, '[data-testid=voted][data-voted="2"]', 60_000, 'both votes reaching A');
    await waitOnProposal(b, '[data-testid=voted][data-voted="2"]', 60_000, 'both votes reaching B');
    await shot(a.page, 'govern-1-a-voted.png');
    await shot(b.page, 'govern-2-b-voted.png');

    // Voting ends at the closing time; then the author (A) may close it.
    await waitOnProposal(a, '[data-testid=close-proposal]', endedTimeout, 'the end of voting (a close button in A)');
    assert.equal(await a.page.getByTestId('proposal-status').getAttribute('data-status'), 'ended');
    assert.match(await a.page.getByTestId('close-note').innerText(), /Voting has ended/);
    await a.page.getByTestId('close-proposal').click();
    await a.page.getByTestId('outcome').waitFor({ timeout: 20_000 });
    const fromA = await outcomeOf(a);
    console.log(`A shows: ${JSON.stringify(fromA)}`);
    assert.match(await a.page.getByTestId('closed-info').innerText(), /^Closed by /);
    await shot(a.page, 'govern-3-a-closed.png');

    // The close record reaches B by sync.
    await waitOnProposal(b, '[data-testid=outcome]', 30_000, 'the close reaching B');
    const fromB = await outcomeOf(b);
    console.log(`B shows: ${JSON.stringify(fromB)}`);
    await shot(b.page, 'govern-4-b-closed.png');

    assert.equal(fromA.outcome, expectOutcome, `A's outcome`);
    assert.equal(fromB.outcome, expectOutcome, `B's outcome`);
    assert.equal(fromB.text, fromA.text, 'both nodes say the same in words');
    assert.equal(await b.page.getByTestId('proposal-status').getAttribute('data-status'), 'closed');
    for (const n of [a, b]) {
      assert.equal(await n.page.getByTestId('ballot-row').count(), 2, `${n.who} lists both ballots`);
    }

    // The bylaws proposal A opened lists, in B's page, what it changes.
    if (bylawsTitle) {
      await openProposal(b, 30_000, bylawsTitle);
      const changes = b.page.getByTestId('bylaws-change');
      await changes.first().waitFor({ timeout: 20_000 });
      const rows = await changes.evaluateAll((ls) => ls.map((l) => [l.dataset.what, l.dataset.name, l.dataset.change, l.textContent.replace(/\s+/g, ' ')]));
      assert.deepEqual(rows.map((r) => r.slice(0, 3)), bylawsChanges.map((c) => c.slice(0, 3)), 'the changes B lists');
      rows.forEach((r, i) => assert.ok(r[3].includes(bylawsChanges[i][3]), `change ${i + 1} shows ${JSON.stringify(bylawsChanges[i][3])}: ${r[3]}`));
      await shot(b.page, 'govern-5-b-bylaws.png');
    }

    for (const n of [a, b]) {
      assert.deepEqual(n.failed.map((f) => `${f.path} answered HTTP ${f.status}`), [], `${n.who}: no failed API calls`);
      assert.deepEqual(n.errors, [], `${n.who}: no console or page errors`);
    }
  } finally {
    await a.context.close();
    await b.context.close();
  }
}

if (skip) {
  test('govern: two members vote and close a proposal on two real nodes', { skip }, () => {});
} else {
  test('govern: A votes yes, B votes no, A closes, both show the same outcome', { timeout: 60_000 + 2 * 60_000 + endedTimeout + 60_000 }, governFlow);
}
