import type { ReactNode } from 'react';
import { type CaseStatus, type CaseView, type Department, type TaxonomyTopic, type Touchpoint, useApi } from '../api';
import { Chip } from '../components/ui';
import { humanise, nameIn, personName } from '../display';
import { dateTime, titleCase } from '../format';
import { nameFromKey } from '../naming';

/** The server's status workflow (packages/server/src/loop/schema.ts), to mark the likely next steps. */
export const TRANSITIONS: Record<CaseStatus, readonly CaseStatus[]> = {
  new: ['in_progress', 'closed'],
  in_progress: ['waiting', 'resolved', 'closed'],
  waiting: ['in_progress', 'resolved', 'closed'],
  resolved: ['closed', 'in_progress'],
  closed: ['in_progress'],
};

export const STATUS_LABEL: Record<CaseStatus, string> = {
  new: 'New',
  in_progress: 'In progress',
  waiting: 'Waiting',
  resolved: 'Resolved',
  closed: 'Closed',
};

const PRIORITY_TONE: Record<string, string> = { urgent: 'negative', high: 'warn', normal: '', low: 'neutral' };

export function StatusChip({ s }: { s: CaseStatus }) {
  return <span className={`status status-${s}`}>{STATUS_LABEL[s] ?? s}</span>;
}

export function PriorityChip({ p }: { p: string }) {
  return <Chip tone={PRIORITY_TONE[p] || undefined}>{titleCase(p)}</Chip>;
}

/** The SLA due time, flagged when overdue (by word and mark, not colour alone). */
export function Due({ c }: { c: Pick<CaseView, 'sla_due_at' | 'overdue' | 'status'> }) {
  if (c.status === 'resolved' || c.status === 'closed') return <span className="muted">{dateTime(c.sla_due_at)}</span>;
  return c.overdue ? (
    <span className="overdue" data-testid="overdue">
      ⚠︎ overdue · {dateTime(c.sla_due_at)}
    </span>
  ) : (
    <span>{dateTime(c.sla_due_at)}</span>
  );
}

export function useDepartments() {
  const d = useApi<{ items: Department[] }>('/api/v1/departments');
  const items = d.data?.items ?? [];
  const name = (k: string | null | undefined) => (k ? nameIn(items, k) : '—');
  return { items, name };
}

/**
 * The org's names for the keys records carry: departments, touchpoints, taxonomy topics, agents
 * (their names where the org has them), teams (in words) and surveys. Each answers '' for no key.
 */
export function useNames() {
  const deps = useApi<{ items: Department[] }>('/api/v1/departments');
  const tps = useApi<{ items: Touchpoint[] }>('/api/v1/touchpoints');
  const tax = useApi<{ topics: TaxonomyTopic[] }>('/api/v1/taxonomy');
  const agents = useApi<{ items: { key: string; name: string | null; team: string | null }[] }>('/api/v1/agents');
  const surveys = useApi<{ items: { key: string; name: string }[] }>('/api/v1/surveys');
  return {
    department: (k: string | null | undefined) => nameIn(deps.data?.items ?? [], k),
    touchpoint: (k: string | null | undefined) => nameIn(tps.data?.items ?? [], k),
    topic: (k: string | null | undefined) => nameIn(tax.data?.topics ?? [], k),
    agent: (k: string | null | undefined) => nameIn(agents.data?.items ?? [], k, personName),
    team: (k: string | null | undefined) => humanise(k),
    survey: (k: string | null | undefined) => nameIn(surveys.data?.items ?? [], k, nameFromKey),
  };
}

export function useTaxonomy() {
  const t = useApi<{ topics: TaxonomyTopic[] }>('/api/v1/taxonomy');
  const topics = t.data?.topics ?? [];
  const label = (k: string | null | undefined) => (k ? nameIn(topics, k) : '—');
  return { topics, label, loading: t.loading };
}

/** A topic picker: parents as groups, each with its children (keys are what the API takes). */
export function TopicSelect({
  value,
  onChange,
  topics,
  id,
  empty = 'None',
  invalid,
  testId,
}: {
  value: string;
  onChange: (v: string) => void;
  topics: TaxonomyTopic[];
  id?: string;
  empty?: string;
  invalid?: boolean;
  testId?: string;
}) {
  const parents = topics.filter((t) => !t.parent);
  return (
    <select
      id={id}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      aria-invalid={invalid || undefined}
      data-testid={testId}
    >
      <option value="">{empty}</option>
      {parents.map((p) => (
        <optgroup key={p.key} label={p.label}>
          <option value={p.key}>{p.label} (any)</option>
          {topics
            .filter((c) => c.parent === p.key)
            .map((c) => (
              <option key={c.key} value={c.key}>
                {c.label}
              </option>
            ))}
        </optgroup>
      ))}
    </select>
  );
}

/** A labelled form field with the server's reason for refusing it underneath. */
export function Field({
  label,
  error,
  children,
  hint,
  wide,
  testId,
}: {
  label: string;
  error?: string;
  children: ReactNode;
  hint?: ReactNode;
  wide?: boolean;
  testId?: string;
}) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in
    <label className={`field${wide ? ' wide' : ''}${error ? ' has-error' : ''}`} data-testid={testId}>
      <span>{label}</span>
      {children}
      {hint && !error && <small className="hint">{hint}</small>}
      {error && (
        <small className="field-error" role="alert">
          {error}
        </small>
      )}
    </label>
  );
}
