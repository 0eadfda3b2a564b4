import { useEffect, useMemo, useState } from 'react';
import {
  api,
  type InteractionRow,
  type Page,
  type Params,
  type ResponseRow,
  type TopicCount,
  type Touchpoint,
  useApi,
  withQuery,
} from '../api';
import { scoreLabels, TextBlock, texts } from '../components/Text';
import { Card, Chip, Empty, ErrorBox, Loading, NoDataHint, PageHead, Toggle } from '../components/ui';
import { humanise } from '../display';
import { type FeedbackRow, type FeedbackSource, feedbackCsv, narrowRows } from '../feedback-csv';
import { activeFilterCount, setParams, toParams, useFilters, useParam } from '../filters';
import { dateTime, titleCase } from '../format';
import { useNames } from '../loop/common';
import { Link } from '../router';

type Source = FeedbackSource;
type Row = Omit<FeedbackRow, 'texts'> & { texts: ReturnType<typeof texts> };

const PAGE = 100;

function toRows(source: Source, items: (ResponseRow | InteractionRow)[], channelOf: Map<string, string>): Row[] {
  return items.map((it) => {
    if (source === 'responses') {
      const r = it as ResponseRow;
      return {
        id: r.id,
        kind: r.survey ? `survey: ${r.survey}` : r.source,
        at: r.submitted_at,
        customer_id: r.customer_id,
        touchpoint: r.touchpoint,
        department: r.department,
        channel: r.touchpoint ? (channelOf.get(r.touchpoint) ?? null) : null,
        agent: r.agent,
        scores: scoreLabels(r.answers),
        status: null,
        outcome: null,
        texts: texts(r.answers, [], r.analysis),
      };
    }
    const x = it as InteractionRow;
    return {
      id: x.id,
      kind: x.kind,
      at: x.opened_at,
      customer_id: x.customer_id,
      touchpoint: x.touchpoint,
      department: x.department,
      channel: x.channel ?? (x.touchpoint ? (channelOf.get(x.touchpoint) ?? null) : null),
      agent: x.agent,
      scores: [],
      status: x.status,
      outcome: x.outcome,
      texts: texts(
        undefined,
        [
          { field: 'subject', text: x.subject },
          { field: 'text', text: x.text },
        ],
        x.analysis,
      ),
    };
  });
}

/*
 * The record APIs filter by everything on the server (department, channel, segment, topic with its
 * children, sentiment, has text); a record's sentiment filter matches any of its texts, so the
 * list and the export keep only the texts that match (narrowRows in feedback-csv.ts).
 */

export default function Feedback() {
  const f = useFilters();
  const source = (useParam('source', 'responses') === 'interactions' ? 'interactions' : 'responses') as Source;
  const sentiment = useParam('sentiment');
  const topic = useParam('topic');
  const agent = useParam('agent');
  const tps = useApi<{ items: Touchpoint[] }>('/api/v1/touchpoints');
  const channelOf = useMemo(() => new Map((tps.data?.items ?? []).map((t) => [t.key, t.channel])), [tps.data]);
  const base: Params = useMemo(() => {
    const p = toParams(f);
    return {
      from: p.from as string,
      to: p.to as string,
      touchpoint: f.touchpoint || undefined,
      department: f.department || undefined,
      channel: f.channel || undefined,
      segment: f.segment || undefined,
      agent: agent || undefined,
      topic: topic || undefined,
      sentiment: sentiment || undefined,
      has_text: 'true',
      limit: PAGE,
    };
  }, [f, agent, topic, sentiment]);
  // The first page also brings the topic counts of the whole filtered set (the chips), not only
  // of the records loaded.
  const first = useApi<Page<ResponseRow | InteractionRow> & { topic_counts?: TopicCount[] }>(`/api/v1/${source}`, {
    ...base,
    topic_counts: 'true',
  });
  const [more, setMore] = useState<{ items: (ResponseRow | InteractionRow)[]; cursor: string | null }>({
    items: [],
    cursor: null,
  });
  const [busy, setBusy] = useState(false);
  const [exporting, setExporting] = useState('');

  useEffect(() => setMore({ items: [], cursor: first.data?.next_cursor ?? null }), [first.data]);

  const all = useMemo(
    () => toRows(source, [...(first.data?.items ?? []), ...more.items], channelOf),
    [source, first.data, more.items, channelOf],
  );
  const shown = useMemo(() => narrowRows(all, sentiment, topic), [all, sentiment, topic]);
  const names = useNames();
  // The kind in words: the survey's name, or the interaction kind ("survey: delivery-csat" → "Survey: Delivery CSAT").
  const kindLabel = (r: Row) =>
    r.kind.startsWith('survey: ') ? `Survey: ${names.survey(r.kind.slice(8))}` : humanise(r.kind);
  const topicCounts = (first.data?.topic_counts ?? [])
    .filter((c) => c.topic !== topic && !c.topic.includes('.'))
    .slice(0, 12);
  const pickedCount = first.data?.topic_counts?.find((c) => c.topic === topic)?.records;

  const loadMore = async () => {
    if (!more.cursor) return;
    setBusy(true);
    try {
      const page = await api<Page<ResponseRow | InteractionRow>>(
        'GET',
        withQuery(`/api/v1/${source}`, { ...base, cursor: more.cursor }),
      );
      setMore((m) => ({ items: [...m.items, ...page.items], cursor: page.next_cursor }));
    } finally {
      setBusy(false);
    }
  };

  const exportCsv = async () => {
    setExporting('Exporting…');
    try {
      const items: (ResponseRow | InteractionRow)[] = [];
      let cursor: string | null | undefined;
      do {
        const page: Page<ResponseRow | InteractionRow> = await api(
          'GET',
          withQuery(`/api/v1/${source}`, { ...base, limit: 500, cursor: cursor ?? undefined }),
        );
        items.push(...page.items);
        cursor = page.next_cursor;
        setExporting(`Exporting… ${items.length.toLocaleString('en')} records`);
      } while (cursor && items.length < 20_000);
      const rows = narrowRows(toRows(source, items, channelOf), sentiment, topic);
      const blob = new Blob([feedbackCsv(rows, source)], { type: 'text/csv;charset=utf-8' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `canopy-${source}-${f.from}-${f.to}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      setExporting(`Exported ${rows.length.toLocaleString('en')} rows${cursor ? ' (first 20,000 records)' : ''}`);
    } catch (e) {
      setExporting(`Export failed: ${(e as Error).message}`);
    }
  };

  return (
    <>
      <PageHead title="Feedback explorer">
        Every survey answer and interaction text, with its sentiment and topics. Marked words are what made the analysis
        find a topic: <mark className="pos">positive</mark>, <mark className="neg">negative</mark> or{' '}
        <mark>neutral</mark> about it (hover one for its topic). Click a sentiment or topic below to narrow the list.
      </PageHead>
      <Card
        title={
          <Toggle
            label="Records"
            options={[
              ['responses', 'Survey responses'],
              ['interactions', 'Interactions'],
            ]}
            value={source}
            onChange={(v) => setParams({ source: v === 'responses' ? '' : v })}
          />
        }
        actions={
          <>
            {exporting && (
              <span className="note" role="status">
                {exporting}
              </span>
            )}
            <button type="button" className="secondary" onClick={exportCsv} data-testid="export-csv">
              Export CSV
            </button>
          </>
        }
      >
        <div className="toolbar">
          <Toggle
            label="Sentiment"
            options={['', 'positive', 'neutral', 'negative'].map((v) => [v, v ? titleCase(v) : 'Any sentiment'])}
            value={sentiment}
            onChange={(v) => setParams({ sentiment: v })}
          />
        </div>
        {(topic || topicCounts.length > 0) && (
          <div className="toolbar">
            <fieldset className="seg" data-testid="topic-chips">
              <legend className="sr-only">Topic</legend>
              {topic && (
                <button
                  type="button"
                  aria-pressed="true"
                  aria-label={`Topic: ${names.topic(topic)}. Remove this filter`}
                  title="Remove this filter"
                  onClick={() => setParams({ topic: '' })}
                  data-testid="topic-clear"
                  data-topic={topic}
                >
                  Topic: {names.topic(topic)}{' '}
                  {pickedCount !== undefined && <span className="muted">{pickedCount.toLocaleString('en')}</span>} ✕
                </button>
              )}
              {topicCounts.map((c) => (
                <button
                  key={c.topic}
                  type="button"
                  aria-pressed="false"
                  onClick={() => setParams({ topic: c.topic })}
                  data-testid="topic-chip"
                  data-topic={c.topic}
                  data-records={c.records}
                >
                  {names.topic(c.topic)} <span className="muted">{c.records.toLocaleString('en')}</span>
                </button>
              ))}
            </fieldset>
            {topicCounts.length > 0 && (
              <span className="note">
                {source === 'responses' ? 'Responses' : 'Interactions'} mentioning each topic
                {sentiment ? ` in a ${sentiment} text` : ''}, in the whole period with these filters.
              </span>
            )}
          </div>
        )}
        {agent && (
          <p className="note">
            Agent: <strong>{names.agent(agent)}</strong>{' '}
            <button type="button" className="link" onClick={() => setParams({ agent: '' })}>
              show all agents
            </button>
          </p>
        )}
        {first.error ? (
          <ErrorBox error={first.error} />
        ) : first.loading && !first.data ? (
          <Loading what={`Loading ${source}`} />
        ) : shown.length === 0 ? (
          <Empty title="No texts match">
            {all.length > 0 && more.cursor ? 'Load more records, or loosen the sentiment and topic chips. ' : ''}
            <NoDataHint filtered={activeFilterCount(f) > 0 || !!sentiment || !!topic} />
          </Empty>
        ) : (
          <ul className="verbatims" data-testid="feedback-list">
            {shown.map((r) => (
              <li key={r.id} className="verbatim" data-testid="feedback-item">
                <div className="meta">
                  <span>{dateTime(r.at)}</span>
                  <span>{kindLabel(r)}</span>
                  {r.touchpoint && <Chip>{names.touchpoint(r.touchpoint)}</Chip>}
                  {r.agent && <span>agent {names.agent(r.agent)}</span>}
                  {r.scores.map((s) => (
                    <strong key={s}>{s}</strong>
                  ))}
                  {r.status && <strong>{humanise(r.status)}</strong>}
                  {r.outcome && <span>{humanise(r.outcome)}</span>}
                  {r.customer_id && <Link to={`/customers/${r.customer_id}`}>customer</Link>}
                </div>
                {r.texts.map((t) => (
                  <div key={t.field}>
                    <TextBlock text={t.text} analysis={t.analysis} focus={topic || undefined} />
                  </div>
                ))}
              </li>
            ))}
          </ul>
        )}
        <p className="note">
          {shown.length.toLocaleString('en')} shown of {all.length.toLocaleString('en')} records loaded.{' '}
          {more.cursor && (
            <button type="button" className="secondary" onClick={loadMore} disabled={busy}>
              {busy ? 'Loading…' : `Load ${PAGE} more`}
            </button>
          )}
        </p>
      </Card>
    </>
  );
}
