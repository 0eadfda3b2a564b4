import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { type Comparison, type Figure, type Point, useApi } from '../api';
import { activeFilterCount, addDays, clearFilters, isoDay, setFilters, useFilters } from '../filters';
import { day, fmt, fmtChange, fmtMargin, higherIsBetter } from '../format';
import { GLOSSARY } from '../glossary';
import { BAD, GOOD, NEUTRAL } from '../palette';
import { bucketName, granularityOfLabel, partialNote, splitPartial } from '../periods';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </div>
  );
}

export function ErrorBox({ error }: { error: Error }) {
  const status = (error as { status?: number }).status;
  if (status === 404 && /metrics/.test(error.message + String((error as { body?: unknown }).body ?? ''))) {
    return <Empty title="This analysis is not available on this server yet">The metrics API answered 404.</Empty>;
  }
  return (
    <div className="error" role="alert">
      <strong>Could not load this view.</strong> {error.message}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty" data-testid="empty">
      <strong>{title}</strong>
      {children && <p>{children}</p>}
    </div>
  );
}

/**
 * Empty because of the period or the filters, or because the org has no data at all: say which,
 * and what to do. The date range counts as a filter: an empty 2020 in an org with data says so
 * and offers the last 12 months, not "send data". `filtered`: narrowed further by the page itself
 * (sentiment or topic chips).
 */
export function NoDataHint({ filtered = false }: { filtered?: boolean }) {
  const f = useFilters();
  // Any record at all, whenever (cached: every empty card asks the same).
  const probe = { limit: 1 };
  const r = useApi<{ items: unknown[] }>('/api/v1/responses', probe);
  const i = useApi<{ items: unknown[] }>('/api/v1/interactions', probe);
  const e = useApi<{ items: unknown[] }>('/api/v1/events', probe);
  const none = [r, i, e].every((x) => x.data && x.data.items.length === 0);
  if (none)
    return (
      <>
        This organisation has no data yet. Send data through the API (<code>POST /api/v1/responses</code>,{' '}
        <code>/interactions</code>, <code>/events</code>) or import a file, then come back.
      </>
    );
  const n = activeFilterCount(f);
  const today = isoDay(new Date());
  const year = { from: addDays(today, -364), to: today };
  const wider = f.from !== year.from || f.to !== year.to;
  return (
    <span data-testid="no-data-hint">
      Nothing in {day(`${f.from}T00:00:00Z`)} – {day(`${f.to}T00:00:00Z`)}
      {n > 0 || filtered ? ' with these filters' : ''}.{' '}
      {wider && (
        <button type="button" className="link" onClick={() => setFilters(year)} data-testid="widen-period">
          Show the last 12 months
        </button>
      )}
      {wider && n > 0 ? ' or ' : ' '}
      {n > 0 && (
        <button type="button" className="link" onClick={clearFilters} data-testid="clear-filters">
          clear {n === 1 ? 'the filter' : `the ${n} filters`}
        </button>
      )}
      {!wider && n === 0 && !filtered ? 'Pick another period in the bar above.' : ''}
    </span>
  );
}

export function Card({
  title,
  children,
  actions,
  className,
  testId,
}: {
  title?: ReactNode;
  children: ReactNode;
  actions?: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section className={`card ${className ?? ''}`} data-testid={testId}>
      {(title || actions) && (
        <header className="card-head">
          {title && <h2>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

/**
 * n, with the small-sample flag the API sets; `vs` the n of what it is compared with (a change
 * between two periods rests on both: "n = 12 vs 9").
 */
export function N({ f, vs }: { f: Pick<Figure, 'n' | 'small_n'>; vs?: number | undefined }) {
  return (
    <span className={`n${f.small_n ? ' small' : ''}`} title={f.small_n ? 'Small sample: read with care' : undefined}>
      n = {f.n.toLocaleString('en')}
      {vs !== undefined && ` vs ${vs.toLocaleString('en')}`}
      {f.small_n && (
        <span>
          {' '}
          ⚠︎<span className="sr-only">small sample</span>
        </span>
      )}
    </span>
  );
}

/** Change vs previous period: arrow, amount, and whether it is statistically significant. */
export function Change({
  c,
  unit,
  metric,
}: {
  c: Comparison & { currency?: string | null; value?: number | null };
  unit: string;
  metric: string;
}) {
  if (c.change === null || c.change === undefined) return <span className="change muted">no previous data</span>;
  const better = higherIsBetter(metric) ? c.change > 0 : c.change < 0;
  const colour = !c.significant || c.change === 0 ? NEUTRAL : better ? GOOD : BAD;
  const arrow = c.change > 0 ? '▲' : c.change < 0 ? '▼' : '■';
  return (
    <span
      className="change"
      style={{ color: colour }}
      data-significant={c.significant ? 'true' : 'false'}
      title={c.p_value !== null ? `p = ${c.p_value.toPrecision(2)} (${c.test ?? 'test'})` : undefined}
    >
      <span aria-hidden="true">{arrow}</span> {fmtChange(c.change, unit, c.currency, c.value ?? c.previous?.value)}{' '}
      {c.significant ? (
        <span className="sig" title="Statistically significant">
          significant
        </span>
      ) : (
        <span className="muted">not significant</span>
      )}
    </span>
  );
}

export function Value({ f, testId }: { f: Figure; testId?: string }) {
  return (
    <span className="value" data-testid={testId} data-value={f.value ?? ''}>
      {fmt(f.value, f.unit, f.currency)}
      {f.margin !== null && f.value !== null && <small className="margin"> {fmtMargin(f)}</small>}
    </span>
  );
}

/**
 * A tiny inline line (no chart library: the overview shows many of them). A partial first or
 * last bucket (fewer days than the others) is drawn dashed to a hollow point, with its note.
 */
export function Sparkline({ points, width = 120, height = 32 }: { points: Point[]; width?: number; height?: number }) {
  const vals = points.map((p) => p.value);
  const defined = vals.filter((v): v is number => v !== null);
  if (defined.length < 2) return <span />;
  const min = Math.min(...defined);
  const max = Math.max(...defined);
  const span = max - min || 1;
  const x = (i: number) => (i / Math.max(1, vals.length - 1)) * (width - 4) + 2;
  const y = (v: number) => height - 3 - ((v - min) / span) * (height - 6);
  const { solid } = splitPartial(
    vals,
    points.map((p) => !!p.partial),
  );
  let line = '';
  let pen = false;
  solid.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    line += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  // Dashed pieces: each segment that reaches a partial bucket.
  let partialLine = '';
  vals.forEach((v, i) => {
    const next = vals[i + 1];
    if (v === null || next === null || next === undefined) return;
    if (!points[i]?.partial && !points[i + 1]?.partial) return;
    partialLine += `M${x(i).toFixed(1)},${y(v).toFixed(1)}L${x(i + 1).toFixed(1)},${y(next).toFixed(1)}`;
  });
  const lastI = vals.length - 1 - [...vals].reverse().findIndex((v) => v !== null);
  const last = vals[lastI];
  const gran = granularityOfLabel(points[0]?.label);
  const notes = points.flatMap((p) => {
    const n = partialNote(p, gran);
    return n ? [`${bucketName(p, true)}: ${n}`] : [];
  });
  return (
    <svg
      className="spark"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role={notes.length ? 'img' : undefined}
      aria-hidden={notes.length ? undefined : 'true'}
      aria-label={notes.length ? notes.join('; ') : undefined}
      data-partial={notes.length || undefined}
    >
      {notes.length > 0 && <title>{notes.join('\n')}</title>}
      <path d={line} fill="none" stroke={GOOD} strokeWidth="1.5" />
      {partialLine && <path d={partialLine} fill="none" stroke={GOOD} strokeWidth="1.5" strokeDasharray="2 2" />}
      {points.map((p, i) =>
        p.partial && vals[i] !== null ? (
          <circle
            key={p.bucket}
            cx={x(i)}
            cy={y(vals[i]!)}
            r="2.5"
            fill="#fff"
            stroke={GOOD}
            strokeWidth="1.2"
            data-testid="spark-partial"
          />
        ) : null,
      )}
      {last !== null && last !== undefined && !points[lastI]?.partial && (
        <circle cx={x(lastI)} cy={y(last)} r="2.5" fill={GOOD} />
      )}
    </svg>
  );
}

/**
 * After a refused submit: moves the keyboard to the form's first field marked wrong (Field's
 * .has-error), once React has drawn the marks, so the user fixes it without hunting for it.
 */
export function focusFirstError(form: HTMLFormElement | null, frames = 10): void {
  requestAnimationFrame(() => {
    const field = form?.querySelector<HTMLElement>(
      '.has-error input, .has-error select, .has-error textarea, fieldset[aria-invalid="true"] input',
    );
    // The marks may not be drawn yet: look again next frame, a few times.
    if (field) field.focus();
    else if (frames > 1) focusFirstError(form, frames - 1);
  });
}

export function Chip({ children, tone, title }: { children: ReactNode; tone?: string; title?: string }) {
  return (
    <span className={`chip ${tone ? `chip-${tone}` : ''}`} title={title}>
      {children}
    </span>
  );
}

/** A text's sentiment; the tooltip says who scored it (the installation's own model, where one is set). */
export function SentimentChip({
  s,
}: {
  s: { label: string; score: number; model?: string | null } | null | undefined;
}) {
  if (!s) return null;
  const sign = s.score > 0 ? '+' : s.score < 0 ? '−' : '';
  const by = s.model ? `scored by the sentiment model '${s.model}'` : "scored by Canopy's built-in analyser";
  return (
    <Chip tone={s.label} title={by}>
      {s.label} {sign}
      {Math.abs(s.score).toFixed(2)}
    </Chip>
  );
}

export function PageHead({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-head">
      <h1>{title}</h1>
      {children && <p className="lede">{children}</p>}
    </div>
  );
}

/** A row of toggle buttons (one pressed), grouped and named for screen readers. */
export function Toggle({
  label,
  options,
  value,
  onChange,
}: {
  label: string;
  /** value, text, and (when the choice is not available) why not: the button is disabled and says so. */
  options: [string, ReactNode, string?][];
  value: string;
  onChange: (v: string) => void;
}) {
  return (
    <fieldset className="seg">
      <legend className="sr-only">{label}</legend>
      {options.map(([v, text, unavailable]) => (
        <button
          key={v || 'all'}
          type="button"
          aria-pressed={value === v}
          disabled={!!unavailable}
          title={unavailable}
          onClick={() => onChange(v)}
        >
          {text}
        </button>
      ))}
    </fieldset>
  );
}

/**
 * A small “?” that explains a measure: hover or focus shows it, a click or Enter pins it, Escape
 * closes it. The text is also the button's description for screen readers. It is placed with
 * fixed coordinates, so a table that scrolls sideways does not clip it.
 */
export function Help({
  term,
  text,
  label,
}: {
  term?: string;
  text?: string;
  label?: string;
  /** Kept for callers; the text is placed to stay on screen whatever the side. */
  align?: 'right';
}) {
  const body = text ?? (term ? GLOSSARY[term] : undefined);
  // 'pinned' by a click or Enter; 'dismissed' by Escape (hidden even while hovered or focused).
  const [state, setState] = useState<'pinned' | 'dismissed' | null>(null);
  const [near, setNear] = useState(false);
  const [pos, setPos] = useState<{ top: number; left: number; width: number } | null>(null);
  const id = useId();
  const ref = useRef<HTMLSpanElement>(null);
  const visible = state === 'pinned' || (near && state !== 'dismissed');
  useEffect(() => {
    if (!visible) return;
    const place = () => {
      const r = ref.current?.getBoundingClientRect();
      if (!r) return;
      const width = Math.min(352, window.innerWidth - 24);
      setPos({ top: r.bottom + 6, left: Math.max(12, Math.min(r.left - 8, window.innerWidth - width - 12)), width });
    };
    place();
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent) {
        if (e.key === 'Escape') setState('dismissed');
      } else if (!ref.current?.contains(e.target as Node)) {
        setState(null);
        setNear(false);
      }
    };
    const hide = () => {
      setState(null);
      setNear(false);
    };
    document.addEventListener('keydown', close);
    document.addEventListener('pointerdown', close);
    window.addEventListener('scroll', hide, { passive: true, capture: true });
    window.addEventListener('resize', hide);
    return () => {
      document.removeEventListener('keydown', close);
      document.removeEventListener('pointerdown', close);
      window.removeEventListener('scroll', hide, { capture: true });
      window.removeEventListener('resize', hide);
    };
  }, [visible]);
  if (!body) return null;
  return (
    <span className="help" ref={ref} data-open={visible || undefined}>
      <button
        type="button"
        className="help-btn"
        aria-label={`What is ${label ?? term ?? 'this'}?`}
        aria-expanded={visible}
        aria-describedby={id}
        onMouseEnter={() => setNear(true)}
        onMouseLeave={() => {
          setNear(false);
          if (state === 'dismissed') setState(null);
        }}
        onFocus={() => setNear(true)}
        onBlur={() => {
          setNear(false);
          if (state === 'dismissed') setState(null);
        }}
        onClick={(e) => {
          e.preventDefault();
          e.stopPropagation();
          setState((o) => (o === 'pinned' ? 'dismissed' : 'pinned'));
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setState('dismissed');
        }}
      >
        ?
      </button>
      <span
        role="tooltip"
        id={id}
        className="help-text"
        style={visible && pos ? { top: pos.top, left: pos.left, maxWidth: pos.width } : undefined}
      >
        {body}
      </span>
    </span>
  );
}
