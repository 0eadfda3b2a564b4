import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  type Browsing,
  DESKTOP,
  get,
  PHONE,
  settle,
  shot,
  signIn,
  skipWithoutChromium,
  startBrowsing,
} from './web-browser.js';

/**
 * A first-time user's review of the demo dashboard, checked in Chromium: the org's names instead
 * of keys, empty periods and bad date ranges, money with its currency, the feedback export, form
 * messages, and the topics charts at phone width.
 */
describe('first-use review in Chromium on the demo', { skip: skipWithoutChromium, timeout: 600_000 }, () => {
  let b: Browsing;
  const page = () => b.page;
  async function open(path: string) {
    await page().goto(b.base + path);
    await settle(page());
  }
  /** Texts that look like raw keys: `delivery.late`, `onboarding_call`, `sam.okafor`. */
  const KEYISH = /^[a-z0-9]+(?:[._][a-z0-9]+)+$/;

  before(async () => {
    b = await startBrowsing();
    await signIn(b);
  });
  after(async () => {
    // The webhook form's refusal (a 422 the test asks for) is logged by the browser; nothing else may be.
    const errors = (b?.errors ?? []).filter((e) => !/status of 422 .*\/webhooks\)$/.test(e));
    await b?.close();
    assert.deepEqual(errors, [], 'no page errors');
  });

  test("topics: departments by the org's names, in the tree and the detail's owner chip", async () => {
    const deps: { key: string; name: string }[] = (await get(b, '/api/v1/departments')).items;
    await open('/topics?topic=delivery');
    const metas = await page().locator('[data-testid=topic-tree] .tree-meta').allTextContents();
    assert.ok(metas.length > 3);
    const owners = metas.map((m) => m.split(' · ')[0]!.trim());
    const names = new Set([...deps.map((d) => d.name), 'no owner']);
    for (const o of owners) assert.ok(names.has(o), `"${o}" is a department name (${[...names].join(', ')})`);
    const chip = await page().locator('[data-testid=topic-detail] .chip', { hasText: 'owner:' }).textContent();
    assert.equal(chip, `owner: ${deps.find((d) => d.key === 'delivery')!.name}`);
    // The 7P dimension says what it is ("7P: Place", not a bare "Place" beside the owner).
    const sevenP = (await get(b, '/api/v1/taxonomy')).topics.find((t: { key: string }) => t.key === 'delivery').sevenP;
    assert.ok(sevenP);
    assert.equal(
      await page().locator('[data-testid=topic-detail] .chip', { hasText: '7P:' }).textContent(),
      `7P: ${sevenP.charAt(0).toUpperCase()}${sevenP.slice(1)}`,
    );
    // The trend's weeks read as dates ("31 Aug"), never as keys (2026-W36).
    await page().waitForSelector('[data-testid=topic-detail] [data-ready=true] svg text');
    const ticks = await page().$$eval('[data-testid=topic-detail] svg text', (ts) =>
      ts.map((t) => t.textContent ?? ''),
    );
    assert.ok(
      ticks.some((t) => /^\d{1,2} [A-Z][a-z]{2,3}$/.test(t)),
      `a week reads as a date: ${JSON.stringify(ticks)}`,
    );
    assert.ok(!ticks.some((t) => /\d{4}-W\d\d/.test(t)), `no week key: ${JSON.stringify(ticks)}`);
    await shot(page(), 'first-use-topics-desktop');
  });

  test('topics at 390 px: axis labels apart, the owner chip inside its card', async () => {
    await page().setViewportSize(PHONE);
    try {
      await open('/topics?topic=delivery');
      await page().waitForSelector('[data-testid=topic-chart][data-ready=true] svg text');
      // Numbers on one line of the chart (the value axis) must not overlap each other.
      const boxes = await page().$$eval('[data-testid=topic-chart] svg text', (ts) =>
        ts
          .map((t) => ({ text: t.textContent ?? '', r: t.getBoundingClientRect() }))
          .filter((x) => /^[\d,]+$/.test(x.text.trim()) && x.r.width > 0)
          .map((x) => ({ text: x.text, left: x.r.left, right: x.r.right, y: Math.round(x.r.top) })),
      );
      const axis = boxes.filter((a) => boxes.filter((c) => Math.abs(c.y - a.y) <= 2).length > 1);
      assert.ok(axis.length >= 2, `value-axis labels found: ${JSON.stringify(boxes)}`);
      for (const a of axis)
        for (const c of axis)
          if (a !== c && Math.abs(a.y - c.y) <= 2)
            assert.ok(a.right <= c.left || c.right <= a.left, `"${a.text}" overlaps "${c.text}"`);

      const card = await page().locator('[data-testid=topic-detail]').boundingBox();
      const chip = await page().locator('[data-testid=topic-detail] .chip', { hasText: 'owner:' }).boundingBox();
      assert.ok(card && chip);
      assert.ok(chip.x + chip.width <= card.x + card.width + 0.5, 'the owner chip is not clipped');
      // The trend's legend sits below the plot, clear of the axis names.
      const detailTexts = await page().$$eval('[data-testid=topic-detail] svg text', (ts) =>
        ts.map((t) => {
          const r = t.getBoundingClientRect();
          return { text: t.textContent ?? '', r: { left: r.left, right: r.right, top: r.top, bottom: r.bottom } };
        }),
      );
      const legend = detailTexts.find((t) => t.text === 'Mentions');
      const axisName = detailTexts.find((t) => t.text === 'mentions');
      assert.ok(legend && axisName, JSON.stringify(detailTexts.map((t) => t.text)));
      assert.ok(legend.r.top > axisName.r.bottom, 'the legend is under the plot, not on the axis names');
      for (const t of detailTexts)
        assert.ok(t.r.left >= card.x - 0.5 && t.r.right <= card.x + card.width + 0.5, `"${t.text}" is inside the card`);
      await shot(page(), 'first-use-topics-phone');
    } finally {
      await page().setViewportSize(DESKTOP);
    }
  });

  test('drivers and agents: owners, teams and agents by name', async () => {
    const deps: { name: string }[] = (await get(b, '/api/v1/departments')).items;
    const names = new Set([...deps.map((d) => d.name), '—']);
    await open('/drivers');
    const owners = await page().$$eval('table tbody tr td:nth-child(3)', (tds) => tds.map((t) => t.textContent ?? ''));
    assert.ok(owners.length > 0);
    for (const o of owners) assert.ok(names.has(o), `owner "${o}" is a department's name`);
    assert.ok(
      owners.some((o) => /&|Customer Service/.test(o)),
      `org names: ${owners.join(', ')}`,
    );

    await open('/agents');
    const teams = await page().$$eval('[data-testid=teams] tbody tr td:first-child', (tds) =>
      tds.map((t) => t.textContent ?? ''),
    );
    assert.ok(teams.length > 0);
    for (const t of teams) assert.doesNotMatch(t, /-/, `team "${t}" in words`);
  });

  test('feedback: topic labels, touchpoint and agent names on the chips', async () => {
    await open('/feedback?source=interactions');
    const chips = await page().locator('[data-testid=feedback-list] .chip').allTextContents();
    assert.ok(chips.length > 5);
    for (const c of chips) assert.doesNotMatch(c.trim(), KEYISH, `chip "${c}" is a name, not a key`);
    const agents = await page()
      .locator('[data-testid=feedback-item] .meta > span', { hasText: /^agent / })
      .allTextContents();
    for (const a of agents) assert.match(a, /^agent [A-Z]/, `${a} by name`);
    const topicChips = await page().locator('fieldset.seg button').allTextContents();
    for (const t of topicChips) assert.match(t, /^[A-Z]/, `topic filter "${t}" by its label`);
  });

  test('an empty period says so and offers a wider one; "to" before "from" is refused in the bar', async () => {
    await open('/topics?from=2020-01-01&to=2020-12-31');
    const text = (await page().textContent('[data-testid=empty]')) ?? '';
    assert.match(text, /Nothing in 1 Jan 2020 – 31 Dec 2020/);
    assert.doesNotMatch(text, /Send data/);
    await page().click('[data-testid=widen-period]');
    await settle(page());
    assert.equal(await page().locator('[data-testid=empty]').count(), 0, 'the last 12 months have topics');

    await open('/topics');
    const url = page().url();
    await page().fill('[data-testid=filter-to]', '2019-01-01');
    await page().waitForSelector('[data-testid=filter-range-error]');
    assert.match((await page().textContent('[data-testid=filter-range-error]')) ?? '', /before/);
    assert.equal(page().url(), url, 'the bad range is not applied');
    assert.equal(await page().locator('.error').count(), 0, 'no "Invalid query" from the API');
    await shot(page(), 'first-use-range-error');
    // An address with the dates the wrong way round shows the period it meant.
    await open('/topics?from=2026-06-30&to=2026-01-01');
    assert.equal(await page().locator('.error').count(), 0);
  });

  test('overview money carries the currency; date pickers are labelled in the page format', async () => {
    await open('/');
    const rpc = (await page().textContent('[data-testid=kpi-revenue_per_customer]')) ?? '';
    assert.match(rpc, /^€[\d,]+\.\d\d/);
    const ltv = (await page().textContent('[data-testid=kpi-ltv]')) ?? '';
    assert.match(ltv, /^€[\d,]+\.\d\d/);
    const label = (await page().textContent('label:has([data-testid=filter-from]) > span')) ?? '';
    assert.match(label, /^From · \d{1,2} [A-Z][a-z]+ \d{4}$/);
  });

  test('customer profile: field names in words, money in one format', async () => {
    const c = (await get(b, '/api/v1/customers?limit=50')).items.find(
      (x: { attributes: Record<string, unknown> }) => 'annual_fee_eur' in x.attributes,
    );
    assert.ok(c, 'a demo customer with an annual fee');
    await open(`/customers/${c.id}`);
    const dts = await page().locator('dl.dl dt').allTextContents();
    for (const d of dts) assert.doesNotMatch(d, /_/, `profile field "${d}" in words`);
    assert.match((await page().textContent('[data-testid=attr-annual_fee_eur] dd')) ?? '', /^€[\d,]+\.\d\d$/);
    const whats = await page().locator('[data-testid=timeline-item] .what').allTextContents();
    for (const w of whats) assert.doesNotMatch(w, /\d \w{3}$|\d [A-Z]{3}\b/, `"${w}": no "428.23 EUR"`);
  });

  test('feedback export: numbers as numbers, columns named for what they hold, the list’s filters', async () => {
    await open('/feedback?source=interactions&sentiment=negative');
    const [download] = await Promise.all([page().waitForEvent('download'), page().click('[data-testid=export-csv]')]);
    const path = await download.path();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\r\n');
    const head = lines[0]!.split(',');
    assert.ok(head.includes('status') && head.includes('outcome') && !head.includes('scores'), lines[0]);
    assert.ok(lines.length > 2);
    assert.doesNotMatch(lines.join('\n'), /,'-\d/, 'no apostrophe before a negative number');
    const si = head.indexOf('sentiment');
    const parse = (l: string) => {
      const out: string[] = [];
      let cur = '';
      let q = false;
      for (let i = 0; i < l.length; i++) {
        const ch = l[i]!;
        if (q) {
          if (ch === '"' && l[i + 1] === '"') {
            cur += '"';
            i++;
          } else if (ch === '"') q = false;
          else cur += ch;
        } else if (ch === '"') q = true;
        else if (ch === ',') {
          out.push(cur);
          cur = '';
        } else cur += ch;
      }
      out.push(cur);
      return out;
    };
    for (const l of lines.slice(1)) assert.equal(parse(l)[si], 'negative', `every exported text is negative: ${l}`);
    const shown = await page().locator('[data-testid=feedback-list] blockquote').count();
    assert.ok(shown > 0);
  });

  test('forms: a score of "abc" is refused in the form; a bad URL gets one message; banners name fields', async () => {
    await open('/rules');
    await page().selectOption('[data-testid=rule-type]', 'negative_sentiment');
    await page().fill('[data-testid=rule-name]', 'Angry');
    await page().fill('[data-testid=rule-max_score]', 'abc');
    const before_ = (await get(b, '/api/v1/rules')).items.length;
    await page().click('[data-testid=rule-submit]');
    await page().waitForSelector('[data-testid=rule-error]');
    assert.match((await page().textContent('[data-testid=rule-error]')) ?? '', /“Sentiment at most”/);
    assert.match((await page().textContent('.field.has-error .field-error')) ?? '', /must be a number/);
    assert.equal((await get(b, '/api/v1/rules')).items.length, before_, 'nothing was sent');

    await open('/webhooks');
    await page().fill('[data-testid=webhook-url]', 'not a url');
    await page().click('[data-testid=webhook-submit]');
    await page().waitForSelector('[data-testid=webhook-error]');
    const reason = (await page().textContent('.field.has-error .field-error')) ?? '';
    assert.equal(reason, 'must be an absolute http or https URL');
    assert.match((await page().textContent('[data-testid=webhook-error]')) ?? '', /“URL to call”/);
    // The keyboard is on the field to fix, not left on the button.
    await page().waitForFunction(`document.activeElement?.dataset.testid === 'webhook-url'`);
    await shot(page(), 'first-use-webhook-error');
  });
});
