import { type FormEvent, useState } from 'react';
import { ApiError, api, type Digest as D, fieldErrors, useApi } from '../api';
import { Card, Chip, Empty, ErrorBox, Loading, PageHead } from '../components/ui';
import { humanise, money, plural } from '../display';
import { addDays, isoDay, setParams, useParam } from '../filters';
import { count, day } from '../format';
import { Due, Field, useDepartments, useTaxonomy } from '../loop/common';
import { Link } from '../router';

/** Money at risk in its currency, in whole units ("€1,217"; "1,217" when no purchase names one). */
const atRisk = (value: number, currency: string | null | undefined) =>
  money(Math.round(value), currency).replace(/\.00$/, '');

/** Monday of the week holding `d` (UTC), as the server counts weeks. */
function monday(d: string): string {
  const t = new Date(`${d}T00:00:00Z`);
  return addDays(d, -((t.getUTCDay() + 6) % 7));
}

/** The week's last day ("29 Nov 2026"; `short`: "29 Nov"): the API's `to` is the next Monday, excluded. */
function weekEnd(dg: D, short = false): string {
  const last = day(new Date(Date.parse(dg.week.to) - 1).toISOString());
  return short ? last.replace(/ \d{4}$/, '') : last;
}

/** Departments with something to say: cases, open work, or a new or spiking topic. */
const active = (dg: D) =>
  dg.departments.filter(
    (d) => d.cases_opened > 0 || d.unresolved.count > 0 || d.topics.length > 0 || d.verbatims.length > 0,
  );

/** Emails the digest on screen (one message per department) to the addresses typed in. */
function SendDigest({ week, department, configured }: { week: string; department: string; configured: boolean }) {
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');
  const [error, setError] = useState('');
  const [fieldError, setFieldError] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setDone('');
    setError('');
    setFieldError('');
    const list = to
      .split(/[\s,;]+/)
      .map((x) => x.trim())
      .filter(Boolean);
    try {
      const r = await api<{ queued: number; departments: string[] }>('POST', '/api/v1/digest/send', {
        to: list,
        week,
        ...(department ? { department } : {}),
      });
      setDone(
        `Queued ${r.queued} email${r.queued === 1 ? '' : 's'} (one per department: ${r.departments.join(', ')}) to ${list.join(', ')}.`,
      );
    } catch (x) {
      const f = fieldErrors(x);
      setFieldError(Object.entries(f).find(([k]) => k.startsWith('to'))?.[1] ?? '');
      setError(x instanceof ApiError ? `${x.title}: ${x.detail}` : (x as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Email this digest" testId="send-digest">
      <form className="inline-send" onSubmit={submit} noValidate>
        <Field label="Recipients (comma-separated email addresses)" error={fieldError}>
          <input
            type="text"
            inputMode="email"
            autoComplete="email"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            placeholder="cx-team@example.com, head-of-delivery@example.com"
            aria-invalid={fieldError ? true : undefined}
            data-testid="send-digest-to"
          />
        </Field>
        <button type="submit" className="primary" disabled={busy || !configured} data-testid="send-digest-button">
          {busy ? 'Sending…' : 'Send'}
        </button>
      </form>
      {!configured && (
        <p className="note" data-testid="send-digest-no-smtp">
          Email is not set up on this server: start it with <code>CANOPY_SMTP_URL</code> (and{' '}
          <code>CANOPY_SMTP_FROM</code>) to send digests, rule emails and email surveys.
        </p>
      )}
      {done && (
        <p className="ok" role="status" data-testid="send-digest-sent">
          {done}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="send-digest-error">
          {error}
        </p>
      )}
    </Card>
  );
}

export default function Digest() {
  const lastWeek = monday(addDays(isoDay(new Date()), -7));
  // The current week can be read so far; the buttons stop there (they stopped at last week).
  const thisWeek = monday(isoDay(new Date()));
  const week = useParam('week', lastWeek);
  const department = useParam('department');
  const dg = useApi<D>('/api/v1/digest', { week, department: department || undefined });
  const deps = useDepartments();
  const tax = useTaxonomy();

  return (
    <>
      <PageHead title="Weekly intelligence digest">
        Per department: what hurt customers most (by cases and by revenue at risk), what is new or spiking in what they
        say, and which cases are still open. The same digest can be emailed every week.
      </PageHead>
      <div className="toolbar">
        <button type="button" className="secondary" onClick={() => setParams({ week: addDays(monday(week), -7) })}>
          ← Previous week
        </button>
        <label>
          <span>Week of</span>
          <input
            type="date"
            value={monday(week)}
            onChange={(e) => e.target.value && setParams({ week: monday(e.target.value) })}
            data-testid="week-picker"
          />
        </label>
        <button
          type="button"
          className="secondary"
          disabled={monday(week) >= thisWeek}
          data-testid="next-week"
          onClick={() => setParams({ week: addDays(monday(week), 7) })}
        >
          Next week →
        </button>
        <label>
          <span>Department</span>
          <select value={department} onChange={(e) => setParams({ department: e.target.value })}>
            <option value="">All</option>
            {deps.items.map((d) => (
              <option key={d.key} value={d.key}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {dg.error ? (
        <ErrorBox error={dg.error} />
      ) : !dg.data ? (
        <Loading what="Building the digest" />
      ) : active(dg.data).length === 0 ? (
        <Empty title={`Nothing to report for the week of ${day(dg.data.week.from)}`}>
          No cases were opened, nothing is unresolved, and no topic is new or spiking. Pick another week above.
        </Empty>
      ) : (
        <>
          <p className="note">
            Week of {day(dg.data.week.from)} – {weekEnd(dg.data)}
            {Date.parse(dg.data.week.to) > Date.now() ? ' (so far: the week is not over)' : ''}
            {dg.data.departments.length > active(dg.data).length &&
              ` · ${plural(dg.data.departments.length - active(dg.data).length, 'more department')} with nothing to report`}
          </p>
          <p className="note" data-testid="week-counts-note">
            <strong>Still open</strong>: cases opened by the end of the week that are not resolved or closed today.{' '}
            <strong>Past SLA</strong>: those of them whose SLA was due before the week ended
            {Date.parse(dg.data.week.to) > Date.now() ? ' (this week is not over: due before now)' : ''}.
          </p>
          {active(dg.data).map((d) => (
            <Card
              key={d.department}
              title={deps.name(d.department)}
              testId={`digest-${d.department}`}
              actions={
                <span className="digest-stats">
                  <strong>{count(d.cases_opened)}</strong> case{d.cases_opened === 1 ? '' : 's'} opened ·{' '}
                  <strong>{count(d.unresolved.count)}</strong> still open
                  {d.unresolved.overdue > 0 && (
                    <span className="overdue" data-testid="past-sla">
                      {' '}
                      · ⚠︎ {count(d.unresolved.overdue)} past SLA
                      {Date.parse(dg.data!.week.to) > Date.now() ? ' now' : ` by ${weekEnd(dg.data!, true)}`}
                    </span>
                  )}
                </span>
              }
            >
              <div className="grid cols-2">
                <div>
                  <h3>Top root causes</h3>
                  {d.top_root_causes.length === 0 ? (
                    <p className="muted">No cases opened this week.</p>
                  ) : (
                    <div className="table-wrap">
                      <table>
                        <thead>
                          <tr>
                            <th>Root cause</th>
                            <th className="num">Cases</th>
                            <th className="num wrap">Customers</th>
                            <th className="num wrap">Revenue at risk</th>
                          </tr>
                        </thead>
                        <tbody>
                          {d.top_root_causes.map((r) => (
                            <tr key={r.root_cause ?? 'none'}>
                              <td>{r.label ?? (r.root_cause ? tax.label(r.root_cause) : 'Not set yet')}</td>
                              <td className="num">{count(r.cases)}</td>
                              <td className="num">{count(r.customers)}</td>
                              <td className="num">{atRisk(r.revenue_at_risk, d.revenue_at_risk?.currency)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                  {d.top_root_causes_by_impact.length > 0 &&
                    d.top_root_causes_by_impact[0]?.root_cause !== d.top_root_causes[0]?.root_cause && (
                      <p className="note">
                        By revenue at risk, first:{' '}
                        <strong>
                          {d.top_root_causes_by_impact[0]?.label ??
                            tax.label(d.top_root_causes_by_impact[0]?.root_cause)}
                        </strong>{' '}
                        ({atRisk(d.top_root_causes_by_impact[0]?.revenue_at_risk ?? 0, d.revenue_at_risk?.currency)})
                      </p>
                    )}
                  <p className="note" data-testid="revenue-at-risk">
                    {d.cases_opened === 0 ? (
                      <>Revenue at risk: none — no case was opened this week.</>
                    ) : d.revenue_at_risk ? (
                      d.revenue_at_risk.total > 0 ? (
                        <>
                          Revenue at risk:{' '}
                          <strong data-testid="revenue-at-risk-total">
                            {atRisk(d.revenue_at_risk.total, d.revenue_at_risk.currency)}
                          </strong>{' '}
                          — what the {plural(d.revenue_at_risk.customers, 'customer')} concerned bought and renewed over
                          the last 12 months.
                        </>
                      ) : (
                        <>
                          Revenue at risk: <strong>0</strong> — the {plural(d.revenue_at_risk.customers, 'customer')}{' '}
                          concerned bought or renewed nothing in the last 12 months
                          {d.revenue_at_risk.customers === 0 ? ' (the cases name no customer)' : ''}.
                        </>
                      )
                    ) : (
                      <>Revenue at risk: purchases and renewals of the affected customers over the last 12 months.</>
                    )}
                  </p>
                </div>
                <div>
                  <h3>New and spiking complaints</h3>
                  {d.topics.length === 0 ? (
                    <p className="muted">No topic with negative mentions is new or spiking.</p>
                  ) : (
                    <ul className="plain">
                      {d.topics.map((t) => (
                        <li key={t.topic}>
                          <Chip tone={t.kind === 'new' ? 'warn' : 'negative'}>{humanise(t.kind)}</Chip>{' '}
                          <Link to={`/topics?topic=${encodeURIComponent(t.topic)}`}>
                            {t.label ?? tax.label(t.topic)}
                          </Link>{' '}
                          <span className="muted">
                            {count(t.negative)} negative of {count(t.mentions)} mentions, usually{' '}
                            {t.weekly_baseline.toFixed(1)}
                            /week
                          </span>
                        </li>
                      ))}
                    </ul>
                  )}
                  <h3>Oldest still open</h3>
                  {d.unresolved.oldest.length === 0 ? (
                    <p className="muted">Nothing open.</p>
                  ) : (
                    <ul className="plain">
                      {d.unresolved.oldest.map((c) => (
                        <li key={c.id}>
                          <Link to={`/cases/${c.id}`} keepFilters={false}>
                            {c.title}
                          </Link>{' '}
                          <span className="small">
                            SLA: <Due c={c} />
                          </span>
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              </div>
              {d.verbatims.length > 0 && (
                <>
                  <h3>In their words</h3>
                  <ul className="plain quotes">
                    {d.verbatims.map((v) => (
                      <li key={v.case_id}>
                        <blockquote className="quote">“{v.verbatim}”</blockquote>
                        <span className="muted small">
                          {v.root_cause ? `${tax.label(v.root_cause)} · ` : ''}
                          <Link to={`/cases/${v.case_id}`} keepFilters={false}>
                            case
                          </Link>
                        </span>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </Card>
          ))}
        </>
      )}
      {dg.data && (
        <SendDigest week={monday(week)} department={department} configured={dg.data.email_configured !== false} />
      )}
    </>
  );
}
