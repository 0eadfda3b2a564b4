import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { type Browsing, call, get, settle, shot, signIn, skipWithoutChromium, startBrowsing } from './web-browser.js';

/**
 * What a first-time user found on the demo, in Chromium: the surveys the answers come from are
 * listed with their answers; a new survey's key follows its name until edited; partial first and
 * last weeks are marked on the Overview sparklines and Trends; the digest shows revenue at risk
 * (or why there is none) and lists only topics that hurt; the audit log reads in words.
 */
describe('first-use review mends in Chromium on the demo', { skip: skipWithoutChromium, timeout: 600_000 }, () => {
  let b: Browsing;
  const page = () => b.page;
  const open = async (path: string) => {
    await page().goto(b.base + path);
    await settle(page());
  };

  before(async () => {
    b = await startBrowsing();
    await signIn(b);
  });
  after(async () => {
    await b?.close();
  });

  test('surveys: the demo’s surveys listed with their answers; the key follows the name', async () => {
    await open('/surveys');
    const listed = await get(b, '/api/v1/surveys');
    assert.ok(listed.items.length >= 6, JSON.stringify(listed.items.map((s: { key: string }) => s.key)));
    for (const key of ['delivery-csat', 'support-csat', 'onboarding-csat']) {
      const row = page().locator(`[data-testid=surveys-table] tr[data-survey="${key}"]`);
      assert.equal(await row.count(), 1, key);
      const answers = Number(
        ((await row.locator('[data-testid=survey-answers]').textContent()) ?? '')
          .match(/^[\d,]+/)?.[0]
          ?.replace(/,/g, ''),
      );
      assert.ok(answers > 0, `${key} answers`);
    }
    assert.equal(await page().getByText('No surveys yet').count(), 0);
    await shot(page(), 'review-surveys');

    // A survey known only from answers is offered for definition, with its key.
    const r = await call(b, 'POST', '/api/v1/responses', {
      customer_email: 'someone@example.com',
      survey: 'kiosk-feedback',
      submitted_at: new Date().toISOString(),
      answers: [{ field: 'csat', type: 'csat', value: 4 }],
    });
    assert.ok(r.status < 300, JSON.stringify(r.body));
    await open('/surveys');
    const other = page().locator('[data-testid=surveys-undefined-table] tr[data-survey="kiosk-feedback"]');
    assert.equal(await other.count(), 1);
    await other.locator('[data-testid=define-survey]').click();
    await page().waitForSelector('[data-testid=survey-key]');
    assert.equal(await page().inputValue('[data-testid=survey-key]'), 'kiosk-feedback');
    assert.equal(await page().inputValue('[data-testid=survey-name]'), 'Kiosk feedback');

    await open('/surveys/new');
    await page().fill('[data-testid=survey-name]', 'After delivery — Café');
    assert.equal(await page().inputValue('[data-testid=survey-key]'), 'after-delivery-cafe');
    await page().fill('[data-testid=survey-key]', 'post-delivery');
    await page().fill('[data-testid=survey-name]', 'After delivery (v2)');
    assert.equal(await page().inputValue('[data-testid=survey-key]'), 'post-delivery', 'an edited key stays');
    assert.equal(await page().locator('.field-error').count(), 0);
    await shot(page(), 'review-survey-new');
  });

  test('partial first and last weeks are marked, not drawn as dips', async () => {
    // The default window ends tomorrow and starts 90 days back: its first and last weeks are partial.
    await open('/');
    await page().waitForSelector('svg.spark');
    const marked = await page().locator('svg.spark[data-partial]').count();
    assert.ok(marked > 0, 'sparklines mark their partial weeks');
    const title = await page().locator('svg.spark[data-partial] title').first().textContent();
    // The week by its first day, not its key (2026-W36).
    assert.match(title ?? '', /^Week of \d{1,2} [A-Z][a-z]{2,3} \d{4}: partial week: \d of 7 days/);
    await shot(page(), 'review-overview');
    await open('/trends?metric=csat&granularity=week');
    await page().waitForSelector('[data-testid=trend-chart] svg');
    await shot(page(), 'review-trends');
    const s = await get(b, '/api/v1/metrics/series?metric=csat&granularity=week');
    const pts = s.series[0].points as { partial?: { days: number; of: number } }[];
    assert.ok(pts.at(-1)!.partial || pts[0]!.partial, 'the API marks partial buckets');
    assert.ok(
      pts.slice(1, -1).every((p) => !p.partial),
      'inner buckets are whole',
    );
  });

  test('trends: a split the measure has no data for says why it shows one line', async () => {
    // The demo's NPS answers come from a survey sent to no touchpoint: none has a department.
    const s = await get(b, '/api/v1/metrics/series?metric=nps&group_by=department&limit=8');
    assert.deepEqual(
      s.series.map((x: { key: string | null }) => x.key),
      [null],
    );
    await open('/trends?metric=nps&group_by=department');
    await page().waitForSelector('[data-testid=trend-chart] svg');
    assert.equal(
      await page().textContent('[data-testid=trend-unsplit]'),
      'NPS answers in this period are not tied to a department, so there is nothing to split by: the line shows them all. Remove the split',
    );
    await shot(page(), 'review-trends-unsplit');
    // A split with groups says nothing more.
    await open('/trends?metric=csat&group_by=department');
    await page().waitForSelector('[data-testid=trend-chart] svg');
    assert.equal(await page().locator('[data-testid=trend-unsplit]').count(), 0);
    await open('/trends?metric=nps&group_by=department');
    await page().click('[data-testid=trend-unsplit] button');
    await page().waitForFunction("!new URLSearchParams(location.search).get('group_by')");
    assert.equal(await page().locator('[data-testid=trend-unsplit]').count(), 0);
  });

  test('digest: revenue at risk shown or explained; only topics with negative mentions', async () => {
    // A case this week for a customer with purchases, and the week's digest.
    const customer = (
      await sql<{ id: string }>`SELECT customer_id AS id FROM events WHERE org_id = ${b.demo.orgId}
        AND type IN ('purchase','renewal') AND occurred_at > now() - interval '300 days'
        ORDER BY occurred_at DESC LIMIT 1`.execute(b.store.db)
    ).rows[0]!;
    const made = await call(b, 'POST', '/api/v1/cases', {
      title: 'Parcel lost twice',
      department: 'delivery',
      customer_id: customer.id,
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const week = new Date().toISOString().slice(0, 10);
    await open(`/digest?week=${week}`);
    const dg = await get(b, `/api/v1/digest?week=${week}`);
    for (const d of dg.departments) {
      for (const t of d.topics) assert.ok(t.negative > 0, `${t.topic}: ${t.negative} negative`);
      assert.ok(d.revenue_at_risk && typeof d.revenue_at_risk.total === 'number');
    }
    const notes = await page().locator('[data-testid=revenue-at-risk]').allInnerTexts();
    assert.ok(notes.length > 0);
    const delivery = dg.departments.find((d: { department: string }) => d.department === 'delivery');
    assert.ok(delivery.cases_opened >= 1 && delivery.revenue_at_risk.customers >= 1, JSON.stringify(delivery));
    // In the currency the purchases are in (the demo's: euros), as the Overview's revenue is.
    assert.equal(delivery.revenue_at_risk.currency, 'EUR');
    assert.match(
      await page().locator('[data-testid=digest-delivery] [data-testid=revenue-at-risk]').innerText(),
      /^Revenue at risk: €[\d,]+ — what the \d+ customers? concerned bought/,
    );
    for (const n of notes) assert.match(n, /^Revenue at risk: (none — no case|€[\d,]+ — what the|0 — the)/);
    for (const cell of await page().locator('[data-testid^=digest-] tbody td:last-child').allTextContents())
      assert.match(cell, /^€[\d,]+$/);
    await shot(page(), 'review-digest');
  });

  test('audit log names the actor and the thing changed, and says why a refusal happened', async () => {
    const rule = await call(b, 'POST', '/api/v1/rules', {
      name: 'Review rule',
      condition: { type: 'nps', max: 3 },
      actions: [{ type: 'tag', tag: 'x' }],
    });
    assert.equal(rule.status, 201);
    await call(b, 'DELETE', `/api/v1/rules/${rule.body.id}`);
    await open('/users');
    await page().waitForSelector('[data-testid=audit-entry]');
    const text = (await page().locator('[data-testid=audit-table]').textContent()) ?? '';
    assert.match(text, /API key “demo”/);
    assert.match(text, /deleted the rule “Review rule”/);
    assert.doesNotMatch(text, /\bunknown\b/);
    await shot(page(), 'review-audit');
  });
});
