import { useMemo } from 'react';
import { type Loyalty as L, type Rate, type Test, useApi } from '../api';
import { Chart, type ChartOption } from '../components/Chart';
import { Card, Empty, ErrorBox, Loading, NoDataHint, PageHead, Toggle } from '../components/ui';
import { humanise } from '../display';
import { activeFilterCount, addDays, setParams, toParams, useFilters, useParam } from '../filters';
import { count, day, fmt } from '../format';
import { SERIES } from '../palette';
import { loyaltyRate } from '../readings';

const OUTCOMES: ['retention' | 'repurchase' | 'referral', string][] = [
  ['retention', 'Stayed'],
  ['repurchase', 'Bought again'],
  ['referral', 'Referred someone'],
];

const FOLLOW_UPS: [string, string][] = [
  ['30', '30 days'],
  ['90', '90 days'],
  ['180', '180 days'],
  ['365', '1 year'],
];

/** Why the rates are not known yet, or known for only part of the period. */
function followUpNote(l: L): string | null {
  const h = `${l.horizon_days}-day follow-up`;
  if (l.follow_up.status === 'pending')
    return `Not yet known: the ${h} has not passed for any answer in this period (it has for answers before ${day(l.follow_up.complete_before)}). Choose an earlier period or a shorter follow-up.`;
  if (l.follow_up.status === 'partial')
    return `Rates are from answers up to ${day(l.follow_up.followed_up_to!)}, whose ${h} has passed; later answers are counted in n but not yet in the rates.`;
  return null;
}

function TestLine({ name, t, pending }: { name: string; t: Test; pending: boolean }) {
  if (pending) return <li>{name}: not yet known (the follow-up has not passed).</li>;
  if (t.difference === null) return <li>{name}: not enough data in the top two boxes.</li>;
  return (
    <li>
      {name}: top box {t.difference >= 0 ? '+' : '−'}
      {Math.abs(t.difference).toFixed(1)} pts vs one box lower{' '}
      <span className={t.small_n ? 'n small' : 'muted'} title={t.small_n ? 'Small sample: read with care' : undefined}>
        (n = {count(t.n_top)} vs {count(t.n_next)}
        {t.small_n ? ', small sample' : ''})
      </span>{' '}
      {t.significant ? <strong className="sig">significant</strong> : <span className="muted">not significant</span>}
      {t.p_value !== null && <span className="muted"> (p = {t.p_value.toPrecision(2)})</span>}
    </li>
  );
}

function RateCell({ r, pending, minN }: { r: Rate; pending: boolean; minN: number }) {
  const x = loyaltyRate(r, { pending, minN });
  return (
    <td className="num" data-value={r.value ?? ''}>
      {x.text}
      {x.interval && <small className="muted hide-phone"> {x.interval}</small>}
      {x.note && <small className="n small"> {x.note}</small>}
    </td>
  );
}

/**
 * While no answer's follow-up has passed, one click to a period of the same length whose has: it
 * ends the day before `completeBefore` (a new user lands on the default window, all "not yet known").
 */
function EarlierPeriod({ from, to, completeBefore }: { from: string; to: string; completeBefore: string }) {
  const length = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
  const end = addDays(completeBefore.slice(0, 10), -1);
  if (Number.isNaN(length) || !/^\d{4}-\d\d-\d\d$/.test(end)) return null;
  const start = addDays(end, -length);
  return (
    <p>
      <button
        type="button"
        className="secondary"
        onClick={() => setParams({ from: start, to: end })}
        data-testid="loyalty-earlier"
      >
        Show {day(`${start}T00:00:00Z`)} – {day(`${end}T00:00:00Z`)} instead
      </button>
    </p>
  );
}

export default function Loyalty() {
  const f = useFilters();
  const scale = useParam('scale', 'nps');
  const horizon = useParam('follow_up', '365');
  const r = useApi<L>('/api/v1/metrics/loyalty', { ...toParams(f), scale, horizon_days: horizon });
  const pending = r.data?.follow_up.status === 'pending';
  const note = r.data ? followUpNote(r.data) : null;

  const option: ChartOption | null = useMemo(() => {
    if (!r.data) return null;
    const rows = r.data.rows;
    return {
      grid: { left: 50, right: 16, top: 36, bottom: 50 },
      legend: { top: 0 },
      tooltip: {
        trigger: 'axis',
        // biome-ignore lint/suspicious/noExplicitAny: ECharts tooltip params
        formatter: (ps: any[]) =>
          [`${scale.toUpperCase()} ${ps[0]?.axisValueLabel}`]
            .concat(
              ps.map(
                (p) =>
                  `${p.marker} ${p.seriesName}: <b>${p.value == null ? 'not yet known' : fmt(p.value, 'percent')}</b> (n = ${p.data.n})`,
              ),
            )
            .join('<br/>'),
      },
      xAxis: {
        type: 'category',
        data: rows.map((x) => String(x.box)),
        name: `${scale.toUpperCase()} answer`,
        nameLocation: 'middle',
        nameGap: 28,
      },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: OUTCOMES.map(([k, name], i) => ({
        name,
        type: 'bar',
        itemStyle: {
          color: SERIES[i],
          decal: i === 1 ? { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 3], rotation: 0.8 } : undefined,
        },
        data: rows.map((x) => ({ value: x[k].value, n: x[k].n })),
      })),
      aria: { enabled: true, decal: { show: true } },
    };
  }, [r.data, scale]);

  return (
    <>
      <PageHead title="Loyalty by score">
        Satisfaction is not loyalty: what customers did after each answer, box by box. For every score (a “box”), the
        share of those customers who stayed, bought again or referred someone afterwards. Customers giving the top box
        are usually far more loyal than those one box lower; the test below says whether that holds here.
      </PageHead>
      <Card
        title={r.data ? `Follow-up ${r.data.horizon_days} days after the answer` : 'Loyalty'}
        actions={
          <>
            <Toggle
              label="Scale"
              options={[
                ['nps', 'NPS 0–10'],
                ['csat', 'CSAT 1–5'],
              ]}
              value={scale}
              onChange={(v) => setParams({ scale: v === 'nps' ? '' : v })}
            />
            <Toggle
              label="Follow-up"
              options={FOLLOW_UPS}
              value={horizon}
              onChange={(v) => setParams({ follow_up: v === '365' ? '' : v })}
            />
          </>
        }
        testId="loyalty"
      >
        {r.error ? (
          <ErrorBox error={r.error} />
        ) : !r.data || !option ? (
          <Loading what="Following customers up" />
        ) : r.data.rows.every((x) => x.n === 0) ? (
          <Empty title="No answers in this period">
            <NoDataHint filtered={activeFilterCount(f) > 0} />
          </Empty>
        ) : (
          <>
            {note && (
              <p className="note" data-testid="loyalty-follow-up" data-status={r.data.follow_up.status}>
                {note}
              </p>
            )}
            {pending && <EarlierPeriod from={f.from} to={f.to} completeBefore={r.data.follow_up.complete_before} />}
            <Chart
              option={option}
              height={340}
              label="Retention, repurchase and referral rate per score"
              testId="loyalty-chart"
            />
            <ul>
              {OUTCOMES.map(([k, name]) => (
                <TestLine key={k} name={name} t={r.data!.top_vs_next[k]} pending={pending} />
              ))}
            </ul>
          </>
        )}
      </Card>
      {r.data && r.data.groups.length > 0 && (
        <Card title="By group">
          <div className="table-wrap">
            <table data-testid="loyalty-groups">
              <thead>
                <tr>
                  <th>Group</th>
                  <th className="num">Customers</th>
                  {OUTCOMES.map(([k, n]) => (
                    <th key={k} className="num">
                      {n}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {r.data.groups.map((g) => (
                  <tr key={g.group}>
                    <td>{humanise(g.group)}</td>
                    <td className="num">{count(g.n)}</td>
                    {OUTCOMES.map(([k]) => (
                      <RateCell key={k} r={g[k]} pending={pending} minN={r.data!.min_n} />
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="note">
            Brackets: 95% interval; n shown where few customers are behind a rate. A rate counts only customers whose{' '}
            {r.data.horizon_days}-day follow-up has passed: before that, whether they stay is not yet known.
          </p>
        </Card>
      )}
    </>
  );
}
