import { type FormEvent, useState } from 'react';
import { ApiError, api, CASE_PRIORITIES, clearApiCache, fieldErrors, type Rule, useApi } from '../api';
import { Card, Empty, ErrorBox, Loading, PageHead } from '../components/ui';
import { fieldsBanner, humanise, numberProblem } from '../display';
import { titleCase } from '../format';
import { Field, TopicSelect, useDepartments, useTaxonomy } from '../loop/common';

const CONDITIONS: [string, string][] = [
  ['nps', 'NPS answer at or below'],
  ['csat', 'CSAT answer at or below'],
  ['churn_threat', 'Text threatens to leave'],
  ['negative_sentiment', 'Negative sentiment (on a topic)'],
  ['topic_spike', 'Topic spike'],
  ['repeat_contact', 'Repeat contacts'],
];
const ACTIONS: [string, string][] = [
  ['open_case', 'Open a case'],
  ['email', 'Send an email'],
  ['webhook', 'Call a webhook'],
  ['tag', 'Tag the record'],
];

function describeCondition(c: Rule['condition'], label: (k: string) => string): string {
  switch (c.type) {
    case 'nps':
      return `NPS ≤ ${c.max}`;
    case 'csat':
      return `CSAT ≤ ${c.max}`;
    case 'churn_threat':
      return 'Churn threat in a text';
    case 'negative_sentiment':
      return `Negative sentiment${c.topic ? ` on ${label(String(c.topic))}` : ''} (≤ ${c.max_score})`;
    case 'topic_spike':
      return `${c.topic ? label(String(c.topic)) : 'Any topic'} above ${c.factor}× its ${c.baseline_days}-day baseline (min ${c.min_count}/h)`;
    case 'repeat_contact':
      return `${c.count} contacts within ${c.days} days`;
    default:
      return c.type;
  }
}

function describeAction(a: Rule['actions'][number], dept: (k: string) => string): string {
  switch (a.type) {
    case 'open_case':
      return `Open a case${a.department ? ` for ${dept(String(a.department))}` : ''}${a.priority ? ` (${a.priority})` : ''}${a.assignee ? `, assigned to ${a.assignee}` : ''}`;
    case 'email':
      return `Email ${(a.to as string[]).join(', ')}`;
    case 'webhook':
      return a.webhook_id ? 'Call one webhook' : 'Call the subscribed webhooks';
    case 'tag':
      return `Tag “${a.tag}”`;
    default:
      return a.type;
  }
}

/** Numbers typed in the form: empty = leave out (the server's default), else a number, else the text (the server says why). */
function num(v: string): number | string | undefined {
  if (v.trim() === '') return undefined;
  const n = Number(v.trim().replace(/^−/, '-'));
  return Number.isFinite(n) ? n : v;
}

/** What the form calls each field the server may name, for the banner over a refused rule. */
const LABELS: Record<string, string> = {
  name: 'Name',
  'condition.type': 'When',
  'condition.max': 'Score at most',
  'condition.topic': 'Topic',
  'condition.max_score': 'Sentiment at most',
  'condition.factor': 'Factor over baseline',
  'condition.min_count': 'At least (mentions/hour)',
  'condition.baseline_days': 'Baseline days',
  'condition.count': 'Contacts',
  'condition.days': 'Within days',
  'customer.segment': 'Only customers in segment',
  'actions[0].type': 'Then',
  'actions[0].department': 'Department',
  'actions[0].priority': 'Priority',
  'actions[0].assignee': 'Assignee',
  'actions[0].sla_hours': 'SLA hours',
  'actions[0].to': 'To',
  'actions[0].webhook_id': 'Webhook',
  'actions[0].tag': 'Tag',
};

/** The fields to check, by their labels; the banner sits under the form's button, so they are above it. */
const banner = (errs: Record<string, string>) => fieldsBanner(errs, LABELS)?.replace(/ below\)\.$/, ' above).') ?? null;

/** Field errors as the form names them: "Assignee: no user 'kim' in this organisation …; Tag: must not be empty". */
function inWords(errs: [string, string][]): string {
  return errs.map(([f, r]) => `${LABELS[f] ?? humanise(f.replace(/\[\d+\]/g, ''))}: ${r}`).join('; ');
}

/** The number fields the chosen condition and action show, with the ranges the server takes. */
function numberProblems(d: Draft): Record<string, string> {
  const checks: [keyof Draft, string, Parameters<typeof numberProblem>[1]][] = [];
  if (d.type === 'nps') checks.push(['max', 'condition.max', { integer: true, min: 0, max: 10 }]);
  if (d.type === 'csat') checks.push(['max', 'condition.max', { integer: true, min: 1, max: 5 }]);
  if (d.type === 'negative_sentiment') checks.push(['max_score', 'condition.max_score', { min: -1, max: 1 }]);
  if (d.type === 'topic_spike')
    checks.push(
      ['factor', 'condition.factor', { min: 1, max: 1000 }],
      ['min_count', 'condition.min_count', { integer: true, min: 1 }],
      ['baseline_days', 'condition.baseline_days', { integer: true, min: 1, max: 90 }],
    );
  if (d.type === 'repeat_contact')
    checks.push(
      ['count', 'condition.count', { integer: true, min: 2, max: 1000 }],
      ['days', 'condition.days', { integer: true, min: 1, max: 365 }],
    );
  if (d.action === 'open_case') checks.push(['sla_hours', 'actions[0].sla_hours', { min: 0.01, max: 8760 }]);
  const out: Record<string, string> = {};
  for (const [k, field, opts] of checks) {
    const p = numberProblem(d[k], opts);
    if (p) out[field] = p;
  }
  return out;
}

interface Draft {
  name: string;
  type: string;
  max: string;
  topic: string;
  max_score: string;
  factor: string;
  min_count: string;
  baseline_days: string;
  count: string;
  days: string;
  segment: string;
  action: string;
  department: string;
  priority: string;
  assignee: string;
  sla_hours: string;
  to: string;
  webhook_id: string;
  tag: string;
}
const EMPTY: Draft = {
  name: '',
  type: 'nps',
  max: '6',
  topic: '',
  max_score: '',
  factor: '',
  min_count: '',
  baseline_days: '',
  count: '',
  days: '',
  segment: '',
  action: 'open_case',
  department: '',
  priority: '',
  assignee: '',
  sla_hours: '',
  to: '',
  webhook_id: '',
  tag: '',
};

function toBody(d: Draft) {
  const clean = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
  const condition = clean({
    type: d.type,
    ...(d.type === 'nps' || d.type === 'csat' ? { max: num(d.max) } : {}),
    ...(d.type === 'negative_sentiment' ? { topic: d.topic, max_score: num(d.max_score) } : {}),
    ...(d.type === 'topic_spike'
      ? { topic: d.topic, factor: num(d.factor), min_count: num(d.min_count), baseline_days: num(d.baseline_days) }
      : {}),
    ...(d.type === 'repeat_contact' ? { count: num(d.count), days: num(d.days) } : {}),
  });
  const action = clean({
    type: d.action,
    ...(d.action === 'open_case'
      ? { department: d.department, priority: d.priority, assignee: d.assignee.trim(), sla_hours: num(d.sla_hours) }
      : {}),
    ...(d.action === 'email'
      ? {
          to: d.to
            .split(/[,\s]+/)
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
    ...(d.action === 'webhook' ? { webhook_id: d.webhook_id } : {}),
    ...(d.action === 'tag' ? { tag: d.tag.trim() } : {}),
  });
  return {
    name: d.name,
    condition,
    ...(d.segment ? { customer: { segment: d.segment } } : {}),
    actions: [action],
  };
}

function RuleForm({ onCreated }: { onCreated: () => void }) {
  const [d, setD] = useState<Draft>(EMPTY);
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const deps = useDepartments();
  const tax = useTaxonomy();
  const hooks = useApi<{ items: { id: string; url: string; description: string | null }[] }>('/api/v1/webhooks');
  // Whom a rule's case can go to: the org's users who may work cases (the server checks too).
  const people = useApi<{ items: { id: string; name: string }[] }>('/api/v1/assignees');
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const input = (k: keyof Draft, props: Record<string, unknown> = {}) => (
    <input
      value={d[k]}
      onChange={(e) => set({ [k]: e.target.value })}
      aria-invalid={errs[fieldOf(k)] ? true : undefined}
      data-testid={`rule-${k}`}
      {...props}
    />
  );
  const fieldOf = (k: keyof Draft): string =>
    ['max', 'topic', 'max_score', 'factor', 'min_count', 'baseline_days', 'count', 'days'].includes(k)
      ? `condition.${k}`
      : ['department', 'priority', 'assignee', 'sla_hours', 'to', 'webhook_id', 'tag'].includes(k)
        ? `actions[0].${k}`
        : k === 'segment'
          ? 'customer.segment'
          : k === 'type'
            ? 'condition.type'
            : k === 'action'
              ? 'actions[0].type'
              : k;
  const err = (k: keyof Draft) => {
    const f = fieldOf(k);
    return errs[f] ?? Object.entries(errs).find(([x]) => x.startsWith(`${f}[`) || x.startsWith(`${f}.`))?.[1];
  };
  const known = new Set((Object.keys(EMPTY) as (keyof Draft)[]).map(fieldOf));
  const other = Object.entries(errs).filter(
    ([f]) => ![...known].some((k) => f === k || f.startsWith(`${k}[`) || f.startsWith(`${k}.`)),
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // Numbers are checked here first: "abc" for a score is refused before anything is sent.
    const local = numberProblems(d);
    if (Object.keys(local).length) {
      setErrs(local);
      setError(banner(local) ?? '');
      return;
    }
    setBusy(true);
    setErrs({});
    setError('');
    try {
      await api('POST', '/api/v1/rules', toBody(d));
      setD(EMPTY);
      onCreated();
    } catch (x) {
      const f = fieldErrors(x);
      setErrs(f);
      setError(banner(f) ?? (x instanceof ApiError ? x.detail || x.title : (x as Error).message));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate data-testid="rule-form" className="form-grid wide-form">
      <Field label="Name" error={err('name')} wide>
        {input('name', { placeholder: 'e.g. Detractor follow-up' })}
      </Field>
      <Field label="When" error={err('type')}>
        <select value={d.type} onChange={(e) => set({ type: e.target.value })} data-testid="rule-type">
          {CONDITIONS.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </Field>
      {(d.type === 'nps' || d.type === 'csat') && (
        <Field label={d.type === 'nps' ? 'Score at most (0–10)' : 'Score at most (1–5)'} error={err('max')}>
          {input('max', { inputMode: 'numeric' })}
        </Field>
      )}
      {(d.type === 'negative_sentiment' || d.type === 'topic_spike') && (
        <Field label="Topic" error={err('topic')}>
          <TopicSelect
            value={d.topic}
            onChange={(v) => set({ topic: v })}
            topics={tax.topics}
            empty="Any topic"
            invalid={!!err('topic')}
          />
        </Field>
      )}
      {d.type === 'negative_sentiment' && (
        <Field label="Sentiment at most (−1…1)" error={err('max_score')} hint="default −0.05">
          {input('max_score', { inputMode: 'decimal' })}
        </Field>
      )}
      {d.type === 'topic_spike' && (
        <>
          <Field label="Factor over baseline" error={err('factor')} hint="default 3">
            {input('factor', { inputMode: 'decimal' })}
          </Field>
          <Field label="At least (mentions/hour)" error={err('min_count')} hint="default 5">
            {input('min_count', { inputMode: 'numeric' })}
          </Field>
          <Field label="Baseline days" error={err('baseline_days')} hint="default 7">
            {input('baseline_days', { inputMode: 'numeric' })}
          </Field>
        </>
      )}
      {d.type === 'repeat_contact' && (
        <>
          <Field label="Contacts" error={err('count')} hint="default 3">
            {input('count', { inputMode: 'numeric' })}
          </Field>
          <Field label="Within days" error={err('days')} hint="default 7">
            {input('days', { inputMode: 'numeric' })}
          </Field>
        </>
      )}
      <Field label="Only customers in segment" error={err('segment')} hint="optional">
        {input('segment', { placeholder: 'any segment' })}
      </Field>
      <Field label="Then" error={err('action')}>
        <select value={d.action} onChange={(e) => set({ action: e.target.value })} data-testid="rule-action">
          {ACTIONS.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </Field>
      {d.action === 'open_case' && (
        <>
          <Field label="Department" error={err('department')} hint="default: the topic's owner">
            <select
              value={d.department}
              onChange={(e) => set({ department: e.target.value })}
              data-testid="rule-department"
            >
              <option value="">Route by topic</option>
              {deps.items.map((x) => (
                <option key={x.key} value={x.key}>
                  {x.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Priority" error={err('priority')}>
            <select value={d.priority} onChange={(e) => set({ priority: e.target.value })}>
              <option value="">By severity</option>
              {CASE_PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Assignee" error={err('assignee')} hint="someone who may work cases">
            <select
              value={d.assignee}
              onChange={(e) => set({ assignee: e.target.value })}
              disabled={!people.data}
              aria-invalid={err('assignee') ? true : undefined}
              data-testid="rule-assignee"
            >
              <option value="">Unassigned</option>
              {(people.data?.items ?? []).map((p) => (
                <option key={p.id} value={p.name}>
                  {p.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="SLA hours" error={err('sla_hours')} hint="default by priority">
            {input('sla_hours', { inputMode: 'decimal' })}
          </Field>
        </>
      )}
      {d.action === 'email' && (
        <Field label="To (comma separated)" error={err('to')} wide>
          {input('to', { placeholder: 'cx-team@example.com' })}
        </Field>
      )}
      {d.action === 'webhook' && (
        <Field label="Webhook" error={err('webhook_id')}>
          <select value={d.webhook_id} onChange={(e) => set({ webhook_id: e.target.value })}>
            <option value="">Every webhook subscribed to alerts</option>
            {(hooks.data?.items ?? []).map((h) => (
              <option key={h.id} value={h.id}>
                {h.description || h.url}
              </option>
            ))}
          </select>
        </Field>
      )}
      {d.action === 'tag' && (
        <Field label="Tag" error={err('tag')}>
          {input('tag', { placeholder: 'vip-detractor' })}
        </Field>
      )}
      <div className="form-foot wide">
        <button type="submit" className="primary" disabled={busy} data-testid="rule-submit">
          {busy ? 'Creating…' : 'Create rule'}
        </button>
        {error && (
          <span className="error inline" role="alert" data-testid="rule-error">
            {error}
            {other.length > 0 && `: ${inWords(other)}`}
          </span>
        )}
      </div>
    </form>
  );
}

export default function Rules() {
  const [version, setVersion] = useState(0);
  const rules = useApi<{ items: Rule[] }>('/api/v1/rules', undefined, version);
  const deps = useDepartments();
  const tax = useTaxonomy();
  const [error, setError] = useState('');
  const reload = () => {
    clearApiCache('/api/v1/rules');
    setVersion((v) => v + 1);
  };
  const toggle = async (r: Rule) => {
    setError('');
    try {
      await api('PUT', `/api/v1/rules/${r.id}`, {
        name: r.name,
        enabled: !r.enabled,
        condition: r.condition,
        ...(r.customer ? { customer: r.customer } : {}),
        actions: r.actions,
      });
      reload();
    } catch (e) {
      // E.g. a rule saved before assignees were checked, naming someone who is no user: say what to fix.
      const f = Object.entries(fieldErrors(e));
      setError(
        f.length
          ? `“${r.name}” was not ${r.enabled ? 'disabled' : 'enabled'}: ${inWords(f)}. Delete it and create it again.`
          : (e as Error).message,
      );
    }
  };
  const remove = async (r: Rule) => {
    if (!confirm(`Delete the rule “${r.name}”? Its cases stay.`)) return;
    try {
      await api('DELETE', `/api/v1/rules/${r.id}`);
      reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <PageHead title="Rules">
        Conditions checked on every incoming answer, text and interaction; when one holds, its actions run (open a case,
        email, webhook, tag).
      </PageHead>
      <Card title="Rules" testId="rules">
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {rules.error ? (
          <ErrorBox error={rules.error} />
        ) : !rules.data ? (
          <Loading what="Loading rules" />
        ) : rules.data.items.length === 0 ? (
          <Empty title="No rules yet">Create the first one below: a detractor follow-up is a good start.</Empty>
        ) : (
          <div className="table-wrap">
            <table data-testid="rules-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>When</th>
                  <th className="hide-phone">Then</th>
                  <th>State</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {rules.data.items.map((r) => (
                  <tr key={r.id} data-rule={r.id} className={r.enabled ? undefined : 'disabled'}>
                    <td>{r.name}</td>
                    <td>
                      {describeCondition(r.condition, tax.label)}
                      {r.customer?.segment ? ` · segment ${titleCase(r.customer.segment)}` : ''}
                    </td>
                    <td className="hide-phone">{r.actions.map((a) => describeAction(a, deps.name)).join('; ')}</td>
                    <td data-testid="rule-state">{r.enabled ? 'Enabled' : 'Disabled'}</td>
                    <td className="nowrap">
                      <button type="button" className="secondary" onClick={() => toggle(r)} data-testid="rule-toggle">
                        {r.enabled ? 'Disable' : 'Enable'}
                      </button>{' '}
                      <button type="button" className="link" onClick={() => remove(r)}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card title="New rule" testId="new-rule">
        <RuleForm onCreated={reload} />
      </Card>
    </>
  );
}
