import { type Drivers, type Kpi, type Overview as O, useApi } from '../api';
import {
  Card,
  Change,
  Empty,
  ErrorBox,
  Help,
  Loading,
  N,
  NoDataHint,
  PageHead,
  Sparkline,
  Value,
} from '../components/ui';
import { activeFilterCount, granularityFor, toParams, useFilters } from '../filters';
import { day } from '../format';
import { useNames } from '../loop/common';
import { driverImportance, driverModelNote, fixFirst } from '../readings';
import { Link } from '../router';

const LAYERS: {
  key: 'service' | 'experience' | 'engagement';
  title: string;
  question: string;
  kpis: [string, string, boolean][];
}[] = [
  {
    key: 'service',
    title: 'Service',
    question: 'What did we do?',
    kpis: [
      ['csat', 'CSAT (top-2-box)', true],
      ['resolution_rate', 'Resolved', true],
      ['first_response_p50', 'First response (median)', true],
      ['resolution_p50', 'Time to resolve (median)', true],
      ['interactions', 'Interactions', true],
    ],
  },
  {
    key: 'experience',
    title: 'Experience',
    question: 'How did customers feel?',
    kpis: [
      ['nps', 'NPS', true],
      ['ces', 'Ease (CES, 1–7)', true],
      ['sentiment', 'Sentiment index', true],
      ['expectation_gap', 'Perception − expectation', false],
    ],
  },
  {
    key: 'engagement',
    title: 'Engagement',
    question: 'What did it lead to?',
    kpis: [
      ['engagement_score', 'Engagement score', false],
      ['retention', 'Retention', false],
      ['churn', 'Churn', false],
      ['repeat_purchase', 'Repeat purchase', false],
      ['referral_rate', 'Referral rate', false],
      ['revenue_per_customer', 'Revenue per customer', false],
      ['ltv', 'Lifetime value', false],
    ],
  },
];

function KpiRow({ id, name, k, trend }: { id: string; name: string; k: Kpi | undefined; trend: boolean }) {
  if (!k) return null;
  // The whole row opens the trend (a stretched link), with the “?” above it so it stays clickable.
  return (
    <div className={`kpi${trend ? ' kpi-link' : ''}`} data-testid={`kpi-row-${id}`}>
      <span className="name">
        {trend ? (
          <Link to={`/trends?metric=${id}`} className="stretch" aria-label={`${name}: open its trend`}>
            {name}
          </Link>
        ) : (
          name
        )}
        <Help term={id} label={name} />
      </span>
      <Value f={k} testId={`kpi-${id}`} />
      {k.sparkline.length > 1 ? <Sparkline points={k.sparkline} /> : <span />}
      {k.n === 0 ? (
        // Nothing to measure: not "no previous data · n = 0 ⚠︎ small sample".
        <span className="meta muted" data-testid={`kpi-none-${id}`}>
          no data in this period
        </span>
      ) : (
        <span className="meta">
          <Change c={k} unit={k.unit} metric={id} />
          <N f={k} />
        </span>
      )}
    </div>
  );
}

/** The significant drivers that are important and under-perform, with what the model is worth. */
function FixFirst({ d }: { d: Drivers }) {
  const { fix, unproven } = fixFirst(d.fix_first, d.drivers);
  const model = driverModelNote(d.r2 ?? 0, d.n, 'NPS');
  const names = useNames();
  return (
    <>
      {fix.length === 0 ? (
        <p className="note" data-testid="fix-first-none">
          {unproven.length > 0
            ? `No driver is clearly worth fixing first: ${unproven.length === 1 ? 'the one' : `the ${unproven.length}`} that look important and weak (${unproven
                .slice(0, 3)
                .map((x) => x.label)
                .join(', ')}) could be chance (not statistically significant).`
            : 'No driver is both important and under-performing in this period.'}
        </p>
      ) : (
        <ol>
          {fix.slice(0, 3).map((drv) => {
            const imp = driverImportance(drv);
            return (
              <li key={drv.key}>
                <Link to={`/topics?topic=${encodeURIComponent(drv.key)}`}>{drv.label}</Link>
                <span className="muted">
                  {' '}
                  — {imp.share} of what the model explains ({imp.effect} NPS)
                  {drv.department ? `, owned by ${names.department(drv.department)}` : ''}
                </span>
              </li>
            );
          })}
        </ol>
      )}
      <p className="note" data-testid="fix-first-model" data-weak={model.weak ? 'true' : 'false'}>
        Driver model: {model.fit}.
        {model.caveat && (
          <>
            {' '}
            <strong>Read with care:</strong> {model.caveat}
          </>
        )}
      </p>
    </>
  );
}

export default function Overview() {
  const f = useFilters();
  const params = { ...toParams(f), granularity: granularityFor(f) };
  const o = useApi<O>('/api/v1/metrics/overview', params);
  const d = useApi<Drivers>('/api/v1/metrics/drivers', { ...toParams(f), max_drivers: 12 });

  return (
    <>
      <PageHead title="Overview">
        {day(`${f.from}T00:00:00Z`)} – {day(`${f.to}T00:00:00Z`)}, against the period of equal length before it. ± is
        the 95% margin of error <Help term="margin" label="the margin" />; a change marked “significant” is unlikely to
        be chance <Help term="significant" label="significant" />; n is the sample size <Help term="n" label="n" />.
        Click a measure for its trend, a “?” for what it means.
      </PageHead>
      {o.error ? (
        <ErrorBox error={o.error} />
      ) : !o.data ? (
        <Loading what="Computing the overview" />
      ) : (
        <>
          <div className="grid cols-3">
            {LAYERS.map((l) => {
              const group = o.data![l.key];
              const empty = l.kpis.every(([k]) => !group[k] || group[k].n === 0);
              return (
                <Card
                  key={l.key}
                  className="layer"
                  testId={`layer-${l.key}`}
                  title={
                    <>
                      {l.title} <small>{l.question}</small>
                    </>
                  }
                >
                  {empty ? (
                    <Empty title={`No ${l.title.toLowerCase()} data in this period`}>
                      <NoDataHint filtered={activeFilterCount(f) > 0} />
                    </Empty>
                  ) : (
                    l.kpis.map(([k, name, trend]) => <KpiRow key={k} id={k} name={name} k={group[k]} trend={trend} />)
                  )}
                </Card>
              );
            })}
          </div>
          {o.data.engagement && activeFilterCount(f) > 0 && (
            <p className="note">Engagement figures honour the segment filter only.</p>
          )}
        </>
      )}
      <Card title="Fix first" testId="fix-first">
        {d.error ? (
          <p className="note">No driver analysis for this selection: {(d.error as Error).message}</p>
        ) : !d.data ? (
          <Loading what="Finding the key drivers" />
        ) : d.data.not_enough_data ? (
          <p className="note" data-testid="fix-first-none">
            Not enough data in this period to analyse drivers. Widen the date range
            {activeFilterCount(f) > 0 ? ' or clear the filters' : ''}.
          </p>
        ) : (
          <FixFirst d={d.data} />
        )}
        <p className="note">
          <Link to="/drivers">All drivers →</Link>
        </p>
      </Card>
    </>
  );
}
