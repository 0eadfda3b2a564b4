import { useMemo } from 'react';
import { type Loyalty as L, type Rate, type Test, useApi } from '../api';
import { Chart, type ChartOption } from '../components/Chart';
import { Card, Empty, ErrorBox, Loading, NoDataHint, PageHead, Toggle } from '../components/ui';
import { activeFilterCount, setParams, toParams, useFilters, useParam } from '../filters';
import { count, fmt } from '../format';
import { SERIES } from '../palette';

const OUTCOMES: ['retention' | 'repurchase' | 'referral', string][] = [
  ['retention', 'Stayed'],
  ['repurchase', 'Bought again'],
  ['referral', 'Referred someone'],
];

function rate(r: Rate): string {
  return r.value === null ? '—' : `${fmt(r.value, 'percent')}`;
}

function TestLine({ name, t }: { name: string; t: Test }) {
  if (t.difference === null) return <li>{name}: not enough data in the top two boxes.</li>;
  return (
    <li>
      {name}: top box {t.difference >= 0 ? '+' : '−'}
      {Math.abs(t.difference).toFixed(1)} pts vs one box lower{' '}
      {t.significant ? <strong className="sig">significant</strong> : <span className="muted">not significant</span>}
      {t.p_value !== null && <span className="muted"> (p = {t.p_value.toPrecision(2)})</span>}
    </li>
  );
}

export default function Loyalty() {
  const f = useFilters();
  const scale = useParam('scale', 'nps');
  const r = useApi<L>('/api/v1/metrics/loyalty', { ...toParams(f), scale });

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
            .concat(ps.map((p) => `${p.marker} ${p.seriesName}: <b>${fmt(p.value, 'percent')}</b> (n = ${p.data.n})`))
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
          <Toggle
            label="Scale"
            options={[
              ['nps', 'NPS 0–10'],
              ['csat', 'CSAT 1–5'],
            ]}
            value={scale}
            onChange={(v) => setParams({ scale: v === 'nps' ? '' : v })}
          />
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
            <Chart
              option={option}
              height={340}
              label="Retention, repurchase and referral rate per score"
              testId="loyalty-chart"
            />
            <ul>
              {OUTCOMES.map(([k, name]) => (
                <TestLine key={k} name={name} t={r.data!.top_vs_next[k]} />
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
                    <td>{g.group}</td>
                    <td className="num">{count(g.n)}</td>
                    {OUTCOMES.map(([k]) => (
                      <td key={k} className="num" data-value={g[k].value ?? ''}>
                        {rate(g[k])}
                        {g[k].ci && (
                          <small className="muted hide-phone">
                            {' '}
                            ({g[k].ci!.lower.toFixed(0)}–{g[k].ci!.upper.toFixed(0)})
                          </small>
                        )}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="note">
            Brackets: 95% interval. Retention is known only once the follow-up window has passed (or the customer
            cancelled).
          </p>
        </Card>
      )}
    </>
  );
}
