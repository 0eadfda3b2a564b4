import { useEffect, useState } from 'react';
import {
  api,
  CASE_PRIORITIES,
  CASE_STATUSES,
  type CaseBoard,
  type CaseStatus,
  type CaseView,
  type Me,
  type Page,
  type Params,
  useApi,
  withQuery,
} from '../api';
import { Card, Empty, ErrorBox, Loading, PageHead, Toggle } from '../components/ui';
import { humanise } from '../display';
import { setParams, useParam } from '../filters';
import { count, dateTime } from '../format';
import { Due, PriorityChip, STATUS_LABEL, StatusChip, useDepartments, useTaxonomy } from '../loop/common';
import { Link } from '../router';

const OPEN: CaseStatus[] = ['new', 'in_progress', 'waiting'];

interface RecoveryCounts {
  closed: number;
  recovered: number;
  not_recovered: number;
  pending: number;
  recovery_rate: number | null;
}
interface RecoveryReport {
  from: string;
  to: string;
  overall: RecoveryCounts;
  by_department: (RecoveryCounts & { department: string | null })[];
  by_root_cause: (RecoveryCounts & { root_cause: string | null })[];
}

function RecoveryRow({ name, r }: { name: string; r: RecoveryCounts }) {
  return (
    <tr>
      <td>{name}</td>
      <td className="num">{count(r.closed)}</td>
      <td className="num">{count(r.recovered)}</td>
      <td className="num">{count(r.not_recovered)}</td>
      <td className="num">{count(r.pending)}</td>
      <td className="num" data-value={r.recovery_rate ?? ''}>
        {r.recovery_rate === null ? '—' : `${r.recovery_rate.toFixed(1)}%`}
        {/* The n behind the rate: "100.0%" of one judged case is not 100.0% of fifty. */}
        {r.recovery_rate !== null && <small className="muted"> n = {count(r.recovered + r.not_recovered)}</small>}
      </td>
    </tr>
  );
}

function RecoveryTable({ rows, testId }: { rows: [string, RecoveryCounts][]; testId: string }) {
  return (
    <div className="table-wrap">
      <table data-testid={testId}>
        <thead>
          <tr>
            <th />
            <th className="num">Closed</th>
            <th className="num">Recovered</th>
            <th className="num">Not recovered</th>
            <th className="num">Waiting for a signal</th>
            <th className="num">Recovery rate</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, r]) => (
            <RecoveryRow key={name} name={name} r={r} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Win-back after closing: did the customer's next signal come back better? */
function Recovery({ department }: { department: string }) {
  const days = Number(useParam('days', '90')) || 90;
  const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
  const from = new Date(to.getTime() - days * 86_400_000);
  const r = useApi<RecoveryReport>('/api/v1/cases/recovery', { from: from.toISOString(), to: to.toISOString() });
  const deps = useDepartments();
  const tax = useTaxonomy();
  if (r.error) return <ErrorBox error={r.error} />;
  if (!r.data) return <Loading what="Counting recoveries" />;
  const byDept = r.data.by_department.filter((d) => !department || d.department === department);
  const o = department ? byDept[0] : r.data.overall;
  return (
    <div data-testid="recovery">
      <div className="toolbar">
        <Toggle
          label="Cases closed in the last"
          options={[
            ['30', '30 days'],
            ['90', '90 days'],
            ['365', '12 months'],
          ]}
          value={String(days)}
          onChange={(v) => setParams({ days: v === '90' ? '' : v })}
        />
      </div>
      <p className="note">
        A closed case counts as <strong>recovered</strong> when the customer’s next signal after closing is better: a
        higher NPS or CSAT answer than the one that opened the case, a purchase, renewal or referral, or a positive
        text. A lower score, a cancellation or a negative text counts as <strong>not recovered</strong>. Recovery rate =
        recovered ÷ (recovered + not recovered); cases still waiting for a signal are left out.
      </p>
      {!o || o.closed === 0 ? (
        <Empty title={`No case was closed in the last ${days} days${department ? ' for this department' : ''}`}>
          Close cases from the <Link to="/cases">list</Link> once they are dealt with; their recovery shows here when
          the customer next answers, buys or writes.
        </Empty>
      ) : (
        <>
          <div className="stat-row" data-testid="recovery-overall">
            <div>
              <span className="stat" data-testid="recovery-rate" data-value={o.recovery_rate ?? ''}>
                {o.recovery_rate === null ? '—' : `${o.recovery_rate.toFixed(1)}%`}
              </span>
              <span className="muted" data-testid="recovery-rate-n">
                recovery rate (n = {count(o.recovered + o.not_recovered)} judged)
              </span>
            </div>
            <div>
              <span className="stat" data-testid="recovery-closed">
                {count(o.closed)}
              </span>
              <span className="muted">closed</span>
            </div>
            <div>
              <span className="stat">{count(o.recovered)}</span>
              <span className="muted">recovered</span>
            </div>
            <div>
              <span className="stat">{count(o.not_recovered)}</span>
              <span className="muted">not recovered</span>
            </div>
            <div>
              <span className="stat">{count(o.pending)}</span>
              <span className="muted">waiting for a signal</span>
            </div>
          </div>
          <h3>By department</h3>
          <RecoveryTable
            testId="recovery-departments"
            rows={byDept.map((d) => [d.department ? deps.name(d.department) : 'No department', d])}
          />
          {r.data.by_root_cause.length > 0 && !department && (
            <>
              <h3>By root cause</h3>
              <RecoveryTable
                testId="recovery-root-causes"
                rows={r.data.by_root_cause.map((d) => [d.root_cause ? tax.label(d.root_cause) : 'Not set', d])}
              />
            </>
          )}
        </>
      )}
    </div>
  );
}

function CaseList({ params }: { params: Params }) {
  const first = useApi<Page<CaseView>>('/api/v1/cases', { ...params, limit: 50 });
  const deps = useDepartments();
  const tax = useTaxonomy();
  const [extra, setExtra] = useState<{ items: CaseView[]; cursor: string | null }>({ items: [], cursor: null });
  const [busy, setBusy] = useState(false);
  useEffect(() => setExtra({ items: [], cursor: first.data?.next_cursor ?? null }), [first.data]);
  const rows = [...(first.data?.items ?? []), ...extra.items];
  const more = async () => {
    if (!extra.cursor) return;
    setBusy(true);
    try {
      const p = await api<Page<CaseView>>(
        'GET',
        withQuery('/api/v1/cases', { ...params, limit: 50, cursor: extra.cursor }),
      );
      setExtra((e) => ({ items: [...e.items, ...p.items], cursor: p.next_cursor }));
    } finally {
      setBusy(false);
    }
  };
  if (first.error) return <ErrorBox error={first.error} />;
  if (!first.data) return <Loading what="Loading cases" />;
  if (rows.length === 0)
    return (
      <Empty title="No cases match">
        Cases are opened by rules (see <Link to="/rules">Rules</Link>) when a detractor, a churn threat or a spike comes
        in. Loosen the filters above to see more.
      </Empty>
    );
  return (
    <>
      <div className="table-wrap">
        <table data-testid="cases-table" className="cases">
          <thead>
            <tr>
              <th>Case</th>
              <th>Status</th>
              <th>Priority</th>
              <th className="hide-phone">Department</th>
              <th className="hide-phone">Assignee</th>
              <th className="hide-phone">Root cause</th>
              <th>SLA due</th>
              <th className="hide-phone">Opened</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.id} data-case={c.id} className={c.overdue ? 'is-overdue' : undefined}>
                <td className="title-cell">
                  <Link to={`/cases/${c.id}`} keepFilters={false}>
                    {c.title}
                  </Link>
                </td>
                <td data-testid="case-status">
                  <StatusChip s={c.status} />
                </td>
                <td>
                  <PriorityChip p={c.priority} />
                </td>
                <td className="hide-phone">{deps.name(c.department)}</td>
                <td className="hide-phone">{c.assignee ?? <span className="muted">unassigned</span>}</td>
                <td className="hide-phone">
                  {c.root_cause ? tax.label(c.root_cause) : <span className="muted">—</span>}
                </td>
                <td className="nowrap">
                  <Due c={c} />
                </td>
                <td className="hide-phone nowrap">{dateTime(c.opened_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="note">
        {count(rows.length)} case{rows.length === 1 ? '' : 's'} shown.{' '}
        {extra.cursor && (
          <button type="button" className="secondary" onClick={more} disabled={busy}>
            {busy ? 'Loading…' : 'Load 50 more'}
          </button>
        )}
      </p>
    </>
  );
}

function Board({ department }: { department: string }) {
  const b = useApi<CaseBoard>('/api/v1/cases/board', { per_department: 30 });
  const deps = useDepartments();
  if (b.error) return <ErrorBox error={b.error} />;
  if (!b.data) return <Loading what="Loading the board" />;
  const shown = b.data.departments.filter((d) => !department || d.department === department);
  if (shown.length === 0)
    return (
      <Empty title={department ? `No cases for ${deps.name(department)}` : 'No cases yet'}>
        Rules open cases when something needs a follow-up: see <Link to="/rules">Rules</Link>.
      </Empty>
    );
  return (
    <div data-testid="case-board">
      {shown.map((d) => (
        <Card
          key={d.department}
          title={
            <>
              {deps.name(d.department)} {d.overdue > 0 && <span className="overdue">⚠︎ {d.overdue} overdue</span>}
            </>
          }
          testId={`board-${d.department}`}
        >
          <div className="board">
            {CASE_STATUSES.map((s) => {
              const cards = d.open.filter((c) => c.status === s);
              return (
                <section
                  key={s}
                  className="board-col"
                  aria-label={`${STATUS_LABEL[s]}: ${d.counts[s]}`}
                  data-status={s}
                >
                  <h3>
                    {STATUS_LABEL[s]} <span className="count">{count(d.counts[s] ?? 0)}</span>
                  </h3>
                  {OPEN.includes(s) ? (
                    <>
                      {cards.map((c) => (
                        <Link
                          key={c.id}
                          to={`/cases/${c.id}`}
                          keepFilters={false}
                          className={`case-card${c.overdue ? ' is-overdue' : ''}`}
                          data-testid="board-card"
                        >
                          <span className="case-title">{c.title}</span>
                          <span className="case-meta">
                            <PriorityChip p={c.priority} />
                            {c.assignee ?? 'unassigned'}
                          </span>
                          <span className="case-meta">
                            <Due c={c} />
                          </span>
                        </Link>
                      ))}
                      {(d.counts[s] ?? 0) > cards.length && (
                        <Link to={`/cases?view=list&department=${d.department}&status=${s}`} className="more">
                          all {count(d.counts[s] ?? 0)} →
                        </Link>
                      )}
                      {(d.counts[s] ?? 0) === 0 && <p className="muted small">none</p>}
                    </>
                  ) : (d.counts[s] ?? 0) > 0 ? (
                    <Link to={`/cases?view=list&department=${d.department}&status=${s}`} className="more">
                      see {count(d.counts[s] ?? 0)} →
                    </Link>
                  ) : (
                    <p className="muted small">none</p>
                  )}
                </section>
              );
            })}
          </div>
        </Card>
      ))}
    </div>
  );
}

export default function Cases({ me }: { me: Me }) {
  const v = useParam('view', 'list');
  const view = v === 'board' || v === 'recovery' ? v : 'list';
  const department = useParam('department');
  const status = useParam('status', view === 'list' ? 'open' : '');
  const assignee = useParam('assignee');
  const priority = useParam('priority');
  const overdue = useParam('overdue');
  const deps = useDepartments();
  // Cases carry their assignee's full name: the filter picks one (typing "sam" found nothing).
  const people = useApi<{ items: { id: string; name: string }[] }>('/api/v1/assignees');
  const names = (people.data?.items ?? []).map((p) => p.name);
  const params: Params = {
    department: department || undefined,
    status: status === 'open' ? OPEN.join(',') : status === 'all' ? undefined : status || undefined,
    assignee: assignee || undefined,
    priority: priority || undefined,
    overdue: overdue === 'true' ? 'true' : undefined,
  };
  const mine = me.user?.name;

  return (
    <>
      <PageHead title="Cases">
        Follow-ups opened by rules: who has them, how close they are to their SLA, and what was done.
        {me.user?.role === 'department_owner' && me.user.department ? ' Showing your department first.' : ''}
      </PageHead>
      <div className="toolbar">
        <Toggle
          label="View"
          options={[
            ['list', 'List'],
            ['board', 'Board by department'],
            ['recovery', 'Recovery after closing'],
          ]}
          value={view}
          onChange={(v) => setParams({ view: v === 'list' ? '' : v })}
        />
      </div>
      <Card>
        <form className="toolbar filters" onSubmit={(e) => e.preventDefault()} aria-label="Case filters">
          <label>
            <span>Department</span>
            <select
              value={department}
              onChange={(e) => setParams({ department: e.target.value })}
              data-testid="case-department"
            >
              <option value="">All</option>
              {deps.items.map((d) => (
                <option key={d.key} value={d.key}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
          {view === 'list' && (
            <>
              <label>
                <span>Status</span>
                <select
                  value={status}
                  onChange={(e) => setParams({ status: e.target.value || 'all' })}
                  data-testid="case-status-filter"
                >
                  <option value="open">Open (new, in progress, waiting)</option>
                  <option value="all">Any</option>
                  {CASE_STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {STATUS_LABEL[s]}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <span>Priority</span>
                <select value={priority} onChange={(e) => setParams({ priority: e.target.value })}>
                  <option value="">Any</option>
                  {CASE_PRIORITIES.map((p) => (
                    <option key={p} value={p}>
                      {humanise(p)}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <span>Assignee</span>
                <select
                  value={assignee}
                  onChange={(e) => setParams({ assignee: e.target.value })}
                  data-testid="case-assignee-filter"
                >
                  <option value="">Anyone</option>
                  {assignee && !names.includes(assignee) && <option value={assignee}>{assignee}</option>}
                  {names.map((n) => (
                    <option key={n} value={n}>
                      {n}
                    </option>
                  ))}
                </select>
              </label>
              {mine && (
                <button
                  type="button"
                  className="secondary"
                  aria-pressed={assignee === mine}
                  onClick={() => setParams({ assignee: assignee === mine ? '' : mine })}
                >
                  Mine
                </button>
              )}
              <label className="check">
                <input
                  type="checkbox"
                  checked={overdue === 'true'}
                  onChange={(e) => setParams({ overdue: e.target.checked ? 'true' : '' })}
                  data-testid="case-overdue-filter"
                />
                Overdue only
              </label>
            </>
          )}
        </form>
        {view === 'list' ? (
          <CaseList params={params} />
        ) : view === 'board' ? (
          <Board department={department} />
        ) : (
          <Recovery department={department} />
        )}
      </Card>
    </>
  );
}
