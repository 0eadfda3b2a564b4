import { useEffect, useState } from 'react';
import { type Breakdown, type Department, type Touchpoint, useApi } from '../api';
import { humanise, rangeProblem } from '../display';
import { activeFilterCount, addDays, clearFilters, isoDay, setFilters, useFilters } from '../filters';
import { day } from '../format';

const RANGES: [string, number][] = [
  ['30 days', 30],
  ['90 days', 90],
  ['12 months', 365],
];

/** The period and filter bar shared by every page; its state is the URL's query string. */
export function FilterBar() {
  const f = useFilters();
  const deps = useApi<{ items: Department[] }>('/api/v1/departments');
  const tps = useApi<{ items: Touchpoint[] }>('/api/v1/touchpoints');
  // Segments have no list of their own: the ones that answered in the last year.
  const today = isoDay(new Date());
  const segs = useApi<Breakdown>('/api/v1/metrics/breakdown', {
    metric: 'responses',
    group_by: 'segment',
    from: `${addDays(today, -365)}T00:00:00Z`,
    limit: 50,
  });
  const touchpoints = (tps.data?.items ?? []).filter((t) => !f.department || t.department === f.department);
  const channels = [...new Set((tps.data?.items ?? []).map((t) => t.channel))].sort();
  const segments = (segs.data?.groups ?? []).map((g) => g.key).filter(Boolean);
  const days = Math.round((Date.parse(f.to) - Date.parse(f.from)) / 86_400_000) + 1;
  const n = activeFilterCount(f);
  // On a phone the bar folds to one line (the period and how many filters) until opened.
  const [open, setOpen] = useState(false);
  // The dates as typed: applied only when they make a period (a "to" before "from" is not asked for).
  const [draft, setDraft] = useState({ from: f.from, to: f.to });
  useEffect(() => setDraft({ from: f.from, to: f.to }), [f.from, f.to]);
  const problem = rangeProblem(draft.from, draft.to);
  const setDate = (k: 'from' | 'to', v: string) => {
    const next = { ...draft, [k]: v };
    setDraft(next);
    if (!rangeProblem(next.from, next.to)) setFilters(next);
  };

  return (
    <form
      className={`filter-bar${open ? '' : ' folded'}`}
      aria-label="Period and filters"
      onSubmit={(e) => e.preventDefault()}
    >
      <button
        type="button"
        className="filter-toggle secondary"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        data-testid="filter-toggle"
      >
        <span>
          <strong>Filters</strong> · {day(`${f.from}T00:00:00Z`)} – {day(`${f.to}T00:00:00Z`)}
          {n > 0 ? ` · ${n} filter${n > 1 ? 's' : ''}` : ' · all data'}
        </span>
        <span aria-hidden="true">{open ? '▴' : '▾'}</span>
        <span className="sr-only">{open ? 'hide filters' : 'show filters'}</span>
      </button>
      <fieldset className="range">
        <legend className="sr-only">Period</legend>
        {/* The pickers write dates the browser's way; the labels say them the way the pages do. */}
        <label>
          <span>
            From <span className="range-day">· {day(`${f.from}T00:00:00Z`)}</span>
          </span>
          <input
            type="date"
            value={draft.from}
            max={draft.to}
            onChange={(e) => setDate('from', e.target.value)}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? 'filter-range-error' : undefined}
            data-testid="filter-from"
          />
        </label>
        <label>
          <span>
            To <span className="range-day">· {day(`${f.to}T00:00:00Z`)}</span>
          </span>
          <input
            type="date"
            value={draft.to}
            min={draft.from}
            onChange={(e) => setDate('to', e.target.value)}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? 'filter-range-error' : undefined}
            data-testid="filter-to"
          />
        </label>
        <span className="quick">
          {RANGES.map(([label, d]) => (
            <button
              key={label}
              type="button"
              aria-pressed={days === d && f.to === today}
              onClick={() => setFilters({ from: addDays(today, -(d - 1)), to: today })}
            >
              {label}
            </button>
          ))}
        </span>
        {problem && (
          <small
            className="field-error range-text"
            role="alert"
            id="filter-range-error"
            data-testid="filter-range-error"
          >
            {problem}
          </small>
        )}
      </fieldset>
      <label>
        <span>Department</span>
        <select
          value={f.department}
          onChange={(e) => setFilters({ department: e.target.value, touchpoint: '' })}
          data-testid="filter-department"
        >
          <option value="">All</option>
          {(deps.data?.items ?? []).map((d) => (
            <option key={d.key} value={d.key}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Touchpoint</span>
        <select
          value={f.touchpoint}
          onChange={(e) => setFilters({ touchpoint: e.target.value })}
          data-testid="filter-touchpoint"
        >
          <option value="">All</option>
          {touchpoints.map((t) => (
            <option key={t.key} value={t.key}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Channel</span>
        <select
          value={f.channel}
          onChange={(e) => setFilters({ channel: e.target.value })}
          data-testid="filter-channel"
        >
          <option value="">All</option>
          {channels.map((c) => (
            <option key={c} value={c}>
              {humanise(c)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Segment</span>
        <select
          value={f.segment}
          onChange={(e) => setFilters({ segment: e.target.value })}
          data-testid="filter-segment"
        >
          <option value="">All</option>
          {segments.map((s) => (
            <option key={s} value={s}>
              {humanise(s)}
            </option>
          ))}
        </select>
      </label>
      {n > 0 && (
        <button type="button" className="link" onClick={clearFilters}>
          Clear {n} filter{n > 1 ? 's' : ''}
        </button>
      )}
    </form>
  );
}
