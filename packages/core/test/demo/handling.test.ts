import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoCaseHandling } from '../../src/demo/index.js';

const NOW = new Date('2026-11-01T00:00:00Z');
const HOUR = 3_600_000;

describe('demo case handling', () => {
  const at = (hoursBefore: number) => new Date(NOW.getTime() - hoursBefore * HOUR);
  const kase = (key: string, hoursBefore: number, priority: 'normal' | 'urgent' = 'normal') => ({
    key,
    openedAt: at(hoursBefore),
    priority,
    department: 'delivery',
  });

  it('is the same for the same seed and case, different for another seed', () => {
    const a = demoCaseHandling(1, kase('C000001|Detractor', 24 * 200), NOW);
    assert.deepEqual(a, demoCaseHandling(1, kase('C000001|Detractor', 24 * 200), NOW));
    assert.notDeepEqual(a.closedAt, demoCaseHandling(2, kase('C000001|Detractor', 24 * 200), NOW).closedAt);
  });

  it('closes old cases with times in order, history steps and what was done', () => {
    for (let i = 0; i < 200; i++) {
      const h = demoCaseHandling(3, kase(`C${i}`, 24 * 90), NOW);
      assert.equal(h.status, 'closed');
      const t = [at(24 * 90), h.firstActionAt!, h.resolvedAt!, h.closedAt!].map((d) => d.getTime());
      assert.ok(t[0]! < t[1]! && t[1]! < t[2]! && t[2]! < t[3]! && t[3]! <= NOW.getTime());
      assert.ok(h.assignee && ['Sam Support', 'Demo Admin'].includes(h.assignee));
      assert.ok(h.actionsTaken.length >= 1);
      assert.equal(h.steps.at(-1)?.to, 'closed');
      assert.ok(
        h.steps.every((s, k) => k === 0 || s.at >= h.steps[k - 1]!.at),
        'steps in time order',
      );
      assert.deepEqual(h.updatedAt, h.closedAt);
    }
  });

  it('leaves recent cases in the states they would be in now', () => {
    const recent = Array.from({ length: 300 }, (_, i) => demoCaseHandling(4, kase(`R${i}`, (i % 72) + 0.5), NOW));
    const states = new Set(recent.map((h) => h.status));
    for (const s of ['new', 'in_progress', 'resolved'] as const) assert.ok(states.has(s), `some ${s}`);
    for (const h of recent) {
      if (h.status === 'new') assert.equal(h.firstActionAt, null);
      for (const d of [h.firstActionAt, h.resolvedAt, h.closedAt]) if (d) assert.ok(d <= NOW, 'nothing after now');
    }
    // Urgent cases are picked up sooner.
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const first = (p: 'normal' | 'urgent') =>
      median(
        Array.from({ length: 300 }, (_, i) => demoCaseHandling(5, kase(`U${i}`, 24 * 60, p), NOW)).map(
          (h) => h.firstActionAt!.getTime() - at(24 * 60).getTime(),
        ),
      );
    assert.ok(first('urgent') < first('normal'));
  });
});
