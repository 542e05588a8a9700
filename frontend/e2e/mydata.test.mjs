// The My data tab in a real Chromium against ONE real `coopnode serve`. The
// Go side founds a co-op, adopts a data agreement (a proposal of kind
// "agreement", closed), starts serve, and runs this file with:
//
//   COOPNODE_URL          the link serve printed (with ?token=)
//   COOPNODE_FLOW=mydata
//   COOPNODE_AGREEMENT    the adopted agreement's exact title
//   COOPNODE_FILE         absolute path of a file to upload
//   [COOPNODE_SCREENSHOT_DIR=dir] [CHROMIUM=/usr/bin/chromium]
//
//   node --test --test-reporter=tap frontend/e2e/mydata.test.mjs
//
// The flow: open My data; upload COOPNODE_FILE through the file input and
// wait for its row (named by the file's SHA-256); opt in to the agreement's
// current version (mine becomes opted-in); open the item: every purpose of
// that version is allowed; withdraw the opt-in: the newest consent event is
// a ConsentWithdrawn, mine is "withdrawn" and the purposes are no longer
// allowed. At the end it prints one line for the Go test to check against
// `coopnode consent list`:
//
//   MYDATA item=<item id> withdrawn=<receipt id of the withdrawal>
//
// Without COOPNODE_URL and COOPNODE_FLOW=mydata it skips. With them, a
// missing Chromium is a failure, never a skip.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { realNodes } from './browser.helpers.mjs';

const nodes = realNodes({
  urls: ['COOPNODE_URL'],
  why: 'this flow needs a real `coopnode serve` with an adopted data agreement',
  flow: 'mydata',
  need: ['COOPNODE_AGREEMENT', 'COOPNODE_FILE'],
});
const { env, skip, shot } = nodes;
const [url] = nodes.urls;
const agreement = env.COOPNODE_AGREEMENT;
const file = env.COOPNODE_FILE;

before(() => {
  if (skip) return;
  assert.ok(isAbsolute(file), `COOPNODE_FILE must be an absolute path, not ${JSON.stringify(file)}`);
});

const timeout = 20_000;

async function mydataFlow() {
  const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
  const name = basename(file);
  // Every API or vault call that fails is reported (Chromium also logs each as a console error).
  const { page, errors, context, failed } = await nodes.open(url, { wait: 'ready', watch: ['/api/', '/vault/'] });
  try {

    // 1. The tab, with the adopted agreement waiting for an answer.
    await page.getByTestId('tab-data').click();
    await page.getByTestId('data-view').waitFor({ timeout });
    const card = page.locator(`[data-testid=agreement-card][data-title=${JSON.stringify(agreement)}]`);
    await card.first().waitFor({ timeout });
    assert.equal(await card.count(), 1, `one agreement titled ${JSON.stringify(agreement)}`);
    const current = card.locator('[data-testid=agreement-version][data-current=true]');
    await current.waitFor({ timeout });
    const version = await current.getAttribute('data-version');
    console.log(`agreement ${JSON.stringify(agreement)}: current version ${await current.getAttribute('data-number')} (${version}), mine=${JSON.stringify(await current.getAttribute('data-mine'))}`);
    assert.equal(await current.getAttribute('data-mine'), '', 'the member has not answered the new agreement yet');
    assert.ok(await current.getByTestId('answer-cta').isVisible(), 'the tab asks for an answer');
    await shot(page, 'mydata-1-tab.png');

    // 2. Upload the file through the file input; its row is named by its SHA-256.
    await page.getByTestId('data-file-input').setInputFiles(file);
    const upload = page.locator(`[data-testid=upload-row][data-name="${name}"]`);
    await upload.waitFor({ timeout });
    await page.locator(`[data-testid=upload-row][data-name="${name}"]:is([data-state=done], [data-state=failed])`).waitFor({ timeout: 60_000 });
    if ((await upload.getAttribute('data-state')) === 'failed') assert.fail(`the upload failed: ${await upload.innerText()}`);
    assert.equal(await upload.getByTestId('upload-progress').getAttribute('aria-valuenow'), '100');
    const row = page.locator(`[data-testid=data-item-row][data-item-id="${sha}"]`);
    await row.waitFor({ timeout });
    console.log(`uploaded ${name}: ${(await row.innerText()).replace(/\s+/g, ' ')}`);
    await shot(page, 'mydata-2-uploaded.png');

    // 3. Opt in to the current version.
    await current.getByTestId('opt-in').click();
    await card.locator(`[data-testid=agreement-version][data-version="${version}"][data-mine=opted-in]`).waitFor({ timeout });
    const granted = page.getByTestId('consent-log-row').first();
    await page.locator(`[data-testid=consent-log-row][data-event=grant]`).first().waitFor({ timeout });
    console.log(`opted in: ${await granted.getAttribute('data-id')} ${await granted.getAttribute('data-status')}`);
    await shot(page, 'mydata-3-opted-in.png');

    // 4. The item: every purpose of that version is allowed.
    await row.getByTestId('item-open').click();
    const detail = page.getByTestId('item-detail');
    await detail.waitFor({ timeout });
    const rows = detail.locator(`[data-testid=purpose-row][data-version="${version}"]`);
    await rows.first().waitFor({ timeout });
    await page.waitForFunction(
      (v) => {
        const rs = [...document.querySelectorAll(`[data-testid=purpose-row][data-version="${v}"]`)];
        return rs.length > 0 && rs.every((r) => r.getAttribute('data-allowed') === 'true');
      },
      version,
      { timeout },
    );
    const purposes = await rows.evaluateAll((rs) => rs.map((r) => `${r.dataset.purpose}=${r.dataset.allowed}/${r.dataset.status}`));
    console.log(`purposes after opting in: ${purposes.join(', ')}`);
    await shot(page, 'mydata-4-item-allowed.png');

    // 5. Withdraw the opt-in: the newest event is the withdrawal, and nothing is allowed.
    await current.getByTestId('withdraw-consent').click();
    const newest = page.getByTestId('consent-log-row').first();
    await page.locator('[data-testid=consent-log-row]:first-child[data-status=ConsentWithdrawn]').waitFor({ timeout });
    assert.equal(await newest.getAttribute('data-event'), 'withdraw');
    const withdrawn = await newest.getAttribute('data-id');
    // It shows what stopped: the opt-in's recipients (the version's), not "all of the version".
    const recipients = await current.locator('.fact', { hasText: 'Who may use it' }).locator('dd').innerText();
    assert.equal(await newest.getByTestId('consent-log-recipients').innerText(), recipients);
    console.log(`withdrawal: ${(await newest.innerText()).replace(/\s+/g, ' ')}`);
    await page.waitForFunction(
      (v) => {
        const rs = [...document.querySelectorAll(`[data-testid=purpose-row][data-version="${v}"]`)];
        return rs.length > 0 && rs.every((r) => r.getAttribute('data-allowed') === 'false');
      },
      version,
      { timeout },
    );
    // The node names the answer: withdrawn, not "never answered".
    await card.locator(`[data-testid=agreement-version][data-version="${version}"][data-mine=withdrawn]`).waitFor({ timeout });
    console.log(`purposes after withdrawing: ${(await rows.evaluateAll((rs) => rs.map((r) => `${r.dataset.purpose}=${r.dataset.allowed}/${r.dataset.status}`))).join(', ')}`);
    await shot(page, 'mydata-5-withdrawn.png');

    assert.deepEqual(failed.map((f) => `${f.path} answered HTTP ${f.status}`), [], 'no failed API or vault calls');
    assert.deepEqual(errors, [], 'no console or page errors');
    console.log(`MYDATA item=${sha} withdrawn=${withdrawn}`);
  } finally {
    await context.close();
  }
}

if (skip) {
  test('mydata: upload, opt in, withdraw against a real node', { skip }, () => {});
} else {
  test('mydata: upload a file, opt in to the agreement, see the item allowed, withdraw', { timeout: 180_000 }, mydataFlow);
}
