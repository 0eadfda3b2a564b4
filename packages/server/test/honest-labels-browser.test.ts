import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browsing, get, settle, shot, signIn, skipWithoutChromium, startBrowsing } from './web-browser.js';

/**
 * What a new user reads on the demo, in Chromium: the Feedback topic chips count the whole
 * filtered set (the API's topic_counts), and a topic filter from the address shows as a chip that
 * removes it; segments, channels, sources and priorities read as words (SMB, SMS, Paid search,
 * High), never as keys; a journey stage with no text reads "no text", not 0.0; an agent's loyalty
 * change carries the n of both periods.
 */
describe('honest counts and labels in Chromium on the demo', { skip: skipWithoutChromium, timeout: 600_000 }, () => {
  let b: Browsing;
  const page = () => b.page;
  const open = async (path: string) => {
    await page().goto(b.base + path);
    await settle(page());
  };
  // An explicit 90-day window, the same in the address and the API calls.
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const from = day(new Date(Date.now() - 89 * 86_400_000));
  const to = day(new Date());
  const dates = `from=${from}&to=${to}`;
  const win = `from=${from}T00:00:00Z&to=${day(new Date(Date.now() + 86_400_000))}T00:00:00Z`;

  before(async () => {
    b = await startBrowsing();
    await signIn(b);
  });
  after(async () => {
    await b?.close();
  });

  test('feedback: topic chips count the whole filtered set, as the API does, not the page loaded', async () => {
    const api = await get(b, `/api/v1/interactions?${win}&has_text=true&limit=1&topic_counts=true`);
    const counts: { topic: string; records: number }[] = api.topic_counts;
    assert.ok(counts.length > 3, JSON.stringify(counts));
    // The demo has more records with a text than one page holds: counts from a page would be smaller.
    assert.ok(counts[0]!.records > 100, JSON.stringify(counts));

    await open(`/feedback?source=interactions&${dates}`);
    await page().waitForSelector('[data-testid=topic-chip]');
    const chips = await page()
      .locator('[data-testid=topic-chip]')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-topic'), Number(e.getAttribute('data-records'))]));
    assert.deepEqual(
      chips,
      counts.slice(0, 12).map((c) => [c.topic, c.records]),
    );
    const first = page().locator('[data-testid=topic-chip]').first();
    assert.match((await first.textContent()) ?? '', new RegExp(counts[0]!.records.toLocaleString('en')));
    await shot(page(), 'honest-feedback-chips');

    // A chip's count is what picking it lists: a small topic fits one page, so all of it shows.
    const small = counts.filter((c) => c.records > 0 && c.records <= 100).at(-1);
    assert.ok(small, JSON.stringify(counts));
    await page().locator(`[data-testid=topic-chip][data-topic="${small.topic}"]`).click();
    await page().waitForSelector(`[data-testid=topic-clear][data-topic="${small.topic}"]`);
    await settle(page());
    assert.equal(await page().locator('[data-testid=feedback-item]').count(), small.records);
    // The other chips keep their counts while one is picked.
    const other = counts.find((c) => c.topic !== small.topic)!;
    assert.equal(
      await page().locator(`[data-testid=topic-chip][data-topic="${other.topic}"]`).getAttribute('data-records'),
      String(other.records),
    );
  });

  test('feedback: a topic filter from the address shows as a chip with its label, and the chip removes it', async () => {
    const taxonomy = await get(b, '/api/v1/taxonomy');
    const label = taxonomy.topics.find((t: { key: string }) => t.key === 'billing.error').label as string;
    for (const path of [
      `/feedback?topic=billing.error&${dates}`,
      `/feedback?topic=billing.error&source=interactions`,
    ]) {
      await open(path);
      const chip = page().locator('[data-testid=topic-clear]');
      await chip.waitFor();
      assert.match((await chip.textContent()) ?? '', new RegExp(`Topic: ${label}`), path);
      assert.equal(await chip.getAttribute('aria-pressed'), 'true');
      await shot(page(), 'honest-feedback-topic-filter');
      await chip.click();
      await page().waitForFunction("!new URLSearchParams(location.search).has('topic')");
      await settle(page());
      assert.equal(await page().locator('[data-testid=topic-clear]').count(), 0, path);
    }
    // Even with nothing matching, the filter that empties the list is there to remove.
    await open(`/feedback?topic=billing.error&sentiment=positive&from=${to}&to=${to}`);
    await page().locator('[data-testid=topic-clear]').waitFor();
    assert.match((await page().locator('[data-testid=topic-clear]').textContent()) ?? '', new RegExp(label));
  });

  test('segments, channels, sources and priorities read as words, not keys', async () => {
    await open('/customers');
    // The selects fill in as their lists arrive.
    const options = async (testId: string) => {
      await page().waitForSelector(`[data-testid=${testId}] option:nth-child(2)`, { state: 'attached' });
      return page().locator(`[data-testid=${testId}] option`).allTextContents();
    };
    const smb = (segments: string[]) =>
      assert.ok(
        segments.some((s) => s.startsWith('SMB')) && !segments.some((s) => s.startsWith('Smb')),
        JSON.stringify(segments),
      );
    smb(await options('customer-segment'));
    const table = (await page().locator('[data-testid=customers-table]').textContent()) ?? '';
    assert.doesNotMatch(table, /\bSmb\b|paid_search|paid_social|outbound_sales/);
    assert.match(table, /Paid search|Paid social|Organic|Referral/);
    await shot(page(), 'honest-customers');

    // The filter bar over the analytics pages.
    await open(`/?${dates}`);
    smb(await options('filter-segment'));
    const channelNames = await options('filter-channel');
    assert.ok(channelNames.includes('SMS'), JSON.stringify(channelNames));
    assert.ok(!channelNames.includes('Sms'), JSON.stringify(channelNames));

    await open('/cases');
    const priorities = await page().locator('label:has-text("Priority") select option').allTextContents();
    assert.deepEqual(priorities, ['Any', 'Low', 'Normal', 'High', 'Urgent']);

    await open(`/loyalty`);
    const groups = await page().locator('table tbody tr td:first-child').allTextContents();
    for (const g of groups) assert.doesNotMatch(g, /^(detractor|passive|promoter)$/, JSON.stringify(groups));
  });

  test('journey: a stage with no text reads “no text”, not 0.0; the others carry their n', async () => {
    const j = await get(b, `/api/v1/metrics/journey?${win}`);
    type F = { value: number | null; n: number };
    const stages: { stage: string; sentiment: F }[] = j.stages;
    const none = stages.filter((s) => s.sentiment.n === 0);
    assert.ok(none.length > 0, JSON.stringify(stages.map((s) => [s.stage, s.sentiment])));
    for (const s of none) assert.equal(s.sentiment.value, null);
    await open(`/journey?${dates}`);
    const cells = page().locator('[data-testid=stage-sentiment]');
    assert.equal(await cells.count(), stages.length);
    for (let i = 0; i < stages.length; i++) {
      const text = ((await cells.nth(i).textContent()) ?? '').trim();
      const s = stages[i]!.sentiment;
      if (s.n === 0) assert.match(text, /^—\s*no text$/, `${stages[i]!.stage}: ${text}`);
      else assert.match(text, new RegExp(`n = ${s.n.toLocaleString('en')}`), `${stages[i]!.stage}: ${text}`);
    }
    await shot(page(), 'honest-journey');
  });

  test('agents: the loyalty change shows the n of both periods, marked when small', async () => {
    const a = await get(b, `/api/v1/metrics/agents?${win}&granularity=week`);
    type L = { value: number | null; n: number; previous_n: number; small_n: boolean };
    const agents: { key: string; loyalty_change: L }[] = a.agents;
    await open(`/agents?${dates}`);
    let checked = 0;
    for (const ag of agents) {
      const l = ag.loyalty_change;
      if (l.n === 0 && l.previous_n === 0) continue;
      const cell = page().locator(`tr[data-agent="${ag.key}"] [data-testid=agent-loyalty]`);
      const text = (await cell.textContent()) ?? '';
      assert.match(text, new RegExp(`n = ${l.n} vs ${l.previous_n}`), `${ag.key}: ${text}`);
      assert.equal(/small sample/.test(text), l.small_n, `${ag.key}: ${text}`);
      checked++;
    }
    assert.ok(checked > 0, JSON.stringify(agents.map((x) => x.loyalty_change)));
    await shot(page(), 'honest-agents');
  });
});
