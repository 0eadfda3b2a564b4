import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { SERIES } from '../palette';

type EchartsModule = typeof import('../echarts');
type Instance = ReturnType<EchartsModule['echarts']['init']>;
// biome-ignore lint/suspicious/noExplicitAny: ECharts options are a large loose type
export type ChartOption = Record<string, any>;
// biome-ignore lint/suspicious/noExplicitAny: the click event carries the clicked datum
export type ChartClick = { seriesIndex?: number; dataIndex: number; name: string; value: any; data: any };

let loading: Promise<EchartsModule> | null = null;
const loadEcharts = () => {
  loading ??= import('../echarts');
  return loading;
};
// This module is only imported by pages that draw charts: start fetching the chart library with
// the page's data, not after it.
loadEcharts().catch(() => {
  loading = null;
});

const BASE: ChartOption = {
  color: SERIES,
  aria: { enabled: true },
  animationDuration: 250,
  textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', color: '#1F2937' },
};

/** An ECharts chart (loaded on first use), resized with its box; `label` names it for screen readers. */
export function Chart({
  option,
  height = 320,
  label,
  onClick,
  testId,
}: {
  option: ChartOption;
  height?: number;
  label: string;
  onClick?: (e: ChartClick) => void;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<Instance | null>(null);
  const click = useRef(onClick);
  click.current = onClick;
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let disposed = false;
    let ro: ResizeObserver | undefined;
    loadEcharts().then(({ echarts }) => {
      if (disposed || !box.current) return;
      const c = echarts.init(box.current, undefined, { renderer: 'svg' });
      chart.current = c;
      c.on('click', (e) => click.current?.(e as unknown as ChartClick));
      ro = new ResizeObserver(() => c.resize());
      ro.observe(box.current);
      setReady(true);
    });
    return () => {
      disposed = true;
      ro?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (ready && chart.current) chart.current.setOption({ ...BASE, ...option }, { notMerge: true });
  }, [ready, option]);

  return (
    <div
      className={`chart${onClick ? ' clickable' : ''}`}
      role="img"
      aria-label={label}
      data-testid={testId}
      data-ready={ready ? 'true' : 'false'}
      style={{ height }}
    >
      <div ref={box} style={{ width: '100%', height: '100%' }} />
      {!ready && <div className="chart-loading">Loading chart…</div>}
    </div>
  );
}

const NARROW = '(max-width: 640px)';
const subscribeNarrow = (fn: () => void) => {
  const m = matchMedia(NARROW);
  m.addEventListener('change', fn);
  return () => m.removeEventListener('change', fn);
};
/** Whether the screen is phone-width (charts lay out tighter there), following resizes. */
export function useNarrow(): boolean {
  return useSyncExternalStore(subscribeNarrow, () => matchMedia(NARROW).matches);
}
