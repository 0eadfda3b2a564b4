import type { SentimentLabel } from './types.js';

/**
 * Reads the output of an outside sentiment classifier (an org's ONNX model) as Canopy sentiment:
 * a score −1..1 and a label. Two label schemes are understood, by name:
 * - polarity classes: names containing "neg", "neu", "pos" (negative/neutral/positive, NEGATIVE/
 *   POSITIVE …): score = P(positive) − P(negative); label = the most probable class when the model
 *   has a neutral class, else by the score (|score| < `neutralBand` is neutral);
 * - star ratings: "1 star" … "5 stars": score = expected stars rescaled to −1..1; label positive
 *   from half a star above the middle, negative from half a star below.
 * Anything else is refused with the labels named: a model's LABEL_0, LABEL_1 could mean anything.
 */
export interface LabelSentimentReader {
  scheme: 'polarity' | 'stars';
  read(probs: ArrayLike<number>): { score: number; label: SentimentLabel };
}

export function labelSentimentReader(labels: readonly string[], neutralBand = 0.5): LabelSentimentReader {
  const stars = labels.map((l) => /^\s*(\d+)\s*stars?\s*$/i.exec(l));
  if (labels.length >= 2 && stars.every((m) => m !== null)) {
    const value = stars.map((m) => Number((m as RegExpExecArray)[1]));
    const lo = Math.min(...value);
    const hi = Math.max(...value);
    if (hi === lo) throw new Error(`sentiment labels ${labels.join(', ')}: star ratings need at least two values`);
    const mid = (lo + hi) / 2;
    return {
      scheme: 'stars',
      read(p) {
        let e = 0;
        let z = 0;
        for (let i = 0; i < value.length; i++) {
          e += value[i] * p[i];
          z += p[i];
        }
        e /= z || 1;
        const score = (e - mid) / ((hi - lo) / 2);
        const label: SentimentLabel = e >= mid + 0.5 ? 'positive' : e <= mid - 0.5 ? 'negative' : 'neutral';
        return { score: clamp(score), label };
      },
    };
  }
  const kind = labels.map((l) => {
    const s = l.toLowerCase();
    const hits = (['neg', 'neu', 'pos'] as const).filter((k) => s.includes(k));
    return hits.length === 1 ? hits[0] : null;
  });
  const neg = kind.indexOf('neg');
  const pos = kind.indexOf('pos');
  const neu = kind.indexOf('neu');
  const unique = (k: string) => kind.filter((x) => x === k).length <= 1;
  if (neg < 0 || pos < 0 || kind.includes(null) || !unique('neg') || !unique('pos') || !unique('neu')) {
    throw new Error(
      `sentiment labels ${labels.map((l) => `'${l}'`).join(', ')} cannot be read: name them negative/neutral/positive or '1 star' … '5 stars' in config.json id2label`,
    );
  }
  return {
    scheme: 'polarity',
    read(p) {
      const score = clamp(p[pos] - p[neg]);
      let label: SentimentLabel;
      if (neu >= 0) {
        label = p[pos] >= p[neg] && p[pos] >= p[neu] ? 'positive' : p[neg] >= p[neu] ? 'negative' : 'neutral';
      } else label = score >= neutralBand ? 'positive' : score <= -neutralBand ? 'negative' : 'neutral';
      return { score, label };
    },
  };
}

const clamp = (x: number) => Math.max(-1, Math.min(1, x));
