import { type FormEvent, useState } from 'react';
import {
  ApiError,
  api,
  CASE_PRIORITIES,
  CASE_STATUSES,
  type CaseDetail,
  type CaseStatus,
  clearApiCache,
  fieldErrors,
  type Me,
  type TimelineItem,
  useApi,
} from '../api';
import { scoreLabels, TextBlock, texts } from '../components/Text';
import { Card, Chip, Empty, ErrorBox, Loading, PageHead } from '../components/ui';
import { humanise, money } from '../display';
import { dateTime } from '../format';
import {
  Due,
  PriorityChip,
  STATUS_LABEL,
  StatusChip,
  TopicSelect,
  TRANSITIONS,
  useDepartments,
  useNames,
  useTaxonomy,
} from '../loop/common';
import { Link } from '../router';

/** A colleague a case can be assigned to (GET /api/v1/assignees). */
interface Assignee {
  id: string;
  name: string;
  role: string;
  department: string | null;
}

const VERB: Record<CaseStatus, string> = {
  new: 'Mark new',
  in_progress: 'Start work',
  waiting: 'Waiting on customer',
  resolved: 'Resolve',
  closed: 'Close',
};

function what(i: TimelineItem, survey: (k: string) => string): string {
  if (i.record_type === 'interaction') return `${humanise(i.kind)}${i.subject ? `: ${i.subject}` : ''}`;
  if (i.record_type === 'response') return `Survey${i.survey ? ` “${survey(i.survey)}”` : ''} answered`;
  return `${humanise(i.type)}${i.value !== null ? ` · ${money(i.value, i.currency)}` : ''}`;
}

function historyLine(e: CaseDetail['history'][number], label: (k: string) => string): string {
  const b = e.body ?? {};
  switch (e.kind) {
    case 'status':
      return `Status ${STATUS_LABEL[b.from as CaseStatus] ?? b.from} → ${STATUS_LABEL[b.to as CaseStatus] ?? b.to}`;
    case 'assigned':
      return `Assigned to ${b.to ?? 'nobody'}${b.from ? ` (was ${b.from})` : ''}`;
    case 'note':
      return `Note: ${String(b.text ?? '')}`;
    case 'updated':
      return Object.entries(b)
        .map(([k, v]) =>
          k === 'root_cause'
            ? `root cause: ${v ? label(String(v)) : 'cleared'}`
            : k === 'action_taken'
              ? `action taken: ${v}`
              : `${k.replace('_', ' ')}: ${k === 'sla_due_at' ? dateTime(String(v)) : v}`,
        )
        .join(' · ');
    case 'opened':
      return e.author === 'rules' ? 'Opened by a rule' : 'Opened';
    default:
      return humanise(e.kind);
  }
}

export default function CasePage({ id, me }: { id?: string; me: Me }) {
  const [version, setVersion] = useState(0);
  const c = useApi<CaseDetail>(id ? `/api/v1/cases/${id}` : null, undefined, version);
  const deps = useDepartments();
  const keyNames = useNames();
  const tax = useTaxonomy();
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const [action, setAction] = useState('');
  // Colleagues who may work cases: the assignee is picked, never typed (the server checks too).
  const people = useApi<{ items: Assignee[] }>('/api/v1/assignees');
  const author = me.user?.name;

  if (c.error) return <ErrorBox error={c.error} />;
  if (!c.data) return <Loading what="Loading case" />;
  const k = c.data;

  const reload = () => {
    clearApiCache('/api/v1/cases');
    setVersion((v) => v + 1);
  };
  const run = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(true);
    setError('');
    setSaved('');
    try {
      await fn();
      setSaved(what);
      reload();
      return true;
    } catch (e) {
      // An invalid field's reason says more than the problem's "nothing was changed".
      const reasons = e instanceof ApiError && e.status === 422 ? Object.values(fieldErrors(e)) : [];
      setError(e instanceof ApiError ? [e.detail || e.title, ...reasons].join(': ') : (e as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const patch = (body: Record<string, unknown>, what: string) =>
    run(what, () => api('PATCH', `/api/v1/cases/${k.id}`, { ...body, ...(author ? { author } : {}) }));

  const addNote = async (e: FormEvent) => {
    e.preventDefault();
    if (!note.trim()) return;
    if (
      await run('Note added', () =>
        api('POST', `/api/v1/cases/${k.id}/notes`, { body: note, ...(author ? { author } : {}) }),
      )
    )
      setNote('');
  };
  const addAction = async (e: FormEvent) => {
    e.preventDefault();
    if (!action.trim()) return;
    if (await patch({ action_taken: action }, 'Action recorded')) setAction('');
  };

  const trigger = (k.trigger ?? {}) as {
    reason?: string;
    verbatim?: string | null;
    score?: { type: string; value: number } | null;
    sentiment?: { label: string; score: number } | number | null;
    topic?: string | null;
  };
  const allowed = TRANSITIONS[k.status] ?? [];
  const names = (people.data?.items ?? []).map((p) => p.name);
  const timeline = k.timeline?.items ?? [];

  return (
    <>
      <p>
        <Link to="/cases">← Cases</Link>
      </p>
      <PageHead title={k.title}>
        Opened {dateTime(k.opened_at)} · {deps.name(k.department)}
        {k.rule_id ? ' · by a rule' : ''}
      </PageHead>
      <div className="case-head">
        <span data-testid="case-current-status" data-status={k.status}>
          <StatusChip s={k.status} />
        </span>
        <PriorityChip p={k.priority} />
        <span>
          SLA: <Due c={k} />
        </span>
        {k.recovery.status && (
          <Chip tone={k.recovery.status === 'recovered' ? 'positive' : undefined}>
            recovery: {humanise(k.recovery.status).toLowerCase()}
          </Chip>
        )}
      </div>
      <Card title="Workflow" testId="workflow">
        <fieldset className="workflow">
          <legend className="sr-only">Move the case to</legend>
          {/* Only the workflow's next steps: the server refuses the others anyway. */}
          {CASE_STATUSES.filter((s) => allowed.includes(s)).map((s) => (
            <button
              key={s}
              type="button"
              className="primary"
              disabled={busy}
              onClick={() => patch({ status: s }, `Moved to ${STATUS_LABEL[s]}`)}
              data-testid={`to-${s}`}
            >
              {k.status === 'closed' || k.status === 'resolved' ? (s === 'in_progress' ? 'Reopen' : VERB[s]) : VERB[s]}
            </button>
          ))}
        </fieldset>
        <p className="note">
          Next steps from {STATUS_LABEL[k.status]}: {allowed.map((s) => STATUS_LABEL[s]).join(', ')}.
        </p>
        {error && (
          <p className="error" role="alert" data-testid="case-error">
            {error}
          </p>
        )}
        {saved && !error && (
          <p className="ok" role="status">
            {saved}.
          </p>
        )}
      </Card>
      <div className="grid cols-3">
        <Card title="Details" testId="case-details">
          <div className="form-grid">
            <label className="field">
              <span>Assignee</span>
              <select
                value={k.assignee ?? ''}
                disabled={busy || !people.data}
                onChange={(e) => patch({ assignee: e.target.value || null }, 'Assignee saved')}
                data-testid="case-assignee"
              >
                <option value="">Unassigned</option>
                {/* A name from before assignees were checked (or a removed user) stays visible. */}
                {k.assignee && !names.includes(k.assignee) && (
                  <option value={k.assignee}>{k.assignee} (not a user)</option>
                )}
                {(people.data?.items ?? []).map((p) => (
                  <option key={p.id} value={p.name}>
                    {p.name}
                  </option>
                ))}
              </select>
              {author && !k.assignee && names.includes(author) && (
                <button type="button" className="link" onClick={() => patch({ assignee: author }, 'Assigned to you')}>
                  Assign to me
                </button>
              )}
            </label>
            <label className="field">
              <span>Priority</span>
              <select
                value={k.priority}
                disabled={busy}
                onChange={(e) => patch({ priority: e.target.value }, 'Priority saved')}
              >
                {CASE_PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {humanise(p)}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Department</span>
              <select
                value={k.department}
                disabled={busy}
                onChange={(e) => patch({ department: e.target.value }, 'Department saved')}
              >
                {deps.items.map((d) => (
                  <option key={d.key} value={d.key}>
                    {d.name}
                  </option>
                ))}
              </select>
            </label>
            {/* biome-ignore lint/a11y/noLabelWithoutControl: TopicSelect renders the select */}
            <label className="field">
              <span>Root cause</span>
              <TopicSelect
                value={k.root_cause ?? ''}
                topics={tax.topics}
                empty="Not set"
                onChange={(v) => patch({ root_cause: v || null }, 'Root cause saved')}
                testId="case-root-cause"
              />
            </label>
          </div>
        </Card>
        <Card title="What triggered it" className="span-2" testId="case-trigger">
          {trigger.reason && <p>{trigger.reason}</p>}
          <p>
            {/* The score, unless the reason above already is it ("NPS 5" twice). */}
            {trigger.score && trigger.reason !== `${trigger.score.type.toUpperCase()} ${trigger.score.value}` && (
              <Chip>
                {trigger.score.type.toUpperCase()} {trigger.score.value}
              </Chip>
            )}
            {typeof trigger.sentiment === 'number' ? (
              <Chip tone={trigger.sentiment < -0.05 ? 'negative' : trigger.sentiment > 0.05 ? 'positive' : 'neutral'}>
                sentiment {trigger.sentiment > 0 ? '+' : trigger.sentiment < 0 ? '−' : ''}
                {Math.abs(trigger.sentiment).toFixed(2)}
              </Chip>
            ) : (
              trigger.sentiment && <Chip tone={trigger.sentiment.label}>{trigger.sentiment.label}</Chip>
            )}
            {trigger.topic && <Chip tone="topic">{tax.label(trigger.topic)}</Chip>}
          </p>
          {trigger.verbatim && <blockquote className="quote">“{trigger.verbatim}”</blockquote>}
          {k.customer ? (
            <p className="note">
              Customer: <Link to={`/customers/${k.customer.id}`}>{k.customer.name ?? k.customer.id}</Link>
              {k.customer.segment ? ` · ${humanise(k.customer.segment)}` : ''}
            </p>
          ) : (
            <p className="note">No customer is linked to this case.</p>
          )}
        </Card>
      </div>
      <div className="grid cols-2">
        <Card title={`Actions taken (${k.actions_taken.length})`} testId="case-actions">
          {k.actions_taken.length > 0 ? (
            <ul className="plain" data-testid="actions-list">
              {k.actions_taken.map((a, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: actions are append-only
                <li key={i}>{a}</li>
              ))}
            </ul>
          ) : (
            <p className="muted">Nothing recorded yet.</p>
          )}
          <form onSubmit={addAction} className="inline-form">
            <input
              value={action}
              onChange={(e) => setAction(e.target.value)}
              placeholder="e.g. Refunded the delivery fee"
              aria-label="Action taken"
              data-testid="action-input"
            />
            <button type="submit" className="secondary" disabled={busy || !action.trim()}>
              Add
            </button>
          </form>
        </Card>
        <Card title={`Notes (${k.notes.length})`} testId="case-notes">
          {k.notes.length > 0 ? (
            <ul className="plain notes" data-testid="notes-list">
              {k.notes.map((n) => (
                <li key={n.id}>
                  <div className="muted small">
                    {n.author ?? 'API'} · {dateTime(n.at)}
                  </div>
                  {n.body}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No notes yet.</p>
          )}
          <form onSubmit={addNote} className="stack">
            <textarea
              value={note}
              onChange={(e) => setNote(e.target.value)}
              rows={3}
              placeholder="What happened, what was agreed"
              aria-label="New note"
              data-testid="note-input"
            />
            <button type="submit" className="secondary" disabled={busy || !note.trim()}>
              Add note
            </button>
          </form>
        </Card>
      </div>
      <div className="grid cols-2">
        <Card title="Customer timeline" testId="case-timeline">
          {timeline.length === 0 ? (
            <Empty title="No history for this customer" />
          ) : (
            <ol className="timeline">
              {timeline.map((i) => {
                const tx =
                  i.record_type === 'response'
                    ? texts(i.answers, [], i.analysis)
                    : texts(undefined, [{ field: 'text', text: i.text }], i.analysis);
                return (
                  <li key={`${i.record_type}:${i.id}`} data-testid="case-timeline-item">
                    <div className="when">
                      {dateTime(i.at)} · {humanise(i.record_type)}
                      {'department' in i && i.department ? ` · ${keyNames.department(i.department)}` : ''}
                      {i.touchpoint ? ` · ${keyNames.touchpoint(i.touchpoint)}` : ''}
                    </div>
                    <div className="what">
                      {what(i, keyNames.survey)}{' '}
                      {i.record_type === 'response' && scoreLabels(i.answers).map((s) => <Chip key={s}>{s}</Chip>)}
                    </div>
                    {tx.map((t) => (
                      <div key={t.field} className="verbatim">
                        <TextBlock text={t.text} analysis={t.analysis} />
                      </div>
                    ))}
                  </li>
                );
              })}
            </ol>
          )}
          {k.customer && k.timeline?.next_cursor && (
            <p className="note">
              <Link to={`/customers/${k.customer.id}`}>Whole history →</Link>
            </p>
          )}
        </Card>
        <Card title="History" testId="case-history">
          <ol className="plain history">
            {k.history.map((e) => (
              <li key={e.id}>
                <span className="muted small">
                  {dateTime(e.at)}
                  {/* The rules engine signs what it opens as "rules": the line says "by a rule" instead. */}
                  {e.author && e.author !== 'rules' ? ` · ${e.author}` : ''}
                </span>{' '}
                {historyLine(e, tax.label)}
              </li>
            ))}
          </ol>
        </Card>
      </div>
    </>
  );
}
