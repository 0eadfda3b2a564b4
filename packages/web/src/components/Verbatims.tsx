import { useEffect, useState } from 'react';
import {
  type Analysis,
  api,
  type InteractionRow,
  type Page,
  type Params,
  type ResponseRow,
  useApi,
  type Verbatims as V,
  type Verbatim,
  withQuery,
} from '../api';
import { dateTime, titleCase } from '../format';
import { useNames } from '../loop/common';
import { Link } from '../router';
import { TextBlock } from './Text';
import { Card, Chip, Empty, ErrorBox, Loading } from './ui';

/**
 * The analyses (with topic spans) of verbatims: the verbatims endpoint names the record, the
 * record APIs carry its analysis. One small request per shown item, all at once.
 */
async function analysesOf(items: Verbatim[]): Promise<Map<string, Analysis | undefined>> {
  const out = new Map<string, Analysis | undefined>();
  await Promise.all(
    items.map(async (v, i) => {
      const at = v.submitted_at ?? v.opened_at;
      if (!v.customer_id || !at) return;
      const isResponse = !!v.response_id;
      const to = new Date(Date.parse(at) + 1).toISOString();
      try {
        const page = await api<Page<ResponseRow | InteractionRow>>(
          'GET',
          withQuery(isResponse ? '/api/v1/responses' : '/api/v1/interactions', {
            customer_id: v.customer_id,
            from: at,
            to,
            limit: 20,
          }),
        );
        const rec = page.items.find((r) => r.id === (v.response_id ?? v.interaction_id));
        const field = v.field ?? 'text';
        out.set(String(i), rec?.analysis?.find((a) => a.field === field) ?? rec?.analysis?.[0]);
      } catch {
        out.set(String(i), undefined);
      }
    }),
  );
  return out;
}

/** The responses or texts behind a number: `params` are the metrics API's, as the chart used them. */
/**
 * The verbatims API narrows by score answers only (nps, csat, ces): a chart of another measure
 * (sentiment, times, counts) drills to every text behind it, a variant to its base answer.
 */
const SCORE_OF: Record<string, string> = { nps: 'nps', csat: 'csat', csat_mean: 'csat', ces: 'ces', ces_easy: 'ces' };
export function verbatimParams(params: Params): Params {
  const { metric, ...rest } = params;
  const score = typeof metric === 'string' ? SCORE_OF[metric] : undefined;
  return score ? { ...rest, metric: score } : rest;
}

export function VerbatimList({
  title,
  params,
  focus,
  onClose,
}: {
  title: string;
  params: Params;
  focus?: string;
  onClose?: () => void;
}) {
  const res = useApi<V>('/api/v1/metrics/verbatims', { limit: 20, ...verbatimParams(params) });
  const names = useNames();
  const [spans, setSpans] = useState<Map<string, Analysis | undefined>>(new Map());
  useEffect(() => {
    setSpans(new Map());
    if (!res.data) return;
    let live = true;
    analysesOf(res.data.items).then((m) => live && setSpans(m));
    return () => {
      live = false;
    };
  }, [res.data]);

  const feedbackLink = withQuery('/feedback', {
    topic: typeof params.topic === 'string' ? params.topic.split(',')[0] : undefined,
    sentiment: typeof params.sentiment === 'string' ? params.sentiment : undefined,
    touchpoint: typeof params.touchpoint === 'string' ? params.touchpoint : undefined,
  });

  return (
    <Card
      title={title}
      testId="verbatims"
      actions={
        <>
          <Link to={feedbackLink}>Open in feedback explorer</Link>
          {onClose && (
            <button type="button" className="link" onClick={onClose}>
              Close
            </button>
          )}
        </>
      }
    >
      {res.error ? (
        <ErrorBox error={res.error} />
      ) : res.loading || !res.data ? (
        <Loading what="Loading verbatims" />
      ) : res.data.items.length === 0 ? (
        <Empty title="No survey comments behind this number">
          The answers in it carry no comment, or the filters leave none. Texts from tickets, chats and emails are in the{' '}
          <Link to={withQuery(feedbackLink, { source: 'interactions' })} data-testid="verbatims-interactions">
            feedback explorer’s interactions
          </Link>
          .
        </Empty>
      ) : (
        <ul className="verbatims">
          {res.data.items.map((v, i) => {
            const analysis = spans.get(String(i));
            return (
              <li
                key={`${v.response_id ?? v.interaction_id}:${v.field ?? ''}`}
                className="verbatim"
                data-testid="verbatim"
              >
                <div className="meta">
                  <span>{dateTime(v.submitted_at ?? v.opened_at ?? '')}</span>
                  {v.touchpoint && <Chip>{names.touchpoint(v.touchpoint)}</Chip>}
                  {v.agent && <span>agent {names.agent(v.agent)}</span>}
                  {v.score !== null && v.score !== undefined && (
                    <strong>
                      {(v.score_type ?? 'score').toUpperCase()} {v.score}
                    </strong>
                  )}
                  {v.customer_id && <Link to={`/customers/${v.customer_id}`}>customer</Link>}
                </div>
                {analysis ? (
                  <TextBlock text={v.text} analysis={analysis} focus={focus} />
                ) : (
                  <>
                    <blockquote>{v.text}</blockquote>
                    <div className="meta">
                      {v.sentiment && <Chip tone={v.sentiment.label}>{titleCase(v.sentiment.label)}</Chip>}
                      {v.topics.map((t) => {
                        const k = typeof t === 'string' ? t : t.topic;
                        return (
                          <Chip key={k} tone="topic" title={k}>
                            {names.topic(k)}
                          </Chip>
                        );
                      })}
                    </div>
                  </>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {res.data?.next_cursor && (
        <p className="note">Showing the first {res.data.items.length}; the feedback explorer has them all.</p>
      )}
    </Card>
  );
}
