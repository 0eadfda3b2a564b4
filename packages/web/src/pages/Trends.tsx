import { useMemo, useState } from 'react';
import { type Params, type Point, type Series, useApi } from '../api';
import { Chart, type ChartOption } from '../components/Chart';
import { Card, Empty, ErrorBox, Loading, N, NoDataHint, PageHead, Toggle, Value } from '../components/ui';
import { VerbatimList } from '../components/Verbatims';
import { activeFilterCount, addDays, granularityFor, setParams, toParams, useFilters, useParam } from '../filters';
import { fmt } from '../format';
import { GLOSSARY } from '../glossary';
import { SERIES } from '../palette';
import { granularityOfLabel, partialNote, splitPartial } from '../periods';
import { axisRange, bandData, boundsOf } from '../readings';

/** Variants explained by their base measure's definition. */
const HELP_KEY: Record<string, string> = {
  csat_mean: 'csat',
  ces_easy: 'ces',
  first_response_p90: 'first_response_p50',
};

export const METRICS: [string, string][] = [
  ['nps', 'NPS'],
  ['csat', 'CSAT (top-2-box %)'],
  ['csat_mean', 'CSAT (mean 1–5)'],
  ['ces', 'CES (mean 1–7)'],
  ['ces_easy', 'CES: share easy (%)'],
  ['sentiment', 'Sentiment index'],
  ['responses', 'Responses'],
  ['interactions', 'Interactions'],
  ['resolution_rate', 'Resolved (%)'],
  ['first_response_p50', 'First response (median)'],
  ['first_response_p90', 'First response (p90)'],
  ['resolution_p50', 'Time to resolve (median)'],
];
const GROUPS: [string, string][] = [
  ['', 'No split'],
  ['touchpoint', 'Touchpoint'],
  ['department', 'Department'],
  ['stage', 'Journey stage'],
  ['channel', 'Channel'],
  ['segment', 'Segment'],
  ['agent', 'Agent'],
  ['team', 'Team'],
];

/** What each measure counts, for saying why a split found nothing to split by. */
const RECORDS: Record<string, string> = {
  nps: 'NPS answers',
  csat: 'CSAT answers',
  csat_mean: 'CSAT answers',
  ces: 'effort (CES) answers',
  ces_easy: 'effort (CES) answers',
  sentiment: 'analysed texts',
  responses: 'responses',
};

/**
 * Why a split shows one line, or null when it splits: none of the measure's records in the window
 * carry the dimension (NPS answers from a survey sent to no touchpoint have no department).
 */
export function unsplitNote(metric: string, groupBy: string, series: { key: string | null }[]): string | null {
  if (!groupBy || series.length === 0 || series.some((x) => x.key !== null)) return null;
  const dim = (GROUPS.find(([k]) => k === groupBy)?.[1] ?? groupBy).toLowerCase();
  const what = RECORDS[metric] ?? 'interactions';
  return `${what.charAt(0).toUpperCase()}${what.slice(1)} in this period are not tied to a ${dim}, so there is nothing to split by: the line shows them all.`;
}

/**
 * A series' line name: its group's label, or for the group with no key (the records without the
 * dimension) "No department" beside the others, "All" when unsplit.
 */
function lineName(x: { key: string | null; label?: string | null }, groupBy: string, lines: number): string {
  if (x.label ?? x.key) return (x.label ?? x.key)!;
  const dim = (GROUPS.find(([k]) => k === groupBy)?.[1] ?? groupBy).toLowerCase();
  return groupBy && lines > 1 ? `No ${dim}` : 'All';
}

/**
 * A line per series with its confidence band: two stacked series (lower edge + band height), both
 * clipped to the measure's bounds and stacked whatever their signs (see bandData).
 */
export function trendOption(
  lines: { name: string; points: Point[]; colour: string; band: boolean; dashed?: boolean }[],
  labels: string[],
  unit: string,
  metric = '',
): ChartOption {
  const bounds = boundsOf(metric, unit);
  const series: ChartOption[] = [];
  const drawn: number[] = [];
  lines.forEach((l, i) => {
    for (const p of l.points) if (p.value !== null) drawn.push(p.value);
    if (l.band) {
      const band = bandData(l.points, bounds);
      band.lower.forEach((lo, j) => {
        if (lo !== null) drawn.push(lo, lo + (band.height[j] ?? 0));
      });
      series.push({
        name: `${l.name} lower`,
        type: 'line',
        stack: `band${i}`,
        stackStrategy: 'all',
        data: band.lower,
        lineStyle: { opacity: 0 },
        symbol: 'none',
        silent: true,
        tooltip: { show: false },
      });
      series.push({
        name: `${l.name} interval`,
        type: 'line',
        stack: `band${i}`,
        stackStrategy: 'all',
        data: band.height,
        lineStyle: { opacity: 0 },
        areaStyle: { color: l.colour, opacity: 0.15 },
        symbol: 'none',
        silent: true,
        tooltip: { show: false },
      });
    }
    // A partial first or last bucket stays out of the solid line: dashed to a hollow point, with its note.
    const partial = l.points.map((p) => !!p.partial);
    const { solid, dashed } = splitPartial(
      l.points.map((p) => p.value),
      partial,
    );
    const gran = granularityOfLabel(l.points[0]?.label);
    series.push({
      name: l.name,
      type: 'line',
      data: l.points.map((p, j) =>
        solid[j] === null ? null : { value: p.value, n: p.n, small: p.small_n, margin: p.margin },
      ),
      itemStyle: { color: l.colour },
      lineStyle: { color: l.colour, width: 2, type: l.dashed ? 'dashed' : 'solid' },
      symbolSize: 7,
      connectNulls: false,
    });
    if (partial.some(Boolean)) {
      series.push({
        name: l.name,
        type: 'line',
        data: l.points.map((p, j) =>
          dashed[j] === null
            ? null
            : partial[j]
              ? {
                  value: p.value,
                  n: p.n,
                  small: p.small_n,
                  margin: p.margin,
                  partial: partialNote(p, gran),
                  symbol: 'emptyCircle',
                  itemStyle: { color: '#fff', borderColor: l.colour, borderWidth: 2 },
                }
              : { value: p.value, join: true, symbol: 'none' },
        ),
        itemStyle: { color: l.colour },
        lineStyle: { color: l.colour, width: 2, type: 'dotted' },
        symbolSize: 8,
        connectNulls: false,
      });
    }
  });
  const closed = bounds.min !== null && bounds.max !== null;
  const range = closed && drawn.length ? axisRange(Math.min(...drawn), Math.max(...drawn), bounds) : null;
  return {
    grid: { left: 50, right: 16, top: 36, bottom: 40 },
    legend: { top: 0, type: 'scroll', data: lines.map((l) => l.name) },
    tooltip: {
      trigger: 'axis',
      // biome-ignore lint/suspicious/noExplicitAny: ECharts tooltip params
      formatter: (ps: any[]) =>
        [ps[0]?.axisValueLabel]
          .concat(
            ps
              .filter((p) => p.data && typeof p.data === 'object' && !p.data.join)
              .map(
                (p) =>
                  `${p.marker} ${p.seriesName}: <b>${fmt(p.data.value, unit)}</b>${p.data.margin != null ? ` ± ${fmt(p.data.margin, unit === 'nps' || unit === 'index' ? 'mean' : unit)}` : ''} (n = ${p.data.n}${p.data.small ? ', small' : ''}${p.data.partial ? `; <i>${p.data.partial}</i>` : ''})`,
              ),
          )
          .join('<br/>'),
    },
    xAxis: { type: 'category', data: labels, axisLabel: { hideOverlap: true } },
    // Zoomed to the data and its bands, never past the measure's bounds (NPS ±100, shares 0–100).
    yAxis: range ? { type: 'value', min: range.min, max: range.max } : { type: 'value', scale: true },
    series,
  };
}

export default function Trends() {
  const f = useFilters();
  const metric = useParam('metric', 'nps');
  const groupBy = useParam('group_by');
  const compare = useParam('compare') === 'previous';
  const gran = useParam('granularity', granularityFor(f));
  const [drill, setDrill] = useState<{ label: string; params: Params } | null>(null);
  const base = toParams(f);
  const s = useApi<Series>('/api/v1/metrics/series', {
    ...base,
    metric,
    granularity: gran,
    group_by: groupBy || undefined,
    limit: 8,
  });
  const days = Math.round((Date.parse(f.to) - Date.parse(f.from)) / 86_400_000) + 1;
  const prevFrom = addDays(f.from, -days);
  const prev = useApi<Series>(compare && !groupBy ? '/api/v1/metrics/series' : null, {
    ...base,
    from: `${prevFrom}T00:00:00Z`,
    to: `${f.from}T00:00:00Z`,
    metric,
    granularity: gran,
  });

  const nameOf = (x: { key: string | null; label?: string | null }) => lineName(x, groupBy, s.data?.series.length ?? 0);
  const option = useMemo(() => {
    if (!s.data) return null;
    const labels = s.data.series[0]?.points.map((p) => p.label) ?? [];
    const unit = s.data.series[0]?.total.unit ?? 'count';
    const lines: { name: string; points: Point[]; colour: string; band: boolean; dashed?: boolean }[] =
      s.data.series.map((x, i) => ({
        name: lineName(x, groupBy, s.data!.series.length),
        points: x.points,
        colour: SERIES[i % SERIES.length]!,
        band: s.data!.series.length <= 2,
      }));
    if (prev.data?.series[0])
      lines.push({
        name: 'Previous period',
        points: prev.data.series[0].points,
        colour: '#6B7280',
        band: false,
        dashed: true,
      });
    return trendOption(lines, labels, unit, metric);
  }, [s.data, prev.data, metric, groupBy]);

  const onClick = (e: { seriesIndex?: number; dataIndex: number }) => {
    if (!s.data) return;
    const name = (option?.series as ChartOption[] | undefined)?.[e.seriesIndex ?? 0]?.name;
    if (name === 'Previous period') return;
    const x = s.data.series.find((y) => nameOf(y) === name) ?? s.data.series[0];
    const p = x?.points[e.dataIndex];
    if (!x || !p) return;
    const next = s.data.series[0]?.points[e.dataIndex + 1]?.bucket;
    const bucketEnd = next ? `${next}T00:00:00Z` : (base.to as string);
    const params: Params = { ...base, metric, from: `${p.bucket}T00:00:00Z`, to: bucketEnd };
    if (groupBy && x.key) params[groupBy] = x.key;
    setDrill({ label: `${nameOf(x)} · ${p.label}`, params });
  };

  const total = s.data?.series.length === 1 ? s.data.series[0]!.total : null;
  const unsplit = s.data ? unsplitNote(metric, groupBy, s.data.series) : null;
  return (
    <>
      <PageHead title="Trends">
        One measure over time with its margin of error; split it, or compare with the period before.
      </PageHead>
      <Card
        title={METRICS.find(([k]) => k === metric)?.[1] ?? metric}
        actions={
          <>
            <label className="inline">
              <span className="sr-only">Measure</span>
              <select value={metric} onChange={(e) => setParams({ metric: e.target.value })} data-testid="trend-metric">
                {METRICS.map(([k, l]) => (
                  <option key={k} value={k}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
            <label className="inline">
              <span className="sr-only">Split by</span>
              <select
                value={groupBy}
                onChange={(e) => setParams({ group_by: e.target.value, compare: '' })}
                data-testid="trend-group"
              >
                {GROUPS.map(([k, l]) => (
                  <option key={k} value={k}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
            <Toggle
              label="Buckets"
              options={[
                ['day', 'Day'],
                ['week', 'Week'],
                ['month', 'Month'],
              ]}
              value={gran}
              onChange={(v) => setParams({ granularity: v })}
            />
            <label className="check">
              <input
                type="checkbox"
                checked={compare}
                disabled={!!groupBy}
                onChange={(e) => setParams({ compare: e.target.checked ? 'previous' : '' })}
              />{' '}
              Compare with previous period
            </label>
          </>
        }
      >
        {s.error ? (
          <ErrorBox error={s.error} />
        ) : !s.data || !option ? (
          <Loading what="Loading the series" />
        ) : s.data.series.every((x) => x.total.n === 0) ? (
          <Empty title="No data for this measure in this period">
            <NoDataHint filtered={activeFilterCount(f) > 0} />
          </Empty>
        ) : (
          <>
            {unsplit && (
              <p className="note" role="status" data-testid="trend-unsplit">
                {unsplit}{' '}
                <button type="button" className="link" onClick={() => setParams({ group_by: '' })}>
                  Remove the split
                </button>
              </p>
            )}
            {total && (
              <p className="summary">
                Whole period: <Value f={total} testId="trend-total" /> <N f={total} />
                {GLOSSARY[HELP_KEY[metric] ?? metric] && (
                  <span className="muted small metric-def"> {GLOSSARY[HELP_KEY[metric] ?? metric]}</span>
                )}
              </p>
            )}
            <Chart
              option={option}
              height={340}
              label={`${metric} per ${gran}`}
              onClick={onClick}
              testId="trend-chart"
            />
            <p className="note">
              Shaded: 95% interval (shown for one or two series). Click a point to read the responses behind it.
            </p>
          </>
        )}
      </Card>
      {drill && <VerbatimList title={`Behind ${drill.label}`} params={drill.params} onClose={() => setDrill(null)} />}
    </>
  );
}
