// A trained text model's measured quality in words, for the models table and the training result.
import type { TextModel } from '../api';
import { count, pct, titleCase } from '../format';

export function quality(m: TextModel): string {
  const x = m.metrics ?? {};
  const n = x.holdout_examples;
  const on = n ? ` on ${count(n)} held-out examples` : '';
  if (x.holdout_accuracy !== undefined) return `${pct(x.holdout_accuracy)} correct${on}`;
  if (x.holdout_micro_f1 !== undefined) return `F1 ${x.holdout_micro_f1.toFixed(2)}${on}`;
  const rest = Object.entries(x);
  if (rest.length) return rest.map(([k, v]) => `${titleCase(k)} ${v}`).join(', ');
  return m.examples < 50 ? 'Not measured: 50 examples or more are needed' : 'Not measured';
}
