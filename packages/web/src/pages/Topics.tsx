import { useMemo, useState } from 'react';
import { type Topics as T, type Topic, useApi } from '../api';
import { Chart, type ChartOption, useNarrow } from '../components/Chart';
import { Card, Chip, Empty, ErrorBox, Help, Loading, NoDataHint, PageHead, Toggle } from '../components/ui';
import { VerbatimList } from '../components/Verbatims';
import { activeFilterCount, setParams, toParams, useFilters, useParam } from '../filters';
import { count, fmt, pct, titleCase } from '../format';
import { useNames } from '../loop/common';
import { BAD, GOOD, NEUTRAL } from '../palette';
import { bucketName, granularityOfLabel, partialNote } from '../periods';
import { mentionChange } from '../readings';
import { Link } from '../router';

function flatten(ts: Topic[], out: Topic[] = []): Topic[] {
  for (const t of ts) {
    out.push(t);
    flatten(t.children, out);
  }
  return out;
}

function sentColour(v: number | null): string {
  if (v === null) return NEUTRAL;
  return v >= 10 ? GOOD : v <= -10 ? BAD : NEUTRAL;
}

/** Mentions against the previous period, worded the same in the tree and the detail card. */
function ChangeText({ ratio, mentions }: { ratio: number | null; mentions: number }) {
  const c = mentionChange(ratio, mentions);
  return (
    <>
      {c.arrow && <span aria-hidden="true">{c.arrow} </span>}
      {c.text}
    </>
  );
}

function TreeRows({
  topics,
  selected,
  max,
  open,
  toggle,
  dept,
}: {
  topics: Topic[];
  selected: string;
  max: number;
  open: Set<string>;
  toggle: (k: string) => void;
  /** The org's name of a department key. */
  dept: (k: string) => string;
}) {
  return (
    <ul className="tree">
      {topics.map((t) => (
        <li key={t.key}>
          <button
            type="button"
            className="tree-row"
            aria-pressed={selected === t.key}
            onClick={() => {
              setParams({ topic: t.key });
              if (t.children.length) toggle(t.key);
            }}
            data-testid={`topic-${t.key}`}
          >
            <span>
              {t.children.length > 0 && <span aria-hidden="true">{open.has(t.key) ? '▾ ' : '▸ '}</span>}
              {t.label}
              {t.spike && <Chip tone="warn">spike</Chip>}
              <small className="tree-meta">
                {t.department ? dept(t.department) : 'no owner'}
                {' · '}
                <ChangeText ratio={t.change} mentions={t.mentions} />
              </small>
            </span>
            <span className="num">{count(t.mentions)}</span>
            <span className="num" style={{ color: sentColour(t.sentiment.value) }}>
              {fmt(t.sentiment.value, 'index')}
            </span>
            <span className="bar" aria-hidden="true">
              <span style={{ width: `${(100 * t.mentions) / Math.max(1, max)}%` }} />
            </span>
          </button>
          {t.children.length > 0 && open.has(t.key) && (
            <TreeRows topics={t.children} selected={selected} max={max} open={open} toggle={toggle} dept={dept} />
          )}
        </li>
      ))}
    </ul>
  );
}

export default function Topics() {
  const f = useFilters();
  const selected = useParam('topic');
  const sentiment = useParam('sentiment');
  const r = useApi<T>('/api/v1/metrics/topics', toParams(f));
  const [open, setOpen] = useState<Set<string>>(new Set());
  const names = useNames();
  // On a phone the charts keep fewer axis labels and put the legend under the plot.
  const narrow = useNarrow();
  const all = useMemo(() => flatten(r.data?.topics ?? []), [r.data]);
  const sel = all.find((t) => t.key === selected);
  const top = useMemo(() => [...(r.data?.topics ?? [])].sort((a, b) => b.mentions - a.mentions), [r.data]);
  const max = top[0]?.mentions ?? 1;
  const toggle = (k: string) =>
    setOpen((o) => {
      const n = new Set(o);
      if (n.has(k)) n.delete(k);
      else n.add(k);
      return n;
    });

  const bars: ChartOption | null = useMemo(() => {
    if (!top.length) return null;
    const list = top.slice(0, 12).reverse();
    return {
      grid: { left: narrow ? 100 : 130, right: 40, top: 10, bottom: 30 },
      tooltip: {
        // biome-ignore lint/suspicious/noExplicitAny: ECharts tooltip params
        formatter: (p: any) =>
          `${p.name}: ${count(p.value)} mentions, sentiment ${fmt(list[p.dataIndex]?.sentiment.value ?? null, 'index')}`,
      },
      xAxis: {
        type: 'value',
        name: 'mentions',
        nameLocation: 'middle',
        nameGap: 22,
        splitNumber: narrow ? 3 : 5,
        axisLabel: { hideOverlap: true, formatter: (v: number) => count(v) },
      },
      yAxis: {
        type: 'category',
        data: list.map((t) => t.label),
        axisLabel: { width: narrow ? 92 : 120, overflow: 'truncate' },
      },
      series: [
        {
          type: 'bar',
          data: list.map((t) => ({
            value: t.mentions,
            key: t.key,
            itemStyle: { color: sentColour(t.sentiment.value) },
          })),
          label: { show: true, position: 'right', formatter: (p: { value: number }) => count(p.value) },
        },
      ],
    };
  }, [top, narrow]);

  const trend: ChartOption | null = useMemo(() => {
    if (!sel) return null;
    // A partial first or last bucket: a pale bar and a hollow point, its label saying so.
    const gran = granularityOfLabel(sel.trend[0]?.label);
    // Buckets in words ("Week of 31 Aug 2026"), the axis short ("31 Aug"), not their keys (2026-W36).
    const label = (p: (typeof sel.trend)[number]) =>
      p.partial ? `${bucketName(p, true)} (${partialNote(p, gran)})` : bucketName(p, true);
    return {
      // The legend sits under the plot and the axis names lean inwards, so neither is cut off nor
      // runs into the other on a phone.
      grid: { left: 44, right: 44, top: 30, bottom: 56 },
      legend: { bottom: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: {
        type: 'category',
        data: sel.trend.map(label),
        axisLabel: {
          hideOverlap: true,
          formatter: (v: string) => {
            const name = v.replace(/ \(partial.*$/, '');
            return name.startsWith('Week of ') ? name.slice(8).replace(/ \d{4}$/, '') : name;
          },
        },
      },
      yAxis: [
        { type: 'value', name: 'mentions', nameTextStyle: { align: 'left' }, splitNumber: narrow ? 3 : 5 },
        {
          type: 'value',
          name: 'sentiment',
          nameTextStyle: { align: 'right' },
          min: -100,
          max: 100,
          splitNumber: narrow ? 2 : 4,
          splitLine: { show: false },
        },
      ],
      series: [
        {
          name: 'Mentions',
          type: 'bar',
          data: sel.trend.map((p) =>
            p.partial
              ? {
                  value: p.mentions,
                  itemStyle: {
                    color: '#56B4E9',
                    opacity: 0.35,
                    borderType: 'dashed',
                    borderColor: '#56B4E9',
                    borderWidth: 1,
                  },
                }
              : p.mentions,
          ),
          itemStyle: { color: '#56B4E9' },
        },
        {
          name: 'Sentiment index',
          type: 'line',
          yAxisIndex: 1,
          data: sel.trend.map((p) =>
            p.partial
              ? { value: p.sentiment, symbol: 'emptyCircle', itemStyle: { color: '#fff', borderColor: '#000' } }
              : p.sentiment,
          ),
          itemStyle: { color: '#000' },
          connectNulls: false,
        },
      ],
    };
  }, [sel, narrow]);

  return (
    <>
      <PageHead title="Topics & root causes">
        What customers talk about, how they feel about it, which department owns it, and what is spiking. Topics come
        from the <Link to="/taxonomy">taxonomy</Link>: its phrases, owners and 7P dimensions.
      </PageHead>
      {r.error ? (
        <ErrorBox error={r.error} />
      ) : !r.data ? (
        <Loading what="Reading the topics" />
      ) : top.length === 0 || top.every((t) => t.mentions === 0) ? (
        <Empty title="No topics found in this period">
          <NoDataHint filtered={activeFilterCount(f) > 0} />
        </Empty>
      ) : (
        <div className="grid cols-2">
          <Card title="Volume by topic" testId="topic-volume">
            {bars && (
              <Chart
                option={bars}
                height={360}
                label="Mentions per topic, coloured by sentiment"
                testId="topic-chart"
                onClick={(e) => setParams({ topic: (e.data as { key: string }).key })}
              />
            )}
            <p className="note">
              Blue: positive on balance; vermillion: negative; grey: mixed. Click a bar for its verbatims.
            </p>
          </Card>
          <Card title="Topic tree" testId="topic-tree">
            <div className="tree-row" style={{ cursor: 'default', fontSize: '0.78rem', color: 'var(--muted)' }}>
              <span>Topic · owning department · mentions vs previous period</span>
              <span className="num">Mentions</span>
              <span className="num">
                Sentiment
                <Help term="sentiment" label="sentiment" align="right" />
              </span>
              <span className="hide-phone" />
            </div>
            <TreeRows topics={top} selected={selected} max={max} open={open} toggle={toggle} dept={names.department} />
          </Card>
          {sel && (
            <Card title={sel.label} className="span-2" testId="topic-detail">
              <p className="summary">
                <span>
                  <strong>{count(sel.mentions)}</strong> mentions ({pct(sel.share)} of texts)
                </span>
                <span>sentiment {fmt(sel.sentiment.value, 'index')}</span>
                <span>{pct(sel.negative_share)} negative</span>
                <span data-testid="topic-change">
                  <ChangeText ratio={sel.change} mentions={sel.mentions} />
                </span>
                {sel.department && <Chip>owner: {names.department(sel.department)}</Chip>}
                {sel.seven_p && (
                  <Chip title="The marketing-mix (7P) dimension this topic belongs to">
                    7P: {titleCase(sel.seven_p)}
                  </Chip>
                )}
                {sel.spike && (
                  <Chip tone="warn">
                    spike: {sel.last_day} yesterday vs {sel.baseline_daily.toFixed(1)}/day
                  </Chip>
                )}
              </p>
              {trend && (
                <Chart option={trend} height={240} label={`Mentions and sentiment of ${sel.label} over time`} />
              )}
            </Card>
          )}
        </div>
      )}
      {sel && (
        <>
          <div className="toolbar" style={{ marginTop: 16 }}>
            <Toggle
              label="Sentiment of the verbatims"
              options={[
                ['', 'All'],
                ['negative', 'Negative'],
                ['positive', 'Positive'],
              ]}
              value={sentiment}
              onChange={(v) => setParams({ sentiment: v })}
            />
          </div>
          <VerbatimList
            title={`What customers said about ${sel.label}`}
            params={{ ...toParams(f), topic: sel.key, sentiment: sentiment || undefined }}
            focus={sel.key}
            onClose={() => setParams({ topic: '', sentiment: '' })}
          />
        </>
      )}
    </>
  );
}
