import type { ReactNode } from 'react';
import type { Analysis, Answer, TopicSpan } from '../api';
import { titleCase } from '../format';
import { useTaxonomy } from '../loop/common';
import { Chip, SentimentChip } from './ui';

/** The text with each topic's triggering span marked (spans come from the text analysis). */
export function Highlighted({ text, spans, focus }: { text: string; spans: TopicSpan[]; focus?: string }) {
  const { label } = useTaxonomy();
  // A topic model's mention has no span of its own (it covers the whole text): its chip shows it.
  const sorted = [...spans]
    .filter((s) => !s.detected_by && s.end > s.start && s.start >= 0 && s.end <= text.length)
    .sort((a, b) => a.start - b.start);
  const out: ReactNode[] = [];
  let at = 0;
  for (const s of sorted) {
    if (s.start < at) continue; // overlapping: the first one wins
    if (s.start > at) out.push(text.slice(at, s.start));
    const hit = !focus || s.topic === focus || s.topic.startsWith(`${focus}.`);
    const tone = s.sentiment.label === 'negative' ? 'neg' : s.sentiment.label === 'positive' ? 'pos' : '';
    out.push(
      hit ? (
        <mark
          key={s.start}
          className={tone}
          title={`${label(s.topic)} · ${s.sentiment.label}${s.sentiment.model ? ` (${s.sentiment.model})` : ''}`}
          data-topic={s.topic}
        >
          {text.slice(s.start, s.end)}
        </mark>
      ) : (
        text.slice(s.start, s.end)
      ),
    );
    at = s.end;
  }
  if (at < text.length) out.push(text.slice(at));
  return <>{out}</>;
}

export function TopicChips({ analysis }: { analysis: Analysis | undefined }) {
  const { label } = useTaxonomy();
  if (!analysis) return null;
  const seen = new Set<string>();
  return (
    <>
      {analysis.topics
        .filter((t) => !seen.has(t.topic) && seen.add(t.topic))
        .map((t) => (
          <Chip
            key={t.topic}
            tone="topic"
            title={`${label(t.topic)} (${t.topic}) · ${t.sentiment.label}${
              t.detected_by
                ? t.detected_by === 'org-topic-model'
                  ? ' · found by your trained topic classifier'
                  : ` · found by the topic model '${t.detected_by}'`
                : ''
            }${t.sentiment.model ? ` · sentiment by '${t.sentiment.model}'` : ''}`}
          >
            {label(t.topic)}
          </Chip>
        ))}
    </>
  );
}

/** A response's or interaction's text fields with their analyses. */
export function texts(
  answers: Answer[] | undefined,
  single: { field: string; text: string | null }[],
  analyses: Analysis[] | undefined,
): { field: string; text: string; analysis: Analysis | undefined }[] {
  const list: { field: string; text: string }[] = [];
  for (const a of answers ?? [])
    if (a.type === 'text' && typeof a.value === 'string' && a.value) list.push({ field: a.field, text: a.value });
  for (const s of single) if (s.text) list.push({ field: s.field, text: s.text });
  return list.map((t) => ({ ...t, analysis: analyses?.find((a) => a.field === t.field) }));
}

export function TextBlock({ text, analysis, focus }: { text: string; analysis: Analysis | undefined; focus?: string }) {
  return (
    <>
      <blockquote>
        <Highlighted text={text} spans={analysis?.topics ?? []} focus={focus} />
      </blockquote>
      <div className="meta">
        <SentimentChip s={analysis?.sentiment} />
        <TopicChips analysis={analysis} />
        {analysis?.intent && <Chip>intent: {analysis.intent.label.replace(/_/g, ' ')}</Chip>}
        {analysis?.churn_threat && <Chip tone="warn">churn threat</Chip>}
        {analysis?.urgent && <Chip tone="warn">urgent</Chip>}
        {analysis?.pii_kinds.length ? <Chip tone="warn">contains {analysis.pii_kinds.join(', ')}</Chip> : null}
        {analysis?.emotions.map((e) => (
          <Chip key={e}>{titleCase(e)}</Chip>
        ))}
      </div>
    </>
  );
}

/** Score answers of a response as short labels (NPS 9, CSAT 4/5 …). */
export function scoreLabels(answers: Answer[] | undefined): string[] {
  return (answers ?? [])
    .filter((a) => typeof a.value === 'number')
    .map(
      (a) =>
        `${a.type === 'nps' || a.type === 'csat' || a.type === 'ces' ? a.type.toUpperCase() : titleCase(a.field)} ${a.value}${a.scale_max ? `/${a.scale_max}` : ''}`,
    );
}
