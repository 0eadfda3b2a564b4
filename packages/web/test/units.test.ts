import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duration, durationUnit, signed } from '../src/units.js';

describe('durations read in one unit per figure', () => {
  it('a value picks its unit by size and names it in words', () => {
    assert.equal(duration(45), '45 s');
    assert.equal(duration(6 * 60), '6 min');
    assert.equal(duration(46.6 * 3600), '46.6 h');
    assert.equal(duration(3 * 86_400), '3.0 days');
    assert.equal(durationUnit(89), 's');
    assert.equal(durationUnit(90), 'min');
    assert.equal(durationUnit(47 * 3600), 'h');
    assert.equal(durationUnit(48 * 3600), 'd');
  });

  it('a change or margin in the unit of its value (the Overview read “6m, −84s” and “46.6h, −67m”)', () => {
    assert.equal(duration(84, durationUnit(360)), '1.4 min');
    assert.equal(duration(67 * 60, durationUnit(46.6 * 3600)), '1.1 h');
    assert.equal(duration(30, durationUnit(40)), '30 s');
    assert.equal(duration(2 * 3600, durationUnit(3 * 86_400)), '0.1 days');
    assert.equal(duration(1800, durationUnit(46.6 * 3600)), '0.5 h');
  });
});

describe('negative figures use one minus sign', () => {
  const nf2 = new Intl.NumberFormat('en', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
  it('“−”, as the changes and NPS read, never a hyphen', () => {
    assert.equal(signed(-0.54, nf2), '−0.54');
    assert.equal(signed(0.54, nf2), '0.54');
    assert.equal(signed(0.54, nf2, true), '+0.54');
    assert.equal(signed(-1234.5, nf2), '−1,234.50');
  });
  it('nothing that rounds to zero carries a sign', () => {
    assert.equal(signed(-0.001, nf2), '0.00');
    assert.equal(signed(0.001, nf2, true), '0.00');
  });
});
