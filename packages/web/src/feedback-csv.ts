/**
 * The feedback explorer's rows, the filters the list and its CSV export share, and the CSV itself
 * (pure: packages/web/test/feedback-csv.test.ts covers it).
 */

export type FeedbackSource = 'responses' | 'interactions';

export interface FeedbackText {
  field: string;
  text: string;
  analysis?: { sentiment: { label: string; score: number }; topics: { topic: string }[] } | undefined;
}

export interface FeedbackRow {
  id: string;
  kind: string;
  at: string;
  customer_id: string | null;
  touchpoint: string | null;
  department: string | null;
  channel: string | null;
  agent: string | null;
  /** A response's score answers (NPS 9, CSAT 4/5 …); empty for an interaction. */
  scores: string[];
  /** An interaction's status and outcome; null for a response. */
  status: string | null;
  outcome: string | null;
  texts: FeedbackText[];
}

/** Whether a text is what the sentiment and topic chips ask for (an unanalysed text matches neither). */
export function textMatches(t: FeedbackText, sentiment: string, topic: string): boolean {
  if (sentiment && t.analysis?.sentiment.label !== sentiment) return false;
  if (topic && !t.analysis?.topics.some((s) => s.topic === topic || s.topic.startsWith(`${topic}.`))) return false;
  return true;
}

/**
 * The rows the list shows and the export writes: each record with only its texts that match the
 * chips (a subject line without sentiment is not "negative"), records with none left out.
 */
export function narrowRows<R extends FeedbackRow>(rows: R[], sentiment: string, topic: string): R[] {
  const out: R[] = [];
  for (const r of rows) {
    const texts = r.texts.filter((t) => textMatches(t, sentiment, topic)) as R['texts'];
    if (texts.length) out.push({ ...r, texts });
  }
  return out;
}

/**
 * One CSV cell. Text that a spreadsheet would run as a formula (leading = + - @, tab or CR) gets a
 * leading apostrophe; numbers are numbers and are written as they are (−0.175 stays -0.175).
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return String(v);
  const s = String(v);
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The header of an export: responses carry scores, interactions a status and an outcome. */
export function csvHeader(source: FeedbackSource): string[] {
  return [
    'id',
    'kind',
    'at',
    'customer_id',
    'touchpoint',
    'department',
    'channel',
    'agent',
    ...(source === 'responses' ? ['scores'] : ['status', 'outcome']),
    'field',
    'text',
    'sentiment',
    'sentiment_score',
    'topics',
  ];
}

/** One line per text of each row (CRLF, as RFC 4180 has it). */
export function feedbackCsv(rows: FeedbackRow[], source: FeedbackSource): string {
  const lines = [csvHeader(source).join(',')];
  for (const r of rows)
    for (const t of r.texts)
      lines.push(
        [
          r.id,
          r.kind,
          r.at,
          r.customer_id,
          r.touchpoint,
          r.department,
          r.channel,
          r.agent,
          ...(source === 'responses' ? [r.scores.join('; ')] : [r.status, r.outcome]),
          t.field,
          t.text,
          t.analysis?.sentiment.label,
          t.analysis?.sentiment.score,
          [...new Set(t.analysis?.topics.map((s) => s.topic))].join('; '),
        ]
          .map(csvCell)
          .join(','),
      );
  return `${lines.join('\r\n')}\r\n`;
}
