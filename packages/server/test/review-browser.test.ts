import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { eachStore, type TestEnv } from './harness.js';
import { CHROMIUM, CHROMIUM_ARGS, SHOTS, signInAt } from './web-browser.js';

/**
 * The case and customer pages as a first-time user met them, in Debian's Chromium: a case offers
 * only the workflow's next steps and picks its assignee from the colleagues who may work cases;
 * the customers' segment filter is a pick list that ignores case.
 */
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
const PASSWORD = 'correct horse battery';

let browser: Browser;
before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});
after(async () => browser?.close());

async function signedIn(env: TestEnv, email: string, path: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInAt(page, `${env.base}${path}`, email, PASSWORD);
  return { page, errors };
}

async function addUser(env: TestEnv, key: string, role: string, name: string) {
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const r = await env.api('POST', '/api/v1/users', key, { email, name, role, password: PASSWORD });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return email;
}

const buttons = (page: Page) =>
  page.locator('[data-testid=workflow] button').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-testid')));

eachStore('case and customer pages in a browser', (env) => {
  it('a case offers only its next steps and an assignee picked from the colleagues who work cases', {
    skip,
  }, async () => {
    const { key } = await env().newOrg();
    const agentEmail = await addUser(env(), key, 'agent', 'Kim Park');
    await addUser(env(), key, 'viewer', 'Vic Viewer');
    await addUser(env(), key, 'analyst', 'Ana Lyst');
    const c = await env().api('POST', '/api/v1/cases', key, { title: 'Parcel lost' });
    assert.equal(c.status, 201, JSON.stringify(c.body));

    const { page, errors } = await signedIn(env(), agentEmail, `/cases/${c.body.id}`);
    try {
      await page.waitForSelector('[data-testid=case-current-status][data-status=new]');
      // From New the workflow goes to In progress or Closed: nothing else is offered.
      assert.deepEqual(await buttons(page), ['to-in_progress', 'to-closed']);
      assert.match(
        (await page.textContent('[data-testid=workflow]')) ?? '',
        /Next steps from New: In progress, Closed/,
      );

      // The assignee is picked from the org's case workers (no viewer), never typed.
      await page.waitForSelector('[data-testid=case-assignee]:not([disabled])');
      assert.equal(await page.locator('input[data-testid=case-assignee]').count(), 0);
      const options = await page
        .locator('[data-testid=case-assignee] option')
        .evaluateAll((os) => os.map((o) => o.textContent));
      assert.deepEqual(options, ['Unassigned', 'Ana Lyst', 'Kim Park']);
      await page.selectOption('[data-testid=case-assignee]', 'Kim Park');
      await page.waitForFunction(
        `document.querySelector('[data-testid=case-assignee]')?.value === 'Kim Park' && /Assignee saved/.test(document.querySelector('[data-testid=workflow]')?.textContent ?? '')`,
      );
      assert.equal((await env().api('GET', `/api/v1/cases/${c.body.id}`, key)).body.assignee, 'Kim Park');

      await page.click('[data-testid=to-in_progress]');
      await page.waitForSelector('[data-testid=case-current-status][data-status=in_progress]');
      assert.deepEqual(await buttons(page), ['to-waiting', 'to-resolved', 'to-closed']);
      await page.click('[data-testid=to-resolved]');
      await page.waitForSelector('[data-testid=case-current-status][data-status=resolved]');
      assert.deepEqual(await buttons(page), ['to-in_progress', 'to-closed']);
      assert.equal(await page.textContent('[data-testid=to-in_progress]'), 'Reopen');
      assert.equal(await page.locator('[data-testid=case-error]').count(), 0, 'no refusal on the way');

      // Unassigning from the picker.
      await page.selectOption('[data-testid=case-assignee]', '');
      await page.waitForFunction(`document.querySelector('[data-testid=case-assignee]')?.value === ''`);
      await page.waitForSelector('[data-testid=case-assignee]:not([disabled])');
      assert.equal((await env().api('GET', `/api/v1/cases/${c.body.id}`, key)).body.assignee, null);
      await page.screenshot({ path: join(SHOTS, 'case-workflow-assignee.png'), fullPage: true });
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });

  it('the customers’ segment filter is a pick list of the org’s segments and ignores case', { skip }, async () => {
    const { key } = await env().newOrg();
    const adminEmail = await addUser(env(), key, 'admin', 'Ada');
    const sent = await env().api('POST', '/api/v1/customers', key, [
      { customer_email: 'a@x.io', name: 'Ann', segment: 'consumer' },
      { customer_email: 'b@x.io', name: 'Ben', segment: 'Consumer' },
      { customer_email: 'c@x.io', name: 'Cy', segment: 'smb' },
    ]);
    assert.ok(sent.status < 300, JSON.stringify(sent.body));
    const { page, errors } = await signedIn(env(), adminEmail, '/customers');
    const names = () =>
      page
        .locator('[data-testid=customers-table] tbody tr td:first-child')
        .evaluateAll((tds) => tds.map((t) => t.textContent).sort());
    try {
      await page.waitForSelector('select[data-testid=customer-segment]');
      const options = await page
        .locator('[data-testid=customer-segment] option')
        .evaluateAll((os) => os.map((o) => o.textContent));
      assert.deepEqual(options, ['Any', 'Consumer (2)', 'SMB (1)']);
      await page.selectOption('[data-testid=customer-segment]', 'consumer');
      await page.waitForFunction(`document.querySelectorAll('[data-testid=customers-table] tbody tr').length === 2`);
      assert.deepEqual(await names(), ['Ann', 'Ben']);

      // A link with the segment as the table shows it ("Consumer") finds the same customers.
      await page.goto(`${env().base}/customers?segment=Consumer`);
      await page.waitForSelector('[data-testid=customers-table]');
      assert.deepEqual(await names(), ['Ann', 'Ben']);
      assert.equal(await page.inputValue('[data-testid=customer-segment]'), 'consumer');
      await page.screenshot({ path: join(SHOTS, 'customers-segment.png'), fullPage: true });
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });
});
