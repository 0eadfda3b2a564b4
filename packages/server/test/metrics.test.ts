import assert from 'node:assert/strict';
import { it } from 'node:test';
import { csatFromScores, npsFromScores } from '@canopy/core';
import { rollupSegments, verifyRollups } from '@canopy/store';
import { eachStore } from './harness.js';

const from = '2026-03-01T00:00:00Z';
const to = '2026-03-15T00:00:00Z';

// 20 NPS answers: 10 promoters, 6 passives, 4 detractors → NPS +30. Delivery gets the first 10.
const NPS = [10, 9, 9, 10, 9, 8, 7, 3, 5, 9, 10, 9, 8, 8, 7, 7, 6, 0, 9, 9];
const CSAT = [5, 4, 2, 5, 3, 4, 1, 5];

function responses() {
  return NPS.map((v, i) => ({
    customer_email: `c${i}@example.com`,
    survey: 'relationship',
    touchpoint: i < 10 ? 'delivery' : 'invoice',
    submitted_at: new Date(Date.parse(from) + i * 12 * 3600_000).toISOString(),
    answers: [
      { field: 'nps', type: 'nps', value: v },
      ...(i < CSAT.length ? [{ field: 'csat', type: 'csat', value: CSAT[i] }] : []),
      ...(i === 7
        ? [{ field: 'reason', type: 'text', value: 'The parcel was late again and the driver was rude' }]
        : []),
    ],
  }));
}

it('splits a window into whole weeks/months and edge days', () => {
  const d = (s: string) => new Date(`${s}T00:00:00Z`);
  const show = (xs: ReturnType<typeof rollupSegments>) =>
    xs.map((x) => `${x.grain}:${x.from.toISOString().slice(0, 10)}..${x.to.toISOString().slice(0, 10)}`);
  // 2026-03-04 is a Wednesday; weeks start on Monday.
  assert.deepEqual(show(rollupSegments(d('2026-03-04'), d('2026-03-20'), 'week')), [
    'day:2026-03-04..2026-03-09',
    'week:2026-03-09..2026-03-16',
    'day:2026-03-16..2026-03-20',
  ]);
  assert.deepEqual(show(rollupSegments(d('2026-01-15'), d('2026-05-06'), 'quarter')), [
    'day:2026-01-15..2026-02-01',
    'month:2026-02-01..2026-05-01',
    'day:2026-05-01..2026-05-06',
  ]);
  assert.deepEqual(show(rollupSegments(d('2026-01-15'), d('2026-05-06'), null)), [
    'day:2026-01-15..2026-01-19',
    'week:2026-01-19..2026-01-26',
    'day:2026-01-26..2026-02-01',
    'month:2026-02-01..2026-05-01',
    'day:2026-05-01..2026-05-06',
  ]);
  assert.deepEqual(show(rollupSegments(d('2026-03-02'), d('2026-03-05'), 'day')), ['day:2026-03-02..2026-03-05']);
});

eachStore('metrics API', (env) => {
  it('computes NPS and CSAT with margins from rollups and raw rows alike', async () => {
    const { orgId, key } = await env().newOrg();
    const rs = await env().api('POST', '/api/v1/responses', key, responses());
    assert.equal(rs.status, 200, JSON.stringify(rs.body));

    const ov = await env().api('GET', `/api/v1/metrics/overview?from=${from}&to=${to}&granularity=day`, key);
    assert.equal(ov.status, 200, JSON.stringify(ov.body));
    const expected = npsFromScores(NPS);
    assert.equal(ov.body.experience.nps.value, 30);
    assert.equal(ov.body.experience.nps.n, 20);
    assert.ok(Math.abs(ov.body.experience.nps.margin - (expected.margin as number)) < 0.01);
    assert.equal(ov.body.experience.nps.small_n, true, 'n = 20 < 30 is flagged, not hidden');
    assert.equal(ov.body.source, 'rollup');
    const csat = csatFromScores(CSAT);
    assert.equal(ov.body.service.csat.value, Math.round((csat.csat as number) * 100) / 100);
    assert.equal(ov.body.service.csat.n, 8);
    assert.equal(ov.body.experience.nps.sparkline.length, 14);
    assert.equal(ov.body.experience.nps.previous.n, 0);

    // By touchpoint: delivery 10 answers (5 promoters, 2 detractors) → +30; invoice → +30 too.
    const bd = await env().api(
      'GET',
      `/api/v1/metrics/breakdown?metric=nps&group_by=touchpoint&from=${from}&to=${to}`,
      key,
    );
    assert.equal(bd.status, 200, JSON.stringify(bd.body));
    const del = bd.body.groups.find((g: { key: string }) => g.key === 'delivery');
    assert.equal(del.n, 10);
    assert.equal(del.value, npsFromScores(NPS.slice(0, 10)).nps);
    assert.equal(
      bd.body.groups.find((g: { key: string }) => g.key === 'invoice').value,
      npsFromScores(NPS.slice(10)).nps,
    );
    assert.equal(typeof del.vs_rest.p_value, 'number');

    // The same question answered from raw rows (a window that is not whole days) agrees.
    const raw = await env().api(
      'GET',
      `/api/v1/metrics/series?metric=nps&group_by=department&granularity=week&from=2026-02-28T23:59:59Z&to=${to}`,
      key,
    );
    const roll = await env().api(
      'GET',
      `/api/v1/metrics/series?metric=nps&group_by=department&granularity=week&from=${from}&to=${to}`,
      key,
    );
    assert.equal(raw.body.source, 'raw');
    assert.equal(roll.body.source, 'rollup');
    assert.deepEqual(
      raw.body.series.map((s: { key: string; total: { value: number; n: number } }) => [
        s.key,
        s.total.value,
        s.total.n,
      ]),
      roll.body.series.map((s: { key: string; total: { value: number; n: number } }) => [
        s.key,
        s.total.value,
        s.total.n,
      ]),
    );
    assert.deepEqual(
      raw.body.series[0].points.map((p: { n: number }) => p.n),
      roll.body.series[0].points.map((p: { n: number }) => p.n),
    );

    // Filters: a segment filter can only be answered from raw rows; a topic filter finds the verbatim.
    const topic = await env().api('GET', `/api/v1/metrics/series?metric=nps&topic=delivery&from=${from}&to=${to}`, key);
    assert.equal(topic.status, 200, JSON.stringify(topic.body));
    assert.equal(topic.body.source, 'raw');
    assert.equal(topic.body.series[0].total.n, 1);
    const vb = await env().api('GET', `/api/v1/metrics/verbatims?metric=nps&box=detractor&from=${from}&to=${to}`, key);
    assert.equal(vb.status, 200, JSON.stringify(vb.body));
    assert.equal(vb.body.items.length, 1);
    assert.equal(vb.body.items[0].score, 3);
    assert.match(vb.body.items[0].text, /parcel/);

    for (const d of await verifyRollups(env().store.db, orgId)) assert.equal(d.mismatches, 0, JSON.stringify(d));
  });

  it('rejects unknown parameters and dimensions with field errors', async () => {
    const { key } = await env().newOrg();
    const bad = await env().api('GET', '/api/v1/metrics/breakdown?metric=nps&group_by=colour&foo=1', key);
    assert.equal(bad.status, 400);
    assert.match(bad.contentType, /problem\+json/);
    const fields = bad.body.errors.map((e: { field: string }) => e.field).sort();
    assert.deepEqual(fields, ['foo', 'group_by']);
    const attr = await env().api('GET', '/api/v1/metrics/breakdown?metric=nps&group_by=attr.plan&attr.plan=pro', key);
    assert.equal(attr.status, 200, JSON.stringify(attr.body));
  });

  it('keeps rollups equal to a recomputation under concurrent ingestion', async () => {
    const { orgId, key } = await env().newOrg();
    const batch = (b: number) =>
      Array.from({ length: 40 }, (_, i) => ({
        customer_email: `k${b}-${i % 7}@example.com`,
        touchpoint: ['delivery', 'invoice', 'support-chat'][i % 3],
        agent: i % 2 ? `agent-${i % 4}` : undefined,
        submitted_at: new Date(Date.parse(from) + ((b * 40 + i) % 10) * 86400_000).toISOString(),
        answers: [
          { field: 'nps', type: 'nps', value: (b + i) % 11 },
          { field: 'csat', type: 'csat', value: 1 + ((b * i) % 5) },
          { field: 'effort', type: 'ces', value: 1 + (i % 5), scale_max: 5, higher_is_easier: false },
        ],
      }));
    const ix = (b: number) =>
      Array.from({ length: 20 }, (_, i) => ({
        customer_email: `k${b}-${i % 7}@example.com`,
        kind: 'chat',
        touchpoint: 'support-chat',
        agent: `agent-${i % 4}`,
        external_id: `T-${i}`,
        text: i % 2 ? 'Thanks, great help' : 'Still waiting, terrible',
        opened_at: new Date(Date.parse(from) + i * 3600_000).toISOString(),
        ...(b % 2 ? { resolved_at: new Date(Date.parse(from) + i * 3600_000 + 600_000).toISOString() } : {}),
      }));
    const all = await Promise.all([
      ...Array.from({ length: 6 }, (_, b) => env().api('POST', '/api/v1/responses', key, batch(b))),
      ...Array.from({ length: 4 }, (_, b) => env().api('POST', '/api/v1/interactions', key, ix(b))),
    ]);
    for (const r of all) assert.ok(r.status < 300, JSON.stringify(r.body));
    const diffs = await verifyRollups(env().store.db, orgId);
    for (const d of diffs) {
      assert.equal(d.mismatches, 0, JSON.stringify(d));
      assert.ok(d.rows > 0, d.rollup);
    }
    // Rollup answers equal raw answers for every metric family.
    for (const metric of ['nps', 'csat', 'ces', 'sentiment', 'interactions', 'resolution_rate']) {
      const a = await env().api(
        'GET',
        `/api/v1/metrics/breakdown?metric=${metric}&group_by=touchpoint&from=${from}&to=${to}`,
        key,
      );
      const b = await env().api(
        'GET',
        `/api/v1/metrics/breakdown?metric=${metric}&group_by=touchpoint&from=2026-02-28T23:59:59Z&to=${to}`,
        key,
      );
      assert.equal(a.body.source, 'rollup', metric);
      assert.equal(b.body.source, 'raw', metric);
      assert.deepEqual(a.body.groups, b.body.groups, metric);
    }
  });

  it('answers from week/month rollups exactly as from raw rows, at every granularity', async () => {
    const { orgId, key } = await env().newOrg();
    // 120 days of answers from 2026-01-10 (a Saturday), a few per day, two touchpoints, agents on some.
    const start = Date.parse('2026-01-10T00:00:00Z');
    const rs = Array.from({ length: 240 }, (_, i) => ({
      customer_email: `p${i % 37}@example.com`,
      touchpoint: i % 3 ? 'delivery' : 'invoice',
      agent: i % 4 ? `agent-${i % 3}` : undefined,
      submitted_at: new Date(start + i * 12 * 3600_000 + (i % 7) * 600_000).toISOString(),
      answers: [
        { field: 'nps', type: 'nps', value: (i * 7) % 11 },
        { field: 'effort', type: 'ces', value: 1 + (i % 5), scale_max: 5, higher_is_easier: i % 2 === 0 },
      ],
    }));
    for (let i = 0; i < rs.length; i += 60) {
      const r = await env().api('POST', '/api/v1/responses', key, rs.slice(i, i + 60));
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    const w = (from: string, to: string) => `from=${from}T00:00:00Z&to=${to}T00:00:00Z`;
    const shifted = (from: string, to: string) => `from=${from}T00:00:00.001Z&to=${to}T00:00:00Z`;
    const cases = [
      ['2026-01-14', '2026-05-13'],
      ['2026-01-01', '2026-06-01'],
      ['2026-02-02', '2026-03-02'],
    ];
    for (const [a, b] of cases) {
      for (const g of ['day', 'week', 'month', 'quarter']) {
        for (const extra of ['metric=nps&group_by=touchpoint', 'metric=ces&group_by=agent', 'metric=nps&team=x,y']) {
          const roll = await env().api('GET', `/api/v1/metrics/series?${extra}&granularity=${g}&${w(a, b)}`, key);
          const raw = await env().api('GET', `/api/v1/metrics/series?${extra}&granularity=${g}&${shifted(a, b)}`, key);
          assert.equal(roll.status, 200, JSON.stringify(roll.body));
          assert.equal(roll.body.source, 'rollup');
          assert.equal(raw.body.source, 'raw');
          // A millisecond later start: no answer sits at midnight, so the figures are identical.
          assert.deepEqual(roll.body.series, raw.body.series, `${extra} ${g} ${a}..${b}`);
        }
      }
      const ov = await env().api('GET', `/api/v1/metrics/breakdown?metric=nps&group_by=department&${w(a, b)}`, key);
      const ovRaw = await env().api(
        'GET',
        `/api/v1/metrics/breakdown?metric=nps&group_by=department&${shifted(a, b)}`,
        key,
      );
      assert.equal(ov.body.source, 'rollup');
      assert.deepEqual(ov.body.groups, ovRaw.body.groups);
    }
    for (const d of await verifyRollups(env().store.db, orgId)) assert.equal(d.mismatches, 0, JSON.stringify(d));
  });
});
