import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  axisRange,
  bandData,
  boundsOf,
  driverImportance,
  driverModelNote,
  fixFirst,
  loyaltyRate,
  mentionChange,
} from '../src/readings.js';

// Every measure the Trends page offers (pages/Trends.tsx METRICS) with its unit from the API.
const TREND_METRICS: [string, string][] = [
  ['nps', 'nps'],
  ['csat', 'percent'],
  ['csat_mean', 'mean'],
  ['ces', 'mean'],
  ['ces_easy', 'percent'],
  ['sentiment', 'index'],
  ['responses', 'count'],
  ['interactions', 'count'],
  ['resolution_rate', 'percent'],
  ['first_response_p50', 'seconds'],
  ['first_response_p90', 'seconds'],
  ['resolution_p50', 'seconds'],
];

describe('trend bands and axes', () => {
  it('every Trends measure has bounds: NPS and sentiment ±100, shares 0–100, scales their range, the rest ≥ 0', () => {
    const want: Record<string, [number | null, number | null]> = {
      nps: [-100, 100],
      sentiment: [-100, 100],
      csat: [0, 100],
      ces_easy: [0, 100],
      resolution_rate: [0, 100],
      csat_mean: [1, 5],
      ces: [1, 7],
    };
    for (const [m, unit] of TREND_METRICS) {
      const b = boundsOf(m, unit);
      assert.deepEqual([b.min, b.max], want[m] ?? [0, null], m);
      assert.ok(b.step > 0, m);
    }
    assert.deepEqual([boundsOf('other', 'percent').min, boundsOf('other', 'percent').max], [0, 100]);
  });

  it('a band around a negative NPS contains the point; one past +100 is clipped', () => {
    const { lower, height } = bandData(
      [
        { ci: { lower: -71, upper: 5 } }, // −33 ± 38: drawn from −71, not from 0
        { ci: { lower: 15, upper: 185 } }, // 100 ± 85 on a small sample: at most 100
        { ci: null },
        { ci: { lower: -140, upper: -60 } },
      ],
      boundsOf('nps', 'nps'),
    );
    assert.deepEqual(lower, [-71, 15, null, -100]);
    assert.deepEqual(height, [76, 85, null, 40]);
    // Stacked (lower + height) the upper edges stay within ±100 and contain the points.
    assert.equal(lower[0]! + height[0]!, 5);
    assert.ok(lower[0]! <= -33 && -33 <= lower[0]! + height[0]!);
    assert.equal(lower[1]! + height[1]!, 100);
  });

  it('shares and scale means are clipped to their range, times and counts at 0', () => {
    assert.deepEqual(bandData([{ ci: { lower: 92, upper: 104 } }], boundsOf('csat', 'percent')), {
      lower: [92],
      height: [8],
    });
    assert.deepEqual(bandData([{ ci: { lower: 0.6, upper: 1.8 } }], boundsOf('csat_mean', 'mean')), {
      lower: [1],
      height: [0.8],
    });
    assert.deepEqual(bandData([{ ci: { lower: -20, upper: 40 } }], boundsOf('first_response_p50', 'seconds')), {
      lower: [0],
      height: [40],
    });
  });

  it('the y axis fits the data with a little room and never runs past the bounds', () => {
    const nps = boundsOf('nps', 'nps');
    assert.deepEqual(axisRange(-71, 100, nps), { min: -80, max: 100 });
    assert.deepEqual(axisRange(-95, 185, nps), { min: -100, max: 100 });
    assert.deepEqual(axisRange(-33, 60, nps), { min: -40, max: 80 });
    const share = boundsOf('csat', 'percent');
    assert.deepEqual(axisRange(80, 100, share), { min: 70, max: 100 });
    assert.deepEqual(axisRange(100, 100, share), { min: 90, max: 100 });
    const r = axisRange(1, 5, boundsOf('csat_mean', 'mean'));
    assert.deepEqual(r, { min: 1, max: 5 });
  });
});

describe('topic mention change', () => {
  it('one wording: a signed percentage with its arrow; no arrow when nothing changed', () => {
    assert.deepEqual(mentionChange(1.04), { arrow: '▲', text: '+4% vs previous period' });
    assert.deepEqual(mentionChange(0.5), { arrow: '▼', text: '−50% vs previous period' });
    assert.deepEqual(mentionChange(2.5), { arrow: '▲', text: '+150% vs previous period' });
    assert.deepEqual(mentionChange(1), { arrow: '', text: 'no change vs previous period' });
    assert.deepEqual(mentionChange(1.004), { arrow: '', text: 'no change vs previous period' });
    assert.deepEqual(mentionChange(null, 12), { arrow: '', text: 'new this period' });
    assert.deepEqual(mentionChange(null, 0), { arrow: '', text: 'no mentions in either period' });
  });
});

describe('driver model readings', () => {
  it('a model that explains little says so, with R² and n', () => {
    const weak = driverModelNote(0.08, 108, 'NPS');
    assert.equal(weak.weak, true);
    assert.equal(weak.fit, 'R² = 0.08, n = 108');
    assert.match(weak.caveat ?? '', /only 8% of the variation in NPS/);
    const ok = driverModelNote(0.31, 1840, 'NPS');
    assert.deepEqual(ok, { weak: false, fit: 'R² = 0.31, n = 1,840', caveat: null });
  });

  it('importance reads the same in the table as on the chart axis: a positive share and its direction', () => {
    assert.deepEqual(driverImportance({ weight: 70.5, signed_weight: -70.5 }), { share: '70.5%', effect: 'lowers' });
    assert.deepEqual(driverImportance({ weight: 12.25, signed_weight: 12.25 }), { share: '12.3%', effect: 'raises' });
  });

  it('fix first lists only significant drivers; the others in the quadrant are set apart', () => {
    const ds = [
      { key: 'defect', significant: false, quadrant: 'fix_first' },
      { key: 'late', significant: true, quadrant: 'fix_first' },
      { key: 'price', significant: true, quadrant: 'maintain' },
    ];
    const r = fixFirst(['defect', 'late'], ds);
    assert.deepEqual(
      r.fix.map((d) => d.key),
      ['late'],
    );
    assert.deepEqual(
      r.unproven.map((d) => d.key),
      ['defect'],
    );
    // The API's newer answer lists only significant keys: the unproven ones come from the quadrant.
    const r2 = fixFirst(['late'], ds);
    assert.deepEqual(
      r2.unproven.map((d) => d.key),
      ['defect'],
    );
    assert.deepEqual(fixFirst([], [ds[0]!]).fix, []);
  });
});

describe('loyalty rates', () => {
  it('a rate whose follow-up has not passed is not yet known, not 0%', () => {
    assert.deepEqual(loyaltyRate({ value: null, n: 0, ci: null }, { pending: true, minN: 30 }), {
      text: 'not yet known',
      interval: null,
      note: null,
    });
  });

  it('intervals carry their % sign, and small samples their n', () => {
    assert.deepEqual(
      loyaltyRate({ value: 12.5, n: 8, ci: { lower: 2.2, upper: 43.1 } }, { pending: false, minN: 30 }),
      {
        text: '12.5%',
        interval: '(2–43%)',
        note: 'n = 8',
      },
    );
    assert.equal(
      loyaltyRate({ value: 81, n: 400, ci: { lower: 77, upper: 85 } }, { pending: false, minN: 30 }).note,
      null,
    );
  });
});
