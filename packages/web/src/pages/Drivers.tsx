import { useMemo } from 'react';
import { ApiError, type Drivers as D, type Driver, useApi } from '../api';
import { Chart, type ChartOption } from '../components/Chart';
import { Card, Empty, ErrorBox, Help, Loading, PageHead, Toggle } from '../components/ui';
import { setParams, toParams, useFilters, useParam } from '../filters';
import { useNames } from '../loop/common';
import { SERIES } from '../palette';
import { driverImportance, driverModelNote } from '../readings';
import { Link, navigate, withFilters } from '../router';

const QUAD: Record<string, [string, string]> = {
  fix_first: ['Fix first', SERIES[5]!],
  // Important and weak by the numbers, but the effect could be chance: not a place to start.
  unproven: ['Fix first? Not significant', SERIES[5]!],
  maintain: ['Maintain', SERIES[0]!],
  nice_to_have: ['Nice to have', SERIES[4]!],
  low_priority: ['Low priority', '#6B7280'],
};

/** A driver's group on the chart and in the table: fix first only when its effect is significant. */
function quadOf(d: Driver): string {
  return d.quadrant === 'fix_first' && !d.significant ? 'unproven' : (d.quadrant ?? 'low_priority');
}

/**
 * Vertical offsets (px) for driver names: points close together (in axis terms) form a cluster,
 * and its names go one per line, centred on the points.
 */
function labelOffsets(ds: Driver[]): { d: Driver; dy: number }[] {
  const xs = ds.map((d) => d.weight);
  const ys = ds.map((d) => d.performance ?? 0);
  const xr = Math.max(1e-9, Math.max(...xs) - Math.min(0, ...xs));
  const yr = Math.max(1e-9, Math.max(...ys) - Math.min(...ys), 4);
  const sorted = [...ds].sort((a, b) => a.weight - b.weight);
  const clusters: Driver[][] = [];
  for (const d of sorted) {
    const c = clusters.find((c) =>
      c.some(
        (o) =>
          Math.abs(o.weight - d.weight) < 0.15 * xr &&
          Math.abs((o.performance ?? 0) - (d.performance ?? 0)) < 0.06 * yr,
      ),
    );
    if (c) c.push(d);
    else clusters.push([d]);
  }
  return clusters.flatMap((c) => c.map((d, k) => ({ d, dy: Math.round((k - (c.length - 1) / 2) * 14) })));
}

export default function Drivers() {
  const f = useFilters();
  const outcome = useParam('outcome', 'nps');
  const kindParam = useParam('drivers', 'topics');
  // Touchpoint drivers explain NPS only (churn is not rated per touchpoint): with churn, topics.
  const kind = outcome !== 'nps' && kindParam === 'touchpoints' ? 'topics' : kindParam;
  const r = useApi<D>('/api/v1/metrics/drivers', { ...toParams(f), outcome, drivers: kind });
  const names = useNames();

  const option: ChartOption | null = useMemo(() => {
    if (!r.data?.drivers.length) return null;
    const ds = r.data.drivers;
    const outcomeName = outcome === 'nps' ? 'NPS' : 'churn';
    const meanW = ds.reduce((a, d) => a + d.weight, 0) / ds.length;
    const maxWeight = Math.max(...ds.map((d) => d.weight));
    const perf = ds.filter((d) => d.performance !== null).map((d) => d.performance as number);
    const meanP = perf.length ? perf.reduce((a, b) => a + b, 0) / perf.length : 50;
    return {
      grid: { left: 56, right: 24, top: 30, bottom: 50 },
      tooltip: {
        // biome-ignore lint/suspicious/noExplicitAny: ECharts tooltip params
        formatter: (p: any) => {
          const d = ds.find((x) => x.key === p.data.key)!;
          const imp = driverImportance(d);
          return `<b>${d.label}</b><br/>importance ${imp.share} (${imp.effect} ${outcomeName})<br/>performance ${d.performance?.toFixed(1) ?? '—'}<br/>coverage ${(d.coverage * 100).toFixed(1)}%${d.significant ? '' : '<br/>not significant'}`;
        },
      },
      xAxis: {
        type: 'value',
        name: 'importance (% of explained variance)',
        nameLocation: 'middle',
        nameGap: 30,
        min: 0,
      },
      // Zoomed to the points: on a fixed 0–100 axis drivers that all perform at 90+ sit on one line.
      yAxis: {
        type: 'value',
        name: 'performance (0–100)',
        min: (v: { min: number }) => Math.max(0, Math.floor(Math.min(v.min, meanP) - 2)),
        max: (v: { max: number }) => Math.min(100, Math.ceil(Math.max(v.max, meanP) + 2)),
      },
      legend: { top: 0, data: Object.values(QUAD).map(([name]) => name) },
      series: [
        ...Object.entries(QUAD).map(([q, [name, colour]], i) => ({
          name,
          type: 'scatter' as const,
          symbol: ['diamond', 'diamond', 'circle', 'triangle', 'rect'][i],
          symbolSize: 14,
          itemStyle:
            q === 'unproven'
              ? { color: '#fff', borderColor: colour, borderWidth: 2 }
              : { color: colour, borderColor: '#fff' },
          data: ds
            .filter((d) => quadOf(d) === q)
            .map((d) => ({ value: [d.weight, d.performance ?? 0], key: d.key, name: d.label })),
          ...(i === 0
            ? {
                markLine: {
                  silent: true,
                  symbol: 'none',
                  lineStyle: { color: '#9CA3AF', type: 'dashed' as const },
                  label: { show: false },
                  data: [{ xAxis: meanW }, { yAxis: meanP }],
                },
              }
            : {}),
        })),
        // Names in their own series, stacked one per line where points sit close together.
        {
          name: 'names',
          type: 'scatter' as const,
          symbolSize: 14,
          silent: true,
          tooltip: { show: false },
          itemStyle: { color: 'transparent' },
          data: labelOffsets(ds).map(({ d, dy }) => ({
            value: [d.weight, d.performance ?? 0],
            name: d.label,
            // Near the right edge a name goes on the point's left, or the chart would cut it off.
            label: { offset: [0, dy], position: d.weight > 0.7 * maxWeight ? ('left' as const) : ('right' as const) },
          })),
          label: { show: true, position: 'right' as const, formatter: '{b}', fontSize: 11, color: '#1F2937' },
        },
      ],
    };
  }, [r.data, outcome]);

  const err = r.error as ApiError | undefined;
  const model =
    r.data && r.data.r2 !== null ? driverModelNote(r.data.r2, r.data.n, outcome === 'nps' ? 'NPS' : 'churn') : null;
  const fixRank = new Map((r.data?.fix_first ?? []).map((k, i) => [k, i]));
  return (
    <>
      <PageHead title="Key drivers">
        What moves the outcome most, against how well each driver performs now. <strong>Importance</strong>
        <Help
          label="importance"
          text="The share of the outcome's explained variation that this driver accounts for (Johnson's relative weights, which stay fair when drivers are correlated), always positive; the Effect column says whether the outcome is lower or higher when the driver is present."
        />{' '}
        · <strong>performance</strong>
        <Help
          label="performance"
          text="For topics: the share of answers that do NOT raise it (100 = nobody complains). For touchpoints: their mean score, 0–100."
        />{' '}
        · <strong>R²</strong>
        <Help
          label="R²"
          text="How much of the variation in the outcome all drivers together explain (0–1). Importance is a share of this explained part. Below 0.2 most of what moves the outcome is not in the model: read the ranking as a lead to check."
        />
        . Fix first what is important, performs below the rest, and is statistically significant.
      </PageHead>
      <Card
        title={
          r.data && r.data.r2 !== null
            ? `${r.data.drivers.length} drivers of ${outcome === 'nps' ? 'NPS' : 'churn'} · R² = ${r.data.r2.toFixed(2)} · n = ${r.data.n.toLocaleString('en')}`
            : 'Drivers'
        }
        actions={
          <>
            <Toggle
              label="Outcome"
              options={[
                ['nps', 'NPS'],
                ['churn', 'Churn'],
              ]}
              value={outcome}
              onChange={(v) => setParams(v === 'nps' ? { outcome: v } : { outcome: v, drivers: 'topics' })}
            />
            <Toggle
              label="Drivers"
              options={[
                ['topics', 'Topics'],
                [
                  'touchpoints',
                  'Touchpoints',
                  outcome === 'nps' ? undefined : 'Touchpoint drivers are available for NPS only: pick NPS to use them',
                ],
              ]}
              value={kind}
              onChange={(v) => setParams({ drivers: v })}
            />
          </>
        }
        testId="drivers"
      >
        {outcome !== 'nps' && (
          // The Touchpoints button is disabled here: its reason in words, not only in a tooltip.
          <p className="note" data-testid="drivers-touchpoints-nps-only">
            Touchpoints as drivers are for NPS only: pick NPS to use them.
          </p>
        )}
        {err ? (
          err instanceof ApiError && err.status === 422 ? (
            <Empty title="No driver analysis for this selection">
              {err.detail} Widen the date range or clear filters.
            </Empty>
          ) : (
            <ErrorBox error={err} />
          )
        ) : !r.data ? (
          <Loading what="Fitting the driver model" />
        ) : r.data.not_enough_data ? (
          <Empty title="Not enough data in this period to analyse drivers">
            Drivers need enough answers with texts, and some variation in the outcome. Widen the date range or clear
            filters.
          </Empty>
        ) : !option ? (
          <Empty title="No drivers found">Widen the date range: drivers need enough answers with texts.</Empty>
        ) : (
          <>
            {model?.caveat && (
              <p className="note" data-testid="drivers-caveat">
                <strong>Read with care ({model.fit}):</strong> {model.caveat}
              </p>
            )}
            <Chart
              option={option}
              height={420}
              label="Importance versus performance of each driver"
              testId="drivers-chart"
              onClick={(e) => {
                const key = (e.data as { key: string }).key;
                navigate(
                  withFilters(
                    kind === 'topics'
                      ? `/topics?topic=${encodeURIComponent(key)}`
                      : `/trends?metric=nps&touchpoint=${encodeURIComponent(key)}`,
                  ),
                );
              }}
            />
            <p className="note">
              Dashed lines: mean importance and mean performance. Right of the vertical line and below the horizontal
              one = important and weak = fix first, when the effect is significant (hollow diamond: it is not, and could
              be chance). Click a point for its verbatims.
            </p>
          </>
        )}
      </Card>
      {r.data && r.data.drivers.length > 0 && (
        <Card title="Fix first" testId="fix-first-list">
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>#</th>
                  <th>Driver</th>
                  <th>Owner</th>
                  <th className="num">Importance</th>
                  <th>Effect</th>
                  <th className="num">Performance</th>
                  <th className="num hide-phone">Coverage</th>
                  <th>Quadrant</th>
                </tr>
              </thead>
              <tbody>
                {[...r.data.drivers]
                  .sort(
                    (a, b) =>
                      (fixRank.get(a.key) ?? Number.POSITIVE_INFINITY) -
                        (fixRank.get(b.key) ?? Number.POSITIVE_INFINITY) || a.rank - b.rank,
                  )
                  .map((d, i) => (
                    <tr key={d.key}>
                      {/* The place in this list (it showed the importance rank: 2, 1, 3 down the rows). */}
                      <td>{i + 1}</td>
                      <td>
                        {kind === 'topics' ? (
                          <Link to={`/topics?topic=${encodeURIComponent(d.key)}`}>{d.label}</Link>
                        ) : (
                          d.label
                        )}
                        {!d.significant && (
                          <span className="muted" title="Not statistically significant: could be chance">
                            {' '}
                            (not significant)
                          </span>
                        )}
                      </td>
                      <td>{d.department ? names.department(d.department) : '—'}</td>
                      <td className="num">{driverImportance(d).share}</td>
                      <td>
                        {driverImportance(d).effect} {outcome === 'nps' ? 'NPS' : 'churn'}
                      </td>
                      <td className="num">{d.performance?.toFixed(1) ?? '—'}</td>
                      <td className="num hide-phone">{(d.coverage * 100).toFixed(1)}%</td>
                      <td>{QUAD[quadOf(d)]?.[0]}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
          <p className="note" data-testid="fix-first-order">
            Fix first (important, performing below the rest, and significant) on top, then the rest by importance.
          </p>
        </Card>
      )}
    </>
  );
}
