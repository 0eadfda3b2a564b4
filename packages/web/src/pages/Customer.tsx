import { useEffect, useMemo, useState } from 'react';
import {
  api,
  type Customer as C,
  clearApiCache,
  type Me,
  type Page,
  type TimelineItem,
  useApi,
  withQuery,
} from '../api';
import { scoreLabels, TextBlock, texts } from '../components/Text';
import { Card, Chip, Empty, ErrorBox, Loading, PageHead, Toggle } from '../components/ui';
import { type HealthPartInput, healthScore, toScore100 } from '../core';
import { attributeDisplay, humanise, money } from '../display';
import { dateTime, day } from '../format';
import { useNames } from '../loop/common';
import { SERIES } from '../palette';
import { Link, navigate } from '../router';

const DAY = 86_400_000;
const ENGAGEMENT = new Set([
  'email_open',
  'email_click',
  'page_view',
  'app_action',
  'social_mention',
  'social_share',
  'review',
  'purchase',
  'renewal',
  'referral_made',
  'referral_converted',
]);

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/**
 * The customer's health from their own history (core's healthScore: weighted parts on 0–100,
 * unknown parts left out). The model is stated on the page next to the score.
 */
export function customerHealth(items: TimelineItem[], now = Date.now()) {
  const since = (days: number) => items.filter((i) => Date.parse(i.at) >= now - days * DAY);
  const answers = (type: string, days: number) =>
    since(days).flatMap((i) =>
      i.record_type === 'response'
        ? i.answers.filter((a) => a.type === type && typeof a.value === 'number').map((a) => a.value as number)
        : [],
    );
  const latestNps = items
    .filter((i): i is Extract<TimelineItem, { record_type: 'response' }> => i.record_type === 'response')
    .flatMap((r) =>
      r.answers
        .filter((a) => a.type === 'nps' && typeof a.value === 'number')
        .map((a) => ({ at: r.at, v: a.value as number })),
    )
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
  const sentiments = since(180).flatMap((i) => (i.analysis ?? []).map((a) => a.sentiment.score));
  const engagement = since(90).filter((i) => i.record_type === 'event' && ENGAGEMENT.has(i.type)).length;
  const tickets = since(365).filter((i) => i.record_type === 'interaction') as Extract<
    TimelineItem,
    { record_type: 'interaction' }
  >[];
  const lastCancel = items
    .filter((i) => i.record_type === 'event' && i.type === 'cancellation')
    .map((i) => Date.parse(i.at))
    .sort()
    .at(-1);
  const lastRenew = items
    .filter((i) => i.record_type === 'event' && (i.type === 'renewal' || i.type === 'purchase'))
    .map((i) => Date.parse(i.at))
    .sort()
    .at(-1);
  const cancelled = lastCancel !== undefined && (lastRenew === undefined || lastCancel > lastRenew);
  const parts: HealthPartInput[] = [
    {
      key: 'relationship',
      label: cancelled ? 'Relationship: cancelled' : 'Relationship: active',
      score: cancelled ? 0 : 100,
      weight: 2,
    },
    {
      key: 'recommend',
      label: latestNps ? `Latest NPS answer: ${latestNps.v}` : 'Latest NPS answer',
      score: toScore100(latestNps?.v, 0, 10),
      weight: 3,
    },
    {
      key: 'satisfaction',
      label: 'CSAT, last 12 months (1–5)',
      score: toScore100(mean(answers('csat', 365)), 1, 5),
      weight: 2,
    },
    {
      key: 'effort',
      label: 'Ease (CES), last 12 months (1–7)',
      score: toScore100(mean(answers('ces', 365)), 1, 7),
      weight: 1,
    },
    { key: 'sentiment', label: 'Text sentiment, last 6 months', score: toScore100(mean(sentiments), -1, 1), weight: 2 },
    {
      key: 'engagement',
      label: `Engagement events, last 90 days: ${engagement}`,
      score: toScore100(Math.min(engagement, 20), 0, 20),
      weight: 2,
    },
    {
      key: 'service',
      label: `Interactions resolved, last 12 months (${tickets.length})`,
      score: tickets.length ? (100 * tickets.filter((t) => t.resolved_at).length) / tickets.length : null,
      weight: 1,
    },
  ];
  return healthScore(parts);
}

/** A whole number as it is, anything else to one decimal: the health parts' sums then add up ("1.5 × 20% = 0.3", not "1 × 20% = 0.3"). */
function upToOneDecimal(x: number): string {
  const r = Math.round(x * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

function what(i: TimelineItem, survey: (k: string) => string): string {
  if (i.record_type === 'interaction') return `${humanise(i.kind)}${i.subject ? `: ${i.subject}` : ''}`;
  if (i.record_type === 'response') return `Survey${i.survey ? ` “${survey(i.survey)}”` : ''} answered`;
  return `${humanise(i.type)}${i.value !== null ? ` · ${money(i.value, i.currency)}` : ''}`;
}

const DOT: Record<string, string> = { interaction: SERIES[0]!, response: SERIES[1]!, event: SERIES[2]! };

/** A customer's data rights: a copy of everything held (JSON), and erasure for those allowed. */
function DataRights({ c, me }: { c: C; me?: Me }) {
  const [note, setNote] = useState('');
  const perms =
    (me?.user as { permissions?: string[] } | null)?.permissions ??
    (me as { permissions?: string[] } | undefined)?.permissions ??
    [];
  const download = async () => {
    setNote('');
    try {
      const doc = await api<unknown>('GET', `/api/v1/customers/${c.id}/export`);
      const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `customer-${c.id}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setNote((e as Error).message);
    }
  };
  const erase = async () => {
    if (
      !confirm(
        'Erase this customer? Their profile, identities, interactions, answers, events, texts and cases are deleted for good. This cannot be undone.',
      )
    )
      return;
    setNote('');
    try {
      await api('DELETE', `/api/v1/customers/${c.id}`);
      clearApiCache('/api/v1/customers');
      navigate('/customers');
    } catch (e) {
      setNote((e as Error).message);
    }
  };
  return (
    <div className="row-actions data-rights">
      <button type="button" className="secondary" onClick={download} data-testid="customer-export">
        Download their data
      </button>
      {perms.includes('ingest') && (
        <button type="button" className="secondary danger" onClick={erase} data-testid="customer-erase">
          Erase customer…
        </button>
      )}
      {note && (
        <span className="error inline" role="alert">
          {note}
        </span>
      )}
    </div>
  );
}

export default function Customer({ id, me }: { id?: string; me?: Me }) {
  const cust = useApi<C>(id ? `/api/v1/customers/${id}` : null);
  const first = useApi<Page<TimelineItem>>(id ? `/api/v1/customers/${id}/timeline` : null, {
    order: 'desc',
    limit: 500,
  });
  const [older, setOlder] = useState<{ items: TimelineItem[]; cursor: string | null }>({ items: [], cursor: null });
  const [kind, setKind] = useState('');
  useEffect(() => setOlder({ items: [], cursor: first.data?.next_cursor ?? null }), [first.data]);
  const items = useMemo(() => [...(first.data?.items ?? []), ...older.items], [first.data, older.items]);
  const health = useMemo(() => customerHealth(items), [items]);
  const names = useNames();
  const departments = [
    ...new Set(items.map((i) => ('department' in i ? i.department : null)).filter(Boolean)),
  ] as string[];

  if (cust.error) return <ErrorBox error={cust.error} />;
  if (!cust.data) return <Loading what="Loading customer" />;
  const c = cust.data;
  const email = c.identities.find((i) => i.kind === 'email')?.value;
  const shown = kind ? items.filter((i) => i.record_type === kind) : items;

  const loadOlder = async () => {
    if (!older.cursor) return;
    const p = await api<Page<TimelineItem>>(
      'GET',
      withQuery(`/api/v1/customers/${c.id}/timeline`, { order: 'desc', limit: 500, cursor: older.cursor }),
    );
    setOlder((o) => ({ items: [...o.items, ...p.items], cursor: p.next_cursor }));
  };

  return (
    <>
      <p>
        <Link to="/customers">← Customers</Link>
      </p>
      <PageHead title={c.name ?? email ?? 'Customer'}>
        {c.segment ? `${humanise(c.segment)} · ` : ''}customer since {day(c.acquired_at ?? c.created_at)}
        {c.acquisition_source ? ` · via ${humanise(c.acquisition_source)}` : ''}
      </PageHead>
      <div className="grid cols-3">
        <Card title="Health" className="span-2" testId="health">
          {first.loading && !first.data ? (
            <Loading what="Reading history" />
          ) : health.score === null ? (
            <Empty title="Not enough history for a health score">
              It needs at least one answer, text, event or interaction.
            </Empty>
          ) : (
            <>
              <div className="health">
                <span className="score" data-testid="health-score">
                  {health.score.toFixed(1)}
                </span>
                <span className={`badge ${health.band}`}>{humanise(health.band)}</span>
                <span className="note">
                  Weighted average of the parts below (0–100; red ≤ {health.thresholds.red}, yellow ≤{' '}
                  {health.thresholds.yellow}). Parts without data are left out.
                </span>
              </div>
              <div className="parts">
                {health.parts.map((p) => (
                  <div key={p.key} className="part" data-testid={`health-part-${p.key}`}>
                    <div>{p.label}</div>
                    {p.missing ? (
                      <div className="muted">no data</div>
                    ) : (
                      <>
                        <strong>{upToOneDecimal(p.score ?? 0)}</strong>{' '}
                        <span className="muted">
                          × {upToOneDecimal(p.share * 100)}% = {p.contribution.toFixed(1)} pts
                        </span>
                        <div className="meter" aria-hidden="true">
                          <span style={{ width: `${p.score}%` }} />
                        </div>
                      </>
                    )}
                  </div>
                ))}
              </div>
            </>
          )}
        </Card>
        <Card title="Profile">
          <dl className="dl">
            {c.identities.map((i) => (
              <div key={`${i.kind}:${i.value}`} style={{ display: 'contents' }}>
                <dt>{humanise(i.kind)}</dt>
                <dd>{i.value}</dd>
              </div>
            ))}
            {Object.entries(c.attributes).map(([k, v]) => {
              const a = attributeDisplay(k, v);
              return (
                <div key={k} style={{ display: 'contents' }} data-testid={`attr-${k}`}>
                  <dt title={k}>{a.label}</dt>
                  <dd>{a.value}</dd>
                </div>
              );
            })}
            {c.referred_by && (
              <>
                <dt>referred by</dt>
                <dd>
                  <Link to={`/customers/${c.referred_by}`}>a customer</Link>
                </dd>
              </>
            )}
          </dl>
          <DataRights c={c} me={me} />
          {departments.length > 0 && (
            <p className="note">
              Departments involved:{' '}
              {departments.map((d) => (
                <Chip key={d}>{names.department(d)}</Chip>
              ))}
            </p>
          )}
        </Card>
      </div>
      <Card
        title={`Timeline (${items.length.toLocaleString('en')}${older.cursor ? '+' : ''})`}
        actions={
          <Toggle
            label="Show"
            options={['', 'interaction', 'response', 'event'].map((k) => [k, k ? `${humanise(k)}s` : 'Everything'])}
            value={kind}
            onChange={setKind}
          />
        }
      >
        {first.error ? (
          <ErrorBox error={first.error} />
        ) : first.loading && !first.data ? (
          <Loading what="Loading timeline" />
        ) : shown.length === 0 && kind && items.length > 0 ? (
          // Filtered to a kind they have none of: say that, not that their history is empty.
          <Empty
            title={`No ${humanise(kind).toLowerCase()}s in this customer's history${older.cursor ? ' loaded so far' : ''}`}
          >
            {older.cursor ? 'Load older ones below, or ' : ''}
            <button type="button" className="link" onClick={() => setKind('')} data-testid="timeline-show-all">
              show everything
            </button>
            .
          </Empty>
        ) : shown.length === 0 ? (
          <Empty title="Nothing in this customer's history yet" />
        ) : (
          <ol className="timeline" data-testid="timeline">
            {shown.map((i) => {
              const tx =
                i.record_type === 'interaction'
                  ? texts(undefined, [{ field: 'text', text: i.text }], i.analysis)
                  : i.record_type === 'response'
                    ? texts(i.answers, [], i.analysis)
                    : texts(undefined, [{ field: 'text', text: i.text }], i.analysis);
              return (
                <li
                  key={`${i.record_type}:${i.id}`}
                  style={{ ['--dot' as string]: DOT[i.record_type] }}
                  data-testid="timeline-item"
                >
                  <div className="when">
                    {dateTime(i.at)} · {humanise(i.record_type)}
                    {'department' in i && i.department ? ` · ${names.department(i.department)}` : ''}
                    {i.touchpoint ? ` · ${names.touchpoint(i.touchpoint)}` : ''}
                    {'agent' in i && i.agent ? ` · agent ${names.agent(i.agent)}` : ''}
                  </div>
                  <div className="what">
                    {what(i, names.survey)}{' '}
                    {i.record_type === 'response' && scoreLabels(i.answers).map((s) => <Chip key={s}>{s}</Chip>)}
                    {i.record_type === 'interaction' && i.direction === 'outbound' && (
                      <Chip title="Sent by you: not read as the customer's words">From you</Chip>
                    )}
                    {i.record_type === 'interaction' && i.status && <Chip>{humanise(i.status)}</Chip>}
                  </div>
                  {tx.map((t) => (
                    <div key={t.field} className="verbatim">
                      <TextBlock text={t.text} analysis={t.analysis} />
                    </div>
                  ))}
                </li>
              );
            })}
          </ol>
        )}
        {older.cursor && (
          <button type="button" className="secondary" onClick={loadOlder}>
            Load older
          </button>
        )}
      </Card>
    </>
  );
}
