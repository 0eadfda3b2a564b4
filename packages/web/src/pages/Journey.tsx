import { useMemo, useState } from 'react';
import { type Figure, type Journey as J, type Params, useApi } from '../api';
import { Chart, type ChartOption, useNarrow } from '../components/Chart';
import { Card, Empty, ErrorBox, Help, Loading, N, NoDataHint, PageHead, Toggle } from '../components/ui';
import { VerbatimList } from '../components/Verbatims';
import { activeFilterCount, setParams, toParams, useFilters, useParam } from '../filters';
import { count, fmt, titleCase } from '../format';
import { DIVERGING } from '../palette';

const MEASURES: [string, string][] = [
  ['sentiment', 'Sentiment'],
  ['nps', 'NPS'],
  ['csat', 'CSAT'],
];

/** Customers at a stage against the stage before, from the API's drop-off share (1 − this/previous). */
function change(dropOff: number | null | undefined): string {
  if (dropOff === null || dropOff === undefined) return '—';
  const c = -dropOff * 100;
  return `${c > 0 ? '+' : c < 0 ? '−' : '±'}${Math.abs(c).toFixed(1)}%`;
}

/** A stage's figure with its n (small samples marked); with nothing behind it, a dash and why. */
function FigureCell({ f, none, className, testId }: { f: Figure; none: string; className: string; testId?: string }) {
  return (
    <td className={className} data-testid={testId} data-value={f.value ?? ''} data-n={f.n}>
      {fmt(f.value, f.unit)}
      <div>{f.n > 0 ? <N f={f} /> : <span className="muted small">{none}</span>}</div>
    </td>
  );
}

export default function Journey() {
  const f = useFilters();
  const measure = (useParam('measure', 'sentiment') as 'sentiment' | 'nps' | 'csat') || 'sentiment';
  const j = useApi<J>('/api/v1/metrics/journey', toParams(f));
  const [drill, setDrill] = useState<{ label: string; params: Params } | null>(null);
  const narrow = useNarrow();

  const view = useMemo(() => {
    if (!j.data) return null;
    const stages = j.data.stages.map((s) => s.stage);
    const all = j.data.stages.flatMap((s, si) => s.touchpoints.map((t) => ({ ...t, si })));
    // Only touchpoints with this measure: a map of mostly blank rows hides the ones that matter.
    const rows = all.filter((t) => t[measure].n > 0);
    const data = rows.flatMap((t, ti) => {
      const fig = t[measure];
      return [{ value: [t.si, ti, fig.value], n: fig.n, small: fig.small_n, key: t.key }];
    });
    const [lo, hi] = measure === 'csat' ? [0, 100] : [-100, 100];
    const unit = measure === 'csat' ? 'percent' : measure === 'nps' ? 'nps' : 'index';
    const option: ChartOption = {
      // On a phone: shorter touchpoint names and colour only (eight columns leave no room for numbers).
      grid: { left: narrow ? 96 : 150, right: narrow ? 8 : 20, top: 10, bottom: 100 },
      tooltip: {
        // biome-ignore lint/suspicious/noExplicitAny: ECharts tooltip params
        formatter: (p: any) =>
          `${rows[p.data.value[1]]?.label}<br/>${titleCase(stages[p.data.value[0]] ?? '')}: <b>${fmt(p.data.value[2], unit)}</b> (n = ${p.data.n}${p.data.small ? ', small' : ''})`,
      },
      xAxis: {
        type: 'category',
        data: stages.map(titleCase),
        splitArea: { show: true },
        axisLabel: { interval: 0, rotate: narrow ? 60 : 30, fontSize: narrow ? 10 : 12 },
      },
      yAxis: {
        type: 'category',
        data: rows.map((r) => r.label),
        inverse: true,
        axisLabel: { width: narrow ? 88 : 140, overflow: 'truncate', fontSize: narrow ? 10 : 12 },
      },
      visualMap: {
        min: lo,
        max: hi,
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 120,
        inRange: { color: DIVERGING },
        text: ['better', 'worse'],
        show: true,
      },
      series: [
        {
          type: 'heatmap',
          data: data.filter((d) => d.value[2] !== null),
          label: {
            show: !narrow,
            formatter: (p: { data: { value: number[] } }) => fmt(p.data.value[2], unit),
            fontSize: 11,
          },
          itemStyle: { borderColor: '#fff', borderWidth: 1 },
        },
      ],
    };
    return { option, rows, stages, hidden: all.length - rows.length };
  }, [j.data, measure, narrow]);

  return (
    <>
      <PageHead title="Journey map">
        Every touchpoint by journey stage: where customers feel good, and where they drop off.
      </PageHead>
      {j.error ? (
        <ErrorBox error={j.error} />
      ) : !j.data || !view ? (
        <Loading what="Mapping the journey" />
      ) : j.data.stages.every((s) => s.customers === 0) ? (
        <Empty title="No touchpoints with data in this period">
          <NoDataHint filtered={activeFilterCount(f) > 0} />
        </Empty>
      ) : (
        <>
          <Card title="Stages" testId="stages">
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Stage</th>
                    <th className="num">Customers</th>
                    <th className="num wrap">
                      vs previous stage
                      <Help
                        align="right"
                        label="vs previous stage"
                        text="Customers reaching this stage compared with the stage before: −17% means 17% fewer reached it (a drop-off). Customers can skip or repeat stages, so a later stage can have more."
                      />
                    </th>
                    <th className="num hide-phone">
                      Median days after previous
                      <Help
                        align="right"
                        label="median days"
                        text="Median days between a customer's first contact at the previous stage and at this one. Negative when most customers reached this stage first."
                      />
                    </th>
                    <th className="num hide-phone">NPS</th>
                    <th className="num hide-phone">CSAT</th>
                    <th className="num">Sentiment</th>
                  </tr>
                </thead>
                <tbody>
                  {j.data.stages.map((s) => (
                    <tr key={s.stage}>
                      <td>{titleCase(s.stage)}</td>
                      <td className="num">{count(s.customers)}</td>
                      <td className="num">{change(s.drop_off.from_previous)}</td>
                      <td className="num hide-phone">{s.median_days_from_previous ?? '—'}</td>
                      <FigureCell f={s.nps} none="no answers" className="num hide-phone" />
                      <FigureCell f={s.csat} none="no answers" className="num hide-phone" />
                      <FigureCell f={s.sentiment} none="no text" className="num" testId="stage-sentiment" />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
          <Card
            title="Touchpoints × stages"
            actions={
              <Toggle
                label="Measure"
                options={MEASURES}
                value={measure}
                onChange={(v) => setParams({ measure: v === 'sentiment' ? '' : v })}
              />
            }
          >
            {view.rows.length === 0 ? (
              <Empty
                title={`No ${measure.toUpperCase() === 'SENTIMENT' ? 'sentiment' : measure.toUpperCase()} data at any touchpoint`}
              >
                Pick another measure above, or widen the date range.
              </Empty>
            ) : (
              <Chart
                option={view.option}
                height={Math.max(320, view.rows.length * 30 + 100)}
                label={`Heat map of ${measure} by touchpoint and journey stage`}
                testId="journey-heat"
                onClick={(e) => {
                  const row = view.rows[(e.value as number[])[1]!];
                  if (!row) return;
                  setDrill({
                    label: `${row.label} (${measure})`,
                    params: { ...toParams(f), touchpoint: row.key, metric: measure },
                  });
                }}
              />
            )}
            <p className="note">
              Click a cell to read what customers said there.
              {view.hidden > 0 &&
                ` ${view.hidden} touchpoint${view.hidden === 1 ? '' : 's'} without ${measure === 'sentiment' ? 'sentiment' : measure.toUpperCase()} data in this period ${view.hidden === 1 ? 'is' : 'are'} not shown.`}{' '}
              {measure === 'sentiment'
                ? 'Sentiment: how positive customers’ words were, −100 to +100.'
                : measure === 'nps'
                  ? 'NPS: % promoters (9–10) minus % detractors (0–6).'
                  : 'CSAT: % of answers 4 or 5 out of 5.'}
            </p>
          </Card>
          {drill && (
            <VerbatimList title={`Behind ${drill.label}`} params={drill.params} onClose={() => setDrill(null)} />
          )}
          {j.data.paths.length > 0 && (
            <Card title="Most common paths across departments">
              <ol>
                {j.data.paths.map((p) => (
                  <li key={p.path.join('>')}>
                    {p.path.map(titleCase).join(' → ')} <span className="muted">({count(p.customers)} customers)</span>
                  </li>
                ))}
              </ol>
            </Card>
          )}
        </>
      )}
    </>
  );
}
