import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { eachStore, type TestEnv } from './harness.js';
import { SURVEY } from './survey-helpers.js';
import { CHROMIUM, CHROMIUM_ARGS, SHOTS, signInAt } from './web-browser.js';

/**
 * Words and units as a new user read them, each on a small org of its own: the Overview's times
 * and their changes in one unit ("6 min, ▼ −1.4 min", not "6m, −84s") and a measure with no data
 * saying so; the digest saying what its counts count (cases still open today; of those, past their
 * SLA by the week's end); a survey answered only by link or widget has no response rate ("no
 * invitations sent", not "— 0 of 0 sent"); an overdue board card keeps its SLA line inside; forms'
 * submit buttons have the app's style; the case list's assignee filter picks a colleague; a
 * customer's timeline filtered to a kind they lack says so.
 */
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
const PASSWORD = 'correct horse battery';
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
const ymd = (t: number) => iso(t).slice(0, 10);

let browser: Browser;
before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});
after(async () => browser?.close());

async function adminPage(env: TestEnv, key: string, path: string): Promise<{ page: Page; errors: string[] }> {
  const email = `admin-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const u = await env.api('POST', '/api/v1/users', key, {
    email,
    name: 'Ada Admin',
    role: 'admin',
    password: PASSWORD,
  });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInAt(page, `${env.base}${path}`, email, PASSWORD);
  return { page, errors };
}

eachStore('units and digest words in a browser', (env) => {
  it('the Overview shows a time and its change in one unit', { skip }, async () => {
    const { key } = await env().newOrg();
    const now = Date.now();
    // Twelve tickets in each of two 30-day periods: first response 6 min now, 7.4 min before
    // (−84 s); resolved in 46.6 h now, 47.7 h before (−66 min).
    const tickets = (start: number, firstS: number, resolveS: number) =>
      Array.from({ length: 12 }, (_, i) => {
        const opened = start + (i + 1) * 2 * DAY;
        return {
          customer_email: `c${i}@example.com`,
          kind: 'ticket',
          touchpoint: 'support-chat',
          status: 'closed',
          opened_at: iso(opened),
          first_response_at: iso(opened + firstS * 1000),
          resolved_at: iso(opened + resolveS * 1000),
        };
      });
    const to = now - DAY;
    const from = to - 29 * DAY;
    const r = await env().api('POST', '/api/v1/interactions', key, [
      ...tickets(from - 30 * DAY, 444, 47.7 * 3600),
      ...tickets(from, 360, 46.6 * 3600),
    ]);
    assert.ok(r.status < 300, JSON.stringify(r.body));

    const { page, errors } = await adminPage(env(), key, `/?from=${ymd(from)}&to=${ymd(to)}`);
    try {
      const row = (id: string) => page.locator(`[data-testid=kpi-row-${id}]`);
      await page.waitForSelector('[data-testid=kpi-first_response_p50]');
      assert.equal(await page.textContent('[data-testid=kpi-first_response_p50]'), '6 min');
      assert.match((await row('first_response_p50').locator('.change').textContent()) ?? '', /^▼ −1\.4 min /);
      assert.equal(await page.textContent('[data-testid=kpi-resolution_p50]'), '46.6 h');
      assert.match((await row('resolution_p50').locator('.change').textContent()) ?? '', /^▼ −1\.1 h /);
      // A measure with nothing behind it says so, not "no previous data · n = 0 ⚠︎ small sample".
      assert.equal((await row('csat').locator('.meta').textContent())?.trim(), 'no data in this period');
      assert.equal(await row('csat').locator('.n').count(), 0);
      await page.screenshot({ path: join(SHOTS, 'units-overview.png') });
      // No answers to model: with a filter on, the way out names it.
      await page.goto(`${env().base}/?from=${ymd(from)}&to=${ymd(to)}&department=service`);
      await page.waitForSelector('[data-testid=fix-first-none]');
      assert.match(
        (await page.textContent('[data-testid=fix-first-none]')) ?? '',
        /Widen the date range or clear the filters\.$/,
      );
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });

  it('the digest says “still open” and “past SLA by” the week’s end, as the API counts them', { skip }, async () => {
    const { key } = await env().newOrg();
    // Opened now (this week): one with its SLA already passed, one due later (not overdue yet,
    // though due before the week's end), one closed.
    const late = await env().api('POST', '/api/v1/cases', key, {
      title: 'Refund never arrived',
      department: 'service',
      sla_due_at: iso(Date.now() - 3_600_000),
    });
    assert.equal(late.status, 201, JSON.stringify(late.body));
    const fine = await env().api('POST', '/api/v1/cases', key, {
      title: 'Question about an invoice',
      department: 'service',
    });
    assert.equal(fine.status, 201, JSON.stringify(fine.body));
    const done = await env().api('POST', '/api/v1/cases', key, { title: 'Closed at once', department: 'service' });
    assert.equal((await env().api('PATCH', `/api/v1/cases/${done.body.id}`, key, { status: 'closed' })).status, 200);

    const today = new Date();
    const monday = ymd(today.getTime() - ((today.getUTCDay() + 6) % 7) * DAY);
    const dg = await env().api('GET', `/api/v1/digest?week=${monday}`, key);
    const service = dg.body.departments.find((d: { department: string }) => d.department === 'service');
    assert.equal(service.cases_opened, 3);
    assert.equal(service.unresolved.count, 2);
    assert.equal(service.unresolved.overdue, 1);

    const { page, errors } = await adminPage(env(), key, `/digest?week=${monday}`);
    try {
      const stats = page.locator('[data-testid=digest-service] .digest-stats');
      await stats.waitFor();
      // This week is not over: a case due later this week is not past its SLA yet.
      assert.equal((await stats.textContent())?.trim(), '3 cases opened · 2 still open · ⚠︎ 1 past SLA now');
      assert.match(
        (await page.textContent('[data-testid=week-counts-note]')) ?? '',
        /Still open: cases opened by the end of the week that are not resolved or closed today\. Past SLA: those of them whose SLA was due before the week ended \(this week is not over: due before now\)\./,
      );
      assert.equal(await page.locator('h3:text-is("Oldest still open")').count(), 1);
      // Each open case says what its date is.
      const oldest = await page.locator('[data-testid=digest-service] li:has(a[href^="/cases/"])').allInnerTexts();
      assert.equal(oldest.length, 2);
      assert.match(oldest[0]!, /^Refund never arrived SLA: ⚠︎ overdue · /);
      assert.match(oldest[1]!, /^Question about an invoice SLA: \d/);
      assert.equal(await page.locator('text=unresolved').count(), 0);
      await page.screenshot({ path: join(SHOTS, 'units-digest.png'), fullPage: true });
      // From last week (the default), "Next week" reaches this week, read so far, and stops there.
      await page.goto(`${env().base}/digest`);
      await page.waitForSelector('[data-testid=next-week]:not([disabled])');
      await page.click('[data-testid=next-week]');
      await page.waitForURL(new RegExp(`week=${monday}`));
      await stats.waitFor();
      assert.match((await page.textContent('#main')) ?? '', /\(so far: the week is not over\)/);
      assert.ok(await page.locator('[data-testid=next-week]').isDisabled());
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });

  it('a survey nobody was invited to says so instead of a rate of 0 of 0', { skip }, async () => {
    const { key } = await env().newOrg();
    const created = await env().api('POST', '/api/v1/surveys', key, SURVEY);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { page, errors } = await adminPage(env(), key, '/surveys');
    try {
      await page.waitForSelector('[data-testid=survey-rate]');
      assert.equal((await page.textContent('[data-testid=survey-rate]'))?.trim(), '— no invitations sent');
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });

  it('an overdue case on the board keeps its SLA line inside its card at 1280 px', { skip }, async () => {
    const { key } = await env().newOrg();
    const late = await env().api('POST', '/api/v1/cases', key, {
      title: 'Detractor: NPS 5',
      department: 'service',
      sla_due_at: iso(Date.now() - 3 * DAY),
    });
    assert.equal(late.status, 201, JSON.stringify(late.body));
    const { page, errors } = await adminPage(env(), key, '/cases?view=board');
    try {
      const card = page.locator('[data-testid=board-card]');
      await card.waitFor();
      const box = (await card.boundingBox())!;
      const parts = await card
        .locator('span')
        .evaluateAll((ss) => ss.map((s) => ({ text: s.textContent ?? '', right: s.getBoundingClientRect().right })));
      assert.ok(parts.some((p) => /overdue/.test(p.text)));
      for (const p of parts) assert.ok(p.right <= box.x + box.width + 0.5, `"${p.text}" runs out of its card`);
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });

  it('every form’s submit button has the app’s button style, not the browser’s bare one', { skip }, async () => {
    const { key } = await env().newOrg();
    const { page, errors } = await adminPage(env(), key, '/users');
    try {
      for (const path of ['/users', '/webhooks', '/digest']) {
        await page.goto(`${env().base}${path}`);
        await page.waitForSelector('form button[type=submit]');
        const bare = await page
          .locator('form button[type=submit]')
          .evaluateAll((bs) =>
            bs
              .filter((b) => !b.classList.contains('primary') && !b.classList.contains('secondary'))
              .map((b) => b.textContent),
          );
        assert.deepEqual(bare, [], `${path}: unstyled submit buttons`);
      }
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });

  it('the case list’s assignee filter picks a colleague by name instead of matching exactly what is typed', {
    skip,
  }, async () => {
    const { key } = await env().newOrg();
    const kim = await env().api('POST', '/api/v1/users', key, {
      email: `kim-${Math.random().toString(36).slice(2, 8)}@example.com`,
      name: 'Kim Park',
      role: 'agent',
      password: PASSWORD,
    });
    assert.equal(kim.status, 201, JSON.stringify(kim.body));
    for (const [title, assignee] of [
      ['Parcel lost', 'Kim Park'],
      ['Refund late', undefined],
    ] as const) {
      const c = await env().api('POST', '/api/v1/cases', key, { title, department: 'service', assignee });
      assert.equal(c.status, 201, JSON.stringify(c.body));
    }
    const { page, errors } = await adminPage(env(), key, '/cases');
    try {
      await page.waitForSelector('[data-testid=case-assignee-filter] option:text("Kim Park")', { state: 'attached' });
      const people = (await env().api('GET', '/api/v1/assignees', key)).body.items.map((p: { name: string }) => p.name);
      assert.deepEqual(await page.locator('[data-testid=case-assignee-filter] option').allTextContents(), [
        'Anyone',
        ...people,
      ]);
      await page.selectOption('[data-testid=case-assignee-filter]', 'Kim Park');
      await page.waitForURL(/assignee=Kim\+Park/);
      await page.waitForFunction(`document.querySelectorAll('[data-testid=cases-table] tbody tr').length === 1`);
      assert.match((await page.textContent('#main')) ?? '', /Parcel lost/);
      assert.doesNotMatch((await page.textContent('#main')) ?? '', /Refund late/);
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });

  it('a customer’s timeline filtered to a kind they have none of says so, not that their history is empty', {
    skip,
  }, async () => {
    const { key } = await env().newOrg();
    const ev = await env().api('POST', '/api/v1/events', key, [
      { customer_email: 'pia@example.com', type: 'page_view', occurred_at: iso(Date.now() - DAY) },
    ]);
    assert.ok(ev.status < 300, JSON.stringify(ev.body));
    const found = await env().api('GET', '/api/v1/customers?q=pia%40example.com', key);
    const id = found.body.items[0].id;
    const { page, errors } = await adminPage(env(), key, `/customers/${id}`);
    try {
      await page.waitForSelector('[data-testid=timeline-item]');
      await page.click('button:text-is("Responses")');
      await page.waitForSelector('[data-testid=timeline-show-all]');
      assert.match((await page.textContent('.empty')) ?? '', /^No responses in this customer's history/);
      await page.click('[data-testid=timeline-show-all]');
      await page.waitForSelector('[data-testid=timeline-item]');
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });
});
