import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eachStore } from './harness.js';
import { DAY, iso, post, postDeliveryTickets, TODAY } from './metrics-fixtures.js';

/**
 * Figures that read wrong unless the API says what is behind them: loyalty rates whose follow-up
 * window has not passed, and fix-first drivers whose effect could be chance.
 */
eachStore('loyalty: rates only from answers whose follow-up has passed', (env) => {
  it('a window whose follow-up has not passed says so: rates unknown, not 0% stayed or 100% referred', async () => {
    const { key } = await env().newOrg();
    // 40 customers answer in the last 30 days; the promoters' first ten cancel the next day and one
    // detractor refers someone. Within a 365-day follow-up nothing is known yet for the others.
    const answers = Array.from({ length: 40 }, (_, i) => ({
      customer_email: `p${i}@example.com`,
      submitted_at: iso(TODAY - (30 - (i % 28)) * DAY + 3_600_000),
      answers: [{ field: 'nps', type: 'nps', value: i % 2 ? 10 : 9 }],
    }));
    answers.push({
      customer_email: 'd0@example.com',
      submitted_at: iso(TODAY - 20 * DAY),
      answers: [{ field: 'nps', type: 'nps', value: 2 }],
    });
    await post(env().api, key, '/api/v1/responses', answers);
    await post(env().api, key, '/api/v1/events', [
      ...answers.slice(0, 10).map((a) => ({
        customer_email: a.customer_email,
        type: 'cancellation',
        occurred_at: iso(Date.parse(a.submitted_at) + DAY),
      })),
      { customer_email: 'd0@example.com', type: 'referral_made', occurred_at: iso(TODAY - 19 * DAY) },
    ]);
    const from = iso(TODAY - 40 * DAY);
    const to = iso(TODAY + DAY);
    const l = await env().api('GET', `/api/v1/metrics/loyalty?from=${from}&to=${to}`, key);
    assert.equal(l.status, 200, JSON.stringify(l.body));
    assert.equal(l.body.follow_up.status, 'pending');
    assert.equal(l.body.follow_up.followed_up_to, null);
    assert.ok(Date.parse(l.body.follow_up.complete_before) < Date.parse(from));
    const box = (b: number) => l.body.rows.find((r: { box: number }) => r.box === b);
    assert.equal(box(9).n + box(10).n, 40, 'the customers are counted');
    for (const r of [...l.body.rows, ...l.body.groups])
      for (const k of ['retention', 'repurchase', 'referral']) {
        assert.equal(r[k].value, null, `${r.box ?? r.group} ${k}: ${JSON.stringify(r[k])}`);
        assert.equal(r[k].n, 0);
      }
    for (const k of ['retention', 'repurchase', 'referral']) {
      const t = l.body.top_vs_next[k];
      assert.equal(t.difference, null, `${k}: ${JSON.stringify(t)}`);
      assert.equal(t.n_top, 0);
      assert.equal(t.n_next, 0);
    }

    // A 7-day follow-up has passed for the answers up to a week ago: their rates are known.
    const w = await env().api('GET', `/api/v1/metrics/loyalty?from=${from}&to=${to}&horizon_days=7`, key);
    assert.equal(w.status, 200, JSON.stringify(w.body));
    assert.equal(w.body.follow_up.status, 'partial');
    assert.equal(Date.parse(w.body.follow_up.followed_up_to), Date.parse(w.body.follow_up.complete_before));
    const cutoff = Date.parse(w.body.follow_up.complete_before);
    const followed = answers.filter((a) => Date.parse(a.submitted_at) < cutoff && a.answers[0]!.value >= 9);
    const left = answers.slice(0, 10).filter((a) => Date.parse(a.submitted_at) < cutoff).length;
    const promoters = w.body.groups.find((g: { group: string }) => g.group === 'promoter');
    assert.equal(promoters.n, 40, 'n: every promoter in the window');
    assert.equal(promoters.retention.n, followed.length, 'rates: the followed-up ones');
    assert.equal(promoters.retention.successes, followed.length - left);
    const detractors = w.body.groups.find((g: { group: string }) => g.group === 'detractor');
    assert.deepEqual([detractors.referral.successes, detractors.referral.n], [1, 1]);
    // The top box against the one below: the n behind it, flagged as small.
    const t = w.body.top_vs_next.retention;
    assert.equal(t.n_top + t.n_next, followed.length);
    assert.equal(t.small_n, true);

    // A window that ended more than the follow-up ago is complete.
    const c = await env().api(
      'GET',
      `/api/v1/metrics/loyalty?from=${from}&to=${iso(TODAY - 10 * DAY)}&horizon_days=7`,
      key,
    );
    assert.equal(c.body.follow_up.status, 'complete');
    assert.equal(c.body.follow_up.followed_up_to, iso(TODAY - 10 * DAY));
  });
});

eachStore('drivers: fix first only what is significant', (env) => {
  /**
   * 60 customers, each with one NPS answer a day after an interaction at `delivery`. `main` is the
   * outcome of every second customer; `noise` outcomes of a few others, unrelated to the score.
   */
  async function org(scores: (i: number, main: boolean) => number) {
    const { key } = await env().newOrg();
    const t0 = TODAY - 30 * DAY;
    const outcome = (i: number) => (i % 2 === 0 ? 'late' : i % 10 === 1 ? 'resolved' : i % 10 === 3 ? 'damaged' : null);
    await postDeliveryTickets(env().api, key, t0, outcome);
    await post(
      env().api,
      key,
      '/api/v1/responses',
      Array.from({ length: 60 }, (_, i) => ({
        customer_email: `c${i}@example.com`,
        submitted_at: iso(t0 + (i % 20) * DAY + DAY),
        answers: [{ field: 'nps', type: 'nps', value: scores(i, i % 2 === 0) }],
      })),
    );
    const r = await env().api(
      'GET',
      `/api/v1/metrics/drivers?outcome=nps&drivers=outcomes&from=${iso(t0)}&to=${iso(TODAY + DAY)}`,
      key,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  }

  it('an important, weak driver that could be chance is not fixed first, and is listed apart', async () => {
    // Late deliveries: 5.0 on average against 6.75 without (half promoters and half detractors
    // against half promoters, a quarter passives), with scores all over the scale: chance.
    const d = await org((i, late) => (late ? (i % 4 === 0 ? 10 : 0) : i % 4 === 1 ? 10 : i % 8 === 3 ? 7 : 0));
    const late = d.drivers.find((x: { key: string }) => x.key === 'delivery:late');
    assert.ok(late, JSON.stringify(d.drivers));
    assert.equal(late.significant, false, JSON.stringify(late));
    assert.equal(late.quadrant, 'fix_first', JSON.stringify(d.drivers));
    assert.deepEqual(d.fix_first, []);
    assert.ok(d.fix_first_not_significant.includes('delivery:late'));
    assert.ok(d.r2 < 0.2, `a weak model (R² = ${d.r2})`);
  });

  it('a significant one is', async () => {
    // Late deliveries: detractors; the rest promoters.
    const d = await org((i, late) => (late ? (i % 4 === 0 ? 1 : 3) : i % 4 === 1 ? 9 : 10));
    assert.deepEqual(d.fix_first, ['delivery:late'], JSON.stringify(d.drivers));
    for (const k of d.fix_first) {
      const x = d.drivers.find((y: { key: string }) => y.key === k);
      assert.ok(x.significant && x.quadrant === 'fix_first', JSON.stringify(x));
    }
    assert.deepEqual(d.fix_first_not_significant, []);
  });
});
